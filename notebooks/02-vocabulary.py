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
# # 02 · Vocabulary: frequent and distinctive terms, collocations, similarity, KWIC
#
# **Question.** Which words does each municipality use, which are distinctive of it compared with
# all the others, and which municipalities talk alike?
#
# **Inputs.** The token table from `dxminutes.workspace.prepare` (janome with the project's user
# dictionary, compound rule and stopword list; nouns only).
#
# **Outputs.** Tables `top-terms.csv`, `keyness.csv` (every term that passes the minimum counts,
# not a top 10), `collocations.csv`, `similarity.csv`, `kwic-examples.csv`; figures
# `02-keyness`, `02-similarity`.

# %% tags=["parameters"]
# Folders and the theme file come from dxminutes.config; `make report DATA=… THEMES=…` sets them.
MIN_COUNT = None  # minimum occurrences of a term in the target municipality (None: config.MIN_COUNT)
MIN_TURNS = None  # dispersion guard: minimum number of turns containing the term (None: config)
TOP_N = 15
KWIC_TERMS = ["情報セキュリティ", "デジタル人材", "書かない窓口", "高齢者"]
N_JOBS = None  # None: config.N_JOBS

# %%
import matplotlib.pyplot as plt
import pandas as pd

from dxminutes import workspace
from dxminutes.analysis import collocations, kwic, similarity
from dxminutes.report import charts, export, summaries

ws = workspace.start(n_jobs=N_JOBS, min_count=MIN_COUNT, min_turns=MIN_TURNS, max_colwidth=60)
tokens, turns, documents, colors = ws.tokens, ws.turns, ws.documents, ws.colors
municipalities = sorted(documents["municipality"].dropna().unique())

# %% [markdown]
# ## Frequent terms per municipality
#
# Raw frequency favours long documents; the rate per 10,000 tokens makes municipalities
# comparable. The TF-IDF weight treats each municipality as one document.

# %%
top = summaries.top_terms(tokens, n=TOP_N)
export.write_table(top, "top-terms")
top.pivot(index="rank", columns="municipality", values="term")

# %% [markdown]
# ## Distinctive terms: one-vs-rest keyness
#
# Each municipality against all the others at once, with Dunning's log-likelihood G² (signed:
# positive means over-represented), its p-value and the Benjamini–Hochberg q-value within the
# municipality. A term needs at least `MIN_TURNS` turns in the municipality, so one long speech
# cannot dominate.

# %%
key = ws.keyness
export.write_table(key, "keyness")
(
    key[key["g2"] > 0]
    .sort_values(["municipality", "g2"], ascending=[True, False])
    .groupby("municipality")
    .head(8)[["municipality", "term", "target_count", "reference_count", "g2", "p", "q", "log_ratio"]]
)

# %%
ax = charts.keyness_grid(key, municipalities, n=TOP_N, colors=colors)
export.save_figure(ax.figure, "02-keyness", summaries.top_keyness(key, n=TOP_N))

# %% [markdown]
# ## Collocations
#
# Adjacent pairs among the counted terms, scored by log-likelihood, with PMI for comparison.

# %%
coll = collocations.collocations(tokens, min_count=ws.settings.min_count, measure="llr")
export.write_table(coll, "collocations")
coll.head(20)

# %% [markdown]
# ## Municipality similarity and clustering
#
# Cosine similarity over TF-IDF vectors of each municipality's vocabulary, with average-linkage
# clustering.

# %%
sim = similarity.group_similarity(tokens)
clusters = similarity.cluster_groups(sim)
export.write_table(sim, "similarity")
fig, axes = plt.subplots(1, 2, figsize=(12, 4.8))
charts.similarity_heatmap(sim, ax=axes[0])
charts.similarity_dendrogram(clusters.linkage, clusters.labels, ax=axes[1])
fig.tight_layout()
export.save_figure(fig, "02-similarity", sim)

# %% [markdown]
# ## KWIC: the terms in context
#
# Every concordance line carries its municipality, document, date, speaker and role, so a quote
# can be traced back and the export keeps its group column.

# %%
lines = pd.concat([kwic.kwic(turns, term, window=25) for term in KWIC_TERMS], ignore_index=True)
export.write_table(lines, "kwic-examples")
lines.groupby("keyword").head(4)[["municipality", "speaker", "role", "left", "keyword", "right"]]
