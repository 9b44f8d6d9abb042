"""Figure builders used by the notebooks.

Each function takes a tidy table from :mod:`analysis.frequency`,
:mod:`analysis.keyness`, :mod:`analysis.keywords` or :mod:`analysis.context` and returns
``(fig, data)``: the matplotlib figure and the exact numbers it plots (what
:func:`analysis.save_figure` writes as CSV).  Call :func:`analysis.use_style` first.

Conventions shared by every builder, so figures can sit side by side in a paper:

* one colour per period everywhere (:data:`PERIOD_COLOURS`, :func:`period_colours`);
* ``labels="zh" | "zh+en" | "en"``: Chinese terms and place names as they are, with an
  English gloss from ``data/glossary.yml``, or in English only (pinyin from
  ``pypinyin`` where no gloss exists).  Terms without a gloss are never left blank:
  they are listed in ``data.attrs["missing_glosses"]`` and a warning is issued;
* ties are shown as ties (``"6="``), and a cut-off never splits a tie by code-point order
  without saying so.
"""
from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .figures import OKABE_ITO, cjk_font_path

__all__ = ["plot_unit_lengths", "plot_top_terms", "plot_keyness", "plot_frequency_scatter",
           "plot_word_clouds", "plot_theme_heatmap", "plot_tfidf_small_multiples",
           "plot_similarity", "plot_reuse", "plot_theme_bars", "word_cloud", "PERIOD_COLOURS",
           "period_colours", "load_glossary", "term_labels", "LABEL_MODES", "plot_robustness",
           "plot_similarity_length", "plot_term_series", "plot_keyness_agreement"]

#: The colour of each period in every figure (Okabe & Ito): 2021 blue, 2022 vermillion.
#: Periods not listed get the remaining palette colours in sorted order (:func:`period_colours`).
PERIOD_COLOURS = {"2021-08": OKABE_ITO[4], "2022-11": OKABE_ITO[5]}
#: Colours for anything that is not a period (so no figure suggests a period where there is none).
NEUTRAL = [OKABE_ITO[2], OKABE_ITO[6], "#7f7f7f"]
#: Palette for categories other than periods: Okabe-Ito without the period colours.
_SPARE = [c for c in OKABE_ITO if c not in PERIOD_COLOURS.values()]
#: Label modes accepted by every builder.
LABEL_MODES = ("zh", "zh+en", "en")


def period_colours(periods) -> dict:
    """Colour of each period label: :data:`PERIOD_COLOURS`, then unused palette colours
    assigned to unknown labels in sorted order (deterministic)."""
    out = {p: PERIOD_COLOURS[p] for p in periods if p in PERIOD_COLOURS}
    spare = _SPARE
    for i, p in enumerate(sorted({str(p) for p in periods} - set(out))):
        out[p] = spare[i % len(spare)]
    return out


def _glossary_path() -> Path:
    from .corpus import default_data_dir
    return default_data_dir() / "glossary.yml"


