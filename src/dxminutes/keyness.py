"""Distinctive vocabulary: one-vs-rest G² keyness, BH q-values, TF-IDF, group similarity.

Groups are any column(s) of the token table (`municipality` by default; `role_group` is derived
from `role`; other turn columns are joined from `turns` by turn_id). Every group is compared
with the rest of the corpus, and all groups come back in one long table, untruncated.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse
from scipy import stats as sps
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform
from scipy.special import xlogy
from sklearn.feature_extraction.text import TfidfTransformer

from dxminutes.dtm import term_counts
from dxminutes.stats import Group, prepare_groups

KEYNESS_COLUMNS = ["term", "target_count", "reference_count", "target_total", "reference_total",
                   "target_rate_per_10k", "reference_rate_per_10k", "tfidf", "g2", "p", "q",
                   "n_turns_target", "log_ratio"]


def g2_statistic(a, b, c, d) -> np.ndarray:
    """Signed log-likelihood G² (Rayson & Garside 2000) of a term's counts.

    a, b: the term's count in the target and the reference; c, d: their total token counts.
    E1 = c(a+b)/(c+d), E2 = d(a+b)/(c+d), G² = 2(a ln(a/E1) + b ln(b/E2)) with 0·ln 0 = 0;
    positive when the term is relatively more frequent in the target, negative otherwise.
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * (xlogy(a, a / e1) + xlogy(b, b / e2))
    return np.where(a * d >= b * c, g2, -g2)


def log_ratio(a, b, c, d) -> np.ndarray:
    """Hardie's Log Ratio: log2 of the ratio of relative frequencies, zero counts set to 0.5."""
    a, b = (np.where(np.asarray(x, dtype=float) == 0, 0.5, np.asarray(x, dtype=float)) for x in (a, b))
    return np.log2((a / np.asarray(c, dtype=float)) / (b / np.asarray(d, dtype=float)))


def _with_groups(tokens: pd.DataFrame, group: Group, turns: pd.DataFrame | None):
    """Tokens with the group columns present (joined from `turns` when needed)."""
    cols = [group] if isinstance(group, str) else list(group)
    absent = [c for c in cols if c not in tokens.columns and c != "role_group"]
    if absent:
        if turns is None or any(c not in turns.columns for c in absent):
            raise ValueError(f"group column(s) {absent} are not in tokens; pass `turns` that has them")
        tokens = tokens.merge(turns[["turn_id", *absent]].drop_duplicates("turn_id"),
                              on="turn_id", how="left", validate="many_to_one")
    return prepare_groups(tokens, cols)


def _group_matrix(tokens: pd.DataFrame, cols: list[str]):
    """Tidy counts (cols, term, count, g, t) and the sparse groups × terms count matrix."""
    counts = term_counts(tokens, by=cols)
    groups = counts[cols].drop_duplicates().reset_index(drop=True)
    counts = counts.merge(groups.assign(g=np.arange(len(groups))), on=cols, how="left", sort=False)
    terms = np.sort(counts["term"].unique())
    counts["t"] = np.searchsorted(terms, counts["term"].to_numpy())
    matrix = scipy.sparse.csr_matrix(
        (counts["count"].to_numpy(dtype=float), (counts["g"].to_numpy(), counts["t"].to_numpy())),
        shape=(len(groups), len(terms)))
    return counts, matrix, groups


def _tfidf(matrix: scipy.sparse.csr_matrix) -> scipy.sparse.csr_matrix:
    """scikit-learn TF-IDF (smooth idf, l2 norm) with groups as documents."""
    return scipy.sparse.csr_matrix(TfidfTransformer().fit_transform(matrix))


