"""Text normalization shared by every stage: one newline rule and one character normalization.

Cleaning (corpus stage), the tokenizer and the theme coder all call these, so a string is
normalized the same way wherever it is compared.
"""

from __future__ import annotations

__all__ = ["NFKC_KEEP_RE", "RADICALS_PATH", "RADICAL_RE", "normalize_newlines", "normalize_radicals", "normalize_unicode", "radical_table"]  # fmt: skip

import functools
import re
import unicodedata

from dxminutes.config import RESOURCES_DIR

#: Characters exempted from NFKC: circled numbers ①-⑳, ㉑-㊿ mark list items.
NFKC_KEEP_RE = re.compile("([\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])")

#: Unicode's Equivalent_Unified_Ideograph mapping for the CJK Radicals Supplement and Kangxi
#: Radicals blocks (generated from the UCD by `requirements/make_radical_table.py`).
RADICALS_PATH = RESOURCES_DIR / "radicals.tsv"
#: The two radical blocks: CJK Radicals Supplement U+2E80-U+2EFF and Kangxi Radicals U+2F00-U+2FDF.
RADICAL_RE = re.compile("[\u2e80-\u2fdf]")


def normalize_newlines(text: str) -> str:
    """Turn CRLF and CR into LF and a form feed (PDF page break) into a blank line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")


@functools.cache
def radical_table() -> dict[int, str]:
    """Code point of a radical → its equivalent unified ideograph, read once from `RADICALS_PATH`."""
    table: dict[int, str] = {}
    for line in RADICALS_PATH.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#") or line.startswith("radical\t"):
            continue
        radical, ideograph = line.split("\t")[:2]
        table[int(radical, 16)] = chr(int(ideograph, 16))
    return table


def normalize_radicals(text: str) -> str:
    """Replace CJK radical code points by the ideographs they stand for (`委員⻑` → `委員長`, `市⺠` → `市民`).

    PDFs printed from browsers and word processors often map the glyphs of 長, 民 and others to
    radical code points (U+2ED1 ⻑, U+2EA0 ⺠, U+2F00 ⼀ …). NFKC folds the Kangxi Radicals but not
    the CJK Radicals Supplement; this step maps both blocks with Unicode's own
    Equivalent_Unified_Ideograph table. A radical without an equivalent (U+2E80) is left alone.
    """
    if not RADICAL_RE.search(text):
        return text
    return text.translate(radical_table())


def normalize_unicode(text: str) -> str:
    """Map radical code points (`normalize_radicals`), then apply NFKC, the compatibility normalization, to the whole text.

    What NFKC does here, knowingly: full-width ASCII letters, digits and punctuation become
    ASCII (`ＤＸ１０（案）：` → `DX10(案):`), half-width katakana become full-width
    (`ｶﾞ` → `ガ`), the ideographic space U+3000 and no-break space become an ASCII space,
    and compatibility ideographs map to their unified form. NFKC would also flatten the
    circled numbers that number list items (`①` → `1`); those are exempted (`NFKC_KEEP_RE`).
    The full-width tilde `～` (U+FF5E) becomes ASCII `~`, while the wave dash `〜` (U+301C)
    is left alone, so patterns for ranges and stage notes accept both.
    The marks `○●◎◆◇■`, the brackets `【】「」『』〔〕` and the Japanese punctuation `、。・`
    are not compatibility characters and pass through unchanged.
    """
    pieces = NFKC_KEEP_RE.split(normalize_radicals(text))
    return "".join(p if NFKC_KEEP_RE.fullmatch(p) else unicodedata.normalize("NFKC", p) for p in pieces)
