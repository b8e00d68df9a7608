"""Japanese dates: era dates (令和・平成・昭和・大正, 元年, kanji numerals) and western dates.

`find_dates(text)` returns every valid full date (year, month and day) found in a text with its
offsets; `parse_date(s)` parses a string that is one date. Digits may be ASCII, full-width or kanji
(`令和四年十一月十四日`, `二〇二四年`), with spaces between digits and units (`令和 7 年 1 1 月`).
Era abbreviations `R`, `H`, `S`, `T` are accepted (`R3年4月1日`, `R5.9.12`), as are a year
repeated in parentheses (`令和7年(2025年)1月24日`, `2023年(令和5年)9月12日`), month/day/year
(`07/14/2020`) and digits spaced out by PDF extraction (`2 0 2 4 - 0 7 - 1 7`). A fiscal year such
as `R3年度` is not a date and is not matched. Impossible dates and years outside their era raise
`DateError`. `infer_dates(text)` completes month-day dates from the year written before them.
"""

from __future__ import annotations

__all__ = ["ERAS", "ERA_ABBREVIATIONS", "YEAR_CONTEXT_CHARS", "DateError", "DateMatch", "Era", "InferredDate", "date_problems", "era_date", "find_dates", "infer_dates", "parse_date", "parse_number"]  # fmt: skip

import bisect
import datetime as dt
import functools
import re
from dataclasses import dataclass


class DateError(ValueError):
    """A date-like string that is not a valid date: unknown era, impossible day, year outside its era."""


@dataclass(frozen=True)
class Era:
    name: str
    first_year: int  # western year of 元年
    start: dt.date
    end: dt.date | None


