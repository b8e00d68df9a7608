"""Municipality × theme statistics: shares with bootstrap intervals, χ² tests, residuals.

Every function takes the long coding table of `themes.code_turns` (one row per turn × theme).
`by` is a column name or a tuple of column names, e.g. ``("municipality", "role_group")``;
`role_group` is derived from `role` when absent, so what members press on can be told apart
from what the administration presents. Output tables carry the group columns under their
own names (e.g. `municipality`, `role_group`).
"""

from __future__ import annotations

__all__ = ["ADJUSTMENTS", "INTERVALS", "MAX_DRAW_CELLS", "MAX_MODEL_GROUPS", "N_PERM", "Chi2Result", "bootstrap_means", "chi2_arrays", "clustered_theme_tests", "crosstab_chi2", "permutation_chi2", "theme_by_group_tests", "theme_shares"]  # fmt: skip

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests

from dxminutes.analysis.groups import Group, prepare_groups
from dxminutes.analysis.intervals import (
    MIN_TURNS_FOR_INTERVAL,
    TOO_FEW_TURNS,
    cluster_wilson_interval,
    jeffreys_interval,
    wilson_interval,
)
from dxminutes.analysis.keyness import presence_fisher_p

#: Above this many groups `clustered_theme_tests` fits no GLM/GEE (one coefficient per group makes
#: the bias-reduced GEE covariance cost grow with its square) and relies on the speaker permutation
#: test, which scales linearly.
MAX_MODEL_GROUPS = 60
#: Upper bound on the cells (bootstrap indices, permutation draws) drawn at once: memory stays
#: bounded, time linear. The 6.6 GB the statistics stage took at 500 municipalities was the speaker
#: permutation's one-hot n_perm × speakers × groups array, not the GEE.
MAX_DRAW_CELLS = 2_000_000


def _theme_order(coded: pd.DataFrame) -> list[str]:
    return list(pd.unique(coded["theme"]))


def _wide(coded: pd.DataFrame, cols: list[str], value: str = "coded") -> pd.DataFrame:
    """Turns × themes (index: group columns + turn_id)."""
    wide = coded.set_index([*cols, "turn_id", "theme"])[value].unstack("theme")
    return wide.reindex(columns=_theme_order(coded)).fillna(0).sort_index(kind="mergesort")


# --------------------------------------------------------------------------- shares
INTERVALS = ("wilson", "jeffreys", "cluster")
#: The interval policy of both codebook levels: Wilson at n / design effect (speaker bootstrap).
CLUSTER_CI_METHOD = "wilson at n/deff (speaker cluster bootstrap)"
_CI_METHOD = {
    "wilson": "wilson",
    "jeffreys": "jeffreys",
    "cluster": CLUSTER_CI_METHOD,
}


