"""Figure builders for talk and action: measured policy (OxCGRT) beside the texts.

Each returns ``(fig, data)`` like the other builders (the numbers plotted, for
:func:`analysis.save_figure`), takes ``labels="zh" | "zh+en" | "en"`` for the Chinese
place names and terms, and uses the period colours of every other figure.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.figures.labels import _finish, _labeller, _place_labels, _plt, period_colours
from analysis.figures.printcheck import declare_print_width
from analysis.figures.style import OKABE_ITO

__all__ = ["plot_policy_dumbbell", "plot_talk_vs_policy", "plot_series_vs_index"]


def plot_policy_dumbbell(by_period: pd.DataFrame, start: str, end: str, *, marked=(), national: str = "全国",
                         index_label: str = "Stringency Index", title: str = "", labels: str = "zh"):
    """One row per province: the index's mean in period ``start`` and in ``end``, joined.

    Parameters
    ----------
    by_period : pandas.DataFrame
        From :func:`analysis.policy_by_period` (``province, period, mean``).
    start, end : str
        The two periods (drawn in their period colours, an arrow from ``start`` to ``end``).
    marked : iterable of str
        Provinces to mark (e.g. those with a meeting in the corpus): black label and a ring
        (the others' labels are grey).
    national : str
        The country's row, drawn last and in grey as the reference.
    labels : {"zh", "zh+en", "en"}

    Returns
    -------
    fig, data
        ``data``: ``province, label, <start>, <end>, change, marked`` in drawing order
        (top to bottom).
    """
    plt = _plt()
    lab = _labeller(labels)
    wide = by_period[by_period["period"].isin([start, end])].pivot(index="province", columns="period", values="mean")
    missing = [p for p in (start, end) if p not in wide.columns]
    if missing:
        raise ValueError(f"no period {missing} in the table; it has {sorted(by_period['period'].unique())}")
    marked = set(marked)
    prov = wide.drop(index=[national], errors="ignore").sort_values(end, ascending=False)
    order = list(prov.index) + ([national] if national in wide.index else [])
    d = wide.loc[order, [start, end]].reset_index()
    d["change"] = d[end] - d[start]
    d["marked"] = d["province"].isin(marked)
    d.insert(1, "label", lab(d["province"]))
    colours = period_colours([start, end])
    # 0.21 in a row (tick labels 8 pt): all 31 provinces and the country print under 9 in at 7 in wide
    fig, ax = plt.subplots(figsize=(6.8, 0.21 * len(d) + 1.3))
    y = np.arange(len(d))[::-1]
    for yi, (_, r) in zip(y, d.iterrows()):
        grey = r["province"] == national
        ax.annotate("", xy=(r[end], yi), xytext=(r[start], yi),
                    arrowprops=dict(arrowstyle="-|>", color="#555555" if not grey else "#999999", lw=0.9,
                                    shrinkA=3, shrinkB=3, mutation_scale=7))
        if r["marked"]:
            ax.scatter([r[end]], [yi], s=90, facecolors="none", edgecolors="black", lw=0.9, zorder=4)
    ax.scatter(d[start], y, s=26, color=colours[start], zorder=3, label=start)
    ax.scatter(d[end], y, s=26, color=colours[end], zorder=3, label=end)
    ax.set_yticks(y, d["label"], fontsize=8)
    for tick, (_, r) in zip(ax.get_yticklabels(), d.iterrows()):  # the CJK font has one weight: colour, not bold
        tick.set_color("black" if r["marked"] else "#8a8a8a")
    if national in wide.index:
        ax.axhline(0.5, color="#bbbbbb", lw=0.6)
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"{index_label}, mean of the daily values (0–100)")
    ax.grid(axis="x", color="#eeeeee", lw=0.6)
    ax.scatter([], [], s=90, facecolors="none", edgecolors="black", lw=0.9, label="meeting in the corpus")
    ax.legend(loc="upper left", fontsize=8, frameon=True)
    ax.set_title(title or f"{index_label} by province: {start} → {end}", fontsize=10)
    fig.tight_layout()
    declare_print_width(fig, "double")
    return fig, _finish(d, lab)


def plot_talk_vs_policy(meetings: pd.DataFrame, x: str, panels, *, label: str = "province", period: str = "period",
                        x_label: str = "", title: str = "", labels: str = "zh"):
    """Scatter panels: a meeting-level text measure (y) against the policy index (x).

    Parameters
    ----------
    meetings : pandas.DataFrame
        One row per meeting (:func:`analysis.measures.talk_action.meeting_table`).
    x : str
        The policy column (e.g. ``stringency_mean_14d_before``).
    panels : list of (column, axis label, note)
        One panel per text measure; ``note`` is printed under the panel (e.g. its ρ).
    label : str
        Column naming each point (a province, glossed by ``labels``).
    period : str
        Column colouring the points (period colours); excerpt meetings (``excerpt``
        True) are drawn hollow.

    Returns
    -------
    fig, data
        ``data``: the meeting rows drawn (label, period, excerpt, x and the panel columns).
    """
    plt = _plt()
    lab = _labeller(labels)
    cols = [c for c, _, _ in panels]
    keep = [c for c in ("meeting", label, period, "excerpt", "n_tokens", x, *cols) if c in meetings.columns]
    d = meetings[keep].copy()
    d["excerpt"] = d["excerpt"].astype(bool) if "excerpt" in d.columns else False
    d.insert(1, "label", lab(d[label]))
    colours = period_colours(sorted(d[period].astype(str).unique())) if period in d.columns else {}
    # drawn near the 7 in it prints at (3.6 in a panel), so 7 pt labels stay >= 6 pt
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.9), squeeze=False)
    for ax, (col, ylab, note) in zip(axes[0], panels):
        for per, sub in d.groupby(period, sort=True) if period in d.columns else [("", d)]:
            c = colours.get(str(per), OKABE_ITO[4])
            full, exc = sub[~sub["excerpt"]], sub[sub["excerpt"]]
            ax.scatter(full[x], full[col], s=30, color=c, label=f"{per}: full report" if len(full) else None)
            ax.scatter(exc[x], exc[col], s=30, facecolors="none", edgecolors=c,
                       label=f"{per}: excerpt" if len(exc) else None)
        ok = d[d[x].notna() & d[col].notna()]
        ax.margins(x=0.12, y=0.12)
        _place_labels(ax, list(zip(ok[x], ok[col], ok["label"])), fontsize=7, obstacles=list(zip(ok[x], ok[col])))
        ax.set_xlabel(x_label or x, fontsize=9)
        ax.set_ylabel(ylab, fontsize=9)
        if note:
            ax.set_title(note, fontsize=8.5, loc="left")
        ax.grid(color="#eeeeee", lw=0.6)
    axes[0][0].legend(fontsize=7, loc="best")
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    declare_print_width(fig, "double")
    return fig, _finish(d.reset_index(drop=True), lab)


def plot_series_vs_index(monthly: pd.DataFrame, rate: str, index: str, ccfs: dict, *, shade=(),
                         rate_label: str = "campaign vocabulary per 10,000 tokens",
                         index_label: str = "national Stringency Index", title: str = "", labels: str = "zh"):
    """Top: a monthly text rate and the monthly mean of a policy index (second axis).
    Bottom: their lagged correlations with bootstrap intervals, one panel per entry of ``ccfs``.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Index: month (``YYYY-MM``); columns ``rate`` and ``index``.
    ccfs : dict
        Panel title -> table from :func:`analysis.measures.talk_action.lagged_correlation`.
    shade : sequence of months
        Drawn as grey bands (e.g. the study months).

    labels : {"zh", "zh+en", "en"}
        Accepted for the shared signature; the panels draw no Chinese term.

    Returns
    -------
    fig, data
        Long table: ``panel`` (``series`` or a ``ccfs`` key), ``month``, ``rate``,
        ``index``, ``lag``, ``r``, ``lo``, ``hi``, ``peak_share``.
    """
    plt = _plt()
    _labeller(labels)  # validates the mode
    import matplotlib.dates as mdates

    months = list(monthly.index.astype(str))
    x = np.array([mdates.date2num(pd.Period(m).to_timestamp()) for m in months])
    fig = plt.figure(figsize=(7.0, 5.6))  # about the 7 in it prints at: 7 pt stays >= 6 pt
    gs = fig.add_gridspec(2, max(1, len(ccfs)), height_ratios=[1.25, 1])
    ax = fig.add_subplot(gs[0, :])
    for m in shade:
        a = mdates.date2num(pd.Period(m).to_timestamp())
        ax.axvspan(a, mdates.date2num((pd.Period(m) + 1).to_timestamp()), color="#dddddd", lw=0, zorder=0)
    ax.plot(x, monthly[rate].to_numpy(), color=OKABE_ITO[5], lw=1.4, label=rate_label)
    ax.set_ylabel(rate_label, fontsize=8.5, color=OKABE_ITO[5])
    ax.set_ylim(bottom=0)
    ax2 = ax.twinx()
    ax2.plot(x, monthly[index].to_numpy(), color=OKABE_ITO[4], lw=1.4, label=index_label)
    ax2.set_ylabel(index_label, fontsize=8.5, color=OKABE_ITO[4])
    ax2.set_ylim(0, 100)
    ax2.grid(False)
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 7]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.tick_params(axis="x", labelsize=8)
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.01),
              ncols=2, frameon=False)
    parts = [monthly[[rate, index]].rename(columns={rate: "rate", index: "index"})
             .rename_axis("month").reset_index().assign(panel="series")]
    for j, (name, cc) in enumerate(ccfs.items()):
        a = fig.add_subplot(gs[1, j])
        a.axhline(0, color="black", lw=0.6)
        a.axvline(0, color="#999999", lw=0.6, ls=":")
        a.fill_between(cc["lag"], cc["lo"], cc["hi"], color=OKABE_ITO[1], alpha=0.35, lw=0,
                       label="95% block-bootstrap interval")
        a.plot(cc["lag"], cc["r"], "o-", color=OKABE_ITO[4], ms=3.5, lw=1.1, label="correlation")
        a.set_ylim(-1, 1)
        a.set_xlabel("lag k in months (k > 0: the text leads the index)", fontsize=8)
        a.set_ylabel("r(text at t, index at t+k)", fontsize=8)
        a.set_title(name, fontsize=9, loc="left")
        a.tick_params(labelsize=8)
        if j == 0:
            a.legend(fontsize=7, loc="lower left")
        parts.append(cc[["lag", "r", "lo", "hi", "peak_share"]].assign(panel=name))
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    declare_print_width(fig, "double")
    data = pd.concat(parts, ignore_index=True)
    cols = ["panel", "month", "rate", "index", "lag", "r", "lo", "hi", "peak_share"]
    return fig, data[cols]
