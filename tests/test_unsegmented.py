"""Documents without a recognized speaker convention: loaded as one block, left out of speaker analyses."""

from __future__ import annotations

import pandas as pd
import pytest

from dxminutes.corpus.build import load_corpus
from dxminutes.corpus.segment import (
    UNKNOWN_SPEAKER,
    readable_text,
    segmented_turns,
    unsegmented,
    unsegmented_documents,
    unsegmented_note,
)

LABELLED = (
    "令和6年7月17日 流山市行財政改革審議会\n(小國会長)\nただいまから開会します。\n(青木委員)\n質問です。\n"
)
UNLABELLED = "令和6年7月18日 流山市行財政改革審議会\n本日の会議では、デジタル化の進捗が報告された。\n"


def test_unsegmented_block_has_a_known_answer():
    seg = unsegmented("  一行目。\n二行目。\n")
    assert seg.segmented is False
    assert seg.turns.to_dict("records") == [
        {
            "position": 0,
            "speaker_label": "",
            "speaker": UNKNOWN_SPEAKER,
            "role": "unknown",
            "text": "一行目。\n二行目。",
        }
    ]
    assert seg.non_speech.empty and len(seg.warnings) == 1


@pytest.mark.parametrize(
    ("text", "readable"),
    [
        ("本日の会議では報告がありました。", True),
        ("ただいま。", False),  # fewer than 10 kana and kanji
        ("資料" + "0123456789" * 5, False),  # mostly digits
        ("=== ### ---", False),
    ],
)
def test_readable_text(text, readable):
    assert readable_text(text) is readable


def test_corpus_keeps_both_and_speaker_analyses_leave_the_block_out(tmp_path):
    (tmp_path / "a.txt").write_text(LABELLED, encoding="utf-8")
    (tmp_path / "b.txt").write_text(UNLABELLED, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.failures.empty
    docs = corpus.documents.set_index("file")
    assert docs["segmented"].to_dict() == {"a.txt": True, "b.txt": False}
    assert docs.loc["b.txt", "municipality"] == "流山市" and docs.loc["b.txt", "meeting_date"] == "2024-07-18"
    assert len(corpus.turns) == 3  # the block counts in the corpus tables
    before = corpus.turns.copy()
    kept = segmented_turns(corpus.turns, corpus.documents)
    pd.testing.assert_frame_equal(corpus.turns, before)  # inputs are not changed
    assert kept["doc_id"].unique().tolist() == ["a"]
    assert kept["speaker"].tolist() == ["小國", "青木"]
    pd.testing.assert_frame_equal(segmented_turns(corpus), kept)  # a corpus alone works too
    assert unsegmented_documents(corpus.documents)["file"].tolist() == ["b.txt"]
    note = unsegmented_note(corpus.documents)
    assert note.startswith("1 document(s) loaded without speaker turns") and "b.txt" in note
    assert unsegmented_note(corpus.documents.iloc[:1]) == ""


def test_documents_without_the_column_are_a_clear_error():
    with pytest.raises(ValueError, match="segmented"):
        segmented_turns(pd.DataFrame({"doc_id": ["a"]}), pd.DataFrame({"doc_id": ["a"], "file": ["a.txt"]}))
