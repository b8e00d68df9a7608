"""Distributed tokenization with Dask (optional extra: ``pip install -e .[dask]``).

`tokenize_turns_dask` splits the turns by document, tokenizes each document's turns on a Dask
worker with the local `tokens.tokenize_turns` (so the workers read and write exactly the same
cache shards as a local run: one shard per document and namespace, hence no two workers ever write
the same file), and reassembles the token table in the input's turn order. The result equals
`tokens.tokenize_turns(turns, tokenizer)` row for row. On a real cluster, `cache_dir` must be a
folder every worker sees (a shared file system); see docs/scaling.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

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
