"""The public API: every module declares `__all__`, the packages re-export their entry points
lazily, and every `dxminutes` name that the README and the docs pages use can be imported."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from dxminutes import config

PACKAGE = config.PACKAGE_DIR
PACKAGES = ["dxminutes", "dxminutes.corpus", "dxminutes.text", "dxminutes.analysis", "dxminutes.report"]
DOC_PAGES = [config.PROJECT_DIR / "README.md", *sorted((config.PROJECT_DIR / "docs").rglob("*.md"))]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(_module_name(p) for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")


def _declared_all(path: Path) -> list[str] | None:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return list(ast.literal_eval(node.value))
    return None


@pytest.mark.parametrize("module", MODULES)
def test_every_module_declares_all_and_each_name_exists(module):
    path = PACKAGE.parent.joinpath(*module.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    names = _declared_all(path)
    assert names is not None, f"{path.relative_to(config.PROJECT_DIR)}: no literal __all__ = [...]"
    assert len(names) == len(set(names)), f"{module}.__all__ repeats a name"
    loaded = importlib.import_module(module)
    missing = [n for n in names if not hasattr(loaded, n)]
    assert not missing, f"{module}.__all__ names what the module does not define: {missing}"


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_exports_exactly_its_table_of_entry_points(package):
    loaded = importlib.import_module(package)
    exported = set(loaded._EXPORTS)
    assert set(loaded.__all__) - {"__version__"} == exported
    for name, (module, attribute) in loaded._EXPORTS.items():
        target = importlib.import_module(module)
        expected = getattr(target, attribute) if attribute else target
        assert getattr(loaded, name) is expected, f"{package}.{name} is not {module}.{attribute or ''}"
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        loaded.not_a_name  # noqa: B018


def test_a_subpackage_name_that_is_also_a_module_stays_the_module():
    """`from dxminutes.analysis import keyness` is the module (as the notebooks use it), while the
    top-level `dxminutes.keyness` is the function."""
    import dxminutes
    from dxminutes.analysis import keyness as keyness_module

    assert keyness_module.__name__ == "dxminutes.analysis.keyness"
    assert dxminutes.keyness is keyness_module.keyness
    for package in PACKAGES[1:]:
        loaded = importlib.import_module(package)
        for name, (_module, attribute) in loaded._EXPORTS.items():
            submodule = PACKAGE.joinpath(*package.split(".")[1:], f"{name}.py")
            assert attribute is None or not submodule.exists(), (
                f"{package}.{name} names a function but {name}.py is a module of the package: "
                "importing the module would replace the function"
            )


def test_importing_the_package_stays_cheap():
    """`import dxminutes` (which every `dxminutes.config` import runs) loads no analysis library."""
    code = "import sys, dxminutes; import dxminutes.corpus, dxminutes.analysis; print(sorted(m for m in ('pandas', 'scipy', 'sklearn', 'matplotlib') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


FENCE_RE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n(.*?)^\1\s*$", re.S | re.M)
FROM_LINE_RE = re.compile(r"^\s*from\s+(dxminutes(?:\.\w+)*)\s+import\s+([\w ,]+)$", re.M)
ATTR_RE = re.compile(r"(?<![\w./-])(dxminutes(?:\.\w+)+)")


def _imported(block: str) -> set[str]:
    """`from dxminutes.x import a, b as c` → `dxminutes.x.a`, `dxminutes.x.b` (read with `ast` when
    the block is Python, else line by line)."""
    code = "\n".join(re.sub(r"^(>>>|\.\.\.) ?", "", line) for line in block.splitlines())
    try:
        with warnings.catch_warnings():  # a shell block may hold `\s` and the like
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(code)
    except SyntaxError:
        return {
            f"{module}.{item.split(' as ')[0].strip()}"
            for module, items in FROM_LINE_RE.findall(block)
            for item in items.split(",")
            if item.strip()
        }
    return {
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "dxminutes"
        for alias in node.names
        if alias.name != "*"
    }


def documented_names(text: str) -> set[str]:
    """`dxminutes` dotted names used in the fenced code blocks of a Markdown page: what the
    blocks import from `dxminutes…`, and attribute uses such as `dxminutes.x.y(...)`."""
    names = set()
    for _fence, block in FENCE_RE.findall(text):
        names |= _imported(block)
        for line in block.splitlines():
            if not re.match(r"^\s*(from|import)\s", line):
                names |= {n for n in ATTR_RE.findall(line) if not n.endswith((".py", ".toml", ".csv"))}
    return names


def resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        try:
            for part in parts[split:]:
                value = getattr(value, part)
        except AttributeError:
            return False
        return True
    return False


def test_documented_names_are_found_in_a_page_built_with_a_known_answer():
    page = (
        "text `from dxminutes import nowhere` outside a block\n"
        "```python\nfrom dxminutes import load_corpus, keyness as k\n"
        "from dxminutes.analysis import (\n    kwic,\n    theme_shares,\n)\n"
        "corpus = dxminutes.corpus.load_corpus()\n```\n"
        "```sh\n.venv/bin/python -m dxminutes.cli report\n```\n"
    )
    assert documented_names(page) == {
        "dxminutes.load_corpus",
        "dxminutes.keyness",
        "dxminutes.analysis.kwic",
        "dxminutes.analysis.theme_shares",
        "dxminutes.corpus.load_corpus",
        "dxminutes.cli",
    }
    assert resolves("dxminutes.corpus.load_corpus") and not resolves("dxminutes.corpus.no_such_name")


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda p: p.relative_to(config.PROJECT_DIR).as_posix())
def test_every_name_the_docs_use_can_be_imported(page):
    names = documented_names(page.read_text(encoding="utf-8"))
    broken = sorted(n for n in names if not resolves(n))
    assert not broken, f"{page.relative_to(config.PROJECT_DIR)} uses names that do not import: {broken}"
