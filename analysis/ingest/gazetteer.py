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
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = ["PROVINCES", "PREFECTURES", "find_places", "provinces_in", "gazetteer"]

_PATH = Path(__file__).resolve().parents[2] / "data" / "gazetteer.csv"


@lru_cache(maxsize=1)
def gazetteer() -> pd.DataFrame:
    """The gazetteer table: ``name, province, kind, full_name, aliases, match_short``.

    ``kind`` is ``"province"`` or ``"prefecture"``; ``aliases`` is ``|``-separated.
    """
    with open(_PATH, encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    df = pd.DataFrame(rows)
    df["match_short"] = df["match_short"].astype(int).astype(bool)
    return df


def _forms() -> dict[str, tuple[str, str, str]]:
    """Matchable surface form -> (name, province, kind)."""
    out: dict[str, tuple[str, str, str]] = {}
    g = gazetteer()
    # prefectures first, provinces last: where a short form is shared (吉林), the province wins
    for r in sorted(g.itertuples(), key=lambda r: r.kind == "province"):
        forms = [r.full_name, *[a for a in r.aliases.split("|") if a]]
        if r.match_short:
            forms.append(r.name)
        for f in forms:
            out[f] = (r.name, r.province, r.kind)
    return out


@lru_cache(maxsize=1)
def _matcher() -> tuple[re.Pattern, dict]:
    forms = _forms()
    alternation = "|".join(map(re.escape, sorted(forms, key=lambda s: (-len(s), s))))
    return re.compile(alternation), forms


#: The 34 provincial-level units (short names), in gazetteer order.
PROVINCES: tuple[str, ...] = tuple(gazetteer().query("kind == 'province'")["name"])

#: Prefecture-level division (short name) -> its province.
PREFECTURES: dict[str, str] = dict(gazetteer().query("kind == 'prefecture'")[["name", "province"]]
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
    pattern, forms = _matcher()  # same matches as find_places, without a DataFrame per call
    return list(dict.fromkeys(forms[m.group()][1] for m in pattern.finditer(text)))
