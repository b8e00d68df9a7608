"""Generated narrative for the framing notebook (06): every number quoted comes from a table.

The functions take the tables of the frame level of `analysis.themes` and `analysis.validity`, and of `analysis.frame_stats`, and return
sentences (or small display tables); they state the caveats the data impose: weak frames in the
validity check, groups with too few sentences, tests that find no difference above the
permutation null, unknown roles left out, and what one meeting per municipality cannot show.
"""

from __future__ import annotations

__all__ = ["ALPHA", "WEAK_KAPPA", "describe_caveats", "describe_distances", "describe_periods", "describe_profiles", "describe_roles", "describe_trends", "describe_validity", "profile_table", "top_frame_words", "weak_frames"]  # fmt: skip

import numpy as np
import pandas as pd

#: κ below this: the frame's automatic coding agrees only weakly with the gold sample.
WEAK_KAPPA = 0.4
ALPHA = 0.05


def _pct(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.0f}%"


def _num(x: float, digits: int = 2) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.{digits}f}"


def _interval_text(row) -> str:
    """The reported 95% interval (ci_low/high): Wilson at n / speaker design effect."""
    return f"{_pct(row['ci_low'])}–{_pct(row['ci_high'])}"


def _frame_name(frames, theme: str, key: str) -> str:
    return frames.label(theme, key) if frames is not None else key


# --------------------------------------------------------------------------- validity
def weak_frames(validity: pd.DataFrame, min_kappa: float = WEAK_KAPPA) -> list[str]:
    """Frame codes whose κ on the gold sample is below `min_kappa` (or undefined)."""
    rows = validity[validity["level"] == "frame"]
    return rows.loc[~(rows["kappa"] >= min_kappa), "code"].tolist()


def describe_validity(
    validity: pd.DataFrame, min_kappa: float = WEAK_KAPPA, *, development_sample: bool = True
) -> list[str]:
    """Sentences on how well themes and frames are detected, per theme, from `frame_validity`.

    `development_sample`: the sample was also used to write the codebook (the seed gold sample);
    False for an independent sample."""
    out = []
    n = int(validity["n_turns"].max())
    changed = int(validity["n_text_changed"].max())
    missing = int(validity["n_missing"].max())
    out.append(
        f"Validity is measured on {n} gold turns (turn level: a turn has frame F when any of its "
        f"sentences of F's theme is coded F); {changed} gold turns were left out because their text "
        f"changed and {missing} because they are missing from the corpus."
    )
    for theme, block in validity.groupby("theme", sort=False):
        t = block[block["level"] == "theme"].iloc[0]
        fr = block[block["level"] == "frame"].sort_values("kappa", ascending=False)
        parts = ", ".join(
            f"{r.frame} κ = {_num(r.kappa)} (P {_num(r.precision)}, R {_num(r.recall)}, {r.gold_positive} gold)"
            for r in fr.itertuples()
        )
        out.append(
            f"{theme}: the theme is found with P = {_num(t['precision'])}, R = {_num(t['recall'])}, "
            f"κ = {_num(t['kappa'])}; its frames: {parts}."
        )
    weak = weak_frames(validity, min_kappa)
    if weak:
        out.append(
            f"{len(weak)} of {int((validity['level'] == 'frame').sum())} frames agree only weakly with the "
            f"gold sample (κ < {min_kappa}, or undefined for lack of positives): {', '.join(weak)}. "
            "Read their profiles as indications, "
            "not measurements."
        )
    recall = validity.loc[validity["level"] == "frame", "recall"]
    if len(recall) and float(recall.median()) < 0.6:
        out.append(
            f"Recall is modest (median {_num(float(recall.median()))} over frames): the dictionary misses "
            "frames that speakers express without its words or outside the sentence that names the "
            "theme, so shares are lower bounds rather than estimates of how often a frame is present."
        )
    if development_sample:
        out.append(
            "The gold sample has a single coder and was also used to write the codebook, so these "
            "figures are, if anything, optimistic."
        )
    else:
        sparse = validity[(validity["level"] == "frame") & (validity["gold_positive"] < 5)]
        out.append(
            "This sample was labelled blind to the dictionaries by a single coder on other bodies' "
            f"minutes; {len(sparse)} frames have fewer than 5 gold turns in it, so their figures rest on "
            "a handful of turns."
        )
    return out


