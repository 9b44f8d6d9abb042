"""The render memo (analysis/figures/rendermemo.py): same bytes, a key that sees every drawn
change, verified entries, and no key for what it cannot see."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import analysis as A  # noqa: E402
from analysis.figures import rendermemo  # noqa: E402
from analysis.figures.fontsubset import cached_font_subsets  # noqa: E402
from analysis.figures.rendermemo import PDF_ARGS, PNG_ARGS, figure_fingerprint, render_figure  # noqa: E402
from analysis.infra.cache import CacheWarning  # noqa: E402

SAVE = {k: v for k, v in PNG_ARGS.items() if k != "format"}
#: the key's sensitivity does not depend on the resolution: checked at 100 dpi (faster)
LOW = {**SAVE, "dpi": 100}


def build(style: bool = True):
    """A figure with most kinds of drawing: Chinese and Latin text, lines with markers,
    a collection, a hatched patch, an image, a legend, a rasterised scatter."""
    if style:
        A.use_style()
    fig, (a, b) = plt.subplots(1, 2, figsize=(5, 2.2))
    a.set_title("动态清零 与 科学精准")
    a.plot([1, 2, 3], [3, 1, 2], marker="o", label="清零")
    a.bar([1, 2], [1, 2], hatch="//", label="bars")
    a.scatter(np.arange(20), np.sin(np.arange(20)), s=4, rasterized=True)
    a.annotate("层层加码", (2, 2), xytext=(2.5, 2.8), arrowprops={"arrowstyle": "->"})
    a.legend(fontsize=6)
    img = np.arange(400, dtype=float).reshape(20, 20)
    b.imshow(img, cmap="viridis", interpolation="nearest")
    b.set_xlabel("x (−2 … 2)")
    fig.text(0.01, -0.12, "资料来源: 测试", fontsize=6)  # below the axes: it sets the crop
    return fig


@pytest.fixture
def fig():
    f = build()
    yield f
    plt.close(f)


def plain(fig, png_args=PNG_ARGS) -> tuple[bytes, bytes]:
    """The PDF and PNG as matplotlib saves them (the font-subset memo gives the same
    bytes, tests/test_fontsubset.py, and saves re-reading the CJK font each time)."""
    pdf, png = io.BytesIO(), io.BytesIO()
    with cached_font_subsets():
        fig.savefig(pdf, **PDF_ARGS)
    fig.savefig(png, **png_args)
    return pdf.getvalue(), png.getvalue()


def test_same_bytes_without_the_memo_on_a_miss_and_on_a_hit(fig, tmp_path):
    reference = plain(fig)
    assert render_figure(fig, folder=False) == reference
    assert render_figure(fig, folder=tmp_path) == reference  # miss: rendered, stored
    assert len(list(tmp_path.glob("*.render"))) == 1
    assert render_figure(fig, folder=tmp_path) == reference  # hit: the stored bytes
    assert plain(fig) == reference  # keying the figure left it as it was


def test_a_hit_does_not_render(fig, tmp_path, monkeypatch):
    stored = render_figure(fig, folder=tmp_path)

    def fail(f):
        raise AssertionError("rendered on a hit")

    monkeypatch.setattr(rendermemo, "_render", fail)
    assert render_figure(fig, folder=tmp_path) == stored
    with pytest.raises(AssertionError, match="rendered on a hit"):
        render_figure(fig, folder=tmp_path / "empty")  # the trap works


def test_the_key_is_the_same_for_the_same_figure_in_another_process(fig):
    here = figure_fingerprint(fig, **SAVE)
    assert here is not None and figure_fingerprint(build(), **SAVE) == here
    code = textwrap.dedent("""
        import sys; sys.path.insert(0, %r)
        import tests.test_rendermemo as t
        from analysis.figures.rendermemo import figure_fingerprint
        print(figure_fingerprint(t.build(), **t.SAVE))
    """) % os.getcwd()
    env = {**os.environ, "PYTHONHASHSEED": "12345", "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == here


def _axes(f):
    return f.axes[0], f.axes[1]


# each changes one drawn property; the PDF or the PNG differs, so must the key
CHANGES = {
    "title text": lambda f: _axes(f)[0].set_title("动态清零 与 科学精准!"),
    "title colour": lambda f: _axes(f)[0].title.set_color("#010101"),
    "font size by 0.1 pt": lambda f: _axes(f)[0].title.set_fontsize(_axes(f)[0].title.get_fontsize() + 0.1),
    "font family": lambda f: _axes(f)[1].xaxis.label.set_fontfamily("DejaVu Serif"),
    "line width": lambda f: _axes(f)[0].lines[0].set_linewidth(1.51),
    "dashes": lambda f: _axes(f)[0].lines[0].set_linestyle("--"),
    "marker": lambda f: _axes(f)[0].lines[0].set_marker("s"),
    "a data point by 1e-9": lambda f: _axes(f)[0].lines[0].set_ydata([3, 1, 2 + 1e-9]),
    "hatch": lambda f: _axes(f)[0].patches[0].set_hatch("\\\\"),
    "bar colour": lambda f: _axes(f)[0].patches[0].set_facecolor("#000001"),
    "alpha": lambda f: _axes(f)[0].lines[0].set_alpha(0.99),
    "rasterised (only the PDF shows it)": lambda f: _axes(f)[0].lines[0].set_rasterized(True),
    "not rasterised": lambda f: _axes(f)[0].collections[0].set_rasterized(False),
    "link (PDF only)": lambda f: _axes(f)[0].title.set_url("https://example.org"),
    "clipping": lambda f: _axes(f)[0].lines[0].set_clip_on(False),
    "drawing order": lambda f: _axes(f)[0].lines[0].set_zorder(0.5),
    "axis limits": lambda f: _axes(f)[0].set_xlim(0, 3.0001),
    "tick label": lambda f: _axes(f)[1].set_xticks([0, 10], ["0", "十"]),
    "annotation arrow": lambda f: _axes(f)[0].texts[0].arrow_patch.set_arrowstyle("-|>"),
    "legend text": lambda f: _axes(f)[0].get_legend().get_texts()[0].set_text("清零 "),
    "one image pixel (shown smaller than its size)": lambda f: _axes(f)[1].images[0].set_data(
        np.where(np.arange(400).reshape(20, 20) == 7, 8.0, np.arange(400).reshape(20, 20).astype(float))),
    "colour map": lambda f: _axes(f)[1].images[0].set_cmap("magma"),
    "interpolation": lambda f: _axes(f)[1].images[0].set_interpolation("bilinear"),
    "figure background": lambda f: f.patch.set_facecolor("#fefefe"),
    "figure size": lambda f: f.set_size_inches(5, 2.3),
    "crop only (a note left out of the tight box)": lambda f: f.texts[0].set_in_layout(False),
}


@pytest.fixture(scope="module")
def unchanged():
    """The unchanged figure's key and its PDF and PNG (100 dpi)."""
    f = build()
    yield figure_fingerprint(f, **LOW), plain(f, {**PNG_ARGS, **LOW})
    plt.close(f)


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_every_drawn_change_changes_the_key(name, unchanged):
    base, (pdf, png) = unchanged
    g = build()
    try:
        CHANGES[name](g)
        changed = figure_fingerprint(g, **LOW)
        assert base is not None and changed is not None
        assert changed != base, f"{name}: same key for a different drawing"
        # the change is real: the PNG or else the PDF differs (else this test could not fail)
        out = io.BytesIO()
        g.savefig(out, **{**PNG_ARGS, **LOW})
        if out.getvalue() == png:
            out = io.BytesIO()
            with cached_font_subsets():
                g.savefig(out, **PDF_ARGS)
            assert out.getvalue() != pdf, f"{name}: not a drawn change"
    finally:
        plt.close(g)


