"""`benchmarks/run.py --quick` runs every stage end to end and writes a report (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dxminutes import config


def _stages() -> dict:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", config.BENCHMARKS_DIR / "run.py")
    sys.path.insert(0, str(config.BENCHMARKS_DIR))
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(config.BENCHMARKS_DIR))
    return module.STAGES


@pytest.mark.slow
def test_quick_benchmark_runs_and_reports(tmp_path):
    out = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [
            sys.executable,
            str(config.BENCHMARKS_DIR / "run.py"),
            "--quick",
            "--out",
            str(out),
            "--work",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    for heading in ("## Machine", "## Stages", "## Targets", "janome vs sudachi"):
        assert heading in text
    stage_rows = [ln for ln in text.splitlines() if ln.startswith("| 1× |") and ln.count("|") == 8]
    assert len(stage_rows) == len(_stages())  # one row per stage of benchmarks/run.py
    # every stage ran, except `make report`, which --quick skips
    assert all("| ok |" in ln for ln in stage_rows if "make report" not in ln), stage_rows
    assert "PASS" in text or "MISS" in text
    assert str(tmp_path) not in text and str(config.PROJECT_DIR) not in text
    assert not (config.BENCHMARKS_DIR / "RESULTS.md").exists() or "--quick" not in (
        config.BENCHMARKS_DIR / "RESULTS.md"
    ).read_text(encoding="utf-8")
