"""Context requirements of theme entries (`[[theme.context]]`) and the procedural sentences of
assembly business added for the independent sample (codebook G2, G3)."""

from __future__ import annotations

import pytest
from analysis_fixtures import make_turns

from dxminutes.analysis import validity
from dxminutes.analysis.themes import ThemeFileError, code_sentences, code_turns, is_procedural, load_themes

HEAD = """
[[theme]]
key = "dx"
label_ja = "DX"
label_en = "DX"
terms = ["システム", "DX"]
patterns = ["デジタル.{0,3}化"]
"""


@pytest.fixture(scope="module")
def themes():
    return load_themes()


def _load(tmp_path, text):
    path = tmp_path / "context_themes.toml"
    path.write_text(text, encoding="utf-8")
    return load_themes(path)


def _coded(themes, texts, theme="dx"):
    turns = make_turns([("A市", "member", t) for t in texts])
    coded = code_turns(turns, themes)
    return coded[coded["theme"] == theme]["coded"].tolist()


def test_an_entry_with_a_context_counts_only_in_a_sentence_with_that_context(tmp_path):
    themes = _load(
        tmp_path,
        HEAD + '[[theme.context]]\nentries = ["システム", "デジタル.{0,3}化"]\nrequires = "(導入|庁内)"\n',
    )
    assert themes["dx"].context_for("システム") == "(導入|庁内)"
    assert themes["dx"].context_for("DX") is None
    got = _coded(
        themes,
        [
            "社会保障システムの話。",  # no context word
            "システムを導入する。",  # context in the same sentence
            "導入は来年です。社会保障システムの話。",  # context only in another sentence
            "DXの話。",  # an entry without a context requirement
            "デジタル化は庁内で進める。",  # a pattern with a context
            "デジタル化の話。",
        ],
    )
    assert got == [False, True, False, True, True, False]


def test_sentence_and_turn_tables_agree_under_context_requirements(tmp_path):
    themes = _load(tmp_path, HEAD + '[[theme.context]]\nentries = ["システム"]\nrequires = "導入"\n')
    turns = make_turns([("A市", "member", "社会保障システムの話。システムを導入する。")])
    sents = code_sentences(turns, themes)
    dx = sents[sents["theme"] == "dx"]
    assert dx["coded"].tolist() == [False, True]
    assert code_turns(turns, themes).set_index("theme").loc["dx", "n_hits"] == 1


@pytest.mark.parametrize(
    "context, fragment",
    [
        ('[[theme.context]]\nentries = ["不明語"]\nrequires = "導入"\n', "not a term or pattern"),
        ('[[theme.context]]\nentries = ["システム"]\n', "'entries' and 'requires'"),
        ('[[theme.context]]\nentries = []\nrequires = "導入"\n', "'entries' is empty"),
        ('[[theme.context]]\nentries = ["システム"]\nrequires = "(導入"\n', "invalid regular expression"),
        ('[[theme.context]]\nentries = ["システム"]\nrequires = ".*"\n', "matches the empty string"),
        (
            '[[theme.context]]\nentries = ["システム"]\nrequires = "a"\n'
            '[[theme.context]]\nentries = ["システム"]\nrequires = "b"\n',
            "already has a context",
        ),
        ('context = "導入"\n', "[[theme.context]] tables"),
    ],
)
def test_malformed_context_tables_are_refused(tmp_path, context, fragment):
    with pytest.raises(ThemeFileError, match=r"context_themes\.toml") as info:
        _load(tmp_path, HEAD + context)
    assert fragment in str(info.value)


def test_edit_themes_adds_and_drops_context_requirements(themes):
    assert themes["dx"].context_for("システム") is not None
    free = validity.edit_themes(themes, "dx", drop_context=["システム"])
    assert free["dx"].context_for("システム") is None
    assert _coded(themes, ["社会保障システムの話。"]) == [False]
    assert _coded(free, ["社会保障システムの話。"]) == [True]
    strict = validity.edit_themes(themes, "dx", add_context={"DX": "推進"})
    assert _coded(strict, ["DXの話。", "DXを推進する。"]) == [False, True]
    with pytest.raises(ValueError, match="no context requirement"):
        validity.edit_themes(themes, "dx", drop_context=["DX"])


@pytest.mark.parametrize(
    "text, theme, coded",
    [
        ("社会保障システムの持続可能性が課題だ。", "dx", False),
        ("基幹系システムを標準化する。", "dx", True),
        ("高齢者福祉の充実を図る。", "digital_divide", False),
        ("高齢者のスマホ利用を支援する。", "digital_divide", True),
        ("若者の人口流出が続いている。", "security", False),
        ("個人情報の流出を防ぐ。", "security", True),
        ("保育所の定員を拡大する。", "staffing", False),
        ("人事案件2件を提出する。", "staffing", False),
        ("新たな手法を採用する。", "staffing", False),
        ("専門職の職員を採用する。", "staffing", True),
        ("事務組合を組織する団体の減少。", "staffing", False),
        ("そのやり方を知らない職員もいる。", "staffing", True),
        ("議員研修を行う。", "staffing", False),
        ("教員の働き方改革を進める。", "dx", False),
        ("テレワークで働き方を変える。", "dx", True),
        ("東京都デジタルサービス局の取組。", "dx", False),
        ("本審査会は個人情報保護条例に基づき進めます。", "security", False),
    ],
)
def test_broad_words_need_their_context_in_the_default_dictionary(themes, text, theme, coded):
    assert _coded(themes, [text], theme) == [coded]


@pytest.mark.parametrize(
    "sentence",
    [
        "定刻となりましたので、ただいまから「デジタル社会構想会議」を開催いたします。",
        "次期札幌ICT活用戦略策定方向性についてを議題とし、資料に基づき、理事者から説明を受けます。",
        "本日の案件は、「2006年以降の新たなIT戦略について」の2件でございます。",
        "暫時休憩いたします。",
        "御異議ありませんか。",
        "議案第5号は原案のとおり可決されました。",
        "3番、杉森議員。",
        "杉森賢二君。",
        "東京都デジタルサービス局戦略部長の深井でございます。",
        "お手持ちのタブレットで御確認いただけますでしょうか。",
        "本日の会議はオンラインにて開催をさせていただきます。",
        "本日の傍聴については、オンラインにより別室で1人が傍聴していることを報告いたします。",
        "これをもって質疑を終結します。",
    ],
)
def test_assembly_business_sentences_are_procedural(themes, sentence):
    assert is_procedural(sentence, themes)


@pytest.mark.parametrize(
    "sentence",
    [
        "オンライン申請の件数を伺いたい。",
        "システムの標準化に伴う職員の負担が大きい。",
        "窓口を利用している高齢者の方への支援を続けます。",
    ],
)
def test_content_sentences_stay_content(themes, sentence):
    assert not is_procedural(sentence, themes)
