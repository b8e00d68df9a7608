"""Every command and every Python example of the README and of the docs pages works as written.

The pages (`PAGES`): README.md and the docs pages that hold what the README used to (the user
guide, performance, contributing, the public API); each is read the same way.

What is extracted (`readme_commands`, `readme_python_examples`):
- shell commands: each line of a ```sh / ```bash / ```console / ```shell (or untagged) fenced block
  that starts with a command word, each indented code line outside fences that does, and each
  inline code span of the prose that does (`make …`, `.venv/bin/…`, `python …`, `pip …`, …);
- Python examples: every ```python block, and every prose snippet that starts with an import of
  dxminutes (`from dxminutes… import …; …`) together with the complete statements in code spans
  after it in the same paragraph ("then e.g. `ax = charts.theme_shares(shares)` and `…`").

How they run, in a scratch copy of the repository (the tracked files, with `.venv` linked to the
environment running the tests; nothing is activated, `PATH` holds no environment, `PYTHONPATH`
points at the copy's `src/` because the shared environment's editable install points at this tree):
- A command must start with `make` or `.venv/bin/`: a bare `python`, `pip` or `dxminutes` needs an
  activated environment, which the README never asks for, so it fails the test.
- Placeholders are filled: `path/to/minutes` is a tiny corpus made here (a catalog and a file in a
  sub-folder), `path/to/minutes/file.txt` that file, `path/to/output`, `/tmp/x` and
  `PROCESSED_DIR` folders of the test, `data/raw/FILE.txt` a seed file, `VAR=…` a value per
  variable (`MAKE_VALUES`). An unknown placeholder fails the test. A synopsis with optional
  `[…]` parts runs twice: without them and with all of them.
- Targets that take minutes or change the environment (`SLOW_TARGETS`: report, test, bench, lab,
  lock, venv, clean and the default target) run as `make -n` (dry run): the target must exist,
  every `.venv/bin/…` program its recipe calls must exist, and every `python -m dxminutes …` line
  it would run must be accepted by the command-line parser (so `K=…` or `THEMES=…` reach real
  options).
- `.venv/bin/python benchmarks/run.py …` takes minutes: its `--help` must succeed and list every
  option and option value the command uses.
- `.venv/bin/pip install …` would change the environment: every extra it names must be declared
  in pyproject.toml and every requirement of the extra already installed (so after `make` the
  command changes nothing).
- Every other command runs for real and must exit with status 0.
- Each ```python block runs in a fresh interpreter namespace; a prose snippet runs in a namespace
  holding the names the Python blocks before it define (the README's prose refers to them).
- Every other code span of the prose that names the API (`network.cooccurrence(tokens, …)`,
  `dxminutes.text.dtm.count_matrix(…)`, `cleaning.PIPELINE`) must name something that exists: a
  module of the package (by its full name, or by its last component as the prose writes it) and the
  attribute after it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest

from dxminutes import config

pytestmark = (
    pytest.mark.slow
)  # every command runs in a scratch copy of the repository; one runs a whole report

README = config.PROJECT_DIR / "README.md"
DOCS = config.PROJECT_DIR / "docs"
#: docs/codebook.md and docs/correction.md have their own tests; architecture and scaling hold no commands to run.
PAGES = [
    README,
    DOCS / "index.md",
    *sorted((DOCS / "guide").glob("*.md")),
    DOCS / "performance.md",
    DOCS / "contributing.md",
    DOCS / "reference" / "index.md",
]
TEXTS = {page.relative_to(config.PROJECT_DIR).as_posix(): page.read_text(encoding="utf-8") for page in PAGES}
TEXT = TEXTS["README.md"]

SHELL_LANGS = {"", "sh", "bash", "console", "shell"}
COMMAND_RE = re.compile(
    r"^(?:\$ )?(?:make|\.venv/bin/\S+|python3?|pip3?|dxminutes|pytest|jupyter|ruff)(?:\s|$)"
)
SLOW_TARGETS = {"report", "test", "test-fast", "docs", "bench", "lab", "lock", "venv", "clean", "all", ""}
MAKE_VALUES = {
    "DATA": "{corpus}",
    "OUT": "{out}",
    "FILE": "{file}",
    "K": "4",
    "NBOOT": "200",
    "MINCOUNT": "3",
    "THEMES": "{themes}",
    "PYTHON": "python3",
    "JSON": "1",
    "VERBS": "1",
}
#: Literal placeholders of the README's commands, longest first.
PLACEHOLDERS = {
    "path/to/minutes/file.txt": "{file}",
    "path/to/minutes": "{corpus}",
    "path/to/output": "{out}",
    "my-themes.toml": "{themes}",
    "data/raw/FILE.txt": "{seed}",
    "/tmp/x": "{tmp}/x",
}
#: Metavariables of a synopsis (whole words).
METAVARS = {"FILE": "{file}", "DIR": "{corpus}", "RAW_DIR": "{corpus}", "PROCESSED_DIR": "{tmp}/processed"}
COMMAND_TIMEOUT_S = 600

TINY_MINUTES = """\
令和6年5月10日(金)午前10時00分開会
北区デジタル推進委員会 会議録

