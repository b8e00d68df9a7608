"""Execute the analysis notebooks headless and render the report: `dxminutes report`.

The notebooks are jupytext py:percent files `notebooks/NN-name.py`. For each, in order, the
run's parameters are injected as a cell tagged `injected-parameters` right after the cell
tagged `parameters` (as papermill does), the notebook runs in a fresh kernel of this Python
with the notebooks folder as working directory, and the result is written as `NN-name.ipynb`
(beside the source for the seed report, `OUT/notebooks/` for another corpus) and
`OUT/html/NN-name.html`; `OUT/html/index.html` is the landing page (`report.landing`) and
`OUT/explorer/` holds the term explorer pages (`report.explorer`). Timestamps and other
volatile metadata are dropped and absolute paths of this machine are replaced in the outputs,
so a rerun on unchanged inputs gives identical files.

A run is built apart (`OUT/.runs/<id>/` for a user OUT, `OUT/.staging/` for the seed report) and
made the report only at the end: a failed run leaves the previous report intact, keeps what it
made in `OUT/.failed/` (with ERROR.txt) and says so. Runs are incremental
(`dxminutes.report.incremental`); `--force` ignores the records.

Everything about OUT itself (the checks, the lock, the manifest, the swap: one symlink switch
for a user OUT, a journal for the seed report) is in `dxminutes.report.outdir`.
"""

from __future__ import annotations

__all__ = ["DISPLACED_NAME", "FAILED_NAME", "INJECTED_TAG", "JOURNAL_NAME", "MANAGED_FOLDERS", "NOTEBOOK_GLOB", "OFFLINE_TEMPLATE", "OUT_LOCK_NAME", "OUT_MANIFEST_NAME", "STAGE_NAME", "OutError", "ReportError", "RunResult", "check_out", "check_sync", "clean_notebook", "default_out", "execute_notebook", "has_report", "inject_parameters", "kernel_environment", "notebook_title", "out_lock", "prepare_out", "read_out_manifest", "recover", "register_cli", "render_html", "run_report"]  # fmt: skip

import argparse
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dxminutes import config
from dxminutes._io import ALLOW_OUTSIDE_LINKS_ENV, atomic_write, sha256_file
from dxminutes.report import incremental, outdir
from dxminutes.report.incremental import PATH_PARAMETERS
from dxminutes.report.outdir import (
    DISPLACED_NAME,
    FAILED_NAME,
    JOURNAL_NAME,
    MANAGED_FOLDERS,
    NOTEBOOK_GLOB,
    OUT_LOCK_NAME,
    OUT_MANIFEST_NAME,
    STAGE_NAME,
    OutError,
    ReportError,
    _keep_failed,
    _shown,
    _swap_in,
    check_out,
    has_report,
    out_lock,
    prepare_out,
    read_out_manifest,
    recover,
)

INJECTED_TAG = "injected-parameters"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _read_notebook(path: Path):
    import jupytext

    nb = jupytext.read(path)
    for i, cell in enumerate(nb.cells):  # jupytext gives random ids; outputs must not change
        cell["id"] = f"cell-{i:03d}"
    return nb


def inject_parameters(nb, parameters: Mapping):
    """Return a copy of `nb` with a cell tagged `injected-parameters` holding `parameters`.

    It goes right after the cell tagged `parameters` (at the top if there is none); path
    values are written relative to the project (`config.relpath`) since they are shown only,
    while the kernel reads the real folders from DXMINUTES_* variables.
    """
    import nbformat

    nb = nbformat.from_dict(nb)
    if not parameters:
        return nb
    lines = ["# Parameters injected by `dxminutes report`"]
    for key, value in parameters.items():
        if not key.isidentifier():
            raise ValueError(f"parameter name {key!r} is not a Python identifier")
        shown = config.relpath(value) if isinstance(value, os.PathLike) or key in PATH_PARAMETERS else value
        lines.append(f"{key} = {shown!r}")
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": [INJECTED_TAG]})
    cells = [c for c in nb.cells if INJECTED_TAG not in c.metadata.get("tags", [])]
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    at = tagged[0] + 1 if tagged else 0
    cell["id"] = "injected-parameters"
    nb.cells = [*cells[:at], cell, *cells[at:]]
    return nb


