"""Summary tables and generated sentences for the notebooks.

The notebooks state numbers only through these functions, so every figure quoted in the text
comes from a computed table and changes when the corpus changes.
"""

from __future__ import annotations

__all__ = ["CONTRAST_GROUPS", "VERDICT_MARKS", "VERDICT_PHRASES", "build_profiles", "cleaning_audit", "cleaning_examples", "clustered_sentences", "comparison_table", "describe_caveats", "describe_shares", "format_p", "loading_problems", "markdown_text", "meetings_caveat", "profile_markdown", "role_contrast", "speaker_table", "top_keyness", "top_terms", "turns_by_role", "verdict_sentence"]  # fmt: skip

import html
import re
from collections.abc import Sequence

import pandas as pd

from dxminutes.analysis.groups import with_role_group
from dxminutes.text.dtm import term_counts

#: Role groups compared in "members vs officials".
CONTRAST_GROUPS = ("members", "officials")


#: Characters with a meaning in Markdown, backslash-escaped in text taken from the minutes.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def markdown_text(value) -> str:
    """`value` as inert Markdown text: HTML-escaped (no tag, no attribute survives), Markdown
    characters backslash-escaped and line breaks made spaces (no new block can start).

    Every value from the minutes, the catalog or a theme file that goes into Markdown passes
    through here, so a municipality or a quote holding `<script>` shows as text.
    """
    text = " ".join(str(value).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=True))


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


def loading_problems(corpus) -> pd.DataFrame:
    """The list the landing page shows, as one tidy table: every file that could not be loaded
    (`failure`), every document left out as a copy of another (`duplicate`) and every loading
    warning (`warning`), sorted by kind then file. Columns: kind, file, message."""
    duplicates = corpus.duplicates
    rows = [
        pd.DataFrame(
            {"kind": "failure", "file": corpus.failures["file"], "message": corpus.failures["problem"]}
        ),
        pd.DataFrame(
            {
                "kind": "duplicate",
                "file": duplicates["dropped_file"],
                "message": "left out as a copy of " + duplicates["kept_file"].astype(str),
            }
        ),
        pd.DataFrame(
            {"kind": "warning", "file": corpus.warnings["file"], "message": corpus.warnings["message"]}
        ),
    ]
    out = pd.concat(rows, ignore_index=True).astype({"kind": "str", "file": "str", "message": "str"})
    order = {"failure": 0, "duplicate": 1, "warning": 2}
    out = out.sort_values(
        ["kind", "file"], key=lambda c: c.map(order) if c.name == "kind" else c, kind="mergesort"
    )
    return out.reset_index(drop=True)


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
        meetings_caveat(documents),
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


def meetings_caveat(documents: pd.DataFrame) -> str:
    """What one meeting per municipality can and cannot show, computed from `documents`."""
    per = documents.groupby("municipality").agg(
        meetings=("doc_id", "size"), kinds=("record_kind", lambda s: s.fillna("unknown").nunique())
    )
    dates = f"held between {documents['meeting_date'].min()} and {documents['meeting_date'].max()}"
    if (per["meetings"] == 1).all():
        head = (
            "Each municipality is one meeting of one record kind "
            f"({dates}), so every difference reported here is a difference between meetings: "
            "the agenda, the date, the body and the way the record was written are confounded "
            "with the municipality."
        )
    else:
        single = per.index[per["meetings"] == 1].tolist()
        head = (
            f"{int((per['meetings'] > 1).sum())} municipalities have several meetings and "
            f"{len(single)} only one ({dates}); for those with one, differences are between meetings."
        )
    return (
        head + " A corpus with several meetings per body would let the analysis separate the "
        "municipality from the meeting (meeting as a cluster or random effect), estimate how much "
        "theme shares vary between meetings of the same body, and test municipality differences "
        "against that variation rather than against variation between turns."
    )


# --------------------------------------------------------------------------- vocabulary
def top_terms(tokens: pd.DataFrame, n: int = 15, by: str = "municipality") -> pd.DataFrame:
    """The `n` most frequent terms per group with count, rate per 10,000 tokens and rank."""
    counts = term_counts(tokens, by=(by,))  # sorted by group, count descending, term
    counts = counts.join(tokens.groupby(by).size().rename("total"), on=by)
    counts["rate_per_10k"] = counts["count"] / counts["total"] * 10_000
    counts["rank"] = counts.groupby(by).cumcount() + 1
    return counts[counts["rank"] <= n].drop(columns="total").reset_index(drop=True)


