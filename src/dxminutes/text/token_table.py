"""The token table: every turn tokenized, through a columnar content-keyed cache and a process pool.

Cache (in `cache_dir`, default `config.CACHE_DIR / "tokens"`): one Arrow table per document in
each of two namespaces (`cache.TableStore`: dictionary-encoded, zstd-compressed Parquet with a
checksum), rows keyed by the SHA-256 of the turn's normalized text:

* `morphemes-<analysis_key>`: the backend analysis (key, surface, base, pos), which depends
  only on the backend and the user dictionary. Editing the user dictionary re-analyzes
  everything; editing one turn re-analyzes that turn only.
* `terms-<settings_key>`: the final tokens (key, surface, base, pos, term), which also depend on
  stopwords and the POS and compound rules. Editing a stopword re-filters the cached morphemes
  but re-analyzes nothing.
A turn with no morphemes (or no kept token) is one row with null strings, so it is cached too.

Documents are processed in order, a few at a time: their cache misses are analyzed together (in
a `ProcessPoolExecutor` when `n_jobs > 1`; the tokenizer is pickled to the workers, which build
their own analyzer lazily), filtered on arrays (`term_filter`), written back, and only the kept
tokens are held on, so peak memory does not grow with the morphemes of the corpus.
`TokenizeStats` counts turns by what happened to them, so tests can check what was recomputed.
"""

from __future__ import annotations

__all__ = ["TOKEN_COLUMNS", "TokenizeStats", "build_token_table", "tokenize_turns", "tokenize_turns_with_stats"]  # fmt: skip

import contextlib
import gc
import hashlib
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dxminutes import config, schema
from dxminutes._io import atomic_path
from dxminutes._progress import progress as show_progress
from dxminutes.normalize import normalize_unicode
from dxminutes.text.backends import MorphemeColumns
from dxminutes.text.cache import TableStore
from dxminutes.text.term_filter import MorphemeArrays, TermArrays, filter_arrays
from dxminutes.text.tokenizer import JapaneseTokenizer

TOKEN_COLUMNS = list(schema.TOKEN_COLUMNS)
_TURN_COLUMNS = ["turn_id", "doc_id", "municipality", "role", "text"]
#: Show a progress bar by default when at least this many turns need analysis.
_PROGRESS_MIN_TURNS = 500


@dataclass
class TokenizeStats:
    """Per-turn counts: term-cache hits/misses; among misses, morpheme-cache hits and analyses."""

    term_hits: int = 0
    term_misses: int = 0
    analysis_hits: int = 0
    analyzed: int = 0
    corrupt_shards: int = 0


def text_key(text: str) -> str:
    """The cache key of a turn: SHA-256 of its normalized text."""
    return _key_of_normalized(normalize_unicode(text))


def _key_of_normalized(normalized: str) -> str:
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while tokenizing.

    Tokenizing allocates millions of small acyclic objects (morphemes, term lists, cache rows)
    that reference counting frees; the collector's repeated scans of the growing set cost about
    a third of the run time at 10× the seed corpus (see benchmarks/RESULTS.md).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyze_batch(tokenizer: JapaneseTokenizer, texts: list[str]) -> list[MorphemeColumns]:
    """Worker: backend analysis of already normalized `texts` (lists of strings pickle cheaply)."""
    with _gc_paused():
        return [tokenizer.morpheme_columns(t, normalized=True) for t in texts]


def _batches(texts: list[str], n: int) -> list[list[str]]:
    """Split `texts` in order into about `n` contiguous batches of similar total length."""
    total = sum(map(len, texts)) or 1
    batches, current, size = [], [], 0
    for text in texts:
        current.append(text)
        size += len(text)
        if size >= total / n:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


class _Analyzer:
    """Backend analysis of cache misses, in this process or in a pool kept for the whole run."""

    def __init__(self, tokenizer: JapaneseTokenizer, n_jobs: int):
        self.tokenizer, self.n_jobs = tokenizer, n_jobs
        self.pool = ProcessPoolExecutor(max_workers=n_jobs) if n_jobs > 1 else None

    def __call__(self, texts: list[str]) -> list[MorphemeColumns]:
        if self.pool is None or len(texts) < 2:
            out = _analyze_batch(self.tokenizer, texts)
        else:
            batches = _batches(texts, self.n_jobs * 4)
            out = [
                m
                for result in self.pool.map(_analyze_batch, [self.tokenizer] * len(batches), batches)
                for m in result
            ]
        return out

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


