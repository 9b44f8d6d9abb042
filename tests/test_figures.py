"""Figure style, CJK font, atomic deterministic saving and the manifest."""
import json
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

    from analysis.figures.style import _SC_FACE

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


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


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


def _manifest_with_row(tmp_path):
    A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="c", notebook="n", directory=tmp_path)
    return (tmp_path / "manifest.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("damage, msg", [
    (lambda t: "<<<<<<< HEAD\n" + t + "=======\n" + t + ">>>>>>> other\n", "conflict marker"),
    (lambda t: t[:-25], "incomplete|fields"),
    (lambda t: t + "g,caption only\n", "2 fields instead of 16"),
    (lambda t: t.replace("name,caption", "name,title", 1), "columns"),
])
def test_corrupt_manifest_is_an_error_naming_the_file_and_never_rewritten(styled, tmp_path, damage, msg):
    bad = damage(_manifest_with_row(tmp_path))
    (tmp_path / "manifest.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(A.ManifestError, match=rf"manifest\.csv.*({msg})"):
        A.read_manifest(tmp_path)
    pdf = (tmp_path / "f.pdf").read_bytes()
    with pytest.raises(A.ManifestError, match="manifest.csv"):
        A.save_figure(_figure(), "g", pd.DataFrame({"a": [2]}), caption="c", notebook="n", directory=tmp_path)
    assert (tmp_path / "manifest.csv").read_text(encoding="utf-8") == bad
    assert not (tmp_path / "g.pdf").exists() and (tmp_path / "f.pdf").read_bytes() == pdf


def test_figure_files_and_manifest_row_replaced_together_or_not_at_all(styled, tmp_path, monkeypatch):
    """Disk full after the PDF was renamed: PDF, PNG, CSV and manifest all stay old."""
    import errno
    import os

    A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="old", notebook="n", directory=tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_replace, calls = os.replace, []

    def disk_full(src, dst):
        if os.path.dirname(os.fspath(dst)) == os.fspath(tmp_path):  # the figure's files, not a cache's
            calls.append(dst)
            if len(calls) == 2:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", disk_full)
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [1, 0])
    with pytest.raises(OSError, match="No space"):
        A.save_figure(fig, "f", pd.DataFrame({"a": [2]}), caption="new", notebook="n", directory=tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_read_only_manifest_is_refused(styled, tmp_path):
    text = _manifest_with_row(tmp_path)
    (tmp_path / "manifest.csv").chmod(0o444)
    with pytest.raises(PermissionError, match=r"manifest\.csv is read-only"):
        A.save_figure(_figure(), "g", pd.DataFrame({"a": [2]}), caption="c", notebook="n", directory=tmp_path)
    assert (tmp_path / "manifest.csv").read_text(encoding="utf-8") == text
    assert not (tmp_path / "g.pdf").exists()


def test_manifest_records_the_data_dir_actually_used(styled, tmp_path, make_data):
    from analysis.ingest.corpus import data_fingerprint

    data_dir = make_data({"a.txt": "中共某省委召开会议。"}, "documents: []\n")
    row = A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="c", notebook="n",
                        directory=tmp_path / "figs", data_dir=data_dir, parameters={"k": 1})
    assert row["data_hash"] == data_fingerprint(data_dir) != data_fingerprint()
    assert json.loads(row["parameters"]) == {"k": 1, "data_dir": str(data_dir)}


def test_manifest_code_hash_ignores_outputs_and_execution_counts(styled, tmp_path, monkeypatch):
    """A JupyterLab Run All (outputs, execution counts, metadata) changes no hash;
    editing a cell's source does."""
    from conftest import ROOT

    nb = json.loads((ROOT / "notebooks" / "01_corpus_overview.ipynb").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "01_corpus_overview.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    clean = A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="c",
                          notebook=path.name, directory=tmp_path / "figs")
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            cell["execution_count"] = i + 1
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["1 2 3\n"]}]
            cell["metadata"]["execution"] = {"iopub.status.busy": "2026-11-23T21:00:00Z"}
    nb["metadata"]["widgets"] = {"state": {}}
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    ran = A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="c",
                        notebook=path.name, directory=tmp_path / "figs")
    assert ran["code_hash"] == clean["code_hash"]
    nb["cells"][-1]["source"] = ["# a researcher's note\n"] + list(nb["cells"][-1]["source"])
    path.write_text(json.dumps(nb), encoding="utf-8")
    edited = A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="c",
                           notebook=path.name, directory=tmp_path / "figs")
    assert edited["code_hash"] != clean["code_hash"]


