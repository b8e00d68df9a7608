"""Corpus assembly: raw files → documents, turns, non-speech parts, cleaning reports, failures.

`load_corpus` reads every minutes file of a raw folder (sorted, catalog applied) and goes on past
bad files, which are listed in `failures`: every entry of the raw folder is either loaded or a
failure with its reason (`scan_raw`: symlink loops, FIFOs and other non-regular files, unreadable
folders), except hidden files, `catalog.csv` and READMEs, which are never minutes.

`build` writes the tables as Parquet into the processed folder:

* **Kept as made.** Each document's result is written, as soon as it is made, as a shard in
  `<processed>/cache/corpus/`, keyed on the raw bytes, the catalog row, the file name and the
  code version; the tables are assembled from the shards. An interrupted build resumes where it
  stopped and a crash loses at most the document in flight.
* **One snapshot.** The tables are written (each atomically), then `manifest.json` names the
  build and the SHA-256 of every table. `read_processed` accepts only tables that match the
  manifest, so a run killed between two tables never passes as a mix of old and new tables.
* **One builder at a time.** Builds on one processed folder are serialized by a lock file
  (`.build.lock`, an OS lock released when its process ends); publishing and reading take
  `.publish.lock`. Temporary files left by dead processes are removed at the start of a build.

Nothing is ever written into the raw folder.

Testing hook: the environment variable `DXMINUTES_FAULT` makes a build end its process abruptly
(`os._exit`) at a chosen point: `documents:N` after N documents were kept, `tables:N` after N
tables were written.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import fcntl
import functools
import hashlib
import io
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from dxminutes import config
from dxminutes._io import (
    ALLOW_OUTSIDE_LINKS_ENV,
    atomic_write_bytes,
    leaves_folder,
    sha256_bytes,
    sha256_file,
    special_kind,
)
from dxminutes.corpus.catalog import Catalog, catalog_row, load_catalog
from dxminutes.corpus.cleaning import PIPELINE as CLEANING_PIPELINE
from dxminutes.corpus.cleaning import clean
from dxminutes.corpus.convention import CONVENTION_FILE, Convention, PatternTimeout, load_convention
from dxminutes.corpus.duplicates import drop_duplicates
from dxminutes.corpus.metadata import (
    Metadata,
    document_metadata,
    missing_metadata_warnings,
    structured_metadata,
)
from dxminutes.corpus.readers import InputError, RawText, is_structured, read_raw
from dxminutes.corpus.segment import Segmentation, readable_text, segment, unsegmented
from dxminutes.corpus.structured import read_structured
from dxminutes.schema import (
    CORPUS_TABLES,
    SEGMENT_NON_SPEECH_COLUMNS,
    SEGMENT_TURN_COLUMNS,
    TABLE_SCHEMAS,
    UNKNOWN_MUNICIPALITY,
)

NO_SPEAKERS = "no recognizable speakers"
OUTSIDE_LINK = (
    f"symlink to a place outside the data folder: refused (set {ALLOW_OUTSIDE_LINKS_ENV}=1 to read it)"
)
#: The failure of a file with neither speakers nor readable text (junk); starts with NO_SPEAKERS.
NO_READABLE_TEXT = f"{NO_SPEAKERS} and no readable Japanese text"

#: Keys of the `metadata` object of `inspect --json` → Metadata fields.
INSPECT_KEYS = {
    "municipality": "municipality",
    "prefecture": "prefecture",
    "body": "body",
    "meeting": "meeting_title",
    "date": "meeting_date",
    "record_kind": "record_kind",
}
#: Names in a raw folder that are never minutes.
NOT_MINUTES = ("catalog.csv", ".gitkeep", CONVENTION_FILE)
#: Folders at the top of a raw folder that are never minutes: `labels/` holds the labelling
#: sheets a coder returns (`analysis.labels.read_labels`), read by the report, not the loader.
NOT_MINUTES_FOLDERS = ("labels",)

MANIFEST_NAME = "manifest.json"
BUILD_LOCK_NAME = ".build.lock"
PUBLISH_LOCK_NAME = ".publish.lock"
#: Shards of per-document results, below the processed folder.
SHARD_SUBDIR = ("cache", "corpus")
#: A builder waits this long for another build on the same folder before giving up.
LOCK_TIMEOUT_S = 3600.0
FAULT_ENV = "DXMINUTES_FAULT"
FAULT_EXIT_CODE = 75
#: Temporary files of `_io.atomic_path`: `.name.<pid>.<thread>.tmp.ext`.
TEMPORARY_RE = re.compile(r"^\..+\.(?P<pid>\d+)\.\d+\.tmp(?:\.[^.]+)?$")
#: Modules and resources whose content decides a document's result (part of every shard key).
CODE_PATHS = ("corpus", "normalize.py", "schema.py", "resources")


class SnapshotError(FileNotFoundError):
    """The processed folder holds no complete, consistent set of tables (run `build`)."""


class BuildLockTimeout(RuntimeError):
    """Another build kept the processed folder locked for longer than the timeout."""


@dataclass(frozen=True)
class Corpus:
    documents: pd.DataFrame
    turns: pd.DataFrame
    non_speech: pd.DataFrame
    cleaning: pd.DataFrame
    failures: pd.DataFrame  # file, problem: one row per file that could not be loaded
    warnings: pd.DataFrame  # file, message
    duplicates: pd.DataFrame  # kept_file, dropped_file, similarity, kind: documents left out as copies


@dataclass(frozen=True)
class _Parsed:
    """Every intermediate result for one file."""

    raw: RawText
    file: str
    sha256: str
    cleaned: str
    cleaning_report: pd.DataFrame
    meta: Metadata
    segmentation: Segmentation
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class RawScan:
    """What a raw folder holds: candidate minutes files and entries that cannot be loaded."""

    files: tuple[str, ...]  # relative POSIX paths of regular files, sorted
    problems: tuple[tuple[str, str], ...]  # (relative path, problem), sorted


# --- loading ------------------------------------------------------------------------------------


def load_document(
    path: Path | str,
    catalog_row: Mapping | None = None,
    *,
    file: str | None = None,
    doc_id: str | None = None,
    convention: Convention | None = None,
) -> Corpus:
    """Load one file. Unreadable files raise `InputError`; a file without speakers becomes a failure row.

    `file` is the name recorded in the tables (default: the file name), `doc_id` the key (default: its
    stem), `convention` the corpus folder's `dxminutes.toml` (`load_convention`), as `load_corpus` applies it.
    """
    path = Path(path)
    if is_structured(path):
        items = _parse_structured(path, catalog_row, file, convention)
        ids = _structured_doc_ids(doc_id or Path(items[0][1].file).stem, len(items))
        return _assemble([(doc, _payload(item)) for doc, (_, item) in zip(ids, items)])
    parsed = _parse(path, catalog_row, file, convention)
    return _assemble([(doc_id or Path(parsed.file).stem, _payload(parsed))])


def load_corpus(raw_dir: Path | str | None = None, *, progress: bool = False) -> Corpus:
    """Load every minutes file below `raw_dir` (sorted by relative path) with its catalog row applied."""
    return _load(_raw_folder(raw_dir), progress=progress)


def minutes_files(raw_dir: Path | str) -> list[str]:
    """Relative POSIX paths of the files below `raw_dir` that may be minutes (not the catalog, READMEs, hidden files)."""
    return list(scan_raw(raw_dir).files)


def scan_raw(raw_dir: Path | str) -> RawScan:
    """Every entry below `raw_dir`: a regular file that may be minutes, or a problem with its reason.

    A symlink that resolves outside `raw_dir` (file or folder) is refused and listed, unless
    DXMINUTES_ALLOW_OUTSIDE_LINKS=1. Symlinked folders are followed once: a link back to one of its own ancestors is a symlink
    loop, a second way into a folder already read is reported and not read again. Real folders
    are read before symlinked ones, so a folder is always listed under its real name when it
    has one. Hidden entries, `catalog.csv`, READMEs and the top-level `labels/` folder (labelling
    sheets, `NOT_MINUTES_FOLDERS`) are skipped (never minutes).
    """
    raw_dir = Path(raw_dir)
    files: list[str] = []
    problems: list[tuple[str, str]] = []
    root = os.stat(raw_dir)
    seen: dict[tuple[int, int], str] = {(root.st_dev, root.st_ino): "."}
    # (folder path, relative prefix, ids of the folder and its ancestors)
    pending = [(raw_dir, "", ((root.st_dev, root.st_ino),))]
    linked: list[tuple[Path, str, tuple, os.stat_result]] = []
    while pending or linked:
        if pending:
            folder, prefix, chain = pending.pop()
        else:
            folder, prefix, chain, info = linked.pop(0)
            key = (info.st_dev, info.st_ino)
            if key in chain:
                problems.append(
                    (prefix.rstrip("/"), "symlink loop (links back to a folder that contains it)")
                )
                continue
            if key in seen:
                problems.append((prefix.rstrip("/"), f"symlinked folder already read as '{seen[key]}'"))
                continue
            seen[key] = prefix.rstrip("/")
            chain = (*chain, key)
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as exc:
            problems.append((prefix.rstrip("/") or ".", f"folder cannot be listed ({_os_reason(exc)})"))
            continue
        for entry in entries:
            name, relative = entry.name, prefix + entry.name
            if name.startswith(".") or (not prefix and name in NOT_MINUTES_FOLDERS and entry.is_dir()):
                continue
            try:
                info = os.stat(entry.path)  # follows symlinks
            except OSError as exc:
                problems.append((relative, _stat_problem(exc, entry.is_symlink())))
                continue
            if entry.is_symlink() and leaves_folder(entry.path, raw_dir):
                problems.append((relative, OUTSIDE_LINK))
                continue
            if stat.S_ISDIR(info.st_mode):
                key = (info.st_dev, info.st_ino)
                if entry.is_symlink():
                    linked.append((Path(entry.path), relative + "/", chain, info))
                elif key in seen:  # a bind mount or hard-linked folder
                    problems.append((relative, f"folder already read as '{seen[key]}'"))
                else:
                    seen[key] = relative
                    pending.append((Path(entry.path), relative + "/", (*chain, key)))
            elif stat.S_ISREG(info.st_mode):
                if name not in NOT_MINUTES and not name.upper().startswith("README"):
                    files.append(relative)
            else:
                problems.append((relative, f"not a regular file ({special_kind(info.st_mode)})"))
    return RawScan(tuple(sorted(files)), tuple(sorted(problems)))


def _raw_folder(raw_dir: Path | str | None) -> Path:
    raw_dir = Path(raw_dir or config.RAW_DIR)
    if not raw_dir.is_dir():
        problem = "is not a folder" if raw_dir.exists() else "not found"
        raise FileNotFoundError(f"raw folder {problem}: {config.relpath(raw_dir)}")
    return raw_dir


def _os_reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or type(exc).__name__


def _stat_problem(exc: OSError, is_link: bool) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT and is_link:
        return "broken symlink (its target does not exist)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return f"cannot be read ({exc.strerror or type(exc).__name__})"


def _require_regular(path: Path) -> None:
    """Raise InputError unless `path` is a regular file (checked without opening it: never blocks)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        is_link = path.is_symlink()
        problem = (
            "file not found" if exc.errno == errno.ENOENT and not is_link else _stat_problem(exc, is_link)
        )
        raise InputError(path, problem) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(path, f"not a regular file ({special_kind(info.st_mode)})")


