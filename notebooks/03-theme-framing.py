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
# (the themes of the codebook `src/dxminutes/resources/codebook.toml`, or of the file
# `make report THEMES=…` names; notebook 06 reads the same file's frames).
#
# **Outputs.** Tables `theme-shares.csv`, `theme-residuals.csv`, `theme-tests.csv`,
# `theme-tests-clustered.csv`, `theme-shares-by-role.csv`, `theme-hits.csv`,
# `keyness-within-themes.csv`, `evidence-quotes.csv`, `coding-validity.csv`, `coding-errors.csv`,
# `network-nodes.csv`, `network-edges.csv`; figures `03-theme-shares`, `03-theme-residuals`,
# `03-theme-shares-by-role`, `03-network-<theme>`.
#
# **Sections.** Notebook 06 is the mirror image of this one at the frame level of the same codebook
# (`resources/codebook.toml`), with the same sections in the same order: the codebook and its
# audit · validity against hand labels · shares with intervals · tests of differences · members vs
# officials · distinctive words within · evidence quotes · then what only this level has
# (co-occurrence networks per theme).

# %% tags=["parameters"]
# Folders and the theme file come from dxminutes.config; `make report DATA=… THEMES=…` sets them.
N_BOOT = None  # bootstrap replicates: validity intervals, design effect of the share intervals (None: config.N_BOOT)
MIN_COUNT = None  # None: config.MIN_COUNT
MIN_TURNS = None  # None: config.MIN_TURNS
TOP_N_EDGES = None  # None: config.TOP_N_EDGES
RANDOM_STATE = None  # None: config.RANDOM_SEED
N_JOBS = None  # None: config.N_JOBS

# %%
import matplotlib.pyplot as plt

from dxminutes import workspace
from dxminutes.analysis import guards, network, themes
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
#   reported whole, for the three seed municipalities the dictionary was tuned on (`tuning`,
#   `validity.TUNING_MUNICIPALITIES`) and for the two held out (`held_out`), so the reader sees how
#   the tuning generalises; on a corpus without the seed minutes this sample cannot be scored, and
#   the cell below says so;
# - the **independent sample** (`data/gold/independent-turns.csv`, 152 turns of 50 other bodies'
#   minutes), reported whole (`independent`) and in two halves split by file
#   (`validity.independent_split`: within each body kind — prefectural, city, town, village,
#   councils, national — the files alternate dev, test, dev, …). The dictionary changes of the
#   second round looked at the errors of `independent_dev` only; `independent_test` was scored
#   once, at the end;
# - the **blind samples** (`data/gold/blind-a-turns.csv`, `blind-b-turns.csv`: turns of real
#   minutes pages of other local bodies, eastern and western Japan, found by theme-directed and
#   general searches so that every theme has positives; `data/gold/blind-README.md`), reported
#   whole (`blind`) and in two halves by page (`validity.blind_split`: odd pages `blind_dev`, even
#   pages `blind_test`). The third round of dictionary changes read the errors of `blind_dev`
#   only; `blind_test` was scored once, after the dictionary was frozen, and is the honest
#   estimate for minutes of bodies nobody has seen.
#
# Gold rows are matched to turns by `turn_id`, and the turn text must have the labelled SHA-1;
# a turn that is missing or whose text changed is listed below and not scored. Each cell gives
# precision, recall, F1 and Cohen's κ with a 95% percentile bootstrap interval (turns resampled
# with the run's seed). A test (`tests/test_validity.py`) fails when κ falls below the values
# recorded in `data/gold/validity-floor.csv`. Tables: `coding-validity`, `coding-errors`.

# %%

from dxminutes.analysis import validity

gold = validity.match_gold(validity.read_gold(), turns)
unmatched = gold.loc[gold["status"] != "ok", ["turn_id", "municipality", "status"]]
if reason := guards.no_gold_turns(gold):
    print(reason)  # the independent and blind samples below carry their own text
    unmatched = unmatched.iloc[:0]
else:
    print("gold rows by status:", gold["status"].value_counts().to_dict())
unmatched

# %%
agreement = validity.agreement_all_samples(
    gold, coded, theme_set, n_boot=ws.settings.n_boot, random_state=ws.random_state
)
export.write_table(agreement, "coding-validity")
validity.validity_table(agreement)

# %% [markdown]
# κ of the samples in one view: the seed sample whole and its formerly held-out municipalities,
# the independent sample's halves, and the blind samples' dev half (its errors were read while
# changing the dictionary) and test half (scored once, never read). **Quote the blind test row**
# when describing the method: every other row has been looked at while tuning.

