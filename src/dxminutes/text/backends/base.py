"""The backend interface: `Morpheme`, the `Backend` protocol and the IPADIC-style POS helpers."""

from __future__ import annotations

__all__ = ["USERDICT_POS", "USERDICT_TAG", "Backend", "Morpheme", "MorphemeColumns", "chunks", "distribution_versions", "pad_pos"]  # fmt: skip

import importlib.metadata
import re
from typing import NamedTuple, Protocol, runtime_checkable

#: The part-of-speech label of user-dictionary entries in janome's simplified format
#: (`surface,カスタム名詞,reading`).
USERDICT_TAG = "カスタム名詞"
#: The IPADIC-style POS that user-dictionary terms get in `Morpheme.pos`, whatever the backend.
USERDICT_POS = ("名詞", "固有名詞", "ユーザー辞書", "*")


class Morpheme(NamedTuple):
    surface: str
    base: str  # dictionary form; the surface when the analyzer gives none ('*')
    pos: tuple[str, ...]  # IPADIC-style, 4 levels, e.g. ('名詞', '数', '*', '*')


@runtime_checkable
class Backend(Protocol):
    name: str
    version: str

    def analyze(self, text: str) -> list[Morpheme]: ...


def distribution_versions(*dists: str) -> str:
    """ "name-version+name-version" of installed distributions ("missing" for one not installed):
    the analyzer part of a backend's `version`, and so of the token cache key."""

    def version(dist: str) -> str:
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            return "missing"

    return "+".join(f"{dist}-{version(dist)}" for dist in dists)


def chunks(text: str, max_chars: int) -> list[str]:
    """`text` cut into pieces of at most `max_chars` characters, at line and sentence ends where
    possible (analyzers refuse very long inputs, and their lattices slow down on them); joined,
    the pieces give `text` back."""
    if len(text) <= max_chars:
        return [text]
    pieces, current = [], ""
    for part in re.split(r"(?<=[\n。])", text):
        while len(part) > max_chars:
            pieces.append(part[:max_chars])
            part = part[max_chars:]
        if len(current) + len(part) > max_chars:
            pieces.append(current)
            current = ""
        current += part
    return [p for p in [*pieces, current] if p]


def pad_pos(fields: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Pad or cut a POS sequence to exactly four levels, filling with '*'."""
    return ((*tuple(fields), "*", "*", "*", "*"))[:4]


class MorphemeColumns(NamedTuple):
    """Morphemes as three parallel lists; `pos` holds comma-joined four-level POS strings.

    The fast path of every backend (`analyze_columns`): no object per morpheme, and the lists
    go straight into the cache table and the array term filter.
    """

    surface: list[str]
    base: list[str]
    pos: list[str]

    @classmethod
    def empty(cls) -> MorphemeColumns:
        return cls([], [], [])

    @classmethod
    def from_morphemes(cls, morphemes: list[Morpheme]) -> MorphemeColumns:
        return cls(
            [m.surface for m in morphemes], [m.base for m in morphemes], [",".join(m.pos) for m in morphemes]
        )

    def morphemes(self) -> list[Morpheme]:
        return [Morpheme(s, b, tuple(p.split(","))) for s, b, p in zip(self.surface, self.base, self.pos)]
