"""Validity of the dictionary coding against hand labels: precision, recall, F1 and Cohen's κ.

The gold sample (`data/gold/gold-turns.csv`, codebook in `docs/codebook.md`) labels speaker
turns 0/1 per theme. `match_gold` attaches it to the corpus turns by `turn_id` and checks that
the turn text is the one that was labelled (`text_sha1` = SHA-1 of the UTF-8 text); a turn that
is missing or whose text changed is reported with its status and left out of the scores, never
silently used. `agreement` scores the coding per theme on the whole sample and on subsets (the
municipalities the dictionary was tuned on and the held-out ones), with percentile bootstrap
intervals from resampling turns with a fixed seed. The independent sample is scored whole and in
two halves split by file (`independent_split`, `INDEPENDENT_SUBSETS`): dictionary changes may
read the errors of the dev half; the test half is the honest estimate. `kappa_table` shows κ of
the four summary samples side by side. `disagreements` lists every false positive
and false negative with the sentences that fired, for reading the errors.

κ is computed from the 2×2 counts: κ = (p_o − p_e) / (1 − p_e), with p_o the observed agreement
and p_e the agreement expected from the two marginal rates; it is NaN when p_e = 1 (both
codings constant and equal). Precision is NaN without coded positives, recall NaN without gold
positives. tests/test_validity.py checks every figure against scikit-learn.
"""

from __future__ import annotations

__all__ = ["AGREEMENT_COLUMNS", "BLIND", "BLIND_DEV", "BLIND_PATHS", "BLIND_SUBSETS", "BLIND_TEST", "FLOOR_PATH", "GOLD_COLUMNS", "GOLD_PATH", "GOLD_THEMES", "INDEPENDENT", "INDEPENDENT_BODY_KINDS", "INDEPENDENT_DEV", "INDEPENDENT_PATH", "INDEPENDENT_SUBSETS", "INDEPENDENT_TEST", "METRICS", "SUMMARY_SAMPLES", "THEME_KEYS", "TUNING_MUNICIPALITIES", "agreement", "agreement_all_samples", "blind_sample", "blind_split", "confusion_counts", "disagreements", "edit_themes", "independent_sample", "independent_split", "kappa_table", "match_gold", "metrics_from_counts", "read_floor", "read_gold", "text_sha1", "validity_table"]  # fmt: skip

import hashlib
import re
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from dxminutes import config
from dxminutes.analysis.themes import Theme, ThemeSet, code_sentences, code_turns, turn_frames
from dxminutes.schema import require_columns

#: The hand-labelled sample and the recorded κ floors.
GOLD_PATH = config.DATA_DIR / "gold" / "gold-turns.csv"
FLOOR_PATH = config.DATA_DIR / "gold" / "validity-floor.csv"
#: The independent sample: turns of other bodies' minutes, labelled blind, with their text.
INDEPENDENT_PATH = config.DATA_DIR / "gold" / "independent-turns.csv"
#: The subset name of the independent sample in agreement tables.
INDEPENDENT = "independent"
#: Subset names of the independent sample's two halves: dictionary changes may look at the
#: errors in `dev`; `test` is scored once, at the end, as the honest estimate.
INDEPENDENT_DEV = "independent_dev"
INDEPENDENT_TEST = "independent_test"
#: Body kinds of the independent sample's files (tests/data/realworld/README.md, "Mix"), as
#: inclusive ranges of the file number: prefectural assemblies and council, city and ward
#: assemblies, town, village, councils of the executive, national bodies.
INDEPENDENT_BODY_KINDS = (
    ("prefecture", 1, 7),
    ("city", 8, 25),
    ("town", 26, 33),
    ("village", 34, 37),
    ("council", 38, 43),
    ("national", 44, 50),
)
#: The agreement subsets of the independent sample (gold municipality = split name).
INDEPENDENT_SUBSETS = {
    INDEPENDENT: [INDEPENDENT_DEV, INDEPENDENT_TEST],
    INDEPENDENT_DEV: [INDEPENDENT_DEV],
    INDEPENDENT_TEST: [INDEPENDENT_TEST],
}
#: The blind samples: turns of real minutes pages of other local bodies (eastern Japan `a`, western
#: `b`, and `c`, theme-rich pages from anywhere), found by theme-directed and general searches and
#: labelled blind to the dictionary (`data/gold/blind-README.md`). Each page (`item`) goes wholly
#: to one half: odd item numbers (a001, a003, …) to `blind_dev`, even ones to `blind_test`, a
#: fixed rule that uses no label.
BLIND_PATHS = tuple(config.DATA_DIR / "gold" / f"blind-{part}-turns.csv" for part in ("a", "b", "c"))
BLIND = "blind"
BLIND_DEV = "blind_dev"
BLIND_TEST = "blind_test"
BLIND_SUBSETS = {BLIND: [BLIND_DEV, BLIND_TEST], BLIND_DEV: [BLIND_DEV], BLIND_TEST: [BLIND_TEST]}
#: The dictionary changes of issue 12 were made looking only at the errors in these
#: municipalities' turns; the other seeds (墨田区, 豊島区) are held out to show generalisation.
TUNING_MUNICIPALITIES = ("流山市", "武蔵村山市", "長崎市")
METRICS = ("precision", "recall", "f1", "kappa")
#: The theme columns of the gold files.
THEME_KEYS = ("dx", "security", "staffing", "digital_divide")
GOLD_COLUMNS = ("turn_id", "municipality", "text_sha1")
AGREEMENT_COLUMNS = [
    "subset",
    "theme",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "n_turns",
    "n_gold",
    "n_coded",
    "tp",
    "fp",
    "fn",
    "tn",
]


