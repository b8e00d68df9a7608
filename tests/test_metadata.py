"""metadata: every seed's municipality, prefecture and meeting date from its text alone."""

from __future__ import annotations

import pytest

from dxminutes import config
from dxminutes.corpus.cleaning import clean
from dxminutes.corpus.metadata import (
    apply_catalog,
    document_metadata,
    extract_metadata,
    find_meeting_date,
    find_municipality,
)

# Independent expectations, read off the documents by a person (see /work/shared/seeds/README.md).
SEEDS = {
    "nagareyama_2024-07-17_gyozaisei-kaikaku-shingikai.txt": ("流山市", "千葉県", "2024-07-17"),
    "nagasaki_2022-03-30_gyosei-kaikaku-shingikai.txt": ("長崎市", "長崎県", "2022-03-30"),
    "musashimurayama_2025-11-17_gyosei-kaikaku-suishin-iinkai.txt": ("武蔵村山市", "東京都", "2025-11-17"),
    "sumida_2023-10-16_dx-tokubetsu-iinkai-kenshukai.txt": ("墨田区", "東京都", "2023-10-16"),
    "toshima_2021-06-04_gyosei-johoka-suishin-honbu.txt": ("豊島区", "東京都", "2021-06-04"),
}
BODIES = {
    "nagareyama_2024-07-17_gyozaisei-kaikaku-shingikai.txt": "流山市行財政改革審議会",
    "nagasaki_2022-03-30_gyosei-kaikaku-shingikai.txt": "長崎市行政改革審議会",
    "musashimurayama_2025-11-17_gyosei-kaikaku-suishin-iinkai.txt": "武蔵村山市行政改革推進委員会",
    "toshima_2021-06-04_gyosei-johoka-suishin-honbu.txt": "豊島区行政情報化推進本部",
}


def seed_text(name):
    return clean((config.RAW_DIR / name).read_text(encoding="utf-8")).text


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_metadata_from_text_without_catalog(name):
    municipality, prefecture, date = SEEDS[name]
    meta = extract_metadata(seed_text(name))  # no file name: the date must come from the text
    assert (meta.municipality, meta.prefecture, meta.meeting_date) == (municipality, prefecture, date)
    assert meta.sources["municipality"] == meta.sources["meeting_date"] == "text"


@pytest.mark.parametrize("name", sorted(BODIES))
def test_seed_body_from_text(name):
    meta = extract_metadata(seed_text(name))
    assert meta.body == BODIES[name]
    assert meta.meeting_title and BODIES[name].removeprefix(meta.municipality) in meta.meeting_title


def test_meeting_date_beats_update_and_report_dates():
    text = (
        "令和5年11月10日\n墨田区議会議長様\n1 開催日時\n令和5年10月16日(月) 午前10時\n更新日:2022年6月6日\n"
    )
    assert find_meeting_date(text).date.isoformat() == "2023-10-16"
    text = "更新日:2024年1月5日\n会議の記録\n令和5年12月4日(月曜日)14時00分から\n"
    assert find_meeting_date(text).date.isoformat() == "2023-12-04"


def test_mentioned_cities_do_not_beat_the_city_of_the_title():
    text = (
        "第2回 柏市デジタル推進委員会\n日時 令和6年5月1日(水)\n"
        "(委員長)札幌市や札幌市の例、さいたま市の例、横浜市の例を見ると、柏市でも…\n"
    )
    assert find_municipality(text) == "柏市"


def test_ward_of_a_designated_city_and_its_prefecture():
    meta = extract_metadata(
        "横浜市港北区区民会議 第3回\n日時 令和6年5月1日(水)\n(議長)横浜市港北区の取組について\n"
    )
    assert meta.municipality == "横浜市"  # a ward of a designated city is grouped with its city
    assert meta.prefecture == "神奈川県"
    assert (meta.body_code, meta.body_level) == ("141003", "municipality")


def test_prefecture_written_before_the_municipality():
    meta = extract_metadata(
        "千葉県流山市 第1回 情報化推進委員会\n日時 令和6年5月1日(水)\n(委員長)開会します。\n"
    )
    assert (meta.municipality, meta.prefecture) == ("流山市", "千葉県")


def test_prefectural_body():
    meta = extract_metadata("第1回 静岡県行財政改革推進委員会\n日時 令和6年5月1日(水)\n(会長)開会します。\n")
    assert (meta.municipality, meta.prefecture) == ("静岡県", "静岡県")


def test_ordinals_are_not_glued_to_the_name():
    assert find_municipality("令和5年度第12回春日部市情報公開審査会\n") == "春日部市"


def test_filename_is_the_last_resort():
    meta = extract_metadata("(会長)開会します。\n", filename="2024-07-17_minutes.txt")
    assert meta.meeting_date == "2024-07-17"
    assert meta.sources["meeting_date"] == "filename"
    assert meta.municipality is None and meta.sources["municipality"] == "none"


def test_catalog_takes_precedence_where_it_has_a_value():
    meta = extract_metadata(seed_text("nagasaki_2022-03-30_gyosei-kaikaku-shingikai.txt"))
    merged = apply_catalog(meta, {"municipality": "長崎市", "meeting_date": "2022-03-31", "body": ""})
    assert merged.meeting_date == "2022-03-31" and merged.sources["meeting_date"] == "catalog"
    assert merged.body == meta.body and merged.sources["body"] == "text"
    assert meta.meeting_date == "2022-03-30"  # the input is not mutated
    assert document_metadata("(会長)開会", None, None).sources["municipality"] == "none"


def test_catalog_values_retire_the_not_found_warnings_they_answer():
    text = "(会長)開会します。\n(委員)デジタル化について伺います。\n"
    meta = extract_metadata(text)
    assert any(w.startswith("municipality not found") for w in meta.warnings)
    assert any(w.startswith("meeting date not found") for w in meta.warnings)
    merged = apply_catalog(meta, {"municipality": "盛岡市", "meeting_date": "2024-08-21"})
    assert not any("not found" in w for w in merged.warnings), merged.warnings
    only_body = apply_catalog(meta, {"body": "盛岡市議会"})  # answers neither question
    assert only_body.warnings == meta.warnings


FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
VARIANTS = {
    "cp932": lambda text: text.encode("cp932", errors="replace"),
    "bom-crlf": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    "spaced": lambda text: "\n".join(
        " ".join(line.translate(FULL_WIDTH)) for line in text.split("\n")
    ).encode(),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_metadata_survives_encoding_and_spacing(tmp_path, name, variant):
    from dxminutes.corpus.readers import read_raw

    path = tmp_path / "seed.txt"  # no informative file name
    path.write_bytes(VARIANTS[variant]((config.RAW_DIR / name).read_text(encoding="utf-8")))
    raw = read_raw(path)
    meta = document_metadata(clean(raw.text).text, path.name, None, raw_text=raw.text)
    assert (meta.municipality, meta.prefecture, meta.meeting_date) == SEEDS[name]
