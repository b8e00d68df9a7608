"""The MeCab backend (fugashi + IPADIC): janome's dictionary and POS at C speed, same user terms,
whitespace as janome emits it, picklable, its own cache key."""

from __future__ import annotations

import pickle

import fugashi  # noqa: F401  (in the pinned lock: a broken install fails here, it does not skip)
import ipadic  # noqa: F401
import pandas as pd
import pytest

from dxminutes import config
from dxminutes.analysis.themes import code_turns, load_themes
from dxminutes.text.backends import USERDICT_POS, get_backend
from dxminutes.text.backends.mecab import MAX_CHUNK_CHARS, MecabBackend
from dxminutes.text.token_table import tokenize_turns, tokenize_turns_with_stats
from dxminutes.text.tokenizer import JapaneseTokenizer


@pytest.fixture(scope="module")
def tokenizers():
    return JapaneseTokenizer(), JapaneseTokenizer(backend="mecab")


def test_registry_returns_the_mecab_backend():
    backend = get_backend("mecab")
    assert isinstance(backend, MecabBackend)
    assert backend.name == "mecab" and "fugashi" in backend.version and "ipadic" in backend.version


def test_same_morphemes_as_janome_on_plain_dictionary_words():
    text = "デジタル  推進\n\n計画の策定について、職員研修を実施します。"
    janome = get_backend("janome").analyze(text)
    mecab = get_backend("mecab").analyze(text)
    assert mecab == janome
    assert ("  ", "  ", ("記号", "空白", "*", "*")) in mecab  # whitespace as janome gives it


def test_user_terms_come_out_whole_with_the_user_pos():
    morphemes = MecabBackend().analyze("自治体DX推進計画と情報セキュリティポリシーを改定する。")
    user = [m.surface for m in morphemes if m.pos == USERDICT_POS]
    janome_user = [
        m.surface
        for m in get_backend("janome").analyze("自治体DX推進計画と情報セキュリティポリシーを改定する。")
        if m.pos == USERDICT_POS
    ]
    assert user and user == janome_user


def test_long_text_is_cut_without_losing_characters():
    text = "デジタル化の推進について検討した。" * (3 * MAX_CHUNK_CHARS // 17)
    assert len(text) > 2 * MAX_CHUNK_CHARS
    assert "".join(m.surface for m in MecabBackend().analyze(text)) == text


def test_every_character_but_none_is_kept_on_the_seeds():
    backend = MecabBackend()
    for path in sorted(config.RAW_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")[:5000]
        assert "".join(backend.analyze_columns(text).surface) == text, path.name


def test_backend_pickles_and_has_its_own_cache_key(tokenizers, tmp_path):
    janome, mecab = tokenizers
    backend = MecabBackend()
    assert pickle.loads(pickle.dumps(backend)).analyze("電子申請の推進") == backend.analyze("電子申請の推進")
    assert janome.settings_key() != mecab.settings_key() and janome.analysis_key() != mecab.analysis_key()
    turns = pd.DataFrame(
        {
            "turn_id": ["d:0000"],
            "doc_id": "d",
            "municipality": "m",
            "role": "member",
            "text": ["マイナンバーカードの普及を進める。"],
        }
    )
    _, first = tokenize_turns_with_stats(turns, janome, cache_dir=tmp_path, progress=False)
    _, switched = tokenize_turns_with_stats(turns, mecab, cache_dir=tmp_path, progress=False)
    assert first.analyzed == 1 and switched.analyzed == 1 and switched.term_hits == 0


@pytest.mark.slow
def test_terms_agree_with_janome_on_the_seeds(tokenizers):
    """Same dictionary family: the term sets of the seed files overlap far more than janome's
    and Sudachi's (0.73–0.86); tokens per turn and theme hits per 100 tokens stay within 2 points."""
    from dxminutes.corpus.build import load_corpus

    janome, mecab = tokenizers
    corpus = load_corpus(config.RAW_DIR)
    a = tokenize_turns(corpus.turns, janome, cache_dir=False, progress=False)
    b = tokenize_turns(corpus.turns, mecab, cache_dir=False, progress=False)
    for doc in corpus.turns["doc_id"].unique():
        ta, tb = set(a.loc[a["doc_id"] == doc, "term"]), set(b.loc[b["doc_id"] == doc, "term"])
        assert len(ta & tb) / len(ta | tb) >= 0.9, doc
    coded = code_turns(corpus.turns, load_themes())
    hits = coded.groupby("municipality")["n_hits"].sum()
    for tokens_a, tokens_b in [(a.groupby("municipality").size(), b.groupby("municipality").size())]:
        rate_a, rate_b = 100 * hits / tokens_a, 100 * hits / tokens_b
        assert (rate_a - rate_b).abs().max() <= 2.0
