"""Talk and action: policy aggregations and joins, unit keyness scores, meeting-level
correlation, lagged cross-correlation with block-bootstrap intervals, prose."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import sparse, stats

from analysis.measures import talk_action as ta


def policy_table() -> pd.DataFrame:
    """河南: day k of Jan 2022 has value k (1…31), with 2022-01-10 missing; 重庆: 50 on every day;
    the country (全国): 80 on every day."""
    days = pd.date_range("2022-01-01", "2022-01-31")
    henan = np.arange(1, 32, dtype=float)
    henan[9] = np.nan
    parts = [pd.DataFrame({"province": "河南", "level": "provincial", "date": days, "stringency": henan}),
             pd.DataFrame({"province": "重庆", "level": "provincial", "date": days, "stringency": 50.0}),
             pd.DataFrame({"province": "全国", "level": "national", "date": days, "stringency": 80.0})]
    return pd.concat(parts, ignore_index=True)


# ----------------------------------------------------------------------------- aggregations

def test_policy_by_period_months_and_ranges():
    pol = policy_table()
    m = ta.policy_by_period(pol, "M").set_index("province")
    henan = [v for v in range(1, 32) if v != 10]
    assert m.loc["河南", "mean"] == pytest.approx(sum(henan) / 30)  # the missing day is left out, not 0
    assert (m.loc["河南", "n_days"], m.loc["河南", "n_values"]) == (31, 30)
    r = ta.policy_by_period(pol, {"early": ("2022-01-01", "2022-01-03"), "late": ("2022-01-29", "2022-01-31")})
    r = r.set_index(["province", "period"])["mean"]
    assert r[("河南", "early")] == 2.0 and r[("河南", "late")] == 30.0 and r[("重庆", "late")] == 50.0
    with pytest.raises(ValueError, match="'x'.*no day in the policy table"):
        ta.policy_by_period(pol, {"x": ("2023-01-01", "2023-01-31")})
    with pytest.raises(ValueError, match="end 2022-01-01 is before start"):
        ta.policy_by_period(pol, {"x": ("2022-01-05", "2022-01-01")})
    with pytest.raises(ValueError, match="unknown index 'strictness'"):
        ta.policy_by_period(pol, "M", index="strictness")


def test_policy_before_hand_computed():
    pol = policy_table()
    got = ta.policy_before(pol, "河南", "2022-01-15", days=14)
    # days 1..14, day 10 missing: mean of 1..9, 11..14
    assert got == {"on_date": 15.0, "mean_before": pytest.approx((45 + 11 + 12 + 13 + 14) / 13), "n_before": 13}
    first = ta.policy_before(pol, "河南", "2022-01-01", days=14)
    assert first["on_date"] == 1.0 and math.isnan(first["mean_before"]) and first["n_before"] == 0
    assert math.isnan(ta.policy_before(pol, "河南", "2022-01-11", days=1)["mean_before"])  # day 10 missing
    with pytest.raises(ValueError, match="'香港' is not in the policy table"):
        ta.policy_before(pol, "香港", "2022-01-15")


def test_with_policy_joins_every_unit_and_lists_the_unknown():
    pol = policy_table()
    corpus = pd.DataFrame({
        "unit_id": ["henan", "cq", "nat", "media", "hk", "late", "nodate"],
        "province": ["河南", "重庆", "", "", "香港", "河南", "河南"],
        "level": ["provincial", "provincial", "national", "media", "provincial", "provincial", "provincial"],
        "date": ["2022-01-15", "2022-01-03", "2022-01-20", "2022-01-20", "2022-01-20", "2022-03-01", ""],
    })
    out = ta.with_policy(corpus, pol, days=14)
    assert list(out.unit_id) == list(corpus.unit_id)  # nothing dropped
    on, mean = ta.policy_columns("stringency", 14)
    assert (on, mean) == ("stringency_on_date", "stringency_mean_14d_before")
    row = out.set_index("unit_id")
    assert row.loc["henan", on] == 15.0 and row.loc["henan", mean] == pytest.approx((45 + 50) / 13)
    assert row.loc["cq", on] == 50.0 and row.loc["cq", mean] == 50.0  # two days before: both 50
    assert row.loc["nat", on] == 80.0 and row.loc["nat", "policy_jurisdiction"] == "全国"
    for uid in ("media", "hk", "late", "nodate"):
        assert math.isnan(row.loc[uid, on]) and math.isnan(row.loc[uid, mean])
    un = out.attrs["policy_unmatched"].set_index("unit_id")["reason"]
    assert set(un.index) == {"media", "hk", "late", "nodate"}
    assert un["media"] == "no province" and "香港 not in the policy table" in un["hk"]
    assert "outside the index's coverage" in un["late"] and un["nodate"] == "no date"
    no_nat = ta.with_policy(corpus, pol, national=False)
    assert math.isnan(no_nat.set_index("unit_id").loc["nat", on])
    assert "corpus" not in out.columns and len(corpus.columns) == 4  # the input is not modified


# ----------------------------------------------------------------------------- unit keyness scores

def dtm(counts, periods):
    from analysis.text.matrix import DocumentTermMatrix

    docvars = pd.DataFrame({"unit_id": [f"u{i}" for i in range(len(periods))], "period": periods})
    return DocumentTermMatrix(sparse.csr_matrix(np.asarray(counts, dtype="int64")), ("甲", "乙", "丙"), docvars)


def monroe_z(a, b):
    """Monroe, Colaresi & Quinn (2008) eq. 22 with prior = pooled counts, written out."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    prior = a + b
    a0, n1, n2 = prior.sum(), a.sum(), b.sum()
    d = np.log((a + prior) / (n1 + a0 - a - prior)) - np.log((b + prior) / (n2 + a0 - b - prior))
    return d / np.sqrt(1 / (a + prior) + 1 / (b + prior))


