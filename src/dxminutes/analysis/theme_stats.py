"""Municipality × theme statistics: shares with bootstrap intervals, χ² tests, residuals.

Every function takes the long coding table of `themes.code_turns` (one row per turn × theme).
`by` is a column name or a tuple of column names, e.g. ``("municipality", "role_group")``;
`role_group` is derived from `role` when absent, so what members press on can be told apart
from what the administration presents. Output tables carry the group columns under their
own names (e.g. `municipality`, `role_group`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from dxminutes.analysis.groups import Group, prepare_groups

#: Upper bound on bootstrap index cells drawn at once (memory stays bounded, time linear).
MAX_DRAW_CELLS = 2_000_000


def _theme_order(coded: pd.DataFrame) -> list[str]:
    return list(pd.unique(coded["theme"]))


def _wide(coded: pd.DataFrame, cols: list[str], value: str = "coded") -> pd.DataFrame:
    """Turns × themes (index: group columns + turn_id)."""
    wide = coded.set_index([*cols, "turn_id", "theme"])[value].unstack("theme")
    return wide.reindex(columns=_theme_order(coded)).fillna(0).sort_index(kind="mergesort")


# --------------------------------------------------------------------------- shares
def theme_shares(
    coded: pd.DataFrame,
    tokens: pd.DataFrame | None = None,
    *,
    by: Group = "municipality",
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int | np.random.Generator | None,
) -> pd.DataFrame:
    """Share of a group's turns coded with each theme, with a percentile bootstrap interval.

    Turns are resampled with replacement within each group (`n_boot` replicates drawn from
    `numpy.random.default_rng(random_state)` in sorted group order, so reruns are identical).
    Columns: group columns, theme, turns, coded_turns, share, ci_low, ci_high, n_hits, and when
    `tokens` is given n_tokens and rate_per_10k (theme hits per 10,000 tokens of the group).
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must lie in (0, 1), got {ci}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    coded, cols = prepare_groups(coded, by)
    rng = np.random.default_rng(random_state)
    themes = _theme_order(coded)
    coded_wide = _wide(coded, cols).astype(bool)
    hits_wide = _wide(coded, cols, "n_hits")
    alpha = (1 - ci) / 2
    rows = []
    for key, block in coded_wide.groupby(level=cols, sort=True):
        x = block.to_numpy(dtype=np.int64)
        boot = bootstrap_means(x, n_boot, rng)
        low, high = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        hits = hits_wide.loc[block.index].to_numpy().sum(axis=0)
        key = key if isinstance(key, tuple) else (key,)
        for j, theme in enumerate(themes):
            rows.append(
                (*key, theme, len(x), int(x[:, j].sum()), x[:, j].mean(), low[j], high[j], int(hits[j]))
            )
    out = pd.DataFrame(
        rows, columns=[*cols, "theme", "turns", "coded_turns", "share", "ci_low", "ci_high", "n_hits"]
    )
    if tokens is not None:
        out = _add_rates(out, coded, tokens, cols)
    return out


