"""The labelling sample: stable unit ids, the stratified design and its inclusion probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_turns, seed_turns

from dxminutes.analysis import sampling
from dxminutes.analysis.themes import code_sentences, load_themes

TEXTS = [
    ("A市", "member", "DXを進めるべきだ。職員の研修も必要だ。"),
    ("A市", "official", "検討します。"),
    ("B市", "member", "セキュリティ対策を伺う。\n高齢者への支援は。"),
]


def test_sentence_units_have_ids_from_turn_and_position_and_context():
    units = sampling.units_table(make_turns(TEXTS))
    assert units["unit_id"].tolist() == [
        "doc-A市:0000#000",
        "doc-A市:0000#001",
        "doc-A市:0001#000",
        "doc-B市:0000#000",
        "doc-B市:0000#001",
    ]
    assert units["text"].tolist()[:2] == ["DXを進めるべきだ。", "職員の研修も必要だ。"]
    assert units.loc[1, "context_before"] == "DXを進めるべきだ。"
    assert units.loc[0, "context_after"] == "職員の研修も必要だ。"
    assert units.loc[2, "context_before"] == "" and units.loc[2, "context_after"] == ""  # one-sentence turn
    assert units["text_sha1"].tolist() == [sampling.text_sha1(t) for t in units["text"]]


def test_turn_units_take_the_neighbouring_turns_of_the_same_document_as_context():
    units = sampling.units_table(make_turns(TEXTS), "turn")
    assert units["unit_id"].tolist() == ["doc-A市:0000", "doc-A市:0001", "doc-B市:0000"]
    assert units.loc[0, "context_after"] == "official-1: 検討します。"
    assert units.loc[1, "context_before"].startswith("member-0: DXを")
    assert units.loc[2, "context_before"] == ""  # the previous turn is another document's
    assert (units["sentence"] == -1).all()
    with_empty = make_turns([*TEXTS, ("B市", "member", "  ")])
    assert sampling.units_table(with_empty, "turn")["unit_id"].tolist() == units["unit_id"].tolist()


def test_sentence_units_line_up_with_the_sentence_coder():
    turns = seed_turns()
    units = sampling.units_table(turns)
    themes = load_themes()
    coded = code_sentences(turns, themes)
    first = coded[coded["theme"] == themes.keys[0]]
    ids = [sampling.sentence_unit_id(t, s) for t, s in zip(first["turn_id"], first["sentence"])]
    assert ids == units["unit_id"].tolist()
    assert first["text"].tolist() == units["text"].tolist()


def test_unit_ids_are_stable_across_a_rebuild(tmp_path):
    import shutil

    from dxminutes import config
    from dxminutes.corpus.build import build

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("catalog.csv", "toshima_2021-06-04_gyosei-johoka-suishin-honbu.txt"):
        shutil.copy(config.RAW_DIR / name, raw / name)
    first = build(raw, tmp_path / "one")
    second = build(raw, tmp_path / "two")
    assert len(first.turns) > 10
    a = sampling.units_table(first.turns)
    b = sampling.units_table(second.turns)
    assert a["unit_id"].tolist() == b["unit_id"].tolist()
    assert a["text_sha1"].tolist() == b["text_sha1"].tolist()


def _frame(sizes: dict[str, int], rare: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Units of municipalities with `sizes` units each; flags: code `common` on every 3rd unit,
    code `rare` on the first `rare` units of the first municipality."""
    rows = [(f"{m}:{i:04d}", m) for m, size in sizes.items() for i in range(size)]
    units = pd.DataFrame(rows, columns=["unit_id", "municipality"])
    flags = pd.DataFrame(
        {
            "unit_id": units["unit_id"],
            "common": (np.arange(len(units)) % 3 == 0).astype(int),
            "rare": 0,
        }
    )
    flags.loc[: rare - 1, "rare"] = 1 if rare else 0
    return units, flags


def test_inclusion_probability_is_n_h_over_N_h_and_weights_sum_to_the_stratum_sizes():
    units, flags = _frame({"X": 300, "Y": 120, "Z": 30}, rare=4)
    sample = sampling.draw_sample(units, n=60, flags=flags, min_positive=10, random_state=3)
    assert len(sample) == 60
    assert sample["unit_id"].is_unique
    strata = sampling.strata_table(units, sample, flags=flags)
    for _, row in strata.iterrows():
        drawn = sample[sample["stratum"] == row["stratum"]]
        assert len(drawn) == row["stratum_sample"]
        assert drawn["inclusion_prob"].eq(row["stratum_sample"] / row["stratum_size"]).all()
        assert drawn["weight"].sum() == pytest.approx(row["stratum_size"], rel=1e-12)
    assert (strata["stratum_sample"] >= 1).all()  # every stratum is represented
    # the rare code's 4 units are all drawn (floor 10 > 4), with probability 1
    rare = sample[sample["group"] == 2]
    assert len(rare) == 4 and (rare["inclusion_prob"] == 1.0).all()
    assert strata.set_index("stratum").loc["X#2", "group_means"] == "rarest flagged code: rare"
    # strata name no code: a coder reading the sheet stays blind to the flags
    assert not sample["stratum"].str.contains("rare|common").any()


