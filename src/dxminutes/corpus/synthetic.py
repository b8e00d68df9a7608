"""Synthetic, scaled corpora generated from the seed minutes (for benchmarks and loader tests).

`scale_corpus(corpus, factor)` keeps the seed documents as they are (factor 1) and adds
``(factor - 1) × n_seed_documents`` generated documents, each from a new municipality
(`合成市001`, `合成市002`, …). Generated document k takes the seed document ``(k - 1) mod n`` as its
template: its turns are drawn with replacement from that template's turns (so it inherits the
template's vocabulary, speakers and theme profile, and municipalities keep differing the way the
seeds do) until their characters come closest to the template's; the draw is already in random
order.
So a 10× corpus has ≈ 10 times the seed characters, and the randomness of document k depends
only on (random_state, k): the 10× corpus is a subset of the 100× one.

`write_corpus_files` renders documents as plain-text minutes in the parenthesized-speaker
convention (`(小國会長)` alone on a line, speech on the following line) plus catalog.csv, so
`corpus.load_corpus` reads them back like any other minutes.
"""

from __future__ import annotations

__all__ = ["LEGEND", "LEGEND_MARKS", "ROLE_LABELS", "SYNTHETIC_PREFIX", "planted_meetings", "render_minutes", "scale_corpus", "write_corpus_files"]  # fmt: skip

import csv
import datetime as dt
import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from dxminutes import config
from dxminutes._io import atomic_write_bytes
from dxminutes.corpus.catalog import CATALOG_COLUMNS
from dxminutes.schema import TURN_COLUMNS

SYNTHETIC_PREFIX = "合成市"
#: The role word written after the speaker in a generated speaker line `(山田委員)`.
ROLE_LABELS = {
    "chair": "会長",
    "vice_chair": "副会長",
    "member": "委員",
    "official": "事務局",
    "expert": "講師",
}
#: The parenthesized convention cannot express an unknown role, so a document whose turns are
#: only of these roles is written in the ○/● legend convention of summary records instead, where
#: a `- ` item is a turn whose mark was lost (role `unknown`): every role survives a round trip.
LEGEND = "(発言者) ○印=委員 ●印=事務局"
LEGEND_MARKS = {"member": "○", "official": "●", "unknown": "-"}
_NOT_NAME = re.compile(r"[^\w・]")


def _frames(corpus_or_frames) -> tuple[pd.DataFrame, pd.DataFrame]:
    if isinstance(corpus_or_frames, tuple):
        documents, turns = corpus_or_frames
    else:
        documents, turns = corpus_or_frames.documents, corpus_or_frames.turns
    return documents, turns


def _shift_date(value, days: int) -> str | None:
    if value is None or pd.isna(value) or not str(value):
        return None
    return (dt.date.fromisoformat(str(value)) + dt.timedelta(days=days)).isoformat()


def _rename(value, old: str, new: str):
    if value is None or pd.isna(value):
        return value
    return str(value).replace(old, new) if old else str(value)


def _speaker_line(speaker, role) -> str:
    word = ROLE_LABELS.get(role, ROLE_LABELS["member"])
    name = _NOT_NAME.sub("", "" if speaker is None or pd.isna(speaker) else str(speaker))
    if not name or name.endswith(word):
        return f"({name or word})"
    return f"({name}{word})"


def render_minutes(document: pd.Series, turns: pd.DataFrame) -> str:
    """Plain-text minutes of one document: title and date lines, then speaker line + speech.

    Each turn's speech is written on one line (its line breaks removed) so no line of speech can
    be mistaken for a speaker line.
    """
    lines = [str(document.get("meeting_title") or document.get("body") or document["municipality"])]
    if document.get("meeting_date"):
        d = dt.date.fromisoformat(str(document["meeting_date"]))
        lines.append(f"開催日時 {d.year}年{d.month}月{d.day}日")
    lines.append("※ 種の会議録から発言を再標本化した合成データ")
    roles = set(turns["role"]) if "role" in turns.columns else {"unknown"}
    legend = "unknown" in roles and roles <= set(LEGEND_MARKS)
    lines += [LEGEND] if legend else []
    lines.append("")
    for turn in turns.itertuples(index=False):
        speech = "".join(str(turn.text).split("\n")).strip()
        if legend:
            lines.append(f"{LEGEND_MARKS[turn.role]} {speech}")
        else:
            lines.append(_speaker_line(getattr(turn, "speaker", None), getattr(turn, "role", "member")))
            lines.append(speech)
    return "\n".join(lines) + "\n"


