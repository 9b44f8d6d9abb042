"""The print-size check: synthetic figures (one passing, one per defect) and every committed figure."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import analysis as A  # noqa: E402
from analysis.figures.printcheck import MAX_HEIGHT_IN, MIN_TEXT_PT, WIDTHS  # noqa: E402
from analysis.infra.provenance import PRINT_COLUMNS  # noqa: E402


pytestmark = pytest.mark.usefixtures("styled_figures")  # tests/conftest.py


def _saved_inches(fig):
    """Width and height of the file savefig writes (bbox tight), read back from a PNG."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    w, h = Image.open(io.BytesIO(buf.getvalue())).size
    return w / 100, h / 100


def _good(figsize=(3.4, 2.6)):
    fig, ax = plt.subplots(figsize=figsize)
    ax.bar(["甲", "乙", "丙"], [3, 5, 2])
    ax.set_ylabel("per 10,000 tokens")
    ax.set_title("A readable panel")
    return fig


def test_passing_figure_and_measures_match_the_saved_file():
    fig = _good()
    check = A.print_check(fig, "single")
    assert check.ok, check.problems
    w, h = _saved_inches(fig)
    scale = WIDTHS["single"] / w
    assert check.scale == pytest.approx(scale, abs=0.02)
    assert check.height_in == pytest.approx(h * scale, abs=0.03)
    # the smallest text is the 9 pt tick labels (style), scaled
    assert check.min_text_pt == pytest.approx(9 * scale, abs=0.05)
    fields = check.manifest_fields()
    assert list(fields) == PRINT_COLUMNS and fields["print_problems"] == "-"


def test_default_width_follows_the_drawn_width():
    assert A.print_check(_good((3.4, 2.6))).width == "single"
    assert A.print_check(_good((8, 3))).width == "double"
    with pytest.raises(ValueError, match="single"):
        A.print_check(_good(), "triple")


def test_small_text_fails():
    fig = _good((10, 3))  # 9 pt ticks shrink to about 3 pt in one column
    check = A.print_check(fig, "single")
    assert check.min_text_pt < MIN_TEXT_PT
    assert any("pt" in p and "< 6 pt" in p for p in check.problems)
    assert A.print_check(fig, "double").ok  # at 7 in the same figure reads


def test_overlapping_text_fails():
    fig = _good()
    ax = fig.axes[0]
    ax.text(1, 4, "安置、查清", fontsize=9)
    ax.text(1.05, 4.05, "清仓见底", fontsize=9)
    check = A.print_check(fig, "single")
    assert any("overlapping" in p and "安置、查清" in p for p in check.problems), check.problems


def test_touching_but_separate_labels_pass():
    fig = _good()
    ax = fig.axes[0]
    ax.text(0, 4.5, "完成", fontsize=9)
    ax.text(2, 4.5, "导致", fontsize=9)
    assert A.print_check(fig, "single").ok


def test_panel_without_scale_fails_and_shared_column_passes():
    fig, axes = plt.subplots(2, 2, figsize=(6.5, 4), sharex=True)
    for ax in axes.flat:
        ax.barh(["a", "b"], [1, 2])
    axes[1, 1].axis("off")  # bottom-right empty: column 2's top panel keeps ticks, no labels
    check = A.print_check(fig, "double")
    assert any("no tick labels" in p for p in check.problems), check.problems
    axes[0, 1].tick_params(labelbottom=True)
    assert A.print_check(fig, "double").ok, A.print_check(fig, "double").problems


def test_taller_than_a_page_fails():
    fig = _good((3.4, 10))
    check = A.print_check(fig, "single")
    assert check.height_in > MAX_HEIGHT_IN
    assert any("tall" in p for p in check.problems)


def test_words_inside_an_image_are_measured():
    fig, ax = plt.subplots(figsize=(6.8, 3))
    ax.imshow([[0, 1], [1, 0]])
    ax.axis("off")
    ax.set_title("cloud")
    assert A.print_check(fig, "double").ok
    A.declare_raster_text(ax, smallest_px=6, image_height_px=500)  # 6 px of 500 in ~2.7 in
    check = A.print_check(fig, "double")
    h_pt = ax.get_window_extent(fig.canvas.get_renderer()).height / fig.dpi * 72
    assert check.min_text_pt == pytest.approx(6 / 500 * h_pt * check.scale, rel=1e-6)
    assert any("words in an image" in p for p in check.problems)


def test_save_figure_records_the_check_and_warns(tmp_path, monkeypatch):
    monkeypatch.setenv("FIGURES_DIR", str(tmp_path))
    data = pd.DataFrame({"x": [1]})
    row = A.save_figure(_good(), "ok", data, caption="c", notebook="02_periods.ipynb", width="single")
    assert row["print_width"] == "single" and row["print_problems"] == "-"
    with pytest.warns(A.PrintSizeWarning, match="pt"):
        row = A.save_figure(_good((10, 3)), "small", data, caption="c", notebook="02_periods.ipynb",
                            width="single")
    m = A.read_manifest(tmp_path).set_index("name")
    assert m.loc["small", "print_problems"].startswith("text prints at")
    assert float(m.loc["ok", "min_text_pt"]) >= MIN_TEXT_PT


