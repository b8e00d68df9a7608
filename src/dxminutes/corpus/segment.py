"""Segment cleaned minutes into speaker turns and non-speech parts.

`segment` reads the text paragraph by paragraph (one non-empty line each; `cleaning` has already
joined labels split across lines and split turns flattened into one line) and sorts every
paragraph into exactly one place, so nothing is dropped silently:

* a speaker line opens a turn; speech on the same line is its first line. The conventions (label
  patterns in `roles.py`, tried in the order of `_parse_speaker`):
  - declared ones first (`dxminutes.toml`, see `convention.py`);
  - council records: `(小國会長)`, `(事務局) 佐藤…課長`, `【事務局】`, `【教育長】 …`, `村井座長: …`,
    `徳田君: …`, `A委員: …`, `本部長 …`, `○`/`●` bullets with a legend (`○印=委員 ●印=事務局`);
  - summaries: `◆問` / `◎答` / `◆要望` items, `○ ` remarks with `→ ` answers, `・` opinion items
    under `意見交換の概要` (see `_anonymous_item` for the stated rule of their roles);
  - assembly minutes, marked (`○◎◆◇●■△□▲`): `○議長(山田太郎君)`, `○山田太郎君`, `◆5番(鈴木一郎君)`,
    `○山田太郎 委員長`, `○(山田太郎委員長)`, `○田中(一)委員`, `◯議長【二見泰弘君】`,
    `◯委員長北田 織君)` (opening parenthesis lost), `○ 議長 笹木 英二` (PDF cells), `○山田委員`;
  - assembly minutes, unmarked: `議長(尾田善靖君)`, `委員長五十嵐伸)`, `Q檜垣委員 …`, `木原誠二君 …`;
  - councils' summaries met on unseen bodies (issue 19), each only where the text makes it
    unambiguous: `(委員)…` / `(事務局)…` / `(委 員)…` opening a line, also split out of a
    flattened line after a sentence (`_paren_label_speech`, `_split_paren_labels`); a spaced-out
    role word opening a line (`議  長  …`); a bare role word alone on its line when a sentence
    follows (`_bare_role_label`); a greeting heading followed by the greeting (`2 会長あいさつ`,
    `_greeting_heading`); `○` items with `→`/`⇒` answers;
  - met on a second sample of unseen bodies: labels ending with `=` (`◯米倉委員長=…`,
    `roles.EQUALS_LABEL_RE`), `番外 三宅町長 …` (a speaker without a seat), a spaced role word
    (`議 長 午後2時…`) or a `番外` label inside a flattened PDF line, a page reference after the
    label (`○市長(宮本明雄君)登壇[ 7頁]`), a name alone on the line after a bare post
    (`○教育政策係長` / `大園健朗君`);
  - met on a third sample: a `:` or a `(登壇)` glued after a label (`○教育長(藤迫稔君):…`,
    `○17番(福井康夫君)(登壇)`), press conferences' `○溝口知事:…` / `○毎日新聞:…` (a role word
    or a press outlet, `_mark_colon_label`), `知事:` or `(司会)` alone on a line, quick
    transcripts' `議長/…`, a seat number and a name without parentheses (`◯25番 武田えみ子議員`),
    a label already used in the record glued to a heading by a lost bracket (`(質疑◯本多達郎議長`,
    `_split_known_labels`), `事務局(中) …`, `Q.` / `A.` items of a Q&A digest with their legend
    (`_qa_item_speakers`);
* a speaker index or table of contents (`1: ◯山田議長` lines, runs of label-only lines,
  `○開会の宣告 …… 3`) and a search page's speaker menu (`○渡邉委員長 選択3 :`, a label followed
  only by the page's navigation) are never turns (`_index_lines`, kind `index`);
* a parenthesis ending in a stage word (`(事務局説明)`) is a stage note, not a label;
* an unmarked role word followed by a roster or a parenthesis alone (`委員 (田沢湖町)`,
  `委員 東裕 若柳善朗 …`) is not a label: the speech must read as speech (`reads_as_speech`);
* a line that matches a label but reads as a roster or a field (`委員長 森野真治`,
  `〇出席委員(8人)`, `○事務局 大和田正治 事務局長 …`, `事 務 局 梶市長、横田総務部長、…`, a head
  count `…部長他5名)`, an agenda number `◎日程3番議案第3号…(第5号)`) is not a turn;
* a stage note (`~委員からの意見無し~`, `[事務局:「…」を説明]`, `(質疑なし)`, `〔14:18 終了〕`, a
  marked `○ 特になし。`), a heading (`議題1 …`, `【質疑・意見等】`), a table row, web
  boilerplate, and everything before the first speaker go to `non_speech`;
* any other paragraph continues the current turn (a continuation after a page break); a table
  row closes the current turn, since it marks the tables that end a record.

Decisions worth knowing:

* A bare `○ 特になし。` in a legend document records that members raised nothing; like
  `(質疑なし)` it is a stage note, not a turn.
* In a document with a ○/● legend, an item starting `- ` lost its mark in extraction: it is
  a turn with role `unknown` and speaker `不明` (the role is not guessed).
* A repeated label with no other speaker in between stays a separate turn: every labelled
  utterance of the record is one turn.
* Roles that depend on who presides (`_apply_presiding_rules`) and full names from the record's
  roster (`_resolve_full_names`) are settled after all turns are found.
* A bare post with nothing after it at the very end of a record that opens headings with its
  mark (`△議長`, an excerpt cut inside a heading) is not a turn.
* A document with no turn at all is `segment`'s business to report (`NO_SPEAKERS_WARNING`);
  `build` then loads readable text as ONE block (`unsegmented`, `documents.segmented` False) and
  speaker- and role-level analyses leave it out (`segmented_turns`, `unsegmented_note`).
* Warnings: no speakers; lost marks; a turn that reads like a roster or ends with one; a turn
  with a speaker-like mark inside its text (a boundary that was not split).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from dxminutes.corpus import roles
from dxminutes.corpus.cleaning import BOILERPLATE_LINE_RE
from dxminutes.corpus.convention import Convention
from dxminutes.corpus.names import name_before_post
from dxminutes.schema import SEGMENT_NON_SPEECH_COLUMNS, SEGMENT_TURN_COLUMNS

TURN_COLUMNS = list(SEGMENT_TURN_COLUMNS)
NON_SPEECH_COLUMNS = list(SEGMENT_NON_SPEECH_COLUMNS)

NO_SPEAKERS_WARNING = "no recognizable speakers"
#: Speaker of a turn whose mark was lost (`- ` items in a ○/● document).
UNKNOWN_SPEAKER = "不明"

#: Reviewed variant kanji in personal names, mapped to the common form.
NAME_VARIANTS: dict[str, str] = {
    "髙": "高",  # はしご高 (墨田区 seed: 髙橋正利 / 高橋正利)
    "﨑": "崎",  # たつさき
    "德": "徳",
    "邊": "辺",
    "邉": "辺",
}
#: Honorifics that follow a name in labels (`山田太郎君`, `吉田大祐氏`).
HONORIFIC_RE = re.compile(r"(?:君|氏|さん|様)$")
#: Role words that follow a personal name in labels (`小國会長`, `青木委員`); stripping them
#: gives the name. Posts of officials (`佐藤課長`) are kept whole.
PERSON_ROLE_SUFFIX_RE = re.compile(
    r"(?:副委員長|委員長|副会長|会長|副議長|議長|副座長|座長|部会長|副本部長|本部長|委員|議員)$"
)
#: The end of an organization's name (`戦略課`, `情報政策担当`): a parenthesis holding one names
#: the speaker's unit, not the speaker (`〇事務局(デジタルサービス局戦略部戦略課)`).
ORGANIZATION_END_RE = re.compile(r"(?:課|局|部|室|係|担当|センター|グループ|G)$")
#: A person's name with an honorific in parentheses or brackets: `(山田太郎君)`, `【二見泰弘君】`.
NAMED_PERSON_RE = re.compile(rf"[(【][{roles._PERSON} ]{{1,12}}(?:君|氏|さん)[)】]")
#: Posts held by one person in a record: a bare one may be named by the roster (`市長(今泉文彦)`).
SINGLE_HOLDER_POSTS = frozenset(
    [
        "市長",
        "副市長",
        "区長",
        "副区長",
        "町長",
        "副町長",
        "村長",
        "副村長",
        "知事",
        "副知事",
        "教育長",
        "議長",
        "副議長",
        "委員長",
        "副委員長",
        "会長",
        "副会長",
        "座長",
        "副座長",
        "本部長",
    ]
)
#: Kinds of non-speech part that list the people of a record (searched for full names).
ROSTER_KINDS = ("header", "roster", "metadata")
#: The title of a board of education's meeting.
BOARD_OF_EDUCATION_RE = re.compile(r"教育委員会(?:第\d+回)?(?:定例会|臨時会|会議録|会議)|教育委員会議")
#: A label made of a family name (with a disambiguating initial) and a member's or chair's role
#: word: `○森野委員長`, `○良知(駿)委員`, `◎藤野会長`, `Q檜垣委員`.
SURNAME_LABEL_RE = re.compile(
    rf"^[{roles.MARKS}QA]?\s?(?P<family>[\u4e00-\u9fff々ヶ]{{1,3}}?)(?:\((?P<initial>[{roles._PERSON}])\))?"
    r"(?:副委員長|委員長|副会長|会長|副議長|議長|副座長|座長|部会長|副本部長|本部長|委員|議員|構成員)$"
)
NAME_RE = re.compile(r"^[\u4e00-\u9fff々〆ヶ\u3041-\u3096]{1,6}$")

#: Field labels of header blocks and metadata tables, and the kind of part they open.
FIELD_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"出席|欠席|傍聴|委員氏名|講師|事務局|説明員|構成員|出席者"), "roster"),
    (re.compile(r"議題|次第|議事|報告事項|協議事項|審議事項|講義の内容|案件"), "agenda"),
    (re.compile(r"日時|場所|会議名|名称|担当|資料|公開|開示|結論|審議経過|結果|目的|概要|庶務"), "metadata"),
)
FIELD_LABEL_MAX_CHARS = 16
#: A turn this long that reads like a roster gets a warning (short ones are legitimate: `(挨拶)`).
ROSTER_WARNING_MIN_CHARS = 20
#: A roster-like tail after a turn's last sentence this long gets a warning.
ROSTER_TAIL_MIN_CHARS = 40
#: A `・` opinion item shorter than this is a list entry, not a remark.
OPINION_MIN_CHARS = 20
#: A mark after a space inside a turn's text that may open a swallowed turn (`… ○議長(…君) …`).
SWALLOWED_MARK_RE = re.compile(rf"(?<=[\s。」)])[{roles.MARKS}][^\s]{{1,30}}(?:\s\S{{1,10}})?")
#: A name with an assembly member's title used as honorific inside a label's parentheses
#: (`伊藤正数議員`). `委員` is not one: `(市民委員)`, `(学識委員)` name a kind of member.
MEMBER_TITLE_NAME_RE = re.compile(rf"(?P<name>[{roles._PERSON}]{{2,8}}?)議員")
#: A committee's name before 委員長 (`総務委員長`, `議会改革特別委員会委員長`, `予算常任委員長`).
COMMITTEE_CHAIR_RE = re.compile(r"(?P<committee>\S+?)(?:委員会)?委員長$")
#: A parenthesis that ends with a stage word is a stage note about a speaker (`(事務局説明)`,
#: `(委員長報告)`), not a label; a post such as `(説明員)` does not end with one.
STAGE_PAREN_END_RE = re.compile(r"(?:説明|報告|挨拶|あいさつ|朗読|登壇|降壇|退席|着席|発言)$")
#: A page reference and a stage word glued after a label (`○市長(宮本明雄君)登壇[ 7頁]`,
#: `[P.12]`), or the `=` or `:` that ends a label (`◯議長(石井啓裕君)=ただいま…`,
#: `○教育長(藤迫稔君):ただ今から…`), or a stage word in parentheses glued to it
#: (`○17番(福井康夫君)(登壇)`): part of the label line, not speech.
LABEL_TAIL_RE = re.compile(
    r"^(?:(?:(?:登壇|降壇)\s*)?\[\s*(?:P\.?\s*)?\d{1,4}\s*(?:頁|ページ)?\s*\]|=|:|\((?:登壇|降壇)\))\s*"
)
#: A name with an honorific alone on its line (`大園健朗君`): after a bare post (`○教育政策係長`),
#: the rest of a label that a line break split.
NAME_ONLY_LINE_RE = re.compile(rf"^[{roles._PERSON}]{{2,8}}(?: [{roles._PERSON}]{{1,4}})?(?:君|氏|さん)$")
#: The closing word of a record, when it is the last paragraph.
CLOSING_RE = re.compile(r"^(?:以上|以下余白|閉会|散会)$")


@dataclass(frozen=True)
class Segmentation:
    """Turns (`TURN_COLUMNS`), non-speech parts (`NON_SPEECH_COLUMNS`) and warnings.

    `segmented` is False for a document loaded as one unsegmented block (`unsegmented`): its one
    turn has speaker `UNKNOWN_SPEAKER` and role `unknown`.
    """

    turns: pd.DataFrame
    non_speech: pd.DataFrame
    warnings: tuple[str, ...]
    segmented: bool = True


#: The warning of a document loaded as one unsegmented block (its README section is named).
UNSEGMENTED_WARNING = (
    "no speaker convention recognized: loaded as one unsegmented block (speaker 不明, role unknown), "
    "left out of speaker and role analyses; declare the convention in dxminutes.toml "
    "(README: Declaring a convention)"
)
#: Text needs this many kana and kanji to be loaded unsegmented; with fewer it is junk (a failure).
MIN_READABLE_CHARS = 10
#: … and kana and kanji must make at least this share of its visible characters.
MIN_READABLE_SHARE = 0.3
_JAPANESE_CHAR_RE = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff々]")


def readable_text(text: str) -> bool:
    """True when `text` reads as Japanese: at least `MIN_READABLE_CHARS` kana and kanji, and at
    least `MIN_READABLE_SHARE` of its letters and digits (so ASCII noise, digits, markup
    left-overs or mojibake are not loaded as a document; punctuation and rules are ignored)."""
    # letters and digits only: dot leaders, rules and box drawing of a real index are not noise
    visible = [char for char in text if unicodedata.category(char)[0] in "LN"]
    n_japanese = len(_JAPANESE_CHAR_RE.findall("".join(visible)))
    return n_japanese >= MIN_READABLE_CHARS and n_japanese >= MIN_READABLE_SHARE * len(visible)


def unsegmented(text: str) -> Segmentation:
    """A document whose speaker convention is not recognized, as ONE block: one turn holding
    the whole cleaned text (speaker `UNKNOWN_SPEAKER`, role `unknown`, no label), no non-speech
    parts, and `UNSEGMENTED_WARNING`. Nothing is dropped; `segmented` is False, so speaker- and
    role-level analyses can leave it out (`segmented_turns`)."""
    row = {
        "position": 0,
        "speaker_label": "",
        "speaker": UNKNOWN_SPEAKER,
        "role": "unknown",
        "text": text.strip(),
    }
    return Segmentation(
        turns=pd.DataFrame([row], columns=TURN_COLUMNS).astype({"position": "int64"}),
        non_speech=pd.DataFrame(columns=NON_SPEECH_COLUMNS).astype({"position": "int64"}),
        warnings=(UNSEGMENTED_WARNING,),
        segmented=False,
    )


def segmented_turns(turns, documents: pd.DataFrame | None = None) -> pd.DataFrame:
    """The turns of segmented documents only, for speaker- and role-level analyses.

    A document loaded as one unsegmented block (`documents.segmented` False) has no speakers or
    roles to compare; `unsegmented_note` says how many documents this leaves out. `turns` and
    `documents` are the corpus tables (joined on `doc_id`), or pass a corpus (anything with
    `.turns` and `.documents`, such as `build.Corpus`) alone; nothing is changed.
    """
    if documents is None:
        turns, documents = turns.turns, turns.documents
    left_out = set(unsegmented_documents(documents)["doc_id"])
    return turns.loc[~turns["doc_id"].isin(left_out)].reset_index(drop=True)


def unsegmented_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """The rows of `documents` loaded as one unsegmented block (column `segmented` False)."""
    if "segmented" not in documents.columns:
        raise ValueError("documents lacks column(s) ['segmented']: rebuild the corpus (`dxminutes build`)")
    return documents.loc[~documents["segmented"].astype(bool)].reset_index(drop=True)


def unsegmented_note(documents: pd.DataFrame) -> str:
    """One plain sentence on the documents speaker- and role-level analyses leave out ('' when none)."""
    files = unsegmented_documents(documents)["file"].tolist()
    if not files:
        return ""
    shown = ", ".join(files[:5]) + (f" and {len(files) - 5} more" if len(files) > 5 else "")
    return (
        f"{len(files)} document(s) loaded without speaker turns (no recognized convention) are left out "
        f"of speaker and role analyses: {shown}. Declaring their convention in dxminutes.toml "
        "(README: Declaring a convention) would bring them in."
    )


def normalize_speaker_name(name: str) -> str:
    """Normalize a name for matching: NFKC, no spaces, variant kanji (`髙`→`高`), no honorific."""
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    name = name.translate(str.maketrans(NAME_VARIANTS))
    stripped = HONORIFIC_RE.sub("", name)
    return stripped or name


def find_legend(text: str) -> dict[str, str]:
    """Return the mark legend of a document (`{"○": "委員", "●": "事務局"}`), or `{}`."""
    legend = {}
    for match in roles.LEGEND_RE.finditer(text):
        if roles.classify_role(match.group("label")) != "unknown":
            legend.setdefault(match.group("mark"), match.group("label"))
    return legend


def segment(text: str, convention: Convention | None = None) -> Segmentation:
    """Split cleaned minutes into speaker turns and non-speech parts (see the module docstring).

    `convention` adds the speaker patterns and role words a corpus declares in `dxminutes.toml`.
    """
    paragraphs = [
        piece for line in text.split("\n") if line.strip() for piece in _split_paren_labels(line.strip())
    ]
    paragraphs = _split_known_labels(paragraphs)
    reader = _Reader(
        legend=find_legend(text),
        convention=convention,
        answers=_has_answer_items(text),
        qa_items=_qa_item_speakers(paragraphs),
    )
    index_lines = _index_lines(paragraphs)
    for index, line in enumerate(paragraphs):
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else ""
        if index in index_lines:
            reader.add_index(line)
        else:
            reader.read(line, last=index == len(paragraphs) - 1, following=following)
    reader.drop_empty_last_turn(_heading_marks(paragraphs, reader.legend, convention))
    warnings = _warnings(reader.turns, reader.n_lost)
    _apply_presiding_rules(reader.turns, "\n".join(p["text"] for p in reader.parts))
    _resolve_full_names(reader.turns, "\n".join(p["text"] for p in reader.parts if p["kind"] in ROSTER_KINDS))
    return _segmentation(reader.turns, reader.parts, warnings)


def _has_answer_items(text: str) -> bool:
    """True when the document has both `○ ` remarks and `→ ` answers (the convention needs both)."""
    lines = [line.strip() for line in text.split("\n")]
    return any(map(roles.ANSWER_ARROW_RE.match, lines)) and any(map(roles.ANON_REMARK_RE.match, lines))


@dataclass
class _Reader:
    """Reads a document's paragraphs in order and puts each one in a turn or a non-speech part.

    `turns` are dicts (position, speaker_label, speaker, role, lines); `parts` are dicts (kind,
    text, _after_turn: the number of turns before the part). `current` is the turn a
    continuation paragraph joins (None after a table row or before the first turn).
    """

    legend: dict[str, str]
    convention: Convention | None
    answers: bool
    qa_items: dict[str, tuple[str, str]] = field(default_factory=dict)
    turns: list[dict] = field(default_factory=list)
    parts: list[dict] = field(default_factory=list)
    current: dict | None = None
    opinion_section: bool = False
    header_kind: str = "header"
    n_lost: int = 0

    def read(self, line: str, last: bool, following: str = "") -> None:
        """Place one paragraph: open a turn, record a marked 'nothing', or place it otherwise.

        `following` is the next paragraph: a bare role word (`会長`) or a greeting heading
        (`2 会長あいさつ`) alone on a line opens a turn only when speech follows it.
        """
        speaker = self._speaker(line)
        if speaker is None and not self.legend:
            speaker = _bare_role_label(line, following) or _greeting_heading(line, following)
        if speaker is None and not self.turns and _is_opinion_heading(line):
            self.opinion_section = True
        if speaker is not None and speaker.get("nothing"):
            self._add_part("stage_note", line)
        elif speaker is not None:
            self._open_turn(speaker)
        elif self._names_current_post(line):
            self.current["speaker_label"] += "\n" + line
            self.current["speaker"] = normalize_speaker_name(line)
        else:
            self._place(line, last)

    def _names_current_post(self, line: str) -> bool:
        """True when `line` is a name alone (`大園健朗君`) right after a label that is a bare post
        with no name and no speech yet (`○教育政策係長`): a label split by a line break.

        Not after a chair's post (`○議長` / `鈴木一郎君`): a chair calls on the next speaker by name."""
        current = self.current
        if current is None or current["lines"] or not NAME_ONLY_LINE_RE.match(line):
            return False
        label = current["speaker_label"].lstrip(roles.MARKS + "◯〇 ")
        return (
            "\n" not in label
            and roles.ROLE_WORD_RE.search(label) is not None
            and roles.classify_role(label) not in ("chair", "vice_chair")
            and not re.search(r"[()【】]|君|氏", label)
            and current["speaker"] in (label, normalize_speaker_name(label))
        )

    def _speaker(self, line: str) -> dict | None:
        """The turn `line` opens (labelled, or an anonymous summary item), with declared roles."""
        speaker = _parse_speaker(line, self.legend, self.convention)
        if speaker is None and not self.legend:
            in_opinions = self.opinion_section and (
                self.current is None or self.current["speaker_label"] == "・"
            )
            speaker = _anonymous_item(line, self.answers, in_opinions)
        if speaker is None and self.qa_items:
            speaker = _qa_item(line, self.qa_items)
        if (
            speaker is not None
            and self.convention is not None
            and self.convention.role_words
            and not speaker.get("nothing")
        ):
            declared = self.convention.classify(speaker["speaker_label"])
            speaker["role"] = declared if declared != "unknown" else speaker["role"]
        return speaker

    def _open_turn(self, speaker: dict) -> None:
        """Start a turn; speech on the speaker line is its first line."""
        self.n_lost += speaker["speaker_label"] == "-"
        self.current = {
            "position": len(self.turns),
            **{k: speaker[k] for k in TURN_COLUMNS[1:4]},
            "lines": [speaker["speech"]] if speaker["speech"] else [],
        }
        self.turns.append(self.current)

    def _place(self, line: str, last: bool) -> None:
        """A paragraph that opens no turn: a non-speech part, or a continuation of the current turn."""
        if roles.TABLE_ROW_RE.search(line):
            self._add_part(_field_kind(line.split("\t", 1)[0], "metadata"), line)
            self.current = None
        elif BOILERPLATE_LINE_RE.match(line):
            self._add_part("boilerplate", line)
        elif roles.STAGE_NOTE_RE.match(line):
            self._add_part("stage_note", line)
        elif not self.turns:
            self.header_kind = (
                _field_kind(line, self.header_kind) if _is_field_label(line) else self.header_kind
            )
            self._add_part(self.header_kind, line)
        elif roles.is_agenda_heading(line) or (roles.HEADING_RE.match(line) and not line.startswith("-")):
            self._add_part("agenda", line)
        elif roles.HEADING_RE.match(line) or (last and CLOSING_RE.match(line)):
            self._add_part("other", line)
        elif self.current is not None:
            self.current["lines"].append(line)
        else:
            self._add_part("other", line)

    def add_index(self, line: str) -> None:
        """A line of a speaker index or roster of speeches (`1: ◯山田議長`): never a turn."""
        self._add_part("index", line)

    def drop_empty_last_turn(self, heading_marks: set[str]) -> None:
        """A bare post with nothing after it at the very end (`△議長`, an excerpt cut inside a
        heading), in a record that opens headings with that mark, is not a turn: it becomes a
        non-speech part. A named label (`◎委員長(たきざわ正宜)`) stays a turn."""
        if not self.turns:
            return
        label = self.turns[-1]["speaker_label"]
        if (
            label[:1] in heading_marks
            and not re.search(r"[(【)】]|君|氏", label)
            and not any(line.strip() for line in self.turns[-1]["lines"])
        ):
            turn = self.turns.pop()
            self.current = None
            self._add_part("other", turn["speaker_label"])

    def _add_part(self, kind: str, line: str) -> None:
        """Add a non-speech part, joined to the previous one of the same kind with no turn
        between them (stage notes always stay separate)."""
        parts = self.parts
        if (
            parts
            and parts[-1]["kind"] == kind
            and parts[-1]["_after_turn"] == len(self.turns)
            and kind != "stage_note"
        ):
            parts[-1]["text"] += "\n" + line
        else:
            parts.append({"kind": kind, "text": line, "_after_turn": len(self.turns)})