def kernel_environment(parameters: Mapping, reports_dir: Path) -> dict[str, str]:
    """Environment of the notebook kernel: the run's folders via DXMINUTES_* and fixed seeds."""
    env = dict(os.environ)
    for key, var in PATH_PARAMETERS.items():
        if parameters.get(key) is not None:
            env[var] = str(Path(parameters[key]).resolve())
    env["DXMINUTES_REPORTS_DIR"] = str(Path(reports_dir).resolve())
    env["PYTHONHASHSEED"] = "0"
    # Headless; the inline backend renders with Agg and also puts figures in the notebook.
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    return env


def _path_replacements(notebooks_dir: Path, reports_dir: Path, env: Mapping) -> list[tuple[str, str]]:
    roots = {str(Path(reports_dir).resolve()): "<reports>", str(notebooks_dir.resolve()): "<notebooks>"}
    roots.update(
        {
            env[var]: f"<{key.lower()}>"
            for key, var in PATH_PARAMETERS.items()
            if var in env and key != "REPORTS_DIR"
        }
    )
    roots.update(
        {
            str(config.PROJECT_DIR): "<project>",
            sys.prefix: "<python>",
            sys.base_prefix: "<python>",
            str(Path.home()): "~",
        }
    )
    return sorted(((k, v) for k, v in roots.items() if len(k) > 1), key=lambda kv: -len(kv[0]))


def _scrub(text: str, replacements: list[tuple[str, str]]) -> str:
    for root, label in replacements:
        text = text.replace(root, label)
    return text


def clean_notebook(nb, replacements: list[tuple[str, str]]):
    """Drop volatile metadata (timings, widget state) and absolute paths from outputs, in place."""
    for key in ("widgets", "papermill"):
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in ("execution", "papermill", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _scrub(output["text"], replacements)
            if "traceback" in output:
                output["traceback"] = [_scrub(t, replacements) for t in output["traceback"]]
            for mime, data in output.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith(("+json", "/json", "svg+xml")):
                    if isinstance(data, str):
                        output["data"][mime] = _scrub(data, replacements)
    return nb


def _failure(name: str, nb, exc: Exception) -> ReportError:
    """The ReportError of a failed notebook: which cell (index and first line) raised what, and
    the cell's full traceback; without an error output (a timeout, a dead kernel), the exception."""
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                traceback = _ANSI.sub("", "\n".join(output.get("traceback", []))).rstrip()
                details = (
                    f"notebook: {name}\ncell: {i} (counting from 0, the injected parameters included)\n"
                    f"first line: {first}\n\n{traceback or output.get('ename', '')}"
                )
                return ReportError(
                    f"notebook {name}: cell {i} ({first!r}) raised "
                    f"{output.get('ename')}: {_ANSI.sub('', output.get('evalue', ''))}",
                    details=details,
                    notebook=nb,
                    name=name,
                )
    text = _ANSI.sub("", str(exc)).strip()
    return ReportError(
        f"notebook {name}: {text.splitlines()[0] if text else type(exc).__name__}",
        details=f"notebook: {name}\n\n{type(exc).__name__}: {text}",
        notebook=nb,
        name=name,
    )


def execute_notebook(nb, *, cwd: Path, env: Mapping[str, str], name: str, timeout: int = 900):
    """Run `nb` in a fresh kernel of this Python (the venv's ipykernel); return it executed."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    # kernel_dirs=[] makes jupyter_client use ipykernel's own spec, run with sys.executable,
    # whatever kernels a user has installed elsewhere.
    # The ipc transport (Unix sockets in a private temporary folder, by absolute path since the
    # kernel runs in the notebooks folder) keeps kernel traffic off the network and ipykernel's
    # "running over TCP without encryption" warning off the terminal.
    ipc = os.name == "posix"
    sockets = tempfile.mkdtemp(prefix="dxm-kernel-") if ipc else None
    km = KernelManager(
        kernel_name="python3",
        kernel_spec_manager=KernelSpecManager(kernel_dirs=[]),
        **({"transport": "ipc", "ip": os.path.join(sockets, "k")} if ipc else {}),
    )
    client = NotebookClient(
        nb,
        km=km,
        timeout=timeout,
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    try:
        client.execute(cleanup_kc=True, env=dict(env))  # shut the kernel down, even on error
    except Exception as exc:  # CellExecutionError, timeouts, dead kernels
        raise _failure(name, nb, exc) from exc
    finally:
        if sockets is not None:
            shutil.rmtree(sockets, ignore_errors=True)
    return nb


def notebook_title(nb, default: str) -> str:
    """The first Markdown heading of the notebook, else `default`."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return default


def _write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8", newline="\n"))


#: The lab template without its CDN scripts (require.js, MathJax, mermaid): the notebooks use
#: neither, and a page must work offline. Markdown maths stays as written.
OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""
_REMOTE_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>\s*')


def render_html(nb, title: str) -> str:
    """The notebook as a stand-alone HTML page that needs no network (nbconvert's lab template
    with its CDN script tags left out)."""
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"dxminutes-offline.html.j2": OFFLINE_TEMPLATE})],
        template_file="dxminutes-offline.html.j2",
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return _REMOTE_SCRIPT.sub("", body)


