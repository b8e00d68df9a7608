import dataclasses

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_tokens, make_turns, seed_tokens

from dxminutes.analysis.topics import (
    fit_topics,
    match_topics,
    permute_columns,
    select_k,
    structure_vs_null,
    suggest_k,
    top_terms,
    topic_by_theme,
    topic_labels,
    topic_prevalence,
    window_matrix,
)
from dxminutes.text.dtm import count_matrix, tfidf_matrix

SEED = 11
VOCABS = {
    "安全市": ["セキュリティ", "サイバー", "攻撃", "監視", "漏えい", "LGWAN", "対策", "暗号", "監査", "分離"],
    "人材町": ["人材", "研修", "育成", "職員", "スキル", "体制", "採用", "リテラシー", "講師", "意識"],
    "格差村": ["高齢者", "窓口", "講習会", "スマホ", "支援", "格差", "対面", "相談", "地域", "寄り添い"],
}
GROUP_OF = {term: muni for muni, vocab in VOCABS.items() for term in vocab}


def planted_turns(n_per_group=30, seed=0):
    """Three municipalities, each speaking only its own 10-word vocabulary (6 words a turn)."""
    rng = np.random.default_rng(seed)
    rows = []
    for muni, vocab in VOCABS.items():
        for j in range(n_per_group):
            words = rng.choice(vocab, size=6, replace=False)
            rows.append((muni, "member" if j % 2 else "official", " ".join(words)))
    return make_turns(rows)


@pytest.fixture(scope="module")
def planted():
    turns = planted_turns()
    tokens = make_tokens(turns)
    return turns, tokens, tfidf_matrix(tokens), count_matrix(tokens)


def planted_group_of_topic(tm, n=5):
    """Municipality whose vocabulary holds all n top terms of each topic (None if mixed)."""
    tops = top_terms(tm, n)
    out = {}
    for topic, grp in tops.groupby("topic"):
        groups = {GROUP_OF[t] for t in grp["term"]}
        out[topic] = groups.pop() if len(groups) == 1 else None
    return out


def test_nmf_recovers_planted_vocabularies(planted):
    _, _, tfidf, _ = planted
    tm = fit_topics(tfidf, 3, random_state=SEED)
    assert tm.doc_topic.shape == (90, 3) and tm.topic_term.shape == (3, len(tfidf.terms))
    assert tm.doc_topic.sum(axis=1) == pytest.approx(np.ones(90))
    assert tm.topic_term.sum(axis=1) == pytest.approx(np.ones(3))
    groups = planted_group_of_topic(tm, n=8)
    assert sorted(g for g in groups.values() if g) == sorted(VOCABS)
    # each turn's dominant topic is its municipality's topic
    dominant = tm.doc_topic.argmax(axis=1) + 1
    assert [groups[t] for t in dominant] == tm.rows["municipality"].tolist()


def test_lda_on_counts_recovers_and_refuses_tfidf(planted):
    _, _, tfidf, counts = planted
    tm = fit_topics(counts, 3, model="lda", random_state=SEED, max_iter=50)
    assert sorted(g for g in planted_group_of_topic(tm).values() if g) == sorted(VOCABS)
    assert tm.model.learning_method == "batch"
    with pytest.raises(ValueError, match="count"):
        fit_topics(tfidf, 3, model="lda", random_state=SEED)
    with pytest.raises(ValueError):
        fit_topics(tfidf, 3, model="plsa", random_state=SEED)
    with pytest.raises(ValueError):
        fit_topics(tfidf, 0, random_state=SEED)


def test_determinism_and_stability_across_seeds(planted):
    _, _, tfidf, _ = planted
    a = fit_topics(tfidf, 3, random_state=SEED)
    b = fit_topics(tfidf, 3, random_state=SEED)
    pd.testing.assert_frame_equal(top_terms(a, 10), top_terms(b, 10))
    np.testing.assert_array_equal(a.doc_topic, b.doc_topic)
    other = fit_topics(tfidf, 3, random_state=SEED + 1)
    matched = match_topics(a, other)
    assert list(matched.columns) == ["topic_a", "topic_b", "cosine"]
    assert len(matched) == 3 and (matched["cosine"] > 0.95).all()


def test_match_topics_finds_a_permutation(planted):
    _, _, tfidf, _ = planted
    tm = fit_topics(tfidf, 3, random_state=SEED)
    perm = [2, 0, 1]
    shuffled = dataclasses.replace(tm, topic_term=tm.topic_term[perm], doc_topic=tm.doc_topic[:, perm])
    matched = match_topics(tm, shuffled)
    assert matched["cosine"].to_numpy() == pytest.approx(np.ones(3))
    # topic_a t is row perm.index(t - 1) of the shuffled model
    assert matched["topic_b"].tolist() == [perm.index(t - 1) + 1 for t in matched["topic_a"]]
    # different vocabularies are aligned by term
    sub = dataclasses.replace(tm, topic_term=tm.topic_term[:, ::-1], terms=tm.terms[::-1])
    assert match_topics(tm, sub)["cosine"].to_numpy() == pytest.approx(np.ones(3))


