"""Outputs of five functions split into steps (issue 9, item 4) equal their frozen outputs.

`tests/data/frozen/capture.py` recorded, before the split, what `network.cooccurrence`,
`synthetic.scale_corpus`, `topics.select_k`, `segment.segment` and `sudachi.map_pos` return on
the seed minutes and the real-world excerpts (inputs frozen in `tests/data/frozen/inputs/`).
Each test recomputes one of them with the same `compute_*` function and compares exactly:
every cell, dtype, index, warning and error message. A difference means the behaviour changed;
if that is intended, rerun the capture script and say so in the commit.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

FROZEN = Path(__file__).parent / "data" / "frozen"


def _capture_module():
    spec = importlib.util.spec_from_file_location("frozen_capture", FROZEN / "capture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


capture = _capture_module()


@pytest.fixture(scope="module")
def inputs() -> dict:
    return capture.frozen_inputs()


def _same(name: str, actual) -> None:
    expected = capture.read_frozen(name)
    actual = json.loads(capture.dumps(actual))  # the same encoding as the frozen file
    if actual != expected:  # compare by part first, so a failure names what changed
        for key in expected:
            assert actual.get(key) == expected[key], f"{name}: {key!r} differs from the frozen output"
    assert actual == expected


def test_cooccurrence_is_unchanged(inputs):
    _same("cooccurrence.json", capture.compute_cooccurrence(inputs))


def test_scale_corpus_is_unchanged(inputs):
    _same("scale_corpus.json", capture.compute_scale_corpus(inputs))


def test_select_k_is_unchanged(inputs):
    _same("select_k.json", capture.compute_select_k(inputs))


def test_segment_is_unchanged(inputs):
    actual = capture.compute_segment(inputs)
    expected = capture.read_frozen("segment.json.gz")
    assert sorted(actual["files"]) == sorted(expected["files"])
    for file, record in expected["files"].items():
        assert json.loads(capture.dumps(actual["files"][file])) == record, f"segment({file}) changed"
    assert actual["digest"] == expected["digest"]


def test_map_pos_is_unchanged():
    actual = capture.compute_map_pos()
    expected = capture.read_frozen("map_pos.json")
    # the pinned lock fixes the dictionary; after a deliberate upgrade, rerun capture.py
    assert (actual["sudachi"], actual["n_pos"]) == (expected["sudachi"], expected["n_pos"]), (
        "map_pos.json was frozen for another Sudachi dictionary: rerun tests/data/frozen/capture.py"
    )
    _same("map_pos.json", actual)
