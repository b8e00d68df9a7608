"""Structured inputs: minutes already split into utterances, one per row or record.

`read_structured(path, columns=None)` reads

* **CSV / TSV** (`.csv`, `.tsv`; encoding detected like text files, delimiter `,` or tab) and
  **Excel** (`.xlsx`, every worksheet with a text column; read with python-calamine, openpyxl for
  a workbook it refuses): the header is the first
  of the top 20 rows that maps two or more fields including the text column (else the first that
  maps the text column); rows above it (a sheet title) are non-speech and give the meeting title
  (and date) when no column does. Header names are matched after NFKC, lower case and without
  spaces, `_`, `-`, `・` (`COLUMN_ALIASES`): text 発言内容/発言/本文/内容/text/speech/utterance/content,
  speaker 発言者/発言者名/話者/氏名/speaker/name, role 役職/肩書/職名/role/position/post, group
  (会派) 会派/政党/party/group, municipality 自治体名/自治体/市町村名/市区町村/municipality/city,
  prefecture 都道府県/prefecture, body 議会名/議会/body, meeting title 会議名/会議/委員会名/meeting/
  meeting_title, date 開催日/日付/会議日/年月日/date/meeting_date, document 会議録ID/文書/doc_id/
  meeting_id, order 発言順/番号/order/no/id. `Title` is the role when its values are posts (議長,
  委員, 課長) and the meeting title otherwise; `body` is the text when no other column is.
  `columns` (from `dxminutes.toml` `[columns]`) names a field's header before the synonyms. Only
  the text column is required: without one the file fails with one message naming its columns.
* **the 国会会議録検索システム API's JSON**: an object with a `speechRecord` list (the speech
  API) or a `meetingRecord` list whose items hold `speechRecord` (the meeting API); fields
  `speaker`, `speakerPosition`, `speakerRole`, `speakerGroup`, `speech`, `date`, `nameOfHouse`,
  `nameOfMeeting`, `issue`, `issueID`, `speechOrder`. Municipality `国`. The record with
  `speechOrder` 0 (the meeting's front matter, speaker `会議録情報`) is non-speech; the `○氏名君`
  that opens each `speech` is removed from the text.
* **PoliInfo-style JSON**: a list of utterance objects, or an object with one such list
  (under any key). Each object's keys are matched with the same aliases as CSV headers, so
  `Speaker`/`speaker`, `Utterance`/`utterance`/`text`, `Date`/`date`, `Municipality`,
  `Prefecture`, `ProceedingTitle`/`Meeting`, `MeetingID`/`ProceedingID`, `Role`/`Position`
  and `Order`/`ID` are accepted; only the utterance field is required.

A row's own columns decide its document: one document per distinct (document id, municipality,
prefecture, body, meeting title, date) of the rows (`KEY_FIELDS`; values compared after NFKC
without spaces, dates as ISO dates, so `2023/9/12` and `令和5年9月12日` are one date, and
`群馬県前橋市`, `前橋市議会` and `前橋市` one municipality), grouped with one `groupby`. Linear in
the rows: a CSV/TSV body is parsed by pandas' C parser (no cell-size limit; the `csv` module reads
the top rows and any text pandas refuses), and documents and turns are built column by column, one
turns table sliced per document. Cells beyond the header's width are dropped. A blank key cell
takes the value above it (merged cells, a meeting's name written on its first row only). Documents come in order of their first row, per
sheet; rows keep their order (sorted by the order column when there is one). Rows without text are
skipped and counted in a warning; a document with none is left out with a warning. Columns that are
not mapped are kept in each document's `turns` as extra columns.

The role of a turn comes from `roles.classify_role` on the role column (else the speaker label);
where it finds no role word, a speaker with a 会派 (group column, the Diet's `speakerGroup`) is a
`member` and a minister or other government post (`NATIONAL_OFFICIAL_WORDS`) an `official`.
"""

from __future__ import annotations

__all__ = ["COLUMN_ALIASES", "EXCEL_SERIAL_RANGE", "HEADER_SEARCH_ROWS", "KEY_FIELDS", "KOKKAI_FRONT_MATTER", "METADATA_COLUMNS", "NATIONAL_OFFICIAL_WORDS", "POST_OR_TITLE", "StructuredDocument", "StructuredFile", "header_field", "read_structured", "role_of"]  # fmt: skip

import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from dxminutes._progress import progress
from dxminutes.config import relpath
from dxminutes.corpus import roles
from dxminutes.corpus.dates import DateError, find_dates, parse_date
from dxminutes.corpus.places import PREFECTURES
from dxminutes.corpus.readers import InputError, decode_bytes, file_format, is_structured, read_bytes
from dxminutes.schema import SEGMENT_TURN_COLUMNS

