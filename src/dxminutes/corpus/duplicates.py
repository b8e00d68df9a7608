"""Duplicate documents: the same minutes saved twice (another encoding, format or name) count once.

A document's text for comparison is what the corpus keeps of it after cleaning and normalization:
its turns (label and speech) and non-speech parts, with all whitespace removed, so that a copy
whose layout or line breaks differ still compares equal. Two documents are

* **identical** when those texts are equal (similarity 1.0);
* **near** copies when the Jaccard similarity of their sets of k-character shingles
  (`config.DUPLICATE_SHINGLE_CHARS`) is at least `config.DUPLICATE_MIN_JACCARD`.

Documents are taken in order of file name (then doc_id); each is compared with the documents kept
before it, and a copy of one is dropped and listed with the one it copies (the first by sorted file
name is the one kept). Documents recorded as different meetings (their municipality or meeting
date, from the catalog, the text or a column, differ) are never duplicates: both are kept, and the
later one gets a warning that its text copies the other's, since one of them is likely misfiled.

The comparison is linear in the corpus size: identical texts are found by a hash, and near copies
only among candidates that share a MinHash LSH band (`MINHASH_BANDS` bands of `MINHASH_ROWS`
rows; a pair at the threshold 0.9 escapes with probability about 2e-8); every candidate's
similarity is then computed exactly on its shingle sets (the sizes first: |A| < 0.9 |B| rules a
pair out). Shingles are hashed with a fixed 64-bit rolling hash and the MinHash permutations come
from `config.RANDOM_SEED`, so the result does not depend on the process or the machine.
"""

from __future__ import annotations

__all__ = ["DISTINGUISHING_FIELDS", "MINHASH_BANDS", "MINHASH_ROWS", "SIGNATURE_CHUNK", "SIMILARITY_DECIMALS", "Duplicate", "comparison_text", "drop_duplicates", "find_duplicates", "jaccard", "shingle_hashes"]  # fmt: skip

import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dxminutes import config
from dxminutes.schema import UNKNOWN_MUNICIPALITY

#: Two documents whose known values of one of these fields differ are different meetings, never
#: duplicates, even with the same text (each is kept, with a warning naming the other).
DISTINGUISHING_FIELDS = ("municipality", "meeting_date")
_UNKNOWN = (None, "", UNKNOWN_MUNICIPALITY)
#: MinHash LSH: `MINHASH_BANDS` bands of `MINHASH_ROWS` rows each (100 hash functions).
MINHASH_BANDS = 20
MINHASH_ROWS = 5
#: Shingles hashed at once per MinHash signature (bounds memory: 100 x 4096 x 8 bytes).
SIGNATURE_CHUNK = 4096
#: Decimal places of the `similarity` column.
SIMILARITY_DECIMALS = 4
_WHITESPACE_RE = re.compile(r"\s+")
_BASE = np.uint64(0x100000001B3)


@dataclass(frozen=True)
class Duplicate:
    """`dropped` (a doc_id) is a copy of `kept`: `kind` identical or near, `similarity` the Jaccard value."""

    kept: str
    dropped: str
    similarity: float
    kind: str


def comparison_text(parts: Sequence[str]) -> str:
    """The text two documents are compared on: their parts joined, all whitespace removed."""
    return _WHITESPACE_RE.sub("", "".join(parts))


