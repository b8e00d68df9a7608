"""Role vocabulary and the line patterns of minutes, in one place.

`segment.py` uses these patterns to find speaker lines, stage notes and headings; `cleaning.py`
uses the same patterns so that it never glues a speaker line or a heading onto the sentence
before it, and keeps the one space that separates a speaker label from its speech
(`本部長 ただいまより…`).

Every pattern expects cleaned text: NFKC-normalized (full-width `（）：` are ASCII `():`) with
one canonical `○` marker.
"""

from __future__ import annotations

__all__ = ["AGENDA_IN_LABEL_RE", "AGENDA_RE", "ANGLE_LABEL_RE", "ANON_REMARK_RE", "ANSWER_ARROW_RE", "BANGAI_LABEL", "BANGAI_LINE_RE", "BRACKET_LINE_RE", "BRACKET_NAME_RE", "BRACKET_SPEECH_RE", "CLAUSE_RE", "COLON_RE", "EQUALS_LABEL_RE", "HEADING_RE", "INLINE_BRACKET_RE", "INLINE_LOST_PAREN_RE", "INLINE_PAREN_LABEL_RE", "INLINE_UNMARKED_RE", "LEGEND_RE", "LOST_MARK_RE", "LOST_PAREN_RE", "MARKS", "MARK_BULLET_RE", "MARK_COLON_RE", "MARK_INITIAL_RE", "MARK_PAREN_RE", "MARK_ROLE_RE", "NAME_KUN_RE", "NAME_SPACE_POST_RE", "NOTHING_RE", "OPINION_HEADING_RE", "OPINION_ITEM_RE", "PAREN_LABEL_RE", "PAREN_LABEL_SPEECH_RE", "PAREN_LINE_RE", "PAREN_SPEECH_RE", "PDF_SPACED_START_RE", "PDF_SPACE_RE", "POST_PAREN_NAME_RE", "PREDICATE_END_RE", "PRESS_LABEL_RE", "QA_ITEM_RE", "QA_LEGEND_RE", "QA_LETTER_RE", "QA_WORDS", "QA_WORD_RE", "ROLES", "ROLE_PARAGRAPH_RE", "ROLE_WORDS", "ROLE_WORD_RE", "ROSTER_LABEL_RE", "SEAT_NAME_RE", "SEAT_NUMBER_RE", "SENTENCE_RE", "SLASH_LABEL_RE", "SPACED_POST_NAME_RE", "SPACED_ROLE_LINE_RE", "SPACED_ROLE_WORD", "SPEAKER_PREFIX_RE", "STAGE_NOTE_RE", "STAGE_PAREN_RE", "TABLE_ROW_RE", "UNMARKED_PAREN_RE", "UNSEPARATED_LABEL_RE", "classify_role", "despace", "equals_label_speech", "is_agenda_heading", "looks_like_roster", "opens_marked_turn", "opens_unmarked_turn", "role_of"]  # fmt: skip

import functools
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
    "本部員": "member",
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
    "大臣": "official",  # ministers in national councils (`棚橋IT担当大臣`)
    "副大臣": "official",
    "政務官": "official",
    "審議官": "official",
    "参事官": "official",
    "統括官": "official",
    "次長": "official",
    "次官": "official",  # `○内田内閣府事務次官` in national councils
    "長官": "official",
    "参与": "official",
    "説明員": "official",
    "当局": "official",
    "担当": "official",  # `担当: …` answers of the official in charge in national summaries
    "書記": "official",
    "主事": "official",
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
    # the moderator of a town meeting or briefing runs it (`(司会)`, `司会:`)
    "司会": "chair",
    "司会者": "chair",
    # outside experts
    "講師": "expert",
    "アドバイザー": "expert",
    "参考人": "expert",
    # executive officials whose titles end like the words above (national and local)
    "政府参考人": "official",  # ministry officials answering in the Diet, not outside experts
    "政府委員": "official",
    "政府特別補佐人": "official",
    "監査委員": "official",
    "代表監査委員": "official",
    "選挙管理委員会委員長": "official",  # an executive commission answering in the assembly
    "農業委員会会長": "official",
    "有識者": "expert",
    "教授": "expert",
    "准教授": "expert",
    "代表取締役": "expert",
    "学識経験者": "expert",
    "公述人": "expert",
}
#: Words that open an anonymous item of a question-and-answer summary (`◆問`, `◎答`, `◆要望`),
#: with the role and the speaker they stand for (summary-record convention).
QA_WORDS: dict[str, tuple[str, str]] = {
    "問": ("member", "委員"),
    "質問": ("member", "委員"),
    "質疑": ("member", "委員"),
    "要望": ("member", "委員"),
    "意見": ("member", "委員"),
    "答": ("official", "理事者"),
    "答弁": ("official", "理事者"),
    "回答": ("official", "理事者"),
}

