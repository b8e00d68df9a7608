"""Document-term matrices from the token table, at turn, document or municipality level.

The matrices are built with scikit-learn vectorizers on the already tokenized `term` column (an
identity analyzer), so nothing is re-tokenized. The vocabulary is always fixed at the turn level
(terms used in at least `min_df` turns, sorted) and reused at the document and municipality
levels, so the three levels share columns and their counts add up.
"""

from __future__ import annotations

__all__ = ["DTM", "LEVELS", "count_matrix", "term_counts", "tfidf_matrix", "turn_vocabulary"]

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

#: The key column of each level and the metadata columns carried along in `DTM.rows`.
LEVELS = {
    "turn": ("turn_id", ("doc_id", "municipality", "role")),
    "document": ("doc_id", ("municipality",)),
    "municipality": ("municipality", ()),
}


@dataclass(frozen=True)
class DTM:
    matrix: scipy.sparse.csr_matrix  # rows × terms (counts or tf-idf weights)
    terms: np.ndarray  # column vocabulary, sorted
    rows: pd.DataFrame  # one row per matrix row: the level key + metadata
    level: str  # 'turn' | 'document' | 'municipality'

    def to_frame(self) -> pd.DataFrame:
        """The non-zero cells as a tidy table: level key, term, value."""
        key = LEVELS[self.level][0]
        coo = self.matrix.tocoo()
        order = np.lexsort((coo.col, coo.row))
        return pd.DataFrame(
            {
                key: self.rows[key].to_numpy()[coo.row[order]],
                "term": self.terms[coo.col[order]],
                "value": coo.data[order],
            }
        )


def _identity(terms: list[str]) -> list[str]:
    return terms


def turn_vocabulary(tokens: pd.DataFrame, min_df: int | float = 1) -> np.ndarray:
    """Sorted terms used in at least `min_df` turns (a float is a fraction of the turns)."""
    pairs = tokens[["turn_id", "term"]].drop_duplicates()
    df = pairs.groupby("term", sort=True)["turn_id"].size()
    threshold = min_df * tokens["turn_id"].nunique() if isinstance(min_df, float) else min_df
    return np.array(sorted(df.index[df >= threshold]), dtype=object)


def _unit_rows(tokens: pd.DataFrame, level: str, rows: pd.DataFrame | None) -> pd.DataFrame:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; choose one of {sorted(LEVELS)}")
    key, meta = LEVELS[level]
    if rows is not None:
        if key not in rows.columns:
            raise ValueError(f"`rows` needs a {key!r} column for level {level!r}")
        if rows[key].duplicated().any():
            raise ValueError(f"`rows` has duplicate {key!r} values")
        return rows.reset_index(drop=True)
    cols = [key] + [c for c in meta if c in tokens.columns]
    return tokens[cols].drop_duplicates(subset=key, keep="first").reset_index(drop=True)


def _term_lists(tokens: pd.DataFrame, key: str, units: pd.Series) -> list[list[str]]:
    grouped = tokens.groupby(key, sort=False)["term"].agg(list)
    return [grouped.get(unit, []) for unit in units]


def _build(vectorizer_cls, tokens, level, rows, min_df, vocabulary, **kwargs) -> DTM:
    units = _unit_rows(tokens, level, rows)
    vocab = (
        turn_vocabulary(tokens, min_df) if vocabulary is None else np.array(sorted(vocabulary), dtype=object)
    )
    if len(vocab) == 0:
        raise ValueError("empty vocabulary: no term reaches min_df (or the token table is empty)")
    key = LEVELS[level][0]
    vectorizer = vectorizer_cls(analyzer=_identity, vocabulary=list(vocab), lowercase=False, **kwargs)
    matrix = vectorizer.fit_transform(_term_lists(tokens, key, units[key]))
    return DTM(matrix=scipy.sparse.csr_matrix(matrix), terms=vocab, rows=units, level=level)


def count_matrix(
    tokens: pd.DataFrame,
    level: str = "turn",
    *,
    rows: pd.DataFrame | None = None,
    min_df: int | float = 1,
    vocabulary=None,
) -> DTM:
    """Term counts per turn, document or municipality.

    `rows` (a table with the level's key column) fixes the row order and adds units without
    tokens as zero rows; by default rows follow the first appearance in `tokens`.
    `vocabulary` overrides the turn-level vocabulary (then `min_df` is ignored).
    """
    return _build(CountVectorizer, tokens, level, rows, min_df, vocabulary)


def tfidf_matrix(
    tokens: pd.DataFrame,
    level: str = "turn",
    *,
    rows: pd.DataFrame | None = None,
    min_df: int | float = 1,
    vocabulary=None,
    **tfidf_kwargs,
) -> DTM:
    """TF-IDF weights per unit; `tfidf_kwargs` go to `TfidfVectorizer` (norm, sublinear_tf, …)."""
    return _build(TfidfVectorizer, tokens, level, rows, min_df, vocabulary, **tfidf_kwargs)


def term_counts(tokens: pd.DataFrame, by=("municipality",)) -> pd.DataFrame:
    """Tidy counts: the `by` columns, term, count; sorted by `by`, count descending, term."""
    by = list(by)
    counts = tokens.groupby([*by, "term"], sort=True).size().rename("count").reset_index()
    return counts.sort_values(
        [*by, "count", "term"], ascending=[True] * len(by) + [False, True], kind="mergesort"
    ).reset_index(drop=True)
