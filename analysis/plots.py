"""Figure builders used by the notebooks.

Each function takes a tidy table from :mod:`analysis.frequency`,
:mod:`analysis.keyness`, :mod:`analysis.keywords` or :mod:`analysis.context` and returns
``(fig, data)``: the matplotlib figure and the exact numbers it plots (what
:func:`analysis.save_figure` writes as CSV).  Call :func:`analysis.use_style` first.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .figures import OKABE_ITO, cjk_font_path

__all__ = ["plot_unit_lengths", "plot_top_terms", "plot_keyness", "plot_frequency_scatter",
           "plot_word_clouds", "plot_theme_heatmap", "plot_tfidf_small_multiples",
           "plot_similarity", "plot_reuse", "plot_theme_bars", "word_cloud", "plot_term_series",
           "plot_keyness_agreement"]


def _plt():
    import matplotlib.pyplot as plt
    return plt


def plot_unit_lengths(corpus: pd.DataFrame):
    """Horizontal bars: characters per unit, labelled by place/level, coloured by period."""
    plt = _plt()
    d = corpus.assign(label=corpus["unit_id"]).sort_values(["period", "level", "n_chars"],
                                                            ascending=[True, True, True])
    data = d[["unit_id", "period", "level", "province", "n_chars"]].reset_index(drop=True)
    colours = {p: OKABE_ITO[i % len(OKABE_ITO)] for i, p in enumerate(sorted(d["period"].unique()))}
    fig, ax = plt.subplots(figsize=(7.5, 0.24 * len(d) + 1.2))
    y = np.arange(len(d))
    ax.barh(y, d["n_chars"], color=[colours[p] for p in d["period"]])
    labels = [f"{(r.province or '—')} · {r.level} · {r.unit_id}" for r in d.itertuples()]
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.set_xlabel("characters of cleaned text")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=p) for p, c in colours.items()], title="period",
              loc="lower right")
    ax.set_title("Corpus units by length")
    fig.tight_layout()
    return fig, data


def plot_top_terms(freq: pd.DataFrame, by: str, n: int = 15, value: str = "per_10k",
                   title: str = "Most frequent terms"):
    """One panel per group: its ``n`` top terms by ``value`` (e.g. per 10k tokens)."""
    plt = _plt()
    groups = list(dict.fromkeys(freq[by]))
    data = (freq.sort_values([by, value, "term"], ascending=[True, False, True], kind="mergesort")
            .groupby(by, sort=True).head(n).reset_index(drop=True))
    fig, axes = plt.subplots(1, len(groups), figsize=(3.2 * len(groups) + 0.5, 0.28 * n + 1.2),
                             squeeze=False)
    for i, (ax, g) in enumerate(zip(axes[0], groups)):
        d = data[data[by] == g].iloc[::-1]
        ax.barh(d["term"], d[value], color=OKABE_ITO[i % len(OKABE_ITO)])
        ax.set_title(str(g))
        ax.set_xlabel(value.replace("_", " ").replace("per 10k", "per 10,000 tokens"))
    fig.suptitle(title)
    fig.tight_layout()
    return fig, data


def plot_keyness(kt: pd.DataFrame, n: int = 15, min_g2: float = 3.84,
                 target_label: str = "target", reference_label: str = "reference"):
    """Diverging Log Ratio bars with bootstrap intervals for the most key terms.

    Terms with ``|G²| >= min_g2`` (3.84: p < 0.05 uncorrected) are eligible; the ``n``
    highest and ``n`` lowest G² are shown.  Filled bars pass the Bonferroni threshold
    (``kt.attrs['bonferroni_g2']``); hatched ones do not.
    """
    plt = _plt()
    eligible = kt[kt["g2"].abs() >= min_g2]
    pos = eligible[eligible["g2"] > 0].head(n)
    neg = eligible[eligible["g2"] < 0].tail(n)
    data = pd.concat([pos, neg]).sort_values(["log_ratio", "term"], kind="mergesort").reset_index(drop=True)
    if data.empty:
        raise ValueError(f"no term reaches |G2| >= {min_g2}; lower min_g2")
    fig, ax = plt.subplots(figsize=(7, 0.27 * len(data) + 1.6))
    y = np.arange(len(data))
    colours = [OKABE_ITO[5] if g > 0 else OKABE_ITO[4] for g in data["g2"]]
    bars = ax.barh(y, data["log_ratio"], color=colours, alpha=0.85)
    for bar, sig in zip(bars, data["significant"]):
        if not sig:
            bar.set_hatch("///")
            bar.set_alpha(0.45)
    if data["log_ratio_low"].notna().all():
        ax.errorbar(data["log_ratio"], y,
                    xerr=[data["log_ratio"] - data["log_ratio_low"], data["log_ratio_high"] - data["log_ratio"]],
                    fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2)
    ax.set_yticks(y, data["term"])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(f"Log Ratio (log2 of relative frequency, {target_label} / {reference_label})")
    bonf = kt.attrs.get("bonferroni_g2")
    ax.set_title(f"Key terms: {target_label} (right) vs {reference_label} (left)\n"
                 f"|G²| ≥ {min_g2:g}; solid = above Bonferroni |G²| {bonf:.1f}; whiskers = 95% sentence bootstrap",
                 fontsize=10)
    fig.tight_layout()
    return fig, data


def plot_frequency_scatter(freq: pd.DataFrame, by: str, x_group, y_group, n_labels: int = 12):
    """Per-10k rates of every term in two groups (log–log), outliers labelled.

    Terms are placed at ``log10(rate + 1)``; the ``n_labels`` terms farthest from the
    diagonal on each side, plus the most frequent overall, are labelled.
    """
    plt = _plt()
    wide = freq.pivot_table(index="term", columns=by, values="per_10k", fill_value=0.0)
    if x_group not in wide.columns or y_group not in wide.columns:
        raise ValueError(f"groups {x_group!r}/{y_group!r} not in {list(wide.columns)}")
    d = pd.DataFrame({"term": wide.index, "x": wide[x_group].to_numpy(), "y": wide[y_group].to_numpy()})
    d["lx"], d["ly"] = np.log10(d["x"] + 1), np.log10(d["y"] + 1)
    d["diff"] = d["ly"] - d["lx"]
    d = d.sort_values(["diff", "term"], kind="mergesort").reset_index(drop=True)
    lab = set(d.head(n_labels)["term"]) | set(d.tail(n_labels)["term"]) | \
        set(d.assign(s=d["x"] + d["y"]).sort_values(["s", "term"], ascending=[False, True]).head(6)["term"])
    d["labelled"] = d["term"].isin(lab)
    fig, ax = plt.subplots(figsize=(7.5, 7))
    ax.scatter(d["lx"], d["ly"], s=8, color="#999999", alpha=0.6, lw=0)
    ax.scatter(d.loc[d.labelled, "lx"], d.loc[d.labelled, "ly"], s=14, color=OKABE_ITO[5])
    top = max(d["lx"].max(), d["ly"].max()) * 1.05
    ax.plot([0, top], [0, top], color="black", lw=0.7, ls="--")
    # terms at identical coordinates share one label
    texts = []
    for (lx, ly), grp in d[d.labelled].groupby(["lx", "ly"], sort=True):
        terms = list(grp["term"])
        texts.append((lx, ly, "、".join(terms[:4]) + ("…" if len(terms) > 4 else "")))
    _place_labels(ax, texts, obstacles=list(zip(d.loc[d.labelled, "lx"], d.loc[d.labelled, "ly"])))
    ticks = [0, 10, 30, 100, 300]
    ax.set_xticks(np.log10(np.array(ticks) + 1), ticks)
    ax.set_yticks(np.log10(np.array(ticks) + 1), ticks)
    ax.set_xlabel(f"{x_group}: per 10,000 tokens")
    ax.set_ylabel(f"{y_group}: per 10,000 tokens")
    ax.set_title(f"Term rates, {x_group} vs {y_group} (log scale; labelled: farthest from the diagonal)",
                 fontsize=10)
    ax.set_xlim(-0.05, top)
    ax.set_ylim(-0.05, top)
    fig.tight_layout()
    return fig, d[["term", "x", "y", "diff", "labelled"]].rename(columns={"x": f"per_10k_{x_group}",
                                                                          "y": f"per_10k_{y_group}"})


def _place_labels(ax, points, fontsize=8, obstacles=()):
    """Greedy label placement: try offsets around each point; a label may not overlap
    another label or a marker in ``obstacles`` (data coordinates).  A label that
    fits nowhere is placed at its last offset with a leader line."""
    from matplotlib.transforms import Bbox

    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    placed = []
    for x, y in obstacles:
        px, py = ax.transData.transform((x, y))
        placed.append(Bbox.from_extents(px - 5, py - 5, px + 5, py + 5))
    offsets = [(5, 5), (5, -12), (-5, 5), (-5, -12), (8, -4), (-8, -4), (0, 10), (0, -18),
               (12, 14), (-12, -20), (14, -24), (-14, 16), (0, 24), (0, -30), (20, 0), (-20, 0)]
    for x, y, text in sorted(points, key=lambda p: (-p[1], p[0], p[2])):
        for dx, dy in offsets:
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                            ha="left" if dx >= 0 else "right", va="bottom")
            bb = t.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(bb.overlaps(o) for o in placed) and ax.get_window_extent(renderer).contains(bb.x0, bb.y0):
                placed.append(bb)
                break
            t.remove()
        else:
            t = ax.annotate(text, (x, y), xytext=offsets[-1], textcoords="offset points", fontsize=fontsize,
                            ha="right", va="bottom", arrowprops=dict(arrowstyle="-", lw=0.5, color="#666666"))
            placed.append(t.get_window_extent(renderer))


def word_cloud(frequencies: dict, *, max_font_size: int = 120, width: int = 800, height: int = 500,
               seed: int = 0, colormap: str = "viridis"):
    """Render a word cloud image (numpy array) from our own term frequencies.

    Uses the Simplified Chinese single-face font from :func:`analysis.cjk_font_path`
    (a ``.ttc`` would give face 0, Japanese forms) and a fixed ``random_state``.
    ``relative_scaling=1`` makes font size proportional to frequency.
    """
    from wordcloud import WordCloud

    wc = WordCloud(font_path=str(cjk_font_path()), width=width, height=height, background_color="white",
                   random_state=seed, max_font_size=max_font_size, min_font_size=6,
                   relative_scaling=1.0, colormap=colormap, prefer_horizontal=1.0,
                   collocations=False)
    wc.generate_from_frequencies(frequencies)
    return wc.to_array()


def plot_word_clouds(freq: pd.DataFrame, by: str, n: int = 60, value: str = "per_10k",
                     base_font_size: int = 110, seed: int = 0):
    """One word cloud per group on a shared scale.

    The largest font in each cloud is ``base_font_size × (group's top rate / overall
    top rate)``, and sizes within a cloud are proportional to the rate, so the same
    size means the same rate in every panel (approximately: a word that does not fit
    is shrunk by wordcloud).
    """
    plt = _plt()
    data = (freq.sort_values([by, value, "term"], ascending=[True, False, True], kind="mergesort")
            .groupby(by, sort=True).head(n).reset_index(drop=True))
    groups = list(dict.fromkeys(data[by]))
    top = data[value].max()
    fig, axes = plt.subplots(1, len(groups), figsize=(6 * len(groups), 4.4), squeeze=False)
    for ax, g in zip(axes[0], groups):
        d = data[data[by] == g]
        size = max(12, int(round(base_font_size * d[value].max() / top)))
        ax.imshow(word_cloud(dict(zip(d["term"], d[value])), max_font_size=size, seed=seed),
                  interpolation="bilinear")
        ax.set_title(f"{g} (top {len(d)} terms; largest = {d[value].max():.0f} per 10k)")
        ax.axis("off")
    fig.tight_layout()
    return fig, data


def plot_theme_heatmap(tf: pd.DataFrame, by: str, n_tokens: pd.Series | None = None,
                       title: str = "Theme rates per 10,000 tokens"):
    """Group × theme heatmap of ``per_10k`` (annotated), token counts beside the rows."""
    plt = _plt()
    wide = tf.pivot_table(index=by, columns="theme", values="per_10k", sort=False)
    wide = wide[list(dict.fromkeys(tf["theme"]))]
    counts = tf.drop_duplicates(by).set_index(by)["n_tokens"].reindex(wide.index)
    fig, ax = plt.subplots(figsize=(1.0 * wide.shape[1] + 3, 0.42 * wide.shape[0] + 1.8))
    im = ax.imshow(wide.to_numpy(), cmap="viridis", aspect="auto")
    vmax = np.nanmax(wide.to_numpy())
    for i in range(wide.shape[0]):
        for j in range(wide.shape[1]):
            v = wide.iat[i, j]
            ax.text(j, i, f"{v:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if v < 0.6 * vmax else "black")
    ax.set_xticks(range(wide.shape[1]), [c.replace("_", " ") for c in wide.columns], rotation=35, ha="right")
    ax.set_yticks(range(wide.shape[0]), [f"{g}  (n={int(n)} tokens)" for g, n in counts.items()])
    ax.spines[:].set_visible(False)
    fig.colorbar(im, ax=ax, label="per 10,000 tokens", shrink=0.8)
    ax.set_title(title)
    fig.tight_layout()
    return fig, tf.reset_index(drop=True)


def plot_tfidf_small_multiples(tfidf: pd.DataFrame, by: str, n: int = 6, ncols: int = 4):
    """Small multiples: each group's top-``n`` TF-IDF terms."""
    plt = _plt()
    data = tfidf[tfidf["rank"] <= n].reset_index(drop=True)
    groups = list(dict.fromkeys(data[by]))
    nrows = int(np.ceil(len(groups) / ncols))
    panel_height = 0.25 * n + 0.55  # room for n labels per panel
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.0 * ncols, panel_height * nrows + 0.6), squeeze=False,
                             sharex=True)
    for ax, g in zip(axes.flat, groups):
        d = data[data[by] == g].sort_values("rank", ascending=False)
        ax.barh(d["term"], d["tfidf"], color=OKABE_ITO[4])
        ax.set_title(str(g), fontsize=10)
        ax.tick_params(axis="y", labelsize=8.5)
    for ax in list(axes.flat)[len(groups):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("TF-IDF")
    fig.suptitle(f"Distinctive terms per {by} (top {n} TF-IDF)")
    fig.tight_layout()
    return fig, data


def plot_similarity(sim: pd.DataFrame, title: str = "TF-IDF cosine similarity"):
    """Heatmap of a similarity matrix, rows/columns ordered by average-linkage clustering."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    plt = _plt()
    dist = 1 - sim.to_numpy()
    np.fill_diagonal(dist, 0)
    dist = (dist + dist.T) / 2
    order = leaves_list(linkage(squareform(np.clip(dist, 0, None), checks=False), method="average"))
    s = sim.iloc[order, order]
    fig, ax = plt.subplots(figsize=(0.55 * len(s) + 2.5, 0.5 * len(s) + 1.5))
    im = ax.imshow(s.to_numpy(), cmap="cividis", vmin=0, vmax=1)
    for i in range(len(s)):
        for j in range(len(s)):
            v = round(float(s.iat[i, j]), 2)
            ax.text(j, i, "1" if v >= 1 else f"{v:.2f}"[1:], ha="center", va="center", fontsize=7,
                    color="white" if v < 0.55 else "black")
    ax.set_xticks(range(len(s)), s.columns, rotation=60, ha="right")
    ax.set_yticks(range(len(s)), s.index)
    ax.spines[:].set_visible(False)
    fig.colorbar(im, ax=ax, shrink=0.8, label="cosine similarity")
    ax.set_title(title + " (ordered by clustering)")
    fig.tight_layout()
    data = s.reset_index().rename(columns={"index": "group"})
    return fig, data


def plot_reuse(reuse: pd.DataFrame, label: str = "unit_id", title: str = "Verbatim reuse"):
    """Bars of ``reuse_share`` (percent of characters) per unit."""
    plt = _plt()
    d = reuse.sort_values(["reuse_share", label], kind="mergesort").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(d) + 1.3))
    ax.barh(d[label], 100 * d["reuse_share"], color=OKABE_ITO[2])
    for i, r in enumerate(d.itertuples()):
        ax.text(100 * r.reuse_share + 0.5, i, f"{100 * r.reuse_share:.0f}% of {r.n_chars}", va="center", fontsize=7.5)
    ax.set_xlabel("% of the unit's characters in shared verbatim passages")
    ax.set_xlim(0, max(5, 100 * d["reuse_share"].max() * 1.25))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig, d


def plot_theme_bars(tf_terms: pd.DataFrame, by: str, theme: str, *, tight: bool = True, fig=None):
    """Horizontal stacked bars: one theme's per-10k rate per group, split by term.

    ``tight=False`` uses fixed margins instead of ``tight_layout``, and ``fig`` reuses an
    existing figure (cleared first): both make redraws faster in the interactive explorer."""
    plt = _plt()
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
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    # one PolyCollection per term (not one patch per bar): far fewer artists to draw
    left = np.zeros(len(wide))
    y = np.arange(len(wide))
    handles = []
    for i, term in enumerate(wide.columns):
        vals = np.nan_to_num(wide[term].to_numpy())
        boxes = [[(x0, yy - 0.4), (x0 + v, yy - 0.4), (x0 + v, yy + 0.4), (x0, yy + 0.4)]
                 for x0, v, yy in zip(left, vals, y)]
        style = dict(facecolor=OKABE_ITO[i % len(OKABE_ITO)], edgecolor="white", linewidth=0.4,
                     hatch="//" if i >= len(OKABE_ITO) else None)
        ax.add_collection(PolyCollection(boxes, **style))
        handles.append(Patch(label=term, **style))
        left += vals
    ax.set_xlim(0, max(left.max(), 1e-9) * 1.05)
    ax.set_ylim(-0.6, len(wide) - 0.4)
    ax.set_yticks(y, [str(v) for v in wide.index])
    ax.set_xlabel("per 10,000 tokens")
    ax.set_title(f"Theme '{theme}' by {by}")
    ax.legend(handles=handles, bbox_to_anchor=(1.01, 1), loc="upper left",
              ncol=1 if len(wide.columns) < 12 else 2)
    if tight:
        fig.tight_layout()
    else:
        fig.subplots_adjust(left=0.16, right=0.76, bottom=1.0 / fig.get_figheight(),
                            top=1 - 0.45 / fig.get_figheight())
    return fig, d.reset_index(drop=True)


def plot_term_series(series: pd.DataFrame, units: pd.DataFrame | None = None, *, shade=(), ncols: int = 3,
                     value: str = "per_10k", title: str = "Term rates per month"):
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
    """
    plt = _plt()
    terms = list(dict.fromkeys(series["term"]))
    periods = list(dict.fromkeys(series["period"]))
    import matplotlib.dates as mdates

    def num(period):  # matplotlib date number of a period's start (numbers, so shared axes agree)
        return mdates.date2num(pd.Period(period).to_timestamp())

    x = np.array([num(p) for p in periods])
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
        ax.set_title(term, fontsize=11, loc="left")
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
    return fig, data.reset_index(drop=True)


def plot_keyness_agreement(merged: pd.DataFrame, x: str, y: str, *, label: str = "term", n_labels: int = 12,
                           x_label: str = "", y_label: str = "", title: str = ""):
    """Scatter of one keyness statistic in two comparisons (one dot per shared term),
    the ``n_labels`` terms farthest from the origin (each axis scaled by its largest |value|) labelled."""
    plt = _plt()
    d = merged[[label, x, y]].copy()
    d["labelled"] = False
    scale = (d[x].abs() / (d[x].abs().max() or 1)) + (d[y].abs() / (d[y].abs().max() or 1))
    d.loc[scale.nlargest(n_labels).index, "labelled"] = True
    fig, ax = plt.subplots(figsize=(7, 6.5))
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="black", lw=0.6)
    ax.scatter(d[x], d[y], s=9, color="#999999", alpha=0.6, lw=0)
    lab = d[d.labelled]
    ax.scatter(lab[x], lab[y], s=14, color=OKABE_ITO[5])
    _place_labels(ax, list(zip(lab[x], lab[y], lab[label])), obstacles=list(zip(lab[x], lab[y])))
    ax.set_xlabel(x_label or x)
    ax.set_ylabel(y_label or y)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig, d.reset_index(drop=True)
