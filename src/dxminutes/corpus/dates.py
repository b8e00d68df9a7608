"""Japanese dates: era dates (令和・平成・昭和・大正, 元年, kanji numerals) and western dates.

`find_dates(text)` returns every valid full date (year, month and day) found in a text with its
offsets; `parse_date(s)` parses a string that is one date. Digits may be ASCII, full-width or kanji
(`令和四年十一月十四日`, `二〇二四年`), with spaces between digits and units (`令和 7 年 1 1 月`).
Era abbreviations `R`, `H`, `S`, `T` are accepted (`R3年4月1日`). A fiscal year such as `R3年度`
is not a date and is not matched. Impossible dates and years outside their era raise `DateError`.
"""

from __future__ import annotations

import bisect
import datetime as dt
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

_DIGIT = "[0-9〇零一二三四五六七八九十百千]"
_NUM = rf"{_DIGIT}(?:[ \u3000]?{_DIGIT})*"
_SP = r"[ \u3000]*"
_MONTH_DAY = rf"{_SP}年{_SP}(?P<m>{_NUM}){_SP}月{_SP}(?P<d>{_NUM}){_SP}日"
_ERA_NAMES = "|".join(f"{name[0]}{_SP}{name[1]}" for name in ERAS)  # 令 和 (spaced by PDF extraction) too
_ERA_DATE = re.compile(
    rf"(?:(?P<era>{_ERA_NAMES})|(?<![A-Za-z])(?P<abbr>[RHST])\.?){_SP}(?P<y>元|{_NUM}){_MONTH_DAY}"
)
_KANJI_WESTERN = re.compile(rf"(?<![0-9])(?P<y>[0-9]{{4}}|[〇一二三四五六七八九]{{4}}){_MONTH_DAY}")
_NUMERIC = re.compile(
    r"(?<![0-9])(?P<y>[0-9]{4})(?P<sep>[/.-])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})(?![0-9])"
)
# Two kanji that are not a known era, followed by an era-style year, month and day: `光文5年1月1日`.
_OTHER_ERA = re.compile(rf"(?P<era>[\u4e00-\u9fff]{{2}}){_SP}(?P<y>元|{_NUM}){_MONTH_DAY}")


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
    for pattern in (_ERA_DATE, _KANJI_WESTERN, _NUMERIC, _OTHER_ERA):
        match = pattern.fullmatch(norm)
        if match:
            return _match_date(match, stripped)
    raise DateError(f"not a date: '{stripped}'")


def find_dates(text: str) -> list[DateMatch]:
    """Every valid date in `text`, in order of position. Invalid ones are skipped (see `date_problems`)."""
    return _scan(text)[0]


def date_problems(text: str) -> list[str]:
    """Messages for date-like strings in `text` that are not valid dates (unknown era, impossible day)."""
    return _scan(text)[1]


def _scan(text: str) -> tuple[list[DateMatch], list[str]]:
    norm = text.translate(_TO_ASCII)
    found: list[DateMatch] = []
    problems: list[str] = []
    # spans already taken: disjoint, kept sorted, so an overlap check looks at two neighbours only
    starts: list[int] = []
    ends: list[int] = []
    for pattern in (_ERA_DATE, _KANJI_WESTERN, _NUMERIC, _OTHER_ERA):
        for match in pattern.finditer(norm):
            start, end = match.span()
            at = bisect.bisect_right(starts, start)
            if (at and ends[at - 1] > start) or (at < len(starts) and starts[at] < end):
                continue
            if pattern is _OTHER_ERA and match["y"] != "元" and parse_number(match["y"]) > 99:
                continue  # a western year after a two-kanji word, e.g. 開催2024年…, is not an era date
            starts.insert(at, start)
            ends.insert(at, end)
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
