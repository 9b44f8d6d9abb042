"""Line structure of a saved web page, and the families of page chrome recognised line by line.

A scraped news page reaches the project in one of three line layouts, and the
cleaning must know which before it joins anything:

* **blank-line paragraphs** — paragraphs are separated by empty lines; a single
  newline inside a block is a wrap (or a ``<br>``), so the lines of a block belong
  together.  HTML pages reduced to text (block tags → empty lines) are read this way.
* **one paragraph per line** — the usual plain-text scrape: every newline ends a
  paragraph.  Headline, dateline, font-size controls split one word per line and
  footers each sit on their own line.
* **wrapped lines** — a hard-wrapped text: most lines fill the page width and stop
  mid-sentence; a paragraph ends at a shorter line.

:func:`detect_line_structure` decides per document from the lines that are not
chrome (see its docstring for the evidence) and says why, so the audit can show it.
The chrome rules run on single lines *before* any joining, so a control split over
lines (``字体:`` / ``放大`` / ``正常`` / ``缩小`` / ``分享``) is dropped line by line instead
of being glued into the first paragraph.

Chrome families
---------------
:data:`LINE_FAMILIES` lists the families matched on a whole line; each carries
positive and negative examples (tests run all of them).  They apply only to lines
that are not a sentence (no ``。``, at most 80 characters), so a report sentence
containing 分享, 正常 or 来源 is kept.  :data:`CONTROL_WORDS` are the words of page
controls: a line made only of them is chrome when it holds a *strong* word
(放大, 缩小, 打印, 在看 …) or several words; a line holding one *weak* word
(大, 中, 小, 正常, 分享, 和 …) is chrome only beside other chrome lines
(:func:`mark_control_runs`).

:func:`garble_flags` counts signs of a broken character conversion in a text (runs
of question marks, replacement characters, doubled punctuation), for the audit.

This module holds rules only; :func:`analysis.ingest.clean.clean_document` applies them.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

__all__ = ["LineStructure", "detect_line_structure", "display_width", "LINE_FAMILIES", "Family",
           "family_reason", "CONTROL_WORDS", "control_line", "mark_control_runs", "garble_flags",
           "paragraph_final", "BLANK", "PER_LINE", "WRAPPED", "HTML"]

BLANK = "blank-line paragraphs"
PER_LINE = "one paragraph per line"
WRAPPED = "wrapped lines"
HTML = "HTML blocks"

_FINAL = "。！？!?；;…"
_CLOSERS = "”’」』）)】》\"'"


def paragraph_final(line: str) -> bool:
    """True when ``line`` ends a sentence (``。！？；…``, possibly followed by closing quotes/brackets)."""
    s = line.rstrip().rstrip(_CLOSERS)
    return bool(s) and s[-1] in _FINAL


def display_width(line: str) -> int:
    """Columns ``line`` takes on a page: 2 for wide (Han, full-width) characters, 1 otherwise."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


@dataclass(frozen=True)
class LineStructure:
    """How the lines of one document form paragraphs (see :func:`detect_line_structure`).

    Attributes
    ----------
    mode : str
        :data:`BLANK`, :data:`PER_LINE`, :data:`WRAPPED` or :data:`HTML`.
    evidence : str
        One sentence for the audit: the statistics the decision rests on.
    wrap_width : int
        For :data:`WRAPPED`: the page width in display columns (0 otherwise).
    wrap_measure : str
        For :data:`WRAPPED`: ``"columns"`` (display width) or ``"characters"``.
    """

    mode: str
    evidence: str
    wrap_width: int = 0
    wrap_measure: str = "columns"

    def width(self, line: str) -> int:
        """The measure of ``line`` the wrap width is expressed in."""
        return display_width(line) if self.wrap_measure == "columns" else len(line)

    def continues(self, line: str) -> bool:
        """In a wrapped document: does ``line`` fill the page width, so the next line continues it?"""
        return self.mode == WRAPPED and self.width(line) >= self.wrap_width - 3


def _wrap_share(lengths: list[int]) -> tuple[int, float]:
    """The most common line length (ties: the longest) and the share of lengths within 3 below it."""
    if not lengths:
        return 0, 0.0
    counts = Counter(lengths)
    # a page width is approximated by the longest of the most frequent lengths; lines at
    # the width may fall 1-3 columns short (a wide character or a word does not fit)
    best = max(counts, key=lambda w: (sum(c for v, c in counts.items() if w - 3 <= v <= w), w))
    return best, sum(1 for v in lengths if best - 3 <= v <= best) / len(lengths)