#: Canonical field → header names. Compared after `_header_key` (NFKC, lower case, without spaces,
#: `_`, `-`, `・`), so `Meeting_Date`, `ＭＥＥＴＩＮＧ　ＤＡＴＥ` and `meetingdate` are one name.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "document": (
        "document",
        "doc",
        "doc_id",
        "document_id",
        "meeting_id",
        "proceeding_id",
        "issue_id",
        "文書",
        "文書ID",
        "会議録ID",
        "会議ID",
    ),
    "meeting_title": (
        "meeting_title",
        "meeting",
        "meeting_name",
        "proceeding_title",
        "name_of_meeting",
        "会議名",
        "会議",
        "会議名称",
        "会議録名",
        "委員会名",
        "会議体",
        "件名",
    ),
    "body": ("body", "議会名", "議会", "議会名称", "name_of_house", "house", "assembly", "council"),
    "municipality": (
        "municipality",
        "municipality_name",
        "city",
        "自治体",
        "自治体名",
        "市区町村",
        "市区町村名",
        "市町村",
        "市町村名",
        "団体名",
        "地方公共団体",
        "地方公共団体名",
    ),
    "prefecture": ("prefecture", "pref", "都道府県", "都道府県名"),
    "meeting_date": (
        "date",
        "meeting_date",
        "日付",
        "日時",
        "開催日",
        "開催日時",
        "開催年月日",
        "会議日",
        "会議日時",
        "会議年月日",
        "開会日",
        "年月日",
    ),
    "speaker": (
        "speaker",
        "speaker_name",
        "name",
        "発言者",
        "発言者名",
        "発言者氏名",
        "議員名",
        "話者",
        "氏名",
        "名前",
    ),
    "role": (
        "role",
        "position",
        "post",
        "speaker_position",
        "speaker_role",
        "役職",
        "役職名",
        "職名",
        "肩書",
        "肩書き",
        "役割",
    ),
    "group": ("group", "speaker_group", "party", "会派", "会派名", "所属会派", "政党", "政党名"),
    "text": (
        "text",
        "speech",
        "speech_text",
        "utterance",
        "content",
        "comment_body",
        "transcript",
        "発言",
        "発言内容",
        "発言文",
        "発言本文",
        "発言要旨",
        "発言テキスト",
        "本文",
        "内容",
    ),
    "order": ("order", "speech_order", "no", "number", "id", "発言順", "発言番号", "順番", "番号"),
}
#: Header names that are a post (役職) when the column's values are posts, else a meeting title.
POST_OR_TITLE = ("title",)
#: How many rows from the top the header row of a table is looked for in.
HEADER_SEARCH_ROWS = 20
#: Columns whose values decide a row's document (in this order in the document key).
KEY_FIELDS = ("document", "municipality", "prefecture", "body", "meeting_title", "meeting_date")
#: Metadata fields a column may give (the first value of the document).
METADATA_COLUMNS = ("municipality", "prefecture", "body", "meeting_title", "meeting_date")
#: Excel serial day numbers read as dates in a date column: 1950-01-01 to 2099-12-31.
EXCEL_SERIAL_RANGE = (18264, 73050)
#: Government posts of national bodies that `roles.ROLE_WORDS` does not list.
NATIONAL_OFFICIAL_WORDS = ("大臣", "政務官", "長官", "政府参考人", "政府特別補佐人", "内閣法制局")
#: The front-matter record of the Diet API.
KOKKAI_FRONT_MATTER = "会議録情報"
_KOKKAI_SPEAKER_PREFIX = re.compile(r"^\s*○[^\s\u3000]{1,40}?[\s\u3000]+")
#: A speaker label that opens a cell's text (`○浮島委員長　…`, `○委員長（河野義博君）　…`).
_LEADING_LABEL = re.compile(r"^\s*[○◯〇◎●◆]\s?(?P<label>[^\s\u3000]{1,40}?)[\s\u3000]+(?=\S)")
#: Rows of a CSV/TSV file parsed per chunk (one step of the progress bar).
CSV_CHUNK_ROWS = 100_000
#: A CSV cell may be this long (the csv module's default limit, 131072 characters, is far below
#: what a whole meeting in one cell needs); pandas' C parser, which reads the body, has no limit.
CSV_FIELD_LIMIT = 2**31 - 1
#: Text-column names shown in the message about a missing text column.
_TEXT_NAMES = "発言内容, 発言, 本文, text, speech, utterance"


csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))


def _header_key(name: object) -> str:
    return re.sub(r"[\s_\-・]", "", unicodedata.normalize("NFKC", str(name or ""))).lower()


#: Header key → field (built once from `COLUMN_ALIASES`).
_ALIAS_FIELD: dict[str, str] = {
    _header_key(alias): canonical for canonical, aliases in COLUMN_ALIASES.items() for alias in aliases
}


