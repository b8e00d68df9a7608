"""Structured inputs become the documents they hold: one per (municipality, body, meeting, date) of the rows.

Every file is built here with a known answer: which rows belong to which document, and what each
document's metadata is.
"""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest

from dxminutes.corpus import structured
from dxminutes.corpus.build import load_corpus, load_document
from dxminutes.corpus.convention import COLUMN_FIELDS, CONVENTION_FILE, ConventionError, parse_convention
from dxminutes.corpus.readers import InputError
from dxminutes.corpus.structured import COLUMN_ALIASES, header_field, read_structured

#: (municipality, prefecture, body code, date as written in the file, ISO date, number of rows)
CITIES = [
    ("前橋市", "群馬県", "102016", "令和5年6月12日", "2023-06-12", 14),
    ("松江市", "島根県", "322016", "2023/7/3", "2023-07-03", 13),
    ("北見市", "北海道", "012084", "2023-09-20", "2023-09-20", 13),
]
#: (speaker, post, role) taking turns in every city's meeting
SPEAKERS = [
    ("田中一郎", "議長", "chair"),
    ("佐藤花子", "議員", "member"),
    ("鈴木次郎", "情報政策課長", "official"),
]
HEADER = ["自治体名", "開催日", "発言者", "役職", "発言内容"]


def city_rows() -> list[list[str]]:
    """40 rows: 14, 13 and 13 turns of three cities' meetings, one after the other."""
    rows = []
    for city, _, _, date, _, n in CITIES:
        for j in range(n):
            speaker, post, _ = SPEAKERS[j % 3]
            rows.append([city, date, f"{speaker}{city[0]}", post, f"{city}の発言{j:02d}です。"])
    return rows


