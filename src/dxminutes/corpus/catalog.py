"""The raw-data catalog (`catalog.csv` in the raw folder) and checksums of the raw files.

One row per raw file: `file` (name relative to the raw folder), `municipality`, `prefecture`,
`body`, `meeting_title`, `meeting_date` (ISO), `record_kind` (`verbatim`, `summary`, `report`) and
`sha256` of the raw bytes. Empty cells mean "unknown": metadata is then taken from the text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from dxminutes import config
from dxminutes._io import sha256_file

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


def read_catalog(raw_dir: Path | str | None = None) -> pd.DataFrame:
    """The catalog of `raw_dir` as strings (empty cells → missing); an empty frame when there is none."""
    path = Path(raw_dir or config.RAW_DIR) / config.CATALOG_NAME
    if not path.exists():
        return pd.DataFrame({column: pd.Series(dtype="str") for column in CATALOG_COLUMNS})
    frame = pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    if "file" not in frame.columns:
        raise ValueError(f"{config.relpath(path)}: no 'file' column")
    frame = frame.reindex(columns=list(CATALOG_COLUMNS), fill_value="")  # optional columns may be absent
    frame = frame.apply(lambda column: column.str.strip())
    return frame.replace("", None)


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
