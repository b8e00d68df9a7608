"""Declaring a corpus's conventions without code: `dxminutes.toml` beside `catalog.csv`.

A corpus folder may hold a small TOML file that adds what the built-in conventions do not know:

```toml
# Speaker lines, tried before the built-in conventions. Named groups: `speech` (the speech on
# the same line), `name`, `post`, `label` (default: the line before the speech).
[[speaker]]
pattern = '^#(?P<name>[^#]+)#\\s*(?P<speech>.*)$'
role = "member"              # optional: the role when the label holds no role word

[roles]                      # role words: word → chair, vice_chair, member, official, expert
"支配人" = "official"

[[metadata]]                 # per-file defaults, by glob on the path relative to the folder
files = "chiyoda/*.txt"
municipality = "千代田区"
prefecture = "東京都"
record_kind = "summary"

[columns]                    # structured files (CSV, TSV, Excel, JSON): field = header name
text = "発言本文"
speaker = "話者"
```

Patterns see the cleaned text (NFKC, so `（` is `(`; one line per paragraph; the spaces that
PDF extraction puts between characters removed). A file with an error gives ONE warning naming
`dxminutes.toml` and the problem, and the corpus loads with the built-in conventions only.

`[columns]` names the header of a structured file's column for a field (`COLUMN_FIELDS`: text,
speaker, role, group, municipality, prefecture, body, meeting_title, meeting_date, document,
order); a value is one header name or a list of them (the first present is used), compared like
the built-in synonyms (NFKC, case, spaces). A declared column is used before the synonyms.
"""

from __future__ import annotations

__all__ = ["ASSIGNABLE_ROLES", "COLUMN_FIELDS", "CONVENTION_FILE", "METADATA_KEYS", "PATTERN_SECONDS_PER_MCHAR", "PATTERN_TIMEOUT_S", "PROSE_PROBES", "RECORD_KINDS", "SPEAKER_KEYS", "BoundedPattern", "Convention", "ConventionError", "PatternTimeout", "SpeakerPattern", "bounded_compile", "load_convention", "parse_convention"]  # fmt: skip

import fnmatch
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dxminutes._io import ALLOW_OUTSIDE_LINKS_ENV, leaves_folder, special_kind
from dxminutes.corpus import roles

CONVENTION_FILE = "dxminutes.toml"
METADATA_KEYS = ("municipality", "prefecture", "body", "meeting_title", "meeting_date", "record_kind")
RECORD_KINDS = ("verbatim", "summary", "report")
ASSIGNABLE_ROLES = tuple(role for role in roles.ROLES if role != "unknown")
#: Fields a `[columns]` entry may name (the fields of `structured.COLUMN_ALIASES`).
COLUMN_FIELDS = (
    "text",
    "speaker",
    "role",
    "group",
    "municipality",
    "prefecture",
    "body",
    "meeting_title",
    "meeting_date",
    "document",
    "order",
)
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ConventionError(ValueError):
    """A problem in `dxminutes.toml`."""


# --- user patterns run with a time limit ---------------------------------------------------------

#: A user pattern may take this long on one text, plus `PATTERN_SECONDS_PER_MCHAR` per million
#: characters of it; a pattern that backtracks without end (`(a|aa)+$`) is stopped and named.
PATTERN_TIMEOUT_S = 2.0
PATTERN_SECONDS_PER_MCHAR = 5.0
#: Allowed keys of a `[[speaker]]` table.
SPEAKER_KEYS = ("pattern", "role")
#: A declared `[[speaker]]` pattern that opens a turn at more than this share of a file's non-blank
#: lines (in a file of at least `GREEDY_PATTERN_MIN_LINES` of them) is reported for that file, once.
#: Real minutes of one-line turns come near half (the built-in conventions open a turn at 0.52 of
#: the lines of a seed file), so the bar is set above that; a pattern matching every line gives 1.0.
GREEDY_PATTERN_SHARE = 0.75
GREEDY_PATTERN_MIN_LINES = 20
#: Ordinary lines of minutes that are not speaker lines: a speaker pattern matching all of them
#: matches every line (each line would become a turn).
PROSE_PROBES = (
    "本日の会議を開会いたします。",
    "それでは、議事に入ります。",
    "DX推進計画について説明します。",
    "以上で質問を終わります。",
)


