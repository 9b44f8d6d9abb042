"""Print-size check of a figure: what a reader sees once the figure is scaled to a journal column.

A journal prints a figure at one column (about 3.5 in) or the full text width (about 7 in) and
scales it to fit: a figure drawn 10 in wide and printed at 3.5 in shrinks every font by 0.35.
:func:`print_check` measures the figure as saved (``bbox_inches="tight"``) and scaled to the
chosen width, with matplotlib's own renderer extents:

* the smallest text in points (every visible text: titles, tick labels, annotations, legends,
  colour-bar labels; plus words drawn inside images, declared by the builder with
  :func:`declare_raster_text`), which must be at least :data:`MIN_TEXT_PT`;
* text whose bounding boxes overlap (by more than :data:`OVERLAP_PT` in both directions, at
  print size);
* panels whose axis draws tick marks but no tick labels, unless a panel sharing that axis in the
  same column (x) or row (y) carries them: a reader cannot read the scale;
* the printed height, which must be at most :data:`MAX_HEIGHT_IN` (a page less its margins).

The thresholds follow common journal instructions (e.g. Nature's final-figure guide: text 5–7 pt
at final size, single column 89 mm, double 183 mm; PLOS and Elsevier: 6 pt minimum); we use the
stricter 6 pt.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: Printed widths in inches of a single-column and a full-width (double-column) figure.
WIDTHS = {"single": 3.5, "double": 7.0}
#: Smallest text size allowed at print size, points.
MIN_TEXT_PT = 6.0
#: Tallest figure allowed at print size, inches.
MAX_HEIGHT_IN = 9.0
#: Two text boxes overlap when they share more than this, in points at print size, both ways.
OVERLAP_PT = 1.0
#: Figures up to this tight width (inches, as drawn) default to one column, wider ones to two.
SINGLE_UP_TO_IN = 5.0

_RASTER_ATTR = "_print_raster_text"
_WIDTH_ATTR = "_print_width"


def declare_print_width(fig, width: str) -> None:
    """Record the printed width a builder designed ``fig`` for (``"single"`` or
    ``"double"``): :func:`print_check` and :func:`analysis.save_figure` use it when
    called without ``width``."""
    if width not in WIDTHS:
        raise ValueError(f"width={width!r}: use 'single' (3.5 in) or 'double' (7 in)")
    setattr(fig, _WIDTH_ATTR, width)


def declare_raster_text(ax, smallest_px: float, image_height_px: int) -> None:
    """Tell :func:`print_check` that ``ax`` shows an image with words drawn into it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes showing the image (stretched to the axes' height).
    smallest_px : float
        Height in image pixels of the smallest word's font (e.g. a word cloud's smallest
        font size).
    image_height_px : int
        The image's height in pixels.
    """
    setattr(ax, _RASTER_ATTR, (float(smallest_px), int(image_height_px)))


@dataclass
class PrintCheck:
    """Result of :func:`print_check` (sizes at print size)."""

    width: str
    scale: float
    min_text_pt: float
    height_in: float
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def manifest_fields(self) -> dict:
        """The figure's manifest columns: ``print_width``, ``print_scale``, ``min_text_pt``,
        ``print_height_in``, ``print_problems`` (``"-"`` when there are none)."""
        return {"print_width": self.width, "print_scale": f"{self.scale:.3f}",
                "min_text_pt": f"{self.min_text_pt:.1f}", "print_height_in": f"{self.height_in:.2f}",
                "print_problems": "; ".join(self.problems) or "-"}


def _short(s: str, n: int = 24) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _drawn_ticks(axis):
    """The ticks matplotlib draws (inside the view limits)."""
    try:
        return axis._update_ticks()  # noqa: SLF001 (the list draw() uses)
    except AttributeError:  # pragma: no cover (matplotlib < 3.1)
        lo, hi = sorted(axis.get_view_interval())
        return [t for t in axis.get_major_ticks() if lo <= t.get_loc() <= hi]


def _texts(fig):
    """Visible, non-empty text artists as (artist, kind) with tick labels limited to drawn ticks."""
    from matplotlib.axis import Axis, Tick
    from matplotlib.text import Text

    tick_labels, drawn, hidden = set(), set(), set()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for axis in (ax.xaxis, ax.yaxis):
            for t in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_labels.update((id(t.label1), id(t.label2)))
            if not (ax.axison and axis.get_visible()):
                hidden.update((id(axis.label), id(axis.get_offset_text())))
                continue
            for t in _drawn_ticks(axis):
                for lab in (t.label1, t.label2):
                    if lab.get_visible() and lab.get_text().strip():
                        drawn.add(id(lab))
    out = []
    for t in fig.findobj(lambda a: isinstance(a, Text)):
        if not t.get_visible() or not t.get_text().strip() or isinstance(t, (Axis, Tick)):
            continue
        if (id(t) in tick_labels and id(t) not in drawn) or id(t) in hidden:
            continue
        ax = t.axes
        if ax is not None and (not ax.get_visible() or (not ax.axison and id(t) in tick_labels)):
            continue
        if t.figure is None:
            continue
        out.append(t)
    # legends' texts are children of the legend: skip those of invisible legends
    for leg in fig.findobj(lambda a: a.__class__.__name__ == "Legend"):
        if not leg.get_visible():
            hidden = {id(x) for x in leg.get_texts()} | {id(leg.get_title())}
            out = [t for t in out if id(t) not in hidden]
    return out


def _corners(t, box, renderer):
    """Corners (display pixels) of a text's rotated rectangle: its unrotated size placed
    around the centre of its axis-aligned extent (a rotated rectangle's bounding box
    shares its centre)."""
    import numpy as np

    angle = t.get_rotation() % 180
    if angle in (0, 90):
        return np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    from matplotlib.text import Text

    t.set_rotation(0)
    try:
        flat = Text.get_window_extent(t, renderer)
    finally:
        t.set_rotation(angle)
    th = np.deg2rad(angle)
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    half = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [flat.width / 2, flat.height / 2]
    return half @ rot.T + [(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2]


def _touching_pairs(quads) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j`` in order, whose quadrilaterals' axis-aligned bounding boxes
    overlap (by more than 0 both ways).  Every other pair is disjoint or touching, so some
    edge normal separates it (the separating-axis theorem) and :func:`_overlap` is False for
    it with any ``tol >= 0``: checking only these pairs gives the same clashes, without the
    quadratic loop over all pairs in Python."""
    import numpy as np

    if len(quads) < 2:
        return []
    q = np.asarray(quads, dtype=float)
    lo, hi = q.min(axis=1), q.max(axis=1)  # (n, 2) each
    over = ((np.minimum(hi[:, None, :], hi[None, :, :]) - np.maximum(lo[:, None, :], lo[None, :, :])) > 0).all(axis=2)
    i, j = np.nonzero(np.triu(over, k=1))
    return list(zip(i.tolist(), j.tolist()))


