from itertools import combinations

import networkx as nx
import pandas as pd
import pytest
from analysis_fixtures import seed_tokens, term_tokens

from dxminutes.analysis.network import EDGE_COLUMNS, NODE_COLUMNS, cooccurrence, layout, network_for

SEED = 7


def make_tokens(turns: dict[str, tuple[str, list[str]]]) -> pd.DataFrame:
    return term_tokens(turns, shuffle=False)


TINY = {
    "a:0000": ("A市", ["dx", "窓口", "dx"]),
    "a:0001": ("A市", ["dx", "窓口", "職員"]),
    "a:0002": ("A市", ["dx", "研修"]),
    "b:0000": ("B町", ["窓口", "職員", "研修"]),
    "b:0001": ("B町", ["職員", "研修"]),
    "b:0002": ("B町", ["セキュリティ"]),
}


def hand_jaccard(turns, a, b):
    sa = {t for t, (_, terms) in turns.items() if a in terms}
    sb = {t for t, (_, terms) in turns.items() if b in terms}
    return len(sa & sb), len(sa & sb) / len(sa | sb)


def test_jaccard_matches_hand_computation():
    net = cooccurrence(make_tokens(TINY), min_turns=1, min_support=1, top_n_edges=100, random_state=SEED)
    assert list(net.nodes.columns) == NODE_COLUMNS
    assert list(net.edges.columns) == EDGE_COLUMNS
    terms = ["dx", "窓口", "職員", "研修"]
    expected = {}
    for a, b in combinations(sorted(terms), 2):
        n_both, jac = hand_jaccard(TINY, a, b)
        if n_both:
            expected[(a, b)] = (n_both, jac)
    got = {(r.source, r.target): (r.n_both, r.jaccard) for r in net.edges.itertuples()}
    assert got.keys() == expected.keys()
    for pair, (n_both, jac) in expected.items():
        assert got[pair][0] == n_both
        assert got[pair][1] == pytest.approx(jac)
    # セキュリティ co-occurs with nothing: no edge, so no node
    assert "セキュリティ" not in set(net.nodes["term"])
    assert dict(zip(net.nodes["term"], net.nodes["n_turns"])) == {"dx": 3, "窓口": 3, "職員": 3, "研修": 3}
    assert net.edges["jaccard"].is_monotonic_decreasing
    assert net.n_units == 6


def test_top_n_edges_min_turns_and_max_terms():
    tokens = make_tokens(TINY)
    net = cooccurrence(tokens, min_turns=1, min_support=1, top_n_edges=2, random_state=SEED)
    full = cooccurrence(tokens, min_turns=1, min_support=1, top_n_edges=100, random_state=SEED).edges
    # the cut keeps every edge tied with the 2nd strongest, never drops one alphabetically
    cut = full["jaccard"].iloc[1]
    pd.testing.assert_frame_equal(net.edges, full[full["jaccard"] >= cut].reset_index(drop=True))
    assert len(net.edges) >= 2
    # ties on jaccard are broken by n_both, then names: deterministic
    assert full[["jaccard", "source", "target"]].equals(
        full.sort_values(
            ["jaccard", "n_both", "source", "target"], ascending=[False, False, True, True], kind="mergesort"
        )[["jaccard", "source", "target"]]
    )
    few = cooccurrence(tokens, min_turns=1, min_support=1, max_terms=2, top_n_edges=100, random_state=SEED)
    # most frequent by turn count: all four have 3 turns, ties alphabetical -> dx, 研修
    assert set(few.nodes["term"]) == {"dx", "研修"}
    none = cooccurrence(tokens, min_turns=4, random_state=SEED)
    assert none.edges.empty and none.nodes.empty


def test_node_degrees_and_communities():
    net = cooccurrence(make_tokens(TINY), min_turns=1, min_support=1, top_n_edges=100, random_state=SEED)
    g = net.graph
    for r in net.nodes.itertuples():
        assert r.degree == g.degree(r.term)
        mine = net.edges[(net.edges["source"] == r.term) | (net.edges["target"] == r.term)]
        assert r.weighted_degree == pytest.approx(mine["jaccard"].sum())
    sizes = net.nodes.groupby("community").size()
    assert list(sizes.index) == list(range(1, len(sizes) + 1))
    assert sizes.is_monotonic_decreasing


def planted_tokens(n_per_group=30):
    """Two vocabularies that never meet: communities must split them."""
    turns = {}
    for g, vocab in enumerate([["あ", "い", "う", "え"], ["か", "き", "く", "け"]]):
        for j in range(n_per_group):
            picked = [vocab[(j + s) % 4] for s in range(3)]
            turns[f"g{g}:{j:04d}"] = ("A市" if j % 2 else "B町", picked)
    return make_tokens(turns)


