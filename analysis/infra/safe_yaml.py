"""Safe, bounded loading of the project's YAML files (manifest, keyword lists) and of JSON
text (bulk JSONL rows).

YAML anchors and aliases let a few hundred bytes expand into gigabytes (the "billion
laughs" alias bomb), and nothing in this project's files needs them.  :func:`load_yaml_safely`
therefore refuses any anchor or alias, any file over a size limit, and any nesting
deeper than :data:`MAX_DEPTH` *before* building Python objects: the check walks the
parser's event stream, which never expands an alias and stops at the first level too
deep (deep nesting otherwise costs minutes of CPU in the parser and ends in a
``RecursionError`` when the objects are built).  :func:`parse_json_safely` applies
the same depth limit to JSON, measured by :func:`json_depth` before :func:`json.loads`
(which would recurse once per level).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (AliasEvent, MappingEndEvent, MappingStartEvent, SequenceEndEvent,
                                SequenceStartEvent)

__all__ = ["load_yaml_safely", "parse_yaml_safely", "parse_json_safely", "json_depth",
           "MAX_YAML_BYTES", "MAX_DEPTH"]

#: Largest YAML file read (bytes).  The real manifest is ~10 kB; 2 MB leaves room for
#: thousands of units while bounding memory.
MAX_YAML_BYTES = 2_000_000
#: Deepest nesting of mappings/sequences (YAML) or objects/arrays (JSON) accepted.  The
#: manifest needs 7 levels (documents > units > exclude spans), a bulk JSONL row 3.
MAX_DEPTH = 32

_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def load_yaml_safely(path, what: str = "YAML file", *, error: type[Exception] = ValueError,
                     max_bytes: int = MAX_YAML_BYTES, max_depth: int = MAX_DEPTH):
    """Read a UTF-8 YAML file with the safe loader, refusing anchors, aliases and huge files.

    Parameters
    ----------
    path : path
        The file.
    what : str
        How to name the file in messages (e.g. ``"manifest"``).
    error : exception class, default ValueError
        Raised (with a message naming the file, line and fix) on any problem.
    max_bytes : int
        Size limit in bytes (default :data:`MAX_YAML_BYTES`).
    max_depth : int
        Nesting limit (default :data:`MAX_DEPTH`).

    Returns
    -------
    object
        The parsed data (plain dicts, lists, str, int, float, bool, date, None).

    Raises
    ------
    error
        Missing file, file over ``max_bytes``, not UTF-8, invalid YAML, nesting deeper
        than ``max_depth``, or an anchor (``&name``) / alias (``*name``) anywhere in it.
    """
    path = Path(path)
    if not path.is_file():
        raise error(f"{what} {path} does not exist")
    size = path.stat().st_size
    if size > max_bytes:
        raise error(f"{what} {path.name} is {size:,} bytes, over the {max_bytes:,}-byte limit; "
                    f"split it or use a bulk table (CSV/JSONL) for many documents")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise error(f"{what} {path.name} must be UTF-8 ({e})") from None
    return parse_yaml_safely(text, path.name, what, error=error, max_bytes=max_bytes,
                             max_depth=max_depth)


def parse_yaml_safely(text: str, name: str, what: str = "YAML file", *,
                      error: type[Exception] = ValueError, max_bytes: int = MAX_YAML_BYTES,
                      max_depth: int = MAX_DEPTH):
    """:func:`load_yaml_safely` for text already read (``name`` names it in messages).

    Nesting deeper than ``max_depth`` mappings/sequences is refused with ``error``
    naming the line and column where the limit is crossed; the parse stops there.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise error(f"{what} {name} is {size:,} bytes, over the {max_bytes:,}-byte limit")
    try:
        _, at = json_depth(text, max_depth)
        if at >= 0:
            # many brackets open at once: check the text up to the one over the limit first.
            # The scanner looks up to 1,024 characters ahead of each flow entry at a cost
            # that grows with the nesting (about a second on a 2 MB bomb); on the cut text
            # it stops at once.
            try:
                _check_events(text[:at + 1], name, what, error, max_depth)
            except YAMLError:
                pass  # the cut text is not conclusive (brackets inside text): check it all
        _check_events(text, name, what, error, max_depth)
        return YAML(typ="safe").load(text)
    except YAMLError as e:
        raise error(f"{name} is not valid YAML: {e}") from None
    except (ValueError, OverflowError) as e:
        # the safe loader builds an unquoted YYYY-MM-DD as a date and fails, without a
        # position, on one that is not a calendar date (2022-02-30)
        raise error(f"{what} {name}{_impossible_date(text)}: {e}. An unquoted YYYY-MM-DD value is read as a "
                    f"date and must be a real calendar date; correct it, or quote it to keep it as text") from None


