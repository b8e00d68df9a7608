"""Keyword in context and evidence quotes keep the group columns."""

from __future__ import annotations

import pandas as pd
import pytest
from analysis_fixtures import make_turns, planted_corpus, seed_turns

from dxminutes.analysis.kwic import KWIC_COLUMNS, QUOTE_COLUMNS, evidence_quotes, kwic
from dxminutes.analysis.themes import code_turns, load_themes


@pytest.fixture(scope="module")
def turns():
    return make_turns(
        [
            ("B町", "member", "ＤＸの推進とセキュリティ。DXは大事"),
            ("A市", "official", "情報セキュリティ対策を説明します"),
            ("A市", "member", "セキュリティ\n研修と職員"),
        ]
    )


def test_rows_carry_group_columns_and_context(turns):
    rows = kwic(turns, "セキュリティ", window=4)
    assert list(rows.columns) == KWIC_COLUMNS
    assert rows["municipality"].tolist() == ["A市", "A市", "B町"]  # stable sort: municipality, doc, position
    assert rows["position"].tolist() == [0, 1, 0]
    first = rows.iloc[0]
    assert (first["left"], first["keyword"], first["right"]) == ("情報", "セキュリティ", "対策を説")
    assert (first["doc_id"], first["speaker"], first["role"]) == ("doc-A市", "official-0", "official")
    assert rows.iloc[1]["right"] == " 研修と"  # newline shown as a space
    for row in rows.itertuples():
        text = turns.set_index("turn_id").loc[row.turn_id, "text"]
        assert text[row.start : row.end] == "セキュリティ"


def test_literal_pattern_is_normalized_and_regex_works(turns):
    full_width = kwic(turns, "ＤＸ")
    assert full_width["keyword"].tolist() == ["DX", "DX"]  # both spellings after NFKC
    assert full_width["start"].tolist() == [0, 13]
    literal = kwic(turns, "D.")
    assert literal.empty and list(literal.columns) == KWIC_COLUMNS
    regex = kwic(turns, r"(情報)?セキュリティ", regex=True)
    assert regex["keyword"].tolist() == ["情報セキュリティ", "セキュリティ", "セキュリティ"]
    with pytest.raises(ValueError):
        kwic(turns, "")


def test_theme_mode_lists_counted_hits(turns):
    themes = load_themes()
    rows = kwic(turns, "security", themes=themes)
    assert rows["keyword"].tolist() == ["情報セキュリティ", "セキュリティ", "セキュリティ"]
    assert rows["variant"].tolist() == ["情報セキュリティ", "セキュリティ", "セキュリティ"]
    with pytest.raises(KeyError, match="no theme"):
        kwic(turns, "weather", themes=themes)


def test_evidence_quotes_are_seeded_trimmed_and_attributed():
    turns = planted_corpus()
    long_text = "前置き" * 60 + "高齢者の窓口" + "後書き" * 60
    turns = pd.concat(
        [turns, make_turns([("格差村", "expert", long_text)]).assign(turn_id="doc-格差村:0099", position=99)],
        ignore_index=True,
    )
    coded = code_turns(turns, load_themes())
    a = evidence_quotes(coded, turns, per_cell=2, random_state=1, max_chars=40)
    b = evidence_quotes(coded, turns, per_cell=2, random_state=1, max_chars=40)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == QUOTE_COLUMNS
    assert a.groupby(["municipality", "theme"]).size().max() == 2
    assert set(zip(a["municipality"], a["theme"])) == set(
        coded.loc[coded["coded"], ["municipality", "theme"]].itertuples(index=False, name=None)
    )
    security = a[(a["municipality"] == "安全市") & (a["theme"] == "security")]
    assert security["n_hits"].tolist() == [2, 2] and security["rank"].tolist() == [1, 2]
    # ties (ten turns with 2 hits each) are broken by the seed
    picks = {
        tuple(
            evidence_quotes(coded, turns, per_cell=2, random_state=s, max_chars=40).query(
                "theme == 'security'"
            )["turn_id"]
        )
        for s in range(6)
    }
    assert len(picks) > 1
    quote = evidence_quotes(
        coded[coded["turn_id"] == "doc-格差村:0099"], turns, random_state=0, max_chars=40
    )["quote"].iloc[0]
    assert "高齢者" in quote and quote.startswith("…") and quote.endswith("…")
    assert len(quote) == 40 + 2


def test_seed_kwic_finds_cyber_security_in_nagasaki():
    rows = kwic(seed_turns(), "サイバーセキュリティ")
    assert "長崎市" in set(rows["municipality"])
    assert rows[["municipality", "doc_id", "meeting_date", "speaker", "role"]].notna().all().all()