def _run_progress(items, enabled: bool):
    """The notebooks with a bar on stderr (`_progress`: a terminal, not `--quiet`)."""
    from dxminutes._progress import progress

    items = list(items)
    return progress(items, total=len(items), desc="notebooks", quiet=not enabled)


@dataclass
class RunResult:
    """What a report run did: the files written (final places), the notebooks executed and reused."""

    written: list[Path] = field(default_factory=list)
    executed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    reports_dir: Path | None = None

    def __iter__(self):  # a run's result reads as the list of files written
        return iter(self.written)

    def __len__(self) -> int:
        return len(self.written)

    def __getitem__(self, i):
        return self.written[i]


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def run_report(
    notebooks_dir: os.PathLike | str | None = None,
    *,
    parameters: Mapping,
    reports_dir: os.PathLike | str | None = None,
    notebooks_out: os.PathLike | str | None = None,
    save_notebooks: bool = True,
    timeout: int = 900,
    pattern: str = NOTEBOOK_GLOB,
    force: bool = False,
    progress: bool = False,
    extras: bool = True,
) -> RunResult:
    """Execute every `NN-*.py` notebook in order into a staging folder, then swap it in.

    `parameters` holds the run's settings (RAW_DIR, PROCESSED_DIR, THEMES_PATH, K, N_BOOT,
    MIN_COUNT, …); keys set to None are left out. Executed notebooks go to `notebooks_out`
    (default: beside their sources), everything else below `reports_dir` (html/, figures/,
    tables/, explorer/). A notebook whose inputs and outputs are unchanged since its last run is
    not executed again (unless `force`); its outputs are carried over. Only when every notebook
    succeeded is the staged report made current, and the files of the previous
    report that the new one does not hold are deleted (stale figures of an earlier run
    disappear; files the tool did not write stay); on failure the previous report stays as it was,
    the partial run is kept in `<reports_dir>/.failed/` and ReportError names the notebook and
    cell. With `extras`, the term explorer pages and the landing page are written too.

    OUT (`reports_dir`) is the tool's own folder: it is checked (`check_out`), locked for the
    run (`out_lock`) and claimed (`prepare_out`; `force` also takes over a non-empty OUT of
    someone else's, moving aside what is in the way). A user OUT is built in `OUT/.runs/<id>/`
    and made current by one symlink switch (`outdir.switch_to`); the seed report goes through
    the journaled swap (`outdir._swap_in`), which the next run completes if killed. Either way
    only files the tool wrote are deleted.
    """
    notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else config.NOTEBOOKS_DIR
    reports_dir = Path(reports_dir) if reports_dir is not None else config.REPORTS_DIR
    notebooks_out = Path(notebooks_out) if notebooks_out is not None else notebooks_dir
    parameters = {k: v for k, v in parameters.items() if v is not None}
    sources = sorted(notebooks_dir.glob(pattern))
    if not sources:
        raise FileNotFoundError(f"no notebooks matching {pattern!r} in {config.relpath(notebooks_dir)}")
    check_out(
        reports_dir,
        raw_dir=parameters.get("RAW_DIR"),
        notebooks_dir=notebooks_dir,
        notebooks_out=notebooks_out,
    )
    with out_lock(reports_dir):
        owned = prepare_out(
            reports_dir, force=force, notebooks_dir=notebooks_dir, notebooks_out=notebooks_out
        )
        return _run_locked(
            sources,
            notebooks_dir,
            parameters=parameters,
            reports_dir=reports_dir,
            notebooks_out=notebooks_out,
            owned=owned,
            save_notebooks=save_notebooks,
            timeout=timeout,
            force=force,
            progress=progress,
            extras=extras,
        )


