"""One call that gives a notebook everything it analyses.

`prepare()` reads the processed corpus (building it from the raw folder when it is missing or
stale), tokenizes the turns through the content-keyed cache, loads the theme dictionary and codes
the turns. Every notebook starts from it, so they all see the same corpus, tokens and coding.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dxminutes import config
from dxminutes import corpus as corpus_mod
from dxminutes import tokens as tokens_mod
from dxminutes.catalog import sha256_file
from dxminutes.themes import ThemeSet, code_turns, load_themes


@dataclass(frozen=True)
class Analysis:
    """The inputs of every analysis: corpus tables, token table, themes and the turn coding."""

    corpus: corpus_mod.Corpus
    tokens: pd.DataFrame
    themes: ThemeSet
    coded: pd.DataFrame

    @property
    def documents(self) -> pd.DataFrame:
        return self.corpus.documents

    @property
    def turns(self) -> pd.DataFrame:
        return self.corpus.turns


def _built_from(built: corpus_mod.Corpus, raw_dir: Path) -> bool:
    """True when `built` was made from exactly the minutes files now in `raw_dir`.

    Compares the files and their checksums with what `build` recorded; `make report` always
    rebuilds, so this only matters when a notebook is run on its own.
    """
    files = corpus_mod.minutes_files(raw_dir)
    if set(files) != set(built.documents["file"]) | set(built.failures["file"]):
        return False
    recorded = dict(zip(built.documents["file"], built.documents["sha256"]))
    return all(sha256_file(raw_dir / f) == sha for f, sha in recorded.items())


def prepare(raw_dir=None, processed_dir=None, themes_path=None, *, n_jobs: int = 1,
            progress: bool = False) -> Analysis:
    """Load (or build) the corpus, tokenize it through the cache, and code the turns by theme."""
    raw = Path(raw_dir or config.RAW_DIR)
    processed = Path(processed_dir or config.PROCESSED_DIR)
    try:
        corpus = corpus_mod.read_processed(processed)
    except FileNotFoundError:
        corpus = None
    if corpus is None or not _built_from(corpus, raw):
        corpus = corpus_mod.build(raw, processed)
    tokens = tokens_mod.build_token_table(corpus, processed_dir=processed, n_jobs=n_jobs,
                                          progress=progress)
    themes = load_themes(themes_path)
    return Analysis(corpus=corpus, tokens=tokens, themes=themes, coded=code_turns(corpus.turns, themes))
