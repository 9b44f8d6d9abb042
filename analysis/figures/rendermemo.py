"""A verified disk memo of rendered figures, keyed by what the figure draws.

Saving a figure (:func:`analysis.figures.saving.save_figure`) renders it twice: a PDF and a
300-dpi PNG, about 0.7 s of a figure's ~1 s save (text layout, rasterising, PNG compression;
``benchmarks/bench_rebuild.py``).  A forced rebuild or a test run draws the same figures
again.  :func:`render_figure` skips both renders when the figure draws exactly what it drew
last time:

* **the key** is the figure's *draw stream*: the figure goes through savefig exactly as for
  the PNG (``dpi=300``, the style's ``bbox_inches="tight"``, the same Agg renderer and text
  metrics), and savefig's own layout pass, which draws the whole figure to find the tight
  box, hashes each drawing call instead of discarding it; the final, painting pass is
  skipped (a figure without a layout pass is drawn once, recorded).  Hashed: every path's
  vertices, codes and transform, every colour, line width, dash, hatch,
  clip box and clip path, link and group id of the graphics context, every string with its
  position, angle and font (the font file's SHA-256 included), every image's pixels as painted
  *and* as a PDF embeds them (colour-mapped, unresampled), and where rasterising starts and
  stops (which only the PDF shows), and the crop and size of the saved image.  Added to it:
  the save arguments, every rc parameter except the backend's and the GUI's, and the
  versions of matplotlib, Pillow, NumPy, fontTools and FreeType;
* a call or a value the recorder does not know (an Agg filter, a non-affine transform, an
  unfamiliar object in the graphics context), or any failure while taking the key, gives
  **no key**: the figure is rendered as usual and nothing is stored;
* on a miss the PDF and PNG are rendered by matplotlib as before and stored with
  :mod:`analysis.infra.cache` (key and checksum inside the file, owner-only folder); on a hit
  the stored bytes are returned.  They are the bytes matplotlib made for a figure that drew
  the same thing, so the files are byte-identical with and without the memo:
  ``tests/test_rendermemo.py`` compares both ways and shows that a change to any drawn
  property changes the key, and the staleness tests compare every rebuilt figure with the
  committed one.

:func:`render_and_check` serves the figure's print-size check
(:func:`analysis.figures.printcheck.print_check`, another layout of the whole figure) from the
same memo, keyed by the draw stream and what the check reads besides (see
:func:`_print_request`).

The memo lives in the user cache (``$COVID_DISCOURSE_CACHE``, ``$XDG_CACHE_HOME`` or
``~/.cache``, folder ``covid-discourse/renders``) and keeps the :data:`MAX_ENTRIES` most
recently used renders.  ``COVID_DISCOURSE_RENDER_MEMO=0`` turns it off.
"""
from __future__ import annotations

import contextlib
import enum
import functools
import hashlib
import io
import json
import os
import struct
from importlib.metadata import version
from pathlib import Path

import numpy as np

__all__ = ["render_figure", "render_and_check", "figure_fingerprint", "render_cache_dir", "MAX_ENTRIES", "PDF_ARGS",
           "PNG_ARGS"]

#: renders kept (a PDF and a PNG, ~0.1-1 MB); the least recently used go first
MAX_ENTRIES = 300
_FORMAT = 1
#: the save arguments of :func:`analysis.figures.saving.save_figure`
PDF_ARGS = {"format": "pdf", "metadata": {"CreationDate": None, "ModDate": None}}
PNG_ARGS = {"format": "png", "dpi": 300, "metadata": {"Software": None}}
#: rc parameters that cannot change a saved file (interactive use, the GUI, where a
#: dialog opens); every other parameter is part of the key
_RC_IGNORED = ("backend", "backend_fallback", "interactive", "toolbar", "webagg.", "keymap.",
               "figure.raise_window", "savefig.directory", "tk.", "macosx.")


class _Unsupported(Exception):
    """The figure draws something the recorder cannot key faithfully."""


def render_cache_dir() -> Path:
    """Folder of the memo (in the user cache, beside the converted font)."""
    from analysis.infra.cache import user_cache_root

    return user_cache_root() / "renders"


