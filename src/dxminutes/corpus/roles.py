"""Role vocabulary and the line patterns of minutes, in one place.

`segment.py` uses these patterns to find speaker lines, stage notes and headings; `cleaning.py`
uses the same patterns so that it never glues a speaker line or a heading onto the sentence
before it, and keeps the one space that separates a speaker label from its speech
(`本部長 ただいまより…`).

Every pattern expects cleaned text: NFKC-normalized (full-width `（）：` are ASCII `():`) with
one canonical `○` marker.
"""

from __future__ import annotations

import re

ROLES = ("chair", "vice_chair", "member", "official", "expert", "unknown")

#: Role words found in speaker labels. When a label holds several (`小暮委員(委員長)`), the
#: last one wins (see `classify_role`); longer words are tried first, so `副委員長` is a
#: vice chair, `委員長` a chair and `委員` a member.
ROLE_WORDS: dict[str, str] = {
    # chairs
    "委員長": "chair",
    "本部長": "chair",
    "部会長": "chair",
    "会長": "chair",
    "議長": "chair",
    "座長": "chair",
    "分科会長": "chair",
    # vice chairs
    "副委員長": "vice_chair",
    "副本部長": "vice_chair",
    "副部会長": "vice_chair",
    "副会長": "vice_chair",
    "副議長": "vice_chair",
    "副座長": "vice_chair",
    # members
    "委員": "member",
    "議員": "member",
    "部員": "member",
    "構成員": "member",
    # officials: the secretariat and the executive
    "事務局": "official",
    "理事者": "official",
    "局長": "official",
    "部長": "official",
    "課長": "official",
    "室長": "official",
    "係長": "official",
    "主幹": "official",
    "主査": "official",
    "参事": "official",
    "市長": "official",
    "区長": "official",
    "町長": "official",
    "村長": "official",
    "知事": "official",
    "副市長": "official",
    "副区長": "official",
    "副町長": "official",
    "副村長": "official",
    "副知事": "official",
    "教育長": "official",
    # デジタル化推進員 (豊島区) is a digital-promotion staff post listed in the document's own
    # roster under 事務局 and filed as `official` in docs/architecture.md, so `推進員` is an
    # official, not an outside expert.
    "推進員": "official",
    # outside experts
    "講師": "expert",
    "アドバイザー": "expert",
    "参考人": "expert",
    "有識者": "expert",
    "教授": "expert",
    "准教授": "expert",
    "代表取締役": "expert",
    "学識経験者": "expert",
    "公述人": "expert",
}

_ROLE_ALT = "|".join(sorted(map(re.escape, ROLE_WORDS), key=len, reverse=True))
ROLE_WORD_RE = re.compile(f"(?:{_ROLE_ALT})")

#: Marks that open a speaker line (`○議長(山田太郎君)`, `◎委員(小林しょう)`, `◆委員`).
MARKS = "○◎◆◇●■"
#: A legend that gives marks a meaning: `○印=委員 ●印=事務局`.
LEGEND_RE = re.compile(r"(?P<mark>[○◎◆◇●■])\s*印?\s*[=:]\s*(?P<label>[^\s○◎◆◇●■=,、()]{1,10})")

_NAME_CHARS = r"[^\s()「」『』、。,:!?]"

