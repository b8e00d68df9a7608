"""Tests of the token table, its two-level cache and the process pool."""

from __future__ import annotations

import pandas as pd
import pytest

from dxminutes import config
from dxminutes.text.cache import ShardStore
from dxminutes.text.token_table import (
    TOKEN_COLUMNS,
    build_token_table,
    tokenize_turns,
    tokenize_turns_with_stats,
)
from dxminutes.text.tokenizer import JapaneseTokenizer


@pytest.fixture(scope="module")
def turns():
    """Pseudo-turns: the first non-empty paragraphs of each seed file (independent of segmentation)."""
    rows = []
    for path in sorted(config.RAW_DIR.glob("*.txt")):
        paras = [p for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 20][:6]
        for pos, text in enumerate(paras):
            rows.append(
                {
                    "turn_id": f"{path.stem}:{pos:04d}",
                    "doc_id": path.stem,
                    "municipality": path.stem.split("_")[0],
                    "role": "unknown",
                    "text": text,
                }
            )
    return pd.DataFrame(rows)


def run(turns, tmp_path, **kwargs):
    return tokenize_turns_with_stats(turns, cache_dir=tmp_path / "cache", progress=False, **kwargs)


def test_table_shape_and_no_mutation(turns, tmp_path):
    before = turns.copy()
    table, stats = run(turns, tmp_path)
    pd.testing.assert_frame_equal(turns, before)
    assert list(table.columns) == TOKEN_COLUMNS
    assert set(table["turn_id"]) <= set(turns["turn_id"])
    # i numbers each turn's tokens 0..n-1 and the terms are those of the tokenizer
    tok = JapaneseTokenizer()
    for turn in turns.itertuples():
        got = table[table["turn_id"] == turn.turn_id]
        assert got["i"].tolist() == list(range(len(got)))
        assert got["term"].tolist() == tok(turn.text)
    assert stats.analyzed == len(turns) and stats.term_hits == 0


def test_warm_cache_recomputes_nothing(turns, tmp_path):
    cold, _ = run(turns, tmp_path)
    warm, stats = run(turns, tmp_path)
    assert stats.term_hits == len(turns) and stats.analyzed == 0 and stats.term_misses == 0
    pd.testing.assert_frame_equal(cold, warm)


def test_changed_stopwords_refilter_without_reanalysis(turns, tmp_path):
    base, _ = run(turns, tmp_path)
    stop = tmp_path / "stop.txt"
    stop.write_text(config.STOPWORDS_PATH.read_text(encoding="utf-8") + "推進\n", encoding="utf-8")
    edited, stats = run(turns, tmp_path, tokenizer=JapaneseTokenizer(stopwords_path=stop))
    assert stats.term_misses == len(turns) and stats.analysis_hits == len(turns) and stats.analyzed == 0
    assert "推進" in set(base["term"]) and "推進" not in set(edited["term"])
    assert len(edited) < len(base)


def test_changed_userdict_reanalyzes_everything(turns, tmp_path):
    run(turns, tmp_path)
    udic = tmp_path / "userdict.csv"
    udic.write_text(
        config.USERDICT_PATH.read_text(encoding="utf-8") + "行政経営,カスタム名詞,ギョウセイケイエイ\n",
        encoding="utf-8",
    )
    _, stats = run(turns, tmp_path, tokenizer=JapaneseTokenizer(userdict_path=udic))
    assert stats.analyzed == len(turns) and stats.term_hits == 0


def test_changed_turn_reanalyzes_only_that_turn(turns, tmp_path):
    base, _ = run(turns, tmp_path)
    edited_turns = turns.copy()
    edited_turns.loc[2, "text"] = "情報セキュリティの研修を実施する。"
    edited, stats = run(edited_turns, tmp_path)
    assert stats.analyzed == 1 and stats.term_misses == 1 and stats.term_hits == len(turns) - 1
    changed = edited_turns.loc[2, "turn_id"]
    assert edited[edited["turn_id"] == changed]["term"].tolist() == ["情報セキュリティ", "研修"]
    keep = lambda t: t[t["turn_id"] != changed].reset_index(drop=True)  # noqa: E731
    pd.testing.assert_frame_equal(keep(base), keep(edited))


def test_truncated_shard_is_not_read_as_valid(turns, tmp_path):
    base, _ = run(turns, tmp_path)
    shards = sorted((tmp_path / "cache").glob("terms-*/*.parquet"))
    assert shards
    shards[0].write_bytes(shards[0].read_bytes()[:-7])  # as if the write stopped early
    again, stats = run(turns, tmp_path)
    assert stats.corrupt_shards == 1 and stats.term_misses > 0 and stats.analyzed == 0
    pd.testing.assert_frame_equal(base, again)
    _, stats = run(turns, tmp_path)  # the shard was rewritten whole
    assert stats.corrupt_shards == 0 and stats.term_misses == 0


def test_shard_store_statuses(tmp_path):
    store = ShardStore(tmp_path)
    assert store.read("ns", "doc") == (None, "missing")
    store.write("ns", "doc", {"a": [1, 2]})
    assert store.read("ns", "doc") == ({"a": [1, 2]}, "ok")
    path = store.path("ns", "doc")
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    assert store.read("ns", "doc") == (None, "corrupt")
    path.write_bytes(raw.replace(b"[1,2]", b"[1,3]"))  # same length, wrong checksum
    assert store.read("ns", "doc") == (None, "corrupt")
    path.write_bytes(b"")
    assert store.read("ns", "doc") == (None, "corrupt")
    assert not list(tmp_path.glob("ns/*.tmp"))


def test_two_processes_give_the_same_table(turns):
    one = tokenize_turns(turns, cache_dir=False, n_jobs=1, progress=False)
    two = tokenize_turns(turns, cache_dir=False, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one, two)


def test_build_token_table_writes_parquet(turns, tmp_path):
    table = build_token_table(turns, processed_dir=tmp_path, cache_dir=False, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "tokens.parquet"), table, check_dtype=False)
    assert [p.name for p in tmp_path.iterdir()] == ["tokens.parquet"]