○委員長(山田太郎君) ただいまから委員会を開会いたします。窓口のデジタル化について説明を求めます。
○情報政策課長(佐藤次郎君) 申請のオンライン化と、高齢の方への対面の支援を進めております。
○委員長(山田太郎君) 以上で本日の委員会を閉会いたします。
"""
TINY_CATALOG = (
    "file,municipality,prefecture,body,meeting_title,meeting_date,record_kind,sha256\n"
    "kita/2024-05-10.txt,北区,東京都,北区デジタル推進委員会,,2024-05-10,verbatim,\n"
)


# --- extraction ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    kind: str  # "command", "block", "prose"
    text: str
    line: int  # 1-based line of the page where it starts
    page: str = "README.md"

    @property
    def id(self) -> str:
        return f"{self.page}:L{self.line}:{self.text.splitlines()[0][:60]}"

    @property
    def where(self) -> str:
        return f"{self.page} line {self.line}"


FENCE_RE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)


def _line_of(offset: int, text: str = TEXT) -> int:
    return text.count("\n", 0, offset) + 1


def _prose(text: str = TEXT) -> str:
    """A page with fenced blocks blanked out (line numbers kept)."""
    return FENCE_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def _is_command(text: str) -> bool:
    return bool(COMMAND_RE.match(text.strip()))


def readme_commands(text: str = TEXT, page: str = "README.md") -> list[Snippet]:
    found: list[Snippet] = []
    for match in FENCE_RE.finditer(text):
        if match.group("lang") not in SHELL_LANGS:
            continue
        first = _line_of(match.start("body"), text)
        for i, line in enumerate(match.group("body").splitlines()):
            line = re.sub(r"\s+#.*$", "", line).strip()
            if _is_command(line):
                found.append(Snippet("command", line.removeprefix("$ "), first + i, page))
    prose = _prose(text)
    lines = prose.splitlines()
    for i, line in enumerate(lines):
        previous = lines[i - 1] if i else ""
        in_code = line.startswith("    ") and (not previous.strip() or previous.startswith("    "))
        if in_code and _is_command(line):
            found.append(Snippet("command", line.strip(), i + 1, page))
    for match in re.finditer(r"(?<!`)`([^`\n]+)`(?!`)", prose):
        if _is_command(match.group(1)):
            found.append(Snippet("command", match.group(1).strip(), _line_of(match.start(), prose), page))
    unique: dict[str, Snippet] = {}
    for snippet in sorted(found, key=lambda s: s.line):
        unique.setdefault(snippet.text, snippet)
    return list(unique.values())


def _is_statement(code: str) -> bool:
    if "…" in code or "..." in code or _is_command(code):
        return False
    try:
        ast.parse(code)
    except SyntaxError:
        return False
    return True


def readme_python_examples(text: str = TEXT, page: str = "README.md") -> list[Snippet]:
    found = [
        Snippet("block", m.group("body"), _line_of(m.start("body"), text), page)
        for m in FENCE_RE.finditer(text)
        if m.group("lang") == "python"
    ]
    prose = _prose(text)
    for paragraph in re.finditer(r"(?:[^\n]+\n?)+", prose):
        spans = list(re.finditer(r"(?<!`)`([^`\n]+)`(?!`)", paragraph.group(0)))
        for k, span in enumerate(spans):
            code = span.group(1).strip()
            if not re.match(r"(from|import) dxminutes\b", code) or not _is_statement(code):
                continue
            parts = [code]
            for later in spans[k + 1 :]:
                if re.match(r"(from|import) dxminutes\b", later.group(1)):
                    break
                if _is_statement(later.group(1)):
                    parts.append(later.group(1).strip())
            line = _line_of(paragraph.start() + span.start(), prose)
            found.append(Snippet("prose", "\n".join(parts), line, page))
    return sorted(found, key=lambda s: s.line)


#: File names written as code spans (`catalog.csv`, `themes.toml`) are not API names.
FILE_SUFFIXES = {"csv", "toml", "txt", "md", "json", "parquet", "py", "html", "htm", "png", "svg", "ipynb"}
FILE_SUFFIXES |= {"xlsx", "docx", "pdf", "tsv", "lock", "in", "yml"}


def readme_api_names(text: str = TEXT, page: str = "README.md") -> list[Snippet]:
    """Dotted names at the start of the prose's code spans, except those inside Python examples."""
    in_examples = {line for s in EXAMPLES if s.kind == "prose" for line in s.text.split("\n")}
    prose = _prose(text)
    found: dict[str, Snippet] = {}
    for match in re.finditer(r"(?<!`)`([^`\n]+)`(?!`)", prose):
        span = match.group(1).strip()
        name = re.match(r"^[A-Za-z_]\w*(?:\.[A-Za-z_*]\w*)+", span)
        if not name or span in in_examples or _is_command(span):
            continue
        if name.group(0).rsplit(".", 1)[1] in FILE_SUFFIXES or span[len(name.group(0)) :].startswith("/"):
            continue
        found.setdefault(name.group(0), Snippet("api", name.group(0), _line_of(match.start(), prose), page))
    return sorted(found.values(), key=lambda s: s.line)