def test_communities_recover_planted_groups_and_determinism():
    tokens = planted_tokens()
    net = cooccurrence(tokens, random_state=SEED)
    comm = dict(zip(net.nodes["term"], net.nodes["community"]))
    assert len({comm[t] for t in "あいうえ"}) == 1
    assert len({comm[t] for t in "かきくけ"}) == 1
    assert comm["あ"] != comm["か"]
    greedy = cooccurrence(tokens, community="greedy", random_state=SEED)
    assert greedy.nodes["community"].nunique() == 2

    again = cooccurrence(tokens, random_state=SEED)
    pd.testing.assert_frame_equal(net.nodes, again.nodes)
    pd.testing.assert_frame_equal(net.edges, again.edges)
    pos1, pos2 = layout(net, SEED), layout(again, SEED)
    pd.testing.assert_frame_equal(pos1, pos2)
    assert list(pos1.columns) == ["term", "x", "y", "community", "n_turns"]
    assert pos1[["x", "y"]].notna().all().all()
    assert not pos1[["x", "y"]].equals(layout(net, SEED + 1)[["x", "y"]])


def test_filters_restrict_turns():
    tokens = make_tokens(TINY)
    coded = pd.DataFrame(
        {
            "turn_id": list(TINY) * 2,
            "theme": ["dx"] * 6 + ["staffing"] * 6,
            "coded": [True, True, True, False, False, False, False, True, False, True, True, False],
        }
    )
    muni = network_for(tokens, municipality="B町", min_turns=1, min_support=1, random_state=SEED)
    assert muni.n_units == 3
    assert muni.filters == {"municipality": "B町"}
    assert (muni.nodes["municipality"] == "B町").all() and (muni.edges["municipality"] == "B町").all()
    assert "dx" not in set(muni.nodes["term"])
    assert dict(zip(muni.nodes["term"], muni.nodes["n_turns"]))["職員"] == 2

    theme = network_for(tokens, coded, theme="dx", min_turns=1, min_support=1, random_state=SEED)
    assert theme.n_units == 3
    assert (theme.edges["theme"] == "dx").all()
    assert set(theme.nodes["term"]) == {"dx", "窓口", "職員", "研修"}

    both = network_for(
        tokens, coded, theme="staffing", municipality="B町", min_turns=1, min_support=1, random_state=SEED
    )
    assert both.n_units == 2  # b:0000 and b:0001
    with pytest.raises(ValueError):
        network_for(tokens, theme="dx", random_state=SEED)
    with pytest.raises(ValueError):
        network_for(tokens, coded, theme="nope", random_state=SEED)


def test_document_unit_and_graph_type():
    net = cooccurrence(make_tokens(TINY), unit="document", min_turns=1, min_support=1, random_state=SEED)
    assert net.n_units == 2
    both = net.edges.set_index(["source", "target"]).loc[("研修", "窓口")]
    assert both["n_both"] == 2 and both["jaccard"] == pytest.approx(1.0)
    assert isinstance(net.graph, nx.Graph)
    with pytest.raises(ValueError):
        cooccurrence(make_tokens(TINY), unit="sentence", random_state=SEED)


def test_seed_minutes_network_per_municipality():
    tokens = seed_tokens()
    full = cooccurrence(tokens, random_state=SEED)
    assert len(full.edges) >= 60
    assert (full.edges["n_both"] >= 3).all()  # minimum support
    extra = full.edges.iloc[60:]
    assert (extra["jaccard"] == full.edges["jaccard"].iloc[59]).all()  # only ties beyond the cut
    assert set(full.nodes["term"]) == set(full.edges["source"]) | set(full.edges["target"])
    assert (full.edges["jaccard"] > 0).all() and (full.edges["jaccard"] <= 1).all()
    for muni in sorted(tokens["municipality"].unique()):
        mine = tokens[tokens["municipality"] == muni]
        net = network_for(tokens, municipality=muni, min_turns=2, random_state=SEED)
        assert net.n_units == mine["turn_id"].nunique()
        assert set(net.nodes["term"]) <= set(mine["term"])
        assert (net.nodes["n_turns"] >= 2).all()


def test_minimum_support_drops_pairs_seen_in_too_few_turns():
    turns = {
        f"t:{i:04d}": ("A市", ["a", "b"] if i < 2 else ["a", "c"] if i < 6 else ["b", "d"]) for i in range(10)
    }
    tokens = make_tokens(turns)
    net = cooccurrence(tokens, min_turns=1, random_state=SEED)
    pairs = set(zip(net.edges["source"], net.edges["target"]))
    assert ("a", "b") not in pairs  # together in 2 turns only
    assert ("a", "c") in pairs and ("b", "d") in pairs
    loose = cooccurrence(tokens, min_turns=1, min_support=1, random_state=SEED)
    assert ("a", "b") in set(zip(loose.edges["source"], loose.edges["target"]))


def test_all_edges_tied_at_the_cut_are_kept():
    # four disjoint pairs, each seen together in the same 3 turns: all have Jaccard 1
    turns = {}
    for p, (x, y) in enumerate([("a", "b"), ("c", "d"), ("e", "f"), ("g", "h")]):
        for i in range(3):
            turns[f"t:{p}{i}"] = ("A市", [x, y])
    net = cooccurrence(make_tokens(turns), min_turns=1, top_n_edges=2, random_state=SEED)
    assert len(net.edges) == 4 and (net.edges["jaccard"] == 1).all()
