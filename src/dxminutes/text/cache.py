"""A small on-disk store of JSON shards with atomic writes and integrity checks.

A shard is one file `<root>/<namespace>/<name>.json` holding a JSON object. The file starts with
a header line giving the payload's length and SHA-256, so a file truncated mid-write or damaged
later is detected and reported as corrupt (the caller recomputes), never read as valid. Writes go
to a temporary file in the same folder and are moved in place with `os.replace`, so readers see
the old shard or the new one, nothing in between. JSON (not pickle) keeps a cache folder from
ever executing code.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

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
        header, sep, payload = raw.partition(b"\n")
        if not sep or not header.startswith(_MAGIC):
            return None, "corrupt"
        try:
            length, digest = header[len(_MAGIC) :].decode("ascii").split()
            if int(length) != len(payload) or hashlib.sha256(payload).hexdigest() != digest:
                return None, "corrupt"
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError):
            return None, "corrupt"
        return (data, "ok") if isinstance(data, dict) else (None, "corrupt")

    def write(self, namespace: str, name: str, data: dict) -> None:
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        header = _MAGIC + f"{len(payload)} {hashlib.sha256(payload).hexdigest()}\n".encode("ascii")
        with atomic_path(self.path(namespace, name)) as tmp:
            tmp.write_bytes(header + payload)
