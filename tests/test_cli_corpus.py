"""The `build` and `inspect` commands."""

from __future__ import annotations

import json

from dxminutes import config
from dxminutes.cli import main
from dxminutes.corpus.catalog import read_catalog

SEED = config.RAW_DIR / "nagareyama_2024-07-17_gyozaisei-kaikaku-shingikai.txt"


def test_inspect_json(capsys):
    assert main(["inspect", str(SEED), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"file", "format", "encoding", "metadata", "cleaning", "turns", "non_speech", "warnings"} <= set(
        result
    )
    assert result["file"] == "data/raw/" + SEED.name
    assert (result["format"], result["encoding"]) == ("txt", "utf-8")
    meta = result["metadata"]
    assert {
        "municipality",
        "prefecture",
        "body",
        "meeting",
        "date",
        "sources",
        "body_code",
        "body_level",
    } <= set(meta)
    assert (meta["municipality"], meta["prefecture"], meta["date"]) == ("流山市", "千葉県", "2024-07-17")
    assert meta["sources"]["municipality"] == "catalog"  # the catalog next to the file is applied
    assert result["turns"] and {"speaker", "speaker_label", "role", "text"} <= set(result["turns"][0])
    assert all({"step", "n_changes"} <= set(step) for step in result["cleaning"])
    assert str(config.PROJECT_DIR) not in json.dumps(result, ensure_ascii=False)


def test_inspect_json_keeps_japanese_readable(capsys):
    main(["inspect", str(SEED), "--json"])
    assert "流山市" in capsys.readouterr().out  # ensure_ascii=False


def test_inspect_summary(capsys):
    assert main(["inspect", str(SEED)]) == 0
    out = capsys.readouterr().out
    assert "流山市" in out and "2024-07-17" in out and "turns:" in out


def test_inspect_without_catalog_uses_the_text(tmp_path, capsys):
    path = tmp_path / SEED.name
    path.write_bytes(SEED.read_bytes())
    assert main(["inspect", str(path), "--json"]) == 0
    meta = json.loads(capsys.readouterr().out)["metadata"]
    assert (meta["municipality"], meta["date"]) == ("流山市", "2024-07-17")
    assert meta["sources"]["municipality"] == meta["sources"]["date"] == "text"


def test_inspect_bad_file(tmp_path, capsys):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert main(["inspect", str(path)]) == 1
    captured = capsys.readouterr()
    assert "empty.txt: empty file" in captured.err
    assert str(tmp_path) not in captured.err
    assert captured.out == ""


def test_build_command(tmp_path, capsys):
    assert main(["build", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{len(read_catalog(config.RAW_DIR))} documents" in out
    assert (tmp_path / "turns.parquet").exists()
