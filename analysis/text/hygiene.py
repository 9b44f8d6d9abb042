"""Token hygiene: what is excluded from counting, names, and document titles.

A meeting report carries text that is not the meeting's discourse: the list of
officials who attended, the reporter's byline, the outlet credit ("据《河南日报》"),
the attribution to another outlet ("根据河南日报报道，").  Counted as words they
produce name fragments (为民, 金平, 富强, 健委副) and outlet names that look like key
terms.  The same holds for titles of documents: "进一步优化防控工作的二十条措施" is
one reference to one notice, not five words (优化 ×13 of 25 came from it).

This module finds those spans on the cleaned text; it never changes the text shown to
a reader (KWIC, reuse passages keep everything).  :class:`analysis.text.tokens.Segmenter`
applies it in one place before segmenting:

* :func:`counting_spans` -> ``[(start, end, reason), ...]``: spans excluded from
  counting, each with the rule that matched (see :data:`RULES`);
* :func:`mask_for_counting` -> the text with those spans blanked (same length, so
  offsets stay valid);
* :func:`title_spans` -> ``[(start, end, token), ...]``: document titles, quoted
  (``《…》``) or listed in ``data/lexicon/titles.txt``; each occurrence is counted as
  one title token (``《二十条》``), and :func:`analysis.measures.context.text_reuse` masks them;
* :func:`load_names` -> the names list (``data/lexicon/names.txt``: name, role,
  province): kept whole by the segmenter and stopped *as names*.

Every rule is a regular expression over one sentence or paragraph; all are tested on
positive and negative examples in ``tests/test_hygiene.py``.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.ingest.corpus import default_data_dir

__all__ = ["counting_spans", "mask_for_counting", "counting_text", "title_spans", "compile_titles",
           "TitleMatcher", "load_names", "load_titles", "parse_names", "parse_titles",
           "exclusion_report", "stopword_sections", "RULES", "NamesError"]

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_ONLY = re.compile(f"^[{_HAN}]+$")
#: a sentence: a run without sentence-final punctuation or newline, plus its end mark
_SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")

#: Exclusion rules, in the order they are tried: (reason, pattern, scope).
#: ``scope`` is "sentence" (the whole sentence is excluded when the pattern matches it)
#: or "match" (only the matched text is excluded: group 1 when the pattern has groups,
#: else the whole match).
RULES: tuple = (
    # attendance list: a sentence that ends with the attendance verb
    #   穆为民、江凌、…在主会场出席。 / …宋争辉出席会议。 / …有关成员分别在主会场、分会场参加会议。
    ("attendance list", re.compile(r"(出席|出席会议|参加会议|列席|列席会议)[。；]?$"), "sentence"),
    # meeting format: 会议以视频形式召开 / 各省辖市…设分会场
    ("meeting format", re.compile(r"^会议以.{0,8}形式召开[。；]?$|设分会场[。；]?$"), "sentence"),
    # dateline byline at the start of a paragraph: 本报讯 / 快报讯 (+ optional （…记者…）)
    ("byline", re.compile(r"(?m)^[ \t]*(?:本报讯|快报讯)\s*(?:（[^（）\n]*）)?\s*"),
     "match"),
    # reporter credit inside brackets: （正观新闻·郑州晚报记者 陈锋 张昕） / （记者 张三）
    ("byline", re.compile(r"（[^（）\n]{0,20}记者[^（）\n]{0,20}）"), "match"),
    # closing credit: a bracketed 2–4 character name after the last full stop of a paragraph
    # (the full stop is matched and left out through group 1: a pattern that starts with a
    # look-behind is tried at every position, one that starts with a character class is
    # not -- 7x faster, same spans, tested against the look-behind form)
    ("byline", re.compile(r"(?m)[。！？](\s*（[" + _HAN + r"]{2,4}）\s*)$"), "match"),
    # outlet credit closing a paragraph: 据《河南日报》 / 据新华社 / （新华社）
    ("outlet credit", re.compile(r"(?m)[。！？](\s*(?:据\s*(?:《[^《》\n]{1,12}》|[" + _HAN + r"]{2,8})"
                                 r"|（(?:新华社|人民日报|央视新闻)[^（）\n]{0,8}）)\s*)$"),
     "match"),
    # attribution to another outlet: 根据河南日报报道， / 据冀云客户端12日报道，
    ("outlet attribution", re.compile(r"(?:根据|据)[^，。；\n]{1,16}?报道[，,]?"), "match"),
)


#: Every "sentence" rule above matches only sentences containing one of these strings
#: (tested in tests/test_hygiene.py); add the trigger of a new sentence rule here.
_SENTENCE_TRIGGER = re.compile("出席|参加会议|列席|形式召开|设分会场")


#: Strings one of which every match of a "match" rule contains (tested): a chunk of text
#: without any of them skips the rule's scan (the byline rule that starts at a line start
#: is otherwise tried at every position).
_RULE_LITERALS = {
    RULES[2][1].pattern: ("本报讯", "快报讯"),
    RULES[3][1].pattern: ("记者",),
}


def _occurrences(text: str, literals) -> list[int]:
    """Sorted distinct start positions of every occurrence of each literal (overlapping
    occurrences included), found by ``str.find`` (a memchr-like scan)."""
    out = []
    for lit in literals:
        find = text.find
        i = find(lit)
        while i >= 0:
            out.append(i)
            i = find(lit, i + 1)
    return sorted(set(out))


def _finditer_from(pattern: re.Pattern, text: str, starts):
    """``pattern.finditer(text)`` for a pattern whose every match starts at one of
    ``starts`` (sorted) and is never empty: the pattern is only tried there.

    Python's regular expressions scan fast for a pattern that starts with a literal but
    try every position when it starts with a class or an alternation (0.06-0.11 s per rule
    over the 50 MB of 新闻联播 stories); with the candidates found by ``str.find`` the
    three anchored rules took 0.013-0.024 s each there and the listed titles 0.021 s
    instead of 0.062 s.  Same matches as ``finditer`` (tested on random texts and on every
    新闻联播 story)."""
    end = 0
    for s in starts:
        if s < end:
            continue
        m = pattern.match(text, s)
        if m is not None:
            yield m
            end = m.end()


def _after_sentence_end(text: str, anchors) -> list[int]:
    """Positions of each ``。！？`` that only whitespace (``\\s``, i.e. ``str.isspace``)
    separates from a following anchor string."""
    out = []
    for q in _occurrences(text, anchors):
        j = q - 1
        while j >= 0 and text[j].isspace():
            j -= 1
        if j >= 0 and text[j] in "。！？":
            out.append(j)
    return sorted(set(out))


def _ju_starts(text: str) -> list[int]:
    """Each 据, and the 根 before it: where ``(?:根据|据)`` can start."""
    out = []
    for q in _occurrences(text, ("据",)):
        if q and text[q - 1] == "根":
            out.append(q - 1)
        out.append(q)
    return out


#: Where each match of a rule can start, for the rules whose patterns begin with a class
#: or an alternation (see :func:`_finditer_from`): the closing credit and the outlet
#: credit start at the end mark before their （ or 据, the attribution at 根据 or 据.
_RULE_STARTS = {
    RULES[4][1].pattern: lambda text: _after_sentence_end(text, ("（",)),
    RULES[5][1].pattern: lambda text: _after_sentence_end(text, ("据", "（")),
    RULES[6][1].pattern: _ju_starts,
}


def _rule_matches(pattern: re.Pattern, text: str):
    """``pattern.finditer(text)``, through :data:`_RULE_STARTS` where it has the rule."""
    starts = _RULE_STARTS.get(pattern.pattern)
    return pattern.finditer(text) if starts is None else _finditer_from(pattern, text, starts(text))


def _trimmed(text: str, a: int, b: int) -> tuple[int, int]:
    """The span ``[a, b)`` of ``text`` without surrounding whitespace."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _sentence_rules():
    return [(r, p) for r, p, s in RULES if s == "sentence"]


