"""Interactive term explorer: one stand-alone HTML page for all turns and one per theme.

For a chosen municipality against all the others, every term is a point placed by frequency
(x = log10 of its count in the municipality) and distinctiveness (y = log2 ratio of its rate
there to its rate in the rest, with 0.5 added to each count); the colour and the labels mark
the terms with the largest signed G² (as in `analysis.keyness`). Clicking a term (or typing
it) lists its KWIC lines with municipality, date, speaker and role. Role checkboxes filter the
counts and the KWIC lines at once; the statistics are recomputed in the page.

Why self-contained JavaScript instead of scattertext or plotly: neither is in the pinned
environment (scattertext would bring spaCy-era dependencies, plotly a 3 MB bundle), both
produce pages that are harder to make byte-identical across runs, and the explorer needs only
an SVG scatter, a table and a few event handlers. The page is one file with its data as
inline JSON and ~200 lines of plain JS: it works offline from `file://`, needs no new
dependency and is deterministic (JSON with sorted keys, no timestamps).
"""

from __future__ import annotations

__all__ = ["MAX_TERMS", "MIN_TOTAL", "TEMPLATE", "explorer_data", "render_page", "write_explorers"]

import html
import json
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from dxminutes._io import atomic_write
from dxminutes.normalize import normalize_unicode

#: At most this many terms per page (the most frequent overall), to keep pages small.
MAX_TERMS = 1500
#: A term must occur at least this often in the page's turns to be shown.
MIN_TOTAL = 2


def explorer_data(tokens: pd.DataFrame, turns: pd.DataFrame, *, turn_ids=None) -> dict:
    """The JSON the page embeds: municipalities, roles, turns (with text), counts and postings.

    `counts[term]` lists [municipality index, role index, count]; `sizes` lists
    [municipality index, role index, tokens] over all terms (the denominators of the rates);
    `postings[term]` the indices of the turns (in `turns` rows) that contain the term, for
    the KWIC lines. With `turn_ids`, only those turns count (a theme's page).
    """
    if turn_ids is not None:
        keep = set(turn_ids)
        turns = turns[turns["turn_id"].isin(keep)]
    turns = turns.sort_values(["municipality", "doc_id", "position"], kind="mergesort").reset_index(drop=True)
    turns = turns.assign(municipality=turns["municipality"].astype(str), role=turns["role"].astype(str))
    munis = sorted(turns["municipality"].unique())
    roles = sorted(turns["role"].unique())
    m_index = {m: i for i, m in enumerate(munis)}
    r_index = {r: i for i, r in enumerate(roles)}
    tokens = tokens[tokens["turn_id"].isin(set(turns["turn_id"]))][["turn_id", "term"]]
    tokens = tokens.merge(turns[["turn_id", "municipality", "role"]], on="turn_id", how="left")
    size = tokens.groupby(["municipality", "role"], sort=True).size().rename("n").reset_index()
    sizes = [[m_index[r.municipality], r_index[r.role], int(r.n)] for r in size.itertuples(index=False)]
    totals = tokens["term"].astype(str).value_counts()
    frame = pd.DataFrame({"term": totals.index.astype(str), "n": totals.to_numpy()})
    frame = frame[frame["n"] >= MIN_TOTAL]
    frame = frame.sort_values(["n", "term"], ascending=[False, True], kind="mergesort").head(MAX_TERMS)
    shown = tokens[tokens["term"].isin(set(frame["term"]))]
    grouped = shown.groupby(["term", "municipality", "role"], sort=True).size().rename("n").reset_index()
    counts: dict[str, list[list[int]]] = {}
    for r in grouped.itertuples(index=False):
        counts.setdefault(str(r.term), []).append([m_index[r.municipality], r_index[r.role], int(r.n)])
    turn_pos = {t: i for i, t in enumerate(turns["turn_id"])}
    postings = {
        str(term): sorted({turn_pos[t] for t in ids})
        for term, ids in shown.groupby("term", sort=True)["turn_id"]
    }
    turn_rows = [
        [
            m_index[r.municipality],
            r.meeting_date if isinstance(r.meeting_date, str) else "",
            r.speaker if isinstance(r.speaker, str) else "",
            r_index[r.role],
            normalize_unicode(str(r.text)),
        ]
        for r in turns.itertuples(index=False)
    ]
    return {
        "municipalities": munis,
        "roles": roles,
        "turns": turn_rows,
        "counts": counts,
        "sizes": sizes,
        "postings": postings,
    }