def test_unit_keyness_scores_leave_one_out_by_hand():
    counts = [[3, 1, 0], [2, 0, 1], [0, 2, 2], [1, 3, 1]]
    m = dtm(counts, ["B", "B", "A", "A"])
    got = ta.unit_keyness_scores(m, "period", "B", "A").set_index("unit_id")
    c = np.asarray(counts, float)
    # unit u0 left out: target = u1, reference = u2 + u3
    z = monroe_z(c[1], c[2] + c[3])
    assert got.loc["u0", "keyness_score"] == pytest.approx((c[0] * z).sum() / c[0].sum())
    z = monroe_z(c[0] + c[1], c[3])  # u2 left out
    assert got.loc["u2", "keyness_score"] == pytest.approx((c[2] * z).sum() / c[2].sum())
    assert list(got.side) == ["target", "target", "reference", "reference"]
    full = ta.unit_keyness_scores(m, "period", "B", "A", leave_one_out=False).set_index("unit_id")
    z = monroe_z(c[0] + c[1], c[2] + c[3])
    assert full.loc["u3", "keyness_score"] == pytest.approx((c[3] * z).sum() / c[3].sum())
    # leaving a unit out removes its pull towards its own side
    assert full.loc["u0", "keyness_score"] > got.loc["u0", "keyness_score"]


def test_unit_keyness_single_unit_side_is_nan():
    m = dtm([[3, 1, 0], [0, 2, 2], [1, 3, 1]], ["B", "A", "A"])
    got = ta.unit_keyness_scores(m, "period", "B", "A").set_index("unit_id")
    assert math.isnan(got.loc["u0", "keyness_score"])  # its side is empty without it
    assert not math.isnan(got.loc["u1", "keyness_score"])
    with pytest.raises(ValueError, match="no unit with 'C'"):
        ta.unit_keyness_scores(m, "period", "C", "A")


# ----------------------------------------------------------------------------- meetings