def detect_line_structure(blocks: list[list[str]], *, html: bool = False,
                          min_chars: int = 8) -> LineStructure:
    """Decide whether single newlines separate paragraphs or wrap lines inside one.

    Parameters
    ----------
    blocks : list of list of str
        The document's non-chrome lines (width-normalised, empty lines removed),
        grouped by the empty lines that separate them.
    html : bool
        The text came from HTML block tags: a newline inside a block is whitespace.
    min_chars : int
        Lines shorter than this (labels, one-word leftovers) are not evidence.

    Returns
    -------
    LineStructure
        * :data:`HTML` for HTML;
        * :data:`BLANK` when fewer than a quarter of the text lines (at least
          ``min_chars`` characters) are followed by another text line without an
          empty line between them;
        * otherwise :data:`WRAPPED` when at most half of the lines followed by another
          line end a sentence (``。！？；…``) and at least 60 % of them have the same
          width (within 3 display columns, or characters, below the most common
          width) — the signature of text hard-wrapped at a page width; at least three
          such lines are needed;
        * otherwise :data:`PER_LINE` (each line a paragraph; page-break repair then
          joins only lines the evidence says were broken).
    """
    if html:
        return LineStructure(HTML, "HTML: block tags separate paragraphs, newlines inside a block are spaces")
    text = [[x for x in b if len(x) >= min_chars] for b in blocks]
    n = sum(len(b) for b in text)
    followed = [x for b in text for x in b[:-1]]
    if n == 0 or len(followed) < 0.25 * n:
        return LineStructure(BLANK, f"{len(followed)} of {n} text lines are followed by another line without "
                                    f"an empty line between them: empty lines separate paragraphs")
    final = sum(map(paragraph_final, followed)) / len(followed)
    wc, share_c = _wrap_share([display_width(x) for x in followed])
    wn, share_n = _wrap_share([len(x) for x in followed])
    width, share, measure = (wc, share_c, "columns") if share_c >= share_n else (wn, share_n, "characters")
    stats = (f"{len(followed)} of {n} text lines are followed by another line; {final:.0%} of those end a "
             f"sentence and {share:.0%} are {width} {measure} wide (±3)")
    if final <= 0.5 and share >= 0.6 and len(followed) >= 3:
        return LineStructure(WRAPPED, stats + ": lines are wrapped at the page width", width, measure)
    return LineStructure(PER_LINE, stats + ": each line is a paragraph")


# -- chrome families ------------------------------------------------------------------------
@dataclass(frozen=True)
class Family:
    """A family of page chrome recognised on a whole line.

    Attributes
    ----------
    name : str
        Short name.
    reason : str
        The reason logged in the audit for a dropped line.
    pattern : re.Pattern
        Searched in a width-normalised line that is not a sentence.
    positive, negative : tuple of str
        Lines the family must drop / must keep (run by the tests).
    """

    name: str
    reason: str
    pattern: re.Pattern
    positive: tuple = field(default=())
    negative: tuple = field(default=())


_HAN_DATE = r"(?:19|20)\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
_NUM_DATE = r"(?:(?:19|20)\d\d\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|\d{1,2}\s*[./-]\s*\d{1,2}\s*[./-]\s*(?:19|20)\d\d)"
_TIME = r"\d{1,2}\s*[:：]\s*\d{2}(?:\s*[:：]\s*\d{2})?"
_WEEKDAY = r"(?:星期|周)[一二三四五六日天]"
_SOURCE = r"(?:来源|稿源|信息来源|文章来源|本文来源|新闻来源|内容来源|转自|转载自)"
_STAFF = (r"(?:作者|编辑|责任编辑|责编|审核|审校|校对|责任校对|监制|统筹|记者|通讯员|一审|二审|三审|终审|初审|复审|"
          r"值班编辑|主编|编审|制作|出品|美编|视频|实习生|撰文|文字)")

