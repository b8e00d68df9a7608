"""The raw-data catalog (`catalog.csv` in the raw folder) and checksums of the raw files.

One row per raw file: `file` (name relative to the raw folder), `municipality`, `prefecture`,
`body`, `meeting_title`, `meeting_date` (ISO), `record_kind` (`verbatim`, `summary`, `report`) and
`sha256` of the raw bytes. Empty cells mean "unknown": metadata is then taken from the text.

The catalog is data, never a single point of failure: `load_catalog` reads it in UTF-8 (with or
without a byte-order mark) or cp932 (what Excel writes on Japanese Windows) and says which, and
turns every problem (an undecodable or empty file, an unterminated quote, a missing `file`
column, a row of the wrong width, a date that is not ISO, an unknown record kind or prefecture, a
municipality that is not on the official list `resources/local_governments.csv`, a bad checksum,
duplicate or conflicting rows) into an issue naming `catalog.csv`, the line and the column. A
rejected value or row is left out, so those files take their metadata from the text; a
municipality off the list is kept as given (a 広域連合 or a generated corpus may mean it). Cells never span lines: a
quoted field with a line break in it is reported as an unterminated quote.
"""

from __future__ import annotations

__all__ = ["CATALOG_COLUMNS", "CITY_WARD_RE", "ISO_DATE_RE", "LOCAL_GOVERNMENTS_PATH", "RECORD_KINDS", "SHA256_RE", "Catalog", "CatalogIssue", "catalog_row", "empty_catalog", "load_catalog", "official_bodies", "read_catalog", "verify_checksums"]  # fmt: skip

import codecs
import csv
import datetime
import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dxminutes import config
from dxminutes._io import ALLOW_OUTSIDE_LINKS_ENV, leaves_folder, sha256_file

CATALOG_COLUMNS = (
    "file",
    "municipality",
    "prefecture",
    "body",
    "meeting_title",
    "meeting_date",
    "record_kind",
    "sha256",
)
#: The record kinds a catalog may name.
RECORD_KINDS = ("verbatim", "summary", "report")
#: The official list of local public bodies (two `#` comment lines, then a header).
LOCAL_GOVERNMENTS_PATH = config.RESOURCES_DIR / "local_governments.csv"
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
SHA256_RE = re.compile(r"[0-9a-f]{64}")
#: A ward of a designated city (`横浜市港北区`): the city must be on the official list.
CITY_WARD_RE = re.compile(r"(?P<city>.+?市)(?P<ward>[^市]+区)")


@dataclass(frozen=True)
class CatalogIssue:
    """One problem of the catalog: where it is (line, column: 1-based) and what it is."""

    problem: str
    line: int | None = None
    column: int | None = None
    field: str | None = None
    file: str | None = None  # the raw file the row describes, when known

    def message(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}" + (f" ({self.field})" if self.field else ""))
        return (", ".join(where) + ": " if where else "") + self.problem


@dataclass(frozen=True)
class Catalog:
    """The usable rows of a catalog (`frame`, one per file), its issues and how it was decoded."""

    frame: pd.DataFrame
    issues: tuple[CatalogIssue, ...] = ()
    encoding: str | None = None  # None when there is no catalog
    lines: dict[str, int] = field(default_factory=dict)  # file → line of its row

    def warnings(self) -> list[dict]:
        """Issues as rows of the corpus `warnings` table (file is always `catalog.csv`)."""
        return [{"file": config.CATALOG_NAME, "message": issue.message()} for issue in self.issues]

    def missing_files(self, files) -> list[CatalogIssue]:
        """Issues for rows whose file is not among `files` (the minutes files found)."""
        present = set(files)
        return [
            CatalogIssue(
                f"'{name}' is listed but not in the raw folder", line=self.lines.get(name), file=name
            )
            for name in self.frame["file"]
            if name not in present
        ]


def empty_catalog() -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype="str") for column in CATALOG_COLUMNS})


def read_catalog(raw_dir: Path | str | None = None) -> pd.DataFrame:
    """The usable catalog rows of `raw_dir` as strings (missing values None); empty when there is none."""
    return load_catalog(raw_dir).frame