class PatternTimeout(ValueError):
    """A user pattern ran longer than its time limit; the message names its file and key."""


class BoundedPattern:
    """A user regular expression (the `regex` module, compatible with `re`) that runs with a time
    limit; the methods the loaders use (`match`, `search`, `fullmatch`, `finditer`) raise
    PatternTimeout naming `where` (the file and key the pattern came from) when it is exceeded."""

    def __init__(self, pattern: str, flags: int = 0, *, where: str):
        import regex

        self.where = where
        self._regex = regex.compile(pattern, flags)
        self.pattern = pattern
        self.flags = flags
        self.groupindex = dict(self._regex.groupindex)

    def _limit(self, text: str) -> float:
        return PATTERN_TIMEOUT_S + len(text) / 1e6 * PATTERN_SECONDS_PER_MCHAR

    def _timeout(self, text: str) -> PatternTimeout:
        return PatternTimeout(
            f"{self.where}: pattern {self.pattern!r} took over {self._limit(text):.0f} s on a text of "
            f"{len(text)} characters (it backtracks without end, e.g. nested repetition such as "
            "(a|aa)+): simplify it"
        )

    def _call(self, method: str, text: str, *args):
        try:
            return getattr(self._regex, method)(text, *args, timeout=self._limit(text))
        except TimeoutError:
            raise self._timeout(text) from None

    def match(self, text: str, *args):
        return self._call("match", text, *args)

    def search(self, text: str, *args):
        return self._call("search", text, *args)

    def fullmatch(self, text: str, *args):
        return self._call("fullmatch", text, *args)

    def finditer(self, text: str, *args):
        try:
            yield from self._regex.finditer(text, *args, timeout=self._limit(text))
        except TimeoutError:
            raise self._timeout(text) from None

    def __repr__(self) -> str:
        return f"BoundedPattern({self.pattern!r}, where={self.where!r})"


def bounded_compile(pattern: str, flags: int = 0, *, where: str) -> BoundedPattern:
    """Compile a user pattern with a time limit; `re.error` (as `regex` raises it) when invalid."""
    import regex

    try:
        return BoundedPattern(pattern, flags, where=where)
    except regex.error as exc:
        raise re.error(str(exc)) from None


@dataclass(frozen=True)
class SpeakerPattern:
    regex: re.Pattern[str] | BoundedPattern
    role: str | None = None


@dataclass(frozen=True)
class Convention:
    """Speaker patterns, role words and metadata defaults of one corpus (empty by default)."""

    speaker_patterns: tuple[SpeakerPattern, ...] = ()
    role_words: dict[str, str] = field(default_factory=dict)
    metadata: tuple[tuple[str, dict[str, str]], ...] = ()
    warnings: tuple[str, ...] = ()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field → declared header names

    def match_speaker(self, line: str) -> dict | None:
        """The groups of the first declared speaker pattern that matches `line` (with `role`), or None.

        Returns `label`, `name`, `post`, `speech` and `role` (`None` when the label holds no
        role word and the pattern declares none).
        """
        for entry, pattern in enumerate(self._all_patterns(), start=1):
            match = pattern.regex.match(line)
            if not match:
                continue
            groups = {key: (value or "").strip() for key, value in match.groupdict().items()}
            speech = groups.get("speech", "")
            if groups.get("label"):
                label = groups["label"]
            elif "speech" in groups and match.start("speech") >= 0:
                label = line[: match.start("speech")].rstrip()
            else:
                label = line.strip()
            role = self.classify(groups.get("post") or label)
            if role == "unknown":
                role = pattern.role
            return {
                "label": label,
                "name": groups.get("name", ""),
                "post": groups.get("post", ""),
                "speech": speech,
                "role": role,
                # the [[speaker]] entry (1-based) that matched; None for a declared role word's pattern
                "entry": entry if entry <= len(self.speaker_patterns) else None,
            }
        return None

    def greedy_pattern_warning(self, n_lines: int, turns_by_entry: Mapping[int, int]) -> str | None:
        """The warning for a file where one declared `[[speaker]]` pattern opened a turn at most of its
        non-blank lines (`GREEDY_PATTERN_SHARE` of at least `GREEDY_PATTERN_MIN_LINES`), or None."""
        if n_lines < GREEDY_PATTERN_MIN_LINES or not turns_by_entry:
            return None
        entry, n_turns = max(turns_by_entry.items(), key=lambda item: (item[1], -item[0]))
        if n_turns <= GREEDY_PATTERN_SHARE * n_lines:
            return None
        source = self.speaker_patterns[entry - 1].regex.pattern
        return (
            f"{CONVENTION_FILE} [[speaker]] {entry} pattern {source!r} opened a turn at {n_turns} of "
            f"{n_lines} non-blank lines: it turns most lines into turns; anchor it on the speaker mark"
        )

    def classify(self, label: str) -> str:
        """`roles.classify_role` with the declared role words added (the last word still decides)."""
        return roles.classify_role(label, self.role_words or None)

    def metadata_for(self, file: str) -> dict[str, str]:
        """Metadata defaults for `file` (a path relative to the corpus folder); later blocks win."""
        values: dict[str, str] = {}
        for glob, defaults in self.metadata:
            if fnmatch.fnmatchcase(file, glob) or fnmatch.fnmatchcase(Path(file).name, glob):
                values.update(defaults)
        return values

    def row_for(self, file: str, catalog_row: dict | None) -> dict | None:
        """The catalog row of `file` with the declared defaults under it (a catalog value wins)."""
        defaults = self.metadata_for(file)
        if not defaults:
            return catalog_row
        return {**defaults, **(catalog_row or {})}

    def _all_patterns(self) -> tuple[SpeakerPattern, ...]:
        return self.speaker_patterns + _role_word_patterns(tuple(sorted(self.role_words)))


