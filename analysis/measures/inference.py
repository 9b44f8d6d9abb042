"""Unit-level inference: dispersion, permutation and rank tests, unit bootstrap, MC error.

Word-level tests (G², χ²) treat every token as an independent draw, but words cluster in
texts: a term said ten times in one speech is not ten pieces of evidence.  Lijffijt et
al. (2016) show that such tests overstate significance and recommend resampling *texts*,
not words.  The functions here take counts per unit (document) and work on units:

* :func:`dp` — Gries' (2008) deviation of proportions: how evenly a term is spread over
  the units of a group relative to their sizes (0 = exactly as expected, → 1 = all in one
  small unit); :func:`dp_norm` divides by its maximum ``1 - min(s)`` (Lijffijt & Gries
  2012).
* :func:`unit_rates` — per-unit rates per 10,000 tokens.
* :func:`permutation_test_rates` — permutation test of the difference of mean per-unit
  rates between two groups, permuting whole units (exact when the partitions are few).
* :func:`mann_whitney_rates` — Mann–Whitney U on per-unit rates (mid-ranks for ties),
  p-value from the same permutation distribution (exact when enumerable).
* :func:`bootstrap_units` — resample units with replacement within each group.
* :func:`percentile_mc_error` / :func:`mc_decimals` — Monte-Carlo standard error of a
  bootstrap percentile (batch means) and the number of decimals it supports.
* :func:`tie_ranks` — competition ranks ("6=") so ties are shown as ties.
* :func:`sampling_units` / :func:`aggregate_rows` — the unit of independent observation
  (``meeting_id``: a meeting, or a story) and the sum of the counts of its parts: the speaker
  sub-units of one meeting report are one observation, not two (Lijffijt et al. 2016
  resample *texts*; the text sampled here is the meeting report).
* :func:`bh_qvalues` — Benjamini & Hochberg (1995) false-discovery-rate q-values.
* :func:`attainability` — the smallest p-value a permutation test over ``n_a`` vs ``n_b``
  meetings can reach, against the Bonferroni and BH thresholds.

All functions are pure: arrays in, arrays out.  Every random draw comes from a
``numpy.random.default_rng(seed)``.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["dp", "dp_norm", "unit_rates", "permutation_test_rates", "mann_whitney_rates",
           "bootstrap_units", "percentile_mc_error", "mc_decimals", "tie_ranks", "format_rank",
           "midranks", "unit_comparison", "interval_labels", "sampling_units", "aggregate_rows",
           "bh_qvalues", "min_attainable_p", "attainability"]


def _dense(counts) -> np.ndarray:
    if sparse.issparse(counts):
        counts = counts.toarray()
    counts = np.asarray(counts, dtype=float)
    return counts[:, None] if counts.ndim == 1 else counts


def dp(counts, sizes) -> np.ndarray:
    """Gries' (2008) DP, deviation of proportions, per term.

    Parameters
    ----------
    counts : array_like or sparse matrix, shape (n_units, n_terms) or (n_units,)
        Occurrences of each term in each unit (corpus part).
    sizes : array_like, shape (n_units,)
        Size of each unit in tokens.

    Returns
    -------
    numpy.ndarray, shape (n_terms,)
        ``0.5 * Σ_i |v_i - s_i|`` with ``s_i`` = unit i's share of the tokens and
        ``v_i`` = its share of the term's occurrences.  0: spread exactly as the unit
        sizes predict; larger: concentrated.  NaN for a term that never occurs.  With a
        single unit DP is 0 by construction (nothing can be uneven).

    Examples
    --------
    Gries (2008): five parts of 9, 10, 10, 10 and 11 words, the word occurring 1, 2, 3,
    4 and 5 times:

    >>> round(float(dp([1, 2, 3, 4, 5], [9, 10, 10, 10, 11])[0]), 4)
    0.18
    """
    c = _dense(counts)
    sizes = np.asarray(sizes, dtype=float)
    if c.shape[0] != sizes.shape[0]:
        raise ValueError(f"counts has {c.shape[0]} units, sizes has {sizes.shape[0]}")
    if np.any(sizes <= 0):
        raise ValueError("every unit needs a positive size (tokens)")
    s = sizes / sizes.sum()
    total = c.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = c / total
    out = 0.5 * np.abs(v - s[:, None]).sum(axis=0)
    return np.where(total > 0, out, np.nan)


def dp_norm(counts, sizes) -> np.ndarray:
    """DP divided by its maximum ``1 - min(s)`` (Lijffijt & Gries 2012), in [0, 1].

    NaN with a single unit (the maximum is 0)."""
    sizes = np.asarray(sizes, dtype=float)
    s = sizes / sizes.sum()
    top = 1 - s.min()
    d = dp(counts, sizes)
    return d / top if top > 0 else np.full_like(d, np.nan)


def unit_rates(counts, sizes, per: float = 10_000) -> np.ndarray:
    """Per-unit rates (``counts / sizes * per``), shape (n_units, n_terms)."""
    c = _dense(counts)
    sizes = np.asarray(sizes, dtype=float)
    if np.any(sizes <= 0):
        raise ValueError("every unit needs a positive size (tokens)")
    return c / sizes[:, None] * per


def _partition_chunks(n: int, k: int, n_perm: int, rng, chunk: int = 256):
    """Indicator rows (chunks × n) of the units assigned to the first group: every split
    when there are at most ``n_perm`` of them (exact), else ``n_perm`` random ones.
    Yields ``(rows, exact)`` in chunks, so memory stays small for many units or terms."""
    exact = math.comb(n, k) <= n_perm
    if exact:
        combos = itertools.combinations(range(n), k)
        while True:
            block = list(itertools.islice(combos, chunk))
            if not block:
                return
            rows = np.zeros((len(block), n))
            for r, idx in enumerate(block):
                rows[r, list(idx)] = 1
            yield rows, True
    else:
        done = 0
        while done < n_perm:
            m = min(chunk, n_perm - done)
            rows = np.zeros((m, n))
            for r in range(m):
                rows[r, rng.permutation(n)[:k]] = 1
            done += m
            yield rows, False


def _permutation_pvalues(pooled: np.ndarray, k: int, statistic, observed: np.ndarray, n_perm: int,
                         seed: int) -> tuple[np.ndarray, bool]:
    """Two-sided permutation p-values, as ``scipy.stats.permutation_test``:
    ``min(1, 2 min(P(T <= t), P(T >= t)))``; a randomised test counts the observed
    statistic as one of the resamples.  ``statistic(rows)`` maps indicator rows to the
    statistic of each split (rows × terms)."""
    gamma = np.abs(observed) * 1e-12 + 1e-15
    less = np.zeros(observed.shape)
    greater = np.zeros(observed.shape)
    total, exact = 0, True
    for rows, exact in _partition_chunks(pooled.shape[0], k, n_perm, np.random.default_rng(seed)):
        null = statistic(rows)
        less += (null <= observed + gamma).sum(axis=0)
        greater += (null >= observed - gamma).sum(axis=0)
        total += rows.shape[0]
    if exact:
        p_less, p_greater = less / total, greater / total
    else:
        p_less, p_greater = (less + 1) / (total + 1), (greater + 1) / (total + 1)
    return np.minimum(1.0, 2 * np.minimum(p_less, p_greater)), exact


def _check_groups(x, y):
    x, y = _dense(x), _dense(y)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"groups have {x.shape[1]} and {y.shape[1]} terms")
    if x.shape[0] < 2 or y.shape[0] < 2:
        raise ValueError(f"a unit-level test needs at least 2 units in each group "
                         f"(got {x.shape[0]} and {y.shape[0]}); with one unit there is no "
                         f"between-unit variation to test against")
    return x, y


def permutation_test_rates(x, y, *, n_perm: int = 9999, seed: int = 0):
    """Two-sided permutation test of ``mean(x) - mean(y)`` per term, permuting units.

    Parameters
    ----------
    x, y : array_like, shape (n_units_x, n_terms) and (n_units_y, n_terms)
        Per-unit rates of each term in the two groups (see :func:`unit_rates`).
    n_perm : int, default 9999
        If the number of distinct splits ``C(n_x + n_y, n_x)`` is at most ``n_perm``,
        every split is enumerated (exact test); otherwise ``n_perm`` random splits.
    seed : int, default 0

    Returns
    -------
    statistic : numpy.ndarray
        ``mean(x) - mean(y)`` per term.
    p_value : numpy.ndarray
        ``min(1, 2 min(P(T ≤ t), P(T ≥ t)))`` under the permutation distribution (the
        convention of ``scipy.stats.permutation_test``).
    exact : bool
    """
    x, y = _check_groups(x, y)
    pooled = np.vstack([x, y])
    n, k = pooled.shape[0], x.shape[0]
    total = pooled.sum(axis=0)

    def statistic(rows):
        first = rows @ pooled
        return first / k - (total - first) / (n - k)

    observed = x.mean(axis=0) - y.mean(axis=0)
    p, exact = _permutation_pvalues(pooled, k, statistic, observed, n_perm, seed)
    return observed, p, exact


def midranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n of each column, ties given their mean rank."""
    from scipy.stats import rankdata

    v = np.asarray(values, dtype=float)
    v = v[:, None] if v.ndim == 1 else v
    return rankdata(v, method="average", axis=0)


