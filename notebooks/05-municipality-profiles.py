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
# # 05 · Municipality profiles: how each one frames the four issues
#
# **Question.** Putting the previous notebooks together, what is each municipality's profile:
# which themes it stresses compared with the others, with which words, and in whose voice?
#
# **Inputs.** The corpus, tokens and theme coding from `dxminutes.workspace.prepare`; the same
# statistics as notebooks 02 and 03, recomputed with the same parameters and seed.
#
# **Outputs.** `reports/tables/profiles.csv` (the closing comparison table) and
# `profile-quotes.csv`; figure `05-profile-residuals`. Every sentence below that states a number
# is generated from these tables by `dxminutes.report.summaries`, not typed by hand; every
# "more / less often than the other municipalities" comes from the `verdict` column of
# notebook 03's `theme-tests.csv` (Fisher exact test per cell, Holm-adjusted over all cells).
#
# **What the comparison is.** Each municipality is one meeting of one record kind, so the
# differences below are differences between meetings (agenda, date, body and record style are
# confounded with the municipality); the caveat printed below says what a corpus with several
# meetings per body would add.

# %% tags=["parameters"]
# Folders and the theme file come from dxminutes.config; `make report DATA=… THEMES=…` sets them.
N_BOOT = None  # None: config.N_BOOT
MIN_COUNT = None  # None: config.MIN_COUNT
MIN_TURNS = None  # None: config.MIN_TURNS
RANDOM_STATE = None  # None: config.RANDOM_SEED
N_JOBS = None  # None: config.N_JOBS

# %%
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from dxminutes import workspace
from dxminutes.analysis import guards
from dxminutes.analysis import theme_stats as stats
from dxminutes.report import charts, export, summaries

ws = workspace.start(
    n_jobs=N_JOBS,
    random_state=RANDOM_STATE,
    n_boot=N_BOOT,
    min_count=MIN_COUNT,
    min_turns=MIN_TURNS,
    max_colwidth=50,
)
documents, turns, coded, theme_set = ws.documents, ws.turns, ws.coded, ws.themes
residuals = stats.crosstab_chi2(coded, random_state=ws.random_state).table
tests = ws.theme_tests
quotes = ws.evidence_quotes(per_cell=1)
profiles = summaries.build_profiles(
    documents,
    turns,
    ws.theme_shares,
    residuals,
    ws.keyness,
    ws.keyness_within_themes,
    ws.theme_shares_by_role,
    theme_set,
    tests=tests,
    clustered=ws.clustered_theme_tests,
)
print(summaries.meetings_caveat(documents))
if reason := guards.fewer_than_two_groups(turns, "The profile comparison"):
    print(reason, "The profiles below describe the one municipality; their tests have nothing to compare.")

# %% [markdown]
# ## The profiles
#
# Shares carry 95% Wilson intervals at the speaker-adjusted effective number of turns.
# Officials' share of turns counts only turns whose role is known. Members' and officials'
# shares are left out where the role group has fewer than 10 turns.

# %%
for municipality in profiles["municipality"]:
    display(Markdown(summaries.profile_markdown(municipality, profiles, quotes, theme_set)))

# %% [markdown]
# ## Turns cluster by speaker
#
# The verdicts above are turn-level tests. Per theme, the speaker-clustered tests of notebook 03
# are quoted next to the turn-level one; where the difference does not survive clustering by
# speaker, the verdicts for that theme may reflect a few speakers rather than the municipality.

# %%
for sentence in summaries.clustered_sentences(ws.clustered_theme_tests, theme_set):
    print("-", sentence)

# %% [markdown]
# ## Closing comparison
#
# One row per municipality: its record, the share of turns for each theme with ▲ / ▼ where the
# corrected per-theme test finds it more / less often than in the other municipalities (no
# mark: no difference the test can establish), and its most distinctive terms (q < 0.05).

# %%
export.write_table(profiles, "profiles")
export.write_table(quotes, "profile-quotes")
summaries.comparison_table(profiles, theme_set)

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.8))
charts.residual_heatmap(residuals, ax=ax, themes=theme_set)
ax.set_title("テーマ別の調整済み残差（χ²） / Adjusted residuals, municipality × theme")
export.save_figure(fig, "05-profile-residuals", residuals)
