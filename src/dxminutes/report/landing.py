"""The report's landing page `html/index.html` and its table browser `html/tables.html`.

The landing page shows the run (the corpus folder's name, every parameter with the value the
run actually used, package versions, and the date of the data: the latest meeting date, not the
wall clock, so a rerun gives the same page), a corpus summary read from the processed tables
(documents, turns, municipalities, the files that failed and the warnings, each with a fix),
the notebooks, every figure as a thumbnail with its caption and PNG/SVG/CSV links, every table
(with a link into `tables.html` and to its CSV) and the term explorer pages.

`tables.html` shows every table as an interactive itables DataTable. itables' offline bundle
(its own DataTables build) is inlined once, base64-encoded as itables' offline mode does, since
browsers refuse ES modules from `file://` pages; nothing is loaded from the network. Paths in
the pages are relative (`../figures/…`), so the folder can be moved or zipped.
"""

from __future__ import annotations

__all__ = ["CSS", "DEFAULT_FIX", "DUPLICATE_COLUMNS", "FIXES", "VERSION_PACKAGES", "effective_parameters", "figure_caption", "package_versions", "read_corpus_summary", "suggest_fix", "write_landing", "write_tables_page"]  # fmt: skip

import html
import importlib.metadata
import os
import platform
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from dxminutes import config
from dxminutes._io import atomic_write

#: Columns of the `duplicates` table the landing page reads (`corpus.duplicates`).
DUPLICATE_COLUMNS = ("kept_file", "dropped_file", "similarity", "kind", "kept_doc_id", "dropped_doc_id")

#: Packages whose versions the landing page lists.
VERSION_PACKAGES = (
    "dxminutes",
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "matplotlib",
    "janome",
    "networkx",
    "statsmodels",
    "itables",
    "nbconvert",
)

#: (pattern in a failure or warning message, what to do about it)
FIXES = (
    (
        r"left out as a duplicate",
        "同じ会議録の写し。一つだけ数えます / a copy of another file, counted once; remove one copy if they differ in name only",
    ),
    (
        r"no recognizable speakers|no speaker",
        "話者の記号（○、◎、（山田委員）など）を確認 / check the speaker marks; `make inspect FILE=…` shows what the loader sees",
    ),
    (
        r"undecodable|charset|encoding",
        "UTF-8 で保存し直す / re-save the file as UTF-8 (or Shift_JIS without mixed encodings)",
    ),
    (r"no text layer|scanned", "OCR でテキスト層を付ける / run OCR on the PDF, or supply a .txt version"),
    (r"not a PDF|not a readable PDF", "PDF が壊れています / re-download or re-export the PDF"),
    (r"empty file", "空のファイル / remove it, or replace it with the full minutes"),
    (r"binary file", "議事録ではないファイル / remove it from the folder (not minutes text)"),
    (r"unknown format", "対応形式は .txt / .html / .pdf / convert it to one of .txt, .html, .pdf"),
    (r"sha256 differs", "catalog.csv の sha256 を更新 / update the sha256 column of catalog.csv"),
    (r"lost their speaker mark", "抽出で話者記号が欠落 / check the source; those turns keep role unknown"),
    (r"date", "catalog.csv に meeting_date を記入 / add meeting_date (ISO) to catalog.csv"),
    (r"municipality", "catalog.csv に municipality を記入 / add municipality to catalog.csv"),
)
DEFAULT_FIX = "`make inspect FILE=…` で確認 / inspect the file with `make inspect FILE=…`"

CSS = """
body{font-family:"IPAexGothic","Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222;line-height:1.5}
h1{margin-bottom:.2rem} h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
table.kv th{text-align:left;padding-right:1rem;font-weight:normal;color:#555}
table.list{border-collapse:collapse} table.list td,table.list th{border:1px solid #ddd;padding:.25rem .5rem;vertical-align:top}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:1rem}
figure{margin:0;border:1px solid #ddd;padding:.5rem;background:#fafafa}
figure img{width:100%;height:180px;object-fit:contain;background:#fff}
figcaption{font-size:.85rem} .links a{margin-right:.6rem;font-size:.85rem}
.ok{color:#1a7f37} .bad{color:#b42318} .muted{color:#777}
"""


