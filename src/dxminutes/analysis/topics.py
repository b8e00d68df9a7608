"""Topic models (NMF on TF-IDF, LDA on counts), choice of K, topic prevalence by group and theme.

Topics are numbered 1 … K in the order of the fitted model. Every table is tidy and every fit is
seeded, so the same ``random_state`` gives identical topics.

Choosing K (`select_k`) combines two criteria computed on this corpus:

* coherence: for each topic, the mean NPMI over pairs of its ``top_n`` terms, where the
  probabilities are taken over sliding windows of ``window`` tokens (10 by default, as in
  Röder, Both & Hinneburg 2015) within each turn when the token table is given: does a window
  contain the term / both terms? A whole turn is too large a context (two terms of a long
  speech co-occur whatever they mean). A pair that never co-occurs scores −1;
* stability: the model is refitted from random initialisations (``init="random"``, one seed
  per run) on seeded 80 % subsamples of the turns; for each pair of runs the topics are
  matched one-to-one (Hungarian assignment on the cosine similarity of topic-term vectors) and
  the mean matched cosine is taken; stability is the mean over pairs of runs (Greene,
  O'Callaghan & Cunningham 2014). NMF's default ``nndsvda`` initialisation ignores the seed,
  so refits with other seeds would be identical and report a stability of 1 for any K.

Neither number means anything on its own: `structure_vs_null` fits the same model on shuffled
data (each term's column permuted across turns, so term frequencies are kept and co-occurrence
is destroyed) and says whether the real fit is above every shuffled one; when it is not, the
report says "no clear structure" instead of interpreting topics.
"""

from __future__ import annotations

__all__ = ["MODELS", "NMF_INITS", "Z_ABOVE_NULL", "TopicModel", "fit_topics", "match_topics", "permute_columns", "select_k", "structure_vs_null", "suggest_k", "top_terms", "topic_by_theme", "topic_labels", "topic_prevalence", "window_matrix"]  # fmt: skip

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF, LatentDirichletAllocation

from dxminutes.config import layout_round
from dxminutes.text.dtm import DTM

MODELS = ("nmf", "lda")
#: A statistic counts as above its shuffled baseline when it beats every shuffled fit and lies
#: this many null standard deviations above their mean.
Z_ABOVE_NULL = 2.0


@dataclass(frozen=True)
class TopicModel:
    """A fitted topic model.

    ``doc_topic``: rows × k, each row sums to 1 (all-zero for rows without terms).
    ``topic_term``: k × terms, each row sums to 1 (NMF components normalized; LDA topic-word
    distributions). ``terms`` and ``rows`` come from the DTM; ``model`` is the fitted sklearn
    estimator.
    """

    model: NMF | LatentDirichletAllocation
    doc_topic: np.ndarray
    topic_term: np.ndarray
    terms: np.ndarray
    rows: pd.DataFrame
    kind: str

    @property
    def k(self) -> int:
        return self.topic_term.shape[0]


def _normalize_rows(a: np.ndarray) -> np.ndarray:
    sums = a.sum(axis=1, keepdims=True)
    return np.divide(a, sums, out=np.zeros_like(a, dtype=float), where=sums > 0)


NMF_INITS = ("nndsvdar", "random", "nndsvda", "nndsvd")


def _fit(matrix, k: int, model: str, random_state: int, max_iter: int, init: str = "nndsvdar"):
    """Fit one estimator; returns (estimator, row-normalized doc_topic, row-normalized topic_term)."""
    if model == "nmf":
        if init not in NMF_INITS:
            raise ValueError(f"init must be one of {NMF_INITS}, got {init!r}")
        est = NMF(n_components=k, init=init, max_iter=max_iter, tol=1e-4, random_state=random_state)
        w = est.fit_transform(matrix)
    elif model == "lda":
        data = matrix.data if sparse.issparse(matrix) else np.asarray(matrix).ravel()
        if not np.allclose(data, np.round(data)):
            raise ValueError("LDA needs a count DTM (dtm.count_matrix), not TF-IDF weights")
        est = LatentDirichletAllocation(
            n_components=k, learning_method="batch", max_iter=max_iter, random_state=random_state
        )
        w = est.fit_transform(matrix)
    else:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    return est, _normalize_rows(w), _normalize_rows(est.components_)


