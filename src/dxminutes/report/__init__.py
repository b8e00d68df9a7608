"""Stage 4, analyses → report: figure style, charts, export of figures and tables, generated
sentences, notebook execution and the rendered report."""

from __future__ import annotations

from dxminutes._exports import lazy_exports

#: Public name → (module, attribute; None for a module). Each is imported on first use, so importing
#: the package stays cheap and never imports a later stage of the pipeline.
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "run_report": ("dxminutes.report.render", "run_report"),
    "save_figure": ("dxminutes.report.export", "save_figure"),
    "write_table": ("dxminutes.report.export", "write_table"),
    "charts": ("dxminutes.report.charts", None),
    "summaries": ("dxminutes.report.summaries", None),
    "export": ("dxminutes.report.export", None),
    "style": ("dxminutes.report.style", None),
}

__all__ = ["charts", "export", "run_report", "save_figure", "style", "summaries", "write_table"]  # fmt: skip


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
