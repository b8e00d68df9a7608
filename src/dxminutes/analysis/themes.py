"""Sentence and turn coding with the codebook (resources/codebook.toml), at both levels, and the hit audit table.

A theme is a list of literal notation variants plus optional regular expressions and
exclusions, kept in a TOML file that researchers edit without touching code. Dictionary entries
and turn texts are normalized the same way (NFKC, via `normalize.normalize_unicode`), Latin case
is ignored, and overlapping matches are counted once: the longest match wins, across all themes,
so "デジタル人材" is one staffing hit and "情報セキュリティ監査" one security hit.

Coding happens at **sentence level** (codebook §1: a turn touches a theme when at least one of
its sentences does):

1. Each turn's normalized text is split into sentences (`text.sentences.sentence_spans`).
2. A sentence matching one of the file's top-level `procedural` patterns (opening and closing,
   agenda announcements, calls on the next speaker, meeting and body names as headings) is
   *procedural*: its matches are kept for the audit but never code a theme (codebook G2, G3).
3. Terms, patterns and exclusions are matched **within one sentence**, never across a sentence
   or turn boundary, so `デジタル.*推進` finds every sentence where デジタル is followed by 推進.
   A term or pattern listed in one of its theme's `[[theme.context]]` tables (`entries`) counts
   only in a sentence where that table's `requires` regex matches as well (システム only with a
   digital context word, 高齢者 only with a digital or access word).
4. A turn is coded with a theme when any non-procedural sentence is (`code_turns`); the
   sentence table itself is `code_sentences`.
"""

from __future__ import annotations

__all__ = ["CODED_COLUMNS", "CODING_COLUMNS", "CODING_INPUT_COLUMNS", "CONTEXT_COLUMNS", "FLAGS", "FRAME_CODING_COLUMNS", "HIT_COLUMNS", "KEY_RE", "SENTENCE_CODED_COLUMNS", "SENTENCE_COLUMNS", "SEPARATOR", "THEME_SENTENCE_COLUMNS", "VARIANT_FLAGS", "Codebook", "CodebookError", "Frame", "FrameSet", "Theme", "ThemeFileError", "ThemeSet", "code_sentences", "code_turns", "find_hits", "find_matches", "frame_hits", "is_procedural", "load_codebook", "load_themes", "normalize_text", "procedural_mask", "theme_hits", "theme_sentences", "turn_frames", "turn_sentences"]  # fmt: skip

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dxminutes.analysis.codebook import (
    FLAGS,
    KEY_RE,
    LEVELS,
    VARIANT_FLAGS,
    Codebook,
    CodebookError,
    Frame,
    FrameSet,
    Theme,
    _compile,
    load_codebook,
    normalize_text,
)
from dxminutes.schema import require_columns
from dxminutes.text.sentences import sentence_spans, sentence_table

#: Separator between texts when many are scanned in one pass. Sentences never contain it; a
#: match that would run over a separator anyway (a turn text with line breaks, a pattern such
#: as `[^。]*`) is searched again inside its own text, so no match is ever lost or joined.
SEPARATOR = "\n"
CODING_INPUT_COLUMNS = ("turn_id", "doc_id", "municipality", "meeting_date", "speaker", "role", "text")
CODED_COLUMNS = [
    "turn_id",
    "doc_id",
    "municipality",
    "meeting_date",
    "speaker",
    "role",
    "theme",
    "coded",
    "n_hits",
    "matched_terms",
    "n_sentences",
]
#: Turn columns carried onto every sentence row (those the turns have; turn_id and municipality
#: are required).
CONTEXT_COLUMNS = ("turn_id", "doc_id", "municipality", "meeting_date", "speaker", "role")
SENTENCE_COLUMNS = ("sentence_id", *CONTEXT_COLUMNS, "sentence", "start", "end", "text")
THEME_SENTENCE_COLUMNS = (*SENTENCE_COLUMNS[:-1], "theme", "n_theme_hits", "theme_terms", "text")
#: The sentence coding of both levels (`code_sentences`), declared once: one row per sentence ×
#: code. At the theme level `frame` is "" and `code` the theme key; at the frame level `code` is
#: "theme:frame" and `procedural` is False (frames are coded in theme sentences, never
#: procedural ones). Context columns the turns lack are left out.
CODING_COLUMNS = (
    *SENTENCE_COLUMNS[:-1],
    "procedural",
    "theme",
    "frame",
    "code",
    "coded",
    "n_hits",
    "matched_terms",
    "text",
)
#: Former names of the same columns, one per level.
SENTENCE_CODED_COLUMNS = FRAME_CODING_COLUMNS = CODING_COLUMNS
HIT_COLUMNS = [
    "row",
    "turn_id",
    "municipality",
    "theme",
    "kind",
    "variant",
    "match",
    "start",
    "end",
    "sentence",
    "procedural",
]


