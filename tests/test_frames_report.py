"""Frame narrative and figures: sentences agree with the tables; charts for 1 to 50 groups."""

from __future__ import annotations

import re
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from test_frame_stats import POOLS, SEED

from dxminutes.analysis import codebook as C
from dxminutes.analysis import frame_stats as S
from dxminutes.analysis import themes as T
from dxminutes.analysis.intervals import wilson_interval
from dxminutes.analysis.themes import load_themes
from dxminutes.corpus.synthetic import planted_meetings
from dxminutes.report import charts, export, frame_summaries, style


@pytest.fixture(scope="module")
def themes():
    return load_themes()


@pytest.fixture(scope="module")
def frames(themes):
    return C.load_frames(themes=themes)


@pytest.fixture(scope="module")
def planted(themes, frames):
    plan = pd.DataFrame(
        [
            {
                "municipality": "甲市",
                "meeting_date": "2024-06-01",
                "threat": 0.4,
                "rules": 0.1,
                "neutral": 0.5,
            },
            {
                "municipality": "乙町",
                "meeting_date": "2024-06-01",
                "threat": 0.1,
                "rules": 0.4,
                "neutral": 0.5,
            },
            {
                "municipality": "丙村",
                "meeting_date": "2024-06-01",
                "threat": 0.0,
                "rules": 0.02,
                "neutral": 1,
            },
        ]
    )
    _, turns = planted_meetings(plan, POOLS, turns_per_meeting=40, speakers_per_role=4, random_state=4)
    coding = T.code_sentences(turns, themes, level="frame")
    profiles = S.frame_profiles(coding, n_boot=200, random_state=SEED, all_groups=turns)
    tests = pd.concat(
        [S.frame_profile_test(coding, unit=u, n_perm=499, random_state=SEED) for u in ("turn", "speaker")]
    )
    return turns, coding, profiles, tests


def _percent(x):
    return f"{100 * x:.0f}%"


def test_profile_sentences_quote_the_table(planted, frames):
    _, _, profiles, tests = planted
    text = frame_summaries.describe_profiles(profiles, tests, "security", frames)
    sec = profiles[(profiles["theme"] == "security") & (profiles["status"] == "ok")]
    for muni, block in sec.groupby("municipality"):
        top = block.sort_values("share", ascending=False).iloc[0]
        line = next(s for s in text if s.startswith(muni))
        assert frames.label("security", top["frame"]) in line
        assert _percent(top["share"]) in line and f"of {int(top['n_sentences'])} security" in line
    assert any("丙村" in s and "Too few" in s for s in text)
    verdict = next(s for s in text if "frame profiles" in s)
    assert "beyond the permutation null" in verdict
    for u in ("turn", "speaker"):
        p = tests[(tests["theme"] == "security") & (tests["unit"] == u)]["p_perm"].iloc[0]
        assert f"over {u}s p = {p:.3f}" in verdict


def test_no_difference_is_said_so(themes, frames):
    same = {"threat": 0.25, "rules": 0.25, "neutral": 0.5}
    plan = pd.DataFrame([{"municipality": m, "meeting_date": "2024-06-01", **same} for m in ("甲市", "乙町")])
    _, turns = planted_meetings(plan, POOLS, turns_per_meeting=40, random_state=1001)
    coding = T.code_sentences(turns, themes, level="frame")
    profiles = S.frame_profiles(coding, n_boot=100, random_state=SEED)
    tests = pd.concat(
        [S.frame_profile_test(coding, unit=u, n_perm=499, random_state=SEED) for u in ("turn", "speaker")]
    )
    assert (tests.loc[tests["theme"] == "security", "p_perm"] >= 0.05).all()
    text = " ".join(frame_summaries.describe_profiles(profiles, tests, "security", frames))
    assert "no difference above the permutation null" in text


def test_validity_sentences_name_the_weak_frames(themes, frames):
    validity = pd.DataFrame(
        [
            ("theme", "dx", "", "dx", 10, 5, 5, 0.9, 0.8, 0.7),
            ("frame", "dx", "efficiency", "dx:efficiency", 10, 3, 3, 0.8, 0.6, 0.65),
            ("frame", "dx", "data", "dx:data", 10, 2, 1, 0.0, 0.0, -0.1),
        ],
        columns=[
            "level",
            "theme",
            "frame",
            "code",
            "n_turns",
            "gold_positive",
            "coded_positive",
            "precision",
            "recall",
            "kappa",
        ],
    ).assign(n_text_changed=0, n_missing=0)
    assert frame_summaries.weak_frames(validity) == ["dx:data"]
    text = frame_summaries.describe_validity(validity)
    assert any("1 of 2 frames agree only weakly" in s and "dx:data" in s for s in text)
    assert any("κ = 0.70" in s and "efficiency κ = 0.65" in s for s in text)


def test_period_sentences(themes):
    one = pd.DataFrame({"municipality": ["甲市", "乙町"], "n_meetings": [1, 1], "n_periods": [1, 1]})
    assert "cannot show change over time" in frame_summaries.describe_periods(one)[0]
    two = one.assign(n_periods=[3, 1], n_meetings=[4, 1])
    assert "甲市: 3" in frame_summaries.describe_periods(two)[0]


