"""OUT is the tool's own folder: checks, lock, manifest, and the swap that makes a run current.

OUT is the tool's own folder. `OUT/.dxminutes-report.json` (the manifest) lists the files the
report holds; a run deletes only files of its own, and files of others in the way are moved to
`OUT/.dxminutes-displaced/`. OUT may not be, contain or lie inside DATA or the repository's
source folders (`check_out`); a non-empty OUT without a manifest is refused unless `--force`
(the repository's own `reports/` is adopted; `prepare_out`). `OUT/.dxminutes-report.lock` (an OS
lock, `out_lock`) serializes runs into one OUT: a second run waits and says so.

Two ways a finished run becomes the report:

* **The links layout** (any OUT but the seed report, when the notebooks go to `OUT/notebooks/`):
  each run is built whole in `OUT/.runs/<id>/` (html/, figures/, tables/, explorer/, notebooks/
  and `.dxminutes-run.json`: the run's id, state and the files it wrote). OUT's visible entries
  are relative links `OUT/<entry> -> .current/<entry>`, made once, and `OUT/.current ->
  .runs/<id>` is switched by one `os.replace` of a fresh link: the single commit point
  (`switch_to`). Killed at any instant, `.current` points at a whole old or a whole new run, so
  the report a reader opens is whole without any recovery. After the switch the manifest is
  written (layout, current run, links, files) and the tool's other runs are removed; a folder in
  `.runs/` without our run file is never touched. `OUT/processed/` stays a real folder: the
  build writes it (atomically, with its own manifest) before the notebooks run.
  Files someone puts into the report's folders (`OUT/html/mine.html` lands in the current run)
  are carried into the next run (hard links) before the switch, so they stay where they were.
* **The journaled swap** (the seed report, whose `reports/` and `notebooks/*.ipynb` git tracks;
  a run whose notebooks go elsewhere; and the fallback): the run is staged in `OUT/.staging/`
  and moved in file by file through a journal (`OUT/.dxminutes-journal.json`): killed before it
  is written, the previous report is untouched; killed after, the next run completes the swap
  first (`recover`).

Migration from the old real-folder layout: when a user OUT's report is real folders owned per the
manifest, the run first hard-links those files into a run of their own, points `.current` at it,
and turns each folder into its link (renameat2 RENAME_EXCHANGE trades folder and link in one
step; without it, a kill between the two renames is repaired by the next run), so the old
report stays whole throughout; then the new run is switched in as usual. A folder of the old
layout that holds files the tool did not write cannot become a link without moving them: such an
OUT keeps the journaled swap, and the run says so once and which files are in the way (chosen
over refusing: the run still succeeds and nothing moves). A file system that cannot make
symlinks (OSError from `os.symlink`) also keeps the journaled swap, said once.
"""

from __future__ import annotations

__all__ = ["CURRENT_NAME", "DISPLACED_NAME", "FAILED_NAME", "JOURNAL_NAME", "MANAGED_FOLDERS", "MIGRATING_PREFIX", "NOTEBOOK_GLOB", "OLD_NAME", "OUT_LOCK_NAME", "OUT_LOCK_TIMEOUT_S", "OUT_MANIFEST_NAME", "RESERVED_NAMES", "RUNS_NAME", "RUN_ENTRIES", "RUN_FILE", "SOURCE_FOLDERS", "STAGE_NAME", "SWAP_FAULT", "OutError", "ReportError", "check_out", "choose_layout", "current_run", "has_report", "new_run", "out_lock", "prepare_out", "read_out_manifest", "read_out_state", "recover", "recover_links", "switch_to"]  # fmt: skip

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

from dxminutes import config
from dxminutes._io import atomic_write

NOTEBOOK_GLOB = "[0-9][0-9]-*.py"
#: Folders of OUT a run replaces as a whole (plus `notebooks/` when the notebooks go there).
MANAGED_FOLDERS = ("html", "figures", "tables", "explorer")
STAGE_NAME = ".staging"
FAILED_NAME = ".failed"
OLD_NAME = ".previous"
#: Temporary files of `_io.atomic_path` (`.name.<pid>.<thread>.tmp.ext`): never part of a report.
_TEMPORARY = re.compile(r"^\..+\.\d+\.\d+\.tmp(?:\.[^.]+)?$")