def _match_rules():
    return [(r, p) for r, p, s in RULES if s == "match"]


def counting_spans(text: str) -> list[tuple[int, int, str]]:
    """Character spans of ``text`` to exclude from counting, with the rule's reason.

    Parameters
    ----------
    text : str
        A unit's cleaned text.

    Returns
    -------
    list of (start, end, reason)
        Half-open character offsets into ``text``, sorted and non-overlapping (where
        two rules overlap, the earlier span wins). ``reason`` is one of the reasons
        in :data:`RULES` ("attendance list", "meeting format", "byline",
        "outlet credit", "outlet attribution").

    Examples
    --------
    >>> counting_spans("会议强调，要以快制快。穆为民、江凌在主会场出席。")
    [(11, 24, 'attendance list')]
    """
    found: list[tuple[int, int, str]] = []
    seen: set = set()
    # only sentences holding a trigger string can match a sentence rule: find those
    # sentences around the triggers instead of testing every sentence (a long text has
    # few of them; this keeps hygiene cheap next to a compiled segmenter)
    for t in _SENTENCE_TRIGGER.finditer(text):
        # the sentence starts after the last end mark before the trigger; marks other
        # than the newline are only looked for after the last newline (same result,
        # without scanning back through a long chunk for a rare mark)
        line = text.rfind("\n", 0, t.start())
        start = max(line, *(text.rfind(c, line + 1, t.start()) for c in "。！？；")) + 1
        if start in seen:
            continue
        seen.add(start)
        m = _SENTENCE.match(text, start)
        if m is None:
            continue
        s = m.start()
        sentence = m.group().strip()
        lead = len(m.group()) - len(m.group().lstrip())
        for reason, pat in _sentence_rules():
            if pat.search(sentence):
                found.append((s + lead, s + lead + len(sentence), reason))
                break
    for reason, pat in _match_rules():
        needs = _RULE_LITERALS.get(pat.pattern)
        if needs and not any(n in text for n in needs):
            continue
        group = 1 if pat.groups else 0
        for m in _rule_matches(pat, text):
            a, b = _trimmed(text, *m.span(group))
            if b > a:
                found.append((a, b, reason))
    return drop_overlapping(found)


