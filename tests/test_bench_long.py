"""The long-document benchmark stage: its inputs and its report (timings themselves are not asserted)."""

from __future__ import annotations

import importlib.util

from dxminutes import config


def _module(name: str, file: str):
    """benchmarks/ is not a package: load its script under a name of its own."""
    spec = importlib.util.spec_from_file_location(name, config.BENCHMARKS_DIR / file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _module("dxminutes_bench_run", "run.py")  # puts benchmarks/ on sys.path for its `import harness`
harness = run.harness


def test_repeat_to_size_cuts_whole_lines_of_the_unit():
    unit = "一行目です。\n二行目\n"
    text = harness.repeat_to_size(unit, 100)
    assert len(text.encode("utf-8")) <= 100
    assert text.endswith("\n") and (unit * 10).startswith(text)
    assert len((text + unit).encode("utf-8")) > 100 - len(
        unit.encode("utf-8")
    )  # nothing more would fit whole


def test_per_char_ratio():
    assert harness.per_char_ratio(10.0, 1000, 1.0, 100) == 1.0
    assert harness.per_char_ratio(3.0, 1000, 1.0, 100) == 0.3
    assert harness.per_char_ratio(None, 1000, 1.0, 100) is None


def test_render_long_reports_every_size_and_the_targets():
    sizes = {label: {"bytes": n, "n_chars": n // 3} for label, n, _ in run.LONG_SIZES}
    results = {}
    for mode in run.LONG_MODES:
        results[mode] = {}
        for index, (label, n, _) in enumerate(run.LONG_SIZES):
            r = harness.StageResult(
                stage=mode, scale=1, n_chars=n // 3, seconds=[n / 3e5 * (1.0, 1.2, 3.0)[index]]
            )
            results[mode][label] = r
    text = run.render_long({"results": results, "sizes": sizes})
    assert "## Long documents" in text
    for label, _, _ in run.LONG_SIZES:
        assert f"| {label} |" in text
    # per character, 3 MB costs 1.2× the 60 KB file, 30 MB 3×: a PASS and a MISS per mode at 1.5×
    assert text.count("| PASS |") == text.count("| MISS |") == len(run.LONG_MODES)
    assert "| 1.20× |" in text and "| 3.00× |" in text
    assert "time/char 30 MB vs 60 KB: build" in text and "time/char 3 MB vs 60 KB: load" in text
