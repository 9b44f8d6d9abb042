"""Count models of a term per unit: the rate ratio between two groups with meeting-clustered errors.

G² and the other pooled-token statistics treat every token as an independent draw (Lijffijt et al. 2016);
the unit of sampling here is the meeting.  :func:`count_model` fits a log-linear model of a term's count in
each unit with the unit's tokens as exposure,

    log E[y_i] = log(n_i) + b0 + b1 · target_i,

so ``exp(b1)`` is the ratio of the term's rate (per token) in the target group to the reference group.
Standard errors are clustered by meeting (Liang & Zeger 1986; for the Poisson quasi-likelihood with clustered
errors, which stays consistent under overdispersion, see Cameron & Trivedi 2013, ch. 3 and 6), so the
speaker parts of one meeting are not independent evidence.  With few clusters, cluster-robust errors are too
small (Cameron, Gelbach & Miller 2008): the small-sample correction of statsmodels is applied and the
number of meetings is reported beside every interval.  A negative-binomial (NB2) fit is available
(``family="negbin"``); the Poisson quasi-likelihood is the default because with 2–20 meetings per side the
NB dispersion is poorly determined and the NB point estimate then weights units unlike the Poisson
estimate; both use the same clustered errors.

A mixed model with a random meeting intercept (a GLMM) is not used: statsmodels' Poisson/NB GLMMs are
Bayesian approximations (``PoissonBayesMixedGLM``) without a reliable frequentist interval, and with as
few meetings as here their variance component is not identified.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = ["count_model", "count_models", "count_models_vs_rest", "count_models_statement", "cluster_column"]

FAMILIES = ("poisson", "negbin")


def cluster_column(docvars: pd.DataFrame, cluster: str | None = None) -> str:
    """The column that identifies a unit's meeting: ``cluster`` if given, else ``meeting_id`` when the table
    has it, else ``doc_id`` (one document = one meeting report)."""
    if cluster is not None:
        if cluster not in docvars.columns:
            raise KeyError(f"cluster column {cluster!r} is not in the table; columns: {sorted(docvars.columns)}")
        return cluster
    for c in ("meeting_id", "doc_id"):
        if c in docvars.columns:
            return c
    raise KeyError("the table has neither `meeting_id` nor `doc_id`: pass cluster=<column naming each unit's meeting>")


def _design(dtm, terms, by, target, reference, cluster):
    from analysis.text.matrix import as_dtm

    dtm = as_dtm(dtm)
    if by not in dtm.docvars.columns:
        raise KeyError(f"unknown column {by!r} in by=; available: {sorted(dtm.docvars.columns)}")
    lab = dtm.docvars[by].astype(str).to_numpy()  # units of other (or no) groups are left out below
    keep = np.isin(lab, [str(target), str(reference)])
    for side in (target, reference):
        if not (lab == str(side)).any():
            raise ValueError(f"group {side!r} has no units in column {by!r}; groups: {sorted(set(lab))}")
    terms = [terms] if isinstance(terms, str) else list(terms)
    missing = [t for t in terms if t not in dtm.term_index]
    if len(missing) == len(terms):
        raise KeyError(f"none of {terms} is in the matrix's vocabulary (absent from the texts or split by the "
                       f"segmenter: add a multi-character term to data/lexicon/policy_terms.txt)")
    y = sum(dtm.column(t) for t in terms if t not in missing)
    col = cluster_column(dtm.docvars, cluster)
    frame = pd.DataFrame({"y": y, "n": dtm.n_tokens, "target": (lab == str(target)).astype(float),
                          "meeting": dtm.docvars[col].astype(str).to_numpy()})[keep]
    frame = frame[frame["n"] > 0].reset_index(drop=True)
    return frame, col, missing


def _fit(frame: pd.DataFrame, family: str):
    # what is used from statsmodels, not statsmodels.api (which imports every model: 0.3 s more)
    from statsmodels.discrete.discrete_model import NegativeBinomial
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.tools import add_constant

    X = add_constant(frame[["target"]].to_numpy(), has_constant="add")
    groups = pd.factorize(frame["meeting"])[0]
    offset = np.log(frame["n"].to_numpy(dtype=float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "poisson":
            res = GLM(frame["y"].to_numpy(dtype=float), X, family=families.Poisson(), offset=offset).fit(
                cov_type="cluster", cov_kwds={"groups": groups, "use_correction": True})
        else:
            res = NegativeBinomial(frame["y"].to_numpy(dtype=float), X, offset=offset, loglike_method="nb2").fit(
                cov_type="cluster", cov_kwds={"groups": groups, "use_correction": True}, disp=0, maxiter=200)
    return res


def count_model(dtm, terms, by: str, target, reference, *, cluster: str | None = None,
                family: str = "poisson", level: float = 0.95) -> dict:
    """Rate ratio of a term (or a theme: several terms summed) between two groups of units.

    Parameters
    ----------
    dtm : DocumentTermMatrix or corpus/tokenized table
        Units × terms counts with metadata (:func:`analysis.document_term_matrix`).
    terms : str or list of str
        One term, or the terms of a theme (their counts are summed per unit).
    by : str
        Metadata column holding the groups (e.g. ``"period"``, ``"province"``).
    target, reference : str
        The two groups compared; units of other groups are left out.
    cluster : str, optional
        Column naming each unit's meeting (default: ``meeting_id`` if present, else ``doc_id``).
    family : {"poisson", "negbin"}
        Poisson quasi-likelihood (default) or NB2 negative binomial; errors are clustered by meeting either way.
    level : float
        Coverage of the interval (0.95: a 95 % interval).

    Returns
    -------
    dict
        ``term``, ``family``, ``rate_ratio`` (target rate / reference rate), ``ci_low``, ``ci_high``, ``p``
        (Wald, clustered), ``count_target``/``count_reference``, ``units_target``/``units_reference``,
        ``meetings_target``/``meetings_reference``, ``cluster`` (the column), ``note``.  When a side has fewer
        than two meetings, or the term never occurs on one side (the ratio is 0 or infinite), the estimate,
        interval and p are NaN and ``note`` says why.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, not {family!r}")
    frame, col, missing = _design(dtm, terms, by, target, reference, cluster)
    name = terms if isinstance(terms, str) else "+".join(terms)
    t, r = frame[frame.target == 1], frame[frame.target == 0]
    out = {"term": name, "family": family, "rate_ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan,
           "count_target": int(t.y.sum()), "count_reference": int(r.y.sum()),
           "units_target": len(t), "units_reference": len(r),
           "meetings_target": t.meeting.nunique(), "meetings_reference": r.meeting.nunique(),
           "cluster": col, "note": ""}
    notes = [f"not in the vocabulary: {'、'.join(missing)}"] if missing else []
    thin = [f"{side} has {m} meeting" for side, m in ((target, out["meetings_target"]),
                                                      (reference, out["meetings_reference"])) if m < 2]
    if thin:
        out["note"] = "; ".join(notes + [", ".join(thin) + ": no between-meeting inference is possible"])
        return out
    if out["count_target"] == 0 or out["count_reference"] == 0:
        side = target if out["count_target"] == 0 else reference
        out["note"] = "; ".join(notes + [f"absent in {side}: the ratio is not estimable (0 or infinite)"])
        return out
    from scipy import stats

    res = _fit(frame, family)
    b, se = float(res.params[1]), float(res.bse[1])
    z = stats.norm.ppf(0.5 + level / 2)
    out.update(rate_ratio=float(np.exp(b)), ci_low=float(np.exp(b - z * se)), ci_high=float(np.exp(b + z * se)),
               p=float(res.pvalues[1]))
    out["note"] = "; ".join(notes + [f"errors clustered by {col} ({out['meetings_target']} vs "
                                     f"{out['meetings_reference']} meetings)"])
    return out


