"""Declaring a convention without code: `dxminutes.toml` beside `catalog.csv`."""

from __future__ import annotations

import re

import pytest

from dxminutes import config
from dxminutes.corpus import build
from dxminutes.corpus.convention import (
    CONVENTION_FILE,
    Convention,
    ConventionError,
    load_convention,
    parse_convention,
)
from dxminutes.corpus.segment import segment

GUIDE = config.PROJECT_DIR / "docs" / "guide" / "conventions.md"  # was the README's section


def readme_examples() -> list[tuple[str, str]]:
    """The (text, toml) pairs of the user guide's "Declaring a convention" page, in order."""
    section = GUIDE.read_text(encoding="utf-8")
    texts = re.findall(r"^```text\n(.*?)^```", section, flags=re.M | re.S)
    tomls = re.findall(r"^```toml\n(.*?)^```", section, flags=re.M | re.S)
    assert len(texts) == len(tomls) == 2
    return list(zip(texts, tomls))


def _load(tmp_path, files: dict[str, str], toml: str | None):
    raw = tmp_path / "raw"
    for name, text in files.items():
        (raw / name).parent.mkdir(parents=True, exist_ok=True)
        (raw / name).write_text(text, encoding="utf-8")
    if toml is not None:
        (raw / CONVENTION_FILE).write_text(toml, encoding="utf-8")
    return build.load_corpus(raw)


def test_readme_example_1_speaker_pattern(tmp_path):
    text, toml = readme_examples()[0]
    corpus = _load(tmp_path, {"workshop.txt": text}, toml)
    turns = corpus.turns
    assert list(turns["speaker"]) == ["ファシリテーター", "参加者A", "参加者B"]
    assert list(turns["role"]) == ["chair", "member", "member"]
    assert list(turns["text"]) == [
        "本日のテーマは窓口のデジタル化です。",
        "予約がスマホでできると助かります。",
        "高齢の親は窓口で相談したいと言っています。",
    ]
    # the only warnings are the missing municipality and date (the example names neither)
    assert corpus.failures.empty
    assert not any(CONVENTION_FILE in m for m in corpus.warnings["message"])
    assert all("municipality" in m or "date" in m for m in corpus.warnings["message"])
    # without the convention the file has no speaker the built-in conventions know: it is
    # loaded as one unsegmented block (speaker 不明, role unknown), flagged in `segmented`
    plain = _load(tmp_path / "plain", {"workshop.txt": text}, None)
    assert plain.failures.empty and not plain.documents["segmented"].any()
    assert plain.turns[["speaker", "role"]].values.tolist() == [["不明", "unknown"]]


def test_readme_example_2_role_words_and_metadata(tmp_path):
    text, toml = readme_examples()[1]
    # other.txt has a sentence of its own: an exact copy would be counted once (corpus.duplicates)
    other = text.replace("補足します。", "補足します。これは別の会議の記録で、資料の番号も異なります。")
    corpus = _load(tmp_path, {"kita/2024-05.txt": text, "other.txt": other}, toml)
    turns = corpus.turns[corpus.turns["doc_id"] == "2024-05"]
    assert list(turns["speaker"]) == ["会長", "コーディネーター", "支所長"]
    assert list(turns["role"]) == ["chair", "expert", "official"]
    assert list(turns["text"]) == ["開会します。", "資料1を説明します。", "補足します。"]
    docs = corpus.documents.set_index("file")
    kita = docs.loc["kita/2024-05.txt"]
    assert (kita["municipality"], kita["prefecture"], kita["body"], kita["record_kind"]) == (
        "北区",
        "東京都",
        "北区まちづくり協議会",
        "summary",
    )
    assert kita["municipality_source"] == "catalog"
    assert docs.loc["other.txt", "municipality"] != "北区"  # the glob does not match it


def test_catalog_value_wins_over_a_default(tmp_path):
    text, toml = readme_examples()[1]
    raw = tmp_path / "raw"
    (raw / "kita").mkdir(parents=True)
    (raw / "kita" / "a.txt").write_text(text, encoding="utf-8")
    (raw / CONVENTION_FILE).write_text(toml, encoding="utf-8")
    (raw / "catalog.csv").write_text("file,municipality\nkita/a.txt,板橋区\n", encoding="utf-8")
    docs = build.load_corpus(raw).documents
    assert docs.iloc[0]["municipality"] == "板橋区" and docs.iloc[0]["prefecture"] == "東京都"