def text_sha1(text: str) -> str:
    """Hex SHA-1 of the UTF-8 bytes of a turn text (the gold file's `text_sha1`)."""
    return hashlib.sha1(str(text).encode("utf-8")).hexdigest()


def read_gold(path: str | PathLike | None = None) -> pd.DataFrame:
    """The gold sample as a DataFrame (turn_id, municipality, text_sha1, theme columns 0/1, …)."""
    path = Path(GOLD_PATH if path is None else path)
    gold = pd.read_csv(path, dtype={"turn_id": "str", "municipality": "str", "text_sha1": "str"})
    require_columns(gold, GOLD_COLUMNS, config.relpath(path))
    return gold


def independent_split(file: str) -> str:
    """`INDEPENDENT_DEV` or `INDEPENDENT_TEST` for an independent-sample file ("rw_NNN.txt").

    The rule is fixed and uses no label: within each body kind of `INDEPENDENT_BODY_KINDS`, the
    files in number order alternate dev, test, dev, … (the first of each kind is dev), so both
    halves hold every kind of body. A file outside the listed ranges raises a ValueError.
    """
    match = re.fullmatch(r"rw_(\d+)(\.txt)?", str(file))
    if match is None:
        raise ValueError(f"not an independent-sample file name: {file!r}")
    number = int(match.group(1))
    for _, first, last in INDEPENDENT_BODY_KINDS:
        if first <= number <= last:
            return INDEPENDENT_DEV if (number - first) % 2 == 0 else INDEPENDENT_TEST
    raise ValueError(f"file {file!r} is in no body kind of INDEPENDENT_BODY_KINDS")


