"""Morphological-analysis backends behind one small interface.

A backend turns (already normalized) text into `Morpheme`s with IPADIC-style four-level parts of
speech. The default is janome (pure Python, always installed); `get_backend("sudachi")` loads the
optional SudachiPy backend from `dxminutes.text.backends.sudachi` (the `fast` extra) and
`get_backend("mecab")` MeCab with IPADIC through fugashi (`dxminutes.text.backends.mecab`, the
`mecab` extra: janome's own dictionary and POS at C speed).

Backends are cheap, picklable value objects: the heavy analyzer (janome's `Tokenizer`, which is
neither picklable nor thread-safe) is built lazily, once per process, and kept in a module-level
cache keyed by its settings, so a backend sent to a worker process builds its own analyzer there.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from dxminutes import config
from dxminutes.text.backends.base import USERDICT_POS, Backend, Morpheme, MorphemeColumns
from dxminutes.text.backends.janome import JanomeBackend

__all__ = [
    "USERDICT_POS",
    "Backend",
    "JanomeBackend",
    "Morpheme",
    "MorphemeColumns",
    "analyze_columns",
    "get_backend",
]


def get_backend(name: str = "janome", *, userdict_path: Path | None = config.USERDICT_PATH) -> Backend:
    """Return the backend called `name`: 'janome', 'sudachi' or 'mecab'."""
    if name == "janome":
        return JanomeBackend(userdict_path)
    if name in _OPTIONAL:
        module_name, class_name, extra, needs = _OPTIONAL[name]
        try:
            module = importlib.import_module(module_name)
            return getattr(module, class_name)(userdict_path=userdict_path)
        except ImportError as exc:
            raise ImportError(f"the {name!r} backend needs {needs}: pip install -e .[{extra}]") from exc
    raise ValueError(f"unknown tokenizer backend {name!r}; choose 'janome', 'sudachi' or 'mecab'")


#: The optional backends: module, class, the extra that installs them, what they need.
_OPTIONAL = {
    "sudachi": ("dxminutes.text.backends.sudachi", "SudachiBackend", "fast", "SudachiPy and a dictionary"),
    "mecab": ("dxminutes.text.backends.mecab", "MecabBackend", "mecab", "fugashi and ipadic"),
}


def analyze_columns(backend: Backend, text: str) -> MorphemeColumns:
    """The backend's `analyze_columns` when it has one, else its `analyze` as columns."""
    fast = getattr(backend, "analyze_columns", None)
    return fast(text) if fast is not None else MorphemeColumns.from_morphemes(backend.analyze(text))