@dataclass(frozen=True)
class StructuredDocument:
    """One document of a structured file: its key (None: the whole file), turns and metadata."""

    key: str | None
    turns: pd.DataFrame  # SEGMENT_TURN_COLUMNS, then the unmapped columns of the rows
    metadata: dict[str, str | None]
    non_speech: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class StructuredFile:
    path: str
    format: str
    encoding: str
    documents: tuple[StructuredDocument, ...]
    columns: dict[str, str] = field(default_factory=dict)  # field → header used
    warnings: tuple[str, ...] = ()


def read_structured(path: Path | str, columns: Mapping[str, Sequence[str]] | None = None) -> StructuredFile:
    """Read a CSV, TSV, Excel or JSON file of utterances (see the module docstring).

    `columns` is a declared mapping (`dxminutes.toml` `[columns]`: field → header names), used
    before the built-in synonyms.
    """
    path = Path(path)
    if not is_structured(path):
        raise InputError(path, "not a structured file (.csv, .tsv, .xlsx, .json)")
    declared = {name: tuple(names) for name, names in (columns or {}).items()}
    fmt = file_format(path)
    data = read_bytes(path)
    if not data.strip():
        raise InputError(path, "empty file")
    if fmt == "xlsx":
        return _from_tables(path, fmt, "xlsx", _xlsx_tables(path, data), (), declared)
    text, encoding, warnings = decode_bytes(path, data)
    if fmt == "json":
        return _from_json(path, text, encoding, warnings, declared)
    delimiter = "\t" if fmt == "tsv" else _delimiter(text)
    table = _delimited_table(path, text.replace("\r\n", "\n"), delimiter)
    return _from_tables(path, fmt, encoding, [table], warnings, declared)


def header_field(name: object) -> str | None:
    """The canonical field of a header name (`発言者` → speaker, `Utterance` → text), or None.

    `Title` (`POST_OR_TITLE`) is `meeting_title` here; in a table it is the role when its values are posts.
    """
    key = _header_key(name)
    return "meeting_title" if key in POST_OR_TITLE else _ALIAS_FIELD.get(key)


def role_of(role_label: str, speaker_label: str = "", group: str = "") -> str:
    """`roles.classify_role` on the role column (else the speaker label), with two national additions."""
    for label in (role_label, speaker_label):
        if label:
            role = roles.classify_role(unicodedata.normalize("NFKC", label))
            if role != "unknown":
                return role
    label = f"{role_label}{speaker_label}"
    if any(word in label for word in NATIONAL_OFFICIAL_WORDS):
        return "official"
    if group:
        return "member"  # a legislator's parliamentary group (会派)
    return "unknown"


# --- tables (CSV, TSV, Excel) -------------------------------------------------------------------


@dataclass(frozen=True)
class _Table:
    """One table of a structured file: its first records (raw cells, for the header search) and
    `body(start, width)`, the cells (str, '' when missing) of the records from `start` on, cut or
    padded to `width` columns (labelled 0 … width-1), blank rows kept."""

    sheet: str | None
    top: Iterable[list]
    body: Callable[[int, int], pd.DataFrame]


def _list_table(sheet: str | None, rows: list[list]) -> _Table:
    """A table held as lists of cells (Excel, the slow CSV path)."""

    def body(start: int, width: int) -> pd.DataFrame:
        cells = [[_cell(c) for c in row[:width]] + [""] * (width - len(row)) for row in rows[start:]]
        return pd.DataFrame(cells, columns=range(width), dtype=object) if cells else _empty(width)

    return _Table(sheet, rows, body)


