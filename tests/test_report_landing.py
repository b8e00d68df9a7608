"""The landing page: run parameters filled in, the corpus summary from the processed tables, every
figure with caption and files, every table, and nothing that depends on the clock or the machine."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from dxminutes import config
from dxminutes.report import export, landing, style


def _processed(folder):
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "municipality": ["流山市", "長崎市"],
            "meeting_date": ["2024-07-17", "2022-03-30"],
        }
    ).to_parquet(folder / "documents.parquet")
    pd.DataFrame({"turn_id": ["a:0000", "a:0001", "b:0000"]}).to_parquet(folder / "turns.parquet")
    pd.DataFrame({"file": ["scan.pdf"], "problem": ["no text layer (scanned PDF?)"]}).to_parquet(
        folder / "failures.parquet"
    )
    pd.DataFrame(
        {
            "file": ["a.txt"],
            "message": ["sha256 differs from the catalog: the file changed since it was catalogued"],
        }
    ).to_parquet(folder / "warnings.parquet")
    return folder


def _report(folder):
    style.setup()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["流山市", "長崎市"], [1, 2])
    ax.set_title("テーマ別の割合")
    export.save_figure(fig, "03-shares", pd.DataFrame({"a": [1]}), figures_dir=folder / "figures")
    plt.close(fig)
    export.write_table(
        pd.DataFrame({"municipality": ["流山市"], "share": [0.5]}),
        "theme-shares",
        tables_dir=folder / "tables",
    )
    (folder / "explorer").mkdir(parents=True, exist_ok=True)
    (folder / "explorer" / "all.html").write_text("<html></html>", encoding="utf-8")


def test_landing_page_shows_run_corpus_figures_and_tables(tmp_path):
    processed = _processed(tmp_path / "processed")
    out = tmp_path / "out"
    _report(out)
    raw = tmp_path / "いくつかの議事録"
    page_path = landing.write_landing(
        out,
        entries=[("01-x.html", "01 · 概要")],
        parameters={"RAW_DIR": raw, "PROCESSED_DIR": processed, "N_BOOT": 200},
        processed_dir=processed,
        raw_dir=raw,
    )
    page = page_path.read_text(encoding="utf-8")
    assert page_path == out / "html" / "index.html"
    assert "<th>N_BOOT</th><td>200</td>" in page  # given
    assert f"<th>MIN_COUNT</th><td>{config.MIN_COUNT}</td>" in page  # default filled in
    assert f"<th>RANDOM_SEED</th><td>{config.RANDOM_SEED}</td>" in page
    assert "<td>2024-07-17</td>" in page  # date of the data: the latest meeting
    assert "2022-03-30 – 2024-07-17" in page
    assert "いくつかの議事録" in page and str(tmp_path) not in page
    assert "<td>3</td>" in page  # turns
    assert "scan.pdf" in page and "OCR" in page  # failure with its fix
    assert "catalog.csv の sha256 を更新" in page  # warning with its fix
    assert '<a href="01-x.html">01 · 概要</a>' in page
    assert '<img src="../figures/03-shares.png"' in page and "テーマ別の割合" in page  # caption from the PNG
    for ext in ("png", "svg", "csv"):
        assert f'href="../figures/03-shares.{ext}"' in page
    assert 'href="tables.html#theme-shares"' in page and 'href="../tables/theme-shares.csv"' in page
    assert 'href="../explorer/all.html"' in page
    assert "<th>pandas</th>" in page and "<th>python</th>" in page
    tables = (out / "html" / "tables.html").read_text(encoding="utf-8")
    assert 'id="T_theme_shares"' in tables and "流山市" in tables
    again = landing.write_landing(
        out,
        entries=[("01-x.html", "01 · 概要")],
        parameters={"RAW_DIR": raw, "PROCESSED_DIR": processed, "N_BOOT": 200},
        processed_dir=processed,
        raw_dir=raw,
    )
    assert again.read_text(encoding="utf-8") == page  # no clock, no random ids
    assert (out / "html" / "tables.html").read_text(encoding="utf-8") == tables


def test_landing_without_processed_tables_and_with_problems(tmp_path):
    page = landing.write_landing(
        tmp_path,
        entries=[],
        parameters={},
        processed_dir=tmp_path / "none",
        raw_dir=tmp_path / "raw",
        problems=["term explorer not written: boom"],
    ).read_text(encoding="utf-8")
    assert "no processed tables found" in page and "term explorer not written: boom" in page


def test_suggest_fix_rules():
    assert "UTF-8" in landing.suggest_fix("undecodable bytes: byte 0x82 at offset 3 fits none of utf-8")
    assert "OCR" in landing.suggest_fix("no text layer (scanned PDF?)")
    assert "inspect" in landing.suggest_fix("no recognizable speakers")
    assert landing.suggest_fix("something new") == landing.DEFAULT_FIX
