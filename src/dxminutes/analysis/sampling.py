"""A stratified random sample of sentences or turns to label by hand (issue 21, item 2).

**Units.** `units_table(turns, unit=...)` lists the units a researcher can label:

* `sentence` (default): the sentences of every turn, split in the normalized turn text exactly
  as the theme and frame coders split them (`text.sentences.sentence_spans` after
  `themes.normalize_text`), so a label lines up with the coder's decision on the same sentence.
  `unit_id` is `"{turn_id}#{sentence:03d}"`, the `sentence_id` of `themes.code_sentences`.
* `turn`: whole speaker turns; `unit_id` is the `turn_id` (`"{doc_id}:{position:04d}"`).

A `turn_id` is made from the document id (the file's stem) and the turn's position in it, so a
rebuild of the same corpus gives the same ids and a returned sheet still matches its units.
Every unit also carries `text_sha1` (SHA-1 of the unit's UTF-8 text): a sheet whose unit text no
longer matches after a change of the loader or the minutes is detected rather than silently
applied (`analysis.labels.match_units`).

**Design.** `draw_sample` draws a stratified simple random sample without replacement. Strata
are the municipalities (`by`) crossed with a *flag group* from the coder's own flags (the
dictionary's 0/1 decisions per code, `flags`): group 0 holds the units flagged with no code;
group k ≥ 1 the units whose rarest flagged code (fewest flagged units in the corpus) is the
k-th code of `flags`. Stratum names are `"{municipality}#{group}"`: they name no code, so a
coder reading the sheet stays blind to the dictionary (`strata_table` says what each group is).

Allocation of `n`: one unit to every stratum when `n` allows it; then, for each code group,
at least `min_positive` units (or all of the group when it is smaller), split among its strata
in proportion to their sizes, so that rare themes get enough positives to estimate precision
and recall; the rest in proportion to the stratum sizes (largest remainders, never more than a
stratum holds). Within stratum h, `n_h` of its `N_h` units are drawn with equal probability, so
every unit's inclusion probability is exactly `n_h / N_h` (`inclusion_prob`, `weight` = its
inverse). The sample's rows come in a random order (`order`), so a coder does not meet the
flagged strata in blocks.
"""

from __future__ import annotations

__all__ = ["DESIGN_COLUMNS", "MIN_POSITIVE", "TURN_CONTEXT", "TURN_CONTEXT_CHARS", "UNITS", "UNIT_COLUMNS", "draw_sample", "flags_from_coding", "sentence_unit_id", "strata_table", "stratify", "text_sha1", "unit_coding", "units_table"]  # fmt: skip

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dxminutes.analysis.themes import ThemeSet, code_sentences, code_turns, normalize_text
from dxminutes.analysis.validity import text_sha1  # the sheet's `text_sha1`, as the gold files'
from dxminutes.schema import require_columns
from dxminutes.text.sentences import sentence_spans

UNITS = ("sentence", "turn")
#: Turn columns carried onto every unit (when present).
TURN_CONTEXT = ("doc_id", "municipality", "meeting_date", "speaker", "role")
UNIT_COLUMNS = (
    "unit_id",
    "unit",
    "turn_id",
    *TURN_CONTEXT,
    "body",
    "sentence",
    "context_before",
    "text",
    "context_after",
    "text_sha1",
)
DESIGN_COLUMNS = ("unit_id", "stratum", "inclusion_prob", "weight", "stratum_size", "stratum_sample", "order")
#: Default floor of sampled units per code group (see the module docstring).
MIN_POSITIVE = 20
#: Characters of context shown around a turn (the neighbouring turns are cut to this length).
TURN_CONTEXT_CHARS = 300


def sentence_unit_id(turn_id: str, sentence: int) -> str:
    """The unit id of sentence `sentence` (0-based) of turn `turn_id`."""
    return f"{turn_id}#{int(sentence):03d}"


