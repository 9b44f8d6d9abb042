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
    k1 = A.keyness(_toy(), "g", "T", "R", min_count=1, n_boot=300, seed=7, resample="sentences")
    k2 = A.keyness(_toy(), "g", "T", "R", min_count=1, n_boot=300, seed=7, resample="sentences")
    pd.testing.assert_frame_equal(k1, k2)
    # 防控 appears once in every sentence of the reference: its reference rate cannot vary
    both = k1.dropna(subset=["log_ratio_low"])
    assert len(both) and (both.log_ratio_low <= both.log_ratio_high).all()


def test_bootstrap_by_hand_on_a_degenerate_case():
    # every sentence identical: resampling cannot change anything, interval = point estimate
    d = pd.DataFrame({"unit_id": ["t", "r"], "g": ["T", "R"],
                      "sentences": [[["优化", "防控"]] * 4, [["清零", "防控"]] * 3]})
    d["tokens"] = d.sentences.map(lambda ss: [t for s in ss for t in s])
    kt = A.keyness(d, "g", "T", "R", min_count=1, n_boot=50, resample="sentences")
    shared = kt[kt.term == "防控"]
    assert np.allclose(shared.log_ratio_low, shared.log_ratio) and np.allclose(shared.log_ratio_high, shared.log_ratio)
    # terms absent on one side get no interval: their Log Ratio is set by the pseudo-count
    assert kt[kt.term != "防控"].log_ratio_low.isna().all()


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


def _units():
    """Four target and three reference units with hand-countable tokens."""
    t = [["优化"] * 2 + ["防控"] * 2, ["优化", "防控", "服务", "服务"], ["防控"] * 3 + ["优化"], ["服务"] * 2 + ["防控"] * 6]
    r = [["清零"] * 3 + ["防控"], ["清零", "防控", "防控", "优化"], ["防控"] * 5 + ["清零"]]
    toks = t + r
    return pd.DataFrame({"unit_id": [f"u{i}" for i in range(7)], "g": ["T"] * 4 + ["R"] * 3, "tokens": toks})


def test_keyness_accepts_a_matrix_and_a_table_alike():
    d = _units()
    k1 = A.keyness(d, "g", "T", "R", min_count=1, n_boot=100)
    k2 = A.keyness(A.as_dtm(d), "g", "T", "R", min_count=1, n_boot=100)
    pd.testing.assert_frame_equal(k1, k2)
    with pytest.raises(ValueError, match="no sentences"):
        A.keyness(A.as_dtm(d), "g", "T", "R", resample="sentences")


def test_unit_level_columns_against_scipy_and_by_hand():
    from scipy import stats

    d = _units()
    kt = A.keyness(d, "g", "T", "R", min_count=1, n_boot=0).set_index("term")
    assert kt.loc["优化", "n_units_target"] == 3 and kt.loc["优化", "n_units_reference"] == 1
    assert kt.loc["服务", "n_units_reference"] == 0 and kt.loc["服务", "absent_reference"]
    # DP of 优化 over the target's units: sizes 4, 4, 4, 8 (s = .2 .2 .2 .4), counts 2, 1, 1, 0 (v = .5 .25 .25 0)
    assert kt.loc["优化", "dp_target"] == pytest.approx(0.5 * (0.3 + 0.05 + 0.05 + 0.4))
    rates = {term: [np.array([toks.count(term) / len(toks) * 1e4 for toks in d.tokens[d.g == g]]) for g in "TR"]
             for term in kt.index}
    for term, (x, y) in rates.items():
        perm = stats.permutation_test((x, y), lambda a, b, axis: a.mean(axis) - b.mean(axis),
                                      permutation_type="independent", vectorized=True, n_resamples=np.inf)
        assert kt.loc[term, "p_perm_meetings"] == pytest.approx(perm.pvalue)
        assert 0 < kt.loc[term, "p_mwu_meetings"] <= 1
        if len(set(np.r_[x, y])) == len(x) + len(y):
            assert kt.loc[term, "p_mwu_meetings"] == pytest.approx(stats.mannwhitneyu(x, y, method="exact").pvalue)
    # no meeting_id or doc_id: every unit is its own meeting
    assert "4 target and 3 reference meetings" in kt.attrs["unit_inference"]
    assert kt.attrs["sampling_unit"] == "unit_id"