_ROLE_ALT = "|".join(sorted(map(re.escape, ROLE_WORDS), key=len, reverse=True))
ROLE_WORD_RE = re.compile(f"(?:{_ROLE_ALT})")

#: Marks that open a speaker line (`○議長(山田太郎君)`, `◎委員(小林しょう)`, `◆委員`); some
#: minutes systems use `△`, `□` or `▲` as well. A mark opens a turn only when a label with a
#: role word, an honorific or a seat number follows, so `△議案第53号の質疑` stays a heading.
MARKS = "○◎◆◇●■△□▲"
#: A legend that gives marks a meaning: `○印=委員 ●印=事務局`.
LEGEND_RE = re.compile(r"(?P<mark>[○◎◆◇●■])\s*印?\s*[=:]\s*(?P<label>[^\s○◎◆◇●■=,、()]{1,10})")

_NAME_CHARS = r"[^\s()「」『』、。,:!?=○◎◆◇●■△□▲]"
#: Characters of a personal name (kanji, kana, iteration marks).
_PERSON = "\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff々〆ヶ"

#: `○議長(山田太郎君) speech`, `◎委員 (桜井浩之)`, `◎株式会社…代表取締役社長(吉田大祐)`.
MARK_PAREN_RE = re.compile(
    rf"^(?P<mark>[{MARKS}])\s?(?P<pre>{_NAME_CHARS}{{0,40}}?)\s?\((?P<paren>[^()]{{1,20}})\)\s*(?P<speech>.*)$"
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
#: `村井座長: speech`: a label ending in a role word, a colon, the speech on the same line; also the
#: anonymized labels of published council minutes (`A委員:`, `委員A:`, `委員(B):`, `○○委員:`).
COLON_RE = re.compile(
    rf"^(?P<label>(?:{_NAME_CHARS}|[○×]{{2,3}}(?=\S))?{_NAME_CHARS}{{0,12}}?{ROLE_WORD_RE.pattern}"
    rf"(?:[A-Z]|\d{{1,2}}|\({_NAME_CHARS}{{1,12}}\))?)\s*:\s*(?P<speech>\S.*)$"
)
#: A particle opening the text after a word: the word is part of a sentence, not a label
#: (`山田委員 からの質問`).
_PARTICLE = r"(?:から|の(?=[\u4e00-\u9fff])|が|を|について|より|へ|など)"
#: `本部長 ただいまより…`: a role word (with at most a short qualifier) opening a paragraph,
#: a space, then the speech.
ROLE_PARAGRAPH_RE = re.compile(
    rf"^(?P<label>{_NAME_CHARS}{{0,6}}?{ROLE_WORD_RE.pattern}) (?!{_PARTICLE})(?P<speech>\S.*)$"
)

_MARK = rf"[{MARKS}]"
#: `○議長【二見泰弘君】 speech`: the name in lenticular brackets after the post.
BRACKET_NAME_RE = re.compile(
    rf"^(?P<mark>{_MARK})?\s?(?P<pre>{_NAME_CHARS}{{1,20}}?)【(?P<name>[^【】\s]{{1,12}})】\s*(?P<speech>.*)$"
)
#: `【教育長】 speech`: a bracketed label with the speech on the same line.
BRACKET_SPEECH_RE = re.compile(r"^【(?P<label>[^【】]{1,20})】\s*(?P<speech>\S.*)$")
#: `◯委員長北田 織君) speech`, `議長溝口伊佐雄)`, `谷田川委員長)`, `市長)`: web minutes whose
#: opening parenthesis was lost with the link around the name.
LOST_PAREN_RE = re.compile(
    rf"^(?P<mark>{_MARK})?\s?(?P<label>{_NAME_CHARS}{{1,20}}?(?: [{_PERSON}]{{1,4}})?(?:君|氏)?)\)\s*(?P<speech>.*)$"
)
#: `○松井隆文 委員長 speech`, `◎浅村 デジタル戦略推進局長`, `〇関 三郎委員長`: a name, a space, a post.
NAME_SPACE_POST_RE = re.compile(
    rf"^(?P<mark>{_MARK})\s?(?P<name>[{_PERSON}]{{1,6}}) (?P<post>{_NAME_CHARS}{{0,20}}?{ROLE_WORD_RE.pattern})(?:\s+(?P<speech>.*))?$"
)
#: `○山田太郎君 speech`, `木原誠二君 speech`: a name with an honorific and no post (a member
#: in assembly minutes, which label officials by their post).
NAME_KUN_RE = re.compile(
    rf"^(?P<mark>{_MARK})?\s?(?P<name>[{_PERSON}]{{1,8}}(?: [{_PERSON}]{{1,4}})?)(?:君|氏)(?:\s+(?P<speech>\S.*))?$"
)
#: `Q檜垣委員 speech` / `A泉野…課長 speech`: question and answer letters before a label (a
#: Japanese character must follow the letter, so `AI担当課長 の…` is not one).
QA_LETTER_RE = re.compile(
    rf"^(?P<mark>[QA])(?=[^\x00-\x7f])(?P<pre>{_NAME_CHARS}{{1,20}}?{ROLE_WORD_RE.pattern})\s+(?P<speech>\S.*)$"
)
#: `Q.高齢化で…`, `A:例えば…`: the question and answer items of a Q&A digest (a letter, a period
#: or colon, then Japanese text). `segment` takes them only in a document that has both.
QA_ITEM_RE = re.compile(r"^(?P<letter>[QA])\s?[.:)](?=\s?[^\x00-\x7f])\s*(?P<speech>\S.*)$")
#: The legend of such a digest: `(Q→参加者からの質問、A→市長の回答)`, `Q=委員の質問`.
QA_LEGEND_RE = re.compile(
    r"(?P<letter>[QA])\s*[→=:]\s*(?P<who>[^\s、,()=→:]{1,12}?)(?:から)?の?(?:質問|意見|発言|回答|答弁|答え|説明)"
)
#: `◆問`, `◎答 speech`, `◆要望`: anonymous question-and-answer items of a summary record.
QA_WORD_RE = re.compile(
    rf"^(?P<mark>{_MARK})\s?(?P<word>{'|'.join(sorted(QA_WORDS, key=len, reverse=True))})(?:\s*$|\s+(?P<speech>\S.*)$|\s*:\s*(?P<speech2>.*)$)"
)
#: `議長(尾田善靖君)`, `議長(大島理森君) speech`: an unmarked post with the name in parentheses.
UNMARKED_PAREN_RE = re.compile(
    rf"^(?P<pre>{_NAME_CHARS}{{1,20}}?)\((?P<paren>[{_PERSON} ]{{1,10}}(?:君|氏|さん))\)\s*:?\s*(?P<speech>\S.*)?$"
)
#: `○ speech` (anonymous remark) and `→ speech` (the answer) in summary records.
ANON_REMARK_RE = re.compile(r"^○\s*(?P<speech>\S.*)$")
ANSWER_ARROW_RE = re.compile(r"^[→⇒➡]\s*(?P<speech>\S.*)$")
#: `・ speech`: an item of a summary's list of opinions (`意見交換の概要`).
OPINION_ITEM_RE = re.compile(r"^[・•]\s*(?P<speech>\S.*)$")
OPINION_HEADING_RE = re.compile(r"(?:意見|発言|質疑)(?:交換|要旨|概要|の概要|等)?(?:の概要)?$")
#: Seat numbers of members (`5番`, `十番`).
SEAT_NUMBER_RE = re.compile(r"(?:\d{1,3}|[一二三四五六七八九十]{1,3})番")
#: `◯25番 武田えみ子議員 speech`, `○5番山田太郎君 speech`: a seat number, then the member's name
#: with `議員` or an honorific (search-site minutes that write the label without parentheses).
SEAT_NAME_RE = re.compile(
    rf"^(?P<mark>{_MARK})\s?(?P<seat>{SEAT_NUMBER_RE.pattern})[ \u3000]?(?P<name>[{_PERSON}]{{1,8}}?)(?P<post>議員|君|氏)(?:\s+(?P<speech>\S.*))?$"
)
#: Words of rosters, attendance lists and headers: a label holding one is not a speaker
#: (`〇出席委員(8人)`, `〇欠席委員 なし`, `● 出席者(敬称略)`, a wrapped roster item's tail
#: `力本部広報部長他5名)`).
ROSTER_LABEL_RE = re.compile(
    r"出席|欠席|出欠|応招|応召|傍聴|氏名|名簿|職員|説明のため|委員外|定数|署名|敬称略|(?:他|ほか)?\s?\d{1,3}\s?名"
)
#: An agenda item's number inside a label (`◎ 日程3番議案第3号…(第5号)`): a heading, even where
#: its `3番` looks like a seat number.
AGENDA_IN_LABEL_RE = re.compile(
    r"日程\s?第?\s?[\d一二三四五六七八九十]+\s?番?|(?:議案|報告|請願|陳情|諮問)第\s?\d"
)
#: A sentence end or a polite predicate: text with one is speech, not a roster or field value.
SENTENCE_RE = re.compile(
    r"[。!?]|(?:です|ます|でした|ました|ません|ください|たい|ある|ない|する|した)[。.]?$"
)
#: Particles that join a clause (`…の設置について説明`, `資料を配付`): a list of them is minutes,
#: not a roster of names.
CLAUSE_RE = re.compile(r"について|により|として|[をがは](?=[\u4e00-\u9fff\u30a0-\u30ff])")
#: Speech in parentheses alone (`(挨拶)`) is a stage direction inside a turn, not a roster.
PAREN_SPEECH_RE = re.compile(r"^[(〔\[].*[)〕\]]$")


#: `◯米倉委員長=ただいまから…`, `◯井上祐輔委員=おはようございます。`: a mark, a label ending in a
#: role word or an honorific, `=` and the speech glued on (assembly web minutes that write
#: the label without brackets). The speech must read as a sentence or a clause
#: (`equals_label_speech`), so a legend (`○印=委員`) or a field (`○委員=5名`) is not a turn.
EQUALS_LABEL_RE = re.compile(
    rf"^(?P<mark>[{MARKS}])\s?(?P<label>{_NAME_CHARS}{{0,30}}?(?:{ROLE_WORD_RE.pattern}|君|氏))\s?=\s*(?P<speech>\S.*)?$"
)


def equals_label_speech(line: str) -> re.Match[str] | None:
    """The match of a `◯米倉委員長=…` line whose speech reads as a sentence or a clause, or of a
    label alone (`◯米倉委員長=`, the speech on the next line), else None."""
    match = EQUALS_LABEL_RE.match(line.strip())
    if not match or ROSTER_LABEL_RE.search(match.group("label")):
        return None
    speech = match.group("speech")
    return match if speech is None or SENTENCE_RE.search(speech) or CLAUSE_RE.search(speech) else None


#: `○溝口知事:県政を…`, `○毎日新聞:済みません…`: a mark, a short label and a colon, the speech
#: glued on (press conferences and some web minutes). `segment` takes it only when the label has
#: a role word or names a press outlet (`PRESS_LABEL_RE`) and the speech reads as speech.
MARK_COLON_RE = re.compile(
    rf"^(?P<mark>[{MARKS}])\s?(?P<label>{_NAME_CHARS}{{1,15}}?(?:\({_NAME_CHARS}{{1,12}}\))?)\s*:\s*(?P<speech>\S.*)$"
)
#: The label of a journalist at a press conference: an outlet (`毎日新聞`, `山陰放送`, `共同通信`,
#: `NHK`) or the press club's representative (`幹事社`, `記者`). Their role is `unknown`.
PRESS_LABEL_RE = re.compile(
    r"(?:新聞(?:社)?|放送|テレビ|通信(?:社)?|日報|新報|タイムス|ラジオ|NHK|エフエム|FM|幹事社|記者)$"
)
#: `事務局(中) ただいまから…`: an unmarked post with a short name in parentheses (summary records
#: that abbreviate the speaker's family name); `segment` takes it only before a sentence.
POST_PAREN_NAME_RE = re.compile(
    rf"^(?P<post>[{_PERSON}]{{0,8}}?{ROLE_WORD_RE.pattern})\((?P<name>[{_PERSON}]{{1,4}})\)\s?(?P<speech>\S.*)$"
)
#: `議長/皆さん…`, `吉川議会運営委員長/皆さん…`: a label ending in a role word and a slash, the
#: speech glued on (quick transcripts). `segment` takes it only when the speech reads as speech.
SLASH_LABEL_RE = re.compile(
    rf"^(?P<label>{_NAME_CHARS}{{0,15}}?{ROLE_WORD_RE.pattern})\s*[/／]\s*(?!{ROLE_WORD_RE.pattern}|{_PARTICLE})(?P<speech>\S.*)$"
)


#: `○田中(一)委員`: a name, a disambiguating initial in parentheses, then the post.
MARK_INITIAL_RE = re.compile(
    rf"^[{MARKS}]\s?(?P<name>[{_PERSON}]{{1,6}})(?P<initial>\([{_PERSON}]{{1,2}}\))"
    rf"(?P<post>{_NAME_CHARS}{{0,12}}?{ROLE_WORD_RE.pattern})(?:\s+(?P<speech>.*))?$"
)


#: A single space between two non-ASCII characters: what PDF extraction inserts (`議 長`).
PDF_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])")
#: A line whose start is spaced out that way (`○ 議 長(山 田`).
PDF_SPACED_START_RE = re.compile(r"^.{0,4}?\S \S \S")


