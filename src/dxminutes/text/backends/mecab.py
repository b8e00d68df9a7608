"""MeCab backend through fugashi with the IPADIC dictionary (optional extra: ``pip install -e .[mecab]``).

janome is a pure-Python port of MeCab that ships IPADIC, so MeCab with IPADIC (the ``ipadic``
package, dictionary files inside the wheel; nothing is downloaded) gives the same kind of
analysis, IPADIC's own four-level parts of speech included, at C speed: no POS mapping is needed,
and the tokenizer's POS filter, compound rule and stopwords apply unchanged.

Two differences from janome are bridged here:

- MeCab skips whitespace, janome emits it as a ``記号,空白`` morpheme. Whitespace runs are cut out
  before analysis and emitted as one ``記号,空白`` morpheme each, so a space still ends a compound
  run as it does with janome.
- janome's dictionary has a few entries MeCab's IPADIC 2.7.0 lacks (``令和``) and treats some
  half-width symbols as unknown nouns; those words come out differently. The theme coding works on
  the text and is the same whatever the backend; token-based results differ slightly
  (benchmarks/RESULTS.md compares the backends).

User terms are applied before analysis by `analyze_columns_with_user_terms`, exactly as for the
other backends. The tagger is not picklable: it is created lazily once per process, and the
backend object pickles without it.
"""

from __future__ import annotations

__all__ = ["MAX_CHUNK_CHARS", "SPACE_POS", "MecabBackend"]

import re
from functools import cache
from pathlib import Path

from dxminutes import config
from dxminutes.text.backends.base import Morpheme, MorphemeColumns, chunks, distribution_versions
from dxminutes.text.backends.userdict import (
    analyze_columns_with_user_terms,
    read_user_terms,
    user_term_pattern,
)

#: The POS janome gives a whitespace run.
SPACE_POS = "記号,空白,*,*"
_WHITESPACE = re.compile(r"(\s+)")
#: MeCab's lattice grows with the input: longer pieces are cut at sentence ends (`base.chunks`).
MAX_CHUNK_CHARS = 2000


@cache
def _tagger():
    """The per-process MeCab tagger on the IPADIC of the ``ipadic`` package."""
    try:
        import fugashi
        import ipadic
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ImportError("the 'mecab' backend needs fugashi and ipadic: pip install -e .[mecab]") from exc
    return fugashi.GenericTagger(ipadic.MECAB_ARGS)


class MecabBackend:
    """MeCab (fugashi) with IPADIC: janome's analysis at C speed, with the project's user terms."""

    name = "mecab"

    def __init__(self, *, userdict_path: Path | None = config.USERDICT_PATH):
        self.userdict_path = Path(userdict_path) if userdict_path is not None else None
        self.user_terms = dict(read_user_terms(self.userdict_path))
        self.version = distribution_versions("fugashi", "ipadic")

    def __repr__(self) -> str:
        udic = config.relpath(self.userdict_path) if self.userdict_path else None
        return f"MecabBackend(userdict_path={udic!r})"

    def analyze(self, text: str) -> list[Morpheme]:
        """Morphemes of `text` (already normalized by the tokenizer), user terms whole."""
        return self.analyze_columns(text).morphemes()

    def analyze_columns(self, text: str) -> MorphemeColumns:
        """`analyze` as three lists (the fast path; the same morphemes)."""
        return analyze_columns_with_user_terms(
            text, self.user_terms, user_term_pattern(tuple(self.user_terms)), self._columns_plain
        )

    def _columns_plain(self, text: str, out: MorphemeColumns) -> None:
        parse = _tagger().parse
        add_surface, add_base, add_pos = out.surface.append, out.base.append, out.pos.append
        for run in _WHITESPACE.split(text):
            if not run:
                continue
            if run[0].isspace():
                add_surface(run)
                add_base(run)
                add_pos(SPACE_POS)
                continue
            for piece in chunks(run, MAX_CHUNK_CHARS):
                # one line per morpheme, "surface<TAB>pos1,pos2,pos3,pos4,type,form,base[,reading,…]",
                # then "EOS"
                for line in parse(piece).split("\n")[:-1]:
                    surface, _, feature = line.partition("\t")
                    fields = feature.split(",", 7)
                    base = fields[6] if len(fields) > 6 else "*"
                    add_surface(surface)
                    add_base(surface if base == "*" else base)
                    add_pos(",".join(fields[:4]))