def test_convention_file_is_never_read_as_minutes(tmp_path):
    corpus = _load(tmp_path, {"a.txt": "○議長(山田太郎君) 開会します。"}, "")
    assert list(corpus.documents["file"]) == ["a.txt"] and corpus.failures.empty
    assert CONVENTION_FILE not in build.minutes_files(tmp_path / "raw")


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ("[[speaker]\npattern = 'x'", "not valid TOML"),
        ("[[speaker]]\npattern = '(?P<speech>'", "invalid regular expression"),
        ("[[speaker]]\npattern = '^x$'", "needs a named group"),
        ("[[speaker]]\npattern = '(?P<speech>.*)'\nrole = 'boss'", "unknown role 'boss'"),
        ("[roles]\n'支配人' = 'manager'", "unknown role 'manager'"),
        ("[[metadata]]\nfiles = '*.txt'\ncity = '北区'", "unknown field 'city'"),
        ("[[metadata]]\nfiles = '*.txt'\nmeeting_date = '令和6年5月1日'", "ISO date"),
        ("[[metadata]]\nfiles = '*.txt'\nrecord_kind = 'minutes'", "record_kind"),
        ("[[metadata]]\nmunicipality = '北区'", "'files' must be a glob"),
        ("[speakers]\npattern = 'x'", "unknown section 'speakers'"),
    ],
)
def test_bad_convention_gives_one_warning_and_defaults(tmp_path, toml, problem):
    with pytest.raises(ConventionError, match=re.escape(problem)):
        parse_convention(toml)
    corpus = _load(
        tmp_path, {"a.txt": "○議長(山田太郎君) 開会します。\n◎市長(鈴木一郎君) 挨拶します。"}, toml
    )
    assert list(corpus.turns["speaker"]) == ["山田太郎", "鈴木一郎"]  # built-in conventions go on
    about = corpus.warnings[corpus.warnings["file"] == CONVENTION_FILE]
    messages = list(about["message"])
    assert len(messages) == 1  # one warning for the convention file (others are about a.txt's metadata)
    assert set(corpus.warnings["file"]) <= {CONVENTION_FILE, "a.txt"}
    assert messages[0].startswith(f"{CONVENTION_FILE}: ") and problem in messages[0]


def test_undecodable_convention_file_warns(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / CONVENTION_FILE).write_bytes(b"\xff\xfe\x00bad")
    convention = load_convention(raw)
    assert convention == Convention(warnings=convention.warnings) and len(convention.warnings) == 1
    assert CONVENTION_FILE in convention.warnings[0]


def test_no_file_means_the_empty_convention(tmp_path):
    assert load_convention(tmp_path) == Convention()


def test_declared_role_word_overrides_the_built_in_role():
    convention = parse_convention("[roles]\n'推進員' = 'expert'")
    turns = segment("○デジタル化推進員 説明します。\n○山田委員 質問します。", convention).turns
    assert list(turns["role"]) == ["expert", "member"]
    assert list(segment("○デジタル化推進員 説明します。").turns["role"]) == ["official"]


def test_declared_pattern_without_role_word_uses_the_declared_role():
    convention = parse_convention(
        "[[speaker]]\npattern = '^>(?P<name>\\S+?)\\s*:\\s*(?P<speech>.*)$'\nrole = 'member'"
    )
    turns = segment(">山田:質問します。\n>事務局:お答えします。", convention).turns
    assert list(turns["speaker"]) == ["山田", "事務局"]
    assert list(turns["role"]) == ["member", "official"]  # a role word in the label still decides


def test_later_metadata_blocks_win():
    convention = parse_convention(
        "[[metadata]]\nfiles = '*.txt'\nprefecture = '東京都'\nbody = 'A'\n"
        "[[metadata]]\nfiles = 'kita/*.txt'\nbody = 'B'\n"
    )
    assert convention.metadata_for("kita/x.txt") == {"prefecture": "東京都", "body": "B"}
    assert convention.metadata_for("y.txt") == {"prefecture": "東京都", "body": "A"}
    assert convention.row_for("y.txt", {"body": "catalog"}) == {"prefecture": "東京都", "body": "catalog"}
    assert convention.row_for("z.pdf", None) is None


def test_inspect_applies_the_convention_and_reports_a_bad_file(tmp_path):
    text, toml = readme_examples()[0]
    (tmp_path / "workshop.txt").write_text(text, encoding="utf-8")
    (tmp_path / CONVENTION_FILE).write_text(toml, encoding="utf-8")
    result = build.inspect_file(tmp_path / "workshop.txt")
    assert [turn["speaker"] for turn in result["turns"]] == ["ファシリテーター", "参加者A", "参加者B"]
    (tmp_path / CONVENTION_FILE).write_text("[roles]\n'x' = 'boss'\n", encoding="utf-8")
    result = build.inspect_file(tmp_path / "workshop.txt")
    # the bad file is ignored, so the workshop has no known convention: one unsegmented block
    assert [turn["speaker"] for turn in result["turns"]] == ["不明"]
    assert result["warnings"][0].startswith(f"{CONVENTION_FILE}: ")
    assert any("Declaring a convention" in message for message in result["warnings"])
