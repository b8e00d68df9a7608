"""Agreement between coders on 0/1 (nominal) labels: Cohen's κ and Krippendorff's α.

* **Cohen's κ** (two coders): κ = (p_o − p_e) / (1 − p_e) over the units both coders labelled,
  p_e from the two coders' own marginal rates; NaN when p_e = 1 (both constant and equal).
* **Krippendorff's α** (nominal, any number of coders, missing values allowed):
  α = 1 − D_o / D_e from the coincidence matrix o_ck = Σ_u n_uc (n_uk − [c = k]) / (m_u − 1)
  over the units u with m_u ≥ 2 values (n_uc values c in unit u); with n_c = Σ_k o_ck and
  n = Σ_c n_c, D_o = Σ_{c≠k} o_ck and D_e = Σ_{c≠k} n_c n_k / (n − 1) (Krippendorff 2011,
  "Computing Krippendorff's alpha-reliability"). NaN when there is no disagreement to expect
  (one value only).

Intervals are percentile bootstrap intervals over units (`n_boot` resamples of the units with
replacement from `numpy.random.default_rng(random_state)`; replicates where the figure is
undefined are left out). tests/test_labels.py checks κ against scikit-learn, α against the
`krippendorff` package and Krippendorff's own example (α = 0.743).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dxminutes import config
from dxminutes.schema import require_columns

INTERCODER_COLUMNS = [
    "code",
    "metric",
    "value",
    "ci_low",
    "ci_high",
    "n_units",
    "n_coders",
    "n_pairable",
    "coders",
]


def cohen_kappa(a, b) -> float:
    """Cohen's κ of two label vectors (NaN entries: not labelled; pairs with one missing are left out)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both = ~np.isnan(a) & ~np.isnan(b)
    a, b = a[both], b[both]
    n = len(a)
    if n == 0:
        return float("nan")
    values = np.union1d(a, b)
    p_o = float(np.mean(a == b))
    p_e = float(sum(np.mean(a == v) * np.mean(b == v) for v in values))
    return (p_o - p_e) / (1 - p_e) if p_e < 1 else float("nan")


def _value_counts(data: np.ndarray) -> np.ndarray:
    """units × values matrix of counts n_uc from a coders × units array (NaN = missing)."""
    values = np.unique(data[~np.isnan(data)])
    return np.stack([(data == v).sum(axis=0) for v in values], axis=1) if len(values) else np.zeros((0, 0))


def _alpha_from_counts(counts: np.ndarray) -> float:
    if counts.size == 0:
        return float("nan")
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m = counts[pairable].astype(float), m[pairable].astype(float)
    if len(m) == 0:
        return float("nan")
    # coincidences: o_ck = Σ_u n_uc (n_uk − δ_ck) / (m_u − 1)
    o = np.einsum("uc,uk,u->ck", counts, counts, 1 / (m - 1)) - np.diag((counts.T / (m - 1)).sum(axis=1))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    off = ~np.eye(len(n_c), dtype=bool)
    expected = (np.outer(n_c, n_c)[off]).sum()
    if expected == 0 or n <= 1:
        return float("nan")
    return float(1 - (n - 1) * o[off].sum() / expected)


def krippendorff_alpha(data) -> float:
    """Krippendorff's α (nominal) of a coders × units array; NaN = the coder did not label the unit."""
    return _alpha_from_counts(_value_counts(np.asarray(data, dtype=float)))


def _interval(values: np.ndarray, confidence: float) -> tuple[float, float]:
    values = values[~np.isnan(values)]
    if not len(values):
        return float("nan"), float("nan")
    alpha = 1 - confidence
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def intercoder_agreement(
    labels: pd.DataFrame,
    *,
    n_boot: int = config.N_BOOT,
    random_state: int,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Per code: Krippendorff's α (any number of coders) and, with exactly two coders, Cohen's κ,
    each with a bootstrap interval over units (columns `INTERCODER_COLUMNS`).

    `labels` is the long table of `analysis.labels.read_labels` (unit_id, code, label, coder).
    A coder who gave one unit two labels for the same code (two sheets of one person) counts
    once, with the label of the last row. `n_units` counts the units labelled by anyone,
    `n_pairable` those labelled by at least two coders (only these carry information on
    agreement). Codes with a single coder give no row.
    """
    require_columns(labels, ("unit_id", "code", "label", "coder"), "labels")
    rng = np.random.default_rng(random_state)
    rows = []
    for code in pd.unique(labels["code"]):
        part = labels[labels["code"] == code].drop_duplicates(["unit_id", "coder"], keep="last")
        coders = sorted(pd.unique(part["coder"]).tolist())
        if len(coders) < 2:
            continue
        wide = part.pivot(index="unit_id", columns="coder", values="label").reindex(columns=coders)
        data = wide.to_numpy(dtype=float).T  # coders × units
        pairable = int(((~np.isnan(data)).sum(axis=0) >= 2).sum())
        draws = rng.integers(0, data.shape[1], size=(n_boot, data.shape[1]))
        counts = _value_counts(data)
        alpha = _alpha_from_counts(counts)
        boot_alpha = np.array([_alpha_from_counts(counts[d]) for d in draws]) if counts.size else np.array([])
        base = {"code": code, "n_units": data.shape[1], "n_coders": len(coders), "n_pairable": pairable}
        base["coders"] = " | ".join(coders)
        rows.append({**base, "metric": "alpha", "value": alpha, **_ci(boot_alpha, confidence)})
        if len(coders) == 2:
            kappa = cohen_kappa(data[0], data[1])
            boot_kappa = np.array([cohen_kappa(data[0, d], data[1, d]) for d in draws])
            rows.append({**base, "metric": "kappa", "value": kappa, **_ci(boot_kappa, confidence)})
    out = pd.DataFrame(rows, columns=INTERCODER_COLUMNS)
    return out.astype({"n_units": "int64", "n_coders": "int64", "n_pairable": "int64", "value": "float64"})


def _ci(values: np.ndarray, confidence: float) -> dict:
    low, high = _interval(np.asarray(values, dtype=float), confidence)
    return {"ci_low": low, "ci_high": high}
