"""Figure builders for keyword themes: the theme heatmap and the stacked theme bars (also redrawn in place by the explorer).

Each returns ``(fig, data)`` (see :mod:`analysis.figures.labels` for the conventions).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from analysis.figures.labels import (_SPARE, _labeller, _finish, _plt)


def plot_theme_heatmap(tf: pd.DataFrame, by: str, n_tokens: pd.Series | None = None,
                       title: str = "Theme rates per 10,000 tokens", labels: str = "zh",
                       min_tokens: int = 200):
    """Group × theme heatmap of ``per_10k``; each cell shows the rate, each row label its
    tokens.  Cells of a group with fewer than ``min_tokens`` tokens are hatched: there one
    hit moves the rate by more than 10,000 / ``min_tokens`` per 10k (50 at the default), so
    the brightest cells may be the least reliable (the hits per cell are in the figure's CSV, column ``count``)."""
    plt = _plt()
    lab = _labeller(labels)
    wide = tf.pivot_table(index=by, columns="theme", values="per_10k", sort=False)
    wide = wide[list(dict.fromkeys(tf["theme"]))]
    hits = tf.pivot_table(index=by, columns="theme", values="count", sort=False).reindex(
        index=wide.index, columns=wide.columns)
    counts = tf.drop_duplicates(by).set_index(by)["n_tokens"].reindex(wide.index)
    fig, ax = plt.subplots(figsize=(0.62 * wide.shape[1] + 3.0, 0.36 * wide.shape[0] + 2.2))
    im = ax.imshow(wide.to_numpy(), cmap="viridis", aspect="auto")
    vmax = np.nanmax(wide.to_numpy())
    from matplotlib.patches import Rectangle

    few = counts.to_numpy() < min_tokens
    for i in range(wide.shape[0]):
        for j in range(wide.shape[1]):
            v = wide.iat[i, j]
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=8.5,
                    color="white" if v < 0.6 * vmax else "black")
            if few[i]:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch="////", lw=0,
                                       edgecolor="#ffffff99"))
    ax.set_xticks(range(wide.shape[1]), [c.replace("_", " ") for c in wide.columns], rotation=40, ha="right")
    ax.set_yticks(range(wide.shape[0]), [f"{g} ({int(n):,})" for g, n in zip(lab(wide.index), counts)])
    ax.spines[:].set_visible(False)
    fig.colorbar(im, ax=ax, label="per 10,000 tokens", shrink=0.8)
    ax.set_title(title + f"\ncells: rate per 10k; (tokens); hatched: under {min_tokens:,} tokens"
                 if few.any() else title + "\ncells: rate per 10k; (tokens)", fontsize=9)
    fig.tight_layout()
    return fig, _finish(tf.reset_index(drop=True), lab)


def _stacked_theme_bars(ax, wide: pd.DataFrame, names: list[str]):
    """Draw the stacked bars of :func:`plot_theme_bars` on ``ax`` (groups × terms ``wide``,
    legend ``names``): one PolyCollection per term, not one patch per bar, so far fewer
    artists to draw.  Shared with the explorer's in-place redraw.  Returns the legend
    handles and the bar totals."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    left = np.zeros(len(wide))
    y = np.arange(len(wide))
    handles = []
    for i, (term, name) in enumerate(zip(wide.columns, names)):
        vals = np.nan_to_num(wide[term].to_numpy())
        boxes = [[(x0, yy - 0.4), (x0 + v, yy - 0.4), (x0 + v, yy + 0.4), (x0, yy + 0.4)]
                 for x0, v, yy in zip(left, vals, y)]
        style = dict(facecolor=_SPARE[i % len(_SPARE)], edgecolor="white", linewidth=0.4,
                     hatch="//" if i >= len(_SPARE) else None)
        ax.add_collection(PolyCollection(boxes, **style))
        handles.append(Patch(label=name, **style))
        left += vals
    return handles, left


def plot_theme_bars(tf_terms: pd.DataFrame, by: str, theme: str, *, tight: bool = True, fig=None,
                    labels: str = "zh"):
    """Horizontal stacked bars: one theme's per-10k rate per group, split by term.

    ``tight=False`` uses fixed margins instead of ``tight_layout``, and ``fig`` reuses an
    existing figure (cleared first): both make redraws faster in the interactive explorer."""
    plt = _plt()
    lab = _labeller(labels)
    d = tf_terms[tf_terms["theme"] == theme]
    if d.empty:
        raise ValueError(f"unknown theme {theme!r}")
    wide = d.pivot_table(index=by, columns="term", values="per_10k", sort=False)
    wide = wide[list(dict.fromkeys(d["term"]))].iloc[::-1]  # first group on top
    size = (7.5, 0.32 * len(wide) + 1.5)
    if fig is None:
        fig, ax = plt.subplots(figsize=size)
    else:
        fig.clear()
        fig.set_size_inches(*size)
        ax = fig.add_subplot()
    handles, left = _stacked_theme_bars(ax, wide, lab(list(wide.columns)))
    ax.set_xlim(0, max(left.max(), 1e-9) * 1.05)
    ax.set_ylim(-0.6, len(wide) - 0.4)
    ax.set_yticks(np.arange(len(wide)), [str(v) for v in wide.index])
    ax.set_xlabel("per 10,000 tokens")
    ax.set_title(f"Theme '{theme}' by {by}")
    ax.legend(handles=handles, bbox_to_anchor=(1.01, 1), loc="upper left",
              ncol=1 if len(wide.columns) < 12 else 2)
    if tight:
        fig.tight_layout()
    else:
        fig.subplots_adjust(left=0.16, right=0.76, bottom=1.0 / fig.get_figheight(),
                            top=1 - 0.45 / fig.get_figheight())
    return fig, _finish(d.reset_index(drop=True), lab)