def test_top_terms_and_labels(planted):
    _, _, tfidf, _ = planted
    tm = fit_topics(tfidf, 3, random_state=SEED)
    tops = top_terms(tm, 4)
    assert list(tops.columns) == ["topic", "rank", "term", "weight"]
    assert len(tops) == 12
    for _, grp in tops.groupby("topic"):
        assert grp["rank"].tolist() == [1, 2, 3, 4]
        assert grp["weight"].is_monotonic_decreasing
    labels = topic_labels(tm, 3)
    assert list(labels.index) == [1, 2, 3]
    first = tops[(tops["topic"] == 1) & (tops["rank"] <= 3)]["term"].tolist()
    assert labels[1] == "T1: " + "・".join(first)


def test_select_k_favours_the_planted_three(planted):
    _, _, tfidf, counts = planted
    sel = select_k(tfidf, range(2, 7), random_state=SEED, counts_dtm=counts)
    assert list(sel.columns) == [
        "k",
        "coherence_npmi",
        "coherence_sd",
        "stability",
        "stability_min",
        "n_runs",
        "coherence_unit",
    ]
    assert sel["coherence_unit"].eq("turn").all()
    assert sel["k"].tolist() == [2, 3, 4, 5, 6]
    best = sel.set_index("k")
    # splitting a planted vocabulary (K > 3) lowers coherence; merging two (K = 2) does not
    # always, since a merged topic's top terms can all come from one vocabulary: stability
    # tells K = 2 apart (which two vocabularies merge changes between subsamples)
    assert best.loc[3, "coherence_npmi"] > best.loc[[4, 5, 6], "coherence_npmi"].max()
    assert best.loc[3, "stability"] > 0.95
    assert best.loc[3, "stability"] > best.drop(index=3)["stability"].max() + 0.1
    assert suggest_k(sel) == 3
    again = select_k(tfidf, range(2, 7), random_state=SEED, counts_dtm=counts)
    pd.testing.assert_frame_equal(sel, again)


def test_suggest_k_rule():
    sel = pd.DataFrame({"k": [2, 3, 4], "coherence_npmi": [0.1, 0.3, 0.2], "stability": [0.9, 0.8, 0.7]})
    # ranks scaled to [0, 1]: k=2 -> (0 + 1)/2, k=3 -> (1 + .5)/2, k=4 -> (.5 + 0)/2
    assert suggest_k(sel) == 3
    tie = pd.DataFrame({"k": [5, 4], "coherence_npmi": [0.2, 0.1], "stability": [0.7, 0.8]})
    assert suggest_k(tie) == 4  # equal scores: the smaller K
    with pytest.raises(ValueError):
        suggest_k(sel.iloc[:0])


def test_prevalence_by_municipality_and_theme(planted):
    turns, _, tfidf, _ = planted
    tm = fit_topics(tfidf, 3, random_state=SEED)
    prev = topic_prevalence(tm, by="municipality")
    assert list(prev.columns) == ["municipality", "topic", "label", "prevalence", "n_turns"]
    assert len(prev) == 9
    assert prev.groupby("municipality")["prevalence"].sum().to_numpy() == pytest.approx(np.ones(3))
    assert (prev["n_turns"] == 30).all()
    groups = planted_group_of_topic(tm, n=8)
    own = prev[prev["municipality"] == prev["topic"].map(groups)]
    assert len(own) == 3 and (own["prevalence"] > 0.8).all()

    coded = pd.DataFrame(
        {
            "turn_id": turns["turn_id"],
            "municipality": turns["municipality"],
            "theme": "security",
            "coded": turns["municipality"].eq("安全市"),
        }
    )
    by_theme = topic_by_theme(tm, coded)
    assert list(by_theme.columns) == ["theme", "topic", "label", "prevalence", "n_turns", "lift"]
    sec_topic = next(t for t, g in groups.items() if g == "安全市")
    row = by_theme.set_index("topic").loc[sec_topic]
    assert row["n_turns"] == 30 and row["prevalence"] > 0.8 and row["lift"] > 2.0
    with pytest.raises(ValueError):
        topic_prevalence(tm, by="speaker")


def test_empty_turns_are_left_out_of_prevalence(planted):
    turns, tokens, _, _ = planted
    extra = make_turns([("安全市", "member", "")])
    rows = pd.concat([turns, extra.assign(turn_id="doc-安全市:9999")], ignore_index=True)
    tfidf = tfidf_matrix(tokens, rows=rows[["turn_id", "doc_id", "municipality", "role"]])
    tm = fit_topics(tfidf, 3, random_state=SEED)
    assert tm.doc_topic[-1].sum() == 0
    prev = topic_prevalence(tm)
    assert (prev["n_turns"] == 30).all()