def mann_whitney_rates(x, y, *, n_perm: int = 9999, seed: int = 0):
    """Mann–Whitney U per term on per-unit rates, two-sided.

    ``U = R_x - n_x (n_x + 1) / 2`` with mid-ranks ``R_x`` over the pooled units (the U of
    the first group, as ``scipy.stats.mannwhitneyu``).  The p-value comes from the
    permutation distribution of U (every split when there are at most ``n_perm``), so it
    is exact for small groups even with ties.

    Returns
    -------
    u : numpy.ndarray
    p_value : numpy.ndarray
    exact : bool
    """
    x, y = _check_groups(x, y)
    pooled = np.vstack([x, y])
    k = x.shape[0]
    ranks = midranks(pooled)
    offset = k * (k + 1) / 2
    u = ranks[:k].sum(axis=0) - offset
    p, exact = _permutation_pvalues(ranks, k, lambda rows: rows @ ranks - offset, u, n_perm, seed)
    return u, p, exact


def bootstrap_units(counts, groups, n_boot: int, rng, sizes=None) -> list[np.ndarray]:
    """Resample units with replacement within each group.

    Parameters
    ----------
    counts : array_like or sparse matrix, shape (n_units, n_terms)
    groups : sequence of index arrays
        Row positions of each group's units.
    n_boot : int
    rng : numpy.random.Generator
    sizes : array_like, shape (n_units,), optional
        Tokens per unit; default: the row sums of ``counts``.

    Returns
    -------
    list of numpy.ndarray
        Per group, an ``(n_boot, n_terms + 1)`` array: each replicate's summed term
        counts, and in the last column its total tokens.
    """
    m = counts if sparse.issparse(counts) else sparse.csr_matrix(np.asarray(counts, dtype=float))
    all_sizes = np.asarray(m.sum(axis=1)).ravel() if sizes is None else np.asarray(sizes, dtype=float)
    out = []
    for idx in groups:
        idx = np.asarray(idx)
        sub = m[idx]
        sizes = all_sizes[idx]
        w = np.stack([np.bincount(rng.integers(0, len(idx), len(idx)), minlength=len(idx))
                      for _ in range(n_boot)]).astype(float)
        summed = np.asarray(sub.T.dot(w.T).T)
        out.append(np.column_stack([summed, w @ sizes]))
    return out


