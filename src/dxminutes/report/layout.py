"""Figure sizes that grow with the number of groups, and text that never overlaps.

Charts call `grow(ax, rows=…, cols=…)` so that a figure for 30 municipalities gets the height
(or width) it needs, with the width capped at `MAX_WIDTH_IN`. `save_figure` calls
`fit_tick_labels(fig)` last: tick labels that overlap are wrapped at " / ", then turned
upright, then made smaller, then thinned. `drop_overlaps(texts)` hides the lower-priority
labels that still overlap after adjustText (CA biplot, networks). Everything works on the
renderer's own bounding boxes (`Text.get_window_extent`), the same the tests check.
"""

from __future__ import annotations

__all__ = ["MAX_WIDTH_IN", "MIN_FONT", "ROW_IN", "drawn_tick_labels", "drop_overlaps", "fit_tick_labels", "grow", "overlaps", "renderer", "visible"]  # fmt: skip

from collections.abc import Iterable, Sequence

from dxminutes.report.style import replace_missing_glyphs

#: No figure is wider than this (4,800 px at 300 dpi); a keyness grid wraps instead.
MAX_WIDTH_IN = 16.0
#: Height given to each row (municipality) of a dot plot, heatmap or bar chart.
ROW_IN = 0.26
#: Smallest font a label is shrunk to before it is thinned out or hidden.
MIN_FONT = 5.5


def grow(ax, *, rows: int = 0, cols: int = 0, row_in: float = ROW_IN, col_in: float = 0.0) -> None:
    """Enlarge `ax`'s figure so that `rows` rows get `row_in` inches each (and `cols` columns
    `col_in` each), keeping the margins; never shrinks, width capped at MAX_WIDTH_IN."""
    fig = ax.figure
    width, height = fig.get_size_inches()
    box = ax.get_position()
    if rows and box.height > 0:
        need = rows * row_in / box.height
        height = max(height, need)
    if cols and col_in and box.width > 0:
        width = min(max(width, cols * col_in / box.width), MAX_WIDTH_IN)
    fig.set_size_inches(min(width, MAX_WIDTH_IN), height)


def renderer(fig):
    replace_missing_glyphs(fig)  # a glyph the font lacks must not stop the layout
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _box(text, r):
    return text.get_window_extent(r)


def overlaps(a, b, pad: float = 0.5) -> bool:
    """True when two display-space boxes overlap by more than `pad` pixels each way."""
    return a.x0 < b.x1 - pad and b.x0 < a.x1 - pad and a.y0 < b.y1 - pad and b.y0 < a.y1 - pad


def visible(text) -> bool:
    return text.get_visible() and bool(text.get_text().strip())


def _overlapping(texts: Sequence, r) -> bool:
    boxes = [_box(t, r) for t in texts if visible(t)]
    boxes.sort(key=lambda b: b.x0)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b.x0 >= a.x1:
                break
            if overlaps(a, b):
                return True
    return False


def _fit_axis(r, axis: str, labels: list) -> None:
    """Wrap, turn, shrink, then thin `labels` until they stop overlapping. Their anchors stay
    where the last draw put them, so extents are recomputed without drawing again."""
    if len(labels) < 2 or not _overlapping(labels, r):
        return
    if any(" / " in t.get_text() for t in labels):
        for t in labels:
            t.set_text(t.get_text().replace(" / ", "\n"))
        if not _overlapping(labels, r):
            return
    if axis == "x":
        for t in labels:
            t.set_rotation(90)
            t.set_horizontalalignment("center")
        if not _overlapping(labels, r):
            return
    size = labels[0].get_fontsize()
    while size > MIN_FONT:
        size = max(MIN_FONT, size - 1)
        for t in labels:
            t.set_fontsize(size)
        if not _overlapping(labels, r):
            return
    for step in range(2, len(labels) + 1):  # thin out: every `step`-th label
        for i, t in enumerate(labels):
            t.set_visible(i % step == 0)
        if not _overlapping(labels, r):
            return


def drawn_tick_labels(axis) -> list:
    """The tick labels matplotlib draws for `axis`: inside the view limits and switched on."""
    if not axis.get_visible() or not axis.axes.get_visible():
        return []
    labels = []
    for tick in axis._update_ticks():  # the ticks draw() uses (private, stable since 3.1)
        labels += [t for t in (tick.label1, tick.label2) if visible(t)]
    return labels


def fit_tick_labels(fig) -> None:
    """Make the tick labels of every axes of `fig` stop overlapping (see the module docstring)."""
    r = renderer(fig)
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            _fit_axis(r, name, drawn_tick_labels(axis))


def drop_overlaps(texts: Iterable, fig, keep: Iterable = ()) -> list:
    """Hide texts that overlap a text placed before them (in order of `texts`), except those in
    `keep`, which are always kept and placed first. Returns the hidden texts."""
    keep = list(keep)
    r = renderer(fig)
    placed = [_box(t, r) for t in keep if visible(t)]
    hidden = []
    for t in texts:
        if t in keep or not visible(t):
            continue
        box = _box(t, r)
        if any(overlaps(box, other) for other in placed):
            t.set_visible(False)
            hidden.append(t)
        else:
            placed.append(box)
    return hidden