def keyness(tokens: pd.DataFrame, *, group: Group = "municipality", min_count: int = 3,
            min_turns: int = 2, turns: pd.DataFrame | None = None) -> pd.DataFrame:
    """One-vs-rest keyness of every term in every group, in one long table.

    A term is kept for a group when it occurs at least `min_count` times there, in at least
    `min_turns` distinct turns (dispersion guard: one long speech cannot make a term key).
    Columns: group columns, term, target/reference counts, totals and rates per 10,000 tokens,
    tfidf (the term's weight in the group's document, groups as documents), g2 (signed), p
    (χ²₁ survival of |G²|), q (Benjamini–Hochberg within the group), n_turns_target, log_ratio.
    Sorted by group, then g2 descending, then term.
    """
    tokens, cols = _with_groups(tokens, group, turns)
    counts, matrix, groups = _group_matrix(tokens, cols)
    if len(groups) < 2:
        raise ValueError(f"keyness needs at least two groups of {cols}; found {len(groups)}")
    group_total = np.asarray(matrix.sum(axis=1)).ravel()
    term_total = np.asarray(matrix.sum(axis=0)).ravel()
    n_total = group_total.sum()
    spread = (tokens[[*cols, "turn_id", "term"]].drop_duplicates()
              .groupby([*cols, "term"], sort=False).size().rename("n_turns_target").reset_index())
    counts = counts.merge(spread, on=[*cols, "term"], how="left", sort=False)
    counts = counts[(counts["count"] >= min_count) & (counts["n_turns_target"] >= min_turns)]
    g, t = counts["g"].to_numpy(), counts["t"].to_numpy()
    a = counts["count"].to_numpy(dtype=float)
    b = term_total[t] - a
    c = group_total[g]
    d = n_total - c
    g2 = g2_statistic(a, b, c, d)
    out = counts[[*cols, "term"]].reset_index(drop=True).assign(
        target_count=a.astype("int64"), reference_count=b.astype("int64"),
        target_total=c.astype("int64"), reference_total=d.astype("int64"),
        target_rate_per_10k=a / c * 10_000, reference_rate_per_10k=b / d * 10_000,
        tfidf=np.asarray(_tfidf(matrix)[g, t]).ravel() if len(g) else np.zeros(0),
        g2=g2, p=sps.chi2.sf(np.abs(g2), df=1),
        n_turns_target=counts["n_turns_target"].to_numpy(dtype="int64"),
        log_ratio=log_ratio(a, b, c, d))
    out["q"] = np.nan
    for _, idx in out.groupby(cols, sort=False).indices.items():
        out.loc[out.index[idx], "q"] = sps.false_discovery_control(out["p"].to_numpy()[idx], method="bh")
    out = out.sort_values([*cols, "g2", "term"], ascending=[True] * len(cols) + [False, True],
                          kind="mergesort")
    return out[[*cols, *KEYNESS_COLUMNS]].reset_index(drop=True)


def keyness_within_themes(tokens: pd.DataFrame, coded: pd.DataFrame, **kwargs) -> pd.DataFrame:
    """`keyness` inside each theme: the corpus for theme T is the tokens of turns coded T.

    This compares how groups talk *when* they talk about the same theme (their framing).
    Themes whose coded turns come from fewer than two groups are left out. Adds `theme`.
    """
    frames = []
    for theme in pd.unique(coded["theme"]):
        ids = coded.loc[coded["theme"].eq(theme) & coded["coded"], "turn_id"]
        subset = tokens[tokens["turn_id"].isin(ids)]
        if subset.empty:
            continue
        try:
            frames.append(keyness(subset, **kwargs).assign(theme=theme))
        except ValueError as exc:
            if "at least two groups" not in str(exc):
                raise
    if not frames:
        return pd.DataFrame(columns=["theme", *KEYNESS_COLUMNS])
    out = pd.concat(frames, ignore_index=True)
    return out[["theme", *[c for c in out.columns if c != "theme"]]]


# --------------------------------------------------------------------------- similarity
def _labels(groups: pd.DataFrame) -> list[str]:
    return [" / ".join(str(v) for v in row) for row in groups.itertuples(index=False)]


def group_similarity(tokens: pd.DataFrame, group: Group = "municipality", *,
                     turns: pd.DataFrame | None = None) -> pd.DataFrame:
    """Pairwise cosine similarity of groups over TF-IDF (groups as documents).

    Tidy: group_a, group_b, cosine for every ordered pair including the diagonal (a tuple
    group is labelled "a / b"). Sorted by group_a, group_b.
    """
    tokens, cols = _with_groups(tokens, group, turns)
    _, matrix, groups = _group_matrix(tokens, cols)
    weights = _tfidf(matrix)
    cosine = np.clip((weights @ weights.T).toarray(), 0.0, 1.0)
    labels = np.array(_labels(groups), dtype=object)
    order = np.argsort(labels, kind="mergesort")
    labels, cosine = labels[order], cosine[np.ix_(order, order)]
    n = len(labels)
    return pd.DataFrame({"group_a": np.repeat(labels, n).astype(str),
                         "group_b": np.tile(labels, n).astype(str),
                         "cosine": cosine.ravel()})


@dataclass(frozen=True)
class ClusterResult:
    """Hierarchical clustering of groups, ready for `scipy.cluster.hierarchy.dendrogram`."""
    linkage: np.ndarray
    labels: list[str]  # row order of the linkage input
    leaf_order: list[int]  # indices into `labels`, left to right in the dendrogram
    leaf_labels: list[str]
    distance: pd.DataFrame  # square 1 − cosine matrix, labels × labels
    method: str


def cluster_groups(similarity: pd.DataFrame, method: str = "average") -> ClusterResult:
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
    return ClusterResult(link, labels, leaves, [labels[i] for i in leaves],
                         pd.DataFrame(distance, index=labels, columns=labels), method)
