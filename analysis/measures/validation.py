"""How good is a classification rule?  A stratified hand check with two coders.

A rule that flags units (the 新闻联播 COVID rule, ``covid_score >= 4``) is checked by drawing a stratified
random sample — flagged and unflagged units, within each year — and having two coders label each sampled unit
against a written guideline, the second blind to the rule.  From the labels:

* **agreement**: Cohen's (1960) kappa between the coders, before adjudication;
* **precision** (share of flagged units that are truly positive) and **NPV** (share of unflagged units that
  are truly negative) per stratum, combined over strata with the population sizes as weights (stratified
  estimation; Cochran 1977, ch. 5);
* **recall** = estimated true positives among flagged units / estimated true positives overall, where the
  positives the rule misses are estimated from the unflagged strata's NPV.  Because unflagged units far
  outnumber flagged ones, a small error rate among them is many missed units, so recall's interval is wide
  unless the unflagged strata are sampled heavily.

Intervals come from a parametric bootstrap: each stratum's proportion is drawn from its Jeffreys posterior
Beta(x + ½, n − x + ½) (Brown, Cai & DasGupta 2001) and the estimates recomputed from the draws; the 2.5 and
97.5 percentiles are reported.  :func:`propagate_counts` carries the same draws into counts of positives per
period (e.g. COVID stories per month), and :func:`threshold_sensitivity` re-estimates precision and recall at
other thresholds of the rule's score from the same sample by inverse-probability weighting (Horvitz &
Thompson 1952).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["draw_check_sample", "cohen_kappa", "rule_accuracy", "propagate_counts", "threshold_sensitivity",
           "load_rule_check", "period_flag_counts", "rule_check_summary"]


def draw_check_sample(units: pd.DataFrame, n_per_stratum: dict, *, flag: str = "covid", seed: int = 0,
                      strata: str = "year") -> pd.DataFrame:
    """A stratified random sample of units for a hand check.

    Parameters
    ----------
    units : pandas.DataFrame
        The population: ``unit_id``, the boolean ``flag`` column, and ``strata`` (e.g. ``year``).
    n_per_stratum : dict
        ``{(flagged: bool, stratum_value): n}``; strata not named are not sampled.
    seed : int
        Seed of the draw (numpy ``default_rng``); sorted by ``unit_id`` first, so the draw does not depend on
        the table's row order.

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``flagged``, ``stratum``, ``stratum_size`` (population units in the stratum), sorted by
        stratum then ``unit_id``.
    """
    rng = np.random.default_rng(seed)
    pop = units.sort_values("unit_id", kind="mergesort")
    out = []
    for (flagged, value), n in sorted(n_per_stratum.items(), key=lambda kv: (not kv[0][0], str(kv[0][1]))):
        cell = pop[(pop[flag].astype(bool) == flagged) & (pop[strata] == value)]
        if len(cell) < n:
            raise ValueError(f"stratum flagged={flagged}, {strata}={value} has {len(cell)} units; cannot draw {n}")
        pick = cell.iloc[np.sort(rng.choice(len(cell), size=n, replace=False))]
        out.append(pd.DataFrame({"unit_id": pick["unit_id"].to_numpy(), "flagged": flagged, "stratum": value,
                                 "stratum_size": len(cell)}))
    return pd.concat(out, ignore_index=True)


def cohen_kappa(a, b) -> float:
    """Cohen's (1960) kappa of two coders' labels: (p_o − p_e) / (1 − p_e)."""
    a, b = pd.Series(list(a)), pd.Series(list(b))
    if len(a) != len(b) or len(a) == 0:
        raise ValueError(f"two label lists of equal, non-zero length are needed ({len(a)} and {len(b)})")
    cats = sorted(set(a) | set(b), key=str)
    po = float((a.to_numpy() == b.to_numpy()).mean())
    pe = float(sum((a == c).mean() * (b == c).mean() for c in cats))
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def _draws(x: np.ndarray, n: np.ndarray, n_draws: int, rng) -> np.ndarray:
    return rng.beta(x[:, None] + 0.5, n[:, None] - x[:, None] + 0.5, size=(len(x), n_draws))


def _cells(check: pd.DataFrame, label: str) -> pd.DataFrame:
    need = {"flagged", "stratum", "stratum_size", label}
    if need - set(check.columns):
        raise KeyError(f"the check table needs columns {sorted(need)}; it has {list(check.columns)}")
    g = check.groupby(["flagged", "stratum"], sort=True)
    cells = g.agg(n=(label, "size"), positives=(label, "sum"), N=("stratum_size", "first")).reset_index()
    if (g["stratum_size"].nunique() > 1).any():
        raise ValueError("stratum_size differs within a stratum")
    return cells


def rule_accuracy(check: pd.DataFrame, *, label: str = "label", n_draws: int = 10000, seed: int = 0,
                  level: float = 0.95) -> pd.DataFrame:
    """Precision, NPV and recall of a rule from a stratified hand check, with bootstrap intervals.

    Parameters
    ----------
    check : pandas.DataFrame
        One row per checked unit: ``flagged`` (the rule's output), ``stratum``, ``stratum_size`` (units of
        the population in that flagged × stratum cell) and the final boolean ``label``.
    n_draws, seed, level
        Bootstrap draws, their seed, and the interval's coverage.

    Returns
    -------
    pandas.DataFrame
        Rows ``precision``, ``npv``, ``recall``, ``positives_missed`` (estimated positives among unflagged
        units) with ``estimate``, ``ci_low``, ``ci_high``; ``attrs["draws"]`` holds the per-stratum draws for
        :func:`propagate_counts`.
    """
    cells = _cells(check, label)
    rng = np.random.default_rng(seed)
    p = cells.positives.to_numpy(float) / cells.n.to_numpy(float)
    d = _draws(cells.positives.to_numpy(float), cells.n.to_numpy(float), n_draws, rng)
    N = cells.N.to_numpy(float)
    f = cells.flagged.to_numpy(bool)

    def stats(q):
        q = q if q.ndim == 2 else q[:, None]
        tp = (N[f, None] * q[f]).sum(0)
        fn = (N[~f, None] * q[~f]).sum(0)
        prec = tp / N[f].sum() if f.any() else np.full(q.shape[1], np.nan)
        npv = 1 - fn / N[~f].sum() if (~f).any() else np.full(q.shape[1], np.nan)
        return {"precision": prec, "npv": npv, "recall": tp / (tp + fn), "positives_missed": fn}

    point, boot = stats(p), stats(d)
    lo, hi = 50 * (1 - level), 100 - 50 * (1 - level)
    out = pd.DataFrame([{"measure": k, "estimate": float(point[k][0]), "ci_low": float(np.percentile(boot[k], lo)),
                         "ci_high": float(np.percentile(boot[k], hi))} for k in point])
    out.attrs["draws"] = {(bool(fl), st): d[i] for i, (fl, st) in enumerate(zip(cells.flagged, cells.stratum))}
    out.attrs["cells"] = cells
    return out


def propagate_counts(counts: pd.DataFrame, accuracy: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Estimated true positives per period, with the rule's uncertainty carried into an interval.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per period: ``period``, ``stratum`` (the stratum whose accuracy applies, e.g. the year),
        ``flagged`` and ``unflagged`` (units the rule flags / does not flag in the period).
    accuracy : pandas.DataFrame
        :func:`rule_accuracy`'s result (its per-stratum draws are used).

    Returns
    -------
    pandas.DataFrame
        ``counts`` plus ``estimate`` (flagged × precision + unflagged × (1 − NPV) of the stratum), ``ci_low``,
        ``ci_high``; NaN for periods whose stratum was not checked.
    """
    draws, cells = accuracy.attrs["draws"], accuracy.attrs["cells"]
    point = {(bool(r.flagged), r.stratum): r.positives / r.n for r in cells.itertuples()}
    lo, hi = 50 * (1 - level), 100 - 50 * (1 - level)
    rows = []
    for r in counts.itertuples():
        kf, ku = (True, r.stratum), (False, r.stratum)
        if kf in draws and ku in draws:
            est = r.flagged * point[kf] + r.unflagged * point[ku]
            sim = r.flagged * draws[kf] + r.unflagged * draws[ku]
            rows.append((est, np.percentile(sim, lo), np.percentile(sim, hi)))
        else:
            rows.append((np.nan, np.nan, np.nan))
    out = counts.copy()
    out[["estimate", "ci_low", "ci_high"]] = np.array(rows, dtype=float)
    return out