def test_meeting_key_and_table():
    units = pd.DataFrame({
        "unit_id": ["h-lou", "h-wang", "zz", "cq", "h-other-outlet"],
        "province": ["河南", "河南", "河南", "重庆", "河南"], "city": ["", "", "郑州", "", ""],
        "date": ["2022-11-17", "2022-11-17", "2022-11-17", "2022-11-11", "2022-11-17"],
        "level": ["provincial", "provincial", "municipal", "provincial", "provincial"],
        "period": "2022-11", "excerpt": [False, False, False, True, True],
        "n_tokens": [100, 300, 50, 40, 60], "theme": [1, 5, 0, 2, 0],
        "score": [1.0, 3.0, 0.5, -1.0, np.nan], "stringency_on_date": [70.0, 70.0, 70.0, 84.0, 70.0]})
    key = ta.meeting_key(units)
    assert key[0] == key[1] == key[4] and key[0] != key[2] != key[3]
    t = ta.meeting_table(units, "theme", "score", value_cols=["stringency_on_date"]).set_index("meeting")
    h = t.loc[key[0]]
    assert h.n_units == 3 and h.n_tokens == 460 and h.theme == 6 and h.excerpt
    assert h.per_10k == pytest.approx(6 / 460 * 1e4)
    assert h.score == pytest.approx((100 * 1.0 + 300 * 3.0) / 400)  # the unit without a score is left out
    assert t.loc[key[3], "stringency_on_date"] == 84.0 and len(t) == 3
    with_ids = units.assign(meeting_id=["m1", "m1", "m2", "m3", "m4"])
    assert list(ta.meeting_key(with_ids)) == ["m1", "m1", "m2", "m3", "m4"]


def test_detectable_correlation_hand_computed():
    # n = 20: tanh((1.959964 + 0.841621) / sqrt(17)) = tanh(0.679486)
    assert ta.detectable_correlation(20) == pytest.approx(math.tanh((1.959964 + 0.841621) / math.sqrt(17)), abs=1e-6)
    assert ta.detectable_correlation(20) == pytest.approx(0.5912, abs=1e-4)
    assert ta.detectable_correlation(100) < ta.detectable_correlation(20)
    assert math.isnan(ta.detectable_correlation(3))


def test_meeting_correlation_against_scipy_and_exact_permutation():
    x = [1.0, 2.0, 3.0, 4.0]
    got = ta.meeting_correlation(x, [10.0, 20.0, 30.0, 40.0])
    assert got["rho"] == 1.0 and got["n"] == 4
    assert got["p"] == pytest.approx(2 / 24)  # exact: 2 of the 4! pairings have |rho| = 1
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=15), rng.normal(size=15)
    b[3] = np.nan
    got = ta.meeting_correlation(a, b, n_resamples=2000)
    ok = ~np.isnan(b)
    assert got["n"] == 14 and got["rho"] == pytest.approx(stats.spearmanr(a[ok], b[ok]).statistic)
    assert 0 < got["p"] <= 1
    assert math.isnan(ta.meeting_correlation([1, 2, 3], [5, 5, 5])["rho"])
    assert math.isnan(ta.meeting_correlation([1, 2], [1, 2])["rho"])


@pytest.mark.parametrize("seed", range(4))
def test_meeting_correlation_p_equals_scipy_spearman_per_resample(seed):
    """The vectorised p (Pearson of ranks over all resamples at once) is the p of
    scipy's permutation_test calling spearmanr on each resample, exactly, with ties."""
    rng = np.random.default_rng(seed)
    x, y = rng.integers(0, 5, 16).astype(float), rng.normal(size=16)  # ties in x
    ref = stats.permutation_test((x, y), lambda a, b: stats.spearmanr(a, b).statistic, vectorized=False,
                                 permutation_type="pairings", n_resamples=999, alternative="two-sided",
                                 random_state=np.random.default_rng(7)).pvalue
    assert ta.meeting_correlation(x, y, n_resamples=999, seed=7)["p"] == ref


