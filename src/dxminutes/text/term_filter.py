"""The term filter on arrays: `JapaneseTokenizer.filter` for a whole document at once.

`JapaneseTokenizer.filter` states the rules one morpheme at a time (it is the specification and
stays the reference). This module applies the same rules to a document's morphemes held as
arrays — surface, base, POS and the turn each morpheme belongs to — so the per-morpheme Python
work that every backend shares becomes a few NumPy passes plus work per *distinct* surface or
POS, which repeats a lot:

1. each distinct POS and surface is classified once (content noun, compound suffix, other) and
   mapped back by index;
2. compound runs are found with cumulative sums: a run is a stretch of content nouns, extended by
   compound suffixes once it has begun, and never crosses a turn;
3. stopword parts at the right edge of a run are trimmed with a segmented reduction;
4. a run of 2..`max_compound_parts` parts within `max_compound_chars` is glued (one string join
   per glued run), else its content parts are kept one by one;
5. the keep rule (stopwords, junk, digits) is evaluated once per distinct term.

`tests/test_term_filter.py` checks that the result equals the reference filter token for token,
on the seed minutes and on random morpheme sequences.
"""

from __future__ import annotations

__all__ = ["MorphemeArrays", "TermArrays", "filter_arrays"]

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dxminutes.text.backends import USERDICT_POS
from dxminutes.text.tokenizer import (
    _CONTENT,
    _DIGIT,
    _JUNK,
    _LIST_MARKER,
    _OTHER,
    _SUFFIX,
    _SYMBOLIC,
    COMPOUND_POS,
    COMPOUND_SUFFIXES,
    JapaneseTokenizer,
)

_USER_POS = ",".join(USERDICT_POS)


@dataclass(frozen=True)
class MorphemeArrays:
    """A document's morphemes as parallel arrays; `turn` numbers the turn of each morpheme."""

    turn: np.ndarray  # int64, non-decreasing
    surface: np.ndarray  # object (str)
    base: np.ndarray  # object (str)
    pos: np.ndarray  # object (str): comma-joined four levels

    def __len__(self) -> int:
        return len(self.turn)

    @classmethod
    def from_columns(cls, per_turn) -> MorphemeArrays:
        """From a list (one item per turn) of `MorphemeColumns`."""
        turn = np.repeat(np.arange(len(per_turn), dtype=np.int64), [len(c.surface) for c in per_turn])
        surface, base, pos = [], [], []
        for c in per_turn:
            surface += c.surface
            base += c.base
            pos += c.pos
        return cls(turn, _objects(surface), _objects(base), _objects(pos))

    @classmethod
    def from_lists(cls, per_turn) -> MorphemeArrays:
        """From a list (one item per turn) of Morpheme lists."""
        turn = np.repeat(np.arange(len(per_turn), dtype=np.int64), [len(ms) for ms in per_turn])
        flat = [m for ms in per_turn for m in ms]
        surface = np.array([m.surface for m in flat], dtype=object)
        base = np.array([m.base for m in flat], dtype=object)
        pos = np.array([",".join(m.pos) for m in flat], dtype=object)
        return cls(turn, surface, base, pos)


@dataclass(frozen=True)
class TermArrays:
    """Kept tokens of a document: the turn of each, and its surface, base, POS and term."""

    turn: np.ndarray
    surface: np.ndarray
    base: np.ndarray
    pos: np.ndarray
    term: np.ndarray

    def per_turn(self, n_turns: int) -> list[list[list[str]]]:
        """Rows `[surface, base, pos, term]` grouped by turn (the reference filter's shape)."""
        out: list[list[list[str]]] = [[] for _ in range(n_turns)]
        for t, s, b, p, term in zip(
            self.turn.tolist(),
            self.surface.tolist(),
            self.base.tolist(),
            self.pos.tolist(),
            self.term.tolist(),
        ):
            out[t].append([s, b, p, term])
        return out


