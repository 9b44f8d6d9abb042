"""Figure builders for time series: monthly term rates in small multiples.

Each returns ``(fig, data)`` (see :mod:`analysis.figures.labels` for the conventions).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from analysis.figures.style import OKABE_ITO
from analysis.figures.labels import (_labeller, _finish, _plt)


def plot_term_series(series: pd.DataFrame, units: pd.DataFrame | None = None, *, shade=(), ncols: int = 3,
                     value: str = "per_10k", title: str = "Term rates per month", labels: str = "zh"):
    """Small multiples of term rates over time (one panel per term, shared x axis),
    optionally with a bottom panel of units per period, and shaded periods.

    Parameters
    ----------
    series : pandas.DataFrame
        Long table from :func:`analysis.timeseries.term_series` (``period``, ``term``, ``value``).
    units : pandas.DataFrame, optional
        From :func:`analysis.timeseries.unit_series`: index ``period``, one column per
        series of unit counts (drawn as lines in the bottom panel).
    shade : sequence of period labels
        Periods drawn as grey bands in every panel (e.g. the study months).
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
    titles = dict(zip(terms, lab(terms)))
    nrows = -(-len(terms) // ncols)
    extra = 1 if units is not None else 0
    fig = plt.figure(figsize=(3.3 * ncols + 0.6, 1.9 * (nrows + extra) + 0.9))
    gs = fig.add_gridspec(nrows + extra, ncols)
    bands = [(num(p), num(pd.Period(p) + 1)) for p in shade]
    first = None
    for i, term in enumerate(terms):
        ax = fig.add_subplot(gs[i // ncols, i % ncols], sharex=first)
        first = first or ax
        y = series[series["term"] == term].set_index("period")[value].reindex(periods)
        for a, b in bands:
            ax.axvspan(a, b, color="#cccccc", lw=0, zorder=0)
        ax.plot(x, y.to_numpy(), color=OKABE_ITO[4], lw=1.1)
        ax.set_title(titles[term], fontsize=11 if labels == "zh" else 9, loc="left")
        ax.set_ylim(bottom=0)
        ax.tick_params(labelbottom=False)
        if i % ncols == 0:
            ax.set_ylabel("per 10,000 tokens", fontsize=8)
    if units is not None:
        ax = fig.add_subplot(gs[nrows, :], sharex=first)
        for a, b in bands:
            ax.axvspan(a, b, color="#cccccc", lw=0, zorder=0)
        u = units.reindex(periods)
        for j, col in enumerate(u.columns):
            ax.plot(x, u[col].to_numpy(), color=OKABE_ITO[(j + 5) % len(OKABE_ITO)], lw=1.2, label=str(col))
        ax.set_ylabel("stories per month", fontsize=8)
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper right", ncols=len(u.columns))
        ax.tick_params(labelbottom=True)
    else:
        for ax in fig.axes[-ncols:]:
            ax.tick_params(labelbottom=True)
    for ax in fig.axes:
        ax.xaxis.set_major_locator(mdates.YearLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    data = series[["period", "term", "count", "n_tokens", value]].copy()
    if units is not None:
        data = data.merge(units.add_prefix("units_").reset_index(), on="period", how="left")
    return fig, _finish(data.reset_index(drop=True), lab)