def _warnings(turns: list[dict], n_lost: int) -> list[str]:
    """The document's warnings: no speakers, each suspicious turn, lost speaker marks."""
    warnings = [NO_SPEAKERS_WARNING] if not turns else []
    for turn in turns:
        warnings += _turn_warnings(turn)
    if n_lost:
        warnings.append(f"{n_lost} turns lost their speaker mark in extraction (role unknown)")
    return warnings


def _turn_warnings(turn: dict) -> list[str]:
    """Warnings of one turn: it reads like a roster, ends with one, or holds speaker-like marks."""
    warnings = []
    body = "\n".join(turn["lines"])
    tail = re.split(r"[。!?]", body)[-1]  # a roster glued after the last sentence (flattened pages)
    if roles.looks_like_roster(body) and len(body) >= ROSTER_WARNING_MIN_CHARS:
        warnings.append(
            f"turn {turn['position']} ({turn['speaker_label']}) looks like a roster: names and posts, no sentence"
        )
    elif tail != body and len(tail) >= ROSTER_TAIL_MIN_CHARS and roles.looks_like_roster(tail):
        warnings.append(
            f"turn {turn['position']} ({turn['speaker_label']}) ends with what looks like a roster: "
            f"{tail.strip()[:20]!r}…"
        )
    swallowed = [m.group(0) for m in SWALLOWED_MARK_RE.finditer(body) if _parse_marked(m.group(0).strip())]
    if swallowed:
        warnings.append(
            f"turn {turn['position']} ({turn['speaker_label']}) holds {len(swallowed)} speaker-like "
            f"mark(s) inside its text, e.g. {swallowed[0].strip()[:20]!r}: check the segmentation"
        )
    return warnings


