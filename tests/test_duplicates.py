"""Duplicate documents: the same minutes saved twice are counted once, listed, warned about and shown."""

from __future__ import annotations

import copy
import random

import pandas as pd
import pytest

from dxminutes import config
from dxminutes.corpus import duplicates
from dxminutes.corpus.build import build, load_corpus, read_processed
from dxminutes.corpus.duplicates import (
    comparison_text,
    drop_duplicates,
    find_duplicates,
    jaccard,
    shingle_hashes,
)
from dxminutes.report import landing

HEADER = "柏原市行政改革推進委員会 会議録\n令和6年{month}月{day}日\n"


def minutes(month: int, day: int, topics: list[str]) -> str:
    """A small meeting of one body: the same header and chair lines, its own discussion."""
    lines = [HEADER.format(month=month, day=day), "○委員長(山田太郎君) ただいまから会議を開きます。"]
    for i, topic in enumerate(topics):
        lines.append(f"○佐藤委員 {topic}について伺います。現状と今後の見通しをお聞かせください。")
        lines.append(
            f"○事務局(田中課長) {topic}につきましては、{i + 2}月に方針を取りまとめ、順次進めております。"
        )
    lines.append("○委員長(山田太郎君) 以上で本日の会議を閉じます。")
    return "\n".join(lines) + "\n"


TOPICS_A = [
    "窓口のオンライン化",
    "庁内のペーパーレス",
    "情報セキュリティ研修",
    "デジタル人材の確保",
    "高齢者向けのスマホ教室",
]
TOPICS_B = ["公共施設の再編", "補助金の見直し", "指定管理者の評価", "職員の働き方改革", "市民参加の手続"]
FIRST = minutes(7, 17, TOPICS_A)


def set_jaccard(a: str, b: str, k: int) -> float:
    def grams(t):
        return {t[i : i + k] for i in range(len(t) - k + 1)} or {t}

    x, y = grams(a), grams(b)
    return len(x & y) / len(x | y)


# --- the comparison itself ------------------------------------------------------------------


def test_shingle_jaccard_known_answers():
    assert jaccard(shingle_hashes("abcdef", 5), shingle_hashes("abcdeg", 5)) == pytest.approx(
        1 / 3, abs=1e-12
    )
    assert jaccard(shingle_hashes("abcdef", 5), shingle_hashes("abcdef", 5)) == 1.0
    assert len(shingle_hashes("abc", 5)) == 1  # a text shorter than k is one shingle
    assert jaccard(shingle_hashes("abc", 5), shingle_hashes("abd", 5)) == 0.0


def test_hashed_jaccard_equals_the_set_jaccard():
    rng = random.Random(3)
    alphabet = "市民委員長会議デジタル化の推進とセキュリティ対策について"
    for _ in range(30):
        a = "".join(rng.choices(alphabet, k=rng.randint(20, 400)))
        b = list(a)
        for _ in range(rng.randint(0, 20)):
            b[rng.randrange(len(b))] = rng.choice(alphabet)
        b = "".join(b)
        assert jaccard(shingle_hashes(a, 5), shingle_hashes(b, 5)) == pytest.approx(
            set_jaccard(a, b, 5), abs=1e-12
        )


def test_comparison_text_ignores_whitespace_only():
    assert comparison_text(["委員長 開会\n", "します。"]) == "委員長開会します。"


def test_near_copies_above_the_threshold_are_all_found_and_those_below_are_not():
    """LSH is only a prefilter: every pair at or above the threshold is found (checked exactly)."""
    rng = random.Random(11)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    texts, expected = [], {}
    for n in range(40):
        base = "".join(rng.choices(alphabet, k=3000))
        copy_ = list(base)
        for position in rng.sample(range(len(base)), rng.randint(0, 40)):
            copy_[position] = rng.choice(alphabet)
        copy_ = "".join(copy_)
        texts += [(f"a{n}", f"{n:03d}a.txt", base), (f"b{n}", f"{n:03d}b.txt", copy_)]
        expected[f"b{n}"] = set_jaccard(base, copy_, config.DUPLICATE_SHINGLE_CHARS)
    found = {dup.dropped: dup for dup in find_duplicates(texts)[0]}
    for dropped, similarity in expected.items():
        if similarity >= config.DUPLICATE_MIN_JACCARD:
            assert dropped in found, (dropped, similarity)
            assert found[dropped].similarity == pytest.approx(similarity, abs=1e-4)
            assert found[dropped].kind == ("identical" if similarity == 1.0 else "near")
        else:
            assert dropped not in found, (dropped, similarity)
    assert any(s < config.DUPLICATE_MIN_JACCARD for s in expected.values())  # both sides were tried
    assert sum(s >= config.DUPLICATE_MIN_JACCARD for s in expected.values()) >= 10
    assert not {dup.dropped for dup in found.values()} & {f"a{n}" for n in range(40)}


