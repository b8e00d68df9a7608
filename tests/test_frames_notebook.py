"""Notebook 06 executes on the seed minutes, and what it prints agrees with the tables it writes."""

from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from dxminutes import config
from dxminutes.report import render as report


@pytest.mark.slow
def test_framing_notebook_runs_and_its_sentences_match_its_tables(tmp_path):
    reports = tmp_path / "reports"
    report.run_report(
        parameters={"PROCESSED_DIR": tmp_path / "processed", "N_BOOT": 100},
        reports_dir=reports,
        save_notebooks=False,
        pattern="06-*.py",
    )
    tables = reports / "tables"
    for name in (
        "frame-validity",
        "frame-profiles",
        "frame-tests",
        "frame-distances",
        "frame-quotes",
        "frame-profiles-by-role",
        "frame-hits",
    ):
        assert (tables / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf"), name
    for png in (reports / "figures").glob("06-*.png"):
        for ext in (".svg", ".csv"):
            assert png.with_suffix(ext).exists(), f"{png.name} lacks its {ext}"
    assert (reports / "figures" / "06-frame-profile-security.png").exists()
    text = html.unescape(re.sub(r"<[^>]+>", "", (reports / "html" / "06-framing.html").read_text("utf-8")))
    assert str(config.PROJECT_DIR) not in text
    validity = pd.read_csv(tables / "frame-validity.csv", encoding="utf-8-sig")
    assert len(validity) == 4 + 17 and (validity["n_turns"] == 267).all()
    dx = validity[validity["code"] == "dx"].iloc[0]
    assert f"dx: the theme is found with P = {dx['precision']:.2f}, R = {dx['recall']:.2f}" in text
    tests = pd.read_csv(tables / "frame-tests.csv", encoding="utf-8-sig")
    for row in tests[tests["status"] == "ok"].itertuples():
        assert f"over {row.unit}s p = {row.p_perm:.3f}" in text
    for row in tests[tests["status"] != "ok"].drop_duplicates("theme").itertuples():
        assert f"Whether {row.theme} frame profiles differ cannot be tested here" in text
    assert "cannot show change over time" in text
    profiles = pd.read_csv(tables / "frame-profiles.csv", encoding="utf-8-sig")
    assert set(profiles["municipality"]) == {"流山市", "長崎市", "武蔵村山市", "墨田区", "豊島区"}
    quotes = pd.read_csv(tables / "frame-quotes.csv", encoding="utf-8-sig")
    assert {"speaker", "role", "meeting_date", "quote", "code"} <= set(quotes.columns)
