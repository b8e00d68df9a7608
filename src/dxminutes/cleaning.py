"""Cleaning pipeline: small pure str -> str steps and an auditable report (minimal version)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable, Sequence

import pandas as pd

REPORT_COLUMNS = ["step", "order", "n_changes", "chars_before", "chars_after",
                  "example_before", "example_after"]


@dataclass(frozen=True)
class CleanResult:
    text: str
    report: pd.DataFrame


def normalize_unicode(text: str) -> str:
    """NFKC normalization."""
    return unicodedata.normalize("NFKC", text)


PIPELINE: tuple[Callable[[str], str], ...] = (normalize_unicode,)


def clean(text: str, steps: Sequence[Callable[[str], str]] | None = None) -> CleanResult:
    steps = PIPELINE if steps is None else tuple(steps)
    rows = []
    for order, step in enumerate(steps):
        after = step(text)
        rows.append({"step": step.__name__, "order": order, "n_changes": int(after != text),
                     "chars_before": len(text), "chars_after": len(after),
                     "example_before": "", "example_after": ""})
        text = after
    return CleanResult(text, pd.DataFrame(rows, columns=REPORT_COLUMNS))