class ReportError(RuntimeError):
    """A notebook failed to execute; the message names the notebook and the cell.

    `details` holds what ERROR.txt shows below the message (the cell's source line and its full
    traceback, ANSI colour codes stripped); `notebook` the executed notebook up to the failure
    (kept in `.failed/notebooks/`), when there is one.
    """

    def __init__(self, message: str, *, details: str = "", notebook=None, name: str | None = None):
        super().__init__(message)
        self.details = details
        self.notebook = notebook
        self.name = name


#: Bookkeeping of a report folder (all below OUT, all hidden).
OUT_MANIFEST_NAME = ".dxminutes-report.json"
OUT_LOCK_NAME = ".dxminutes-report.lock"
JOURNAL_NAME = ".dxminutes-journal.json"
DISPLACED_NAME = ".dxminutes-displaced"
#: Names in OUT that belong to the tool whatever the manifest says.
RESERVED_NAMES = (
    OUT_MANIFEST_NAME,
    OUT_LOCK_NAME,
    JOURNAL_NAME,
    DISPLACED_NAME,
    STAGE_NAME,
    FAILED_NAME,
    OLD_NAME,
    ".runs",  # RUNS_NAME
    ".current",  # CURRENT_NAME
)
#: Folders of the repository that no report may be, contain or lie inside.
SOURCE_FOLDERS = (
    "src",
    "notebooks",
    "tests",
    ".git",
    "requirements",
    "benchmarks",
    "docs",
    ".ci",
    "data/raw",
)
#: A second run into the same OUT waits this long for the first before giving up.
OUT_LOCK_TIMEOUT_S = 6 * 3600.0
#: Testing hook (as `corpus.build`'s): `DXMINUTES_FAULT=swap:N` kills the process (SIGKILL) at
#: step N of the swap: 0 = everything staged, 1 = journal written, 1+i = i-th move done, then
#: the manifest written, then the journal removed. In the links layout N counts the steps of
#: `switch_to` from 0 (built, sealed, each migration step, each entry link made, the switch,
#: the manifest); a run that gets past the last step simply finishes.
SWAP_FAULT = "swap"

_HELD_LOCKS: dict[str, int] = {}


class OutError(ReportError):
    """OUT cannot be used (refused, not a folder, not writable): one line naming OUT and why."""


def _fault_step(step: int) -> None:
    if os.environ.get("DXMINUTES_FAULT") == f"{SWAP_FAULT}:{step}":
        sys.stdout.flush()
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)