def _segmentation(turns: list[dict], parts: list[dict], warnings: list[str]) -> Segmentation:
    """The `Segmentation` tables of the turns and parts read."""
    turn_rows = [{**{k: t[k] for k in TURN_COLUMNS[:4]}, "text": "\n".join(t["lines"])} for t in turns]
    part_rows = [{"position": i, "kind": p["kind"], "text": p["text"]} for i, p in enumerate(parts)]
    return Segmentation(
        turns=pd.DataFrame(turn_rows, columns=TURN_COLUMNS).astype({"position": "int64"}),
        non_speech=pd.DataFrame(part_rows, columns=NON_SPEECH_COLUMNS).astype({"position": "int64"}),
        warnings=tuple(warnings),
    )


def _speaker_from_label(label: str) -> str:
    """The person's name in a label when it has one (`小國会長` → `小國`, `梶市長` → `梶`), else
    the label."""
    name = normalize_speaker_name(label)
    bare = PERSON_ROLE_SUFFIX_RE.sub("", name)
    if bare != name and NAME_RE.match(bare):
        return bare
    # an official's family name before the post: `梶市長` → `梶`, `村松電子県庁課長` → `村松`
    return name_before_post(name) or name


def _apply_presiding_rules(turns: list[dict], other_text: str) -> None:
    """Roles that depend on who presides (rules of Japanese assemblies and boards), in place.

    * In a committee, the 委員長 presides: when the first chair to speak is a 委員長, a 議長
      speaking later in the record attends ex officio and is a `member`. (A plenary opens with
      its 議長, so a committee 委員長 reporting there does not change the 議長's role.)
    * In a plenary (the first chair to speak is a 議長), a committee's 委員長 who is named apart
      from the committee (`◆議会改革特別委員会委員長(磯崎誠治君)`, `○総務委員長(石田成生議員)`)
      reports on the committee's work and answers on it as a member; he does not preside.
    * A board of education is presided over by its 教育長 (地方教育行政法 13条): in a record of a
      教育委員会 meeting (`教育委員会臨時会`, `教育委員会定例会`, `教育委員会会議録`, `教育委員会議`) with no other
      chair, the 教育長 is `chair`.
    """
    labels = [_label_role_words(t["speaker_label"]) for t in turns]
    chairs = [found[-1] for turn, found in zip(turns, labels) if found and turn["role"] == "chair"]
    if chairs and chairs[0] == "委員長":  # the first chair to speak presides; plenaries open with 議長
        for turn, found in zip(turns, labels):
            if found and found[-1] == "議長":
                turn["role"] = "member"
    if chairs and chairs[0] == "議長":
        for turn, found in zip(turns, labels):
            if found and found[-1] == "委員長" and turn["role"] == "chair" and _reports_for_committee(turn):
                turn["role"] = "member"
    if not chairs and BOARD_OF_EDUCATION_RE.search(other_text):
        for turn, found in zip(turns, labels):
            if found and found[-1] == "教育長" and "職務代理" not in turn["speaker_label"]:
                turn["role"] = "chair"


