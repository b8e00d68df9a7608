"""Coding validity against the gold samples: every figure checked against scikit-learn, the
gold ↔ turn matching, and the recorded κ floors (issue 12 item 1)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_turns, seed_turns
from sklearn.metrics import cohen_kappa_score, f1_score, precision_score, recall_score

from dxminutes import config
from dxminutes.analysis import validity
from dxminutes.analysis.themes import code_sentences, code_turns, load_themes

THEMES = ["dx", "security", "staffing", "digital_divide"]


@pytest.fixture(scope="module")
def themes():
    return load_themes()


@pytest.fixture(scope="module")
def seeds(themes):
    turns = seed_turns()
    gold = validity.match_gold(validity.read_gold(), turns)
    return turns, gold, code_turns(turns, themes)


@pytest.fixture(scope="module")
def independent(themes):
    turns, gold = validity.independent_sample()
    return turns, gold, code_turns(turns, themes)


def _sk(metric, g, c):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if metric == "kappa":
            return cohen_kappa_score(g, c)
        fn = {"precision": precision_score, "recall": recall_score, "f1": f1_score}[metric]
        return fn(g, c, zero_division=np.nan)


@pytest.mark.parametrize("seed", range(8))
def test_metrics_equal_sklearn_on_random_codings(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    g = rng.random(n) < rng.uniform(0.05, 0.9)
    c = np.where(rng.random(n) < 0.7, g, rng.random(n) < 0.4)
    got = validity.metrics_from_counts(*validity.confusion_counts(g, c))
    for metric in validity.METRICS:
        np.testing.assert_allclose(float(got[metric]), _sk(metric, g, c), equal_nan=True)


def test_metrics_are_nan_where_undefined():
    zeros = np.zeros(10, dtype=bool)
    got = validity.metrics_from_counts(*validity.confusion_counts(zeros, zeros))
    assert np.isnan(got["kappa"]) and np.isnan(got["precision"]) and np.isnan(got["recall"])
    one = zeros.copy()
    one[0] = True
    got = validity.metrics_from_counts(*validity.confusion_counts(one, one))
    assert float(got["kappa"]) == 1.0 and float(got["f1"]) == 1.0


def test_known_two_by_two():
    # tp=8 fp=2 fn=4 tn=86: p_o=.94, p_e=(10*12+90*88)/100² = .804, κ=(.94-.804)/(1-.804)
    got = validity.metrics_from_counts(8, 2, 4, 86)
    assert float(got["precision"]) == pytest.approx(0.8)
    assert float(got["recall"]) == pytest.approx(8 / 12)
    assert float(got["kappa"]) == pytest.approx((0.94 - 0.804) / (1 - 0.804))


def test_seed_point_estimates_equal_sklearn(seeds):
    _, gold, coded = seeds
    table = validity.agreement(gold, coded, n_boot=20, random_state=config.RANDOM_SEED)
    assert set(table["subset"]) == {"all", "tuning", "held_out"}
    wide = coded.pivot(index="turn_id", columns="theme", values="coded")
    for (subset, theme), part in table.groupby(["subset", "theme"]):
        rows = gold
        if subset == "tuning":
            rows = gold[gold["municipality"].isin(validity.TUNING_MUNICIPALITIES)]
        elif subset == "held_out":
            rows = gold[~gold["municipality"].isin(validity.TUNING_MUNICIPALITIES)]
        g = rows[theme].to_numpy(dtype=bool)
        c = wide.loc[rows["turn_id"], theme].to_numpy(dtype=bool)
        got = part.set_index("metric")
        assert got["n_turns"].iloc[0] == len(rows)
        assert got["n_gold"].iloc[0] == g.sum() and got["n_coded"].iloc[0] == c.sum()
        for metric in validity.METRICS:
            np.testing.assert_allclose(got.loc[metric, "value"], _sk(metric, g, c), equal_nan=True)


@pytest.mark.slow
def test_bootstrap_intervals_equal_a_plain_resampling_loop(seeds):
    _, gold, coded = seeds
    n_boot, seed = 60, 11
    table = validity.agreement(
        gold, coded, subsets={"all": list(pd.unique(gold["municipality"]))}, n_boot=n_boot, random_state=seed
    )
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(gold), size=(n_boot, len(gold)))
    wide = coded.pivot(index="turn_id", columns="theme", values="coded")
    for theme in THEMES:
        g = gold[theme].to_numpy(dtype=bool)
        c = wide.loc[gold["turn_id"], theme].to_numpy(dtype=bool)
        for metric in validity.METRICS:
            reps = np.array([_sk(metric, g[d], c[d]) for d in draws], dtype=float)
            reps = reps[~np.isnan(reps)]
            low, high = np.quantile(reps, [0.025, 0.975])
            row = table[(table["theme"] == theme) & (table["metric"] == metric)].iloc[0]
            assert row["ci_low"] == pytest.approx(low) and row["ci_high"] == pytest.approx(high)


def test_intervals_are_reproducible_and_depend_on_the_seed(seeds):
    _, gold, coded = seeds
    a = validity.agreement(gold, coded, n_boot=50, random_state=1)
    b = validity.agreement(gold, coded, n_boot=50, random_state=1)
    c = validity.agreement(gold, coded, n_boot=50, random_state=2)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["ci_low"], c["ci_low"], equal_nan=True)


def test_every_gold_turn_matches_the_corpus_text(seeds):
    _, gold, _ = seeds
    bad = gold[gold["status"] != "ok"]
    # a failure here means segmentation or cleaning changed labelled turns: re-check the labels
    assert bad.empty, bad[["turn_id", "status"]].head().to_string()
    assert len(gold) == len(validity.read_gold())


def test_a_changed_or_missing_turn_is_reported_and_not_scored(seeds, themes):
    turns, gold, _ = seeds
    changed = turns.copy()
    first, second = gold["turn_id"].iloc[0], gold["turn_id"].iloc[1]
    changed.loc[changed["turn_id"] == first, "text"] += "。"
    changed = changed[changed["turn_id"] != second]
    matched = validity.match_gold(validity.read_gold(), changed)
    status = matched.set_index("turn_id")["status"]
    assert status[first] == "text_changed" and status[second] == "missing"
    assert (status == "ok").sum() == len(gold) - 2
    table = validity.agreement(matched, code_turns(changed, themes), n_boot=10, random_state=0)
    assert (table.loc[table["subset"] == "all", "n_turns"] == len(gold) - 2).all()


def test_disagreements_list_every_error_with_its_sentences(seeds, themes):
    turns, gold, coded = seeds
    errors = validity.disagreements(gold, coded, code_sentences(turns, themes))
    table = validity.agreement(gold, coded, n_boot=10, random_state=0)
    counts = table[(table["subset"] == "all") & (table["metric"] == "kappa")].set_index("theme")
    by = errors.groupby(["theme", "error"]).size()
    for theme in THEMES:
        assert by.get((theme, "false_positive"), 0) == counts.loc[theme, "fp"]
        assert by.get((theme, "false_negative"), 0) == counts.loc[theme, "fn"]
    fp = errors[errors["error"] == "false_positive"]
    assert (fp["sentences"] != "").all() and (fp["matched_terms"] != "").all()


def test_small_known_sample():
    turns = make_turns(
        [("A市", "member", "DXの推進。"), ("A市", "member", "天気の話。"), ("B町", "member", "電子申請。")]
    )
    gold = pd.DataFrame(
        {
            "turn_id": turns["turn_id"],
            "municipality": turns["municipality"],
            "text_sha1": turns["text"].map(validity.text_sha1),
            "dx": [1, 1, 0],
        }
    )
    coded = code_turns(turns, load_themes())
    table = validity.agreement(
        validity.match_gold(gold, turns),
        coded,
        themes=["dx"],
        subsets={"s": ["A市", "B町"]},
        n_boot=5,
        random_state=0,
    )
    got = table.set_index("metric")
    assert tuple(got.loc["kappa", ["tp", "fp", "fn", "tn"]]) == (1, 1, 1, 0)
    assert got.loc["precision", "value"] == pytest.approx(0.5)


@pytest.mark.slow
def test_kappa_does_not_drop_below_the_recorded_floor(seeds, themes):
    floor = validity.read_floor()
    assert {
        "all",
        "tuning",
        "held_out",
        validity.INDEPENDENT,
        validity.INDEPENDENT_DEV,
        validity.INDEPENDENT_TEST,
        validity.BLIND,
        validity.BLIND_DEV,
        validity.BLIND_TEST,
    } <= set(floor["subset"])
    _, gold, coded = seeds
    measured = [
        validity.agreement_all_samples(gold, coded, themes, n_boot=1, random_state=config.RANDOM_SEED)
    ]
    kappa = pd.concat(measured).query("metric == 'kappa'").set_index(["subset", "theme"])["value"]
    for row in floor.itertuples(index=False):
        if np.isnan(row.kappa):
            # κ was undefined (no positive in gold nor coding): a coded turn would be a false positive
            assert np.isnan(kappa[(row.subset, row.theme)]), (
                row.subset,
                row.theme,
                kappa[(row.subset, row.theme)],
            )
            continue
        assert kappa[(row.subset, row.theme)] >= row.kappa, (
            row.subset,
            row.theme,
            kappa[(row.subset, row.theme)],
        )


def test_independent_split_alternates_within_each_body_kind():
    files = [f"rw_{i:03d}.txt" for i in range(1, 51)]
    split = {f: validity.independent_split(f) for f in files}
    assert set(split.values()) == {validity.INDEPENDENT_DEV, validity.INDEPENDENT_TEST}
    covered = []
    for _, first, last in validity.INDEPENDENT_BODY_KINDS:
        kind = [split[f"rw_{i:03d}.txt"] for i in range(first, last + 1)]
        covered += range(first, last + 1)
        # the first file of each kind is dev, then test, dev, …: both halves hold every kind
        assert kind == [
            (validity.INDEPENDENT_DEV, validity.INDEPENDENT_TEST)[k % 2] for k in range(len(kind))
        ]
    assert covered == list(range(1, 51))  # the kinds partition the 50 files
    assert validity.independent_split("rw_009") == validity.INDEPENDENT_TEST  # with or without .txt
    with pytest.raises(ValueError):
        validity.independent_split("rw_051.txt")
    with pytest.raises(ValueError):
        validity.independent_split("minutes.txt")


def test_independent_gold_carries_the_split_of_its_file(independent):
    turns, gold, _ = independent
    assert set(gold["municipality"]) == {validity.INDEPENDENT_DEV, validity.INDEPENDENT_TEST}
    assert (gold["municipality"] == turns["doc_id"].map(validity.independent_split)).all()
    table = (
        validity.agreement(
            gold,
            code_turns(turns, load_themes()),
            subsets=validity.INDEPENDENT_SUBSETS,
            n_boot=1,
            random_state=0,
        )
        .query("metric == 'kappa' and theme == 'dx'")
        .set_index("subset")
    )
    dev, test = (table.loc[k, "n_turns"] for k in (validity.INDEPENDENT_DEV, validity.INDEPENDENT_TEST))
    assert dev + test == table.loc[validity.INDEPENDENT, "n_turns"] == len(gold)
    for key in ("tp", "fp", "fn", "tn"):
        assert (
            table.loc[validity.INDEPENDENT, key]
            == table.loc[validity.INDEPENDENT_DEV, key] + table.loc[validity.INDEPENDENT_TEST, key]
        )


def test_kappa_table_has_one_row_per_sample_in_order(seeds, themes):
    _, gold, coded = seeds
    table = validity.agreement_all_samples(gold, coded, themes, n_boot=20, random_state=0)
    out = validity.kappa_table(table)
    present = [label for subset, label in validity.SUMMARY_SAMPLES.items() if subset in set(table["subset"])]
    assert out["sample"].tolist() == present
    assert {"seed, all", "seed, held-out", "independent, dev", "independent, test"} <= set(present)
    assert list(out.columns) == ["sample", "turns", "dx", "security", "staffing", "digital_divide"]
    _, igold = validity.independent_sample()
    _, bgold = validity.blind_sample()
    halves = pd.concat([igold, bgold])["municipality"].value_counts()
    held_out = (~gold["municipality"].isin(validity.TUNING_MUNICIPALITIES)).sum()
    expected = {"seed, all": len(gold), "seed, held-out": held_out}
    expected |= {
        label: halves.get(subset, 0) for subset, label in validity.SUMMARY_SAMPLES.items() if subset in halves
    }
    assert dict(zip(out["sample"], out["turns"])) == expected
    assert expected["independent, dev"] == expected["independent, test"] == 76
    row = table.query("subset == 'all' and theme == 'dx' and metric == 'kappa'").iloc[0]
    assert out.loc[0, "dx"] == f"{row.value:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}]"
    only = validity.kappa_table(table, {"tuning": "seed, tuning"})
    assert only["sample"].tolist() == ["seed, tuning"]


def test_blind_split_alternates_by_page_and_rejects_other_names():
    assert [validity.blind_split(f"a{i:03d}") for i in (1, 2, 3)] == [
        validity.BLIND_DEV,
        validity.BLIND_TEST,
        validity.BLIND_DEV,
    ]
    assert validity.blind_split("b010") == validity.BLIND_TEST
    with pytest.raises(ValueError, match="not a blind-sample item"):
        validity.blind_split("rw_001.txt")


def test_blind_sample_reads_its_files_and_keeps_each_page_in_one_half(tmp_path):
    path = tmp_path / "blind-x-turns.csv"
    pd.DataFrame(
        {
            "item": ["a001", "a001", "a002"],
            "municipality": ["川越市", "川越市", "前橋市"],
            "position": [0, 1, 0],
            "speaker_label": ["○議長", "○委員", "○委員"],
            "text": ["開会します。", "電子申請を進めるべきだ。", "職員研修は。"],
            "dx": [0, 1, 0],
            "security": [0, 0, 0],
            "staffing": [0, 0, 1],
            "digital_divide": [0, 0, 0],
        }
    ).to_csv(path, index=False)
    turns, gold = validity.blind_sample([path, tmp_path / "absent.csv"])
    assert turns["turn_id"].tolist() == ["a001:0000", "a001:0001", "a002:0000"]
    assert turns["municipality"].tolist() == ["川越市", "川越市", "前橋市"]
    assert gold["municipality"].tolist() == [validity.BLIND_DEV, validity.BLIND_DEV, validity.BLIND_TEST]
    assert (gold["status"] == "ok").all()
    empty_turns, empty_gold = validity.blind_sample([tmp_path / "absent.csv"])
    assert len(empty_turns) == len(empty_gold) == 0


def test_independent_sample_is_read_whole(independent):
    turns, gold, _ = independent
    assert len(turns) == len(gold) == len(pd.read_csv(validity.INDEPENDENT_PATH))
    assert (gold["status"] == "ok").all()
    assert turns["turn_id"].is_unique


def test_edit_themes_changes_one_theme_and_refuses_unknown_entries(themes):
    edited = validity.edit_themes(themes, "dx", drop=["システム"], add_terms=["データ"])
    assert "システム" not in edited["dx"].terms and "データ" in edited["dx"].terms
    assert edited["security"] == themes["security"] and edited.procedural == themes.procedural
    assert "システム" in themes["dx"].terms  # the input is not changed
    with pytest.raises(ValueError, match="no entry"):
        validity.edit_themes(themes, "dx", drop=["存在しない語"])
    fewer = validity.edit_themes(themes, drop_procedural=[themes.procedural[0]])
    assert len(fewer.procedural) == len(themes.procedural) - 1
    turns = make_turns([("A市", "member", "システムの導入。")])
    assert code_turns(turns, themes).set_index("theme").loc["dx", "coded"]
    assert not code_turns(turns, edited).set_index("theme").loc["dx", "coded"]


def test_another_corpus_gives_missing_rows_and_empty_scores(themes):
    turns = make_turns([("A市", "member", "DXの推進。")])
    gold = validity.match_gold(validity.read_gold(), turns)
    assert (gold["status"] == "missing").all()
    coded = code_turns(turns, themes)
    assert validity.agreement(gold, coded, n_boot=5, random_state=0).empty
    assert validity.disagreements(gold, coded, code_sentences(turns, themes)).empty


def test_validity_table_has_one_row_per_subset_and_theme(seeds):
    _, gold, coded = seeds
    table = validity.agreement(gold, coded, n_boot=20, random_state=0)
    wide = validity.validity_table(table)
    assert len(wide) == 3 * len(THEMES)
    assert list(wide.columns[-4:]) == list(validity.METRICS)
    row = wide[(wide["subset"] == "all") & (wide["theme"] == "dx")].iloc[0]
    k = table[(table["subset"] == "all") & (table["theme"] == "dx") & (table["metric"] == "kappa")].iloc[0]
    assert row["kappa"] == f"{k['value']:.2f} [{k['ci_low']:.2f}, {k['ci_high']:.2f}]"
