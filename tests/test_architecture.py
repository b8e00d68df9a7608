"""The package's folders follow the data's path: no module imports a later stage, and no circle.

Stages, in the order the data moves: shared vocabulary (config, schema, _io, normalize) →
corpus → text → analysis → report → the entry points (workspace, cli). The imports are read
with `ast` from the source files, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from dxminutes import config

PACKAGE = config.PACKAGE_DIR
STAGES = {"shared": 0, "corpus": 1, "text": 2, "analysis": 3, "report": 4, "entry": 5}
SHARED = {"config", "schema", "_io", "normalize", "__init__", "_progress", "_exports"}
ENTRY = {"workspace", "cli", "__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "shared"
    head = parts[1]
    if head in STAGES and head not in ("shared", "entry"):
        return head
    if head in ENTRY:
        return "entry"
    assert head in SHARED, f"{module} belongs to no stage: add it to a stage folder or to SHARED/ENTRY"
    return "shared"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "dxminutes"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "dxminutes":
                continue
            for alias in node.names:  # `from dxminutes.report import style` names a module
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _is_module(candidate) else node.module)
    return found


def _is_module(name: str) -> bool:
    rel = Path(*name.split(".")[1:])
    return (PACKAGE / rel).with_suffix(".py").exists() or (PACKAGE / rel / "__init__.py").exists()


def import_graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for path in sorted(PACKAGE.rglob("*.py")):
        source = module_name(path)
        graph.add_node(source)
        for target in imports_of(path):
            if target != source:
                graph.add_edge(source, target)
    return graph


def test_every_module_belongs_to_a_stage_folder():
    top_level = {p.stem for p in PACKAGE.glob("*.py")}
    assert top_level <= SHARED | ENTRY, (
        f"modules outside a stage folder: {sorted(top_level - SHARED - ENTRY)}"
    )
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == {
        "corpus",
        "text",
        "analysis",
        "report",
    }


def test_no_module_imports_a_later_stage():
    later = [
        f"{a} ({stage_of(a)}) imports {b} ({stage_of(b)})"
        for a, b in import_graph().edges
        if STAGES[stage_of(b)] > STAGES[stage_of(a)]
    ]
    assert later == []


def test_no_import_circle():
    assert list(nx.simple_cycles(import_graph())) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from dxminutes.report import style\n", {"dxminutes.report.style"}),
        ("from dxminutes.analysis.themes import load_themes\n", {"dxminutes.analysis.themes"}),
        ("def f():\n    import dxminutes.text.dtm\n", {"dxminutes.text.dtm"}),
    ],
)
def test_the_import_reader_sees_lazy_and_from_imports(tmp_path, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    assert imports_of(path) == expected


def test_a_later_stage_import_would_be_caught():
    graph = nx.DiGraph([("dxminutes.corpus.segment", "dxminutes.analysis.themes")])
    bad = [(a, b) for a, b in graph.edges if STAGES[stage_of(b)] > STAGES[stage_of(a)]]
    assert bad == [("dxminutes.corpus.segment", "dxminutes.analysis.themes")]
