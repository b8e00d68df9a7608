"""Report files: tables as CSV (UTF-8 with BOM for Excel) and figures as PNG, SVG and CSV.

Text cells that Excel would run as a formula (beginning with `= + - @`, a tab or a CR) are
written with a leading `'` (`excel_safe`).

`save_figure()` writes PNG, SVG and the plotted numbers as CSV; `write_table()` writes a table;
`save_pages()` draws, saves and closes the pages of a paged chart (`charts.*_pages`) one at a
time. Files carry no timestamp, so the same figure and data give byte-identical files.
"""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "excel_safe", "figure_caption", "page_name", "save_figure", "save_pages", "write_table"]  # fmt: skip

import os
import re
import warnings
from pathlib import Path

import pandas as pd

from dxminutes import config
from dxminutes._io import atomic_write
from dxminutes.report import layout
from dxminutes.report.style import MISSING_GLYPH, ensure_setup, replace_missing_glyphs

_FIGURE_NAME = re.compile(r"^\d{2}-[a-z0-9]+(?:-[a-z0-9]+)*$")
_TABLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


#: A text cell beginning with one of these is a formula to Excel (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _neutral_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and (len(value) > 1 or value in "\t\r"):
        return "'" + value
    return value


def excel_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells and column names beginning with `= + - @`, a tab or a CR
    carry a leading `'`, so Excel shows them as text and never runs them as a formula (the OWASP
    rule; a lone `-` or `+` is left as it is). Numbers are not touched."""
    out = df.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column])):
            if out[column].map(lambda v: _neutral_cell(v) is not v).any():
                out[column] = out[column].map(_neutral_cell)
    out.columns = [_neutral_cell(c) for c in out.columns]
    return out


def _write_csv(df: pd.DataFrame, path: Path) -> Path:
    df = excel_safe(df)
    return atomic_write(
        path,
        lambda p: df.to_csv(
            p, index=False, encoding="utf-8-sig", float_format=config.TABLE_FLOAT_FORMAT, lineterminator="\n"
        ),
    )


def write_table(df: pd.DataFrame, name: str, *, tables_dir: os.PathLike | str | None = None) -> Path:
    """Write `df` to `{tables_dir}/{name}.csv` (UTF-8 with BOM for Excel, floats at
    `config.TABLE_FLOAT_FORMAT`, 6 significant digits)."""
    if not _TABLE_NAME.match(name):
        raise ValueError(f"table name must be a bare file stem like '03-theme-shares', got {name!r}")
    folder = Path(tables_dir) if tables_dir is not None else config.TABLES_DIR
    return _write_csv(df, folder / f"{name}.csv")


def figure_caption(fig) -> str:
    """The figure's caption: its suptitle, else the titles of its axes joined (for the landing page)."""
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        return suptitle.get_text().strip()
    titles = [ax.get_title().strip() for ax in fig.axes if ax.get_title().strip()]
    return " ・ ".join(dict.fromkeys(titles))


def save_figure(
    fig, name: str, data: pd.DataFrame, *, figures_dir: os.PathLike | str | None = None
) -> dict[str, Path]:
    """Write `{name}.png` (300 dpi), `{name}.svg` and `{name}.csv` (the plotted numbers).

    Files carry no timestamp, so the same figure and data give byte-identical files. The PNG's
    and SVG's Title hold the caption (`figure_caption`), which the landing page shows.
    """
    ensure_setup()
    missing = replace_missing_glyphs(fig)  # before any draw: a glyph the font lacks shows as 〓
    # (layout steps may have replaced some already; the figure remembers them)
    if missing:
        warnings.warn(
            f"{name}: {len(missing)} character(s) the font cannot draw shown as {MISSING_GLYPH}: "
            + "".join(missing),
            stacklevel=2,
        )
    layout.fit_tick_labels(fig)  # last, after the notebook's own layout calls
    caption = figure_caption(fig)
    folder = Path(figures_dir) if figures_dir is not None else config.FIGURES_DIR
    if not _FIGURE_NAME.match(name):
        raise ValueError(f"figure name must look like '03-theme-shares' (NN-kebab), got {name!r}")
    stem = folder / name
    return {
        "png": atomic_write(
            stem.with_suffix(".png"),
            lambda p: fig.savefig(p, format="png", dpi=300, metadata={"Title": caption}),
        ),
        "svg": atomic_write(
            stem.with_suffix(".svg"),
            lambda p: fig.savefig(p, format="svg", metadata={"Date": None, "Title": caption}),
        ),
        "csv": _write_csv(pd.DataFrame(data), stem.with_suffix(".csv")),
    }


def page_name(name: str, number: int, of: int) -> str:
    """File stem of page `number` of `of`: `name` itself when there is one page, else
    `{name}-p01`, `{name}-p02`, … (zero-padded to two digits, or more beyond 99 pages)."""
    if of <= 1:
        return name
    return f"{name}-p{number:0{max(2, len(str(of)))}d}"


def save_pages(
    pages,
    name: str,
    data: pd.DataFrame,
    *,
    group_col: str | None = None,
    figures_dir: os.PathLike | str | None = None,
) -> list[dict[str, Path]]:
    """Draw each `charts.Page` of `pages`, save it with `save_figure` as `page_name(name, …)` and
    close its figure before drawing the next, so memory stays that of one page however many
    groups there are. One page: exactly `save_figure(fig, name, data)`. Several pages: each
    page's CSV holds the rows of `data` whose `group_col` (default: "municipality", else
    "group") is one of the page's groups. Returns the paths written, page by page.
    """
    import matplotlib.pyplot as plt

    pages = list(pages)
    if group_col is None:
        group_col = "municipality" if "municipality" in data.columns else "group"
    labels = data[group_col].astype(str) if len(pages) > 1 else None
    written = []
    for page in pages:
        fig = page.draw().figure
        rows = data if labels is None else data[labels.isin(page.groups).to_numpy()]
        try:
            written.append(
                save_figure(fig, page_name(name, page.number, page.of), rows, figures_dir=figures_dir)
            )
        finally:
            plt.close(fig)
    return written
