"""A mixed-format corpus of minutes, written into a folder by `write_mixed_corpus(folder)`.

It holds the formats a researcher brings together, none from the seed municipalities:

- `utterances.csv`: a spreadsheet export of utterances (自治体名, 開催日, 発言者, 役職, 発言内容) of
  three municipalities, cp932;
- `workbook.xlsx`: one municipality's utterances with a title row above the header;
- `kokkai.json`: a meeting in the shape of the Diet minutes API (`speechRecord`);
- `hearing.docx`: a Word file whose metadata come from a `catalog.csv` row;
- `radicals.txt`: a text file with CJK radical code points where 長 and 民 belong (`○委員⻑`,
  `市⺠`), as PDFs printed from browsers carry them;
- `printed.pdf`: a PDF with a text layer (drawn with matplotlib's PDF backend and an embedded
  TrueType font) that carries the same radicals;
- `workshop/notes.txt` with the corpus's `dxminutes.toml`: a convention the built-in ones do
  not know (README, "Declaring a convention") and the folder's municipality;
- `anonymous.txt`: minutes that name no municipality;
- `junk.bin`: bytes that are no minutes at all.

`INPUTS` lists every input file; a report on the corpus must either load each or list it as a
failure.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import WORKSHOP_SPEAKERS

#: Every input file the corpus holds (paths relative to its folder).
INPUTS = (
    "utterances.csv",
    "workbook.xlsx",
    "kokkai.json",
    "hearing.docx",
    "radicals.txt",
    "printed.pdf",
    "workshop/notes.txt",
    "anonymous.txt",
    "junk.bin",
)
#: The municipalities the corpus names (the seeds are none of them).
MUNICIPALITIES = ("松本市", "高崎市", "金沢市", "福井市", "国", "盛岡市", "津市", "甲府市", "松江市")

#: Speech of members and officials on the four themes (and none), reused across the files.
MEMBER = (
    "行政のデジタル化について伺います。オンライン申請の利用はどこまで進んでいますか。",
    "情報セキュリティ対策として、職員への研修と標的型メールの訓練はどうなっていますか。",
    "デジタル人材の確保が難しいと聞きます。職員の育成と外部人材の活用について伺います。",
    "高齢者などスマートフォンを使えない方への支援、デジタルデバイド対策を伺います。",
    "窓口で書かない手続きを導入する考えはありますか。",
)
OFFICIAL = (
    "自治体DXの推進計画に基づき、行政手続のオンライン化を進めております。",
    "個人情報の漏えいを防ぐため、情報セキュリティポリシーを見直し、全職員に研修を行っています。",
    "人材育成方針を改定し、デジタル人材の育成と民間からの専門人材の登用を進めています。",
    "スマホ教室を公民館で開催し、高齢者の方にも対面で丁寧に支援してまいります。",
    "マイナンバーカードの普及と窓口の待ち時間の短縮に取り組んでいます。",
)


def _speech(k: int) -> tuple[str, str]:
    return MEMBER[k % len(MEMBER)], OFFICIAL[(k + 1) % len(OFFICIAL)]


def _csv_bytes() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["自治体名", "開催日", "発言者", "役職", "発言内容"])
    dates = {"松本市": "2024-06-12", "高崎市": "2024-09-03", "金沢市": "2024-12-10"}
    for m, (muni, date) in enumerate(dates.items()):
        writer.writerow([muni, date, "中村一郎", "委員長", "ただいまから総務委員会を開会いたします。"])
        for k in range(5):
            member, official = _speech(k + m)
            writer.writerow([muni, date, f"{muni[:2]}委員{k % 2 + 1}", "委員", member])
            writer.writerow([muni, date, "情報政策課長", "課長", official])
    return buffer.getvalue().encode("cp932")


def _write_xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["福井市議会 総務常任委員会 会議録（令和6年7月8日）"])
    sheet.append([])
    sheet.append(["自治体名", "開催日", "発言者", "役職", "発言内容"])
    sheet.append(["福井市", "2024-07-08", "小林花子", "委員長", "これより委員会を開きます。"])
    for k in range(5):
        member, official = _speech(k + 2)
        sheet.append(["福井市", "2024-07-08", f"委員{k % 3 + 1}", "委員", member])
        sheet.append(["福井市", "2024-07-08", "デジタル推進課長", "課長", official])
    book.save(path)


def _kokkai() -> dict:
    meeting = {
        "issueID": "121404889X00520240410",
        "session": 213,
        "nameOfHouse": "衆議院",
        "nameOfMeeting": "総務委員会",
        "issue": "第5号",
        "date": "2024-04-10",
    }
    records = [
        {**meeting, "speechOrder": 0, "speaker": "会議録情報", "speech": "令和六年四月十日(水曜日)"},
        {
            **meeting,
            "speechOrder": 1,
            "speaker": "古川次郎",
            "speakerPosition": "委員長",
            "speech": "○古川委員長　これより会議を開きます。",
        },
    ]
    for k in range(6):
        member, official = _speech(k)
        order = len(records)
        records.append(
            {**meeting, "speechOrder": order, "speaker": "石井三郎", "speech": f"○石井委員　{member}"}
        )
        records.append(
            {
                **meeting,
                "speechOrder": order + 1,
                "speaker": "森田四郎",
                "speakerPosition": "総務大臣",
                "speech": f"○森田国務大臣　{official}",
            }
        )
    for k, record in enumerate(records):
        record["speechID"] = f"{meeting['issueID']}/{k:03d}"
    return {"numberOfRecords": len(records), "speechRecord": records}


def _write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("市民参画推進会議 会議録")
    document.add_paragraph("○会長　ただいまから会議を開きます。")
    for k in range(5):
        member, official = _speech(k + 3)
        document.add_paragraph(f"○山口委員　{member}")
        document.add_paragraph(f"○事務局　{official}")
    document.save(path)


def _radical_lines(municipality: str, date: str) -> list[str]:
    lines = [
        f"{date} {municipality}議会 総務委員会 会議録",
        "○委員\u2ed1（山本太郎君） ただいまから委員会を開きます。",
    ]
    for k in range(4):
        member, official = _speech(k + 1)
        lines.append(f"○佐藤委員 市\u2ea0の皆さまのために伺います。{member}")
        lines.append(f"○情報政策課\u2ed1 {official}")
    return lines


def _write_pdf(path: Path, lines: list[str]) -> None:
    """A one-page PDF whose text layer holds `lines` (embedded TrueType font, so pdfminer reads it)."""
    import matplotlib

    matplotlib.use("Agg")
    import japanize_matplotlib  # noqa: F401  (the Japanese font)
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(8.27, 11.69))
        for i, line in enumerate(lines):
            fig.text(0.04, 0.96 - 0.028 * i, line, fontsize=8)
        fig.savefig(path, format="pdf", metadata={"CreationDate": None})
        plt.close(fig)


CONVENTION = (
    WORKSHOP_SPEAKERS
    + """
