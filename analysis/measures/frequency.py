"""Term frequencies, TF-IDF and similarity, grouped by any metadata column.

Every function takes a :class:`analysis.DocumentTermMatrix` (or a tokenized corpus
table, converted with :func:`analysis.as_dtm`) and a grouping ``by`` (a column name or
a list of names), computes from the matrix by summing rows per group, and returns a
tidy DataFrame sorted deterministically (ties broken by term), so CSV outputs are
byte-identical across runs.  The token lists are never needed: the same code serves
five documents and 36,000 news stories.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

from analysis.text.matrix import DocumentTermMatrix, as_dtm

__all__ = ["term_frequencies", "top_tfidf_terms", "similarity", "group_tokens", "check_by"]


def check_by(corpus: pd.DataFrame, by) -> list[str]:
    """Validate a grouping argument; return it as a list of column names.

    Raises
    ------
    ValueError
        If ``corpus`` has no ``tokens`` column, a column is missing, or a grouping
        value is empty (e.g. ``province`` of national units) — filter those rows first.
    """
    if "tokens" not in corpus.columns:
        raise ValueError("corpus has no `tokens` column; run tokenize_corpus(corpus) first")
    cols = [by] if isinstance(by, str) else list(by)
    if not cols:
        raise ValueError("`by` must name at least one column")
    for c in cols:
        if c not in corpus.columns:
            raise ValueError(f"unknown column {c!r} in by=; available: "
                             f"{[x for x in corpus.columns if x not in ('text', 'tokens', 'sentences')]}")
        empty = corpus[c].isna() | (corpus[c].astype(str).str.strip() == "")
        if empty.any():
            ids = list(corpus.loc[empty, "unit_id"]) if "unit_id" in corpus else list(corpus.index[empty])
            raise ValueError(f"column {c!r} is empty for units {ids}; select the rows to "
                             f"compare first, e.g. corpus[corpus.level == 'provincial']")
    if len(corpus) == 0:
        raise ValueError("the corpus table is empty; check the row filter")
    return cols


def group_tokens(corpus: pd.DataFrame, by) -> pd.Series:
    """Concatenate the token lists of each group (index: the group keys, sorted)."""
    cols = check_by(corpus, by)
    key = cols[0] if len(cols) == 1 else cols
    return corpus.groupby(key, sort=True)["tokens"].agg(lambda s: [t for toks in s for t in toks])


def _check_dtm_by(dtm: DocumentTermMatrix, by) -> list[str]:
    """:func:`check_by` for the matrix's docvars (same messages)."""
    if isinstance(by, str):
        cols = [by]
    else:
        cols = list(by)
    if not cols:
        raise ValueError("`by` must name at least one column")
    dv = dtm.docvars
    for c in cols:
        if not isinstance(c, str) or c not in dv.columns:
            raise ValueError(f"unknown column {c!r} in by=; available: {list(dv.columns)}")
        empty = dv[c].isna() | (dv[c].astype(str).str.strip() == "")
        if empty.any():
            ids = list(dv.loc[empty, "unit_id"]) if "unit_id" in dv else list(dv.index[empty])
            raise ValueError(f"column {c!r} is empty for units {ids}; select the rows to "
                             f"compare first, e.g. corpus[corpus.level == 'provincial']")
    if dtm.shape[0] == 0:
        raise ValueError("the corpus table is empty; check the row filter")
    return cols


def _grouped(obj, by):
    """(dtm, cols, keys, group counts with only the columns that occur, their terms)."""
    dtm = as_dtm(obj)
    cols = _check_dtm_by(dtm, by)
    keys, g = dtm.group(cols)
    used = np.flatnonzero(np.asarray(g.sum(axis=0)).ravel() > 0)
    return dtm, cols, keys, g[:, used].tocsr(), np.asarray(dtm.vocab, dtype=object)[used], used