def _run_locked(
    sources: list[Path],
    notebooks_dir: Path,
    *,
    parameters: Mapping,
    reports_dir: Path,
    notebooks_out: Path,
    owned: set[str],
    save_notebooks: bool,
    timeout: int,
    force: bool,
    progress: bool,
    extras: bool,
) -> RunResult:
    """`run_report` once OUT is checked, locked and owned."""
    import nbformat

    seed = reports_dir.resolve() == (config.PROJECT_DIR / "reports").resolve()
    layout, why = outdir.choose_layout(reports_dir, notebooks_out, seed=seed)
    if why:
        print(f"note: {why}", file=sys.stderr)
    if layout == "links":
        stage = outdir.new_run(reports_dir)
    else:
        stage = reports_dir / STAGE_NAME
        shutil.rmtree(stage, ignore_errors=True)  # a killed run's: a reserved name of an owned OUT
        stage.mkdir()
    env = kernel_environment(parameters, stage)
    # The run's folder (`.runs/<id>`) changes every run: the fingerprint sees one fixed place.
    stable_env = {**env, "DXMINUTES_REPORTS_DIR": str((reports_dir / STAGE_NAME).resolve())}
    replacements = _path_replacements(notebooks_dir, stage, env)
    replacements = sorted(
        {*replacements, (str(reports_dir.resolve()), "<reports>")}, key=lambda kv: -len(kv[0])
    )
    html_dir = stage / "html"
    result = RunResult(reports_dir=reports_dir)
    entries, staged = [], []
    try:
        for source in _run_progress(sources, progress):
            fingerprint = incremental.input_fingerprint(
                source, {**parameters, "save_notebooks": save_notebooks}, stable_env
            )
            record_path = incremental.record_path(env, source)
            record = (
                None
                if force
                else incremental.cached_run(record_path, fingerprint, reports_dir, notebooks_out)
            )
            if record is not None:
                for key in record["outputs"]:
                    root, _, rel = key.partition("/")
                    if root == "reports":
                        _copy(reports_dir / rel, stage / rel)
                    else:
                        _copy(notebooks_out / rel, stage / "notebooks" / rel)
                entries.append((f"{source.stem}.html", record["title"]))
                result.reused.append(source.name)
                continue
            before = incremental.snapshot(stage)
            nb = inject_parameters(_read_notebook(source), parameters)
            nb = execute_notebook(nb, cwd=notebooks_dir, env=env, name=source.name, timeout=timeout)
            clean_notebook(nb, replacements)
            title = notebook_title(nb, source.stem)
            ipynb = source.with_suffix(".ipynb").name
            if save_notebooks:
                _write_text(stage / "notebooks" / ipynb, nbformat.writes(nb) + "\n")
                staged.append(notebooks_out / ipynb)
            _write_text(html_dir / f"{source.stem}.html", render_html(nb, title))
            staged.append(reports_dir / "html" / f"{source.stem}.html")
            entries.append((f"{source.stem}.html", title))
            changed = {
                rel
                for rel, stamp in incremental.snapshot(stage).items()
                if before.get(rel) != stamp and not rel.startswith("notebooks/")
            }
            outputs = {f"reports/{rel}": sha256_file(stage / rel) for rel in sorted(changed)}
            if save_notebooks:
                outputs[f"notebooks/{ipynb}"] = sha256_file(stage / "notebooks" / ipynb)
            incremental.write_record(record_path, fingerprint, title, outputs)
            result.executed.append(source.name)
        if extras:
            result.problems += _write_extras(stage, parameters, env)
        from dxminutes.report import landing

        landing.write_landing(
            stage,
            entries=entries,
            parameters=parameters,
            processed_dir=Path(env.get("DXMINUTES_PROCESSED_DIR") or config.PROCESSED_DIR),
            raw_dir=Path(env.get("DXMINUTES_RAW_DIR") or config.RAW_DIR),
            problems=result.problems,
        )
        staged.append(reports_dir / "html" / "index.html")
    except BaseException as exc:
        message = str(exc) if isinstance(exc, ReportError) else f"{type(exc).__name__}: {exc}"
        if isinstance(exc, ReportError):
            details = exc.details
            if exc.notebook is not None and exc.name:  # the notebook up to the failing cell
                clean_notebook(exc.notebook, replacements)
                _write_text(
                    stage / "notebooks" / Path(exc.name).with_suffix(".ipynb").name,
                    nbformat.writes(exc.notebook) + "\n",
                )
        else:
            import traceback

            details = "".join(traceback.format_exception(exc)).rstrip()
        failed = _keep_failed(stage, reports_dir, message, details)
        if isinstance(exc, ReportError | KeyboardInterrupt):
            if isinstance(exc, ReportError):
                exc.failed_dir = failed
            raise
        raise ReportError(message) from exc
    shutil.rmtree(reports_dir / FAILED_NAME, ignore_errors=True)
    if layout == "links":
        displaced = outdir.switch_to(stage, reports_dir, owned)
    else:
        displaced = _swap_in(stage, reports_dir, notebooks_out, owned)
    result.problems += [
        f"{rel} was in the way of the report and is kept in {DISPLACED_NAME}/ (nothing was deleted)"
        for rel in displaced
    ]
    result.written = staged
    return result


