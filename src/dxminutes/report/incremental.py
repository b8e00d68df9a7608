"""Incremental report runs: which inputs a notebook depends on, and the record of its last run.

A notebook is executed again only when one of its inputs changed (its source, the run's
parameters and folders, the raw minutes, the theme file, the package's code and resources, the
pinned lock file) or one of the outputs it wrote last time is missing or altered. The record of
each run lives in `<processed>/cache/report/`.
"""

from __future__ import annotations

__all__ = ["PATH_PARAMETERS", "cached_run", "input_files", "input_fingerprint", "outputs_intact", "record_path", "snapshot", "write_record"]  # fmt: skip

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from dxminutes import config
from dxminutes._io import atomic_write, sha256_file

#: Parameters that are folders or files, with the environment variable config.py reads.
PATH_PARAMETERS = {
    "RAW_DIR": "DXMINUTES_RAW_DIR",
    "PROCESSED_DIR": "DXMINUTES_PROCESSED_DIR",
    "REPORTS_DIR": "DXMINUTES_REPORTS_DIR",
    "THEMES_PATH": "DXMINUTES_THEMES",
}


def input_files(env: Mapping[str, str]) -> list[tuple[str, Path]]:
    """(label, path) of every file whose content can change a notebook's outputs."""
    raw = Path(env.get("DXMINUTES_RAW_DIR") or config.RAW_DIR)
    themes = Path(env.get("DXMINUTES_THEMES") or config.THEMES_PATH)
    files = [
        ("package/" + p.relative_to(config.PACKAGE_DIR).as_posix(), p)
        for p in sorted(config.PACKAGE_DIR.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    ]
    files += [("raw/" + p.relative_to(raw).as_posix(), p) for p in sorted(raw.rglob("*")) if p.is_file()]
    lock = config.PROJECT_DIR / "requirements" / "lock.txt"
    files += [("themes", themes)] + ([("lock", lock)] if lock.exists() else [])
    return files


def input_fingerprint(source: Path, parameters: Mapping, env: Mapping[str, str]) -> str:
    """A hash of everything a notebook's run depends on (see the module docstring)."""
    h = hashlib.sha256(source.read_bytes())
    h.update(json.dumps({k: str(v) for k, v in sorted(parameters.items())}).encode())
    for var in sorted(PATH_PARAMETERS.values()):
        h.update(f"{var}={env.get(var, '')}".encode())
    for label, path in input_files(env):
        h.update(f"{label}:{sha256_file(path)}".encode())
    return h.hexdigest()


def snapshot(reports_dir: Path) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file below `reports_dir`, to tell which files a run wrote."""
    return (
        {
            p.relative_to(reports_dir).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(reports_dir.rglob("*"))
            if p.is_file()
        }
        if reports_dir.exists()
        else {}
    )


def record_path(env: Mapping[str, str], source: Path) -> Path:
    """Where the record of `source`'s last run lives."""
    processed = Path(env.get("DXMINUTES_PROCESSED_DIR") or config.PROCESSED_DIR)
    return processed / "cache" / "report" / f"{source.stem}.json"


def outputs_intact(record: dict, reports_dir: Path, notebooks_dir: Path) -> bool:
    """True when every output the record lists is still there with the recorded content."""
    roots = {"reports": reports_dir, "notebooks": notebooks_dir}
    for key, digest in record["outputs"].items():
        root, _, rel = key.partition("/")
        path = roots[root] / rel
        if not path.is_file() or sha256_file(path) != digest:
            return False
    return True


def cached_run(record_path: Path, fingerprint: str, reports_dir: Path, notebooks_dir: Path) -> dict | None:
    """The record of the last run when its inputs and outputs are unchanged, else None."""
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    if record.get("fingerprint") != fingerprint or not outputs_intact(record, reports_dir, notebooks_dir):
        return None
    return record


def write_record(path: Path, fingerprint: str, title: str, outputs: Mapping[str, str]) -> Path:
    """Record a notebook's run: its input fingerprint, title and the hashes of its outputs."""
    payload = {"fingerprint": fingerprint, "title": title, "outputs": dict(outputs)}
    return atomic_write(
        path, lambda p: p.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    )
