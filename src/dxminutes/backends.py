"""Morphological-analysis backends behind one small interface.

A backend turns (already normalized) text into `Morpheme`s with IPADIC-style four-level parts of
speech. The default is janome (pure Python, always installed); `get_backend("sudachi")` loads the
optional SudachiPy backend from `dxminutes.backend_sudachi` (the `fast` extra).

Backends are cheap, picklable value objects: the heavy analyzer (janome's `Tokenizer`, which is
neither picklable nor thread-safe) is built lazily, once per process, and kept in a module-level
cache keyed by its settings, so a backend sent to a worker process builds its own analyzer there.
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
from pathlib import Path
from typing import NamedTuple, Protocol, runtime_checkable

from dxminutes import config

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


def file_sha256(path: Path | None) -> str:
    """SHA-256 of a file's bytes, or '' for no file (part of cache and settings keys)."""
    if path is None:
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def pad_pos(fields: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Pad or cut a POS sequence to exactly four levels, filling with '*'."""
    return (tuple(fields) + ("*", "*", "*", "*"))[:4]


_JANOME_CACHE: dict[tuple[str, str], object] = {}


class JanomeBackend:
    """janome with an optional user dictionary in janome's simplified CSV format."""

    name = "janome"

    def __init__(self, userdict_path: Path | None = None):
        self.userdict_path = Path(userdict_path) if userdict_path is not None else None
        self.version = importlib.metadata.version("janome")

    def __repr__(self) -> str:
        udic = config.relpath(self.userdict_path) if self.userdict_path else None
        return f"JanomeBackend(userdict_path={udic!r})"

    def _tokenizer(self):
        udic = str(self.userdict_path) if self.userdict_path is not None else ""
        key = (udic, file_sha256(self.userdict_path) if udic else "")
        tokenizer = _JANOME_CACHE.get(key)
        if tokenizer is None:
            from janome.tokenizer import Tokenizer

            if udic:
                tokenizer = Tokenizer(udic=udic, udic_type="simpledic", udic_enc="utf8")
            else:
                tokenizer = Tokenizer()
            _JANOME_CACHE[key] = tokenizer
        return tokenizer

    def analyze(self, text: str) -> list[Morpheme]:
        out = []
        for tok in self._tokenizer().tokenize(text):
            surface = tok.surface
            pos = tok.part_of_speech
            if pos.startswith(USERDICT_TAG):  # janome pads it to 'カスタム名詞,*,*,*'
                out.append(Morpheme(surface, surface, USERDICT_POS))
                continue
            base = tok.base_form
            out.append(Morpheme(surface, surface if base == "*" else base, tuple(pos.split(","))))
        return out


def get_backend(name: str = "janome", *, userdict_path: Path | None = config.USERDICT_PATH) -> Backend:
    """Return the backend called `name` ('janome' or 'sudachi')."""
    if name == "janome":
        return JanomeBackend(userdict_path)
    if name == "sudachi":
        try:
            module = importlib.import_module("dxminutes.backend_sudachi")
            return module.SudachiBackend(userdict_path=userdict_path)
        except ImportError as exc:
            raise ImportError(
                "the 'sudachi' backend needs SudachiPy and a dictionary: pip install -e .[fast]"
            ) from exc
    raise ValueError(f"unknown tokenizer backend {name!r}; choose 'janome' or 'sudachi'")
