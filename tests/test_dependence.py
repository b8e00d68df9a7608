"""Turns cluster by speaker: speaker-clustered tests and intervals, checked by simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from analysis_fixtures import seed_turns
from scipy import stats as sps

from dxminutes.analysis.intervals import cluster_wilson_interval, wilson_interval
from dxminutes.analysis.theme_stats import _speaker_permutation, clustered_theme_tests
from dxminutes.analysis.themes import code_turns, load_themes

SEED = 20240717


def _clustered_null(rng, n_groups=4, speakers=4, turns_per=(12, 6, 3, 2), sd=1.5):
    """Turns of speakers with their own propensity; no group effect at all."""
    y, g, u = [], [], []
    for grp in range(n_groups):
        for s in range(speakers):
            n = turns_per[s % len(turns_per)]
            p = 1 / (1 + np.exp(-(-0.5 + rng.normal(0, sd))))
            y.append(rng.binomial(1, p, n))
            g.append(np.full(n, grp))
            u.append(np.full(n, grp * 100 + s))
    return np.concatenate(y).astype(float), np.concatenate(g), np.concatenate(u)


def test_speaker_permutation_is_calibrated_where_turn_level_chi2_is_not():
    rng = np.random.default_rng(SEED)
    reps, turn_rej, spk_rej = 300, 0, 0
    for _ in range(reps):
        y, g, u = _clustered_null(rng)
        n_g = np.bincount(g)
        yes = np.bincount(g, weights=y)
        table = np.column_stack([yes, n_g - yes])
        if (table.sum(axis=0) == 0).any():
            continue
        turn_rej += sps.chi2_contingency(table, correction=False).pvalue < 0.05
        spk_rej += _speaker_permutation(y, g, u, 199, rng)[1] < 0.05
    print(
        f"null rejection at 5%: turn-level chi2 {turn_rej / reps:.3f}, speaker permutation {spk_rej / reps:.3f}"
    )
    assert turn_rej / reps > 0.15  # turns of a speaker are not independent
    assert spk_rej / reps <= 0.08


def test_speaker_permutation_detects_a_planted_group_effect():
    rng = np.random.default_rng(SEED)
    y, g, u = _clustered_null(rng, speakers=8, sd=0.3)
    y = np.where(g == 0, 1.0, y * (rng.random(len(y)) < 0.3))  # group 0 always coded
    assert _speaker_permutation(y, g, u, 999, rng)[1] < 0.01


def _seed_coded():
    turns = seed_turns()
    return turns, code_turns(turns, load_themes())


def test_clustered_table_matches_direct_statsmodels_fits():
    turns, coded = _seed_coded()
    table = clustered_theme_tests(coded, turns, n_perm=199, random_state=SEED)
    assert list(table["theme"]) == list(pd.unique(coded["theme"]))
    dx = coded[coded["theme"] == "dx"].merge(turns[["turn_id", "n_chars"]], on="turn_id")
    dx = dx.sort_values(["municipality", "turn_id"]).reset_index(drop=True)
    y = dx["coded"].astype(float).to_numpy()
    x = pd.get_dummies(dx["municipality"], drop_first=True, dtype=float)
    x.insert(0, "log_len", np.log(dx["n_chars"].clip(lower=1)))
    x = sm.add_constant(x)
    full = sm.GLM(y, x, family=sm.families.Binomial()).fit()
    base = sm.GLM(y, x[["const", "log_len"]], family=sm.families.Binomial()).fit()
    p_lr = sps.chi2.sf(2 * (full.llf - base.llf), x.shape[1] - 2)
    row = table.set_index("theme").loc["dx"]
    assert row["p_turn_length"] == pytest.approx(p_lr, rel=1e-6)
    spk = (dx["municipality"] + "|" + dx["speaker"]).to_numpy()
    gee = sm.GEE(
        y,
        x,
        groups=pd.factorize(spk, sort=True)[0],
        family=sm.families.Binomial(),
        cov_struct=sm.cov_struct.Exchangeable(),
    ).fit(cov_type="bias_reduced", maxiter=100)
    r = np.zeros((x.shape[1] - 2, x.shape[1]))
    r[:, 2:] = np.eye(x.shape[1] - 2)
    assert row["p_gee"] == pytest.approx(float(gee.wald_test(r, scalar=True).pvalue), rel=1e-4)
    n_g = dx.groupby("municipality")["coded"].agg(["sum", "size"]).to_numpy()
    ref = sps.chi2_contingency(np.column_stack([n_g[:, 0], n_g[:, 1] - n_g[:, 0]]), correction=False)
    assert row["p_turn_chi2"] == pytest.approx(ref.pvalue)
    # the point of the table: clustering by speaker weakens the DX comparison
    assert row["p_gee"] > row["p_turn_chi2"] and row["p_speaker_permutation"] > row["p_turn_chi2"]
    assert 0.4 < row["max_speaker_share"] <= 1


def test_separation_is_reported_not_fitted():
    turns, coded = _seed_coded()
    table = clustered_theme_tests(coded, turns, n_perm=99, random_state=SEED).set_index("theme")
    yes = coded[coded["theme"] == "security"].groupby("municipality")["coded"].sum()
    assert (yes == 0).any()  # 豊島区 has no security turn on the seeds
    assert np.isnan(table.loc["security", "p_gee"])
    assert table.loc["security", "note"].startswith("separation")
    assert np.isfinite(table.loc["security", "p_speaker_permutation"])


def test_cluster_wilson_covers_better_than_turn_level_wilson_under_clustering():
    rng = np.random.default_rng(SEED)
    reps, cover_turn, cover_cluster = 300, 0, 0
    p_true = 0.3
    for _ in range(reps):
        speakers = np.repeat(np.arange(12), rng.integers(2, 10, 12))
        logit = np.log(p_true / (1 - p_true)) + rng.normal(0, 1.0, 12)
        y = rng.binomial(1, 1 / (1 + np.exp(-logit[speakers]))).astype(float)
        truth = np.mean(1 / (1 + np.exp(-(np.log(p_true / (1 - p_true)) + rng.normal(0, 1.0, 20000)))))
        lo, hi = (float(v) for v in wilson_interval(y.sum(), len(y)))
        cover_turn += lo <= truth <= hi
        lo, hi, _ = cluster_wilson_interval(y, speakers, n_boot=300, random_state=int(rng.integers(1e9)))
        cover_cluster += lo <= truth <= hi
    print(
        f"coverage of 95% intervals with speaker clustering: turn-level {cover_turn / reps:.3f}, "
        f"cluster {cover_cluster / reps:.3f}"
    )
    assert cover_cluster > cover_turn
    assert cover_cluster / reps >= 0.88


def test_cluster_wilson_never_collapses():
    y = np.zeros(43)
    lo, hi, deff = cluster_wilson_interval(y, np.arange(43) % 4, n_boot=200, random_state=0)
    assert lo == 0 and hi > 0.05 and deff == 1.0


@pytest.mark.slow
def test_gee_is_close_to_nominal_under_a_clustered_null_where_the_turn_level_model_is_not():
    from dxminutes.analysis.theme_stats import _glm_p

    rng = np.random.default_rng(SEED)
    n, gee_rej, glm_rej = 0, 0, 0
    for _ in range(150):
        y, g, u = _clustered_null(rng, speakers=6, sd=1.0)
        if any(y[g == k].sum() in (0, (g == k).sum()) for k in range(4)):
            continue
        log_len = np.log(rng.integers(20, 400, len(y)))
        p_gee, _ = _glm_p(y, g, log_len, groups_units=np.unique(u, return_inverse=True)[1])
        p_glm, _ = _glm_p(y, g, log_len)
        n += 1
        gee_rej += p_gee < 0.05
        glm_rej += p_glm < 0.05
    print(f"clustered null, {n} data sets: GEE rejection {gee_rej / n:.3f}, turn-level GLM {glm_rej / n:.3f}")
    assert n >= 100
    assert gee_rej / n <= 0.10
    assert glm_rej / n > 0.2


def test_models_are_skipped_above_the_group_limit_and_the_permutation_stays(monkeypatch):
    from dxminutes.analysis import theme_stats

    turns, coded = _seed_coded()
    monkeypatch.setattr(theme_stats, "MAX_MODEL_GROUPS", 4)  # the seeds have 5 municipalities
    table = clustered_theme_tests(coded, turns, n_perm=99, random_state=SEED).set_index("theme")
    assert table["p_gee"].isna().all() and table["p_turn_length"].isna().all()
    assert table["note"].str.startswith("models skipped: 5 groups > 4").all()
    assert np.isfinite(table.loc["dx", "p_speaker_permutation"])