def threshold_sensitivity(check: pd.DataFrame, population: pd.DataFrame, thresholds, *, score: str = "score",
                          label: str = "label", strata: str = "year", flag: str = "flagged") -> pd.DataFrame:
    """Units flagged, precision and recall of the rule at other thresholds of its score.

    Each checked unit stands for ``stratum_size / n`` units of its stratum (inverse-probability weight);
    precision at threshold ``t`` is the weighted share of positives among checked units scoring ≥ ``t``, recall
    the weighted share of positives that score ≥ ``t``.  The flagged count is exact, from ``population``.

    Parameters
    ----------
    check : pandas.DataFrame
        The hand check with ``score``, ``label``, ``flagged``, ``stratum``, ``stratum_size``.
    population : pandas.DataFrame
        All units of the checked strata with their ``score`` and ``strata`` column.
    thresholds : iterable of int
    """
    cells = _cells(check, label)
    weight = {(bool(r.flagged), r.stratum): r.N / r.n for r in cells.itertuples()}
    w = np.array([weight[(bool(f), s)] for f, s in zip(check["flagged"], check["stratum"])])
    lab = check[label].astype(bool).to_numpy()
    sc = check[score].to_numpy()
    checked = population[population[strata].isin(set(check["stratum"]))]
    rows = []
    for t in thresholds:
        hit = sc >= t
        rows.append({"threshold": t, "units_flagged": int((checked[score] >= t).sum()),
                     "checked_flagged": int(hit.sum()),
                     "precision": float((w[hit] * lab[hit]).sum() / w[hit].sum()) if hit.any() else np.nan,
                     "recall": float((w[hit & lab]).sum() / w[lab].sum()) if lab.any() else np.nan})
    return pd.DataFrame(rows)


