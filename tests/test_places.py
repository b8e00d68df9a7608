"""Bodies at large: the official list of 1,788 local public bodies, national and prefectural bodies."""

from __future__ import annotations

import pytest

from dxminutes.corpus.build import load_corpus
from dxminutes.corpus.metadata import extract_metadata, find_place, missing_metadata_warnings
from dxminutes.corpus.places import gazetteer
from dxminutes.schema import UNKNOWN_MUNICIPALITY


def test_the_official_list_is_complete():
    gaz = gazetteer()
    levels = [body.level for body in gaz.bodies]
    assert len(gaz.bodies) == 1788
    assert levels.count("prefecture") == 47 and levels.count("municipality") == 1741
    assert len({body.code for body in gaz.bodies}) == 1788
    assert all(len(body.code) == 6 and body.code.isdigit() for body in gaz.bodies)
    wards = [b for b in gaz.bodies if b.prefecture == "東京都" and b.name.endswith("区")]
    assert len(wards) == 23
    assert {b.prefecture for b in gaz.lookup("府中市")} == {"東京都", "広島県"}


def place(text, title=None):
    found = find_place(text, title)
    return found.municipality, found.prefecture, found.body_code, found.body_level


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "流山市行財政改革審議会 会議録\n日時 令和6年7月17日\n",
            ("流山市", "千葉県", "122203", "municipality"),
        ),
        ("静岡県議会 総務委員会\n(委員長)開会します。\n", ("静岡県", "静岡県", "220001", "prefecture")),
        ("道議会 予算特別委員会\n", ("北海道", "北海道", "010006", "prefecture")),
        ("横浜市港北区区民会議\n横浜市港北区の取組\n", ("横浜市", "神奈川県", "141003", "municipality")),
        ("札幌市中央区まちづくり協議会\n", ("札幌市", "北海道", "011002", "municipality")),
        ("東京都北区議会 総務委員会\n", ("北区", "東京都", "131172", "municipality")),
        ("武蔵村山市行政改革推進委員会\n", ("武蔵村山市", "東京都", "132233", "municipality")),
        (
            "場所 檜原村役場 第1会議室\n檜原村議会 全員協議会\n",
            ("檜原村", "東京都", "133078", "municipality"),
        ),
        ("鎌ヶ谷市議会 会議録\n", ("鎌ケ谷市", "千葉県", "122246", "municipality")),  # ヶ/ケ spellings
        ("令和5年 横浜市会 総務委員会\n川崎市の例では…\n", ("横浜市", "神奈川県", "141003", "municipality")),
        ("六ケ所村議会 定例会\n", ("六ヶ所村", "青森県", "024112", "municipality")),
        ("衆議院 総務委員会 第3号\n", ("国", None, None, "national")),
        ("デジタル庁 デジタル社会推進会議 幹事会\n", ("国", None, None, "national")),
        ("内閣官房 デジタル市場競争本部 検討会\n", ("国", None, None, "national")),
        ("総務省 地域情報化アドバイザー検討会\n", ("国", None, None, "national")),
    ],
)
def test_bodies(text, expected):
    assert place(text) == expected


def test_ambiguous_names_need_a_prefecture_clue():
    assert place("府中市議会 総務委員会\n") == ("府中市", None, None, "municipality")
    assert any("広島県" in w for w in find_place("府中市議会 総務委員会\n").warnings)
    assert place("広島県府中市議会 総務委員会\n")[:3] == ("府中市", "広島県", "342084")
    assert place("府中市議会 総務委員会\n東京都と連携し…\n")[:3] == ("府中市", "東京都", "132063")
    assert place("伊達市議会 会議録\n福島県の補助金について\n")[:3] == ("伊達市", "福島県", "072133")


@pytest.mark.parametrize(
    "text",
    [
        "市民部市民課長 市民部市 の説明\n(委員長)市民部市について\n",  # 市民部市 is not a body
        "副市長 副市の報告\n副市長 答弁\n",
        "(委員)" + "高" * 38 + "高市" + "の件\n" * 3,  # a long run ending in 高市
        "本市のDX推進計画\n(委員長)本市では市町村と連携し、都市部の例を…\n",
        "東京都市大学の教授が講演\n東京都市大学 教授\n",  # 京都市 inside 東京都市
        "中央市場の再整備\n中央市場について\n",  # 中央市 (山梨県) inside 中央市場
    ],
)
def test_names_that_are_not_bodies_are_never_output(text):
    found = find_place(text)
    assert found.municipality in (None, "東京都"), found


def test_two_bodies_named_equally_give_none():
    text = "議案第60号 郡山市と平田村との連携協約について\n郡山市対平田村という形で\n"
    found = find_place(text)
    assert found.municipality is None and "unclear" in found.warnings[0]


def test_labels_are_not_fused_into_names():
    meta = extract_metadata("会議録\n場所 檜原村役場\n日時 令和5年9月12日(火曜日)\n(議長)開会します。\n")
    assert (meta.municipality, meta.meeting_date) == ("檜原村", "2023-09-12")
    meta = extract_metadata("会場　三鷹市役所\n日時　令和5年9月12日\n")
    assert meta.municipality == "三鷹市"


