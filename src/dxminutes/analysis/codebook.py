"""The codebook (resources/codebook.toml): themes and, inside each theme, its frames. One file,
two levels, one loader and one validator.

A theme says WHAT a sentence is about (DX, security, staffing, the digital divide); a frame says
HOW a theme is presented (efficiency, the national mandate, …) and is coded only inside the
theme's sentences (codebook §1 G7). Both levels are lists of literal notation variants plus
optional regular expressions and exclusions, kept in one TOML file that researchers edit
without touching code:

    procedural = ["…"]            # optional: sentences that never code anything (G2, G3)

    [[theme]]
    key = "dx"
    label_ja = "DX・デジタル化"
    label_en = "Digital transformation"
    terms = ["DX", "デジタル化"]
    patterns = ["…"]               # optional
    exclude = ["…"]                # optional
    [[theme.context]]              # optional: broad entries that need a context word
    entries = ["システム"]
    requires = "(デジタル|ICT)"
    [[theme.frame]]                # optional: the theme's frames, code "dx:efficiency"
    key = "efficiency"
    label_ja = "効率・コスト"
    label_en = "Efficiency and cost"
    terms = ["効率", "コスト"]

A file with themes and no frames is valid: the frame-level analyses then say that no frames are
defined (`guards.no_frames`). The former separate frame file (`[[frame]]` tables with a `theme`
field) is not read any more; loading one, or a theme file with such a `frames.toml` beside it,
raises a `CodebookError` that says how to merge it (`MERGE_HINT`).

Every problem raises `CodebookError` naming the file, the entry (theme #n 'key', frame #m
'key') and the key at fault: TOML syntax (with line), unknown keys (with the allowed ones),
missing or empty fields, duplicate keys, invalid regular expressions. Patterns the user wrote
run with a time limit (`corpus.convention.bounded_compile`).
"""

from __future__ import annotations

__all__ = ["FLAGS", "FRAME_FIELDS", "KEY_RE", "LEVELS", "MERGE_HINT", "REQUIRED_FIELDS", "THEME_FIELDS", "TOP_LEVEL_FIELDS", "VARIANT_FLAGS", "Codebook", "CodebookError", "Frame", "FrameSet", "Theme", "load_codebook", "load_frames", "normalize_text"]  # fmt: skip

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from dxminutes import config
from dxminutes._io import read_toml
from dxminutes.corpus.convention import bounded_compile
from dxminutes.normalize import normalize_unicode

#: The two coding levels of the codebook.
LEVELS = ("theme", "frame")
THEME_FIELDS = ("key", "label_ja", "label_en", "terms", "patterns", "exclude", "context", "frame")
FRAME_FIELDS = ("key", "label_ja", "label_en", "terms", "patterns", "exclude")
REQUIRED_FIELDS = ("key", "label_ja", "label_en", "terms")
#: Top-level keys of a codebook: the [[theme]] tables and the procedural-sentence patterns.
TOP_LEVEL_FIELDS = ("theme", "procedural")
KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
FLAGS = re.IGNORECASE
#: Flags of terms, patterns and exclusions: `^` and `$` anchor at a sentence's start/end.
VARIANT_FLAGS = re.IGNORECASE | re.MULTILINE
#: How to turn a former separate frame file into the codebook's [[theme.frame]] tables.
MERGE_HINT = (
    "frames now live inside their theme in the codebook: move each [[frame]] table of the frame "
    "file below the [[theme]] (and its [[theme.context]] tables) whose key its `theme` names, "
    "rename it [[theme.frame]] and delete its `theme = …` line (docs/codebook.md, 'The "
    "dictionary file'; src/dxminutes/resources/codebook.toml is an example)"
)


class CodebookError(ValueError):
    """A codebook that cannot be used; the message names the file, the entry and the problem."""


def normalize_text(text: str) -> str:
    """The normalization applied to both turn texts and codebook entries."""
    return normalize_unicode(text)


def _compile(pattern: str, *, where: str | None = None):
    """A codebook regex; case-insensitive only where it has Latin letters (IGNORECASE makes
    `re` give up its fast literal search, and case means nothing in kana and kanji).

    With `where` (the file and key of a pattern the user wrote) it runs with a time limit
    (`corpus.convention.BoundedPattern`): a pattern that backtracks without end is stopped and
    named instead of hanging the coding."""
    flags = VARIANT_FLAGS if re.search(r"[A-Za-z]", pattern) else re.MULTILINE
    if where is not None:
        return bounded_compile(pattern, flags, where=where)
    return re.compile(pattern, flags)


