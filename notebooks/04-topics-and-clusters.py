# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Topics and clusters: structure the dictionary did not impose
#
# **Question.** Without a dictionary, what topics do the turns fall into, how does each
# municipality distribute over them, and how do municipalities and terms position against each
# other?
#
# **Inputs.** Turn-level TF-IDF of the token table (`dxminutes.text.dtm`), the theme coding.
#
# **Outputs.** Tables `k-selection.csv`, `topic-terms.csv`, `topic-municipality.csv`,
# `topic-theme.csv`, `topic-null.csv`, `cluster-municipality.csv`, `cluster-null.csv`,
# `cluster-examples.csv`, `ca-rows.csv`,
# `ca-columns.csv`; figures `04-k-selection`, `04-topic-municipality`, `04-topic-theme`,
# `04-cluster-municipality`, `04-ca-biplot`.

# %% tags=["parameters"]
# Folders and the theme file come from dxminutes.config; `make report DATA=… THEMES=…` sets them.
K = None  # None: use the suggested K (stated rule below)
K_RANGE = list(range(2, 13))
N_NULL = 5  # shuffled copies of the DTM for the null comparison of topics and clusters
WINDOW = 10  # sliding window (tokens) for NPMI coherence
N_SEEDS = 5  # seeds per K for the stability estimate
MIN_DF = 2  # a term must occur in at least this many turns
CA_TERMS = 60
RANDOM_STATE = None  # None: config.RANDOM_SEED
N_JOBS = None  # None: config.N_JOBS

# %%
import matplotlib.pyplot as plt
import pandas as pd

from dxminutes import workspace
from dxminutes.analysis import clusters, guards, topics
from dxminutes.analysis import correspondence as ca
from dxminutes.report import charts, export, style
from dxminutes.text import dtm

ws = workspace.start(n_jobs=N_JOBS, random_state=RANDOM_STATE)
tokens, turns, documents, coded, theme_set = ws.tokens, ws.turns, ws.documents, ws.coded, ws.themes
colors = ws.colors
X = dtm.tfidf_matrix(tokens, level="turn", rows=turns, min_df=MIN_DF)
print(f"{X.matrix.shape[0]} turns × {X.matrix.shape[1]} terms")

# %% [markdown]
# ## Choosing K
#
# For each K (from 2), NMF is fitted from random initialisations with several seeds, on 80 %
# subsamples of the turns. **Coherence** is the mean NPMI of each topic's top terms, with
# co-occurrence counted in sliding windows of `WINDOW` tokens within turns (a whole turn is too
# wide a context). **Stability** is the mean cosine similarity of topic–term vectors between
# runs, topics matched with the Hungarian assignment. The suggested K follows the rule printed
# below; set `K` to override it.

# %%
selection = topics.select_k(
    X, ks=K_RANGE, seeds=tuple(range(N_SEEDS)), random_state=ws.random_state, tokens=tokens, window=WINDOW
)
suggested = topics.suggest_k(selection)
k = K or suggested
export.write_table(selection, "k-selection")
fig, ax = plt.subplots(figsize=(7.5, 4.2))
charts.k_selection(selection, ax=ax, chosen=k)
export.save_figure(fig, "04-k-selection", selection)
print(f"Suggested K = {suggested} ({topics.suggest_k.__doc__.strip().splitlines()[0]}); used K = {k}.")

# %% [markdown]
# ## Is there structure above a shuffled baseline?
#
# The same selection at the chosen K on `N_NULL` copies of the DTM in which every term's column
# is permuted across turns (term frequencies kept, co-occurrence destroyed). Topics are
# interpreted only if coherence and stability are above every shuffled copy and more than two
# null standard deviations above their mean.

# %%
topic_null, topic_structure = topics.structure_vs_null(
    X,
    k,
    random_state=ws.random_state,
    n_null=N_NULL,
    seeds=tuple(range(N_SEEDS)),
    tokens=tokens,
    window=WINDOW,
)
export.write_table(topic_null, "topic-null")
print(
    f"K = {k}: topics show structure above the shuffled baseline."
    if topic_structure
    else f"K = {k}: no clear structure: the topics are not more coherent and stable than topics fitted "
    "to shuffled data, so they are shown below for inspection only and not interpreted."
)
topic_null

# %% [markdown]
# ## Topics and their top terms

# %%
model = topics.fit_topics(X, k, model="nmf", random_state=ws.random_state)
terms = topics.top_terms(model, n=10)
export.write_table(terms, "topic-terms")
terms.pivot(index="rank", columns="topic", values="term")

