"""List markers (①, ⑴, (ア), (1), ア., イ)) are never terms (issue 12 item 8)."""

from __future__ import annotations

import re

import pytest

from dxminutes import config
from dxminutes.corpus.cleaning import normalize_unicode
from dxminutes.text.tokenizer import JapaneseTokenizer


@pytest.fixture(scope="module")
def tok():
    return JapaneseTokenizer()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("①デジタル化の推進", ["デジタル化", "推進"]),
        ("⑴職員研修について", ["職員研修"]),
        ("(ア)窓口の改善", ["窓口", "改善"]),
        ("(1)情報セキュリティ", ["情報セキュリティ"]),
        ("ア.電子申請の拡大", ["電子申請", "拡大"]),
        ("イ)高齢者支援", ["高齢者支援"]),
        ("❶研修と㈠体制", ["研修", "体制"]),
        ("ア、イ及びウについて", []),
        ("(a)方針", ["方針"]),
    ],
)
def test_list_markers_are_not_terms(tok, text, expected):
    assert tok(text) == expected


def test_katakana_words_still_come_out_whole(tok):
    # only a katakana character standing alone is a marker; words keep their letters
    assert tok("ウイルス対策とアプリとオープンデータ") == ["ウイルス対策", "アプリ", "オープンデータ"]


@pytest.mark.slow
def test_no_seed_term_is_or_contains_a_list_marker(tok):
    marker = re.compile(r"[\u2460-\u24ff\u2776-\u2793\u3200-\u32ff]|^[ァ-ヺ]$")
    bad = set()
    n_lines = 0
    for path in sorted(config.RAW_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            n_lines += 1
            bad |= {t for t in tok(normalize_unicode(line)) if marker.search(t)}
    assert n_lines > 100
    assert bad == set()


def test_rule_change_changes_the_settings_key(tok, monkeypatch):
    from dxminutes.text import tokenizer as mod

    before = tok.settings_key()
    monkeypatch.setattr(mod, "FILTER_RULES_VERSION", mod.FILTER_RULES_VERSION + 1)
    assert tok.settings_key() != before


def test_the_array_filter_drops_list_markers_too(tok):
    from dxminutes.text.term_filter import MorphemeArrays, filter_arrays

    texts = ["①デジタル化の推進", "(ア)窓口の改善", "イ)高齢者支援", "柱②DX推進", "ウイルス対策"]
    per_turn = [tok.morphemes(t) for t in texts]
    got = filter_arrays(tok, MorphemeArrays.from_lists(per_turn))
    terms = [[] for _ in texts]
    for turn, term in zip(got.turn.tolist(), got.term.tolist()):
        terms[turn].append(term)
    assert terms == [tok(t) for t in texts]
    assert terms[0] == ["デジタル化", "推進"] and terms[2] == ["高齢者支援"]
