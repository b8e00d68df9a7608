"""When an analysis cannot run on a corpus: one plain sentence that says why and what would help.

Each function returns that sentence, or None when the analysis can run. The notebooks print the
sentence and go on; the analysis functions return correctly typed empty tables in those cases, so
nothing downstream has to guess. The wording is for a reader of the report, not for a programmer.
"""

from __future__ import annotations

__all__ = ["fewer_than_two_groups", "no_coded_turns", "no_gold_turns", "no_hits", "no_rows", "too_few", "unsegmented"]  # fmt: skip

import pandas as pd

from dxminutes.corpus.segment import unsegmented_note


def _names(values) -> list[str]:
    return sorted({str(v) for v in pd.Series(values).dropna()})


def fewer_than_two_groups(frame: pd.DataFrame, what: str, by: str = "municipality") -> str | None:
    """`what` compares municipalities (or another grouping `by`) and `frame` holds fewer than two."""
    names = _names(frame[by]) if by in frame.columns else []
    if len(names) >= 2:
        return None
    held = f"only one ({names[0]})" if names else "none"
    return (
        f"{what} compares municipalities with each other, and this corpus has {held}: "
        "add minutes of at least one other municipality to make the comparison possible."
    )


def too_few(n: int, minimum: int, what: str, unit: str, more: str) -> str | None:
    """`what` needs at least `minimum` `unit`s and the corpus has `n`."""
    if n >= minimum:
        return None
    return f"{what} needs at least {minimum} {unit} and this corpus has {n}: add {more} to make it possible."


def no_gold_turns(matched: pd.DataFrame, sample: str = "the seed gold sample") -> str | None:
    """None of the hand-labelled turns of `sample` (rows with `status`, `match_gold`) is in the corpus."""
    if len(matched) and (matched["status"] == "ok").any():
        return None
    return (
        f"None of the {len(matched)} hand-labelled turns of {sample} is in this corpus, so the "
        "dictionary's agreement with hand labels cannot be measured on it here; label a sample of "
        "this corpus's turns (docs/codebook.md, the columns of data/gold/gold-turns.csv) to measure it."
    )


def no_hits(coded: pd.DataFrame, theme: str, label: str | None = None) -> str | None:
    """No turn of the corpus is coded for `theme` (`code_turns` output: theme, coded)."""
    if (coded["theme"].eq(theme) & coded["coded"].astype(bool)).any():
        return None
    return (
        f"No turn of this corpus touches {label or theme}, so there is nothing to analyse for it; "
        "minutes that discuss it, or dictionary entries for the words these minutes use for it, would "
        "make it possible."
    )


def no_rows(table: pd.DataFrame, what: str, more: str) -> str | None:
    """`table` is empty: `what` found nothing; `more` says what would change that."""
    if len(table):
        return None
    return f"{what} found nothing in this corpus: {more}."


def no_coded_turns(coded: pd.DataFrame, what: str) -> str | None:
    """No turn of the corpus is coded for any theme (`code_turns` output: theme, coded)."""
    if len(coded) and coded["coded"].astype(bool).any():
        return None
    return (
        f"{what} needs turns coded for a theme, and no turn of this corpus touches any of the themes: "
        "minutes that discuss them, or dictionary entries for the words these minutes use, would make it possible."
    )


def unsegmented(documents: pd.DataFrame) -> str | None:
    """Documents loaded as one unsegmented block, which speaker- and role-level analyses leave out."""
    return unsegmented_note(documents) or None


def no_frames(codebook) -> str | None:
    """The codebook (`analysis.codebook.Codebook`) defines no [[theme.frame]] tables."""
    if codebook.has_frames:
        return None
    return (
        f"No frames defined: the codebook {codebook.source or ''} has themes but no [[theme.frame]] "
        "tables, so the frame-level analyses have nothing to code. Add frames under their theme "
        "(docs/codebook.md, 'The dictionary file') to get them."
    ).replace("codebook  has", "codebook has")
