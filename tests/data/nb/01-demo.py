# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # デモ: レポート実行の確認 / Report runner demo
#
# A tiny notebook used only by tests/test_report.py.

# %% tags=["parameters"]
K = 3
MIN_COUNT = 1

# %%
import matplotlib.pyplot as plt
import pandas as pd

from dxminutes import config
from dxminutes.report import export, style

style.setup()
print(f"K={K} MIN_COUNT={MIN_COUNT}")

# %%
table = pd.DataFrame({"municipality": ["流山市", "長崎市"], "share": [1 / 3, 2 / 3]})
path = export.write_table(table, "01-demo-shares")
print("wrote", config.relpath(path, config.REPORTS_DIR))

# %%
fig, ax = plt.subplots(figsize=(4, 3))
ax.bar(table["municipality"], table["share"])
ax.set_title("デモの図")
plt.show()
