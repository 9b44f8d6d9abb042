"""Collocation measures on a toy corpus computed by hand, against a naive implementation,
and the collocate comparison on the seed corpus."""
from math import log

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from analysis.measures.collocations import (NodeAbsentError, collocate_matrix, collocation_scores, node_family,
                                            collocation_summary, collocations, compare_collocates,
                                            comparison_summary, node_span)
from analysis.text.positions import TokenPositions

#: three units; sentences as token lists; 的 is a stopword (a position, never reported)
TOY = [[["x", "a", "N", "b", "的"], ["N", "a"]],
       [["c", "N", "N", "a", "b", "c"]],
       [["a", "b", "c", "d"]]]


def positions_from(units, kept_types, docvars=None):
    """TokenPositions written directly from token lists (no segmenter involved)."""
    vocab = tuple(sorted({t for u in units for s in u for t in s}))
    index = {t: i for i, t in enumerate(vocab)}
    ids = [index[t] for u in units for s in u for t in s]
    sent_len = [len(s) for u in units for s in u]
    per_unit = [len(u) for u in units]
    docvars = docvars if docvars is not None else pd.DataFrame({"unit_id": [f"u{i}" for i in range(len(units))]})
    return TokenPositions(np.asarray(ids, dtype=np.int32), vocab, np.array([t in kept_types for t in vocab]),
                          np.concatenate([[0], np.cumsum(sent_len)]).astype(np.int64),
                          np.concatenate([[0], np.cumsum(per_unit)]).astype(np.int64), docvars,
                          tuple("".join(t for s in u for t in s) for u in units), frozenset())


@pytest.fixture
def toy():
    return positions_from(TOY, {"N", "a", "b", "c", "d", "x"})


def test_span_by_hand(toy):
    # N at 2, 5, 8, 9; ±2 within sentences: {0,1,3,4} ∪ {6} ∪ {7,10} ∪ {7,10,11}, node positions removed
    node_pos, span = node_span(toy, "N", 2)
    assert node_pos.tolist() == [2, 5, 8, 9]
    assert span.tolist() == [0, 1, 3, 4, 6, 7, 10, 11]


# N = 17 positions, f1 = 4, R1 = 8; E11 = 8·f2/17
HAND = {  # collocate: O11, f2, E11, MI, t, log-Dice, signed G², units
    "a": (3, 4, 8 * 4 / 17, 0.6724253420, 0.6452738303, 13.5849625007, 1.6862259792, 2),
    "b": (2, 3, 8 * 3 / 17, 0.5025003405, 0.4159451654, 13.1926450779, 0.5676346976, 2),
    "c": (1, 3, 8 * 3 / 17, -0.4974996595, -0.4117647059, 12.1926450779, -0.2809405735, 1),
    "x": (1, 1, 8 * 1 / 17, 1.0874628413, 0.5294117647, 12.6780719051, 1.5780920061, 1),
}


def test_measures_by_hand(toy):
    t = collocations(toy, "N", 2, min_count=1).set_index("collocate")
    assert sorted(t.index) == ["a", "b", "c", "x"]  # 的 fills a position but is not reported; N is the node
    for term, (o11, f2, e, mi, ts, ld, g, units) in HAND.items():
        row = t.loc[term]
        assert (row["frequency"], row["f_collocate"], row["n_units"]) == (o11, f2, units)
        assert row["expected"] == pytest.approx(e, abs=1e-12)
        assert row["mi"] == pytest.approx(mi, abs=1e-9)          # log2(3 / (32/17)) for a
        assert row["t_score"] == pytest.approx(ts, abs=1e-9)     # (3 - 32/17) / sqrt(3)
        assert row["log_dice"] == pytest.approx(ld, abs=1e-9)    # 14 + log2(2·3 / (4 + 4))
        assert row["g2"] == pytest.approx(g, abs=1e-9)
    assert (t["f_node"] == 4).all() and (t["span_positions"] == 8).all() and (t["n_positions"] == 17).all()
    assert list(t.index) == ["a", "b", "x", "c"]  # log-Dice descending


def test_g2_agrees_with_scipy():
    o11, f2, r1, n = 7, 20, 60, 900
    table = np.array([[o11, r1 - o11], [f2 - o11, n - r1 - f2 + o11]])
    expected = chi2_contingency(table, correction=False, lambda_="log-likelihood")[0]
    got = collocation_scores(o11, 12, f2, r1, n)["g2"]
    assert float(got) == pytest.approx(expected, rel=1e-12)
    # the published log-Dice bound: a pair that always co-occurs, f_xy = f_x = f_y, scores 14
    assert float(collocation_scores(5, 5, 5, 50, 1000)["log_dice"]) == pytest.approx(14.0)


def naive_collocates(units, node, window, kept):
    """Straightforward loops: merged spans per sentence, node occurrences excluded."""
    counts = {}
    for u in units:
        for s in u:
            span = set()
            for i, t in enumerate(s):
                if t == node:
                    span.update(j for j in range(max(0, i - window), min(len(s), i + window + 1)))
            for j in sorted(span):
                if s[j] != node and s[j] in kept:
                    counts[s[j]] = counts.get(s[j], 0) + 1
    return counts