def test_the_floor_lifts_a_rare_code_above_its_proportional_share():
    units, flags = _frame({"X": 2000}, rare=40)
    sample = sampling.draw_sample(units, n=100, flags=flags, min_positive=25, random_state=1)
    assert (sample["group"] == 2).sum() == 25  # proportional would give 2
    plain = sampling.draw_sample(units, n=100, flags=None, random_state=1)
    assert plain["inclusion_prob"].eq(100 / 2000).all()


def test_the_same_seed_gives_the_same_sample_and_another_seed_another():
    units, flags = _frame({"X": 200, "Y": 50})
    a = sampling.draw_sample(units, n=30, flags=flags, random_state=7)
    b = sampling.draw_sample(units.sample(frac=1, random_state=0), n=30, flags=flags, random_state=7)
    c = sampling.draw_sample(units, n=30, flags=flags, random_state=8)
    assert a["unit_id"].tolist() == b["unit_id"].tolist()  # input row order does not matter
    assert set(a["unit_id"]) != set(c["unit_id"])
    assert sorted(a["order"]) == list(range(30))


def test_empirical_inclusion_frequencies_match_the_recorded_probabilities():
    units, flags = _frame({"X": 40, "Y": 12}, rare=3)
    hits = pd.Series(0, index=units["unit_id"])
    runs = 250
    for seed in range(runs):
        sample = sampling.draw_sample(units, n=10, flags=flags, min_positive=2, random_state=seed)
        hits[sample["unit_id"]] += 1
        if seed == 0:
            prob = dict(zip(sample["unit_id"], sample["inclusion_prob"]))
            strata_prob = dict(zip(sample["stratum"], sample["inclusion_prob"]))
    stratum = sampling.stratify(units, flags=flags)[0].set_index("unit_id")["stratum"]
    expected = stratum.map(strata_prob).reindex(hits.index)
    assert expected.notna().all() and prob
    freq = hits / runs
    sd = np.sqrt(expected * (1 - expected) / runs)
    assert (np.abs(freq - expected) <= 4.5 * sd + 1e-9).all()


def test_n_larger_than_the_corpus_takes_every_unit_and_bad_input_is_refused():
    units, _ = _frame({"X": 5})
    sample = sampling.draw_sample(units, n=50, random_state=0)
    assert len(sample) == 5 and (sample["inclusion_prob"] == 1.0).all()
    with pytest.raises(ValueError, match="at least 1"):
        sampling.draw_sample(units, n=0, random_state=0)
    with pytest.raises(ValueError, match="no units"):
        sampling.draw_sample(units.iloc[:0], n=3, random_state=0)
    with pytest.raises(ValueError, match="not unique"):
        sampling.draw_sample(pd.concat([units, units]), n=3, random_state=0)


def test_the_input_is_not_changed():
    units, flags = _frame({"X": 30, "Y": 30}, rare=2)
    before_u, before_f = units.copy(), flags.copy()
    sampling.draw_sample(units, n=10, flags=flags, random_state=0)
    pd.testing.assert_frame_equal(units, before_u)
    pd.testing.assert_frame_equal(flags, before_f)


def test_unit_coding_gives_theme_and_frame_decisions_per_unit():
    from dxminutes.analysis.codebook import load_frames

    turns = make_turns(TEXTS)
    themes = load_themes()
    frames = load_frames(None, themes)
    coding = sampling.unit_coding(turns, themes, "sentence", frames)
    units = sampling.units_table(turns)
    assert set(coding["unit_id"]) == set(units["unit_id"])
    assert len(coding) == len(units) * (len(themes.keys) + len(frames.codes))
    dx = coding[(coding["code"] == "dx")].set_index("unit_id")["coded"]
    assert dx["doc-A市:0000#000"] and not dx["doc-A市:0001#000"]
    turn_coding = sampling.unit_coding(turns, themes, "turn")
    assert set(turn_coding["unit_id"]) == {"doc-A市:0000", "doc-A市:0001", "doc-B市:0000"}
    flags = sampling.flags_from_coding(coding, themes.keys)
    assert flags.columns.tolist() == ["unit_id", *themes.keys]
    assert flags.set_index("unit_id").loc["doc-A市:0000#000", "dx"] == 1
