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
# # 01 · Corpus overview: what the minutes are, and what cleaning did to them
#
# **Question.** Which minutes are in the corpus, who speaks in them, and can we trust the text
# that the later notebooks analyse?
#
# **Inputs.** `data/raw/` (the minutes and `catalog.csv`), through `dxminutes.workspace.prepare`,
# which builds or reads `data/processed/{documents,turns,non_speech,cleaning,tokens}.parquet`.
#
# **Outputs.** `reports/tables/documents.csv`, `loading-problems.csv`, `turns-by-role.csv`, `cleaning-report.csv`;
# figures `01-turns-by-role` and `01-characters-by-municipality` (PNG, SVG and CSV).

# %% tags=["parameters"]
# Folders and the theme file come from dxminutes.config; `make report DATA=… THEMES=…` sets them.
N_JOBS = None  # None: config.N_JOBS

# %%
import matplotlib.pyplot as plt

from dxminutes import workspace
from dxminutes.analysis import guards
from dxminutes.report import charts, export, summaries

ws = workspace.start(n_jobs=N_JOBS, max_colwidth=80)
documents, turns, colors = ws.documents, ws.turns, ws.colors

# %% [markdown]
# ## The documents and their metadata
#
# One row per file. `*_source` says whether a value came from `catalog.csv` or was read from the
# text itself (municipality, body, meeting title, and the date the meeting was held, parsed from
# era dates such as 令和6年7月17日).

# %%
doc_cols = [
    "doc_id",
    "municipality",
    "prefecture",
    "body",
    "meeting_title",
    "meeting_date",
    "record_kind",
    "format",
    "encoding",
    "n_chars",
    "n_turns",
    "n_non_speech",
    "segmented",
]
export.write_table(documents[doc_cols], "documents")
documents[doc_cols]

# %% [markdown]
# ## Files that could not be loaded, copies, and warnings
#
# The same list as the landing page: files that could not be read (with the reason), documents
# left out because they copy another one (kept once), and the loader's warnings (a municipality or
# date not found, speaker marks lost, a file loaded without speaker turns …). Each warning's fix is
# in the README's troubleshooting table.

# %%
problems = summaries.loading_problems(ws.corpus)
export.write_table(problems, "loading-problems")
print(
    f"{(problems['kind'] == 'failure').sum()} file(s) not loaded, {(problems['kind'] == 'duplicate').sum()} "
    f"duplicate document(s) left out, {(problems['kind'] == 'warning').sum()} warning(s)"
)
problems

# %% [markdown]
# ## Who speaks: turns and characters by municipality and role
#
# Roles are `chair`, `vice_chair`, `member`, `official` (secretariat or executive answering),
# `expert` (lecturer, advisor) and `unknown` (a speaker mark lost in extraction, or a document
# loaded without speaker turns).

# %%
if reason := guards.unsegmented(documents):
    print(reason)
by_role = summaries.turns_by_role(turns)
export.write_table(by_role, "turns-by-role")
fig, ax = plt.subplots(figsize=(8, 4.5))
charts.stacked_counts(
    by_role,
    by="municipality",
    stack="role",
    value="turns",
    ax=ax,
    title="発言ターン数（自治体×役割） / Speaker turns by municipality and role",
)
ax.set_xlabel("ターン数 / turns")
export.save_figure(fig, "01-turns-by-role", by_role)

# %%
chars = summaries.turns_by_role(turns, value="n_chars")
fig, ax = plt.subplots(figsize=(8, 4.5))
charts.stacked_counts(
    chars,
    by="municipality",
    stack="role",
    value="n_chars",
    ax=ax,
    title="発言の文字数（自治体×役割） / Characters spoken by municipality and role",
)
ax.set_xlabel("文字数 / characters")
export.save_figure(fig, "01-characters-by-municipality", chars)

# %% [markdown]
# ## Speakers
#
# Speaker names are normalized (variant kanji such as 髙 → 高, spaces inside names removed), so
# one person spelled two ways counts once.

# %%
speakers = summaries.speaker_table(turns)
export.write_table(speakers, "speakers")
speakers.head(30)

# %% [markdown]
# ## Cleaning audit
#
# Every cleaning step is a small function; the report records, per document and step, how many
# changes it made and one before/after example. Nothing in `data/raw/` is ever modified.

# %%
cleaning = ws.corpus.cleaning
export.write_table(cleaning, "cleaning-report")
summaries.cleaning_audit(cleaning)

# %%
summaries.cleaning_examples(cleaning)

# %% [markdown]
# ## Non-speech parts
#
# Header material (attendance, agenda, metadata tables), rosters and stage notes such as
# `～委員からの意見無し～` are kept apart from speech, not dropped.

# %%
non_speech = ws.corpus.non_speech.merge(documents[["doc_id", "municipality"]], on="doc_id")
non_speech.groupby(["municipality", "kind"]).size().unstack(fill_value=0)

# %%
non_speech[non_speech["kind"] == "stage_note"][["municipality", "text"]].head(12)

# %% [markdown]
# ## Caveats: what this corpus can support
#
# The cells below state the facts that limit every comparison in the later notebooks.

# %%
for sentence in summaries.describe_caveats(documents, turns):
    print("-", sentence)