def theme_shares(
    coded: pd.DataFrame,
    tokens: pd.DataFrame | None = None,
    *,
    by: Group = "municipality",
    interval: str = "wilson",
    cluster: str = "speaker",
    n_boot: int = 1000,
    ci: float = 0.95,
    min_turns: int = MIN_TURNS_FOR_INTERVAL,
    random_state: int | np.random.Generator | None,
) -> pd.DataFrame:
    """Share of a group's turns coded with each theme, with an interval honest at small counts.

    interval="wilson" (default): the Wilson score interval of coded_turns / turns, which keeps
    close to nominal coverage at small n and never has zero width (0/43 gives 0–8 %, where the
    percentile bootstrap gave 0–0 %). interval="jeffreys": the Jeffreys interval.
    interval="cluster": turns of one speaker are not independent, so the Wilson interval is
    taken at the effective sample size turns / deff, where the design effect deff comes from a
    bootstrap that resamples whole speakers (`cluster` column) within the group (`n_boot`
    replicates, seeded by `random_state`); a group with a single speaker keeps deff = 1 and its
    note says so. A group with fewer than `min_turns` turns gets no interval (NaN) and the note
    "too few turns". Columns: group columns, theme, turns, coded_turns, share, ci_low,
    ci_high, ci_method, design_effect, n_speakers, note, n_hits, and when `tokens` is given
    n_tokens and rate_per_10k (theme hits per 10,000 tokens of the group).
    """
    if not 0 < ci < 1:
        raise ValueError(f"ci must lie in (0, 1), got {ci}")
    if n_boot < 1:
        raise ValueError(f"n_boot must be at least 1, got {n_boot}")
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, got {interval!r}")
    coded, cols = prepare_groups(coded, by)
    if interval == "cluster" and cluster not in coded.columns:
        raise ValueError(f"interval='cluster' needs a {cluster!r} column in the coding table")
    seed = int(np.random.default_rng(random_state).integers(2**32)) if interval == "cluster" else 0
    themes = _theme_order(coded)
    coded_wide = _wide(coded, cols).astype(bool)
    hits_wide = _wide(coded, cols, "n_hits")
    speakers = (
        coded.drop_duplicates("turn_id").set_index("turn_id")[cluster] if cluster in coded.columns else None
    )
    rows = []
    for key, block in coded_wide.groupby(level=cols, sort=True):
        x = block.to_numpy(dtype=np.int64)
        n = len(x)
        k = x.sum(axis=0)
        hits = hits_wide.loc[block.index].to_numpy().sum(axis=0)
        ids = block.index.get_level_values("turn_id")
        spk = speakers.loc[ids].astype(str).to_numpy() if speakers is not None else None
        n_spk = len(np.unique(spk)) if spk is not None else np.nan
        key = key if isinstance(key, tuple) else (key,)
        for j, theme in enumerate(themes):
            deff, note = 1.0, ""
            if n < min_turns:
                low = high = np.nan
                note = TOO_FEW_TURNS
            elif interval == "wilson":
                low, high = (float(v) for v in wilson_interval(k[j], n, ci))
            elif interval == "jeffreys":
                low, high = (float(v) for v in jeffreys_interval(k[j], n, ci))
            else:
                low, high, deff = cluster_wilson_interval(
                    x[:, j], spk, n_boot=n_boot, random_state=seed + j, confidence=ci
                )
                if n_spk < 2:
                    note = "one speaker: no between-speaker information, turn-level interval"
            rows.append(
                (
                    *key,
                    theme,
                    n,
                    int(k[j]),
                    k[j] / n,
                    low,
                    high,
                    _CI_METHOD[interval],
                    deff,
                    n_spk,
                    note,
                    int(hits[j]),
                )
            )
    out = pd.DataFrame(
        rows,
        columns=[
            *cols,
            "theme",
            "turns",
            "coded_turns",
            "share",
            "ci_low",
            "ci_high",
            "ci_method",
            "design_effect",
            "n_speakers",
            "note",
            "n_hits",
        ],
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
#: Multiple-testing adjustment of cell flags (statsmodels.stats.multitest method names).
ADJUSTMENTS = ("holm", "fdr_bh")
#: Monte Carlo permutations for permutation p-values.
N_PERM = 9999


@dataclass(frozen=True)
class Chi2Result:
    """χ² test of a groups × themes table; `table` is tidy (one row per cell).

    `p_value` is the large-sample χ² p; `p_permutation` the Monte Carlo permutation p over
    turns (group labels shuffled across turns, each turn keeping all its codes; NaN when no
    `random_state` was given), from `n_perm` permutations.
    """

    table: pd.DataFrame
    chi2: float
    dof: int
    p_value: float
    cramers_v: float
    n: int
    p_permutation: float = float("nan")
    n_perm: int = 0


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


def _chi2_stat(tables: np.ndarray) -> np.ndarray:
    """Pearson χ² of a stack of 2-D tables (..., r, c); empty rows/columns contribute 0."""
    t = np.asarray(tables, dtype=float)
    n = t.sum(axis=(-2, -1), keepdims=True)
    e = t.sum(axis=-1, keepdims=True) * t.sum(axis=-2, keepdims=True) / np.where(n > 0, n, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cells = np.where(e > 0, (t - e) ** 2 / e, 0.0)
    return cells.sum(axis=(-2, -1))


def _perm_p(observed: float, null: np.ndarray) -> float:
    """(1 + #{null ≥ observed}) / (1 + n): the Monte Carlo p-value (never 0), with a tolerance."""
    return float((1 + np.sum(null >= observed - 1e-9 * max(1.0, abs(observed)))) / (1 + len(null)))


def _group_codes(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    return frame.groupby(cols, sort=True).ngroup().to_numpy()


def permutation_chi2(
    values: np.ndarray, groups: np.ndarray, *, n_perm: int, random_state
) -> tuple[float, float]:
    """χ² of the groups × columns table of summed `values` (units × columns) and its permutation p.

    Group labels are shuffled across units (rows) `n_perm` times; each unit keeps its whole row,
    so dependence between a unit's columns (a turn coded with two themes) is kept.
    """
    values = np.asarray(values, dtype=float)
    _, codes = np.unique(groups, return_inverse=True)
    n_groups = int(codes.max()) + 1
    n = len(codes)
    observed = _chi2_stat(_sum_by(values, codes, n_groups))
    rng = np.random.default_rng(random_state)
    null = np.empty(n_perm)
    chunk = max(1, MAX_DRAW_CELLS // max(n, 1))
    for first in range(0, n_perm, chunk):
        m = min(chunk, n_perm - first)
        labels = np.stack([rng.permutation(codes) for _ in range(m)])  # m × n
        rows = (np.arange(m)[:, None] * n_groups + labels).ravel()
        onehot = sparse.csr_matrix(
            (np.ones(m * n), (rows, np.tile(np.arange(n), m))), shape=(m * n_groups, n)
        )
        tables = np.asarray(onehot @ values).reshape(m, n_groups, values.shape[1])
        null[first : first + m] = _chi2_stat(tables)
    return float(observed), _perm_p(observed, null)


def _sum_by(values: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    out = np.zeros((n_groups, values.shape[1]))
    np.add.at(out, codes, values)
    return out


def _cell_p(resid: np.ndarray) -> np.ndarray:
    return 2 * sps.norm.sf(np.abs(resid))


def _adjust(p: np.ndarray, method: str) -> np.ndarray:
    """Adjusted p-values over the finite entries of `p` (NaN stays NaN)."""
    if method not in ADJUSTMENTS:
        raise ValueError(f"adjust must be one of {ADJUSTMENTS}, got {method!r}")
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method=method)[1]
    return out


def _adjust_label(method: str, m: int) -> str:
    return {"holm": "Holm", "fdr_bh": "Benjamini–Hochberg"}[method] + f" over {m} cells"


def crosstab_chi2(
    coded: pd.DataFrame,
    *,
    by: Group = "municipality",
    unit: str = "turns",
    alpha: float = 0.05,
    adjust: str = "holm",
    n_perm: int = N_PERM,
    min_turns: int = MIN_TURNS_FOR_INTERVAL,
    random_state: int | None = None,
) -> Chi2Result:
    """χ² test of independence of groups × themes, with adjusted residuals per cell.

    With unit="turns" a cell counts the group's turns coded with the theme; with unit="hits"
    it counts theme hits. Themes are not mutually exclusive (a turn can carry several), so the
    large-sample χ² p (`p_value`) treats codings as independent observations, which they are
    not. With `random_state` the association is also tested by permutation over turns
    (`p_permutation`): group labels are shuffled across turns, each turn keeping all its codes,
    which is valid for non-exclusive codes. Cells: observed, expected, adjusted_residual,
    p_cell (two-sided normal of the residual: a large-sample approximation, see
    `theme_by_group_tests` for exact cell tests), p_cell_adj (adjusted over all cells with
    `adjust`: "holm" or "fdr_bh"), adjustment (stated), significant (p_cell_adj < alpha), turns
    and note: a group with fewer than `min_turns` turns gets no cell p and no mark ("too few
    turns").
    """
    if unit not in ("turns", "hits"):
        raise ValueError(f"unit must be 'turns' or 'hits', got {unit!r}")
    coded, cols = prepare_groups(coded, by)
    value = "coded" if unit == "turns" else "n_hits"
    wide = _wide(coded, cols, value).astype("int64")
    counts = wide.groupby(level=cols, sort=True).sum()
    res = chi2_arrays(counts.to_numpy())
    index = counts.index.to_frame(index=False)
    k = counts.shape[1]
    table = index.loc[index.index.repeat(k)].reset_index(drop=True)
    table["theme"] = np.tile(counts.columns.to_numpy(), len(counts))
    table["observed"] = counts.to_numpy().ravel()
    table["expected"] = res["expected"].ravel()
    table["adjusted_residual"] = res["residual"].ravel()
    n_turns = wide.groupby(level=cols, sort=True).size().to_numpy()
    table["turns"] = np.repeat(n_turns, k)
    table["p_cell"] = np.where(
        table["turns"] >= min_turns, _cell_p(table["adjusted_residual"].to_numpy()), np.nan
    )
    table["note"] = np.where(table["turns"] >= min_turns, "", TOO_FEW_TURNS)
    table["p_cell_adj"] = _adjust(table["p_cell"].to_numpy(), adjust)
    table["adjustment"] = _adjust_label(adjust, int(np.isfinite(table["p_cell"]).sum()))
    table["significant"] = (table["p_cell_adj"] < alpha).fillna(False).astype(bool)
    p_perm = float("nan")
    if random_state is not None and n_perm > 0:
        groups = wide.index.to_frame(index=False)
        _, p_perm = permutation_chi2(
            wide.to_numpy(), _group_codes(groups, cols), n_perm=n_perm, random_state=random_state
        )
    return Chi2Result(
        table,
        res["chi2"],
        res["dof"],
        res["p"],
        res["cramers_v"],
        res["n"],
        p_perm,
        n_perm if p_perm == p_perm else 0,
    )


def _fisher_cells(yes: np.ndarray, turns: np.ndarray) -> np.ndarray:
    """Two-sided Fisher exact p of each group against the rest: (coded, not) × (group, rest).

    The 2 × 2 table [[a, n − a], [K − a, N − n − K + a]] is the hypergeometric count a of coded
    turns among the group's n, so `keyness.presence_fisher_p` computes it, vectorized (checked
    against `scipy.stats.fisher_exact` in the tests).
    """
    yes = np.asarray(yes, dtype=np.int64)
    turns = np.asarray(turns, dtype=np.int64)
    return presence_fisher_p(yes, int(yes.sum()), turns, int(turns.sum()))


def _perm_chunk(n_perm: int, width: int) -> int:
    """Permutations drawn at once so that a chunk holds at most MAX_DRAW_CELLS cells of `width`."""
    return max(1, min(n_perm, MAX_DRAW_CELLS // max(width, 1)))


def _hypergeom_chi2(yes: np.ndarray, turns: np.ndarray, n_perm: int, rng) -> np.ndarray:
    """χ² of r × 2 tables drawn under the permutation null (multivariate hypergeometric).

    Shuffling group labels across turns of a binary outcome gives coded counts per group that
    are multivariate hypergeometric with the group sizes and the coded total: drawn directly,
    in chunks of at most MAX_DRAW_CELLS cells (the generator draws the samples one after the
    other, so chunks consume the same random stream as one call of size `n_perm`).
    """
    turns = np.asarray(turns).astype(np.int64)
    total = int(np.asarray(yes).sum())
    null = np.empty(n_perm)
    chunk = _perm_chunk(n_perm, len(turns))
    for first in range(0, n_perm, chunk):
        m = min(chunk, n_perm - first)
        draws = rng.multivariate_hypergeometric(turns, total, size=m)
        null[first : first + m] = _chi2_stat(np.stack([draws, turns[None, :] - draws], axis=-1))
    return null


def theme_by_group_tests(
    coded: pd.DataFrame,
    *,
    by: Group = "municipality",
    alpha: float = 0.05,
    adjust: str = "holm",
    n_perm: int = N_PERM,
    min_turns: int = MIN_TURNS_FOR_INTERVAL,
    random_state: int | None,
) -> pd.DataFrame:
    """Per theme, tests of (coded vs not coded) × group; valid for non-exclusive codes.

    Theme level: Pearson χ² with its large-sample p (`p_chi2`, shown with `min_expected` and
    `n_expected_below_5`, since χ² is unreliable when expected counts are small) and `p`, the
    Monte Carlo permutation p over turns (`n_perm` tables drawn from the exact permutation
    distribution, seeded by `random_state`; an unbiased estimate of the Freeman–Halton exact p).
    Cell level: `p_cell` is the two-sided Fisher exact test of the group against all the other
    groups; `p_cell_adj` adjusts it over every tested cell of the table (`adjust`: "holm" or
    "fdr_bh", named in `adjustment`); `significant` is p_cell_adj < alpha. A group with fewer
    than `min_turns` turns is not tested (NaN, note "too few turns", verdict "too few turns").
    `verdict`: "more than the others", "less than the others", "no clear difference" or
    "too few turns", read from `significant` and the sign of the adjusted residual.

    Long table: theme, group columns, turns, coded_turns, share, expected, adjusted_residual,
    p_cell, p_cell_method, p_cell_adj, adjustment, significant, verdict, note, chi2, dof,
    p_chi2, p, p_method, min_expected, n_expected_below_5, cramers_v.
    """
    coded, cols = prepare_groups(coded, by)
    rng = np.random.default_rng(random_state)
    wide = _wide(coded, cols).astype("int64")
    turns = wide.groupby(level=cols, sort=True).size()
    coded_n = wide.groupby(level=cols, sort=True).sum()
    index = coded_n.index.to_frame(index=False)
    n_turns = turns.to_numpy()
    testable = n_turns >= min_turns
    frames = []
    for theme in coded_n.columns:
        yes = coded_n[theme].to_numpy()
        res = chi2_arrays(np.column_stack([yes, n_turns - yes]))
        resid = res["residual"][:, 0]
        p_cell = np.where(testable, _fisher_cells(yes, n_turns), np.nan)
        if random_state is not None and n_perm > 0 and res["dof"] > 0:
            p_theme = _perm_p(res["chi2"], _hypergeom_chi2(yes, n_turns, n_perm, rng))
            p_method = f"Monte Carlo permutation over turns ({n_perm})"
        else:
            p_theme, p_method = res["p"], "large-sample chi-square"
        frames.append(
            index.assign(
                theme=theme,
                turns=n_turns,
                coded_turns=yes,
                share=yes / n_turns,
                expected=res["expected"][:, 0],
                adjusted_residual=resid,
                p_cell=p_cell,
                p_cell_method="Fisher exact 2x2 (group vs rest)",
                chi2=res["chi2"],
                dof=res["dof"],
                p_chi2=res["p"],
                p=p_theme,
                p_method=p_method,
                min_expected=float(res["expected"].min()),
                n_expected_below_5=int((res["expected"] < 5).sum()),
                cramers_v=res["cramers_v"],
            )
        )
    out = pd.concat(frames, ignore_index=True)
    out["p_cell_adj"] = _adjust(out["p_cell"].to_numpy(), adjust)
    out["adjustment"] = _adjust_label(adjust, int(np.isfinite(out["p_cell"]).sum()))
    out["significant"] = (out["p_cell_adj"] < alpha).to_numpy() & np.isfinite(out["p_cell_adj"].to_numpy())
    out["note"] = np.where(out["turns"] < min_turns, TOO_FEW_TURNS, "")
    out["verdict"] = np.select(
        [
            out["turns"] < min_turns,
            out["significant"] & (out["adjusted_residual"] > 0),
            out["significant"] & (out["adjusted_residual"] < 0),
        ],
        [TOO_FEW_TURNS, "more than the others", "less than the others"],
        default="no clear difference",
    )
    order = [
        "theme",
        *cols,
        "turns",
        "coded_turns",
        "share",
        "expected",
        "adjusted_residual",
        "p_cell",
        "p_cell_method",
        "p_cell_adj",
        "adjustment",
        "significant",
        "verdict",
        "note",
        "chi2",
        "dof",
        "p_chi2",
        "p",
        "p_method",
        "min_expected",
        "n_expected_below_5",
        "cramers_v",
    ]
    return out[order]


# --------------------------------------------------------------------------- dependence
def _speaker_units(coded: pd.DataFrame, cols: list[str], cluster: str) -> pd.Series:
    """Cluster label per turn: the speaker within the group (one 事務局 per municipality)."""
    turn = coded.drop_duplicates("turn_id")
    key = turn[cols[0]].astype(str)
    for col in cols[1:]:
        key = key + "|" + turn[col].astype(str)
    key = key + "|" + turn[cluster].fillna("?").astype(str)
    return pd.Series(key.to_numpy(), index=turn["turn_id"].to_numpy())


def _max_speaker_share(ucode: np.ndarray, group: np.ndarray) -> float:
    """The largest share of a group's turns held by one speaker (`ucode`: speaker of each turn)."""
    turns_per_pair = pd.DataFrame({"group": group, "unit": ucode}).value_counts(sort=False)
    largest = turns_per_pair.groupby(level="group").max()
    return float((largest.to_numpy() / np.bincount(group)[largest.index.to_numpy()]).max())


def _speaker_permutation(
    y: np.ndarray, group: np.ndarray, unit: np.ndarray, n_perm: int, rng: np.random.Generator
) -> tuple[float, float, int]:
    """χ² of groups × (coded, not) and its p when whole speakers are shuffled across groups.

    Each speaker keeps all its turns; the number of speakers per group is kept. Valid under the
    null that speakers are exchangeable between groups, whatever the dependence within a speaker.
    Permutations are drawn in chunks of at most MAX_DRAW_CELLS cells (uniforms → argsort, the
    same random stream as drawing all of them at once) and the groups' counts summed with one
    `np.bincount` per chunk, so memory is bounded and time grows with speakers × permutations
    (not × groups).
    """
    units, ucode = np.unique(unit, return_inverse=True)
    n_units = len(units)
    yes = np.bincount(ucode, weights=y, minlength=n_units)
    size = np.bincount(ucode, minlength=n_units).astype(float)
    ugroup = np.zeros(n_units, dtype=np.int64)
    ugroup[ucode] = group
    n_groups = int(group.max()) + 1

    def stat(labels: np.ndarray) -> np.ndarray:  # labels: m × units of group codes → m χ²
        m = labels.shape[0]
        flat = (np.arange(m)[:, None] * n_groups + labels).ravel()
        a = np.bincount(flat, weights=np.tile(yes, m), minlength=m * n_groups).reshape(m, n_groups)
        n = np.bincount(flat, weights=np.tile(size, m), minlength=m * n_groups).reshape(m, n_groups)
        return _chi2_stat(np.stack([a, n - a], axis=-1))

    observed = float(stat(ugroup[None, :])[0])
    null = np.empty(n_perm)
    chunk = _perm_chunk(n_perm, n_units)
    for first in range(0, n_perm, chunk):
        m = min(chunk, n_perm - first)
        perms = np.argsort(rng.random((m, n_units)), axis=1)
        null[first : first + m] = stat(ugroup[perms])
    return observed, _perm_p(observed, null), n_units


def _glm_p(y, x_groups, log_len, groups_units=None) -> tuple[float, str]:
    """p of the group effect: GLM (groups_units None, likelihood ratio) or GEE (Wald, bias-reduced)."""
    import statsmodels.api as sm

    dummies = pd.get_dummies(pd.Series(x_groups), drop_first=True, dtype=float).to_numpy()
    base = np.column_stack([np.ones(len(y)), log_len])
    full = np.column_stack([base, dummies])
    try:
        if groups_units is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                m1 = sm.GLM(y, full, family=sm.families.Binomial()).fit()
                m0 = sm.GLM(y, base, family=sm.families.Binomial()).fit()
            lr = 2 * (m1.llf - m0.llf)
            return float(sps.chi2.sf(lr, dummies.shape[1])), ""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = sm.GLM(y, full, family=sm.families.Binomial()).fit().params
            note, res = "", None
            for structure in (sm.cov_struct.Exchangeable(), sm.cov_struct.Independence()):
                model = sm.GEE(
                    y, full, groups=groups_units, family=sm.families.Binomial(), cov_struct=structure
                )
                fit = model.fit(cov_type="bias_reduced", maxiter=100, start_params=start)
                if np.all(np.isfinite(fit.params)) and np.all(np.isfinite(fit.cov_params())):
                    res = fit
                    break
                note = "exchangeable GEE did not converge: independence working correlation"
        if res is None:
            return float("nan"), "GEE did not converge"
        r = np.zeros((dummies.shape[1], full.shape[1]))
        r[:, base.shape[1] :] = np.eye(dummies.shape[1])
        wald = res.wald_test(r, scalar=True)
        return float(np.asarray(wald.pvalue).ravel()[0]), note
    except (ValueError, np.linalg.LinAlgError) as exc:  # singular fits are reported, not raised
        return float("nan"), f"{'GLM' if groups_units is None else 'GEE'} did not fit ({exc})"


def clustered_theme_tests(
    coded: pd.DataFrame,
    turns: pd.DataFrame | None = None,
    *,
    by: Group = "municipality",
    cluster: str = "speaker",
    n_perm: int = 1999,
    random_state: int,
) -> pd.DataFrame:
    """Per theme, the group comparison at turn level and with turns clustered by speaker.

    One row per theme, side by side:
    - p_turn_chi2: Pearson χ² of groups × (coded, not), large-sample (turns independent);
    - p_turn_permutation: the same statistic, labels shuffled across turns;
    - p_turn_length: binomial GLM with log turn length (characters, from `turns`) as
      covariate, likelihood-ratio test of the group terms (turns independent);
    - p_gee: GEE binomial, exchangeable correlation within speaker (speaker within group),
      log turn length as covariate, Wald test of the group terms with the bias-reduced
      (Mancl–DeRouen) sandwich covariance, which is less anti-conservative with few clusters
      (started from the GLM estimates; when the exchangeable fit diverges, an independence
      working correlation with the same sandwich covariance, said in `note`);
    - p_speaker_permutation: χ² with whole speakers shuffled across groups (their number per
      group kept), valid whatever the dependence inside a speaker;
    plus n_turns, n_speakers, max_speaker_share (the largest share of a group's turns held by
    one speaker) and note (separation: a group with no or only coded turns makes the GEE and
    GLM group coefficients infinite, so their p is NaN; the permutation p stays valid).
    Without `turns` (no n_chars column) there is no length covariate.
    """
    coded, cols = prepare_groups(coded, by)
    if cluster not in coded.columns:
        raise ValueError(f"the coding table has no {cluster!r} column")
    rng = np.random.default_rng(random_state)
    wide = _wide(coded, cols).astype("int64")
    ids = wide.index.get_level_values("turn_id")
    group = _group_codes(wide.index.to_frame(index=False), cols)
    unit = _speaker_units(coded, cols, cluster).loc[ids].to_numpy()
    if turns is not None and "n_chars" in turns.columns:
        lengths = turns.drop_duplicates("turn_id").set_index("turn_id")["n_chars"].reindex(ids)
        log_len = np.log(np.maximum(lengths.fillna(1).to_numpy(dtype=float), 1.0))
    else:
        log_len = np.zeros(len(ids))
    _, ucode = np.unique(unit, return_inverse=True)
    max_share = _max_speaker_share(ucode, group)
    records = []
    for theme in wide.columns:
        y = wide[theme].to_numpy(dtype=float)
        n_g = np.bincount(group)
        yes_g = np.bincount(group, weights=y)
        res = chi2_arrays(np.column_stack([yes_g, n_g - yes_g]))
        p_turn_perm = _perm_p(res["chi2"], _hypergeom_chi2(yes_g, n_g, n_perm, rng)) if res["dof"] else 1.0
        _, p_spk, n_units = _speaker_permutation(y, group, unit, n_perm, rng)
        separated = bool(((yes_g == 0) | (yes_g == n_g)).any())
        if len(n_g) > MAX_MODEL_GROUPS:
            p_len = p_gee = float("nan")
            note = (
                f"models skipped: {len(n_g)} groups > {MAX_MODEL_GROUPS} (one coefficient per group; the "
                "bias-reduced GEE covariance grows with its square); the speaker permutation is the "
                "cluster-aware test"
            )
        elif separated:
            p_len = p_gee = float("nan")
            note = "separation: a group has no (or only) coded turns; model p not defined"
        else:
            p_len, note1 = _glm_p(y, group, log_len)
            p_gee, note2 = _glm_p(y, group, log_len, groups_units=ucode)
            note = "; ".join(n for n in (note1, note2) if n)
        records.append(
            {
                "theme": theme,
                "n_turns": len(y),
                "n_speakers": n_units,
                "max_speaker_share": max_share,
                "chi2": res["chi2"],
                "dof": res["dof"],
                "p_turn_chi2": res["p"],
                "p_turn_permutation": p_turn_perm,
                "p_turn_length": p_len,
                "p_gee": p_gee,
                "p_speaker_permutation": p_spk,
                "note": note,
            }
        )
    return pd.DataFrame(records)
