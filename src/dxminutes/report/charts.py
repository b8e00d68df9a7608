"""Report-ready figures with Japanese labels and colour-blind-safe colours.

Plot functions take tidy DataFrames and an optional `ax`, return the Axes (the first panel of
small multiples; `ax.figure` holds them all) and never save; `dxminutes.report.export.save_figure`
writes them (see `dxminutes.report.style` for the look).

Every chart stays readable from 1 to 50 groups: figures grow with the number of rows
(`layout.grow`, width capped at `layout.MAX_WIDTH_IN`), groups are named on the axis or next to
their mark rather than in a legend (colours are distinct up to `style.MAX_DISTINCT` groups only),
panels with nothing to show say why, and point labels are placed with adjustText and hidden
when they would still overlap (`layout.drop_overlaps`).

For more groups (a national corpus has 1,500) the per-group charts are paged: the `*_pages`
functions (`theme_shares_pages`, `residual_heatmap_pages`, `keyness_grid_pages`) return
`Page`s of at most `MAX_GROUPS_PER_PAGE` (50) rows, or `KEYNESS_PER_PAGE` (24) panels for the
keyness grid, each drawn only when `export.save_pages` saves it and closed right after, so no
figure holds more than a bounded number of rows or panels and memory does not grow with the
groups.
Files: `{name}.png/.svg/.csv` when everything fits on one page (the same files, byte for byte,
as the single-figure functions), else `{name}-p01`, `{name}-p02`, … (`export.page_name`), each
CSV holding the rows of its page's groups. Pages share one scale (axis limits, colour range,
colours), so they can be read side by side.
"""

from __future__ import annotations

__all__ = ["KEYNESS_COLUMNS", "KEYNESS_PANEL_IN", "KEYNESS_PER_PAGE", "KEYNESS_TITLE", "MAX_GROUPS_PER_PAGE", "THEME_SHARES_TITLE", "TOO_FEW_TERMS", "Page", "ca_biplot", "heatmap", "k_selection", "keyness_bars", "keyness_grid", "keyness_grid_pages", "municipality_order", "network_plot", "paginate", "residual_heatmap", "residual_heatmap_pages", "similarity_dendrogram", "similarity_heatmap", "spread_nodes", "stacked_counts", "theme_shares", "theme_shares_pages"]  # fmt: skip

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dxminutes import config
from dxminutes.report import layout
from dxminutes.report.style import (
    MAX_DISTINCT,
    OKABE_ITO,
    axes,
    ensure_setup,
    municipality_colors,
    palette,
    replace_missing_glyphs,
    theme_label,
)

#: Shown in a panel of a group with too little text for the chart.
TOO_FEW_TERMS = "語が少なすぎます / too few terms"
#: Number of columns of a keyness grid (panels of `KEYNESS_PANEL_IN` inches: ≤ 14 in wide).
KEYNESS_COLUMNS = 4
KEYNESS_PANEL_IN = 3.4
#: Rows (groups) a paged row chart (theme shares, residual heatmap) draws on one page; the charts
#: are checked readable up to 50 groups.
MAX_GROUPS_PER_PAGE = 50
#: Panels on one page of a paged keyness grid: 6 rows of `KEYNESS_COLUMNS` (about 14 × 26 in; a
#: page of 48 panels took twice the memory, ~0.8 GB at 300 dpi, for the same time per panel).
KEYNESS_PER_PAGE = 24
#: Title of `theme_shares`.
THEME_SHARES_TITLE = "自治体別・テーマ別の発言割合 (95%信頼区間)"
#: Default title of `keyness_grid`.
KEYNESS_TITLE = (
    "特徴語（G²、他自治体との比較） / Distinctive terms per municipality (G² keyness, one-vs-rest)"
)


@dataclass(frozen=True)
class Page:
    """One page of a paged chart: its groups, its number (1-based) of `of`, and `draw()`, which
    makes the page's figure and returns its first Axes (called by `export.save_pages`)."""

    groups: list[str]
    number: int
    of: int
    draw: Callable[[], object]


def paginate(groups: Sequence[str], per_page: int) -> list[list[str]]:
    """`groups` in order, cut into consecutive pages of at most `per_page` (one empty page if none)."""
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, got {per_page}")
    groups = [str(g) for g in groups]
    return [groups[i : i + per_page] for i in range(0, len(groups), per_page)] or [[]]


def _page_title(title: str | None, number: int, of: int) -> str | None:
    return title if of == 1 or not title else f"{title} ({number}/{of})"


def _new_axes(figsize):
    import matplotlib.pyplot as plt

    ensure_setup()
    return plt.subplots(figsize=figsize)[1]


def _message(ax, text: str, detail: str = "") -> None:
    """Write `text` (and a smaller `detail`) in the middle of an empty panel."""
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.text(0.5, 0.55, text, ha="center", va="center", fontsize=10, color="#555555", transform=ax.transAxes)
    if detail:
        ax.text(
            0.5, 0.42, detail, ha="center", va="center", fontsize=8, color="#777777", transform=ax.transAxes
        )


def _wrap(label: str) -> str:
    return str(label).replace(" / ", "\n")