def _delimited_table(path: Path, text: str, delimiter: str) -> _Table:
    """A CSV/TSV table: the top records with the `csv` module, the body with pandas' C parser in
    chunks of `CSV_CHUNK_ROWS` (progress shown per chunk). Should pandas refuse the text, the
    `csv` module reads it all (same cells, slower)."""

    def top():  # lines handed over one by one: no copy of the whole text for twenty rows
        yield from csv.reader(_lines(text), delimiter=delimiter)

    def body(start: int, width: int) -> pd.DataFrame:
        try:
            reader = pd.read_csv(
                io.BytesIO(text.encode("utf-8", "surrogatepass")),  # bytes: pandas' text wrapper is quadratic
                encoding="utf-8",
                encoding_errors="surrogatepass",
                sep=delimiter,
                header=None,
                names=range(width),
                usecols=range(width),  # longer rows are cut to the header, as the csv path does
                dtype=object,
                na_filter=False,
                keep_default_na=False,
                skip_blank_lines=False,  # one row per record, so `start` counts like csv.reader
                engine="c",
                chunksize=CSV_CHUNK_ROWS,
            )
            total = -(-text.count("\n") // CSV_CHUNK_ROWS) or None
            chunks = list(progress(reader, total=total, desc=f"reading {path.name}", quiet=(total or 0) < 2))
        except (pd.errors.ParserError, ValueError, csv.Error):
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
            return _list_table(None, rows).body(start, width)
        if not chunks:
            return _empty(width)
        frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
        return frame.iloc[start:].reset_index(drop=True)

    return _Table(None, _Lazy(top), body)


def _lines(text: str):
    """The lines of `text` (each with its `\\n`), made one at a time."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


class _Lazy:
    """An iterable made anew by a function at each iteration (the csv records of a text)."""

    def __init__(self, make):
        self.make = make

    def __iter__(self):
        return iter(self.make())


def _empty(width: int) -> pd.DataFrame:
    return pd.DataFrame({i: pd.Series([], dtype=object) for i in range(width)})


def _from_tables(path, fmt, encoding, tables, warnings, declared) -> StructuredFile:
    frames, columns, warnings = [], {}, list(warnings)
    no_text = []  # (sheet, header) of tables without a text column
    for table in tables:
        sheet = table.sheet
        # the first non-blank records, with their record numbers (the header is one of them)
        top = list(
            itertools.islice(
                ((i, row) for i, row in enumerate(table.top) if any(_cell(c) for c in row)),
                HEADER_SEARCH_ROWS,
            )
        )
        if not top:
            continue
        rows = [row for _, row in top]
        # the header is the first row that maps >= 2 fields including the text column; rows above
        # it (a sheet title such as `令和5年第3回定例会 発言一覧`) are kept as non-speech
        at = _header_row(rows, declared)
        preamble = tuple(" ".join(_cell(c) for c in row if _cell(c)) for row in rows[:at])
        header = [_cell(c) for c in rows[at]]
        width = len(header)
        body = table.body(top[at][0] + 1, width)
        body = body.loc[(body != "").any(axis=1)] if width else body.iloc[:0]
        frame = body.set_axis(_unique(header), axis=1).reset_index(drop=True)
        mapping = _mapping(header, declared, frame)
        if "text" not in mapping:
            no_text.append((sheet, header))
            continue
        named = {name: frame.columns[i] for name, i in mapping.items()}
        columns = columns or {name: header[i] for name, i in mapping.items()}
        warnings += _undeclared(declared, header)
        frames.append((sheet, frame, named, preamble))
    if not frames:
        raise InputError(path, _no_text_problem(no_text, declared))
    warnings += [f"sheet {sheet!r} has no text column; skipped" for sheet, _ in no_text if sheet is not None]
    documents = []
    per_sheet = len(frames) > 1
    for sheet, frame, named, preamble in frames:
        for i, doc in enumerate(_documents(frame, named, sheet if per_sheet else None)):
            metadata = dict(doc.metadata)
            if preamble and not metadata["meeting_title"]:
                metadata["meeting_title"] = preamble[0]
                if not metadata["meeting_date"]:
                    metadata["meeting_date"] = next((iso for iso in map(_iso_date, preamble) if iso), None)
            # the title rows are the sheet's, stored once: with its first document
            non_speech = preamble + doc.non_speech if i == 0 else doc.non_speech
            documents.append(replace(doc, metadata=metadata, non_speech=non_speech))
    return _file(path, fmt, encoding, documents, columns, warnings)


def _file(path, fmt, encoding, documents, columns, warnings) -> StructuredFile:
    """The file's documents with text; a document whose rows have no text is left out with a warning."""
    kept = [doc for doc in documents if len(doc.turns)]
    if not kept:
        text = columns.get("text", "text")
        raise InputError(path, f"no row with text in column {text} (columns: {', '.join(columns.values())})")
    warnings = list(warnings) + [
        f"document {doc.key or '(whole file)'}: no row with text; left out"
        for doc in documents
        if not len(doc.turns)
    ]
    return StructuredFile(relpath(path), fmt, encoding, tuple(kept), columns, tuple(dict.fromkeys(warnings)))


def _header_row(rows: list[list], declared: Mapping[str, Sequence[str]]) -> int:
    """The first of the top rows that maps >= 2 fields including the text column (else the first
    that maps the text column, else the first row)."""
    first_text = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = _mapping([_cell(c) for c in row], declared)
        if "text" in mapping:
            if len(mapping) >= 2:
                return i
            first_text = i if first_text is None else first_text
    return first_text or 0


def _no_text_problem(tables: list[tuple[str | None, list[str]]], declared) -> str:
    """The message for a file without a text column: which columns it has, and how to name one."""

    def names(header):
        return ", ".join(h for h in header if h) or "none"

    if declared.get("text"):
        wanted = " or ".join(declared["text"])
        problem = f"no text column: the declared column {wanted} (dxminutes.toml [columns] text) is not in the header"
    else:
        problem = (
            f"no text column (a header such as {_TEXT_NAMES}, or declare it in dxminutes.toml [columns] text)"
        )
    if len(tables) == 1 and tables[0][0] is None:
        return f"{problem}; columns: {names(tables[0][1])}"
    sheets = "; ".join(f"sheet {sheet!r}: {names(header)}" for sheet, header in tables)
    return f"{problem} in any sheet; columns of {sheets}"


def _undeclared(declared, header: list[str]) -> list[str]:
    """Warnings for declared columns that the header does not hold (the synonyms are used instead)."""
    return [
        f"declared column {' or '.join(names)} for {name} (dxminutes.toml [columns]) not in the header "
        f"({', '.join(h for h in header if h)})"
        for name, names in declared.items()
        if not any(_header_key(n) in map(_header_key, header) for n in names)
    ]


def _documents(frame: pd.DataFrame, mapping: dict[str, str], sheet: str | None) -> list[StructuredDocument]:
    """One document per distinct (document, municipality, prefecture, body, meeting, date) of the rows.

    A blank key cell takes the value above it (merged cells, values written on a meeting's first row
    only). Documents come in order of their first row; rows keep their order (the order column's,
    when there is one). Columnar: one groupby, one stable sort, one pass over the rows, one turns
    table cut into the documents' slices.
    """
    n = len(frame)
    fields = [name for name in KEY_FIELDS if name in mapping]
    if fields:
        filled = {name: _filled(frame[mapping[name]]) for name in fields}
        keys = pd.DataFrame({name: _group_value(name, values) for name, values in filled.items()})
        group = keys.groupby(fields, sort=False).ngroup().to_numpy(dtype=np.int64)
        n_groups = int(group.max()) + 1 if n else 0
    else:
        group, n_groups = np.zeros(n, dtype=np.int64), 1
    if "order" in mapping:  # by the order column within a document, unreadable numbers last, stably
        number = pd.to_numeric(frame[mapping["order"]], errors="coerce").to_numpy(dtype=float)
        missing = np.isnan(number)
        index = np.lexsort((np.where(missing, 0.0, number), missing, group))
    else:
        index = np.argsort(group, kind="stable")
    first = (
        np.unique(group, return_index=True)[1] if n else np.zeros(1, dtype=np.int64)
    )  # a document's first row
    group = group[index]

    def column(name: str | None) -> list:
        if name is None:
            return [""] * n
        return frame[name].to_numpy(dtype=object)[index].tolist()

    def stripped(name: str | None) -> list[str]:
        return [t.strip() if type(t) is str else _cell(t).strip() for t in column(name)]

    texts = stripped(mapping["text"])
    speakers = stripped(mapping.get("speaker"))
    role_labels = stripped(mapping.get("role"))
    groups = stripped(mapping.get("group"))
    keep = np.fromiter((bool(t) for t in texts), dtype=bool, count=n)
    skipped = np.bincount(group[~keep], minlength=n_groups)
    mapped = set(mapping.values())
    extra = [c for c in frame.columns if c not in mapped]
    names: dict[tuple[str, str], str] = {}
    kinds: dict[tuple[str, str, str], str] = {}
    data: dict[str, list] = {name: [] for name in SEGMENT_TURN_COLUMNS if name != "position"}
    for text, speaker_label, role_label, group_label in zip(texts, speakers, role_labels, groups):
        if not text:
            continue
        if speaker_label or role_label:
            text = _without_label(text, speaker_label, role_label)
        data["text"].append(text)
        data["speaker_label"].append(
            f"{speaker_label}({role_label})" if speaker_label and role_label else speaker_label or role_label
        )
        name = names.get((speaker_label, role_label))
        if name is None:
            name = names[speaker_label, role_label] = _speaker_name(speaker_label) or role_label or "不明"
        data["speaker"].append(name)
        kind = kinds.get((role_label, speaker_label, group_label))
        if kind is None:
            kind = kinds[role_label, speaker_label, group_label] = role_of(
                role_label, speaker_label, group_label
            )
        data["role"].append(kind)
    kept_group = group[keep]
    counts = np.bincount(kept_group, minlength=n_groups)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if n_groups else np.zeros(0, dtype=np.int64)
    position = np.arange(len(kept_group), dtype=np.int64) - starts[kept_group] if n_groups else kept_group
    turns = pd.DataFrame(
        {
            "position": position.astype(np.int64),
            **data,
            **{
                c: [v if type(v) is str else _cell(v) for v in np.asarray(column(c), dtype=object)[keep]]
                for c in extra
            },
        },
        columns=[*SEGMENT_TURN_COLUMNS, *extra],
    )
    dates: dict[str, str | None] = {}
    out = []
    for g in range(n_groups):
        row = int(first[g]) if n else 0
        values = {name: filled[name].iat[row] or None for name in fields}
        if fields:
            shown = {
                **values,
                "meeting_date": keys["meeting_date"].iat[row] if "meeting_date" in keys else None,
            }
            parts = ([sheet] if sheet else []) + list(
                dict.fromkeys(v for name in fields if (v := shown[name]))
            )
            key = " | ".join(parts) or None
        else:
            key = sheet
        metadata = {name: values.get(name) for name in METADATA_COLUMNS}
        warnings = []
        if metadata["meeting_date"]:
            given = metadata["meeting_date"]
            if given not in dates:
                dates[given] = _iso_date(given)
            if dates[given] is None:
                warnings.append(f"date '{given}' not understood; left empty")
            metadata["meeting_date"] = dates[given]
        if skipped[g]:
            warnings.append(f"{int(skipped[g])} row(s) without text skipped")
        if counts[g]:
            rows = turns.iloc[int(starts[g]) : int(starts[g] + counts[g])].reset_index(drop=True)
        else:
            rows = pd.DataFrame(columns=[*SEGMENT_TURN_COLUMNS, *extra])
        out.append(StructuredDocument(key, rows, metadata, (), tuple(warnings)))
    return out


def _filled(column: pd.Series) -> pd.Series:
    """Stripped cell values, a blank one taking the value above it."""
    values = column.fillna("").astype(str).str.strip()
    return values.mask(values == "").ffill().fillna("")


def _group_value(name: str, values: pd.Series) -> pd.Series:
    """The values rows are grouped by: NFKC without spaces; dates as ISO dates where understood; a
    municipality without a leading prefecture or a trailing 議会 (`群馬県前橋市`, `前橋市議会` → 前橋市)."""
    distinct = {value: re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)) for value in values.unique()}
    if name == "meeting_date":
        distinct = {value: _iso_date(value) or key for value, key in distinct.items()}
    elif name == "municipality":
        distinct = {value: _municipality_key(key) for value, key in distinct.items()}
    return values.map(distinct)


