"""One call that gives a notebook everything it analyses: `ws = workspace.start(...)`.

`start()` sets up the figure style and returns a `Workspace`: the corpus, the token table, the
theme dictionary and the coding, the run's settings (defaults from `config`, overridden by the
notebook's parameters) and the analyses that several notebooks share, each computed by one
method here so that two notebooks never hold two copies of the same recipe.

`prepare()` reads the processed corpus (building it from the raw folder when it is missing or
stale), tokenizes the turns through the content-keyed cache, loads the theme dictionary and codes
the turns. Every notebook starts from it, so they all see the same corpus, tokens and coding.
"""

from __future__ import annotations

__all__ = ["Analysis", "Settings", "Workspace", "prepare", "start"]

import functools
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dxminutes import config
from dxminutes.analysis import guards, kwic, theme_stats
from dxminutes.analysis import keyness as keyness_mod
from dxminutes.analysis.themes import ThemeSet, code_turns, load_themes
from dxminutes.corpus import build as corpus_mod
from dxminutes.corpus import segment
from dxminutes.report import style
from dxminutes.text import token_table as tokens_mod


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


def prepare(
    raw_dir=None, processed_dir=None, themes_path=None, *, n_jobs: int = 1, progress: bool = False
) -> Analysis:
    """Load (or build) the corpus, tokenize it through the cache, and code the turns by theme."""
    raw = Path(raw_dir or config.RAW_DIR)
    processed = Path(processed_dir or config.PROCESSED_DIR)
    # A snapshot counts only when its manifest matches every table and records exactly the
    # inputs now in `raw` (files, their checksums, unloadable entries, catalog, code version);
    # a mix of tables from two builds, or tables without a manifest, are rebuilt.
    corpus = None
    if corpus_mod.is_current(processed, raw):
        try:
            corpus = corpus_mod.read_processed(processed)
        except FileNotFoundError:  # includes SnapshotError: tables changed since the manifest
            corpus = None
    if corpus is None:
        corpus = corpus_mod.build(raw, processed)
    tokens = tokens_mod.build_token_table(corpus, processed_dir=processed, n_jobs=n_jobs, progress=progress)
    themes = load_themes(themes_path)
    return Analysis(corpus=corpus, tokens=tokens, themes=themes, coded=code_turns(corpus.turns, themes))


@dataclass(frozen=True)
class Settings:
    """The run's analysis settings: a notebook's parameters, with None taken from `config`."""

    random_state: int = config.RANDOM_SEED
    n_boot: int = config.N_BOOT
    min_count: int = config.MIN_COUNT
    min_turns: int = config.MIN_TURNS
    top_n_edges: int = config.TOP_N_EDGES
    n_jobs: int = config.N_JOBS

    @classmethod
    def resolve(cls, **values) -> Settings:
        """Settings from keyword values; None (or absent) means the `config` default."""
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise TypeError(f"unknown setting(s) {sorted(unknown)}")
        return cls(**{k: v for k, v in values.items() if v is not None})