def fit_topics(
    dtm_tfidf: DTM,
    k: int,
    *,
    model: str = "nmf",
    random_state: int,
    max_iter: int = 400,
    init: str = "nndsvdar",
) -> TopicModel:
    """Fit K topics: NMF on a TF-IDF DTM, or LDA (batch) on a count DTM.

    NMF starts from ``init="nndsvdar"`` (NNDSVD with zeros filled by small random values drawn
    from ``random_state``, so the seed matters) or ``"random"``. For ``model="lda"`` pass
    `dtm.count_matrix(...)`: LDA is a model of counts and refuses TF-IDF weights.
    """
    if not 1 <= k <= min(dtm_tfidf.matrix.shape):
        raise ValueError(f"k={k} must be between 1 and min(rows, terms)={min(dtm_tfidf.matrix.shape)}")
    est, doc_topic, topic_term = _fit(dtm_tfidf.matrix, k, model, random_state, max_iter, init)
    return TopicModel(est, doc_topic, topic_term, np.asarray(dtm_tfidf.terms), dtm_tfidf.rows, model)


def _top_indices(topic_term: np.ndarray, terms: np.ndarray, n: int) -> list[np.ndarray]:
    """Per topic, indices of the n heaviest terms with weight > 0 (ties by term). Weights are
    compared at `config.LAYOUT_DIGITS` significant digits, so a last-digit change of the fit
    (another CPU or BLAS kernel) cannot reorder two terms; each weight keeps its own digits, so
    the order among tiny weights stays that of the fit."""
    out = []
    for weights in topic_term:
        order = np.lexsort((terms, -layout_round(weights, each=True)))
        out.append(order[weights[order] > 0][:n])
    return out


def top_terms(tm: TopicModel, n: int = 10) -> pd.DataFrame:
    """Tidy top terms: topic (1-based), rank (1-based), term, weight (share of the topic)."""
    records = [
        (t + 1, rank + 1, str(tm.terms[j]), float(tm.topic_term[t, j]))
        for t, idx in enumerate(_top_indices(tm.topic_term, tm.terms, n))
        for rank, j in enumerate(idx)
    ]
    return pd.DataFrame(records, columns=["topic", "rank", "term", "weight"])


def topic_labels(tm: TopicModel, n: int = 3) -> pd.Series:
    """Short labels such as ``"T1: 窓口・手続・オンライン"``, indexed by topic number."""
    tops = top_terms(tm, n)
    joined = tops.groupby("topic", sort=True)["term"].agg("・".join)
    labels = {t: f"T{t}: {joined.get(t, '')}" for t in range(1, tm.k + 1)}
    return pd.Series(labels, name="label").rename_axis("topic")


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    na = np.linalg.norm(a, axis=1, keepdims=True)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    return (a / np.where(na > 0, na, 1.0)) @ (b / np.where(nb > 0, nb, 1.0)).T


