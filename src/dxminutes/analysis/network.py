"""Co-occurrence networks of terms, drawn the way KH Coder draws them.

Two terms co-occur when they appear in the same unit (a speaker turn by default). Edge
strength is the Jaccard coefficient of the sets of units that contain each term,
|A ∩ B| / |A ∪ B|. Counts come from one sparse product Xᵀ·X of the binary unit × term matrix,
restricted to the ``max_terms`` most frequent terms, so the cost grows linearly with the number
of units. An edge needs ``min_support`` units (3 by default) containing both terms; of those,
the ``top_n_edges`` strongest are drawn, with every edge tied with the last one kept (so the cut
never drops an edge alphabetically), and only terms with an edge become nodes. Communities (colours) come from modularity maximization and are numbered 1, 2, … from the
largest, ties by the alphabetically first term, so reruns give identical tables.
"""

from __future__ import annotations

__all__ = ["EDGE_COLUMNS", "NODE_COLUMNS", "UNITS", "Network", "combined_tables", "cooccurrence", "layout", "network_for", "networks_by_theme"]  # fmt: skip

from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from dxminutes.config import layout_round

UNITS = {"turn": "turn_id", "document": "doc_id"}
NODE_COLUMNS = ["term", "n_turns", "community", "degree", "weighted_degree"]
EDGE_COLUMNS = ["source", "target", "n_both", "jaccard"]


@dataclass(frozen=True)
class Network:
    """A co-occurrence network: tidy ``nodes`` and ``edges`` plus the networkx ``graph``.

    ``nodes``: term, n_turns (units containing the term), community (1 = largest), degree,
    weighted_degree (sum of Jaccard over the node's edges). ``edges``: source, target (source <
    target), n_both (units containing both), jaccard. ``filters`` records how the units were
    restricted (e.g. ``{"municipality": "…", "theme": "dx"}``); the same keys appear as columns
    of ``nodes`` and ``edges``.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    graph: nx.Graph
    unit: str = "turn"
    n_units: int = 0
    filters: dict = field(default_factory=dict)


def _binary_matrix(tokens: pd.DataFrame, key: str) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Binary unit × term matrix (CSR) and its sorted vocabulary."""
    pairs = tokens[[key, "term"]].drop_duplicates()
    unit_codes, _ = pd.factorize(pairs[key], sort=True)
    term_codes, terms = pd.factorize(pairs["term"], sort=True)
    n_units = int(unit_codes.max()) + 1 if len(unit_codes) else 0
    data = np.ones(len(pairs), dtype=np.int64)
    x = sparse.csr_matrix((data, (unit_codes, term_codes)), shape=(n_units, len(terms)))
    return x, np.asarray(terms, dtype=object)


def _communities(graph: nx.Graph, method: str, random_state: int) -> dict[str, int]:
    """Community number per node: 1 = largest community, ties by first term."""
    if graph.number_of_edges() == 0:
        groups = [{n} for n in graph.nodes]
    elif method == "louvain":
        groups = nx.community.louvain_communities(graph, weight="jaccard", seed=random_state)
    elif method == "greedy":
        groups = nx.community.greedy_modularity_communities(graph, weight="jaccard")
    else:
        raise ValueError(f"community method must be 'louvain' or 'greedy', got {method!r}")
    ordered = sorted((sorted(g) for g in groups), key=lambda g: (-len(g), g[0]))
    return {term: number for number, group in enumerate(ordered, start=1) for term in group}


