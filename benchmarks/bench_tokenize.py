"""Tokenizer benchmark: prints a Markdown table measured in one run.

    python benchmarks/bench_tokenize.py [--factor 20] [--runs 3]

Measures, on the seed corpus and on a `factor`× corpus generated from the seeds
(`synthetic.scale_corpus`, seeded resampling of turns): throughput of the project tokenizer vs
bare janome `Tokenizer().tokenize` on the same text (single process), 2 processes vs 1, warm
cache vs cold, and the peak memory (ru_maxrss of a child process) of tokenizing the scaled
corpus. Seed-corpus figures are medians of `runs` runs; scaled-corpus figures are single runs.
The measuring functions are importable (benchmarks/run.py uses them).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from dxminutes import config
from dxminutes.corpus.build import load_corpus
from dxminutes.corpus.synthetic import scale_corpus
from dxminutes.text.token_table import tokenize_turns
from dxminutes.text.tokenizer import JapaneseTokenizer


def corpus_turns(factor: int = 1, random_state: int = config.RANDOM_SEED) -> pd.DataFrame:
    """Turns of the seed corpus, scaled `factor` times by seeded resampling."""
    corpus = load_corpus()
    return corpus.turns if factor == 1 else scale_corpus(corpus, factor, random_state=random_state)[1]


def _timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def throughput(turns: pd.DataFrame, runs: int = 3) -> dict:
    """chars/s of the project tokenizer (no cache) and of bare janome on the same texts."""
    from janome.tokenizer import Tokenizer

    texts = turns["text"].tolist()
    n_chars = sum(map(len, texts))
    bare = Tokenizer()
    JapaneseTokenizer()("準備")  # build both analyzers before timing
    project = _timed(lambda: tokenize_turns(turns, cache_dir=False, progress=False), runs)
    janome = _timed(lambda: [list(bare.tokenize(t)) for t in texts], runs)
    return {
        "chars": n_chars,
        "project_cps": n_chars / project,
        "janome_cps": n_chars / janome,
        "ratio": janome / project,
    }


def parallel_speedup(turns: pd.DataFrame, runs: int = 3) -> dict:
    one = _timed(lambda: tokenize_turns(turns, cache_dir=False, n_jobs=1, progress=False), runs)
    two = _timed(lambda: tokenize_turns(turns, cache_dir=False, n_jobs=2, progress=False), runs)
    return {"seconds_1": one, "seconds_2": two, "speedup": one / two}


def cache_speedup(turns: pd.DataFrame, runs: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        cold = time.perf_counter()
        tokenize_turns(turns, cache_dir=Path(tmp), progress=False)
        cold = time.perf_counter() - cold
        warm = _timed(lambda: tokenize_turns(turns, cache_dir=Path(tmp), progress=False), runs)
    return {"cold": cold, "warm": warm, "speedup": cold / warm}


def peak_memory_mb(factor: int) -> float:
    """Peak RSS (MB) of a child process that tokenizes the `factor`× corpus without cache."""
    code = (
        "import sys; sys.path.insert(0, %r); import bench_tokenize as b; "
        "from dxminutes.text.token_table import tokenize_turns; "
        "tokenize_turns(b.corpus_turns(%d), cache_dir=False, progress=False)"
    ) % (str(Path(__file__).parent), factor)
    subprocess.run([sys.executable, "-c", code], check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def top_terms(turns: pd.DataFrame, n: int = 30) -> pd.DataFrame:
    """The `n` most frequent terms per municipality (to review the stopword list by eye)."""
    from dxminutes.text.dtm import term_counts

    counts = term_counts(tokenize_turns(turns, progress=False))
    return counts.groupby("municipality", sort=True).head(n)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--top", action="store_true", help="also print the top 30 terms per municipality")
    args = parser.parse_args(argv)
    seeds, scaled = corpus_turns(1), corpus_turns(args.factor)
    rows = []
    for label, turns, runs in (("seed", seeds, args.runs), (f"{args.factor}x", scaled, 1)):
        tp, par, cache = throughput(turns, runs), parallel_speedup(turns, runs), cache_speedup(turns, runs)
        rows.append(
            f"| {label} | {tp['chars']:,} | {tp['project_cps']:,.0f} | {tp['janome_cps']:,.0f} | "
            f"{tp['ratio']:.2f}× | {par['speedup']:.2f}× | {cache['speedup']:.0f}× |"
        )
    print(
        "| corpus | chars | project chars/s | bare janome chars/s | project/janome (≥0.85) | "
        "2 procs vs 1 (≥1.7) | warm vs cold cache (≥50) |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(
        f"\nPeak memory tokenizing the {args.factor}x corpus (child ru_maxrss): {peak_memory_mb(args.factor):.0f} MB"
    )
    if args.top:
        for muni, group in top_terms(seeds).groupby("municipality", sort=True):
            print(f"\n{muni}: " + " ".join(f"{t}:{c}" for t, c in zip(group["term"], group["count"])))


if __name__ == "__main__":
    main()