def _write_extras(stage: Path, parameters: Mapping, env: Mapping[str, str]) -> list[str]:
    """The term explorer pages; a problem is returned as a message, never raised."""
    from dxminutes.report import explorer

    processed = Path(env.get("DXMINUTES_PROCESSED_DIR") or config.PROCESSED_DIR)
    themes_path = env.get("DXMINUTES_THEMES") or None
    try:
        explorer.write_explorers(stage / "explorer", processed_dir=processed, themes_path=themes_path)
    except FileNotFoundError as exc:
        return [f"term explorer not written: {exc}"]
    except Exception as exc:  # the notebooks succeeded; a broken extra must not lose them
        return [f"term explorer not written: {type(exc).__name__}: {exc}"]
    return []


def check_sync(notebooks_dir: os.PathLike | str | None = None) -> list[str]:
    """Problems between the `NN-*.py` notebooks and their rendered `.ipynb` twins ([] if in sync).

    Each `.ipynb` needs its `.py` twin (and vice versa), with the same cells in the same order
    and the same sources; the injected-parameters cell is ignored.
    """
    import nbformat

    folder = Path(notebooks_dir) if notebooks_dir is not None else config.NOTEBOOKS_DIR
    problems = []
    stems = sorted(
        {p.stem for p in folder.glob(NOTEBOOK_GLOB)}
        | {p.stem for p in folder.glob(NOTEBOOK_GLOB[:-3] + ".ipynb")}
    )
    for stem in stems:
        py, ipynb = folder / f"{stem}.py", folder / f"{stem}.ipynb"
        if not py.exists() or not ipynb.exists():
            missing = py if not py.exists() else ipynb
            problems.append(f"{stem}: {missing.name} is missing")
            continue
        text_cells = _cell_sources(_read_notebook(py))
        rendered = _cell_sources(nbformat.read(ipynb, as_version=4))
        if text_cells != rendered:
            at = next(
                (i for i, (a, b) in enumerate(zip(text_cells, rendered)) if a != b),
                min(len(text_cells), len(rendered)),
            )
            problems.append(f"{stem}: cell {at} differs between {py.name} and {ipynb.name}")
    return problems


