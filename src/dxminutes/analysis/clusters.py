"""Clustering of turns (or documents) by their vocabulary.

The TF-IDF DTM is reduced with a seeded TruncatedSVD (latent semantic analysis), rows are
L2-normalized (so Euclidean distance ranks like cosine distance), and the rows are clustered with
k-means (``n_init=10``, seeded) or Ward's agglomerative method. Rows without any term are left
out (they carry no information and would form a cluster at the origin). K is the one with the
best silhouette over ``ks`` unless given; ties go to the smaller K. Clusters are numbered
1 … K by decreasing size (ties by their first row), so numbering does not depend on the
algorithm's internal label order.

A silhouette means little on its own: on sparse TF-IDF rows even shuffled data give a small
positive one. `structure_vs_null` runs the same pipeline on shuffled copies of the DTM (each
term's column permuted across turns) and says whether the real silhouette is above every
shuffled one; when not, the report says "no clear structure" instead of interpreting clusters.
"""

from __future__ import annotations

__all__ = ["METHODS", "SILHOUETTE_SAMPLE", "Z_ABOVE_NULL", "TurnClustering", "cluster_by_group", "cluster_terms", "cluster_turns", "representative_turns", "structure_vs_null"]  # fmt: skip

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize

from dxminutes.config import layout_round
from dxminutes.text.dtm import DTM, LEVELS

METHODS = ("kmeans", "ward")
#: silhouette is O(n²); above this many rows it is computed on a seeded sample of this size.
SILHOUETTE_SAMPLE = 3000
#: A statistic counts as above its shuffled baseline when it beats every shuffled copy and lies
#: this many null standard deviations above their mean.
Z_ABOVE_NULL = 2.0


@dataclass(frozen=True)
class TurnClustering:
    """Result of `cluster_turns`.

    ``assignments``: the DTM row metadata (turn_id, doc_id, municipality, role, …), cluster
    (1-based), distance (Euclidean distance to the cluster centroid in the normalized reduced
    space). ``silhouette``: k, silhouette for every K tried. ``embedding``: the normalized
    reduced vectors of the clustered rows (same order as ``assignments``); ``centroids``: K ×
    components.
    """

    assignments: pd.DataFrame
    silhouette: pd.DataFrame
    k: int
    method: str
    level: str
    embedding: np.ndarray
    centroids: np.ndarray


def _labels(x: np.ndarray, k: int, method: str, random_state: int) -> np.ndarray:
    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=10, random_state=random_state).fit_predict(x)
    if method == "ward":
        return AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")


def _silhouette(x: np.ndarray, labels: np.ndarray, random_state: int) -> float:
    n_labels = len(np.unique(labels))
    if n_labels < 2 or n_labels > len(x) - 1:  # the silhouette is defined for 2 … n − 1 clusters
        return float("nan")
    sample = SILHOUETTE_SAMPLE if len(x) > SILHOUETTE_SAMPLE else None
    return float(silhouette_score(x, labels, sample_size=sample, random_state=random_state))


