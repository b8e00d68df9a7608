"""The data contracts between stages: table columns and dtypes, and one column check.

Every stage reads and writes tidy tables whose columns are named here, so a table made by one
stage can be checked where the next stage receives it (`require_columns`).
"""

from __future__ import annotations

__all__ = ["CORPUS_TABLES", "DUPLICATE_KINDS", "METADATA_FIELDS", "SEGMENT_NON_SPEECH_COLUMNS", "SEGMENT_TURN_COLUMNS", "TABLE_SCHEMAS", "TOKEN_COLUMNS", "TURN_COLUMNS", "UNKNOWN_MUNICIPALITY", "require_columns"]  # fmt: skip

from collections.abc import Iterable

import pandas as pd

#: Metadata fields of a document, in column order.
METADATA_FIELDS = ("municipality", "prefecture", "body", "meeting_title", "meeting_date", "record_kind")

#: Where a metadata value came from (`{field}_source` columns): the catalog, the text, a column
#: of a structured file (CSV, Excel, JSON), the file name, or nowhere.
METADATA_SOURCES = ("catalog", "text", "column", "filename", "none")
#: Levels of the body holding a meeting (`body_level` column).
BODY_LEVELS = ("municipality", "prefecture", "national")
#: The group of turns whose document has no municipality: kept, never dropped from municipality tables.
UNKNOWN_MUNICIPALITY = "(不明)"

#: Kinds of duplicate documents: the same normalized text, or most character shingles shared.
DUPLICATE_KINDS = ("identical", "near")

#: Column → dtype of every corpus table; the order is the column order.
TABLE_SCHEMAS: dict[str, dict[str, str]] = {
    "documents": {
        "doc_id": "str",
        "file": "str",
        "format": "str",
        "encoding": "str",
        **dict.fromkeys(METADATA_FIELDS, "str"),
        "body_code": "str",  # 6-digit local government code (全国地方公共団体コード), None for 国
        "body_level": "str",  # BODY_LEVELS
        "sha256": "str",
        **{f"{name}_source": "str" for name in METADATA_FIELDS},
        "n_chars": "int64",
        "n_turns": "int64",
        "n_non_speech": "int64",
        # False: no speaker convention was recognized and the text is one unsegmented turn
        # (speaker 不明, role unknown); speaker- and role-level analyses leave such documents out
        # (`corpus.segment.segmented_turns`)
        "segmented": "bool",
    },
    "turns": {
        "turn_id": "str",
        "doc_id": "str",
        "municipality": "str",
        "meeting_date": "str",
        "position": "int64",
        "speaker_label": "str",
        "speaker": "str",
        "role": "str",
        "text": "str",
        "n_chars": "int64",
    },
    "non_speech": {"doc_id": "str", "position": "int64", "kind": "str", "text": "str"},
    "cleaning": {
        "doc_id": "str",
        "step": "str",
        "order": "int64",
        "n_changes": "int64",
        "chars_before": "int64",
        "chars_after": "int64",
        "example_before": "str",
        "example_after": "str",
    },
    "failures": {"file": "str", "problem": "str"},
    "warnings": {"file": "str", "message": "str"},
    # one row per document left out as a copy of another (`corpus.duplicates`); kind: DUPLICATE_KINDS
    "duplicates": {
        "kept_file": "str",
        "dropped_file": "str",
        "similarity": "float64",
        "kind": "str",
        "kept_doc_id": "str",
        "dropped_doc_id": "str",
    },
}
CORPUS_TABLES = tuple(TABLE_SCHEMAS)

#: Columns of the corpus `turns` table.
TURN_COLUMNS = tuple(TABLE_SCHEMAS["turns"])
#: Columns of one document's turns as segmentation returns them (before ids and metadata).
SEGMENT_TURN_COLUMNS = ("position", "speaker_label", "speaker", "role", "text")
#: Columns of one document's non-speech parts as segmentation returns them.
SEGMENT_NON_SPEECH_COLUMNS = ("position", "kind", "text")
#: Columns of the token table (one row per kept token).
TOKEN_COLUMNS = ("turn_id", "doc_id", "municipality", "role", "i", "surface", "base", "pos", "term")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    """Raise ValueError naming the table and the missing columns when `frame` lacks any."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lacks column(s) {missing}")