def _overlap(a, b, tol: float) -> bool:
    """Do two convex quadrilaterals (4 x 2 corner arrays) overlap by more than ``tol`` along
    every separating axis (the separating-axis theorem)?"""
    import numpy as np

    for quad in (a, b):
        for k in range(4):
            edge = quad[(k + 1) % 4] - quad[k]
            axis = np.array([-edge[1], edge[0]])
            norm = np.hypot(*axis)
            if norm == 0:
                continue
            axis = axis / norm
            pa, pb = a @ axis, b @ axis
            if min(pa.max(), pb.max()) - max(pa.min(), pb.min()) <= tol:
                return False
    return True


def _scale_ok(ax, axis_name: str, labelled) -> bool:
    """Does the panel's x (or y) axis show its scale, itself or through a panel sharing it in
    the same column (row)?"""
    if labelled.get((id(ax), axis_name)):
        return True
    shared = ax.get_shared_x_axes() if axis_name == "x" else ax.get_shared_y_axes()
    box = ax.get_position()
    for other in ax.figure.axes:
        if other is ax or not other.get_visible() or not shared.joined(ax, other):
            continue
        ob = other.get_position()
        aligned = (min(box.x1, ob.x1) > max(box.x0, ob.x0)) if axis_name == "x" else \
            (min(box.y1, ob.y1) > max(box.y0, ob.y0))
        if aligned and labelled.get((id(other), axis_name)):
            return True
    return False


