"""Synthetic web pages around a known text: does cleaning give back exactly the report?

A report reaches the project inside a web page: a headline, a dateline, a source
line, font-size and share controls (sometimes split one word per line), footers of
the site or of a WeChat account, with paragraphs separated by one newline, two
newlines or hard-wrapped at the page width, with ``\\n`` or ``\\r\\n``.  Each
:class:`PageWrapper` describes one such page; :func:`wrap_text` puts a text inside it;
:func:`wrapping_report` cleans every wrapped page with
:func:`analysis.ingest.clean.clean_document` and compares the counted tokens with those of the
bare text: cleaning must add no token and lose none.

The tests run every seed unit through every wrapper of :data:`WRAPPERS`.  **To check
the site you scrape**, add a wrapper with its header and footer lines (copied from a
saved page, report text removed) and run::

    import analysis as A
    from analysis.ingest.wrappers import PageWrapper, WRAPPERS, wrapping_report
    mine = PageWrapper("my-site", "…", header=("{headline}", "2023年1月5日 09:12 来源：某某网"),
                       footer=("【打印】", "【关闭】"), separator="\\n")
    seg = A.Segmenter()
    texts = dict(zip(A.load_corpus().unit_id, A.load_corpus().text))
    report = wrapping_report(texts, seg.tokenize, [*WRAPPERS, mine])
    report[~report.ok]          # the pages where cleaning added or lost tokens

A ``{headline}`` line in ``header`` is replaced by the headline passed to
:func:`wrap_text`; its tokens are expected in the cleaned text too (the first line of
a plain-text page is kept as its headline).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

import pandas as pd

from analysis.ingest.clean import clean_document
from analysis.ingest.pagelines import display_width

__all__ = ["PageWrapper", "WRAPPERS", "wrap_text", "hard_wrap", "wrapping_report", "DEFAULT_HEADLINE"]

#: Headline used by :func:`wrapping_report` (no sentence mark, so it reads as a headline).
DEFAULT_HEADLINE = "某省召开疫情防控工作会议 部署近期重点工作"


@dataclass(frozen=True)
class PageWrapper:
    """One kind of web page a report may be saved from.

    Attributes
    ----------
    name, description : str
        Identifier and what the page imitates.
    header, footer : tuple of str
        Lines before and after the report; ``"{headline}"`` stands for the headline.
    separator : str
        Between report paragraphs (``"\\n"``: one paragraph per line, ``"\\n\\n"``: blank lines).
    chrome_separator : str
        Between header/footer lines and between them and the report (default: ``separator``).
    crlf : bool
        Write ``\\r\\n`` for every newline.
    wrap : int
        Hard-wrap the report's paragraphs at this many display columns (0: no wrapping).
    """

    name: str
    description: str
    header: tuple = ("{headline}",)
    footer: tuple = ()
    separator: str = "\n\n"
    chrome_separator: str | None = None
    crlf: bool = False
    wrap: int = 0

    @property
    def has_headline(self) -> bool:
        return "{headline}" in self.header


_ASCII_WORD = re.compile(r"[A-Za-z0-9.%+\-]")


def hard_wrap(paragraph: str, width: int) -> list[str]:
    """Cut ``paragraph`` into lines of at most ``width`` display columns, as a page renderer does.

    A run of ASCII letters/digits is not cut (the line breaks before it), unless the run alone is
    wider than the line.  Concatenating the lines gives back ``paragraph``.
    """
    lines, line, cols = [], "", 0
    i = 0
    while i < len(paragraph):
        j = i + 1
        if _ASCII_WORD.match(paragraph[i]):
            while j < len(paragraph) and _ASCII_WORD.match(paragraph[j]):
                j += 1
        piece = paragraph[i:j]
        w = display_width(piece)
        if line and cols + w > width:
            lines.append(line)
            line, cols = "", 0
        while w > width:  # a word wider than the page: cut it at the width
            k = max(1, width)
            lines.append(piece[:k])
            piece, w = piece[k:], display_width(piece[k:])
        line += piece
        cols += w
        i = j
    if line:
        lines.append(line)
    return lines


def wrap_text(text: str, wrapper: PageWrapper, headline: str = DEFAULT_HEADLINE) -> str:
    """The page ``wrapper`` would show around ``text`` (paragraphs separated by ``\\n``)."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if wrapper.wrap:
        body = wrapper.separator.join("\n".join(hard_wrap(p, wrapper.wrap)) for p in paragraphs)
    else:
        body = wrapper.separator.join(paragraphs)
    sep = wrapper.separator if wrapper.chrome_separator is None else wrapper.chrome_separator
    header = [x.replace("{headline}", headline) for x in wrapper.header]
    page = sep.join([*header, body, *wrapper.footer])
    return page.replace("\n", "\r\n") if wrapper.crlf else page


_CONTROLS = ("字体:", "放大", "正常", "缩小", "分享")
_GOV_HEADER = ("当前位置：首页 > 要闻动态 > 正文", "{headline}", "发布时间：2022-11-26 10:08 来源：省政府办公厅",
               *_CONTROLS)
_GOV_FOOTER = ("【打印】【关闭】", "扫一扫在手机打开当前页", "返回顶部")
_MIRROR_HEADER = ("福建疫情_福建疫情最新消息_福建新冠肺炎_某某资讯网", "我的位置：首页>文章详情", "重要新闻", "{headline}",
                  "2022年11月26日 10:08", "来源：某某资讯网", "字体：", "大", "中", "小")
_MIRROR_FOOTER = ("上一篇：某地开展全员核酸检测", "下一篇：某市优化调整防控措施", "关于我们 | 联系我们 | 网站导航",
                  "版权所有：某某资讯网", "闽ICP备12345678号")
