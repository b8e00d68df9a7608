"""corpus: the seed minutes through load_corpus, the table contracts, build/read_processed, PDF and HTML files."""

from __future__ import annotations

import os

import matplotlib
import pandas as pd
import pytest

from dxminutes import config
from dxminutes.corpus.build import build, load_corpus, load_document, read_processed
from dxminutes.corpus.catalog import read_catalog

matplotlib.use("Agg")

# Turn counts counted by hand in the seed files (speaker labels as described in the seeds' README).
# 流山市: issue 2 states 119, the count of speaker lines in ASCII parentheses; the file also has
# three in full-width ones (raw lines 745, 749, 757: （小國会長） twice, （青木委員） once), which are
# real changes of speaker, so the loader finds 122 (see tests/test_segment.py::test_nagareyama).
TURNS = {"流山市": 122, "長崎市": 22, "墨田区": 31, "豊島区": 43}
MIN_TURNS = {"武蔵村山市": 45}

COLUMNS = {
    "documents": [
        "doc_id",
        "file",
        "format",
        "encoding",
        "municipality",
        "prefecture",
        "body",
        "meeting_title",
        "meeting_date",
        "record_kind",
        "body_code",
        "body_level",
        "sha256",
        "municipality_source",
        "prefecture_source",
        "body_source",
        "meeting_title_source",
        "meeting_date_source",
        "record_kind_source",
        "n_chars",
        "n_turns",
        "n_non_speech",
        "segmented",
    ],
    "turns": [
        "turn_id",
        "doc_id",
        "municipality",
        "meeting_date",
        "position",
        "speaker_label",
        "speaker",
        "role",
        "text",
        "n_chars",
    ],
    "non_speech": ["doc_id", "position", "kind", "text"],
    "cleaning": [
        "doc_id",
        "step",
        "order",
        "n_changes",
        "chars_before",
        "chars_after",
        "example_before",
        "example_after",
    ],
    "failures": ["file", "problem"],
    "warnings": ["file", "message"],
    "duplicates": ["kept_file", "dropped_file", "similarity", "kind", "kept_doc_id", "dropped_doc_id"],
}


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(config.RAW_DIR)


def test_every_seed_loads(corpus):
    assert corpus.failures.empty, corpus.failures.to_dict("records")
    assert sorted(corpus.documents["file"]) == sorted(read_catalog(config.RAW_DIR)["file"])


@pytest.mark.parametrize("municipality", sorted(TURNS))
def test_seed_turn_counts(corpus, municipality):
    assert (corpus.turns["municipality"] == municipality).sum() == TURNS[municipality]


@pytest.mark.parametrize("municipality", sorted(MIN_TURNS))
def test_seed_minimum_turn_counts(corpus, municipality):
    assert (corpus.turns["municipality"] == municipality).sum() >= MIN_TURNS[municipality]


def test_catalog_metadata_is_applied(corpus):
    catalog = read_catalog(config.RAW_DIR).set_index("file")
    for row in corpus.documents.to_dict("records"):
        expected = catalog.loc[row["file"]]
        for name in ("municipality", "prefecture", "body", "meeting_title", "meeting_date", "record_kind"):
            assert row[name] == expected[name]
            assert row[f"{name}_source"] == "catalog"
        assert row["sha256"] == expected["sha256"]
        assert row["format"] == "txt" and row["encoding"] == "utf-8"
        assert row["body_level"] == "municipality" and len(row["body_code"]) == 6


def test_table_columns(corpus):
    for name, columns in COLUMNS.items():
        assert list(getattr(corpus, name).columns) == columns, name


def test_turn_keys_and_copied_columns(corpus):
    turns, documents = corpus.turns, corpus.documents.set_index("doc_id")
    assert turns["turn_id"].is_unique
    assert (turns["turn_id"] == turns["doc_id"] + ":" + turns["position"].map("{:04d}".format)).all()
    for doc_id, group in turns.groupby("doc_id", sort=True):
        assert group["position"].tolist() == list(range(len(group)))
        assert (group["municipality"] == documents.loc[doc_id, "municipality"]).all()
        assert (group["meeting_date"] == documents.loc[doc_id, "meeting_date"]).all()
        assert len(group) == documents.loc[doc_id, "n_turns"]
    assert (turns["n_chars"] == turns["text"].str.len()).all()
    assert turns["role"].isin(["chair", "vice_chair", "member", "official", "expert", "unknown"]).all()
    assert set(corpus.non_speech["doc_id"]) <= set(documents.index)
    assert set(corpus.cleaning["doc_id"]) == set(documents.index)


