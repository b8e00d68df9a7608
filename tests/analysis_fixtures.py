"""Builders of small synthetic `turns` and `tokens` tables with known answers.

A plain module (not a conftest) so any analysis test can `from analysis_fixtures import ...`.
Texts are written as space-separated words, and `make_tokens` splits on whitespace, so the
token table is known exactly without running a tokenizer.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import pandas as pd

from dxminutes.corpus.build import load_corpus
from dxminutes.text.token_table import tokenize_turns

TURN_COLUMNS = [
    "turn_id",
    "doc_id",
    "municipality",
    "meeting_date",
    "position",
    "speaker_label",
    "speaker",
    "role",
    "text",
    "n_chars",
]
TOKEN_COLUMNS = ["turn_id", "doc_id", "municipality", "role", "i", "surface", "base", "pos", "term"]


def make_turns(rows: Iterable[tuple[str, str, str]], *, date: str = "2024-01-01") -> pd.DataFrame:
    """Turns from (municipality, role, text) triples; one document per municipality.

    doc_id is "doc-<municipality>", positions count up within each document, and the speaker
    is "<role>-<position>".
    """
    records, positions = [], {}
    for municipality, role, text in rows:
        doc_id = f"doc-{municipality}"
        position = positions.get(doc_id, 0)
        positions[doc_id] = position + 1
        records.append(
            {
                "turn_id": f"{doc_id}:{position:04d}",
                "doc_id": doc_id,
                "municipality": municipality,
                "meeting_date": date,
                "position": position,
                "speaker_label": f"({role})",
                "speaker": f"{role}-{position}",
                "role": role,
                "text": text,
                "n_chars": len(text),
            }
        )
    return pd.DataFrame(records, columns=TURN_COLUMNS)


def make_tokens(turns: pd.DataFrame) -> pd.DataFrame:
    """One token per whitespace-separated word of each turn (term = surface = base)."""
    records = []
    for turn in turns.itertuples(index=False):
        for i, word in enumerate(turn.text.split()):
            records.append(
                (
                    turn.turn_id,
                    turn.doc_id,
                    turn.municipality,
                    turn.role,
                    i,
                    word,
                    word,
                    "名詞,一般,*,*",
                    word,
                )
            )
    return pd.DataFrame(records, columns=TOKEN_COLUMNS)


def planted_corpus() -> pd.DataFrame:
    """Three municipalities with a planted emphasis (known answer).

    - 安全市 talks mostly about information security (10 of 12 turns mention セキュリティ);
    - 人材町 mostly about staffing (研修, 人材);
    - 格差村 mostly about the digital divide (高齢者, 窓口);
    every municipality mentions DX now and then.
    """
    rows = []
    for k in range(12):
        if k < 10:
            rows.append(
                (
                    "安全市",
                    "member" if k % 2 else "official",
                    f"情報 セキュリティ 対策 と サイバー 攻撃 の 監視 を 強化 {k}",
                )
            )
        else:
            rows.append(("安全市", "member", f"DX の 推進 計画 について {k}"))
    for k in range(12):
        if k < 8:
            rows.append(
                ("人材町", "official" if k % 2 else "member", f"人材 の 研修 と 育成 計画 を 進める {k}")
            )
        else:
            rows.append(("人材町", "member", f"DX の 推進 と 予算 {k}"))
    for k in range(12):
        if k < 8:
            rows.append(("格差村", "member", f"高齢者 の 窓口 支援 と 講習会 を 続ける {k}"))
        else:
            rows.append(("格差村", "official", f"DX の 推進 と 広報 {k}"))
    return make_turns(rows)


# --------------------------------------------------------------------------- the five seeds
SEED_MUNICIPALITIES = {"流山市", "長崎市", "武蔵村山市", "墨田区", "豊島区"}


@functools.lru_cache(maxsize=1)
def seed_turns() -> pd.DataFrame:
    """Turns of the five seed minutes via `corpus.load_corpus()`."""
    return load_corpus().turns


@functools.lru_cache(maxsize=1)
def seed_tokens() -> pd.DataFrame:
    """Tokens of the seed turns via `token_table.tokenize_turns` (no cache written)."""
    return tokenize_turns(seed_turns(), cache_dir=False)


def term_tokens(turns: dict[str, tuple[str, list[str]]], *, shuffle: bool = False) -> pd.DataFrame:
    """turn_id -> (municipality, terms) as a token table; `shuffle` checks the `i` ordering."""
    rows = [
        {
            "turn_id": tid,
            "doc_id": tid.split(":")[0],
            "municipality": muni,
            "role": "member",
            "i": i,
            "surface": t,
            "base": t,
            "pos": "名詞,一般,*,*",
            "term": t,
        }
        for tid, (muni, terms) in turns.items()
        for i, t in enumerate(terms)
    ]
    frame = pd.DataFrame(rows)
    return frame.sample(frac=1.0, random_state=0).reset_index(drop=True) if shuffle else frame
