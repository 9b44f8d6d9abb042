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
   library's :class:`html.parser.HTMLParser`; block elements (``p``, ``div``,
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
5. **Page-break repair**: a paragraph is joined to the next one when it ends in a
   pause mark (``、，：；`` ...) or, ending in a Han character or digit, when it reads
   as running text (it contains a sentence mark ``，。；：`` and no headline-style
   space).  Headlines ("抓早抓小 以快制快") are short phrases separated by spaces and
   carry no sentence marks, so they stay separate.  Every join is logged.
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["CleanDocument", "clean_document", "normalize_width", "BOILERPLATE"]

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
    """

    paragraphs: list[str]
    metadata: dict = field(default_factory=dict)
    dropped: list[dict] = field(default_factory=list)
    joins: list[dict] = field(default_factory=list)
    markup_chars: int = 0

    @property
    def text(self) -> str:
        """Paragraphs joined with newlines (the text units are cut from)."""
        return "\n".join(self.paragraphs)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self._skip:
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


def _html_to_text(body: str) -> tuple[str, int]:
    parser = _TextExtractor()
    parser.feed(body)
    parser.close()
    text = "".join(parser.parts)
    visible = len(re.sub(r"\s", "", text))
    markup = len(re.sub(r"\s", "", body)) - visible
    return text, max(markup, 0)


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


def _join_lines(lines: list[str]) -> str:
    """Join the lines of one paragraph; no space between two Chinese characters."""
    out = lines[0]
    for line in lines[1:]:
        cjk_seam = re.match(_CJK_CTX, out[-1]) and re.match(_CJK_CTX, line[0])
        out += ("" if cjk_seam else " ") + line
    return out


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
    raw = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    meta, body, fm_lines = _split_front_matter(raw)
    markup = 0
    dropped: list[dict] = [{"line": x, "reason": "front matter (parsed into metadata)"} for x in fm_lines]
    if _HTML_HINT.search(body):
        comments = re.findall(r"<!--.*?-->", body, flags=re.S)
        markup += sum(len(c) for c in comments)
        body = re.sub(r"<!--.*?-->", "", body, flags=re.S)
        body, tag_chars = _html_to_text(body)
        markup += tag_chars
    else:
        body = html.unescape(body)

    if headline is None and "title" in meta:
        headline = normalize_width(meta["title"])
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", body):
        lines = []
        for line in block.split("\n"):
            line = normalize_width(line)
            if not line:
                continue
            if headline is None:
                headline = line  # the first line of a plain-text article is its headline
            elif line == headline:
                first = not paragraphs and not lines
                dropped.append({"line": line, "reason": "headline (kept as the title metadata)"
                                if first else "repeated headline (page header)"})
                continue
            why = _boilerplate_reason(line)
            if why:
                dropped.append({"line": line, "reason": why})
            else:
                lines.append(line)
        if lines:
            paragraphs.append(normalize_width(_join_lines(lines)))

    joined: list[str] = []
    joins: list[dict] = []
    for par in paragraphs:
        if joined and _needs_join(joined[-1]):
            joins.append({"before": joined[-1][-12:], "after": par[:12]})
            joined[-1] = joined[-1] + par
        else:
            joined.append(par)
    return CleanDocument(paragraphs=joined, metadata=meta, dropped=dropped,
                         joins=joins, markup_chars=markup)
