"""The project tokenizer: Japanese text → the terms the analysis counts.

`JapaneseTokenizer` is a picklable callable (it plugs into scikit-learn as
`TfidfVectorizer(analyzer=JapaneseTokenizer())` and into process pools). It works in two steps:

1. `morphemes(text)`: character normalization (`cleaning.normalize_unicode`, the same as the
   cleaning pipeline) and morphological analysis by a backend (`backends.py`). This is the
   expensive step; its result depends only on the backend and the user dictionary
   (`analysis_key()`), so `tokens.py` caches it.
2. `filter(morphemes)`: the cheap, settings-dependent step: part-of-speech filtering, the
   compound rule and stopwords (`settings_key()` covers everything that changes its output).

Part-of-speech rules (IPADIC levels as given by janome):

* content nouns: 名詞 一般, サ変接続, 形容動詞語幹, 固有名詞 一般/組織, user-dictionary terms;
  person and place names (固有名詞 人名/地域) only with `drop_proper_names=False`;
* never terms: 名詞 非自立 (こと, もの), 代名詞, 数, 副詞可能 (今後, 現在, 以上, 全体: temporal and
  quantity words that act like adverbs), 特殊, 接続詞的, 動詞非自立的, 引用文字列, suffixes standing
  alone, prefixes; verbs and adjectives only when asked, as base forms, 自立 only;
* junk: morphemes with symbols other than ・ ー - (janome's unknown-word nouns such as '(' or
  '</p>'), terms made only of digits, punctuation or symbols, a single ASCII letter or a single
  hiragana, and any term containing a digit unless it is a user-dictionary entry;
* list markers: enclosed numbers and letters (①, ❶, ㊀; ⑴ and ⒜ become "(1)" and "(a)" by
  NFKC and fall under the rules above) and a katakana character standing alone (the ア, イ of
  (ア), ア., イ)) are never terms and end a compound, so 「①デジタル化」 gives デジタル化.

Compound rule (`compounds=True`): a run of adjacent content nouns is one term, and a productive
suffix (`COMPOUND_SUFFIXES`: 化, 性, 的, 率, 者, 費, 力, 額, 度, 型) may extend a run that has begun.
Numbers, counters, other suffixes (等, 中, 番, 割), prefixes and particles (の, や) end a run. A run
longer than `max_compound_parts` parts or `max_compound_chars` characters is not glued: its parts
are emitted separately. Stopword parts at the right edge of a run (the head, e.g. 審議会 in
行政改革審議会) are trimmed before gluing; a term is dropped when it, or its base form, is a stopword.
"""

from __future__ import annotations

__all__ = ["COMPOUND_POS", "COMPOUND_SUFFIXES", "FILTER_RULES_VERSION", "JapaneseTokenizer", "Token", "read_stopwords", "register_cli"]  # fmt: skip

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import NamedTuple

from dxminutes import config
from dxminutes._io import sha256_file
from dxminutes._progress import progress
from dxminutes.normalize import normalize_unicode
from dxminutes.text.backends import (
    USERDICT_POS,
    Backend,
    Morpheme,
    MorphemeColumns,
    analyze_columns,
    get_backend,
)

#: Suffixes (名詞,接尾) that may extend a compound: they make new concepts (オンライン化,
#: 利用者, 満足度) rather than count or list things.
COMPOUND_SUFFIXES = frozenset(["化", "性", "的", "率", "者", "費", "力", "額", "度", "型"])
#: POS of a glued compound in `Token.pos`.
COMPOUND_POS = "名詞,複合,*,*"

_CONTENT_NOUN = frozenset({"一般", "サ変接続", "形容動詞語幹"})
_CONTENT_PROPER = frozenset({"一般", "組織"})
_NAME_PROPER = frozenset({"人名", "地域"})
_JUNK = re.compile(r"[\W\d_]+|[A-Za-z]|[ぁ-ゖ]")
_DIGIT = re.compile(r"\d")
#: janome tags unknown runs of ASCII symbols ('(', '</p>') as nouns; such morphemes end a run.
_SYMBOLIC = re.compile(r"[^\w・ー-]")
#: List markers: enclosed alphanumerics (①, ⓐ), dingbat circled numbers (❶, ➀), enclosed CJK
#: (㈠, ㊀), or one katakana standing alone (ア, イ of "(ア)", "ア.", "イ)"). Never terms.
_LIST_MARKER = re.compile(r".*[\u2460-\u24ff\u2776-\u2793\u3200-\u32ff].*|[ァ-ヺ]")
#: Version of the filtering rules; part of `settings_key`, so a rule change re-filters caches.
FILTER_RULES_VERSION = 2