def _label_role_words(label: str) -> list[str]:
    """The role words of a label, leaving out a person's name in parentheses with an honorific
    or a member's title (`議長(伊藤正数議員)` → [`議長`]; `小暮委員(委員長)` keeps both)."""
    named = rf"[(【](?:[{roles._PERSON} ]{{1,12}}(?:君|氏|さん)|{MEMBER_TITLE_NAME_RE.pattern})[)】]"
    return roles.ROLE_WORD_RE.findall(re.sub(named, "", label))


def _reports_for_committee(turn: dict) -> bool:
    """True when a 委員長's label names a committee and, apart from it, the person
    (`総務委員長(石田成生議員)`, `議会改革特別委員会委員長(磯崎誠治君)`): not `山田委員長`, whose
    qualifier is the person's own family name, nor a bare `委員長`."""
    label = (
        re.sub(r"[(【][^()【】]*[)】]|[=:/]$", "", turn["speaker_label"]).strip().lstrip(roles.MARKS + "◯〇 ")
    )
    # `議会改革特別委員長田島茂洋君)`: a label that lost its opening parenthesis names the person after the post
    first = re.sub(rf"(?<=委員長)[{roles._PERSON} ]{{1,12}}(?:君|氏)\)?$", "", label.split("\n")[0].strip())
    match = COMMITTEE_CHAIR_RE.match(first)
    if not match:
        return False
    committee = normalize_speaker_name(match.group("committee"))
    return bool(committee) and committee not in normalize_speaker_name(turn["speaker"])


def _resolve_full_names(turns: list[dict], other_text: str) -> None:
    """Give a family name from a label (`森野委員長`, `良知(駿)委員`) the full name a roster or
    header of the same record spells out (`委員長 森野 真治` → `森野真治`), in place.

    Only labels made of a family name (and an initial) plus a member's or chair's role word are
    resolved, and only when the non-speech text holds exactly one full name starting with it
    (and with the initial); otherwise the family name stays. A bare post held by one person
    (`市長`, `委員長`) gets the name the roster gives it in parentheses (`市長(今泉文彦)`).
    """
    text = re.sub(r"[ \u3000]+", "", other_text.translate(str.maketrans(NAME_VARIANTS)))
    cache: dict[str, str] = {}
    for turn in turns:
        if turn["speaker"] in SINGLE_HOLDER_POSTS:  # `市長)` with `市長(今泉文彦)` in the roster
            key = "post/" + turn["speaker"]
            if key not in cache:
                pattern = rf"(?<!副){re.escape(turn['speaker'])}\((?P<name>[{roles._PERSON}]{{2,8}})\)"
                names = {m.group("name") for m in re.finditer(pattern, text)}
                cache[key] = normalize_speaker_name(names.pop()) if len(names) == 1 else ""
            if cache[key]:
                turn["speaker"] = cache[key]
            continue
        match = SURNAME_LABEL_RE.match(turn["speaker_label"])
        if not match or turn["role"] == "official":
            continue
        family, initial = normalize_speaker_name(match.group("family")), match.group("initial") or ""
        key = family + "/" + initial
        if key not in cache:
            given = re.compile(
                rf"{re.escape(family)}(?P<given>{re.escape(initial)}[{roles._PERSON}]{{0,3}}?)"
                rf"(?={roles.ROLE_WORD_RE.pattern}|[^{roles._PERSON}]|$)"
            )
            names = {family + m.group("given") for m in given.finditer(text) if m.group("given")}
            cache[key] = normalize_speaker_name(names.pop()) if len(names) == 1 else ""
        if cache[key]:
            turn["speaker"] = cache[key]