@lru_cache(maxsize=8)
def _read_glossary(path: str, mtime: float) -> tuple:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected `term: gloss` lines")
    bad = [k for k, v in data.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ValueError(f"{path}: empty or non-text gloss for {bad[:5]}; write `term: gloss`")
    return tuple((str(k), v.strip()) for k, v in data.items())


def load_glossary(path=None) -> dict:
    """``data/glossary.yml`` as a dict term → English gloss."""
    path = Path(path) if path else _glossary_path()
    if not path.is_file():
        return {}
    return dict(_read_glossary(str(path), path.stat().st_mtime))


def _pinyin(term: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(term, style=Style.TONE))


def term_labels(terms, labels: str = "zh", glossary: dict | None = None) -> tuple[list[str], list[str]]:
    """Display labels for Chinese terms.

    Parameters
    ----------
    terms : iterable of str
    labels : {"zh", "zh+en", "en"}
        ``"zh"``: the term; ``"zh+en"``: ``"term gloss"``; ``"en"``: ``"gloss"``.  A term
        without a gloss shows its pinyin in brackets instead (``"term [pinyin]"``,
        ``"[pinyin]"``), never a blank.
    glossary : dict, optional
        Default: :func:`load_glossary`.

    Returns
    -------
    labels : list of str
    missing : list of str
        Terms (with Han characters) that have no gloss, sorted, once each.
    """
    if labels not in LABEL_MODES:
        raise ValueError(f"labels must be one of {LABEL_MODES}, not {labels!r}")
    terms = [str(t) for t in terms]
    if labels == "zh":
        return terms, []
    glossary = load_glossary() if glossary is None else glossary
    out, missing = [], set()
    for t in terms:
        has_han = any("\u3400" <= ch <= "\u9fff" for ch in t)
        gloss = glossary.get(t)
        if gloss is None and has_han:
            missing.add(t)
            gloss = f"[{_pinyin(t)}]"
        elif gloss is None:
            gloss = t
        out.append(gloss if labels == "en" else (t if not has_han else f"{t} {gloss}"))
    return out, sorted(missing)


def _labeller(labels: str):
    """A function term -> label that records missing glosses."""
    if labels not in LABEL_MODES:
        raise ValueError(f"labels must be one of {LABEL_MODES}, not {labels!r}")
    glossary = load_glossary() if labels != "zh" else {}
    missing: set = set()

    def f(values):
        got, miss = term_labels(values, labels, glossary)
        missing.update(miss)
        return got

    f.missing = missing
    return f


def _finish(data: pd.DataFrame, lab) -> pd.DataFrame:
    missing = sorted(lab.missing)
    data.attrs["missing_glosses"] = missing
    if missing:
        warnings.warn(f"{len(missing)} term(s) have no English gloss in data/glossary.yml (shown in "
                      f"pinyin): {'、'.join(missing)}", stacklevel=3)
    return data


def _plt():
    import matplotlib.pyplot as plt
    return plt


def _tie_cut(d: pd.DataFrame, value: str, n: int, max_extra: int = 3) -> tuple[pd.DataFrame, str]:
    """The top ``n`` rows of ``d`` (already sorted by ``value`` descending) without
    splitting a tie silently: a tie group crossing the cut is kept whole if it adds at most
    ``max_extra`` rows, otherwise dropped and described in the returned note."""
    from .inference import tie_ranks

    d = d.copy()
    d["rank"] = tie_ranks(d[value].to_numpy(), decimals=10) if len(d) else []
    inside = d[d["rank"] <= n]
    if len(inside) <= n + max_extra:
        return inside, ""
    boundary = inside["rank"].max()
    kept = inside[inside["rank"] < boundary]
    k = int((inside["rank"] == boundary).sum())
    return kept, f"{k} terms tied at rank {boundary} not shown"


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


def _group_colours(by: str, groups) -> dict:
    if by == "period":
        return period_colours(groups)
    return {g: _SPARE[i % len(_SPARE)] for i, g in enumerate(groups)}


def plot_top_terms(freq: pd.DataFrame, by: str, n: int = 15, value: str = "per_10k",
                   title: str = "Most frequent terms", labels: str = "zh"):
    """One panel per group: its ``n`` top terms by ``value`` (e.g. per 10k tokens).

    Panels share the x scale (bars are comparable across panels); each bar is annotated
    with its count; ties at the cut-off are kept whole (or noted) and tied ranks are
    marked ``"6="``."""
    from .inference import format_rank

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


def plot_keyness(kt: pd.DataFrame, n: int = 15, min_g2: float = 3.84,
                 target_label: str = "target", reference_label: str = "reference",
                 labels: str = "zh", target_colour: str | None = None,
                 reference_colour: str | None = None):
    """Diverging Log Ratio bars with bootstrap intervals for the most key terms.

    Terms with ``|G²| >= min_g2`` (3.84: p < 0.05 uncorrected) are eligible; the ``n``
    highest and ``n`` lowest G² are shown (ties at the cut-off kept whole or noted).
    Filled bars pass the Bonferroni threshold (``kt.attrs['bonferroni_g2']``); hatched
    ones do not.  A term absent on one side has no measurable ratio: it is drawn as an
    open bar ending in an arrow (the length is only the 0.5 pseudo-count bound) and
    labelled "absent in reference/target".  Every bar carries its counts ``a/b`` and the
    number of units containing the term on each side; the axis label gives the tokens of
    each side.  Colours: the period colours when the labels are periods.
    """
    plt = _plt()
    lab = _labeller(labels)
    pc = period_colours([target_label, reference_label])
    t_col = target_colour or (pc[target_label] if target_label in PERIOD_COLOURS else NEUTRAL[1])
    r_col = reference_colour or (pc[reference_label] if reference_label in PERIOD_COLOURS else NEUTRAL[0])
    eligible = kt[kt["g2"].abs() >= min_g2]
    pos = eligible[eligible["g2"] > 0].sort_values(["g2", "term"], ascending=[False, True], kind="mergesort")
    neg = eligible[eligible["g2"] < 0].assign(abs_g2=lambda d: -d["g2"]).sort_values(
        ["abs_g2", "term"], ascending=[False, True], kind="mergesort")
    pos, note_pos = _tie_cut(pos, "g2", n)
    neg, note_neg = _tie_cut(neg, "abs_g2", n)
    data = pd.concat([pos, neg.drop(columns="abs_g2")]).drop(columns="rank")
    data = data.sort_values(["log_ratio", "term"], kind="mergesort").reset_index(drop=True)
    if data.empty:
        raise ValueError(f"no term reaches |G2| >= {min_g2}; lower min_g2")
    if "absent_target" not in data:
        data["absent_target"] = data["count_target"] == 0
        data["absent_reference"] = data["count_reference"] == 0
    if "ci_mcse" in data:
        from .inference import interval_labels

        data["log_ratio_95"] = interval_labels(data)  # at the precision its Monte-Carlo error supports
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(data) + 1.9))
    y = np.arange(len(data))
    span = max(1.0, float(np.nanmax(np.abs(np.r_[data["log_ratio"], data.get("log_ratio_low", data["log_ratio"]),
                                                 data.get("log_ratio_high", data["log_ratio"])]))))
    for i, r in enumerate(data.itertuples(index=False)):
        colour = t_col if r.g2 > 0 else r_col
        absent = r.absent_target or r.absent_reference
        if absent:
            ax.barh(i, r.log_ratio, color="white", edgecolor=colour, lw=1.0, ls="--")
            ax.annotate("", xy=(r.log_ratio + np.sign(r.log_ratio) * 0.35, i), xytext=(r.log_ratio, i),
                        arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.0))
        else:
            bar = ax.barh(i, r.log_ratio, color=colour, alpha=0.85 if r.significant else 0.45)[0]
            if not r.significant:
                bar.set_hatch("///")
        if not absent and np.isfinite(getattr(r, "log_ratio_low", np.nan)):
            ax.errorbar(r.log_ratio, i, xerr=[[r.log_ratio - r.log_ratio_low], [r.log_ratio_high - r.log_ratio]],
                        fmt="none", ecolor="#333333", elinewidth=0.8, capsize=2)
        units = ""
        if "n_units_target" in data:
            units = f"; units {r.n_units_target}/{r.n_units_reference}"
        text = f"{r.count_target}/{r.count_reference}{units}"
        if absent:
            text += "; absent in " + ("reference" if r.absent_reference else "target")
        ax.text(-0.02 * span if r.log_ratio > 0 else 0.02 * span, i, text, va="center",
                ha="right" if r.log_ratio > 0 else "left", fontsize=6.5, color="#333333")
    ax.set_yticks(y, lab(data["term"]))
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-span * 1.35, span * 1.35)
    n_t, n_r = kt.attrs.get("n_target"), kt.attrs.get("n_reference")
    sizes = ""
    if n_t is not None:
        u_t, u_r = len(kt.attrs.get("units_target", [])), len(kt.attrs.get("units_reference", []))
        sizes = (f"\n{target_label}: {n_t:,} tokens" + (f", {u_t} unit{'s' if u_t > 1 else ''}" if u_t else "") +
                 f"; {reference_label}: {n_r:,} tokens" + (f", {u_r} unit{'s' if u_r > 1 else ''}" if u_r else ""))
    ax.set_xlabel(f"Log Ratio (log2 of relative frequency, {target_label} / {reference_label}){sizes}")
    bonf = kt.attrs.get("bonferroni_g2", float("nan"))
    res = kt.attrs.get("resampled") or {}
    boot = ("whiskers = 95% bootstrap (" + ", ".join(f"{k}: {v}" for k, v in res.items()) + ")") if res \
        else "whiskers = 95% bootstrap"
    notes = "; ".join(f"{side}: {x}" for side, x in ((target_label, note_pos), (reference_label, note_neg)) if x)
    ax.set_title(f"Key terms: {target_label} (right) vs {reference_label} (left)\n"
                 f"|G²| ≥ {min_g2:g}; solid = above Bonferroni |G²| {bonf:.1f}; open bar + arrow = absent on "
                 f"one side (length = 0.5 pseudo-count bound)\n{boot}; numbers: counts a/b"
                 + ("; units containing the term" if "n_units_target" in data else "")
                 + (f"\n{notes}" if notes else ""), fontsize=8.5)
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
    _place_labels(ax, texts, obstacles=list(zip(pts["lx"], pts["ly"])))
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
    data = d[["term", "x", "y", "diff", "labelled"]].rename(columns={"x": f"per_10k_{x_group}",
                                                                     "y": f"per_10k_{y_group}"})
    return fig, _finish(data, lab)


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
               seed: int = 0, colormap: str = "viridis", colour: str | None = None):
    """Render a word cloud image (numpy array) from our own term frequencies.

    Uses the Simplified Chinese single-face font from :func:`analysis.cjk_font_path`
    (a ``.ttc`` would give face 0, Japanese forms) and a fixed ``random_state``.
    ``relative_scaling=1`` makes font size proportional to frequency.
    """
    from wordcloud import WordCloud

    wc = WordCloud(font_path=str(cjk_font_path()), width=width, height=height, background_color="white",
                   random_state=seed, max_font_size=max_font_size, min_font_size=6,
                   relative_scaling=1.0, colormap=colormap, prefer_horizontal=1.0,
                   collocations=False, color_func=(lambda *a, **k: colour) if colour else None)
    wc.generate_from_frequencies(frequencies)
    return wc.to_array()