def test_single_unit_group_says_no_between_meeting_inference():
    d = _units()
    one = d[d.unit_id.isin(["u0", "u1", "u2", "u3", "u4"])]
    kt = A.keyness(one, "g", "T", "R", min_count=1, n_boot=200)
    assert kt.p_perm_meetings.isna().all() and kt.p_mwu_meetings.isna().all()
    assert kt.log_ratio_low.isna().all() and kt.log_ratio_high.isna().all()
    assert "reference is a single meeting" in kt.attrs["unit_inference"]
    assert "no between-meeting inference" in kt.attrs["unit_inference"]


def test_unit_bootstrap_resamples_documents_not_sentences():
    d = _units()
    kt = A.keyness(d, "g", "T", "R", min_count=1, n_boot=400, seed=1).set_index("term")
    row = kt.loc["防控"]
    assert row.log_ratio_low < row.log_ratio < row.log_ratio_high
    # every replicate is a multiset of whole units: reproduce the bounds by hand
    rng = np.random.default_rng(1)
    ct = np.array([toks.count("防控") for toks in d.tokens])
    n = d.tokens.map(len).to_numpy()
    t, r = np.arange(4), np.arange(4, 7)
    reps = []
    wt = np.stack([np.bincount(rng.integers(0, 4, 4), minlength=4) for _ in range(400)])
    wr = np.stack([np.bincount(rng.integers(0, 3, 3), minlength=3) for _ in range(400)])
    for a, b in zip(wt, wr):
        reps.append(np.log2((a @ ct[t] / (a @ n[t])) / (b @ ct[r] / (b @ n[r]))))
    assert row.log_ratio_low == pytest.approx(np.percentile(reps, 2.5))
    assert row.log_ratio_high == pytest.approx(np.percentile(reps, 97.5))
    assert np.isfinite(row.ci_mcse) and kt.attrs["ci_decimals"] in (0, 1, 2, 3)


def test_real_corpus_says_what_was_resampled_on_each_side(tokenized):
    units = tokenized[tokenized.level.isin(["provincial", "municipal"])
                      & (tokenized.unit_id != "henan-20221111-bjyouth")]
    ku = A.keyness(units, "period", "2022-11", "2021-08", n_boot=200)
    n_ref = units.loc[units.period == "2021-08", "meeting_id"].nunique()
    assert n_ref == 1  # the two speeches of the one 2021 meeting are one observation: nothing to resample
    assert ku.attrs["resampled"]["reference"] == "nothing (a single meeting)"
    assert "reference is a single meeting" in ku.attrs["unit_inference"]
    assert ku.p_perm_meetings.isna().all() and ku.log_ratio_low.isna().all()
    # full reports against excerpts of 2022: both sides have several meetings, resampled whole
    y22 = units[units.period == "2022-11"]
    kx = A.keyness(y22, "excerpt", "False", "True", n_boot=200)
    n_full = y22.loc[~y22.excerpt, "meeting_id"].nunique()
    assert n_full < int((~y22.excerpt).sum())  # the 17 Nov Henan speeches are one meeting
    assert kx.attrs["resampled"]["target"] == f"meetings ({n_full})"
    assert kx.p_perm_meetings.notna().all()
    # bars for terms absent on one side have no interval (Log Ratio there is a pseudo-count bound)
    ku = kx
    absent = ku.absent_target | ku.absent_reference
    assert absent.any() and ku.loc[absent, "log_ratio_low"].isna().all()
    assert ku.loc[~absent, "log_ratio_low"].notna().all()


