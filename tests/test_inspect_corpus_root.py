"""`inspect FILE` reads the catalog.csv and dxminutes.toml of the corpus folder the build would use
(`--data`, else the nearest folder above FILE that holds one) and agrees with the build on that file."""

from __future__ import annotations

import json

from conftest import WORKSHOP, WORKSHOP_FILE

from dxminutes.cli import main
from dxminutes.corpus import build
from dxminutes.corpus.convention import CONVENTION_FILE

# The workshop corpus (`corpus_root`) is the shared fixture of conftest.py: neither
# `ファシリテーター:` nor `参加者A:` is a speaker mark the built-in conventions know, and the text
# names no municipality and no date.
FILE = WORKSHOP_FILE
TURN_KEYS = ("speaker", "speaker_label", "role", "text")


def _build_view(root):
    corpus = build.load_corpus(root)
    assert corpus.failures.empty, corpus.failures
    document = corpus.documents.set_index("file").loc[FILE]
    turns = corpus.turns.loc[corpus.turns["doc_id"] == document["doc_id"]].sort_values("position")
    return document, [dict(zip(TURN_KEYS, row)) for row in turns[list(TURN_KEYS)].itertuples(index=False)]


def test_inspect_of_a_file_in_a_sub_folder_reads_the_corpus_root(corpus_root):
    result = build.inspect_file(corpus_root / FILE)
    assert [(t["speaker"], t["role"]) for t in result["turns"]] == [
        ("ファシリテーター", "chair"),
        ("参加者A", "member"),
        ("参加者B", "member"),
        ("ファシリテーター", "chair"),
    ]
    meta = result["metadata"]
    assert (meta["municipality"], meta["prefecture"], meta["date"]) == ("北区", "東京都", "2024-05-10")
    assert meta["meeting"] == "第1回ワークショップ"
    assert (meta["body"], meta["record_kind"]) == ("北区まちづくり協議会", "summary")  # the toml's glob
    assert meta["sources"]["municipality"] == "catalog"
    assert result["corpus"] == {"folder": "minutes", "read": ["catalog.csv", CONVENTION_FILE]}
    assert result["problem"] is None


def test_inspect_and_build_agree_on_the_file(corpus_root):
    document, build_turns = _build_view(corpus_root)
    for data_dir in (None, corpus_root):
        result = build.inspect_file(corpus_root / FILE, data_dir)
        assert result["turns"] == build_turns
        meta = result["metadata"]
        assert meta["municipality"] == document["municipality"] == "北区"
        assert meta["date"] == document["meeting_date"]
        assert meta["body"] == document["body"]
        assert meta["meeting"] == document["meeting_title"]
        assert meta["record_kind"] == document["record_kind"]
        assert result["sha256"] == document["sha256"]
        assert result["n_chars"] == document["n_chars"]
        assert len(result["non_speech"]) == document["n_non_speech"]


def test_without_the_corpus_files_the_speakers_are_not_found(tmp_path, corpus_root):
    # the control: the same bytes alone in a folder give none of the declared speakers
    alone = tmp_path / "alone" / "workshop.txt"
    alone.parent.mkdir()
    alone.write_bytes((corpus_root / FILE).read_bytes())
    result = build.inspect_file(alone)
    assert not {"参加者A", "参加者B"} & {t["speaker"] for t in result["turns"]}
    assert result["metadata"]["municipality"] != "北区"
    assert result["corpus"]["read"] == []


def test_the_nearest_folder_with_a_catalog_wins_and_data_overrides_it(corpus_root):
    nearer = corpus_root / "kita"
    (nearer / "catalog.csv").write_text(
        "file,municipality,prefecture,body,meeting_title,meeting_date,record_kind,sha256\n"
        "2024/workshop.txt,板橋区,東京都,,,2024-06-01,,\n",
        encoding="utf-8",
    )
    result = build.inspect_file(corpus_root / FILE)
    assert result["metadata"]["municipality"] == "板橋区"  # kita/catalog.csv, file named 2024/workshop.txt
    assert "参加者A" not in {t["speaker"] for t in result["turns"]}  # kita/ has no dxminutes.toml
    result = build.inspect_file(corpus_root / FILE, corpus_root)
    assert result["metadata"]["municipality"] == "北区"
    assert "参加者A" in {t["speaker"] for t in result["turns"]}


def test_the_search_stops_at_the_repository_root(tmp_path):
    (tmp_path / "catalog.csv").write_text(
        "file,municipality,prefecture,body,meeting_title,meeting_date,record_kind,sha256\n"
        "repo/sub/workshop.txt,北区,東京都,,,2024-05-10,,\n",
        encoding="utf-8",
    )
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "sub").mkdir()
    path = tmp_path / "repo" / "sub" / "workshop.txt"
    path.write_text(WORKSHOP, encoding="utf-8")
    assert build.corpus_root(path) == path.parent
    assert build.inspect_file(path)["metadata"]["municipality"] != "北区"
    assert build.corpus_root(path, tmp_path) == tmp_path  # --data still reaches above it


def test_inspect_command_with_and_without_data(corpus_root, tmp_path, capsys):
    assert main(["inspect", str(corpus_root / FILE), "--json"]) == 0
    by_search = json.loads(capsys.readouterr().out)
    assert main(["inspect", str(corpus_root / FILE), "--data", str(corpus_root), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == by_search
    assert str(tmp_path) not in json.dumps(by_search, ensure_ascii=False)
    assert main(["inspect", str(corpus_root / FILE)]) == 0
    out = capsys.readouterr().out
    assert "北区  [catalog]" in out and "turns: 4" in out and "corpus        minutes" in out


def test_inspect_command_with_a_file_outside_data_is_one_error(corpus_root, tmp_path, capsys):
    other = tmp_path / "other"
    other.mkdir()
    assert main(["inspect", str(corpus_root / FILE), "--data", str(other)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines() == ["error: workshop.txt: not inside the data folder other"]
    assert main(["inspect", str(corpus_root / FILE), "--data", str(tmp_path / "missing")]) == 1
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: workshop.txt: data folder not found: missing"
    ]


def test_tokens_reads_the_corpus_root_like_inspect(corpus_root, capsys):
    """`tokens FILE` takes its turns from the same path as `inspect`, so both see the declared convention."""
    assert main(["tokens", str(corpus_root / FILE), "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["speaker"], r["role"]) for r in records] == [
        (t["speaker"], t["role"]) for t in build.inspect_file(corpus_root / FILE)["turns"]
    ]
    assert "窓口" in records[0]["tokens"] and "高齢" in records[2]["tokens"]
    # A copy of the file outside the corpus folder has no declared convention: its speakers are not found.
    alone = corpus_root.parent / "alone.txt"
    alone.write_text(WORKSHOP, encoding="utf-8")
    capsys.readouterr()
    code = main(["tokens", str(alone), "--data", str(corpus_root.parent), "--json"])
    found = json.loads(capsys.readouterr().out or "[]") if code == 0 else []
    assert "参加者A" not in {r["speaker"] for r in found}
