"""The codebook file: themes holding their frames, one loader and one validator."""

from __future__ import annotations

import pytest

from dxminutes import config
from dxminutes.analysis import codebook as C
from dxminutes.analysis import themes as T

THEME = """
[[theme]]
key = "dx"
label_ja = "DX"
label_en = "Digital transformation"
terms = ["DX", "デジタル化"]
"""
FRAME = """
[[theme.frame]]
key = "cost"
label_ja = "費用"
label_en = "Cost"
terms = ["コスト", "ｺｽﾄ"]
"""
GOOD = THEME + FRAME


def _write(tmp_path, text, name="codebook.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_codebook_holds_themes_and_their_frames():
    book = C.load_codebook()
    assert config.relpath(config.THEMES_PATH).endswith("codebook.toml")
    assert book.keys == ["dx", "security", "staffing", "digital_divide"]
    assert all(t.frames for t in book) and book.has_frames
    # frames are ordered theme by theme, each theme's frames in file order, coded "theme:key"
    assert book.frames.themes == book.keys
    assert [f.code for f in book["security"].frames] == [
        "security:threat",
        "security:rules",
        "security:technical",
        "security:people",
    ]
    assert all(f.theme == t.key for t in book for f in t.frames)
    assert book.procedural  # the procedural patterns live in the same file


def test_a_minimal_codebook_loads_and_normalizes_terms(tmp_path):
    book = C.load_codebook(_write(tmp_path, GOOD))
    assert book.keys == ["dx"] and book.frames.codes == ["dx:cost"]
    assert book.frames["dx:cost"].terms == ("コスト",)  # half-width katakana folded, deduplicated
    assert C.load_frames(_write(tmp_path, GOOD)).codes == ["dx:cost"]  # the thin wrapper
    assert T.load_themes is C.load_codebook and T.ThemeSet is C.Codebook


def test_a_codebook_without_frames_is_valid(tmp_path):
    book = C.load_codebook(_write(tmp_path, THEME))
    assert book.keys == ["dx"] and not book.has_frames and len(book.frames) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace('key = "cost"', 'key = "cost"\ncolour = "red"'),
            r"theme #1 \('dx'\): frame #1 \('cost'\): unknown field\(s\) \['colour'\]; allowed: \['key', 'label_ja'",
        ),
        (
            GOOD.replace('key = "cost"', 'key = "cost"\ntheme = "dx"'),
            r"frame #1 \('cost'\): unknown field\(s\) \['theme'\]",
        ),
        (GOOD.replace('terms = ["コスト", "ｺｽﾄ"]', "terms = []"), r"frame #1 \('cost'\): 'terms' is empty"),
        (
            GOOD + 'patterns = ["(unclosed"]\n',
            r"frame #1 \('cost'\): invalid regular expression in 'patterns'",
        ),
        (GOOD + FRAME, r"frame #2 \('cost'\): duplicate frame key 'cost' in theme 'dx'"),
        (
            GOOD.replace('label_en = "Cost"', ""),
            r"frame #1 \('cost'\): missing required field\(s\) \['label_en'\]",
        ),
        (GOOD.replace('key = "cost"', 'key = "co st"'), "must be letters, digits"),
        (
            THEME.replace('key = "dx"', 'key = "dx"\ncolour = "red"'),
            r"theme #1 \('dx'\): unknown field\(s\) \['colour'\]; allowed: \[.*'frame'\]",
        ),
        (THEME + THEME, "theme #2: duplicate key 'dx'"),
        ("[[frames]]\nkey = 1\n", "unknown top-level key"),
        ("[[theme.frame]\n", "TOML syntax error"),
    ],
)
def test_the_validator_names_file_entry_and_key(tmp_path, text, message):
    with pytest.raises(C.CodebookError, match=message) as info:
        C.load_codebook(_write(tmp_path, text))
    assert "codebook.toml" in str(info.value)


FORMER_FRAME_FILE = """
[[frame]]
theme = "dx"
key = "cost"
label_ja = "費用"
label_en = "Cost"
terms = ["コスト"]
"""


def test_a_former_frame_file_gets_one_message_on_how_to_merge(tmp_path):
    with pytest.raises(
        C.CodebookError, match=r"frames\.toml: top-level \[\[frame\]\] tables .*\[\[theme\.frame\]\]"
    ):
        C.load_codebook(_write(tmp_path, FORMER_FRAME_FILE, "frames.toml"))
    # a themes-only file with the former frame file beside it: told to merge, not silently frameless
    themes_only = _write(tmp_path, THEME, "my-themes.toml")
    with pytest.raises(
        C.CodebookError, match=r"my-themes\.toml defines no frames, but .*frames\.toml beside it"
    ):
        C.load_codebook(themes_only)
    # a codebook that has frames is read whatever lies beside it
    assert C.load_codebook(_write(tmp_path, GOOD)).frames.codes == ["dx:cost"]


def test_the_former_frames_variable_gets_the_merge_message(monkeypatch, tmp_path):
    monkeypatch.setenv("DXMINUTES_FRAMES", str(tmp_path / "frames.toml"))
    with pytest.raises(C.CodebookError, match=r"DXMINUTES_FRAMES=.*\[\[theme\.frame\]\]"):
        C.load_frames()


def test_user_patterns_of_frames_run_with_the_bounded_regex(tmp_path):
    book = C.load_codebook(_write(tmp_path, GOOD + 'patterns = ["経費(を|が)?削減"]\n'))
    kind, variant, regex = book.frames["dx:cost"].as_theme().variants()[-1]
    assert kind == "pattern" and variant == "経費(を|が)?削減"
    assert type(regex).__name__ != "Pattern"  # BoundedPattern, not bare re
    assert regex.search("経費を削減する") is not None
