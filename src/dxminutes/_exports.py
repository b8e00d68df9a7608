"""Lazy public names of a package (PEP 562): each is imported from its module on first use.

Every `__init__.py` of the package declares `_EXPORTS` (public name → (module, attribute; None
for a module itself)) and takes its `__getattr__` and `__dir__` from `lazy_exports`, so importing a
package stays cheap and never imports a later stage of the pipeline.
"""

from __future__ import annotations

__all__ = ["lazy_exports"]  # fmt: skip

import importlib
from collections.abc import Callable, Mapping, MutableMapping


def lazy_exports(
    package: str, exports: Mapping[str, tuple[str, str | None]], namespace: MutableMapping[str, object]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The `__getattr__` and `__dir__` of `package`, whose module globals are `namespace`."""

    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attribute = exports[name]
        value = importlib.import_module(module)
        value = getattr(value, attribute) if attribute else value
        namespace[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *namespace.get("__all__", ())})

    return __getattr__, __dir__
