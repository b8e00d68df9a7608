"""Collocations: ordered term pairs that occur next to each other within a speaker turn.

The token table already dropped stopwords, numbers and symbols, so "adjacent" means adjacent
among the *counted terms* of a turn (``i`` order), not adjacent in the raw text: in
「情報の セキュリティを 確保」 the terms 情報 → セキュリティ → 確保 are adjacent pairs. With
``window > 2`` every ordered pair at most ``window - 1`` terms apart counts once. Pairs never
cross turn boundaries.

Association measures use the 2 × 2 table of pair positions (Evert 2005): ``N`` pair positions
in the group, ``count`` = O11 positions with (w1, w2), ``w1_count`` = positions with w1 first,
``w2_count`` = positions with w2 second.

* ``pmi`` = log2(O11 · N / (w1_count · w2_count))
* ``npmi`` = pmi / −log2(O11 / N), in [−1, 1]
* ``llr`` = Dunning's G² = 2 Σ O · ln(O / E) over the four cells (0 · ln 0 = 0)
"""

from __future__ import annotations

__all__ = ["MEASURES", "collocations"]

from collections.abc import Sequence

import numpy as np
import pandas as pd

MEASURES = ("llr", "pmi", "npmi", "count")


def _pairs(tokens: pd.DataFrame, window: int, group_cols: list[str]) -> pd.DataFrame:
    """All ordered (w1, w2) pairs at distance 1 … window−1 within each turn."""
    cols = ["turn_id", "i", "term", *[c for c in group_cols if c != "turn_id"]]
    tok = tokens.loc[tokens["term"].notna() & (tokens["term"] != ""), cols]
    tok = tok.sort_values(["turn_id", "i"], kind="mergesort").reset_index(drop=True)
    by_turn = tok.groupby("turn_id", sort=False)["term"]
    parts = []
    for offset in range(1, window):
        nxt = by_turn.shift(-offset)
        keep = nxt.notna()
        part = tok.loc[keep, group_cols].copy()
        part["w1"] = tok.loc[keep, "term"].to_numpy()
        part["w2"] = nxt[keep].to_numpy()
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _g2(o11, o12, o21, o22) -> np.ndarray:
    """Dunning's log-likelihood ratio G² for arrays of 2 × 2 tables."""
    obs = np.stack([o11, o12, o21, o22]).astype(float)
    n = obs.sum(axis=0)
    r1, r2 = o11 + o12, o21 + o22
    c1, c2 = o11 + o21, o12 + o22
    exp = np.stack([r1 * c1, r1 * c2, r2 * c1, r2 * c2]).astype(float) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(obs > 0, obs * np.log(obs / exp), 0.0)
    return 2.0 * terms.sum(axis=0)


def collocations(
    tokens: pd.DataFrame,
    *,
    min_count: int = 3,
    measure: str = "llr",
    by: str | Sequence[str] | None = None,
    window: int = 2,
) -> pd.DataFrame:
    """Ordered term pairs within turns with frequency, PMI, NPMI and G² (see module docstring).

    Parameters
    ----------
    tokens : the token table (turn_id, i, term, plus the ``by`` columns).
    min_count : keep pairs seen at least this often (per group when ``by`` is given).
    measure : ``"llr"``, ``"pmi"``, ``"npmi"`` or ``"count"``; the sort key (descending).
    by : a column (or columns) such as ``"municipality"``; statistics are computed per group
        and the group columns lead the result.
    window : 2 = adjacent terms only; up to 5 counts pairs up to ``window − 1`` terms apart.

    Returns a DataFrame: [by…], w1, w2, count, w1_count, w2_count, pmi, npmi, llr, sorted by
    group, then the measure descending, then count descending, w1, w2.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    if not 2 <= window <= 5:
        raise ValueError(f"window must be between 2 and 5, got {window}")
    group_cols = [by] if isinstance(by, str) else list(by or [])
    columns = [*group_cols, "w1", "w2", "count", "w1_count", "w2_count", "pmi", "npmi", "llr"]
    pairs = _pairs(tokens, window, group_cols)
    if pairs.empty:
        return pd.DataFrame(columns=columns)

    keys = [*group_cols, "w1", "w2"]
    table = pairs.groupby(keys, sort=True).size().rename("count").reset_index()
    table["n"] = table.groupby(group_cols)["count"].transform("sum") if group_cols else table["count"].sum()
    table["w1_count"] = table.groupby([*group_cols, "w1"])["count"].transform("sum")
    table["w2_count"] = table.groupby([*group_cols, "w2"])["count"].transform("sum")
    table = table.loc[table["count"] >= min_count].reset_index(drop=True)

    n = table["n"].to_numpy(dtype=float)
    o11 = table["count"].to_numpy(dtype=float)
    r1 = table["w1_count"].to_numpy(dtype=float)
    c1 = table["w2_count"].to_numpy(dtype=float)
    table["pmi"] = np.log2(o11 * n / (r1 * c1))
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = -np.log2(o11 / n)
        table["npmi"] = np.where(denom > 0, table["pmi"] / np.where(denom > 0, denom, 1.0), 1.0)
    table["llr"] = _g2(o11, r1 - o11, c1 - o11, n - r1 - c1 + o11)

    sort_cols = [*group_cols, measure] + ([] if measure == "count" else ["count"]) + ["w1", "w2"]
    ascending = [True] * len(group_cols) + [False] * (len(sort_cols) - len(group_cols) - 2) + [True, True]
    table = table.sort_values(sort_cols, ascending=ascending, kind="mergesort")
    return table[columns].reset_index(drop=True)
