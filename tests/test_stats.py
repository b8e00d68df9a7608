"""Municipality × theme shares, bootstrap intervals, χ² tests and adjusted residuals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import SEED_MUNICIPALITIES, make_tokens, make_turns, planted_corpus, seed_turns
from scipy.stats import chi2_contingency
from scipy.stats.contingency import expected_freq

from dxminutes.analysis.groups import role_group
from dxminutes.analysis.theme_stats import (
    bootstrap_means,
    crosstab_chi2,
    theme_by_group_tests,
    theme_shares,
)
from dxminutes.analysis.themes import code_turns, load_themes

SEED = 20240717


@pytest.fixture(scope="module")
def themes():
    return load_themes()


@pytest.fixture(scope="module")
def planted(themes):
    turns = planted_corpus()
    return turns, code_turns(turns, themes), make_tokens(turns)


def _haberman(observed: np.ndarray) -> np.ndarray:
    """Adjusted standardized residuals written out independently of the module."""
    n = observed.sum()
    e = expected_freq(observed)
    row = observed.sum(axis=1, keepdims=True) / n
    col = observed.sum(axis=0, keepdims=True) / n
    return (observed - e) / np.sqrt(e * (1 - row) * (1 - col))


def test_planted_security_municipality_has_highest_share_and_positive_residual(planted):
    _, coded, tokens = planted
    shares = theme_shares(coded, tokens, n_boot=300, random_state=SEED)
    security = shares[shares["theme"] == "security"].set_index("municipality")
    assert security["share"].idxmax() == "安全市"
    assert security.loc["安全市", "share"] == pytest.approx(10 / 12)
    assert security.loc["安全市", "coded_turns"] == 10 and security.loc["安全市", "turns"] == 12
    cells = crosstab_chi2(coded).table.set_index(["municipality", "theme"])
    cell = cells.loc[("安全市", "security")]
    assert cell["adjusted_residual"] > 1.96 and bool(cell["significant"])
    assert cells.loc[("人材町", "security"), "adjusted_residual"] < 0


def test_chi2_matches_scipy_and_residuals_match_independent_formula(planted):
    _, coded, _ = planted
    res = crosstab_chi2(coded)
    table = res.table
    observed = table.pivot(index="municipality", columns="theme", values="observed")
    observed = observed[["dx", "security", "staffing", "digital_divide"]].to_numpy()
    ref = chi2_contingency(observed, correction=False)
    assert res.chi2 == pytest.approx(ref.statistic)
    assert res.p_value == pytest.approx(ref.pvalue)
    assert res.dof == ref.dof
    assert res.n == observed.sum()
    expected = table.pivot(index="municipality", columns="theme", values="expected")
    np.testing.assert_allclose(expected[["dx", "security", "staffing", "digital_divide"]], ref.expected_freq)
    v = np.sqrt(ref.statistic / (observed.sum() * (min(observed.shape) - 1)))
    assert res.cramers_v == pytest.approx(v)
    resid = table.pivot(index="municipality", columns="theme", values="adjusted_residual")
    np.testing.assert_allclose(resid[["dx", "security", "staffing", "digital_divide"]], _haberman(observed))


def test_hits_unit_counts_hits(planted):
    _, coded, _ = planted
    table = crosstab_chi2(coded, unit="hits").table.set_index(["municipality", "theme"])
    assert table.loc[("安全市", "security"), "observed"] == 20  # セキュリティ + サイバー in 10 turns
    with pytest.raises(ValueError, match="unit"):
        crosstab_chi2(coded, unit="words")


def test_per_theme_tests_match_scipy_on_coded_vs_not_tables(planted):
    _, coded, _ = planted
    tests = theme_by_group_tests(coded)
    for theme, block in tests.groupby("theme"):
        table = np.column_stack([block["coded_turns"], block["turns"] - block["coded_turns"]])
        ref = chi2_contingency(table, correction=False)
        assert block["chi2"].iloc[0] == pytest.approx(ref.statistic), theme
        assert block["p"].iloc[0] == pytest.approx(ref.pvalue), theme
        assert block["dof"].iloc[0] == ref.dof
        np.testing.assert_allclose(block["adjusted_residual"], _haberman(table)[:, 0])
    top = tests[tests["theme"] == "security"].set_index("municipality")
    assert top["adjusted_residual"].idxmax() == "安全市"


def test_bootstrap_is_seeded_close_and_contains_the_share(planted):
    _, coded, _ = planted
    a = theme_shares(coded, n_boot=500, random_state=1)
    b = theme_shares(coded, n_boot=500, random_state=1)
    c = theme_shares(coded, n_boot=500, random_state=2)
    pd.testing.assert_frame_equal(a, b)
    assert not a[["ci_low", "ci_high"]].equals(c[["ci_low", "ci_high"]])
    assert np.abs(a[["ci_low", "ci_high"]].to_numpy() - c[["ci_low", "ci_high"]].to_numpy()).max() <= 0.2
    assert ((a["ci_low"] <= a["share"]) & (a["share"] <= a["ci_high"])).all()


def test_bootstrap_interval_agrees_with_the_normal_approximation():
    # 400 turns, 120 coded: the percentile interval ≈ p ± 1.96·sqrt(p(1−p)/n) = 0.3 ± 0.0449
    x = np.zeros((400, 1), dtype=np.int64)
    x[:120] = 1
    boot = bootstrap_means(x, 4000, np.random.default_rng(0))
    low, high = np.quantile(boot[:, 0], [0.025, 0.975])
    half = 1.96 * np.sqrt(0.3 * 0.7 / 400)
    assert low == pytest.approx(0.3 - half, abs=0.01)
    assert high == pytest.approx(0.3 + half, abs=0.01)


def test_chunked_draws_give_the_same_distribution(monkeypatch):
    x = (np.arange(300) % 3 == 0).astype(np.int64).reshape(-1, 1)
    import dxminutes.analysis.theme_stats as stats_module

    monkeypatch.setattr(stats_module, "MAX_DRAW_CELLS", 600)  # 2 replicates per chunk
    boot = bootstrap_means(x, 400, np.random.default_rng(3))
    assert boot.shape == (400, 1)
    assert boot.mean() == pytest.approx(1 / 3, abs=0.01)


def test_rates_per_10k_tokens(planted):
    _turns, coded, tokens = planted
    shares = theme_shares(coded, tokens, n_boot=10, random_state=0).set_index(["municipality", "theme"])
    n_tokens = tokens.groupby("municipality").size()
    hits = coded.groupby(["municipality", "theme"])["n_hits"].sum()
    for (muni, theme), row in shares.iterrows():
        assert row["n_tokens"] == n_tokens[muni]
        assert row["rate_per_10k"] == pytest.approx(hits[(muni, theme)] / n_tokens[muni] * 10_000)


def test_role_groups_split_members_from_officials(planted, themes):
    assert [
        role_group(r) for r in ["chair", "vice_chair", "member", "official", "expert", "unknown", None]
    ] == ["chairs", "chairs", "members", "officials", "experts", "unknown", "unknown"]
    _, coded, tokens = planted
    before = coded.copy()
    shares = theme_shares(coded, tokens, by=("municipality", "role_group"), n_boot=50, random_state=0)
    pd.testing.assert_frame_equal(coded, before)
    assert {"municipality", "role_group"} <= set(shares.columns)
    turns = shares.drop_duplicates(["municipality", "role_group"]).set_index(["municipality", "role_group"])
    assert turns.loc[("格差村", "members"), "turns"] == 8
    assert turns.loc[("格差村", "officials"), "turns"] == 4
    divide = shares[shares["theme"] == "digital_divide"].set_index(["municipality", "role_group"])
    assert divide.loc[("格差村", "members"), "share"] == 1.0
    assert divide.loc[("格差村", "officials"), "share"] == 0.0
    table = crosstab_chi2(coded, by=("municipality", "role_group")).table
    assert len(table) == len(turns) * 4


def test_zero_rows_get_nan_residuals_not_errors(themes):
    coded = code_turns(
        make_turns(
            [
                ("A市", "member", "DX と セキュリティ"),
                ("A市", "member", "職員研修"),
                ("B町", "member", "何もない"),
                ("C村", "member", "DX の 話"),
            ]
        ),
        themes,
    )
    res = crosstab_chi2(coded)
    empty = res.table[res.table["municipality"] == "B町"]
    assert empty["observed"].eq(0).all() and empty["adjusted_residual"].isna().all()
    assert not empty["significant"].any()
    assert res.dof == (2 - 1) * (3 - 1)  # B町 and the never-coded divide theme are left out


def test_seed_tables_are_non_empty_for_all_municipalities_and_themes(themes):
    coded = code_turns(seed_turns(), themes)
    shares = theme_shares(coded, n_boot=200, random_state=SEED)
    assert set(shares["municipality"]) == SEED_MUNICIPALITIES
    assert len(shares) == 5 * 4
    assert (shares["turns"] > 0).all()
    res = crosstab_chi2(coded)
    assert len(res.table) == 20 and res.dof == 12 and 0 <= res.p_value <= 1
    tests = theme_by_group_tests(coded)
    assert set(tests["theme"]) == set(themes.keys)
