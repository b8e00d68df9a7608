"""Sentences of a turn: the unit at which themes and frames are coded.

A sentence ends after 。, ！, ？, ! or ? (with any closing brackets or quotes that follow, as in
`…です。」`) or at a line break; empty pieces are dropped. Offsets refer to the text as given, so
a match found in a sentence maps back to its turn.
"""

from __future__ import annotations

__all__ = ["SENTENCE_COLUMNS", "sentence_spans", "sentence_table", "split_sentences"]

import re

import pandas as pd

from dxminutes.schema import require_columns

_SENTENCE_END = re.compile(r"[。！？!?]+[」』）)\]】〕]*|\n+")

SENTENCE_COLUMNS = ("turn_id", "sentence", "start", "end", "text")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence of `text`, in order."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end() if not m.group().startswith("\n") else m.start()
        spans.append((start, end))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` (see the module docstring)."""
    return [text[s:e] for s, e in sentence_spans(text)]


def sentence_table(turns: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence of every turn: turn_id, sentence (0-based), start, end, text."""
    require_columns(turns, ("turn_id", "text"), "turns")
    rows: dict[str, list] = {c: [] for c in SENTENCE_COLUMNS}
    for turn_id, text in zip(turns["turn_id"].tolist(), turns["text"].fillna("").astype(str).tolist()):
        for i, (s, e) in enumerate(sentence_spans(text)):
            rows["turn_id"].append(turn_id)
            rows["sentence"].append(i)
            rows["start"].append(s)
            rows["end"].append(e)
            rows["text"].append(text[s:e])
    return pd.DataFrame(rows, columns=list(SENTENCE_COLUMNS)).astype(
        {"sentence": "int64", "start": "int64", "end": "int64"}
    )
