"""Frame profiles with uncertainty, tests of difference, distances, periods and quotes.

Every function takes the long frame coding of `themes.code_sentences(level="frame")` (one row per theme sentence ×
frame of its theme) and groups with `by=` (a column or a tuple of columns; `role_group` is
derived from `role`, `period` from `meeting_date` by `add_period`).

- `frame_profiles`: per group × theme × frame, the share of the group's theme sentences coded
  with the frame and the reported interval (ci_low, ci_high) of the one interval policy of both
  codebook levels (`theme_stats.theme_shares(interval="cluster")` uses the same): the Wilson
  interval at the effective sample size n / deff, deff the design effect from a bootstrap that
  resamples whole speakers, floored at 1 (`intervals.cluster_wilson_interval`). The plain
  Wilson interval (sentences as independent units) and the percentile speaker cluster bootstrap
  (`intervals.cluster_bootstrap_share`) are kept beside it as diagnostics. Groups
  with fewer than `min_sentences` theme sentences get the status "too few sentences" and no
  interval. Frames are not exclusive: a sentence can carry several frames or none, so shares in
  a profile need not sum to 1.
- `frame_profile_test`: per theme, whether frame profiles differ between groups: the Pearson χ²
  of the groups × frames table of codings, referred to its permutation distribution (group
  labels shuffled over turns, or over speakers), fixed seed. The asymptotic χ² p is shown beside
  it for comparison only: codings are not independent observations.
- `frame_distances` / `frame_linkage`: Jensen–Shannon distance between groups' frame
  distributions (`scipy.spatial.distance.jensenshannon`, base 2, in [0, 1]) and an average-link
  hierarchical clustering of the groups per theme.
- `add_period`, `theme_sentence_shares`: calendar or fiscal (April–March) year, and the share of
  all sentences that touch each theme per group, with the same intervals.
- `frame_quotes`: reproducible (seeded) quotes for every cell a reader may cite.
"""

from __future__ import annotations

__all__ = ["CI_METHOD", "MIN_SENTENCES", "ONE_SPEAKER", "PROFILE_COLUMNS", "QUOTE_COLUMNS", "TOO_FEW_SENTENCES", "add_period", "fiscal_year", "frame_distances", "frame_keyness", "frame_linkage", "frame_profile_test", "frame_profiles", "frame_quotes", "frame_trend_tests", "periods_per_body", "permutation_chi2", "permutation_slope", "speaker_key", "theme_sentence_shares", "theme_trend_tests", "trend_tests", "unknown_role_sentences"]  # fmt: skip

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import jensenshannon, squareform

from dxminutes.analysis.groups import Group, group_columns, with_role_group
from dxminutes.analysis.intervals import cluster_bootstrap_share, cluster_wilson_interval, wilson_interval
from dxminutes.analysis.theme_stats import CLUSTER_CI_METHOD, permutation_chi2

#: A group with fewer theme sentences than this gets no interval and is left out of tests.
MIN_SENTENCES = 10
#: What tables and charts say instead of an interval for such a group.
TOO_FEW_SENTENCES = "too few sentences"
#: Status of a group whose sentences all come from one speaker: no cluster interval.
ONE_SPEAKER = "one speaker"
#: The interval policy of both codebook levels (the `ci_method` of `theme_stats.theme_shares`).
CI_METHOD = CLUSTER_CI_METHOD
PROFILE_COLUMNS = [
    "theme",
    "frame",
    "code",
    "n_sentences",
    "n_framed",
    "share",
    "wilson_low",
    "wilson_high",
    "boot_low",
    "boot_high",
    "ci_low",
    "ci_high",
    "design_effect",
    "ci_method",
    "n_speakers",
    "status",
]