def _anonymous_item(line: str, answers: bool, in_opinions: bool) -> dict | None:
    """Anonymous items of summary records (no legend): the rule for their roles.

    * With `→` answers in the document, a `○ ` item is a member's remark (speaker `委員`,
      `member`) and a `→ ` item the secretariat's answer (speaker `事務局`, `official`).
    * Under a heading such as `意見交換の概要` before any labelled speaker, a `・` item is a
      member's remark (speaker `構成員`, `member`), as in national councils' 議事要旨.
    """
    if answers:
        match = roles.ANON_REMARK_RE.match(line)
        # `○ 質問…` or `○質問…` (no space: then it must read as a sentence, not a heading)
        if (
            match
            and not roles.NOTHING_RE.match(match.group("speech"))
            and (line[1:2].isspace() or roles.SENTENCE_RE.search(match.group("speech")))
        ):
            return _turn("○", "委員", "", match.group("speech"), role="member")
        match = roles.ANSWER_ARROW_RE.match(line)
        if match:
            return _turn(line[0], "事務局", "", match.group("speech"), role="official")
    if in_opinions:  # the caller allows it before any labelled turn and between opinion items
        match = roles.OPINION_ITEM_RE.match(line)
        if match and len(match.group("speech")) >= OPINION_MIN_CHARS:
            return _turn(line[0], "構成員", "", match.group("speech"), role="member")
    return None


#: Speakers and roles of a Q&A digest's items when no legend names them: the question comes
#: from the floor (who is not said), the answer from the administration.
QA_ITEM_DEFAULTS = {"Q": ("質問者", "unknown"), "A": ("回答者", "official")}


def _qa_item_speakers(paragraphs: list[str]) -> dict[str, tuple[str, str]]:
    """Speaker and role of the `Q.` and `A.` items of a Q&A digest, or `{}` when the document
    has not both kinds. A legend (`(Q→参加者からの質問、A→市長の回答)`) names who asks and who
    answers (`参加者`, role from its role word or `unknown`; `市長`, `official`)."""
    letters = {m.group("letter") for m in map(roles.QA_ITEM_RE.match, paragraphs) if m}
    if letters != {"Q", "A"}:
        return {}
    speakers = dict(QA_ITEM_DEFAULTS)
    for line in paragraphs:
        for match in roles.QA_LEGEND_RE.finditer(line):
            who = match.group("who")
            role = roles.classify_role(who)
            default_role = QA_ITEM_DEFAULTS[match.group("letter")][1]
            speakers[match.group("letter")] = (who, role if role != "unknown" else default_role)
    return speakers


def _qa_item(line: str, speakers: dict[str, tuple[str, str]]) -> dict | None:
    """`Q.…` / `A.…` in a Q&A digest (`_qa_item_speakers`): one turn each, the letter its label."""
    match = roles.QA_ITEM_RE.match(line)
    if not match:
        return None
    speaker, role = speakers[match.group("letter")]
    return _turn(_label_of(line, match.group("speech")), speaker, "", match.group("speech"), role=role)


def _is_opinion_heading(line: str) -> bool:
    """`意見交換の概要`, `主な意見`, `(3) 質疑の概要`: a short heading over a summary's opinions."""
    bare = re.sub(r"^[\d().\s・■□◆◇○●【】<>\[\]-]+|[】>\]\s]+$", "", line)
    return len(bare) <= 16 and bool(roles.OPINION_HEADING_RE.search(bare)) and "。" not in bare


def _turn(label: str, speaker: str, role_label: str, speech: str | None, role: str | None = None) -> dict:
    return {
        "speaker_label": label,
        "speaker": speaker,
        "role": role or roles.role_of(role_label),
        "speech": (speech or "").strip(),
    }


def _label_of(line: str, speech: str | None) -> str:
    """The label part of a speaker line: everything before its speech."""
    speech = (speech or "").strip()
    return (line[: len(line) - len(speech)] if speech and line.endswith(speech) else line).rstrip()


def _post_and_name(label: str) -> str:
    """The speaker of `委員長北田織君` / `谷田川委員長` / `市長`: the name when there is one."""
    name = normalize_speaker_name(label)
    match = re.match(rf"^(?:{roles.ROLE_WORD_RE.pattern})+", name)
    if match and match.end() < len(name) and NAME_RE.match(name[match.end() :]):
        # post first, then the name (`議長溝口伊佐雄`), the post repeated after it (`議長坂井芳浩議長`)
        rest = name[match.end() :]
        bare = PERSON_ROLE_SUFFIX_RE.sub("", rest)
        return bare if bare != rest and bare and rest.endswith(match.group(0)) else rest
    return _speaker_from_label(name)


_NAME_BEFORE_POST_RE = re.compile(
    rf"^(?P<name>[{roles._PERSON}]{{1,6}}?)(?P<post>{roles.ROLE_WORD_RE.pattern})$"
)


#: The committees every Japanese assembly has (standing, steering, budget and audit ones): a
#: family name written before one (`吉川議会運営委員長`, `山田総務常任委員長`) is the chair's name.
COMMITTEE_STEMS = (
    "議会運営|総務|文教|厚生|建設|経済|産業|予算|決算|議会改革|議会広報|広報|環境|福祉|教育|企画"
)
_NAME_BEFORE_COMMITTEE_RE = re.compile(
    rf"^(?P<name>[\u4e00-\u9fff々ヶ]{{1,3}}?)(?:{COMMITTEE_STEMS})[\u4e00-\u9fff]{{0,8}}?(?:委員会)?(?:副)?委員長$"
)


def _name_before_post(label: str) -> str:
    """`三宅町長` → `三宅`, `田中副町長` → `田中`: the name before a post; a bare post (`町長`) stays.

    Before a committee's name (`吉川議会運営委員長` → `吉川`), the family name is the person's; a
    committee named alone (`議会運営委員長`) stays whole."""
    name = normalize_speaker_name(label)
    match = _NAME_BEFORE_COMMITTEE_RE.match(name)
    if match and not name.startswith(tuple(COMMITTEE_STEMS.split("|"))):
        return match.group("name")
    match = _NAME_BEFORE_POST_RE.match(name)
    return match.group("name") if match else name


def _is_roster_label(label: str) -> bool:
    """A label holding a roster word (`〇出席委員(8人)`) — unless it names a person with an
    honorific, as `○委員外議員(山田太郎君)` does."""
    return bool(roles.ROSTER_LABEL_RE.search(label)) and not NAMED_PERSON_RE.search(label)


def _parse_speaker(line: str, legend: dict[str, str], convention: Convention | None = None) -> dict | None:
    """Return the turn that `line` opens, `{"nothing": True}` for a marked 'nothing', or None.

    A page reference glued after the label (`登壇[ 7頁]`, `LABEL_TAIL_RE`) belongs to the label.
    """
    found = _parse_speaker_line(line, legend, convention)
    if found is not None and not found.get("nothing"):
        tail = LABEL_TAIL_RE.match(found["speech"])
        if tail:
            sep = "" if tail.group(0).startswith(("=", ":", "(")) else " "
            found["speaker_label"] = (found["speaker_label"] + sep + tail.group(0).strip()).strip()
            found["speech"] = found["speech"][tail.end() :]
    return found


