"""One progress bar for every long stage (build: files, structured reader: row chunks, tokenize:
documents, report: notebooks).

`progress(iterable, total=…, desc=…, quiet=…)` wraps `tqdm`, always writing to stderr, so a bar
never reaches an output (tables go to files, `--json` and summaries to stdout). It is off when
`quiet` is true, and when stderr is not a terminal unless the environment sets
`DXMINUTES_PROGRESS=1` (then on, even into a log file; `DXMINUTES_PROGRESS=0` turns it off
everywhere). Inside `with silenced():` (what the commands' `--quiet` sets) no bar is shown.
"""

from __future__ import annotations

__all__ = ["PROGRESS_ENV", "T", "enabled", "progress", "silenced"]  # fmt: skip

import contextlib
import contextvars
import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

#: Environment variable: `1` shows bars even when stderr is not a terminal, `0` never shows them.
PROGRESS_ENV = "DXMINUTES_PROGRESS"

T = TypeVar("T")

_SILENCED = contextvars.ContextVar("dxminutes_progress_silenced", default=False)


@contextlib.contextmanager
def silenced():
    """No bar inside this block (a command's `--quiet`), whatever the terminal or the environment."""
    token = _SILENCED.set(True)
    try:
        yield
    finally:
        _SILENCED.reset(token)


def enabled(quiet: bool = False) -> bool:
    """Whether a bar is shown: not `quiet`, and stderr a terminal (or `DXMINUTES_PROGRESS=1`)."""
    if quiet or _SILENCED.get():
        return False
    setting = os.environ.get(PROGRESS_ENV, "").strip()
    if setting == "1":
        return True
    if setting == "0":
        return False
    stream = sys.stderr
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def progress(
    iterable: Iterable[T], *, total: int | None = None, desc: str, quiet: bool = False
) -> Iterator[T]:
    """`iterable`, with a tqdm bar on stderr when `enabled(quiet)`; the items are passed through unchanged."""
    if not enabled(quiet):
        yield from iterable
        return
    from tqdm import tqdm

    bar = tqdm(iterable, total=total, desc=desc, file=sys.stderr, leave=False, dynamic_ncols=True)
    try:
        yield from bar
    finally:
        bar.close()