#: Former names, kept for callers outside the package (notebooks, helpers' adapters).
ThemeSet = Codebook
ThemeFileError = CodebookError
load_themes = load_codebook
__all__ = [
    "FLAGS",
    "KEY_RE",
    "VARIANT_FLAGS",
    "Codebook",
    "CodebookError",
    "Frame",
    "FrameSet",
    "Theme",
    "ThemeFileError",
    "ThemeSet",
    "load_codebook",
    "load_themes",
    "normalize_text",
]


# --------------------------------------------------------------------------- matching
def find_matches(texts: Sequence[str], regex: re.Pattern) -> pd.DataFrame:
    """All non-empty matches of `regex` in each of `texts`, never running from one text into the next.

    Returns row (index into `texts`), start, end (offsets within that text) and match. The
    result equals `regex.finditer` run on each text separately (texts are scanned in one pass
    for speed; a text where a match would cross into the next one is searched again alone).
    """
    corpus, starts, ends = _concatenate(texts)
    row, begin, finish = _scan(corpus, starts, ends, regex)
    offset = starts[row]
    return pd.DataFrame(
        {
            "row": row,
            "start": begin - offset,
            "end": finish - offset,
            "match": pd.array([corpus[s:e] for s, e in zip(begin.tolist(), finish.tolist())], dtype="str"),
        }
    )


def _concatenate(texts: Sequence[str]) -> tuple[str, np.ndarray, np.ndarray]:
    """The texts joined by SEPARATOR, with each text's start and end offset in the join."""
    texts = list(texts)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate([[0], np.cumsum(lengths + 1)])[: len(texts)].astype(np.int64)  # [] for no text
    return SEPARATOR.join(texts) + SEPARATOR, starts, starts + lengths


#: Pattern syntax whose meaning depends on what lies beyond a text's ends (anchors, word
#: boundaries, lookarounds): such patterns are run on each text alone.
_CONTEXT_SENSITIVE = re.compile(r"(?<!\[)\^|\$|\\[AZbB]|\(\?<?[=!]")


def _scan(
    corpus: str, starts: np.ndarray, ends: np.ndarray, regex: re.Pattern
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(segment, start, end) of every non-empty match inside one segment [starts[i], ends[i]).

    The result equals `regex.finditer` run on each segment's text alone. One `finditer` over
    the whole corpus finds the matches; a match that runs over a segment's end (its text or the
    separator) would hide matches in the segments it touches, so those segments are scanned
    again on their own and replace whatever the first pass found in them. Patterns with anchors,
    word boundaries or lookarounds are always run on each segment alone.
    """
    if len(starts) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    if _CONTEXT_SENSITIVE.search(regex.pattern):
        return _scan_each(corpus, starts, ends, regex, range(len(starts)))
    spans = [m.span() for m in regex.finditer(corpus)]
    spans = [(s, e) for s, e in spans if e > s]
    b = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
    f = np.fromiter((e for _, e in spans), dtype=np.int64, count=len(spans))
    seg = np.searchsorted(starts, b, side="right") - 1
    crossing = f > ends[seg] if len(spans) else np.zeros(0, dtype=bool)
    if crossing.any():
        last = np.searchsorted(starts, f[crossing] - 1, side="right") - 1
        redo = sorted({i for a, z in zip(seg[crossing].tolist(), last.tolist()) for i in range(a, z + 1)})
        keep = ~np.isin(seg, redo)
        again = _scan_each(corpus, starts, ends, regex, redo)
        seg, b, f = (np.concatenate([x[keep], y]) for x, y in zip((seg, b, f), again))
        order = np.lexsort((b, seg))
        seg, b, f = seg[order], b[order], f[order]
    return seg.astype(np.int64), b, f


def _scan_each(corpus, starts, ends, regex, segments) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`_scan` for the given segments, each matched as a string of its own."""
    found = [
        (i, int(starts[i]) + m.start(), int(starts[i]) + m.end())
        for i in segments
        for m in regex.finditer(corpus[int(starts[i]) : int(ends[i])])
        if m.end() > m.start()
    ]
    return tuple(np.array([x[k] for x in found], dtype=np.int64) for k in range(3))


