"""The seed report is byte-identical under another BLAS kernel and another hash seed (issue 19, item 8).

Another CPU makes OpenBLAS pick another kernel, which sums in another order: results change in
their last digits (1e-15). Nothing the report writes may change with them. This test runs the
real report path (`python -m dxminutes report --out DIR --force --n-boot 200`, default notebooks,
seed corpus) in subprocesses twice, side by side:

* with the machine's own kernel (`OPENBLAS_CORETYPE` unset);
* as on another machine: `OPENBLAS_CORETYPE` set to another core type (`ALTERNATIVE_CORETYPES`,
  the first that threadpoolctl reports as a different architecture from the default one in a
  subprocess; the test asserts that the kernel really changed, in numpy's and scipy's OpenBLAS
  alike), OpenBLAS on one thread instead of its default (another machine has another number of
  cores, which splits the sums differently too) and, on a CPU with AVX-512, numpy's own loops
  without it (`NPY_DISABLE_CPU_FEATURES`, as on a CPU that lacks it), and the command itself under
  another `PYTHONHASHSEED` (a user may run `.venv/bin/dxminutes report` without make, which sets 0).

Two runs that differ in all of that and still write the same bytes also show that a rerun does: a
separate rerun with the same settings (tried at first) added 2.5 minutes and no information.

and compares every file written (tables, figure CSV, PNG, SVG, executed notebooks, HTML pages,
explorer, processed tables; not the run records, `RUN_RECORDS`) byte for byte.

What it found, run by hand before the fixes (default settings, SkylakeX vs Haswell): the tables
and figure CSVs were already identical (written at 6 significant digits, now the stated
`config.TABLE_FLOAT_FORMAT`), but `03-network-dx.png`, `04-ca-biplot.png`/`.svg`, notebook 04
and the landing page were not: the CA biplot hid 4 labels under one kernel and 3 under the other,
and the network's nodes moved by a fraction of a pixel. The numbers that decide a layout or an
order now go through `config.layout_round` (`config.LAYOUT_DIGITS` = 10 significant digits)
first, with ties broken by name; after that the runs are byte-identical.

Runtime: 590 s for three reports (10 min for the module) on the development machine, whose
2 cores were shared by about seven sessions (load 5–6); a report alone takes ~2.5 min there. Two
reports run side by side on the two cores.
Marked slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dxminutes import config
from dxminutes.analysis.correspondence import correspondence_analysis

pytestmark = pytest.mark.slow  # reports are built under another BLAS kernel and hash seed

#: Core types tried, in order, for the second run; the first one that OpenBLAS maps to another
#: kernel than the machine's own is used (Haswell on an AVX-512 machine, SkylakeX elsewhere).
ALTERNATIVE_CORETYPES = ("Haswell", "SkylakeX", "Sandybridge", "Prescott")
#: Fewer bootstrap replicates than the default 1000, to save time: every notebook, table and
#: figure is still written, with the same code paths.
REPORT_OPTIONS = ("--n-boot", "200")
#: Environment variables that change which kernel or how many threads OpenBLAS uses.
BLAS_VARIABLES = (
    "OPENBLAS_CORETYPE",
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NPY_DISABLE_CPU_FEATURES",
)
#: Prints the OpenBLAS kernels numpy, scipy and sklearn load, and numpy's dispatched CPU features.
_PROBE = (
    "import json, numpy, scipy.linalg, sklearn, threadpoolctl; "
    "from numpy._core._multiarray_umath import __cpu_features__ as f, __cpu_dispatch__ as d; "
    "print(json.dumps([sorted({(i['prefix'], i.get('architecture'), i['num_threads']) "
    "for i in threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas'}), "
    "sorted(k for k in d if f.get(k))]))"
)


def _environment(**blas: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in BLAS_VARIABLES}
    env.update(PYTHONHASHSEED="0", MPLBACKEND="Agg", **blas)
    return env


def _kernels(env: dict[str, str]) -> tuple[list[tuple[str, str, int]], list[str]]:
    """(library, architecture, threads) of every OpenBLAS numpy, scipy and sklearn load, and the
    CPU features numpy's dispatched loops use."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True, timeout=120
    )
    blas, features = json.loads(out.stdout)
    return [tuple(k) for k in blas], features


def _report(out: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "dxminutes",
            "report",
            "--out",
            str(out),
            "--force",
            "--quiet",
            *REPORT_OPTIONS,
        ],
        cwd=config.PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )


#: Not compared: the run records of the incremental runner, which hash the run's absolute paths
#: (each run has its own folder) and are never tracked.
RUN_RECORDS = "processed/cache/report/"


#: Not compared either: OUT's runs (seen through its entry links instead) and the manifest,
#: which names the current run (`.runs/<id>`, a time and a process id).
RUN_BOOKKEEPING = (".runs", ".current", ".dxminutes-report.json")


def _tree(folder: Path) -> dict[str, bytes]:
    names = {}
    for root, dirs, files in os.walk(folder, followlinks=True):  # through OUT's entry links
        if Path(root) == folder:
            dirs[:] = [d for d in dirs if d not in RUN_BOOKKEEPING]
            files = [f for f in files if f not in RUN_BOOKKEEPING]
        names.update({(Path(root) / f).relative_to(folder).as_posix(): Path(root) / f for f in files})
    return {name: p.read_bytes() for name, p in sorted(names.items()) if not name.startswith(RUN_RECORDS)}


