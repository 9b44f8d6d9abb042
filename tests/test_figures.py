"""Figure style, CJK font, atomic deterministic saving and the manifest."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from fontTools.ttLib import TTFont  # noqa: E402

import analysis as A  # noqa: E402
from pdfcheck import pdf_fonts  # noqa: E402


@pytest.fixture(scope="module")
def styled():
    A.use_style()
    yield
    plt.close("all")


def test_font_is_simplified_chinese_truetype():
    font = TTFont(str(A.cjk_font_path()))
    assert font["name"].getDebugName(1) == "Noto Sans CJK SC"
    assert "glyf" in font and "CFF " not in font  # TrueType outlines: no Type 42 mismatch
    cmap = font.getBestCmap()
    for ch in "动态清零层层加码骨直≥²“”、，":
        assert ord(ch) in cmap, ch


def test_font_build_is_deterministic(tmp_path):
    """No build timestamp: fonts built at different times are identical (and so are PDFs)."""
    import noto_cjk

    from analysis.figures import _SC_FACE

    built = TTFont(str(A.cjk_font_path()))
    source = TTFont(str(noto_cjk.otc_path("sans")), fontNumber=_SC_FACE)
    assert built["head"].modified == source["head"].modified


def test_simplified_glyph_forms_not_japanese():
    """骨 and 直 differ between the SC and JP faces; ours must match face 2 (SC) of the TTC."""
    import noto_cjk
    from fontTools.pens.recordingPen import RecordingPen

    ours = TTFont(str(A.cjk_font_path()))

    def outline(font, ch):
        gs = font.getGlyphSet()
        pen = RecordingPen()
        gs[font.getBestCmap()[ord(ch)]].draw(pen)
        return [op for op, _ in pen.value]

    ttc = str(noto_cjk.otc_path("sans"))
    sc, jp = TTFont(ttc, fontNumber=2), TTFont(ttc, fontNumber=0)
    assert jp["name"].getDebugName(1) == "Noto Sans CJK JP"
    for ch in "骨直":
        assert outline(sc, ch) != outline(jp, ch)
        assert "curveTo" not in outline(ours, ch)  # cubic CFF curves converted to TrueType quadratics
        assert len([o for o in outline(ours, ch) if o == "closePath"]) == \
            len([o for o in outline(sc, ch) if o == "closePath"])


def _figure():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.bar(["动态清零", "层层加码"], [3, 5])
    ax.set_title("关键词 ≥ 3.84")
    return fig


def test_save_figure_writes_pdf_png_csv_and_manifest(styled, tmp_path):
    data = pd.DataFrame({"term": ["动态清零", "层层加码"], "value": [3, 5.123456789]})
    row = A.save_figure(_figure(), "t_fig", data, caption="c", notebook="x.ipynb",
                        parameters={"k": 1}, directory=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.csv", "t_fig.csv", "t_fig.pdf", "t_fig.png"]
    assert (tmp_path / "t_fig.csv").read_text(encoding="utf-8") == "term,value\n动态清零,3\n层层加码,5.12346\n"
    m = A.read_manifest(tmp_path)
    assert m.name.tolist() == ["t_fig"] and m.parameters.item() == '{"k": 1}'
    assert row["data_hash"] and "matplotlib==" in row["packages"]
    from PIL import Image
    with Image.open(tmp_path / "t_fig.png") as im:
        assert round(im.info["dpi"][0]) == 300


def test_pdf_embeds_cjk_font_as_cid_truetype_no_type3(styled, tmp_path):
    A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="c", notebook="n", directory=tmp_path)
    fonts = pdf_fonts(tmp_path / "f.pdf")
    assert fonts, "no fonts found"
    for name, sub, desc, embedded in fonts:
        assert sub != "/Type3", name
        assert embedded == "/FontFile2", name
        assert desc == "/CIDFontType2", name
    assert any("NotoSansCJKsc" in f[0] for f in fonts)
    assert b"CreationDate" not in (tmp_path / "f.pdf").read_bytes()


def test_saving_is_byte_identical_across_runs(styled, tmp_path):
    data = pd.DataFrame({"a": [1.5]})
    blobs = []
    for d in ("one", "two"):
        A.save_figure(_figure(), "f", data, caption="c", notebook="n", directory=tmp_path / d)
        blobs.append([(tmp_path / d / f"f.{ext}").read_bytes() for ext in ("pdf", "png", "csv")])
    assert blobs[0] == blobs[1]


def test_manifest_upserts_rows(styled, tmp_path):
    for cap in ("first", "second"):
        A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption=cap, notebook="n", directory=tmp_path)
    A.save_figure(_figure(), "e", pd.DataFrame({"a": [1]}), caption="e", notebook="n", directory=tmp_path)
    m = A.read_manifest(tmp_path)
    assert m.name.tolist() == ["e", "f"] and m.set_index("name").caption["f"] == "second"


@pytest.mark.parametrize("name, data, msg", [
    ("bad name", pd.DataFrame({"a": [1]}), "letters, digits"),
    ("ok", pd.DataFrame(), "non-empty DataFrame"),
])
def test_save_figure_input_errors(styled, tmp_path, name, data, msg):
    with pytest.raises(ValueError, match=msg):
        A.save_figure(_figure(), name, data, caption="c", notebook="n", directory=tmp_path)
    assert not list(tmp_path.iterdir())


def test_word_cloud_is_deterministic():
    freqs = {"动态清零": 10, "层层加码": 7, "骨直": 3}
    a = A.word_cloud(freqs, width=200, height=120, seed=3)
    b = A.word_cloud(freqs, width=200, height=120, seed=3)
    assert (a == b).all() and a.shape == (120, 200, 3)
    assert (a < 250).any()  # something was drawn
