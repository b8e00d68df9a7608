"""Timing and memory helpers for the benchmark suite (benchmarks/run.py).

Each measured stage runs in a fresh Python subprocess (`run_child`), so one stage's imports,
caches and heap never flatter or burden the next. The child times only the stage call itself
(`time.perf_counter`, inputs are read from the work folder before the clock starts and outputs
written after it stops) and reports, as one JSON line on stdout, the wall time and its peak
resident set size: `resource.getrusage(RUSAGE_SELF).ru_maxrss` read in the child at the end (so it
includes the interpreter, the imports and the stage's inputs: the memory a user needs to run that
stage, not an increment). RUSAGE_CHILDREN in the parent is not used because it reports the
maximum over every child waited for so far, not the last one.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

RESULT_PREFIX = "@@BENCH "


@dataclass
class StageResult:
    stage: str
    scale: int
    n_chars: int
    seconds: list[float] = field(default_factory=list)
    peak_rss_mb: float | None = None
    status: str = "ok"  # 'ok', 'not available', 'error'
    note: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def chars_per_s(self) -> float | None:
        m = self.median
        return self.n_chars / m if m else None


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


class Timer:
    """Context manager measuring wall time with perf_counter: `with Timer() as t: ...; t.seconds`."""

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self._start


def report_child(seconds: float, **extra) -> None:
    """Called in the child: print the result line the parent parses."""
    payload = {"seconds": seconds, "peak_rss_mb": peak_rss_mb(), **extra}
    print(RESULT_PREFIX + json.dumps(payload, ensure_ascii=False), flush=True)


def run_child(argv: list[str], *, timeout: float = 3600, env: dict | None = None) -> dict:
    """Run `python argv…` in a fresh process and return its result dict.

    A child that fails returns {'status': 'error', 'note': last stderr line}; a child that
    reports `status: not available` (a package module missing) passes that through.
    """
    child_env = {**os.environ, "PYTHONHASHSEED": "0", "MPLBACKEND": "Agg", **(env or {})}
    try:
        proc = subprocess.run(
            [sys.executable, *argv], capture_output=True, text=True, timeout=timeout, env=child_env
        )
    except subprocess.TimeoutExpired:
        return {"status": "error", "note": f"timed out after {timeout:.0f} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return {"status": "ok", **json.loads(line[len(RESULT_PREFIX) :])}
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    return {"status": "error", "note": lines[-1][:200] if lines else f"exit code {proc.returncode}"}


def target(
    name: str, value: float | None, threshold: float, *, higher_is_better: bool = True, unit: str = "×"
) -> dict:
    """A target row: PASS/MISS with the margin (how far above/below the threshold, in %)."""
    if value is None:
        return {
            "target": name,
            "value": "n/a",
            "threshold": f"{threshold:g}{unit}",
            "result": "n/a",
            "margin": "not measured",
        }
    ok = value >= threshold if higher_is_better else value <= threshold
    margin = (value / threshold - 1) * 100 if threshold else float("inf")
    sign = ">=" if higher_is_better else "<="
    return {
        "target": name,
        "value": f"{value:.3g}{unit}",
        "threshold": f"{sign} {threshold:g}{unit}",
        "result": "PASS" if ok else "MISS",
        "margin": f"{margin:+.0f}%" if ok else f"misses by {abs(margin):.0f}%",
    }


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict:
    """Cores, memory, OS, Python and the versions of the libraries that set the speed."""
    try:
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        memory = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "unknown"
    info = {
        "cores": str(os.cpu_count()),
        "cores usable": str(len(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else "?",
        "memory": memory,
        "platform": platform.platform(terse=True),
        "processor": platform.machine(),
        "python": platform.python_version(),
    }
    for dist in (
        "janome",
        "sudachipy",
        "sudachidict-core",
        "pandas",
        "scikit-learn",
        "numpy",
        "scipy",
        "dask",
        "distributed",
    ):
        info[dist] = _version(dist)
    return info


def markdown_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """A GitHub Markdown table of `rows` (dicts) in `columns` order."""
    if not rows:
        return "(no rows)\n"
    columns = columns or list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def fmt_seconds(s: float | None) -> str:
    if s is None:
        return "n/a"
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def fmt_rate(r: float | None) -> str:
    if r is None:
        return "n/a"
    return f"{r / 1e6:.2f} M" if r >= 1e6 else f"{r / 1e3:.0f} k"


def repeat_to_size(unit: str, n_bytes: int) -> str:
    """`unit` repeated to at most `n_bytes` of UTF-8, cut after the last whole line that fits."""
    data = unit.encode("utf-8")
    blob = (data * -(-n_bytes // len(data)))[:n_bytes]
    return blob[: blob.rfind(b"\n") + 1].decode("utf-8")


def per_char_ratio(
    seconds: float | None, n_chars: int, ref_seconds: float | None, ref_chars: int
) -> float | None:
    """Time per character of a run relative to a reference run (1.0 = the same cost per character)."""
    if not seconds or not ref_seconds or not n_chars or not ref_chars:
        return None
    return (seconds / n_chars) / (ref_seconds / ref_chars)
