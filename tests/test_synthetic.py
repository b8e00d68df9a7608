"""Synthetic scaled corpora: sizes, determinism, provenance of turns, and the file round trip."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from dxminutes import config
from dxminutes.corpus.synthetic import scale_corpus, write_corpus_files


def _tiny() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two documents whose turn lengths are known: A has 10+20+30 chars, B has 5+5 chars."""
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "file": ["a.txt", "b.txt"],
            "municipality": ["甲市", "乙町"],
            "prefecture": ["千葉県", "長崎県"],
            "body": ["甲市行政改革審議会", "乙町DX推進本部"],
            "meeting_title": ["第1回 甲市行政改革審議会", "乙町DX推進本部会議"],
            "meeting_date": ["2024-07-17", "2022-03-30"],
            "record_kind": ["verbatim", "summary"],
        }
    )
    texts = {"a": ["あ" * 10, "い" * 20, "う" * 30], "b": ["え" * 5, "お" * 5]}
    roles = ["chair", "member", "official"]
    rows = [
        {
            "turn_id": f"{d}:{p:04d}",
            "doc_id": d,
            "municipality": documents.set_index("doc_id").at[d, "municipality"],
            "meeting_date": documents.set_index("doc_id").at[d, "meeting_date"],
            "position": p,
            "speaker_label": "(x)",
            "speaker": f"山田{p}",
            "role": roles[p % 3],
            "text": t,
            "n_chars": len(t),
        }
        for d, ts in texts.items()
        for p, t in enumerate(ts)
    ]
    return documents, pd.DataFrame(rows)


def test_generated_documents_follow_their_templates():
    documents, turns = _tiny()
    docs, out = scale_corpus((documents, turns), 3, random_state=7)
    generated = docs[docs["synthetic"]]
    assert list(generated["municipality"]) == ["合成市001", "合成市002", "合成市003", "合成市004"]
    assert list(generated["prefecture"]) == ["千葉県", "長崎県", "千葉県", "長崎県"]
    assert generated["body"].iloc[0] == "合成市001行政改革審議会"
    for doc in generated.itertuples():
        template = "a" if doc.doc_id.endswith("_a") else "b"
        own = out[out["doc_id"] == doc.doc_id]
        budget = turns.loc[turns["doc_id"] == template, "n_chars"].sum()
        longest = turns.loc[turns["doc_id"] == template, "n_chars"].max()
        assert abs(own["n_chars"].sum() - budget) <= longest / 2  # stops where it comes closest
        assert set(own["text"]) <= set(turns.loc[turns["doc_id"] == template, "text"])
        assert list(own["position"]) == list(range(len(own)))
        assert (own["turn_id"] == [f"{doc.doc_id}:{p:04d}" for p in range(len(own))]).all()
        assert (own["municipality"] == doc.municipality).all() and (
            own["meeting_date"] == doc.meeting_date
        ).all()
    assert out["turn_id"].is_unique


def test_seeds_are_kept_and_inputs_not_modified():
    documents, turns = _tiny()
    before_docs, before_turns = documents.copy(), turns.copy()
    docs, out = scale_corpus((documents, turns), 4, random_state=1)
    pd.testing.assert_frame_equal(documents, before_docs)
    pd.testing.assert_frame_equal(turns, before_turns)
    pd.testing.assert_frame_equal(docs.loc[~docs["synthetic"], list(documents.columns)], documents)
    pd.testing.assert_frame_equal(out.iloc[: len(turns)], turns)
    assert len(docs) == 4 * len(documents)
    one_docs, one_turns = scale_corpus((documents, turns), 1, random_state=1)
    assert len(one_docs) == 2 and not one_docs["synthetic"].any()
    pd.testing.assert_frame_equal(one_turns, turns)
    with pytest.raises(ValueError):
        scale_corpus((documents, turns), 0, random_state=1)


def test_deterministic_and_nested_across_factors():
    documents, turns = _tiny()
    a = scale_corpus((documents, turns), 3, random_state=5)
    b = scale_corpus((documents, turns), 3, random_state=5)
    pd.testing.assert_frame_equal(a[1], b[1])
    pd.testing.assert_frame_equal(a[0], b[0])
    other = scale_corpus((documents, turns), 3, random_state=6)
    assert not a[1]["text"].equals(other[1]["text"]) or not a[0]["meeting_date"].equals(
        other[0]["meeting_date"]
    )
    small = scale_corpus((documents, turns), 2, random_state=5)[1]
    pd.testing.assert_frame_equal(a[1].iloc[: len(small)], small)  # the 2× corpus is part of the 3× one


@pytest.fixture(scope="module")
def seeds():
    from dxminutes.corpus.build import load_corpus

    return load_corpus(config.RAW_DIR)


def test_scaled_seed_corpus_has_factor_times_the_characters(seeds):
    docs, out = scale_corpus(seeds, 10, random_state=config.RANDOM_SEED)
    seed_chars = seeds.turns["n_chars"].sum()
    assert out["text"].str.len().sum() == out["n_chars"].sum()
    assert 9.5 * seed_chars <= out["n_chars"].sum() <= 11 * seed_chars
    n_seed_docs = seeds.turns["doc_id"].nunique()
    assert docs["synthetic"].sum() == 9 * n_seed_docs
    assert docs["municipality"].is_unique and out["turn_id"].is_unique


def test_round_trip_through_the_loader(seeds, tmp_path):
    from dxminutes.corpus.build import load_corpus

    docs, out = scale_corpus(seeds, 2, random_state=config.RANDOM_SEED)
    generated = docs[docs["synthetic"]]
    (tmp_path / "catalog.csv").write_text("file,municipality\nkeep.txt,残す市\n", encoding="utf-8")
    catalog = write_corpus_files(generated, out, tmp_path)
    loaded = load_corpus(tmp_path)
    assert loaded.failures.empty
    expected = out[out["doc_id"].isin(generated["doc_id"])].groupby("municipality").size()
    got = loaded.turns.groupby("municipality").size()
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
    for row in catalog.itertuples():
        assert hashlib.sha256((tmp_path / row.file).read_bytes()).hexdigest() == row.sha256
    assert (catalog.set_index("file")["sha256"] == generated.set_index("file")["sha256"]).all()
    written = pd.read_csv(tmp_path / "catalog.csv", dtype=str)
    assert "keep.txt" in set(written["file"]) and len(written) == len(generated) + 1
    assert set(loaded.documents["meeting_date"]) == set(generated["meeting_date"])
    # every role survives, `unknown` included (documents with lost marks use the ○/● legend)
    source = out[out["doc_id"].isin(generated["doc_id"])].sort_values("turn_id", kind="mergesort")
    reloaded = loaded.turns.sort_values("turn_id", kind="mergesort")
    assert "unknown" in set(source["role"])
    assert list(reloaded["role"]) == list(source["role"])
