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


# --- the matrix path against the token-list implementation it replaced -------------------------
# Reference: the functions of analysis/frequency.py before the document-term matrix (counting the
# token lists with collections.Counter, TF-IDF with TfidfVectorizer on the lists), kept here verbatim
# so the matrix path is checked against an independent implementation on the seed corpus.

def _ref_term_frequencies(corpus, cols):
    from collections import Counter
    rows = []
    for key, grp in corpus.groupby(cols, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        counts, units = Counter(), Counter()
        for toks in grp["tokens"]:
            counts.update(toks)
            units.update(set(toks))
        total = sum(counts.values())
        for term, n in counts.items():
            rows.append((*key, term, n, n / total * 10_000 if total else np.nan, units[term], len(grp)))
    out = pd.DataFrame(rows, columns=[*cols, "term", "count", "per_10k", "n_units", "n_units_group"])
    return out.sort_values([*cols, "count", "term"], ascending=[True] * len(cols) + [False, True],
                           kind="mergesort").reset_index(drop=True)


def _ref_tfidf(docs):
    from sklearn.feature_extraction.text import TfidfVectorizer
    vec = TfidfVectorizer(analyzer=lambda x: x, lowercase=False, token_pattern=None)
    return vec, vec.fit_transform(docs)


def _ref_grouped(corpus, cols):
    key = cols[0] if len(cols) == 1 else cols
    return corpus.groupby(key, sort=True)["tokens"].agg(lambda s: [t for toks in s for t in toks])


def _ref_top_tfidf(corpus, cols, n, unit_level):
    if unit_level:
        vec, m = _ref_tfidf(list(corpus["tokens"]))
        terms = vec.get_feature_names_out()
        keys = [tuple(r) for r in corpus[cols].itertuples(index=False)]
        groups = sorted(set(keys))
        weights = np.vstack([np.asarray(m[[i for i, k in enumerate(keys) if k == g]].mean(axis=0)).ravel()
                             for g in groups])
    else:
        grouped = _ref_grouped(corpus, cols)
        groups = [k if isinstance(k, tuple) else (k,) for k in grouped.index]
        vec, m = _ref_tfidf(list(grouped))
        terms = vec.get_feature_names_out()
        weights = m.toarray()
    rows = []
    for g, w in zip(groups, weights):
        order = sorted((i for i in np.flatnonzero(w > 0)), key=lambda i: (-round(w[i], 12), terms[i]))
        for r, i in enumerate(order[:n], 1):
            rows.append((*g, terms[i], float(w[i]), r))
    return pd.DataFrame(rows, columns=[*cols, "term", "tfidf", "rank"])


def _ref_similarity(corpus, cols):
    from sklearn.metrics.pairwise import cosine_similarity
    grouped = _ref_grouped(corpus, cols)
    _, m = _ref_tfidf(list(grouped))
    labels = [" / ".join(map(str, k)) if isinstance(k, tuple) else k for k in grouped.index]
    return pd.DataFrame(cosine_similarity(m), index=labels, columns=labels)


SEED_SELECTIONS = {
    "periods": (lambda c: c.level.isin(["provincial", "municipal"]) & (c.unit_id != "henan-20221111-bjyouth"),
                ["period"]),
    "places": (lambda c: (c.period == "2022-11") & c.level.isin(["provincial", "municipal"]), ["place"]),
    "period-level": (lambda c: c.unit_id == c.unit_id, ["period", "level"]),
}


@pytest.mark.parametrize("name", SEED_SELECTIONS)
def test_matrix_path_is_identical_to_token_lists_on_the_seed_corpus(tokenized, name):
    select, cols = SEED_SELECTIONS[name]
    units = tokenized[select(tokenized)].reset_index(drop=True)
    dtm = A.document_term_matrix(units)           # counted from the token lists...
    dtm_text = A.document_term_matrix(units.drop(columns=["tokens", "sentences"]), use_cache=False)
    assert dtm_text.vocab == dtm.vocab and (dtm_text.counts != dtm.counts).nnz == 0  # ...or segmented
    for obj in (units, dtm, dtm_text):
        # counts and rates: bit-identical
        pd.testing.assert_frame_equal(A.term_frequencies(obj, cols), _ref_term_frequencies(units, cols),
                                      check_exact=True)
        # TF-IDF: the same terms and ranks; weights equal to the last bits (CountVectorizer stores a
        # row's terms in order of first occurrence, the matrix in vocabulary order, so the L2 norm
        # adds the same squares in another order)
        for unit_level in (False, True):
            got = A.top_tfidf_terms(obj, cols, n=25, unit_level=unit_level)
            ref = _ref_top_tfidf(units, cols, 25, unit_level)
            pd.testing.assert_frame_equal(got.drop(columns="tfidf"), ref.drop(columns="tfidf"), check_exact=True)
            np.testing.assert_allclose(got.tfidf, ref.tfidf, rtol=1e-13, atol=0)
        got, ref = A.similarity(obj, cols), _ref_similarity(units, cols)
        assert got.index.tolist() == ref.index.tolist() == got.columns.tolist()
        np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-13, atol=1e-15)


def test_a_subset_matrix_keeps_unused_columns_without_changing_results(tokenized):
    dtm = A.document_term_matrix(tokenized)
    nov = tokenized[tokenized.period == "2022-11"].reset_index(drop=True)
    sub = dtm.subset(dtm.docvars["period"] == "2022-11")
    assert sub.shape[1] > len({t for toks in nov.tokens for t in toks})  # terms only Aug 2021 has
    got, ref = A.top_tfidf_terms(sub, "level"), _ref_top_tfidf(nov, ["level"], 20, False)
    assert got[["level", "term", "rank"]].equals(ref[["level", "term", "rank"]])
    np.testing.assert_allclose(got.tfidf, ref.tfidf, rtol=1e-13, atol=0)
    np.testing.assert_allclose(A.similarity(sub, "level"), _ref_similarity(nov, ["level"]), rtol=1e-13)
