"""An in-notebook labeller for the CSV labelling sheet (`report.labelsheet`), with ipywidgets.

    from dxminutes.report.labeller import Labeller
    Labeller("build/labels/mycorpus/sample-sentence-n200-seed20240717.csv", coder="hanako").show()

shows one unit at a time: its municipality, body, date and speaker, the context before, the unit
in bold, the context after, and one 0/1 toggle per code (blank = not yet labelled), with Back,
Next and "Next unlabelled". Every change is saved at once to the CSV, atomically (a temporary
file moved in place), so a closed browser tab loses nothing; the sheet stays a plain labelling
sheet that `analysis.labels.read_labels` reads once it is put into `<DATA>/labels/`.

The state and the saving are plain Python (`set_label`, `next`, `back`, `save`), so they are
tested without a browser; `show()` only builds the widgets on top of them.
"""

from __future__ import annotations

import html
from os import PathLike
from pathlib import Path

import pandas as pd

from dxminutes._io import atomic_write
from dxminutes.analysis import labels as labels_mod

#: Toggle values: '' is "not labelled".
CHOICES = ("", "0", "1")


class Labeller:
    """Label the units of one CSV labelling sheet (see the module docstring)."""

    def __init__(self, sheet_path: str | PathLike, *, coder: str | None = None):
        self.path = Path(sheet_path)
        if self.path.suffix.lower() != ".csv":
            raise ValueError(
                f"{self.path.name}: the labeller edits the CSV sheet (the .csv beside the .xlsx)"
            )
        table = pd.read_csv(self.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        if "unit_id" not in table.columns:
            raise ValueError(f"{self.path.name}: no 'unit_id' column; not a labelling sheet")
        self.table = table
        self.codes = [
            c for c in table.columns if c not in labels_mod.KNOWN_COLUMNS and labels_mod.CODE_RE.fullmatch(c)
        ]
        if not self.codes:
            raise ValueError(f"{self.path.name}: no code column")
        for code in self.codes:
            bad = ~table[code].isin(CHOICES)
            if bad.any():
                row = int(bad.idxmax())
                raise ValueError(
                    f"{self.path.name}: row {row + 2}, column {code!r}: value {table.at[row, code]!r} is not 0, 1 or blank"
                )
        if "coder" not in table.columns:
            self.table["coder"] = ""
        self.coder = coder
        self.position = 0
        self._widgets = None

    # ------------------------------------------------------------------ state
    def __len__(self) -> int:
        return len(self.table)

    @property
    def unit(self) -> pd.Series:
        """The row of the unit shown now."""
        return self.table.iloc[self.position]

    def label(self, code: str, position: int | None = None) -> str:
        return str(self.table.at[self.position if position is None else position, code])

    def set_label(self, code: str, value: str | int | None) -> None:
        """Set the current unit's label for `code` to 0, 1 or '' (not labelled) and save."""
        if code not in self.codes:
            raise KeyError(f"no code {code!r} in {self.path.name}")
        value = "" if value is None else str(value)
        if value not in CHOICES:
            raise ValueError(f"a label is 0, 1 or blank, got {value!r}")
        self.table.at[self.position, code] = value
        if self.coder and not self.table.at[self.position, "coder"]:
            self.table.at[self.position, "coder"] = self.coder
        self.save()

    def is_labelled(self, position: int | None = None) -> bool:
        """Whether every code of the unit has a 0 or 1."""
        row = self.table.iloc[self.position if position is None else position]
        return all(row[c] in ("0", "1") for c in self.codes)

    @property
    def n_labelled(self) -> int:
        return sum(self.is_labelled(i) for i in range(len(self)))

    def go(self, position: int) -> None:
        self.position = max(0, min(len(self) - 1, int(position)))
        self._refresh()

    def next(self) -> None:
        self.go(self.position + 1)

    def back(self) -> None:
        self.go(self.position - 1)

    def next_unlabelled(self) -> None:
        """Go to the first unit after this one (wrapping round) that is not fully labelled."""
        for step in range(1, len(self) + 1):
            candidate = (self.position + step) % len(self)
            if not self.is_labelled(candidate):
                self.go(candidate)
                return

    def save(self) -> Path:
        """Write the sheet atomically, as the sheet writer does (UTF-8 with BOM)."""
        table = self.table
        return atomic_write(
            self.path, lambda p: table.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n")
        )

    # ------------------------------------------------------------------ widgets
    def header_html(self) -> str:
        """The shown unit as HTML: where it is from, context before, the unit in bold, context after."""
        row = self.unit
        where = " · ".join(
            html.escape(str(row.get(c, "")))
            for c in ("municipality", "body", "date", "speaker", "role")
            if row.get(c, "")
        )
        return (
            f"<div><small>{self.position + 1} / {len(self)} · {self.n_labelled} labelled · "
            f"{html.escape(str(row['unit_id']))}</small></div>"
            f"<div><small>{where}</small></div>"
            f"<div style='color:#666'>{html.escape(str(row.get('context_before', '')))}</div>"
            f"<div style='font-weight:bold;font-size:110%;margin:0.4em 0'>"
            f"{html.escape(str(row.get('unit_text', '')))}</div>"
            f"<div style='color:#666'>{html.escape(str(row.get('context_after', '')))}</div>"
        )

    def show(self):
        """Build and display the widgets (in JupyterLab); returns the container."""
        import ipywidgets as widgets
        from IPython.display import display

        head = widgets.HTML()
        toggles = {
            code: widgets.ToggleButtons(
                options=[("–", ""), ("0", "0"), ("1", "1")],
                description=code,
                style={"description_width": "14em"},
            )
            for code in self.codes
        }
        back = widgets.Button(description="◀ Back")
        forward = widgets.Button(description="Next ▶")
        skip = widgets.Button(description="Next unlabelled ▶▶")
        back.on_click(lambda _: self.back())
        forward.on_click(lambda _: self.next())
        skip.on_click(lambda _: self.next_unlabelled())
        for code, toggle in toggles.items():
            toggle.observe(lambda change, code=code: self._on_toggle(code, change), names="value")
        self._widgets = (head, toggles)
        self._refresh()
        box = widgets.VBox([head, *toggles.values(), widgets.HBox([back, forward, skip])])
        display(box)
        return box

    def _on_toggle(self, code: str, change) -> None:
        if self._updating:
            return
        self.set_label(code, change["new"])
        self._widgets[0].value = self.header_html()

    _updating = False

    def _refresh(self) -> None:
        if self._widgets is None:
            return
        head, toggles = self._widgets
        self._updating = True
        try:
            head.value = self.header_html()
            for code, toggle in toggles.items():
                toggle.value = self.label(code)
        finally:
            self._updating = False
