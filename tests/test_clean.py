"""Cleaning: front matter, HTML, boilerplate, width normalisation, page-break repair."""
import re

from analysis.ingest.clean import clean_document, normalize_width
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
    from analysis.ingest.corpus import read_raw

    for path in sorted(p for p in (ROOT / "data" / "raw").iterdir() if p.name != "SHA256SUMS"):
        raw, _ = read_raw(path)
        doc = clean_document(raw)
        kept = "".join(HAN.findall(doc.text))
        logged = "".join(HAN.findall("".join(d["line"] for d in doc.dropped)))
        assert sorted(kept + logged) == sorted(HAN.findall(raw)), path.name


# -- web chrome and inline junk: every rule on positive AND negative examples --------------
from analysis.ingest.clean import anti_scraping_spans, line_junk_reason, remove_inline_junk  # noqa: E402

import pytest  # noqa: E402


@pytest.mark.parametrize("line, reason", [
    ("当前位置：首页 > 新闻中心 > 要闻", "site chrome: breadcrumb"),
    ("您的位置: 首页>>政务公开", "site chrome: breadcrumb"),
    ("首页 > 要闻动态 > 正文", "site chrome: breadcrumb"),
    ("发布时间：2022-11-12 10:30 来源：某某网", "byline: publication time"),
    ("浏览次数：1234", "site chrome: view counter"),
    ("点击：356", "site chrome: view counter"),
    ("字体大小：大 中 小", "site chrome: font-size control"),
    ("【字体：大 中 小】", "site chrome: font-size control"),
    ("扫一扫在手机打开当前页", "site chrome: QR-code prompt"),
    ("返回顶部", "site chrome: back-to-top link"),
    ("【打印】【关闭】", "site chrome: page controls"),
    ("【打印本页】 【关闭窗口】", "site chrome: page controls"),
    ("原标题：楼阳生主持召开会议", "byline: original headline"),
    ("编者按：近日，多地召开会议，本报梳理如下。", "editor's note (the outlet's text, not the report)"),
    ("本文图片均来自网络", "photo credit"),
    ("图片来源：新华社", "photo credit"),
    ("图/新华社记者 李某 摄", "photo credit"),
    ("来源：澳门新葡京娱乐场 www.example.com", "spam: advertisement in a source line"),
    ("来源：真人百家乐在线开户", "spam: advertisement in a source line"),
    ("来源：河南日报", "byline: source"),
    ("责任编辑：张三", "byline: staff credit"),
    ("记者｜李四 王五", "byline: staff credit"),
    ("查看: 1234 | 回复: 56", "forum chrome: view/reply counter"),
    ("发表于 2022-11-12 10:23", "forum chrome: post time stamp"),
    ("只看该作者 电梯直达", "forum chrome: post controls"),
    ("楼主", "forum chrome: post controls"),
    ("5#", "forum chrome: post controls"),
])
def test_chrome_lines_are_dropped_with_their_reason(line, reason):
    line = normalize_width(line)
    assert line_junk_reason(line) == reason
    doc = clean_document(f"标题\n\n会议指出，要抓早抓小。\n\n{line}\n\n会议要求，要以快制快。")
    assert doc.paragraphs == ["标题", "会议指出，要抓早抓小。", "会议要求，要以快制快。"]
    assert {"line": line, "reason": reason} in doc.dropped


@pytest.mark.parametrize("line", [
    "当前位置偏远的乡镇要加强物资保障。",
    "要及时发布时间表和路线图",
    "会议指出，发布时间：每日上午十点，由省卫健委统一发布。",  # a sentence: chrome rules do not apply
    "减少群众浏览次数过多的繁琐环节",
    "老字号企业要有序复工复产",
    "扫一扫健康码即可通行",
    "【重要提醒】请广大市民积极配合核酸检测",
    "会议原标题为《关于进一步优化防控工作的通知》。",
    "图片展示了各地防控一线的工作场景",
    "传染源来源不明的病例要及时报告",
    "记者会上，雷海潮介绍了有关情况",
    "该作者回复说已经解决。",
    "返回社区的人员要主动报备。",
])
def test_report_text_that_mentions_chrome_words_is_kept(line):
    assert line_junk_reason(normalize_width(line)) is None
    doc = clean_document(f"标题\n\n{line}")
    assert doc.paragraphs[-1] == normalize_width(line)


@pytest.mark.parametrize("raw, kept, removed, reason", [
    ("领导干部（下转3版）", "领导干部", "（下转3版）", "continuation marker (e-paper page jump)"),
    ("(上接第2版)会议指出", "会议指出", "(上接第2版)", "continuation marker (e-paper page jump)"),
    ("现场检查（图片来源：新华社）", "现场检查", "（图片来源：新华社）", "photo credit (inline)"),
    ("領（lǐng）導", "領導", "（lǐng）", "pinyin gloss inside a word"),
    ("會（hui）議", "會議", "（hui）", "pinyin gloss inside a word"),
    ("会(hui)议", "会议", "(hui)", "pinyin gloss inside a word"),
    ("3 J  A& I! [5 d2 q, a曹路宝指出", "曹路宝指出", "3 J  A& I! [5 d2 q, a",
     "anti-scraping fragment (non-Chinese noise inside a sentence)"),
    ("要求。0 L; q$ E* Y8 m坚决", "要求。坚决", "0 L; q$ E* Y8 m",
     "anti-scraping fragment (non-Chinese noise inside a sentence)"),
])
def test_inline_junk_is_removed_and_logged(raw, kept, removed, reason):
    assert remove_inline_junk(raw) == (kept, [{"line": removed, "reason": reason}])


