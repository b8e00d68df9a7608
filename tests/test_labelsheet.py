"""The labelling loop end to end: `dxminutes sample` → sheets labelled by two coders in Excel
(filled with openpyxl), in the notebook labeller and in Label Studio → `<DATA>/labels/` →
agreement figures with known answers. The corpus build is not disturbed by the labels."""

from __future__ import annotations

import html
import json
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook
from sklearn.metrics import cohen_kappa_score

from dxminutes.analysis import labels, sampling
from dxminutes.analysis.codebook import load_frames
from dxminutes.analysis.themes import load_themes
from dxminutes.cli import main
from dxminutes.corpus import build as corpus_build
from dxminutes.report import labelsheet
from dxminutes.report.labeller import Labeller

HEAD = "第1回 {city}情報化推進委員会 会議録\n日時 令和6年7月{day}日\n"
SPEECHES = (
    "(山田委員長)\n開会します。\n",
    "(佐藤委員)\nDXの推進について伺います。窓口のオンライン申請はいつ始まりますか。\n",
    "(情報政策課長)\n来年度にシステムを導入します。情報セキュリティ対策も進めます。\n",
    "(鈴木委員)\n高齢者へのスマホ教室を開いてほしい。職員の研修も必要だ。\n",
    "(総務課長)\n人手が足りない中で、業務の見直しを進めます。\n",
    "(田中委員)\n=SUM(A1) のような書き方は数式ではありません。公園の整備はどうか。\n",
)


