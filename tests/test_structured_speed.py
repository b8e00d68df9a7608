"""The columnar structured reader: a generated 20,000-row CSV gives the documents and turns a plain
Python reference computes, the csv-module path gives the same tables as pandas' C parser, and a
10 MB cell loads in `build`, `inspect` and `tokens` (the csv module's limit is 131,072 characters).
Speed itself is measured by the benchmark stage (`benchmarks/run.py --stage structured`), not here."""

from __future__ import annotations

import csv
import json
import random

import pandas as pd
import pytest

from dxminutes import cli
from dxminutes.corpus import structured
from dxminutes.corpus.build import inspect_file, load_corpus
from dxminutes.corpus.structured import read_structured, role_of

CITIES = ("前橋市", "高崎市", "桐生市", "水戸市")
SPEAKERS = (
    ("山田太郎", "議長"),
    ("佐藤花子", "議員"),
    ("鈴木一郎", "市長"),
    ("高橋次郎", "情報政策課長"),
    ("田中", ""),
)


def _generated(n_rows: int, seed: int = 7):
    """Rows (番号, 自治体名, 会議名, 開催日, 発言者, 役職, 発言内容, 備考) and the expected documents.

    Meetings of 37 rows; the meeting name is written on a meeting's first row only (blank below:
    it takes the value above); every 11th text is blank (skipped); the 番号 column is shuffled
    within a meeting, so the turns come in its order, not the file's.
    """
    rng = random.Random(seed)
    rows, expected = [], {}
    meeting = 0
    while len(rows) < n_rows:
        size = min(37, n_rows - len(rows))
        city = CITIES[meeting % len(CITIES)]
        title = f"令和5年第{meeting}回定例会"
        date = f"2023-{1 + meeting % 12:02d}-{1 + meeting % 28:02d}"
        numbers = list(range(1, size + 1))
        rng.shuffle(numbers)
        turns = []
        for i, number in enumerate(numbers):
            speaker, role = SPEAKERS[rng.randrange(len(SPEAKERS))]
            text = "" if (len(rows) + i) % 11 == 0 else f"発言{meeting}-{number}、デジタル化について。"
            rows.append(
                [str(number), city, title if i == 0 else "", date, speaker, role, text, f"memo{number}"]
            )
            if text:
                turns.append((number, speaker, role, text))
        turns.sort()
        expected[(city, title, date)] = turns
        meeting += 1
    return rows, expected


def _write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["番号", "自治体名", "会議名", "開催日", "発言者", "役職", "発言内容", "備考"])
        writer.writerows(rows)
    return path


def _check_against_reference(file: structured.StructuredFile, expected: dict) -> None:
    assert len(file.documents) == len(expected)
    for doc, ((city, title, date), turns) in zip(file.documents, expected.items(), strict=True):
        assert doc.metadata["municipality"] == city
        assert doc.metadata["meeting_title"] == title
        assert doc.metadata["meeting_date"] == date
        assert doc.turns["position"].tolist() == list(range(len(turns)))
        assert doc.turns["text"].tolist() == [text for _, _, _, text in turns]
        assert doc.turns["speaker"].tolist() == [speaker for _, speaker, _, _ in turns]
        assert doc.turns["speaker_label"].tolist() == [
            f"{speaker}({role})" if role else speaker for _, speaker, role, _ in turns
        ]
        assert doc.turns["role"].tolist() == [role_of(role, speaker) for _, speaker, role, _ in turns]
        assert doc.turns["備考"].tolist() == [f"memo{number}" for number, _, _, _ in turns]


def test_a_20000_row_csv_gives_the_reference_documents_and_turns(tmp_path):
    rows, expected = _generated(20_000)
    file = read_structured(_write(tmp_path / "gen.csv", rows))
    _check_against_reference(file, expected)
    n_blank = sum(1 for row in rows if not row[6])
    assert n_blank > 0
    skipped = sum(int(w.split()[0]) for doc in file.documents for w in doc.warnings if "without text" in w)
    assert skipped == n_blank