def test_prose_states_the_detectable_size():
    res = {"n": 15, "rho": 0.21, "p": 0.45, "detectable": ta.detectable_correlation(15)}
    text = ta.talk_action_prose(res, "stringency at the meeting", "the theme's rate")
    assert "15 meetings" in text and "0.21" in text and f"{ta.detectable_correlation(15):.2f}" in text
    assert "cannot be told apart from none" in text
    strong = dict(res, rho=0.9, p=0.001)
    assert "within the range the sample can detect" in ta.talk_action_prose(strong, "x", "y")
    assert "no correlation can be estimated" in ta.talk_action_prose({"n": 2, "rho": np.nan, "p": np.nan,
                                                                      "detectable": np.nan}, "x", "y")


# ----------------------------------------------------------------------------- lagged correlation

def test_lagged_correlation_point_estimates_equal_scipy_on_shifted_arrays():
    rng = np.random.default_rng(3)
    idx = pd.period_range("2020-01", periods=36, freq="M")
    x = pd.Series(rng.normal(size=36).cumsum(), index=idx)
    y = pd.Series(rng.normal(size=36).cumsum(), index=idx)
    res = ta.lagged_correlation(x, y, max_lag=4, n_boot=200).set_index("lag")
    t = np.arange(4, 32)
    for k in (-4, -1, 0, 2, 4):
        assert res.loc[k, "r"] == pytest.approx(stats.pearsonr(x.to_numpy()[t], y.to_numpy()[t + k]).statistic)
    d = ta.lagged_correlation(x, y, max_lag=3, difference=True, n_boot=200).set_index("lag")
    dx, dy = np.diff(x.to_numpy()), np.diff(y.to_numpy())
    t = np.arange(3, 32)
    assert d.loc[1, "r"] == pytest.approx(stats.pearsonr(dx[t], dy[t + 1]).statistic)
    assert res.attrs["n"] == 28 and res.attrs["block"] == round(28 ** (1 / 3))


def test_lagged_correlation_finds_which_series_leads():
    rng = np.random.default_rng(5)
    base = rng.normal(size=40)
    idx = pd.RangeIndex(38)
    x = pd.Series(base[2:], index=idx)   # x_t = base_{t+2}
    y = pd.Series(base[:-2], index=idx)  # y_t = base_t = x_{t-2}: x leads y by 2
    res = ta.lagged_correlation(x, y, max_lag=4, n_boot=500).set_index("lag")
    assert res.r.idxmax() == 2 and res.loc[2, "r"] == pytest.approx(1.0)
    assert res.loc[2, "peak_share"] > 0.9 and res.peak_share.sum() == pytest.approx(1.0)
    assert res.loc[2, "lo"] == pytest.approx(1.0)


def test_block_bootstrap_indices():
    rng = np.random.default_rng(0)
    idx = ta.block_bootstrap_indices(10, 3, 50, rng)
    assert idx.shape == (50, 10) and idx.min() >= 0 and idx.max() <= 9
    for row in idx:  # blocks of 3 consecutive positions (the last one cut to 1)
        for start in (0, 3, 6):
            assert list(np.diff(row[start:start + 3])) == [1, 1]
    iid = ta.block_bootstrap_indices(10, 1, 2000, np.random.default_rng(0))
    assert set(np.unique(iid)) == set(range(10))
    with pytest.raises(ValueError, match="block length"):
        ta.block_bootstrap_indices(10, 11, 5, rng)


def test_block_bootstrap_covers_zero_more_often_than_iid_under_autocorrelation():
    """Two independent AR(1) series (φ = 0.8): the iid bootstrap's interval for r is too
    narrow (it ignores autocorrelation); blocks widen it towards the nominal 95%."""
    rng = np.random.default_rng(11)
    hits_block = hits_iid = 0
    n_sim = 150
    for s in range(n_sim):
        e = rng.normal(size=(2, 60))
        z = np.zeros_like(e)
        for t in range(1, 60):
            z[:, t] = 0.8 * z[:, t - 1] + e[:, t]
        x, y = pd.Series(z[0]), pd.Series(z[1])
        b = ta.lagged_correlation(x, y, max_lag=0, n_boot=300, block=6, seed=s).iloc[0]
        i = ta.lagged_correlation(x, y, max_lag=0, n_boot=300, block=1, seed=s).iloc[0]
        hits_block += b.lo <= 0 <= b.hi
        hits_iid += i.lo <= 0 <= i.hi
    assert hits_block > hits_iid + 0.05 * n_sim


