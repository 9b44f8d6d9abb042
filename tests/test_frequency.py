"""Frequencies, TF-IDF and similarity against hand computations."""
import math

import numpy as np
import pandas as pd
import pytest

import analysis as A

TOY = pd.DataFrame({
    "unit_id": ["a", "b", "c"],
    "g": ["x", "x", "y"],
    "h": ["p", "q", "p"],
    "tokens": [["清零", "清零", "防控"], ["防控", "快"], ["优化", "防控"]],
})


def test_term_frequencies_by_hand():
    f = A.term_frequencies(TOY, "g")
    x = f[f.g == "x"].set_index("term")
    # group x: 5 tokens; 清零 2, 防控 2, 快 1
    assert x.loc["清零", "count"] == 2 and x.loc["清零", "per_10k"] == pytest.approx(4000)
    assert x.loc["防控", "n_units"] == 2 and x.loc["清零", "n_units"] == 1
    assert x.loc["快", "per_10k"] == pytest.approx(2000)
    assert list(f[f.g == "x"].term) == ["清零", "防控", "快"]  # count desc, then term
    assert set(f[f.g == "y"].term) == {"优化", "防控"}


def test_term_frequencies_by_two_columns():
    f = A.term_frequencies(TOY, ["g", "h"])
    assert set(map(tuple, f[["g", "h"]].drop_duplicates().values)) == {("x", "p"), ("x", "q"), ("y", "p")}
    assert f[(f.g == "x") & (f.h == "q") & (f.term == "快")].per_10k.item() == pytest.approx(5000)


@pytest.mark.parametrize("by, msg", [("nope", "unknown column 'nope'"), ([], "at least one column")])
def test_bad_grouping(by, msg):
    with pytest.raises(ValueError, match=msg):
        A.term_frequencies(TOY, by)


def test_empty_group_value_is_an_error(corpus, tokenized):
    with pytest.raises(ValueError, match="column 'province' is empty for units"):
        A.term_frequencies(tokenized, "province")


def _tfidf_by_hand(docs):
    vocab = sorted({t for d in docs for t in d})
    n = len(docs)
    idf = {t: math.log((1 + n) / (1 + sum(t in d for d in docs))) + 1 for t in vocab}
    rows = []
    for d in docs:
        v = np.array([d.count(t) * idf[t] for t in vocab])
        rows.append(v / np.linalg.norm(v))
    return vocab, np.array(rows)


def test_tfidf_matches_formula_and_keeps_single_character_terms():
    top = A.top_tfidf_terms(TOY, "g", n=10)
    vocab, w = _tfidf_by_hand([["清零", "清零", "防控", "防控", "快"], ["优化", "防控"]])
    for gi, g in enumerate(["x", "y"]):
        got = top[top.g == g].set_index("term")["tfidf"]
        for t, val in got.items():
            assert val == pytest.approx(w[gi, vocab.index(t)])
    assert "快" in set(top.term)  # the default token_pattern would drop it
    assert top[top.g == "x"].iloc[0].term == "清零" and top[top.g == "x"].iloc[0]["rank"] == 1


def test_unit_level_tfidf_is_mean_of_unit_weights():
    top = A.top_tfidf_terms(TOY, "g", n=10, unit_level=True)
    vocab, w = _tfidf_by_hand(list(TOY.tokens))
    expected = w[:2].mean(axis=0)
    got = top[top.g == "x"].set_index("term")["tfidf"]
    for t, val in got.items():
        assert val == pytest.approx(expected[vocab.index(t)])


def test_similarity_is_cosine_of_tfidf_vectors():
    sim = A.similarity(TOY, "g")
    _, w = _tfidf_by_hand([["清零", "清零", "防控", "防控", "快"], ["优化", "防控"]])
    assert sim.loc["x", "y"] == pytest.approx(float(w[0] @ w[1]))
    assert np.allclose(np.diag(sim), 1) and np.allclose(sim, sim.T)


def test_real_corpus_rates_sum_to_10000(tokenized):
    units = tokenized[tokenized.level == "provincial"]
    f = A.term_frequencies(units, "period")
    assert f.groupby("period").per_10k.sum().round(6).tolist() == [10000.0, 10000.0]
    assert f.groupby("period")["count"].sum().to_dict() == units.groupby("period").n_tokens.sum().to_dict()