# run-element kinds
_CONTENT, _SUFFIX, _OTHER = 0, 1, 2


class Token(NamedTuple):
    surface: str
    base: str
    pos: str  # comma-joined, 4 levels; COMPOUND_POS for glued compounds
    term: str  # the string the analysis counts
    parts: tuple[str, ...]  # the surfaces glued into the term (one part for simple terms)


def read_stopwords(path: Path | None) -> frozenset[str]:
    """Stopwords from a file: one per line, '#' starts a comment; entries are normalized."""
    if path is None:
        return frozenset()
    words = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.add(normalize_unicode(word))
    return frozenset(words)


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


class JapaneseTokenizer:
    """Picklable Japanese tokenizer; see the module docstring for the rules."""

    def __init__(
        self,
        pos: tuple[str, ...] = ("名詞",),
        keep_verbs: bool = False,
        keep_adjectives: bool = False,
        drop_proper_names: bool = True,
        stopwords_path: Path | None = config.STOPWORDS_PATH,
        userdict_path: Path | None = config.USERDICT_PATH,
        backend: str = "janome",
        compounds: bool = True,
        max_compound_parts: int = 4,
        max_compound_chars: int = 16,
    ):
        self.pos = (
            frozenset(pos) | ({"動詞"} if keep_verbs else set()) | ({"形容詞"} if keep_adjectives else set())
        )
        self.drop_proper_names = drop_proper_names
        self.stopwords_path = Path(stopwords_path) if stopwords_path is not None else None
        self.userdict_path = Path(userdict_path) if userdict_path is not None else None
        self.backend_name = backend
        self.compounds = compounds
        self.max_compound_parts = max_compound_parts
        self.max_compound_chars = max_compound_chars
        self._backend: Backend | None = None
        self._stopwords: frozenset[str] | None = None

    def __repr__(self) -> str:
        return (
            f"JapaneseTokenizer(pos={sorted(self.pos)}, drop_proper_names={self.drop_proper_names}, "
            f"backend={self.backend_name!r}, compounds={self.compounds})"
        )

    def __getstate__(self) -> dict:
        # The backend may hold an unpicklable analyzer; workers rebuild it lazily. The term
        # filter's memos (`term_filter._memo`) stay behind.
        state = {**self.__dict__, "_backend": None}
        state.pop("_filter_memo", None)
        return state

    # -- lazily built parts -------------------------------------------------------------
    @property
    def backend(self) -> Backend:
        if self._backend is None:
            self._backend = get_backend(self.backend_name, userdict_path=self.userdict_path)
        return self._backend

    @property
    def stopwords(self) -> frozenset[str]:
        if self._stopwords is None:
            self._stopwords = read_stopwords(self.stopwords_path)
        return self._stopwords

    # -- keys -------------------------------------------------------------------------
    def analysis_key(self) -> str:
        """Hash of what changes `morphemes()`: backend name and version, user dictionary content."""
        return _digest(self.backend.name, self.backend.version, sha256_file(self.userdict_path))

    def settings_key(self) -> str:
        """Hash of everything that changes the terms: the analysis key, stopwords and the rules."""
        return _digest(
            self.analysis_key(),
            sorted(self.stopwords),
            sorted(self.pos),
            self.drop_proper_names,
            self.compounds,
            self.max_compound_parts,
            self.max_compound_chars,
            sorted(COMPOUND_SUFFIXES),
            FILTER_RULES_VERSION,
        )

    # -- the two steps ------------------------------------------------------------------
    def morphemes(self, text: str) -> list[Morpheme]:
        """Normalize `text` and analyze it with the backend (the cacheable step)."""
        return self.backend.analyze(normalize_unicode(text))

    def morpheme_columns(self, text: str, *, normalized: bool = False) -> MorphemeColumns:
        """`morphemes(text)` as three lists (the fast path); `normalized` skips the NFKC step."""
        return analyze_columns(self.backend, text if normalized else normalize_unicode(text))

    def _kind(self, m: Morpheme) -> int:
        major, sub, sub2 = m.pos[0], m.pos[1], m.pos[2]
        if major != "名詞" or "名詞" not in self.pos:
            return _OTHER
        if m.pos == USERDICT_POS:
            return _CONTENT
        if _SYMBOLIC.search(m.surface) or _LIST_MARKER.fullmatch(m.surface):
            return _OTHER
        if sub in _CONTENT_NOUN:
            return _CONTENT
        if sub == "固有名詞":
            if sub2 in _CONTENT_PROPER or (sub2 in _NAME_PROPER and not self.drop_proper_names):
                return _CONTENT
            return _OTHER
        if sub == "接尾" and sub2 != "助数詞" and m.surface in COMPOUND_SUFFIXES:
            return _SUFFIX
        return _OTHER

    def _keep(self, term: str, base: str, user: bool) -> bool:
        if term in self.stopwords or base in self.stopwords:
            return False
        if _JUNK.fullmatch(term):
            return False
        return user or not _DIGIT.search(term)

    def _flush(self, run: list[Morpheme], out: list[Token]) -> None:
        stop = self.stopwords
        while run and (run[-1].surface in stop or run[-1].base in stop):
            run.pop()  # a procedural head: 行政改革審議会 → 行政改革
        if not run:
            return
        surfaces = [m.surface for m in run]
        if (
            len(run) > 1
            and len(run) <= self.max_compound_parts
            and len("".join(surfaces)) <= self.max_compound_chars
        ):
            term = "".join(surfaces)
            if self._keep(term, term, False):
                out.append(Token(term, term, COMPOUND_POS, term, tuple(surfaces)))
            return
        for m in run:
            if self._kind(m) == _CONTENT and self._keep(m.surface, m.base, m.pos == USERDICT_POS):
                out.append(Token(m.surface, m.base, ",".join(m.pos), m.surface, (m.surface,)))

    def filter(self, morphemes: list[Morpheme]) -> list[Token]:
        """Apply POS filtering, the compound rule and stopwords to analyzed morphemes."""
        out: list[Token] = []
        run: list[Morpheme] = []
        for m in morphemes:
            kind = self._kind(m)
            if kind == _CONTENT:
                if not self.compounds and run:
                    self._flush(run, out)
                    run = []
                run.append(m)
                continue
            if kind == _SUFFIX and run and self.compounds:
                run.append(m)
                continue
            if run:
                self._flush(run, out)
                run = []
            major = m.pos[0]
            if (
                major in self.pos
                and major != "名詞"
                and m.pos[1] == "自立"
                and self._keep(m.base, m.base, False)
            ):
                out.append(Token(m.surface, m.base, ",".join(m.pos), m.base, (m.surface,)))
        if run:
            self._flush(run, out)
        return out

    def analyze(self, text: str) -> list[Token]:
        """The kept tokens of `text`, with surface, base form, POS, term and compound parts."""
        return self.filter(self.morphemes(text))

    def __call__(self, text: str) -> list[str]:
        return [t.term for t in self.analyze(text)]