# --------------------------------------------------------------------------- profiles
def profile_table(profiles: pd.DataFrame, frames=None, *, row: str = "municipality") -> pd.DataFrame:
    """Display table: one row per group × theme, one column per frame, "share (low–high)" or
    "too few sentences"."""
    cells = profiles.assign(
        cell=[
            r["status"] if r["status"] == "too few sentences" else f"{_pct(r['share'])} ({_interval_text(r)})"
            for _, r in profiles.iterrows()
        ],
        frame_label=[_frame_name(frames, t, k) for t, k in zip(profiles["theme"], profiles["frame"])],
    )
    order = list(dict.fromkeys(cells["frame_label"]))
    wide = cells.pivot_table(
        index=["theme", row, "n_sentences"], columns="frame_label", values="cell", aggfunc="first"
    )
    wide = wide.reindex(columns=[c for c in order if c in wide.columns])
    themes_order = list(pd.unique(profiles["theme"]))
    wide = wide.reset_index()
    wide["_t"] = wide["theme"].map({t: i for i, t in enumerate(themes_order)})
    return wide.sort_values(["_t", row], kind="mergesort").drop(columns="_t").reset_index(drop=True)


def describe_profiles(
    profiles: pd.DataFrame, tests: pd.DataFrame, theme: str, frames=None, *, alpha: float = ALPHA
) -> list[str]:
    """Sentences on one theme: each group's leading frame, who has too few sentences, and the
    permutation tests (over turns and over speakers)."""
    sub = profiles[profiles["theme"] == theme]
    out = []
    few = sorted(sub.loc[sub["status"] == "too few sentences", "municipality"].astype(str).unique())
    ok = sub[sub["status"] != "too few sentences"]
    for muni, block in ok.groupby("municipality", sort=True):
        top = block.sort_values(["share", "frame"], ascending=[False, True]).iloc[0]
        n = int(top["n_sentences"])
        if top["n_framed"] == 0:
            out.append(f"{muni}: none of its {n} {theme} sentences carries a dictionary frame.")
            continue
        out.append(
            f"{muni}: of {n} {theme} sentences, the most frequent frame is "
            f"{_frame_name(frames, theme, top['frame'])} ({_pct(top['share'])}, 95% interval "
            f"{_interval_text(top)})."
        )
    if few:
        out.append(
            f"Too few {theme} sentences (below the minimum) for an interval or a test: {', '.join(few)}."
        )
    t = tests[tests["theme"] == theme]
    if t.empty or (t["status"] != "ok").all():
        status = t["status"].iloc[0] if len(t) else "no test"
        out.append(f"Whether {theme} frame profiles differ cannot be tested here: {status}.")
        return out
    by_unit = t.set_index("unit")
    parts = [
        f"over {u}s p = {_num(by_unit.loc[u, 'p_perm'], 3)}"
        for u in ("turn", "speaker")
        if u in by_unit.index and by_unit.loc[u, "status"] == "ok"
    ]
    first = by_unit.iloc[0]
    sig = [u for u in by_unit.index if by_unit.loc[u, "status"] == "ok" and by_unit.loc[u, "p_perm"] < alpha]
    if len(sig) == len(parts) and parts:
        verdict = "differ between municipalities beyond the permutation null"
    elif sig:
        verdict = (
            f"differ beyond the null when {sig[0]}s are permuted but not when "
            f"{'speakers' if sig[0] == 'turn' else 'turns'} are: the difference may rest on a few speakers"
        )
    else:
        verdict = "show no difference above the permutation null"
    out.append(
        f"Across the {int(first['n_groups'])} municipalities with enough sentences, the {theme} frame profiles "
        f"{verdict} (χ² = {_num(first['chi2'])}, permutation test {', '.join(parts)}; "
        f"Cramér's V = {_num(first['cramers_v'])})."
    )
    return out


