"""Keyness: which terms are characteristic of a target group against a reference.

Three measures, each a small vectorised function of counts, then :func:`keyness`,
which builds the table.

* :func:`g2` — Dunning's (1993) log-likelihood G², full 2×2 form as in Rayson &
  Garside (2000), no continuity correction; signed: positive when the term is
  relatively more frequent in the target.  Significance, not size.
* :func:`log_ratio` — Hardie's (2014) Log Ratio, the binary log of the ratio of
  relative frequencies; a zero count is replaced by 0.5.  Effect size: +1 means
  twice as frequent in the target.
* :func:`log_odds_z` — Monroe, Colaresi & Quinn's (2008) weighted log-odds ratio with
  an informative Dirichlet prior, divided by its approximate standard deviation
  (their eq. 22); the prior is the pooled counts of both groups, as in the R package
  tidylo.

Word-level tests treat every token as independent, which overstates significance
for texts whose words cluster (Lijffijt et al. 2016).  :func:`keyness` therefore also
reports a bootstrap interval for Log Ratio that resamples whole *sentences* within
each group, and the Bonferroni-corrected G² threshold for the number of terms tested.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import chi2

from .frequency import check_by

__all__ = ["g2", "log_ratio", "log_odds_z", "keyness"]


def g2(a, b, n1, n2):
    """Signed log-likelihood G² for a term's counts in two corpora.

    Parameters
    ----------
    a, b : array_like
        Occurrences of the term in the target and in the reference.
    n1, n2 : array_like
        Total tokens of the target and of the reference.

    Returns
    -------
    numpy.ndarray
        ``2 Σ O ln(O/E)`` over the four cells of the table
        ``[[a, b], [n1-a, n2-b]]`` (E from the margins, 0·ln 0 = 0), with the sign of
        ``a/n1 - b/n2``.  Under independence it is χ²(1)-distributed.

    Examples
    --------
    >>> round(float(g2(10, 2, 1000, 1000)), 4)
    6.0896
    """
    a, b, n1, n2 = (np.asarray(x, dtype=float) for x in (a, b, n1, n2))
    if np.any(a < 0) or np.any(b < 0) or np.any(a > n1) or np.any(b > n2):
        raise ValueError("counts must satisfy 0 <= a <= n1 and 0 <= b <= n2")
    n = n1 + n2
    observed = [a, b, n1 - a, n2 - b]
    expected = [n1 * (a + b) / n, n2 * (a + b) / n, n1 * (n - a - b) / n, n2 * (n - a - b) / n]
    total = np.zeros(np.broadcast(a, b, n1, n2).shape)
    for o, e in zip(observed, expected):
        with np.errstate(divide="ignore", invalid="ignore"):
            total = total + np.where(o > 0, o * np.log(np.where(o > 0, o, 1) / np.where(e > 0, e, 1)), 0.0)
    value = 2 * total
    return np.sign(a / n1 - b / n2) * np.abs(value)


def log_ratio(a, b, n1, n2, zero: float = 0.5):
    """Hardie's Log Ratio: ``log2((a/n1) / (b/n2))``, zero counts replaced by ``zero``.

    Examples
    --------
    >>> float(log_ratio(8, 2, 1000, 1000))
    2.0
    >>> float(log_ratio(4, 0, 1000, 1000))  # 0 -> 0.5
    3.0
    """
    a, b, n1, n2 = (np.asarray(x, dtype=float) for x in (a, b, n1, n2))
    a = np.where(a == 0, zero, a)
    b = np.where(b == 0, zero, b)
    return np.log2((a / n1) / (b / n2))


def log_odds_z(a, b, n1, n2, prior):
    """Monroe et al.'s weighted log-odds z-score with an informative Dirichlet prior.

    Parameters
    ----------
    a, b : array_like
        Counts of each term in the target and the reference.
    n1, n2 : float
        Total tokens of the target and the reference.
    prior : array_like
        Prior pseudo-counts α_w per term (α_0 = their sum).  :func:`keyness` uses the
        pooled counts ``a + b`` over the whole vocabulary.

    Returns
    -------
    numpy.ndarray
        ``δ / sqrt(1/(a+α_w) + 1/(b+α_w))`` with
        ``δ = ln((a+α_w)/(n1+α_0-a-α_w)) - ln((b+α_w)/(n2+α_0-b-α_w))``.
    """
    a, b, prior = (np.asarray(x, dtype=float) for x in (a, b, prior))
    alpha0 = prior.sum()
    delta = (np.log((a + prior) / (n1 + alpha0 - a - prior))
             - np.log((b + prior) / (n2 + alpha0 - b - prior)))
    return delta / np.sqrt(1 / (a + prior) + 1 / (b + prior))


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple, set)) else [x]


def _sentence_matrix(sentences: list[list[str]], index: dict) -> tuple[sparse.csr_matrix, np.ndarray]:
    rows, cols = [], []
    lengths = np.zeros(len(sentences))
    for i, s in enumerate(sentences):
        lengths[i] = len(s)
        for t in s:
            j = index.get(t)
            if j is not None:
                rows.append(i)
                cols.append(j)
    m = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sentences), len(index)))
    m.sum_duplicates()
    return m, lengths


def _bootstrap_counts(m, lengths, n_boot, rng):
    s = m.shape[0]
    w = np.stack([np.bincount(rng.integers(0, s, s), minlength=s) for _ in range(n_boot)]).astype(float)
    return np.asarray(m.T.dot(w.T).T), w @ lengths


def keyness(corpus: pd.DataFrame, by: str, target, reference=None, *, min_count: int = 3,
            n_boot: int = 1000, seed: int = 0, alpha: float = 0.05) -> pd.DataFrame:
    """Keyness table of ``target`` against ``reference``.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Tokenized corpus table (with ``tokens`` and ``sentences``, see
        :func:`analysis.tokenize_corpus`).
    by : str
        Grouping column, e.g. ``"period"``.
    target : str or list of str
        Value(s) of ``by`` forming the target corpus.
    reference : str or list of str, optional
        Value(s) forming the reference; default: every other value.
    min_count : int, default 3
        Terms with fewer than ``min_count`` occurrences in target and reference
        together are not tested (they cannot reach significance and inflate the
        number of comparisons).
    n_boot : int, default 1000
        Bootstrap replicates for the Log Ratio interval (0 = none).  Each replicate
        resamples the sentences of the target and of the reference, with
        replacement, keeping each group's sentence count.
    seed : int, default 0
        Seed of the bootstrap's random generator (results are reproducible).
    alpha : float, default 0.05
        Family-wise error rate for the Bonferroni threshold.

    Returns
    -------
    pandas.DataFrame
        One row per tested term: ``term``, ``count_target``, ``count_reference``,
        ``per_10k_target``, ``per_10k_reference``, ``g2`` (signed), ``p_value``,
        ``significant`` (``p_value`` below ``alpha / n_terms``), ``log_ratio``,
        ``log_ratio_low``/``log_ratio_high`` (2.5 and 97.5 bootstrap percentiles),
        ``log_odds_z``.  Sorted by ``g2`` descending (target-key terms first,
        reference-key terms last), ties by term.  ``df.attrs`` holds ``n_target``,
        ``n_reference`` (tokens), ``n_terms``, ``bonferroni_p`` and
        ``bonferroni_g2`` (the |G²| a term must exceed).

    Raises
    ------
    ValueError
        Unknown ``by`` column or target/reference value, overlapping target and
        reference, or an empty group.

    Examples
    --------
    >>> kt = keyness(tokenized, by="period", target="2022-11", reference="2021-08")  # doctest: +SKIP
    >>> kt.head()  # doctest: +SKIP
    """
    check_by(corpus, by)
    if not isinstance(by, str):
        raise ValueError("keyness compares values of one column: pass by='period' (a string)")
    if n_boot and "sentences" not in corpus.columns:
        raise ValueError("corpus has no `sentences` column for the bootstrap; use "
                         "tokenize_corpus(corpus) or pass n_boot=0")
    values = sorted(corpus[by].astype(str).unique())
    tgt = [str(v) for v in _as_list(target)]
    ref = [str(v) for v in _as_list(reference)] if reference is not None else [v for v in values if v not in tgt]
    for v in tgt + ref:
        if v not in values:
            raise ValueError(f"unknown {by} value {v!r}; available: {values}")
    if set(tgt) & set(ref):
        raise ValueError(f"target and reference share {sorted(set(tgt) & set(ref))}")
    if not ref:
        raise ValueError("the reference is empty: every value is in the target")
    col = corpus[by].astype(str)
    t_rows, r_rows = corpus[col.isin(tgt)], corpus[col.isin(ref)]

    def counts(rows):
        c: dict = {}
        for toks in rows["tokens"]:
            for t in toks:
                c[t] = c.get(t, 0) + 1
        return c

    ct, cr = counts(t_rows), counts(r_rows)
    n1, n2 = float(sum(ct.values())), float(sum(cr.values()))
    if n1 == 0 or n2 == 0:
        raise ValueError(f"{'target' if n1 == 0 else 'reference'} has no tokens")
    vocab = sorted(set(ct) | set(cr))
    a_all = np.array([ct.get(t, 0) for t in vocab], dtype=float)
    b_all = np.array([cr.get(t, 0) for t in vocab], dtype=float)
    z_all = log_odds_z(a_all, b_all, n1, n2, prior=a_all + b_all)
    keep = (a_all + b_all) >= min_count
    terms = [t for t, k in zip(vocab, keep) if k]
    a, b = a_all[keep], b_all[keep]
    g = g2(a, b, n1, n2)
    p = chi2.sf(np.abs(g), df=1)
    m = max(len(terms), 1)
    out = pd.DataFrame({
        "term": terms, "count_target": a.astype("int64"), "count_reference": b.astype("int64"),
        "per_10k_target": a / n1 * 1e4, "per_10k_reference": b / n2 * 1e4,
        "g2": g, "p_value": p, "significant": p < alpha / m,
        "log_ratio": log_ratio(a, b, n1, n2),
        "log_odds_z": z_all[keep],
    })
    if n_boot:
        rng = np.random.default_rng(seed)
        index = {t: i for i, t in enumerate(terms)}
        mt, lt = _sentence_matrix([s for ss in t_rows["sentences"] for s in ss], index)
        mr, lr = _sentence_matrix([s for ss in r_rows["sentences"] for s in ss], index)
        bt, nt = _bootstrap_counts(mt, lt, n_boot, rng)
        br, nr = _bootstrap_counts(mr, lr, n_boot, rng)
        lrs = log_ratio(bt, br, nt[:, None], nr[:, None])
        out["log_ratio_low"] = np.percentile(lrs, 2.5, axis=0)
        out["log_ratio_high"] = np.percentile(lrs, 97.5, axis=0)
    else:
        out["log_ratio_low"] = np.nan
        out["log_ratio_high"] = np.nan
    out = out[["term", "count_target", "count_reference", "per_10k_target", "per_10k_reference",
               "g2", "p_value", "significant", "log_ratio", "log_ratio_low", "log_ratio_high",
               "log_odds_z"]]
    out = out.sort_values(["g2", "term"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    out.attrs.update(by=by, target=tgt, reference=ref, n_target=int(n1), n_reference=int(n2),
                     n_terms=len(terms), min_count=min_count, alpha=alpha,
                     bonferroni_p=alpha / m, bonferroni_g2=float(chi2.isf(alpha / m, df=1)),
                     n_boot=n_boot, seed=seed)
    return out
