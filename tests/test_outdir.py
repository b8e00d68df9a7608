"""The links layout of a user OUT (report/outdir.py): runs in OUT/.runs/<id>/, one switch of
OUT/.current makes a run the report, entries of OUT are relative links into it (issue 20, item 1).

The notebooks run in a stand-in kernel (it writes the tables a plan lists), so each case takes
about a second; the kill-at-every-step cases are in test_report_safety.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from dxminutes.report import landing, outdir
from dxminutes.report import render as report

DEMO = Path(__file__).parent / "data" / "nb" / "01-demo.py"


@pytest.fixture
def kernel(monkeypatch):
    plan: dict[str, list[str]] = {}

    def execute(nb, *, cwd, env, name, timeout=900):
        for table in plan.get(name, [f"{Path(name).stem}.csv"]):
            target = Path(env["DXMINUTES_REPORTS_DIR"]) / "tables" / table
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(plan.get("tag", "a") + "\n1\n", encoding="utf-8")
        return nb

    monkeypatch.setattr(report, "execute_notebook", execute)
    return plan


def _setup(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(DEMO, folder / name)
    return folder


def _run(tmp_path: Path, out: Path, **kw):
    return report.run_report(
        tmp_path / "notebooks",
        parameters={"PROCESSED_DIR": tmp_path / "processed"},
        reports_dir=out,
        notebooks_out=out / "notebooks",
        force=True,
        **kw,
    )


def _our_runs(out: Path) -> list[str]:
    return sorted(p.name for p in (out / ".runs").iterdir() if (p / outdir.RUN_FILE).exists())


_LINK = re.compile(r'(?:href|src)="([^"]+)"')


def broken_links(out: Path) -> tuple[list[str], set[str]]:
    """Every href/src of every page reached from OUT/html/index.html, resolved as a browser does
    (lexically, from the page's path below OUT): the broken ones, and the real folders the pages
    and files reached come from (`.runs/<id>` in the links layout)."""
    start = out / "html" / "index.html"
    todo, seen, broken, sources = [start], set(), [], set()
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        real = Path(os.path.realpath(page)).relative_to(os.path.realpath(out)).parts
        sources.add("/".join(real[:2]) if real[0] == outdir.RUNS_NAME else "(real folders)")
        for target in _LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            path = Path(os.path.normpath(page.parent / unquote(target.split("#")[0].split("?")[0])))
            if not path.exists():
                broken.append(f"{page.relative_to(out)} -> {target}")
            elif path.suffix == ".html":
                todo.append(path)
            else:
                seen.add(path)
    for path in seen - {start}:
        if path.exists():
            real = Path(os.path.realpath(path)).relative_to(os.path.realpath(out)).parts
            sources.add("/".join(real[:2]) if real[0] == outdir.RUNS_NAME else "(real folders)")
    return broken, sources


def test_a_user_out_is_runs_behind_relative_links_and_links_resolve(tmp_path, kernel):
    _setup(tmp_path, "01-one.py", "02-two.py")
    out = tmp_path / "out"
    _run(tmp_path, out)
    first = os.readlink(out / ".current")
    assert re.fullmatch(r"\.runs/[^/]+", first)
    for entry in outdir.RUN_ENTRIES:
        assert os.readlink(out / entry) == f".current/{entry}"  # relative: OUT can be moved
    broken, sources = broken_links(out)
    assert broken == [] and sources == {first}
    manifest = json.loads((out / report.OUT_MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["layout"] == "links" and manifest["current"] == first
    assert set(manifest["links"]) == {".current", *outdir.RUN_ENTRIES}
    assert "tables/01-one.csv" in manifest["files"] and "html/index.html" in manifest["files"]
    run_file = json.loads((out / first / outdir.RUN_FILE).read_text(encoding="utf-8"))
    assert run_file["state"] == "complete" and run_file["files"] == manifest["files"]

    moved = tmp_path / "moved"  # relative links: the whole OUT still works elsewhere
    os.replace(out, moved)
    assert broken_links(moved) == ([], {first})
    os.replace(moved, out)

    kernel["01-one.py"] = ["other.csv"]
    _run(tmp_path, out)
    second = os.readlink(out / ".current")
    assert second != first and _our_runs(out) == [second.split("/")[1]]  # the old run is gone
    assert sorted(p.name for p in (out / "tables").iterdir()) == ["02-two.csv", "other.csv"]
    assert broken_links(out) == ([], {second})


def test_a_run_removes_only_runs_it_wrote_and_keeps_files_put_into_the_report(tmp_path, kernel):
    _setup(tmp_path, "01-one.py")
    out = tmp_path / "out"
    _run(tmp_path, out)
    (out / "html" / "homepage.html").write_text("mine", encoding="utf-8")  # lands in the current run
    (out / "tables" / "notes").mkdir()
    (out / "tables" / "notes" / "n.txt").write_text("n", encoding="utf-8")
    foreign = out / ".runs" / "not-ours"
    foreign.mkdir()
    (foreign / "x.txt").write_text("x", encoding="utf-8")
    (out / "thesis.docx").write_bytes(b"thesis")
    for _ in range(2):
        _run(tmp_path, out)
        assert (out / "html" / "homepage.html").read_text(encoding="utf-8") == "mine"
        assert (out / "tables" / "notes" / "n.txt").read_text(encoding="utf-8") == "n"
    assert (foreign / "x.txt").read_text(encoding="utf-8") == "x"  # no run file: not the tool's
    assert (out / "thesis.docx").read_bytes() == b"thesis"
    assert len(_our_runs(out)) == 1 and not (out / report.DISPLACED_NAME).exists()


def test_a_killed_run_s_leftovers_are_cleared_by_the_next(tmp_path, kernel):
    _setup(tmp_path, "01-one.py")
    out = tmp_path / "out"
    _run(tmp_path, out)
    current = os.readlink(out / ".current")
    half = outdir.new_run(out)  # a run killed while building, and one killed before its switch
    (half / "tables").mkdir()
    (half / "tables" / "01-one.csv").write_text("half", encoding="utf-8")
    os.symlink(".runs/x", out / f".current.{os.getpid()}.link.tmp")
    report.recover(out)
    assert os.readlink(out / ".current") == current and not half.exists()
    assert not list(out.glob("*.link.tmp")) and _our_runs(out) == [current.split("/")[1]]
    assert (out / "tables" / "01-one.csv").read_text(encoding="utf-8") == "a\n1\n"
    (out / ".current").unlink()  # lost: the manifest names the run, which is not deleted
    report.recover(out)
    assert os.readlink(out / ".current") == current and (out / "tables" / "01-one.csv").exists()


@pytest.mark.parametrize("exchange", ["renameat2", "two renames"])
def test_an_old_real_folder_report_is_migrated_and_nothing_of_the_user_s_is_lost(
    tmp_path, kernel, monkeypatch, capsys, exchange
):
    if exchange == "two renames":  # a kernel or file system without RENAME_EXCHANGE
        monkeypatch.setattr(outdir, "_exchange", lambda a, b: False)
    _setup(tmp_path, "01-one.py", "02-two.py")
    out = tmp_path / "out"
    with monkeypatch.context() as m:  # a file system without symlinks: the journaled swap
        m.setattr(outdir.os, "symlink", _no_symlinks)
        _run(tmp_path, out)
    err = capsys.readouterr().err
    assert err.count("cannot hold symbolic links") == 1
    assert (out / "html").is_dir() and not (out / "html").is_symlink()
    before = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    (out / "my-notes.txt").write_text("mine", encoding="utf-8")
    kernel["tag"] = "b"
    _run(tmp_path, out)
    for entry in outdir.RUN_ENTRIES:
        assert os.readlink(out / entry) == f".current/{entry}"
    assert (out / "tables" / "01-one.csv").read_text(encoding="utf-8") == "b\n1\n"
    assert (out / "my-notes.txt").read_text(encoding="utf-8") == "mine"
    assert len(_our_runs(out)) == 1 and not list(out.glob(outdir.MIGRATING_PREFIX + "*"))
    assert not (out / report.DISPLACED_NAME).exists()  # the old files were the tool's: deleted
    broken, sources = broken_links(out)
    assert broken == [] and len(sources) == 1
    report_files = {p for p in before if not p.startswith(".")}
    assert report_files and all((out / p).is_file() for p in report_files)  # the same, now via links


def _no_symlinks(*args, **kw):
    raise OSError(1, "Operation not permitted")


def test_an_old_layout_folder_holding_user_files_keeps_the_journaled_swap(
    tmp_path, kernel, monkeypatch, capsys
):
    _setup(tmp_path, "01-one.py")
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        m.setattr(outdir.os, "symlink", _no_symlinks)
        _run(tmp_path, out)
    (out / "html" / "homepage.html").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    _run(tmp_path, out)
    err = capsys.readouterr().err
    assert "html/ (homepage.html) hold files the report did not write" in err and "journal" in err
    assert not (out / "html").is_symlink() and not (out / ".current").exists()
    assert (out / "html" / "homepage.html").read_text(encoding="utf-8") == "mine"
    (out / "html" / "homepage.html").unlink()  # moved away: the next run switches to links
    _run(tmp_path, out)
    assert os.readlink(out / "html") == ".current/html" and broken_links(out)[0] == []


def test_the_switch_is_one_replace_of_a_fresh_link(tmp_path, kernel, monkeypatch):
    """After the entries are links, `.current` changes only by os.replace of a new symlink."""
    _setup(tmp_path, "01-one.py")
    out = tmp_path / "out"
    _run(tmp_path, out)
    calls = []
    real_replace = os.replace

    def replace(src, dst):
        calls.append((Path(src).name, Path(dst).name, os.path.islink(src)))
        return real_replace(src, dst)

    monkeypatch.setattr(outdir.os, "replace", replace)
    _run(tmp_path, out)
    touching_current = [c for c in calls if c[1] == ".current"]
    assert len(touching_current) == 1 and touching_current[0][2]  # one rename, of a symlink
    assert not [c for c in calls if c[1] in outdir.RUN_ENTRIES]  # the entries were left alone


def test_the_tables_page_takes_a_csv_with_no_columns(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "empty.csv").write_text("", encoding="utf-8")
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "tables" / "one.csv", index=False)
    page = landing.write_tables_page(tmp_path, sorted((tmp_path / "tables").glob("*.csv")))
    text = page.read_text(encoding="utf-8")
    assert 'id="empty"' in text and "0 行 × 0 列" in text and "1 行 × 1 列" in text


def test_a_migration_killed_between_its_two_renames_is_repaired_by_the_next_run(
    tmp_path, kernel, monkeypatch
):
    """Without renameat2 a folder becomes a link in two renames; a kill between leaves no entry."""
    _setup(tmp_path, "01-one.py")
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        m.setattr(outdir.os, "symlink", _no_symlinks)
        _run(tmp_path, out)
    before = {rel: (out / rel).read_bytes() for rel in ("html/index.html", "tables/01-one.csv")}
    calls = []

    class Killed(Exception):
        pass

    def step():
        calls.append(1)
        if len(calls) == 2:  # `.current` points at the old report's run: stop there
            raise Killed

    with pytest.raises(Killed):
        outdir._migrate(out, set(report.read_out_manifest(out)), step)
    os.replace(out / "html", out / (outdir.MIGRATING_PREFIX + "html"))  # the first rename, then killed
    assert not os.path.lexists(out / "html")
    report.recover(out)  # what the next run does first
    for entry in outdir.RUN_ENTRIES:
        assert os.readlink(out / entry) == f".current/{entry}"
    assert {rel: (out / rel).read_bytes() for rel in before} == before
    assert not list(out.glob(outdir.MIGRATING_PREFIX + "*")) and not (out / report.DISPLACED_NAME).exists()
    assert json.loads((out / report.OUT_MANIFEST_NAME).read_text(encoding="utf-8"))["layout"] == "links"
    assert broken_links(out)[0] == []


def test_unchanged_notebooks_are_reused_although_each_run_has_its_own_folder(tmp_path, monkeypatch):
    calls = []

    def execute(nb, *, cwd, env, name, timeout=900):
        calls.append(name)
        target = Path(env["DXMINUTES_REPORTS_DIR"]) / "tables" / f"{Path(name).stem}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("a\n1\n", encoding="utf-8")
        return nb

    monkeypatch.setattr(report, "execute_notebook", execute)
    _setup(tmp_path, "01-one.py", "02-two.py")
    out = tmp_path / "out"
    kw = {"parameters": {"PROCESSED_DIR": tmp_path / "processed"}, "reports_dir": out}
    report.run_report(tmp_path / "notebooks", notebooks_out=out / "notebooks", **kw)
    first = os.readlink(out / ".current")
    result = report.run_report(tmp_path / "notebooks", notebooks_out=out / "notebooks", **kw)
    assert calls == ["01-one.py", "02-two.py"] and result.reused == ["01-one.py", "02-two.py"]
    assert os.readlink(out / ".current") != first  # a new run, its files carried over
    assert (out / "tables" / "02-two.csv").read_text(encoding="utf-8") == "a\n1\n"
    assert (out / "notebooks" / "01-one.ipynb").is_file() and broken_links(out)[0] == []
