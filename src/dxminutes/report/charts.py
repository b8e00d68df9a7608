"""Report-ready figures with Japanese labels and colour-blind-safe colours.

Plot functions take tidy DataFrames and an optional `ax`, return the Axes and never save;
`dxminutes.report.export.save_figure` writes them (see `dxminutes.report.style` for the look).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dxminutes.report.style import OKABE_ITO, axes, municipality_colors, palette, theme_label


def _annotated_heatmap(
    ax, matrix: pd.DataFrame, *, cmap: str, vmin: float, vmax: float, fmt: str, cbar_label: str
):
    """Draw `matrix` as coloured cells with each value written in its cell."""
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(matrix.shape[1]), [str(c) for c in matrix.columns], rotation=30, ha="right")
    ax.set_yticks(range(matrix.shape[0]), [str(r) for r in matrix.index])
    ax.spines[:].set_visible(False)
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            dark = abs(image.norm(v) - 0.5) > 0.3 if vmin < 0 else image.norm(v) < 0.5
            ax.text(
                j, i, fmt.format(v), ha="center", va="center", color="white" if dark else "black", fontsize=8
            )
    ax.figure.colorbar(image, ax=ax, label=cbar_label, shrink=0.8)
    return ax


def theme_shares(df: pd.DataFrame, ax=None, colors: Mapping[str, str] | None = None, themes=None):
    """Grouped horizontal bars: per theme, each municipality's share of turns with 95% CI.

    `share`, `ci_low`, `ci_high` are proportions in [0, 1]; they are drawn as percentages.
    """
    ax = axes(ax)
    munis = sorted(df["municipality"].astype(str).unique())
    theme_keys = list(dict.fromkeys(df["theme"].astype(str)))
    colors = dict(colors) if colors is not None else municipality_colors(munis)
    height = 0.8 / max(len(munis), 1)
    for j, muni in enumerate(munis):
        rows = df[df["municipality"].astype(str) == muni].set_index("theme").reindex(theme_keys)
        y = np.arange(len(theme_keys)) - 0.4 + height * (j + 0.5)
        share = rows["share"].to_numpy(dtype=float) * 100
        err = np.vstack(
            [
                share - rows["ci_low"].to_numpy(dtype=float) * 100,
                rows["ci_high"].to_numpy(dtype=float) * 100 - share,
            ]
        )
        ax.barh(
            y,
            share,
            height=height,
            xerr=err,
            color=colors[muni],
            label=muni,
            error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "black"},
        )
    ax.set_yticks(range(len(theme_keys)), [theme_label(k, themes) for k in theme_keys])
    ax.invert_yaxis()
    ax.set_xlabel("テーマに言及した発言の割合 (%)")
    ax.set_title("自治体別・テーマ別の発言割合 (95%信頼区間)")
    ax.legend(title="自治体", fontsize=8, frameon=False, loc="best")
    return ax


def residual_heatmap(df: pd.DataFrame, ax=None, value: str = "adjusted_residual", themes=None):
    """Municipality × theme heatmap of (adjusted) residuals, diverging colours centred at 0."""
    ax = axes(ax)
    matrix = df.pivot(index="municipality", columns="theme", values=value)
    matrix = matrix.reindex(columns=list(dict.fromkeys(df["theme"])))  # keep the themes' order
    matrix = matrix.rename(columns=lambda k: theme_label(k, themes))
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
    """The `n` terms with the largest positive G² for one municipality (or group)."""
    ax = axes(ax)
    group_col = "municipality" if "municipality" in df.columns else "group"
    rows = df[(df[group_col].astype(str) == str(municipality)) & (df["g2"] > 0)]
    rows = rows.sort_values(["g2", "term"], ascending=[False, True], kind="mergesort").head(n)
    color = color or municipality_colors(df[group_col].astype(str))[str(municipality)]
    ax.barh(range(len(rows)), rows["g2"].to_numpy(dtype=float), color=color)
    ax.set_yticks(range(len(rows)), rows["term"].astype(str).tolist())
    ax.invert_yaxis()
    ax.set_xlabel("対数尤度比 G² (他の自治体との比較)")
    ax.set_title(f"{municipality} の特徴語 (G² 上位 {len(rows)} 語)")
    return ax


def similarity_dendrogram(linkage, labels: Sequence[str], ax=None):
    """Dendrogram of a hierarchical clustering of municipalities (scipy linkage matrix)."""
    from scipy.cluster.hierarchy import dendrogram

    ax = axes(ax)
    dendrogram(
        linkage,
        labels=list(labels),
        ax=ax,
        orientation="right",
        color_threshold=0,
        above_threshold_color="#444444",
    )
    ax.set_xlabel("結合距離 (1 − コサイン類似度)")
    ax.set_title("語彙の類似度による自治体の階層クラスタリング")
    return ax


def similarity_heatmap(df_pairs: pd.DataFrame, ax=None):
    """Symmetric heatmap of pairwise cosine similarity (group_a, group_b, cosine)."""
    ax = axes(ax)
    pairs = pd.concat(
        [
            df_pairs[["group_a", "group_b", "cosine"]],
            df_pairs.rename(columns={"group_a": "group_b", "group_b": "group_a"})[
                ["group_a", "group_b", "cosine"]
            ],
        ]
    )
    groups = sorted(set(pairs["group_a"].astype(str)) | set(pairs["group_b"].astype(str)))
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
    ax.set_title("自治体間の語彙のコサイン類似度")
    return ax


def network_plot(nodes: pd.DataFrame, edges: pd.DataFrame, layout: pd.DataFrame, ax=None):
    """Co-occurrence network: node size ∝ n_turns, colour by community, edge width ∝ Jaccard."""
    from matplotlib.collections import LineCollection

    ax = axes(ax)
    pos = layout.set_index("term")[["x", "y"]]
    if len(edges):
        segments = [
            [pos.loc[s].to_numpy(), pos.loc[t].to_numpy()]
            for s, t in zip(edges["source"], edges["target"], strict=True)
        ]
        jaccard = edges["jaccard"].to_numpy(dtype=float)
        widths = 0.5 + 4.0 * jaccard / max(jaccard.max(), 1e-12)
        ax.add_collection(LineCollection(segments, linewidths=widths, colors="#999999", alpha=0.6, zorder=1))
    communities = sorted(nodes["community"].unique())
    colors = dict(zip(communities, palette(len(communities)), strict=True))
    xy = pos.loc[nodes["term"]].to_numpy()
    sizes = 60 + 600 * nodes["n_turns"].to_numpy(dtype=float) / max(nodes["n_turns"].max(), 1)
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=sizes,
        c=[colors[c] for c in nodes["community"]],
        edgecolors="white",
        linewidths=0.5,
        zorder=2,
    )
    for term, (x, y) in zip(nodes["term"], xy, strict=True):
        ax.text(x, y, str(term), ha="center", va="center", fontsize=8, zorder=3)
    ax.margins(0.12)
    ax.set_axis_off()
    ax.set_title("語の共起ネットワーク (線の太さ: Jaccard 係数、円の大きさ: 出現発言数、色: コミュニティ)")
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
    n_labels: int = 40,
):
    """Correspondence-analysis biplot: rows (municipalities) as coloured points, columns
    (terms) as grey points, labelling the `n_labels` columns farthest from the origin.

    `explained` holds the share of inertia per dimension (fractions, or percentages).
    """
    ax = axes(ax)
    colors = dict(colors) if colors is not None else municipality_colors(row_coords["label"])
    dist = np.hypot(col_coords["dim1"].to_numpy(dtype=float), col_coords["dim2"].to_numpy(dtype=float))
    order = np.argsort(-dist, kind="mergesort")[:n_labels]
    ax.scatter(col_coords["dim1"], col_coords["dim2"], s=8, color="#AAAAAA", zorder=1)
    for i in order:
        ax.text(
            col_coords["dim1"].iloc[i],
            col_coords["dim2"].iloc[i],
            str(col_coords["label"].iloc[i]),
            fontsize=7,
            color="#555555",
            zorder=2,
        )
    for label, x, y in zip(row_coords["label"], row_coords["dim1"], row_coords["dim2"], strict=True):
        ax.scatter([x], [y], s=60, marker="s", color=colors[str(label)], zorder=3)
        ax.text(x, y, f" {label}", fontsize=10.5, va="bottom", zorder=4)
    ax.axhline(0, color="#CCCCCC", linewidth=0.8, zorder=0)
    ax.axvline(0, color="#CCCCCC", linewidth=0.8, zorder=0)
    pct = _percent_explained(explained)
    ax.set_xlabel(f"第1次元 (慣性の {pct[0]:.1f}%)")
    ax.set_ylabel(f"第2次元 (慣性の {pct[1]:.1f}%)")
    ax.set_title("対応分析: 自治体と語の布置")
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
    """Horizontal stacked bars of `value` per `by`, split by `stack` (e.g. turns by role)."""
    ax = axes(ax)
    table = df.pivot_table(index=by, columns=stack, values=value, aggfunc="sum", fill_value=0)
    table = table.sort_index().reindex(columns=sorted(table.columns))
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
    ax.invert_yaxis()
    ax.set_xlabel(f"{value} (件)")
    ax.set_title(title or f"{by} 別の {value} ({stack} の内訳)")
    ax.legend(title=stack, fontsize=8, frameon=False, loc="best")
    return ax
