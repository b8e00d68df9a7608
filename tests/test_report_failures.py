"""A failed report says what failed: ERROR.txt names notebook and cell and holds the full traceback;
the console summary says whether a previous report exists (real kernels, notebooks built to fail)."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import nbformat
import pytest

from dxminutes.cli import build_parser
from dxminutes.report import render

DEMO = Path(__file__).parent / "data" / "nb" / "01-demo.py"

#: A notebook whose third code cell fails two calls deep, so the traceback has frames to show.
BROKEN = """\
# %% [markdown]
# # Broken on purpose

# %%
def outer_step(x):
    return inner_step(x)


def inner_step(x):
    raise ValueError(f"boom at {x}")

# %%
value = 41

# %%
result = outer_step(value + 1)

# %%
print("never reached")
"""


def _folder(tmp_path: Path, broken: bool) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    shutil.copy(DEMO, folder / DEMO.name)
    if broken:
        (folder / "02-broken.py").write_text(BROKEN, encoding="utf-8")
    return folder


def _cli(notebooks: Path, out: Path) -> tuple[int, str]:
    args = build_parser().parse_args(
        ["report", "--notebooks", str(notebooks / "0*.py"), "--out", str(out), "--no-build", "--quiet"]
    )
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        rc = args.func(args)
    return rc, stderr.getvalue()


@pytest.mark.slow
def test_error_txt_names_notebook_and_cell_and_holds_the_full_traceback(tmp_path):
    folder = _folder(tmp_path, broken=True)
    out = tmp_path / "out"
    with pytest.raises(render.ReportError, match=r"02-broken\.py: cell 3 \('result = outer_step") as caught:
        render.run_report(
            folder, parameters={}, reports_dir=out, notebooks_out=out / "notebooks", timeout=300
        )
    assert caught.value.failed_dir == out / ".failed"
    error = (out / ".failed" / "ERROR.txt").read_text(encoding="utf-8")
    first, _, rest = error.partition("\n")
    assert (
        first
        == "notebook 02-broken.py: cell 3 ('result = outer_step(value + 1)') raised ValueError: boom at 42"
    )
    assert "notebook: 02-broken.py" in rest and "cell: 3" in rest
    # the full traceback: both frames of the failing call, in order, and the error last
    assert rest.index("outer_step") < rest.index("inner_step") < rest.rindex("ValueError: boom at 42")
    assert "\x1b[" not in error  # ANSI colour codes stripped
    # the notebook up to the failure is kept beside ERROR.txt, the previous notebooks too
    kept = nbformat.read(out / ".failed" / "notebooks" / "02-broken.ipynb", as_version=4)
    assert any(o.get("output_type") == "error" for c in kept.cells for o in c.get("outputs", []))
    assert (out / ".failed" / "notebooks" / "01-demo.ipynb").exists()
    assert not (out / "html").exists()  # nothing of the failed run in the report's place


@pytest.mark.slow
def test_the_console_says_there_was_no_previous_report(tmp_path):
    out = tmp_path / "fresh"
    rc, printed = _cli(_folder(tmp_path, broken=True), out)
    assert rc == 1
    assert (
        "REPORT FAILED: notebook 02-broken.py: cell 4 ('result = outer_step" in printed
    )  # 4: after the injected cell
    assert f"there was no previous report in {out}/" in printed
    assert "unchanged" not in printed
    assert f"{out / '.failed'}/" in printed and (out / ".failed" / "ERROR.txt").exists()


@pytest.mark.slow
def test_the_console_says_the_previous_report_is_unchanged_when_there_is_one(tmp_path):
    out = tmp_path / "out"
    folder = _folder(tmp_path, broken=False)
    rc, printed = _cli(folder, out)
    assert rc == 0 and "report written to" in printed
    before = (out / "html" / "index.html").read_bytes()
    (folder / "02-broken.py").write_text(BROKEN, encoding="utf-8")
    rc, printed = _cli(folder, out)
    assert rc == 1
    assert f"the previous report in {out}/ is unchanged" in printed
    assert "no previous report" not in printed
    assert (out / "html" / "index.html").read_bytes() == before


def test_summary_mentions_failed_output_only_when_it_exists(tmp_path):
    """A failure before any notebook ran (e.g. no notebooks) leaves no .failed folder to point at."""
    text = render._summary(tmp_path, None, None, "no notebooks matching '0*.py' in x")
    assert "there was no previous report" in text and ".failed" not in text
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "index.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / ".failed").mkdir()
    (tmp_path / ".failed" / "ERROR.txt").write_text("x\n", encoding="utf-8")
    text = render._summary(tmp_path, None, None, "boom")
    assert "is unchanged" in text and "ERROR.txt (with the traceback)" in text