def _panels(ax, n: int, *, ncols: int, panel_w: float, panel_h: float, sharey: bool = False):
    """`n` axes on a grid of `ncols` columns: in `ax`'s place when given, else in a new figure."""
    import matplotlib.pyplot as plt

    ensure_setup()
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    if ax is None:
        width = min(panel_w * ncols + 1.0, layout.MAX_WIDTH_IN)
        fig = plt.figure(figsize=(width, panel_h * nrows + 1.0))
        grid = fig.add_gridspec(nrows, ncols)
    else:
        fig = ax.figure
        grid = ax.get_subplotspec().subgridspec(nrows, ncols)
        ax.remove()
        width, height = fig.get_size_inches()
        fig.set_size_inches(
            min(max(width, panel_w * ncols + 1.0), layout.MAX_WIDTH_IN), max(height, panel_h * nrows + 1.0)
        )
    out = []
    for i in range(n):
        share = out[0] if sharey and out else None
        out.append(fig.add_subplot(grid[i // ncols, i % ncols], sharey=share))
    return out


def _annotated_heatmap(
    ax, matrix: pd.DataFrame, *, cmap: str, vmin: float, vmax: float, fmt: str, cbar_label: str
):
    """Draw `matrix` as coloured cells with each value written in its cell.

    The figure grows with the rows and columns; the values are written only when a cell is big
    enough for them at a readable size (the CSV beside the figure always has them).
    """
    n_rows, n_cols = matrix.shape
    layout.grow(ax, rows=n_rows, cols=n_cols, col_in=0.6)
    values = matrix.to_numpy(dtype=float)
    if values.size == 0:
        _message(ax, "データがありません / no data")
        return ax
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    x_labels = [_wrap(c) for c in matrix.columns]
    if n_cols > 6:
        ax.set_xticks(range(n_cols), x_labels, rotation=90, ha="center")
    else:
        ax.set_xticks(range(n_cols), x_labels)
    ax.set_yticks(range(n_rows), [str(r) for r in matrix.index])
    ax.spines[:].set_visible(False)
    ax.figure.colorbar(image, ax=ax, label=cbar_label, shrink=0.8)
    width, height = ax.figure.get_size_inches()
    box = ax.get_position()
    cell_w, cell_h = width * box.width * 72 / n_cols, height * box.height * 72 / n_rows
    longest = max((len(fmt.format(v)) for v in values.ravel() if np.isfinite(v)), default=1)
    size = min(8.0, cell_w / (0.62 * longest + 0.6), cell_h * 0.6)
    tick_size = min(10.0, cell_h * 0.75)
    ax.tick_params(axis="y", labelsize=max(tick_size, layout.MIN_FONT))
    if size < layout.MIN_FONT:
        return ax
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            dark = abs(image.norm(v) - 0.5) > 0.3 if vmin < 0 else image.norm(v) < 0.5
            ax.text(
                j,
                i,
                fmt.format(v),
                ha="center",
                va="center",
                color="white" if dark else "black",
                fontsize=size,
            )
    return ax


def municipality_order(df: pd.DataFrame, value: str = "share") -> list[str]:
    """Municipalities by their mean `value` over the themes, highest first (ties by name)."""
    means = df.groupby(df["municipality"].astype(str))[value].mean()
    return sorted(means.index, key=lambda m: (-float(np.nan_to_num(means[m], nan=-1.0)), m))


def theme_shares(
    df: pd.DataFrame,
    ax=None,
    colors: Mapping[str, str] | None = None,
    themes=None,
    order: Sequence[str] | None = None,
    pooled: Mapping[str, float] | None = None,
):
    """Dot-and-interval small multiples: one panel per theme, one row per municipality, the
    share of its turns that touch the theme as a dot with its 95% interval as a line.

    Rows are ordered by the mean share over the themes (highest on top) unless `order` is
    given; municipalities are named on the axis, so the chart needs no legend and reads the same
    for 1 or 50 of them (colours are used up to 12); more than 50 go on pages
    (`theme_shares_pages`). A dotted line marks the pooled share of the drawn municipalities
    when `turns` and `coded_turns` are given, or `pooled[theme]` (a proportion) when given.
    `share`, `ci_low`, `ci_high` are proportions in [0, 1], drawn as percentages; the x axis
    runs to the largest `ci_high` of `df`. Returns the first panel.
    """
    munis = list(order) if order is not None else municipality_order(df)
    theme_keys = list(dict.fromkeys(df["theme"].astype(str)))
    colors = dict(colors) if colors is not None else municipality_colors(munis)
    use_color = len(munis) <= MAX_DISTINCT
    panels = _panels(
        ax,
        max(len(theme_keys), 1),
        ncols=max(len(theme_keys), 1),
        panel_w=2.6,
        panel_h=layout.ROW_IN * max(len(munis), 4) + 0.8,
        sharey=True,
    )
    y = np.arange(len(munis))
    upper = float(np.nanmax(df["ci_high"].to_numpy(dtype=float), initial=0.0)) * 100 if len(df) else 1.0
    for panel, key in zip(panels, theme_keys):
        rows = df[df["theme"].astype(str) == key].set_index(
            df.loc[df["theme"].astype(str) == key, "municipality"].astype(str)
        )
        rows = rows.reindex(munis)
        share = rows["share"].to_numpy(dtype=float) * 100
        low = rows["ci_low"].to_numpy(dtype=float) * 100
        high = rows["ci_high"].to_numpy(dtype=float) * 100
        dot_colors = [colors.get(m, "#333333") if use_color else "#333333" for m in munis]
        panel.hlines(y, low, high, colors=dot_colors, linewidth=1.6, alpha=0.8)
        panel.scatter(share, y, s=28, color=dot_colors, zorder=3, edgecolors="white", linewidths=0.5)
        if pooled is not None and key in pooled:
            panel.axvline(100 * pooled[key], color="#999999", linestyle=":", linewidth=1, zorder=1)
        elif {"turns", "coded_turns"} <= set(rows.columns) and rows["turns"].sum() > 0:
            pooled_share = 100 * rows["coded_turns"].sum() / rows["turns"].sum()
            panel.axvline(pooled_share, color="#999999", linestyle=":", linewidth=1, zorder=1)
        panel.set_title(_wrap(theme_label(key, themes)), fontsize=9)
        panel.set_xlim(0, max(upper * 1.08, 1.0))
        panel.grid(axis="x", color="#EEEEEE", linewidth=0.6)
        panel.tick_params(axis="x", labelsize=8)
    first = panels[0]
    first.set_yticks(y, munis)
    first.set_ylim(len(munis) - 0.5, -0.5)
    for panel in panels[1:]:
        panel.tick_params(axis="y", labelleft=False)
    if not theme_keys:
        _message(first, "データがありません / no data")
    fig = first.figure
    fig.supxlabel("テーマに言及した発言の割合 (%)  点: 割合、線: 95%信頼区間、点線: 全体", fontsize=9)
    fig.suptitle(THEME_SHARES_TITLE, fontsize=11)
    return first


def _residual_limit(df: pd.DataFrame, value: str) -> float:
    return float(np.nanmax(np.abs(df[value].to_numpy(dtype=float)), initial=0.0)) or 1.0


def residual_heatmap(
    df: pd.DataFrame, ax=None, value: str = "adjusted_residual", themes=None, limit: float | None = None
):
    """Municipality × theme heatmap of (adjusted) residuals, diverging colours centred at 0.

    One row per municipality (alphabetical), readable up to 50 rows; more go on pages
    (`residual_heatmap_pages`). The colour scale runs from −`limit` to +`limit` (default: the
    largest |value|).
    """
    ax = axes(ax)
    matrix = df.pivot(index="municipality", columns="theme", values=value)
    matrix = matrix.reindex(columns=list(dict.fromkeys(df["theme"])))  # keep the themes' order
    matrix = matrix.rename(columns=lambda k: theme_label(k, themes))
    if limit is None:
        limit = float(np.nanmax(np.abs(matrix.to_numpy(dtype=float)), initial=0.0)) or 1.0
    _annotated_heatmap(
        ax,
        matrix,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        fmt="{:+.2f}",
        cbar_label="調整済み残差" if value == "adjusted_residual" else value,
    )
    ax.set_title(
        "自治体 × テーマの調整済み残差 (|値| > 1.96 で5%有意)"
        if value == "adjusted_residual"
        else f"自治体 × テーマの {value}"
    )
    ax.set_xlabel("テーマ")
    ax.set_ylabel("自治体")
    return ax


def keyness_bars(df: pd.DataFrame, municipality: str, n: int = 15, ax=None, color: str | None = None):
    """The `n` terms with the largest positive G² for one municipality (or group).

    A group without any over-represented term (too little text, or no term passing the
    minimum counts) gets a panel that says so instead of an empty chart.
    """
    ax = axes(ax)
    group_col = "municipality" if "municipality" in df.columns else "group"
    rows = df[(df[group_col].astype(str) == str(municipality)) & (df["g2"] > 0)]
    rank = config.layout_round(rows["g2"].to_numpy(dtype=float), each=True)  # last digits cannot reorder
    rows = rows.iloc[np.lexsort((rows["term"].astype(str).to_numpy(), -rank))].head(n)
    if rows.empty:
        _message(ax, TOO_FEW_TERMS, "最小出現数を満たす特徴語なし\nno term passes the minimum counts")
        ax.set_title(f"{municipality} の特徴語", fontsize=10)
        return ax
    color = color or municipality_colors(df[group_col].astype(str))[str(municipality)]
    ax.barh(range(len(rows)), rows["g2"].to_numpy(dtype=float), color=color)
    ax.set_yticks(range(len(rows)), rows["term"].astype(str).tolist())
    ax.set_ylim(max(len(rows), n) - 0.5, -0.5)
    ax.set_xlabel("G² (他の自治体との比較)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(f"{municipality} の特徴語 (上位 {len(rows)} 語)", fontsize=10)
    return ax


def keyness_grid(
    df: pd.DataFrame,
    municipalities: Sequence[str] | None = None,
    n: int = 15,
    ax=None,
    colors: Mapping[str, str] | None = None,
    ncols: int = KEYNESS_COLUMNS,
    title: str | None = KEYNESS_TITLE,
):
    """`keyness_bars` for every municipality on a grid wrapped at `ncols` panels per row, so
    the figure stays at most ~14 in wide however many municipalities there are; its height
    grows with them, so beyond `KEYNESS_PER_PAGE` (24) draw it in pages with
    `keyness_grid_pages`. Returns the first panel (all are in `ax.figure.axes`)."""
    group_col = "municipality" if "municipality" in df.columns else "group"
    groups = (
        list(municipalities) if municipalities is not None else sorted(df[group_col].astype(str).unique())
    )
    colors = dict(colors) if colors is not None else municipality_colors(groups)
    panels = _panels(ax, max(len(groups), 1), ncols=ncols, panel_w=KEYNESS_PANEL_IN, panel_h=0.2 * n + 1.1)
    for panel, group in zip(panels, groups):
        keyness_bars(df, group, n=n, ax=panel, color=colors.get(str(group)))
    if not groups:
        _message(panels[0], "データがありません / no data")
    fig = panels[0].figure
    if title:
        fig.suptitle(title, fontsize=11)
    replace_missing_glyphs(fig)  # before tight_layout measures the labels
    fig.tight_layout(rect=(0, 0, 1, 0.97 if title else 1))
    return panels[0]


# --------------------------------------------------------------------------- paged charts
def theme_shares_pages(
    df: pd.DataFrame,
    *,
    per_page: int = MAX_GROUPS_PER_PAGE,
    colors: Mapping[str, str] | None = None,
    themes=None,
    order: Sequence[str] | None = None,
    figsize: tuple[float, float] | None = None,
) -> list[Page]:
    """`theme_shares` on pages of at most `per_page` municipalities (50: the chart is readable up
    to 50 rows), in the overall order (mean share, highest first, unless `order`), each page a
    new figure of `figsize`. Every page has the same x axis, the dotted line at the pooled share
    of all municipalities and, beyond 12 municipalities, no colours (as one big chart would).
    With everything on one page the figure is exactly `theme_shares(df, ax=…)`'s."""
    munis = list(order) if order is not None else municipality_order(df)
    groups = paginate(munis, per_page)
    pooled = None
    if len(groups) > 1:
        if colors is None and len(munis) > MAX_DISTINCT:
            colors = dict.fromkeys(munis, "#333333")
        elif colors is None:
            colors = municipality_colors(munis)
        if {"turns", "coded_turns"} <= set(df.columns):
            rows = df[df["municipality"].astype(str).isin(munis)]
            sums = rows.groupby(rows["theme"].astype(str))[["coded_turns", "turns"]].sum()
            pooled = (sums["coded_turns"] / sums["turns"]).where(sums["turns"] > 0).dropna().to_dict()

    def draw(page: list[str], number: int):
        def make():
            first = theme_shares(
                df, ax=_new_axes(figsize), colors=colors, themes=themes, order=page, pooled=pooled
            )
            if len(groups) > 1:
                first.figure.suptitle(_page_title(THEME_SHARES_TITLE, number, len(groups)), fontsize=11)
            return first

        return make

    return [Page(page, i, len(groups), draw(page, i)) for i, page in enumerate(groups, 1)]


def residual_heatmap_pages(
    df: pd.DataFrame,
    *,
    per_page: int = MAX_GROUPS_PER_PAGE,
    value: str = "adjusted_residual",
    themes=None,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
) -> list[Page]:
    """`residual_heatmap` on pages of at most `per_page` municipalities (alphabetical, 50 rows
    readable), each a new figure of `figsize`, all on the colour scale of the largest |value|
    of `df`; `title` replaces the chart's own (the page number is added when there are several).
    With everything on one page the figure is exactly `residual_heatmap(df, ax=…)`'s."""
    munis = sorted(df["municipality"].astype(str).unique())
    groups = paginate(munis, per_page)
    limit = _residual_limit(df, value) if len(groups) > 1 else None

    def draw(page: list[str], number: int):
        def make():
            ax = _new_axes(figsize)
            rows = df if len(groups) == 1 else df[df["municipality"].astype(str).isin(page)]
            residual_heatmap(rows, ax=ax, value=value, themes=themes, limit=limit)
            text = _page_title(title or ax.get_title(), number, len(groups))
            if text != ax.get_title():
                ax.set_title(text)
            return ax

        return make

    return [Page(page, i, len(groups), draw(page, i)) for i, page in enumerate(groups, 1)]


def keyness_grid_pages(
    df: pd.DataFrame,
    municipalities: Sequence[str] | None = None,
    *,
    per_page: int = KEYNESS_PER_PAGE,
    n: int = 15,
    colors: Mapping[str, str] | None = None,
    ncols: int = KEYNESS_COLUMNS,
    title: str | None = KEYNESS_TITLE,
) -> list[Page]:
    """`keyness_grid` on pages of at most `per_page` panels (24: 6 rows of 4, about 14 × 26 in),
    municipalities in the order given (default: sorted); colours are taken over all of them, so
    a municipality has the same colour whatever its page, and the page number is added to the
    title when there are several. With everything on one page the figure is exactly
    `keyness_grid(df, municipalities, …)`'s."""
    group_col = "municipality" if "municipality" in df.columns else "group"
    munis = list(municipalities) if municipalities is not None else sorted(df[group_col].astype(str).unique())
    colors = dict(colors) if colors is not None else municipality_colors(munis)
    groups = paginate(munis, per_page)

    def draw(page: list[str], number: int):
        def make():
            return keyness_grid(
                df, page, n=n, colors=colors, ncols=ncols, title=_page_title(title, number, len(groups))
            )

        return make

    return [Page(page, i, len(groups), draw(page, i)) for i, page in enumerate(groups, 1)]


def similarity_dendrogram(linkage, labels: Sequence[str], ax=None):
    """Dendrogram of a hierarchical clustering of municipalities (scipy linkage matrix)."""
    from scipy.cluster.hierarchy import dendrogram

    ax = axes(ax)
    labels = list(labels)
    ax.set_title("語彙の類似度による自治体の階層クラスタリング")
    if linkage is None or len(labels) < 2:
        _message(
            ax,
            "自治体が1つだけです / only one municipality",
            "クラスタリングには2つ以上必要 / needs two or more",
        )
        return ax
    layout.grow(ax, rows=len(labels), row_in=0.24)
    dendrogram(
        linkage,
        labels=labels,
        ax=ax,
        orientation="right",
        color_threshold=0,
        above_threshold_color="#444444",
        leaf_font_size=9 if len(labels) <= 20 else 7,
    )
    ax.set_xlabel("結合距離 (1 − コサイン類似度)")
    return ax


def similarity_heatmap(df_pairs: pd.DataFrame, ax=None):
    """Symmetric heatmap of pairwise cosine similarity (group_a, group_b, cosine)."""
    ax = axes(ax)
    ax.set_title("自治体間の語彙のコサイン類似度")
    pairs = pd.concat(
        [
            df_pairs[["group_a", "group_b", "cosine"]],
            df_pairs.rename(columns={"group_a": "group_b", "group_b": "group_a"})[
                ["group_a", "group_b", "cosine"]
            ],
        ]
    )
    groups = sorted(set(pairs["group_a"].astype(str)) | set(pairs["group_b"].astype(str)))
    if len(groups) < 2:
        _message(
            ax, "自治体が1つだけです / only one municipality", "比較する相手がありません / nothing to compare"
        )
        return ax
    matrix = (
        pairs.drop_duplicates(["group_a", "group_b"])
        .pivot(index="group_a", columns="group_b", values="cosine")
        .reindex(index=groups, columns=groups)
    )
    for g in groups:
        matrix.loc[g, g] = 1.0
    _annotated_heatmap(
        ax, matrix, cmap="viridis", vmin=0.0, vmax=1.0, fmt="{:.2f}", cbar_label="コサイン類似度"
    )
    return ax


def _halo(text) -> None:
    from matplotlib import patheffects

    text.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="white")])


def _place_labels(ax, texts, x, y, *, keep=(), iterations: int = 150) -> list:
    """Move `texts` off each other and their points (adjustText, deterministic iteration limit),
    then hide those still overlapping, later ones first (`texts` in priority order)."""
    from adjustText import adjust_text

    if len(texts) > 1:
        adjust_text(
            list(texts),
            x=np.asarray(x, dtype=float),
            y=np.asarray(y, dtype=float),
            ax=ax,
            iter_lim=iterations,
            expand=(1.15, 1.35),
            arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.5},
        )
    return layout.drop_overlaps(texts, ax.figure, keep=keep)


