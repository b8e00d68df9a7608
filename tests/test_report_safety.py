"""OUT is the tool's own folder: what a report run may write, delete and refuse (issue 20, item 1).

The notebooks run in a stand-in kernel (a function that writes the tables a plan lists), so each
case takes a second: the point is what happens to the files of OUT. The fault-injection cases
run the report in a subprocess and kill it (SIGKILL, through `DXMINUTES_FAULT=swap:N`) at every
step of the final swap; the next run must find either the old or the new report whole.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from test_outdir import broken_links

from dxminutes import config
from dxminutes.cli import build_parser
from dxminutes.report import outdir
from dxminutes.report import render as report

DEMO = Path(__file__).parent / "data" / "nb" / "01-demo.py"
TIMEOUT = 300
#: Bookkeeping of OUT, left out when two reports are compared.
BOOKKEEPING = (report.OUT_LOCK_NAME, report.OUT_MANIFEST_NAME)
#: The runs behind OUT's entry links (links layout): seen through the links, not twice.
RUN_FOLDERS = (outdir.RUNS_NAME, outdir.CURRENT_NAME)

#: A stand-in kernel in a subprocess: the plan (JSON in DXM_PLAN) lists the tables per notebook.
RUNNER = textwrap.dedent(
    """
    import json, os, sys, time
    from pathlib import Path
    from dxminutes.report import render

    plan = json.loads(os.environ["DXM_PLAN"])
    if os.environ.get("DXM_NO_SYMLINK"):  # a file system without symlinks: the journaled swap

        def no_symlink(*args, **kw):
            raise OSError(1, "Operation not permitted")

        os.symlink = no_symlink

    def execute(nb, *, cwd, env, name, timeout=900):
        time.sleep(float(os.environ.get("DXM_SLEEP", "0")))
        for table in plan[name]:
            target = Path(env["DXMINUTES_REPORTS_DIR"]) / "tables" / table
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(os.environ.get("DXM_TAG", "a") + "\\n1\\n", encoding="utf-8")
        return nb

    render.execute_notebook = execute
    render.run_report(
        sys.argv[1],
        parameters={"PROCESSED_DIR": sys.argv[3]},
        reports_dir=sys.argv[2],
        notebooks_out=Path(sys.argv[2]) / "notebooks",
        force=True,
    )
    print("finished")
    """
)


@pytest.fixture
def kernel(monkeypatch):
    """The stand-in kernel in this process: `plan[name]` lists the tables a notebook writes."""
    plan: dict[str, list[str]] = {}

    def execute(nb, *, cwd, env, name, timeout=900):
        for table in plan.get(name, [f"{Path(name).stem}.csv"]):
            target = Path(env["DXMINUTES_REPORTS_DIR"]) / "tables" / table
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("a\n1\n", encoding="utf-8")
        return nb

    monkeypatch.setattr(report, "execute_notebook", execute)
    return plan


def _notebooks(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(DEMO, folder / name)
    return folder


def _tree(folder: Path, skip=BOOKKEEPING) -> dict[str, bytes]:
    """The files of OUT as a reader sees them: through the entry links, without the runs behind them."""
    tree = {}
    for root, dirs, files in os.walk(folder, followlinks=True):
        if Path(root) == folder:  # also a folder of the old layout on its way out (migration)
            dirs[:] = [d for d in dirs if d not in RUN_FOLDERS and not d.startswith(outdir.MIGRATING_PREFIX)]
        for name in files:
            path = Path(root) / name
            rel = path.relative_to(folder)
            if rel.parts[0] not in skip and rel.parts[0] not in RUN_FOLDERS:
                tree[rel.as_posix()] = path.read_bytes()
    return dict(sorted(tree.items()))


def _run(tmp_path: Path, out: Path, **kw):
    return report.run_report(
        tmp_path / "notebooks",
        parameters={"PROCESSED_DIR": tmp_path / "processed"},
        reports_dir=out,
        notebooks_out=out / "notebooks",
        **kw,
    )


def _cli(*argv: str) -> int:
    args = build_parser().parse_args(["report", *argv])
    return args.func(args)


# --- refusals: DATA, the repository, someone else's folder ----------------------------------------


@pytest.mark.parametrize("name", ["tables", "html", "figures", "explorer", "notebooks"])
def test_data_inside_out_is_refused_and_nothing_is_deleted(tmp_path, kernel, capsys, name):
    """`make report DATA=P/tables OUT=P` deleted every minutes file; now it is refused."""
    out = tmp_path / "P"
    data = out / name
    data.mkdir(parents=True)
    for path in sorted(config.RAW_DIR.glob("*.txt"))[:2]:
        shutil.copy(path, data / path.name)
    before = _tree(out)
    _notebooks(tmp_path, "01-one.py")
    code = _cli(
        "--data", str(data), "--out", str(out), "--notebooks", str(tmp_path / "notebooks" / "01-one.py")
    )
    assert code == 1
    err = capsys.readouterr().err
    assert f"contains DATA ({config.relpath(data)})" in err and "error:" in err
    assert _tree(out) == before  # not a byte changed, no processed/ written
    assert not (out / "processed").exists()


@pytest.mark.parametrize(
    ("out", "relation"),
    [
        (".", "is or contains the repository"),
        ("..", "is or contains the repository"),
        ("src", "is the repository's src/"),
        ("src/dxminutes/report", "lies inside the repository's src/"),
        ("notebooks", "is the repository's notebooks/"),
        ("tests", "is the repository's tests/"),
        (".git", "is the repository's .git/"),
        ("data", "contains the repository's data/raw/"),
        ("data/raw/x", "lies inside the repository's data/raw/"),
    ],
)
def test_out_may_not_touch_the_repository(out, relation):
    with pytest.raises(report.OutError, match=re.escape(relation)):
        report.check_out(config.PROJECT_DIR / out)


def test_out_dot_is_refused_from_the_command_line(tmp_path, kernel, capsys, monkeypatch):
    monkeypatch.chdir(config.PROJECT_DIR)
    sources = sorted(p.name for p in config.NOTEBOOKS_DIR.glob("*.py"))
    assert _cli("--out", ".", "--no-build", "--quiet") == 1
    assert "is or contains the repository" in capsys.readouterr().err
    assert sorted(p.name for p in config.NOTEBOOKS_DIR.glob("*.py")) == sources
    assert not (config.PROJECT_DIR / report.OUT_MANIFEST_NAME).exists()


def test_the_seed_report_and_build_reports_are_allowed():
    report.check_out(
        config.PROJECT_DIR / "reports", notebooks_dir=config.NOTEBOOKS_DIR, notebooks_out=config.NOTEBOOKS_DIR
    )
    report.check_out(config.PROJECT_DIR / "build" / "reports" / "x")
    with pytest.raises(report.OutError, match="the notebooks folder"):  # only beside their sources
        report.check_out(
            config.PROJECT_DIR / "build" / "x", notebooks_dir="elsewhere", notebooks_out=config.NOTEBOOKS_DIR
        )


def test_a_non_empty_folder_of_someone_else_is_refused_unless_force(tmp_path, kernel, capsys):
    nbs = _notebooks(tmp_path, "01-one.py")
    out = tmp_path / "mine"
    (out / "html").mkdir(parents=True)
    (out / "html" / "01-one.html").write_text("my page", encoding="utf-8")  # in the report's way
    (out / "thesis.docx").write_bytes(b"thesis")
    before = _tree(out)
    assert _cli("--out", str(out), "--notebooks", str(nbs / "01-one.py"), "--no-build", "--quiet") == 1
    err = capsys.readouterr().err
    assert "is not empty (html, thesis.docx)" in err and "--force" in err and "REPORT FAILED" not in err
    assert _tree(out) == before
    assert not (out / report.OUT_MANIFEST_NAME).exists()

    assert (
        _cli("--out", str(out), "--notebooks", str(nbs / "01-one.py"), "--no-build", "--quiet", "--force")
        == 0
    )
    assert (out / "thesis.docx").read_bytes() == b"thesis"
    kept = list((out / report.DISPLACED_NAME).rglob("01-one.html"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "my page"  # moved, not deleted
    assert "01-one.html was in the way" in capsys.readouterr().err
    assert (out / "html" / "index.html").exists()
    _run(tmp_path, out)  # now the tool's own: no --force needed


def test_an_empty_out_or_one_with_only_processed_tables_is_claimed(tmp_path, kernel):
    _notebooks(tmp_path, "01-one.py")
    out = tmp_path / "out"
    (out / "processed").mkdir(parents=True)
    (out / "processed" / "manifest.json").write_text("{}", encoding="utf-8")  # `make processed OUT=…`
    _run(tmp_path, out)
    manifest = json.loads((out / report.OUT_MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["files"] == sorted(
        [
            "html/01-one.html",
            "html/index.html",
            "html/tables.html",
            "notebooks/01-one.ipynb",
            "tables/01-one.csv",
        ]
    )


def test_out_a_file_or_unwritable_is_one_line(tmp_path, kernel, capsys, monkeypatch):
    nbs = _notebooks(tmp_path, "01-one.py")
    out = tmp_path / "out.txt"
    out.write_text("x", encoding="utf-8")
    assert _cli("--out", str(out), "--notebooks", str(nbs / "01-one.py"), "--no-build", "--quiet") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"error: OUT {out.name} is not a folder"] or err[-1].endswith("is not a folder")
    assert "Traceback" not in "".join(err)

    real_mkdir = Path.mkdir

    def read_only(self, *args, **kw):  # root ignores permission bits: simulate a read-only folder
        if self == tmp_path / "ro":
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kw)

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert (
        _cli("--out", str(tmp_path / "ro"), "--notebooks", str(nbs / "01-one.py"), "--no-build", "--quiet")
        == 1
    )
    err = capsys.readouterr().err
    assert "cannot write into OUT" in err and "permission denied" in err and "Traceback" not in err


# --- what a run deletes: only its own files ---------------------------------------------------------


def test_user_files_inside_out_survive_every_run(tmp_path, kernel):
    nbs = _notebooks(tmp_path, "01-one.py", "02-two.py")
    out = tmp_path / "out"
    _run(tmp_path, out)
    mine = {
        "notebooks/my-analysis.ipynb": b"{}",
        "figures/photo.png": b"\x89PNG",
        "html/homepage.html": b"<p>home</p>",
        "tables/extra/notes.csv": b"a\n",
    }
    for rel, data in mine.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    kernel["01-one.py"] = ["other.csv"]  # the old 01-one.csv becomes stale
    (nbs / "02-two.py").unlink()  # and notebook 02's outputs too
    _run(tmp_path, out, force=True)
    tree = _tree(out)
    assert {rel: tree.get(rel) for rel in mine} == mine
    assert "tables/01-one.csv" not in tree and "html/02-two.html" not in tree  # the tool's own, stale
    assert "notebooks/02-two.ipynb" not in tree and "tables/other.csv" in tree


def test_a_symlinked_folder_in_out_is_moved_aside_not_written_through(tmp_path, kernel):
    _notebooks(tmp_path, "01-one.py")
    out = tmp_path / "out"
    _run(tmp_path, out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "01-one.csv").write_text("precious", encoding="utf-8")
    assert os.readlink(out / "tables") == ".current/tables"  # the links layout's own link
    (out / "tables").unlink()
    (out / "tables").symlink_to(elsewhere, target_is_directory=True)  # someone else's link
    _run(tmp_path, out, force=True)
    assert (elsewhere / "01-one.csv").read_text(encoding="utf-8") == "precious"
    assert os.readlink(out / "tables") == ".current/tables"  # ours again, the other one kept aside
    assert (out / "tables" / "01-one.csv").read_text() == "a\n1\n"
    (kept,) = (out / report.DISPLACED_NAME).glob("*/tables")
    assert kept.is_symlink() and kept.resolve() == elsewhere.resolve()


def test_a_manifest_never_makes_a_run_delete_outside_out(tmp_path, kernel):
    _notebooks(tmp_path, "01-one.py")
    out = tmp_path / "out"
    _run(tmp_path, out)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    path = out / report.OUT_MANIFEST_NAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["files"] += ["../victim.txt", "../notebooks/01-one.py"]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    _run(tmp_path, out, force=True)
    assert victim.read_text(encoding="utf-8") == "keep" and (tmp_path / "notebooks" / "01-one.py").exists()


def test_the_seed_reports_folder_is_adopted_and_its_stale_files_replaced(tmp_path, kernel, monkeypatch):
    """The repository's own reports/ (no manifest in a fresh clone) is the tool's: no --force needed."""
    project = tmp_path / "project"
    nbs = project / "notebooks"
    nbs.mkdir(parents=True)
    shutil.copy(DEMO, nbs / "01-one.py")
    (nbs / "01-one.ipynb").write_text("{}", encoding="utf-8")  # the committed rendering
    (nbs / "notes.ipynb").write_text("{}", encoding="utf-8")  # not a report notebook
    (project / "reports" / "tables").mkdir(parents=True)
    (project / "reports" / "tables" / "stale.csv").write_text("old", encoding="utf-8")
    (project / "reports" / "README.md").write_text("mine", encoding="utf-8")
    monkeypatch.setattr(config, "PROJECT_DIR", project)
    report.run_report(
        nbs, parameters={"PROCESSED_DIR": tmp_path / "processed"}, reports_dir=project / "reports"
    )
    assert not (project / "reports" / "tables" / "stale.csv").exists()  # adopted, then replaced
    assert (project / "reports" / "tables" / "01-one.csv").exists()
    assert json.loads((nbs / "01-one.ipynb").read_text(encoding="utf-8"))["cells"]  # rewritten in place
    assert not (nbs / "01-one.ipynb").is_symlink()
    assert (nbs / "notes.ipynb").exists() and (project / "reports" / "README.md").exists()
    files = json.loads((project / "reports" / report.OUT_MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    assert "../notebooks/01-one.ipynb" in files and str(tmp_path) not in json.dumps(files)


# --- kill at every step of the swap -----------------------------------------------------------------


def _subprocess_run(
    tmp_path: Path, out: Path, plan: dict, fault: str | None = None, stderr=None, **env_extra
):
    env = {k: v for k, v in os.environ.items() if k != "DXMINUTES_FAULT"}
    env.update({"DXM_PLAN": json.dumps(plan), **env_extra})
    if fault:
        env["DXMINUTES_FAULT"] = fault
    script = tmp_path / "runner.py"
    script.write_text(RUNNER, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "notebooks"), str(out), str(tmp_path / "processed")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=stderr or subprocess.PIPE,
        text=True,
    )


OLD_PLAN = {"01-one.py": ["a.csv", "b.csv"], "02-two.py": ["c.csv"]}
NEW_PLAN = {"01-one.py": ["a.csv", "d.csv"], "02-two.py": ["c.csv", "e.csv"]}


def _finished(proc) -> tuple[int, str, str]:
    stdout, stderr = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, stdout, stderr


NO_LINKS = {"DXM_NO_SYMLINK": "1"}


@pytest.mark.slow  # one subprocess per step of the swap: a few minutes on a busy machine
def test_a_kill_at_any_step_of_the_journaled_swap_leaves_the_old_or_the_new_report_whole(tmp_path):
    """The journaled swap (the seed report's, and OUT on a file system without symlinks)."""
    _notebooks(tmp_path, "01-one.py", "02-two.py")
    expected = {}
    for name, plan in (("old", OLD_PLAN), ("new", NEW_PLAN)):  # the two whole reports, made cleanly
        clean = tmp_path / f"clean-{name}"
        code, _, err = _finished(_subprocess_run(tmp_path, clean, plan, DXM_TAG=name, **NO_LINKS))
        assert code == 0, err
        expected[name] = _tree(clean)
        shutil.rmtree(tmp_path / "processed", ignore_errors=True)
    mine = {"html/homepage.html": b"mine", "figures/photo.png": b"png"}
    old_out = tmp_path / "old-out"  # the old report with files of the user's, copied for every step
    shutil.rmtree(tmp_path / "processed", ignore_errors=True)
    assert _finished(_subprocess_run(tmp_path, old_out, OLD_PLAN, DXM_TAG="old", **NO_LINKS))[0] == 0
    for rel, data in mine.items():
        (old_out / rel).parent.mkdir(parents=True, exist_ok=True)
        (old_out / rel).write_bytes(data)

    step, steps = 0, None
    while steps is None or step <= steps:
        out = tmp_path / f"out-{step}"
        shutil.copytree(old_out, out, symlinks=True)
        shutil.rmtree(tmp_path / "processed", ignore_errors=True)
        code, stdout, err = _finished(
            _subprocess_run(tmp_path, out, NEW_PLAN, f"swap:{step}", DXM_TAG="new", **NO_LINKS)
        )
        assert code == -9 and "finished" not in stdout, (step, code, err)  # killed by SIGKILL
        journal = out / report.JOURNAL_NAME
        if step == 0:  # killed before the journal: nothing of the old report was touched
            assert not journal.exists()
            assert _without(_tree(out), mine, ".staging") == expected["old"]
        else:
            if steps is None:
                steps = len(json.loads(journal.read_text(encoding="utf-8"))["ops"]) + 3
            assert journal.exists() or step == steps
            report.recover(out)  # what the next run does first
            assert _without(_tree(out), mine, ".staging") == expected["new"], step
        assert {rel: (out / rel).read_bytes() for rel in mine} == mine
        manifest = json.loads((out / report.OUT_MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
        assert set(manifest) == set(expected["old" if step == 0 else "new"])
        if step in (0, 3) or step == steps:  # the next real run goes on from there to the new report
            shutil.rmtree(tmp_path / "processed", ignore_errors=True)
            assert _finished(_subprocess_run(tmp_path, out, NEW_PLAN, DXM_TAG="new", **NO_LINKS))[0] == 0
            assert _without(_tree(out), mine) == expected["new"]
        shutil.rmtree(out)
        step += 1
    assert steps is not None and steps > 5  # every move of the swap was a kill point


@pytest.mark.slow  # one subprocess per step of the switch (and a follow-up run for some)
@pytest.mark.parametrize("old_layout", ["links", "real folders"])
def test_a_kill_at_any_step_of_the_links_switch_leaves_the_old_or_the_new_report_whole(tmp_path, old_layout):
    """Whatever instant the run is killed at, OUT shows a whole report (every link of every page
    resolves, every page and table from one run) with no recovery at all; the next run goes on.
    "real folders": the old report is of the real-folder layout, migrated by this run."""
    _notebooks(tmp_path, "01-one.py", "02-two.py")
    expected = {}
    for name, plan in (("old", OLD_PLAN), ("new", NEW_PLAN)):
        clean = tmp_path / f"clean-{name}"
        code, _, err = _finished(_subprocess_run(tmp_path, clean, plan, DXM_TAG=name))
        assert code == 0, err
        expected[name] = _tree(clean)
        shutil.rmtree(tmp_path / "processed", ignore_errors=True)
    assert expected["old"] != expected["new"]
    old_out = tmp_path / "old-out"
    legacy = NO_LINKS if old_layout == "real folders" else {}
    assert _finished(_subprocess_run(tmp_path, old_out, OLD_PLAN, DXM_TAG="old", **legacy))[0] == 0
    assert (old_out / "html").is_symlink() == (old_layout == "links")
    mine = {"thesis.docx": b"thesis", "notes/n.txt": b"n"}
    if old_layout == "links":
        mine["html/homepage.html"] = b"mine"  # put into the report: lives in the current run
    for rel, data in mine.items():
        (old_out / rel).parent.mkdir(parents=True, exist_ok=True)
        (old_out / rel).write_bytes(data)

    step = 0
    while True:
        out = tmp_path / f"out-{step}"
        shutil.copytree(old_out, out, symlinks=True)
        shutil.rmtree(tmp_path / "processed", ignore_errors=True)
        code, stdout, err = _finished(_subprocess_run(tmp_path, out, NEW_PLAN, f"swap:{step}", DXM_TAG="new"))
        if code == 0:  # past the last kill point
            assert _without(_tree(out), mine) == expected["new"]
            break
        assert code == -9 and "finished" not in stdout, (step, code, err)  # killed by SIGKILL
        for when in ("as killed", "recovered"):
            assert _without(_tree(out), mine) in (expected["old"], expected["new"]), (step, when)
            broken, sources = broken_links(out)
            assert broken == [], (step, when, broken)
            if all((out / entry).is_symlink() for entry in outdir.RUN_ENTRIES):
                assert len(sources) == 1 and next(iter(sources)).startswith(".runs/"), (step, when)
            assert {rel: (out / rel).read_bytes() for rel in mine} == mine, (step, when)
            report.recover(out)  # what the next run does first, under its lock
        if step % 3 == 0:  # the next real run goes on to the new report
            shutil.rmtree(tmp_path / "processed", ignore_errors=True)
            assert _finished(_subprocess_run(tmp_path, out, NEW_PLAN, DXM_TAG="new"))[0] == 0
            assert _without(_tree(out), mine) == expected["new"]
            assert {rel: (out / rel).read_bytes() for rel in mine} == mine
            assert len([p for p in (out / outdir.RUNS_NAME).iterdir()]) == 1
            assert not (out / report.DISPLACED_NAME).exists()
        shutil.rmtree(out)
        step += 1
    assert step >= (4 if old_layout == "links" else 12)  # every step of the switch was a kill point


def _without(tree: dict, mine: dict, *prefixes: str) -> dict:
    return {k: v for k, v in tree.items() if k not in mine and not k.startswith(prefixes or ("\0",))}


# --- two runs into one OUT --------------------------------------------------------------------------


@pytest.mark.slow
def test_two_concurrent_reports_give_one_whole_report(tmp_path):
    _notebooks(tmp_path, "01-one.py", "02-two.py")
    clean = tmp_path / "clean"
    assert _finished(_subprocess_run(tmp_path, clean, NEW_PLAN, DXM_TAG="x"))[0] == 0
    expected = _tree(clean)
    out = tmp_path / "out"
    runs = [_subprocess_run(tmp_path, out, NEW_PLAN, DXM_TAG="x", DXM_SLEEP="0.5") for _ in range(2)]
    results = [_finished(run) for run in runs]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    assert sum("waiting for another report run" in err for _, _, err in results) == 1
    assert _tree(out) == expected
    manifest = json.loads((out / report.OUT_MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    assert set(manifest) == set(expected)
    assert broken_links(out)[0] == [] and len(list((out / outdir.RUNS_NAME).iterdir())) == 1


@pytest.mark.slow
def test_a_second_run_waits_while_the_first_holds_out(tmp_path):
    _notebooks(tmp_path, "01-one.py", "02-two.py")
    out = tmp_path / "out"
    log = tmp_path / "stderr.txt"
    with report.out_lock(out), open(log, "w") as err:
        child = _subprocess_run(tmp_path, out, NEW_PLAN, stderr=err)
        deadline = time.monotonic() + TIMEOUT
        while "waiting for another report run" not in log.read_text() and time.monotonic() < deadline:
            assert child.poll() is None, log.read_text()
            time.sleep(0.1)
        time.sleep(0.5)
        assert child.poll() is None and not (out / "html").exists()  # nothing written while held
    code, stdout, _ = _finished(child)
    assert code == 0 and "finished" in stdout, log.read_text()
    assert (out / "html" / "index.html").exists()


# --- tables safe to open in Excel (item 4) ----------------------------------------------------------


def test_formula_cells_are_neutralized_in_every_csv(tmp_path):
    from dxminutes.report import export

    table = pd.DataFrame(
        {
            "speaker": [
                '=HYPERLINK("http://x")',
                "+1+1",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "-",
                "山田",
                None,
            ],
            "share": [-0.5, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8],
        }
    )
    before = table.copy()
    path = export.write_table(table, "t", tables_dir=tmp_path)
    pd.testing.assert_frame_equal(table, before)  # the input is not changed
    back = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    assert back["speaker"].tolist() == [
        '\'=HYPERLINK("http://x")',
        "'+1+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "-",  # a lone minus is no formula
        "山田",
        "",
    ]
    assert back["share"].tolist() == pytest.approx(before["share"].tolist(), abs=1e-9)  # numbers as they were
    assert export.excel_safe(pd.DataFrame({"=cmd": [1]})).columns.tolist() == ["'=cmd"]
    assert export.excel_safe(pd.DataFrame({"a": ["\rx"]}))["a"].tolist() == ["'\rx"]


# --- every bad input gets one line, never a traceback (item 6) --------------------------------------


def _bad_inputs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "deep.json": "[" * 100_000 + "]" * 100_000,  # nested 100,000 levels
        "big.csv": "speaker,text\n山田," + "あ" * 140_000 + "\n",  # a cell over 128 KiB
        "records.json": '{"meetingRecord": [1, 2, 3]}',  # Diet JSON whose records are not objects
        "header.csv": "speaker,text\n",  # a header and no rows
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return [folder / name for name in files]


def _dxminutes(*argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DXMINUTES_TRACEBACK"}
    return subprocess.run(
        [sys.executable, "-m", "dxminutes", *argv], capture_output=True, text=True, timeout=TIMEOUT, env=env
    )


@pytest.mark.parametrize("command", ["inspect", "tokens"])
@pytest.mark.slow
def test_inspect_and_tokens_say_one_line_for_each_bad_file(tmp_path, command):
    for path in _bad_inputs(tmp_path / "bad"):
        proc = _dxminutes(command, str(path))
        if path.name == "big.csv":  # a cell over 128 KiB is valid data
            assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
            continue
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 1, (path.name, proc.stderr)
        assert "Traceback" not in proc.stderr and len(lines) == 1, (path.name, proc.stderr)
        assert lines[0].startswith("error: ") and path.name in lines[0]
        assert "unexpected error" not in lines[0], lines[0]


def test_build_names_every_bad_file_and_goes_on(tmp_path):
    raw = tmp_path / "raw"
    bad = _bad_inputs(raw)
    shutil.copy(sorted(config.RAW_DIR.glob("*.txt"))[0], raw)
    proc = _dxminutes("build", "--data", str(raw), "--out", str(tmp_path / "processed"))
    # big.csv (one cell over 128 KiB) is valid data and loads; the other three fail, each named
    # with what is wrong, never as an "unexpected error"
    assert "Traceback" not in proc.stderr and proc.stdout.startswith("2 documents"), proc.stderr
    assert "unexpected error" not in proc.stderr, proc.stderr
    for path in bad:
        if path.name != "big.csv":
            assert f"  {path.name}: " in proc.stderr
    assert "  deep.json: JSON nested too deeply" in proc.stderr
    assert (
        "  records.json: 国会会議録 JSON: `meetingRecord` must be a list of objects (found int)"
        in proc.stderr
    )


def test_report_into_a_file_or_locked_out_is_one_line_from_the_command_line(tmp_path):
    out = tmp_path / "out.txt"
    out.write_text("x", encoding="utf-8")
    proc = _dxminutes("report", "--out", str(out), "--no-build", "--quiet")
    assert proc.returncode == 1 and proc.stderr.strip().splitlines() == [
        f"error: OUT {out.name} is not a folder"
    ]


def test_notebooks_beside_their_sources_are_replaced_never_deleted(tmp_path, kernel):
    """As before: a run of some notebooks, or one that saves none, keeps the other .ipynb twins."""
    nbs = _notebooks(tmp_path, "01-one.py", "02-two.py")
    out = tmp_path / "reports"
    report.run_report(nbs, parameters={"PROCESSED_DIR": tmp_path / "processed"}, reports_dir=out)
    twins = {p.name: p.read_bytes() for p in nbs.glob("*.ipynb")}
    assert set(twins) == {"01-one.ipynb", "02-two.ipynb"}
    report.run_report(
        nbs,
        parameters={"PROCESSED_DIR": tmp_path / "processed"},
        reports_dir=out,
        pattern="02-*.py",
        force=True,
    )
    report.run_report(
        nbs, parameters={"PROCESSED_DIR": tmp_path / "processed"}, reports_dir=out, save_notebooks=False
    )
    assert {p.name: p.read_bytes() for p in nbs.glob("*.ipynb")} == twins
    files = json.loads((out / report.OUT_MANIFEST_NAME).read_text(encoding="utf-8"))["files"]
    assert {"../notebooks/01-one.ipynb", "../notebooks/02-two.ipynb"} <= set(files)
