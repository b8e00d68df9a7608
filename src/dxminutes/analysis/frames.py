"""Frames: how a theme is presented, coded at sentence level inside the theme's sentences.

The frame dictionary (`resources/frames.toml`) has the reviewable format of the theme file plus a
`theme` field: each frame belongs to one theme and is coded only in sentences that touch that
theme (codebook §1 G7). The pipeline:

1. `turn_sentences(turns)`: the sentences of every turn (normalized text, `text.sentences`).
2. `theme_sentences(turns, themes)`: the sentences that touch each theme. This is the one place
   that decides it (today: a theme-dictionary hit inside the sentence, mapped from
   `themes.find_hits` offsets), so switching to sentence-level theme coding is a one-line change.
3. `code_frames(turns, themes, frames)`: one row per theme sentence × frame of its theme with
   `coded`, `n_hits`, `matched_terms`.
4. `turn_frames(coding)` lifts the coding to turns (a turn has frame F of theme T when any of its
   T sentences is coded F), and `frame_validity` compares that with the hand-labelled gold sample
   (precision, recall, Cohen's κ per frame, beside the same figures per theme).
"""

from __future__ import annotations

__all__ = ["CODING_COLUMNS", "CONTEXT_COLUMNS", "FRAMES_PATH", "FRAME_FIELDS", "GOLD_PATH", "INDEPENDENT_GOLD_PATH", "REQUIRED_FIELDS", "SENTENCE_COLUMNS", "THEME_SENTENCE_COLUMNS", "Frame", "FrameFileError", "FrameSet", "agreement", "blind_validity", "code_frames", "frame_hits", "frame_validity", "independent_validity", "labelled_turns", "load_frames", "load_gold", "match_gold", "text_sha1", "theme_sentences", "turn_frames", "turn_sentences"]  # fmt: skip

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from dxminutes import config
from dxminutes._io import read_toml
from dxminutes.analysis.themes import FLAGS, KEY_RE, Theme, ThemeSet, find_hits, normalize_text
from dxminutes.schema import require_columns
from dxminutes.text.sentences import sentence_table

FRAMES_PATH = Path(os.environ.get("DXMINUTES_FRAMES") or config.RESOURCES_DIR / "frames.toml")
GOLD_PATH = config.DATA_DIR / "gold" / "gold-turns.csv"
FRAME_FIELDS = ("theme", "key", "label_ja", "label_en", "terms", "patterns", "exclude")
REQUIRED_FIELDS = ("theme", "key", "label_ja", "label_en", "terms")
#: Turn columns carried onto every sentence row (when the turns have them).
CONTEXT_COLUMNS = ("turn_id", "doc_id", "municipality", "meeting_date", "speaker", "role")
SENTENCE_COLUMNS = ("sentence_id", *CONTEXT_COLUMNS, "sentence", "start", "end", "text")
THEME_SENTENCE_COLUMNS = (*SENTENCE_COLUMNS[:-1], "theme", "n_theme_hits", "theme_terms", "text")
CODING_COLUMNS = (
    *THEME_SENTENCE_COLUMNS[:-1],
    "frame",
    "code",
    "coded",
    "n_hits",
    "matched_terms",
    "text",
)