def describe_distances(distances: pd.DataFrame, theme: str) -> list[str]:
    """The closest and the farthest pair of municipalities by Jensen–Shannon distance."""
    sub = distances[distances["theme"] == theme].sort_values(["js_distance", "group_a", "group_b"])
    if sub.empty:
        return [f"No two municipalities have enough {theme} sentences to compare their profiles."]
    close, far = sub.iloc[0], sub.iloc[-1]
    if len(sub) == 1:
        return [
            f"{close['group_a']} and {close['group_b']}: Jensen–Shannon distance {_num(close['js_distance'])}."
        ]
    return [
        f"Closest {theme} profiles: {close['group_a']} and {close['group_b']} (Jensen–Shannon distance "
        f"{_num(close['js_distance'])}); farthest: {far['group_a']} and {far['group_b']} "
        f"({_num(far['js_distance'])}, on a scale from 0 = same mix to 1 = no frame in common)."
    ]


def describe_roles(
    role_profiles: pd.DataFrame, unknown: pd.DataFrame, theme: str, frames=None, *, row: str = "role_group"
) -> list[str]:
    """Leading frame per role group for one theme, and how many theme sentences had no role."""
    sub = role_profiles[(role_profiles["theme"] == theme) & (role_profiles["status"] != "too few sentences")]
    out = []
    for group, block in sub.groupby(row, sort=True):
        top = block.sort_values(["share", "frame"], ascending=[False, True]).iloc[0]
        out.append(
            f"{group}: {int(top['n_sentences'])} {theme} sentences, most often "
            f"{_frame_name(frames, theme, top['frame'])} ({_pct(top['share'])}, {_interval_text(top)})."
        )
    few = sorted(
        role_profiles.loc[
            (role_profiles["theme"] == theme) & (role_profiles["status"] == "too few sentences"), row
        ]
        .astype(str)
        .unique()
    )
    if few:
        out.append(f"Too few {theme} sentences for an interval: {', '.join(few)}.")
    u = unknown[unknown["theme"] == theme]
    n_unknown, n_all = int(u["n_sentences"].sum()), int(u["n_theme_sentences"].sum())
    if n_unknown:
        where = ", ".join(f"{r.municipality} {r.n_sentences}" for r in u[u["n_sentences"] > 0].itertuples())
        out.append(
            f"{n_unknown} of {n_all} {theme} sentences ({_pct(n_unknown / n_all)}) come from speakers whose "
            f"role was lost in extraction ({where}); they are left out of these denominators."
        )
    return out


def describe_periods(periods: pd.DataFrame) -> list[str]:
    """What the corpus can show over time (periods = fiscal years April–March)."""
    multi = periods[periods["n_periods"] >= 2]
    if multi.empty:
        return [
            f"Every one of the {len(periods)} municipalities has "
            f"{'one meeting' if (periods['n_meetings'] == 1).all() else 'meetings in a single fiscal year'}: "
            "the corpus cannot show change over time. A difference between municipalities here may "
            "equally be a difference between years or between the agendas of single meetings; trends "
            "need several meetings per body (the method is tested on a generated corpus with a planted "
            "trend)."
        ]
    return [
        f"{len(multi)} of {len(periods)} municipalities have meetings in two or more fiscal years "
        f"({', '.join(f'{r.municipality}: {r.n_periods}' for r in multi.itertuples())}); trends are "
        "drawn for these only."
    ]