@dataclass(frozen=True)
class Frame:
    """One frame of one theme; its code is "theme:key" (e.g. "dx:efficiency")."""

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
        """The frame as a `Theme` (key = frame key), so the one matcher finds its hits."""
        return Theme(self.key, self.label_ja, self.label_en, self.terms, self.patterns, self.exclude)


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
    #: The theme's frames, in file order (empty: the theme has none).
    frames: tuple[Frame, ...] = ()

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
        out += [("pattern", p, _compile(p, where=f"codebook, {self.key!r} patterns")) for p in self.patterns]
        return out


@dataclass(frozen=True)
class Codebook:
    """The themes (each with its frames) and the procedural-sentence patterns of one file."""

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
        raise KeyError(f"no theme {key!r} in {self.source or 'this codebook'}; known: {', '.join(self.keys)}")

    @property
    def keys(self) -> list[str]:
        return [t.key for t in self.themes]

    @property
    def labels(self) -> dict[str, str]:
        """Theme key → bilingual label."""
        return {t.key: t.label for t in self.themes}

    @property
    def frames(self) -> FrameSet:
        """All frames of all themes, themes in file order, each theme's frames in file order."""
        return FrameSet(tuple(f for t in self.themes for f in t.frames), source=self.source)

    @property
    def has_frames(self) -> bool:
        return any(t.frames for t in self.themes)

    def procedural_regex(self) -> re.Pattern | None:
        """One regex that searches for any procedural pattern (None when there are none)."""
        if not self.procedural:
            return None
        return bounded_compile(
            "|".join(f"(?:{p})" for p in self.procedural), FLAGS, where="codebook, procedural patterns"
        )


@dataclass(frozen=True)
class FrameSet:
    """The frames of a codebook as one flat, ordered set (a view; `Codebook.frames`)."""

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
        """Keys of the themes that have frames, in file order."""
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

    def matcher(self, theme: str) -> Codebook:
        """The frames of `theme` as a Codebook of themes (keys = frame keys) for the matcher."""
        return Codebook(tuple(f.as_theme() for f in self.for_theme(theme)), source=self.source)


# --------------------------------------------------------------------------- loading
def load_codebook(path: str | PathLike | None = None) -> Codebook:
    """Read and validate a codebook (default `config.THEMES_PATH`, i.e. resources/codebook.toml
    or the file $DXMINUTES_THEMES / `make report THEMES=…` names).

    Raises `CodebookError` naming the file, the entry and the problem. A former separate frame
    file, or a theme file without frames that has a `frames.toml` beside it, raises a
    `CodebookError` that says how to merge the two (`MERGE_HINT`).
    """
    path = Path(config.THEMES_PATH if path is None else path)
    name = config.relpath(path)
    data = read_toml(path, CodebookError, "codebook", name)
    if "frame" in data:
        raise CodebookError(
            f"{name}: top-level [[frame]] tables are the former separate frame file; {MERGE_HINT}"
        )
    extra = sorted(set(data) - set(TOP_LEVEL_FIELDS))
    if extra:
        raise CodebookError(
            f"{name}: unknown top-level key(s) {extra}; allowed: {list(TOP_LEVEL_FIELDS)} "
            "(themes go in [[theme]] tables, frames in [[theme.frame]] tables)"
        )
    entries = data.get("theme")
    if not isinstance(entries, list) or not entries:
        raise CodebookError(f"{name}: no [[theme]] tables found")
    procedural = _string_list(data.get("procedural", []), "procedural", name)
    _check_patterns(procedural, "procedural", name)
    themes: list[Theme] = []
    for number, entry in enumerate(entries, start=1):
        theme = _parse_theme(entry, f"{name}: theme #{number}")
        if theme.key in {t.key for t in themes}:
            raise CodebookError(f"{name}: theme #{number}: duplicate key {theme.key!r}")
        themes.append(theme)
    book = Codebook(tuple(themes), source=name, procedural=procedural)
    beside = path.parent / "frames.toml"
    if not book.has_frames and beside.exists() and beside.resolve() != path.resolve():
        raise CodebookError(
            f"{name} defines no frames, but {config.relpath(beside)} beside it is a separate frame "
            f"file, which is not read any more; {MERGE_HINT} (or move that file away to run without frames)"
        )
    return book


def _parse_theme(entry: object, where: str) -> Theme:
    fields = _entry_fields(entry, where, THEME_FIELDS)
    where = _named(entry, where)
    context = _context_table(entry.get("context", []), fields["terms"] + fields["patterns"], where)
    frames_value = entry.get("frame", [])
    if not isinstance(frames_value, list):
        raise CodebookError(f"{where}: 'frame' must be [[theme.frame]] tables")
    frames: list[Frame] = []
    for number, table in enumerate(frames_value, start=1):
        at = f"{where}: frame #{number}"
        f = _entry_fields(table, at, FRAME_FIELDS)
        frame = Frame(
            entry["key"],
            table["key"],
            table["label_ja"],
            table["label_en"],
            f["terms"],
            f["patterns"],
            f["exclude"],
        )
        if frame.key in {x.key for x in frames}:
            raise CodebookError(
                f"{_named(table, at)}: duplicate frame key {frame.key!r} in theme {entry['key']!r}"
            )
        frames.append(frame)
    return Theme(
        entry["key"],
        entry["label_ja"],
        entry["label_en"],
        fields["terms"],
        fields["patterns"],
        fields["exclude"],
        context,
        tuple(frames),
    )