def independent_sample(path: str | PathLike | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The independent sample as (turns, gold): turns in the shape `code_turns` takes
    (turn_id = "file:position", doc_id = file, municipality = file, text) and the gold rows
    matched to them (municipality = the file's split, `INDEPENDENT_DEV` or `INDEPENDENT_TEST`
    from `independent_split`; status from `match_gold`). Score them with
    `agreement(..., subsets=INDEPENDENT_SUBSETS)`: the whole sample and its two halves.

    The sample carries its own text (`data/gold/independent-README.md`), so the SHA-1 check
    guards only against the file being edited by hand; it was never used to tune the dictionary.
    """
    path = Path(INDEPENDENT_PATH if path is None else path)
    raw = pd.read_csv(path, dtype={"file": "str", "speaker_label": "str", "text": "str"})
    require_columns(raw, ("file", "position", "text"), config.relpath(path))
    return _labelled_sample(raw, "file", raw["file"], independent_split)


def _labelled_sample(
    raw: pd.DataFrame, page: str, municipality: pd.Series, split
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(turns, gold) of a sample file that carries its own text: turn_id = "{page}:{position:04d}",
    the turns in the shape `code_turns` takes, the gold rows with municipality = `split(page)` and
    the SHA-1 of the text, matched to the turns (`match_gold`)."""
    text = raw["text"].fillna("")
    turn_id = raw[page] + ":" + raw["position"].astype("int64").map("{:04d}".format)
    turns = pd.DataFrame(
        {
            "turn_id": turn_id,
            "doc_id": raw[page],
            "municipality": municipality,
            "meeting_date": "",
            "speaker": raw.get("speaker_label", pd.Series("", index=raw.index)).fillna(""),
            "role": "unknown",
            "text": text,
        }
    )
    gold = raw.drop(columns=[c for c in ("text", "municipality") if c in raw]).assign(
        turn_id=turn_id, municipality=raw[page].map(split), text_sha1=text.map(text_sha1)
    )
    return turns, match_gold(gold, turns)


def blind_split(item: str) -> str:
    """`BLIND_DEV` (odd item number) or `BLIND_TEST` (even) for a blind-sample page ("a001")."""
    match = re.fullmatch(r"[a-z](\d+)", str(item))
    if match is None:
        raise ValueError(f"not a blind-sample item: {item!r}")
    return BLIND_DEV if int(match.group(1)) % 2 == 1 else BLIND_TEST


def blind_sample(paths: Sequence[str | PathLike] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The blind samples as (turns, gold), like `independent_sample`: turn_id = "item:position",
    doc_id = item, municipality = the page's local government in `turns` and the item's half
    (`blind_split`) in `gold`. Score with `agreement(..., subsets=BLIND_SUBSETS)`. Files that do
    not exist are skipped (a sample may be absent in a fork); none at all gives empty tables."""
    frames = []
    for path in BLIND_PATHS if paths is None else paths:
        path = Path(path)
        if not path.exists():
            continue
        raw = pd.read_csv(
            path, dtype={"item": "str", "speaker_label": "str", "text": "str", "municipality": "str"}
        )
        require_columns(raw, ("item", "position", "text", *THEME_KEYS), config.relpath(path))
        frames.append(raw)
    if not frames:
        empty = pd.DataFrame(
            columns=["turn_id", "doc_id", "municipality", "meeting_date", "speaker", "role", "text"]
        )
        return empty, match_gold(pd.DataFrame(columns=[*GOLD_COLUMNS, *THEME_KEYS]), empty)
    raw = pd.concat(frames, ignore_index=True)
    municipality = raw["municipality"] if "municipality" in raw else pd.Series(pd.NA, index=raw.index)
    return _labelled_sample(raw, "item", municipality.fillna(raw["item"]), blind_split)


def match_gold(gold: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    """The gold rows with a `status` column: `ok`, `missing` (no such turn) or `text_changed`.

    `text_changed` means the corpus turn's text no longer has the labelled SHA-1 (segmentation
    or cleaning changed it), so the label may not apply. Row order and columns of `gold` are
    kept; `status` is added at the end.
    """
    require_columns(gold, ("turn_id", "text_sha1"), "gold")
    require_columns(turns, ("turn_id", "text"), "turns")
    sha = dict(zip(turns["turn_id"].astype(str), (text_sha1(t) for t in turns["text"].fillna(""))))
    found = gold["turn_id"].map(sha)
    status = np.where(found.isna(), "missing", np.where(found == gold["text_sha1"], "ok", "text_changed"))
    return gold.assign(status=pd.array(status, dtype="str"))


def confusion_counts(gold, coded) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of two 0/1 vectors."""
    g = np.asarray(gold, dtype=bool)
    c = np.asarray(coded, dtype=bool)
    return (int((g & c).sum()), int((~g & c).sum()), int((g & ~c).sum()), int((~g & ~c).sum()))


def metrics_from_counts(tp, fp, fn, tn) -> dict[str, np.ndarray]:
    """Precision, recall, F1 and Cohen's κ from counts (scalars or arrays); NaN where undefined."""
    tp, fp, fn, tn = (np.asarray(x, dtype=float) for x in (tp, fp, fn, tn))
    n = tp + fp + fn + tn
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        recall = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
        p_o = (tp + tn) / n
        p_e = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n**2
        kappa = np.where(p_e < 1, (p_o - p_e) / (1 - p_e), np.nan)
    return {"precision": precision, "recall": recall, "f1": f1, "kappa": kappa}


def agreement_counts(gold, coded) -> dict:
    """tp, fp, fn, tn, precision, recall, f1 and Cohen's κ of two 0/1 vectors, as one dict of
    Python numbers (the point estimates of `agreement`, from the same `metrics_from_counts`)."""
    tp, fp, fn, tn = confusion_counts(gold, coded)
    metrics = metrics_from_counts(tp, fp, fn, tn)
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, **{m: float(metrics[m]) for m in METRICS}}


