"""Speaker turns on real minutes excerpts against hand-written truth (`tests/data/realworld/`).

The 50 excerpts come from 48 bodies and were written up by reading, without running the code
(see the corpus README). Every file goes through the loader's own path (`read_raw` → `clean` →
`segment`); the truth is compared, not copied. Turns are matched to the truth by the start of
their text, in order, so a turn counts only when its boundary is right.

Measured on the development corpus when this test was written: 50 of 50 files within
max(1, n/4) turns of the truth, 147 of 152 truth turns found with the right boundary, roles
right for 145 of those 147, speakers for 133 (names compared after `normalize_speaker_name`).
With rw_051–rw_062 added (inline `(委員)` labels, spaced bare role words, a greeting heading,
rosters, an index): 62 of 62 files, 167 of 172 turns, roles 165 of 167, speakers 152 of 167.
The floors below are set a little under these figures so that a regression fails while
unrelated fluctuations do not.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from dxminutes import config
from dxminutes.corpus.cleaning import clean
from dxminutes.corpus.readers import read_raw
from dxminutes.corpus.segment import normalize_speaker_name, segment

DATA = Path(__file__).parent / "data" / "realworld"
FILES = sorted(path.name for path in DATA.glob("rw_*.txt"))

#: Floors (measured values in the module docstring).
MIN_SHARE_WITHIN_TOLERANCE = 0.85  # the target
MIN_BOUNDARY_RECALL = 0.90  # measured 167/172 = 0.971
MIN_ROLE_ACCURACY = 0.95  # measured 165/167 = 0.988
MIN_SPEAKER_ACCURACY = 0.85  # measured 152/167 = 0.910
#: Characters of a turn's text start compared to match it to a truth turn.
MATCH_CHARS = 8


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _truth() -> tuple[dict[str, int], dict[str, list[dict]]]:
    with open(DATA / "truth.csv", encoding="utf-8", newline="") as handle:
        n_turns = {row["file"]: int(row["n_turns"]) for row in csv.DictReader(handle)}
    turns: dict[str, list[dict]] = defaultdict(list)
    with open(DATA / "turns.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            turns[row["file"]].append(row)
    return n_turns, turns


def _segment_text(text: str) -> pd.DataFrame:
    return segment(clean(text).text).turns


def _segment_file(path: Path) -> pd.DataFrame:
    return _segment_text(read_raw(path).text)


def match_turns(predicted: pd.DataFrame, truth: list[dict]) -> list[tuple[dict, dict | None]]:
    """Pair each truth turn with the next predicted turn whose text starts the same way (or None)."""
    rows = predicted.to_dict("records")
    pairs, start = [], 0
    for expected in truth:
        key = _norm(expected["text_start"])[:MATCH_CHARS]
        found = None
        for k in range(start, len(rows)):
            if _norm(rows[k]["text"]).startswith(key):
                found, start = rows[k], k + 1
                break
        pairs.append((expected, found))
    return pairs


@pytest.fixture(scope="module")
def results():
    n_turns, truth = _truth()
    assert len(FILES) >= 40 and set(FILES) == set(n_turns), "truth.csv must list every rw_*.txt"
    return {file: (n_turns[file], truth[file], _segment_file(DATA / file)) for file in FILES}


def test_matcher_has_a_known_answer():
    predicted = pd.DataFrame(
        {"text": ["開会します。", "質問です。", "お答えします。"], "role": ["chair", "member", "official"]}
    )
    truth = [{"text_start": "質問です。"}, {"text_start": "存在しない"}, {"text_start": "お答え"}]
    pairs = match_turns(predicted, truth)
    assert [found["role"] if found else None for _, found in pairs] == ["member", None, "official"]


def test_turn_counts_within_tolerance(results):
    off = {
        file: (n, len(predicted))
        for file, (n, _, predicted) in results.items()
        if abs(len(predicted) - n) > max(1, n / 4)
    }
    share = 1 - len(off) / len(results)
    print(
        f"\nfiles within max(1, n/4) turns of the truth: {len(results) - len(off)}/{len(results)}; off: {off}"
    )
    assert share >= MIN_SHARE_WITHIN_TOLERANCE, off


def test_boundaries_roles_and_speakers_agree_with_the_truth(results):
    found = matched_role = matched_speaker = total = 0
    wrong_roles = []
    for file, (_, truth, predicted) in results.items():
        for expected, got in match_turns(predicted, truth):
            total += 1
            if got is None:
                continue
            found += 1
            matched_role += got["role"] == expected["role"]
            matched_speaker += normalize_speaker_name(got["speaker"]) == normalize_speaker_name(
                expected["speaker"]
            )
            if got["role"] != expected["role"]:
                wrong_roles.append((file, expected["speaker_label"], expected["role"], got["role"]))
    recall, role_accuracy, speaker_accuracy = found / total, matched_role / found, matched_speaker / found
    print(
        f"\nturns found with their boundary: {found}/{total} ({recall:.1%}); roles right: {matched_role}/{found}"
        f" ({role_accuracy:.1%}); speakers right: {matched_speaker}/{found} ({speaker_accuracy:.1%})"
        f"\nwrong roles: {wrong_roles}"
    )
    assert recall >= MIN_BOUNDARY_RECALL
    assert role_accuracy >= MIN_ROLE_ACCURACY
    assert speaker_accuracy >= MIN_SPEAKER_ACCURACY


def test_no_truth_file_loses_all_its_turns(results):
    assert [file for file, (n, _, predicted) in results.items() if n >= 2 and predicted.empty] == []


def test_rosters_and_indexes_are_never_turns(results):
    """Files whose truth has no turn (rosters, a table roster with ◎/〇 marks, a ○ table of
    contents) give no turn: an index or roster is never taken for turns."""
    empty = [file for file, (n, _, _) in results.items() if n == 0]
    assert len(empty) >= 4
    assert {
        file: len(predicted) for file, (n, _, predicted) in results.items() if n == 0 and len(predicted)
    } == {}


# --- the same text in other encodings and layouts loads identically ----------------------


def _encodable(file: str) -> bool:
    try:
        (DATA / file).read_text(encoding="utf-8").encode("cp932")
    except UnicodeEncodeError:  # e.g. `•` (U+2022) has no Shift_JIS code
        return False
    return True


#: Files whose labels do not rely on a single space between name and post (which PDF spacing
#: makes indistinguishable from the spaces it inserts): parenthesized, bracketed, colon and
#: question-and-answer labels, one per line, split across lines or flattened into one line.
SPACED_FILES = [
    "rw_003.txt",
    "rw_009.txt",
    "rw_012.txt",
    "rw_021.txt",
    "rw_022.txt",
    "rw_023.txt",
    "rw_027.txt",
    "rw_036.txt",
    "rw_037.txt",
    "rw_050.txt",
]


def _is_full_width(char: str) -> bool:
    return not char.isascii() and unicodedata.east_asian_width(char) in ("W", "F", "A") and char != "\u3000"


def pdf_spaced(text: str) -> str:
    """Put a space between every two adjacent full-width characters, as PDF extraction does."""
    out = []
    for i, char in enumerate(text):
        out.append(char)
        if i + 1 < len(text) and _is_full_width(char) and _is_full_width(text[i + 1]):
            out.append(" ")
    return "".join(out)


@pytest.mark.parametrize("file", [file for file in FILES if _encodable(file)])
def test_encodings_and_line_endings_give_the_same_turns(file, tmp_path):
    """The same text as cp932 (Shift_JIS) and as UTF-8 with a BOM and CRLF gives identical turns."""
    text = (DATA / file).read_text(encoding="utf-8")
    reference = _segment_file(DATA / file)
    (tmp_path / "cp932.txt").write_bytes(text.encode("cp932"))
    (tmp_path / "bom_crlf.txt").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    for variant, encoding in (("cp932.txt", "cp932"), ("bom_crlf.txt", "utf-8-sig")):
        raw = read_raw(tmp_path / variant)
        assert raw.encoding == encoding
        pd.testing.assert_frame_equal(_segment_text(raw.text), reference, obj=f"{file} as {variant}")


@pytest.mark.parametrize("file", SPACED_FILES)
def test_pdf_spacing_gives_the_same_turns(file, tmp_path):
    reference = _segment_file(DATA / file)
    (tmp_path / "spaced.txt").write_text(
        pdf_spaced((DATA / file).read_text(encoding="utf-8")), encoding="utf-8"
    )
    spaced = _segment_file(tmp_path / "spaced.txt")
    assert len(reference) >= 1
    assert len(spaced) == len(reference), f"{file} with PDF spacing"
    assert list(spaced["role"]) == list(reference["role"])
    assert list(spaced["speaker"]) == list(reference["speaker"])


def test_pdf_spacing_helper_has_a_known_answer():
    assert pdf_spaced("○議長(山田太郎君) ただいま。") == "○ 議 長(山 田 太 郎 君) た だ い ま 。"


def test_roster_warnings_on_real_minutes():
    """rw_003's attendance roster is glued onto the chair's last turn (see its truth notes): that
    turn warns. The seeds and the other excerpts hold no roster-like or mark-swallowing turn."""
    flagged = {}
    for path in [*sorted(config.RAW_DIR.glob("*.txt")), *(DATA / file for file in FILES)]:
        warnings = segment(clean(read_raw(path).text).text).warnings
        found = [w for w in warnings if "roster" in w or "speaker-like mark" in w]
        if found:
            flagged[path.name] = found
    assert list(flagged) == ["rw_003.txt"]
    assert flagged["rw_003.txt"][0].startswith(
        "turn 2 (○議長(松井良夫君)) ends with what looks like a roster"
    )