def _write(path: Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8", newline="\n"))


def _e(value) -> str:
    return html.escape(str(value))


def suggest_fix(message: str) -> str:
    """What a user can do about a loading failure or warning (first matching rule)."""
    for pattern, fix in FIXES:
        if re.search(pattern, str(message), flags=re.IGNORECASE):
            return fix
    return DEFAULT_FIX


def package_versions(names: Sequence[str] = VERSION_PACKAGES) -> dict[str, str]:
    """Installed versions of `names` (packages not installed are left out), and Python's."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def _shown_path(value) -> str:
    """A path as the page shows it: relative to the project when below it, else its name."""
    return config.relpath(value)


def effective_parameters(parameters: Mapping, raw_dir: Path) -> dict[str, str]:
    """The run's parameters with the values actually used (defaults filled in from config)."""
    themes = parameters.get("THEMES_PATH") or config.THEMES_PATH
    k = parameters.get("K")
    return {
        "corpus (RAW_DIR)": Path(raw_dir).resolve().name,
        "THEMES_PATH": Path(themes).name,
        "K": str(k) if k is not None else "自動選択 / chosen by coherence and stability",
        "N_BOOT": str(parameters.get("N_BOOT") or config.N_BOOT),
        "MIN_COUNT": str(parameters.get("MIN_COUNT") or config.MIN_COUNT),
        "MIN_TURNS": str(config.MIN_TURNS),
        "TOP_N_EDGES": str(config.TOP_N_EDGES),
        "RANDOM_SEED": str(config.RANDOM_SEED),
        **{
            k: _shown_path(v) if isinstance(v, os.PathLike) else str(v)
            for k, v in parameters.items()
            if k not in {"RAW_DIR", "THEMES_PATH", "K", "N_BOOT", "MIN_COUNT", "PROCESSED_DIR"}
        },
    }


def read_corpus_summary(processed_dir: Path) -> dict | None:
    """Counts, municipalities, latest meeting date, failures and warnings from the processed tables."""
    processed_dir = Path(processed_dir)
    tables = {}
    for name in ("documents", "turns", "failures", "warnings"):
        path = processed_dir / f"{name}.parquet"
        if not path.exists():
            if name in ("documents", "turns"):
                return None
            tables[name] = pd.DataFrame(columns=["file", "problem" if name == "failures" else "message"])
            continue
        tables[name] = pd.read_parquet(path)
    duplicates_path = processed_dir / "duplicates.parquet"
    duplicates = (
        pd.read_parquet(duplicates_path)
        if duplicates_path.exists()
        else pd.DataFrame(columns=list(DUPLICATE_COLUMNS))
    )
    duplicates = duplicates.reindex(columns=list(DUPLICATE_COLUMNS))
    documents, turns = tables["documents"], tables["turns"]
    dates = documents["meeting_date"].dropna().astype(str) if "meeting_date" in documents else pd.Series([])
    munis = documents["municipality"].dropna().astype(str).value_counts().sort_index()
    return {
        "documents": len(documents),
        "turns": len(turns),
        "municipalities": {m: int(n) for m, n in munis.items()},
        "first_date": min(dates) if len(dates) else None,
        "latest_date": max(dates) if len(dates) else None,
        "failures": tables["failures"].sort_values("file", kind="mergesort").to_dict("records"),
        "warnings": tables["warnings"].sort_values("file", kind="mergesort").to_dict("records"),
        "duplicates": duplicates.sort_values(["kept_file", "dropped_file"], kind="mergesort")[
            list(DUPLICATE_COLUMNS)
        ].to_dict("records"),
    }


def _document_name(file, doc_id) -> str:
    """A file's name, with the document's id when the file holds several (`fuchu.csv (fuchu-002)`)."""
    file = str(file)
    if doc_id is None or pd.isna(doc_id) or str(doc_id) in (file, Path(file).stem):
        return file
    return f"{file} ({doc_id})"


def figure_caption(png: Path) -> str:
    """The caption `save_figure` stored in the PNG's Title, else the file stem."""
    try:
        from PIL import Image

        with Image.open(png) as image:
            title = image.text.get("Title", "") if hasattr(image, "text") else ""
    except Exception:  # an unreadable PNG still gets its entry
        title = ""
    return title or png.stem


def _kv(rows: Mapping[str, str]) -> str:
    body = "\n".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows.items())
    return f'<table class="kv">\n{body}\n</table>'