def _objects(values: list[str]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


class _Factor:
    """Distinct values of an object array and the code of each element (hash each string once)."""

    def __init__(self, values: np.ndarray):
        codes, uniques = pd.factorize(values, sort=False)
        self.codes = codes
        self.uniques = list(uniques)

    def map(self, func, dtype=bool, memo: dict | None = None) -> np.ndarray:
        """`func` of every element, evaluated once per distinct value.

        With a `memo` (value → result, kept across documents by `_memo`), only the values not seen
        before are evaluated; the rest is looked up in C.
        """
        if memo is None:
            values = map(func, self.uniques)
        else:
            for u in set(self.uniques).difference(memo):
                memo[u] = func(u)
            values = map(memo.__getitem__, self.uniques)
        table = np.fromiter(values, dtype=dtype, count=len(self.uniques))
        return table[self.codes] if len(self.codes) else np.zeros(0, dtype=dtype)


#: A memo is emptied when it holds more values than this (bounded memory on national corpora).
_MEMO_MAX = 500_000


def _memo(tok: JapaneseTokenizer, name: str) -> dict:
    """The tokenizer's memo `name` for per-value rules, valid while the rules' settings are unchanged.

    Kept on the tokenizer object (not pickled: `JapaneseTokenizer.__getstate__` drops it) and
    keyed on the settings the rules read, so a changed tokenizer never reuses old answers.
    """
    signature = (tok.pos, tok.drop_proper_names, id(tok.stopwords))
    memos = tok.__dict__.get("_filter_memo")
    if memos is None or memos[0] != signature:
        memos = tok.__dict__["_filter_memo"] = (signature, {})
    memo = memos[1].setdefault(name, {})
    if len(memo) > _MEMO_MAX:
        memo.clear()
    return memo


def _kind_of_pos(tok: JapaneseTokenizer, p: str) -> int:
    """The part of `_kind` that depends on the POS only: a kind, or 11/12 (content/suffix candidate)."""
    fields = p.split(",")
    major, sub, sub2 = fields[0], fields[1], fields[2]
    if major != "名詞" or "名詞" not in tok.pos:
        return _OTHER
    if p == _USER_POS:
        return 10  # user term: content regardless of symbols
    if sub in ("一般", "サ変接続", "形容動詞語幹"):
        return 11  # content unless symbolic
    if sub == "固有名詞":
        if sub2 in ("一般", "組織") or (sub2 in ("人名", "地域") and not tok.drop_proper_names):
            return 11
        return _OTHER
    if sub == "接尾" and sub2 != "助数詞":
        return 12  # suffix if in COMPOUND_SUFFIXES and not symbolic
    return _OTHER


def _kinds(tok: JapaneseTokenizer, surface: _Factor, pos: _Factor) -> np.ndarray:
    """The reference `_kind` for every morpheme."""
    by_pos = pos.map(lambda p: _kind_of_pos(tok, p), dtype=np.int8, memo=_memo(tok, "kind_of_pos"))
    # symbols and list markers (①, the ア of "(ア)") are never content nor suffix
    symbolic = surface.map(_symbolic, memo=_memo(tok, "symbolic"))
    suffix = surface.map(COMPOUND_SUFFIXES.__contains__)
    kinds = np.full(len(by_pos), _OTHER, dtype=np.int8)
    kinds[(by_pos == 10) | ((by_pos == 11) & ~symbolic)] = _CONTENT
    kinds[(by_pos == 12) & ~symbolic & suffix] = _SUFFIX
    return kinds


def _symbolic(s: str) -> bool:
    return bool(_SYMBOLIC.search(s) or _LIST_MARKER.fullmatch(s))


def _term_ok(tok: JapaneseTokenizer, user: bool):
    stop = tok.stopwords
    if user:  # a user term may contain digits
        return lambda t: (t not in stop) and not _JUNK.fullmatch(t)
    return lambda t: (t not in stop) and not _JUNK.fullmatch(t) and not _DIGIT.search(t)


def filter_arrays(tok: JapaneseTokenizer, m: MorphemeArrays) -> TermArrays:
    """Apply `tok`'s POS filter, compound rule and stopwords to a document's morphemes."""
    n = len(m)
    empty = np.array([], dtype=object)
    if n == 0:
        return TermArrays(np.zeros(0, dtype=np.int64), empty, empty, empty, empty)
    surface_f, base_f, pos_f = _Factor(m.surface), _Factor(m.base), _Factor(m.pos)
    kinds = _kinds(tok, surface_f, pos_f)
    content = kinds == _CONTENT
    idx = np.arange(n)
    new_turn = np.r_[True, m.turn[1:] != m.turn[:-1]]

    # -- runs ------------------------------------------------------------------------------
    if tok.compounds:
        runnable = content | (kinds == _SUFFIX)
        block_start = runnable & (new_turn | ~np.r_[False, runnable[:-1]])
        block = np.cumsum(block_start)  # block id of each runnable element (others ignored)
        # first content index per block; elements from it to the block's end are in the run
        first_content = np.full(block[-1] + 2, n, dtype=np.int64)
        np.minimum.at(first_content, block[content], idx[content])
        in_run = runnable & (idx >= first_content[block])
        run_start = in_run & (idx == first_content[block])
    else:
        in_run = content
        run_start = content
    run_id = np.cumsum(run_start) - 1  # valid where in_run

    # -- trim stopword parts at the right edge ----------------------------------------------
    stop = tok.stopwords
    is_stop = surface_f.map(stop.__contains__) | base_f.map(stop.__contains__)
    rpos = idx[in_run]
    rid = run_id[in_run]
    n_runs = int(run_start.sum())
    last_keep = np.full(n_runs, -1, dtype=np.int64)
    keep_part = ~is_stop[rpos]
    np.maximum.at(last_keep, rid[keep_part], rpos[keep_part])
    alive = rpos <= last_keep[rid]
    rpos, rid = rpos[alive], rid[alive]

    # -- glue or split each run -------------------------------------------------------------
    n_parts = np.bincount(rid, minlength=n_runs)
    lengths = np.fromiter((len(s) for s in m.surface[rpos].tolist()), dtype=np.int64, count=len(rpos))
    n_chars = np.bincount(rid, weights=lengths, minlength=n_runs)
    glue_run = (n_parts > 1) & (n_parts <= tok.max_compound_parts) & (n_chars <= tok.max_compound_chars)
    glued = glue_run[rid]

    # kept tokens as (morpheme index it stands at, surface, base, pos, term), merged in text order
    pieces: list[tuple[np.ndarray, ...]] = []

    # glued compounds: one token per run, at the run's first part
    if glued.any():
        g_pos, g_rid = rpos[glued], rid[glued]
        starts = np.r_[0, np.flatnonzero(np.diff(g_rid)) + 1]
        parts = m.surface[g_pos].tolist()
        stops = [*starts[1:].tolist(), len(parts)]
        terms = np.empty(len(starts), dtype=object)
        terms[:] = ["".join(parts[a:b]) for a, b in zip(starts.tolist(), stops)]
        first = g_pos[starts]
        ok = _Factor(terms).map(_term_ok(tok, False), memo=_memo(tok, "term_ok"))
        compound_pos = np.full(int(ok.sum()), COMPOUND_POS, dtype=object)
        pieces.append((first[ok], terms[ok], terms[ok], compound_pos, terms[ok]))

    # parts of runs that are not glued: content parts kept one by one
    s_pos = rpos[~glued]
    s_pos = s_pos[content[s_pos]]
    if len(s_pos):
        user = m.pos[s_pos] == _USER_POS
        base_ok = ~(base_f.map(stop.__contains__)[s_pos])
        ok = np.where(
            user,
            surface_f.map(_term_ok(tok, True), memo=_memo(tok, "user_term_ok"))[s_pos],
            surface_f.map(_term_ok(tok, False), memo=_memo(tok, "term_ok"))[s_pos],
        )
        s_pos = s_pos[ok & base_ok]
        pieces.append((s_pos, m.surface[s_pos], m.base[s_pos], m.pos[s_pos], m.surface[s_pos]))

    # verbs and adjectives (自立), as base forms, outside runs
    other_pos = {p for p in tok.pos if p != "名詞"}
    if other_pos:
        candidates = idx[~in_run]
        if len(candidates):
            wanted = pos_f.map(lambda p: p.split(",")[0] in other_pos and p.split(",")[1] == "自立")[
                candidates
            ]
            v = candidates[wanted]
            v = v[base_f.map(_term_ok(tok, False), memo=_memo(tok, "term_ok"))[v]]
            pieces.append((v, m.surface[v], m.base[v], m.pos[v], m.base[v]))

    if not pieces:
        return TermArrays(np.zeros(0, dtype=np.int64), empty, empty, empty, empty)
    at, surface, base, pos, term = (np.concatenate(column) for column in zip(*pieces))
    order = np.argsort(at, kind="stable")
    return TermArrays(m.turn[at][order], surface[order], base[order], pos[order], term[order])
