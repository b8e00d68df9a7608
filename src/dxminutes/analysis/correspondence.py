"""Correspondence analysis (CA) of a groups × terms contingency table.

Standard CA (Greenacre 2007): with P = N / n, row masses r, column masses c, the standardized
residuals S = D_r^(-1/2) (P − r cᵀ) D_c^(-1/2) are decomposed by SVD, S = U Σ Vᵀ. The
eigenvalues (principal inertias) are σ²; they sum to the total inertia χ² / n. Principal
coordinates are F = D_r^(-1/2) U Σ for rows and G = D_c^(-1/2) V Σ for columns, so row and
column points can be drawn in one symmetric map.

Sign convention (axes of an SVD have arbitrary signs): on every axis the row with the largest
absolute coordinate is made positive, and the columns follow, so reruns and other platforms give
identical tables. The magnitudes are compared at `config.LAYOUT_DIGITS` significant digits and
ties go to the first row (rows are in label order), so a last-digit change of the SVD on another
CPU or BLAS kernel cannot pick another row and flip an axis.
"""

from __future__ import annotations

__all__ = ["CAResult", "ca_municipality_terms", "correspondence_analysis", "distinctive_terms"]

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dxminutes.config import layout_round


@dataclass(frozen=True)
class CAResult:
    """Result of `correspondence_analysis`.

    ``row_coords`` / ``col_coords``: tidy frames with label, dim1 … dimK (principal
    coordinates), mass, contribution (the point's share of the inertia of the K retained axes;
    sums to 1 over rows, and over columns) and ``ctr1`` … ``ctrK`` (share of each axis).
    ``inertia``: total inertia (χ²/n). ``eigenvalues``: principal inertias of the retained axes.
    ``explained``: eigenvalues / total inertia, descending. ``table``: the analysed counts.
    """

    row_coords: pd.DataFrame
    col_coords: pd.DataFrame
    inertia: float
    eigenvalues: np.ndarray
    explained: np.ndarray
    table: pd.DataFrame


def _coords_frame(labels, coords, mass, eigenvalues) -> pd.DataFrame:
    k = coords.shape[1]
    dims = {f"dim{j + 1}": coords[:, j] for j in range(k)}
    weighted = mass[:, None] * coords**2
    ctr = weighted / np.where(eigenvalues > 0, eigenvalues, 1.0)
    total = weighted.sum(axis=1) / max(eigenvalues.sum(), np.finfo(float).tiny)
    frame = pd.DataFrame({"label": [str(x) for x in labels], **dims, "mass": mass, "contribution": total})
    for j in range(k):
        frame[f"ctr{j + 1}"] = ctr[:, j]
    return frame


def correspondence_analysis(table: pd.DataFrame, n_components: int = 2) -> CAResult:
    """CA of a count table (rows = groups, columns = terms); see the module docstring.

    Rows and columns with a zero total carry no mass and are dropped. ``n_components`` is capped
    at min(rows, columns) − 1, the number of non-trivial axes.
    """
    counts = table.astype(float)
    if (counts.to_numpy() < 0).any():
        raise ValueError("correspondence_analysis needs non-negative counts")
    counts = counts.loc[counts.sum(axis=1) > 0, counts.sum(axis=0) > 0]
    if min(counts.shape) < 2:
        raise ValueError(
            f"correspondence_analysis needs at least 2 non-empty rows and columns, got {counts.shape}"
        )
    p = counts.to_numpy() / counts.to_numpy().sum()
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sigma, vt = np.linalg.svd(s, full_matrices=False)
    k = min(n_components, min(counts.shape) - 1)
    eig_all = sigma**2
    total = float(eig_all.sum())
    u, sigma, v = u[:, :k], sigma[:k], vt[:k].T

    f = u * sigma / np.sqrt(r)[:, None]
    g = v * sigma / np.sqrt(c)[:, None]
    signs = np.sign(f[np.argmax(layout_round(np.abs(f)), axis=0), np.arange(k)])
    signs[signs == 0] = 1.0
    f, g = f * signs, g * signs
    eig = eig_all[:k]
    return CAResult(
        row_coords=_coords_frame(counts.index, f, r, eig),
        col_coords=_coords_frame(counts.columns, g, c, eig),
        inertia=total,
        eigenvalues=eig,
        explained=eig / total if total > 0 else np.zeros(k),
        table=counts,
    )


def distinctive_terms(
    tokens: pd.DataFrame, *, n_terms: int = 60, by: str = "municipality", min_count: int = 5
) -> pd.DataFrame:
    """Group × term count table on the ``n_terms`` terms contributing most to its χ².

    A term's χ² contribution is Σ_groups (O − E)² / E in the full group × term table; terms seen
    fewer than ``min_count`` times overall are not eligible. Ties are broken by term. Columns are
    returned in order of decreasing contribution; rows (groups) sorted.
    """
    tok = tokens.loc[tokens["term"].notna() & (tokens["term"] != "")]
    full = pd.crosstab(tok[by], tok["term"]).sort_index()
    full = full.loc[:, full.sum(axis=0) >= min_count]
    obs = full.to_numpy(dtype=float)
    expected = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / max(obs.sum(), 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        contrib = np.where(expected > 0, (obs - expected) ** 2 / expected, 0.0).sum(axis=0)
    ranking = pd.DataFrame({"term": full.columns.astype(str), "chi2": contrib})
    ranking = ranking.sort_values(["chi2", "term"], ascending=[False, True], kind="mergesort")
    chosen = ranking["term"].head(n_terms).tolist()
    out = full[chosen]
    out.columns.name = "term"
    return out


def ca_municipality_terms(
    tokens: pd.DataFrame,
    *,
    n_terms: int = 60,
    by: str = "municipality",
    min_count: int = 5,
    n_components: int = 2,
) -> CAResult:
    """CA of the group × term table on the most χ²-distinctive terms (`distinctive_terms`).

    The row frame also carries the group column (e.g. ``municipality``) next to ``label``.
    """
    table = distinctive_terms(tokens, n_terms=n_terms, by=by, min_count=min_count)
    result = correspondence_analysis(table, n_components=n_components)
    rows = result.row_coords.copy()
    rows.insert(0, by, rows["label"])
    return CAResult(
        rows, result.col_coords, result.inertia, result.eigenvalues, result.explained, result.table
    )
