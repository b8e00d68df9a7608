"""Labelling sheets for a sample of units, and the `dxminutes sample` command.

`write_sheets(sample, codes, stem)` writes, for one sample (`analysis.sampling.draw_sample`):

* `<stem>.xlsx`: sheet "labels", one row per unit: unit_id, municipality, body, date,
  speaker, role, context before, **unit text**, context after, then one column per code
  (themes, then frames "theme:key" when the codebook has them) whose cells offer the list
  "0,1" (blank = not yet labelled), then coder and note. Sheet "codebook": each code's key,
  level, bilingual name and short definition (`code_definitions`). Sheet "instructions": how
  to label and return the sheet. Hidden sheets "design" (per unit: stratum, inclusion_prob,
  weight, text_sha1) and "strata" (per stratum: N_h, n_h, what its flag group means).
* `<stem>.csv`: the same rows with the design columns last (UTF-8 with BOM, for Excel).
* `<stem>.labelstudio.json` (tasks to import into Label Studio) and `<stem>.labelstudio.xml`
  (its labelling config: the unit with its context, one single-choice 0/1 control per code,
  named `labels.ls_name(code)`). A Label Studio JSON export goes back into `labels/` as is.

Every text cell is Excel-safe (`export.excel_safe`: a cell that Excel would run as a formula
gets a leading `'`). Nothing is overwritten: a sheet whose file exists is refused.

`dxminutes sample --data DIR --n 200 [--unit sentence|turn] [--out FILE_OR_DIR] [--seed N]`
builds (or reads) the corpus, codes it with the theme dictionary (the flags of the design),
draws the sample and writes the sheets, by default to `build/labels/<corpus name>/`, never into
the corpus folder unless `--out` says so.
"""

from __future__ import annotations

__all__ = ["CODEBOOK_PATH", "INSTRUCTIONS", "LABELS_OUT_DIR", "NO_DEFINITION", "SampleError", "code_definitions", "codebook_definitions", "default_stem", "draw_and_write", "labelstudio_config", "register_cli", "sheet_paths", "sheet_table", "write_sheets"]  # fmt: skip

import argparse
import json
import re
import sys
from collections.abc import Sequence
from os import PathLike
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd

from dxminutes import config
from dxminutes._io import atomic_write
from dxminutes.analysis import labels as labels_mod
from dxminutes.analysis import sampling
from dxminutes.report.export import excel_safe

CODEBOOK_PATH = config.PROJECT_DIR / "docs" / "codebook.md"
LABELS_OUT_DIR = config.PROJECT_DIR / "build" / "labels"
NO_DEFINITION = "(no definition found: see the codebook)"
_THEME_HEADING = re.compile(r"^##\s+\d+\.\s+Theme\s+`([^`]+)`", re.M)
_FRAMES_HEADING = re.compile(r"^###\s+Frames within\s+`([^`]+)`", re.M)


class SampleError(ValueError):
    """A sample that cannot be written (an existing file, a bad option); the message says why."""