def spread_nodes(
    xy: np.ndarray, radii: np.ndarray, *, gap: float = 0.25, iterations: int = 300
) -> np.ndarray:
    """Move points apart until no two discs (centres `xy`, `radii`, same units) overlap, keeping
    the layout's shape: each step pushes every overlapping pair apart along the line between
    them by half the overlap (plus `gap` × the smaller radius). Deterministic."""
    xy = np.array(xy, dtype=float, copy=True)
    n = len(xy)
    if n < 2:
        return xy
    radii = np.asarray(radii, dtype=float)
    need = radii[:, None] + radii[None, :] + gap * np.minimum(radii[:, None], radii[None, :])
    np.fill_diagonal(need, 0.0)
    for _ in range(iterations):
        delta = xy[:, None, :] - xy[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1])
        overlap = np.where(np.eye(n, dtype=bool), 0.0, need - dist)
        if overlap.max() <= 1e-9:
            break
        same = dist < 1e-12  # coincident points: split along a fixed direction by index
        direction = np.where(
            same[..., None], np.array([1.0, 0.0]), delta / np.maximum(dist, 1e-12)[..., None]
        )
        direction = np.where(
            same[..., None] & (np.arange(n)[:, None] < np.arange(n)[None, :])[..., None],
            -direction,
            direction,
        )
        push = np.clip(overlap, 0.0, None)[..., None] * direction / 2
        xy += push.sum(axis=1)
    return xy