def _inside(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or lies below it (both resolved)."""
    return path == folder or folder in path.parents


def check_out(
    out: os.PathLike | str,
    *,
    raw_dir: os.PathLike | str | None = None,
    notebooks_dir: os.PathLike | str | None = None,
    notebooks_out: os.PathLike | str | None = None,
) -> None:
    """Refuse an OUT (OutError) that is a file, or is, contains or lies inside DATA or a source folder.

    The source folders are the repository's own (`SOURCE_FOLDERS`); OUT may also not be or
    contain the repository. The notebooks may go beside their sources (`notebooks_out` ==
    `notebooks_dir`, the seed report's `notebooks/*.ipynb`); anywhere else the same rules apply.
    """
    out = Path(out)
    shown = config.relpath(out) if out.is_absolute() else out.as_posix()
    resolved = out.resolve()
    project = config.PROJECT_DIR.resolve()
    targets = [("OUT", resolved)]
    if notebooks_out is not None and (
        notebooks_dir is None or Path(notebooks_out).resolve() != Path(notebooks_dir).resolve()
    ):
        targets.append(("the notebooks folder", Path(notebooks_out).resolve()))
    guarded = [(f"the repository's {name}/", project / name) for name in SOURCE_FOLDERS]
    guarded.append(("DATA", Path(raw_dir or config.RAW_DIR).resolve()))
    for what, target in targets:
        if _inside(project, target):
            raise OutError(f"{what} {shown} is or contains the repository: choose an empty folder of its own")
        for name, folder in guarded:
            if _inside(target, folder) or _inside(folder, target):
                relation = (
                    "is" if target == folder else ("lies inside" if _inside(target, folder) else "contains")
                )
                raise OutError(
                    f"{what} {shown} {relation} {name} ({config.relpath(folder)}): "
                    "a report never writes there; choose a folder of its own"
                )
    if out.exists() and not out.is_dir():
        raise OutError(f"OUT {shown} is not a folder")


@contextlib.contextmanager
def out_lock(out: os.PathLike | str, *, timeout: float = OUT_LOCK_TIMEOUT_S):
    """An OS lock on OUT (`OUT/.dxminutes-report.lock`) held for a whole run; re-entrant in a process.

    A second run into the same OUT waits (and says so once) until the first ends, however it ends.
    """
    out = Path(out)
    key = str(out.resolve())
    if _HELD_LOCKS.get(key):
        _HELD_LOCKS[key] += 1
        try:
            yield
        finally:
            _HELD_LOCKS[key] -= 1
        return
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle = open(out / OUT_LOCK_NAME, "a+b")  # noqa: SIM115  (held until the block ends)
    except OSError as exc:
        raise OutError(f"cannot write into OUT {_shown(out)} ({_os_reason(exc)})") from None
    deadline = time.monotonic() + timeout
    told = False
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OutError(
                        f"OUT {_shown(out)} is locked by another report run for over {timeout:.0f} s"
                    ) from None
                if not told:
                    print(f"waiting for another report run into {_shown(out)} …", file=sys.stderr)
                    told = True
                time.sleep(0.1)
        _HELD_LOCKS[key] = 1
        try:
            yield
        finally:
            _HELD_LOCKS.pop(key, None)
    finally:
        handle.close()


def _os_reason(exc: OSError) -> str:
    return "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or type(exc).__name__)


def read_out_manifest(out: os.PathLike | str) -> list[str] | None:
    """The files (relative to OUT) the last report run wrote, or None when OUT is not the tool's."""
    path = Path(out) / OUT_MANIFEST_NAME
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise OutError(f"{_shown(path)} cannot be read ({exc}): move it away or remove it") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or data.get("generator") != "dxminutes report":
        raise OutError(f"{_shown(path)} is not a dxminutes report manifest: move it away or remove it")
    return [f for f in files if isinstance(f, str)]


def _write_out_manifest(out: Path, files) -> None:
    payload = {"generator": "dxminutes report", "format": 1, "files": sorted(set(files))}
    atomic_write(
        out / OUT_MANIFEST_NAME,
        lambda p: p.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"),
    )


def _rel(path: Path, out: Path) -> str:
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(out))).as_posix()


def _is_own_processed(path: Path) -> bool:
    """A folder `corpus.build` wrote (it holds the build's manifest.json): the tool's own."""
    return path.is_dir() and not path.is_symlink() and (path / "manifest.json").is_file()


def _seed_files(out: Path, notebooks_dir: Path | None, notebooks_out: Path) -> list[str]:
    """The files of the repository's own report (reports/ and notebooks/NN-*.ipynb) before any manifest."""
    files = [
        _rel(p, out)
        for name in MANAGED_FOLDERS
        for p in sorted((out / name).rglob("*"))
        if p.is_file() and not p.is_symlink()
    ]
    if notebooks_dir is not None and notebooks_out.resolve() == notebooks_dir.resolve():
        files += [
            _rel(p, out)
            for p in sorted(notebooks_out.glob(NOTEBOOK_GLOB[:-3] + ".ipynb"))
            if p.with_suffix(".py").exists() and p.is_file() and not p.is_symlink()
        ]
    return files


def prepare_out(
    out: os.PathLike | str,
    *,
    force: bool = False,
    notebooks_dir: os.PathLike | str | None = None,
    notebooks_out: os.PathLike | str | None = None,
) -> set[str]:
    """Make OUT the tool's own (call with `out_lock` held); return the files it owns there.

    An interrupted swap is completed first (`recover`). OUT without a manifest is claimed when it
    is empty (or holds only the tool's bookkeeping and processed tables) and is the repository's
    own `reports/` (its files are adopted); a non-empty OUT of someone else's is refused unless
    `force`, and then nothing in it is deleted: files in the way are moved aside.
    """
    out = Path(out)
    recover(out)
    owned = read_out_manifest(out)
    if owned is not None:
        return set(owned)
    notebooks_dir = Path(notebooks_dir) if notebooks_dir is not None else None
    notebooks_out = Path(notebooks_out) if notebooks_out is not None else (notebooks_dir or out / "notebooks")
    if out.resolve() == (config.PROJECT_DIR / "reports").resolve():
        files = _seed_files(out, notebooks_dir, notebooks_out)
        _write_out_manifest(out, files)
        return set(files)
    others = sorted(
        entry.name
        for entry in out.iterdir()
        if entry.name not in RESERVED_NAMES and not (entry.name == "processed" and _is_own_processed(entry))
    )
    if others and not force:
        listed = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise OutError(
            f"OUT {_shown(out)} is not empty ({listed}) and holds no report of dxminutes "
            f"({OUT_MANIFEST_NAME}): choose an empty folder, or pass --force (make report FORCE=1) "
            f"to write into it; nothing of yours is deleted, files in the way go to {DISPLACED_NAME}/"
        )
    for name in (STAGE_NAME, FAILED_NAME, OLD_NAME, RUNS_NAME, CURRENT_NAME):  # someone else's,
        if others and _lexists(out / name):  # under --force: moved aside
            _move(out / name, out / DISPLACED_NAME / _run_id() / name)
    _write_out_manifest(out, [])
    return set()


