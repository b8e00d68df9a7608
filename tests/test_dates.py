"""dates: era and western dates, kanji numerals, validation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxminutes.corpus.dates import DateError, date_problems, find_dates, infer_dates, parse_date, parse_number
from dxminutes.corpus.metadata import extract_metadata, find_meeting_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("令和6年7月17日", dt.date(2024, 7, 17)),
        ("令和四年十一月十四日", dt.date(2022, 11, 14)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("昭和64年1月7日", dt.date(1989, 1, 7)),
        ("大正15年12月24日", dt.date(1926, 12, 24)),
        ("令和５年１０月１６日", dt.date(2023, 10, 16)),
        ("令 和 7 年 1 1 月 1 7 日", dt.date(2025, 11, 17)),
        ("令和 7 年 11 月 17 日", dt.date(2025, 11, 17)),
        ("令和三年十二月三十一日", dt.date(2021, 12, 31)),
        ("令和二年一月二十三日", dt.date(2020, 1, 23)),
        ("R3年4月1日", dt.date(2021, 4, 1)),
        ("2022年6月6日", dt.date(2022, 6, 6)),
        ("二〇二四年一月三十一日", dt.date(2024, 1, 31)),
        ("2024/7/17", dt.date(2024, 7, 17)),
        ("2024-07-17", dt.date(2024, 7, 17)),
        ("２０２４／０７／１７", dt.date(2024, 7, 17)),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("光文5年1月1日", "unknown era '光文'"),
        ("令和2年2月30日", "impossible date"),
        ("令和元年4月30日", "outside the 令和 era"),
        ("平成31年5月1日", "outside the 平成 era"),
        ("令和3年度", "not a date"),
        ("2023年13月1日", "impossible date"),
    ],
)
def test_invalid_dates_raise_a_clear_error(text, fragment):
    with pytest.raises(DateError, match=fragment):
        parse_date(text)


@pytest.mark.parametrize(
    "text, value",
    [
        ("十", 10),
        ("十一", 11),
        ("二十三", 23),
        ("三十一", 31),
        ("〇", 0),
        ("零", 0),
        ("百二", 102),
        ("二〇二四", 2024),
        ("１ ２", 12),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_find_dates_positions_and_fiscal_years():
    text = "更新日:2022年6月6日 令和3年度の計画。開催日時 令和4年3月30日(水曜日)"
    found = find_dates(text)
    assert [m.date for m in found] == [dt.date(2022, 6, 6), dt.date(2022, 3, 30)]
    for match in found:
        assert text[match.start : match.end] == match.text
        assert match.text in match.context


def test_invalid_dates_in_a_text_are_reported_not_returned():
    text = "光文5年1月2日と令和2年2月30日と令和2年2月29日"
    assert [m.date for m in find_dates(text)] == [dt.date(2020, 2, 29)]
    problems = date_problems(text)
    assert len(problems) == 2
    assert any("光文" in p for p in problems) and any("2月30日" in p for p in problems)


def test_a_western_year_after_kanji_is_not_an_unknown_era():
    assert [m.date for m in find_dates("開催2024年7月17日")] == [dt.date(2024, 7, 17)]
    assert date_problems("開催2024年7月17日") == []


KANJI = "〇一二三四五六七八九"


def kanji_number(n: int) -> str:
    """Independent formatter for numbers below 100: 23 → 二十三."""
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("" if tens == 1 else KANJI[tens]) + "十") + (KANJI[ones] if ones else "")


@given(st.dates(min_value=dt.date(2019, 5, 1), max_value=dt.date(2060, 12, 31)), st.booleans())
def test_reiwa_dates_round_trip(day, use_kanji):
    year = day.year - 2018
    if use_kanji:
        year_text = "元" if year == 1 else kanji_number(year)
        text = f"令和{year_text}年{kanji_number(day.month)}月{kanji_number(day.day)}日"
    else:
        text = f"令和{year}年{day.month}月{day.day}日"
    assert parse_date(text) == day
    assert [m.date for m in find_dates(f"本日は{text}(木)です")] == [day]


# --- dates at large: page headers, fiscal years, missing years ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和 5年9月12日(火曜日)\n", "2023-09-12"),
        ("令 和 5 年 9 月 1 2 日 (火)\n", "2023-09-12"),
        ("札幌市議会 2024-02-15\n令和6年大都市税財政制度特別委員会−02月15日-記録\n", "2024-02-15"),
        ("令和7年(2025年)1月24日(金)10時00分開会\n", "2025-01-24"),
        ("質疑・質問日:07/14/2020\n", "2020-07-14"),
        ("開催日 R5.9.12(火)\n", "2023-09-12"),
        ("日時 2023年(令和5年)9月12日(火)\n", "2023-09-12"),
        ("令和3年度 第2回 行政改革審議会\n開催日 2月8日(火)\n", "2022-02-08"),  # fiscal year trap
        ("令和元年度 議会運営委員会\n第11回委員会 (11月19日)\n", "2019-11-19"),
        ("令和 5年議会改革特別委員会( 1月26日)\n", "2023-01-26"),  # calendar year: stays in 2023
        ("平成 9年 2月 定例会本会議第一号 二月二十七日(木)\n", "1997-02-27"),
        ("予算特別委(4年10月4日)\n(道議会 2023-02-02付)\n", "2022-10-04"),  # era implicit
    ],
)
def test_meeting_dates_at_large(text, expected):
    assert extract_metadata(text).meeting_date == expected


@pytest.mark.parametrize(
    "text",
    [
        "掲載日:2019年2月22日更新\n",
        "取得元: 長泉町議会公式サイト 最終取得日: 2021-09-26\n",
        "(道議会 2023-02-02付)\n",
    ],
)
def test_publication_and_retrieval_dates_are_never_the_meeting_date(text):
    assert find_meeting_date(text) is None


def test_a_date_without_year_is_left_empty_with_a_warning():
    meta = extract_metadata("区民文教委員会(6月10日)\n(委員長)開会します。\n")
    assert meta.meeting_date is None
    assert any("'6月10日' has no year" in w and "not guessed" in w for w in meta.warnings)


def test_inferred_dates_say_which_convention_completed_them():
    (found,), problems = infer_dates("令和3年度 第2回\n2月8日\n")
    assert found.match.date == dt.date(2022, 2, 8) and "fiscal year" in found.how and not problems
    meta = extract_metadata("令和3年度 第2回 審議会\n開催日 2月8日\n")
    assert any("completed from context (fiscal year" in w for w in meta.warnings)


def test_labelled_meeting_date_beats_the_aggregator_dates():
    text = "長泉町議会 2014-09-08\n平成26年第3回定例会 本文 開催日: 2014-09-08 取得元: 公式サイト 最終取得日: 2021-09-26\n"
    assert find_meeting_date(text).date == dt.date(2014, 9, 8)


def test_a_month_and_day_in_the_discussion_is_not_the_meeting_date():
    header = "令和5年度 第2回 審議会 会議録\n" + "(会長)説明をお願いします。\n" * 20
    text = header + "(事務局)令和5年度は10月4日に説明会を開きます。\n"
    assert find_meeting_date(text) is None


def test_a_sitting_beats_an_appointment_date():
    text = "総務委員会概要\n委員数 11名 (令和元年5月14日 選任)\n審議概要\n令和元年11月19日開会分\n報告事項\n"
    assert find_meeting_date(text).date == dt.date(2019, 11, 19)


# --- which date is the sitting's (round 2, /work/dev2) --------------------------------------------


def _meeting_date(text: str) -> str | None:
    from dxminutes.corpus.cleaning import clean

    found = find_meeting_date(clean(text).text)
    return found.date.isoformat() if found else None


@pytest.mark.parametrize(
    "text, expected",
    [
        # a record of a later sitting: the session opened 9月11日, this sitting (第4号) is 9月25日
        (
            "平成21年第5回府中町議会定例会会議録(第4号)\n1.開会年月日 平成21年9月11日(金)\n"
            "2.招集の場所 府中町議会議事堂\n3.開議年月日 平成21年9月25日(金)\n4.出席議員(18名)\n",
            "2009-09-25",
        ),
        # the same, a PDF table extracted one character per line
        (
            "会議録(第4号)\n1.開\n会\n年\n月\n日\n平成21年9月11日(金)\n2.招\n集\nの\n場\n所\n議事堂\n"
            "3.開\n議\n年\n月\n日\n平成21年9月25日(金)\n",
            "2009-09-25",
        ),
        # a box table flattened onto one line: 招集年月日 (session) and 開議 (this sitting)
        (
            "第155回名護市議会定例会会議録\n┌──┬──┐│招集年月日│平成21年6月11日木曜日午前10時│├──┤"
            "│招集の場所│名護市議会議場│├──┤│開議│平成21年6月19日金曜日午前10時00分│└──┘\n",
            "2009-06-19",
        ),
        # the first sitting: only the session's date is labelled, and it beats a date in passing
        (
            "平成21年第5回府中町議会定例会会議録(第1号)\n1.開会年月日 平成21年9月11日(金)\n"
            "議案 平成21年8月20日の全員協議会で説明のあった件\n",
            "2009-09-11",
        ),
    ],
)
def test_the_sittings_own_date_beats_the_sessions_opening_date(text, expected):
    assert _meeting_date(text) == expected


def test_a_sitting_heading_beats_a_search_sites_listing_date():
    # a search site lists the record under the session's first day; the record's own title line
    # (定例会(第1日) 本文 DATE) gives the sitting
    page = (
        "1. 広島県議会 2005-12-01\n平成17年12月定例会(第1日) 本文\n取得元: 広島県議会公式サイト\n"
        "トップページ 検索結果一覧 平成17年12月定例会(第1日) 本文 2005-12-06 文書発言の移動 文書 前へ 次へ\n"
    )
    assert _meeting_date(page) == "2005-12-06"
    # with the listing date alone, it is the date
    assert _meeting_date("1. 広島県議会 2005-12-01\n平成17年12月定例会(第1日) 本文\n") == "2005-12-01"


def test_a_periodicals_issue_date_is_not_the_meeting():
    report = (
        "兵庫県尼崎市\n平成17年6・7・8月議会報(第389回)06月01日−01号\n△第1回市議会臨時会\n"
        "第1回市議会臨時会は、7月12日に開会し、会期4日間の審議を行い7月15日に閉会した。\n"
    )
    assert _meeting_date(report) == "2005-07-12"
    # the same `MM月DD日-NN号` in a record's own title is its sitting
    record = "平成21年第155回名護市議会定例会\n06月19日-06号\n取得元: 名護市議会公式サイト\n"
    assert _meeting_date(record) == "2009-06-19"


def test_sitting_rules_do_not_reach_into_the_discussion_or_other_bodies():
    # a body named 広報委員会 holds its meeting on the date after its name: not a periodical
    assert _meeting_date("議会広報委員会 令和5年6月1日(木)\n○委員長 開会します。\n") == "2023-06-01"
    # 本日 in a speech, far below the header, does not make its date the sitting's
    filler = "".join(f"○委員 質問{i}について伺います。\n" for i in range(20))
    text = (
        "総務委員会\n令和5年6月1日(木)\n"
        + filler
        + "○委員長 本日、令和5年5月20日の会議の結果について報告します。\n"
    )
    assert _meeting_date(text) == "2023-06-01"


def test_the_last_day_of_a_sessions_term_is_not_the_meeting():
    # 会期 `本日から9月19日までの19日間`: 本日 opens a period here, it is no sitting heading, and
    # a date followed by まで ends the term
    page = (
        "1. 彦根市議会 2008-09-01\n平成20年9月定例会(第13号) 本文\n"
        "◯議長藤野政信君) 今期定例会の会期は、本日から9月19日までの19日間といたしたいと思います。\n"
    )
    assert _meeting_date(page) == "2008-09-01"
    # a period written in full keeps its first day
    term = "会期 令和5年6月1日から令和5年6月20日まで\n○議長 開会します。\n"
    assert _meeting_date(term) == "2023-06-01"
    # 本日 as a heading on the date's line still marks the sitting
    heading = "1. 某市議会 2023-06-01\n本日 令和5年6月8日(木)\n○議長 開議します。\n"
    assert _meeting_date(heading) == "2023-06-08"