@dataclass(frozen=True)
class _Sentences:
    """The sentences of a set of turns, in the normalized turn texts."""

    texts: list[str]  # normalized turn texts
    row: np.ndarray  # turn index of each sentence
    index: np.ndarray  # sentence number within its turn
    start: np.ndarray  # offsets in the normalized turn text
    end: np.ndarray
    text: list[str]
    procedural: np.ndarray


def _sentences(turns: pd.DataFrame, themes: ThemeSet) -> _Sentences:
    texts = [normalize_text(t) for t in turns["text"].fillna("").astype(str)]
    row, index, start, end = [], [], [], []
    for r, text in enumerate(texts):
        for i, (s, e) in enumerate(sentence_spans(text)):
            row.append(r)
            index.append(i)
            start.append(s)
            end.append(e)
    sent_text = [texts[r][s:e] for r, s, e in zip(row, start, end)]
    return _Sentences(
        texts=texts,
        row=np.asarray(row, dtype=np.int64),
        index=np.asarray(index, dtype=np.int64),
        start=np.asarray(start, dtype=np.int64),
        end=np.asarray(end, dtype=np.int64),
        text=sent_text,
        procedural=procedural_mask(sent_text, themes),
    )


def procedural_mask(sentences: Sequence[str], themes: ThemeSet) -> np.ndarray:
    """True for each sentence that one of the theme file's `procedural` patterns finds."""
    regex = themes.procedural_regex()
    if regex is None:
        return np.zeros(len(sentences), dtype=bool)
    return np.fromiter((regex.search(s) is not None for s in sentences), dtype=bool, count=len(sentences))


def is_procedural(sentence: str, themes: ThemeSet) -> bool:
    """Whether one (already split) sentence is procedural under `themes` (after normalization)."""
    return bool(procedural_mask([normalize_text(sentence)], themes)[0])


def _sentence_hits(sents: _Sentences, themes: ThemeSet) -> pd.DataFrame:
    """Counted hits per sentence (all sentences, procedural included), overlaps resolved."""
    corpus, starts, ends = _concatenate(sents.text)
    frames = []
    cache: dict[str, np.ndarray] = {}
    for t_idx, theme in enumerate(themes):
        blocked = None
        if theme.exclude:
            mask = np.zeros(len(corpus), dtype=np.int32)
            for pattern in theme.exclude:
                regex = _compile(pattern, where=f"codebook, {theme.key!r} exclude")
                _, xb, xf = _scan(corpus, starts, ends, regex)
                for s, e in zip(xb.tolist(), xf.tolist()):
                    mask[s:e] = 1
            blocked = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
        for v_idx, (kind, variant, regex) in enumerate(theme.variants()):
            seg, b, f = _scan(corpus, starts, ends, regex)
            context = theme.context_for(variant)
            if context is not None and len(seg):
                ok = _sentences_matching(sents.text, context, cache)
                inside = ok[seg]
                seg, b, f = seg[inside], b[inside], f[inside]
            if blocked is not None:
                free = (blocked[f] - blocked[b]) == 0
                seg, b, f = seg[free], b[free], f[free]
            frames.append(
                pd.DataFrame(
                    {
                        "seg": seg,
                        "start": b - starts[seg],
                        "end": f - starts[seg],
                        "match": [corpus[s:e] for s, e in zip(b.tolist(), f.tolist())],
                        "theme": theme.key,
                        "kind": kind,
                        "variant": variant,
                        "t_idx": t_idx,
                        "v_idx": v_idx,
                    }
                )
            )
    cand = pd.concat(frames, ignore_index=True)
    cand = cand.assign(length=cand["end"] - cand["start"])
    cand = cand.sort_values(
        ["length", "seg", "start", "t_idx", "v_idx"],
        ascending=[False, True, True, True, True],
        kind="mergesort",
    )
    taken: dict[int, bytearray] = {}
    keep = []
    for seg, start, end in zip(cand["seg"].tolist(), cand["start"].tolist(), cand["end"].tolist()):
        occupied = taken.setdefault(seg, bytearray(len(sents.text[seg])))
        free = not any(occupied[start:end])
        if free:
            occupied[start:end] = b"\x01" * (end - start)
        keep.append(free)
    hits = cand[np.array(keep, dtype=bool)].sort_values(["seg", "start"], kind="mergesort")
    return hits.reset_index(drop=True)