TEMPLATE = r"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
body{font-family:"IPAexGothic","Hiragino Sans","Noto Sans CJK JP",sans-serif;margin:1rem 2rem;color:#222}
#controls{display:flex;gap:1.5rem;flex-wrap:wrap;align-items:center;margin-bottom:.5rem}
#plot{border:1px solid #ddd;background:#fff}
#plot circle{cursor:pointer} #plot circle.sel{stroke:#000;stroke-width:2}
#plot text.lab{font-size:11px;pointer-events:none}
#kwic{border-collapse:collapse;font-size:.9rem;margin-top:.5rem}
#kwic td,#kwic th{border-bottom:1px solid #eee;padding:.15rem .4rem;vertical-align:top}
#kwic td.l{text-align:right;color:#555} #kwic td.k{font-weight:bold;color:#b42318;white-space:nowrap}
#kwic td.r{color:#555} .muted{color:#777}
</style>
</head>
<body>
<p><a href="../html/index.html">← 目次 / index</a></p>
<h1>__TITLE__</h1>
<p class="muted">x: 選んだ自治体での出現回数 (log10) / count in the chosen municipality; y: 他の自治体に対する相対頻度 (log2 比) / log2 rate ratio against the rest; 色: G² (赤 = 特徴的). 語をクリックすると KWIC を表示 / click a term for its KWIC lines.</p>
<div id="controls">
<label>自治体 / municipality <select id="muni"></select></label>
<span id="roles">役割 / roles: </span>
<label>語 / term <input id="search" list="termlist" size="14"></label><datalist id="termlist"></datalist>
</div>
<svg id="plot" width="900" height="520" role="img" aria-label="term scatter"></svg>
<h2 id="kwic-title">KWIC</h2>
<p id="kwic-summary" class="muted">語を選んでください / choose a term.</p>
<table id="kwic"><thead><tr><th>自治体</th><th>日付</th><th>話者</th><th>役割</th><th>左文脈</th><th>語</th><th>右文脈</th></tr></thead><tbody></tbody></table>
<script id="data" type="application/json">__DATA__</script>
<script>
"use strict";
const D = JSON.parse(document.getElementById("data").textContent);
const W = 900, H = 520, M = {l: 55, r: 15, t: 15, b: 45}, WINDOW = 30, MAX_LINES = 200, N_LABELS = 15;
const svgNS = "http://www.w3.org/2000/svg";
const muniSel = document.getElementById("muni");
D.municipalities.forEach((m, i) => { const o = document.createElement("option"); o.value = i; o.textContent = m; muniSel.appendChild(o); });
const rolesBox = document.getElementById("roles");
D.roles.forEach((r, i) => {
  const l = document.createElement("label"); const c = document.createElement("input");
  c.type = "checkbox"; c.checked = true; c.value = i; c.className = "role"; c.addEventListener("change", draw);
  l.appendChild(c); l.appendChild(document.createTextNode(" " + r + " ")); rolesBox.appendChild(l);
});
const terms = Object.keys(D.counts).sort();
const dl = document.getElementById("termlist");
terms.forEach(t => { const o = document.createElement("option"); o.value = t; dl.appendChild(o); });
let selected = null;

function activeRoles() { return new Set([...document.querySelectorAll("input.role:checked")].map(c => +c.value)); }
function xlogy(x, y) { return x > 0 ? x * Math.log(x / y) : 0; }
function g2(a, b, A, B) {
  const N = A + B, E1 = A * (a + b) / N, E2 = B * (a + b) / N;
  const g = 2 * (xlogy(a, E1) + xlogy(b, E2));
  return (a / A) >= (b / B) ? g : -g;
}

function stats() {
  const m = +muniSel.value, roles = activeRoles();
  let A = 0, B = 0;
  D.sizes.forEach(([mi, ri, n]) => { if (roles.has(ri)) { if (mi === m) A += n; else B += n; } });
  const rows = [];
  if (A === 0 || B === 0) return {rows, A, B};
  for (const t of terms) {
    let a = 0, b = 0;
    for (const [mi, ri, n] of D.counts[t]) { if (!roles.has(ri)) continue; if (mi === m) a += n; else b += n; }
    if (a === 0) continue;
    rows.push({t, a, b, x: Math.log10(a), y: Math.log2(((a + 0.5) / A) / ((b + 0.5) / B)), g: g2(a, b, A, B)});
  }
  return {rows, A, B};
}

function el(name, attrs, parent) {
  const e = document.createElementNS(svgNS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

function draw() {
  const svg = document.getElementById("plot");
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const {rows} = stats();
  if (!rows.length) { const t = el("text", {x: W / 2, y: H / 2, "text-anchor": "middle"}, svg); t.textContent = "語がありません / no terms for this selection"; return; }
  const xmax = Math.max(1, ...rows.map(r => r.x)), ys = rows.map(r => r.y);
  const ymin = Math.min(-1, ...ys), ymax = Math.max(1, ...ys);
  const sx = v => M.l + (W - M.l - M.r) * v / xmax, sy = v => H - M.b - (H - M.t - M.b) * (v - ymin) / (ymax - ymin);
  el("line", {x1: M.l, x2: W - M.r, y1: sy(0), y2: sy(0), stroke: "#bbb"}, svg);
  el("line", {x1: M.l, x2: M.l, y1: M.t, y2: H - M.b, stroke: "#888"}, svg);
  el("line", {x1: M.l, x2: W - M.r, y1: H - M.b, y2: H - M.b, stroke: "#888"}, svg);
  for (let v = 0; v <= Math.floor(xmax); v++) { const t = el("text", {x: sx(v), y: H - M.b + 16, "text-anchor": "middle", "font-size": 11}, svg); t.textContent = String(10 ** v); }
  for (let v = Math.ceil(ymin); v <= Math.floor(ymax); v++) { const t = el("text", {x: M.l - 6, y: sy(v) + 4, "text-anchor": "end", "font-size": 11}, svg); t.textContent = v; }
  const xl = el("text", {x: (W + M.l) / 2, y: H - 8, "text-anchor": "middle", "font-size": 12}, svg); xl.textContent = "出現回数 (対数) / count (log scale)";
  const yl = el("text", {x: 14, y: H / 2, transform: `rotate(-90 14 ${H / 2})`, "text-anchor": "middle", "font-size": 12}, svg); yl.textContent = "log2 比 / log2 ratio vs rest";
  const gmax = Math.max(1, ...rows.map(r => Math.abs(r.g)));
  rows.sort((p, q) => Math.abs(p.g) - Math.abs(q.g) || (p.t < q.t ? -1 : 1));
  for (const r of rows) {
    const s = r.g / gmax, red = s > 0 ? Math.round(200 * s) : 0, blue = s < 0 ? Math.round(-200 * s) : 0;
    const c = el("circle", {cx: sx(r.x), cy: sy(r.y), r: 4, fill: `rgb(${90 + red},${90},${90 + blue})`, "fill-opacity": 0.75, "data-term": r.t}, svg);
    if (r.t === selected) c.setAttribute("class", "sel");
    const tip = el("title", {}, c); tip.textContent = `${r.t}: ${r.a} (他 ${r.b}), G² = ${r.g.toFixed(1)}`;
    c.addEventListener("click", () => select(r.t));
  }
  const top = [...rows].sort((p, q) => q.g - p.g || (p.t < q.t ? -1 : 1)).slice(0, N_LABELS);
  const boxes = [];
  for (const r of top) {
    const x = sx(r.x) + 6, y = sy(r.y) + 4;
    const t = el("text", {x, y, class: "lab"}, svg); t.textContent = r.t;
    const bb = t.getBBox();
    if (boxes.some(o => !(bb.x + bb.width < o.x || o.x + o.width < bb.x || bb.y + bb.height < o.y || o.y + o.height < bb.y))) { svg.removeChild(t); continue; }
    boxes.push(bb);
  }
  if (selected) kwic(selected);
}

function select(term) { selected = term; document.getElementById("search").value = term; draw(); kwic(term); }

function kwic(term) {
  const roles = activeRoles(), body = document.querySelector("#kwic tbody");
  while (body.firstChild) body.removeChild(body.firstChild);
  const lines = [];
  for (const ti of (D.postings[term] || [])) {
    const [mi, date, speaker, ri, text] = D.turns[ti];
    if (!roles.has(ri)) continue;
    let at = text.indexOf(term), found = at >= 0;
    if (!found) at = 0;
    while (at >= 0 && lines.length < MAX_LINES) {
      const end = found ? at + term.length : Math.min(text.length, WINDOW);
      lines.push([D.municipalities[mi], date, speaker, D.roles[ri], text.slice(Math.max(0, at - WINDOW), at), text.slice(at, end), text.slice(end, end + WINDOW)]);
      if (!found) break;
      at = text.indexOf(term, end);
    }
  }
  for (const line of lines) {
    const tr = document.createElement("tr"); tr.className = "kwic-line";
    line.forEach((v, i) => { const td = document.createElement("td"); td.textContent = v; td.className = i === 4 ? "l" : i === 5 ? "k" : i === 6 ? "r" : ""; tr.appendChild(td); });
    body.appendChild(tr);
  }
  document.getElementById("kwic-title").textContent = "KWIC: " + term;
  document.getElementById("kwic-summary").textContent = lines.length + " 行 / lines" + (lines.length >= MAX_LINES ? " (最初の " + MAX_LINES + " 行 / first " + MAX_LINES + ")" : "");
}

muniSel.addEventListener("change", draw);
document.getElementById("search").addEventListener("change", e => { if (D.counts[e.target.value]) select(e.target.value); });
draw();
</script>
</body>
</html>
"""


def _json_for_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # no "<" at all inside the <script> element: "</script>" cannot close it early and "<!--"
    # cannot put the HTML parser into its escaped state; JSON reads \u003c as "<"
    return text.replace("<", "\\u003c")


def render_page(data: dict, title: str) -> str:
    """The explorer page for `data` (from `explorer_data`)."""
    return TEMPLATE.replace("__TITLE__", html.escape(title)).replace("__DATA__", _json_for_script(data))


def _slug(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "theme"


def write_explorers(
    out_dir: Path,
    *,
    processed_dir: Path,
    themes_path=None,
    corpus=None,
    tokens: pd.DataFrame | None = None,
) -> list[Path]:
    """Write `all.html` and `theme-<key>.html` for each theme into `out_dir`; return the paths.

    Reads the processed corpus and `tokens.parquet` (tokenizing through the cache when it is
    missing) unless `corpus` and `tokens` are given.
    """
    from dxminutes.analysis.themes import code_turns, load_themes
    from dxminutes.corpus.build import read_processed

    processed_dir = Path(processed_dir)
    if corpus is None:
        corpus = read_processed(processed_dir)
    if tokens is None:
        path = processed_dir / "tokens.parquet"
        if path.exists():
            tokens = pd.read_parquet(path)
        else:
            from dxminutes.text.token_table import build_token_table

            tokens = build_token_table(corpus, processed_dir=processed_dir, n_jobs=1)
    turns = corpus.turns
    themes = load_themes(themes_path)
    coded = code_turns(turns, themes)
    pages: list[tuple[str, str, Sequence | None]] = [
        ("all", "語の探索: すべての発言 / Term explorer: all turns", None)
    ]
    for theme in themes:
        ids = coded.loc[(coded["theme"] == theme.key) & coded["coded"].astype(bool), "turn_id"]
        label = f"{theme.label_ja} / {theme.label_en}" if theme.label_en else theme.label_ja
        pages.append((f"theme-{_slug(theme.key)}", f"語の探索: {label} / Term explorer", list(ids)))
    written = []
    for stem, title, ids in pages:
        text = render_page(explorer_data(tokens, turns, turn_ids=ids), title)
        target = Path(out_dir) / f"{stem}.html"
        written.append(
            atomic_write(target, lambda p, t=text: p.write_text(t, encoding="utf-8", newline="\n"))
        )
    return written