def _municipality_key(name: str) -> str:
    name = name.removesuffix("議会") or name
    prefecture = next((p for p in PREFECTURES if name.startswith(p) and len(name) > len(p)), None)
    return name[len(prefecture) :] if prefecture else name


def _ordered(rows: pd.DataFrame, mapping: dict[str, str]) -> pd.DataFrame:
    if "order" not in mapping:
        return rows
    order = pd.to_numeric(rows[mapping["order"]], errors="coerce")
    return rows.assign(_order=order).sort_values("_order", kind="mergesort").drop(columns="_order")


def _document(
    key,
    rows: pd.DataFrame,
    mapping: dict[str, str],
    values: dict | None = None,
    group_column: str | None = None,
) -> StructuredDocument:
    """The turns of one document's rows; `values`: its key columns' values (default: the first of each)."""
    text_col, speaker_col, role_col = mapping["text"], mapping.get("speaker"), mapping.get("role")
    group_column = group_column or mapping.get("group")
    mapped = set(mapping.values())
    extra = [c for c in rows.columns if c not in mapped]
    records, skipped = [], 0
    for row in rows.to_dict("records"):
        text = _cell(row.get(text_col)).strip()
        if not text:
            skipped += 1
            continue
        speaker_label = _cell(row.get(speaker_col)).strip() if speaker_col else ""
        role_label = _cell(row.get(role_col)).strip() if role_col else ""
        text = _without_label(text, speaker_label, role_label)
        group = _cell(row.get(group_column)).strip() if group_column else ""
        label = (
            f"{speaker_label}({role_label})" if speaker_label and role_label else speaker_label or role_label
        )
        records.append(
            {
                "position": len(records),
                "speaker_label": label,
                "speaker": _speaker_name(speaker_label) or role_label or "不明",
                "role": role_of(role_label, speaker_label, group),
                "text": text,
                **{column: _cell(row.get(column)) for column in extra},
            }
        )
    turns = pd.DataFrame(records, columns=[*SEGMENT_TURN_COLUMNS, *extra])
    turns = turns.astype({"position": "int64"}) if records else turns
    metadata, warnings = {}, []
    for name in METADATA_COLUMNS:
        if values is not None and name in values:
            metadata[name] = values[name]
            continue
        column = mapping.get(name)
        found = [v.strip() for v in rows[column].fillna("").astype(str)] if column else []
        metadata[name] = next((v for v in found if v), None)
    if metadata["meeting_date"]:
        iso = _iso_date(metadata["meeting_date"])
        if iso is None:
            warnings.append(f"date '{metadata['meeting_date']}' not understood; left empty")
        metadata["meeting_date"] = iso
    if skipped:
        warnings.append(f"{skipped} row(s) without text skipped")
    return StructuredDocument(key, turns, metadata, (), tuple(warnings))


