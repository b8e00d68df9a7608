"""Project paths and run-wide settings.

Every path is computed from this file's location, so the package works from any working
directory and never writes outside the project unless a caller passes other paths. This module
does no I/O at import: it only reads environment variables, which let `make report DATA=…`
point a run at another corpus.
"""

from __future__ import annotations

__all__ = ["BENCHMARKS_DIR", "CACHE_DIR", "CATALOG_NAME", "DATA_DIR", "DUPLICATE_MIN_JACCARD", "DUPLICATE_SHINGLE_CHARS", "FIGURES_DIR", "LAYOUT_DIGITS", "MIN_COUNT", "MIN_TURNS", "NOTEBOOKS_DIR", "N_BOOT", "N_JOBS", "PACKAGE_DIR", "PROCESSED_DIR", "PROJECT_DIR", "RANDOM_SEED", "RAW_DIR", "REPORTS_DIR", "RESOURCES_DIR", "STOPWORDS_PATH", "TABLES_DIR", "TABLE_FLOAT_FORMAT", "THEMES_PATH", "TOP_N_EDGES", "USERDICT_PATH", "layout_round", "relpath"]  # fmt: skip

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parents[1]
RESOURCES_DIR = PACKAGE_DIR / "resources"

DATA_DIR = PROJECT_DIR / "data"
RAW_DIR = Path(os.environ.get("DXMINUTES_RAW_DIR") or DATA_DIR / "raw")
PROCESSED_DIR = Path(os.environ.get("DXMINUTES_PROCESSED_DIR") or DATA_DIR / "processed")
CACHE_DIR = PROCESSED_DIR / "cache"

REPORTS_DIR = Path(os.environ.get("DXMINUTES_REPORTS_DIR") or PROJECT_DIR / "reports")
FIGURES_DIR = REPORTS_DIR / "figures"
TABLES_DIR = REPORTS_DIR / "tables"
HTML_DIR = REPORTS_DIR / "html"

NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
BENCHMARKS_DIR = PROJECT_DIR / "benchmarks"

CATALOG_NAME = "catalog.csv"
USERDICT_PATH = RESOURCES_DIR / "userdict.csv"
STOPWORDS_PATH = RESOURCES_DIR / "stopwords.txt"
#: The codebook: themes and their frames (`analysis.codebook`); $DXMINUTES_THEMES / THEMES=… override it.
THEMES_PATH = Path(os.environ.get("DXMINUTES_THEMES") or RESOURCES_DIR / "codebook.toml")
CODEBOOK_PATH = THEMES_PATH

#: The one random seed of the project. Functions take `random_state` explicitly; notebooks and
#: the CLI pass this value.
RANDOM_SEED = 20240717

#: Analysis defaults. A notebook's `parameters` cell (and `make report N_BOOT=… MIN_COUNT=…`)
#: overrides them; a parameter left at None takes the value here.
N_BOOT = 1000  # bootstrap replicates for 95% intervals
MIN_COUNT = 3  # minimum total occurrences of a term (keyness candidates, collocations)
MIN_TURNS = 2  # minimum number of turns a term must occur in (dispersion guard)
TOP_N_EDGES = 60  # edges kept in a co-occurrence network
N_JOBS = 2  # worker processes for tokenization

#: Floats in every written table and figure CSV (`report.export.write_table`, `save_figure`):
#: 6 significant digits, printf style. Another CPU or BLAS kernel changes the 15th–16th digit of
#: a result; at 6 digits that changes a byte only when a value lies within ~1e-10 (relative) of a
#: rounding boundary.
TABLE_FLOAT_FORMAT = "%.6g"
#: Significant digits kept, relative to the largest magnitude among them, of the numbers that
#: decide a figure's layout or an order (label positions, which labels are hidden, network
#: layouts, CA axis signs, rankings of topics, terms and clusters): `layout_round`. Ties left by
#: the rounding are broken by name, so a last-digit change cannot move or hide a label.
LAYOUT_DIGITS = 10


def layout_round(values, digits: int = LAYOUT_DIGITS, *, each: bool = False):
    """`values` (array-like of floats) rounded to one grid: `digits` significant digits of the
    largest finite magnitude among them, so that noise near 0 becomes exactly 0 and a change in
    the last digits of a BLAS result (another CPU, another OpenBLAS kernel) gives the same array.
    With `each`, every value keeps its own `digits` significant digits instead (tiny values stay
    apart and nonzero: for rankings whose order among tiny values is part of the result).
    NaN and ±inf stay; -0.0 becomes 0.0. Returns a new float ndarray of the same shape."""
    import numpy as np

    a = np.array(values, dtype=float, copy=True)
    finite = np.isfinite(a)
    if not finite.any():
        return a
    if each:
        return np.vectorize(
            lambda v: float(f"{v:.{digits - 1}e}") + 0.0 if np.isfinite(v) else v, otypes=[float]
        )(a)
    largest = float(np.abs(a[finite]).max())
    if largest == 0.0:
        return np.where(finite, 0.0, a)
    exponent = int(f"{largest:.{digits - 1}e}".split("e")[1])  # decimal exponent, exactly
    decimals = digits - 1 - exponent
    if abs(decimals) > 290:  # 10**decimals would overflow: round each value on its own
        return layout_round(a, digits, each=True)
    return np.where(finite, np.round(a, decimals) + 0.0, a)


def relpath(path: os.PathLike | str, start: os.PathLike | str = PROJECT_DIR) -> str:
    """Return `path` relative to `start` when it lies below it, else its bare file name.

    Outputs (tables, notebooks, JSON) use this so they never carry an absolute path of the
    machine they were made on.
    """
    p = Path(path)
    try:
        resolved = p.resolve()
    except (OSError, RuntimeError):  # a symlink loop: resolve the folders, keep the name
        resolved = Path(os.path.abspath(p))
    try:
        return resolved.relative_to(Path(start).resolve()).as_posix()
    except ValueError:
        return p.name


#: Duplicate documents (`corpus.duplicates`): two documents whose normalized texts are the same
#: are identical; two whose sets of `DUPLICATE_SHINGLE_CHARS`-character shingles have a Jaccard
#: similarity of at least `DUPLICATE_MIN_JACCARD` are near copies. Either way one is kept.
DUPLICATE_SHINGLE_CHARS = 5
DUPLICATE_MIN_JACCARD = 0.9
