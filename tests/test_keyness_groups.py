"""Keyness beyond two groups: one-vs-rest and an external reference (corpus or frequency list)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

import analysis as A
from analysis.measures.keyness_groups import keyness_one_vs_rest, keyness_reference, reference_frequencies


def tokenized(rows):
    """rows: [(unit_id, place, tokens)]"""
    return pd.DataFrame({"unit_id": [r[0] for r in rows], "place": [r[1] for r in rows],
                         "tokens": [r[2] for r in rows]})


T = tokenized([
    ("a1", "甲", ["防控"] * 6 + ["经济"] * 1 + ["保障"] * 3),
    ("a2", "甲", ["防控"] * 4 + ["经济"] * 2 + ["保障"] * 4),
    ("b1", "乙", ["防控"] * 1 + ["经济"] * 7 + ["保障"] * 2),
    ("c1", "丙", ["防控"] * 2 + ["经济"] * 2 + ["保障"] * 6),
    ("c2", "丙", ["防控"] * 3 + ["经济"] * 3 + ["保障"] * 4),
])


def g2_scipy(a, b, n1, n2):
    table = np.array([[a, b], [n1 - a, n2 - b]], dtype=float)
    return chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]


def test_one_vs_rest_counts_and_g2_by_hand():
    kt = keyness_one_vs_rest(T, "place", min_count=1)
    assert list(kt.columns[:2]) == ["place", "term"]
    assert sorted(kt.place.unique()) == ["丙", "乙", "甲"]
    row = kt[(kt.place == "乙") & (kt.term == "经济")].iloc[0]
    # 乙 has 7 of 10 tokens 经济; the rest (甲, 丙) 1+2+2+3 = 8 of 40
    assert (row.count_target, row.count_reference) == (7, 8)
    assert row.g2 == pytest.approx(g2_scipy(7, 8, 10, 40))
    assert row.n_units_group == 1 and "single unit" in row.unit_inference
    jia = kt[(kt.place == "甲") & (kt.term == "防控")].iloc[0]
    assert (jia.count_target, jia.count_reference) == (10, 6)
    assert "unit-level tests on 2 target and 3 reference units" in jia.unit_inference
    assert kt.attrs["n_tests"] == 9
    assert (kt.significant_all == (kt.p_value < 0.05 / 9)).all()


def test_one_vs_rest_selected_groups_and_errors():
    kt = keyness_one_vs_rest(T, "place", groups=["甲"], min_count=1)
    assert set(kt.place) == {"甲"}
    with pytest.raises(ValueError, match="unknown place value"):
        keyness_one_vs_rest(T, "place", groups=["丁"])
    with pytest.raises(ValueError, match="unknown column"):
        keyness_one_vs_rest(T, "province")
    with pytest.raises(ValueError, match="single value"):
        keyness_one_vs_rest(T.assign(place="甲"), "place")


R = tokenized([("r1", "x", ["防控"] * 2 + ["经济"] * 5 + ["民生"] * 3),
               ("r2", "x", ["防控"] * 1 + ["经济"] * 6 + ["民生"] * 3)])


def test_reference_corpus_union_vocabulary_and_unit_columns():
    kt = keyness_reference(T, R, min_count=1, n_boot=0).set_index("term")
    # target: 防控 16, 经济 15, 保障 19 (50); reference: 防控 3, 经济 11, 民生 6 (20)
    assert kt.loc["防控", ["count_target", "count_reference"]].tolist() == [16, 3]
    assert kt.loc["民生", ["count_target", "count_reference"]].tolist() == [0, 6]
    assert kt.loc["保障", ["count_target", "count_reference"]].tolist() == [19, 0]
    assert kt.loc["防控", "g2"] == pytest.approx(g2_scipy(16, 3, 50, 20))
    assert kt.loc["经济", "n_units_reference"] == 2
    assert not np.isnan(kt.loc["经济", "p_perm_units"])
    assert kt.attrs["reference_kind"] == "corpus"
    named = keyness_reference(T, R, min_count=1, n_boot=0, target_label="报告", reference_label="新闻")
    assert A.keyness_summary(named).startswith("target ['报告']: 5 unit(s), 50 tokens; reference ['新闻']: 2 unit(s)")


def test_reference_frequency_list():
    freq = pd.DataFrame({"term": ["防控", "经济", "民生"], "count": [3, 11, 6]})
    kt = keyness_reference(T, freq, min_count=1, n_boot=50).set_index("term")
    corpus_kt = keyness_reference(T, R, min_count=1, n_boot=0).set_index("term")
    # same token counts as the corpus with these totals: same G2, Log Ratio, z
    for col in ("count_reference", "g2", "log_ratio", "log_odds_z"):
        assert kt[col].to_dict() == pytest.approx(corpus_kt[col].to_dict())
    assert kt[["n_units_reference", "dp_reference", "p_perm_units", "p_mwu_units"]].isna().all().all()
    assert kt.attrs["reference_kind"] == "frequency list"
    assert "frequency list" in kt.attrs["unit_inference"]
    assert kt.attrs["resampled"]["reference"] == "nothing (a frequency list)"
    assert kt.loc["防控", "log_ratio_low"] <= kt.loc["防控", "log_ratio"] <= kt.loc["防控", "log_ratio_high"]
    assert keyness_reference(T, {"防控": 3, "经济": 11, "民生": 6}, min_count=1, n_boot=0)["g2"].tolist() == \
        pytest.approx(keyness_reference(T, freq, min_count=1, n_boot=0)["g2"].tolist())


@pytest.mark.parametrize("table, message", [
    (pd.DataFrame({"term": ["a"]}), "needs columns `term` and `count`"),
    (pd.DataFrame({"term": ["a", " "], "count": [1, 2]}), r"row 2: `term` is blank"),
    (pd.DataFrame({"term": ["a", "a"], "count": [1, 2]}), "occur more than once"),
    (pd.DataFrame({"term": ["a", "b"], "count": [1, -2]}), r"row 2 \('b'\): `count` must be a whole number"),
    (pd.DataFrame({"term": ["a", "b"], "count": [1, 2.5]}), r"row 2 \('b'\)"),
    (pd.DataFrame({"term": ["a", "b"], "count": [1, "x"]}), r"row 2 \('b'\)"),
])
def test_bad_frequency_list(table, message):
    with pytest.raises(ValueError, match=message):
        reference_frequencies(table)


def test_reference_sharing_units_is_an_error():
    with pytest.raises(ValueError, match=r"in both the target and the reference"):
        keyness_reference(T, T.iloc[:2], min_count=1, n_boot=0)


def test_one_vs_rest_prose():
    from analysis.measures.keyness_groups import one_vs_rest_prose

    kt = keyness_one_vs_rest(T, "place", min_count=1)
    text = one_vs_rest_prose(kt)
    assert text.startswith("3 groups of `place`, each against all the others; 9 tests in all")
    assert f"p < {0.05 / 9:.1e}" in text
    n_sig = int(((kt.g2 > 0) & kt.significant_all).sum())
    assert (f"{n_sig} over-used terms pass it" in text) if n_sig else ("No over-used term passes it" in text)
    assert "1 of the 3 groups rest on a single unit" in text


def test_reference_as_corpus_tables_is_segmented_like_the_matrix():
    a = pd.DataFrame({"unit_id": ["t1", "t2"], "text": ["会议强调，要坚持动态清零。", "会议指出，坚持动态清零，严防层层加码。"]})
    b = pd.DataFrame({"unit_id": ["r1"], "text": ["新闻报道了疫情防控工作，各地优化措施。"]})
    from_tables = keyness_reference(a, b, min_count=1, n_boot=0)
    from_matrices = keyness_reference(A.document_term_matrix(a), A.document_term_matrix(b), min_count=1, n_boot=0)
    pd.testing.assert_frame_equal(from_tables, from_matrices)
    assert from_tables.set_index("term").loc["动态清零", "count_target"] == 2
