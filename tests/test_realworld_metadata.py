"""Metadata on real minutes nobody tuned for: tests/data/realworld/ (50 excerpts, truth.csv by hand).

Every file must load; at least 93% of municipalities (national bodies as `国`, prefectural bodies
as their prefecture) and of meeting dates must be right, where an empty truth must come out as
missing *with a warning* in the warnings table, never invented. Encoding and layout variants of
every file (cp932, UTF-8 with BOM and CRLF, spaced-out full-width text as PDF extraction writes
it) must give the same metadata.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dxminutes.corpus.build import load_corpus
from dxminutes.corpus.cleaning import clean
from dxminutes.corpus.metadata import document_metadata
from dxminutes.corpus.readers import read_raw

REALWORLD = Path(__file__).parent / "data" / "realworld"
THRESHOLD = 0.93
#: ASCII → full-width, as PDF extraction of Japanese layouts often writes digits and letters.
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    frame = pd.read_csv(REALWORLD / "truth.csv", dtype="str", keep_default_na=False)
    assert len(frame) >= 40
    return frame.set_index("file")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    # load_corpus, as `build` does; truth.csv, turns.csv and README.md are not minutes
    raw = tmp_path_factory.mktemp("realworld")
    for path in sorted(REALWORLD.glob("rw_*.txt")):
        (raw / path.name).write_bytes(path.read_bytes())
    return load_corpus(raw)


def metadata_of(path: Path, file: str | None = None):
    raw = read_raw(path)
    return document_metadata(clean(raw.text).text, file or path.name, None, raw_text=raw.text)


@pytest.fixture(scope="module")
def found(truth) -> pd.DataFrame:
    rows = []
    for file in truth.index:
        meta = metadata_of(REALWORLD / file)
        rows.append(
            {
                "file": file,
                "municipality": meta.municipality or "",
                "prefecture": meta.prefecture or "",
                "body_level": meta.body_level or "",
                "meeting_date": meta.meeting_date or "",
            }
        )
    return pd.DataFrame(rows).set_index("file")


def test_every_file_loads(corpus, truth):
    # a file may still lack recognizable speakers (segmentation's business), but it must read
    problems = corpus.failures.loc[corpus.failures["problem"] != "no recognizable speakers"]
    assert problems.empty, problems.to_dict("records")
    for file in truth.index:
        assert read_raw(REALWORLD / file).text.strip()


def accuracy(found, truth, column):
    right = found[column] == truth.loc[found.index, column]
    return right.mean(), sorted(found.index[~right])


@pytest.mark.parametrize("column", ["municipality", "meeting_date"])
def test_accuracy(found, truth, column):
    share, wrong = accuracy(found, truth, column)
    print(f"{column}: {share:.1%} right; wrong: {wrong}")
    assert share >= THRESHOLD, wrong


def test_prefecture_and_level_where_the_municipality_is_right(found, truth):
    right = found.index[found["municipality"] == truth.loc[found.index, "municipality"]]
    named = [f for f in right if truth.loc[f, "municipality"]]
    assert (found.loc[named, "prefecture"] == truth.loc[named, "prefecture"]).all()
    assert (found.loc[named, "body_level"] == truth.loc[named, "body_level"]).all()


@pytest.mark.parametrize("column", ["municipality", "meeting_date"])
def test_empty_truth_is_missing_with_a_warning(corpus, found, truth, column):
    empty = truth.index[truth[column] == ""]
    assert len(empty) > 0
    for file in empty:
        assert found.loc[file, column] == "", f"{file}: {column} invented"
        messages = corpus.warnings.loc[corpus.warnings["file"] == file, "message"]
        assert messages.str.contains(f"{column}.* missing: add to catalog.csv: {file},", regex=True).any(), (
            file
        )


def spaced_out(text: str) -> str:
    """`令和5年9月12日` → `令 和 5 年 9 月 1 2 日` with full-width digits, every line."""
    return "\n".join(" ".join(line.translate(FULL_WIDTH)) for line in text.split("\n"))


VARIANTS = {
    "cp932": lambda text: text.encode("cp932", errors="replace"),  # •, ⑴ have no cp932 form
    "bom-crlf": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    "spaced": lambda text: spaced_out(text).encode("utf-8"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variants_give_the_same_metadata(tmp_path, found, truth, variant):
    fields = ["municipality", "prefecture", "body_level", "meeting_date"]
    for file in truth.index:
        path = tmp_path / file
        path.write_bytes(VARIANTS[variant]((REALWORLD / file).read_text(encoding="utf-8")))
        meta = metadata_of(path)
        got = [getattr(meta, name) or "" for name in fields]
        assert got == found.loc[file, fields].tolist(), (variant, file)


@pytest.mark.parametrize("other", ["浜松市", "総務省"])
def test_places_named_in_the_discussion_do_not_become_the_body(truth, other):
    # Real minutes name other cities and ministries freely; where a name stands decides, not
    # how often it is named.
    talk = f"\n(委員){other}の事例では、{other}が先行しています。{other}長の発言もあり、{other}民の声も。\n"
    right = 0
    for file in truth.index:
        raw = read_raw(REALWORLD / file)
        meta = document_metadata(clean(raw.text).text + talk, file, None, raw_text=raw.text + talk)
        right += (meta.municipality or "") == truth.loc[file, "municipality"]
    assert right / len(truth) >= THRESHOLD