def _prepare(
    coding: pd.DataFrame, by: Group, *, exclude_unknown: bool = True
) -> tuple[pd.DataFrame, list[str]]:
    cols = group_columns(by)
    frame = coding
    if "role_group" in cols and "role_group" not in frame.columns:
        frame = with_role_group(frame)
    if "period" in cols and "period" not in frame.columns:
        frame = add_period(frame)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"group column(s) {missing} not in the coding (columns: {list(frame.columns)})")
    if exclude_unknown and "role_group" in cols:
        frame = frame[frame["role_group"] != "unknown"]
    frame = frame[frame[cols].notna().all(axis=1)]
    return frame, cols


def speaker_key(frame: pd.DataFrame) -> pd.Series:
    """Cluster label of a row: its municipality and speaker ("?" for a missing speaker)."""
    muni = frame["municipality"].fillna("?").astype(str) if "municipality" in frame.columns else ""
    return muni + "|" + frame["speaker"].fillna("?").astype(str)


def unknown_role_sentences(coding: pd.DataFrame) -> pd.DataFrame:
    """Theme sentences of speakers with an unknown role, per municipality × theme (left out of
    role comparisons): municipality, theme, n_sentences, n_theme_sentences, share_unknown."""
    sents = coding.drop_duplicates(["sentence_id", "theme"])
    sents = with_role_group(sents)
    out = (
        sents.groupby(["municipality", "theme"], sort=True)
        .agg(
            n_sentences=("role_group", lambda s: int((s == "unknown").sum())),
            n_theme_sentences=("role_group", "size"),
        )
        .reset_index()
    )
    return out.assign(share_unknown=out["n_sentences"] / out["n_theme_sentences"])


# --------------------------------------------------------------------------- shares
def _share_rows(
    units: pd.DataFrame,
    indicators: list[str],
    cols: list[str],
    *,
    min_units: int,
    n_boot: int,
    random_state: int,
    confidence: float,
) -> pd.DataFrame:
    """Shares of 0/1 `indicators` per group of `units` with Wilson and cluster-bootstrap intervals."""
    rng = np.random.default_rng(random_state)
    groups = units.groupby(cols, sort=True)
    seeds = rng.integers(0, 2**32 - 1, size=groups.ngroups)
    rows = []
    for (key, block), seed in zip(groups, seeds):
        key = key if isinstance(key, tuple) else (key,)
        n = len(block)
        clusters = block["_cluster"].to_numpy()
        n_speakers = len(pd.unique(clusters))
        for ind in indicators:
            values = block[ind].to_numpy(dtype=float)
            k = int(values.sum())
            if n < min_units:
                status, wl, wh, bl, bh = TOO_FEW_SENTENCES, np.nan, np.nan, np.nan, np.nan
                low, high, deff = np.nan, np.nan, np.nan
            else:
                wl, wh = (float(x) for x in wilson_interval(k, n, confidence))
                bl, bh = cluster_bootstrap_share(
                    values, clusters, n_boot=n_boot, random_state=int(seed), confidence=confidence
                )
                low, high, deff = cluster_wilson_interval(
                    values, clusters, n_boot=n_boot, random_state=int(seed), confidence=confidence
                )
                status = "ok" if n_speakers > 1 else ONE_SPEAKER
            rows.append(
                (*key, ind, n, k, k / n if n else np.nan, low, high, deff, wl, wh, bl, bh, n_speakers, status)
            )
    out = pd.DataFrame(
        rows,
        columns=[
            *cols,
            "_ind",
            "n_sentences",
            "n_framed",
            "share",
            "ci_low",
            "ci_high",
            "design_effect",
            "wilson_low",
            "wilson_high",
            "boot_low",
            "boot_high",
            "n_speakers",
            "status",
        ],
    )
    return out.assign(ci_method=CI_METHOD)