def test_interval_labels_round_to_the_monte_carlo_error():
    kt = pd.DataFrame({"log_ratio_low": [0.7634, -0.2719, np.nan], "log_ratio_high": [3.3149, 3.2611, np.nan],
                       "ci_mcse": [0.004, 0.2, np.nan], "absent_reference": [False, False, True],
                       "absent_target": [False, False, False]})
    assert A.interval_labels(kt).tolist() == ["[0.76, 3.31]", "[0, 3]", "absent in reference"]


def test_printed_interval_precision_survives_a_change_of_seed(tokenized):
    """bounds moved by up to 0.48 log2 across seeds yet were printed to 3 digits.
    At the decimals interval_labels prints, two seeds must agree to within two units of the
    last printed digit (about four Monte-Carlo standard errors) for at least 95% of bounds."""
    from analysis.measures.inference import mc_decimals

    units = tokenized[tokenized.level.isin(["provincial", "municipal"]) & (tokenized.period == "2022-11")
                      & (tokenized.unit_id != "henan-20221111-bjyouth")]
    k0 = A.keyness(units, "excerpt", "False", "True", n_boot=1000, seed=0).set_index("term")
    k1 = A.keyness(units, "excerpt", "False", "True", n_boot=1000, seed=1).set_index("term")
    rows = k0.dropna(subset=["log_ratio_low"]).index
    unit = np.array([10.0 ** -mc_decimals(se) for se in k0.loc[rows, "ci_mcse"]])
    for col in ("log_ratio_low", "log_ratio_high"):
        moved = np.abs(k0.loc[rows, col].to_numpy() - k1.loc[rows, col].to_numpy())
        assert (moved <= 2 * unit).mean() >= 0.95
    assert any(len(lbl.split(",")[0]) < 6 for lbl in A.interval_labels(k0.reset_index()) if lbl.startswith("["))


def test_keyness_summary_states_the_evidence_base():
    d = _units()
    text = A.keyness_summary(A.keyness(d[d.unit_id != "u5"].iloc[:5], "g", "T", "R", min_count=1, n_boot=50))
    assert "target ['T']: 4 unit(s) in 4 meeting(s)" in text and "reference ['R']: 1 unit(s) in 1 meeting(s)" in text
    assert "ONE MEETING" in text and "pseudo-count" in text and "50 bootstrap replicates" in text


# -- meetings, not speaker parts, are the observations -------------------------------
def _meetings():
    """Target: meetings m1 (two speakers), m2, m3 (two speakers); reference: m4, m5 (two speakers).
    Speakers' parts of one meeting share `meeting_id` and `doc_id`."""
    rows = [("m1", "T", "甲", ["优化"] * 2 + ["防控"] * 2), ("m1", "T", "乙", ["优化", "服务", "服务", "防控"]),
            ("m2", "T", "甲", ["防控"] * 3 + ["优化"]), ("m3", "T", "甲", ["服务"] * 2 + ["防控"] * 6),
            ("m3", "T", "乙", ["优化", "防控", "清零"]),
            ("m4", "R", "甲", ["清零"] * 3 + ["防控"]), ("m5", "R", "甲", ["清零", "防控", "防控", "优化"]),
            ("m5", "R", "乙", ["防控"] * 5 + ["清零"])]
    return pd.DataFrame({"unit_id": [f"u{i}" for i in range(len(rows))], "meeting_id": [r[0] for r in rows],
                         "doc_id": [f"doc-{r[0]}" for r in rows], "g": [r[1] for r in rows],
                         "speaker": [r[2] for r in rows], "tokens": [r[3] for r in rows]})


def _meeting_rates(d, term, group):
    sub = d[d.g == group]
    counts = sub.groupby("meeting_id", sort=False).tokens.apply(lambda s: sum(t.count(term) for t in s))
    sizes = sub.groupby("meeting_id", sort=False).tokens.apply(lambda s: sum(len(t) for t in s))
    return (counts / sizes * 1e4).to_numpy()