def _role_word_patterns(words: tuple[str, ...]) -> tuple[SpeakerPattern, ...]:
    """Declared role words open speaker lines the way the built-in ones do: `○山田支配人 …`, `支配人: …`."""
    if not words:
        return ()
    alt = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    chars = roles._NAME_CHARS
    return (
        SpeakerPattern(
            re.compile(
                # cleaning keeps no space after a word it does not know: the speech may follow at once
                rf"^(?P<label>[{roles.MARKS}]\s?(?P<post>{chars}{{0,15}}?(?:{alt})))\s*(?P<speech>.*)$"
            )
        ),
        SpeakerPattern(
            re.compile(rf"^(?P<label>(?P<post>{chars}{{0,15}}?(?:{alt})))\s*:\s*(?P<speech>\S.*)$")
        ),
    )


def parse_convention(text: str) -> Convention:
    """Parse the TOML text of a convention file; raise `ConventionError` naming the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConventionError(f"not valid TOML ({exc})") from None
    unknown = set(data) - {"speaker", "roles", "metadata", "columns"}
    if unknown:
        raise ConventionError(
            f"unknown section {sorted(unknown)[0]!r} (expected speaker, roles, metadata, columns)"
        )
    patterns = []
    warnings = []
    for i, entry in enumerate(_tables(data, "speaker"), start=1):
        unknown_keys = sorted(set(entry) - set(SPEAKER_KEYS))
        if unknown_keys:
            raise ConventionError(
                f"[[speaker]] {i}: unknown key {unknown_keys[0]!r} (allowed: {', '.join(SPEAKER_KEYS)})"
            )
        source = entry.get("pattern")
        if not isinstance(source, str) or not source:
            raise ConventionError(f"[[speaker]] {i}: 'pattern' must be a non-empty string")
        try:
            regex = bounded_compile(source, where=f"{CONVENTION_FILE} [[speaker]] {i}")
        except re.error as exc:
            raise ConventionError(f"[[speaker]] {i}: invalid regular expression ({exc})") from None
        if not set(regex.groupindex) & {"label", "name", "post", "speech"}:
            raise ConventionError(
                f"[[speaker]] {i}: the pattern needs a named group (label, name, post or speech)"
            )
        role = entry.get("role")
        if role is not None and role not in ASSIGNABLE_ROLES:
            raise ConventionError(
                f"[[speaker]] {i}: unknown role {role!r} (one of {', '.join(ASSIGNABLE_ROLES)})"
            )
        try:
            every_line = all(regex.match(line) for line in PROSE_PROBES)
        except PatternTimeout as exc:
            raise ConventionError(f"[[speaker]] {i}: {exc}") from None
        if every_line:
            warnings.append(
                f"{CONVENTION_FILE}: [[speaker]] {i} pattern {source!r} matches ordinary lines such as "
                f"{PROSE_PROBES[0]!r}: every line would become a turn; anchor it on the speaker mark"
            )
        patterns.append(SpeakerPattern(regex, role))
    role_words = data.get("roles", {})
    if not isinstance(role_words, dict):
        raise ConventionError("[roles] must be a table of word = role")
    for word, role in role_words.items():
        if role not in ASSIGNABLE_ROLES:
            raise ConventionError(
                f"[roles] {word!r}: unknown role {role!r} (one of {', '.join(ASSIGNABLE_ROLES)})"
            )
    metadata = []
    for i, entry in enumerate(_tables(data, "metadata"), start=1):
        glob = entry.get("files")
        if not isinstance(glob, str) or not glob:
            raise ConventionError(f"[[metadata]] {i}: 'files' must be a glob such as \"*.txt\"")
        values = {key: value for key, value in entry.items() if key != "files"}
        for key, value in values.items():
            if key not in METADATA_KEYS:
                raise ConventionError(
                    f"[[metadata]] {i}: unknown field {key!r} (one of {', '.join(METADATA_KEYS)})"
                )
            if not isinstance(value, str):
                raise ConventionError(f"[[metadata]] {i}: {key} must be a string")
        if "record_kind" in values and values["record_kind"] not in RECORD_KINDS:
            raise ConventionError(f"[[metadata]] {i}: record_kind must be one of {', '.join(RECORD_KINDS)}")
        if "meeting_date" in values and not _ISO_DATE_RE.match(values["meeting_date"]):
            raise ConventionError(f"[[metadata]] {i}: meeting_date must be an ISO date (YYYY-MM-DD)")
        metadata.append((glob, values))
    return Convention(
        tuple(patterns), dict(role_words), tuple(metadata), tuple(warnings), columns=_columns(data)
    )


def _columns(data: dict) -> dict[str, tuple[str, ...]]:
    """The `[columns]` table: field → header names (a string or a list of strings each)."""
    table = data.get("columns", {})
    if not isinstance(table, dict):
        raise ConventionError('[columns] must be a table of field = "header name"')
    columns: dict[str, tuple[str, ...]] = {}
    for key, value in table.items():
        if key not in COLUMN_FIELDS:
            raise ConventionError(f"[columns]: unknown field {key!r} (one of {', '.join(COLUMN_FIELDS)})")
        names = [value] if isinstance(value, str) else value
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and n.strip() for n in names)
        ):
            raise ConventionError(f"[columns] {key}: must be a header name or a list of header names")
        columns[key] = tuple(n.strip() for n in names)
    return columns


def load_convention(folder: Path | str) -> Convention:
    """The convention declared in `folder/dxminutes.toml`; the empty convention when there is none.

    A file that cannot be read or parsed gives the empty convention with ONE warning in
    `.warnings` naming `dxminutes.toml` and the problem; it never raises.
    """
    path = Path(folder) / CONVENTION_FILE
    if not os.path.lexists(path):
        return Convention()
    if path.is_symlink() and leaves_folder(path, path.parent):
        return Convention(
            warnings=(
                f"{CONVENTION_FILE}: a symlink to outside the data folder, refused (set "
                f"{ALLOW_OUTSIDE_LINKS_ENV}=1 to read it); using the built-in conventions",
            )
        )
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return Convention(
            warnings=(f"{CONVENTION_FILE}: cannot be read ({exc.strerror}); using the built-in conventions",)
        )
    if not stat.S_ISREG(mode):
        return Convention(
            warnings=(
                f"{CONVENTION_FILE}: not a regular file ({special_kind(mode)}), refused; using the built-in conventions",
            )
        )
    try:
        return parse_convention(path.read_text(encoding="utf-8-sig"))
    except (ConventionError, UnicodeDecodeError, OSError) as exc:
        problem = str(exc) if isinstance(exc, ConventionError) else f"cannot be read ({type(exc).__name__})"
        return Convention(warnings=(f"{CONVENTION_FILE}: {problem}; using the built-in conventions",))


def _tables(data: dict, key: str) -> list[dict]:
    value = data.get(key, [])
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise ConventionError(f"[[{key}]] must be an array of tables")
    return value
