"""Benchmark suite: `make bench` (= `python benchmarks/run.py`) writes benchmarks/RESULTS.md.

For each scale (1× = the seed minutes, 10×, 100× = seeds plus generated municipalities from
`dxminutes.corpus.synthetic`) it writes the scaled minutes as files, then runs every stage through the
package's public functions, each repeat in a fresh subprocess (see harness.py for how time and
peak memory are taken), and prints/writes a Markdown report with PASS/MISS targets.

Options: --scales 1,10,300 (default)  --repeats N (100× and larger run once)  --quick (1× only, one repeat,
at most 15 turns per document, no `make report` stage; what tests/test_bench_smoke.py runs)
--out PATH (default benchmarks/RESULTS.md)  --work DIR (default benchmarks/work, git-ignored).

The structured-input stage (`--stage structured`, alone only: `benchmarks/structured.py`) times
`read_structured` and `load_corpus` on generated 100,000- and 1,000,000-row CSV and TSV files and
20,000- and 200,000-row xlsx files, and writes its section of RESULTS.md.

The long-document stage (`--stage long`, also run at the end of a full run) builds one minutes
file of 60 KB, 3 MB and 30 MB, made from the seeds by repetition, each in a fresh subprocess, and
compares the time per character of the long files with the 60 KB file's (target: within 1.5×).
Alone it writes benchmarks/RESULTS-long.md (or --out).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402  (benchmarks/ is not a package)
import structured  # noqa: E402

#: Stages in run order: name → (description, child arguments beyond the work dir).
STAGES = {
    "load": "load + clean + segment (corpus.load_corpus)",
    "tokenize_cold": "tokenize, cold cache (janome, 1 process)",
    "tokenize_cold_2p": "tokenize, cold cache (janome, 2 processes)",
    "tokenize_warm": "tokenize, warm cache (janome)",
    "bare_janome": "bare janome Tokenizer().tokenize (reference)",
    "tokenize_sudachi": "tokenize, cold cache (sudachi, 1 process)",
    "bare_sudachi": "SudachiBackend.analyze_columns alone (POS mapping, no filter/cache)",
    "tokenize_mecab": "tokenize, cold cache (mecab: fugashi + IPADIC, 1 process)",
    "bare_mecab": "MecabBackend.analyze_columns alone (no filter/cache)",
    "dtm": "document-term matrices (3 levels + tf-idf)",
    "themes_stats": "theme coding (sentence level) + shares with speaker-adjusted Wilson intervals + χ²",
    "keyness": "keyness (one-vs-rest G², all municipalities)",
    "cooccurrence": "co-occurrence network",
    "nmf": "NMF with K selection",
    "statistics": "per-theme tests (Fisher cells, permutation) + speaker-clustered tests (GEE, permutation)",
    "figures": "report figures at every group (theme shares, residuals, keyness grid; PNG+SVG+CSV; pages of ≤ 50 rows, ≤ 24 keyness panels)",
    "report": "full `make report` (build + notebooks)",
}
ANALYSIS_STAGES = ("dtm", "themes_stats", "keyness", "cooccurrence", "nmf", "statistics", "figures")
#: The long-document stage: (label, bytes, repeats) of one minutes file each, seeds repeated.
LONG_SIZES = (("60 KB", 60_000, 5), ("3 MB", 3_000_000, 3), ("30 MB", 30_000_000, 1))
#: Time per character of a long file may be at most this multiple of the 60 KB file's.
LONG_RATIO_MAX = 1.5
#: What the long-document stage times: the whole build, and the per-document path alone.
LONG_MODES = {
    "long_build": "`corpus.build` (fresh processed folder: shard, tables, manifest)",
    "long_load": "`corpus.build.load_document` (read, clean + audit, metadata, segment)",
}
#: The known cause of a target that a run misses, printed under the targets table.
WHY_MISSED = {
    "sudachi vs bare janome": (
        "SudachiPy's own analysis with the POS mapping (the `SudachiBackend.analyze_columns alone` "
        "stage) runs above 15× bare janome, but the shared work after analysis (NFKC normalization "
        "and hashing of each turn, the array term filter, the Arrow cache writes and the token "
        "table, about 1 µs per character) costs nearly as much again: see the next row."
    ),
    "sudachi whole path vs its own analysis": (
        "normalization and hashing of each turn, the Arrow cache writes and the array term filter "
        "still cost more than a tenth of SudachiPy's own analysis."
    ),
    "(info) bare sudachi backend vs bare janome": (
        "mapping each Sudachi POS onto the IPADIC-style labels and building a Morpheme per token "
        "in Python costs about half of Sudachi's own tokenizing time."
    ),
    "mecab vs bare janome": (
        "MeCab's own analysis runs at about 30× bare janome (the `MecabBackend.analyze_columns alone` "
        "stage); the shared work after analysis (NFKC normalization and hashing of each turn, the "
        "array term filter, the Arrow cache writes and the token table, about 1 µs per character) "
        "takes longer than the analysis itself, so the whole path stays below 15×."
    ),
    "mecab whole path vs its own analysis": (
        "the same shared work after analysis costs more than MeCab's analysis: the ratio is set by "
        "the project's per-turn and per-document work, not by the analyzer."
    ),
    "analysis stages total at 300×": (
        "the report figures at 1,500 groups (123 pages of PNG + SVG + CSV, drawn one page at a time) "
        "take most of it, at matplotlib's drawing speed; the other analysis stages together take "
        "about two minutes. A national report should aggregate by prefecture or draw only the pages "
        "it shows."
    ),
    "project tokenizer vs bare janome": (
        "the project path adds normalization, filtering, cache writes and the token table to "
        "janome's analysis; with janome's own user dictionary (a lookup at every character) it "
        "was 0.57×, with the shared user-term splitter and the GC paused it measured 0.95×."
    ),
}


# ----------------------------------------------------------------------------- child side
def _read(work: Path, name: str):
    import pandas as pd

    return pd.read_parquet(work / f"{name}.parquet")


def _child(stage: str, work: Path, repeat: int) -> None:
    """Run one stage once in this (fresh) process and print the harness result line."""
    from dxminutes import config

    try:
        if stage.startswith(("structured_read:", "structured_load:")):
            return structured.child(stage, work)
        if stage == "prepare":
            return _prepare(work)
        if stage == "long_prepare":
            return _long_prepare(work)
        if stage in LONG_MODES:
            return _long_run(stage, work, repeat)
        if stage == "load":
            from dxminutes.corpus.build import load_corpus

            with harness.Timer() as t:
                corpus = load_corpus(work / "raw")
            corpus.turns.to_parquet(work / "turns.parquet")
            return harness.report_child(t.seconds, n_turns=len(corpus.turns))
        turns = _read(work, "turns")
        if stage in (
            "tokenize_cold",
            "tokenize_cold_2p",
            "tokenize_warm",
            "tokenize_sudachi",
            "tokenize_mecab",
        ):
            from dxminutes.text.token_table import tokenize_turns
            from dxminutes.text.tokenizer import JapaneseTokenizer

            backend = {"tokenize_sudachi": "sudachi", "tokenize_mecab": "mecab"}.get(stage, "janome")
            if stage == "tokenize_warm":
                cache = work / "cache-janome"
            else:
                cache = work / f"cache-{stage}-{repeat}"
                shutil.rmtree(cache, ignore_errors=True)
            with harness.Timer() as t:
                tokens = tokenize_turns(
                    turns,
                    JapaneseTokenizer(backend=backend),
                    cache_dir=cache,
                    n_jobs=2 if stage == "tokenize_cold_2p" else 1,
                    progress=False,
                )
            if stage == "tokenize_cold":
                tokens.to_parquet(work / "tokens.parquet")
                shutil.rmtree(work / "cache-janome", ignore_errors=True)
                cache.rename(work / "cache-janome")
            elif stage != "tokenize_warm":
                if stage in ("tokenize_sudachi", "tokenize_mecab"):
                    tokens.to_parquet(work / f"tokens_{backend}.parquet")
                shutil.rmtree(cache, ignore_errors=True)
            return harness.report_child(t.seconds, n_tokens=len(tokens))
        if stage == "bare_janome":
            from janome.tokenizer import Tokenizer

            texts = turns["text"].tolist()
            with harness.Timer() as t:
                tokenizer = Tokenizer()
                n = sum(len(list(tokenizer.tokenize(text))) for text in texts)
            return harness.report_child(t.seconds, n_tokens=n)
        if stage in ("bare_sudachi", "bare_mecab"):
            from dxminutes.text.backends import get_backend

            texts = turns["text"].tolist()
            with harness.Timer() as t:
                backend = get_backend(stage.removeprefix("bare_"))
                n = sum(len(backend.analyze_columns(text).surface) for text in texts)
            return harness.report_child(t.seconds, n_tokens=n)
        if stage == "report":
            return _report_stage(work)
        tokens = _read(work, "tokens")
        if stage == "dtm":
            from dxminutes.text import dtm

            with harness.Timer() as t:
                for level in ("turn", "document", "municipality"):
                    dtm.count_matrix(tokens, level)
                dtm.tfidf_matrix(tokens, "turn")
            return harness.report_child(t.seconds)
        if stage == "themes_stats":
            from dxminutes.analysis import theme_stats as stats
            from dxminutes.analysis import themes

            with harness.Timer() as t:
                coded = themes.code_turns(turns, themes.load_themes())
                stats.theme_shares(coded, tokens, n_boot=1000, random_state=config.RANDOM_SEED)
                stats.crosstab_chi2(coded)
            return harness.report_child(t.seconds)
        if stage == "keyness":
            from dxminutes.analysis import keyness

            with harness.Timer() as t:
                keyness.keyness(tokens)
            return harness.report_child(t.seconds)
        if stage == "cooccurrence":
            from dxminutes.analysis import network

            with harness.Timer() as t:
                network.cooccurrence(tokens, random_state=config.RANDOM_SEED)
            return harness.report_child(t.seconds)
        if stage == "nmf":
            from dxminutes.analysis import topics
            from dxminutes.text import dtm

            tfidf = dtm.tfidf_matrix(tokens, "turn")
            with harness.Timer() as t:
                selection = topics.select_k(tfidf, random_state=config.RANDOM_SEED)
                topics.fit_topics(tfidf, topics.suggest_k(selection), random_state=config.RANDOM_SEED)
            return harness.report_child(t.seconds)
        if stage == "statistics":
            from dxminutes.analysis import theme_stats as stats
            from dxminutes.analysis import themes

            coded = themes.code_turns(turns, themes.load_themes())
            with harness.Timer() as t:
                stats.theme_by_group_tests(coded, n_perm=999, random_state=config.RANDOM_SEED)
                stats.clustered_theme_tests(coded, turns, n_perm=499, random_state=config.RANDOM_SEED)
            return harness.report_child(t.seconds)
        if stage == "figures":
            return _figures_stage(work, turns, tokens)
        if stage == "compare_backends":
            return _compare_backends(work, turns, tokens)
        raise SystemExit(f"unknown stage {stage!r}")
    except (ImportError, AttributeError) as exc:  # a package module or function not there yet
        print(
            harness.RESULT_PREFIX + json.dumps({"status": "not available", "note": str(exc)[:200]}),
            flush=True,
        )


def _prepare(work: Path) -> None:
    """Write the scaled minutes (seed copies + generated files) to work/raw; record sizes."""
    from dxminutes import config
    from dxminutes.corpus.build import load_corpus
    from dxminutes.corpus.synthetic import scale_corpus, write_corpus_files

    meta = json.loads((work / "meta.json").read_text())
    raw = work / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)
    seeds = load_corpus(config.RAW_DIR)
    documents, turns = seeds.documents, seeds.turns
    if meta["max_turns_per_doc"]:
        turns = turns[turns["position"] < meta["max_turns_per_doc"]]
    documents, turns = scale_corpus((documents, turns), meta["scale"], random_state=config.RANDOM_SEED)
    # Seeds are written in the same convention when turns were cut, else copied byte for byte.
    to_write = documents if meta["max_turns_per_doc"] else documents[documents["synthetic"]]
    if not meta["max_turns_per_doc"]:
        for name in documents.loc[~documents["synthetic"], "file"]:
            shutil.copyfile(config.RAW_DIR / name, raw / name)
        shutil.copyfile(config.RAW_DIR / config.CATALOG_NAME, raw / config.CATALOG_NAME)
    write_corpus_files(to_write, turns, raw)
    meta.update(
        n_chars=int(turns["n_chars"].sum()),
        n_turns=len(turns),
        n_municipalities=int(documents["municipality"].nunique()),
    )
    (work / "meta.json").write_text(json.dumps(meta))
    harness.report_child(0.0)


def _report_stage(work: Path) -> None:
    import resource

    runs = {}
    for run in ("cold", "warm"):
        if run == "cold":
            shutil.rmtree(work / "processed", ignore_errors=True)
        with harness.Timer() as t:
            for argv in (
                ["build", "--data", str(work / "raw"), "--out", str(work / "processed")],
                [
                    "report",
                    "--data",
                    str(work / "raw"),
                    "--processed",
                    str(work / "processed"),
                    "--reports",
                    str(work / "reports"),
                    "--no-save-notebooks",
                ],
            ):
                proc = subprocess.run(
                    [sys.executable, "-m", "dxminutes", *argv], capture_output=True, text=True
                )
                if proc.returncode != 0:
                    tail = (proc.stderr.strip().splitlines() or ["?"])[-1]
                    raise RuntimeError(f"`dxminutes {argv[0]}` failed: {tail}")
        runs[run] = t.seconds
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        harness.RESULT_PREFIX
        + json.dumps(
            {
                "seconds": runs["cold"],
                "warm_seconds": runs["warm"],
                "peak_rss_mb": max(children, harness.peak_rss_mb()),
            }
        ),
        flush=True,
    )


def _figures_stage(work: Path, turns, tokens) -> None:
    """The report's main figures with every group of the corpus, written as PNG, SVG and CSV;
    beyond 50 groups (24 for the keyness grid) on pages `{name}-p01`, … (`charts.*_pages`), each
    page closed once saved."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dxminutes import config
    from dxminutes.analysis import keyness, themes
    from dxminutes.analysis import theme_stats as stats
    from dxminutes.report import charts, export, style

    style.setup()
    theme_set = themes.load_themes()
    coded = themes.code_turns(turns, theme_set)
    shares = stats.theme_shares(coded, tokens, random_state=config.RANDOM_SEED)
    residuals = stats.crosstab_chi2(coded).table
    key = keyness.keyness(tokens, turns=turns)
    out = work / "figures"
    with harness.Timer() as t:
        files = [
            *export.save_pages(
                charts.theme_shares_pages(shares, themes=theme_set),
                "03-theme-shares",
                shares,
                figures_dir=out,
            ),
            *export.save_pages(
                charts.residual_heatmap_pages(residuals, themes=theme_set),
                "03-theme-residuals",
                residuals,
                figures_dir=out,
            ),
            *export.save_pages(charts.keyness_grid_pages(key), "02-keyness", key, figures_dir=out),
        ]
        plt.close("all")
    harness.report_child(t.seconds, n_groups=int(shares["municipality"].nunique()), n_figures=len(files))