def term_frequencies(corpus, by) -> pd.DataFrame:
    """Count every term per group.

    Parameters
    ----------
    corpus : DocumentTermMatrix or pandas.DataFrame
        The matrix (:func:`analysis.document_term_matrix`) or a tokenized corpus table.
    by : str or list of str
        Grouping column(s), e.g. ``"period"`` or ``["period", "province"]``.

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>...``, ``term``, ``count`` (occurrences), ``per_10k`` (count per
        10,000 kept tokens of the group), ``n_units`` (units of the group that contain
        the term) and ``n_units_group`` (units in the group).  Sorted by group, then
        ``count`` descending, then term.

    Examples
    --------
    >>> df = pd.DataFrame({"unit_id": ["a", "b"], "g": ["x", "x"],
    ...                    "tokens": [["清零", "清零", "防控"], ["防控"]]})
    >>> term_frequencies(df, "g")[["term", "count", "per_10k", "n_units"]].values.tolist()
    [['清零', 2, 5000.0, 1], ['防控', 2, 5000.0, 2]]
    """
    dtm, cols, keys, g, terms, used = _grouped(corpus, by)
    present = dtm.counts[:, used].tocsr()
    present.data = np.ones_like(present.data)
    _, units = DocumentTermMatrix(present, tuple(terms), dtm.docvars).group(cols)
    _, sizes = DocumentTermMatrix(sparse.csr_matrix(np.ones((dtm.shape[0], 1), dtype="int64")),
                                  ("n",), dtm.docvars).group(cols)
    g = g.tocoo()
    units = units.tocsr()
    counts = g.data.astype("int64")
    totals = np.asarray(g.tocsr().sum(axis=1)).ravel().astype(float)
    per_10k = counts / totals[g.row] * 10_000
    out = keys.iloc[g.row].reset_index(drop=True)
    out["term"] = terms[g.col].tolist()
    out["count"] = counts
    out["per_10k"] = per_10k
    out["n_units"] = np.asarray(units[g.row, g.col]).ravel().astype("int64")
    out["n_units_group"] = sizes.toarray().ravel().astype("int64")[g.row]
    out = out.sort_values([*cols, "count", "term"], ascending=[True] * len(cols) + [False, True],
                          kind="mergesort").reset_index(drop=True)
    return out


def _tfidf(counts) -> sparse.csr_matrix:
    """scikit-learn's TF-IDF (smoothed idf, L2 norm) of a count matrix."""
    from sklearn.feature_extraction.text import TfidfTransformer  # here: scikit-learn takes 0.5 s to import

    return TfidfTransformer().fit_transform(counts)


def top_tfidf_terms(corpus, by, n: int = 20, *, unit_level: bool = False) -> pd.DataFrame:
    """The ``n`` terms with the highest TF-IDF weight in each group.

    TF-IDF is scikit-learn's default (raw counts × smoothed idf
    ``ln((1 + N) / (1 + df)) + 1``, rows L2-normalised; Salton & Buckley 1988),
    computed on the matrix counts (so one-character terms, if kept, are not dropped by
    a token pattern).

    Parameters
    ----------
    corpus : DocumentTermMatrix or pandas.DataFrame
        The matrix or a tokenized corpus table.
    by : str or list of str
        Grouping column(s).
    n : int, default 20
        Terms per group.
    unit_level : bool, default False
        False: each group is one document (idf over groups).  True: each unit is a
        document (idf over units) and a term's group weight is its mean weight over
        the group's units.

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>...``, ``term``, ``tfidf``, ``rank`` (1 = highest; ties broken by
        term).
    """
    if n < 1:
        as_dtm(corpus)
        raise ValueError("n must be >= 1")
    dtm, cols, keys, g, terms, used = _grouped(corpus, by)
    groups = [tuple(r) for r in keys.itertuples(index=False)]
    if unit_level:
        m = _tfidf(dtm.counts[:, used])
        labels = [tuple(r) for r in dtm.docvars[cols].itertuples(index=False)]
        weights = np.vstack([np.asarray(m[[i for i, k in enumerate(labels) if k == grp]].mean(axis=0)).ravel()
                             for grp in groups])
    else:
        weights = _tfidf(g).toarray()
    rows = []
    for grp, w in zip(groups, weights):
        order = sorted((i for i in np.flatnonzero(w > 0)), key=lambda i: (-round(w[i], 12), terms[i]))
        for r, i in enumerate(order[:n], 1):
            rows.append((*grp, terms[i], float(w[i]), r))
    return pd.DataFrame(rows, columns=[*cols, "term", "tfidf", "rank"])


def similarity(corpus, by) -> pd.DataFrame:
    """Cosine similarity of the groups' TF-IDF vectors.

    Parameters
    ----------
    corpus : DocumentTermMatrix or pandas.DataFrame
        The matrix or a tokenized corpus table.
    by : str
        Grouping column (each group is one document, as in :func:`top_tfidf_terms`).

    Returns
    -------
    pandas.DataFrame
        Square, symmetric, index and columns = the sorted group labels, diagonal 1.
    """
    dtm, cols, keys, g, terms, used = _grouped(corpus, by)
    from sklearn.metrics.pairwise import cosine_similarity

    sim = cosine_similarity(_tfidf(g))
    labels = [" / ".join(map(str, r)) if len(cols) > 1 else r[0] for r in keys.itertuples(index=False)]
    return pd.DataFrame(sim, index=labels, columns=labels)
