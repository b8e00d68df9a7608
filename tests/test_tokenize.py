"""Tests of the Japanese tokenizer on real seed sentences and small known cases."""

from __future__ import annotations

import pickle
import re

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from dxminutes import config
from dxminutes.corpus.cleaning import normalize_unicode
from dxminutes.text.tokenizer import COMPOUND_SUFFIXES, JapaneseTokenizer, read_stopwords

DOMAIN_TERMS = [
    "情報セキュリティポリシー",
    "行政手続オンライン化",
    "情報セキュリティ",
    "デジタル人材",
    "電子申請",
    "電子決裁",
    "LGWAN-ASP",
    "マイナンバーカード",
    "ガバメントクラウド",
    "デジタルデバイド",
    "EBPM",
    "RPA",
    "ノーコード",
    "テレワーク",
    "CIO補佐官",
    "オープンデータ",
    "ペーパーレス",
    "デジタルデバインド",
    "ICT",
    "自治体DX",
    "フロントヤード改革",
    "デジタルトランスフォーメーション",
    "書かない窓口",
    "標準準拠システム",
]


@pytest.fixture(scope="module")
def tok():
    return JapaneseTokenizer()


@pytest.fixture(scope="module")
def seed_lines():
    lines = []
    for path in sorted(config.RAW_DIR.glob("*.txt")):
        lines += [normalize_unicode(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return lines


@pytest.fixture(scope="module")
def seed_terms(tok, seed_lines):
    """Each seed line with its terms, tokenized once for the module."""
    return [(line, tok(line)) for line in seed_lines]


@pytest.mark.parametrize("term", DOMAIN_TERMS)
def test_domain_terms_come_out_whole_from_seed_sentences(seed_terms, term):
    lines = [(line, terms) for line, terms in seed_terms if term in line]
    assert lines, f"no seed line contains {term}"
    for line, terms in lines:
        # the term is never split across tokens: some token contains all of it
        assert any(term in t for t in terms), (term, line, terms)


@pytest.mark.parametrize("term", [*DOMAIN_TERMS, "生成AI", "サイバーセキュリティ", "LGWAN", "DX"])
def test_domain_terms_are_single_tokens_in_a_plain_sentence(tok, term):
    assert tok(f"{term}について、引き続き取り組みます。") == [term]


def test_information_security_is_one_term_not_two(tok):
    terms = tok("情報セキュリティの研修を行います。")
    assert "情報セキュリティ" in terms
    assert "情報" not in terms and "セキュリティ" not in terms


@pytest.mark.parametrize(
    "text",
    [
        "令和3年度第2回の会議",
        "資料3をご覧ください",
        "項番38について",
        "3割減となった",
        "第5回流山市行財政改革審議会",
        "2024年7月17日",
    ],
)
def test_numbers_are_never_glued_into_terms(tok, text):
    assert not any(re.search(r"\d", t) for t in tok(text)), tok(text)


def test_no_seed_term_contains_a_digit_except_user_terms(seed_terms):
    user = {line.split(",")[0] for line in config.USERDICT_PATH.read_text(encoding="utf-8").splitlines()}
    bad = {t for _, terms in seed_terms for t in terms if re.search(r"\d", t) and t not in user}
    assert not bad


def test_stopwords_are_gone_from_seed_terms(seed_terms):
    stop = read_stopwords(config.STOPWORDS_PATH)
    assert len(stop) >= 150
    seen = {t for _, terms in seed_terms for t in terms}
    assert not seen & stop
    assert {"委員", "事務局", "資料", "こと", "ため"} <= stop


def test_stopwords_match_base_forms_of_verbs():
    text = "その点について思っています。考えておりました。"
    bare = JapaneseTokenizer(keep_verbs=True, stopwords_path=None)(text)
    assert "思う" in bare and "考える" in bare  # verbs come out as base forms
    kept = JapaneseTokenizer(keep_verbs=True)(text)
    assert "思う" not in kept and "考える" not in kept and "思っ" not in kept


def test_nouns_only_by_default(tok):
    terms = tok("職員の研修を進めて、新しい仕組みを作ります。")
    assert "進める" not in terms and "新しい" not in terms and "作る" not in terms
    assert "研修" in terms and "職員" in terms


def test_proper_names_dropped_by_default():
    text = "佐藤課長から長崎県の取組を紹介しました。"
    assert "佐藤" not in JapaneseTokenizer()(text)
    assert "佐藤" in JapaneseTokenizer(drop_proper_names=False)(text)


def test_productive_suffixes_extend_compounds_others_do_not(tok):
    terms = tok("業務の効率化と利用者の満足度、システム等の標準化を図る。")
    assert "効率化" in terms and "利用者" in terms and "満足度" in terms
    assert not any(t.endswith("等") for t in terms)
    assert {"化", "者", "的"} <= COMPOUND_SUFFIXES


def test_compound_length_is_capped():
    text = "住民情報基幹システム標準仕様書改定作業工程管理"
    capped = JapaneseTokenizer(max_compound_parts=2, stopwords_path=None).analyze(text)
    assert capped and all(len(t.parts) <= 2 for t in capped)
    free = JapaneseTokenizer(max_compound_parts=3, stopwords_path=None).analyze("行政経営プラン")
    assert [t.term for t in free] == ["行政経営プラン"] and len(free[0].parts) == 3


def test_compounds_off_gives_parts():
    assert JapaneseTokenizer(compounds=False, stopwords_path=None)("行政経営プラン") == [
        "行政",
        "経営",
        "プラン",
    ]


def test_symbols_do_not_become_terms(tok):
    assert tok("(仮称)デジタル推進計画</p>") == ["デジタル推進計画"]


def test_pickles_before_and_after_use():
    tok = JapaneseTokenizer()
    key = tok.settings_key()
    again = pickle.loads(pickle.dumps(tok))
    text = "電子申請と電子決裁の導入について"
    first = tok(text)
    after = pickle.loads(pickle.dumps(tok))
    assert again(text) == first == after(text)
    assert after.settings_key() == key


def test_works_inside_tfidf_vectorizer():
    docs = ["情報セキュリティの研修", "電子申請の推進", "情報セキュリティと電子申請"]
    vec = TfidfVectorizer(analyzer=JapaneseTokenizer())
    matrix = vec.fit_transform(docs)
    assert set(vec.get_feature_names_out()) == {"情報セキュリティ", "研修", "電子申請", "推進"}
    assert matrix.shape == (3, 4)


def test_settings_key_tracks_what_changes_output(tmp_path):
    base = JapaneseTokenizer()
    assert base.settings_key() == JapaneseTokenizer().settings_key()
    assert base.settings_key() != JapaneseTokenizer(keep_verbs=True).settings_key()
    assert base.settings_key() != JapaneseTokenizer(drop_proper_names=False).settings_key()
    stop = tmp_path / "stop.txt"
    stop.write_text(config.STOPWORDS_PATH.read_text(encoding="utf-8") + "推進\n", encoding="utf-8")
    edited = JapaneseTokenizer(stopwords_path=stop)
    assert edited.settings_key() != base.settings_key()
    assert edited.analysis_key() == base.analysis_key()


def test_tokens_cli_json(capsys):
    import json

    from dxminutes.cli import main

    path = sorted(config.RAW_DIR.glob("*.txt"))[0]
    assert main(["tokens", str(path), "--json"]) == 0
    turns = json.loads(capsys.readouterr().out)
    assert turns and {"speaker", "role", "tokens"} <= set(turns[0])
    assert any("DX" in t["tokens"] for t in turns)
