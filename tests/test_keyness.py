"""One-vs-rest keyness (G², BH q, log ratio, TF-IDF), keyness within themes, similarity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import SEED_MUNICIPALITIES, make_tokens, make_turns, planted_corpus, seed_tokens
from scipy.stats import chi2, chi2_contingency, false_discovery_control, fisher_exact, mannwhitneyu
from sklearn.feature_extraction.text import TfidfVectorizer

from dxminutes.analysis.keyness import (
    g2_statistic,
    keyness,
    keyness_within_themes,
    log_ratio,
    mannwhitney_columns,
    presence_fisher_p,
)
from dxminutes.analysis.similarity import cluster_groups, group_similarity
from dxminutes.analysis.themes import code_turns, load_themes


@pytest.fixture(scope="module")
def planted():
    turns = planted_corpus()
    return turns, make_tokens(turns)


def test_g2_is_the_full_2x2_dunning_form_as_scipy_computes_it():
    # a=10, b=5, c=100, d=200: table [[10, 5], [90, 195]]
    for a, b, c, d in [(10, 5, 100, 200), (1, 20, 100, 100), (4, 0, 10, 30), (0, 7, 50, 80)]:
        table = np.array([[a, b], [c - a, d - b]])
        ref = chi2_contingency(table, correction=False, lambda_="log-likelihood").statistic
        sign = 1 if a * d >= b * c else -1
        assert g2_statistic(a, b, c, d) == pytest.approx(sign * ref, rel=1e-9, abs=1e-12)
    # written out by hand: 2 Σ O ln(O/E) over the four cells
    o = np.array([10, 5, 90, 195.0])
    e = np.array([100 * 15 / 300, 200 * 15 / 300, 100 * 285 / 300, 200 * 285 / 300])
    assert g2_statistic(10, 5, 100, 200) == pytest.approx(2 * (o * np.log(o / e)).sum())
    assert g2_statistic(1, 20, 100, 100) < 0


def test_log_ratio_smooths_zero_counts():
    # Hardie: zero frequency → 0.5; log2((4/10) / (0.5/30)) = log2(24)
    assert log_ratio(4, 0, 10, 30) == pytest.approx(math.log2(24))
    assert log_ratio(10, 5, 100, 200) == pytest.approx(math.log2(4))


def test_planted_security_terms_top_the_security_municipality(planted):
    _, tokens = planted
    table = keyness(tokens)
    top = table[table["municipality"] == "安全市"].head(6)
    assert {"セキュリティ", "サイバー"} <= set(top["term"])
    assert (top["g2"] > 0).all() and (top["q"] < 0.05).all()
    row = table.set_index(["municipality", "term"]).loc[("安全市", "セキュリティ")]
    a, c = 10, len(tokens[tokens["municipality"] == "安全市"])
    d = len(tokens) - c
    assert (row["target_count"], row["reference_count"], row["target_total"], row["reference_total"]) == (
        a,
        0,
        c,
        d,
    )
    assert row["g2"] == pytest.approx(g2_statistic(a, 0, c, d))
    assert row["p_token_g2"] == pytest.approx(chi2.sf(row["g2"], 1))
    # p: Fisher exact on turns containing the term, 安全市's 12 turns (10 with it) vs the other 24 (0)
    assert row["p"] == pytest.approx(fisher_exact([[10, 2], [0, 24]]).pvalue)
    mwu = keyness(tokens, test="mwu").set_index(["municipality", "term"]).loc[("安全市", "セキュリティ")]
    rel = tokens.groupby("turn_id")["term"].agg(lambda s: (s == "セキュリティ").mean())
    muni = tokens.drop_duplicates("turn_id").set_index("turn_id")["municipality"]
    x, y = rel[muni.loc[rel.index] == "安全市"], rel[muni.loc[rel.index] != "安全市"]
    assert mwu["p"] == pytest.approx(mannwhitneyu(x, y, method="asymptotic").pvalue)
    assert row["target_rate_per_10k"] == pytest.approx(a / c * 10_000)
    assert row["n_turns_target"] == 10


def test_bh_q_equals_scipy_within_each_group(planted):
    _, tokens = planted
    table = keyness(tokens, min_count=1, min_turns=1)
    for _, block in table.groupby("municipality"):
        np.testing.assert_allclose(block["q"], false_discovery_control(block["p"], method="bh"))
        assert block["term"].nunique() == len(block)  # one family per group
    negatives = table[table["g2"] < 0]
    assert not negatives.empty  # under-represented terms are kept with a negative sign
    assert (negatives["log_ratio"] < 0).all()


def test_candidates_on_the_total_and_dispersion_guard():
    turns = make_turns(
        [
            ("A市", "member", "長い 長い 長い 長い 長い 話"),
            ("A市", "member", "短い 話"),
            ("A市", "member", "短い 話"),
            ("A市", "member", "短い 話"),
            ("B町", "member", "別 の 話"),
            ("B町", "member", "別 の 話"),
        ]
    )
    tokens = make_tokens(turns)
    guarded = keyness(tokens, min_count=3, min_turns=2)
    assert "長い" not in set(guarded["term"])  # 5 uses, but all in one turn
    assert "長い" in set(keyness(tokens, min_count=3, min_turns=1)["term"])
    # every candidate is tested for every group, including where the target never uses it
    assert set(guarded.loc[guarded["municipality"] == "A市", "term"]) == {"短い", "話"}
    assert set(guarded.loc[guarded["municipality"] == "B町", "term"]) == {"短い", "話"}
    b = guarded.set_index(["municipality", "term"]).loc[("B町", "短い")]
    assert b["target_count"] == 0 and b["direction"] == "under" and b["g2"] < 0
    full = keyness(tokens, min_count=1, min_turns=1)
    assert len(full) == 2 * tokens["term"].nunique()  # every term × every group, no top-N cut


def test_mannwhitney_columns_match_scipy():
    rng = np.random.default_rng(3)
    values = rng.poisson(0.4, size=(60, 25)) / rng.integers(5, 40, size=(60, 1))
    values[:, 3] = 0.0  # all tied
    target = rng.random(60) < 0.3
    p = mannwhitney_columns(values, target)
    for j in range(values.shape[1]):
        if j == 3:
            assert p[j] == 1.0
            continue
        ref = mannwhitneyu(values[target, j], values[~target, j], method="asymptotic").pvalue
        assert p[j] == pytest.approx(ref, rel=1e-9), j


def test_presence_fisher_matches_scipy_fisher_exact():
    rng = np.random.default_rng(5)
    total = 120
    for _ in range(200):
        k = int(rng.integers(1, 40))
        n = int(rng.integers(1, 60))
        x = int(rng.integers(max(0, n + k - total), min(k, n) + 1))
        ref = fisher_exact([[x, n - x], [k - x, total - n - k + x]]).pvalue
        assert presence_fisher_p(x, k, n, total) == pytest.approx(ref, rel=1e-6), (x, k, n)


def test_under_use_is_found():
    rows = [("A市", "member", f"予算 の 話 {k}") for k in range(15)]
    rows += [("B町", "member", f"予算 の 話 {k}") for k in range(15)]
    rows += [("C村", "member", f"別 の 話 {k}") for k in range(15)]
    table = keyness(make_tokens(make_turns(rows)))
    row = table.set_index(["municipality", "term"]).loc[("C村", "予算")]
    assert row["direction"] == "under" and row["q"] < 0.05


def test_permutation_test_agrees_with_mannwhitney_on_a_planted_signal(planted):
    _, tokens = planted
    perm = keyness(tokens, test="permutation", n_perm=999, random_state=7)
    again = keyness(tokens, test="permutation", n_perm=999, random_state=7)
    pd.testing.assert_frame_equal(perm, again)
    row = perm.set_index(["municipality", "term"]).loc[("安全市", "セキュリティ")]
    assert row["p"] == pytest.approx(1 / 1000) and row["q"] < 0.05
    assert perm["p_method"].iloc[0].startswith("permutation")
    with pytest.raises(ValueError, match="random_state"):
        keyness(tokens, test="permutation")


def test_tfidf_column_matches_sklearn_with_groups_as_documents(planted):
    _, tokens = planted
    table = keyness(tokens, min_count=1, min_turns=1)
    docs = tokens.groupby("municipality")["term"].agg(list)
    vec = TfidfVectorizer(analyzer=lambda x: x)
    weights = vec.fit_transform(docs.tolist())
    vocab = vec.vocabulary_
    for row in table.sample(20, random_state=0).itertuples():
        i = list(docs.index).index(row.municipality)
        assert row.tfidf == pytest.approx(weights[i, vocab[row.term]])


def test_role_group_and_turn_columns_as_groups(planted):
    turns, tokens = planted
    by_role = keyness(tokens, by="role_group", min_count=1, min_turns=1)
    assert set(by_role["role_group"]) == {"members", "officials"}
    by_speaker = keyness(tokens, by="speaker", turns=turns, min_count=1, min_turns=1)
    assert "speaker" in by_speaker.columns
    with pytest.raises(ValueError, match="speaker"):
        keyness(tokens, by="speaker")
    with pytest.raises(ValueError, match="two groups"):
        keyness(tokens[tokens["municipality"] == "安全市"])


def test_keyness_within_themes_uses_only_coded_turns(planted):
    turns, tokens = planted
    coded = code_turns(turns, load_themes())
    table = keyness_within_themes(tokens, coded, min_count=1, min_turns=1)
    assert table.columns[0] == "theme"
    # only DX is spoken about in all three municipalities; the planted themes stay within one
    assert set(table["theme"]) == {"dx"}
    dx_ids = set(coded.loc[(coded["theme"] == "dx") & coded["coded"], "turn_id"])
    dx_terms = set(tokens.loc[tokens["turn_id"].isin(dx_ids), "term"])
    assert set(table["term"]) <= dx_terms
    assert "セキュリティ" not in set(table["term"])
    top = table[table["municipality"] == "人材町"].iloc[0]
    assert top["term"] == "予算"


def test_similarity_and_clustering():
    turns = make_turns(
        [
            ("A市", "member", "セキュリティ 対策 監視"),
            ("B町", "member", "セキュリティ 対策 監視"),
            ("C村", "member", "高齢者 窓口 支援"),
            ("D区", "member", "高齢者 窓口 講習会"),
        ]
    )
    sim = group_similarity(make_tokens(turns))
    assert len(sim) == 16
    square = sim.pivot(index="group_a", columns="group_b", values="cosine")
    np.testing.assert_allclose(square.to_numpy(), square.to_numpy().T)
    np.testing.assert_allclose(np.diag(square), 1.0)
    assert square.loc["A市", "B町"] == pytest.approx(1.0)
    assert square.loc["A市", "C村"] == pytest.approx(0.0)
    assert 0 < square.loc["C村", "D区"] < 1
    result = cluster_groups(sim)
    assert result.linkage.shape == (3, 4)
    first = {result.labels[int(i)] for i in result.linkage[0, :2]}
    assert first == {"A市", "B町"}
    assert sorted(result.leaf_labels) == ["A市", "B町", "C村", "D区"]


@pytest.mark.slow
def test_seed_keyness_covers_every_municipality():
    tokens = seed_tokens()
    table = keyness(tokens)
    assert set(table["municipality"]) == SEED_MUNICIPALITIES
    assert (table.groupby("municipality")["g2"].max() > 0).all()
    sim = group_similarity(tokens)
    assert len(sim) == 25 and sim["cosine"].between(0, 1).all()
    cluster_groups(sim)  # five leaves cluster without error
    assert not pd.isna(table["q"]).any()


def _shuffled_turn_labels(tokens, rng):
    muni = tokens.drop_duplicates("turn_id").set_index("turn_id")["municipality"]
    shuffled = pd.Series(rng.permutation(muni.to_numpy()), index=muni.index)
    return tokens.assign(municipality=tokens["turn_id"].map(shuffled))


@pytest.mark.slow
def test_shuffled_municipality_labels_give_at_most_one_false_discovery_on_average():
    tokens = seed_tokens()
    rng = np.random.default_rng(20240717)
    found, token_level, mwu = [], [], []
    for _ in range(20):
        shuffled = _shuffled_turn_labels(tokens, rng)
        table = keyness(shuffled)
        found.append(int((table["q"] < 0.05).sum()))
        mwu.append(int((keyness(shuffled, test="mwu")["q"] < 0.05).sum()))
        bh = table.groupby("municipality")["p_token_g2"].transform(
            lambda p: false_discovery_control(p, method="bh")
        )
        token_level.append(int((bh < 0.05).sum()))
    mean = float(np.mean(found))
    print(
        f"shuffled labels, 20 runs: mean q<0.05 terms {mean:.2f} (max {max(found)}); "
        f"token-level G2 p would give {np.mean(token_level):.1f} (max {max(token_level)}); "
        f"asymptotic Mann-Whitney {np.mean(mwu):.2f} (max {max(mwu)})"
    )
    assert mean <= 1.0
    assert np.mean(token_level) > 5  # the old recipe finds differences in noise
    real = keyness(tokens)
    assert (real["q"] < 0.05).sum() > 10 * max(mean, 1)  # the real labels carry signal


@pytest.mark.slow
def test_shuffling_whole_speakers_shows_what_turn_level_p_misses():
    """Null where turns of one speaker stay together: speakers shuffled across municipalities."""
    from analysis_fixtures import seed_turns

    tokens, turns = seed_tokens(), seed_turns()
    key = (turns["municipality"] + "|" + turns["speaker"]).set_axis(turns["turn_id"])
    units = key.unique()
    home = pd.Series([u.split("|")[0] for u in units], index=units)
    rng = np.random.default_rng(20240717)
    counts = {"turn": [], "speaker": []}
    for _ in range(10):
        moved = key.map(pd.Series(rng.permutation(home.to_numpy()), index=units))
        shuffled = tokens.assign(municipality=tokens["turn_id"].map(moved))
        t = turns.assign(municipality=turns["turn_id"].map(moved))
        for unit in counts:
            counts[unit].append(int((keyness(shuffled, unit=unit, turns=t)["q"] < 0.05).sum()))
    print(
        "speakers shuffled, 10 runs: mean q<0.05 terms with turns as units "
        f"{np.mean(counts['turn']):.1f} (max {max(counts['turn'])}), with speakers as units "
        f"{np.mean(counts['speaker']):.1f} (max {max(counts['speaker'])})"
    )
    assert np.mean(counts["speaker"]) <= 1.0
