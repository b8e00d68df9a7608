"""Generated sentences agree with the test tables they quote."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from analysis_fixtures import make_tokens, make_turns, planted_corpus, seed_tokens, seed_turns

from dxminutes.analysis import keyness as keyness_mod
from dxminutes.analysis import theme_stats
from dxminutes.analysis.themes import code_turns, load_themes
from dxminutes.report import summaries

SEED = 20240717


def _documents(turns: pd.DataFrame) -> pd.DataFrame:
    docs = turns.drop_duplicates("doc_id")[["doc_id", "municipality"]].copy()
    return docs.assign(prefecture="県", body="委員会", meeting_date="2024-01-01", record_kind="verbatim")


def _profiles(turns, tokens, themes, documents=None):
    coded = code_turns(turns, themes)
    tests = theme_stats.theme_by_group_tests(coded, random_state=SEED, n_perm=500)
    shares = theme_stats.theme_shares(coded, tokens, random_state=SEED)
    by_role = theme_stats.theme_shares(coded, tokens, by=("municipality", "role_group"), random_state=SEED)
    key = keyness_mod.keyness(tokens)
    within = keyness_mod.keyness_within_themes(tokens, coded, min_count=2)
    residuals = theme_stats.crosstab_chi2(coded).table
    documents = documents if documents is not None else _documents(turns)
    profiles = summaries.build_profiles(
        documents, turns, shares, residuals, key, within, by_role, themes, tests=tests
    )
    return profiles, tests


def _theme_line(markdown: str, label: str) -> str:
    lines = [line for line in markdown.splitlines() if line.startswith(f"- **{label}**")]
    assert len(lines) == 1, (label, markdown)
    return lines[0]


def _check_agreement(profiles, tests, themes):
    quotes = pd.DataFrame(columns=["municipality", "theme", "quote", "speaker", "role"])
    labels = dict(themes.labels)
    checked = 0
    for municipality in profiles["municipality"]:
        md = summaries.profile_markdown(municipality, profiles, quotes, themes)
        for theme in themes.keys:
            row = tests[(tests["municipality"] == municipality) & (tests["theme"] == theme)].iloc[0]
            line = _theme_line(md, labels.get(theme, theme))
            phrase = summaries.VERDICT_PHRASES[row["verdict"]]
            assert phrase in line, (municipality, theme, row["verdict"], line)
            others = [p for v, p in summaries.VERDICT_PHRASES.items() if v != row["verdict"]]
            assert not any(p in line for p in others), line
            if row["verdict"] != "too few turns":
                fmt = summaries.format_p
                assert f"exact {fmt(row['p_cell'])}" in line and f"adjusted {fmt(row['p_cell_adj'])}" in line
                # "more/less often" only where the adjusted test is significant, with the residual's sign
                more, less = "more often" in line, "less often" in line
                assert (more or less) == bool(row["significant"])
                if more:
                    assert row["adjusted_residual"] > 0
                if less:
                    assert row["adjusted_residual"] < 0
            checked += 1
    return checked


@pytest.mark.slow
def test_significant_cells_carry_the_speaker_clustered_caveat():
    themes = load_themes()
    turns = planted_corpus()
    tokens = make_tokens(turns)
    coded = code_turns(turns, themes)
    tests = theme_stats.theme_by_group_tests(coded, random_state=SEED, n_perm=500)
    clustered = theme_stats.clustered_theme_tests(coded, turns, n_perm=199, random_state=SEED)
    shares = theme_stats.theme_shares(coded, tokens, random_state=SEED)
    by_role = theme_stats.theme_shares(coded, tokens, by=("municipality", "role_group"), random_state=SEED)
    profiles = summaries.build_profiles(
        _documents(turns),
        turns,
        shares,
        crosstab_chi2_table(coded),
        keyness_mod.keyness(tokens),
        keyness_mod.keyness_within_themes(tokens, coded, min_count=2),
        by_role,
        themes,
        tests=tests,
        clustered=clustered,
    )
    md = summaries.profile_markdown(
        "安全市", profiles, pd.DataFrame(columns=["municipality", "theme"]), themes
    )
    line = _theme_line(md, dict(themes.labels)["security"])
    p_spk = clustered.set_index("theme").loc["security", "p_speaker_permutation"]
    assert f"speaker permutation p = {p_spk:.3f}" in line
    assert ("does not survive" in line) == (p_spk >= 0.05)
    assert "more often than the other municipalities" in line


def crosstab_chi2_table(coded):
    return theme_stats.crosstab_chi2(coded).table


@pytest.mark.slow
def test_planted_profile_verdicts_agree_with_the_test_table():
    themes = load_themes()
    turns = planted_corpus()
    profiles, tests = _profiles(turns, make_tokens(turns), themes)
    assert _check_agreement(profiles, tests, themes) == 3 * len(themes.keys)
    assert (tests["verdict"] == "more than the others").any()
    row = tests[(tests["municipality"] == "安全市") & (tests["theme"] == "security")].iloc[0]
    assert row["verdict"] == "more than the others"
    table = summaries.comparison_table(profiles, themes)
    assert table.loc["安全市", dict(themes.labels)["security"]].endswith("▲")


@pytest.mark.slow
def test_seed_profile_verdicts_agree_with_theme_tests():
    themes = load_themes()
    turns, tokens = seed_turns(), seed_tokens()
    profiles, tests = _profiles(turns, tokens, themes)
    assert _check_agreement(profiles, tests, themes) == 20
    # the closing table marks exactly the significant cells
    table = summaries.comparison_table(profiles, themes)
    labels = dict(themes.labels)
    for row in tests.itertuples():
        cell = table.loc[row.municipality, labels[row.theme]]
        assert ("▲" in cell or "▼" in cell) == bool(row.significant)


def test_role_share_leaves_unknown_roles_out_of_the_denominator():
    themes = load_themes()
    rows = (
        [("A市", "official", "DX 推進")] * 6
        + [("A市", "member", "DX 予算")] * 4
        + [("A市", "unknown", "話")] * 10
    )
    rows += [("B町", "member", "予算 話")] * 12
    turns = make_turns(rows)
    profiles, _ = _profiles(turns, make_tokens(turns), themes)
    a = profiles.set_index("municipality").loc["A市"]
    assert a["official_turn_share"] == pytest.approx(6 / 10)  # not 6 / 20
    assert a["unknown_role_turns"] == 10
    md = summaries.profile_markdown("A市", profiles, pd.DataFrame(columns=["municipality", "theme"]), themes)
    assert "officials speak 60% of the turns with a known role (10 turns of unknown role left out)" in md


@pytest.mark.slow
def test_too_few_turns_are_said_not_tested():
    themes = load_themes()
    rows = (
        [("大市", "member", "DX 推進")] * 10
        + [("大市", "official", "予算")] * 20
        + [("小村", "member", "DX")] * 5
    )
    turns = make_turns(rows)
    profiles, _ = _profiles(turns, make_tokens(turns), themes)
    md = summaries.profile_markdown("小村", profiles, pd.DataFrame(columns=["municipality", "theme"]), themes)
    assert md.count("too few turns to test (5 turns)") == len(themes.keys)
    assert "95% CI" not in md
    shares = theme_stats.theme_shares(code_turns(turns, themes), random_state=SEED)
    sentences = summaries.describe_shares(shares, themes)
    assert all("Left out (too few turns): 小村" in s or "too few turns to compare" in s for s in sentences)


def test_format_p():
    assert summaries.format_p(0.0004) == "p < 0.001"
    assert summaries.format_p(0.0123) == "p = 0.012"


def test_distinctive_terms_only_from_significant_keyness():
    key = pd.DataFrame(
        {
            "municipality": ["A", "A", "B"],
            "term": ["x", "y", "z"],
            "g2": [5.0, 3.0, 4.0],
            "q": [0.01, 0.2, 0.3],
        }
    )
    top = summaries.top_keyness(key, alpha=0.05)
    assert list(top["term"]) == ["x"]
    assert len(summaries.top_keyness(key)) == 3


def test_meetings_caveat_says_differences_are_between_meetings():
    docs = _documents(planted_corpus())
    text = summaries.meetings_caveat(docs)
    assert "one meeting of one record kind" in text and "difference between meetings" in text
    assert "several meetings per body" in text
    more = pd.concat([docs, docs.assign(doc_id=docs["doc_id"] + "-2")], ignore_index=True)
    assert "several meetings" in summaries.meetings_caveat(more).split(";")[0]
    assert any(
        "one meeting of one record kind" in s for s in summaries.describe_caveats(docs, planted_corpus())
    )


def test_clustered_sentences_quote_both_p_values():
    themes = load_themes()
    turns = seed_turns()
    clustered = theme_stats.clustered_theme_tests(
        code_turns(turns, themes), turns, n_perm=199, random_state=SEED
    )
    sentences = summaries.clustered_sentences(clustered, themes)
    assert len(sentences) == len(clustered)
    for s, row in zip(sentences, clustered.itertuples()):
        assert f"turn-level permutation p = {row.p_turn_permutation:.3f}" in s
        assert f"speaker permutation p = {row.p_speaker_permutation:.3f}" in s
        survives = row.p_speaker_permutation < 0.05
        if row.p_turn_permutation < 0.05:
            assert ("does not survive" in s) == (not survives)
        assert re.search(r"GEE .* p = (\d\.\d{3}|not defined)", s)


@pytest.mark.slow
def test_share_sentences_say_difference_only_from_the_tests():
    themes = load_themes()
    turns = seed_turns()
    coded = code_turns(turns, themes)
    shares = theme_stats.theme_shares(coded, random_state=SEED)
    tests = theme_stats.theme_by_group_tests(coded, random_state=SEED, n_perm=999)
    clustered = theme_stats.clustered_theme_tests(coded, turns, n_perm=199, random_state=SEED)
    sentences = summaries.describe_shares(shares, themes, tests, clustered)
    labels = dict(themes.labels)
    for theme in themes.keys:
        (s,) = [x for x in sentences if x.startswith(labels[theme])]
        t = tests[tests["theme"] == theme].iloc[0]
        c = clustered[clustered["theme"] == theme].iloc[0]
        assert f"permutation p = {t['p']:.3f}" in s
        assert ("the municipalities differ" in s) == (t["p"] < 0.05)
        assert f"speakers as the units p = {c['p_speaker_permutation']:.3f}" in s
        assert ("does not survive" in s) == (t["p"] < 0.05 <= c["p_speaker_permutation"])
        assert "overlap" not in s