def _run_id() -> str:
    global _RUNS_MADE
    _RUNS_MADE += 1
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{os.getpid()}-{_RUNS_MADE}"


_RUNS_MADE = 0


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)


def _move(src: Path, dst: Path) -> None:
    """Rename `src` onto `dst` (parents made); across file systems, copy beside `dst` then rename."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV or src.is_dir():
            raise
        tmp = dst.with_name(f".{dst.name}.{os.getpid()}.move.tmp")
        shutil.copy2(src, tmp)
        os.replace(tmp, dst)
        src.unlink()


def _real_inside(path: Path, roots: list[Path]) -> bool:
    """True when the folder holding `path` really lies in one of `roots` (symlinks followed)."""
    real = Path(os.path.realpath(path.parent))
    return any(_inside(real, root) for root in roots)


def _plan_swap(stage: Path, out: Path, notebooks_out: Path, owned: set[str]) -> dict:
    """The journal of a swap: moves aside, installs (index.html last) and deletions, in order.

    Every path is relative to OUT. A file in the way of an install that the tool did not write
    (or a folder, or a symlinked folder) is moved to `OUT/.dxminutes-displaced/<run>/`; a file of
    the previous report that the new one does not hold is deleted, never anything else.
    """
    installs: list[tuple[str, str]] = []
    sources = [(stage / name, out / name) for name in MANAGED_FOLDERS]
    sources.append((stage / "notebooks", notebooks_out))
    for staged_root, final_root in sources:
        if not staged_root.is_dir():
            continue
        for path in sorted(staged_root.rglob("*")):
            if path.is_file() and not _TEMPORARY.match(path.name):
                final = final_root / path.relative_to(staged_root)
                installs.append((_rel(path, out), _rel(final, out)))
    installs.sort(key=lambda pair: pair[1] == "html/index.html")  # the landing page goes last
    run = _run_id()
    displaced: list[str] = []
    ops: list[list[str]] = []

    def aside(rel: str) -> None:
        if rel not in displaced:
            displaced.append(rel)
            safe = "/".join("__parent__" if part == ".." else part for part in rel.split("/"))
            ops.append(["displace", rel, f"{DISPLACED_NAME}/{run}/{safe}"])

    for _, final_rel in installs:
        final = Path(os.path.abspath(out / final_rel))  # lexical: symlinks in the way are seen
        base = Path(os.path.abspath(out))
        if not _inside(final, base):
            base = Path(os.path.abspath(notebooks_out))
        for parent in reversed(final.parents):
            if parent == base or base not in parent.parents:
                continue
            if _lexists(parent) and (parent.is_symlink() or not parent.is_dir()):
                aside(_rel(parent, out))
        if _lexists(final) and (final.is_symlink() or final.is_dir() or final_rel not in owned):
            aside(final_rel)
    ops += [["install", staged, final] for staged, final in installs]
    new = {final for _, final in installs}
    # Notebooks beside their sources (outside OUT) are only ever replaced, never deleted: a run
    # of some notebooks, or without saving them, leaves the others' .ipynb as they are.
    kept = {rel for rel in owned - new if rel.startswith("../") and _lexists(out / rel)}
    roots = [out.resolve(), notebooks_out.resolve()]
    for rel in sorted(owned - new - kept):
        path = Path(os.path.normpath(out / rel))
        if _real_inside(path, roots) and path.is_file() and not path.is_symlink():
            ops.append(["delete", rel, ""])
    return {"stage": _rel(stage, out), "ops": ops, "files": sorted(new | kept), "displaced": displaced}


def _apply_journal(out: Path, journal: dict, *, faults: bool = False) -> None:
    """Carry out a journal; every step can be repeated, so a run killed at any step is completed
    by applying the same journal again."""
    for i, (kind, src, dst) in enumerate(journal["ops"], start=2):
        source = Path(os.path.normpath(out / src))
        if kind == "displace":
            target = out / dst
            if _lexists(source) and not _lexists(target):
                _move(source, target)
        elif kind == "install":
            if _lexists(source):
                _move(source, Path(os.path.normpath(out / dst)))
        elif kind == "delete":
            source.unlink(missing_ok=True)
            _prune_empty(source.parent, out)
        if faults:
            _fault_step(i)
    n = len(journal["ops"]) + 2
    _write_out_manifest(out, journal["files"])
    if faults:
        _fault_step(n)
    (out / JOURNAL_NAME).unlink(missing_ok=True)
    if faults:
        _fault_step(n + 1)
    shutil.rmtree(Path(os.path.normpath(out / journal["stage"])), ignore_errors=True)


def _prune_empty(folder: Path, out: Path) -> None:
    """Remove folders emptied by deletions, up to (not including) a managed folder or OUT."""
    stops = {out.resolve(), *((out / name).resolve() for name in MANAGED_FOLDERS)}
    while _inside(folder.resolve(), out.resolve()) and folder.resolve() not in stops:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def recover(out: os.PathLike | str) -> bool:
    """Complete a swap that a killed run left half done; True if there was a journal.

    The journaled swap is completed from its journal; in the links layout the leftovers of a
    killed run (temporary links, runs that never became current, a half-done migration) are
    cleared and a manifest older than `.current` is brought up to date (`recover_links`).
    """
    out = Path(out)
    recover_links(out)
    path = out / JOURNAL_NAME
    try:
        journal = json.loads(path.read_bytes())
    except FileNotFoundError:
        return False
    except (OSError, ValueError):  # a journal is written atomically: unreadable means not ours
        raise OutError(f"{_shown(path)} cannot be read: move it away or remove it") from None
    _apply_journal(out, journal)
    return True


def _swap_in(stage: Path, reports_dir: Path, notebooks_out: Path, owned: set[str] | None = None) -> list[str]:
    """Move the staged report into `reports_dir` (notebooks to `notebooks_out`) through a journal.

    The journal (`OUT/.dxminutes-journal.json`, written atomically) is the commit point: killed
    before it, the previous report is untouched; killed after it, the next run (or `recover`)
    completes the swap. Only files of the previous report (its manifest) are ever deleted; files
    of others in the way are moved aside. Returns the paths moved aside (relative to OUT).
    """
    owned = set(read_out_manifest(reports_dir) or []) if owned is None else owned
    journal = _plan_swap(stage, reports_dir, notebooks_out, owned)
    _fault_step(0)
    atomic_write(
        reports_dir / JOURNAL_NAME,
        lambda p: p.write_text(json.dumps(journal, ensure_ascii=False, indent=1), encoding="utf-8"),
    )
    _fault_step(1)
    _apply_journal(reports_dir, journal, faults=True)
    return journal["displaced"]


def _keep_failed(stage: Path, reports_dir: Path, message: str, details: str = "") -> Path:
    """Move the staged partial run to `<reports_dir>/.failed/` and write ERROR.txt there: the
    message (notebook, cell, error), then `details` (the cell and its full traceback)."""
    failed = reports_dir / FAILED_NAME
    shutil.rmtree(failed, ignore_errors=True)
    if stage.exists():
        os.replace(stage, failed)
    failed.mkdir(parents=True, exist_ok=True)
    text = message.rstrip() + "\n" + (f"\n{details.rstrip()}\n" if details.strip() else "")
    (failed / "ERROR.txt").write_text(text, encoding="utf-8")
    return failed


def has_report(out: os.PathLike | str) -> bool:
    """Whether `out` holds a report of an earlier run (a failed run never touches it)."""
    return (Path(out) / "html" / "index.html").exists()


def _shown(path: Path) -> str:
    """A path for the terminal: relative to the working directory when below it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


