"""The SudachiPy backend: IPADIC-style POS mapping, same domain terms and filtering as janome, cache key."""

from __future__ import annotations

import pickle
import re

import pandas as pd
import pytest
import sudachipy  # noqa: F401  (in the pinned lock: a broken install fails here, it does not skip)

from dxminutes import config
from dxminutes.text.backends import USERDICT_POS, get_backend
from dxminutes.text.backends.sudachi import MAX_CHUNK_CHARS, SudachiBackend, map_pos
from dxminutes.text.token_table import tokenize_turns_with_stats
from dxminutes.text.tokenizer import JapaneseTokenizer

DOMAIN_TERMS = (
    "DX",
    "情報セキュリティ",
    "マイナンバーカード",
    "書かない窓口",
    "デジタル人材",
    "電子申請",
    "ペーパーレス",
)


def _seed_sentences(term: str, n: int = 2) -> list[str]:
    """The first `n` sentences of the seed minutes that contain `term` (independent of any loader)."""
    found = []
    for path in sorted(config.RAW_DIR.glob("*.txt")):
        for sentence in re.split(r"(?<=[。\n])", path.read_text(encoding="utf-8")):
            if term in sentence and len(sentence.strip()) > len(term) + 5:
                found.append(sentence.strip())
                if len(found) == n:
                    return found
    return found


@pytest.fixture(scope="module")
def tokenizers():
    return JapaneseTokenizer(), JapaneseTokenizer(backend="sudachi")


def test_registry_returns_the_sudachi_backend():
    backend = get_backend("sudachi")
    assert isinstance(backend, SudachiBackend)
    assert backend.name == "sudachi" and "sudachipy" in backend.version


@pytest.mark.parametrize("term", DOMAIN_TERMS)
def test_domain_terms_come_out_whole_like_janome(tokenizers, term):
    janome, sudachi = tokenizers
    sentences = _seed_sentences(term)
    assert sentences, f"no seed sentence contains {term}"
    for sentence in sentences:
        # The term may be the head of a longer compound (ペーパーレス化, 自治体DX推進計画): the terms
        # that contain it must be the same for both backends, and there must be one.
        with_term = [t for t in sudachi(sentence) if term in t]
        assert with_term, (sentence, sudachi(sentence))
        assert with_term == [t for t in janome(sentence) if term in t], sentence


def test_user_terms_get_the_janome_user_pos():
    morphemes = SudachiBackend().analyze("情報セキュリティポリシーと書かない窓口")
    assert [(m.surface, m.pos) for m in morphemes if m.pos == USERDICT_POS] == [
        ("情報セキュリティポリシー", USERDICT_POS),
        ("書かない窓口", USERDICT_POS),
    ]


def test_ascii_user_terms_only_match_whole_words():
    surfaces = [m.surface for m in SudachiBackend().analyze("MAIDX と AI を使う")]
    assert "DX" not in surfaces and "AI" in surfaces


def test_numbers_and_stopwords_are_dropped_the_same_way(tokenizers):
    janome, sudachi = tokenizers
    for text in (
        "令和3年度第2回の審議会を開催します。",
        "資料3をご覧ください。",
        "項番38について説明します。",
        "経費を3割減とすることについて、委員から質問がありました。",
    ):
        terms = sudachi(text)
        assert not [t for t in terms if re.search(r"\d", t)], (text, terms)
        assert not set(terms) & sudachi.stopwords, (text, terms)
        assert not set(janome(text)) & janome.stopwords
    assert "説明" in sudachi.stopwords and "説明" not in sudachi("事務局から説明があった。")


@pytest.mark.parametrize(
    "sudachi_pos, surface, prev, expected",
    [
        (("名詞", "数詞", "*", "*"), "3", None, ("名詞", "数", "*", "*")),
        (("名詞", "普通名詞", "サ変可能", "*"), "推進", None, ("名詞", "サ変接続", "*", "*")),
        (
            ("名詞", "普通名詞", "助数詞可能", "*"),
            "回",
            ("名詞", "数", "*", "*"),
            ("名詞", "接尾", "助数詞", "*"),
        ),
        (
            ("名詞", "普通名詞", "助数詞可能", "*"),
            "年度",
            ("接頭詞", "名詞接続", "*", "*"),
            ("名詞", "一般", "*", "*"),
        ),
        (("名詞", "固有名詞", "人名", "姓"), "山田", None, ("名詞", "固有名詞", "人名", "姓")),
        (("名詞", "固有名詞", "地名", "一般"), "流山", None, ("名詞", "固有名詞", "地域", "一般")),
        (
            ("接尾辞", "名詞的", "一般", "*"),
            "さん",
            ("名詞", "固有名詞", "人名", "姓"),
            ("名詞", "接尾", "人名", "*"),
        ),
        (
            ("接尾辞", "名詞的", "サ変可能", "*"),
            "化",
            ("名詞", "一般", "*", "*"),
            ("名詞", "接尾", "サ変接続", "*"),
        ),
        (("接尾辞", "形状詞的", "*", "*"), "的", None, ("名詞", "接尾", "形容動詞語幹", "*")),
        (("名詞", "普通名詞", "一般", "*"), "こと", None, ("名詞", "非自立", "一般", "*")),
        (
            ("動詞", "非自立可能", "*", "*"),
            "いく",
            ("助詞", "接続助詞", "*", "*"),
            ("動詞", "非自立", "*", "*"),
        ),
        (("補助記号", "句点", "*", "*"), "。", None, ("記号", "句点", "*", "*")),
    ],
)
def test_pos_mapping_table(sudachi_pos, surface, prev, expected):
    assert map_pos(sudachi_pos, surface, prev) == expected


