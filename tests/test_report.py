"""Tests for dxminutes.report.render: parameter injection, cleaning, sync checks and real runs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import jupytext
import nbformat
import pytest

from dxminutes import config
from dxminutes.cli import build_parser
from dxminutes.report import incremental
from dxminutes.report import render as report

DEMO = Path(__file__).parent / "data" / "nb" / "01-demo.py"


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def _code(source, tags=None, **kw):
    return nbformat.v4.new_code_cell(source, metadata={"tags": tags} if tags else {}, **kw)


# --- parameter injection ------------------------------------------------------------------------


def test_injected_cell_follows_parameters_cell_and_shows_relative_paths():
    nb = _nb(nbformat.v4.new_markdown_cell("# T"), _code("K = 3", ["parameters"]), _code("print(K)"))
    out = report.inject_parameters(
        nb, {"K": 7, "RAW_DIR": config.PROJECT_DIR / "data" / "raw", "THEMES_PATH": "/elsewhere/themes.toml"}
    )
    assert [c.source for c in nb.cells] == ["# T", "K = 3", "print(K)"]  # input untouched
    injected = out.cells[2]
    assert injected.metadata["tags"] == [report.INJECTED_TAG]
    assert "K = 7" in injected.source
    assert "RAW_DIR = 'data/raw'" in injected.source
    assert "THEMES_PATH = 'themes.toml'" in injected.source
    assert out.cells[3].source == "print(K)"
    # a second injection replaces the first instead of stacking
    again = report.inject_parameters(out, {"K": 9})
    tagged = [c for c in again.cells if report.INJECTED_TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "K = 9" in tagged[0].source and "RAW_DIR" not in tagged[0].source


def test_injection_without_parameters_cell_goes_first_and_nothing_when_empty():
    nb = _nb(_code("x = 1"))
    assert report.inject_parameters(nb, {"N_BOOT": 10}).cells[0].source.endswith("N_BOOT = 10")
    assert len(report.inject_parameters(nb, {}).cells) == 1
    with pytest.raises(ValueError):
        report.inject_parameters(nb, {"not a name": 1})


def test_kernel_environment_points_config_at_the_run(tmp_path):
    env = report.kernel_environment(
        {"RAW_DIR": tmp_path / "raw", "THEMES_PATH": tmp_path / "t.toml", "K": 4}, tmp_path / "rep"
    )
    assert env["DXMINUTES_RAW_DIR"] == str((tmp_path / "raw").resolve())
    assert env["DXMINUTES_THEMES"] == str((tmp_path / "t.toml").resolve())
    assert env["DXMINUTES_REPORTS_DIR"] == str((tmp_path / "rep").resolve())
    assert env["PYTHONHASHSEED"] == "0"
    assert "matplotlib_inline" in env["MPLBACKEND"]


# --- cleaning, titles, sync -----------------------------------------------------------------------


def test_clean_notebook_drops_timings_and_absolute_paths(tmp_path):
    secret = str(tmp_path / "reports")
    cell = _code("print(1)")
    cell.metadata["execution"] = {"iopub.execute_input": "2024-01-01T00:00:00Z"}
    cell.outputs = [
        nbformat.v4.new_output(
            "stream", name="stderr", text=f"{config.PROJECT_DIR}/src/dxminutes/x.py:3: UserWarning\n"
        ),
        nbformat.v4.new_output("execute_result", data={"text/plain": f"PosixPath('{secret}/a.csv')"}),
    ]
    nb = _nb(cell)
    nb.metadata["widgets"] = {"state": {}}
    replacements = report._path_replacements(tmp_path, tmp_path / "reports", {})
    report.clean_notebook(nb, replacements)
    text = nbformat.writes(nb)
    assert str(tmp_path) not in text and str(config.PROJECT_DIR) not in text
    assert "<project>/src/dxminutes/x.py" in text and "<reports>/a.csv" in text
    assert "execution" not in nb.cells[0].metadata and "widgets" not in nb.metadata


def test_notebook_title_is_first_heading():
    nb = _nb(_code("# not markdown"), nbformat.v4.new_markdown_cell("intro\n## 自治体の比較 \ntext"))
    assert report.notebook_title(nb, "x") == "自治体の比較"
    assert report.notebook_title(_nb(_code("1")), "03-name") == "03-name"


def test_check_sync_reports_missing_and_differing_twins(tmp_path):
    shutil.copy(DEMO, tmp_path / "01-demo.py")
    (tmp_path / "02-alone.py").write_text("# %%\nx = 1\n", encoding="utf-8")
    nb = report.inject_parameters(report._read_notebook(DEMO), {"K": 1})
    nbformat.write(nb, tmp_path / "01-demo.ipynb")
    assert report.check_sync(tmp_path) == ["02-alone: 02-alone.ipynb is missing"]

    nb.cells[-1].source += "\nprint('changed')"
    nbformat.write(nb, tmp_path / "01-demo.ipynb")
    problems = report.check_sync(tmp_path)
    assert len(problems) == 2 and problems[0].startswith("01-demo: cell")

    (tmp_path / "02-alone.py").unlink()
    jupytext.write(jupytext.read(tmp_path / "01-demo.py"), tmp_path / "03-orphan.ipynb")
    assert "03-orphan: 03-orphan.py is missing" in report.check_sync(tmp_path)


def test_cli_maps_options_to_parameters(monkeypatch, tmp_path):
    seen = {}

    def fake_run_report(notebooks_dir, **kw):
        seen.update(kw, notebooks_dir=notebooks_dir)
        return report.RunResult(written=[tmp_path / "index.html"])

    monkeypatch.setattr(report, "run_report", fake_run_report)
    args = build_parser().parse_args(
        [
            "report",
            "--data",
            "raw",
            "--k",
            "6",
            "--n-boot",
            "50",
            "--reports",
            str(tmp_path),
            "--notebooks",
            "tests/data/nb/0[1-2]-*.py",
            "--no-save-notebooks",
            "--no-build",
        ]
    )
    assert args.func(args) == 0
    assert seen["parameters"] == {
        "RAW_DIR": Path("raw"),
        "PROCESSED_DIR": tmp_path / "processed",  # another corpus: its processed tables in OUT
        "THEMES_PATH": None,
        "K": 6,
        "N_BOOT": 50,
        "MIN_COUNT": None,
    }
    assert seen["notebooks_dir"] == Path("tests/data/nb") and seen["pattern"] == "0[1-2]-*.py"
    assert seen["save_notebooks"] is False and seen["reports_dir"] == tmp_path
    assert seen["notebooks_out"] == tmp_path / "notebooks"


def test_default_out_keeps_the_seed_report_and_sends_other_corpora_away(tmp_path):
    assert report.default_out(None) == config.REPORTS_DIR
    assert report.default_out(config.RAW_DIR) == config.REPORTS_DIR
    other = report.default_out(tmp_path / "minutes")
    assert other == config.PROJECT_DIR / "build" / "reports" / "minutes"  # git-ignored
    args = build_parser().parse_args(["report", "--out", str(tmp_path), "--no-build"])
    assert args.out == tmp_path


def test_html_pages_load_nothing_from_the_network():
    nb = _nb(nbformat.v4.new_markdown_cell("# T\n\n$x^2$"), _code("print(1)"))
    page = report.render_html(nb, "T")
    assert re.findall(r"<script[^>]*\ssrc=", page) == []  # no script files at all
    assert re.findall(r"<link[^>]*href=\"https?:", page) == []
    for cdn in ("cdnjs", "unpkg", "require.js", "MathJax.js", "https://cdn"):
        assert cdn not in page, cdn
    assert "print" in page and "<title>T</title>" in page


# --- real runs (start kernels) ----------------------------------------------------------------


@pytest.mark.slow
def test_run_report_is_deterministic_and_path_free(tmp_path, capfd):
    outputs = {}
    for run in ("a", "b"):  # different folders too: nothing may depend on where it ran
        nb_dir = tmp_path / run / "notebooks"
        nb_dir.mkdir(parents=True)
        shutil.copy(DEMO, nb_dir / DEMO.name)
        reports = tmp_path / run / "reports"
        written = report.run_report(
            nb_dir,
            parameters={"K": 5, "RAW_DIR": config.RAW_DIR, "PROCESSED_DIR": tmp_path / run / "processed"},
            reports_dir=reports,
            timeout=300,
        )
        assert [p.name for p in written] == ["01-demo.ipynb", "01-demo.html", "index.html"]
        outputs[run] = {p.name: p.read_bytes() for p in written}
        table = reports / "tables" / "01-demo-shares.csv"  # the notebook saw the run's folder
        assert table.read_bytes().startswith(b"\xef\xbb\xbf")
        assert report.check_sync(nb_dir) == []
    assert outputs["a"] == outputs["b"]

    nb = nbformat.reads(outputs["a"]["01-demo.ipynb"].decode("utf-8"), as_version=4)
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert "K=5 MIN_COUNT=1" in printed  # injected value overrides the default K = 3
    assert "wrote tables/01-demo-shares.csv" in printed
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert all("execution" not in c.metadata for c in nb.cells)
    for name, content in outputs["a"].items():
        text = content.decode("utf-8")
        for forbidden in (str(tmp_path), str(config.PROJECT_DIR), str(Path.home())):
            assert forbidden not in text, (name, forbidden)
    index = outputs["a"]["index.html"].decode("utf-8")
    assert '<a href="01-demo.html">デモ: レポート実行の確認 / Report runner demo</a>' in index
    assert remote_loads(outputs["a"]["01-demo.html"].decode("utf-8")) == []
    printed = capfd.readouterr()
    assert "without encryption" not in printed.err + printed.out  # ipc transport: no TCP warning


@pytest.mark.slow
def test_run_report_names_failing_notebook_and_cell(tmp_path):
    """A real kernel error names notebook and cell; nothing is written beside the notebook."""
    (tmp_path / "02-broken.py").write_text(
        "# %% [markdown]\n# # Broken\n\n# %%\nx = 1\n\n# %%\nraise ValueError('boom')\n", encoding="utf-8"
    )
    with pytest.raises(report.ReportError, match=r"02-broken\.py: cell 2 .*ValueError: boom"):
        report.run_report(
            tmp_path, parameters={}, reports_dir=tmp_path / "reports", save_notebooks=False, timeout=300
        )
    assert not (tmp_path / "02-broken.ipynb").exists()


# --- incremental runs ---------------------------------------------------------------------------


@pytest.fixture
def fake_kernel(monkeypatch):
    """Replace notebook execution by a stand-in that writes a table, and count its calls."""
    calls = []

    def execute(nb, *, cwd, env, name, timeout=900):
        calls.append(name)
        table = Path(env["DXMINUTES_REPORTS_DIR"]) / "tables" / f"{Path(name).stem}.csv"
        table.parent.mkdir(parents=True, exist_ok=True)
        table.write_text("a\n1\n", encoding="utf-8")
        return nb

    monkeypatch.setattr(report, "execute_notebook", execute)
    return calls


def _run(tmp_path, **parameters):
    return report.run_report(
        tmp_path / "notebooks",
        reports_dir=tmp_path / "reports",
        parameters={"PROCESSED_DIR": tmp_path / "processed", **parameters},
    )


def test_unchanged_notebooks_are_not_executed_again(tmp_path, fake_kernel):
    (tmp_path / "notebooks").mkdir()
    for name in ("01-one.py", "02-two.py"):
        shutil.copy(DEMO, tmp_path / "notebooks" / name)
    first = {p.name: p.read_bytes() for p in _run(tmp_path, K=5)}
    assert fake_kernel == ["01-one.py", "02-two.py"]
    second = _run(tmp_path, K=5)
    assert fake_kernel == ["01-one.py", "02-two.py"]  # nothing executed again
    assert [p.name for p in second] == ["index.html"]
    assert (tmp_path / "reports" / "html" / "index.html").read_bytes() == first["index.html"]
    assert (tmp_path / "notebooks" / "01-one.ipynb").read_bytes() == first["01-one.ipynb"]


def test_a_changed_input_or_a_missing_output_executes_again(tmp_path, fake_kernel):
    (tmp_path / "notebooks").mkdir()
    source = tmp_path / "notebooks" / "01-one.py"
    shutil.copy(DEMO, source)
    _run(tmp_path, K=5)
    _run(tmp_path, K=6)  # a parameter changed
    (tmp_path / "reports" / "tables" / "01-one.csv").unlink()
    _run(tmp_path, K=6)  # an output it wrote is missing
    (tmp_path / "notebooks" / "01-one.ipynb").write_text("{}", encoding="utf-8")
    _run(tmp_path, K=6)  # the rendered notebook was altered
    source.write_text(source.read_text(encoding="utf-8") + "\n# %%\nprint(1)\n", encoding="utf-8")
    _run(tmp_path, K=6)  # the notebook's source changed
    assert fake_kernel == ["01-one.py"] * 5
    report.run_report(
        tmp_path / "notebooks",
        reports_dir=tmp_path / "reports",
        force=True,
        parameters={"PROCESSED_DIR": tmp_path / "processed", "K": 6},
    )
    assert len(fake_kernel) == 6  # --force ignores the record


def test_the_fingerprint_covers_the_raw_minutes_and_the_theme_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("(山田委員)\n質問\n", encoding="utf-8")
    themes = tmp_path / "themes.toml"
    themes.write_bytes(config.THEMES_PATH.read_bytes())
    env = {"DXMINUTES_RAW_DIR": str(raw), "DXMINUTES_THEMES": str(themes)}
    before = incremental.input_fingerprint(DEMO, {}, env)
    assert incremental.input_fingerprint(DEMO, {}, env) == before
    (raw / "a.txt").write_text("(山田委員)\n別の質問\n", encoding="utf-8")
    after_raw = incremental.input_fingerprint(DEMO, {}, env)
    themes.write_text(themes.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert len({before, after_raw, incremental.input_fingerprint(DEMO, {}, env)}) == 3


# --- staging, failures, stale outputs, other corpora ----------------------------------------------


@pytest.fixture
def scripted_kernel(monkeypatch):
    """A stand-in kernel: each notebook writes the tables listed in `plan[name]`, or raises."""
    plan: dict[str, object] = {}

    def execute(nb, *, cwd, env, name, timeout=900):
        todo = plan.get(name, [f"{Path(name).stem}.csv"])
        if isinstance(todo, Exception):
            raise report.ReportError(f"notebook {name}: cell 3 ('boom()') raised {todo!r}")
        for table in todo:
            target = Path(env["DXMINUTES_REPORTS_DIR"]) / "tables" / table
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("a\n1\n", encoding="utf-8")
        return nb

    monkeypatch.setattr(report, "execute_notebook", execute)
    return plan


def _notebooks(tmp_path, *names):
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(DEMO, folder / name)
    return folder


def _tree(folder: Path) -> dict[str, bytes]:
    """The files of OUT as a reader sees them: through its entry links, not the runs behind them."""
    tree = {}
    for root, dirs, files in os.walk(folder, followlinks=True):
        if Path(root) == folder:
            dirs[:] = [d for d in dirs if d not in (".runs", ".current")]
        tree.update(
            {(Path(root) / n).relative_to(folder).as_posix(): (Path(root) / n).read_bytes() for n in files}
        )
    return dict(sorted(tree.items()))


def test_a_failed_run_leaves_the_previous_report_intact_and_says_so(tmp_path, scripted_kernel):
    nbs = _notebooks(tmp_path, "01-one.py", "02-two.py")
    out = tmp_path / "out"
    kw = {
        "parameters": {"PROCESSED_DIR": tmp_path / "processed"},
        "reports_dir": out,
        "notebooks_out": out / "notebooks",
    }
    report.run_report(nbs, **kw)
    before = _tree(out)
    assert {"tables/01-one.csv", "tables/02-two.csv", "html/index.html", "notebooks/01-one.ipynb"} <= set(
        before
    )
    scripted_kernel["01-one.py"] = ["01-one.csv", "01-new.csv"]
    scripted_kernel["02-two.py"] = ValueError("boom")
    with pytest.raises(report.ReportError, match=r"02-two\.py") as caught:
        report.run_report(nbs, force=True, **kw)
    assert {k: v for k, v in _tree(out).items() if not k.startswith(".failed/")} == before
    failed = out / ".failed"
    assert caught.value.failed_dir == failed
    assert "02-two.py" in (failed / "ERROR.txt").read_text(encoding="utf-8")
    assert (failed / "tables" / "01-new.csv").exists()  # what the failed run made, kept aside
    assert not (out / ".staging").exists()


def test_stale_outputs_of_the_same_out_are_removed(tmp_path, scripted_kernel):
    nbs = _notebooks(tmp_path, "01-one.py")
    out = tmp_path / "out"
    kw = {
        "parameters": {"PROCESSED_DIR": tmp_path / "processed"},
        "reports_dir": out,
        "notebooks_out": out / "notebooks",
    }
    scripted_kernel["01-one.py"] = ["network-dx.csv", "network-budget.csv"]
    report.run_report(nbs, **kw)
    scripted_kernel["01-one.py"] = ["network-dx.csv"]  # e.g. another theme file: no budget theme
    report.run_report(nbs, force=True, **kw)
    assert sorted(p.name for p in (out / "tables").iterdir()) == ["network-dx.csv"]
    (out / "processed").mkdir(exist_ok=True)
    (out / "processed" / "keep.txt").write_text("x", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    report.run_report(nbs, force=True, **kw)
    assert (out / "processed" / "keep.txt").exists() and (out / "notes.txt").exists()  # not managed


def _tracked_state():
    files = subprocess.run(
        ["git", "ls-files", "-z"], cwd=config.PROJECT_DIR, capture_output=True, check=True
    ).stdout.split(b"\0")
    stamps = {}
    for name in filter(None, files):
        path = config.PROJECT_DIR / os.fsdecode(name)
        if path.exists():
            stamps[path] = path.stat().st_mtime_ns
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=config.PROJECT_DIR, capture_output=True, check=True, text=True
    ).stdout
    return stamps, status


@pytest.mark.slow
def test_a_run_on_another_corpus_writes_only_under_out_and_lists_its_failures(
    tmp_path, scripted_kernel, capsys
):
    raw = tmp_path / "my-minutes"
    raw.mkdir()
    seed = sorted(p for p in config.RAW_DIR.glob("*.txt"))[0]
    shutil.copy(seed, raw / seed.name)
    (raw / "broken.txt").write_bytes(b"\x00\x01binary" * 10)
    out = tmp_path / "report-out"
    before = _tracked_state()
    args = build_parser().parse_args(
        ["report", "--data", str(raw), "--out", str(out), "--notebooks", str(DEMO), "--quiet"]
    )
    assert args.func(args) == 0  # a bad file never stops the run
    assert _tracked_state() == before  # no tracked file touched, git status unchanged
    assert (out / "processed" / "documents.parquet").exists()
    assert (out / "notebooks" / "01-demo.ipynb").exists() and (out / "html" / "01-demo.html").exists()
    assert (out / "explorer" / "all.html").exists()
    index = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert "broken.txt" in index and "binary file" in index and "議事録ではないファイル" in index
    assert "my-minutes" in index and str(tmp_path) not in index
    summary = capsys.readouterr().err
    assert (
        "report written to" in summary
        and "broken.txt" in summary
        and "1 file(s) could not be loaded" in summary
    )
    tables = (out / "html" / "tables.html").read_text(encoding="utf-8")
    assert "01-demo" in tables and "new ITable(" in tables
    for page in [*(out / "html").glob("*.html"), *(out / "explorer").glob("*.html")]:
        assert remote_loads(page.read_text(encoding="utf-8")) == [], page.name


def remote_loads(page: str) -> list[str]:
    """Resources a page would fetch from the network (scripts, styles, images, ES imports)."""
    pattern = r"(?:src=|<link[^>]*href=|import\s*\(?\s*|from\s+)[\"']?(https?://[^\"' >]+)"
    return re.findall(pattern, page)


def test_remote_loads_finds_cdn_scripts_but_not_plain_links():
    assert remote_loads('<script src="https://cdn.x/require.js"></script>') == ["https://cdn.x/require.js"]
    assert remote_loads("import { A } from 'https://unpkg.com/x.js';") == ["https://unpkg.com/x.js"]
    assert remote_loads('<a href="https://itables.org/">itables</a>') == []


def test_the_cli_says_when_a_run_failed_and_where_the_partial_output_is(tmp_path, scripted_kernel, capsys):
    nbs = _notebooks(tmp_path, "01-one.py")
    scripted_kernel["01-one.py"] = ValueError("boom")
    out = tmp_path / "out"
    args = build_parser().parse_args(
        ["report", "--out", str(out), "--notebooks", str(nbs / "01-one.py"), "--no-build", "--quiet"]
    )
    assert args.func(args) == 1
    err = capsys.readouterr().err
    assert "REPORT FAILED: notebook 01-one.py" in err and ".failed" in err
    assert "there was no previous report" in err and "unchanged" not in err  # none existed: say so
    assert (out / ".failed" / "ERROR.txt").exists() and not (out / "html").exists()
