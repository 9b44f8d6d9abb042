"""Keyness beyond two groups: one-vs-rest over a column, and an external reference.

Both call :func:`analysis.keyness` (G², Log Ratio, weighted log-odds z, the unit-level
columns and the unit bootstrap), so every column keeps its meaning:

* :func:`keyness_one_vs_rest` — every group of a column (each place, each month) against
  all the other rows, stacked into one table with the group column;
* :func:`keyness_reference` — a target against a reference that is *another* corpus: a
  document-term matrix or tokenized table (unit-level columns on both sides), or a
  frequency list ``(term, count)`` such as the 新闻联播 stories of the same month (no
  units on the reference side: its unit-level columns are empty, and the table says
  that no between-unit inference is possible).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["keyness_one_vs_rest", "keyness_reference", "reference_frequencies", "one_vs_rest_prose"]


def keyness_one_vs_rest(data, by: str, *, groups=None, min_count: int = 3, n_boot: int = 0,
                        seed: int = 0, alpha: float = 0.05, n_perm: int = 999) -> pd.DataFrame:
    """Keyness of every group of ``by`` against all other rows.

    Parameters
    ----------
    data : DocumentTermMatrix or pandas.DataFrame
        A document-term matrix or a tokenized corpus table (as :func:`analysis.keyness`).
    by : str
        The grouping column, e.g. ``"place"`` or ``"period"``.
    groups : list, optional
        The groups to test (default every value of ``by``, sorted); the reference of each
        is always every other row.
    min_count, n_boot, seed, alpha, n_perm
        As :func:`analysis.keyness` (``n_boot`` defaults to 0 here: one bootstrap per
        group is slow; pass e.g. 200 for intervals).

    Returns
    -------
    pandas.DataFrame
        The keyness tables of all groups, stacked: a first column named ``by`` holding the
        group, then every column of :func:`analysis.keyness` (per group sorted by G²
        descending), plus ``n_units_group`` (units in the group) and ``unit_inference``
        (the group's sentence on unit-level inference).  The Bonferroni flag
        ``significant`` is per group (its number of tested terms); ``significant_all``
        applies Bonferroni over every test of the table.  ``attrs["groups"]``: per group
        the attrs of its keyness table.

    References
    ----------
    Dunning (1993); Hardie (2014); Monroe, Colaresi & Quinn (2008); Lijffijt et al. (2016),
    as :func:`analysis.keyness`.
    """
    from analysis.measures.keyness import keyness
    from analysis.text.matrix import as_dtm

    dtm = as_dtm(data)
    if by not in dtm.docvars.columns:
        raise ValueError(f"unknown column {by!r} in by=; available: {list(dtm.docvars.columns)}")
    values = sorted(dtm.docvars[by].astype(str).unique())
    groups = values if groups is None else [str(g) for g in groups]
    unknown = [g for g in groups if g not in values]
    if unknown:
        raise ValueError(f"unknown {by} value(s) {unknown}; available: {values}")
    if len(values) < 2:
        raise ValueError(f"{by!r} has a single value {values}: nothing to compare it with")
    tables, info = [], {}
    for g in groups:
        kt = keyness(data, by=by, target=g, min_count=min_count, n_boot=n_boot, seed=seed,
                     alpha=alpha, n_perm=n_perm)
        kt.insert(0, by, g)
        kt["n_units_group"] = len(kt.attrs["units_target"])
        kt["unit_inference"] = kt.attrs["unit_inference"]
        info[g] = dict(kt.attrs)
        tables.append(kt)
    out = pd.concat(tables, ignore_index=True)
    n_tests = max(len(out), 1)
    out["significant_all"] = out["p_value"] < alpha / n_tests
    out.attrs.update(by=by, groups=info, alpha=alpha, n_tests=n_tests, bonferroni_p_all=alpha / n_tests)
    return out


def reference_frequencies(table) -> pd.Series:
    """A frequency list as a Series term -> count (int64), validated.

    Accepts a DataFrame with ``term`` and ``count`` columns, a Series, or a dict.

    Raises
    ------
    ValueError
        Missing columns, a blank or duplicated term, or a negative / non-integer count
        (naming the row and the fix).
    """
    if isinstance(table, dict):
        table = pd.Series(table)
    if isinstance(table, pd.Series):
        table = pd.DataFrame({"term": table.index.astype(str), "count": table.to_numpy()})
    if not isinstance(table, pd.DataFrame) or not {"term", "count"} <= set(table.columns):
        raise ValueError("a frequency list needs columns `term` and `count` (one row per term)")
    terms = table["term"]
    for i, t in enumerate(terms):
        if not isinstance(t, str) or not t.strip():
            raise ValueError(f"frequency list, row {i + 1}: `term` is blank; remove the row")
    dup = terms[terms.duplicated()].tolist()
    if dup:
        raise ValueError(f"frequency list: term(s) {dup[:5]} occur more than once; sum their counts")
    counts = pd.to_numeric(table["count"], errors="coerce")
    bad = np.flatnonzero(counts.isna().to_numpy() | (counts < 0).to_numpy()
                         | (counts.fillna(0) % 1 != 0).to_numpy())
    if len(bad):
        i = int(bad[0])
        raise ValueError(f"frequency list, row {i + 1} ({terms.iat[i]!r}): `count` must be a whole number "
                         f">= 0, got {table['count'].iat[i]!r}")
    return pd.Series(counts.astype("int64").to_numpy(), index=terms.to_numpy(), name="count")


def _stack(target, reference):
    """One matrix with the target's rows, then the reference's, on the union vocabulary."""
    from analysis.text.matrix import DocumentTermMatrix

    vocab = tuple(sorted(set(target.vocab) | set(reference.vocab)))
    index = {t: i for i, t in enumerate(vocab)}

    def remap(dtm):
        cols = np.array([index[t] for t in dtm.vocab], dtype=np.int64)
        m = dtm.counts.tocoo()
        return sparse.csr_matrix((m.data, (m.row, cols[m.col])), shape=(dtm.shape[0], len(vocab)))

    counts = sparse.vstack([remap(target), remap(reference)]).tocsr()
    ids_t = target.docvars["unit_id"].astype(str) if "unit_id" in target.docvars else \
        pd.Series([f"target-{i}" for i in range(target.shape[0])])
    ids_r = reference.docvars["unit_id"].astype(str) if "unit_id" in reference.docvars else \
        pd.Series([f"reference-{i}" for i in range(reference.shape[0])])
    docvars = pd.DataFrame({"unit_id": [*ids_t, *ids_r],
                            "_side": ["target"] * target.shape[0] + ["reference"] * reference.shape[0]})
    return DocumentTermMatrix(counts, vocab, docvars)


def _matrix(data):
    """A document-term matrix from a matrix, a tokenized table or a corpus table (segmented)."""
    from analysis.text.matrix import as_dtm, document_term_matrix

    if isinstance(data, pd.DataFrame) and "tokens" not in data.columns and "text" in data.columns:
        return document_term_matrix(data)
    return as_dtm(data)


def keyness_reference(target, reference, *, min_count: int = 3, n_boot: int = 1000, seed: int = 0,
                      alpha: float = 0.05, n_perm: int = 999, target_label: str = "target",
                      reference_label: str = "reference") -> pd.DataFrame:
    """Keyness of a target corpus against an external reference corpus or frequency list.

    Parameters
    ----------
    target : DocumentTermMatrix or pandas.DataFrame
        The target's units: a matrix, a tokenized table, or a corpus table (segmented
        with the project segmenter through :func:`analysis.document_term_matrix`).
    reference : DocumentTermMatrix, pandas.DataFrame or dict
        Another corpus (a matrix, a tokenized table or a corpus table: its units give the
        unit-level columns), or a frequency list (a DataFrame with ``term`` and ``count``, a Series
        or a dict term -> count).  The list's terms must be tokens as the target's
        segmenter makes them (e.g. ``term_frequencies`` of another corpus).
    min_count, n_boot, seed, alpha, n_perm
        As :func:`analysis.keyness`.
    target_label, reference_label : str
        How the two sides are named in ``attrs["target"]``/``attrs["reference"]`` (and so in
        :func:`analysis.keyness_summary`).

    Returns
    -------
    pandas.DataFrame
        The :func:`analysis.keyness` table (target vs reference).  With a frequency list,
        ``n_units_reference``, ``dp_reference``, ``p_perm_units`` and ``p_mwu_units`` are
        NaN, the bootstrap resamples the target's units only (the list is fixed), and
        ``attrs["unit_inference"]`` says so; ``attrs["reference_kind"]`` is ``"corpus"`` or
        ``"frequency list"``.  Unit ids present on both sides are an error.

    References
    ----------
    Rayson & Garside (2000) on comparing a corpus with a reference corpus; the measures as
    :func:`analysis.keyness`.
    """
    from analysis.measures.keyness import keyness
    from analysis.text.matrix import DocumentTermMatrix

    t = _matrix(target)
    is_list = isinstance(reference, (dict, pd.Series)) or (
        isinstance(reference, pd.DataFrame) and {"term", "count"} <= set(reference.columns)
        and "tokens" not in reference.columns)
    if is_list:
        freq = reference_frequencies(reference)
        freq = freq[freq > 0]
        if freq.sum() == 0:
            raise ValueError("the frequency list has no counts")
        r = DocumentTermMatrix(sparse.csr_matrix(freq.to_numpy(dtype=np.int64)[None, :]),
                               tuple(freq.index), pd.DataFrame({"unit_id": ["(frequency list)"]}))
    else:
        r = _matrix(reference)
    stacked = _stack(t, r)
    side = stacked.docvars._side
    shared = set(stacked.docvars.unit_id[side == "target"]) & set(stacked.docvars.unit_id[side == "reference"])
    if shared:
        raise ValueError(f"unit(s) {sorted(shared)[:5]} are in both the target and the reference")
    kt = keyness(stacked, by="_side", target="target", reference="reference", min_count=min_count,
                 n_boot=n_boot, seed=seed, alpha=alpha, n_perm=n_perm)
    kt.attrs["reference_kind"] = "frequency list" if is_list else "corpus"
    if is_list:
        for col in ("n_units_reference", "dp_reference", "p_perm_units", "p_mwu_units"):
            kt[col] = np.nan
        kt.attrs["units_reference"] = []
        kt.attrs["unit_inference"] = ("the reference is a frequency list: it has no units, so there are no "
                                      "unit-level columns on its side and no between-unit inference; the "
                                      "interval resamples the target's units only (the list is fixed)")
        res = dict(kt.attrs.get("resampled", {}))
        if res:
            res["reference"] = "nothing (a frequency list)"
            kt.attrs["resampled"] = res
    kt.attrs["target"], kt.attrs["reference"] = [target_label], [reference_label]
    return kt


def one_vs_rest_prose(table: pd.DataFrame) -> str:
    """What a one-vs-rest table can and cannot say, in one paragraph (numbers computed).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`keyness_one_vs_rest` output.
    """
    by = table.attrs["by"]
    info = table.attrs["groups"]
    single = [g for g, a in info.items() if len(a["units_target"]) < 2]
    pos = table[(table["g2"] > 0)]
    sig = pos[pos["significant_all"]]
    per_group = sig.groupby(by)["term"].agg(lambda s: "、".join(s.head(3)))
    text = (f"{len(info)} groups of `{by}`, each against all the others; {table.attrs['n_tests']:,} tests in all "
            f"(Bonferroni over the whole table: p < {table.attrs['bonferroni_p_all']:.1e}). ")
    if len(sig):
        text += (f"{len(sig)} over-used terms pass it, in {sig[by].nunique()} group(s): "
                 + "; ".join(f"{g}: {t}" for g, t in per_group.items()) + ". ")
    else:
        text += "No over-used term passes it. "
    if single:
        text += (f"{len(single)} of the {len(info)} groups rest on a single unit: for them a key term is a "
                 f"feature of one text, and no between-unit test is possible.")
    else:
        text += "Every group has at least two units."
    return text
