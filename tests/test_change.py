"""Tests of change in a series: segmented regression against a direct statsmodels OLS with Newey–West
errors and against a noise-free series; the change-point scan against a brute-force sup-F and on
series with and without a shift."""
import numpy as np
import pandas as pd
import pytest

import analysis as A
from analysis.measures.change import newey_west_lags


def _months(values, start="2021-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"), dtype=float)


def test_noise_free_series_gives_its_coefficients_exactly():
    # 10 + 0.5 t before Dec 2022; from Dec 2022 (the first full month after 11 Nov) +3 and slope -1.5
    idx = pd.period_range("2021-01", "2023-06", freq="M")
    t = np.arange(len(idx), dtype=float)
    T = list(idx).index(pd.Period("2022-12", "M"))
    y = 10 + 0.5 * t + np.where(t >= T, 3 - 1.5 * (t - T), 0.0)
    y[list(idx).index(pd.Period("2022-11", "M"))] = 999.0  # the transition month is left out
    r = A.interrupted_time_series(pd.Series(y, index=idx), "2022-11-11")
    est = dict(zip(r.parameter, r.estimate))
    assert est["baseline level"] == pytest.approx(10)
    assert est["baseline slope"] == pytest.approx(0.5)
    assert est["level change at 2022-11-11"] == pytest.approx(3)
    assert est["slope change at 2022-11-11"] == pytest.approx(-1.5)
    assert r.attrs["first_post"] == {"2022-11-11": "2022-12"}
    assert r.attrs["excluded"] == ["2022-11 (contains 2022-11-11)"]
    assert r.attrs["n_periods"] == len(idx) - 1


def test_agrees_with_a_direct_statsmodels_hac_fit():
    import statsmodels.api as sm

    rng = np.random.default_rng(1)
    e = np.zeros(36)
    for i in range(1, 36):  # AR(1) errors
        e[i] = 0.6 * e[i - 1] + rng.normal()
    t = np.arange(36.0)
    post = (t >= 24).astype(float)
    y = 5 + 0.2 * t + 4 * post + e
    s = _months(y, "2020-01")  # 2022-01 is t = 24; the break on 2021-12-31 falls in no month... use 2021-12-31
    r = A.interrupted_time_series(s, "2021-12-31", maxlags=3)
    X = np.column_stack([np.ones(36), t, post, np.where(post == 1, t - 24, 0)])
    X = X[np.arange(36) != 23]  # December 2021 contains the break date: left out
    fit = sm.OLS(np.delete(y, 23), X).fit(cov_type="HAC", cov_kwds={"maxlags": 3})
    np.testing.assert_allclose(r.estimate, fit.params, rtol=1e-10)
    np.testing.assert_allclose(r.se, fit.bse, rtol=1e-10)
    np.testing.assert_allclose(r.p, fit.pvalues, rtol=1e-8)


def test_two_breaks_and_term_series_input():
    rows = [{"period": str(p), "term": "清零", "per_10k": 1.0 + (i >= 20) * 5 + (i >= 25) * 2}
            for i, p in enumerate(pd.period_range("2021-03", periods=30, freq="M"))]
    r = A.interrupted_time_series(pd.DataFrame(rows), ["2022-11-11", "2023-04-07"])
    assert list(r.parameter) == ["baseline level", "baseline slope", "level change at 2022-11-11",
                                 "slope change at 2022-11-11", "level change at 2023-04-07",
                                 "slope change at 2023-04-07"]
    assert len(r.attrs["excluded"]) == 2


def test_newey_west_rule():
    assert newey_west_lags(100) == 4 and newey_west_lags(36) == 3 and newey_west_lags(10) == 2


def test_bad_input():
    s = _months(np.arange(12.0))
    with pytest.raises(ValueError, match="leaves no period"):
        A.interrupted_time_series(s, "2030-01-01")
    with pytest.raises(ValueError, match="transition"):
        A.interrupted_time_series(s, "2021-06-15", transition="middle")
    two = pd.DataFrame({"period": ["2021-01", "2021-01"], "term": ["a", "b"], "per_10k": [1.0, 2.0]})
    with pytest.raises(ValueError, match="select one"):
        A.interrupted_time_series(two, "2021-01-15")


def _brute_sup_f(y, m):
    n, best = len(y), (-1, None)
    sse0 = ((y - y.mean()) ** 2).sum()
    for k in range(m, n - m + 1):
        a, b = y[:k], y[k:]
        sse1 = ((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum()
        f = (sse0 - sse1) / (sse1 / (n - 2))
        if f > best[0]:
            best = (f, k)
    return best


def test_scan_statistic_equals_brute_force_and_finds_a_clear_shift():
    rng = np.random.default_rng(5)
    y = np.r_[rng.normal(2, 0.5, 22), rng.normal(6, 0.5, 14)]
    s = _months(y, "2020-01")
    r = A.change_point_scan(s, n_boot=199)
    f, k = _brute_sup_f(y, 3)
    assert r["sup_f"] == pytest.approx(f, rel=1e-10)
    assert r["first_after"] == str(s.index[k]) == "2021-11"
    assert r["p_block"] == pytest.approx(1 / 200)  # no bootstrap replicate reaches so clear a shift
    assert r["mean_after"] > r["mean_before"]


def test_scan_on_noise_is_rarely_significant():
    """White-noise series: the block-bootstrap p is below 0.05 in about 5 % of them (at most 6 of 40)."""
    rng = np.random.default_rng(11)
    ps = [A.change_point_scan(_months(rng.normal(size=36)), n_boot=199, seed=i)["p_block"] for i in range(40)]
    assert sum(p < 0.05 for p in ps) <= 6


def test_scan_is_deterministic_and_checks_length():
    s = _months(np.sin(np.arange(20.0)))
    assert A.change_point_scan(s, n_boot=99) == A.change_point_scan(s, n_boot=99)
    with pytest.raises(ValueError, match="at least"):
        A.change_point_scan(_months([1.0, 2.0, 3.0, 4.0]), min_size=3)


def test_weekly_labels_of_term_series():
    weeks = pd.period_range("2022-09-05", periods=20, freq="W")
    y = np.where(np.arange(20) >= 10, 5.0, 1.0) + 0.1 * np.arange(20)  # week 10 starts 2022-11-14
    df = pd.DataFrame({"period": weeks.astype(str), "per_10k": y})
    assert df.period[0] == "2022-09-05/2022-09-11"
    r = A.interrupted_time_series(df, "2022-11-11", freq="W")
    assert r.attrs["first_post"] == {"2022-11-11": "2022-11-14/2022-11-20"}
    assert r.attrs["excluded"] == ["2022-11-07/2022-11-13 (contains 2022-11-11)"]
    assert dict(zip(r.parameter, r.estimate))["level change at 2022-11-11"] == pytest.approx(4.0)


def test_its_summary_by_hand():
    r = pd.DataFrame({"term": ["清零"] * 3, "parameter": ["baseline level", "level change at 2022-11-11",
                                                         "slope change at 2022-11-11"],
                      "estimate": [1.0, -2.5, 0.1], "ci_low": [0.5, -4.0, -0.2], "ci_high": [1.5, -1.0, 0.4]})
    assert A.its_summary(r) == ("* **清零**: level change at 2022-11-11 -2.50 per 10,000 tokens (95% interval -4.00 "
                                "to -1.00; an interval that excludes 0).")