# --- the links layout: each run in OUT/.runs/<id>/, one symlink switch makes it current --------

RUNS_NAME = ".runs"
CURRENT_NAME = ".current"
#: In each run folder: the run's id, state ("building" or "complete") and the files it wrote.
RUN_FILE = ".dxminutes-run.json"
#: A folder of the old real-folder layout on its way out (`_finish_migration`).
MIGRATING_PREFIX = ".dxminutes-migrating-"
#: OUT's visible entries in the links layout, each a relative link `<entry> -> .current/<entry>`.
RUN_ENTRIES = (*MANAGED_FOLDERS, "notebooks")
_TEMP_LINK = re.compile(r"^\..+\.\d+\.link\.tmp$")


class _Steps:
    """The kill points of the links switch: `DXMINUTES_FAULT=swap:N` kills at the N-th call (from 0)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> None:
        _fault_step(self.n)
        self.n += 1


def _link_target(entry: str) -> str:
    return f"{CURRENT_NAME}/{entry}"


def _is_our_link(path: Path, entry: str) -> bool:
    return path.is_symlink() and os.readlink(path) == _link_target(entry)


def _replace_link(target: str, path: Path) -> None:
    """Make `path` a symlink to `target` in one step: a fresh link renamed over it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.link.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, path)


def current_run(out: os.PathLike | str) -> Path | None:
    """The run folder `OUT/.current` points at, or None (no links layout, or a link not ours)."""
    link = Path(out) / CURRENT_NAME
    if not link.is_symlink():
        return None
    parts = Path(os.readlink(link)).parts
    if len(parts) != 2 or parts[0] != RUNS_NAME or parts[1] in ("..", "."):
        return None
    return Path(out) / RUNS_NAME / parts[1]


