"""The token table: every turn tokenized, with a two-level content-keyed cache and a process pool.

Cache (in `cache_dir`, default `config.CACHE_DIR / "tokens"`), one JSON shard per document in
each of two namespaces, entries keyed by the SHA-256 of the turn's normalized text:

* `morphemes-<analysis_key>`: the backend analysis, which depends only on the backend and the
  user dictionary. Editing the user dictionary re-analyzes everything; editing one turn
  re-analyzes that turn only.
* `terms-<settings_key>`: the final tokens, which also depend on stopwords and the POS and
  compound rules. Editing a stopword re-filters the cached morphemes but re-analyzes nothing.

`TokenizeStats` counts turns by what happened to them, so tests can check exactly what was
recomputed. Backend analysis of cache misses runs in a `ProcessPoolExecutor` when `n_jobs > 1`;
the tokenizer is pickled to the workers, which build their own analyzer lazily.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dxminutes import config, schema
from dxminutes._io import atomic_path
from dxminutes.normalize import normalize_unicode
from dxminutes.text.backends import Morpheme
from dxminutes.text.cache import ShardStore
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
    return hashlib.sha256(normalize_unicode(text).encode("utf-8")).hexdigest()


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


def _analyze_batch(tokenizer: JapaneseTokenizer, texts: list[str]) -> list[list[Morpheme]]:
    """Worker: backend analysis of `texts` (Morpheme tuples pickle back cheaply)."""
    with _gc_paused():
        return [tokenizer.morphemes(t) for t in texts]


#: POS strings of the cache → tuples; a few dozen distinct values, so memoized.
_POS_TUPLES: dict[str, tuple[str, ...]] = {}


def _from_cache(rows: list) -> list[Morpheme]:
    """Morphemes from their cached `[surface, base, "pos,pos,pos,pos"]` rows."""
    out = []
    for surface, base, pos in rows:
        tup = _POS_TUPLES.get(pos)
        if tup is None:
            tup = _POS_TUPLES[pos] = tuple(pos.split(","))
        out.append(Morpheme(surface, base, tup))
    return out


def _to_cache(morphemes: list[Morpheme]) -> list[list[str]]:
    return [[m.surface, m.base, ",".join(m.pos)] for m in morphemes]


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


def _analyze(tokenizer, texts: list[str], n_jobs: int, show: bool) -> list[list[Morpheme]]:
    if n_jobs <= 1 or len(texts) < 2:
        it = texts
        if show:
            from tqdm.auto import tqdm

            it = tqdm(texts, desc="tokenizing", unit="turn")
        return [_analyze_batch(tokenizer, [t])[0] for t in it]
    batches = _batches(texts, n_jobs * 4)
    out: list[list[Morpheme]] = []
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        results = pool.map(_analyze_batch, [tokenizer] * len(batches), batches)
        if show:
            from tqdm.auto import tqdm

            results = tqdm(results, total=len(batches), desc="tokenizing", unit="batch")
        for result in results:
            out.extend(result)
    return out


def _filter(tokenizer: JapaneseTokenizer, morphemes: list[Morpheme]) -> list[list[str]]:
    return [[t.surface, t.base, t.pos, t.term] for t in tokenizer.filter(morphemes)]


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
        else ShardStore(config.CACHE_DIR / "tokens" if cache_dir is None else cache_dir)
    )
    term_ns = f"terms-{tokenizer.settings_key()}"
    morph_ns = f"morphemes-{tokenizer.analysis_key()}"
    stats = TokenizeStats()

    texts = turns["text"].fillna("").astype(str).tolist()
    keys = [text_key(t) for t in texts]
    doc_ids = turns["doc_id"].astype(str).tolist()
    docs = list(dict.fromkeys(doc_ids))

    def read(namespace, doc):
        if store is None:
            return {}
        data, status = store.read(namespace, doc)
        stats.corrupt_shards += status == "corrupt"
        return data or {}

    term_shards = {d: read(term_ns, d) for d in docs}
    morph_shards: dict[str, dict] = {}
    dirty_terms: set[str] = set()
    results: list = [None] * len(texts)
    to_analyze: list[int] = []
    for idx, (doc, key) in enumerate(zip(doc_ids, keys)):
        if key in term_shards[doc]:
            results[idx] = term_shards[doc][key]
            stats.term_hits += 1
            continue
        stats.term_misses += 1
        dirty_terms.add(doc)
        if doc not in morph_shards:
            morph_shards[doc] = read(morph_ns, doc)
        morphemes = morph_shards[doc].get(key)
        if morphemes is None:
            to_analyze.append(idx)
        else:
            stats.analysis_hits += 1
            results[idx] = term_shards[doc][key] = _filter(tokenizer, _from_cache(morphemes))

    show = (
        progress if progress is not None else (len(to_analyze) >= _PROGRESS_MIN_TURNS and sys.stderr.isatty())
    )
    analyzed = _analyze(tokenizer, [texts[i] for i in to_analyze], n_jobs, show)
    stats.analyzed = len(to_analyze)
    for idx, morphemes in zip(to_analyze, analyzed):
        doc, key = doc_ids[idx], keys[idx]
        morph_shards[doc][key] = _to_cache(morphemes)
        results[idx] = term_shards[doc][key] = _filter(tokenizer, morphemes)

    if store is not None:
        for doc in sorted({doc_ids[i] for i in to_analyze}):
            store.write(morph_ns, doc, morph_shards[doc])
        for doc in sorted(dirty_terms):
            store.write(term_ns, doc, term_shards[doc])
    return _table(turns, results), stats


def _table(turns: pd.DataFrame, results: list[list[list[str]]]) -> pd.DataFrame:
    cols: dict[str, list] = {c: [] for c in TOKEN_COLUMNS}
    meta = turns[["turn_id", "doc_id", "municipality", "role"]].itertuples(index=False, name=None)
    for (turn_id, doc_id, municipality, role), tokens in zip(meta, results):
        n = len(tokens)
        cols["turn_id"] += [turn_id] * n
        cols["doc_id"] += [doc_id] * n
        cols["municipality"] += [municipality] * n
        cols["role"] += [role] * n
        cols["i"] += range(n)
        for name, j in (("surface", 0), ("base", 1), ("pos", 2), ("term", 3)):
            cols[name] += [t[j] for t in tokens]
    table = pd.DataFrame(cols, columns=TOKEN_COLUMNS)
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
