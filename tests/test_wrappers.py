"""The wrapping test: every seed unit in every synthetic page cleans back to the same counted tokens."""
import pytest

from analysis.ingest.wrappers import WRAPPERS, PageWrapper, hard_wrap, wrap_text, wrapping_report


@pytest.fixture(scope="module")
def report(corpus, segmenter):
    return wrapping_report(dict(zip(corpus.unit_id, corpus.text)), segmenter.tokenize)


def test_every_seed_unit_in_every_page_keeps_its_tokens(report, corpus):
    assert len(report) == len(corpus) * len(WRAPPERS)
    bad = report[~report.ok]
    assert bad.empty, bad[["id", "wrapper", "added", "lost"]].head(10).to_string()
    assert (report.tokens_expected > 0).all()


def test_the_pages_exercise_every_line_structure(report):
    assert {"one paragraph per line", "blank-line paragraphs", "wrapped lines"} <= set(report.line_structure)
    wrapped = report[report.wrapper.str.startswith("wrapped")]
    assert (wrapped.line_structure == "wrapped lines").mean() > 0.8


def test_junk_no_rule_knows_is_reported_as_added(segmenter, corpus):
    """The report can fail: a footer line of a site no rule knows adds its tokens."""
    site = PageWrapper("unknown-site", "footer text no rule catches", footer=("本站推荐阅读精选好文",), separator="\n")
    r = wrapping_report({"u": corpus.text.iloc[0]}, segmenter.tokenize, [site])
    assert not r.ok.iloc[0] and "精选×1" in r.added.iloc[0] and r.lost.iloc[0] == ""


def test_wrap_text_layouts():
    w = PageWrapper("x", "", header=("{headline}", "2022-11-26 10:08"), footer=("【打印】",), separator="\n",
                    crlf=True)
    assert wrap_text("第一段。\n第二段。", w, "标题") == "标题\r\n2022-11-26 10:08\r\n第一段。\r\n第二段。\r\n【打印】"
    w2 = PageWrapper("y", "", separator="\n\n", chrome_separator="\n")
    assert wrap_text("一。\n二。", w2, "标题") == "标题\n一。\n\n二。"


@pytest.mark.parametrize("text, width, lines", [
    ("会议指出要抓早抓小", 6, ["会议指", "出要抓", "早抓小"]),
    ("新增COVID-19病例", 8, ["新增", "COVID-19", "病例"]),  # an ASCII word is not cut
    ("ABCDEFGHIJ", 4, ["ABCD", "EFGH", "IJ"]),  # unless it is wider than the line
])
def test_hard_wrap(text, width, lines):
    assert hard_wrap(text, width) == lines
    assert "".join(lines) == text


def test_a_traditional_page_loses_its_chrome_like_a_simplified_one(corpus):
    """The rules are written in Simplified; a Traditional page is judged on its Simplified form."""
    import opencc

    from analysis.ingest.clean import clean_document

    s2t = opencc.OpenCC("s2t").convert
    text = corpus.text.iloc[0]
    for wrapper in WRAPPERS:
        simple = clean_document(wrap_text(text, wrapper))
        trad = clean_document(s2t(wrap_text(text, wrapper)))
        assert [s2t(p) for p in simple.paragraphs] == trad.paragraphs, wrapper.name
        assert [d["reason"] for d in simple.dropped] == [d["reason"] for d in trad.dropped], wrapper.name