def _list_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="list">\n<tr>{head}</tr>\n{body}\n</table>'


def _table_id(name: str) -> str:
    return "T_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def write_tables_page(report_dir: Path, tables: Sequence[Path], *, max_bytes: str = "256KB") -> Path:
    """`html/tables.html`: every table as an interactive (offline) itables DataTable."""
    from itables import javascript, options

    parts = [javascript.generate_init_offline_itables_html(options.dt_bundle)]
    for csv in tables:
        try:
            df = pd.read_csv(csv, encoding="utf-8-sig")
        except pd.errors.EmptyDataError:  # a CSV with no columns (an empty file): an empty table
            df = pd.DataFrame()
        table_html = javascript.to_html_datatable(
            df, table_id=_table_id(csv.stem), connected=False, maxBytes=max_bytes, classes="display compact"
        )
        parts.append(
            f'<h2 id="{_e(csv.stem)}">{_e(csv.stem)} <span class="links">'
            f'<a href="../tables/{_e(csv.name)}">CSV</a></span></h2>\n'
            f'<p class="muted">{len(df)} 行 × {df.shape[1]} 列 / rows × columns</p>\n{table_html}'
        )
    page = (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        f"<title>dxminutes: tables</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        '<p><a href="index.html">← 目次 / index</a></p>\n<h1>表 / Tables</h1>\n'
        + "\n".join(parts)
        + "\n</body>\n</html>\n"
    )
    return _write(report_dir / "html" / "tables.html", page)