def load_catalog(raw_dir: Path | str | None = None) -> Catalog:
    """Read and validate `catalog.csv` of `raw_dir`; never raises for a bad catalog (see module docstring)."""
    path = Path(raw_dir or config.RAW_DIR) / config.CATALOG_NAME
    if path.is_symlink() and leaves_folder(path, path.parent):
        return Catalog(
            empty_catalog(),
            (
                CatalogIssue(
                    f"a symlink to outside the data folder; catalog ignored (set {ALLOW_OUTSIDE_LINKS_ENV}=1 to read it)"
                ),
            ),
        )
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return Catalog(empty_catalog())
    except OSError as exc:
        return Catalog(empty_catalog(), (CatalogIssue(f"cannot be read ({_reason(exc)}); catalog ignored"),))
    if not stat.S_ISREG(info.st_mode):
        return Catalog(empty_catalog(), (CatalogIssue("not a regular file; catalog ignored"),))
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Catalog(empty_catalog(), (CatalogIssue(f"cannot be read ({_reason(exc)}); catalog ignored"),))
    text, encoding, issues = _decode(data)
    if text is None:
        return Catalog(empty_catalog(), tuple(issues))
    frame, lines, more = _parse(text)
    return Catalog(frame, tuple(issues + more), encoding, lines)


def catalog_row(catalog: pd.DataFrame, file: str) -> dict | None:
    """The catalog row of `file` as a dict without missing values, or None when the file is not listed."""
    rows = catalog.loc[catalog["file"] == file]
    if rows.empty:
        return None
    return {key: value for key, value in rows.iloc[0].items() if isinstance(value, str) and value}


