"""The notebooks: executed top to bottom, kept in sync with their jupytext twins, and open to a
sixth municipality.

Executing them is the slow part of the suite (a kernel per notebook); the runs write into
temporary folders, never into notebooks/, reports/ or data/.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from dxminutes import config
from dxminutes.corpus import synthetic
from dxminutes.corpus.build import load_corpus
from dxminutes.report import render as report

NOTEBOOK_SOURCES = sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.py"))
NAMES = [p.stem for p in NOTEBOOK_SOURCES]
#: Fewer bootstrap replicates and a fixed K keep the test runs short; the parameters are
#: injected exactly as `make report K=… NBOOT=…` injects them.
FAST = {"N_BOOT": 100, "K": 4}


def test_notebooks_are_numbered_kebab_case_and_complete():
    assert NAMES == [
        "01-corpus-overview",
        "02-vocabulary",
        "03-theme-framing",
        "04-topics-and-clusters",
        "05-municipality-profiles",
        "06-framing",
        "07-corrected-shares",
    ]


@pytest.mark.parametrize("source", NOTEBOOK_SOURCES, ids=NAMES)
def test_each_notebook_starts_with_a_header_and_a_parameters_cell(source):
    import jupytext

    nb = jupytext.read(source)
    header = nb.cells[0]
    assert header.cell_type == "markdown" and header.source.startswith("# ")
    for word in ("**Question.**", "**Inputs.**", "**Outputs.**"):
        assert word in header.source, f"{source.name}: header cell lacks {word}"
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{source.name}: needs exactly one cell tagged 'parameters'"


def test_committed_notebooks_match_their_py_twins_and_carry_outputs():
    assert report.check_sync(config.NOTEBOOKS_DIR) == []
    for source in NOTEBOOK_SOURCES:
        nb = json.loads(source.with_suffix(".ipynb").read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert any(c.get("outputs") for c in code), f"{source.name}: committed without outputs"
        errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{source.stem}.ipynb carries an error output"
        text = json.dumps(nb, ensure_ascii=False)
        assert str(config.PROJECT_DIR) not in text, f"{source.stem}.ipynb holds an absolute path"


@pytest.mark.slow
def test_every_notebook_runs_on_the_seed_corpus(tmp_path):
    """Any exception, or a 'Glyph missing' warning (an error under style.setup), fails the run."""
    reports = tmp_path / "reports"
    written = report.run_report(
        parameters={"PROCESSED_DIR": tmp_path / "processed", **FAST},
        reports_dir=reports,
        save_notebooks=False,
    )
    html = {p.name for p in written}
    assert {f"{n}.html" for n in NAMES} | {"index.html"} <= html
    for png in (reports / "figures").glob("*.png"):
        for ext in (".svg", ".csv"):
            assert png.with_suffix(ext).exists(), f"{png.name} was saved without its {ext}"
    shares = pd.read_csv(reports / "tables" / "theme-shares.csv", encoding="utf-8-sig")
    assert set(shares.columns) >= {
        "municipality",
        "theme",
        "turns",
        "coded_turns",
        "share",
        "ci_low",
        "ci_high",
    }
    assert len(shares) == 5 * 4
    for name in ("theme-residuals", "keyness"):
        raw = (reports / "tables" / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name}.csv lacks the UTF-8 BOM Excel needs"


@pytest.fixture(scope="module")
def six_municipality_corpus(tmp_path_factory):
    """The seeds plus one generated municipality, as files and a catalog in a temporary folder."""
    raw = tmp_path_factory.mktemp("raw")
    for path in config.RAW_DIR.iterdir():
        shutil.copy2(path, raw / path.name)
    documents, turns = synthetic.scale_corpus(load_corpus(config.RAW_DIR), 2, random_state=config.RANDOM_SEED)
    sixth = documents[documents["synthetic"]].iloc[[0]]
    synthetic.write_corpus_files(sixth, turns[turns["doc_id"].isin(sixth["doc_id"])], raw)
    return raw, sixth["municipality"].iloc[0]


@pytest.mark.slow
def test_a_sixth_municipality_appears_in_the_theme_table_and_every_figure(tmp_path, six_municipality_corpus):
    raw, name = six_municipality_corpus
    reports = tmp_path / "reports"
    report.run_report(
        parameters={"RAW_DIR": raw, "PROCESSED_DIR": tmp_path / "processed", **FAST},
        reports_dir=reports,
        save_notebooks=False,
    )
    shares = pd.read_csv(reports / "tables" / "theme-shares.csv", encoding="utf-8-sig")
    assert name in set(shares["municipality"])
    assert len(shares) == 6 * 4
    with_groups = 0
    for csv in sorted((reports / "figures").glob("*.csv")):
        data = pd.read_csv(csv, encoding="utf-8-sig")
        if "municipality" in data.columns:
            with_groups += 1
            assert name in set(data["municipality"].astype(str)), f"{csv.name} lacks {name}"
    assert with_groups >= 8
