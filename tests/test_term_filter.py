"""The array term filter gives exactly the reference filter's tokens (seeds and random sequences)."""

from __future__ import annotations

import functools

import pytest
from analysis_fixtures import seed_turns
from hypothesis import given, settings
from hypothesis import strategies as st

from dxminutes.text.backends import USERDICT_POS, Morpheme
from dxminutes.text.term_filter import MorphemeArrays, filter_arrays
from dxminutes.text.tokenizer import JapaneseTokenizer


def reference(tok: JapaneseTokenizer, per_turn) -> list[list[list[str]]]:
    return [[[t.surface, t.base, t.pos, t.term] for t in tok.filter(ms)] for ms in per_turn]


def vectorized(tok: JapaneseTokenizer, per_turn) -> list[list[list[str]]]:
    return filter_arrays(tok, MorphemeArrays.from_lists(per_turn)).per_turn(len(per_turn))


@functools.lru_cache(maxsize=1)
def seed_morphemes() -> tuple:
    tok = JapaneseTokenizer()
    turns = seed_turns()
    return tuple((doc, tuple(tok.morphemes(t) for t in g["text"])) for doc, g in turns.groupby("doc_id"))


@pytest.mark.parametrize(
    "settings_",
    [
        {},
        {"compounds": False},
        {"keep_verbs": True, "keep_adjectives": True},
        {"drop_proper_names": False, "max_compound_parts": 2},
        {"stopwords_path": None},
    ],
)
@pytest.mark.slow
def test_seed_documents_give_the_reference_terms(settings_):
    tok = JapaneseTokenizer(**settings_)
    n_tokens = 0
    for _doc, per_turn in seed_morphemes():
        expected = reference(tok, per_turn)
        assert vectorized(tok, per_turn) == expected
        n_tokens += sum(map(len, expected))
    assert n_tokens > 1000  # the comparison covered real text


POS_CHOICES = [
    ("名詞", "一般", "*", "*"),
    ("名詞", "サ変接続", "*", "*"),
    ("名詞", "固有名詞", "一般", "*"),
    ("名詞", "固有名詞", "人名", "姓"),
    ("名詞", "固有名詞", "地域", "一般"),
    ("名詞", "接尾", "一般", "*"),
    ("名詞", "接尾", "助数詞", "*"),
    ("名詞", "数", "*", "*"),
    ("名詞", "非自立", "一般", "*"),
    ("助詞", "格助詞", "一般", "*"),
    ("動詞", "自立", "*", "*"),
    ("動詞", "非自立", "*", "*"),
    ("形容詞", "自立", "*", "*"),
    ("記号", "一般", "*", "*"),
    USERDICT_POS,
]
SURFACES = [
    "化",
    "性",
    "等",
    "DX",
    "推進",
    "計画",
    "審議会",
    "こと",
    "1",
    "の",
    "(",
    "AI",
    "する",
    "職員",
    "a",
    "行政",
]

morpheme = st.builds(
    lambda s, b, p: Morpheme(s, b, p),
    st.sampled_from(SURFACES),
    st.sampled_from([*SURFACES, "*"]),
    st.sampled_from(POS_CHOICES),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(morpheme, max_size=12), max_size=5), st.booleans(), st.booleans())
@pytest.mark.slow
def test_random_sequences_give_the_reference_terms(per_turn, compounds, verbs):
    tok = JapaneseTokenizer(
        compounds=compounds, keep_verbs=verbs, keep_adjectives=verbs, max_compound_chars=6
    )
    assert vectorized(tok, per_turn) == reference(tok, per_turn)