def network_plot(nodes: pd.DataFrame, edges: pd.DataFrame, layout_xy: pd.DataFrame, ax=None):
    """Co-occurrence network as KH Coder draws it: edge width ∝ Jaccard (edges drawn dark enough
    to see), node size ∝ the number of turns with the term, colour by community, and labels
    moved apart with adjustText (a label that still overlaps another is hidden; the CSV lists
    every node)."""
    from matplotlib.collections import LineCollection

    ax = axes(ax)
    ax.set_title("語の共起ネットワーク (線の太さ: Jaccard 係数、円の大きさ: 出現発言数、色: コミュニティ)")
    if nodes.empty:
        _message(ax, TOO_FEW_TERMS, "共起する語の組がありません / no co-occurring pairs")
        return ax
    pos = layout_xy.set_index("term")[["x", "y"]].astype(float)  # rounded by `network.layout`
    freq_by_term = nodes.set_index("term")["n_turns"].astype(float)
    sizes_pt2 = 40 + 460 * freq_by_term / max(freq_by_term.max(), 1)
    # Spread the given layout so that no two nodes overlap: the layout is normalised to the unit
    # square and each node's radius converted from points to that scale.
    xy0 = config.layout_round(pos.loc[nodes["term"]].to_numpy())
    span = np.ptp(xy0, axis=0).max() if len(xy0) > 1 else 1.0
    span = span if span > 0 else 1.0
    width, height = ax.figure.get_size_inches()
    box = ax.get_position()
    axis_pt = min(width * box.width, height * box.height) * 72 * 0.85
    radii = np.sqrt(sizes_pt2.loc[nodes["term"]].to_numpy()) / 2 / axis_pt
    spread = config.layout_round(spread_nodes((xy0 - xy0.min(axis=0)) / span, radii))
    pos = pd.DataFrame(spread, index=nodes["term"].to_numpy(), columns=["x", "y"])
    if len(edges):
        segments = [
            [pos.loc[s].to_numpy(), pos.loc[t].to_numpy()]
            for s, t in zip(edges["source"], edges["target"], strict=True)
        ]
        jaccard = edges["jaccard"].to_numpy(dtype=float)
        widths = 0.6 + 3.4 * jaccard / max(jaccard.max(), 1e-12)
        ax.add_collection(LineCollection(segments, linewidths=widths, colors="#555555", alpha=0.6, zorder=1))
    communities = sorted(nodes["community"].unique())
    colors = dict(zip(communities, palette(len(communities)), strict=True))
    xy = pos.loc[nodes["term"]].to_numpy()
    freq = nodes["n_turns"].to_numpy(dtype=float)
    sizes = sizes_pt2.loc[nodes["term"]].to_numpy()
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=sizes,
        c=[colors[c] for c in nodes["community"]],
        edgecolors="white",
        linewidths=0.8,
        alpha=0.9,
        zorder=2,
    )
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.06)
    ax.set_axis_off()
    order = np.argsort(-freq, kind="mergesort")
    texts = []
    for i in order:
        t = ax.text(
            xy[i, 0], xy[i, 1], str(nodes["term"].iloc[i]), ha="center", va="center", fontsize=8, zorder=4
        )
        _halo(t)
        texts.append(t)
    _place_labels(ax, texts, xy[order, 0], xy[order, 1])
    return ax


