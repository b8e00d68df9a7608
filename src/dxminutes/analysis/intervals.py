"""Intervals for shares that stay honest at small counts, and a cluster bootstrap.

- `wilson_interval(k, n)`: the Wilson score interval (Wilson 1927), which never has zero width
  for 0 < n and keeps close to nominal coverage at small n and extreme shares, where the
  percentile bootstrap of a share collapses (0/43 gives 0–0 %).
- `jeffreys_interval(k, n)`: the equal-tailed Jeffreys interval, Beta(k + ½, n − k + ½).
- `cluster_bootstrap_share(values, clusters, ...)`: resamples whole clusters (speakers, or
  meetings) with replacement, so that a speaker who holds most of a group's turns does not
  make the interval look narrower than the data can support.
- `MIN_TURNS_FOR_INTERVAL`: below this many turns a group gets no interval and no
  significance mark; tables and charts say "too few turns" instead.

Each function is checked against scipy (`scipy.stats.binomtest(...).proportion_ci`, the beta
quantiles) and by coverage simulation in tests/test_intervals.py.
"""

from __future__ import annotations

__all__ = ["MIN_TURNS_FOR_INTERVAL", "TOO_FEW_TURNS", "cluster_bootstrap_share", "cluster_design_effect", "cluster_wilson_interval", "jeffreys_interval", "wilson_interval"]  # fmt: skip

import numpy as np
from scipy import stats as sps

#: A group with fewer turns than this gets no interval or significance mark ("too few turns").
MIN_TURNS_FOR_INTERVAL = 10
#: What tables and charts say instead of an interval for such a group.
TOO_FEW_TURNS = "too few turns"


def wilson_interval(k, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of k successes in n trials (arrays broadcast); NaN where n == 0."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    z = sps.norm.ppf(0.5 + confidence / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low = np.where(n > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    # exact bounds at the edges (the formula gives them up to rounding)
    low = np.where((n > 0) & (k == 0), 0.0, low)
    high = np.where((n > 0) & (k == n), 1.0, high)
    return low, high


def jeffreys_interval(k, n, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Equal-tailed Jeffreys interval: quantiles of Beta(k + ½, n − k + ½); 0 / 1 at the edges."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    alpha = 1 - confidence
    with np.errstate(invalid="ignore"):
        low = sps.beta.ppf(alpha / 2, k + 0.5, n - k + 0.5)
        high = sps.beta.ppf(1 - alpha / 2, k + 0.5, n - k + 0.5)
    low = np.where(k == 0, 0.0, low)
    high = np.where(k == n, 1.0, high)
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def cluster_bootstrap_share(
    values,
    clusters,
    *,
    n_boot: int,
    random_state: int,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of a share by resampling whole clusters (e.g. speakers) with replacement.

    `values` are 0/1 per unit (turn), `clusters` the cluster label of each unit. Each replicate
    draws as many clusters as there are, with replacement, and takes the share over all units of
    the drawn clusters. With a single cluster the data carry no between-cluster information and
    the interval is (nan, nan): the caller should fall back to a unit-level interval and say so.
    """
    values = np.asarray(values, dtype=float)
    codes, _ = _codes(clusters)
    n_clusters = int(codes.max()) + 1 if len(codes) else 0
    if n_clusters < 2:
        return float("nan"), float("nan")
    sums = np.bincount(codes, weights=values, minlength=n_clusters)
    sizes = np.bincount(codes, minlength=n_clusters).astype(float)
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, n_clusters, size=(n_boot, n_clusters))
    shares = sums[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    alpha = 1 - confidence
    low, high = np.quantile(shares, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _codes(labels) -> tuple[np.ndarray, np.ndarray]:
    uniques, codes = np.unique(np.asarray(labels, dtype=object).astype(str), return_inverse=True)
    return codes.astype(np.int64), uniques


def cluster_design_effect(values, clusters, *, n_boot: int, random_state: int) -> float:
    """Kish design effect of a share: cluster-bootstrap variance / binomial variance, floored at 1.

    The bootstrap resamples whole clusters (speakers) with replacement, as in
    `cluster_bootstrap_share`. With fewer than two clusters, or a share of 0 or 1 (no variance
    either way), the design effect is 1: the data carry no information about clustering.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    codes, _ = _codes(clusters)
    n_clusters = int(codes.max()) + 1 if n else 0
    p = values.mean() if n else float("nan")
    if n_clusters < 2 or not 0 < p < 1:
        return 1.0
    sums = np.bincount(codes, weights=values, minlength=n_clusters)
    sizes = np.bincount(codes, minlength=n_clusters).astype(float)
    rng = np.random.default_rng(random_state)
    draws = rng.integers(0, n_clusters, size=(n_boot, n_clusters))
    shares = sums[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    return float(max(1.0, shares.var(ddof=1) / (p * (1 - p) / n)))


def cluster_wilson_interval(
    values, clusters, *, n_boot: int, random_state: int, confidence: float = 0.95
) -> tuple[float, float, float]:
    """Wilson interval at the effective sample size n / deff (Korn & Graubard 1998).

    deff is `cluster_design_effect` (speaker cluster bootstrap). Unlike the percentile interval
    of the cluster bootstrap, this never collapses to zero width when every turn of a group is
    0 (or 1), and it widens the interval as much as the clustering makes the share uncertain.
    Returns (low, high, deff).
    """
    values = np.asarray(values, dtype=float)
    deff = cluster_design_effect(values, clusters, n_boot=n_boot, random_state=random_state)
    n_eff = len(values) / deff
    low, high = wilson_interval(values.mean() * n_eff, n_eff, confidence)
    return float(low), float(high), deff