def test_permutation_test_resamples_meetings_against_scipy():
    from scipy import stats

    d = _meetings()
    kt = A.keyness(d, "g", "T", "R", min_count=1, n_boot=0).set_index("term")
    assert kt.attrs["meetings_target"] == ["m1", "m2", "m3"] and kt.attrs["meetings_reference"] == ["m4", "m5"]
    assert kt.attrs["sampling_unit"] == "meeting_id"
    for term in kt.index:
        x, y = _meeting_rates(d, term, "T"), _meeting_rates(d, term, "R")
        perm = stats.permutation_test((x, y), lambda a, b, axis: a.mean(axis) - b.mean(axis),
                                      permutation_type="independent", vectorized=True, n_resamples=np.inf)
        assert kt.loc[term, "p_perm_meetings"] == pytest.approx(perm.pvalue), term
        if len(set(np.r_[x, y])) == len(x) + len(y):
            assert kt.loc[term, "p_mwu_meetings"] == pytest.approx(stats.mannwhitneyu(x, y, method="exact").pvalue)
    # units vs meetings containing 清零: units u4, u5, u6, u7 on the reference side (2 meetings); u4 in m3
    assert kt.loc["清零", ["n_units_target", "n_meetings_target"]].tolist() == [1, 1]
    assert kt.loc["清零", ["n_units_reference", "n_meetings_reference"]].tolist() == [3, 2]
    # DP over the target's meetings: sizes 8, 4, 11 tokens; 优化 1+... counted by hand: m1 3, m2 1, m3 1
    s = np.array([8, 4, 11]) / 23
    v = np.array([3, 1, 1]) / 5
    assert kt.loc["优化", "dp_target"] == pytest.approx(0.5 * np.abs(v - s).sum())
    assert "3 target and 2 reference meetings" in kt.attrs["unit_inference"]


def test_bootstrap_resamples_whole_meetings():
    d = _meetings()
    kt = A.keyness(d, "g", "T", "R", min_count=1, n_boot=300, seed=3).set_index("term")
    assert kt.attrs["resampled"] == {"target": "meetings (3)", "reference": "meetings (2)"}
    rng = np.random.default_rng(3)
    agg = d.assign(c=d.tokens.map(lambda t: t.count("防控")), n=d.tokens.map(len)).groupby("meeting_id", sort=False)
    ct, n = agg.c.sum().to_numpy(), agg.n.sum().to_numpy()
    t, r = np.arange(3), np.arange(3, 5)
    wt = np.stack([np.bincount(rng.integers(0, 3, 3), minlength=3) for _ in range(300)])
    wr = np.stack([np.bincount(rng.integers(0, 2, 2), minlength=2) for _ in range(300)])
    reps = [np.log2((a @ ct[t] / (a @ n[t])) / (b @ ct[r] / (b @ n[r]))) for a, b in zip(wt, wr)]
    assert kt.loc["防控", "log_ratio_low"] == pytest.approx(np.percentile(reps, 2.5))
    assert kt.loc["防控", "log_ratio_high"] == pytest.approx(np.percentile(reps, 97.5))


def test_one_meeting_split_into_two_speakers_gets_no_p_value_or_interval():
    d = _meetings()
    one = d[d.meeting_id.isin(["m1", "m2", "m3", "m5"])]  # the reference: m5, two speaker units
    kt = A.keyness(one, "g", "T", "R", min_count=1, n_boot=200)
    assert kt.attrs["units_reference"] == ["u6", "u7"] and kt.attrs["meetings_reference"] == ["m5"]
    for col in ("p_perm_meetings", "p_mwu_meetings", "q_perm_meetings", "log_ratio_low", "log_ratio_high"):
        assert kt[col].isna().all(), col
    assert kt.attrs["resampled"]["reference"] == "nothing (a single meeting)"
    text = A.keyness_summary(kt)
    assert "reference ['R']: 2 unit(s) in 1 meeting(s)" in text and "ONE MEETING" in text
    assert "no between-meeting inference is possible" in text
    assert "no meeting-level p-value exists" in text  # the attainability line
    # the same two units as independent observations would have given p-values: they must not
    assert A.keyness(one.drop(columns=["meeting_id", "doc_id"]), "g", "T", "R", min_count=1,
                     n_boot=0).p_perm_meetings.notna().all()


