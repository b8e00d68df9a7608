"""Stage 4, analyses → report: figure style, charts, export of figures and tables, generated
sentences, notebook execution and the rendered report."""

from __future__ import annotations

import importlib

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


def __getattr__(name: str):
    """Import a public name from its module on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    value = importlib.import_module(module)
    value = getattr(value, attribute) if attribute else value
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