def longest_first(span) -> tuple:
    """Sort key of :func:`drop_overlapping` for leftmost-longest matching."""
    return span[0], -(span[1] - span[0])


def drop_overlapping(spans, key=None) -> list:
    """``(start, end, ...)`` spans sorted (by ``key``, default the tuples themselves) with every
    span that overlaps an earlier kept one dropped: the first in sorted order wins.

    Examples
    --------
    >>> drop_overlapping([(4, 6, "b"), (0, 5, "a"), (5, 8, "c")])
    [(0, 5, 'a'), (5, 8, 'c')]
    >>> drop_overlapping([(0, 2, "short"), (0, 4, "long")], key=longest_first)
    [(0, 4, 'long')]
    """
    out: list = []
    for span in sorted(spans, key=key):
        if out and span[0] < out[-1][1]:
            continue
        out.append(span)
    return out


def mask_for_counting(text: str, spans=None) -> str:
    """``text`` with the :func:`counting_spans` blanked (spaces; newlines kept).

    The result has the same length as ``text``, so offsets stay valid, and blanks
    are dropped by the segmenter's filters like any whitespace.

    Examples
    --------
    >>> mask_for_counting("要以快制快。（黄伟）")
    '要以快制快。    '
    """
    spans = counting_spans(text) if spans is None else spans
    return _blank(text, spans)


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(text: str, spans) -> str:
    """``text`` with the characters of ``spans`` replaced by spaces (newlines kept)."""
    if not spans:
        return text
    out, pos = [], 0
    for s, e, _ in spans:
        out.append(text[pos:s])
        out.append(_NOT_NEWLINE.sub(" ", text[s:e]))
        pos = e
    out.append(text[pos:])
    return "".join(out)


