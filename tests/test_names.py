"""`corpus.names.name_before_post`: an official's family name before the post in a label."""

from __future__ import annotations

import pytest

from dxminutes.corpus import segment
from dxminutes.corpus.names import name_before_post


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("梶市長", "梶"),
        ("村松電子県庁課長", "村松"),
        ("齊藤副区長", "齊藤"),
        ("野田内閣府特命担当大臣", "野田"),
        ("澤事務局長", "澤"),
        ("田中健康福祉部長", "田中"),  # 健康 is no given name here: more than the post follows it
        ("山田太郎市長", "山田太郎"),  # a given name followed by the post alone
        ("吉村府知事", "吉村"),  # 吉村府 is no prefecture
    ],
)
def test_the_family_name_before_a_post(label, name):
    assert name_before_post(label) == name


@pytest.mark.parametrize(
    "label",
    [
        "石川県知事",  # 石川 is a family name, but 石川県 is on the official list
        "上田市長",
        "吉田町長",
        "松本市長",  # read as a place
        "総務部長",  # no name at all
        "電子県庁課長",
        "市長",
        "山田",  # no post
    ],
)
def test_posts_of_places_and_bare_posts_stay_whole(label):
    assert name_before_post(label) is None


@pytest.mark.parametrize(
    ("line", "speaker", "role"),
    [
        ("○梶市長 お答えいたします。", "梶", "official"),
        ("○田中総務部長 お答えいたします。", "田中", "official"),
        ("○石川県知事 お答えいたします。", "石川県知事", "official"),
        ("○総務部長 お答えいたします。", "総務部長", "official"),
        ("○山田委員 質問します。", "山田", "member"),  # the member path is unchanged
        ("○市長(梶正治君) お答えいたします。", "梶正治", "official"),
    ],
)
def test_speaker_lines_name_the_person(line, speaker, role):
    turn = segment._parse_speaker_line(line, {})
    assert (turn["speaker"], turn["role"]) == (speaker, role)