# %% [markdown]
# For comparison, LDA on counts with the same K (explicit `max_iter` and `random_state`):

# %%
counts = dtm.count_matrix(tokens, level="turn", rows=turns, vocabulary=X.terms)
lda = topics.fit_topics(counts, k, model="lda", random_state=ws.random_state)
topics.top_terms(lda, n=8).pivot(index="rank", columns="topic", values="term")

# %% [markdown]
# ## Topic × municipality and topic × theme

# %%
prevalence = topics.topic_prevalence(model, by="municipality")
export.write_table(prevalence, "topic-municipality")
fig, ax = plt.subplots(figsize=(9, 5))
charts.heatmap(
    prevalence,
    row="label",
    col="municipality",
    value="prevalence",
    ax=ax,
    title="トピックの出現率（自治体別） / Mean topic weight per turn, by municipality",
)
export.save_figure(fig, "04-topic-municipality", prevalence)

# %%
by_theme = topics.topic_by_theme(model, coded)
export.write_table(by_theme, "topic-theme")
if reason := guards.no_coded_turns(coded, "Topic × theme"):
    print(reason)
else:
    fig, ax = plt.subplots(figsize=(9, 5))
    charts.heatmap(
        by_theme.assign(theme=[style.theme_label(t, theme_set) for t in by_theme["theme"]]),
        row="label",
        col="theme",
        value="prevalence",
        ax=ax,
        title="トピック×テーマ / Mean topic weight among turns coded for each theme",
    )
    export.save_figure(fig, "04-topic-theme", by_theme)

# %% [markdown]
# ## Clusters of turns
#
# k-means on SVD-reduced, length-normalized TF-IDF, K (from 2) chosen by silhouette. The
# silhouette of each K is compared with the same pipeline on `N_NULL` shuffled copies of the DTM;
# clusters are interpreted only if the chosen K's silhouette is above every shuffled copy's and
# more than two null standard deviations above their mean.

# %%
clustering = clusters.cluster_turns(X, ks=K_RANGE[:9], random_state=ws.random_state)
cluster_null, cluster_structure = clusters.structure_vs_null(
    X, ks=K_RANGE[:9], k=clustering.k, n_null=N_NULL, random_state=ws.random_state
)
export.write_table(cluster_null, "cluster-null")
print(f"chosen number of clusters: {clustering.k}")
print(
    "The clusters show structure above the shuffled baseline."
    if cluster_structure
    else "No clear structure: the silhouette is no higher than that of shuffled data, so the clusters "
    "below partition the turns but do not show groups that the vocabulary separates; they are not interpreted."
)
cluster_null

# %%
cl_by_m = clusters.cluster_by_group(clustering, by="municipality")
export.write_table(cl_by_m, "cluster-municipality")
fig, ax = plt.subplots(figsize=(8, 4.5))
charts.heatmap(
    cl_by_m,
    row="cluster",
    col="municipality",
    value="share",
    ax=ax,
    fmt="{:.0%}",
    title="クラスタ構成（自治体別の割合） / Share of each municipality's turns per cluster",
)
export.save_figure(fig, "04-cluster-municipality", cl_by_m)

# %%
examples = clusters.representative_turns(clustering, turns, n=2)
export.write_table(examples, "cluster-examples")
cluster_terms = clusters.cluster_terms(clustering, X, n=8)
cluster_terms.groupby("cluster")["term"].agg(" ・ ".join)

# %% [markdown]
# ## Correspondence analysis: municipalities and their most distinctive terms
#
# CA of the municipality × term table restricted to the terms that contribute most to its χ².
# Municipalities close to a term use it more than the corpus average.

# %%
if reason := guards.fewer_than_two_groups(turns, "Correspondence analysis"):
    print(reason)
else:
    ca_result = ca.ca_municipality_terms(tokens, n_terms=CA_TERMS)
    export.write_table(ca_result.row_coords, "ca-rows")
    export.write_table(ca_result.col_coords, "ca-columns")
    fig, ax = plt.subplots(figsize=(9, 7.5))
    charts.ca_biplot(ca_result.row_coords, ca_result.col_coords, ca_result.explained, ax=ax, colors=colors)
    export.save_figure(
        fig,
        "04-ca-biplot",
        pd.concat(
            [ca_result.row_coords.assign(kind="municipality"), ca_result.col_coords.assign(kind="term")]
        ),
    )