#: A mark, a family name and a member's or chair's role word with the speech glued on
#: (`○森野委員長資料…`, left by PDF spacing); the role word must not go on into a compound
#: (`○委員会の…`).
UNSEPARATED_LABEL_RE = re.compile(
    rf"^[{MARKS}][{_PERSON}]{{0,5}}?(?:副委員長|委員長|副会長|会長|副議長|議長|副座長|座長|部会長|副本部長|本部長|委員|議員)"
    r"(?![会等制長(【)])(?=\S)"
)


def despace(text: str) -> str:
    """Remove the single spaces PDF extraction puts between wide characters (`議 長` → `議長`)."""
    return PDF_SPACE_RE.sub("", text)


def opens_marked_turn(line: str) -> bool:
    """True when `line` opens with a mark and a speaker label; see `_opens_marked_turn`.

    A PDF-spaced start (`○ 議 長(山 田 太 郎 君)`) is read with those spaces removed.
    """
    if _opens_marked_turn(line):
        return True
    if not PDF_SPACED_START_RE.match(line.strip()):
        return False
    despaced = despace(line.strip()[:80])
    return _opens_marked_turn(despaced) or bool(UNSEPARATED_LABEL_RE.match(despaced))


def _opens_marked_turn(line: str) -> bool:
    """True when `line` opens with a mark and a speaker label of assembly minutes.

    The label must name a speaker: a role word, an honorific without a post, a seat number or a
    question-and-answer word, and no roster word. So `○○市`, `○×`, `○ 資料1について`,
    `〇出席委員(8人)` and a legend bullet are not turn openings. Used to find turns inside
    flattened lines and labels split across lines; `segment` applies the same conventions.
    """
    line = line.strip()
    if not line or line[0] not in MARKS:
        return False
    if equals_label_speech(line):
        return True
    candidates = (
        (SEAT_NAME_RE, "seat"),
        (SPACED_POST_NAME_RE, "post"),
        (MARK_INITIAL_RE, "post"),
        (MARK_PAREN_RE, None),
        (BRACKET_NAME_RE, "pre"),
        (LOST_PAREN_RE, "label"),
        (NAME_SPACE_POST_RE, "post"),
        (MARK_ROLE_RE, "pre"),
        (NAME_KUN_RE, "name"),
        (QA_WORD_RE, "word"),
    )
    for pattern, group in candidates:
        match = pattern.match(line)
        if not match:
            continue
        if group is None:
            if STAGE_PAREN_RE.search(match.group("paren")):
                continue  # `○押田議長 (挨拶)`: the parenthesis is a stage direction
            label = match.group("pre") + "(" + match.group("paren") + ")"
        else:
            label = match.group(group)
        if ROSTER_LABEL_RE.search(label) and not re.search(r"[(【][^()【】]*(?:君|氏|さん)[)】]", label):
            return False  # `〇出席委員(8人)`, but not `○委員外議員(山田太郎君)`
        if AGENDA_IN_LABEL_RE.search(label):
            return False  # `◎ 日程3番議案第3号…(第5号)`: a heading
        if pattern in (NAME_KUN_RE, QA_WORD_RE) or role_of(label) != "unknown":
            return True
    return False


