"""Figure builders for time series: monthly term rates in small multiples.

Each returns ``(fig, data)`` (see :mod:`analysis.figures.labels` for the conventions).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from analysis.figures.style import OKABE_ITO
from analysis.figures.labels import (_labeller, _finish, _plt)


def plot_term_series(series: pd.DataFrame, units: pd.DataFrame | None = None, *, shade=(), ncols: int = 3,
                     value: str = "per_10k", title: str = "Term rates per month", labels: str = "zh",
                     data_end=None):
    """Small multiples of term rates over time (one panel per term, shared x axis),
    optionally with a bottom panel of units per period, and shaded periods.

    Parameters
    ----------
    series : pandas.DataFrame
        Long table from :func:`analysis.measures.timeseries.term_series` (``period``, ``term``, ``value``).
    units : pandas.DataFrame, optional
        From :func:`analysis.measures.timeseries.unit_series`: index ``period``, one column per
        series of unit counts (drawn as lines in the bottom panel).
    shade : sequence of period labels
        Periods drawn as grey bands in every panel (e.g. the study months).
    data_end : date-like, optional
        Last day of data.  When it falls before the end of the last period, that period is
        partial: its point is drawn as an open circle on a dotted segment, and the title
        says so (its rate rests on fewer days; its unit count is not comparable).
    labels : {"zh", "zh+en", "en"}
        Panel titles: the term, the term with its gloss, or the gloss (see :func:`term_labels`);
        terms without a gloss are listed in ``data.attrs["missing_glosses"]``.
    """
    plt = _plt()
    lab = _labeller(labels)
    terms = list(dict.fromkeys(series["term"]))
    periods = list(dict.fromkeys(series["period"]))
    import matplotlib.dates as mdates

    def num(period):  # matplotlib date number of a period's start (numbers, so shared axes agree)
        return mdates.date2num(pd.Period(period).to_timestamp())

    x = np.array([num(p) for p in periods])
    partial_end = data_end
    partial = partial_end is not None and pd.Timestamp(partial_end) < pd.Period(periods[-1]).end_time.normalize()
    partial_end = str(pd.Timestamp(partial_end).date()) if partial else None
    titles = dict(zip(terms, lab(terms)))
    nrows = -(-len(terms) // ncols)
    extra = 1 if units is not None else 0
    fig = plt.figure(figsize=(2.35 * ncols + 0.5, 1.55 * (nrows + extra) + 1.0))
    gs = fig.add_gridspec(nrows + extra, ncols)
    bands = [(num(p), num(pd.Period(p) + 1)) for p in shade]
    first = None
    for i, term in enumerate(terms):
        ax = fig.add_subplot(gs[i // ncols, i % ncols], sharex=first)
        first = first or ax
        y = series[series["term"] == term].set_index("period")[value].reindex(periods)
        for a, b in bands:
            ax.axvspan(a, b, color="#cccccc", lw=0, zorder=0)
        _plot_partial(ax, x, y.to_numpy(), partial, color=OKABE_ITO[4], lw=1.1)
        ax.set_title(titles[term], fontsize=11 if labels == "zh" else 9, loc="left")
        ax.set_ylim(bottom=0)
        ax.tick_params(labelbottom=True, labelsize=8)  # every panel shows its years
        if i % ncols == 0:
            ax.set_ylabel("per 10,000 tokens", fontsize=8)
    if units is not None:
        ax = fig.add_subplot(gs[nrows, :], sharex=first)
        for a, b in bands:
            ax.axvspan(a, b, color="#cccccc", lw=0, zorder=0)
        u = units.reindex(periods)
        for j, col in enumerate(u.columns):
            _plot_partial(ax, x, u[col].to_numpy(), partial, color=OKABE_ITO[(j + 5) % len(OKABE_ITO)], lw=1.2,
                          label=str(col))
        ax.set_ylabel("stories per month", fontsize=8)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right", ncols=len(u.columns))
        ax.tick_params(labelbottom=True)
    else:
        for ax in fig.axes[-ncols:]:
            ax.tick_params(labelbottom=True)
    for ax in fig.axes:  # shared x axes share one locator: a label every year in every panel
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    fig.suptitle(title + (f"\n(open circle and dotted line: {periods[-1]} is a partial month, data end "
                          f"{partial_end})" if partial else ""), fontsize=12 if not partial else 11)
    fig.tight_layout()
    data = series[["period", "term", "count", "n_tokens", value]].copy()
    if units is not None:
        data = data.merge(units.add_prefix("units_").reset_index(), on="period", how="left")
    return fig, _finish(data.reset_index(drop=True), lab)


def _plot_partial(ax, x, y, partial: bool, **style):
    """A line over ``x``; with ``partial``, its last point (a period the data end inside)
    is an open circle joined by a dotted segment, so a drop there does not read as a fall."""
    if not partial or len(x) < 2:
        ax.plot(x, y, **style)
        return
    ax.plot(x[:-1], y[:-1], **style)
    rest = {k: v for k, v in style.items() if k != "label"}
    ax.plot(x[-2:], y[-2:], ls=":", **rest)
    ax.plot(x[-1:], y[-1:], ls="none", marker="o", mfc="white", ms=4, mec=rest.get("color"),
            mew=rest.get("lw", 1.0))