def test_missing_metadata_warning_gives_the_catalog_line():
    meta = extract_metadata("議会運営委員会\n(委員長)開会します。\n")
    assert meta.municipality is None and meta.meeting_date is None
    (warning,) = missing_metadata_warnings("rw_014.txt", meta, "abc")
    assert warning.startswith(
        "municipality and meeting_date missing: add to catalog.csv: rw_014.txt,市区町村名,"
    )
    assert warning.endswith(",YYYY-MM-DD,,abc")
    assert missing_metadata_warnings("x.txt", extract_metadata("流山市議会\n令和5年9月12日\n")) == ()


def test_build_keeps_documents_without_municipality_as_unknown(tmp_path):
    (tmp_path / "anon.txt").write_text(
        "議会運営委員会 会議録\n日時 令和5年9月12日(火曜日)\n○委員長(山田太郎君) 開会します。\n",
        encoding="utf-8",
    )
    corpus = load_corpus(tmp_path)
    assert corpus.documents["municipality"].tolist() == [UNKNOWN_MUNICIPALITY]
    assert corpus.documents["municipality_source"].tolist() == ["none"]
    assert corpus.documents["body_code"].isna().all() and corpus.documents["body_level"].isna().all()
    assert corpus.turns["municipality"].tolist() == [UNKNOWN_MUNICIPALITY]
    messages = corpus.warnings.loc[corpus.warnings["file"] == "anon.txt", "message"].tolist()
    assert any(
        m.startswith("municipality missing: add to catalog.csv: anon.txt,市区町村名,") for m in messages
    )


def test_inspect_warns_with_the_catalog_line(tmp_path, capsys):
    import json

    from dxminutes.cli import main

    path = tmp_path / "rw_x.txt"
    path.write_text("区民文教委員会(6月10日)\n○委員長(山田太郎君) 開会します。\n", encoding="utf-8")
    assert main(["inspect", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metadata"]["municipality"] is None and result["metadata"]["date"] is None
    assert any(
        w.startswith("municipality and meeting_date missing: add to catalog.csv: rw_x.txt,市区町村名,")
        for w in result["warnings"]
    )
    assert any("'6月10日' has no year" in w for w in result["warnings"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (  # a minutes system's page: the assembly in the header beats a mayor and cities named in speech
            "鹿児島市議会 会議録検索システム\n令和5年第3回定例会(第2日目) 本文 2023-09-12\n"
            "◯議長(山田太郎君) ただいまから本日の会議を開きます。\n"
            "◯市長(下鶴隆央君) 霧島市や姶良市の例を参考に、霧島市長とも協議し、霧島市民の声も…\n",
            ("鹿児島市", "2023-09-12"),
        ),
        (  # PDF extraction spaces every character
            "令 和 ５ 年 第 ３ 回 上 越 市 議 会 定 例 会 会 議 録 （ 第 ２ 号 ）\n"
            "令 和 ５ 年 ９ 月 １ ２ 日 （ 火 曜 日 ）\n○議長（山田太郎君） 開会します。\n",
            ("上越市", "2023-09-12"),
        ),
        (
            "第211回国会 衆議院 総務委員会 第3号 令和5年3月15日\n"
            "○浮島委員長 これより会議を開きます。横浜市や大阪市の例、横浜市長の発言も…\n",
            ("国", "2023-03-15"),
        ),
        (
            "神奈川県議会 総務政策常任委員会 記録\n令和5年10月3日(火)\n○委員長 開会します。\n"
            + "横浜市長が述べたように、横浜市議会と川崎市では、川崎市民の…\n" * 5,
            ("神奈川県", "2023-10-03"),
        ),
        (
            "令和5年 9月定例会(第3回)-09月12日-02号\n○議長(佐藤一郎君) 本町のDXについて…\n",
            (None, "2023-09-12"),
        ),
        (  # the assembly's address in the page header; the fiscal year runs into January
            "〒315-8640\n茨城県石岡市石岡一丁目1番地1\nTel 0299(23)5600\n\n平成29年度 総務委員会\n"
            " 第10回委員会 (1月22日)\n山本委員長)ただ今から,総務委員会を開会いたします。\n"
            " 石岡市,行方市,小美玉市及び茨城町における公の施設の広域利用について。行方市,小美玉市及び茨城町と協定\n",
            ("石岡市", "2018-01-22"),
        ),
    ],
)
def test_headers_of_common_minutes_systems(text, expected):
    meta = extract_metadata(text)
    assert (meta.municipality, meta.meeting_date) == expected


def test_generated_municipalities_have_no_code():
    from dxminutes.corpus.synthetic import scale_corpus

    corpus = load_corpus()
    documents, _ = scale_corpus(corpus, 2, random_state=0)
    generated = documents.loc[documents["synthetic"]]
    seeds = documents.loc[~documents["synthetic"]]
    assert generated["body_code"].isna().all() and generated["body_level"].isna().all()
    assert seeds["body_code"].str.fullmatch(r"\d{6}").all()


def test_a_ministry_in_the_agenda_of_local_minutes_is_not_the_body():
    text = "議題 (1) 総務省「自治体DX推進計画」について\n(委員長)本市の取組について説明を求めます。\n"
    assert find_place(text).municipality is None
    assert find_place("総務省 自治体DX推進検討会\n(座長)開会します。\n").municipality == "国"
