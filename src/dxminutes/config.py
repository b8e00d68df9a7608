"""Project paths and run-wide settings.

Every path is computed from this file's location, so the package works from any working
directory and never writes outside the project unless a caller passes other paths. This module
does no I/O at import: it only reads environment variables, which let `make report DATA=…`
point a run at another corpus.
"""

from __future__ import annotations

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
THEMES_PATH = Path(os.environ.get("DXMINUTES_THEMES") or RESOURCES_DIR / "themes.toml")

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