def _load(raw_dir: Path, *, shard_dir: Path | None = None, progress: bool = False) -> Corpus:
    """Load the raw folder; with `shard_dir`, reuse and write per-document shards."""
    catalog = load_catalog(raw_dir)
    convention = load_convention(raw_dir)  # dxminutes.toml: speaker patterns, role words, defaults
    extra = _convention_key(raw_dir)
    scan = scan_raw(raw_dir)
    files = scan.files
    stems = pd.Series([Path(file).stem for file in files], dtype="str")
    duplicated = set(stems[stems.duplicated(keep=False)])
    entries: list[tuple[str | None, dict]] = []
    kept = 0
    for file in tqdm(files, desc="loading minutes", disable=not progress):
        row = convention.row_for(file, catalog_row(catalog.frame, file))
        payloads, stored = _document(raw_dir, file, row, shard_dir, convention, extra)
        stem = Path(file).stem
        ids = _structured_doc_ids(file if stem in duplicated else stem, len(payloads))
        entries += list(zip(ids, payloads))
        kept += stored
        if stored:
            _fault("documents", kept)
    entries += [(None, {"file": file, "problem": problem}) for file, problem in scan.problems]
    leading = [{"file": CONVENTION_FILE, "message": message} for message in convention.warnings]
    return _assemble(entries, leading + _catalog_warnings(catalog, files))