def counting_text(text: str, titles=None) -> str:
    """``text`` as counted by string matching (theme counts): :func:`mask_for_counting`
    plus every document title (:func:`title_spans`) blanked.  Same length as ``text``.

    Examples
    --------
    >>> counting_text("落实进一步优化防控工作的二十条措施，优化调整。", {"进一步优化防控工作的二十条措施": "二十条"})
    '落实               ，优化调整。'
    """
    masked = mask_for_counting(text)
    return _blank(masked, title_spans(masked, titles))


# ---------------------------------------------------------------- word-list files

class NamesError(ValueError):
    """``names.txt`` or ``titles.txt`` is malformed (the message names file and line)."""


def _rows_text(text: str, name: str, n_min: int, n_max: int, what: str) -> list[list[str]]:
    rows = []
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        cols = [c.strip() for c in line.split("\t")]
        if not (n_min <= len(cols) <= n_max) or not _HAN_ONLY.match(cols[0]):
            raise NamesError(f"{name} line {i}: {raw.strip()!r} — expected {what}, "
                             f"separated by tabs; the first column must be Han characters only")
        rows.append(cols + [""] * (n_max - len(cols)))
    return rows


def parse_names(text: str, name: str = "names.txt") -> pd.DataFrame:
    """Parse the content of a names file (see :func:`load_names`)."""
    rows = _rows_text(text, name, 1, 3, "name, role, province")
    df = pd.DataFrame(rows, columns=["name", "role", "province"])
    dupes = sorted(set(df.name[df.name.duplicated()]))
    if dupes:
        raise NamesError(f"{name}: name(s) listed twice: {dupes}; keep one line each")
    return df


def parse_titles(text: str, name: str = "titles.txt") -> dict[str, str]:
    """Parse the content of a titles file (see :func:`load_titles`)."""
    out = {}
    for title, short in _rows_text(text, name, 2, 2, "title, short name"):
        if not short:
            raise NamesError(f"{name}: title {title!r} has no short name")
        out[title] = short
    return out


def load_names(lexicon_dir=None) -> pd.DataFrame:
    """The names list: people named in the reports, with their role and province.

    Parameters
    ----------
    lexicon_dir : path, optional
        Folder holding ``names.txt`` (default ``data/lexicon``).  A missing file means
        an empty list.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``role`` (as stated in the source), ``province`` (short name,
        "" for national figures), in file order.  Names are unique.

    Raises
    ------
    NamesError
        If a line does not have 1–3 tab-separated columns, a name is not all Han
        characters, or a name is listed twice.
    """
    path = Path(lexicon_dir or default_data_dir() / "lexicon") / "names.txt"
    if not path.is_file():
        return pd.DataFrame(columns=["name", "role", "province"])
    return parse_names(path.read_text(encoding="utf-8"), path.name)


def load_titles(lexicon_dir=None) -> dict[str, str]:
    """Known document titles (``titles.txt``): title or unquoted variant -> short name.

    Each line is ``title<TAB>short name``; the short name becomes the title token
    ``《short name》``.  Unquoted titles are matched literally; inside ``《…》``
    whitespace is ignored.  A missing file means no listed titles (quoted ``《…》`` titles are still recognised).
    """
    path = Path(lexicon_dir or default_data_dir() / "lexicon") / "titles.txt"
    if not path.is_file():
        return {}
    return parse_titles(path.read_text(encoding="utf-8"), path.name)


# ---------------------------------------------------------------- titles

_QUOTED = re.compile(r"《([^《》。！？；\n]{1,80})》")


