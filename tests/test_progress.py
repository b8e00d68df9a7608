"""`_progress.progress`: items pass through unchanged; a bar only on stderr, never on stdout."""

from __future__ import annotations

import io

from dxminutes import _progress


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_items_pass_through_when_off(monkeypatch, capsys):
    monkeypatch.delenv(_progress.PROGRESS_ENV, raising=False)
    assert list(_progress.progress(range(5), desc="x")) == [0, 1, 2, 3, 4]
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # pytest's stderr is not a terminal


def test_env_turns_bar_on_stderr_only(monkeypatch, capsys):
    monkeypatch.setenv(_progress.PROGRESS_ENV, "1")
    assert list(_progress.progress(iter(range(3)), total=3, desc="widgets")) == [0, 1, 2]
    out = capsys.readouterr()
    assert out.out == ""
    assert "widgets" in out.err


def test_quiet_wins_over_env(monkeypatch, capsys):
    monkeypatch.setenv(_progress.PROGRESS_ENV, "1")
    assert list(_progress.progress([1, 2], desc="widgets", quiet=True)) == [1, 2]
    assert capsys.readouterr().err == ""


def test_terminal_shows_bar_and_zero_hides_it(monkeypatch):
    tty = _Tty()
    monkeypatch.setattr("sys.stderr", tty)
    monkeypatch.delenv(_progress.PROGRESS_ENV, raising=False)
    assert _progress.enabled() is True
    assert list(_progress.progress("ab", desc="letters")) == ["a", "b"]
    assert "letters" in tty.getvalue()
    monkeypatch.setenv(_progress.PROGRESS_ENV, "0")
    assert _progress.enabled() is False
    assert _progress.enabled(quiet=True) is False


def _raw_folder(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = ["発言者,発言内容"] + [f"議員{i},デジタル化について伺います。{i}" for i in range(5)]
    (raw / "maebashi.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return raw


def test_build_shows_its_bar_on_stderr_and_quiet_hides_it(tmp_path, monkeypatch, capsys):
    from dxminutes import cli

    raw = _raw_folder(tmp_path)
    monkeypatch.setenv(_progress.PROGRESS_ENV, "1")
    assert cli.main(["build", "--data", str(raw), "--out", str(tmp_path / "p1")]) == 0
    out = capsys.readouterr()
    assert "loading minutes" in out.err and "loading minutes" not in out.out
    assert "1 documents, 5 turns" in out.out
    assert cli.main(["build", "--quiet", "--data", str(raw), "--out", str(tmp_path / "p2")]) == 0
    out = capsys.readouterr()
    assert "loading minutes" not in out.err + out.out
    assert "1 documents, 5 turns" in out.out


def test_tokens_json_is_clean_json_with_a_bar_and_quiet_hides_the_bar(tmp_path, monkeypatch, capsys):
    import json

    from dxminutes import cli

    raw = _raw_folder(tmp_path)
    monkeypatch.setenv(_progress.PROGRESS_ENV, "1")
    assert cli.main(["tokens", str(raw / "maebashi.csv"), "--json"]) == 0
    out = capsys.readouterr()
    assert "tokenizing" in out.err
    assert len(json.loads(out.out)) == 5  # the bar never reaches the output
    assert cli.main(["tokens", "--quiet", str(raw / "maebashi.csv"), "--json"]) == 0
    out = capsys.readouterr()
    assert "tokenizing" not in out.err and len(json.loads(out.out)) == 5


def test_report_notebook_bar_goes_through_progress(monkeypatch, capsys):
    from dxminutes.report import render

    monkeypatch.setenv(_progress.PROGRESS_ENV, "1")
    assert list(render._run_progress(["a", "b"], True)) == ["a", "b"]
    assert "notebooks" in capsys.readouterr().err
    assert list(render._run_progress(["a", "b"], False)) == ["a", "b"]
    assert capsys.readouterr().err == ""
