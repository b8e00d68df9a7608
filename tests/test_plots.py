"""Tests for dxminutes.report.charts: colours, labels, files and every plot function on tiny frames."""

from __future__ import annotations

import re
import warnings
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from scipy.cluster.hierarchy import linkage

from dxminutes.report import charts, export, style

MUNIS = ["流山市", "長崎市", "武蔵村山市", "墨田区", "豊島区"]
THEMES = ["dx", "security", "staffing", "digital_divide"]


@pytest.fixture(autouse=True)
def _setup_and_close():
    style.setup()
    yield
    plt.close("all")


def _draw_strict(ax):
    """Render the figure with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax.figure.canvas.draw()


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _texts(ax):
    return [t.get_text() for t in ax.texts]


# --- setup and glyphs ---------------------------------------------------------------------------


def test_glyph_warning_pattern_matches_matplotlib_source():
    from matplotlib._text_helpers import warn_on_missing_glyph

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_on_missing_glyph(0x1F600, "IPAexGothic")
    assert re.match(style.GLYPH_WARNING, str(caught[0].message))


def test_japanese_text_draws_without_glyph_warning():
    _fig, ax = plt.subplots()
    ax.set_title("情報セキュリティ・デジタルデバイド 第１回 −1.5 ～ ㈱")
    ax.plot([-1, 1], [-2, 2])
    _draw_strict(ax)


def test_missing_glyph_raises_under_strict_setup():
    fig, ax = plt.subplots()
    ax.set_title("絵文字 \U0001f600")
    with pytest.raises(UserWarning, match="missing from"):
        fig.canvas.draw()


def test_setup_is_idempotent_and_can_relax():
    style.setup()
    style.setup()
    assert matplotlib.rcParams["svg.fonttype"] == "path"
    assert matplotlib.rcParams["font.family"] == ["IPAexGothic"]
    style.setup(strict_glyphs=False)
    fig, ax = plt.subplots()
    ax.set_title("\U0001f600")
    with pytest.warns(UserWarning, match="missing from"):
        fig.canvas.draw()


# --- colours and labels -------------------------------------------------------------------------


def test_municipality_colors_are_deterministic_and_distinct_up_to_12():
    names = [f"市{i:02d}" for i in range(12)]
    a = style.municipality_colors(names)
    b = style.municipality_colors(list(reversed(names)) + names[:3])
    assert a == b
    assert len(set(a.values())) == 12 == style.MAX_DISTINCT
    # beyond 12 colours repeat (charts label groups directly then)
    assert len(set(style.municipality_colors([f"市{i:02d}" for i in range(15)]).values())) == 12
    # adding a municipality later in sort order keeps the earlier colours
    five = style.municipality_colors(MUNIS)
    six = style.municipality_colors([*MUNIS, "龍ケ崎市"])  # sorts last
    assert all(six[m] == five[m] for m in MUNIS)
    assert six["龍ケ崎市"] not in five.values()
    assert list(five.values()) == list(style.PALETTE[:5])


def test_theme_colors_fixed_and_unknown_keys_get_unused_colours():
    colors = style.theme_colors(["security", "dx", "budget", "staffing", "digital_divide"])
    assert colors["dx"] == style.THEME_COLORS["dx"]
    assert colors["security"] == style.THEME_COLORS["security"]
    assert colors["budget"] not in style.THEME_COLORS.values()
    assert len(set(colors.values())) == 5


def test_theme_label_sources():
    assert style.theme_label("security") == "情報セキュリティ / Information security"
    assert style.theme_label("unknown_key") == "unknown_key"
    theme = SimpleNamespace(key="budget", label_ja="予算", label_en="Budget")
    assert style.theme_label("budget", [theme]) == "予算 / Budget"
    assert style.theme_label("budget", SimpleNamespace(themes=[theme])) == "予算 / Budget"
    assert style.theme_label("budget", SimpleNamespace(themes={"budget": theme})) == "予算 / Budget"
    assert style.theme_label("dx", {"dx": ("デジタル変革", "DX")}) == "デジタル変革 / DX"


# --- files --------------------------------------------------------------------------------------


def test_save_figure_writes_identical_files_twice(tmp_path):
    data = pd.DataFrame({"municipality": ["流山市", "長崎市"], "value": [0.1234567891, 2.0]})

    def make():
        fig, ax = plt.subplots()
        ax.bar(data["municipality"], data["value"])
        ax.set_title("テスト図")
        return fig

    first = export.save_figure(make(), "01-test-figure", data, figures_dir=tmp_path / "a")
    second = export.save_figure(make(), "01-test-figure", data, figures_dir=tmp_path / "b")
    assert set(first) == {"png", "svg", "csv"}
    for kind in first:
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind
    svg = first["svg"].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg and str(tmp_path) not in svg
    csv = first["csv"].read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(first["csv"], encoding="utf-8-sig")["municipality"].tolist() == ["流山市", "長崎市"]
    assert b"0.123457" in csv
    from PIL import Image

    with Image.open(first["png"]) as img:
        assert round(img.info["dpi"][0]) == 300
    assert not list((tmp_path / "a").glob(".*"))  # no temp files left


def test_save_figure_rejects_bad_names(tmp_path):
    fig, _ = plt.subplots()
    for bad in ["theme shares", "3-x", "../01-x", "01-Theme"]:
        with pytest.raises(ValueError):
            export.save_figure(fig, bad, pd.DataFrame(), figures_dir=tmp_path)


def test_write_table_bom_and_float_format(tmp_path):
    df = pd.DataFrame({"municipality": ["墨田区"], "share": [1 / 3]})
    path = export.write_table(df, "02-shares", tables_dir=tmp_path)
    raw = path.read_bytes()
    assert raw == "\ufeffmunicipality,share\n墨田区,0.333333\n".encode("utf-8")
    with pytest.raises(ValueError):
        export.write_table(df, "../escape", tables_dir=tmp_path)


def test_defaults_follow_config(tmp_path, monkeypatch):
    from dxminutes import config

    monkeypatch.setattr(config, "TABLES_DIR", tmp_path / "tables")
    path = export.write_table(pd.DataFrame({"a": [1]}), "t", tables_dir=None)
    assert path.parent == tmp_path / "tables"


# --- plots --------------------------------------------------------------------------------------


def _shares():
    rows = []
    for i, m in enumerate(MUNIS[:3]):
        for j, t in enumerate(THEMES):
            share = 0.05 * (i + j + 1)
            rows.append(
                {
                    "municipality": m,
                    "theme": t,
                    "turns": 100,
                    "coded_turns": 40,
                    "share": share,
                    "ci_low": share - 0.02,
                    "ci_high": share + 0.03,
                }
            )
    return pd.DataFrame(rows)


def test_theme_shares_dots_intervals_and_panels():
    df = _shares()
    ax = charts.theme_shares(df)
    fig = ax.figure
    assert len(fig.axes) == 4  # one panel per theme
    assert [a.get_title() for a in fig.axes][1] == "情報セキュリティ\nInformation security"
    # rows: highest mean share on top; every municipality named on the axis, no legend
    means = df.groupby("municipality")["share"].mean()
    assert [t.get_text() for t in ax.get_yticklabels()] == sorted(means.index, key=lambda m: -means[m])
    assert all(a.get_legend() is None for a in fig.axes)
    for panel, theme in zip(fig.axes, THEMES):
        rows = (
            df[df["theme"] == theme]
            .set_index("municipality")
            .loc[[t.get_text() for t in ax.get_yticklabels()]]
        )
        dots = panel.collections[1].get_offsets()
        assert np.allclose(dots[:, 0], rows["share"] * 100)
        segments = panel.collections[0].get_segments()
        assert np.allclose([s[0][0] for s in segments], rows["ci_low"] * 100)
        assert np.allclose([s[1][0] for s in segments], rows["ci_high"] * 100)
        pooled = [line.get_xdata()[0] for line in panel.lines]
        assert np.allclose(pooled, [100 * rows["coded_turns"].sum() / rows["turns"].sum()])
    colors = style.municipality_colors(MUNIS[:3])
    first = fig.axes[0].collections[1].get_facecolors()
    order = [t.get_text() for t in ax.get_yticklabels()]
    assert np.allclose(first[order.index("長崎市")], matplotlib.colors.to_rgba(colors["長崎市"]))
    _draw_strict(ax)


def test_theme_shares_in_a_given_axes_keeps_the_figure():
    fig, ax = plt.subplots(figsize=(9, 5.5))
    first = charts.theme_shares(_shares(), ax=ax)
    assert first.figure is fig and ax not in fig.axes and len(fig.axes) == 4


def test_residual_heatmap_cells_and_centre():
    df = _shares()
    df = df.assign(observed=10, expected=9.5, adjusted_residual=np.linspace(-3, 2, len(df)))
    ax = charts.residual_heatmap(df)
    assert len(_texts(ax)) == 12
    assert "-3.00" in _texts(ax) and "+2.00" in _texts(ax)
    image = ax.get_images()[0]
    assert image.get_array().shape == (3, 4)
    assert image.norm.vmin == -image.norm.vmax == -3.0
    _draw_strict(ax)


def test_keyness_bars_top_positive_terms():
    df = pd.DataFrame(
        {
            "municipality": ["墨田区"] * 5 + ["豊島区"],
            "term": ["研修", "自治体", "窓口", "負の語", "ゼロ", "本部"],
            "g2": [12.0, 30.5, 7.0, -4.0, 0.0, 99.0],
            "q": [0.01] * 6,
        }
    )
    ax = charts.keyness_bars(df, "墨田区", n=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["自治体", "研修"]
    assert [b.get_width() for b in _bars(ax)] == [30.5, 12.0]
    ax_all = charts.keyness_bars(df.rename(columns={"municipality": "group"}), "墨田区")
    assert len(_bars(ax_all)) == 3  # negative and zero G² left out
    _draw_strict(ax)
    # a group without a positive term says so instead of "上位 0 語"
    empty = charts.keyness_bars(df.assign(g2=-1.0), "墨田区")
    assert charts.TOO_FEW_TERMS in _texts(empty) and not _bars(empty)
    assert "0 語" not in empty.get_title()


def test_similarity_dendrogram_and_heatmap():
    points = np.array([[0, 0], [0, 1], [5, 5], [5, 6]], dtype=float)
    labels = MUNIS[:4]
    ax = charts.similarity_dendrogram(linkage(points, "average"), labels)
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted(labels)
    _draw_strict(ax)

    pairs = pd.DataFrame(
        {
            "group_a": ["流山市", "流山市", "長崎市"],
            "group_b": ["長崎市", "墨田区", "墨田区"],
            "cosine": [0.8, 0.3, 0.55],
        }
    )
    ax = charts.similarity_heatmap(pairs)
    matrix = ax.get_images()[0].get_array()
    assert matrix.shape == (3, 3)
    assert np.allclose(matrix, matrix.T) and np.allclose(np.diag(matrix), 1.0)
    assert len(_texts(ax)) == 9
    _draw_strict(ax)


def test_network_plot_sizes_colours_and_widths():
    nodes = pd.DataFrame(
        {"term": ["デジタル", "職員", "研修", "窓口"], "n_turns": [40, 10, 20, 5], "community": [0, 0, 1, 1]}
    )
    edges = pd.DataFrame({"source": ["デジタル", "研修"], "target": ["職員", "窓口"], "jaccard": [0.5, 0.25]})
    layout = pd.DataFrame(
        {"term": ["窓口", "研修", "職員", "デジタル"], "x": [1.0, 1.0, 0.0, 0.0], "y": [1.0, 0.0, 1.0, 0.0]}
    )
    ax = charts.network_plot(nodes, edges, layout)
    assert sorted(_texts(ax)) == sorted(nodes["term"])
    assert all(t.get_visible() for t in ax.texts)  # four labels have room: none hidden
    scatter = ax.collections[1]
    sizes = scatter.get_sizes()
    assert sizes[0] > sizes[2] > sizes[1] > sizes[3]
    assert np.allclose(scatter.get_offsets()[0], [0.0, 0.0])  # デジタル placed by layout
    widths = ax.collections[0].get_linewidths()
    assert widths[0] > widths[1]
    colors = scatter.get_facecolors()
    assert np.allclose(colors[0], colors[1]) and not np.allclose(colors[0], colors[2])
    _draw_strict(ax)


def test_ca_biplot_labels_and_inertia():
    rows = pd.DataFrame({"label": MUNIS[:3], "dim1": [0.5, -0.2, 0.1], "dim2": [0.1, 0.3, -0.4]})
    cols = pd.DataFrame(
        {"label": ["遠い語", "中間", "近い語"], "dim1": [2.0, 0.5, 0.01], "dim2": [2.0, 0.5, 0.01]}
    )
    ax = charts.ca_biplot(rows, cols, [0.456, 0.321], n_labels=2)
    texts = [t.get_text().strip() for t in ax.texts if t.get_visible()]
    assert "遠い語" in texts and "中間" in texts and "近い語" not in texts
    assert all(m in texts for m in MUNIS[:3])
    assert "45.6%" in ax.get_xlabel() and "32.1%" in ax.get_ylabel()
    ax2 = charts.ca_biplot(rows, cols, [45.6, 32.1])
    assert "45.6%" in ax2.get_xlabel()
    _draw_strict(ax)
    # with contributions, the terms that contribute most are labelled, not the farthest
    cols = cols.assign(ctr1=[0.0, 0.1, 0.6], ctr2=[0.05, 0.1, 0.2])
    ax3 = charts.ca_biplot(rows, cols, [0.4, 0.3], n_labels=1)
    assert "近い語" in [t.get_text() for t in ax3.texts] and "遠い語" not in [t.get_text() for t in ax3.texts]


def test_k_selection_marks_chosen():
    df = pd.DataFrame(
        {
            "k": [8, 4, 6],
            "coherence_npmi": [0.05, 0.1, 0.12],
            "stability": [0.6, 0.9, 0.8],
            "chosen": [False, False, True],
        }
    )
    ax = charts.k_selection(df)
    assert list(ax.lines[0].get_xdata()) == [4, 6, 8]
    assert any(t.get_text() == "採用 K = 6" for t in ax.texts)
    assert ax.lines[-1].get_xdata()[0] == 6
    _draw_strict(ax)


def test_generic_heatmap_and_stacked_counts():
    df = pd.DataFrame(
        {
            "topic": ["T1", "T1", "T2", "T2"],
            "municipality": ["流山市", "長崎市"] * 2,
            "weight": [0.1, 0.9, 0.7, 0.3],
        }
    )
    ax = charts.heatmap(df, "topic", "municipality", "weight", title="トピック × 自治体")
    assert len(_texts(ax)) == 4 and "0.90" in _texts(ax)
    assert ax.get_title() == "トピック × 自治体"
    _draw_strict(ax)

    counts = pd.DataFrame(
        {
            "municipality": ["流山市", "流山市", "長崎市"],
            "role": ["chair", "member", "member"],
            "turns": [3, 7, 4],
        }
    )
    ax = charts.stacked_counts(counts, "municipality", "role", "turns")
    bars = _bars(ax)
    assert len(bars) == 4  # 2 groups × 2 roles (a zero-width bar for 長崎市 chair)
    totals = {}
    for b in bars:
        totals[round(b.get_y() + b.get_height() / 2)] = max(
            totals.get(round(b.get_y() + b.get_height() / 2), 0), b.get_x() + b.get_width()
        )
    assert totals == {0: 10, 1: 4}
    _draw_strict(ax)


def test_plot_functions_draw_on_given_axes_without_saving(tmp_path, monkeypatch):
    from dxminutes import config

    monkeypatch.setattr(config, "FIGURES_DIR", tmp_path / "figures")
    _fig, ax = plt.subplots()
    assert charts.residual_heatmap(_shares().assign(adjusted_residual=0.5), ax=ax) is ax
    assert charts.theme_shares(_shares(), ax=ax).figure is _fig  # small multiples in ax's place
    assert not (tmp_path / "figures").exists()


def test_residual_heatmap_keeps_theme_order():
    df = _shares().assign(observed=1, expected=1.0, adjusted_residual=0.5)
    ax = charts.residual_heatmap(df)
    # labels wrap at " / " so that they fit under their column
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        style.theme_label(k).replace(" / ", "\n") for k in THEMES
    ]


def test_a_character_the_font_lacks_is_shown_as_geta_and_reported(tmp_path):
    """A term in a script the font lacks (the seed's 这样一个) must not stop a report."""
    import warnings

    import matplotlib.pyplot as plt

    from dxminutes.report import export, style

    style.setup()  # strict: matplotlib's own missing-glyph warning is an error
    fig, ax = plt.subplots()
    ax.barh([0, 1], [3, 2])
    ax.set_yticks([0, 1], ["这样一个", "デジタル化"])
    ax.set_title("语 / 情報")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = export.save_figure(fig, "99-missing-glyph", pd.DataFrame({"a": [1]}), figures_dir=tmp_path)
    assert paths["png"].exists() and paths["svg"].exists()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["〓样一个", "デジタル化"] or labels[0].startswith("〓")
    assert ax.get_title() == "〓 / 情報"
    assert any("这" in str(w.message) and "语" in str(w.message) for w in caught)
    plt.close(fig)
