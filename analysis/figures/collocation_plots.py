"""Collocate figures: the strongest collocates of one or more nodes by group, and a node's
collocates month by month.  Builders return ``(fig, data)`` and take ``labels``."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_collocates", "plot_collocate_series"]

_VALUE_NAMES = {"log_dice": "log-Dice", "mi": "MI", "t_score": "t-score", "g2": "G²", "frequency": "frequency"}


def plot_collocates(tables: dict, *, n: int = 8, value: str = "log_dice", labels: str = "zh",
                    panel_width: float = 3.2, row_height: float = 0.24):
    """Horizontal bars of each node's strongest collocates, one panel per node × group.

    Parameters
    ----------
    tables : dict
        Node label -> table from :func:`analysis.collocations` (with or without ``by``).
    n : int, default 8
        Collocates per panel (the top ``n`` by ``value``; ties at the cut broken by code
        point, as in the table's order).
    value : {"log_dice", "mi", "t_score", "g2", "frequency"}
    labels : {"zh", "zh+en", "en"}

    Returns
    -------
    fig : matplotlib.figure.Figure
        Rows = nodes, columns = groups (periods coloured as everywhere); each bar is
        annotated with the co-occurrence frequency; an empty panel says the node does
        not occur (or has no collocate at the threshold) in that group.
    data : pandas.DataFrame
        ``node, group, collocate, label, <value>, frequency, n_units, rank``.
    """
    import matplotlib.pyplot as plt

    from analysis.figures.labels import _finish, _labeller, period_colours

    if value not in _VALUE_NAMES:
        raise ValueError(f"value must be one of {list(_VALUE_NAMES)}, not {value!r}")
    if not tables:
        raise ValueError("no collocation table to draw")
    lab = _labeller(labels)
    groups = []
    for t in tables.values():
        by = t.attrs.get("by")
        gs = list(t.attrs["facts"]) if by else ["all"]
        gs += [g for g in t.attrs.get("groups_without_node", []) if g is not None]
        groups += [g for g in gs if g not in groups]
    groups = sorted(groups)
    colours = period_colours(groups)
    fig, axes = plt.subplots(len(tables), len(groups), squeeze=False,
                             figsize=(panel_width * len(groups) + 0.6, row_height * n * len(tables) + 0.8 * len(tables)))
    rows = []
    for i, (node, t) in enumerate(tables.items()):
        by = t.attrs.get("by")
        for j, g in enumerate(groups):
            ax = axes[i, j]
            d = (t[t[by] == g] if by else t).copy()
            d = d.sort_values([value, "collocate"], ascending=[False, True], kind="mergesort").head(n)
            names = lab(list(d["collocate"]))
            y = np.arange(len(d))[::-1]
            ax.barh(y, d[value], color=colours.get(g, "#777777"), height=0.7)
            for yy, v, f in zip(y, d[value], d["frequency"]):
                ax.text(v, yy, f" ×{f}", va="center", ha="left", fontsize=6.5, color="#333333")
            ax.set_yticks(y)
            ax.set_yticklabels(names, fontsize=7.5)
            ax.set_ylim(-0.6, n - 0.4)
            if len(d):
                ax.set_xlim(0, max(d[value].max(), 0) * 1.25 + 1e-9)
            else:
                fact = (t.attrs["facts"] if by else {"all": t.attrs["facts"]}).get(g)
                note = (f"node ×{fact['f_node']}: no collocate\nseen {t.attrs['min_count']}+ times" if fact
                        else "node absent")
                ax.text(0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center", fontsize=7,
                        color="#666666")
                ax.set_xticks([])
            ax.tick_params(axis="x", labelsize=7)
            if i == 0:
                ax.set_title(str(g), fontsize=9)
            if j == 0:
                ax.set_ylabel(node, fontsize=9)
            if i == len(tables) - 1:
                ax.set_xlabel(_VALUE_NAMES[value], fontsize=8)
            for rank, (r, name) in enumerate(zip(d.itertuples(), names), 1):
                rows.append(dict(node=node, group=g, collocate=r.collocate, label=name,
                                 **{value: getattr(r, value)}, frequency=r.frequency, n_units=r.n_units, rank=rank))
    fig.tight_layout()
    data = pd.DataFrame(rows, columns=["node", "group", "collocate", "label", value, "frequency", "n_units", "rank"])
    return fig, _finish(data, lab)


def plot_collocate_series(table: pd.DataFrame, *, n: int = 12, value: str = "log_dice", labels: str = "zh"):
    """Heat map of a node's collocates over time: groups (e.g. months) × the ``n`` collocates
    with the highest total co-occurrence frequency; blank = below the table's ``min_count``
    in that group (or the node absent that month).

    Parameters
    ----------
    table : pandas.DataFrame
        From :func:`analysis.collocations` with ``by`` (e.g. ``by="period"`` on monthly data).
    n : int, default 12
    value : {"log_dice", "mi", "t_score", "g2"}
    labels : {"zh", "zh+en", "en"}

    Returns
    -------
    fig, data
        ``data``: ``group, collocate, label, <value>, frequency`` for every cell drawn.
    """
    import matplotlib.pyplot as plt

    from analysis.figures.labels import _finish, _labeller

    by = table.attrs.get("by")
    if not by:
        raise ValueError("the table has no groups: call collocations(..., by='period')")
    if value not in _VALUE_NAMES or value == "frequency":
        raise ValueError(f"value must be one of log_dice, mi, t_score, g2, not {value!r}")
    lab = _labeller(labels)
    totals = table.groupby("collocate")["frequency"].sum()
    top = sorted(totals.index, key=lambda c: (-totals[c], c))[:n]
    groups = sorted(set(table[by]) | set(g for g in table.attrs.get("groups_without_node", []) if g is not None))
    grid = (table[table["collocate"].isin(top)].pivot(index="collocate", columns=by, values=value)
            .reindex(index=top, columns=groups))
    names = lab(top)
    # at most 7 in wide (full text width), so that printing does not shrink the month labels
    fig, ax = plt.subplots(figsize=(min(7.0, max(6.0, 0.16 * len(groups) + 2.2)), 0.3 * len(top) + 1.4))
    im = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="viridis", interpolation="nearest")
    ax.set_yticks(range(len(top)))
    ax.set_yticklabels(names, fontsize=8)
    step = max(1, len(groups) // 16)
    ax.set_xticks(range(0, len(groups), step))
    ax.set_xticklabels([groups[i] for i in range(0, len(groups), step)], rotation=60, ha="right", fontsize=7)
    cb = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.02)
    cb.set_label(_VALUE_NAMES[value], fontsize=8)
    ax.set_title(f"collocates of {'/'.join(table.attrs['node'])} (±{table.attrs['window']}) by {by}", fontsize=9)
    fig.tight_layout()
    cells = table[table["collocate"].isin(top)][[by, "collocate", value, "frequency"]].rename(columns={by: "group"})
    cells["label"] = cells["collocate"].map(dict(zip(top, names)))
    cells = cells.sort_values(["group", "collocate"], kind="mergesort")[["group", "collocate", "label", value, "frequency"]]
    return fig, _finish(cells.reset_index(drop=True), lab)
