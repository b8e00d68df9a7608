"""Outputs of functions split into steps (issue 9, item 4) agree with their frozen outputs.

`tests/data/frozen/capture.py` recorded, before the split, what `network.cooccurrence`,
`synthetic.scale_corpus`, `topics.select_k` and `sudachi.map_pos` return on the seed minutes
(inputs frozen in `tests/data/frozen/inputs/`, so the tests do not depend on the loader, the
cleaner or the tokenizer staying the same). Each test recomputes one of them with the same
`compute_*` function and compares every cell, dtype, index, warning and error message.

Floats are compared with a stated tolerance, never by their `repr`: `FLOAT_RTOL` = 1e-9 and
`FLOAT_ATOL` = 1e-12 (`numpy.testing.assert_allclose`). Another CPU or another OpenBLAS kernel
(`OPENBLAS_CORETYPE`) sums in another order and changes the last digits: `select_k`'s NMF
coherences and stabilities moved by up to 1.6e-15 on an AMD machine, 5 orders of magnitude under
the tolerance, while a change of behaviour moves them by far more than 1e-9. Everything else
(strings, integers, dtypes, warnings, errors) is compared exactly.

Segmentation is no longer frozen here. Its frozen output (`segment.json.gz`, retired in issue 19,
item 8) recorded what the segmenter did, not what is right: it froze 21 errors that the
hand-written real-world truth names. The reference for segmentation is that truth,
`tests/data/realworld/truth.csv` and `turns.csv`, checked by `test_realworld_metadata.py` and
`test_realworld_turns.py`; conventions are checked by `test_segment*.py` and `test_convention.py`.
A difference here means the behaviour changed; if that is intended, rerun the capture script
and say so in the commit.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

FROZEN = Path(__file__).parent / "data" / "frozen"
#: Tolerance of a float cell (see the module docstring).
FLOAT_RTOL = 1e-9
FLOAT_ATOL = 1e-12
_FLOAT = "float:"


def _capture_module():
    spec = importlib.util.spec_from_file_location("frozen_capture", FROZEN / "capture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


capture = _capture_module()


@pytest.fixture(scope="module")
def inputs() -> dict:
    return capture.frozen_inputs()


def _differences(expected, actual, where: str = "") -> list[str]:
    """Where `actual` differs from `expected` (both as decoded JSON): floats (``"float:<repr>"``)
    beyond `FLOAT_RTOL`/`FLOAT_ATOL`, anything else by equality. Empty when they agree."""
    if isinstance(expected, str) and expected.startswith(_FLOAT):
        if not (isinstance(actual, str) and actual.startswith(_FLOAT)):
            return [f"{where}: {actual!r} where a float {expected!r} was frozen"]
        want, got = float(expected[len(_FLOAT) :]), float(actual[len(_FLOAT) :])
        if math.isnan(want) or math.isnan(got):
            return [] if math.isnan(want) and math.isnan(got) else [f"{where}: {got!r}, frozen {want!r}"]
        try:
            np.testing.assert_allclose(got, want, rtol=FLOAT_RTOL, atol=FLOAT_ATOL)
        except AssertionError:
            return [f"{where}: {got!r}, frozen {want!r} (rtol={FLOAT_RTOL}, atol={FLOAT_ATOL})"]
        return []
    if isinstance(expected, dict) and isinstance(actual, dict):
        if sorted(expected) != sorted(actual):
            return [f"{where}: keys {sorted(actual)}, frozen {sorted(expected)}"]
        return [d for key in expected for d in _differences(expected[key], actual[key], f"{where}/{key}")]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(actual)} items, frozen {len(expected)}"]
        return [
            d for i, (e, a) in enumerate(zip(expected, actual)) for d in _differences(e, a, f"{where}[{i}]")
        ]
    return [] if expected == actual else [f"{where}: {actual!r}, frozen {expected!r}"]


def _same(name: str, actual) -> None:
    expected = capture.read_frozen(name)
    actual = json.loads(capture.dumps(actual))  # the same encoding as the frozen file
    differences = _differences(expected, actual, name)
    assert not differences, f"{len(differences)} difference(s), first: " + "; ".join(differences[:5])


def test_cooccurrence_is_unchanged(inputs):
    _same("cooccurrence.json", capture.compute_cooccurrence(inputs))


def test_scale_corpus_is_unchanged(inputs):
    _same("scale_corpus.json", capture.compute_scale_corpus(inputs))


@pytest.mark.slow
def test_select_k_is_unchanged(inputs):
    _same("select_k.json", capture.compute_select_k(inputs))


def test_map_pos_is_unchanged():
    actual = capture.compute_map_pos()
    expected = capture.read_frozen("map_pos.json")
    # the pinned lock fixes the dictionary; after a deliberate upgrade, rerun capture.py
    assert (actual["sudachi"], actual["n_pos"]) == (expected["sudachi"], expected["n_pos"]), (
        "map_pos.json was frozen for another Sudachi dictionary: rerun tests/data/frozen/capture.py"
    )
    _same("map_pos.json", actual)


# ----------------------------------------------------------------- the comparison can fail
def test_a_float_within_the_tolerance_agrees_and_one_beyond_it_does_not():
    frozen = {"rows": [[1, "float:0.17777093394234397", "turn"]]}
    last_digits = {"rows": [[1, "float:" + repr(0.17777093394234397 + 1.6e-15), "turn"]]}
    assert _differences(frozen, last_digits) == []
    moved = {"rows": [[1, "float:" + repr(0.17777093394234397 * (1 + 1e-8)), "turn"]]}
    assert len(_differences(frozen, moved)) == 1
    assert len(_differences(frozen, {"rows": [[2, "float:0.17777093394234397", "turn"]]})) == 1
    assert len(_differences(frozen, {"rows": [[1, "float:0.17777093394234397", "doc"]]})) == 1
    assert len(_differences(frozen, {"rows": [[1, "float:0.17777093394234397"]]})) == 1
    assert _differences({"x": "float:nan"}, {"x": "float:nan"}) == []
    assert len(_differences({"x": "float:nan"}, {"x": "float:0.0"})) == 1
    assert len(_differences({"x": "float:0.0"}, {"x": 0})) == 1  # a dtype change is a change
    # near zero the absolute tolerance decides: 1e-13 is noise, 1e-11 is not
    assert _differences({"x": "float:0.0"}, {"x": "float:1e-13"}) == []
    assert len(_differences({"x": "float:0.0"}, {"x": "float:1e-11"})) == 1
