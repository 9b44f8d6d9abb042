"""Term frequencies, TF-IDF and similarity, grouped by any metadata column.

Every function takes the tokenized corpus table (see :func:`analysis.tokenize_corpus`)
and a grouping ``by`` (a column name or a list of names), and returns a tidy
DataFrame sorted deterministically (ties broken by term), so CSV outputs are
byte-identical across runs.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

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


def term_frequencies(corpus: pd.DataFrame, by) -> pd.DataFrame:
    """Count every term per group.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Tokenized corpus table.
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
    cols = check_by(corpus, by)
    rows = []
    for key, grp in corpus.groupby(cols, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        counts: Counter = Counter()
        units: Counter = Counter()
        for toks in grp["tokens"]:
            counts.update(toks)
            units.update(set(toks))
        total = sum(counts.values())
        for term, n in counts.items():
            rows.append((*key, term, n, n / total * 10_000 if total else np.nan,
                         units[term], len(grp)))
    out = pd.DataFrame(rows, columns=[*cols, "term", "count", "per_10k", "n_units", "n_units_group"])
    out = out.sort_values([*cols, "count", "term"], ascending=[True] * len(cols) + [False, True],
                          kind="mergesort").reset_index(drop=True)
    return out


def _identity(tokens):
    return tokens


def _tfidf(docs: list[list[str]]):
    vec = TfidfVectorizer(analyzer=_identity, lowercase=False, token_pattern=None)
    matrix = vec.fit_transform(docs)
    return vec, matrix


def top_tfidf_terms(corpus: pd.DataFrame, by, n: int = 20, *, unit_level: bool = False) -> pd.DataFrame:
    """The ``n`` terms with the highest TF-IDF weight in each group.

    TF-IDF is scikit-learn's default (raw counts × smoothed idf
    ``ln((1 + N) / (1 + df)) + 1``, rows L2-normalised), computed with our tokens as
    the analyzer (so one-character terms, if kept, are not dropped by a token pattern).

    Parameters
    ----------
    corpus : pandas.DataFrame
        Tokenized corpus table.
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
    cols = check_by(corpus, by)
    if n < 1:
        raise ValueError("n must be >= 1")
    if unit_level:
        vec, m = _tfidf(list(corpus["tokens"]))
        terms = vec.get_feature_names_out()
        keys = [tuple(r) for r in corpus[cols].itertuples(index=False)]
        groups = sorted(set(keys))
        weights = np.vstack([np.asarray(m[[i for i, k in enumerate(keys) if k == g]].mean(axis=0)).ravel()
                             for g in groups])
    else:
        grouped = group_tokens(corpus, cols)
        groups = [k if isinstance(k, tuple) else (k,) for k in grouped.index]
        vec, m = _tfidf(list(grouped))
        terms = vec.get_feature_names_out()
        weights = m.toarray()
    rows = []
    for g, w in zip(groups, weights):
        order = sorted((i for i in np.flatnonzero(w > 0)), key=lambda i: (-round(w[i], 12), terms[i]))
        for r, i in enumerate(order[:n], 1):
            rows.append((*g, terms[i], float(w[i]), r))
    return pd.DataFrame(rows, columns=[*cols, "term", "tfidf", "rank"])


def similarity(corpus: pd.DataFrame, by) -> pd.DataFrame:
    """Cosine similarity of the groups' TF-IDF vectors.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Tokenized corpus table.
    by : str
        Grouping column (each group is one document, as in :func:`top_tfidf_terms`).

    Returns
    -------
    pandas.DataFrame
        Square, symmetric, index and columns = the sorted group labels, diagonal 1.
    """
    cols = check_by(corpus, by)
    grouped = group_tokens(corpus, cols)
    _, m = _tfidf(list(grouped))
    sim = cosine_similarity(m)
    labels = [" / ".join(map(str, k)) if isinstance(k, tuple) else k for k in grouped.index]
    return pd.DataFrame(sim, index=labels, columns=labels)
