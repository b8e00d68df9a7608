"""Stage 2, corpus → tokens: normalization-aware tokenizer, backends, the token table and its cache,
document-term matrices, sentences, and the Dask path."""

from __future__ import annotations

from dxminutes._exports import lazy_exports

#: Public name → (module, attribute; None for a module). Each is imported on first use, so importing
#: the package stays cheap and never imports a later stage of the pipeline.
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "JapaneseTokenizer": ("dxminutes.text.tokenizer", "JapaneseTokenizer"),
    "tokenize_turns": ("dxminutes.text.token_table", "tokenize_turns"),
    "build_token_table": ("dxminutes.text.token_table", "build_token_table"),
    "get_backend": ("dxminutes.text.backends", "get_backend"),
    "count_matrix": ("dxminutes.text.dtm", "count_matrix"),
    "tfidf_matrix": ("dxminutes.text.dtm", "tfidf_matrix"),
    "term_counts": ("dxminutes.text.dtm", "term_counts"),
    "split_sentences": ("dxminutes.text.sentences", "split_sentences"),
    "sentence_table": ("dxminutes.text.sentences", "sentence_table"),
}

__all__ = ["JapaneseTokenizer", "build_token_table", "count_matrix", "get_backend", "sentence_table", "split_sentences", "term_counts", "tfidf_matrix", "tokenize_turns"]  # fmt: skip


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