def test_lagged_correlation_input_errors():
    x = pd.Series(np.arange(10.0))
    with pytest.raises(ValueError, match="same index"):
        ta.lagged_correlation(x, pd.Series(np.arange(10.0), index=range(1, 11)))
    with pytest.raises(ValueError, match="missing values"):
        ta.lagged_correlation(x, pd.Series([np.nan] + list(range(9)), dtype=float))
    with pytest.raises(ValueError, match="leaves 0 common times"):
        ta.lagged_correlation(x, x, max_lag=5)


def test_policy_change_prose_hand_counted():
    rows = [("重庆", "A", 40.0), ("重庆", "B", 80.0), ("江苏", "A", 70.0), ("江苏", "B", 60.0),
            ("北京", "A", 50.0), ("北京", "B", 50.0), ("全国", "A", 79.2), ("全国", "B", 79.2)]
    bp = pd.DataFrame(rows, columns=["province", "period", "mean"])
    text = ta.policy_change_prose(bp, "A", "B", marked=["江苏", "重庆", "香港"])
    assert text.startswith("The mean daily Stringency Index was higher in B than in A in 1 of 3 provinces and "
                           "lower in 1 (unchanged in 1).")
    assert "The national value (全国) was 79.2 in A and 79.2 in B." in text
    assert "Of the 2 provinces with a meeting in the corpus, higher in B: 重庆 (40.0 → 80.0); lower: 江苏 (70.0 → 60.0)." in text


def test_lead_lag_prose_reads_the_table():
    cc = pd.DataFrame({"lag": [-1, 0, 1], "r": [0.2, 0.5, 0.7], "lo": [-0.1, 0.1, 0.3], "hi": [0.5, 0.8, 0.9],
                       "peak_share": [0.05, 0.25, 0.7]})
    cc.attrs.update(n=30, n_boot=2000)
    text = ta.lead_lag_prose(cc, "levels")
    assert text == ("In levels: r = 0.50 at lag 0 (95% interval 0.10 to 0.80); the largest correlation is at lag +1 "
                    "months (r = 0.70, 0.30 to 0.90: the text leads the index), the peak lag in 70% of 2000 "
                    "block-bootstrap replicates over 30 months.")
    cc["r"] = [0.9, 0.5, 0.7]
    assert "lag -1 months" in ta.lead_lag_prose(cc) and "the index leads the text" in ta.lead_lag_prose(cc)
    cc["r"] = [0.2, 0.9, 0.7]
    assert "is at lag 0 itself (r = 0.90" in ta.lead_lag_prose(cc) and "neither leads" in ta.lead_lag_prose(cc)


def test_evidence_base_shows_the_policy_columns():
    import analysis as A

    pol = policy_table()
    corpus = pd.DataFrame({"unit_id": ["a", "b", "c"], "doc_id": ["d1", "d2", "d3"], "period": ["P", "P", "Q"],
                           "province": ["河南", "香港", "重庆"], "level": "provincial",
                           "date": ["2022-01-15", "2022-01-15", "2022-01-03"], "text": ["甲", "乙", "丙"]})
    joined = ta.with_policy(corpus, pol)
    eb = A.evidence_base(joined, by="period", target="P", reference="Q")
    assert eb.units.set_index("unit_id").loc["a", "stringency_on_date"] == 15.0
    assert "stringency_on_date 15.0–15.0 (mean 15.0; 1 unknown)" in eb.summary.splitlines()[0]
    assert "stringency_on_date 50.0–50.0 (mean 50.0)" in eb.summary.splitlines()[1]
    assert "stringency" not in str(A.evidence_base(corpus, by="period", target="P"))
