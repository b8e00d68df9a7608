"""CJK radical code points (PDF text layers) map to their unified ideographs, from Unicode's own table."""

from __future__ import annotations

import re
import unicodedata

import pytest

from dxminutes import normalize
from dxminutes.corpus import cleaning
from dxminutes.corpus.build import load_document
from dxminutes.corpus.cleaning import clean
from dxminutes.corpus.segment import segment
from dxminutes.normalize import normalize_radicals, normalize_unicode, radical_table
from dxminutes.text.tokenizer import JapaneseTokenizer

SUPPLEMENT = range(0x2E80, 0x2F00)
KANGXI = range(0x2F00, 0x2FE0)
#: The CJK Unified Ideographs blocks (URO, Extensions A-J), for ideographs newer than the Unicode
#: version of this Python's `unicodedata` (3.11 has 14.0; ⺕ U+2E95 → U+2B739 dates from 15.0).
UNIFIED_BLOCKS = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EE5F),
    (0x30000, 0x3347F),
)


def header_count(name: str) -> int:
    """A count stated in the resource's header (`# source_rows: 322`)."""
    text = normalize.RADICALS_PATH.read_text(encoding="utf-8")
    (value,) = re.findall(rf"^# {name}: (\d+)$", text, re.M)
    return int(value)


def data_lines() -> list[list[str]]:
    lines = normalize.RADICALS_PATH.read_text(encoding="utf-8").splitlines()
    start = lines.index("radical\tideograph\tradical_char\tideograph_char")
    assert all(line.startswith("#") for line in lines[:start])
    return [line.split("\t") for line in lines[start + 1 :] if line]


# --- the table ----------------------------------------------------------------------------


def test_header_names_the_unicode_version_and_source():
    head = [
        line for line in normalize.RADICALS_PATH.read_text(encoding="utf-8").splitlines() if line[:1] == "#"
    ]
    assert any("EquivalentUnifiedIdeograph.txt" in line and "Unicode 17.0.0" in line for line in head)
    assert any("make_radical_table.py" in line for line in head)


def test_every_entry_maps_a_radical_to_a_unified_ideograph():
    table = radical_table()
    assert table, "empty radical table"
    for code, ideograph in table.items():
        assert code in SUPPLEMENT or code in KANGXI, hex(code)
        assert unicodedata.name(chr(code)).startswith(("CJK RADICAL", "KANGXI RADICAL")), hex(code)
        assert len(ideograph) == 1
        name = unicodedata.name(ideograph, "")
        if name:
            assert name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")), hex(code)
        else:  # assigned after this Python's Unicode version: it must lie in a unified block
            assert any(lo <= ord(ideograph) <= hi for lo, hi in UNIFIED_BLOCKS), hex(code)


def test_the_file_columns_agree_with_each_other():
    for radical, ideograph, radical_char, ideograph_char in data_lines():
        assert chr(int(radical, 16)) == radical_char and chr(int(ideograph, 16)) == ideograph_char


def test_size_equals_the_source_rows():
    """One entry per code point; the source's rows are single code points or the ranges listed
    in the header (`2E8C..2E8D ; 5C0F`), so entries minus the ranges' extra points = source rows."""
    rows = data_lines()
    assert len(rows) == header_count("code_points") == len(radical_table())
    text = normalize.RADICALS_PATH.read_text(encoding="utf-8")
    (listed,) = re.findall(r"^# ranges: (.*)$", text, re.M)
    ranges = [tuple(int(x, 16) for x in r.split("..")) for r in listed.split()]
    assert ranges, "the source has ranges (e.g. 2E8C..2E8D)"
    table = radical_table()
    for first, last in ranges:
        assert len({table[code] for code in range(first, last + 1)}) == 1  # one ideograph per range
    assert len(rows) - sum(last - first for first, last in ranges) == header_count("source_rows")


def test_known_pairs():
    table = radical_table()
    assert table[0x2ED1] == "長"  # ⻑ CJK RADICAL LONG ONE
    assert table[0x2EA0] == "民"  # ⺠
    assert table[0x2F00] == "一"  # ⼀ KANGXI RADICAL ONE
    assert table[0x2F63] == "生"  # ⽣ KANGXI RADICAL LIFE


