"""Theme dictionary (resources/themes.toml) → sentence and turn coding, and the hit audit table.

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

__all__ = ["CODED_COLUMNS", "CODING_INPUT_COLUMNS", "FLAGS", "HIT_COLUMNS", "KEY_RE", "REQUIRED_FIELDS", "SENTENCE_CODED_COLUMNS", "SEPARATOR", "THEME_FIELDS", "TOP_LEVEL_FIELDS", "VARIANT_FLAGS", "Theme", "ThemeFileError", "ThemeSet", "code_sentences", "code_turns", "find_hits", "find_matches", "is_procedural", "load_themes", "normalize_text", "procedural_mask", "theme_hits"]  # fmt: skip

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from dxminutes import config
from dxminutes._io import read_toml
from dxminutes.corpus.convention import bounded_compile
from dxminutes.normalize import normalize_unicode
from dxminutes.schema import require_columns
from dxminutes.text.sentences import sentence_spans

THEME_FIELDS = ("key", "label_ja", "label_en", "terms", "patterns", "exclude", "context")
REQUIRED_FIELDS = ("key", "label_ja", "label_en", "terms")
#: Top-level keys of a theme file: the [[theme]] tables and the procedural-sentence patterns.
TOP_LEVEL_FIELDS = ("theme", "procedural")
KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FLAGS = re.IGNORECASE
#: Flags of theme terms, patterns and exclusions: `^` and `$` anchor at a sentence's start/end.
VARIANT_FLAGS = re.IGNORECASE | re.MULTILINE
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
SENTENCE_CODED_COLUMNS = [
    "turn_id",
    "municipality",
    "sentence",
    "start",
    "end",
    "text",
    "procedural",
    "theme",
    "coded",
    "n_hits",
    "matched_terms",
]
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


class ThemeFileError(ValueError):
    """A theme file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Theme:
    key: str
    label_ja: str
    label_en: str
    terms: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: (entry, regex) pairs: the term or pattern `entry` counts only in a sentence where `regex`
    #: also matches (a broad word such as システム only with a digital context word).
    context: tuple[tuple[str, str], ...] = ()

    def context_for(self, variant: str) -> str | None:
        """The context regex that `variant` (a term or pattern) requires, or None."""
        return dict(self.context).get(variant)

    @property
    def label(self) -> str:
        """Bilingual chart label, e.g. "情報セキュリティ / Information security"."""
        return f"{self.label_ja} / {self.label_en}"

    def variants(self) -> list[tuple[str, str, re.Pattern]]:
        """(kind, variant, compiled regex) for every term and pattern, in file order."""
        out = [("term", t, _compile(re.escape(t))) for t in self.terms]
        out += [
            ("pattern", p, _compile(p, where=f"theme file, [[theme]] {self.key!r} patterns"))
            for p in self.patterns
        ]
        return out


def _compile(pattern: str, *, where: str | None = None):
    """A theme regex; case-insensitive only where it has Latin letters (IGNORECASE makes
    `re` give up its fast literal search, and case means nothing in kana and kanji).

    With `where` (the file and key of a pattern the user wrote) it runs with a time limit
    (`corpus.convention.BoundedPattern`): a pattern that backtracks without end is stopped and
    named instead of hanging the coding."""
    flags = VARIANT_FLAGS if re.search(r"[A-Za-z]", pattern) else re.MULTILINE
    if where is not None:
        return bounded_compile(pattern, flags, where=where)
    return re.compile(pattern, flags)


@dataclass(frozen=True)
class ThemeSet:
    themes: tuple[Theme, ...]
    source: str = ""
    #: Regular expressions marking a sentence as procedural (searched in each sentence).
    procedural: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[Theme]:
        return iter(self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def __getitem__(self, key: str) -> Theme:
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise KeyError(
            f"no theme {key!r} in {self.source or 'this theme set'}; known: {', '.join(self.keys)}"
        )

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.themes]

    @property
    def labels(self) -> dict[str, str]:
        """Theme key → bilingual label."""
        return {t.key: t.label for t in self.themes}

    def procedural_regex(self) -> re.Pattern | None:
        """One regex that searches for any procedural pattern (None when there are none)."""
        if not self.procedural:
            return None
        return bounded_compile(
            "|".join(f"(?:{p})" for p in self.procedural), FLAGS, where="theme file, procedural patterns"
        )


def normalize_text(text: str) -> str:
    """The normalization applied to both turn texts and dictionary entries."""
    return normalize_unicode(text)


# --------------------------------------------------------------------------- loading
def load_themes(path: str | PathLike | None = None) -> ThemeSet:
    """Read and validate a theme file (default `config.THEMES_PATH`).

    Raises `ThemeFileError` naming the file and the problem: TOML syntax (with line), missing
    or unknown fields, empty or non-string terms, duplicate keys, invalid regular expressions.
    """
    path = Path(config.THEMES_PATH if path is None else path)
    name = config.relpath(path)
    data = read_toml(path, ThemeFileError, "theme file", name)
    extra = sorted(set(data) - set(TOP_LEVEL_FIELDS))
    if extra:
        raise ThemeFileError(
            f"{name}: unknown top-level key(s) {extra}; allowed: {list(TOP_LEVEL_FIELDS)} "
            "(themes go in [[theme]] tables)"
        )
    entries = data.get("theme")
    if not isinstance(entries, list) or not entries:
        raise ThemeFileError(f"{name}: no [[theme]] tables found")
    procedural = _string_list(data.get("procedural", []), "procedural", name)
    _check_patterns(procedural, "procedural", name)
    themes: list[Theme] = []
    for number, entry in enumerate(entries, start=1):
        theme = _parse_theme(entry, f"{name}: theme #{number}")
        if theme.key in {t.key for t in themes}:
            raise ThemeFileError(f"{name}: theme #{number}: duplicate key {theme.key!r}")
        themes.append(theme)
    return ThemeSet(tuple(themes), source=name, procedural=procedural)


