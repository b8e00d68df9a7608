"""Theme dictionary (resources/themes.toml) → turn coding and the hit audit table.

A theme is a list of literal notation variants plus optional regular expressions and
exclusions, kept in a TOML file that researchers edit without touching code. Dictionary entries
and turn texts are normalized the same way (NFKC, via `cleaning.normalize_unicode`), Latin case
is ignored, and overlapping matches are counted once: the longest match wins, across all themes,
so "デジタル人材" is one staffing hit and "情報セキュリティ監査" one security hit.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from dxminutes import config
from dxminutes.normalize import normalize_unicode
from dxminutes.schema import require_columns

THEME_FIELDS = ("key", "label_ja", "label_en", "terms", "patterns", "exclude")
REQUIRED_FIELDS = ("key", "label_ja", "label_en", "terms")
KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FLAGS = re.IGNORECASE
#: Separator between turn texts when a corpus is scanned in one pass; no text contains it.
SEPARATOR = "\x00"
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

    @property
    def label(self) -> str:
        """Bilingual chart label, e.g. "情報セキュリティ / Information security"."""
        return f"{self.label_ja} / {self.label_en}"

    def variants(self) -> list[tuple[str, str, re.Pattern]]:
        """(kind, variant, compiled regex) for every term and pattern, in file order."""
        out = [("term", t, re.compile(re.escape(t), FLAGS)) for t in self.terms]
        out += [("pattern", p, re.compile(p, FLAGS)) for p in self.patterns]
        return out


@dataclass(frozen=True)
class ThemeSet:
    themes: tuple[Theme, ...]
    source: str = ""

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
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ThemeFileError(f"{name}: cannot read theme file ({exc.strerror or exc})") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ThemeFileError(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"{name}: TOML syntax error: {exc}") from exc
    extra = sorted(set(data) - {"theme"})
    if extra:
        raise ThemeFileError(f"{name}: unknown top-level key(s) {extra}; themes go in [[theme]] tables")
    entries = data.get("theme")
    if not isinstance(entries, list) or not entries:
        raise ThemeFileError(f"{name}: no [[theme]] tables found")
    themes: list[Theme] = []
    for number, entry in enumerate(entries, start=1):
        theme = _parse_theme(entry, f"{name}: theme #{number}")
        if theme.key in {t.key for t in themes}:
            raise ThemeFileError(f"{name}: theme #{number}: duplicate key {theme.key!r}")
        themes.append(theme)
    return ThemeSet(tuple(themes), source=name)


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
        for pattern in lists[field]:
            try:
                compiled = re.compile(pattern, FLAGS)
            except re.error as exc:
                raise ThemeFileError(
                    f"{where}: invalid regular expression in {field!r}: {pattern!r} ({exc})"
                ) from exc
            if compiled.fullmatch(""):
                raise ThemeFileError(f"{where}: {field!r} entry {pattern!r} matches the empty string")
    return Theme(
        entry["key"],
        entry["label_ja"],
        entry["label_en"],
        lists["terms"],
        lists["patterns"],
        lists["exclude"],
    )


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
    """All non-empty matches of `regex` in `texts`, scanned as one string.

    Returns row (index into `texts`), start, end (offsets within that text) and match.
    Matches that would span two texts are dropped.
    """
    corpus, starts = _concatenate(texts)
    return _matches_in(corpus, starts, regex)


def _concatenate(texts: Sequence[str]) -> tuple[str, np.ndarray]:
    texts = list(texts)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    return SEPARATOR.join(texts) + SEPARATOR, starts


def _matches_in(corpus: str, starts: np.ndarray, regex: re.Pattern) -> pd.DataFrame:
    spans = [
        (m.start(), m.end(), m.group())
        for m in regex.finditer(corpus)
        if m.end() > m.start() and SEPARATOR not in m.group()
    ]
    begin = np.array([s for s, _, _ in spans], dtype=np.int64)
    row = np.searchsorted(starts, begin, side="right") - 1
    offset = starts[row] if len(spans) else np.zeros(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "row": row.astype(np.int64),
            "start": begin - offset,
            "end": np.array([e for _, e, _ in spans], dtype=np.int64) - offset,
            "match": pd.array([m for _, _, m in spans], dtype="str"),
        }
    )


def find_hits(turns: pd.DataFrame, themes: ThemeSet) -> pd.DataFrame:
    """One row per counted hit: turn_id, municipality, theme, kind, variant, match, start, end.

    Offsets refer to the normalized turn text (`normalize_text`). Overlaps are resolved longest
    match first across all themes (ties: earlier theme, then earlier variant in the file); a
    match overlapping a span excluded by its own theme's `exclude` list does not count.
    """
    require_columns(turns, ("turn_id", "municipality", "text"), "turns")
    texts = [normalize_text(t) for t in turns["text"].astype(str)]
    corpus, starts = _concatenate(texts)
    frames = []
    for t_idx, theme in enumerate(themes):
        blocked = _excluded_prefix(corpus, theme.exclude)
        for v_idx, (kind, variant, regex) in enumerate(theme.variants()):
            found = _matches_in(corpus, starts, regex)
            if blocked is not None:
                g_start = starts[found["row"].to_numpy()] + found["start"].to_numpy()
                g_end = starts[found["row"].to_numpy()] + found["end"].to_numpy()
                found = found[(blocked[g_end] - blocked[g_start]) == 0]
            frames.append(found.assign(theme=theme.key, kind=kind, variant=variant, t_idx=t_idx, v_idx=v_idx))
    cand = pd.concat(frames, ignore_index=True)
    cand = cand.assign(length=cand["end"] - cand["start"])
    cand = cand.sort_values(
        ["length", "row", "start", "t_idx", "v_idx"],
        ascending=[False, True, True, True, True],
        kind="mergesort",
    )
    taken: dict[int, bytearray] = {}
    keep = []
    for row, start, end in zip(cand["row"].tolist(), cand["start"].tolist(), cand["end"].tolist()):
        occupied = taken.setdefault(row, bytearray(len(texts[row])))
        free = not any(occupied[start:end])
        if free:
            occupied[start:end] = b"\x01" * (end - start)
        keep.append(free)
    hits = cand[np.array(keep, dtype=bool)].sort_values(["row", "start"], kind="mergesort")
    rows = hits["row"].to_numpy()
    out = pd.DataFrame(
        {
            "row": rows,
            "turn_id": turns["turn_id"].to_numpy()[rows],
            "municipality": turns["municipality"].to_numpy()[rows],
            "theme": hits["theme"].to_numpy(),
            "kind": hits["kind"].to_numpy(),
            "variant": hits["variant"].to_numpy(),
            "match": hits["match"].to_numpy(),
            "start": hits["start"].to_numpy(),
            "end": hits["end"].to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def code_turns(turns: pd.DataFrame, themes: ThemeSet) -> pd.DataFrame:
    """Long coding table: one row per turn × theme with coded, n_hits and matched_terms.

    matched_terms is the sorted unique matched strings (normalized), joined with "|".
    Rows follow the turns' order, then the themes' order in the file.
    """
    require_columns(turns, CODING_INPUT_COLUMNS, "turns")
    hits = find_hits(turns, themes)
    agg = (
        hits.groupby(["row", "theme"], sort=False)
        .agg(n_hits=("match", "size"), matched_terms=("match", lambda s: "|".join(sorted(set(s)))))
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
    out["matched_terms"] = grid["matched_terms"].fillna("").astype("str").to_numpy()
    return out[CODED_COLUMNS]


def theme_hits(turns: pd.DataFrame, themes: ThemeSet) -> pd.DataFrame:
    """Audit table: one row per municipality × theme × variant with n_hits and n_turns.

    Variants that never matched are listed with zeros, so a researcher sees dead entries.
    """
    hits = find_hits(turns, themes)
    agg = (
        hits.groupby(["municipality", "theme", "kind", "variant"], sort=False)
        .agg(n_hits=("match", "size"), n_turns=("turn_id", "nunique"))
        .reset_index()
    )
    variants = pd.DataFrame(
        [(t.key, kind, v, i) for t in themes for i, (kind, v, _) in enumerate(t.variants())],
        columns=["theme", "kind", "variant", "order"],
    )
    variants["theme_order"] = variants["theme"].map({k: i for i, k in enumerate(themes.keys)})
    munis = pd.DataFrame({"municipality": sorted(turns["municipality"].dropna().unique())})
    grid = munis.merge(variants, how="cross")
    grid = (
        grid.merge(agg, on=["municipality", "theme", "kind", "variant"], how="left")
        if len(agg)
        else grid.assign(n_hits=0, n_turns=0)
    )
    grid[["n_hits", "n_turns"]] = grid[["n_hits", "n_turns"]].fillna(0).astype("int64")
    grid = grid.sort_values(["municipality", "theme_order", "order"], kind="mergesort")
    return grid[["municipality", "theme", "kind", "variant", "n_hits", "n_turns"]].reset_index(drop=True)


def _excluded_prefix(corpus: str, patterns: Sequence[str]) -> np.ndarray | None:
    """Prefix sums of characters covered by `patterns` (None when there are none)."""
    if not patterns:
        return None
    mask = np.zeros(len(corpus), dtype=np.int32)
    for pattern in patterns:
        for m in re.compile(pattern, FLAGS).finditer(corpus):
            mask[m.start() : m.end()] = 1
    return np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