def test_keywords_hash_only_for_notebooks_that_use_keywords(styled, tmp_path):
    from analysis.figures.saving import input_hashes

    assert input_hashes("01_corpus_overview.ipynb")["keywords_hash"] == "-"
    assert input_hashes("04_keywords.ipynb")["keywords_hash"] != "-"


def test_code_hash_covers_only_modules_the_notebook_uses():
    from conftest import ROOT
    from analysis.infra.provenance import notebook_modules

    mods = notebook_modules(ROOT / "notebooks" / "01_corpus_overview.ipynb")
    assert {"ingest/corpus.py", "figures/saving.py", "figures/frequency_plots.py"} <= set(mods)
    assert "measures/keyness.py" not in mods
    assert "workflow/interactive.py" in notebook_modules(ROOT / "notebooks" / "04_keywords.ipynb")


def test_a_notebook_edited_in_the_same_session_is_read_again(tmp_path):
    """The parse of a notebook's code is memoised (every saved figure asks again): an edit
    made between two saves must still change the modules and the families flag."""
    import json

    from analysis.infra.provenance import code_hash, notebook_modules, reads_families

    nb = tmp_path / "n.ipynb"

    def write(code):
        nb.write_text(json.dumps({"cells": [{"cell_type": "code", "source": code}]}), encoding="utf-8")

    write("import analysis as A\nA.kwic(tokens, '清零')")
    before, hash_before = notebook_modules(nb), code_hash(nb)
    assert "measures/context.py" in before
    assert not reads_families(nb)
    write("import analysis as A\nA.keyness(t, 'period', 'a', 'b')\nA.load_families()")
    after = notebook_modules(nb)
    assert "measures/keyness.py" in after and "measures/keyness.py" not in before
    assert reads_families(nb) and code_hash(nb) != hash_before


def test_module_imports_come_from_a_verified_disk_memo_keyed_by_the_source(tmp_path, monkeypatch):
    """A fresh process reads a module's imports from the disk memo instead of parsing it;
    another source (or layout) is parsed; a damaged entry is rejected and parsed again."""
    import ast
    import warnings

    from analysis.infra import provenance
    from analysis.infra.cache import CacheWarning

    monkeypatch.setenv("COVID_DISCOURSE_CACHE", str(tmp_path))
    layout = provenance._layout()
    source = "from analysis.measures import keyness\nfrom . import saving\n"
    provenance._module_imports.cache_clear()
    parsed = provenance._module_imports(source, "figures", layout)
    assert parsed == {"measures.keyness", "figures.saving"}
    (entry,) = (tmp_path / "covid-discourse" / "provenance").glob("*.imports")

    def no_parse(*a, **k):
        raise AssertionError("parsed")

    provenance._module_imports.cache_clear()  # as in a new process
    monkeypatch.setattr(ast, "parse", no_parse)
    assert provenance._module_imports(source, "figures", layout) == parsed  # from the memo
    for other in [(source + "import analysis.text.tokens\n", "figures", layout), (source, "measures", layout),
                  (source, "figures", layout + ("new.py",))]:
        with pytest.raises(AssertionError, match="parsed"):
            provenance._module_imports(*other)
    monkeypatch.undo()
    monkeypatch.setenv("COVID_DISCOURSE_CACHE", str(tmp_path))
    raw = bytearray(entry.read_bytes())
    raw[-3] ^= 0xFF
    entry.write_bytes(bytes(raw))
    provenance._module_imports.cache_clear()
    with pytest.warns(CacheWarning):
        assert provenance._module_imports(source, "figures", layout) == parsed
    provenance._module_imports.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert provenance._module_imports(source, "figures", layout) == parsed
    provenance._module_imports.cache_clear()


