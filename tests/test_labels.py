"""Hand labels in <DATA>/labels/: reading sheets, bad input, agreement figures with known answers."""

from __future__ import annotations

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from dxminutes.analysis import agreement, labels
from dxminutes.corpus.build import load_corpus, scan_raw

MINUTES = "第1回 柏原市情報化推進委員会 会議録\n日時 令和6年7月1日\n(山田委員長)\n開会します。\n(佐藤委員)\nDXについて質問します。\n"


# --------------------------------------------------------------------------- the loader leaves labels/ alone
def test_the_labels_folder_is_never_read_as_minutes(tmp_path):
    raw = tmp_path / "raw"
    (raw / "labels").mkdir(parents=True)
    (raw / "a.txt").write_text(MINUTES, encoding="utf-8")
    (raw / "labels" / "sample.csv").write_text("unit_id,dx\na.txt:0000#000,1\n", encoding="utf-8")
    (raw / "labels" / "notes.txt").write_text("(山田委員)\n会議録のようなメモ。\n", encoding="utf-8")
    (raw / "sub" / "labels").mkdir(parents=True)  # only the top-level labels/ is reserved
    other = MINUTES.replace("柏原市", "八尾市").replace("DXについて質問します。", "窓口の電子化を伺います。")
    (raw / "sub" / "labels" / "b.txt").write_text(other, encoding="utf-8")
    scan = scan_raw(raw)
    assert scan.files == ("a.txt", "sub/labels/b.txt")
    assert scan.problems == ()
    corpus = load_corpus(raw)
    assert not corpus.failures["file"].str.startswith("labels").any()
    assert set(corpus.documents["file"]) == {"a.txt", "sub/labels/b.txt"}


# --------------------------------------------------------------------------- κ and α
def test_cohen_kappa_matches_scikit_learn_and_a_hand_computation():
    a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    b = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]  # one flip each way: p_o 0.8, p_e 0.52
    assert agreement.cohen_kappa(a, b) == pytest.approx((0.8 - 0.52) / 0.48, abs=1e-12)
    rng = np.random.default_rng(5)
    for _ in range(20):
        x = rng.integers(0, 2, 60)
        y = np.where(rng.random(60) < 0.8, x, 1 - x)
        assert agreement.cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y), abs=1e-12)
    # a unit one coder left blank is left out of the pair
    assert agreement.cohen_kappa([1, 0, np.nan, 1], [1, 0, 1, 1]) == pytest.approx(1.0)
    assert np.isnan(agreement.cohen_kappa([1, 1], [1, 1]))  # p_e = 1


KRIPPENDORFF_2011 = [  # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal α = 0.743
    [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
    [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
]


def test_krippendorff_alpha_gives_the_textbook_value_and_matches_the_package():
    assert agreement.krippendorff_alpha(KRIPPENDORFF_2011) == pytest.approx(0.743, abs=5e-4)
    rng = np.random.default_rng(11)
    for coders in (2, 3, 5):
        data = rng.integers(0, 2, (coders, 80)).astype(float)
        data[1] = np.where(rng.random(80) < 0.85, data[0], 1 - data[0])
        data[rng.random(data.shape) < 0.15] = np.nan
        ours = agreement.krippendorff_alpha(data)
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert ours == pytest.approx(theirs, abs=1e-12)


def _long(label_rows: dict[str, list]) -> pd.DataFrame:
    """Long labels from {coder: [0/1/None per unit]} for code dx."""
    rows = [
        {"unit_id": f"u{i:02d}", "code": "dx", "label": v, "coder": coder}
        for coder, values in label_rows.items()
        for i, v in enumerate(values)
        if v is not None
    ]
    return pd.DataFrame(rows)


def test_intercoder_agreement_per_code_with_intervals():
    a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0] * 3
    b = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0] * 3
    table = agreement.intercoder_agreement(_long({"A": a, "B": b}), n_boot=300, random_state=0)
    kappa = table[table["metric"] == "kappa"].iloc[0]
    assert kappa["value"] == pytest.approx((0.8 - 0.52) / 0.48, abs=1e-12)
    assert kappa["ci_low"] < kappa["value"] < kappa["ci_high"]
    alpha = table[table["metric"] == "alpha"].iloc[0]
    expected = krippendorff.alpha(reliability_data=[a, b], level_of_measurement="nominal")
    assert alpha["value"] == pytest.approx(expected, abs=1e-12)
    assert (kappa["n_units"], kappa["n_coders"], kappa["n_pairable"]) == (30, 2, 30)
    # three coders, one with gaps: α only
    c = [v if i % 4 else None for i, v in enumerate(a)]
    three = agreement.intercoder_agreement(_long({"A": a, "B": b, "C": c}), n_boot=50, random_state=0)
    assert three["metric"].tolist() == ["alpha"]
    data = np.array([a, b, [np.nan if v is None else v for v in c]], dtype=float)
    assert three["value"].iloc[0] == pytest.approx(agreement.krippendorff_alpha(data), abs=1e-12)
    # one coder: nothing to compare
    assert agreement.intercoder_agreement(_long({"A": a}), n_boot=10, random_state=0).empty


