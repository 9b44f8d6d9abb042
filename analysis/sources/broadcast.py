"""The national evening news (新闻联播), 2016–2026, as a corpus of story units.

Source: the public GitHub repository ``Felix-Jung/xin-wen-lian-bo`` (one Markdown file per
day, ``news/YYYYMMDD.md``) at the pinned commit :data:`COMMIT`.  The transcripts are not
part of this repository: :func:`fetch_broadcast` downloads them with ``pooch`` into the
user's cache folder (``~/.cache/covid-discourse/xwlb/<commit>/`` on Linux), or reads them
from a local mirror (argument ``mirror=`` or environment variable :data:`MIRROR_ENV`).
Every file, downloaded, cached or mirrored, is checked against the SHA-256 registry
committed in ``data/sources/xwlb-<commit>.sha256``; a changed or missing file is an error
naming it.

:func:`parse_day` splits one day into units: the opening summary list (``level="media"``,
position 0) and one unit per ``###`` story (``level="national"``, positions 1, 2, …),
with the columns of the meeting corpus table (:data:`analysis.ingest.corpus.COLUMNS`) plus
``position``, ``provinces`` (provinces named, :func:`analysis.provinces_in`),
``covid_score`` and ``covid`` (:func:`is_covid`).  Days whose layout deviates are listed
in a parse report, never dropped silently.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.ingest.corpus import COLUMNS, default_data_dir
from analysis.sources.pinned import PinnedSource, SourceError, SourceUnavailable
from analysis.sources.table_cache import cached_tables, code_hash, table_key

__all__ = ["REPOSITORY", "COMMIT", "BASE_URL", "MIRROR_ENV", "OUTLET", "COVID_TERMS",
           "COVID_NOT", "COVID_TITLE_WEIGHT", "COVID_MIN_SCORE", "BroadcastError",
           "BroadcastUnavailable", "covid_check", "registry_path", "read_registry", "registry_hash", "select_files",
           "fetch_broadcast", "parse_day", "parse_broadcast", "load_broadcast", "covid_score",
           "is_covid", "default_cache_dir", "SOURCE", "PARSER_VERSION"]

#: The GitHub repository and the pinned commit the registry describes.
REPOSITORY = "Felix-Jung/xin-wen-lian-bo"
COMMIT = "023828c95ca6990c15bf3bedf8339954000ff34a"
#: Raw-file URL prefix; a file's URL is ``BASE_URL + "news/YYYYMMDD.md"``.
BASE_URL = f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}/"
#: Environment variable naming a local mirror (a folder holding ``news/`` or ``<commit>/news/``).
MIRROR_ENV = "COVID_DISCOURSE_XWLB_MIRROR"
OUTLET = "新闻联播"
#: Version of the story parser: part of the parsed-table cache key (the parser's code
#: hash is too, so an edit invalidates the cache even without a bump).
PARSER_VERSION = "1"

_NAME = re.compile(r"^news/(\d{8})\.md$")


class BroadcastError(SourceError):
    """A transcript file is missing, changed, or cannot be parsed as expected."""


class BroadcastUnavailable(BroadcastError, SourceUnavailable):
    """The corpus cannot be obtained here (offline and no mirror).

    ``make figures`` treats this exception as "notebook skipped", not as a failure."""


#: The pinned source (shared mechanism, :mod:`analysis.sources.pinned`).
SOURCE = PinnedSource(
    key="xwlb", label="新闻联播 transcripts", repository=REPOSITORY, commit=COMMIT, mirror_env=MIRROR_ENV,
    path_pattern=r"news/\d{8}\.md", path_hint="news/YYYYMMDD.md",
    command="python -m analysis.sources.broadcast", size_hint="~69 MB",
    error=BroadcastError, unavailable=BroadcastUnavailable)


# --------------------------------------------------------------------------- registry

def registry_path(commit: str = COMMIT) -> Path:
    """The committed SHA-256 registry of ``news/*.md`` at ``commit``."""
    return SOURCE.registry_path(commit)


def read_registry(path=None) -> dict[str, str]:
    """Read the registry: ``{"news/YYYYMMDD.md": sha256_hex}`` in date order.

    Raises
    ------
    BroadcastError
        The registry is missing or a line is malformed (naming the line).
    """
    return SOURCE.read_registry(path)


def registry_hash(path=None) -> str:
    """SHA-256 (hex) of the registry file: cite it with :data:`COMMIT`."""
    return SOURCE.registry_hash(path)


def _as_day(value, what: str) -> str | None:
    if value is None:
        return None
    try:
        return pd.Timestamp(value).strftime("%Y%m%d")
    except (ValueError, TypeError) as e:
        raise ValueError(f"{what}={value!r} is not a date (use 'YYYY-MM-DD')") from e


def select_files(registry: dict, start=None, end=None) -> list[str]:
    """Registry names whose date lies in ``[start, end]`` (inclusive; ``None`` = open)."""
    lo, hi = _as_day(start, "start"), _as_day(end, "end")
    names = [n for n in registry if (lo is None or _NAME.match(n)[1] >= lo)
             and (hi is None or _NAME.match(n)[1] <= hi)]
    return names


# --------------------------------------------------------------------------- fetching

def default_cache_dir(commit: str = COMMIT) -> Path:
    """``pooch.os_cache("covid-discourse") / "xwlb" / commit`` (outside the repository)."""
    import pooch

    return Path(pooch.os_cache("covid-discourse")) / "xwlb" / commit


def _selection(start, end, registry) -> list[str]:
    names = select_files(registry, start, end)
    if not names:
        raise BroadcastError(f"no transcript between {start} and {end}; the registry covers "
                             f"{next(iter(registry))[5:13]}–{list(registry)[-1][5:13]}")
    return names


def fetch_broadcast(start=None, end=None, *, mirror=None, cache_dir=None, progressbar: bool = True,
                    base_url: str = BASE_URL, registry=None) -> list[Path]:
    """Local, verified paths of the day files in ``[start, end]``.

    Parameters
    ----------
    start, end : date-like, optional
        Inclusive date range (``"2020-01-01"``); default: every day in the registry.
    mirror : path, optional
        A local copy of the repository (the folder holding ``news/`` or
        ``<commit>/news/``); default: ``$COVID_DISCOURSE_XWLB_MIRROR`` if set.  Mirror
        files are read in place and hash-checked; nothing is downloaded.
    cache_dir : path, optional
        Where downloads go; default :func:`default_cache_dir` (never the repository).
    progressbar : bool, default True
        One tqdm bar over the files to download (files already cached are only verified).
    base_url : str
        Raw-file URL prefix (tests point it at a local server).
    registry : dict, optional
        ``{name: sha256}``; default :func:`read_registry`.

    Returns
    -------
    list of Path
        In date order.

    Raises
    ------
    BroadcastUnavailable
        No mirror and the repository cannot be reached (the message says how to get the corpus).
    BroadcastError
        A file is missing upstream or in the mirror, or its SHA-256 differs from the
        registry (the message names the file).
    """
    registry = read_registry() if registry is None else registry
    names = _selection(start, end, registry)
    return SOURCE.fetch(names, registry=registry, mirror=mirror, cache_dir=cache_dir or default_cache_dir(),
                        progressbar=progressbar, base_url=base_url, desc="新闻联播 transcripts")


# --------------------------------------------------------------------------- parsing

_HEADER = re.compile(r"^#\s*《新闻联播》\s*[（(]\s*(\d{8})\s*[）)]\s*$")
_STAMP = re.compile(r"（《新闻联播》\s*(\d{8})\s*(\d{1,2}:\d{2})\s*）")
_LINK = re.compile(r"^\s*\[查看原文\]\((?P<url>[^)\s]*)\)\s*$")
_DATELINE = re.compile(r"^\s*央视网消息\s*[（(]\s*新闻联播\s*[）)]\s*[：:]\s*")
_TAG = re.compile(r"<[^>]+>")
# a story heading: ``###`` at the start of a line; written as the literal, then the line-start
# check behind it, so re searches for the literal (2.5x faster than ``(?m)^###…``, same splits)
_HEADING = re.compile(r"(?m)###(?<=^###)[ \t]*(.*)$")
_BLOCK = re.compile(r"</p\s*>|<br\s*/?>|<p(\s[^>]*)?>", re.I)
_BLANKS = re.compile(r"  +")  # after tabs became spaces: a run of blanks (a literal prefix, so fast)
_NO_SUMMARY = {"(暂无简介)", "（暂无简介）", ""}
_UNTITLED = {"(无标题)", "（无标题）", ""}
_PLACEHOLDER = {"undefined", "(无正文)", "（无正文）"}