def frame_profiles(
    coding: pd.DataFrame,
    *,
    by: Group = "municipality",
    min_sentences: int = MIN_SENTENCES,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int,
    exclude_unknown: bool = True,
    all_groups: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Frame profile of each group and theme: the share of its theme sentences in each frame.

    Columns: group columns, theme, frame, code, n_sentences (the group's theme sentences),
    n_framed, share, wilson_low/high (sentences as independent), boot_low/high (percentile
    speaker bootstrap), ci_low/high (Wilson at n / design effect: what charts and sentences
    report, the interval policy of both levels), design_effect, ci_method, n_speakers, status
    ("ok", "too few sentences", "one speaker": design effect 1). With `role_group` in `by`, speakers of
    unknown role are left out of the denominators (`unknown_role_sentences` says how many).
    `all_groups` (e.g. the turns table) lists groups to show even when they have no theme
    sentence at all: they get n_sentences 0 and "too few sentences", so a chart never silently
    drops a municipality. Deterministic for a `random_state`.
    """
    frame, cols = _prepare(coding, by, exclude_unknown=exclude_unknown)
    parts = []
    theme_order = list(pd.unique(coding["theme"]))
    for theme in theme_order:
        sub = frame[frame["theme"] == theme]
        if sub.empty:
            continue
        keys = list(pd.unique(sub["frame"]))
        wide = sub.pivot_table(index="sentence_id", columns="frame", values="coded", aggfunc="max")
        keep = list(dict.fromkeys([*cols, "municipality", "speaker"]))
        units = sub.drop_duplicates("sentence_id").set_index("sentence_id")[keep]
        units = units.join(wide[keys].astype(int))
        units = units.assign(_cluster=speaker_key(units))
        rows = _share_rows(
            units.reset_index(),
            keys,
            cols,
            min_units=min_sentences,
            n_boot=n_boot,
            random_state=random_state,
            confidence=confidence,
        )
        rows = rows.rename(columns={"_ind": "frame"})
        parts.append(rows.assign(theme=theme, code=theme + ":" + rows["frame"]))
    if not parts:
        return pd.DataFrame(columns=[*cols, *PROFILE_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    if all_groups is not None:
        out = _add_empty_groups(out, all_groups, cols, coding, exclude_unknown)
    return out[[*cols, *PROFILE_COLUMNS]]


def _add_empty_groups(
    out: pd.DataFrame, all_groups: pd.DataFrame, cols: list[str], coding: pd.DataFrame, exclude_unknown: bool
) -> pd.DataFrame:
    groups, _ = _prepare(all_groups, cols, exclude_unknown=exclude_unknown)
    groups = groups[cols].drop_duplicates()
    codes = coding[["theme", "frame", "code"]].drop_duplicates()
    grid = groups.merge(codes, how="cross")
    missing = grid.merge(out[[*cols, "code"]], on=[*cols, "code"], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    if missing.empty:
        return out
    filler = missing.assign(
        n_sentences=0,
        n_framed=0,
        share=np.nan,
        wilson_low=np.nan,
        wilson_high=np.nan,
        boot_low=np.nan,
        boot_high=np.nan,
        ci_low=np.nan,
        ci_high=np.nan,
        design_effect=np.nan,
        ci_method=CI_METHOD,
        n_speakers=0,
        status=TOO_FEW_SENTENCES,
    )
    both = pd.concat([out, filler], ignore_index=True)
    t_order = {t: i for i, t in enumerate(pd.unique(coding["theme"]))}
    c_order = {c: i for i, c in enumerate(pd.unique(coding["code"]))}
    both = both.assign(_t=both["theme"].map(t_order), _c=both["code"].map(c_order))
    both = both.sort_values(["_t", *cols, "_c"], kind="mergesort").drop(columns=["_t", "_c"])
    return both.reset_index(drop=True)


def theme_sentence_shares(
    sentences: pd.DataFrame,
    theme_sents: pd.DataFrame,
    *,
    by: Group = "municipality",
    min_sentences: int = MIN_SENTENCES,
    n_boot: int = 1000,
    confidence: float = 0.95,
    random_state: int,
    exclude_unknown: bool = True,
    theme_order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Share of a group's sentences that touch each theme, with the same intervals as `frame_profiles`.

    `sentences` is `themes.turn_sentences(turns)`, `theme_sents` is `themes.theme_sentences`.
    Columns: group columns, theme, n_sentences (all the group's sentences), n_theme (those
    touching the theme), share, ci_low/high, design_effect (the interval policy of
    `frame_profiles`), wilson_low/high, boot_low/high, n_speakers, status, ci_method. Themes come
    in `theme_order` (e.g. `themes.keys`; default: order of first appearance).
    """
    frame, cols = _prepare(sentences, by, exclude_unknown=exclude_unknown)
    themes = list(theme_order) if theme_order is not None else list(pd.unique(theme_sents["theme"]))
    units = frame.drop_duplicates("sentence_id").set_index("sentence_id")
    flags = pd.crosstab(theme_sents["sentence_id"], theme_sents["theme"]).reindex(
        columns=themes, fill_value=0
    )
    units = units.join((flags > 0).astype(int)).fillna({t: 0 for t in themes})
    units = units.assign(_cluster=speaker_key(units))
    out = _share_rows(
        units.reset_index(),
        themes,
        cols,
        min_units=min_sentences,
        n_boot=n_boot,
        random_state=random_state,
        confidence=confidence,
    )
    out = out.rename(columns={"_ind": "theme", "n_framed": "n_theme"})
    return out[[*cols, "theme", *[c for c in out.columns if c not in (*cols, "theme")]]]


# --------------------------------------------------------------------------- periods
def fiscal_year(date) -> int | None:
    """Japanese fiscal year (April–March) of an ISO date: 2024-03-31 → 2023, 2024-04-01 → 2024."""
    if date is None or pd.isna(date) or not str(date):
        return None
    d = pd.Timestamp(str(date))
    return d.year if d.month >= 4 else d.year - 1


def add_period(
    frame: pd.DataFrame, *, kind: str = "fiscal_year", column: str = "meeting_date"
) -> pd.DataFrame:
    """A copy of `frame` with `period`: the fiscal year (April–March, default) or the calendar
    year of `column`; missing dates give a missing period (left out of period comparisons)."""
    if kind not in ("fiscal_year", "year"):
        raise ValueError(f"kind must be 'fiscal_year' or 'year', got {kind!r}")
    if kind == "fiscal_year":
        periods = [fiscal_year(d) for d in frame[column].tolist()]
    else:
        periods = [
            None if d is None or pd.isna(d) or not str(d) else pd.Timestamp(str(d)).year
            for d in frame[column]
        ]
    return frame.assign(period=pd.array(periods, dtype="Int64"))


def periods_per_body(
    frame: pd.DataFrame, *, by: Group = "municipality", kind: str = "fiscal_year"
) -> pd.DataFrame:
    """Meetings (documents) and distinct periods per group: what an over-time comparison can use."""
    cols = group_columns(by)
    with_p = add_period(frame.drop_duplicates("doc_id"), kind=kind)
    return (
        with_p.groupby(cols, sort=True)
        .agg(n_meetings=("doc_id", "nunique"), n_periods=("period", "nunique"))
        .reset_index()
    )


# --------------------------------------------------------------------------- tests
def frame_profile_test(
    coding: pd.DataFrame,
    *,
    by: Group = "municipality",
    unit: str = "turn",
    min_sentences: int = MIN_SENTENCES,
    n_perm: int = 2000,
    random_state: int,
    exclude_unknown: bool = True,
) -> pd.DataFrame:
    """Per theme: do frame profiles differ between groups? A permutation χ² test.

    The table is groups × frames, each cell the number of the group's theme sentences coded with
    the frame (a sentence may count in several frames; unframed sentences do not count). Only
    groups with at least `min_sentences` theme sentences enter. Group labels are shuffled over
    `unit`s ("turn": whole turns keep their sentences together; "speaker": whole speakers, the
    stricter test when a few speakers dominate), `n_perm` times from `random_state`.
    Columns: theme, unit, n_groups, groups, n_sentences, n_codings, n_units, chi2, dof,
    p_asymptotic (scipy χ², for comparison), p_perm, n_perm, cramers_v, groups_left_out, status
    ("ok", "fewer than two groups with enough sentences", "no frame codings").
    """
    if unit not in ("turn", "speaker"):
        raise ValueError(f"unit must be 'turn' or 'speaker', got {unit!r}")
    frame, cols = _prepare(coding, by, exclude_unknown=exclude_unknown)
    rows = []
    for t_idx, theme in enumerate(pd.unique(coding["theme"])):
        sub = frame[frame["theme"] == theme]
        gkey = sub[cols].astype(str).agg(" · ".join, axis=1)
        sizes = sub.assign(_g=gkey).drop_duplicates("sentence_id").groupby("_g").size()
        enough = sorted(sizes[sizes >= min_sentences].index)
        left_out = sorted(sizes[sizes < min_sentences].index)
        sub = sub.assign(_g=gkey)[gkey.isin(enough)]
        base = {
            "theme": theme,
            "unit": unit,
            "n_groups": len(enough),
            "groups": " | ".join(enough),
            "n_sentences": int(sub["sentence_id"].nunique()),
            "n_codings": int(sub["coded"].sum()),
            "groups_left_out": " | ".join(left_out),
        }
        if len(enough) < 2:
            rows.append({**base, "status": "fewer than two groups with enough sentences"})
            continue
        if not sub["coded"].any():
            rows.append({**base, "status": "no frame codings"})
            continue
        unit_id = sub["turn_id"] if unit == "turn" else speaker_key(sub)
        sub = sub.assign(_u=unit_id.astype(str) + "||" + sub["_g"])
        counts = sub.pivot_table(index="_u", columns="frame", values="coded", aggfunc="sum", fill_value=0)
        counts = counts.loc[:, counts.sum(axis=0) > 0]
        ug = sub.drop_duplicates("_u").set_index("_u")["_g"].reindex(counts.index)
        labels = ug.map({g: i for i, g in enumerate(enough)}).to_numpy()
        seed = np.random.default_rng([int(random_state), t_idx]).integers(0, 2**32 - 1)
        stat, p_perm = permutation_chi2(counts.to_numpy(), labels, n_perm=n_perm, random_state=int(seed))
        table = counts.groupby(labels).sum().to_numpy(dtype=float)
        r, c = int((table.sum(axis=1) > 0).sum()), int((table.sum(axis=0) > 0).sum())
        dof = (r - 1) * (c - 1)
        n = table.sum()
        rows.append(
            {
                **base,
                "n_units": len(counts),
                "chi2": stat,
                "dof": dof,
                "p_asymptotic": float(sps.chi2.sf(stat, dof)) if dof > 0 else np.nan,
                "p_perm": p_perm,
                "n_perm": n_perm,
                "cramers_v": float(np.sqrt(stat / (n * (min(r, c) - 1)))) if min(r, c) > 1 else np.nan,
                "status": "ok",
            }
        )
    columns = [
        "theme",
        "unit",
        "n_groups",
        "groups",
        "n_sentences",
        "n_codings",
        "n_units",
        "chi2",
        "dof",
        "p_asymptotic",
        "p_perm",
        "n_perm",
        "cramers_v",
        "groups_left_out",
        "status",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


# --------------------------------------------------------------------------- distances
def _distributions(profiles: pd.DataFrame, theme: str, cols: list[str]) -> pd.DataFrame:
    sub = profiles[(profiles["theme"] == theme) & (profiles["status"] != TOO_FEW_SENTENCES)]
    if sub.empty:
        return pd.DataFrame()
    key = sub[cols].astype(str).agg(" · ".join, axis=1)
    return sub.assign(_g=key).pivot_table(
        index="_g", columns="frame", values="n_framed", aggfunc="sum", sort=True
    )


def frame_distances(profiles: pd.DataFrame, *, by: Group = "municipality") -> pd.DataFrame:
    """Jensen–Shannon distance (base 2, 0 = same frame distribution, 1 = disjoint) between the
    frame distributions (codings normalized to sum 1) of every pair of groups, per theme.

    Groups with "too few sentences" or no frame coding at all are left out.
    Columns: theme, group_a, group_b, js_distance, n_codings_a, n_codings_b.
    """
    cols = group_columns(by)
    rows = []
    for theme in pd.unique(profiles["theme"]):
        dist = _distributions(profiles, theme, cols)
        if dist.empty:
            continue
        dist = dist[dist.sum(axis=1) > 0]
        names = list(dist.index)
        values = dist.to_numpy(dtype=float)
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                d = float(jensenshannon(values[i], values[j], base=2))
                rows.append((theme, names[i], names[j], d, int(values[i].sum()), int(values[j].sum())))
    return pd.DataFrame(
        rows, columns=["theme", "group_a", "group_b", "js_distance", "n_codings_a", "n_codings_b"]
    )


def frame_linkage(
    distances: pd.DataFrame, theme: str, *, method: str = "average"
) -> tuple[np.ndarray, list[str]]:
    """Hierarchical clustering (scipy `linkage`, average link by default) of the groups of
    `theme` by their Jensen–Shannon distances; returns (linkage matrix, labels).
    Needs at least two groups; raises ValueError otherwise."""
    sub = distances[distances["theme"] == theme]
    labels = sorted(set(sub["group_a"]) | set(sub["group_b"]))
    if len(labels) < 2:
        raise ValueError(f"theme {theme!r}: fewer than two groups to cluster")
    index = {g: i for i, g in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)))
    for a, b, d in zip(sub["group_a"], sub["group_b"], sub["js_distance"]):
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = d
    return linkage(squareform(matrix, checks=False), method=method), labels


# --------------------------------------------------------------------------- quotes
QUOTE_COLUMNS = [
    "theme",
    "frame",
    "code",
    "rank",
    "quote",
    "speaker",
    "role",
    "meeting_date",
    "turn_id",
    "sentence_id",
    "matched_terms",
]


def frame_quotes(
    coding: pd.DataFrame,
    *,
    by: Group = "municipality",
    per_cell: int = 2,
    random_state: int,
    max_chars: int = 200,
) -> pd.DataFrame:
    """Quotes that carry each frame, per group × theme × frame cell: `per_cell` of its coded
    sentences drawn at random (`numpy.random.default_rng(random_state)` over the sentences in
    sentence_id order, so the choice is reproducible and not cherry-picked).

    Columns: group columns, theme, frame, code, rank, quote (the sentence, cut to `max_chars`
    with "…"), speaker, role, meeting_date, turn_id, sentence_id, matched_terms.
    """
    frame, cols = _prepare(coding, by, exclude_unknown=False)
    coded = frame[frame["coded"]].sort_values(["sentence_id", "code"], kind="mergesort")
    rng = np.random.default_rng(random_state)
    coded = coded.assign(_draw=rng.random(len(coded)))
    coded = coded.sort_values([*cols, "theme", "code", "_draw"], kind="mergesort")
    chosen = coded.groupby([*cols, "theme", "code"], sort=False).head(per_cell)
    chosen = chosen.assign(rank=chosen.groupby([*cols, "theme", "code"], sort=False).cumcount() + 1)
    flat = chosen["text"].astype(str).str.replace("\n", " ")
    chosen = chosen.assign(quote=[t if len(t) <= max_chars else t[: max_chars - 1] + "…" for t in flat])
    keep = [*cols, *[c for c in QUOTE_COLUMNS if c not in cols]]
    return chosen[[c for c in keep if c in chosen.columns]].reset_index(drop=True)


# --------------------------------------------------------------------------- words
def frame_keyness(
    tokens: pd.DataFrame,
    coding: pd.DataFrame,
    *,
    min_count: int = 2,
    min_turns: int = 2,
) -> pd.DataFrame:
    """Distinctive words of each frame inside its theme (`keyness.keyness`, frame vs the rest).

    The token table is at turn level, so the corpus for frame F of theme T is the tokens of the
    turns that carry F (any of their T sentences coded F), compared with the tokens of the
    turns carrying T's other frames; a turn with two frames counts in both. Words therefore come
    from whole turns, not only from the coded sentences. Themes with fewer than two frames in
    use are left out. Columns: theme, frame, then the `keyness` columns.
    """
    from dxminutes.analysis.keyness import KEYNESS_COLUMNS, keyness

    turn_level = coding[coding["coded"]][["turn_id", "theme", "frame"]].drop_duplicates()
    parts = []
    for theme in pd.unique(coding["theme"]):
        carriers = turn_level[turn_level["theme"] == theme]
        if carriers["frame"].nunique() < 2:
            continue
        subset = tokens[["turn_id", "term"]].merge(carriers[["turn_id", "frame"]], on="turn_id", how="inner")
        try:
            key = keyness(subset, by="frame", min_count=min_count, min_turns=min_turns)
        except ValueError as exc:
            if "at least two groups" not in str(exc):
                raise
            continue
        parts.append(key.assign(theme=theme))
    if not parts:
        return pd.DataFrame(columns=["theme", "frame", *KEYNESS_COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    return out[["theme", "frame", *KEYNESS_COLUMNS]]


# --------------------------------------------------------------------------- trends
def permutation_slope(values, periods, meetings, *, n_perm: int, random_state: int) -> tuple[float, float]:
    """OLS slope of 0/1 `values` on `periods` (share change per period) and its two-sided
    permutation p-value, the periods shuffled over whole `meetings` (a meeting keeps its units
    together), (1 + #{|b*| ≥ |b|}) / (1 + n_perm). NaN when the periods do not vary."""
    values = np.asarray(values, dtype=float)
    periods = np.asarray(periods, dtype=float)
    codes, uniques = pd.factorize(pd.Series(np.asarray(meetings, dtype=object)), sort=True)
    n_m = np.bincount(codes, minlength=len(uniques)).astype(float)
    s_m = np.bincount(codes, weights=values, minlength=len(uniques))
    x_m = np.bincount(codes, weights=periods, minlength=len(uniques)) / n_m
    n, total = n_m.sum(), s_m.sum()

    def slope(x):  # x: (..., meetings)
        sxy = (x * s_m).sum(axis=-1) - (x * n_m).sum(axis=-1) * total / n
        sxx = (x**2 * n_m).sum(axis=-1) - (x * n_m).sum(axis=-1) ** 2 / n
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sxx > 1e-12, sxy / sxx, np.nan)

    observed = float(slope(x_m))
    if not np.isfinite(observed):
        return float("nan"), float("nan")
    rng = np.random.default_rng(random_state)
    perms = np.stack([x_m[rng.permutation(len(x_m))] for _ in range(n_perm)])
    null = slope(perms)
    p = (1 + int((np.abs(null) >= abs(observed) - 1e-12).sum())) / (1 + n_perm)
    return observed, p


def trend_tests(
    units: pd.DataFrame,
    indicators: Sequence[str],
    *,
    by: Group = "municipality",
    min_periods: int = 3,
    n_perm: int = 2000,
    random_state: int,
) -> pd.DataFrame:
    """Per group × indicator: is there a linear trend over periods? Slope of the share per period
    (OLS on the units, e.g. sentences) with a permutation p, periods shuffled over meetings.

    `units` needs `period`, `doc_id` (the meeting) and the 0/1 `indicators` columns. Groups with
    fewer than `min_periods` periods get status "fewer than {min_periods} periods" and no test;
    an indicator that is never (or always) 1 in the group gets "no variation".
    Columns: group columns, indicator, n_units, n_meetings, n_periods, slope, p_perm, n_perm, status.
    """
    cols = group_columns(by)
    rows = []
    rng = np.random.default_rng(random_state)
    groups = units.dropna(subset=["period"]).groupby(cols, sort=True)
    seeds = rng.integers(0, 2**32 - 1, size=max(groups.ngroups, 1))
    for (key, block), seed in zip(groups, seeds):
        key = key if isinstance(key, tuple) else (key,)
        n_periods = int(block["period"].nunique())
        n_meetings = int(block["doc_id"].nunique())
        for j, ind in enumerate(indicators):
            base = (*key, ind, len(block), n_meetings, n_periods)
            if n_periods < min_periods:
                rows.append((*base, np.nan, np.nan, 0, f"fewer than {min_periods} periods"))
                continue
            if block[ind].nunique() < 2:  # never (or always) coded: nothing can change
                rows.append((*base, 0.0, np.nan, 0, "no variation"))
                continue
            b, p = permutation_slope(
                block[ind].to_numpy(),
                block["period"].to_numpy(dtype=float),
                block["doc_id"].to_numpy(),
                n_perm=n_perm,
                random_state=int(seed) + j,
            )
            rows.append((*base, b, p, n_perm, "ok"))
    return pd.DataFrame(
        rows,
        columns=[
            *cols,
            "indicator",
            "n_units",
            "n_meetings",
            "n_periods",
            "slope",
            "p_perm",
            "n_perm",
            "status",
        ],
    )


def theme_trend_tests(
    sentences: pd.DataFrame,
    theme_sents: pd.DataFrame,
    *,
    by: Group = "municipality",
    theme_order: Sequence[str] | None = None,
    **kwargs,
) -> pd.DataFrame:
    """`trend_tests` of each theme's share of all sentences over fiscal years (`indicator` = theme)."""
    themes = list(theme_order) if theme_order is not None else list(pd.unique(theme_sents["theme"]))
    units = add_period(sentences.drop_duplicates("sentence_id")).set_index("sentence_id")
    flags = pd.crosstab(theme_sents["sentence_id"], theme_sents["theme"]).reindex(
        columns=themes, fill_value=0
    )
    units = units.join((flags > 0).astype(int)).fillna({t: 0 for t in themes}).reset_index()
    return trend_tests(units, themes, by=by, **kwargs).rename(columns={"indicator": "theme"})


def frame_trend_tests(coding: pd.DataFrame, *, by: Group = "municipality", **kwargs) -> pd.DataFrame:
    """`trend_tests` of each frame's share of its theme's sentences over fiscal years.
    Columns: group columns, theme, frame, code, then the `trend_tests` columns."""
    parts = []
    for theme in pd.unique(coding["theme"]):
        sub = add_period(coding[coding["theme"] == theme])
        keys = list(pd.unique(sub["frame"]))
        wide = sub.pivot_table(index="sentence_id", columns="frame", values="coded", aggfunc="max")[keys]
        keep = list(dict.fromkeys([*group_columns(by), "doc_id", "period"]))
        units = sub.drop_duplicates("sentence_id").set_index("sentence_id")[keep].join(wide.astype(int))
        out = trend_tests(units.reset_index(), keys, by=by, **kwargs).rename(columns={"indicator": "frame"})
        parts.append(out.assign(theme=theme, code=theme + ":" + out["frame"]))
    cols = group_columns(by)
    if not parts:  # no theme sentence: no row, the columns and types of a full table
        text = [*cols, "theme", "frame", "code", "status"]
        ints = ["n_units", "n_meetings", "n_periods", "n_perm"]
        return pd.DataFrame(
            {
                c: pd.Series(dtype=str if c in text else "int64" if c in ints else "float64")
                for c in [*cols, "theme", "frame", "code", *ints[:3], "slope", "p_perm", "n_perm", "status"]
            }
        )
    out = pd.concat(parts, ignore_index=True)
    return out[
        [
            *cols,
            "theme",
            "frame",
            "code",
            *[c for c in out.columns if c not in (*cols, "theme", "frame", "code")],
        ]
    ]
