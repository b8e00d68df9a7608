"""Similarity of groups (cosine over TF-IDF, groups as documents) and their hierarchical clustering."""

from __future__ import annotations

__all__ = ["GroupClustering", "cluster_groups", "group_similarity"]

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from dxminutes.analysis.groups import Group, group_matrix, group_tfidf, with_groups


def _labels(groups: pd.DataFrame) -> list[str]:
    return [" / ".join(str(v) for v in row) for row in groups.itertuples(index=False)]


def group_similarity(
    tokens: pd.DataFrame, by: Group = "municipality", *, turns: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Pairwise cosine similarity of groups over TF-IDF (groups as documents).

    Tidy: group_a, group_b, cosine for every ordered pair including the diagonal (a tuple
    group is labelled "a / b"). Sorted by group_a, group_b.
    """
    tokens, cols = with_groups(tokens, by, turns)
    _, matrix, groups = group_matrix(tokens, cols)
    weights = group_tfidf(matrix)
    cosine = np.clip((weights @ weights.T).toarray(), 0.0, 1.0)
    labels = np.array(_labels(groups), dtype=object)
    order = np.argsort(labels, kind="mergesort")
    labels, cosine = labels[order], cosine[np.ix_(order, order)]
    n = len(labels)
    return pd.DataFrame(
        {
            "group_a": np.repeat(labels, n).astype(str),
            "group_b": np.tile(labels, n).astype(str),
            "cosine": cosine.ravel(),
        }
    )


@dataclass(frozen=True)
class GroupClustering:
    """Hierarchical clustering of groups, ready for `scipy.cluster.hierarchy.dendrogram`."""

    linkage: np.ndarray
    labels: list[str]  # row order of the linkage input
    leaf_order: list[int]  # indices into `labels`, left to right in the dendrogram
    leaf_labels: list[str]
    distance: pd.DataFrame  # square 1 − cosine matrix, labels × labels
    method: str


def cluster_groups(similarity: pd.DataFrame, method: str = "average") -> GroupClustering:
    """Agglomerative clustering on 1 − cosine of a `group_similarity` table."""
    square = similarity.pivot(index="group_a", columns="group_b", values="cosine")
    labels = sorted(square.index)
    if len(labels) < 2:
        raise ValueError("clustering needs at least two groups")
    square = square.loc[labels, labels]
    distance = 1.0 - square.to_numpy(dtype=float)
    distance = np.clip((distance + distance.T) / 2, 0.0, None)
    np.fill_diagonal(distance, 0.0)
    link = hierarchy.linkage(squareform(distance, checks=False), method=method)
    leaves = [int(i) for i in hierarchy.leaves_list(link)]
    return GroupClustering(
        link,
        labels,
        leaves,
        [labels[i] for i in leaves],
        pd.DataFrame(distance, index=labels, columns=labels),
        method,
    )