# --- JSON ------------------------------------------------------------------------------------------


def _from_json(path: Path, text: str, encoding: str, warnings, declared=None) -> StructuredFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise InputError(
            path, "JSON nested too deeply to read (arrays or objects inside each other)"
        ) from None
    if isinstance(data, dict) and ("speechRecord" in data or "meetingRecord" in data):
        return _from_kokkai(path, data, encoding, warnings)
    records = data
    if isinstance(data, dict):
        lists = [
            value
            for value in data.values()
            if isinstance(value, list) and value and isinstance(value[0], dict)
        ]
        if len(lists) != 1:
            raise InputError(path, "JSON object without one list of utterance records")
        records = lists[0]
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputError(path, "JSON is not a list of utterance records (objects)")
    header = list(dict.fromkeys(key for record in records for key in record))
    frame = pd.DataFrame([[_cell(r.get(k)) for k in header] for r in records], columns=header, dtype="str")
    mapping = _mapping(header, declared, frame)
    if "text" not in mapping:
        raise InputError(
            path,
            f"no utterance field (utterance, text, speech, 発言, or declare it in dxminutes.toml [columns] text;"
            f" fields: {', '.join(header)})",
        )
    named = {name: header[i] for name, i in mapping.items()}
    warnings = list(warnings) + _undeclared(declared or {}, header)
    return _file(path, "json", encoding, _documents(frame, named, None), named, warnings)