def write_csv(path, header, rows, encoding="utf-8", delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def expected_turns(city: str, n: int) -> list[tuple[str, str, str]]:
    """(speaker, role, text) of one city's turns, in order."""
    return [
        (f"{SPEAKERS[j % 3][0]}{city[0]}", SPEAKERS[j % 3][2], f"{city}の発言{j:02d}です。") for j in range(n)
    ]


def test_three_cities_in_one_cp932_csv_are_three_documents(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = city_rows()
    assert len(rows) == 40
    write_csv(raw / "export.csv", HEADER, rows, encoding="cp932")
    corpus = load_corpus(raw)
    assert corpus.failures.empty
    docs = corpus.documents.set_index("doc_id")
    assert list(docs.index) == ["export-001", "export-002", "export-003"]
    for doc_id, (city, prefecture, code, _, iso, n) in zip(docs.index, CITIES):
        doc = docs.loc[doc_id]
        assert (doc["municipality"], doc["prefecture"], doc["body_code"], doc["body_level"]) == (
            city,
            prefecture,
            code,
            "municipality",
        )
        assert doc["meeting_date"] == iso and doc["n_turns"] == n
        assert (doc["municipality_source"], doc["meeting_date_source"]) == ("column", "column")
        assert doc["encoding"] == "cp932" and doc["file"] == "export.csv"
        turns = corpus.turns[corpus.turns["doc_id"] == doc_id]
        assert list(zip(turns["speaker"], turns["role"], turns["text"])) == expected_turns(city, n)
        assert turns["position"].tolist() == list(range(n))
        # every turn carries its own document's municipality and date
        assert set(turns["municipality"]) == {city} and set(turns["meeting_date"]) == {iso}
    # no warning: the columns said everything
    assert corpus.warnings.empty, corpus.warnings["message"].tolist()


def test_a_rows_columns_decide_its_document_wherever_it_stands(tmp_path):
    rows = city_rows()
    interleaved = [row for pair in zip(rows[:14], rows[14:28]) for row in pair] + rows[28:]
    path = tmp_path / "mixed.csv"
    write_csv(path, HEADER, interleaved)
    result = read_structured(path)
    assert [doc.metadata["municipality"] for doc in result.documents] == ["前橋市", "松江市", "北見市"]
    for doc, (city, _, _, _, iso, n) in zip(result.documents, CITIES):
        assert doc.metadata["meeting_date"] == iso
        # rows keep their order within their document
        assert doc.turns["text"].tolist() == [text for _, _, text in expected_turns(city, n)]


def test_the_same_city_on_two_dates_or_in_two_meetings_is_two_documents(tmp_path):
    header = ["会議名", "日付", "氏名", "肩書", "発言"]
    rows = [
        ["総務委員会", "2024-02-01", "山田", "委員長", "開会します。"],
        ["総務委員会", "2024/2/1", "川口", "委員", "質問します。"],  # the same date, written otherwise
        ["総務委員会", "2024-02-08", "山田", "委員長", "再開します。"],
        ["文教委員会", "2024-02-08", "森", "委員長", "開会します。"],
    ]
    path = tmp_path / "前橋市.csv"
    write_csv(path, header, rows)
    corpus = load_document(path)
    docs = corpus.documents
    assert docs["doc_id"].tolist() == ["前橋市-001", "前橋市-002", "前橋市-003"]
    assert docs["meeting_title"].tolist() == ["総務委員会", "総務委員会", "文教委員会"]
    assert docs["meeting_date"].tolist() == ["2024-02-01", "2024-02-08", "2024-02-08"]
    assert docs["n_turns"].tolist() == [2, 1, 1]
    # no municipality column: the file name gives it, as for a text file
    assert set(docs["municipality"]) == {"前橋市"} and set(docs["municipality_source"]) == {"filename"}
    assert corpus.turns.groupby("doc_id")["speaker"].apply(list).tolist() == [
        ["山田", "川口"],
        ["山田"],
        ["森"],
    ]


def test_blank_key_cells_take_the_value_above(tmp_path):
    """A meeting's name and date written on its first row only (merged cells in the spreadsheet)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["自治体", "会議", "開催日", "発言者", "発言"])
    sheet.append(["松江市", "本会議", "2023-12-01", "議長", "開議します。"])
    sheet.append([None, None, None, "市長", "お答えします。"])
    sheet.append([None, "予算委員会", "2023-12-05", "委員長", "開会します。"])
    sheet.append([None, None, None, "委員", "質疑します。"])
    sheet.merge_cells("A2:A5")
    book.save(tmp_path / "matsue.xlsx")
    corpus = load_document(tmp_path / "matsue.xlsx")
    docs = corpus.documents
    assert docs["meeting_title"].tolist() == ["本会議", "予算委員会"]
    assert docs["meeting_date"].tolist() == ["2023-12-01", "2023-12-05"]
    assert docs["municipality"].tolist() == ["松江市", "松江市"]
    assert corpus.turns["role"].tolist() == ["chair", "official", "chair", "member"]
    assert corpus.turns.groupby("doc_id").size().tolist() == [2, 2]


def test_xlsx_with_a_title_row_over_the_header(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["令和5年第2回定例会 発言一覧"])
    sheet.append(["発言"])  # one text-like word alone is not the header (it maps one field)
    sheet.append([])
    sheet.append(["市町村名", "会議日", "氏名", "肩書", "発言内容"])
    for city, _, _, date, _, _ in CITIES[:2]:
        sheet.append([city, date, "田中", "議長", f"{city}で開会します。"])
        sheet.append([city, date, "佐藤", "議員", f"{city}で質問します。"])
    book.save(tmp_path / "teireikai.xlsx")
    corpus = load_document(tmp_path / "teireikai.xlsx")
    docs = corpus.documents
    assert docs["municipality"].tolist() == ["前橋市", "松江市"]
    assert docs["meeting_date"].tolist() == ["2023-06-12", "2023-07-03"]
    # no meeting column: the title row is the meeting title of every document of the sheet
    assert set(docs["meeting_title"]) == {"令和5年第2回定例会 発言一覧"}
    assert corpus.turns["text"].tolist() == [
        "前橋市で開会します。",
        "前橋市で質問します。",
        "松江市で開会します。",
        "松江市で質問します。",
    ]
    assert corpus.turns["role"].tolist() == ["chair", "member", "chair", "member"]
    # the rows above the header are non-speech, stored once (with the sheet's first document)
    assert corpus.non_speech["text"].tolist() == ["令和5年第2回定例会 発言一覧", "発言"]
    assert set(corpus.non_speech["doc_id"]) == {"teireikai-001"}


def test_english_headers_any_case_and_width(tmp_path):
    header = [
        "Municipality",
        "PREFECTURE",
        "Meeting_Date",
        "Speaker Name",
        "Title",
        "ＳＰＥＥＣＨ",
        "Meeting",
    ]
    rows = [
        ["府中市", "広島県", "2022-03-01", "Ito", "Chair", "Opening.", "General Affairs Committee"],
        ["府中市", "広島県", "2022-03-01", "山本", "委員長", "開会します。", "General Affairs Committee"],
        ["府中市", "広島県", "2022-03-01", "川上", "委員", "質問です。", "General Affairs Committee"],
        ["府中市", "広島県", "2022-03-01", "森", "総務課長", "お答えします。", "General Affairs Committee"],
    ]
    path = tmp_path / "english.csv"
    write_csv(path, header, rows)
    result = read_structured(path)
    # `Title` holds posts here, so it is the role column (the meeting is in `Meeting`)
    assert result.columns["role"] == "Title" and result.columns["meeting_title"] == "Meeting"
    assert result.columns["text"] == "ＳＰＥＥＣＨ" and result.columns["speaker"] == "Speaker Name"
    corpus = load_document(path)
    doc = corpus.documents.iloc[0]
    assert (doc["municipality"], doc["prefecture"], doc["body_code"]) == ("府中市", "広島県", "342084")
    assert doc["meeting_title"] == "General Affairs Committee" and doc["meeting_date"] == "2022-03-01"
    assert corpus.turns["role"].tolist()[1:] == ["chair", "member", "official"]


def test_title_of_meetings_is_the_meeting_title(tmp_path):
    header = ["title", "date", "speaker", "text"]
    rows = [
        ["前橋市議会 総務常任委員会", "2023-05-01", "議長", "開会します。"],
        ["前橋市議会 文教常任委員会", "2023-05-02", "議長", "開会します。"],
    ]
    path = tmp_path / "titles.csv"
    write_csv(path, header, rows)
    corpus = load_document(path)
    assert corpus.documents["meeting_title"].tolist() == [row[0] for row in rows]
    assert set(corpus.documents["municipality"]) == {"前橋市"}  # found in the meeting title
    assert set(corpus.documents["municipality_source"]) == {"column"}


def test_tsv_with_a_body_and_a_group_column(tmp_path):
    header = ["議会名", "会議名", "年月日", "発言者名", "会派", "本文"]
    rows = [
        ["高崎市議会", "本会議", "令和6年3月4日", "議長", "", "開議します。"],
        ["高崎市議会", "本会議", "令和6年3月4日", "山田太郎", "市民クラブ", "質問します。"],
        ["前橋市議会", "本会議", "令和6年3月5日", "議長", "", "開議します。"],
    ]
    path = tmp_path / "gunma.tsv"
    write_csv(path, header, rows, delimiter="\t")
    corpus = load_document(path)
    docs = corpus.documents
    assert docs["body"].tolist() == ["高崎市議会", "前橋市議会"]
    assert docs["municipality"].tolist() == ["高崎市", "前橋市"]  # resolved from the body column
    assert docs["body_code"].tolist() == ["102024", "102016"]
    assert docs["meeting_date"].tolist() == ["2024-03-04", "2024-03-05"]
    assert docs["format"].tolist() == ["tsv", "tsv"]
    # a speaker with a 会派 and no role word is a member
    assert corpus.turns["role"].tolist() == ["chair", "member", "chair"]


def test_a_cell_that_names_no_body_is_not_used(tmp_path):
    header = ["自治体名", "会議名", "日付", "発言者", "発言"]
    rows = [["架空市", "盛岡市議会 本会議", "2023-01-10", "議長", "開議します。"]]
    path = tmp_path / "x.csv"
    write_csv(path, header, rows)
    corpus = load_document(path)
    doc = corpus.documents.iloc[0]
    assert doc["municipality"] == "盛岡市" and doc["body_code"] == "032018"  # from the meeting title
    assert any("'架空市' is not a local public body" in m for m in corpus.warnings["message"])
    # and with no other clue, the municipality stays unknown instead of invented
    write_csv(
        path, ["自治体名", "日付", "発言者", "発言"], [["架空市", "2023-01-10", "議長", "開議します。"]]
    )
    corpus = load_document(path)
    assert corpus.documents.iloc[0]["municipality"] == "(不明)"
    assert corpus.documents.iloc[0]["municipality_source"] == "none"
    assert "架空市" not in set(corpus.turns["municipality"])


def test_catalog_row_fills_only_what_the_columns_leave_empty_in_a_multi_document_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "export.csv", HEADER, city_rows())
    (raw / "catalog.csv").write_text(
        "file,municipality,prefecture,body,record_kind\nexport.csv,前橋市,群馬県,市議会,summary\n",
        encoding="utf-8",
    )
    docs = load_corpus(raw).documents
    assert docs["municipality"].tolist() == ["前橋市", "松江市", "北見市"]  # the columns win
    assert docs["prefecture"].tolist() == ["群馬県", "島根県", "北海道"]
    assert set(docs["record_kind"]) == {"summary"} and set(docs["record_kind_source"]) == {"catalog"}


def test_declared_columns_in_dxminutes_toml(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    header = ["所属", "日", "話し手", "立場", "要約", "全文"]
    rows = [
        ["前橋市", "2023-06-12", "田中", "議長", "開会", "ただいまから開会します。"],
        ["松江市", "2023-07-03", "佐藤", "議員", "質問", "一点伺います。"],
    ]
    write_csv(raw / "own.csv", header, rows)
    # without the declaration the file has no text column a synonym names ... `要約` is not one either
    plain = load_corpus(raw)
    assert plain.failures["file"].tolist() == ["own.csv"]
    assert "所属, 日, 話し手, 立場, 要約, 全文" in plain.failures["problem"].iloc[0]
    (raw / CONVENTION_FILE).write_text(
        '[columns]\ntext = "全文"\nspeaker = "話し手"\nrole = ["役職", "立場"]\n'
        'municipality = "所属"\nmeeting_date = "日"\n',
        encoding="utf-8",
    )
    corpus = load_corpus(raw)
    assert corpus.failures.empty
    assert corpus.documents["municipality"].tolist() == ["前橋市", "松江市"]
    assert corpus.documents["meeting_date"].tolist() == ["2023-06-12", "2023-07-03"]
    assert corpus.turns["text"].tolist() == ["ただいまから開会します。", "一点伺います。"]
    assert corpus.turns["speaker"].tolist() == ["田中", "佐藤"]
    assert corpus.turns["role"].tolist() == ["chair", "member"]
    assert not any(CONVENTION_FILE in m for m in corpus.warnings["message"])


def test_a_declared_column_goes_before_the_synonyms(tmp_path):
    header = ["発言", "発言全文", "発言者"]
    rows = [["(要旨) 開会", "ただいまから開会します。", "議長"]]
    path = tmp_path / "a.csv"
    write_csv(path, header, rows)
    assert read_structured(path).documents[0].turns["text"].tolist() == ["(要旨) 開会"]
    declared = read_structured(path, {"text": ("発言全文",)})
    assert declared.documents[0].turns["text"].tolist() == ["ただいまから開会します。"]
    assert declared.documents[0].turns["発言"].tolist() == ["(要旨) 開会"]  # kept as an extra column


def test_a_declared_column_that_is_missing_is_named(tmp_path):
    path = tmp_path / "a.csv"
    write_csv(path, ["発言者", "発言"], [["議長", "開会します。"]])
    result = read_structured(path, {"speaker": ("話し手",), "text": ("全文",)})
    # the synonyms take over, with one warning per declared column the header lacks
    assert result.documents[0].turns["text"].tolist() == ["開会します。"]
    assert result.documents[0].turns["speaker"].tolist() == ["議長"]
    assert sorted(w.split(" (")[0] for w in result.warnings) == [
        "declared column 全文 for text",
        "declared column 話し手 for speaker",
    ]
    assert all(w.endswith("not in the header (発言者, 発言)") for w in result.warnings)
    write_csv(path, ["発言者", "備考"], [["議長", "開会します。"]])
    with pytest.raises(InputError) as info:
        read_structured(path, {"text": ("全文",)})
    assert "declared column 全文" in info.value.problem and "columns: 発言者, 備考" in info.value.problem


@pytest.mark.parametrize(
    ("toml", "problem"),
    [
        ('[columns]\nspeach = "x"', "unknown field 'speach'"),
        ("[columns]\ntext = 3", "[columns] text: must be a header name"),
        ("[columns]\ntext = []", "[columns] text: must be a header name"),
        ('columns = "text"', "[columns] must be a table"),
    ],
)
def test_bad_columns_table(tmp_path, toml, problem):
    with pytest.raises(ConventionError) as info:
        parse_convention(toml)
    assert problem in str(info.value)
    if "unknown field" in problem:
        assert all(name in str(info.value) for name in COLUMN_FIELDS)  # the allowed keys are listed
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "a.csv", HEADER, city_rows()[:3])
    (raw / CONVENTION_FILE).write_text(toml, encoding="utf-8")
    corpus = load_corpus(raw)  # one warning; the file loads with the built-in synonyms
    assert len(corpus.documents) == 1 and corpus.failures.empty
    about = corpus.warnings.loc[corpus.warnings["file"] == CONVENTION_FILE, "message"].tolist()
    assert len(about) == 1 and problem in about[0]


def test_declared_fields_are_the_structured_fields():
    assert set(COLUMN_FIELDS) == set(COLUMN_ALIASES)
    assert parse_convention('[columns]\ntext = "全文"').columns == {"text": ("全文",)}


def test_a_missing_text_column_names_the_file_and_its_columns(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "good.csv", HEADER, city_rows()[:2])
    write_csv(
        raw / "bad.csv", ["自治体名", "開催日", "発言者", "役職"], [["前橋市", "2023-06-12", "田中", "議長"]]
    )
    book = openpyxl.Workbook()
    book.active.title = "一覧"
    book.active.append(["氏名", "備考"])
    book.create_sheet("メモ").append(["メモ"])
    book.save(raw / "sheets.xlsx")
    corpus = load_corpus(raw)
    failures = dict(zip(corpus.failures["file"], corpus.failures["problem"]))
    assert sorted(failures) == ["bad.csv", "sheets.xlsx"]
    assert failures["bad.csv"].startswith("no text column")
    assert failures["bad.csv"].endswith("columns: 自治体名, 開催日, 発言者, 役職")
    assert "'一覧': 氏名, 備考" in failures["sheets.xlsx"] and "'メモ': メモ" in failures["sheets.xlsx"]
    assert corpus.documents["file"].tolist() == ["good.csv"]  # the other files go on
    with pytest.raises(InputError, match=re.escape("bad.csv: no text column")):
        read_structured(raw / "bad.csv")


def test_a_header_without_rows_of_text_is_a_failure_not_a_silent_loss(tmp_path):
    write_csv(tmp_path / "empty.csv", HEADER, [["前橋市", "2023-06-12", "田中", "議長", ""]])
    corpus = load_corpus(tmp_path)
    assert corpus.failures.to_dict("records") == [
        {
            "file": "empty.csv",
            "problem": "no row with text in column 発言内容 (columns: 自治体名, 開催日, 発言者, 役職, 発言内容)",
        }
    ]


def test_a_document_whose_rows_have_no_text_is_left_out_with_a_warning(tmp_path):
    rows = [*city_rows()[:2], ["松江市", "2023/7/3", "佐藤", "議員", ""]]
    write_csv(tmp_path / "a.csv", HEADER, rows)
    corpus = load_corpus(tmp_path)
    assert corpus.documents["municipality"].tolist() == ["前橋市"]
    assert any("松江市" in m and "no row with text; left out" in m for m in corpus.warnings["message"])


def test_json_records_of_several_municipalities_are_split_too(tmp_path):
    records = [
        {"Municipality": city, "Date": iso, "Speaker": "議長", "Utterance": f"{city}で開会します。"}
        for city, _, _, _, iso, _ in CITIES
    ]
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    corpus = load_document(path)
    assert corpus.documents["municipality"].tolist() == [city for city, *_ in CITIES]
    assert corpus.documents["meeting_date"].tolist() == [iso for *_, iso, _ in CITIES]


def test_doc_ids_are_stable(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "export.csv", HEADER, city_rows())
    first, second = load_corpus(raw), load_corpus(raw)
    assert first.documents["doc_id"].tolist() == second.documents["doc_id"].tolist()
    assert first.turns["turn_id"].tolist() == second.turns["turn_id"].tolist()
    assert first.turns["turn_id"].iloc[14] == "export-002:0000"


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("自治体名", "municipality"),
        ("市町村名", "municipality"),
        ("City", "municipality"),
        ("開催日", "meeting_date"),
        ("会議日", "meeting_date"),
        ("meeting date", "meeting_date"),
        ("発言者名", "speaker"),
        ("NAME", "speaker"),
        ("肩書", "role"),
        ("発言内容", "text"),
        ("Content", "text"),
        ("会議名", "meeting_title"),
        ("Meeting_Title", "meeting_title"),
        ("議会名", "body"),
        ("Body", "body"),
        ("都道府県", "prefecture"),
        ("会派", "group"),
        ("ｓｐｅｅｃｈ", "text"),
    ],
)
def test_header_synonyms(name, field):
    assert header_field(name) == field


def test_no_header_name_is_claimed_by_two_fields():
    seen: dict[str, str] = {}
    for canonical, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            key = structured._header_key(alias)
            assert seen.setdefault(key, canonical) == canonical, (alias, seen[key], canonical)


def test_many_documents_in_one_file_keep_their_rows(tmp_path):
    """400 documents of 10 rows each: every row lands in its own document, in order.

    (Speed is measured in benchmarks/, never by a timed assertion.)"""
    path = tmp_path / "many.csv"
    rows = [
        [
            "前橋市",
            f"{2000 + d // 300}-{1 + d // 25 % 12:02d}-{1 + d % 25:02d}",
            "議員",
            "議員",
            f"発言{d}-{i}",
        ]
        for d in range(400)
        for i in range(10)
    ]
    write_csv(path, HEADER, rows)
    result = read_structured(path)
    assert len(result.documents) == 400
    for d, document in enumerate(result.documents):
        assert document.turns["text"].tolist() == [f"発言{d}-{i}" for i in range(10)]


def test_the_split_survives_the_build_and_its_shards(tmp_path):
    from dxminutes.corpus.build import build, read_processed

    raw, out = tmp_path / "raw", tmp_path / "processed"
    raw.mkdir()
    write_csv(raw / "export.csv", HEADER, city_rows(), encoding="cp932")
    first = build(raw, out)
    again = build(raw, out)  # from the kept shard
    published = read_processed(out)
    for corpus in (first, again, published):
        assert corpus.documents["municipality"].tolist() == ["前橋市", "松江市", "北見市"]
        assert corpus.turns.groupby("doc_id", sort=True).size().tolist() == [14, 13, 13]
    # a declared mapping changes the shard key: a file the synonyms cannot read loads once declared
    write_csv(raw / "own.csv", ["話し手", "全文"], [["議長", "開会します。"]])
    assert build(raw, out).failures["file"].tolist() == ["own.csv"]
    (raw / CONVENTION_FILE).write_text('[columns]\ntext = "全文"\nspeaker = "話し手"\n', encoding="utf-8")
    corpus = build(raw, out)
    assert corpus.failures.empty and "own" in set(corpus.documents["doc_id"])


def test_diet_speeches_exported_as_csv(tmp_path):
    """The column layout of a CSV export of the Diet API's speeches (as in github.com/nishio/kokkai_api,
    README "出力CSVの列"): one document per meeting-id, 国, labels repeated in the text removed."""
    header = [
        "comment-id",
        "meeting-id",
        "session",
        "name_of_house",
        "name_of_meeting",
        "issue",
        "date",
        "speech_order",
        "speaker",
        "speaker_group",
        "speaker_position",
        "speaker_role",
        "comment-body",
        "speech_url",
    ]
    first, second = "121104889X00320230315", "121404261X00520230316"
    rows = [
        ["1", first, "211", "衆議院", "総務委員会", "第3号", "2023-03-15", "1", "浮島智子", "", "委員長", "",
         "○浮島委員長　これより会議を開きます。", ""],
        ["2", first, "211", "衆議院", "総務委員会", "第3号", "2023-03-15", "2", "山田太郎", "自由民主党", "", "",
         "○山田委員　自治体DXについて伺います。", ""],
        ["3", second, "211", "参議院", "総務委員会", "第5号", "2023-03-16", "1", "河野義博", "", "委員長", "",
         "○委員長（河野義博君）　開会します。", ""],
        ["4", second, "211", "参議院", "総務委員会", "第5号", "2023-03-16", "2", "松本剛明", "", "総務大臣", "",
         "○国務大臣（松本剛明君）　○印の付いた項目からお答えします。", ""],
    ]  # fmt: skip
    path = tmp_path / "diet.csv"
    write_csv(path, header, rows)
    corpus = load_document(path)
    docs = corpus.documents
    assert docs["municipality"].tolist() == ["国", "国"] and set(docs["body_level"]) == {"national"}
    assert docs["body"].tolist() == ["衆議院", "参議院"]
    assert docs["meeting_date"].tolist() == ["2023-03-15", "2023-03-16"]
    assert corpus.turns["text"].tolist() == [
        "これより会議を開きます。",
        "自治体DXについて伺います。",
        "開会します。",
        "○印の付いた項目からお答えします。",
    ]
    assert corpus.turns["role"].tolist() == ["chair", "member", "chair", "official"]
    assert corpus.warnings.empty, corpus.warnings["message"].tolist()


def test_a_mark_that_does_not_name_the_speaker_stays():
    assert (
        structured._without_label("○印の項目について 伺います。", "山田太郎", "議員")
        == "○印の項目について 伺います。"
    )
    assert structured._without_label("○山田議員　伺います。", "山田太郎", "") == "伺います。"


def test_catalog_names_the_municipality_a_cell_gets_wrong_in_a_multi_document_file(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rows = [
        ["前橋", "2023-06-12", "田中", "議長", "開会します。"],
        ["前橋", "2023-06-13", "田中", "議長", "再開します。"],
    ]
    write_csv(raw / "maebashi.csv", HEADER, rows)
    (raw / "catalog.csv").write_text("file,municipality\nmaebashi.csv,前橋市\n", encoding="utf-8")
    docs = load_corpus(raw).documents
    assert docs["municipality"].tolist() == ["前橋市", "前橋市"]
    assert set(docs["municipality_source"]) == {"catalog"} and set(docs["body_code"]) == {"102016"}
    assert docs["meeting_date"].tolist() == ["2023-06-12", "2023-06-13"]


@pytest.mark.parametrize(
    ("cell", "iso"),
    [
        ("2023-06-12 10:05:00", "2023-06-12"),  # a timestamp per utterance
        ("2023-6-12T10:05", "2023-06-12"),
        ("20230612", "2023-06-12"),
        ("45089", "2023-06-12"),  # an Excel serial day number saved into a CSV
        ("令和5年6月12日(月)", "2023-06-12"),
        ("R5.6.12", "2023-06-12"),
        ("２０２３／６／１２", "2023-06-12"),
        ("12345", None),  # outside 1950-2099: not a date
        ("20231345", None),
    ],
)
def test_date_cells(cell, iso):
    assert structured._iso_date(cell) == iso


def test_timestamps_of_one_day_are_one_meeting(tmp_path):
    rows = [
        ["前橋市", "2023-06-12 10:00:00", "田中", "議長", "開会します。"],
        ["前橋市", "2023-06-12 10:05:00", "佐藤", "議員", "質問します。"],
        ["前橋市", "45090", "田中", "議長", "再開します。"],
    ]
    write_csv(tmp_path / "a.csv", HEADER, rows)
    corpus = load_corpus(tmp_path)
    assert corpus.documents["meeting_date"].tolist() == ["2023-06-12", "2023-06-13"]
    assert corpus.documents["n_turns"].tolist() == [2, 1]


def test_one_municipality_written_three_ways_is_one_document(tmp_path):
    rows = [
        ["前橋市", "2023-06-12", "田中", "議長", "開会します。"],
        ["群馬県前橋市", "2023-06-12", "佐藤", "議員", "質問します。"],
        ["前橋市議会", "2023-06-12", "鈴木", "情報政策課長", "お答えします。"],
        ["群馬県", "2023-06-12", "山本", "議長", "県議会です。"],
    ]
    write_csv(tmp_path / "a.csv", HEADER, rows)
    docs = load_corpus(tmp_path).documents
    assert docs["municipality"].tolist() == ["前橋市", "群馬県"]
    assert docs["body_level"].tolist() == ["municipality", "prefecture"]
    assert docs["n_turns"].tolist() == [3, 1]


def test_inspect_reads_declared_columns_like_the_build(tmp_path):
    from dxminutes.corpus.build import inspect_file

    raw = tmp_path / "raw"
    (raw / "sub").mkdir(parents=True)
    write_csv(raw / "sub" / "own.csv", ["所属", "話し手", "全文"], [["前橋市", "議長", "開会します。"]])
    (raw / CONVENTION_FILE).write_text(
        '[columns]\ntext = "全文"\nspeaker = "話し手"\nmunicipality = "所属"\n'
    )
    result = inspect_file(raw / "sub" / "own.csv")
    assert [turn["text"] for turn in result["turns"]] == ["開会します。"]
    assert result["metadata"]["municipality"] == "前橋市"
    built = load_corpus(raw)
    assert built.turns["text"].tolist() == ["開会します。"]
