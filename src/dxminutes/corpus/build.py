"""Corpus assembly: raw files → documents, turns, non-speech parts, cleaning reports, failures.

`load_corpus` reads every minutes file of a raw folder (sorted, catalog applied) and goes on past
bad files, which are listed in `failures`. `build` writes the tables as Parquet into the processed
folder, each file written to a temporary name and moved into place, so an interrupted run never
leaves half a table. Nothing is ever written into the raw folder.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from dxminutes import config
from dxminutes._io import atomic_path, sha256_file
from dxminutes.corpus.catalog import catalog_row, read_catalog
from dxminutes.corpus.cleaning import clean
from dxminutes.corpus.convention import CONVENTION_FILE, Convention, load_convention
from dxminutes.corpus.metadata import (
    Metadata,
    document_metadata,
    missing_metadata_warnings,
    structured_metadata,
)
from dxminutes.corpus.readers import InputError, RawText, is_structured, read_raw
from dxminutes.corpus.segment import Segmentation, segment
from dxminutes.corpus.structured import read_structured
from dxminutes.schema import (
    CORPUS_TABLES,
    SEGMENT_NON_SPEECH_COLUMNS,
    SEGMENT_TURN_COLUMNS,
    TABLE_SCHEMAS,
    UNKNOWN_MUNICIPALITY,
)

NO_SPEAKERS = "no recognizable speakers"

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


@dataclass(frozen=True)
class Corpus:
    documents: pd.DataFrame
    turns: pd.DataFrame
    non_speech: pd.DataFrame
    cleaning: pd.DataFrame
    failures: pd.DataFrame  # file, problem: one row per file that could not be loaded
    warnings: pd.DataFrame  # file, message


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
    if is_structured(path):
        items = _parse_structured(Path(path), catalog_row, file)
        ids = _structured_doc_ids(doc_id or Path(items[0][1].file).stem, len(items))
        return _tables([(doc, item) for doc, (_, item) in zip(ids, items)], [])
    parsed = _parse(Path(path), catalog_row, file, convention)
    return _tables([(doc_id or Path(parsed.file).stem, parsed)], [])


def load_corpus(raw_dir: Path | str | None = None, *, progress: bool = False) -> Corpus:
    """Load every minutes file below `raw_dir` (sorted by relative path) with its catalog row applied."""
    raw_dir = Path(raw_dir or config.RAW_DIR)
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"raw folder not found: {config.relpath(raw_dir)}")
    catalog = read_catalog(raw_dir)
    convention = load_convention(raw_dir)  # dxminutes.toml: speaker patterns, role words, defaults
    files = minutes_files(raw_dir)
    stems = pd.Series([Path(file).stem for file in files], dtype="str")
    duplicated = set(stems[stems.duplicated(keep=False)])
    parsed, failures = [], []
    for file in tqdm(files, desc="loading minutes", disable=not progress):
        try:
            row = convention.row_for(file, catalog_row(catalog, file))
            if is_structured(file):
                stem = file if Path(file).stem in duplicated else Path(file).stem
                items = _parse_structured(raw_dir / file, row, file)
                ids = _structured_doc_ids(stem, len(items))
                parsed += [(doc, item) for doc, (_, item) in zip(ids, items)]
                continue
            result = _parse(raw_dir / file, row, file, convention)
        except InputError as exc:
            failures.append({"file": file, "problem": exc.problem})
            continue
        except Exception as exc:  # a parser bug on one unusual file must not stop a whole build
            failures.append({"file": file, "problem": f"unexpected error ({type(exc).__name__}: {exc})"})
            continue
        stem = Path(file).stem
        parsed.append((file if stem in duplicated else stem, result))
    corpus = _tables(parsed, failures)
    if not convention.warnings:
        return corpus
    extra = pd.DataFrame({"file": CONVENTION_FILE, "message": list(convention.warnings)})
    warnings = pd.concat([extra, corpus.warnings], ignore_index=True).astype(TABLE_SCHEMAS["warnings"])
    return replace(corpus, warnings=warnings)


def minutes_files(raw_dir: Path | str) -> list[str]:
    """Relative POSIX paths of the files below `raw_dir` that may be minutes (not the catalog, READMEs, hidden files)."""
    raw_dir = Path(raw_dir)
    files = []
    for path in raw_dir.rglob("*"):
        relative = path.relative_to(raw_dir)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if path.name in NOT_MINUTES or path.name.upper().startswith("README"):
            continue
        files.append(relative.as_posix())
    return sorted(files)


def build(raw_dir: Path | str | None = None, processed_dir: Path | str | None = None) -> Corpus:
    """Load the corpus and write `{table}.parquet` for every table into `processed_dir` atomically."""
    raw_dir = Path(raw_dir or config.RAW_DIR).resolve()
    processed_dir = Path(processed_dir or config.PROCESSED_DIR).resolve()
    if processed_dir == raw_dir or raw_dir in processed_dir.parents:
        raise ValueError("the processed folder must not be inside the raw folder")
    corpus = load_corpus(raw_dir)
    processed_dir.mkdir(parents=True, exist_ok=True)
    for name in CORPUS_TABLES:
        with atomic_path(processed_dir / f"{name}.parquet") as tmp:
            getattr(corpus, name).to_parquet(tmp, index=False)
    return corpus


def read_processed(processed_dir: Path | str | None = None) -> Corpus:
    """Read the tables `build` wrote."""
    processed_dir = Path(processed_dir or config.PROCESSED_DIR)
    tables = {}
    for name in CORPUS_TABLES:
        path = processed_dir / f"{name}.parquet"
        if not path.exists():
            raise FileNotFoundError(
                f"{config.relpath(path)} not found: run `python -m dxminutes build` first"
            )
        tables[name] = pd.read_parquet(path)
    return Corpus(**tables)


def inspect_file(path: Path | str) -> dict:
    """Everything the loader finds in one file, as a JSON-ready dict (the catalog next to the file is applied)."""
    path = Path(path)
    convention = load_convention(path.parent)
    row = convention.row_for(path.name, catalog_row(read_catalog(path.parent), path.name))
    if is_structured(path):
        items = _parse_structured(path, row, path.name)
        parsed = items[0][1]
        if len(items) > 1:
            note = f"the file holds {len(items)} documents; the first ({items[0][0]}) is shown"
            parsed = replace(parsed, warnings=(*parsed.warnings, note))
    else:
        parsed = _parse(path, row, path.name, convention)
    meta = parsed.meta
    turns = parsed.segmentation.turns
    return {
        "file": parsed.raw.path,
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
            {key: _plain(row[key]) for key in ("speaker", "speaker_label", "role", "text")}
            for row in turns.to_dict("records")
        ],
        "non_speech": [
            {key: _plain(row[key]) for key in ("kind", "text")}
            for row in parsed.segmentation.non_speech.to_dict("records")
        ],
        "warnings": list(convention.warnings)
        + list(parsed.warnings)
        + ([NO_SPEAKERS] if turns.empty else []),
    }


def _parse(
    path: Path, row: Mapping | None, file: str | None, convention: Convention | None = None
) -> _Parsed:
    raw = read_raw(path)
    file = file or path.name
    sha256 = sha256_file(path)
    result = clean(raw.text)
    meta = document_metadata(result.text, file, row, raw_text=raw.text)
    segmentation = segment(result.text, convention)
    warnings = list(raw.warnings) + list(meta.warnings) + list(missing_metadata_warnings(file, meta, sha256))
    warnings += [message for message in segmentation.warnings if message != NO_SPEAKERS]
    if row and row.get("sha256") and row["sha256"] != sha256:
        warnings.append("sha256 differs from the catalog: the file changed since it was catalogued")
    return _Parsed(raw, file, sha256, result.text, result.report, meta, segmentation, tuple(warnings))


# --- structured files (CSV, TSV, Excel, JSON): turns come from the rows ------------------------


def _parse_structured(path: Path, row: Mapping | None, file: str | None) -> list[tuple[str | None, _Parsed]]:
    """One `_Parsed` per document of a structured file; its turns come from the rows, not from `segment`."""
    structured = read_structured(path)
    file = file or path.name
    sha256 = sha256_file(path)
    out = []
    for doc in structured.documents:
        turns = doc.turns[list(SEGMENT_TURN_COLUMNS)].copy()
        turns["text"] = [clean(text).text.strip() for text in turns["text"].tolist()]
        turns = turns.loc[turns["text"].str.strip() != ""].reset_index(drop=True)
        turns["position"] = range(len(turns))
        joined = "\n".join(
            f"{label}: {text}" if label else text
            for label, text in zip(turns["speaker_label"], turns["text"])
        )
        result = clean(joined)
        meta = structured_metadata(doc.metadata, file, row)
        non_speech = pd.DataFrame(
            [{"position": i, "kind": "header", "text": text} for i, text in enumerate(doc.non_speech)],
            columns=list(SEGMENT_NON_SPEECH_COLUMNS),
        )
        segmentation = Segmentation(
            turns.astype({"position": "int64"}), non_speech.astype({"position": "int64"}), ()
        )
        warnings = [
            *structured.warnings,
            *doc.warnings,
            *meta.warnings,
            *missing_metadata_warnings(file, meta, sha256),
        ]
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


def _structured_doc_ids(stem: str, n_documents: int) -> list[str]:
    """The file stem for a one-document file, else `stem-001`, `stem-002`, … in order of appearance."""
    return [stem] if n_documents == 1 else [f"{stem}-{i + 1:03d}" for i in range(n_documents)]


def _tables(parsed: list[tuple[str, _Parsed]], failures: list[dict]) -> Corpus:
    documents, turns, non_speech, cleaning, warnings = [], [], [], [], []
    failures = list(failures)
    for doc_id, item in parsed:
        warnings += [{"file": item.file, "message": message} for message in item.warnings]
        seg = item.segmentation
        if seg.turns.empty:
            failures.append({"file": item.file, "problem": NO_SPEAKERS})
            continue
        meta = item.meta.as_dict()
        meta["municipality"] = meta["municipality"] or UNKNOWN_MUNICIPALITY  # source stays `none`
        documents.append(
            {
                "doc_id": doc_id,
                "file": item.file,
                "format": item.raw.format,
                "encoding": item.raw.encoding,
                **meta,
                "sha256": item.sha256,
                "n_chars": len(item.cleaned),
                "n_turns": len(seg.turns),
                "n_non_speech": len(seg.non_speech),
            }
        )
        ordered = seg.turns.sort_values("position", kind="mergesort").reset_index(drop=True)
        for position, turn in enumerate(ordered.to_dict("records")):
            turns.append(
                {
                    "turn_id": f"{doc_id}:{position:04d}",
                    "doc_id": doc_id,
                    "municipality": meta["municipality"],
                    "meeting_date": meta["meeting_date"],
                    "position": position,
                    "speaker_label": turn["speaker_label"],
                    "speaker": turn["speaker"],
                    "role": turn["role"],
                    "text": turn["text"],
                    "n_chars": len(turn["text"]),
                }
            )
        non_speech += [{"doc_id": doc_id, **part} for part in seg.non_speech.to_dict("records")]
        cleaning += [{"doc_id": doc_id, **step} for step in item.cleaning_report.to_dict("records")]
    rows = {
        "documents": documents,
        "turns": turns,
        "non_speech": non_speech,
        "cleaning": cleaning,
        "failures": failures,
        "warnings": warnings,
    }
    return Corpus(**{name: _frame(rows[name], TABLE_SCHEMAS[name]) for name in CORPUS_TABLES})


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
    parser.add_argument("--json", action="store_true", help="print JSON instead of a summary")
    parser.set_defaults(func=_inspect_command)


def _build_command(args: argparse.Namespace) -> int:
    processed_dir = args.out or config.PROCESSED_DIR
    corpus = build(args.data, processed_dir)
    print(f"{len(corpus.documents)} documents, {len(corpus.turns)} turns → {config.relpath(processed_dir)}")
    for row in corpus.warnings.to_dict("records"):
        print(f"warning: {row['file']}: {row['message']}", file=sys.stderr)
    if corpus.failures.empty:
        return 0
    print(f"{len(corpus.failures)} file(s) could not be loaded:", file=sys.stderr)
    for row in corpus.failures.to_dict("records"):
        print(f"  {row['file']}: {row['problem']}", file=sys.stderr)
    return 1


def _inspect_command(args: argparse.Namespace) -> int:
    try:
        result = inspect_file(args.file)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(_summary(result))
    if not result["turns"]:
        print(f"error: {result['file']}: {NO_SPEAKERS}", file=sys.stderr)
        return 1
    return 0


def _summary(result: dict) -> str:
    meta = result["metadata"]
    lines = [f"{result['file']}  ({result['format']}, {result['encoding']}, {result['n_chars']} characters)"]
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
