"""Bad input: each problem gives a clear error naming the file, and `build` goes on past it."""

from __future__ import annotations

import hashlib

import matplotlib
import pytest

from dxminutes import config
from dxminutes.cli import main
from dxminutes.corpus.build import build, load_corpus, load_document
from dxminutes.corpus.dates import DateError, parse_date
from dxminutes.corpus.readers import InputError, read_raw
from dxminutes.corpus.segment import UNSEGMENTED_WARNING

matplotlib.use("Agg")

SEED = "nagasaki_2022-03-30_gyosei-kaikaku-shingikai.txt"


def empty_pdf(path):
    from matplotlib import pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path) as pdf:
        figure = plt.figure()
        pdf.savefig(figure)
        plt.close(figure)


BAD_FILES = {
    "empty.txt": (lambda path: path.write_bytes(b""), "empty file"),
    "binary.txt": (
        lambda path: path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        "binary file",
    ),
    "undecodable.txt": (
        # most of the file is undecodable: a few stray bytes would load with a warning instead
        lambda path: path.write_bytes("本日は会議です。".encode() + b"\xff\xfd\x80" * 20),
        "undecodable bytes: byte 0xff at offset 24",
    ),
    "scanned.pdf": (empty_pdf, "no text layer (scanned PDF?)"),
    "minutes.docx": (
        lambda path: path.write_bytes(b"PK\x03\x04 not really a docx"),
        "not a readable Word .docx file",
    ),
    "minutes.rtf": (
        lambda path: path.write_bytes(b"{\\rtf1 not supported}"),
        "unknown format '.rtf'",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_raises_a_clear_error(tmp_path, name):
    make, problem = BAD_FILES[name]
    path = tmp_path / name
    make(path)
    with pytest.raises(InputError) as info:
        read_raw(path)
    assert problem in info.value.problem
    assert str(info.value).startswith(f"{name}: ")
    assert str(tmp_path) not in str(info.value)


def test_whitespace_only_file_is_empty(tmp_path):
    (tmp_path / "blank.txt").write_bytes(" \r\n\n\u3000\n".encode("utf-8"))
    with pytest.raises(InputError, match="empty file"):
        read_raw(tmp_path / "blank.txt")


PROSE = (
    "千葉県流山市行財政改革審議会\n令和6年7月17日\n"
    "本市では行政のデジタル化を進めています。\n詳しくは担当課までお問い合わせください。\n"
)


def test_readable_text_without_speakers_is_one_unsegmented_block(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text(PROSE, encoding="utf-8")
    corpus = load_document(path)
    assert corpus.failures.empty
    doc = corpus.documents.iloc[0]
    assert (doc["municipality"], doc["meeting_date"], doc["n_turns"]) == ("流山市", "2024-07-17", 1)
    assert not doc["segmented"]
    turn = corpus.turns.iloc[0]
    assert (turn["speaker"], turn["role"], turn["speaker_label"]) == ("不明", "unknown", "")
    # nothing is lost: the block is the whole cleaned text, in order
    assert turn["text"].startswith("千葉県流山市") and turn["text"].endswith("お問い合わせください。")
    assert corpus.non_speech.empty
    messages = corpus.warnings.loc[corpus.warnings["file"] == "prose.txt", "message"].tolist()
    assert [m for m in messages if "unsegmented" in m] == [UNSEGMENTED_WARNING]
    assert "Declaring a convention" in UNSEGMENTED_WARNING


@pytest.mark.parametrize(
    "junk",
    [
        "<<<>>> ### 12345 \n---- ==== 678 ####\n",  # symbols and digits
        "abc def ghi jkl mno\npqr stu vwx yz 0123\n",  # no Japanese at all
        "資料 " + "x" * 200 + "\n",  # two kanji in a sea of ASCII
    ],
)
def test_junk_still_fails_with_a_clear_message(tmp_path, junk):
    path = tmp_path / "junk.txt"
    path.write_text(junk, encoding="utf-8")
    corpus = load_document(path)
    assert corpus.failures.to_dict("records") == [
        {"file": "junk.txt", "problem": "no recognizable speakers and no readable Japanese text"}
    ]
    assert corpus.documents.empty and corpus.turns.empty


def test_unknown_era_in_the_date_parser():
    with pytest.raises(DateError, match="unknown era '光文'"):
        parse_date("光文5年1月1日")


def digest(folder):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_build_goes_on_past_bad_files_and_leaves_inputs_unchanged(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    (raw / SEED).write_bytes((config.RAW_DIR / SEED).read_bytes())
    for name, (make, _) in BAD_FILES.items():
        make(raw / name)
    (raw / "prose.txt").write_text("本市では行政のデジタル化を進めています。\n", encoding="utf-8")
    (raw / "README.md").write_text("not minutes\n", encoding="utf-8")
    before = digest(raw)

    corpus = load_corpus(raw)
    # readable text without speakers is loaded as one unsegmented block, not dropped
    assert corpus.documents["file"].tolist() == [SEED, "prose.txt"]
    assert corpus.documents["segmented"].tolist() == [True, False]
    assert sorted(corpus.failures["file"]) == sorted(BAD_FILES)

    code = main(["build", "--data", str(raw), "--out", str(out)])
    assert code != 0
    err = capsys.readouterr().err
    for name in [*BAD_FILES, "prose.txt"]:  # prose.txt: its unsegmented warning
        assert name in err
    assert "README.md" not in err
    assert digest(raw) == before  # nothing modified, nothing added in the raw folder
    assert (out / "documents.parquet").exists() and (out / "failures.parquet").exists()
    assert build(raw, out).documents["file"].tolist() == [SEED, "prose.txt"]
