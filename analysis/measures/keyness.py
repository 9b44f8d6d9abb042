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
:func:`keyness` therefore also reports evidence over the *sampling units* — the meetings
(``meeting_id``; a story in the broadcast corpus), built on the document-term matrix with
:mod:`analysis.measures.inference`.  The speaker sub-units of one meeting report are summed into
their meeting first: two speeches at one meeting are one observation.  Per term: in how
many units and meetings of each group it occurs, its dispersion over the group's meetings
(Gries' DP), a permutation test and a Mann–Whitney U on per-meeting rates when each group
has at least two meetings (and a plain statement when one does not), and a Log Ratio
bootstrap interval that resamples whole meetings within each group (none for a group of
one meeting), with the Monte-Carlo error of its bounds so it is printed at the precision
it supports (:func:`interval_labels`).  Multiple testing: the Bonferroni-corrected G²
threshold for the number of terms tested, Benjamini & Hochberg (1995) q-values beside
every p, and an optional pre-declared family of terms (``family=``) corrected on its own;
``attrs["attainability"]`` says whether any meeting-level p can pass the threshold at all.
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


def _unit_message(n_t: int, n_r: int, u_t: int, u_r: int, shared: int = 0, source: str = "meeting_id") -> str:
    """What the meeting-level statistics rest on, in one sentence."""
    how = (f"speaker sub-units summed to their meeting (`{source}`): {u_t} target units in {n_t} meeting(s), "
           f"{u_r} reference units in {n_r} meeting(s)")
    if shared:
        return (f"target and reference share {shared} meeting(s) ({how}): a comparison within meetings, so no "
                f"between-meeting inference is possible (meeting-level p-values and intervals are NaN)")
    if n_t >= 2 and n_r >= 2:
        return (f"meeting-level tests on {n_t} target and {n_r} reference meetings (permutation test of mean "
                f"per-meeting rates; Mann-Whitney U; bootstrap resampling meetings); {how}")
    one = [side for side, n in (("target", n_t), ("reference", n_r)) if n < 2]
    return (f"the {' and the '.join(one)} {'is' if len(one) == 1 else 'are each'} a single meeting: no "
            f"between-meeting inference is possible (meeting-level p-values and intervals are NaN); {how}")


def keyness(data, by: str, target, reference=None, *, min_count: int = 3,
            n_boot: int = 1000, seed: int = 0, alpha: float = 0.05, resample: str = "meetings",
            n_perm: int = 999, family=None, fixed_reference: bool = False) -> pd.DataFrame:
    """Keyness table of ``target`` against ``reference``, token- and meeting-level.

    Parameters
    ----------
    data : DocumentTermMatrix or pandas.DataFrame
        A document-term matrix (:func:`analysis.document_term_matrix`) or a tokenized
        corpus table (``tokens`` column; ``sentences`` too for ``resample="sentences"``).
        The sampling unit of each row is its ``meeting_id`` (else ``doc_id``, else the
        unit itself; :func:`analysis.measures.inference.sampling_units`).
    by : str
        Grouping column, e.g. ``"period"``.
    target : str or list of str
        Value(s) of ``by`` forming the target corpus.
    reference : str or list of str, optional
        Value(s) forming the reference; default: every other value.
    min_count : int, default 3
        Terms with fewer than ``min_count`` occurrences in target and reference
        together are not tested (they cannot reach significance and inflate the
        number of comparisons); terms of ``family`` are tested whenever they occur.
    n_boot : int, default 1000
        Bootstrap replicates for the Log Ratio interval (0 = none).
    seed : int, default 0
        Seed of every random draw (bootstrap and randomised permutations).
    alpha : float, default 0.05
        Family-wise error rate for the Bonferroni threshold, and false-discovery rate
        the q-values are meant to be read against.
    resample : {"meetings", "sentences"}, default "meetings"
        What the bootstrap resamples, with replacement, within each group: whole meetings
        (speaker sub-units summed; Lijffijt et al. 2016: texts, not words) — no interval
        when a group is a single meeting — or sentences (variation within the group's
        texts only, not between meetings; needs a corpus table).  ``"units"`` is accepted
        as the former name of ``"meetings"``.
    n_perm : int, default 999
        Permutations for the meeting-level tests (every split when there are fewer);
        p-values have a resolution of about ``1 / (n_perm + 1)``.
    family : list of str, optional
        A pre-declared (confirmatory) set of terms, e.g. the 二十条 signature terms of
        ``data/families.yml``: tested whenever they occur, and corrected on their own
        (``q_family``, ``q_perm_family``, ``significant_family``).
    fixed_reference : bool, default False
        The reference is not a sample (e.g. a published frequency list): no meeting-level
        test is made, and the bootstrap resamples the target's meetings only, the
        reference's counts held fixed.

    Returns
    -------
    pandas.DataFrame
        One row per tested term:

        * token level: ``count_target``, ``count_reference``, ``per_10k_target``,
          ``per_10k_reference``, ``g2`` (signed), ``p_value``, ``q_value``
          (Benjamini–Hochberg over the terms with at least ``min_count`` occurrences),
          ``significant`` (Bonferroni over the same terms), ``log_ratio`` (Hardie; a zero
          count is replaced by 0.5, so for ``absent_target``/``absent_reference`` terms it
          is a bound set by the pseudo-count, not a measurement),
          ``log_ratio_low``/``log_ratio_high`` (2.5 and 97.5 percentiles of the meeting
          bootstrap; NaN for absent terms and when a side is one meeting), ``ci_mcse``
          (Monte-Carlo standard error of the bounds, the larger of the two),
          ``log_odds_z``;
        * units and meetings: ``n_units_target``/``n_units_reference`` (units containing
          the term), ``n_meetings_target``/``n_meetings_reference`` (meetings containing
          it), ``dp_target``/``dp_reference`` (Gries' DP over the group's meetings),
          ``p_perm_meetings`` (two-sided permutation test of the mean per-meeting rate
          difference, meetings permuted), ``p_mwu_meetings`` (Mann-Whitney U on
          per-meeting rates), ``q_perm_meetings`` (their Benjamini–Hochberg q-values) —
          NaN when a group has fewer than two meetings or the groups share a meeting;
        * the family (when given): ``in_family``, ``q_family`` and ``q_perm_family``
          (Benjamini–Hochberg within the family), ``significant_family`` (Bonferroni
          within the family, token level).

        Sorted by ``g2`` descending, ties by term.  ``df.attrs``: ``n_target``,
        ``n_reference`` (tokens), ``units_target``/``units_reference`` (unit ids),
        ``meetings_target``/``meetings_reference`` (meeting ids), ``sampling_unit`` (the
        column they came from), ``n_terms`` (the exploratory family), ``family``,
        ``family_missing`` (family terms that never occur), ``bonferroni_p``/
        ``bonferroni_g2``, ``unit_inference`` (a sentence saying whether meeting-level
        inference was possible and how units were aggregated), ``attainability``
        (:func:`analysis.measures.inference.attainability`), ``ci_decimals``, ``resample``,
        ``resampled`` (what was resampled on each side).

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
    from analysis.measures.inference import (aggregate_rows, attainability, bh_qvalues, bootstrap_units, dp,
                                             mann_whitney_rates, mc_decimals, percentile_mc_error,
                                             permutation_test_rates, sampling_units, unit_rates)
    from analysis.text.matrix import DocumentTermMatrix, as_dtm

    if not isinstance(by, str):
        raise ValueError("keyness compares values of one column: pass by='period' (a string)")
    if resample == "units":
        resample = "meetings"
    if resample not in ("meetings", "sentences"):
        raise ValueError(f"resample must be 'meetings' or 'sentences', not {resample!r}")
    if family is not None and (isinstance(family, str) or not all(isinstance(t, str) for t in family)):
        raise ValueError("family must be a list of terms, e.g. family=['二十条', '层层加码']")
    if isinstance(data, pd.DataFrame):
        check_by(data, by)
        if n_boot and resample == "sentences" and "sentences" not in data.columns:
            raise ValueError("corpus has no `sentences` column for the sentence bootstrap; use "
                             "tokenize_corpus(corpus), resample='meetings' or n_boot=0")
    elif isinstance(data, DocumentTermMatrix) and n_boot and resample == "sentences":
        raise ValueError("a document-term matrix has no sentences: pass the tokenized corpus "
                         "table for resample='sentences', or resample='meetings'")
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
    family = list(dict.fromkeys(family)) if family is not None else None
    vocab_index = {t: j for j, t in enumerate(dtm.vocab)}
    fam_cols = {vocab_index[t] for t in (family or []) if t in vocab_index}
    used_cols = np.flatnonzero(used)
    keep_used = ((ct[used] + cr[used]) >= min_count) | np.isin(used_cols, list(fam_cols))
    cols_kept = used_cols[keep_used]
    terms = [dtm.vocab[j] for j in cols_kept]
    a, b = ct[cols_kept], cr[cols_kept]
    g = g2(a, b, n1, n2)
    p = chi2.sf(np.abs(g), df=1)
    explore = (a + b) >= min_count  # the exploratory family: every term with min_count occurrences
    m = max(int(explore.sum()), 1)
    mt, mr = counts[t_idx][:, cols_kept], counts[r_idx][:, cols_kept]
    size_t, size_r = dtm.n_tokens[t_idx].astype(float), dtm.n_tokens[r_idx].astype(float)
    if np.any(size_t == 0) or np.any(size_r == 0):
        empty = [dtm.docvars["unit_id"].iat[i] if "unit_id" in dtm.docvars else int(i)
                 for i in np.r_[t_idx[size_t == 0], r_idx[size_r == 0]]]
        raise ValueError(f"units {empty} have no tokens; drop them before comparing")
    labels, source = sampling_units(dtm.docvars)
    gt, st, meet_t = aggregate_rows(mt, size_t, labels[t_idx])
    gr, sr, meet_r = aggregate_rows(mr, size_r, labels[r_idx])
    shared = sorted(set(meet_t) & set(meet_r))
    testable = len(meet_t) >= 2 and len(meet_r) >= 2 and not shared and not fixed_reference
    out = pd.DataFrame({
        "term": terms, "count_target": a.astype("int64"), "count_reference": b.astype("int64"),
        "absent_target": a == 0, "absent_reference": b == 0,
        "per_10k_target": a / n1 * 1e4, "per_10k_reference": b / n2 * 1e4,
        "g2": g, "p_value": p, "q_value": bh_qvalues(np.where(explore, p, np.nan)),
        "significant": explore & (p < alpha / m),
        "log_ratio": log_ratio(a, b, n1, n2),
        "log_odds_z": z_all[keep_used],
        "n_units_target": np.asarray((mt > 0).sum(axis=0)).ravel().astype("int64"),
        "n_units_reference": np.asarray((mr > 0).sum(axis=0)).ravel().astype("int64"),
        "n_meetings_target": np.asarray((gt > 0).sum(axis=0)).ravel().astype("int64"),
        "n_meetings_reference": np.asarray((gr > 0).sum(axis=0)).ravel().astype("int64"),
        "dp_target": dp(gt, st), "dp_reference": dp(gr, sr),
    })
    if testable and len(terms):
        rt, rr = unit_rates(gt, st), unit_rates(gr, sr)
        out["p_perm_meetings"] = permutation_test_rates(rt, rr, n_perm=n_perm, seed=seed)[1]
        out["p_mwu_meetings"] = mann_whitney_rates(rt, rr, n_perm=n_perm, seed=seed)[1]
    else:
        out["p_perm_meetings"] = np.nan
        out["p_mwu_meetings"] = np.nan
    out["q_perm_meetings"] = bh_qvalues(np.where(explore, out["p_perm_meetings"], np.nan))
    ci_decimals = None
    resampled: dict = {}
    out["log_ratio_low"] = np.nan
    out["log_ratio_high"] = np.nan
    out["ci_mcse"] = np.nan
    if n_boot and len(terms):
        rng = np.random.default_rng(seed)
        index = {t: i for i, t in enumerate(terms)}
        reps = []
        for side, idx, agg, sizes, meets in (("target", t_idx, gt, st, meet_t),
                                             ("reference", r_idx, gr, sr, meet_r)):
            if resample == "sentences":
                sm, lengths = _sentence_matrix([s for ss in data["sentences"].iloc[idx] for s in ss], index)
                reps.append(_bootstrap_counts(sm, lengths, n_boot, rng))
                resampled[side] = "sentences (within its texts, not between meetings)"
            elif fixed_reference and side == "reference" and len(reps) == 1:
                fixed = np.asarray(agg.sum(axis=0)).ravel()
                reps.append((np.tile(fixed, (n_boot, 1)), np.full(n_boot, sizes.sum())))
                resampled[side] = "nothing (held fixed)"
            elif testable or (fixed_reference and side == "target" and len(meets) >= 2 and not shared):
                rep = bootstrap_units(agg, [np.arange(len(meets))], n_boot, rng, sizes=sizes)[0]
                reps.append((rep[:, :-1], rep[:, -1]))
                resampled[side] = f"meetings ({len(meets)})"
            else:
                resampled[side] = ("nothing (the sides share a meeting)" if shared
                                   else "nothing (a single meeting)" if len(meets) < 2
                                   else f"nothing (the other side is a single meeting; {len(meets)} meetings)")
        if len(reps) == 2:
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
             "per_10k_target", "per_10k_reference", "g2", "p_value", "q_value", "significant", "log_ratio",
             "log_ratio_low", "log_ratio_high", "ci_mcse", "log_odds_z", "n_units_target",
             "n_units_reference", "n_meetings_target", "n_meetings_reference", "dp_target", "dp_reference",
             "p_perm_meetings", "p_mwu_meetings", "q_perm_meetings"]
    n_family = None
    if family is not None:
        in_fam = np.isin(cols_kept, list(fam_cols))
        n_family = max(int(in_fam.sum()), 1)
        out["in_family"] = in_fam
        out["q_family"] = bh_qvalues(np.where(in_fam, p, np.nan))
        out["q_perm_family"] = bh_qvalues(np.where(in_fam, out["p_perm_meetings"], np.nan))
        out["significant_family"] = in_fam & (p < alpha / n_family)
        order += ["in_family", "q_family", "q_perm_family", "significant_family"]
    out = out[order].sort_values(["g2", "term"], ascending=[False, True], kind="mergesort").reset_index(drop=True)
    ids = dtm.docvars["unit_id"] if "unit_id" in dtm.docvars else pd.Series(range(dtm.shape[0]))
    attain = attainability(len(meet_t), len(meet_r), m, alpha=alpha, n_perm=n_perm, n_family=n_family)
    if shared:
        attain = dict(attain, min_p=float("nan"), bonferroni_attainable=False, bh_attainable=False,
                      statement=f"Target and reference share {len(shared)} meeting(s): no between-meeting "
                                f"p-value exists for a comparison within meetings.")
    out.attrs.update(by=by, target=tgt, reference=ref, n_target=int(n1), n_reference=int(n2),
                     units_target=list(ids.iloc[t_idx]), units_reference=list(ids.iloc[r_idx]),
                     meetings_target=list(meet_t), meetings_reference=list(meet_r), shared_meetings=shared,
                     sampling_unit=source, n_terms=m, min_count=min_count, alpha=alpha,
                     bonferroni_p=alpha / m, bonferroni_g2=float(chi2.isf(alpha / m, df=1)),
                     family=family, family_missing=[t for t in (family or []) if t not in set(terms)],
                     n_boot=n_boot, seed=seed, resample=resample, resampled=resampled, n_perm=n_perm,
                     unit_inference=_unit_message(len(meet_t), len(meet_r), len(t_idx), len(r_idx),
                                                  len(shared), source),
                     attainability=attain, ci_decimals=ci_decimals)
    return out


def keyness_summary(kt: pd.DataFrame) -> str:
    """Plain-language summary of a keyness table's evidence base and inference.

    One line each: units and meetings and tokens per side; terms tested, the Bonferroni
    threshold and how many terms pass it, how many have a Benjamini–Hochberg q below
    ``alpha``; the pre-declared family (if any); absent terms; what the meeting-level
    statistics rest on; whether a meeting-level p can pass the threshold at all; what the
    bootstrap resampled."""
    a = kt.attrs
    sig = int(kt["significant"].sum())
    absent = int((kt["absent_target"] | kt["absent_reference"]).sum())
    mt, mr = a.get("meetings_target", a["units_target"]), a.get("meetings_reference", a["units_reference"])

    def side(name, label, units, meetings, tokens):
        one = " — ONE MEETING: no between-meeting inference" if len(meetings) == 1 else ""
        return (f"{name} {label}: {len(units)} unit(s) in {len(meetings)} meeting(s), {tokens:,} tokens{one}")

    lines = [
        side("target", a["target"], a["units_target"], mt, a["n_target"]) + "; "
        + side("reference", a["reference"], a["units_reference"], mr, a["n_reference"]),
        f"{a['n_terms']} terms tested (>= {a['min_count']} occurrences); Bonferroni |G2| > "
        f"{a['bonferroni_g2']:.2f} (p < {a['bonferroni_p']:.1e}): {sig} pass; Benjamini-Hochberg "
        f"q < {a['alpha']:g}: {int((kt['q_value'] < a['alpha']).sum())} (token level)"
        + (f", {int((kt['q_perm_meetings'] < a['alpha']).sum())} (meeting-level permutation)"
           if "q_perm_meetings" in kt and kt["q_perm_meetings"].notna().any() else ""),
    ]
    if a.get("family") is not None:
        fam = kt[kt["in_family"]]
        lines.append(f"pre-declared family: {len(fam)} of {len(a['family'])} terms tested"
                     + (f" (never occur: {'、'.join(a['family_missing'])})" if a.get("family_missing") else "")
                     + f"; corrected on their own: Bonferroni {int(fam['significant_family'].sum())} pass, "
                     f"BH q < {a['alpha']:g}: {int((fam['q_family'] < a['alpha']).sum())} (token level)"
                     + (f", {int((fam['q_perm_family'] < a['alpha']).sum())} (meeting level)"
                        if fam["q_perm_family"].notna().any() else ""))
    lines += [f"{absent} tested terms are absent on one side: their Log Ratio is set by the 0.5 pseudo-count",
              a["unit_inference"]]
    if a.get("attainability"):
        lines.append(a["attainability"]["statement"])
    if a.get("n_boot"):
        res = a.get("resampled", {})
        lines.append(f"95% intervals: {a['n_boot']} bootstrap replicates (seed {a['seed']}); resampled: "
                     f"target = {res.get('target', a['resample'])}, reference = {res.get('reference', a['resample'])}")
    return "\n".join(lines)
