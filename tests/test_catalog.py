"""catalog: every raw file is catalogued and unchanged (the checksum is the guard)."""

from __future__ import annotations

import hashlib
import os

import pandas as pd
import pytest

from dxminutes import config
from dxminutes.corpus.build import minutes_files
from dxminutes.corpus.catalog import (
    CATALOG_COLUMNS,
    load_catalog,
    read_catalog,
    sha256_file,
    verify_checksums,
)


def test_every_raw_file_has_a_catalog_row_and_every_row_a_file():
    catalog = read_catalog(config.RAW_DIR)
    files = minutes_files(config.RAW_DIR)
    assert files, "no raw minutes found"
    assert sorted(catalog["file"]) == files
    assert not catalog["file"].duplicated().any()


def test_checksums_match():
    result = verify_checksums(config.RAW_DIR)
    assert len(result) == len(minutes_files(config.RAW_DIR))
    assert result["ok"].all(), result.loc[~result["ok"], "file"].tolist()


def test_catalog_values_are_well_formed():
    catalog = read_catalog(config.RAW_DIR)
    assert list(catalog.columns) == list(CATALOG_COLUMNS)
    assert catalog["meeting_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert catalog["record_kind"].isin(["verbatim", "summary", "report"]).all()
    assert catalog["sha256"].str.fullmatch(r"[0-9a-f]{64}").all()


def test_missing_catalog_gives_an_empty_frame(tmp_path):
    catalog = read_catalog(tmp_path)
    assert catalog.empty and list(catalog.columns) == list(CATALOG_COLUMNS)


def test_verify_checksums_reports_changed_and_missing_files(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"abc")
    good = hashlib.sha256(b"abc").hexdigest()
    (tmp_path / "catalog.csv").write_text(f"file,sha256\na.txt,{good}\nb.txt,{'0' * 64}\n", encoding="utf-8")
    result = verify_checksums(tmp_path).set_index("file")
    assert result.loc["a.txt", "ok"] and result.loc["a.txt", "actual"] == good
    assert not result.loc["b.txt", "ok"] and pd.isna(result.loc["b.txt", "actual"])
    assert sha256_file(tmp_path / "a.txt") == good


# --- a bad catalog is a warning, never a stop -------------------------------------------------

MINUTES = "第1回 柏原市情報化推進委員会 会議録\n日時 令和6年7月17日(水) 午後1時\n(山田委員長)\n開会します。\n(事務局)\n説明します。\n"
HEADER = "file,municipality,prefecture,body,meeting_title,meeting_date,record_kind,sha256"
GOOD_ROW = "a.txt,八尾市,大阪府,八尾市情報化推進委員会,第1回 八尾市情報化推進委員会,2024-07-01,summary,"


def _raw(tmp_path, catalog: bytes | str | None, files=("a.txt", "b.txt")):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in files:
        # each file a sentence of its own: two copies of one text would be counted once (corpus.duplicates)
        number = int(hashlib.sha256(name.encode()).hexdigest()[:12], 16)
        (raw / name).write_text(
            MINUTES.replace("説明します。", f"説明します。資料番号{number}。"), encoding="utf-8"
        )
    if catalog is not None:
        data = catalog.encode("utf-8") if isinstance(catalog, str) else catalog
        (raw / "catalog.csv").write_bytes(data)
    return raw


def _load(raw):
    from dxminutes.corpus.build import load_corpus

    corpus = load_corpus(raw)
    messages = corpus.warnings.loc[corpus.warnings["file"] == "catalog.csv", "message"].tolist()
    return corpus, messages, corpus.documents.set_index("file")


@pytest.mark.parametrize(
    ("encoding", "prefix", "note"),
    [("utf-8", b"", None), ("utf-8", b"\xef\xbb\xbf", None), ("cp932", b"", "read as cp932 (not UTF-8)")],
)
def test_catalog_encodings(tmp_path, encoding, prefix, note):
    raw = _raw(tmp_path, prefix + f"{HEADER}\n{GOOD_ROW}\n".encode(encoding))
    catalog = load_catalog(raw)
    assert catalog.encoding == ("utf-8-sig" if prefix else encoding)
    _corpus, messages, docs = _load(raw)
    assert messages == ([note] if note else [])
    assert (
        docs.loc["a.txt", "municipality"] == "八尾市"
        and docs.loc["a.txt", "municipality_source"] == "catalog"
    )
    assert (
        docs.loc["b.txt", "municipality"] == "柏原市" and docs.loc["b.txt", "municipality_source"] == "text"
    )


def test_undecodable_catalog(tmp_path):
    raw = _raw(tmp_path, f"{HEADER}\n".encode() + b"a.txt,\x81\x20\n")
    _corpus, messages, docs = _load(raw)
    assert (
        len(messages) == 1 and "undecodable bytes at byte offset" in messages[0] and "line 2" in messages[0]
    )
    assert len(docs) == 2 and (docs["municipality_source"] == "text").all()


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_catalog(tmp_path, content):
    corpus, messages, docs = _load(_raw(tmp_path, content))
    assert messages == ["empty file (no header); catalog ignored"]
    assert len(docs) == 2 and corpus.failures.empty


def test_unterminated_quote_names_line_and_column_and_keeps_other_rows(tmp_path):
    rows = [HEADER, 'b.txt,"松原市,大阪府,,,2024-07-02,summary,', GOOD_ROW]
    _corpus, messages, docs = _load(_raw(tmp_path, "\n".join(rows) + "\n"))
    assert len(messages) == 1
    assert messages[0].startswith("line 2, column 2: not valid CSV")
    assert docs.loc["a.txt", "municipality"] == "八尾市"  # the row after the broken one still counts
    assert docs.loc["b.txt", "municipality_source"] == "text"


def test_catalog_without_a_file_column(tmp_path):
    _corpus, messages, docs = _load(_raw(tmp_path, "name,municipality\na.txt,八尾市\n"))
    assert messages == ["line 1: no 'file' column (header: name, municipality); catalog ignored"]
    assert (docs["municipality_source"] == "text").all()


def test_row_for_a_missing_file(tmp_path):
    corpus, messages, _docs = _load(_raw(tmp_path, f"{HEADER}\n{GOOD_ROW}\nghost.txt,八尾市,,,,,,\n"))
    assert messages == ["line 3: 'ghost.txt' is listed but not in the raw folder"]
    assert corpus.failures.empty


def test_conflicting_and_repeated_rows(tmp_path):
    other = GOOD_ROW.replace("2024-07-01", "2024-07-09")
    b_row = "b.txt,松原市,大阪府,,,2024-07-02,summary,"
    _corpus, messages, docs = _load(_raw(tmp_path, "\n".join([HEADER, GOOD_ROW, b_row, other, b_row]) + "\n"))
    assert messages == [
        "line 4: 'a.txt' conflicts with line 2 in meeting_date; both rows ignored, metadata is read from the text",
        "line 5: 'b.txt' repeats line 3; ignored",
    ]
    assert docs.loc["a.txt", "municipality_source"] == "text"  # neither conflicting row is trusted
    assert docs.loc["b.txt", "municipality"] == "松原市"


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("meeting_date", "2024/07/17", "'2024/07/17' is not an ISO date (YYYY-MM-DD)"),
        ("meeting_date", "2024-02-30", "'2024-02-30' is not an ISO date (YYYY-MM-DD)"),
        ("record_kind", "逐語", "'逐語' is not a record kind (verbatim, summary, report)"),
        (
            "municipality",
            "架空市",
            "'架空市' is not on the official list of local governments; kept as given",
        ),
        ("prefecture", "大坂府", "'大坂府' is not a prefecture"),
        ("sha256", "abc", "not a SHA-256 checksum"),
    ],
)
def test_bad_values_are_named_and_fall_back_to_the_text(tmp_path, column, value, problem):
    fields = dict(zip(HEADER.split(","), GOOD_ROW.split(",")))
    fields[column] = value
    if column == "municipality":
        fields["prefecture"] = ""
    _corpus, messages, docs = _load(_raw(tmp_path, f"{HEADER}\n" + ",".join(fields.values()) + "\n"))
    number = HEADER.split(",").index(column) + 1
    assert len(messages) == 1 and messages[0].startswith(f"line 2, column {number} ({column}): {problem}")
    if column in ("meeting_date", "record_kind"):
        assert docs.loc["a.txt", f"{column}_source"] != "catalog"
    if column == "municipality":  # off the official list: warned about, but kept
        assert (docs.loc["a.txt", "municipality"], docs.loc["a.txt", "municipality_source"]) == (
            "架空市",
            "catalog",
        )
    if column == "meeting_date":
        assert docs.loc["a.txt", "meeting_date"] == "2024-07-17"  # from the text