def test_long_text_is_cut_into_chunks_without_losing_characters():
    text = "デジタル化の推進について検討した。" * (3 * MAX_CHUNK_CHARS // 17)
    assert len(text) > 2 * MAX_CHUNK_CHARS
    morphemes = SudachiBackend().analyze(text)
    assert "".join(m.surface for m in morphemes) == text


def test_backend_pickles_before_and_after_use():
    backend = SudachiBackend()
    before = pickle.loads(pickle.dumps(backend)).analyze("電子申請の推進")
    assert (
        pickle.loads(pickle.dumps(backend)).analyze("電子申請の推進")
        == before
        == backend.analyze("電子申請の推進")
    )


def test_backend_is_part_of_the_cache_key(tokenizers, tmp_path):
    janome, sudachi = tokenizers
    assert janome.settings_key() != sudachi.settings_key()
    assert janome.analysis_key() != sudachi.analysis_key()
    assert SudachiBackend(mode="B").version != SudachiBackend(mode="C").version
    turns = pd.DataFrame(
        {
            "turn_id": ["d:0000", "d:0001"],
            "doc_id": "d",
            "municipality": "m",
            "role": "member",
            "text": ["マイナンバーカードの普及を進める。", "情報セキュリティ研修を実施した。"],
        }
    )
    _, first = tokenize_turns_with_stats(turns, janome, cache_dir=tmp_path, progress=False)
    _, switched = tokenize_turns_with_stats(turns, sudachi, cache_dir=tmp_path, progress=False)
    _, again = tokenize_turns_with_stats(turns, sudachi, cache_dir=tmp_path, progress=False)
    assert first.analyzed == 2 and switched.term_hits == 0 and switched.analyzed == 2
    assert again.term_hits == 2 and again.analyzed == 0


def test_term_overlap_with_janome_on_a_seed_file(tokenizers):
    """Jaccard of the term sets of one seed file ≥ 0.6.

    IPADIC (janome) and UniDic (Sudachi) draw some unit boundaries differently (課/係 as suffix or
    noun, 株式会社 vs 株式 + 会社), which keeps the overlap of the seeds' term sets at 0.73-0.86
    per file (measured, mode B). A broken POS mapping or user-dictionary merge drops it far
    below 0.6 (e.g. mapping nouns to anything else empties the sudachi side).
    """
    janome, sudachi = tokenizers
    text = next(config.RAW_DIR.glob("nagasaki_*.txt")).read_text(encoding="utf-8")
    a, b = set(janome(text)), set(sudachi(text))
    assert len(a) > 100
    assert len(a & b) / len(a | b) >= 0.6


@pytest.mark.slow
def test_map_pos_reads_the_previous_morpheme_only_through_its_context_state():
    """The analyzer memoizes map_pos by (POS id, context state): that is only valid while map_pos
    gives the same answer for every previous POS of one state. Checked over every POS of the
    installed dictionary, each dependent-noun surface and a spread of previous POS tuples."""
    from sudachipy import Dictionary

    from dxminutes.text.backends import sudachi as S

    dictionary = Dictionary(dict="core")
    poses, i = [], 0
    while (pos := dictionary.pos_of(i)) is not None:
        poses.append(tuple(pos))
        i += 1
    assert len(poses) > 100
    prevs = {None, ("名詞", "一般", "*", "*"), ("記号", "句点", "*", "*")}
    for pos in poses[:: max(1, len(poses) // 200)]:
        prevs.add(S.map_pos(pos, "x", None))
    prevs |= set(S._STATE_PREV[1:]) | {("名詞", "固有名詞", "人名", "姓"), ("名詞", "固有名詞", "人名", "名")}
    surfaces = ["x", "自治体", *sorted(S._DEPENDENT_NOUNS)]
    for pos in poses:
        for surface in surfaces:
            for prev in prevs:
                state = S._context_state(prev) if prev is not None else 0
                assert S.map_pos(pos, surface, prev) == S.map_pos(pos, surface, S._STATE_PREV[state]), (
                    pos,
                    surface,
                    prev,
                )