def test_the_first_by_file_name_is_kept_whatever_the_input_order():
    text = minutes(7, 17, TOPICS_A)
    (dup,), conflicts = find_duplicates([("z", "b.txt", text), ("y", "a.txt", text)])
    assert conflicts == []
    assert (dup.kept, dup.dropped, dup.kind, dup.similarity) == ("y", "z", "identical", 1.0)


def test_drop_duplicates_does_not_change_its_input():
    rows = {
        "documents": [{"doc_id": "a", "file": "a.txt"}, {"doc_id": "b", "file": "b.txt"}],
        "turns": [
            {"doc_id": "a", "speaker_label": "○委員", "text": "同じ発言です。"},
            {"doc_id": "b", "speaker_label": "○委員", "text": "同じ発言です。"},
        ],
        "non_speech": [],
        "cleaning": [{"doc_id": "a"}, {"doc_id": "b"}],
        "failures": [],
        "warnings": [],
    }
    before = copy.deepcopy(rows)
    out = drop_duplicates(rows)
    assert rows == before
    assert [d["doc_id"] for d in out["documents"]] == ["a"] and out["cleaning"] == [{"doc_id": "a"}]
    assert [w["file"] for w in out["warnings"]] == ["b.txt"]


# --- through the loader ---------------------------------------------------------------------


def test_a_file_saved_twice_in_two_encodings_is_counted_once(tmp_path):
    (tmp_path / "kashiwara_2024-07-17.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "kashiwara_2024-07-17_sjis.txt").write_bytes(FIRST.replace("\n", "\r\n").encode("cp932"))
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents["file"]) == ["kashiwara_2024-07-17.txt"]
    assert set(corpus.turns["doc_id"]) == {"kashiwara_2024-07-17"}
    assert set(corpus.cleaning["doc_id"]) == {"kashiwara_2024-07-17"}
    assert corpus.duplicates.to_dict("records") == [
        {
            "kept_file": "kashiwara_2024-07-17.txt",
            "dropped_file": "kashiwara_2024-07-17_sjis.txt",
            "similarity": 1.0,
            "kind": "identical",
            "kept_doc_id": "kashiwara_2024-07-17",
            "dropped_doc_id": "kashiwara_2024-07-17_sjis",
        }
    ]
    (warning,) = corpus.warnings.loc[corpus.warnings["file"] == "kashiwara_2024-07-17_sjis.txt", "message"]
    assert "duplicate of kashiwara_2024-07-17.txt" in warning


