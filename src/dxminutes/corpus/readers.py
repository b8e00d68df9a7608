"""Raw files → text: format dispatch, encoding detection, newline normalisation, clear errors.

Supported formats are plain text (`.txt`), HTML (`.html`, `.htm`: the markup is returned as is,
cleaning strips it), PDF (`.pdf`: the text layer, read with pdfminer.six) and Word (`.docx`:
paragraphs and table cells, read with python-docx, then cleaned and segmented like text).
Structured files (`.csv`, `.tsv`, `.xlsx`, `.json`: one utterance per row) are read by
`corpus.structured`, which yields turns directly; `is_structured(path)` tells them apart.

Encodings are detected without chardet: a byte-order mark wins; otherwise every candidate in
`CANDIDATE_ENCODINGS` that decodes the bytes strictly is scored by how Japanese the result looks.
UTF-16 without a BOM is recognised when it decodes to mostly Japanese or ASCII text. A file that
no candidate decodes strictly, but one decodes except for a few bytes (a truncated last character,
a stray byte of another encoding), is read with those bytes replaced by U+FFFD and a warning
giving their offsets; it fails only when most of it is undecodable.

Only regular files are read: a FIFO, a device or a symbolic-link loop is refused, never waited on.
Files are only ever opened for reading.
"""

from __future__ import annotations

__all__ = ["CANDIDATE_ENCODINGS", "FORMATS", "MAX_OFFSETS_LISTED", "MAX_UNDECODABLE_SHARE", "PDFMINER_LOGGER", "PDFMINER_LOG_LEVEL", "STRUCTURED_FORMATS", "InputError", "RawText", "decode_bytes", "file_format", "is_structured", "japanese_score", "read_bytes", "read_raw"]  # fmt: skip

import codecs
import contextlib
import errno
import logging
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dxminutes.config import relpath
from dxminutes.normalize import normalize_newlines

#: File extension → format name.
FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}
#: Structured formats (one utterance per row), read by `corpus.structured`.
STRUCTURED_FORMATS = {".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx", ".json": "json"}
#: A lenient decoding is refused when more than this share of the bytes cannot be decoded.
MAX_UNDECODABLE_SHARE = 0.5
#: How many offsets of replaced bytes a warning lists.
MAX_OFFSETS_LISTED = 10

#: pdfminer's logger: it warns once per font and page about harmless font-descriptor gaps
#: (`Could not get FontBBox from font descriptor …`), dozens of lines per PDF; a read lets only
#: its errors through.
PDFMINER_LOGGER = "pdfminer"
PDFMINER_LOG_LEVEL = logging.ERROR

#: Encodings tried, in order of preference when scores tie.
CANDIDATE_ENCODINGS = ("utf-8", "cp932", "euc_jp")

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
#: Declared HTML charsets that are in practice written by Windows tools as their superset.
_CHARSET_ALIASES = {"shift_jis": "cp932", "ms932": "cp932", "windows-31j": "cp932", "x-sjis": "cp932"}
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


class InputError(Exception):
    """A raw file that cannot be turned into text. The message names the file, never its absolute path."""

    def __init__(self, path: Path | str, problem: str):
        try:
            self.file = relpath(path)
        except (OSError, RuntimeError):  # a symbolic-link loop cannot be resolved
            self.file = Path(path).name
        self.problem = problem
        super().__init__(f"{self.file}: {problem}")


@dataclass(frozen=True)
class RawText:
    """The text of one raw file. `path` is relative to the project (or the bare file name)."""

    path: str
    format: str
    encoding: str
    text: str
    warnings: tuple[str, ...] = ()


def file_format(path: Path | str) -> str:
    """Return the format name of `path` (`txt`, `html`, `pdf`, `docx`, or a structured format)
    or raise InputError for unknown extensions."""
    suffix = Path(path).suffix.lower()
    if suffix in STRUCTURED_FORMATS:
        return STRUCTURED_FORMATS[suffix]
    if suffix not in FORMATS:
        raise InputError(path, f"unknown format '{suffix or Path(path).name}'")
    return FORMATS[suffix]


def is_structured(path: Path | str) -> bool:
    """True for CSV, TSV, Excel and JSON files: one utterance per row, read by `corpus.structured`."""
    return Path(path).suffix.lower() in STRUCTURED_FORMATS


