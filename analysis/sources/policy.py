"""Measured policy: the Oxford COVID-19 Government Response Tracker (OxCGRT) for China.

Source: the public GitHub repository ``OxCGRT/covid-policy-dataset`` at the pinned commit
:data:`COMMIT` (final version v1, data under CC BY 4.0; cite Hale et al. 2021, *Nature
Human Behaviour* 5, 529–538, doi:10.1038/s41562-021-01079-8).  The four index files of
``data/timeseries_indices/`` (one row per jurisdiction, one column per day from
2020-01-01) are fetched through the shared mechanism (:mod:`analysis.sources.pinned`:
registry ``data/sources/oxcgrt-<commit>.sha256``, pooch into the user cache, or the
mirror named by :data:`MIRROR_ENV`) and never stored in the repository.

:func:`load_policy` returns a tidy table: one row per jurisdiction and day, ``province``
in the project's Chinese short names (:data:`analysis.PROVINCES`, as in the gazetteer;
``全国`` with ``level="national"`` for the country, OxCGRT's ``NAT_TOTAL`` row), and one
column per index (:data:`INDICES`).  A day without a value is NaN, never 0.  The
parsed table is cached as Parquet (:mod:`analysis.sources.table_cache`).

What the indices measure (the OxCGRT codebook, ``documentation_and_codebook.md``): each
is the mean of ordinal policy indicators rescaled to 0–100, recording the *strictest*
rule in force anywhere in the jurisdiction that day (a rule that applies only to part of
it counts half a step).  The Stringency Index averages nine: school and workplace
closing, cancelled public events, limits on gatherings, closed public transport,
stay-at-home requirements, restrictions on internal movement and on international
travel (C1–C8), and public information campaigns (H1).  It measures rules on paper,
not their enforcement or effect; and national rules are coded into every province, so
provinces differ only where their own rules differ.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.ingest.corpus import PROVINCES
from analysis.sources.pinned import PinnedSource, SourceError, SourceUnavailable
from analysis.sources.table_cache import cached_tables, code_hash, table_key

__all__ = ["REPOSITORY", "COMMIT", "MIRROR_ENV", "INDICES", "INDEX_FILES", "REGIONS", "NATIONAL",
           "PolicyError", "PolicyUnavailable", "SOURCE", "PARSER_VERSION", "CITATION",
           "fetch_policy", "parse_index_file", "parse_policy", "load_policy", "province_for_region"]

REPOSITORY = "OxCGRT/covid-policy-dataset"
COMMIT = "e7f66ee39654293b5c068efd2f195bd591dc27f6"
#: Environment variable naming a local mirror (the folder holding ``data/`` or ``<commit>/data/``).
MIRROR_ENV = "COVID_DISCOURSE_OXCGRT_MIRROR"
PARSER_VERSION = "1"
#: How the data's licence asks to be cited.
CITATION = ("Hale, T., Angrist, N., Goldszmidt, R., Kira, B., Petherick, A., Phillips, T., Webster, S., "
            "Cameron-Blake, E., Hallas, L., Majumdar, S. & Tatlow, H. (2021). A global panel database of "
            "pandemic policies (Oxford COVID-19 Government Response Tracker). Nature Human Behaviour, 5, "
            "529–538. https://doi.org/10.1038/s41562-021-01079-8")

#: Column of the tidy table -> OxCGRT index name (file ``OxCGRT_timeseries_<name>_v1.csv``).
INDICES = {
    "stringency": "StringencyIndex",
    "containment_health": "ContainmentHealthIndex",
    "government_response": "GovernmentResponseIndex",
    "economic_support": "EconomicSupportIndex",
}
INDEX_FILES = {col: f"data/timeseries_indices/OxCGRT_timeseries_{name}_v1.csv" for col, name in INDICES.items()}

#: OxCGRT region code -> (English name in the files, the project's province name).
REGIONS = {
    "CHN_AH": ("Anhui", "安徽"), "CHN_BJ": ("Beijing", "北京"), "CHN_CQ": ("Chongqing", "重庆"),
    "CHN_FJ": ("Fujian", "福建"), "CHN_GD": ("Guangdong", "广东"), "CHN_GS": ("Gansu", "甘肃"),
    "CHN_GX": ("Guangxi", "广西"), "CHN_GZ": ("Guizhou", "贵州"), "CHN_HA": ("Henan", "河南"),
    "CHN_HB": ("Hubei", "湖北"), "CHN_HE": ("Hebei", "河北"), "CHN_HI": ("Hainan", "海南"),
    "CHN_HL": ("Heilongjiang", "黑龙江"), "CHN_HN": ("Hunan", "湖南"), "CHN_JL": ("Jilin", "吉林"),
    "CHN_JS": ("Jiangsu", "江苏"), "CHN_JX": ("Jiangxi", "江西"), "CHN_LN": ("Liaoning", "辽宁"),
    "CHN_NM": ("Inner Mongolia", "内蒙古"), "CHN_NX": ("Ningxia", "宁夏"), "CHN_QH": ("Qinghai", "青海"),
    "CHN_SC": ("Sichuan", "四川"), "CHN_SD": ("Shandong", "山东"), "CHN_SH": ("Shanghai", "上海"),
    "CHN_SN": ("Shaanxi", "陕西"), "CHN_SX": ("Shanxi", "山西"), "CHN_TJ": ("Tianjin", "天津"),
    "CHN_XJ": ("Xinjiang", "新疆"), "CHN_XZ": ("Tibet", "西藏"), "CHN_YN": ("Yunnan", "云南"),
    "CHN_ZJ": ("Zhejiang", "浙江"),
}
#: ``province`` of the country-level rows (``level="national"``).
NATIONAL = "全国"
COLUMNS = ["province", "level", "region_code", "date", *INDICES]

_DAY = re.compile(r"\d{2}[A-Z][a-z]{2}\d{4}")
_ID_COLUMNS = ["CountryCode", "CountryName", "RegionCode", "RegionName", "CityCode", "CityName", "Jurisdiction"]


class PolicyError(SourceError):
    """An OxCGRT file is missing, changed, or does not have the expected layout."""


class PolicyUnavailable(PolicyError, SourceUnavailable):
    """The OxCGRT files cannot be obtained here (offline and no mirror).

    ``make figures`` treats this exception as "notebook skipped", not as a failure."""


#: The pinned source (shared mechanism, :mod:`analysis.sources.pinned`).
SOURCE = PinnedSource(
    key="oxcgrt", label="OxCGRT policy indices", repository=REPOSITORY, commit=COMMIT, mirror_env=MIRROR_ENV,
    path_pattern=r"(data/timeseries_indices/OxCGRT_timeseries_\w+_v1\.csv|README\.md|LICENSE\.txt|"
                 r"documentation_and_codebook\.md)",
    path_hint="data/timeseries_indices/OxCGRT_timeseries_<Index>_v1.csv",
    command="python -m analysis.sources.policy", size_hint="~9 MB",
    error=PolicyError, unavailable=PolicyUnavailable)


def province_for_region(code: str, name: str | None = None) -> str:
    """The project's province name of an OxCGRT region code (``CHN_NM`` -> ``内蒙古``).

    Raises
    ------
    PolicyError
        Unknown code, or ``name`` given and different from the English name expected for it.
    """
    if code not in REGIONS:
        raise PolicyError(f"unknown OxCGRT region code {code!r} (expected one of CHN_AH … CHN_ZJ); "
                          f"add it to analysis.sources.policy.REGIONS")
    english, province = REGIONS[code]
    if name is not None and name != english:
        raise PolicyError(f"region {code} is named {name!r} in the file, expected {english!r}")
    return province


def fetch_policy(*, mirror=None, cache_dir=None, progressbar: bool = False, base_url: str | None = None,
                 files=None) -> dict[str, Path]:
    """Local, verified paths of the index files.

    Parameters
    ----------
    mirror : path, optional
        Local copy of the repository (the folder holding ``data/`` or ``<commit>/data/``);
        default ``$COVID_DISCOURSE_OXCGRT_MIRROR``.
    cache_dir : path, optional
        Download folder (default: the user cache, ``…/covid-discourse/oxcgrt/<commit>``).
    progressbar : bool, default False
    base_url : str, optional
        Raw-file URL prefix (tests use a local server).
    files : list of str, optional
        Registry paths (default: the four index files).

    Returns
    -------
    dict
        Registry path -> local path.

    Raises
    ------
    PolicyUnavailable
        Offline and no mirror (the message says how to get the files).
    PolicyError
        A file missing or changed (named).
    """
    names = list(files or INDEX_FILES.values())
    paths = SOURCE.fetch(names, mirror=mirror, cache_dir=cache_dir, progressbar=progressbar, base_url=base_url)
    return dict(zip(names, paths))


def parse_index_file(path, column: str) -> pd.DataFrame:
    """One OxCGRT timeseries file -> long table of China's rows.

    Parameters
    ----------
    path : path
        ``OxCGRT_timeseries_<Index>_v1.csv`` (identifier columns, then one ``DDMonYYYY``
        column per day).
    column : str
        Name of the value column in the result (``stringency`` …).

    Returns
    -------
    pandas.DataFrame
        ``province, level, region_code, date, <column>``: 31 provinces
        (``level="provincial"``) and the country (``province="全国"``,
        ``level="national"``, ``region_code=""``), every day of the file; an empty cell
        is NaN.

    Raises
    ------
    PolicyError
        Naming the file and the row/column: missing identifier columns, a day column
        that is not ``DDMonYYYY``, a non-numeric cell, a duplicated or missing region,
        an unknown region code.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise PolicyError(f"{path}: empty file") from None
    if header[:len(_ID_COLUMNS)] != _ID_COLUMNS:
        raise PolicyError(f"{path}: expected the columns {_ID_COLUMNS} first, got {header[:len(_ID_COLUMNS)]}")
    days = header[len(_ID_COLUMNS):]
    bad = [d for d in days if not _DAY.fullmatch(d)]
    if bad:
        raise PolicyError(f"{path}: day columns must look like 01Jan2020; got {bad[:3]}")
    dates = pd.to_datetime(days, format="%d%b%Y")
    rows, seen = [], {}
    for line_no, row in enumerate(reader, 2):
        if not row or row[0] != "CHN":
            continue
        rec = dict(zip(_ID_COLUMNS, row))
        if rec["Jurisdiction"] == "NAT_TOTAL":
            province, level, code = NATIONAL, "national", ""
        elif rec["Jurisdiction"] == "STATE_TOTAL":
            try:
                province = province_for_region(rec["RegionCode"], rec["RegionName"])
            except PolicyError as e:
                raise PolicyError(f"{path}, line {line_no}: {e}") from None
            level, code = "provincial", rec["RegionCode"]
        else:
            continue
        if province in seen:
            raise PolicyError(f"{path}, line {line_no}: {province} ({code or 'NAT_TOTAL'}) repeats line "
                              f"{seen[province]}")
        seen[province] = line_no
        if len(row) != len(header):
            raise PolicyError(f"{path}, line {line_no}: {len(row)} fields, the header has {len(header)}")
        cells = row[len(_ID_COLUMNS):]
        try:
            values = np.array([float(c) if c.strip() else np.nan for c in cells])
        except ValueError:
            j = next(i for i, c in enumerate(cells) if c.strip() and not _is_number(c))
            raise PolicyError(f"{path}, line {line_no} ({province}), column {days[j]}: {cells[j]!r} is not "
                              f"a number") from None
        rows.append(pd.DataFrame({"province": province, "level": level, "region_code": code, "date": dates,
                                  column: values}))
    missing = [p for _, p in REGIONS.values() if p not in seen] + ([NATIONAL] if NATIONAL not in seen else [])
    if missing:
        raise PolicyError(f"{path}: no row for {', '.join(missing)} (CountryCode CHN, Jurisdiction "
                          f"STATE_TOTAL/NAT_TOTAL)")
    return pd.concat(rows, ignore_index=True)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _province_order() -> list[str]:
    return [p for p in PROVINCES if p in {v[1] for v in REGIONS.values()}] + [NATIONAL]


