"""Dask paths: tokenization, and the whole way from raw files to the document-term matrices.

`tokenize_turns_dask` splits the turns by document, tokenizes each document's turns on a Dask
worker with the local `tokens.tokenize_turns` (so the workers read and write exactly the same
cache shards as a local run: one shard per document and namespace, hence no two workers ever write
the same file), and reassembles the token table in the input's turn order. The result equals
`tokens.tokenize_turns(turns, tokenizer)` row for row. On a real cluster, `cache_dir` must be a
folder every worker sees (a shared file system); see docs/scaling.md.
"""

from __future__ import annotations

__all__ = ["DaskCorpus", "corpus_to_dtms_dask", "tokenize_turns_dask"]

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse
from sklearn.feature_extraction.text import TfidfTransformer

from dxminutes.corpus.build import load_document, minutes_files
from dxminutes.corpus.catalog import catalog_row, read_catalog
from dxminutes.corpus.convention import load_convention
from dxminutes.corpus.duplicates import drop_duplicates
from dxminutes.corpus.readers import InputError
from dxminutes.text.dtm import DTM, LEVELS
from dxminutes.text.token_table import TOKEN_COLUMNS, tokenize_turns
from dxminutes.text.tokenizer import JapaneseTokenizer


def _tokenize_document(doc_turns: pd.DataFrame, tokenizer: JapaneseTokenizer, cache_dir) -> pd.DataFrame:
    """Worker task: the token table of one document's turns (local path, one process)."""
    return tokenize_turns(doc_turns, tokenizer, cache_dir=cache_dir, n_jobs=1, progress=False)


def tokenize_turns_dask(
    turns: pd.DataFrame,
    tokenizer: JapaneseTokenizer | None = None,
    *,
    cache_dir: Path | bool | None = None,
    client=None,
    npartitions: int | None = None,
) -> pd.DataFrame:
    """Token table of `turns` computed on Dask: a bag with one item per document.

    `client` is a `distributed.Client` (without one, the bag runs on Dask's default scheduler, or
    on the active client if there is one); `npartitions` groups the documents into that many bag
    partitions (default: one per document). `cache_dir` has `tokenize_turns`' meaning (None: the
    default cache folder, False: no cache). Turn ids must be unique. `turns` is not modified.
    """
    import dask.bag as db

    tokenizer = tokenizer or JapaneseTokenizer()
    if turns["turn_id"].duplicated().any():
        raise ValueError("turn_id values must be unique to reassemble the token table")
    doc_ids = list(dict.fromkeys(turns["doc_id"].astype(str)))
    if not doc_ids:
        return tokenize_turns(turns, tokenizer, cache_dir=cache_dir, progress=False)
    doc_key = turns["doc_id"].astype(str)
    parts = [turns[doc_key == d] for d in doc_ids]
    bag = db.from_sequence(parts, npartitions=min(npartitions or len(parts), len(parts)))
    bag = bag.map(_tokenize_document, tokenizer=tokenizer, cache_dir=cache_dir)
    frames = bag.compute(scheduler=client.get) if client is not None else bag.compute()

    table = pd.concat(frames, ignore_index=True)
    order = pd.Series(np.arange(len(turns)), index=turns["turn_id"].astype(str).to_numpy())
    rank = order.reindex(table["turn_id"].to_numpy()).to_numpy()
    table = table.iloc[np.argsort(rank, kind="mergesort")].reset_index(drop=True)
    return table[TOKEN_COLUMNS]


# --------------------------------------------------------------------------- raw files → matrices
@dataclass(frozen=True)
class DaskCorpus:
    """What `corpus_to_dtms_dask` returns: the corpus tables, the token table and the matrices."""

    documents: pd.DataFrame
    turns: pd.DataFrame
    failures: pd.DataFrame
    tokens: pd.DataFrame
    dtms: dict[str, DTM]  # level → count matrix (and "turn_tfidf": the turn-level TF-IDF)


def _document_task(
    item: tuple[str, str, dict | None], raw_dir: str, tokenizer, cache_dir, convention
) -> dict:
    """Worker task: load, clean and segment one file, tokenize its turns, count terms per turn."""
    file, doc_id, row = item
    try:
        corpus = load_document(Path(raw_dir) / file, row, file=file, doc_id=doc_id, convention=convention)
    except InputError as exc:
        return {"failure": {"file": file, "problem": exc.problem}}
    if not corpus.failures.empty:
        return {"failure": corpus.failures.iloc[0].to_dict()}
    tokens = tokenize_turns(corpus.turns, tokenizer, cache_dir=cache_dir, n_jobs=1, progress=False)
    counts = tokens.groupby(["turn_id", "term"], sort=False).size().rename("count").reset_index()
    return {
        "documents": corpus.documents,
        "turns": corpus.turns,
        "non_speech": corpus.non_speech,
        "tokens": tokens,
        "counts": counts,
    }