ERAS = {
    "令和": Era("令和", 2019, dt.date(2019, 5, 1), None),
    "平成": Era("平成", 1989, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    "昭和": Era("昭和", 1926, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    "大正": Era("大正", 1912, dt.date(1912, 7, 30), dt.date(1926, 12, 25)),
}
ERA_ABBREVIATIONS = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正"}


@dataclass(frozen=True)
class DateMatch:
    """A date found in a text: `text[start:end]`, its value and up to 30 characters either side."""

    start: int
    end: int
    text: str
    date: dt.date
    context: str


_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
# Full-width digits and separators → ASCII; one character for one, so offsets are preserved.
_TO_ASCII = str.maketrans("０１２３４５６７８９／－．ＲＨＳＴ", "0123456789/-.RHST")
_FULL_WIDTH_RE = re.compile("[０-９／－．ＲＨＳＴ]")

_DIGIT = "[0-9〇零一二三四五六七八九十百千]"
_NUM = rf"{_DIGIT}(?:[ \u3000]?{_DIGIT})*"
_SP = r"[ \u3000]*"
# `令和7年(2025年)1月24日`: the western year in parentheses after an era year is skipped.
_ERA_NAMES = "|".join(f"{name[0]}{_SP}{name[1]}" for name in ERAS)  # 令 和 (spaced by PDF extraction) too
# `令和7年(2025年)1月24日`, `2023年(令和5年)9月12日`: the year again in parentheses is skipped.
_YEAR_ASIDE = rf"(?:[(（]{_SP}(?:[0-9](?:[ \u3000]?[0-9]){{3}}|(?:{_ERA_NAMES}|[RHS]){_SP}(?:元|[0-9]{{1,2}})){_SP}年?{_SP}[)）]{_SP})?"
_MONTH_DAY = rf"{_SP}年{_SP}{_YEAR_ASIDE}(?P<m>{_NUM}){_SP}月{_SP}(?P<d>{_NUM}){_SP}日"
_ERA_DATE = re.compile(
    rf"(?:(?P<era>{_ERA_NAMES})|(?<![A-Za-z])(?P<abbr>[RHST])\.?){_SP}(?P<y>元|{_NUM}){_MONTH_DAY}"
)
_KANJI_WESTERN = re.compile(
    rf"(?<![0-9])(?P<y>[0-9](?:[ \u3000]?[0-9]){{3}}|[〇一二三四五六七八九]{{4}}){_MONTH_DAY}"
)
# Digits may be spaced out by PDF extraction (`2 0 2 4 - 0 7 - 1 7`): one space at most between them.
_D = r"[0-9]"
_SD = r"[ \u3000]?"
_NUMERIC = re.compile(
    rf"(?<![0-9])(?P<y>{_D}(?:{_SD}{_D}){{3}}){_SD}(?P<sep>[/.-]){_SD}(?P<m>{_D}(?:{_SD}{_D})?){_SD}(?P=sep)"
    rf"{_SD}(?P<d>{_D}(?:{_SD}{_D})?)(?!{_SD}[0-9])"
)
# `07/14/2020`: month/day/year, as some web systems print dates.
_US_NUMERIC = re.compile(
    rf"(?<![0-9/])(?P<m>{_D}(?:{_SD}{_D})?){_SD}/{_SD}(?P<d>{_D}(?:{_SD}{_D})?){_SD}/{_SD}(?P<y>{_D}(?:{_SD}{_D}){{3}})(?!{_SD}[0-9/])"
)
# `R5.9.12`, `H31.4.30`: an abbreviated era with dotted or slashed month and day, as forms write it.
_ERA_NUMERIC = re.compile(
    r"(?<![A-Za-z0-9])(?P<abbr>[RHS])(?P<y>[0-9]{1,2})(?P<sep>[./])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?![0-9./])"
)
# Two kanji that are not a known era, followed by an era-style year, month and day: `光文5年1月1日`.
_OTHER_ERA = re.compile(rf"(?P<era>[\u4e00-\u9fff]{{2}}){_SP}(?P<y>元|{_NUM}){_MONTH_DAY}")


_PATTERNS = (_ERA_DATE, _KANJI_WESTERN, _NUMERIC, _US_NUMERIC, _ERA_NUMERIC, _OTHER_ERA)


def parse_number(s: str) -> int:
    """ASCII, full-width or kanji numeral → int: `17`, `１７`, `十七`, `二十三`, `二〇二四`, `1 1`."""
    s = re.sub(r"[ \u3000]", "", s).translate(_TO_ASCII)
    if not s:
        raise DateError("empty number")
    if s.isascii() and s.isdigit():
        return int(s)
    if not any(ch in _KANJI_UNITS for ch in s):  # positional: 二〇二四
        return int("".join(str(_KANJI_DIGITS[ch]) if ch in _KANJI_DIGITS else ch for ch in s))
    total, current = 0, 0
    for ch in s:
        if ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
        elif ch in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[ch]
        else:
            current = current * 10 + int(ch)
    return total + current


def era_date(era: str, year: int, month: int, day: int) -> dt.date:
    """The western date of an era date; DateError for an unknown era, an impossible day or a year outside the era."""
    era = ERA_ABBREVIATIONS.get(era, era)
    if era not in ERAS:
        raise DateError(f"unknown era '{era}' (known: {', '.join(ERAS)})")
    info = ERAS[era]
    label = f"{era}{year}年{month}月{day}日"
    if year < 1:
        raise DateError(f"impossible date {label}: era years start at 1 (元年)")
    value = _make_date(info.first_year + year - 1, month, day, label)
    if value < info.start or (info.end is not None and value > info.end):
        last = info.end.isoformat() if info.end else "today"
        raise DateError(
            f"{label} ({value.isoformat()}) is outside the {era} era ({info.start.isoformat()} to {last})"
        )
    return value


def parse_date(s: str) -> dt.date:
    """Parse a string that is exactly one date (surrounding spaces allowed); DateError otherwise."""
    stripped = s.strip()
    norm = stripped.translate(_TO_ASCII)
    for pattern in _PATTERNS:
        match = pattern.fullmatch(norm)
        if match:
            return _match_date(match, stripped)
    raise DateError(f"not a date: '{stripped}'")


def find_dates(text: str) -> list[DateMatch]:
    """Every valid date in `text`, in order of position. Invalid ones are skipped (see `date_problems`)."""
    return list(_scan(text)[0])


def date_problems(text: str) -> list[str]:
    """Messages for date-like strings in `text` that are not valid dates (unknown era, impossible day)."""
    return list(_scan(text)[1])


def _to_ascii(text: str) -> str:
    """`text` with full-width digits and separators in ASCII (same length, so offsets hold)."""
    return text.translate(_TO_ASCII) if _FULL_WIDTH_RE.search(text) else text


@functools.lru_cache(maxsize=16)
def _scan(text: str) -> tuple[list[DateMatch], list[str]]:
    """(dates, problems) of `text`, cached: metadata asks several times about the same text.

    Callers copy the lists they change."""
    norm = _to_ascii(text)
    found: list[DateMatch] = []
    problems: list[str] = []
    taken = _Spans()
    for pattern in _PATTERNS:
        for match in pattern.finditer(norm):
            start, end = match.span()
            if taken.overlaps(start, end):
                continue
            if pattern is _OTHER_ERA and match["y"] != "元" and parse_number(match["y"]) > 99:
                continue  # a western year after a two-kanji word, e.g. 開催2024年…, is not an era date
            taken.add(start, end)
            try:
                value = _match_date(match, text[start:end])
            except DateError as exc:
                problems.append(str(exc))
                continue
            context = text[max(start - 30, 0) : end + 30]
            found.append(DateMatch(start, end, text[start:end], value, context))
    found.sort(key=lambda m: m.start)
    return found, problems


def _match_date(match: re.Match, original: str) -> dt.date:
    groups = match.groupdict()
    month, day = parse_number(groups["m"]), parse_number(groups["d"])
    era = re.sub(r"[ \u3000]", "", groups.get("era") or groups.get("abbr") or "")
    if era:
        year = 1 if groups["y"] == "元" else parse_number(groups["y"])
        try:
            return era_date(era, year, month, day)
        except DateError as exc:
            raise DateError(f"'{original}': {exc}") from None
    return _make_date(parse_number(groups["y"]), month, day, original)


def _make_date(year: int, month: int, day: int, label: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"impossible date {label} ({exc})") from None


# --- dates written without their year ------------------------------------------------------------

#: A month and day without a year: `2月8日`, `( 1月26日)`, `十一月十四日`.
_MONTH_DAY_ONLY = re.compile(
    rf"(?<![0-9〇零一二三四五六七八九十百千年])(?P<m>{_NUM}){_SP}月{_SP}(?P<d>{_NUM}){_SP}日"
)
#: A year without month and day: `令和5年`, `令和3年度`, `R5年度`, `2021年度`, `平成 9年`.
_YEAR_ONLY = re.compile(
    rf"(?:(?P<era>{_ERA_NAMES})|(?<![A-Za-z])(?P<abbr>[RHST])\.?){_SP}(?P<y>元|{_NUM}){_SP}年(?P<fy>度)?"
    rf"|(?<![0-9])(?P<wy>[0-9]{{4}}){_SP}年(?P<wfy>度)?"
)
#: A year with no era before it: `4年10月4日` (minutes that take the current era for granted).
_BARE_ERA_YEAR = re.compile(
    rf"(?<![0-9A-Za-z\u4e00-\u9fff])(?P<y>[0-9]{{1,2}}){_SP}年{_SP}(?P<m>[0-9]{{1,2}}){_SP}月{_SP}(?P<d>[0-9]{{1,2}}){_SP}日"
)
#: How far back (characters) a year may stand from the month and day it completes.
YEAR_CONTEXT_CHARS = 300


@dataclass(frozen=True)
class InferredDate:
    """A date completed from its context: `how` says with which convention."""

    match: DateMatch
    how: str


def infer_dates(text: str) -> tuple[list[InferredDate], list[str]]:
    """See `_infer_dates`; the lists returned are the caller's own."""
    found, problems = _infer_dates(text)
    return list(found), list(problems)


@functools.lru_cache(maxsize=16)
def _infer_dates(text: str) -> tuple[list[InferredDate], list[str]]:
    """Month-day dates completed with the year written before them, and the ones that cannot be.

    Conventions, in order:
    * the nearest year before the month and day (same heading or up to `YEAR_CONTEXT_CHARS`
      earlier): `令和 5年議会改革特別委員会( 1月26日)` is 2023-01-26;
    * a fiscal year (年度) runs from April to March, so its January to March fall in the next
      calendar year: `令和3年度 … 2月8日` is 2022-02-08;
    * a year without an era (`4年10月4日`) is in the era of the nearest era name written before
      it, else in the era that holds the western years written in the text.
    Returns the dates found and messages for month-day dates whose year the text does not give.
    """
    norm = _to_ascii(text)
    full = _scan(text)[0]
    taken = _Spans()
    for m in full:
        taken.add(m.start, m.end)
    years = list(_YEAR_ONLY.finditer(norm))
    year_ends = [y.end() for y in years]  # increasing: the matches do not overlap
    eras = [(m.end(), re.sub(r"[ \u3000]", "", m.group())) for m in re.finditer(_ERA_NAMES, norm)]
    era_ends = [end for end, _ in eras]
    found: list[InferredDate] = []
    problems: list[str] = []
    for match in _BARE_ERA_YEAR.finditer(norm):
        start, end = match.span()
        if taken.overlaps(start, end):
            continue
        before = bisect.bisect_right(era_ends, start)  # era names that end before the date
        era = eras[before - 1][1] if before else _context_era(norm, 0, full)  # no name before: western dates
        taken.add(start, end)
        if era is None:
            problems.append(f"'{text[start:end]}' has no era and the text names none")
            continue
        try:
            value = era_date(era, int(match["y"]), int(match["m"]), int(match["d"]))
        except DateError as exc:
            problems.append(f"'{text[start:end]}': {exc}")
            continue
        context = text[max(start - 30, 0) : end + 30]
        found.append(
            InferredDate(DateMatch(start, end, text[start:end], value, context), f"era {era} assumed")
        )
    for match in _MONTH_DAY_ONLY.finditer(norm):
        start, end = match.span()
        if taken.overlaps(start, end):
            continue
        before = bisect.bisect_right(year_ends, start)  # the nearest year before, if close enough
        year = years[before - 1] if before and start - year_ends[before - 1] <= YEAR_CONTEXT_CHARS else None
        if year is None:
            problems.append(f"'{text[start:end]}' has no year")
            continue
        try:
            month, day = parse_number(match["m"]), parse_number(match["d"])
            value, how = _complete(year, month, day)
        except DateError as exc:
            problems.append(f"'{text[start:end]}': {exc}")
            continue
        context = text[max(start - 30, 0) : end + 30]
        found.append(InferredDate(DateMatch(start, end, text[start:end], value, context), how))
    found.sort(key=lambda d: d.match.start)
    return found, problems


def _complete(year: re.Match, month: int, day: int) -> tuple[dt.date, str]:
    groups = year.groupdict()
    fiscal = bool(groups.get("fy") or groups.get("wfy"))
    if groups.get("wy"):
        western = int(groups["wy"])
    else:
        era = ERA_ABBREVIATIONS.get(
            groups.get("abbr") or "", re.sub(r"[ \u3000]", "", groups.get("era") or "")
        )
        number = 1 if groups["y"] == "元" else parse_number(groups["y"])
        if era not in ERAS:
            raise DateError(f"unknown era '{era}'")
        western = ERAS[era].first_year + number - 1
    how = "year from the heading"
    if fiscal and month <= 3:
        western, how = western + 1, "fiscal year: January to March fall in the next calendar year"
    return _make_date(western, month, day, f"{western}年{month}月{day}日"), how


class _Spans:
    """Disjoint spans kept sorted, so an overlap test looks at two neighbours (linear scans, not quadratic)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        at = bisect.bisect_right(self.starts, start)
        return bool((at and self.ends[at - 1] > start) or (at < len(self.starts) and self.starts[at] < end))

    def add(self, start: int, end: int) -> None:
        at = bisect.bisect_right(self.starts, start)
        self.starts.insert(at, start)
        self.ends.insert(at, end)


def _context_era(norm: str, position: int, full: list[DateMatch]) -> str | None:
    """The era of the nearest era name before `position`, else the era of the text's western dates."""
    best = None
    for match in re.finditer(_ERA_NAMES, norm[:position]):
        best = re.sub(r"[ \u3000]", "", match.group())
    if best:
        return best
    for match in full:
        for name, era in ERAS.items():
            if era.start <= match.date and (era.end is None or match.date <= era.end):
                return name
    return None
