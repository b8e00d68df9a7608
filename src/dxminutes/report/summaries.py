"""Summary tables and generated sentences for the notebooks.

The notebooks state numbers only through these functions, so every figure quoted in the text
comes from a computed table and changes when the corpus changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dxminutes.analysis.groups import with_role_group
from dxminutes.text.dtm import term_counts

#: Role groups compared in "members vs officials".
CONTRAST_GROUPS = ("members", "officials")
#: |adjusted residual| above which a cell differs from independence at the 5% level.
RESIDUAL_CUTOFF = 1.96


def _labels(themes) -> dict[str, str]:
    return dict(themes.labels) if themes is not None else {}


# --------------------------------------------------------------------------- corpus
def turns_by_role(turns: pd.DataFrame, value: str = "turns") -> pd.DataFrame:
    """Tidy municipality × role table of turn counts (`value="turns"`) or of a summed column."""
    grouped = turns.groupby(["municipality", "role"], sort=True)
    out = grouped.size() if value == "turns" else grouped[value].sum()
    return out.rename(value).reset_index()


def speaker_table(turns: pd.DataFrame) -> pd.DataFrame:
    """One row per municipality × speaker × role: turns, characters, and the labels as written."""
    return (
        turns.groupby(["municipality", "speaker", "role"], sort=True)
        .agg(
            turns=("turn_id", "size"),
            n_chars=("n_chars", "sum"),
            labels=("speaker_label", lambda s: " | ".join(sorted(set(map(str, s))))),
        )
        .reset_index()
        .sort_values(["municipality", "turns", "speaker"], ascending=[True, False, True], kind="mergesort")
        .reset_index(drop=True)
    )


def describe_caveats(documents: pd.DataFrame, turns: pd.DataFrame) -> list[str]:
    """Sentences on what the corpus can support, computed from its tables."""
    sizes = turns.groupby("municipality")["n_chars"].sum().sort_values()
    kinds = documents["record_kind"].fillna("unknown").value_counts().sort_index()
    unknown = turns["role"].eq("unknown")
    out = [
        f"The corpus holds {len(documents)} documents from {documents['municipality'].nunique()} "
        f"municipalities and {len(turns)} speaker turns: a comparison of cases, not a sample of "
        "Japanese municipalities.",
        f"Lengths are unequal: the smallest municipality ({sizes.index[0]}) has "
        f"{int(sizes.iloc[0]):,} characters of speech and the largest ({sizes.index[-1]}) "
        f"{int(sizes.iloc[-1]):,}, {sizes.iloc[-1] / max(sizes.iloc[0], 1):.1f} times as many; "
        "compare shares and rates, not counts.",
        "Record kinds differ (" + ", ".join(f"{k}: {v}" for k, v in kinds.items()) + "): "
        "a summary record condenses speech, so its vocabulary is the secretariat's wording of what "
        "was said, and a lecture report is dominated by the lecturer.",
        f"Each municipality is one meeting, held between {documents['meeting_date'].min()} and "
        f"{documents['meeting_date'].max()}: differences may reflect the meeting's agenda and date "
        "as much as the municipality.",
    ]
    if unknown.any():
        where = turns.loc[unknown, "municipality"].value_counts()
        out.append(
            f"{int(unknown.sum())} turns have an unknown role (speaker marks lost in "
            "extraction: "
            + ", ".join(f"{m} {n}" for m, n in where.items())
            + "); role comparisons leave them out."
        )
    return out


# --------------------------------------------------------------------------- vocabulary
def top_terms(tokens: pd.DataFrame, n: int = 15, by: str = "municipality") -> pd.DataFrame:
    """The `n` most frequent terms per group with count, rate per 10,000 tokens and rank."""
    counts = term_counts(tokens, by=(by,))  # sorted by group, count descending, term
    counts = counts.join(tokens.groupby(by).size().rename("total"), on=by)
    counts["rate_per_10k"] = counts["count"] / counts["total"] * 10_000
    counts["rank"] = counts.groupby(by).cumcount() + 1
    return counts[counts["rank"] <= n].drop(columns="total").reset_index(drop=True)


def top_keyness(key: pd.DataFrame, n: int = 15, by: Sequence[str] = ("municipality",)) -> pd.DataFrame:
    """The `n` most over-represented terms (positive G²) per group of a keyness table."""
    by = list(by)
    positive = key[key["g2"] > 0].sort_values(
        [*by, "g2", "term"], ascending=[True] * len(by) + [False, True], kind="mergesort"
    )
    return positive.groupby(by, sort=False).head(n).reset_index(drop=True)


# --------------------------------------------------------------------------- themes
def describe_shares(shares: pd.DataFrame, themes=None) -> list[str]:
    """One sentence per theme: which municipality gives it the largest share, with intervals."""
    labels = _labels(themes)
    out = []
    for theme, block in shares.groupby("theme", sort=False):
        block = block.sort_values(["share", "municipality"], ascending=[False, True], kind="mergesort")
        hi, lo = block.iloc[0], block.iloc[-1]
        overlap = hi["ci_low"] <= lo["ci_high"]
        out.append(
            f"{labels.get(theme, theme)}: highest in {hi['municipality']} "
            f"({hi['share']:.0%} of turns, 95% CI {hi['ci_low']:.0%}–{hi['ci_high']:.0%}), lowest in "
            f"{lo['municipality']} ({lo['share']:.0%}, {lo['ci_low']:.0%}–{lo['ci_high']:.0%}); "
            + (
                "the intervals overlap, so this ordering is not settled by the data."
                if overlap
                else "the intervals do not overlap."
            )
        )
    return out


def role_contrast(by_role: pd.DataFrame, groups: Sequence[str] = CONTRAST_GROUPS) -> pd.DataFrame:
    """Theme shares of the contrasted role groups, with a `theme_role` column for a heatmap."""
    out = by_role[by_role["role_group"].isin(groups)].copy()
    out["theme_role"] = out["theme"] + " · " + out["role_group"]
    return out.sort_values(["municipality", "theme", "role_group"], kind="mergesort").reset_index(drop=True)


# --------------------------------------------------------------------------- profiles
def build_profiles(
    documents: pd.DataFrame,
    turns: pd.DataFrame,
    shares: pd.DataFrame,
    residuals: pd.DataFrame,
    key: pd.DataFrame,
    within: pd.DataFrame,
    by_role: pd.DataFrame,
    themes,
    n_terms: int = 5,
) -> pd.DataFrame:
    """One row per municipality: record, theme shares and residuals, distinctive terms, voices.

    Wide columns per theme key: `share_<key>`, `ci_low_<key>`, `ci_high_<key>`,
    `residual_<key>`, `terms_<key>` (within-theme distinctive terms), `members_<key>` and
    `officials_<key>` (share of those role groups' turns coded with the theme).
    """
    docs = (
        documents.groupby("municipality", sort=True)
        .agg(
            prefecture=("prefecture", "first"),
            body=("body", "first"),
            meeting_date=("meeting_date", "first"),
            record_kind=("record_kind", "first"),
        )
        .reset_index()
    )
    sizes = (
        turns.groupby("municipality").agg(turns=("turn_id", "size"), n_chars=("n_chars", "sum")).reset_index()
    )
    roles = with_role_group(turns).pivot_table(
        index="municipality", columns="role_group", values="turn_id", aggfunc="size", fill_value=0
    )
    share_official = (roles.get("officials", 0) / roles.sum(axis=1)).rename("official_turn_share")
    top = top_keyness(key, n=n_terms).groupby("municipality")["term"].agg("・".join)
    out = (
        docs.merge(sizes, on="municipality")
        .join(share_official, on="municipality")
        .join(top.rename("distinctive_terms"), on="municipality")
    )
    within_top = top_keyness(within, n=n_terms, by=("theme", "municipality"))
    for theme in themes.keys:
        s = shares[shares["theme"] == theme].set_index("municipality")
        r = residuals[residuals["theme"] == theme].set_index("municipality")
        w = within_top[within_top["theme"] == theme].groupby("municipality")["term"].agg("・".join)
        b = by_role[by_role["theme"] == theme].pivot_table(
            index="municipality", columns="role_group", values="share"
        )
        cols = {
            f"share_{theme}": s["share"],
            f"ci_low_{theme}": s["ci_low"],
            f"ci_high_{theme}": s["ci_high"],
            f"residual_{theme}": r["adjusted_residual"],
            f"terms_{theme}": w,
        }
        for g in CONTRAST_GROUPS:
            cols[f"{g}_{theme}"] = b[g] if g in b.columns else pd.Series(dtype=float)
        out = out.join(pd.DataFrame(cols), on="municipality")
        out[f"terms_{theme}"] = out[f"terms_{theme}"].fillna("")
    return out.reset_index(drop=True)


def _residual_phrase(value: float) -> str:
    if pd.isna(value):
        return "no residual"
    if value >= RESIDUAL_CUTOFF:
        return f"more than expected (adjusted residual {value:+.2f})"
    if value <= -RESIDUAL_CUTOFF:
        return f"less than expected (adjusted residual {value:+.2f})"
    return f"about as expected (adjusted residual {value:+.2f})"


def profile_markdown(municipality: str, profiles: pd.DataFrame, quotes: pd.DataFrame, themes) -> str:
    """A Markdown profile of one municipality, every number taken from `profiles`."""
    row = profiles.set_index("municipality").loc[municipality]
    labels = _labels(themes)
    lines = [
        f"### {municipality}（{row['prefecture']}）",
        f"*{row['body']}*, {row['meeting_date']}, {row['record_kind']} record: {int(row['turns'])} "
        f"turns, {int(row['n_chars']):,} characters; officials speak {row['official_turn_share']:.0%} "
        "of the turns.",
        "",
        f"**Distinctive vocabulary** (G², against the other municipalities): {row['distinctive_terms'] or '—'}.",
        "",
    ]
    ranked = sorted(
        themes.keys, key=lambda t: (-row[f"residual_{t}"] if pd.notna(row[f"residual_{t}"]) else 0, t)
    )
    for theme in ranked:
        members, officials = row.get(f"members_{theme}"), row.get(f"officials_{theme}")
        voices = ""
        if pd.notna(members) and pd.notna(officials):
            voices = f" Members' turns: {members:.0%}; officials' turns: {officials:.0%}."
        terms = row[f"terms_{theme}"]
        lines.append(
            f"- **{labels.get(theme, theme)}**: {row[f'share_{theme}']:.0%} of turns "
            f"(95% CI {row[f'ci_low_{theme}']:.0%}–{row[f'ci_high_{theme}']:.0%}), "
            f"{_residual_phrase(row[f'residual_{theme}'])}.{voices}"
            + (f" Framed with: {terms}." if terms else "")
        )
        quote = quotes[(quotes["municipality"] == municipality) & (quotes["theme"] == theme)]
        if len(quote):
            q = quote.iloc[0]
            lines.append(f"  > 「{q['quote']}」（{q['speaker']}, {q['role']}）")
    return "\n".join(lines)


def comparison_table(profiles: pd.DataFrame, themes) -> pd.DataFrame:
    """The closing table: per municipality, share (residual) per theme and top terms."""
    labels = _labels(themes)
    out = profiles[["municipality", "record_kind", "turns"]].copy()
    for theme in themes.keys:
        out[labels.get(theme, theme)] = [
            f"{s:.0%} ({r:+.1f})" if pd.notna(r) else f"{s:.0%}"
            for s, r in zip(profiles[f"share_{theme}"], profiles[f"residual_{theme}"])
        ]
    out["distinctive terms"] = profiles["distinctive_terms"]
    return out.set_index("municipality")


def cleaning_audit(cleaning: pd.DataFrame) -> pd.DataFrame:
    """Changes per cleaning step (rows, pipeline order) and document (columns)."""
    return (
        cleaning.pivot_table(index="step", columns="doc_id", values="n_changes", aggfunc="sum", sort=False)
        .fillna(0)
        .astype(int)
    )


def cleaning_examples(cleaning: pd.DataFrame) -> pd.DataFrame:
    """The first before/after example of each cleaning step that changed anything."""
    changed = cleaning[cleaning["example_before"].astype(str) != ""]
    return changed.drop_duplicates("step")[["step", "doc_id", "example_before", "example_after"]]
