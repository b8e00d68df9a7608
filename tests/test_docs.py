"""The documentation: docs/architecture.md lists every module, the site's navigation names pages
that exist, the site is configured to build offline, and the README stays short."""

from __future__ import annotations

import re

import pytest

from dxminutes import config

DOCS = config.PROJECT_DIR / "docs"
ARCHITECTURE = DOCS / "architecture.md"
MKDOCS = config.PROJECT_DIR / "mkdocs.yml"
ENTRY_RE = re.compile(r"^(?P<indent> *)(?P<name>[A-Za-z_][\w]*)(?P<kind>/|\.py)?(?: {1,}\S|$)")


def listed_modules(text: str) -> set[str]:
    """Module paths (`corpus/readers`, `text/backends/mecab`, `config`) of the first code block of
    an architecture page: a tree of `folder/` lines and module lines, nested by indentation (two
    spaces a level) under a first line naming the package folder. A line whose indentation is
    not a whole level (a description carried on) is skipped."""
    block = re.search(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    assert block, "no code block with the module tree"
    lines = block.group(1).splitlines()[1:]  # the first line is the package folder itself
    folders: list[str] = []
    found = set()
    for line in lines:
        match = ENTRY_RE.match(line)
        if not match or len(match["indent"]) % 2 or not match["indent"]:
            continue
        level = len(match["indent"]) // 2 - 1
        if level > len(folders):
            continue  # deeper than any open folder: a carried-on description
        folders = folders[:level]
        if match["kind"] == "/":
            folders.append(match["name"])
        else:
            found.add("/".join([*folders, match["name"]]))
    return found


def package_modules() -> set[str]:
    return {
        p.relative_to(config.PACKAGE_DIR).with_suffix("").as_posix()
        for p in config.PACKAGE_DIR.rglob("*.py")
        if p.name != "__init__.py"
    }


def test_the_tree_parser_reads_a_tree_with_a_known_answer():
    page = (
        "```\nsrc/pkg/\n  config.py      paths\n                 (carried on)\n"
        "  corpus/        stage 1\n    readers      bytes → text\n"
        "  text/\n    backends/    analyzers\n      mecab      MeCab\n    dtm          matrices\n"
        "  cli.py         commands\n```\n"
    )
    assert listed_modules(page) == {"config", "corpus/readers", "text/backends/mecab", "text/dtm", "cli"}


def test_architecture_lists_every_module_and_no_other():
    listed = listed_modules(ARCHITECTURE.read_text(encoding="utf-8"))
    actual = package_modules()
    assert not actual - listed, f"docs/architecture.md does not list: {sorted(actual - listed)}"
    assert not listed - actual, (
        f"docs/architecture.md lists modules that do not exist: {sorted(listed - actual)}"
    )


def _nav_pages(text: str) -> list[str]:
    return re.findall(r"^\s*- (?:[^:\n]+: )?([\w./-]+\.(?:md|ipynb))\s*$", text, re.M)


def test_every_page_of_the_navigation_exists():
    text = MKDOCS.read_text(encoding="utf-8")
    pages = _nav_pages(text)
    assert "index.md" in pages and "architecture.md" in pages
    missing = [
        page
        for page in pages
        if not (DOCS / page).exists()
        and not (config.PROJECT_DIR / page).exists()  # notebooks: added by the hook
    ]
    assert not missing, f"mkdocs.yml names pages that do not exist: {missing}"


def test_every_rendered_notebook_is_in_the_navigation():
    pages = set(_nav_pages(MKDOCS.read_text(encoding="utf-8")))
    notebooks = {f"notebooks/{p.name}" for p in config.NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")}
    assert notebooks and notebooks <= pages, f"not in the site's navigation: {sorted(notebooks - pages)}"


def test_the_site_builds_offline_and_strict():
    text = MKDOCS.read_text(encoding="utf-8")
    assert re.search(r"^\s*font: false", text, re.M), "Material must not load web fonts"
    assert re.search(r"^strict: true", text, re.M)
    assert "google_analytics" not in text and "analytics:" not in text
    assert not re.search(r"^\s*- privacy", text, re.M), "the privacy plugin downloads assets at build time"
    makefile = (config.PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^docs:.*\n\t.*mkdocs build --strict", makefile, re.M)
    assert "make docs" in (config.PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.md")), ids=lambda p: p.relative_to(DOCS).as_posix())
def test_reference_pages_name_modules_that_exist(page):
    import importlib

    for name in re.findall(r"^::: ([\w.]+)", page.read_text(encoding="utf-8"), re.M):
        importlib.import_module(name)


def test_the_readme_stays_short():
    lines = (config.PROJECT_DIR / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 200, f"README.md has {lines} lines; move detail into docs/"


def test_every_guide_page_is_linked_from_the_readme():
    readme = (config.PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[\w./-]+\.md)\)", readme))
    guide = {p.relative_to(config.PROJECT_DIR).as_posix() for p in (DOCS / "guide").glob("*.md")}
    assert guide <= linked, f"guide pages the README does not link: {sorted(guide - linked)}"
    assert all((config.PROJECT_DIR / link).exists() for link in linked), "the README links a missing page"


def test_a_link_that_leaves_docs_resolves_against_the_repository():
    """docs/hooks.py: a link to a repository file the site holds points at it; to one it does not
    hold, it becomes the file's path as code; web links and anchors stay as written."""
    import importlib.util
    from types import SimpleNamespace

    from mkdocs.structure.files import File, Files

    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    files = Files(
        [
            File("guide/x.md", str(DOCS), "/nowhere/site", True),
            File("benchmarks/RESULTS.md", str(config.PROJECT_DIR), "/nowhere/site", True),
        ]
    )
    page = SimpleNamespace(
        file=SimpleNamespace(abs_src_path=str(DOCS / "guide" / "x.md"), src_uri="guide/x.md")
    )
    markdown = "[r](../../benchmarks/RESULTS.md#a) [t](../../tests/test_docs.py) [w](https://e.org/a) [s](x.md) [h](#h)"
    assert hooks.on_page_markdown(markdown, page, {}, files) == (
        "[r](../benchmarks/RESULTS.md#a) t (`tests/test_docs.py`) [w](https://e.org/a) [s](x.md) [h](#h)"
    )
