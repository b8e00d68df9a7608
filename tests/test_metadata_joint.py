"""Joint bodies of several municipalities are never credited to one of them; national councils are 国."""

from __future__ import annotations

import pytest

from dxminutes.corpus.metadata import JOINT_BODY_WARNING, document_metadata, find_place


@pytest.mark.parametrize(
    ("text", "body"),
    [
        (
            "第10回臨時田沢湖・角館・西木合併協議会会議録\n開催年月日 平成17年3月27日\n",
            "田沢湖・角館・西木合併協議会",
        ),
        (
            "五戸町・倉石村・新郷村合併協議会 会議録\n○会長 開会します。五戸町の…\n",
            "五戸町・倉石村・新郷村合併協議会",
        ),
        ("志木地区衛生組合\n\n会議録\n平成17年第4回志木地区衛生組合定例会 会議録\n", "志木地区衛生組合"),
        ("令和5年第2回北杜市甲斐市広域事務組合議会定例会\n", "北杜市甲斐市広域事務組合"),
    ],
)
def test_joint_bodies_get_no_municipality_and_a_warning(text, body):
    place = find_place(text)
    assert place.municipality is None and place.body_code is None
    assert place.warnings == (JOINT_BODY_WARNING.format(body=body),)
    meta = document_metadata(text, "joint.txt", None)
    assert meta.municipality is None and any("joint body" in w for w in meta.warnings)


@pytest.mark.parametrize(
    ("text", "municipality"),
    [
        (
            "流山市行財政改革審議会\n議題 市民・事業者の協働について\n",
            "流山市",
        ),  # `・` without a council word
        (
            "栗山町議会 臨時会\n出席 南空知消防組合の職員\n",
            "栗山町",
        ),  # a union named, not holding the meeting
    ],
)
def test_ordinary_bodies_are_not_joint(text, municipality):
    assert find_place(text).municipality == municipality


@pytest.mark.parametrize(
    "text",
    [
        "第5回 情報通信審議会 情報通信政策部会\n令和5年3月1日\n○部会長 ただいまから開会します。\n",
        "中央教育審議会 初等中等教育分科会(第140回)議事録\n【分科会長】 開会します。\n",
        "29次地方制度調査会 第1回総会 次第\n平成19年7月3日(火)\n",
    ],
)
def test_national_councils_without_a_ministry_name_are_national(text):
    place = find_place(text)
    assert (place.municipality, place.body_level) == ("国", "national")