def test_a_system_font_of_the_same_family_never_replaces_the_converted_one(monkeypatch):
    """Debian's fonts-noto-cjk registers 'Noto Sans CJK SC' too (a .ttc whose face 0 is Japanese, CFF
    outlines); matplotlib then picked it on machines that have it, and figures differed by machine."""
    from matplotlib import font_manager

    fm = font_manager.fontManager
    path = str(A.cjk_font_path())
    A.use_style()
    mine = next(f for f in fm.ttflist if f.fname == path)
    rival = font_manager.FontEntry(fname="/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                                   name=mine.name, style=mine.style, variant=mine.variant,
                                   weight=mine.weight, stretch=mine.stretch, size=mine.size)
    monkeypatch.setattr(fm, "ttflist", [rival, *fm.ttflist])
    fm._findfont_cached.cache_clear()
    A.use_style()
    assert font_manager.findfont("Noto Sans CJK SC") == path
    assert rival not in fm.ttflist


def test_formulas_never_reach_figure_csvs_or_the_manifest(styled, tmp_path):
    """A theme named like a spreadsheet formula is written as text (OWASP: leading quote)."""
    data = pd.DataFrame({"theme": ['=HYPERLINK("http://e.x","a")', "@SUM(A1)", "清零"],
                         "delta": [-0.5, 1.0, 2.0], "label": ["-1+2", "-", "+3"]})
    A.save_figure(_figure(), "f", data, caption="=cmd|' /C calc'!A0", notebook="n", directory=tmp_path)
    assert (tmp_path / "f.csv").read_text(encoding="utf-8") == (
        'theme,delta,label\n"\'=HYPERLINK(""http://e.x"",""a"")",-0.5,\'-1+2\n\'@SUM(A1),1,-\n清零,2,+3\n')
    import csv
    with open(tmp_path / "manifest.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["caption"] == "'=cmd|' /C calc'!A0"
    for cell in (c for r in rows for c in r.values()):
        assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not (cell.startswith("-") and cell != "-")
    # saving again reads the neutralised caption back and writes the same bytes
    before = (tmp_path / "manifest.csv").read_bytes()
    A.save_figure(_figure(), "f", data, caption="=cmd|' /C calc'!A0", notebook="n", directory=tmp_path)
    assert (tmp_path / "manifest.csv").read_bytes() == before


def test_manifest_records_the_sha256_of_each_figure_file(styled, tmp_path):
    import hashlib
    row = A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="c", notebook="n", directory=tmp_path)
    m = A.read_manifest(tmp_path).set_index("name")
    digests = [hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for f in m.loc["f", "files"].split()]
    assert m.loc["f", "files"] == "f.pdf f.png f.csv"
    assert m.loc["f", "sha256"] == row["sha256"] == " ".join(digests)


def test_a_manifest_without_the_sha256_column_is_read_and_upgraded(styled, tmp_path):
    text = _manifest_with_row(tmp_path)
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][10] == "sha256"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(r[:10] for r in rows)  # the columns before sha256
    (tmp_path / "manifest.csv").write_text(out.getvalue(), encoding="utf-8")
    m = A.read_manifest(tmp_path)
    assert m.sha256.tolist() == [""] and m.files.tolist() == ["f.pdf f.png f.csv"]
    A.save_figure(_figure(), "g", pd.DataFrame({"a": [2]}), caption="c", notebook="n", directory=tmp_path)
    m = A.read_manifest(tmp_path).set_index("name")
    assert m.loc["f", "sha256"] == "" and len(m.loc["g", "sha256"].split()) == 3


def test_temporary_files_of_an_interrupted_save_are_removed_by_the_next(styled, tmp_path):
    A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="c", notebook="n", directory=tmp_path)
    leftovers = [tmp_path / ".f.pdf.k2j3.tmp", tmp_path / ".manifest.csv.x9.tmp", tmp_path / ".f.csv.ab.old"]
    for p in leftovers:
        p.write_bytes(b"half")
    A.save_figure(_figure(), "f", pd.DataFrame({"a": [1]}), caption="c", notebook="n", directory=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.csv", "f.pdf", "f.png", "manifest.csv"]
