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
# # 07 · Shares corrected for coding error
#
# **Question.** The theme shares and the municipality comparisons of notebook 03 count the
# dictionary's flags, and the dictionary errs — differently in different municipalities. With a
# random sample of this corpus's turns labelled by hand, how large is each share and each
# difference once the coding error is taken into account, and which conclusions change?
#
# **Inputs.** The turns and their theme coding from `dxminutes.workspace.start`; the labelled
# sample of the corpus folder's `labels/` subfolder, read by `dxminutes.analysis.labels.read_labels`
# (one row per turn × theme × coder with `label`, `inclusion_prob` and `stratum`).
#
# **Outputs.** Tables `corrected-shares.csv`, `corrected-differences.csv`, `corrected-omnibus.csv`,
# `corrected-conclusion-changes.csv` and figures `07-corrected-shares-<theme>`, when a labelled
# sample is present; otherwise a sentence saying that the shares are not corrected and how to
# label a sample.
#
# **Method in one paragraph.** Design-based supervised learning (Egami et al. 2023): each turn's
# pseudo-outcome is the dictionary's flag plus, for labelled turns, the labelling error weighted
# by the inverse of the turn's inclusion probability; its mean is unbiased for the share whatever
# the dictionary's errors, and its stratified variance carries the coding error. Differences are
# each municipality against all the others (the comparison of notebook 03's cell tests), with
# two-sided tests Holm-adjusted over all rows. The raw estimates beside them are the dictionary's
# shares with Wilson intervals and two-proportion tests. Formulas and the simulation that checks
# the coverage: `src/dxminutes/analysis/correction.py`, `docs/correction.md`.

# %% tags=["parameters"]
# Folders come from dxminutes.config; `make report DATA=…` sets them.
ALPHA = 0.05  # interval level 1 - ALPHA and test level
METHOD = "dsl"  # "dsl" (design-based, stratified samples) or "ppi" (prediction-powered, simple random)
RANDOM_STATE = None  # None: config.RANDOM_SEED
N_JOBS = None  # None: config.N_JOBS

# %%
import matplotlib.pyplot as plt

from dxminutes import config, workspace
from dxminutes.analysis import correction, labels
from dxminutes.report import charts, export, style

ws = workspace.start(n_jobs=N_JOBS, random_state=RANDOM_STATE)
turns, coded, theme_set = ws.turns, ws.coded, ws.themes
data_dir = config.RAW_DIR
shown_dir = (
    data_dir.relative_to(config.PROJECT_DIR).as_posix()
    if data_dir.is_relative_to(config.PROJECT_DIR)
    else "<DATA>"
)

# %% [markdown]
# ## The units and the labelled sample
#
# One row per turn with the dictionary's 0/1 flag per theme, and the hand labels of the sample.

# %%
units = (
    coded.pivot_table(index=["turn_id", "municipality"], columns="theme", values="coded", aggfunc="max")
    .astype(int)
    .reset_index()
    .rename(columns={"turn_id": "unit_id"})
)
units.columns.name = None
sample = labels.read_labels(data_dir)
has_labels = not sample.empty
if not has_labels:
    print(
        "The shares in this report are not corrected for coding error: no labelled sample was found in "
        f"{shown_dir}/labels/. To label one: `make sample DATA={shown_dir} N=200`, fill the sheet, "
        f"put it back in {shown_dir}/labels/ and rerun."
    )
else:
    print(
        f"{len(units)} turns; {sample['unit_id'].nunique()} labelled turns, {len(sample)} label rows, "
        f"coders: {', '.join(sorted(sample['coder'].astype(str).unique()))}"
    )

# %% [markdown]
# ## Raw and corrected shares side by side
#
# For each municipality and theme: the dictionary's share (`raw_share`, Wilson interval) and the
# corrected share (`corrected_share`, interval carrying the coding error). A municipality with
# fewer than 10 labelled turns, or none labelled positive, gets no corrected value and a `note`.

# %%
if has_labels:
    shares = correction.corrected_shares(units, sample, by="municipality", alpha=ALPHA, method=METHOD)
    export.write_table(shares, "corrected-shares")
    if shares.attrs.get("unmatched_labels"):
        print(f"{shares.attrs['unmatched_labels']} labels name turns that are not in the corpus; left out")
    for code, rows in shares.groupby("code", sort=False):
        fig, ax = plt.subplots(figsize=(7.5, 3.5))
        charts.raw_vs_corrected(
            rows,
            ax=ax,
            title=f"{style.theme_label(code, theme_set)}: 辞書のみ vs 誤り補正後 / coder vs corrected",
        )
        export.save_figure(fig, f"07-corrected-shares-{code.replace('_', '-')}", rows)
    display_shares = shares
else:
    display_shares = None
display_shares

# %% [markdown]
# ## Differences: each municipality against the others
#
# The difference of a municipality's share from the pooled share of all other municipalities,
# raw and corrected, with Holm-adjusted p-values over every row (`adjustment`).

# %%
if has_labels:
    diffs = correction.corrected_differences(units, sample, by="municipality", alpha=ALPHA, method=METHOD)
    export.write_table(diffs, "corrected-differences")
    display_diffs = diffs[
        [
            "code",
            "group",
            "raw_diff",
            "raw_p_adj",
            "corrected_diff",
            "corrected_low",
            "corrected_high",
            "corrected_p_adj",
            "note",
        ]
    ]
else:
    display_diffs = None
display_diffs

# %% [markdown]
# ## Do the municipalities differ at all?
#
# Per theme, the raw χ² test of the dictionary's flags × municipality (notebook 03's cross-tab,
# large-sample) beside the corrected Wald test that all corrected shares are equal.

# %%
if has_labels:
    omnibus = correction.corrected_omnibus(units, sample, by="municipality", method=METHOD)
    export.write_table(omnibus, "corrected-omnibus")
    display_omnibus = omnibus
else:
    display_omnibus = None
display_omnibus

# %% [markdown]
# ## Which conclusions change
#
# A difference significant on the dictionary's flags but not after correction (or the reverse),
# and the themes whose overall test changes verdict at the 5% level.

# %%
if has_labels:
    changes = correction.conclusion_changes(diffs)
    export.write_table(changes, "corrected-conclusion-changes")
    for row in omnibus.dropna(subset=["corrected_p"]).itertuples():
        if (row.raw_p < ALPHA) != (row.corrected_p < ALPHA):
            verdict = "differ" if row.corrected_p < ALPHA else "do not differ beyond chance"
            print(
                f"- {style.theme_label(row.code, theme_set)}: after correction the municipalities {verdict} "
                f"(raw χ² p = {row.raw_p:.3g}, corrected Wald p = {row.corrected_p:.3g})"
            )
    if changes.empty:
        print("No municipality's difference from the others changes verdict after correction.")
    for row in changes.itertuples():
        print(
            f"- {style.theme_label(row.code, theme_set)}, {row.group} vs the others: {row.change} "
            f"(raw {row.raw_diff:+.1%}, corrected {row.corrected_diff:+.1%} "
            f"[{row.corrected_low:+.1%}, {row.corrected_high:+.1%}], unadjusted 95% interval; "
            f"Holm-adjusted p raw {row.raw_p_adj:.3g}, corrected {row.corrected_p_adj:.3g})"
        )
