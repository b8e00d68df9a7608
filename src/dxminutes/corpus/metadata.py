"""Document metadata: municipality, prefecture, body, meeting title, meeting date, record kind.

Values come from the catalog when it has a non-empty value, else from the cleaned text, else from
the file name; `Metadata.sources` records which (`catalog`, `text`, `filename`, `none`).

Municipality from text: every ○○市/区/町/村 in the text is a candidate (after masking ordinals such
as `第5回` and prefecture names, which would otherwise be glued to the name). A candidate scores one
point per mention, more when it is in the meeting title, in the first lines, or directly followed
by a body word (`流山市行財政改革審議会`, `墨田区議会`), so the municipality the minutes are about
beats places merely mentioned in the discussion. A ward of a designated city (政令市) is kept with
its city, as written: `横浜市港北区`. A prefecture is the municipality only when no 市区町村 is found
(minutes of a prefectural body). The prefecture comes from: the municipality itself (a prefecture,
one of Tokyo's 23 wards → 東京都, a designated city, or a city named like its prefecture such as
長崎市 → 長崎県), else a prefecture written right before the municipality (`千葉県流山市`), else the
prefecture named most often in the text.

Meeting date: among all dates, one labelled 日時/開催日時/開催日/開催年月日 (on its line or the line
before) or followed by a weekday and a time wins over publication, update and report dates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dxminutes.corpus.dates import DateMatch, date_problems, find_dates
from dxminutes.corpus.places import (
    DESIGNATED_CITIES,
    KANA_MUNICIPALITIES,
    NOT_PLACES,
    PREFECTURES,
    TOKYO_WARDS,
)
from dxminutes.schema import METADATA_FIELDS

FIELDS = METADATA_FIELDS

_GENERIC_ENDINGS = ("市町村", "町村", "指定都市", "地区", "選挙区", "特別区")
#: Words after a 町/村 that show it ends a place name (`○○町議会`, `○○村役場`).
_TOWN_FOLLOWERS = ("議会", "長", "民", "役場", "役所", "政", "立", "職員", "議員", "内")
#: Words naming a body or a kind of meeting.
BODY_WORDS = (
    "審議会",
    "委員会",
    "協議会",
    "懇談会",
    "懇話会",
    "検討会",
    "研究会",
    "推進本部",
    "本部",
    "議会",
    "会議",
    "部会",
    "分科会",
    "研修会",
    "説明会",
    "勉強会",
)
_MEETING_KINDS = ("研修会", "説明会", "勉強会")
TITLE_LABELS = ("会議体の名称", "会議の名称", "会議名", "件名", "名称")
DATE_LABELS = ("開催年月日", "開催日時", "開催期日", "開催日", "日時")
DEMOTING_LABELS = ("更新日", "作成日", "掲載日", "公開日", "登録日", "最終更新", "報告日")
_WEEKDAY = "月火水木金土日"
HEADER_LINES = 15

_NAME_CHAR = "\u4e00-\u9fff々ヶケ"
_RUN = re.compile(f"[{_NAME_CHAR}]+")
_KANA_RUN = re.compile("[\u3041-\u30ff\u4e00-\u9fff]+市")
_ORDINAL_UNIT = re.compile(
    r"(?:(?<=[0-9０-９])[ \u3000]?(?:年度|回|次|期|号|年|月|日|条|項|章|節|階|名|人|件|分|時)"
    r"|第[一二三四五六七八九十〇]+(?:回|次|期|号|条|項|章|節)|元年度?)"
)
_PREFECTURE_RE = re.compile("|".join(sorted(PREFECTURES, key=len, reverse=True)))
_BODY_RE = re.compile("|".join(BODY_WORDS))
_RECORD_TAIL = re.compile(r"^[\s　]*(?:会議録|議事録|議録|記録|報告書|要旨|概要|[(（][^)）]*[)）]|[ 　])*$")
_LEADING_ORDINALS = re.compile(
    r"^(?:(?:令和|平成|R)[ \u3000]*(?:元|[0-9]+)[ \u3000]*年度)?[ \u3000]*(?:第[ \u3000]*[0-9一二三四五六七八九十]+[ \u3000]*回)?[ \u3000]*"
)
_SPACE_BETWEEN_WIDE = re.compile(
    r"(?<=[^\x00-\x7f])[ \u3000]+(?=[^\x00-\x7f])|(?<=[0-9])[ \u3000]+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])[ \u3000]+(?=[0-9])"
)


@dataclass(frozen=True)
class Metadata:
    municipality: str | None = None
    prefecture: str | None = None
    body: str | None = None
    meeting_title: str | None = None
    meeting_date: str | None = None  # ISO YYYY-MM-DD
    record_kind: str | None = None
    sources: Mapping[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, "none"))
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        """Field values plus `{field}_source` columns, as in the documents table."""
        values = {name: getattr(self, name) for name in FIELDS}
        values.update({f"{name}_source": self.sources[name] for name in FIELDS})
        return values


def document_metadata(text: str, filename: str | None = None, catalog_row: Mapping | None = None) -> Metadata:
    """Metadata of one document: catalog values first, then the cleaned text, then the file name."""
    meta = extract_metadata(text, filename)
    return apply_catalog(meta, catalog_row) if catalog_row else meta


def apply_catalog(meta: Metadata, catalog_row: Mapping) -> Metadata:
    """A copy of `meta` where every non-empty catalog value replaces the extracted one."""
    values, sources = {}, dict(meta.sources)
    for name in FIELDS:
        value = catalog_row.get(name)
        if isinstance(value, str) and value.strip():
            values[name] = value.strip()
            sources[name] = "catalog"
    return replace(meta, **values, sources=sources)


def extract_metadata(text: str, filename: str | None = None) -> Metadata:
    """Metadata from the text alone, with the file name as a last resort for municipality and date."""
    lines = [line for line in text.splitlines() if line.strip()]
    title = find_meeting_title(lines)
    municipality = find_municipality(text, title)
    date = find_meeting_date(text)
    values = {
        "municipality": municipality,
        "meeting_title": title,
        "meeting_date": date.date.isoformat() if date else None,
        "record_kind": find_record_kind(lines),
    }
    values["body"] = find_body(text, title, municipality)
    values["prefecture"] = find_prefecture(text, municipality)
    sources = {name: "text" if values[name] else "none" for name in FIELDS}
    if filename:
        stem = Path(filename).stem
        if not values["municipality"]:
            values["municipality"] = find_municipality(stem, None)
            values["prefecture"] = values["prefecture"] or find_prefecture(stem, values["municipality"])
        if not values["meeting_date"]:
            dates = find_dates(stem)
            values["meeting_date"] = dates[0].date.isoformat() if dates else None
        for name in ("municipality", "prefecture", "meeting_date"):
            if sources[name] == "none" and values[name]:
                sources[name] = "filename"
    warnings = tuple(f"date not understood: {problem}" for problem in date_problems(text))
    return Metadata(**values, sources=sources, warnings=warnings)


def find_meeting_title(lines: list[str]) -> str | None:
    """A labelled meeting name (`会議名`), else the first heading line of the header naming a body."""
    value = labelled_value(lines, TITLE_LABELS)
    if value:
        return value
    for line in lines[:HEADER_LINES]:
        line = _squeeze_spaced(line.strip())
        matches = list(_BODY_RE.finditer(line))
        if matches and len(line) <= 60 and "\t" not in line:
            end = matches[-1].end()
            if _RECORD_TAIL.match(line[end:]):
                return line[:end].strip()
    return None


def find_body(text: str, title: str | None, municipality: str | None) -> str | None:
    """The body holding the meeting: the title without its ordinal prefix and meeting kind, with the municipality."""
    if not title:
        return None
    body = _LEADING_ORDINALS.sub("", title).strip()
    for kind in _MEETING_KINDS:
        if body.endswith(kind) and body[: -len(kind)].strip():
            body = body[: -len(kind)].strip()
    if municipality and not body.startswith(municipality) and municipality + body in _squeeze(text):
        body = municipality + body
    return body or None


def find_record_kind(lines: list[str]) -> str | None:
    """`report` for a 報告書, `summary` for a 要旨/要点記録 in the header; None when the text does not say."""
    header = _squeeze("\n".join(lines[:HEADER_LINES]))
    if "報告書" in header:
        return "report"
    if re.search("要旨|要点記録|会議概要", header):
        return "summary"
    return None


def labelled_value(lines: list[str], labels: tuple[str, ...]) -> str | None:
    """The value of the first `label<TAB or colon>value` (or label alone, value on the next line) in the header."""
    pattern = re.compile(
        r"(?P<label>"
        + "|".join("[ \u3000]*".join(label) for label in labels)
        + r")[ \u3000]*(?P<sep>[\t:：]|$)(?P<value>.*)$"
    )
    header = lines[: HEADER_LINES * 2]
    for i, line in enumerate(header):
        match = pattern.search(line.strip())
        if not match:
            continue
        value = match["value"].strip(" \t\u3000:：")
        if not value and i + 1 < len(header):
            value = header[i + 1].strip()
        value = _squeeze_spaced(next((cell for cell in value.split("\t") if cell.strip()), "")).strip()
        if value:
            return value
    return None


def find_municipality(text: str, title: str | None = None) -> str | None:
    """The municipality a text is about (see the module docstring), or None."""
    scores: dict[str, float] = {}
    first: dict[str, int] = {}
    squeezed = _squeeze(text)
    header_end = _header_end(squeezed)
    for name, start, end in _candidates(squeezed):
        weight = 1.0
        if start < header_end:
            weight += 2
        if _BODY_RE.match(squeezed, end) or squeezed.startswith(("役所", "長", "民"), end):
            weight += 2
        scores[name] = scores.get(name, 0) + weight
        first.setdefault(name, start)
    if title:
        for name, _, _ in _candidates(_squeeze(title)):
            scores[name] = scores.get(name, 0) + 5
            first.setdefault(name, -1)
    if not scores:
        return _prefecture_as_municipality(squeezed, title)
    best = min(scores, key=lambda name: (-scores[name], first[name], name))
    if best in DESIGNATED_CITIES:
        wards = [
            name for name in scores if name.startswith(best) and name != best and first[name] < header_end
        ]
        if wards:
            best = min(wards, key=lambda name: (-scores[name], first[name], name))
    return best


def find_prefecture(text: str, municipality: str | None) -> str | None:
    """The prefecture of `municipality` (from tables or the text), or the prefecture most named in the text."""
    if municipality:
        if municipality in PREFECTURES:
            return municipality
        if municipality in TOKYO_WARDS:
            return "東京都"
        for city, prefecture in DESIGNATED_CITIES.items():
            if municipality.startswith(city):
                return prefecture
        stem = municipality[:-1]
        for prefecture in PREFECTURES:
            if municipality.endswith("市") and prefecture[:-1] == stem:
                return prefecture
        written = re.search(f"({_PREFECTURE_RE.pattern})[ \u3000]*{re.escape(municipality)}", _squeeze(text))
        if written:
            return written.group(1)
    counts = Counter(match.group() for match in _PREFECTURE_RE.finditer(text))
    if not counts:
        return None
    order = {name: text.index(name) for name in counts}
    return min(counts, key=lambda name: (-counts[name], order[name]))


def find_meeting_date(text: str) -> DateMatch | None:
    """The date the meeting was held: labelled and weekday dates first, update and report dates last."""
    best, best_score = None, None
    for match in find_dates(text):
        score = _date_score(text, match)
        if best_score is None or score > best_score:
            best, best_score = match, score
    return best


def _date_score(text: str, match: DateMatch) -> int:
    line_start = text.rfind("\n", 0, match.start) + 1
    before = re.sub(r"[ \u3000]", "", text[line_start : match.start])
    previous = _previous_line(text, line_start)
    label_text = before + "|" + (re.sub(r"[ \u3000]", "", previous[0]) if previous else "")
    score = 0
    if any(label in before for label in DATE_LABELS) or (
        not before.strip() and previous and any(label in label_text for label in DATE_LABELS)
    ):
        score += 10
    if any(label in before for label in DEMOTING_LABELS):
        score -= 10
    after = text[match.end : match.end + 40]
    weekday = re.match(rf"[ \u3000]*[(（]([{_WEEKDAY}])(?:曜日?)?[)）]", after)
    if weekday:
        score += 5 if _WEEKDAY.index(weekday.group(1)) == match.date.weekday() else 2
    if re.search(r"[0-9０-９]{1,2}[ \u3000]*(?:時|:|：)", after):
        score += 2
    return score


def _previous_line(text: str, line_start: int) -> list[str]:
    """`[line]`: the last non-empty line of `text[:line_start].splitlines()`, or `[]`.

    Reads a window before `line_start` that doubles until it holds a whole non-empty line, so
    scoring every date of a long document stays linear instead of splitting its whole head.
    """
    width = 1024
    while True:
        begin = max(0, line_start - width)
        lines = text[begin:line_start].splitlines()
        found = [n for n, line in enumerate(lines) if line.strip()]
        if found and (begin == 0 or found[-1] > 0):
            return [lines[found[-1]]]
        if begin == 0:
            return []
        width *= 2


def _candidates(text: str):
    """(name, start, end) for every 市区町村 name candidate in `text`."""
    masked = _PREFECTURE_RE.sub(lambda m: " " * len(m.group()), text)
    masked = _ORDINAL_UNIT.sub(lambda m: " " * len(m.group()), masked)
    for run in _RUN.finditer(masked):
        word, offset = run.group(), run.start()
        for i, char in enumerate(word):
            if char not in "市区町村" or i == 0:
                continue
            name, end = word[: i + 1], offset + i + 1
            if (
                char in "町村"
                and end < len(text)
                and re.match(f"[{_NAME_CHAR}]", text[end])
                and not text.startswith(_TOWN_FOLLOWERS, end)
            ):
                continue  # 武蔵村山市: 武蔵村 is not a village
            if name in NOT_PLACES or (name.endswith(_GENERIC_ENDINGS) and name != "京都市"):
                continue
            yield name, offset, end
    for kana in _KANA_RUN.finditer(text):
        for name in KANA_MUNICIPALITIES:
            if kana.group().endswith(name):
                yield name, kana.end() - len(name), kana.end()


def _prefecture_as_municipality(text: str, title: str | None) -> str | None:
    for source in (title or "", text[: _header_end(text)]):
        match = _PREFECTURE_RE.search(source)
        if match:
            return match.group()
    return None


def _header_end(text: str) -> int:
    """Offset where the first `HEADER_LINES` non-empty lines end."""
    count, position = 0, 0
    for line in text.splitlines(keepends=True):
        position += len(line)
        count += bool(line.strip())
        if count >= HEADER_LINES:
            break
    return position


def _squeeze_spaced(value: str) -> str:
    """`_squeeze` a short value only when it is spaced out (two or more gaps), so `第1回 長崎市…` keeps its space."""
    return _squeeze(value) if len(_SPACE_BETWEEN_WIDE.findall(value)) >= 2 else value


def _squeeze(text: str) -> str:
    """Drop spaces that PDF extraction put between Japanese characters (`令 和 7 年`), keep other spaces."""
    return _SPACE_BETWEEN_WIDE.sub("", text)