def test_a_near_copy_is_near(tmp_path):
    near = FIRST.replace("順次進めております", "順次進めています", 1).replace("見通し", "見込み", 1)
    assert near != FIRST
    (tmp_path / "a.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "b.txt").write_text(near, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    (row,) = corpus.duplicates.to_dict("records")
    assert (row["kept_file"], row["dropped_file"], row["kind"]) == ("a.txt", "b.txt", "near")
    assert config.DUPLICATE_MIN_JACCARD <= row["similarity"] < 1.0
    assert list(corpus.documents["file"]) == ["a.txt"]


def test_two_meetings_of_the_same_body_are_not_duplicates(tmp_path):
    (tmp_path / "a.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "b.txt").write_text(minutes(9, 2, TOPICS_B), encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.duplicates.empty
    assert list(corpus.documents["file"]) == ["a.txt", "b.txt"]
    assert set(corpus.documents["municipality"]) == {"柏原市"}


def test_the_seeds_have_no_duplicates():
    corpus = load_corpus(config.RAW_DIR)
    assert len(corpus.documents) == 5
    assert corpus.duplicates.empty and list(corpus.duplicates.columns) == [
        "kept_file",
        "dropped_file",
        "similarity",
        "kind",
        "kept_doc_id",
        "dropped_doc_id",
    ]


def test_build_publishes_the_duplicates_table(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(FIRST, encoding="utf-8")
    (raw / "b.txt").write_text(FIRST, encoding="utf-8")
    build(raw, tmp_path / "processed")
    published = read_processed(tmp_path / "processed")
    assert published.duplicates[["kept_file", "dropped_file", "kind"]].values.tolist() == [
        ["a.txt", "b.txt", "identical"]
    ]
    assert published.duplicates["similarity"].dtype == "float64"


# --- on the landing page --------------------------------------------------------------------


def test_landing_page_lists_duplicates_escaped(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    pd.DataFrame({"doc_id": ["a"], "municipality": ["柏原市"], "meeting_date": ["2024-07-17"]}).to_parquet(
        processed / "documents.parquet"
    )
    pd.DataFrame({"turn_id": ["a:0000"]}).to_parquet(processed / "turns.parquet")
    pd.DataFrame(
        {
            "kept_file": ["a<b>.txt", "fuchu.csv"],
            "dropped_file": ["a&copy.txt", "fuchu.csv"],
            "similarity": [0.93125, 1.0],
            "kind": ["near", "identical"],
            "kept_doc_id": ["a<b>", "fuchu-001"],
            "dropped_doc_id": ["a&copy", "fuchu-002"],
        }
    ).to_parquet(processed / "duplicates.parquet")
    page = landing.write_landing(
        tmp_path / "out", entries=[], parameters={}, processed_dir=processed, raw_dir=tmp_path / "raw"
    ).read_text(encoding="utf-8")
    assert "重複文書 / Duplicate documents" in page
    assert "<td>a&lt;b&gt;.txt</td><td>a&amp;copy.txt</td><td>0.9313</td><td>near</td>" in page
    assert "a<b>.txt" not in page
    assert (
        "<td>fuchu.csv (fuchu-001)</td><td>fuchu.csv (fuchu-002)</td><td>1.0000</td><td>identical</td>"
        in page
    )
    assert "<th>重複文書 / duplicate documents</th><td>2</td>" in page


def test_landing_page_without_a_duplicates_table(tmp_path):
    processed = tmp_path / "processed"
    processed.mkdir()
    pd.DataFrame({"doc_id": ["a"], "municipality": ["柏原市"], "meeting_date": ["2024-07-17"]}).to_parquet(
        processed / "documents.parquet"
    )
    pd.DataFrame({"turn_id": ["a:0000"]}).to_parquet(processed / "turns.parquet")
    summary = landing.read_corpus_summary(processed)
    assert summary["duplicates"] == []


def test_signature_chunking_does_not_change_the_result(monkeypatch):
    text = "".join(random.Random(5).choices([chr(c) for c in range(0x4E00, 0x5E00)], k=9000))
    hashes = shingle_hashes(text)
    permutations = duplicates._permutations()
    whole = duplicates._band_keys(hashes, *permutations)
    monkeypatch.setattr(duplicates, "SIGNATURE_CHUNK", 1000)
    assert duplicates._band_keys(hashes, *permutations) == whole


def test_the_same_text_recorded_as_two_meetings_is_kept_twice_with_a_warning(tmp_path):
    """A catalog that files the same text under two dates: both documents count, the user is told."""
    (tmp_path / "a.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "b.txt").write_text(FIRST, encoding="utf-8")
    (tmp_path / "catalog.csv").write_text("file,meeting_date\nb.txt,2024-09-02\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.documents["file"].tolist() == ["a.txt", "b.txt"]
    assert corpus.documents["meeting_date"].tolist() == ["2024-07-17", "2024-09-02"]
    assert corpus.duplicates.empty
    messages = corpus.warnings.loc[corpus.warnings["file"] == "b.txt", "message"].tolist()
    assert any(
        "the same text as a.txt" in m
        and "meeting_date 2024-09-02 vs 2024-07-17" in m
        and "both are counted" in m
        for m in messages
    ), messages


def test_an_unknown_value_conflicts_with_nothing():
    text = minutes(7, 17, TOPICS_A)
    found, conflicts = find_duplicates(
        [("a", "a.txt", text), ("b", "b.txt", text), ("c", "c.txt", text)],
        metadata={
            "a": {"municipality": "柏原市", "meeting_date": "2024-07-17"},
            "b": {"municipality": "(不明)", "meeting_date": None},
            "c": {"municipality": "八尾市", "meeting_date": "2024-07-17"},
        },
    )
    assert [(d.kept, d.dropped) for d in found] == [("a", "b")]
    assert [(d.kept, d.dropped) for d in conflicts] == [("a", "c")]


def test_messages_name_the_document_of_a_file_that_holds_several():
    rows = {
        "documents": [
            {"doc_id": "two-001", "file": "two.json", "municipality": "国", "meeting_date": "2023-03-15"},
            {"doc_id": "two-002", "file": "two.json", "municipality": "国", "meeting_date": "2023-03-16"},
            {"doc_id": "two-003", "file": "two.json", "municipality": "国", "meeting_date": "2023-03-15"},
        ],
        "turns": [
            {"doc_id": d, "speaker_label": "○委員長", "text": "ただいまから会議を開きます。"}
            for d in ("two-001", "two-002", "two-003")
        ],
        "non_speech": [],
        "warnings": [],
    }
    out = drop_duplicates(rows)
    assert [d["doc_id"] for d in out["documents"]] == ["two-001", "two-002"]
    assert [r["dropped_doc_id"] for r in out["duplicates"]] == ["two-003"]
    messages = sorted(w["message"] for w in out["warnings"])
    assert messages[0].startswith(
        "document two-002: the same text as two.json (document two-001), but recorded"
    )
    assert messages[1].startswith("document two-003: left out as a duplicate of two.json (document two-001)")