def _records(path: Path, value, field: str) -> list[dict]:
    """The list of objects in a 国会会議録 JSON field, or one clear error naming the field."""
    items = value or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        found = (
            type(items).__name__
            if not isinstance(items, list)
            else type(next(item for item in items if not isinstance(item, dict))).__name__
        )
        raise InputError(path, f"国会会議録 JSON: `{field}` must be a list of objects (found {found})")
    return items


def _from_kokkai(path: Path, data: dict, encoding: str, warnings) -> StructuredFile:
    speeches = list(_records(path, data.get("speechRecord"), "speechRecord"))
    for meeting in _records(path, data.get("meetingRecord"), "meetingRecord"):
        for speech in _records(path, meeting.get("speechRecord"), "meetingRecord[].speechRecord"):
            speeches.append({**{k: v for k, v in meeting.items() if k != "speechRecord"}, **speech})
    if not speeches:
        raise InputError(path, "国会会議録 JSON without speech records")
    meetings: dict[str, list[dict]] = {}
    for speech in speeches:
        key = speech.get("issueID") or "|".join(
            str(speech.get(k) or "") for k in ("nameOfHouse", "nameOfMeeting", "issue", "date")
        )
        meetings.setdefault(str(key), []).append(speech)
    documents = []
    for key, items in meetings.items():
        items = sorted(items, key=lambda s: _number(s.get("speechOrder")))
        front = [
            s for s in items if _number(s.get("speechOrder")) == 0 or s.get("speaker") == KOKKAI_FRONT_MATTER
        ]
        spoken = [s for s in items if s not in front]
        rows = pd.DataFrame(
            [
                {
                    "speaker": _cell(s.get("speaker")),
                    # position then role, so the role (参考人, 証人) is the last word classify_role reads
                    "role": _cell(s.get("speakerPosition")) + _cell(s.get("speakerRole"))
                    or _kokkai_mark_label(_cell(s.get("speech"))),
                    "group": _cell(s.get("speakerGroup")),
                    "text": _KOKKAI_SPEAKER_PREFIX.sub("", _cell(s.get("speech")), count=1),
                    "speechOrder": _cell(s.get("speechOrder")),
                    "speechID": _cell(s.get("speechID")),
                    "speakerPosition": _cell(s.get("speakerPosition")),
                }
                for s in spoken
            ],
            columns=["speaker", "role", "group", "text", "speechOrder", "speechID", "speakerPosition"],
            dtype="str",
        )
        first = items[0]
        mapping = {
            "speaker": "speaker",
            "role": "role",
            "text": "text",
            "order": "speechOrder",
            "group": "group",
        }
        doc = _document(key, rows, mapping, group_column="group")
        title = "".join(_cell(first.get(k)) for k in ("nameOfHouse", "nameOfMeeting"))
        issue = _cell(first.get("issue"))
        metadata = {
            "municipality": "国",
            "prefecture": None,
            "meeting_title": f"{title} {issue}".strip() or None,
            "meeting_date": _iso_date(_cell(first.get("date"))),
        }
        non_speech = tuple(_cell(s.get("speech")) for s in front if _cell(s.get("speech")))
        documents.append(StructuredDocument(key, doc.turns, metadata, non_speech, doc.warnings))
    columns = {
        "speaker": "speaker",
        "role": "speakerRole/speakerPosition",
        "text": "speech",
        "order": "speechOrder",
    }
    return StructuredFile(relpath(path), "json", encoding, tuple(documents), columns, tuple(warnings))


# --- helpers -----------------------------------------------------------------------------------------


def _kokkai_mark_label(speech: str) -> str:
    """The label of a speech's opening mark (`○石井委員　…` → `石井委員`), the role's only trace
    when a record gives neither speakerPosition nor speakerRole (a member without a 会派 field)."""
    match = _LEADING_LABEL.match(speech)
    return match.group("label") if match else ""


