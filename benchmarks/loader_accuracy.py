"""Score the loader on a folder of real minutes with hand-written truth (issue 19).

    python benchmarks/loader_accuracy.py tests/data/holdout tests/data/realworld [--all]

A truth folder holds minutes files, `truth.csv` (one row per file: `file`, `municipality`,
`meeting_date`, `n_turns`, …) and optionally `turns.csv` (one row per speaker turn: `file`,
`text_start`, …), with the columns and conventions of `tests/data/realworld/` (see its README).

Every file goes through the loader the way the real-world tests run it:

* turns: `read_raw` → `clean` → `segment` (tests/test_realworld_turns.py); a file's turn count
  is right when it lies within max(1, n/4) of the truth's n, and a truth turn is found when a
  predicted turn's text starts with the first 8 characters of its `text_start` (NFKC, no
  whitespace), in order;
* metadata: `document_metadata(clean(raw).text, file, None, raw_text=raw.text)`
  (tests/test_realworld_metadata.py); municipality and meeting date must equal the truth, an
  empty truth must come out empty;
* loading: `load_corpus` on a copy of the listed files gives the failures table, and the
  documents table's `segmented` column when the loader has one (files loaded but not segmented).

A file that cannot be read counts as wrong on every measure and its problem is printed; the
other files go on. `score(folder)` returns one row per truth file, `summarize(table)` the
figures; nothing here asserts a floor (the callers decide).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

#: The failure load_corpus reports for a file it read but could not segment (not a read failure).
NO_SPEAKERS = "no recognizable speakers"
#: Characters of a turn's text start compared to match it to a truth turn (as in the tests).
MATCH_CHARS = 8

COLUMNS = [
    "file",
    "loaded",
    "problem",
    "load_problem",
    "segmented",
    "n_turns_truth",
    "n_turns_found",
    "turns_ok",
    "boundaries_truth",
    "boundaries_found",
    "speakers_truth",
    "speakers_exact",
    "speakers_named",
    "municipality_truth",
    "municipality_found",
    "municipality_ok",
    "meeting_date_truth",
    "meeting_date_found",
    "meeting_date_ok",
]


def turn_tolerance(n: int) -> float:
    """How far a predicted turn count may be from the truth's n: max(1, n/4)."""
    return max(1, n / 4)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def match_boundaries(predicted_texts: list[str], truth_starts: list[str]) -> list[tuple[int, int]]:
    """(truth index, predicted index) of the truth turns that find, in order, a predicted turn
    whose text starts like theirs."""
    pairs, start = [], 0
    for i, expected in enumerate(truth_starts):
        key = _norm(expected)[:MATCH_CHARS]
        for k in range(start, len(predicted_texts)):
            if _norm(predicted_texts[k]).startswith(key):
                pairs.append((i, k))
                start = k + 1
                break
    return pairs


def count_boundaries(predicted_texts: list[str], truth_starts: list[str]) -> int:
    """How many truth turns find, in order, a predicted turn whose text starts like theirs."""
    return len(match_boundaries(predicted_texts, truth_starts))


def speaker_agrees(found: str, truth: str) -> tuple[bool, bool]:
    """(exact, named): the found speaker is the truth's (spaces and NFKC ignored), or at least
    names the same person by the start of the truth's name (`佐野` for `佐野公樹`)."""
    found, truth = _norm(found), _norm(truth)
    exact = bool(truth) and found == truth
    return exact, exact or (bool(found) and truth.startswith(found))


def read_truth_speakers(folder: Path) -> dict[str, list[str]]:
    """The truth speaker of each turn per file, in the order of `read_truth`'s text starts."""
    path = folder / "turns.csv"
    if not path.is_file():
        return {}
    turns = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "speaker" not in turns.columns:
        return {}
    if "position" in turns.columns:
        turns = turns.assign(_pos=pd.to_numeric(turns["position"], errors="coerce")).sort_values(
            ["file", "_pos"], kind="stable"
        )
    return {file: list(group["speaker"]) for file, group in turns.groupby("file", sort=False)}