def _compare_backends(work: Path, turns, tokens) -> None:
    """Theme shares, rates per 10k tokens, keyness top-30 and term overlap: janome vs sudachi (and
    vs mecab when its tokens are there)."""
    from dxminutes import config
    from dxminutes.analysis import keyness, themes
    from dxminutes.analysis import theme_stats as stats

    sudachi = _read(work, "tokens_sudachi")
    coded = themes.code_turns(turns, themes.load_themes())

    def shares_of(tok):
        return stats.theme_shares(coded, tok, n_boot=200, random_state=config.RANDOM_SEED)

    def share_and_rate_diff(other) -> tuple[float, float, float]:
        """Max |Δ| of theme shares (pp), of hits per 100 tokens (pp) and the relative rate |Δ| (%)."""
        merged = janome_shares.merge(other, on=["municipality", "theme"], suffixes=("_j", "_o"))
        rate_diff = (merged["rate_per_10k_o"] - merged["rate_per_10k_j"]).abs()
        reference = merged["rate_per_10k_j"].where(merged["rate_per_10k_j"] > 0)
        return (
            float((merged["share_j"] - merged["share_o"]).abs().max() * 100),
            float(rate_diff.max() / 100),  # hits per 100 tokens, i.e. percentage points
            float((rate_diff / reference).max() * 100),
        )

    janome_shares = shares_of(tokens)
    share_pp, rate_pp, rate_rel = share_and_rate_diff(shares_of(sudachi))
    top = {}
    for name, tok in (("janome", tokens), ("sudachi", sudachi)):
        k = keyness.keyness(tok)
        k = k[k["g2"] > 0].sort_values(
            ["municipality", "g2", "term"], ascending=[True, False, True], kind="mergesort"
        )
        top[name] = k.groupby("municipality", sort=True).head(30)
    differing = []
    for muni in sorted(set(top["janome"]["municipality"]) | set(top["sudachi"]["municipality"])):
        a = set(top["janome"].loc[top["janome"]["municipality"] == muni, "term"])
        b = set(top["sudachi"].loc[top["sudachi"]["municipality"] == muni, "term"])
        differing.append(
            {
                "municipality": muni,
                "only janome": "、".join(sorted(a - b)),
                "only sudachi": "、".join(sorted(b - a)),
                "shared": len(a & b),
            }
        )
    a, b = set(tokens["term"]), set(sudachi["term"])
    mecab = _read(work, "tokens_mecab") if (work / "tokens_mecab.parquet").exists() else None
    extra = {}
    if mecab is not None:
        m_share_pp, m_rate_pp, _ = share_and_rate_diff(shares_of(mecab))
        c = set(mecab["term"])
        extra = {
            "mecab_share_max_diff_pp": m_share_pp,
            "mecab_rate_max_diff_pp": m_rate_pp,
            "mecab_jaccard_terms": len(a & c) / len(a | c),
            "n_tokens_mecab": len(mecab),
        }
    result = {
        "share_max_diff_pp": share_pp,
        "rate_max_diff_pp": rate_pp,
        "rate_max_rel_diff_pct": rate_rel,
        "jaccard_terms": len(a & b) / len(a | b),
        "keyness_top30": differing,
        "n_tokens_janome": len(tokens),
        "n_tokens_sudachi": len(sudachi),
        **extra,
    }
    (work / "compare.json").write_text(json.dumps(result, ensure_ascii=False))
    harness.report_child(0.0)


