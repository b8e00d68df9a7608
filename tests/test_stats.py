"""Municipality × theme shares, bootstrap intervals, χ² tests and adjusted residuals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import SEED_MUNICIPALITIES, make_tokens, make_turns, planted_corpus, seed_turns
from scipy.stats import binomtest, chi2_contingency, false_discovery_control, fisher_exact, permutation_test
from scipy.stats.contingency import expected_freq
from statsmodels.stats.multitest import multipletests

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
    tests = theme_by_group_tests(coded, random_state=SEED, n_perm=2000)
    for theme, block in tests.groupby("theme"):
        table = np.column_stack([block["coded_turns"], block["turns"] - block["coded_turns"]])
        ref = chi2_contingency(table, correction=False)
        assert block["chi2"].iloc[0] == pytest.approx(ref.statistic), theme
        assert block["p_chi2"].iloc[0] == pytest.approx(ref.pvalue), theme
        assert block["dof"].iloc[0] == ref.dof
        assert block["min_expected"].iloc[0] == pytest.approx(ref.expected_freq.min())
        assert block["n_expected_below_5"].iloc[0] == int((ref.expected_freq < 5).sum())
        np.testing.assert_allclose(block["adjusted_residual"], _haberman(table)[:, 0])
        # each cell: Fisher exact of the group against the rest, as scipy computes it
        for row in block.itertuples():
            rest_yes = table[:, 0].sum() - row.coded_turns
            rest_no = table[:, 1].sum() - (row.turns - row.coded_turns)
            ref_cell = fisher_exact([[row.coded_turns, row.turns - row.coded_turns], [rest_yes, rest_no]])
            assert row.p_cell == pytest.approx(ref_cell.pvalue), (theme, row.municipality)
    top = tests[tests["theme"] == "security"].set_index("municipality")
    assert top["adjusted_residual"].idxmax() == "安全市"
    assert top.loc["安全市", "verdict"] == "more than the others"


def test_cell_flags_are_holm_adjusted_over_all_cells(planted):
    _, coded, _ = planted
    tests = theme_by_group_tests(coded, random_state=SEED, n_perm=200)
    expected = multipletests(tests["p_cell"], method="holm")[1]
    np.testing.assert_allclose(tests["p_cell_adj"], expected)
    assert (tests["significant"] == (tests["p_cell_adj"] < 0.05)).all()
    assert tests["adjustment"].eq(f"Holm over {len(tests)} cells").all()
    bh = theme_by_group_tests(coded, random_state=SEED, n_perm=200, adjust="fdr_bh")
    np.testing.assert_allclose(bh["p_cell_adj"], false_discovery_control(tests["p_cell"], method="bh"))


@pytest.mark.slow
def test_theme_permutation_p_matches_scipy_permutation_test():
    # 3 groups × (coded, not), small counts: the Monte Carlo p of the χ² statistic must agree
    # with scipy.stats.permutation_test shuffling the labels of the turns.
    rows = [("A", "member", "DX")] * 4 + [("A", "member", "x")] * 8
    rows += [("B", "member", "DX")] * 1 + [("B", "member", "x")] * 11
    rows += [("C", "member", "DX")] * 6 + [("C", "member", "x")] * 6
    coded = code_turns(make_turns(rows), load_themes())
    tests = theme_by_group_tests(coded, random_state=SEED, n_perm=20000)
    dx = tests[tests["theme"] == "dx"]
    y = np.array([1] * 4 + [0] * 8 + [1] * 1 + [0] * 11 + [1] * 6 + [0] * 6)
    g = np.repeat([0, 1, 2], 12)

    def stat(labels):
        table = np.array(
            [[y[labels == k].sum(), (labels == k).sum() - y[labels == k].sum()] for k in range(3)]
        )
        return chi2_contingency(table, correction=False).statistic

    ref = permutation_test(
        (g,), stat, permutation_type="pairings", n_resamples=4000, random_state=0, alternative="greater"
    )
    assert dx["p"].iloc[0] == pytest.approx(ref.pvalue, abs=0.02)
    assert dx["p_method"].iloc[0].startswith("Monte Carlo permutation")


def test_per_theme_permutation_test_is_calibrated_under_the_null():
    # 5 groups of unequal size (small expected counts); outcomes independent of the group.
    rng = np.random.default_rng(SEED)
    sizes = np.array([8, 12, 20, 40, 60])
    from dxminutes.analysis.theme_stats import _hypergeom_chi2, _perm_p, chi2_arrays

    rejections, reps = 0, 400
    for _ in range(reps):
        yes = rng.binomial(sizes, 0.08)
        res = chi2_arrays(np.column_stack([yes, sizes - yes]))
        p = _perm_p(res["chi2"], _hypergeom_chi2(yes, sizes, 499, rng)) if res["dof"] else 1.0
        rejections += p < 0.05
    rate = rejections / reps
    print(f"per-theme permutation test, null rejection rate at 5%: {rate:.3f}")
    assert rate <= 0.075


@pytest.mark.slow
def test_overall_association_by_permutation_over_turns(planted):
    _, coded, _ = planted
    chi = crosstab_chi2(coded, random_state=SEED, n_perm=500)
    assert chi.p_permutation < 0.01  # planted emphasis
    assert chi.n_perm == 500
    # shuffle municipality labels across turns: the permutation p is then roughly uniform
    rng = np.random.default_rng(SEED)
    turn_muni = coded.drop_duplicates("turn_id").set_index("turn_id")["municipality"]
    ps = []
    for _ in range(30):
        shuffled = pd.Series(rng.permutation(turn_muni.to_numpy()), index=turn_muni.index)
        null = coded.assign(municipality=coded["turn_id"].map(shuffled))
        ps.append(crosstab_chi2(null, random_state=int(rng.integers(1e9)), n_perm=199).p_permutation)
    assert np.mean(np.array(ps) < 0.05) <= 0.15
    assert 0.3 < np.mean(ps) < 0.7


def test_too_few_turns_are_not_tested(themes):
    rows = (
        [("大市", "member", "DX 推進")] * 10
        + [("大市", "member", "予算")] * 20
        + [("小村", "member", "DX")] * 5
    )
    coded = code_turns(make_turns(rows), themes)
    tests = theme_by_group_tests(coded, random_state=SEED, n_perm=100)
    small = tests[tests["municipality"] == "小村"]
    assert small["p_cell"].isna().all() and (~small["significant"]).all()
    assert small["verdict"].eq("too few turns").all() and small["note"].eq("too few turns").all()
    cells = crosstab_chi2(coded).table
    assert cells.loc[cells["municipality"] == "小村", "p_cell"].isna().all()
    assert (~cells.loc[cells["municipality"] == "小村", "significant"]).all()
    assert cells.loc[cells["municipality"] == "小村", "note"].eq("too few turns").all()
    shares = theme_shares(coded, random_state=SEED)
    s = shares[shares["municipality"] == "小村"]
    assert s["ci_low"].isna().all() and s["ci_high"].isna().all() and s["note"].eq("too few turns").all()


def test_wilson_is_the_default_interval_and_matches_scipy(planted):
    _, coded, _ = planted
    a = theme_shares(coded, random_state=1)
    assert a["ci_method"].eq("wilson").all()
    for row in a.itertuples():
        ci = binomtest(row.coded_turns, row.turns).proportion_ci(method="wilson")
        assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high), abs=1e-9)
    assert ((a["ci_low"] <= a["share"]) & (a["share"] <= a["ci_high"])).all()
    assert (a["ci_high"] - a["ci_low"] > 0).all()


def test_cluster_interval_is_seeded_wider_and_contains_the_share(planted):
    _, coded, _ = planted
    # give each municipality three speakers holding blocks of consecutive turns
    blocks = coded.assign(speaker=coded["turn_id"].str[-4:].astype(int).floordiv(4).astype(str))
    a = theme_shares(blocks, interval="cluster", n_boot=400, random_state=1)
    b = theme_shares(blocks, interval="cluster", n_boot=400, random_state=1)
    w = theme_shares(blocks, random_state=1)
    pd.testing.assert_frame_equal(a, b)
    assert (a["design_effect"] >= 1).all() and (a["design_effect"] > 1).any()
    assert (a["ci_high"] - a["ci_low"] >= w["ci_high"] - w["ci_low"] - 1e-12).all()
    assert ((a["ci_low"] <= a["share"]) & (a["share"] <= a["ci_high"])).all()
    assert (a["n_speakers"] == 3).all()


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


@pytest.mark.slow
def test_seed_tables_are_non_empty_for_all_municipalities_and_themes(themes):
    coded = code_turns(seed_turns(), themes)
    shares = theme_shares(coded, n_boot=200, random_state=SEED)
    assert set(shares["municipality"]) == SEED_MUNICIPALITIES
    assert len(shares) == 5 * 4
    assert (shares["turns"] > 0).all()
    res = crosstab_chi2(coded)
    assert len(res.table) == 20 and res.dof == 12 and 0 <= res.p_value <= 1
    tests = theme_by_group_tests(coded, random_state=SEED, n_perm=500)
    assert set(tests["theme"]) == set(themes.keys)


def test_seed_share_intervals_never_collapse_and_contain_their_share(themes):
    coded = code_turns(seed_turns(), themes)
    for interval in ("wilson", "cluster"):
        shares = theme_shares(coded, interval=interval, n_boot=300, random_state=SEED)
        big = shares[shares["turns"] >= 10]
        assert len(big) == len(shares)
        assert (big["ci_high"] - big["ci_low"] > 0).all(), interval
        assert ((big["ci_low"] <= big["share"]) & (big["share"] <= big["ci_high"])).all(), interval
    zero = shares[shares["coded_turns"] == 0]
    assert (zero["ci_high"] > 0.05).all()  # 0/43 is not "0–0 %"


def test_seed_by_role_shares_flag_small_groups(themes):
    coded = code_turns(seed_turns(), themes)
    by_role = theme_shares(coded, by=("municipality", "role_group"), random_state=SEED)
    small = by_role[by_role["turns"] < 10]
    assert len(small) > 0
    assert small["ci_low"].isna().all() and small["note"].eq("too few turns").all()
    big = by_role[by_role["turns"] >= 10]
    assert big["ci_low"].notna().all() and big["note"].eq("").all()


def test_permutation_chi2_matches_scipy_permutation_test():
    from dxminutes.analysis.theme_stats import permutation_chi2

    rng = np.random.default_rng(SEED)
    groups = np.repeat([0, 1, 2], [10, 15, 25])
    values = (rng.random((50, 3)) < np.where(groups[:, None] == 0, 0.6, 0.3)).astype(float)

    def stat(labels):
        table = np.stack([values[labels == g].sum(axis=0) for g in range(3)])
        return chi2_contingency(table[:, table.sum(axis=0) > 0], correction=False).statistic

    observed, p = permutation_chi2(values, groups, n_perm=5000, random_state=1)
    assert observed == pytest.approx(stat(groups))
    ref = permutation_test(
        (groups,), stat, permutation_type="pairings", n_resamples=3000, random_state=0, alternative="greater"
    )
    assert p == pytest.approx(ref.pvalue, abs=0.02)


def test_fisher_cells_with_holm_keep_the_familywise_error_under_the_null():
    from dxminutes.analysis.keyness import presence_fisher_p

    rng = np.random.default_rng(SEED)
    sizes = np.array([22, 31, 43, 49, 122])
    reps, rates = 300, np.array([0.05, 0.1, 0.3, 0.5])
    yes = rng.binomial(sizes, rates[None, :, None], size=(reps, len(rates), len(sizes)))
    # the same p as theme_stats' cell test (each group against the rest), for all tables at once
    p = presence_fisher_p(yes, yes.sum(axis=2, keepdims=True), sizes, sizes.sum()).reshape(reps, -1)
    any_raw = (p < 0.05).any(axis=1).mean()
    # Holm rejects something iff the smallest p is below alpha / m (step-down's first step)
    any_holm = (p.min(axis=1) < 0.05 / p.shape[1]).mean()
    print(f"null, 20 cells: any raw p<0.05 in {any_raw:.2f} of tables, any Holm-adjusted in {any_holm:.3f}")
    assert any_holm <= 0.05
    assert any_raw > 0.3  # uncorrected cell flags find differences in noise