#: `○ 議長 笹木 英二 speech`: PDF table cells (mark, post, family name, given name) separated by spaces.
SPACED_POST_NAME_RE = re.compile(
    rf"^(?P<mark>{_MARK}) (?P<post>{_NAME_CHARS}{{0,10}}?{ROLE_WORD_RE.pattern}) "
    rf"(?P<name>[{_PERSON}]{{1,4}} [{_PERSON}]{{1,4}})(?:\s+(?P<speech>\S.*))?$"
)
#: Words of stage directions in parentheses (`○押田議長 (挨拶)`): such a parenthesis is speech,
#: not the speaker's name.
STAGE_PAREN_RE = re.compile(
    r"挨拶|あいさつ|拍手|登壇|降壇|退席|退場|入場|着席|起立|休憩|紹介|説明|朗読|配付|異議|なし|者あり|声あり|分$"
)
#: Inside a flattened line, a label whose opening parenthesis was lost (`開会宣告議長斎藤秀雄君) …`),
#: also without the honorific when a space stands before the post (`… ○感謝状伝達 議長伊藤真人) おはよう…`).
INLINE_LOST_PAREN_RE = re.compile(
    rf"(?:{ROLE_WORD_RE.pattern})[{_PERSON}]{{1,6}}(?: [{_PERSON}]{{1,4}})?君\)(?=\s)"
    rf"|(?<=[ \u3000])(?:{ROLE_WORD_RE.pattern})[{_PERSON}]{{2,6}}\)(?=\s)"
)
#: Inside a flattened line, a bracketed label with a role word after a space (`… 【教育長】 ただいま…`).
INLINE_BRACKET_RE = re.compile(r"(?<=[ \u3000])【(?P<label>[^【】\s]{1,20})】(?=[ \u3000])")


