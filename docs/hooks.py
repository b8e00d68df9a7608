"""MkDocs hook: bring the repository files the docs link to into the site, without copies in git.

The rendered notebooks (`notebooks/*.ipynb`, shown by mkdocs-jupyter), the benchmark results, the
gold samples' READMEs and the report's figures live where the pipeline writes them; this hook adds
them to the site's files under the same relative paths, so a page links `../notebooks/….ipynb`.
It runs before mkdocs-jupyter's `on_files` (higher priority), which then converts the notebooks.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path, PurePosixPath

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[1]
#: Repository files (globs relative to the project) that the site includes as they are.
EXTRA = ("notebooks/*.ipynb", "benchmarks/RESULTS*.md", "data/gold/*.md", "reports/figures/*.png")


@event_priority(100)
def on_files(files: Files, config) -> Files:
    for pattern in EXTRA:
        for path in sorted(ROOT.glob(pattern)):
            rel = path.relative_to(ROOT).as_posix()
            if files.get_file_from_path(rel) is None:
                files.append(
                    File(
                        rel,
                        src_dir=str(ROOT),
                        dest_dir=config["site_dir"],
                        use_directory_urls=config["use_directory_urls"],
                    )
                )
    return files


LINK_RE = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def on_page_markdown(markdown: str, page, config, files: Files) -> str:
    """Links that leave `docs/` resolve against the repository, as on the repository's web page:
    to a file the site holds, the link points at it; to any other file of the repository, the
    link becomes its path as code (the site does not hold it)."""
    source = Path(page.file.abs_src_path).parent

    def fix(match: re.Match) -> str:
        bang, text, target = match.groups()
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = (source / path).resolve()
        try:
            rel = resolved.relative_to(ROOT).as_posix()
        except ValueError:
            return match.group(0)
        site = rel.removeprefix("docs/")
        if files.get_file_from_path(site) is not None:
            here = PurePosixPath(page.file.src_uri).parent
            link = posixpath.relpath(site, here.as_posix() or ".")
            return f"{bang}[{text}]({link}{'#' + anchor if anchor else ''})"
        return f"{text} (`{rel}`)" if text and text.strip("`") != rel else f"`{rel}`"

    return LINK_RE.sub(fix, markdown)
