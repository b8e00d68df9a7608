"""Hand labels returned in the corpus folder: read them, match them, score agreement.

A researcher draws a sample (`dxminutes sample`, `analysis.sampling`), labels the sheet in Excel,
in JupyterLab (`report.labeller`) or in Label Studio, and puts the labelled file into
`<DATA>/labels/` (never read as minutes: `corpus.build.scan_raw`). The next report reads it:

* `read_labels(data_dir)`: one row per (unit, code) that a coder labelled: unit_id, code,
  label (0/1), coder, inclusion_prob, stratum, file, text_sha1. Sheets are `.xlsx` (sheet
  "labels", design from the sheet "design"), `.csv` (UTF-8, with or without BOM) and Label
  Studio exports `.json` (the full JSON export: tasks with `annotations`; or JSON-MIN rows).
  The coder is the row's `coder` cell when filled, else the file's stem (a Label Studio
  annotation: the annotator's e-mail, else `annotator-<id>`). A blank cell is *not labelled*
  (never 0). A value other than 0, 1 or blank is a problem naming the file, row and column,
  and that cell is left out; a file that cannot be read is one problem and the others go on.
* `match_units(labels, units)`: each label's status: `ok`, `missing` (no such unit in the
  corpus) or `text_changed` (the unit's text no longer has the labelled SHA-1).
* `coder_agreement(labels, coding)`: the dictionary coder against the hand labels (the
  coders' majority per unit and code, and each coder alone): precision, recall, F1 and κ with
  bootstrap intervals (through `analysis.validity.agreement`), plus design-weighted point
  values (each unit weighted by 1 / inclusion_prob: the figure for the corpus sampled from).
* `labels_summary(data_dir, units_coded, codebook)`: every table the report shows.

Inter-coder agreement (κ, α) is `analysis.agreement.intercoder_agreement`.
"""

from __future__ import annotations

__all__ = ["CODER_COLUMNS", "CODE_RE", "CONSENSUS", "FORMULA_STARTS", "IGNORED_SUFFIXES", "KNOWN_COLUMNS", "LABELS_FOLDER", "LABEL_COLUMNS", "SHEET_CODER_COLUMNS", "SHEET_CONTEXT_COLUMNS", "SHEET_DESIGN_COLUMNS", "SHEET_SUFFIXES", "LabelFileWarning", "code_of_ls_name", "codebook_codes", "coder_agreement", "corpus_labels_summary", "empty_labels", "label_files", "labels_summary", "ls_name", "match_units", "parse_label", "read_labels", "reference_labels"]  # fmt: skip

import io
import json
import math
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import replace
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from dxminutes import config
from dxminutes.analysis import agreement as agreement_mod
from dxminutes.analysis import validity
from dxminutes.analysis.codebook import Codebook
from dxminutes.schema import require_columns

LABELS_FOLDER = "labels"
#: Columns of a labelling sheet before the code columns (the first sheet of the xlsx).
SHEET_CONTEXT_COLUMNS = (
    "unit_id",
    "municipality",
    "body",
    "date",
    "speaker",
    "role",
    "context_before",
    "unit_text",
    "context_after",
)
#: Columns after the code columns: who labelled, and a free note.
SHEET_CODER_COLUMNS = ("coder", "note")
#: The design record of each unit (the xlsx's "design" sheet; the last columns of the CSV).
SHEET_DESIGN_COLUMNS = ("stratum", "inclusion_prob", "weight", "text_sha1")
KNOWN_COLUMNS = frozenset(SHEET_CONTEXT_COLUMNS + SHEET_CODER_COLUMNS + SHEET_DESIGN_COLUMNS) | {
    "unit",
    "turn_id",
    "doc_id",
    "meeting_date",
    "sentence",
    "order",
    "group",
    "stratum_size",
    "stratum_sample",
    "annotator",
    "id",
    "annotation_id",
    "created_at",
    "updated_at",
    "lead_time",
}
LABEL_COLUMNS = ["unit_id", "code", "label", "coder", "inclusion_prob", "stratum", "file", "text_sha1"]
#: A code: a theme key, or "theme:frame".
CODE_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?")
#: Starts of a cell that the sheet writer neutralised with a leading ' (as `report.export` does).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEET_SUFFIXES = (".xlsx", ".csv", ".json")
#: Files in labels/ that are no sheet and no mistake (notes, a Label Studio config).
IGNORED_SUFFIXES = (".xml", ".md", ".txt")