def _memo_enabled() -> bool:
    return os.environ.get("COVID_DISCOURSE_RENDER_MEMO", "1").strip().lower() not in ("0", "false", "no", "off")


# --- hashing values ----------------------------------------------------------------------------

_DOUBLE = struct.Struct(">d")
_PLAIN = frozenset({float, int, str, bool, type(None)})
_TYPES: list = []


def _mpl_types() -> tuple:
    """matplotlib classes the hasher tells apart (imported once, on first use)."""
    if not _TYPES:
        from matplotlib.font_manager import FontProperties
        from matplotlib.path import Path as MplPath
        from matplotlib.text import Text
        from matplotlib.transforms import BboxBase, Transform, TransformedPath

        _TYPES.extend([FontProperties, MplPath, BboxBase, Transform, TransformedPath, Text])
    return tuple(_TYPES)


class _Hasher:
    """Feeds typed, length-prefixed values into one SHA-256 (no two different value
    sequences give the same byte stream)."""

    def __init__(self):
        self.h = hashlib.sha256()
        self.layout_drawn = False

    def tag(self, s: str) -> None:
        b = s.encode()
        self.h.update(b"T" + struct.pack(">I", len(b)) + b)

    def feed(self, v) -> None:  # noqa: C901 (one branch per type)
        t = type(v)
        if t is float:  # the common cases first
            self.h.update(b"F" + _DOUBLE.pack(v))
            return
        if t is tuple and all(type(x) in _PLAIN for x in v):
            # a tuple of plain values (colours, dashes, sizes): one exact literal
            # (repr round-trips floats and tells 1, 1.0, True and '1' apart)
            b = repr(v).encode()
            self.h.update(b"R" + struct.pack(">I", len(b)) + b)
            return
        FontProperties, MplPath, BboxBase, Transform, TransformedPath, Text = _mpl_types()
        h = self.h
        if v is None:
            h.update(b"N")
        elif isinstance(v, (bool, np.bool_)):
            h.update(b"B1" if v else b"B0")
        elif isinstance(v, (int, np.integer)):
            b = str(int(v)).encode()
            h.update(b"I" + struct.pack(">I", len(b)) + b)
        elif isinstance(v, (float, np.floating)):
            h.update(b"F" + struct.pack(">d", float(v)))
        elif isinstance(v, str):
            self.tag(v)
        elif isinstance(v, bytes):
            h.update(b"Y" + struct.pack(">Q", len(v)) + v)
        elif isinstance(v, enum.Enum):
            self.tag(f"{type(v).__name__}.{v.name}")
        elif isinstance(v, np.ma.MaskedArray):
            h.update(b"M")
            self.feed(np.ma.getdata(v))
            self.feed(np.ma.getmaskarray(v))
        elif isinstance(v, np.ndarray):
            if v.dtype == object:
                h.update(b"O" + struct.pack(">I", v.size))
                for x in v.ravel():
                    self.feed(x)
                return
            a = np.ascontiguousarray(v)
            self.tag(f"A{a.dtype.str}{a.shape}")
            h.update(a.tobytes())
        elif isinstance(v, (tuple, list)):
            h.update(b"L" + struct.pack(">I", len(v)))
            for x in v:
                self.feed(x)
        elif isinstance(v, dict):
            h.update(b"D" + struct.pack(">I", len(v)))
            for k in sorted(v, key=str):
                self.feed(str(k))
                self.feed(v[k])
        elif isinstance(v, MplPath):
            h.update(b"P")
            self.feed(v.vertices)
            self.feed(v.codes)
            self.feed((v.should_simplify, v.simplify_threshold, v._interpolation_steps))
        elif isinstance(v, TransformedPath):
            path, affine = v.get_transformed_path_and_affine()
            h.update(b"Q")
            self.feed(path)
            self.feed(affine)
        elif isinstance(v, Transform):
            if not v.is_affine:
                raise _Unsupported(f"a non-affine transform ({type(v).__name__})")
            h.update(b"X")
            self.feed(v.get_matrix())
        elif isinstance(v, BboxBase):
            h.update(b"b")
            self.feed(v.get_points())
        elif isinstance(v, FontProperties):
            self._font(v)
        else:
            if isinstance(v, Text):  # the artist behind a draw_text call (vector backends read it)
                h.update(b"t")
                self.feed((v.get_rotation_mode(), v.get_transform_rotates_text(),
                           tuple(map(float, v.get_unitless_position()))))
                return
            raise _Unsupported(f"a value of type {type(v).__name__}")

    def _font(self, prop) -> None:
        from matplotlib import font_manager as fm

        from analysis.figures.fontsubset import _file_sha  # memoised per file and modification time

        self.h.update(b"f")
        self.feed((list(prop.get_family()), prop.get_style(), prop.get_variant(), str(prop.get_weight()),
                   str(prop.get_stretch()), float(prop.get_size_in_points()), prop.get_math_fontfamily()))
        try:  # the files Agg and the PDF backend draw with (a fallback list for missing glyphs)
            files = [str(f) for f in fm.fontManager._find_fonts_by_props(prop)]
        except AttributeError:  # pragma: no cover - older matplotlib
            files = [fm.findfont(prop)]
        for f in files:
            self.feed(os.path.basename(f))
            self.feed(_file_sha(f))

    def gc(self, gc) -> None:
        """Every attribute of a graphics context, in name order."""
        self.h.update(b"G")
        for name in sorted(vars(gc)):
            self.tag(name)
            value = getattr(gc, name)
            if name == "_clippath":
                value = gc.get_clip_path()  # (path, affine) or (None, None)
            self.feed(value)

    def hexdigest(self) -> str:
        return self.h.hexdigest()