def cooccurrence(
    tokens: pd.DataFrame,
    *,
    unit: str = "turn",
    top_n_edges: int = 60,
    min_turns: int = 3,
    min_support: int = 3,
    max_terms: int = 150,
    turn_ids: Iterable[str] | None = None,
    community: str = "louvain",
    random_state: int,
) -> Network:
    """Build the term co-occurrence network of a token table.

    Parameters
    ----------
    tokens : the token table (turn_id, doc_id, term, …).
    unit : ``"turn"`` (default) or ``"document"``: what "appearing together" means.
    top_n_edges : draw the strongest edges by Jaccard: every edge at least as strong as the
        `top_n_edges`-th one, so edges tied at the cut are all kept (never dropped
        alphabetically) and a network can have more than `top_n_edges` edges. Order: Jaccard
        descending, n_both descending, then source, target alphabetically.
    min_turns : a term must occur in at least this many units to be considered.
    min_support : an edge needs at least this many units containing both terms (default 3): a
        pair seen together in one or two turns has a Jaccard that says nothing.
    max_terms : consider only the most frequent terms by unit count (ties alphabetically).
    turn_ids : restrict to these turns (a theme's coded turns, one municipality's turns, …).
    community : ``"louvain"`` (seeded with ``random_state``) or ``"greedy"`` modularity.
    random_state : seed for the community detection.
    """
    key = _unit_key(unit)  # checked before the tokens are touched
    x, terms = _binary_matrix(_unit_tokens(tokens, turn_ids), key)
    xk, kept_terms, kept_df = _frequent_terms(x, terms, min_turns, max_terms)
    edges = _top_edges(_supported_edges(xk, kept_terms, kept_df, min_support), top_n_edges)
    graph = _graph(edges, dict(zip(kept_terms.astype(str), kept_df.astype(int))))
    comm = _communities(graph, community, random_state)
    nx.set_node_attributes(graph, comm, "community")
    return Network(_node_table(graph, comm), edges[EDGE_COLUMNS], graph, unit, x.shape[0])