def test_against_naive_loops_on_random_text():
    rng = np.random.default_rng(1)
    types = list("ABCDEFGH") + ["的"]
    units = [[list(rng.choice(types, size=rng.integers(1, 12))) for _ in range(rng.integers(1, 5))]
             for _ in range(30)]
    kept = set("ABCDEFGH")
    pos = positions_from(units, kept)
    for window in (1, 3, 7):
        t = collocations(pos, "A", window, min_count=1)
        assert dict(zip(t["collocate"], t["frequency"])) == naive_collocates(units, "A", window, kept)
        merged = collocate_matrix(pos, "A", window)
        sums = np.asarray(merged.counts.sum(axis=0)).ravel()
        assert {t: int(n) for t, n in zip(merged.vocab, sums) if n} == naive_collocates(units, "A", window, kept)


def test_by_groups_use_their_own_totals(toy):
    groups = np.array(["g1", "g2", "g2"])
    t = collocations(toy, "N", 2, by=groups, min_count=1)
    g1 = t[t["group"] == "g1"].set_index("collocate")
    assert g1.loc["a", "n_positions"] == 7 and g1.loc["a", "f_collocate"] == 2 and g1.loc["a", "f_node"] == 2
    g3 = collocations(toy, "N", 2, by=np.array(["g1", "g1", "g3"]), min_count=1)
    assert g3.attrs["groups_without_node"] == ["g3"]
    assert "g3: N does not occur" in collocation_summary(g3)


def test_node_set_is_one_node(toy):
    t = collocations(toy, ["N", "x"], 2, min_count=1)
    assert "x" not in set(t["collocate"]) and t["f_node"].iat[0] == 5


@pytest.mark.parametrize("window", [0, -1, 2.5, True])
def test_window_must_be_a_positive_integer(toy, window):
    with pytest.raises(ValueError, match="window must be a whole number"):
        collocations(toy, "N", window)


def test_absent_node_says_why():
    pos = positions_from([[["动态清零", "坚持"], ["清零行动", "动态清零"]]], {"动态清零", "坚持", "清零行动"})
    with pytest.raises(NodeAbsentError, match=r"'清零' occurs 3 times in the texts but is never a token.*"
                                              r"动态清零 ×2、清零行动 ×1.*not in the lexicon"):
        collocations(pos, "清零")
    with pytest.raises(NodeAbsentError, match="'火星' does not occur in the texts"):
        collocations(pos, "火星")


# ---------------------------------------------------------------- seed corpus

@pytest.fixture(scope="module")
def seed_positions(corpus, segmenter, tmp_path_factory):
    from analysis.text.positions import token_positions

    return token_positions(corpus, segmenter, cache_dir=tmp_path_factory.mktemp("positions"))


def test_comparison_is_keyness_of_span_counts(seed_positions):
    kt = compare_collocates(seed_positions, "防控", "period", "2022-11", "2021-08", n_boot=0)
    cm = collocate_matrix(seed_positions, "防控", 5)
    period = cm.docvars["period"].to_numpy()
    for row in kt.head(5).itertuples():
        col = cm.column(row.term)
        assert row.count_target == col[period == "2022-11"].sum()
        assert row.count_reference == col[period == "2021-08"].sum()
    # sampled units: documents (no meeting_id yet); the single 2021 document makes no between-unit test
    assert kt.attrs["sample"] in ("meeting_id", "doc_id")
    assert kt.attrs["sampled_reference"] == 1 and kt["p_perm_units"].isna().all()
    assert "single unit" in comparison_summary(kt)
    assert kt.attrs["node_reference"] == int(cm.docvars.loc[period == "2021-08", "node_count"].sum())


def test_comparison_empty_side_is_named(seed_positions):
    with pytest.raises(ValueError, match=r"does not occur in the reference \(period = 2021-08: 2 units"):
        compare_collocates(seed_positions, "精准", "period", "2022-11", "2021-08")
    with pytest.raises(ValueError, match="unknown period value"):
        compare_collocates(seed_positions, "精准", "period", "2023-01")


def test_groups_equal_separate_subsets(toy):
    groups = np.array(["g1", "g2", "g2"])
    t = collocations(toy, "N", 2, by=groups, min_count=1)
    for g in ("g1", "g2"):
        alone = collocations(toy.subset(groups == g), "N", 2, min_count=1)
        got = t[t["group"] == g].drop(columns="group").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, alone.reset_index(drop=True))


def test_node_family_collects_longer_tokens():
    pos = positions_from([[["动态清零", "坚持", "清零"], ["双清零", "动态清零", "的清零"]]],
                         {"动态清零", "坚持", "清零", "双清零"})
    # 动态清零 twice, then 双清零 and 清零 once each (code point order); 的清零 is not a counted token
    assert node_family(pos, "清零") == ["动态清零", "双清零", "清零"]
    with pytest.raises(NodeAbsentError, match="does not occur"):
        node_family(pos, "火星")


def test_node_family_leaves_out_titles():
    pos = positions_from([[["防控", "《防控方案》", "疫情防控"]]], {"防控", "《防控方案》", "疫情防控"})
    assert node_family(pos, "防控") == ["疫情防控", "防控"]


def test_published_bigram_values_of_manning_and_schuetze():
    """Manning & Schütze (1999), Foundations of Statistical NLP: a bigram is a span of one position,
    so R1 = f1.  "new companies" (§5.3.1): f(new) = 15,828, f(companies) = 4,675, 8 together in
    N = 14,307,668 tokens, t = 0.999932; "Ayatollah Ruhollah" (§5.4): 42, 20, 20 together, I = 18.38 bits."""
    n = 14_307_668
    t = collocation_scores(8, 15_828, 4_675, 15_828, n)["t_score"]
    assert float(t) == pytest.approx(0.999932, abs=5e-7)
    mi = collocation_scores(20, 42, 20, 42, n)["mi"]
    assert float(mi) == pytest.approx(18.38, abs=0.005)