[[metadata]]
files = "workshop/*.txt"
municipality = "松江市"
prefecture = "島根県"
body = "松江市市民ワークショップ"
meeting_date = "2024-10-20"
record_kind = "summary"
"""
)

CATALOG = """\
file,municipality,prefecture,body,meeting_title,meeting_date,record_kind,sha256
hearing.docx,盛岡市,岩手県,盛岡市市民参画推進会議,令和6年度第2回市民参画推進会議,2024-08-21,summary,
"""


def write_mixed_corpus(folder: Path | str) -> Path:
    """Write the mixed corpus into `folder` (created); return the folder."""
    folder = Path(folder)
    (folder / "workshop").mkdir(parents=True, exist_ok=True)
    (folder / "utterances.csv").write_bytes(_csv_bytes())
    _write_xlsx(folder / "workbook.xlsx")
    (folder / "kokkai.json").write_text(json.dumps(_kokkai(), ensure_ascii=False), encoding="utf-8")
    _write_docx(folder / "hearing.docx")
    (folder / "catalog.csv").write_text(CATALOG, encoding="utf-8")
    (folder / "radicals.txt").write_text(
        "\n".join(_radical_lines("津市", "令和6年11月5日")) + "\n", encoding="utf-8"
    )
    _write_pdf(folder / "printed.pdf", _radical_lines("甲府市", "令和6年5月14日"))
    (folder / "dxminutes.toml").write_text(CONVENTION, encoding="utf-8")
    workshop = ["ファシリテーター: 本日のテーマは窓口のデジタル化です。"]
    for k in range(4):
        member, _ = _speech(k)
        workshop.append(f"参加者{'ABC'[k % 3]}: {member}")
    (folder / "workshop" / "notes.txt").write_text("\n".join(workshop) + "\n", encoding="utf-8")
    anonymous = ["令和6年3月1日 委員会記録", "○委員長 ただいまから委員会を開きます。"]
    for k in range(3):
        member, official = _speech(k + 4)
        anonymous += [f"○田中委員 {member}", f"○企画課長 {official}"]
    (folder / "anonymous.txt").write_text("\n".join(anonymous) + "\n", encoding="utf-8")
    (folder / "junk.bin").write_bytes(bytes(range(256)) * 8)
    return folder
