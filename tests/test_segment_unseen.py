"""Speaker conventions met on minutes of bodies the project had not seen (issue 19, item 4).

Each convention is tested on a small case built with a known answer, next to the traps that
must not become turns: a role word in a roster, a table, a sentence; a speaker index; an agenda
that names a greeting. Real examples are in tests/data/realworld (rw_051–rw_062).
"""

from __future__ import annotations

import pytest

from dxminutes.corpus.cleaning import clean
from dxminutes.corpus.segment import segment


def turns_of(text: str) -> list[tuple[str, str, str]]:
    """(speaker, role, first 8 characters of the text) of every turn."""
    turns = segment(clean(text).text).turns
    return [(row.speaker, row.role, row.text[:8]) for row in turns.itertuples()]


def test_bare_role_words_alone_on_a_line_then_the_speech():
    text = (
        "第3回 地域公共交通会議\n会長\nただいまから会議を開きます。本日は資料1について御意見をいただきます。\n"
        "委員\nバスの本数について質問します。減便の理由は何ですか。\n事務局\n利用者の減少によるものです。\n"
    )
    assert turns_of(text) == [
        ("会長", "chair", "ただいまから会議"),
        ("委員", "member", "バスの本数につい"),
        ("事務局", "official", "利用者の減少によ"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "出席者\n会長\n山田太郎\n委員\n鈴木花子 佐藤一郎\n事務局\n企画課長 田中次郎\n",  # a roster
        "会議録\n会長は開会を宣言した。\n委員から質問があった。\n",  # role words inside sentences
        "出席者\n委員\t山田太郎\t出席\n事務局\t鈴木花子\t出席\n",  # a table
        "委員 (田沢湖町)\n高 橋 正 男 千 葉   勇\n委員 東裕 若柳善朗 樋口ユミ\n",  # roster lines
        "応招議員 (17名)\n1番 井 上 恭 子 議員\n不応招議員 (1名)\n",
    ],
)
def test_role_words_in_rosters_tables_and_sentences_are_not_labels(text):
    assert turns_of(text) == []


def test_spaced_role_word_opening_a_line():
    text = "1-7\n事務局長  ここから会長に議長職をお願いいたします。\n議  長  たった今、委嘱書を交付しました。\n議長として委員の皆様に御了解をいただきたい。\n"
    assert turns_of(text) == [
        ("事務局長", "official", "ここから会長に議"),
        ("議長", "chair", "たった今、委嘱書"),
    ]


def test_inline_parenthesised_labels():
    text = (
        "要旨\n(委 員)予約はスマホでできますか。\n(事務局)できます。\n(A委員)高齢者への配慮もお願いしたい。\n"
    )
    assert turns_of(text) == [
        ("委員", "member", "予約はスマホでで"),
        ("事務局", "official", "できます。"),
        ("A委員", "member", "高齢者への配慮も"),
    ]
    # flattened into one line after a stage note, as a table cell of a summary page
    flat = (
        "7 会議概要 -資料を基に事務局より説明- (事務局)感想をお伺いしたい。 (委員)問題量は多くないと思った。"
    )
    assert turns_of(flat) == [
        ("事務局", "official", "感想をお伺いした"),
        ("委員", "member", "問題量は多くない"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "出席者\n(西神楽支所長)長岐和典,(同市民係長)柳渡秀一\n",  # a roster of posts and names
        "経過\n(委員)の意見を踏まえ、修正した。\n",  # a particle: the parenthesis is part of a sentence
        "名簿\n(委員)山田太郎\n(委員)鈴木花子\n(事務局)田中次郎\n",  # a run of labels with names, no speech
    ],
)
def test_parenthesised_role_words_that_are_not_labels(text):
    assert turns_of(text) == []


def test_anonymous_question_and_answer_items():
    text = (
        "意見交換\n○窓口の予約制はいつから始まるのか。\n→来年4月から試行する予定である。\n"
        "○ 高齢者への周知はどうするのか。\n⇒ 広報紙とチラシで周知する。\n"
    )
    assert turns_of(text) == [
        ("委員", "member", "窓口の予約制はい"),
        ("事務局", "official", "来年4月から試行"),
        ("委員", "member", "高齢者への周知は"),
        ("事務局", "official", "広報紙とチラシで"),
    ]


def test_a_speaker_index_is_never_taken_for_turns():
    index = "発言者一覧\n" + "".join(
        f"{i}: ◯{name}\n" for i, name in enumerate(["山田議長", "鈴木市長", "田中委員"] * 4, 1)
    )
    text = index + "◯山田議長 ただいまから本日の会議を開きます。\n◯鈴木市長 お答えします。\n"
    assert turns_of(text) == [
        ("山田", "chair", "ただいまから本日"),
        ("鈴木市長", "official", "お答えします。"),
    ]
    toc = "目次\n○開会の宣告 ……………… 3\n○日程第1 会議録署名議員の指名 ……… 3\n○行政報告 ……………… 4\n"
    assert turns_of(toc) == []


def test_greeting_headings():
    # the heading is followed by the greeting itself: the chair's turn
    assert turns_of(
        "次第\n2 会長あいさつ\n本日はお忙しいところお集まりいただき、ありがとうございます。\n"
    ) == [("会長", "chair", "本日はお忙しいと")]
    assert turns_of("〇会長あいさつ\n本日はお集まりいただきありがとうございます。\n") == [
        ("会長", "chair", "本日はお集まりい")
    ]
    # an agenda that names the greeting: a heading
    assert turns_of("次第\n3.会長あいさつ\n4.会議録署名委員の指名について\n5.議題\n") == []
    assert turns_of("○会長あいさつ\n○議事\n(1)報告事項\n") == []
