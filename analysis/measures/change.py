"""Tests of change in a time series: interrupted time series at given dates, and a change-point scan.

Interrupted time series (segmented regression; Wagner et al. 2002, Bernal et al. 2017)
    y_t = b0 + b1·t + Σ_k [ c_k·post_k(t) + d_k·(t − T_k)·post_k(t) ] + e_t
where ``t`` counts periods, ``post_k`` is 1 from the first full period after break ``k`` and ``T_k`` is that
period.  ``c_k`` is the level change at the break and ``d_k`` the change of slope.  Monthly rates are
autocorrelated, so the coefficients are estimated by OLS with Newey–West (1987) heteroskedasticity- and
autocorrelation-consistent errors; the default lag is ⌊4 (n/100)^{2/9}⌋ (Newey & West 1994).  A period that
*contains* a break date (November 2022 for 11 November) is partly before and partly after; by default it is
left out (``transition="exclude"``) and listed.

Change-point scan: for every split with at least ``min_size`` periods on each side, the F statistic of a
shift in mean against no shift; the largest (sup-F; Andrews 1993) marks the most likely single change.  Its
p-value comes from a moving-block bootstrap of the demeaned series (Künsch 1989), which keeps the
autocorrelation within blocks of ``block`` periods (default ⌈n^{1/3}⌉), so a smooth drift is not mistaken for
a break as an i.i.d. permutation would.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["interrupted_time_series", "change_point_scan", "newey_west_lags", "its_summary"]


def newey_west_lags(n: int) -> int:
    """Newey & West's (1994) rule of thumb for the HAC lag: ⌊4 (n/100)^{2/9}⌋."""
    return int(np.floor(4 * (n / 100) ** (2 / 9)))


def _as_series(series, value: str, period: str, freq: str = "M") -> pd.Series:
    if isinstance(series, pd.Series):
        s = series.copy()
    else:
        if "term" in series.columns and series["term"].nunique() > 1:
            raise ValueError(f"the table holds {series['term'].nunique()} terms; select one "
                             f"(series[series.term == ...]) or pass a Series")
        if value not in series.columns or period not in series.columns:
            raise KeyError(f"columns {period!r} and {value!r} are needed; the table has {list(series.columns)}")
        s = pd.Series(series[value].to_numpy(dtype=float), index=series[period])
    idx = s.index
    if not isinstance(idx, pd.PeriodIndex):
        try:
            idx = idx.to_period(freq) if isinstance(idx, pd.DatetimeIndex) else \
                pd.PeriodIndex([pd.Period(str(v).split("/")[0], freq) for v in idx])  # "2022-11-14/2022-11-20"
        except (ValueError, TypeError) as e:
            raise ValueError(f"cannot read the periods {list(idx[:3])}… at frequency {freq!r}: {e}") from None
    s.index = idx
    return s.astype(float)


def interrupted_time_series(series, breaks, *, value: str = "per_10k", period: str = "period",
                            freq: str = "M", maxlags: int | None = None, transition: str = "exclude",
                            level: float = 0.95) -> pd.DataFrame:
    """Segmented regression of a series at one or more break dates, with Newey–West errors.

    Parameters
    ----------
    series : pandas.DataFrame or pandas.Series
        One term's series: :func:`analysis.term_series` rows of one term (``period`` and ``value`` columns), or
        a Series indexed by period.  Periods with a missing value (no units) are left out and listed.
    breaks : str or list of str
        Break dates (``"2022-11-11"``).
    value : str
        Column to model (default ``per_10k``: occurrences per 10,000 tokens).
    freq : str
        Frequency of the periods (``"M"`` months, ``"W"`` weeks as :func:`analysis.term_series` labels them).
    maxlags : int, optional
        HAC lag (default :func:`newey_west_lags` of the number of periods used).
    transition : {"exclude", "post", "pre"}
        What to do with a period containing a break date: leave it out (default), count it as after, or as
        before the break.
    level : float
        Coverage of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per coefficient: ``parameter`` (``baseline level``, ``baseline slope``, then ``level change at
        <date>`` and ``slope change at <date>`` per break), ``estimate`` (units of ``value``; slopes per
        period), ``se``, ``ci_low``, ``ci_high``, ``p``.  ``attrs``: ``n_periods``, ``maxlags``,
        ``excluded`` (transition periods and periods without data), ``first_post`` (per break).
    """
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: 0.3 s less to import

    if transition not in ("exclude", "post", "pre"):
        raise ValueError(f"transition must be 'exclude', 'post' or 'pre', not {transition!r}")
    s = _as_series(series, value, period, freq)
    breaks = [breaks] if isinstance(breaks, str) else list(breaks)
    if not breaks:
        raise ValueError("give at least one break date")
    dates = [pd.Timestamp(b) for b in breaks]
    t = np.arange(len(s), dtype=float)
    excluded = [str(p) for p in s.index[s.isna().to_numpy()]]
    keep = s.notna().to_numpy().copy()
    cols, names, first_post = [], [], {}
    for b, d in zip(breaks, dates):
        starts = s.index.start_time
        ends = s.index.end_time
        contains = (starts <= d) & (d <= ends)
        after = starts > d
        if transition == "post":
            after = after | contains
        elif transition == "exclude":
            keep &= ~np.asarray(contains)
            excluded += [f"{p} (contains {b})" for p in s.index[np.asarray(contains)]]
        after = np.asarray(after)
        if not after.any() or after.all():
            raise ValueError(f"break {b} leaves no period on one side of the series "
                             f"({s.index[0]} to {s.index[-1]})")
        T = t[after][0]
        first_post[b] = str(s.index[after][0])
        cols += [after.astype(float), np.where(after, t - T, 0.0)]
        names += [f"level change at {b}", f"slope change at {b}"]
    X = np.column_stack([np.ones_like(t), t, *cols])[keep]
    y = s.to_numpy()[keep]
    if len(y) <= X.shape[1] + 1:
        raise ValueError(f"{len(y)} periods cannot fit {X.shape[1]} coefficients")
    lags = newey_west_lags(len(y)) if maxlags is None else int(maxlags)
    res = OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    ci = res.conf_int(alpha=1 - level)
    out = pd.DataFrame({"parameter": ["baseline level", "baseline slope", *names], "estimate": res.params,
                        "se": res.bse, "ci_low": ci[:, 0], "ci_high": ci[:, 1], "p": res.pvalues})
    out.attrs.update(n_periods=int(len(y)), maxlags=lags, excluded=excluded, first_post=first_post,
                     value=value)
    return out


