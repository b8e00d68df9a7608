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
# **Inputs.** The corpus, tokens and theme coding from `dxminutes.pipeline.prepare`; the same
# statistics as notebooks 02 and 03, recomputed with the same parameters and seed.
#
# **Outputs.** `reports/tables/profiles.csv` (the closing comparison table) and
# `profile-quotes.csv`; figure `05-profile-residuals`. Every sentence below that states a number
# is generated from these tables by `dxminutes.summaries`, not typed by hand.

# %% tags=["parameters"]
# Folders and the theme file come from dxminutes.config; `make report DATA=… THEMES=…` sets them.
N_BOOT = 1000
MIN_COUNT = 3
MIN_TURNS = 2
RANDOM_STATE = 20240717
N_JOBS = 2

# %%
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from dxminutes import keyness, kwic, pipeline, plots, stats, summaries

plots.setup()
data = pipeline.prepare(n_jobs=N_JOBS)
tokens, turns, documents, coded, theme_set = data.tokens, data.turns, data.documents, data.coded, data.themes
shares = stats.theme_shares(coded, tokens, n_boot=N_BOOT, random_state=RANDOM_STATE)
residuals = stats.crosstab_chi2(coded).table
key = keyness.keyness(tokens, min_count=MIN_COUNT, min_turns=MIN_TURNS, turns=turns)
within = keyness.keyness_within_themes(tokens, coded, min_count=2, min_turns=MIN_TURNS, turns=turns)
by_role = stats.theme_shares(coded, tokens, group=("municipality", "role_group"), n_boot=N_BOOT,
                             random_state=RANDOM_STATE)
quotes = kwic.evidence_quotes(coded, turns, per_cell=1, random_state=RANDOM_STATE)
profiles = summaries.build_profiles(documents, turns, shares, residuals, key, within, by_role, theme_set)

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
plots.write_table(profiles, "profiles")
plots.write_table(quotes, "profile-quotes")
summaries.comparison_table(profiles, theme_set)

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.8))
plots.residual_heatmap(residuals, ax=ax, themes=theme_set)
ax.set_title("テーマ別の調整済み残差（χ²） / Adjusted residuals, municipality × theme")
plots.save_figure(fig, "05-profile-residuals", residuals)