def _percent_explained(explained) -> list[float]:
    values = [float(v) for v in explained][:2]
    return values if sum(values) > 1.0 + 1e-9 else [v * 100 for v in values]


def ca_biplot(
    row_coords: pd.DataFrame,
    col_coords: pd.DataFrame,
    explained,
    ax=None,
    colors: Mapping[str, str] | None = None,
    n_labels: int = 25,
):
    """Correspondence-analysis biplot: rows (municipalities) as coloured squares, columns
    (terms) as grey points; only the `n_labels` terms that contribute most to the two axes
    (`contribution`, else the distance from the origin) are labelled, and labels are moved
    apart with adjustText. Municipality labels come first; a label that would still overlap
    another is hidden (the CSV beside the figure lists every point).

    `explained` holds the share of inertia per dimension (fractions, or percentages).
    """
    ax = axes(ax)
    colors = dict(colors) if colors is not None else municipality_colors(row_coords["label"])
    use_color = len(row_coords) <= MAX_DISTINCT
    # every number that places or picks a label at `config.LAYOUT_DIGITS` digits: a last-digit
    # change of the SVD (another CPU or BLAS kernel) cannot move, pick or hide a label
    cx, cy = config.layout_round(col_coords[["dim1", "dim2"]].to_numpy(dtype=float)).T
    rx, ry = config.layout_round(row_coords[["dim1", "dim2"]].to_numpy(dtype=float)).T
    if "ctr1" in col_coords and "ctr2" in col_coords:
        weight = col_coords["ctr1"].to_numpy(dtype=float) + col_coords["ctr2"].to_numpy(dtype=float)
    elif "contribution" in col_coords:
        weight = col_coords["contribution"].to_numpy(dtype=float)
    else:
        weight = np.hypot(cx, cy)
    # heaviest first, ties by label
    order = np.lexsort((col_coords["label"].astype(str).to_numpy(), -config.layout_round(weight)))[:n_labels]
    ax.scatter(cx, cy, s=8, color="#AAAAAA", zorder=1)
    ax.scatter(
        rx,
        ry,
        s=50,
        marker="s",
        color=[colors.get(str(m), "#333333") if use_color else "#333333" for m in row_coords["label"]],
        zorder=3,
    )
    ax.axhline(0, color="#CCCCCC", linewidth=0.8, zorder=0)
    ax.axvline(0, color="#CCCCCC", linewidth=0.8, zorder=0)
    row_texts = []
    for label, x, y in zip(row_coords["label"], rx, ry, strict=True):
        t = ax.text(x, y, str(label), fontsize=9.5, zorder=5)
        _halo(t)
        row_texts.append(t)
    col_texts = []
    for i in order:
        t = ax.text(cx[i], cy[i], str(col_coords["label"].iloc[i]), fontsize=7.5, color="#444444", zorder=4)
        _halo(t)
        col_texts.append(t)
    hidden = _place_labels(
        ax,
        row_texts + col_texts,
        np.concatenate([rx, cx[order]]),
        np.concatenate([ry, cy[order]]),
    )
    pct = _percent_explained(explained)
    ax.set_xlabel(f"第1次元 (慣性の {pct[0]:.1f}%)")
    ax.set_ylabel(f"第2次元 (慣性の {pct[1]:.1f}%)")
    note = f" (重なる {len(hidden)} 件のラベルは省略)" if hidden else ""
    ax.set_title(f"対応分析: 自治体と寄与の大きい語 {len(order)} 語の布置{note}")
    return ax