def _sentences_matching(texts: Sequence[str], pattern: str, cache: dict[str, np.ndarray]) -> np.ndarray:
    """True for each sentence where the context regex `pattern` matches (memoized per call)."""
    if pattern not in cache:
        regex = _compile(pattern, where="codebook, context 'requires'")
        cache[pattern] = np.fromiter(
            (regex.search(t) is not None for t in texts), dtype=bool, count=len(texts)
        )
    return cache[pattern]


def find_hits(turns: pd.DataFrame, themes: ThemeSet, *, include_procedural: bool = False) -> pd.DataFrame:
    """One row per counted hit: row, turn_id, municipality, theme, kind, variant, match, start,
    end, sentence, procedural.

    Matching is done within each sentence; offsets refer to the normalized turn text
    (`normalize_text`), `sentence` is the sentence's number in the turn. Overlaps are resolved
    longest match first across all themes (ties: earlier theme, then earlier variant in the
    file); a match overlapping a span excluded by its own theme's `exclude` list does not count.
    Hits in procedural sentences do not count and are left out, unless `include_procedural`.
    """
    require_columns(turns, ("turn_id", "municipality", "text"), "turns")
    sents = _sentences(turns, themes)
    return _hits_table(turns, sents, _sentence_hits(sents, themes), include_procedural)


def _hits_table(turns, sents: _Sentences, hits: pd.DataFrame, include_procedural: bool) -> pd.DataFrame:
    seg = hits["seg"].to_numpy(dtype=np.int64)
    rows = sents.row[seg]
    out = pd.DataFrame(
        {
            "row": rows,
            "turn_id": turns["turn_id"].to_numpy()[rows],
            "municipality": turns["municipality"].to_numpy()[rows],
            "theme": hits["theme"].to_numpy(),
            "kind": hits["kind"].to_numpy(),
            "variant": hits["variant"].to_numpy(),
            "match": hits["match"].to_numpy(),
            "start": hits["start"].to_numpy(dtype=np.int64) + sents.start[seg],
            "end": hits["end"].to_numpy(dtype=np.int64) + sents.start[seg],
            "sentence": sents.index[seg],
            "procedural": sents.procedural[seg],
        },
        columns=HIT_COLUMNS,
    )
    if not include_procedural:
        out = out[~out["procedural"].to_numpy(dtype=bool)]
    return out.reset_index(drop=True)