def _tokens_command(args) -> int:
    import pandas as pd

    from dxminutes.corpus.build import NO_SPEAKERS, inspect_file
    from dxminutes.corpus.readers import InputError

    try:  # the build's own rows for the file, with its corpus folder's catalog and convention
        result = inspect_file(Path(args.file), args.data)
    except InputError as exc:  # opens only regular files: a FIFO or a symlink loop is an error, never a hang
        print(f"error: {exc}", file=sys.stderr)
        return 1
    turns = pd.DataFrame(result["turns"], columns=["speaker", "speaker_label", "role", "text"])
    if result["problem"] or turns.empty:
        print(f"error: {result['file']}: {result['problem'] or NO_SPEAKERS}", file=sys.stderr)
        return 1
    tokenizer = JapaneseTokenizer(keep_verbs=args.verbs)
    records = [
        {"speaker": row.speaker, "role": row.role, "tokens": tokenizer(row.text)}
        for row in progress(
            turns.itertuples(index=False),
            total=len(turns),
            desc="tokenizing",
            quiet=args.quiet or len(turns) < 2,
        )
    ]
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=1))
    else:
        for rec in records:
            print(f"[{rec['speaker']} / {rec['role']}] " + " ".join(rec["tokens"]))
    return 0


def register_cli(subparsers) -> None:
    """Add `tokens FILE [--json] [--verbs]` to the command line."""
    parser = subparsers.add_parser("tokens", help="print each turn's speaker, role and tokens")
    parser.add_argument("file", help="a minutes file (txt, html or pdf)")
    parser.add_argument(
        "--data",
        metavar="DIR",
        help="the corpus folder whose catalog.csv and dxminutes.toml apply (default: the nearest above FILE)",
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list of turns")
    parser.add_argument("--verbs", action="store_true", help="also keep verbs (base forms)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_tokens_command)
