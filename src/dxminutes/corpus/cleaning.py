"""Cleaning pipeline for extracted minutes: small pure `str -> str` steps and an audit report.

`PIPELINE` lists the steps in the order `clean` runs them. Each step does one thing, never
removes speech, and can be run and tested on its own; `clean` records for each step how many
lines it changed, the text size before and after, and a short excerpt of its first change, so
an analyst can audit what cleaning did to a document. The pipeline is idempotent:
`clean(clean(x).text).text == clean(x).text`.

All patterns are collected at the top of the module; the speaker and heading patterns shared
with segmentation live in `roles.py`.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

import pandas as pd

from dxminutes.corpus import roles
from dxminutes.normalize import normalize_newlines, normalize_radicals, normalize_unicode

# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------

#: HTML: block-level tags become line breaks, other tags vanish. Only real tag syntax is
#: matched (`<p class="x">`, `</div>`, `<br/>`), never Japanese text in angle brackets
#: such as `<質疑及び意見交換の概要>`.
HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)
HTML_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
HTML_BLOCK_TAG_RE = re.compile(
    r"</?(?:p|div|br|tr|td|th|li|ul|ol|dl|dt|dd|table|thead|tbody|tfoot|h[1-6]|section|article"
    r"|header|footer|nav|blockquote|pre|hr|caption)\b[^<>]*>",
    re.I,
)
HTML_INPUT_RE = re.compile(r"<input\b[^<>]*>\s*", re.I)
HTML_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>")
#: Checkbox widgets keep their state as a mark before their label: `☑非公開`, `☐公開`.
CHECKED_BOX, UNCHECKED_BOX = "☑", "☐"


#: `◯` (U+25EF) anywhere and `〇` (U+3007) opening a line (but not a kanji numeral such as
#: `〇〇市` or `二〇二四`) are look-alikes of the speaker mark `○` (U+25CB).
LARGE_CIRCLE_RE = re.compile("\u25ef")
IDEOGRAPHIC_ZERO_MARK_RE = re.compile(r"^([ \t]*)\u3007(?![〇一二三四五六七八九十百千])", re.M)

#: Web navigation and page furniture, each matched against a whole line.
BOILERPLATE_LINES = (
    r"ここから本文(です)?。?",
    r"本文ここまで。?",
    r"(この)?ページの(先頭|トップ)へ(戻る)?",
    r"(最終)?更新日\s*[:：].*",
    r"ページ(ID|番号)\s*[:：].*",
    r"(印刷|印刷する|印刷用ページを表示する)",
    r"アンケート",
    r"より良いホームページにするため.*",
    r"(この|こちらの)?ページ(の情報)?は(役に立ち|わかりやすかった|見つけやすかった).*",
    r"(観光案内|平和・原爆|国際情報|サイトマップ|サイト内検索|メニュー|ホーム)",
    r"「[^」]{1,60}」の分類",
    r"(PDF|Adobe).*(Acrobat|Reader).*",
    r"(ナビゲーション|本文)へ(を)?スキップ.*",
    r"(ホーム|トップページ)\s*>.*>.*",
)
BOILERPLATE_LINE_RE = re.compile(r"^[ \t]*(?:" + "|".join(BOILERPLATE_LINES) + r")[ \t]*$", re.M)
#: A contact block (`お問い合わせ先` and the department, phone, fax and address lines after
#: it) that closes a web page; removed only when no speaker line follows it.
CONTACT_HEADING_RE = re.compile(
    r"^[ \t]*(?:このページに関する)?(?:お問い?合わ?せ先?|問い合わせ先)[ \t]*$", re.M
)
CONTACT_TAIL_MAX_CHARS = 2000

#: Page numbers and print furniture, each a whole line: `- 3 -`, `3`, `3/12`, `(3)`, `p.3`,
#: `(日本産業規格A列4番)`, and rule lines left by table extraction (`-------\t--`).
#: Numbers may be spaced out by extraction (`1 2`), like the rest of the text.
_PAGE_NO = r"\d(?:[ \u3000]?\d){0,3}"
PAGE_ARTIFACT_LINES = (
    rf"[-‐−–—]\s*{_PAGE_NO}\s*[-‐−–—]",
    _PAGE_NO,
    rf"{_PAGE_NO}\s*/\s*{_PAGE_NO}",
    rf"\(\s*{_PAGE_NO}\s*\)",
    rf"(?:p|P|ページ)\.?\s*{_PAGE_NO}",
    rf"{_PAGE_NO}\s*ページ",
    r"\(日本(?:産業|工業)規格\s*A\s*列\s*\d\s*番\)",
    r"[-=_\t ]*[-=_]{2,}[-=_\t ]*",
)
PAGE_ARTIFACT_RE = re.compile(r"^[ \t]*(?:" + "|".join(PAGE_ARTIFACT_LINES) + r")[ \t]*$", re.M)

#: Running headers: a line seen at least this often that looks like a title, not speech.
RUNNING_HEADER_MIN_COUNT = 3
RUNNING_HEADER_LEN = (4, 60)

#: Paragraphs that PDF table extraction flattened into one cell, separated by spaces:
#: `報告した。 【質疑・意見等】 ○ 特になし。 議題 1 …`.
INLINE_MARK_RE = re.compile(rf"(?<=\S) +(?=[{roles.MARKS}] )")
#: A marked header field inside a flattened header (`… ○開議時刻 午後2時 ○案件 1 …`): the fields
#: of a record's cover page, each opened by a mark, start new lines so that a roster stays apart
#: from the agenda after it.
INLINE_FIELD_MARK_RE = re.compile(
    rf"(?<=\S)[ \u3000]+(?=[{roles.MARKS}〇]\s?(?:案件|日時|場所|開議|散会|開会|閉会|出席|欠席|議題|次第|付議|会議に付した|署名|説明員|事務局職員))"
)
#: A mark after whitespace inside a line: a candidate turn opening (`〇` included, since
#: `unify_marker_glyphs` maps it to `○` only at a line start).
INLINE_TURN_MARK_RE = re.compile(rf"(?<=[ \u3000\t])[{roles.MARKS}〇]")
SPLIT_NAME_RE = re.compile(rf"[{roles.MARKS}][{roles._PERSON}]{{1,6}}")
#: Characters after an inline mark read to decide whether a label follows (labels are shorter;
#: a window keeps flattened records of any length linear).
INLINE_WINDOW = 160
#: Longest line that may be the first part of a label split across lines (`○議長(`).
SPLIT_LABEL_MAX_CHARS = 25
INLINE_HEADING_RE = re.compile(r"(?<=[。」』)]) +(?=【[^【】]{1,20}】 )")
INLINE_AGENDA_RE = re.compile(r"(?<=。) +(?=(?:議題|報告事項|協議事項|審議事項) *\d)")

#: A line with at least this many single spaces between wide characters, and more of them than
#: adjacent wide characters, was spaced out by PDF extraction.
PDF_SPACED_MIN_PAIRS = 3
WIDE_PAIR_RE = re.compile(r"[^\x00-\x7f](?=[^\x00-\x7f])")
#: Spaces (ASCII, ideographic, no-break) inside a line; tabs separate table cells and stay.
SPACE_RUN_RE = re.compile("[ \u3000\u00a0]+")

#: A line that ends a sentence or a unit, so the next line is not its continuation.
FINAL_CHARS = "。．.!?！？」』)）】〕]:："
#: Characters that cannot open a paragraph: small kana, prolonged sound mark, closing brackets
#: and sentence punctuation. A line opening with one continues the line before it.
CONTINUATION_OPENERS = "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶー、。，．,.」』)）】〕ゝゞヽヾ々"
#: A line this long without final punctuation was wrapped by the PDF layout.
WRAPPED_LINE_MIN_CHARS = 30
#: Below this length a line is a label or heading (`3 出席委員氏名`), never joined.
JOIN_MIN_PREV_CHARS = 10
#: Lines that open a new unit even without a speaker mark: bullets and numbered items
#: (`・`, `(1)`, `①`, `1. `, `2開催場所`, but not a number with a unit such as `10月末`).
BULLET_RE = re.compile(
    r"^(?:[・※◇□■▪•◆◎●○☐☑⇒→]|\(\d{1,3}\)|[①-⑳]|\d{1,3}[.)．]\s|第\d|[-*]\s"
    r"|\d{1,2}(?![\d年月日時分秒名人件回円万億千百割倍%.,、。])"
    r"(?=[\u4e00-\u9fff\u30a1-\u30faA-Za-z「(]))"
)

#: Reviewed kana slips: only unambiguous typing errors in modern text.
KANA_SLIPS: dict[str, str] = {
    "お願ひ": "お願い",  # historical ひ typed for い (流山市 seed, 4 times)
    "なかつた": "なかった",  # large つ for the small っ of the past tense (流山市 seed)
    "思ひます": "思います",  # historical ひ typed for い
}
#: Reviewed variant characters that are errors in running Japanese text.
VARIANT_CHARS: dict[str, str] = {
    "查": "査",  # U+67E5, the Chinese form; Japanese writes 査 (墨田区 seed: 調查 → 調査)
    "肅": "粛",  # U+8085, pre-1946 form of 粛 in a modern record (流山市 seed: 肅々と)
}

# --------------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------------


def strip_html(text: str) -> str:
    """Decode entities, turn block tags into line breaks, drop inline tags and form widgets.

    Entities are decoded until stable, so double-escaped text does not change on a second run.
    A checkbox becomes `☑` (checked) or `☐` (unchecked) in front of its label, which keeps
    the state of fields such as 公開/非公開 readable.
    """
    previous = None
    while previous != text:
        previous, text = text, html.unescape(text)
    text = _drop_comments(text)  # = HTML_COMMENT_RE.sub("", text), linear when comments are unclosed
    text = _drop_script_blocks(text)  # = HTML_SCRIPT_RE.sub("", text), likewise

    def _box(match: re.Match[str]) -> str:
        tag = match.group(0)
        if not re.search(r"type\s*=\s*[\"']?(checkbox|radio)", tag, re.I):
            return ""
        return CHECKED_BOX if re.search(r"\bchecked\b", tag, re.I) else UNCHECKED_BOX

    text = HTML_INPUT_RE.sub(_box, text)
    text = HTML_BLOCK_TAG_RE.sub("\n", text)
    return HTML_TAG_RE.sub("", text)


#: Opening and closing tags of the blocks `HTML_SCRIPT_RE` removes, one pair per element.
_BLOCK_OPEN_RE = {name: re.compile(rf"<({name})\b[^>]*>", re.I) for name in ("script", "style")}
_BLOCK_CLOSE_RE = {name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style")}


def _drop_comments(text: str) -> str:
    """Remove `<!-- … -->`; once no `-->` follows an opening, no later comment can close either."""
    pieces, copied = [], 0
    while True:
        start = text.find("<!--", copied)
        end = text.find("-->", start + 4) if start >= 0 else -1
        if end < 0:
            break
        pieces.append(text[copied:start])
        copied = end + 3
    pieces.append(text[copied:])
    return "".join(pieces)


def _drop_script_blocks(text: str) -> str:
    """Remove `<script …>…</script>` and `<style …>…</style>` exactly as `HTML_SCRIPT_RE.sub` does.

    The leftmost opening whose element closes later is removed up to its first closing tag; an
    element that does not close after an opening never closes after a later one, so it is
    dropped from the search. Openings are searched only up to the last `>`, so a run of broken
    tags without one is not rescanned.
    """
    limit = text.rfind(">") + 1
    if not limit:
        return text
    pieces, copied = [], 0
    nexts = {name: pattern.search(text, 0, limit) for name, pattern in _BLOCK_OPEN_RE.items()}
    while True:
        live = [match for match in nexts.values() if match is not None]
        if not live:
            break
        opening = min(live, key=lambda match: match.start())
        name = opening.group(1).lower()
        closing = _BLOCK_CLOSE_RE[name].search(text, opening.end())
        if closing is None:
            nexts[name] = None
            continue
        pieces.append(text[copied : opening.start()])
        copied = closing.end()
        for other, match in nexts.items():
            if match is not None and match.start() < copied:
                nexts[other] = _BLOCK_OPEN_RE[other].search(text, copied, limit)
    pieces.append(text[copied:])
    return "".join(pieces)


def unify_marker_glyphs(text: str) -> str:
    """Map the look-alike speaker marks `◯` and a line-initial `〇` to the canonical `○`."""
    text = LARGE_CIRCLE_RE.sub("○", text)
    return IDEOGRAPHIC_ZERO_MARK_RE.sub(r"\1○", text)


def remove_boilerplate(text: str) -> str:
    """Remove web navigation lines and a trailing contact block (`お問い合わせ先` …).

    The contact block runs from its heading to the end of the text and is removed only when
    it is short and holds no speaker line, so a body that follows it is never lost.
    """
    text = BOILERPLATE_LINE_RE.sub("", text)
    match = CONTACT_HEADING_RE.search(text)
    if match:
        tail = text[match.start() :]
        has_speaker = any(_is_speaker_start(line.strip()) for line in tail.splitlines())
        if len(tail) <= CONTACT_TAIL_MAX_CHARS and not has_speaker:
            text = text[: match.start()]
    return text


def remove_page_artifacts(text: str) -> str:
    """Remove lines that are only a page number, a paper-size note or a table rule."""
    return PAGE_ARTIFACT_RE.sub("", text)


def remove_running_headers(text: str) -> str:
    """Remove a title-like line that recurs at least three times (a running page header).

    Speaker lines, stage notes, headings, table rows and anything ending like a sentence are
    never treated as headers, since those legitimately repeat (`(小國会長)`, `はい。`).
    """
    counts = Counter(line.strip() for line in text.split("\n"))
    low, high = RUNNING_HEADER_LEN
    headers = {
        line
        for line, n in counts.items()
        if n >= RUNNING_HEADER_MIN_COUNT
        and low <= len(line) <= high
        and line[-1] not in FINAL_CHARS
        and not _is_structure(line)
        and not _is_speaker_start(line)
    }
    if not headers:
        return text
    return "\n".join(line for line in text.split("\n") if line.strip() not in headers)


def split_inline_paragraphs(text: str) -> str:
    """Restore one speaker line per paragraph before spaces are removed.

    * Labels split across lines by PDF or web extraction are joined (`○委員長(山田` +
      `太郎君) …`, `○` + `畠山晋一 委員長 …`, `◎後藤` + `総務課长 …`): a short line opening with a
      mark that is no speaker label on its own but becomes one with the next line or two.
    * Turns flattened into one long line (web pages, PDF table cells) are split: a mark after
      a space starts a new line when a speaker label follows it (`… 開会 ○議長(松井良夫君) …`,
      `… ◎浅村 デジタル戦略推進局長 …`); an ordinary `○` (`○○市`, `○×`, list bullets,
      `◎山川昌子` in a roster) does not.
    * A space-separated legend mark (` ○ `), a bracketed heading after a sentence
      (`。 【質疑・意見等】 `), an agenda heading after a sentence (`。 議題 1`) and a marked header
      field of a flattened header (`… ○案件 1 …`, `… ○出席委員(10人) …`) start a new line.
    """
    text = _join_split_labels(text)
    text = "\n".join(_split_inline_turns(line) for line in text.split("\n"))
    text = INLINE_HEADING_RE.sub("\n", text)
    text = INLINE_AGENDA_RE.sub("\n", text)
    text = INLINE_FIELD_MARK_RE.sub("\n", text)
    # a line this step starts can open with a look-alike mark (`… 〇傍聴議員`): unify it too
    return unify_marker_glyphs(INLINE_MARK_RE.sub("\n", text))


def remove_spurious_spaces(text: str) -> str:
    """Remove the spaces PDF extraction put between characters, keep real word spaces.

    Within a line (tabs are kept): a space next to a wide character (kanji, kana, Japanese
    punctuation, marks) goes: `令 和 7 年` → `令和7年`, `D X 推進` → `DX推進`. Between two
    ASCII tokens it goes only when both are single characters of a spaced-out run
    (`E B P M` → `EBPM`, `7 8 %` → `78%`) or it splits a decimal (`1. 0` → `1.0`); a space
    between words stays (`Microsoft 365`, `LGWAN-ASP and Office`). The one space after a
    speaker label or bullet at the start of a line is kept (`本部長 ただいま`, `- 本市の…`).
    """
    lines = []
    for line in text.split("\n"):
        line = _undo_pdf_spacing(line)
        previous = None
        while previous != line:  # removing one space can expose another (`- -推`): run to a fixpoint
            previous, line = line, _collapse_line_spaces(line)
        lines.append(line)
    return "\n".join(lines)


def tidy_whitespace(text: str) -> str:
    """Strip each line, keep at most one blank line between paragraphs, trim the text."""
    lines = [line.strip(" \t\u3000") for line in text.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + ("\n" if text.strip() else "")


def rejoin_split_lines(text: str) -> str:
    """Rejoin a sentence that a line or page break split (`…精査\\n\\nした上で` → `…精査した上で`).

    Lines separated only by blank lines are joined when the first does not end a sentence,
    neither is a speaker line, stage note, heading, table row or bullet, and either the second
    opens with a character that cannot open a paragraph (hiragana, small kana, closing
    bracket, punctuation), the first ends with a comma, or the first is a long wrapped line.
    A line being extended is held in pieces and judged by its head and tail (`_OpenLine`), so
    a paragraph of many wrapped lines takes linear time.
    """
    out: list[str] = []
    current: _OpenLine | None = None  # out[-1] while it may still be extended
    blanks = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            blanks += 1
            continue
        if current is not None and _should_join(current.proxy(), stripped):
            last = current.last
            ascii_words = (
                last.isascii() and last.isalnum() and stripped[0].isascii() and stripped[0].isalnum()
            )
            # a space between two ASCII words, unless it is one `remove_spurious_spaces` would drop
            # (`7` + `D` of a spaced-out run): joining must leave text that cleaning does not change.
            # `_keeps_space` looks a few characters around the space: the line's tail is enough.
            window = current.tail + " " + stripped
            keeps = _keeps_space(window, len(current.tail), len(current.tail) + 1)
            current.extend((" " if ascii_words and keeps else "") + stripped)
        else:
            if current is not None:
                out[-1] = current.text()
            out.extend([""] * blanks)
            out.append(line)
            current = _OpenLine(line)
        blanks = 0
    if current is not None:
        out[-1] = current.text()
    out.extend([""] * blanks)
    return "\n".join(out)


#: `_OpenLine.proxy` keeps this many leading and trailing characters of a long line. Every
#: pattern `_should_join` applies to the earlier line either ends within its first 200
#: characters (stage notes, headings, labels), continues with `.*$` (speaker lines), looks at
#: the last few characters (`PREDICATE_END_RE`, the final character) or at a tab anywhere.
REJOIN_HEAD = 1024
REJOIN_TAIL = 64


class _OpenLine:
    """A line of `rejoin_split_lines` being extended: pieces, and what judging a join needs."""

    __slots__ = ("head", "last", "length", "pieces", "tab_beyond", "tail")

    def __init__(self, line: str):
        stripped = line.strip()
        self.pieces = [line]
        self.head = stripped[:REJOIN_HEAD]
        self.tail = stripped[-REJOIN_TAIL:]
        self.length = len(stripped)
        self.last = stripped[-1]
        self.tab_beyond = "\t" in stripped[REJOIN_HEAD:]

    def proxy(self) -> str:
        """The stripped line itself when short, else its head, a tab if one is hidden, and its tail."""
        if self.length <= REJOIN_HEAD:
            return self.head
        return self.head + ("\t" if self.tab_beyond else "") + self.tail

    def extend(self, addition: str) -> None:
        self.pieces[-1] = self.pieces[-1].rstrip()
        self.pieces.append(addition)
        room = REJOIN_HEAD - len(self.head)
        if room > 0:
            self.head += addition[:room]
        self.tab_beyond = self.tab_beyond or "\t" in addition[max(room, 0) :]
        self.tail = (self.tail + addition)[-REJOIN_TAIL:]
        self.length += len(addition)
        self.last = addition[-1]

    def text(self) -> str:
        return "".join(self.pieces)


def fix_kana_slips(text: str) -> str:
    """Correct the reviewed kana slips in `KANA_SLIPS` (`お願ひ` → `お願い`)."""
    for wrong, right in KANA_SLIPS.items():
        text = text.replace(wrong, right)
    return text


def fix_variant_characters(text: str) -> str:
    """Replace the reviewed erroneous variant characters in `VARIANT_CHARS` (`調查` → `調査`)."""
    return text.translate(str.maketrans(VARIANT_CHARS))


#: The default steps, in order. Whitespace tidying comes before the line-based steps that
#: need stripped lines and again at the end.
PIPELINE: tuple[Callable[[str], str], ...] = (
    normalize_newlines,
    strip_html,
    normalize_radicals,
    normalize_unicode,
    unify_marker_glyphs,
    remove_boilerplate,
    remove_page_artifacts,
    remove_running_headers,
    split_inline_paragraphs,
    remove_spurious_spaces,
    tidy_whitespace,
    rejoin_split_lines,
    fix_kana_slips,
    fix_variant_characters,
)

# --------------------------------------------------------------------------------------------
# Running the pipeline
# --------------------------------------------------------------------------------------------

REPORT_COLUMNS = [
    "step",
    "order",
    "n_changes",
    "chars_before",
    "chars_after",
    "example_before",
    "example_after",
]
EXAMPLE_CONTEXT = 20
EXAMPLE_WIDTH = 60


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text and the per-step report (one row per step, columns `REPORT_COLUMNS`)."""

    text: str
    report: pd.DataFrame