def _matched_cosines(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sim = _cosine(a, b)
    ia, ib = linear_sum_assignment(-sim)
    return ia, ib, sim[ia, ib]


def match_topics(tm_a: TopicModel, tm_b: TopicModel) -> pd.DataFrame:
    """One-to-one topic matching (Hungarian) by cosine of topic-term vectors: topic_a, topic_b, cosine.

    The two models may have different vocabularies (aligned on the union of terms) and
    different K (only min(K_a, K_b) pairs are returned).
    """
    vocab = np.union1d(np.asarray(tm_a.terms, dtype=str), np.asarray(tm_b.terms, dtype=str))

    def aligned(tm: TopicModel) -> np.ndarray:
        out = np.zeros((tm.k, len(vocab)))
        out[:, np.searchsorted(vocab, np.asarray(tm.terms, dtype=str))] = tm.topic_term
        return out

    ia, ib, cos = _matched_cosines(aligned(tm_a), aligned(tm_b))
    return pd.DataFrame({"topic_a": ia + 1, "topic_b": ib + 1, "cosine": cos})


def _npmi_coherence(top_idx: list[np.ndarray], binary: sparse.csc_matrix) -> np.ndarray:
    """Mean pairwise NPMI of each topic's top terms, from binary turn-level co-occurrence."""
    n_docs = binary.shape[0]
    scores = []
    for idx in top_idx:
        if len(idx) < 2:
            scores.append(np.nan)
            continue
        sub = binary[:, idx]
        co = (sub.T @ sub).toarray().astype(float)
        p = np.diag(co) / n_docs
        iu = np.triu_indices(len(idx), k=1)
        pij = co[iu] / n_docs
        pi, pj = p[iu[0]], p[iu[1]]
        with np.errstate(divide="ignore", invalid="ignore"):
            npmi = np.log(pij / (pi * pj)) / -np.log(pij)
        npmi = np.where(pij == 0, -1.0, np.where(pij >= 1, 1.0, npmi))
        scores.append(float(npmi.mean()))
    return np.array(scores)


def _term_positions(source_terms: np.ndarray, target_terms: np.ndarray) -> np.ndarray:
    """Column index in `target_terms` of every term of `source_terms` (−1 if absent)."""
    lookup = {t: i for i, t in enumerate(np.asarray(target_terms, dtype=str))}
    return np.array([lookup.get(t, -1) for t in np.asarray(source_terms, dtype=str)])


#: The columns of the `select_k` table.
_SELECT_K_COLUMNS = [
    "k",
    "coherence_npmi",
    "coherence_sd",
    "stability",
    "stability_min",
    "n_runs",
    "coherence_unit",
]


def select_k(
    dtm_tfidf: DTM,
    ks=range(2, 13),
    *,
    seeds=(0, 1, 2, 3, 4),
    random_state: int,
    top_n: int = 10,
    counts_dtm: DTM | None = None,
    model: str = "nmf",
    subsample: float = 0.8,
    max_iter: int = 400,
    tokens: pd.DataFrame | None = None,
    window: int = 10,
    init: str = "random",
) -> pd.DataFrame:
    """Coherence and stability for each K (see the module docstring).

    Each run's seed is derived from (``random_state``, seed), so the whole table is
    deterministic; NMF runs start from ``init`` ("random" by default, seeded per run).
    NMF runs on ``dtm_tfidf``; LDA (``model="lda"``) runs on ``counts_dtm``. Coherence: with
    ``tokens`` (turn_id, i, term), NPMI over sliding windows of ``window`` tokens within turns;
    without, over whole turns (the non-zero cells of ``counts_dtm`` or ``dtm_tfidf``), which the
    `coherence_unit` column states. K values ≥ min(rows, terms) are skipped.

    Returns one row per K: k, coherence_npmi (mean over topics and runs), coherence_sd (over
    runs), stability (mean over pairs of runs of the mean matched cosine), stability_min (the
    worst pair), n_runs, coherence_unit.
    """
    if model == "lda" and counts_dtm is None:
        raise ValueError("select_k(model='lda') needs counts_dtm")
    if len(seeds) < 2:
        raise ValueError("select_k needs at least two seeds to measure stability")
    fit_dtm = counts_dtm if model == "lda" else dtm_tfidf
    x = sparse.csr_matrix(fit_dtm.matrix)
    terms = np.asarray(fit_dtm.terms, dtype=str)
    reference = _coherence_reference(terms, dtm_tfidf, counts_dtm, tokens, window)
    size = max(2, int(np.ceil(subsample * x.shape[0])))
    runs = _subsample_runs(x.shape[0], size, seeds, random_state)
    records = []
    for k in ks:
        if k >= min(size, x.shape[1]):
            continue
        topic_terms = [_fit(x[rows], k, model, d, max_iter, init)[2] for d, rows in runs]  # [2]: topic_term
        coherences = [reference.npmi(topic_term, terms, top_n) for topic_term in topic_terms]
        records.append(_k_record(k, coherences, _pair_stabilities(topic_terms), len(seeds), reference.unit))
    return pd.DataFrame(records, columns=_SELECT_K_COLUMNS)


@dataclass(frozen=True)
class _CoherenceReference:
    """Where `select_k` counts co-occurrence: a binary unit × term matrix, the column in it of
    each fitted term (−1 if absent), and the name of the unit."""

    binary: sparse.csc_matrix
    positions: np.ndarray
    unit: str

    def npmi(self, topic_term: np.ndarray, terms: np.ndarray, top_n: int) -> float:
        """Mean NPMI over the topics of one fit (each topic: its `top_n` terms present here)."""
        top = [self.positions[idx] for idx in _top_indices(topic_term, terms, top_n)]
        return np.nanmean(_npmi_coherence([t[t >= 0] for t in top], self.binary))


def _coherence_reference(
    terms: np.ndarray, dtm_tfidf: DTM, counts_dtm: DTM | None, tokens: pd.DataFrame | None, window: int
) -> _CoherenceReference:
    """Sliding windows of `window` tokens within turns when `tokens` are given (columns =
    the fitted `terms`); else whole turns, the non-zero cells of `counts_dtm` (or `dtm_tfidf`)."""
    if tokens is not None:
        return _CoherenceReference(
            window_matrix(tokens, terms, window), np.arange(len(terms)), f"window of {window} tokens"
        )
    cooc_dtm = counts_dtm if counts_dtm is not None else dtm_tfidf
    binary = (sparse.csc_matrix(cooc_dtm.matrix) > 0).astype(np.int64).tocsc()
    return _CoherenceReference(binary, _term_positions(terms, cooc_dtm.terms), "turn")


def _subsample_runs(n_rows: int, size: int, seeds, random_state: int) -> list[tuple[int, np.ndarray]]:
    """Per seed, (the run's seed derived from (`random_state`, seed), its sorted subsample of rows)."""
    derived = [int(np.random.SeedSequence([random_state, s]).generate_state(1)[0]) for s in seeds]
    return [(d, np.sort(np.random.default_rng(d).choice(n_rows, size=size, replace=False))) for d in derived]


def _pair_stabilities(topic_terms: list[np.ndarray]) -> list[float]:
    """For each pair of runs, the mean cosine of their topics matched one-to-one."""
    return [_matched_cosines(a, b)[2].mean() for a, b in combinations(topic_terms, 2)]


def _k_record(k: int, coherences: list[float], pair_means: list[float], n_runs: int, unit: str) -> tuple:
    """One row of the `select_k` table (`_SELECT_K_COLUMNS`)."""
    return (
        k,
        float(np.mean(coherences)),
        float(np.std(coherences)),
        float(np.mean(pair_means)),
        float(np.min(pair_means)),
        n_runs,
        unit,
    )


def window_matrix(tokens: pd.DataFrame, terms, window: int = 10) -> sparse.csc_matrix:
    """Binary windows × terms matrix: every run of ``window`` consecutive tokens within a turn.

    A turn shorter than the window is one window. Tokens whose term is not in ``terms`` still
    take their place in the windows (they are not removed before windowing). Columns follow
    ``terms``.
    """
    if window < 2:
        raise ValueError(f"window must be at least 2, got {window}")
    terms = np.asarray(terms, dtype=str)
    tok = tokens.sort_values(["turn_id", "i"], kind="mergesort")
    codes, _ = pd.factorize(tok["turn_id"], sort=False)
    lengths = np.bincount(codes)
    pos = np.arange(len(tok)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    n_windows = np.maximum(lengths - window + 1, 1)
    offsets = np.cumsum(n_windows) - n_windows
    lookup = {t: j for j, t in enumerate(terms)}
    col = np.array([lookup.get(t, -1) for t in tok["term"].astype(str)], dtype=np.int64)
    keep = col >= 0
    code_k, pos_k, col_k = codes[keep], pos[keep], col[keep]
    first = np.maximum(0, pos_k - window + 1)
    last = np.minimum(pos_k, n_windows[code_k] - 1)
    count = last - first + 1
    rows = np.repeat(offsets[code_k] + first, count) + (
        np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    )
    cols = np.repeat(col_k, count)
    m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(int(n_windows.sum()), len(terms)))
    return (m > 0).astype(np.int64).tocsc()


def permute_columns(matrix, rng: np.random.Generator) -> sparse.csr_matrix:
    """Each column's non-zero values moved to randomly chosen rows (a column permutation).

    Keeps every term's number of turns and its weights, destroys which terms share a turn: the
    null of "no topical structure". Rows may end up empty; they are kept.
    """
    csc = sparse.csc_matrix(matrix, copy=True)
    n_rows = csc.shape[0]
    for j in range(csc.shape[1]):
        lo, hi = csc.indptr[j], csc.indptr[j + 1]
        if hi > lo:
            csc.indices[lo:hi] = rng.choice(n_rows, size=hi - lo, replace=False)
    csc.has_sorted_indices = False
    csc.sort_indices()
    return csc.tocsr()


def structure_vs_null(
    dtm_tfidf: DTM,
    k: int,
    *,
    random_state: int,
    n_null: int = 5,
    seeds=(0, 1, 2, 3, 4),
    tokens: pd.DataFrame | None = None,
    window: int = 10,
    **select_kwargs,
) -> tuple[pd.DataFrame, bool]:
    """Coherence and stability at K, on the data and on `n_null` shuffled copies of it.

    Each null copy permutes every term's column across turns (`permute_columns`), then runs
    the same `select_k` at K; coherence is always measured on the real windows (or turns), so
    the null says how coherent topics of terms with these frequencies are by chance. Returns the
    table (k, statistic, observed, null_mean, null_sd, null_max, n_null, z, above_null) and a
    boolean: True only when both statistics are above every shuffled fit and more than
    `Z_ABOVE_NULL` null standard deviations above their mean ("structure above a shuffled
    baseline"); False means the report should say "no clear structure".
    """
    from dataclasses import replace

    rng = np.random.default_rng(random_state)
    observed = select_k(
        dtm_tfidf, [k], seeds=seeds, random_state=random_state, tokens=tokens, window=window, **select_kwargs
    )
    if observed.empty:
        raise ValueError(f"k={k} is too large for this DTM")
    null = []
    for _ in range(n_null):
        shuffled = replace(dtm_tfidf, matrix=permute_columns(dtm_tfidf.matrix, rng))
        if tokens is None:
            select_kwargs.setdefault(
                "counts_dtm", replace(dtm_tfidf, matrix=(dtm_tfidf.matrix > 0).astype(float))
            )
        null.append(
            select_k(
                shuffled,
                [k],
                seeds=seeds,
                random_state=int(rng.integers(2**31)),
                tokens=tokens,
                window=window,
                **select_kwargs,
            )
        )
    null = pd.concat(null, ignore_index=True)
    rows = []
    for stat in ("coherence_npmi", "stability"):
        obs = float(observed[stat].iloc[0])
        sd = float(null[stat].std(ddof=1)) if len(null) > 1 else float("nan")
        z = (obs - float(null[stat].mean())) / sd if sd > 0 else (np.inf if obs > null[stat].max() else 0.0)
        rows.append(
            {
                "k": k,
                "statistic": stat,
                "observed": obs,
                "null_mean": float(null[stat].mean()),
                "null_sd": sd,
                "null_max": float(null[stat].max()),
                "n_null": len(null),
                "z": z,
                "above_null": bool(obs > null[stat].max() and z > Z_ABOVE_NULL),
            }
        )
    table = pd.DataFrame(rows)
    return table, bool(table["above_null"].all())


def suggest_k(selection: pd.DataFrame) -> int:
    """The K maximizing the mean of rank-normalized coherence and stability; ties go to the smaller K.

    Rank normalization: each criterion is ranked over the candidate K (average ranks for ties)
    and scaled to [0, 1] (worst 0, best 1), so neither criterion's scale dominates. With a single
    candidate, that K is returned. This is a default for the report; a researcher reading the
    coherence/stability curves may choose another K.
    """
    if selection.empty:
        raise ValueError("suggest_k needs a non-empty select_k table")
    sel = selection.sort_values("k", kind="mergesort").reset_index(drop=True)
    if len(sel) == 1:
        return int(sel["k"].iloc[0])
    # ranked at `config.LAYOUT_DIGITS` digits: a last-digit change cannot break or make a tie
    scaled = [
        (pd.Series(layout_round(sel[c])).rank(method="average") - 1) / (len(sel) - 1)
        for c in ("coherence_npmi", "stability")
    ]
    score = (scaled[0] + scaled[1]) / 2
    return int(sel.loc[score.to_numpy().argmax(), "k"])


def _labelled(tm: TopicModel, frame: pd.DataFrame) -> pd.DataFrame:
    labels = topic_labels(tm)
    return frame.assign(label=frame["topic"].map(labels))


def topic_prevalence(tm: TopicModel, by: str = "municipality") -> pd.DataFrame:
    """Mean doc-topic weight per group: [by], topic, label, prevalence, n_turns.

    Rows without any term (all-zero doc-topic) are left out; ``n_turns`` counts the rows used.
    Prevalences of a group sum to 1 over topics.
    """
    if by not in tm.rows.columns:
        raise ValueError(f"the DTM rows have no {by!r} column (have {list(tm.rows.columns)})")
    used = tm.doc_topic.sum(axis=1) > 0
    weights = pd.DataFrame(tm.doc_topic[used], columns=range(1, tm.k + 1))
    weights[by] = tm.rows[by].to_numpy()[used]
    grouped = weights.groupby(by, sort=True)
    means = grouped.mean().stack().rename("prevalence").rename_axis([by, "topic"]).reset_index()
    means["n_turns"] = means[by].map(grouped.size()).astype("int64")
    out = _labelled(tm, means)
    return out[[by, "topic", "label", "prevalence", "n_turns"]]


def topic_by_theme(tm: TopicModel, coded: pd.DataFrame) -> pd.DataFrame:
    """Mean doc-topic weight over each theme's coded turns: theme, topic, label, prevalence, n_turns, lift.

    ``lift`` = prevalence among the theme's turns / prevalence among all turns with terms, so
    > 1 marks topics over-represented in the theme. Needs a turn-level model.
    """
    if "turn_id" not in tm.rows.columns:
        raise ValueError("topic_by_theme needs a turn-level topic model (rows with turn_id)")
    used = tm.doc_topic.sum(axis=1) > 0
    weights = pd.DataFrame(tm.doc_topic[used], columns=range(1, tm.k + 1))
    weights["turn_id"] = tm.rows["turn_id"].to_numpy()[used]
    overall = weights.drop(columns="turn_id").mean()
    hits = coded.loc[coded["coded"].astype(bool), ["theme", "turn_id"]].drop_duplicates()
    joined = hits.merge(weights, on="turn_id", how="inner").drop(columns="turn_id")
    grouped = joined.groupby("theme", sort=True)
    means = grouped.mean().stack().rename("prevalence").rename_axis(["theme", "topic"]).reset_index()
    means["n_turns"] = means["theme"].map(grouped.size()).astype("int64")
    means["lift"] = means["prevalence"] / means["topic"].map(overall).to_numpy()
    out = _labelled(tm, means)
    return out[["theme", "topic", "label", "prevalence", "n_turns", "lift"]]
