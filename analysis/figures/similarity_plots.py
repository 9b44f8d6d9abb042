"""Figure builders for similarity and reuse: similarity matrix with dendrogram, verbatim reuse, similarity against length.

Each returns ``(fig, data)`` (see :mod:`analysis.figures.labels` for the conventions).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from analysis.figures.style import OKABE_ITO
from analysis.figures.labels import (NEUTRAL, _labeller, _finish, _plt)


def plot_similarity(sim: pd.DataFrame, title: str = "TF-IDF cosine similarity", labels: str = "zh",
                    sizes: pd.Series | None = None):
    """Heatmap of a similarity matrix with its average-linkage dendrogram.

    The diagonal (self-similarity 1) is masked so the colour scale spans the
    off-diagonal values; rows/columns follow the dendrogram's leaf order.  ``sizes``
    (tokens per group) are shown beside the labels when given, since short texts look
    dissimilar to everything."""
    from scipy.cluster.hierarchy import dendrogram, linkage
    from scipy.spatial.distance import squareform

    plt = _plt()
    lab = _labeller(labels)
    dist = 1 - sim.to_numpy()
    np.fill_diagonal(dist, 0)
    dist = (dist + dist.T) / 2
    link = linkage(squareform(np.clip(dist, 0, None), checks=False), method="average")
    n = len(sim)
    fig = plt.figure(figsize=(0.4 * n + 2.6, 0.36 * n + 3.4))
    gs = fig.add_gridspec(2, 2, height_ratios=[1.8, 0.36 * n], width_ratios=[0.4 * n, 0.25], hspace=0.02,
                          wspace=0.04)
    ax_d = fig.add_subplot(gs[0, 0])
    ax = fig.add_subplot(gs[1, 0])
    cax = fig.add_subplot(gs[1, 1])
    dn = dendrogram(link, ax=ax_d, no_labels=True, color_threshold=0, above_threshold_color="#555555")
    for line in ax_d.collections:
        line.set_linewidth(0.8)
    ax_d.axis("off")
    order = dn["leaves"]
    s = sim.iloc[order, order]
    m = s.to_numpy().astype(float).copy()
    np.fill_diagonal(m, np.nan)
    off = m[~np.isnan(m)]
    vmin, vmax = (float(off.min()), float(off.max())) if off.size else (0.0, 1.0)
    im = ax.imshow(np.ma.masked_invalid(m), cmap="cividis", vmin=vmin, vmax=vmax, aspect="auto")
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            v = round(float(s.iat[i, j]), 2)
            ax.text(j, i, f"{v:.2f}"[1:] if v < 1 else "1", ha="center", va="center", fontsize=7.5,
                    color="white" if v < vmin + 0.55 * (vmax - vmin) else "black")
    names = lab(list(s.index))
    if sizes is not None:
        names = [f"{nm} ({int(sizes[g])})" for nm, g in zip(names, s.index)]
    ax.set_xticks(range(n), lab(list(s.columns)), rotation=90)
    ax.set_yticks(range(n), names)
    ax.spines[:].set_visible(False)
    fig.colorbar(im, cax=cax, label="cosine similarity (diagonal masked)")
    ax_d.set_title(title + "\n(average-linkage dendrogram; " +
                   ("tokens in brackets)" if sizes is not None else "diagonal masked)"), fontsize=10)
    data = s.reset_index().rename(columns={"index": "group"})
    return fig, _finish(data, lab)


def plot_reuse(reuse: pd.DataFrame, label: str = "unit_id", title: str = "Verbatim reuse", labels: str = "zh"):
    """Bars of ``reuse_share`` (percent of characters) per unit."""
    plt = _plt()
    lab = _labeller(labels)
    d = reuse.sort_values(["reuse_share", label], kind="mergesort").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(d) + 1.3))
    names = [" · ".join(lab([p])[0] if any("\u3400" <= ch <= "\u9fff" for ch in p) else p
                        for p in str(v).split(" · ")) for v in d[label]]
    ax.barh(range(len(d)), 100 * d["reuse_share"], color=OKABE_ITO[2])
    ax.set_yticks(range(len(d)), names)
    for i, r in enumerate(d.itertuples()):
        ax.text(100 * r.reuse_share + 0.5, i, f"{100 * r.reuse_share:.0f}% of {r.n_chars}", va="center", fontsize=7.5)
    ax.set_xlabel("% of the unit's characters in shared verbatim passages")
    ax.set_xlim(0, max(5, 100 * d["reuse_share"].max() * 1.25))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig, _finish(d, lab)


def plot_similarity_length(pairs: pd.DataFrame, pairs_equal: pd.DataFrame | None = None,
                           title: str = "Similarity against text length", labels: str = "zh"):
    """Similarity of each pair of groups against the geometric mean of their lengths
    (from :func:`analysis.robustness.similarity_vs_length`): full texts, and (if given)
    equal-length token windows, each with its Spearman correlation.  ``labels`` is
    accepted for uniformity (the figure draws no Chinese text; the CSV keeps the names)."""
    _labeller(labels)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    parts = [("full texts", pairs, NEUTRAL[1])]
    if pairs_equal is not None:
        parts.append((f"equal windows of {pairs_equal.attrs.get('length', '?')} tokens", pairs_equal, NEUTRAL[0]))
    rows = []
    for name, p, colour in parts:
        rho = p.attrs.get("spearman", np.nan)
        ax.scatter(p["tokens_geomean"], p["similarity"], s=14, color=colour, alpha=0.8,
                   label=f"{name} (Spearman r = {rho:.2f}, {len(p)} pairs)")
        rows.append(p.assign(version=name))
    ax.set_xscale("log")
    from matplotlib.ticker import FuncFormatter
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}" if str(int(v))[0] in "25" else ""))
    ax.set_xlabel("geometric mean of the pair's lengths (tokens, log scale)")
    ax.set_ylabel("TF-IDF cosine similarity")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    data = pd.concat(rows, ignore_index=True)
    data.attrs = {}
    return fig, data