# %%
validity.kappa_table(agreement)

# %% [markdown]
# Read κ with its interval: the seed held-out and independent subsets are small (the independent
# sample has no security turn at all, so its security κ is undefined when nothing is coded and 0
# as soon as one turn is), and themes with few positives have wide intervals. The blind test half
# has 26–52 positives per theme (`n_gold` in the validity table). The blind pages were chosen for
# theme talk, so these figures describe how the coding handles such talk, not how often minutes
# at large touch a theme (`data/gold/blind-README.md`). Where the dictionary and the hand labels disagree on the seed
# turns, the table below lists the sentences that fired (false positives) or were skipped as
# procedural (false negatives with a `[procedural]` mark); false negatives without sentences
# are turns whose vocabulary the dictionary lacks.

# %%
errors = validity.disagreements(gold, coded, themes.code_sentences(turns, theme_set))
export.write_table(errors, "coding-errors")
errors.groupby(["theme", "error"]).size().unstack(fill_value=0)

# %% [markdown]
# ## Theme shares with intervals honest at small counts
#
# The share of a municipality's turns that touch a theme, and the rate of dictionary hits per
# 10,000 tokens. The 95% interval is a Wilson score interval, which keeps close to nominal
# coverage at small counts and never has zero width (a share of 0/43 gets 0–8 %, not 0–0 %).
# Turns of one speaker are not independent (one speaker holds up to three quarters of a
# municipality's turns), so the interval is taken at the effective number of turns, turns /
# design effect, with the design effect estimated by a bootstrap that resamples whole speakers
# within the municipality (`ci_method`, `design_effect`). A group with fewer than 10 turns gets
# no interval; its `note` says "too few turns".

# %%
shares = ws.theme_shares
export.write_table(shares, "theme-shares")
fig, ax = plt.subplots(figsize=(9, 5.5))
charts.theme_shares(shares, ax=ax, colors=colors, themes=theme_set)
export.save_figure(fig, "03-theme-shares", shares)
print(f"interval: {shares['ci_method'].iloc[0]}; largest design effect {shares['design_effect'].max():.2f}")

# %% [markdown]
# Whether municipalities differ is read from the tests below (the per-theme permutation test
# over turns and the test with speakers as the units), not from whether intervals overlap.

# %%
for sentence in summaries.describe_shares(shares, theme_set, ws.theme_tests, ws.clustered_theme_tests):
    print("-", sentence)
for key in theme_set.keys:
    if reason := guards.no_hits(coded, key, style.theme_label(key, theme_set)):
        print("-", reason)

# %% [markdown]
# ## Cross-tab with χ², Cramér's V and adjusted residuals as numbers
#
# The municipality × theme table of coded turns, with adjusted standardized residuals per cell
# (an effect size: how far a cell is from independence). Themes are not mutually exclusive (a
# turn can touch several), so the large-sample χ² p treats codings as independent, which they
# are not; the association is therefore also tested by permutation over turns (municipality
# labels shuffled across turns, each turn keeping all its codes). Cell flags are Holm-adjusted
# over the 20 cells (`p_cell_adj`, `adjustment`); the cell tests that the narrative uses are the
# exact per-theme tests below.

# %%
chi = stats.crosstab_chi2(coded, random_state=ws.random_state)
residuals = chi.table
export.write_table(residuals, "theme-residuals")
if reason := guards.fewer_than_two_groups(turns, "The χ² cross-tab") or guards.no_coded_turns(
    coded, "The χ² cross-tab"
):
    print(reason)
else:
    print(
        f"χ² = {chi.chi2:.2f}, df = {chi.dof}, large-sample p = {chi.p_value:.3g}; permutation p over turns "
        f"= {chi.p_permutation:.3g} ({chi.n_perm} permutations); Cramér's V = {chi.cramers_v:.3f}, N = {chi.n}; "
        f"cells significant after {residuals['adjustment'].iloc[0]}: {int(residuals['significant'].sum())}"
    )
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    charts.residual_heatmap(residuals, ax=ax, themes=theme_set)
    export.save_figure(fig, "03-theme-residuals", residuals)

# %% [markdown]
# ## Per-theme tests: exact where counts are small, corrected for multiple cells
#
# For each theme, (coded vs not coded) × municipality. Many expected counts are below 5
# (`n_expected_below_5`), where the large-sample χ² (`p_chi2`) is unreliable, so the theme's
# p is a Monte Carlo permutation p over turns (`p`, an estimate of the Freeman–Halton exact p).
# Each cell is a Fisher exact test of the municipality against all the others (`p_cell`),
# Holm-adjusted over every cell of the table (`p_cell_adj`, `adjustment`); `verdict` reads the
# adjusted test. Notebook 05's "more / less often than the others" sentences are generated from
# this `verdict` column.