def corpus_to_dtms_dask(
    raw_dir,
    tokenizer: JapaneseTokenizer | None = None,
    *,
    client=None,
    cache_dir: Path | bool | None = None,
    min_df: int = 1,
) -> DaskCorpus:
    """The whole path from raw files to the document-term matrices on Dask.

    Each worker task takes one minutes file: reading, cleaning, segmentation
    (`corpus.build.load_document`), tokenization through the shared cache and the per-turn term
    counts. The driver unions the vocabulary (terms in at least `min_df` turns, sorted, as
    `dtm.turn_vocabulary`) and assembles the sparse count matrices at turn, document and
    municipality level and the turn-level TF-IDF. The result equals the local path
    (`load_corpus` → `tokenize_turns` → `dtm.count_matrix` / `dtm.tfidf_matrix`) exactly; files
    that cannot be loaded are listed in `failures`, as `load_corpus` lists them.
    """
    import dask.bag as db

    raw_dir = Path(raw_dir)
    tokenizer = tokenizer or JapaneseTokenizer()
    catalog = read_catalog(raw_dir)
    convention = load_convention(raw_dir)
    files = minutes_files(raw_dir)
    stems = pd.Series([Path(f).stem for f in files], dtype="str")
    duplicated = set(stems[stems.duplicated(keep=False)])
    items = [
        (f, f if Path(f).stem in duplicated else Path(f).stem, convention.row_for(f, catalog_row(catalog, f)))
        for f in files
    ]
    bag = db.from_sequence(items, npartitions=max(1, len(items)))
    bag = bag.map(
        _document_task, raw_dir=str(raw_dir), tokenizer=tokenizer, cache_dir=cache_dir, convention=convention
    )
    results = bag.compute(scheduler=client.get) if client is not None else bag.compute()

    ok = _without_duplicates([r for r in results if "failure" not in r])
    failures = pd.DataFrame([r["failure"] for r in results if "failure" in r], columns=["file", "problem"])
    documents = pd.concat([r["documents"] for r in ok], ignore_index=True) if ok else pd.DataFrame()
    turns = pd.concat([r["turns"] for r in ok], ignore_index=True) if ok else pd.DataFrame()
    tokens = (
        pd.concat([r["tokens"] for r in ok], ignore_index=True) if ok else pd.DataFrame(columns=TOKEN_COLUMNS)
    )
    counts = pd.concat([r["counts"] for r in ok], ignore_index=True) if ok else pd.DataFrame()
    return DaskCorpus(documents, turns, failures, tokens, _assemble(tokens, counts, min_df))


def _without_duplicates(ok: list[dict]) -> list[dict]:
    """The worker results less the documents `load_corpus` would leave out as duplicates.

    Workers see one file each, so copies are found on the driver, by the same rule as the local
    build (`corpus.duplicates.drop_duplicates`) on the same cleaned turns and non-speech parts.
    """
    tables = ("documents", "turns", "non_speech")
    rows = {name: [row for r in ok for row in r[name].to_dict("records")] for name in tables}
    kept = {doc["doc_id"] for doc in drop_duplicates({**rows, "warnings": []})["documents"]}
    return [r for r in ok if set(r["documents"]["doc_id"]) <= kept]


def _assemble(tokens: pd.DataFrame, counts: pd.DataFrame, min_df: int) -> dict[str, DTM]:
    """Count matrices per level from per-turn term counts, with the local path's vocabulary and rows."""
    if counts.empty:
        raise ValueError("empty vocabulary: no turn has a term")
    df = counts.groupby("term", sort=True).size()
    vocab = np.array(sorted(df.index[df >= min_df]), dtype=object)
    col = pd.Series(np.arange(len(vocab)), index=vocab)
    counts = counts[counts["term"].isin(col.index)]
    out = {}
    for level in ("turn", "document", "municipality"):
        key, meta = LEVELS[level]
        rows = (
            tokens[[key, *[c for c in meta if c in tokens.columns]]]
            .drop_duplicates(key)
            .reset_index(drop=True)
        )
        if key == "turn_id":
            units = counts["turn_id"].to_numpy()
        else:
            unit_of_turn = tokens.drop_duplicates("turn_id").set_index("turn_id")[key]
            units = unit_of_turn.reindex(counts["turn_id"]).to_numpy()
        row = pd.Series(np.arange(len(rows)), index=rows[key].to_numpy()).reindex(units).to_numpy()
        matrix = scipy.sparse.csr_matrix(
            (counts["count"].to_numpy(dtype=np.int64), (row, col.reindex(counts["term"]).to_numpy())),
            shape=(len(rows), len(vocab)),
        )
        matrix.sum_duplicates()
        out[level] = DTM(matrix=matrix, terms=vocab, rows=rows, level=level)
    tfidf = TfidfTransformer().fit_transform(out["turn"].matrix)
    out["turn_tfidf"] = DTM(
        matrix=scipy.sparse.csr_matrix(tfidf), terms=vocab, rows=out["turn"].rows, level="turn"
    )
    return out
