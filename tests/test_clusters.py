import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_tokens, seed_tokens, seed_turns
from test_topics import VOCABS, planted_turns

from dxminutes.analysis.clusters import (
    cluster_by_group,
    cluster_terms,
    cluster_turns,
    representative_turns,
    structure_vs_null,
)
from dxminutes.text.dtm import count_matrix, tfidf_matrix

SEED = 5


@pytest.fixture(scope="module")
def planted():
    turns = planted_turns(n_per_group=20)
    tokens = make_tokens(turns)
    return turns, tokens, tfidf_matrix(tokens)


def test_planted_clusters_found_with_best_silhouette(planted):
    _, _, tfidf = planted
    for method in ("kmeans", "ward"):
        res = cluster_turns(tfidf, ks=range(2, 7), method=method, random_state=SEED)
        assert res.k == 3
        assert list(res.silhouette.columns) == ["k", "silhouette"]
        assert res.silhouette["k"].tolist() == [2, 3, 4, 5, 6]
        best = res.silhouette.set_index("k")["silhouette"]
        assert best.idxmax() == 3
        # every municipality's turns fall in one cluster, and clusters differ between them
        per_muni = res.assignments.groupby("municipality")["cluster"].agg(["nunique", "first"])
        assert (per_muni["nunique"] == 1).all()
        assert per_muni["first"].nunique() == 3


def test_assignments_columns_distances_and_numbering(planted):
    _, _, tfidf = planted
    res = cluster_turns(tfidf, k=3, random_state=SEED)
    a = res.assignments
    assert {"turn_id", "doc_id", "municipality", "role", "cluster", "distance"} <= set(a.columns)
    assert len(a) == 60
    assert set(a["cluster"]) == {1, 2, 3}
    sizes = a.groupby("cluster").size()
    assert sizes.is_monotonic_decreasing
    # distance is the Euclidean distance to the cluster mean of the embedding
    for c in (1, 2, 3):
        members = res.embedding[a["cluster"].to_numpy() == c]
        centroid = members.mean(axis=0)
        np.testing.assert_allclose(
            a.loc[a["cluster"] == c, "distance"], np.linalg.norm(members - centroid, axis=1), atol=1e-12
        )
    np.testing.assert_allclose(np.linalg.norm(res.embedding, axis=1), 1.0)


def test_determinism(planted):
    _, _, tfidf = planted
    a = cluster_turns(tfidf, ks=range(2, 6), random_state=SEED)
    b = cluster_turns(tfidf, ks=range(2, 6), random_state=SEED)
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    pd.testing.assert_frame_equal(a.silhouette, b.silhouette)


def test_cluster_by_group_and_terms(planted):
    _turns, tokens, tfidf = planted
    res = cluster_turns(tfidf, k=3, random_state=SEED)
    cross = cluster_by_group(res, by="municipality")
    assert list(cross.columns) == ["municipality", "cluster", "n", "share"]
    assert len(cross) == 9  # zero cells included
    assert cross.groupby("municipality")["share"].sum().to_numpy() == pytest.approx(np.ones(3))
    assert sorted(cross["n"].tolist()) == [0] * 6 + [20] * 3
    by_role = cluster_by_group(res, by="role")
    assert set(by_role["role"]) == {"member", "official"}

    terms = cluster_terms(res, tfidf, n=5)
    assert list(terms.columns) == ["cluster", "rank", "term", "mean_tfidf"]
    muni_of_cluster = res.assignments.groupby("cluster")["municipality"].first()
    for c, grp in terms.groupby("cluster"):
        assert set(grp["term"]) <= set(VOCABS[muni_of_cluster[c]])
        assert grp["mean_tfidf"].is_monotonic_decreasing
    # another weighting of the same rows is matched by turn_id, even in another row order
    counts = count_matrix(tokens, rows=tfidf.rows.iloc[::-1])
    by_counts = cluster_terms(res, counts, n=3)
    for c, grp in by_counts.groupby("cluster"):
        assert set(grp["term"]) <= set(VOCABS[muni_of_cluster[c]])


def test_representative_turns(planted):
    turns, _, tfidf = planted
    res = cluster_turns(tfidf, k=3, random_state=SEED)
    rep = representative_turns(res, turns, n=2, excerpt_chars=5)
    assert list(rep.columns) == [
        "cluster",
        "rank",
        "turn_id",
        "doc_id",
        "municipality",
        "meeting_date",
        "speaker",
        "role",
        "distance",
        "excerpt",
    ]
    assert len(rep) == 6
    for c, grp in rep.groupby("cluster"):
        members = res.assignments[res.assignments["cluster"] == c]
        assert grp["distance"].tolist() == sorted(members["distance"])[:2]
        assert grp["rank"].tolist() == [1, 2]
    text = dict(zip(turns["turn_id"], turns["text"]))
    first = rep.iloc[0]
    assert first["excerpt"] == text[first["turn_id"]][:5] + "…"


def test_empty_rows_left_out_and_small_input(planted):
    turns, tokens, _ = planted
    rows = pd.concat(
        [turns, turns.iloc[:1].assign(turn_id="doc-x:0000", municipality="X")], ignore_index=True
    )
    tfidf = tfidf_matrix(tokens, rows=rows[["turn_id", "doc_id", "municipality", "role"]])
    res = cluster_turns(tfidf, k=3, random_state=SEED)
    assert "doc-x:0000" not in set(res.assignments["turn_id"])
    tiny = tfidf_matrix(tokens[tokens["turn_id"].isin(turns["turn_id"].iloc[:2])])
    with pytest.raises(ValueError):
        cluster_turns(tiny, random_state=SEED)
    with pytest.raises(ValueError):
        cluster_turns(tfidf, method="dbscan", random_state=SEED)


@pytest.mark.slow
def test_seed_minutes_clusters_and_representatives():
    turns, tokens = seed_turns(), seed_tokens()
    tfidf = tfidf_matrix(tokens, min_df=2)
    res = cluster_turns(tfidf, random_state=SEED)
    assert res.k == res.silhouette.set_index("k")["silhouette"].idxmax()
    assert set(res.assignments["turn_id"]) <= set(turns["turn_id"])
    rep = representative_turns(res, turns, n=2)
    assert rep["speaker"].notna().all()
    merged = rep.merge(turns[["turn_id", "municipality", "speaker"]], on="turn_id", suffixes=("", "_turns"))
    assert (merged["municipality"] == merged["municipality_turns"]).all()
    assert (merged["speaker"] == merged["speaker_turns"]).all()


@pytest.mark.slow
def test_structure_vs_null_sees_planted_clusters_and_not_noise(planted):
    _, _, tfidf = planted
    table, structure = structure_vs_null(tfidf, ks=range(2, 5), n_null=3, random_state=SEED)
    assert structure and table.set_index("k").loc[3, "above_null"]
    assert list(table.columns) == [
        "k",
        "silhouette",
        "null_mean",
        "null_sd",
        "null_max",
        "n_null",
        "z",
        "above_null",
    ]
    rng = np.random.default_rng(SEED)
    vocab = [w for v in VOCABS.values() for w in v]
    from analysis_fixtures import make_turns

    noise = make_turns([("A市", "member", " ".join(rng.choice(vocab, 6, replace=False))) for _ in range(60)])
    table, structure = structure_vs_null(
        tfidf_matrix(make_tokens(noise)), ks=range(2, 5), n_null=3, random_state=SEED
    )
    assert not structure
    assert (table["silhouette"] - table["null_mean"]).abs().max() < 0.05  # noise looks like its shuffle
