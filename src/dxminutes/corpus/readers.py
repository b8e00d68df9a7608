"""Raw files → text: format dispatch, encoding detection, newline normalisation, clear errors.

Supported formats are plain text (`.txt`), HTML (`.html`, `.htm`: the markup is returned as is,
cleaning strips it) and PDF (`.pdf`: the text layer, read with pdfminer.six). Encodings are
detected without chardet: a byte-order mark wins; otherwise every candidate in
`CANDIDATE_ENCODINGS` that decodes the bytes strictly is scored by how Japanese the result looks.
Files are only ever opened for reading.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from dxminutes.config import relpath
from dxminutes.normalize import normalize_newlines

#: File extension → format name.
FORMATS = {".txt": "txt", ".html": "html", ".htm": "html", ".pdf": "pdf"}

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
        self.file = relpath(path)
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
    """Return the format name of `path` (`txt`, `html`, `pdf`) or raise InputError for unknown extensions."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(path, f"unknown format '{suffix or Path(path).name}'")
    return FORMATS[suffix]


def read_raw(path: Path | str) -> RawText:
    """Read one raw file and return its text with LF newlines, its format and encoding."""
    path = Path(path)
    fmt = file_format(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if not data.strip():
        raise InputError(path, "empty file")
    warnings: tuple[str, ...] = ()
    if fmt == "pdf":
        text, encoding = _pdf_text(path, data), "pdf"
    else:
        declared = _declared_charset(data) if fmt == "html" else None
        text, encoding, warnings = _decode(path, data, declared)
    text = normalize_newlines(text)
    if not text.strip():
        raise InputError(path, "empty file (only whitespace)")
    return RawText(path=relpath(path), format=fmt, encoding=encoding, text=text, warnings=warnings)


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
        raise InputError(path, f"binary file (NUL byte at offset {data.index(0)})")
    if sum(data.count(b) for b in _CONTROL_BYTES) > 0.05 * len(data):
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
        decoded.append((japanese_score(text), -rank, encoding, text))
    if not decoded:
        offset, encoding, byte = furthest
        tried = ", ".join(CANDIDATE_ENCODINGS)
        raise InputError(
            path,
            f"undecodable bytes: byte 0x{byte:02x} at offset {offset} fits none of {tried} "
            f"(it got furthest as {encoding})",
        )
    _, _, encoding, text = max(decoded)
    return text, encoding, warnings


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


def _pdf_text(path: Path, data: bytes) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.pdfparser import PDFSyntaxError

    if not data.lstrip().startswith(b"%PDF"):
        raise InputError(path, "not a PDF file (no %PDF header)")
    try:
        text = extract_text(path)
    except PDFSyntaxError as exc:
        raise InputError(path, f"not a readable PDF ({exc})") from None
    except Exception as exc:  # pdfminer raises many unrelated types for damaged files
        raise InputError(path, f"not a readable PDF ({type(exc).__name__}: {exc})") from None
    if not text.strip():
        raise InputError(path, "no text layer (scanned PDF?)")
    return text