def top_frame_words(keyness: pd.DataFrame, theme: str, n: int = 6, frames=None) -> pd.DataFrame:
    """The `n` most distinctive words (positive G²) of each frame of `theme`, joined with " ・ "."""
    sub = keyness[(keyness["theme"] == theme) & (keyness["g2"] > 0)]
    sub = sub.sort_values(["frame", "g2", "term"], ascending=[True, False, True], kind="mergesort")
    top = sub.groupby("frame", sort=False).head(n)
    out = top.groupby("frame", sort=False)["term"].agg(" ・ ".join).rename("distinctive words").reset_index()
    out.insert(1, "label", [_frame_name(frames, theme, k) for k in out["frame"]])
    return out


def describe_caveats(
    validity: pd.DataFrame,
    profiles: pd.DataFrame,
    tests: pd.DataFrame,
    unknown: pd.DataFrame,
    periods: pd.DataFrame,
    *,
    alpha: float = ALPHA,
    min_kappa: float = WEAK_KAPPA,
) -> list[str]:
    """The limits of the framing comparison, each computed from a table."""
    out = []
    weak = weak_frames(validity, min_kappa)
    n_frames = int((validity["level"] == "frame").sum())
    out.append(
        f"Frames are found by a dictionary: {n_frames - len(weak)} of {n_frames} frames reach κ ≥ {min_kappa} "
        "against the single-coder gold sample; the others are indicative only."
    )
    few = profiles.drop_duplicates(["municipality", "theme"])
    few = few[few["status"] == "too few sentences"]
    if len(few):
        out.append(
            f"{len(few)} municipality × theme cells have fewer theme sentences than the minimum and are "
            "shown as 'too few sentences': "
            + ", ".join(f"{r.municipality}/{r.theme} ({r.n_sentences})" for r in few.itertuples())
            + "."
        )
    ok = tests[tests["status"] == "ok"]
    untested = sorted(set(tests["theme"]) - set(ok["theme"]))
    if untested:
        out.append(
            f"No test of a difference is possible for: {', '.join(untested)} (fewer than two municipalities with enough sentences)."
        )
    if len(ok):
        robust = ok.groupby("theme")["p_perm"].max()
        none = sorted(robust[robust >= alpha].index)
        if none:
            out.append(
                f"For {', '.join(none)} the data do not show a difference in framing between municipalities "
                f"that survives both permutation tests (p ≥ {alpha} over turns or over speakers); describe, do not rank."
            )
    n_unknown = int(unknown["n_sentences"].sum())
    if n_unknown:
        out.append(
            f"{n_unknown} theme sentences ({_pct(n_unknown / max(int(unknown['n_theme_sentences'].sum()), 1))}) "
            "come from speakers of unknown role and are left out of the role comparison."
        )
    out += describe_periods(periods)
    out.append(
        "Frames are not exclusive (a sentence can carry several or none), so the shares of a profile do "
        "not add up to 100%; a sentence counts only when it itself names the theme."
    )
    return out


def describe_trends(trends: pd.DataFrame, *, what: str = "theme", alpha: float = ALPHA) -> list[str]:
    """Sentences from `frame_stats.theme_trend_tests` (what="theme") or `frame_trend_tests`
    (what="code"): the slope per fiscal year and its permutation p, or why there is no test."""
    if trends.empty:
        return ["No trend can be tested: the table is empty."]
    ok = trends[trends["status"] == "ok"]
    if ok.empty:
        return [
            f"No trend test: no municipality has meetings in enough fiscal years ({trends['status'].iloc[0]})."
        ]
    out = []
    for row in ok.itertuples():
        label = getattr(row, what)
        verdict = (
            "a trend beyond the permutation null"
            if row.p_perm < alpha
            else "no trend above the permutation null"
        )
        out.append(
            f"{row.municipality}, {label}: {100 * row.slope:+.1f} percentage points per fiscal year over "
            f"{row.n_periods} years and {row.n_meetings} meetings (permutation p = {row.p_perm:.3f}): {verdict}."
        )
    return out