class LabelFileWarning(UserWarning):
    """A labelling sheet (or one cell of it) that could not be used; the message names it."""


def ls_name(code: str) -> str:
    """The Label Studio control name of a code ("dx:efficiency" → "dx-efficiency"; keys never hold '-')."""
    return code.replace(":", "-")


def code_of_ls_name(name: str) -> str:
    return name.replace("-", ":")


def empty_labels() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="int64" if c == "label" else "float64" if c == "inclusion_prob" else "str")
            for c in LABEL_COLUMNS
        }
    )


def parse_label(value) -> int | None:
    """0 or 1 from a cell (0, 1, "0", "1", 0.0, 1.0, True/False); None for a blank cell.
    Raises ValueError for anything else."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | np.integer | np.floating):
        if float(value) in (0.0, 1.0):
            return int(value)
        raise ValueError(value)
    text = str(value).strip()
    if text == "":
        return None
    if text in ("0", "1", "0.0", "1.0"):
        return int(float(text))
    raise ValueError(value)


def label_files(data_dir: str | PathLike) -> list[Path]:
    """The files of `<data_dir>/labels/` in name order (hidden files, Excel's `~$` lock files
    and READMEs left out)."""
    folder = Path(data_dir) / LABELS_FOLDER
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if not p.name.startswith((".", "~$")) and not p.name.upper().startswith("README") and not p.is_dir()
    )


def read_labels(
    data_dir: str | PathLike,
    *,
    codes: Sequence[str] | None = None,
    problems: list[dict] | None = None,
) -> pd.DataFrame:
    """Every label of the sheets in `<data_dir>/labels/` (see the module docstring).

    `codes` limits the code columns to those named (other columns are ignored); without it, a
    column is a code when the sheet's "codebook" sheet lists it, else when its name looks like
    a code and is no known sheet column. Each problem is appended to `problems` as
    {"file", "problem"} when a list is given, else issued as a `LabelFileWarning`.
    """
    found: list[pd.DataFrame] = []
    sink: list[dict] = []
    for path in label_files(data_dir):
        shown = f"{LABELS_FOLDER}/{path.name}"
        suffix = path.suffix.lower()
        if suffix in IGNORED_SUFFIXES:
            continue
        if suffix not in SHEET_SUFFIXES:
            sink.append(
                {"file": shown, "problem": "not a labelling sheet (expected .xlsx, .csv or .json); skipped"}
            )
            continue
        try:
            if suffix == ".xlsx":
                rows, listed = _xlsx_rows(path)
            elif suffix == ".csv":
                rows, listed = _csv_rows(path), None
            else:
                rows, listed = _json_rows(path), None
        except _SheetError as exc:
            sink.append({"file": shown, "problem": f"{exc}; file skipped"})
            continue
        found.append(_tidy(rows, listed, codes, path, shown, sink))
    if problems is not None:
        problems.extend(sink)
    else:
        for p in sink:
            warnings.warn(f"{p['file']}: {p['problem']}", LabelFileWarning, stacklevel=2)
    found = [f for f in found if len(f)]
    if not found:
        return empty_labels()
    out = pd.concat(found, ignore_index=True)
    return out[LABEL_COLUMNS].astype({"label": "int64", "inclusion_prob": "float64"})


class _SheetError(ValueError):
    """A whole file that cannot be read as a sheet."""


def _xlsx_rows(path: Path) -> tuple[list[tuple[int, dict]], list[str] | None]:
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike: not a readable workbook
        raise _SheetError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    try:
        sheet = book["labels"] if "labels" in book.sheetnames else book.worksheets[0]
        rows = _sheet_rows(sheet)
        design = {}
        if "design" in book.sheetnames:
            for _, record in _sheet_rows(book["design"]):
                if record.get("unit_id") not in (None, ""):
                    design[str(record["unit_id"]).strip()] = record
        for _, record in rows:
            extra = design.get(str(record.get("unit_id") or "").strip(), {})
            for column in SHEET_DESIGN_COLUMNS:
                if record.get(column) in (None, "") and column in extra:
                    record[column] = extra[column]
        listed = None
        if "codebook" in book.sheetnames:
            listed = [str(r["key"]).strip() for _, r in _sheet_rows(book["codebook"]) if r.get("key")]
    finally:
        book.close()
    return rows, listed


def _sheet_rows(sheet) -> list[tuple[int, dict]]:
    values = sheet.iter_rows(values_only=True)
    header = next(values, None)
    if header is None:
        return []
    names = [str(h).strip() if h is not None else "" for h in header]
    rows = []
    for number, row in enumerate(values, start=2):
        if row is None or all(v is None or str(v).strip() == "" for v in row):
            continue
        rows.append((number, {n: v for n, v in zip(names, row) if n}))
    return rows


def _csv_rows(path: Path) -> list[tuple[int, dict]]:
    """Rows of a CSV sheet: UTF-8 (with or without BOM), else Shift_JIS (cp932), which Excel
    on a Japanese Windows writes when a sheet is saved as "CSV"."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _SheetError(f"cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            text = raw.decode("cp932")
        except UnicodeDecodeError:
            raise _SheetError(f"not UTF-8 or Shift_JIS text ({exc.reason} at byte {exc.start})") from None
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise _SheetError(f"not a readable CSV table ({' '.join(str(exc).split())})") from None
    table.columns = [str(c).strip() for c in table.columns]
    return [(i + 2, record) for i, record in enumerate(table.to_dict("records"))]