# --- recording the draw stream -----------------------------------------------------------------

_RECORDED = ("draw_path", "draw_markers", "draw_path_collection", "draw_quad_mesh", "draw_gouraud_triangles",
             "draw_gouraud_triangle", "draw_image", "draw_text", "draw_tex", "open_group", "close_group",
             "start_rasterizing", "stop_rasterizing", "start_filter", "stop_filter")


@contextlib.contextmanager
def _recording(renderer, hasher: _Hasher, layout: bool = False):
    """Within the block, ``renderer``'s drawing methods hash their arguments instead of
    painting (``layout``: this is savefig's layout pass)."""
    def recorder(name):
        def record(*args, **kwargs):
            if name in ("start_filter", "stop_filter"):
                raise _Unsupported("an Agg filter (its function cannot be keyed)")
            hasher.tag(name)
            for a in args:
                if name.startswith("draw_") and hasattr(a, "get_rgb") and hasattr(a, "get_linewidth"):
                    hasher.gc(a)
                else:
                    hasher.feed(a)
            hasher.feed(kwargs)
        return record

    saved = {n: renderer.__dict__[n] for n in _RECORDED if n in renderer.__dict__}
    for n in _RECORDED:
        setattr(renderer, n, recorder(n))
    try:
        yield
        if layout:
            hasher.tag("layout pass")
            hasher.layout_drawn = True
    finally:
        for n in _RECORDED:
            if n in saved:
                setattr(renderer, n, saved[n])
            else:
                delattr(renderer, n)


def _rc_items() -> list:
    import matplotlib as mpl

    return [(k, repr(v)) for k, v in sorted(mpl.rcParams.items())
            if not any(k == p or (p.endswith(".") and k.startswith(p)) for p in _RC_IGNORED)]


def _versions() -> dict:
    from matplotlib import ft2font

    return {"matplotlib": version("matplotlib"), "pillow": version("pillow"), "numpy": version("numpy"),
            "fonttools": version("fonttools"), "freetype": ft2font.__freetype_version__}