def load_rule_check(path, *, stratum: str = "year") -> pd.DataFrame:
    """A committed hand check (CSV with ``#`` comment lines) with its stratum column named ``stratum``.

    Parameters
    ----------
    path : path
        The file, e.g. ``data/sources/xwlb-covid-check-stratified.csv``.
    stratum : str
        The column that holds each row's stratum (renamed to ``stratum``; kept under its name too).
    """
    check = pd.read_csv(path, comment="#", keep_default_na=False)
    need = {"unit_id", "flagged", stratum, "stratum_size", "label"}
    if need - set(check.columns):
        raise KeyError(f"{path}: columns {sorted(need - set(check.columns))} missing; it has {list(check.columns)}")
    for c in ("flagged", "label", "coder_a", "coder_b"):
        if c in check.columns and check[c].dtype != bool:
            raise ValueError(f"{path}: column {c!r} must be True/False")
    check["stratum"] = check[stratum]
    return check


def period_flag_counts(units: pd.DataFrame, *, flag: str = "covid", date: str = "date", freq: str = "M",
                       stratum=lambda d: d.dt.year) -> pd.DataFrame:
    """Units flagged and not flagged by a rule, per period, with the stratum whose accuracy applies.

    Parameters
    ----------
    units : pandas.DataFrame
        Units with a boolean ``flag`` column and an ISO ``date``.
    freq : str
        Period frequency (``"M"``: months).
    stratum : callable
        Maps the dates (a datetime Series) to the check's strata (default: the year).

    Returns
    -------
    pandas.DataFrame
        ``period``, ``stratum``, ``flagged``, ``unflagged`` (ready for :func:`propagate_counts`).
    """
    d = pd.to_datetime(units[date])
    frame = pd.DataFrame({"period": d.dt.to_period(freq).astype(str), "stratum": stratum(d),
                          "flag": units[flag].astype(bool).to_numpy()})
    out = frame.groupby(["period", "stratum"], sort=True)["flag"].agg(flagged="sum", n="size").reset_index()
    out["flagged"] = out["flagged"].astype("int64")
    out["unflagged"] = (out.pop("n") - out["flagged"]).astype("int64")
    return out


def rule_check_summary(check: pd.DataFrame, accuracy: pd.DataFrame) -> str:
    """A paragraph on a two-coder check: design, agreement, and the rule's precision, NPV and recall."""
    a = accuracy.set_index("measure")
    n_f, n_u = int(check.flagged.sum()), int((~check.flagged).sum())
    strata = sorted(set(check.stratum))
    text = (f"**The rule, checked.** {len(check)} units drawn at random within {len(strata)} strata "
            f"({', '.join(map(str, strata))}): {n_f} the rule flags and {n_u} it does not.")
    if {"coder_a", "coder_b"} <= set(check.columns):
        dis = int((check.coder_a != check.coder_b).sum())
        text += (f" Two coders labelled them, blind to the rule and to each other: Cohen's kappa "
                 f"{cohen_kappa(check.coder_a, check.coder_b):.2f}, {dis} disagreement(s) adjudicated.")
    def fmt(m, pct=True):
        r = a.loc[m]
        return (f"{r.estimate:.1%} (95% interval {r.ci_low:.1%}–{r.ci_high:.1%})" if pct else
                f"{r.estimate:,.0f} (95% interval {r.ci_low:,.0f}–{r.ci_high:,.0f})")
    text += (f" Weighted by the strata's sizes: precision {fmt('precision')}, negative predictive value "
             f"{fmt('npv')}, recall {fmt('recall')}; the rule misses an estimated {fmt('positives_missed', False)} "
             f"positive units among those it does not flag.")
    return text