def _cell_sources(nb) -> list[tuple[str, str]]:
    return [
        (c.cell_type, c.source.strip()) for c in nb.cells if INJECTED_TAG not in c.metadata.get("tags", [])
    ]


def default_out(raw_dir: os.PathLike | str | None) -> Path:
    """Where a run's report goes when no --out is given.

    The seed corpus (no DATA, or DATA = data/raw) keeps the committed report in the repository
    (`reports/`, notebooks beside their sources). Any other corpus goes to `build/reports/<name>`
    (ignored by git), so a run on someone's minutes never rewrites the repository's files.
    """
    if raw_dir is None or Path(raw_dir).resolve() == config.RAW_DIR.resolve():
        return config.REPORTS_DIR
    return config.PROJECT_DIR / "build" / "reports" / Path(raw_dir).resolve().name


def _build_corpus(raw_dir: Path, processed_dir: Path) -> dict:
    """Build the processed tables; bad files are listed, they never stop the run."""
    from dxminutes.corpus import build as corpus_build

    corpus = corpus_build.build(raw_dir, processed_dir)
    return {
        "documents": len(corpus.documents),
        "turns": len(corpus.turns),
        "failures": corpus.failures.to_dict("records"),
        "warnings": corpus.warnings.to_dict("records"),
    }


def _summary(out: Path, result: RunResult | None, built: dict | None, error: str | None) -> str:
    """The one-screen summary printed at the end of `make report`."""
    lines = ["", "─" * 60]
    if error is None:
        lines.append(f"report written to {_shown(out)}/  →  open {_shown(out / 'html' / 'index.html')}")
    else:
        lines.append("REPORT FAILED: " + error)
        failed = out / FAILED_NAME
        kept = (
            f"; the partial output and ERROR.txt (with the traceback) are in {_shown(failed)}/"
            if (failed / "ERROR.txt").exists()
            else ""
        )
        if has_report(out):
            lines.append(f"the previous report in {_shown(out)}/ is unchanged{kept}")
        else:
            lines.append(f"there was no previous report in {_shown(out)}/, and none was written{kept}")
    if built is not None:
        lines.append(f"corpus: {built['documents']} documents, {built['turns']} turns")
        if built["failures"]:
            lines.append(
                f"{len(built['failures'])} file(s) could not be loaded (listed on the landing page):"
            )
            lines += [f"  {row['file']}: {row['problem']}" for row in built["failures"]]
        if built["warnings"]:
            lines.append(f"{len(built['warnings'])} warning(s) while loading (see the landing page)")
    if result is not None:
        lines.append(f"notebooks: {len(result.executed)} executed, {len(result.reused)} unchanged and reused")
        lines += [f"problem: {p}" for p in result.problems]
    lines.append("─" * 60)
    return "\n".join(lines)