_WECHAT_HEADER = ("点击蓝字关注我们", "{headline}", "2022-11-26 10:08")
_WECHAT_FOOTER = ("来源 | 福建日报", "编辑 | 张三", "审核 | 一审 李四 二审 王五 三审 赵六", "点亮", "和", "↓↓", "在看",
                  "阅读原文", "阅读 10万+")

#: The pages every seed unit is wrapped in by the tests (add your site's page here or in your own list).
WRAPPERS: list[PageWrapper] = [
    PageWrapper("bare-blank-lines", "headline, paragraphs separated by blank lines"),
    PageWrapper("bare-one-per-line", "headline, one paragraph per line", separator="\n"),
    PageWrapper("crlf-blank-lines", "as bare-blank-lines with CRLF newlines", crlf=True),
    PageWrapper("crlf-one-per-line", "as bare-one-per-line with CRLF newlines", separator="\n", crlf=True),
    PageWrapper("no-headline", "report paragraphs only, one per line", header=(), separator="\n"),
    PageWrapper("gov-portal-one-per-line", "government portal: breadcrumb, publication time, font-size "
                "control split one word per line, print/close and QR-code footer",
                header=_GOV_HEADER, footer=_GOV_FOOTER, separator="\n"),
    PageWrapper("gov-portal-blank-lines", "the same page with blank lines between paragraphs and single "
                "newlines inside the header", header=_GOV_HEADER, footer=_GOV_FOOTER, separator="\n\n",
                chrome_separator="\n"),
    PageWrapper("mirror-site-one-per-line", "repost on a mirror site: SEO keyword line, breadcrumb, section "
                "label, dateline, source, font-size control split per line, previous/next links and "
                "copyright footer", header=_MIRROR_HEADER, footer=_MIRROR_FOOTER, separator="\n"),
    PageWrapper("mirror-site-crlf", "the mirror-site page with CRLF and blank lines", header=_MIRROR_HEADER,
                footer=_MIRROR_FOOTER, crlf=True),
    PageWrapper("wechat-one-per-line", "WeChat account article: follow prompt, dateline, "
                "`来源 | …`/`编辑 | …`/`审核 | …` credits and the 点亮/和/↓↓/在看 ending",
                header=_WECHAT_HEADER, footer=_WECHAT_FOOTER, separator="\n"),
    PageWrapper("wechat-blank-lines", "the WeChat page with blank lines", header=_WECHAT_HEADER,
                footer=_WECHAT_FOOTER),
    PageWrapper("foreign-dateline", "dateline in another format with 本文来源, share widget and view counter",
                header=("18.02.2020 09:42 本文来源：某某网", "{headline}", "分享到：", "微信", "微博", "QQ空间"),
                footer=("阅读 10万+", "TOP"), separator="\n"),
    PageWrapper("wrapped-60-one-per-line", "plain text hard-wrapped at 60 columns, no blank lines",
                header=("{headline}", "2022-11-26 10:08"), separator="\n", wrap=60),
    PageWrapper("wrapped-40-blank-lines", "plain text hard-wrapped at 40 columns, blank lines between "
                "paragraphs", header=("{headline}", "2022-11-26 10:08"), wrap=40),
    PageWrapper("wrapped-72-crlf", "hard-wrapped at 72 columns with CRLF and a WeChat footer",
                header=_WECHAT_HEADER, footer=_WECHAT_FOOTER, separator="\n", crlf=True, wrap=72),
    PageWrapper("controls-one-token-per-line", "every page control on its own line before and after the "
                "report", header=("{headline}", "【", "字体", "：", "大", "中", "小", "】", "打印", "关闭", "收藏"),
                footer=("分享", "点赞", "在看", "↓"), separator="\n"),
]


def wrapping_report(texts: Mapping[str, str], tokenize: Callable[[str], list],
                    wrappers: Iterable[PageWrapper] = WRAPPERS,
                    headline: str = DEFAULT_HEADLINE) -> pd.DataFrame:
    """Wrap each text in each page, clean it, and compare counted tokens with the bare text.

    Parameters
    ----------
    texts : mapping of id -> str
        Report texts (paragraphs separated by ``\\n``), e.g. the corpus table's ``text`` by ``unit_id``.
    tokenize : callable
        Text -> counted tokens, e.g. ``analysis.Segmenter().tokenize``.
    wrappers : iterable of PageWrapper
        The pages (default :data:`WRAPPERS`).
    headline : str
        Put where a wrapper has ``{headline}``; its tokens are expected in the cleaned page.

    Returns
    -------
    pandas.DataFrame
        One row per text and wrapper: ``id``, ``wrapper``, ``line_structure`` (the mode
        cleaning detected), ``tokens_expected``, ``tokens_cleaned``, ``added`` and ``lost``
        (tokens in one and not the other, with multiplicity, as ``"token×n"`` text) and
        ``ok`` (nothing added, nothing lost).
    """
    head = Counter(tokenize(headline))
    rows = []
    for wrapper in wrappers:
        for key, text in texts.items():
            expected = Counter(tokenize(text)) + (head if wrapper.has_headline else Counter())
            doc = clean_document(wrap_text(text, wrapper, headline))
            got = Counter(tokenize(doc.text))
            added, lost = got - expected, expected - got
            rows.append({"id": key, "wrapper": wrapper.name, "line_structure": doc.line_structure["mode"],
                         "tokens_expected": sum(expected.values()), "tokens_cleaned": sum(got.values()),
                         "added": " ".join(f"{t}×{n}" for t, n in sorted(added.items())),
                         "lost": " ".join(f"{t}×{n}" for t, n in sorted(lost.items())),
                         "ok": not added and not lost})
    return pd.DataFrame(rows)
