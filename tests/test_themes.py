"""Theme dictionary loading, turn coding and the hit audit table."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest
from analysis_fixtures import SEED_MUNICIPALITIES, make_turns, seed_turns

from dxminutes.analysis.themes import (
    CODED_COLUMNS,
    ThemeFileError,
    code_turns,
    find_hits,
    load_themes,
    theme_hits,
)

GOOD_THEME = """
[[theme]]
key = "{key}"
label_ja = "テスト"
label_en = "Test"
terms = ["ＤＸ", "DX", "デジタル化"]
"""


@pytest.fixture(scope="module")
def themes():
    return load_themes()


def test_default_file_has_the_four_bilingual_themes(themes):
    assert themes.keys == ["dx", "security", "staffing", "digital_divide"]
    assert themes.labels["security"] == "情報セキュリティ / Information security"
    required = {
        "dx": [
            "DX",
            "デジタルトランスフォーメーション",
            "デジタル・トランスフォーメーション",
            "デジタル化",
            "自治体DX",
        ],
        "security": [
            "情報セキュリティ",
            "セキュリティ",
            "サイバー",
            "漏えい",
            "漏洩",
            "個人情報",
            "情報漏れ",
            "LGWAN",
            "ネットワーク分離",
        ],
        "staffing": [
            "人材",
            "研修",
            "体制",
            "人材育成",
            "デジタル人材",
            "育成",
            "リテラシー",
            "スキル",
            "CIO補佐官",
        ],
        "digital_divide": [
            "デジタルデバイド",
            "デジタルデバインド",
            "デジタル格差",
            "情報格差",
            "高齢者",
            "対面",
            "講習会",
            "スマホ教室",
            "取り残さ",
            "誰一人",
            "不慣れ",
            "寄り添",
        ],
    }
    for key, terms in required.items():
        assert set(terms) <= set(themes[key].terms), key
    # bare 監査 is deliberately not a term (financial audits); system audits are a pattern
    assert "監査" not in themes["security"].terms
    # broad single terms narrowed (docs/codebook.md, Dictionary audit): staff mentioned in
    # passing, any counter, any data; mindset alone is dx (codebook 6.3)
    assert "職員" not in themes["staffing"].terms
    assert "窓口" not in themes["digital_divide"].terms
    assert "データ" not in themes["dx"].terms
    assert "意識改革" in themes["dx"].terms and "意識改革" not in themes["staffing"].terms
    assert themes.procedural, "the default file marks procedural sentences"


def test_entries_are_normalized_and_deduplicated(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(GOOD_THEME.format(key="x"), encoding="utf-8")
    theme = load_themes(path)["x"]
    assert theme.terms == ("DX", "デジタル化")  # ＤＸ → DX by NFKC, then one entry


def _write(tmp_path, text):
    path = tmp_path / "broken_themes.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, fragment",
    [
        ('[[theme]]\nkey = "dx"\nlabel_ja = "DX\n', "line 3"),  # unterminated string
        ('[[theme]]\nkey = "dx"\nlabel_en = "DX"\nterms = ["DX"]\n', "label_ja"),
        ('[[theme]]\nkey = "dx"\nlabel_ja = "DX"\nlabel_en = "DX"\nterms = []\n', "'terms' is empty"),
        (GOOD_THEME.format(key="dx") + GOOD_THEME.format(key="dx"), "duplicate key 'dx'"),
        (
            '[[theme]]\nkey = "dx"\nlabel_ja = "DX"\nlabel_en = "DX"\nterms = ["DX"]\npatterns = ["(DX"]\n',
            "'(DX'",
        ),
        (
            '[[theme]]\nkey = "dx"\nlabel_ja = "DX"\nlabel_en = "DX"\nterms = ["DX"]\nterm = ["x"]\n',
            "unknown field(s) ['term']",
        ),
        ('[[theme]]\nkey = "dx"\nlabel_ja = "DX"\nlabel_en = "DX"\nterms = "DX"\n', "list of strings"),
        (
            '[[theme]]\nkey = "dx"\nlabel_ja = "DX"\nlabel_en = "DX"\nterms = ["DX", ""]\n',
            "empty or non-string",
        ),
        ('title = "x"\n', "unknown top-level"),
    ],
)
def test_malformed_theme_file_names_file_and_problem(tmp_path, text, fragment):
    with pytest.raises(ThemeFileError) as info:
        load_themes(_write(tmp_path, text))
    message = str(info.value)
    assert "broken_themes.toml" in message
    assert fragment in message
    assert str(tmp_path) not in message  # no absolute paths in messages


def test_missing_file_is_a_theme_file_error(tmp_path):
    with pytest.raises(ThemeFileError, match=r"nothere\.toml"):
        load_themes(tmp_path / "nothere.toml")


def test_coding_counts_longest_match_once_and_respects_exclusions(themes):
    turns = make_turns(
        [
            ("A市", "member", "情報セキュリティ監査と自治体ＤＸ"),  # security ×1, dx ×1
            ("A市", "official", "デジタルデバイド対策と高齢者の対面窓口"),  # divide ×3
            ("A市", "member", "青少年の健全育成と、email の確認"),  # nothing
            ("B町", "member", "DX人材の育成。スマホを使えない方"),  # staffing ×2, divide ×1, dx ×0
        ]
    )
    before = turns.copy()
    coded = code_turns(turns, themes)
    pd.testing.assert_frame_equal(turns, before)
    assert list(coded.columns) == CODED_COLUMNS
    assert len(coded) == 4 * 4
    got = coded.set_index(["turn_id", "theme"])
    assert got.loc[("doc-A市:0000", "security"), "n_hits"] == 1
    assert got.loc[("doc-A市:0000", "security"), "matched_terms"] == "情報セキュリティ監査"
    assert got.loc[("doc-A市:0000", "dx"), "matched_terms"] == "自治体DX"
    assert got.loc[("doc-A市:0001", "digital_divide"), "n_hits"] == 3
    assert got.loc[("doc-A市:0001", "digital_divide"), "matched_terms"] == "デジタルデバイド|対面窓口|高齢者"
    assert not got.loc["doc-A市:0002", "coded"].any()
    assert got.loc[("doc-B町:0000", "staffing"), "matched_terms"] == "DX人材|育成"
    assert got.loc[("doc-B町:0000", "digital_divide"), "matched_terms"] == "使えない方"
    assert not got.loc[("doc-B町:0000", "dx"), "coded"]  # "DX" belongs to the longer "DX人材"
    assert (coded["coded"] == (coded["n_hits"] > 0)).all()


def test_named_front_office_reforms_count_as_dx_not_as_the_in_person_counter(themes):
    turns = make_turns([("A市", "member", "「書かない窓口」の導入と、高齢者向けの窓口での支援")])
    got = code_turns(turns, themes).set_index("theme")
    assert got.loc["dx", "matched_terms"] == "書かない窓口"
    # the in-person counter counts as support (窓口での支援), a bare 窓口 would not
    assert got.loc["digital_divide", "matched_terms"] == "窓口での支援|高齢者"


def test_hits_do_not_overlap(themes):
    turns = make_turns([("A市", "member", "サイバーセキュリティ対策、情報漏えいと個人情報保護、LG-WAN")])
    hits = find_hits(turns, themes)
    spans = sorted(zip(hits["start"], hits["end"]))
    assert all(e1 <= s2 for (_, e1), (s2, _) in itertools.pairwise(spans))
    assert list(hits["match"]) == ["サイバーセキュリティ", "情報漏えい", "個人情報保護", "LG-WAN"]


def test_theme_hits_lists_zero_variants_and_agrees_with_coding(themes):
    turns = make_turns(
        [("A市", "member", "DXとDXと職員"), ("A市", "official", "DXの研修"), ("B町", "member", "高齢者")]
    )
    audit = theme_hits(turns, themes)
    n_variants = sum(len(t.terms) + len(t.patterns) for t in themes)
    assert len(audit) == 2 * n_variants
    dx = audit.set_index(["municipality", "theme", "variant"]).loc[("A市", "dx", "DX")]
    assert (dx["n_hits"], dx["n_turns"]) == (3, 2)
    assert (audit["n_hits"] == 0).sum() > 0  # unmatched variants are listed
    coded = code_turns(turns, themes)
    by_cell = coded.groupby(["municipality", "theme"])["n_hits"].sum()
    assert by_cell.to_dict() == audit.groupby(["municipality", "theme"])["n_hits"].sum().to_dict()


def test_a_user_theme_file_is_used_without_code_changes(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[theme]]\nkey = "cloud"\nlabel_ja = "クラウド"\nlabel_en = "Cloud"\n'
        'terms = ["クラウド"]\npatterns = ["ガバメント ?クラウド"]\n',
        encoding="utf-8",
    )
    coded = code_turns(make_turns([("A市", "member", "ガバメントクラウドとクラウド")]), load_themes(path))
    assert coded["theme"].tolist() == ["cloud"]
    assert coded["n_hits"].tolist() == [2]


@pytest.mark.slow
def test_seed_minutes_code_every_theme_in_every_municipality(themes):
    turns = seed_turns()
    coded = code_turns(turns, themes)
    assert set(coded["municipality"]) == SEED_MUNICIPALITIES
    cells = coded.groupby(["municipality", "theme"])["coded"].sum()
    assert len(cells) == 5 * 4
    zero = sorted(cells.index[cells == 0])
    # 豊島区's speech never mentions security: the only "セキュリティ" is a job title in the
    # attendance roster (情報担当係長(セキュリティ)), which is not a speaker turn.
    assert zero in ([], [("豊島区", "security")])
    examples = coded.set_index(["municipality", "theme"])
    assert "サイバーセキュリティ" in "|".join(examples.loc[("長崎市", "security"), "matched_terms"])
    divide = "|".join(examples.loc[("墨田区", "digital_divide"), "matched_terms"])
    assert "デジタルデバイド" in divide and "高齢者" in divide
    audit = theme_hits(turns, themes)
    assert set(audit["municipality"]) == SEED_MUNICIPALITIES