# --------------------------------------------------------------------------- cache tables
_MORPH_SCHEMA = pa.schema(
    [("key", pa.string()), ("surface", pa.string()), ("base", pa.string()), ("pos", pa.string())]
)
_TERM_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("surface", pa.string()),
        ("base", pa.string()),
        ("pos", pa.string()),
        ("term", pa.string()),
    ]
)


def _slices(table: pa.Table | None) -> tuple[dict[str, tuple[int, int]], dict[str, np.ndarray]]:
    """key → (start, stop) row range (rows of one key are contiguous) and the columns as arrays."""
    if table is None or table.num_rows == 0:
        return {}, {}
    cols = {name: table.column(name).to_numpy(zero_copy_only=False) for name in table.column_names}
    keys = cols["key"]
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.r_[0, change]
    stops = np.r_[change, len(keys)]
    return {keys[s]: (int(s), int(e)) for s, e in zip(starts, stops)}, cols


def _columns_from(cols: dict[str, np.ndarray], start: int, stop: int) -> MorphemeColumns:
    """Morphemes of one cached key (a null surface marks a turn without morphemes)."""
    surface = cols["surface"][start:stop].tolist()
    if surface and surface[0] is None:
        return MorphemeColumns.empty()
    base = [s if b is None else b for s, b in zip(surface, cols["base"][start:stop].tolist())]
    return MorphemeColumns(surface, base, cols["pos"][start:stop].tolist())


def _morpheme_table(keys: list[str], per_turn: list[MorphemeColumns]) -> pa.Table:
    """Rows key, surface, base, pos of every morpheme; base null where it equals the surface
    (most do), and one null row for a turn without morphemes."""
    counts = np.array([max(len(c.surface), 1) for c in per_turn], dtype=np.int64)
    surface, base, pos = [], [], []
    for c in per_turn:
        if c.surface:
            surface += c.surface
            base += c.base
            pos += c.pos
        else:
            surface.append(None)
            base.append(None)
            pos.append(None)
    surface_a = pa.array(surface, type=pa.string())
    base_a = pa.array(base, type=pa.string())
    # null where base == surface (or both null): compared in Arrow, not per morpheme in Python
    same = pc.fill_null(pc.equal(base_a, surface_a), True)
    return pa.table(
        {
            "key": pa.array(np.repeat(np.asarray(keys, dtype=object), counts), type=pa.string()),
            "surface": surface_a,
            "base": pc.if_else(same, pa.scalar(None, pa.string()), base_a),
            "pos": pa.array(pos, type=pa.string()),
        },
        schema=_MORPH_SCHEMA,
    )


def _term_table(keys: list[str], terms: TermArrays) -> pa.Table:
    """Rows key, surface, base, pos, term of the kept tokens, a null row for a turn with none."""
    counts = np.bincount(terms.turn, minlength=len(keys)) if len(keys) else np.zeros(0, dtype=np.int64)
    empty = np.flatnonzero(counts == 0)
    turn = np.concatenate([terms.turn, empty])
    order = np.argsort(turn, kind="stable")
    null = np.full(len(empty), None, dtype=object)

    def col(values):
        return np.concatenate([values, null])[order]

    key = np.asarray(keys, dtype=object)[turn[order]] if len(keys) else np.array([], dtype=object)
    return pa.table(
        {
            "key": key,
            "surface": col(terms.surface),
            "base": col(terms.base),
            "pos": col(terms.pos),
            "term": col(terms.term),
        },
        schema=_TERM_SCHEMA,
    )


def _merge(old: pa.Table | None, new: pa.Table, replaced: set[str]) -> pa.Table:
    """`old` without the keys of `new` (and `replaced`), then `new`: rows stay grouped by key."""
    if old is None or old.num_rows == 0:
        return new
    drop = pa.array(sorted(replaced | set(new.column("key").to_pylist())), type=pa.string())
    kept = old.filter(pc.invert(pc.is_in(old.column("key"), value_set=drop)))
    return pa.concat_tables([kept, new]) if kept.num_rows else new


# --------------------------------------------------------------------------- the token table
#: Documents are tokenized in groups of about this many characters of cache misses.
_CHUNK_CHARS = 200_000


@dataclass
class _Doc:
    name: str
    rows: np.ndarray  # row indices into `turns`
    keys: list[str]
    texts: list[str]
    terms: pa.Table | None = None  # cached term rows (status ok), or None
    misses: list[int] | None = None  # positions (into rows) of term-cache misses
    to_analyze: list[int] | None = None  # positions whose morphemes are not cached either
    morphemes: dict[int, MorphemeColumns] | None = None  # position → morphemes (misses only)
    morph_table: pa.Table | None = None