def parse_policy(paths: dict, start=None, end=None) -> pd.DataFrame:
    """The tidy policy table from the index files.

    Parameters
    ----------
    paths : dict
        Index column (``stringency`` …) or registry path -> local file.
    start, end : date-like, optional
        Inclusive date range kept.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`, sorted by province (the order of :data:`analysis.PROVINCES`,
        then 全国) and date.
    """
    by_col = {}
    for col, reg in INDEX_FILES.items():
        p = paths.get(col) or paths.get(reg)
        if p is None:
            raise PolicyError(f"no file for the {col} index ({reg})")
        by_col[col] = parse_index_file(p, col)
    keys = ["province", "level", "region_code", "date"]
    table = None
    for col, part in by_col.items():
        table = part if table is None else table.merge(part, on=keys, how="outer", validate="1:1")
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    if lo is not None:
        table = table[table["date"] >= lo]
    if hi is not None:
        table = table[table["date"] <= hi]
    order = {p: i for i, p in enumerate(_province_order())}
    table = table.assign(_o=table["province"].map(order)).sort_values(["_o", "date"]).drop(columns="_o")
    table = table[COLUMNS].reset_index(drop=True)
    for c in ("province", "level", "region_code"):
        table[c] = table[c].astype(str)
    return table


def coverage(table: pd.DataFrame) -> pd.DataFrame:
    """First and last day with a value, and the days without one, per index and level.

    Returns
    -------
    pandas.DataFrame
        ``index, level, first, last, n_days, n_missing`` (days between the table's
        first and last date without a value, summed over jurisdictions).
    """
    rows = []
    for col in INDICES:
        for level, sub in table.groupby("level", sort=True):
            has = sub[sub[col].notna()]
            rows.append({"index": col, "level": level,
                         "first": has["date"].min() if len(has) else pd.NaT,
                         "last": has["date"].max() if len(has) else pd.NaT,
                         "n_days": sub["date"].nunique(), "n_missing": int(sub[col].isna().sum())})
    return pd.DataFrame(rows)


