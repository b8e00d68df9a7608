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
# # 03 · Theme framing: how much, and how, each municipality talks about the four issues
#
# **Question.** How much attention does each municipality give to DX itself, information
# security, staffing, and the digital divide; how sure are we; who raises each theme (members or
# the administration); and with which words does each municipality frame it?
#
# **Inputs.** The turns and tokens from `dxminutes.workspace.prepare`, and the theme dictionary
# (`src/dxminutes/resources/themes.toml`, or the file `make report THEMES=…` names).
#
# **Outputs.** Tables `theme-shares.csv`, `theme-residuals.csv`, `theme-tests.csv`,
# `theme-shares-by-role.csv`, `theme-hits.csv`, `keyness-within-themes.csv`, `evidence-quotes.csv`,
# `network-nodes.csv`, `network-edges.csv`; figures `03-theme-shares`, `03-theme-residuals`,
# `03-theme-shares-by-role`, `03-network-<theme>`.

# %% tags=["parameters"]
# Folders and the theme file come from dxminutes.config; `make report DATA=… THEMES=…` sets them.
N_BOOT = None  # bootstrap replicates for the 95% intervals (None: config.N_BOOT)
MIN_COUNT = None  # None: config.MIN_COUNT
MIN_TURNS = None  # None: config.MIN_TURNS
TOP_N_EDGES = None  # None: config.TOP_N_EDGES
RANDOM_STATE = None  # None: config.RANDOM_SEED
N_JOBS = None  # None: config.N_JOBS

# %%
import matplotlib.pyplot as plt

from dxminutes import workspace
from dxminutes.analysis import network, themes
from dxminutes.analysis import theme_stats as stats
from dxminutes.report import charts, export, style, summaries

ws = workspace.start(
    n_jobs=N_JOBS,
    random_state=RANDOM_STATE,
    n_boot=N_BOOT,
    min_count=MIN_COUNT,
    min_turns=MIN_TURNS,
    top_n_edges=TOP_N_EDGES,
)
tokens, turns, documents, coded, theme_set = ws.tokens, ws.turns, ws.documents, ws.coded, ws.themes
colors = ws.colors

# %% [markdown]
# ## The coding rules
#
# Each theme is a list of notation variants (and optional regular expressions). The hit table
# audits the dictionary: which variants matched, how often, and where. Variants with zero hits are
# listed too.

# %%
hits = themes.theme_hits(turns, theme_set)
export.write_table(hits, "theme-hits")
hits[hits["n_hits"] > 0].sort_values(["theme", "n_hits"], ascending=[True, False]).groupby("theme").head(6)

# %% [markdown]
# ## Coding validity: how far the dictionary agrees with hand labels
#
# Coding is done per sentence: a turn touches a theme when one of its sentences has a dictionary
# hit, and procedural sentences (opening and closing, agenda announcements, calls on the next
# speaker, handout headings, housekeeping; the `procedural` patterns of the theme file) never
# count. Two hand-labelled samples, coded blind to the dictionary against `docs/codebook.md`,
# measure how well that works:
#
# - the **seed gold sample** (`data/gold/gold-turns.csv`, 267 turns of the five seed minutes),
#   reported whole, for the three municipalities the dictionary was tuned on (流山市, 武蔵村山市,
#   長崎市: `tuning`) and for the two held out (墨田区, 豊島区: `held_out`), so the reader sees how
#   the tuning generalises;
# - the **independent sample** (`data/gold/independent-turns.csv`, 152 turns of 50 other bodies'
#   minutes), never used for tuning.
#
# Gold rows are matched to turns by `turn_id`, and the turn text must have the labelled SHA-1;
# a turn that is missing or whose text changed is listed below and not scored. Each cell gives
# precision, recall, F1 and Cohen's κ with a 95% percentile bootstrap interval (turns resampled
# with the run's seed). A test (`tests/test_validity.py`) fails when κ falls below the values
# recorded in `data/gold/validity-floor.csv`. Tables: `coding-validity`, `coding-errors`.

# %%
import pandas as pd

from dxminutes.analysis import validity

gold = validity.match_gold(validity.read_gold(), turns)
print("gold rows by status:", gold["status"].value_counts().to_dict())
gold.loc[gold["status"] != "ok", ["turn_id", "municipality", "status"]]

# %%
scored = []
if (gold["status"] == "ok").any():
    scored.append(validity.agreement(gold, coded, n_boot=ws.settings.n_boot, random_state=ws.random_state))
independent_turns, independent_gold = validity.independent_sample()
scored.append(
    validity.agreement(
        independent_gold,
        themes.code_turns(independent_turns, theme_set),
        subsets={validity.INDEPENDENT: [validity.INDEPENDENT]},
        n_boot=ws.settings.n_boot,
        random_state=ws.random_state,
    )
)
agreement = pd.concat(scored, ignore_index=True)
export.write_table(agreement, "coding-validity")
validity.validity_table(agreement)

