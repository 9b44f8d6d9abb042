"""Document-term matrix: construction, grouping and selection against plain counting."""
from collections import Counter

import numpy as np
import pandas as pd
import pytest

import analysis as A
from analysis.matrix import DocumentTermMatrix, as_dtm, document_term_matrix, dtm_from_tokens


@pytest.fixture
def small():
    return pd.DataFrame({"unit_id": ["a", "b", "c"], "g": ["x", "y", "x"], "text": ["", "", ""],
                         "tokens": [["清零", "防控", "清零"], ["防控"], ["精准", "清零"]]})


def test_counts_vocab_and_docvars(small):
    m = dtm_from_tokens(small["tokens"], small)
    assert m.vocab == ("清零", "精准", "防控")
    assert m.counts.toarray().tolist() == [[2, 0, 1], [0, 0, 1], [1, 1, 0]]
    assert m.n_tokens.tolist() == [3, 1, 2]
    assert list(m.docvars.columns) == ["unit_id", "g"]
    assert m.column("清零").tolist() == [2, 0, 1] and m.column("未知").tolist() == [0, 0, 0]


def test_group_sums_rows_in_sorted_group_order(small):
    keys, g = as_dtm(small).group("g")
    assert keys["g"].tolist() == ["x", "y"]
    assert g.toarray().tolist() == [[3, 1, 1], [0, 0, 1]]
    keys, g = as_dtm(small).group(np.array(["p", "p", "q"]))
    assert keys["group"].tolist() == ["p", "q"] and g.toarray().tolist() == [[2, 0, 2], [1, 1, 0]]


def test_subset_and_errors(small):
    m = as_dtm(small)
    s = m.subset(m.docvars["g"] == "x")
    assert s.docvars["unit_id"].tolist() == ["a", "c"] and s.vocab == m.vocab
    with pytest.raises(ValueError, match="unknown column"):
        m.group("nope")
    with pytest.raises(ValueError, match="empty for units \\['b'\\]"):
        m.group(np.array(["p", "", "q"]))
    with pytest.raises(ValueError, match="no `tokens` column"):
        as_dtm(small.drop(columns="tokens"))
    with pytest.raises(ValueError, match="shape"):
        DocumentTermMatrix(m.counts, m.vocab[:2], m.docvars)


def test_real_corpus_matrix_equals_token_counts(corpus, tokenized):
    m = document_term_matrix(tokenized)
    assert m.shape[0] == len(tokenized)
    for i, toks in enumerate(tokenized["tokens"]):
        row = m.counts[i]
        assert Counter(toks) == {m.vocab[j]: int(v) for j, v in zip(row.indices, row.data)}
    keys, g = m.group("period")
    for k, row in zip(keys["period"], g.toarray()):
        expected = Counter(t for toks in tokenized.loc[tokenized.period == k, "tokens"] for t in toks)
        assert dict(zip(np.array(m.vocab)[row > 0], row[row > 0])) == expected
