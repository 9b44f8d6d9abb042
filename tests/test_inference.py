"""Unit-level statistics against hand-computed values and scipy.stats."""
import numpy as np
import pytest
from scipy import stats

from analysis.measures import inference as I


def test_dp_matches_gries_2008_worked_example():
    # Gries (2008): parts of 9, 10, 10, 10, 11 words; the word occurs 1, 2, 3, 4, 5 times
    assert I.dp([1, 2, 3, 4, 5], [9, 10, 10, 10, 11])[0] == pytest.approx(0.18)


def test_dp_by_hand_and_limits():
    # three equal parts, 2/3 of the occurrences in one, 1/3 in another: (1/3 + 0 + 1/3) / 2
    assert I.dp([[2], [1], [0]], [10, 10, 10])[0] == pytest.approx(1 / 3)
    # proportional to size: 0
    assert I.dp([[1], [2], [3]], [10, 20, 30])[0] == pytest.approx(0.0)
    # all in the smallest part: 1 - its share
    assert I.dp([[4], [0]], [10, 30])[0] == pytest.approx(0.75)
    assert I.dp_norm([[4], [0]], [10, 30])[0] == pytest.approx(0.75 / 0.75)
    # a term that never occurs: NaN; one unit: 0
    assert np.isnan(I.dp([[0], [0]], [5, 5])[0])
    assert I.dp([[3]], [5])[0] == 0


def test_dp_errors_name_the_problem():
    with pytest.raises(ValueError, match="positive size"):
        I.dp([[1], [0]], [3, 0])
    with pytest.raises(ValueError, match="2 units"):
        I.dp([[1], [0]], [3])


RNG = np.random.default_rng(1)
SMALL = [(RNG.poisson(3, (3, 4)).astype(float), RNG.poisson(5, (4, 4)).astype(float)),
         (np.array([[1.0, 0], [2, 0], [2, 5]]), np.array([[0.0, 1], [0, 1], [4, 1]]))]


@pytest.mark.parametrize("x, y", SMALL)
def test_permutation_test_matches_scipy_exact(x, y):
    stat, p, exact = I.permutation_test_rates(x, y)
    assert exact
    for j in range(x.shape[1]):
        ref = stats.permutation_test((x[:, j], y[:, j]), lambda a, b, axis: a.mean(axis) - b.mean(axis),
                                     permutation_type="independent", vectorized=True,
                                     n_resamples=np.inf, alternative="two-sided")
        assert stat[j] == pytest.approx(ref.statistic)
        assert p[j] == pytest.approx(ref.pvalue)


def test_permutation_test_randomised_is_seeded_and_close_to_exact():
    x, y = RNG.poisson(3, (8, 3)).astype(float), RNG.poisson(4, (9, 3)).astype(float)
    _, p_exact, e1 = I.permutation_test_rates(x, y, n_perm=10 ** 6)
    _, p1, e2 = I.permutation_test_rates(x, y, n_perm=5000, seed=3)
    _, p2, _ = I.permutation_test_rates(x, y, n_perm=5000, seed=3)
    assert e1 and not e2
    assert np.array_equal(p1, p2)
    assert np.allclose(p1, p_exact, atol=0.05)  # ~3.5 MC standard errors


@pytest.mark.parametrize("x, y", SMALL[:1] + [(np.array([[1.0], [4], [9]]), np.array([[2.0], [3], [5], [7]]))])
def test_mann_whitney_matches_scipy(x, y):
    u, p, exact = I.mann_whitney_rates(x, y)
    for j in range(x.shape[1]):
        ties = len(np.unique(np.r_[x[:, j], y[:, j]])) < len(x) + len(y)
        ref = stats.mannwhitneyu(x[:, j], y[:, j], alternative="two-sided",
                                 method="asymptotic" if ties else "exact")
        assert u[j] == pytest.approx(ref.statistic)
        if not ties:  # scipy's exact distribution assumes no ties; ours is exact either way
            assert p[j] == pytest.approx(ref.pvalue)


