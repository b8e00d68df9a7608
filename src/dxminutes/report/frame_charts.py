"""Figures of frame profiles: small multiples with intervals, clustering, role split, trends.

Each function takes the tidy tables of `analysis.frame_stats`, returns the matplotlib Figure
and never saves (`report.export.save_figure` does). Rows (municipalities or role groups) are
drawn one per line, so a figure stays readable from 1 to 50 groups; the figure grows with them.
"""

from __future__ import annotations

__all__ = ["INTERVAL_NOTE", "ROLE_GROUP_LABELS", "TOO_FEW_LABEL", "frame_dendrogram", "frame_profile_chart", "frame_trend_chart", "validity_chart"]  # fmt: skip

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dxminutes.report.style import OKABE_ITO, ensure_setup, palette, replace_missing_glyphs, theme_label

TOO_FEW_LABEL = "文が少ない"
#: Bilingual labels of the role groups of `analysis.groups.role_group`.
ROLE_GROUP_LABELS = {
    "members": "議員・委員 / members",
    "officials": "行政 / officials",
    "experts": "有識者・講師 / experts",
    "chairs": "会長・委員長 / chairs",
    "unknown": "不明 / unknown",
}
#: Which interval a chart draws: the wider of Wilson and the speaker cluster bootstrap.
INTERVAL_NOTE = "95%区間: Wilson と話者クラスター・ブートストラップの広い方"


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


def validity_chart(validity: pd.DataFrame, *, ax=None, frames=None, themes=None):
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
