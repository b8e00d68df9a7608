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


@pytest.mark.slow
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
@pytest.mark.slow
def test_a_seed_repeated_twenty_times_gives_twenty_times_its_turns(seed, tmp_path):
    one = load_document(seed)
    path = tmp_path / seed.name
    path.write_text(seed.read_text(encoding="utf-8") * 20, encoding="utf-8")
    result = inspect_file(path)
    assert len(result["turns"]) == 20 * len(one.turns)
    assert [t["speaker"] for t in result["turns"]] == one.turns["speaker"].tolist() * 20


def _reference_rejoin(text: str) -> str:
    """The direct (quadratic) formulation of `rejoin_split_lines`: the specification it must match."""
    out: list[str] = []
    blanks = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            blanks += 1
            continue
        if out and cleaning._should_join(out[-1].strip(), stripped):
            head = out[-1].rstrip()
            words = (
                head[-1:].isascii()
                and head[-1:].isalnum()
                and stripped[0].isascii()
                and stripped[0].isalnum()
            )
            keeps = cleaning._keeps_space(head + " " + stripped, len(head), len(head) + 1)
            out[-1] = head + (" " if words and keeps else "") + stripped
        else:
            out.extend([""] * blanks)
            out.append(line)
        blanks = 0
    out.extend([""] * blanks)
    return "\n".join(out)


def test_rejoin_matches_its_reference_on_seeds_and_mixed_long_lines():
    texts = []
    for seed in SEEDS:
        text = seed.read_text(encoding="utf-8")
        for step in cleaning.PIPELINE[: cleaning.PIPELINE.index(cleaning.rejoin_split_lines)]:
            text = step(text)
        texts.append(text)
    lines = [line for text in texts for line in text.split("\n")]
    rng = random.Random(11)
    for _ in range(200):
        sample = []
        for _ in range(rng.randrange(1, 300)):
            r = rng.random()
            if r < 0.15:
                sample.append("")
            elif r < 0.35:  # ASCII at the joins: spaced-out runs (`7 D`) and words (`Microsoft 365`)
                sample.append(
                    rng.choice(
                        ["7", "D X推進の取組", "Microsoft", "365 を導入した結果として今後も", "E B P M"]
                    )
                )
            elif r < 0.45:  # long wrapped lines that join into lines far beyond the judged head
                sample.append("あ" * rng.randrange(20, 900) + rng.choice(["", "、", "。", "\t表", "です"]))
            else:
                sample.append(rng.choice(lines))
        texts.append("\n".join(sample))
    for text in texts:
        assert cleaning.rejoin_split_lines(text) == _reference_rejoin(text)


@pytest.mark.slow
def test_a_paragraph_of_eighty_thousand_wrapped_lines_becomes_one_line():
    lines = [f"これは第{i}行の長い文章の一部であってまだ続いていくものでありまして" for i in range(80_000)]
    assert cleaning.rejoin_split_lines("\n".join(lines)) == "".join(lines)


def test_script_and_comment_removal_matches_the_patterns():
    tokens = ["<!--", "-->", "<script>", "</script>", "<SCRIPT a='x'>", "</Script >", "<style>", "</style>"]
    tokens += ["<style", ">", "<", "本文", "\n", "<scripts>", "<script\n>", "-", "!"]
    rng = random.Random(5)
    for _ in range(5_000):
        text = "".join(rng.choice(tokens) for _ in range(rng.randrange(0, 30)))
        assert cleaning._drop_comments(text) == cleaning.HTML_COMMENT_RE.sub("", text)
        assert cleaning._drop_script_blocks(text) == cleaning.HTML_SCRIPT_RE.sub("", text)


def test_many_unclosed_comments_and_scripts():
    body = "<p>(山田委員長)</p><p>開会します。</p>"
    for junk in ("<!-- x ", "<script> x ", "<style "):
        text = junk * 20_000 + body
        assert cleaning.strip_html(text).endswith("(山田委員長)\n\n開会します。\n")
