"""Document metadata: municipality, prefecture, body, meeting title, meeting date, record kind.

Values come from the catalog when it has a non-empty value, else from the cleaned text, else from
the file name; `Metadata.sources` records which (`catalog`, `text`, `filename`, `none`).

Municipality from text (`find_place`): only names of the official list of 1,788 local public
bodies (`places.gazetteer`) are candidates, found at each 市/区/町/村 as the longest official name
ending there, so labels are never fused into names (`場所檜原村役場` → 檜原村) and words that are
not bodies (`市民部市`, `副市`) are never output. Where a name stands decides, not how often: the
meeting title and a name followed by a body word in the header beat other header mentions, which
beat a body named in the discussion, which beats passing mentions. A prefectural body's group is
its prefecture (`body_level` `prefecture`), a national body's `国` (`national`); a designated
city's ward is grouped with its city (`横浜市港北区` → 横浜市). A name shared by several bodies
(府中市) takes its prefecture from the text, or stays without prefecture and code, with a warning.
The 6-digit code of the body is `body_code`.

Meeting date: among all dates, one labelled 日時/開催日時/開催日/開催年月日 (on its line or the line
before) or followed by a weekday and a time wins; publication, update and retrieval dates are
never chosen, nor is a periodical's issue date (`議会報 …06月01日−01号`). A sitting's own date (開議,
開議年月日, a `第N日` heading on its line) beats the session's opening date (開会年月日, 招集年月日)
and a search site's listing date. A month and day in the header take the year written before them
(fiscal years handled, see `dates.infer_dates`); a date without a year is left empty with a warning.

Joint bodies (merger councils, 一部事務組合, 広域連合) are credited to none of their members; a
`・` list of kinds of people (`民生委員・児童委員協議会`) is not a list of places.
"""

from __future__ import annotations

__all__ = ["BODY_WORDS", "CATALOG_LINE_FIELDS", "DATE_LABELS", "DECISIVE_RATIO", "DEMOTING_LABELS", "DEMOTING_SUFFIXES", "FIELDS", "HEADER_CHARS", "HEADER_LINES", "INFERRED_DATE_CHARS", "JOINT_BODY_RE", "JOINT_BODY_WARNING", "LABEL_PIECE_MAX_CHARS", "LOCAL_MARKERS", "MEETING_SUFFIXES", "MIN_PLACE_SCORE", "PERIODICAL_RE", "PERIOD_END_RE", "SELF_REFERENCES", "SESSION_LABEL_RE", "SITTING_HEADING_RE", "SITTING_LABEL_RE", "TITLE_LABELS", "Metadata", "Place", "apply_catalog", "catalog_place", "date_warnings", "document_metadata", "extract_metadata", "find_body", "find_meeting_date", "find_meeting_title", "find_municipality", "find_place", "find_record_kind", "labelled_value", "missing_metadata_warnings", "structured_metadata"]  # fmt: skip

import csv
import html
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dxminutes.corpus.dates import DateMatch, date_problems, find_dates, infer_dates
from dxminutes.corpus.places import (
    DESIGNATED_CITIES,
    NATIONAL,
    NATIONAL_WORDS,
    PREFECTURES,
    fold_name,
    gazetteer,
)
from dxminutes.normalize import normalize_unicode
from dxminutes.schema import METADATA_FIELDS

FIELDS = METADATA_FIELDS

#: The least score a body needs to be the document's municipality: more than one passing mention.
MIN_PLACE_SCORE = 2.0
#: Without a strong mention (title, body word), the best body must score more than this many times the next.
DECISIVE_RATIO = 1.5
#: Characters after a name's last character that show the name is part of another word:
#: 市町村/市場/市街, 区町村/区域/区分, 町村.
_NOT_NAME_FOLLOWER = {
    "市": ("町村", "区町村", "場", "街", "況", "販", "価", "井"),
    "区": ("町村", "市町村", "域", "分", "間", "画", "別"),
    "町": ("村",),
    "村": (),
}
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
DEMOTING_LABELS = (
    "更新日",
    "作成日",
    "掲載日",
    "公開日",
    "登録日",
    "最終更新",
    "報告日",
    "取得日",
    "印刷日",
    "発行日",
)
#: Words right after a date that make it a publication date: `2014年1月30日更新`, `2023-02-02付`.
DEMOTING_SUFFIXES = (
    "更新",
    "付",
    "掲載",
    "公開",
    "作成",
    "現在",
    "選任",
    "告示",
    "提出",
    "受付",
    "受理",
    "施行",
)
#: Words right after a date that make it the sitting: `令和元年11月19日開会分`, `…開催`.
MEETING_SUFFIXES = ("開会", "開議", "開催", "招集")
_WEEKDAY = "月火水木金土日"
HEADER_LINES = 15
#: The header of a text for finding its body ends after this many characters at most, so a
#: record flattened onto one long line is not all header.
HEADER_CHARS = 600
#: Dates completed from their context (`dates.infer_dates`) count only this far into the header.
INFERRED_DATE_CHARS = 1000
#: Words that show the minutes are of a local body even when it is not named.
LOCAL_MARKERS = (
    "本市",
    "本町",
    "本村",
    "本区",
    "当市",
    "当町",
    "当村",
    "当区",
    "市長",
    "町長",
    "村長",
    "区長",
    "議会運営委員会",
    "市議会",
    "町議会",
    "村議会",
    "区議会",
    "県議会",
    "市民",
    "町民",
    "村民",
    "区民",
    "県民",
    "道民",
    "都民",
    "府民",
    "知事",
)

