"""Sentence-level theme coding: procedural sentences, matches that never cross a boundary,
and the sentence table (issue 12 item 1, issue 11 item 6)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_turns, seed_turns

from dxminutes.analysis.themes import (
    FLAGS,
    SENTENCE_CODED_COLUMNS,
    ThemeFileError,
    code_sentences,
    code_turns,
    find_hits,
    find_matches,
    is_procedural,
    load_themes,
    normalize_text,
    theme_hits,
)
from dxminutes.text.sentences import split_sentences

DOT_THEMES = """
[[theme]]
key = "push"
label_ja = "推進"
label_en = "Push"
terms = ["ZZZ"]
patterns = ["デジタル.*推進", "D.X", "情報[^。]*計画"]
"""


@pytest.fixture(scope="module")
def themes():
    return load_themes()


@pytest.fixture(scope="module")
def dot_themes(tmp_path_factory):
    path = tmp_path_factory.mktemp("themes") / "dot.toml"
    path.write_text(DOT_THEMES, encoding="utf-8")
    return load_themes(path)


def _expected_turns(turns, patterns):
    """Independent count: turns where some pattern finds something in some sentence."""
    compiled = [re.compile(p, FLAGS) for p in patterns]
    out = []
    for text in turns["text"]:
        sentences = split_sentences(normalize_text(text))
        out.append(any(r.search(s) for r in compiled for s in sentences))
    return np.array(out)


def test_dot_patterns_count_every_matching_turn_and_never_join_turns(dot_themes):
    rows = [
        ("A市", "member", "デジタル化を推進する。"),  # match
        ("A市", "member", "デジタル"),  # would join the next turn's 推進
        ("A市", "member", "推進はデジタルで。"),  # no match (wrong order)
        ("A市", "member", "デジタル技術の活用を強く推進したい。"),  # match, greedy .*
        ("A市", "member", "DXの話"),  # no match: D.X needs a character between D and X
        ("A市", "member", "D-X の話"),  # match
        ("A市", "member", "情報化の"),  # [^。]* must not run into the next turn's 計画
        ("A市", "member", "計画です。"),
        ("A市", "member", "デジタル。推進。"),  # two sentences: no match across them
        ("A市", "member", "情報化推進計画。デジタルを推進。"),  # two matches in two sentences
    ]
    turns = make_turns(rows * 3)  # repeated: the scan must not lose matches after a miss
    expected = _expected_turns(turns, ["デジタル.*推進", "D.X", "情報[^。]*計画"])
    coded = code_turns(turns, dot_themes)
    assert coded["coded"].to_numpy().tolist() == expected.tolist()
    assert int(expected.sum()) == 4 * 3
    last = coded[coded["turn_id"] == "doc-A市:0009"].iloc[0]
    assert (last["n_hits"], last["n_sentences"]) == (2, 2)


def test_dot_patterns_on_the_seed_minutes_count_every_matching_turn(dot_themes):
    turns = seed_turns()
    expected = _expected_turns(turns, ["デジタル.*推進", "D.X", "情報[^。]*計画"])
    coded = code_turns(turns, dot_themes)
    assert expected.sum() > 10
    assert coded["coded"].to_numpy().tolist() == expected.tolist()


@pytest.mark.parametrize("pattern", [r"デジタル.*推進", r"[^。]*推進", r"\s+", r"推進.{0,40}", r"^.", r".$"])
def test_find_matches_equals_scanning_each_text_alone(pattern):
    texts = [*seed_turns()["text"].map(normalize_text).tolist()[:120], "", "推進", "\n推進\n"]
    regex = re.compile(pattern, FLAGS)
    got = find_matches(texts, regex)
    expected = [
        (i, m.start(), m.end(), m.group())
        for i, text in enumerate(texts)
        for m in regex.finditer(text)
        if m.end() > m.start()
    ]
    assert list(zip(got["row"], got["start"], got["end"], got["match"])) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "ただいまより第1回行政情報化推進本部を開会します。",
        "第1回行政情報化推進本部を開催いたします。",
        "次に、DX推進計画について事務局から説明をお願いします。",
        "それでは、自治体DX調査特別委員会の研修会を始めます。",
        "【資料4】DX研修計画",
        "・DX推進計画について説明",
        "はい、今井委員。",
        "それでは、本日の審議会の進行について、事務局から説明願います。",
        "次第2「次期情報化推進計画の方針について」に進みます。",
        "発言の折には、必ずマイクを使用し、冒頭で氏名を名乗ってください。",
        "次回の会議日程については、改めてご連絡します。",
    ],
)
def test_procedural_sentences_of_the_codebook_are_procedural(themes, sentence):
    assert is_procedural(sentence, themes)


@pytest.mark.parametrize(
    "sentence",
    [
        "決裁につきましては、電子決裁の導入を予定しております。",
        "本市のマイナンバーカード普及率を伺いたい。",
        "新規採用職員に対しては入庁時に情報セキュリティ研修を実施しております。",
        "職員向けにDX研修を開催します。",
        "高齢者向けのスマホ教室を開催しております。",
        "市長をトップとする流山市DX推進本部という組織体を設けております。",
        "次回の会議までにシステムの導入効果を示してほしい。",
    ],
)
def test_content_sentences_are_not_procedural(themes, sentence):
    assert not is_procedural(sentence, themes)


def test_a_turn_is_coded_by_its_content_sentences_only(themes):
    turns = make_turns(
        [
            ("A市", "chair", "ただいまより第1回行政情報化推進本部を開会します。"),
            (
                "A市",
                "chair",
                "【資料4】DX研修計画\nそれでは、DX研修計画について事務局から説明をお願いします。",
            ),
            ("A市", "official", "第1回DX推進本部を開会します。本年度は電子決裁を導入します。"),
        ]
    )
    coded = code_turns(turns, themes).set_index(["turn_id", "theme"])
    assert not coded.loc["doc-A市:0000", "coded"].any()
    assert not coded.loc["doc-A市:0001", "coded"].any()
    assert coded.loc[("doc-A市:0002", "dx"), "coded"]
    assert coded.loc[("doc-A市:0002", "dx"), "matched_terms"] == "電子決裁"
    assert coded.loc[("doc-A市:0002", "dx"), "n_sentences"] == 1
    audit = theme_hits(turns, themes).set_index(["theme", "variant"])
    # the skipped matches are audited, not lost: 研修 in 0001's agenda line (in the handout line
    # 「【資料4】DX研修計画」 it is a cited title, excluded from staffing altogether: G2)
    assert audit.loc[("staffing", "研修"), "n_procedural"] == 1
    assert audit.loc[("staffing", "研修"), "n_hits"] == 0
    with_proc = find_hits(turns, themes, include_procedural=True)
    assert with_proc["procedural"].sum() == audit["n_procedural"].sum() > 0
    assert not find_hits(turns, themes)["procedural"].any()


@pytest.mark.slow
def test_sentence_table_is_consistent_with_the_turn_coding(themes):
    turns = seed_turns()
    before = turns.copy()
    sents = code_sentences(turns, themes)
    pd.testing.assert_frame_equal(turns, before)
    assert tuple(sents.columns) == SENTENCE_CODED_COLUMNS  # the seed turns have every context column
    assert (sents["frame"] == "").all() and (sents["code"] == sents["theme"]).all()
    assert (sents["sentence_id"] == sents["turn_id"] + "#" + sents["sentence"].map("{:03d}".format)).all()
    # one row per sentence × theme; offsets point into the normalized turn text
    n_sent = sum(len(split_sentences(normalize_text(t))) for t in turns["text"])
    assert len(sents) == n_sent * len(themes)
    texts = dict(zip(turns["turn_id"], turns["text"].map(normalize_text)))
    one = sents[sents["theme"] == "dx"]
    assert all(
        texts[t][s:e] == x for t, s, e, x in zip(one["turn_id"], one["start"], one["end"], one["text"])
    )
    assert (sents["coded"] == ((sents["n_hits"] > 0) & ~sents["procedural"])).all()
    assert sents["procedural"].any() and not sents["procedural"].all()
    # the turn coding is "any non-procedural sentence coded"
    coded = code_turns(turns, themes)
    by_turn = sents.groupby(["turn_id", "theme"])["coded"].agg(["any", "sum"])
    merged = coded.join(by_turn, on=["turn_id", "theme"])
    assert (merged["coded"] == merged["any"].fillna(False).astype(bool)).all()
    assert (merged["n_sentences"] == merged["sum"].fillna(0).astype(int)).all()
    hits = sents[sents["coded"]].groupby(["turn_id", "theme"])["n_hits"].sum()
    assert coded.set_index(["turn_id", "theme"])["n_hits"].sum() == hits.sum()


def test_empty_turns_have_no_sentences(themes):
    turns = make_turns([("A市", "member", ""), ("A市", "member", "DXの推進。")])
    sents = code_sentences(turns, themes)
    assert set(sents["turn_id"]) == {"doc-A市:0001"}
    coded = code_turns(turns, themes)
    assert len(coded) == 2 * len(themes)


def test_procedural_list_is_validated(tmp_path):
    base = '[[theme]]\nkey = "dx"\nlabel_ja = "DX"\nlabel_en = "DX"\nterms = ["DX"]\n'
    path = tmp_path / "proc_themes.toml"
    path.write_text('procedural = ["(開会"]\n' + base, encoding="utf-8")
    with pytest.raises(ThemeFileError, match=r"proc_themes\.toml.*procedural.*\(開会"):
        load_themes(path)
    path.write_text('procedural = "開会"\n' + base, encoding="utf-8")
    with pytest.raises(ThemeFileError, match="list of strings"):
        load_themes(path)
    path.write_text('procedural = ["開会します"]\n' + base, encoding="utf-8")
    assert load_themes(path).procedural == ("開会します",)


def test_both_levels_of_code_sentences_share_one_table_shape(themes):
    turns = make_turns(
        [
            ("甲市", "member", "デジタル化の経費を削減する。今日は晴れです。"),
            ("甲市", "official", "サイバー攻撃による情報漏えいが心配だ。"),
        ]
    )
    theme_level = code_sentences(turns, themes, level="theme")
    frame_level = code_sentences(turns, themes, level="frame")
    assert list(theme_level.columns) == list(frame_level.columns)
    assert theme_level.dtypes.to_dict() == frame_level.dtypes.to_dict()
    # the frames sit inside the theme-coded sentences: same sentence ids, same offsets and text
    coded = theme_level[theme_level["coded"]].set_index(["sentence_id", "theme"])
    for row in frame_level.itertuples():
        ref = coded.loc[(row.sentence_id, row.theme)]
        assert (ref["start"], ref["end"], ref["text"]) == (row.start, row.end, row.text)
    assert not frame_level["procedural"].any()
    got = set(frame_level.loc[frame_level["coded"], "code"])
    assert {"dx:efficiency", "security:threat"} <= got
    with pytest.raises(ValueError, match="level must be one of"):
        code_sentences(turns, themes, level="turn")