# %% [markdown]
# Read κ with its interval: the held-out and independent subsets are small (the independent
# sample has no security turn at all, so its security κ says nothing), and themes with few
# positives have wide intervals. Where the dictionary and the hand labels disagree on the seed
# turns, the table below lists the sentences that fired (false positives) or were skipped as
# procedural (false negatives with a `[procedural]` mark); false negatives without sentences
# are turns whose vocabulary the dictionary lacks.

# %%
errors = validity.disagreements(gold, coded, themes.code_sentences(turns, theme_set))
export.write_table(errors, "coding-errors")
errors.groupby(["theme", "error"]).size().unstack(fill_value=0)

# %% [markdown]
# ## Theme shares with bootstrap intervals
#
# The share of a municipality's turns that touch a theme, with a 95% percentile bootstrap
# interval (turns resampled within the municipality), and the rate of dictionary hits per 10,000
# tokens.

# %%
shares = ws.theme_shares
export.write_table(shares, "theme-shares")
fig, ax = plt.subplots(figsize=(9, 5.5))
charts.theme_shares(shares, ax=ax, colors=colors, themes=theme_set)
export.save_figure(fig, "03-theme-shares", shares)

# %%
for sentence in summaries.describe_shares(shares, theme_set):
    print("-", sentence)

# %% [markdown]
# ## Cross-tab with χ², Cramér's V and adjusted residuals as numbers
#
# The municipality × theme table of coded turns. Adjusted standardized residuals beyond ±1.96
# mark cells that differ from independence at the 5% level. Themes are not mutually exclusive
# (a turn can touch several), so the overall χ² treats codings as independent, an
# approximation; the per-theme tests below (coded vs not coded × municipality) are exact in that
# respect.

# %%
chi = stats.crosstab_chi2(coded)
residuals = chi.table
export.write_table(residuals, "theme-residuals")
print(
    f"χ² = {chi.chi2:.2f}, df = {chi.dof}, p = {chi.p_value:.3g}, Cramér's V = {chi.cramers_v:.3f}, N = {chi.n}"
)
fig, ax = plt.subplots(figsize=(7.5, 4.8))
charts.residual_heatmap(residuals, ax=ax, themes=theme_set)
export.save_figure(fig, "03-theme-residuals", residuals)

# %%
tests = stats.theme_by_group_tests(coded)
export.write_table(tests, "theme-tests")
tests

# %% [markdown]
# ## Members vs officials
#
# The same shares split by role group: what members press on, against what the administration
# presents.

# %%
by_role = ws.theme_shares_by_role
export.write_table(by_role, "theme-shares-by-role")
main_roles = summaries.role_contrast(by_role)
fig, ax = plt.subplots(figsize=(9, 5.5))
charts.heatmap(
    main_roles,
    row="municipality",
    col="theme_role",
    value="share",
    ax=ax,
    fmt="{:.0%}",
    title="テーマ言及率（議員・委員 vs 行政） / Theme share of turns, members vs officials",
)
export.save_figure(fig, "03-theme-shares-by-role", main_roles)

# %% [markdown]
# ## Within-theme distinctive terms: the framing itself
#
# Keyness computed only over the turns coded for a theme: which words a municipality uses *when
# it talks about* security, staffing, the digital divide or DX, compared with the others.

# %%
within = ws.keyness_within_themes
export.write_table(within, "keyness-within-themes")
summaries.top_keyness(within, n=5, by=("theme", "municipality")).pivot_table(
    index=["theme", "municipality"], values="term", aggfunc=" ・ ".join
)

# %% [markdown]
# ## Co-occurrence networks per theme
#
# Terms that appear in the same turns (Jaccard over turns, the top edges), with communities, for
# the turns of each theme.

# %%
networks = network.networks_by_theme(
    tokens, coded, theme_set.keys, top_n_edges=ws.settings.top_n_edges, random_state=ws.random_state
)
for key, (net, layout) in networks.items():
    fig, ax = plt.subplots(figsize=(8, 7))
    charts.network_plot(net.nodes, net.edges, layout, ax=ax)
    ax.set_title(f"共起ネットワーク: {style.theme_label(key, theme_set)}")
    export.save_figure(fig, f"03-network-{key.replace('_', '-')}", net.edges)
node_table, edge_table = network.combined_tables(networks)
export.write_table(node_table, "network-nodes")
export.write_table(edge_table, "network-edges")

# %% [markdown]
# ## Evidence: quotes for each municipality × theme
#
# Representative turns (most dictionary hits, ties broken by a seeded draw), trimmed around the
# first hit, so each claim above can be read in the speakers' own words.

# %%
quotes = ws.evidence_quotes(per_cell=2)
export.write_table(quotes, "evidence-quotes")
quotes[["municipality", "theme", "speaker", "role", "quote"]]