class FrameFileError(ValueError):
    """A frame file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Frame:
    theme: str
    key: str
    label_ja: str
    label_en: str
    terms: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """ "theme:key", the code used in the gold sample (e.g. "dx:efficiency")."""
        return f"{self.theme}:{self.key}"

    @property
    def label(self) -> str:
        """Bilingual chart label, e.g. "効率・コスト / Efficiency and cost"."""
        return f"{self.label_ja} / {self.label_en}"

    def as_theme(self) -> Theme:
        """The frame as a `themes.Theme`, so the theme matcher finds its hits."""
        return Theme(self.key, self.label_ja, self.label_en, self.terms, self.patterns, self.exclude)


@dataclass(frozen=True)
class FrameSet:
    frames: tuple[Frame, ...]
    source: str = ""

    def __iter__(self) -> Iterator[Frame]:
        return iter(self.frames)

    def __len__(self) -> int:
        return len(self.frames)

    def __getitem__(self, code: str) -> Frame:
        for frame in self.frames:
            if frame.code == code:
                return frame
        raise KeyError(f"no frame {code!r} in {self.source or 'this frame set'}")

    @property
    def themes(self) -> list[str]:
        """Theme keys in file order."""
        return list(dict.fromkeys(f.theme for f in self.frames))

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.frames]

    @property
    def labels(self) -> dict[str, str]:
        """Frame code → bilingual label."""
        return {f.code: f.label for f in self.frames}

    def for_theme(self, theme: str) -> tuple[Frame, ...]:
        return tuple(f for f in self.frames if f.theme == theme)

    def keys(self, theme: str) -> list[str]:
        """Frame keys of `theme`, in file order."""
        return [f.key for f in self.for_theme(theme)]

    def label(self, theme: str, key: str) -> str:
        """Bilingual label of frame `key` of `theme` (the key itself if unknown)."""
        for f in self.for_theme(theme):
            if f.key == key:
                return f.label
        return str(key)

    def matcher(self, theme: str) -> ThemeSet:
        """The frames of `theme` as a ThemeSet (keys = frame keys) for `themes.find_hits`."""
        return ThemeSet(tuple(f.as_theme() for f in self.for_theme(theme)), source=self.source)


# --------------------------------------------------------------------------- loading
def load_frames(path: str | PathLike | None = None, themes: ThemeSet | None = None) -> FrameSet:
    """Read and validate a frame file (default `resources/frames.toml`, or $DXMINUTES_FRAMES).

    Raises `FrameFileError` naming the file and the problem: TOML syntax, missing or unknown
    fields, empty terms, duplicate theme:key codes, invalid regular expressions, and (when
    `themes` is given) a frame whose theme is not in the theme set.
    """
    path = Path(FRAMES_PATH if path is None else path)
    name = config.relpath(path)
    data = read_toml(path, FrameFileError, "frame file", name)
    extra = sorted(set(data) - {"frame"})
    if extra:
        raise FrameFileError(f"{name}: unknown top-level key(s) {extra}; frames go in [[frame]] tables")
    entries = data.get("frame")
    if not isinstance(entries, list) or not entries:
        raise FrameFileError(f"{name}: no [[frame]] tables found")
    frames: list[Frame] = []
    for number, entry in enumerate(entries, start=1):
        frame = _parse_frame(entry, f"{name}: frame #{number}")
        if frame.code in {f.code for f in frames}:
            raise FrameFileError(f"{name}: frame #{number}: duplicate code {frame.code!r}")
        if themes is not None and frame.theme not in themes.keys:
            raise FrameFileError(
                f"{name}: frame #{number} ({frame.code!r}): theme {frame.theme!r} is not in "
                f"{themes.source or 'the theme set'} (known: {', '.join(themes.keys)})"
            )
        frames.append(frame)
    return FrameSet(tuple(frames), source=name)


def _parse_frame(entry: object, where: str) -> Frame:
    if not isinstance(entry, dict):
        raise FrameFileError(f"{where}: expected a table, got {type(entry).__name__}")
    if isinstance(entry.get("key"), str):
        where = f"{where} ({entry.get('theme')!r}:{entry['key']!r})"
    unknown = sorted(set(entry) - set(FRAME_FIELDS))
    if unknown:
        raise FrameFileError(f"{where}: unknown field(s) {unknown}; allowed: {list(FRAME_FIELDS)}")
    missing = [f for f in REQUIRED_FIELDS if f not in entry]
    if missing:
        raise FrameFileError(f"{where}: missing required field(s) {missing}")
    for field in ("theme", "key", "label_ja", "label_en"):
        if not isinstance(entry[field], str) or not entry[field].strip():
            raise FrameFileError(f"{where}: {field!r} must be a non-empty string")
    for field in ("theme", "key"):
        if not KEY_RE.fullmatch(entry[field]):
            raise FrameFileError(f"{where}: {field} {entry[field]!r} must be letters, digits or '_'")
    lists = {f: _string_list(entry.get(f, []), f, where) for f in ("terms", "patterns", "exclude")}
    if not lists["terms"]:
        raise FrameFileError(f"{where}: 'terms' is empty; give at least one term")
    for field in ("patterns", "exclude"):
        for pattern in lists[field]:
            try:
                compiled = re.compile(pattern, FLAGS)
            except re.error as exc:
                raise FrameFileError(
                    f"{where}: invalid regular expression in {field!r}: {pattern!r} ({exc})"
                ) from exc
            if compiled.fullmatch(""):
                raise FrameFileError(f"{where}: {field!r} entry {pattern!r} matches the empty string")
    return Frame(
        entry["theme"],
        entry["key"],
        entry["label_ja"],
        entry["label_en"],
        lists["terms"],
        lists["patterns"],
        lists["exclude"],
    )


def _string_list(value: object, field: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise FrameFileError(f"{where}: {field!r} must be a list of strings")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise FrameFileError(f"{where}: {field!r} contains an empty or non-string entry {item!r}")
        norm = normalize_text(item.strip())
        if norm not in out:
            out.append(norm)
    return tuple(out)


# --------------------------------------------------------------------------- sentences
def turn_sentences(turns: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence of every turn, split in the normalized turn text.

    Columns: sentence_id ("{turn_id}#{sentence:03d}"), the turn's context columns present in
    `turns` (turn_id, doc_id, municipality, meeting_date, speaker, role), sentence (0-based),
    start, end (offsets in `normalize_text(turn text)`, the offsets of `themes.find_hits`), text.
    """
    require_columns(turns, ("turn_id", "text"), "turns")
    normalized = pd.DataFrame(
        {
            "turn_id": turns["turn_id"].to_numpy(),
            "text": [normalize_text(t) for t in turns["text"].fillna("").astype(str)],
        }
    )
    sents = sentence_table(normalized)
    if sents.empty:  # no sentence at all: keep the key's type so the merge below is well typed
        sents = sents.astype({"turn_id": turns["turn_id"].dtype, "text": str})
    context = [c for c in CONTEXT_COLUMNS if c in turns.columns and c != "turn_id"]
    if context:
        sents = sents.merge(
            turns[["turn_id", *context]].drop_duplicates("turn_id"), on="turn_id", how="left", sort=False
        )
    sents["sentence_id"] = [f"{t}#{s:03d}" for t, s in zip(sents["turn_id"], sents["sentence"])]
    return sents[[c for c in SENTENCE_COLUMNS if c in sents.columns]].reset_index(drop=True)