def _html_to_text(body: str) -> str:
    """Inline HTML → plain paragraphs (block tags become line breaks, entities decoded)."""
    text = _BLOCK.sub("\n", body)
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ").replace("\u3000", " ").replace("\t", " ")
    # runs of spaces and tabs become one space: one substitution over the whole text (a
    # run never spans a line break), and only where two blanks meet (one space stays)
    lines = [ln.strip() for ln in _BLANKS.sub(" ", text).split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _summary_items(block: str) -> list[str]:
    """Numbered items of the summary list (``1.``/``1、`` items, ``（1）`` sub-items),
    continuation lines joined to their item."""
    items: list[str] = []
    for ln in (x.strip() for x in block.split("\n")):
        if not ln or ln.startswith("本期节目主要内容"):
            continue
        if re.match(r"^(\d{1,2}[.、．]|[（(]\d{1,2}[）)])", ln) or not items:
            items.append(ln)
        else:
            items[-1] += ln
    return items


#: Terms whose occurrences make a story COVID-related (matched leftmost-longest,
#: non-overlapping, so 新冠肺炎疫情 counts as 新冠肺炎 + 疫情 = 2, 动态清零 once).
COVID_TERMS = (
    "新冠", "新冠肺炎", "新型冠状病毒", "奥密克戎", "德尔塔毒株", "疫情", "抗疫", "防疫", "战疫",
    "核酸", "确诊病例", "无症状感染者", "密接", "密切接触者", "隔离", "封控", "方舱", "清零",
    "动态清零", "社会面清零", "外防输入", "内防反弹", "乙类乙管", "新冠疫苗", "健康码", "疫区",
    "复工复产", "联防联控", "病毒溯源",
)
#: Longer forms that contain a COVID term but are about something else: matched first and
#: not counted (animal epidemics, other diseases).
COVID_NOT = ("非洲猪瘟疫情", "猪瘟疫情", "禽流感疫情", "口蹄疫疫情", "埃博拉疫情", "猴痘疫情",
             "霍乱疫情", "登革热疫情", "鼠疫疫情", "动物疫情", "重大动物疫情", "动物防疫", "植物疫情")
#: A title match counts this many times.
COVID_TITLE_WEIGHT = 3
#: A story is COVID-related when its score reaches this value.
COVID_MIN_SCORE = 3

_COVID_SET = frozenset(COVID_TERMS)


@lru_cache(maxsize=1)
def _covid_re() -> re.Pattern:
    """Leftmost-longest over terms and exclusions: the prefix tree of both lists, with
    lone first characters where no term matches (``or_first_char``; the terms matched are
    those of the alternation sorted longest first, found faster).  Built on first use so
    importing this module does not load the gazetteer."""
    from analysis.ingest.gazetteer import longest_first_pattern

    return re.compile(longest_first_pattern(set(COVID_TERMS) | set(COVID_NOT), or_first_char=True))


def covid_check() -> pd.DataFrame:
    """The hand check of the COVID rule (``data/sources/xwlb-covid-check.csv``).

    Returns
    -------
    pandas.DataFrame
        ``unit_id``, ``sample`` (``"flagged"`` or ``"not_flagged_2020_2022"``),
        ``rule_covid`` (the rule's output when checked), ``hand_covid`` (the reader's
        judgement), ``note``.  Precision = mean of ``hand_covid`` over the flagged sample.
    """
    return pd.read_csv(default_data_dir() / "sources" / "xwlb-covid-check.csv", comment="#")


def _covid_hits(text: str) -> int:
    # exclusions and the one-character non-matches of or_first_char are not COVID terms
    return sum(1 for m in _covid_re().findall(text) if m in _COVID_SET)


def covid_score(title: str, text: str) -> int:
    """``COVID_TITLE_WEIGHT`` × hits in the title + hits in the text.

    Hits are occurrences of :data:`COVID_TERMS`, leftmost-longest and non-overlapping,
    after the exclusions in :data:`COVID_NOT` (非洲猪瘟疫情 … are not COVID)."""
    return COVID_TITLE_WEIGHT * _covid_hits(title or "") + _covid_hits(text or "")


def is_covid(title: str, text: str, min_score: int = COVID_MIN_SCORE) -> bool:
    """The documented COVID rule: ``covid_score(title, text) >= min_score``.

    With the defaults a story is COVID-related if its title names a COVID term, or its
    text does at least three times; a passing mention (面对新冠肺炎疫情，…) in a
    diplomatic or economic story is not enough."""
    return covid_score(title, text) >= min_score


def _row(day: str, position: int, title: str, text: str, url: str, level: str, note: str,
         file: str) -> dict:
    from analysis.ingest.gazetteer import provinces_in

    iso = f"{day[:4]}-{day[4:6]}-{day[6:]}"
    score = covid_score(title, text)
    return {
        "unit_id": f"xwlb-{day}-{position:02d}", "doc_id": f"xwlb-{day}", "period": iso[:7], "date": iso,
        "province": "", "city": "", "place": "", "level": level, "speaker": "", "outlet": OUTLET,
        "title": title, "url": url, "note": note, "file": file, "n_chars": len(text), "text": text,
        "meeting_id": f"xwlb-{day}-{position:02d}",  # each story is sampled on its own
        "position": position, "provinces": provinces_in(title + "\n" + text),
        "covid_score": score, "covid": score >= COVID_MIN_SCORE,
    }


def parse_day(text: str, day: str, file: str = "") -> tuple[list[dict], dict]:
    """Split one day's Markdown into units.

    Parameters
    ----------
    text : str
        The file's content.
    day : str
        ``YYYYMMDD`` (from the file name; the ``# 《新闻联播》 (YYYYMMDD)`` header is checked
        against it).
    file : str
        Name recorded in the ``file`` column (``news/YYYYMMDD.md``).

    Returns
    -------
    units : list of dict
        The summary list (position 0, ``level="media"``, title ``新闻摘要``; absent when the
        day has none) and one unit per ``###`` story (positions 1, 2, … in broadcast
        order, ``level="national"``).  Story text is the body with inline HTML reduced to
        paragraphs, the ``央视网消息（新闻联播）：`` dateline and the ``[查看原文](url)``
        link removed (the link goes to ``url``).
    report : dict
        ``date, file, n_stories, n_skipped, summary`` (``"list"``, ``"text"`` or
        ``"none"``), ``n_summary_items``, ``broadcast_time`` (from the closing
        ``（《新闻联播》 YYYYMMDD HH:MM）`` stamp), ``issues`` (``"; "``-joined, empty when
        the day has the usual layout) and ``ok``.
    """
    file = file or f"news/{day}.md"
    issues: list[str] = []
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = next((ln for ln in lines if ln.strip()), "")
    m = _HEADER.match(first.strip())
    if not m:
        issues.append(f"no '# 《新闻联播》 ({day})' header")
    elif m[1] != day:
        issues.append(f"header date {m[1]} differs from the file name")
    stamp = _STAMP.search(text)
    if stamp and stamp[1] != day:
        issues.append(f"time stamp date {stamp[1]} differs from the file name")
    if "## 详细新闻" in text:
        head, details = text.split("## 详细新闻", 1)
    else:
        issues.append("no '## 详细新闻' section")
        head, details = text, ""
    summary = head.split("## 新闻摘要", 1)[1] if "## 新闻摘要" in head else ""
    if "## 新闻摘要" not in head:
        issues.append("no '## 新闻摘要' section")
    summary = _STAMP.sub("", _html_to_text(summary)).strip()
    units: list[dict] = []
    items = _summary_items(summary) if summary not in _NO_SUMMARY else []
    kind = "none" if not items else ("list" if summary.startswith("本期节目主要内容") else "text")
    if items:
        units.append(_row(day, 0, "新闻摘要", "\n".join(items), "", "media",
                          "the programme's opening summary of the day's stories", file))
    skipped = []
    chunks = _HEADING.split(details)
    if chunks[0].strip() not in ("", "---"):
        issues.append(f"text before the first story heading ({len(chunks[0].strip())} characters, kept "
                      f"out of the units)")
    position = untitled = 0
    for k in range(1, len(chunks), 2):
        title, body = chunks[k].strip(), chunks[k + 1]
        url = ""
        kept = []
        for ln in body.split("\n"):
            lm = _LINK.match(ln) if "[查看原文](" in ln else None  # the link's literal, found faster
            if lm:
                url = url or lm["url"]
            elif ln.strip() != "---":
                kept.append(ln)
        story = _html_to_text("\n".join(kept))
        story = _DATELINE.sub("", story).strip()
        if title in _PLACEHOLDER or story in _PLACEHOLDER or not story:
            what = "placeholder story 'undefined'" if title in _PLACEHOLDER else \
                f"story without text ({title[:20]!r}: {story[:10] or 'empty'!r})"
            skipped.append(what)
            continue
        if title in _UNTITLED:
            untitled += 1
            title = ""
        position += 1
        units.append(_row(day, position, title, story, url, "national", "", file))
    if not position:
        issues.append("no '###' story headings with text")
    elif position < FEW_STORIES:
        issues.append(f"only {position} stories (a usual day has 10–20)")
    if untitled:
        issues.append(f"{untitled} stories without title ('(无标题)', title left empty)")
    if skipped:
        issues.append(f"skipped {len(skipped)}: " + ", ".join(skipped))
    report = {"date": f"{day[:4]}-{day[4:6]}-{day[6:]}", "file": file, "n_stories": position,
              "n_skipped": len(skipped), "summary": kind, "n_summary_items": len(items),
              "broadcast_time": stamp[2] if stamp else "", "issues": "; ".join(issues),
              "ok": not issues}
    return units, report


#: A day with fewer stories than this is reported (usual days have 10–20).
FEW_STORIES = 5

#: Columns of the broadcast table: the meeting corpus columns plus these.
EXTRA_COLUMNS = ["position", "provinces", "covid_score", "covid"]
#: Columns of the table, in order.
TABLE_COLUMNS = COLUMNS + EXTRA_COLUMNS
#: The keys of :func:`parse_day`'s unit dicts (the other table columns stay empty).
_UNIT_COLUMNS = ("unit_id", "doc_id", "period", "date", "province", "city", "place", "level", "speaker",
                 "outlet", "title", "url", "note", "file", "n_chars", "text", "meeting_id", "position",
                 "provinces", "covid_score", "covid")
_unit_values = itemgetter(*_UNIT_COLUMNS)
REPORT_COLUMNS = ["date", "file", "n_stories", "n_skipped", "summary", "n_summary_items",
                  "broadcast_time", "issues", "ok"]


def _read_day(p: Path) -> tuple[str, str]:
    """``(day, content)`` of one day file, with errors naming the file."""
    if not re.fullmatch(r"\d{8}\.md", p.name):
        raise BroadcastError(f"{p}: expected a file named YYYYMMDD.md")
    try:
        return p.name[:8], p.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise BroadcastError(f"{p}: not UTF-8 ({e}); re-copy the file from the repository at commit "
                             f"{COMMIT[:12]}") from e


def _parse_files(paths: list[Path], summary: bool) -> tuple[pd.DataFrame, list[dict]]:
    """Parse a run of day files: their part of the table (:func:`_table`; a worker sends
    it back as Arrow buffers, cheaper to pickle than one dict or string per unit) and
    the day reports."""
    rows, reports = [], []
    for p in paths:
        day, content = _read_day(p)
        units, rep = parse_day(content, day, f"news/{p.name}")
        rows.extend(_unit_values(u) for u in units if summary or u["level"] != "media")
        reports.append(rep)
    return _table(rows), reports


def _table(rows: list[tuple]) -> pd.DataFrame:
    """The table of unit rows (tuples of :data:`_UNIT_COLUMNS`), with the dtypes of a
    table built from one dict per unit."""
    n = len(rows)
    if n:  # columns the units lack are all-missing (float NaN), as pandas makes them from dicts
        columns = dict(zip(_UNIT_COLUMNS, map(list, zip(*rows))))
        table = pd.DataFrame({c: columns[c] if c in columns else np.full(n, np.nan) for c in TABLE_COLUMNS})
    else:  # no unit: the columns' empty dtypes as before
        table = pd.DataFrame([], columns=TABLE_COLUMNS)
    table["n_chars"] = table["n_chars"].astype("int64")
    table["position"] = table["position"].astype("int64")
    table["covid_score"] = table["covid_score"].astype("int64")
    table["covid"] = table["covid"].astype(bool)
    table["excerpt"] = False  # whole broadcast stories, not a journalist's excerpts
    return table


def _batches(items: list, n_jobs: int, per_worker: int = 8) -> list[list]:
    """``items`` cut into consecutive runs, ``per_worker`` per worker (so a worker that
    drew short files takes another run while the others finish)."""
    size = max(1, -(-len(items) // (n_jobs * per_worker)))
    return [items[i:i + size] for i in range(0, len(items), size)]


def parse_broadcast(paths, *, summary: bool = False, n_jobs: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Parse day files into the broadcast corpus table and a parse report.

    Parameters
    ----------
    paths : iterable of path
        ``YYYYMMDD.md`` files (e.g. from :func:`fetch_broadcast`).
    summary : bool, default False
        Keep the daily summary units (``level="media"``).  Off by default: the summary
        repeats the story titles, so counting both would count those words twice.
    n_jobs : int, default 1
        Worker processes (forked where the platform allows, so nothing is imported
        again); each parses runs of consecutive days and sends back that part of the
        table (Arrow-backed columns pickle as buffers), the parts joined in file order,
        so the table and report are the same for any ``n_jobs``.  1 parses in this
        process.

    Returns
    -------
    table : pandas.DataFrame
        :data:`analysis.ingest.corpus.COLUMNS` + :data:`EXTRA_COLUMNS`, one row per unit, in
        date and position order.
    report : pandas.DataFrame
        One row per day (:data:`REPORT_COLUMNS`); ``ok`` is False where the layout
        deviates and ``issues`` says how.

    Raises
    ------
    BroadcastError
        A file is not named ``YYYYMMDD.md`` or is not UTF-8 (the message names it).
    ValueError
        ``n_jobs`` is not a positive integer.
    """
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs < 1:
        raise ValueError(f"parse_broadcast: n_jobs={n_jobs!r}; pass a positive number of worker processes "
                         f"(1 = parse in this process)")
    paths = [Path(p) for p in paths]
    if n_jobs == 1 or len(paths) < 2:
        parts = [_parse_files(paths, summary)]
    else:
        parts = _parallel(_parse_files, _batches(paths, n_jobs), n_jobs, summary)
    reports = [r for part in parts for r in part[1]]
    tables = [part[0] for part in parts if len(part[0])] or [parts[0][0]]  # an empty part has object dtypes
    table = tables[0] if len(tables) == 1 else pd.concat(tables, ignore_index=True)
    return table.reset_index(drop=True), pd.DataFrame(reports, columns=REPORT_COLUMNS)


def _parallel(func, batches: list, n_jobs: int, *args) -> list:
    """``[func(b, *args) for b in batches]`` in ``n_jobs`` worker processes, in order."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    # forked workers inherit the imported modules and the compiled patterns
    context = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else None)
    with ProcessPoolExecutor(min(n_jobs, len(batches)), mp_context=context) as pool:
        return list(pool.map(partial(_call, func, args), batches))


def _call(func, args, batch):
    return func(batch, *args)


def parser_code() -> str:
    """:func:`~analysis.sources.table_cache.code_hash` of this parser, the gazetteer
    module and its data (``provinces``), part of the parsed-table cache key."""
    from analysis.ingest import gazetteer

    return code_hash(__file__, gazetteer.__file__, default_data_dir() / "gazetteer.csv")


def load_broadcast(start=None, end=None, *, mirror=None, cache_dir=None, summary: bool = False,
                   progressbar: bool = True, use_cache: bool = True, table_cache_dir=None,
                   n_jobs: int = 1) -> pd.DataFrame:
    """The 新闻联播 story table for ``[start, end]`` (default: every day).

    Fetches (or reads from the mirror) and verifies the files with
    :func:`fetch_broadcast`, then parses them with :func:`parse_broadcast`.  The parsed
    table is cached (:mod:`analysis.sources.table_cache`, Parquet in ``.cache/sources/``)
    under a key made of the registry hash, :data:`PARSER_VERSION`, the parser's code
    hash, the first and last day file of the range and ``summary``; a warm load reads
    the cached table (verified: checksum and stored key) without touching the raw files,
    whose bytes the registry hash already fixes.

    Parameters
    ----------
    start, end, mirror, cache_dir, progressbar
        As :func:`fetch_broadcast`.
    summary : bool, default False
        As :func:`parse_broadcast`.
    use_cache : bool, default True
        False: fetch and parse, never read or write the parsed-table cache.
    table_cache_dir : path, optional
        Folder of the parsed-table cache (default ``.cache/sources``).
    n_jobs : int, default 1
        Worker processes for a cold parse (:func:`parse_broadcast`); the table is the
        same for any value, so it is not part of the cache key.  On a 2-core machine
        ``n_jobs=2`` takes about two thirds of the one-process time for the whole
        corpus (``benchmarks/bench_tables.py``).

    Returns
    -------
    pandas.DataFrame
        The table; ``attrs`` holds ``parse_report`` (the per-day report), ``commit``,
        ``registry_hash``, ``source`` (the repository URL) and ``from_cache`` (bool).

    Examples
    --------
    >>> nov = load_broadcast("2022-11-01", "2022-11-30")  # doctest: +SKIP
    >>> nov.query("covid")[["unit_id", "title", "provinces"]].head()  # doctest: +SKIP
    """
    registry = read_registry()
    names = _selection(start, end, registry)
    key = table_key(SOURCE, parser_version=PARSER_VERSION, parser_code=parser_code(),
                    first=names[0], last=names[-1], n_files=len(names), summary=bool(summary),
                    columns=TABLE_COLUMNS)

    def build():
        paths = fetch_broadcast(start, end, mirror=mirror, cache_dir=cache_dir, progressbar=progressbar,
                                registry=registry)
        table, report = parse_broadcast(paths, summary=summary, n_jobs=n_jobs)
        return {"table": table, "parse_report": report}

    tables, hit = cached_tables(key, build, cache_dir=table_cache_dir, use_cache=use_cache,
                                list_columns=["provinces"])
    table = tables["table"]
    table.attrs.update(parse_report=tables["parse_report"], commit=COMMIT, registry_hash=key["registry_hash"],
                       source=SOURCE.url, from_cache=hit)
    return table


def main(argv=None) -> int:
    """``python -m analysis.sources.broadcast [--start D] [--end D] [--mirror DIR]``:
    download (or verify) the transcripts into the user cache."""
    return SOURCE.cli(argv, lambda start, end, mirror: fetch_broadcast(start, end, mirror=mirror),
                          date_range=True)


if __name__ == "__main__":
    raise SystemExit(main())
