"""Nothing from the minutes runs as script in a report page (issue 20, item 2).

Payloads go through the file name, the municipality, the body, the speaker, the quote text and
the theme label; every page is opened in headless Chromium, where a payload that ran would set
`document.title` to XSS. A control page built from the raw (unescaped) Markdown shows that the
check sees a payload that runs.
"""

from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from test_explorer import DevTools, _chromium, _open

from dxminutes import config
from dxminutes.report import render as report
from dxminutes.report import summaries

MARK = "XSS"
PAYLOADS = (
    f"<script>document.title='{MARK}'</script>",
    f'"><img src=x onerror="document.title=\'{MARK}\'">',
    f"</script><script>document.title='{MARK}'</script>",
)
PAYLOAD = "".join(PAYLOADS)
#: Every notebook of the report (each page is opened in Chromium).
NOTEBOOK_PATTERN = report.NOTEBOOK_GLOB


@pytest.fixture(scope="module")
def browser():
    binary = _chromium()
    if binary is None:
        pytest.fail("Chromium is required (apt-get install chromium; .ci/run installs it)")
    tools = DevTools(binary)
    yield tools
    tools.close()


def _ran(browser, page: Path) -> bool:
    """True when a payload ran in `page` (it sets the title), or left a live onerror handler."""
    browser.events.clear()
    _open(browser, page)
    time.sleep(0.3)  # an <img onerror> fires after the load
    title = browser.evaluate("document.title")
    handlers = browser.evaluate("document.querySelectorAll('[onerror]').length")
    return title == MARK or handlers > 0


class _Themes:
    keys = ("dx",)
    labels = (("dx", "DX" + PAYLOADS[1]),)


def _profile_inputs():
    municipality = "豊島区" + PAYLOADS[0]
    profiles = pd.DataFrame(
        [
            {
                "municipality": municipality,
                "prefecture": "東京都" + PAYLOADS[2],
                "body": "本部" + PAYLOADS[1],
                "meeting_date": "2021-06-04",
                "record_kind": "summary",
                "turns": 10,
                "n_chars": 1000,
                "official_turn_share": 0.5,
                "unknown_role_turns": 0,
                "distinctive_terms": "計画" + PAYLOADS[0],
                "share_dx": 0.4,
                "ci_low_dx": 0.2,
                "ci_high_dx": 0.6,
                "terms_dx": "推進" + PAYLOADS[2],
                "verdict_dx": "more than the others",
                "turns_dx": 4,
                "p_cell_dx": 0.01,
                "p_cell_adj_dx": 0.02,
                "adjustment_dx": "holm",
            }
        ]
    )
    quotes = pd.DataFrame(
        [
            {
                "municipality": municipality,
                "theme": "dx",
                "quote": "DXを進める" + PAYLOAD,
                "speaker": "山田" + PAYLOADS[1],
                "role": "member" + PAYLOADS[0],
            }
        ]
    )
    return municipality, profiles, quotes


def _markdown_page(tmp_path: Path, markdown: str, name: str) -> Path:
    """A notebook whose cell displays `markdown` (as notebook 05 does), rendered as the report does."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("display(Markdown(profile))")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/markdown": markdown, "text/plain": "x"})
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Profiles"), cell]
    page = tmp_path / f"{name}.html"
    page.write_text(report.render_html(nb, "Profiles"), encoding="utf-8")
    return page


def test_profile_markdown_escapes_every_field_in_chromium(browser, tmp_path):
    municipality, profiles, quotes = _profile_inputs()
    markdown = summaries.profile_markdown(municipality, profiles, quotes, _Themes)
    for raw in ("<script", "<img", "</script"):
        assert raw not in markdown
    page = _markdown_page(tmp_path, markdown, "escaped")
    assert not _ran(browser, page)
    text = browser.evaluate("document.body.innerText")
    assert PAYLOADS[0] in text and "DXを進める" in text  # shown as text, not dropped

    control = _markdown_page(tmp_path, f"### {municipality}\n\n> {PAYLOAD}", "control")
    assert _ran(browser, control)  # the same payload unescaped does run: the check can fail


def test_markdown_text_leaves_no_markup():
    assert summaries.markdown_text("a_b *c* [l](u) `x` #h |t| 2023-10-16") == (
        r"a\_b \*c\* \[l\](u) \`x\` \#h \|t\| 2023-10-16"
    )
    assert summaries.markdown_text("<b>\n# x") == r"&lt;b&gt; \# x"  # one line: no new block


# --- a real report on a corpus full of payloads ------------------------------------------------------


def _payload_corpus(root: Path) -> tuple[Path, Path]:
    raw = root / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    with open(raw / "catalog.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["file"].startswith("toshima"):
            row["municipality"] = "豊島区" + PAYLOADS[0]
            row["body"] = "行政情報化推進本部" + PAYLOADS[1]
            row["sha256"] = ""
    with open(raw / "catalog.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    toshima = next(raw.glob("toshima*.txt"))
    text = toshima.read_text(encoding="utf-8")
    toshima.write_text(
        text + f"\n(委員)\nDX推進計画の情報セキュリティについて{PAYLOAD}を伺います。\n", encoding="utf-8"
    )
    (raw / f"{PAYLOADS[1].replace('/', '')}.txt").write_bytes(b"\x00\x01binary" * 10)  # a failure
    themes = root / "themes.toml"
    source = config.THEMES_PATH.read_text(encoding="utf-8")
    themes.write_text(source.replace('label_en = "Digital transformation"', f"label_en = {PAYLOADS[2]!r}"))
    return raw, themes


@pytest.fixture(scope="module")
def payload_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss")
    raw, themes = _payload_corpus(root)
    out = root / "out"
    report.check_out(out, raw_dir=raw)
    report._build_corpus(raw, out / "processed")
    report.run_report(
        parameters={
            "RAW_DIR": raw,
            "PROCESSED_DIR": out / "processed",
            "THEMES_PATH": themes,
            "N_BOOT": 50,
            "K": 4,
        },
        reports_dir=out,
        notebooks_out=out / "notebooks",
        pattern=NOTEBOOK_PATTERN,
        timeout=600,
    )
    return out


@pytest.mark.slow
def test_no_payload_runs_on_any_page_of_a_real_report(browser, payload_report):
    pages = sorted([*(payload_report / "html").glob("*.html"), *(payload_report / "explorer").glob("*.html")])
    names = {p.name for p in pages}
    expected = {f"{p.stem}.html" for p in config.NOTEBOOKS_DIR.glob(NOTEBOOK_PATTERN)}
    assert expected | {"index.html", "tables.html", "all.html", "theme-dx.html"} <= names
    profiles = (payload_report / "html" / "05-municipality-profiles.html").read_text(encoding="utf-8")
    assert (
        "豊島区&amp;lt;script" in profiles or "豊島区&lt;script" in profiles
    )  # the municipality is there, as text
    for page in pages:
        assert not _ran(browser, page), page.name
