"""Grouping: which column(s) define the groups a comparison is made between.

Every comparison in the analysis stage takes `by=`: a column name or a tuple of column names,
e.g. ``("municipality", "role_group")``. `role_group` is derived from `role` when absent, so what
members press on can be told apart from what the administration presents.
"""

from __future__ import annotations

__all__ = ["ROLE_GROUPS", "Group", "group_columns", "group_matrix", "group_tfidf", "prepare_groups", "role_group", "with_groups", "with_role_group"]  # fmt: skip

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse
from sklearn.feature_extraction.text import TfidfTransformer

from dxminutes.text.dtm import term_counts

#: role (see docs/architecture.md) → role group used in comparisons.
ROLE_GROUPS = {
    "chair": "chairs",
    "vice_chair": "chairs",
    "member": "members",
    "official": "officials",
    "expert": "experts",
}

Group = str | Sequence[str]


def role_group(role: object) -> str:
    """'members', 'officials', 'experts', 'chairs' (chair and vice chair) or 'unknown'."""
    return ROLE_GROUPS.get(role, "unknown") if isinstance(role, str) else "unknown"


def with_role_group(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with a `role_group` column derived from `role`."""
    return frame.assign(role_group=[role_group(r) for r in frame["role"].tolist()])


def group_columns(by: Group) -> list[str]:
    """`by` as a list of column names."""
    return [by] if isinstance(by, str) else list(by)


def prepare_groups(frame: pd.DataFrame, by: Group) -> tuple[pd.DataFrame, list[str]]:
    """Check the group columns exist (deriving role_group from role) and return them as a list."""
    cols = group_columns(by)
    if "role_group" in cols and "role_group" not in frame.columns and "role" in frame.columns:
        frame = with_role_group(frame)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"group column(s) {missing} not in the table (columns: {list(frame.columns)})")
    return frame, cols


def with_groups(tokens: pd.DataFrame, by: Group, turns: pd.DataFrame | None):
    """Tokens with the group columns present (joined from `turns` when needed)."""
    cols = group_columns(by)
    absent = [c for c in cols if c not in tokens.columns and c != "role_group"]
    if absent:
        if turns is None or any(c not in turns.columns for c in absent):
            raise ValueError(f"group column(s) {absent} are not in tokens; pass `turns` that has them")
        tokens = tokens.merge(
            turns[["turn_id", *absent]].drop_duplicates("turn_id"),
            on="turn_id",
            how="left",
            validate="many_to_one",
        )
    return prepare_groups(tokens, cols)


def group_matrix(tokens: pd.DataFrame, cols: list[str]):
    """Tidy counts (cols, term, count, g, t) and the sparse groups × terms count matrix."""
    counts = term_counts(tokens, by=cols)
    groups = counts[cols].drop_duplicates().reset_index(drop=True)
    counts = counts.merge(groups.assign(g=np.arange(len(groups))), on=cols, how="left", sort=False)
    terms = np.sort(counts["term"].unique())
    counts["t"] = np.searchsorted(terms, counts["term"].to_numpy())
    matrix = scipy.sparse.csr_matrix(
        (counts["count"].to_numpy(dtype=float), (counts["g"].to_numpy(), counts["t"].to_numpy())),
        shape=(len(groups), len(terms)),
    )
    return counts, matrix, groups


def group_tfidf(matrix: scipy.sparse.csr_matrix) -> scipy.sparse.csr_matrix:
    """scikit-learn TF-IDF (smooth idf, l2 norm) with groups as documents."""
    return scipy.sparse.csr_matrix(TfidfTransformer().fit_transform(matrix))
