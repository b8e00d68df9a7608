"""Shared test fixtures and paths.

- `DATA_DIR`: the test data folder (`tests/data/`), for tests wherever they sit.
- `WORKSHOP_SPEAKERS`: the `[[speaker]]` tables of a workshop record (`ファシリテーター:` and
  `参加者A:` are marks no built-in convention knows); `corpus_root` and the mixed corpus
  (`mixed_corpus.py`) both declare them in their `dxminutes.toml`.
- `corpus_root`: a corpus folder with a workshop record in a sub-folder, its catalog and its
  `dxminutes.toml`.
- `seed_turns`, `seed_tokens`: the turns and tokens of the five seed minutes, built once a session
  (`analysis_fixtures.seed_turns()`/`seed_tokens()` are the same tables for module-level use).

Every fixture writes under pytest's `tmp_path`, never into the repository, so the tests run in
parallel (pytest-xdist) with the same results as one by one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).parent
DATA_DIR = TESTS_DIR / "data"

WORKSHOP_SPEAKERS = """\
[[speaker]]
pattern = '^(?P<label>参加者[A-Z])\\s*:\\s*(?P<speech>.*)$'
role = "member"

[[speaker]]
pattern = '^(?P<label>ファシリテーター)\\s*:\\s*(?P<speech>.*)$'
role = "chair"
"""

# A workshop record: its text names no municipality and no date.
WORKSHOP = (
    "ファシリテーター: 本日のテーマは窓口のデジタル化です。\n"
    "参加者A: 予約がスマホでできると助かります。\n"
    "参加者B: 高齢の親は窓口で相談したいと言っています。\n"
    "ファシリテーター: ありがとうございました。\n"
)
WORKSHOP_FILE = "kita/2024/workshop.txt"
WORKSHOP_TOML = (
    WORKSHOP_SPEAKERS
    + """
[[metadata]]
files = "kita/*/*.txt"
body = "北区まちづくり協議会"
record_kind = "summary"
"""
)
WORKSHOP_CATALOG = (
    "file,municipality,prefecture,body,meeting_title,meeting_date,record_kind,sha256\n"
    "kita/2024/workshop.txt,北区,東京都,,第1回ワークショップ,2024-05-10,,\n"
)


@pytest.fixture
def corpus_root(tmp_path) -> Path:
    """A corpus folder: the workshop record in `kita/2024/`, `catalog.csv` and `dxminutes.toml`."""
    from dxminutes.corpus.convention import CONVENTION_FILE

    root = tmp_path / "minutes"
    (root / WORKSHOP_FILE).parent.mkdir(parents=True)
    (root / WORKSHOP_FILE).write_text(WORKSHOP, encoding="utf-8")
    (root / "catalog.csv").write_text(WORKSHOP_CATALOG, encoding="utf-8")
    (root / CONVENTION_FILE).write_text(WORKSHOP_TOML, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def seed_turns():
    from analysis_fixtures import seed_turns as turns

    return turns()


@pytest.fixture(scope="session")
def seed_tokens():
    from analysis_fixtures import seed_tokens as tokens

    return tokens()