def clean(text: str, steps: Sequence[Callable[[str], str]] | None = None) -> CleanResult:
    """Run `steps` (default `PIPELINE`) in order and report what each changed.

    `n_changes` counts the lines a step changed, removed or added; `example_before` and
    `example_after` show a short excerpt around the first difference ("" when none).
    """
    steps = PIPELINE if steps is None else tuple(steps)
    rows = []
    for order, step in enumerate(steps):
        after = step(text)
        example_before, example_after = _first_change(text, after)
        rows.append(
            {
                "step": getattr(step, "__name__", repr(step)),
                "order": order,
                "n_changes": _count_changed_lines(text, after),
                "chars_before": len(text),
                "chars_after": len(after),
                "example_before": example_before,
                "example_after": example_after,
            }
        )
        text = after
    report = pd.DataFrame(rows, columns=REPORT_COLUMNS).astype(
        {"order": "int64", "n_changes": "int64", "chars_before": "int64", "chars_after": "int64"}
    )
    return CleanResult(text=text, report=report)


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _join_split_labels(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        taken = _split_label_join(lines, i)
        if taken is None:
            out.append(lines[i])
            i += 1
        else:
            out.append(taken[0])
            i += taken[1]
    return "\n".join(out)


def _split_label_join(lines: list[str], i: int) -> tuple[str, int] | None:
    """The label split at line `i` joined with the one or two lines that complete it, or None."""
    joined = _as_mark(lines[i].strip())
    if not joined or joined[0] not in roles.MARKS or len(roles.despace(joined)) > SPLIT_LABEL_MAX_CHARS:
        return None
    if roles.opens_marked_turn(joined):
        return None
    for n_more in (1, 2):
        if i + n_more >= len(lines) or not lines[i + n_more].strip():
            return None
        # `◎後藤` + `総務課長 …`: a name, then its post on the next line (name-space-post label)
        sep = " " if n_more == 1 and SPLIT_NAME_RE.fullmatch(roles.despace(joined)) else ""
        joined += sep + lines[i + n_more].strip()
        if roles.opens_marked_turn(joined):
            return joined, 1 + n_more
        if len(roles.despace(joined)) > SPLIT_LABEL_MAX_CHARS:
            return None
    return None


def _as_mark(line: str) -> str:
    """`〇事務局` → `○事務局`: the ideographic zero opening a label is the speaker mark."""
    return "○" + line[1:] if line.startswith("〇") and line[1:2] not in "〇一二三四五六七八九十" else line


_BARE_MARKS = frozenset("○◎●◆◇■□△▲▼◯〇◯")


def _split_inline_turns(line: str) -> str:
    """Split a line before every turn opening found inside it (see `split_inline_paragraphs`)."""
    if len(line) < 2:
        return line
    # `… 開会 ○議長(松井良夫君) …`: a mark after a space, followed by a speaker label
    cuts = [
        m.start()
        for m in INLINE_TURN_MARK_RE.finditer(line)
        if roles.opens_marked_turn(_as_mark(line[m.start() : m.start() + INLINE_WINDOW]))
    ]
    # `… 【教育長】 ただいま…`: a bracketed role label after a space
    cuts += [
        m.start()
        for m in roles.INLINE_BRACKET_RE.finditer(line)
        if roles.classify_role(m.group("label")) != "unknown"
        and not roles.ROSTER_LABEL_RE.search(m.group("label"))
    ]
    # `…開会宣告議長斎藤秀雄君) …`: a label that lost its opening parenthesis, outside any parenthesis
    cuts += [
        m.start()
        for m in roles.INLINE_LOST_PAREN_RE.finditer(line)
        if line.rfind("(", 0, m.start()) <= line.rfind(")", 0, m.start())
    ]
    # `…ございます。 大場会長 今日は…`: an unmarked label after a sentence of flattened text
    cuts += [m.end() for m in roles.INLINE_UNMARKED_RE.finditer(line)]
    # `○委員長北田 織君)` is found twice (at the mark, and as a label that lost its parenthesis):
    # a cut that would leave an empty piece or a bare mark on its own line is no new turn
    kept: list[int] = []
    for cut in sorted(set(cuts)):
        piece = line[kept[-1] if kept else 0 : cut].strip()
        if piece and piece not in _BARE_MARKS:
            kept.append(cut)
    cuts = kept
    if not cuts:
        return line
    pieces, previous = [], 0
    for cut in cuts:
        pieces.append(line[previous:cut].rstrip())
        previous = cut
    pieces.append(line[previous:])
    return "\n".join(_as_mark(piece) if i else piece for i, piece in enumerate(pieces))


def _is_wide(char: str) -> bool:
    """True for kanji, kana, CJK and full-width punctuation, marks and other symbols."""
    return ord(char) >= 0x2010 and char != "\u3000"


def _alnum_token_is_single(line: str, index: int, step: int) -> bool:
    """True when the ASCII letter or digit at `index` stands alone (no alnum neighbour beyond it)."""
    char = line[index]
    if not (char.isascii() and char.isalnum()):
        return False
    beyond = index + step
    return not (0 <= beyond < len(line) and line[beyond].isascii() and line[beyond].isalnum())


def _keeps_space(line: str, start: int, end: int) -> bool:
    """Decide whether the space run `line[start:end]` inside a line is a real word space."""
    left, right = line[start - 1], line[end]
    if left == "\t" or right == "\t":
        return True
    if _is_wide(left) or _is_wide(right):
        return False
    if _alnum_token_is_single(line, start - 1, -1) and _alnum_token_is_single(line, end, 1):
        return False  # a spaced-out run: `E B P M`, `1 1 月`
    if left.isdigit() and (right == "%" or (right == "." and line[end + 1 : end + 3].strip()[:1].isdigit())):
        return False  # `7 8 %`, `7 9 . 9`
    if left == "." and right.isdigit() and line[: start - 1].rstrip()[-1:].isdigit():
        return False  # `1. 0`
    if not left.isalnum() and start >= 2 and _is_wide(line[start - 2]):
        return False  # punctuation closing wide text: `(仮称) DX`, `傍聴者: 0人`
    if not right.isalnum() and end + 1 < len(line) and _is_wide(line[end + 1]):
        return False  # punctuation opening wide text: `X (トランスフォーメーション)`
    return True


def _undo_pdf_spacing(line: str) -> str:
    """A line spaced out by PDF extraction (`○ 森 野 委 員 長  資 料 の`): drop the single spaces
    between wide characters, keep a longer run as the one real space, and restore the space
    after a mark and a member's or chair's label that PDF spacing made indistinguishable
    (`○森野委員長資料…` → `○森野委員長 資料…`). Other lines are returned unchanged."""
    spaced = len(roles.PDF_SPACE_RE.findall(line))
    if spaced < PDF_SPACED_MIN_PAIRS or spaced <= len(WIDE_PAIR_RE.findall(line)):
        return line
    line = re.sub(r"(?<=\S)[ \u3000]{2,}(?=\S)", " ", roles.despace(line))
    body = line.lstrip(" \u3000")
    match = roles.UNSEPARATED_LABEL_RE.match(body)
    if match and not roles.SPEAKER_PREFIX_RE.match(body):
        return body[: match.end()] + " " + body[match.end() :]
    return line


def _collapse_line_spaces(line: str) -> str:
    prefix = ""
    body = line.lstrip(" \u3000")
    match = roles.SPEAKER_PREFIX_RE.match(body)
    if match:
        prefix, line = body[: match.end()] + " ", body[match.end() :].lstrip(" \u3000")

    def _decide(m: re.Match[str]) -> str:
        if m.start() == 0 or m.end() == len(line):
            return m.group(0)
        return " " if _keeps_space(line, m.start(), m.end()) else ""

    return prefix + SPACE_RUN_RE.sub(_decide, line)


def _is_speaker_start(line: str) -> bool:
    """True when a line opens a speaker turn in any convention `roles` knows."""
    return bool(
        roles.MARK_PAREN_RE.match(line)
        or roles.MARK_ROLE_RE.match(line)
        or roles.opens_marked_turn(line)
        or roles.opens_unmarked_turn(line)
        or (roles.PAREN_LINE_RE.match(line) and roles.classify_role(line) != "unknown")
        or (roles.BRACKET_LINE_RE.match(line) and roles.classify_role(line) != "unknown")
        or roles.COLON_RE.match(line)
        or roles.ROLE_PARAGRAPH_RE.match(line)
        or roles.MARK_BULLET_RE.match(line)
        or roles.LOST_MARK_RE.match(line)
    )


def _is_structure(line: str) -> bool:
    """True for stage notes, headings, agenda items and table rows."""
    return bool(
        roles.STAGE_NOTE_RE.match(line)
        or roles.HEADING_RE.match(line)
        or roles.is_agenda_heading(line)
        or roles.TABLE_ROW_RE.search(line)
    )


def _should_join(prev: str, nxt: str) -> bool:
    if not prev or prev[-1] in FINAL_CHARS or len(prev) < JOIN_MIN_PREV_CHARS:
        return False
    for line in (prev, nxt):
        if _is_structure(line):
            return False
    if _is_speaker_start(nxt) or BULLET_RE.match(nxt):
        return False
    if _is_speaker_start(prev) and not _has_speech(prev):
        return False
    return (
        nxt[0] in CONTINUATION_OPENERS
        or "\u3041" <= nxt[0] <= "\u309f"
        or prev[-1] in "、,，"
        or len(prev) >= WRAPPED_LINE_MIN_CHARS
    )


def _has_speech(line: str) -> bool:
    """True when a speaker line also carries speech after its label."""
    for pattern in (
        roles.MARK_PAREN_RE,
        roles.MARK_ROLE_RE,
        roles.COLON_RE,
        roles.ROLE_PARAGRAPH_RE,
        roles.MARK_BULLET_RE,
        roles.LOST_MARK_RE,
    ):
        match = pattern.match(line)
        if match and (match.groupdict().get("speech") or "").strip():
            return True
    return False


#: A stretch between two alignment anchors of at most this many line pairs is aligned exactly
#: (difflib); a longer stretch is split further at its own anchors, so the audit stays linear.
EXACT_ALIGNMENT_PAIRS = 40_000
#: Block size of the common-prefix search in `_first_change` (slices compare in C).
PREFIX_BLOCK = 4096


def _count_changed_lines(before: str, after: str) -> int:
    """Lines a step changed, removed or added, in time linear in the text's size.

    The lines are aligned at anchors, lines that occur equally often in both texts (the k-th
    occurrence paired with the k-th), kept in their longest increasing order; the stretches
    between anchors are aligned the same way, and a small stretch exactly with difflib. Each
    unmatched stretch counts the longer of its two sides, as a difflib opcode count does.
    """
    if before == after:
        return 0
    a, b = before.split("\n"), after.split("\n")
    total = 0
    stack = [(0, len(a), 0, len(b))]
    while stack:
        a0, a1, b0, b1 = stack.pop()
        while a0 < a1 and b0 < b1 and a[a0] == b[b0]:
            a0, b0 = a0 + 1, b0 + 1
        while a0 < a1 and b0 < b1 and a[a1 - 1] == b[b1 - 1]:
            a1, b1 = a1 - 1, b1 - 1
        if a0 == a1 or b0 == b1:
            total += max(a1 - a0, b1 - b0)
            continue
        if (a1 - a0) * (b1 - b0) <= EXACT_ALIGNMENT_PAIRS:
            matcher = SequenceMatcher(None, a[a0:a1], b[b0:b1], autojunk=False)
            total += sum(
                max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
            )
            continue
        chain = _anchor_chain(a, b, a0, a1, b0, b1)
        if not chain:
            total += max(a1 - a0, b1 - b0)
            continue
        i_prev, j_prev = a0, b0
        for i, j in chain:
            if i > i_prev or j > j_prev:
                stack.append((i_prev, i, j_prev, j))
            i_prev, j_prev = i + 1, j + 1
        stack.append((i_prev, a1, j_prev, b1))
    return total


def _anchor_chain(a: list[str], b: list[str], a0: int, a1: int, b0: int, b1: int) -> list[tuple[int, int]]:
    """Anchor pairs (i, j) of `a[a0:a1]` and `b[b0:b1]`, increasing in both (see `_count_changed_lines`)."""
    count_a, count_b = Counter(a[a0:a1]), Counter(b[b0:b1])
    where: dict[str, list[int]] = {}
    for j in range(b0, b1):
        if count_a.get(b[j]) == count_b[b[j]]:
            where.setdefault(b[j], []).append(j)
    seen: Counter[str] = Counter()
    pairs = []
    for i in range(a0, a1):
        positions = where.get(a[i])
        if positions is not None:
            pairs.append((i, positions[seen[a[i]]]))
            seen[a[i]] += 1
    targets = [j for _, j in pairs]
    if targets == sorted(targets):  # the usual case (a step edits in place): every pair is an anchor
        return pairs
    # longest chain increasing in j (i increases already): patience sorting, O(n log n)
    tails: list[int] = []
    tail_at: list[int] = []
    back = [-1] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k], tail_at[k] = j, n
        back[n] = tail_at[k - 1] if k else -1
    chain = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    return chain[::-1]


def _first_change(before: str, after: str) -> tuple[str, str]:
    if before == after:
        return "", ""
    limit = min(len(before), len(after))
    i = 0
    while i + PREFIX_BLOCK <= limit and before[i : i + PREFIX_BLOCK] == after[i : i + PREFIX_BLOCK]:
        i += PREFIX_BLOCK
    while i < limit and before[i] == after[i]:
        i += 1
    start = max(0, i - EXAMPLE_CONTEXT)
    return before[start : start + EXAMPLE_WIDTH], after[start : start + EXAMPLE_WIDTH]