def test_seed_minutes_topics_are_deterministic():
    tokens = seed_tokens()
    tfidf, counts = tfidf_matrix(tokens, min_df=2), count_matrix(tokens, min_df=2)
    sel = select_k(tfidf, range(2, 5), seeds=(0, 1, 2), random_state=SEED, counts_dtm=counts)
    assert sel["k"].tolist() == [2, 3, 4]
    assert sel["coherence_npmi"].between(-1, 1).all() and sel["stability"].between(0, 1 + 1e-9).all()
    pd.testing.assert_frame_equal(
        sel, select_k(tfidf, range(2, 5), seeds=(0, 1, 2), random_state=SEED, counts_dtm=counts)
    )
    tm = fit_topics(tfidf, suggest_k(sel), random_state=SEED)
    prev = topic_prevalence(tm)
    assert set(prev["municipality"]) == set(tokens["municipality"])
    assert prev.groupby("municipality")["prevalence"].sum().to_numpy() == pytest.approx(1.0)


def test_nmf_refits_with_other_seeds_differ_when_the_init_is_random(planted):
    _, _, tfidf, _ = planted
    a = fit_topics(tfidf, 4, random_state=1, init="random")
    b = fit_topics(tfidf, 4, random_state=2, init="random")
    assert not np.allclose(a.topic_term, b.topic_term)
    c = fit_topics(tfidf, 4, random_state=1, init="random")
    np.testing.assert_array_equal(a.topic_term, c.topic_term)
    # the default nndsvdar init uses the seed too (nndsvda would not)
    d, e = fit_topics(tfidf, 4, random_state=1), fit_topics(tfidf, 4, random_state=2)
    assert not np.array_equal(d.doc_topic, e.doc_topic)


def test_window_matrix_by_hand():
    turns = make_turns([("A市", "member", "a b c d e"), ("A市", "member", "a x")])
    tokens = make_tokens(turns)
    m = window_matrix(tokens, ["a", "b", "c", "d", "e"], window=3).toarray()
    # turn 1 has windows [a b c], [b c d], [c d e]; turn 2 (shorter than 3) is one window [a x]
    expected = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [1, 0, 0, 0, 0]])
    np.testing.assert_array_equal(m, expected)


def test_window_coherence_matches_an_independent_npmi():
    turns = make_turns(
        [("A市", "member", "a b c d e f g h"), ("A市", "member", "a b x y"), ("A市", "member", "c h")]
    )
    tokens = make_tokens(turns)
    from dxminutes.analysis.topics import _npmi_coherence

    terms = np.array(["a", "b", "c", "h"])
    binary = window_matrix(tokens, terms, window=3)
    got = _npmi_coherence([np.array([0, 1, 3])], binary)[0]
    # windows written out: t1 [abc][bcd][cde][def][efg][fgh]; t2 [abx][bxy]; t3 [ch]
    windows = [
        set("abc"),
        set("bcd"),
        set("cde"),
        set("def"),
        set("efg"),
        set("fgh"),
        set("abx"),
        set("bxy"),
        set("ch"),
    ]
    n = len(windows)

    def p(*ts):
        return sum(all(t in w for t in ts) for w in windows) / n

    def npmi(x, y):
        if p(x, y) == 0:
            return -1.0
        return np.log(p(x, y) / (p(x) * p(y))) / -np.log(p(x, y))

    assert got == pytest.approx(np.mean([npmi("a", "b"), npmi("a", "h"), npmi("b", "h")]))


def test_permute_columns_keeps_each_terms_weights():
    rng = np.random.default_rng(0)
    from scipy import sparse

    m = sparse.random(40, 15, density=0.2, random_state=1, format="csr")
    shuffled = permute_columns(m, rng)
    for j in range(15):
        np.testing.assert_allclose(np.sort(m[:, j].data), np.sort(shuffled[:, j].data))
    assert (m != shuffled).nnz > 0


def test_structure_vs_null_finds_planted_topics_and_not_noise(planted):
    _, tokens, tfidf, _ = planted
    table, structure = structure_vs_null(tfidf, 3, random_state=SEED, n_null=3, tokens=tokens)
    assert structure and table["above_null"].all()
    assert list(table["statistic"]) == ["coherence_npmi", "stability"]
    # noise: every turn draws 6 words from one shared 30-word vocabulary
    rng = np.random.default_rng(SEED)
    vocab = [w for v in VOCABS.values() for w in v]
    noise = make_turns([("A市", "member", " ".join(rng.choice(vocab, 6, replace=False))) for _ in range(90)])
    ntok = make_tokens(noise)
    table, structure = structure_vs_null(tfidf_matrix(ntok), 3, random_state=SEED, n_null=3, tokens=ntok)
    assert not structure