# %%
tests = ws.theme_tests
export.write_table(tests, "theme-tests")
if reason := guards.fewer_than_two_groups(turns, "The per-theme tests"):
    print(reason)
else:
    print(
        f"cells significant after {tests['adjustment'].iloc[0]}: {int(tests['significant'].sum())} of {len(tests)}"
    )
tests[
    [
        "theme",
        "municipality",
        "turns",
        "coded_turns",
        "share",
        "expected",
        "p_cell",
        "p_cell_adj",
        "verdict",
        "p_chi2",
        "p",
    ]
]

# %% [markdown]
# ## Turns cluster by speaker
#
# The tests above treat turns as independent, but a few speakers hold most turns
# (`max_speaker_share`). Side by side, per theme: the turn-level tests (χ², permutation over
# turns, a logistic model with log turn length as covariate) and two that respect speakers: a
# GEE (binomial, exchangeable correlation within speaker, log turn length, bias-reduced
# sandwich covariance) and a permutation test that moves whole speakers between
# municipalities. **Which the narrative uses:** the cell verdicts come from the turn-level exact
# tests (they are the only ones defined per cell), and every theme-level statement below and in
# notebook 05 quotes the speaker permutation p next to it, because it is the one test here that
# is valid whatever the dependence within a speaker and that is defined when a municipality has
# no coded turn (where the GEE is not). Where the two disagree, the difference may be one
# speaker's habit rather than the municipality's.

# %%
clustered = ws.clustered_theme_tests
export.write_table(clustered, "theme-tests-clustered")
if reason := guards.unsegmented(ws.documents):
    print(reason)
if reason := guards.fewer_than_two_groups(turns, "The speaker-clustered tests"):
    print(reason)
else:
    for sentence in summaries.clustered_sentences(clustered, theme_set):
        print("-", sentence)
clustered

# %% [markdown]
# ## Members vs officials
#
# The same shares split by role group: what members press on, against what the administration
# presents. Turns of unknown role (speaker marks lost in extraction) are left out of both
# groups. A cell with fewer than 10 turns of the role group shows no share (`note`: too few
# turns) rather than a percentage of a handful of turns.

# %%
by_role = ws.theme_shares_by_role
export.write_table(by_role, "theme-shares-by-role")
main_roles = summaries.role_contrast(by_role)
main_roles = main_roles.assign(share=main_roles["share"].where(main_roles["ci_low"].notna()))
fig, ax = plt.subplots(figsize=(9, 5.5))
charts.heatmap(
    main_roles,
    row="municipality",
    col="theme_role",
    value="share",
    ax=ax,
    fmt="{:.0%}",
    title="テーマ言及率（議員・委員 vs 行政） / Theme share of turns, members vs officials (blank: < 10 turns)",
)
export.save_figure(fig, "03-theme-shares-by-role", main_roles)

# %% [markdown]
# ## Within-theme distinctive terms: the framing itself
#
# Keyness computed only over the turns coded for a theme: which words a municipality uses *when
# it talks about* security, staffing, the digital divide or DX, compared with the others (the
# same recipe as notebook 02: Fisher exact test on turns, BH q within each municipality).
# Theme subsets are small, so few terms pass q < 0.05; only those are listed.

# %%
within = ws.keyness_within_themes
export.write_table(within, "keyness-within-themes")
within_top = summaries.top_keyness(within, n=5, by=("theme", "municipality"), alpha=0.05)
print(f"within-theme terms at q < 0.05: {len(within_top)}")
within_top.pivot_table(index=["theme", "municipality"], values="term", aggfunc=" ・ ".join)

# %% [markdown]
# ## Evidence: quotes for each municipality × theme
#
# Representative turns (most dictionary hits, ties broken by a seeded draw), trimmed around the
# first hit, so each claim above can be read in the speakers' own words.

# %%
quotes = ws.evidence_quotes(per_cell=2)
export.write_table(quotes, "evidence-quotes")
quotes[["municipality", "theme", "speaker", "role", "quote"]]
# %% [markdown]
# ## Co-occurrence networks per theme
#
# Terms that appear in the same turns (Jaccard over turns), with communities, for the turns of
# each theme. An edge needs at least 3 turns containing both terms; of those the `TOP_N_EDGES`
# strongest are drawn, and every edge tied with the last one is kept too (a network may have a
# few more edges than `TOP_N_EDGES`; none is dropped alphabetically).

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
