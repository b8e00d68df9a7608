"""Analyses that cannot run say why in one sentence, and their functions return typed empty tables."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from dxminutes.analysis import clusters, frame_stats, guards, keyness, themes
from dxminutes.analysis import themes as T
from dxminutes.analysis import validity as V
from dxminutes.analysis.codebook import Codebook

TURN_COLUMNS = ("turn_id", "doc_id", "municipality", "meeting_date", "speaker", "role", "text")


def _turns(rows=()) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(TURN_COLUMNS))
    return frame.astype({c: str for c in TURN_COLUMNS})


@pytest.fixture(scope="module")
def theme_set():
    return themes.load_themes()


@pytest.fixture(scope="module")
def frame_set(theme_set):
    return theme_set.frames


def test_fewer_than_two_groups_names_the_one_group_and_what_would_help():
    one = pd.DataFrame({"municipality": ["調布市", "調布市", None]})
    reason = guards.fewer_than_two_groups(one, "Keyness")
    assert reason.startswith("Keyness compares municipalities") and "only one (調布市)" in reason
    assert "add minutes of at least one other municipality" in reason
    assert reason.count(".") == 1  # one sentence
    assert "none" in guards.fewer_than_two_groups(one.iloc[:0], "Keyness")
    assert guards.fewer_than_two_groups(pd.DataFrame({"municipality": ["a", "b"]}), "Keyness") is None


def test_no_gold_turns_only_when_no_row_matched():
    gold = pd.DataFrame({"status": ["missing", "missing", "text_changed"]})
    reason = guards.no_gold_turns(gold)
    assert "None of the 3 hand-labelled turns" in reason and "docs/codebook.md" in reason
    assert guards.no_gold_turns(gold.assign(status=["missing", "ok", "ok"])) is None


def test_no_hits_and_no_coded_turns():
    coded = pd.DataFrame({"theme": ["dx", "dx", "security"], "coded": [True, False, False]})
    assert guards.no_hits(coded, "dx") is None
    assert "No turn of this corpus touches 情報セキュリティ" in guards.no_hits(
        coded, "security", "情報セキュリティ"
    )
    assert guards.no_coded_turns(coded, "Topic × theme") is None
    assert guards.no_coded_turns(coded.assign(coded=False), "Topic × theme").startswith("Topic × theme needs")
    assert guards.too_few(3, 10, "A trend test", "fiscal years", "minutes of more years") is not None
    assert guards.too_few(10, 10, "A trend test", "fiscal years", "minutes of more years") is None


def test_theme_matching_on_no_text_gives_no_hit(theme_set):
    _, starts, ends = themes._concatenate([])
    assert len(starts) == len(ends) == 0
    hits = themes.find_hits(_turns(), theme_set)
    assert hits.empty and list(hits.columns) == list(themes.HIT_COLUMNS)
    one = themes.find_hits(
        _turns([("t1", "d", "m", "2024-01-01", "s", "member", "情報セキュリティについて")]), theme_set
    )
    assert one["theme"].tolist() == ["security"]


def test_frame_coding_of_no_turn_keeps_columns_and_types(theme_set, frame_set):
    sents = T.turn_sentences(_turns())
    assert sents.empty and sents["turn_id"].dtype == _turns()["turn_id"].dtype
    coding = T.code_sentences(_turns(), theme_set, level="frame")
    assert coding.empty and coding["coded"].dtype == bool and coding["n_hits"].dtype == np.int64
    assert T.turn_frames(coding).empty  # a bool mask of no row selects rows, not columns
    gold = V.read_gold()
    validity = V.frame_validity(gold, _turns(), theme_set)
    assert (validity["n_turns"] == 0).all() and (validity["n_missing"] == len(gold)).all()
    trends = frame_stats.frame_trend_tests(coding, n_perm=9, random_state=1)
    assert trends.empty and "status" in trends.columns and trends["p_perm"].dtype == np.float64


def test_empty_keyness_has_the_columns_of_a_full_table():
    empty = keyness.empty_keyness()
    assert list(empty.columns) == ["municipality", *keyness.KEYNESS_COLUMNS]
    assert empty["g2"].dtype == np.float64 and empty["target_count"].dtype == np.int64
    assert empty[empty["q"] < 0.05].empty
    assert keyness.empty_keyness(theme=True).columns[0] == "theme"


def test_silhouette_is_undefined_outside_two_to_n_minus_one_clusters():
    x = np.array([[0.0, 1.0], [1.0, 0.0], [0.7, 0.7]])
    assert np.isnan(clusters._silhouette(x, np.array([0, 1, 2]), 0))  # 3 clusters of 3 points
    assert np.isnan(clusters._silhouette(x, np.array([0, 0, 0]), 0))
    assert np.isfinite(clusters._silhouette(x, np.array([0, 1, 1]), 0))


def test_no_frames_says_so_for_a_codebook_of_themes_only(theme_set, frame_set):
    assert len(frame_set) > 0 and guards.no_frames(theme_set) is None
    bare = Codebook(tuple(replace(t, frames=()) for t in theme_set), source="my-themes.toml")
    reason = guards.no_frames(bare)
    assert reason.startswith("No frames defined") and "my-themes.toml" in reason
    coding = T.code_sentences(
        _turns([("t1", "d", "m", "2024-01-01", "s", "member", "DXの経費を削減する。")]), bare, level="frame"
    )
    assert coding.empty and list(coding.columns) == [c for c in T.FRAME_CODING_COLUMNS if c in coding.columns]
