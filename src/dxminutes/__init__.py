"""dxminutes: compare how Japanese municipalities frame digital transformation in their minutes.

The entry points a user needs are importable from here (`from dxminutes import load_corpus`);
everything else lives in the stage subpackages `corpus`, `text`, `analysis` and `report`.
"""

from __future__ import annotations

from dxminutes._exports import lazy_exports

__version__ = "0.1.0"

#: Public name → (module, attribute; None for a module). Each is imported on first use, so importing
#: the package stays cheap and never imports a later stage of the pipeline.
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "Corpus": ("dxminutes.corpus.build", "Corpus"),
    "load_corpus": ("dxminutes.corpus.build", "load_corpus"),
    "JapaneseTokenizer": ("dxminutes.text.tokenizer", "JapaneseTokenizer"),
    "tokenize_turns": ("dxminutes.text.token_table", "tokenize_turns"),
    "load_codebook": ("dxminutes.analysis.codebook", "load_codebook"),
    "code_turns": ("dxminutes.analysis.themes", "code_turns"),
    "code_sentences": ("dxminutes.analysis.themes", "code_sentences"),
    "theme_shares": ("dxminutes.analysis.theme_stats", "theme_shares"),
    "keyness": ("dxminutes.analysis.keyness", "keyness"),
    "kwic": ("dxminutes.analysis.kwic", "kwic"),
    "collocations": ("dxminutes.analysis.collocations", "collocations"),
    "cooccurrence": ("dxminutes.analysis.network", "cooccurrence"),
    "fit_topics": ("dxminutes.analysis.topics", "fit_topics"),
    "run_report": ("dxminutes.report.render", "run_report"),
    "Workspace": ("dxminutes.workspace", "Workspace"),
    "workspace": ("dxminutes.workspace", None),
}

__all__ = ["Corpus", "JapaneseTokenizer", "Workspace", "__version__", "code_sentences", "code_turns", "collocations", "cooccurrence", "fit_topics", "keyness", "kwic", "load_codebook", "load_corpus", "run_report", "theme_shares", "tokenize_turns", "workspace"]  # fmt: skip


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
