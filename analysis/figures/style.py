"""Figure style: the CJK font and colour-blind-safe palettes.

The CJK font
------------
matplotlib's default font has no Chinese glyphs.  The environment installs Noto Sans
CJK (OFL) from PyPI (``noto-cjk[sans]``, on both the pip and the conda route), which
ships one ``.ttc`` collection with CFF outlines.  Two problems follow, and
:func:`cjk_font_path` solves both once per machine:

* ``WordCloud(font_path=...)`` always uses face 0 of a collection, the *Japanese*
  forms; the Simplified Chinese face is index 2.
* A CFF font embedded in a PDF as Type 42 makes ``pdffonts`` report a type mismatch.

So the Simplified Chinese face is extracted with fontTools, subset to Latin,
punctuation, arrows, mathematical operators and CJK ideographs
(U+3400–4DBF, U+4E00–9FFF), and its cubic outlines are
converted to TrueType quadratics (``cu2qu``).  The result is cached under the user
cache folder (about 40 s the first time, then instant) and used by matplotlib
(embedded as Type 42 / CID TrueType, never Type 3) and by word clouds.
"""
from __future__ import annotations

import os
import tempfile
from importlib.metadata import version
from pathlib import Path

__all__ = ["cjk_font_path", "use_style", "OKABE_ITO", "FONT_FAMILY"]

#: Okabe & Ito (2008) colour-blind-safe palette for categories.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
#: Family name of the converted font.
FONT_FAMILY = "Noto Sans CJK SC"

_FONT_BUILD_VERSION = "3"  # bump when the conversion below changes
_SC_FACE = 2  # index of Simplified Chinese in NotoSansCJK-Regular.ttc


def _build_font(source: Path, target: Path) -> None:
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    # recalcTimestamp=False: keep the source's head.modified, so the converted font (and
    # every PDF that embeds a subset of it) is byte-identical whenever and wherever it is built
    font = TTFont(str(source), fontNumber=_SC_FACE, lazy=False, recalcTimestamp=False)
    if font["name"].getDebugName(1) != FONT_FAMILY:
        raise RuntimeError(f"face {_SC_FACE} of {source} is {font['name'].getDebugName(1)!r}, "
                           f"expected {FONT_FAMILY!r}")
    ranges = [(0x20, 0x7F), (0xA0, 0x250), (0x2000, 0x2070), (0x2100, 0x2300),
              (0x2460, 0x2500), (0x25A0, 0x2600), (0x3000, 0x3040), (0x3400, 0x4DC0),
              (0x4E00, 0xA000), (0xFF00, 0xFFF0)]
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes={u for lo, hi in ranges for u in range(lo, hi)})
    sub.subset(font)
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in font.getGlyphOrder():
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = font.getGlyphOrder()
    glyf.glyphs = glyphs
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(glyphs)
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    font.sfntVersion = "\x00\x01\x00\x00"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".ttf.tmp")
    os.close(fd)
    try:
        font.save(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _font_target() -> Path:
    key = f"{version('noto-cjk-sans-otc')}-{_FONT_BUILD_VERSION}"
    from analysis.infra.cache import user_cache_root

    return user_cache_root() / "fonts" / f"NotoSansCJKsc-Regular-tt-{key}.ttf"


def cjk_font_built() -> bool:
    """True when :func:`cjk_font_path` has nothing to build (the converted font is cached)."""
    try:
        return _font_target().is_file()
    except Exception:  # the font package is missing: cjk_font_path says so
        return False


def cjk_font_path() -> Path:
    """Path of the Simplified Chinese TrueType font, building it on first use.

    Returns
    -------
    Path
        A single-face ``.ttf`` (family :data:`FONT_FAMILY`) usable by matplotlib and
        ``WordCloud(font_path=...)``.

    Raises
    ------
    RuntimeError
        If the ``noto-cjk[sans]`` package is not installed.
    """
    try:
        import noto_cjk
        source = Path(noto_cjk.otc_path("sans"))
    except Exception as e:  # FontNotInstalled or ImportError
        raise RuntimeError("the CJK font package is missing: install the project's "
                           "dependencies (make env, or pip install 'noto-cjk[sans]')") from e
    target = _font_target()
    if not target.is_file():
        _build_font(source, target)
        for old in target.parent.glob("NotoSansCJKsc-Regular-tt-*.ttf"):
            if old != target:
                old.unlink(missing_ok=True)  # superseded builds
    return target


def use_style() -> None:
    """Set the project style: CJK font, Okabe–Ito colours, Type 42 fonts, tidy axes."""
    import matplotlib as mpl
    from matplotlib import font_manager

    path = cjk_font_path()
    fm = font_manager.fontManager
    if str(path) not in {f.fname for f in fm.ttflist}:
        fm.addfont(str(path))
    # A system copy of the same family (Debian's fonts-noto-cjk: a .ttc whose first face is the
    # Japanese one, with CFF outlines) would otherwise compete with the converted file, and which
    # one matplotlib picks would depend on the machine: only the converted file keeps the name.
    others = [f for f in fm.ttflist if f.name == FONT_FAMILY and f.fname != str(path)]
    if others:
        fm.ttflist = [f for f in fm.ttflist if f not in others]
        fm._findfont_cached.cache_clear()  # noqa: SLF001 (matplotlib caches lookups by properties)
    mpl.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [FONT_FAMILY, "DejaVu Sans"],
        "axes.unicode_minus": False,  # U+2212 is fine, but keep ASCII minus for CSV parity
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.fonttype": "none",
        "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
        "image.cmap": "viridis",
        "figure.dpi": 100,
        "savefig.dpi": 300,
        "savefig.bbox": "tight",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 12,
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "legend.frameon": False,
    })


