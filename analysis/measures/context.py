"""Concordance (KWIC) and verbatim text reuse, on the cleaned text (not tokens).

Matching uses ``text`` (Simplified script, see :mod:`analysis.ingest.normalise`); what is shown
(concordance lines, reused passages) comes from ``display_text`` (the original script,
character-aligned with ``text``) when the corpus table has it."""
from __future__ import annotations

import html
import re

import pandas as pd

__all__ = ["kwic", "kwic_html", "text_reuse", "shared_passages"]


def kwic(corpus: pd.DataFrame, term: str, window: int = 15) -> pd.DataFrame:
    """Keyword-in-context lines for every occurrence of ``term``.

    Matching is on the cleaned text, exact and non-overlapping, so it finds a term
    whatever the segmenter did with it (``清零`` also inside ``动态清零``).

    Parameters
    ----------
    corpus : pandas.DataFrame
        Corpus table with ``unit_id`` and ``text``.
    term : str
        The string to find (non-empty).
    window : int, default 15
        Characters of context on each side (newlines shown as spaces).

    Returns
    -------
    pandas.DataFrame
        Columns ``unit_id``, ``position`` (character offset in the unit's text),
        ``left``, ``keyword``, ``right``, in corpus order.

    Examples
    --------
    >>> df = pd.DataFrame({"unit_id": ["u1"], "text": ["坚持动态清零总方针"]})
    >>> kwic(df, "清零", window=2).values.tolist()
    [['u1', 4, '动态', '清零', '总方']]
    """
    if not isinstance(term, str) or not term.strip():
        raise ValueError("term must be a non-empty string")
    if window < 0:
        raise ValueError("window must be >= 0")
    rows = []
    for uid, text, shown in zip(corpus["unit_id"], corpus["text"], _display(corpus)):
        for m in re.finditer(re.escape(term), text):
            s, e = m.span()
            rows.append((uid, s, shown[max(0, s - window):s].replace("\n", " "), shown[s:e],
                         shown[e:e + window].replace("\n", " ")))
    return pd.DataFrame(rows, columns=["unit_id", "position", "left", "keyword", "right"])


def _display(corpus: pd.DataFrame) -> list[str]:
    """Per unit, the text to show: ``display_text`` where it is aligned with ``text``."""
    if "display_text" not in corpus.columns:
        return list(corpus["text"])
    return [d if isinstance(d, str) and len(d) == len(t) else t
            for t, d in zip(corpus["text"], corpus["display_text"])]


def kwic_html(lines: pd.DataFrame, max_rows: int = 200) -> str:
    """Render :func:`kwic` output as an HTML table (all text escaped).

    Returns
    -------
    str
        ``<table>`` markup with the keyword centred and highlighted; display it in a
        notebook with ``IPython.display.HTML``.
    """
    esc = html.escape
    body = "".join(
        f"<tr><td style='color:#666'>{esc(str(r.unit_id))}</td>"
        f"<td style='text-align:right'>{esc(r.left)}</td>"
        f"<td style='text-align:center'><b style='color:#D55E00'>{esc(r.keyword)}</b></td>"
        f"<td style='text-align:left'>{esc(r.right)}</td></tr>"
        for r in lines.head(max_rows).itertuples()
    )
    more = f"<caption>{len(lines)} lines (first {max_rows} shown)</caption>" if len(lines) > max_rows else \
        f"<caption>{len(lines)} lines</caption>"
    return f"<table class='kwic'>{more}{body}</table>"


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


#: stands for a masked character (a document title) in reuse: no gram containing it counts
_MASK = "\x00"


def _mask_titles(text: str, titles: dict | None) -> str:
    """``text`` with every document title (analysis.text.hygiene.title_spans) replaced by
    :data:`_MASK` characters, so citing a title is not counted as reusing its text."""
    from analysis.text.hygiene import title_spans

    spans = title_spans(text, titles)  # a dict, or a compiled matcher
    if not spans:
        return text
    chars = list(text)
    for s, e, _ in spans:
        for i in range(s, e):
            if not chars[i].isspace():
                chars[i] = _MASK
    return "".join(chars)


def _grams(text: str, k: int) -> set:
    return {g for g in (text[i:i + k] for i in range(len(text) - k + 1)) if _MASK not in g}


def _coverage(text: str, grams: set, k: int) -> list[bool]:
    covered = [False] * len(text)
    for i in range(len(text) - k + 1):
        if text[i:i + k] in grams:
            for j in range(i, i + k):
                covered[j] = True
    return covered