def test_role_sentences_report_unknown_roles(themes, frames):
    from analysis_fixtures import make_turns

    turns = make_turns(
        [("甲市", "member", "サイバー攻撃が心配だ。")] * 12
        + [("甲市", "unknown", "セキュリティの規程を守る。")] * 3
    )
    coding = T.code_sentences(turns, themes, level="frame")
    prof = S.frame_profiles(coding, by="role_group", n_boot=50, random_state=SEED)
    unknown = S.unknown_role_sentences(coding)
    text = frame_summaries.describe_roles(prof, unknown, "security", frames)
    assert any(s.startswith("members: 12 security sentences") for s in text)
    assert any("3 of 15 security sentences (20%)" in s and "left out" in s for s in text)


@pytest.mark.parametrize("n_groups", [1, 50])
@pytest.mark.slow
def test_profile_chart_for_one_to_fifty_municipalities(tmp_path, frames, themes, n_groups):
    rng = np.random.default_rng(0)
    rows = []
    for g in range(n_groups):
        n = int(rng.integers(3, 60))
        for f in frames.keys("security"):
            k = int(rng.integers(0, n + 1))
            lo, hi = (float(x) for x in wilson_interval(k, n))
            rows.append(
                {
                    "municipality": f"自治体{g:02d}",
                    "theme": "security",
                    "frame": f,
                    "code": f"security:{f}",
                    "n_sentences": n,
                    "n_framed": k,
                    "share": k / n,
                    "wilson_low": lo,
                    "wilson_high": hi,
                    "boot_low": np.nan,
                    "boot_high": np.nan,
                    "ci_low": lo,
                    "ci_high": hi,
                    "n_speakers": 1,
                    "status": "too few sentences" if n < 10 else "ok",
                }
            )
    profiles = pd.DataFrame(rows)
    style.setup()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing Japanese glyph is an error
        fig = charts.frame_profile_chart(profiles, "security", frames=frames, themes=themes)
        paths = export.save_figure(fig, "06-frame-profile-security", profiles, figures_dir=tmp_path)
    assert all(p.exists() for p in paths.values())
    height = fig.get_size_inches()[1]
    assert height >= 0.3 * n_groups  # one line per municipality
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == sorted(profiles["municipality"].unique())
    plt.close(fig)


@pytest.mark.slow
def test_trend_chart_on_a_planted_multi_year_corpus(tmp_path, themes, frames):
    plan = pd.DataFrame(
        [
            {
                "municipality": "甲市",
                "meeting_date": f"{y}-07-01",
                "threat": 0.05 * i + 0.05,
                "rules": 0.1,
                "neutral": 0.8,
            }
            for i, y in enumerate(range(2020, 2024))
        ]
    )
    _, turns = planted_meetings(plan, POOLS, turns_per_meeting=30, random_state=3)
    coding = T.code_sentences(turns, themes, level="frame")
    shares = S.theme_sentence_shares(
        T.turn_sentences(turns),
        T.theme_sentences(turns, themes),
        by=("municipality", "period"),
        n_boot=50,
        random_state=SEED,
    )
    prof = S.frame_profiles(coding, by=("municipality", "period"), n_boot=50, random_state=SEED)
    fig = charts.frame_trend_chart(shares, prof, "security", frames=frames, themes=themes)
    export.save_figure(fig, "06-frame-trend-security", prof, figures_dir=tmp_path)
    assert len(fig.axes) == 1 + len(frames.for_theme("security"))
    line = fig.axes[0].get_lines()[0]
    sec = shares[shares["theme"] == "security"].sort_values("period")
    assert np.allclose(line.get_ydata(), sec["share"].to_numpy() * 100)
    plt.close(fig)


def test_caveats_state_untestable_themes_and_too_few(planted, themes, frames):
    turns, coding, profiles, tests = planted
    validity = pd.DataFrame(
        [("frame", "security", "threat", "security:threat", 10, 3, 3, 0.8, 0.6, 0.65)],
        columns=[
            "level",
            "theme",
            "frame",
            "code",
            "n_turns",
            "gold_positive",
            "coded_positive",
            "precision",
            "recall",
            "kappa",
        ],
    ).assign(n_text_changed=0, n_missing=0)
    unknown = S.unknown_role_sentences(coding)
    periods = S.periods_per_body(turns)
    text = frame_summaries.describe_caveats(validity, profiles, tests, unknown, periods)
    few = profiles.drop_duplicates(["municipality", "theme"])
    n_few = int((few["status"] == S.TOO_FEW_SENTENCES).sum())
    assert any(re.search(rf"^{n_few} municipality × theme cells", s) for s in text)
    assert any("cannot show change over time" in s for s in text)


def test_trend_sentences(themes):
    trends = pd.DataFrame(
        [
            ("甲市", "security", 400, 10, 5, 0.1, 0.001, 999, "ok"),
            ("乙町", "security", 100, 1, 1, np.nan, np.nan, 0, "fewer than 3 periods"),
        ],
        columns=[
            "municipality",
            "theme",
            "n_units",
            "n_meetings",
            "n_periods",
            "slope",
            "p_perm",
            "n_perm",
            "status",
        ],
    )
    text = frame_summaries.describe_trends(trends)
    assert text == [
        "甲市, security: +10.0 percentage points per fiscal year over 5 years and 10 meetings "
        "(permutation p = 0.001): a trend beyond the permutation null."
    ]
    assert "No trend test" in frame_summaries.describe_trends(trends.iloc[[1]])[0]
