"""The chunked permutation code of theme_stats gives exactly what the one-shot code gave.

`_hypergeom_chi2` and `_speaker_permutation` draw their permutations in chunks of at most
`MAX_DRAW_CELLS` cells and sum groups with `np.bincount`; `_speaker_units` and
`_max_speaker_share` are vectorized. The implementations they replaced are kept below as
private references (they hold n_perm × speakers × groups arrays: fine on these corpora, 6 GB
at 500 municipalities). The public functions are run once with the references patched in and
once as they are (also with chunks of a few permutations only): the tables must be equal to
the last bit, so the report's p-values do not move.
"""

from __future__ import annotations

import functools
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from dxminutes import config
from dxminutes.analysis import theme_stats, themes
from dxminutes.corpus.build import load_corpus
from dxminutes.corpus.synthetic import scale_corpus


# --------------------------------------------------------------------------- references
def _ref_hypergeom_chi2(yes, turns, n_perm, rng):
    draws = rng.multivariate_hypergeometric(turns.astype(np.int64), int(yes.sum()), size=n_perm)
    tables = np.stack([draws, turns[None, :] - draws], axis=-1)
    return theme_stats._chi2_stat(tables)


def _ref_speaker_units(coded, cols, cluster):
    turn = coded.drop_duplicates("turn_id")
    key = turn[cols].astype(str).agg("|".join, axis=1) + "|" + turn[cluster].fillna("?").astype(str)
    return pd.Series(key.to_numpy(), index=turn["turn_id"].to_numpy())


def _ref_max_speaker_share(ucode, group):
    per_group_max = pd.Series(ucode).groupby(group).agg(lambda s: s.value_counts(normalize=True).iloc[0])
    return float(per_group_max.max())


def _ref_speaker_permutation(y, group, unit, n_perm, rng):
    units, ucode = np.unique(unit, return_inverse=True)
    yes = np.bincount(ucode, weights=y, minlength=len(units))
    size = np.bincount(ucode, minlength=len(units)).astype(float)
    ugroup = np.zeros(len(units), dtype=np.int64)
    ugroup[ucode] = group
    n_groups = int(group.max()) + 1

    def stat(labels):
        onehot = labels[..., None] == np.arange(n_groups)
        a = (onehot * yes[:, None]).sum(axis=-2)
        n = (onehot * size[:, None]).sum(axis=-2)
        return theme_stats._chi2_stat(np.stack([a, n - a], axis=-1))

    observed = float(stat(ugroup))
    perms = np.argsort(rng.random((n_perm, len(units))), axis=1)
    null = stat(ugroup[perms])
    return observed, theme_stats._perm_p(observed, null), len(units)


REFERENCES = {
    "_hypergeom_chi2": _ref_hypergeom_chi2,
    "_speaker_units": _ref_speaker_units,
    "_max_speaker_share": _ref_max_speaker_share,
    "_speaker_permutation": _ref_speaker_permutation,
}


# --------------------------------------------------------------------------- corpora
@functools.cache
def _corpus(scale: int):
    seeds = load_corpus(config.RAW_DIR)
    documents, turns = seeds.documents, seeds.turns
    if scale > 1:
        documents, turns = scale_corpus((documents, turns), scale, random_state=config.RANDOM_SEED)
    return themes.code_turns(turns, themes.load_themes()), turns


def _tables(coded, turns):
    seed = config.RANDOM_SEED
    return {
        "by_group": theme_stats.theme_by_group_tests(coded, n_perm=999, random_state=seed),
        "by_role": theme_stats.theme_by_group_tests(
            coded, by=("municipality", "role_group"), n_perm=199, random_state=seed
        ),
        "by_group_default": theme_stats.theme_by_group_tests(coded, random_state=seed),
        "clustered": theme_stats.clustered_theme_tests(coded, turns, n_perm=499, random_state=seed),
        "clustered_default": theme_stats.clustered_theme_tests(coded, turns, random_state=seed),
        "clustered_no_lengths": theme_stats.clustered_theme_tests(coded, n_perm=199, random_state=7),
    }


def _assert_identical(got: dict, want: dict) -> None:
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_exact=True, obj=name)
        assert got[name].to_csv(float_format="%.17g") == want[name].to_csv(float_format="%.17g"), name


@functools.cache
def _reference_tables(scale: int) -> dict:
    with mock.patch.multiple(theme_stats, **REFERENCES):
        return _tables(*_corpus(scale))


@pytest.mark.parametrize("scale", [1, 3])
@pytest.mark.parametrize("max_cells", [None, 40])
@pytest.mark.slow
def test_chunked_permutations_reproduce_the_one_shot_tables(monkeypatch, scale, max_cells):
    want = _reference_tables(scale)
    if max_cells is not None:  # a few permutations per chunk: many chunks per call
        monkeypatch.setattr(theme_stats, "MAX_DRAW_CELLS", max_cells)
    _assert_identical(_tables(*_corpus(scale)), want)


@pytest.mark.parametrize("n_perm", [0, 1, 7, 250])
def test_speaker_permutation_matches_the_reference_on_random_data(monkeypatch, n_perm):
    rng = np.random.default_rng(3)
    group = rng.integers(0, 6, size=300)
    unit = np.array([f"{g}|s{rng.integers(0, 9)}" for g in group])
    y = (rng.random(300) < 0.3).astype(float)
    want = _ref_speaker_permutation(y, group, unit, n_perm, np.random.default_rng(11))
    monkeypatch.setattr(theme_stats, "MAX_DRAW_CELLS", 100)
    assert theme_stats._speaker_permutation(y, group, unit, n_perm, np.random.default_rng(11)) == want