def k_selection(df: pd.DataFrame, ax=None, chosen: int | None = None):
    """Topic coherence (NPMI, left axis) and stability (right axis) against K, chosen K marked.

    `chosen` defaults to the row whose boolean `chosen` column is true, if there is one.
    """
    ax = axes(ax)
    df = df.sort_values("k", kind="mergesort")
    if chosen is None and "chosen" in df.columns and df["chosen"].any():
        chosen = int(df.loc[df["chosen"].astype(bool), "k"].iloc[0])
    ax.plot(df["k"], df["coherence_npmi"], marker="o", color=OKABE_ITO[4], label="一貫性 (NPMI)")
    ax.set_xticks(df["k"].tolist())
    ax.set_xlabel("トピック数 K")
    ax.set_ylabel("一貫性 (平均 NPMI)", color=OKABE_ITO[4])
    right = ax.twinx()
    right.plot(df["k"], df["stability"], marker="s", linestyle="--", color=OKABE_ITO[5], label="安定性")
    right.set_ylabel("安定性 (再推定間の一致度)", color=OKABE_ITO[5])
    right.spines["right"].set_visible(True)
    if chosen is not None:
        ax.axvline(chosen, color="black", linestyle=":", linewidth=1)
        ax.annotate(
            f"採用 K = {chosen}",
            (chosen, 0.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, 3),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=9,
        )
    ax.set_title("トピック数 K の選択")
    return ax


def heatmap(
    df: pd.DataFrame,
    row: str,
    col: str,
    value: str,
    ax=None,
    fmt: str = "{:.2f}",
    title: str = "ヒートマップ",
    cmap: str = "viridis",
):
    """Generic annotated heatmap of `value` by `row` × `col` (e.g. topic × municipality)."""
    ax = axes(ax)
    matrix = df.pivot(index=row, columns=col, values=value)
    values = matrix.to_numpy(dtype=float)
    vmin, vmax = float(np.nanmin(values)), float(np.nanmax(values))
    _annotated_heatmap(
        ax, matrix, cmap=cmap, vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1, fmt=fmt, cbar_label=value
    )
    ax.set_xlabel(col)
    ax.set_ylabel(row)
    ax.set_title(title)
    return ax


