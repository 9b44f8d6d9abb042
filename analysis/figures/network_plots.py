"""Maps of association: co-occurrence networks and correspondence-analysis biplots.

Both builders return ``(fig, data)`` like the other figure builders (``data`` = the
numbers drawn, written as CSV by :func:`analysis.save_figure`) and take
``labels="zh" | "zh+en" | "en"``.  Placement is deterministic: the network layout is
networkx's spring layout with a fixed seed on a graph built in sorted order, and labels
are placed greedily in a fixed order, so two runs give byte-identical files.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plot_cooccurrence_networks", "plot_ca_biplot", "network_layout"]

#: Community colours (Okabe & Ito order, black last); communities beyond these are grey.
_GREY = "#9a9a9a"


def _community_colours():
    from analysis.figures.style import OKABE_ITO

    return [c for c in OKABE_ITO if c.lower() not in ("#000000",)]


def network_layout(net, seed: int = 0) -> pd.DataFrame:
    """Node coordinates of a :class:`~analysis.measures.cooccurrence.CooccurrenceNetwork`:
    Fruchterman–Reingold (``networkx.spring_layout``) with a fixed seed, on the graph built
    in sorted order, rescaled to [-1, 1]; returns ``term, x, y``."""
    import networkx as nx

    g = net.graph()
    n = max(g.number_of_nodes(), 1)
    xy = nx.spring_layout(g, seed=seed, weight="weight", k=1.8 / np.sqrt(n), iterations=300)
    out = pd.DataFrame([(t, float(p[0]), float(p[1])) for t, p in sorted(xy.items())], columns=["term", "x", "y"])
    return out


def plot_cooccurrence_networks(networks: dict, *, labels: str = "zh", seed: int = 0, ncols: int = 2,
                               panel_width: float = 5.2, fontsize: float = 7.5):
    """Co-occurrence networks side by side (one panel per network).

    Parameters
    ----------
    networks : dict
        Panel title -> :class:`~analysis.measures.cooccurrence.CooccurrenceNetwork`.
    labels : {"zh", "zh+en", "en"}
    seed : int, default 0
        Seed of the spring layout.
    ncols : int, default 2
    panel_width : float
        Inches per panel.
    fontsize : float

    Returns
    -------
    fig : matplotlib.figure.Figure
        Node area proportional to the term's frequency (tokens), colour = community,
        edge width proportional to the edge weight.
    data : pandas.DataFrame
        One row per node (``kind="node"``: term, label, frequency, community, x, y) and
        per edge (``kind="edge"``: source, target, cooc, weight), with ``panel``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    from analysis.figures.labels import _finish, _labeller, _place_labels

    if not networks:
        raise ValueError("no network to draw")
    lab = _labeller(labels)
    colours = _community_colours()
    n = len(networks)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_width * ncols, panel_width * 0.95 * nrows + 0.5),
                             squeeze=False)
    rows = []
    fmax = max(int(net.nodes["frequency"].max()) for net in networks.values())
    for ax, (title, net) in zip(axes.ravel(), networks.items()):
        xy = network_layout(net, seed).set_index("term")
        nodes = net.nodes.set_index("term").join(xy)
        segs = [[(xy.at[e.source, "x"], xy.at[e.source, "y"]), (xy.at[e.target, "x"], xy.at[e.target, "y"])]
                for e in net.edges.itertuples()]
        w = net.edges["weight"].to_numpy()
        widths = 0.4 + 2.6 * (w - w.min()) / (w.max() - w.min()) if w.max() > w.min() else np.full(len(w), 1.2)
        ax.add_collection(LineCollection(segs, linewidths=widths, colors="#8c8c8c", alpha=0.55, zorder=1))
        sizes = 40 + 900 * nodes["frequency"].to_numpy() / fmax
        cols = [colours[c - 1] if c <= len(colours) else _GREY for c in nodes["community"]]
        ax.scatter(nodes["x"], nodes["y"], s=sizes, c=cols, edgecolors="white", linewidths=0.6, zorder=2)
        names = lab(list(nodes.index))
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.25, 1.25)
        ax.set_aspect("equal")
        ax.set_axis_off()
        ax.set_title(title, fontsize=10)
        _place_labels(ax, [(x, y, t) for x, y, t in zip(nodes["x"], nodes["y"], names)], fontsize=fontsize,
                      obstacles=list(zip(nodes["x"], nodes["y"])))
        for (term, r), name in zip(nodes.iterrows(), names):
            rows.append(dict(panel=title, kind="node", term=term, label=name, frequency=int(r["frequency"]),
                             n_contexts=int(r["n_contexts"]), community=int(r["community"]),
                             x=r["x"], y=r["y"]))
        for e in net.edges.itertuples():
            rows.append(dict(panel=title, kind="edge", term=e.source, target=e.target, cooc=int(e.cooc),
                             weight=float(e.weight)))
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    fig.text(0.5, 0.01, "node area ∝ frequency (tokens); colour = community; line width ∝ edge weight",
             ha="center", fontsize=8, color="#444444")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    cols_order = ["panel", "kind", "term", "label", "target", "frequency", "n_contexts", "community",
                  "cooc", "weight", "x", "y"]
    data = pd.DataFrame(rows).reindex(columns=cols_order)
    return fig, _finish(data, lab)