#: `<委員>`, `[事務局] speech`, `〈山田委員長〉`: a label in angle or square brackets that ends
#: with a role word (so `<質疑及び意見交換の概要>` and `<委員長あいさつ>` stay headings).
ANGLE_LABEL_RE = re.compile(
    rf"^[<\[〈](?P<label>{_NAME_CHARS}{{0,12}}?{ROLE_WORD_RE.pattern})[>\]〉]\s*(?P<speech>.*)$"
)


def opens_unmarked_turn(line: str) -> bool:
    """True when `line` opens with an unmarked speaker label that `segment` recognizes.

    `議長(尾田善靖君)`, `委員長五十嵐伸)`, `【教育長】 …`, `Q檜垣委員 …`, `木原誠二君 …`, `徳田君: …`.
    """
    line = line.strip()
    match = UNMARKED_PAREN_RE.match(line) or BRACKET_NAME_RE.match(line)
    if (
        match
        and classify_role(match.group("pre")) != "unknown"
        and not ROSTER_LABEL_RE.search(match.group("pre"))
    ):
        return True
    match = LOST_PAREN_RE.match(line)
    if match and classify_role(match.group("label")) != "unknown" and not STAGE_NOTE_RE.match(line):
        return not ROSTER_LABEL_RE.search(match.group("label"))
    match = BRACKET_SPEECH_RE.match(line) or ANGLE_LABEL_RE.match(line)
    if match and classify_role(match.group("label")) != "unknown":
        return not looks_like_roster(match.group("speech"))
    match = NAME_KUN_RE.match(line)
    if match and match.group("speech") and not looks_like_roster(match.group("speech"), marked=False):
        return True
    # `議 長 午後2時00分開議…`, `番外 三宅町長 日程第3、…`: a spaced-out role word or a 番外 label,
    # then speech (a sentence or a clause, so a roster cell `議 長 山田太郎` is not one)
    match = SPACED_ROLE_LINE_RE.match(line) or BANGAI_LINE_RE.match(line)
    if match and (SENTENCE_RE.search(match.group("speech")) or CLAUSE_RE.search(match.group("speech"))):
        return True
    return bool(QA_LETTER_RE.match(line))


