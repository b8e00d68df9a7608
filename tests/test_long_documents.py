"""Long minutes: the cleaning audit, cleaning and segmentation on long and deeply nested inputs.

Speed itself is measured by `benchmarks/run.py --stage long`, never asserted here. These tests
check that the linear-time audit gives the known answers (and difflib's answers on the seeds),
that its exact alignment only ever runs on bounded stretches, and that long and deeply nested
documents give the turns they are built to give.
"""

from __future__ import annotations

import random
from difflib import SequenceMatcher

import pytest

from dxminutes import config
from dxminutes.corpus import cleaning
from dxminutes.corpus.build import inspect_file, load_document

SEEDS = sorted(config.RAW_DIR.glob("*.txt"))
#: Steps that change lines one by one, so their changed-line count adds up over repeated copies.
LINE_LOCAL_STEPS = (
    cleaning.normalize_unicode,
    cleaning.unify_marker_glyphs,
    cleaning.fix_kana_slips,
    cleaning.fix_variant_characters,
)


def _difflib_count(before: str, after: str) -> int:
    """The audit's reference definition: lines in difflib's non-equal opcodes (max of both sides)."""
    matcher = SequenceMatcher(None, before.split("\n"), after.split("\n"), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name.split("_")[0])
def test_audit_matches_difflib_on_the_seeds(seed):
    text = seed.read_text(encoding="utf-8")
    for step in cleaning.PIPELINE:
        after = step(text)
        assert cleaning._count_changed_lines(text, after) == _difflib_count(text, after), step.__name__
        text = after


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name.split("_")[0])
def test_audit_of_twenty_copies_is_twenty_times_one(seed):
    one = seed.read_text(encoding="utf-8")
    many = one * 20
    for step in LINE_LOCAL_STEPS:
        expected = _difflib_count(one, step(one))
        assert cleaning._count_changed_lines(many, step(many)) == 20 * expected, step.__name__
        one, many = step(one), step(many)


def test_audit_known_answers_on_a_long_text():
    rng = random.Random(7)
    lines = [f"行{i}" for i in range(60_000)] + [""] * 3_000 + ["はい。"] * 3_000
    rng.shuffle(lines)
    before = "\n".join(lines)
    edited = sorted(rng.sample(range(len(lines)), 500))
    changed = [line + "。" if i in set(edited) else line for i, line in enumerate(lines)]
    assert cleaning._count_changed_lines(before, "\n".join(changed)) == 500
    removed = set(rng.sample(range(len(lines)), 300))
    kept = [line for i, line in enumerate(lines) if i not in removed]
    assert cleaning._count_changed_lines(before, "\n".join(kept)) == 300
    inserted = list(lines)
    for position in sorted(rng.sample(range(len(lines)), 200), reverse=True):
        inserted.insert(position, f"追加{position}")
    assert cleaning._count_changed_lines(before, "\n".join(inserted)) == 200
    assert cleaning._count_changed_lines(before, before) == 0


def test_first_change_far_into_a_long_text():
    before = "あ" * 100_000 + "調查" + "い" * 1_000
    after = "あ" * 100_000 + "調査" + "い" * 1_000
    example_before, example_after = cleaning._first_change(before, after)
    # the first difference is 查/査 at 100,001; the excerpt starts EXAMPLE_CONTEXT characters before it
    lead = "あ" * (cleaning.EXAMPLE_CONTEXT - 1) + "調"
    tail = "い" * (cleaning.EXAMPLE_WIDTH - cleaning.EXAMPLE_CONTEXT - 1)
    assert (example_before, example_after) == (lead + "查" + tail, lead + "査" + tail)


def _deep_html(levels: int) -> str:
    return (
        "<html><head><title>第1回 柏原市情報化推進委員会 会議録</title></head><body>"
        + "<div>" * levels
        + "<p>日時 令和6年7月17日(水) 午後1時</p><p>(山田委員長)</p><p>開会します。</p>"
        + "<p>(事務局)</p><p>説明します。</p>"
        + "</div>" * levels
        + "</body></html>"
    )


def test_exact_alignment_runs_only_on_bounded_stretches(monkeypatch):
    """The quadratic part (difflib) never sees more than EXACT_ALIGNMENT_PAIRS line pairs."""
    sizes: list[int] = []

    class Recording(SequenceMatcher):
        def __init__(self, isjunk, a, b, autojunk):
            sizes.append(len(a) * len(b))
            super().__init__(isjunk, a, b, autojunk=autojunk)

    monkeypatch.setattr(cleaning, "SequenceMatcher", Recording)
    cleaning.clean(_deep_html(10_000))
    cleaning.clean(SEEDS[0].read_text(encoding="utf-8") * 20)
    assert sizes and max(sizes) <= cleaning.EXACT_ALIGNMENT_PAIRS


def test_html_nested_ten_thousand_levels_deep(tmp_path):
    path = tmp_path / "deep.html"
    path.write_text(_deep_html(10_000), encoding="utf-8")
    corpus = load_document(path)
    assert corpus.turns["speaker"].tolist() == ["山田", "事務局"]
    assert corpus.turns["text"].tolist() == ["開会します。", "説明します。"]
    report = corpus.cleaning.set_index("step")
    assert report.loc["strip_html", "n_changes"] > 0
    assert report.loc["tidy_whitespace", "n_changes"] >= 10_000  # the blank lines of the nesting
    assert corpus.documents.iloc[0]["meeting_date"] == "2024-07-17"


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name.split("_")[0])
def test_a_seed_repeated_twenty_times_gives_twenty_times_its_turns(seed, tmp_path):
    one = load_document(seed)
    path = tmp_path / seed.name
    path.write_text(seed.read_text(encoding="utf-8") * 20, encoding="utf-8")
    result = inspect_file(path)
    assert len(result["turns"]) == 20 * len(one.turns)
    assert [t["speaker"] for t in result["turns"]] == one.turns["speaker"].tolist() * 20