def _unique(snippets: list[Snippet]) -> list[Snippet]:
    """One snippet per text: a command or name that several pages give is checked once."""
    unique: dict[str, Snippet] = {}
    for snippet in snippets:
        unique.setdefault(snippet.text, snippet)
    return list(unique.values())


COMMANDS = _unique([s for page, text in TEXTS.items() for s in readme_commands(text, page)])
EXAMPLES = [s for page, text in TEXTS.items() for s in readme_python_examples(text, page)]
API_NAMES = _unique([s for page, text in TEXTS.items() for s in readme_api_names(text, page)])


# --- the scratch copy ------------------------------------------------------------------------


@dataclass
class Scratch:
    root: Path
    env: dict
    values: dict


#: Without git (a source archive), every file except these folders is copied.
NOT_COPIED = {".git", "build", "processed", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache"}


def _tracked_files() -> list[str]:
    """The repository's files (tracked and untracked, not ignored), relative to the project."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=config.PROJECT_DIR,
            capture_output=True,
            check=True,
        ).stdout.decode("utf-8")
    except (OSError, subprocess.CalledProcessError):
        return [
            path.relative_to(config.PROJECT_DIR).as_posix()
            for path in config.PROJECT_DIR.rglob("*")
            if path.is_file()
            and not NOT_COPIED & set(path.relative_to(config.PROJECT_DIR).parts)
            and not path.relative_to(config.PROJECT_DIR).parts[0].startswith(".venv")
        ]
    return [name for name in out.split("\0") if name]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Scratch:
    base = tmp_path_factory.mktemp("readme")
    root = base / "repo"
    for name in _tracked_files():
        source = config.PROJECT_DIR / name
        if source.is_file() and not source.is_symlink():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    processed = config.PROJECT_DIR / "data" / "processed" / "cache" / "tokens"
    if processed.is_dir():  # the token cache only saves time; every result is recomputed
        shutil.copytree(processed, root / "data" / "processed" / "cache" / "tokens")
    assert sys.prefix != sys.base_prefix, "the tests must run inside the project's environment (.venv)"
    (root / ".venv").symlink_to(Path(sys.prefix).resolve(), target_is_directory=True)
    for name in ("requirements/lock.txt", "pyproject.toml"):  # never newer than the environment's stamp
        os.utime(root / name, (946684800, 946684800))
    venv_bin = str(Path(sys.prefix) / "bin")
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and Path(p) != Path(venv_bin)]
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONHOME", "CONDA_PREFIX"} and not key.startswith("DXMINUTES_")
    }
    env.update(PATH=os.pathsep.join(path), PYTHONPATH=str(root / "src"), MPLBACKEND="Agg")
    question = subprocess.run(["make", "-q", ".venv/.installed"], cwd=root, env=env, capture_output=True)
    assert question.returncode == 0, (
        "the environment's stamp .venv/.installed is missing or stale: run `make venv` first "
        "(the test never installs into the shared environment)"
    )
    corpus = base / "minutes"
    (corpus / "kita").mkdir(parents=True)
    (corpus / "kita" / "2024-05-10.txt").write_text(TINY_MINUTES, encoding="utf-8")
    (corpus / "catalog.csv").write_text(TINY_CATALOG, encoding="utf-8")
    themes = base / "my-themes.toml"
    shutil.copy2(root / "src" / "dxminutes" / "resources" / "codebook.toml", themes)
    seed = sorted((root / "data" / "raw").glob("*.txt"))[0].relative_to(root).as_posix()
    values = {
        "corpus": str(corpus),
        "file": str(corpus / "kita" / "2024-05-10.txt"),
        "out": str(base / "out"),
        "tmp": str(base),
        "themes": str(themes),
        "seed": seed,
    }
    return Scratch(root, env, values)


def test_the_scratch_copy_imports_its_own_package(scratch):
    proc = _run(scratch, [".venv/bin/python", "-c", "import dxminutes; print(dxminutes.__file__)"])
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()).is_relative_to(scratch.root)


def test_the_readme_has_commands_and_python_examples():
    texts = {snippet.text for snippet in COMMANDS}
    in_readme = {snippet.text for snippet in readme_commands()}
    assert {"make report", "make test"} <= in_readme  # the two commands
    assert {"make test-fast", "make docs"} <= texts
    assert {snippet.page for snippet in COMMANDS} > {"README.md"}  # the docs pages are read too
    assert any(text.startswith("make inspect FILE=") for text in texts)
    assert sum(s.kind == "block" for s in EXAMPLES) >= 1
    assert sum(s.kind == "prose" for s in EXAMPLES) >= 2


# --- commands --------------------------------------------------------------------------------


def _run(scratch: Scratch, argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv,
        cwd=scratch.root,
        env=scratch.env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )


def _fill(command: str, values: dict) -> list[str]:
    """The command with its placeholders replaced; fails on one it does not know."""
    for literal in sorted(PLACEHOLDERS, key=len, reverse=True):
        command = command.replace(literal, PLACEHOLDERS[literal])

    def assignment(match: re.Match) -> str:
        name = match.group(1)
        if name not in MAKE_VALUES:
            pytest.fail(f"no sample value for the placeholder {name}=… (add it to MAKE_VALUES)")
        return f"{name}={MAKE_VALUES[name]}"

    command = re.sub(r"\b([A-Z_]+)=…", assignment, command)
    words = []
    for word in shlex.split(command):
        words.append(METAVARS.get(word, word))
    left = [w for w in words if "…" in w or re.fullmatch(r"[A-Z_]{3,}", w)]
    if left:
        pytest.fail(f"unknown placeholder(s) {left} in {command!r}")
    return [word.format(**values) for word in words]


def _variants(command: str) -> list[str]:
    """A synopsis `cmd ARG [--opt X] [--flag]`: without the optional parts and with all of them."""
    if not re.search(r"\s\[", command):
        return [command]
    bare = re.sub(r"\s+\[[^\]]*\]", "", command)
    full = re.sub(r"(\s)\[([^\]]*)\]", r"\1\2", command)
    return [bare, full]


def _check_dry_run(scratch: Scratch, argv: list[str]) -> None:
    proc = _run(scratch, ["make", "-n", *argv[1:]])
    assert proc.returncode == 0, f"make -n {' '.join(argv[1:])} failed:\n{proc.stdout}\n{proc.stderr}"
    from dxminutes.cli import build_parser

    for line in proc.stdout.splitlines():
        words = shlex.split(line) if line.strip() else []
        if words and words[0].startswith(".venv/bin/"):
            assert (scratch.root / words[0]).exists(), f"the recipe calls {words[0]}, which is not installed"
        if words[:3] == [".venv/bin/python", "-m", "dxminutes"]:
            try:
                build_parser().parse_args(words[3:])
            except SystemExit as exc:
                pytest.fail(f"`{line}` (from make {' '.join(argv[1:])}) is refused by the parser ({exc})")


def _check_benchmark(scratch: Scratch, argv: list[str]) -> None:
    proc = _run(scratch, [*argv[:2], "--help"])
    assert proc.returncode == 0, proc.stderr
    for word in argv[2:]:
        assert word in proc.stdout, f"{word} is not an option of {argv[1]}:\n{proc.stdout}"


def _check_pip(argv: list[str]) -> None:
    from packaging.requirements import Requirement

    assert argv[1:3] == ["install", "-e"], argv
    extras = re.fullmatch(r"\.\[([\w,-]+)\]", argv[3])
    assert extras, f"expected `pip install -e '.[extra]'`, got {argv}"
    import tomllib

    declared = tomllib.loads((config.PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for extra in extras.group(1).split(","):
        assert extra in declared["optional-dependencies"], f"pyproject.toml declares no extra {extra!r}"
        for spec in declared["optional-dependencies"][extra]:
            requirement = Requirement(spec)
            version = metadata.version(requirement.name)  # raises when the package is not installed
            assert requirement.specifier.contains(version, prereleases=True), (spec, version)


def _require_no_activation(snippet: Snippet) -> None:
    assert snippet.text.startswith(("make", ".venv/bin/")), (
        f"{snippet.where}: `{snippet.text}` needs an activated environment; "
        "write it as a make target or with .venv/bin/"
    )


@pytest.mark.parametrize("snippet", COMMANDS, ids=lambda s: s.id)
def test_readme_command_works(snippet, scratch):
    command = snippet.text
    _require_no_activation(snippet)
    for variant in _variants(command):
        argv = _fill(variant, scratch.values)
        if argv[0] == "make":
            target = next((w for w in argv[1:] if "=" not in w and not w.startswith("-")), "")
            if target in SLOW_TARGETS:
                _check_dry_run(scratch, argv)
                continue
        elif argv[:2] == [".venv/bin/python", "benchmarks/run.py"]:
            _check_benchmark(scratch, argv)
            continue
        elif argv[0] == ".venv/bin/pip":
            _check_pip(argv)
            continue
        proc = _run(scratch, argv)
        assert proc.returncode == 0, (
            f"{snippet.where}: `{variant}` exited with {proc.returncode}\n"
            f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
        )


def test_the_commands_reach_the_tiny_corpus(scratch):
    """`make inspect FILE=…` as the README writes it reads the corpus folder's catalog."""
    argv = _fill("make inspect FILE=path/to/minutes/file.txt", scratch.values)
    proc = _run(scratch, argv)
    assert proc.returncode == 0, proc.stderr
    assert "北区  [catalog]" in proc.stdout and "turns: 3" in proc.stdout


def test_a_command_needing_activation_is_refused():
    """The rule above is live: the old README form fails."""
    snippet = Snippet("command", "python -m dxminutes inspect path/to/minutes/file.txt", 1)
    with pytest.raises(AssertionError, match="needs an activated environment"):
        _require_no_activation(snippet)


# --- API names -----------------------------------------------------------------------------


def _package_modules() -> dict[str, list[str]]:
    """Every module of the package by its last component (`network` → dxminutes.analysis.network)."""
    import pkgutil

    import dxminutes

    modules: dict[str, list[str]] = {"dxminutes": ["dxminutes"]}
    for info in pkgutil.walk_packages(dxminutes.__path__, "dxminutes."):
        modules.setdefault(info.name.rsplit(".", 1)[1], []).append(info.name)
    return modules


def _resolves(module_name: str, attributes: list[str]) -> bool:
    import fnmatch
    import importlib

    target = importlib.import_module(module_name)
    for attribute in attributes:
        if "*" in attribute:
            return any(fnmatch.fnmatchcase(name, attribute) for name in dir(target))
        if not hasattr(target, attribute):
            submodule = f"{target.__name__}.{attribute}" if hasattr(target, "__path__") else None
            if submodule is None:
                return False
            try:
                target = importlib.import_module(submodule)
            except ModuleNotFoundError:
                return False
            continue
        target = getattr(target, attribute)
    return True


@pytest.mark.parametrize("snippet", API_NAMES, ids=lambda s: s.id)
def test_readme_api_name_exists(snippet):
    first, *attributes = snippet.text.split(".")
    candidates = _package_modules().get(first, [])
    assert candidates, f"{snippet.where}: `{snippet.text}`: no module of dxminutes is called {first!r}"
    assert any(_resolves(module, attributes) for module in candidates), (
        f"{snippet.where}: `{snippet.text}` does not exist (looked in {', '.join(candidates)})"
    )


def test_the_api_check_sees_a_wrong_name():
    assert not _resolves("dxminutes.analysis.network", ["no_such_function"])
    assert "ca" not in _package_modules()  # the README's old `ca.ca_municipality_terms`
    assert _resolves("dxminutes", ["text", "dtm", "count_matrix"])


# --- Python examples -------------------------------------------------------------------------

RUNNER = textwrap.dedent(
    """
    import json, sys, traceback
    import matplotlib
    matplotlib.use("Agg")
    examples = json.load(open(sys.argv[1], encoding="utf-8"))
    session, results, page = {}, [], None
    for ex in examples:
        if ex["page"] != page:  # each page's prose refers to its own blocks
            session, page = {}, ex["page"]
        namespace = {"__name__": "readme_example"} if ex["kind"] == "block" else dict(session)
        where = {"page": ex["page"], "line": ex["line"]}
        try:
            exec(compile(ex["text"], "%s line %d" % (ex["page"], ex["line"]), "exec"), namespace)
        except BaseException:
            results.append({**where, "ok": False, "error": traceback.format_exc()})
        else:
            results.append({**where, "ok": True, "error": None})
        if ex["kind"] == "block":
            session.update({k: v for k, v in namespace.items() if not k.startswith("__")})
    json.dump(results, open(sys.argv[2], "w", encoding="utf-8"))
    """
)


@pytest.fixture(scope="module")
def example_results(scratch) -> dict[int, dict]:
    examples = scratch.root.parent / "examples.json"
    results = scratch.root.parent / "results.json"
    examples.write_text(
        json.dumps([{"kind": s.kind, "text": s.text, "line": s.line, "page": s.page} for s in EXAMPLES]),
        encoding="utf-8",
    )
    proc = _run(scratch, [".venv/bin/python", "-c", RUNNER, str(examples), str(results)])
    assert proc.returncode == 0, proc.stderr
    return {(row["page"], row["line"]): row for row in json.loads(results.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("snippet", EXAMPLES, ids=lambda s: s.id)
def test_readme_python_example_runs(snippet, example_results):
    result = example_results[(snippet.page, snippet.line)]
    assert result["ok"], f"{snippet.where}:\n{snippet.text}\n\n{result['error']}"


def test_the_old_examples_would_fail(scratch):
    """The runner sees failures: the examples the README used to give raise."""
    for code in (
        "from dxminutes.analysis import ca",
        "from dxminutes import plots",
        "import dxminutes; dxminutes.load_courpus",
    ):
        proc = _run(scratch, [".venv/bin/python", "-c", code])
        assert proc.returncode != 0 and ("AttributeError" in proc.stderr or "ImportError" in proc.stderr)
