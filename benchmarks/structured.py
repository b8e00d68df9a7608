"""The structured-input stage (`python benchmarks/run.py --stage structured`): generated CSV, TSV
and xlsx files of utterances, one per row, read with `read_structured` and loaded whole with
`load_corpus`; rows/s and the time per row at 100,000 rows against 1,000,000 (linearity).

The files are generated into a temporary folder (never tracked): 200 rows per meeting, 25
municipalities, columns 自治体名, 会議名, 開催日, 発言者, 役職, 発言内容 (60–160 characters of
Japanese per cell).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HEADER = ("自治体名", "会議名", "開催日", "発言者", "役職", "発言内容")
ROWS_PER_MEETING = 200
CITIES = tuple(f"{name}市" for name in "前橋 高崎 桐生 伊勢崎 太田 沼田 館林 渋川 藤岡 富岡 安中 みどり 水戸 日立 土浦 古河 石岡 結城 龍ケ崎 下妻 常総 常陸太田 高萩 北茨城 笠間".split())
SPEAKERS = (
    ("山田太郎", "議長"),
    ("佐藤花子", "議員"),
    ("鈴木一郎", "市長"),
    ("高橋次郎", "情報政策課長"),
    ("田中三郎", "委員"),
    ("伊藤四郎", "総務部長"),
)
PHRASES = (
    "デジタル・トランスフォーメーションの推進について伺います。",
    "情報セキュリティ対策の強化が必要と考えます。",
    "職員の人材育成とデジタル人材の確保について答弁いたします。",
    "高齢者のデジタルデバイド対策として、スマートフォン教室を開催しております。",
    "行政手続のオンライン化を進めてまいります。",
    "ただいまの質問にお答えいたします。",
    "本市の取組状況を御説明いたします。",
    "財源の確保が課題となっております。",
)


def rows(n: int, seed: int = 0):
    """`n` data rows (without the header), deterministic for a seed."""
    rng = random.Random(seed)
    for i in range(n):
        meeting = i // ROWS_PER_MEETING
        city = CITIES[meeting % len(CITIES)]
        year, month, day = 2020 + meeting // 300 % 5, 1 + meeting // 25 % 12, 1 + meeting % 28
        speaker, role = SPEAKERS[rng.randrange(len(SPEAKERS))]
        text = "".join(rng.choice(PHRASES) for _ in range(rng.randint(2, 5)))
        yield (city, f"令和{year - 2018}年第{1 + meeting % 4}回定例会", f"{year}-{month:02d}-{day:02d}", speaker, role, text)


def write_delimited(path: Path, n: int, delimiter: str = ",", seed: int = 0) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows(n, seed))
    return path


def write_xlsx(path: Path, n: int, seed: int = 0) -> Path:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("発言")
    sheet.append(HEADER)
    for row in rows(n, seed):
        sheet.append(row)
    book.save(path)
    return path