def stacked_counts(
    df: pd.DataFrame,
    by: str,
    stack: str,
    value: str,
    ax=None,
    colors: Mapping[str, str] | None = None,
    title: str | None = None,
):
    """Horizontal stacked bars of `value` per `by`, split by `stack` (e.g. turns by role).

    One bar per `by` value (the figure grows with them), legend outside the bars.
    """
    ax = axes(ax)
    table = df.pivot_table(index=by, columns=stack, values=value, aggfunc="sum", fill_value=0)
    table = table.sort_index().reindex(columns=sorted(table.columns))
    layout.grow(ax, rows=len(table), row_in=0.24)
    colors = (
        dict(colors)
        if colors is not None
        else dict(zip(table.columns, palette(len(table.columns)), strict=True))
    )
    left = np.zeros(len(table))
    for name in table.columns:
        widths = table[name].to_numpy(dtype=float)
        ax.barh(range(len(table)), widths, left=left, color=colors[name], label=str(name))
        left += widths
    ax.set_yticks(range(len(table)), [str(i) for i in table.index])
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.set_xlabel(f"{value} (件)")
    ax.set_title(title or f"{by} 別の {value} ({stack} の内訳)")
    ax.legend(title=stack, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


# --------------------------------------------------------------------------- frame level
# Figures of frame profiles (the frame level of the codebook): small multiples with intervals,
# clustering, role split, trends, and the validity of the frame coding. Each takes the tidy
# tables of `analysis.frame_stats` / `analysis.validity.frame_validity`, returns the Figure and
# never saves. Rows (municipalities or role groups) are drawn one per line, so a figure stays
# readable from 1 to 50 groups; the figure grows with them.
#: Shown in place of a share whose group has too few theme sentences.
TOO_FEW_LABEL = "文が少ない"
#: Bilingual labels of the role groups of `analysis.groups.role_group`.
ROLE_GROUP_LABELS = {
    "members": "議員・委員 / members",
    "officials": "行政 / officials",
    "experts": "有識者・講師 / experts",
    "chairs": "会長・委員長 / chairs",
    "unknown": "不明 / unknown",
}
#: Which interval a chart draws: Wilson at the effective n (speaker design effect), both levels.
INTERVAL_NOTE = "95%区間: 話者クラスターの設計効果で補正した Wilson"


def _interval(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    return rows["ci_low"].to_numpy(dtype=float), rows["ci_high"].to_numpy(dtype=float)


def frame_profile_chart(
    profiles: pd.DataFrame,
    theme: str,
    *,
    row: str = "municipality",
    frames=None,
    themes=None,
    colors: Mapping[str, str] | None = None,
    title: str | None = None,
):
    """One panel per frame of `theme`; in each, a dot per `row` group at its share of theme
    sentences with its 95% interval. Groups with too few sentences are marked, not drawn."""
    import matplotlib.pyplot as plt

    ensure_setup()
    sub = profiles[profiles["theme"] == theme]
    keys = list(pd.unique(sub["frame"]))
    groups = sorted(sub[row].astype(str).unique())
    colors = dict(colors or {})
    spare = iter(palette(len(groups)))
    cmap = {g: colors.get(g) or next(spare) for g in groups}
    height = 1.6 + 0.32 * max(len(groups), 1)
    fig, axes = plt.subplots(
        1, max(len(keys), 1), figsize=(2.3 * max(len(keys), 1) + 1.6, height), sharey=True, squeeze=False
    )
    finite = sub[["share", "ci_high"]].to_numpy(dtype=float)
    top = float(np.nanmax(finite)) if np.isfinite(finite).any() else 1.0
    xmax = min(100.0, max(10.0, np.ceil(top * 10.5) * 10))  # room for the widest interval
    for ax, key in zip(axes[0], keys):
        rows = (
            sub[sub["frame"] == key].assign(_g=lambda d: d[row].astype(str)).set_index("_g").reindex(groups)
        )
        y = np.arange(len(groups))
        share = rows["share"].to_numpy(dtype=float)
        low, high = _interval(rows)
        few = (rows["status"] == "too few sentences").to_numpy()
        for i, g in enumerate(groups):
            if few[i] or not np.isfinite(share[i]):
                n = rows["n_sentences"].iloc[i]
                n_text = f" (n={int(n)})" if np.isfinite(n) else ""
                ax.text(xmax * 0.02, i, TOO_FEW_LABEL + n_text, va="center", fontsize=7, color="#777777")
                continue
            ax.errorbar(
                share[i] * 100,
                i,
                xerr=[[max(share[i] - low[i], 0) * 100], [max(high[i] - share[i], 0) * 100]],
                fmt="o",
                color=cmap[g],
                ecolor="#333333",
                elinewidth=0.8,
                capsize=2,
                markersize=5,
            )
        ax.set_xlim(0, xmax)
        ax.set_yticks(y, [ROLE_GROUP_LABELS.get(g, g) for g in groups] if row == "role_group" else groups)
        if ax is axes[0][0]:
            ax.set_ylim(len(groups) - 0.5, -0.5)  # first group on top; shared by all panels
        label = frames.label(theme, key) if frames is not None else key
        ax.set_title(label.replace(" / ", "\n"), fontsize=9)
        ax.set_xlabel("文の割合 (%)", fontsize=8)
        ax.grid(axis="x", color="#EEEEEE")
    fig.suptitle(title or f"{theme_label(theme, themes)}: 枠組み別の文の割合 ({INTERVAL_NOTE})", fontsize=10)
    replace_missing_glyphs(fig)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / height))  # keep 0.45 in for the title at any height
    return fig


def frame_dendrogram(link, labels: Sequence[str], *, theme: str, themes=None, ax=None):
    """Dendrogram of groups clustered by the Jensen–Shannon distance of their frame profiles."""
    import matplotlib.pyplot as plt
    from scipy.cluster.hierarchy import dendrogram

    ensure_setup()
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 1.2 + 0.35 * len(labels)))
    dendrogram(
        link,
        labels=list(labels),
        ax=ax,
        orientation="right",
        color_threshold=0,
        above_threshold_color="#444444",
    )
    ax.set_xlabel("結合距離 (Jensen–Shannon 距離, 平均連結)")
    ax.set_title(f"{theme_label(theme, themes)}: 枠組みの構成による自治体のクラスタリング")
    return ax