def print_check(fig, width: str | None = None) -> PrintCheck:
    """Measure ``fig`` scaled to a journal column width.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Drawn (or drawable) figure; it is laid out once here (``draw_without_rendering``)
        and not changed.
    width : {"single", "double"}, optional
        Printed width: 3.5 in (one column) or 7 in (full width).  Default: the width the
        builder declared (:func:`declare_print_width`), else ``"single"`` for a figure up to
        :data:`SINGLE_UP_TO_IN` in wide as saved, else ``"double"``.

    Returns
    -------
    PrintCheck
        ``width``; ``scale`` (printed / drawn size); ``min_text_pt`` (smallest text at print
        size, points); ``height_in`` (printed height, inches); ``problems``: one readable
        sentence per defect (text under 6 pt, overlapping text, a panel without its scale, taller
        than 9 in), empty when the figure passes.
    """
    if width is not None and width not in WIDTHS:
        raise ValueError(f"width={width!r}: use 'single' (3.5 in) or 'double' (7 in)")
    # lay the figure out (ticks, layout engine) and measure, without rasterising it: the
    # same renderer class and dpi as a full draw, so the same extents, at a third of the cost
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi
    bbox = fig.get_tightbbox(renderer)  # inches, as savefig(bbox_inches="tight") crops (before padding)
    pad = 0.1  # savefig.pad_inches
    drawn_w, drawn_h = bbox.width + 2 * pad, bbox.height + 2 * pad
    if width is None:
        width = getattr(fig, _WIDTH_ATTR, None) or ("single" if drawn_w <= SINGLE_UP_TO_IN else "double")
    scale = WIDTHS[width] / drawn_w
    problems = []

    texts = _texts(fig)
    sizes = [(t.get_fontsize() * scale, t) for t in texts]
    for ax in fig.axes:
        raster = getattr(ax, _RASTER_ATTR, None)
        if raster and ax.get_visible():
            px, img_h = raster
            ax_h_pt = ax.get_window_extent(renderer).height / dpi * 72
            sizes.append((px / img_h * ax_h_pt * scale, None))
    min_pt = min((s for s, _ in sizes), default=float("nan"))
    small = sorted({_short(t.get_text()) if t is not None else "(words in an image)"
                    for s, t in sizes if s < MIN_TEXT_PT - 1e-9})
    if small:
        smallest = min(s for s, _ in sizes)
        problems.append(f"text prints at {smallest:.1f} pt (< {MIN_TEXT_PT:g} pt) at {width} width: "
                        + ", ".join(small[:4]) + (f" and {len(small) - 4} more" if len(small) > 4 else ""))

    tol = OVERLAP_PT / scale / 72 * dpi  # print points → display pixels
    from matplotlib.text import Text

    # Text.get_window_extent: an annotation's own extent would include its leader line
    boxes = [(t, _corners(t, Text.get_window_extent(t, renderer), renderer)) for t in texts]
    clashes = []
    for i, j in _touching_pairs([q for _, q in boxes]):
        if _overlap(boxes[i][1], boxes[j][1], tol):
            clashes.append(f"'{_short(boxes[i][0].get_text(), 12)}' / '{_short(boxes[j][0].get_text(), 12)}'")
    if clashes:
        problems.append(f"{len(clashes)} overlapping text pair(s): " + ", ".join(clashes[:4])
                        + (" …" if len(clashes) > 4 else ""))

    labelled, ticked = {}, []
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison:
            continue
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            if not axis.get_visible():
                continue
            ticks = [t for t in _drawn_ticks(axis) if (t.tick1line.get_visible() and t.tick1line.get_markersize() > 0)
                     or (t.tick2line.get_visible() and t.tick2line.get_markersize() > 0)]
            labels = [t for t in _drawn_ticks(axis)
                      if any(lab.get_visible() and lab.get_text().strip() for lab in (t.label1, t.label2))]
            labelled[(id(ax), name)] = bool(labels)
            if ticks:
                ticked.append((ax, name))
    missing = [f"{_short(ax.get_title() or ax.get_label() or 'panel', 16)} ({name})" for ax, name in ticked
               if not _scale_ok(ax, name, labelled)]
    if missing:
        problems.append(f"{len(missing)} panel axis/axes with tick marks but no tick labels: "
                        + ", ".join(missing[:4]) + (" …" if len(missing) > 4 else ""))

    height = drawn_h * scale
    if height > MAX_HEIGHT_IN + 1e-9:
        problems.append(f"prints {height:.1f} in tall at {width} width (> {MAX_HEIGHT_IN:g} in)")
    return PrintCheck(width, float(scale), float(min_pt), float(height), problems)
