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

import io
import re
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from ._io import atomic_write
from .corpus import default_data_dir
from .frequency import check_by

__all__ = ["KeywordsError", "load_keywords", "save_keywords", "validate_keywords",
           "theme_frequencies", "term_matcher"]


class KeywordsError(ValueError):
    """A keyword file or theme dictionary is invalid (the message says what to fix)."""


def _default_path() -> Path:
    return default_data_dir() / "keywords.yml"


def validate_keywords(themes, source: str = "themes") -> dict[str, list[str]]:
    """Check a theme dictionary and return it as plain ``dict[str, list[str]]``.

    Rules: at least one theme; theme names are non-empty strings; each theme is a
    non-empty list of distinct, non-empty terms without whitespace.

    Raises
    ------
    KeywordsError
        Naming the theme and term at fault.
    """
    if not isinstance(themes, dict) or not themes:
        raise KeywordsError(f"{source}: expected a mapping of theme name -> list of terms")
    out: dict[str, list[str]] = {}
    for name, terms in themes.items():
        if not isinstance(name, str) or not name.strip():
            raise KeywordsError(f"{source}: theme name {name!r} must be a non-empty string")
        if not isinstance(terms, (list, tuple)) or not terms:
            raise KeywordsError(f"{source}: theme {name!r} must be a non-empty list of terms")
        clean = []
        for t in terms:
            if not isinstance(t, str) or not t.strip():
                raise KeywordsError(f"{source}: theme {name!r} has an empty or non-text term {t!r}")
            if re.search(r"\s", t.strip()):
                raise KeywordsError(f"{source}: theme {name!r}, term {t!r} contains whitespace; "
                                    f"list each term separately")
            if t.strip() in clean:
                raise KeywordsError(f"{source}: theme {name!r} lists {t.strip()!r} twice")
            clean.append(t.strip())
        out[name.strip()] = clean
    return out


def _yaml() -> YAML:
    y = YAML()  # round-trip: keeps comments and order
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    return y


def load_keywords(path=None) -> dict[str, list[str]]:
    """Read the theme lists.

    Parameters
    ----------
    path : path, optional
        Defaults to ``data/keywords.yml``.

    Returns
    -------
    dict
        theme name -> list of terms, in file order.

    Raises
    ------
    KeywordsError
        Missing file, invalid YAML (with line number) or invalid content.
    """
    path = Path(path) if path else _default_path()
    if not path.is_file():
        raise KeywordsError(f"keyword file {path} does not exist")
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except YAMLError as e:
        raise KeywordsError(f"{path.name} is not valid YAML: {e}") from None
    return validate_keywords(data, source=path.name)


def save_keywords(themes: dict, path=None) -> Path:
    """Validate and write theme lists atomically, keeping the file's comments.

    Themes already in the file keep their comments and position; new themes are
    appended; themes no longer present are removed.  The new content is written to a
    temporary file in the same folder and renamed over the old one, so a failure
    never leaves a half-written file.

    Parameters
    ----------
    themes : dict
        theme name -> list of terms.
    path : path, optional
        Defaults to ``data/keywords.yml``.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    KeywordsError
        If ``themes`` is invalid or the existing file is not valid YAML (the old file
        is left untouched in both cases).
    """
    path = Path(path) if path else _default_path()
    themes = validate_keywords(themes)
    y = _yaml()
    doc = None
    if path.is_file():
        try:
            doc = y.load(path.read_text(encoding="utf-8"))
        except YAMLError as e:
            raise KeywordsError(f"{path.name} is not valid YAML, not overwriting it: {e}") from None
    if not isinstance(doc, CommentedMap):
        doc = CommentedMap()
    for name in [k for k in doc if k not in themes]:
        del doc[name]
    for name, terms in themes.items():
        if name in doc and isinstance(doc[name], CommentedSeq):
            seq = doc[name]
            seq[:] = terms  # in place: keeps the comments attached to the key
        else:
            doc[name] = CommentedSeq(terms)
    buf = io.StringIO()
    y.dump(doc, buf)
    text = buf.getvalue()
    validate_keywords(YAML(typ="safe").load(text), source="(new content)")
    atomic_write(path, text)
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
    themes = validate_keywords(themes)
    cols = check_by(corpus, by)
    pattern = term_matcher(t for ts in themes.values() for t in ts)
    rows = []
    for key, grp in corpus.groupby(cols, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        found: dict[str, int] = {}
        for text in grp["text"]:
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
