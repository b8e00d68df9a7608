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
MIN_COUNT = None  # minimum occurrences of a term in the whole corpus (None: config.MIN_COUNT)
MIN_TURNS = None  # dispersion guard: minimum number of turns containing the term (None: config)
ALPHA = 0.05  # q-value (BH within each municipality) below which a term counts as distinctive
TOP_N = 15
KWIC_TERMS = ["情報セキュリティ", "デジタル人材", "書かない窓口", "高齢者"]
N_JOBS = None  # None: config.N_JOBS

# %%
import matplotlib.pyplot as plt
import pandas as pd

from dxminutes import workspace
from dxminutes.analysis import collocations, guards, keyness, kwic, similarity
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
# Each municipality against all the others at once. **Candidates** are the terms that occur at
# least `MIN_COUNT` times in the corpus and in at least `MIN_TURNS` turns; every candidate is
# tested for every municipality, so over-use and under-use are both tested.
#
# **Effect sizes.** G² is Dunning's log-likelihood of the full 2 × 2 table (the term vs all other
# tokens, this municipality vs the rest; signed: positive means over-represented), and the log
# ratio (Hardie) is log₂ of the ratio of relative frequencies.
#
# **p and q.** Token-level G² treats every token as independent, but words come in bursts within
# turns and speakers: with municipality labels shuffled across turns, its p-values mark terms
# as distinctive in pure noise (`p_token_g2`, kept for reference only). The p-value used here is
# Fisher's exact test of how many of the municipality's turns contain the term, i.e. the exact
# permutation test over turns; q is Benjamini–Hochberg within each municipality (one family
# per municipality). With labels shuffled across turns this recipe marks on average 0 terms
# at q < 0.05 (tests/test_keyness.py). Turns still cluster by speaker: when whole speakers are
# shuffled between municipalities, turn-level p still marks one or two terms per shuffle in
# noise, while the same test with speakers as the units marks none. The count with speakers as
# the units is printed below; a term found only at turn level may be one speaker's habit.

# %%
key = ws.keyness
export.write_table(key, "keyness")
significant = key[key["q"] < ALPHA]
if reason := guards.fewer_than_two_groups(turns, "Keyness"):
    print(reason)
else:
    print(f"p-values: {key['p_method'].iloc[0]}")
    print(
        f"{len(key):,} tests ({key['term'].nunique()} candidate terms × {key['municipality'].nunique()} "
        f"municipalities); q < {ALPHA}: {len(significant)} "
        f"({(significant['direction'] == 'over').sum()} over-used, {(significant['direction'] == 'under').sum()} under-used)"
    )
    by_speaker = keyness.keyness(
        ws.segmented(tokens),
        min_count=ws.settings.min_count,
        min_turns=ws.settings.min_turns,
        turns=ws.segmented(turns),
        unit="speaker",
    )
    if reason := guards.unsegmented(ws.documents):
        print(reason)
    print(
        f"with speakers as the units instead of turns: {(by_speaker['q'] < ALPHA).sum()} terms at q < {ALPHA}"
    )
(
    significant.sort_values(["municipality", "g2"], ascending=[True, False])[
        [
            "municipality",
            "term",
            "direction",
            "target_count",
            "reference_count",
            "n_turns_target",
            "g2",
            "log_ratio",
            "p",
            "q",
        ]
    ]
)

# %% [markdown]
# The bars show only the terms that pass q < `ALPHA`; a municipality without bars has no term
# that the test can tell apart from the others.

# %%
ax = charts.keyness_grid(
    significant,
    municipalities,
    n=TOP_N,
    colors=colors,
    title=f"特徴語（G²、q < {ALPHA}） / Distinctive terms per municipality (G² effect size, Fisher exact test on turns, BH q)",
)
export.save_figure(ax.figure, "02-keyness", summaries.top_keyness(key, n=TOP_N, alpha=ALPHA))

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
export.write_table(sim, "similarity")
if reason := guards.fewer_than_two_groups(turns, "Similarity and clustering"):
    print(reason)
else:
    clusters = similarity.cluster_groups(sim)
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
