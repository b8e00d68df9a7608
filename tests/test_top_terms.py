"""The words a researcher sees first: the top 30 nouns of each seed municipality.

Checked against a list written here, independent of resources/stopwords.txt, of meeting
procedure and function words that must never lead a frequency list (issue 3).
"""

from __future__ import annotations

import pytest

from dxminutes import config
from dxminutes.corpus.build import load_corpus
from dxminutes.text.token_table import tokenize_turns

PROCEDURAL_OR_FUNCTION = {
    # function nouns, pronouns, fillers, hedges
    "こと",
    "もの",
    "ため",
    "よう",
    "これ",
    "それ",
    "ここ",
    "そこ",
    "あと",
    "ところ",
    "とき",
    "方",
    "点",
    "件",
    "等",
    "中",
    "上",
    "的",
    "感じ",
    "場合",
    "部分",
    "ほう",
    "皆さん",
    "皆様",
    "辺",
    # meeting procedure and roles
    "委員",
    "会長",
    "副会長",
    "委員長",
    "事務局",
    "本部長",
    "部員",
    "説明",
    "質問",
    "意見",
    "資料",
    "議題",
    "次第",
    "本日",
    "今回",
    "前回",
    "次回",
    "以上",
    "発言",
    "会議",
    "審議",
    "審議会",
    "報告",
    "質疑",
    "御意見",
    "ご意見",
    "お願い",
    "ありがとうございます",
    "承知",
    "思料",
    # verbs and politeness that a noun filter must not let through
    "思う",
    "考える",
    "いただく",
    "申し上げる",
    "する",
    "なる",
    "ある",
    "いる",
}


@pytest.fixture(scope="module")
def top30():
    corpus = load_corpus(config.RAW_DIR)
    tokens = tokenize_turns(corpus.turns, cache_dir=False)
    return {m: list(g["term"].value_counts().head(30).index) for m, g in tokens.groupby("municipality")}


def test_every_seed_municipality_has_a_top_30(top30):
    assert sorted(top30) == ["墨田区", "武蔵村山市", "流山市", "豊島区", "長崎市"]
    assert all(len(terms) == 30 for terms in top30.values())


def test_top_30_nouns_hold_no_procedural_or_function_words(top30):
    for municipality, terms in top30.items():
        print(municipality, "・".join(terms))  # shown with pytest -s, for review
        bad = sorted(set(terms) & PROCEDURAL_OR_FUNCTION)
        assert not bad, f"{municipality}: procedural or function words in the top 30: {bad}"
        assert not [t for t in terms if t.isdigit() or (len(t) == 1 and "\u3041" <= t <= "\u309f")]


def test_domain_terms_lead_where_the_minutes_discuss_them(top30):
    assert "DX" in top30["豊島区"][:3]
    assert "情報セキュリティ" in top30["流山市"]
    assert "CIO補佐官" in top30["墨田区"]