def codebook_definitions(path: str | PathLike | None = None) -> dict[str, str]:
    """Code → short definition from the codebook (`docs/codebook.md`): a theme's "Definition"
    paragraph, a frame's row of the theme's "Frames within" table (what it is, what it
    includes, what it excludes). {} when the file is absent."""
    path = Path(CODEBOOK_PATH if path is None else path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    out: dict[str, str] = {}
    starts = [(m.start(), m.group(1)) for m in _THEME_HEADING.finditer(text)]
    for i, (start, key) in enumerate(starts):
        section = text[start : starts[i + 1][0] if i + 1 < len(starts) else len(text)]
        section = section.split("\n## ", 1)[0]
        definition = re.search(r"^###\s+Definition\s*\n(.*?)(?=^###|\Z)", section, re.M | re.S)
        if definition:
            out[key] = _plain(definition.group(1))
        frames = _FRAMES_HEADING.search(section)
        if frames:
            for line in section[frames.end() :].splitlines():
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if len(cells) < 3 or not cells[0].startswith("`"):
                    continue
                frame_key = cells[0].strip("`")
                parts = [cells[1]]
                if len(cells) > 2 and cells[2]:
                    parts.append(f"Include: {cells[2]}")
                if len(cells) > 3 and cells[3]:
                    parts.append(f"Exclude: {cells[3]}")
                out[f"{key}:{frame_key}"] = _plain(". ".join(parts))
    return out


def _plain(markdown: str) -> str:
    """One line of text from a Markdown passage: emphasis marks and backticks dropped."""
    return " ".join(re.sub(r"\*\*|`", "", markdown).split())


def code_definitions(codebook, codebook_path: str | PathLike | None = None) -> pd.DataFrame:
    """The sheet's "codebook" table: key, level, label_ja, label_en, definition. A code's
    definition is its own `definition` field when the codebook resource has one, else the
    codebook document's (`codebook_definitions`), else `NO_DEFINITION`."""
    table = labels_mod.codebook_codes(codebook)
    own = _own_definitions(codebook)
    document = codebook_definitions(codebook_path)
    table["definition"] = [own.get(c) or document.get(c) or NO_DEFINITION for c in table["code"]]
    return table.rename(columns={"code": "key"})[["key", "level", "label_ja", "label_en", "definition"]]


def _own_definitions(codebook) -> dict[str, str]:
    found: dict[str, str] = {}
    items = list(getattr(codebook, "themes", ()) or ()) + list(getattr(codebook, "frames", ()) or ())
    for item in items:
        definition = getattr(item, "definition", "")
        if definition:
            theme = getattr(item, "theme", None)
            found[f"{theme}:{item.key}" if isinstance(theme, str) else item.key] = str(definition)
    return found


def sheet_table(sample: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """The rows of a labelling sheet: context columns, one empty column per code, coder, note,
    then the design columns (`labels.SHEET_*_COLUMNS`)."""
    sampling_cols = {"meeting_date": "date", "text": "unit_text"}
    table = sample.rename(columns=sampling_cols)
    out = pd.DataFrame(
        {c: table[c].astype(str) if c in table else "" for c in labels_mod.SHEET_CONTEXT_COLUMNS}
    )
    for code in codes:
        out[code] = ""
    for column in labels_mod.SHEET_CODER_COLUMNS:
        out[column] = ""
    out["stratum"] = table["stratum"].astype(str)
    out["inclusion_prob"] = table["inclusion_prob"].astype(float)
    out["weight"] = table["weight"].astype(float)
    out["text_sha1"] = table["text_sha1"].astype(str)
    return out


def sheet_paths(stem: str | PathLike) -> dict[str, Path]:
    stem = Path(stem)
    return {
        "xlsx": stem.with_name(stem.name + ".xlsx"),
        "csv": stem.with_name(stem.name + ".csv"),
        "labelstudio_tasks": stem.with_name(stem.name + ".labelstudio.json"),
        "labelstudio_config": stem.with_name(stem.name + ".labelstudio.xml"),
    }


def write_sheets(
    sample: pd.DataFrame,
    codebook_table: pd.DataFrame,
    stem: str | PathLike,
    *,
    strata: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write the xlsx, CSV and Label Studio files of `sample` at `stem` (a path without suffix).
    `codebook_table` is `code_definitions(...)` (its keys are the code columns). Refuses with
    `SampleError` when any of the files exists."""
    paths = sheet_paths(stem)
    existing = [p for p in paths.values() if p.exists()]
    if existing:
        raise SampleError(
            f"{config.relpath(existing[0])} exists; a labelling sheet is never overwritten "
            "(choose another --out or --seed, or move the old sheet away)"
        )
    codes = codebook_table["key"].tolist()
    table = sheet_table(sample, codes)
    _write_xlsx(paths["xlsx"], table, codes, codebook_table, strata)
    csv = excel_safe(table)
    atomic_write(
        paths["csv"],
        lambda p: csv.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n", float_format="%.10g"),
    )
    tasks = [
        {
            "data": {
                c: (float(row[c]) if c in ("inclusion_prob", "weight") else str(row[c]))
                for c in (*labels_mod.SHEET_CONTEXT_COLUMNS, *labels_mod.SHEET_DESIGN_COLUMNS)
            }
        }
        for _, row in table.iterrows()
    ]
    payload = json.dumps(tasks, ensure_ascii=False, indent=1) + "\n"
    atomic_write(paths["labelstudio_tasks"], lambda p: p.write_text(payload, encoding="utf-8"))
    config_xml = labelstudio_config(codebook_table)
    atomic_write(paths["labelstudio_config"], lambda p: p.write_text(config_xml, encoding="utf-8"))
    return paths


def labelstudio_config(codebook_table: pd.DataFrame) -> str:
    """A Label Studio labelling config: the unit with its context and one 0/1 choice per code."""
    lines = [
        "<View>",
        '  <Header value="$municipality $body $date — $speaker ($role)"/>',
        '  <Text name="context_before" value="$context_before"/>',
        '  <Header value="unit / 判定する文"/>',
        '  <Text name="unit_text" value="$unit_text"/>',
        '  <Text name="context_after" value="$context_after"/>',
    ]
    for _, row in codebook_table.iterrows():
        title = f"{row['key']} — {row['label_ja']} / {row['label_en']}".strip(" —/")
        lines.append(f'  <Header value={quoteattr(title)} size="6"/>')
        lines.append(
            f'  <Choices name={quoteattr(labels_mod.ls_name(row["key"]))} toName="unit_text" '
            'choice="single" showInline="true">'
        )
        lines += ['    <Choice value="0"/>', '    <Choice value="1"/>', "  </Choices>"]
    lines.append("</View>")
    return "\n".join(lines) + "\n"


INSTRUCTIONS = (
    "Label each unit (the bold 'unit_text' column) under the codebook (sheet 'codebook', docs/codebook.md).",
    "For every code column choose 1 (the unit touches the code) or 0 (it does not); leave a cell blank "
    "only when you have not decided: a blank is read as 'not labelled', never as 0.",
    "Frames (codes theme:frame) are labelled only when the unit touches their theme (codebook G7).",
    "Context before and after is there to resolve references; it does not supply content (codebook G4).",
    "Write your name in the 'coder' column (or leave it blank: the file name is then the coder).",
    "When done, put the file into the corpus folder's labels/ folder; the next report reads it.",
    "Two coders: each labels a copy of this file; the report then gives their agreement (κ, α).",
    "Do not edit unit_id, and do not sort away the design sheet: they tie the labels to the corpus.",
)


def _write_xlsx(
    path: Path, table: pd.DataFrame, codes: list[str], codebook_table: pd.DataFrame, strata
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "labels"
    visible = [*labels_mod.SHEET_CONTEXT_COLUMNS, *codes, *labels_mod.SHEET_CODER_COLUMNS]
    safe = excel_safe(table[visible])
    sheet.append(list(safe.columns))
    for row in safe.itertuples(index=False):
        sheet.append([None if v == "" else v for v in row])
    widths = {"unit_id": 26, "context_before": 40, "unit_text": 60, "context_after": 40, "body": 18}
    for j, column in enumerate(visible, start=1):
        letter = get_column_letter(j)
        sheet.column_dimensions[letter].width = widths.get(column, 9 if column in codes else 12)
        sheet.cell(row=1, column=j).font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for column in ("context_before", "unit_text", "context_after"):
        j = visible.index(column) + 1
        for i in range(2, len(table) + 2):
            sheet.cell(row=i, column=j).alignment = wrap
            if column == "unit_text":
                sheet.cell(row=i, column=j).font = Font(bold=True)
    if codes and len(table):
        check = DataValidation(
            type="list",
            formula1='"0,1"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="0 or 1",
            error="Enter 0 or 1 (or leave blank: not labelled).",
        )
        sheet.add_data_validation(check)
        first, last = visible.index(codes[0]) + 1, visible.index(codes[-1]) + 1
        check.add(f"{get_column_letter(first)}2:{get_column_letter(last)}{len(table) + 1}")
    sheet.freeze_panes = "B2"

    book_sheet = book.create_sheet("codebook")
    cb = excel_safe(codebook_table)
    book_sheet.append(list(cb.columns))
    for row in cb.itertuples(index=False):
        book_sheet.append(list(row))
    for letter, width in zip("ABCDE", (22, 8, 24, 30, 100)):
        book_sheet.column_dimensions[letter].width = width
    for i in range(2, len(cb) + 2):
        book_sheet.cell(row=i, column=5).alignment = wrap

    how = book.create_sheet("instructions")
    how.append(["instructions"])
    for line in INSTRUCTIONS:
        how.append([line])
    how.column_dimensions["A"].width = 120

    design = book.create_sheet("design")
    columns = ["unit_id", *labels_mod.SHEET_DESIGN_COLUMNS]
    design_rows = excel_safe(table[columns])
    design.append(columns)
    for row in design_rows.itertuples(index=False):
        design.append(list(row))
    design.sheet_state = "hidden"
    if strata is not None:
        record = book.create_sheet("strata")
        st = excel_safe(strata)
        record.append(list(st.columns))
        for row in st.itertuples(index=False):
            record.append([v.item() if hasattr(v, "item") else v for v in row])
        record.sheet_state = "hidden"
    atomic_write(path, lambda p: book.save(p))


# --------------------------------------------------------------------------- the command
def default_stem(raw_dir: Path, unit: str, n: int, seed: int, out: Path | None) -> Path:
    """Where the sheets go: `--out` (a file name, its suffix dropped, or a folder), else
    `build/labels/<corpus folder name>/`; the name says the unit, size and seed, never a date."""
    name = f"sample-{unit}-n{n}-seed{seed}"
    if out is None:
        return LABELS_OUT_DIR / raw_dir.resolve().name / name
    out = Path(out)
    if out.suffix.lower() in (".xlsx", ".csv", ".json"):
        return out.with_suffix("")
    return out / name


def draw_and_write(
    raw_dir: str | PathLike,
    *,
    n: int,
    unit: str = "sentence",
    out: str | PathLike | None = None,
    seed: int = config.RANDOM_SEED,
    themes_path: str | PathLike | None = None,
    frames_path: str | PathLike | None = None,
    processed_dir: str | PathLike | None = None,
    min_positive: int = sampling.MIN_POSITIVE,
) -> dict[str, Path]:
    """Build or read the corpus of `raw_dir`, draw the sample and write its sheets (the
    `sample` command). Returns the written paths."""
    from dxminutes.analysis.codebook import load_frames
    from dxminutes.analysis.themes import load_themes
    from dxminutes.corpus import build as corpus_build

    raw = Path(raw_dir)
    if not raw.is_dir():
        raise SampleError(f"corpus folder not found: {config.relpath(raw)}")
    stem = default_stem(raw, unit, n, seed, Path(out) if out is not None else None)
    existing = [p for p in sheet_paths(stem).values() if p.exists()]
    if existing:  # refuse before the (slow) build
        raise SampleError(
            f"{config.relpath(existing[0])} exists; a labelling sheet is never overwritten "
            "(choose another --out or --seed, or move the old sheet away)"
        )
    if processed_dir is None:
        from dxminutes.report.render import default_out

        seed_corpus = raw.resolve() == config.RAW_DIR.resolve()
        processed_dir = config.PROCESSED_DIR if seed_corpus else default_out(raw) / "processed"
    processed = Path(processed_dir)
    corpus = None
    if corpus_build.is_current(processed, raw):
        try:
            corpus = corpus_build.read_processed(processed)
        except FileNotFoundError:
            corpus = None
    if corpus is None:
        corpus = corpus_build.build(raw, processed)
    themes = load_themes(themes_path)
    frames = themes.frames if themes.has_frames else None  # the codebook's own frames
    if frames_path is not None:  # another codebook's frames
        try:
            frames = load_frames(frames_path)
        except ValueError as exc:  # unreadable: the sheet carries the themes only
            frames = None
            print(f"note: frames left out of the sheet ({exc})", file=sys.stderr)
    units = sampling.units_table(corpus.turns, unit, documents=corpus.documents)
    if units.empty:
        raise SampleError(f"{config.relpath(raw)}: the corpus has no text to sample")
    coding = sampling.unit_coding(corpus.turns, themes, unit)
    flags = sampling.flags_from_coding(coding, themes.keys)
    sample = sampling.draw_sample(units, n=n, flags=flags, min_positive=min_positive, random_state=seed)
    strata = sampling.strata_table(units, sample, flags=flags)
    codebook = [themes, frames] if frames is not None else themes
    return write_sheets(sample, code_definitions(codebook), stem, strata=strata)


def register_cli(subparsers) -> None:
    """Add the `sample` command."""
    p = subparsers.add_parser(
        "sample", help="draw a stratified random sample of sentences or turns and write a labelling sheet"
    )
    p.add_argument("--data", metavar="DIR", type=Path, help="the corpus folder (default data/raw)")
    p.add_argument("--n", type=int, default=200, help="units to draw (default 200)")
    p.add_argument("--unit", choices=sampling.UNITS, default="sentence", help="sentence (default) or turn")
    p.add_argument(
        "--out",
        metavar="FILE_OR_DIR",
        type=Path,
        help="the sheet's file (name.xlsx) or folder (default build/labels/<corpus name>/)",
    )
    p.add_argument("--seed", type=int, default=config.RANDOM_SEED, help="random seed")
    p.add_argument(
        "--min-positive",
        type=int,
        default=sampling.MIN_POSITIVE,
        help=f"units drawn at least from each flagged code's strata (default {sampling.MIN_POSITIVE})",
    )
    p.add_argument("--themes", metavar="FILE", type=Path, help="theme dictionary (TOML)")
    p.add_argument("--processed", metavar="DIR", type=Path, help=argparse.SUPPRESS)
    p.set_defaults(func=_sample_command)


def _sample_command(args: argparse.Namespace) -> int:
    raw = Path(args.data) if args.data is not None else config.RAW_DIR
    if args.n < 1:
        print("error: --n must be at least 1", file=sys.stderr)
        return 2
    try:
        paths = draw_and_write(
            raw,
            n=args.n,
            unit=args.unit,
            out=args.out,
            seed=args.seed,
            themes_path=args.themes,
            processed_dir=args.processed,
            min_positive=args.min_positive,
        )
    except SampleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"labelling sheet: {paths['xlsx']}")
    print(f"  the same as CSV: {paths['csv']}")
    print(
        f"  Label Studio: import {paths['labelstudio_tasks'].name} with the config {paths['labelstudio_config'].name}"
    )
    print(f"label it, then put the labelled file into {config.relpath(raw / labels_mod.LABELS_FOLDER)}/")
    return 0