def test_a_stale_entry_is_never_served_after_a_change(tmp_path):
    f = build()
    render_figure(f, folder=tmp_path)
    f.axes[0].set_title("严防一刀切")
    assert render_figure(f, folder=tmp_path) == plain(f)
    assert len(list(tmp_path.glob("*.render"))) == 2
    plt.close(f)


def test_save_time_settings_are_part_of_the_key(fig, tmp_path):
    render_figure(fig, folder=tmp_path)
    with matplotlib.rc_context({"pdf.compression": 9}):
        assert render_figure(fig, folder=tmp_path) == plain(fig)
    assert len(list(tmp_path.glob("*.render"))) == 2


def test_what_cannot_be_keyed_is_rendered(tmp_path):
    A.use_style()
    g, bx = plt.subplots(figsize=(2, 2))
    line, = bx.plot([0, 1], [1, 2])
    line.set_agg_filter(lambda im, dpi: (im, 0, 0))  # a function the key cannot see into
    assert figure_fingerprint(g, **SAVE) is None
    assert render_figure(g, folder=tmp_path) == plain(g)
    assert not list(tmp_path.glob("*.render"))
    plt.close(g)


def test_a_failing_key_falls_back_to_rendering(fig, tmp_path, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("a matplotlib internal moved")

    monkeypatch.setattr(rendermemo, "figure_fingerprint", broken)
    assert render_figure(fig, folder=tmp_path) == plain(fig)
    assert not list(tmp_path.glob("*.render"))


def test_values_the_key_does_not_know_are_refused():
    from matplotlib.scale import LogTransform
    from matplotlib.transforms import Affine2D

    h = rendermemo._Hasher()
    h.feed(Affine2D().scale(2))  # affine: its matrix
    with pytest.raises(rendermemo._Unsupported, match="non-affine"):
        h.feed(LogTransform(10))
    with pytest.raises(rendermemo._Unsupported, match="object"):
        h.feed(object())


def test_values_are_told_apart_by_type_and_length():
    def key(*values):
        h = rendermemo._Hasher()
        for v in values:
            h.feed(v)
        return h.hexdigest()

    assert len({key(1), key(1.0), key(True), key("1"), key(b"1"), key(None)}) == 6
    assert key("ab", "c") != key("a", "bc")
    assert key([1, 2], [3]) != key([1], [2, 3])
    assert key(np.zeros(4, dtype="f8")) != key(np.zeros((2, 2), dtype="f8")) != key(np.zeros(4, dtype="f4"))
    assert key(0.1 + 0.2) != key(0.3)  # exact floats


def test_a_damaged_or_foreign_entry_is_rejected_and_rendered_again(fig, tmp_path):
    reference = render_figure(fig, folder=tmp_path)
    (entry,) = tmp_path.glob("*.render")
    raw = bytearray(entry.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    entry.write_bytes(bytes(raw))
    with pytest.warns(CacheWarning):
        assert render_figure(fig, folder=tmp_path) == reference
    other = build()
    other.axes[0].set_title("另一个")
    render_figure(other, folder=tmp_path)
    a, b = sorted(tmp_path.glob("*.render"), key=lambda p: p.stat().st_mtime_ns)
    a.write_bytes(b.read_bytes())  # another figure's valid entry under this figure's name
    with pytest.warns(CacheWarning):
        assert render_figure(fig, folder=tmp_path) == reference
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert render_figure(fig, folder=tmp_path) == reference
    plt.close(other)


def test_the_environment_switch_turns_it_off(fig, tmp_path, monkeypatch):
    monkeypatch.setenv("COVID_DISCOURSE_RENDER_MEMO", "0")
    assert render_figure(fig, folder=tmp_path) == plain(fig)
    assert not list(tmp_path.glob("*.render"))


def test_the_memo_keeps_its_most_recent_entries(tmp_path):
    figs = [build() for _ in range(3)]
    for i, f in enumerate(figs):
        f.axes[0].set_title(f"第{i}")
        render_figure(f, folder=tmp_path, max_entries=2)
    assert len(list(tmp_path.glob("*.render"))) == 2
    for f in figs:
        plt.close(f)


def test_an_image_change_only_the_pdf_shows_changes_the_key():
    """A 300 x 300 image drawn about 100 px wide: the PNG samples a third of its pixels,
    the PDF embeds all of them.  A pixel the PNG skips must still change the key."""
    A.use_style()
    data = np.random.default_rng(0).random((300, 300))

    def draw(d):
        f, ax = plt.subplots(figsize=(1.4, 1.4))
        ax.imshow(d, interpolation="nearest")
        ax.set_axis_off()
        return f

    f = draw(data)
    base, (pdf, png) = figure_fingerprint(f, **LOW), plain(f, {**PNG_ARGS, **LOW})
    plt.close(f)
    for i in range(1, 6):
        changed = data.copy()
        changed[i, i] = 1 - changed[i, i]
        g = draw(changed)
        g_pdf, g_png = plain(g, {**PNG_ARGS, **LOW})
        key = figure_fingerprint(g, **LOW)
        plt.close(g)
        if g_png == png:  # a pixel the PNG does not show
            assert g_pdf != pdf and key != base
            return
    pytest.fail("no skipped pixel found: the set-up no longer tests what it says")


@pytest.mark.parametrize("rc", [{"savefig.bbox": None}, {"savefig.bbox": None, "figure.constrained_layout.use": True},
                                {"figure.constrained_layout.use": True}])
def test_the_key_follows_the_save_without_a_tight_box_or_with_a_layout_engine(rc, tmp_path):
    """savefig lays a figure out first only for a tight box or a layout engine; the key is
    taken from that pass when there is one, else from a recorded draw."""
    A.use_style()
    with matplotlib.rc_context(rc):
        f, g, h = build(False), build(False), build(False)
        assert all(matplotlib.rcParams[k] == v for k, v in rc.items())
        g.axes[0].set_title("严防一刀切")
        kf, kg = figure_fingerprint(f, **LOW), figure_fingerprint(g, **LOW)
        assert kf is not None and kg is not None and kf != kg
        assert kf == figure_fingerprint(h, **LOW)
        assert render_figure(f, folder=tmp_path) == plain(f) == render_figure(f, folder=tmp_path)
    for x in (f, g, h):
        plt.close(x)


def test_the_backend_is_not_part_of_the_key_but_other_settings_are():
    """A kernel (inline backend) and a script (Agg) share entries; any setting that can change
    a saved file is in the key."""
    with matplotlib.rc_context({"backend": "Agg"}):
        agg = rendermemo._request("x")
    with matplotlib.rc_context({"backend": "module://matplotlib_inline.backend_inline"}):
        inline = rendermemo._request("x")
    assert agg == inline
    with matplotlib.rc_context({"savefig.pad_inches": 0.11}):
        assert rendermemo._request("x") != agg
    assert rendermemo._request("y") != agg


# --- the print-size check served beside the render ----------------------------------------------

def _trap(monkeypatch):
    """print_check as the memo calls it, counted."""
    from analysis.figures import printcheck

    calls = []
    monkeypatch.setattr(printcheck, "print_check", lambda f, w=None, real=printcheck.print_check: calls.append(w) or real(f, w))
    return calls


@pytest.mark.parametrize("width", [None, "single", "double"])
def test_the_print_check_is_served_with_a_hit_and_equals_checking_again(fig, tmp_path, monkeypatch, width):
    from analysis.figures.rendermemo import render_and_check

    want = A.print_check(fig, width)
    calls = _trap(monkeypatch)
    assert render_and_check(fig, width, folder=tmp_path) == (*plain(fig), want)  # miss: checked, stored
    assert calls == [width] and len(list(tmp_path.glob("*.check"))) == 1
    assert render_and_check(fig, width, folder=tmp_path) == (*plain(fig), want)  # hit: not checked
    assert calls == [width]
    assert render_and_check(fig, width, folder=False)[2] == want and len(calls) == 2  # no memo: checked


def test_a_print_check_with_problems_and_without_text_round_trips(tmp_path, monkeypatch):
    """Problems (a list of sentences) and a figure without text (min_text_pt NaN) come back
    from the memo as they were checked."""
    from analysis.figures.rendermemo import render_and_check

    A.use_style()
    crowded, ax = plt.subplots(figsize=(12, 12))
    for i in range(5):
        ax.text(0.5, 0.5, f"重叠文字{i}", fontsize=5)
    bare, bx = plt.subplots(figsize=(2, 2))
    bx.set_axis_off()
    bx.plot([0, 1], [0, 1])
    for f in (crowded, bare):
        want = A.print_check(f)
        first = render_and_check(f, folder=tmp_path)[2]
        calls = _trap(monkeypatch)
        again = render_and_check(f, folder=tmp_path)[2]
        assert not calls and repr(first) == repr(again) == repr(want)
        monkeypatch.undo()
    assert A.print_check(crowded).problems and np.isnan(A.print_check(bare).min_text_pt)
    plt.close(crowded)
    plt.close(bare)


def _print_changes():
    """Changes that leave the drawing as it is but change what print_check reads."""
    from analysis.figures.printcheck import declare_print_width, declare_raster_text

    return {
        "declared width": lambda f: declare_print_width(f, "double"),
        "words in an image": lambda f: declare_raster_text(f.axes[1], 2.0, 20),
        "panel label": lambda f: f.axes[0].set_label("panel A"),
        "figure dpi": lambda f: f.set_dpi(f.dpi * 2),
        "shared axis": lambda f: f.axes[0]._shared_axes["x"].join(*f.axes),
    }


@pytest.mark.parametrize("name", list(_print_changes()))
def test_what_the_print_check_reads_beyond_the_drawing_is_in_its_key(name, tmp_path, monkeypatch):
    from analysis.figures.rendermemo import _print_request, render_and_check

    f = build()
    before = figure_fingerprint(f, **SAVE)
    render_and_check(f, folder=tmp_path)
    key = _print_request(before, f, None)
    _print_changes()[name](f)
    assert figure_fingerprint(f, **SAVE) == before  # the drawing did not change ...
    assert _print_request(before, f, None) != key  # ... but the check's key did
    calls = _trap(monkeypatch)
    assert render_and_check(f, folder=tmp_path)[2] == A.print_check(f)
    assert calls == [None]  # checked again, not served
    plt.close(f)


def test_a_damaged_print_check_entry_is_checked_again(fig, tmp_path, monkeypatch):
    from analysis.figures.rendermemo import render_and_check

    want = render_and_check(fig, folder=tmp_path)[2]
    (entry,) = tmp_path.glob("*.check")
    raw = bytearray(entry.read_bytes())
    raw[-3] ^= 0xFF
    entry.write_bytes(bytes(raw))
    calls = _trap(monkeypatch)
    with pytest.warns(CacheWarning):
        assert render_and_check(fig, folder=tmp_path)[2] == want
    assert calls == [None]


def test_a_figure_without_a_key_is_checked(tmp_path, monkeypatch):
    from analysis.figures.rendermemo import render_and_check

    A.use_style()
    g, bx = plt.subplots(figsize=(2, 2))
    line, = bx.plot([0, 1], [1, 2])
    line.set_agg_filter(lambda im, dpi: (im, 0, 0))
    calls = _trap(monkeypatch)
    for _ in range(2):
        assert render_and_check(g, folder=tmp_path)[2] == A.print_check(g)
    assert calls == [None, None] and not list(tmp_path.glob("*.check"))
    plt.close(g)