# --------------------------------------------------------------------------- reading sheets
def _csv(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8-sig")


def test_csv_sheets_blank_is_not_labelled_and_the_coder_comes_from_the_column_or_the_file(tmp_path):
    _csv(
        tmp_path / "labels" / "hanako.csv",
        "unit_id,unit_text,dx,security,coder,stratum,inclusion_prob,text_sha1\n"
        "u1,文,1,0,,A#0,0.5,aaa\n"
        "u2,文,,1,,A#0,0.5,bbb\n"
        "u3,文,0,,taro,A#1,1,ccc\n"
        ",,,,,,,\n",
    )
    got = labels.read_labels(tmp_path, problems=(problems := []))
    assert problems == []
    assert got.columns.tolist() == labels.LABEL_COLUMNS
    triples = set(zip(got["unit_id"], got["code"], got["label"], got["coder"]))
    assert triples == {
        ("u1", "dx", 1, "hanako"),
        ("u1", "security", 0, "hanako"),
        ("u2", "security", 1, "hanako"),
        ("u3", "dx", 0, "taro"),
    }
    assert got.set_index(["unit_id", "code"]).loc[("u1", "dx"), "inclusion_prob"] == 0.5
    assert set(got["file"]) == {"labels/hanako.csv"}


def test_bad_values_and_bad_files_are_named_and_the_other_files_go_on(tmp_path):
    _csv(tmp_path / "labels" / "a.csv", "unit_id,dx,security\nu1,1,yes\nu2,2,0\n")
    (tmp_path / "labels" / "broken.xlsx").write_bytes(b"not a zip file")
    _csv(tmp_path / "labels" / "noid.csv", "id,dx\n1,1\n")
    (tmp_path / "labels" / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "labels" / "sheet.ods").write_bytes(b"x")
    (tmp_path / "labels" / "~$a.xlsx").write_bytes(b"lock file of Excel")
    _csv(tmp_path / "labels" / "b.csv", "unit_id,dx\nu1,0\n")
    problems: list[dict] = []
    got = labels.read_labels(tmp_path, problems=problems)
    messages = {p["file"]: [] for p in problems}
    for p in problems:
        messages[p["file"]].append(p["problem"])
    assert messages["labels/a.csv"] == [
        "row 2, column 'security': value 'yes' is not 0, 1 or blank; cell left out",
        "row 3, column 'dx': value '2' is not 0, 1 or blank; cell left out",
    ]
    assert "not a readable .xlsx workbook" in messages["labels/broken.xlsx"][0]
    assert messages["labels/noid.csv"] == ["no 'unit_id' column; file skipped"]
    assert messages["labels/bad.json"][0].startswith("not valid JSON")
    assert "not a labelling sheet" in messages["labels/sheet.ods"][0]
    assert "labels/~$a.xlsx" not in messages
    assert set(zip(got["file"], got["unit_id"], got["code"], got["label"])) == {
        ("labels/a.csv", "u1", "dx", 1),
        ("labels/a.csv", "u2", "security", 0),
        ("labels/b.csv", "u1", "dx", 0),
    }
    with pytest.warns(labels.LabelFileWarning) as record:  # without a list: one warning per problem
        labels.read_labels(tmp_path)
    assert len(record) == len(problems) and any("broken.xlsx" in str(w.message) for w in record)


def test_a_csv_saved_by_japanese_excel_as_shift_jis_is_read(tmp_path):
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "sjis.csv").write_bytes("unit_id,unit_text,dx\nu1,職員の研修,1\n".encode("cp932"))
    (tmp_path / "labels" / "binary.csv").write_bytes(b"\x80\x81\xff\xfe\x00")
    got = labels.read_labels(tmp_path, problems=(problems := []))
    assert got[["unit_id", "code", "label"]].values.tolist() == [["u1", "dx", 1]]
    assert [p["file"] for p in problems] == ["labels/binary.csv"]
    assert "not UTF-8 or Shift_JIS text" in problems[0]["problem"]


def test_no_labels_folder_gives_an_empty_table(tmp_path):
    got = labels.read_labels(tmp_path)
    assert got.empty and got.columns.tolist() == labels.LABEL_COLUMNS


def test_label_studio_export_gives_one_coder_per_annotator(tmp_path):
    tasks = [
        {
            "id": 1,
            "data": {"unit_id": "u1", "unit_text": "文", "stratum": "A#0", "inclusion_prob": 0.25},
            "annotations": [
                {
                    "completed_by": 3,
                    "was_cancelled": False,
                    "result": [
                        {
                            "from_name": "dx",
                            "to_name": "unit_text",
                            "type": "choices",
                            "value": {"choices": ["1"]},
                        },
                        {
                            "from_name": "dx-efficiency",
                            "to_name": "unit_text",
                            "type": "choices",
                            "value": {"choices": ["0"]},
                        },
                    ],
                },
                {
                    "completed_by": {"id": 4, "email": "b@example.org"},
                    "result": [
                        {
                            "from_name": "dx",
                            "to_name": "unit_text",
                            "type": "choices",
                            "value": {"choices": ["0"]},
                        }
                    ],
                },
                {"completed_by": 5, "was_cancelled": True, "result": []},
            ],
        },
        {"id": 2, "data": {"unit_id": "u2"}, "annotations": []},
    ]
    path = tmp_path / "labels" / "export.json"
    path.parent.mkdir()
    path.write_text(json.dumps(tasks), encoding="utf-8")
    got = labels.read_labels(tmp_path, problems=(problems := []))
    assert problems == []
    assert set(zip(got["unit_id"], got["code"], got["label"], got["coder"])) == {
        ("u1", "dx", 1, "annotator-3"),
        ("u1", "dx:efficiency", 0, "annotator-3"),
        ("u1", "dx", 0, "b@example.org"),
    }
    assert (got["inclusion_prob"] == 0.25).all() and (got["stratum"] == "A#0").all()


