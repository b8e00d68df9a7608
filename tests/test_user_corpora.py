"""The user's path end to end: `dxminutes report --data DIR --out OUT` on corpora that are not the seeds.

Each corpus is reported once (one module-scope fixture per corpus) through the code path of
`python -m dxminutes report`: the corpus is built from the raw folder, every notebook executes in a
kernel, the landing page and the term explorer are written. The tests assert that the run succeeds,
that all six notebooks executed to the end without an error output, that the landing page and the
explorer exist, and that no output names a seed municipality the corpus does not hold.

The corpora: a copy of `tests/data/realworld/` (50 files, 48 bodies); one municipality (the three
調布市 files of it); planted meetings where one theme has no hit at all; 60 planted municipalities;
the mixed-format corpus of `tests/mixed_corpus.py`. The runs use small bootstrap, permutation and
model-selection settings so that the file takes minutes, not tens of minutes.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from mixed_corpus import INPUTS, MUNICIPALITIES, write_mixed_corpus

from dxminutes import config
from dxminutes.cli import build_parser
from dxminutes.corpus import synthetic
from dxminutes.report import render

pytestmark = pytest.mark.slow

REALWORLD = Path(__file__).parent / "data" / "realworld"
NOTEBOOKS = sorted(p.stem for p in config.NOTEBOOKS_DIR.glob(render.NOTEBOOK_GLOB))
SEEDS = ("流山市", "長崎市", "武蔵村山市", "墨田区", "豊島区")
#: Small settings for the run (the notebooks' defaults are for the real report).
QUICK = {"N_BOOT": 20, "N_PERM": 99, "N_NULL": 2, "N_SEEDS": 2, "K_RANGE": [2, 3, 4, 5]}

#: Sentences of the planted meetings, by pool. `security` is left out of `no_security`.
POOLS = {
    "dx": [
        "行政手続のオンライン化を進め、自治体DXの推進計画を改定しました。",
        "電子申請の利用件数は昨年度から増えており、デジタル化の効果が出ています。",
        "書かない窓口を導入し、デジタル技術で住民の利便性を高めます。",
    ],
    "security": [
        "情報セキュリティ対策として、標的型攻撃メールの訓練を全職員に行いました。",
        "個人情報の漏えいを防ぐため、セキュリティポリシーを見直します。",
    ],
    "staffing": [
        "デジタル人材の確保が課題であり、職員の育成研修を拡充します。",
        "専門人材を外部から登用し、情報システム部門の体制を強化します。",
    ],
    "divide": [
        "高齢者向けのスマホ教室を公民館で開催し、デジタルデバイド対策を進めます。",
        "スマートフォンを持たない方のために、窓口での対面の支援を続けます。",
    ],
    "other": [
        "本日の議題について事務局から説明をお願いします。",
        "次回の日程は改めて調整いたします。",
        "資料の三ページをご覧ください。",
        "道路の補修工事は予定どおり進んでおります。",
    ],
}


def _planted_corpus(folder: Path, plan: pd.DataFrame, pools: dict, *, turns: int, seed: int) -> Path:
    documents, turn_rows = synthetic.planted_meetings(
        plan, pools, turns_per_meeting=turns, sentences_per_turn=2, random_state=seed
    )
    synthetic.write_corpus_files(documents, turn_rows, folder)
    return folder


def _real_names(n: int) -> list[str]:
    """`n` municipalities of the official list (no prefecture, no seed), in list order."""
    table = pd.read_csv(config.RESOURCES_DIR / "local_governments.csv", comment="#", dtype=str)
    names = [m for m in table["name"] if m.endswith(("市", "町", "村")) and m not in SEEDS]
    return list(dict.fromkeys(names))[:n]


def realworld_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for path in sorted(REALWORLD.glob("rw_*.txt")):
        shutil.copy(path, folder / path.name)
    return folder


def one_municipality_corpus(folder: Path) -> Path:
    """The three 調布市 files of the real-world excerpts, with a catalog naming the municipality."""
    folder.mkdir(parents=True)
    files = ("rw_025.txt", "rw_038.txt", "rw_039.txt")
    for name in files:
        shutil.copy(REALWORLD / name, folder / name)
    catalog = "file,municipality,prefecture\n" + "".join(f"{name},調布市,東京都\n" for name in files)
    (folder / "catalog.csv").write_text(catalog, encoding="utf-8")
    return folder


def no_security_corpus(folder: Path) -> Path:
    """Four municipalities over three fiscal years; nobody ever speaks of information security."""
    names = _real_names(4)
    plan = pd.DataFrame(
        [
            {
                "municipality": m,
                "meeting_date": f"{year}-10-01",
                "dx": 2 + i,
                "staffing": 1,
                "divide": 1,
                "other": 3,
            }
            for i, m in enumerate(names)
            for year in (2021, 2022, 2023)
        ]
    )
    pools = {k: v for k, v in POOLS.items() if k != "security"}
    return _planted_corpus(folder, plan, pools, turns=16, seed=7)


#: The sheet's code of each pool (the planted sentences are the truth of a hand label).
POOL_CODES = {"dx": "dx", "security": "security", "staffing": "staffing", "divide": "digital_divide"}


def label_sample(folder: Path, scratch: Path, *, n: int = 80) -> Path:
    """Draw a labelling sample of the corpus in `folder` (as `dxminutes sample` does) and label it
    as two coders would, into `folder/labels/`: a unit is 1 for a code when it holds a planted
    sentence of that code's pool; coder B errs on every seventh unit's dx."""
    from dxminutes.report import labelsheet

    written = labelsheet.draw_and_write(
        folder, n=n, out=scratch / "sheet", processed_dir=scratch / "processed", seed=3, min_positive=5
    )
    sheet = pd.read_csv(written["csv"], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    (folder / "labels").mkdir()
    for coder in ("a", "b"):
        filled = sheet.copy()
        for pool, code in POOL_CODES.items():
            filled[code] = [int(any(t in text for t in POOLS[pool])) for text in filled["unit_text"]]
        if coder == "b":
            flip = filled.index % 7 == 0
            filled.loc[flip, "dx"] = 1 - filled.loc[flip, "dx"]
        filled["coder"] = coder
        filled.to_csv(folder / "labels" / f"coder-{coder}.csv", index=False, encoding="utf-8-sig")
    return folder


def labelled_no_security_corpus(folder: Path) -> Path:
    """`no_security_corpus` with a labelled sample of it in `labels/` (two coders)."""
    return label_sample(no_security_corpus(folder), folder.parent / "labelling")


def sixty_groups_corpus(folder: Path) -> Path:
    """60 municipalities, one meeting each, theme mixes varying from one to the next."""
    names = _real_names(60)
    plan = pd.DataFrame(
        [
            {
                "municipality": m,
                "meeting_date": f"2024-{i % 12 + 1:02d}-15",
                "dx": 1 + i % 3,
                "security": i % 2,
                "staffing": 1 + i % 4 // 2,
                "divide": i % 3 // 2,
                "other": 3,
            }
            for i, m in enumerate(names)
        ]
    )
    return _planted_corpus(folder, plan, POOLS, turns=6, seed=11)


# --------------------------------------------------------------------------- running the report


def _report(raw: Path, out: Path) -> dict:
    """What `dxminutes report --data RAW --out OUT` does, with the QUICK settings injected.

    Returns the exit code, the console summary and the corpus counts."""
    built = render._build_corpus(raw, out / "processed")
    error, result = None, None
    try:
        result = render.run_report(
            None,
            parameters={"RAW_DIR": raw, "PROCESSED_DIR": out / "processed", **QUICK},
            reports_dir=out,
            notebooks_out=out / "notebooks",
            timeout=600,
        )
    except render.ReportError as exc:
        error = str(exc)
    summary = render._summary(out, result, built, error)
    return {"rc": 1 if error else 0, "summary": summary, "built": built, "out": out, "raw": raw}


def _cli_report(raw: Path, out: Path) -> dict:
    """`dxminutes report --data RAW --out OUT --n-boot 20 --quiet`, exactly as the console runs it."""
    args = build_parser().parse_args(
        ["report", "--data", str(raw), "--out", str(out), "--n-boot", "20", "--quiet"]
    )
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        rc = args.func(args)
    return {"rc": rc, "summary": stderr.getvalue(), "out": out, "raw": raw}


def _run(tmp_path_factory, name: str, make, runner=_report) -> dict:
    base = tmp_path_factory.mktemp(name)
    return runner(make(base / "minutes"), base / "out")


@pytest.fixture(scope="module")
def realworld(tmp_path_factory):
    return _run(tmp_path_factory, "realworld", realworld_corpus)


@pytest.fixture(scope="module")
def one_municipality(tmp_path_factory):
    return _run(tmp_path_factory, "one", one_municipality_corpus, runner=_cli_report)


@pytest.fixture(scope="module")
def no_security(tmp_path_factory):
    return _run(tmp_path_factory, "nosec", labelled_no_security_corpus)


@pytest.fixture(scope="module")
def sixty_groups(tmp_path_factory):
    return _run(tmp_path_factory, "sixty", sixty_groups_corpus)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    return _run(tmp_path_factory, "mixed", write_mixed_corpus)


CORPORA = ["realworld", "one_municipality", "no_security", "sixty_groups", "mixed"]


@pytest.fixture(params=CORPORA)
def run(request):
    return request.getfixturevalue(request.param)


# --------------------------------------------------------------------------- what every run must give


def _notebooks(out: Path) -> dict[str, nbformat.NotebookNode]:
    return {p.stem: nbformat.read(p, as_version=4) for p in sorted((out / "notebooks").glob("*.ipynb"))}


def _output_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts += [v for v in output.get("data", {}).values() if isinstance(v, str)]
    return "\n".join(parts)


def test_the_report_completes(run):
    assert run["rc"] == 0, run["summary"]
    assert "REPORT FAILED" not in run["summary"]
    assert "report written to" in run["summary"]


def test_every_notebook_executed_to_the_end_without_an_error(run):
    notebooks = _notebooks(run["out"])
    assert sorted(notebooks) == NOTEBOOKS
    for name, nb in notebooks.items():
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(c.get("execution_count") for c in code), f"{name}: a cell did not run"
        errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert errors == [], f"{name}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
        stderr = "".join(
            o.get("text", "") for c in code for o in c.get("outputs", []) if o.get("name") == "stderr"
        )
        assert "Traceback" not in stderr, f"{name}: {stderr[:500]}"


def test_landing_page_and_explorer_are_written(run):
    out = run["out"]
    index = (out / "html" / "index.html").read_text(encoding="utf-8")
    for name in NOTEBOOKS:
        assert (out / "html" / f"{name}.html").exists()
        assert f'href="{name}.html"' in index
    assert list((out / "explorer").rglob("*.html")), "no explorer page"
    assert "term explorer not written" not in run["summary"]


def _corpus_text(raw: Path) -> str:
    parts = []
    for path in raw.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for encoding in ("utf-8", "cp932"):
                with contextlib.suppress(UnicodeDecodeError):
                    parts.append(data.decode(encoding))
                    break
    return "\n".join(parts)


def test_no_output_names_a_seed_municipality_the_corpus_does_not_hold(run):
    held = _corpus_text(run["raw"])
    absent = [s for s in SEEDS if s not in held and s[:-1] not in held]
    assert absent, "every seed is named in this corpus: nothing to check"
    out = run["out"]
    files = [
        *(out / "notebooks").glob("*.ipynb"),
        *(out / "html").glob("*.html"),
        *(out / "tables").glob("*.csv"),
    ]
    files += list((out / "explorer").rglob("*.html"))
    assert len(files) > 20
    found = {}
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        for seed in absent:
            if seed in text:
                at = text.index(seed)
                found[f"{path.relative_to(out)}: {seed}"] = text[max(0, at - 60) : at + 30]
    assert found == {}


# --------------------------------------------------------------------------- corpus-specific checks


def test_the_one_municipality_corpus_is_one_group(one_municipality):
    documents = pd.read_parquet(one_municipality["out"] / "processed" / "documents.parquet")
    assert documents["municipality"].unique().tolist() == ["調布市"]


def test_the_theme_without_hits_is_said_so(no_security):
    shares = pd.read_csv(no_security["out"] / "tables" / "theme-shares.csv", encoding="utf-8-sig")
    security = shares[shares["theme"] == "security"]
    assert len(security) and (security["coded_turns"] == 0).all()
    printed = "\n".join(_output_text(nb) for nb in _notebooks(no_security["out"]).values())
    assert re.search(r"security|情報セキュリティ", printed)


def test_a_labelled_sample_gives_agreement_and_corrected_shares(no_security):
    """The labelling loop's round trip in a report: the sheets in `labels/` are read, the coders'
    agreement is what their labels give, and the shares are corrected."""
    tables = no_security["out"] / "tables"
    intercoder = pd.read_csv(tables / "label-intercoder-agreement.csv", encoding="utf-8-sig")
    kappa = intercoder[intercoder["metric"] == "kappa"].set_index("code")["value"]
    assert kappa["staffing"] == pytest.approx(1.0, abs=1e-9)  # the coders agree on every unit
    assert kappa["dx"] < 1  # coder B errs on every seventh unit
    shares = pd.read_csv(tables / "corrected-shares.csv", encoding="utf-8-sig")
    assert set(shares["municipality"]) == set(_real_names(4))
    assert shares["corrected_share"].notna().any()
    nb = _notebooks(no_security["out"])["07-corrected-shares"]
    assert "not corrected for coding error" not in _output_text(nb)


def test_without_labels_the_report_says_the_shares_are_uncorrected(sixty_groups):
    nb = _notebooks(sixty_groups["out"])["07-corrected-shares"]
    assert "not corrected for coding error" in _output_text(nb)
    assert "make sample" in _output_text(nb)


def test_sixty_groups_are_all_in_the_tables(sixty_groups):
    documents = pd.read_parquet(sixty_groups["out"] / "processed" / "documents.parquet")
    assert documents["municipality"].nunique() == 60
    shares = pd.read_csv(sixty_groups["out"] / "tables" / "theme-shares.csv", encoding="utf-8-sig")
    assert shares["municipality"].nunique() == 60


def test_every_mixed_input_is_loaded_or_listed_as_a_failure(mixed):
    documents = pd.read_parquet(mixed["out"] / "processed" / "documents.parquet")
    failures = pd.read_parquet(mixed["out"] / "processed" / "failures.parquet")
    loaded, failed = set(documents["file"]), set(failures["file"])
    assert {f for f in INPUTS if f not in loaded and f not in failed} == set()
    assert "junk.bin" in failed
    index = (mixed["out"] / "html" / "index.html").read_text(encoding="utf-8")
    assert "junk.bin" in index  # the failure is listed on the landing page
    assert set(documents["municipality"]) & set(MUNICIPALITIES)


def test_mixed_inputs_become_the_documents_they_hold(tmp_path):
    """The loader alone on the mixed corpus (fast): each input gives the documents, places, dates
    and speaker roles its text or columns state."""
    from dxminutes.corpus.build import load_corpus

    corpus = load_corpus(write_mixed_corpus(tmp_path / "mixed"))
    docs = corpus.documents.set_index("doc_id")
    csv_docs = docs[docs["file"] == "utterances.csv"]
    assert sorted(zip(csv_docs["municipality"], csv_docs["meeting_date"])) == [
        ("松本市", "2024-06-12"),
        ("金沢市", "2024-12-10"),
        ("高崎市", "2024-09-03"),
    ]
    turns = corpus.turns
    for doc_id in csv_docs.index:  # every row stays in its own city's document
        own = turns[turns["doc_id"] == doc_id]
        assert own["municipality"].eq(docs.loc[doc_id, "municipality"]).all() and len(own) == 11
    for file, municipality in (("radicals.txt", "津市"), ("printed.pdf", "甲府市")):
        doc_id = docs.index[docs["file"] == file][0]
        assert docs.loc[doc_id, "municipality"] == municipality
        own = turns[turns["doc_id"] == doc_id]
        # ⻑ (U+2ED1) read as 長: the chair's mark opens its own turn, officials are officials
        assert own["role"].tolist() == ["chair"] + ["member", "official"] * 4
        assert own["text"].str.contains("市民").sum() == 4 and not own["text"].str.contains("\u2ea0").any()
    kokkai = turns[turns["doc_id"] == docs.index[docs["file"] == "kokkai.json"][0]]
    assert "unknown" not in set(kokkai["role"])
    assert docs.loc[docs["file"] == "hearing.docx", "municipality"].tolist() == ["盛岡市"]  # its catalog row
    assert docs.loc[docs["file"] == "workshop/notes.txt", "municipality"].tolist() == ["松江市"]  # the toml
    answered = corpus.warnings[corpus.warnings["file"].isin(["hearing.docx", "workshop/notes.txt"])]
    assert not answered["message"].str.contains("municipality not found").any()
    assert corpus.failures["file"].tolist() == ["junk.bin"]
