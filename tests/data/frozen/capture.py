"""Freeze the outputs of four long functions before they are split (issue 9, item 4).

Run from the project root: ``python tests/data/frozen/capture.py``. It writes, next to this file:

* ``inputs/``: the real inputs, built with the package from the seed minutes and kept so the
  frozen tests do not depend on the tokenizer, the cleaner or the loader staying the same:
  ``seed_tokens.csv.gz`` (turn_id, doc_id, i, term of `token_table.tokenize_turns`) and
  ``seed_documents.parquet`` / ``seed_turns.parquet`` (`corpus.build.load_corpus(config.RAW_DIR)`);
* one JSON file per function with its outputs on those inputs: ``cooccurrence.json``,
  ``scale_corpus.json``, ``select_k.json``, ``map_pos.json``.

Segmentation is not frozen (issue 19, item 8): its frozen output froze known errors; the
hand-written truth in ``tests/data/realworld/`` is its reference.

Before writing, every output is computed twice, from the live package inputs and from the
frozen inputs read back, and the two must agree: the frozen inputs are faithful.
`tests/test_frozen_refactor.py` recomputes the outputs with the ``compute_*`` functions below
and compares them with the files. Cells are encoded exactly: floats as their ``repr`` (which
round-trips; the test compares them with a stated tolerance, since another CPU or BLAS kernel
changes last digits), numpy scalars as Python ones, dtypes as strings. Rerun this script only when a
change of behaviour is intended (and say so in the commit).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
INPUTS = HERE / "inputs"
PROJECT = HERE.parents[2]

#: Non-default settings of `cooccurrence` frozen besides the defaults.
COOCCURRENCE_CASES = {
    "default": {},
    "document_greedy": {
        "unit": "document",
        "top_n_edges": 25,
        "min_turns": 2,
        "min_support": 2,
        "community": "greedy",
    },
    "subset_small": {"top_n_edges": 40, "max_terms": 40, "min_support": 2, "turn_ids": "first_half"},
    "no_edges": {"top_n_edges": 0},
}
#: `select_k` settings: the default K grid on the TF-IDF matrix, the notebook's windowed
#: coherence, and LDA on counts.
SELECT_K_CASES = {
    "default": {},
    "windows": {"ks": [2, 3, 4, 5], "tokens": True, "window": 10},
    "lda": {"ks": [2, 3], "seeds": (0, 1), "model": "lda", "counts": True, "max_iter": 50},
}
#: Contexts in which every Sudachi POS is mapped: (surface, previous IPADIC tuple).
MAP_POS_SURFACES = ("テスト", "こと", "方")
MAP_POS_PREVS = (
    None,
    ("名詞", "数", "*", "*"),
    ("助詞", "接続助詞", "*", "*"),
    ("名詞", "固有名詞", "人名", "姓"),
    ("名詞", "一般", "*", "*"),
)
#: POS tuples no dictionary entry has, to pin the fallbacks (short, padded, unknown levels).
MAP_POS_EXTRA = (
    (),
    ("*",),
    ("名詞",),
    ("名詞", "普通名詞"),
    ("名詞", "固有名詞"),
    ("名詞", "固有名詞", "*"),
    ("名詞", "未知"),
    ("接尾辞", "未知"),
    ("接尾辞", "名詞的", "未知"),
    ("助詞", "未知"),
    ("補助記号", "未知"),
    ("副詞", "一般"),
    ("接続詞", "*"),
    ("未知語", "*"),
)


# --------------------------------------------------------------------------- exact encoding
def cell(value):
    """One table cell as JSON: floats by repr (exact), numpy scalars unwrapped, None kept."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return "float:" + repr(float(value))
    return f"{type(value).__name__}:{value!r}"


def table(frame: pd.DataFrame) -> dict:
    """A DataFrame as columns, dtypes, index and rows of exactly encoded cells."""
    return {
        "columns": [str(c) for c in frame.columns],
        "dtypes": [str(t) for t in frame.dtypes],
        "index": [cell(i) for i in frame.index],
        "rows": [[cell(v) for v in row] for row in frame.itertuples(index=False, name=None)],
    }