def percentile_mc_error(replicates: np.ndarray, q: float, n_batches: int = 10) -> np.ndarray:
    """Monte-Carlo standard error of the ``q``-th percentile of bootstrap replicates.

    Batch method: the replicates (rows) are split into ``n_batches`` consecutive batches,
    the percentile is computed in each, and the standard error of the full-sample
    percentile is estimated as ``sd(batch percentiles) / sqrt(n_batches)``.

    Returns
    -------
    numpy.ndarray, shape (n_terms,)
    """
    r = np.asarray(replicates, dtype=float)
    r = r[:, None] if r.ndim == 1 else r
    if r.shape[0] < 2 * n_batches:
        raise ValueError(f"need at least {2 * n_batches} replicates for {n_batches} batches")
    size = r.shape[0] // n_batches
    batch = np.stack([np.percentile(r[i * size:(i + 1) * size], q, axis=0) for i in range(n_batches)])
    return batch.std(axis=0, ddof=1) / np.sqrt(n_batches)


def mc_decimals(se, max_decimals: int = 3) -> int:
    """Decimals a number with Monte-Carlo standard error ``se`` supports.

    The last printed digit must be larger than twice the standard error:
    ``d = floor(-log10(2 se))``, clipped to ``[0, max_decimals]`` (``max_decimals`` for
    se = 0).  E.g. se 0.004 → 2 decimals, se 0.03 → 1, se 0.2 → 0.

    Examples
    --------
    >>> mc_decimals(0.004), mc_decimals(0.03), mc_decimals(0.2)
    (2, 1, 0)
    """
    se = float(np.nanmax(np.atleast_1d(se))) if np.size(se) else 0.0
    if not np.isfinite(se) or se <= 0:
        return max_decimals
    return int(min(max_decimals, max(0, math.floor(-math.log10(2 * se)))))


