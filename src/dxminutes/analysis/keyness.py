"""Distinctive vocabulary: one-vs-rest G² keyness, BH q-values, TF-IDF, group similarity.

Groups are any column(s) of the token table (`municipality` by default; `role_group` is derived
from `role`; other turn columns are joined from `turns` by turn_id). Every group is compared
with the rest of the corpus, and all groups come back in one long table, untruncated.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.special import xlogy

from dxminutes.analysis.groups import Group, group_matrix, group_tfidf, with_groups

KEYNESS_COLUMNS = [
    "term",
    "target_count",
    "reference_count",
    "target_total",
    "reference_total",
    "target_rate_per_10k",
    "reference_rate_per_10k",
    "tfidf",
    "g2",
    "p",
    "q",
    "n_turns_target",
    "log_ratio",
]


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


def keyness(
    tokens: pd.DataFrame,
    *,
    by: Group = "municipality",
    min_count: int = 3,
    min_turns: int = 2,
    turns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One-vs-rest keyness of every term in every group, in one long table.

    A term is kept for a group when it occurs at least `min_count` times there, in at least
    `min_turns` distinct turns (dispersion guard: one long speech cannot make a term key).
    Columns: group columns, term, target/reference counts, totals and rates per 10,000 tokens,
    tfidf (the term's weight in the group's document, groups as documents), g2 (signed), p
    (χ²₁ survival of |G²|), q (Benjamini–Hochberg within the group), n_turns_target, log_ratio.
    Sorted by group, then g2 descending, then term.
    """
    tokens, cols = with_groups(tokens, by, turns)
    counts, matrix, groups = group_matrix(tokens, cols)
    if len(groups) < 2:
        raise ValueError(f"keyness needs at least two groups of {cols}; found {len(groups)}")
    group_total = np.asarray(matrix.sum(axis=1)).ravel()
    term_total = np.asarray(matrix.sum(axis=0)).ravel()
    n_total = group_total.sum()
    spread = (
        tokens[[*cols, "turn_id", "term"]]
        .drop_duplicates()
        .groupby([*cols, "term"], sort=False)
        .size()
        .rename("n_turns_target")
        .reset_index()
    )
    counts = counts.merge(spread, on=[*cols, "term"], how="left", sort=False)
    counts = counts[(counts["count"] >= min_count) & (counts["n_turns_target"] >= min_turns)]
    g, t = counts["g"].to_numpy(), counts["t"].to_numpy()
    a = counts["count"].to_numpy(dtype=float)
    b = term_total[t] - a
    c = group_total[g]
    d = n_total - c
    g2 = g2_statistic(a, b, c, d)
    out = (
        counts[[*cols, "term"]]
        .reset_index(drop=True)
        .assign(
            target_count=a.astype("int64"),
            reference_count=b.astype("int64"),
            target_total=c.astype("int64"),
            reference_total=d.astype("int64"),
            target_rate_per_10k=a / c * 10_000,
            reference_rate_per_10k=b / d * 10_000,
            tfidf=np.asarray(group_tfidf(matrix)[g, t]).ravel() if len(g) else np.zeros(0),
            g2=g2,
            p=sps.chi2.sf(np.abs(g2), df=1),
            n_turns_target=counts["n_turns_target"].to_numpy(dtype="int64"),
            log_ratio=log_ratio(a, b, c, d),
        )
    )
    out["q"] = np.nan
    for _, idx in out.groupby(cols, sort=False).indices.items():
        out.loc[out.index[idx], "q"] = sps.false_discovery_control(out["p"].to_numpy()[idx], method="bh")
    out = out.sort_values(
        [*cols, "g2", "term"], ascending=[True] * len(cols) + [False, True], kind="mergesort"
    )
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