def parser_code() -> str:
    """Code hash of this parser (part of the parsed-table cache key)."""
    return code_hash(__file__)


def load_policy(start=None, end=None, *, mirror=None, cache_dir=None, use_cache: bool = True,
                table_cache_dir=None, progressbar: bool = False) -> pd.DataFrame:
    """China's OxCGRT indices as a tidy table (cached; see the module docstring).

    Parameters
    ----------
    start, end : date-like, optional
        Inclusive date range (default: every day of the files, 2020-01-01 to 2023-02-28;
        values stop earlier — see ``attrs["coverage"]``).
    mirror, cache_dir, progressbar
        As :func:`fetch_policy`.
    use_cache : bool, default True
        Read/write the parsed-table cache (``.cache/sources/oxcgrt/``).
    table_cache_dir : path, optional
        Folder of that cache.

    Returns
    -------
    pandas.DataFrame
        ``province`` (Chinese short name; ``全国`` for the country), ``level``
        (``provincial``/``national``), ``region_code`` (``CHN_AH`` …), ``date``
        (datetime64), then one float column per index (:data:`INDICES`, 0–100, NaN
        where OxCGRT has no value).  ``attrs``: ``commit``, ``registry_hash``,
        ``source``, ``citation``, ``coverage`` (:func:`coverage` as a list of records, so
        that pandas can still concatenate slices of the table), ``from_cache``.

    Raises
    ------
    PolicyUnavailable
        Offline, no mirror and no cached table.
    PolicyError
        A file missing or changed (named), or with an unexpected layout.

    Examples
    --------
    >>> pol = load_policy("2022-11-01", "2022-11-30")           # doctest: +SKIP
    >>> pol.query("province == '重庆'").stringency.mean()        # doctest: +SKIP
    """
    lo = pd.Timestamp(start).strftime("%Y-%m-%d") if start is not None else None
    hi = pd.Timestamp(end).strftime("%Y-%m-%d") if end is not None else None
    key = table_key(SOURCE, parser_version=PARSER_VERSION, parser_code=parser_code(), start=lo, end=hi,
                    columns=COLUMNS)

    def build():
        paths = fetch_policy(mirror=mirror, cache_dir=cache_dir, progressbar=progressbar)
        return {"table": parse_policy(paths, lo, hi)}

    tables, hit = cached_tables(key, build, cache_dir=table_cache_dir, use_cache=use_cache)
    table = tables["table"]
    table.attrs.update(commit=COMMIT, registry_hash=key["registry_hash"], source=SOURCE.url, citation=CITATION,
                       coverage=coverage(table).to_dict("records"), from_cache=hit)
    return table


def main(argv=None) -> int:
    """``python -m analysis.sources.policy [--mirror DIR]``: download (or verify) every file of the
    registry (the index files, codebook, README and licence)."""
    return SOURCE.cli(argv, lambda mirror: list(fetch_policy(mirror=mirror, progressbar=True,
                                                                 files=list(SOURCE.read_registry())).values()))


if __name__ == "__main__":
    raise SystemExit(main())
