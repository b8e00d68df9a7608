"""File I/O shared by every stage: atomic writes and content hashes.

Every output is written next to its target and moved in place.

An interrupted run therefore never leaves a half-written table, figure, cache shard or
notebook that a later run would read as valid.
"""

from __future__ import annotations

__all__ = ["ALLOW_OUTSIDE_LINKS_ENV", "atomic_path", "atomic_write", "atomic_write_bytes", "leaves_folder", "read_toml", "sha256_bytes", "sha256_file", "sha256_text", "special_kind"]  # fmt: skip

import contextlib
import hashlib
import os
import stat
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


def sha256_file(path: os.PathLike | str | None) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks; '' for no file (part of settings keys)."""
    if path is None:
        return ""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """Hex SHA-256 of `text` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Set to 1 to read symlinks that point outside the data folder (refused by default).
ALLOW_OUTSIDE_LINKS_ENV = "DXMINUTES_ALLOW_OUTSIDE_LINKS"


def special_kind(mode: int) -> str:
    """What a non-regular file is, for messages."""
    for test, kind in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return kind
    return "unknown kind"


def leaves_folder(path: os.PathLike | str, root: os.PathLike | str) -> bool:
    """True when `path` (through a symlink) resolves outside `root`, unless the user allowed it
    with DXMINUTES_ALLOW_OUTSIDE_LINKS=1. Reads of the data folder stay inside it."""
    if os.environ.get(ALLOW_OUTSIDE_LINKS_ENV) == "1":
        return False
    real, base = os.path.realpath(path), os.path.realpath(root)
    return not (real == base or real.startswith(base.rstrip(os.sep) + os.sep))


def read_toml(path: os.PathLike | str, error: type[Exception], what: str, name: str) -> dict:
    """Parse a UTF-8 TOML file; any problem raises `error` with `name` (the shown path) and `what`.

    Shared by the theme, frame and convention files, so each bad file gets the same clear,
    one-line message: unreadable, not UTF-8 (with the byte offset), or a TOML syntax error.
    """
    import tomllib

    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):  # a FIFO would block the read forever, a device never end
            raise error(f"{name}: {what} is not a regular file ({special_kind(mode)}); refused")
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise error(f"{name}: cannot read {what} ({exc.strerror or exc})") from exc
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise error(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{name}: TOML syntax error: {exc}") from exc