def bootstrap_means(x: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Column means of `x` (n × k) over `n_boot` resamples of its rows → (n_boot × k).

    Draws index matrices in chunks of at most MAX_DRAW_CELLS cells, so memory is bounded and
    time grows linearly with n; there is no Python loop per replicate.
    """
    n, k = x.shape
    out = np.empty((n_boot, k))
    chunk = max(1, MAX_DRAW_CELLS // max(n, 1))
    for first in range(0, n_boot, chunk):
        m = min(chunk, n_boot - first)
        idx = rng.integers(0, n, size=(m, n))
        for j in range(k):
            out[first : first + m, j] = x[idx, j].mean(axis=1)
    return out


def _add_rates(out: pd.DataFrame, coded: pd.DataFrame, tokens: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    per_turn = tokens.groupby("turn_id", sort=False).size().rename("n_tokens").reset_index()
    turn_groups = coded[["turn_id", *cols]].drop_duplicates("turn_id")
    sizes = (
        turn_groups.merge(per_turn, on="turn_id", how="left")
        .fillna({"n_tokens": 0})
        .groupby(cols, sort=False)["n_tokens"]
        .sum()
        .astype("int64")
        .reset_index()
    )
    out = out.merge(sizes, on=cols, how="left", sort=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate_per_10k"] = np.where(out["n_tokens"] > 0, out["n_hits"] / out["n_tokens"] * 10_000, np.nan)
    return out


# --------------------------------------------------------------------------- chi-square
@dataclass(frozen=True)
class Chi2Result:
    """χ² test of a groups × themes table; `table` is tidy (one row per cell)."""

    table: pd.DataFrame
    chi2: float
    dof: int
    p_value: float
    cramers_v: float
    n: int


def chi2_arrays(observed: np.ndarray) -> dict:
    """Pearson χ² (no continuity correction), expected counts, Cramér's V and Haberman's
    adjusted standardized residuals (O−E)/sqrt(E·(1−row/N)·(1−col/N)) of a 2-D table.

    All-zero rows and columns are left out of χ², dof and V; their residuals are NaN.
    """
    o = np.asarray(observed, dtype=float)
    n = o.sum()
    rows, cols = o.sum(axis=1), o.sum(axis=0)
    expected = np.outer(rows, cols) / n if n > 0 else np.zeros_like(o)
    r, c = int((rows > 0).sum()), int((cols > 0).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(expected > 0, (o - expected) ** 2 / expected, 0.0)
        resid = (o - expected) / np.sqrt(expected * np.outer(1 - rows / n, 1 - cols / n))
    resid = np.where(np.isfinite(resid), resid, np.nan)
    chi2 = float(cells.sum())
    dof = (r - 1) * (c - 1) if r and c else 0
    p = float(sps.chi2.sf(chi2, dof)) if dof > 0 else 1.0
    v = float(np.sqrt(chi2 / (n * (min(r, c) - 1)))) if min(r, c) > 1 else float("nan")
    return {
        "expected": expected,
        "chi2": chi2,
        "dof": dof,
        "p": p,
        "cramers_v": v,
        "residual": resid,
        "n": round(n),
    }


def _cell_p(resid: np.ndarray) -> np.ndarray:
    return 2 * sps.norm.sf(np.abs(resid))


def crosstab_chi2(
    coded: pd.DataFrame, *, by: Group = "municipality", unit: str = "turns", alpha: float = 0.05
) -> Chi2Result:
    """χ² test of independence of groups × themes, with adjusted residuals per cell.

    With unit="turns" a cell counts the group's turns coded with the theme; with unit="hits"
    it counts theme hits. Themes are not mutually exclusive (a turn can carry several), so the
    table counts turn–theme codings and the test treats codings as independent observations:
    an approximation. `theme_by_group_tests` gives per-theme tests that are exact in this
    respect. Cells: observed, expected, adjusted_residual, p_cell (two-sided normal),
    significant (p_cell < alpha, unadjusted for multiple cells).
    """
    if unit not in ("turns", "hits"):
        raise ValueError(f"unit must be 'turns' or 'hits', got {unit!r}")
    coded, cols = prepare_groups(coded, by)
    value = "coded" if unit == "turns" else "n_hits"
    counts = _wide(coded, cols, value).astype("int64").groupby(level=cols, sort=True).sum()
    res = chi2_arrays(counts.to_numpy())
    index = counts.index.to_frame(index=False)
    k = counts.shape[1]
    table = index.loc[index.index.repeat(k)].reset_index(drop=True)
    table["theme"] = np.tile(counts.columns.to_numpy(), len(counts))
    table["observed"] = counts.to_numpy().ravel()
    table["expected"] = res["expected"].ravel()
    table["adjusted_residual"] = res["residual"].ravel()
    table["p_cell"] = _cell_p(table["adjusted_residual"].to_numpy())
    table["significant"] = (table["p_cell"] < alpha).fillna(False).astype(bool)
    return Chi2Result(table, res["chi2"], res["dof"], res["p"], res["cramers_v"], res["n"])


def theme_by_group_tests(
    coded: pd.DataFrame, *, by: Group = "municipality", alpha: float = 0.05
) -> pd.DataFrame:
    """Per theme, a χ² test of (coded vs not coded) × group; valid for non-exclusive codes.

    Long table: theme, group columns, turns, coded_turns, share, adjusted_residual (of the
    coded cell), p_cell, significant, and the theme's chi2, dof, p, cramers_v on every row.
    """
    coded, cols = prepare_groups(coded, by)
    wide = _wide(coded, cols).astype("int64")
    turns = wide.groupby(level=cols, sort=True).size()
    coded_n = wide.groupby(level=cols, sort=True).sum()
    index = coded_n.index.to_frame(index=False)
    frames = []
    for theme in coded_n.columns:
        yes = coded_n[theme].to_numpy()
        res = chi2_arrays(np.column_stack([yes, turns.to_numpy() - yes]))
        resid = res["residual"][:, 0]
        frames.append(
            index.assign(
                theme=theme,
                turns=turns.to_numpy(),
                coded_turns=yes,
                share=yes / turns.to_numpy(),
                adjusted_residual=resid,
                p_cell=_cell_p(resid),
                significant=np.nan_to_num(_cell_p(resid), nan=1.0) < alpha,
                chi2=res["chi2"],
                dof=res["dof"],
                p=res["p"],
                cramers_v=res["cramers_v"],
            )
        )
    out = pd.concat(frames, ignore_index=True)
    return out[["theme", *cols, *[c for c in out.columns if c not in ("theme", *cols)]]]