def _convention_key(raw_dir: Path) -> str:
    """SHA-256 of the folder's `dxminutes.toml` ('' when there is none): part of every shard key."""
    path = raw_dir / CONVENTION_FILE
    try:
        return sha256_file(path) if path.is_file() else ""
    except OSError as exc:
        return f"unreadable: {_os_reason(exc)}"


def _catalog_warnings(catalog: Catalog, files) -> list[dict]:
    issues = list(catalog.issues) + catalog.missing_files(files)
    return [{"file": config.CATALOG_NAME, "message": issue.message()} for issue in issues]


def _document(
    raw_dir: Path,
    file: str,
    row: Mapping | None,
    shard_dir: Path | None,
    convention: Convention | None = None,
    extra: str = "",
) -> tuple[list[dict], bool]:
    """One file's payloads (one per document it holds; from its shard when one matches) and
    whether a new shard was written."""
    path = raw_dir / file
    shard = None
    if shard_dir is not None:
        try:
            _require_regular(path)
            data_sha = sha256_file(path)
        except (InputError, OSError):
            data_sha = None  # reported by _parse below
        if data_sha is not None:
            shard = shard_dir / f"{_shard_key(data_sha, file, row, extra)}.json"
            stored = _read_shard(shard)
            if stored is not None:
                return stored, False
    try:
        if is_structured(file):
            payloads = [_payload(item) for _, item in _parse_structured(path, row, file, convention)]
        else:
            payloads = [_payload(_parse(path, row, file, convention))]
    except InputError as exc:
        payloads = [{"file": file, "problem": exc.problem}]
    except PatternTimeout as exc:  # a dxminutes.toml pattern: named, and no shard (load-dependent)
        return [{"file": file, "problem": str(exc)}], False
    except Exception as exc:  # a parser bug on one unusual file must not stop a whole build
        return [{"file": file, "problem": f"unexpected error ({type(exc).__name__}: {exc})"}], False
    if shard is None:
        return payloads, False
    try:
        data = json.dumps({"file": file, "documents": payloads}, ensure_ascii=False, sort_keys=True)
        encoded = data.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a PDF text layer: keep the result, not a shard
        return payloads, False
    atomic_write_bytes(shard, encoded)
    return payloads, True