def shingle_hashes(text: str, k: int | None = None) -> np.ndarray:
    """Sorted unique 64-bit hashes of the k-character shingles of `text` (one for a shorter text)."""
    k = k or config.DUPLICATE_SHINGLE_CHARS
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) == 0:
        return np.zeros(0, dtype=np.uint64)
    width = min(k, len(codes))
    n = len(codes) - width + 1
    with np.errstate(over="ignore"):
        hashes = np.zeros(n, dtype=np.uint64)
        for j in range(width):  # polynomial hash mod 2**64 of every window, vectorized
            hashes = hashes * _BASE + codes[j : j + n]
        return np.unique(_mix(hashes + np.uint64(width)))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted unique hash arrays."""
    if len(a) == 0 and len(b) == 0:
        return 1.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def find_duplicates(
    texts: Sequence[tuple[str, str, str]],
    *,
    metadata: Mapping[str, Mapping[str, str | None]] | None = None,
    min_jaccard: float | None = None,
    k: int | None = None,
) -> tuple[list[Duplicate], list[Duplicate]]:
    """Duplicates among `texts`, (doc_id, file, comparison text) triples, as the module docstring says.

    `metadata` maps a doc_id to its `DISTINGUISHING_FIELDS`; two documents whose known values of
    one of them differ are never duplicates, whatever their text. Returns (duplicates, conflicts):
    one `Duplicate` per dropped document, and one per document kept although its text copies an
    earlier one whose metadata differ (`kept` is the earlier one), each in the order taken.
    """
    min_jaccard = config.DUPLICATE_MIN_JACCARD if min_jaccard is None else min_jaccard
    metadata = metadata or {}
    ordered = sorted(texts, key=lambda item: (item[1], item[0]))
    multipliers, offsets = _permutations()
    by_digest: dict[bytes, list[str]] = {}
    buckets: list[dict[bytes, list[str]]] = [{} for _ in range(MINHASH_BANDS)]
    shingles: dict[str, np.ndarray] = {}
    rank: dict[str, int] = {}  # order in which the documents were kept
    found, conflicts = [], []
    for doc_id, _file, text in ordered:
        digest = hashlib.sha256(text.encode("utf-8")).digest()
        hashes = shingle_hashes(text, k)
        keys = _band_keys(hashes, multipliers, offsets)
        matches = [(kept, 1.0, "identical") for kept in by_digest.get(digest, ())]
        candidates = dict.fromkeys(
            kept for band, key in enumerate(keys) for kept in buckets[band].get(key, ())
        )
        for kept in candidates:
            other = shingles[kept]
            if kept in by_digest.get(digest, ()):
                continue
            if min(len(hashes), len(other)) < min_jaccard * max(len(hashes), len(other)):
                continue  # the sizes alone rule out the threshold
            similarity = jaccard(hashes, other)
            if similarity >= min_jaccard:
                matches.append((kept, round(similarity, SIMILARITY_DECIMALS), "near"))
        # the best match first; among equals, the earliest kept document
        matches.sort(key=lambda match: (-match[1], rank[match[0]]))
        same = [m for m in matches if _compatible(metadata.get(m[0], {}), metadata.get(doc_id, {}))]
        if same:
            found.append(Duplicate(same[0][0], doc_id, same[0][1], same[0][2]))
            continue
        if matches:
            conflicts.append(Duplicate(matches[0][0], doc_id, matches[0][1], matches[0][2]))
        by_digest.setdefault(digest, []).append(doc_id)
        rank[doc_id] = len(rank)
        shingles[doc_id] = hashes
        for band, key in enumerate(keys):
            buckets[band].setdefault(key, []).append(doc_id)
    return found, conflicts


def drop_duplicates(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The corpus rows (table name → row dicts) with copies left out, listed and warned about.

    Reads `documents`, `turns` and `non_speech`; returns new lists (the input is not changed) in
    which the dropped documents' rows of every per-document table are gone, `duplicates` holds one
    row per dropped document and `warnings` one more row per dropped document, and one per kept
    document whose text copies another whose municipality or date differ.
    """
    parts: dict[str, list[str]] = {doc["doc_id"]: [] for doc in rows["documents"]}
    for turn in rows["turns"]:
        parts[turn["doc_id"]] += [turn["speaker_label"] or "", turn["text"] or ""]
    for part in rows["non_speech"]:
        parts[part["doc_id"]].append(part["text"] or "")
    docs = {doc["doc_id"]: doc for doc in rows["documents"]}
    files = {doc_id: doc["file"] for doc_id, doc in docs.items()}
    per_file = Counter(files.values())
    # how a message names a document: its file, and its doc_id too when the file holds several
    names = {d: f if per_file[f] == 1 else f"{f} (document {d})" for d, f in files.items()}
    found, conflicts = find_duplicates(
        [(doc_id, files[doc_id], comparison_text(p)) for doc_id, p in parts.items()],
        metadata={doc_id: {f: doc.get(f) for f in DISTINGUISHING_FIELDS} for doc_id, doc in docs.items()},
    )
    dropped = {dup.dropped for dup in found}
    out = {
        name: [row for row in table if row.get("doc_id") not in dropped]
        if name != "warnings"
        else list(table)
        for name, table in rows.items()
    }
    out["duplicates"] = [
        {
            "kept_file": files[dup.kept],
            "dropped_file": files[dup.dropped],
            "similarity": dup.similarity,
            "kind": dup.kind,
            "kept_doc_id": dup.kept,
            "dropped_doc_id": dup.dropped,
        }
        for dup in found
    ]
    out["warnings"] += [
        {
            "file": files[dup.dropped],
            "message": f"{_named(names, dup.dropped, files)}left out as a duplicate of {names[dup.kept]} "
            f"({_how_similar(dup)}); "
            "only the first by file name is counted",
        }
        for dup in found
    ]
    out["warnings"] += [
        {
            "file": files[dup.dropped],
            "message": f"{_named(names, dup.dropped, files)}{_how_similar(dup)} as {names[dup.kept]}, "
            "but recorded as another meeting ("
            + ", ".join(
                f"{field} {docs[dup.dropped].get(field)} vs {docs[dup.kept].get(field)}"
                for field in DISTINGUISHING_FIELDS
                if not _compatible({field: docs[dup.dropped].get(field)}, {field: docs[dup.kept].get(field)})
            )
            + "): both are counted; if one is a copy, remove it or correct its catalog row",
        }
        for dup in conflicts
    ]
    return out


