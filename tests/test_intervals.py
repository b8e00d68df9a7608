"""Intervals for shares: checked against scipy and by coverage simulation with a fixed seed."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from dxminutes.analysis.intervals import cluster_bootstrap_share, jeffreys_interval, wilson_interval
from dxminutes.text.sentences import sentence_table, split_sentences


@pytest.mark.parametrize(("k", "n"), [(0, 43), (1, 22), (5, 10), (10, 10), (17, 122), (3, 7)])
def test_wilson_equals_scipy(k, n):
    low, high = wilson_interval(k, n)
    ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert low == pytest.approx(ci.low, abs=1e-12)
    assert high == pytest.approx(ci.high, abs=1e-12)


def test_no_zero_width_interval_and_every_interval_contains_its_share():
    k = np.arange(0, 44)
    low, high = wilson_interval(k, 43)
    assert np.all(high - low > 0)
    assert np.all((low <= k / 43) & (k / 43 <= high))
    jl, jh = jeffreys_interval(k, 43)
    assert np.all(jh - jl > 0) and np.all((jl <= k / 43) & (k / 43 <= jh))


def test_empty_group_has_no_interval():
    low, high = wilson_interval(0, 0)
    assert np.isnan(low) and np.isnan(high)


@pytest.mark.parametrize(("n", "p"), [(43, 0.02), (22, 0.01), (100, 0.3)])
def test_wilson_coverage_by_simulation(n, p):
    rng = np.random.default_rng(20240717)
    k = rng.binomial(n, p, size=20_000)
    low, high = wilson_interval(k, n)
    coverage = np.mean((low <= p) & (p <= high))
    assert coverage >= 0.92, coverage


def test_cluster_bootstrap_is_wider_than_turn_level_when_speakers_cluster():
    rng = np.random.default_rng(1)
    # 12 speakers; each speaker either always or never touches the theme
    speakers = np.repeat(np.arange(12), 10)
    values = (speakers % 3 == 0).astype(float)
    low_c, high_c = cluster_bootstrap_share(values, speakers, n_boot=2000, random_state=0)
    low_w, high_w = wilson_interval(values.sum(), len(values))
    assert high_c - low_c > 1.5 * (high_w - low_w)
    # and with independent turns the two agree roughly
    values = rng.binomial(1, 0.3, size=120).astype(float)
    low_c, high_c = cluster_bootstrap_share(values, np.arange(120), n_boot=4000, random_state=0)
    low_w, high_w = wilson_interval(values.sum(), 120)
    assert abs((high_c - low_c) - (high_w - low_w)) < 0.05


def test_cluster_bootstrap_with_one_cluster_says_nothing():
    low, high = cluster_bootstrap_share([1, 0, 1], ["a", "a", "a"], n_boot=100, random_state=0)
    assert np.isnan(low) and np.isnan(high)


def test_sentences_split_at_japanese_and_line_ends():
    text = "DXを推進します。「はい。」と答えた。\n次に、セキュリティです？　以上"
    assert split_sentences(text) == [
        "DXを推進します。",
        "「はい。」",
        "と答えた。",
        "次に、セキュリティです？",
        "以上",
    ]
    table = sentence_table(__import__("pandas").DataFrame({"turn_id": ["t"], "text": [text]}))
    assert [text[s:e] for s, e in zip(table["start"], table["end"])] == list(table["text"])


def test_cluster_design_effect_matches_the_linearization_variance():
    from dxminutes.analysis.intervals import cluster_design_effect

    rng = np.random.default_rng(3)
    clusters = np.repeat(np.arange(40), rng.integers(2, 12, 40))
    logit = -0.8 + rng.normal(0, 1.2, 40)
    y = rng.binomial(1, 1 / (1 + np.exp(-logit[clusters]))).astype(float)
    n, p = len(y), y.mean()
    sums = np.bincount(clusters, weights=y)
    sizes = np.bincount(clusters)
    # Taylor linearization of the ratio estimator, written out independently of the module
    v_lin = ((sums - p * sizes) ** 2).sum() / n**2
    expected = max(1.0, v_lin / (p * (1 - p) / n))
    got = cluster_design_effect(y, clusters, n_boot=8000, random_state=0)
    assert expected > 1.5  # the clusters matter here
    assert got == pytest.approx(expected, rel=0.1)
    # independent turns: design effect about 1 (floored at 1)
    iid = rng.binomial(1, 0.3, 400).astype(float)
    assert cluster_design_effect(iid, np.arange(400) % 80, n_boot=4000, random_state=0) < 1.3