def read_bytes(path: Path | str) -> bytes:
    """The bytes of a regular file; InputError for a FIFO, device, folder, symlink loop or unreadable file."""
    path = Path(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(path, "symbolic link loop, not a file") from None
        raise InputError(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = (
            "a FIFO (named pipe)"
            if stat.S_ISFIFO(info.st_mode)
            else "a folder"
            if stat.S_ISDIR(info.st_mode)
            else "a device or socket"
        )
        raise InputError(path, f"not a regular file ({kind}); only files are read")
    try:
        with open(path, "rb", opener=_nonblocking_opener) as handle:
            return handle.read()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from None


def decode_bytes(
    path: Path | str, data: bytes, declared: str | None = None
) -> tuple[str, str, tuple[str, ...]]:
    """(text, encoding, warnings) of the bytes of a text file (see the module docstring)."""
    return _decode(Path(path), data, declared)


def read_raw(path: Path | str) -> RawText:
    """Read one raw file and return its text with LF newlines, its format and encoding."""
    path = Path(path)
    fmt = file_format(path)
    if is_structured(path):
        raise InputError(path, f"a structured file ({fmt}): read it with corpus.structured.read_structured")
    data = read_bytes(path)
    if not data.strip():
        raise InputError(path, "empty file")
    warnings: tuple[str, ...] = ()
    if fmt == "pdf":
        text, encoding = _pdf_text(path, data), "pdf"
    elif fmt == "docx":
        text, encoding = _docx_text(path, data), "docx"
    else:
        declared = _declared_charset(data) if fmt == "html" else None
        text, encoding, warnings = _decode(path, data, declared)
    text = normalize_newlines(text)
    if not text.strip():
        raise InputError(path, "empty file (only whitespace)")
    return RawText(path=_safe_relpath(path), format=fmt, encoding=encoding, text=text, warnings=warnings)


def japanese_score(text: str) -> float:
    """How plausible `text` is as Japanese: kana and kanji count up, rare and control characters down.

    Mis-decoded Japanese (EUC-JP read as cp932 or the reverse) yields half-width katakana, private
    use characters and rare symbols, so the correct decoding scores highest.
    """
    score = 0.0
    for ch in text:
        code = ord(ch)
        if 0x3041 <= code <= 0x30FF:  # hiragana, katakana
            score += 2
        elif 0x4E00 <= code <= 0x9FFF:  # CJK unified ideographs
            score += 1
        elif code < 0x80 or 0x3000 <= code <= 0x303F or 0xFF01 <= code <= 0xFF5E:
            continue  # ASCII, CJK punctuation, full-width forms: neutral
        elif 0xFF61 <= code <= 0xFF9F:  # half-width katakana: rare in minutes, typical of mis-decoding
            score -= 2
        elif unicodedata.category(ch) in ("Co", "Cn", "Cc", "Cs"):
            score -= 5
        else:
            score -= 1
    return score / max(len(text), 1)


def _decode(path: Path, data: bytes, declared: str | None) -> tuple[str, str, tuple[str, ...]]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding, ()
            except UnicodeDecodeError as exc:
                raise InputError(
                    path, f"undecodable bytes at byte offset {exc.start} (after a {encoding} BOM)"
                ) from None
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data, require_kana=False)
        if utf16:
            return utf16[0], utf16[1], ()
        raise InputError(path, f"binary file (NUL byte at offset {data.index(0)})")
    if len(data) - len(data.translate(None, _CONTROL_BYTES)) > 0.05 * len(data):
        raise InputError(path, "binary file (mostly control characters)")
    warnings: tuple[str, ...] = ()
    if declared:
        try:
            return data.decode(declared), codecs.lookup(declared).name, ()
        except UnicodeDecodeError as exc:
            warnings = (
                f"declared charset {declared} does not fit (byte offset {exc.start}); detected instead",
            )
    decoded: list[tuple[float, int, str, str]] = []
    furthest: tuple[int, str, int] = (-1, "", 0)
    for rank, encoding in enumerate(CANDIDATE_ENCODINGS):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start > furthest[0]:
                furthest = (exc.start, encoding, data[exc.start])
            continue
        decoded.append((0.0, -rank, encoding, text))
    if not decoded or decoded[0][2] != "utf-8":
        utf16 = _utf16_without_bom(data, require_kana=True)
        if utf16:
            decoded.append((0.0, -len(CANDIDATE_ENCODINGS), utf16[1], utf16[0]))
    if len(decoded) > 1:  # only a choice needs scores
        decoded = [(_sample_score(text), rank, encoding, text) for _, rank, encoding, text in decoded]
    if not decoded:
        lenient = _lenient_decode(data)
        if lenient is not None:
            text, encoding, offsets, n_bad = lenient
            listed = ", ".join(map(str, offsets[:MAX_OFFSETS_LISTED])) + (
                " …" if len(offsets) > MAX_OFFSETS_LISTED else ""
            )
            note = f"{n_bad} undecodable byte(s) replaced by U+FFFD (read as {encoding}) at byte offset(s) {listed}"
            return text, encoding, (*warnings, note)
        offset, encoding, byte = furthest
        tried = ", ".join(CANDIDATE_ENCODINGS)
        raise InputError(
            path,
            f"undecodable bytes: byte 0x{byte:02x} at offset {offset} fits none of {tried} "
            f"(it got furthest as {encoding}), and most of the file is undecodable",
        )
    _, _, encoding, text = max(decoded)
    return text, encoding, warnings


#: Encoding candidates are scored on at most this many characters of their text, in
#: `SCORE_WINDOWS` evenly spaced windows: linear time on a file of any size.
SCORE_SAMPLE_CHARS = 200_000
SCORE_WINDOWS = 8


def _sample_score(text: str) -> float:
    """`japanese_score` of the whole text, or of evenly spaced windows of a long one."""
    if len(text) <= SCORE_SAMPLE_CHARS:
        return japanese_score(text)
    width = SCORE_SAMPLE_CHARS // SCORE_WINDOWS
    step = (len(text) - width) // (SCORE_WINDOWS - 1)
    return japanese_score("".join(text[i * step : i * step + width] for i in range(SCORE_WINDOWS)))


def _lenient_decode(data: bytes) -> tuple[str, str, list[int], int] | None:
    """The candidate decoding with the fewest undecodable bytes, those replaced by U+FFFD.

    Returns (text, encoding, offsets of the bad runs, bad byte count), or None when even the best
    leaves more than `MAX_UNDECODABLE_SHARE` of the bytes undecodable or of the characters outside
    plain Japanese and ASCII. Ties go to the more
    Japanese-looking text, then to the order of `CANDIDATE_ENCODINGS`.
    """
    best = None
    for rank, encoding in enumerate(CANDIDATE_ENCODINGS):
        pieces, offsets, n_bad, position = [], [], 0, 0
        limit = MAX_UNDECODABLE_SHARE * len(data)
        while position < len(data) and n_bad <= limit:
            try:
                pieces.append(data[position:].decode(encoding))
                break
            except UnicodeDecodeError as exc:
                start, end = position + exc.start, position + exc.end
                pieces.append(data[position:start].decode(encoding) + "\ufffd")
                offsets.append(start)
                n_bad += end - start
                position = end
        if n_bad > limit:
            continue
        text = "".join(pieces)
        if len(_PLAIN_CHAR_RE.findall(text)) < (1 - MAX_UNDECODABLE_SHARE) * len(text):
            continue  # decodes, but to control characters and rare symbols: not this encoding
        key = (-n_bad, _sample_score(text), -rank)
        if best is None or key > best[0]:
            best = (key, text, encoding, offsets, n_bad)
    return None if best is None else best[1:]


#: Characters of plain Japanese or ASCII text, as UTF-16 decodes them when it is the right guess.
_PLAIN_CHAR_RE = re.compile("[\t\n\r\x20-\x7e\u3000-\u30ff\u4e00-\u9fff\uff01-\uff9f]")
_KANA_RE = re.compile("[\u3041-\u30ff]")


def _utf16_without_bom(data: bytes, *, require_kana: bool) -> tuple[str, str] | None:
    """UTF-16 text without a byte-order mark, when one byte order gives mostly Japanese or ASCII.

    Without NUL bytes (`require_kana`), plain ASCII pairs also decode to CJK ideographs, so the
    text must also hold kana (5% of characters), as Japanese prose always does.
    """
    if len(data) % 2:
        return None
    best = None
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not text:
            continue
        plain = len(_PLAIN_CHAR_RE.findall(text)) / len(text)
        kana = len(_KANA_RE.findall(text)) / len(text)
        if plain >= 0.95 and (kana >= 0.05 or not require_kana) and (best is None or plain > best[0]):
            best = (plain, text, encoding)
    return None if best is None else (best[1], best[2])


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _safe_relpath(path: Path) -> str:
    try:
        return relpath(path)
    except (OSError, RuntimeError):
        return path.name


def _nonblocking_opener(name: str, flags: int) -> int:
    """Open without blocking, so a FIFO swapped in after the check cannot hang the reader."""
    return os.open(name, flags | getattr(os, "O_NONBLOCK", 0))


def _docx_text(path: Path, data: bytes) -> str:
    """The paragraphs of a Word file, then its table cells (tab-separated rows), in order."""
    import io
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(path, f"not a readable Word .docx file ({type(exc).__name__}: {exc})") from None
    except Exception as exc:  # python-docx raises several unrelated types for damaged files
        raise InputError(path, f"not a readable Word .docx file ({type(exc).__name__}: {exc})") from None
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    text = "\n".join(lines)
    if not text.strip():
        raise InputError(path, "empty Word file (no text in its paragraphs or tables)")
    return text


def _pdf_text(path: Path, data: bytes) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfparser import PDFSyntaxError

    if not data.lstrip().startswith(b"%PDF"):
        raise InputError(path, "not a PDF file (no %PDF header)")
    try:
        with _quiet_pdfminer():
            text = extract_text(path)
    except PDFSyntaxError as exc:
        raise InputError(path, f"not a readable PDF ({exc})") from None
    except Exception as exc:  # pdfminer raises many unrelated types for damaged files
        raise InputError(path, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not text.strip():
        raise InputError(path, "no text layer (scanned PDF?)")
    return text


@contextlib.contextmanager
def _quiet_pdfminer():
    """Raise the pdfminer logger to `PDFMINER_LOG_LEVEL` for the duration of a read, then restore it."""
    logger = logging.getLogger(PDFMINER_LOGGER)
    previous = logger.level
    logger.setLevel(PDFMINER_LOG_LEVEL)
    try:
        yield
    finally:
        logger.setLevel(previous)