def scale_corpus(
    corpus_or_turns_and_documents, factor: int, *, random_state
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (documents, turns) of the seeds plus generated municipalities, ≈ `factor` × the seed text.

    `corpus_or_turns_and_documents` is a `Corpus` (with `.documents` and `.turns`) or a
    `(documents, turns)` tuple following docs/architecture.md. Seeds keep their rows; generated
    documents get doc_id `synthetic{k}_{template doc_id}`, municipality `合成市{k}`, the template's
    prefecture and record kind, body and title with the municipality name replaced, and a date
    shifted by a seeded number of days. A `synthetic` column tells seeds (False) from generated
    documents (True); `sha256` is that of the text `render_minutes` writes for the document.
    Deterministic for a `random_state`; the inputs are not modified.
    """
    if int(factor) != factor or factor < 1:
        raise ValueError(f"factor must be a positive integer, not {factor!r}")
    documents, turns = _seed_frames(corpus_or_turns_and_documents)
    seed_docs = [d for d in documents["doc_id"] if (turns["doc_id"] == d).any()]
    n_new = (int(factor) - 1) * len(seed_docs)
    width = max(3, len(str(n_new)))
    by_doc = _turns_by_document(turns, seed_docs)
    generated = []
    for k in range(1, n_new + 1):
        template_id = seed_docs[(k - 1) % len(seed_docs)]
        template = documents.loc[documents["doc_id"] == template_id].iloc[0]
        generated.append(_generated_document(k, template, by_doc[template_id], random_state, width))
    return _with_generated(documents, turns, generated)


def _seed_frames(corpus_or_turns_and_documents) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(documents, turns) with fresh indexes; turns get `n_chars` when they lack it."""
    documents, turns = _frames(corpus_or_turns_and_documents)
    documents = documents.reset_index(drop=True)
    turns = turns.reset_index(drop=True)
    if "n_chars" not in turns.columns:
        turns = turns.assign(n_chars=turns["text"].str.len())
    return documents, turns


def _turns_by_document(turns: pd.DataFrame, doc_ids: list) -> dict:
    """Each document's turns, in `position` order when the turns have positions."""
    return {
        d: turns[turns["doc_id"] == d].sort_values("position", kind="mergesort")
        if "position" in turns.columns
        else turns[turns["doc_id"] == d]
        for d in doc_ids
    }


def _generated_document(
    k: int, template: pd.Series, pool: pd.DataFrame, random_state, width: int
) -> tuple[dict, pd.DataFrame]:
    """Generated document `k` from its template: (catalog row, turns), random from (random_state, k)."""
    rng = np.random.default_rng([int(random_state), k])
    sampled = _draw_turns(pool, rng)
    name = f"{SYNTHETIC_PREFIX}{k:0{width}d}"
    doc_id = f"synthetic{k:0{width}d}_{template['doc_id']}"
    date = _shift_date(template.get("meeting_date"), int(rng.integers(-365, 366)))
    new_turns = _renumbered_turns(sampled, doc_id, name, date)
    return _generated_row(template, doc_id, name, date, new_turns), new_turns


def _draw_turns(pool: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Turns drawn with replacement from `pool` until their characters come closest to the pool's."""
    lengths = pool["n_chars"].to_numpy()
    budget = int(lengths.sum())
    draws = rng.integers(0, len(pool), size=max(8, 2 * len(pool)))
    while lengths[draws].sum() < budget:  # rarely needed: extend the draw until it covers the budget
        draws = np.concatenate([draws, rng.integers(0, len(pool), size=len(pool))])
    cumulative = np.cumsum(lengths[draws])
    n_take = int(np.searchsorted(cumulative, budget)) + 1  # the first draw that reaches the budget …
    if n_take > 1 and budget - cumulative[n_take - 2] < cumulative[n_take - 1] - budget:
        n_take -= 1  # … unless stopping before it lands closer to the budget
    return pool.iloc[draws[:n_take]].reset_index(drop=True)


def _renumbered_turns(sampled: pd.DataFrame, doc_id: str, name: str, date: str | None) -> pd.DataFrame:
    """The drawn turns as the generated document's: new turn ids, positions, municipality, date."""
    positions = np.arange(len(sampled))
    new_turns = sampled.assign(
        turn_id=[f"{doc_id}:{p:04d}" for p in positions],
        doc_id=doc_id,
        municipality=name,
        position=positions,
    )
    if "meeting_date" in new_turns.columns:
        new_turns = new_turns.assign(meeting_date=date)
    return new_turns


def _generated_row(
    template: pd.Series, doc_id: str, name: str, date: str | None, new_turns: pd.DataFrame
) -> dict:
    """The generated document's row: the template's, renamed, re-dated, counted and checksummed."""
    old_name = str(template["municipality"]) if pd.notna(template["municipality"]) else ""
    row = template.to_dict()
    row.update(
        doc_id=doc_id,
        file=f"{doc_id}.txt",
        format="txt",
        encoding="utf-8",
        municipality=name,
        # a generated municipality is no body of the official list: no code, no level
        **{column: None for column in ("body_code", "body_level") if column in template.index},
        body=_rename(template.get("body"), old_name, name),
        meeting_title=_rename(template.get("meeting_title"), old_name, name),
        meeting_date=date,
        n_chars=int(new_turns["n_chars"].sum()),
        n_turns=len(new_turns),
        n_non_speech=0,
    )
    for column in [c for c in row if c.endswith("_source")]:
        row[column] = "catalog"
    row["sha256"] = hashlib.sha256(render_minutes(pd.Series(row), new_turns).encode("utf-8")).hexdigest()
    return row


def _with_generated(
    documents: pd.DataFrame, turns: pd.DataFrame, generated: list[tuple[dict, pd.DataFrame]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Seeds then generated documents (flagged in `synthetic`), and all their turns."""
    if not generated:
        return documents.assign(synthetic=False), turns.copy()
    rows = pd.DataFrame([row for row, _ in generated])
    rows = rows[[*documents.columns, *[c for c in rows.columns if c not in documents.columns]]]
    out_docs = pd.concat([documents.assign(synthetic=False), rows.assign(synthetic=True)], ignore_index=True)
    return out_docs, pd.concat([turns, *[new_turns for _, new_turns in generated]], ignore_index=True)


def write_corpus_files(documents: pd.DataFrame, turns: pd.DataFrame, out_dir) -> pd.DataFrame:
    """Write each document as `{doc_id}.txt` minutes plus catalog rows in `out_dir/catalog.csv`.

    Rows of an existing catalog.csv in `out_dir` for other files are kept (so generated minutes
    can be added next to copies of real ones). Files are written atomically. Returns the
    catalog rows written for `documents` (columns of `catalog.read_catalog`).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for document in documents.itertuples(index=False):
        doc = pd.Series(document._asdict())
        doc_turns = turns[turns["doc_id"] == doc["doc_id"]]
        if "position" in doc_turns.columns:
            doc_turns = doc_turns.sort_values("position", kind="mergesort")
        data = render_minutes(doc, doc_turns).encode("utf-8")
        name = f"{doc['doc_id']}.txt"
        atomic_write_bytes(out_dir / name, data)
        rows.append(
            {
                "file": name,
                **{c: doc.get(c) for c in CATALOG_COLUMNS[1:-1]},
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    written = pd.DataFrame(rows, columns=list(CATALOG_COLUMNS))
    catalog_path = out_dir / config.CATALOG_NAME
    if catalog_path.exists():
        old = pd.read_csv(catalog_path, dtype=str, keep_default_na=False)
        old = old[~old["file"].isin(written["file"])]
        catalog = pd.concat([old, written.astype({"file": str})], ignore_index=True)
    else:
        catalog = written
    atomic_write_bytes(catalog_path, catalog.to_csv(index=False, quoting=csv.QUOTE_MINIMAL).encode("utf-8"))
    return written


# --------------------------------------------------------------------------- planted meetings


def planted_meetings(
    plan: pd.DataFrame,
    pools: dict[str, list[str]],
    *,
    turns_per_meeting: int = 40,
    sentences_per_turn: int = 3,
    speakers_per_role: int = 3,
    random_state: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate (documents, turns) of meetings whose sentence mix is planted by construction.

    `plan` has one row per meeting: `municipality`, `meeting_date` (ISO) and one column per pool
    name giving the weight with which each sentence of that meeting is drawn from the pool (the
    weights of a row are normalized; pools without a column, or a blank weight, get 0). `pools` maps a pool
    name to candidate sentences (each ending in 。). Every turn has `sentences_per_turn`
    sentences drawn independently (pool by weight, then a sentence uniformly), so with a plan
    that differs between municipalities or years the difference is known exactly. Each
    municipality has `speakers_per_role` members and officials (the same people in all its
    meetings); a turn's role is member or official with probability ½ and its speaker is drawn
    among that role's speakers. Deterministic for a `random_state`; `plan` is not modified.
    """
    missing = [c for c in ("municipality", "meeting_date") if c not in plan.columns]
    if missing:
        raise ValueError(f"plan lacks column(s) {missing}")
    names = [p for p in pools if p in plan.columns]
    if not names:
        raise ValueError(f"plan has no weight column for any pool ({sorted(pools)})")
    rng = np.random.default_rng(random_state)
    doc_rows, turn_rows = [], []
    for k, row in enumerate(plan.reset_index(drop=True).itertuples(index=False)):
        row = row._asdict()
        weights = np.nan_to_num(np.array([float(row[p]) for p in names]), nan=0.0)  # blank = 0
        if (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(f"plan row {k}: weights must be non-negative with a positive sum")
        weights = weights / weights.sum()
        muni, date = str(row["municipality"]), str(row["meeting_date"])
        doc_id = f"planted{k:03d}_{date}"
        for position in range(turns_per_meeting):
            role = "member" if rng.random() < 0.5 else "official"
            speaker = (
                f"{muni}{'委員' if role == 'member' else '職員'}{int(rng.integers(speakers_per_role)) + 1}"
            )
            picks = rng.choice(len(names), size=sentences_per_turn, p=weights)
            text = "".join(pools[names[i]][int(rng.integers(len(pools[names[i]])))] for i in picks)
            turn_rows.append(
                (
                    f"{doc_id}:{position:04d}",
                    doc_id,
                    muni,
                    date,
                    position,
                    f"({speaker})",
                    speaker,
                    role,
                    text,
                    len(text),
                )
            )
        doc_rows.append(
            {
                "doc_id": doc_id,
                "file": f"{doc_id}.txt",
                "format": "txt",
                "encoding": "utf-8",
                "municipality": muni,
                "prefecture": None,
                "body": f"{muni}行政改革推進委員会",
                "meeting_title": f"{muni}行政改革推進委員会",
                "meeting_date": date,
                "record_kind": "verbatim",
                "n_turns": turns_per_meeting,
                "synthetic": True,
            }
        )
    return pd.DataFrame(doc_rows), pd.DataFrame(turn_rows, columns=list(TURN_COLUMNS))
