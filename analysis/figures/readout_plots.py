"""Figure builders for readout moves, echo of the centre and one-vs-rest keyness.

Each returns ``(fig, data)`` like the other builders: the matplotlib figure and the exact
numbers plotted (what :func:`analysis.save_figure` writes as CSV), and takes
``labels="zh" | "zh+en" | "en"`` for terms and place names.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.figures.labels import _finish, _labeller, _plt
from analysis.figures.printcheck import declare_print_width

__all__ = ["MOVE_COLOURS", "plot_move_anatomy", "plot_echo_moves", "plot_keyness_groups"]

#: One colour per readout move (Okabe & Ito without the period colours; `other` grey).
MOVE_COLOURS = {"frame": "#999999", "study": "#CC79A7", "assess": "#56B4E9", "stress": "#E69F00",
                "direct": "#009E73", "other": "#DDDDDD"}


def plot_move_anatomy(shares: pd.DataFrame, meta: pd.DataFrame, *, labels: str = "zh",
                      title: str = "Anatomy of the readouts: share of each unit's characters by move"):
    """Stacked horizontal bars: each unit's characters by readout move (shares sum to 1).

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`analysis.measures.moves.move_shares` output (one column per move, ``n_chars``).
    meta : pandas.DataFrame
        The corpus rows of these units (``unit_id``, ``period``, ``place``, ``excerpt``):
        units are grouped by period, then place; an excerpt is marked with ``*``.
    """
    from analysis.measures.moves import MOVES

    plt = _plt()
    lab = _labeller(labels)
    cols = [c for c in ("unit_id", "period", "place", "excerpt") if c in meta.columns]
    d = shares.merge(meta[cols], on="unit_id", how="left")
    d = d.sort_values(["period", "place", "unit_id"], ascending=[False, False, False], kind="mergesort")
    d = d.reset_index(drop=True)
    places = lab(d["place"].astype(str))
    # drawn at the printed width (7 in) so no font shrinks below 6 pt in print
    fig, ax = plt.subplots(figsize=(7.0, 0.24 * len(d) + 1.6))
    y = np.arange(len(d))
    left = np.zeros(len(d))
    for m in MOVES:
        ax.barh(y, d[m], left=left, color=MOVE_COLOURS[m], label=m, edgecolor="white", lw=0.3)
        left += d[m].to_numpy()
    ax.set_yticks(y, [f"{p} · {r.period} · {r.unit_id}{' *' if r.excerpt else ''} ({r.n_chars})"
                      for p, r in zip(places, d.itertuples())], fontsize=7)
    ax.set_xlim(0, 1)
    ax.tick_params(axis="x", labelsize=7.5)
    ax.set_xlabel("share of the unit's characters (whitespace not counted; characters in brackets)", fontsize=8)
    ax.legend(ncols=len(MOVES), loc="upper center", bbox_to_anchor=(0.5, -0.09 - 0.6 / max(len(d), 1)),
              fontsize=7.5, frameon=False, columnspacing=1.2, handlelength=1.5)
    ax.set_title(title + "\n* = journalist's excerpt", fontsize=8.5)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    declare_print_width(fig, "double")
    data = d.melt(id_vars=[c for c in ("unit_id", "period", "place", "excerpt", "n_chars") if c in d],
                  value_vars=list(MOVES), var_name="move", value_name="share")
    return fig, _finish(data, lab)


def plot_echo_moves(by_move: pd.DataFrame, units: pd.DataFrame, *, labels: str = "zh",
                    title: str = "Echo of the centre by move"):
    """Heatmap: share of each unit's characters (rows) echoing central texts, by move
    (columns) and in all; every cell shows ``echoed / characters`` so a high share of a
    short move is visible as such.

    Parameters
    ----------
    by_move, units : pandas.DataFrame
        ``EchoResult.by_move`` and ``EchoResult.units`` of :func:`analysis.measures.echo.echo`.
    """
    from analysis.measures.moves import MOVES

    plt = _plt()
    lab = _labeller(labels)
    u = units.sort_values(["period", "place", "unit_id"], ascending=[True, True, True], kind="mergesort") \
        if {"period", "place"} <= set(units.columns) else units
    moves = [m for m in MOVES if m in set(by_move["move"])]
    cols = [*moves, "all"]
    share = np.full((len(u), len(cols)), np.nan)
    text = [["" for _ in cols] for _ in range(len(u))]
    idx = {(r.unit_id, r.move): r for r in by_move.itertuples()}
    for i, r in enumerate(u.itertuples()):
        for j, m in enumerate(cols):
            if m == "all":
                e, n = r.echo_chars, r.n_chars
            elif (r.unit_id, m) in idx:
                x = idx[(r.unit_id, m)]
                e, n = x.echo_chars, x.n_chars
            else:
                continue
            if n:
                share[i, j] = e / n
                text[i][j] = f"{e / n:.0%}\n{e}/{n}"
    # drawn at the printed width (7 in) so no font shrinks below 6 pt in print
    fig, ax = plt.subplots(figsize=(7.0, 0.3 * len(u) + 1.3))
    im = ax.imshow(np.ma.masked_invalid(share), cmap="viridis", vmin=0, vmax=max(0.05, np.nanmax(share)),
                   aspect="auto")
    for i in range(len(u)):
        for j in range(len(cols)):
            if text[i][j]:
                ax.text(j, i, text[i][j], ha="center", va="center", fontsize=6.5, linespacing=1.0,
                        color="white" if share[i, j] < 0.6 * np.nanmax(share) else "black")
    places = lab(u["place"].astype(str)) if "place" in u else list(u["unit_id"])
    star = u["excerpt"].astype(bool).tolist() if "excerpt" in u else [False] * len(u)
    ax.set_yticks(range(len(u)), [f"{p} · {uid}{' *' if s else ''}" for p, uid, s in zip(places, u["unit_id"], star)],
                  fontsize=7)
    ax.set_xticks(range(len(cols)), cols, fontsize=7.5)
    ax.spines[:].set_visible(False)
    cb = fig.colorbar(im, ax=ax, shrink=0.8, fraction=0.05, pad=0.03)
    cb.set_label("share of characters echoed", fontsize=8)
    cb.ax.tick_params(labelsize=7)
    ax.set_title(title + "\ncells: share, then echoed / characters; blank = no text in that move; "
                 "* = journalist's excerpt", fontsize=8)
    fig.tight_layout()
    declare_print_width(fig, "double")
    data = by_move.merge(u[[c for c in ("unit_id", "place", "period", "excerpt") if c in u]], on="unit_id")
    return fig, _finish(data.reset_index(drop=True), lab)


def plot_keyness_groups(table: pd.DataFrame, *, n: int = 5, value: str = "log_odds_z", min_count: int = 2,
                        labels: str = "zh", title: str | None = None):
    """Heatmap of one-vs-rest keyness: the ``n`` most over-used terms of every group (by G²,
    used at least ``min_count`` times in the group) as rows, the groups as columns, the
    weighted log-odds z of every shown term in every group as colour (diverging, 0 = as
    in the rest).  Cells give the term's count in the group; a term absent from a group
    is an empty cell, never a measured value.  Terms passing Bonferroni over the whole
    table (``significant_all``) are marked ``●``.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`analysis.measures.keyness_groups.keyness_one_vs_rest` output.
    """
    plt = _plt()
    lab = _labeller(labels)
    attrs = table.attrs
    by = attrs.get("by") or table.columns[0]
    # without its attrs (every group's keyness attrs): pandas deep-copies them into each
    # column or subset taken below; copied once here instead
    table = table.copy(deep=False)
    table.attrs = {}
    groups = list(dict.fromkeys(table[by]))
    chosen = []
    for g in groups:
        sub = table[(table[by] == g) & (table["g2"] > 0) & (table["count_target"] >= min_count)]
        sub = sub.sort_values(["g2", "term"], ascending=[False, True], kind="mergesort").head(n)
        chosen += [t for t in sub["term"] if t not in chosen]
    if not chosen:
        raise ValueError(f"no term is over-used in any group with count >= {min_count}; lower min_count")
    # one record per (group, term), read as plain values: a row of ``table`` as a Series
    # would deep-copy the table's attrs (every group's keyness attrs) at each lookup
    cols = ["count_target", value, "significant_all", "g2"]
    cell = {(g, t): dict(zip(cols, vals)) for g, t, *vals in
            zip(table[by], table["term"], *(table[c] for c in cols))}
    z = np.full((len(chosen), len(groups)), np.nan)
    cnt = np.zeros((len(chosen), len(groups)), dtype=int)
    sig = np.zeros((len(chosen), len(groups)), dtype=bool)
    rows = []
    for i, t in enumerate(chosen):
        for j, g in enumerate(groups):
            if (g, t) in cell:
                r = cell[(g, t)]
                cnt[i, j] = int(r["count_target"])
                if cnt[i, j] > 0:
                    z[i, j] = float(r[value])
                    sig[i, j] = bool(r["significant_all"]) and r["g2"] > 0
                rows.append((g, t, cnt[i, j], float(r[value]), float(r["g2"]), bool(sig[i, j])))
    lim = max(1.0, float(np.nanmax(np.abs(z))))
    # at most the printed width (7 in) so no font shrinks below 6 pt in print
    fig_w = min(7.0, 0.4 * len(groups) + 2.4)
    fig, ax = plt.subplots(figsize=(fig_w, 0.22 * len(chosen) + 1.7))
    im = ax.imshow(np.ma.masked_invalid(z), cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    for i in range(len(chosen)):
        for j in range(len(groups)):
            if cnt[i, j]:
                ax.text(j, i, f"{cnt[i, j]}{'●' if sig[i, j] else ''}", ha="center", va="center", fontsize=6.5,
                        color="white" if abs(z[i, j]) > 0.6 * lim else "black")
    ax.set_yticks(range(len(chosen)), lab(chosen), fontsize=7)
    sizes = {g: len(attrs["groups"][g]["units_target"]) for g in groups} if "groups" in attrs else {}
    xl = lab([str(g) for g in groups])
    ax.set_xticks(range(len(groups)), [f"{x} ({sizes.get(g, '?')})" for x, g in zip(xl, groups)],
                  rotation=45, ha="right", rotation_mode="anchor", fontsize=7)
    ax.spines[:].set_visible(False)
    cb = fig.colorbar(im, ax=ax, shrink=0.8, fraction=0.05, pad=0.03)
    cb.set_label(f"{value.replace('_', ' ')} (group vs the rest)", fontsize=8)
    cb.ax.tick_params(labelsize=7)
    ax.set_title((title or f"Key terms of each {by} against all others") +
                 f"\ncells: count in the group; ● = Bonferroni over the table; blank = absent; "
                 f"(units per {by})", fontsize=8)
    fig.tight_layout()
    declare_print_width(fig, "double" if fig_w > 3.5 else "single")
    data = pd.DataFrame(rows, columns=[by, "term", "count", value, "g2", "significant_all"])
    return fig, _finish(data, lab)