@pytest.mark.parametrize("text", [
    "按照防控方案（第九版）执行", "核酸检测（PCR）阳性", "奥密克戎（BA.5）变异株", "附件（a）所列人员",
    "时间（min）", "Ct值<35的感染者", "COVID-19疫情", "N95 KN95口罩", "A B C D 四类人员",
    "见http://www.gov.cn/zhengce/content/2022-11/11/content_5726144.htm", "5G+工业互联网",
    "2022年11月11日下午", "（转发第九版）",
])
def test_inline_rules_leave_report_text_alone(text):
    assert remove_inline_junk(text) == (text, [])
    assert anti_scraping_spans(text) == []


def test_pinyin_glosses_no_longer_break_words():
    doc = clean_document("标题\n\n領（lǐng）導（dǎo）幹部出席會（hui）議，落实二（èr）十（shí）條。")
    assert doc.paragraphs[1] == "領導幹部出席會議，落实二十條。"
    assert sum(d["reason"] == "pinyin gloss inside a word" for d in doc.dropped) == 5


def test_sidebar_link_list_is_dropped_until_report_text_resumes():
    raw = "标题\n\n会议指出，要抓早抓小。\n\n相关新闻\n\n某地召开会议部署工作\n某市开展全员核酸检测\n\n会议要求，要以快制快。"
    doc = clean_document(raw)
    assert doc.paragraphs == ["标题", "会议指出，要抓早抓小。", "会议要求，要以快制快。"]
    assert [d["reason"] for d in doc.dropped] == ["site chrome: sidebar link list (header)"] + \
        ["site chrome: sidebar link list"] * 2


def test_short_lines_without_a_sidebar_header_are_kept():
    raw = "标题\n\n会议指出，要抓早抓小。\n\n抓早抓小 以快制快\n\n某地召开会议部署工作"
    assert clean_document(raw).paragraphs == ["标题", "会议指出，要抓早抓小。", "抓早抓小 以快制快", "某地召开会议部署工作"]


@pytest.mark.parametrize("chrome", ["时间：2022-11-12 10:30:01", "编辑：李四 | 2022-11-12", "分类：要闻 » 省内"])
def test_page_break_repair_never_glues_chrome_to_a_paragraph(chrome):
    for raw in [f"标题\n\n{chrome}\n\n会议指出，要抓早抓小。", f"标题\n\n会议指出，要抓早抓小，\n\n{chrome}"]:
        doc = clean_document(raw)
        assert not any(chrome.split("：")[0] in p and "会议" in p for p in doc.paragraphs), doc.paragraphs


def test_zero_width_characters_do_not_split_words():
    doc = clean_document("标题\n\n坚持动态\u200b清零\u2060总方针，\u00a0不\ufeff动摇。")
    assert doc.paragraphs[1] == "坚持动态清零总方针，不动摇。"
    assert doc.invisible == {"zero_width": 2, "bom": 1, "nbsp": 1}


MIRROR = ROOT.parent / "shared" / "mirror" / "Felix-Jung" / "xin-wen-lian-bo"


def test_junk_rules_drop_nothing_from_broadcast_transcripts():
    """Negative check on real report text: 新闻联播 transcripts (read from the shared mirror, never copied
    into the repo) contain no web chrome, so the chrome and inline rules must remove nothing from them."""
    files = sorted(MIRROR.glob("*/news/*.md"))
    if not files:
        pytest.skip("the shared transcript mirror is not beside this checkout")
    old = {"markup: link to the article (repeats the headline)", "markup: horizontal rule",
           "front matter (parsed into metadata)", "headline (kept as the title metadata)",
           "repeated headline (page header)"}
    for path in files[::10]:  # every tenth day: ~250 transcripts, ~3,500 stories
        doc = clean_document(path.read_text(encoding="utf-8"))
        new = [d for d in doc.dropped if d["reason"] not in old]
        assert not new, (path.name, new[:3])


def test_html_title_is_metadata_not_text():
    doc = clean_document("<html><head><title>某省召开会议_某省人民政府网</title></head><body><p>正文第一段。</p></body></html>")
    assert doc.paragraphs == ["正文第一段。"]
    assert doc.metadata["html_title"] == "某省召开会议_某省人民政府网"
    assert {"line": "某省召开会议_某省人民政府网", "reason": "HTML <title> (page title, kept as metadata)"} in doc.dropped


def test_several_fragments_in_one_line_are_removed_in_order():
    line, removed = remove_inline_junk("会议指出3 J  A& I! [5 d2 q, a要抓早抓小，b% Z* k1 m[ q以快制快。")
    assert line == "会议指出要抓早抓小，以快制快。"
    assert [r["line"] for r in removed] == ["3 J  A& I! [5 d2 q, a", "b% Z* k1 m[ q"]
