"""Keyness statistics against scipy and the papers' formulas."""
import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2, chi2_contingency

import analysis as A

TABLES = [(10, 2, 1000, 1000), (0, 5, 300, 2000), (7, 0, 3939, 758), (50, 40, 5000, 4000), (1, 1, 10, 10_000)]


@pytest.mark.parametrize("a, b, n1, n2", TABLES)
def test_g2_matches_scipy_log_likelihood(a, b, n1, n2):
    obs = np.array([[a, b], [n1 - a, n2 - b]])
    expected = chi2_contingency(obs, correction=False, lambda_="log-likelihood")[0]
    got = A.g2(a, b, n1, n2)
    assert abs(got) == pytest.approx(expected, rel=1e-10)
    assert np.sign(got) == np.sign(a / n1 - b / n2)


def test_g2_is_vectorised():
    a, b, n1, n2 = map(np.array, zip(*TABLES))
    assert np.allclose(A.g2(a, b, n1, n2), [float(A.g2(*t)) for t in TABLES])


def test_log_ratio_by_hand():
    assert A.log_ratio(8, 2, 1000, 1000) == pytest.approx(2.0)
    assert A.log_ratio(4, 0, 1000, 1000) == pytest.approx(np.log2(4 / 0.5))
    assert A.log_ratio(1, 4, 100, 200) == pytest.approx(np.log2((1 / 100) / (4 / 200)))


def test_log_odds_z_follows_monroe_et_al():
    a = np.array([10.0, 0.0, 5.0])
    b = np.array([2.0, 6.0, 5.0])
    n1, n2 = a.sum(), b.sum()
    prior = a + b
    alpha0 = prior.sum()
    expected = []
    for i in range(3):  # eq. 16 and 19-22 of Monroe, Colaresi & Quinn (2008), term by term
        om1 = (a[i] + prior[i]) / (n1 + alpha0 - a[i] - prior[i])
        om2 = (b[i] + prior[i]) / (n2 + alpha0 - b[i] - prior[i])
        delta = np.log(om1) - np.log(om2)
        expected.append(delta / np.sqrt(1 / (a[i] + prior[i]) + 1 / (b[i] + prior[i])))
    assert np.allclose(A.log_odds_z(a, b, n1, n2, prior), expected)


def _toy():
    return pd.DataFrame({
        "unit_id": ["t1", "t2", "r1"],
        "g": ["T", "T", "R"],
        "sentences": [[["优化", "防控"], ["优化", "优化"]], [["防控", "一刀切"]], [["清零", "防控"], ["清零", "防控"]]],
    }).assign(tokens=lambda d: d.sentences.map(lambda ss: [t for s in ss for t in s]))


def test_keyness_table_by_hand():
    kt = A.keyness(_toy(), "g", "T", "R", min_count=1, n_boot=0)
    row = kt.set_index("term").loc["优化"]
    assert (row.count_target, row.count_reference) == (3, 0)
    assert row.per_10k_target == pytest.approx(3 / 6 * 1e4)
    assert row.g2 == pytest.approx(float(A.g2(3, 0, 6, 4)))
    assert row.log_ratio == pytest.approx(np.log2((3 / 6) / (0.5 / 4)))
    assert kt.iloc[0].term == "优化" and kt.iloc[-1].term == "清零"
    assert kt.attrs["n_terms"] == 4 and kt.attrs["bonferroni_p"] == pytest.approx(0.05 / 4)
    assert kt.attrs["bonferroni_g2"] == pytest.approx(float(chi2.isf(0.05 / 4, 1)))


def test_min_count_filters_rare_terms():
    kt = A.keyness(_toy(), "g", "T", "R", min_count=2, n_boot=0)
    assert set(kt.term) == {"优化", "防控", "清零"}


def test_bootstrap_is_seeded_and_brackets_the_estimate():
    k1 = A.keyness(_toy(), "g", "T", "R", min_count=1, n_boot=300, seed=7)
    k2 = A.keyness(_toy(), "g", "T", "R", min_count=1, n_boot=300, seed=7)
    pd.testing.assert_frame_equal(k1, k2)
    # 防控 appears once in every sentence of the reference: its reference rate cannot vary
    assert (k1.log_ratio_low <= k1.log_ratio_high).all()


def test_bootstrap_by_hand_on_a_degenerate_case():
    # every sentence identical: resampling cannot change anything, interval = point estimate
    d = pd.DataFrame({"unit_id": ["t", "r"], "g": ["T", "R"],
                      "sentences": [[["优化", "防控"]] * 4, [["清零", "防控"]] * 3]})
    d["tokens"] = d.sentences.map(lambda ss: [t for s in ss for t in s])
    kt = A.keyness(d, "g", "T", "R", min_count=1, n_boot=50)
    assert np.allclose(kt.log_ratio_low, kt.log_ratio) and np.allclose(kt.log_ratio_high, kt.log_ratio)


@pytest.mark.parametrize("kwargs, msg", [
    (dict(target="X"), "unknown g value 'X'"),
    (dict(target="T", reference="T"), "share"),
    (dict(target=["T", "R"]), "reference is empty"),
])
def test_keyness_input_errors(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        A.keyness(_toy(), "g", n_boot=0, **kwargs)


def test_real_corpus_puts_twenty_measures_vocabulary_on_top(tokenized):
    kt = A.keyness(tokenized, "period", "2022-11", "2021-08", n_boot=0)
    top = set(kt.head(25).term)
    assert {"优化", "科学精准", "层层加码", "一刀切", "《二十条》"} <= top  # the notice, cited by title (hygiene)
    bottom = set(kt.tail(25).term)
    assert {"清仓见底", "查清", "必须"} <= bottom
