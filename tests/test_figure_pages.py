"""Paged per-group charts: a national corpus (1,500 municipalities) gives many bounded figures.

`charts.*_pages` cut the groups into pages (`KEYNESS_PER_PAGE` panels, `MAX_GROUPS_PER_PAGE`
rows); `export.save_pages` writes `{name}-p01`, … with each page's CSV and closes each figure.
With everything on one page the files are those of the single-figure functions, byte for byte.
"""

from __future__ import annotations

import hashlib
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from dxminutes.report import charts, export, style

THEMES = ["dx", "security", "staffing", "digital_divide"]


@pytest.fixture(autouse=True)
def _setup_and_close():
    style.setup()
    yield
    plt.close("all")


def _munis(n: int) -> list[str]:
    return [f"合成市{i:04d}" for i in range(n)]


def _keyness(n: int, rng, terms: int = 3) -> pd.DataFrame:
    rows = [
        {"municipality": m, "term": f"語{j}", "g2": float(rng.uniform(1, 60)), "q": 0.01}
        for i, m in enumerate(_munis(n))
        if i % 7 != 3  # some groups without terms: their panel says so, their CSV has no rows
        for j in range(terms)
    ]
    return pd.DataFrame(rows, columns=["municipality", "term", "g2", "q"])


def _shares(n: int, rng) -> pd.DataFrame:
    rows = []
    for m in _munis(n):
        for t in THEMES:
            s = float(rng.uniform(0.02, 0.5))
            rows.append(
                {
                    "municipality": m,
                    "theme": t,
                    "turns": 100,
                    "coded_turns": round(100 * s),
                    "share": s,
                    "ci_low": max(s - 0.08, 0),
                    "ci_high": min(s + 0.08, 1),
                    "adjusted_residual": float(rng.normal(0, 2)),
                }
            )
    return pd.DataFrame(rows)


def _stems(folder, suffix: str) -> list[str]:
    return sorted(p.stem for p in folder.glob(f"*.{suffix}"))


def test_page_names_and_paginate():
    assert export.page_name("02-keyness", 1, 1) == "02-keyness"
    assert export.page_name("02-keyness", 2, 32) == "02-keyness-p02"
    assert export.page_name("02-keyness", 7, 120) == "02-keyness-p007"
    assert charts.paginate(list("abcde"), 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert charts.paginate([], 48) == [[]]
    with pytest.raises(ValueError):
        charts.paginate(["a"], 0)


@pytest.mark.slow
def test_keyness_grid_of_70_groups_writes_one_file_set_per_page(tmp_path):
    n = 70
    key = _keyness(n, np.random.default_rng(0))
    pages = charts.keyness_grid_pages(key, _munis(n), n=3)
    per_page = charts.KEYNESS_PER_PAGE
    assert len(pages) == math.ceil(n / per_page) == 3
    written = export.save_pages(pages, "02-keyness", key, figures_dir=tmp_path)
    stems = [f"02-keyness-p{i:02d}" for i in range(1, len(pages) + 1)]
    for suffix in ("png", "svg", "csv"):
        assert _stems(tmp_path, suffix) == stems
    assert [p["png"].stem for p in written] == stems
    assert not plt.get_fignums()  # every page closed once saved
    csvs = [pd.read_csv(tmp_path / f"{s}.csv", encoding="utf-8-sig") for s in stems]
    for page, csv in zip(pages, csvs, strict=True):
        assert len(page.groups) <= per_page
        assert set(csv["municipality"]) <= set(page.groups)
        want = key[key["municipality"].isin(page.groups)]
        assert len(csv) == len(want)
    assert sum(len(c) for c in csvs) == len(key)
    assert [g for p in pages for g in p.groups] == _munis(n)


@pytest.mark.slow
def test_row_charts_of_70_groups_are_paged_on_one_scale(tmp_path):
    n = 70
    df = _shares(n, np.random.default_rng(1))
    shares = charts.theme_shares_pages(df)
    residuals = charts.residual_heatmap_pages(df)
    assert len(shares) == len(residuals) == math.ceil(n / charts.MAX_GROUPS_PER_PAGE) == 2
    # every municipality on exactly one page; shares pages in the overall order
    assert [g for p in shares for g in p.groups] == charts.municipality_order(df)
    assert sorted(g for p in residuals for g in p.groups) == _munis(n)
    first = shares[0].draw()
    assert len(first.get_yticklabels()) == charts.MAX_GROUPS_PER_PAGE
    assert "(1/2)" in first.figure.get_suptitle()
    x_limits = {p.draw().get_xlim() for p in shares}
    assert len(x_limits) == 1  # one x scale for all pages
    colour_ranges = {p.draw().images[0].get_clim() for p in residuals}
    assert len(colour_ranges) == 1  # one colour scale for all pages
    plt.close("all")
    export.save_pages(residuals, "03-theme-residuals", df, figures_dir=tmp_path)
    assert _stems(tmp_path, "csv") == ["03-theme-residuals-p01", "03-theme-residuals-p02"]
    assert _stems(tmp_path, "png") == _stems(tmp_path, "csv")
    total = sum(len(pd.read_csv(p, encoding="utf-8-sig")) for p in tmp_path.glob("*.csv"))
    assert total == len(df)
    assert not plt.get_fignums()


@pytest.mark.slow
def test_one_page_is_the_single_figure_byte_for_byte(tmp_path):
    key = _keyness(5, np.random.default_rng(2), terms=4)
    single, paged = tmp_path / "single", tmp_path / "paged"
    ax = charts.keyness_grid(key)
    export.save_figure(ax.figure, "02-keyness", key, figures_dir=single)
    plt.close("all")
    export.save_pages(charts.keyness_grid_pages(key), "02-keyness", key, figures_dir=paged)

    def digest(folder):
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}

    assert digest(paged) == digest(single)
    assert sorted(digest(paged)) == ["02-keyness.csv", "02-keyness.png", "02-keyness.svg"]
