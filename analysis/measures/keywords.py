"""Keyword themes: load, validate, save (atomically, keeping comments) and count.

Counting rule for nested terms
------------------------------
Theme terms are matched in each unit's cleaned text (not in tokens, so a term counts
whatever the segmenter made of it), **leftmost-longest and non-overlapping across the
terms of all themes**: at each position the longest listed term wins and the
characters it covers are not matched again.  ``动态清零`` therefore counts once, for
the theme that lists ``动态清零``; the ``清零`` inside it is not counted again for the
theme that lists ``清零``.  A term listed in two themes counts for both.
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
import warnings
from pathlib import Path

import pandas as pd

from analysis.infra.files import ReadOnlyFileError, atomic_write, locked_dir, remove_stale_temps
from analysis.ingest.corpus import default_data_dir

__all__ = ["KeywordsError", "KeywordsMerged", "Keywords", "load_keywords", "save_keywords", "load_families",
           "validate_keywords", "term_problem", "theme_frequencies", "term_matcher",
           "render_keywords", "theme_kwic"]


class KeywordsError(ValueError):
    """A keyword file or theme dictionary is invalid, or cannot be saved (the message says
    what to fix)."""


class KeywordsMerged(UserWarning):
    """Saving merged edits made on disk (to other themes) since the file was loaded."""


class Keywords(dict):
    """theme name -> list of terms, remembering the file and the exact bytes it was read from.

    :func:`save_keywords` compares those bytes with the file on disk to detect another
    session's edit (and merges or refuses).  Otherwise an ordinary ``dict``.
    """

    def __init__(self, themes=(), path=None, source: bytes | None = None):
        super().__init__(themes)
        self.path = Path(path) if path is not None else None
        self.source = source


def _default_path() -> Path:
    return default_data_dir() / "keywords.yml"


_HAN = re.compile("[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def term_problem(term) -> str | None:
    """Why ``term`` cannot be a keyword term, or None if it can.

    A term is a non-empty run of Chinese characters (CJK ideographs, incl. 〇): no
    spaces, punctuation, Latin letters or digits (the text it is matched in is
    Chinese; pinyin typed mid-composition must never become a term).

    Examples
    --------
    >>> term_problem("动态清零") is None
    True
    >>> term_problem("清零！")
    "contains punctuation '！'"
    """
    if not isinstance(term, str):
        return f"is not text ({type(term).__name__})"
    if not term.strip():
        return "is empty"
    if re.search(r"\s", term.strip()):
        return "contains a space: list each term on its own line"
    bad = [c for c in term.strip() if not _HAN.match(c)]
    if not bad:
        return None
    letters = [c for c in bad if unicodedata.category(c)[0] in "LN"]
    if letters:
        return (f"contains non-Chinese characters {''.join(dict.fromkeys(letters))!r} "
                "(terms are matched in Chinese text; finish typing with the input method)")
    return f"contains punctuation {''.join(dict.fromkeys(bad))!r}"


def validate_keywords(themes, source: str = "themes") -> dict[str, list[str]]:
    """Check a theme dictionary and return it as plain ``dict[str, list[str]]``.

    Rules: at least one theme; theme names are non-empty single-line strings; each
    theme is a non-empty list of distinct terms, each accepted by :func:`term_problem`.

    Raises
    ------
    KeywordsError
        Naming the source (file), theme and term at fault.
    """
    if not isinstance(themes, dict) or not themes:
        raise KeywordsError(f"{source}: expected a mapping of theme name -> list of terms")
    out: dict[str, list[str]] = {}
    for name, terms in themes.items():
        if not isinstance(name, str) or not name.strip() or "\n" in name:
            raise KeywordsError(f"{source}: theme name {name!r} must be a non-empty one-line string")
        if not isinstance(terms, (list, tuple)) or not terms:
            raise KeywordsError(f"{source}: theme {name!r} must be a non-empty list of terms")
        clean = []
        for t in terms:
            problem = term_problem(t)
            if problem == "is empty" or problem and problem.startswith("is not text"):
                raise KeywordsError(f"{source}: theme {name!r} has an empty or non-text term {t!r}")
            if problem and "space" in problem:
                raise KeywordsError(f"{source}: theme {name!r}, term {t!r} contains whitespace; "
                                    f"list each term separately")
            if problem:
                raise KeywordsError(f"{source}: theme {name!r}, term {t!r} {problem}")
            if t.strip() in clean:
                raise KeywordsError(f"{source}: theme {name!r} lists {t.strip()!r} twice")
            clean.append(t.strip())
        if name.strip() in out:
            raise KeywordsError(f"{source}: theme {name.strip()!r} appears twice")
        out[name.strip()] = clean
    return out


def _safe_load(text: str, source: str):
    from analysis.infra.safe_yaml import parse_yaml_safely  # refuses anchors/aliases and oversized files

    return parse_yaml_safely(text, source, "keyword file", error=KeywordsError)


def load_keywords(path=None) -> Keywords:
    """Read the theme lists.

    Parameters
    ----------
    path : path, optional
        Defaults to ``data/keywords.yml``.

    Returns
    -------
    Keywords
        theme name -> list of terms, in file order (a ``dict`` that also remembers
        the file's path and bytes, so :func:`save_keywords` can detect edits made on
        disk in the meantime).

    Raises
    ------
    KeywordsError
        Missing file, invalid YAML (with line number) or invalid content.
    """
    path = Path(path) if path else _default_path()
    if not path.is_file():
        raise KeywordsError(f"keyword file {path} does not exist")
    raw = path.read_bytes()
    data = _safe_load(raw.decode("utf-8"), str(path))
    return Keywords(validate_keywords(data, source=str(path)), path=path, source=raw)


def load_families(path=None) -> dict[str, list[str]]:
    """Read the pre-declared (confirmatory) term families, for ``keyness(..., family=...)``.

    Parameters
    ----------
    path : path, optional
        Defaults to ``data/families.yml``: ``name: {description: text, terms: [term, ...]}``.

    Returns
    -------
    dict
        family name -> list of terms (tokens, as the segmenter cuts them), in file
        order; read the file for what each family stands for.

    Raises
    ------
    KeywordsError
        Missing file, invalid YAML, a family without ``terms`` or ``description``, a term
        that is not text, empty, contains a space or is listed twice (the message names
        file, family and term).
    """
    path = Path(path) if path else default_data_dir() / "families.yml"
    if not path.is_file():
        raise KeywordsError(f"family file {path} does not exist; create it (see data/families.yml)")
    data = _safe_load(path.read_text(encoding="utf-8"), str(path))
    if not isinstance(data, dict) or not data:
        raise KeywordsError(f"{path}: expected `name: {{description: ..., terms: [...]}}` entries")
    out = {}
    for name, spec in data.items():
        where = f"{path}, family {name!r}"
        if not isinstance(spec, dict) or set(spec) != {"description", "terms"}:
            raise KeywordsError(f"{where}: needs exactly `description:` (what the terms stand for, where "
                                f"they come from) and `terms:` (a list)")
        if not isinstance(spec["description"], str) or not spec["description"].strip():
            raise KeywordsError(f"{where}: `description` must be text")
        terms = spec["terms"]
        if not isinstance(terms, list) or not terms:
            raise KeywordsError(f"{where}: `terms` must be a non-empty list")
        for t in terms:  # matched against tokens, so a cited title such as 《二十条》 is a term
            if not isinstance(t, str) or not t.strip() or re.search(r"\s", t.strip()):
                raise KeywordsError(f"{where}: term {t!r} must be one token: non-empty text without spaces")
        clean = [t.strip() for t in terms]
        twice = sorted({t for t in clean if clean.count(t) > 1})
        if twice:
            raise KeywordsError(f"{where}: lists {twice} twice")
        out[str(name)] = clean
    return out


# -- writing: a line-level splice that keeps every byte outside the edited themes -----

def _yaml_str(s: str, key: bool = False) -> str:
    """``s`` as a YAML scalar: plain if that reads back as the same string, else quoted."""
    from ruamel.yaml import YAML

    if s and "#" not in s and ":" not in s and s == s.strip():
        try:
            probe = YAML(typ="safe").load(f"{s}: [{s}]\n")
            if probe == {s: [s]}:
                return s
        except Exception:  # noqa: BLE001 - any parse problem: quote it
            pass
    return json.dumps(s, ensure_ascii=False)


class _Block:
    """Line range of one top-level theme: ``lead`` (its own comment lines directly
    above), ``start`` (the key line), ``end`` (one past its last content line)."""

    def __init__(self, name, lead, start, end):
        self.name, self.lead, self.start, self.end = name, lead, start, end


def _blocks(text: str, source: str) -> tuple[list[str], list[_Block], dict]:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    try:
        doc = YAML().load(text)
    except YAMLError as e:
        raise KeywordsError(f"{source} is not valid YAML, not overwriting it: {e}") from None
    lines = text.splitlines(keepends=True)
    if doc is None:
        return lines, [], {}
    if not isinstance(doc, CommentedMap):
        raise KeywordsError(f"{source}: expected a mapping of theme name -> list of terms; "
                            f"not overwriting it")
    starts = sorted((doc.lc.key(k)[0], k) for k in doc)
    blocks = []
    for i, (line, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines)
        while end - 1 > line and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1
        lead = line
        while lead - 1 >= 0 and lines[lead - 1].startswith("#") and \
                (i == 0 or lead - 1 >= blocks[-1].end):
            lead -= 1
        blocks.append(_Block(name, lead, line, end))
    return lines, blocks, doc


_ITEM = re.compile(r"^(?P<indent>[ \t]*)-[ \t]+(?P<value>[^#\n]*?)(?P<comment>[ \t]+#.*)?(?P<eol>\r?\n)?$")
_KEY = re.compile(r"^(?P<key>[^ \t#-].*?):(?P<rest>([ \t]+#.*)?[ \t]*)(?P<eol>\r?\n)?$")


def _render_block(name: str, terms: list[str], old_lines: list[str] | None, old_terms,
                  nl: str) -> list[str]:
    """Lines of one theme, reusing the old block's key line, item lines and their
    comments where the terms are unchanged."""
    key = _yaml_str(name)
    if old_lines:
        m = _KEY.match(old_lines[0])
        body = old_lines[1:]
        items = [(j, _ITEM.match(line)) for j, line in enumerate(body)]
        items = [(j, m_) for j, m_ in items if m_]
        if m and len(items) == len(old_terms or []):
            out = [f"{key}:{m['rest']}{m['eol'] or nl}" if m["key"] != key else old_lines[0]]
            indent = items[0][1]["indent"] if items else "  "
            # each item owns the non-item lines (comments) since the previous item
            owned, prev = {}, 0
            for (j, _), term in zip(items, old_terms):
                owned.setdefault(term, body[prev:j + 1])
                prev = j + 1
            trailer = body[prev:]
            for t in terms:
                out.extend(owned.get(t) or [f"{indent}- {_yaml_str(t)}{nl}"])
            out.extend(trailer)
            if out and not out[-1].endswith("\n"):
                out[-1] += nl
            return out
    return [f"{key}:{nl}", *(f"  - {_yaml_str(t)}{nl}" for t in terms)]


def render_keywords(text: str, themes: dict, renames: dict | None = None, source: str = "keywords") -> str:
    """Edit the YAML ``text`` of a keyword file so that it holds ``themes``, changing only
    the lines of the themes that differ.

    Unchanged themes, comments, blank lines and order are kept byte for byte; a
    changed theme keeps its comment lines and the lines of the terms it keeps; a
    removed theme loses its block and the comment lines directly above it; new themes
    are appended.  ``renames`` (old name -> new name) keeps a renamed theme in place
    with its comments.

    Returns
    -------
    str
        The new text; ``text`` itself when nothing changed.
    """
    renames = dict(renames or {})
    lines, blocks, doc = _blocks(text, source)
    nl = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    old = {b.name: [str(t) for t in doc[b.name]] if isinstance(doc[b.name], list) else None
           for b in blocks}
    # a rename only applies if the old name is gone and the new one is not in the file
    renames = {o: n for o, n in renames.items() if o in old and o not in themes and n in themes
               and n not in old}
    out: list[str] = []
    pos = 0
    placed = set()
    for b in blocks:
        new_name = renames.get(b.name, b.name)
        if new_name in themes and new_name not in placed:
            out.extend(lines[pos:b.start])
            if old[b.name] == themes[new_name] and new_name == b.name:
                out.extend(lines[b.start:b.end])
            else:
                out.extend(_render_block(new_name, themes[new_name], lines[b.start:b.end],
                                         old[b.name], nl))
            placed.add(new_name)
            pos = b.end
        else:  # removed: drop its own comment lines, the block and one blank line after it
            out.extend(lines[pos:b.lead])
            pos = b.end
            if pos < len(lines) and not lines[pos].strip():
                pos += 1
    out.extend(lines[pos:])
    for name, terms in themes.items():
        if name not in placed:
            if out and not out[-1].endswith("\n"):
                out[-1] += nl
            if out and out[-1].strip():
                out.append(nl)
            out.extend(_render_block(name, terms, None, None, nl))
    return "".join(out)


def _changed(a: dict, b: dict) -> set:
    return {k for k in (*a, *b) if a.get(k) != b.get(k)}


def save_keywords(themes: dict, path=None, *, expected: bytes | None = None,
                  renames: dict | None = None) -> Path:
    """Validate and write theme lists, changing only the lines of edited themes.

    * Saving unchanged themes writes nothing (the file stays byte-identical).
    * Comments, blank lines and theme order are kept (see :func:`render_keywords`).
    * If the file changed on disk since it was loaded (``expected``, or the bytes a
      :class:`Keywords` from :func:`load_keywords` remembers), edits to *different*
      themes are merged and a :class:`KeywordsMerged` warning says so; an edit of the
      same theme on both sides is refused.
    * Written atomically, through symlinks, keeping the file's mode; a read-only
      file is refused.  Temporary files a killed save left beside the file
      (``.keywords.yml.*.tmp``) are removed.

    Parameters
    ----------
    themes : dict
        theme name -> list of terms.  A :class:`Keywords` is updated in place after
        a merge, and remembers the new bytes, so it can be saved again.
    path : path, optional
        Default: the file ``themes`` was loaded from, else ``data/keywords.yml``.
    expected : bytes, optional
        The file's content when it was loaded (overrides what ``themes`` remembers).
    renames : dict, optional
        old theme name -> new name, to keep a renamed theme's comments and position.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    KeywordsError
        Invalid themes; the file on disk is invalid, was deleted, is read-only, or
        has a conflicting edit of the same theme (the file is left untouched).
    """
    kw = themes if isinstance(themes, Keywords) else None
    if path is None:
        path = kw.path if kw is not None and kw.path is not None else _default_path()
    path = Path(path)
    mine = validate_keywords(themes)
    if expected is None and kw is not None and kw.path is not None and \
            os.path.realpath(kw.path) == os.path.realpath(path):
        expected = kw.source
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked_dir(Path(os.path.realpath(path)).parent):
        remove_stale_temps(path)  # left by a save that was killed; every save holds this lock
        current = path.read_bytes() if path.is_file() else None
        merged_from_disk: set = set()
        target = mine
        if current is None:
            if expected is not None:
                raise KeywordsError(f"{path} was deleted since it was loaded; not saving "
                                    f"(re-run the cell that loads it, or restore the file)")
            text = render_keywords("", mine, source=str(path))
        else:
            cur_text = current.decode("utf-8")
            try:
                data = _safe_load(cur_text, str(path))
                disk = {} if data is None else validate_keywords(data, source=str(path))
            except KeywordsError as e:
                raise KeywordsError(f"{e}; not overwriting it") from None
            if expected is not None and expected != current:
                base = validate_keywords(_safe_load(expected.decode("utf-8"), f"{path} (as loaded)"))
                ren = {o: n for o, n in (renames or {}).items()}
                mine_changed = _changed(base, mine) | set(ren) | set(ren.values())
                disk_changed = _changed(base, disk)
                clash = sorted(k for k in mine_changed & disk_changed if mine.get(k) != disk.get(k))
                if clash:
                    raise KeywordsError(
                        f"{path} changed on disk since it was loaded, and theme(s) "
                        f"{', '.join(map(repr, clash))} were edited both there and here; not saving. "
                        f"Re-load the file (re-run the cell) and redo the edit.")
                target = dict(disk)
                for k in mine_changed:
                    if k in mine:
                        target[k] = mine[k]
                    else:
                        target.pop(k, None)
                merged_from_disk = disk_changed - mine_changed
            # unchanged themes are copied verbatim: no change gives the same bytes (no write)
            text = render_keywords(cur_text, target, renames, source=str(path))
        check = validate_keywords(_safe_load(text, "(new content)"), source="(new content)")
        if check != target:  # pragma: no cover - a bug in render_keywords: never write
            raise KeywordsError(f"internal error: the new content of {path} would not read back "
                                f"as the themes to save; nothing written")
        new = text.encode("utf-8")
        if new != current:
            try:
                atomic_write(path, new)
            except ReadOnlyFileError as e:
                raise KeywordsError(f"{e.strerror}") from None
    if kw is not None:
        if merged_from_disk:
            kw.clear()
            kw.update(check)
        kw.path, kw.source = path, new
    if merged_from_disk:
        warnings.warn(KeywordsMerged(
            f"{path} had been changed on disk since it was loaded (theme(s) "
            f"{', '.join(sorted(merged_from_disk))}); those changes were kept and your edits merged in"),
            stacklevel=2)
    return path


def term_matcher(terms) -> re.Pattern:
    """Regex matching ``terms`` leftmost-longest (longer alternatives first)."""
    uniq = sorted(set(terms), key=lambda t: (-len(t), t))
    return re.compile("|".join(map(re.escape, uniq)))


def theme_frequencies(corpus: pd.DataFrame, themes: dict, by, *, per_term: bool = False) -> pd.DataFrame:
    """Occurrences of each theme's terms per group (rule: see module docstring).

    Parameters
    ----------
    corpus : pandas.DataFrame
        Tokenized corpus table (``text`` for matching, ``tokens`` for the rate's
        denominator).
    themes : dict
        theme -> list of terms (e.g. from :func:`load_keywords`).
    by : str or list of str
        Grouping column(s).
    per_term : bool, default False
        Also break counts down by term.

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>...``, ``theme``, [``term``,] ``count``, ``per_10k`` (per 10,000
        kept tokens of the group, the denominator of :func:`term_frequencies`),
        ``n_tokens``.  Every group × theme (× term) appears, zeros included; rows
        sorted by group, then theme order of ``themes``, then term order.

    Examples
    --------
    >>> df = pd.DataFrame({"unit_id": ["u"], "g": ["x"], "text": ["坚持动态清零，尽快清零"],
    ...                    "tokens": [["坚持", "动态清零", "尽快", "清零"]]})
    >>> themes = {"formula": ["动态清零"], "clearance": ["清零"]}
    >>> theme_frequencies(df, themes, "g")[["theme", "count"]].values.tolist()
    [['formula', 1], ['clearance', 1]]
    """
    from analysis.measures.frequency import check_by

    themes = validate_keywords(themes)
    cols = check_by(corpus, by)
    pattern = term_matcher(t for ts in themes.values() for t in ts)
    from analysis.text.hygiene import compile_titles, counting_text

    titles = compile_titles()
    rows = []
    for key, grp in corpus.groupby(cols, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        found: dict[str, int] = {}
        for text in grp["text"]:
            text = counting_text(text, titles)  # attendance, bylines, titles not counted (hygiene)
            for m in pattern.finditer(text):
                found[m.group()] = found.get(m.group(), 0) + 1
        n_tokens = int(grp["tokens"].map(len).sum())
        for theme, terms in themes.items():
            if per_term:
                for t in terms:
                    n = found.get(t, 0)
                    rows.append((*key, theme, t, n, n / n_tokens * 1e4 if n_tokens else float("nan"), n_tokens))
            else:
                n = sum(found.get(t, 0) for t in terms)
                rows.append((*key, theme, n, n / n_tokens * 1e4 if n_tokens else float("nan"), n_tokens))
    columns = [*cols, "theme", *(["term"] if per_term else []), "count", "per_10k", "n_tokens"]
    return pd.DataFrame(rows, columns=columns)


def theme_kwic(corpus: pd.DataFrame, themes: dict, term: str, window: int = 15) -> pd.DataFrame:
    """Concordance of ``term`` that follows the counting rule of :func:`theme_frequencies`.

    Every occurrence of ``term`` in the cleaned text is listed once.  ``counted`` is
    True where the leftmost-longest match over the terms of *all* themes is ``term``
    itself (these lines add up to the counts); otherwise the occurrence lies inside
    (or overlaps) a longer listed term, named in ``inside`` (e.g. 清零 inside 动态清零),
    or lies in a document title or a span excluded from counting (attendance list,
    byline: :mod:`analysis.text.hygiene`), and is not counted.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Corpus table with ``unit_id`` and ``text``.
    themes : dict
        theme -> terms (all themes: they decide which matches win).
    term : str
        The term; if no theme lists it, no line is counted.
    window : int, default 15
        Characters of context on each side (newlines shown as spaces).

    Returns
    -------
    pandas.DataFrame
        Columns ``unit_id``, ``position``, ``left``, ``keyword``, ``right``,
        ``counted`` (bool), ``inside`` (the longer term that took the characters, or
        ``""``); counted lines first, each group in corpus order.

    Examples
    --------
    >>> df = pd.DataFrame({"unit_id": ["u"], "text": ["坚持动态清零，尽快清零"]})
    >>> k = theme_kwic(df, {"a": ["动态清零"], "b": ["清零"]}, "清零", window=2)
    >>> k[["position", "counted", "inside"]].values.tolist()
    [[9, True, ''], [4, False, '动态清零']]
    """
    if not isinstance(term, str) or not term:
        raise ValueError("term must be a non-empty string")
    terms = [t for ts in validate_keywords(themes).values() for t in ts]
    pattern = term_matcher([*terms, term]) if term not in terms else term_matcher(terms)
    listed = term in terms
    needle = re.compile(re.escape(term))
    from analysis.text.hygiene import compile_titles, counting_text

    titles = compile_titles()
    rows = []
    for uid, text in zip(corpus["unit_id"], corpus["text"]):
        if term not in text:
            continue
        # counted as theme_frequencies counts: on the text without titles and the spans
        # excluded from counting (analysis.text.hygiene); those occurrences are listed apart
        ctext = counting_text(text, titles)
        wins = [(m.start(), m.end(), m.group()) for m in pattern.finditer(ctext)]
        for m in needle.finditer(text):
            s, e = m.span()
            if ctext[s:e] != text[s:e]:
                rows.append((uid, s, text[max(0, s - window):s].replace("\n", " "), term,
                             text[e:e + window].replace("\n", " "), False,
                             "(title or text excluded from counting)"))
                continue
            win = next(((ws, we, g) for ws, we, g in wins if ws < e and s < we), None)
            counted = listed and win is not None and win[:2] == (s, e)
            inside = "" if counted or win is None or win[2] == term else win[2]
            rows.append((uid, s, text[max(0, s - window):s].replace("\n", " "), term,
                         text[e:e + window].replace("\n", " "), counted, inside))
    out = pd.DataFrame(rows, columns=["unit_id", "position", "left", "keyword", "right", "counted", "inside"])
    order = (~out["counted"]).astype(int)
    return out.assign(_o=order).sort_values("_o", kind="mergesort").drop(columns="_o").reset_index(drop=True)
