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
    """Node coordinates of a :class:`~analysis.measures.cooccurrence.CooccurrenceNetwork`.

    Each connected component is laid out on its own — Kamada–Kawai on hop distances
    (``networkx.kamada_kawai_layout``, deterministic) started from a spring layout with
    a fixed ``seed`` — scaled to a box whose side grows with the square root of its size,
    and the boxes are packed in rows, largest first (so small components do not fly off
    to the edges as in one global spring layout).  Returns ``term, x, y``, the whole
    drawing within [-1, 1].
    """
    import networkx as nx

    g = net.graph()
    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    placed = []
    for comp in comps:
        # a fresh graph in sorted order: networkx's subgraph views iterate a small component's
        # nodes in set order, which changes with the interpreter's string hashing
        sub = nx.Graph()
        sub.add_nodes_from(comp)
        sub.add_weighted_edges_from(sorted((min(u, v), max(u, v), w) for u, v, w in
                                           g.subgraph(comp).edges(data="weight")))
        if len(comp) <= 2:
            xy = {t: (float(i) - (len(comp) - 1) / 2, 0.0) for i, t in enumerate(comp)}
        else:
            start = nx.spring_layout(sub, seed=seed)
            xy = nx.kamada_kawai_layout(sub, pos=start, weight=None)
        pts = np.array([xy[t] for t in comp], dtype=float)
        pts -= pts.mean(axis=0)
        extent = np.abs(pts).max() or 1.0
        side = np.sqrt(len(comp))
        placed.append((comp, pts / extent * side / 2, side))
    # shelf packing: rows no wider than the larger of the biggest box and sqrt(total area) * 1.4
    width = max(max(s for _, _, s in placed), 1.4 * np.sqrt(sum(s * s for _, _, s in placed)))
    x0 = y0 = row_h = 0.0
    rows = []
    for comp, pts, side in placed:
        box = side + 0.6
        if x0 > 0 and x0 + box > width:
            x0, y0, row_h = 0.0, y0 - row_h, 0.0
        centre = np.array([x0 + box / 2, y0 - box / 2])
        rows += [(t, *(p + centre)) for t, p in zip(comp, pts)]
        x0 += box
        row_h = max(row_h, box)
    out = pd.DataFrame(rows, columns=["term", "x", "y"])
    xy = out[["x", "y"]].to_numpy()
    mid = (xy.max(axis=0) + xy.min(axis=0)) / 2
    scale = (xy.max(axis=0) - xy.min(axis=0)).max() / 2 or 1.0
    out[["x", "y"]] = (xy - mid) / scale
    return out.sort_values("term", kind="mergesort").reset_index(drop=True)


def plot_cooccurrence_networks(networks: dict, *, labels: str = "zh", seed: int = 0, ncols: int = 2,
                               panel_width: float | None = None, fontsize: float = 7.5):
    """Co-occurrence networks side by side (one panel per network).

    Parameters
    ----------
    networks : dict
        Panel title -> :class:`~analysis.measures.cooccurrence.CooccurrenceNetwork`.
    labels : {"zh", "zh+en", "en"}
    seed : int, default 0
        Seed of the spring layout.
    ncols : int, default 2
    panel_width : float, optional
        Inches per panel (default 5.2 with Chinese labels, 7.5 with the longer English ones).
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
    panel_width = panel_width or (5.2 if labels == "zh" else 7.5)
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
        sizes = 25 + 520 * nodes["frequency"].to_numpy() / fmax
        cols = [colours[c - 1] if c <= len(colours) else _GREY for c in nodes["community"]]
        ax.scatter(nodes["x"], nodes["y"], s=sizes, c=cols, edgecolors="white", linewidths=0.6, zorder=2)
        names = lab(list(nodes.index))
        ax.set_aspect("equal")
        ax.margins(0.14)
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
    ax.set_aspect("equal", adjustable="datalim")  # both axes in the same units (Greenacre 2017, ch. 5)
    ax.margins(0.12)
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
