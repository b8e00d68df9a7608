"""The backend interface: `Morpheme`, the `Backend` protocol and the IPADIC-style POS helpers."""

from __future__ import annotations

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


def pad_pos(fields: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Pad or cut a POS sequence to exactly four levels, filling with '*'."""
    return ((*tuple(fields), "*", "*", "*", "*"))[:4]