def test_unit_tests_refuse_a_single_unit():
    with pytest.raises(ValueError, match="one unit"):
        I.permutation_test_rates([[1.0, 2.0]], [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="at least 2 units"):
        I.mann_whitney_rates([[1.0], [2.0]], [[1.0]])


def test_unit_rates_by_hand():
    assert np.allclose(I.unit_rates([[1, 2], [0, 5]], [10, 100]), [[1000, 2000], [0, 500]])


def test_bootstrap_units_keeps_whole_units():
    counts = np.array([[2, 1], [0, 3], [5, 0]])
    reps = I.bootstrap_units(counts, [np.array([0, 1]), np.array([2])], 50, np.random.default_rng(0))
    a, b = reps
    assert a.shape == (50, 3) and b.shape == (50, 3)
    # a single unit resampled is always itself: no variation can appear
    assert (b == [5, 0, 5]).all()
    # each replicate of the first group is a sum of two whole units
    possible = {(4, 2, 6), (2, 4, 6), (0, 6, 6)}
    assert {tuple(r) for r in a.astype(int)} <= possible


def test_percentile_mc_error_and_decimals():
    r = np.random.default_rng(0).normal(size=(4000, 1))
    se = I.percentile_mc_error(r, 97.5)[0]
    # the sd of the 97.5th percentile of 4000 normals is about 0.05 (asymptotic formula)
    q = stats.norm.ppf(0.975)
    asym = np.sqrt(0.975 * 0.025 / 4000) / stats.norm.pdf(q)
    assert 0.3 * asym < se < 3 * asym
    assert I.mc_decimals(0.004) == 2 and I.mc_decimals(0.03) == 1 and I.mc_decimals(0.2) == 0
    assert I.mc_decimals(0.0) == 3
    with pytest.raises(ValueError, match="replicates"):
        I.percentile_mc_error(r[:5], 50)


def test_tie_ranks_show_ties():
    assert I.tie_ranks([0.5, 0.3, 0.3, 0.3, 0.1]).tolist() == [1, 2, 2, 2, 5]
    assert I.format_rank([1, 2, 2, 4]) == ["1", "2=", "2=", "4"]
    assert I.midranks(np.array([3.0, 1, 3, 2]))[:, 0].tolist() == [3.5, 1, 3.5, 2]


def test_unit_comparison_matches_the_array_tests_and_says_when_it_cannot():
    import pandas as pd

    rates = pd.DataFrame({"t1": [1.0, 2, 6, 7, 3], "t2": [0.0, 1, 1, 5, 2]})
    groups = ["a", "a", "b", "b", "b"]
    out = I.unit_comparison(rates, groups, "a", "b")
    x, y = rates.to_numpy()[:2], rates.to_numpy()[2:]
    assert out.p_perm.tolist() == pytest.approx(I.permutation_test_rates(x, y)[1].tolist())
    assert out.loc["t1", "mean_a"] == 1.5 and out.loc["t1", "n_units_b"] == 3
    one = I.unit_comparison(rates, ["a", "b", "b", "b", "b"], "a", "b")
    assert one.p_perm.isna().all() and "no between-unit inference" in one.attrs["message"]


# -- meetings as the sampling unit, multiple testing, attainability ---------------
def test_sampling_units_fall_back_from_meeting_to_document_to_unit():
    import pandas as pd

    t = pd.DataFrame({"unit_id": ["a", "b", "c"], "doc_id": ["d1", "d1", "d2"], "meeting_id": ["m1", "", None]})
    labels, source = I.sampling_units(t)
    assert labels.tolist() == ["m1", "d1", "d2"] and source == "meeting_id"
    labels, source = I.sampling_units(t.drop(columns="meeting_id"))
    assert labels.tolist() == ["d1", "d1", "d2"] and source == "doc_id"
    assert I.sampling_units(t[["unit_id"]])[0].tolist() == ["a", "b", "c"]
    assert I.sampling_units(pd.DataFrame(index=range(2)))[0].tolist() == ["row-0", "row-1"]


def test_aggregate_rows_sums_the_parts_of_a_meeting_by_hand():
    counts = np.array([[1, 0], [2, 3], [0, 4], [5, 5]])
    summed, sizes, groups = I.aggregate_rows(counts, [10, 20, 30, 40], ["m2", "m1", "m2", "m3"])
    assert groups.tolist() == ["m2", "m1", "m3"]
    assert summed.toarray().tolist() == [[1, 4], [2, 3], [5, 5]]
    assert sizes.tolist() == [40, 20, 40]


def test_bh_qvalues_against_scipy_and_nan_left_out():
    rng = np.random.default_rng(0)
    p = rng.uniform(size=40) ** 3
    assert I.bh_qvalues(p) == pytest.approx(stats.false_discovery_control(p, method="bh"))
    with_nan = np.r_[p[:5], np.nan, p[5:10]]
    q = I.bh_qvalues(with_nan)
    assert np.isnan(q[5])
    assert np.r_[q[:5], q[6:]] == pytest.approx(stats.false_discovery_control(p[:10], method="bh"))
    # by hand: p = .01, .04, .03 -> sorted .01 .03 .04 -> .03, .045, .04 -> monotone .03 .04 .04
    assert I.bh_qvalues([0.01, 0.04, 0.03]).tolist() == pytest.approx([0.03, 0.04, 0.04])
    assert np.isnan(I.bh_qvalues([np.nan])).all()


def test_min_attainable_p_by_hand_and_reached_by_the_test():
    assert I.min_attainable_p(16, 2) == pytest.approx(2 / 153)  # C(18, 2) = 153
    assert I.min_attainable_p(2, 3) == pytest.approx(2 / 10)
    assert I.min_attainable_p(2, 2) == pytest.approx(2 / 6)
    assert I.min_attainable_p(40, 40, n_perm=999) == pytest.approx(2 / 1000)  # randomised
    assert np.isnan(I.min_attainable_p(1, 5))
    # the most extreme split (every x above every y) reaches it exactly, with both tests
    x, y = np.array([[9.0], [8.0]]), np.array([[1.0], [2.0], [3.0]])
    assert I.permutation_test_rates(x, y)[1][0] == pytest.approx(I.min_attainable_p(2, 3))
    assert I.mann_whitney_rates(x, y)[1][0] == pytest.approx(I.min_attainable_p(2, 3))


def test_attainability_statement_compares_the_smallest_p_with_the_thresholds():
    a = I.attainability(16, 2, 281, alpha=0.05, n_perm=9999)
    assert a["min_p"] == pytest.approx(2 / 153) and a["bonferroni_p"] == pytest.approx(0.05 / 281)
    assert not a["bonferroni_attainable"] and a["bh_attainable"]
    assert "2/C(18, 16) = 2/153 = 0.013" in a["statement"]
    assert "no term can be significant at the meeting level after Bonferroni correction" in a["statement"]
    b = I.attainability(2, 2, 10, alpha=0.05)
    assert not b["bh_attainable"] and "no discovery is possible either" in b["statement"]
    c = I.attainability(10, 10, 5, alpha=0.05, n_perm=9999, n_family=2)
    assert c["bonferroni_attainable"] and c["family_attainable"] and "a term can pass it" in c["statement"]
    one = I.attainability(1, 14, 281)
    assert np.isnan(one["min_p"]) and "no between-meeting inference is possible" in one["statement"]


def test_unit_comparison_names_its_unit():
    import pandas as pd

    rates = pd.DataFrame({"t1": [1.0, 2, 6, 7]})
    out = I.unit_comparison(rates, ["a", "a", "b", "b"], "a", "b", unit="meeting")
    assert out.loc["t1", "n_meetings_a"] == 2 and "2 vs 2 meetings" in out.attrs["message"]
