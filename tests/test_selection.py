"""The sampling frame (data/selection.yml): checked against the manifest, errors named, summary counted."""
import shutil

import pytest

import analysis as A
from analysis import CorpusError
from conftest import ROOT


@pytest.fixture
def data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(ROOT / "data" / "corpus.yml", d)
    shutil.copy(ROOT / "data" / "selection.yml", d)
    return d


def test_the_committed_frame_covers_every_manifest_document():
    f = A.load_selection()
    assert list(f[f.status == "included"].doc_id) == [
        "zaobao-20221112", "guancha-20210809", "bjyouth-20221113", "henanribao-20221118", "yangtse-20221112"]
    assert f.evidence.str.len().min() > 20


def test_summary_counts_what_is_recorded(data):
    text = (data / "selection.yml").read_text(encoding="utf-8")
    text = text.replace("""  - doc_id: guancha-20210809
    route: not recorded
    query: ~
    searched: ~
    retrieved: ~""", """  - doc_id: guancha-20210809
    route: Baidu News search
    query: 河南 疫情防控 专题会议
    searched: {start: 2021-08-01, end: 2021-08-31}
    retrieved: 2021-08-10""")
    text = text.replace("excluded: []", "excluded:\n  - title: 某市会议\n    reason: municipal, outside the frame")
    (data / "selection.yml").write_text(text, encoding="utf-8")
    f = A.load_selection(data)
    assert f.loc[f.doc_id == "guancha-20210809", "retrieved"].item().isoformat() == "2021-08-10"
    assert A.selection_summary(f) == (
        "**Sampling frame.** 5 documents: a search route is recorded for 1, a query for 1, a retrieval date "
        "for 1; 1 documents are recorded as seen and excluded. For 4 documents nobody recorded how they were "
        "found, so the corpus is a convenience sample: it shows what these reports say, not what the "
        "population of meetings said.")


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("  - doc_id: yangtse-20221112\n", "  - doc_id: other-doc\n"),
     r"documents not in corpus.yml: \['other-doc'\].*without an entry: \['yangtse-20221112'\]"),
    (lambda t: t.replace("    retrieved: ~\n    evidence: plain text of a 现代快报", "    retrieved: last week\n    evidence: plain text of a 现代快报"),
     r"document 'yangtse-20221112', field retrieved: 'last week' is not a date"),
    (lambda t: t.replace("    query: ~\n    searched: ~\n    retrieved: ~\n    evidence: plain text of a 现代快报",
                         "    searched: ~\n    retrieved: ~\n    evidence: plain text of a 现代快报"),
     r"document 'yangtse-20221112': missing field\(s\) \['query'\]"),
    (lambda t: t.replace("excluded: []", "excluded:\n  - title: x"), r"excluded entry 1: give a doc_id or title, and the reason"),
    (lambda t: t + "\nextra: 1\n", r"unknown key\(s\) \['extra'\]"),
])
def test_errors_name_the_entry_and_field(data, edit, message):
    p = data / "selection.yml"
    p.write_text(edit(p.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        A.load_selection(data)
    lenient = A.load_selection(data, strict=False)
    assert lenient.empty and A.selection_summary(lenient).startswith("**Sampling frame: not usable.**")


def test_missing_file_says_how_to_create_it(data):
    (data / "selection.yml").unlink()
    with pytest.raises(CorpusError, match="no sampling frame; create it"):
        A.load_selection(data)