def plot_ca_biplot(ca, *, labels: str = "zh", dims=(1, 2), row_kind: str = "row", col_kind: str = "column",
                   title: str | None = None, fontsize: float = 8):
    """Symmetric CA map: rows and columns in principal coordinates on two dimensions.

    Parameters
    ----------
    ca : analysis.measures.correspondence.CorrespondenceAnalysis
    labels : {"zh", "zh+en", "en"}
        For Chinese row/column names (places, terms); other names are shown as they are.
    dims : tuple of int, default (1, 2)
        Dimensions drawn (1-based).
    row_kind, col_kind : str
        What rows and columns are (legend and CSV), e.g. ``"place"``, ``"theme"``.
    title : str, optional

    Returns
    -------
    fig : matplotlib.figure.Figure
        Rows as circles, columns as triangles; axes labelled with their share of the inertia.
        In a symmetric map the distance between a row and a column point is not
        interpretable directly: read each set against the axes (Greenacre 2017, ch. 13).
    data : pandas.DataFrame
        ``kind, name, label, x, y, mass, contrib_x, contrib_y`` (percent), ``quality``
        (cos² on the two dimensions).
    """
    import matplotlib.pyplot as plt

    from analysis.figures.labels import _finish, _labeller, _place_labels
    from analysis.figures.style import OKABE_ITO

    k = len(ca.eigenvalues)
    a, b = dims
    if not (1 <= a <= k and 1 <= b <= k and a != b):
        raise ValueError(f"dims must be two different dimensions between 1 and {k}, got {dims!r}")
    dx, dy = f"Dim {a}", f"Dim {b}"
    lab = _labeller(labels)
    rows = []
    for kind, coords, contrib, cos2, mass in (
            (row_kind, ca.row_coords, ca.row_contrib, ca.row_cos2, ca.row_mass),
            (col_kind, ca.col_coords, ca.col_contrib, ca.col_cos2, ca.col_mass)):
        names = list(coords.index)
        for name, shown in zip(names, lab(names)):
            rows.append(dict(kind=kind, name=name, label=shown, x=coords.at[name, dx], y=coords.at[name, dy],
                             mass=mass[name], contrib_x=contrib.at[name, dx], contrib_y=contrib.at[name, dy],
                             quality=cos2.at[name, dx] + cos2.at[name, dy]))
    data = pd.DataFrame(rows)
    fig, ax = plt.subplots(figsize=(7.2, 6.2))
    ax.axhline(0, color="#bbbbbb", lw=0.6, zorder=0)
    ax.axvline(0, color="#bbbbbb", lw=0.6, zorder=0)
    styles = {row_kind: dict(marker="o", color=OKABE_ITO[5]), col_kind: dict(marker="^", color=OKABE_ITO[4])}
    for kind, style in styles.items():
        d = data[data["kind"] == kind]
        ax.scatter(d["x"], d["y"], s=36, label=kind, zorder=3, **style)
    span_x = data["x"].max() - data["x"].min()
    span_y = data["y"].max() - data["y"].min()
    ax.set_xlim(data["x"].min() - 0.15 * span_x, data["x"].max() + 0.25 * span_x)
    ax.set_ylim(data["y"].min() - 0.15 * span_y, data["y"].max() + 0.2 * span_y)
    eig = ca.eigenvalues["percent"]
    ax.set_xlabel(f"{dx} ({eig[dx]:.1f}% of inertia)")
    ax.set_ylabel(f"{dy} ({eig[dy]:.1f}% of inertia)")
    ax.legend(loc="best", fontsize=8, frameon=False)
    if title:
        ax.set_title(title, fontsize=10)
    _place_labels(ax, list(zip(data["x"], data["y"], data["label"])), fontsize=fontsize,
                  obstacles=list(zip(data["x"], data["y"])))
    fig.tight_layout()
    return fig, _finish(data, lab)
