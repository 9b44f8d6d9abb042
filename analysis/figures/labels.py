"""Conventions shared by every figure builder: period colours, bilingual labels, ties.

Each function takes a tidy table from :mod:`analysis.measures.frequency`,
:mod:`analysis.keyness`, :mod:`analysis.measures.keywords` or :mod:`analysis.measures.context` and returns
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

from analysis.figures.style import OKABE_ITO


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
    from analysis.ingest.corpus import default_data_dir
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
    from analysis.measures.inference import tie_ranks

    d = d.copy()
    d["rank"] = tie_ranks(d[value].to_numpy(), decimals=10) if len(d) else []
    inside = d[d["rank"] <= n]
    if len(inside) <= n + max_extra:
        return inside, ""
    boundary = inside["rank"].max()
    kept = inside[inside["rank"] < boundary]
    k = int((inside["rank"] == boundary).sum())
    return kept, f"{k} terms tied at rank {boundary} not shown"


def _group_colours(by: str, groups) -> dict:
    if by == "period":
        return period_colours(groups)
    return {g: _SPARE[i % len(_SPARE)] for i, g in enumerate(groups)}


def _place_labels(ax, points, fontsize=7.5, obstacles=()):
    """Greedy label placement: try offsets around each point; a label may not overlap
    another label or a marker in ``obstacles`` (data coordinates).  A label that
    fits nowhere is placed at its last offset with a leader line."""
    from matplotlib.text import Text
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
    # farther rings (with a leader line to the point) before giving up
    offsets += [(round(r * np.cos(a)), round(r * np.sin(a))) for r in (30, 42, 56, 72)
                for a in np.linspace(0, 2 * np.pi, 12, endpoint=False)]
    frame = ax.get_window_extent(renderer)
    for x, y, text in sorted(points, key=lambda p: (-p[1], p[0], p[2])):
        best = None
        for dx, dy in offsets:
            far = abs(dx) + abs(dy) > 16  # a leader line says which point a distant label names
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                            ha="left" if dx >= 0 else "right", va="bottom",
                            arrowprops=dict(arrowstyle="-", lw=0.5, color="#666666", shrinkA=0, shrinkB=3)
                            if far else None)
            t.update_positions(renderer)
            bb = Text.get_window_extent(t, renderer).expanded(1.05, 1.1)  # the text, not its leader line
            inside = frame.contains(bb.x0, bb.y0) and frame.contains(bb.x1, bb.y1)
            if not any(bb.overlaps(o) for o in placed) and inside:
                placed.append(bb)
                break
            if inside:  # remember the least-crowded place inside the axes
                cover = sum(max(0, min(bb.x1, o.x1) - max(bb.x0, o.x0)) * max(0, min(bb.y1, o.y1) - max(bb.y0, o.y0))
                            for o in placed)
                if best is None or cover < best[0]:
                    best = (cover, dx, dy)
            t.remove()
        else:
            dx, dy = (best[1], best[2]) if best else offsets[-1]
            t = ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", fontsize=fontsize,
                            ha="left" if dx >= 0 else "right", va="bottom",
                            arrowprops=dict(arrowstyle="-", lw=0.5, color="#666666", shrinkA=0, shrinkB=3))
            t.update_positions(renderer)
            placed.append(Text.get_window_extent(t, renderer))
