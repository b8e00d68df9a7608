"""Keyword in context and evidence quotes, always with the group columns attached.

Texts are searched after the same normalization the theme dictionary uses
(`themes.normalize_text`, NFKC) and with ASCII case ignored, so "ＤＸ" finds "DX".
"""

from __future__ import annotations

__all__ = ["CONTEXT_COLUMNS", "ELLIPSIS", "KWIC_COLUMNS", "QUOTE_COLUMNS", "evidence_quotes", "kwic"]

import re

import numpy as np
import pandas as pd

from dxminutes.analysis.themes import FLAGS, ThemeSet, find_hits, find_matches, normalize_text

CONTEXT_COLUMNS = ["municipality", "doc_id", "meeting_date", "turn_id", "position", "speaker", "role"]
KWIC_COLUMNS = [*CONTEXT_COLUMNS, "left", "keyword", "right", "start", "end"]
QUOTE_COLUMNS = [
    "municipality",
    "theme",
    "rank",
    "doc_id",
    "meeting_date",
    "turn_id",
    "speaker",
    "role",
    "n_hits",
    "matched_terms",
    "quote",
]
ELLIPSIS = "…"


def _flat(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def kwic(
    turns: pd.DataFrame,
    pattern: str,
    *,
    regex: bool = False,
    window: int = 30,
    themes: ThemeSet | None = None,
) -> pd.DataFrame:
    """One row per match: municipality, doc_id, meeting_date, turn_id, position, speaker, role,
    left, keyword, right, start, end (offsets in the normalized turn text).

    `pattern` is a literal string (normalized like the text) or, with `regex=True`, a regular
    expression. With `themes`, `pattern` is a theme key and the rows are that theme's counted
    hits (after overlap resolution and exclusions), with an extra `variant` column.
    Sorted by municipality, doc_id, position, start.
    """
    missing = [c for c in [*CONTEXT_COLUMNS, "text"] if c not in turns.columns]
    if missing:
        raise ValueError(f"turns lacks column(s) {missing}")
    if not pattern:
        raise ValueError("empty KWIC pattern")
    texts = [normalize_text(t) for t in turns["text"].astype(str)]
    if themes is not None:
        theme = themes[pattern]
        hits = find_hits(turns, themes)
        found = hits[hits["theme"] == theme.key]
    else:
        compiled = re.compile(pattern if regex else re.escape(normalize_text(pattern)), FLAGS)
        found = find_matches(texts, compiled)
    rows = found["row"].to_numpy(dtype=np.int64)
    starts, ends = found["start"].tolist(), found["end"].tolist()
    out = pd.DataFrame({c: turns[c].to_numpy()[rows] for c in CONTEXT_COLUMNS})
    out["left"] = [_flat(texts[r][max(0, s - window) : s]) for r, s in zip(rows, starts)]
    out["keyword"] = [texts[r][s:e] for r, s, e in zip(rows, starts, ends)]
    out["right"] = [_flat(texts[r][e : e + window]) for r, e in zip(rows, ends)]
    out["start"], out["end"] = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    if themes is not None:
        out["variant"] = found["variant"].to_numpy()
    out = out.sort_values(["municipality", "doc_id", "position", "start"], kind="mergesort")
    return out.reset_index(drop=True)


def evidence_quotes(
    coded: pd.DataFrame,
    turns: pd.DataFrame,
    *,
    per_cell: int = 2,
    random_state: int | np.random.Generator | None,
    max_chars: int = 160,
) -> pd.DataFrame:
    """Representative quotes per municipality × theme for the notebooks.

    Picks the coded turns with the most hits (ties broken by a draw from
    `numpy.random.default_rng(random_state)`), and trims each to `max_chars` around its first
    hit ("…" marks a cut). Columns: municipality, theme, rank, doc_id, meeting_date, turn_id,
    speaker, role, n_hits, matched_terms, quote.
    """
    rng = np.random.default_rng(random_state)
    theme_order = {t: i for i, t in enumerate(pd.unique(coded["theme"]))}
    chosen = coded[coded["coded"]].sort_values(["turn_id", "theme"], kind="mergesort")
    chosen = chosen.assign(_tie=rng.random(len(chosen)), _theme=chosen["theme"].map(theme_order))
    chosen = chosen.sort_values(
        ["municipality", "_theme", "n_hits", "_tie"], ascending=[True, True, False, True], kind="mergesort"
    )
    chosen = chosen.groupby(["municipality", "theme"], sort=False).head(per_cell)
    chosen = chosen.assign(rank=chosen.groupby(["municipality", "theme"], sort=False).cumcount() + 1)
    texts = dict(zip(turns["turn_id"], turns["text"].astype(str)))
    chosen["quote"] = [
        _trim(normalize_text(texts[tid]), terms.split("|"), max_chars)
        for tid, terms in zip(chosen["turn_id"], chosen["matched_terms"])
    ]
    return chosen[QUOTE_COLUMNS].reset_index(drop=True)


def _trim(text: str, terms: list[str], max_chars: int) -> str:
    """`text` cut to `max_chars` around the first occurrence of any of `terms`."""
    if len(text) <= max_chars:
        return _flat(text)
    lowered = text.lower()
    found = [lowered.find(t.lower()) for t in terms if t]
    first = min((p for p in found if p >= 0), default=0)
    start = max(0, min(first - max_chars // 4, len(text) - max_chars))
    end = start + max_chars
    return (ELLIPSIS if start > 0 else "") + _flat(text[start:end]) + (ELLIPSIS if end < len(text) else "")
