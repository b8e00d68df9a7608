"""Frame profiles, tests, distances, periods and quotes: scipy cross-checks and planted signals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import make_turns
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

from dxminutes.analysis import codebook as C
from dxminutes.analysis import frame_stats as S
from dxminutes.analysis import themes as T
from dxminutes.analysis.intervals import wilson_interval
from dxminutes.analysis.theme_stats import permutation_chi2
from dxminutes.analysis.themes import load_themes
from dxminutes.corpus.synthetic import planted_meetings

SEED = 20240717

#: Sentences whose coding by the project's dictionaries is known (checked in a test below).
POOLS = {
    "threat": [
        "サイバー攻撃による情報漏えいのリスクが高まっている。",
        "ランサムウェアの被害が情報セキュリティ上の脅威だ。",
        "不正アクセスで個人情報が流出する危険がある。",
    ],
    "rules": [
        "情報セキュリティポリシーに基づき監査を実施している。",
        "セキュリティの規程を遵守することが求められる。",
        "個人情報の取扱いはガイドラインに従う。",
    ],
    "neutral": [
        "本日の会議を始めます。",
        "次回の日程を確認します。",
        "ご意見ありがとうございました。",
        "資料の三ページをご覧ください。",
    ],
}
EXPECTED = {"threat": "security:threat", "rules": "security:rules"}


@pytest.fixture(scope="module")
def themes():
    return load_themes()


@pytest.fixture(scope="module")
def frames(themes):
    return C.load_frames(themes=themes)


def _coding(turns, themes, frames):
    return T.code_sentences(turns, themes, level="frame")


def test_pool_sentences_code_as_intended(themes, frames):
    rows = [("甲市", "member", s) for pool in POOLS.values() for s in pool]
    turns = make_turns(rows)
    coding = _coding(turns, themes, frames)
    for pool, sentences in POOLS.items():
        ids = turns.loc[turns["text"].isin(sentences), "turn_id"]
        got = coding[coding["turn_id"].isin(ids)]
        if pool == "neutral":
            assert got.empty
            continue
        codes = got[got["coded"]].groupby("turn_id")["code"].agg(set)
        assert len(codes) == len(sentences)
        assert all(EXPECTED[pool] in c for c in codes)
        other = "security:rules" if pool == "threat" else "security:threat"
        assert not any(other in c for c in codes)


def _two_munis(weights_a, weights_b, *, random_state, turns=40):
    plan = pd.DataFrame(
        [
            {"municipality": "甲市", "meeting_date": "2024-06-01", **weights_a},
            {"municipality": "乙町", "meeting_date": "2024-06-01", **weights_b},
        ]
    )
    return planted_meetings(
        plan, POOLS, turns_per_meeting=turns, speakers_per_role=4, random_state=random_state
    )


# --------------------------------------------------------------------------- profiles
def test_profile_intervals_match_scipy_wilson_and_the_bootstrap(themes, frames):
    _, turns = _two_munis(
        {"threat": 1, "rules": 1, "neutral": 1}, {"threat": 1, "rules": 1, "neutral": 1}, random_state=1
    )
    coding = _coding(turns, themes, frames)
    before = coding.copy()
    prof = S.frame_profiles(coding, n_boot=400, random_state=SEED)
    pd.testing.assert_frame_equal(coding, before)
    ok = prof[prof["status"] == "ok"]
    assert len(ok) > 0
    for row in ok.itertuples():
        ci = sps.binomtest(int(row.n_framed), int(row.n_sentences)).proportion_ci(method="wilson")
        assert row.wilson_low == pytest.approx(ci.low, abs=1e-9)
        assert row.wilson_high == pytest.approx(ci.high, abs=1e-9)
        assert row.boot_low <= row.share <= row.boot_high
        # the reported interval: Wilson at n / deff, the policy of both levels (theme_shares too)
        n_eff = row.n_sentences / row.design_effect
        low, high = wilson_interval(row.share * n_eff, n_eff, 0.95)
        assert row.design_effect >= 1
        assert row.ci_low == pytest.approx(float(low), abs=1e-9)
        assert row.ci_high == pytest.approx(float(high), abs=1e-9)
        assert row.ci_low <= row.wilson_low + 1e-12 and row.ci_high >= row.wilson_high - 1e-12
        assert row.ci_method == "wilson at n/deff (speaker cluster bootstrap)"
    # denominators: the municipality's security sentences
    sec = coding[coding["theme"] == "security"].drop_duplicates("sentence_id").groupby("municipality").size()
    got = prof[prof["code"] == "security:threat"].set_index("municipality")["n_sentences"]
    assert got.to_dict() == sec.to_dict()
    # same seed, same table
    pd.testing.assert_frame_equal(prof, S.frame_profiles(coding, n_boot=400, random_state=SEED))


def test_small_groups_get_too_few_sentences(themes, frames):
    turns = make_turns(
        [("甲市", "member", "サイバー攻撃が心配だ。")] * 3
        + [("乙町", "member", "サイバー攻撃が心配だ。")] * 12
    )
    turns["speaker"] = [f"s{i}" for i in range(len(turns))]
    prof = S.frame_profiles(_coding(turns, themes, frames), n_boot=100, random_state=SEED)
    small = prof[prof["municipality"] == "甲市"]
    assert (small["status"] == S.TOO_FEW_SENTENCES).all() and small["wilson_low"].isna().all()
    assert (prof.loc[prof["municipality"] == "乙町", "status"] == "ok").all()
    test = S.frame_profile_test(_coding(turns, themes, frames), n_perm=99, random_state=SEED)
    sec = test.set_index("theme").loc["security"]
    assert sec["status"] == "fewer than two groups with enough sentences"
    assert sec["groups_left_out"] == "甲市"


def test_cluster_bootstrap_is_wider_when_one_speaker_carries_the_frame(themes, frames):
    # 甲市: 10 speakers; the threat frame comes from a single speaker's 10 sentences
    rows = [("甲市", "member", "サイバー攻撃が心配だ。")] * 10 + [
        ("甲市", "member", "セキュリティの規程を守る。")
    ] * 30
    turns = make_turns(rows)
    turns["speaker"] = ["one"] * 10 + [f"s{i % 9}" for i in range(30)]
    prof = S.frame_profiles(_coding(turns, themes, frames), n_boot=2000, random_state=SEED)
    row = prof[prof["code"] == "security:threat"].iloc[0]
    assert row["boot_high"] - row["boot_low"] > row["wilson_high"] - row["wilson_low"]
    # the reported interval widens with the clustering too: design effect above 1
    assert row["design_effect"] > 1.5
    assert row["ci_high"] - row["ci_low"] > row["wilson_high"] - row["wilson_low"]


# --------------------------------------------------------------------------- tests
def test_permutation_chi2_agrees_with_scipy_on_a_large_sample():
    rng = np.random.default_rng(3)
    n = 3000
    groups = rng.integers(0, 3, size=n)
    probs = np.array([[0.30, 0.30, 0.40], [0.32, 0.30, 0.38], [0.28, 0.33, 0.39]])
    cats = np.array([rng.choice(3, p=probs[g]) for g in groups])
    counts = np.eye(3)[cats]  # one unit = one sentence with one frame
    stat, p = permutation_chi2(counts, groups, n_perm=4000, random_state=SEED)  # the one test, theme_stats
    table = pd.crosstab(groups, cats).to_numpy()
    ref = sps.chi2_contingency(table, correction=False)
    assert stat == pytest.approx(ref.statistic)
    assert p == pytest.approx(ref.pvalue, abs=0.02)
    assert 0.001 < ref.pvalue < 0.9  # the comparison is made where p is informative


def test_planted_difference_in_security_framing_is_recovered(themes, frames):
    _, turns = _two_munis(
        {"threat": 0.4, "rules": 0.1, "neutral": 0.5},
        {"threat": 0.1, "rules": 0.4, "neutral": 0.5},
        random_state=11,
    )
    coding = _coding(turns, themes, frames)
    prof = S.frame_profiles(coding, n_boot=500, random_state=SEED).set_index(["municipality", "code"])
    a, b = prof.loc[("甲市", "security:threat")], prof.loc[("乙町", "security:threat")]
    assert a["share"] == pytest.approx(0.8, abs=0.12) and b["share"] == pytest.approx(0.2, abs=0.12)
    assert a["wilson_low"] > b["wilson_high"] and a["boot_low"] > b["boot_high"]
    for unit in ("turn", "speaker"):
        test = S.frame_profile_test(coding, unit=unit, n_perm=999, random_state=SEED).set_index("theme")
        assert test.loc["security", "p_perm"] < 0.01, unit
    dist = S.frame_distances(S.frame_profiles(coding, n_boot=50, random_state=SEED))
    assert dist.loc[dist["theme"] == "security", "js_distance"].iloc[0] > 0.3


@pytest.mark.slow
def test_no_difference_is_rarely_reported_as_one(themes, frames):
    same = {"threat": 0.25, "rules": 0.25, "neutral": 0.5}
    rejections = {"turn": 0, "speaker": 0}
    n_sim = 20
    for sim in range(n_sim):
        _, turns = _two_munis(same, same, random_state=1000 + sim, turns=30)
        coding = _coding(turns, themes, frames)
        coding = coding[coding["theme"] == "security"]
        for unit in rejections:
            test = S.frame_profile_test(coding, unit=unit, n_perm=299, random_state=SEED + sim)
            rejections[unit] += int(test["p_perm"].iloc[0] < 0.05)
    assert rejections["turn"] / n_sim <= 0.1
    assert rejections["speaker"] / n_sim <= 0.1


# --------------------------------------------------------------------------- distances
def test_js_distance_matches_the_entropy_formula_and_clusters_the_planted_pairs():
    rows = []
    shares = {"A": [8, 2, 0], "B": [7, 3, 1], "C": [1, 2, 9], "D": [0, 3, 8]}
    for muni, counts in shares.items():
        for frame, k in zip(["x", "y", "z"], counts):
            rows.append({"municipality": muni, "theme": "t", "frame": frame, "n_framed": k, "status": "ok"})
    dist = S.frame_distances(pd.DataFrame(rows))
    for r in dist.itertuples():
        p = np.array(shares[r.group_a], float)
        q = np.array(shares[r.group_b], float)
        p, q = p / p.sum(), q / q.sum()
        m = (p + q) / 2
        manual = np.sqrt((sps.entropy(p, m, base=2) + sps.entropy(q, m, base=2)) / 2)
        assert r.js_distance == pytest.approx(manual)
        assert r.js_distance == pytest.approx(jensenshannon(p, q, base=2))
    link, labels = S.frame_linkage(dist, "t")
    from scipy.cluster.hierarchy import fcluster

    clusters = dict(zip(labels, fcluster(link, 2, criterion="maxclust")))
    assert clusters["A"] == clusters["B"] != clusters["C"] == clusters["D"]


# --------------------------------------------------------------------------- roles
def test_role_profiles_exclude_unknown_roles(themes, frames):
    rows = [("甲市", "member", "サイバー攻撃が心配だ。")] * 12 + [
        ("甲市", "unknown", "セキュリティの規程を守る。")
    ] * 5
    rows += [("甲市", "official", "セキュリティの規程を守る。")] * 12
    turns = make_turns(rows)
    coding = _coding(turns, themes, frames)
    prof = S.frame_profiles(coding, by=("municipality", "role_group"), n_boot=100, random_state=SEED)
    assert set(prof["role_group"]) == {"members", "officials"}
    assert (prof["n_sentences"] == 12).all()
    unknown = S.unknown_role_sentences(coding).set_index("theme").loc["security"]
    assert unknown["n_sentences"] == 5 and unknown["n_theme_sentences"] == 29
    row = prof.set_index(["role_group", "code"]).loc[("members", "security:threat")]
    assert row["share"] == 1.0


# --------------------------------------------------------------------------- periods
def test_fiscal_year_runs_april_to_march():
    assert S.fiscal_year("2024-03-31") == 2023
    assert S.fiscal_year("2024-04-01") == 2024
    assert S.fiscal_year(None) is None
    frame = pd.DataFrame({"meeting_date": ["2024-03-31", "2024-04-01", None]})
    assert S.add_period(frame)["period"].tolist()[:2] == [2023, 2024]
    assert S.add_period(frame, kind="year")["period"].tolist()[:2] == [2024, 2024]
    assert "period" not in frame.columns


def test_planted_trend_over_fiscal_years_is_recovered(themes, frames):
    years = [2020, 2021, 2022, 2023, 2024]
    plan = []
    for i, y in enumerate(years):
        security = 0.1 + 0.1 * i  # 10 % → 50 % of sentences
        threat_part = 0.2 + 0.15 * i  # threat's part of security: 20 % → 80 %
        for date in (f"{y}-06-15", f"{y + 1}-02-10"):  # both in fiscal year y
            plan.append(
                {
                    "municipality": "甲市",
                    "meeting_date": date,
                    "threat": security * threat_part,
                    "rules": security * (1 - threat_part),
                    "neutral": 1 - security,
                }
            )
    documents, turns = planted_meetings(pd.DataFrame(plan), POOLS, turns_per_meeting=40, random_state=5)
    assert S.periods_per_body(documents)["n_periods"].tolist() == [5]
    sents = T.turn_sentences(turns)
    ts = T.theme_sentences(turns, themes)
    shares = S.theme_sentence_shares(
        sents, ts, by=("municipality", "period"), n_boot=300, random_state=SEED, theme_order=themes.keys
    )
    sec = shares[shares["theme"] == "security"].set_index("period")
    assert sec.index.tolist() == years
    assert sec["share"].is_monotonic_increasing or np.corrcoef(years, sec["share"])[0, 1] > 0.9
    assert sec.loc[2020, "wilson_high"] < sec.loc[2024, "wilson_low"]
    assert sec.loc[2020, "share"] == pytest.approx(0.1, abs=0.05)
    assert sec.loc[2024, "share"] == pytest.approx(0.5, abs=0.08)
    coding = _coding(turns, themes, frames)
    prof = S.frame_profiles(coding, by=("municipality", "period"), n_boot=300, random_state=SEED)
    threat = prof[prof["code"] == "security:threat"].set_index("period")["share"]
    assert np.corrcoef(years, threat.loc[years])[0, 1] > 0.9
    assert threat.loc[2024] - threat.loc[2020] > 0.4


# --------------------------------------------------------------------------- quotes
def test_quotes_are_coded_sentences_chosen_reproducibly(themes, frames):
    _, turns = _two_munis(
        {"threat": 1, "rules": 1, "neutral": 1}, {"threat": 1, "neutral": 1}, random_state=2
    )
    coding = _coding(turns, themes, frames)
    q1 = S.frame_quotes(coding, per_cell=2, random_state=SEED)
    pd.testing.assert_frame_equal(q1, S.frame_quotes(coding, per_cell=2, random_state=SEED))
    coded_text = set(coding.loc[coding["coded"], "sentence_id"])
    assert set(q1["sentence_id"]) <= coded_text
    assert (q1.groupby(["municipality", "code"]).size() <= 2).all()
    assert {"speaker", "role", "meeting_date", "quote"} <= set(q1.columns)
    for row in q1.itertuples():
        assert row.quote == coding.loc[coding["sentence_id"] == row.sentence_id, "text"].iloc[0]
    others = [S.frame_quotes(coding, per_cell=2, random_state=s)["sentence_id"].tolist() for s in range(5)]
    assert any(o != q1["sentence_id"].tolist() for o in others)  # the draw depends on the seed


def test_all_groups_keeps_municipalities_without_theme_sentences(themes, frames):
    turns = make_turns(
        [("甲市", "member", "サイバー攻撃が心配だ。")] * 12
        + [("乙町", "member", "本日の会議を始めます。")] * 4
    )
    coding = _coding(turns, themes, frames)
    plain = S.frame_profiles(coding, n_boot=50, random_state=SEED)
    assert set(plain["municipality"]) == {"甲市"}
    full = S.frame_profiles(coding, n_boot=50, random_state=SEED, all_groups=turns)
    empty = full[full["municipality"] == "乙町"]
    assert len(empty) == len(frames.for_theme("security"))
    assert (empty["n_sentences"] == 0).all() and (empty["status"] == S.TOO_FEW_SENTENCES).all()
    pd.testing.assert_frame_equal(
        full[full["municipality"] == "甲市"].reset_index(drop=True), plain.reset_index(drop=True)
    )


# --------------------------------------------------------------------------- trend tests
def test_permutation_slope_agrees_with_scipy_linregress():
    rng = np.random.default_rng(8)
    n = 2000
    x = rng.integers(2018, 2025, size=n).astype(float)
    y = (rng.random(n) < 0.30 + 0.006 * (x - 2018)).astype(float)
    slope, p = S.permutation_slope(y, x, np.arange(n), n_perm=4000, random_state=SEED)
    ref = sps.linregress(x, y)
    assert slope == pytest.approx(ref.slope)
    assert 0.005 < ref.pvalue < 0.6
    assert p == pytest.approx(ref.pvalue, abs=0.02)
    assert np.isnan(S.permutation_slope(y, np.ones(n), np.arange(n), n_perm=10, random_state=1)[0])


def _yearly_plan(shares):
    plan = []
    for i, share in enumerate(shares):
        for date in (f"{2020 + i}-06-15", f"{2021 + i}-02-10"):
            plan.append(
                {
                    "municipality": "甲市",
                    "meeting_date": date,
                    "threat": share / 2,
                    "rules": share / 2,
                    "neutral": 1 - share,
                }
            )
    return pd.DataFrame(plan)


@pytest.mark.slow
def test_trend_test_finds_a_planted_trend_and_not_a_flat_one(themes, frames):
    _, turns = planted_meetings(
        _yearly_plan([0.1, 0.2, 0.3, 0.4, 0.5]), POOLS, turns_per_meeting=40, random_state=5
    )
    res = S.theme_trend_tests(
        T.turn_sentences(turns), T.theme_sentences(turns, themes), n_perm=1999, random_state=SEED
    ).set_index("theme")
    assert res.loc["security", "n_periods"] == 5 and res.loc["security", "n_meetings"] == 10
    assert res.loc["security", "slope"] == pytest.approx(0.1, abs=0.03)
    assert res.loc["security", "p_perm"] < 0.01
    rejections = 0
    for sim in range(20):
        _, flat = planted_meetings(
            _yearly_plan([0.3] * 5), POOLS, turns_per_meeting=12, random_state=2000 + sim
        )
        r = S.theme_trend_tests(
            T.turn_sentences(flat), T.theme_sentences(flat, themes), n_perm=199, random_state=SEED + sim
        ).set_index("theme")
        rejections += int(r.loc["security", "p_perm"] < 0.05)
    assert rejections / 20 <= 0.1


def test_frame_trend_needs_three_periods(themes, frames):
    _, turns = _two_munis(
        {"threat": 1, "rules": 1, "neutral": 1}, {"threat": 1, "neutral": 1}, random_state=2
    )
    res = S.frame_trend_tests(_coding(turns, themes, frames), n_perm=99, random_state=SEED)
    assert (res["status"] == "fewer than 3 periods").all() and res["p_perm"].isna().all()
    assert set(res["code"]) == {"security:threat", "security:rules", "security:technical", "security:people"}