def test_legacy_manifest_reads_with_print_columns_empty(tmp_path):
    from analysis.infra.provenance import MANIFEST_COLUMNS

    old = MANIFEST_COLUMNS[:11]
    (tmp_path / "manifest.csv").write_text(",".join(old) + "\n" + ",".join("v" for _ in old) + "\n")
    m = A.read_manifest(tmp_path)
    assert (m[PRINT_COLUMNS] == "").all(axis=None)


def test_every_committed_figure_passes_at_print_size():
    """Fails when any committed figure (including ones added later) would not survive print:
    rerun its notebook (`make figures`) after fixing what the message says."""
    m = A.read_manifest()
    assert len(m)
    bad = [f"{r.name}: {r.print_problems or 'not checked (made before the print check: run make figures)'}"
           for r in m.itertuples() if r.print_problems != "-"]
    assert not bad, "figures fail the print-size check:\n" + "\n".join(bad)
    assert (m["print_width"].isin(list(WIDTHS))).all()
    assert (m["min_text_pt"].astype(float) >= MIN_TEXT_PT).all()
    assert (m["print_height_in"].astype(float) <= MAX_HEIGHT_IN).all()


def test_rotated_labels_are_compared_as_rotated_rectangles():
    """Long tick labels at 40°: their axis-aligned boxes overlap, the glyphs do not."""
    fig, ax = plt.subplots(figsize=(3.2, 3))
    names = ["central formulas", "war metaphor", "stringency", "precision"]
    ax.bar(range(4), [1, 2, 3, 4])
    ax.set_xticks(range(4), names, rotation=40, ha="right")
    r = fig.canvas.get_renderer()
    fig.canvas.draw()
    boxes = [t.get_window_extent(r) for t in ax.get_xticklabels()]
    assert boxes[0].overlaps(boxes[1])  # the naive test would flag them
    assert A.print_check(fig, "single").ok, A.print_check(fig, "single").problems
    ax.set_xticks(range(4), names, rotation=40, ha="right", fontsize=48)  # now they do collide
    assert any("overlapping" in p for p in A.print_check(fig, "single").problems)


def test_separating_axis_overlap_by_hand():
    import numpy as np

    from analysis.figures.printcheck import _overlap

    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    assert _overlap(square, square + [1.5, 1.5], tol=0.1)          # share a 0.5 x 0.5 corner
    assert not _overlap(square, square + [1.95, 0], tol=0.1)       # share 0.05 only
    diamond = np.array([[3, 1], [4, 2], [3, 3], [2, 2]], float)    # touches the square's right edge at x=2
    assert not _overlap(square, diamond, tol=0.1)
    assert _overlap(square, diamond - [0.5, 0], tol=0.1)           # pushed 0.5 into it


def test_builder_declared_width_is_the_default():
    fig = _good((8, 3))
    A.declare_print_width(fig, "single")
    assert A.print_check(fig).width == "single"
    assert A.print_check(fig, "double").width == "double"
    with pytest.raises(ValueError):
        A.declare_print_width(fig, "wide")


def test_leader_lines_do_not_count_as_text():
    """An annotation's extent includes its leader line; only the text is compared."""
    fig = _good()
    ax = fig.axes[0]
    ax.text(1.0, 4.5, "完成", fontsize=9)
    ax.annotate("安置", (0, 0.5), xytext=(2, 4.5), arrowprops=dict(arrowstyle="-"))  # the line crosses 完成
    assert A.print_check(fig, "single").ok, A.print_check(fig, "single").problems
    ax.annotate("查清", (0, 0.5), xytext=(1.05, 4.55), arrowprops=dict(arrowstyle="-"))  # the text on 完成
    assert any("overlapping" in p for p in A.print_check(fig, "single").problems)


def test_the_bounding_box_prefilter_finds_every_overlapping_pair():
    """print_check tests only pairs whose bounding boxes overlap (_touching_pairs); on
    random rectangles, axis-aligned and rotated, touching and apart, that gives exactly the
    pairs the full quadratic loop over all pairs finds, in the same order."""
    import numpy as np

    from analysis.figures.printcheck import _overlap, _touching_pairs

    rng = np.random.default_rng(7)
    quads = []
    for k in range(160):
        w, h = rng.uniform(1, 30, 2)
        cx, cy = rng.uniform(0, 200, 2)
        th = 0.0 if k % 3 else rng.uniform(0, np.pi)
        rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        quads.append(np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2 @ rot.T + [cx, cy])
    quads.append(quads[0] + [np.ptp(quads[0][:, 0]), 0])  # exactly touching its neighbour
    for tol in (0.0, 0.5, 3.0):
        full = [(i, j) for i in range(len(quads)) for j in range(i + 1, len(quads))
                if _overlap(quads[i], quads[j], tol)]
        fast = [(i, j) for i, j in _touching_pairs(quads) if _overlap(quads[i], quads[j], tol)]
        assert fast == full and len(full) > 20
    assert _touching_pairs([]) == [] and _touching_pairs(quads[:1]) == []
