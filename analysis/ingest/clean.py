"""Raw document text -> clean paragraphs, with an audit of everything removed.

The raw files are news pages saved in different ways (Jekyll front matter + HTML,
plain text with page-break splits, site footers).  :func:`clean_document` turns one
raw text into a list of clean paragraphs and records, line by line, what it dropped
and which paragraphs it joined, so a reader can check that nothing but markup and
site boilerplate disappeared.

Rules, in order:

1. **Front matter** (``---`` ... ``---`` at the top, Jekyll style) is parsed into
   metadata (``title``, ``date``, ``author``, ``from``/``url``) and removed.
2. **HTML** (if the text contains block tags) is reduced to text with the standard
   library's :class:`html.parser.HTMLParser` (the ``<title>`` becomes ``html_title``
   metadata, logged as dropped); block elements (``p``, ``div``,
   ``section``, ``br``, headings, list items) end a paragraph, inline ones
   (``strong``, ``a``) do not.  Comments, scripts and styles are dropped.  Entities
   are unescaped.
3. **Boilerplate lines** are dropped by the patterns in :data:`BOILERPLATE`
   (site footers, bylines, ad and navigation text) and a paragraph that repeats the
   document's headline (a page header) is dropped.  Each drop is logged with its
   reason.
4. **Width normalisation**: full-width ASCII variants (``ＡＢ１２``) become
   half-width; half-width ``, : ; ! ? ( )`` next to Chinese text become full-width
   (``，：；！？（）``).  Han characters are never altered.  Whitespace runs collapse to
   one space; spaces next to full-width punctuation are removed.
5. **Web chrome and inline junk** (:data:`CHROME`, :data:`INLINE_JUNK`, sidebar link
   lists, anti-scraping fragments): rules for the pages of Chinese news, government
   and forum sites, each with its reason in the audit; see "Junk rules" below.
6. **Line structure** (:mod:`analysis.ingest.pagelines`): rules 3 and 5 run on single
   lines, before anything is joined; page controls split one word per line are dropped
   as a run (``字体:`` / ``放大`` / ``正常`` …; a lone ``正常`` between report lines is kept).
   Then the document's layout is detected from its remaining lines — blank-line
   paragraphs (and HTML blocks): the lines of a block form a paragraph; one paragraph per
   line; or text hard-wrapped at a page width: a line filling the width continues on the
   next — and recorded in ``CleanDocument.line_structure`` with its evidence.  The first
   line of a plain-text page (its headline) stays a paragraph of its own.
7. **Page-break repair**: a paragraph is joined to the next one when it ends in a
   pause mark (``、，：；`` ...) or, ending in a Han character or digit, when it reads
   as running text (it contains a sentence mark ``，。；：`` and no headline-style
   space).  Headlines ("抓早抓小 以快制快") are short phrases separated by spaces and
   carry no sentence marks, so they stay separate.  A paragraph that looks like
   page chrome (a time stamp, ``|`` separators, a ``>`` breadcrumb, a chrome rule)
   is never joined to its neighbours.  Every join is logged.

Before any rule, :func:`analysis.ingest.normalise.normalise_invisible` removes zero-width
characters and stray BOMs and turns no-break spaces into spaces (counted in
``CleanDocument.invisible``).

Junk rules
----------
*Whole lines* (:data:`BOILERPLATE` always; :data:`CHROME` and the families of
:data:`analysis.ingest.pagelines.LINE_FAMILIES` — datelines in any format, source/staff
credits with ``:``/``：``/``|``, WeChat endings, view counters, SEO keyword lines,
breadcrumbs, section labels, widget leftovers — only on lines that are not a
sentence: no ``。`` and at most 80 characters, so report text that happens to mention
a chrome word is kept): breadcrumbs (当前位置：首页>…), publication time, view counters,
font-size controls, 扫一扫在手机打开当前页, 返回顶部, 【打印】【关闭】, 原标题：, 编者按：,
photo credits (本文图片均来自…), source lines (来源：… and gambling spam in them), forum
counters and post controls, and sidebar link lists (a header such as 相关新闻 and the
short link-like lines after it).

*Inside a line* (:data:`INLINE_JUNK` and :func:`anti_scraping_spans`): continuation
markers (（下转3版）), inline photo credits, pinyin glosses inside words
(領（lǐng）導（dǎo）, 會（hui）議: a bracketed single pinyin syllable right after a Han
character), and anti-scraping fragments (runs of short ASCII tokens with stray symbols
woven into Chinese sentences: ``3 J  A& I! [5 d2 q, a曹路宝指出``).  Han characters are
never removed by an inline rule except inside a continuation marker or photo credit.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from analysis.ingest.normalise import normalise_invisible, to_simplified
from analysis.ingest.pagelines import (HTML, PER_LINE, WRAPPED, LineStructure, detect_line_structure, family_reason,
                                       mark_control_runs)

__all__ = ["CleanDocument", "clean_document", "normalize_width", "BOILERPLATE", "CHROME",
           "INLINE_JUNK", "anti_scraping_spans", "remove_inline_junk", "line_junk_reason"]

#: (pattern, reason) pairs; a line that matches is site boilerplate, not report text.
BOILERPLATE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), why)
    for p, why in [
        (r"^网友评论$", "site footer: comments widget"),
        (r"^相关内容$", "site footer: related-content widget"),
        (r"^(上一篇|下一篇)[:：]", "site footer: previous/next article link"),
        (r"关于我们.*联系我们", "site footer: navigation"),
        (r"版权所有", "site footer: copyright"),
        (r"ICP备\d+号", "site footer: ICP licence number"),
        (r"(?i)powered by", "site footer: CMS credit"),
        (r"(?i)^[\w.\s]*网?\s*www\.[\w.-]+$", "site footer: site name and address"),
        (r"^更多新闻可点击", "site footer: navigation hint"),
        (r"^责编[:：|]", "byline: editor"),
        (r"^来源[:：].*作者[:：]", "byline: source/author/date header"),
        (r"^资料\s*[|｜]", "byline: source credit"),
        (r"^-{3,}$", "markup: horizontal rule"),
        (r"^编者按\s*[:：]", "editor's note (the outlet's text, not the report)"),
        (r"^\[[^\]]+\]\(https?://[^)]+\)$", "markup: link to the article (repeats the headline)"),
    ]
]

_BLOCK_TAGS = {
    "p", "div", "section", "article", "br", "h1", "h2", "h3", "h4", "h5", "h6",
    "li", "ul", "ol", "table", "tr", "blockquote", "header", "footer", "hr",
}
_SKIP_TAGS = {"script", "style", "noscript"}
_HTML_HINT = re.compile(r"<\s*(p|div|section|br|article|span)\b[^>]*>", re.I)

# pause marks: a paragraph ending in one of these cannot end there
_PAUSE_END = tuple("、，,：:；;（(《“‘—")
_SENTENCE_MARK = re.compile(r"[，。；：,;]")
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef\u2018-\u201f\u2014\u2026"
_CJK_CTX = f"[{_HAN}{_CJK_PUNCT}]"
_HEADLINE_SPACE = re.compile(rf"[{_HAN}”》] +[{_HAN}“《]")
_BRACKETED = re.compile(r"《[^》]*》|（[^）]*）")


#: (pattern, reason) pairs for web-page chrome; applied only to lines that are not a
#: sentence (no 。, at most 80 characters), so report text mentioning these words is kept.
CHROME: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), why)
    for p, why in [
        (r"^(当前位置|您的位置|你的位置|您现在的位置|所在位置)\s*[:：]", "site chrome: breadcrumb"),
        (r"首页\s*(>|＞|»|›|>>)", "site chrome: breadcrumb"),
        (r"(发布时间|发布日期|更新时间|发表时间)\s*[:：]", "byline: publication time"),
        (r"(浏览次数|阅读次数|点击次数|浏览量|阅读量|访问次数|点击数|点击)\s*([:：]|\d)", "site chrome: view counter"),
        (r"字体大小|字号\s*[:：]|【\s*字体|[\[【(（]\s*大\s*中\s*小\s*[\]】)）]", "site chrome: font-size control"),
        (r"扫一扫在手机(上)?打开(当前页|本页|此页)|扫一扫.*分享到", "site chrome: QR-code prompt"),
        (r"返回顶部|回到顶部", "site chrome: back-to-top link"),
        (r"【\s*(打印|关闭|收藏|打印本页|关闭窗口|纠错|分享|打印文章|我要纠错)\s*】", "site chrome: page controls"),
        (r"^原标题\s*[:：]", "byline: original headline"),
        (r"^(本文|文中|文内)?(图片|配图)(均)?(来自|来源于|来源)|^(图片来源|图源|摄影)\s*[:：]|^图\s*[/／|]",
         "photo credit"),
        (r"^来源\s*[:：].*(娱乐|博彩|彩票|赌|棋牌|百家乐|真人|投注|葡京|威尼斯人|老虎机|体育在线|开户)",
         "spam: advertisement in a source line"),
        (r"^(来源|稿源|信息来源|文章来源)\s*[:：]\s*\S[^。]{0,40}$", "byline: source"),
        (r"^(作者|编辑|责任编辑|审核|校对|监制|统筹|记者|通讯员)\s*[:：|｜]", "byline: staff credit"),
        (r"(查看|阅读|浏览)\s*[:：]?\s*\d+\s*[|｜/]?\s*回复\s*[:：]?\s*\d+", "forum chrome: view/reply counter"),
        (r"^(发表于|发帖时间)\s*[:：]?\s*\d{4}", "forum chrome: post time stamp"),
        (r"只看该作者|电梯直达|倒序浏览|阅读模式|使用道具|^举报$|^回复$|^楼主$|^沙发$|^板凳$|^地板$|^\d+\s*(#|楼)$",
         "forum chrome: post controls"),
    ]
]

#: Headers of sidebar link lists; the header and the short link-like lines after it are dropped.
SIDEBAR_HEADER = re.compile(r"^(相关新闻|相关阅读|相关链接|相关文章|推荐阅读|热点推荐|热门推荐|延伸阅读|猜你喜欢|"
                            r"热门文章|精彩推荐|最新文章|热点新闻|图片新闻|热门排行|点击排行)\s*[:：]?$")

_PINYIN_VOWEL = "aeiouüvāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_INITIAL = r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])"
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# a syllable with a tone mark (initial optional), or a plain syllable with an initial:
# "（a）" or "（e）" list markers after a Han character are not glosses
_PINYIN_TONED = rf"{_INITIAL}?[{_PINYIN_VOWEL}]{{0,2}}[{_TONED}][{_PINYIN_VOWEL}]{{0,2}}(?:ng|n|r)?"
_PINYIN_PLAIN = rf"{_INITIAL}[aeiouüv]{{1,3}}(?:ng|n|r)?[1-5]?"

#: (pattern, reason) pairs removed from inside a line (the match only).
INLINE_JUNK: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[（(]\s*(?:下转|上接|转|接)\s*第?\s*[0-9０-９A-Za-z一二三四五六七八九十]{1,3}\s*版\s*[）)]"),
     "continuation marker (e-paper page jump)"),
    (re.compile(r"[（(]\s*(?:图片来源|图源|摄影|图|供图)\s*[:：/／][^（()）。]{1,30}[）)]"), "photo credit (inline)"),
    (re.compile(rf"(?<=[{_HAN}])[（(]\s*(?!min\b|max\b)(?:{_PINYIN_TONED}|{_PINYIN_PLAIN})\s*[）)]"),
     "pinyin gloss inside a word"),
]

_ASCII_RUN = re.compile(r"[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?")
_NOISE = set("&!*[]_#%@^~|\\{}<>$+=`")


def anti_scraping_spans(line: str) -> list[tuple[int, int]]:
    """Spans of anti-scraping fragments inside a Chinese line.

    A fragment is a run of printable ASCII (spaces allowed inside) in a line that has
    Han characters, made of at least four whitespace-separated tokens of mean length
    at most 2.5, at least two of them containing a letter, with at least two stray
    symbols (``& ! * [ ] _ # % @ ^ ~ | { } < > $ + = ```).  ``3 J  A& I! [5 d2 q, a``
    qualifies; ``COVID-19``, ``Ct值<35``, ``N95 KN95``, ``A B C D 四类`` do not.

    Returns
    -------
    list of (start, end)
    """
    if not re.search(f"[{_HAN}]", line):
        return []
    spans = []
    for m in _ASCII_RUN.finditer(line):
        toks = m.group().split()
        if len(toks) < 4:
            continue
        mean = sum(map(len, toks)) / len(toks)
        letters = sum(1 for t in toks if re.search("[A-Za-z]", t))
        noise = sum(1 for c in m.group() if c in _NOISE)
        if mean <= 2.5 and letters >= 2 and noise >= 2:
            spans.append(m.span())
    return spans


def remove_inline_junk(line: str) -> tuple[str, list[dict]]:
    """Remove :data:`INLINE_JUNK` matches and anti-scraping fragments from one line.

    Returns
    -------
    (line, removed) : tuple
        The line without the fragments and one ``{"line": fragment, "reason": why}``
        per removal.
    """
    removed: list[dict] = []
    for pat, why in INLINE_JUNK:
        found = [m.group() for m in pat.finditer(line)]
        if found:
            removed.extend({"line": f, "reason": why} for f in found)
            line = pat.sub("", line)
    spans = anti_scraping_spans(line)
    removed.extend({"line": line[s:e], "reason": "anti-scraping fragment (non-Chinese noise inside a sentence)"}
                   for s, e in spans)
    for s, e in reversed(spans):
        line = line[:s] + line[e:]
    return line, removed


def line_junk_reason(line: str) -> str | None:
    """Why a whole (width-normalised) line is boilerplate or chrome, or ``None``."""
    why = _boilerplate_reason(line)
    if why:
        return why
    if "。" in line or len(line) > 80:
        return None
    for pat, why in CHROME:
        if pat.search(line):
            return why
    return family_reason(line)


def _link_like(line: str) -> bool:
    return len(line) <= 40 and not re.search(r"[。！？]", line)


def _chrome_like(par: str) -> bool:
    """A paragraph that must never be glued to another by page-break repair."""
    return bool(line_junk_reason(par) or re.search(r"\d{1,2}:\d{2}|[|｜]|\s(>|＞|»)\s", par))


@dataclass
class CleanDocument:
    """Result of :func:`clean_document`.

    Attributes
    ----------
    paragraphs : list of str
        Clean paragraphs in document order.
    metadata : dict
        Front-matter fields (``title``, ``date``, ``author``, ``url``) when present.
    dropped : list of dict
        One entry per removed line: ``{"line": text, "reason": why}``.  Markup that
        carries no text (tags, comments) is counted in ``markup_chars`` instead.
    joins : list of dict
        One entry per page-break repair: ``{"before": tail, "after": head}``.
    markup_chars : int
        Characters of front matter delimiters, tags and comments removed.
    invisible : dict
        Invisible characters normalised before cleaning:
        ``{"zero_width": n, "bom": n, "nbsp": n}`` (see :mod:`analysis.ingest.normalise`).
    line_structure : dict
        How lines were read as paragraphs: ``{"mode": …, "evidence": …}`` (see
        :func:`analysis.ingest.pagelines.detect_line_structure`).
    """

    paragraphs: list[str]
    metadata: dict = field(default_factory=dict)
    dropped: list[dict] = field(default_factory=list)
    joins: list[dict] = field(default_factory=list)
    markup_chars: int = 0
    invisible: dict = field(default_factory=lambda: {"zero_width": 0, "bom": 0, "nbsp": 0})
    line_structure: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        """Paragraphs joined with newlines (the text units are cut from)."""
        return "\n".join(self.paragraphs)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        elif tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        elif tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._skip:
            self.parts.append(data)


def _split_front_matter(raw: str) -> tuple[dict, str, list[str]]:
    lines = raw.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines) or lines[i].strip() != "---":
        return {}, raw, []
    for j in range(i + 1, len(lines)):
        if lines[j].strip() == "---":
            meta: dict = {}
            for line in lines[i + 1 : j]:
                m = re.match(r"^(\w+)\s*:\s*(.*)$", line)
                if m and m.group(2).strip():
                    meta[m.group(1)] = m.group(2).strip().strip("'\"")
            if "from" in meta and "url" not in meta:
                meta["url"] = meta["from"]
            return meta, "\n".join(lines[j + 1 :]), [x for x in lines[i : j + 1] if x.strip()]
    return {}, raw, []


def _html_to_text(body: str) -> tuple[str, int, str]:
    parser = _TextExtractor()
    parser.feed(body)
    parser.close()
    text = "".join(parser.parts)
    title = normalize_width("".join(parser.title))
    visible = len(re.sub(r"\s", "", text)) + len(re.sub(r"\s", "", title))
    markup = len(re.sub(r"\s", "", body)) - visible
    return text, max(markup, 0), title


def normalize_width(text: str) -> str:
    """Normalise punctuation width and whitespace without touching Han characters.

    Parameters
    ----------
    text : str
        One paragraph.

    Returns
    -------
    str
        Full-width ASCII variants (U+FF01–U+FF5E letters and digits) mapped to ASCII;
        half-width ``, : ; ! ? ( )`` adjacent to Chinese text mapped to full width;
        whitespace collapsed; spaces next to full-width punctuation removed.

    Examples
    --------
    >>> normalize_width("11月11日,国务院 (第九版)")
    '11月11日，国务院（第九版）'
    """
    # full-width letters/digits -> ASCII (NFKC on those code points only)
    text = re.sub(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]",
                  lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = re.sub(r"[\s\u00a0\u3000]+", " ", text).strip()
    half_to_full = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
    cjk = re.compile(_CJK_CTX)

    def _fix(m: re.Match) -> str:
        before = text[m.start() - 1] if m.start() > 0 else ""
        after = text[m.end()] if m.end() < len(text) else ""
        ch = m.group(2)
        if ch == "(":  # an opening bracket is Chinese if Chinese follows inside
            inside = text[m.end(): text.find(")", m.end()) if ")" in text[m.end():] else len(text)]
            chinese = bool(cjk.search(inside)) or bool(cjk.match(before))
        elif ch == ")":
            inside = text[text.rfind("(", 0, m.start()) + 1: m.start()] if "(" in text[:m.start()] else ""
            chinese = bool(cjk.search(inside)) or bool(cjk.match(after))
        else:
            chinese = bool(cjk.match(before)) or bool(cjk.match(after))
        return half_to_full[ch] if chinese else m.group()

    text = re.sub(r"( ?)([,:;!?()])( ?)", _fix, text)
    # no spaces around full-width punctuation
    text = re.sub(rf" *([{_CJK_PUNCT}]) *", r"\1", text)
    return text


def _boilerplate_reason(line: str) -> str | None:
    for pat, why in BOILERPLATE:
        if pat.search(line):
            return why
    return None


def _join_lines(lines: list[str], wrapped: bool = False) -> str:
    """Join the lines of one paragraph; no space between two Chinese characters (in a
    page-width wrapped text, no space next to any Chinese character: the wrap cut a line
    that had none)."""
    out = lines[0]
    for line in lines[1:]:
        a, b = re.match(_CJK_CTX, out[-1]), re.match(_CJK_CTX, line[0])
        out += ("" if (a or b if wrapped else a and b) else " ") + line
    return out


def _paragraph_lines(block: list[str], structure: LineStructure) -> list[list[str]]:
    """The kept lines of one block grouped into paragraphs, as the document's line structure says.

    HTML and blank-line documents: the block's lines form one paragraph, except that a
    chrome-like line (a time stamp, ``|`` separators) is never joined to a neighbour.
    One paragraph per line: each line.  Wrapped lines: a line that fills the page width
    continues on the next one.
    """
    if structure.mode == PER_LINE:
        return [[x] for x in block]
    groups: list[list[str]] = []
    for line in block:
        if groups:
            prev = groups[-1][-1]
            if structure.mode == WRAPPED:
                join = structure.continues(prev) and not _chrome_like(prev) and not _chrome_like(line)
            else:
                join = structure.mode == HTML or not (_chrome_like(prev) or _chrome_like(line))
            if join:
                groups[-1].append(line)
                continue
        groups.append([line])
    return groups


def _needs_join(par: str) -> bool:
    if par.endswith(_PAUSE_END):
        return True
    last = par[-1]
    if not (re.match(f"[{_HAN}]", last) or last.isdigit()):
        return False
    body = _BRACKETED.sub("", par)
    return bool(_SENTENCE_MARK.search(body)) and not _HEADLINE_SPACE.search(body)


def clean_document(raw: str, *, headline: str | None = None) -> CleanDocument:
    """Clean one raw news document into paragraphs, logging what was removed.

    Parameters
    ----------
    raw : str
        Decoded text of a raw file (front matter, HTML and plain text all accepted).
    headline : str, optional
        The article's headline.  Later paragraphs identical to it (page headers
        repeated at a page break) are dropped.  Defaults to the front-matter title
        or, without one, the first paragraph.

    Returns
    -------
    CleanDocument
        Paragraphs plus the audit (``dropped``, ``joins``, ``markup_chars``).

    Examples
    --------
    >>> doc = clean_document("要求全省上下完整、\\n\\n准确、全面贯彻。\\n\\n责编:北风")
    >>> doc.paragraphs
    ['要求全省上下完整、准确、全面贯彻。']
    >>> doc.dropped[0]["reason"]
    'byline: editor'
    """
    raw, invisible = normalise_invisible(raw.replace("\r\n", "\n").replace("\r", "\n"))
    meta, body, fm_lines = _split_front_matter(raw)
    markup = 0
    dropped: list[dict] = [{"line": x, "reason": "front matter (parsed into metadata)"} for x in fm_lines]
    is_html = bool(_HTML_HINT.search(body))
    if is_html:
        comments = re.findall(r"<!--.*?-->", body, flags=re.S)
        markup += sum(len(c) for c in comments)
        body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
        body, tag_chars, page_title = _html_to_text(body)
        markup += tag_chars
        if page_title:  # the browser-tab title (often "headline_site name"): metadata, not text
            meta.setdefault("html_title", page_title)
            dropped.append({"line": page_title, "reason": "HTML <title> (page title, kept as metadata)"})
    else:
        body = html.unescape(body)

    if headline is None and "title" in meta:
        headline = normalize_width(meta["title"])
    # every line is cleaned and judged on its own before anything is joined
    flat: list[tuple[int, str, list]] = []  # (block number, width-normalised line, inline removals)
    pending: list[dict] = []  # inline removals of lines left empty, logged with the next line
    for b, block in enumerate(re.split(r"\n\s*\n", body)):
        for line in block.split("\n"):
            line, removed = remove_inline_junk(line)
            pending.extend(removed)
            line = normalize_width(line)
            if line:
                flat.append((b, line, pending))
                pending = []
    # rules are written in Simplified: a Traditional page's chrome candidates (lines that are not a
    # sentence) are judged on their Simplified form (same length, character for character); the
    # text is kept as it is
    simple = [x for _, x, _ in flat]
    short = [i for i, x in enumerate(simple) if "。" not in x and len(x) <= 80]
    if short:
        for i, x in zip(short, to_simplified("\n".join(simple[i] for i in short))[0].split("\n")):
            simple[i] = x
    reasons = mark_control_runs(simple, [line_junk_reason(x) for x in simple])
    kept: list[tuple[int, str]] = []
    in_sidebar = False
    for (b, line, removed), why, line_s in zip(flat, reasons, simple):
        dropped.extend(removed)
        if why:
            dropped.append({"line": line, "reason": why})
            continue
        if SIDEBAR_HEADER.match(line_s):
            in_sidebar = True
            dropped.append({"line": line, "reason": "site chrome: sidebar link list (header)"})
            continue
        if in_sidebar:
            if _link_like(line_s):
                dropped.append({"line": line, "reason": "site chrome: sidebar link list"})
                continue
            in_sidebar = False
        if headline is None:
            headline = line  # the first line of a plain-text article is its headline
        elif line == headline:
            dropped.append({"line": line, "reason": "repeated headline (page header)"
                            if kept else "headline (kept as the title metadata)"})
            continue
        kept.append((b, line))
    dropped.extend(pending)
    # a plain-text page's first line is its headline: a paragraph of its own, never joined
    title_first = bool(kept) and not is_html and kept[0][1] == headline
    blocks: dict[int, list[str]] = {}
    for k, (b, line) in enumerate(kept):
        blocks.setdefault(-1 if k == 0 and title_first else b, []).append(line)
    structure = detect_line_structure(list(blocks.values()), html=is_html)
    paragraphs = [normalize_width(_join_lines(lines, structure.mode == WRAPPED))
                  for block in blocks.values() for lines in _paragraph_lines(block, structure)]

    joined: list[str] = []
    joins: list[dict] = []
    for k, par in enumerate(paragraphs):
        if joined and not (k == 1 and title_first) and _needs_join(joined[-1]) and not _chrome_like(joined[-1]) \
                and not _chrome_like(par):
            joins.append({"before": joined[-1][-12:], "after": par[:12]})
            joined[-1] = joined[-1] + par
        else:
            joined.append(par)
    return CleanDocument(paragraphs=joined, metadata=meta, dropped=dropped,
                         joins=joins, markup_chars=markup, invisible=invisible,
                         line_structure={"mode": structure.mode, "evidence": structure.evidence})