def _shard_key(data_sha: str, file: str, row: Mapping | None, extra: str = "") -> str:
    """Content key of one document's result: raw bytes, file name, catalog row, code version.

    `extra` takes any further input that changes the result (a per-folder convention file).
    """
    parts = [
        code_version(),
        data_sha,
        file,
        json.dumps(dict(row or {}), ensure_ascii=False, sort_keys=True),
        extra,
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 over the source and resources that decide a document's result."""
    digest = hashlib.sha256()
    for name in CODE_PATHS:
        base = config.PACKAGE_DIR / name
        paths = (
            sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if base.is_dir()
            else [base]
        )
        for path in paths:
            digest.update(path.relative_to(config.PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _read_shard(path: Path) -> list[dict] | None:
    """The payloads a shard holds, or None when it is missing or damaged (it is then made again)."""
    try:
        shard = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    documents = shard.get("documents") if isinstance(shard, dict) else None
    if not isinstance(documents, list) or not documents or not all(isinstance(d, dict) for d in documents):
        return None
    return documents


def _fault(point: str, count: int) -> None:
    """Testing hook: end the process abruptly when `DXMINUTES_FAULT` is `point:count`."""
    if os.environ.get(FAULT_ENV) == f"{point}:{count}":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(FAULT_EXIT_CODE)


# --- building and reading the processed tables ---------------------------------------------------


def build(raw_dir: Path | str | None = None, processed_dir: Path | str | None = None) -> Corpus:
    """Load the corpus (reusing kept shards) and publish every table into `processed_dir` as one snapshot."""
    raw_dir = _raw_folder(raw_dir).resolve()
    processed_dir = Path(processed_dir or config.PROCESSED_DIR).resolve()
    if processed_dir == raw_dir or raw_dir in processed_dir.parents:
        raise ValueError("the processed folder must not be inside the raw folder")
    processed_dir.mkdir(parents=True, exist_ok=True)
    shard_dir = processed_dir.joinpath(*SHARD_SUBDIR)
    with _lock(processed_dir / BUILD_LOCK_NAME, exclusive=True, timeout=LOCK_TIMEOUT_S):
        remove_stale_temporaries(processed_dir)
        # taken before loading: a raw folder that changes during the build leaves a stale manifest
        inputs = input_fingerprint(raw_dir)
        corpus = _load(raw_dir, shard_dir=shard_dir)
        with _lock(processed_dir / PUBLISH_LOCK_NAME, exclusive=True, timeout=LOCK_TIMEOUT_S):
            _publish(corpus, processed_dir, inputs)
    return corpus


def _publish(corpus: Corpus, processed_dir: Path, inputs: str) -> None:
    tables = {}
    for count, name in enumerate(CORPUS_TABLES, start=1):
        buffer = io.BytesIO()
        getattr(corpus, name).to_parquet(buffer, index=False)
        data = buffer.getvalue()
        atomic_write_bytes(processed_dir / f"{name}.parquet", data)
        tables[name] = {"file": f"{name}.parquet", "sha256": sha256_bytes(data)}
        _fault("tables", count)
    build_id = sha256_bytes(json.dumps(tables, sort_keys=True).encode())[:16]
    manifest = {"build_id": build_id, "inputs": inputs, "code_version": code_version(), "tables": tables}
    atomic_write_bytes(processed_dir / MANIFEST_NAME, json.dumps(manifest, indent=1, sort_keys=True).encode())


def input_fingerprint(raw_dir: Path | str) -> str:
    """SHA-256 over what a build reads: every entry of `scan_raw` (files with their checksums,
    problems with their reasons), the catalog's and `dxminutes.toml`'s bytes and the code version."""
    raw_dir = Path(raw_dir)
    scan = scan_raw(raw_dir)
    digest = hashlib.sha256(code_version().encode())
    for file in scan.files:
        try:
            checksum = sha256_file(raw_dir / file)
        except OSError as exc:
            checksum = f"unreadable: {_os_reason(exc)}"
        digest.update(f"\0file\0{file}\0{checksum}".encode())
    for file, problem in scan.problems:
        digest.update(f"\0problem\0{file}\0{problem}".encode())
    catalog = raw_dir / config.CATALOG_NAME
    try:
        catalog_sha = sha256_file(catalog) if catalog.is_file() else "none"
    except OSError as exc:
        catalog_sha = f"unreadable: {_os_reason(exc)}"
    digest.update(f"\0catalog\0{catalog_sha}\0convention\0{_convention_key(raw_dir)}".encode())
    return digest.hexdigest()


def read_manifest(processed_dir: Path | str | None = None) -> dict:
    """The manifest of the last published build; SnapshotError when there is none."""
    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    path = processed_dir / MANIFEST_NAME
    try:
        manifest = json.loads(path.read_bytes())
    except FileNotFoundError:
        raise SnapshotError(
            f"{config.relpath(path)} not found: run `make processed` (or `.venv/bin/dxminutes build`) first"
        ) from None
    except (OSError, ValueError) as exc:
        raise SnapshotError(
            f"{config.relpath(path)} cannot be read ({exc}): run `make processed` (or `.venv/bin/dxminutes build`)"
        ) from None
    if not isinstance(manifest, dict) or set(manifest.get("tables", {})) != set(CORPUS_TABLES):
        raise SnapshotError(
            f"{config.relpath(path)} does not list the tables: run `make processed` (or `.venv/bin/dxminutes build`)"
        )
    return manifest


def read_processed(processed_dir: Path | str | None = None) -> Corpus:
    """Read the tables `build` published, all from one build (checked against `manifest.json`)."""
    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    missing = [name for name in CORPUS_TABLES if not (processed_dir / f"{name}.parquet").exists()]
    if missing:
        raise FileNotFoundError(
            f"{config.relpath(processed_dir / (missing[0] + '.parquet'))} not found: "
            "run `make processed` (or `.venv/bin/dxminutes build`) first"
        )
    with _lock(processed_dir / PUBLISH_LOCK_NAME, exclusive=False, timeout=LOCK_TIMEOUT_S):
        manifest = read_manifest(processed_dir)
        tables = {}
        for name in CORPUS_TABLES:
            path = processed_dir / f"{name}.parquet"
            data = path.read_bytes()
            if sha256_bytes(data) != manifest["tables"][name]["sha256"]:
                raise SnapshotError(
                    f"{config.relpath(path)} is not from build {manifest['build_id']} (an interrupted build?): "
                    "run `make processed` (or `.venv/bin/dxminutes build`)"
                )
            tables[name] = pd.read_parquet(io.BytesIO(data))
    return Corpus(**tables)


def is_current(processed_dir: Path | str | None = None, raw_dir: Path | str | None = None) -> bool:
    """True when `processed_dir` holds a complete snapshot built from exactly what `raw_dir` holds now."""
    try:
        manifest = read_manifest(processed_dir)
    except SnapshotError:
        return False
    return manifest.get("inputs") == input_fingerprint(Path(raw_dir or config.RAW_DIR))


def remove_stale_temporaries(processed_dir: Path | str) -> list[str]:
    """Delete temporary files (`.name.<pid>.<thread>.tmp.ext`) of processes that no longer run.

    Looks in `processed_dir` and below its `cache/`; returns the removed paths (relative).
    """
    processed_dir = Path(processed_dir)
    candidates = list(processed_dir.glob(".*.tmp*"))
    cache = processed_dir / "cache"
    if cache.is_dir():
        candidates += cache.rglob(".*.tmp*")
    removed = []
    for path in sorted(candidates):
        match = TEMPORARY_RE.match(path.name)
        if not match or not path.is_file() or _process_alive(int(match.group("pid"))):
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path.relative_to(processed_dir).as_posix())
    return removed


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _lock(path: Path, *, exclusive: bool, timeout: float) -> Iterator[None]:
    """An OS file lock on `path` (released when the process ends, however it ends).

    A reader that cannot create the lock file (a read-only folder) goes on without it.
    """
    try:
        handle = open(path, "a+b")  # noqa: SIM115  (held until the block ends)
    except OSError:
        if exclusive:
            raise
        yield
        return
    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    deadline = time.monotonic() + timeout
    told = False
    try:
        while True:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise BuildLockTimeout(
                        f"{config.relpath(path.parent)} is locked by another build for over {timeout:.0f} s"
                    ) from None
                if exclusive and not told and path.name == BUILD_LOCK_NAME:
                    print(f"waiting for another build of {config.relpath(path.parent)} …", file=sys.stderr)
                    told = True
                time.sleep(0.05)
        yield
    finally:
        handle.close()


def inspect_file(path: Path | str, data_dir: Path | str | None = None) -> dict:
    """Everything the build finds in one file, as a JSON-ready dict.

    The corpus folder is `data_dir`, or else the nearest folder above the file that holds a
    `catalog.csv` or a `dxminutes.toml` (`corpus_root`); its catalog row and declared convention
    are applied to the file under its path relative to that folder, exactly as `load_corpus` of
    that folder does, and the turns are the rows the build would write for it.
    """
    path = Path(path)
    root = corpus_root(path, data_dir)
    file = _relative_file(path, root)
    catalog = load_catalog(root)
    convention = load_convention(root)
    row = convention.row_for(file, catalog_row(catalog.frame, file))  # as `_load` does
    if is_structured(path):
        items = _parse_structured(path, row, file, convention)
        parsed = items[0][1]
        if len(items) > 1:
            note = f"the file holds {len(items)} documents; the first ({items[0][0]}) is shown"
            parsed = replace(parsed, warnings=(*parsed.warnings, note))
    else:
        parsed = _parse(path, row, file, convention)
    payload = _payload(parsed)  # the rows the build keeps for this document
    problem = payload.get("problem")
    if problem:
        turns, non_speech = [], parsed.segmentation.non_speech.to_dict("records")
    else:
        turns, non_speech = payload["turns"], payload["non_speech"]
    meta = parsed.meta
    catalog_notes = [
        f"{config.CATALOG_NAME}: {issue.message()}" for issue in catalog.issues if issue.file in (None, file)
    ]
    return {
        "file": parsed.raw.path,
        "corpus": {
            "folder": config.relpath(root),
            "read": [name for name in (config.CATALOG_NAME, CONVENTION_FILE) if (root / name).is_file()],
        },
        "format": parsed.raw.format,
        "encoding": parsed.raw.encoding,
        "sha256": parsed.sha256,
        "n_chars": len(parsed.cleaned),
        "metadata": {
            **{key: getattr(meta, name) for key, name in INSPECT_KEYS.items()},
            "body_code": meta.body_code,
            "body_level": meta.body_level,
            "sources": {key: meta.sources[name] for key, name in INSPECT_KEYS.items()},
        },
        "cleaning": [
            {key: _plain(row[key]) for key in ("step", "order", "n_changes", "chars_before", "chars_after")}
            for row in parsed.cleaning_report.to_dict("records")
        ],
        "turns": [
            {key: _plain(turn[key]) for key in ("speaker", "speaker_label", "role", "text")} for turn in turns
        ],
        "non_speech": [{key: _plain(part[key]) for key in ("kind", "text")} for part in non_speech],
        "problem": problem,
        "warnings": list(convention.warnings)
        + catalog_notes
        + list(payload.get("warnings", parsed.warnings))
        + ([problem] if problem else []),
    }


def corpus_root(path: Path | str, data_dir: Path | str | None = None) -> Path:
    """The corpus folder whose `catalog.csv` and `dxminutes.toml` apply to the file `path`.

    `data_dir` when given (the file must lie below it); else the nearest folder above the file
    that holds either file, looking no higher than the root of the repository that holds the file
    (a folder with `.git`) or the filesystem root; else the file's own folder.
    """
    path = Path(os.path.abspath(path))
    if data_dir is not None:
        root = Path(os.path.abspath(data_dir))
        if not root.is_dir():
            raise InputError(path, f"data folder not found: {config.relpath(root)}")
        _relative_file(path, root)  # raises when the file is outside it
        return root
    for folder in path.parents:
        if (folder / config.CATALOG_NAME).is_file() or (folder / CONVENTION_FILE).is_file():
            return folder
        if (folder / ".git").exists():
            break
    return path.parent


def _relative_file(path: Path, root: Path) -> str:
    """`path` relative to the corpus folder `root`, as `scan_raw` names it (POSIX)."""
    path = Path(os.path.abspath(path))
    for base, target in ((root, path), (root.resolve(), path.parent.resolve() / path.name)):
        with contextlib.suppress(ValueError, OSError, RuntimeError):
            return target.relative_to(base).as_posix()
    raise InputError(path, f"not inside the data folder {config.relpath(root)}")


def _parse(
    path: Path, row: Mapping | None, file: str | None, convention: Convention | None = None
) -> _Parsed:
    """Read, clean, describe and segment one file. Opens only regular files (never blocks on a FIFO)."""
    _require_regular(path)
    raw = read_raw(path)
    file = file or path.name
    sha256 = sha256_file(path)
    result = clean(raw.text)
    meta = document_metadata(result.text, file, row, raw_text=raw.text)
    segmentation = segment(result.text, convention)
    if segmentation.turns.empty and readable_text(result.text):
        segmentation = unsegmented(result.text)  # nothing dropped whole that can be read
    warnings = list(raw.warnings) + list(meta.warnings) + list(missing_metadata_warnings(file, meta, sha256))
    warnings += [message for message in segmentation.warnings if message != NO_SPEAKERS]
    if row and row.get("sha256") and row["sha256"] != sha256:
        warnings.append("sha256 differs from the catalog: the file changed since it was catalogued")
    return _Parsed(raw, file, sha256, result.text, result.report, meta, segmentation, tuple(warnings))


def _payload(item: _Parsed) -> dict:
    """One document's rows for every table, without its doc_id (JSON-ready: kept as a shard)."""
    warnings = list(item.warnings)
    seg = item.segmentation
    if seg.turns.empty:  # `_parse` loads readable text unsegmented, so this is junk
        return {"file": item.file, "problem": NO_READABLE_TEXT, "warnings": warnings}
    meta = item.meta.as_dict()
    meta["municipality"] = meta["municipality"] or UNKNOWN_MUNICIPALITY  # source stays `none`
    document = {
        "file": item.file,
        "format": item.raw.format,
        "encoding": item.raw.encoding,
        **meta,
        "sha256": item.sha256,
        "n_chars": len(item.cleaned),
        "n_turns": len(seg.turns),
        "n_non_speech": len(seg.non_speech),
        "segmented": seg.segmented,
    }
    ordered = seg.turns.sort_values("position", kind="mergesort").reset_index(drop=True)
    turns = [
        {
            "municipality": meta["municipality"],
            "meeting_date": meta["meeting_date"],
            "position": position,
            "speaker_label": turn["speaker_label"],
            "speaker": turn["speaker"],
            "role": turn["role"],
            "text": turn["text"],
            "n_chars": len(turn["text"]),
        }
        for position, turn in enumerate(ordered.to_dict("records"))
    ]
    return {
        "file": item.file,
        "problem": None,
        "warnings": warnings,
        "document": {key: _plain(value) for key, value in document.items()},
        "turns": [{key: _plain(value) for key, value in turn.items()} for turn in turns],
        "non_speech": [
            {key: _plain(value) for key, value in part.items()} for part in seg.non_speech.to_dict("records")
        ],
        "cleaning": [
            {key: _plain(value) for key, value in step.items()}
            for step in item.cleaning_report.to_dict("records")
        ],
    }


def _assemble(entries: list[tuple[str | None, dict]], warnings: list[dict] | None = None) -> Corpus:
    """The corpus tables from per-document payloads (in order) and leading warning rows."""
    documents, turns, non_speech, cleaning, failures = [], [], [], [], []
    warnings = list(warnings or [])
    for doc_id, payload in entries:
        warnings += [{"file": payload["file"], "message": message} for message in payload.get("warnings", [])]
        if payload.get("problem"):
            failures.append({"file": payload["file"], "problem": payload["problem"]})
            continue
        documents.append({"doc_id": doc_id, **payload["document"]})
        turns += [
            {"turn_id": f"{doc_id}:{turn['position']:04d}", "doc_id": doc_id, **turn}
            for turn in payload["turns"]
        ]
        non_speech += [{"doc_id": doc_id, **part} for part in payload["non_speech"]]
        cleaning += [{"doc_id": doc_id, **step} for step in payload["cleaning"]]
    rows = {
        "documents": documents,
        "turns": turns,
        "non_speech": non_speech,
        "cleaning": cleaning,
        "failures": failures,
        "warnings": warnings,
    }
    rows = drop_duplicates(rows)  # copies of a document are kept once, listed in `duplicates`
    return Corpus(**{name: _frame(rows[name], TABLE_SCHEMAS[name]) for name in CORPUS_TABLES})


# --- structured files (CSV, TSV, Excel, JSON): turns come from the rows ------------------------


def _parse_structured(
    path: Path, row: Mapping | None, file: str | None, convention: Convention | None = None
) -> list[tuple[str | None, _Parsed]]:
    """One `_Parsed` per document of a structured file; its turns come from the rows, not from `segment`.

    Each document's metadata comes from its rows' columns, then the catalog row (`row`, with the
    convention's defaults). A file holding one document takes the catalog values over its columns,
    as a text file does; in a file holding several, a catalog value fills only what the document's
    columns leave empty (one catalog row cannot name three municipalities).
    """
    _require_regular(path)
    structured = read_structured(path, convention.columns if convention else None)
    file = file or path.name
    sha256 = sha256_file(path)
    several = len(structured.documents) > 1
    out = []
    for i, doc in enumerate(structured.documents):
        turns = doc.turns[list(SEGMENT_TURN_COLUMNS)].copy()
        turns["text"] = [_clean_cell(text) for text in turns["text"].tolist()]
        turns = turns.loc[turns["text"].str.strip() != ""].reset_index(drop=True)
        turns["position"] = range(len(turns))
        joined = "\n".join(
            f"{label}: {text}" if label else text
            for label, text in zip(turns["speaker_label"], turns["text"])
        )
        result = clean(joined)
        doc_row = row
        if several and row:  # the catalog fills what the document's columns did not give
            given = structured_metadata(doc.metadata, file).sources
            doc_row = _catalog_fill(row, {name for name, source in given.items() if source == "column"})
        meta = structured_metadata(doc.metadata, file, doc_row)
        non_speech = pd.DataFrame(
            [{"position": i, "kind": "header", "text": text} for i, text in enumerate(doc.non_speech)],
            columns=list(SEGMENT_NON_SPEECH_COLUMNS),
        )
        segmentation = Segmentation(
            turns.astype({"position": "int64"}), non_speech.astype({"position": "int64"}), ()
        )
        own = [*doc.warnings, *meta.warnings, *missing_metadata_warnings(file, meta, sha256)]
        if doc.key and several:  # which of the file's documents a warning is about
            own = [f"document {doc.key}: {message}" for message in own]
        warnings = [*(structured.warnings if i == 0 else ()), *own]  # the file's own warnings, once
        raw = RawText(
            path=structured.path, format=structured.format, encoding=structured.encoding, text=joined
        )
        out.append(
            (
                doc.key,
                _Parsed(raw, file, sha256, result.text, result.report, meta, segmentation, tuple(warnings)),
            )
        )
    return out


def _clean_cell(text: str) -> str:
    """`clean(text).text`, stripped, without the per-step report (one cell of a structured file)."""
    for step in CLEANING_PIPELINE:
        text = step(text)
    return text.strip()


def _catalog_fill(row: Mapping, given: set[str]) -> dict:
    """The catalog row without the fields in `given` (municipality and prefecture go together)."""
    if given & {"municipality", "prefecture"}:
        given = given | {"municipality", "prefecture"}
    return {key: value for key, value in row.items() if key not in given}


def _structured_doc_ids(stem: str, n_documents: int) -> list[str]:
    """The file stem for a one-document file, else `stem-001`, `stem-002`, … in order of appearance."""
    return [stem] if n_documents == 1 else [f"{stem}-{i + 1:03d}" for i in range(n_documents)]


def _frame(rows: list[dict], schema: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(schema))
    return frame.astype(schema) if rows else pd.DataFrame({c: pd.Series(dtype=t) for c, t in schema.items()})


def _plain(value):
    """numpy scalars and missing values → plain JSON values."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


# --- command line -----------------------------------------------------------------------------


def register_cli(subparsers) -> None:
    """Add the `build` and `inspect` commands."""
    parser = subparsers.add_parser("build", help="load the raw minutes and write data/processed/*.parquet")
    parser.add_argument("--data", type=Path, default=None, help="raw folder (default: data/raw)")
    parser.add_argument("--out", type=Path, default=None, help="processed folder (default: data/processed)")
    parser.set_defaults(func=_build_command)
    parser = subparsers.add_parser("inspect", help="show what the loader finds in one file")
    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="the corpus folder whose catalog.csv and dxminutes.toml apply "
        "(default: the nearest folder above FILE that has one)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    parser.set_defaults(func=_inspect_command)


def _build_command(args: argparse.Namespace) -> int:
    processed_dir = args.out or config.PROCESSED_DIR
    try:
        corpus = build(args.data, processed_dir)
    except (OSError, ValueError, BuildLockTimeout) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1
    catalog = load_catalog(args.data or config.RAW_DIR)
    if catalog.encoding:
        print(f"{config.CATALOG_NAME}: read as {catalog.encoding}, {len(catalog.frame)} usable row(s)")
    print(f"{len(corpus.documents)} documents, {len(corpus.turns)} turns → {config.relpath(processed_dir)}")
    for row in corpus.warnings.to_dict("records"):
        print(f"warning: {row['file']}: {row['message']}", file=sys.stderr)
    if corpus.failures.empty:
        return 0
    print(f"{len(corpus.failures)} file(s) could not be loaded:", file=sys.stderr)
    for row in corpus.failures.to_dict("records"):
        print(f"  {row['file']}: {row['problem']}", file=sys.stderr)
    return 1


def _one_line(exc: BaseException) -> str:
    """An exception as one line without absolute paths (OSError's own message names its path)."""
    if isinstance(exc, OSError) and exc.filename and not str(exc).startswith(("raw folder", "error")):
        message = f"{config.relpath(exc.filename)}: {exc.strerror or type(exc).__name__}"
    else:
        message = str(exc)
    return " ".join(message.split())


def _inspect_command(args: argparse.Namespace) -> int:
    try:
        result = inspect_file(args.file, args.data)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(_summary(result))
    if result["problem"] or not result["turns"]:
        print(f"error: {result['file']}: {result['problem'] or NO_SPEAKERS}", file=sys.stderr)
        return 1
    return 0


def _summary(result: dict) -> str:
    meta = result["metadata"]
    lines = [f"{result['file']}  ({result['format']}, {result['encoding']}, {result['n_chars']} characters)"]
    corpus = result["corpus"]
    read = ", ".join(corpus["read"]) or f"no {config.CATALOG_NAME} or {CONVENTION_FILE}"
    lines.append(f"  {'corpus':<13} {corpus['folder']}  ({read})")
    for key in INSPECT_KEYS:
        lines.append(f"  {key:<13} {meta[key] or '-'}  [{meta['sources'][key]}]")
    lines.append(f"  {'body_code':<13} {meta['body_code'] or '-'}  ({meta['body_level'] or 'level unknown'})")
    turns = pd.DataFrame(result["turns"], columns=["speaker", "speaker_label", "role", "text"])
    lines.append(f"turns: {len(turns)}, non-speech parts: {len(result['non_speech'])}")
    for role, count in turns["role"].value_counts(sort=False).sort_index().items():
        lines.append(f"  role {role:<11} {count}")
    speakers = turns["speaker"].value_counts().sort_index().sort_values(ascending=False, kind="mergesort")
    for speaker, count in speakers.items():
        lines.append(f"  speaker {speaker:<20} {count}")
    changed = [step for step in result["cleaning"] if step["n_changes"]]
    lines.append("cleaning: " + (", ".join(f"{s['step']} {s['n_changes']}" for s in changed) or "no changes"))
    lines += [f"warning: {message}" for message in result["warnings"]]
    return "\n".join(lines)