def figure_fingerprint(fig, *, dpi: float = 300, **savefig_kwargs) -> str | None:
    """SHA-256 of what ``fig`` draws when saved at ``dpi`` (see the module docstring), or
    None when it draws something the recorder cannot key (then it must be rendered).

    The figure is laid out exactly as ``fig.savefig(..., dpi=dpi, **savefig_kwargs)`` lays it
    out (tight bounding box included) and restored afterwards, like a save.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.image import _ImageBase

    hasher = _Hasher()
    state = {}

    class _Canvas(FigureCanvasAgg):
        def print_covidfingerprint(self, filename_or_obj, *, bbox_inches_restore=None, **kwargs):
            renderer = self.get_renderer()
            # savefig's layout pass (for the tight box or a layout engine) draws with
            # drawing disabled: that pass is recorded instead, so the figure is drawn once,
            # as for the PNG, and never painted
            renderer._draw_disabled = lambda: _recording(renderer, hasher, layout=True)
            if "draw" in vars(self.figure):  # savefig only fetching the renderer (it stops the draw)
                self.figure.draw(renderer)
                return
            hasher.tag("save")
            hasher.feed((renderer.width, renderer.height, renderer.dpi))
            hasher.feed(bbox_inches_restore[0] if bbox_inches_restore else None)  # the crop
            hasher.feed(kwargs)
            if not hasher.layout_drawn:  # no layout pass (no tight box, no layout engine)
                with _recording(renderer, hasher):
                    self.figure.draw(renderer)
            # what a PDF embeds of each image: its colour-mapped pixels before resampling
            for im in self.figure.findobj(lambda a: isinstance(a, _ImageBase) and a.get_visible()):
                hasher.tag("image-source")
                pixels, *_ = im.make_image(renderer, 1.0, unsampled=True)
                hasher.feed(pixels)
            state["drawn"] = True

    old, old_dpi = fig.canvas, getattr(fig, "_original_dpi", None)
    try:
        _Canvas(fig)  # as savefig does for a format the figure's canvas cannot write
        fig.savefig(io.BytesIO(), format="covidfingerprint", dpi=dpi, **savefig_kwargs)
    except _Unsupported:
        return None
    finally:
        fig.set_canvas(old)
        if old_dpi is not None:
            fig._original_dpi = old_dpi
    if not state.get("drawn"):
        return None
    return hasher.hexdigest()


# --- the memo -------------------------------------------------------------------------------


def _render(fig) -> tuple[bytes, bytes]:
    from analysis.figures.fontsubset import cached_font_subsets

    pdf, png = io.BytesIO(), io.BytesIO()
    with cached_font_subsets():  # the same bytes, without re-reading the whole font (tested)
        fig.savefig(pdf, **PDF_ARGS)
    fig.savefig(png, **PNG_ARGS)
    return pdf.getvalue(), png.getvalue()


def _request(stream: str) -> str:
    return json.dumps({"cache": "figure-render", "format": _FORMAT, "stream": stream,
                       "pdf": repr(PDF_ARGS), "png": repr(PNG_ARGS), "versions": _versions(),
                       "rc": hashlib.sha256(repr(_rc_items()).encode()).hexdigest()}, sort_keys=True)


def _pack(pdf: bytes, png: bytes) -> bytes:
    return struct.pack(">QQ", len(pdf), len(png)) + pdf + png


def _unpack(payload: bytes) -> tuple[bytes, bytes] | None:
    if len(payload) < 16:
        return None
    n_pdf, n_png = struct.unpack(">QQ", payload[:16])
    if 16 + n_pdf + n_png != len(payload):
        return None
    return payload[16:16 + n_pdf], payload[16 + n_pdf:]


def render_figure(fig, folder=None, max_entries: int = MAX_ENTRIES) -> tuple[bytes, bytes]:
    """The PDF and 300-dpi PNG bytes of ``fig`` as :func:`analysis.figures.saving.save_figure`
    writes them, from the verified memo when the figure draws what a stored render drew.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    folder : path or False, optional
        Memo folder (default :func:`render_cache_dir`); ``False`` (or the environment
        variable ``COVID_DISCOURSE_RENDER_MEMO=0``) renders without the memo.
    max_entries : int
        Renders kept after a write (least recently used removed).

    Returns
    -------
    (bytes, bytes)
        The PDF and the PNG.
    """
    return _rendered(fig, folder, max_entries)[:2]


def _rendered(fig, folder, max_entries: int) -> tuple:
    """:func:`render_figure`, and the figure's draw stream (None: no memo or no key)."""
    if folder is False or not _memo_enabled():
        return (*_render(fig), None)
    from analysis.infra.cache import memo_path, read_memo, write_memo

    folder = Path(folder) if folder is not None else render_cache_dir()
    try:
        stream = figure_fingerprint(fig, **{k: v for k, v in PNG_ARGS.items() if k != "format"})
    except Exception:  # the key only saves time: a figure it fails on is rendered as before
        stream = None  # (and a figure that cannot be drawn raises its own error there)
    if stream is None:
        return (*_render(fig), None)
    key = _request(stream)
    path = memo_path(folder, key, ".render")
    payload = read_memo(path, key=key)
    found = _unpack(payload) if payload is not None else None
    if found is not None:
        return (*found, stream)
    pdf, png = _render(fig)
    write_memo(path, _pack(pdf, png), key=key, keep=max_entries)
    return pdf, png, stream