def _parse_theme(entry: object, where: str) -> Theme:
    if not isinstance(entry, dict):
        raise ThemeFileError(f"{where}: expected a table, got {type(entry).__name__}")
    if isinstance(entry.get("key"), str):
        where = f"{where} ({entry['key']!r})"
    unknown = sorted(set(entry) - set(THEME_FIELDS))
    if unknown:
        raise ThemeFileError(f"{where}: unknown field(s) {unknown}; allowed: {list(THEME_FIELDS)}")
    missing = [f for f in REQUIRED_FIELDS if f not in entry]
    if missing:
        raise ThemeFileError(f"{where}: missing required field(s) {missing}")
    for field in ("key", "label_ja", "label_en"):
        if not isinstance(entry[field], str) or not entry[field].strip():
            raise ThemeFileError(f"{where}: {field!r} must be a non-empty string")
    if not KEY_RE.fullmatch(entry["key"]):
        raise ThemeFileError(f"{where}: key {entry['key']!r} must be letters, digits or '_'")
    lists = {f: _string_list(entry.get(f, []), f, where) for f in ("terms", "patterns", "exclude")}
    if not lists["terms"]:
        raise ThemeFileError(f"{where}: 'terms' is empty; give at least one term")
    for field in ("patterns", "exclude"):
        _check_patterns(lists[field], field, where)
    context = _context_table(entry.get("context", []), lists["terms"] + lists["patterns"], where)
    return Theme(
        entry["key"],
        entry["label_ja"],
        entry["label_en"],
        lists["terms"],
        lists["patterns"],
        lists["exclude"],
        context,
    )


def _context_table(value: object, entries: Sequence[str], where: str) -> tuple[tuple[str, str], ...]:
    """The `[[theme.context]]` tables (entries = [...], requires = "regex") as validated,
    normalized (entry, regex) pairs; every entry must be a term or pattern of the theme and may
    be named by one context table only."""
    if not isinstance(value, list):
        raise ThemeFileError(
            f"{where}: 'context' must be [[theme.context]] tables with 'entries' and 'requires'"
        )
    out: list[tuple[str, str]] = []
    for number, table in enumerate(value, start=1):
        at = f"{where}: context #{number}"
        if not isinstance(table, dict) or set(table) != {"entries", "requires"}:
            raise ThemeFileError(f"{at}: needs exactly the fields 'entries' and 'requires'")
        names = _string_list(table["entries"], "entries", at)
        if not names:
            raise ThemeFileError(f"{at}: 'entries' is empty")
        if not isinstance(table["requires"], str) or not table["requires"].strip():
            raise ThemeFileError(f"{at}: 'requires' must be a non-empty string")
        pattern = normalize_text(table["requires"].strip())
        _check_patterns([pattern], "requires", at)
        for entry in names:
            if entry not in entries:
                raise ThemeFileError(f"{at}: {entry!r} is not a term or pattern of the theme")
            if entry in dict(out):
                raise ThemeFileError(f"{at}: {entry!r} already has a context requirement")
            out.append((entry, pattern))
    return tuple(out)


def _check_patterns(patterns: Sequence[str], field: str, where: str) -> None:
    for pattern in patterns:
        try:
            compiled = re.compile(pattern, VARIANT_FLAGS)
        except re.error as exc:
            raise ThemeFileError(
                f"{where}: invalid regular expression in {field!r}: {pattern!r} ({exc})"
            ) from exc
        if compiled.fullmatch(""):
            raise ThemeFileError(f"{where}: {field!r} entry {pattern!r} matches the empty string")


def _string_list(value: object, field: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ThemeFileError(f"{where}: {field!r} must be a list of strings")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ThemeFileError(f"{where}: {field!r} contains an empty or non-string entry {item!r}")
        norm = normalize_text(item.strip())
        if norm not in out:  # "ＤＸ" and "DX" are one entry after NFKC
            out.append(norm)
    return tuple(out)


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
                regex = _compile(pattern, where=f"theme file, [[theme]] {theme.key!r} exclude")
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
        regex = _compile(pattern, where="theme file, context 'requires'")
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


def code_sentences(turns: pd.DataFrame, themes: ThemeSet) -> pd.DataFrame:
    """Long sentence coding table: one row per sentence × theme.

    Columns: turn_id, municipality, sentence (0-based number in the turn), start, end (offsets in
    the normalized turn text), text (the normalized sentence), procedural, theme, coded, n_hits,
    matched_terms. n_hits and matched_terms (sorted unique matched strings joined with "|")
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
    out = pd.DataFrame(
        {
            "turn_id": turns["turn_id"].to_numpy()[rows],
            "municipality": turns["municipality"].to_numpy()[rows],
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
    return out[SENTENCE_CODED_COLUMNS]


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
