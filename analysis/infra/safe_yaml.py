"""Safe loading of the project's YAML files (manifest, keyword lists).

YAML anchors and aliases let a few hundred bytes expand into gigabytes (the "billion
laughs" alias bomb), and nothing in this project's files needs them.  :func:`load_yaml_safely`
therefore refuses any anchor or alias, and any file over a size limit, *before*
building Python objects: the check walks the parser's event stream, which never
expands an alias.
"""
from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent

__all__ = ["load_yaml_safely", "parse_yaml_safely", "MAX_YAML_BYTES"]

#: Largest YAML file read (bytes).  The real manifest is ~10 kB; 2 MB leaves room for
#: thousands of units while bounding memory.
MAX_YAML_BYTES = 2_000_000


def load_yaml_safely(path, what: str = "YAML file", *, error: type[Exception] = ValueError,
                     max_bytes: int = MAX_YAML_BYTES):
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

    Returns
    -------
    object
        The parsed data (plain dicts, lists, str, int, float, bool, date, None).

    Raises
    ------
    error
        Missing file, file over ``max_bytes``, not UTF-8, invalid YAML, or an anchor
        (``&name``) / alias (``*name``) anywhere in it.
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
    return parse_yaml_safely(text, path.name, what, error=error, max_bytes=max_bytes)


def parse_yaml_safely(text: str, name: str, what: str = "YAML file", *,
                      error: type[Exception] = ValueError, max_bytes: int = MAX_YAML_BYTES):
    """:func:`load_yaml_safely` for text already read (``name`` names it in messages)."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise error(f"{what} {name} is {size:,} bytes, over the {max_bytes:,}-byte limit")
    try:
        for event in YAML(typ="safe").parse(text):
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1 if event.start_mark else "?"
                kind = "alias" if isinstance(event, AliasEvent) else "anchor"
                raise error(f"{what} {name}, line {line}: YAML {kind} "
                            f"{'*' if kind == 'alias' else '&'}{event.anchor} is not allowed "
                            f"(anchors and aliases can expand without bound); write the values out")
        return YAML(typ="safe").load(text)
    except YAMLError as e:
        raise error(f"{name} is not valid YAML: {e}") from None
