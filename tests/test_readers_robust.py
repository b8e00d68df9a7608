"""readers: a few bad bytes are replaced with a warning, UTF-16 without a BOM, non-regular files, .docx."""

from __future__ import annotations

import os
import re

import pytest

from dxminutes import config
from dxminutes.corpus.readers import InputError, read_raw

SEED = "nagasaki_2022-03-30_gyosei-kaikaku-shingikai.txt"
TEXT = "○議長(山田太郎君) 本日の会議を開きます。\n○委員(佐藤花子) DXの推進について質問します。\n"


def seed_text() -> str:
    return (config.RAW_DIR / SEED).read_text(encoding="utf-8")


def offsets(warning: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", warning.split("offset(s)")[1])]


def test_truncated_last_character_is_replaced_with_its_offset(tmp_path):
    data = TEXT.encode("utf-8") + "議".encode()[:2]  # cut in the middle of a character
    (tmp_path / "cut.txt").write_bytes(data)
    raw = read_raw(tmp_path / "cut.txt")
    assert raw.encoding == "utf-8"
    assert raw.text.startswith(TEXT) and raw.text.endswith("\ufffd")
    assert len(raw.warnings) == 1 and offsets(raw.warnings[0]) == [len(TEXT.encode("utf-8"))]


# 0xff starts no UTF-8 character; 0x85 is an unassigned cp932 lead byte (Python's cp932 maps
# 0xa0 and 0xfd-0xff to private-use characters, so those decode).
@pytest.mark.parametrize(("encoding", "stray"), [("utf-8", b"\xff"), ("cp932", b"\x85")])
def test_a_stray_byte_from_another_encoding_is_replaced(tmp_path, encoding, stray):
    body = seed_text().encode(encoding, errors="replace")
    cut = body.index("会長".encode(encoding))
    data = body[:cut] + stray + body[cut:]
    (tmp_path / "stray.txt").write_bytes(data)
    raw = read_raw(tmp_path / "stray.txt")
    assert raw.encoding == encoding
    assert offsets(raw.warnings[0]) == [cut]
    assert raw.text.count("\ufffd") == 1
    assert raw.text.replace("\ufffd", "") == body.decode(encoding).replace("\r\n", "\n")


def test_mostly_undecodable_still_fails(tmp_path):
    (tmp_path / "junk.txt").write_bytes("議事録".encode() + b"\xff\xfe\xfd\xfc" * 30)
    with pytest.raises(InputError, match=r"junk\.txt: undecodable bytes"):
        read_raw(tmp_path / "junk.txt")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("kind", ["japanese", "ascii"])
def test_utf16_without_bom(tmp_path, encoding, kind):
    text = seed_text() if kind == "japanese" else "Minutes of the meeting\nChair: opened at 10:00.\n" * 5
    path = tmp_path / "u16.txt"
    path.write_bytes(text.encode(encoding))  # no BOM
    raw = read_raw(path)
    assert raw.encoding == encoding
    assert raw.text == text.replace("\r\n", "\n")


def test_cp932_text_is_not_taken_for_utf16(tmp_path):
    text = seed_text()[:2000]
    data = text.encode("cp932", errors="replace")
    data = data[: len(data) - len(data) % 2]  # an even length, as UTF-16 would need
    (tmp_path / "sjis.txt").write_bytes(data)
    assert read_raw(tmp_path / "sjis.txt").encoding == "cp932"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(InputError, match=r"pipe.txt: not a regular file \(a FIFO"):
        read_raw(tmp_path / "pipe.txt")


def test_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    with pytest.raises(InputError, match=r"a\.txt: symbolic link loop"):
        read_raw(tmp_path / "a.txt")


def test_a_folder_named_like_minutes_is_refused(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(InputError, match=r"folder.txt: not a regular file \(a folder\)"):
        read_raw(tmp_path / "folder.txt")


def test_docx_paragraphs_and_tables(tmp_path):
    import docx

    document = docx.Document()
    for line in TEXT.splitlines():
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "出席者"
    table.rows[0].cells[1].text = "佐藤花子"
    document.save(tmp_path / "minutes.docx")
    raw = read_raw(tmp_path / "minutes.docx")
    assert (raw.format, raw.encoding) == ("docx", "docx")
    assert raw.text == TEXT + "出席者\t佐藤花子"


def test_docx_minutes_are_segmented_like_text(tmp_path):
    import docx

    from dxminutes.corpus.build import load_document

    document = docx.Document()
    for line in [
        "第3回 流山市DX推進委員会 会議録",
        "日時 令和5年9月12日(火曜日) 午前10時",
        *TEXT.splitlines(),
    ]:
        document.add_paragraph(line)
    document.save(tmp_path / "minutes.docx")
    corpus = load_document(tmp_path / "minutes.docx")
    doc = corpus.documents.iloc[0]
    assert (doc["format"], doc["municipality"], doc["meeting_date"]) == ("docx", "流山市", "2023-09-12")
    assert corpus.turns["role"].tolist() == ["chair", "member"]


def test_build_loads_a_file_with_a_stray_byte_and_warns(tmp_path):
    from dxminutes.corpus.build import load_corpus

    body = seed_text().encode("utf-8")
    cut = body.index("会長".encode())
    (tmp_path / "stray.txt").write_bytes(body[:cut] + b"\xff" + body[cut:])
    corpus = load_corpus(tmp_path)
    assert corpus.documents["file"].tolist() == ["stray.txt"] and corpus.failures.empty
    messages = corpus.warnings.loc[corpus.warnings["file"] == "stray.txt", "message"].tolist()
    assert any(f"at byte offset(s) {cut}" in m for m in messages)
    assert corpus.documents["municipality"].tolist() == ["長崎市"]
    # beside the clean file it comes from, it is a near copy of it (one U+FFFD), counted once
    (tmp_path / "clean.txt").write_bytes(body)
    both = load_corpus(tmp_path)
    assert both.documents["file"].tolist() == ["clean.txt"]
    assert both.duplicates[["kept_file", "dropped_file", "kind"]].values.tolist() == [
        ["clean.txt", "stray.txt", "near"]
    ]
