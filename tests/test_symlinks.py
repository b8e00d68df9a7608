"""Reads stay inside the data folder; special files are refused everywhere (issue 20, item 3).

A symlink in DATA that resolves outside it (a minutes file, a folder, the catalog, the
convention file) is refused with one message naming it, unless DXMINUTES_ALLOW_OUTSIDE_LINKS=1;
a FIFO never blocks a read, the theme file included.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dxminutes import config
from dxminutes._io import ALLOW_OUTSIDE_LINKS_ENV
from dxminutes.analysis.themes import ThemeFileError, load_themes
from dxminutes.corpus.build import OUTSIDE_LINK, build, load_corpus, scan_raw
from dxminutes.corpus.catalog import load_catalog
from dxminutes.corpus.convention import CONVENTION_FILE, load_convention

SECRET = "SECRET-LINE-root:x:0:0"
MINUTES = "第1回 柏原市情報化推進委員会 会議録\n日時 令和6年7月1日\n(山田委員長)\n開会します。\n(佐藤委員)\nDXについて質問します。\n"


@pytest.fixture
def folders(tmp_path, monkeypatch):
    monkeypatch.delenv(ALLOW_OUTSIDE_LINKS_ENV, raising=False)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(MINUTES, encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"(山田委員)\n{SECRET}\n", encoding="utf-8")
    return raw, outside


def test_a_symlinked_file_or_folder_pointing_outside_is_refused_and_named(folders):
    raw, outside = folders
    (raw / "passwd.txt").symlink_to(outside / "secret.txt")
    (raw / "more").symlink_to(outside, target_is_directory=True)
    (raw / "inside.txt").symlink_to(raw / "a.txt")  # a link within DATA is still read
    scan = scan_raw(raw)
    assert scan.files == ("a.txt", "inside.txt")
    assert dict(scan.problems) == {"more": OUTSIDE_LINK, "passwd.txt": OUTSIDE_LINK}
    corpus = load_corpus(raw)
    assert set(corpus.failures["file"]) == {"more", "passwd.txt"}
    assert not corpus.turns["text"].str.contains(SECRET).any()
    assert OUTSIDE_LINK.startswith("symlink to a place outside the data folder")


def test_the_explicit_option_reads_outside_links(folders, monkeypatch):
    raw, outside = folders
    (raw / "passwd.txt").symlink_to(outside / "secret.txt")
    monkeypatch.setenv(ALLOW_OUTSIDE_LINKS_ENV, "1")
    assert "passwd.txt" in scan_raw(raw).files
    assert load_corpus(raw).turns["text"].str.contains(SECRET).any()


def test_a_catalog_or_convention_symlinked_outside_is_ignored_with_one_warning(folders, tmp_path):
    raw, outside = folders
    (outside / "catalog.csv").write_text(f"file,municipality\n{SECRET},x\n", encoding="utf-8")
    (raw / "catalog.csv").symlink_to(outside / "catalog.csv")
    (outside / CONVENTION_FILE).write_text('[[speaker]]\npattern = "^(?P<label>.+)$"\n', encoding="utf-8")
    (raw / CONVENTION_FILE).symlink_to(outside / CONVENTION_FILE)
    catalog = load_catalog(raw)
    assert catalog.frame.empty and len(catalog.issues) == 1
    assert "outside the data folder" in catalog.issues[0].message()
    convention = load_convention(raw)
    assert len(convention.warnings) == 1 and "outside the data folder" in convention.warnings[0]
    corpus = build(raw, tmp_path / "processed")
    shown = " ".join(corpus.warnings["message"]) + " ".join(corpus.failures["problem"])
    assert SECRET not in shown  # the linked file's content is never shown
    assert {"catalog.csv", CONVENTION_FILE} <= set(corpus.warnings["file"])


def _in_subprocess(code: str, timeout: int = 60) -> subprocess.CompletedProcess:
    """Run `code` in a child with a deadline, so a blocking read fails the test instead of hanging it."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)


def test_a_fifo_theme_file_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "themes.toml"
    os.mkfifo(fifo)
    with pytest.raises(ThemeFileError, match=r"not a regular file \(a FIFO\)"):
        load_themes(fifo)
    proc = _in_subprocess(
        f"from dxminutes.analysis.themes import load_themes\ntry:\n    load_themes({str(fifo)!r})\n"
        "except Exception as exc:\n    print(type(exc).__name__, exc)\n"
    )
    assert "CodebookError" in proc.stdout and "FIFO" in proc.stdout  # ThemeFileError is its former name


def test_fifos_as_catalog_convention_or_minutes_never_block_a_build(folders, tmp_path):
    raw, _ = folders
    for name in ("catalog.csv", CONVENTION_FILE, "pipe.txt"):
        os.mkfifo(raw / name)
    proc = _in_subprocess(
        "from dxminutes.corpus.build import build\n"
        f"c = build({str(raw)!r}, {str(tmp_path / 'processed')!r})\n"
        "print(len(c.documents), sorted(c.failures['problem']), sorted(c.warnings['file']))\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("1 ") and "not a regular file (a FIFO)" in proc.stdout
    assert CONVENTION_FILE in proc.stdout and "catalog.csv" in proc.stdout


def test_seed_corpus_is_unchanged_by_the_link_rules():
    assert scan_raw(config.RAW_DIR).problems == ()


def test_the_report_command_has_the_explicit_option(monkeypatch, tmp_path):
    from dxminutes.cli import build_parser
    from dxminutes.report import render

    seen = {}

    def fake_run_report(*args, **kw):
        seen["env"] = os.environ.get(ALLOW_OUTSIDE_LINKS_ENV)
        return render.RunResult()

    monkeypatch.setattr(render, "run_report", fake_run_report)
    monkeypatch.setenv(ALLOW_OUTSIDE_LINKS_ENV, "0")  # restored (unset) after the test
    argv = ["report", "--out", str(tmp_path / "o"), "--no-build", "--allow-outside-links"]
    args = build_parser().parse_args(argv)
    assert args.func(args) == 0
    assert seen["env"] == "1"