#: Whole-line chrome families (beyond the single-pattern rules in :data:`analysis.ingest.clean.CHROME`).
LINE_FAMILIES: list[Family] = [
    Family("dateline", "byline: dateline (publication date and time)",
           re.compile(rf"^(?:(?:{_HAN_DATE}|{_NUM_DATE})\s*{_TIME}|{_NUM_DATE}|{_HAN_DATE}\s*(?={_WEEKDAY}|{_SOURCE})|"
                      rf"{_TIME})(?:\s*{_WEEKDAY})?"
                      rf"(?:\s+[^，。；！？]{{0,40}}|\s*{_SOURCE}\s*[:：|｜][^，。；！？]{{0,40}})?$"),
           positive=("2022年11月26日 10:08", "2022-11-26 10:08:31", "2022-11-26", "18.02.2020 09:42 本文来源：某某网",
                     "2022年11月26日 星期六", "2020-02-18 09:42 来源：福建日报", "2022年11月26日10:08 福建日报"),
           negative=("2022年11月26日，省委召开会议", "2022年11月26日上午，福建省召开疫情防控工作会议",
                     "2022年是党的二十大召开之年", "2024年8月11日")),  # the last: a letter's signature date
    Family("source or staff credit with a pipe", "byline: source or staff credit",
           re.compile(rf"^{_SOURCE}\s*[|｜]\s*\S[^。]{{0,40}}$|^{_STAFF}\s*[:：|｜]|^{_SOURCE}\s*[:：]\s*\S[^。]{{0,40}}$"),
           positive=("来源 | 福建日报", "来源｜新华社", "审核 | 一审 张三 二审 李四", "一审：王五", "本文来源：人民网",
                     "转自：福建发布", "值班编辑：赵六"),
           negative=("来源不明的病例要及时报告", "一审判决后被告提出上诉", "记者会上，雷海潮介绍了有关情况")),
    Family("WeChat ending", "site chrome: WeChat account ending",
           re.compile(r"点击(上方)?蓝字|关注我们$|^关注[^，。]{0,12}(公众号|微信号)|长按(识别|扫描)?二维码|扫码关注|"
                      r"^阅读原文$|点个[“\"]?在看|^分享、?点赞、?在看|^点亮[“\"]?在看|^[↓↑▼▲⬇⬆👇👆\s]+$|"
                      r"^[↓▼👇]+\s*(点击|戳)"),
           positive=("点击蓝字关注我们", "↓↓", "▼", "长按识别二维码", "点个在看，你最好看", "分享、点赞、在看",
                     "阅读原文", "关注福建发布公众号"),
           negative=("各级党组织要把群众关注的问题解决好", "要点击进入健康码页面后再扫码")),
    Family("view counter", "site chrome: view counter",
           re.compile(r"^(阅读|浏览|点击|播放|阅读数|浏览数|在看)\s*[:：]?\s*[\d.,]+\s*(万|千|次|人次)?\s*\+?$|"
                      r"^[\d.,]+\s*(万|千)?\+?\s*(阅读|浏览|人(已)?(阅读|浏览|看过)|次(阅读|浏览))$"),
           positive=("阅读 10万+", "浏览：1234次", "阅读量 3456", "1.2万 阅读", "3456人已阅读"),
           negative=("阅读10本书", "浏览器要及时更新")),
    Family("SEO keyword line", "spam: SEO keyword line (keywords joined by _)",
           re.compile(r"^[^。，；_\s]{1,30}(?:\s*_\s*[^。，；_]{1,30}){2,}$"),
           positive=("福建疫情_福建疫情最新消息_福建新冠肺炎_某某网", "疫情防控_福州_新闻中心"),
           negative=("国务院联防联控机制_通知", "疫情防控要科学精准")),
    Family("breadcrumb", "site chrome: breadcrumb",
           re.compile(r"^(我的位置|位置|当前页|您当前的位置|你当前的位置|现在位置)\s*[:：]|"
                      r"^[^。，；\d>＞]{1,10}(?:\s*(?:>|＞|»|›|->)\s*[^。，；\d>＞]{1,16}){2,}$"),
           positive=("我的位置：首页>文章详情", "新闻中心 > 要闻 > 正文", "首页>时政>正文", "位置：首页"),
           negative=("核酸检测结果>35的不计入", "省委常委会召开会议")),
    Family("section label", "site chrome: section label",
           re.compile(r"^[【\[]?(重要新闻|要闻|时政要闻|本地要闻|省内要闻|国内要闻|新闻中心|今日关注|头条新闻|今日头条|"
                      r"政务要闻|政务动态|工作动态|要闻动态|领导活动|权威发布|新闻发布|通知公告|正文|文章详情|详情|"
                      r"新闻详情|文章正文|专题专栏|本地新闻|国内新闻|最新消息|推荐|热点)[】\]]?$"),
           positive=("重要新闻", "【要闻】", "文章详情", "时政要闻"),
           negative=("重要新闻发布会将于明日举行", "正文如下：")),
    Family("widget leftover", "site chrome: widget leftover",
           re.compile(r"^(分享到|分享至|转发到)\s*[:：]?\s*(微信|微博|朋友圈|QQ|空间|好友|\s)*$|微信扫一扫|用微信扫(描|码)|"
                      r"手机扫码|扫描二维码|扫码(阅读|分享|查看|下载)|^(上一条|下一条|上一页|下一页)\s*[:：]|^(上一页|下一页)$|^[【\[]?(相关附件|附件下载|"
                      r"我要纠错|打印本页|关闭窗口|收藏本页|加入收藏|设为首页)[】\]]?$|^(TOP|Top|top|×)$"),
           positive=("分享到：", "微信扫一扫", "上一条：某地召开会议", "【相关附件】", "TOP"),
           negative=("要把好经验分享给基层", "上一条防线失守，下一条防线要顶上")),
]


