"""Property tests of the cleaning pipeline (hypothesis)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dxminutes.corpus.cleaning import (
    BOILERPLATE_LINE_RE,
    CONTACT_HEADING_RE,
    KANA_SLIPS,
    PAGE_ARTIFACT_RE,
    RUNNING_HEADER_MIN_COUNT,
    VARIANT_CHARS,
    clean,
)

HIRAGANA = "".join(chr(c) for c in range(0x3041, 0x3097))
KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30FB))
KANJI = "会議委員長事務局市区町村行政改革推進計画情報化職員人材研修体制高齢者対面支援議題報告説明質問意見"
ASCII = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
FULL_WIDTH = "ＡＢＣＤＸ０１２３４５"
PUNCT = "、。「」"
ALPHABET = HIRAGANA + KATAKANA + KANJI + ASCII + FULL_WIDTH + PUNCT + "  \u3000\n"

texts = st.text(alphabet=ALPHABET, max_size=300)
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def kept_characters(text: str) -> Counter:
    """Multiset of kanji, kana and ASCII letters/digits after NFKC."""
    return Counter(
        c
        for c in unicodedata.normalize("NFKC", text)
        if (c.isascii() and c.isalnum()) or "\u3041" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff"
    )


def has_intended_artifacts(text: str) -> bool:
    """True when the text holds something cleaning removes or rewrites on purpose."""
    normalized = unicodedata.normalize("NFKC", text)
    lines = [line.strip() for line in normalized.split("\n")]
    repeated = any(n >= RUNNING_HEADER_MIN_COUNT for line, n in Counter(lines).items() if line)
    return bool(
        PAGE_ARTIFACT_RE.search(normalized)
        or BOILERPLATE_LINE_RE.search(normalized)
        or CONTACT_HEADING_RE.search(normalized)
        or repeated
        or any(slip in re.sub(r"\s", "", normalized) for slip in KANA_SLIPS)
        or any(char in normalized for char in VARIANT_CHARS)
    )


@SETTINGS
@given(texts)
def test_clean_is_idempotent(text):
    once = clean(text).text
    assert clean(once).text == once


@SETTINGS
@given(texts)
def test_no_kanji_kana_or_alnum_is_lost(text):
    assume(not has_intended_artifacts(text))
    assert kept_characters(clean(text).text) == kept_characters(text)


@SETTINGS
@given(
    st.lists(
        st.sampled_from(["令和", "7", "年", "D", "X", "推進", "Microsoft", "365", "を", "。"]), max_size=30
    ),
    st.lists(st.sampled_from([" ", "", "\n", "\n\n"]), min_size=30, max_size=30),
)
def test_spaced_tokens_keep_their_characters(tokens, separators):
    text = "".join(token + sep for token, sep in zip(tokens, separators))
    assume(not has_intended_artifacts(text))
    cleaned = clean(text).text
    assert kept_characters(cleaned) == kept_characters(text)
    assert clean(cleaned).text == cleaned