def role_of(label: str) -> str:
    """The role of a speaker label: its last role word; else a seat number (`5番`) or an
    honorific without a post (`山田太郎君`) marks a member of an assembly; else `unknown`."""
    role = classify_role(label)
    if role != "unknown":
        return role
    if SEAT_NUMBER_RE.search(label) or re.search(r"(?:君|氏)\)?$", label.strip("()【】")):
        return "member"
    return "unknown"


def looks_like_roster(speech: str, *, marked: bool = True) -> bool:
    """True for text that lists names and posts without a sentence (a roster or field value).

    `副委員長 石垣智矢`, `○事務局 大和田正治 事務局長 小林明信 …`, `【委員】 藤野兼治(会長)、…`:
    no sentence end, and several role words or list items; after an unmarked label, a short
    value without a sentence (`委員長 金崎ひさ 出席`) is a field, too.
    """
    speech = speech.strip()
    if not speech or PAREN_SPEECH_RE.match(speech) or SENTENCE_RE.search(speech) or CLAUSE_RE.search(speech):
        return False
    n_roles = len(ROLE_WORD_RE.findall(speech))
    items = [item for item in re.split(r"[、,\s]+", speech) if item]
    name_like = [item for item in items if len(item) <= 12 and not re.search("[\u3041-\u3096]{2}", item)]
    n_people = len(re.findall(r"君|氏|\d{1,3}番|[一二三四五六七八九十]{1,3}番", speech))
    if n_roles >= 2 or n_people >= 3 or (len(items) >= 3 and len(name_like) == len(items)):
        return True
    return not marked and len(speech) <= 16


