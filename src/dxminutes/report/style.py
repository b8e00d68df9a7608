"""Figure style: the Japanese font, deterministic rcParams, colours and bilingual theme labels.

Call `setup()` once (plot functions call it themselves if nobody has): it registers the IPAex
Gothic font shipped with japanize-matplotlib, fixes the rcParams that make SVG output
deterministic and, when strict, turns matplotlib's "Glyph … missing from font" warnings into
errors so a figure never silently shows empty boxes instead of Japanese text.
"""

from __future__ import annotations

__all__ = ["GLYPH_WARNING", "MAX_DISTINCT", "MISSING_GLYPH", "OKABE_ITO", "PALETTE", "THEME_COLORS", "TOL_MUTED", "axes", "ensure_setup", "municipality_colors", "palette", "replace_missing_glyphs", "setup", "theme_colors", "theme_label"]  # fmt: skip

import os
import warnings
from collections.abc import Iterable, Mapping

import matplotlib

#: Message pattern of matplotlib's missing-glyph warning (matplotlib/_text_helpers.py).
GLYPH_WARNING = r"Glyph \d+ .*missing from"

#: Okabe & Ito (2008), black left out (it is the colour of text and error bars).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
#: Paul Tol's "muted" scheme, for themes beyond the four built-in ones.
TOL_MUTED = (
    "#CC6677",
    "#332288",
    "#DDCC77",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)
#: Twelve group colours (Okabe–Ito and Tol, reordered so that the first five are far apart:
#: no two of the twelve are closer than ΔE*ab 26, none of the first five closer than 40). Beyond
#: `MAX_DISTINCT` groups charts label groups directly instead of relying on colour.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#5D3A1A",
    "#56B4E9",
    "#D55E00",
    "#999933",
    "#332288",
    "#F0E442",
    "#882255",
    "#888888",
)
MAX_DISTINCT = len(PALETTE)

#: Fixed colours of the four built-in themes (their labels come from the theme file).
THEME_COLORS = {"dx": "#0072B2", "security": "#D55E00", "staffing": "#009E73", "digital_divide": "#CC79A7"}

_setup_done = False


def setup(strict_glyphs: bool = True) -> None:
    """Register the Japanese font and set deterministic, readable rcParams (idempotent)."""
    global _setup_done
    with warnings.catch_warnings():  # it uses distutils' LooseVersion, deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        import japanize_matplotlib
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and "MPLBACKEND" not in os.environ:
        matplotlib.use("Agg")
    font_path = japanize_matplotlib.get_font_ttf_path()
    font_manager.fontManager.addfont(font_path)
    font = FT2Font(font_path)
    has_minus = 0x2212 in font.get_charmap()
    matplotlib.rcParams.update(
        {
            "font.family": [font.family_name],
            "font.size": 10,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "axes.unicode_minus": has_minus,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.dpi": 100,
            "savefig.dpi": 300,
            "savefig.bbox": "tight",
            "svg.fonttype": "path",  # glyph outlines: the reader needs no Japanese font
            "svg.hashsalt": "dxminutes",
            "pdf.fonttype": 42,
        }
    )
    action = "error" if strict_glyphs else "default"
    warnings.filterwarnings(action, message=GLYPH_WARNING, category=UserWarning)
    _setup_done = True


def ensure_setup() -> None:
    """Call `setup()` unless it has run."""
    if not _setup_done:
        setup()


def axes(ax):
    """`ax`, or the Axes of a new 7×4.5 in figure; the style set up either way."""
    ensure_setup()
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4.5))
    return ax


# --- colours and labels -----------------------------------------------------------------------


def palette(n: int) -> list[str]:
    """`n` colours from `PALETTE`: distinct up to 12, repeating beyond (charts then label directly)."""
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def municipality_colors(municipalities: Iterable[str]) -> dict[str, str]:
    """Map each municipality to a colour by its rank in sorted order (same run, same colour)."""
    names = sorted({str(m) for m in municipalities})
    return dict(zip(names, palette(len(names)), strict=True))


def theme_colors(keys: Iterable[str]) -> dict[str, str]:
    """Fixed colours for the built-in theme keys; other keys get unused palette colours."""
    keys = sorted(set(keys))
    spare = iter([c for c in TOL_MUTED + OKABE_ITO if c not in THEME_COLORS.values()])
    return {k: THEME_COLORS[k] if k in THEME_COLORS else next(spare) for k in keys}


def theme_label(key: str, themes=None) -> str:
    """Bilingual label "情報セキュリティ / Information security" of a theme key.

    `themes` may be a ThemeSet-like object (iterable of, or `.themes` holding, objects with
    `key`, `label_ja`, `label_en`), or a mapping key → such an object or (label_ja, label_en),
    possibly held in `.themes`; None reads the project's theme file. Unknown keys fall back
    to the key itself.
    """
    if themes is None:
        from dxminutes.analysis.themes import load_themes

        themes = load_themes()
    labels: dict[str, tuple[str, str]] = {}
    items = getattr(themes, "themes", themes)
    if isinstance(items, Mapping):
        for k, v in items.items():
            labels[k] = (v.label_ja, v.label_en) if hasattr(v, "label_ja") else tuple(v)
    elif items is not None:
        for theme in items:
            labels[theme.key] = (theme.label_ja, theme.label_en)
    if key not in labels:
        return str(key)
    ja, en = labels[key]
    return f"{ja} / {en}" if en else str(ja)


#: Drawn in place of a character the Japanese font has no glyph for (the geta mark 〓 is what
#: Japanese typesetting uses for a missing character).
MISSING_GLYPH = "〓"
_CHARMAP: set[int] = set()


def _font_chars() -> set[int]:
    if not _CHARMAP:
        import japanize_matplotlib
        from matplotlib.ft2font import FT2Font

        _CHARMAP.update(FT2Font(japanize_matplotlib.get_font_ttf_path()).get_charmap())
    return _CHARMAP


def replace_missing_glyphs(fig) -> list[str]:
    """Replace, in every text of `fig`, the characters the font cannot draw by `MISSING_GLYPH`.

    Minutes quote words in scripts the Japanese font lacks (a simplified Chinese 这 in one seed);
    such a label must neither stop a report (strict glyph warnings are errors) nor show an empty
    box silently: it shows 〓 and the characters are returned, so the caller can say so.
    """
    from matplotlib.text import Text

    chars = _font_chars()
    missing: set[str] = set()

    def fix(s: str) -> str:
        if s.isascii():
            return s
        out = []
        for ch in s:
            if ord(ch) > 0x7F and not ch.isspace() and ord(ch) not in chars:
                missing.add(ch)
                out.append(MISSING_GLYPH)
            else:
                out.append(ch)
        return "".join(out)

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t.get_text() for t in axis.get_majorticklabels()]
            fixed = [fix(s) for s in labels]
            if fixed != labels:  # only then: figures without such characters stay byte-identical
                axis.set_ticks(axis.get_majorticklocs(), labels=fixed)
    for text in fig.findobj(Text):
        s = text.get_text()
        if s and not s.isascii():
            fixed = fix(s)
            if fixed != s:
                text.set_text(fixed)
    # remembered on the figure: a layout step may replace them before `save_figure` reports them
    missing |= getattr(fig, "_dxminutes_missing_glyphs", set())
    fig._dxminutes_missing_glyphs = missing
    return sorted(missing)
