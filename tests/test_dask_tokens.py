"""The Dask tokenize path gives the same token table as the local path, on a real LocalCluster."""

from __future__ import annotations

import distributed  # in the pinned lock: a broken install fails here, it does not skip
import pandas as pd
import pytest

from dxminutes import config
from dxminutes.text.dask import tokenize_turns_dask
from dxminutes.text.token_table import tokenize_turns
from dxminutes.text.tokenizer import JapaneseTokenizer


def _pseudo_turns(n_per_doc: int = 8) -> pd.DataFrame:
    """Lines of three seed files as turns; documents interleaved so reordering is exercised."""
    rows = []
    for path in sorted(config.RAW_DIR.glob("*.txt"))[:3]:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if len(ln.strip()) > 20]
        for pos, text in enumerate(lines[:n_per_doc]):
            rows.append(
                {
                    "turn_id": f"{path.stem}:{pos:04d}",
                    "doc_id": path.stem,
                    "municipality": path.stem.split("_")[0],
                    "role": "member",
                    "position": pos,
                    "text": text,
                }
            )
    turns = pd.DataFrame(rows)
    return turns.sort_values(["position", "doc_id"], kind="mergesort").reset_index(drop=True)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.mark.slow
def test_dask_table_equals_local_table(client, tmp_path):
    turns = _pseudo_turns()
    before = turns.copy()
    tokenizer = JapaneseTokenizer()
    local = tokenize_turns(turns, tokenizer, cache_dir=False, progress=False)
    assert len(local) > 50
    distributed_table = tokenize_turns_dask(turns, tokenizer, cache_dir=tmp_path / "cache", client=client)
    pd.testing.assert_frame_equal(distributed_table, local)
    pd.testing.assert_frame_equal(turns, before)  # input not mutated


def test_dask_writes_the_local_cache_format(client, tmp_path):
    """Shards the workers wrote are hits for the local path, and vice versa."""
    from dxminutes.text.token_table import tokenize_turns_with_stats

    turns = _pseudo_turns(5)
    tokenizer = JapaneseTokenizer()
    cache = tmp_path / "cache"
    first = tokenize_turns_dask(turns, tokenizer, cache_dir=cache, client=client, npartitions=2)
    again, stats = tokenize_turns_with_stats(turns, tokenizer, cache_dir=cache, progress=False)
    assert stats.term_hits == len(turns) and stats.analyzed == 0
    pd.testing.assert_frame_equal(again, first)


def test_duplicate_turn_ids_are_rejected():
    turns = _pseudo_turns(2)
    with pytest.raises(ValueError, match="unique"):
        tokenize_turns_dask(pd.concat([turns, turns.iloc[:1]]), JapaneseTokenizer(), cache_dir=False)


@pytest.mark.slow
def test_raw_files_to_matrices_on_dask_equal_the_local_path(client, tmp_path):
    import numpy as np

    from dxminutes.corpus.build import load_corpus
    from dxminutes.text import dtm
    from dxminutes.text.dask import corpus_to_dtms_dask

    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sorted(config.RAW_DIR.glob("*.txt"))[:3]:
        (raw / path.name).write_bytes(path.read_bytes())
    (raw / "broken.pdf").write_bytes(b"%PDF-1.4 not really")  # listed as a failure, as locally
    first = sorted(raw.glob("*.txt"))[0]
    (raw / f"zz-copy-of-{first.name}").write_bytes(first.read_bytes())  # a copy: kept once, as locally
    local_corpus = load_corpus(raw)
    assert local_corpus.duplicates["dropped_file"].tolist() == [f"zz-copy-of-{first.name}"]
    local_tokens = tokenize_turns(local_corpus.turns, cache_dir=False, progress=False)
    result = corpus_to_dtms_dask(raw, client=client, cache_dir=tmp_path / "cache")

    pd.testing.assert_frame_equal(result.turns, local_corpus.turns)
    pd.testing.assert_frame_equal(result.documents, local_corpus.documents)
    assert result.failures["file"].tolist() == local_corpus.failures["file"].tolist() == ["broken.pdf"]
    pd.testing.assert_frame_equal(result.tokens, local_tokens)
    for level in ("turn", "document", "municipality"):
        local = dtm.count_matrix(local_tokens, level)
        got = result.dtms[level]
        assert (got.matrix != local.matrix).nnz == 0 and got.matrix.shape == local.matrix.shape
        assert list(got.terms) == list(local.terms)
        pd.testing.assert_frame_equal(got.rows, local.rows)
    local_tfidf = dtm.tfidf_matrix(local_tokens, "turn")
    np.testing.assert_allclose(
        result.dtms["turn_tfidf"].matrix.toarray(), local_tfidf.matrix.toarray(), rtol=0, atol=1e-12
    )
