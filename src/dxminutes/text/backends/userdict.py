"""User terms (janome's simplified CSV dictionary format), applied the same way by every backend."""

from __future__ import annotations

__all__ = ["analyze_columns_with_user_terms", "read_user_terms", "user_term_pattern"]

import csv
import functools
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from dxminutes.text.backends.base import USERDICT_POS, USERDICT_TAG, MorphemeColumns, pad_pos

#: Latin letters and digits: an ASCII user term only matches as a whole word (`AI` not in `EMAIL`).
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def read_user_terms(userdict_path: Path | None) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(surface, pos) pairs of a janome simplified user dictionary (`surface,pos,reading` lines).

    Entries tagged カスタム名詞 get `USERDICT_POS`, whatever the backend.
    """
    if userdict_path is None or not Path(userdict_path).exists():
        return ()
    terms: dict[str, tuple[str, ...]] = {}
    with open(userdict_path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) >= 2 and row[0].strip():
                tag = row[1].strip()
                terms[row[0].strip()] = USERDICT_POS if tag == USERDICT_TAG else pad_pos(tag.split(","))
    return tuple(sorted(terms.items()))


@functools.lru_cache(maxsize=8)
def user_term_pattern(surfaces: tuple[str, ...]) -> re.Pattern | None:
    """One regex matching any user term, longest first; ASCII terms only as whole words.

    The terms are compiled as a character trie (`_trie_regex`): the regex engine then follows one
    branch per character instead of trying every term at every position, and greedy branches
    before each term's end keep the longest match first, as an alternation sorted by length would.
    """
    if not surfaces:
        return None
    trie: dict = {}
    for s in surfaces:
        node = trie
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = True  # a term ends here
    return re.compile(_trie_regex(trie, head=True))


def _trie_regex(node: dict, *, head: bool = False, last: str = "") -> str:
    """The regex of a trie node: longer continuations first, then the end of the term here.

    At the root (`head`) a branch whose first character is a Latin letter or digit may not follow
    one (checked just after that character); a term ending in one (`last`) may not be followed by one.
    """
    branches = []
    for ch in sorted(k for k in node if k):
        # the guard looks behind the first character, so that every root branch starts with a
        # literal and the regex engine can skip positions with no term's first character
        guard = r"(?<![A-Za-z0-9].)" if head and _ASCII_WORD.match(ch) else ""
        branches.append(re.escape(ch) + guard + _trie_regex(node[ch], last=ch))
    if node.get(""):
        branches.append(r"(?![A-Za-z0-9])" if _ASCII_WORD.match(last) else "")
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"


def analyze_columns_with_user_terms(
    text: str,
    terms: Mapping[str, tuple[str, ...]],
    pattern: re.Pattern | None,
    analyze_plain: Callable[[str, MorphemeColumns], None],
) -> MorphemeColumns:
    """Analyze `text` with user terms kept whole, as `MorphemeColumns`.

    One regex pass finds the user terms, they are emitted as single morphemes, and
    `analyze_plain(fragment, out)` analyzes the text between them. Every backend applies the user
    dictionary this way, so the terms come out identically whatever the analyzer, and the analyzer
    runs without a dictionary of its own (janome's simplified user dictionary costs a lookup at
    every character: about 30% of its time).
    """
    out = MorphemeColumns.empty()
    start = 0
    if pattern is not None:
        for m in pattern.finditer(text):
            if m.start() > start:
                analyze_plain(text[start : m.start()], out)
            out.surface.append(m.group())
            out.base.append(m.group())
            out.pos.append(",".join(terms[m.group()]))
            start = m.end()
    if start < len(text):
        analyze_plain(text[start:], out)
    return out