def _theme_sentence_coding(turns: pd.DataFrame, themes: ThemeSet) -> pd.DataFrame:
    """Theme-level sentence coding (`code_sentences(level="theme")`): one row per sentence × theme.

    n_hits and matched_terms (sorted unique matched strings joined with "|")
    describe what the dictionary found in the sentence; coded is n_hits > 0 and not procedural.
    Rows follow the turns' order, then the sentences', then the themes' order in the file.
    Empty turns have no sentences.
    """
    require_columns(turns, ("turn_id", "municipality", "text"), "turns")
    sents = _sentences(turns, themes)
    hits = _sentence_hits(sents, themes)
    agg = (
        hits.groupby(["seg", "theme"], sort=False)
        .agg(n_hits=("match", "size"), matched_terms=("match", lambda s: "|".join(sorted(set(s)))))
        .reset_index()
    )
    n, keys = len(sents.text), themes.keys
    grid = pd.DataFrame(
        {"seg": np.repeat(np.arange(n, dtype=np.int64), len(keys)), "theme": np.tile(keys, n)}
    )
    grid = grid.merge(agg, on=["seg", "theme"], how="left", sort=False)
    seg = grid["seg"].to_numpy(dtype=np.int64)
    rows = sents.row[seg]
    ids = turns["turn_id"].to_numpy()
    sentence_id = np.array(
        [f"{ids[r]}#{i:03d}" for r, i in zip(sents.row.tolist(), sents.index.tolist())], dtype=object
    )
    context = [c for c in CONTEXT_COLUMNS if c in turns.columns]
    out = pd.DataFrame(
        {
            "sentence_id": pd.array(sentence_id[seg], dtype="str"),
            **{c: turns[c].to_numpy()[rows] for c in context},
            "sentence": sents.index[seg],
            "start": sents.start[seg],
            "end": sents.end[seg],
            "text": pd.array([sents.text[i] for i in seg.tolist()], dtype="str"),
            "procedural": sents.procedural[seg],
            "theme": grid["theme"].to_numpy(),
            "n_hits": grid["n_hits"].fillna(0).astype("int64").to_numpy(),
            "matched_terms": grid["matched_terms"].astype(object).fillna("").astype("str").to_numpy(),
        }
    )
    out["coded"] = (out["n_hits"] > 0) & ~out["procedural"]
    out["frame"] = ""
    out["code"] = out["theme"]
    return out[[c for c in CODING_COLUMNS if c in out.columns]]


