"""Atomic file writes: every output is written next to its target and moved in place.

An interrupted run therefore never leaves a half-written table, figure, cache shard or
notebook that a later run would read as valid.
"""
from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: os.PathLike | str) -> Iterator[Path]:
    """Yield a temporary path next to `path`; on success move it onto `path`, else delete it.

    The temporary name keeps the suffix last (`.name.<pid>.<thread>.tmp.png`), so writers that
    infer the format from the extension (matplotlib, pandas) still do.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.{threading.get_ident()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path: os.PathLike | str, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` on a temporary file next to `path`, then move it onto `path`."""
    with atomic_path(path) as tmp:
        write(tmp)
    return Path(path)


def atomic_write_bytes(path: os.PathLike | str, data: bytes) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))