def top_keyness(
    key: pd.DataFrame, n: int = 15, by: Sequence[str] = ("municipality",), alpha: float | None = None
) -> pd.DataFrame:
    """The `n` most over-represented terms (positive G²) per group of a keyness table.

    With `alpha`, only terms whose q (BH within the group) is below it: a group may then have
    none, and the caller should say so rather than list terms that are not distinctive.
    """
    by = list(by)
    keep = key["g2"] > 0
    if alpha is not None:
        keep &= key["q"] < alpha
    positive = key[keep].sort_values(
        [*by, "g2", "term"], ascending=[True] * len(by) + [False, True], kind="mergesort"
    )
    return positive.groupby(by, sort=False).head(n).reset_index(drop=True)


# --------------------------------------------------------------------------- themes
def describe_shares(
    shares: pd.DataFrame,
    themes=None,
    tests: pd.DataFrame | None = None,
    clustered: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> list[str]:
    """One sentence per theme: which municipality gives it the largest share, with intervals.

    Whether the municipalities differ is said only from the tests: with `tests`
    (`theme_by_group_tests`) the theme's permutation p, and with `clustered`
    (`clustered_theme_tests`) the speaker permutation p. Without them, the sentence only says
    whether the two intervals overlap, stated as a description, not a test.
    """
    labels = _labels(themes)
    out = []
    for theme, block in shares.groupby("theme", sort=False):
        small = block[block["ci_low"].isna()]
        block = block[block["ci_low"].notna()]
        if len(block) < 2:
            out.append(f"{labels.get(theme, theme)}: too few turns to compare municipalities.")
            continue
        block = block.sort_values(["share", "municipality"], ascending=[False, True], kind="mergesort")
        hi, lo = block.iloc[0], block.iloc[-1]
        overlap = hi["ci_low"] <= lo["ci_high"]
        if tests is not None:
            t = tests[tests["theme"] == theme].iloc[0]
            verdict = (
                f"the municipalities differ on this theme (permutation p = {t['p']:.3f})"
                if t["p"] < alpha
                else f"the test finds no difference between municipalities (permutation p = {t['p']:.3f})"
            )
            if clustered is not None:
                c = clustered[clustered["theme"] == theme].iloc[0]
                p_spk = c["p_speaker_permutation"]
                verdict += f", and with speakers as the units p = {p_spk:.3f}" + (
                    " (the difference does not survive clustering by speaker)"
                    if t["p"] < alpha <= p_spk
                    else ""
                )
            verdict += "."
        else:
            verdict = (
                "the intervals overlap, so this ordering is not settled by the data."
                if overlap
                else "the intervals do not overlap (a description, not a test)."
            )
        out.append(
            f"{labels.get(theme, theme)}: highest in {hi['municipality']} "
            f"({hi['share']:.0%} of turns, 95% CI {hi['ci_low']:.0%}–{hi['ci_high']:.0%}), lowest in "
            f"{lo['municipality']} ({lo['share']:.0%}, {lo['ci_low']:.0%}–{lo['ci_high']:.0%}); "
            + verdict
            + (
                " Left out (too few turns): " + ", ".join(small["municipality"].astype(str)) + "."
                if len(small)
                else ""
            )
        )
    return out


#: The phrase a profile uses for each verdict of `theme_stats.theme_by_group_tests`.
VERDICT_PHRASES = {
    "more than the others": "more often than the other municipalities",
    "less than the others": "less often than the other municipalities",
    "no clear difference": "no difference from the other municipalities that the test can establish",
    "too few turns": "too few turns to test",
}


def format_p(p: float) -> str:
    """'p = 0.012', or 'p < 0.001' below a thousandth."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def verdict_sentence(row) -> str:
    """The test's verdict on one municipality × theme cell, with the numbers it rests on.

    `row` is a row of `theme_stats.theme_by_group_tests`; the phrase is chosen from its
    `verdict` column only, so the sentence cannot disagree with the table.
    """
    phrase = VERDICT_PHRASES[row["verdict"]]
    if row["verdict"] == "too few turns":
        return f"{phrase} ({int(row['turns'])} turns)"
    method = str(row["adjustment"]).split(" over ")[0]
    return (
        f"{phrase} (Fisher exact {format_p(row['p_cell'])}, {method}-adjusted {format_p(row['p_cell_adj'])})"
    )


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
    tests: pd.DataFrame | None = None,
    alpha: float = 0.05,
    clustered: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per municipality: record, theme shares and test verdicts, distinctive terms, voices.

    Wide columns per theme key: `share_<key>`, `ci_low_<key>`, `ci_high_<key>`,
    `residual_<key>`, `terms_<key>` (within-theme distinctive terms with q < alpha),
    `members_<key>` and `officials_<key>` (share of those role groups' turns coded with the
    theme; NaN where the role group has too few turns for an interval), and with `tests` (the
    table of `theme_stats.theme_by_group_tests`) `verdict_<key>`, `p_cell_<key>`,
    `p_cell_adj_<key>`, `adjustment_<key>`, and with `clustered` (`clustered_theme_tests`)
    `p_speaker_<key>`, the theme's speaker permutation p. `official_turn_share` is the officials' share of the
    turns whose role is known (unknown roles are left out of the denominator, and
    `unknown_role_turns` says how many). `distinctive_terms` lists only terms with q < alpha.
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
    known = roles.drop(columns=["unknown"], errors="ignore")
    unknown = (roles["unknown"] if "unknown" in roles.columns else pd.Series(0, index=roles.index)).rename(
        "unknown_role_turns"
    )
    share_official = (known.get("officials", 0) / known.sum(axis=1).replace(0, float("nan"))).rename(
        "official_turn_share"
    )
    top = top_keyness(key, n=n_terms, alpha=alpha).groupby("municipality")["term"].agg("・".join)
    out = (
        docs.merge(sizes, on="municipality")
        .join(share_official, on="municipality")
        .join(unknown, on="municipality")
        .join(top.rename("distinctive_terms"), on="municipality")
    )
    out["unknown_role_turns"] = out["unknown_role_turns"].fillna(0).astype("int64")
    out["distinctive_terms"] = out["distinctive_terms"].fillna("")
    within_top = top_keyness(within, n=n_terms, by=("theme", "municipality"), alpha=alpha)
    for theme in themes.keys:
        s = shares[shares["theme"] == theme].set_index("municipality")
        r = residuals[residuals["theme"] == theme].set_index("municipality")
        w = within_top[within_top["theme"] == theme].groupby("municipality")["term"].agg("・".join)
        role_rows = by_role[by_role["theme"] == theme]
        if "ci_low" in role_rows.columns:  # no share quoted for a role group with too few turns
            role_rows = role_rows.assign(share=role_rows["share"].where(role_rows["ci_low"].notna()))
        b = role_rows.pivot_table(index="municipality", columns="role_group", values="share", dropna=False)
        cols = {
            f"share_{theme}": s["share"],
            f"ci_low_{theme}": s["ci_low"],
            f"ci_high_{theme}": s["ci_high"],
            f"residual_{theme}": r["adjusted_residual"],
            f"terms_{theme}": w,
        }
        for g in CONTRAST_GROUPS:
            cols[f"{g}_{theme}"] = b[g] if g in b.columns else pd.Series(dtype=float)
        if tests is not None:
            t = tests[tests["theme"] == theme].set_index("municipality")
            for c in ("verdict", "p_cell", "p_cell_adj", "adjustment", "turns"):
                cols[f"{c}_{theme}"] = t[c]
        out = out.join(pd.DataFrame(cols), on="municipality")
        out[f"terms_{theme}"] = out[f"terms_{theme}"].fillna("")
        if clustered is not None:
            out[f"p_speaker_{theme}"] = float(
                clustered.loc[clustered["theme"] == theme, "p_speaker_permutation"].iloc[0]
            )
    return out.reset_index(drop=True)


def profile_markdown(municipality: str, profiles: pd.DataFrame, quotes: pd.DataFrame, themes) -> str:
    """A Markdown profile of one municipality, every number taken from `profiles`.

    "More / less than the others" comes only from the `verdict_<theme>` columns, i.e. from the
    corrected per-theme test table (`theme_stats.theme_by_group_tests`); `build_profiles` must
    have been given `tests`. Every value from the data is escaped (`markdown_text`).
    """
    row = profiles.set_index("municipality").loc[municipality]
    labels = {key: markdown_text(label) for key, label in _labels(themes).items()}
    md = markdown_text
    if f"verdict_{themes.keys[0]}" not in row.index:
        raise ValueError("profile_markdown needs profiles built with tests= (theme_by_group_tests)")
    unknown = int(row.get("unknown_role_turns", 0))
    official = (
        f"officials speak {row['official_turn_share']:.0%} of the turns with a known role"
        + (f" ({unknown} turns of unknown role left out)" if unknown else "")
        if pd.notna(row["official_turn_share"])
        else "no turn has a known role"
    )
    lines = [
        f"### {md(municipality)}（{md(row['prefecture'])}）",
        f"*{md(row['body'])}*, {md(row['meeting_date'])}, {md(row['record_kind'])} record: {int(row['turns'])} "
        f"turns, {int(row['n_chars']):,} characters; {official}.",
        "",
        "**Distinctive vocabulary** (q < 0.05, Fisher exact test on turns, against the other "
        "municipalities): "
        + (md(row["distinctive_terms"]) if row["distinctive_terms"] else "no term passes the test")
        + ".",
        "",
    ]
    order = {
        "more than the others": 0,
        "less than the others": 1,
        "no clear difference": 2,
        "too few turns": 3,
    }
    ranked = sorted(themes.keys, key=lambda t: (order[row[f"verdict_{t}"]], t))
    for theme in ranked:
        members, officials = row.get(f"members_{theme}"), row.get(f"officials_{theme}")
        voices = ""
        if pd.notna(members) and pd.notna(officials):
            voices = f" Members' turns: {members:.0%}; officials' turns: {officials:.0%}."
        terms = md(row[f"terms_{theme}"]) if row[f"terms_{theme}"] else ""
        share = f"{row[f'share_{theme}']:.0%} of turns"
        if pd.notna(row[f"ci_low_{theme}"]):
            share += f" (95% CI {row[f'ci_low_{theme}']:.0%}–{row[f'ci_high_{theme}']:.0%})"
        verdict = verdict_sentence(
            {
                "verdict": row[f"verdict_{theme}"],
                "turns": row[f"turns_{theme}"],
                "p_cell": row[f"p_cell_{theme}"],
                "p_cell_adj": row[f"p_cell_adj_{theme}"],
                "adjustment": row[f"adjustment_{theme}"],
            }
        )
        p_spk = row.get(f"p_speaker_{theme}")
        if row[f"verdict_{theme}"] in ("more than the others", "less than the others") and pd.notna(p_spk):
            verdict += (
                f", but the theme's difference does not survive clustering by speaker (speaker permutation p = {p_spk:.3f})"
                if p_spk >= 0.05
                else f"; the theme's difference survives clustering by speaker (speaker permutation p = {p_spk:.3f})"
            )
        lines.append(
            f"- **{labels.get(theme, md(theme))}**: {share}; {verdict}.{voices}"
            + (f" Framed with: {terms}." if terms else "")
        )
        quote = quotes[(quotes["municipality"] == municipality) & (quotes["theme"] == theme)]
        if len(quote):
            q = quote.iloc[0]
            lines.append(f"  > 「{md(q['quote'])}」（{md(q['speaker'])}, {md(q['role'])}）")
    return "\n".join(lines)


#: Marks of the closing table: the corrected test's verdict per cell.
VERDICT_MARKS = {
    "more than the others": "▲",
    "less than the others": "▼",
    "no clear difference": "",
    "too few turns": "(too few turns)",
}


def comparison_table(profiles: pd.DataFrame, themes) -> pd.DataFrame:
    """The closing table: per municipality, share per theme with the test's mark, and top terms.

    ▲ / ▼: more / less often than the other municipalities by the corrected per-theme test
    (Fisher exact, adjusted as its `adjustment` column says); no mark: no clear difference.
    """
    labels = _labels(themes)
    out = profiles[["municipality", "record_kind", "turns"]].copy()
    for theme in themes.keys:
        out[labels.get(theme, theme)] = [
            f"{s:.0%} {VERDICT_MARKS[v]}".strip()
            for s, v in zip(profiles[f"share_{theme}"], profiles[f"verdict_{theme}"])
        ]
    out["distinctive terms"] = profiles["distinctive_terms"]
    return out.set_index("municipality")


def clustered_sentences(clustered: pd.DataFrame, themes=None, alpha: float = 0.05) -> list[str]:
    """One sentence per theme: turn-level and speaker-clustered p side by side (`clustered_theme_tests`)."""
    labels = _labels(themes)
    out = []
    for row in clustered.itertuples(index=False):
        turn_sig = row.p_turn_permutation < alpha
        spk_sig = row.p_speaker_permutation < alpha
        gee = f"{row.p_gee:.3f}" if pd.notna(row.p_gee) else "not defined (" + (row.note or "no fit") + ")"
        if turn_sig and not spk_sig:
            reading = "the difference between municipalities does not survive clustering by speaker"
        elif turn_sig and spk_sig:
            reading = "the difference survives clustering by speaker"
        elif spk_sig:
            reading = "only the speaker-level test finds a difference"
        else:
            reading = "neither finds a difference"
        out.append(
            f"{labels.get(row.theme, row.theme)}: turn-level permutation p = {row.p_turn_permutation:.3f}, "
            f"speaker permutation p = {row.p_speaker_permutation:.3f}, GEE (speaker clusters, log length) "
            f"p = {gee}: {reading}."
        )
    return out


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