def test_the_table_is_complete_for_both_blocks():
    """Every assigned Kangxi radical is mapped, and agrees with Python's NFKC (Unicode's own data);
    every assigned Supplement radical is mapped except U+2E80 CJK RADICAL REPEAT (no equivalent)."""
    table = radical_table()
    kangxi = [c for c in KANGXI if unicodedata.category(chr(c)) != "Cn"]
    assert len(kangxi) == 214
    for code in kangxi:
        assert table[code] == unicodedata.normalize("NFKC", chr(code)), hex(code)
    supplement = [c for c in SUPPLEMENT if unicodedata.category(chr(c)) != "Cn"]
    assert sorted(set(supplement) - set(table)) == [0x2E80]
    # the two Supplement radicals that have a compatibility decomposition agree with it too
    assert table[0x2E9F] == unicodedata.normalize("NFKC", "\u2e9f") == "母"
    assert table[0x2EF3] == unicodedata.normalize("NFKC", "\u2ef3")


# --- the step -----------------------------------------------------------------------------


def test_normalize_radicals_known_answers():
    assert normalize_radicals("○委員⻑ 市⺠の皆さま、⼀つ目") == "○委員長 市民の皆さま、一つ目"
    assert normalize_radicals("⺀") == "⺀"  # U+2E80 has no equivalent: left alone
    text = "委員長 市民"
    assert normalize_radicals(text) is text  # nothing to do: the same object, no copy


def test_normalize_unicode_includes_radicals():
    assert normalize_unicode("副市⻑（ＤＸ担当）") == "副市長(DX担当)"


def test_step_is_in_the_pipeline_and_audited():
    assert cleaning.PIPELINE.index(normalize_radicals) < cleaning.PIPELINE.index(normalize_unicode)
    report = clean("○委員⻑ 開会します。\n市⺠の声です。\n変化なし。").report.set_index("step")
    row = report.loc["normalize_radicals"]
    assert row["n_changes"] == 2
    assert "⻑" in row["example_before"] and "委員長" in row["example_after"]


TEXT = (
    "○委員⻑（山田太郎君）　ただいまから会議を開きます。\n"
    "○佐藤委員　市⺠の意見を聞きました。\n"
    "○委員⻑　ほかに質問はありますか。\n"
    "○副市⻑（鈴木一郎君）　お答えします。"
)


def test_speaker_marks_with_radicals_segment():
    turns = segment(clean(TEXT).text).turns
    assert list(turns["speaker_label"]) == [
        "○委員長(山田太郎君)",
        "○佐藤委員",
        "○委員長",
        "○副市長(鈴木一郎君)",
    ]
    assert list(turns["role"]) == ["chair", "member", "chair", "official"]
    assert list(turns["text"])[1] == "市民の意見を聞きました。"


def test_loader_reads_radicals_in_a_text_file(tmp_path):
    path = tmp_path / "柏原市_行政改革推進委員会_2024-07-17.txt"
    path.write_text("柏原市行政改革推進委員会 会議録\n令和6年7月17日\n" + TEXT + "\n", encoding="utf-8")
    corpus = load_document(path)
    assert list(corpus.turns["role"]) == ["chair", "member", "chair", "official"]
    assert not corpus.turns["text"].str.contains("[\u2e80-\u2fdf]").any()
    steps = corpus.cleaning.set_index("step")
    assert steps.loc["normalize_radicals", "n_changes"] >= 4


@pytest.fixture(scope="module")
def tok():
    return JapaneseTokenizer()


def test_tokens_of_radical_text_are_the_ideographs(tok):
    assert tok("市⺠の意見を聞きます。") == tok("市民の意見を聞きます。")
    assert "市民" in tok("市⺠の意見を聞きます。")


def test_the_generator_reads_unicodes_own_text_format(tmp_path):
    """`requirements/make_radical_table.py` on a few lines in the UCD's own layout."""
    import importlib.util

    from dxminutes import config

    spec = importlib.util.spec_from_file_location(
        "make_radical_table", config.PROJECT_DIR / "requirements" / "make_radical_table.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    source = tmp_path / "EquivalentUnifiedIdeograph.txt"
    source.write_text(
        "# EquivalentUnifiedIdeograph-17.0.0.txt\n\n"
        "2E8C..2E8D    ; 5C0F # [2] CJK RADICAL SMALL ONE..CJK RADICAL SMALL TWO\n"
        "2ED1          ; 9577 # CJK RADICAL LONG ONE\n"
        "2F00          ; 4E00 # KANGXI RADICAL ONE\n"
        "31D0          ; 4E00 # CJK STROKE H\n",
        encoding="utf-8",
    )
    out = tmp_path / "radicals.tsv"
    assert module.main([str(source), "--unicode-version", "17.0.0", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "# source_rows: 3\n# code_points: 4\n# ranges: 2E8C..2E8D\n" in text
    assert text.endswith("2E8C\t5C0F\t⺌\t小\n2E8D\t5C0F\t⺍\t小\n2ED1\t9577\t⻑\t長\n2F00\t4E00\t⼀\t一\n")
    assert "1 other row(s)" in text