def _corpus(folder):
    folder.mkdir(parents=True)
    for k, (city, file) in enumerate(
        (("柏原市", "kashiwara.txt"), ("八尾市", "yao.txt"), ("堺市", "sakai.txt"))
    ):
        body = "".join(SPEECHES[(k + i) % len(SPEECHES)] for i in range(len(SPEECHES)))
        (folder / file).write_text(HEAD.format(city=city, day=k + 1) + body, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    root = tmp_path_factory.mktemp("loop")
    raw = _corpus(root / "raw")
    sheets = root / "sheets"
    args = [
        "sample",
        "--data",
        str(raw),
        "--n",
        "14",
        "--out",
        str(sheets),
        "--processed",
        str(root / "processed"),
    ]
    assert main(args) == 0
    corpus = corpus_build.read_processed(root / "processed")
    return {"root": root, "raw": raw, "sheets": sheets, "args": args, "corpus": corpus}


def _stem(loop):
    return loop["sheets"] / f"sample-sentence-n14-seed{labelsheet.config.RANDOM_SEED}"


def test_the_command_writes_xlsx_csv_and_label_studio_files_and_never_overwrites(loop, capsys):
    paths = labelsheet.sheet_paths(_stem(loop))
    assert all(p.exists() for p in paths.values())
    before = paths["xlsx"].read_bytes()
    assert main(loop["args"]) == 1
    assert "never overwritten" in capsys.readouterr().err
    assert paths["xlsx"].read_bytes() == before
    # the default place is the build folder, never the corpus folder
    stem = labelsheet.default_stem(loop["raw"], "sentence", 200, 1, None)
    assert stem.parent == labelsheet.LABELS_OUT_DIR / "raw" and loop["raw"] not in stem.parents


def test_the_workbook_has_drop_downs_definitions_and_a_hidden_design(loop):
    book = load_workbook(labelsheet.sheet_paths(_stem(loop))["xlsx"])
    assert book.sheetnames[:3] == ["labels", "codebook", "instructions"]
    assert book["design"].sheet_state == "hidden" and book["strata"].sheet_state == "hidden"
    sheet = book["labels"]
    header = [c.value for c in sheet[1]]
    assert header[:9] == list(labels.SHEET_CONTEXT_COLUMNS)
    codes = header[9 : header.index("coder")]
    assert codes[:4] == load_themes().keys and "dx:efficiency" in codes
    assert sheet.max_row == 15  # header + 14 units
    validation = sheet.data_validations.dataValidation[0]
    assert validation.formula1 == '"0,1"'
    assert str(validation.sqref) == f"J2:{sheet.cell(row=1, column=9 + len(codes)).column_letter}15"
    # every cell is text; a unit that reads like a formula is neutralised
    texts = [c.value for c in sheet["H"][1:]]
    assert all(isinstance(t, str) for t in texts)
    assert not any(t.startswith("=") for t in texts)
    codebook = {r[0]: r for r in book["codebook"].iter_rows(min_row=2, values_only=True)}
    assert codebook["dx"][4].startswith("A turn touches dx when it deals with the digitalisation")
    assert codebook["dx:efficiency"][4].startswith("efficiency, cost, workload reduction. Include:")
    design = list(book["design"].iter_rows(values_only=True))
    assert design[0] == ("unit_id", *labels.SHEET_DESIGN_COLUMNS)
    assert all(0 < row[2] <= 1 for row in design[1:])
    config_xml = labelsheet.sheet_paths(_stem(loop))["labelstudio_config"].read_text(encoding="utf-8")
    assert '<Choices name="dx-efficiency" toName="unit_text"' in config_xml


def _fill(src, dst, values: dict[str, list[int]], coder: str | None):
    book = load_workbook(src)
    sheet = book["labels"]
    header = [c.value for c in sheet[1]]
    for code, column in values.items():
        j = header.index(code) + 1
        for i, value in enumerate(column, start=2):
            sheet.cell(row=i, column=j).value = value
    if coder:
        j = header.index("coder") + 1
        for i in range(2, sheet.max_row + 1):
            sheet.cell(row=i, column=j).value = coder
    book.save(dst)


def test_round_trip_two_coders_in_excel_give_known_agreement_in_the_next_report(loop):
    raw, corpus = loop["raw"], loop["corpus"]
    fingerprint = corpus_build.input_fingerprint(raw)
    themes = load_themes()
    units = sampling.units_table(corpus.turns, documents=corpus.documents)
    frames = load_frames(None, themes)
    coding = sampling.unit_coding(corpus.turns, themes, frames=frames)
    xlsx = labelsheet.sheet_paths(_stem(loop))["xlsx"]
    ids = [row[0] for row in load_workbook(xlsx)["labels"].iter_rows(min_row=2, values_only=True)]
    decided = coding.set_index(["unit_id", "code"])["coded"]
    dictionary = {code: [int(decided[(u, code)]) for u in ids] for code in [*themes.keys, "dx:efficiency"]}
    assert 0 < sum(dictionary["dx"]) < len(ids)  # the design drew flagged and unflagged units
    coder_a = dictionary  # coder A agrees with the dictionary on every theme
    coder_b = {**dictionary, "dx": [1 - v if i < 3 else v for i, v in enumerate(dictionary["dx"])]}
    (raw / "labels").mkdir()
    _fill(xlsx, raw / "labels" / "sheet-a.xlsx", coder_a, coder="A")
    _fill(xlsx, raw / "labels" / "B.xlsx", coder_b, coder=None)  # coder from the file name

    summary = labels.labels_summary(raw, coding, [themes, frames], units=units, n_boot=200, random_state=1)
    assert summary["problems"].empty, summary["problems"]
    assert summary["note"] == ""
    got = summary["labels"]
    assert set(got["coder"]) == {"A", "B"} and (got["status"] == "ok").all()
    assert len(got) == 2 * len(ids) * (len(themes.keys) + 1)
    assert got["inclusion_prob"].between(0, 1, inclusive="right").all()  # read from the design sheet
    inter = summary["intercoder"].set_index(["code", "metric"])
    assert inter.loc[("dx", "kappa"), "value"] == pytest.approx(
        cohen_kappa_score(coder_a["dx"], coder_b["dx"])
    )
    assert inter.loc[("security", "kappa"), "value"] == pytest.approx(1.0) or pd.isna(
        inter.loc[("security", "kappa"), "value"]
    )
    assert inter.loc[("dx", "alpha"), "n_pairable"] == len(ids)
    coder = summary["coder"].set_index(["reference", "code", "metric"])
    assert coder.loc[("A", "dx", "f1"), "value"] == pytest.approx(1.0)
    assert coder.loc[(labels.CONSENSUS, "dx", "kappa"), "n_units"] == len(ids) - 3  # ties left out
    b = coder.loc[("B", "dx", "kappa")]
    assert b["value"] == pytest.approx(cohen_kappa_score(coder_b["dx"], dictionary["dx"]))
    assert set(summary["coder"]["level"]) == {"theme", "frame"}
    frame = coder.loc[("A", "dx:efficiency", "recall")]
    assert frame["n_gold"] == sum(dictionary["dx:efficiency"]) and frame["fn"] == 0
    assert inter.loc[("dx:efficiency", "alpha"), "level"] == "frame"
    # the notebook's one call gives the same figures
    same = labels.corpus_labels_summary(
        raw, corpus.turns, themes, frames, documents=corpus.documents, n_boot=200, random_state=1
    )
    pd.testing.assert_frame_equal(same["intercoder"], summary["intercoder"])
    pd.testing.assert_frame_equal(same["coder"], summary["coder"])
    # the labels change no input of the corpus build
    assert corpus_build.input_fingerprint(raw) == fingerprint
    assert corpus_build.is_current(loop["root"] / "processed", raw)
    shutil.rmtree(raw / "labels")


def test_the_notebook_labeller_saves_each_change_and_its_sheet_reads_back(loop, tmp_path):
    src = labelsheet.sheet_paths(_stem(loop))["csv"]
    data = tmp_path / "corpus"
    (data / "labels").mkdir(parents=True)
    sheet = data / "labels" / "hanako.csv"
    shutil.copy(src, sheet)
    tool = Labeller(sheet, coder="hanako")
    assert len(tool) == 14 and tool.codes[:4] == load_themes().keys and tool.n_labelled == 0
    tool.set_label("dx", 1)
    tool.set_label("security", 0)
    tool.next()
    tool.next()
    tool.set_label("dx", "0")
    tool.back()
    assert tool.position == 1 and tool.label("dx") == ""
    tool.go(99)
    assert tool.position == 13
    tool.back()
    tool.go(-5)
    assert tool.position == 0
    with pytest.raises(ValueError, match="0, 1 or blank"):
        tool.set_label("dx", 2)
    for code in tool.codes:
        tool.set_label(code, 0)
    assert tool.is_labelled() and tool.n_labelled == 1
    tool.next_unlabelled()
    assert tool.position == 1
    assert html.escape(tool.unit["unit_text"]) in tool.header_html()
    # a fresh labeller sees what was saved; read_labels reads the sheet
    again = Labeller(sheet)
    assert again.label("dx", 0) == "0" and again.label("dx", 2) == "0"
    got = labels.read_labels(data, problems=(problems := []))
    assert problems == []
    first = again.table.at[0, "unit_id"]
    third = again.table.at[2, "unit_id"]
    assert set(got.loc[got["unit_id"] == first, "code"]) == set(tool.codes)
    assert got.loc[(got["unit_id"] == third), ["code", "label", "coder"]].values.tolist() == [
        ["dx", 0, "hanako"]
    ]
    assert got["inclusion_prob"].notna().all()
    assert not list(sheet.parent.glob(".*tmp*"))  # atomic saves leave no temporary file


def test_the_widgets_drive_the_same_state(loop, tmp_path, capsys):
    sheet = tmp_path / "w.csv"
    shutil.copy(labelsheet.sheet_paths(_stem(loop))["csv"], sheet)
    tool = Labeller(sheet, coder="taro")
    tool.show()  # outside a kernel, display() prints the widget's repr
    head, toggles = tool._widgets
    toggles["dx"].value = "1"
    assert Labeller(sheet).label("dx", 0) == "1" and Labeller(sheet).table.at[0, "coder"] == "taro"
    tool.next()
    assert toggles["dx"].value == "" and str(tool.unit["unit_id"]) in head.value
    tool.back()
    assert toggles["dx"].value == "1"


def test_a_label_studio_round_trip(loop, tmp_path):
    tasks = json.loads(labelsheet.sheet_paths(_stem(loop))["labelstudio_tasks"].read_text(encoding="utf-8"))
    assert len(tasks) == 14 and {"unit_id", "unit_text", "inclusion_prob"} <= set(tasks[0]["data"])
    exported = []
    for k, task in enumerate(tasks):
        result = [
            {
                "from_name": labels.ls_name(code),
                "to_name": "unit_text",
                "type": "choices",
                "value": {"choices": [str(v)]},
            }
            for code, v in (("dx", k % 2), ("dx:efficiency", 0))
        ]
        exported.append(
            {"id": k + 1, "data": task["data"], "annotations": [{"completed_by": 7, "result": result}]}
        )
    data = tmp_path / "corpus"
    (data / "labels").mkdir(parents=True)
    (data / "labels" / "project-1.json").write_text(
        json.dumps(exported, ensure_ascii=False), encoding="utf-8"
    )
    got = labels.read_labels(data, problems=(problems := []))
    assert problems == []
    assert len(got) == 28 and set(got["coder"]) == {"annotator-7"}
    dx = got[got["code"] == "dx"].set_index("unit_id")["label"]
    assert [dx[t["data"]["unit_id"]] for t in tasks] == [k % 2 for k in range(14)]
    assert got["inclusion_prob"].tolist() == pytest.approx(
        [t["data"]["inclusion_prob"] for t in tasks for _ in (0, 1)]
    )


def test_definitions_come_from_the_codebook_and_are_never_invented(tmp_path):
    found = labelsheet.codebook_definitions()
    assert {"dx", "security", "staffing", "digital_divide"} <= set(found)
    assert "security:technical" in found and "LGWAN" in found["security:technical"]
    table = labelsheet.code_definitions(["dx", "new_theme"], codebook_path=tmp_path / "absent.md")
    assert table["definition"].tolist() == [labelsheet.NO_DEFINITION] * 2


def test_formula_like_cells_are_written_as_text(tmp_path):
    from analysis_fixtures import make_turns

    turns = make_turns(
        [("A市", "member", '=HYPERLINK("http://x")と書かれた資料。'), ("A市", "member", "DXを進める。")]
    )
    units = sampling.units_table(turns)
    sample = sampling.draw_sample(units, n=10, random_state=0)
    paths = labelsheet.write_sheets(sample, labelsheet.code_definitions(["dx"]), tmp_path / "s")
    cells = [row[7] for row in load_workbook(paths["xlsx"])["labels"].iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")と書かれた資料。' in cells
    csv = pd.read_csv(paths["csv"], dtype=str, encoding="utf-8-sig")
    assert csv["unit_text"].str.startswith("'=").sum() == 1
    with pytest.raises(labelsheet.SampleError, match="never overwritten"):
        labelsheet.write_sheets(sample, labelsheet.code_definitions(["dx"]), tmp_path / "s")
