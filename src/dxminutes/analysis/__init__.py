"""Stage 3, tokens and turns → analyses: grouping, theme coding, statistics, intervals, keyness,
similarity, KWIC, collocations, networks, correspondence analysis, topics and clusters."""

from __future__ import annotations

from dxminutes._exports import lazy_exports

#: Public name → (module, attribute; None for a module). Each is imported on first use, so importing
#: the package stays cheap and never imports a later stage of the pipeline.
_EXPORTS: dict[str, tuple[str, str | None]] = {
    "Codebook": ("dxminutes.analysis.codebook", "Codebook"),
    "load_codebook": ("dxminutes.analysis.codebook", "load_codebook"),
    "code_turns": ("dxminutes.analysis.themes", "code_turns"),
    "code_sentences": ("dxminutes.analysis.themes", "code_sentences"),
    "theme_hits": ("dxminutes.analysis.themes", "theme_hits"),
    "theme_shares": ("dxminutes.analysis.theme_stats", "theme_shares"),
    "theme_by_group_tests": ("dxminutes.analysis.theme_stats", "theme_by_group_tests"),
    "clustered_theme_tests": ("dxminutes.analysis.theme_stats", "clustered_theme_tests"),
    "keyness": ("dxminutes.analysis.keyness", None),
    "keyness_within_themes": ("dxminutes.analysis.keyness", "keyness_within_themes"),
    "kwic": ("dxminutes.analysis.kwic", None),
    "evidence_quotes": ("dxminutes.analysis.kwic", "evidence_quotes"),
    "collocations": ("dxminutes.analysis.collocations", None),
    "cooccurrence": ("dxminutes.analysis.network", "cooccurrence"),
    "network_for": ("dxminutes.analysis.network", "network_for"),
    "group_similarity": ("dxminutes.analysis.similarity", "group_similarity"),
    "correspondence_analysis": ("dxminutes.analysis.correspondence", "correspondence_analysis"),
    "fit_topics": ("dxminutes.analysis.topics", "fit_topics"),
    "select_k": ("dxminutes.analysis.topics", "select_k"),
    "cluster_turns": ("dxminutes.analysis.clusters", "cluster_turns"),
    "frame_profiles": ("dxminutes.analysis.frame_stats", "frame_profiles"),
    "validity_table": ("dxminutes.analysis.validity", "validity_table"),
    "draw_sample": ("dxminutes.analysis.sampling", "draw_sample"),
    "read_labels": ("dxminutes.analysis.labels", "read_labels"),
    "corrected_shares": ("dxminutes.analysis.correction", "corrected_shares"),
    "corrected_differences": ("dxminutes.analysis.correction", "corrected_differences"),
}

__all__ = ["Codebook", "cluster_turns", "clustered_theme_tests", "code_sentences", "code_turns", "collocations", "cooccurrence", "corrected_differences", "corrected_shares", "correspondence_analysis", "draw_sample", "evidence_quotes", "fit_topics", "frame_profiles", "group_similarity", "keyness", "keyness_within_themes", "kwic", "load_codebook", "network_for", "read_labels", "select_k", "theme_by_group_tests", "theme_hits", "theme_shares", "validity_table"]  # fmt: skip


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