def _differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    only = sorted(set(a) ^ set(b))
    return [f"only in one run: {name}" for name in only] + [
        name for name in sorted(set(a) & set(b)) if a[name] != b[name]
    ]


@pytest.fixture(scope="module")
def alternative() -> tuple[dict[str, str], list, list]:
    """The environment of the other kernel, with the kernels of the default and of that one."""
    default = _kernels(_environment())
    assert default[0], "numpy/scipy load no OpenBLAS: this test cannot change the kernel"
    avx512 = [k for k in default[1] if "AVX512" in k or k == "X86_V4"]
    numpy_cpu = {"NPY_DISABLE_CPU_FEATURES": " ".join(avx512)} if avx512 else {}
    for coretype in ALTERNATIVE_CORETYPES:
        env = _environment(OPENBLAS_CORETYPE=coretype, OPENBLAS_NUM_THREADS="1", **numpy_cpu)
        other = _kernels(env)
        if {arch for _, arch, _ in other[0]}.isdisjoint({arch for _, arch, _ in default[0]}):
            return env, default, other
    pytest.fail(f"no core type of {ALTERNATIVE_CORETYPES} changes the OpenBLAS kernel from {default}")


def test_the_alternative_kernel_is_really_another_one(alternative):
    env, (blas, features), (other_blas, other_features) = alternative
    assert len(other_blas) == len(blas)  # the same libraries, each on another kernel
    for (lib_a, arch_a, _), (lib_b, arch_b, threads_b) in zip(blas, other_blas, strict=True):
        assert lib_a == lib_b and arch_a != arch_b and threads_b == 1
    disabled = env.get("NPY_DISABLE_CPU_FEATURES", "").split()
    assert set(other_features) == set(features) - set(disabled)
    assert not any("AVX512" in k or k == "X86_V4" for k in other_features)


@pytest.mark.slow
def test_report_is_byte_identical_under_another_blas_kernel_and_hash_seed(tmp_path, alternative):
    env, default, other = alternative
    runs = {"default": _environment(), "other-kernel": {**env, "PYTHONHASHSEED": "12345"}}
    with ThreadPoolExecutor(max_workers=2) as pool:  # two cores: the two kernels side by side
        done = dict(zip(runs, pool.map(lambda item: _report(tmp_path / item[0], item[1]), runs.items())))
    for name, result in done.items():
        assert result.returncode == 0, f"{name} run failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    trees = {name: _tree(tmp_path / name) for name in done}
    assert len(trees["default"]) > 100 and any(n.endswith(".ipynb") for n in trees["default"])
    for kind in (".csv", ".png", ".svg", ".ipynb", ".html"):
        assert any(n.endswith(kind) for n in trees["default"]), f"no {kind} file written"
    changed = _differences(trees["default"], trees["other-kernel"])
    assert not changed, f"{len(changed)} file(s) differ between {default} and {other}: {changed}"


# ----------------------------------------------------------------- the rounding, on known answers
def test_layout_round_puts_last_digit_changes_on_one_grid():
    values = np.array([0.1234567890123, -2.5, 1e-17, -1e-17, -0.0, np.nan, np.inf])
    got = config.layout_round(values)
    # 10 significant digits of the largest magnitude (2.5): 9 decimals; noise near 0 is exactly 0
    np.testing.assert_array_equal(got[:5], [0.123456789, -2.5, 0.0, 0.0, 0.0])
    assert np.isnan(got[5]) and got[6] == np.inf
    assert not np.signbit(got[2:5]).any()  # no -0.0, which %.6g would write as "-0"
    assert np.isnan(values[5]) and values[2] == 1e-17  # the input is not changed
    # a change in the 15th-16th digit (what another BLAS kernel does) gives the same array ...
    moved = values * (1 + np.array([1.6e-15, -2e-16, 3.0, -5.0, 0.0, 0.0, 0.0]))
    np.testing.assert_array_equal(config.layout_round(moved)[:5], got[:5])
    # ... while a change in the 9th digit does not
    assert config.layout_round(values * (1 + 1e-8))[0] != got[0]
    assert config.layout_round([[3.0, -4.0]]).shape == (1, 2)
    assert config.layout_round([]).size == 0 and config.layout_round([0.0, 0.0]).tolist() == [0.0, 0.0]


def test_layout_round_each_keeps_every_value_s_own_digits():
    got = config.layout_round([0.2, 3.9e-71, 4.7e-72, -1e-17, 0.1234567890123], each=True)
    np.testing.assert_array_equal(got, [0.2, 3.9e-71, 4.7e-72, -1e-17, 0.123456789])
    assert config.layout_round([1e-300, 2e-300]).tolist() == [1e-300, 2e-300]  # no overflow


def test_ca_axis_sign_goes_to_the_first_row_when_two_rows_mirror_each_other():
    """Rows a and b are mirror images (swap of columns x and y): on the first axis |a| = |b| up to
    the last digits, which the SVD decides differently on another kernel. The first row in label
    order is made positive, whichever order the columns come in."""
    table = pd.DataFrame([[12, 2, 5], [2, 12, 5], [6, 6, 9]], index=["a", "b", "c"], columns=["x", "y", "z"])
    for columns in (["x", "y", "z"], ["y", "x", "z"], ["z", "y", "x"]):
        rows = correspondence_analysis(table[columns]).row_coords.set_index("label")
        np.testing.assert_allclose(rows.loc["a", "dim1"], -rows.loc["b", "dim1"], rtol=1e-9)
        assert rows.loc["a", "dim1"] > 0