class TitleMatcher:
    """Compiled title recogniser (see :func:`title_spans`); build once with
    :func:`compile_titles` and reuse it for many texts."""

    def __init__(self, titles: dict):
        self.titles = dict(titles)
        items = sorted(self.titles.items(), key=lambda kv: (-len(kv[0]), kv[0]))
        self._short = {re.sub(r"\s+", "", t): short for t, short in items}
        # listed titles are matched literally (a compiled alternation is fast); a quoted
        # title 《…》 is matched whatever its inner whitespace (removed before lookup)
        # one non-capturing alternation: the regex engine then skips ahead to the titles'
        # first characters (with a group per title it tries every position)
        literal = [re.escape(re.sub(r"\s+", "", t)) for t, _ in items]
        self._listed = re.compile("|".join(literal)) if items else None
        self._literals = tuple(re.sub(r"\s+", "", t) for t, _ in items)

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        found = []
        if "《" in text:
            for m in _QUOTED.finditer(text):
                inner = re.sub(r"\s+", "", m.group(1))
                found.append((m.start(), m.end(), f"《{self._short.get(inner, inner)}》"))
        if self._listed is not None:
            for m in _finditer_from(self._listed, text, _occurrences(text, self._literals)):
                found.append((m.start(), m.end(), f"《{self._short[m.group()]}》"))
        return found if len(found) < 2 else drop_overlapping(found, key=longest_first)


def compile_titles(titles: dict | None = None) -> TitleMatcher:
    """A :class:`TitleMatcher` for ``titles`` (default :func:`load_titles`)."""
    return TitleMatcher(load_titles() if titles is None else titles)


def title_spans(text: str, titles=None) -> list[tuple[int, int, str]]:
    """Document titles in ``text``: quoted ``《…》`` and listed unquoted variants.

    Parameters
    ----------
    text : str
    titles : dict or TitleMatcher, optional
        Title -> short name (default :func:`load_titles` of ``data/lexicon``), or a
        matcher from :func:`compile_titles` (faster for many texts).

    Returns
    -------
    list of (start, end, token)
        Half-open, sorted, non-overlapping (a quoted title wins over a listed variant
        inside it).  ``token`` is ``《short name》`` for a listed title, else the
        quoted title itself with whitespace removed (``《新型冠状病毒肺炎防控方案（第九版）》``).
        Listed titles are matched leftmost-longest and literally (whitespace inside
        a quoted title is ignored).

    Examples
    --------
    >>> title_spans("落实进一步优化防控工作的二十条措施，", {"进一步优化防控工作的二十条措施": "二十条"})
    [(2, 17, '《二十条》')]
    """
    matcher = titles if isinstance(titles, TitleMatcher) else compile_titles(titles)
    return matcher.spans(text)


def exclusion_report(corpus: pd.DataFrame) -> pd.DataFrame:
    """Every span excluded from counting, per unit: what the hygiene rules removed.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Corpus table with ``unit_id`` and ``text``.

    Returns
    -------
    pandas.DataFrame
        Columns ``unit_id``, ``start``, ``end``, ``reason``, ``text`` (the excluded
        passage), in corpus order.
    """
    rows = []
    for uid, text in zip(corpus["unit_id"], corpus["text"]):
        for s, e, r in counting_spans(text):
            rows.append((uid, s, e, r, text[s:e]))
    return pd.DataFrame(rows, columns=["unit_id", "start", "end", "reason", "text"])


# ---------------------------------------------------------------- measuring the rules

_SECTION = re.compile(r"^#\s*--\s*(.+?)\s*--\s*$")


def stopword_sections(path=None) -> dict[str, list[str]]:
    """Words of a stopword file grouped by its ``# -- section --`` header lines.

    Parameters
    ----------
    path : path, optional
        Default ``data/lexicon/stopwords_project.txt``.

    Returns
    -------
    dict
        section name -> words, in file order (words before any header: ``""``).
    """
    path = Path(path or default_data_dir() / "lexicon" / "stopwords_project.txt")
    out: dict[str, list[str]] = {}
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        m = _SECTION.match(raw.strip())
        if m:
            section = m.group(1)
            continue
        word = raw.split("#", 1)[0].strip()
        if word:
            out.setdefault(section, []).append(word)
    return out