def verify_checksums(raw_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per catalog entry: `file`, `expected`, `actual` (missing if the file is absent), `ok`."""
    raw_dir = Path(raw_dir or config.RAW_DIR)
    catalog = read_catalog(raw_dir)
    rows = []
    for file, expected in zip(catalog["file"], catalog["sha256"]):
        path = raw_dir / file
        actual = sha256_file(path) if path.is_file() else None
        rows.append(
            {
                "file": file,
                "expected": expected,
                "actual": actual,
                "ok": actual is not None and actual == expected,
            }
        )
    return pd.DataFrame(rows, columns=["file", "expected", "actual", "ok"]).astype({"ok": bool})


@functools.lru_cache(maxsize=1)
def official_bodies() -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """Prefecture names and (prefecture, municipality) pairs of the official list."""
    with open(LOCAL_GOVERNMENTS_PATH, encoding="utf-8") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    prefectures = frozenset(row["prefecture"] for row in rows)
    pairs = frozenset((row["prefecture"], row["name"]) for row in rows if row["name"] != row["prefecture"])
    return prefectures, pairs


def _municipality_prefectures(name: str) -> set[str]:
    """The prefectures that have a municipality `name` (a designated city's ward counts as its city)."""
    _, pairs = official_bodies()
    found = {prefecture for prefecture, municipality in pairs if municipality == name}
    match = CITY_WARD_RE.fullmatch(name)
    if not found and match:
        found = {prefecture for prefecture, municipality in pairs if municipality == match.group("city")}
    return found


# --- reading ----------------------------------------------------------------------------------


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _decode(data: bytes) -> tuple[str | None, str | None, list[CatalogIssue]]:
    if data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8", "cp932")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        issues = [] if encoding.startswith("utf-8") else [CatalogIssue(f"read as {encoding} (not UTF-8)")]
        return text, encoding, issues
    try:
        data.decode(candidates[0])
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = f"undecodable bytes at byte offset {exc.start} (fits none of {', '.join(candidates)}); catalog ignored"
        return None, None, [CatalogIssue(problem, line=line)]
    return None, None, [CatalogIssue("undecodable; catalog ignored")]  # pragma: no cover


def _split(line: str) -> list[str] | str:
    """The fields of one CSV line, or the problem (a string) when the line is not valid CSV."""
    try:
        return next(csv.reader([line], strict=True))
    except csv.Error as exc:
        return str(exc)


def _quote_column(line: str) -> int:
    """1-based field number where an unterminated quote opens."""
    position = line.rfind('"') if line.count('"') % 2 else line.find('"')
    for start in range(position, -1, -1):  # the quote that opens the broken field
        if line[start] == '"' and (start == 0 or line[start - 1] == ","):
            position = start
            break
    prefix = _split(line[:position]) if position > 0 else []
    return len(prefix) if isinstance(prefix, list) and prefix else 1


def _parse(text: str) -> tuple[pd.DataFrame, dict[str, int], list[CatalogIssue]]:
    issues: list[CatalogIssue] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip()]
    if not numbered:
        return empty_catalog(), {}, [CatalogIssue("empty file (no header); catalog ignored")]
    header_line, header_text = numbered[0]
    header = _split(header_text)
    if isinstance(header, str):
        issues.append(CatalogIssue(f"header is not valid CSV ({header}); catalog ignored", line=header_line))
        return empty_catalog(), {}, issues
    header = [name.strip() for name in header]
    if "file" not in header:
        issues.append(
            CatalogIssue(f"no 'file' column (header: {', '.join(header)}); catalog ignored", line=header_line)
        )
        return empty_catalog(), {}, issues
    for number, name in enumerate(header, start=1):
        if name not in CATALOG_COLUMNS:
            issues.append(CatalogIssue(f"unknown column '{name}' ignored", line=header_line, column=number))
    rows: list[tuple[int, dict[str, str]]] = []
    for line_no, line in numbered[1:]:
        fields = _split(line)
        if isinstance(fields, str):
            issues.append(
                CatalogIssue(
                    f"not valid CSV ({fields}: an unterminated quote?); row ignored",
                    line=line_no,
                    column=_quote_column(line),
                )
            )
            continue
        if len(fields) > len(header):
            issues.append(
                CatalogIssue(f"{len(fields)} fields, the header has {len(header)}; row ignored", line=line_no)
            )
            continue
        if len(fields) < len(header):
            issues.append(
                CatalogIssue(
                    f"{len(fields)} fields, the header has {len(header)}; the missing ones are empty",
                    line=line_no,
                )
            )
            fields = fields + [""] * (len(header) - len(fields))
        row = {name: value.strip() for name, value in zip(header, fields) if name in CATALOG_COLUMNS}
        row = _validate(row, header, line_no, issues)
        if row is not None:
            rows.append((line_no, row))
    kept, lines_of = _deduplicate(rows, header, issues)
    if not kept:
        return empty_catalog(), lines_of, issues
    frame = pd.DataFrame(kept).reindex(columns=list(CATALOG_COLUMNS), fill_value="").astype("str")
    return frame.replace("", None), lines_of, issues


def _validate(row: dict[str, str], header: list[str], line: int, issues: list[CatalogIssue]) -> dict | None:
    """Check one row's values; a bad value is emptied (the text decides), a row without a file dropped."""
    file = row.get("file", "")

    def note(name: str, problem: str) -> None:
        issues.append(CatalogIssue(problem, line=line, column=header.index(name) + 1, field=name, file=file))

    def reject(name: str, problem: str) -> None:
        note(name, problem)
        row[name] = ""

    if not file:
        issues.append(
            CatalogIssue(
                "empty 'file' cell; row ignored", line=line, column=header.index("file") + 1, field="file"
            )
        )
        return None
    date = row.get("meeting_date", "")
    if date and not _is_iso_date(date):
        reject("meeting_date", f"'{date}' is not an ISO date (YYYY-MM-DD); the date is read from the text")
    kind = row.get("record_kind", "")
    if kind and kind not in RECORD_KINDS:
        reject(
            "record_kind", f"'{kind}' is not a record kind ({', '.join(RECORD_KINDS)}); read from the text"
        )
    prefectures, _ = official_bodies()
    prefecture = row.get("prefecture", "")
    if prefecture and prefecture not in prefectures:
        reject("prefecture", f"'{prefecture}' is not a prefecture; read from the text")
        prefecture = ""
    municipality = row.get("municipality", "")
    if municipality:
        known = _municipality_prefectures(municipality)
        if not known:  # kept: a body off the list (広域連合, a generated corpus) may be meant
            note(
                "municipality",
                f"'{municipality}' is not on the official list of local governments; kept as given",
            )
        elif prefecture and prefecture not in known:
            reject(
                "prefecture", f"'{municipality}' is not in {prefecture} ({', '.join(sorted(known))}); ignored"
            )
    checksum = row.get("sha256", "").lower()
    if checksum and not SHA256_RE.fullmatch(checksum):
        reject("sha256", "not a SHA-256 checksum (64 hexadecimal digits); ignored")
    elif checksum:
        row["sha256"] = checksum
    return row


def _is_iso_date(value: str) -> bool:
    if not ISO_DATE_RE.fullmatch(value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _deduplicate(
    rows: list[tuple[int, dict[str, str]]], header: list[str], issues: list[CatalogIssue]
) -> tuple[list[dict], dict[str, int]]:
    """One row per file: an exact duplicate is dropped, conflicting rows all are (with an issue)."""
    by_file: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for line, row in rows:
        by_file.setdefault(row["file"], []).append((line, row))
    kept, lines_of, conflicting = [], {}, set()
    for file, group in by_file.items():
        first_line, first = group[0]
        for line, row in group[1:]:
            differ = [name for name in CATALOG_COLUMNS if row.get(name, "") != first.get(name, "")]
            if differ:
                conflicting.add(file)
                issues.append(
                    CatalogIssue(
                        f"'{file}' conflicts with line {first_line} in {', '.join(differ)}; "
                        "both rows ignored, metadata is read from the text",
                        line=line,
                        file=file,
                    )
                )
            else:
                issues.append(
                    CatalogIssue(f"'{file}' repeats line {first_line}; ignored", line=line, file=file)
                )
        lines_of[file] = first_line
        if file not in conflicting:
            kept.append(first)
    return kept, lines_of
