"""Text normalization shared by every stage: one newline rule and one character normalization.

Cleaning (corpus stage), the tokenizer and the theme coder all call these, so a string is
normalized the same way wherever it is compared.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters exempted from NFKC: circled numbers ①-⑳, ㉑-㊿ mark list items.
NFKC_KEEP_RE = re.compile("([\u2460-\u2473\u3251-\u325f\u32b1-\u32bf])")


def normalize_newlines(text: str) -> str:
    """Turn CRLF and CR into LF and a form feed (PDF page break) into a blank line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")


def normalize_unicode(text: str) -> str:
    """Apply NFKC, the compatibility normalization, to the whole text.

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
    pieces = NFKC_KEEP_RE.split(text)
    return "".join(p if NFKC_KEEP_RE.fullmatch(p) else unicodedata.normalize("NFKC", p) for p in pieces)
