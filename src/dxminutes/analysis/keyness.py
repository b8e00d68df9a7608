"""Distinctive vocabulary: one-vs-rest keyness (G² and log ratio as effect sizes, p from a
test over turns, BH q within each group), TF-IDF.

Groups are any column(s) of the token table (`municipality` by default; `role_group` is derived
from `role`; other turn columns are joined from `turns` by turn_id). Every group is compared
with the rest of the corpus, and all groups come back in one long table, untruncated.
"""

from __future__ import annotations

__all__ = ["KEYNESS_COLUMNS", "MAX_DENSE_CELLS", "TESTS", "UNITS", "empty_keyness", "g2_statistic", "keyness", "keyness_within_themes", "log_ratio", "mannwhitney_columns", "presence_fisher_p"]  # fmt: skip

import numpy as np
import pandas as pd
import scipy.sparse
from scipy import stats as sps
from scipy.special import xlogy

from dxminutes.analysis.groups import Group, group_columns, group_matrix, group_tfidf, with_groups

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
    "n_turns_reference",
    "log_ratio",
    "direction",
    "p_token_g2",
    "p_method",
]
TESTS = ("fisher", "mwu", "permutation")
UNITS = ("turn", "speaker")
#: Largest dense block (units × terms) ranked at once by the Mann–Whitney test.
MAX_DENSE_CELLS = 4_000_000


def empty_keyness(by="municipality", *, theme: bool = False) -> pd.DataFrame:
    """A keyness table with no row, with the columns and types of a full one (e.g. for a corpus
    with fewer than two groups, where there is nothing to compare)."""
    text = {"term", "direction", "p_method", *group_columns(by)}
    counts = {"target_count", "reference_count", "target_total", "reference_total"}
    counts |= {"n_turns_target", "n_turns_reference"}
    columns = [*(["theme"] if theme else []), *group_columns(by), *KEYNESS_COLUMNS]
    return pd.DataFrame(
        {
            c: pd.Series(dtype=str if c in text or c == "theme" else "int64" if c in counts else "float64")
            for c in columns
        }
    )


def g2_statistic(a, b, c, d) -> np.ndarray:
    """Signed log-likelihood G² of the full 2 × 2 table (Dunning 1993).

    a, b: the term's count in the target and the reference; c, d: their total token counts.
    The table is [[a, b], [c − a, d − b]] (the term vs all other tokens, target vs reference) and
    G² = 2 Σ O ln(O / E) over its four cells, with 0·ln 0 = 0; this equals
    `scipy.stats.chi2_contingency(table, lambda_="log-likelihood", correction=False)`. (The
    two-cell form of Rayson & Garside 2000 omits the "other tokens" cells.) Positive when the
    term is relatively more frequent in the target, negative otherwise.
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    n = c + d
    k = a + b
    cells = ((a, c * k / n), (b, d * k / n), (c - a, c * (n - k) / n), (d - b, d * (n - k) / n))
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * sum(xlogy(o, o / e) for o, e in cells)
    g2 = np.where(np.isfinite(g2), np.maximum(g2, 0.0), 0.0)
    return np.where(a * d >= b * c, g2, -g2)


def log_ratio(a, b, c, d) -> np.ndarray:
    """Hardie's Log Ratio: log2 of the ratio of relative frequencies, zero counts set to 0.5."""
    a, b = (np.where(np.asarray(x, dtype=float) == 0, 0.5, np.asarray(x, dtype=float)) for x in (a, b))
    return np.log2((a / np.asarray(c, dtype=float)) / (b / np.asarray(d, dtype=float)))