def _parse_speaker_line(
    line: str, legend: dict[str, str], convention: Convention | None = None
) -> dict | None:
    if convention is not None:
        found = convention.match_speaker(line)
        if found is not None:
            person = found["name"] or found["post"] or found["label"].lstrip(roles.MARKS)
            speaker = normalize_speaker_name(person) if found["name"] else _speaker_from_label(person)
            return _turn(found["label"], speaker, "", found["speech"], role=found["role"] or "unknown")
    match = roles.PAREN_LINE_RE.match(line)
    if (
        match
        and roles.classify_role(match.group("paren")) != "unknown"
        and not STAGE_PAREN_END_RE.search(match.group("paren"))
    ):
        paren, post = match.group("paren"), match.group("post")
        if post and roles.classify_role(post) == "unknown" and re.search("[\u3041-\u3096]{2}", post):
            # `(委員長)ありがとう`: kana after the label are speech, not a post or a name
            return _turn(f"({paren})", _speaker_from_label(paren), paren, post)
        return _turn(line, _speaker_from_label(post or paren), line, None)
    match = roles.BRACKET_LINE_RE.match(line)
    if match and roles.classify_role(match.group("label")) != "unknown":
        return _turn(line, _speaker_from_label(match.group("label")), match.group("label"), None)
    found = _paren_label_speech(line)
    if found is not None:
        return found
    match = roles.ANGLE_LABEL_RE.match(line)
    if match and not roles.ROSTER_LABEL_RE.search(match.group("label")):
        if not roles.looks_like_roster(match.group("speech")):
            label = _label_of(line, match.group("speech"))
            return _turn(
                label, _speaker_from_label(match.group("label")), match.group("label"), match.group("speech")
            )
    if roles.STAGE_NOTE_RE.match(line):
        return None
    # `◆問` / `◎答`: anonymous items of a question-and-answer summary (summary-record convention)
    match = roles.QA_WORD_RE.match(line)
    if match:
        role, speaker = roles.QA_WORDS[match.group("word")]
        speech = match.group("speech") or match.group("speech2")
        return _turn(_label_of(line, speech), speaker, "", speech, role=role)
    match = roles.MARK_BULLET_RE.match(line)
    if match and match.group("mark") in legend:
        if roles.NOTHING_RE.match(match.group("speech")):
            return {"nothing": True}
        word = legend[match.group("mark")]
        return _turn(match.group("mark"), word, word, match.group("speech"))
    if legend:
        match = roles.LOST_MARK_RE.match(line)
        if match and not roles.HEADING_RE.match(line):
            return {**_turn("-", UNKNOWN_SPEAKER, "", match.group("speech")), "role": "unknown"}
    found = _parse_marked(line)
    if found is not None:
        return (
            None
            if _is_roster_label(found["speaker_label"])
            or roles.AGENDA_IN_LABEL_RE.search(found["speaker_label"])
            or roles.looks_like_roster(found["speech"])
            else found
        )
    found = _parse_unmarked(line)
    if found is not None:
        # a parenthesized or bracketed name is strong evidence of a label; a bare `post value`
        # line (`副委員長 石垣智矢`) is a field unless its value reads as speech
        strong = found.pop("strong", False)
        if _is_roster_label(found["speaker_label"]) or roles.looks_like_roster(
            found["speech"], marked=strong
        ):
            return None
        return found
    return None


def _parse_marked(line: str) -> dict | None:
    """Speaker lines opened by a mark (`○`, `◎`, `◆`, …): the conventions of assembly minutes."""
    match = roles.equals_label_speech(line)
    if match:  # `◯米倉委員長=ただいまから…`: the label ends at `=`
        label = line.strip()[: match.end("label")] + "="
        return _turn(label, _post_and_name(match.group("label")), match.group("label"), match.group("speech"))
    match = roles.SEAT_NAME_RE.match(line)
    if match:  # `◯25番 武田えみ子議員 議案第99号…`: seat number, name, 議員 or an honorific
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, normalize_speaker_name(match.group("name")), "", match.group("speech"), role="member"
        )
    match = roles.MARK_INITIAL_RE.match(line)
    if match:  # `○田中(一)委員`: a name, a disambiguating initial, the post
        label = _label_of(line, match.group("speech"))
        speaker = normalize_speaker_name(match.group("name") + match.group("initial"))
        return _turn(label, speaker, match.group("post"), match.group("speech"))
    match = roles.SPACED_POST_NAME_RE.match(line)
    if match:  # `○ 議長 笹木 英二 …`: PDF table cells
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, normalize_speaker_name(match.group("name")), match.group("post"), match.group("speech")
        )
    match = roles.MARK_PAREN_RE.match(line)
    if (
        match
        and not roles.STAGE_PAREN_RE.search(match.group("paren"))
        and roles.role_of(match.group("pre") + "(" + match.group("paren") + ")") != "unknown"
    ):
        pre, paren = match.group("pre"), match.group("paren").strip()
        if not pre or roles.SEAT_NUMBER_RE.fullmatch(paren):
            person = pre or paren  # `○(松本委員長)`, `◎東垣典雄(6番)`
        elif MEMBER_TITLE_NAME_RE.fullmatch(paren) and roles.classify_role(pre) != "unknown":
            # `◯議長(伊藤正数議員)`: the name with a member's title as honorific; the post is `pre`
            paren = MEMBER_TITLE_NAME_RE.fullmatch(paren).group("name")
            person = paren
        elif ORGANIZATION_END_RE.search(paren) or (
            roles.classify_role(paren) != "unknown" and not roles.SEAT_NUMBER_RE.fullmatch(pre)
        ):
            person = pre  # `〇事務局(デジタルサービス局戦略部戦略課)`, `小暮委員(委員長)`
        else:
            person = paren  # `○議長(山田太郎君)`, `◆8番(高橋七重君)`, `◎委員(小林しょう)`
        label = _label_of(line, match.group("speech"))
        return _turn(label, _speaker_from_label(person), pre + "(" + paren + ")", match.group("speech"))
    match = roles.BRACKET_NAME_RE.match(line)
    if match and match.group("mark") and roles.role_of(match.group("pre")) != "unknown":
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, normalize_speaker_name(match.group("name")), match.group("pre"), match.group("speech")
        )
    match = roles.LOST_PAREN_RE.match(line)
    if match and match.group("mark") and roles.role_of(match.group("label")) != "unknown":
        label = _label_of(line, match.group("speech"))
        return _turn(label, _post_and_name(match.group("label")), match.group("label"), match.group("speech"))
    match = roles.NAME_SPACE_POST_RE.match(line)
    if match:
        name, post = match.group("name"), match.group("post")
        bare = PERSON_ROLE_SUFFIX_RE.sub("", post)
        if roles.ROLE_WORD_RE.fullmatch(post) or roles.classify_role(post) == "official":
            speaker = normalize_speaker_name(name)
        else:
            speaker = normalize_speaker_name(name + bare)
        label = _label_of(line, match.group("speech"))
        return _turn(label, speaker, post, match.group("speech"))
    match = roles.MARK_ROLE_RE.match(line)
    if match:
        return _turn(
            _label_of(line, match.group("speech")),
            _speaker_from_label(match.group("pre")),
            match.group("pre"),
            match.group("speech"),
        )
    match = roles.NAME_KUN_RE.match(line)
    if match and match.group("mark"):
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, normalize_speaker_name(match.group("name")), label, match.group("speech"), role="member"
        )
    return _mark_colon_label(line)


def _mark_colon_label(line: str) -> dict | None:
    """`○溝口知事:県政を…`, `○毎日新聞:済みません、…`: a mark, a label and a colon, the speech
    glued on (press conferences). The label must hold a role word (the role it gives) or name a
    press outlet (`roles.PRESS_LABEL_RE`, role `unknown`), and the speech must read as speech, so a
    marked field (`○日時:令和5年…`, `○場所:第1会議室`) is not a turn."""
    match = roles.MARK_COLON_RE.match(line)
    if not match:
        return None
    label, speech = match.group("label").strip(), match.group("speech")
    # marked: a short speech cut by the excerpt (`実際、このインタ`: a comma and kana) still reads
    # as speech, a list (`企画課、総務課`) does not; a
    # second `label:` without a sentence is a roster (`○委員長:山田太郎、副委員長:鈴木花子`)
    if (
        roles.NOTHING_RE.match(speech)
        or (":" in speech and not roles.SENTENCE_RE.search(speech))
        or roles.PAREN_SPEECH_RE.match(speech)
        or roles.looks_like_roster(speech, marked=True)
        or not (
            roles.SENTENCE_RE.search(speech)
            or roles.CLAUSE_RE.search(speech)
            or (_COMMA_RE.search(speech) and re.search("[\u3041-\u3096]{2}", speech))
        )
    ):
        return None
    if roles.ROSTER_LABEL_RE.search(label):
        return None
    full = line[: match.start("speech")].rstrip()
    if roles.classify_role(label) != "unknown":
        return _turn(full, _name_before_post(label), label, speech)
    if roles.PRESS_LABEL_RE.search(label):
        return _turn(full, normalize_speaker_name(label), "", speech, role="unknown")
    return None


