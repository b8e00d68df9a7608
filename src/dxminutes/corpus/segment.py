"""Segment cleaned minutes into speaker turns and non-speech parts.

`segment` reads the text paragraph by paragraph (one non-empty line each) and sorts every
paragraph into exactly one place, so nothing is dropped silently:

* a speaker line opens a turn (conventions in `roles.py`: `(小國会長)`, `【事務局】`,
  `◎委員(小林しょう)`, `○議長(山田太郎君)`, `○山田委員`, `村井座長: …`, `本部長 …`, and `○`/`●`
  bullets with a legend such as `○印=委員 ●印=事務局`); speech on the same line is its first line;
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
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd

from dxminutes.corpus import roles
from dxminutes.corpus.cleaning import BOILERPLATE_LINE_RE
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
NAME_RE = re.compile(r"^[\u4e00-\u9fff々〆ヶ\u3041-\u3096]{1,6}$")

#: Field labels of header blocks and metadata tables, and the kind of part they open.
FIELD_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"出席|欠席|傍聴|委員氏名|講師|事務局|説明員|構成員|出席者"), "roster"),
    (re.compile(r"議題|次第|議事|報告事項|協議事項|審議事項|講義の内容|案件"), "agenda"),
    (re.compile(r"日時|場所|会議名|名称|担当|資料|公開|開示|結論|審議経過|結果|目的|概要|庶務"), "metadata"),
)
FIELD_LABEL_MAX_CHARS = 16
#: The closing word of a record, when it is the last paragraph.
CLOSING_RE = re.compile(r"^(?:以上|以下余白|閉会|散会)$")


@dataclass(frozen=True)
class Segmentation:
    """Turns (`TURN_COLUMNS`), non-speech parts (`NON_SPEECH_COLUMNS`) and warnings."""

    turns: pd.DataFrame
    non_speech: pd.DataFrame
    warnings: tuple[str, ...]


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


def segment(text: str) -> Segmentation:
    """Split cleaned minutes into speaker turns and non-speech parts (see the module docstring)."""
    legend = find_legend(text)
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    turns: list[dict] = []
    parts: list[dict] = []
    current: dict | None = None
    header_kind = "header"
    n_lost = 0

    def add_part(kind: str, line: str, merge: bool = True) -> None:
        if (
            merge
            and parts
            and parts[-1]["kind"] == kind
            and parts[-1]["_after_turn"] == len(turns)
            and kind != "stage_note"
        ):
            parts[-1]["text"] += "\n" + line
        else:
            parts.append({"kind": kind, "text": line, "_after_turn": len(turns)})

    for index, line in enumerate(paragraphs):
        speaker = _parse_speaker(line, legend)
        if speaker is not None and speaker.get("nothing"):
            add_part("stage_note", line)
            continue
        if speaker is not None:
            n_lost += speaker["speaker_label"] == "-"
            current = {
                "position": len(turns),
                **{k: speaker[k] for k in TURN_COLUMNS[1:4]},
                "lines": [speaker["speech"]] if speaker["speech"] else [],
            }
            turns.append(current)
            continue
        if roles.TABLE_ROW_RE.search(line):
            add_part(_field_kind(line.split("\t", 1)[0], "metadata"), line)
            current = None
        elif BOILERPLATE_LINE_RE.match(line):
            add_part("boilerplate", line)
        elif roles.STAGE_NOTE_RE.match(line):
            add_part("stage_note", line)
        elif not turns:
            header_kind = _field_kind(line, header_kind) if _is_field_label(line) else header_kind
            add_part(header_kind, line)
        elif roles.is_agenda_heading(line) or (roles.HEADING_RE.match(line) and not line.startswith("-")):
            add_part("agenda", line)
        elif roles.HEADING_RE.match(line) or (index == len(paragraphs) - 1 and CLOSING_RE.match(line)):
            add_part("other", line)
        elif current is not None:
            current["lines"].append(line)
        else:
            add_part("other", line)

    warnings = []
    if not turns:
        warnings.append(NO_SPEAKERS_WARNING)
    if n_lost:
        warnings.append(f"{n_lost} turns lost their speaker mark in extraction (role unknown)")
    turn_rows = [{**{k: t[k] for k in TURN_COLUMNS[:4]}, "text": "\n".join(t["lines"])} for t in turns]
    part_rows = [{"position": i, "kind": p["kind"], "text": p["text"]} for i, p in enumerate(parts)]
    return Segmentation(
        turns=pd.DataFrame(turn_rows, columns=TURN_COLUMNS).astype({"position": "int64"}),
        non_speech=pd.DataFrame(part_rows, columns=NON_SPEECH_COLUMNS).astype({"position": "int64"}),
        warnings=tuple(warnings),
    )


def _speaker_from_label(label: str) -> str:
    """The person's name in a label when it has one (`小國会長` → `小國`), else the label."""
    name = normalize_speaker_name(label)
    bare = PERSON_ROLE_SUFFIX_RE.sub("", name)
    return bare if bare != name and NAME_RE.match(bare) else name


def _turn(label: str, speaker: str, role_label: str, speech: str | None) -> dict:
    return {
        "speaker_label": label,
        "speaker": speaker,
        "role": roles.classify_role(role_label),
        "speech": (speech or "").strip(),
    }


def _parse_speaker(line: str, legend: dict[str, str]) -> dict | None:
    """Return the turn that `line` opens, `{"nothing": True}` for a marked 'nothing', or None."""
    match = roles.PAREN_LINE_RE.match(line)
    if match and roles.classify_role(match.group("paren")) != "unknown":
        paren, post = match.group("paren"), match.group("post")
        return _turn(line, _speaker_from_label(post or paren), line, None)
    match = roles.BRACKET_LINE_RE.match(line)
    if match and roles.classify_role(match.group("label")) != "unknown":
        return _turn(line, _speaker_from_label(match.group("label")), match.group("label"), None)
    if roles.STAGE_NOTE_RE.match(line):
        return None
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
    match = roles.MARK_PAREN_RE.match(line)
    if match and roles.classify_role(match.group("pre") + match.group("paren")) != "unknown":
        pre, paren = match.group("pre"), match.group("paren")
        speaker = _speaker_from_label(pre if roles.classify_role(paren) != "unknown" else paren)
        label = line[: len(line) - len(match.group("speech"))].rstrip()
        return _turn(label, speaker, pre + "(" + paren + ")", match.group("speech"))
    for pattern, key in (
        (roles.MARK_ROLE_RE, "pre"),
        (roles.COLON_RE, "label"),
        (roles.ROLE_PARAGRAPH_RE, "label"),
    ):
        match = pattern.match(line)
        if match:
            speech = match.groupdict().get("speech")
            label = line[: match.start("speech")].rstrip() if speech else line
            return _turn(label, _speaker_from_label(match.group(key)), match.group(key), speech)
    return None


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
