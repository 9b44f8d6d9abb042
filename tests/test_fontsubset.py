"""The PDF font-subset memo (analysis/figures/fontsubset.py): same bytes, verified, bounded."""
from __future__ import annotations

import io
import warnings

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends import _backend_pdf_ps as pdfps  # noqa: E402

import analysis as A  # noqa: E402
from analysis.figures.fontsubset import cached_font_subsets  # noqa: E402
from analysis.infra.cache import CacheWarning  # noqa: E402

META = {"CreationDate": None, "ModDate": None}


@pytest.fixture(scope="module")
def fig():
    A.use_style()
    f, ax = plt.subplots(figsize=(3, 2))
    ax.set_title("动态清零 与 科学精准")
    ax.set_xlabel("Log ratio (2022-11 / 2021-08) −2")
    ax.plot([1, 2], [3, 4], label="清零 per 10,000 tokens")
    ax.legend()
    yield f
    plt.close(f)


def pdf(fig, **kw) -> bytes:
    out = io.BytesIO()
    with cached_font_subsets(**kw):
        fig.savefig(out, format="pdf", metadata=META)
    return out.getvalue()


def test_same_pdf_bytes_without_memo_on_a_miss_and_on_a_hit(fig, tmp_path):
    plain = pdf(fig, folder=False)
    assert pdf(fig, folder=tmp_path) == plain  # miss: matplotlib's own subset, stored
    stored = sorted(tmp_path.glob("*.subset"))
    assert len(stored) == 2  # the CJK font and DejaVu (Latin, the minus sign)
    assert pdf(fig, folder=tmp_path) == plain  # hit: the stored bytes
    assert sorted(tmp_path.glob("*.subset")) == stored


def test_a_hit_does_not_call_fonttools(fig, tmp_path, monkeypatch):
    plain = pdf(fig, folder=tmp_path)
    import fontTools.subset

    def fail(*a, **k):
        raise AssertionError("fontTools subsetting ran on a hit")

    monkeypatch.setattr(fontTools.subset.Subsetter, "subset", fail)
    assert pdf(fig, folder=tmp_path) == plain  # a miss would raise
    with pytest.raises(AssertionError, match="fontTools subsetting ran"):
        pdf(fig, folder=tmp_path / "empty")  # the trap works


def test_a_damaged_or_foreign_entry_is_rejected_and_rebuilt(fig, tmp_path):
    plain = pdf(fig, folder=False)
    pdf(fig, folder=tmp_path)
    a, b = sorted(tmp_path.glob("*.subset"))
    raw = bytearray(a.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    a.write_bytes(bytes(raw))
    b.write_bytes(b.with_name(a.name).read_bytes())  # the damaged file's bytes under another key's name
    with pytest.warns(CacheWarning):
        assert pdf(fig, folder=tmp_path) == plain
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheWarning)
        assert pdf(fig, folder=tmp_path) == plain  # rebuilt entries verify again


def test_matplotlib_functions_are_restored_even_after_an_error(tmp_path):
    before = (pdfps.get_glyphs_subset, pdfps.font_as_file)
    with pytest.raises(RuntimeError):
        with cached_font_subsets(folder=tmp_path):
            assert pdfps.get_glyphs_subset is not before[0]
            raise RuntimeError("boom")
    assert (pdfps.get_glyphs_subset, pdfps.font_as_file) == before


def test_memo_keeps_the_most_recently_used_entries(tmp_path):
    A.use_style()
    for i, text in enumerate(["清零", "精准", "加码"]):
        f, ax = plt.subplots(figsize=(2, 1))
        ax.set_title(text)
        out = io.BytesIO()
        with cached_font_subsets(folder=tmp_path, max_entries=2):
            f.savefig(out, format="pdf", metadata=META)
        plt.close(f)
        assert len(list(tmp_path.glob("*.subset"))) <= 2
