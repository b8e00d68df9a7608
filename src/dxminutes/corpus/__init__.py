"""Stage 1, raw files → corpus: readers, catalog, dates, places, metadata, cleaning, segmentation,
roles, the build of the corpus tables, and generated corpora for tests and benchmarks."""

from __future__ import annotations

from dxminutes._exports import lazy_exports

#: Public name → (module, attribute; None for a module). Each is imported on first use, so importing
#: the package stays cheap and never imports a later stage of the pipeline.
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "Corpus": ("dxminutes.corpus.build", "Corpus"),
    "load_corpus": ("dxminutes.corpus.build", "load_corpus"),
    "load_document": ("dxminutes.corpus.build", "load_document"),
    "inspect_file": ("dxminutes.corpus.build", "inspect_file"),
    "read_processed": ("dxminutes.corpus.build", "read_processed"),
    "scan_raw": ("dxminutes.corpus.build", "scan_raw"),
    "read_raw": ("dxminutes.corpus.readers", "read_raw"),
    "InputError": ("dxminutes.corpus.readers", "InputError"),
    "read_catalog": ("dxminutes.corpus.catalog", "read_catalog"),
    "parse_date": ("dxminutes.corpus.dates", "parse_date"),
    "DateError": ("dxminutes.corpus.dates", "DateError"),
    "read_structured": ("dxminutes.corpus.structured", "read_structured"),
    "write_corpus_files": ("dxminutes.corpus.synthetic", "write_corpus_files"),
}

__all__ = ["Corpus", "DateError", "InputError", "inspect_file", "load_corpus", "load_document", "parse_date", "read_catalog", "read_processed", "read_raw", "read_structured", "scan_raw", "write_corpus_files"]  # fmt: skip


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
