"""Figure builders for keyness: keyness bars, agreement of two keyness tables, robustness across segmentations.

Each returns ``(fig, data)`` (see :mod:`analysis.figures.labels` for the conventions).
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from analysis.figures.style import OKABE_ITO
from analysis.figures.labels import (_place_labels, PERIOD_COLOURS, NEUTRAL, period_colours, _labeller, _finish, _plt, _tie_cut)


#: Marks beside a term in :func:`plot_keyness`: Benjamini–Hochberg over the exploratory screen, and the
#: pre-declared family's own test.
MARK_BH, MARK_FAMILY = "*", "†"


def keyness_marks(kt: pd.DataFrame, alpha: float | None = None) -> pd.Series:
    """The marks :func:`plot_keyness` draws beside each term (one string per row of ``kt``).

    ``*`` (:data:`MARK_BH`): Benjamini–Hochberg ``q_value < alpha`` over the exploratory screen of every
    tested term; ``†`` (:data:`MARK_FAMILY`): the term passes the pre-declared family's own test
    (``significant_family``, Bonferroni within the family, or ``q_family < alpha``).  A column the table
    lacks (no family given) marks nothing.  ``alpha`` defaults to ``kt.attrs["alpha"]`` or 0.05.
    """
    alpha = kt.attrs.get("alpha", 0.05) if alpha is None else alpha
    none = pd.Series(False, index=kt.index)
    bh = (kt["q_value"] < alpha) if "q_value" in kt else none
    fam = none.copy()
    if "significant_family" in kt:
        fam = fam | kt["significant_family"].fillna(False).astype(bool)
    if "q_family" in kt:
        fam = fam | (kt["q_family"] < alpha)
    return (bh.map({True: MARK_BH, False: ""}) + fam.map({True: MARK_FAMILY, False: ""})).rename("marks")


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
    labelled "absent in reference/target".  Beside a term, ``*`` marks Benjamini–Hochberg q < alpha over
    every tested term and ``†`` a pass of the pre-declared family's own test (:func:`keyness_marks`; the
    title states both, and the family mark only when the table has a family).  Every bar carries its counts ``a/b`` and the
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
        from analysis.measures.inference import interval_labels

        data["log_ratio_95"] = interval_labels(data)  # at the precision its Monte-Carlo error supports
    fig, ax = plt.subplots(figsize=(7.2, 0.21 * len(data) + 2.0))
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
        # the note sits on the other side of zero, beyond a whisker that crosses zero
        low, high = getattr(r, "log_ratio_low", np.nan), getattr(r, "log_ratio_high", np.nan)
        if r.log_ratio > 0:
            x = min(0.0, low if not absent and np.isfinite(low) else 0.0) - 0.02 * span
        else:
            x = max(0.0, high if not absent and np.isfinite(high) else 0.0) + 0.02 * span
        ax.text(x, i, text, va="center", ha="right" if r.log_ratio > 0 else "left", fontsize=7, color="#333333")
    marks = keyness_marks(data, alpha=kt.attrs.get("alpha", 0.05))
    ax.set_yticks(y, [f"{t} {m}" if m else t for t, m in zip(lab(data["term"]), marks)])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-span * 1.35, span * 1.35)
    n_t, n_r = kt.attrs.get("n_target"), kt.attrs.get("n_reference")
    sizes = ""
    if n_t is not None:
        def _units(side):
            u, m = len(kt.attrs.get(f"units_{side}", [])), len(kt.attrs.get(f"meetings_{side}", []))
            text = f", {u} unit{'s' if u > 1 else ''}" if u else ""
            return text + (f" in {m} meeting{'s' if m > 1 else ''}" if m else "")

        sizes = (f"\n{target_label}: {n_t:,} tokens{_units('target')}; "
                 f"{reference_label}: {n_r:,} tokens{_units('reference')}")
    ax.set_xlabel(f"Log Ratio (log2 of relative frequency, {target_label} / {reference_label}){sizes}")
    bonf = kt.attrs.get("bonferroni_g2", float("nan"))
    res = kt.attrs.get("resampled") or {}
    boot = ("whiskers = 95% bootstrap (" + ", ".join(f"{k}: {v}" for k, v in res.items()) + ")") if res \
        else "whiskers = 95% bootstrap"
    if res and "log_ratio_low" in kt and kt["log_ratio_low"].isna().all():
        boot = "no whiskers: " + kt.attrs.get("unit_inference", "no interval").split(" (")[0]
    notes = "; ".join(f"{side}: {x}" for side, x in ((target_label, note_pos), (reference_label, note_neg)) if x)
    alpha = kt.attrs.get("alpha", 0.05)
    legend = []
    if "q_value" in kt:
        n_tested = kt.attrs.get("n_terms", int(kt["q_value"].notna().sum()))
        legend.append(f"{MARK_BH} = BH q < {alpha:g} over the {n_tested:,} terms tested")
    if "in_family" in kt:
        legend.append(f"{MARK_FAMILY} = passes the pre-declared family's test (Bonferroni or BH q < {alpha:g} "
                      f"within its {int(kt['in_family'].sum())} terms)")
    ax.set_title(f"Key terms: {target_label} (right) vs {reference_label} (left)\n"
                 f"|G²| ≥ {min_g2:g}; solid = above Bonferroni |G²| {bonf:.1f}; open bar + arrow = absent on "
                 f"one side (length = 0.5 pseudo-count bound)\n{boot}; numbers: counts a/b"
                 + ("; units containing the term" if "n_units_target" in data else "")
                 + (f"\n{'; '.join(legend)}" if legend else "")
                 + (f"\n{notes}" if notes else ""), fontsize=8.5)
    fig.tight_layout()
    return fig, _finish(data, lab)


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
        fig, (ax, ax2) = plt.subplots(1, 2, figsize=(6.6, 0.3 * len(groups) + 2.2),
                                      gridspec_kw=dict(width_ratios=[0.4, 1.4]))
        bars = ax.bar(range(len(segs)), data["ari"], color=NEUTRAL[0])
        for b, v in zip(bars, data["ari"]):  # values written along narrow bars, inside when they fit
            inside = v > 0.35
            ax.text(b.get_x() + b.get_width() / 2, v - 0.02 if inside else v + 0.02, f"{v:.2f}", ha="center",
                    va="top" if inside else "bottom", rotation=90, fontsize=8,
                    color="white" if inside else "black")
        ax.set_xticks(range(len(segs)), segs, rotation=90, fontsize=8)
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
    ax.set_xlabel(x_label or x)
    ax.set_ylabel(y_label or y)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    # labels last: their offsets are in points, so the axes must have their final size and limits
    _place_labels(ax, list(zip(pts[x], pts[y], lab(pts[label]))), obstacles=list(zip(pts[x], pts[y])))
    return fig, _finish(d.reset_index(drop=True), lab)