#: A role word spelled out with spaces between its letters (`議  長`, `事 務 局`), as
#: typewriter-style minutes and PDF tables write it.
SPACED_ROLE_WORD = "|".join(
    r"[ \u3000]{1,3}".join(map(re.escape, word))
    for word in sorted((w for w in ROLE_WORDS if 2 <= len(w) <= 4), key=len, reverse=True)
)
#: `議  長  たった今、…`: a spaced-out role word opening a line, then the speech.
SPACED_ROLE_LINE_RE = re.compile(rf"^(?P<label>(?:{SPACED_ROLE_WORD}))(?<=\S)[ \u3000]+(?P<speech>\S.*)$")
#: `(委員)男女共同参画…`, `(事務局) 令和3年…`, `(委 員)…`, `(A委員)…`: an anonymous (or
#: family-name) label in parentheses opening a line, with the speech on the same line.
PAREN_LABEL_SPEECH_RE = re.compile(
    r"^\((?P<label>[^()\s]{1,12}|[^()\s](?: [^()\s]){1,5})\)\s*(?P<speech>\S.*)$"
)
#: The label of such a line: a role word with at most a short name or letter before or after it.
PAREN_LABEL_RE = re.compile(
    rf"^(?:[{_PERSON}]{{1,4}}|[A-Z○×]{{1,3}})?(?:{ROLE_WORD_RE.pattern})(?:[A-Z]|\d{{1,2}})?$"
)
#: Inside a flattened summary, such a label after a sentence or a stage note (`…したい。(委員)問題…`).
INLINE_PAREN_LABEL_RE = re.compile(
    rf"(?<=[。!?」\-~])[ \u3000]*(?=\((?:(?:{ROLE_WORD_RE.pattern})|(?:{SPACED_ROLE_WORD}))\)(?!{_PARTICLE})\S)"
)

#: `番外 三宅町長 …`, `番外町長 …`: a speaker who holds no seat (the executive) in the minutes of
#: assemblies that number their members' seats; a name (optional) and a post follow 番外.
BANGAI_LABEL = rf"番外[ \u3000]?[{_PERSON}]{{0,6}}?(?:{ROLE_WORD_RE.pattern})"
BANGAI_LINE_RE = re.compile(
    rf"^番外[ \u3000]?(?P<label>[{_PERSON}]{{0,6}}?(?:{ROLE_WORD_RE.pattern}))[ \u3000]+(?!{_PARTICLE})(?P<speech>\S.*)$"
)
#: A one-kanji family name before a post (`梶市長`): not a determiner (`各委員`, `全委員`, `同委員`).
_ONE_KANJI_NAME = r"(?![各全同本当両諸元前新旧他副次])[\u4e00-\u9fff]"
#: Inside a flattened line, an unmarked label that opens a turn (cut before it):
#: * after a sentence, a name of two to five characters and a role word, then a space
#:   (`…ございます。 大場会長 今日は…`);
#: * after a sentence or a stray `々` of PDF extraction (an iteration mark cannot open a word),
#:   a `番外` label (`…致しました。 々 番外 三宅町長 日程第3、…`);
#: * a role word spelled out with single spaces (`議 長`) between unspaced text: after two
#:   characters that are not spaces and before three (`…4月25日 議 長 午後2時00分開議…`), so
#:   a line spaced out letter by letter (`議 長 に お き ま し て`) never matches;
#: * such a role word after a spaced-out cell of a flattened PDF table (`… 開 会 会 長 定刻になった
#:   ことを確認し、…`), when unspaced text with a comma or a full stop follows it (prose, not a
#:   roster cell such as `主 事 坪 倉 昂 平`);
#: * after a sentence or a stage note in angle brackets (`<委嘱状交付>`), a post with a
#:   one-character name before it or a short name in parentheses after it
#:   (`梶市長 本日は…。`, `事務局(中) それでは、…`), when a comma or a full stop follows soon.
INLINE_UNMARKED_RE = re.compile(
    rf"(?<=[。」])[ \u3000]+(?=[{_PERSON}]{{2,5}}(?:{ROLE_WORD_RE.pattern})[ \u3000]+(?!{_PARTICLE}))"
    rf"|(?<=[。」々])[ \u3000]+(?={BANGAI_LABEL}[ \u3000]+(?!{_PARTICLE}))"
    rf"|(?<=\S\S)[ \u3000](?=(?:{SPACED_ROLE_WORD})[ \u3000](?!{_PARTICLE})\S{{3}})"
    rf"|(?<=\S)[ \u3000](?=(?:{SPACED_ROLE_WORD})[ \u3000](?!{_PARTICLE})[^\s、。]{{3,40}}[、。])"
    rf"|(?<=[。」>])[ \u3000]+(?=(?:{_ONE_KANJI_NAME}(?:{ROLE_WORD_RE.pattern})|[\u4e00-\u9fff]{{0,5}}(?:{ROLE_WORD_RE.pattern})\([{_PERSON}]{{1,4}}\))"
    rf"[ \u3000]+(?!{_PARTICLE})[^\s]{{0,40}}?[、。])"
)

