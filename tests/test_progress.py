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