def plot_word_clouds(freq: pd.DataFrame, by: str, n: int = 60, value: str = "per_10k",
                     base_font_size: int = 110, seed: int = 0, labels: str = "zh"):
    """One word cloud per group on a shared scale, each in its group's (period) colour.

    The largest font in each cloud is ``base_font_size × (group's top rate / overall
    top rate)``, and sizes within a cloud are proportional to the rate, so the same
    size means the same rate in every panel (approximately: a word that does not fit
    is shrunk by wordcloud).
    """
    plt = _plt()
    lab = _labeller(labels)
    data = (freq.sort_values([by, value, "term"], ascending=[True, False, True], kind="mergesort")
            .groupby(by, sort=True).head(n).reset_index(drop=True))
    groups = list(dict.fromkeys(data[by]))
    colours = _group_colours(by, groups)
    top = data[value].max()
    fig, axes = plt.subplots(1, len(groups), figsize=(6 * len(groups), 4.4), squeeze=False)
    for ax, g in zip(axes[0], groups):
        d = data[data[by] == g]
        size = max(12, int(round(base_font_size * d[value].max() / top)))
        img = word_cloud(dict(zip(lab(d["term"]), d[value])), max_font_size=size, seed=seed,
                         colour=colours[g])
        ax.imshow(img, interpolation="bilinear")
        ax.set_title(f"{g} (top {len(d)} terms; largest = {d[value].max():.0f} per 10k)")
        ax.axis("off")
    fig.tight_layout()
    return fig, _finish(data, lab)


