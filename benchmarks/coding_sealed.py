"""Score the theme coder on sample D: verbatim turns of bodies new to the project (issue 21).

`data/gold/sample-d/` holds, per region, `units-<region>.csv` (the turns, with `split` =
`dev` or `test` decided by body), two coders' labels (`labels-<region>-coderA.csv`,
`labels-<region>-coderB.csv`) and the adjudication of their disagreements
(`adjudicated-<region>.csv`). The reference label of a unit is the coders' common label, or
the adjudicated one where they disagreed.

The `test` split is sealed: it is scored once per freeze of the dictionary and nobody tunes the
dictionary on its misses (this script prints no per-unit misses for it). For each split and
theme it prints the positives, the coder's precision, recall, F1 and Cohen's κ, with 95%
intervals from a bootstrap over **bodies** (units of one body are drawn together), and the two
coders' own κ on the same units.

    .venv/bin/python benchmarks/coding_sealed.py [--sample data/gold/sample-d] [--n-boot 2000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SAMPLE = ROOT / "data" / "gold" / "sample-d"
THEMES = ("dx", "security", "staffing", "digital_divide")
SEED = 20261208


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def reference_labels(sample: Path) -> pd.DataFrame:
    """One row per unit: its text, body and split, both coders' labels and the reference label."""
    frames = []
    for units_path in sorted(sample.glob("units-*.csv")):
        region = units_path.stem.removeprefix("units-")
        units = _read(units_path)
        a = _read(sample / f"labels-{region}-coderA.csv").set_index("unit_id")
        b = _read(sample / f"labels-{region}-coderB.csv").set_index("unit_id")
        adjudicated = sample / f"adjudicated-{region}.csv"
        rulings = _read(adjudicated) if adjudicated.is_file() else pd.DataFrame(columns=["unit_id", "theme"])
        ruled = {(r.unit_id, r.theme): int(r.adjudicated) for r in rulings.itertuples()}
        missing = set(units["unit_id"]) - set(a.index) - set(b.index)
        if missing:
            raise ValueError(
                f"{units_path}: {len(missing)} unit(s) without labels, e.g. {sorted(missing)[0]}"
            )
        for theme in THEMES:
            units[f"{theme}_a"] = units["unit_id"].map(a[theme]).astype(int)
            units[f"{theme}_b"] = units["unit_id"].map(b[theme]).astype(int)
            gold = []
            for uid, x, y in zip(units["unit_id"], units[f"{theme}_a"], units[f"{theme}_b"], strict=True):
                if x == y:
                    gold.append(x)
                elif (uid, theme) in ruled:
                    gold.append(ruled[(uid, theme)])
                else:
                    raise ValueError(f"{units_path}: {uid} {theme}: coders disagree and no adjudication")
            units[theme] = gold
        units["region"] = region
        frames.append(units)
    if not frames:
        raise FileNotFoundError(f"{sample}: no units-*.csv")
    return pd.concat(frames, ignore_index=True)


def dictionary_flags(units: pd.DataFrame) -> pd.DataFrame:
    """The coder's flag per unit and theme (a unit is coded as one turn)."""
    from dxminutes.analysis.themes import code_turns, load_themes

    turns = pd.DataFrame(
        {
            "turn_id": units["unit_id"],
            "doc_id": units["unit_id"],
            "municipality": units["municipality"],
            "meeting_date": "",
            "speaker": units["speaker_label"],
            "role": "unknown",
            "text": units["text"],
        }
    )
    coded = code_turns(turns, load_themes())
    wide = coded.pivot_table(index="turn_id", columns="theme", values="coded", aggfunc="max")
    return wide.reindex(index=units["unit_id"], columns=list(THEMES)).fillna(False).astype(int)


def _metrics(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Precision, recall, F1 and κ of two 0/1 vectors (the project's one agreement core)."""
    from dxminutes.analysis.validity import confusion_counts, metrics_from_counts

    return {key: float(value) for key, value in metrics_from_counts(*confusion_counts(gold, pred)).items()}


def score(
    units: pd.DataFrame, flags: pd.DataFrame, *, n_boot: int = 2000, random_state: int = SEED
) -> pd.DataFrame:
    """Per split and theme: positives, P/R/F1/κ with body-bootstrap intervals, coders' κ."""
    rng = np.random.default_rng(random_state)
    rows = []
    for split in ("dev", "test"):
        part = units[units["split"] == split].reset_index(drop=True)
        bodies = part["body"].to_numpy()
        groups = [np.flatnonzero(bodies == b) for b in pd.unique(bodies)]
        draws = [
            np.concatenate([groups[i] for i in rng.integers(len(groups), size=len(groups))])
            for _ in range(n_boot)
        ]
        for theme in THEMES:
            gold = part[theme].to_numpy()
            pred = flags.loc[part["unit_id"], theme].to_numpy()
            point = _metrics(gold, pred)
            boot = pd.DataFrame([_metrics(gold[d], pred[d]) for d in draws])
            row = {
                "split": split,
                "theme": theme,
                "units": len(part),
                "bodies": len(groups),
                "positives": int(gold.sum()),
            }
            for key, value in point.items():
                low, high = (
                    np.nanpercentile(boot[key], [2.5, 97.5]) if boot[key].notna().any() else (np.nan, np.nan)
                )
                row.update({key: value, f"{key}_low": low, f"{key}_high": high})
            row["coders_kappa"] = _metrics(part[f"{theme}_a"].to_numpy(), part[f"{theme}_b"].to_numpy())[
                "kappa"
            ]
            rows.append(row)
    return pd.DataFrame(rows)


def report(table: pd.DataFrame) -> str:
    def cell(row, key):
        if np.isnan(row[key]):
            return "—"
        return f"{row[key]:.2f} [{row[f'{key}_low']:.2f}, {row[f'{key}_high']:.2f}]"

    lines = [
        "| split | theme | units | bodies | positives | precision | recall | F1 | κ | coders' κ |",
        "|---|---|---:|---:|---:|---|---|---|---|---:|",
    ]
    for _, r in table.iterrows():
        coders = "—" if np.isnan(r["coders_kappa"]) else f"{r['coders_kappa']:.2f}"
        lines.append(
            f"| {r['split']} | {r['theme']} | {r['units']} | {r['bodies']} | {r['positives']} | "
            f"{cell(r, 'precision')} | {cell(r, 'recall')} | {cell(r, 'f1')} | {cell(r, 'kappa')} | {coders} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE)
    parser.add_argument("--n-boot", type=int, default=2000)
    args = parser.parse_args(argv)
    try:
        units = reference_labels(args.sample)
    except (OSError, ValueError) as error:
        print(error, file=sys.stderr)
        return 1
    print(report(score(units, dictionary_flags(units), n_boot=args.n_boot)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