def test_label_studio_json_min_rows_are_read_like_sheet_rows(tmp_path):
    rows = [
        {"id": 1, "unit_id": "u1", "dx": "1", "dx-efficiency": "0", "annotator": 2, "inclusion_prob": 0.5},
        {"id": 2, "unit_id": "u2", "dx": "maybe", "annotator": 2},
    ]
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "min.json").write_text(json.dumps(rows), encoding="utf-8")
    got = labels.read_labels(tmp_path, problems=(problems := []))
    assert set(zip(got["unit_id"], got["code"], got["label"], got["coder"])) == {
        ("u1", "dx", 1, "annotator-2"),
        ("u1", "dx:efficiency", 0, "annotator-2"),
    }
    assert problems == [
        {
            "file": "labels/min.json",
            "problem": "task 2, column 'dx': value 'maybe' is not 0, 1 or blank; cell left out",
        }
    ]


def test_match_units_flags_missing_units_and_changed_text():
    got = pd.DataFrame({"unit_id": ["u1", "u2", "u3", "u4"], "text_sha1": ["s1", "old", "s3", ""]})
    units = pd.DataFrame({"unit_id": ["u1", "u2", "u4"], "text_sha1": ["s1", "new", "s4"]})
    assert labels.match_units(got, units)["status"].tolist() == ["ok", "text_changed", "missing", "ok"]


def test_coder_agreement_against_the_majority_and_each_coder_with_known_counts():
    # dictionary: positive on u00..u04; coder A agrees everywhere, coder B flips u00 and u09
    coding = pd.DataFrame(
        {"unit_id": [f"u{i:02d}" for i in range(10)], "code": "dx", "coded": [True] * 5 + [False] * 5}
    )
    a = [1] * 5 + [0] * 5
    b = [0] + [1] * 4 + [0] * 4 + [1]
    got = _long({"A": a, "B": b}).assign(inclusion_prob=0.5)
    table = labels.coder_agreement(got, coding, n_boot=200, random_state=0)
    at = table.set_index(["reference", "metric"])
    # the majority: u00 and u09 are ties and left out; the other 8 agree with the dictionary
    assert at.loc[(labels.CONSENSUS, "kappa"), "value"] == pytest.approx(1.0)
    assert at.loc[(labels.CONSENSUS, "kappa"), "n_units"] == 8
    assert at.loc[("A", "f1"), "value"] == pytest.approx(1.0)
    # coder B: tp 4, fp 1, fn 1, tn 4
    row = at.loc[("B", "precision")]
    assert (row["tp"], row["fp"], row["fn"], row["tn"]) == (4, 1, 1, 4)
    assert row["value"] == pytest.approx(0.8)
    assert at.loc[("B", "kappa"), "value"] == pytest.approx(cohen_kappa_score(b, [1] * 5 + [0] * 5))
    # equal weights: the weighted value is the sample's
    assert at.loc[("B", "kappa"), "value_weighted"] == pytest.approx(at.loc[("B", "kappa"), "value"])
    assert (
        at.loc[("B", "kappa"), "ci_low"]
        <= at.loc[("B", "kappa"), "value"]
        <= at.loc[("B", "kappa"), "ci_high"]
    )


def test_weighted_values_weigh_each_unit_by_its_inverse_inclusion_probability():
    coding = pd.DataFrame({"unit_id": ["u00", "u01", "u02"], "code": "dx", "coded": [True, True, False]})
    got = _long({"A": [1, 0, 0]})
    got["inclusion_prob"] = [1.0, 0.25, 1.0]  # u01 (a false positive) stands for 4 units
    table = labels.coder_agreement(got, coding, n_boot=10, random_state=0).set_index(["reference", "metric"])
    assert table.loc[(labels.CONSENSUS, "precision"), "value"] == pytest.approx(0.5)
    assert table.loc[(labels.CONSENSUS, "precision"), "value_weighted"] == pytest.approx(1 / 5)


def test_labels_summary_without_labels_says_how_to_get_them(tmp_path):
    from dxminutes.analysis.themes import load_themes

    coding = pd.DataFrame({"unit_id": ["u1"], "code": "dx", "coded": [True]})
    summary = labels.labels_summary(tmp_path, coding, load_themes(), n_boot=10)
    assert summary["labels"].empty and summary["intercoder"].empty and summary["coder"].empty
    assert "make sample" in summary["note"]
