"""User patterns are bounded (issue 20, item 5).

Speaker patterns of `dxminutes.toml` and theme patterns run with a time limit (the `regex`
module's `timeout=`): a pattern that backtracks without end stops the file (or the coding) with
a message naming the file and key, never a hang. A pattern that matches every line and unknown
keys are reported with the file, the key and the keys allowed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from dxminutes import config
from dxminutes.analysis import themes
from dxminutes.corpus import convention
from dxminutes.corpus.build import build, load_corpus
from dxminutes.corpus.convention import CONVENTION_FILE, PatternTimeout, load_convention, parse_convention

EVIL = r"^(?P<label>(a|aa)+)$"  # exponential backtracking on 'aaaa…b', also in `regex`
LINE = "a" * 40 + "b"
MINUTES = (
    "第1回 柏原市情報化推進委員会 会議録\n(山田委員長)\n開会します。\n(佐藤委員)\nDXについて質問します。\n"
)


@pytest.fixture
def quick_limit(monkeypatch):
    monkeypatch.setattr(convention, "PATTERN_TIMEOUT_S", 0.2)


def test_a_backtracking_speaker_pattern_stops_with_its_file_and_key(tmp_path, quick_limit):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / CONVENTION_FILE).write_text(f"[[speaker]]\npattern = '{EVIL}'\n", encoding="utf-8")
    (raw / "evil.txt").write_text(MINUTES + LINE + "\n", encoding="utf-8")
    (raw / "good.txt").write_text(MINUTES, encoding="utf-8")
    started = time.monotonic()
    corpus = load_corpus(raw)
    assert time.monotonic() - started < 60
    failures = dict(zip(corpus.failures["file"], corpus.failures["problem"]))
    assert set(failures) == {"evil.txt"}  # the other file goes on
    assert failures["evil.txt"].startswith(f"{CONVENTION_FILE} [[speaker]] 1: pattern ")
    assert "took over" in failures["evil.txt"] and "simplify it" in failures["evil.txt"]
    assert len(corpus.documents) == 1


def test_the_build_from_the_issue_finishes_in_a_subprocess(tmp_path):
    """`^(?P<label>(a+)+)$` on one 41-character line hung the build with `re`."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / CONVENTION_FILE).write_text("[[speaker]]\npattern = '^(?P<label>(a+)+)$'\n", encoding="utf-8")
    (raw / "a.txt").write_text(MINUTES + LINE + "\n", encoding="utf-8")
    code = f"from dxminutes.corpus.build import build\nc = build({str(raw)!r}, {str(tmp_path / 'p')!r})\nprint(len(c.documents))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "1", proc.stderr


def test_a_pattern_matching_every_line_is_reported_with_its_key():
    conv = parse_convention("[[speaker]]\npattern = '^(?P<label>.+)$'\n")
    assert len(conv.warnings) == 1
    assert conv.warnings[0].startswith(f"{CONVENTION_FILE}: [[speaker]] 1 pattern ")
    assert "every line would become a turn" in conv.warnings[0]
    assert parse_convention("[[speaker]]\npattern = '^#(?P<name>[^#]+)#(?P<speech>.*)$'\n").warnings == ()


def test_an_unknown_speaker_key_names_the_key_and_the_keys_allowed(tmp_path):
    (tmp_path / CONVENTION_FILE).write_text(
        "[[speaker]]\npattern = '^#(?P<name>[^#]+)#'\nrol = \"chair\"\n", encoding="utf-8"
    )
    conv = load_convention(tmp_path)
    assert conv.speaker_patterns == ()
    assert conv.warnings == (
        f"{CONVENTION_FILE}: [[speaker]] 1: unknown key 'rol' (allowed: pattern, role); using the built-in conventions",
    )
    (tmp_path / "a.txt").write_text(MINUTES, encoding="utf-8")
    corpus = build(tmp_path, tmp_path.parent / f"{tmp_path.name}-processed")
    assert "unknown key 'rol'" in " ".join(corpus.warnings["message"])


def _theme_file(tmp_path, extra: str) -> object:
    path = tmp_path / "themes.toml"
    path.write_text(
        '[[theme]]\nkey = "x"\nlabel_ja = "X"\nlabel_en = "X"\nterms = ["DX"]\n' + extra, encoding="utf-8"
    )
    return path


def test_a_backtracking_theme_pattern_stops_the_coding_with_its_key(tmp_path, quick_limit):
    theme_set = themes.load_themes(_theme_file(tmp_path, "patterns = ['(a|aa)+$']\n"))
    turns = pd.DataFrame(
        {
            "turn_id": ["t1", "t2"],
            "municipality": ["柏原市"] * 2,
            "text": ["DXの推進", LINE],
            "role": ["member"] * 2,
        }
    )
    started = time.monotonic()
    with pytest.raises(PatternTimeout, match=r"codebook, 'x' patterns: pattern '\(a\|aa\)\+\$'"):
        themes.find_hits(turns, theme_set)
    assert time.monotonic() - started < 60


