"""Tests of the document-term matrices on a known-answer table and on seed tokens."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dxminutes import config
from dxminutes.text.dtm import count_matrix, term_counts, tfidf_matrix, turn_vocabulary

# three turns in two documents of two municipalities; 'y' is used in one turn only
TOKENS = pd.DataFrame(
    {
        "turn_id": ["a:0", "a:0", "a:0", "a:1", "b:0", "b:0"],
        "doc_id": ["a", "a", "a", "a", "b", "b"],
        "municipality": ["X", "X", "X", "X", "Y", "Y"],
        "role": ["chair", "chair", "chair", "member", "member", "member"],
        "term": ["x", "x", "y", "z", "z", "x"],
    }
)


def test_known_counts_at_three_levels():
    turn = count_matrix(TOKENS)
    assert list(turn.terms) == ["x", "y", "z"]
    assert turn.rows["turn_id"].tolist() == ["a:0", "a:1", "b:0"]
    assert turn.matrix.toarray().tolist() == [[2, 1, 0], [0, 0, 1], [1, 0, 1]]
    doc = count_matrix(TOKENS, "document")
    assert doc.rows["doc_id"].tolist() == ["a", "b"] and doc.rows["municipality"].tolist() == ["X", "Y"]
    assert doc.matrix.toarray().tolist() == [[2, 1, 1], [1, 0, 1]]
    muni = count_matrix(TOKENS, "municipality")
    assert muni.matrix.toarray().tolist() == [[2, 1, 1], [1, 0, 1]]


def test_min_df_fixes_vocabulary_at_turn_level_for_all_levels():
    assert list(turn_vocabulary(TOKENS, min_df=2)) == ["x", "z"]
    for level in ("turn", "document", "municipality"):
        dtm = count_matrix(TOKENS, level, min_df=2)
        assert list(dtm.terms) == ["x", "z"]
    # 'y' is in one turn but would pass min_df=1 at any level: the turn level decides
    assert count_matrix(TOKENS, "municipality", min_df=2).matrix.sum() == 5


def test_rows_add_empty_turns_in_given_order():
    rows = pd.DataFrame({"turn_id": ["b:0", "a:9", "a:0", "a:1"], "speaker": ["s", "t", "u", "v"]})
    dtm = count_matrix(TOKENS, rows=rows)
    assert dtm.rows["turn_id"].tolist() == ["b:0", "a:9", "a:0", "a:1"]
    assert dtm.matrix.toarray().tolist() == [[1, 0, 1], [0, 0, 0], [2, 1, 0], [0, 0, 1]]
    assert "speaker" in dtm.rows.columns


def test_tfidf_rows_are_l2_normalized_and_kwargs_pass_through():
    dtm = tfidf_matrix(TOKENS, "document")
    assert np.allclose(np.sqrt(dtm.matrix.multiply(dtm.matrix).sum(axis=1)).A1, 1.0)
    raw = tfidf_matrix(TOKENS, "document", norm=None, use_idf=False)
    assert raw.matrix.toarray().tolist() == [[2, 1, 1], [1, 0, 1]]


def test_term_counts_tidy_and_sorted():
    counts = term_counts(TOKENS)
    assert counts.to_dict("records") == [
        {"municipality": "X", "term": "x", "count": 2},
        {"municipality": "X", "term": "y", "count": 1},
        {"municipality": "X", "term": "z", "count": 1},
        {"municipality": "Y", "term": "x", "count": 1},
        {"municipality": "Y", "term": "z", "count": 1},
    ]


def test_bad_level_and_empty_vocabulary_raise():
    with pytest.raises(ValueError, match="level"):
        count_matrix(TOKENS, "sentence")
    with pytest.raises(ValueError, match="empty vocabulary"):
        count_matrix(TOKENS, min_df=10)


def test_seed_levels_agree():
    from dxminutes.text.token_table import tokenize_turns

    rows = []
    for path in sorted(config.RAW_DIR.glob("*.txt")):
        paras = [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()][:15]
        rows += [
            {
                "turn_id": f"{path.stem}:{i:04d}",
                "doc_id": path.stem,
                "municipality": path.stem.split("_")[0],
                "role": "unknown",
                "text": p,
            }
            for i, p in enumerate(paras)
        ]
    tokens = tokenize_turns(pd.DataFrame(rows), cache_dir=False, progress=False)
    turn, doc, muni = (
        count_matrix(tokens, level, min_df=2) for level in ("turn", "document", "municipality")
    )
    assert (turn.terms == doc.terms).all() and (doc.terms == muni.terms).all()
    # summing turn rows by document gives the document matrix, and so on up
    by_doc = pd.DataFrame(turn.matrix.toarray()).groupby(turn.rows["doc_id"].to_numpy(), sort=False).sum()
    assert (by_doc.loc[doc.rows["doc_id"]].to_numpy() == doc.matrix.toarray()).all()
    by_muni = (
        pd.DataFrame(doc.matrix.toarray()).groupby(doc.rows["municipality"].to_numpy(), sort=False).sum()
    )
    assert (by_muni.loc[muni.rows["municipality"]].to_numpy() == muni.matrix.toarray()).all()
    # and the totals equal the token table's counts of in-vocabulary terms
    assert muni.matrix.sum() == tokens["term"].isin(set(turn.terms)).sum()