_DATE_VALUE = re.compile(r"(?:^|[:\-\[,{]\s*)(\d{4})-(\d{1,2})-(\d{1,2})(?=\s*(?:$|#|,|\]|\}))")


def _impossible_date(text: str) -> str:
    """``", line N (2022-02-30)"`` for the first unquoted date-like value that is no date."""
    import datetime

    for i, line in enumerate(text.splitlines(), 1):
        for m in _DATE_VALUE.finditer(line.split(" #", 1)[0]):
            try:
                datetime.date(*map(int, m.groups()))
            except ValueError:
                return f", line {i} ({'-'.join(m.groups())})"
    return ""


def _check_events(text: str, name: str, what: str, error: type[Exception], max_depth: int) -> None:
    """Walk the parser's events: refuse nesting deeper than ``max_depth``, anchors and aliases."""
    depth = 0
    for event in YAML(typ="safe").parse(text):
        if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
            depth += 1
            if depth > max_depth:
                mark = event.start_mark
                where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "line ?"
                raise error(f"{what} {name}, {where}: nested deeper than {max_depth} levels; "
                            f"nothing in this project needs that much nesting (a damaged or "
                            f"hostile file?): flatten it")
        elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            depth -= 1
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
            line = event.start_mark.line + 1 if event.start_mark else "?"
            kind = "alias" if isinstance(event, AliasEvent) else "anchor"
            raise error(f"{what} {name}, line {line}: YAML {kind} "
                        f"{'*' if kind == 'alias' else '&'}{event.anchor} is not allowed "
                        f"(anchors and aliases can expand without bound); write the values out")


def json_depth(text: str, limit: int | None = None) -> int | tuple[int, int]:
    """Nesting depth of JSON text: the most arrays/objects open at once (``0`` for a scalar).

    Brackets inside strings do not count.  Linear in the length of ``text``, no recursion.

    Parameters
    ----------
    text : str
        JSON text (need not be valid: brackets are counted as they come).
    limit : int, optional
        Stop as soon as the depth exceeds ``limit``.

    Returns
    -------
    int or (int, int)
        The depth; with ``limit``, ``(depth, offset)`` where ``offset`` is the 0-based
        character position where the limit was crossed (``-1`` if it never was).
    """
    depth = deepest = 0
    for m in _JSON_TOKEN.finditer(text):
        c = m.group()
        if c in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and depth > limit:
                    return depth, m.start()
        elif c in "]}":
            depth -= 1
    return (deepest, -1) if limit is not None else deepest


def parse_json_safely(text: str, where: str, *, error: type[Exception] = ValueError,
                      max_depth: int = MAX_DEPTH, **loads_kwargs):
    """:func:`json.loads` with the nesting limited to ``max_depth`` and errors naming ``where``.

    Parameters
    ----------
    text : str
        One JSON document (e.g. a JSONL line).
    where : str
        How to name it in messages, e.g. ``"table.jsonl, line 3"``.
    error : exception class, default ValueError
        Raised on invalid JSON or nesting deeper than ``max_depth``.
    max_depth : int
        Nesting limit (default :data:`MAX_DEPTH`).
    **loads_kwargs
        Passed to :func:`json.loads` (e.g. ``object_pairs_hook``).

    Returns
    -------
    object
        The parsed value.
    """
    _, at = json_depth(text, max_depth)
    if at >= 0:
        raise error(f"{where}: JSON nested deeper than {max_depth} levels (at character {at + 1}); "
                    f"flatten the value")
    try:
        return json.loads(text, **loads_kwargs)
    except json.JSONDecodeError as e:
        raise error(f"{where}: not valid JSON ({e.msg}, character {e.pos + 1})") from None
    except RecursionError:  # pragma: no cover - prevented by the depth check
        raise error(f"{where}: JSON nested too deeply") from None