def _sup_f(y: np.ndarray, min_size: int) -> tuple[float, int]:
    n = len(y)
    cs = np.concatenate([[0.0], np.cumsum(y)])
    cs2 = np.concatenate([[0.0], np.cumsum(y * y)])
    sse0 = cs2[n] - cs[n] ** 2 / n
    k = np.arange(min_size, n - min_size + 1)
    sse1 = (cs2[k] - cs[k] ** 2 / k) + ((cs2[n] - cs2[k]) - (cs[n] - cs[k]) ** 2 / (n - k))
    with np.errstate(divide="ignore", invalid="ignore"):
        f = (sse0 - sse1) / (sse1 / (n - 2))
    f = np.where(np.isfinite(f), f, 0.0)
    i = int(np.argmax(f))
    return float(f[i]), int(k[i])


def change_point_scan(series, *, value: str = "per_10k", period: str = "period", freq: str = "M", min_size: int = 3,
                      n_boot: int = 999, block: int | None = None, seed: int = 0) -> dict:
    """The most likely single shift in mean, with a moving-block bootstrap p-value.

    Parameters
    ----------
    series : pandas.DataFrame or pandas.Series
        One term's series (as for :func:`interrupted_time_series`); periods without data are left out.
    min_size : int
        Fewest periods on each side of a split.
    n_boot : int
        Bootstrap replicates.
    block : int, optional
        Block length in periods (default ⌈n^{1/3}⌉).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    dict
        ``first_after`` (the first period after the split), ``mean_before``, ``mean_after``, ``sup_f``,
        ``p_block`` (share of bootstrap sup-F ≥ the observed, with the +1 correction), ``n_periods``,
        ``block``, ``n_boot``.
    """
    s = _as_series(series, value, period, freq).dropna()
    y = s.to_numpy()
    n = len(y)
    if n < 2 * min_size:
        raise ValueError(f"{n} periods with data; a scan needs at least 2 × min_size = {2 * min_size}")
    stat, k = _sup_f(y, min_size)
    b = int(np.ceil(n ** (1 / 3))) if block is None else int(block)
    rng = np.random.default_rng(seed)
    resid = y - y.mean()
    n_blocks = int(np.ceil(n / b))
    starts = rng.integers(0, n - b + 1, size=(n_boot, n_blocks))
    idx = (starts[:, :, None] + np.arange(b)[None, None, :]).reshape(n_boot, -1)[:, :n]
    boot = np.array([_sup_f(resid[i], min_size)[0] for i in idx])
    return {"first_after": str(s.index[k]), "mean_before": float(y[:k].mean()), "mean_after": float(y[k:].mean()),
            "sup_f": stat, "p_block": float((1 + (boot >= stat).sum()) / (n_boot + 1)), "n_periods": n,
            "block": b, "n_boot": n_boot}


def its_summary(results: pd.DataFrame, unit: str = "per 10,000 tokens") -> str:
    """Markdown bullets of the level changes of :func:`interrupted_time_series` results for several terms.

    Parameters
    ----------
    results : pandas.DataFrame
        Rows of :func:`interrupted_time_series` with a ``term`` column added (one block per term).
    unit : str
        What the estimates measure, as written after the numbers.
    """
    lines = []
    for term, block in results.groupby("term", sort=False):
        parts = []
        for r in block[block.parameter.str.startswith("level change")].itertuples():
            date = r.parameter.removeprefix("level change at ")
            verdict = "an interval that excludes 0" if r.ci_low > 0 or r.ci_high < 0 else "an interval that includes 0"
            parts.append(f"at {date} {r.estimate:+.2f} {unit} (95% interval {r.ci_low:+.2f} to {r.ci_high:+.2f}; "
                         f"{verdict})")
        lines.append(f"* **{term}**: level change " + "; ".join(parts) + ".")
    return "\n".join(lines)
