"""Encodings: each seed re-encoded (cp932, EUC-JP, UTF-8 with BOM and CRLF) yields the same turns.

Some seed characters have no cp932 or EUC-JP code (listed in UNENCODABLE and checked below). They are
replaced by 〓 in both the re-encoded file and a UTF-8 reference written from the same replaced text,
so the comparison is between files that carry the same characters.
"""

from __future__ import annotations

import pytest

from dxminutes import config
from dxminutes.corpus.build import load_document

SEEDS = sorted(path.name for path in config.RAW_DIR.glob("*.txt"))
UNENCODABLE = {
    "cp932": {"样", "这", "查", "\u2014"},  # 样这 (流山, simplified forms), 查 (墨田), EM DASH (豊島)
    "euc_jp": {"样", "这", "查", "\u2014", "髙", "①", "②", "\uff0d", "\uff5e"},
}
TURN_COLUMNS = ["position", "speaker_label", "speaker", "role", "text"]


def seed_text(name):
    return (config.RAW_DIR / name).read_text(encoding="utf-8")


def encodable(char, encoding):
    try:
        char.encode(encoding, errors="strict")
    except UnicodeEncodeError:
        return False
    return True


def turns_of(path):
    corpus = load_document(path)
    assert corpus.failures.empty, corpus.failures.to_dict("records")
    return corpus.turns[TURN_COLUMNS]


@pytest.mark.parametrize("encoding", sorted(UNENCODABLE))
def test_the_unencodable_characters_are_the_known_ones(encoding):
    found = {char for name in SEEDS for char in set(seed_text(name)) if not encodable(char, encoding)}
    assert found == UNENCODABLE[encoding]


@pytest.mark.parametrize("encoding", sorted(UNENCODABLE))
@pytest.mark.parametrize("name", SEEDS)
def test_legacy_encoding_gives_the_same_turns(tmp_path, name, encoding):
    text = "".join(char if encodable(char, encoding) else "〓" for char in seed_text(name))
    (tmp_path / "utf8").mkdir()
    (tmp_path / encoding).mkdir()
    reference, legacy = tmp_path / "utf8" / name, tmp_path / encoding / name
    reference.write_bytes(text.encode("utf-8"))
    legacy.write_bytes(text.encode(encoding, errors="strict"))
    corpus = load_document(legacy)
    assert corpus.documents["encoding"].tolist() == [encoding]
    assert turns_of(legacy).equals(turns_of(reference))
    assert len(turns_of(legacy)) == len(turns_of(config.RAW_DIR / name))


@pytest.mark.parametrize("name", SEEDS)
def test_bom_and_crlf_give_the_same_turns(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(seed_text(name).replace("\n", "\r\n").encode("utf-8-sig"))
    corpus = load_document(path)
    assert corpus.documents["encoding"].tolist() == ["utf-8-sig"]
    assert turns_of(path).equals(turns_of(config.RAW_DIR / name))
