"""Talk and action: the corpora joined to measured policy (the OxCGRT indices).

* :func:`policy_by_period` — mean index per province and period (declared date ranges or
  calendar months), with the days it rests on;
* :func:`policy_before` / :func:`with_policy` — the index of a unit's province on the
  unit's date and its mean over the N days before; units whose province is unknown get
  NaN and are listed, never dropped;
* :func:`unit_keyness_scores` — how far each unit's vocabulary leans to one period
  (leave-one-out weighted log-odds, Monroe, Colaresi & Quinn 2008);
* :func:`meeting_table` / :func:`meeting_correlation` / :func:`detectable_correlation` —
  theme rate and keyness score against the index, one row per meeting (what was sampled),
  with a permutation p-value and the smallest correlation the sample could detect;
* :func:`lagged_correlation` — cross-correlation of two monthly series at leads and
  lags with moving-block bootstrap intervals (Künsch 1989), which respect the series'
  autocorrelation;
* :func:`talk_action_prose` — the sentences the notebook prints about those results.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.sources.policy import INDICES, NATIONAL

__all__ = ["policy_by_period", "policy_before", "with_policy", "unit_keyness_scores", "meeting_key",
           "meeting_table", "meeting_correlation", "detectable_correlation", "block_bootstrap_indices",
           "lagged_correlation", "talk_action_prose", "policy_columns", "policy_change_prose", "lead_lag_prose"]


def _check_index(policy: pd.DataFrame, index: str) -> None:
    if index not in policy.columns:
        raise ValueError(f"unknown index {index!r}; the policy table has {list(INDICES)}")


def policy_columns(index: str = "stringency", days: int = 14) -> tuple[str, str]:
    """Names of the columns :func:`with_policy` adds: ``(<index>_on_date, <index>_mean_<days>d_before)``."""
    return f"{index}_on_date", f"{index}_mean_{days}d_before"


def policy_by_period(policy: pd.DataFrame, periods="M", index: str = "stringency") -> pd.DataFrame:
    """Mean of an index per jurisdiction and period.

    Parameters
    ----------
    policy : pandas.DataFrame
        From :func:`analysis.load_policy`.
    periods : "M" or dict
        ``"M"``: calendar months (label ``YYYY-MM``); or ``{label: (start, end)}``
        inclusive date ranges (e.g. the corpus's declared periods).
    index : str
        Index column (``stringency``, ``containment_health``, ``government_response``,
        ``economic_support``).

    Returns
    -------
    pandas.DataFrame
        ``province, level, period, mean, n_days`` (days in the period), ``n_values``
        (days with a value: the mean is over these; NaN when none).  Units: index points
        (0–100).
    """
    _check_index(policy, index)
    if isinstance(periods, str):
        if periods != "M":
            raise ValueError(f"periods must be 'M' or a dict label -> (start, end), not {periods!r}")
        lab = policy["date"].dt.strftime("%Y-%m")
        parts = [policy.assign(period=lab)]
    else:
        parts = []
        for label, rng in periods.items():
            try:
                lo, hi = (pd.Timestamp(x) for x in rng)
            except (TypeError, ValueError) as e:
                raise ValueError(f"period {label!r}: expected (start, end) dates, got {rng!r}") from e
            if hi < lo:
                raise ValueError(f"period {label!r}: end {hi.date()} is before start {lo.date()}")
            sub = policy[(policy["date"] >= lo) & (policy["date"] <= hi)]
            if sub.empty:
                raise ValueError(f"period {label!r} ({lo.date()} to {hi.date()}) has no day in the policy table "
                                 f"({policy['date'].min().date()} to {policy['date'].max().date()})")
            parts.append(sub.assign(period=str(label)))
    df = pd.concat(parts, ignore_index=True)
    out = (df.groupby(["province", "level", "period"], sort=False)
             .agg(mean=(index, "mean"), n_days=("date", "size"), n_values=(index, "count"))
             .reset_index())
    return out


def _pivot(policy: pd.DataFrame, index: str) -> pd.DataFrame:
    wide = policy.pivot(index="date", columns="province", values=index).sort_index()
    full = pd.date_range(wide.index.min(), wide.index.max(), freq="D")
    return wide.reindex(full)  # a day absent from the table is a missing value, not a skipped one


def policy_before(policy: pd.DataFrame, province: str, date, days: int = 14, index: str = "stringency") -> dict:
    """The index of one province on a date and over the ``days`` days before it.

    Returns
    -------
    dict
        ``on_date`` (the value that day), ``mean_before`` (mean over the days
        ``date - days`` … ``date - 1``, missing days left out), ``n_before`` (days of
        that window with a value); NaN / 0 where there is none.
    """
    _check_index(policy, index)
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    sub = policy[policy["province"] == province].set_index("date")[index].sort_index()
    if sub.empty:
        raise ValueError(f"province {province!r} is not in the policy table")
    d = pd.Timestamp(date)
    window = sub.loc[d - pd.Timedelta(days=days): d - pd.Timedelta(days=1)]
    return {"on_date": float(sub.get(d, np.nan)), "mean_before": float(window.mean()) if window.count() else np.nan,
            "n_before": int(window.count())}


def with_policy(corpus: pd.DataFrame, policy: pd.DataFrame, index: str = "stringency", days: int = 14,
                national: bool = True) -> pd.DataFrame:
    """The corpus table with the index of each unit's province at the unit's date.

    Parameters
    ----------
    corpus : pandas.DataFrame
        A corpus table (``unit_id``, ``province``, ``date``, ``level``).
    policy : pandas.DataFrame
        From :func:`analysis.load_policy`.
    index : str
        Index column.
    days : int, default 14
        Window of the mean before the date (the ``days`` days before it, not the day itself).
    national : bool, default True
        Units with ``level == "national"`` and no province get the country's value
        (OxCGRT ``NAT_TOTAL``).

    Returns
    -------
    pandas.DataFrame
        A copy with ``<index>_on_date``, ``<index>_mean_<days>d_before`` and
        ``policy_jurisdiction`` (the province whose series was used; ``""`` when none).
        Every row is kept.  ``attrs["policy_unmatched"]``: the units without a value
        (``unit_id, province, date, reason``: no province, province not in the policy
        table, no date, date outside the index's coverage).
    """
    _check_index(policy, index)
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    for col in ("unit_id", "province", "date"):
        if col not in corpus.columns:
            raise ValueError(f"the corpus table has no {col!r} column")
    on_col, mean_col = policy_columns(index, days)
    wide = _pivot(policy, index)
    before = wide.shift(1).rolling(days, min_periods=1).mean()  # days d-days … d-1
    out = corpus.copy()
    prov = out["province"].fillna("").astype(str)
    level = out["level"].astype(str) if "level" in out.columns else pd.Series("", index=out.index)
    juris = prov.where(prov != "", np.where(national & (level == "national"), NATIONAL, ""))
    dates = pd.to_datetime(out["date"], errors="coerce")
    on, mean, reasons = [], [], []
    for uid, p, j, d in zip(out["unit_id"], prov, juris, dates):
        reason = ""
        if j == "":
            reason = "no province"
        elif j not in wide.columns:
            reason = f"province {j} not in the policy table (OxCGRT covers the 31 mainland provinces)"
        elif pd.isna(d):
            reason = "no date"
        elif d not in wide.index:
            reason = (f"date outside the index's coverage ({wide.index.min().date()} to "
                      f"{wide.index.max().date()})")
        if reason:
            on.append(np.nan)
            mean.append(np.nan)
            reasons.append((uid, p, "" if pd.isna(d) else d.strftime("%Y-%m-%d"), reason))
            continue
        v, m = wide.at[d, j], before.at[d, j]
        on.append(v)
        mean.append(m)
        if pd.isna(v) and pd.isna(m):
            reasons.append((uid, p, d.strftime("%Y-%m-%d"), f"no {index} value for {j} on or before that date"))
    out[on_col] = np.asarray(on, dtype=float)
    out[mean_col] = np.asarray(mean, dtype=float)
    out["policy_jurisdiction"] = [j if j in wide.columns else "" for j in juris]
    out.attrs = dict(corpus.attrs)
    out.attrs["policy_unmatched"] = pd.DataFrame(reasons, columns=["unit_id", "province", "date", "reason"])
    out.attrs["policy_source"] = {k: policy.attrs.get(k) for k in ("commit", "registry_hash", "source")}
    return out


# ------------------------------------------------------------------- units and meetings

def unit_keyness_scores(dtm, by: str, target, reference, leave_one_out: bool = True) -> pd.DataFrame:
    """How far each unit's vocabulary leans to the target side of a comparison.

    For each unit *i* on either side, the weighted log-odds z of every term
    (Monroe, Colaresi & Quinn 2008, informative Dirichlet prior = pooled counts, as in
    :func:`analysis.measures.keyness.keyness`) is computed from the counts of both sides *without unit i*
    (``leave_one_out``), and the unit's score is the mean z of its tokens:
    ``score_i = Σ_w c_iw · z_w / Σ_w c_iw``.  Positive: the unit uses words typical of
    the target side; without leaving the unit out, its own words would pull the z-scores
    towards its side.

    Parameters
    ----------
    dtm : DocumentTermMatrix
        The units (rows) and their metadata (``docvars``).
    by : str
        Grouping column (e.g. ``period``).
    target, reference
        Group values of the two sides.
    leave_one_out : bool, default True

    Returns
    -------
    pandas.DataFrame
        ``unit_id, side, n_tokens, keyness_score`` (NaN for a unit without tokens or a
        side left empty by removing the unit).
    """
    from analysis.measures.keyness import log_odds_z

    lab = dtm.docvars[by].astype(str).to_numpy()
    t_rows = lab == str(target)
    r_rows = lab == str(reference)
    if not t_rows.any() or not r_rows.any():
        raise ValueError(f"{by}: no unit with {target!r}" if not t_rows.any() else f"{by}: no unit with {reference!r}")
    counts = dtm.counts.tocsr()
    a_all = np.asarray(counts[t_rows].sum(axis=0)).ravel().astype(float)
    b_all = np.asarray(counts[r_rows].sum(axis=0)).ravel().astype(float)
    rows = []
    ids = dtm.docvars["unit_id"].to_numpy() if "unit_id" in dtm.docvars else np.arange(counts.shape[0]).astype(str)
    for i in np.flatnonzero(t_rows | r_rows):
        ci = counts[i].toarray().ravel().astype(float)
        a, b = a_all.copy(), b_all.copy()
        if leave_one_out:
            if t_rows[i]:
                a -= ci
            else:
                b -= ci
        n_i = ci.sum()
        score = np.nan
        if n_i > 0 and a.sum() > 0 and b.sum() > 0:
            prior = a + b
            keep = prior > 0
            z = np.zeros_like(a)
            z[keep] = log_odds_z(a[keep], b[keep], a.sum(), b.sum(), prior[keep])
            score = float((ci * z).sum() / n_i)
        rows.append((ids[i], "target" if t_rows[i] else "reference", int(n_i), score))
    return pd.DataFrame(rows, columns=["unit_id", "side", "n_tokens", "keyness_score"])


def meeting_key(corpus: pd.DataFrame) -> pd.Series:
    """The meeting each unit reports: ``meeting_id`` when the table has it; otherwise
    ``province|city|date|level`` (speaker sub-units of one report, and two outlets'
    reports of one meeting, share it; a roundup's excerpts of different provinces do not)."""
    if "meeting_id" in corpus.columns and corpus["meeting_id"].astype(str).str.len().gt(0).all():
        return corpus["meeting_id"].astype(str)
    cols = [corpus[c].fillna("").astype(str) if c in corpus.columns else pd.Series("", index=corpus.index)
            for c in ("province", "city", "date", "level")]
    return cols[0] + "|" + cols[1] + "|" + cols[2] + "|" + cols[3]


def meeting_table(units: pd.DataFrame, count_col: str, score_col: str | None = None,
                  value_cols=()) -> pd.DataFrame:
    """Units aggregated to meetings (what was sampled).

    Parameters
    ----------
    units : pandas.DataFrame
        One row per unit with ``n_tokens``, ``count_col`` (e.g. the theme's count),
        optionally ``score_col`` (a per-unit score, averaged weighted by tokens) and
        ``value_cols`` (constant within a meeting, e.g. the policy index at its date: the
        first value is kept), plus the columns :func:`meeting_key` reads.

    Returns
    -------
    pandas.DataFrame
        ``meeting, units`` ("、"-joined unit ids), ``n_units, province, date, place, period,
        excerpt`` (any unit an excerpt), ``n_tokens, <count_col>, per_10k``
        (count per 10,000 tokens of the meeting), ``<score_col>``, ``value_cols``.
    """
    df = units.assign(meeting=meeting_key(units).to_numpy())
    agg = {"units": ("unit_id", lambda s: "、".join(s)), "n_units": ("unit_id", "size"),
           "province": ("province", "first"), "date": ("date", "first"), "n_tokens": ("n_tokens", "sum"),
           count_col: (count_col, "sum")}
    if "place" in df.columns:
        agg["place"] = ("place", "first")
    if "period" in df.columns:
        agg["period"] = ("period", "first")
    if "excerpt" in df.columns:
        agg["excerpt"] = ("excerpt", "any")
    for c in value_cols:
        agg[c] = (c, "first")
    out = df.groupby("meeting", sort=False).agg(**agg).reset_index()
    out["per_10k"] = np.where(out["n_tokens"] > 0, out[count_col] / out["n_tokens"].where(out["n_tokens"] > 0) * 1e4,
                              np.nan)
    if score_col is not None:
        w = df["n_tokens"].astype(float)
        num = (df[score_col] * w).groupby(df["meeting"], sort=False).sum(min_count=1)
        den = w.where(df[score_col].notna()).groupby(df["meeting"], sort=False).sum()
        out[score_col] = (num / den.where(den > 0)).reindex(out["meeting"]).to_numpy()
    return out


def detectable_correlation(n: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """Smallest |ρ| a two-sided test on ``n`` independent pairs detects with ``power``.

    Fisher's z approximation (Fisher 1921; Cohen 1988, ch. 3):
    ``|ρ| = tanh((z_{1-α/2} + z_{power}) / sqrt(n - 3))``.  NaN for ``n <= 3``.
    """
    from scipy.stats import norm

    if n <= 3:
        return float("nan")
    return float(math.tanh((norm.ppf(1 - alpha / 2) + norm.ppf(power)) / math.sqrt(n - 3)))


def meeting_correlation(x, y, n_resamples: int = 9999, seed: int = 0) -> dict:
    """Spearman's ρ between two meeting-level columns with a permutation p-value.

    Pairs with a missing value are left out.  The p-value permutes the pairing of the
    meetings (``scipy.stats.permutation_test``, ``permutation_type="pairings"``;
    exact when ``n! <= n_resamples``), so it assumes meetings are exchangeable — it
    does not correct for meetings of one day, one outlet or one province sharing more
    than the index.

    Returns
    -------
    dict
        ``n`` (meetings with both values), ``rho``, ``p`` (two-sided), ``detectable``
        (:func:`detectable_correlation` of ``n``); ``rho``/``p`` NaN when ``n < 3`` or a
        side is constant.
    """
    from scipy import stats

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    n = int(ok.sum())
    out = {"n": n, "rho": np.nan, "p": np.nan, "detectable": detectable_correlation(n)}
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return out
    rho = stats.spearmanr(x, y).statistic
    # Spearman's rho is Pearson's r of the (average) ranks, and permuting the pairing of
    # the values permutes the pairing of their ranks: rank once, then correlate all
    # resamples at once (same resamples and p as calling spearmanr per resample, tested;
    # ~200x faster)
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    res = stats.permutation_test((rx, ry), lambda a, b, axis=-1: _rowwise_r(a, b), vectorized=True,
                                 permutation_type="pairings", n_resamples=n_resamples,
                                 alternative="two-sided", random_state=np.random.default_rng(seed))
    out.update(rho=float(rho), p=float(res.pvalue))
    return out


# ------------------------------------------------------------------- time series

def block_bootstrap_indices(n: int, block: int, n_boot: int, rng) -> np.ndarray:
    """Moving-block bootstrap resamples of ``0 … n-1`` (Künsch 1989).

    Each replicate concatenates ``ceil(n / block)`` blocks of ``block`` consecutive
    positions, each starting uniformly at ``0 … n - block``, cut to length ``n``.
    ``block = 1`` is the ordinary (iid) bootstrap.

    Returns
    -------
    numpy.ndarray
        ``(n_boot, n)`` integer positions.
    """
    if not 1 <= block <= n:
        raise ValueError(f"block length must be between 1 and n={n}, got {block}")
    k = -(-n // block)
    starts = rng.integers(0, n - block + 1, size=(n_boot, k))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(n_boot, k * block)
    return idx[:, :n]


def _rowwise_r(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xm = x - x.mean(axis=-1, keepdims=True)
    ym = y - y.mean(axis=-1, keepdims=True)
    den = np.sqrt((xm ** 2).sum(axis=-1) * (ym ** 2).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (xm * ym).sum(axis=-1) / den, np.nan)


def lagged_correlation(x: pd.Series, y: pd.Series, max_lag: int = 6, *, difference: bool = False,
                       n_boot: int = 2000, block: int | None = None, alpha: float = 0.05,
                       seed: int = 0) -> pd.DataFrame:
    """Pearson correlation of ``x`` at time t with ``y`` at t + lag, lag = −max_lag … max_lag.

    Lag k > 0 pairs x with y k steps *later* (x leads y); k < 0: y leads x.  All lags use
    the same times t = max_lag … n−1−max_lag, so their correlations rest on the same
    months and can be compared.  The interval is a moving-block bootstrap (Künsch 1989)
    of those times: blocks of ``block`` consecutive months (default ``round(m^(1/3))``,
    m = number of times; Hall, Horowitz & Jing 1995) are resampled with the lagged
    values attached, so the autocorrelation within a block is kept and the same resample
    serves every lag (``peak_share``: share of replicates whose largest correlation
    is at that lag).

    Parameters
    ----------
    x, y : pandas.Series
        Regular series on the same index (e.g. monthly), no missing values.
    max_lag : int
    difference : bool, default False
        Correlate the first differences (month-to-month changes) instead of the levels:
        two trending series correlate in levels whatever their timing.
    n_boot : int, default 2000
    block : int, optional
    alpha : float, default 0.05
        Percentile interval ``[alpha/2, 1 - alpha/2]``.
    seed : int

    Returns
    -------
    pandas.DataFrame
        ``lag, r, lo, hi, peak_share``; ``attrs``: ``n`` (times used), ``block``,
        ``n_boot``, ``difference``, ``method``.
    """
    if not x.index.equals(y.index):
        raise ValueError("x and y must share the same index (align them first)")
    xv, yv = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.isnan(xv).any() or np.isnan(yv).any():
        raise ValueError("x and y must not have missing values (fill or cut the range first)")
    if difference:
        xv, yv = np.diff(xv), np.diff(yv)
    n = len(xv)
    m = n - 2 * max_lag
    if max_lag < 0 or m < 4:
        raise ValueError(f"max_lag={max_lag} leaves {m} common times of {n}; use a smaller max_lag")
    t = np.arange(max_lag, n - max_lag)
    lags = np.arange(-max_lag, max_lag + 1)
    X = xv[t]                                   # (m,)
    Y = yv[t[None, :] + lags[:, None]]          # (n_lags, m)
    r = _rowwise_r(np.broadcast_to(X, Y.shape), Y)
    block = block or max(1, int(round(m ** (1 / 3))))
    rng = np.random.default_rng(seed)
    idx = block_bootstrap_indices(m, block, n_boot, rng)             # (n_boot, m)
    Xb = X[idx]                                                       # (n_boot, m)
    Yb = Y[:, idx].transpose(1, 0, 2)                                 # (n_boot, n_lags, m)
    rb = _rowwise_r(np.broadcast_to(Xb[:, None, :], Yb.shape), Yb)    # (n_boot, n_lags)
    lo, hi = np.nanpercentile(rb, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
    valid = ~np.isnan(rb).all(axis=1)
    peak = np.nanargmax(np.where(np.isnan(rb[valid]), -np.inf, rb[valid]), axis=1)
    share = np.bincount(peak, minlength=len(lags)) / max(1, valid.sum())
    out = pd.DataFrame({"lag": lags, "r": r, "lo": lo, "hi": hi, "peak_share": share})
    out.attrs.update(n=m, block=block, n_boot=n_boot, difference=difference, alpha=alpha,
                     method="moving-block bootstrap (Künsch 1989), percentile interval")
    return out


# ------------------------------------------------------------------- prose

def _fmt(v, spec=".2f") -> str:
    return "—" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, spec)


def talk_action_prose(result: dict, x_label: str, y_label: str) -> str:
    """One paragraph stating a meeting-level correlation and what its sample can show.

    Parameters
    ----------
    result : dict
        From :func:`meeting_correlation`.
    x_label, y_label : str
        What was correlated (e.g. "stringency at the meeting", "the stringency theme's rate").
    """
    n, rho, p, det = result["n"], result["rho"], result["p"], result["detectable"]
    if n < 3 or math.isnan(rho):
        return (f"With {n} meeting{'s' if n != 1 else ''} that have both {x_label} and {y_label} (or no variation "
                f"in one of them), no correlation can be estimated.")
    text = (f"Across {n} meetings, Spearman's ρ between {x_label} and {y_label} is {rho:.2f} "
            f"(permutation p = {_fmt(p, '.2g')}). ")
    text += (f"With {n} independent meetings a two-sided test at the 5% level has 80% power only for "
             f"|ρ| ≥ {det:.2f} (Fisher's z approximation), so ")
    if abs(rho) < det:
        text += (f"a correlation of this size cannot be told apart from none, and the absence of a clear "
                 f"association is not evidence that there is none.")
    else:
        text += ("this correlation is within the range the sample can detect, but meetings reported through one "
                 "roundup or on one day are not fully independent, so read it as descriptive.")
    return text


def _join_values(rows: pd.DataFrame, start: str, end: str) -> str:
    return "、".join(f"{p} ({r[start]:.1f} → {r[end]:.1f})" for p, r in rows.iterrows()) or "none"


def policy_change_prose(by_period: pd.DataFrame, start: str, end: str, marked=(), national: str = NATIONAL,
                        index_label: str = "Stringency Index") -> str:
    """Sentences comparing an index's period means by province (for the dumbbell figure).

    Parameters
    ----------
    by_period : pandas.DataFrame
        From :func:`policy_by_period` (``province, period, mean``).
    start, end : str
        The two periods.
    marked : iterable of str
        Provinces of the corpus, listed with their values.
    national : str
        The country's row, quoted on its own and not counted among the provinces.
    """
    wide = by_period[by_period["period"].isin([start, end])].pivot(index="province", columns="period", values="mean")
    prov = wide.drop(index=[national], errors="ignore").dropna()
    up, down = prov[prov[end] > prov[start]], prov[prov[end] < prov[start]]
    same = len(prov) - len(up) - len(down)
    text = (f"The mean daily {index_label} was higher in {end} than in {start} in {len(up)} of {len(prov)} "
            f"provinces and lower in {len(down)}" + (f" (unchanged in {same})" if same else "") + ". ")
    if national in wide.index and wide.loc[national].notna().all():
        text += (f"The national value ({national}) was {wide.loc[national, start]:.1f} in {start} and "
                 f"{wide.loc[national, end]:.1f} in {end}. ")
    marked = [p for p in dict.fromkeys(marked) if p in prov.index]
    if marked:
        m = prov.loc[marked]
        text += (f"Of the {len(marked)} provinces with a meeting in the corpus, higher in {end}: "
                 f"{_join_values(m[m[end] > m[start]].sort_values(end, ascending=False), start, end)}; lower: "
                 f"{_join_values(m[m[end] < m[start]].sort_values(end, ascending=False), start, end)}.")
    return text.strip()


def lead_lag_prose(ccf: pd.DataFrame, what: str = "levels") -> str:
    """One sentence on a :func:`lagged_correlation` table: the correlation at lag 0, the
    lag of the largest correlation, and how often the bootstrap put the peak there."""
    c = ccf.set_index("lag")
    k = int(c["r"].idxmax())
    zero = c.loc[0]
    lead = ("the text leads the index" if k > 0 else "the index leads the text" if k < 0 else "neither leads")
    where = "at lag 0 itself" if k == 0 else f"at lag {k:+d} months"
    return (f"In {what}: r = {zero['r']:.2f} at lag 0 (95% interval {zero['lo']:.2f} to {zero['hi']:.2f}); the largest "
            f"correlation is {where} (r = {c.loc[k, 'r']:.2f}, {c.loc[k, 'lo']:.2f} to "
            f"{c.loc[k, 'hi']:.2f}: {lead}), the peak lag in {c.loc[k, 'peak_share']:.0%} of "
            f"{ccf.attrs.get('n_boot', 'the')} block-bootstrap replicates over {ccf.attrs.get('n', '?')} months.")