def _cli(args) -> int:
    pattern = Path(args.notebooks) if args.notebooks else None
    notebooks_dir = pattern.parent if pattern is not None and pattern.parent != Path(".") else None
    out = args.out or args.reports
    seed_run = out is None and default_out(args.data) == config.REPORTS_DIR
    out = Path(out) if out is not None else default_out(args.data)
    processed = args.processed
    if processed is None and not seed_run:
        processed = out / "processed"
    parameters = {
        "RAW_DIR": args.data,
        "PROCESSED_DIR": processed,
        "THEMES_PATH": args.themes,
        "K": args.k,
        "N_BOOT": args.n_boot,
        "MIN_COUNT": args.min_count,
    }
    built, result, error = None, None, None
    if getattr(args, "allow_outside_links", False):  # the build and the kernels read the same
        os.environ[ALLOW_OUTSIDE_LINKS_ENV] = "1"
    notebooks_out = None if seed_run else out / "notebooks"
    sources_dir = notebooks_dir if notebooks_dir is not None else config.NOTEBOOKS_DIR
    try:
        # OUT is checked, locked and claimed before the build writes OUT/processed
        check_out(
            out, raw_dir=args.data, notebooks_dir=sources_dir, notebooks_out=notebooks_out or sources_dir
        )
        with out_lock(out):
            prepare_out(
                out, force=args.force, notebooks_dir=sources_dir, notebooks_out=notebooks_out or sources_dir
            )
            if not args.no_build:
                raw = Path(args.data) if args.data is not None else config.RAW_DIR
                print(f"building the corpus from {_shown(raw)} …", file=sys.stderr)
                built = _build_corpus(raw, Path(processed) if processed is not None else config.PROCESSED_DIR)
            result = run_report(
                notebooks_dir,
                parameters=parameters,
                reports_dir=out,
                notebooks_out=notebooks_out,
                save_notebooks=not args.no_save_notebooks,
                force=args.force,
                pattern=pattern.name if pattern is not None else NOTEBOOK_GLOB,
                progress=not args.quiet,
            )
    except OutError as exc:  # nothing was written: not a failed run
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (ReportError, FileNotFoundError, ValueError) as exc:
        error = str(exc)
    print(_summary(out, result, built, error), file=sys.stderr)
    return 1 if error is not None else 0


def register_cli(subparsers) -> None:
    """Add the `report` command."""
    p = subparsers.add_parser("report", help="build the corpus, execute the notebooks, write the report")
    p.add_argument("--data", metavar="RAW_DIR", type=Path, help="folder of raw minutes (default data/raw)")
    p.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        help="output folder: notebooks/, html/, figures/, tables/, explorer/, processed/ "
        "(default: reports/ for the seed corpus, build/reports/<name> for another)",
    )
    p.add_argument("--reports", metavar="DIR", type=Path, help=argparse.SUPPRESS)  # old name of --out
    p.add_argument(
        "--processed", metavar="DIR", type=Path, help="folder of processed tables (default OUT/processed)"
    )
    p.add_argument("--themes", metavar="FILE", type=Path, help="theme dictionary (TOML)")
    p.add_argument("--k", type=int, help="number of topics")
    p.add_argument("--n-boot", type=int, help="bootstrap replicates")
    p.add_argument("--min-count", type=int, help="minimum term count")
    p.add_argument(
        "--notebooks", metavar="GLOB", help=f"notebooks to run (default notebooks/{NOTEBOOK_GLOB})"
    )
    p.add_argument(
        "--no-save-notebooks",
        action="store_true",
        help="do not write the executed .ipynb files",
    )
    p.add_argument(
        "--no-build", action="store_true", help="do not rebuild the processed tables before the run"
    )
    p.add_argument(
        "--allow-outside-links",
        action="store_true",
        help="read symlinks in DATA that point outside it (refused by default; "
        "the same as DXMINUTES_ALLOW_OUTSIDE_LINKS=1)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--force",
        action="store_true",
        help="execute every notebook even when its inputs and outputs are unchanged, and write into "
        "a non-empty OUT that holds no dxminutes report (files in the way are moved aside, never deleted)",
    )
    p.set_defaults(func=_cli)
