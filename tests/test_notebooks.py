"""Notebooks: committed without outputs, thin, and executed headless; figures not stale."""
import json
import re

import pytest

from analysis.build import notebooks, run_notebooks
from conftest import ROOT
from pdfcheck import pdf_fonts

NOTEBOOKS = notebooks()


def test_there_are_four_numbered_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_corpus_overview", "02_periods", "03_provinces", "04_keywords"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code), "strip outputs"
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in code), "no parameters cell"
    src = "\n".join("".join(c["source"]) for c in code)
    assert not re.search(r"^\s*(def|class) ", src, flags=re.M), "logic belongs in analysis/, not notebooks"


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    times = run_notebooks(NOTEBOOKS, figures_dir=out, out_dir=tmp_path_factory.mktemp("executed"), log=lambda *_: None)
    return out, times


def test_all_notebooks_execute_headless(built):
    assert [name for name, _ in built[1]] == [p.name for p in NOTEBOOKS]


def test_at_least_ten_figures_with_manifest_rows(built):
    out, _ = built
    pdfs = sorted(p.stem for p in out.glob("*.pdf"))
    assert len(pdfs) >= 10
    for stem in pdfs:
        assert (out / f"{stem}.png").is_file() and (out / f"{stem}.csv").is_file()
    manifest = (out / "manifest.csv").read_text(encoding="utf-8")
    assert all(f"\n{stem}," in manifest for stem in pdfs)


def test_every_pdf_embeds_its_fonts_and_has_no_type3(built):
    out, _ = built
    for pdf in sorted(out.glob("*.pdf")):
        fonts = pdf_fonts(pdf)
        assert fonts, pdf.name
        for name, sub, _desc, embedded in fonts:
            assert sub != "/Type3" and embedded, (pdf.name, name)
        assert any("NotoSansCJKsc" in f[0] for f in fonts), pdf.name


def test_committed_figures_are_not_stale(built):
    out, _ = built
    committed = ROOT / "figures"
    fresh = sorted(p.name for p in out.glob("*.csv") if p.name != "manifest.csv")
    assert fresh == sorted(p.name for p in committed.glob("*.csv") if p.name != "manifest.csv"), \
        "figure set changed: run `make figures` and commit figures/"
    for name in fresh:
        assert (out / name).read_bytes() == (committed / name).read_bytes(), \
            f"figures/{name} is stale: run `make figures` and commit figures/"


def test_committed_manifest_matches_inputs_and_code(built):
    """The hashes a reader cites must describe the committed figures (package versions excluded:
    they legitimately differ on the conda route)."""
    import pandas as pd

    cols = ["name", "caption", "notebook", "parameters", "data_hash", "lexicon_hash",
            "keywords_hash", "code_hash", "files"]
    fresh = pd.read_csv(built[0] / "manifest.csv", dtype=str, keep_default_na=False)[cols]
    committed = pd.read_csv(ROOT / "figures" / "manifest.csv", dtype=str, keep_default_na=False)[cols]
    pd.testing.assert_frame_equal(fresh, committed, obj="figures/manifest.csv (run `make figures`)")
