"""The user-term regex: a character trie that must match exactly what a longest-first alternation
of the terms matches (ASCII terms only as whole words)."""

import random
import re

import pytest

from dxminutes.text.backends.userdict import _ASCII_WORD, user_term_pattern


def _alternation(surfaces):
    """The plain reference: every term an alternative, longest first, with the word guards."""
    alternatives = []
    for s in sorted(surfaces, key=lambda s: (-len(s), s)):
        head = r"(?<![A-Za-z0-9])" if _ASCII_WORD.match(s[0]) else ""
        tail = r"(?![A-Za-z0-9])" if _ASCII_WORD.match(s[-1]) else ""
        alternatives.append(head + re.escape(s) + tail)
    return re.compile("|".join(alternatives))


def _matches(pattern, text):
    return [(m.start(), m.group()) for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("terms", "text", "expected"),
    [
        (("AI", "AIA"), "AIAとAI、EMAIL", [(0, "AIA"), (4, "AI")]),
        (
            ("デジタル", "デジタル化", "デジタル化推進"),
            "デジタル化推進とデジタル化",
            [(0, "デジタル化推進"), (8, "デジタル化")],
        ),
        (("DX", "DX推進"), "ADX推進とDX", [(6, "DX")]),
        (("1", "1a"), "1a 11 1", [(0, "1a"), (6, "1")]),
    ],
)
def test_known_cases(terms, text, expected):
    assert _matches(user_term_pattern(terms), text) == expected
    assert _matches(_alternation(terms), text) == expected


def test_trie_matches_the_alternation_on_random_terms_and_texts():
    rng = random.Random(20240717)
    alphabet = "AIBDX1aデジ化タル推進"
    for _ in range(2000):
        terms = tuple(
            sorted(
                {
                    "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
                    for _ in range(rng.randint(1, 8))
                }
            )
        )
        text = "".join(rng.choice(alphabet + " 。") for _ in range(40))
        assert _matches(user_term_pattern(terms), text) == _matches(_alternation(terms), text), (terms, text)


def test_the_project_user_dictionary_matches_like_the_alternation():
    from dxminutes import config
    from dxminutes.text.backends.userdict import read_user_terms

    terms = tuple(s for s, _ in read_user_terms(config.USERDICT_PATH))
    assert len(terms) > 10
    text = "".join(terms) + "。" + "、".join(t[:-1] + "x" + t for t in terms) + "EMAIL AIの活用"
    assert _matches(user_term_pattern(terms), text) == _matches(_alternation(terms), text)