def _named(names: Mapping[str, str], doc_id: str, files: Mapping[str, str]) -> str:
    """`document X: ` before a message about one document of a file holding several, else ''."""
    return "" if names[doc_id] == files[doc_id] else f"document {doc_id}: "


def _how_similar(dup: Duplicate) -> str:
    if dup.kind == "identical":
        return "the same text"
    return (
        f"a near copy: {dup.similarity:.2f} of its {config.DUPLICATE_SHINGLE_CHARS}-character shingles shared"
    )


def _compatible(a: Mapping[str, str | None], b: Mapping[str, str | None]) -> bool:
    """False when a field of `DISTINGUISHING_FIELDS` is known in both and differs."""
    for field in DISTINGUISHING_FIELDS:
        x, y = a.get(field), b.get(field)
        if x not in _UNKNOWN and y not in _UNKNOWN and x != y:
            return False
    return True


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: spreads a hash over all 64 bits."""
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(config.RANDOM_SEED)
    n = MINHASH_BANDS * MINHASH_ROWS
    multipliers = rng.integers(1, 2**63, size=n, dtype=np.uint64) | np.uint64(1)
    offsets = rng.integers(0, 2**63, size=n, dtype=np.uint64)
    return multipliers, offsets


def _band_keys(hashes: np.ndarray, multipliers: np.ndarray, offsets: np.ndarray) -> list[bytes]:
    """The MinHash signature of a shingle set, cut into `MINHASH_BANDS` band keys."""
    if len(hashes) == 0:
        return [b""] * MINHASH_BANDS
    signature = np.full(len(multipliers), np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(hashes), SIGNATURE_CHUNK):
            chunk = hashes[None, start : start + SIGNATURE_CHUNK]
            permuted = chunk * multipliers[:, None] + offsets[:, None]  # a bijection of uint64 per row
            signature = np.minimum(signature, permuted.min(axis=1))
    return [
        signature[band * MINHASH_ROWS : (band + 1) * MINHASH_ROWS].tobytes() for band in range(MINHASH_BANDS)
    ]
