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
for texts whose words cluster (Lijffijt et al. 2016: resample texts, not words).
:func:`keyness` therefore also reports unit-level evidence (built on the document-term
matrix, :mod:`analysis.inference`): in how many units of each group a term occurs, its
dispersion (Gries' DP), a permutation test and a Mann–Whitney U on per-unit rates when
each group has at least two units (and says so plainly when one does not), and a Log
Ratio bootstrap interval that resamples whole units within each group, with the
Monte-Carlo error of its bounds so it is printed at the precision it supports
(:func:`interval_labels`).  The Bonferroni-corrected G² threshold for the number of
terms tested is reported beside each table.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.stats import chi2

from analysis.measures.frequency import check_by
from analysis.measures.inference import interval_labels  # noqa: F401  (re-exported: part of the keyness vocabulary)

__all__ = ["g2", "log_ratio", "log_odds_z", "keyness", "interval_labels", "keyness_summary"]


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


def _unit_message(n_t: int, n_r: int) -> str:
    if n_t >= 2 and n_r >= 2:
        return (f"unit-level tests on {n_t} target and {n_r} reference units "
                f"(permutation test of mean per-unit rates; Mann-Whitney U)")
    one = [side for side, n in (("target", n_t), ("reference", n_r)) if n < 2]
    return (f"the {' and the '.join(one)} {'has' if len(one) == 1 else 'have'} a single unit: no "
            f"between-unit inference is possible (unit-level p-values are NaN; for a single unit the "
            f"interval can only show variation between its own sentences)")


def keyness(data, by: str, target, reference=None, *, min_count: int = 3,
            n_boot: int = 1000, seed: int = 0, alpha: float = 0.05, resample: str = "units",
            n_perm: int = 999) -> pd.DataFrame:
    """Keyness table of ``target`` against ``reference``, token- and unit-level.

    Parameters
    ----------
    data : DocumentTermMatrix or pandas.DataFrame
        A document-term matrix (:func:`analysis.document_term_matrix`) or a tokenized
        corpus table (``tokens`` column; ``sentences`` too for ``resample="sentences"``).
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
        Bootstrap replicates for the Log Ratio interval (0 = none).
    seed : int, default 0
        Seed of every random draw (bootstrap and randomised permutations).
    alpha : float, default 0.05
        Family-wise error rate for the Bonferroni threshold.
    resample : {"units", "sentences"}, default "units"
        What the bootstrap resamples, with replacement, within each group: whole units
        (documents; Lijffijt et al. 2016: texts, not words) or sentences (variation
        within the group's texts only; needs a corpus table).  With ``"units"``, a group
        of a single unit has no between-unit variation; its sentences are resampled
        instead when the corpus table has them (``attrs["resampled"]`` says what was
        resampled on each side).
    n_perm : int, default 999
        Permutations for the unit-level tests (every split when there are fewer); p-values
        have a resolution of about ``1 / (n_perm + 1)``.

    Returns
    -------
    pandas.DataFrame
        One row per tested term:

        * token level: ``count_target``, ``count_reference``, ``per_10k_target``,
          ``per_10k_reference``, ``g2`` (signed), ``p_value``, ``significant``
          (Bonferroni), ``log_ratio`` (Hardie; a zero count is replaced by 0.5, so for
          ``absent_target``/``absent_reference`` terms it is a bound set by the
          pseudo-count, not a measurement), ``log_ratio_low``/``log_ratio_high`` (2.5
          and 97.5 bootstrap percentiles; NaN for absent terms), ``ci_mcse`` (Monte-Carlo
          standard error of the bounds, the larger of the two), ``log_odds_z``;
        * unit level: ``n_units_target``/``n_units_reference`` (units containing the
          term), ``dp_target``/``dp_reference`` (Gries' DP over the group's units),
          ``p_perm_units`` (two-sided permutation test of the mean per-unit rate
          difference) and ``p_mwu_units`` (Mann-Whitney U on per-unit rates) — NaN when
          a group has fewer than two units.

        Sorted by ``g2`` descending, ties by term.  ``df.attrs``: ``n_target``,
        ``n_reference`` (tokens), ``units_target``/``units_reference`` (unit ids),
        ``n_terms``, ``bonferroni_p``/``bonferroni_g2``, ``unit_inference`` (a sentence
        saying whether unit-level inference was possible), ``ci_decimals`` (decimals
        the intervals' Monte-Carlo error supports), ``resample``.

    Raises
    ------
    ValueError
        Unknown ``by`` column or target/reference value, overlapping target and
        reference, an empty group, or ``resample="sentences"`` without sentences.

    Examples
    --------
    >>> kt = keyness(document_term_matrix(corpus), by="period", target="2022-11")  # doctest: +SKIP
    >>> print(kt.attrs["unit_inference"])  # doctest: +SKIP
    """
    from analysis.measures.inference import (bootstrap_units, dp, mann_whitney_rates, mc_decimals,
                            percentile_mc_error, permutation_test_rates, unit_rates)
    from analysis.text.matrix import DocumentTermMatrix, as_dtm

    if not isinstance(by, str):
        raise ValueError("keyness compares values of one column: pass by='period' (a string)")
    if resample not in ("units", "sentences"):
        raise ValueError(f"resample must be 'units' or 'sentences', not {resample!r}")
    if isinstance(data, pd.DataFrame):
        check_by(data, by)
        if n_boot and resample == "sentences" and "sentences" not in data.columns:
            raise ValueError("corpus has no `sentences` column for the sentence bootstrap; use "
                             "tokenize_corpus(corpus), resample='units' or n_boot=0")
    elif isinstance(data, DocumentTermMatrix) and n_boot and resample == "sentences":
        raise ValueError("a document-term matrix has no sentences: pass the tokenized corpus "
                         "table for resample='sentences', or resample='units'")
    dtm = as_dtm(data)
    if by not in dtm.docvars.columns:
        raise ValueError(f"unknown column {by!r} in by=; available: {list(dtm.docvars.columns)}")
    col = dtm.docvars[by].astype(str)
    values = sorted(col.unique())
    tgt = [str(v) for v in _as_list(target)]
    ref = [str(v) for v in _as_list(reference)] if reference is not None else [v for v in values if v not in tgt]
    for v in tgt + ref:
        if v not in values:
            raise ValueError(f"unknown {by} value {v!r}; available: {values}")
    if set(tgt) & set(ref):
        raise ValueError(f"target and reference share {sorted(set(tgt) & set(ref))}")
    if not ref:
        raise ValueError("the reference is empty: every value is in the target")
    t_idx = np.flatnonzero(col.isin(tgt).to_numpy())
    r_idx = np.flatnonzero(col.isin(ref).to_numpy())
    counts = dtm.counts.tocsr()
    ct = np.asarray(counts[t_idx].sum(axis=0)).ravel().astype(float)
    cr = np.asarray(counts[r_idx].sum(axis=0)).ravel().astype(float)
    n1, n2 = ct.sum(), cr.sum()
    if n1 == 0 or n2 == 0:
        raise ValueError(f"{'target' if n1 == 0 else 'reference'} has no tokens")
    used = (ct + cr) > 0
    z_all = log_odds_z(ct[used], cr[used], n1, n2, prior=ct[used] + cr[used])
    keep_used = (ct[used] + cr[used]) >= min_count
    cols_kept = np.flatnonzero(used)[keep_used]
    terms = [dtm.vocab[j] for j in cols_kept]
    a, b = ct[cols_kept], cr[cols_kept]
    g = g2(a, b, n1, n2)
    p = chi2.sf(np.abs(g), df=1)
    m = max(len(terms), 1)
    mt, mr = counts[t_idx][:, cols_kept], counts[r_idx][:, cols_kept]
    size_t, size_r = dtm.n_tokens[t_idx].astype(float), dtm.n_tokens[r_idx].astype(float)
    if np.any(size_t == 0) or np.any(size_r == 0):
        empty = [dtm.docvars["unit_id"].iat[i] if "unit_id" in dtm.docvars else int(i)
                 for i in np.r_[t_idx[size_t == 0], r_idx[size_r == 0]]]
        raise ValueError(f"units {empty} have no tokens; drop them before comparing")
    out = pd.DataFrame({
        "term": terms, "count_target": a.astype("int64"), "count_reference": b.astype("int64"),
        "absent_target": a == 0, "absent_reference": b == 0,
        "per_10k_target": a / n1 * 1e4, "per_10k_reference": b / n2 * 1e4,
        "g2": g, "p_value": p, "significant": p < alpha / m,
        "log_ratio": log_ratio(a, b, n1, n2),
        "log_odds_z": z_all[keep_used],
        "n_units_target": np.asarray((mt > 0).sum(axis=0)).ravel().astype("int64"),
        "n_units_reference": np.asarray((mr > 0).sum(axis=0)).ravel().astype("int64"),
        "dp_target": dp(mt, size_t), "dp_reference": dp(mr, size_r),
    })
    if len(t_idx) >= 2 and len(r_idx) >= 2 and len(terms):
        rt, rr = unit_rates(mt, size_t), unit_rates(mr, size_r)
        out["p_perm_units"] = permutation_test_rates(rt, rr, n_perm=n_perm, seed=seed)[1]
        out["p_mwu_units"] = mann_whitney_rates(rt, rr, n_perm=n_perm, seed=seed)[1]
    else:
        out["p_perm_units"] = np.nan
        out["p_mwu_units"] = np.nan
    ci_decimals = None
    resampled: dict = {}
    out["log_ratio_low"] = np.nan
    out["log_ratio_high"] = np.nan
    out["ci_mcse"] = np.nan
    if n_boot and len(terms):
        rng = np.random.default_rng(seed)
        has_sentences = isinstance(data, pd.DataFrame) and "sentences" in data.columns
        index = {t: i for i, t in enumerate(terms)}
        reps = []
        for side, idx in (("target", t_idx), ("reference", r_idx)):
            if resample == "units" and (len(idx) >= 2 or not has_sentences):
                rep = bootstrap_units(counts[:, cols_kept], [idx], n_boot, rng, sizes=dtm.n_tokens)[0]
                reps.append((rep[:, :-1], rep[:, -1]))
                resampled[side] = "units" if len(idx) >= 2 else "nothing (a single unit, no sentences)"
            else:
                sm, lengths = _sentence_matrix([s for ss in data["sentences"].iloc[idx] for s in ss], index)
                reps.append(_bootstrap_counts(sm, lengths, n_boot, rng))
                resampled[side] = "sentences" if resample == "sentences" else "sentences (a single unit)"
        (bt, nt), (br, nr) = reps
        lrs = log_ratio(bt, br, nt[:, None], nr[:, None])
        absent = (a == 0) | (b == 0)
        low, high = np.percentile(lrs, 2.5, axis=0), np.percentile(lrs, 97.5, axis=0)
        out["log_ratio_low"] = np.where(absent, np.nan, low)
        out["log_ratio_high"] = np.where(absent, np.nan, high)
        if n_boot >= 20:
            mcse = np.maximum(percentile_mc_error(lrs, 2.5), percentile_mc_error(lrs, 97.5))
            out["ci_mcse"] = np.where(absent, np.nan, mcse)
            ci_decimals = mc_decimals(out["ci_mcse"].to_numpy()) if (~absent).any() else None
    order = ["term", "count_target", "count_reference", "absent_target", "absent_reference",
             "per_10k_target", "per_10k_reference", "g2", "p_value", "significant", "log_ratio",
             "log_ratio_low", "log_ratio_high", "ci_mcse", "log_odds_z", "n_units_target",
             "n_units_reference", "dp_target", "dp_reference", "p_perm_units", "p_mwu_units"]
    out = out[order].sort_values(["g2", "term"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    ids = dtm.docvars["unit_id"] if "unit_id" in dtm.docvars else pd.Series(range(dtm.shape[0]))
    out.attrs.update(by=by, target=tgt, reference=ref, n_target=int(n1), n_reference=int(n2),
                     units_target=list(ids.iloc[t_idx]), units_reference=list(ids.iloc[r_idx]),
                     n_terms=len(terms), min_count=min_count, alpha=alpha,
                     bonferroni_p=alpha / m, bonferroni_g2=float(chi2.isf(alpha / m, df=1)),
                     n_boot=n_boot, seed=seed, resample=resample, resampled=resampled, n_perm=n_perm,
                     unit_inference=_unit_message(len(t_idx), len(r_idx)),
                     ci_decimals=ci_decimals)
    return out


def keyness_summary(kt: pd.DataFrame) -> str:
    """Plain-language summary of a keyness table's evidence base and inference."""
    a = kt.attrs
    sig = int(kt["significant"].sum())
    absent = int((kt["absent_target"] | kt["absent_reference"]).sum())
    lines = [
        f"target {a['target']}: {len(a['units_target'])} unit(s), {a['n_target']:,} tokens; "
        f"reference {a['reference']}: {len(a['units_reference'])} unit(s), {a['n_reference']:,} tokens",
        f"{a['n_terms']} terms tested (>= {a['min_count']} occurrences); Bonferroni |G2| > "
        f"{a['bonferroni_g2']:.2f} (p < {a['bonferroni_p']:.1e}): {sig} pass",
        f"{absent} tested terms are absent on one side: their Log Ratio is set by the 0.5 pseudo-count",
        a["unit_inference"],
    ]
    if a.get("n_boot"):
        res = a.get("resampled", {})
        lines.append(f"95% intervals: {a['n_boot']} bootstrap replicates (seed {a['seed']}); resampled: "
                     f"target = {res.get('target', a['resample'])}, reference = {res.get('reference', a['resample'])}")
    return "\n".join(lines)