def plot_theme_heatmap(tf: pd.DataFrame, by: str, n_tokens: pd.Series | None = None,
                       title: str = "Theme rates per 10,000 tokens", labels: str = "zh"):
    """Group × theme heatmap of ``per_10k``; each cell shows the rate and ``hits / tokens``
    so a high rate from one hit in a short excerpt is visible as such."""
    plt = _plt()
    lab = _labeller(labels)
    wide = tf.pivot_table(index=by, columns="theme", values="per_10k", sort=False)
    wide = wide[list(dict.fromkeys(tf["theme"]))]
    hits = tf.pivot_table(index=by, columns="theme", values="count", sort=False).reindex(
        index=wide.index, columns=wide.columns)
    counts = tf.drop_duplicates(by).set_index(by)["n_tokens"].reindex(wide.index)
    fig, ax = plt.subplots(figsize=(1.25 * wide.shape[1] + 3.5, 0.55 * wide.shape[0] + 1.8))
    im = ax.imshow(wide.to_numpy(), cmap="viridis", aspect="auto")
    vmax = np.nanmax(wide.to_numpy())
    for i in range(wide.shape[0]):
        for j in range(wide.shape[1]):
            v = wide.iat[i, j]
            ax.text(j, i, f"{v:.0f}\n{int(hits.iat[i, j])}/{int(counts.iat[i])}", ha="center", va="center",
                    fontsize=6.5, linespacing=1.1, color="white" if v < 0.6 * vmax else "black")
    ax.set_xticks(range(wide.shape[1]), [c.replace("_", " ") for c in wide.columns], rotation=35, ha="right")
    ax.set_yticks(range(wide.shape[0]), [f"{g}  (n={int(n)} tokens)" for g, n in zip(lab(wide.index), counts)])
    ax.spines[:].set_visible(False)
    fig.colorbar(im, ax=ax, label="per 10,000 tokens", shrink=0.8)
    ax.set_title(title + "\ncells: rate per 10k, then hits / tokens", fontsize=10)
    fig.tight_layout()
    return fig, _finish(tf.reset_index(drop=True), lab)