def units_table(
    turns: pd.DataFrame,
    unit: str = "sentence",
    *,
    documents: pd.DataFrame | None = None,
    context: int = 1,
) -> pd.DataFrame:
    """One row per unit (sentence or turn) with its id, text and context (columns `UNIT_COLUMNS`).

    Sentences: the `context` sentences before and after it in the same turn. Turns: the previous
    and the next turn of the same document, each cut to `TURN_CONTEXT_CHARS` characters (with
    their speakers). `body` comes from `documents` when given (joined on doc_id), else ''.
    `sentence` is -1 for turn units; empty turns are no units. The input is not changed.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {list(UNITS)}, got {unit!r}")
    require_columns(turns, ("turn_id", "text"), "turns")
    base = turns.reset_index(drop=True)
    extra = {c: base[c].astype(str).to_numpy() if c in base else np.full(len(base), "") for c in TURN_CONTEXT}
    bodies = np.full(len(base), "", dtype=object)
    if documents is not None and "body" in documents and "doc_id" in base:
        mapping = dict(zip(documents["doc_id"].astype(str), documents["body"].fillna("").astype(str)))
        bodies = base["doc_id"].astype(str).map(mapping).fillna("").to_numpy(dtype=object)
    texts = [normalize_text(t) for t in base["text"].fillna("").astype(str)]
    rows: dict[str, list] = {c: [] for c in UNIT_COLUMNS}

    def add(i: int, unit_id: str, sentence: int, before: str, text: str, after: str) -> None:
        rows["unit_id"].append(unit_id)
        rows["unit"].append(unit)
        rows["turn_id"].append(str(base.at[i, "turn_id"]))
        for c in TURN_CONTEXT:
            rows[c].append(extra[c][i])
        rows["body"].append(bodies[i])
        rows["sentence"].append(sentence)
        rows["context_before"].append(before)
        rows["text"].append(text)
        rows["context_after"].append(after)
        rows["text_sha1"].append(text_sha1(text))

    if unit == "sentence":
        for i, text in enumerate(texts):
            pieces = [text[s:e] for s, e in sentence_spans(text)]
            for k, piece in enumerate(pieces):
                before = "".join(pieces[max(0, k - context) : k])
                after = "".join(pieces[k + 1 : k + 1 + context])
                add(i, sentence_unit_id(base.at[i, "turn_id"], k), k, before, piece, after)
    else:
        doc = extra["doc_id"]
        speakers = extra["speaker"]
        for i, text in enumerate(texts):
            if not text.strip():  # an empty turn: nothing to label
                continue
            before = after = ""
            if i > 0 and doc[i - 1] == doc[i]:
                before = f"{speakers[i - 1]}: {_cut(texts[i - 1], tail=True)}"
            if i + 1 < len(texts) and doc[i + 1] == doc[i]:
                after = f"{speakers[i + 1]}: {_cut(texts[i + 1])}"
            add(i, str(base.at[i, "turn_id"]), -1, before, text, after)
    out = pd.DataFrame(rows, columns=list(UNIT_COLUMNS))
    return out.astype({c: "str" for c in UNIT_COLUMNS if c != "sentence"} | {"sentence": "int64"})


def _cut(text: str, *, tail: bool = False) -> str:
    if len(text) <= TURN_CONTEXT_CHARS:
        return text
    return "…" + text[-TURN_CONTEXT_CHARS:] if tail else text[:TURN_CONTEXT_CHARS] + "…"


def unit_coding(turns: pd.DataFrame, themes: ThemeSet, unit: str = "sentence", frames=None) -> pd.DataFrame:
    """The dictionary's decision on every unit: long table unit_id, code, coded (bool).

    Themes come from `themes.code_sentences` (sentence units) or `themes.code_turns` (turn
    units); with `frames` (an `analysis.codebook.FrameSet`, e.g. `codebook.frames`), frame codes ("theme:key") too: a
    sentence is coded with a frame when `themes.code_sentences(level="frame")` codes it, a turn when any of its
    sentences is. Units without a theme sentence are 0 on every frame.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {list(UNITS)}, got {unit!r}")
    if unit == "sentence":
        coded = code_sentences(turns, themes)
        ids = [sentence_unit_id(t, s) for t, s in zip(coded["turn_id"], coded["sentence"])]
        out = pd.DataFrame({"unit_id": ids, "code": coded["theme"].astype(str), "coded": coded["coded"]})
    else:
        coding_turns = turns.assign(
            **{c: turns.get(c, "") for c in ("doc_id", "meeting_date", "speaker", "role")}
        )
        coded = code_turns(coding_turns, themes)
        out = pd.DataFrame(
            {
                "unit_id": coded["turn_id"].astype(str),
                "code": coded["theme"].astype(str),
                "coded": coded["coded"],
            }
        )
    if frames is not None and len(frames):
        from dataclasses import replace

        # the given frames inside their themes: one codebook, coded at the frame level
        book = replace(themes, themes=tuple(replace(t, frames=frames.for_theme(t.key)) for t in themes))
        fc = code_sentences(turns, book, level="frame")
        fc = fc[fc["coded"].astype(bool)]
        if unit == "sentence":
            fc_ids = [sentence_unit_id(t, k) for t, k in zip(fc["turn_id"], fc["sentence"])]
        else:
            fc_ids = fc["turn_id"].astype(str).tolist()
        positive = set(zip(fc_ids, fc["code"].astype(str)))
        ids = pd.unique(out["unit_id"])
        frame_rows = pd.DataFrame(
            {"unit_id": np.repeat(ids, len(frames.codes)), "code": np.tile(frames.codes, len(ids))}
        )
        frame_rows["coded"] = [pair in positive for pair in zip(frame_rows["unit_id"], frame_rows["code"])]
        out = pd.concat([out, frame_rows], ignore_index=True)
    out["coded"] = out["coded"].astype(bool)
    return out.reset_index(drop=True)