# --- the print-size check -------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _printcheck_code() -> str:
    from analysis.figures import printcheck

    return hashlib.sha256(Path(printcheck.__file__).read_bytes()).hexdigest()


def _print_request(stream: str, fig, width) -> str:
    """Everything :func:`analysis.figures.printcheck.print_check` reads besides what the figure
    draws: the width asked for and the one the builder declared, the figure's dpi (its
    extents are measured there), each panel's label (named in the problems) and declared
    words-in-an-image, which panels share an axis (a panel's scale may come from another),
    and the check's own code."""
    from analysis.figures.printcheck import _RASTER_ATTR, _WIDTH_ATTR

    axes = fig.axes
    shared = {name: [[j for j, other in enumerate(axes) if group.joined(ax, other)] for ax in axes]
              for name, group in (("x", axes[0].get_shared_x_axes() if axes else None),
                                  ("y", axes[0].get_shared_y_axes() if axes else None)) if group is not None}
    return json.dumps({"cache": "print-check", "format": _FORMAT, "stream": stream, "width": width,
                       "declared": getattr(fig, _WIDTH_ATTR, None), "dpi": repr(float(fig.dpi)),
                       "axes": [[ax.get_label(), repr(getattr(ax, _RASTER_ATTR, None))] for ax in axes],
                       "shared": shared, "code": _printcheck_code()}, sort_keys=True)


def render_and_check(fig, width=None, folder=None, max_entries: int = MAX_ENTRIES) -> tuple:
    """:func:`render_figure` and :func:`analysis.figures.printcheck.print_check` of ``fig``.

    The print check lays the figure out once more (0.1-0.2 s a figure).  Its result is a
    function of what the figure draws (the render memo's key, taken at 300 dpi) and of the
    few things :func:`_print_request` lists, so it is memoised beside the render under both
    and served with a memo hit: the same result as checking again (tested on every figure of
    the notebooks by the staleness tests, and directly in ``tests/test_rendermemo.py``).
    A figure without a key is checked as before.

    Returns
    -------
    (bytes, bytes, PrintCheck)
        The PDF, the PNG and the check.
    """
    from analysis.figures.printcheck import PrintCheck, print_check

    pdf, png, stream = _rendered(fig, folder, max_entries)
    if stream is None:
        return pdf, png, print_check(fig, width)
    from analysis.infra.cache import memo_path, read_memo, write_memo

    folder = Path(folder) if folder is not None else render_cache_dir()
    key = _print_request(stream, fig, width)
    path = memo_path(folder, key, ".check")
    payload = read_memo(path, key=key)
    if payload is not None:
        try:
            return pdf, png, PrintCheck(**json.loads(payload))
        except (ValueError, TypeError):  # a damaged entry: check again (and store anew)
            pass
    check = print_check(fig, width)
    fields = {"width": check.width, "scale": check.scale, "min_text_pt": check.min_text_pt,
              "height_in": check.height_in, "problems": list(check.problems)}
    write_memo(path, json.dumps(fields, sort_keys=True).encode(), key=key, keep=max_entries)
    return pdf, png, check