def mannwhitney_columns(values: np.ndarray, in_target: np.ndarray) -> np.ndarray:
    """Two-sided Wilcoxon–Mann–Whitney p of each column, target rows vs the other rows.

    The normal approximation with tie correction and continuity correction, as
    `scipy.stats.mannwhitneyu(method="asymptotic")`; `values` is dense (n × m). Columns where all
    values tie get p = 1.
    """
    values = np.asarray(values, dtype=float)
    in_target = np.asarray(in_target, dtype=bool)
    n = values.shape[0]
    n1 = int(in_target.sum())
    n2 = n - n1
    if n1 == 0 or n2 == 0:
        return np.ones(values.shape[1])
    ranks = sps.rankdata(values, axis=0)
    r1 = ranks[in_target].sum(axis=0)
    u1 = r1 - n1 * (n1 + 1) / 2
    ordered = np.sort(values, axis=0)
    ties = np.zeros(values.shape[1])
    for j in range(values.shape[1]):
        _, t = np.unique(ordered[:, j], return_counts=True)
        ties[j] = (t.astype(float) ** 3 - t).sum()
    sigma = np.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    mu = n1 * n2 / 2
    u = np.maximum(u1, n1 * n2 - u1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (u - mu - 0.5) / sigma
    p = np.where(sigma > 0, 2 * sps.norm.sf(z), 1.0)
    return np.clip(p, 0.0, 1.0)


def _hypergeom_logpmf(y, total, k, n):
    """log P(Y = y) for Y ~ Hypergeometric(total, k, n), from log-gamma (vectorized, no scipy loop)."""
    from scipy.special import gammaln

    def lchoose(a, b):
        return gammaln(a + 1) - gammaln(b + 1) - gammaln(a - b + 1)

    return lchoose(k, y) + lchoose(total - k, n - y) - lchoose(total, n)


def presence_fisher_p(x, k, n, total) -> np.ndarray:
    """Two-sided exact p of x target units containing a term, out of n target units, when k of
    all `total` units contain it: the hypergeometric (Fisher exact) test, two-sided by summing
    the probabilities no larger than the observed one (relative tolerance 1e-7), as
    `scipy.stats.fisher_exact`.

    This is the exact permutation test over units of "how many of the group's units use the
    term": it needs no large-sample approximation, so it stays valid for terms in few turns.
    Vectorized over cells: the pmf is evaluated on each cell's whole support (cells sorted by
    support size and processed in blocks of bounded size).
    """
    x, k, n, total = (np.asarray(v, dtype=np.int64).ravel() for v in np.broadcast_arrays(x, k, n, total))
    shape = np.broadcast_shapes(np.shape(x))
    lo = np.maximum(0, n + k - total)
    size = np.minimum(k, n) - lo + 1
    out = np.ones(len(x))
    order = np.argsort(size, kind="stable")
    first = 0
    while first < len(order):
        width = int(
            size[
                order[min(len(order) - 1, first + max(1, MAX_DENSE_CELLS // max(1, size[order[first]])) - 1)]
            ]
        )
        block_len = max(1, MAX_DENSE_CELLS // max(1, width))
        idx = order[first : first + block_len]
        width = int(size[idx].max())
        grid = lo[idx, None] + np.arange(width)[None, :]
        valid = grid <= (lo[idx] + size[idx] - 1)[:, None]
        with np.errstate(invalid="ignore"):
            lp = _hypergeom_logpmf(grid, total[idx, None], k[idx, None], n[idx, None])
        pmf = np.where(valid, np.exp(lp), 0.0)
        obs = np.exp(_hypergeom_logpmf(x[idx], total[idx], k[idx], n[idx]))
        out[idx] = (pmf * (pmf <= obs[:, None] * (1 + 1e-7))).sum(axis=1)
        first += len(idx)
    return np.clip(out, 0.0, 1.0).reshape(shape)


def _unit_matrix(tokens: pd.DataFrame, cols: list[str], unit: str, terms: np.ndarray):
    """Units (turns or speakers within group) × terms count matrix (CSR) and each unit's group."""
    if unit == "turn":
        key = tokens["turn_id"].astype(str)
    else:
        if "speaker" not in tokens.columns:
            raise ValueError("unit='speaker' needs a speaker column (pass turns=)")
        key = tokens[cols].astype(str).agg("|".join, axis=1) + "|" + tokens["speaker"].astype(str)
    unit_codes, uniques = pd.factorize(key, sort=True)
    term_codes = np.searchsorted(terms, tokens["term"].to_numpy())
    x = scipy.sparse.csr_matrix(
        (np.ones(len(tokens)), (unit_codes, term_codes)), shape=(len(uniques), len(terms))
    )
    first = pd.Series(np.arange(len(tokens))).groupby(unit_codes).first().to_numpy()
    groups = tokens.iloc[first][cols].reset_index(drop=True)
    return x, groups


def keyness(
    tokens: pd.DataFrame,
    *,
    by: Group = "municipality",
    min_count: int = 3,
    min_turns: int = 2,
    turns: pd.DataFrame | None = None,
    test: str = "fisher",
    unit: str = "turn",
    n_perm: int = 999,
    random_state: int | None = None,
) -> pd.DataFrame:
    """One-vs-rest keyness of every candidate term in every group, in one long table.

    Candidates are chosen on the whole corpus, not on the target: a term is a candidate when it
    occurs at least `min_count` times in all and in at least `min_turns` distinct turns
    (dispersion guard), and it is then tested for every group, so over-use and under-use
    (target_count may be 0) are both tested.

    Effect sizes: g2, the signed log-likelihood G² of the full 2 × 2 table (Dunning 1993; see
    `g2_statistic`), and log_ratio (Hardie). Token-level G² treats every token as independent,
    but words come in bursts within turns and speakers, so its χ²₁ p (`p_token_g2`, kept for
    reference) finds differences in noise. `p` comes from a test over units (turns), not tokens:

    - test="fisher" (default): Fisher's exact test of how many of the group's units contain the
      term (`presence_fisher_p`), i.e. the exact permutation test over units of that count. It
      needs no large-sample approximation, which matters because most candidate terms occur
      in a handful of turns. With municipality labels shuffled across the seed turns it marks
      0 terms at q < 0.05 on average (tests/test_keyness.py prints the figure);
    - test="mwu": a two-sided Wilcoxon–Mann–Whitney test of the term's relative frequency per
      unit (count / unit's tokens), normal approximation with tie correction. It uses how often
      a turn repeats the term, but its approximation is anti-conservative for terms in few
      turns: about 6 false discoveries per shuffle on the seeds with min_turns=2, 1.6 with 5;
    - test="permutation": the |G²| of the observed table against `n_perm` tables with the group
      labels shuffled across units (seeded by `random_state`), p = (1 + #≥) / (1 + n_perm);
      exact in level, but its resolution 1 / (1 + n_perm) limits what survives BH.

    unit="turn" (default) treats turns as the units; unit="speaker" pools each speaker's turns
    within the group first (needs a speaker column, from `turns`), which is the safer unit when
    a few speakers hold most turns but leaves few units per group. q: Benjamini–Hochberg over
    each group's candidate terms (one family per group). Columns: group columns, term,
    target/reference counts, totals and rates per 10,000 tokens, tfidf (the term's weight in the
    group's document, groups as documents), g2, p, q, n_turns_target, n_turns_reference,
    log_ratio, direction ("over"/"under"), p_token_g2, p_method. Sorted by group, then g2
    descending, then term.
    """
    if test not in TESTS:
        raise ValueError(f"test must be one of {TESTS}, got {test!r}")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
    if test == "permutation" and random_state is None:
        raise ValueError("test='permutation' needs random_state")
    need = ["speaker"] if unit == "speaker" and "speaker" not in tokens.columns and by != "speaker" else []
    cols_by = group_columns(by)
    tokens, _ = with_groups(tokens, [*cols_by, *need], turns)
    counts, matrix, groups = group_matrix(tokens, cols_by)
    if len(groups) < 2:
        raise ValueError(f"keyness needs at least two groups of {cols_by}; found {len(groups)}")
    terms = np.sort(counts["term"].unique())
    group_total = np.asarray(matrix.sum(axis=1)).ravel()
    term_total = np.asarray(matrix.sum(axis=0)).ravel()
    n_total = group_total.sum()

    turn_x, turn_groups = _unit_matrix(tokens, cols_by, "turn", terms)
    turn_df = np.asarray((turn_x > 0).sum(axis=0)).ravel()
    candidates = np.flatnonzero((term_total >= min_count) & (turn_df >= min_turns))
    g_of_turn = turn_groups.merge(groups.assign(g=np.arange(len(groups))), on=cols_by, how="left")[
        "g"
    ].to_numpy()
    present = (turn_x[:, candidates] > 0).astype(np.int64)
    turns_in = np.vstack(
        [np.asarray(present[g_of_turn == g].sum(axis=0)).ravel() for g in range(len(groups))]
    )

    if unit == "turn":
        ux, g_of_unit = turn_x, g_of_turn
    else:
        ux, unit_groups = _unit_matrix(tokens, cols_by, "speaker", terms)
        g_of_unit = unit_groups.merge(groups.assign(g=np.arange(len(groups))), on=cols_by, how="left")[
            "g"
        ].to_numpy()
    ux = ux[:, candidates].tocsc()
    unit_len = np.asarray(_unit_lengths(tokens, cols_by, unit)).astype(float)

    dense_counts = matrix[:, candidates].toarray()
    frames = []
    if test == "fisher":
        used = (ux > 0).astype(np.int64).tocsc()
        k_units = np.asarray(used.sum(axis=0)).ravel()
        p_all = np.vstack(
            [
                presence_fisher_p(
                    np.asarray(used[g_of_unit == g].sum(axis=0)).ravel(),
                    k_units,
                    int((g_of_unit == g).sum()),
                    used.shape[0],
                )
                for g in range(len(groups))
            ]
        )
        method = f"Fisher exact on {unit}s containing the term (two-sided); q: BH within group"
    elif test == "mwu":
        p_all = _mwu_by_group(ux, unit_len, g_of_unit, len(groups))
        method = f"Wilcoxon–Mann–Whitney on per-{unit} relative frequency (two-sided); q: BH within group"
    else:
        p_all = _permutation_by_group(ux, unit_len, g_of_unit, len(groups), n_perm, random_state)
        method = f"permutation of |G²| over {unit}s ({n_perm}); q: BH within group"
    tfidf = group_tfidf(matrix)[:, candidates].toarray()
    for g in range(len(groups)):
        a = dense_counts[g]
        b = term_total[candidates] - a
        c = np.full(len(candidates), group_total[g], dtype=float)
        d = n_total - c
        g2 = g2_statistic(a, b, c, d)
        frame = pd.DataFrame({col: groups.loc[g, col] for col in cols_by}, index=np.arange(len(candidates)))
        frame = frame.assign(
            term=terms[candidates],
            target_count=a.astype("int64"),
            reference_count=b.astype("int64"),
            target_total=c.astype("int64"),
            reference_total=d.astype("int64"),
            target_rate_per_10k=a / c * 10_000,
            reference_rate_per_10k=b / d * 10_000,
            tfidf=tfidf[g],
            g2=g2,
            p=p_all[g],
            q=sps.false_discovery_control(p_all[g], method="bh") if len(candidates) else np.zeros(0),
            n_turns_target=turns_in[g].astype("int64"),
            n_turns_reference=(turn_df[candidates] - turns_in[g]).astype("int64"),
            log_ratio=log_ratio(a, b, c, d),
            direction=np.where(g2 >= 0, "over", "under"),
            p_token_g2=sps.chi2.sf(np.abs(g2), df=1),
            p_method=method,
        )
        frames.append(frame)
    out = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*cols_by, *KEYNESS_COLUMNS])
    )
    out = out.sort_values(
        [*cols_by, "g2", "term"], ascending=[True] * len(cols_by) + [False, True], kind="mergesort"
    )
    return out[[*cols_by, *KEYNESS_COLUMNS]].reset_index(drop=True)


def _unit_lengths(tokens: pd.DataFrame, cols: list[str], unit: str) -> np.ndarray:
    if unit == "turn":
        key = tokens["turn_id"].astype(str)
    else:
        key = tokens[cols].astype(str).agg("|".join, axis=1) + "|" + tokens["speaker"].astype(str)
    return key.value_counts().sort_index().to_numpy()


def _mwu_by_group(ux: scipy.sparse.csc_matrix, unit_len: np.ndarray, g_of_unit: np.ndarray, n_groups: int):
    """p of every (group, candidate term): WMW on relative frequencies, in dense column blocks."""
    n, m = ux.shape
    out = np.ones((n_groups, m))
    step = max(1, MAX_DENSE_CELLS // max(n, 1))
    for first in range(0, m, step):
        block = ux[:, first : first + step].toarray() / unit_len[:, None]
        for g in range(n_groups):
            out[g, first : first + step] = mannwhitney_columns(block, g_of_unit == g)
    return out


def _permutation_by_group(ux, unit_len, g_of_unit, n_groups, n_perm, random_state):
    """p of every (group, candidate term): |G²| against group labels permuted over units."""
    rng = np.random.default_rng(random_state)
    xr = ux.tocsr()
    n_units = xr.shape[0]
    term_total = np.asarray(xr.sum(axis=0)).ravel()
    n_total = unit_len.sum()

    def abs_g2(labels: np.ndarray) -> np.ndarray:
        onehot = scipy.sparse.csr_matrix(
            (np.ones(n_units), (labels, np.arange(n_units))), shape=(n_groups, n_units)
        )
        counts = (onehot @ xr).toarray()
        totals = np.bincount(labels, weights=unit_len, minlength=n_groups)[:, None]
        return np.abs(g2_statistic(counts, term_total - counts, totals, n_total - totals))

    observed = abs_g2(g_of_unit)
    exceed = np.zeros_like(observed)
    for _ in range(n_perm):
        exceed += abs_g2(rng.permutation(g_of_unit)) >= observed - 1e-9
    return (1 + exceed) / (1 + n_perm)


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
        return empty_keyness(kwargs.get("by", "municipality"), theme=True)
    out = pd.concat(frames, ignore_index=True)
    return out[["theme", *[c for c in out.columns if c != "theme"]]]
