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
# is generated from these tables by `dxminutes.report.summaries`, not typed by hand.

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
residuals = stats.crosstab_chi2(coded).table
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
)

# %% [markdown]
# ## The profiles

# %%
for municipality in profiles["municipality"]:
    display(Markdown(summaries.profile_markdown(municipality, profiles, quotes, theme_set)))

# %% [markdown]
# ## Closing comparison
#
# One row per municipality: its record, the share of turns for each theme (with the adjusted
# residual of the cross-tab in brackets), and its three most distinctive terms.

# %%
export.write_table(profiles, "profiles")
export.write_table(quotes, "profile-quotes")
summaries.comparison_table(profiles, theme_set)

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.8))
charts.residual_heatmap(residuals, ax=ax, themes=theme_set)
ax.set_title("テーマ別の調整済み残差（χ²） / Adjusted residuals, municipality × theme")
export.save_figure(fig, "05-profile-residuals", residuals)