_NAME_CHAR = "\u4e00-\u9fff々ヶケ"
_END_CHAR_RE = re.compile("[市区町村]")
_LOCAL_MARKERS_RE = re.compile("|".join(LOCAL_MARKERS))
#: How minutes refer to their own body: `本市では`, `当町として`.
SELF_REFERENCES = (
    "本市",
    "本町",
    "本村",
    "本区",
    "当市",
    "当町",
    "当村",
    "当区",
    "本県",
    "当県",
    "本道",
    "本都",
    "本府",
)
_SELF_REFERENCE_RE = re.compile("|".join(SELF_REFERENCES))
#: A municipality name that is the start of a person's name in a roster: `小林市之 委員`,
#: `吉村町子君` (one or two more kanji, then an honorific or a member's title).
_PERSON_AFTER_RE = re.compile(
    r"(?!議|役|長|民|立|職|政|内|外|域|庁)[\u4e00-\u9fff々]{1,2}[ \u3000]?(?:君|氏|さん|様|委員(?!会)|議員|座長|会長|議長)"
)
_CITY_ASSEMBLY_RE = re.compile("会(?![場社館員計費話見長])")
_COMPOUND_BODY_RE = re.compile(r"[^\s、。,.・のとや()「」:]{0,15}?(?:" + "|".join(BODY_WORDS) + ")")
#: Last characters of ordinals and dates that may stand right before a name once PDF spaces are
#: squeezed out (`第2回 柏市` → `第2回柏市`, `令和5年度柏市`).
_ORDINAL_ENDS = "回年度号期月日次"
_DISTRICT_RE = re.compile(f"[{_NAME_CHAR}]{{1,4}}郡")
_SHORT_PREFECTURE_RE = re.compile(f"(?<![{_NAME_CHAR}])([道都])(?:議会|庁|知事|政)")
_NATIONAL_RE = re.compile(
    "|".join(
        "(?<![全帰両外])国会(?!議員)" if word == "国会" else re.escape(word)
        for word in sorted(NATIONAL_WORDS, key=len, reverse=True)
    )
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
    body_code: str | None = None  # 6-digit local government code; None for national bodies
    body_level: str | None = None  # `municipality`, `prefecture`, `national`

    def as_dict(self) -> dict:
        """Field values, `body_code`, `body_level` and `{field}_source` columns, as in the documents table."""
        values = {name: getattr(self, name) for name in FIELDS}
        values.update(body_code=self.body_code, body_level=self.body_level)
        values.update({f"{name}_source": self.sources[name] for name in FIELDS})
        return values


def document_metadata(
    text: str,
    filename: str | None = None,
    catalog_row: Mapping | None = None,
    *,
    raw_text: str | None = None,
) -> Metadata:
    """Metadata of one document: catalog values first, then the cleaned text, then the raw text
    (page furniture such as breadcrumbs `ホーム > 静岡県議会 > …`, which cleaning removes, often
    names the body), then the file name."""
    meta = extract_metadata(text, filename, raw_text=raw_text)
    return apply_catalog(meta, catalog_row) if catalog_row else meta


def apply_catalog(meta: Metadata, catalog_row: Mapping) -> Metadata:
    """A copy of `meta` where every non-empty catalog value replaces the extracted one."""
    values, sources = {}, dict(meta.sources)
    for name in FIELDS:
        value = catalog_row.get(name)
        if isinstance(value, str) and value.strip():
            values[name] = value.strip()
            sources[name] = "catalog"
    if "municipality" in values or "prefecture" in values:
        municipality = values.get("municipality", meta.municipality)
        prefecture = values.get("prefecture", meta.prefecture)
        place = catalog_place(municipality, prefecture)
        values.update(body_code=place.body_code, body_level=place.body_level)
        if "prefecture" not in values and place.prefecture:
            values["prefecture"] = place.prefecture
            sources["prefecture"] = "catalog"
    # The catalog answered what the text could not: its "not found" warnings no longer apply.
    answered = tuple(_NOT_FOUND_PREFIXES[name] for name in values if name in _NOT_FOUND_PREFIXES)
    warnings = tuple(w for w in meta.warnings if not w.startswith(answered)) if answered else meta.warnings
    return replace(meta, **values, sources=sources, warnings=warnings)


#: How the "not found in the text" warnings of a field begin (`find_place`, `date_warnings`).
_NOT_FOUND_PREFIXES = {"municipality": "municipality not found", "meeting_date": "meeting date not found"}


def structured_metadata(
    values: Mapping, filename: str | None = None, catalog_row: Mapping | None = None
) -> Metadata:
    """Metadata of a structured file's document: its columns (source `column`), then the catalog.

    A municipality column is checked against the official list like a name found in text
    (`府中市` needs the prefecture column or a prefecture in the title; `群馬県前橋市`, `前橋市議会`
    give 前橋市). A value that names no body of the list is not used (never invented): with a
    warning, the body is looked for in the body column, the meeting title and then the file name,
    as when there is no municipality column.
    """
    sources = dict.fromkeys(FIELDS, "none")
    fields = {name: (values.get(name) or None) for name in FIELDS}
    warnings: list[str] = []
    municipality, prefecture = fields["municipality"], fields["prefecture"]
    fields["municipality"] = None
    place = Place()
    if municipality:
        municipality = unicodedata.normalize("NFKC", municipality).strip()
        place = catalog_place(municipality, prefecture)
        if place.body_level is None:
            found = find_place(f"{prefecture or ''}{municipality}\n", None)
            if found.municipality and found.body_level:
                place = found
            else:
                warnings.append(
                    f"municipality column value '{municipality}' is not a local public body of the list;"
                    " not used"
                )
                place = Place()
    if not place.municipality:
        for source, text in (
            ("column", fields["body"]),
            ("column", fields["meeting_title"]),
            ("filename", Path(filename).stem if filename else None),
        ):
            if text:
                found = find_place(f"{prefecture or ''}{text}\n", text)
                if found.municipality:
                    place, sources["municipality"] = found, source
                    break
    if place.municipality:
        fields["municipality"] = place.municipality
        sources["municipality"] = "column" if sources["municipality"] == "none" else sources["municipality"]
        fields["prefecture"] = prefecture or place.prefecture
    for name in FIELDS:
        if fields[name] and sources[name] == "none":
            sources[name] = "column"
    if fields["meeting_title"] and not fields["body"]:
        fields["body"] = find_body(fields["meeting_title"], fields["meeting_title"], fields["municipality"])
        sources["body"] = "column" if fields["body"] else "none"
    meta = Metadata(
        **fields,
        sources=sources,
        warnings=tuple(warnings) + place.warnings,
        body_code=place.body_code,
        body_level=place.body_level,
    )
    return apply_catalog(meta, catalog_row) if catalog_row else meta


def missing_metadata_warnings(file: str, meta: Metadata, sha256: str = "") -> tuple[str, ...]:
    """One warning when the municipality or the meeting date is missing, with the catalog line that fixes it.

    Known values are filled in; the missing ones are placeholders to replace
    (`add to catalog.csv: rw_001.txt,市区町村名,,…,YYYY-MM-DD,…`).
    """
    missing = [name for name in ("municipality", "meeting_date") if not getattr(meta, name)]
    if not missing:
        return ()
    placeholders = {"municipality": "市区町村名", "meeting_date": "YYYY-MM-DD"}
    values = [file]
    for name in CATALOG_LINE_FIELDS:
        values.append(getattr(meta, name) or placeholders.get(name, ""))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow([*values, sha256])
    return (f"{' and '.join(missing)} missing: add to catalog.csv: {buffer.getvalue()}",)


#: Catalog columns between `file` and `sha256`, in order (see corpus/catalog.py).
CATALOG_LINE_FIELDS = ("municipality", "prefecture", "body", "meeting_title", "meeting_date", "record_kind")


def catalog_place(municipality: str | None, prefecture: str | None) -> Place:
    """Code and level of a body named in the catalog: `国`, a prefecture, a municipality or a ward."""
    if not municipality:
        return Place(None, prefecture, None, None)
    if municipality == NATIONAL:
        return Place(NATIONAL, None, None, "national")
    gaz = gazetteer()
    name = _ward_city(municipality) or municipality
    bodies = gaz.lookup(name, prefecture) or (gaz.lookup(name) if not prefecture else ())
    if len(bodies) == 1:
        body = bodies[0]
        return Place(municipality, body.prefecture, body.code, body.level)
    return Place(municipality, prefecture, None, None)


def _ward_city(name: str) -> str | None:
    """`横浜市港北区` → `横浜市`: the designated city a ward name starts with."""
    for city in DESIGNATED_CITIES:
        if name.startswith(city) and name != city and name.endswith("区"):
            return city
    return None


def extract_metadata(text: str, filename: str | None = None, *, raw_text: str | None = None) -> Metadata:
    """Metadata from the text alone, with the raw text (see `document_metadata`) and then the file
    name as last resorts for municipality and date."""
    lines = [line for line in text.splitlines() if line.strip()]
    title = find_meeting_title(lines)
    place = find_place(text, title)
    date = find_meeting_date(text)
    date_notes = date_warnings(text, date)
    if raw_text and (place.tier > 0 or date is None):
        plain = _plain_raw(raw_text)
        if place.tier > 0:
            # the raw page furniture (breadcrumbs) may name the body where the cleaned text does not
            from_raw = find_place(plain, title)
            place = from_raw if from_raw.municipality and from_raw.tier < place.tier else place
        if date is None:
            from_raw_date = find_meeting_date(plain)
            if from_raw_date is not None:
                date, date_notes = from_raw_date, date_warnings(plain, from_raw_date)
    municipality = place.municipality
    values = {
        "municipality": municipality,
        "meeting_title": title,
        "meeting_date": date.date.isoformat() if date else None,
        "record_kind": find_record_kind(lines),
    }
    values["body"] = find_body(text, title, municipality)
    values["prefecture"] = place.prefecture
    sources = {name: "text" if values[name] else "none" for name in FIELDS}
    place_warnings = place.warnings
    if filename:
        stem = Path(filename).stem
        if not values["municipality"]:
            from_name = find_place(stem + "\n", None)
            if from_name.municipality:
                place, place_warnings = from_name, ()
                values["municipality"], values["prefecture"] = place.municipality, place.prefecture
        if not values["meeting_date"]:
            dates = find_dates(stem)
            values["meeting_date"] = dates[0].date.isoformat() if dates else None
            if dates:
                date_notes = ()
        for name in ("municipality", "prefecture", "meeting_date"):
            if sources[name] == "none" and values[name]:
                sources[name] = "filename"
    warnings = tuple(f"date not understood: {problem}" for problem in date_problems(text)) + date_notes
    warnings += tuple(place_warnings) if values["municipality"] is None or place.body_code is None else ()
    return Metadata(
        **values, sources=sources, warnings=warnings, body_code=place.body_code, body_level=place.body_level
    )


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


@dataclass(frozen=True)
class Place:
    """The body a document is about: municipality (or prefecture, or `国`), prefecture, code, level."""

    municipality: str | None = None
    prefecture: str | None = None
    body_code: str | None = None
    body_level: str | None = None  # `municipality`, `prefecture`, `national`
    warnings: tuple[str, ...] = ()
    tier: int = 4  # evidence of `find_place`: 0 title/header body word, 1 header, 2-3 discussion, 4 none


def find_municipality(text: str, title: str | None = None) -> str | None:
    """The municipality a text is about (see `find_place`), or None."""
    return find_place(text, title).municipality


def find_prefecture(text: str, municipality: str | None) -> str | None:
    """The prefecture of `municipality` as the text and the official list decide, or None."""
    if not municipality:
        return None
    if municipality == NATIONAL:
        return None
    place = _resolve(municipality, _squeeze(text), {})
    return place.prefecture


def find_place(text: str, title: str | None = None) -> Place:
    """The body the minutes are about, from the names of the official list found in the text.

    Where a name stands counts more than how often it is named, since the discussion names
    other places freely (`浜松市の事例では…`). Mentions fall in three tiers, compared in order:

    * A, the body holding the meeting: in the meeting title (5 points), or in the header (the
      first `HEADER_LINES` lines, at most `HEADER_CHARS` characters) as the text's first word or
      followed by a body word or its premises, also through a compound name (`三鷹市議会`,
      `柏市デジタル推進委員会`, `流山市役所`, `静岡県庁`, `衆議院総務委員会`), or written with its
      prefecture, as the body's own address or full name is (`茨城県石岡市石岡一丁目`);
    * B, other mentions in the header; C, mentions in the discussion followed by a body word
      (`ただいまから第7回調布市議会改革検討代表者会議を…`); D, other mentions in the discussion
      (prefectures half a point in C and D).
      Minutes call their own body 本市/当町 in the discussion, so where they do (`SELF_REFERENCES`),
      names found only in passing in the discussion are other places and tier D gives nothing.

    The best tier-A body wins; without one, the best tier-B, C, then D body, which must then
    score more than `DECISIVE_RATIO` times the next (`郡山市と平田村との連携協約` names two bodies
    equally: none), and at least `MIN_PLACE_SCORE` in tier D. A prefecture that merely qualifies a
    municipality (`千葉県流山市`) is not a candidate. National institutions (`衆議院`, `総務省`,
    `デジタル庁`, …) count in the title and the header; in the discussion only when the text names
    no local body and shows no sign of one (`LOCAL_MARKERS`: 本市, 町長, 区議会, 市民 …).
    """
    squeezed = _squeeze(text)
    header_end = min(_header_end(squeezed), HEADER_CHARS)
    joint = _joint_body(_squeeze(title or "")) or _joint_body(squeezed[:header_end])
    if joint:
        return Place(warnings=(JOINT_BODY_WARNING.format(body=joint),))
    opening = len(squeezed) - len(squeezed.lstrip())  # where the text's first word starts
    tiers: dict[str, list[float]] = {}
    first: dict[str, int] = {}
    qualifiers: dict[str, list[str]] = {}

    def add(name: str, tier: int, weight: float, position: int) -> None:
        tiers.setdefault(name, [0.0, 0.0, 0.0, 0.0])[tier] += weight
        first[name] = min(first.get(name, position), position)

    def tier_of(source: str, start: int, end: int, in_title: bool) -> int:
        if in_title:
            return 0
        if start < header_end:
            return 0 if start == opening or _strong_mention(source, end) else 1
        # in the discussion only a body word counts (`第7回調布市議会…を開会`): `浜松市長`,
        # `浜松市民` are other places' people
        return 2 if _COMPOUND_BODY_RE.match(source, end) else 3

    for source, in_title in ((squeezed, False), (_squeeze(title or ""), True)):
        prefectures = _prefecture_spans(source)
        municipalities = _municipality_spans(source, prefectures)
        starts = {start for _, start, _ in municipalities}
        pref_ends = {pref_end: pref for pref, _, pref_end in prefectures}
        for name, start, end in municipalities:
            tier = tier_of(source, start, end, in_title)
            if start in pref_ends:
                qualifiers.setdefault(name, []).append(pref_ends[start])
                if start < header_end:
                    tier = 0  # `茨城県石岡市石岡一丁目1番地1`: the body's own address in a page header
            add(name, tier, 5.0 if in_title else 1.0, -1 if in_title else start)
        for name, start, end in prefectures:
            if end in starts or _DISTRICT_RE.match(source, end):
                continue  # `千葉県流山市`, `北海道夕張郡`: an address, not the body
            tier = tier_of(source, start, end, in_title)
            add(name, tier, 5.0 if in_title else 0.5 if tier >= 2 else 1.0, -1 if in_title else start)
        limit = len(source) if in_title else header_end
        for match in _NATIONAL_RE.finditer(source, 0, limit):
            tier = tier_of(source, match.start(), match.end(), in_title)
            add(NATIONAL, tier, 5.0 if in_title else 1.0, -1 if in_title else match.start())
    if not tiers and not _LOCAL_MARKERS_RE.search(squeezed):
        # No local body named nor implied: national institutions named in the discussion decide
        # (`デジタル庁からは牧島大臣…` in a council page whose header names no ministry).
        for match in _NATIONAL_RE.finditer(squeezed, header_end):
            add(NATIONAL, 3, 1.0, match.start())
    if not tiers:
        return Place(warnings=("municipality not found in the text",))
    top = next(t for t in range(4) if any(v[t] for v in tiers.values()))
    if top == 3 and _SELF_REFERENCE_RE.search(squeezed):
        return Place(
            warnings=(
                "municipality not found: the text calls its body 本市/本町…, and names other places only",
            )
        )
    ranked = sorted(tiers, key=lambda name: (*(-v for v in tiers[name][top:]), first[name], name))
    best = ranked[0]
    if top == 3 and tiers[best][3] < MIN_PLACE_SCORE:
        return Place(warnings=(f"municipality not found: only a passing mention of {best}",))
    runner_up = tiers[ranked[1]][top] if len(ranked) > 1 else 0.0
    if top > 0 and runner_up * DECISIVE_RATIO >= tiers[best][top]:
        # Two bodies named about equally, neither as the body meeting: the text does not say.
        return Place(
            warnings=(
                f"municipality unclear: {best} and {ranked[1]} are named about equally, neither as the body meeting",
            )
        )
    if best == NATIONAL:
        if top > 0 and _SELF_REFERENCE_RE.search(squeezed):
            # `総務省の自治体DX推進計画について` in the agenda of minutes that call their body 本市
            return Place(
                warnings=(
                    "municipality not found: a ministry is named, but the text calls its body 本市/本町…",
                )
            )
        return Place(NATIONAL, None, None, "national", tier=top)
    counts = Counter(name for name, _, _ in _prefecture_spans(squeezed))
    return replace(_resolve(best, squeezed, qualifiers, counts), tier=top)


#: Bodies of several municipalities: a merger or liaison council of listed towns
#: (`田沢湖・角館・西木合併協議会`, `〇〇町・△△町・□□町合同会議`) and the unions and federations they
#: form (一部事務組合 `志木地区衛生組合`, `〇〇広域連合`, `〇〇広域行政事務組合`).
_JOINT_WORDS = r"(?:合併協議会|合併推進協議会|合併研究会|任意協議会|法定協議会|協議会|合同会議|合同委員会|連絡会議|広域連合|事務組合|組合)"
JOINT_BODY_RE = re.compile(
    rf"(?:[\u4e00-\u9fff々ヶ]{{1,8}}・){{1,6}}[\u4e00-\u9fff々ヶ]{{1,8}}(?:{_JOINT_WORDS}|合同)"
    rf"|(?:^|(?<=\d年|\d回))[\u4e00-\u9fff々ヶ]{{2,14}}?(?:一部事務組合|事務組合|衛生組合|環境組合|消防組合|広域連合|広域組合)"
    r"(?=議会|定例会|臨時会|会議録|\s*$)",
    re.M,
)
#: The warning of a joint body: never credited to one of its members.
JOINT_BODY_WARNING = (
    "municipality not set: {body} is a joint body of several municipalities (merger council, "
    "一部事務組合 or 広域連合), never credited to one of them; declare it in catalog.csv if a group is wanted"
)


def _joint_body(header: str) -> str | None:
    """The name of a joint body of several municipalities in the header or title, or None.

    Rule: such a body belongs to none of its members, so the municipality stays empty (the
    documents are kept under `(不明)`) with `JOINT_BODY_WARNING`, unless the catalog or
    `dxminutes.toml` declares a group for it. A list of place names joined by `・` must be
    followed by a council or union word (`田沢湖・角館・西木合併協議会`), so `市民・事業者の協働`
    is not one.
    """
    for match in JOINT_BODY_RE.finditer(header):
        if _joint_items_are_places(match.group(0)):
            return re.sub(r"^(?:第?\d*回)?(?:臨時|定例)?", "", match.group(0))
    return None


#: An item of a `・` list that names people or a kind of member, not a place: it holds a role
#: word (`民生委員・児童委員協議会`) or ends like a group of people (`市民・事業者…`).
_NOT_PLACE_ITEM_RE = re.compile(r"委員|議員|会員|会長|部会|役員|職員|[者民員]$")


def _joint_items_are_places(name: str) -> bool:
    """True when every item of a `・` list (`田沢湖・角館・西木合併協議会`) can name a place.

    The federation of a profession or a kind of commissioner (`安芸高田市民生委員・児童委員協議会`,
    listed in a roster) joins kinds of people with `・`, not places; a name without `・`
    (`志木地区衛生組合`) is judged by its union word alone.
    """
    items = name.split("・")
    if len(items) < 2:
        return True
    items[-1] = re.sub(f"(?:{_JOINT_WORDS}|合同)$", "", items[-1])  # `西木合併協議会` → `西木`
    return not any(_NOT_PLACE_ITEM_RE.search(item) for item in items)


def _strong_mention(text: str, end: int) -> bool:
    """A name followed by a body word or its premises (`墨田区議会`, `流山市役所`, `静岡県庁`), also
    through the rest of a compound name (`柏市デジタル推進委員会`, but not `柏市の委員会`).

    Meetings are held in the body's own premises; a mayor (`霧島市長`) or citizens (`霧島市民`)
    named in a header may be guests, so they are ordinary mentions."""
    if _COMPOUND_BODY_RE.match(text, end) or text.startswith(("役所", "役場", "庁"), end):
        return True
    # 横浜市会, 名古屋市会, 京都市会: some cities call their assembly 市会
    return text[end - 1 : end] == "市" and bool(_CITY_ASSEMBLY_RE.match(text, end))


def _resolve(name: str, text: str, qualifiers: dict[str, list[str]], counts: Counter | None = None) -> Place:
    """Code, prefecture and level of the body `name`; an ambiguous name needs a prefecture clue."""
    gaz = gazetteer()
    bodies = gaz.lookup(name)
    if not bodies:
        return Place(name, None, None, None, (f"'{name}' is not in the list of local public bodies",))
    if len(bodies) > 1:
        if counts is None:
            counts = Counter(n for n, _, _ in _prefecture_spans(text))
        written = [p for p in qualifiers.get(name, []) if any(b.prefecture == p for b in bodies)]
        if not written:
            written = [
                p for p in _qualifying_prefectures(text, name) if any(b.prefecture == p for b in bodies)
            ]
        if written:
            bodies = gaz.lookup(name, Counter(written).most_common(1)[0][0])
        else:
            named = sorted(
                (b for b in bodies if counts.get(b.prefecture)), key=lambda b: -counts[b.prefecture]
            )
            if named and (len(named) == 1 or counts[named[0].prefecture] > counts[named[1].prefecture]):
                bodies = (named[0],)
            else:
                options = " or ".join(b.prefecture for b in bodies)
                return Place(
                    name,
                    None,
                    None,
                    "municipality",
                    (f"{name} is the name of bodies in {options}: the text does not say which",),
                )
    body = bodies[0]
    return Place(body.name, body.prefecture, body.code, body.level)


def _qualifying_prefectures(text: str, name: str) -> list[str]:
    return re.findall(
        f"({_PREFECTURE_RE.pattern})[ \u3000]*(?:[{_NAME_CHAR}]{{1,4}}郡)?{re.escape(name)}", text
    )


def _prefecture_spans(text: str) -> list[tuple[str, int, int]]:
    """(prefecture, start, end) of every prefecture name, and of `道議会`/`都議会` (北海道, 東京都).

    Hokkaido's and Tokyo's assemblies and offices call themselves 道議会/都議会 (道庁, 都庁) without
    the full name; 府 and 県 alone are ambiguous and are not expanded.
    """
    spans = [(m.group(), m.start(), m.end()) for m in _PREFECTURE_RE.finditer(text)]
    taken = [(s, e) for _, s, e in spans]
    for match in _SHORT_PREFECTURE_RE.finditer(text):
        if not any(s < match.end() and match.start() < e for s, e in taken):
            name = "北海道" if match.group(1) == "道" else "東京都"
            spans.append((name, match.start(), match.start() + 1))
    return sorted(spans, key=lambda span: span[1])


def _municipality_spans(text: str, prefectures: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """(name, start, end) of every municipality of the official list written in `text`.

    At each 市/区/町/村 the longest official name ending there is taken (`武蔵村山市`, not
    `村山市`), then rejected when the context shows it is not a name: inside a prefecture name
    (`東京都市…`), a ward of a designated city (`札幌市中央区` is 札幌市), a two-character name
    glued to the word before it (`港北区` is not 北区, `市栄町` not 栄町), or a following
    character that continues another word (`市町村`, `中央市場`, `港区域`).
    """
    gaz = gazetteer()
    in_prefecture = {i for _, s, e in prefectures for i in range(s, e)}
    found: list[tuple[str, int, int]] = []
    for match in _END_CHAR_RE.finditer(text):
        end = match.end()
        name = None
        for length in range(min(gaz.max_len, end), 1, -1):
            bodies = gaz.by_name.get(fold_name(text[end - length : end]))
            if bodies and bodies[0].level == "municipality":
                name = bodies[0].name  # the official spelling (鎌ヶ谷市 → 鎌ケ谷市)
                break
        if name is None:
            continue
        start = end - length
        if any(i in in_prefecture for i in range(start, end)):
            continue
        if _NOT_NAME_FOLLOWER.get(name[-1]) and text.startswith(_NOT_NAME_FOLLOWER[name[-1]], end):
            continue
        if _PERSON_AFTER_RE.match(text, end):
            continue
        before = text[max(0, start - 5) : start]
        if name.endswith("区") and any(before.endswith(city) for city in DESIGNATED_CITIES):
            continue
        if length == 2 and start > 0 and re.match(f"[{_NAME_CHAR}\u3041-\u30ff]", text[start - 1]):
            if not (
                (text[start - 1] in "県都府道郡" and before.endswith((*PREFECTURES, "郡")))
                or text[start - 1] in _ORDINAL_ENDS
            ):
                continue
        found.append((name, start, end))
    # A name inside a longer one (東村 in 東村山市) is not a mention of its own: sweep by start,
    # longest first, and drop a span that ends within one that started no later.
    kept, reach = [], -1
    for span in sorted(found, key=lambda span: (span[1], -span[2])):
        if span[2] > reach:
            kept.append(span)
            reach = span[2]
    return sorted(kept, key=lambda span: span[1])


def find_meeting_date(text: str) -> DateMatch | None:
    """The date the meeting was held: labelled and weekday dates first, update and report dates last.

    Dates written in full compete with dates completed from their heading's year (`dates.infer_dates`,
    one point less, in the header only); publication, update and retrieval dates (`DEMOTING_LABELS`,
    `DEMOTING_SUFFIXES`) and a periodical's issue date (`PERIODICAL_RE`) are never chosen.

    A record of one sitting of a session names both days: this sitting's own date (labelled 開議 /
    開議年月日, `SITTING_LABEL_RE`, or after a `第N日`/`本日` heading on its line in the header,
    `SITTING_HEADING_RE`) beats the session's opening date (開会年月日, 招集年月日) and the date a
    search site lists the record under (`1. 広島県議会 2005-12-01` above `…(第1日) 本文 2005-12-06`).
    The last day of a term (`本日から9月19日までの19日間`, `PERIOD_END_RE`) is not the meeting.
    """
    best, best_score = None, None
    candidates = [(match, 0) for match in find_dates(text)]
    # A month and day completed from context stand for the meeting only in the header: in the
    # discussion, `10月4日に説明会を` is some other day.
    header_end = min(_header_end(text), INFERRED_DATE_CHARS)
    candidates += [
        (inferred.match, -1) for inferred in infer_dates(text)[0] if inferred.match.start < header_end
    ]
    for match, bonus in candidates:
        score = _date_score(text, match, in_header=match.start < header_end) + bonus
        if score <= -5:
            continue
        if best_score is None or score > best_score:
            best, best_score = match, score
    return best


def date_warnings(text: str, found: DateMatch | None) -> tuple[str, ...]:
    """Why the meeting date is missing (dates without a year), or which convention completed it."""
    if found is not None:
        for inferred in infer_dates(text)[0]:
            if inferred.match == found:
                return (
                    f"meeting date {found.date.isoformat()} completed from context ({inferred.how}): '{found.text}'",
                )
        return ()
    problems = infer_dates(text)[1]
    if problems:
        return (f"meeting date not found: {problems[0]}; left empty, not guessed",)
    return ("meeting date not found in the text",)


#: The label of this sitting's own date, right before it (`開議年月日 平成21年9月25日`, `│開議│平成…`):
#: it beats the session's opening date (`SESSION_LABEL_RE`) of a record of a later sitting.
SITTING_LABEL_RE = re.compile(r"開議(?:年月日|日時|日)?[│┃|:\t]*$")
#: The label of the session's opening date (`開会年月日`, `招集年月日`): a date, but the sitting's beats it.
SESSION_LABEL_RE = re.compile(r"(?:招集|開会)(?:年月日|日時|日)[│┃|:\t]*$")
#: A sitting heading on the date's line (`平成17年12月定例会(第1日) 本文 2005-12-06`,
#: `本日 令和5年…`): the record's own day, beating a search site's listing date on another line.
#: `本日から9月19日まで` is a period that starts today (the session's term), not a heading.
SITTING_HEADING_RE = re.compile(
    r"(?:第[0-9一二三四五六七八九十]{1,3}日目?|本日(?!から|より|以降))\)?[^\n]{0,12}$"
)
#: Words right after a date that make it the end of a period (`9月19日までの19日間`): not a meeting.
PERIOD_END_RE = re.compile(r"^[ \u3000]*(?:まで|迄)")
#: A periodical's name before a date on its line (`平成17年6・7・8月議会報(第389回)06月01日−01号`):
#: the date is the issue's, not a meeting's.
PERIODICAL_RE = re.compile(
    r"(?:議会報|議会だより|議会便り|広報紙|広報誌|会報)(?:[(（][^)）\n]{0,12}[)）])?[\s第号No.0-9−-]*$"
)
#: A label spelled one character per line (`1.開` / `会` / `年` / `月` / `日`, PDF tables):
#: previous lines this short are read together as the date's label.
LABEL_PIECE_MAX_CHARS = 4


def _date_score(text: str, match: DateMatch, *, in_header: bool = True) -> int:
    line_start = text.rfind("\n", 0, match.start) + 1
    before = re.sub(r"[ \u3000]", "", text[line_start : match.start])
    previous = _label_before(text, line_start)
    label_text = before + "|" + (re.sub(r"[ \u3000]", "", previous[0]) if previous else "")
    own_label = before if before.strip() else (re.sub(r"[ \u3000]", "", previous[0]) if previous else "")
    score = 0
    if SITTING_LABEL_RE.search(own_label):
        score += 15
    elif (
        any(label in before[-15:] for label in DATE_LABELS)
        or (not before.strip() and previous and any(label in label_text for label in DATE_LABELS))
        or SESSION_LABEL_RE.search(own_label)
    ):
        score += 10
    if in_header and SITTING_HEADING_RE.search(before[-20:]):
        score += 6
    if any(label in before[-12:] for label in DEMOTING_LABELS) or PERIODICAL_RE.search(before[-30:]):
        score -= 10
    if text.startswith(DEMOTING_SUFFIXES, match.end):
        score -= 10
    if PERIOD_END_RE.match(text[match.end : match.end + 4]):
        score -= 5  # `本日から9月19日までの19日間`: the last day of the session's term
    after_date = re.sub(r"^[ \u3000]+", "", text[match.end : match.end + 8])
    if after_date.startswith(MEETING_SUFFIXES) or (
        in_header and after_date.startswith(tuple("に" + suffix for suffix in MEETING_SUFFIXES))
    ):
        score += 5  # `…開会`, and in the header `7月12日に開会し` (a report's narrative)
    after = text[match.end : match.end + 40]
    weekday = re.match(rf"[ \u3000]*[(（]([{_WEEKDAY}])(?:曜日?)?[)）]", after)
    if weekday:
        score += 5 if _WEEKDAY.index(weekday.group(1)) == match.date.weekday() else 2
    if re.search(r"[0-9０-９]{1,2}[ \u3000]*(?:時|:|：)", after):
        score += 2
    return score


def _plain_raw(raw_text: str) -> str:
    """The raw text without markup, NFKC-normalized, so its page furniture can be read."""
    return normalize_unicode(html.unescape(re.sub(r"<[^>]*>", "\n", raw_text)))


def _label_before(text: str, line_start: int) -> list[str]:
    """The label on the lines before offset `line_start`: the last non-empty line, or the run of
    short lines (`LABEL_PIECE_MAX_CHARS`) that spell a label one character per line, joined."""
    pieces: list[str] = []
    position = line_start
    while len(pieces) < 12:
        previous = _previous_line(text, position)
        if not previous or len(previous[0].strip()) > LABEL_PIECE_MAX_CHARS:
            break
        pieces.insert(0, previous[0].strip())
        position = text.rfind(previous[0], 0, position)
    if len(pieces) >= 2:
        return ["".join(pieces)]
    return _previous_line(text, line_start)


def _previous_line(text: str, line_start: int) -> list[str]:
    """The last non-empty line before offset `line_start` (a list of one, or empty)."""
    end = line_start - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if line.strip():
            return [line]
        end = start - 1
    return []


def _header_end(text: str) -> int:
    """Offset where the first `HEADER_LINES` non-empty lines end."""
    return _header_end_lines(text, HEADER_LINES)


def _header_end_lines(text: str, n_lines: int) -> int:
    """Offset where the first `n_lines` non-empty lines end."""
    count, position = 0, 0
    for line in text.splitlines(keepends=True):
        position += len(line)
        count += bool(line.strip())
        if count >= n_lines:
            break
    return position


def _squeeze_spaced(value: str) -> str:
    """`_squeeze` a short value only when it is spaced out (two or more gaps), so `第1回 長崎市…` keeps its space."""
    return _squeeze(value) if len(_SPACE_BETWEEN_WIDE.findall(value)) >= 2 else value


def _squeeze(text: str) -> str:
    """Drop spaces that PDF extraction put between Japanese characters (`令 和 7 年`), keep other spaces."""
    return _SPACE_BETWEEN_WIDE.sub("", text)
