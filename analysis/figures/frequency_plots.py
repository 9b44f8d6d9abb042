"""Figure builders for frequencies: unit lengths, top terms, frequency scatter, word clouds, TF-IDF small multiples.

Each returns ``(fig, data)`` (see :mod:`analysis.figures.labels` for the conventions).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from analysis.figures.style import cjk_font_path
from analysis.figures.labels import (_place_labels, NEUTRAL, period_colours, _labeller, _finish, _plt, _tie_cut, _group_colours)


def plot_unit_lengths(corpus: pd.DataFrame, labels: str = "zh"):
    """Horizontal bars: characters per unit, labelled by place/level, coloured by period."""
    plt = _plt()
    lab = _labeller(labels)
    d = corpus.assign(label=corpus["unit_id"]).sort_values(["period", "level", "n_chars"],
                                                            ascending=[True, True, True])
    data = d[["unit_id", "period", "level", "province", "n_chars"]].reset_index(drop=True)
    colours = period_colours(sorted(d["period"].unique()))
    fig, ax = plt.subplots(figsize=(7.5, 0.24 * len(d) + 1.2))
    y = np.arange(len(d))
    ax.barh(y, d["n_chars"], color=[colours[p] for p in d["period"]])
    provinces = lab([r.province or "—" for r in d.itertuples()])
    ylabels = [f"{p} · {r.level} · {r.unit_id}" for p, r in zip(provinces, d.itertuples())]
    ax.set_yticks(y, ylabels, fontsize=7.5)
    ax.set_xlabel("characters of cleaned text")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=c, label=p) for p, c in colours.items()], title="period",
              loc="lower right")
    ax.set_title("Corpus units by length")
    fig.tight_layout()
    return fig, _finish(data, lab)


def plot_top_terms(freq: pd.DataFrame, by: str, n: int = 15, value: str = "per_10k",
                   title: str = "Most frequent terms", labels: str = "zh"):
    """One panel per group: its ``n`` top terms by ``value`` (e.g. per 10k tokens).

    Panels share the x scale (bars are comparable across panels); each bar is annotated
    with its count; ties at the cut-off are kept whole (or noted) and tied ranks are
    marked ``"6="``."""
    from analysis.measures.inference import format_rank

    plt = _plt()
    lab = _labeller(labels)
    groups = list(dict.fromkeys(sorted(freq[by])))
    parts, notes = [], {}
    for g in groups:
        d = freq[freq[by] == g].sort_values([value, "term"], ascending=[False, True], kind="mergesort")
        cut, note = _tie_cut(d, value, n)
        parts.append(cut)
        notes[g] = note
    data = pd.concat(parts).reset_index(drop=True)
    data["rank_label"] = [r for g in groups for r in format_rank(data.loc[data[by] == g, "rank"])]
    colours = _group_colours(by, groups)
    rows = max(len(p) for p in parts)
    fig, axes = plt.subplots(1, len(groups), figsize=(3.6 * len(groups) + 0.8, 0.28 * rows + 1.4),
                             squeeze=False, sharex=True)
    xmax = data[value].max() * 1.25
    for ax, g in zip(axes[0], groups):
        d = data[data[by] == g].iloc[::-1]
        y = np.arange(len(d))
        ax.barh(y, d[value], color=colours[g])
        ax.set_yticks(y, [f"{r}  {t}" for r, t in zip(d["rank_label"], lab(d["term"]))])
        if "count" in d:
            for yy, v, c in zip(y, d[value], d["count"]):
                ax.text(v, yy, f" {int(c)}", va="center", fontsize=7)
        ax.set_title(str(g) + (f"\n({notes[g]})" if notes[g] else ""), fontsize=10)
        ax.set_xlim(0, xmax)
        ax.set_xlabel(value.replace("_", " ").replace("per 10k", "per 10,000 tokens"))
    fig.suptitle(title + " (numbers: occurrences; = marks tied ranks)" if "count" in data else title)
    fig.tight_layout()
    return fig, _finish(data, lab)


def plot_frequency_scatter(freq: pd.DataFrame, by: str, x_group, y_group, n_labels: int = 12,
                           labels: str = "zh"):
    """Per-10k rates of every term in two groups (log–log), outliers labelled.

    Terms are placed at ``log10(rate + 1)``.  The mass of terms is drawn as a hexagonal
    density (counts of terms per cell), so overplotting cannot hide it; the ``n_labels``
    terms farthest from the diagonal on each side, plus the most frequent overall, are
    drawn as points coloured by the period they lean to and labelled in full (terms at
    identical coordinates share one label listing every term).
    """
    plt = _plt()
    lab = _labeller(labels)
    wide = freq.pivot_table(index="term", columns=by, values="per_10k", fill_value=0.0)
    if x_group not in wide.columns or y_group not in wide.columns:
        raise ValueError(f"groups {x_group!r}/{y_group!r} not in {list(wide.columns)}")
    d = pd.DataFrame({"term": wide.index, "x": wide[x_group].to_numpy(), "y": wide[y_group].to_numpy()})
    d["lx"], d["ly"] = np.log10(d["x"] + 1), np.log10(d["y"] + 1)
    d["diff"] = d["ly"] - d["lx"]
    d = d.sort_values(["diff", "term"], kind="mergesort").reset_index(drop=True)
    lab_set = set(d.head(n_labels)["term"]) | set(d.tail(n_labels)["term"]) | \
        set(d.assign(s=d["x"] + d["y"]).sort_values(["s", "term"], ascending=[False, True]).head(6)["term"])
    d["labelled"] = d["term"].isin(lab_set)
    colours = _group_colours(by, [x_group, y_group])
    fig, ax = plt.subplots(figsize=(8, 7.5))
    top = max(d["lx"].max(), d["ly"].max()) * 1.05
    hb = ax.hexbin(d["lx"], d["ly"], gridsize=28, extent=(0, top, 0, top), bins="log", mincnt=1,
                   cmap="Greys", linewidths=0.2)
    fig.colorbar(hb, ax=ax, shrink=0.6, label="terms per cell (log)")
    side = np.where(d["diff"] > 0, y_group, x_group)
    pts = d[d.labelled]
    ax.scatter(pts["lx"], pts["ly"], s=16, c=[colours[g] for g in side[d.labelled.to_numpy()]], zorder=3)
    ax.plot([0, top], [0, top], color="black", lw=0.7, ls="--")
    texts = []
    for (lx, ly), grp in d[d.labelled].groupby(["lx", "ly"], sort=True):
        names = lab(list(grp["term"]))
        lines = ["、".join(names[i:i + 4]) for i in range(0, len(names), 4)]
        texts.append((lx, ly, "\n".join(lines)))
    ticks = [0, 10, 30, 100, 300]
    ax.set_xticks(np.log10(np.array(ticks) + 1), ticks)
    ax.set_yticks(np.log10(np.array(ticks) + 1), ticks)
    ax.set_xlabel(f"{x_group}: per 10,000 tokens")
    ax.set_ylabel(f"{y_group}: per 10,000 tokens")
    ax.set_title(f"Term rates, {x_group} vs {y_group} (log scale; grey = density of all terms;\n"
                 f"labelled: farthest from the diagonal, coloured by the period they lean to)", fontsize=10)
    ax.set_xlim(-0.05, top)
    ax.set_ylim(-0.05, top)
    fig.tight_layout()
    # labels last: their offsets are in points, so the axes must have their final size and limits
    _place_labels(ax, texts, obstacles=list(zip(pts["lx"], pts["ly"])))
    data = d[["term", "x", "y", "diff", "labelled"]].rename(columns={"x": f"per_10k_{x_group}",
                                                                     "y": f"per_10k_{y_group}"})
    return fig, _finish(data, lab)




def word_cloud(frequencies: dict, *, max_font_size: int = 120, width: int = 800, height: int = 500,
               seed: int = 0, colormap: str = "viridis", colour: str | None = None):
    """Render a word cloud image (numpy array) from our own term frequencies.

    Uses the Simplified Chinese single-face font from :func:`analysis.cjk_font_path`
    (a ``.ttc`` would give face 0, Japanese forms) and a fixed ``random_state``.
    ``relative_scaling=1`` makes font size proportional to frequency.
    """
    from wordcloud import WordCloud

    return _word_cloud(frequencies, max_font_size=max_font_size, width=width, height=height, seed=seed,
                       colormap=colormap, colour=colour).to_array()


def _word_cloud(frequencies: dict, *, max_font_size: int, width: int, height: int, seed: int,
                colormap: str = "viridis", colour: str | None = None, min_font_size: int = 6):
    """The fitted ``WordCloud`` (its ``layout_`` lists the words drawn and their sizes)."""
    from wordcloud import WordCloud

    wc = WordCloud(font_path=str(cjk_font_path()), width=width, height=height, background_color="white",
                   random_state=seed, max_font_size=max_font_size, min_font_size=min_font_size,
                   relative_scaling=1.0, colormap=colormap, prefer_horizontal=1.0,
                   collocations=False, color_func=(lambda *a, **k: colour) if colour else None)
    wc.generate_from_frequencies(frequencies)
    return wc


def plot_word_clouds(freq: pd.DataFrame, by: str, n: int = 60, value: str = "per_10k",
                     base_font_size: int = 180, seed: int = 0, labels: str = "zh",
                     min_print_pt: float = 6.5):
    """One word cloud per group on a shared scale, each in its group's (period) colour.

    The largest font in each cloud is ``base_font_size × (group's top rate / overall
    top rate)``, and sizes within a cloud are proportional to the rate, so the same
    size means the same rate in every panel (approximately: a word that does not fit
    is shrunk by wordcloud).  No word is drawn smaller than ``min_print_pt`` points when
    the figure prints at full page width (7 in); words that would need a smaller font
    are left out, and each panel's title says how many of the top ``n`` are shown.
    """
    plt = _plt()
    lab = _labeller(labels)
    data = (freq.sort_values([by, value, "term"], ascending=[True, False, True], kind="mergesort")
            .groupby(by, sort=True).head(n).reset_index(drop=True))
    groups = list(dict.fromkeys(data[by]))
    colours = _group_colours(by, groups)
    top = data[value].max()
    from analysis.figures.printcheck import WIDTHS, declare_print_width, declare_raster_text

    # each panel prints at most (page width / panels) wide, less 10% for titles and margins:
    # with three panels on a 7 in page an 800 x 500 image is 2.1 in wide and 1.31 in = 95 pt
    # tall, so a 6.5 pt word needs a font of 6.5 / 95 x 500 = 35 px; words that do not fit
    # at that size are left out and each panel's title says how many are shown
    w_px, h_px = 800, 500
    panel_in = 0.9 * WIDTHS["double"] / len(groups)
    min_px = int(np.ceil(min_print_pt / (panel_in * h_px / w_px * 72) * h_px))
    fig, axes = plt.subplots(1, len(groups), figsize=(2.3 * len(groups), 2.2), squeeze=False)
    declare_print_width(fig, "double")
    for ax, g in zip(axes[0], groups):
        d = data[data[by] == g]
        size = max(min_px + 4, int(round(base_font_size * d[value].max() / top)))
        wc = _word_cloud(dict(zip(lab(d["term"]), d[value])), max_font_size=size, seed=seed,
                         colour=colours[g], width=w_px, height=h_px, min_font_size=min_px)
        ax.imshow(wc.to_array(), interpolation="bilinear")
        declare_raster_text(ax, min(s for (_, s, *_rest) in wc.layout_) if wc.layout_ else min_px, h_px)
        ax.set_title(f"{g}: {len(wc.layout_)} of the top {len(d)} terms\n(largest = {d[value].max():.0f} per 10k)",
                     fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    return fig, _finish(data, lab)


def plot_tfidf_small_multiples(tfidf: pd.DataFrame, by: str, n: int = 6, ncols: int = 4,
                               labels: str = "zh", max_extra: int = 3):
    """Small multiples: each group's top-``n`` TF-IDF terms, ties shown as ties.

    Pass more than ``n`` terms per group (e.g. ``top_tfidf_terms(..., n=n + 40)``) so the
    cut-off can see ties: a tie group crossing rank ``n`` is kept whole if it adds at most
    ``max_extra`` bars, otherwise left out and noted in the panel title ("32 terms tied at
    rank 6 not shown").  Tied ranks are labelled ``"6="``; all panels share the x scale."""
    from analysis.measures.inference import format_rank

    plt = _plt()
    lab = _labeller(labels)
    groups = list(dict.fromkeys(tfidf[by]))
    parts, notes = [], {}
    for g in groups:
        d = tfidf[tfidf[by] == g].sort_values(["tfidf", "term"], ascending=[False, True], kind="mergesort")
        cut, note = _tie_cut(d.drop(columns="rank", errors="ignore"), "tfidf", n, max_extra)
        parts.append(cut.assign(rank_label=format_rank(cut["rank"])))
        notes[g] = note
    data = pd.concat(parts).reset_index(drop=True)
    nrows = int(np.ceil(len(groups) / ncols))
    most = max(len(p) for p in parts)
    colours = _group_colours(by, groups) if by == "period" else {g: NEUTRAL[0] for g in groups}
    panel_height = 0.2 * most + 0.85
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.95 * ncols + 0.3, panel_height * nrows + 0.6), squeeze=False,
                             sharex=True)
    from matplotlib.ticker import MaxNLocator
    for ax, g in zip(axes.flat, groups):
        d = data[data[by] == g].iloc[::-1]
        y = np.arange(len(d))
        ax.barh(y, d["tfidf"], color=colours[g])
        ax.set_ylim(len(d) - most - 0.5, len(d) - 0.5)  # same bar thickness in every panel
        ax.set_yticks(y, [f"{r} {t}" for r, t in zip(d["rank_label"], lab(d["term"]))])
        name = lab([g])[0]
        ax.set_title(name + (f"\n({notes[g]})" if notes[g] else ""), fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
        ax.tick_params(axis="x", labelbottom=True, labelsize=8)  # every panel shows the (shared) scale
        ax.xaxis.set_major_locator(MaxNLocator(3))
    for ax in list(axes.flat)[len(groups):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("TF-IDF")
    fig.suptitle(f"Distinctive terms per {by} (top {n} TF-IDF; = marks tied ranks)")
    fig.tight_layout()
    return fig, _finish(data, lab)
