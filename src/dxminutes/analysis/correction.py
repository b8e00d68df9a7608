"""Shares and differences corrected for coding error with a labelled random sample.

The dictionary (the *coder*) flags every unit (turn or sentence) with 0/1 per code; a random
sample of units is also labelled by hand under `docs/codebook.md`. The labels say how far the
coder's flags are off *on this corpus*, and the flags on all units carry the precision of the
full corpus. Two estimators combine them, both unbiased whatever the coder's errors (also when
its sensitivity and specificity differ by municipality), and both give intervals that carry the
coding error:

Notation. Group g (a municipality, or a body, ...) has N_g units; Ŷ_i is the coder's flag,
Y_i the hand label (known on the labelled sample S only), R_i = 1 if unit i is labelled,
π_i its inclusion probability (`inclusion_prob` of the labels), D_i = Y_i − Ŷ_i.

``method="dsl"`` (design-based supervised learning, Egami et al. 2023; default).
    Pseudo-outcome  Ỹ_i = Ŷ_i + (R_i / π_i) · D_i,  and  θ̂_g = (1/N_g) Σ_{i∈g} Ỹ_i,
    i.e. the coder's share plus the Horvitz–Thompson estimate of its mean error. Any linear
    contrast θ̂_a = Σ_g a_g θ̂_g (a share: a = e_g; a group against the rest:
    a_g = 1, a_j = −N_j / N_rest) has the variance
        V = Σ_g a_g² σ²_g / N_g                               (population: Y_i ~ Bernoulli(θ_g))
          + Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_{i∈S_h} (u_i − ū_h)²   (design, stratified)
    with u_i = a_{g(i)} D_i / (π_i N_{g(i)}), strata h of the labelling design (`stratum`, e.g.
    municipality × coder flag, so positives can be oversampled), n_h labelled units in stratum h
    and f_h their mean π (the finite-population correction). σ²_g = θ̂_g (1 − θ̂_g) (clipped to
    [0, 1]). The two terms add because the sampling error has mean zero given the corpus. A
    stratum with one labelled unit contributes (1 − f_h) u_i² (not centred: conservative). This
    is the stratified with-replacement approximation with a finite-population correction, the
    one survey software uses for a stratified design (exact for simple random sampling without
    replacement within strata, π_i = n_h / N_h). Small-count guard: when a stratum holds few
    coding errors the Wald interval undercovers (the error count is skewed; in the simulation of
    docs/correction.md a municipality with ~1.6 expected errors in its negative stratum got 81%
    coverage), so each stratum × group cell with labels adds `PSEUDO_ERRORS` (1) error of
    |D| = 1 to the sum of squares, i.e. (1 − f_h)·n_h/(n_h − 1)·a_g²/(f_h N_g)² to V — in the
    spirit of Agresti–Coull's pseudo counts. It widens the interval, never moves the estimate.

``method="ppi"`` (prediction-powered inference, Angelopoulos et al. 2023, classic λ = 1).
    Per group, with w_i = (1/π_i) / mean_{S_g}(1/π) (all 1 for a simple random sample):
        θ̂_g = mean_{i∈g} Ŷ_i + mean_{i∈S_g} w_i D_i,
        V_g = var₀(Ŷ over the group's N_g units) / N_g + var₀(w D over S_g) / n_g,
    var₀ with divisor n (as in the paper and `ppi_py`). This is exactly
    `ppi_py.ppi_mean_pointestimate` / `ppi_mean_ci` with `lam=1`, `Y`, `Yhat` the labelled
    units' labels and flags, `Yhat_unlabeled` the flags of all the group's units and `w` = 1/π
    (tests/test_correction.py checks it). For a simple random sample it is PPI mean estimation;
    the DSL estimator then has the same point estimate and a variance that differs only by the
    finite-population correction and divisors. A difference of two groups adds their variances
    (disjoint units and labels).

Omnibus (`corrected_omnibus`): whether the groups differ at all, per code — the Wald statistic
W = d' (A Σ A')⁻¹ d of the differences d from the last group, with Σ the covariance of the group
shares (DSL: the population term plus, per stratum, (1 − f_h) n_h/(n_h − 1) (diag S2_h − S1_h S1_h'
/ n_h), groups that share a stratum correlated; PPI: diagonal), against χ² on k − 1 df; beside it
the raw Pearson χ² of the coder's flags × group.

Intervals are Wald intervals θ̂ ± z_{1−α/2} √V; p-values are two-sided normal tests of zero
difference, Holm-adjusted over every row of the differences table (all codes × groups).
Raw estimates are the coder's shares with Wilson intervals (`intervals.wilson_interval`) and,
for differences, two-proportion Wald tests Holm-adjusted over the same rows, so that raw and
corrected read side by side (`conclusion_changes` lists where they disagree). Neither interval
accounts for speakers holding many turns (notebook 03's design effect).

Honest at small counts: a group with fewer than `MIN_LABELLED` (10) labelled units for a code,
or whose labelled units have no positive label, gets NaN corrected values and a `note`
(with no positive label the estimated error variance is zero or near zero and the interval
would claim a precision it does not have).

Labels input (one row per unit × code × coder): `unit_id`, `code`, `label` (0/1), `coder`,
`inclusion_prob` (in (0, 1]), `stratum`. Several coders of one unit and code: the label of the
coder named ``adjudicated`` if there is one, else the majority label, else (a tie) the label of
the coder that comes first in the table (`resolve_labels`). Units: one row per coded unit with
`unit_id`, the grouping columns and one 0/1 column per code.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from dxminutes.analysis.intervals import wilson_interval

#: Below this many labelled units in a group (for one code) the corrected estimate is NaN.
MIN_LABELLED = 10
#: The `coder` value whose label wins over every other coder's.
ADJUDICATED = "adjudicated"
LABEL_COLUMNS = ("unit_id", "code", "label", "coder", "inclusion_prob", "stratum")
METHODS = ("dsl", "ppi")
NOTE_FEW = f"fewer than {MIN_LABELLED} labelled units"
NOTE_NO_POSITIVE = "no positive label among the labelled units"
REST = "(rest)"
#: Pseudo errors (|D| = 1) added to each stratum × group cell's sum of squares (variance only).
PSEUDO_ERRORS = 1.0
ALL = "(all)"


def empty_labels() -> pd.DataFrame:
    """A labels table with the schema and no rows."""
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


def _check_labels(labels: pd.DataFrame) -> None:
    missing = [c for c in LABEL_COLUMNS if c not in labels.columns]
    if missing:
        raise ValueError(f"labels: missing column(s) {', '.join(missing)} (need {', '.join(LABEL_COLUMNS)})")
    label = pd.to_numeric(labels["label"], errors="coerce")
    bad = labels.loc[~label.isin([0, 1]), "unit_id"]
    if len(bad):
        raise ValueError(
            f"labels: label must be 0 or 1; {len(bad)} row(s) are not (first unit {bad.iloc[0]!r})"
        )
    prob = pd.to_numeric(labels["inclusion_prob"], errors="coerce")
    bad = labels.loc[~((prob > 0) & (prob <= 1)), "unit_id"]
    if len(bad):
        raise ValueError(
            f"labels: inclusion_prob must be in (0, 1]; {len(bad)} row(s) are not (first unit {bad.iloc[0]!r})"
        )


def resolve_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """One label per (unit_id, code): adjudicated, else majority, else the first coder's.

    Returns unit_id, code, label, inclusion_prob, stratum, n_coders, source ("adjudicated",
    "majority", "first coder" or "single coder"). The unit's inclusion_prob and stratum must be
    the same in all its rows; otherwise a ValueError names the unit.
    """
    _check_labels(labels)
    df = labels.loc[:, list(LABEL_COLUMNS)].copy()
    df["unit_id"] = df["unit_id"].astype(str)
    df["code"] = df["code"].astype(str)
    df["label"] = pd.to_numeric(df["label"]).astype("int64")
    df["inclusion_prob"] = pd.to_numeric(df["inclusion_prob"]).astype(float)
    df["stratum"] = df["stratum"].astype(str)
    df["_order"] = np.arange(len(df))
    design = df.groupby("unit_id", sort=False).agg(
        n_prob=("inclusion_prob", "nunique"), n_stratum=("stratum", "nunique")
    )
    bad = design.index[(design["n_prob"] > 1) | (design["n_stratum"] > 1)]
    if len(bad):
        raise ValueError(
            f"labels: unit {bad[0]!r} has different inclusion_prob or stratum in different rows "
            f"({len(bad)} unit(s) so); a unit is sampled once"
        )
    keys = ["unit_id", "code"]
    grouped = df.groupby(keys, sort=False)
    out = grouped.agg(
        inclusion_prob=("inclusion_prob", "first"),
        stratum=("stratum", "first"),
        n_coders=("coder", "nunique"),
        n_rows=("label", "size"),
        ones=("label", "sum"),
        first_label=("label", "first"),
    )
    adjudicated = df[df["coder"].astype(str) == ADJUDICATED].groupby(keys, sort=False)["label"].last()
    adj = adjudicated.reindex(out.index)
    ones, n = out["ones"], out["n_rows"]
    majority = (2 * ones > n).astype("int64")
    tie = 2 * ones == n
    label = np.where(adj.notna(), adj.fillna(0), np.where(tie, out["first_label"], majority))
    source = np.select(
        [adj.notna().to_numpy(), (n == 1).to_numpy(), tie.to_numpy()],
        ["adjudicated", "single coder", "first coder"],
        default="majority",
    )
    out["label"] = label.astype("int64")
    out["source"] = source
    out = out.reset_index()
    return out[["unit_id", "code", "label", "inclusion_prob", "stratum", "n_coders", "source"]]


def _group_labels(units: pd.DataFrame, by: Sequence[str]) -> pd.Series:
    if not by:
        return pd.Series(ALL, index=units.index)
    if len(by) == 1:
        return units[by[0]].astype(str)
    return units[list(by)].astype(str).agg(" / ".join, axis=1)


class _Code:
    """Everything one code's estimates need, as arrays over groups and strata."""

    def __init__(self, groups: np.ndarray, n_groups: int, yhat: np.ndarray, lab: pd.DataFrame):
        self.G = n_groups
        self.N = np.bincount(groups, minlength=n_groups).astype(float)
        self.k_hat = np.bincount(groups, weights=yhat, minlength=n_groups)
        g_lab = lab["_g"].to_numpy()
        y = lab["label"].to_numpy(dtype=float)
        d = y - lab["_yhat"].to_numpy(dtype=float)
        pi = lab["inclusion_prob"].to_numpy(dtype=float)
        self.g_lab, self.y, self.d, self.pi = g_lab, y, d, pi
        self.n_lab = np.bincount(g_lab, minlength=n_groups).astype(float)
        self.pos_lab = np.bincount(g_lab, weights=y, minlength=n_groups)
        strata, h = np.unique(lab["stratum"].to_numpy(dtype=str), return_inverse=True)
        H = len(strata)
        self.n_h = np.bincount(h, minlength=H).astype(float)
        self.f_h = np.bincount(h, weights=pi, minlength=H) / np.maximum(self.n_h, 1)
        # u_i = D_i / (π_i N_g): per (stratum, group) sums and sums of squares
        with np.errstate(divide="ignore", invalid="ignore"):
            u = d / (pi * self.N[g_lab])
        self.S1 = np.zeros((H, n_groups))
        self.S2 = np.zeros((H, n_groups))
        np.add.at(self.S1, (h, g_lab), u)
        np.add.at(self.S2, (h, g_lab), u * u)
        # one pseudo error of each sign per (stratum, group) cell with labels, for the variance
        # only (see the module doc: small-count guard); P[h, g] = Σ over the pair of u²
        with np.errstate(divide="ignore", invalid="ignore"):
            unit_u = 1.0 / (self.f_h[:, None] * self.N[None, :])
        cell_n = np.zeros((H, n_groups))
        np.add.at(cell_n, (h, g_lab), 1.0)
        self.P = np.where(cell_n > 0, PSEUDO_ERRORS * unit_u**2, 0.0)
        # DSL shares
        self.ht = np.bincount(g_lab, weights=u, minlength=n_groups)  # Σ D/(π N_g)
        # PPI shares (weights 1/π normalised to mean 1 within the group's labelled units)
        inv = 1.0 / pi
        mean_inv = np.bincount(g_lab, weights=inv, minlength=n_groups) / np.maximum(self.n_lab, 1)
        w = inv / mean_inv[g_lab]
        self.wd_mean = np.bincount(g_lab, weights=w * d, minlength=n_groups) / np.maximum(self.n_lab, 1)
        self.wd_sq = np.bincount(g_lab, weights=(w * d) ** 2, minlength=n_groups) / np.maximum(self.n_lab, 1)

    def raw(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.k_hat / self.N

    def valid(self) -> np.ndarray:
        return (self.n_lab >= MIN_LABELLED) & (self.pos_lab > 0)

    def dsl_shares(self) -> np.ndarray:
        return self.raw() + self.ht

    def dsl_contrasts(self, A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Point estimates and variances of the contrasts A (m × G) of the DSL group shares."""
        theta = self.dsl_shares()
        sigma2 = np.clip(theta, 0, 1) * (1 - np.clip(theta, 0, 1))
        point = A @ theta
        with np.errstate(divide="ignore", invalid="ignore"):
            v_pop = (A**2) @ np.where(self.N > 0, sigma2 / self.N, 0.0)
        sum_sq = (A**2) @ self.S2.T  # m × H
        sum_lin = A @ self.S1.T  # m × H
        n_h, f_h = self.n_h, self.f_h
        centred = n_h > 1
        with np.errstate(divide="ignore", invalid="ignore"):
            ss = np.where(centred, sum_sq - sum_lin**2 / n_h, sum_sq) + (A**2) @ self.P.T
            factor = np.where(centred, (1 - f_h) * n_h / (n_h - 1), 1 - f_h)
        v_design = (np.clip(ss, 0, None) * factor).sum(axis=1)
        return point, v_pop + v_design

    def dsl_cov(self) -> np.ndarray:
        """G × G covariance of the DSL group shares (the same terms as `dsl_contrasts`)."""
        theta = np.clip(self.dsl_shares(), 0, 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            cov = np.diag(np.where(self.N > 0, theta * (1 - theta) / self.N, 0.0))
        n_h, f_h = self.n_h, self.f_h
        for h in range(len(n_h)):
            s1, block = self.S1[h], np.diag(self.S2[h] + self.P[h])
            if n_h[h] > 1:
                cov = cov + (1 - f_h[h]) * n_h[h] / (n_h[h] - 1) * (block - np.outer(s1, s1) / n_h[h])
            else:
                cov = cov + (1 - f_h[h]) * block
        return cov

    def ppi_shares(self) -> tuple[np.ndarray, np.ndarray]:
        p = self.raw()
        theta = p + self.wd_mean
        with np.errstate(divide="ignore", invalid="ignore"):
            var = p * (1 - p) / self.N + (self.wd_sq - self.wd_mean**2) / self.n_lab
        return theta, var


def _prepare(units, labels, by, codes):
    by = [by] if isinstance(by, str) else list(by or [])
    if "unit_id" not in units.columns:
        raise ValueError("units: missing column unit_id")
    missing = [c for c in by if c not in units.columns]
    if missing:
        raise ValueError(f"units: missing grouping column(s) {', '.join(missing)}")
    if units["unit_id"].astype(str).duplicated().any():
        dup = units.loc[units["unit_id"].astype(str).duplicated(), "unit_id"].iloc[0]
        raise ValueError(f"units: unit_id {dup!r} appears more than once")
    resolved = resolve_labels(labels) if len(labels) else resolve_labels(empty_labels())
    if codes is None:
        codes = [c for c in dict.fromkeys(resolved["code"]) if c in units.columns]
        if not len(resolved):
            codes = []
    codes = list(codes)
    absent = [c for c in codes if c not in units.columns]
    if absent:
        raise ValueError(f"units: no flag column for code(s) {', '.join(absent)}")
    for c in codes:
        if not pd.to_numeric(units[c], errors="coerce").isin([0, 1]).all():
            raise ValueError(f"units: the flags of code {c!r} must be 0 or 1")
    group = _group_labels(units, by)
    names = list(dict.fromkeys(group))
    index = {name: i for i, name in enumerate(names)}
    g_units = group.map(index).to_numpy(dtype=np.int64)
    row = pd.Index(units["unit_id"].astype(str).to_numpy(dtype=object)).get_indexer(
        resolved["unit_id"].to_numpy(dtype=object)
    )
    known = row >= 0
    unmatched = resolved.loc[~known]
    resolved = resolved.loc[known].copy()
    resolved["_row"] = row[known]
    resolved["_g"] = g_units[resolved["_row"].to_numpy()]
    if by:
        first = ~group.duplicated()
        keys = units.loc[first, by].reset_index(drop=True)  # in the order of `names`
    else:
        keys = pd.DataFrame({"group": [ALL]})
    per_code = {}
    for c in codes:
        yhat = pd.to_numeric(units[c]).to_numpy(dtype=float)
        lab = resolved[resolved["code"] == c].copy()
        lab["_yhat"] = yhat[lab["_row"].to_numpy()]
        per_code[c] = _Code(g_units, len(names), yhat, lab)
    return by, names, keys, per_code, unmatched


def _z(alpha: float) -> float:
    return float(sps.norm.ppf(1 - alpha / 2))


def corrected_shares(
    units: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "municipality",
    codes: Sequence[str] | None = None,
    alpha: float = 0.05,
    method: str = "dsl",
) -> pd.DataFrame:
    """Raw and corrected share of units per (group, code), one row each.

    Columns: the `by` columns (or `group` = "(all)" when `by` is None), code, n_units,
    n_labelled, n_positive_labels, raw_share, raw_low, raw_high (Wilson), corrected_share,
    corrected_low, corrected_high, corrected_se, method, note. `codes` defaults to the codes
    that have labels. Labels of unit_ids that are not in `units` are left out; their count is
    in `result.attrs["unmatched_labels"]`.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    by, _names, keys, per_code, unmatched = _prepare(units, labels, by, codes)
    z = _z(alpha)
    frames = []
    for c, est in per_code.items():
        raw = est.raw()
        low, high = wilson_interval(est.k_hat, est.N, confidence=1 - alpha)
        if method == "dsl":
            theta, var = est.dsl_contrasts(np.eye(est.G))
        else:
            theta, var = est.ppi_shares()
        se = np.sqrt(np.clip(var, 0, None))
        ok = est.valid()
        note = np.where(est.n_lab < MIN_LABELLED, NOTE_FEW, np.where(est.pos_lab > 0, "", NOTE_NO_POSITIVE))
        out = keys.copy()
        out["code"] = c
        out["n_units"] = est.N.astype("int64")
        out["n_labelled"] = est.n_lab.astype("int64")
        out["n_positive_labels"] = est.pos_lab.astype("int64")
        out["raw_share"] = raw
        out["raw_low"], out["raw_high"] = low, high
        out["corrected_share"] = np.where(ok, theta, np.nan)
        out["corrected_low"] = np.where(ok, theta - z * se, np.nan)
        out["corrected_high"] = np.where(ok, theta + z * se, np.nan)
        out["corrected_se"] = np.where(ok, se, np.nan)
        out["method"] = method
        out["note"] = note
        frames.append(out)
    result = pd.concat(frames, ignore_index=True) if frames else _empty_shares(by)
    result.attrs["unmatched_labels"] = len(unmatched)
    return result


def _empty_shares(by) -> pd.DataFrame:
    cols = [*(by or ["group"]), "code", "n_units", "n_labelled", "n_positive_labels", "raw_share", "raw_low"]
    cols += [
        "raw_high",
        "corrected_share",
        "corrected_low",
        "corrected_high",
        "corrected_se",
        "method",
        "note",
    ]
    return pd.DataFrame(columns=cols)


def _contrasts(names: list[str], N: np.ndarray, versus: str) -> tuple[np.ndarray, list[tuple[str, str]]]:
    G = len(names)
    rows, pairs = [], []
    if versus == "rest":
        for g in range(G):
            rest = N.sum() - N[g]
            a = np.where(np.arange(G) == g, 1.0, -N / rest if rest > 0 else np.nan)
            rows.append(a)
            pairs.append((names[g], REST))
    else:
        for i in range(G):
            for j in range(i + 1, G):
                a = np.zeros(G)
                a[i], a[j] = 1.0, -1.0
                rows.append(a)
                pairs.append((names[i], names[j]))
    return np.array(rows).reshape(len(rows), G), pairs


def corrected_differences(
    units: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "municipality",
    codes: Sequence[str] | None = None,
    versus: str = "rest",
    alpha: float = 0.05,
    method: str = "dsl",
) -> pd.DataFrame:
    """Raw and corrected differences of shares between groups, with tests, one row per contrast.

    `versus="rest"` (default) compares each group with all the other groups' units pooled: the
    comparison the report's headline cell tests make (notebook 03: each municipality against
    all the others), and G rows per code instead of G(G−1)/2. `versus="pairs"` gives every pair.

    Columns: code, group, versus, n_units, n_units_versus, n_labelled, n_labelled_versus,
    raw_diff, raw_low, raw_high, raw_p, raw_p_adj, raw_significant, corrected_diff,
    corrected_low, corrected_high, corrected_p, corrected_p_adj, corrected_significant, method,
    adjustment, note. p-values are Holm-adjusted over all rows with a p-value (`adjustment`).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if versus not in ("rest", "pairs"):
        raise ValueError(f"versus must be 'rest' or 'pairs', not {versus!r}")
    by, names, _keys, per_code, _unmatched = _prepare(units, labels, by, codes)
    z = _z(alpha)
    frames = []
    for c, est in per_code.items():
        A, pairs = _contrasts(names, est.N, versus)
        if not len(pairs):
            continue
        side_a = np.array([names.index(a) for a, _ in pairs])
        mask_b = A < 0  # groups on the other side of each contrast
        n_b = (mask_b * est.N).sum(axis=1)
        k_b = (mask_b * est.k_hat).sum(axis=1)
        lab_b = (mask_b * est.n_lab).sum(axis=1)
        pos_b = (mask_b * est.pos_lab).sum(axis=1)
        p_a, p_b = est.raw()[side_a], k_b / n_b
        raw_diff = p_a - p_b
        raw_se = np.sqrt(p_a * (1 - p_a) / est.N[side_a] + p_b * (1 - p_b) / n_b)
        if method == "dsl":
            point, var = est.dsl_contrasts(A)
        else:
            theta_g, var_g = est.ppi_shares()
            if versus == "rest":
                # the rest as one PPI group of its own (its labelled units weighted together)
                point, var = _ppi_vs_rest(est, theta_g, var_g)
            else:
                point, var = A @ theta_g, (A**2) @ var_g
        se = np.sqrt(np.clip(var, 0, None))
        few = (est.n_lab[side_a] < MIN_LABELLED) | (lab_b < MIN_LABELLED)
        nopos = (est.pos_lab[side_a] == 0) | (pos_b == 0)
        ok = ~few & ~nopos
        note = np.where(few, NOTE_FEW, np.where(nopos, NOTE_NO_POSITIVE, ""))
        out = pd.DataFrame(
            {
                "code": c,
                "group": [a for a, _ in pairs],
                "versus": [b for _, b in pairs],
                "n_units": est.N[side_a].astype("int64"),
                "n_units_versus": n_b.astype("int64"),
                "n_labelled": est.n_lab[side_a].astype("int64"),
                "n_labelled_versus": lab_b.astype("int64"),
                "raw_diff": raw_diff,
                "raw_low": raw_diff - z * raw_se,
                "raw_high": raw_diff + z * raw_se,
                "raw_p": _p_value(raw_diff, raw_se),
                "corrected_diff": np.where(ok, point, np.nan),
                "corrected_low": np.where(ok, point - z * se, np.nan),
                "corrected_high": np.where(ok, point + z * se, np.nan),
                "corrected_p": np.where(ok, _p_value(point, se), np.nan),
                "method": method,
                "note": note,
            }
        )
        frames.append(out)
    if not frames:
        return pd.DataFrame(columns=_DIFF_COLUMNS)
    result = pd.concat(frames, ignore_index=True)
    for side in ("raw", "corrected"):
        result[f"{side}_p_adj"] = _holm(result[f"{side}_p"].to_numpy())
        result[f"{side}_significant"] = result[f"{side}_p_adj"] < alpha
    m = int(result["corrected_p"].notna().sum())
    result["adjustment"] = f"Holm over {m} corrected / {int(result['raw_p'].notna().sum())} raw contrasts"
    return result[_DIFF_COLUMNS]


_DIFF_COLUMNS = [
    "code",
    "group",
    "versus",
    "n_units",
    "n_units_versus",
    "n_labelled",
    "n_labelled_versus",
    "raw_diff",
    "raw_low",
    "raw_high",
    "raw_p",
    "raw_p_adj",
    "raw_significant",
    "corrected_diff",
    "corrected_low",
    "corrected_high",
    "corrected_p",
    "corrected_p_adj",
    "corrected_significant",
    "method",
    "adjustment",
    "note",
]


def _ppi_vs_rest(est: _Code, theta_g: np.ndarray, var_g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    G = est.G
    points, variances = np.empty(G), np.empty(G)
    inv = 1.0 / est.pi
    for g in range(G):
        rest_units = est.N.sum() - est.N[g]
        rest_k = est.k_hat.sum() - est.k_hat[g]
        sel = est.g_lab != g
        n = sel.sum()
        if n == 0 or rest_units == 0:
            points[g] = variances[g] = np.nan
            continue
        w = inv[sel] / inv[sel].mean()
        wd = w * est.d[sel]
        p = rest_k / rest_units
        theta_rest = p + wd.mean()
        var_rest = p * (1 - p) / rest_units + wd.var() / n
        points[g] = theta_g[g] - theta_rest
        variances[g] = var_g[g] + var_rest
    return points, variances


def _p_value(diff: np.ndarray, se: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        zstat = np.abs(diff) / se
    p = 2 * sps.norm.sf(zstat)
    return np.where(np.isfinite(zstat) | (se == 0), p, np.nan)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count)."""
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m:
        order = ok[np.argsort(p[ok], kind="stable")]
        stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
        out[order] = np.minimum(stepped, 1.0)
    return out


def conclusion_changes(differences: pd.DataFrame) -> pd.DataFrame:
    """The contrasts whose verdict changes with the correction: significant raw but not corrected,
    or the reverse (rows with no corrected estimate are left out). Adds `change`."""
    d = differences[differences["corrected_p_adj"].notna()]
    changed = d[d["raw_significant"] != d["corrected_significant"]].copy()
    changed["change"] = np.where(
        changed["raw_significant"],
        "significant raw, not after correction",
        "significant only after correction",
    )
    return changed.reset_index(drop=True)


def corrected_omnibus(
    units: pd.DataFrame,
    labels: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = "municipality",
    codes: Sequence[str] | None = None,
    method: str = "dsl",
) -> pd.DataFrame:
    """Do the groups differ at all? One row per code, raw and corrected.

    Raw: Pearson χ² of the coder's flags × group (the large-sample test of notebook 03's
    cross-tab). Corrected: the Wald test that all corrected shares are equal,
    W = d' (A Σ A')⁻¹ d with d = A θ̂ the differences from the last group and Σ the estimator's
    covariance of the group shares (DSL: population and stratified design terms, groups that
    share strata correlated; PPI: independent groups), compared with χ² on k − 1 df, over the k
    groups that have a corrected estimate. Columns: code, n_groups, raw_chi2, raw_df, raw_p,
    n_groups_corrected, corrected_wald, corrected_df, corrected_p, method, note.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    _by, names, _keys, per_code, _unmatched = _prepare(units, labels, by, codes)
    rows = []
    for c, est in per_code.items():
        table = np.column_stack([est.k_hat, est.N - est.k_hat])
        table = table[est.N > 0]
        keep_cols = table.sum(axis=0) > 0
        if len(table) >= 2 and keep_cols.all():
            raw_chi2, raw_p, raw_df, _ = sps.chi2_contingency(table, correction=False)
        else:
            raw_chi2, raw_p, raw_df = 0.0, 1.0, max(len(table) - 1, 0)
        valid = np.flatnonzero(est.valid())
        k = len(valid)
        wald, p, note = np.nan, np.nan, ""
        if k >= 2:
            if method == "dsl":
                theta, cov = est.dsl_shares(), est.dsl_cov()
            else:
                theta, var = est.ppi_shares()
                cov = np.diag(var)
            A = np.zeros((k - 1, est.G))
            A[np.arange(k - 1), valid[:-1]] = 1.0
            A[:, valid[-1]] = -1.0
            d = A @ theta
            wald = float(d @ np.linalg.pinv(A @ cov @ A.T) @ d)
            p = float(sps.chi2.sf(wald, k - 1))
            if k < len(names):
                note = f"{len(names) - k} group(s) without a corrected estimate left out"
        else:
            note = "fewer than two groups with a corrected estimate"
        rows.append(
            (
                c,
                len(names),
                float(raw_chi2),
                int(raw_df),
                float(raw_p),
                k,
                wald,
                max(k - 1, 0),
                p,
                method,
                note,
            )
        )
    cols = ["code", "n_groups", "raw_chi2", "raw_df", "raw_p", "n_groups_corrected", "corrected_wald"]
    cols += ["corrected_df", "corrected_p", "method", "note"]
    return pd.DataFrame(rows, columns=cols)