def test_valid_names_include_wards_and_check_the_prefecture(tmp_path):
    rows = [HEADER, "a.txt,横浜市港北区,神奈川県,,,,,", "b.txt,八尾市,東京都,,,,,"]
    _corpus, messages, docs = _load(_raw(tmp_path, "\n".join(rows) + "\n"))
    assert messages == ["line 3, column 3 (prefecture): '八尾市' is not in 東京都 (大阪府); ignored"]
    assert docs.loc["a.txt", "municipality"] == "横浜市港北区"
    # the rejected 東京都 is not used: the prefecture is the municipality's own
    assert (docs.loc["b.txt", "municipality"], docs.loc["b.txt", "prefecture"]) == ("八尾市", "大阪府")


def test_catalog_that_is_not_a_regular_file(tmp_path):
    raw = _raw(tmp_path, None)
    os.mkfifo(raw / "catalog.csv")  # reading it would block forever
    _corpus, messages, docs = _load(raw)
    assert messages == ["not a regular file; catalog ignored"]
    assert len(docs) == 2


def test_build_command_with_a_bad_catalog_warns_and_goes_on(tmp_path, capsys):
    from dxminutes.cli import main

    raw = _raw(tmp_path, f"{HEADER}\n{GOOD_ROW.replace('2024-07-01', '2024/07/01')}\n".encode("cp932"))
    assert main(["build", "--data", str(raw), "--out", str(tmp_path / "out")]) == 0
    captured = capsys.readouterr()
    assert "catalog.csv: read as cp932, 1 usable row(s)" in captured.out
    err = captured.err
    assert "warning: catalog.csv: read as cp932 (not UTF-8)" in err
    assert "warning: catalog.csv: line 2, column 6 (meeting_date): '2024/07/01' is not an ISO date" in err
    assert "Traceback" not in err


def test_inspect_shows_the_catalog_problems_of_its_file(tmp_path, capsys):
    import json

    from dxminutes.cli import main

    raw = _raw(tmp_path, f"{HEADER}\n{GOOD_ROW.replace('summary', '逐語')}\nb.txt,架空市,,,,,,\n")
    assert main(["inspect", str(raw / "a.txt"), "--json"]) == 0
    warnings = json.loads(capsys.readouterr().out)["warnings"]
    catalog_notes = [w for w in warnings if w.startswith("catalog.csv")]
    assert catalog_notes == [
        "catalog.csv: line 2, column 7 (record_kind): '逐語' is not a record kind (verbatim, summary, report); "
        "read from the text"
    ]