def _best_k(table: pd.DataFrame) -> int:
    """The K of the highest silhouette (compared at `config.LAYOUT_DIGITS` digits, so a
    last-digit change cannot pick another K; ties go to the first row)."""
    score = layout_round(table["silhouette"].fillna(-np.inf).to_numpy(dtype=float))
    return int(table["k"].iloc[int(np.argmax(score))])


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Cluster numbers 1 … K by decreasing size, ties by first occurrence."""
    uniq, first, counts = np.unique(labels, return_index=True, return_counts=True)
    order = np.lexsort((first, -counts))
    mapping = {uniq[o]: rank + 1 for rank, o in enumerate(order)}
    return np.array([mapping[lab] for lab in labels])


def cluster_turns(
    dtm_tfidf: DTM,
    *,
    k: int | None = None,
    ks=range(2, 11),
    method: str = "kmeans",
    n_components: int = 50,
    random_state: int,
) -> TurnClustering:
    """Cluster the rows of a TF-IDF DTM (see the module docstring).

    ``n_components`` is capped at min(rows, terms) − 1. ``ks`` candidates ≥ the number of
    non-empty rows are skipped. With ``k`` given, the silhouette table still lists every K of
    ``ks`` plus ``k`` so the choice can be reviewed.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    matrix = dtm_tfidf.matrix.tocsr()
    nonempty = np.flatnonzero(matrix.getnnz(axis=1) > 0)
    if len(nonempty) < 3:
        raise ValueError(f"cluster_turns needs at least 3 rows with terms, got {len(nonempty)}")
    x = matrix[nonempty]
    n_comp = max(1, min(n_components, x.shape[0] - 1, x.shape[1] - 1))
    reduced = TruncatedSVD(n_components=n_comp, random_state=random_state).fit_transform(x)
    emb = normalize(reduced)

    candidates = sorted({kk for kk in ks if 2 <= kk < len(nonempty)} | ({k} if k is not None else set()))
    if not candidates:
        raise ValueError(f"no candidate K below the number of non-empty rows ({len(nonempty)})")
    labels_by_k = {kk: _labels(emb, kk, method, random_state) for kk in candidates}
    sil = pd.DataFrame(
        {
            "k": candidates,
            "silhouette": [_silhouette(emb, labels_by_k[kk], random_state) for kk in candidates],
        }
    )
    if k is None:
        k = _best_k(sil)

    labels = _renumber(labels_by_k[k])
    centroids = np.vstack([emb[labels == c].mean(axis=0) for c in range(1, k + 1)])
    distance = np.linalg.norm(emb - centroids[labels - 1], axis=1)
    assignments = (
        dtm_tfidf.rows.iloc[nonempty].reset_index(drop=True).assign(cluster=labels, distance=distance)
    )
    return TurnClustering(assignments, sil, k, method, dtm_tfidf.level, emb, centroids)


def _embed(matrix, n_components: int, random_state: int) -> np.ndarray:
    x = matrix.tocsr()
    x = x[np.flatnonzero(x.getnnz(axis=1) > 0)]
    n_comp = max(1, min(n_components, x.shape[0] - 1, x.shape[1] - 1))
    return normalize(TruncatedSVD(n_components=n_comp, random_state=random_state).fit_transform(x))


def structure_vs_null(
    dtm_tfidf: DTM,
    *,
    ks=range(2, 11),
    k: int | None = None,
    method: str = "kmeans",
    n_components: int = 50,
    n_null: int = 10,
    random_state: int,
) -> tuple[pd.DataFrame, bool]:
    """Silhouette per K on the data and on `n_null` shuffled copies (same pipeline, same seed).

    The null permutes every term's column across rows (`topics.permute_columns`: each term keeps
    its number of turns and weights; which terms share a turn is destroyed). Returns the table
    (k, silhouette, null_mean, null_sd, null_max, n_null, z, above_null) and a boolean for K =
    `k` (or the K `cluster_turns` would choose): True only when its silhouette is above every
    shuffled copy's and more than `Z_ABOVE_NULL` null standard deviations above their mean,
    i.e. structure above a shuffled baseline.
    """
    from dxminutes.analysis.topics import permute_columns

    rng = np.random.default_rng(random_state)
    emb = _embed(dtm_tfidf.matrix, n_components, random_state)
    candidates = sorted({kk for kk in ks if 2 <= kk < len(emb)} | ({k} if k is not None else set()))
    observed = {
        kk: _silhouette(emb, _labels(emb, kk, method, random_state), random_state) for kk in candidates
    }
    null = {kk: [] for kk in candidates}
    for _ in range(n_null):
        e0 = _embed(permute_columns(dtm_tfidf.matrix, rng), n_components, random_state)
        for kk in candidates:
            null[kk].append(_silhouette(e0, _labels(e0, kk, method, random_state), random_state))
    table = pd.DataFrame(
        {
            "k": candidates,
            "silhouette": [observed[kk] for kk in candidates],
            "null_mean": [float(np.mean(null[kk])) for kk in candidates],
            "null_sd": [float(np.std(null[kk], ddof=1)) if n_null > 1 else np.nan for kk in candidates],
            "null_max": [float(np.max(null[kk])) for kk in candidates],
            "n_null": n_null,
        }
    )
    table["z"] = (table["silhouette"] - table["null_mean"]) / table["null_sd"]
    table["above_null"] = (table["silhouette"] > table["null_max"]) & (table["z"] > Z_ABOVE_NULL)
    if k is None:
        k = _best_k(table)
    return table, bool(table.set_index("k").loc[k, "above_null"])