def test_ordinary_theme_patterns_code_as_before():
    seed = themes.load_themes(config.THEMES_PATH)
    turns = load_corpus(config.RAW_DIR).turns
    hits = themes.find_hits(turns, seed)
    assert len(hits) > 100 and set(hits["theme"]) == set(seed.keys)


def test_an_unknown_theme_key_names_the_key_and_the_keys_allowed(tmp_path):
    with pytest.raises(themes.ThemeFileError, match=r"unknown field\(s\) \['pattern'\]; allowed: \["):
        themes.load_themes(_theme_file(tmp_path, "pattern = ['x']\n"))


# --- a declared pattern that turns most lines of a file into turns (one warning per file) -------

SEED = "nagareyama_2024-07-17_gyozaisei-kaikaku-shingikai.txt"
#: A mark-anchored pattern, as a user would declare for `○山田委員長　…` minutes.
ANCHORED = r"^(?P<label>[○◯〇◎●◆△▲□■◇][^\s　]{1,40}?)[\s　]+(?P<speech>.*)$"


def _seed_corpus(tmp_path, toml: str | None):
    raw = tmp_path / "raw"
    raw.mkdir(parents=True)
    (raw / SEED).write_bytes((config.RAW_DIR / SEED).read_bytes())
    if toml is not None:
        (raw / CONVENTION_FILE).write_text(toml, encoding="utf-8")
    return load_corpus(raw)


def _greedy(corpus) -> pd.DataFrame:
    return corpus.warnings[corpus.warnings["message"].str.contains("turns most lines into turns")]


def test_the_issue_case_a_pattern_matching_every_line_is_reported_for_the_file(tmp_path):
    from dxminutes.report.summaries import loading_problems

    plain = _seed_corpus(tmp_path / "a", None)
    greedy = _seed_corpus(tmp_path / "b", "[[speaker]]\npattern = '^(?P<label>.+)$'\n")
    assert len(greedy.turns) > 3 * len(plain.turns)  # the issue: 122 turns became 509
    assert _greedy(plain).empty
    rows = _greedy(greedy)
    assert rows["file"].tolist() == [SEED]  # one warning, for the file
    message = rows["message"].iloc[0]
    assert message.startswith(f"{CONVENTION_FILE} [[speaker]] 1 pattern '^(?P<label>.+)$' ")
    assert f"opened a turn at {len(greedy.turns)} of " in message
    problems = loading_problems(greedy)
    assert (
        (problems["kind"] == "warning") & (problems["file"] == SEED) & (problems["message"] == message)
    ).sum() == 1


def test_a_pattern_that_passes_the_prose_probes_but_takes_most_lines_is_reported(tmp_path):
    # no Latin letters: the probe line `DX推進計画について説明します。` does not match, most lines do
    toml = "[[speaker]]\npattern = '^#(?P<name>x)$'\n\n[[speaker]]\npattern = '^(?P<label>[^A-Za-z]{2,})$'\n"
    assert parse_convention(toml).warnings == ()
    rows = _greedy(_seed_corpus(tmp_path, toml))
    assert rows["file"].tolist() == [SEED]
    assert rows["message"].iloc[0].startswith(f"{CONVENTION_FILE} [[speaker]] 2 pattern ")


def test_the_probe_needs_enough_lines_and_most_of_them():
    conv = parse_convention(f"[[speaker]]\npattern = '{ANCHORED}'\n")
    assert conv.greedy_pattern_warning(19, {1: 19}) is None  # too short a file to tell
    assert conv.greedy_pattern_warning(100, {1: 75}) is None  # not more than the share
    assert "[[speaker]] 1 pattern" in conv.greedy_pattern_warning(100, {1: 76})
    assert conv.greedy_pattern_warning(100, {}) is None


@pytest.mark.parametrize(
    "folder",
    [Path(__file__).parent / "data" / name for name in ("realworld", "holdout", "holdout2")]
    + [config.RAW_DIR],
    ids=lambda p: p.name,
)
def test_real_minutes_never_trigger_the_probe(folder):
    """The built-in conventions open a turn at no more than the share on any sample file of enough
    lines (so a declared pattern doing their job is not reported), and a mark-anchored declared
    pattern is never reported on them."""
    from dxminutes.corpus.cleaning import clean
    from dxminutes.corpus.readers import InputError, read_raw
    from dxminutes.corpus.segment import segment

    anchored = parse_convention(f"[[speaker]]\npattern = '{ANCHORED}'\n")
    checked = 0
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in (".txt", ".html", ".htm", ".pdf", ".docx"):
            continue
        try:
            text = clean(read_raw(path).text).text
        except InputError:
            continue
        n_lines = sum(1 for line in text.split("\n") if line.strip())
        assert not any("turns most lines" in w for w in segment(text, anchored).warnings), path.name
        if n_lines >= convention.GREEDY_PATTERN_MIN_LINES:
            checked += 1
            assert len(segment(text).turns) <= convention.GREEDY_PATTERN_SHARE * n_lines, path.name
    assert checked > 0