def read_out_state(out: os.PathLike | str) -> dict | None:
    """The whole manifest of OUT (`read_out_manifest` gives its files), or None."""
    if read_out_manifest(out) is None:
        return None
    return json.loads((Path(out) / OUT_MANIFEST_NAME).read_bytes())


def _read_run_file(run: Path) -> dict | None:
    try:
        data = json.loads((run / RUN_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("generator") == "dxminutes report" else None


def _write_json(path: Path, payload: dict) -> None:
    text = json.dumps(payload, ensure_ascii=False, indent=1) + "\n"
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def _write_run_file(run: Path, state: str, files=()) -> None:
    _write_json(
        run / RUN_FILE,
        {"generator": "dxminutes report", "run": run.name, "state": state, "files": sorted(files)},
    )


def _write_links_manifest(out: Path, run: Path, files) -> None:
    _write_json(
        out / OUT_MANIFEST_NAME,
        {
            "generator": "dxminutes report",
            "format": 2,
            "layout": "links",
            "current": f"{RUNS_NAME}/{run.name}",
            "links": [CURRENT_NAME, *RUN_ENTRIES],
            "files": sorted(set(files)),
        },
    )


def new_run(out: os.PathLike | str) -> Path:
    """A fresh run folder `OUT/.runs/<id>/`, marked as the tool's (state "building")."""
    while True:
        run = Path(out) / RUNS_NAME / _run_id()
        try:
            run.mkdir(parents=True)
            break
        except FileExistsError:
            continue
    _write_run_file(run, "building")
    return run


def _run_files(run: Path) -> list[str]:
    return sorted(
        p.relative_to(run).as_posix()
        for p in run.rglob("*")
        if p.is_file() and not p.is_symlink() and p.name != RUN_FILE and not _TEMPORARY.match(p.name)
    )


def _link_or_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def choose_layout(out: os.PathLike | str, notebooks_out: os.PathLike | str, *, seed: bool) -> tuple[str, str]:
    """ "links" or "journal" for a run into `out`, and why not links when that is worth saying.

    The seed report (git tracks its files) and a run whose notebooks go outside OUT keep the
    journaled swap silently. So does OUT, with a reason, when a folder of the old real-folder
    layout holds files the report did not write (it cannot become a link without moving them)
    or when OUT cannot hold symbolic links.
    """
    out = Path(out)
    if seed or Path(os.path.abspath(notebooks_out)) != Path(os.path.abspath(out / "notebooks")):
        return "journal", ""
    if current_run(out) is None:  # a report of the old layout (or none): real folders to migrate
        owned = set(read_out_manifest(out) or [])
        held = []
        for entry in RUN_ENTRIES:
            path = out / entry
            if path.is_symlink() or not path.is_dir():
                continue
            theirs = sorted(
                _rel(p, path)
                for p in path.rglob("*")
                if (p.is_file() or p.is_symlink())
                and _rel(p, out) not in owned
                and not _TEMPORARY.match(p.name)
            )
            if theirs:
                held.append(f"{entry}/ ({', '.join(theirs[:3])}{' …' if len(theirs) > 3 else ''})")
        if held:
            return "journal", (
                f"OUT {_shown(out)}: {'; '.join(held)} hold files the report did not write, so "
                "these folders cannot become links to the report's runs; the report is swapped in "
                "file by file through a journal instead (move those files out of the report's "
                "folders for the atomic switch)"
            )
    probe = out / f".dxminutes-probe.{os.getpid()}.link.tmp"
    try:
        out.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            probe.unlink()
        os.symlink(".", probe)
    except OSError as exc:
        return "journal", (
            f"OUT {_shown(out)} cannot hold symbolic links ({_os_reason(exc)}): the report is "
            "swapped in file by file through a journal instead"
        )
    probe.unlink()
    return "links", ""


def _dispose(folder: Path, out: Path, entry: str, owned: set[str], run_id: str) -> list[str]:
    """Remove a folder of the old layout: files the tool wrote are deleted, others moved aside."""
    aside = []
    for p in sorted(folder.rglob("*"), reverse=True):
        rel = f"{entry}/{p.relative_to(folder).as_posix()}"
        if p.is_dir() and not p.is_symlink():
            with contextlib.suppress(OSError):
                p.rmdir()
        elif rel in owned and p.is_file() and not p.is_symlink():
            p.unlink()
        else:
            _move(p, out / DISPLACED_NAME / run_id / rel)
            aside.append(rel)
    with contextlib.suppress(OSError):
        folder.rmdir()
    return aside


def _finish_migration(out: Path, owned: set[str], step=lambda: None) -> list[str]:
    """Turn each real folder of the old layout into a link `<entry> -> .current/<entry>`.

    `.current` already points at a run holding the same files, so the report stays whole: with
    renameat2 the link and the folder trade places in one step; without it there is an instant
    with no entry at all, which `recover_links` repairs (it makes missing links).
    """
    aside: list[str] = []
    run_id = _run_id()
    for entry in RUN_ENTRIES:
        path, parked = out / entry, out / f"{MIGRATING_PREFIX}{entry}"
        if parked.is_symlink():  # a killed migration's link, made but never exchanged
            parked.unlink()
        elif parked.is_dir():
            aside += _dispose(parked, out, entry, owned, run_id)
        if path.is_symlink() or not path.is_dir():
            continue
        os.symlink(_link_target(entry), parked)
        if not _exchange(parked, path):
            parked.unlink()
            os.replace(path, parked)
            os.symlink(_link_target(entry), path)
        step()
        aside += _dispose(parked, out, entry, owned, run_id)
        step()
    return aside


def _migrate(out: Path, owned: set[str], step) -> list[str]:
    """Make the old real-folder report a run and current, then its folders links (see module doc)."""
    legacy = [e for e in RUN_ENTRIES if (out / e).is_dir() and not (out / e).is_symlink()]
    if not legacy:
        return []
    old = new_run(out)
    copied = []
    for entry in RUN_ENTRIES:
        (old / entry).mkdir(exist_ok=True)
    for entry in legacy:
        for p in sorted((out / entry).rglob("*")):
            rel = _rel(p, out)
            if rel in owned and p.is_file() and not p.is_symlink():
                _link_or_copy(p, old / rel)
                copied.append(rel)
    _write_run_file(old, "complete", copied)
    step()
    _replace_link(f"{RUNS_NAME}/{old.name}", out / CURRENT_NAME)
    step()
    return _finish_migration(out, owned, step)


def _remove_old_runs(out: Path, keep: Path | None) -> list[str]:
    """Remove the tool's runs other than `keep`; files in them it did not write are carried into
    `keep` (or moved aside when that place is taken). Returns what was moved aside."""
    runs = out / RUNS_NAME
    aside: list[str] = []
    if not runs.is_dir() or runs.is_symlink():
        return aside
    for run in sorted(runs.iterdir()):
        if (keep is not None and run.name == keep.name) or run.is_symlink() or not run.is_dir():
            continue
        info = _read_run_file(run)
        if info is None:  # not a run of ours: left alone
            continue
        ours = set(info.get("files") or []) if info.get("state") == "complete" else None
        for p in sorted(run.rglob("*")):
            if (p.is_dir() and not p.is_symlink()) or p.name == RUN_FILE or _TEMPORARY.match(p.name):
                continue
            rel = p.relative_to(run).as_posix()
            if ours is None or rel in ours:
                continue
            if keep is not None and _lexists(keep / rel) and _same_file(p, keep / rel):
                p.unlink()  # carried into `keep` before the switch (`_carry_forward`)
            elif keep is not None and not _lexists(keep / rel):
                _move(p, keep / rel)  # someone's file put into the report's folders: kept in view
            else:
                _move(p, out / DISPLACED_NAME / run.name / rel)
                aside.append(rel)
        shutil.rmtree(run)
    return aside


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _carry_forward(current: Path | None, run: Path) -> None:
    """Files someone put into the current report (OUT/html/mine.html lands in its run) appear in
    the new run too (hard links, copies where those fail) before the switch, so they stay in view."""
    if current is None or not current.is_dir():
        return
    info = _read_run_file(current)
    if info is None or info.get("state") != "complete":
        return
    ours = set(info.get("files") or [])
    for p in sorted(current.rglob("*")):
        rel = p.relative_to(current).as_posix()
        if p.is_symlink() or not p.is_file() or rel in ours or p.name == RUN_FILE:
            continue
        if not _lexists(run / rel) and not _TEMPORARY.match(p.name):
            _link_or_copy(p, run / rel)


def recover_links(out: os.PathLike | str) -> None:
    """Clear what a killed run of the links layout left (call with `out_lock` held).

    Temporary links go; a half-done migration is completed; missing entry links are made; a
    manifest older than `.current` is brought up to date from the current run's file list; runs
    of ours other than the current one are removed (files of others in them are kept).
    """
    out = Path(out)
    if not out.is_dir() or read_out_manifest(out) is None:  # not the tool's: nothing to clear
        return
    for entry in out.iterdir():
        if _TEMP_LINK.match(entry.name) and entry.is_symlink():
            entry.unlink()
    state = read_out_state(out) or {}
    named = state.get("current") if state.get("layout") == "links" else None
    if not _lexists(out / CURRENT_NAME) and isinstance(named, str):
        parts = Path(named).parts
        if len(parts) == 2 and parts[0] == RUNS_NAME and (out / named / RUN_FILE).is_file():
            _replace_link(named, out / CURRENT_NAME)  # `.current` lost: the manifest's run again
    run = current_run(out)
    if run is None or not run.is_dir():
        if not _lexists(out / CURRENT_NAME):
            _remove_old_runs(out, keep=None)
        return
    if state.get("layout") != "links":
        _finish_migration(out, set(state.get("files") or []))
    for entry in RUN_ENTRIES:
        if not _lexists(out / entry):
            _replace_link(_link_target(entry), out / entry)
    info = _read_run_file(run) or {}
    if state.get("layout") != "links" or state.get("current") != f"{RUNS_NAME}/{run.name}":
        _write_links_manifest(out, run, info.get("files") or _run_files(run))
    _remove_old_runs(out, keep=run)


def switch_to(run: Path, out: Path, owned: set[str]) -> list[str]:
    """Make `run` (a whole report in `OUT/.runs/<id>/`) OUT's report; return what was moved aside.

    In order, each step a kill point (`_Steps`): the run is sealed (its file list written); a
    report of the old real-folder layout becomes a run of its own and current, and its folders
    links (`_migrate`); every entry of OUT is made a link into `.current` (something else in
    the way is moved aside); then one `os.replace` of a fresh link switches `.current` to the
    run: the commit point. The manifest is written and the old runs are removed after it.
    """
    step = _Steps()
    step()
    for entry in RUN_ENTRIES:
        (run / entry).mkdir(exist_ok=True)
    files = _run_files(run)
    _write_run_file(run, "complete", files)
    step()
    _carry_forward(current_run(out), run)
    aside = _migrate(out, owned, step) if current_run(out) is None else []
    for entry in RUN_ENTRIES:
        path = out / entry
        if _is_our_link(path, entry):
            continue
        if _lexists(path):  # someone else's file, link or folder: kept, then replaced
            parked = out / DISPLACED_NAME / run.name / entry
            parked.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                os.symlink(os.readlink(path), parked)
            elif path.is_dir():
                _move(path, parked)
            else:
                _link_or_copy(path, parked)
            aside.append(entry)
        _replace_link(_link_target(entry), path)
        step()
    _replace_link(f"{RUNS_NAME}/{run.name}", out / CURRENT_NAME)  # the commit point
    step()
    _write_links_manifest(out, run, files)
    step()
    aside += _remove_old_runs(out, keep=run)
    return aside