def cluster_by_group(result: TurnClustering, by: str = "municipality") -> pd.DataFrame:
    """Tidy crosstab: [by], cluster, n, share (of the group's clustered rows), with zero cells."""
    a = result.assignments
    table = pd.crosstab(a[by], a["cluster"]).reindex(columns=range(1, result.k + 1), fill_value=0)
    long = table.stack().rename("n").reset_index()
    long["n"] = long["n"].astype("int64")
    long["share"] = long["n"] / long.groupby(by)["n"].transform("sum")
    return long.sort_values([by, "cluster"], kind="mergesort").reset_index(drop=True)[
        [by, "cluster", "n", "share"]
    ]


def representative_turns(
    result: TurnClustering, turns: pd.DataFrame, n: int = 3, *, excerpt_chars: int = 120
) -> pd.DataFrame:
    """The ``n`` turns closest to each cluster centroid, with their metadata and a text excerpt.

    Columns: cluster, rank, turn_id, doc_id, municipality, meeting_date, speaker, role,
    distance, excerpt (the first ``excerpt_chars`` characters with whitespace runs as one space,
    "…" when cut).
    """
    if "turn_id" not in result.assignments.columns:
        raise ValueError("representative_turns needs a turn-level clustering")
    a = result.assignments[["turn_id", "cluster", "distance"]]
    a = a.sort_values(["cluster", "distance", "turn_id"], kind="mergesort")
    a = a.groupby("cluster", sort=True).head(n)
    a = a.assign(rank=a.groupby("cluster").cumcount() + 1)
    meta = ["turn_id", "doc_id", "municipality", "meeting_date", "speaker", "role", "text"]
    out = a.merge(turns[[c for c in meta if c in turns.columns]], on="turn_id", how="left")
    text = out["text"].fillna("").str.replace(r"\s+", " ", regex=True)
    out["excerpt"] = text.str.slice(0, excerpt_chars) + np.where(text.str.len() > excerpt_chars, "…", "")
    cols = ["cluster", "rank", *[c for c in meta if c in out.columns and c != "text"], "distance", "excerpt"]
    return out[cols].reset_index(drop=True)


def cluster_terms(result: TurnClustering, dtm: DTM, n: int = 10) -> pd.DataFrame:
    """Top terms per cluster by mean TF-IDF over the cluster's rows: cluster, rank, term, mean_tfidf.

    ``dtm`` is matched to the clustering by the level's key column (e.g. turn_id), so it may be
    another weighting of the same rows.
    """
    key = LEVELS[result.level][0]
    pos = pd.Series(np.arange(len(dtm.rows)), index=dtm.rows[key].to_numpy())
    assigned = result.assignments[[key, "cluster"]]
    assigned = assigned.loc[assigned[key].isin(pos.index)]
    matrix = dtm.matrix.tocsr()
    terms = np.asarray(dtm.terms, dtype=str)
    records = []
    for c in range(1, result.k + 1):
        rows = pos.loc[assigned.loc[assigned["cluster"] == c, key]].to_numpy()
        if len(rows) == 0:
            continue
        means = np.asarray(matrix[rows].mean(axis=0)).ravel()
        order = np.lexsort((terms, -layout_round(means, each=True)))  # last digits cannot reorder
        order = order[means[order] > 0][:n]
        records += [(c, rank + 1, terms[j], float(means[j])) for rank, j in enumerate(order)]
    return pd.DataFrame(records, columns=["cluster", "rank", "term", "mean_tfidf"])