def code_sentences(
    turns: pd.DataFrame,
    codebook: Codebook,
    level: str = "theme",
    *,
    theme_sents: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Sentence coding at one level of the codebook: `level="theme"` or `level="frame"`.

    Both levels return one table shape, `CODING_COLUMNS`: sentence_id ("{turn_id}#{sentence:03d}"),
    the turn's context columns that `turns` has (turn_id, doc_id, municipality, meeting_date,
    speaker, role), sentence (0-based number in the turn), start, end (offsets in the normalized
    turn text), procedural, theme, frame, code, coded, n_hits, matched_terms (sorted unique
    matched strings joined with "|"), text (the normalized sentence).

    - "theme": one row per sentence × theme (all sentences, procedural ones flagged); frame is
      "" and code the theme key; coded is n_hits > 0 and not procedural. Rows follow the turns'
      order, then the sentences', then the themes' order in the file. Empty turns have no
      sentences.
    - "frame": one row per theme sentence × frame of that theme; code is "theme:frame" and
      procedural False. A sentence of theme T is coded with frame F of T
      when a counted hit of F's entries lies in it (overlaps between T's frames resolved
      longest match first, each frame's exclusions applied). Themes without frames are left
      out; rows are grouped by theme and frame in the file's order, then follow the sentences.
      `theme_sents` (from `theme_sentences`) saves recomputing the theme sentences.

    Both levels count in the same unit (the sentence) with the same matcher (`find_hits`);
    `turn_frames` and `code_turns` lift them to turns.
    """
    if level == "theme":
        return _theme_sentence_coding(turns, codebook)
    if level == "frame":
        coding = _code_frames(turns, codebook, codebook.frames, theme_sents=theme_sents)
        coding = coding.assign(procedural=np.zeros(len(coding), dtype=bool))
        return coding[[c for c in CODING_COLUMNS if c in coding.columns]]
    raise ValueError(f"level must be one of {LEVELS}, got {level!r}")


def code_turns(turns: pd.DataFrame, themes: ThemeSet) -> pd.DataFrame:
    """Long coding table: one row per turn × theme with coded, n_hits, matched_terms, n_sentences.

    A turn is coded with a theme when any of its non-procedural sentences has a hit of the
    theme. n_hits counts those hits, matched_terms is their sorted unique matched strings
    (normalized) joined with "|", n_sentences the number of sentences coded with the theme.
    Rows follow the turns' order, then the themes' order in the file.
    """
    require_columns(turns, CODING_INPUT_COLUMNS, "turns")
    hits = find_hits(turns, themes)
    agg = (
        hits.groupby(["row", "theme"], sort=False)
        .agg(
            n_hits=("match", "size"),
            matched_terms=("match", lambda s: "|".join(sorted(set(s)))),
            n_sentences=("sentence", "nunique"),
        )
        .reset_index()
    )
    n, keys = len(turns), themes.keys
    grid = pd.DataFrame({"row": np.repeat(np.arange(n), len(keys)), "theme": np.tile(keys, n)})
    grid = grid.merge(agg, on=["row", "theme"], how="left", sort=False)
    rows = grid["row"].to_numpy()
    out = pd.DataFrame({c: turns[c].to_numpy()[rows] for c in CODED_COLUMNS[:6]})
    out["theme"] = grid["theme"].to_numpy()
    out["n_hits"] = grid["n_hits"].fillna(0).astype("int64").to_numpy()
    out["coded"] = out["n_hits"] > 0
    out["matched_terms"] = grid["matched_terms"].astype(object).fillna("").astype("str").to_numpy()
    out["n_sentences"] = grid["n_sentences"].fillna(0).astype("int64").to_numpy()
    return out[CODED_COLUMNS]


def theme_hits(turns: pd.DataFrame, themes: ThemeSet) -> pd.DataFrame:
    """Audit table: one row per municipality × theme × variant with n_hits, n_turns, n_procedural.

    n_hits and n_turns count the hits that code a theme; n_procedural counts the matches that
    were skipped because they sit in a procedural sentence. Variants that never matched are
    listed with zeros, so a researcher sees dead entries.
    """
    hits = find_hits(turns, themes, include_procedural=True)
    counted = hits[~hits["procedural"]]
    agg = (
        counted.groupby(["municipality", "theme", "kind", "variant"], sort=False)
        .agg(n_hits=("match", "size"), n_turns=("turn_id", "nunique"))
        .reset_index()
    )
    skipped = (
        hits[hits["procedural"]]
        .groupby(["municipality", "theme", "kind", "variant"], sort=False)
        .size()
        .rename("n_procedural")
        .reset_index()
    )
    variants = pd.DataFrame(
        [(t.key, kind, v, i) for t in themes for i, (kind, v, _) in enumerate(t.variants())],
        columns=["theme", "kind", "variant", "order"],
    )
    variants["theme_order"] = variants["theme"].map({k: i for i, k in enumerate(themes.keys)})
    munis = pd.DataFrame({"municipality": sorted(turns["municipality"].dropna().unique())})
    grid = munis.merge(variants, how="cross")
    on = ["municipality", "theme", "kind", "variant"]
    grid = grid.merge(agg, on=on, how="left") if len(agg) else grid.assign(n_hits=0, n_turns=0)
    grid = grid.merge(skipped, on=on, how="left") if len(skipped) else grid.assign(n_procedural=0)
    cols = ["n_hits", "n_turns", "n_procedural"]
    grid[cols] = grid[cols].fillna(0).astype("int64")
    grid = grid.sort_values(["municipality", "theme_order", "order"], kind="mergesort")
    return grid[["municipality", "theme", "kind", "variant", *cols]].reset_index(drop=True)


# --------------------------------------------------------------------------- sentences
def turn_sentences(turns: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence of every turn, split in the normalized turn text.

    Columns: sentence_id ("{turn_id}#{sentence:03d}"), the turn's context columns present in
    `turns` (turn_id, doc_id, municipality, meeting_date, speaker, role), sentence (0-based),
    start, end (offsets in `normalize_text(turn text)`, the offsets of `find_hits`), text.
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

    Today a sentence touches a theme when a counted hit of `find_hits` (after overlap
    resolution and exclusions) starts inside it. This is the single place that decides, so it
    can be switched to sentence-level theme coding (`code_sentences`) in one line.
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


def _code_frames(
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
        return empty.reset_index(drop=True)
    out = pd.concat(parts, ignore_index=True)
    order = {k: i for i, k in enumerate(frames.themes)}
    out = out.assign(
        _t=out["theme"].map(order), _f=out["code"].map({c: i for i, c in enumerate(frames.codes)})
    )
    out = out.sort_values(["_t", "_f", "turn_id", "sentence"], kind="mergesort").drop(columns=["_t", "_f"])
    return out.reset_index(drop=True)


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