def flags_from_coding(coding: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """The long `unit_coding` table as the wide 0/1 `flags` of `draw_sample` (unit_id + one
    column per code, in `codes` order or the coding's)."""
    require_columns(coding, ("unit_id", "code", "coded"), "coding")
    codes = list(codes) if codes is not None else list(pd.unique(coding["code"]))
    wide = coding.pivot_table(index="unit_id", columns="code", values="coded", aggfunc="max", sort=False)
    wide = wide.reindex(columns=codes).fillna(False).astype("int64")
    wide.columns.name = None
    return wide.reset_index()


def _largest_remainder(total: int, weights: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Integers summing to min(total, caps.sum()), in proportion to `weights`, none above its cap."""
    alloc = np.zeros(len(weights), dtype=np.int64)
    total = int(min(total, caps.sum()))
    while alloc.sum() < total:
        room = caps - alloc
        w = np.where(room > 0, np.asarray(weights, dtype=float), 0.0)
        if w.sum() <= 0:
            w = (room > 0).astype(float)
        left = total - int(alloc.sum())
        share = w / w.sum() * left
        step = np.minimum(np.floor(share).astype(np.int64), room)
        short = left - int(step.sum())
        if short > 0:
            frac = np.where(room - step > 0, share - np.floor(share), -1.0)
            for j in np.argsort(-frac, kind="mergesort")[:short]:
                if room[j] - step[j] > 0:
                    step[j] += 1
        if step.sum() == 0:  # rounding left nothing: give one to the largest weight with room
            step[int(np.argmax(np.where(room > 0, w, -1.0)))] += 1
        alloc += step
    return alloc


def _flag_groups(unit_ids: pd.Series, flags: pd.DataFrame | None) -> tuple[np.ndarray, list[str]]:
    """Group number of every unit (0 = no flag) and the codes, in the flag table's order."""
    if flags is None:
        return np.zeros(len(unit_ids), dtype=np.int64), []
    require_columns(flags, ("unit_id",), "flags")
    codes = [c for c in flags.columns if c != "unit_id"]
    wide = flags.set_index(flags["unit_id"].astype(str))[codes]
    if wide.index.has_duplicates:
        raise ValueError("flags: unit_id is not unique")
    wide = wide.reindex(unit_ids.astype(str)).fillna(0)
    values = wide.to_numpy(dtype=float) > 0
    counts = values.sum(axis=0)
    rarest_first = np.argsort(counts, kind="mergesort")  # ties: the codes' order
    group = np.zeros(len(unit_ids), dtype=np.int64)
    for j in rarest_first[::-1]:  # the rarest code is written last and wins
        group[values[:, j]] = j + 1
    return group, codes


def stratify(
    units: pd.DataFrame, *, flags: pd.DataFrame | None = None, by: str | Sequence[str] = "municipality"
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(units sorted by unit_id with `group` and `stratum`, strata indexed by name with `size`
    and `group`, the flag codes): the stratification of `draw_sample`."""
    by = [by] if isinstance(by, str) else list(by)
    require_columns(units, ("unit_id", *by), "units")
    if units.empty:
        raise ValueError("no units to sample from (the corpus has no text)")
    if units["unit_id"].duplicated().any():
        raise ValueError("units: unit_id is not unique")
    table = units.sort_values("unit_id", kind="mergesort").reset_index(drop=True)
    group, codes = _flag_groups(table["unit_id"], flags)
    key = table[by].astype(str).agg(" / ".join, axis=1) if len(by) > 1 else table[by[0]].astype(str)
    table = table.assign(group=group, stratum=key + "#" + pd.Series(group, index=table.index).astype(str))
    strata = table.groupby("stratum", sort=True).agg(size=("unit_id", "size"), group=("group", "first"))
    return table, strata, codes


def draw_sample(
    units: pd.DataFrame,
    *,
    n: int,
    by: str | Sequence[str] = "municipality",
    flags: pd.DataFrame | None = None,
    min_positive: int = MIN_POSITIVE,
    random_state: int,
) -> pd.DataFrame:
    """A stratified random sample of `n` units (see the module docstring for the design).

    `units` is a `units_table` (any table with `unit_id` and the `by` columns); `flags` a wide
    0/1 table (unit_id + one column per code, e.g. `flags_from_coding`) or None. Returns the
    sampled units' rows with `stratum`, `group`, `inclusion_prob`, `weight`, `stratum_size`,
    `stratum_sample` and `order` (0-based position in the labelling sheet), sorted by `order`.
    The same units, flags, n and random_state give the same sample. The input is not changed.
    """
    if int(n) < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    table, strata, _codes = stratify(units, flags=flags, by=by)
    sizes = strata["size"].to_numpy(dtype=np.int64)
    n = int(min(n, sizes.sum()))
    alloc = np.zeros(len(strata), dtype=np.int64)
    if n >= len(strata):  # every stratum gets a unit, so no unit has inclusion probability 0
        alloc += 1
    groups = strata["group"].to_numpy()
    floors = {g: min(int(min_positive), int(sizes[groups == g].sum())) for g in sorted(set(groups) - {0})}
    need = {g: max(0, f - int(alloc[groups == g].sum())) for g, f in floors.items()}
    room_left = n - int(alloc.sum())
    if sum(need.values()) > room_left:  # floors do not fit: scale them down alike
        scale = room_left / sum(need.values())
        need = {g: int(np.floor(v * scale)) for g, v in need.items()}
    for g, extra in need.items():
        members = groups == g
        alloc[members] += _largest_remainder(extra, sizes[members], sizes[members] - alloc[members])
    target = n * sizes / sizes.sum()
    alloc += _largest_remainder(n - int(alloc.sum()), np.maximum(target - alloc, 0) + 1e-9, sizes - alloc)
    rng = np.random.default_rng(random_state)
    picked = []
    positions = table.groupby("stratum", sort=True).indices
    for (name, row), n_h in zip(strata.iterrows(), alloc):
        members = positions[name]
        chosen = np.sort(rng.choice(len(members), size=int(n_h), replace=False)) if n_h else []
        part = table.iloc[members[chosen]].assign(
            stratum_size=int(row["size"]), stratum_sample=int(n_h), inclusion_prob=int(n_h) / int(row["size"])
        )
        picked.append(part)
    sample = pd.concat(picked, ignore_index=True)
    sample["weight"] = 1.0 / sample["inclusion_prob"]
    sample["order"] = rng.permutation(len(sample))
    sample = sample.sort_values("order", kind="mergesort").reset_index(drop=True)
    return sample.astype({"stratum_size": "int64", "stratum_sample": "int64", "group": "int64"})


def strata_table(
    units: pd.DataFrame,
    sample: pd.DataFrame,
    *,
    flags: pd.DataFrame | None = None,
    by: str | Sequence[str] = "municipality",
) -> pd.DataFrame:
    """One row per stratum of the design (strata left without a unit included): stratum, group,
    what the group means, stratum_size (N_h), stratum_sample (n_h) and inclusion_prob (n_h/N_h).
    `units`, `flags` and `by` are those the sample was drawn with."""
    _, strata, codes = stratify(units, flags=flags, by=by)
    drawn = sample.groupby("stratum").size()
    out = pd.DataFrame(
        {
            "stratum": strata.index.astype(str),
            "group": strata["group"].to_numpy(dtype=np.int64),
            "stratum_size": strata["size"].to_numpy(dtype=np.int64),
            "stratum_sample": drawn.reindex(strata.index).fillna(0).to_numpy(dtype=np.int64),
        }
    )
    out["inclusion_prob"] = out["stratum_sample"] / out["stratum_size"]
    names = ["no flag", *[f"rarest flagged code: {c}" for c in codes]]
    out["group_means"] = [names[g] for g in out["group"]]
    return out
