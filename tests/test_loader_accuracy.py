"""benchmarks/loader_accuracy.py on a tiny truth folder with a known answer.

Three small minutes are written in tmp_path; the loader reads all three correctly (turn count,
municipality, date). The truth of the third file is deliberately wrong on every measure, so each
accuracy must come out 2/3; one text start in turns.csv is wrong, so 4 of 5 boundaries are found.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "loader_accuracy.py"


@pytest.fixture(scope="module")
def accuracy():
    spec = importlib.util.spec_from_file_location("loader_accuracy", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


MINUTES = {
    "a.txt": (
        "令和5年第2回松本市議会定例会会議録\n令和5年6月12日(月曜日)\n"
        "○議長(山田太郎君) ただいまから本日の会議を開きます。\n"
        "○市長(鈴木一郎君) お答えいたします。デジタル化を進めます。\n"
        "○議長(山田太郎君) 以上で本日の日程は終了しました。\n"
    ),
    "b.txt": (
        "高崎市教育委員会 定例会 会議録\n令和4年11月2日\n"
        "○教育長(佐藤花子君) ただいまから定例会を開会します。\n"
        "○委員(田中次郎君) 質問があります。\n"
    ),
    "c.txt": (
        "盛岡市行政改革推進委員会 会議録\n開催日時 令和3年3月5日(金曜日)\n"
        "委員長:それでは始めます。\n事務局:資料を説明します。\n委員:よろしいですか。\n"
    ),
}
#: file, municipality, meeting_date, n_turns: a and b right, c wrong on all three (3 turns, not 9).
TRUTH = [
    ("a.txt", "松本市", "2023-06-12", "3"),
    ("b.txt", "高崎市", "2022-11-02", "2"),
    ("c.txt", "函館市", "2021-03-06", "9"),
]
#: file, text_start: the second start of a.txt matches no turn.
TURNS = [
    ("a.txt", "ただいまから本日の会議を開きます。"),
    ("a.txt", "存在しない発言"),
    ("a.txt", "以上で本日の日程は終了しました。"),
    ("b.txt", "ただいまから定例会を開会します。"),
    ("b.txt", "質問があります。"),
]


def write_folder(folder: Path, truth=TRUTH, turns=TURNS, minutes=MINUTES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in minutes.items():
        (folder / name).write_text(text, encoding="utf-8")
    with open(folder / "truth.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["file", "source_url", "body", "municipality", "prefecture", "meeting_date", "n_turns"]
        )
        for file, municipality, date, n in truth:
            writer.writerow([file, "", "", municipality, "", date, n])
    if turns is not None:
        with open(folder / "turns.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "position", "speaker_label", "speaker", "role", "text_start"])
            positions: dict[str, int] = {}
            for file, start, *speaker in turns:
                writer.writerow([file, positions.setdefault(file, 0), "", "".join(speaker), "", start])
                positions[file] += 1
    return folder


@pytest.fixture(scope="module")
def scored(accuracy, tmp_path_factory):
    folder = write_folder(tmp_path_factory.mktemp("truth"))
    return accuracy.score(folder)


def test_one_row_per_truth_file_with_the_loader_output(scored):
    assert list(scored["file"]) == ["a.txt", "b.txt", "c.txt"]
    assert list(scored["n_turns_found"]) == [3, 2, 3]
    assert list(scored["municipality_found"]) == ["松本市", "高崎市", "盛岡市"]
    assert list(scored["meeting_date_found"]) == ["2023-06-12", "2022-11-02", "2021-03-05"]
    assert list(scored["problem"]) == ["", "", ""]


def test_wrong_truth_gives_two_of_three(accuracy, scored):
    summary = accuracy.summarize(scored)
    assert (summary.files, summary.loaded, summary.failed) == (3, 3, 0)
    assert summary.turns_ok == summary.municipality_ok == summary.meeting_date_ok == 2
    assert summary.share(summary.turns_ok) == pytest.approx(2 / 3, abs=1e-9)
    assert list(scored["turns_ok"]) == [True, True, False]
    # c.txt has truth turns but no turns.csv rows: 0 of 0 there; 4 of 5 overall
    assert (summary.boundaries_found, summary.boundaries_truth) == (4, 5)
    assert summary.unsegmented is None or summary.unsegmented == 0


def test_report_names_the_misses(accuracy, scored):
    text = accuracy.report("truth", scored)
    assert "municipality right: 2/3" in text
    assert "c.txt: turns 3 vs 9; municipality '盛岡市' vs '函館市'; date '2021-03-05' vs '2021-03-06'" in text
    assert "a.txt:" not in text and "b.txt:" not in text


@pytest.mark.parametrize(("n", "tolerance"), [(0, 1), (1, 1), (4, 1), (8, 2), (10, 2.5)])
def test_turn_tolerance_is_max_one_or_a_quarter(accuracy, n, tolerance):
    assert accuracy.turn_tolerance(n) == pytest.approx(tolerance, abs=1e-9)


def test_boundaries_are_matched_in_order(accuracy):
    predicted = ["開会します。", "質問です。", "お答えします。"]
    # the second start appears only before the first match, so it cannot be found after it
    assert accuracy.count_boundaries(predicted, ["質問です", "開会します", "お答え"]) == 2
    assert accuracy.count_boundaries(predicted, ["開 会 し ま す"]) == 1  # spaces and NFKC ignored
    assert accuracy.count_boundaries([], ["開会"]) == 0


def test_speakers_are_scored_on_the_turns_found(accuracy, tmp_path):
    # a.txt: 山田太郎 right; the unfound start is not scored; `○鈴木市長` gives 鈴木, which names
    # 鈴木一郎 but is not exact; a blank truth speaker is not scored. b.txt: 佐藤花子 right;
    # 田中次郎 found where the truth says 田中太郎: wrong
    turns = [
        ("a.txt", "ただいまから本日の会議を開きます。", "山田太郎"),
        ("a.txt", "存在しない発言", "誰か"),
        ("a.txt", "お答えいたします。", "鈴木一郎"),
        ("a.txt", "以上で本日の日程は終了しました。"),
        ("b.txt", "ただいまから定例会を開会します。", "佐藤花子"),
        ("b.txt", "質問があります。", "田中太郎"),
    ]
    minutes = dict(MINUTES)
    minutes["a.txt"] = MINUTES["a.txt"].replace("○市長(鈴木一郎君)", "○鈴木市長")
    summary = accuracy.summarize(accuracy.score(write_folder(tmp_path, turns=turns, minutes=minutes)))
    assert (summary.speakers_truth, summary.speakers_exact, summary.speakers_named) == (4, 2, 3)
    assert accuracy.speaker_agrees("佐 野", "佐野公樹") == (False, True)
    assert accuracy.speaker_agrees("", "佐野公樹") == (False, False)


def test_a_missing_file_is_reported_and_the_others_go_on(accuracy, tmp_path):
    minutes = {k: v for k, v in MINUTES.items() if k != "b.txt"}
    table = accuracy.score(write_folder(tmp_path, minutes=minutes, turns=None))
    problems = dict(zip(table["file"], table["problem"]))
    assert "b.txt" in problems["b.txt"] and "missing" in problems["b.txt"]
    assert problems["a.txt"] == problems["c.txt"] == ""
    summary = accuracy.summarize(table)
    assert (summary.failed, summary.loaded, summary.municipality_ok) == (1, 2, 1)
    assert summary.boundaries_truth is None  # no turns.csv


def test_a_folder_without_truth_is_one_clear_error(accuracy, tmp_path):
    with pytest.raises(FileNotFoundError, match=r"truth\.csv"):
        accuracy.score(tmp_path)
    assert accuracy.main([str(tmp_path)]) == 1


#: Regression floors on the real samples, set to what the loader measured when they were added
#: (the closing note of issue 19 gives the history). holdout2 was sealed: nobody tuned the
#: loader on it; its one municipality "miss" (h2_022, a roster naming 長野県 where the truth
#: leaves it empty) is a judgement call. The real-world tests hold stricter per-file checks.
FLOORS = {
    # folder: (turn counts, municipalities, dates, boundaries found)
    "realworld": (62, 61, 62, 167),
    "holdout": (52, 52, 52, 115),
    "holdout2": (23, 22, 23, 70),
}


#: Speakers of the truth turns found with their boundary: (exact, same person named), measured
#: when family names before posts (`梶市長` → `梶`, `corpus/names.py`) were added; before it,
#: realworld 145/147, holdout 101/102, holdout2 64/64.
SPEAKER_FLOORS = {"realworld": (156, 158), "holdout": (104, 106), "holdout2": (64, 67)}


@pytest.mark.parametrize("folder", sorted(FLOORS))
def test_the_loader_keeps_its_scores_on_the_real_samples(accuracy, folder):
    summary = accuracy.summarize(accuracy.score(Path(__file__).parent / "data" / folder))
    assert summary.failed == 0
    turns, municipalities, dates, boundaries = FLOORS[folder]
    got = (summary.turns_ok, summary.municipality_ok, summary.meeting_date_ok, summary.boundaries_found)
    floors = (turns, municipalities, dates, boundaries)
    assert all(g >= f for g, f in zip(got, floors, strict=True)), (
        f"{folder}: (turns, municipality, date, boundaries) = {got}, floors {floors}"
    )
    speakers = (summary.speakers_exact, summary.speakers_named)
    assert all(g >= f for g, f in zip(speakers, SPEAKER_FLOORS[folder], strict=True)), (
        f"{folder}: speakers (exact, named) = {speakers}, floors {SPEAKER_FLOORS[folder]}"
    )
