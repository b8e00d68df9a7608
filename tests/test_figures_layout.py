"""Every chart for 1, 5, 12 and 30 groups: no two labels overlap and figures stay within a width.

The checks use the renderer's own text bounding boxes (`fig.canvas.draw()` then
`Text.get_window_extent()`), after the same tick-label fitting `save_figure` applies. Data are
small generated tables shaped like the notebooks' (shares with intervals, residuals, keyness,
similarity pairs, networks laid out by networkx, a real correspondence analysis).
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
import pytest
from scipy.cluster.hierarchy import linkage

from dxminutes.analysis.correspondence import correspondence_analysis
from dxminutes.report import charts, export, layout, style

#: No figure (its tight bounding box, what savefig writes) may be wider than this.
MAX_WIDTH_IN = 16.5
#: The keyness grid wraps: at most four 3.4-inch panels per row.
MAX_KEYNESS_WIDTH_IN = 15.0
GROUP_COUNTS = [1, 5, 12, 30]
THEMES = ["dx", "security", "staffing", "digital_divide"]
WORDS = [
    "情報セキュリティ",
    "研修",
    "デジタル人材",
    "窓口",
    "高齢者",
    "スマートフォン教室",
    "システム標準化",
    "職員",
    "クラウド",
    "マイナンバーカード",
    "書かない窓口",
    "業務改革",
    "個人情報",
    "電子申請",
    "人材育成",
    "委託",
    "相談",
    "体制",
    "ガバメントクラウド",
    "庁内",
]


@pytest.fixture(autouse=True)
def _setup_and_close():
    style.setup()
    yield
    plt.close("all")


def _munis(n):
    base = ["流山市", "長崎市", "武蔵村山市", "墨田区", "豊島区"]
    return (base + [f"合成市{i:03d}" for i in range(1, 60)])[:n]


def _terms(k):
    return [WORDS[i % len(WORDS)] + ("" if i < len(WORDS) else str(i // len(WORDS))) for i in range(k)]


def drawn_tick_labels(ax):
    """The tick labels matplotlib draws: of visible axes, inside the view limits, switched on."""
    if not ax.get_visible():
        return []
    out = []
    for axis in (ax.xaxis, ax.yaxis):
        if axis.get_visible():
            for tick in axis._update_ticks():
                out += [label for label in (tick.label1, tick.label2) if label.get_visible()]
    return out


def all_texts(fig):
    """Every visible, non-empty text of the figure (titles, labels, ticks, legends, annotations)."""
    texts = list(fig.texts)
    for ax in fig.axes:
        texts += [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        texts += drawn_tick_labels(ax) + list(ax.texts)
        legend = ax.get_legend()
        if legend is not None:
            texts += [*legend.get_texts(), legend.get_title()]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def overlapping_labels(fig, pad=1.0):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(r)) for t in all_texts(fig)]
    bad = []
    for (ta, a), (tb, b) in itertools.combinations(boxes, 2):
        if a.x0 < b.x1 - pad and b.x0 < a.x1 - pad and a.y0 < b.y1 - pad and b.y0 < a.y1 - pad:
            bad.append((ta, tb))
    return bad


def width_in(fig):
    fig.canvas.draw()
    return fig.get_tightbbox(fig.canvas.get_renderer()).width


def check(fig, max_width=MAX_WIDTH_IN):
    layout.fit_tick_labels(fig)  # what save_figure does last
    bad = overlapping_labels(fig)
    assert not bad, f"{len(bad)} overlapping label pairs, e.g. {bad[:5]}"
    assert width_in(fig) <= max_width


# --- generated data -----------------------------------------------------------------------------


def shares(n, rng):
    rows = []
    for m in _munis(n):
        for t in THEMES:
            s = rng.uniform(0.02, 0.5)
            rows.append(
                {
                    "municipality": m,
                    "theme": t,
                    "turns": 100,
                    "coded_turns": round(100 * s),
                    "share": s,
                    "ci_low": max(s - 0.08, 0),
                    "ci_high": min(s + 0.08, 1),
                }
            )
    return pd.DataFrame(rows)


def keyness(n, rng):
    rows = []
    for i, m in enumerate(_munis(n)):
        if i % 4 == 3:  # a group with no over-represented term: its panel says so
            continue
        for term in _terms(15 if i % 4 else 40):
            rows.append({"municipality": m, "term": term, "g2": float(rng.uniform(1, 60)), "q": 0.01})
    return pd.DataFrame(rows, columns=["municipality", "term", "g2", "q"])


def network(rng, k=45, n_edges=60):
    terms = _terms(k)
    pairs = list(itertools.combinations(range(k), 2))
    chosen = rng.choice(len(pairs), size=n_edges, replace=False)
    edges = pd.DataFrame(
        {
            "source": [terms[pairs[c][0]] for c in chosen],
            "target": [terms[pairs[c][1]] for c in chosen],
            "jaccard": rng.uniform(0.05, 0.6, size=n_edges),
        }
    )
    graph = nx.Graph()
    graph.add_nodes_from(terms)
    graph.add_weighted_edges_from(edges.itertuples(index=False), weight="jaccard")
    pos = nx.spring_layout(graph, weight="jaccard", seed=1, iterations=100)
    xy = pd.DataFrame([(t, *pos[t]) for t in terms], columns=["term", "x", "y"])
    nodes = pd.DataFrame(
        {"term": terms, "n_turns": rng.integers(2, 40, size=k), "community": rng.integers(0, 5, size=k)}
    )
    return nodes, edges, xy


def figures(n, seed=0):
    """(name, figure) for every chart with `n` groups."""
    rng = np.random.default_rng(seed + n)
    munis = _munis(n)
    out = []

    fig, ax = plt.subplots(figsize=(9, 5.5))  # as notebook 03 calls it
    charts.theme_shares(shares(n, rng), ax=ax)
    out.append(("theme_shares", fig))

    res = shares(n, rng).assign(adjusted_residual=lambda d: rng.normal(0, 2, len(d)))
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    charts.residual_heatmap(res, ax=ax)
    out.append(("residual_heatmap", fig))

    ax = charts.keyness_grid(keyness(n, rng), munis, n=15)
    out.append(("keyness_grid", ax.figure))

    pairs = pd.DataFrame(
        [(a, b, float(rng.uniform(0.2, 0.95))) for a, b in itertools.combinations(munis, 2)],
        columns=["group_a", "group_b", "cosine"],
    )
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))  # as notebook 02 calls them
    charts.similarity_heatmap(pairs, ax=axes[0])
    points = rng.normal(size=(n, 3))
    charts.similarity_dendrogram(linkage(points, "average") if n > 1 else None, munis, ax=axes[1])
    fig.tight_layout()
    out.append(("similarity", fig))

    fig, ax = plt.subplots(figsize=(8, 7))
    charts.network_plot(*network(rng), ax=ax)
    out.append(("network_plot", fig))

    if n > 1:
        counts = pd.DataFrame(rng.poisson(3, size=(n, 120)), index=munis, columns=_terms(120))
        ca = correspondence_analysis(counts)
        fig, ax = plt.subplots(figsize=(9, 7.5))
        charts.ca_biplot(ca.row_coords, ca.col_coords, ca.explained, ax=ax)
        out.append(("ca_biplot", fig))

    topics = pd.DataFrame(
        [(f"T{k}", m, float(rng.uniform())) for k in range(1, 7) for m in munis],
        columns=["topic", "municipality", "weight"],
    )
    fig, ax = plt.subplots(figsize=(9, 4.5))
    charts.heatmap(topics, "topic", "municipality", "weight", ax=ax, title="トピック × 自治体")
    out.append(("heatmap", fig))

    roles = pd.DataFrame(
        [(m, r, int(rng.integers(0, 50))) for m in munis for r in ("chair", "member", "official", "unknown")],
        columns=["municipality", "role", "turns"],
    )
    fig, ax = plt.subplots(figsize=(8, 4))
    charts.stacked_counts(roles, "municipality", "role", "turns", ax=ax)
    out.append(("stacked_counts", fig))

    sel = pd.DataFrame(
        {"k": [4, 6, 8, 10], "coherence_npmi": [0.1, 0.12, 0.08, 0.05], "stability": [0.9, 0.8, 0.7, 0.6]}
    )
    fig, ax = plt.subplots(figsize=(7, 4))
    charts.k_selection(sel, ax=ax, chosen=6)
    out.append(("k_selection", fig))
    return out


@pytest.mark.parametrize("n", GROUP_COUNTS)
@pytest.mark.slow
def test_no_label_overlaps_and_bounded_width(n):
    for name, fig in figures(n):
        try:
            check(fig, MAX_KEYNESS_WIDTH_IN if name == "keyness_grid" else MAX_WIDTH_IN)
        except AssertionError as exc:
            raise AssertionError(f"{name} with {n} groups: {exc}") from None
        plt.close(fig)


def test_the_checker_catches_overlaps():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.text(0.5, 0.5, "重なる語")
    ax.text(0.51, 0.5, "重なる語")
    assert overlapping_labels(fig)


def test_keyness_grid_wraps_and_says_why_a_panel_is_empty():
    rng = np.random.default_rng(3)
    munis = _munis(12)
    key = keyness(12, rng)
    ax = charts.keyness_grid(key, munis, n=15)
    fig = ax.figure
    assert len(fig.axes) == 12
    rows = {round(a.get_position().y0, 3) for a in fig.axes}
    assert len(rows) == 3  # 4 per row
    empty = [a for a in fig.axes if charts.TOO_FEW_TERMS in [t.get_text() for t in a.texts]]
    assert [a.get_title().split(" ")[0] for a in empty] == [munis[i] for i in (3, 7, 11)]
    assert all("上位 0 語" not in a.get_title() for a in fig.axes)


def test_theme_shares_orders_rows_and_uses_direct_labels_beyond_twelve():
    rng = np.random.default_rng(5)
    df = shares(30, rng)
    ax = charts.theme_shares(df)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    means = df.groupby("municipality")["share"].mean()
    assert labels == sorted(means.index, key=lambda m: (-means[m], m))  # highest mean share on top
    assert ax.get_legend() is None
    assert len(ax.figure.axes) == 4
    dots = ax.collections[1].get_facecolors()
    assert len({tuple(c) for c in dots}) == 1  # one colour: 30 groups are labelled, not coloured
    few = charts.theme_shares(shares(5, rng))
    assert len({tuple(c) for c in few.collections[1].get_facecolors()}) == 5


def test_palette_is_distinct_up_to_twelve():
    def lab(h):
        rgb = np.array([int(h[i : i + 2], 16) / 255 for i in (1, 3, 5)])
        lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        xyz = m @ lin / np.array([0.95047, 1.0, 1.08883])
        f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    colors = style.palette(12)
    assert len(set(colors)) == 12
    dist = {(a, b): np.linalg.norm(lab(a) - lab(b)) for a, b in itertools.combinations(colors, 2)}
    assert min(dist.values()) > 25
    first5 = [d for (a, b), d in dist.items() if a in colors[:5] and b in colors[:5]]
    assert min(first5) > 40


def test_save_figure_fits_overlapping_tick_labels(tmp_path):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(range(8), range(8))
    ax.set_xticks(range(8), [f"とても長い自治体名{i}" for i in range(8)])
    assert overlapping_labels(fig)
    export.save_figure(fig, "01-fit", pd.DataFrame({"a": [1]}), figures_dir=tmp_path)
    assert not overlapping_labels(fig)


@pytest.mark.slow
def test_labelled_figures_are_deterministic(tmp_path):
    """adjustText runs a fixed number of iterations from a seeded start: same data, same files."""
    for run in ("a", "b"):
        rng = np.random.default_rng(11)
        fig, ax = plt.subplots(figsize=(8, 7))
        charts.network_plot(*network(rng), ax=ax)
        export.save_figure(fig, "03-network", pd.DataFrame(), figures_dir=tmp_path / run)
        counts = pd.DataFrame(rng.poisson(3, size=(12, 120)), index=_munis(12), columns=_terms(120))
        ca = correspondence_analysis(counts)
        fig, ax = plt.subplots(figsize=(9, 7.5))
        charts.ca_biplot(ca.row_coords, ca.col_coords, ca.explained, ax=ax)
        export.save_figure(fig, "04-ca-biplot", pd.DataFrame(), figures_dir=tmp_path / run)
        plt.close("all")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name
