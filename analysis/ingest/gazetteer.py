"""Places named in a text: China's provincial-level units and prefecture-level divisions.

The gazetteer (``data/gazetteer.csv``) lists the 34 provincial-level units and the
prefecture-level divisions (cities, autonomous prefectures, leagues, 地区) with the
province each belongs to.  :func:`find_places` scans a text for their names,
leftmost-longest and non-overlapping, so 海南藏族自治州 is one prefecture of 青海, not the
province 海南, and 吉林市 is a city while 吉林 alone is the province.  Short forms that
are ordinary words or idioms (大同, 朝阳, 日照, 文山会海 …) are matched only in their full
form (大同市); the CSV's ``match_short`` column says which.

Used by the draft-manifest helper (meeting place) and the broadcast corpus (provinces
named in a story).

The officials table (``data/officials.csv``: provincial Party secretaries and governors
2019–2023, a few prefecture-level secretaries) is the gazetteer of offices:
:func:`officials_named` finds the officials named in a text and in office on a date, so
a report that says only 我省 can still be placed (``楼阳生 → 省委书记 of 河南``).
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = ["PROVINCES", "PREFECTURES", "find_places", "provinces_in", "gazetteer", "officials", "officials_named",
           "OfficialsError"]

_PATH = Path(__file__).resolve().parents[2] / "data" / "gazetteer.csv"
_OFFICIALS_PATH = _PATH.parent / "officials.csv"


def gazetteer() -> pd.DataFrame:
    """The gazetteer table: ``name, province, kind, full_name, aliases, match_short``.

    ``kind`` is ``"province"`` or ``"prefecture"``; ``aliases`` is ``|``-separated.
    A copy: changing it changes nothing for the next caller (in the same kernel, or
    in the next notebook of ``make figures``, which keeps its kernels).
    """
    return _gazetteer().copy()


@lru_cache(maxsize=1)
def _gazetteer() -> pd.DataFrame:
    with open(_PATH, encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    df = pd.DataFrame(rows)
    df["match_short"] = df["match_short"].astype(int).astype(bool)
    return df


def _forms() -> dict[str, tuple[str, str, str]]:
    """Matchable surface form -> (name, province, kind)."""
    out: dict[str, tuple[str, str, str]] = {}
    g = _gazetteer()
    # prefectures first, provinces last: where a short form is shared (吉林), the province wins
    for r in sorted(g.itertuples(), key=lambda r: r.kind == "province"):
        forms = [r.full_name, *[a for a in r.aliases.split("|") if a]]
        if r.match_short:
            forms.append(r.name)
        for f in forms:
            out[f] = (r.name, r.province, r.kind)
    return out


def longest_first_pattern(words, *, or_first_char: bool = False) -> str:
    """A regular expression matching the same as the alternation of ``words`` longest first.

    ``"|".join(sorted(words, key=len, reverse=True))`` (escaped) finds, at each
    position, the longest word starting there; Python's ``re`` tries every alternative
    in turn, which for hundreds of words costs a third of the broadcast parse.  This
    pattern is the words' prefix tree (``郑州市?|...``): at each position one branch per
    first character, each going as deep as the text allows before falling back to a
    shorter word, so ``finditer`` yields exactly the matches of the sorted alternation
    (leftmost, then longest, non-overlapping), about three times faster.

    Parameters
    ----------
    words : iterable of str
        Non-empty literal strings.
    or_first_char : bool, default False
        Where no word starts at a position whose character starts one, match that
        character alone (a one-character match that is not a word: drop it).  The search
        then goes on from the next character exactly as after no match, so the matches
        that are words are the same; ``re`` no longer tries every other first character
        after a word failed, which makes the gazetteer's scan about 20 % faster even with
        the filtering.

    Returns
    -------
    str
        The pattern (compile it with :func:`re.compile`).

    Raises
    ------
    ValueError
        ``words`` is empty or holds an empty string (it would match everywhere); remove
        it from the word list.
    """
    trie: dict = {}
    for word in words:
        if not word:
            raise ValueError("longest_first_pattern: an empty word would match at every position; "
                             "remove it from the word list")
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a word
    if not trie:
        raise ValueError("longest_first_pattern: no words given (pass at least one non-empty string)")

    def branch(node: dict) -> str:
        leaves = [re.escape(ch) for ch in sorted(node) if ch and node[ch] == {"": {}}]
        deeper = [re.escape(ch) + branch(node[ch]) for ch in sorted(node) if ch and node[ch] != {"": {}}]
        if len(leaves) > 1:
            deeper.append("[" + "".join(leaves) + "]")
        else:
            deeper.extend(leaves)
        optional = "" in node  # a word ends here: try the longer words first, then stop here
        if len(deeper) == 1 and not optional:
            return deeper[0]
        if len(deeper) == 1 and len(leaves) > 1:
            return deeper[0] + "?"  # a character class is one atom
        return "(?:" + "|".join(deeper) + ")" + ("?" if optional else "")

    if not or_first_char:
        return branch(trie)
    alternatives = []
    for ch in sorted(trie):
        longer = {k: v for k, v in trie[ch].items() if k}  # the words that go on after ch
        alternatives.append(re.escape(ch) + (f"(?:{branch(longer)})?" if longer else ""))
    return "|".join(alternatives)


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern, dict]:
    forms = _forms()
    return re.compile(longest_first_pattern(forms)), forms


@lru_cache(maxsize=1)
def _province_scan() -> tuple[re.Pattern, dict]:
    """:func:`longest_first_pattern` of the forms with ``or_first_char``, and ``{form: province}``."""
    forms = _forms()
    return (re.compile(longest_first_pattern(forms, or_first_char=True)),
            {form: province for form, (_, province, _) in forms.items()})


#: The 34 provincial-level units (short names), in gazetteer order.
PROVINCES: tuple[str, ...] = tuple(_gazetteer().query("kind == 'province'")["name"])

#: Prefecture-level division (short name) -> its province.
PREFECTURES: dict[str, str] = dict(_gazetteer().query("kind == 'prefecture'")[["name", "province"]]
                                   .itertuples(index=False, name=None))


def find_places(text: str) -> pd.DataFrame:
    """Every place name in ``text``, leftmost-longest and non-overlapping.

    Parameters
    ----------
    text : str
        Any (Simplified Chinese) text.

    Returns
    -------
    pandas.DataFrame
        Columns ``name`` (short form, as in the corpus table), ``province``, ``kind``
        (``"province"`` or ``"prefecture"``), ``start``, ``end`` (character offsets of
        the matched form), ``form`` (the text matched); in text order.

    Examples
    --------
    >>> find_places("郑州市召开会议，河南省委书记出席")[["name", "province", "kind"]].values.tolist()
    [['郑州', '河南', 'prefecture'], ['河南', '河南', 'province']]
    """
    pattern, forms = _matcher()
    rows = []
    for m in pattern.finditer(text):
        name, province, kind = forms[m.group()]
        rows.append((name, province, kind, m.start(), m.end(), m.group()))
    return pd.DataFrame(rows, columns=["name", "province", "kind", "start", "end", "form"])


def provinces_in(text: str) -> list[str]:
    """Distinct provinces named in ``text`` directly or through one of their prefectures,
    in order of first mention."""
    pattern, province_of = _province_scan()  # the matches of find_places (and one-character
    # non-matches, dropped), without a DataFrame per call
    return list(dict.fromkeys(province_of[m] for m in pattern.findall(text) if m in province_of))


# -- officials ---------------------------------------------------------------------------------
class OfficialsError(ValueError):
    """A row of the officials table is malformed (the message names file, line and field)."""


_MONTH = re.compile(r"^(19|20)\d\d(-(0[1-9]|1[0-2]))?$")
_OFFICIAL_COLUMNS = ["name", "office", "province", "city", "start", "end"]


def _read_officials(path: Path) -> pd.DataFrame:
    with open(path, encoding="utf-8") as f:
        numbered = [(i, line) for i, line in enumerate(f, 1) if not line.startswith("#") and line.strip()]
    reader = csv.reader(line for _, line in numbered)
    header = next(reader, None)
    if header != _OFFICIAL_COLUMNS:
        raise OfficialsError(f"{path.name}: the header must be {','.join(_OFFICIAL_COLUMNS)}, got {header}")
    rows = []
    for (lineno, _), row in zip(numbered[1:], reader):
        where = f"{path.name}, line {lineno}"
        if len(row) != len(_OFFICIAL_COLUMNS):
            raise OfficialsError(f"{where}: {len(row)} fields, expected {len(_OFFICIAL_COLUMNS)} "
                                 f"({','.join(_OFFICIAL_COLUMNS)})")
        rec = dict(zip(_OFFICIAL_COLUMNS, (x.strip() for x in row)))
        if not rec["name"] or not rec["office"]:
            raise OfficialsError(f"{where}: `name` and `office` are required")
        if rec["province"] not in PROVINCES:
            raise OfficialsError(f"{where}: unknown province {rec['province']!r}; use a short name such as 河南")
        if rec["city"] and PREFECTURES.get(rec["city"]) != rec["province"]:
            raise OfficialsError(f"{where}: city {rec['city']!r} is not a prefecture of {rec['province']} in "
                                 f"data/gazetteer.csv")
        for key in ("start", "end"):
            if rec[key] and not _MONTH.match(rec[key]):
                raise OfficialsError(f"{where}: `{key}` {rec[key]!r} must be YYYY-MM or YYYY (or empty)")
        if rec["start"] and rec["end"] and _ym(rec["end"], last=True) < _ym(rec["start"], last=False):
            raise OfficialsError(f"{where}: `end` {rec['end']} is before `start` {rec['start']}")
        rows.append(rec)
    return pd.DataFrame(rows, columns=_OFFICIAL_COLUMNS)


def _ym(value: str, last: bool) -> str:
    """``YYYY-MM`` of a table date; a year alone spans the whole year (its first or last month)."""
    if not value:
        return "9999-12" if last else "0000-01"
    return value if len(value) == 7 else f"{value}-{'12' if last else '01'}"


@lru_cache(maxsize=4)
def _officials_cached(path: str, mtime: float) -> pd.DataFrame:
    return _read_officials(Path(path))


def officials(path=None) -> pd.DataFrame:
    """The officials table (``data/officials.csv``), validated.

    Returns
    -------
    pandas.DataFrame
        ``name, office, province, city, start, end``; ``start``/``end`` are ``YYYY-MM``,
        ``YYYY`` (month not certain) or "" (in office before 2019 / after 2023).

    Raises
    ------
    OfficialsError
        A malformed row (unknown province, a city outside its province, a bad date …).
    """
    p = Path(path) if path else _OFFICIALS_PATH
    return _officials_cached(str(p), p.stat().st_mtime).copy()


def officials_named(text: str, date: str | None = None, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Officials of the table whose name occurs in ``text`` and who held the office on ``date``.

    Parameters
    ----------
    text : str
        Any (Simplified) text.
    date : str, optional
        ``YYYY-MM-DD`` or ``YYYY-MM`` (the meeting date); without it every term matches.
        A term given by year only covers that whole year.
    table : DataFrame, optional
        Defaults to :func:`officials`.

    Returns
    -------
    pandas.DataFrame
        The matching rows in order of first mention, plus ``evidence``
        (``"楼阳生 → 省委书记 of 河南 (2021-03 to …)"``).
    """
    t = officials() if table is None else table
    pos = {n: text.find(n) for n in t.name.unique() if n in text}
    hit = t[t.name.isin(pos)].copy()
    if date:
        ym = str(date)[:7]
        hit = hit[pd.Series([_ym(r.start, False) <= ym <= _ym(r.end, True) for r in hit.itertuples()],
                            index=hit.index, dtype=bool)]
    hit["_pos"] = hit.name.map(pos)
    hit = hit.sort_values("_pos", kind="stable").drop(columns="_pos").reset_index(drop=True)
    hit["evidence"] = [f"{r.name} → {r.office} of {r.city or r.province} ({r.start or '…'} to {r.end or '…'})"
                       for r in hit.itertuples()]
    return hit
