"""readers: format dispatch, encoding detection, newline normalisation, clear errors."""

from __future__ import annotations

import hashlib

import pytest

from dxminutes.corpus.readers import InputError, RawText, japanese_score, read_raw

SENTENCE = "本日は、行政のデジタル化について御審議いただきます。情報セキュリティの確保が重要です。\n"


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_text_is_read_as_is(tmp_path):
    raw = read_raw(write(tmp_path, "a.txt", SENTENCE.encode("utf-8")))
    assert isinstance(raw, RawText)
    assert (raw.format, raw.encoding, raw.text) == ("txt", "utf-8", SENTENCE)
    assert raw.path == "a.txt"  # outside the project: the bare name, never an absolute path


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp"])
def test_legacy_japanese_encodings_are_detected(tmp_path, encoding):
    raw = read_raw(write(tmp_path, "a.txt", (SENTENCE * 3).encode(encoding)))
    assert raw.encoding == encoding
    assert raw.text == SENTENCE * 3


def test_bom_is_detected_and_removed(tmp_path):
    raw = read_raw(write(tmp_path, "a.txt", SENTENCE.encode("utf-8-sig")))
    assert raw.encoding == "utf-8-sig"
    assert raw.text == SENTENCE


def test_utf16_with_bom(tmp_path):
    raw = read_raw(write(tmp_path, "a.txt", SENTENCE.encode("utf-16")))
    assert (raw.encoding, raw.text) == ("utf-16", SENTENCE)


def test_crlf_and_lone_cr_become_lf(tmp_path):
    raw = read_raw(write(tmp_path, "a.txt", "一行目\r\n二行目\r三行目\n".encode()))
    assert raw.text == "一行目\n二行目\n三行目\n"


def test_html_meta_charset_is_used(tmp_path):
    html = '<html><head><meta charset="Shift_JIS"><title>会議録</title></head><body><p>(会長)開会します。</p></body></html>'
    raw = read_raw(write(tmp_path, "a.html", html.encode("cp932")))
    assert raw.format == "html"
    assert raw.encoding == "cp932"  # Shift_JIS as declared, read with its Windows superset
    assert "<p>(会長)開会します。</p>" in raw.text  # markup is kept for the cleaning step


def test_wrong_html_charset_falls_back_to_detection_with_a_warning(tmp_path):
    html = '<meta http-equiv="Content-Type" content="text/html; charset=euc-jp"><p>開会します。</p>'
    raw = read_raw(write(tmp_path, "a.htm", html.encode("utf-8")))
    assert raw.encoding == "utf-8"
    assert "開会します。" in raw.text
    assert any("euc" in warning for warning in raw.warnings)


def test_japanese_score_prefers_the_right_decoding():
    data = (SENTENCE * 2).encode("euc_jp")
    as_cp932 = data.decode("cp932", errors="replace")
    assert japanese_score(data.decode("euc_jp")) > japanese_score(as_cp932)


def test_error_names_the_file_but_not_its_absolute_path(tmp_path):
    path = write(tmp_path, "broken.txt", b"")
    with pytest.raises(InputError) as info:
        read_raw(path)
    assert "broken.txt" in str(info.value)
    assert str(tmp_path) not in str(info.value)
    assert info.value.problem == "empty file"


def test_reading_never_modifies_the_file(tmp_path):
    data = ("会議録\r\n" + SENTENCE).encode("cp932")
    path = write(tmp_path, "a.txt", data)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    read_raw(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