def count_models(dtm, terms, by: str, target, reference, **kw) -> pd.DataFrame:
    """:func:`count_model` for each term of ``terms`` (a list of terms, or a dict theme -> terms), one row each.

    A term absent from the matrix's vocabulary gets a row of NaN whose ``note`` says so (other bad input still
    raises)."""
    items = terms.items() if isinstance(terms, dict) else ((t, t) for t in terms)
    rows = []
    for label, ts in items:
        try:
            row = count_model(dtm, ts, by, target, reference, **kw)
        except KeyError as e:  # a term the segmentation never produced: a row that says so, not a stop
            row = {"rate_ratio": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p": np.nan, "note": str(e).strip("'\"")}
        row["term"] = label
        rows.append(row)
    return pd.DataFrame(rows)


def count_models_vs_rest(dtm, terms, by: str, groups=None, *, rest: str = "the rest", **kw) -> pd.DataFrame:
    """:func:`count_models` of each group of ``by`` against all other units (one group vs the rest).

    Parameters
    ----------
    dtm : DocumentTermMatrix or tokenized corpus table
    terms : list of str or dict
        A (pre-declared) family of terms, or themes ``name -> terms``.
    by : str
        Column of the groups (e.g. ``"place"``).
    groups : list, optional
        Groups to compare with the rest, in this order (default: every group, sorted).
    rest : str
        Label of the other side (must not be a group's name).
    **kw
        Passed to :func:`count_model` (``cluster``, ``family``, ``level``).

    Returns
    -------
    DataFrame
        The rows of :func:`count_models` for each group, with the group in column ``by`` first, and
        ``q_family``: Benjamini–Hochberg q over the terms of that comparison (the family corrected on its
        own; NaN where no p exists).  Every row is exactly ``count_model(dtm, term, side, group, rest)``
        with ``side`` = the group or ``rest``.
    """
    from analysis.measures.inference import bh_qvalues
    from analysis.text.matrix import DocumentTermMatrix, as_dtm

    dtm = as_dtm(dtm)
    if by not in dtm.docvars.columns:
        raise KeyError(f"unknown column {by!r} in by=; available: {sorted(dtm.docvars.columns)}")
    lab = dtm.docvars[by].astype(str).to_numpy()
    groups = sorted(set(lab)) if groups is None else [str(g) for g in groups]
    if rest in groups:
        raise ValueError(f"rest={rest!r} is also the name of a group in {by!r}: choose another label")
    side = "_vs_rest"
    tables = []
    for g in groups:
        d = DocumentTermMatrix(dtm.counts, dtm.vocab, dtm.docvars.assign(**{side: np.where(lab == g, g, rest)}))
        t = count_models(d, terms, side, g, rest, **kw)
        t.insert(0, by, g)
        t["q_family"] = bh_qvalues(t["p"].to_numpy(dtype=float))
        tables.append(t)
    return pd.concat(tables, ignore_index=True)


def count_models_statement(table: pd.DataFrame, by: str | None = None, *, few_meetings: int = 10) -> str:
    """One computed sentence on a count-model table: how many rows have a rate ratio (and on how many meetings),
    and which rows refuse and why.

    Reasons, from the rows themselves: a side with a single meeting (``meetings_target``/``meetings_reference``
    below two: the comparisons, or terms when ``by`` is None, are named once); a term that is never a token of
    the texts compared; any other ``note`` (a term absent on one side), row by row.  When an estimate rests on
    fewer than ``few_meetings`` meetings on a side, the sentence adds that its clustered interval and p are
    optimistic (cluster-robust Wald tests over-reject with few clusters, Cameron, Gelbach & Miller 2008).
    """
    def _label(rows):
        return list(dict.fromkeys(rows[by] if by is not None else rows["term"]))

    est = table[table["rate_ratio"].notna()]
    refused = table[table["rate_ratio"].isna()]
    n, k = len(table), len(refused)
    sizes = "; ".join((f"{g}: " if by is not None else "")
                      + f"{int(r.meetings_target.iloc[0])} vs {int(r.meetings_reference.iloc[0])} meetings"
                      for g, r in (est.groupby(by, sort=False) if by is not None else [(None, est)]) if len(r))
    small = est[est[["meetings_target", "meetings_reference"]].min(axis=1) < few_meetings]
    caveat = (f" With fewer than {few_meetings} meetings on a side ({'、'.join(_label(small))}), the clustered "
              f"intervals and p are optimistic: cluster-robust tests over-reject with few clusters."
              if len(small) else "")
    if k == 0:
        return f"All {n} rows have a rate ratio with its interval ({sizes}).{caveat}"
    thin = refused[(refused["meetings_target"] < 2) | (refused["meetings_reference"] < 2)]
    vocab = refused[refused["note"].astype(str).str.startswith("none of ")]
    other = refused.drop(index=thin.index.union(vocab.index))
    parts = []
    if len(thin):
        parts.append(f"{'、'.join(_label(thin))}: one side has a single meeting, so no between-meeting inference "
                     f"is possible")
    if len(vocab):
        parts.append(f"{'、'.join(dict.fromkeys(vocab['term']))}: never a token of the texts compared (absent, or "
                     f"split by the segmenter)")
    parts += [f"{(r[by] + ' · ') if by is not None else ''}{r['term']}: {r['note']}" for _, r in other.iterrows()]
    head = (f"No row has a rate ratio: the comparison has too few meetings (or occurrences) for any count model. "
            if k == n else f"{n - k} of {n} rows have a rate ratio ({sizes}); {k} refuse. ")
    return head + "No estimate — " + "; ".join(parts) + "." + caveat
