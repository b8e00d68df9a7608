import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import seed_tokens
from scipy.stats import chi2_contingency

from dxminutes.analysis.correspondence import (
    ca_municipality_terms,
    correspondence_analysis,
    distinctive_terms,
)


def random_table(seed=0, shape=(5, 8)):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        rng.integers(1, 40, size=shape),
        index=[f"r{i}" for i in range(shape[0])],
        columns=[f"c{j}" for j in range(shape[1])],
    )


def test_total_inertia_equals_chi2_over_n():
    table = random_table()
    full = correspondence_analysis(table, n_components=10)
    chi2 = chi2_contingency(table.to_numpy(), correction=False)[0]
    n = table.to_numpy().sum()
    assert full.inertia == pytest.approx(chi2 / n)
    # all non-trivial axes retained (min(5, 8) - 1 = 4): eigenvalues sum to the total inertia
    assert len(full.eigenvalues) == 4
    assert full.eigenvalues.sum() == pytest.approx(chi2 / n)
    assert full.explained.sum() == pytest.approx(1.0)

    two = correspondence_analysis(table, n_components=2)
    assert two.explained.sum() <= 1.0 + 1e-12
    assert np.all(np.diff(two.explained) <= 0)
    assert two.inertia == pytest.approx(full.inertia)


def test_principal_coordinates_reconstruct_the_table():
    """Reconstitution formula: p_ij = r_i c_j (1 + Σ_k f_ik g_jk / σ_k) with all axes."""
    table = random_table(seed=3, shape=(4, 6))
    res = correspondence_analysis(table, n_components=10)
    dims = [c for c in res.row_coords.columns if c.startswith("dim")]
    f, g = res.row_coords[dims].to_numpy(), res.col_coords[dims].to_numpy()
    r, c = res.row_coords["mass"].to_numpy(), res.col_coords["mass"].to_numpy()
    p = np.outer(r, c) * (1 + (f / np.sqrt(res.eigenvalues)) @ g.T)
    assert p * table.to_numpy().sum() == pytest.approx(table.to_numpy().astype(float))
    # each axis: mass-weighted squared coordinates sum to its eigenvalue, contributions to 1
    assert (r[:, None] * f**2).sum(axis=0) == pytest.approx(res.eigenvalues)
    assert res.row_coords["ctr1"].sum() == pytest.approx(1.0)
    assert res.col_coords["contribution"].sum() == pytest.approx(1.0)


def test_planted_two_clusters_separate_on_dim1():
    rng = np.random.default_rng(1)
    a = rng.poisson([30, 30, 30, 1, 1, 1], size=(3, 6))
    b = rng.poisson([1, 1, 1, 30, 30, 30], size=(3, 6))
    table = pd.DataFrame(
        np.vstack([a, b]) + 1,
        index=["a1", "a2", "a3", "b1", "b2", "b3"],
        columns=["t1", "t2", "t3", "u1", "u2", "u3"],
    )
    res = correspondence_analysis(table)
    dim1 = res.row_coords.set_index("label")["dim1"]
    assert np.sign(dim1[["a1", "a2", "a3"]]).nunique() == 1
    assert np.sign(dim1[["b1", "b2", "b3"]]).nunique() == 1
    assert np.sign(dim1["a1"]) != np.sign(dim1["b1"])
    cols = res.col_coords.set_index("label")["dim1"]
    assert np.sign(cols["t1"]) == np.sign(dim1["a1"])
    assert res.explained[0] > 0.9


def test_sign_convention_is_deterministic():
    table = random_table(seed=5)
    res = correspondence_analysis(table)
    for dim in ("dim1", "dim2"):
        coords = res.row_coords[dim].to_numpy()
        assert coords[np.argmax(np.abs(coords))] > 0
    # a permutation of rows and columns gives the same coordinates per label
    perm = correspondence_analysis(table.iloc[::-1, ::-1])
    left = res.row_coords.set_index("label").sort_index()
    right = perm.row_coords.set_index("label").sort_index()
    pd.testing.assert_frame_equal(left, right, check_exact=False, atol=1e-10)
    again = correspondence_analysis(table)
    pd.testing.assert_frame_equal(res.row_coords, again.row_coords)
    pd.testing.assert_frame_equal(res.col_coords, again.col_coords)


def test_empty_rows_and_columns_dropped_and_bad_input():
    table = random_table(seed=2, shape=(3, 4))
    table["empty"] = 0
    table.loc["nothing"] = 0
    res = correspondence_analysis(table)
    assert "empty" not in set(res.col_coords["label"])
    assert "nothing" not in set(res.row_coords["label"])
    with pytest.raises(ValueError):
        correspondence_analysis(pd.DataFrame([[1, 2, 3]], index=["only"]))
    with pytest.raises(ValueError):
        correspondence_analysis(pd.DataFrame([[1, -2], [3, 4]]))


def tokens_from_counts(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = []
    for muni, terms in counts.items():
        i = 0
        for term, n in terms.items():
            for _ in range(n):
                rows.append(
                    {
                        "turn_id": f"{muni}:0000",
                        "doc_id": muni,
                        "municipality": muni,
                        "role": "member",
                        "i": i,
                        "surface": term,
                        "base": term,
                        "pos": "名詞",
                        "term": term,
                    }
                )
                i += 1
    return pd.DataFrame(rows)


def test_distinctive_terms_and_municipality_ca():
    counts = {
        "A市": {"窓口": 30, "高齢者": 25, "共通": 20, "まれ": 2, "やや": 12},
        "B町": {"セキュリティ": 30, "LGWAN": 25, "共通": 20, "まれ": 2, "やや": 8},
        "C村": {"窓口": 10, "セキュリティ": 10, "共通": 20, "やや": 10},
    }
    tokens = tokens_from_counts(counts)
    table = distinctive_terms(tokens, n_terms=4, min_count=5)
    # 共通 is spread evenly (no χ² contribution); まれ is below min_count
    assert "共通" not in table.columns and "まれ" not in table.columns
    assert set(table.columns) == {"窓口", "高齢者", "セキュリティ", "LGWAN"}
    assert list(table.index) == ["A市", "B町", "C村"]
    obs = pd.crosstab(tokens["municipality"], tokens["term"])
    expected = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / obs.to_numpy().sum()
    contrib = ((obs - expected) ** 2 / expected).sum(axis=0)
    assert contrib[list(table.columns)].is_monotonic_decreasing

    res = ca_municipality_terms(tokens, n_terms=4, min_count=5)
    assert list(res.row_coords.columns[:2]) == ["municipality", "label"]
    assert (res.row_coords["municipality"] == res.row_coords["label"]).all()
    dim1 = res.row_coords.set_index("municipality")["dim1"]
    assert np.sign(dim1["A市"]) != np.sign(dim1["B町"])


@pytest.mark.slow
def test_seed_minutes_municipality_ca():
    tokens = seed_tokens()
    res = ca_municipality_terms(tokens, n_terms=60)
    assert sorted(res.row_coords["municipality"]) == sorted(tokens["municipality"].unique())
    assert res.table.shape[1] <= 60
    chi2 = chi2_contingency(res.table.to_numpy(), correction=False)[0]
    assert res.inertia == pytest.approx(chi2 / res.table.to_numpy().sum())
    assert np.all(np.diff(res.explained) <= 0) and res.explained.sum() <= 1 + 1e-12
    # the chosen terms are the most χ²-distinctive among those with at least 5 occurrences
    counts = tokens["term"].value_counts()
    assert (counts[list(res.table.columns)] >= 5).all()
