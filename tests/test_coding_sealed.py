"""benchmarks/coding_sealed.py: reference labels from two coders and adjudication, and scores
with a known answer on a tiny sample; and sample D itself is consistent."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "coding_sealed.py"
SAMPLE_D = Path(__file__).resolve().parents[1] / "data" / "gold" / "sample-d"


@pytest.fixture(scope="module")
def sealed():
    spec = importlib.util.spec_from_file_location("coding_sealed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


def _write(path: Path, header, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _sample(folder: Path, adjudicate: bool = True) -> Path:
    units = ["unit_id", "source_url", "body", "municipality", "speaker_label", "text", "split"]
    _write(
        folder / "units-x.csv",
        units,
        [
            ("x1", "", "A市議会", "A市", "○議長", "ただいまから会議を開きます。", "test"),
            ("x2", "", "A市議会", "A市", "○委員", "DX推進計画について伺います。", "test"),
            ("x3", "", "B町議会", "B町", "○委員", "情報セキュリティ対策を強化すべきです。", "test"),
            ("x4", "", "B町議会", "B町", "○委員", "本日はよろしくお願いします。", "dev"),
        ],
    )
    labels = ["unit_id", "dx", "security", "staffing", "digital_divide", "frames", "note"]
    _write(
        folder / "labels-x-coderA.csv",
        labels,
        [
            ("x1", 0, 0, 0, 0, "", ""),
            ("x2", 1, 0, 0, 0, "", ""),
            ("x3", 0, 1, 0, 0, "", ""),
            ("x4", 0, 0, 0, 0, "", ""),
        ],
    )
    _write(
        folder / "labels-x-coderB.csv",
        labels,
        [
            ("x1", 0, 0, 0, 0, "", ""),
            ("x2", 0, 0, 0, 0, "", ""),
            ("x3", 0, 1, 0, 0, "", ""),
            ("x4", 0, 0, 0, 0, "", ""),
        ],
    )
    rulings = [("x2", "dx", 1, 0, 1, "DX推進計画 is dx")] if adjudicate else []
    _write(
        folder / "adjudicated-x.csv",
        ["unit_id", "theme", "coder_a", "coder_b", "adjudicated", "reason"],
        rulings,
    )
    return folder


def test_reference_is_the_common_label_or_the_ruling(sealed, tmp_path):
    units = sealed.reference_labels(_sample(tmp_path))
    assert list(units["dx"]) == [0, 1, 0, 0]
    assert list(units["security"]) == [0, 0, 1, 0]
    assert list(units["dx_b"]) == [0, 0, 0, 0]


def test_a_disagreement_without_ruling_is_one_clear_error(sealed, tmp_path):
    with pytest.raises(ValueError, match=r"units-x\.csv: x2 dx: coders disagree"):
        sealed.reference_labels(_sample(tmp_path, adjudicate=False))


def test_scores_on_the_tiny_sample(sealed, tmp_path):
    units = sealed.reference_labels(_sample(tmp_path))
    flags = pd.DataFrame(
        {"dx": [0, 1, 1, 0], "security": [0, 0, 1, 0], "staffing": 0, "digital_divide": 0},
        index=units["unit_id"],
    )
    table = sealed.score(units, flags, n_boot=50, random_state=0).set_index(["split", "theme"])
    dx = table.loc[("test", "dx")]
    # test split: gold dx [0, 1, 0], flags [0, 1, 1]: tp 1, fp 1, tn 1 → P 0.5, R 1, κ 0.4
    assert (dx["units"], dx["bodies"], dx["positives"]) == (3, 2, 1)
    assert dx["precision"] == pytest.approx(0.5, abs=1e-12)
    assert dx["recall"] == pytest.approx(1.0, abs=1e-12)
    assert dx["kappa"] == pytest.approx(0.4, abs=1e-12)
    assert table.loc[("test", "security"), "kappa"] == pytest.approx(1.0, abs=1e-12)
    assert np.isnan(table.loc[("test", "staffing"), "kappa"])  # no positive, no flag: undefined
    # the coders' own κ on dx (A [0, 1, 0], B [0, 0, 0]) is 0
    assert dx["coders_kappa"] == pytest.approx(0.0, abs=1e-12)


def test_sample_d_is_complete_and_split_by_body():
    units = pd.concat(
        [pd.read_csv(p, dtype=str, keep_default_na=False) for p in SAMPLE_D.glob("units-*.csv")]
    )
    assert units["unit_id"].is_unique
    assert set(units["split"]) == {"dev", "test"}
    assert units.groupby("body")["split"].nunique().max() == 1  # a body is in one split only
    assert (units.groupby("body").size() <= 8).all()


def test_sample_d_has_reference_labels_for_every_unit(sealed):
    units = sealed.reference_labels(SAMPLE_D)
    assert len(units) == 311
    assert set(np.unique(units[list(sealed.THEMES)].to_numpy())) <= {0, 1}