def _wide_coding(coded: pd.DataFrame, themes: Sequence[str]) -> pd.DataFrame:
    require_columns(coded, ("turn_id", "theme", "coded"), "coded")
    wide = coded.pivot_table(index="turn_id", columns="theme", values="coded", aggfunc="max")
    return wide.reindex(columns=list(themes)).fillna(False).astype(bool)


#: The theme columns of a gold file, in this order, when the caller names none.
GOLD_THEMES = ("dx", "security", "staffing", "digital_divide")


def _scored(gold: pd.DataFrame, themes) -> tuple[pd.DataFrame, list[str]]:
    """The gold rows that can be scored (status ok) and the themes to score (given, or the gold's)."""
    if "status" in gold.columns:
        gold = gold[gold["status"] == "ok"]
    return gold, list(themes) if themes is not None else [t for t in GOLD_THEMES if t in gold.columns]


def agreement(
    gold: pd.DataFrame,
    coded: pd.DataFrame,
    *,
    themes: Sequence[str] | None = None,
    subsets: Mapping[str, Sequence[str]] | None = None,
    n_boot: int = config.N_BOOT,
    random_state: int,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per subset × theme × metric: value, bootstrap interval, and the 2×2 counts.

    `gold` is the output of `match_gold` (only rows with status `ok` are scored; without a
    status column all rows are), `coded` the long table of `themes.code_turns`. `subsets` maps a
    subset name to the municipalities it contains; the default scores `all`, `tuning`
    (`TUNING_MUNICIPALITIES`) and `held_out` (the rest). Intervals are percentile intervals of
    `n_boot` replicates that resample the subset's turns with replacement, drawn from
    `numpy.random.default_rng(random_state)` (one draw of turn indices per subset, shared by the
    themes, so the themes' intervals are comparable). Metrics undefined in a replicate are left
    out of its quantiles.
    """
    gold, themes = _scored(gold, themes)
    require_columns(gold, ("turn_id", "municipality", *themes), "gold")
    wide = _wide_coding(coded, themes)
    missing = sorted(set(gold["turn_id"]) - set(wide.index))
    if missing:
        raise ValueError(f"{len(missing)} gold turn(s) are not in the coding, e.g. {missing[0]!r}")
    if subsets is None:
        munis = list(pd.unique(gold["municipality"]))
        subsets = {
            "all": munis,
            "tuning": [m for m in munis if m in TUNING_MUNICIPALITIES],
            "held_out": [m for m in munis if m not in TUNING_MUNICIPALITIES],
        }
    rng = np.random.default_rng(random_state)
    alpha = 1 - confidence
    rows = []
    for name, members in subsets.items():
        part = gold[gold["municipality"].isin(list(members))]
        n = len(part)
        if n == 0:
            continue
        draws = rng.integers(0, n, size=(n_boot, n))
        for theme in themes:
            g = part[theme].to_numpy(dtype=bool)
            c = wide.loc[part["turn_id"], theme].to_numpy(dtype=bool)
            tp, fp, fn, tn = confusion_counts(g, c)
            point = metrics_from_counts(tp, fp, fn, tn)
            gd, cd = g[draws], c[draws]
            boot = metrics_from_counts(
                (gd & cd).sum(axis=1), (~gd & cd).sum(axis=1), (gd & ~cd).sum(axis=1), (~gd & ~cd).sum(axis=1)
            )
            for metric in METRICS:
                values = boot[metric][~np.isnan(boot[metric])]
                low, high = (
                    np.quantile(values, [alpha / 2, 1 - alpha / 2]) if len(values) else (np.nan, np.nan)
                )
                rows.append(
                    (
                        name,
                        theme,
                        metric,
                        float(point[metric]),
                        float(low),
                        float(high),
                        n,
                        tp + fn,
                        tp + fp,
                        tp,
                        fp,
                        fn,
                        tn,
                    )
                )
    out = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    return out.astype({c: "int64" for c in ("n_turns", "n_gold", "n_coded", "tp", "fp", "fn", "tn")})


def agreement_all_samples(
    gold: pd.DataFrame,
    coded: pd.DataFrame,
    themes: ThemeSet,
    *,
    n_boot: int = config.N_BOOT,
    random_state: int,
) -> pd.DataFrame:
    """`agreement` of the seed gold sample (`gold` from `match_gold`, `coded` the corpus coding;
    left out when no gold row matched), the independent sample and the blind samples (each coded
    here with `themes`), in one table."""
    scored = []
    if "status" not in gold or (gold["status"] == "ok").any():
        scored.append(agreement(gold, coded, n_boot=n_boot, random_state=random_state))
    for turns, sample_gold, subsets in (
        (*independent_sample(), INDEPENDENT_SUBSETS),
        (*blind_sample(), BLIND_SUBSETS),
    ):
        if len(sample_gold):
            scored.append(
                agreement(
                    sample_gold,
                    code_turns(turns, themes),
                    subsets=subsets,
                    n_boot=n_boot,
                    random_state=random_state,
                )
            )
    return pd.concat(scored, ignore_index=True)


def validity_table(agreement_table: pd.DataFrame) -> pd.DataFrame:
    """The agreement table as one row per subset × theme, each metric as "value [low, high]"."""
    t = agreement_table
    text = [
        "n/a" if np.isnan(v) else f"{v:.2f} [{lo:.2f}, {hi:.2f}]"
        for v, lo, hi in zip(t["value"], t["ci_low"], t["ci_high"])
    ]
    wide = t.assign(text=text).pivot_table(
        index=["subset", "theme", "n_turns", "n_gold", "n_coded"],
        columns="metric",
        values="text",
        aggfunc="first",
        sort=False,
    )
    return wide.reindex(columns=list(METRICS)).reset_index().rename_axis(columns=None)


#: The four samples of the κ summary: seed whole and held out, independent dev and test.
SUMMARY_SAMPLES = {
    "all": "seed, all",
    "held_out": "seed, held-out",
    INDEPENDENT_DEV: "independent, dev",
    INDEPENDENT_TEST: "independent, test",
    BLIND_DEV: "blind, dev",
    BLIND_TEST: "blind, test",
}


def kappa_table(agreement_table: pd.DataFrame, samples: Mapping[str, str] | None = None) -> pd.DataFrame:
    """κ as "value [low, high]", one row per sample (subset) and one column per theme, with the
    number of turns; `samples` maps subset names to row labels (default `SUMMARY_SAMPLES`), in
    that order. Subsets missing from the table are left out."""
    samples = SUMMARY_SAMPLES if samples is None else samples
    t = agreement_table[agreement_table["metric"] == "kappa"]
    t = t[t["subset"].isin(list(samples))]
    text = [
        "n/a" if np.isnan(v) else f"{v:.2f} [{lo:.2f}, {hi:.2f}]"
        for v, lo, hi in zip(t["value"], t["ci_low"], t["ci_high"])
    ]
    wide = t.assign(text=text).pivot_table(
        index="subset", columns="theme", values="text", aggfunc="first", sort=False
    )
    turns = t.groupby("subset", sort=False)["n_turns"].first()
    order = [s for s in samples if s in wide.index]
    out = wide.reindex(order).reindex(columns=list(pd.unique(t["theme"])))
    out.insert(0, "turns", turns.reindex(order).to_numpy())
    out.insert(0, "sample", [samples[s] for s in order])
    return out.reset_index(drop=True).rename_axis(columns=None)


def disagreements(
    gold: pd.DataFrame, coded: pd.DataFrame, sentences: pd.DataFrame, *, themes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every turn × theme where coding and gold differ: turn_id, municipality, theme, error
    (`false_positive` / `false_negative`), matched_terms and the coded sentences (for a false
    positive) or all matched sentences, procedural ones marked `[procedural]` (for a false
    negative), joined with " ‖ ". `sentences` is `themes.code_sentences` of the same turns.
    """
    gold, themes = _scored(gold, themes)
    wide = _wide_coding(coded, themes)
    terms = coded.set_index(["turn_id", "theme"])["matched_terms"]
    hit = sentences[sentences["n_hits"] > 0]
    evidence = (
        hit.assign(t=np.where(hit["procedural"], "[procedural] " + hit["text"], hit["text"]))
        .groupby(["turn_id", "theme"], sort=False)["t"]
        .agg(" ‖ ".join)
    )
    rows = []
    for rec in gold.itertuples(index=False):
        for theme in themes:
            g, c = bool(getattr(rec, theme)), bool(wide.loc[rec.turn_id, theme])
            if g == c:
                continue
            key = (rec.turn_id, theme)
            rows.append(
                (
                    rec.turn_id,
                    rec.municipality,
                    theme,
                    "false_positive" if c else "false_negative",
                    terms.get(key, ""),
                    evidence.get(key, ""),
                )
            )
    return pd.DataFrame(
        rows, columns=["turn_id", "municipality", "theme", "error", "matched_terms", "sentences"]
    )


def read_floor(path: str | PathLike | None = None) -> pd.DataFrame:
    """The recorded κ floors: subset, theme, kappa (a test fails when κ drops below them; an
    empty kappa records an undefined κ — no positive in gold or coding — and the test then fails
    as soon as the dictionary codes a turn of that subset and theme)."""
    path = Path(FLOOR_PATH if path is None else path)
    floor = pd.read_csv(path, dtype={"subset": "str", "theme": "str"})
    require_columns(floor, ("subset", "theme", "kappa"), config.relpath(path))
    return floor


def edit_themes(
    themes: ThemeSet,
    theme: str | None = None,
    *,
    drop: Sequence[str] = (),
    add_terms: Sequence[str] = (),
    add_patterns: Sequence[str] = (),
    add_exclude: Sequence[str] = (),
    add_context: Mapping[str, str] | None = None,
    drop_context: Sequence[str] = (),
    drop_procedural: Sequence[str] = (),
    add_procedural: Sequence[str] = (),
) -> ThemeSet:
    """A copy of `themes` with one theme's entries changed (for ablations in the dictionary audit).

    `drop` removes terms, patterns or exclusions equal to the given strings; the `add_*`
    arguments append entries (`add_context` maps a term or pattern to the context regex it then
    requires); `drop_context` removes the context requirement of the given entries (they then
    count in any sentence); `drop_procedural`/`add_procedural` remove or append procedural
    patterns. Unknown entries in `drop`, `drop_context` or `drop_procedural` raise a
    ValueError, so an audit row cannot silently test nothing.
    """
    out = []
    for t in themes:
        if t.key != theme:
            out.append(t)
            continue
        present = set(t.terms) | set(t.patterns) | set(t.exclude)
        unknown = [d for d in drop if d not in present]
        if unknown:
            raise ValueError(f"theme {theme!r} has no entry {unknown[0]!r}")
        unknown = [d for d in drop_context if t.context_for(d) is None]
        if unknown:
            raise ValueError(f"theme {theme!r} has no context requirement for {unknown[0]!r}")
        terms = tuple(x for x in t.terms if x not in drop) + tuple(add_terms)
        context = tuple((e, r) for e, r in t.context if e not in drop and e not in drop_context)
        out.append(
            Theme(
                t.key,
                t.label_ja,
                t.label_en,
                terms or ("\uffff",),  # a theme needs one term; U+FFFF never occurs in text
                tuple(x for x in t.patterns if x not in drop) + tuple(add_patterns),
                tuple(x for x in t.exclude if x not in drop) + tuple(add_exclude),
                context + tuple((add_context or {}).items()),
            )
        )
    if theme is not None and theme not in themes.keys:
        raise KeyError(theme)
    unknown = [p for p in drop_procedural if p not in themes.procedural]
    if unknown:
        raise ValueError(f"no procedural pattern {unknown[0]!r}")
    procedural = tuple(p for p in themes.procedural if p not in drop_procedural) + tuple(add_procedural)
    return ThemeSet(tuple(out), source=themes.source, procedural=procedural)


# --------------------------------------------------------------------------- frame level
def _codes_of(gold_frames: str) -> set[str]:
    return {c.strip() for c in str(gold_frames).split(";") if c.strip()}


def frame_validity(
    gold: pd.DataFrame,
    turns: pd.DataFrame,
    codebook: ThemeSet,
    *,
    coding: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Precision, recall, F1 and Cohen's κ of the automatic coding against the gold sample.

    Turn level, over the gold turns whose text is unchanged (`match_gold` status `ok`):
    - level "theme": a turn has theme T when any of its sentences touches T (`theme_sentences`),
      against the gold theme column;
    - level "frame": a turn has frame F of T when any of its T sentences is coded F, against the
      gold `frames` column (absent when the gold theme is 0).
    Columns: level, theme, frame ('' for themes), code, n_turns, gold_positive, coded_positive,
    tp, fp, fn, tn, precision, recall, f1, kappa, n_text_changed, n_missing.
    """
    matched = match_gold(gold, turns)
    ok = matched[matched["status"] == "ok"]
    n_changed = int((matched["status"] == "text_changed").sum())
    n_missing = int((matched["status"] == "missing").sum())
    subset = turns[turns["turn_id"].isin(ok["turn_id"])]
    if coding is None:
        coding = code_sentences(subset, codebook, level="frame")
    frames = codebook.frames
    ids = ok["turn_id"].to_numpy()
    theme_turns = coding[["turn_id", "theme"]].drop_duplicates()
    tf = turn_frames(coding)
    gold_codes = [_codes_of(f) for f in ok["frames"].fillna("")]
    rows = []
    for theme in frames.themes:
        pred_ids = set(theme_turns.loc[theme_turns["theme"] == theme, "turn_id"])
        g = ok[theme].astype(int).to_numpy() == 1 if theme in ok.columns else np.zeros(len(ok), bool)
        p = np.array([t in pred_ids for t in ids], dtype=bool)
        rows.append(("theme", theme, "", theme, len(ids), int(g.sum()), int(p.sum()), agreement_counts(g, p)))
        for frame in frames.for_theme(theme):
            pred_ids = set(tf.loc[tf["code"] == frame.code, "turn_id"])
            g = np.array([frame.code in c for c in gold_codes], dtype=bool)
            p = np.array([t in pred_ids for t in ids], dtype=bool)
            rows.append(
                (
                    "frame",
                    theme,
                    frame.key,
                    frame.code,
                    len(ids),
                    int(g.sum()),
                    int(p.sum()),
                    agreement_counts(g, p),
                )
            )
    out = pd.DataFrame(
        [
            {
                "level": lv,
                "theme": th,
                "frame": fr,
                "code": code,
                "n_turns": n,
                "gold_positive": gp,
                "coded_positive": cp,
                **stats,
            }
            for lv, th, fr, code, n, gp, cp, stats in rows
        ]
    )
    return out.assign(n_text_changed=n_changed, n_missing=n_missing)


def labelled_turns(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(gold, turns) from a labelled table that carries the turn text itself.

    `table` has `text`, the four theme columns and `frames` (e.g. `independent-turns.csv`, or a
    blind sample with `item`); turn ids are "{file or item}:{position:04d}" when those columns
    are given, else the row number. The turns get municipality = file or item (or "sample") and
    the gold rows the SHA-1 of the text, so `frame_validity(gold, turns, ...)` measures the
    dictionary on that sample.
    """
    require_columns(table, ("text", "frames"), "labelled sample")
    page = next((c for c in ("file", "item") if c in table.columns), None)
    if page is not None and "position" in table.columns:
        ids = [f"{f}:{int(p):04d}" for f, p in zip(table[page], table["position"])]
        where = table[page].astype(str).to_numpy()
    else:
        ids = [f"sample:{i:04d}" for i in range(len(table))]
        where = np.full(len(table), "sample", dtype=object)
    texts = table["text"].fillna("").astype(str).to_numpy()
    turns = pd.DataFrame({"turn_id": ids, "doc_id": where, "municipality": where, "text": texts})
    gold = table.drop(columns=["text"]).assign(
        turn_id=ids,
        municipality=table["municipality"].astype(str).to_numpy()
        if "municipality" in table.columns
        else where,
        text_sha1=[text_sha1(t) for t in texts],
        frames=table["frames"].fillna("").astype(str),
    )
    return gold, turns


def blind_validity(codebook: ThemeSet, paths=None) -> pd.DataFrame | None:
    """`frame_validity` on the blind samples' test half (`validity.blind_sample`, pages with an
    even item number), or None when no blind sample is present. The frame dictionary was never
    changed after reading any blind turn; the theme rows are also honest on this half only."""
    turns, gold = blind_sample(paths)
    if not len(gold):
        return None
    test = gold[gold["municipality"] == BLIND_TEST]
    return frame_validity(test.assign(frames=test["frames"].fillna("").astype(str)), turns, codebook)


def independent_validity(codebook: ThemeSet, path: str | PathLike | None = None) -> pd.DataFrame | None:
    """`frame_validity` on the independent labelled sample, or None when the file is absent."""
    path = Path(INDEPENDENT_PATH if path is None else path)
    if not path.exists():
        return None
    table = pd.read_csv(path, dtype={"frames": str}, keep_default_na=False)
    gold, turns = labelled_turns(table)
    return frame_validity(gold, turns, codebook)
