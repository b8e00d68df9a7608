import math

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import term_tokens
from scipy.stats import chi2_contingency

from dxminutes.analysis.collocations import collocations


def make_tokens(turns: dict[str, tuple[str, list[str]]]) -> pd.DataFrame:
    return term_tokens(turns, shuffle=True)


TINY = {
    "d:0000": ("A市", ["x", "y", "z"]),
    "d:0001": ("A市", ["x", "y"]),
    "d:0002": ("B町", ["z", "x", "y"]),
    "d:0003": ("B町", ["y", "x"]),
}
# pairs: (x,y) (y,z) | (x,y) | (z,x) (x,y) | (y,x)  -> N = 6


def row(table, w1, w2):
    hit = table[(table["w1"] == w1) & (table["w2"] == w2)]
    assert len(hit) == 1
    return hit.iloc[0]


def test_hand_computed_pmi_npmi_llr():
    table = collocations(make_tokens(TINY), min_count=1)
    assert list(table.columns) == ["w1", "w2", "count", "w1_count", "w2_count", "pmi", "npmi", "llr"]
    xy = row(table, "x", "y")
    assert (xy["count"], xy["w1_count"], xy["w2_count"]) == (3, 3, 3)
    assert xy["pmi"] == pytest.approx(1.0)  # log2(3*6 / (3*3))
    assert xy["npmi"] == pytest.approx(1.0)  # 1 / -log2(3/6)
    assert xy["llr"] == pytest.approx(12 * math.log(2))  # [[3,0],[0,3]], all E = 1.5

    yz = row(table, "y", "z")  # y first in 2 pairs, z second in 1 pair
    assert (yz["count"], yz["w1_count"], yz["w2_count"]) == (1, 2, 1)
    assert yz["pmi"] == pytest.approx(math.log2(3))
    assert yz["npmi"] == pytest.approx(math.log2(3) / math.log2(6))
    g2 = 2 * (math.log(3) + math.log(3 / 5) + 4 * math.log(4 * 3 / 10))
    assert yz["llr"] == pytest.approx(g2)
    # independent check with scipy's G-test on the same 2x2 table
    g_scipy, *_ = chi2_contingency(np.array([[1, 1], [0, 4]]), correction=False, lambda_="log-likelihood")
    assert yz["llr"] == pytest.approx(g_scipy)


def test_pairs_stay_inside_turns_and_sorting():
    table = collocations(make_tokens(TINY), min_count=1)
    # "y" ends d:0001 and "z" starts d:0002 but they are different turns: only one (y,z) pair
    assert row(table, "y", "z")["count"] == 1
    assert table["count"].sum() == 6
    assert table["llr"].is_monotonic_decreasing
    assert table.iloc[0][["w1", "w2"]].tolist() == ["x", "y"]
    by_pmi = collocations(make_tokens(TINY), min_count=1, measure="pmi")
    assert by_pmi["pmi"].is_monotonic_decreasing


def test_min_count_and_window():
    assert collocations(make_tokens(TINY), min_count=3)[["w1", "w2"]].values.tolist() == [["x", "y"]]
    wide = collocations(make_tokens(TINY), min_count=1, window=3)
    # distance-2 pairs: (x,z) in d:0000 and (z,y) in d:0002
    assert row(wide, "x", "z")["count"] == 1
    assert row(wide, "z", "y")["count"] == 1
    assert wide["count"].sum() == 8
    with pytest.raises(ValueError):
        collocations(make_tokens(TINY), window=6)
    with pytest.raises(ValueError):
        collocations(make_tokens(TINY), measure="dice")


def test_by_municipality_computes_per_group():
    table = collocations(make_tokens(TINY), min_count=1, by="municipality")
    assert next(iter(table.columns)) == "municipality"
    a = table[table["municipality"] == "A市"]
    # A市: pairs (x,y) (y,z) (x,y) -> N = 3
    xy = row(a, "x", "y")
    assert (xy["count"], xy["w1_count"], xy["w2_count"]) == (2, 2, 2)
    assert xy["pmi"] == pytest.approx(math.log2(2 * 3 / (2 * 2)))
    b = table[table["municipality"] == "B町"]
    assert set(zip(b["w1"], b["w2"])) == {("z", "x"), ("x", "y"), ("y", "x")}
    assert table["municipality"].is_monotonic_increasing


def test_empty_and_input_not_mutated():
    tokens = make_tokens(TINY)
    before = tokens.copy()
    collocations(tokens, min_count=1, by="municipality")
    pd.testing.assert_frame_equal(tokens, before)
    single = make_tokens({"d:0000": ("A市", ["x"])})
    assert collocations(single, min_count=1).empty