def frame_trend_chart(
    theme_shares: pd.DataFrame,
    profiles: pd.DataFrame,
    theme: str,
    *,
    frames=None,
    themes=None,
    colors: Mapping[str, str] | None = None,
):
    """Over time: the theme's share of sentences, then each frame's share of theme sentences,
    by period (fiscal year), one line per municipality with 95% intervals."""
    import matplotlib.pyplot as plt

    ensure_setup()
    keys = list(pd.unique(profiles.loc[profiles["theme"] == theme, "frame"]))
    panels = [("__theme__", theme_shares[theme_shares["theme"] == theme])]
    panels += [(k, profiles[(profiles["theme"] == theme) & (profiles["frame"] == k)]) for k in keys]
    munis = sorted(theme_shares["municipality"].astype(str).unique())
    colors = dict(colors or {})
    spare = iter(palette(len(munis)))
    cmap = {m: colors.get(m) or next(spare) for m in munis}
    fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels) + 1, 3.2), squeeze=False, sharey=True)
    for ax, (key, data) in zip(axes[0], panels):
        for muni in munis:
            rows = data[(data["municipality"].astype(str) == muni) & (data["status"] != "too few sentences")]
            rows = rows.sort_values("period")
            if rows.empty:
                continue
            x = rows["period"].to_numpy(dtype=float)
            share = rows["share"].to_numpy(dtype=float) * 100
            low, high = (v * 100 for v in _interval(rows))
            ax.plot(x, share, marker="o", color=cmap[muni], label=muni, linewidth=1.2, markersize=4)
            ax.fill_between(x, low, high, color=cmap[muni], alpha=0.15, linewidth=0)
        if key == "__theme__":
            ax.set_title(f"{theme_label(theme, themes)}\n(全文に占める割合)", fontsize=9)
        else:
            label = frames.label(theme, key) if frames is not None else key
            ax.set_title(label.replace(" / ", "\n") + "\n(テーマ文に占める割合)", fontsize=9)
        ax.set_xlabel("年度")
        ax.xaxis.get_major_locator().set_params(integer=True)
    axes[0][0].set_ylabel("割合 (%)")
    axes[0][-1].legend(fontsize=7, frameon=False, loc="best")
    fig.suptitle(f"{theme_label(theme, themes)}: 年度別の推移 ({INTERVAL_NOTE})", fontsize=10)
    replace_missing_glyphs(fig)
    fig.tight_layout(rect=(0, 0, 1, 0.88))
    return fig


def frame_validity_chart(validity: pd.DataFrame, *, ax=None, frames=None, themes=None):
    """Precision, recall and κ per frame (and per theme, in 【】) on the gold sample, as dots;
    with `frames` / `themes` the rows carry their bilingual labels."""
    import matplotlib.pyplot as plt

    ensure_setup()
    rows = validity.reset_index(drop=True)
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 1.2 + 0.28 * len(rows)))
    y = np.arange(len(rows))
    for col, color, marker, name in (
        ("precision", OKABE_ITO[4], "o", "適合率 P"),
        ("recall", OKABE_ITO[5], "s", "再現率 R"),
        ("kappa", "black", "D", "κ"),
    ):
        ax.scatter(rows[col].to_numpy(dtype=float), y, color=color, marker=marker, label=name, s=22, zorder=3)
    labels = [
        (frames.label(t, f) if frames is not None else c)
        if lv == "frame"
        else f"【{theme_label(t, themes)}】"
        for c, lv, t, f in zip(rows["code"], rows["level"], rows["theme"], rows["frame"])
    ]
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="#CCCCCC", linewidth=0.8)
    ax.set_xlim(-0.2, 1.02)
    n = int(rows["n_turns"].max()) if len(rows) else 0
    ax.set_xlabel(f"値 (金標準 {n} 発言との一致; 【】はテーマ)")
    ax.set_title("枠組み辞書の妥当性: 発言単位の P・R・κ")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.grid(axis="x", color="#EEEEEE")
    return ax


RAW_VS_CORRECTED_TITLE = "辞書の判定と誤り補正後の割合 / Coder's share and share corrected for coding error"


def raw_vs_corrected(df: pd.DataFrame, ax=None, title: str | None = None):
    """Raw and corrected share side by side for one code: one row per group, the coder's share
    (hollow dot, grey Wilson interval) just above the corrected share (filled dot, its interval).

    `df` is one code's rows of `analysis.correction.corrected_shares` (a grouping column named
    first, then raw_share/raw_low/raw_high and corrected_share/corrected_low/corrected_high as
    proportions). Rows keep the order of `df`; a group without a corrected estimate shows its
    raw share only. The figure grows with the rows (1–50 read the same). Returns the Axes.
    """
    ax = axes(ax)
    group_col = df.columns[0]
    groups = df[group_col].astype(str).tolist()
    layout.grow(ax, rows=max(len(groups), 3), row_in=0.34)
    y = np.arange(len(groups), dtype=float)
    for prefix, offset, face, color, label in (
        ("raw", -0.17, "white", "#888888", "辞書のみ / coder only"),
        ("corrected", 0.17, "#1f4e79", "#1f4e79", "補正後 / corrected"),
    ):
        share = df[f"{prefix}_share"].to_numpy(dtype=float) * 100
        low = df[f"{prefix}_low"].to_numpy(dtype=float) * 100
        high = df[f"{prefix}_high"].to_numpy(dtype=float) * 100
        ax.hlines(y + offset, low, high, colors=color, linewidth=1.6)
        ax.scatter(share, y + offset, s=30, facecolors=face, edgecolors=color, zorder=3, label=label)
    if not groups:
        _message(ax, "データがありません / no data")
    ax.set_yticks(y, groups)
    ax.set_ylim(len(groups) - 0.5, -0.5)
    upper = np.nanmax(df[["raw_high", "corrected_high"]].to_numpy(dtype=float), initial=0.01) * 100
    ax.set_xlim(0, min(max(upper * 1.08, 1.0), 100))
    ax.grid(axis="x", color="#EEEEEE", linewidth=0.6)
    ax.set_xlabel("割合 (%)  点: 推定値、線: 95%信頼区間 / share, 95% interval")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(title or RAW_VS_CORRECTED_TITLE, fontsize=10)
    return ax
