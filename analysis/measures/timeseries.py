"""Term counts over time, from the document-term matrix by grouping rows into date bins.

A time series is a measure like any other: the matrix's rows (units) are grouped by the
calendar period of their ``date`` (month by default) and summed.  Rates are per 10,000
kept tokens of the period (the matrix's row sums), so they are comparable with
:func:`analysis.term_frequencies`.

Multiword slogans the segmenter does not keep whole can be counted by string matching
once per unit (:func:`count_strings`) and passed to :func:`term_series` as ``counts=``;
the denominator stays the matrix's tokens.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.text.matrix import as_dtm

__all__ = ["period_labels", "count_strings", "term_series", "unit_series", "first_last"]

_FREQ = {"M": "M", "MS": "M", "ME": "M", "Q": "Q", "QE": "Q", "Y": "Y", "YE": "Y", "A": "Y", "W": "W",
         "D": "D"}


def _freq(freq: str) -> str:
    try:
        return _FREQ[str(freq).upper()]
    except KeyError:
        raise ValueError(f"freq={freq!r}: use 'D', 'W', 'M', 'Q' or 'Y'") from None


def period_labels(dates, freq: str = "M") -> pd.Series:
    """Calendar period of each date as a string (``"2022-11"`` for ``freq="M"``).

    Parameters
    ----------
    dates : array-like of date strings (``YYYY-MM-DD``) or datetimes
    freq : {"D", "W", "M", "Q", "Y"}

    Raises
    ------
    ValueError
        Naming the first value that is not a date.
    """
    s = pd.Series(dates).reset_index(drop=True)
    parsed = pd.to_datetime(s, errors="coerce", format="mixed")
    bad = parsed.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"date {s.iloc[i]!r} (row {i}) is not a date; every unit needs a date (YYYY-MM-DD)")
    return parsed.dt.to_period(_freq(freq)).astype(str)


def count_strings(texts, terms) -> pd.DataFrame:
    """Occurrences of each term in each text, leftmost-longest and non-overlapping across
    ``terms`` (清零 inside 动态清零 counts once, for 动态清零 when both are listed).

    Parameters
    ----------
    texts : sequence of str
        One text per unit (e.g. the corpus table's ``text``), in matrix row order.
    terms : sequence of str

    Returns
    -------
    pandas.DataFrame
        units × terms, int64, columns in the order of ``terms``.
    """
    terms = list(dict.fromkeys(terms))
    if not terms or any(not t for t in terms):
        raise ValueError("terms must be non-empty strings")
    pattern = re.compile("|".join(map(re.escape, sorted(terms, key=lambda t: (-len(t), t)))))
    col = {t: j for j, t in enumerate(terms)}
    texts = list(texts)
    out = np.zeros((len(texts), len(terms)), dtype="int64")
    for i, text in enumerate(texts):
        for m in pattern.finditer(text or ""):
            out[i, col[m.group()]] += 1
    return pd.DataFrame(out, columns=terms)


def _term_matrix(dtm, terms, counts) -> np.ndarray:
    """units × terms counts: from ``counts`` where it has the term, else the matrix column."""
    cols = []
    for t in terms:
        if counts is not None and t in counts.columns:
            c = np.asarray(counts[t], dtype="int64")
            if len(c) != dtm.shape[0]:
                raise ValueError(f"counts has {len(c)} rows for {dtm.shape[0]} units")
            cols.append(c)
        else:
            cols.append(dtm.column(t))
    return np.column_stack(cols) if cols else np.zeros((dtm.shape[0], 0), dtype="int64")


def _bins(dtm, freq, date, start, end):
    if date not in dtm.docvars.columns:
        raise ValueError(f"the matrix has no {date!r} column; available: {list(dtm.docvars.columns)}")
    labels = period_labels(dtm.docvars[date], freq)
    f = _freq(freq)
    lo = pd.Period(start, f) if start is not None else (pd.Period(labels.min(), f) if len(labels) else None)
    hi = pd.Period(end, f) if end is not None else (pd.Period(labels.max(), f) if len(labels) else None)
    if lo is None or hi is None:
        raise ValueError("the matrix has no rows")
    full = pd.period_range(lo, hi, freq=f).astype(str)
    return labels, list(full)


def term_series(dtm, terms, freq: str = "M", *, counts: pd.DataFrame | None = None, date: str = "date",
                start=None, end=None) -> pd.DataFrame:
    """Counts and rates of ``terms`` per calendar period.

    Parameters
    ----------
    dtm : DocumentTermMatrix or tokenized corpus table
        Rows are units with a ``date`` (``YYYY-MM-DD``) in ``docvars``.
    terms : sequence of str
        Terms to follow (a term not in the vocabulary counts 0 unless in ``counts``).
    freq : {"D", "W", "M", "Q", "Y"}, default "M"
    counts : pandas.DataFrame, optional
        units × terms counts (:func:`count_strings`) overriding the matrix columns for
        the terms it holds; row order = matrix rows.
    date : str, default "date"
        The docvars column holding the date.
    start, end : period-like, optional
        First and last period shown (default: the data's); periods without units are
        included with ``n_units = 0`` and a missing rate, so gaps stay visible.

    Returns
    -------
    pandas.DataFrame
        Long format, one row per (period, term), periods in order and terms in the
        order given: ``period``, ``term``, ``count``, ``units_with_term`` (units
        containing it at least once), ``n_units``, ``n_tokens`` (kept tokens of the
        period), ``per_10k`` (``count / n_tokens × 10⁴``; NaN when ``n_tokens == 0``),
        ``share_units`` (``units_with_term / n_units``).  Units outside
        ``[start, end]`` are not counted.
    """
    dtm = as_dtm(dtm)
    terms = list(dict.fromkeys(terms))
    labels, full = _bins(dtm, freq, date, start, end)
    index = {p: i for i, p in enumerate(full)}
    codes = labels.map(index)
    inside = codes.notna().to_numpy()
    codes = codes[inside].astype("int64").to_numpy()
    m = _term_matrix(dtm, terms, counts)[inside]
    tokens = dtm.n_tokens[inside]
    n_p, n_t = len(full), len(terms)
    cnt = np.zeros((n_p, n_t), dtype="int64")
    present = np.zeros((n_p, n_t), dtype="int64")
    np.add.at(cnt, codes, m)
    np.add.at(present, codes, (m > 0).astype("int64"))
    n_units = np.bincount(codes, minlength=n_p).astype("int64")
    n_tokens = np.bincount(codes, weights=tokens, minlength=n_p).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n_tokens[:, None] > 0, cnt / n_tokens[:, None] * 1e4, np.nan)
        share = np.where(n_units[:, None] > 0, present / n_units[:, None], np.nan)
    return pd.DataFrame({
        "period": np.repeat(full, n_t), "term": np.tile(terms, n_p),
        "count": cnt.ravel(), "units_with_term": present.ravel(),
        "n_units": np.repeat(n_units, n_t), "n_tokens": np.repeat(n_tokens, n_t),
        "per_10k": rate.ravel(), "share_units": share.ravel(),
    })


def unit_series(dtm, freq: str = "M", *, by: str | None = None, date: str = "date", start=None,
                end=None) -> pd.DataFrame:
    """Units per period, optionally split by a docvars column (e.g. ``by="covid"``).

    Returns
    -------
    pandas.DataFrame
        Index ``period`` (every period from ``start`` to ``end``), one column per value
        of ``by`` (or ``n_units``), int64 counts.
    """
    dtm = as_dtm(dtm)
    labels, full = _bins(dtm, freq, date, start, end)
    if by is None:
        out = labels.value_counts().rename("n_units").to_frame()
    else:
        if by not in dtm.docvars.columns:
            raise ValueError(f"unknown column {by!r}; available: {list(dtm.docvars.columns)}")
        out = pd.crosstab(labels.to_numpy(), dtm.docvars[by].to_numpy())
        out.columns = [str(c) for c in out.columns]
    out = out.reindex(full, fill_value=0).astype("int64")
    out.index.name = "period"
    return out


def first_last(dtm, terms, *, counts: pd.DataFrame | None = None, date: str = "date",
               id_col: str = "unit_id") -> pd.DataFrame:
    """First and last unit in which each term occurs.

    Returns
    -------
    pandas.DataFrame
        One row per term (in the order given): ``term``, ``first`` and ``last`` (dates),
        ``first_unit``/``last_unit`` (``id_col`` of the earliest/latest unit; ties by row
        order), ``n_units`` (units containing the term), ``count``.  Dates are empty
        strings where the term never occurs.
    """
    dtm = as_dtm(dtm)
    terms = list(dict.fromkeys(terms))
    m = _term_matrix(dtm, terms, counts)
    dates = pd.Series(pd.to_datetime(dtm.docvars[date], format="mixed").to_numpy())
    order = np.argsort(dates.to_numpy(), kind="stable")
    ids = dtm.docvars[id_col].to_numpy() if id_col in dtm.docvars else np.arange(dtm.shape[0]).astype(str)
    rows = []
    for j, t in enumerate(terms):
        hit = order[m[order, j] > 0]
        if len(hit):
            a, b = hit[0], hit[-1]
            rows.append((t, dates[a].strftime("%Y-%m-%d"), dates[b].strftime("%Y-%m-%d"), ids[a], ids[b],
                         len(hit), int(m[:, j].sum())))
        else:
            rows.append((t, "", "", "", "", 0, 0))
    return pd.DataFrame(rows, columns=["term", "first", "last", "first_unit", "last_unit", "n_units", "count"])
