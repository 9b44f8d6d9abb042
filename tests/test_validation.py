"""Checking a rule by a stratified hand check: kappa against scikit-learn, stratified estimates by hand,
Jeffreys intervals against scipy, counts and threshold sensitivity by hand."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import cohen_kappa_score

import analysis as A


def test_kappa_equals_scikit_learn():
    rng = np.random.default_rng(0)
    for _ in range(20):
        a = rng.integers(0, 2, 50).astype(bool)
        b = np.where(rng.random(50) < 0.8, a, ~a)
        assert A.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert A.cohen_kappa([True, False], [True, False]) == 1.0
    with pytest.raises(ValueError):
        A.cohen_kappa([True], [True, False])


def _check():
    # flagged 2020: 10 checked of 1000, 9 positive; flagged 2021: 10 of 500, 8 positive
    # unflagged 2020: 20 of 4000, 2 positive; unflagged 2021: 20 of 6000, 1 positive
    rows = []
    for flagged, year, n, pos, N in [(True, 2020, 10, 9, 1000), (True, 2021, 10, 8, 500),
                                     (False, 2020, 20, 2, 4000), (False, 2021, 20, 1, 6000)]:
        rows += [{"flagged": flagged, "stratum": year, "stratum_size": N, "label": i < pos,
                  "score": (6 if i < pos else 4) if flagged else (3 if i < pos else 0)} for i in range(n)]
    return pd.DataFrame(rows)


def test_stratified_estimates_by_hand():
    acc = A.rule_accuracy(_check(), n_draws=2000).set_index("measure")
    tp = 1000 * 0.9 + 500 * 0.8            # 1300 true positives among 1500 flagged
    fn = 4000 * 0.1 + 6000 * (1 / 20)      # 700 positives among 10,000 unflagged
    assert acc.loc["precision", "estimate"] == pytest.approx(tp / 1500)
    assert acc.loc["npv", "estimate"] == pytest.approx(1 - fn / 10000)
    assert acc.loc["recall", "estimate"] == pytest.approx(tp / (tp + fn))
    assert acc.loc["positives_missed", "estimate"] == pytest.approx(fn)
    for m in acc.index:
        assert acc.loc[m, "ci_low"] <= acc.loc[m, "estimate"] <= acc.loc[m, "ci_high"]


def test_one_stratum_interval_is_the_jeffreys_interval():
    check = pd.DataFrame({"flagged": True, "stratum": 2020, "stratum_size": 100,
                          "label": [True] * 37 + [False] * 13})
    acc = A.rule_accuracy(check, n_draws=200000, seed=3).set_index("measure")
    lo, hi = stats.beta.ppf([0.025, 0.975], 37.5, 13.5)
    assert acc.loc["precision", "ci_low"] == pytest.approx(lo, abs=0.003)
    assert acc.loc["precision", "ci_high"] == pytest.approx(hi, abs=0.003)


def test_counts_carry_the_rule_uncertainty():
    acc = A.rule_accuracy(_check(), n_draws=4000)
    counts = pd.DataFrame({"period": ["2020-03", "2021-05", "2023-01"], "stratum": [2020, 2021, 2023],
                           "flagged": [100, 40, 10], "unflagged": [300, 500, 600]})
    out = A.propagate_counts(counts, acc)
    assert out.estimate[0] == pytest.approx(100 * 0.9 + 300 * 0.1)
    assert out.estimate[1] == pytest.approx(40 * 0.8 + 500 * 0.05)
    assert out.ci_low[0] < out.estimate[0] < out.ci_high[0]
    assert np.isnan(out.estimate[2])  # 2023 was not checked


def test_threshold_sensitivity_by_hand():
    check = _check()
    pop = pd.DataFrame({"year": [2020] * 5 + [2021] * 5, "score": [6, 6, 4, 3, 0, 6, 4, 4, 0, 0]})
    t = A.threshold_sensitivity(check, pop, [3, 4, 5]).set_index("threshold")
    assert list(t.units_flagged) == [7, 6, 3]
    # threshold 4 = the rule: the stratified estimates
    acc = A.rule_accuracy(check, n_draws=100).set_index("measure")
    assert t.loc[4, "precision"] == pytest.approx(acc.loc["precision", "estimate"])
    assert t.loc[4, "recall"] == pytest.approx(acc.loc["recall", "estimate"])
    # threshold 5: only the flagged positives (score 6) remain: precision 1, recall 1300 / 2000
    assert t.loc[5, "precision"] == pytest.approx(1.0)
    assert t.loc[5, "recall"] == pytest.approx(1300 / 2000)
    # threshold 3: the unflagged positives (score 3) join: recall 1
    assert t.loc[3, "recall"] == pytest.approx(1.0)


def test_draw_is_stratified_reproducible_and_order_free():
    units = pd.DataFrame({"unit_id": [f"u{i:03d}" for i in range(300)], "covid": np.arange(300) % 3 == 0,
                          "year": np.where(np.arange(300) < 150, 2020, 2021)})
    want = {(True, 2020): 5, (False, 2020): 10, (True, 2021): 5, (False, 2021): 10}
    a = A.draw_check_sample(units, want, seed=1)
    b = A.draw_check_sample(units.sample(frac=1, random_state=4), want, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert a.groupby(["flagged", "stratum"]).size().to_dict() == want
    assert a.loc[a.flagged & (a.stratum == 2020), "stratum_size"].iloc[0] == 50
    with pytest.raises(ValueError, match="cannot draw"):
        A.draw_check_sample(units, {(True, 2020): 51})


# -- the committed stratified check of the 新闻联播 COVID rule --------------------------------------

def _committed_check():
    from conftest import ROOT

    return pd.read_csv(ROOT / "data" / "sources" / "xwlb-covid-check-stratified.csv", comment="#")


def test_committed_check_is_complete_and_its_labels_follow_the_coders():
    c = _committed_check()
    assert len(c) == 270 and c.unit_id.is_unique
    assert c.groupby(["flagged", "year"]).size().to_dict() == {
        (f, y): (30 if f else 60) for f in (True, False) for y in (2020, 2021, 2022)}
    agree = c.coder_a == c.coder_b
    assert (c.label[agree] == c.coder_a[agree]).all()  # agreed labels are the coders' label
    assert c.note[~agree].str.startswith("adjudicated").all()  # every disagreement was adjudicated, with a note
    from analysis.sources.broadcast import COVID_MIN_SCORE

    assert (c.flagged == (c.score >= COVID_MIN_SCORE)).all()
    assert A.cohen_kappa(c.coder_a, c.coder_b) > 0.9


def test_committed_sample_is_the_documented_draw_and_the_rule_still_agrees():
    """The ids are those of draw_check_sample(seed=2026) on 2020-2022 stories, and the rule's score of
    each sampled story is unchanged (a changed rule needs a new check)."""
    import os

    from analysis.sources.broadcast import MIRROR_ENV

    if not os.environ.get(MIRROR_ENV):
        pytest.skip("no 新闻联播 mirror (set by tests/conftest.py when ../shared/mirror is beside the checkout)")
    s = A.load_broadcast("2020-01-01", "2022-12-31", progressbar=False)
    s["year"] = s.date.str[:4].astype(int)
    want = {(f, y): (30 if f else 60) for f in (True, False) for y in (2020, 2021, 2022)}
    drawn = A.draw_check_sample(s, want, seed=2026)
    c = _committed_check()
    assert sorted(drawn.unit_id) == sorted(c.unit_id)
    now = s.set_index("unit_id").loc[c.unit_id]
    assert list(now.covid_score) == list(c.score)
    sizes = drawn.set_index("unit_id").loc[c.unit_id, "stratum_size"]
    assert list(sizes) == list(c.stratum_size)


def test_period_flag_counts_by_hand():
    units = pd.DataFrame({"date": ["2020-01-03", "2020-01-09", "2020-02-01", "2021-01-05"],
                          "covid": [True, False, True, True]})
    out = A.period_flag_counts(units)
    assert out.to_dict("list") == {"period": ["2020-01", "2020-02", "2021-01"], "stratum": [2020, 2020, 2021],
                                   "flagged": [1, 1, 1], "unflagged": [1, 0, 0]}


def test_summary_and_loader_on_the_committed_check():
    from conftest import ROOT

    check = A.load_rule_check(ROOT / "data" / "sources" / "xwlb-covid-check-stratified.csv")
    acc = A.rule_accuracy(check)
    text = A.rule_check_summary(check, acc)
    r = acc.set_index("measure").loc["recall"]
    assert f"recall {r.estimate:.1%} (95% interval {r.ci_low:.1%}–{r.ci_high:.1%})" in text
    assert "270 units drawn at random within 3 strata (2020, 2021, 2022): 90 the rule flags and 180" in text
    assert f"kappa {A.cohen_kappa(check.coder_a, check.coder_b):.2f}, 1 disagreement(s) adjudicated" in text


def test_estimated_counts_figure_plots_the_table():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    acc = A.rule_accuracy(_check(), n_draws=500)
    counts = pd.DataFrame({"period": ["2020-01", "2020-02", "2021-01"], "stratum": [2020, 2020, 2021],
                           "flagged": [10, 20, 5], "unflagged": [100, 90, 120]})
    fig, data = A.plot_estimated_counts(A.propagate_counts(counts, acc), labels="en")
    assert list(data.columns) == ["period", "flagged", "estimate", "ci_low", "ci_high"]
    assert data.estimate[0] == pytest.approx(10 * 0.9 + 100 * 0.1)
    line = fig.axes[0].lines[1]
    assert list(line.get_ydata()) == [10, 20, 5]
    plt.close(fig)
