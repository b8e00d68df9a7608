"""Validity of the dictionary coding against hand labels: precision, recall, F1 and Cohen's κ.

The gold sample (`data/gold/gold-turns.csv`, codebook in `docs/codebook.md`) labels speaker
turns 0/1 per theme. `match_gold` attaches it to the corpus turns by `turn_id` and checks that
the turn text is the one that was labelled (`text_sha1` = SHA-1 of the UTF-8 text); a turn that
is missing or whose text changed is reported with its status and left out of the scores, never
silently used. `agreement` scores the coding per theme on the whole sample and on subsets (the
municipalities the dictionary was tuned on and the held-out ones), with percentile bootstrap
intervals from resampling turns with a fixed seed. `disagreements` lists every false positive
and false negative with the sentences that fired, for reading the errors.

κ is computed from the 2×2 counts: κ = (p_o − p_e) / (1 − p_e), with p_o the observed agreement
and p_e the agreement expected from the two marginal rates; it is NaN when p_e = 1 (both
codings constant and equal). Precision is NaN without coded positives, recall NaN without gold
positives. tests/test_validity.py checks every figure against scikit-learn.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from dxminutes import config
from dxminutes.analysis.themes import Theme, ThemeSet
from dxminutes.schema import require_columns

#: The hand-labelled sample and the recorded κ floors.
GOLD_PATH = config.DATA_DIR / "gold" / "gold-turns.csv"
FLOOR_PATH = config.DATA_DIR / "gold" / "validity-floor.csv"
#: The independent sample: turns of other bodies' minutes, labelled blind, with their text.
INDEPENDENT_PATH = config.DATA_DIR / "gold" / "independent-turns.csv"
#: The subset name of the independent sample in agreement tables.
INDEPENDENT = "independent"
#: The dictionary changes of issue 12 were made looking only at the errors in these
#: municipalities' turns; the other seeds (墨田区, 豊島区) are held out to show generalisation.
TUNING_MUNICIPALITIES = ("流山市", "武蔵村山市", "長崎市")
METRICS = ("precision", "recall", "f1", "kappa")
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


def independent_sample(path: str | PathLike | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The independent sample as (turns, gold): turns in the shape `code_turns` takes
    (turn_id = "file:position", doc_id = file, municipality = file, text) and the gold rows
    matched to them (municipality = `INDEPENDENT`, status from `match_gold`).

    The sample carries its own text (`data/gold/independent-README.md`), so the SHA-1 check
    guards only against the file being edited by hand; it was never used to tune the dictionary.
    """
    path = Path(INDEPENDENT_PATH if path is None else path)
    raw = pd.read_csv(path, dtype={"file": "str", "speaker_label": "str", "text": "str"})
    require_columns(raw, ("file", "position", "text"), config.relpath(path))
    text = raw["text"].fillna("")
    turn_id = raw["file"] + ":" + raw["position"].astype("int64").map("{:04d}".format)
    turns = pd.DataFrame(
        {
            "turn_id": turn_id,
            "doc_id": raw["file"],
            "municipality": raw["file"],
            "meeting_date": "",
            "speaker": raw.get("speaker_label", pd.Series("", index=raw.index)).fillna(""),
            "role": "unknown",
            "text": text,
        }
    )
    gold = raw.drop(columns=["text"]).assign(
        turn_id=turn_id, municipality=INDEPENDENT, text_sha1=text.map(text_sha1)
    )
    return turns, match_gold(gold, turns)


def match_gold(gold: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    """The gold rows with a `status` column: `ok`, `missing` (no such turn) or `text_changed`.

    `text_changed` means the corpus turn's text no longer has the labelled SHA-1 (segmentation
    or cleaning changed it), so the label may not apply. Row order and columns of `gold` are
    kept; `status` is added at the end.
    """
    require_columns(gold, GOLD_COLUMNS, "gold")
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


def _wide_coding(coded: pd.DataFrame, themes: Sequence[str]) -> pd.DataFrame:
    require_columns(coded, ("turn_id", "theme", "coded"), "coded")
    wide = coded.pivot_table(index="turn_id", columns="theme", values="coded", aggfunc="max")
    return wide.reindex(columns=list(themes)).fillna(False).astype(bool)


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
    if "status" in gold.columns:
        gold = gold[gold["status"] == "ok"]
    themes = (
        list(themes)
        if themes is not None
        else [t for t in ("dx", "security", "staffing", "digital_divide") if t in gold.columns]
    )
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


def disagreements(
    gold: pd.DataFrame, coded: pd.DataFrame, sentences: pd.DataFrame, *, themes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every turn × theme where coding and gold differ: turn_id, municipality, theme, error
    (`false_positive` / `false_negative`), matched_terms and the coded sentences (for a false
    positive) or all matched sentences, procedural ones marked `[procedural]` (for a false
    negative), joined with " ‖ ". `sentences` is `themes.code_sentences` of the same turns.
    """
    if "status" in gold.columns:
        gold = gold[gold["status"] == "ok"]
    themes = (
        list(themes)
        if themes is not None
        else [t for t in ("dx", "security", "staffing", "digital_divide") if t in gold.columns]
    )
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
    """The recorded κ floors: subset, theme, kappa (a test fails when κ drops below them)."""
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
    drop_procedural: Sequence[str] = (),
) -> ThemeSet:
    """A copy of `themes` with one theme's entries changed (for ablations in the dictionary audit).

    `drop` removes terms, patterns or exclusions equal to the given strings; the `add_*`
    arguments append entries; `drop_procedural` removes procedural patterns. Unknown entries in
    `drop` raise a ValueError, so an audit row cannot silently test nothing.
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
        terms = tuple(x for x in t.terms if x not in drop) + tuple(add_terms)
        out.append(
            Theme(
                t.key,
                t.label_ja,
                t.label_en,
                terms or ("\uffff",),  # a theme needs one term; U+FFFF never occurs in text
                tuple(x for x in t.patterns if x not in drop) + tuple(add_patterns),
                tuple(x for x in t.exclude if x not in drop) + tuple(add_exclude),
            )
        )
    if theme is not None and theme not in themes.keys:
        raise KeyError(theme)
    unknown = [p for p in drop_procedural if p not in themes.procedural]
    if unknown:
        raise ValueError(f"no procedural pattern {unknown[0]!r}")
    procedural = tuple(p for p in themes.procedural if p not in drop_procedural)
    return ThemeSet(tuple(out), source=themes.source, procedural=procedural)
