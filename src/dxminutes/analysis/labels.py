"""Placeholder reader of the labelled sample (issue 21 item 2 replaces it with the real reader).

`read_labels(data_dir)` returns the labels table of `data_dir/labels/` in the schema that
`analysis.correction` reads: unit_id, code, label (0/1), coder, inclusion_prob, stratum. This
placeholder reads nothing and returns the empty table, so the report says that its shares are
not corrected.
"""

from __future__ import annotations

import pandas as pd


def read_labels(data_dir) -> pd.DataFrame:
    """The labelled sample of the corpus in `data_dir` (here: always empty, see the module doc)."""
    del data_dir
    return pd.DataFrame(
        {
            "unit_id": pd.Series(dtype="string"),
            "code": pd.Series(dtype="string"),
            "label": pd.Series(dtype="int64"),
            "coder": pd.Series(dtype="string"),
            "inclusion_prob": pd.Series(dtype="float64"),
            "stratum": pd.Series(dtype="string"),
        }
    )
