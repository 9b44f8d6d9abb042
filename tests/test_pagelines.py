"""Line structure detection and the chrome families matched on whole lines (analysis/ingest/pagelines.py)."""
import pytest

from analysis.ingest.clean import clean_document, line_junk_reason, normalize_width
from analysis.ingest.pagelines import (BLANK, LINE_FAMILIES, PER_LINE, WRAPPED, control_line, detect_line_structure,
                                       display_width, garble_flags, mark_control_runs, paragraph_final)

POSITIVE = [(f.name, f.reason, x) for f in LINE_FAMILIES for x in f.positive]
NEGATIVE = [(f.name, x) for f in LINE_FAMILIES for x in f.negative]


def test_every_family_documents_positive_and_negative_examples():
    assert all(f.positive and f.negative for f in LINE_FAMILIES)


@pytest.mark.parametrize("name, reason, line", POSITIVE)
def test_family_drops_its_positive_examples(name, reason, line):
    line = normalize_width(line)
    assert line_junk_reason(line) is not None, name
    doc = clean_document(f"标题\n会议指出，要抓早抓小。\n{line}\n会议要求，要以快制快。")
    assert doc.paragraphs == ["标题", "会议指出，要抓早抓小。", "会议要求，要以快制快。"], name
    assert any(d["line"] == line for d in doc.dropped)
    if line_junk_reason(line) == reason:  # rules of analysis.ingest.clean.CHROME may claim it first
        assert {"line": line, "reason": reason} in doc.dropped


@pytest.mark.parametrize("name, line", NEGATIVE)
def test_family_keeps_its_negative_examples(name, line):
    line = normalize_width(line)
    assert line_junk_reason(line) is None, name
    doc = clean_document(f"标题\n\n{line}")
    assert doc.paragraphs[-1] == line


@pytest.mark.parametrize("sentence", [
    "要把好经验好做法分享给基层，推动工作落实。",
    "会议要求分享",
    "确保群众正常生活和基础就医",
    "正常",  # a lone control word between report lines is kept
    "分享",
    "全面恢复正常生产生活秩序",
    "要扩大检测范围、缩小封控范围。",
])
def test_report_text_with_control_words_is_kept(sentence):
    doc = clean_document(f"标题\n会议指出，要抓早抓小。\n{sentence}\n会议要求，要以快制快。")
    assert sentence in doc.paragraphs or any(sentence in p for p in doc.paragraphs), doc.paragraphs
    assert not any(d["line"] == sentence for d in doc.dropped)


@pytest.mark.parametrize("line, kind", [
    ("字体：放大 正常 缩小 分享", "strong"), ("【打印】", "strong"), ("放大", "strong"), ("在看", "strong"),
    ("大 中 小", "strong"), ("分享、点赞、在看", "strong"),
    ("正常", "weak"), ("分享", "weak"), ("和", "weak"), ("小", "weak"),
    ("会议要求分享经验", None), ("正常生活", None), ("", None),
])
def test_control_line(line, kind):
    assert control_line(line) == kind


def test_weak_control_words_are_chrome_only_beside_chrome():
    lines = ["字体:", "放大", "正常", "缩小", "分享", "会议指出，要抓早抓小。", "正常", "会议要求。", "来源 | 福建日报",
             "点亮", "和", "↓↓"]
    reasons = [line_junk_reason(normalize_width(x)) for x in lines]
    out = mark_control_runs(lines, reasons)
    dropped = [x for x, r in zip(lines, out) if r]
    assert dropped == ["字体:", "放大", "正常", "缩小", "分享", "来源 | 福建日报", "点亮", "和", "↓↓"]
    assert out[6] is None  # the lone 正常 between two report lines


def test_paragraph_final_and_display_width():
    assert paragraph_final("会议强调。") and paragraph_final("他说：“要坚持。”") and paragraph_final("是吗？")
    assert not paragraph_final("会议强调，") and not paragraph_final("抓早抓小 以快制快")
    assert display_width("疫情ab１") == 2 + 2 + 1 + 1 + 2


def test_blank_line_paragraphs_are_detected():
    blocks = [["会议指出，要抓早抓小，迅速扑灭疫情。"], ["会议要求，要以快制快，确保不出漏洞。"], ["会议强调，要落实落实真落实。"]]
    s = detect_line_structure(blocks)
    assert s.mode == BLANK and s.evidence.startswith("0 of 3 text lines")


def test_one_paragraph_per_line_is_detected():
    block = ["会议指出，要抓早抓小，迅速扑灭疫情。", "会议要求，要以快制快，确保不出漏洞。", "会议强调，要落实落实真落实。",
             "会议以视频形式召开。"]
    s = detect_line_structure([block])
    assert s.mode == PER_LINE
    assert "3 of 4 text lines are followed by another line; 100% of those end a sentence" in s.evidence


def test_wrapped_lines_are_detected_with_their_width():
    text = "会议指出要抓早抓小迅速扑灭疫情会议要求要以快制快确保不出漏洞会议强调要落实落实真落实压紧压实四方责任"
    block = [text[i:i + 10] for i in range(0, len(text), 10)]  # 10 Han = 20 columns per line
    s = detect_line_structure([block])
    assert s.mode == WRAPPED and s.wrap_width == 20 and s.continues(block[0]) and not s.continues("会议。")


def test_html_is_read_as_blocks():
    assert detect_line_structure([["一行。", "二行。"]], html=True).mode == "HTML blocks"


def test_single_newline_page_gives_one_paragraph_per_report_paragraph():
    """The page of issue 19: single newlines, a dateline with a time, a font-size control one word per line,
    a WeChat ending joined onto the last sentence before."""
    page = ("福建省召开疫情防控工作会议\n2022年11月26日 10:08\n字体:\n放大\n正常\n缩小\n分享\n【打印】\n"
            "11月23日，省委书记周祖翼主持召开会议，研究部署疫情防控工作。\n"
            "会议强调，要确保群众正常生活，分享防控经验。\n"
            "省领导赵龙出席。\n来源 | 福建日报\n编辑 | 张三\n审核 | 一审 李四\n点亮\n和\n↓↓")
    doc = clean_document(page)
    assert doc.paragraphs == ["福建省召开疫情防控工作会议", "11月23日，省委书记周祖翼主持召开会议，研究部署疫情防控工作。",
                              "会议强调，要确保群众正常生活，分享防控经验。", "省领导赵龙出席。"]
    assert doc.line_structure["mode"] == PER_LINE
    reasons = {d["line"]: d["reason"] for d in doc.dropped}
    assert set(reasons) == {"2022年11月26日 10:08", "字体：", "放大", "正常", "缩小", "分享", "【打印】",
                            "来源 | 福建日报", "编辑 | 张三", "审核 | 一审 李四", "点亮", "和", "↓↓"}
    assert reasons["2022年11月26日 10:08"] == "byline: dateline (publication date and time)"
    assert reasons["正常"] == "site chrome: page controls (one word per line)"


def test_headline_of_a_plain_page_is_never_glued_to_the_report():
    doc = clean_document("河南召开会议部署防控工作：严防一刀切和层层加码\n快报讯 11月11日，省委召开会议。")
    assert doc.paragraphs == ["河南召开会议部署防控工作：严防一刀切和层层加码", "快报讯 11月11日，省委召开会议。"]


def test_garble_flags_count_each_sign():
    assert garble_flags("会议？？要求，，做好\ufffd工作。。?? ") == \
        {"question_runs": 2, "replacement_chars": 1, "doubled_punctuation": 2}
    assert garble_flags("会议要求？做好工作。") == {"question_runs": 0, "replacement_chars": 0, "doubled_punctuation": 0}