def plot_tfidf_small_multiples(tfidf: pd.DataFrame, by: str, n: int = 6, ncols: int = 4,
                               labels: str = "zh", max_extra: int = 3):
    """Small multiples: each group's top-``n`` TF-IDF terms, ties shown as ties.

    Pass more than ``n`` terms per group (e.g. ``top_tfidf_terms(..., n=n + 40)``) so the
    cut-off can see ties: a tie group crossing rank ``n`` is kept whole if it adds at most
    ``max_extra`` bars, otherwise left out and noted in the panel title ("32 terms tied at
    rank 6 not shown").  Tied ranks are labelled ``"6="``; all panels share the x scale."""
    from .inference import format_rank

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
    panel_height = 0.25 * most + 0.75
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.3 * ncols, panel_height * nrows + 0.6), squeeze=False,
                             sharex=True)
    for ax, g in zip(axes.flat, groups):
        d = data[data[by] == g].iloc[::-1]
        y = np.arange(len(d))
        ax.barh(y, d["tfidf"], color=colours[g])
        ax.set_ylim(len(d) - most - 0.5, len(d) - 0.5)  # same bar thickness in every panel
        ax.set_yticks(y, [f"{r} {t}" for r, t in zip(d["rank_label"], lab(d["term"]))])
        name = lab([g])[0]
        ax.set_title(name + (f"\n({notes[g]})" if notes[g] else ""), fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
    for ax in list(axes.flat)[len(groups):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("TF-IDF")
    fig.suptitle(f"Distinctive terms per {by} (top {n} TF-IDF; = marks tied ranks)")
    fig.tight_layout()
    return fig, _finish(data, lab)


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
    fig = plt.figure(figsize=(0.6 * n + 4.2, 0.5 * n + 3.2))
    gs = fig.add_gridspec(2, 2, height_ratios=[1.1, 0.5 * n], width_ratios=[0.6 * n, 0.35], hspace=0.02,
                          wspace=0.04)
    ax_d = fig.add_subplot(gs[0, 0])
    ax = fig.add_subplot(gs[1, 0])
    cax = fig.add_subplot(gs[1, 1])
    dn = dendrogram(link, ax=ax_d, no_labels=True, color_threshold=0, above_threshold_color="#555555")
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
            ax.text(j, i, f"{v:.2f}"[1:] if v < 1 else "1", ha="center", va="center", fontsize=6.5,
                    color="white" if v < vmin + 0.55 * (vmax - vmin) else "black")
    names = lab(list(s.index))
    if sizes is not None:
        names = [f"{nm} ({int(sizes[g])})" for nm, g in zip(names, s.index)]
    ax.set_xticks(range(n), lab(list(s.columns)), rotation=60, ha="right")
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


def plot_robustness(agreement: pd.DataFrame, title: str = "Robustness across segmentations",
                    labels: str = "zh"):
    """Agreement of a comparison across segmentations (from :func:`analysis.robustness.robustness`).

    Keyness: grouped bars of the Spearman correlation of log-odds z and the top-k overlap
    on each side, against the baseline segmentation.  Clusters: the adjusted Rand index
    per segmentation, and beside it each group's cluster under every segmentation."""
    plt = _plt()
    lab = _labeller(labels)
    a = agreement.attrs
    data = pd.DataFrame(agreement).copy()
    data.attrs = {}
    segs = list(data["segmentation"])
    if a.get("comparison", "keyness") == "keyness":
        fig, ax = plt.subplots(figsize=(7.5, 3.8))
        metrics = [("spearman", "Spearman rank correlation of log-odds z (shared terms)"),
                   ("top_target", f"top-{a.get('top_k', '')} overlap, target side"),
                   ("top_reference", f"top-{a.get('top_k', '')} overlap, reference side")]
        x = np.arange(len(segs))
        w = 0.26
        for i, (col, name) in enumerate(metrics):
            bars = ax.bar(x + (i - 1) * w, data[col], w, label=name, color=NEUTRAL[i])
            for b, v in zip(bars, data[col]):
                ax.text(b.get_x() + b.get_width() / 2, v + 0.01, f"{v:.2f}", ha="center", va="bottom", fontsize=7)
        ax.set_xticks(x, [f"{s}\n({n} shared terms)" for s, n in zip(segs, data["n_shared"])], fontsize=8)
        ax.set_ylim(0, 1.15)
        ax.set_ylabel(f"agreement with {a.get('baseline', segs[0])}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncol=1, fontsize=8)
    else:
        groups = [c for c in data.columns if c not in ("segmentation", "ari")]
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 0.32 * len(groups) + 2.2),
                                      gridspec_kw=dict(width_ratios=[1, 1.4]))
        bars = ax.bar(range(len(segs)), data["ari"], color=NEUTRAL[0])
        for b, v in zip(bars, data["ari"]):
            ax.text(b.get_x() + b.get_width() / 2, v + 0.01, f"{v:.2f}", ha="center", va="bottom", fontsize=8)
        ax.set_xticks(range(len(segs)), segs, rotation=30, ha="right", fontsize=8)
        ax.set_ylim(0, 1.12)
        ax.set_ylabel(f"adjusted Rand index vs {a.get('baseline', segs[0])}")
        ax.set_title(f"cluster agreement ({a.get('n_clusters')} clusters)", fontsize=9)
        m = data[groups].to_numpy().T
        ax2.imshow(m, cmap="Set2", aspect="auto", vmin=1, vmax=8)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                ax2.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7)
        ax2.set_xticks(range(len(segs)), segs, rotation=30, ha="right", fontsize=8)
        ax2.set_yticks(range(len(groups)), lab(groups), fontsize=8)
        ax2.set_title("cluster of each group", fontsize=9)
        ax2.spines[:].set_visible(False)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig, _finish(data, lab)


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


