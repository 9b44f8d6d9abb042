"""Figure builders for checking a rule: counts of what a rule flags beside the estimated true counts.

Returns ``(fig, data)`` (see :mod:`analysis.figures.labels` for the conventions).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.figures.labels import _finish, _labeller, _plt
from analysis.figures.style import OKABE_ITO


def plot_estimated_counts(counts: pd.DataFrame, *, title: str = "Units per period: flagged by the rule and estimated",
                          ylabel: str = "units per month", flagged_label: str = "flagged by the rule",
                          estimate_label: str = "estimated true (95% interval)", labels: str = "zh"):
    """Per period, the units a rule flags (line) and the estimated true positives with their interval (band).

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`analysis.propagate_counts` output: ``period``, ``flagged``, ``estimate``, ``ci_low``, ``ci_high``.
    labels : {"zh", "zh+en", "en"}
        Accepted like every builder's; this figure draws no Chinese terms.
    """
    import matplotlib.dates as mdates

    plt = _plt()
    lab = _labeller(labels)  # validates the option
    d = counts.sort_values("period").reset_index(drop=True)
    x = np.array([mdates.date2num(pd.Period(p).to_timestamp()) for p in d["period"]])
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.fill_between(x, d["ci_low"], d["ci_high"], color=OKABE_ITO[1], alpha=0.35, lw=0, label=estimate_label)
    ax.plot(x, d["estimate"], color=OKABE_ITO[4], lw=1.2)
    ax.plot(x, d["flagged"], color=OKABE_ITO[5], lw=1.0, ls="--", label=flagged_label)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.legend(loc="upper right", fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    fig.tight_layout()
    data = d[["period", "flagged", "estimate", "ci_low", "ci_high"]].copy()
    return fig, _finish(data, lab)