def test_holding_the_speaker_constant_compares_that_speakers_meetings():
    d = _meetings()
    jia = d[d.speaker == "甲"]
    kt = A.keyness(jia, "g", "T", "R", min_count=1, n_boot=0)
    assert kt.attrs["units_target"] == ["u0", "u2", "u3"] and kt.attrs["meetings_target"] == ["m1", "m2", "m3"]
    assert kt.attrs["meetings_reference"] == ["m4", "m5"] and kt.p_perm_meetings.notna().all()
    # the two speakers of the same meetings compared with each other: a within-meeting comparison
    ks = A.keyness(d, "speaker", "甲", "乙", min_count=1, n_boot=100)
    assert ks.attrs["shared_meetings"] == ["m1", "m3", "m5"]
    assert ks.p_perm_meetings.isna().all() and ks.log_ratio_low.isna().all()
    assert "share 3 meeting(s)" in ks.attrs["unit_inference"]


def test_q_values_are_benjamini_hochberg_against_scipy():
    from scipy import stats

    d = _meetings()
    kt = A.keyness(d, "g", "T", "R", min_count=1, n_boot=0)
    assert kt.q_value.to_numpy() == pytest.approx(stats.false_discovery_control(kt.p_value.to_numpy(), method="bh"))
    assert kt.q_perm_meetings.to_numpy() == pytest.approx(
        stats.false_discovery_control(kt.p_perm_meetings.to_numpy(), method="bh"))
    assert (kt.q_value >= kt.p_value - 1e-15).all()


def test_a_pre_declared_family_is_corrected_on_its_own():
    from scipy import stats

    d = _meetings()
    fam = ["清零", "服务", "从未出现"]
    kt = A.keyness(d, "g", "T", "R", min_count=6, n_boot=0, family=fam).set_index("term")
    # 服务 (4 occurrences) is below min_count but pre-declared: tested, outside the exploratory family
    assert set(kt.index) == {"防控", "优化", "清零", "服务"}
    assert kt.attrs["n_terms"] == 3 and np.isnan(kt.loc["服务", "q_value"]) and not kt.loc["服务", "significant"]
    assert kt.attrs["family_missing"] == ["从未出现"]
    f = kt[kt.in_family]
    assert sorted(f.index) == ["服务", "清零"]
    assert f.q_family.to_numpy() == pytest.approx(stats.false_discovery_control(f.p_value.to_numpy(), method="bh"))
    assert (f.significant_family == (f.p_value < 0.05 / 2)).all()
    assert kt.loc[~kt.in_family, "q_family"].isna().all()
    assert "pre-declared family: 2 of 3 terms tested (never occur: 从未出现)" in A.keyness_summary(kt.reset_index())
    with pytest.raises(ValueError, match="family must be a list"):
        A.keyness(d, "g", "T", "R", family="清零")


def test_a_fixed_reference_is_not_resampled_or_tested():
    d = _meetings()
    kt = A.keyness(d, "g", "T", "R", min_count=1, n_boot=300, seed=5, fixed_reference=True).set_index("term")
    assert kt.p_perm_meetings.isna().all()
    assert kt.attrs["resampled"] == {"target": "meetings (3)", "reference": "nothing (held fixed)"}
    rng = np.random.default_rng(5)
    agg = d.assign(c=d.tokens.map(lambda t: t.count("防控")), n=d.tokens.map(len)).groupby("meeting_id", sort=False)
    ct, n = agg.c.sum().to_numpy(), agg.n.sum().to_numpy()
    wt = np.stack([np.bincount(rng.integers(0, 3, 3), minlength=3) for _ in range(300)])
    reps = [np.log2((a @ ct[:3] / (a @ n[:3])) / (ct[3:].sum() / n[3:].sum())) for a in wt]
    assert kt.loc["防控", "log_ratio_low"] == pytest.approx(np.percentile(reps, 2.5))
    assert kt.loc["防控", "log_ratio_high"] == pytest.approx(np.percentile(reps, 97.5))
