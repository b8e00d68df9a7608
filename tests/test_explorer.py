"""The term explorer: its data on a small known corpus, and the page in headless Chromium.

The browser test starts Chromium with the DevTools protocol on a free port, loads the page from
`file://`, collects console errors and uncaught exceptions, clicks a term's point and reads the
KWIC rows from the DOM. Without Chromium it skips locally and fails under CI=true
(`.ci/run` installs it).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from dxminutes.report import explorer


def _turns():
    rows = [
        (
            "a:0000",
            "a",
            "流山市",
            "2024-07-17",
            0,
            "山田",
            "member",
            "情報セキュリティの研修を行う。情報セキュリティは重要。",
        ),
        ("a:0001", "a", "流山市", "2024-07-17", 1, "事務局", "official", "研修の計画です。"),
        ("b:0000", "b", "長崎市", "2022-03-30", 0, "佐藤", "member", "窓口の研修について。"),
        ("b:0001", "b", "長崎市", "2022-03-30", 1, "事務局", "official", "窓口を改善します。窓口です。"),
    ]
    cols = ["turn_id", "doc_id", "municipality", "meeting_date", "position", "speaker", "role", "text"]
    return pd.DataFrame(rows, columns=cols)


def _tokens(turns):
    terms = {
        "a:0000": ["情報セキュリティ", "研修", "情報セキュリティ"],
        "a:0001": ["研修", "計画"],
        "b:0000": ["窓口", "研修"],
        "b:0001": ["窓口", "窓口"],
    }
    meta = turns.set_index("turn_id")
    return pd.DataFrame(
        [
            {
                "turn_id": t,
                "municipality": meta.loc[t, "municipality"],
                "role": meta.loc[t, "role"],
                "term": term,
            }
            for t, ts in terms.items()
            for term in ts
        ]
    )


def test_explorer_data_counts_sizes_and_postings_on_a_known_corpus():
    turns = _turns()
    data = explorer.explorer_data(_tokens(turns), turns)
    assert data["municipalities"] == ["流山市", "長崎市"]
    assert data["roles"] == ["member", "official"]
    # 計画 occurs once: below MIN_TOTAL = 2, so it is not shown
    assert set(data["counts"]) == {"情報セキュリティ", "研修", "窓口"}
    assert data["counts"]["研修"] == [[0, 0, 1], [0, 1, 1], [1, 0, 1]]
    assert data["counts"]["窓口"] == [[1, 0, 1], [1, 1, 2]]
    # all tokens count in the denominators, 計画 included
    assert data["sizes"] == [[0, 0, 3], [0, 1, 2], [1, 0, 2], [1, 1, 2]]
    assert data["postings"]["研修"] == [0, 1, 2]
    assert data["turns"][3][:4] == [1, "2022-03-30", "事務局", 1]
    only_a = explorer.explorer_data(_tokens(turns), turns, turn_ids=["a:0000", "a:0001"])
    assert only_a["municipalities"] == ["流山市"] and set(only_a["counts"]) == {"情報セキュリティ", "研修"}


def test_page_embeds_data_safely_and_is_deterministic():
    turns = _turns()
    turns.loc[0, "text"] = "</script><b>x</b> 研修"
    data = explorer.explorer_data(_tokens(turns), turns)
    page = explorer.render_page(data, "T <&>")
    assert page == explorer.render_page(explorer.explorer_data(_tokens(turns), turns), "T <&>")
    assert "<title>T &lt;&amp;&gt;</title>" in page
    body = page.split('<script id="data" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(body.replace("<\\/", "</"))["turns"][0][4].startswith("</script>")
    assert "http://" not in page.replace('"http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


# --- the page in a browser ----------------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class DevTools:
    """A minimal DevTools-protocol client for one page (websocket-client)."""

    def __init__(self, binary: str):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="dxm-chromium-")
        self.proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",  # Chromium 111+ refuses the websocket's Origin otherwise
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not start")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        import urllib.request

        for _ in range(100):
            targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json").read())
            pages = [t for t in targets if t.get("type") == "page"]
            if pages:
                break
            time.sleep(0.1)
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return message.get("result", {})
            self.events.append(message)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def errors(self) -> list[str]:
        out = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(json.dumps(params["exceptionDetails"], ensure_ascii=False)[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(json.dumps(params.get("args"), ensure_ascii=False)[:500])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                out.append(params["entry"].get("text", ""))
        return out

    def close(self):
        with contextlib.suppress(Exception):
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def seed_processed(tmp_path_factory):
    """The seed corpus built and tokenized into a temporary processed folder."""
    from dxminutes import config
    from dxminutes.corpus.build import build
    from dxminutes.text.token_table import build_token_table

    processed = tmp_path_factory.mktemp("processed")
    corpus = build(config.RAW_DIR, processed)
    build_token_table(corpus, processed_dir=processed, n_jobs=1)
    return processed


@pytest.fixture
def browser():
    binary = _chromium()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (.ci/run installs it)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    tools = DevTools(binary)
    yield tools
    tools.close()


def _open(browser, page: Path):
    browser.call("Runtime.enable")
    browser.call("Log.enable")
    browser.call("Page.enable")
    browser.call("Page.navigate", url=page.resolve().as_uri())
    for _ in range(200):
        if browser.evaluate("document.readyState") == "complete":
            break
        time.sleep(0.05)


def test_clicking_a_term_lists_its_kwic_lines_in_chromium(browser, tmp_path):
    turns = _turns()
    page = tmp_path / "all.html"
    page.write_text(
        explorer.render_page(explorer.explorer_data(_tokens(turns), turns), "テスト"), encoding="utf-8"
    )
    _open(browser, page)
    assert (
        browser.evaluate("document.querySelectorAll('#plot circle').length") == 2
    )  # 流山市: 情報セキュリティ, 研修 (計画 once: hidden)
    assert browser.evaluate(
        "(() => { const c = document.querySelector('#plot circle[data-term=\"情報セキュリティ\"]');"
        " c.dispatchEvent(new MouseEvent('click', {bubbles: true})); return true; })()"
    )
    rows = browser.evaluate(
        "[...document.querySelectorAll('#kwic tbody tr')].map(tr => [...tr.children].map(td => td.textContent))"
    )
    assert rows == [
        [
            "流山市",
            "2024-07-17",
            "山田",
            "member",
            "",
            "情報セキュリティ",
            "の研修を行う。情報セキュリティは重要。",
        ],
        [
            "流山市",
            "2024-07-17",
            "山田",
            "member",
            "情報セキュリティの研修を行う。",
            "情報セキュリティ",
            "は重要。",
        ],
    ]
    # the role filter applies to the KWIC lines: without members, no line for 研修 by 山田
    browser.evaluate(
        "(() => { const c = document.querySelector('input.role[value=\"0\"]'); c.checked = false;"
        " c.dispatchEvent(new Event('change')); })()"
    )
    browser.evaluate(
        "(() => { const i = document.getElementById('search'); i.value = '研修';"
        " i.dispatchEvent(new Event('change')); })()"
    )
    speakers = browser.evaluate(
        "[...document.querySelectorAll('#kwic tbody tr td:nth-child(3)')].map(td => td.textContent)"
    )
    assert speakers == ["事務局"]
    # another municipality redraws the scatter with its own terms
    browser.evaluate(
        "(() => { const s = document.getElementById('muni'); s.value = '1'; s.dispatchEvent(new Event('change')); })()"
    )
    assert browser.evaluate(
        "[...document.querySelectorAll('#plot circle')].map(c => c.dataset.term).sort()"
    ) == ["窓口"]
    assert browser.errors() == []


def test_seed_explorer_pages_load_without_errors(browser, tmp_path, seed_processed):
    pages = explorer.write_explorers(tmp_path / "explorer", processed_dir=seed_processed)
    assert pages[0].name == "all.html" and len(pages) >= 2
    _open(browser, pages[0])
    n = browser.evaluate("document.querySelectorAll('#plot circle').length")
    assert n > 20
    term = browser.evaluate(
        "(() => { const c = document.querySelector('#plot circle:last-of-type'); c.dispatchEvent(new MouseEvent('click'));"
        " return c.dataset.term; })()"
    )
    cells = browser.evaluate(
        "[...document.querySelectorAll('#kwic tbody tr td.k')].map(td => td.textContent)"
    )
    assert cells and all(c == term for c in cells)
    assert browser.errors() == []


def test_the_landing_pages_tables_are_interactive_offline(browser, tmp_path):
    """itables' bundled DataTables (inlined once) turns every table into a DataTable from file://."""
    from dxminutes.report import export, landing

    tables = tmp_path / "tables"
    export.write_table(
        pd.DataFrame({"municipality": ["流山市", "長崎市"], "share": [0.5, 0.25]}),
        "theme-shares",
        tables_dir=tables,
    )
    export.write_table(
        pd.DataFrame({"term": [f"語{i}" for i in range(30)], "n": range(30)}), "top-terms", tables_dir=tables
    )
    page = landing.write_tables_page(tmp_path, sorted(tables.glob("*.csv")))
    _open(browser, page)
    for _ in range(100):
        if browser.evaluate("document.querySelectorAll('table.dataTable').length") == 2:
            break
        time.sleep(0.1)
    assert browser.evaluate("document.querySelectorAll('table.dataTable').length") == 2
    # the search box filters rows: DataTables is really running
    shown = browser.evaluate(
        "(() => { const input = document.querySelector('#T_top_terms').closest('.dt-container').querySelector('input[type=search]');"
        " input.value = '語29'; input.dispatchEvent(new Event('input', {bubbles: true}));"
        " return [...document.querySelectorAll('#T_top_terms tbody tr')].map(tr => tr.children[0].textContent); })()"
    )
    assert shown == ["語29"]
    assert browser.errors() == []