def _unit_key(unit: str) -> str:
    """The token-table column that identifies a unit (`UNITS`); ValueError for another unit."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {sorted(UNITS)}, got {unit!r}")
    return UNITS[unit]


def _unit_tokens(tokens: pd.DataFrame, turn_ids: Iterable[str] | None) -> pd.DataFrame:
    """Tokens with a term, restricted to `turn_ids` when given."""
    tok = tokens.loc[tokens["term"].notna() & (tokens["term"] != "")]
    if turn_ids is not None:
        tok = tok.loc[tok["turn_id"].isin(set(turn_ids))]
    return tok


def _frequent_terms(
    x: sparse.csr_matrix, terms: np.ndarray, min_turns: int, max_terms: int
) -> tuple[sparse.csc_matrix, np.ndarray, np.ndarray]:
    """Columns, terms and unit counts of the `max_terms` most frequent terms in ≥ `min_turns` units.

    Frequency descending, ties by term, for the choice; the kept columns stay in the
    alphabetical order of the vocabulary.
    """
    df = np.asarray(x.sum(axis=0)).ravel()
    order = np.lexsort((terms, -df))  # frequency descending, then term
    keep = order[df[order] >= min_turns][:max_terms]
    keep = np.sort(keep)  # back to alphabetical order of the vocabulary
    return x[:, keep].tocsc(), terms[keep], df[keep]


def _supported_edges(
    xk: sparse.csc_matrix, kept_terms: np.ndarray, kept_df: np.ndarray, min_support: int
) -> pd.DataFrame:
    """Every pair seen together in ≥ `min_support` units, with its Jaccard, strongest first.

    Order: Jaccard descending, n_both descending, then source, target alphabetically.
    """
    both = sparse.triu(xk.T @ xk, k=1).tocoo()
    union = kept_df[both.row] + kept_df[both.col] - both.data
    edges = pd.DataFrame(
        {
            "source": kept_terms[both.row].astype(str),
            "target": kept_terms[both.col].astype(str),
            "n_both": both.data.astype("int64"),
            "jaccard": both.data / union,
        }
    )
    edges = edges[edges["n_both"] >= min_support]
    return edges.sort_values(
        ["jaccard", "n_both", "source", "target"], ascending=[False, False, True, True], kind="mergesort"
    ).reset_index(drop=True)


def _top_edges(edges: pd.DataFrame, top_n_edges: int) -> pd.DataFrame:
    """The ranked edges at least as strong as the `top_n_edges`-th (ties at the cut all kept)."""
    if len(edges) > top_n_edges:
        cut = edges["jaccard"].iloc[top_n_edges - 1] if top_n_edges > 0 else np.inf
        edges = edges[edges["jaccard"] >= cut - 1e-12].reset_index(drop=True)
    return edges


def _graph(edges: pd.DataFrame, n_of: dict[str, int]) -> nx.Graph:
    """The graph of `edges`: nodes (alphabetical) with their unit count `n_turns`, edges with
    `jaccard` and `n_both`."""
    graph = nx.Graph()
    for term in sorted(set(edges["source"]) | set(edges["target"])):
        graph.add_node(term, n_turns=n_of[term])
    for row in edges.itertuples(index=False):
        graph.add_edge(row.source, row.target, jaccard=float(row.jaccard), n_both=int(row.n_both))
    return graph


def _node_table(graph: nx.Graph, comm: dict[str, int]) -> pd.DataFrame:
    """The `nodes` table (`NODE_COLUMNS`): by community, then n_turns descending, then term."""
    nodes = pd.DataFrame(
        {
            "term": list(graph.nodes),
            "n_turns": [graph.nodes[t]["n_turns"] for t in graph.nodes],
            "community": [comm[t] for t in graph.nodes],
            "degree": [graph.degree(t) for t in graph.nodes],
            "weighted_degree": [graph.degree(t, weight="jaccard") for t in graph.nodes],
        },
        columns=NODE_COLUMNS,
    )
    nodes = nodes.astype(
        {"n_turns": "int64", "community": "int64", "degree": "int64", "weighted_degree": float}
    )
    nodes = nodes.sort_values(
        ["community", "n_turns", "term"], ascending=[True, False, True], kind="mergesort"
    )
    return nodes.reset_index(drop=True)


def network_for(
    tokens: pd.DataFrame,
    coded: pd.DataFrame | None = None,
    *,
    theme: str | None = None,
    municipality: str | None = None,
    **kwargs,
) -> Network:
    """`cooccurrence` restricted to one theme's coded turns and/or one municipality's turns.

    ``coded`` is the long table of ``themes.code_turns`` (needed when ``theme`` is given). The
    filter values are added as columns (``theme``, ``municipality``) of ``nodes`` and ``edges``.
    Other keyword arguments go to `cooccurrence` (``random_state`` is required there).
    """
    filters: dict[str, str] = {}
    ids = pd.Series(tokens["turn_id"].unique())
    if municipality is not None:
        ids = pd.Series(tokens.loc[tokens["municipality"] == municipality, "turn_id"].unique())
        filters["municipality"] = municipality
    if theme is not None:
        if coded is None:
            raise ValueError("network_for(theme=...) needs the coded table of themes.code_turns")
        if theme not in set(coded["theme"]):
            raise ValueError(f"unknown theme {theme!r}; coded has {sorted(set(coded['theme']))}")
        theme_ids = coded.loc[(coded["theme"] == theme) & coded["coded"].astype(bool), "turn_id"]
        ids = ids[ids.isin(set(theme_ids))]
        filters["theme"] = theme
    net = cooccurrence(tokens, turn_ids=ids, **kwargs)
    nodes = net.nodes.assign(**filters)
    edges = net.edges.assign(**filters)
    return Network(nodes, edges, net.graph, net.unit, net.n_units, filters)


def layout(network: Network, random_state: int, *, iterations: int = 100) -> pd.DataFrame:
    """Seeded spring layout (weight = Jaccard): term, x, y, community, n_turns, for plotting."""
    if network.graph.number_of_nodes() == 0:
        return pd.DataFrame(columns=["term", "x", "y", "community", "n_turns"])
    pos = nx.spring_layout(network.graph, weight="jaccard", seed=random_state, iterations=iterations)
    # rounded to `config.LAYOUT_DIGITS` digits: another CPU or BLAS kernel changes the last digits
    # of the force simulation, and the plot's label placement must not see that
    terms = list(pos)
    xy = layout_round(np.array([pos[t] for t in terms], dtype=float).reshape(len(terms), 2))
    coords = pd.DataFrame({"term": terms, "x": xy[:, 0], "y": xy[:, 1]})
    out = network.nodes[["term", "community", "n_turns"]].merge(coords, on="term", how="left")
    return out[["term", "x", "y", "community", "n_turns"]]


def networks_by_theme(
    tokens: pd.DataFrame, coded: pd.DataFrame, keys, *, top_n_edges: int, random_state: int
) -> dict[str, tuple[Network, pd.DataFrame]]:
    """The co-occurrence network of each theme's turns and its layout, keyed by theme, in order."""
    out = {}
    for key in keys:
        net = network_for(tokens, coded=coded, theme=key, top_n_edges=top_n_edges, random_state=random_state)
        out[key] = (net, layout(net, random_state=random_state))
    return out


def combined_tables(networks: dict[str, tuple[Network, pd.DataFrame]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All networks' nodes and edges in two tables with a `theme` column."""
    nodes = [net.nodes.assign(theme=key) for key, (net, _) in networks.items()]
    edges = [net.edges.assign(theme=key) for key, (net, _) in networks.items()]
    return pd.concat(nodes, ignore_index=True), pd.concat(edges, ignore_index=True)