def _runs(text: str, covered: list[bool]) -> list[str]:
    """Maximal covered stretches of ``text``, in order."""
    mask = "".join("1" if c else "0" for c in covered)
    return [text[m.start():m.end()] for m in re.finditer("1+", mask)]


def shared_passages(a: str, b: str, min_chars: int = 12) -> list[str]:
    """Maximal passages of ``a`` (at least ``min_chars`` long) that occur verbatim in ``b``.

    Whitespace is ignored.  A passage is a maximal run of ``a``'s characters covered
    by ``min_chars``-grams that also occur in ``b``.
    """
    a, b = _normalise(a), _normalise(b)
    return _runs(a, _coverage(a, _grams(b, min_chars), min_chars))


def text_reuse(corpus: pd.DataFrame, source=None, min_chars: int = 12, *,
               mask_titles: bool = True, titles: dict | None = None) -> pd.DataFrame:
    """Share of each unit's text that is verbatim reuse.

    A character counts as reused when it lies inside a passage of at least
    ``min_chars`` consecutive characters (whitespace ignored) that also occurs in
    the source.  This equals the union of shared ``min_chars``-grams.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Corpus table with ``unit_id`` and ``text``.
    source : str or list of str, optional
        ``unit_id``(s) of the source text(s), e.g. the national 二十条 notice.  Each
        unit is compared with the source(s), excluding itself.  Default: every other
        unit (flags duplicated passages across outlets).
    min_chars : int, default 12
        Shortest passage that counts; short stock phrases (人民至上、生命至上 is 9
        characters with its mark) stay below it.
    mask_titles : bool, default True
        Leave document titles out (quoted ``《…》`` and the unquoted names listed in
        ``data/lexicon/titles.txt``, see :func:`analysis.text.hygiene.title_spans`): citing
        "进一步优化防控工作的二十条措施" names the notice, it does not reuse its text.
        Masked characters are neither reused nor counted in ``n_chars``, and no passage
        runs across a title.  False reproduces the unmasked measure.
    titles : dict, optional
        Title -> short name, instead of ``data/lexicon/titles.txt``.

    Returns
    -------
    pandas.DataFrame
        One row per unit (the sources themselves are skipped when ``source`` is given):
        ``unit_id``, ``n_chars`` (without whitespace and masked titles), ``reused_chars``,
        ``reuse_share`` (0–1), ``top_match`` (the other unit sharing the most
        characters), ``longest_passage``.
    """
    if min_chars < 2:
        raise ValueError("min_chars must be >= 2")
    ids = list(corpus["unit_id"])
    if mask_titles:
        from analysis.text.hygiene import compile_titles
        titles = compile_titles(titles)
    texts = {u: _normalise(_mask_titles(t, titles) if mask_titles else t)
             for u, t in zip(ids, corpus["text"])}
    shown = {u: _normalise(d) for u, d in zip(ids, _display(corpus))}  # same offsets (masks keep length)
    if source is not None:
        src = [source] if isinstance(source, str) else list(source)
        missing = [s for s in src if s not in texts]
        if missing:
            raise ValueError(f"unknown source unit_id(s) {missing}; choose from corpus.unit_id")
        targets = [u for u in ids if u not in src]
    else:
        src, targets = ids, ids
    grams = {u: _grams(texts[u], min_chars) for u in set(src) | set(targets)}
    rows = []
    for u in targets:
        text = texts[u]
        others = [s for s in src if s != u]
        union: set = set().union(*(grams[s] for s in others)) if others else set()
        cov = _coverage(text, union, min_chars)
        best, best_n = "", 0
        for s in others:
            n = sum(_coverage(text, grams[s], min_chars))
            if n > best_n:
                best, best_n = s, n
        runs = _runs(text, cov)
        longest = ""
        if runs:  # shown in the original script (same offsets: whitespace is never converted)
            i = max(range(len(runs)), key=lambda k: len(runs[k]))
            mask = "".join("1" if c else "0" for c in cov)
            m = list(re.finditer("1+", mask))[i]
            longest = shown[u][m.start():m.end()]
        reused = sum(cov)
        n = len(text) - text.count(_MASK)
        rows.append((u, n, reused, reused / n if n else 0.0, best, longest))
    return pd.DataFrame(rows, columns=["unit_id", "n_chars", "reused_chars", "reuse_share",
                                       "top_match", "longest_passage"])