def family_reason(line: str) -> str | None:
    """The reason of the first :data:`LINE_FAMILIES` family matching ``line`` (a whole line that is not a
    sentence: no ``。`` and at most 80 characters), or ``None``."""
    if "。" in line or len(line) > 80:
        return None
    for fam in LINE_FAMILIES:
        if fam.pattern.search(line):
            return fam.reason
    return None


# -- page controls split over lines -----------------------------------------------------------
#: Words of page controls.  ``True``: strong (a line of this word alone is chrome); ``False``: weak
#: (a line of it alone is chrome only beside other chrome lines).
CONTROL_WORDS: dict[str, bool] = {
    **dict.fromkeys(["放大", "缩小", "打印", "关闭", "收藏", "纠错", "我要纠错", "打印本页", "关闭窗口", "字体",
                     "字号", "字体大小", "在看", "点亮", "点赞", "转发", "复制链接", "分享到", "返回", "返回首页",
                     "返回列表", "大字", "小字", "默认字号", "加大", "减小", "微信", "微博", "朋友圈", "QQ空间", "QQ好友",
                     "二维码", "留言", "写留言", "赞赏", "喜欢", "好看", "推荐"], True),
    **dict.fromkeys(["大", "中", "小", "正常", "默认", "标准", "分享", "和", "评论", "赞", "更多", "顶", "踩", "或"],
                    False),
}
_CONTROL_SPLIT = re.compile(r"[\s|｜/、,，:：【】\[\]()（）<>·•]+")


def control_line(line: str) -> str | None:
    """``"strong"``, ``"weak"`` or ``None``: is ``line`` made only of page-control words?

    ``字体：放大 正常 缩小 分享`` and ``【打印】`` are strong, ``放大`` alone is strong, ``正常`` alone is
    weak; ``会议要求分享经验`` is ``None`` (not only control words).
    """
    words = [w for w in _CONTROL_SPLIT.split(line) if w]
    if not words or len(line) > 40 or any(w not in CONTROL_WORDS for w in words):
        return None
    return "strong" if len(words) >= 2 or CONTROL_WORDS[words[0]] else "weak"


def mark_control_runs(lines: list[str], reasons: list[str | None]) -> list[str | None]:
    """Reasons for the page-control lines among ``lines`` (in document order, empty lines removed).

    Parameters
    ----------
    lines : list of str
        Width-normalised, non-empty lines of one document.
    reasons : list of (str or None)
        Each line's reason from the other rules (``None``: not chrome).

    Returns
    -------
    list of (str or None)
        ``reasons`` with page-control lines filled in: a strong :func:`control_line`
        always; a weak one when it sits in a run of control lines of at least two, or
        next to a line another rule dropped (e.g. ``来源 | 福建日报`` / ``点亮`` / ``和`` / ``↓↓``).
    """
    out = list(reasons)
    kind = [None if r else control_line(x) for x, r in zip(lines, reasons)]
    why = "site chrome: page controls (one word per line)"
    for i, k in enumerate(kind):
        if k == "strong":
            out[i] = why
    changed = True
    while changed:  # a weak line next to chrome becomes chrome, so runs are absorbed from either end
        changed = False
        for i, k in enumerate(kind):
            if k != "weak" or out[i]:
                continue
            near = [j for j in (i - 1, i + 1) if 0 <= j < len(lines)]
            if any(out[j] for j in near) or any(kind[j] == "weak" for j in near):
                out[i] = why
                changed = True
    return out


# -- garbled conversions ------------------------------------------------------------------------
_GARBLE = {
    "question_runs": re.compile(r"[?？]{2,}"),
    "replacement_chars": re.compile("\ufffd"),
    "doubled_punctuation": re.compile(r"([，。、；：,;])\1+"),
}


def garble_flags(text: str) -> dict[str, int]:
    """Signs of a broken character conversion in ``text``.

    Returns
    -------
    dict
        ``question_runs`` (runs of two or more ``?``/``？``: characters the encoder could
        not map), ``replacement_chars`` (U+FFFD, bytes the decoder could not read) and
        ``doubled_punctuation`` (``，，``, ``。。`` …), each a count of occurrences.
    """
    return {k: len(p.findall(text)) for k, p in _GARBLE.items()}