#: `○議長(山田太郎君) speech`, `◎委員 (桜井浩之)`, `◎株式会社…代表取締役社長(吉田大祐)`.
MARK_PAREN_RE = re.compile(
    rf"^(?P<mark>[{MARKS}])\s?(?P<pre>{_NAME_CHARS}{{1,40}}?)\s?\((?P<paren>[^()]{{1,20}})\)\s*(?P<speech>.*)$"
)
#: `○山田委員 speech`, `◆委員`: a mark, a label ending in a role word, then a space or the end.
MARK_ROLE_RE = re.compile(
    rf"^(?P<mark>[{MARKS}])\s?(?P<pre>{_NAME_CHARS}{{0,15}}?{ROLE_WORD_RE.pattern})(?:\s+(?P<speech>.*))?$"
)
#: `○ speech` or `● speech`: a bare mark, meaningful when the document has a legend.
MARK_BULLET_RE = re.compile(rf"^(?P<mark>[{MARKS}])\s*(?P<speech>.*)$")
#: `- speech`: a bullet whose mark was lost in extraction (used only in documents with a legend).
LOST_MARK_RE = re.compile(r"^-\s+(?P<speech>(?!-).+)$")
#: `(小國会長)`, `(事務局) 佐藤情報政策・改革改善課長`: a speaker line alone on its line.
PAREN_LINE_RE = re.compile(rf"^\((?P<paren>{_NAME_CHARS}{{1,20}})\)\s*(?P<post>{_NAME_CHARS}{{0,30}})$")
#: `【事務局】`, `【会長】` alone on a line.
BRACKET_LINE_RE = re.compile(r"^【(?P<label>[^【】]{1,20})】$")
#: `村井座長: speech`: a label ending in a role word, a colon, the speech on the same line.
COLON_RE = re.compile(
    rf"^(?P<label>{_NAME_CHARS}{{0,12}}?{ROLE_WORD_RE.pattern}(?:\({_NAME_CHARS}{{1,12}}\))?)\s*:\s*(?P<speech>\S.*)$"
)
#: `本部長 ただいまより…`: a role word (with at most a short qualifier) opening a paragraph,
#: a space, then the speech.
ROLE_PARAGRAPH_RE = re.compile(rf"^(?P<label>{_NAME_CHARS}{{0,6}}?{ROLE_WORD_RE.pattern}) (?P<speech>\S.*)$")

#: Prefixes whose following space `cleaning.remove_spurious_spaces` keeps: speaker labels,
#: marks and `- ` bullets. Deliberately looser than the segment patterns: keeping a space is harmless.
SPEAKER_PREFIX_RE = re.compile(
    rf"^(?:[{MARKS}]|-|[{MARKS}]?{_NAME_CHARS}{{0,40}}?(?:{ROLE_WORD_RE.pattern}|\)|君|氏)|\({_NAME_CHARS}{{1,20}}\))(?= )"
)

#: Stage notes: `~委員からの意見無し~`, `-質疑応答-`, `[事務局:「…」を説明]`, `〔14:18 終了〕`,
#: `(質疑なし)`, `—議題については継続審議—`. NFKC turns `～` (U+FF5E) into `~` but leaves
#: `〜` (U+301C) alone, so both are listed.
STAGE_NOTE_RE = re.compile(
    r"^(?:[~〜～].{1,60}[~〜～]|-[^-\s].{0,60}-|[—―─━ー]{1,2}[^—―─━].{0,60}[—―─━]{1,2}"
    r"|\[.{1,120}\]|〔.{1,120}〕|\([^()]{1,15}\)|《.{1,60}》)$"
)
#: A marked line that only says nothing was raised (`○ 特になし。`): recorded as a stage note.
NOTHING_RE = re.compile(r"^(?:特に)?(?:なし|無し|ありません|ございません|意見なし|質疑なし)[。.]?$")
#: Section headings inside the body: agenda items and bracketed titles without a role word.
AGENDA_RE = re.compile(
    r"^(?:議題|報告事項|協議事項|審議事項|次第|議案|日程第)\s*[\d(①-⑳一二三四五六七八九十]"
)
#: A polite predicate at the end marks speech, not a heading (`次第1「…」についてです`).
PREDICATE_END_RE = re.compile(r"(?:です|ます|でした|ました|ください|[。.!?])$")
HEADING_RE = re.compile(r"^(?:【[^【】]{1,40}】|<[^<>]{1,40}>|\(「.{1,80}\)|(?:-\s*){2,}.*)$")
#: A table row: cells separated by tabs.
TABLE_ROW_RE = re.compile(r"\t")


def classify_role(label: str) -> str:
    """Return the role (`chair`, `vice_chair`, `member`, `official`, `expert`, `unknown`) of a label.

    The last role word of the label decides, which follows Japanese head-final compounds and
    parenthesized functions: `総務委員会委員長` → chair, `小暮委員(委員長)` → chair,
    `(事務局) 佐藤情報政策・改革改善課長` → official, `副委員長` → vice_chair.
    """
    found = ROLE_WORD_RE.findall(label)
    return ROLE_WORDS[found[-1]] if found else "unknown"


def is_agenda_heading(line: str) -> bool:
    """True for an agenda heading (`議題1 …について`, `報告事項(2) …`), not for speech that opens with one."""
    return bool(AGENDA_RE.match(line)) and not PREDICATE_END_RE.search(line)