@dataclass(frozen=True, eq=False)
class Workspace:
    """What every notebook analyses, the run's settings, and the analyses notebooks share."""

    analysis: Analysis
    settings: Settings
    colors: dict[str, str] = field(default_factory=dict)

    corpus = property(lambda self: self.analysis.corpus)
    tokens = property(lambda self: self.analysis.tokens)
    themes = property(lambda self: self.analysis.themes)
    coded = property(lambda self: self.analysis.coded)
    documents = property(lambda self: self.analysis.documents)
    turns = property(lambda self: self.analysis.turns)

    @property
    def random_state(self) -> int:
        return self.settings.random_state

    @functools.cached_property
    def unsegmented_doc_ids(self) -> frozenset[str]:
        """Documents loaded as one unsegmented block (no speaker convention recognized)."""
        return frozenset(segment.unsegmented_documents(self.documents)["doc_id"])

    def segmented(self, table: pd.DataFrame) -> pd.DataFrame:
        """The rows of `table` (any table with `doc_id`) from segmented documents only: the input of
        speaker- and role-level analyses (`guards.unsegmented` says what is left out)."""
        if not self.unsegmented_doc_ids:
            return table
        return table.loc[~table["doc_id"].isin(self.unsegmented_doc_ids)].reset_index(drop=True)

    # The shared analyses: notebooks 03 and 05 (and 02 and 05) call the same method.
    @functools.cached_property
    def theme_shares(self) -> pd.DataFrame:
        """Theme shares per municipality with speaker-clustered Wilson intervals (`theme_stats.theme_shares`)."""
        return theme_stats.theme_shares(
            self.coded,
            self.tokens,
            interval="cluster",
            n_boot=self.settings.n_boot,
            random_state=self.random_state,
        )

    @functools.cached_property
    def theme_shares_by_role(self) -> pd.DataFrame:
        """Theme shares per municipality × role group (no interval under 10 turns)."""
        return theme_stats.theme_shares(
            self.segmented(self.coded),
            self.segmented(self.tokens),
            by=("municipality", "role_group"),
            interval="cluster",
            n_boot=self.settings.n_boot,
            random_state=self.random_state,
        )

    @functools.cached_property
    def theme_tests(self) -> pd.DataFrame:
        """Per-theme tests: Fisher cells, Holm-adjusted, permutation p (`theme_stats.theme_by_group_tests`)."""
        return theme_stats.theme_by_group_tests(self.coded, random_state=self.random_state)

    @functools.cached_property
    def clustered_theme_tests(self) -> pd.DataFrame:
        """Per theme, turn-level and speaker-clustered p side by side (`theme_stats.clustered_theme_tests`)."""
        return theme_stats.clustered_theme_tests(
            self.segmented(self.coded), self.segmented(self.turns), random_state=self.random_state
        )

    @functools.cached_property
    def keyness(self) -> pd.DataFrame:
        """One-vs-rest keyness of every municipality (`keyness.keyness`); no row with fewer than
        two municipalities (`guards.fewer_than_two_groups` says why)."""
        if guards.fewer_than_two_groups(self.turns, "keyness"):
            return keyness_mod.empty_keyness()
        return keyness_mod.keyness(
            self.tokens,
            min_count=self.settings.min_count,
            min_turns=self.settings.min_turns,
            turns=self.turns,
        )

    @functools.cached_property
    def keyness_within_themes(self) -> pd.DataFrame:
        """Keyness inside each theme's turns (minimum count 2: theme subsets are small)."""
        return keyness_mod.keyness_within_themes(
            self.tokens, self.coded, min_count=2, min_turns=self.settings.min_turns, turns=self.turns
        )

    def evidence_quotes(self, per_cell: int) -> pd.DataFrame:
        """Reproducible quotes for each municipality × theme cell (`kwic.evidence_quotes`)."""
        return kwic.evidence_quotes(self.coded, self.turns, per_cell=per_cell, random_state=self.random_state)


def start(
    n_jobs: int | None = None,
    *,
    random_state: int | None = None,
    n_boot: int | None = None,
    min_count: int | None = None,
    min_turns: int | None = None,
    top_n_edges: int | None = None,
    raw_dir=None,
    processed_dir=None,
    themes_path=None,
    max_colwidth: int = 90,
    progress: bool = False,
) -> Workspace:
    """Set up the figure style and pandas display, prepare the data, and return the workspace.

    Every notebook's first code cell is `ws = workspace.start(...)` with its parameters; a
    parameter left at None takes its default from `config`.
    """
    settings = Settings.resolve(
        random_state=random_state,
        n_boot=n_boot,
        min_count=min_count,
        min_turns=min_turns,
        top_n_edges=top_n_edges,
        n_jobs=n_jobs,
    )
    style.setup()
    pd.set_option("display.max_colwidth", max_colwidth)
    analysis = prepare(raw_dir, processed_dir, themes_path, n_jobs=settings.n_jobs, progress=progress)
    colors = style.municipality_colors(analysis.documents["municipality"])
    return Workspace(analysis=analysis, settings=settings, colors=colors)