def test_the_csv_module_path_gives_the_same_tables_as_the_c_parser(tmp_path, monkeypatch):
    rows, expected = _generated(3_000, seed=3)
    path = _write(tmp_path / "gen.csv", rows)
    fast = read_structured(path)

    def refuse(*args, **kwargs):
        raise pd.errors.ParserError("refused for the test")

    monkeypatch.setattr(structured.pd, "read_csv", refuse)
    slow = read_structured(path)
    _check_against_reference(slow, expected)
    assert [d.key for d in fast.documents] == [d.key for d in slow.documents]
    assert [d.metadata for d in fast.documents] == [d.metadata for d in slow.documents]
    assert [d.warnings for d in fast.documents] == [d.warnings for d in slow.documents]
    for a, b in zip(fast.documents, slow.documents, strict=True):
        pd.testing.assert_frame_equal(a.turns, b.turns)


def test_the_load_keeps_every_row_of_the_generated_csv(tmp_path):
    rows, expected = _generated(20_000, seed=11)
    raw = tmp_path / "raw"
    raw.mkdir()
    _write(raw / "gen.csv", rows)
    corpus = load_corpus(raw)
    assert corpus.failures.empty
    assert len(corpus.documents) == len(expected)
    assert len(corpus.turns) == sum(len(turns) for turns in expected.values())
    assert corpus.documents["municipality"].tolist() == [city for city, _, _ in expected]


def test_rows_longer_than_the_header_are_cut_and_a_title_row_stays_non_speech(tmp_path):
    path = tmp_path / "ragged.tsv"
    path.write_text(
        "令和5年第3回定例会 発言一覧\t\t\t\t\n\n発言者\t発言内容\n山田議長\t開会します。\t余り\t余り\n佐藤\t質問します。\n",
        encoding="utf-8",
    )
    file = read_structured(path)
    (doc,) = file.documents
    assert doc.turns["text"].tolist() == ["開会します。", "質問します。"]
    assert list(doc.turns.columns) == ["position", "speaker_label", "speaker", "role", "text"]
    assert doc.non_speech == ("令和5年第3回定例会 発言一覧",)
    assert doc.metadata["meeting_title"] == "令和5年第3回定例会 発言一覧"


BIG_CHARS = 10_000_000 // 3 + 1  # 3 bytes per character in UTF-8: a cell of over 10 MB


@pytest.fixture(scope="module")
def big_cell(tmp_path_factory):
    raw = tmp_path_factory.mktemp("big") / "raw"
    raw.mkdir()
    unit = "デジタル化を進めます。"
    big = (unit * (BIG_CHARS // len(unit) + 1))[:BIG_CHARS]
    path = raw / "big.csv"
    path.write_text(f'発言者,発言内容\n山田議員,"{big}"\n佐藤市長,お答えします。\n', encoding="utf-8")
    assert len(big.encode("utf-8")) > 10_000_000
    return raw, path


def test_a_10_mb_cell_loads_in_build_and_inspect(big_cell, tmp_path, capsys):
    raw, path = big_cell
    assert cli.main(["build", "--quiet", "--data", str(raw), "--out", str(tmp_path / "processed")]) == 0
    assert "1 documents, 2 turns" in capsys.readouterr().out
    turns = pd.read_parquet(tmp_path / "processed" / "turns.parquet")
    assert turns["n_chars"].tolist() == [BIG_CHARS, len("お答えします。")]
    result = inspect_file(path)
    assert result["problem"] is None
    assert [len(turn["text"]) for turn in result["turns"]] == [BIG_CHARS, len("お答えします。")]


def test_a_10_mb_cell_loads_in_tokens(big_cell, monkeypatch, capsys):
    _, path = big_cell
    from dxminutes.text.tokenizer import JapaneseTokenizer

    # the loading is under test, not janome's speed on 3 million characters
    monkeypatch.setattr(JapaneseTokenizer, "__call__", lambda self, text: [text[:4], str(len(text))])
    assert cli.main(["tokens", "--quiet", "--json", str(path)]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["tokens"] for r in records] == [["デジタル", str(BIG_CHARS)], ["お答えし", "7"]]