def tie_ranks(values, *, descending: bool = True, decimals: int = 12) -> np.ndarray:
    """Competition ranks ("1224"): tied values (equal after rounding to ``decimals``)
    share the best rank of their group.

    Examples
    --------
    >>> tie_ranks([5, 3, 3, 1]).tolist()
    [1, 2, 2, 4]
    """
    v = np.round(np.asarray(values, dtype=float), decimals)
    key = -v if descending else v
    return np.array([int((key < x).sum()) + 1 for x in key], dtype="int64")


def format_rank(ranks) -> list[str]:
    """``"6="`` for a rank shared by several items, ``"6"`` otherwise."""
    ranks = list(ranks)
    counts = {r: ranks.count(r) for r in set(ranks)}
    return [f"{r}=" if counts[r] > 1 else str(r) for r in ranks]


def sampling_units(table: pd.DataFrame) -> tuple[np.ndarray, str]:
    """The sampling unit of each row: what inference treats as one independent observation.

    Parameters
    ----------
    table : pandas.DataFrame
        A corpus table or a matrix's ``docvars``.

    Returns
    -------
    labels : numpy.ndarray of str, shape (n_rows,)
        ``meeting_id`` where the column exists and the value is not empty, else ``doc_id``,
        else ``unit_id``, else the row position.
    source : str
        The column the labels came from (``"meeting_id"``, ``"doc_id"``, ``"unit_id"`` or
        ``"row"``; the first non-empty one of them when rows differ).
    """
    n = len(table)
    labels = np.array([""] * n, dtype=object)
    source = "row"
    for col in ("unit_id", "doc_id", "meeting_id"):  # later columns override earlier ones
        if col in table.columns:
            vals = table[col].fillna("").astype(str).str.strip().to_numpy()
            have = vals != ""
            labels[have] = vals[have]
            if have.any():
                source = col
    empty = labels == ""
    labels[empty] = [f"row-{i}" for i in np.flatnonzero(empty)]
    return labels.astype(str), source


def aggregate_rows(counts, sizes, labels):
    """Sum the rows (units) that share a label (their meeting).

    Parameters
    ----------
    counts : array_like or sparse matrix, shape (n_units, n_terms)
    sizes : array_like, shape (n_units,)
        Tokens per unit.
    labels : array_like, shape (n_units,)
        Sampling unit of each row (:func:`sampling_units`).

    Returns
    -------
    counts : scipy.sparse.csr_matrix, shape (n_groups, n_terms)
        Summed counts per label, labels in order of first appearance.
    sizes : numpy.ndarray, shape (n_groups,)
        Summed tokens.
    groups : numpy.ndarray
        The labels, in that order.
    """
    m = counts if sparse.issparse(counts) else sparse.csr_matrix(_dense(counts))
    sizes = np.asarray(sizes, dtype=float)
    codes, groups = pd.factorize(pd.Series(np.asarray(labels, dtype=str)), sort=False)
    if len(codes) != m.shape[0] or len(sizes) != m.shape[0]:
        raise ValueError(f"counts have {m.shape[0]} rows, sizes {len(sizes)} and labels {len(codes)}")
    agg = sparse.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                            shape=(len(groups), len(codes)))
    return sparse.csr_matrix(agg @ m), agg @ sizes, np.asarray(groups, dtype=str)