def _xlsx_tables(path: Path, data: bytes) -> list[_Table]:
    """Every worksheet of a workbook as a table: read with python-calamine (Rust, several times
    faster), else with openpyxl in read-only mode (a workbook calamine refuses, or without it)."""
    try:
        return _calamine_tables(data)
    except Exception:  # calamine refuses it: openpyxl decides, and names the problem
        return _openpyxl_tables(path, data)


def _calamine_tables(data: bytes) -> list[_Table]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    try:
        return [
            _list_table(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
            for name in book.sheet_names
            if name in {sheet.name for sheet in book.sheets_metadata if str(sheet.typ).endswith("WorkSheet")}
        ]
    finally:
        with contextlib.suppress(AttributeError):
            book.close()


def _openpyxl_tables(path: Path, data: bytes) -> list[_Table]:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(path, f"not a readable Excel .xlsx file ({type(exc).__name__}: {exc})") from None
    try:
        return [
            _list_table(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)])
            for sheet in book.worksheets
        ]
    finally:
        book.close()


def _mapping(
    header: list, declared: Mapping[str, Sequence[str]] | None = None, frame: pd.DataFrame | None = None
) -> dict[str, int]:
    """Field → index of its column: the declared header first, else the first synonym (`COLUMN_ALIASES`).

    `frame` holds the cells (column i under header i): a `Title` column is the role when its values are posts
    (議長, 委員, 課長), else the meeting title. A `body` column is the text when nothing else is.
    """
    keys = [_header_key(name) for name in header]
    mapping: dict[str, int] = {}
    for name, names in (declared or {}).items():
        index = next((keys.index(k) for k in map(_header_key, names) if k in keys), None)
        if index is not None and index not in mapping.values():
            mapping[name] = index
    ambiguous = []
    for i, key in enumerate(keys):
        if i in mapping.values():
            continue
        if key in POST_OR_TITLE:
            ambiguous.append(i)
        elif (canonical := _ALIAS_FIELD.get(key)) and canonical not in mapping:
            mapping[canonical] = i
    for i in ambiguous:
        name = "role" if frame is not None and _looks_like_posts(frame.iloc[:, i]) else "meeting_title"
        mapping.setdefault(name, i)
    if "text" not in mapping and "body" in mapping and keys[mapping["body"]] == "body":
        mapping["text"] = mapping.pop("body")  # `body` of a speech, not of a council
    return mapping


def _looks_like_posts(values: pd.Series) -> bool:
    """True when most distinct values are short labels that name a role (議長, 委員, 情報政策課長)."""
    distinct = [v for v in dict.fromkeys(values.fillna("").astype(str).str.strip()) if v][:200]
    if not distinct:
        return False
    posts = sum(
        len(v) <= 12
        and not re.search(r"\d|会議?$|会$", unicodedata.normalize("NFKC", v))
        and roles.classify_role(unicodedata.normalize("NFKC", v)) != "unknown"
        for v in distinct
    )
    return posts * 2 > len(distinct)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if hasattr(value, "isoformat"):  # Excel dates and datetimes
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"column_{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out


def _delimiter(text: str) -> str:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return "\t" if first.count("\t") > first.count(",") else ","


def _without_label(text: str, speaker: str, role: str) -> str:
    """The text without a speaker label that repeats the row's speaker (`○浮島委員長　これより…`).

    Only a marked label naming the speaker (its first two characters) or the post is removed, so a
    speech that opens with `○` for another reason keeps it.
    """
    match = _LEADING_LABEL.match(text)
    if not match:
        return text
    label = unicodedata.normalize("NFKC", match["label"])
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", speaker))
    if (len(name) >= 2 and name[:2] in label) or (role and unicodedata.normalize("NFKC", role) in label):
        return text[match.end() :]
    return text


def _speaker_name(label: str) -> str:
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", label)).replace("髙", "高")
    return re.sub(r"(?:君|氏|さん|様)$", "", name) or name


def _number(value: object) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("inf")


def _iso_date(value: str | None) -> str | None:
    """An ISO date from a cell, or None: `2023-09-12`, `2023-09-12 10:00:00`, `2023/9/12`, `20230912`,
    `令和5年9月12日`, an Excel date, or an Excel serial day number written out (`45181`)."""
    if not value:
        return None
    value = unicodedata.normalize("NFKC", value).strip()
    if match := re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value):
        value = "-".join(match.groups())
    elif match := re.fullmatch(r"(\d{5})(?:\.\d+)?", value):
        serial = int(match[1])
        if EXCEL_SERIAL_RANGE[0] <= serial <= EXCEL_SERIAL_RANGE[1]:
            return (dt.date(1899, 12, 30) + dt.timedelta(days=serial)).isoformat()
        return None
    elif match := re.match(r"(\d{4}-\d{1,2}-\d{1,2})[T ]\d", value):
        value = match[1]
    try:
        return parse_date(value).isoformat()
    except DateError:
        found = find_dates(value)
        return found[0].date.isoformat() if found else None