def _named(entry: dict, where: str) -> str:
    return f"{where} ({entry['key']!r})" if isinstance(entry.get("key"), str) else where


def _entry_fields(entry: object, where: str, allowed: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Check the fields of one theme or frame table; return its validated term lists."""
    if not isinstance(entry, dict):
        raise CodebookError(f"{where}: expected a table, got {type(entry).__name__}")
    where = _named(entry, where)
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise CodebookError(f"{where}: unknown field(s) {unknown}; allowed: {list(allowed)}")
    missing = [f for f in REQUIRED_FIELDS if f not in entry]
    if missing:
        raise CodebookError(f"{where}: missing required field(s) {missing}")
    for field in ("key", "label_ja", "label_en"):
        if not isinstance(entry[field], str) or not entry[field].strip():
            raise CodebookError(f"{where}: {field!r} must be a non-empty string")
    if not KEY_RE.fullmatch(entry["key"]):
        raise CodebookError(f"{where}: key {entry['key']!r} must be letters, digits or '_'")
    lists = {f: _string_list(entry.get(f, []), f, where) for f in ("terms", "patterns", "exclude")}
    if not lists["terms"]:
        raise CodebookError(f"{where}: 'terms' is empty; give at least one term")
    for field in ("patterns", "exclude"):
        _check_patterns(lists[field], field, where)
    return lists


def _context_table(value: object, entries: Sequence[str], where: str) -> tuple[tuple[str, str], ...]:
    """The `[[theme.context]]` tables (entries = [...], requires = "regex") as validated,
    normalized (entry, regex) pairs; every entry must be a term or pattern of the theme and may
    be named by one context table only."""
    if not isinstance(value, list):
        raise CodebookError(
            f"{where}: 'context' must be [[theme.context]] tables with 'entries' and 'requires'"
        )
    out: list[tuple[str, str]] = []
    for number, table in enumerate(value, start=1):
        at = f"{where}: context #{number}"
        if not isinstance(table, dict) or set(table) != {"entries", "requires"}:
            raise CodebookError(f"{at}: needs exactly the fields 'entries' and 'requires'")
        names = _string_list(table["entries"], "entries", at)
        if not names:
            raise CodebookError(f"{at}: 'entries' is empty")
        if not isinstance(table["requires"], str) or not table["requires"].strip():
            raise CodebookError(f"{at}: 'requires' must be a non-empty string")
        pattern = normalize_text(table["requires"].strip())
        _check_patterns([pattern], "requires", at)
        for entry in names:
            if entry not in entries:
                raise CodebookError(f"{at}: {entry!r} is not a term or pattern of the theme")
            if entry in dict(out):
                raise CodebookError(f"{at}: {entry!r} already has a context requirement")
            out.append((entry, pattern))
    return tuple(out)


def _check_patterns(patterns: Sequence[str], field: str, where: str) -> None:
    for pattern in patterns:
        try:
            compiled = re.compile(pattern, VARIANT_FLAGS)
        except re.error as exc:
            raise CodebookError(
                f"{where}: invalid regular expression in {field!r}: {pattern!r} ({exc})"
            ) from exc
        if compiled.fullmatch(""):
            raise CodebookError(f"{where}: {field!r} entry {pattern!r} matches the empty string")


def _string_list(value: object, field: str, where: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise CodebookError(f"{where}: {field!r} must be a list of strings")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise CodebookError(f"{where}: {field!r} contains an empty or non-string entry {item!r}")
        norm = normalize_text(item.strip())
        if norm not in out:  # "ＤＸ" and "DX" are one entry after NFKC
            out.append(norm)
    return tuple(out)


def load_frames(path: str | PathLike | None = None, themes: Codebook | None = None) -> FrameSet:
    """The frames of a codebook (a thin wrapper for callers of the former frame loader).

    With `themes` (a loaded codebook) and no path, its frames; otherwise the frames of the
    codebook at `path` (default `config.THEMES_PATH`). $DXMINUTES_FRAMES, which named the former
    separate frame file, raises a `CodebookError` saying how to merge it.
    """
    if os.environ.get("DXMINUTES_FRAMES"):
        raise CodebookError(
            f"DXMINUTES_FRAMES={os.environ['DXMINUTES_FRAMES']} names a separate frame file, which is "
            f"not read any more; {MERGE_HINT}, and name the codebook with THEMES=… / DXMINUTES_THEMES"
        )
    if path is None and themes is not None:
        return themes.frames
    return load_codebook(path).frames