#: Prefixes whose following space `cleaning.remove_spurious_spaces` keeps: speaker labels,
#: marks and `- ` bullets. Deliberately looser than the segment patterns: keeping a space is harmless.
SPEAKER_PREFIX_RE = re.compile(
    rf"^(?:[{MARKS}]\s?{SEAT_NUMBER_RE.pattern}[ \u3000]?[{_PERSON}]{{1,8}}?(?:議員|君|氏)|{BANGAI_LABEL}"
    rf"|[{MARKS}] {_NAME_CHARS}{{0,10}}?{ROLE_WORD_RE.pattern} [{_PERSON}]{{1,4}} [{_PERSON}]{{1,4}}"
    rf"|{_NAME_CHARS}{{0,20}}?\([{_PERSON} ]{{1,12}}(?:君|氏|さん)\)"
    rf"|[{MARKS}][{_PERSON}]{{1,6}}\([{_PERSON}]{{1,2}}\){_NAME_CHARS}{{0,12}}?{ROLE_WORD_RE.pattern}"
    rf"|[{MARKS}]|-|[{MARKS}]?{_NAME_CHARS}{{0,40}}?(?:{ROLE_WORD_RE.pattern}|\)|君|氏|】)|\({_NAME_CHARS}{{1,20}}\)"
    rf"|[{MARKS}][{_PERSON}]{{1,6}} {_NAME_CHARS}{{0,20}}?{ROLE_WORD_RE.pattern}"
    rf"|(?:{SPACED_ROLE_WORD}))(?= )"
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


@functools.lru_cache(maxsize=32)
def _role_word_re(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(sorted(map(re.escape, words), key=len, reverse=True)))


def classify_role(label: str, extra_words: dict[str, str] | None = None) -> str:
    """Return the role (`chair`, `vice_chair`, `member`, `official`, `expert`, `unknown`) of a label.

    The last role word of the label decides, which follows Japanese head-final compounds and
    parenthesized functions: `総務委員会委員長` → chair, `小暮委員(委員長)` → chair,
    `(事務局) 佐藤情報政策・改革改善課長` → official, `副委員長` → vice_chair.
    """
    if extra_words:  # role words a corpus declares in dxminutes.toml (see convention.py)
        words = {**ROLE_WORDS, **extra_words}
        found = _role_word_re(tuple(sorted(words))).findall(label)
        return words[found[-1]] if found else "unknown"
    found = ROLE_WORD_RE.findall(label)
    return ROLE_WORDS[found[-1]] if found else "unknown"


def is_agenda_heading(line: str) -> bool:
    """True for an agenda heading (`議題1 …について`, `報告事項(2) …`), not for speech that opens with one."""
    return bool(AGENDA_RE.match(line)) and not PREDICATE_END_RE.search(line)