def tokenize_turns_with_stats(
    turns: pd.DataFrame,
    tokenizer: JapaneseTokenizer | None = None,
    *,
    cache_dir: Path | bool | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> tuple[pd.DataFrame, TokenizeStats]:
    """`tokenize_turns` that also returns what the cache did (see `TokenizeStats`)."""
    with _gc_paused():
        return _tokenize_turns_with_stats(
            turns, tokenizer, cache_dir=cache_dir, n_jobs=n_jobs, progress=progress
        )


def _tokenize_turns_with_stats(
    turns: pd.DataFrame,
    tokenizer: JapaneseTokenizer | None = None,
    *,
    cache_dir: Path | bool | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> tuple[pd.DataFrame, TokenizeStats]:
    schema.require_columns(turns, _TURN_COLUMNS, "turns")
    tokenizer = tokenizer or JapaneseTokenizer()
    store = (
        None
        if cache_dir is False
        else TableStore(config.CACHE_DIR / "tokens" if cache_dir is None else cache_dir)
    )
    term_ns = f"terms-{tokenizer.settings_key()}"
    morph_ns = f"morphemes-{tokenizer.analysis_key()}"
    stats = TokenizeStats()

    texts = turns["text"].fillna("").astype(str).tolist()
    doc_codes, doc_names = pd.factorize(turns["doc_id"].astype(str), sort=False)
    order = np.argsort(doc_codes, kind="stable")
    bounds = np.r_[0, np.flatnonzero(np.diff(doc_codes[order])) + 1, len(order)]
    docs = []
    for d in range(len(doc_names)):
        rows = order[bounds[d] : bounds[d + 1]]
        doc_texts = [normalize_unicode(texts[i]) for i in rows]
        docs.append(_Doc(str(doc_names[d]), rows, [_key_of_normalized(t) for t in doc_texts], doc_texts))

    def read(namespace, name):
        if store is None:
            return None
        table, status = store.read(namespace, name)
        stats.corrupt_shards += status == "corrupt"
        return table

    # pass 1: term-cache lookups (cheap), to know how much analysis is ahead
    for doc in docs:
        doc.terms = read(term_ns, doc.name)
        cached = set(doc.terms.column("key").to_pylist()) if doc.terms is not None else set()
        doc.misses = [j for j, key in enumerate(doc.keys) if key not in cached]
        stats.term_hits += len(doc.keys) - len(doc.misses)
        stats.term_misses += len(doc.misses)

    n_miss_chars = sum(len(doc.texts[j]) for doc in docs for j in doc.misses)
    # a bar over the documents (`_progress`: on a terminal, not silenced) when asked, or by default
    # for a run with much analysis ahead
    show = progress if progress is not None else stats.term_misses >= _PROGRESS_MIN_TURNS
    analyzer = _Analyzer(tokenizer, n_jobs) if n_miss_chars else None
    pieces: list[tuple[np.ndarray, np.ndarray, pa.Table]] = []  # (rows, rows per turn, term rows)
    try:
        chunk: list[_Doc] = []
        size = 0
        for doc in show_progress(docs, total=len(docs), desc="tokenizing documents", quiet=not show):
            if not doc.misses:
                pieces.append(_finish_hit(doc))
                continue
            chunk.append(doc)
            size += sum(len(doc.texts[j]) for j in doc.misses)
            if size >= _CHUNK_CHARS:
                pieces += _run_chunk(chunk, tokenizer, analyzer, store, read, morph_ns, term_ns, stats)
                chunk, size = [], 0
        if chunk:
            pieces += _run_chunk(chunk, tokenizer, analyzer, store, read, morph_ns, term_ns, stats)
    finally:
        if analyzer is not None:
            analyzer.close()
    return _table(turns, pieces), stats


def _finish_hit(doc: _Doc) -> tuple[np.ndarray, np.ndarray, pa.Table]:
    """A document whose every turn is in its term table: (rows, rows per turn, term rows in turn order)."""
    index, _ = _slices(doc.terms)
    spans = [index[key] for key in doc.keys]
    counts = np.array([stop - start for start, stop in spans], dtype=np.int64)
    take = (
        np.concatenate([np.arange(start, stop) for start, stop in spans]) if spans else np.zeros(0, np.int64)
    )
    return doc.rows, counts, doc.terms.take(pa.array(take, type=pa.int64()))


def _run_chunk(chunk, tokenizer, analyzer, store, read, morph_ns, term_ns, stats):
    """Analyze the chunk's misses together, filter them on arrays, write the shards back."""
    jobs: list[tuple[_Doc, int]] = []
    for doc in chunk:
        doc.morph_table = read(morph_ns, doc.name)
        index, cols = _slices(doc.morph_table)
        doc.morphemes, doc.to_analyze = {}, []
        for j in doc.misses:
            span = index.get(doc.keys[j])
            if span is None:
                doc.to_analyze.append(j)
                jobs.append((doc, j))
            else:
                doc.morphemes[j] = _columns_from(cols, *span)
        stats.analysis_hits += len(doc.misses) - len(doc.to_analyze)
    analyzed = analyzer([doc.texts[j] for doc, j in jobs]) if jobs else []
    stats.analyzed += len(jobs)
    for (doc, j), morphemes in zip(jobs, analyzed):
        doc.morphemes[j] = morphemes
    out = []
    for doc in chunk:
        miss_keys = [doc.keys[j] for j in doc.misses]
        filtered = filter_arrays(
            tokenizer, MorphemeArrays.from_columns([doc.morphemes[j] for j in doc.misses])
        )
        new_terms = _term_table(miss_keys, filtered)
        terms = _merge(doc.terms, new_terms, set())
        if store is not None:
            if doc.to_analyze:
                new_morph = _morpheme_table(
                    [doc.keys[j] for j in doc.to_analyze], [doc.morphemes[j] for j in doc.to_analyze]
                )
                store.write(morph_ns, doc.name, _merge(doc.morph_table, new_morph, set()))
            store.write(term_ns, doc.name, terms)
        doc.terms, doc.morphemes, doc.morph_table = terms, None, None
        out.append(_finish_hit(doc))
    return out


def _table(turns: pd.DataFrame, pieces: list[tuple[np.ndarray, np.ndarray, pa.Table]]) -> pd.DataFrame:
    """The token table in turn order from each document's term rows (null rows dropped)."""
    if not pieces or len(turns) == 0:
        return _typed(pd.DataFrame({c: [] for c in TOKEN_COLUMNS}, columns=TOKEN_COLUMNS))
    terms = pa.concat_tables([table for _, _, table in pieces])
    row_of_token = np.concatenate([np.repeat(rows, counts) for rows, counts, _ in pieces])
    cols = {
        name: terms.column(name).to_numpy(zero_copy_only=False) for name in ("surface", "base", "pos", "term")
    }
    kept = ~pc.is_null(terms.column("surface")).to_numpy(zero_copy_only=False)
    row_of_token = row_of_token[kept]
    order = np.argsort(row_of_token, kind="stable")
    row_sorted = row_of_token[order]
    meta = turns[["turn_id", "doc_id", "municipality", "role"]]
    out = {c: meta[c].to_numpy()[row_sorted] for c in ("turn_id", "doc_id", "municipality", "role")}
    first = np.r_[True, row_sorted[1:] != row_sorted[:-1]] if len(row_sorted) else np.zeros(0, bool)
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(row_sorted)), 0))
    out["i"] = np.arange(len(row_sorted)) - group_start
    for name, values in cols.items():
        out[name] = values[kept][order]
    return _typed(pd.DataFrame(out, columns=TOKEN_COLUMNS))


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    table["i"] = table["i"].astype("int64")
    for c in TOKEN_COLUMNS:
        if c != "i":
            table[c] = table[c].astype("str")
    return table


def tokenize_turns(
    turns: pd.DataFrame,
    tokenizer: JapaneseTokenizer | None = None,
    *,
    cache_dir: Path | bool | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> pd.DataFrame:
    """One row per kept token of every turn (columns `TOKEN_COLUMNS`), in turn order.

    `i` numbers the kept tokens within a turn. `cache_dir=False` disables the cache;
    `progress=None` shows a tqdm bar only for long runs on a terminal. `turns` is not modified.
    """
    return tokenize_turns_with_stats(turns, tokenizer, cache_dir=cache_dir, n_jobs=n_jobs, progress=progress)[
        0
    ]


def build_token_table(corpus_or_turns, processed_dir: Path | None = None, **kwargs) -> pd.DataFrame:
    """Tokenize a `Corpus` (or a turns table) and write `tokens.parquet` atomically to `processed_dir`."""
    turns = getattr(corpus_or_turns, "turns", corpus_or_turns)
    table = tokenize_turns(turns, **kwargs)
    target = Path(processed_dir or config.PROCESSED_DIR) / "tokens.parquet"
    with atomic_path(target) as tmp:
        table.to_parquet(tmp, index=False)
    return table
