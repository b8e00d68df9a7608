"""What the corpus could not take in is shown, and speaker analyses leave unsegmented documents out.

Built on a small corpus with a known answer: two labelled committee records of two cities, a copy
of one of them (kept once), a readable file without speaker marks (one unsegmented block) and junk.
"""

from __future__ import annotations

import pytest

from dxminutes.analysis import guards
from dxminutes.report import summaries
from dxminutes.workspace import Settings, Workspace, prepare

MEMBER = "行政のデジタル化について伺います。オンライン申請の利用状況はいかがですか。"
OFFICIAL = "情報セキュリティ対策として、全職員に研修を行っております。"


def _record(date: str, city: str, members: tuple[str, ...]) -> str:
    lines = [f"{date} {city}議会 総務委員会 会議録", "○委員長（中村一郎君） ただいまから委員会を開きます。"]
    for k, name in enumerate(members):
        lines += [f"○{name}委員 {MEMBER}（{k}）", f"○情報政策課長 {OFFICIAL}（{k}）"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    (raw / "a.txt").write_text(_record("令和6年6月12日", "松本市", ("佐藤", "鈴木")), encoding="utf-8")
    (raw / "b.txt").write_text(_record("令和6年9月3日", "高崎市", ("田中", "伊藤", "山本")), encoding="utf-8")
    (raw / "c-copy.txt").write_bytes((raw / "a.txt").read_text(encoding="utf-8").encode("cp932"))
    (raw / "d-summary.txt").write_text(
        "令和6年10月1日 高崎市議会 総務委員会 会議要旨\n本日の委員会では、窓口のデジタル化が報告された。\n"
        "委員からは高齢者への支援を求める意見があった。\n",
        encoding="utf-8",
    )
    (raw / "e.txt").write_bytes(b"#### 1234 ----\n==== 5678 ####\n")
    analysis = prepare(raw, tmp_path_factory.mktemp("processed"))
    return Workspace(analysis=analysis, settings=Settings.resolve(n_boot=20))


def test_loading_problems_lists_failures_copies_and_warnings(workspace):
    problems = summaries.loading_problems(workspace.corpus)
    assert list(problems.columns) == ["kind", "file", "message"]
    assert problems["kind"].tolist() == sorted(
        problems["kind"], key=["failure", "duplicate", "warning"].index
    )
    assert problems.loc[problems["kind"] == "failure", "file"].tolist() == ["e.txt"]
    duplicate = problems[problems["kind"] == "duplicate"]
    assert duplicate["file"].tolist() == ["c-copy.txt"] and "a.txt" in duplicate["message"].iloc[0]
    warned = problems[problems["kind"] == "warning"]
    assert "d-summary.txt" in set(warned["file"])


def test_speaker_analyses_leave_the_unsegmented_document_out_and_say_so(workspace):
    documents = workspace.documents
    assert sorted(documents["file"]) == ["a.txt", "b.txt", "d-summary.txt"]
    summary_id = documents.loc[documents["file"] == "d-summary.txt", "doc_id"].iloc[0]
    assert workspace.unsegmented_doc_ids == {summary_id}
    kept = workspace.segmented(workspace.turns)
    assert summary_id not in set(kept["doc_id"]) and len(kept) == len(workspace.turns) - 1
    assert workspace.segmented(workspace.tokens)["doc_id"].ne(summary_id).all()
    note = guards.unsegmented(documents)
    assert note.startswith("1 document(s)") and "d-summary.txt" in note
    clustered = workspace.clustered_theme_tests  # speakers of segmented documents only
    assert len(clustered) and clustered["theme"].nunique() == len(clustered)
    assert guards.unsegmented(documents[documents["segmented"]]) is None