def write_landing(
    report_dir: Path,
    *,
    entries: Sequence[tuple[str, str]],
    parameters: Mapping,
    processed_dir: Path,
    raw_dir: Path,
    problems: Sequence[str] = (),
) -> Path:
    """Write `html/index.html` (and `html/tables.html`) for the report in `report_dir`."""
    report_dir = Path(report_dir)
    summary = read_corpus_summary(processed_dir)
    figures = sorted((report_dir / "figures").glob("*.png"))
    tables = sorted((report_dir / "tables").glob("*.csv"))
    explorers = sorted((report_dir / "explorer").glob("*.html"))
    run = effective_parameters(parameters, raw_dir)
    if summary is not None:
        run["データの日付 / date of the data"] = summary["latest_date"] or "不明 / unknown"
    sections = [
        f"<h1>dxminutes report: {_e(Path(raw_dir).resolve().name)}</h1>",
        '<p class="ok">実行は正常に完了しました / the run completed.</p>'
        if not problems
        else '<p class="bad">実行は完了しましたが問題があります / the run completed with problems:</p>'
        + _list_table(["problem"], [[p] for p in problems]),
        "<h2>実行 / Run</h2>",
        _kv(run),
        "<h3>パッケージ / Package versions</h3>",
        _kv(package_versions()),
    ]
    sections.append("<h2>コーパス / Corpus</h2>")
    if summary is None:
        sections.append('<p class="bad">処理済みテーブルがありません / no processed tables found.</p>')
    else:
        munis = ", ".join(f"{m} ({n})" for m, n in summary["municipalities"].items())
        sections.append(
            _kv(
                {
                    "文書 / documents": str(summary["documents"]),
                    "発言 / turns": str(summary["turns"]),
                    "自治体 / municipalities": f"{len(summary['municipalities'])}: {munis}",
                    "会議日 / meeting dates": f"{summary['first_date'] or '?'} – {summary['latest_date'] or '?'}",
                    "読めなかったファイル / failed files": str(len(summary["failures"])),
                    "重複文書 / duplicate documents": str(len(summary["duplicates"])),
                    "警告 / warnings": str(len(summary["warnings"])),
                }
            )
        )
        if summary["duplicates"]:
            sections.append("<h3>重複文書 / Duplicate documents (counted once)</h3>")
            sections.append(
                _list_table(
                    ["残した / kept", "除いた / left out", "類似度 / similarity", "種類 / kind"],
                    [
                        [
                            _document_name(r["kept_file"], r["kept_doc_id"]),
                            _document_name(r["dropped_file"], r["dropped_doc_id"]),
                            f"{float(r['similarity']):.4f}",
                            r["kind"],
                        ]
                        for r in summary["duplicates"]
                    ],
                )
            )
        if summary["failures"]:
            sections.append("<h3>読めなかったファイル / Files that could not be loaded</h3>")
            sections.append(
                _list_table(
                    ["file", "problem", "対処 / fix"],
                    [[r["file"], r["problem"], suggest_fix(r["problem"])] for r in summary["failures"]],
                )
            )
        if summary["warnings"]:
            sections.append("<h3>警告 / Warnings</h3>")
            sections.append(
                _list_table(
                    ["file", "message", "対処 / fix"],
                    [[r["file"], r["message"], suggest_fix(r["message"])] for r in summary["warnings"]],
                )
            )
    sections.append("<h2>ノートブック / Notebooks</h2>")
    sections.append(
        "<ol>\n" + "\n".join(f'<li><a href="{_e(f)}">{_e(t)}</a></li>' for f, t in entries) + "\n</ol>"
    )
    if explorers:
        sections.append("<h2>語の探索 / Term explorer</h2>")
        sections.append(
            "<ul>\n"
            + "\n".join(f'<li><a href="../explorer/{_e(p.name)}">{_e(p.stem)}</a></li>' for p in explorers)
            + "\n</ul>"
        )
    sections.append(f"<h2>図 / Figures ({len(figures)})</h2>")
    cards = []
    for png in figures:
        stem = png.stem
        links = " ".join(
            f'<a href="../figures/{_e(stem)}.{ext}">{ext.upper()}</a>'
            for ext in ("png", "svg", "csv")
            if (png.with_suffix(f".{ext}")).exists()
        )
        caption = figure_caption(png)
        cards.append(
            f'<figure id="fig-{_e(stem)}"><a href="../figures/{_e(png.name)}">'
            f'<img src="../figures/{_e(png.name)}" alt="{_e(caption)}" loading="lazy"></a>'
            f"<figcaption><b>{_e(stem)}</b><br>{_e(caption)}<br>"
            f'<span class="links">{links}</span></figcaption></figure>'
        )
    sections.append('<div class="figures">\n' + "\n".join(cards) + "\n</div>")
    sections.append(f"<h2>表 / Tables ({len(tables)})</h2>")
    rows = []
    for csv in tables:
        with open(csv, encoding="utf-8-sig") as handle:
            n_rows = max(sum(1 for _ in handle) - 1, 0)
        rows.append(
            f'<tr><td><a href="tables.html#{_e(csv.stem)}">{_e(csv.stem)}</a></td>'
            f"<td>{n_rows}</td>"
            f'<td><a href="../tables/{_e(csv.name)}">CSV</a></td></tr>'
        )
    sections.append(
        '<table class="list">\n<tr><th>table (interactive)</th><th>lines</th><th>download</th></tr>\n'
        + "\n".join(rows)
        + "\n</table>"
    )
    page = (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>dxminutes report: {_e(Path(raw_dir).resolve().name)}</title>\n<style>{CSS}</style>\n"
        "</head>\n<body>\n" + "\n".join(sections) + "\n</body>\n</html>\n"
    )
    write_tables_page(report_dir, tables)
    return _write(report_dir / "html" / "index.html", page)