def bh_qvalues(p) -> np.ndarray:
    """Benjamini–Hochberg (1995) q-values (adjusted p-values) of a family of tests.

    ``q_(i) = min_{j >= i} min(1, m p_(j) / j)`` over the ``m`` finite p-values sorted
    ascending; a term is a discovery at false-discovery rate ``alpha`` when ``q <= alpha``.
    NaN p-values (untested terms) stay NaN and do not count in ``m``.  Equals
    ``scipy.stats.false_discovery_control(p, method="bh")`` on the finite values.
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    m = int(ok.sum())
    if m == 0:
        return out
    vals = p[ok]
    order = np.argsort(vals, kind="mergesort")
    ranked = vals[order] * m / np.arange(1, m + 1)
    q = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    filled = np.empty(m)
    filled[order] = q
    out[ok] = filled
    return out


def min_attainable_p(n_a: int, n_b: int, *, n_perm: int = 9999) -> float:
    """Smallest two-sided p-value a permutation test of ``n_a`` vs ``n_b`` observations can give.

    With ``C = C(n_a + n_b, n_a)`` distinct splits enumerated (``C <= n_perm``) the most
    extreme split has probability ``1/C``, so the two-sided p (``2 min(P(T<=t), P(T>=t))``,
    as ``scipy.stats.permutation_test``) is at least ``2/C``; with ``n_perm`` random splits
    (observed split counted) at least ``2/(n_perm + 1)``.  The same bound holds for the
    Mann–Whitney U from the same permutation distribution.  NaN when a side has fewer than
    two observations (no test).

    Examples
    --------
    >>> round(min_attainable_p(16, 2), 4)  # 2 / C(18, 2) = 2/153
    0.0131
    """
    if n_a < 2 or n_b < 2:
        return float("nan")
    splits = math.comb(n_a + n_b, n_a)
    return min(1.0, 2 / splits) if splits <= n_perm else min(1.0, 2 / (n_perm + 1))


def attainability(n_a: int, n_b: int, n_tests: int, *, alpha: float = 0.05, n_perm: int = 9999,
                  n_family: int | None = None, unit: str = "meeting") -> dict:
    """Can any test over ``n_a`` vs ``n_b`` meetings be significant after correction?

    Parameters
    ----------
    n_a, n_b : int
        Sampling units (meetings) on each side.
    n_tests : int
        Terms tested (the exploratory family).
    alpha : float
        Family-wise error rate (Bonferroni) and false-discovery rate (Benjamini–Hochberg).
    n_perm : int
        Random splits when the splits are too many to enumerate (:func:`min_attainable_p`).
    n_family : int, optional
        Size of a pre-declared (confirmatory) family corrected on its own.
    unit : str
        What is counted, for the sentence.

    Returns
    -------
    dict
        ``min_p`` (NaN when a side has < 2 units), ``bonferroni_p`` (``alpha / n_tests``),
        ``bonferroni_attainable``, ``bh_attainable`` (BH can reject only if the smallest p
        is ``<= alpha``, and then only if every one of the ``n_tests`` p-values is that
        small), ``family_bonferroni_p``/``family_attainable`` (when ``n_family``), and
        ``statement``: one sentence for the notebook.
    """
    p_min = min_attainable_p(n_a, n_b, n_perm=n_perm)
    bonf = alpha / max(n_tests, 1)
    out = {"min_p": p_min, "bonferroni_p": bonf, "bonferroni_attainable": bool(p_min <= bonf),
           "bh_attainable": bool(p_min <= alpha)}
    if n_family:
        out["family_bonferroni_p"] = alpha / n_family
        out["family_attainable"] = bool(p_min <= alpha / n_family)
    if not np.isfinite(p_min):
        out["statement"] = (f"With {n_a} vs {n_b} {unit}s no {unit}-level p-value exists: a side with a single "
                            f"{unit} has no between-{unit} variation to test against, so no between-{unit} "
                            f"inference is possible.")
        return out
    splits = math.comb(n_a + n_b, n_a)
    how = (f"2/C({n_a + n_b}, {n_a}) = 2/{splits:,}" if splits <= n_perm
           else f"2/({n_perm:,} + 1) with {n_perm:,} random splits")
    text = (f"With {n_a} vs {n_b} {unit}s the smallest two-sided {unit}-level p a permutation test can reach is "
            f"{how} = {p_min:.2g}; the Bonferroni threshold for {n_tests:,} terms is {alpha:g}/{n_tests:,} = "
            f"{bonf:.2g}, so ")
    text += ("a term can pass it" if out["bonferroni_attainable"]
             else f"no term can be significant at the {unit} level after Bonferroni correction")
    text += (f"; at a false-discovery rate of {alpha:g} (Benjamini–Hochberg) "
             + ("a discovery is possible only where many terms reach that smallest p" if out["bh_attainable"]
                else "no discovery is possible either"))
    if n_family:
        text += (f"; in the pre-declared family of {n_family} terms the Bonferroni threshold is "
                 f"{alpha / n_family:.2g}, " + ("attainable" if out["family_attainable"] else "not attainable"))
    out["statement"] = text + "."
    return out


def unit_comparison(rates, groups, a, b, *, n_perm: int = 9999, seed: int = 0, unit: str = "unit"):
    """Compare per-unit values (e.g. theme rates) between two groups of units.

    Parameters
    ----------
    rates : pandas.DataFrame
        One row per sampling unit, one column per measure (e.g. theme rates per 10,000
        tokens).  For a corpus whose reports are split into speaker sub-units, compute the
        rates per meeting (e.g. ``theme_frequencies(..., by="meeting_id")``: counts and
        tokens summed over the meeting's parts) and pass ``unit="meeting"``.
    groups : array_like
        Group label of each row.
    a, b
        The two labels compared.
    unit : str, default "unit"
        What a row is, for the column names and the message (``"meeting"``, ``"story"`` …).

    Returns
    -------
    pandas.DataFrame
        One row per column of ``rates``: ``mean_a``, ``mean_b``, ``n_<unit>s_a``,
        ``n_<unit>s_b``, ``p_perm`` (permutation test of the difference of means, rows
        permuted) and ``p_mwu`` (Mann–Whitney U); the p-values are NaN, and
        ``attrs["message"]`` says why, when a group has fewer than two rows.
    """
    groups = np.asarray(groups)
    x = rates.to_numpy(dtype=float)[groups == a]
    y = rates.to_numpy(dtype=float)[groups == b]
    out = pd.DataFrame({"mean_a": x.mean(axis=0) if len(x) else np.nan,
                        "mean_b": y.mean(axis=0) if len(y) else np.nan,
                        f"n_{unit}s_a": len(x), f"n_{unit}s_b": len(y)}, index=rates.columns)
    if len(x) >= 2 and len(y) >= 2:
        out["p_perm"] = permutation_test_rates(x, y, n_perm=n_perm, seed=seed)[1]
        out["p_mwu"] = mann_whitney_rates(x, y, n_perm=n_perm, seed=seed)[1]
        out.attrs["message"] = (f"{len(x)} vs {len(y)} {unit}s: permutation test and Mann-Whitney U on "
                                f"per-{unit} values")
    else:
        out["p_perm"] = np.nan
        out["p_mwu"] = np.nan
        out.attrs["message"] = (f"{a!r} has {len(x)} and {b!r} has {len(y)} {unit}(s): with a single {unit} on a "
                                f"side no between-{unit} inference is possible")
    return out


def _fmt(x: float, d: int) -> str:
    text = f"{x:.{d}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0"


def interval_labels(kt: pd.DataFrame) -> pd.Series:
    """Log Ratio intervals as text, each at the precision its Monte-Carlo error supports.

    Decimals per row from :func:`analysis.measures.inference.mc_decimals` of ``ci_mcse`` (the last
    digit must exceed twice the standard error); ``"absent in reference"`` /
    ``"absent in target"`` where the Log Ratio rests on a pseudo-count.
    """
    out = []
    for r in kt.itertuples(index=False):
        if getattr(r, "absent_reference", False):
            out.append("absent in reference")
        elif getattr(r, "absent_target", False):
            out.append("absent in target")
        elif not np.isfinite(r.log_ratio_low):
            out.append("")
        else:
            d = mc_decimals(r.ci_mcse) if np.isfinite(r.ci_mcse) else 2
            out.append(f"[{_fmt(r.log_ratio_low, d)}, {_fmt(r.log_ratio_high, d)}]")
    return pd.Series(out, index=kt.index, name="log_ratio_95")
