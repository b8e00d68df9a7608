"""catalog: every raw file is catalogued and unchanged (the checksum is the guard)."""

from __future__ import annotations

import hashlib

import pandas as pd

from dxminutes import config
from dxminutes.corpus.build import minutes_files
from dxminutes.corpus.catalog import CATALOG_COLUMNS, read_catalog, sha256_file, verify_checksums


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