def theme_sentences(
    turns: pd.DataFrame, themes: ThemeSet, sentences: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The sentences that touch each theme: one row per sentence × theme it touches.

    Today a sentence touches a theme when a counted hit of `themes.find_hits` (after overlap
    resolution and exclusions) starts inside it. This is the single place that decides, so it
    can be switched to sentence-level theme coding (`themes.code_sentences`) in one line.
    Columns: the `turn_sentences` columns (text last), theme, n_theme_hits, theme_terms (sorted
    unique matches joined with "|"). Rows follow the sentences' order, then the themes' order.
    """
    sents = turn_sentences(turns) if sentences is None else sentences
    hits = find_hits(turns, themes)
    empty = sents.iloc[:0].assign(theme=pd.Series(dtype=str), n_theme_hits=0, theme_terms="")
    if hits.empty or sents.empty:
        return empty[[c for c in THEME_SENTENCE_COLUMNS if c in empty.columns]]
    # map each hit to the sentence of its turn that contains its start offset
    turn_index = {t: i for i, t in enumerate(pd.unique(turns["turn_id"]))}
    s_turn = sents["turn_id"].map(turn_index).to_numpy(dtype=np.int64)
    width = int(max(sents["end"].max(), hits["end"].max())) + 1
    s_key = s_turn * width + sents["start"].to_numpy(dtype=np.int64)
    order = np.argsort(s_key, kind="mergesort")
    h_key = hits["turn_id"].map(turn_index).to_numpy(dtype=np.int64) * width + hits["start"].to_numpy()
    pos = np.searchsorted(s_key[order], h_key, side="right") - 1
    idx = order[np.clip(pos, 0, None)]
    inside = (
        (pos >= 0)
        & (s_turn[idx] == hits["turn_id"].map(turn_index).to_numpy())
        & (hits["start"].to_numpy() < sents["end"].to_numpy()[idx])
    )
    found = pd.DataFrame(
        {
            "_s": idx[inside],
            "theme": hits["theme"].to_numpy()[inside],
            "match": hits["match"].to_numpy()[inside],
        }
    )
    agg = (
        found.groupby(["_s", "theme"], sort=False)
        .agg(n_theme_hits=("match", "size"), theme_terms=("match", lambda s: "|".join(sorted(set(s)))))
        .reset_index()
    )
    agg["_t"] = agg["theme"].map({k: i for i, k in enumerate(themes.keys)})
    agg = agg.sort_values(["_s", "_t"], kind="mergesort")
    out = sents.iloc[agg["_s"].to_numpy()].reset_index(drop=True)
    out = out.assign(
        theme=agg["theme"].to_numpy(),
        n_theme_hits=agg["n_theme_hits"].to_numpy(dtype=np.int64),
        theme_terms=agg["theme_terms"].to_numpy(),
    )
    return out[[c for c in THEME_SENTENCE_COLUMNS if c in out.columns]]


def code_frames(
    turns: pd.DataFrame,
    themes: ThemeSet,
    frames: FrameSet,
    *,
    theme_sents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Frame coding: one row per theme sentence × frame of that theme.

    A sentence of theme T is coded with frame F of T when a counted hit of F's dictionary
    entries lies in it (overlaps between T's frames resolved longest match first, each frame's
    exclusions applied). Columns: the `theme_sentences` columns (text last), frame (key), code
    ("theme:frame"), coded, n_hits, matched_terms. Themes without frames are left out. Rows are
    grouped by theme and frame in the frame file's order (so `pd.unique` gives that order), then
    follow the sentences' order.
    """
    ts = theme_sentences(turns, themes) if theme_sents is None else theme_sents
    parts = []
    for theme in frames.themes:
        block = ts[ts["theme"] == theme].reset_index(drop=True)
        keys = frames.keys(theme)
        if block.empty:
            continue
        probe = pd.DataFrame(
            {"turn_id": block["sentence_id"].to_numpy(), "municipality": "", "text": block["text"].to_numpy()}
        )
        hits = find_hits(probe, frames.matcher(theme))
        agg = (
            hits.groupby(["row", "theme"], sort=False)
            .agg(n_hits=("match", "size"), matched_terms=("match", lambda s: "|".join(sorted(set(s)))))
            .reset_index()
            .rename(columns={"theme": "frame"})
        )
        n = len(block)
        grid = pd.DataFrame({"row": np.repeat(np.arange(n), len(keys)), "frame": np.tile(keys, n)})
        grid = grid.merge(agg, on=["row", "frame"], how="left", sort=False)
        part = block.iloc[grid["row"].to_numpy()].reset_index(drop=True)
        part = part.assign(
            frame=grid["frame"].to_numpy(),
            code=[f"{theme}:{k}" for k in grid["frame"]],
            n_hits=grid["n_hits"].fillna(0).astype("int64").to_numpy(),
            matched_terms=grid["matched_terms"].fillna("").astype(str).to_numpy(),
        )
        part["coded"] = part["n_hits"] > 0
        parts.append(part)
    if not parts:  # no theme sentence: an empty coding with the columns and types of a full one
        empty = ts.iloc[:0].assign(
            frame=pd.Series(dtype=str),
            code=pd.Series(dtype=str),
            coded=pd.Series(dtype=bool),
            n_hits=pd.Series(dtype="int64"),
            matched_terms=pd.Series(dtype=str),
        )
        return empty[[c for c in CODING_COLUMNS if c in empty.columns]].reset_index(drop=True)
    out = pd.concat(parts, ignore_index=True)
    order = {k: i for i, k in enumerate(frames.themes)}
    out = out.assign(
        _t=out["theme"].map(order), _f=out["code"].map({c: i for i, c in enumerate(frames.codes)})
    )
    out = out.sort_values(["_t", "_f", "turn_id", "sentence"], kind="mergesort").drop(columns=["_t", "_f"])
    return out[[c for c in CODING_COLUMNS if c in out.columns]].reset_index(drop=True)


def frame_hits(coding: pd.DataFrame, frames: FrameSet) -> pd.DataFrame:
    """Dictionary audit: one row per frame variant with the matches it made in theme sentences.

    Columns: theme, frame, kind, variant, n_matched_terms (matches whose text the variant
    matches), n_sentences (sentences with such a match). Variants that never matched are listed
    with zeros, so dead entries can be seen. Counts come from `matched_terms` (normalized
    matches, unique per sentence), so a pattern's row counts the matches it made.
    """
    rows = []
    coded = coding[coding["coded"]]
    for frame in frames:
        sub = coded.loc[coded["code"] == frame.code, "matched_terms"]
        per_sentence = [set(t for t in s.split("|") if t) for s in sub]
        counts: dict[str, int] = {}
        for terms in per_sentence:
            for t in terms:
                counts[t] = counts.get(t, 0) + 1
        for kind, variant, regex in frame.as_theme().variants():
            matching = {t for t in counts if regex.fullmatch(t)}
            n_hit = sum(counts[t] for t in matching)
            n_sent = sum(1 for terms in per_sentence if terms & matching)
            rows.append((frame.theme, frame.key, kind, variant, n_hit, n_sent))
    return pd.DataFrame(rows, columns=["theme", "frame", "kind", "variant", "n_matched_terms", "n_sentences"])


# --------------------------------------------------------------------------- turn level
def turn_frames(coding: pd.DataFrame) -> pd.DataFrame:
    """Turn-level frames: one row per turn × code present (any of its theme sentences coded)."""
    coded = coding[coding["coded"]]
    return (
        coded[["turn_id", "theme", "frame", "code"]]
        .drop_duplicates(["turn_id", "code"])
        .reset_index(drop=True)
    )


def text_sha1(text: str) -> str:
    """Hex SHA-1 of the UTF-8 bytes of a turn text (the gold sample's `text_sha1`)."""
    return hashlib.sha1(str(text).encode("utf-8")).hexdigest()


def load_gold(path: str | PathLike | None = None) -> pd.DataFrame:
    """The gold sample (`data/gold/gold-turns.csv`) with `frames` as a string ('' when none)."""
    gold = pd.read_csv(Path(GOLD_PATH if path is None else path), dtype=str, keep_default_na=False)
    require_columns(gold, ("turn_id", "text_sha1", "frames"), "gold sample")
    return gold


def match_gold(gold: pd.DataFrame, turns: pd.DataFrame) -> pd.DataFrame:
    """Gold rows joined to the corpus turns by turn_id, with `status`.

    status: "ok" (turn found, SHA-1 of its text equals the gold `text_sha1`), "text changed"
    (found, SHA-1 differs: the label may no longer apply) or "missing" (no such turn).
    """
    texts = dict(zip(turns["turn_id"], turns["text"].fillna("").astype(str)))
    status = [
        "missing" if t not in texts else ("ok" if text_sha1(texts[t]) == s else "text changed")
        for t, s in zip(gold["turn_id"], gold["text_sha1"])
    ]
    return gold.assign(status=status)


def _codes_of(gold_frames: str) -> set[str]:
    return {c.strip() for c in str(gold_frames).split(";") if c.strip()}


def agreement(gold: np.ndarray, pred: np.ndarray) -> dict:
    """tp, fp, fn, tn, precision, recall, f1 and Cohen's κ of two 0/1 vectors.

    κ = (p_o − p_e) / (1 − p_e) with p_e from the two marginals; NaN when p_e = 1 (both
    constant and equal). Precision is NaN with no predicted positives, recall with no gold ones.
    """
    g, p = np.asarray(gold, dtype=bool), np.asarray(pred, dtype=bool)
    n = len(g)
    tp, fp = int((g & p).sum()), int((~g & p).sum())
    fn, tn = int((g & ~p).sum()), int((~g & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    po = (tp + tn) / n if n else float("nan")
    pe = ((tp + fp) * (tp + fn) + (fn + tn) * (fp + tn)) / n**2 if n else float("nan")
    kappa = (po - pe) / (1 - pe) if n and pe < 1 else float("nan")
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "kappa": kappa,
    }


def frame_validity(
    gold: pd.DataFrame,
    turns: pd.DataFrame,
    themes: ThemeSet,
    frames: FrameSet,
    *,
    coding: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Precision, recall, F1 and Cohen's κ of the automatic coding against the gold sample.

    Turn level, over the gold turns whose text is unchanged (`match_gold` status "ok"):
    - level "theme": a turn has theme T when any of its sentences touches T (`theme_sentences`),
      against the gold theme column;
    - level "frame": a turn has frame F of T when any of its T sentences is coded F, against the
      gold `frames` column (absent when the gold theme is 0).
    Columns: level, theme, frame ('' for themes), code, n_turns, gold_positive, coded_positive,
    tp, fp, fn, tn, precision, recall, f1, kappa, n_text_changed, n_missing.
    """
    matched = match_gold(gold, turns)
    ok = matched[matched["status"] == "ok"]
    n_changed = int((matched["status"] == "text changed").sum())
    n_missing = int((matched["status"] == "missing").sum())
    subset = turns[turns["turn_id"].isin(ok["turn_id"])]
    if coding is None:
        coding = code_frames(subset, themes, frames)
    ids = ok["turn_id"].to_numpy()
    theme_turns = coding[["turn_id", "theme"]].drop_duplicates()
    tf = turn_frames(coding)
    gold_codes = [_codes_of(f) for f in ok["frames"]]
    rows = []
    for theme in frames.themes:
        pred_ids = set(theme_turns.loc[theme_turns["theme"] == theme, "turn_id"])
        g = ok[theme].astype(int).to_numpy() == 1 if theme in ok.columns else np.zeros(len(ok), bool)
        p = np.array([t in pred_ids for t in ids], dtype=bool)
        rows.append(("theme", theme, "", theme, len(ids), int(g.sum()), int(p.sum()), agreement(g, p)))
        for frame in frames.for_theme(theme):
            pred_ids = set(tf.loc[tf["code"] == frame.code, "turn_id"])
            g = np.array([frame.code in c for c in gold_codes], dtype=bool)
            p = np.array([t in pred_ids for t in ids], dtype=bool)
            rows.append(
                ("frame", theme, frame.key, frame.code, len(ids), int(g.sum()), int(p.sum()), agreement(g, p))
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


#: A second, independent labelled sample (other bodies, text included) when the project has it.
INDEPENDENT_GOLD_PATH = config.DATA_DIR / "gold" / "independent-turns.csv"


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
        turn_id=ids, text_sha1=[text_sha1(t) for t in texts], frames=table["frames"].fillna("").astype(str)
    )
    return gold, turns


def blind_validity(themes: ThemeSet, frames: FrameSet, paths=None) -> pd.DataFrame | None:
    """`frame_validity` on the blind samples' test half (`validity.blind_sample`, pages with an
    even item number), or None when no blind sample is present. The frame dictionary was never
    changed after reading any blind turn; the theme rows are also honest on this half only."""
    from dxminutes.analysis.validity import BLIND_TEST, blind_sample

    turns, gold = blind_sample(paths)
    if not len(gold):
        return None
    test = gold[gold["municipality"] == BLIND_TEST]
    return frame_validity(test.assign(frames=test["frames"].fillna("").astype(str)), turns, themes, frames)


def independent_validity(
    themes: ThemeSet, frames: FrameSet, path: str | PathLike | None = None
) -> pd.DataFrame | None:
    """`frame_validity` on the independent labelled sample, or None when the file is absent."""
    path = Path(INDEPENDENT_GOLD_PATH if path is None else path)
    if not path.exists():
        return None
    table = pd.read_csv(path, dtype={"frames": str}, keep_default_na=False)
    gold, turns = labelled_turns(table)
    return frame_validity(gold, turns, themes, frames)
