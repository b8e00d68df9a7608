"""Nothing lost, nothing mixed: builds killed at chosen points, resumed builds, concurrent builds.

A build in a subprocess is ended abruptly (`os._exit`, like a kill: no cleanup runs) through the
`DXMINUTES_FAULT` hook of `corpus.build`, after N documents were kept or after N of the tables
were written. The next run must give tables byte-identical to a clean run's, and no reader may
accept the interrupted state as a snapshot.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from dxminutes import workspace
from dxminutes.corpus import build as build_mod
from dxminutes.corpus.build import (
    FAULT_ENV,
    FAULT_EXIT_CODE,
    MANIFEST_NAME,
    SnapshotError,
    build,
    is_current,
    read_processed,
)
from dxminutes.schema import CORPUS_TABLES

pytestmark = pytest.mark.slow  # builds in subprocesses, killed and resumed

CITIES = ("柏原市", "八尾市", "松原市", "羽曳野市", "藤井寺市")
TIMEOUT = 300


def _write_minutes(raw: Path, n: int) -> list[str]:
    raw.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(n):
        city = CITIES[i % len(CITIES)]
        text = (
            f"第{i + 1}回 {city}情報化推進委員会 会議録\n日時 令和6年7月{i + 1}日(水) 午後1時\n"
            f"(山田委員長)\n第{i + 1}回の会議を開会します。\n(事務局)\nDX推進計画について説明します。\n"
            "(佐藤委員)\n情報セキュリティの研修は十分でしょうか。\n"
        )
        name = f"doc{i:02d}.txt"
        (raw / name).write_text(text, encoding="utf-8")
        names.append(name)
    return names


def _table_bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / f"{name}.parquet").read_bytes() for name in CORPUS_TABLES}


def _build_cli(raw: Path, out: Path, fault: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ}
    env.pop(FAULT_ENV, None)
    if fault:
        env[FAULT_ENV] = fault
    return subprocess.run(
        [sys.executable, "-m", "dxminutes", "build", "--data", str(raw), "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


@pytest.fixture
def corpus_dirs(tmp_path):
    raw = tmp_path / "raw"
    _write_minutes(raw, 4)
    clean = tmp_path / "clean"
    build(raw, clean)
    return raw, clean


def _count_parses(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = build_mod._parse

    def counting(path, row, file, *rest):
        calls.append(file)
        return real(path, row, file, *rest)

    monkeypatch.setattr(build_mod, "_parse", counting)
    return calls


def test_killed_after_two_documents_resumes_from_the_kept_shards(corpus_dirs, tmp_path, monkeypatch):
    raw, clean = corpus_dirs
    out = tmp_path / "out"
    proc = _build_cli(raw, out, "documents:2")
    assert proc.returncode == FAULT_EXIT_CODE, proc.stderr
    assert len(list((out / "cache" / "corpus").glob("*.json"))) == 2  # kept as made
    assert not (out / MANIFEST_NAME).exists()
    with pytest.raises(FileNotFoundError):
        read_processed(out)
    calls = _count_parses(monkeypatch)
    build(raw, out)
    assert calls == ["doc02.txt", "doc03.txt"]  # the two kept documents are not parsed again
    assert _table_bytes(out) == _table_bytes(clean)
    assert (out / MANIFEST_NAME).read_bytes() == (clean / MANIFEST_NAME).read_bytes()


@pytest.mark.parametrize("tables_written", [1, 3, len(CORPUS_TABLES)])
def test_killed_between_tables_is_never_read_as_a_mix(corpus_dirs, tmp_path, tables_written):
    raw, _ = corpus_dirs
    out = tmp_path / "out"
    build(raw, out)
    old = read_processed(out)
    _write_minutes(raw, 5)  # a fifth document: the next build changes every table
    proc = _build_cli(raw, out, f"tables:{tables_written}")
    assert proc.returncode == FAULT_EXIT_CODE, proc.stderr
    with pytest.raises(SnapshotError, match="not from build"):
        read_processed(out)  # new and old tables side by side are refused
    assert not is_current(out, raw)
    build(raw, out)
    fresh = tmp_path / "fresh"
    build(raw, fresh)
    assert _table_bytes(out) == _table_bytes(fresh)
    assert len(read_processed(out).documents) == len(old.documents) + 1


def test_prepare_rebuilds_an_interrupted_snapshot(corpus_dirs, tmp_path):
    raw, _ = corpus_dirs
    out = tmp_path / "out"
    build(raw, out)
    _write_minutes(raw, 5)
    assert _build_cli(raw, out, "tables:1").returncode == FAULT_EXIT_CODE
    analysis = workspace.prepare(raw, out)
    assert len(analysis.documents) == 5
    fresh = tmp_path / "fresh"
    build(raw, fresh)
    assert _table_bytes(out) == _table_bytes(fresh)


def test_prepare_rejects_tables_without_a_manifest_and_a_changed_raw_folder(corpus_dirs, tmp_path):
    raw, clean = corpus_dirs
    (clean / MANIFEST_NAME).unlink()  # tables from an older version of the builder
    assert not is_current(clean, raw)
    with pytest.raises(SnapshotError):
        read_processed(clean)
    build(raw, clean)
    assert is_current(clean, raw)
    os.mkfifo(raw / "pipe.txt")  # a new entry, even one that cannot be loaded, makes it stale
    assert not is_current(clean, raw)


def test_second_build_waits_for_the_first(corpus_dirs, tmp_path):
    """Deterministic: this process holds the build lock; a second build waits, then completes."""
    raw, clean = corpus_dirs
    out = tmp_path / "out"
    out.mkdir()
    log = tmp_path / "stderr.txt"
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    with build_mod._lock(out / build_mod.BUILD_LOCK_NAME, exclusive=True, timeout=5), open(log, "w") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "dxminutes", "build", "--data", str(raw), "--out", str(out)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        deadline = time.monotonic() + TIMEOUT
        while "waiting for another build" not in log.read_text() and time.monotonic() < deadline:
            assert child.poll() is None, log.read_text()
            time.sleep(0.1)
        assert "waiting for another build" in log.read_text()
        time.sleep(0.5)
        assert child.poll() is None  # still waiting: nothing published while the lock is held
        assert not (out / MANIFEST_NAME).exists()
    assert child.wait(timeout=TIMEOUT) == 0, log.read_text()
    assert _table_bytes(out) == _table_bytes(clean)


def test_two_concurrent_builds_give_one_consistent_snapshot(tmp_path):
    raw = tmp_path / "raw"
    _write_minutes(raw, 12)
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    command = [sys.executable, "-m", "dxminutes", "build", "--data", str(raw), "--out", str(out)]
    children = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]
    codes = [child.wait(timeout=TIMEOUT) for child in children]
    assert codes == [0, 0]
    clean = tmp_path / "clean"
    build(raw, clean)
    assert _table_bytes(out) == _table_bytes(clean)
    read_processed(out)  # the manifest matches every table


def test_stale_temporary_files_are_removed(corpus_dirs, tmp_path):
    raw, clean = corpus_dirs
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(finished.stdout)
    stale = clean / f".documents.{dead}.1.tmp.parquet"
    stale_shard = clean / "cache" / "corpus" / f".abc.{dead}.1.tmp.json"
    live = clean / f".turns.{os.getpid()}.1.tmp.parquet"  # a writer that is still running
    for path in (stale, stale_shard, live):
        path.write_bytes(b"partial")
    build(raw, clean)
    assert not stale.exists() and not stale_shard.exists()
    assert live.exists()


def test_shards_follow_the_content(corpus_dirs, monkeypatch):
    raw, clean = corpus_dirs
    calls = _count_parses(monkeypatch)
    build(raw, clean)
    assert calls == []  # nothing changed: every document from its shard
    (raw / "doc01.txt").write_text(
        (raw / "doc01.txt").read_text(encoding="utf-8") + "(佐藤委員)\n追加の発言です。\n", encoding="utf-8"
    )
    (raw / "catalog.csv").write_text("file,record_kind\ndoc02.txt,summary\n", encoding="utf-8")
    corpus = build(raw, clean)
    assert sorted(calls) == ["doc01.txt", "doc02.txt"]  # changed bytes, changed catalog row
    assert corpus.documents.set_index("file").loc["doc02.txt", "record_kind"] == "summary"


def test_a_damaged_shard_is_made_again(corpus_dirs, monkeypatch):
    raw, clean = corpus_dirs
    shard = sorted((clean / "cache" / "corpus").glob("*.json"))[0]
    shard.write_bytes(b"{not json")
    calls = _count_parses(monkeypatch)
    build(raw, clean)
    assert len(calls) == 1
    assert json.loads(shard.read_bytes())["file"] in calls


def test_reruns_are_byte_identical(corpus_dirs, tmp_path):
    raw, clean = corpus_dirs
    again = tmp_path / "again"
    build(raw, again)
    assert _table_bytes(again) == _table_bytes(clean)
    assert (again / MANIFEST_NAME).read_bytes() == (clean / MANIFEST_NAME).read_bytes()
    manifest = json.loads((clean / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert str(tmp_path) not in json.dumps(manifest)
    pd.testing.assert_frame_equal(read_processed(again).turns, read_processed(clean).turns)


def test_sigkill_at_an_arbitrary_moment_loses_at_most_the_document_in_flight(tmp_path, monkeypatch):
    """A real SIGKILL, not at a hook: every kept shard is whole, and the next build equals a clean one."""
    raw = tmp_path / "raw"
    names = _write_minutes(raw, 40)
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    child = subprocess.Popen(
        [sys.executable, "-m", "dxminutes", "build", "--data", str(raw), "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    shards = out / "cache" / "corpus"
    deadline = time.monotonic() + TIMEOUT
    while child.poll() is None and time.monotonic() < deadline:
        if shards.is_dir() and len(list(shards.glob("*.json"))) >= 3:
            break
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=TIMEOUT)
    kept = list(shards.glob("*.json"))
    assert kept, "the build was killed before it kept a document"
    for shard in kept:
        assert json.loads(shard.read_bytes())["file"] in names  # whole, never half-written
    calls = _count_parses(monkeypatch)
    build(raw, out)
    assert len(calls) == len(names) - len(kept)  # only documents without a shard are parsed again
    clean = tmp_path / "clean"
    build(raw, clean)
    assert _table_bytes(out) == _table_bytes(clean)
    read_processed(out)
