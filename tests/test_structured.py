"""structured inputs: CSV/TSV/Excel rows, the Diet API's JSON, PoliInfo-style JSON, through build."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from dxminutes.corpus.build import load_corpus, load_document
from dxminutes.corpus.readers import InputError
from dxminutes.corpus.structured import header_field, read_structured, role_of

ROWS = [
    ("第1回 府中市DX推進委員会", "2023-09-12", "田中一郎", "委員長", "ただいまから会議を開きます。", "A"),
    (
        "第1回 府中市DX推進委員会",
        "2023-09-12",
        "佐藤花子",
        "委員",
        "情報セキュリティ研修について伺います。",
        "B",
    ),
    ("第1回 府中市DX推進委員会", "2023-09-12", "鈴木次郎", "情報政策課長", "年2回実施しております。", "C"),
    ("第2回 府中市DX推進委員会", "令和5年10月3日", "田中一郎", "委員長", "本日の議題に入ります。", "D"),
    ("第2回 府中市DX推進委員会", "令和5年10月3日", "佐藤花子", "委員", "", "E"),
]
JA_HEADER = ["会議名", "日付", "発言者", "役職", "発言", "備考"]


def write_csv(path, header, rows, encoding="utf-8", delimiter=","):
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("発言者", "speaker"),
        ("Speaker", "speaker"),
        ("本文", "text"),
        ("Utterance", "text"),
        ("日付", "meeting_date"),
        ("自治体", "municipality"),
        ("役職", "role"),
        ("speech_order", "order"),
        ("会議名", "meeting_title"),
        ("備考", None),
    ],
)
def test_header_names_in_japanese_and_english(name, field):
    assert header_field(name) == field


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_rows_grouped_by_meeting(tmp_path, encoding):
    path = tmp_path / "fuchu.csv"
    write_csv(
        path, ["自治体", "都道府県", *JA_HEADER], [("府中市", "東京都", *row) for row in ROWS], encoding
    )
    result = read_structured(path)
    assert [doc.key for doc in result.documents] == [
        "府中市 | 東京都 | 第1回 府中市DX推進委員会 | 2023-09-12",
        "府中市 | 東京都 | 第2回 府中市DX推進委員会 | 2023-10-03",
    ]
    first, second = result.documents
    assert first.turns["speaker"].tolist() == ["田中一郎", "佐藤花子", "鈴木次郎"]
    assert first.turns["role"].tolist() == ["chair", "member", "official"]
    assert first.turns["備考"].tolist() == ["A", "B", "C"]  # an unmapped column is kept
    assert first.metadata["meeting_date"] == "2023-09-12" and second.metadata["meeting_date"] == "2023-10-03"
    assert len(second.turns) == 1 and "1 row(s) without text skipped" in second.warnings


def test_corpus_from_csv_tsv_and_json(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_csv(raw / "fuchu.csv", ["自治体", "都道府県", *JA_HEADER], [("府中市", "東京都", *r) for r in ROWS])
    english = ["meeting", "date", "speaker", "role", "text", "note"]
    # 府中市 with no prefecture; its own speeches (the same rows again would be a duplicate of fuchu-001)
    own = [(*r[:4], f"{r[4]}別の記録として、改めて要点を申し上げます。", r[5]) for r in ROWS[:3]]
    write_csv(raw / "ambiguous.tsv", english, own, delimiter="\t")
    corpus = load_corpus(raw)
    docs = corpus.documents.set_index("doc_id")
    assert list(docs.index) == ["ambiguous", "fuchu-001", "fuchu-002"]
    assert docs.loc["fuchu-001", ["municipality", "prefecture", "body_code", "body_level"]].tolist() == [
        "府中市",
        "東京都",
        "132063",
        "municipality",
    ]
    assert docs.loc["fuchu-001", "municipality_source"] == "column"
    # 府中市 is a city in 東京都 and in 広島県: without a prefecture the code is not guessed
    assert docs.loc["ambiguous", "municipality"] == "府中市"
    assert pd.isna(docs.loc["ambiguous", "prefecture"]) and pd.isna(docs.loc["ambiguous", "body_code"])
    assert any(
        "広島県" in m for m in corpus.warnings.loc[corpus.warnings["file"] == "ambiguous.tsv", "message"]
    )
    assert corpus.turns.loc[corpus.turns["doc_id"] == "fuchu-001", "role"].tolist() == [
        "chair",
        "member",
        "official",
    ]
    assert corpus.failures.empty


def test_xlsx_sheets_and_excel_dates(tmp_path):
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "9月"
    sheet.append(["Speaker", "Role", "Text", "Date", "Municipality"])
    sheet.append(["田中一郎", "議長", "開会します。", dt.datetime(2023, 9, 12), "静岡県"])
    sheet.append(["山本三郎", "知事", "お答えします。", dt.datetime(2023, 9, 12), "静岡県"])
    other = book.create_sheet("10月")
    other.append(["Speaker", "Role", "Text", "Date", "Municipality"])
    other.append(["田中一郎", "議長", "再開します。", dt.datetime(2023, 10, 3), "静岡県"])
    book.save(tmp_path / "shizuoka.xlsx")
    corpus = load_corpus(tmp_path)
    docs = corpus.documents
    assert docs["doc_id"].tolist() == ["shizuoka-001", "shizuoka-002"]
    assert docs["meeting_date"].tolist() == ["2023-09-12", "2023-10-03"]
    assert set(docs["body_level"]) == {"prefecture"} and set(docs["body_code"]) == {"220001"}
    assert corpus.turns["role"].tolist() == ["chair", "official", "chair"]
    assert docs["format"].tolist() == ["xlsx", "xlsx"]


KOKKAI = {
    "numberOfRecords": 4,
    "speechRecord": [
        {
            "speechID": "121104889X00320230315/000",
            "issueID": "121104889X00320230315",
            "session": 211,
            "nameOfHouse": "衆議院",
            "nameOfMeeting": "総務委員会",
            "issue": "第3号",
            "date": "2023-03-15",
            "speechOrder": 0,
            "speaker": "会議録情報",
            "speakerGroup": None,
            "speakerPosition": None,
            "speakerRole": None,
            "speech": "令和五年三月十五日(水曜日)\r\n    午前九時開議",
        },
        {
            "speechID": "121104889X00320230315/001",
            "issueID": "121104889X00320230315",
            "session": 211,
            "nameOfHouse": "衆議院",
            "nameOfMeeting": "総務委員会",
            "issue": "第3号",
            "date": "2023-03-15",
            "speechOrder": 1,
            "speaker": "浮島智子",
            "speakerGroup": None,
            "speakerPosition": "委員長",
            "speakerRole": None,
            "speech": "○浮島委員長　これより会議を開きます。",
        },
        {
            "speechID": "121104889X00320230315/002",
            "issueID": "121104889X00320230315",
            "session": 211,
            "nameOfHouse": "衆議院",
            "nameOfMeeting": "総務委員会",
            "issue": "第3号",
            "date": "2023-03-15",
            "speechOrder": 2,
            "speaker": "山田太郎",
            "speakerGroup": "自由民主党・無所属の会",
            "speakerPosition": None,
            "speakerRole": None,
            "speech": "○山田委員　自治体DXについて伺います。",
        },
        {
            "speechID": "121104889X00320230315/003",
            "issueID": "121104889X00320230315",
            "session": 211,
            "nameOfHouse": "衆議院",
            "nameOfMeeting": "総務委員会",
            "issue": "第3号",
            "date": "2023-03-15",
            "speechOrder": 3,
            "speaker": "松本剛明",
            "speakerGroup": None,
            "speakerPosition": "総務大臣",
            "speakerRole": None,
            "speech": "○松本国務大臣　お答えいたします。",
        },
    ],
}


def test_kokkai_api_json(tmp_path):
    path = tmp_path / "kokkai.json"
    path.write_text(json.dumps(KOKKAI, ensure_ascii=False), encoding="utf-8")
    corpus = load_document(path)
    doc = corpus.documents.iloc[0]
    assert (doc["municipality"], doc["body_level"], doc["meeting_date"]) == ("国", "national", "2023-03-15")
    assert pd.isna(doc["prefecture"]) and pd.isna(doc["body_code"])
    assert doc["meeting_title"] == "衆議院総務委員会 第3号"
    turns = corpus.turns
    assert turns["speaker"].tolist() == ["浮島智子", "山田太郎", "松本剛明"]
    assert turns["role"].tolist() == ["chair", "member", "official"]
    assert turns["text"].tolist() == [
        "これより会議を開きます。",
        "自治体DXについて伺います。",
        "お答えいたします。",
    ]
    assert corpus.non_speech["text"].str.contains("午前九時開議").all()


def test_kokkai_meeting_api_json(tmp_path):
    meeting = {
        k: KOKKAI["speechRecord"][0][k] for k in ("issueID", "nameOfHouse", "nameOfMeeting", "issue", "date")
    }
    speeches = [{k: v for k, v in s.items() if k not in meeting} for s in KOKKAI["speechRecord"]]
    path = tmp_path / "meeting.json"
    path.write_text(
        json.dumps({"meetingRecord": [{**meeting, "speechRecord": speeches}]}, ensure_ascii=False)
    )
    result = read_structured(path)
    assert len(result.documents) == 1 and len(result.documents[0].turns) == 3


def test_poliinfo_style_json(tmp_path):
    records = [
        {
            "ID": 2,
            "Speaker": "佐藤花子",
            "Utterance": "質問します。",
            "Date": "2021-06-04",
            "Prefecture": "東京都",
            "Municipality": "豊島区",
            "ProceedingTitle": "行政情報化推進本部",
        },
        {
            "ID": 1,
            "Speaker": "本部長",
            "Utterance": "開会します。",
            "Date": "2021-06-04",
            "Prefecture": "東京都",
            "Municipality": "豊島区",
            "ProceedingTitle": "行政情報化推進本部",
        },
    ]
    path = tmp_path / "poliinfo.json"
    path.write_text(json.dumps({"utterances": records}, ensure_ascii=False), encoding="utf-8")
    corpus = load_document(path)
    assert corpus.turns["text"].tolist() == ["開会します。", "質問します。"]  # sorted by ID
    assert corpus.turns["role"].tolist() == ["chair", "unknown"]
    doc = corpus.documents.iloc[0]
    assert (doc["municipality"], doc["body_code"], doc["meeting_date"]) == ("豊島区", "131164", "2021-06-04")


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("broken.json", b"{not json", "not valid JSON (line 1"),
        ("notext.csv", "発言者,日付\n田中,2023-01-01\n".encode(), "no text column"),
        ("fields.json", json.dumps([{"Speaker": "田中"}]).encode(), "no utterance field"),
        ("bad.xlsx", b"PK\x03\x04 not a workbook", "not a readable Excel .xlsx file"),
    ],
)
def test_bad_structured_files(tmp_path, name, content, problem):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError) as info:
        read_structured(tmp_path / name)
    assert info.value.file == name and problem in info.value.problem
    corpus = load_corpus(tmp_path)
    assert corpus.failures["file"].tolist() == [name]


def test_role_words_go_through_the_role_classifier():
    assert role_of("副委員長") == "vice_chair"
    assert role_of("", "事務局") == "official"
    assert role_of("内閣総理大臣") == "official"
    assert role_of("", "山田太郎", group="立憲民主党") == "member"
    assert role_of("", "山田太郎") == "unknown"


def test_a_title_row_above_the_header(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["草津市議会 総務常任委員会 令和5年9月12日"])
    sheet.append([])
    sheet.append(["発言者", "役職", "発言内容"])
    sheet.append(["山田", "委員長", "開会します。"])
    book.save(tmp_path / "kusatsu.xlsx")
    corpus = load_document(tmp_path / "kusatsu.xlsx")
    doc = corpus.documents.iloc[0]
    assert (doc["municipality"], doc["prefecture"], doc["meeting_date"]) == ("草津市", "滋賀県", "2023-09-12")
    assert corpus.non_speech["text"].tolist() == ["草津市議会 総務常任委員会 令和5年9月12日"]
    assert corpus.turns["role"].tolist() == ["chair"]


def test_several_diet_meetings_in_one_file(tmp_path):
    second = [
        {**record, "issueID": "X2", "date": "2023-03-16", "issue": "第4号"}
        for record in KOKKAI["speechRecord"]
    ]
    path = tmp_path / "two.json"
    path.write_text(json.dumps({"speechRecord": KOKKAI["speechRecord"] + second}, ensure_ascii=False))
    corpus = load_document(path)
    assert corpus.documents["doc_id"].tolist() == ["two-001", "two-002"]
    assert corpus.documents["meeting_date"].tolist() == ["2023-03-15", "2023-03-16"]
    assert corpus.turns.groupby("doc_id").size().tolist() == [3, 3]
