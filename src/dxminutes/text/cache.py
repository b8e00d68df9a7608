"""Small on-disk stores of shards with atomic writes and integrity checks.

`TableStore` keeps Arrow tables (the token cache: columnar, dictionary-encoded, zstd-compressed
Parquet); `ShardStore` keeps JSON objects (small per-document records). Both share one file
layout: a header line with the payload's length and SHA-256, then the payload.

A JSON shard is one file `<root>/<namespace>/<name>.json` holding a JSON object. The file starts with
a header line giving the payload's length and SHA-256, so a file truncated mid-write or damaged
later is detected and reported as corrupt (the caller recomputes), never read as valid. Writes go
to a temporary file in the same folder and are moved in place with `os.replace`, so readers see
the old shard or the new one, nothing in between. JSON (not pickle) keeps a cache folder from
ever executing code.
"""

from __future__ import annotations

__all__ = ["ShardStore", "TableStore", "safe_name"]

import hashlib
import io
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dxminutes._io import atomic_path

_MAGIC = b"dxminutes-shard 1 "


def safe_name(name: str) -> str:
    """A file-name-safe, collision-free version of `name` (readable prefix + short hash)."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
    return f"{re.sub(r'[^0-9A-Za-z._-]', '_', name)[:80]}-{digest}"


class ShardStore:
    """JSON shards under `root`, grouped in namespaces (e.g. one per settings key)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, namespace: str, name: str) -> Path:
        return self.root / namespace / f"{safe_name(name)}.json"

    def read(self, namespace: str, name: str) -> tuple[dict | None, str]:
        """Return (data, status): status is 'ok', 'missing' or 'corrupt' (data None unless 'ok')."""
        try:
            raw = self.path(namespace, name).read_bytes()
        except FileNotFoundError:
            return None, "missing"
        payload = _unframed(raw, _MAGIC)
        if payload is None:
            return None, "corrupt"
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return None, "corrupt"
        return (data, "ok") if isinstance(data, dict) else (None, "corrupt")

    def write(self, namespace: str, name: str, data: dict) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        with atomic_path(self.path(namespace, name)) as tmp:
            tmp.write_bytes(_framed(payload, _MAGIC))


def _framed(payload: bytes, magic: bytes) -> bytes:
    return magic + f"{len(payload)} {hashlib.sha256(payload).hexdigest()}\n".encode("ascii") + payload


def _unframed(raw: bytes, magic: bytes) -> bytes | None:
    """The payload of a framed file, or None when the header, length or checksum is off."""
    header, sep, payload = raw.partition(b"\n")
    if not sep or not header.startswith(magic):
        return None
    try:
        length, digest = header[len(magic) :].decode("ascii").split()
        if int(length) != len(payload) or hashlib.sha256(payload).hexdigest() != digest:
            return None
    except (ValueError, UnicodeDecodeError):
        return None
    return payload


_TABLE_MAGIC = b"dxminutes-table 1 "


class TableStore:
    """Arrow tables under `root`, one framed Parquet file per (namespace, name).

    Strings are dictionary-encoded and pages zstd-compressed, so a token cache takes a few bytes
    per input character; reads verify the frame's checksum, so a truncated or damaged file is
    reported as corrupt and recomputed, never read as valid.
    """

    suffix = ".parquet"

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, namespace: str, name: str) -> Path:
        return self.root / namespace / f"{safe_name(name)}{self.suffix}"

    def read(self, namespace: str, name: str) -> tuple[pa.Table | None, str]:
        """Return (table, status): status is 'ok', 'missing' or 'corrupt' (table None unless 'ok')."""
        try:
            raw = self.path(namespace, name).read_bytes()
        except FileNotFoundError:
            return None, "missing"
        payload = _unframed(raw, _TABLE_MAGIC)
        if payload is None:
            return None, "corrupt"
        try:
            return pq.read_table(pa.BufferReader(payload)), "ok"
        except (pa.ArrowException, OSError, ValueError):
            return None, "corrupt"

    def write(self, namespace: str, name: str, table: pa.Table) -> None:
        buffer = io.BytesIO()
        pq.write_table(table, buffer, compression="zstd", use_dictionary=True)
        with atomic_path(self.path(namespace, name)) as tmp:
            tmp.write_bytes(_framed(buffer.getvalue(), _TABLE_MAGIC))