def _parse_unmarked(line: str) -> dict | None:
    """Speaker lines without a mark: `label: speech`, `議長(…君)`, `委員長北田織君)`, `本部長 …`."""
    match = roles.BRACKET_SPEECH_RE.match(line)
    if match and roles.classify_role(match.group("label")) != "unknown":
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, _speaker_from_label(match.group("label")), match.group("label"), match.group("speech")
        )
    match = roles.BRACKET_NAME_RE.match(line)
    if (
        match
        and roles.classify_role(match.group("pre")) != "unknown"
        and re.search("君|氏", match.group("name"))
    ):
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, normalize_speaker_name(match.group("name")), match.group("pre"), match.group("speech")
        )
    match = roles.UNMARKED_PAREN_RE.match(line)
    if match and roles.classify_role(match.group("pre")) != "unknown":
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, normalize_speaker_name(match.group("paren")), match.group("pre"), match.group("speech")
        )
    match = roles.LOST_PAREN_RE.match(line)
    if (
        match
        and roles.classify_role(match.group("label")) != "unknown"
        and not roles.STAGE_NOTE_RE.match(line)
    ):
        label = _label_of(line, match.group("speech"))
        return {
            **_turn(label, _post_and_name(match.group("label")), match.group("label"), match.group("speech")),
            "strong": True,
        }
    match = roles.QA_LETTER_RE.match(line)
    if match:
        return _turn(
            _label_of(line, match.group("speech")),
            _speaker_from_label(match.group("pre")),
            match.group("pre"),
            match.group("speech"),
        )
    match = roles.BANGAI_LINE_RE.match(line)
    if match and reads_as_speech(match.group("speech")):
        # `番外 三宅町長 日程第3、…`: a speaker without a seat (the executive), named by post
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, _name_before_post(match.group("label")), match.group("label"), match.group("speech")
        )
    match = roles.POST_PAREN_NAME_RE.match(line)
    if (
        match
        and roles.classify_role(match.group("post")) != "unknown"
        and not roles.ROSTER_LABEL_RE.search(match.group("post"))
        and roles.SENTENCE_RE.search(match.group("speech"))
        and reads_as_speech(match.group("speech"))
    ):
        # `事務局(中) ただいまから…`: a post and a short name in parentheses (summary records)
        label = line[: match.start("speech")].rstrip()
        name = match.group("name")
        speaker = match.group("post") if ORGANIZATION_END_RE.search(name) else normalize_speaker_name(name)
        return _turn(label, speaker, match.group("post"), match.group("speech"))
    match = roles.SLASH_LABEL_RE.match(line)
    if (
        match
        and reads_as_speech(match.group("speech"))
        and not roles.ROSTER_LABEL_RE.search(line[: match.start("speech")])
    ):
        # `議長/皆さん…`, `吉川議会運営委員長/皆さん…`: quick transcripts end the label with a slash
        label = line[: match.start("speech")].rstrip()
        return _turn(
            label, _name_before_post(match.group("label")), match.group("label"), match.group("speech")
        )
    match = _COLON_KUN_RE.match(line)
    if match:
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, _speaker_from_label(match.group("label")), match.group("label"), match.group("speech")
        )
    for pattern in (roles.COLON_RE, roles.ROLE_PARAGRAPH_RE, roles.SPACED_ROLE_LINE_RE):
        match = pattern.match(line)
        if match:
            speech = match.group("speech")
            if pattern is not roles.COLON_RE and not reads_as_speech(speech):
                continue  # `委員 (田沢湖町)`, `委員 東裕 若柳善朗 …`: a roster line, not a label
            label = line[: match.start("speech")].rstrip()
            bare = roles.despace(match.group("label")).replace(" ", "")
            return _turn(label, _speaker_from_label(bare), bare, speech)
    match = roles.NAME_KUN_RE.match(line)
    if match and match.group("speech"):
        label = _label_of(line, match.group("speech"))
        return _turn(
            label, normalize_speaker_name(match.group("name")), label, match.group("speech"), role="member"
        )
    return None


#: `徳田君: speech`, `委員長(星君): speech`: a name with an honorific before a colon.
_COLON_KUN_RE = re.compile(
    rf"^(?P<label>(?:{roles._NAME_CHARS}{{0,12}}?\()?[{roles._PERSON}]{{1,8}}(?:君|氏)\)?)\s*:\s*(?P<speech>\S.*)$"
)


def _is_field_label(line: str) -> bool:
    """True for a short header line that names a field (`出席委員`, `3 出席委員氏名`, `議題`)."""
    bare = re.sub(r"^[\d.\s・-]+", "", line)
    return (
        len(bare) <= FIELD_LABEL_MAX_CHARS
        and any(p.search(bare) for p, _ in FIELD_KINDS)
        and not re.search(r"[、。]", bare)
    )


def _field_kind(label: str, default: str) -> str:
    for pattern, kind in FIELD_KINDS:
        if pattern.search(label[:FIELD_LABEL_MAX_CHARS]):
            return kind
    return default


#: A summary item that reads as speech: a sentence end or polite predicate, a clause particle,
#: or a comma between clauses (so a list of names and posts is not speech).
_COMMA_RE = re.compile(r"[、,]")


def reads_as_speech(text: str) -> bool:
    """True when `text` reads as speech rather than a roster, a field value or a stage note:
    not only a parenthesis (`(田沢湖町)`), not a roster, and a sentence, a clause or a comma."""
    text = text.strip()
    if not text or roles.PAREN_SPEECH_RE.match(text) or "|" in text:
        return False
    if roles.looks_like_roster(text, marked=False) or _opens_with_post_list(text):
        return False
    return bool(roles.SENTENCE_RE.search(text) or roles.CLAUSE_RE.search(text) or _COMMA_RE.search(text))


#: A list of people by post opening a text is a roster: this many items at least.
POST_LIST_MIN_ITEMS = 3


def _opens_with_post_list(text: str) -> bool:
    """True when `text` opens with at least `POST_LIST_MIN_ITEMS` short `、`-separated items that
    each end with a post (`梶市長、横田総務部長、中公共施設管理課長、…`): a roster, even when an
    agenda with clauses (`(1)会議の公開等について`) follows it on a flattened line."""
    items = re.split(r"[、,\s]+", text.strip(), maxsplit=POST_LIST_MIN_ITEMS)[:POST_LIST_MIN_ITEMS]
    return len(items) == POST_LIST_MIN_ITEMS and all(
        re.match(rf"^[^()]{{0,12}}?(?:{roles.ROLE_WORD_RE.pattern})(?:\(|$)", item) for item in items
    )


def _paren_label_speech(line: str) -> dict | None:
    """`(委員)男女共同参画推進会議…`, `(事務局)そうです。`, `(委 員)…`: an anonymous label in
    parentheses opening a line, the speech on the same line (summary records of councils).

    The label must be a role word (with at most a short name or letter: `(佐藤委員)`, `(A委員)`)
    and the rest must read as speech, so `(西神楽支所長)長岐和典,…` (a roster) is not a turn.
    """
    match = roles.PAREN_LABEL_SPEECH_RE.match(line)
    if not match:
        return None
    label = match.group("label").replace(" ", "")
    speech = match.group("speech")
    if not roles.PAREN_LABEL_RE.match(label) or roles.ROSTER_LABEL_RE.search(label):
        return None
    if re.match(roles._PARTICLE, speech) or not reads_as_speech(speech):
        return None
    return _turn(_label_of(line, speech), _speaker_from_label(label), label, speech)


#: A role word alone on its line (`会長`, `委員`, `事務局`, `A委員`), with at most a short name.
BARE_ROLE_LINE_RE = re.compile(
    rf"^(?:[{roles._PERSON}]{{1,4}}|[A-Z])?(?:{roles.ROLE_WORD_RE.pattern})(?:[A-Z]|\d{{1,2}})?:?$"
)
#: A heading announcing the chair's greeting: `2 会長あいさつ`, `〇会長あいさつ`, `(1)委員長挨拶`.
GREETING_HEADING_RE = re.compile(
    r"^(?:[○◯〇◎●■□◆◇・]|\d{1,2}[.．、)]?|\(\d{1,2}\)|[①-⑳])?\s*"
    r"(?P<post>会長|委員長|議長|座長|部会長|本部長)\s*(?:あいさつ|挨拶|あいさつ等)$"
)


def _bare_role_label(line: str, following: str) -> dict | None:
    """`会長` / `委員` / `事務局` / `知事:` alone on a line, the speech on the next line.

    Only when the next paragraph reads as speech (a sentence, not a name list, a heading or
    another label): so a roster (`委員` over `山田太郎 鈴木花子`) or a table header stays
    non-speech, and a role word inside a sentence never matches (it is not alone on its line).
    """
    if not BARE_ROLE_LINE_RE.match(line) or roles.ROSTER_LABEL_RE.search(line):
        return None
    if (
        not following
        or BARE_ROLE_LINE_RE.match(following)
        or _parse_speaker(following, {}) is not None
        or roles.HEADING_RE.match(following)
        or roles.is_agenda_heading(following)
        or not reads_as_speech(following)
        or not roles.SENTENCE_RE.search(following)
    ):
        return None
    return _turn(line, _speaker_from_label(line.rstrip(":")), line.rstrip(":"), None)


