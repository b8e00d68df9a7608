"""Execute the analysis notebooks headless and render the report: `python -m dxminutes report`.

The notebooks are jupytext py:percent files `notebooks/NN-name.py`. For each, in order, the
run's parameters are injected as a cell tagged `injected-parameters` right after the cell
tagged `parameters` (as papermill does), the notebook runs in a fresh kernel of this Python
with the notebooks folder as working directory, and the result is written as
`notebooks/NN-name.ipynb` and `reports/html/NN-name.html`, with `reports/html/index.html`
linking them all. Timestamps and other volatile metadata are dropped and absolute paths of
this machine are replaced in the outputs, so a rerun on unchanged inputs gives identical files.

Runs are incremental (`dxminutes.report.incremental`); `--force` ignores the records.
"""

from __future__ import annotations

import html
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from dxminutes import config
from dxminutes._io import atomic_write, sha256_file
from dxminutes.report import incremental
from dxminutes.report.incremental import PATH_PARAMETERS

NOTEBOOK_GLOB = "[0-9][0-9]-*.py"
INJECTED_TAG = "injected-parameters"

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class ReportError(RuntimeError):
    """A notebook failed to execute; the message names the notebook and the cell."""


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
    lines = ["# Parameters injected by `python -m dxminutes report`"]
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
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                return ReportError(
                    f"notebook {name}: cell {i} ({first!r}) raised "
                    f"{output.get('ename')}: {_ANSI.sub('', output.get('evalue', ''))}"
                )
    return ReportError(f"notebook {name}: {_ANSI.sub('', str(exc)).strip()}")


def execute_notebook(nb, *, cwd: Path, env: Mapping[str, str], name: str, timeout: int = 900):
    """Run `nb` in a fresh kernel of this Python (the venv's ipykernel); return it executed."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    # kernel_dirs=[] makes jupyter_client use ipykernel's own spec, run with sys.executable,
    # whatever kernels a user has installed elsewhere.
    km = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[]))
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


def render_html(nb, title: str) -> str:
    """The notebook as a stand-alone HTML page (nbconvert's lab template)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(
        nb, resources={"metadata": {"name": title}}
    )
    return body


def write_index(entries: list[tuple[str, str]], parameters: Mapping, html_dir: Path) -> Path:
    """Write `index.html` linking each (file name, title) and listing the run's parameters."""
    links = "\n".join(f'  <li><a href="{html.escape(f)}">{html.escape(t)}</a></li>' for f, t in entries)
    params = "\n".join(
        f"  <tr><th>{html.escape(k)}</th><td>{html.escape(str(config.relpath(v) if k in PATH_PARAMETERS else v))}</td></tr>"
        for k, v in parameters.items()
        if v is not None
    )
    page = (
        '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
        "<title>dxminutes report</title>\n</head>\n<body>\n<h1>dxminutes report</h1>\n"
        f"<ol>\n{links}\n</ol>\n<h2>Run parameters</h2>\n<table>\n{params}\n</table>\n"
        "</body>\n</html>\n"
    )
    return _write_text(html_dir / "index.html", page)


def run_report(
    notebooks_dir: os.PathLike | str | None = None,
    *,
    parameters: Mapping,
    reports_dir: os.PathLike | str | None = None,
    save_notebooks: bool = True,
    timeout: int = 900,
    pattern: str = NOTEBOOK_GLOB,
    force: bool = False,
) -> list[Path]:
    """Execute every `NN-*.py` notebook in order; return the files written (HTML last is index).

    `parameters` holds the run's settings (RAW_DIR, PROCESSED_DIR, THEMES_PATH, K, N_BOOT,
    MIN_COUNT, …); keys set to None are left out. A notebook whose inputs and outputs are
    unchanged since its last run is not executed again (unless `force`). Raises ReportError
    naming the notebook and cell when a notebook fails.
    """
    import nbformat

    notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else config.NOTEBOOKS_DIR
    reports_dir = Path(reports_dir) if reports_dir is not None else config.REPORTS_DIR
    parameters = {k: v for k, v in parameters.items() if v is not None}
    sources = sorted(notebooks_dir.glob(pattern))
    if not sources:
        raise FileNotFoundError(f"no notebooks matching {pattern!r} in {config.relpath(notebooks_dir)}")
    env = kernel_environment(parameters, reports_dir)
    replacements = _path_replacements(notebooks_dir, reports_dir, env)
    html_dir = reports_dir / "html"
    written, entries = [], []
    for source in sources:
        fingerprint = incremental.input_fingerprint(
            source, {**parameters, "save_notebooks": save_notebooks}, env
        )
        record_path = incremental.record_path(env, source)
        record = (
            None if force else incremental.cached_run(record_path, fingerprint, reports_dir, notebooks_dir)
        )
        if record is not None:
            entries.append((f"{source.stem}.html", record["title"]))
            continue
        before = incremental.snapshot(reports_dir)
        nb = inject_parameters(_read_notebook(source), parameters)
        nb = execute_notebook(nb, cwd=notebooks_dir, env=env, name=source.name, timeout=timeout)
        clean_notebook(nb, replacements)
        mine = []
        if save_notebooks:
            mine.append(_write_text(source.with_suffix(".ipynb"), nbformat.writes(nb) + "\n"))
        title = notebook_title(nb, source.stem)
        mine.append(_write_text(html_dir / f"{source.stem}.html", render_html(nb, title)))
        entries.append((f"{source.stem}.html", title))
        changed = {
            rel for rel, stamp in incremental.snapshot(reports_dir).items() if before.get(rel) != stamp
        }
        outputs = {f"reports/{rel}": sha256_file(reports_dir / rel) for rel in sorted(changed)}
        if save_notebooks:
            outputs[f"notebooks/{source.with_suffix('.ipynb').name}"] = sha256_file(mine[0])
        incremental.write_record(record_path, fingerprint, title, outputs)
        written += mine
    written.append(write_index(entries, parameters, html_dir))
    return written


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


def _cli(args) -> int:
    pattern = Path(args.notebooks) if args.notebooks else None
    notebooks_dir = pattern.parent if pattern is not None and pattern.parent != Path(".") else None
    parameters = {
        "RAW_DIR": args.data,
        "PROCESSED_DIR": args.processed,
        "THEMES_PATH": args.themes,
        "K": args.k,
        "N_BOOT": args.n_boot,
        "MIN_COUNT": args.min_count,
    }
    try:
        written = run_report(
            notebooks_dir,
            parameters=parameters,
            reports_dir=args.reports,
            save_notebooks=not args.no_save_notebooks,
            force=args.force,
            pattern=pattern.name if pattern is not None else NOTEBOOK_GLOB,
        )
    except (ReportError, FileNotFoundError) as exc:
        print(f"report failed: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(config.relpath(path))
    return 0


def register_cli(subparsers) -> None:
    """Add the `report` command."""
    p = subparsers.add_parser("report", help="execute the notebooks and write reports/")
    p.add_argument("--data", metavar="RAW_DIR", type=Path, help="folder of raw minutes")
    p.add_argument("--processed", metavar="DIR", type=Path, help="folder of processed tables")
    p.add_argument("--reports", metavar="DIR", type=Path, help="output folder (default reports/)")
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
        help="do not write the executed .ipynb next to the .py files",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="execute every notebook even when its inputs and outputs are unchanged",
    )
    p.set_defaults(func=_cli)