def test_no_absolute_paths_in_tables(corpus):
    for name in COLUMNS:
        frame = getattr(corpus, name)
        for column in frame.select_dtypes(include=["object", "string"]).columns:
            assert not frame[column].astype("str").str.contains(str(config.PROJECT_DIR), regex=False).any()


def test_loading_is_deterministic(corpus):
    again = load_corpus(config.RAW_DIR)
    for name in COLUMNS:
        pd.testing.assert_frame_equal(getattr(corpus, name), getattr(again, name))


def test_build_and_read_processed_round_trip(tmp_path, corpus):
    built = build(config.RAW_DIR, tmp_path)
    # the tables, their manifest, the lock files and the per-document shards; no temporary files left
    assert sorted(os.listdir(tmp_path)) == sorted(
        [f"{name}.parquet" for name in COLUMNS] + ["manifest.json", ".build.lock", ".publish.lock", "cache"]
    )
    assert len(os.listdir(tmp_path / "cache" / "corpus")) == len(built.documents)
    read = read_processed(tmp_path)
    for name in COLUMNS:
        pd.testing.assert_frame_equal(getattr(built, name), getattr(read, name), check_dtype=False)
        pd.testing.assert_frame_equal(getattr(corpus, name), getattr(read, name), check_dtype=False)


def test_build_refuses_to_write_into_the_raw_folder(tmp_path):
    with pytest.raises(ValueError, match="raw folder"):
        build(tmp_path, tmp_path / "processed")
    assert list(tmp_path.iterdir()) == []


def test_read_processed_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="dxminutes build"):
        read_processed(tmp_path)


MINUTES_LINES = [
    "第1回 柏原市情報化推進委員会 会議録",
    "日時 令和6年7月17日(水) 午後1時",
    "(山田委員長)",
    "これより開会します。",
    "(事務局)",
    "資料について説明します。",
]


def test_text_pdf_loads_with_metadata_from_its_text(tmp_path):
    import japanize_matplotlib  # noqa: F401  (a Japanese font)
    from matplotlib import pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    path = tmp_path / "minutes.pdf"
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        figure = plt.figure(figsize=(8, 6))
        for i, line in enumerate(MINUTES_LINES):
            figure.text(0.05, 0.9 - 0.1 * i, line, fontsize=14)
        pdf.savefig(figure)
        plt.close(figure)
    corpus = load_document(path)  # not in any catalog
    document = corpus.documents.iloc[0]
    assert (document["format"], document["encoding"]) == ("pdf", "pdf")
    assert (document["municipality"], document["meeting_date"]) == ("柏原市", "2024-07-17")
    assert document["municipality_source"] == document["meeting_date_source"] == "text"
    assert corpus.turns["text"].str.contains("開会します").any()
    assert len(corpus.turns) == 2


def test_html_file_loads(tmp_path):
    body = "\n".join(f"<p>{line}</p>" for line in MINUTES_LINES[1:])
    html = (
        f'<html>\n<head>\n<meta charset="shift_jis">\n<title>{MINUTES_LINES[0]}</title>\n</head>\n<body>\n'
        f"<h1>{MINUTES_LINES[0]}</h1>\n{body}\n</body>\n</html>\n"
    )
    (tmp_path / "minutes.html").write_bytes(html.encode("cp932"))
    corpus = load_corpus(tmp_path)
    assert corpus.failures.empty, corpus.failures.to_dict("records")
    document = corpus.documents.iloc[0]
    assert (document["format"], document["encoding"]) == ("html", "cp932")
    assert (document["municipality"], document["meeting_date"]) == ("柏原市", "2024-07-17")
    assert len(corpus.turns) == 2
    assert not corpus.turns["text"].str.contains("<").any()
