"""Cleaning: front matter, HTML, boilerplate, width normalisation, page-break repair."""
import re

from analysis.clean import clean_document, normalize_width
from conftest import ROOT

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_front_matter_becomes_metadata_and_is_logged():
    raw = "---\ntitle: \"标题\"\nfrom: https://example.org/a\n---\n<div><p>正文第一段。</p><p>第二段。</p></div>"
    doc = clean_document(raw)
    assert doc.metadata["title"] == "标题"
    assert doc.metadata["url"] == "https://example.org/a"
    assert doc.paragraphs == ["正文第一段。", "第二段。"]
    assert [d["reason"] for d in doc.dropped][:1] == ["front matter (parsed into metadata)"]
    assert len(doc.dropped) == 4  # the four front-matter lines


def test_html_blocks_split_paragraphs_inline_tags_do_not():
    raw = ("<div><p>\n一要<strong>严格落实</strong>部署。\n</p><section><div id=\"dfp-ad-1\">  </div></section>"
           "<p>二要加快。&nbsp;</p><!-- comment --><script>var x=1;</script></div>")
    doc = clean_document(raw)
    assert doc.paragraphs == ["一要严格落实部署。", "二要加快。"]
    assert doc.markup_chars > 0


def test_boilerplate_lines_are_dropped_with_reasons():
    raw = "标题\n\n正文。\n\n责编:北风\n\n    网友评论\n\n    上一篇:别的文章\n    沪ICP备14002729号"
    doc = clean_document(raw)
    assert doc.paragraphs == ["标题", "正文。"]
    reasons = {d["line"]: d["reason"] for d in doc.dropped}
    assert reasons["责编：北风"] == "byline: editor"
    assert reasons["网友评论"].startswith("site footer")
    assert "ICP" in reasons["沪ICP备14002729号"]


def test_repeated_headline_is_dropped_but_entry_continues():
    raw = "大标题 副标题\n\n湖南省召开会议，部署工作。\n\n大标题 副标题\n\n毛伟明强调，要坚持四早。"
    doc = clean_document(raw)
    assert doc.paragraphs == ["大标题 副标题", "湖南省召开会议，部署工作。", "毛伟明强调，要坚持四早。"]
    assert doc.dropped == [{"line": "大标题 副标题", "reason": "repeated headline (page header)"}]


def test_page_breaks_are_repaired():
    raw = "标题\n\n一要统一思想。完整、\n\n准确、全面贯彻。\n\n高效统筹疫情防控和经济社会发展，不\n\n折不扣落实。"
    doc = clean_document(raw)
    assert doc.paragraphs == ["标题", "一要统一思想。完整、准确、全面贯彻。", "高效统筹疫情防控和经济社会发展，不折不扣落实。"]
    assert len(doc.joins) == 2


def test_headlines_are_not_joined_to_the_next_paragraph():
    raw = ("文章\n\n抓早抓小 以快制快\n\n11日，多位省级党政一把手提到以快制快。\n\n"
           "不再判定密接的密接，取消入境航班熔断机制 进一步优化二十条措施公布\n\n国务院联防联控机制综合组公布通知。")
    doc = clean_document(raw)
    assert "抓早抓小 以快制快" in doc.paragraphs
    assert "不再判定密接的密接，取消入境航班熔断机制 进一步优化二十条措施公布" in doc.paragraphs
    assert doc.joins == []


def test_width_normalisation_never_alters_han_characters():
    s = "11月11日,国务院 (第九版) Ct值<35, ＡＢ１２ “一手打伞、一手干活”, 以超常规"
    out = normalize_width(s)
    assert out == "11月11日，国务院（第九版）Ct值<35, AB12“一手打伞、一手干活”，以超常规"
    assert HAN.findall(out) == HAN.findall(s)


def test_real_documents_keep_every_han_character_they_do_not_log():
    """Characters of the raw files = kept + logged drops (+ markup): nothing vanishes unseen."""
    for path in sorted((ROOT / "data" / "raw").glob("*.txt")):
        raw = path.read_text(encoding="utf-8")
        doc = clean_document(raw)
        kept = "".join(HAN.findall(doc.text))
        logged = "".join(HAN.findall("".join(d["line"] for d in doc.dropped)))
        assert sorted(kept + logged) == sorted(HAN.findall(raw)), path.name