def digest(obj) -> str:
    """sha256 of the canonical JSON of `obj`."""
    return hashlib.sha256(json.dumps(obj, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _warnings_of(call, *args, **kwargs):
    """(result, sorted unique (category, message) of the warnings `call(*args, **kwargs)` raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call(*args, **kwargs)
    return result, sorted({(w.category.__name__, str(w.message)) for w in caught})


def _error_of(call, *args, **kwargs) -> str | None:
    """ "Type: message" of the exception `call(*args, **kwargs)` raises, or None."""
    try:
        call(*args, **kwargs)
    except Exception as exc:  # the frozen record is the type and message
        return f"{type(exc).__name__}: {exc}"
    return None


# --------------------------------------------------------------------------- inputs
def live_inputs() -> dict:
    """The inputs built with the package from the repository's minutes."""
    from dxminutes import config
    from dxminutes.corpus.build import load_corpus
    from dxminutes.text.token_table import tokenize_turns

    corpus = load_corpus(config.RAW_DIR)
    tokens = tokenize_turns(corpus.turns, cache_dir=False)
    return {
        "tokens": tokens[["turn_id", "doc_id", "i", "term"]],
        "documents": corpus.documents,
        "turns": corpus.turns,
    }


def write_inputs(inputs: dict) -> None:
    INPUTS.mkdir(exist_ok=True)
    csv = inputs["tokens"].to_csv(index=False).encode("utf-8")
    (INPUTS / "seed_tokens.csv.gz").write_bytes(gzip.compress(csv, 9, mtime=0))
    inputs["documents"].to_parquet(INPUTS / "seed_documents.parquet", index=False, compression="zstd")
    inputs["turns"].to_parquet(INPUTS / "seed_turns.parquet", index=False, compression="zstd")


def frozen_inputs() -> dict:
    """The inputs read back from ``inputs/``."""
    tokens = pd.read_csv(
        INPUTS / "seed_tokens.csv.gz",
        dtype={"turn_id": "str", "doc_id": "str", "term": "str", "i": "int64"},
        keep_default_na=False,
    )
    return {
        "tokens": tokens,
        "documents": pd.read_parquet(INPUTS / "seed_documents.parquet"),
        "turns": pd.read_parquet(INPUTS / "seed_turns.parquet"),
    }


# --------------------------------------------------------------------------- outputs
def compute_cooccurrence(inputs: dict) -> dict:
    """Nodes, edges and graph of `network.cooccurrence` in each `COOCCURRENCE_CASES` setting."""
    from dxminutes import config
    from dxminutes.analysis.network import cooccurrence

    tokens = inputs["tokens"]
    turn_ids = sorted(tokens["turn_id"].unique())
    out = {}
    for name, kwargs in COOCCURRENCE_CASES.items():
        kwargs = dict(kwargs)
        if kwargs.get("turn_ids") == "first_half":
            kwargs["turn_ids"] = turn_ids[: len(turn_ids) // 2]
        net = cooccurrence(tokens, random_state=config.RANDOM_SEED, **kwargs)
        out[name] = {
            "unit": net.unit,
            "n_units": cell(net.n_units),
            "filters": net.filters,
            "nodes": table(net.nodes),
            "edges": table(net.edges),
            "graph_nodes": [[n, {k: cell(v) for k, v in d.items()}] for n, d in net.graph.nodes(data=True)],
            "graph_edges": [
                [u, v, {k: cell(x) for k, x in d.items()}] for u, v, d in net.graph.edges(data=True)
            ],
        }
    out["errors"] = {
        "unit": _error_of(lambda: cooccurrence(tokens, unit="sentence", random_state=0)),
        "community": _error_of(lambda: cooccurrence(tokens, community="leiden", random_state=0)),
    }
    return out


def _frames_record(documents: pd.DataFrame, turns: pd.DataFrame) -> dict:
    docs, trn = table(documents), table(turns)
    canonical = (documents.to_csv(index=True) + "\n" + turns.to_csv(index=True)).encode("utf-8")
    return {
        "csv_sha256": hashlib.sha256(canonical).hexdigest(),
        "documents_sha256": digest(docs),
        "turns_sha256": digest(trn),
        "shape": [list(documents.shape), list(turns.shape)],
        "documents": docs,
        "turns_columns": trn["columns"],
        "turns_dtypes": trn["dtypes"],
        "turns_head": trn["rows"][:3],
        "turns_tail": trn["rows"][-3:],
    }


def compute_scale_corpus(inputs: dict) -> dict:
    """`synthetic.scale_corpus` of the seed corpus at scale 3 (and 1, 2 as a tuple) and its errors."""
    from dxminutes import config
    from dxminutes.corpus.synthetic import scale_corpus

    documents, turns = inputs["documents"], inputs["turns"]
    before = digest([table(documents), table(turns)])

    corpus = types.SimpleNamespace(documents=documents, turns=turns)  # a `Corpus` look-alike
    out = {
        "scale3": _frames_record(*scale_corpus(corpus, 3, random_state=config.RANDOM_SEED)),
        "scale1": _frames_record(*scale_corpus(corpus, 1, random_state=config.RANDOM_SEED)),
        "scale2_tuple_no_n_chars_other_seed": _frames_record(
            *scale_corpus((documents, turns.drop(columns="n_chars")), 2, random_state=7)
        ),
        "errors": [_error_of(scale_corpus, corpus, factor, random_state=0) for factor in (0, 1.5, -2)],
    }
    out["inputs_unchanged"] = digest([table(documents), table(turns)]) == before
    return out


def compute_select_k(inputs: dict) -> dict:
    """`topics.select_k` on the seed turn TF-IDF in each `SELECT_K_CASES` setting, with warnings."""
    from dxminutes import config
    from dxminutes.analysis.topics import select_k
    from dxminutes.text.dtm import count_matrix, tfidf_matrix

    tokens = inputs["tokens"]
    tfidf, counts = tfidf_matrix(tokens), count_matrix(tokens)
    out = {}
    for name, case in SELECT_K_CASES.items():
        kwargs = {k: v for k, v in case.items() if k not in ("tokens", "counts")}
        if case.get("tokens"):
            kwargs["tokens"] = tokens
        if case.get("counts"):
            kwargs["counts_dtm"] = counts
        selection, caught = _warnings_of(select_k, tfidf, random_state=config.RANDOM_SEED, **kwargs)
        out[name] = {"table": table(selection), "warnings": caught}
    out["errors"] = {
        "lda_without_counts": _error_of(lambda: select_k(tfidf, model="lda", random_state=0)),
        "one_seed": _error_of(lambda: select_k(tfidf, seeds=(0,), random_state=0)),
    }
    out["too_large_k"] = table(select_k(tfidf, [500], seeds=(0, 1), random_state=0))
    return out


def compute_map_pos() -> dict:
    """`sudachi.map_pos` of every POS of the installed dictionary, in every context it reads.

    `map_pos` has no split-mode argument: modes A, B and C share the dictionary's POS inventory
    and the mapping, so one enumeration covers them all. The context is the surface (a
    dependent noun or not) and the previous morpheme's IPADIC tuple; each POS row lists the
    index of its label in `labels` for each (surface, prev) of `contexts`.
    """
    import importlib.metadata

    from sudachipy import Dictionary

    from dxminutes.text.backends.sudachi import _DEPENDENT_NOUNS, map_pos

    dictionary = Dictionary(dict="core")
    inventory, pos_id = [], 0
    while (pos := dictionary.pos_of(pos_id)) is not None:
        inventory.append(tuple(pos))
        pos_id += 1
    contexts = [(s, p) for s in MAP_POS_SURFACES for p in MAP_POS_PREVS]
    labels: dict[str, int] = {}

    def label(pos, surface, prev) -> int:
        return labels.setdefault(",".join(map_pos(pos, surface, prev)), len(labels))

    rows = [[",".join(pos), [label(pos, s, p) for s, p in contexts]] for pos in (*inventory, *MAP_POS_EXTRA)]
    common = sorted({pos[:4] for pos in inventory if pos[:2] == ("名詞", "普通名詞")})
    dependent = [
        [surface, ",".join(pos), [label(pos, surface, p) for p in MAP_POS_PREVS]]
        for surface in sorted(_DEPENDENT_NOUNS | {"テスト", "事柄"})
        for pos in common
    ]
    return {
        "sudachi": {d: importlib.metadata.version(d) for d in ("sudachipy", "sudachidict-core")},
        "n_pos": len(inventory),
        "contexts": [[s, list(p) if p else None] for s, p in contexts],
        "prevs": [list(p) if p else None for p in MAP_POS_PREVS],
        "labels": list(labels),
        "rows": rows,
        "dependent_nouns": dependent,
    }


# --------------------------------------------------------------------------- files
def outputs(inputs: dict) -> dict[str, dict]:
    """Every frozen output, by file name."""
    return {
        "cooccurrence.json": compute_cooccurrence(inputs),
        "scale_corpus.json": compute_scale_corpus(inputs),
        "select_k.json": compute_select_k(inputs),
        "map_pos.json": compute_map_pos(),
    }


def dumps(obj) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def read_frozen(name: str):
    data = (HERE / name).read_bytes()
    return json.loads(gzip.decompress(data) if name.endswith(".gz") else data)


def main() -> int:
    live = live_inputs()
    write_inputs(live)
    frozen = frozen_inputs()
    expected = outputs(frozen)
    from_live = outputs(live)
    for name, value in expected.items():
        if dumps(value) != dumps(from_live[name]):
            print(f"{name}: the frozen inputs give other outputs than the live ones", file=sys.stderr)
            return 1
    for name, value in expected.items():
        data = dumps(value)
        (HERE / name).write_bytes(gzip.compress(data, 9, mtime=0) if name.endswith(".gz") else data)
    for path in sorted([*HERE.glob("*.json*"), *INPUTS.iterdir()]):
        print(f"{path.relative_to(HERE)}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT / "src"))
    raise SystemExit(main())