def _long_prepare(work: Path) -> None:
    """Write one minutes file per size of LONG_SIZES: the seeds, concatenated, repeated, cut at a line."""
    from dxminutes import config

    unit = "".join(path.read_text(encoding="utf-8") for path in sorted(config.RAW_DIR.glob("*.txt")))
    sizes = {}
    for label, n_bytes, _ in LONG_SIZES:
        folder = work / _slug(label)
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "raw").mkdir(parents=True)
        text = harness.repeat_to_size(unit, n_bytes)
        (folder / "raw" / "minutes.txt").write_text(text, encoding="utf-8")
        sizes[label] = {"bytes": len(text.encode("utf-8")), "n_chars": len(text)}
    (work / "long.json").write_text(json.dumps(sizes, ensure_ascii=False))
    harness.report_child(0.0)


def _long_run(mode: str, work: Path, repeat: int) -> None:
    """Time one long file (`--repeat` = size index × 100 + run) through `mode` of LONG_MODES."""
    from dxminutes.corpus.build import build, load_document

    label = LONG_SIZES[repeat // 100][0]
    folder = work / _slug(label)
    out = folder / "processed"
    shutil.rmtree(out, ignore_errors=True)
    with harness.Timer() as t:
        if mode == "long_build":
            corpus = build(folder / "raw", out)
        else:
            corpus = load_document(folder / "raw" / "minutes.txt")
    if not corpus.failures.empty:
        raise RuntimeError(f"{label}: {corpus.failures['problem'].iloc[0]}")
    harness.report_child(t.seconds, n_turns=len(corpus.turns))


def _slug(label: str) -> str:
    return "long-" + label.replace(" ", "").lower()


def run_long(work_root: Path) -> dict:
    """Run the long-document stage; {label: StageResult} plus the file sizes."""
    work = work_root / "long"
    work.mkdir(parents=True, exist_ok=True)
    script = str(Path(__file__).resolve())
    prep = harness.run_child([script, "--child", "long_prepare", "--work", str(work)])
    if prep["status"] != "ok":
        return {"error": prep.get("note", "")}
    sizes = json.loads((work / "long.json").read_text())
    results: dict[str, dict[str, harness.StageResult]] = {}
    for mode in LONG_MODES:
        results[mode] = {}
        for index, (label, _, repeats) in enumerate(LONG_SIZES):
            print(f"[long] {mode} {label} …", file=sys.stderr, flush=True)
            result = harness.StageResult(stage=mode, scale=1, n_chars=sizes[label]["n_chars"])
            for r in range(repeats):
                out = harness.run_child(
                    [script, "--child", mode, "--work", str(work), "--repeat", str(index * 100 + r)]
                )
                if out["status"] != "ok":
                    result.status, result.note = out["status"], out.get("note", "")
                    break
                result.seconds.append(out["seconds"])
                result.peak_rss_mb = max(result.peak_rss_mb or 0.0, out["peak_rss_mb"])
                result.note = f"{out['n_turns']} turns"
            results[mode][label] = result
    return {"results": results, "sizes": sizes}


def render_long(long: dict) -> str:
    """The Markdown section of the long-document stage."""
    out = ["## Long documents", ""]
    if "error" in long:
        return "\n".join([*out, f"not run: {_no_paths(long['error'])}", ""])
    results, sizes = long["results"], long["sizes"]
    ref_label = LONG_SIZES[0][0]
    out += [
        "One minutes file per size, made from the five seeds concatenated and repeated (cut at a line "
        "break), each run in a fresh subprocess; time is the median wall time of the timed call "
        "(the whole build into a fresh processed folder, or the per-document path alone).",
        "",
    ]
    rows, targets = [], []
    for mode, description in LONG_MODES.items():
        ref = results[mode][ref_label]
        for label, _, _ in LONG_SIZES:
            r = results[mode][label]
            ratio = harness.per_char_ratio(r.median, r.n_chars, ref.median, ref.n_chars)
            rows.append(
                {
                    "timed": description,
                    "file": label,
                    "bytes": sizes[label]["bytes"],
                    "characters": r.n_chars,
                    "runs": len(r.seconds),
                    "median time": harness.fmt_seconds(r.median),
                    "µs/char": f"{r.median / r.n_chars * 1e6:.2f}" if r.median else "n/a",
                    f"time/char vs {ref_label}": f"{ratio:.2f}×" if ratio else "n/a",
                    "peak memory": f"{r.peak_rss_mb:.0f} MB" if r.peak_rss_mb else "n/a",
                    "status": r.status + (f" ({_no_paths(r.note)})" if r.note else ""),
                }
            )
            if label != ref_label:
                name = f"time/char {label} vs {ref_label}: {mode.removeprefix('long_')}"
                targets.append(harness.target(name, ratio, LONG_RATIO_MAX, higher_is_better=False))
    out += [harness.markdown_table(rows), "", harness.markdown_table(targets), ""]
    return "\n".join(out)


# ----------------------------------------------------------------------------- parent side
def _measure(stage: str, work: Path, scale: int, n_chars: int, repeats: int) -> harness.StageResult:
    result = harness.StageResult(stage=stage, scale=scale, n_chars=n_chars)
    for r in range(repeats):
        out = harness.run_child(
            [str(Path(__file__).resolve()), "--child", stage, "--work", str(work), "--repeat", str(r)]
        )
        if out["status"] != "ok":
            result.status, result.note = out["status"], out.get("note", "")
            return result
        result.seconds.append(out["seconds"])
        result.peak_rss_mb = max(result.peak_rss_mb or 0.0, out["peak_rss_mb"])
        if "warm_seconds" in out:
            result.note = f"warm rerun {harness.fmt_seconds(out['warm_seconds'])}"
    return result


def run_suite(scales: list[int], repeats: int, work_root: Path, *, quick: bool) -> dict:
    results: dict[int, dict[str, harness.StageResult]] = {}
    sizes, comparison = {}, None
    for scale in scales:
        work = work_root / f"x{scale}"
        work.mkdir(parents=True, exist_ok=True)
        (work / "meta.json").write_text(json.dumps({"scale": scale, "max_turns_per_doc": 15 if quick else 0}))
        prep = harness.run_child([str(Path(__file__).resolve()), "--child", "prepare", "--work", str(work)])
        if prep["status"] != "ok":
            results[scale] = {
                s: harness.StageResult(s, scale, 0, status=prep["status"], note=prep.get("note", ""))
                for s in STAGES
            }
            continue
        meta = json.loads((work / "meta.json").read_text())
        sizes[scale] = meta
        n = 1 if scale >= 100 else repeats
        results[scale] = {}
        for stage in STAGES:
            if stage == "report" and (quick or scale > 1):
                results[scale][stage] = harness.StageResult(
                    stage, scale, meta["n_chars"], status="skipped", note="--quick" if quick else "1× only"
                )
                continue
            print(f"[{scale}×] {stage} …", file=sys.stderr, flush=True)
            results[scale][stage] = _measure(stage, work, scale, meta["n_chars"], n)
        if scale == min(scales):
            out = harness.run_child(
                [str(Path(__file__).resolve()), "--child", "compare_backends", "--work", str(work)]
            )
            comparison = json.loads((work / "compare.json").read_text()) if out["status"] == "ok" else out
    return {"results": results, "sizes": sizes, "comparison": comparison}


def _targets(results: dict, comparison) -> list[dict]:
    scales = sorted(results)
    ref = scales[-1]  # ratios at the largest scale: start-up costs (dictionaries, process pools) amortized

    def rate(stage, scale=ref):
        r = results[scale].get(stage)
        return r.chars_per_s if r and r.status == "ok" else None

    def ratio(a, b, scale=ref):
        x, y = rate(a, scale), rate(b, scale)
        return x / y if x and y else None

    rows = [
        harness.target("project tokenizer vs bare janome", ratio("tokenize_cold", "bare_janome"), 0.95),
        harness.target("2 processes vs 1 (cold)", ratio("tokenize_cold_2p", "tokenize_cold"), 1.7),
        harness.target("warm vs cold cache", ratio("tokenize_warm", "tokenize_cold"), 50),
        harness.target("sudachi vs bare janome", ratio("tokenize_sudachi", "bare_janome"), 15),
        harness.target(
            "sudachi whole path vs its own analysis", ratio("tokenize_sudachi", "bare_sudachi"), 0.9
        ),
        harness.target(
            "(info) bare sudachi backend vs bare janome", ratio("bare_sudachi", "bare_janome"), 15
        ),
        harness.target("mecab vs bare janome", ratio("tokenize_mecab", "bare_janome"), 15),
        harness.target("mecab whole path vs its own analysis", ratio("tokenize_mecab", "bare_mecab"), 0.9),
    ]
    if isinstance(comparison, dict) and "share_max_diff_pp" in comparison:
        rows.append(
            harness.target(
                "theme shares janome vs sudachi, max |Δ|",
                comparison["share_max_diff_pp"],
                2,
                higher_is_better=False,
                unit=" pp",
            )
        )
        rows.append(
            harness.target(
                "theme hits per 100 tokens janome vs sudachi, max |Δ|",
                comparison["rate_max_diff_pp"],
                2,
                higher_is_better=False,
                unit=" pp",
            )
        )
    if isinstance(comparison, dict) and "mecab_rate_max_diff_pp" in comparison:
        for what, key in (
            ("theme shares", "mecab_share_max_diff_pp"),
            ("theme hits per 100 tokens", "mecab_rate_max_diff_pp"),
        ):
            rows.append(
                harness.target(
                    f"{what} janome vs mecab, max |Δ|", comparison[key], 2, higher_is_better=False, unit=" pp"
                )
            )
    if len(scales) >= 2:
        lo, hi = scales[-2], scales[-1]
        for stage in STAGES:
            a, b = results[lo].get(stage), results[hi].get(stage)
            if a and b and a.status == b.status == "ok" and a.median and b.median:
                growth = (b.median / b.n_chars) / (a.median / a.n_chars)
                rows.append(
                    harness.target(
                        f"time/char growth {lo}×→{hi}×: {stage}", growth, 1.2, higher_is_better=False
                    )
                )
    top = results[scales[-1]]
    peaks = [r.peak_rss_mb for r in top.values() if r.status == "ok" and r.peak_rss_mb]
    rows.append(
        harness.target(
            f"largest stage peak memory at {scales[-1]}×",
            max(peaks) / 1024 if peaks else None,
            4,
            higher_is_better=False,
            unit=" GB",
        )
    )
    analysis = [top[s].median for s in ANALYSIS_STAGES if s in top and top[s].status == "ok"]
    rows.append(
        harness.target(
            f"analysis stages total at {scales[-1]}×",
            sum(analysis) if len(analysis) == len(ANALYSIS_STAGES) else None,
            120,
            higher_is_better=False,
            unit=" s",
        )
    )
    return rows


def _no_paths(text: str) -> str:
    """Strip this machine's project path from messages (outputs never carry absolute paths)."""
    return text.replace(str(HERE.parent) + "/", "").replace(str(HERE.parent), ".")


def render(suite: dict, info: dict, *, quick: bool) -> str:
    results, sizes, comparison = suite["results"], suite["sizes"], suite["comparison"]
    out = [
        "# Benchmark results",
        "",
        "Generated by `python benchmarks/run.py`"
        + (" --quick (subset, one repeat)" if quick else "")
        + ". Each stage runs in a fresh subprocess; time is the median wall time of the stage call; "
        "peak memory is the child's `ru_maxrss` (interpreter + imports + inputs + stage). "
        "Rates are corpus characters (sum of turn `n_chars`) per second.",
        "",
        "## Machine",
        "",
        harness.markdown_table([{"item": k, "value": v} for k, v in info.items()]),
        "",
        "## Corpora",
        "",
        harness.markdown_table(
            [
                {
                    "scale": f"{s}×",
                    "characters": m["n_chars"],
                    "turns": m["n_turns"],
                    "municipalities": m["n_municipalities"],
                }
                for s, m in sizes.items()
            ]
        ),
        "",
        "## Stages",
        "",
    ]
    rows = []
    for scale, stages in results.items():
        for stage, r in stages.items():
            rows.append(
                {
                    "scale": f"{scale}×",
                    "stage": STAGES[stage],
                    "runs": len(r.seconds),
                    "median time": harness.fmt_seconds(r.median),
                    "chars/s": harness.fmt_rate(r.chars_per_s),
                    "peak memory": f"{r.peak_rss_mb:.0f} MB" if r.peak_rss_mb else "n/a",
                    "status": r.status + (f" ({_no_paths(r.note)})" if r.note else ""),
                }
            )
    targets = _targets(results, comparison)
    out += [harness.markdown_table(rows), "", "## Targets", "", harness.markdown_table(targets), ""]
    missed = [t for t in targets if t.get("result") == "MISS" and t["target"] in WHY_MISSED]
    if missed:
        out += ["### Why targets are missed", ""]
        out += [f"- **{t['target']}** ({t['margin']}): {WHY_MISSED[t['target']]}" for t in missed] + [""]
    if isinstance(comparison, dict) and "keyness_top30" in comparison:
        out += [
            "## janome vs sudachi on the smallest corpus",
            "",
            f"- Jaccard overlap of the term sets: {comparison['jaccard_terms']:.2f}",
            f"- tokens: janome {comparison['n_tokens_janome']}, sudachi {comparison['n_tokens_sudachi']}",
            *(
                [
                    f"- mecab (same IPADIC as janome): {comparison['n_tokens_mecab']} tokens, Jaccard overlap "
                    f"of the term sets with janome {comparison['mecab_jaccard_terms']:.2f}"
                ]
                if "n_tokens_mecab" in comparison
                else []
            ),
            f"- theme shares max |Δ|: {comparison['share_max_diff_pp']:.2f} pp; "
            f"rate per 10k tokens max |Δ|: {comparison['rate_max_diff_pp'] * 100:.1f} per 10k "
            f"({comparison['rate_max_diff_pp']:.2f} pp; {comparison['rate_max_rel_diff_pct']:.1f} % relative)",
            "",
            "Top-30 distinctive terms (keyness G² > 0) that differ between the backends:",
            "",
            harness.markdown_table(comparison["keyness_top30"]),
            "",
        ]
    elif comparison:
        out += ["## janome vs sudachi", "", f"not available: {_no_paths(comparison.get('note', ''))}", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,300")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument(
        "--stage",
        choices=["long", "structured"],
        help="run only this stage (long: long documents; structured: generated CSV/TSV/xlsx files, "
        "written into the `## Structured inputs` section of RESULTS.md or --out)",
    )
    parser.add_argument(
        "--structured-all-loads",
        action="store_true",
        help="structured stage: also load the 1,000,000-row TSV",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.work, args.repeat)
        return 0
    if args.stage == "structured":
        result = structured.run(str(Path(__file__).resolve()), all_loads=args.structured_all_loads)
        section = structured.render(result, harness.machine_info())
        print(section)
        structured.write_section(args.out, section)
        return 0
    if args.stage == "long":
        out = args.out if args.out != HERE / "RESULTS.md" else HERE / "RESULTS-long.md"
        text = (
            "# Benchmark results: long documents\n\nGenerated by `python benchmarks/run.py --stage long`.\n\n"
        )
        text += "## Machine\n\n" + harness.markdown_table(
            [{"item": k, "value": v} for k, v in harness.machine_info().items()]
        )
        text += "\n" + render_long(run_long(args.work))
        print(text)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        return 0
    scales = [1] if args.quick else sorted(int(s) for s in args.scales.split(","))
    repeats = 1 if args.quick else args.repeats
    suite = run_suite(scales, repeats, args.work, quick=args.quick)
    text = render(suite, harness.machine_info(), quick=args.quick)
    if not args.quick:  # the long-document stage runs in every full run
        text += "\n" + render_long(run_long(args.work))
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
