"""One-vs-rest keyness (G², BH q, log ratio, TF-IDF), keyness within themes, similarity."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import SEED_MUNICIPALITIES, make_tokens, make_turns, planted_corpus, seed_tokens
from scipy.stats import chi2, false_discovery_control
from sklearn.feature_extraction.text import TfidfVectorizer

from dxminutes.analysis.keyness import (
    g2_statistic,
    keyness,
    keyness_within_themes,
    log_ratio,
)
from dxminutes.analysis.similarity import cluster_groups, group_similarity
from dxminutes.analysis.themes import code_turns, load_themes


@pytest.fixture(scope="module")
def planted():
    turns = planted_corpus()
    return turns, make_tokens(turns)


def test_g2_hand_checked_examples():
    # a=10, b=5, c=100, d=200: E1 = 100·15/300 = 5, E2 = 200·15/300 = 10,
    # G² = 2(10·ln(10/5) + 5·ln(5/10)) = 2(6.931472 − 3.465736) = 6.931472, over-represented (+).
    assert g2_statistic(10, 5, 100, 200) == pytest.approx(6.931472, abs=1e-6)
    # a=1, b=20, c=100, d=100: E1 = E2 = 10.5,
    # G² = 2(1·ln(1/10.5) + 20·ln(20/10.5)) = 2(−2.351375 + 12.887140) = 21.071530, under-represented (−).
    assert g2_statistic(1, 20, 100, 100) == pytest.approx(-21.071530, abs=1e-6)
    # b = 0 uses 0·ln 0 = 0: a=4, c=10, d=30: E1 = 1, G² = 2·4·ln 4 = 11.090355
    assert g2_statistic(4, 0, 10, 30) == pytest.approx(11.090355, abs=1e-6)


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
    e1 = c * a / (c + d)
    assert row["g2"] == pytest.approx(2 * a * math.log(a / e1))
    assert row["p"] == pytest.approx(chi2.sf(row["g2"], 1))
    assert row["target_rate_per_10k"] == pytest.approx(a / c * 10_000)
    assert row["n_turns_target"] == 10


def test_bh_q_equals_scipy_within_each_group(planted):
    _, tokens = planted
    table = keyness(tokens, min_count=1, min_turns=1)
    for _, block in table.groupby("municipality"):
        np.testing.assert_allclose(block["q"], false_discovery_control(block["p"], method="bh"))
    negatives = table[table["g2"] < 0]
    assert not negatives.empty  # under-represented terms are kept with a negative sign
    assert (negatives["log_ratio"] < 0).all()


def test_no_truncation_and_dispersion_guard():
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
    assert set(guarded.loc[guarded["municipality"] == "A市", "term"]) == {"短い", "話"}
    full = keyness(tokens, min_count=1, min_turns=1)
    expected = tokens.groupby(["municipality", "term"]).size()
    assert len(full) == len(expected)  # every term of every group, no top-N cut


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


def test_seed_keyness_covers_every_municipality():
    tokens = seed_tokens()
    table = keyness(tokens)
    assert set(table["municipality"]) == SEED_MUNICIPALITIES
    assert (table.groupby("municipality")["g2"].max() > 0).all()
    sim = group_similarity(tokens)
    assert len(sim) == 25 and sim["cosine"].between(0, 1).all()
    cluster_groups(sim)  # five leaves cluster without error
    assert not pd.isna(table["q"]).any()
