"""Every path of the raw folder is accounted for; `inspect`, `tokens` and `build` never hang or crash.

Each case is built in a temporary folder: a symlink loop, a FIFO, a broken symlink, an
unreadable and a symlinked sub-folder, a folder symlinked back to its parent. The commands run
in subprocesses with a timeout, so a regression that blocks on a FIFO fails instead of hanging.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from dxminutes import config
from dxminutes.corpus import build as build_mod
from dxminutes.corpus.build import load_corpus, scan_raw

MINUTES = "第1回 柏原市情報化推進委員会 会議録\n日時 令和6年7月17日(水) 午後1時\n(山田委員長)\n開会します。\n(事務局)\n説明します。\n"
TIMEOUT = 120


def _minutes(path: Path, text: str | None = None) -> Path:
    """Write minutes; by default MINUTES with a sentence of its own, so that no two files are copies
    of each other (a copy would be counted once, see `corpus.duplicates`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        text = MINUTES.replace("説明します。", f"説明します。資料番号{zlib.crc32(path.name.encode()):010d}。")
    path.write_text(text, encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dxminutes", *args], capture_output=True, text=True, timeout=TIMEOUT
    )


@pytest.fixture
def raw(tmp_path) -> Path:
    """A raw folder with one good file and every kind of entry that cannot be loaded."""
    raw = tmp_path / "raw"
    _minutes(raw / "good.txt")
    _minutes(raw / "sub" / "nested.txt")
    os.mkfifo(raw / "pipe.txt")
    (raw / "loop_a.txt").symlink_to("loop_b.txt")
    (raw / "loop_b.txt").symlink_to("loop_a.txt")
    (raw / "broken.txt").symlink_to("nowhere.txt")
    (raw / "sub" / "up").symlink_to("..", target_is_directory=True)  # back to raw/: a loop
    outside = tmp_path / "elsewhere"
    _minutes(outside / "linked.txt")
    (raw / "linked_dir").symlink_to(outside, target_is_directory=True)
    (raw / "again").symlink_to(raw / "sub", target_is_directory=True)  # a second way into sub/
    (raw / ".hidden.txt").write_text("not minutes", encoding="utf-8")
    (raw / "README.md").write_text("not minutes", encoding="utf-8")
    return raw


def test_scan_lists_every_entry_with_its_reason(raw):
    scan = scan_raw(raw)
    assert scan.files == ("good.txt", "sub/nested.txt")
    problems = dict(scan.problems)
    assert problems == {
        "linked_dir": build_mod.OUTSIDE_LINK,  # a folder outside the raw folder is not read (issue 20)
        "pipe.txt": "not a regular file (a FIFO)",
        "loop_a.txt": "symlink loop",
        "loop_b.txt": "symlink loop",
        "broken.txt": "broken symlink (its target does not exist)",
        "sub/up": "symlink loop (links back to a folder that contains it)",
        "again": "symlinked folder already read as 'sub'",
    }


def test_load_corpus_accounts_for_every_entry(raw):
    corpus = load_corpus(raw)
    assert sorted(corpus.documents["file"]) == ["good.txt", "sub/nested.txt"]
    failures = dict(zip(corpus.failures["file"], corpus.failures["problem"]))
    assert set(failures) == {
        "pipe.txt",
        "loop_a.txt",
        "loop_b.txt",
        "broken.txt",
        "sub/up",
        "again",
        "linked_dir",
    }
    # nothing else in the folder: every visible, non-catalog entry is loaded or a failure
    visible = {p.name for p in raw.iterdir() if not p.name.startswith(".") and p.name != "README.md"}
    accounted = {f.split("/")[0] for f in set(corpus.documents["file"]) | set(failures)}
    assert visible == accounted


def test_build_command_reports_the_failures_and_exits_1(raw, tmp_path):
    proc = _run("build", "--data", str(raw), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "2 documents" in proc.stdout
    for line in ("pipe.txt: not a regular file (a FIFO)", "loop_a.txt: symlink loop", "sub/up: symlink loop"):
        assert line in proc.stderr


def test_unlistable_folder_is_a_failure(raw, monkeypatch):
    """Simulated (root can list any folder): os.scandir raising PermissionError for one folder."""
    real_scandir = os.scandir

    def scandir(path):
        if Path(path).name == "sub":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(build_mod.os, "scandir", scandir)
    problems = dict(scan_raw(raw).problems)
    assert problems["sub"] == "folder cannot be listed (permission denied)"
    assert "sub/nested.txt" not in scan_raw(raw).files


def test_unreadable_folder_and_file_with_real_permissions(tmp_path):
    raw = tmp_path / "raw"
    _minutes(raw / "good.txt")
    _minutes(raw / "locked" / "inside.txt")
    _minutes(raw / "secret.txt")
    os.chmod(raw / "locked", 0)
    os.chmod(raw / "secret.txt", 0)
    try:
        corpus = load_corpus(raw)
    finally:
        os.chmod(raw / "locked", 0o755)
        os.chmod(raw / "secret.txt", 0o644)
    assert "good.txt" in set(corpus.documents["file"])
    if os.geteuid() == 0:
        # root ignores file permissions, so both load; the permission path itself is covered by
        # test_unlistable_folder_is_a_failure (simulated) and the FIFO/loop cases above.
        assert {"secret.txt", "locked/inside.txt"} <= set(corpus.documents["file"])
        return
    failures = dict(zip(corpus.failures["file"], corpus.failures["problem"]))
    assert failures["locked"] == "folder cannot be listed (permission denied)"
    assert "secret.txt" in failures and "Permission denied" in failures["secret.txt"]


@pytest.mark.parametrize("command", ["inspect", "tokens"])
@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("pipe.txt", "not a regular file (a FIFO)"),
        ("loop_a.txt", "symlink loop"),
        ("missing.txt", "file not found"),
        ("sub", "not a regular file (a folder)"),
        ("broken.txt", "broken symlink (its target does not exist)"),
    ],
)
def test_inspect_and_tokens_print_one_line_and_exit_1(raw, command, name, problem):
    proc = _run(command, str(raw / name))
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [f"error: {name}: {problem}"]


@pytest.mark.slow
def test_tokens_on_a_good_file(raw):
    proc = _run("tokens", str(raw / "good.txt"))
    assert proc.returncode == 0, proc.stderr
    assert "[山田 / chair]" in proc.stdout


@pytest.mark.slow
def test_tokens_on_a_file_without_speakers(tmp_path):
    # readable text without speakers is one unsegmented block (speaker 不明, role unknown)
    path = _minutes(tmp_path / "plain.txt", "ただの文章です。\n話者はいません。\n")
    proc = _run("tokens", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("[不明 / unknown] ")
    # junk (no speakers, no readable text) is still an error
    path = _minutes(tmp_path / "junk.txt", "#### 1234 ----\n==== 5678 ####\n")
    proc = _run("tokens", str(path))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [f"error: junk.txt: {build_mod.NO_READABLE_TEXT}"]


@pytest.mark.parametrize("target", ["missing", "a_file.txt"])
def test_build_with_a_bad_data_folder_prints_one_line(tmp_path, target):
    _minutes(tmp_path / "a_file.txt")
    proc = _run("build", "--data", str(tmp_path / target), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: raw folder") and target in lines[0], proc.stderr
    assert str(tmp_path) not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_relpath_of_a_symlink_loop_names_the_file(tmp_path):
    (tmp_path / "x").symlink_to("y")
    (tmp_path / "y").symlink_to("x")
    assert config.relpath(tmp_path / "x") == "x"