def _json_rows(path: Path) -> list[tuple[int, dict]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise _SheetError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise _SheetError(f"not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, list):
        raise _SheetError("not a Label Studio export (expected a JSON list of tasks)")
    rows = []
    for number, task in enumerate(data, start=1):
        if not isinstance(task, dict):
            raise _SheetError(f"task {number} is not a JSON object")
        if "data" not in task and "annotations" not in task:  # JSON-MIN: one flat row per task
            record = {code_of_ls_name(k) if "-" in k else k: v for k, v in task.items()}
            if "annotator" in record and not record.get("coder"):
                record["coder"] = _annotator(record["annotator"])
            rows.append((number, record))
            continue
        info = task.get("data") if isinstance(task.get("data"), dict) else {}
        for annotation in task.get("annotations") or []:
            if not isinstance(annotation, dict) or annotation.get("was_cancelled"):
                continue
            record = {k: info.get(k) for k in ("unit_id", *SHEET_DESIGN_COLUMNS) if k in info}
            record["coder"] = _annotator(annotation.get("completed_by"))
            for result in annotation.get("result") or []:
                if not isinstance(result, dict) or result.get("type") != "choices":
                    continue
                choices = (result.get("value") or {}).get("choices") or []
                record[code_of_ls_name(str(result.get("from_name", "")))] = (
                    choices[0] if len(choices) == 1 else "|".join(map(str, choices))
                )
            rows.append((number, record))
    return rows


def _annotator(completed_by) -> str:
    if isinstance(completed_by, dict):
        return str(completed_by.get("email") or f"annotator-{completed_by.get('id', '')}")
    return f"annotator-{completed_by}" if completed_by not in (None, "") else ""


def _tidy(rows, listed, codes, path: Path, shown: str, sink: list[dict]) -> pd.DataFrame:
    header = list(dict.fromkeys(k for _, r in rows for k in r))
    if rows and "unit_id" not in header:
        sink.append({"file": shown, "problem": "no 'unit_id' column; file skipped"})
        return empty_labels()
    if codes is not None:
        code_columns = [c for c in header if c in set(codes)]
    elif listed:
        code_columns = [c for c in header if c in set(listed)]
    else:
        code_columns = [c for c in header if c not in KNOWN_COLUMNS and CODE_RE.fullmatch(c)]
    if rows and not code_columns:
        sink.append({"file": shown, "problem": "no code column (such as dx or dx:efficiency); file skipped"})
        return empty_labels()
    out: dict[str, list] = {c: [] for c in LABEL_COLUMNS}
    seen: dict[tuple[str, str], int] = {}
    for number, record in rows:
        unit_id = str(record.get("unit_id") or "").strip()
        if unit_id.startswith("'") and unit_id[1:2] in FORMULA_STARTS:  # written Excel-safe
            unit_id = unit_id[1:]
        coder = str(record.get("coder") or "").strip() or path.stem
        cells = []
        for code in code_columns:
            try:
                value = parse_label(record.get(code))
            except ValueError:
                where = f"task {number}" if path.suffix.lower() == ".json" else f"row {number}"
                sink.append(
                    {
                        "file": shown,
                        "problem": f"{where}, column {code!r}: value {record.get(code)!r} is not 0, 1 or blank; cell left out",
                    }
                )
                continue
            if value is not None:
                cells.append((code, value))
        if not cells:
            continue
        if not unit_id:
            sink.append({"file": shown, "problem": f"row {number}: labels but no unit_id; row left out"})
            continue
        if (unit_id, coder) in seen:
            sink.append(
                {
                    "file": shown,
                    "problem": f"row {number}: unit {unit_id!r} of coder {coder!r} already labelled in "
                    f"row {seen[unit_id, coder]}; the later row is used",
                }
            )
        seen[unit_id, coder] = number
        prob = _float(record.get("inclusion_prob"))
        for code, value in cells:
            out["unit_id"].append(unit_id)
            out["code"].append(code)
            out["label"].append(value)
            out["coder"].append(coder)
            out["inclusion_prob"].append(prob)
            out["stratum"].append(str(record.get("stratum") or ""))
            out["file"].append(shown)
            out["text_sha1"].append(str(record.get("text_sha1") or ""))
    table = pd.DataFrame(out, columns=LABEL_COLUMNS)
    return table.drop_duplicates(["unit_id", "code", "coder"], keep="last").reset_index(drop=True)


def _float(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return number


def match_units(labels: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """`labels` with `status`: ok, missing (no unit with that id) or text_changed (the unit's
    `text_sha1` differs from the labelled one; a label without a recorded SHA-1 is ok)."""
    require_columns(labels, ("unit_id", "text_sha1"), "labels")
    require_columns(units, ("unit_id", "text_sha1"), "units")
    sha = dict(zip(units["unit_id"].astype(str), units["text_sha1"].astype(str)))
    found = labels["unit_id"].map(sha)
    recorded = labels["text_sha1"].fillna("").astype(str)
    status = np.where(
        found.isna(), "missing", np.where((recorded == "") | (recorded == found), "ok", "text_changed")
    )
    return labels.assign(status=pd.array(status, dtype="str"))


def reference_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """The coders' majority label per unit and code: unit_id, code, label, n_coders, inclusion_prob.
    A tie (as many 0 as 1) has no majority and is left out."""
    require_columns(labels, ("unit_id", "code", "label", "coder"), "labels")
    if labels.empty:
        return pd.DataFrame(columns=["unit_id", "code", "label", "n_coders", "inclusion_prob"])
    grouped = labels.groupby(["unit_id", "code"], sort=False)
    out = grouped.agg(
        mean=("label", "mean"), n_coders=("coder", "nunique"), inclusion_prob=("inclusion_prob", "first")
    ).reset_index()
    out = out[out["mean"] != 0.5]
    return out.assign(label=(out["mean"] > 0.5).astype("int64"))[
        ["unit_id", "code", "label", "n_coders", "inclusion_prob"]
    ].reset_index(drop=True)


#: Which agreement function scores the dictionary against the labels: the lead may re-point it
#: when `analysis.validity` has one agreement function for both levels.
def _validity_agreement(gold: pd.DataFrame, coded: pd.DataFrame, *, n_boot: int, random_state: int):
    """Adapter: score 0/1 `gold` (turn_id = unit_id, municipality = subset, one column `code`)
    against `coded` (turn_id, theme, coded) with `validity.agreement`."""
    code = next(c for c in gold.columns if c not in ("turn_id", "municipality"))
    subsets = {name: [name] for name in pd.unique(gold["municipality"])}
    return validity.agreement(
        gold, coded, themes=[code], subsets=subsets, n_boot=n_boot, random_state=random_state
    )


CODER_COLUMNS = [
    "reference",
    "code",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "value_weighted",
    "n_units",
    "n_gold",
    "n_coded",
    "tp",
    "fp",
    "fn",
    "tn",
]
CONSENSUS = "majority of coders"


def coder_agreement(
    labels: pd.DataFrame,
    coding: pd.DataFrame,
    *,
    n_boot: int = config.N_BOOT,
    random_state: int,
) -> pd.DataFrame:
    """The dictionary coder (`coding`: unit_id, code, coded) against the hand labels, per code:
    against the coders' majority (`reference_labels`) and against each coder alone. Columns
    `CODER_COLUMNS`: the sample's value with a bootstrap interval over units, and
    `value_weighted`, the point value with each unit weighted by 1 / inclusion_prob (NaN when
    a labelled unit has no inclusion probability). Labels of units the coding lacks are left
    out (see `match_units` for the count)."""
    require_columns(coding, ("unit_id", "code", "coded"), "coding")
    known = set(coding["unit_id"].astype(str))
    labels = labels[labels["unit_id"].astype(str).isin(known)]
    references = [(CONSENSUS, reference_labels(labels))]
    coders = sorted(pd.unique(labels["coder"]).tolist()) if len(labels) else []
    if len(coders) > 1:
        references += [(coder, labels[labels["coder"] == coder]) for coder in coders]
    coded = coding.rename(columns={"unit_id": "turn_id", "code": "theme"})[["turn_id", "theme", "coded"]]
    parts = []
    for name, ref in references:
        for code in pd.unique(ref["code"]):
            rows = ref[ref["code"] == code].drop_duplicates("unit_id", keep="last")
            if rows.empty:
                continue
            gold = pd.DataFrame(
                {
                    "turn_id": rows["unit_id"].astype(str).to_numpy(),
                    "municipality": name,
                    code: rows["label"].to_numpy(),
                }
            )
            scored = _validity_agreement(
                gold, coded[coded["theme"] == code], n_boot=n_boot, random_state=random_state
            )
            weighted = _weighted_metrics(rows, coded[coded["theme"] == code])
            scored = scored.assign(value_weighted=scored["metric"].map(weighted))
            parts.append(
                scored.rename(columns={"subset": "reference", "theme": "code", "n_turns": "n_units"})
            )
    if not parts:
        return pd.DataFrame(columns=CODER_COLUMNS)
    return pd.concat(parts, ignore_index=True)[CODER_COLUMNS]


def _weighted_metrics(rows: pd.DataFrame, coded: pd.DataFrame) -> dict[str, float]:
    prob = rows["inclusion_prob"].to_numpy(dtype=float)
    if np.isnan(prob).any() or (prob <= 0).any():
        return {m: float("nan") for m in validity.METRICS}
    w = 1 / prob
    c = rows["unit_id"].astype(str).map(dict(zip(coded["turn_id"].astype(str), coded["coded"].astype(bool))))
    c = c.fillna(False).to_numpy(dtype=bool)
    g = rows["label"].to_numpy(dtype=bool)
    counts = [float(w[g & c].sum()), float(w[~g & c].sum()), float(w[g & ~c].sum()), float(w[~g & ~c].sum())]
    return {k: float(v) for k, v in validity.metrics_from_counts(*counts).items()}


def codebook_codes(codebook) -> pd.DataFrame:
    """code, level (theme or frame), theme, label_ja, label_en of every code of `codebook`: a
    `ThemeSet`, a `FrameSet`, a theme or frame object, a code string, or a list of these. A
    theme that holds its frames (`theme.frames`) gives them too."""
    rows: list[dict] = []

    def add(item) -> None:
        if item is None:
            return
        if isinstance(item, str):
            rows.append(
                {"code": item, "level": "frame" if ":" in item else "theme", "theme": item.split(":")[0]}
                | {"label_ja": "", "label_en": ""}
            )
        elif isinstance(item, Codebook):  # its themes first, then all their frames
            for theme in item.themes:
                add(replace(theme, frames=()))
            add(item.frames)
        elif hasattr(item, "frames") and not hasattr(item, "key"):  # a FrameSet
            for frame in item.frames:
                add(frame)
        elif hasattr(item, "themes") and not hasattr(item, "key"):  # a ThemeSet
            for theme in item.themes:
                add(theme)
        elif hasattr(item, "key"):
            is_frame = hasattr(item, "theme") and isinstance(item.theme, str)
            code = f"{item.theme}:{item.key}" if is_frame else item.key
            rows.append(
                {
                    "code": code,
                    "level": "frame" if is_frame else "theme",
                    "theme": item.theme if is_frame else item.key,
                    "label_ja": getattr(item, "label_ja", ""),
                    "label_en": getattr(item, "label_en", ""),
                }
            )
            for frame in getattr(item, "frames", ()) or ():
                add(frame)
        elif isinstance(item, Iterable):
            for part in item:
                add(part)

    add(codebook)
    out = pd.DataFrame(rows, columns=["code", "level", "theme", "label_ja", "label_en"])
    return out.drop_duplicates("code").reset_index(drop=True)


def labels_summary(
    data_dir: str | PathLike,
    units_coded: pd.DataFrame,
    codebook,
    *,
    units: pd.DataFrame | None = None,
    n_boot: int = config.N_BOOT,
    random_state: int = config.RANDOM_SEED,
) -> dict:
    """Every table of the labelling loop for the report (the notebook's one call).

    `units_coded` is the dictionary's decision per unit (`sampling.unit_coding`: unit_id, code,
    coded), `codebook` the themes (and frames) whose codes are read (`codebook_codes`);
    `units` (a `sampling.units_table`) adds the text check of `match_units`. Keys:

    * `labels`: the labels read (`read_labels`, with `status` and `level`);
    * `files`: per file and coder, the units and labels read;
    * `problems`: file, problem: every sheet, row or cell that could not be used;
    * `status`: per status (ok, missing, text_changed), the number of labels;
    * `intercoder`: Cohen's κ and Krippendorff's α per code with intervals (two or more coders);
    * `coder`: the dictionary against the labels: P/R/F1/κ per code (`coder_agreement`), with `level`;
    * `note`: one sentence for the report when there is nothing to score (else "").
    """
    table = codebook_codes(codebook)
    problems: list[dict] = []
    labels = read_labels(data_dir, codes=table["code"].tolist() or None, problems=problems)
    level = dict(zip(table["code"], table["level"]))
    if units is not None:
        labels = match_units(labels, units)
    else:
        known = set(units_coded["unit_id"].astype(str))
        labels = labels.assign(
            status=np.where(labels["unit_id"].astype(str).isin(known), "ok", "missing").astype(str)
        )
    labels = labels.assign(level=labels["code"].map(level).fillna("").astype(str))
    usable = labels[labels["status"] == "ok"]
    files = (
        labels.groupby(["file", "coder"], sort=True)
        .agg(n_units=("unit_id", "nunique"), n_labels=("label", "size"))
        .reset_index()
    )
    status = labels.groupby("status").size().rename("n_labels").reset_index()
    intercoder = agreement_mod.intercoder_agreement(usable, n_boot=n_boot, random_state=random_state)
    coder = coder_agreement(usable, units_coded, n_boot=n_boot, random_state=random_state)
    for frame in (intercoder, coder):
        frame.insert(1, "level", frame["code"].map(level).fillna("").astype(str))
    note = ""
    if labels.empty:
        note = (
            f"No labelled sample in {LABELS_FOLDER}/ of the corpus folder: draw one with "
            "`make sample DATA=<corpus folder> N=200`, label it, and put the sheet into "
            f"<corpus folder>/{LABELS_FOLDER}/."
        )
    elif usable.empty:
        note = "No label matches a unit of this corpus (see status and problems)."
    return {
        "labels": labels,
        "files": files,
        "problems": pd.DataFrame(problems, columns=["file", "problem"]),
        "status": status,
        "intercoder": intercoder,
        "coder": coder,
        "note": note,
    }


def corpus_labels_summary(
    data_dir: str | PathLike,
    turns: pd.DataFrame,
    themes,
    frames=None,
    *,
    documents: pd.DataFrame | None = None,
    n_boot: int = config.N_BOOT,
    random_state: int = config.RANDOM_SEED,
) -> dict:
    """`labels_summary` for a corpus: the notebook's one call (`ws.turns`, `ws.themes`, frames).

    The units are made and coded here (`sampling.units_table`, `sampling.unit_coding`) for each
    kind of unit the sheets hold: sentence ids carry '#', turn ids do not. Frames are coded
    when `frames` is given. Besides `labels_summary`'s tables: `units`, the dictionary's 0/1 flag
    per unit and code with the unit's municipality (the `units` of `analysis.correction`), and
    `unit_kinds`, the kinds of unit made."""
    from dxminutes.analysis import sampling

    codebook = [themes, frames] if frames is not None else themes
    codes = codebook_codes(codebook)["code"].tolist()
    with warnings.catch_warnings():  # problems are reported by labels_summary itself
        warnings.simplefilter("ignore", LabelFileWarning)
        found = read_labels(data_dir, codes=codes or None, problems=[])
    kinds = sorted({"sentence" if "#" in str(u) else "turn" for u in found["unit_id"]}) or ["sentence"]
    units = pd.concat(
        [sampling.units_table(turns, kind, documents=documents) for kind in kinds], ignore_index=True
    )
    coding = pd.concat(
        [sampling.unit_coding(turns, themes, kind, frames) for kind in kinds], ignore_index=True
    )
    summary = labels_summary(
        data_dir, coding, codebook, units=units, n_boot=n_boot, random_state=random_state
    )
    # the dictionary's 0/1 flag per unit and code, with the unit's municipality and body: the
    # `units` input of `analysis.correction` (units of the kinds the sheets hold)
    flags = sampling.flags_from_coding(coding, codes)
    context = units[[c for c in ("unit_id", "municipality", "body") if c in units.columns]]
    summary["units"] = context.drop_duplicates("unit_id").merge(flags, on="unit_id", how="inner", sort=False)
    summary["unit_kinds"] = kinds
    return summary