def _greeting_heading(line: str, following: str) -> dict | None:
    """`2 会長あいさつ` / `〇会長あいさつ` followed by the greeting itself: the chair's turn.

    An agenda heading names the greeting; when the next paragraph is prose (a sentence that is
    not a numbered item, a heading or a speaker line), that prose is the chair's speech, as in
    summary records (`2 会長あいさつ` / `第1回の…よろしくお願いしたい。`). When the next line is
    another agenda item (`4.会議録署名委員の指名について`), it stays a heading.
    """
    match = GREETING_HEADING_RE.match(line)
    if not match or not following:
        return None
    if (
        re.match(r"^(?:\d{1,2}[.．、)\s]|\(\d{1,2}\)|[①-⑳]|[○◯〇◎●■□◆◇])", following)
        or _parse_speaker(following, {}) is not None
        or roles.is_agenda_heading(following)
        or not roles.SENTENCE_RE.search(following)
    ):
        return None
    post = match.group("post")
    return _turn(line, post, post, None)


#: A line of a speaker index: a list number, a speaker mark and a label, nothing else
#: (`1: ◯山田議長`, `12. ○市長(鈴木一郎君)`).
INDEX_LINE_RE = re.compile(rf"^\d{{1,3}}\s*[:.．、)]\s*[{roles.MARKS}◯〇]\s*\S{{1,30}}$")
#: A table-of-contents entry: a mark, a title and dot leaders or a page number (`○開会の宣告 …… 3`).
TOC_LINE_RE = re.compile(rf"^[{roles.MARKS}◯〇].{{1,60}}?(?:[…‥・.]{{3,}}\s*\d{{1,4}}|\s\d{{1,4}})$")
#: Index lines come in runs of at least this many.
MIN_INDEX_RUN = 3
#: The speech of an entry of a search page's speaker menu (`発言者一覧 選択 1 : ◯松岡議長 選択 2 :
#: ◯菅市長 … ↑発言者の先頭へ`, split by cleaning into `○松岡議長 選択2 :`): the checkbox label of
#: the next entry (`選択2 :`, or `選択` cut at the end of an excerpt) or the link that closes the
#: menu. Real speech never opens with them, so such a line is a menu entry wherever it stands.
#: Speech made only of the page's navigation before the record (`本文 1:`, `↓最初のヒットへ`) is
#: one too.
MENU_ENTRY_SPEECH_RE = re.compile(
    r"^(?:選択(?:\s*\d{1,4}\s*:|$)|↑?\s*発言者の先頭へ"
    r"|(?:(?:本文|[↑↓]|最初のヒットへ|\(全\s*\d+\s*ヒット\))\s*)+(?:\d{1,4}\s*:)?$)"
)
#: Speech that is only the list number of the next entry (`○山田議長 2:`): a label-only line.
LIST_NUMBER_SPEECH_RE = re.compile(r"^\d{1,4}\s*[:.．、)]?$")


def _index_lines(paragraphs: list[str]) -> set[int]:
    """Positions of a speaker index or table of contents: runs of at least `MIN_INDEX_RUN`
    numbered label-only lines (`1: ◯山田議長`, `2: ◯市長`) or dot-leader entries
    (`○開会の宣告 …… 3`). An index lists who spoke or what was held; it is never a turn.

    A speaker label whose only "speech" is the checkbox of the next entry of a search page's
    speaker menu (`○渡邉委員長 選択3 :`, `MENU_ENTRY_SPEECH_RE`) is a menu entry on its own;
    one followed only by a list number (`○山田議長 2:`) counts as a label-only line.
    """
    found: set[int] = set()
    run: list[int] = []
    for index, line in enumerate([*paragraphs, ""]):
        if INDEX_LINE_RE.match(line) or TOC_LINE_RE.match(line):
            run.append(index)
            continue
        if len(run) >= MIN_INDEX_RUN:
            found.update(run)
        run = []
    # `1:` / `◯山田議長` / `2:` / `◯鈴木市長` …: cleaning puts each mark of an index on its own
    # line; a run of at least MIN_INDEX_RUN speaker labels with no speech between them (list
    # numbers aside) lists speakers, it does not open turns
    labels: list[int] = []
    for index, line in enumerate([*paragraphs, ""]):
        found_label = _parse_speaker(line, {}) if line else None
        speech = "" if found_label is None or found_label.get("nothing") else found_label["speech"]
        if found_label is not None and MENU_ENTRY_SPEECH_RE.match(speech):
            found.add(index)
            speech = ""
        if _LIST_NUMBER_RE.fullmatch(line) or (
            found_label is not None
            and not found_label.get("nothing")
            and (not speech or LIST_NUMBER_SPEECH_RE.match(speech))
        ):
            run.append(index)
            labels += [index] if found_label is not None else []
            continue
        if len(labels) >= MIN_INDEX_RUN:
            found.update(run)
        run, labels = [], []
    return found


_LIST_NUMBER_RE = re.compile(r"\d{1,3}\s*[:.．、)]")


def _split_paren_labels(line: str) -> list[str]:
    """Split a flattened summary line before each inline `(委員)` / `(事務局)` label that opens
    a speech (`…お伺いしたい。(委員)問題量が…`); other lines are returned whole."""
    cuts = [m.end() for m in roles.INLINE_PAREN_LABEL_RE.finditer(line)]
    cuts = [cut for cut in cuts if line[:cut].strip() and _paren_label_speech(line[cut:]) is not None]
    if not cuts:
        return [line]
    pieces, previous = [], 0
    for cut in sorted(set(cuts)):
        pieces.append(line[previous:cut].strip())
        previous = cut
    pieces.append(line[previous:].strip())
    return [piece for piece in pieces if piece]


#: A known label glued inside a line must name someone: this many characters after its mark at least.
KNOWN_LABEL_MIN_CHARS = 4


def _split_known_labels(paragraphs: list[str]) -> list[str]:
    """Split a paragraph before a marked label that opens another paragraph of the same record
    (`…(質疑○本多達郎議長日程第1、…` once `○本多達郎議長 ただいまから…` opened a turn): a web page
    that lost a bracket glued the label to the heading before it, and cleaning, which splits only
    after a space, left it inside the line.

    Only labels that name someone (`KNOWN_LABEL_MIN_CHARS` after the mark, a role word or an
    honorific) and only when what follows reads as speech and opens with no particle, so a label
    quoted in a sentence (`○山田委員長の報告`) or listed in an index stays where it is."""
    known = set()
    for line in paragraphs:
        found = _parse_marked(line)
        label = found["speaker_label"].strip() if found else ""
        if (
            label[:1] in roles.MARKS
            and len(label) > KNOWN_LABEL_MIN_CHARS
            and "\n" not in label
            and not re.search(r"\s", label)
            and not _is_roster_label(label)
        ):
            known.add(label)
    if not known:
        return paragraphs
    pattern = re.compile("|".join(map(re.escape, sorted(known, key=len, reverse=True))))
    out: list[str] = []
    for line in paragraphs:
        previous, pieces = 0, []
        lead = len(line) - len(line.lstrip())  # a label after leading spaces opens the line
        for match in pattern.finditer(line):
            if match.start() <= lead:
                continue
            rest = line[match.end() : match.end() + 400].lstrip()  # bounded: linear on long lines
            if re.match(roles._PARTICLE, rest) or not reads_as_speech(rest[:200]):
                continue
            pieces.append(line[previous : match.start()].rstrip())
            previous = match.start()
        if not pieces:
            out.append(line)
            continue
        pieces.append(line[previous:])
        for piece in pieces:
            label = pattern.match(piece)
            out.append(piece if not label else label.group(0) + " " + piece[label.end() :].lstrip())
    return out


def _heading_marks(paragraphs: list[str], legend: dict[str, str], convention: Convention | None) -> set[str]:
    """Marks that open at least two lines that are not speaker lines (`△委員会の傍聴について`):
    in such a record the mark opens headings."""
    counts: dict[str, int] = {}
    for line in paragraphs:  # at a line start, or after a space inside a flattened line
        for match in re.finditer(rf"(?:^|(?<=[\s。─―-]))[{roles.MARKS}]\S{{1,30}}", line):
            if _parse_speaker(match.group(0), legend, convention) is None:
                counts[match.group(0)[0]] = counts.get(match.group(0)[0], 0) + 1
    return {mark for mark, count in counts.items() if count >= 2}
