"""Frame dictionary, sentence-level frame coding inside theme sentences, and frame validity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_turns, seed_turns
from sklearn.metrics import cohen_kappa_score, precision_score, recall_score

from dxminutes.analysis import themes as T
from dxminutes.analysis import validity as V
from dxminutes.analysis.themes import find_hits, load_themes, normalize_text
from dxminutes.text.sentences import sentence_spans

CODEBOOK_FRAMES = {
    "dx": ["efficiency", "convenience", "mandate", "data", "organisation"],
    "security": ["threat", "rules", "technical", "people"],
    "staffing": ["shortage", "skills", "outside", "structure"],
    "digital_divide": ["elderly", "in_person", "information", "inclusion"],
}


@pytest.fixture(scope="module")
def themes():
    return load_themes()


@pytest.fixture(scope="module")
def frames(themes):
    return themes.frames


# --------------------------------------------------------------------------- the dictionary
def test_default_file_has_the_codebook_frames_with_bilingual_labels(frames, themes):
    assert frames.themes == themes.keys
    for theme, keys in CODEBOOK_FRAMES.items():
        assert frames.keys(theme) == keys
    for frame in frames:
        assert frame.label_ja and frame.label_en and frame.terms
        assert frame.label == f"{frame.label_ja} / {frame.label_en}"
    assert frames.labels["security:rules"] == "規程・監査・遵守 / Rules, audits and compliance"


def test_every_gold_code_is_a_frame_of_the_file(frames):
    gold = V.read_gold()
    codes = {c for cell in gold["frames"].fillna("") for c in cell.split(";") if c}
    assert codes <= set(frames.codes)
    assert len(codes) == len(frames.codes)  # every frame occurs in the gold sample


# --------------------------------------------------------------------------- sentences
def test_theme_sentences_maps_hits_to_their_sentences(themes):
    turns = make_turns(
        [
            ("甲市", "member", "DXを進めたい。今日は晴れです。情報セキュリティも大切です。"),
            ("甲市", "official", "特にありません。"),
        ]
    )
    ts = T.theme_sentences(turns, themes)
    got = sorted(zip(ts["turn_id"], ts["sentence"], ts["theme"]))
    assert got == [("doc-甲市:0000", 0, "dx"), ("doc-甲市:0000", 2, "security")]
    # offsets are those of find_hits in the normalized text, sentence spans of that text
    text = normalize_text(turns["text"].iloc[0])
    spans = sentence_spans(text)
    hits = find_hits(turns, themes)
    for start in hits["start"]:
        assert any(s <= start < e for s, e in spans)
    assert ts["text"].tolist() == ["DXを進めたい。", "情報セキュリティも大切です。"]


def test_theme_sentences_uses_the_normalized_text(themes):
    turns = make_turns([("甲市", "member", "ＤＸ推進。ｾｷｭﾘﾃｨ対策。")])
    ts = T.theme_sentences(turns, themes)
    assert ts["theme"].tolist() == ["dx", "security"]
    assert ts["text"].tolist() == ["DX推進。", "セキュリティ対策。"]


def test_frames_are_coded_only_inside_sentences_of_their_theme(themes, frames):
    turns = make_turns(
        [
            # dx sentence with a cost word → dx:efficiency; a cost word without any theme → nothing
            ("甲市", "member", "デジタル化の経費は大きい。コストが高い。"),
            # security sentence with a leak → security:threat, not dx
            ("甲市", "official", "サイバー攻撃による情報漏えいが心配だ。"),
        ]
    )
    before = turns.copy()
    coding = T.code_sentences(turns, themes, level="frame")
    pd.testing.assert_frame_equal(turns, before)  # input untouched
    coded = coding[coding["coded"]]
    assert set(zip(coded["turn_id"], coded["sentence"], coded["code"])) == {
        ("doc-甲市:0000", 0, "dx:efficiency"),
        ("doc-甲市:0001", 0, "security:threat"),
    }
    # one row per theme sentence × frame of its theme
    n_dx = len(frames.for_theme("dx"))
    assert (coding["theme"] == "dx").sum() == n_dx
    assert (coding["theme"] == "security").sum() == len(frames.for_theme("security"))
    assert set(coding.loc[coding["code"] == "dx:efficiency", "matched_terms"]) == {"経費"}


def test_frame_exclusion_blocks_the_stock_benefit(themes, frames):
    # codebook 6.2: 職員の負担軽減 as a benefit is not staffing:shortage
    # (人材育成 makes both sentences staffing sentences; bare 職員 is not a staffing term)
    turns = make_turns([("甲市", "member", "人材育成で職員の負担軽減につながる。職員の負担が大きい。")])
    coding = T.code_sentences(turns, themes, level="frame")
    shortage = coding[(coding["code"] == "staffing:shortage")]
    assert shortage.set_index("sentence")["coded"].to_dict() == {0: False, 1: True}


def test_turn_frames_is_any_sentence(themes, frames):
    turns = make_turns([("甲市", "member", "デジタル化で経費を削減。DXで利便性が向上。DXの話。")])
    tf = T.turn_frames(T.code_sentences(turns, themes, level="frame"))
    assert sorted(tf["code"]) == ["dx:convenience", "dx:efficiency"]


def test_frame_hits_lists_dead_variants(themes, frames):
    turns = make_turns([("甲市", "member", "デジタル化の経費は大きい。DX関連の経費を削減。")])
    audit = T.frame_hits(T.code_sentences(turns, themes, level="frame"), frames)
    eff = audit[audit["frame"] == "efficiency"].set_index("variant")
    assert eff.loc["経費", "n_sentences"] == 1  # the first sentence
    # the second sentence's longest match is the pattern (経費を削減), not the terms inside it
    assert eff.loc[eff["kind"] == "pattern", "n_sentences"].max() == 1
    assert eff.loc["削減", "n_sentences"] == 0
    assert (audit["n_sentences"] > 0).sum() == 2
    assert len(audit) == sum(len(f.as_theme().variants()) for f in frames)


# --------------------------------------------------------------------------- validity
def test_agreement_matches_sklearn():
    rng = np.random.default_rng(7)
    for _ in range(20):
        g = rng.random(60) < rng.uniform(0.1, 0.6)
        p = np.where(rng.random(60) < 0.7, g, rng.random(60) < 0.3)
        got = V.agreement_counts(g, p)
        assert got["kappa"] == pytest.approx(cohen_kappa_score(g, p))
        assert got["precision"] == pytest.approx(precision_score(g, p, zero_division=np.nan))
        assert got["recall"] == pytest.approx(recall_score(g, p, zero_division=np.nan))
    assert V.agreement_counts([1, 0, 1, 0], [1, 0, 1, 0])["kappa"] == 1.0
    assert np.isnan(V.agreement_counts([0, 0], [0, 0])["kappa"])


def test_match_gold_checks_text_sha1():
    turns = make_turns([("甲市", "member", "本文"), ("甲市", "member", "別の本文")])
    gold = pd.DataFrame(
        {
            "turn_id": ["doc-甲市:0000", "doc-甲市:0001", "doc-甲市:0009"],
            "text_sha1": [V.text_sha1("本文"), V.text_sha1("変わる前"), "0" * 40],
            "frames": ["", "", ""],
        }
    )
    assert V.match_gold(gold, turns)["status"].tolist() == ["ok", "text_changed", "missing"]


def test_frame_validity_known_answer(themes, frames):
    turns = make_turns(
        [
            ("甲市", "member", "デジタル化で経費を削減する。"),  # dx:efficiency, right
            ("甲市", "member", "デジタル化で利便性が上がる。"),  # dx:convenience, gold says efficiency
            ("甲市", "member", "こんにちは。"),  # nothing either way
        ]
    )
    gold = pd.DataFrame(
        {
            "turn_id": turns["turn_id"],
            "text_sha1": [V.text_sha1(t) for t in turns["text"]],
            "dx": ["1", "1", "0"],
            "security": "0",
            "staffing": "0",
            "digital_divide": "0",
            "frames": ["dx:efficiency", "dx:efficiency", ""],
        }
    )
    v = V.frame_validity(gold, turns, themes).set_index("code")
    assert v.loc["dx", ["tp", "fp", "fn", "tn"]].tolist() == [2, 0, 0, 1]
    assert v.loc["dx:efficiency", ["tp", "fp", "fn", "tn"]].tolist() == [1, 0, 1, 1]
    assert v.loc["dx:convenience", ["tp", "fp", "fn", "tn"]].tolist() == [0, 1, 0, 2]
    assert v.loc["dx:efficiency", "precision"] == 1.0 and v.loc["dx:efficiency", "recall"] == 0.5
    assert v.loc["dx:efficiency", "kappa"] == pytest.approx(cohen_kappa_score([1, 1, 0], [1, 0, 0]))


@pytest.mark.slow
def test_frame_validity_on_the_gold_sample(themes, frames):
    turns = seed_turns()
    gold = V.read_gold()
    v = V.frame_validity(gold, turns, themes)
    assert (v["n_text_changed"] == 0).all() and (v["n_missing"] == 0).all()
    assert (v["n_turns"] == len(gold)).all()
    assert set(v.loc[v["level"] == "frame", "code"]) == set(frames.codes)
    gold_pos = v.set_index("code")["gold_positive"]
    assert gold_pos["security:rules"] == 15 and gold_pos["dx:organisation"] == 78  # gold README counts
    assert gold_pos["security"] == 27
    for col in ("precision", "recall"):
        assert v[col].dropna().between(0, 1).all()
    # the dictionary carries signal: κ clearly above chance for the large themes
    assert (v.set_index("code").loc[["dx", "security", "staffing"], "kappa"] > 0.3).all()


def test_labelled_turns_and_independent_validity(tmp_path, themes, frames):
    table = pd.DataFrame(
        {
            "file": ["rw_a.txt", "rw_a.txt"],
            "position": [0, 1],
            "text": ["デジタル化で経費を削減する。", "こんにちは。"],
            "dx": [1, 0],
            "security": 0,
            "staffing": 0,
            "digital_divide": 0,
            "frames": ["dx:efficiency", ""],
        }
    )
    gold, turns = V.labelled_turns(table)
    assert gold["turn_id"].tolist() == ["rw_a.txt:0000", "rw_a.txt:0001"]
    assert (V.match_gold(gold, turns)["status"] == "ok").all()
    path = tmp_path / "independent.csv"
    table.to_csv(path, index=False)
    v = V.independent_validity(themes, path).set_index("code")
    assert v.loc["dx:efficiency", ["tp", "fp", "fn", "tn"]].tolist() == [1, 0, 0, 1]
    assert V.independent_validity(themes, tmp_path / "absent.csv") is None


def test_blind_validity_scores_the_test_half_only(tmp_path, themes, frames):
    table = pd.DataFrame(
        {
            "item": ["a001", "a002", "a002"],
            "position": [0, 0, 1],
            "text": ["デジタル化で経費を削減する。", "電子申請で経費を削減する。", "こんにちは。"],
            "dx": [1, 1, 0],
            "security": 0,
            "staffing": 0,
            "digital_divide": 0,
            "frames": ["dx:efficiency", "dx:efficiency", ""],
        }
    )
    path = tmp_path / "blind-x-turns.csv"
    table.to_csv(path, index=False)
    v = V.blind_validity(themes, [path]).set_index("code")
    # a001 is dev (odd item number): only the two turns of a002 are scored
    assert v.loc["dx:efficiency", ["tp", "fp", "fn", "tn"]].tolist() == [1, 0, 0, 1]
    assert V.blind_validity(themes, [tmp_path / "absent.csv"]) is None
