"""The janome backend (pure Python, always installed): the default analyzer."""

from __future__ import annotations

__all__ = ["JanomeBackend"]

import importlib.metadata
from pathlib import Path

from dxminutes import config
from dxminutes.text.backends.base import Morpheme, MorphemeColumns
from dxminutes.text.backends.userdict import (
    analyze_columns_with_user_terms,
    read_user_terms,
    user_term_pattern,
)

_JANOME: list = []  # the per-process janome Tokenizer, built on first use


def _janome_tokenizer():
    if not _JANOME:
        from janome.tokenizer import Tokenizer

        _JANOME.append(Tokenizer())
    return _JANOME[0]


class JanomeBackend:
    """janome, with the user dictionary (janome's simplified CSV format) applied by
    `analyze_columns_with_user_terms` rather than by janome itself (the same terms, 30% faster)."""

    name = "janome"

    def __init__(self, userdict_path: Path | None = None):
        self.userdict_path = Path(userdict_path) if userdict_path is not None else None
        self.user_terms = dict(read_user_terms(self.userdict_path))
        # "+userterms": analyses differ from janome's own user dictionary, so the cache key does
        self.version = importlib.metadata.version("janome") + "+userterms"

    def __repr__(self) -> str:
        udic = config.relpath(self.userdict_path) if self.userdict_path else None
        return f"JanomeBackend(userdict_path={udic!r})"

    def analyze(self, text: str) -> list[Morpheme]:
        """The morphemes of `text`, user terms whole (the objects of `analyze_columns`)."""
        return self.analyze_columns(text).morphemes()

    def _columns_plain(self, text: str, out: MorphemeColumns) -> None:
        surface, base_, pos = out.surface.append, out.base.append, out.pos.append
        for tok in _janome_tokenizer().tokenize(text):
            s, b = tok.surface, tok.base_form
            surface(s)
            base_(s if b == "*" else b)
            pos(tok.part_of_speech)

    def analyze_columns(self, text: str) -> MorphemeColumns:
        """`analyze` as three lists (the fast path; the same morphemes)."""
        return analyze_columns_with_user_terms(
            text, self.user_terms, user_term_pattern(tuple(self.user_terms)), self._columns_plain
        )