def read_truth(folder: Path) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """`truth.csv` as strings (empty cells stay empty) and, if present, text starts per file."""
    path = folder / "truth.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no truth.csv in the truth folder")
    truth = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"file", "municipality", "meeting_date", "n_turns"} - set(truth.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    starts: dict[str, list[str]] = {}
    turns_path = folder / "turns.csv"
    if turns_path.is_file():
        turns = pd.read_csv(turns_path, dtype=str, keep_default_na=False)
        if "position" in turns.columns:
            turns = turns.assign(_pos=pd.to_numeric(turns["position"], errors="coerce")).sort_values(
                ["file", "_pos"], kind="stable"
            )
        for file, group in turns.groupby("file", sort=False):
            starts[file] = list(group["text_start"])
    return truth, starts


def _loader_tables(folder: Path, files: list[str]) -> tuple[dict[str, str], dict[str, bool]]:
    """Failures (file → problem) and, if the loader reports it, `segmented` per file."""
    from dxminutes.corpus.build import load_corpus

    with tempfile.TemporaryDirectory(prefix="loader_accuracy_") as tmp:
        for file in files:
            source = folder / file
            if source.is_file():
                target = Path(tmp) / file
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        corpus = load_corpus(tmp)
    failures = {str(row.file): str(row.problem) for row in corpus.failures.itertuples()}
    segmented: dict[str, bool] = {}
    documents = corpus.documents
    if "segmented" in documents.columns and "file" in documents.columns:
        segmented = {str(f): bool(s) for f, s in zip(documents["file"], documents["segmented"])}
    return failures, segmented


def _score_file(
    path: Path, truth_row: pd.Series, starts: list[str] | None, speakers: list[str] | None = None
) -> dict:
    from dxminutes.corpus.cleaning import clean
    from dxminutes.corpus.metadata import document_metadata
    from dxminutes.corpus.readers import read_raw
    from dxminutes.corpus.segment import segment

    n_truth = int(truth_row["n_turns"])
    row = {
        "file": truth_row["file"],
        "loaded": False,
        "problem": "",
        "n_turns_truth": n_truth,
        "n_turns_found": pd.NA,
        "turns_ok": False,
        "boundaries_truth": len(starts) if starts is not None else pd.NA,
        "boundaries_found": 0 if starts is not None else pd.NA,
        "speakers_truth": 0 if speakers else pd.NA,
        "speakers_exact": 0 if speakers else pd.NA,
        "speakers_named": 0 if speakers else pd.NA,
        "municipality_truth": truth_row["municipality"],
        "municipality_found": "",
        "municipality_ok": False,
        "meeting_date_truth": truth_row["meeting_date"],
        "meeting_date_found": "",
        "meeting_date_ok": False,
    }
    try:
        raw = read_raw(path)
        cleaned = clean(raw.text).text
        turns = segment(cleaned).turns
        meta = document_metadata(cleaned, path.name, None, raw_text=raw.text)
    except Exception as error:  # one clear message per bad file; the others go on
        row["problem"] = f"{type(error).__name__}: {error}"
        return row
    n_found = len(turns)
    row.update(
        loaded=True,
        n_turns_found=n_found,
        turns_ok=abs(n_found - n_truth) <= turn_tolerance(n_truth),
        municipality_found=meta.municipality or "",
        meeting_date_found=meta.meeting_date or "",
    )
    row["municipality_ok"] = row["municipality_found"] == row["municipality_truth"]
    row["meeting_date_ok"] = row["meeting_date_found"] == row["meeting_date_truth"]
    if starts is not None:
        texts = [str(t) for t in turns["text"]] if n_found else []
        pairs = match_boundaries(texts, starts)
        row["boundaries_found"] = len(pairs)
        if speakers:  # speakers of the turns found with their boundary
            agree = [
                speaker_agrees(str(turns["speaker"].iloc[k]), speakers[i]) for i, k in pairs if speakers[i]
            ]
            row["speakers_truth"] = len(agree)
            row["speakers_exact"] = sum(exact for exact, _ in agree)
            row["speakers_named"] = sum(named for _, named in agree)
    return row


def score(folder: Path | str) -> pd.DataFrame:
    """One row per file of `folder/truth.csv`: loaded?, turn count, municipality and date vs truth."""
    folder = Path(folder)
    truth, starts = read_truth(folder)
    speakers = read_truth_speakers(folder)
    files = list(truth["file"])
    failures, segmented = _loader_tables(folder, files)
    rows = []
    for _, truth_row in truth.iterrows():
        path = folder / truth_row["file"]
        row = _score_file(
            path,
            truth_row,
            starts.get(truth_row["file"], [] if starts else None),
            speakers.get(truth_row["file"]),
        )
        if not path.is_file():
            row["problem"] = f"{path}: file listed in truth.csv is missing"
        row["load_problem"] = failures.get(truth_row["file"], "")
        row["segmented"] = segmented.get(truth_row["file"], pd.NA) if segmented else pd.NA
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass(frozen=True)
class Summary:
    files: int
    loaded: int
    failed: int
    no_speakers: int  # loaded, but load_corpus reports "no recognizable speakers"
    unsegmented: int | None  # None: the loader has no `segmented` column
    turns_ok: int
    files_with_turns: int
    turns_ok_with_turns: int
    municipality_ok: int
    meeting_date_ok: int
    boundaries_truth: int | None
    boundaries_found: int | None
    speakers_truth: int | None = None  # truth turns found with their boundary, with a truth speaker
    speakers_exact: int | None = None
    speakers_named: int | None = None

    def share(self, count: int, total: int | None = None) -> float:
        total = self.files if total is None else total
        return count / total if total else float("nan")


def summarize(table: pd.DataFrame) -> Summary:
    """The figures of a `score()` table (counts; shares via `Summary.share`)."""
    with_turns = table[table["n_turns_truth"] > 0]
    has_segmented = table["segmented"].notna().any()
    boundaries = table["boundaries_truth"].notna().any()
    failed = (table["problem"] != "") | ~table["load_problem"].isin(["", NO_SPEAKERS])
    return Summary(
        files=len(table),
        loaded=int((~failed).sum()),
        failed=int(failed.sum()),
        no_speakers=int((table["load_problem"] == NO_SPEAKERS).sum()),
        unsegmented=int((table["segmented"] == False).sum()) if has_segmented else None,  # noqa: E712
        turns_ok=int(table["turns_ok"].sum()),
        files_with_turns=len(with_turns),
        turns_ok_with_turns=int(with_turns["turns_ok"].sum()),
        municipality_ok=int(table["municipality_ok"].sum()),
        meeting_date_ok=int(table["meeting_date_ok"].sum()),
        boundaries_truth=int(table["boundaries_truth"].dropna().sum()) if boundaries else None,
        boundaries_found=int(table["boundaries_found"].dropna().sum()) if boundaries else None,
        **{
            key: int(table[key].dropna().sum()) if table["speakers_truth"].notna().any() else None
            for key in ("speakers_truth", "speakers_exact", "speakers_named")
        },
    )


def report(folder: Path | str, table: pd.DataFrame, *, all_rows: bool = False) -> str:
    """A plain-text report: the figures, then the per-file misses (or every row with `all_rows`)."""
    s = summarize(table)

    def pct(count: int, total: int | None = None) -> str:
        return f"{count}/{s.files if total is None else total} ({s.share(count, total):.1%})"

    lines = [
        f"== {folder}",
        f"files: {s.files}; loaded: {s.loaded}; failed: {s.failed}; loaded-unsegmented: "
        + ("n/a (no `segmented` column)" if s.unsegmented is None else str(s.unsegmented))
        + f"; '{NO_SPEAKERS}' (load_corpus): {s.no_speakers}",
        f"turn counts within max(1, n/4): {pct(s.turns_ok)}; on files with truth turns: "
        f"{pct(s.turns_ok_with_turns, s.files_with_turns)}",
        f"municipality right: {pct(s.municipality_ok)}",
        f"meeting date right: {pct(s.meeting_date_ok)}",
    ]
    if s.boundaries_truth is not None:
        lines.append(f"truth turns found with their boundary: {pct(s.boundaries_found, s.boundaries_truth)}")
    if s.speakers_truth is not None:
        lines.append(
            f"their speaker right: {pct(s.speakers_exact, s.speakers_truth)}; the same person named "
            f"(found name starts the truth's, `佐野` for `佐野公樹`): {pct(s.speakers_named, s.speakers_truth)}"
        )
    bad = ~(table["turns_ok"] & table["municipality_ok"] & table["meeting_date_ok"])
    misses = table if all_rows else table[bad | (table["problem"] != "") | (table["load_problem"] != "")]
    lines.append("per-file misses:" if not all_rows else "per file:")
    for row in misses.itertuples():
        parts = []
        if row.problem:
            parts.append(f"problem: {row.problem}")
        if row.load_problem:
            parts.append(f"load_corpus: {row.load_problem}")
        if all_rows or not row.turns_ok:
            parts.append(f"turns {row.n_turns_found} vs {row.n_turns_truth}")
        if all_rows or not row.municipality_ok:
            parts.append(f"municipality '{row.municipality_found}' vs '{row.municipality_truth}'")
        if all_rows or not row.meeting_date_ok:
            parts.append(f"date '{row.meeting_date_found}' vs '{row.meeting_date_truth}'")
        lines.append(f"  {row.file}: " + "; ".join(parts))
    if misses.empty:
        lines.append("  (none)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="truth folders (minutes + truth.csv)")
    parser.add_argument("--all", action="store_true", help="print every file, not only the misses")
    args = parser.parse_args(argv)
    status = 0
    for folder in args.folders:
        try:
            table = score(folder)
        except (OSError, ValueError) as error:
            print(f"== {folder}\n{error}", file=sys.stderr)
            status = 1
            continue
        print(report(folder, table, all_rows=args.all))
        print()
    return status


if __name__ == "__main__":
    sys.exit(main())
