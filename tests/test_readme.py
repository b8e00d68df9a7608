"""The README's Python examples run as written (each block in a fresh namespace, in order)."""

from __future__ import annotations

import re

import pytest

from dxminutes import config

README = config.PROJECT_DIR / "README.md"
BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.M | re.S)


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 1


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index):
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict = {"__name__": f"readme_example_{index}"}
    exec(compile(BLOCKS[index], f"README.md python block {index + 1}", "exec"), namespace)