def plot_keyness_agreement(merged: pd.DataFrame, x: str, y: str, *, label: str = "term", n_labels: int = 12,
                           x_label: str = "", y_label: str = "", title: str = "", labels: str = "zh"):
    """Scatter of one keyness statistic in two comparisons (one dot per shared term),
    the ``n_labels`` terms farthest from the origin (each axis scaled by its largest |value|) labelled.

    ``labels`` ({"zh", "zh+en", "en"}) glosses the point labels (see :func:`term_labels`);
    labelled terms without a gloss are listed in ``data.attrs["missing_glosses"]``."""
    plt = _plt()
    lab = _labeller(labels)
    d = merged[[label, x, y]].copy()
    d["labelled"] = False
    scale = (d[x].abs() / (d[x].abs().max() or 1)) + (d[y].abs() / (d[y].abs().max() or 1))
    d.loc[scale.nlargest(n_labels).index, "labelled"] = True
    fig, ax = plt.subplots(figsize=(7, 6.5))
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="black", lw=0.6)
    ax.scatter(d[x], d[y], s=9, color="#999999", alpha=0.6, lw=0)
    pts = d[d.labelled]
    ax.scatter(pts[x], pts[y], s=14, color=OKABE_ITO[5])
    _place_labels(ax, list(zip(pts[x], pts[y], lab(pts[label]))), obstacles=list(zip(pts[x], pts[y])))
    ax.set_xlabel(x_label or x)
    ax.set_ylabel(y_label or y)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig, _finish(d.reset_index(drop=True), lab)
