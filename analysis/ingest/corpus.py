"""Manifest -> corpus table: one row per meeting-report unit, with metadata.

The manifest (``data/corpus.yml``) names each raw file and the units cut from its
cleaned text by anchor text; bulk tables (``data/bulk/*.csv`` / ``*.jsonl``, see
:func:`load_bulk`) add whole documents or inline texts without anchors.
:func:`load_corpus` validates everything before it returns anything: a bad manifest
raises :class:`CorpusError` naming the file, document, unit and field and what to fix,
and no partial table is returned.  :func:`corpus_audit` never raises for a bad
document: it reports the error in that document's row, so the audit can be used to
repair a broken manifest.

Text columns
------------
``text`` is the unit's cleaned text converted to Simplified Chinese
(:func:`analysis.ingest.normalise.to_simplified`): tokens, counts, themes and reuse use it.
``display_text`` is the same span in the document's original script, character-aligned
with ``text`` (same length, same offsets), for concordances and quoted passages.
"""
from __future__ import annotations

import csv
import datetime as _dt
import difflib
import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.infra.safe_yaml import load_yaml_safely
from analysis.ingest.clean import clean_document
from analysis.ingest.normalise import SCRIPTS, detect_script, to_simplified
from analysis.ingest.pagelines import garble_flags

__all__ = [
    "CorpusError", "CorpusWarning", "load_corpus", "load_bulk", "corpus_audit", "read_raw",
    "default_data_dir", "find_anchor", "LEVELS", "PROVINCES", "COLUMNS",
]

#: Allowed values of the ``level`` column.
LEVELS = ("national", "provincial", "municipal", "media")

#: Short names of China's 34 provincial-level divisions (the ``province`` column).
PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏",
    "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西",
    "海南", "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏",
    "新疆", "香港", "澳门", "台湾",
)

#: Columns of the corpus table, in order (the first sixteen are the original schema).
COLUMNS = ["unit_id", "doc_id", "period", "date", "province", "city", "place", "level", "speaker",
           "outlet", "title", "url", "note", "excerpt", "file", "n_chars", "text",
           "date_end", "published", "chair", "instructions", "body", "meeting_type", "inferred",
           "script", "display_text", "meeting_id"]

# -- schema ------------------------------------------------------------------------------
_TEXT_FIELDS = ("outlet", "url", "title", "period", "province", "city", "level", "note",
                "body", "meeting_type")
_DATE_FIELDS = ("date", "date_end", "published")
_PERSON_FIELDS = ("speaker", "chair", "instructions")
#: metadata a unit can carry (and inherit from its document)
_META = (*_TEXT_FIELDS, *_DATE_FIELDS, *_PERSON_FIELDS, "inferred", "excerpt", "meeting_id")
_DOC_KEYS = {"doc_id", "file", "encoding", "script", "units", *_META}
#: ``moves`` (readout-move overrides) is read and checked by analysis.measures.moves
_UNIT_KEYS = {"unit_id", "start", "end", "exclude", "moves", *_META}
_EXCLUDE_KEYS = {"start", "end", "reason"}
_TOP_KEYS = {"periods", "documents"}
_PERIOD_KEYS = {"label", "description", "start", "end"}
_REQUIRED = ("unit_id", "date", "level", "outlet")
_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "utf-16")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_END = tuple("。！？；…”’」』）)】》!?")
_MAGIC = [(b"%PDF", "a PDF"), (b"PK\x03\x04", "a ZIP archive (e.g. .docx, .xlsx)"),
          (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)")]


class CorpusError(ValueError):
    """The manifest or a raw file cannot be turned into a valid corpus.

    The message names the manifest, document and/or unit concerned and says what to fix.
    """


class CorpusWarning(UserWarning):
    """Something in the manifest is valid but probably not what was meant
    (e.g. an end anchor that stops mid-sentence)."""


def default_data_dir() -> Path:
    """The repository's ``data/`` folder (next to the ``analysis`` package)."""
    return Path(__file__).resolve().parents[2] / "data"


# -- raw files ---------------------------------------------------------------------------
def read_raw(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Read and decode one raw file.

    Parameters
    ----------
    path : Path
        The raw file.
    encoding : str, optional
        Declared encoding.  Without one, UTF-8 (with or without BOM) is tried, then
        GB18030 (a superset of GBK/GB2312) and Big5.  Almost any byte string decodes
        as one of them, so a decoding is accepted only if at least 80 % of its Han
        characters are the encoding's common (level-1) characters, and the better of the
        two wins: Big5 bytes read as GB18030 give ~50 % common characters, real GB text
        over 99 %.

    Returns
    -------
    (text, encoding) : tuple of str
        The decoded text (BOM removed) and the encoding used.

    Raises
    ------
    CorpusError
        If the file is missing, empty, binary (a PDF, an image, an Office file, NUL
        bytes or control characters), cannot be decoded, or contains no Chinese text.
    """
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"raw file {path} does not exist: copy the document into "
                          f"{path.parent}/ or correct `file:` in the manifest")
    data = path.read_bytes()
    if not data.strip():
        raise CorpusError(f"{path.name}: the file is empty ({len(data)} bytes); copy the "
                          f"document's text into it or remove it from the manifest")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise CorpusError(f"{path.name}: this is {kind}, not a text file; save the "
                              f"document as plain text (UTF-8) or HTML and point `file:` at that")
    text, used = _decode(path, data, encoding)
    if "\x00" in text:
        raise CorpusError(f"{path.name}: the file contains NUL characters ({text.count(chr(0))} of "
                          f"them): it is binary, or UTF-16 text (declare `encoding: utf-16`); "
                          f"re-save it as UTF-8 text")
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f")
    if controls > 0.01 * len(text):
        raise CorpusError(f"{path.name}: {controls} control characters in {len(text)}: this is a "
                          f"binary file, not text; save the document as UTF-8 text")
    if not _HAN.search(text):
        raise CorpusError(f"{path.name}: decoded as {used} but contains no Chinese characters; "
                          f"wrong file, or a wrong `encoding:` (e.g. big5, gb18030)")
    return text, used


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return data.decode(encoding).lstrip("\ufeff"), encoding
        except LookupError:
            raise CorpusError(f"{path.name}: unknown encoding {encoding!r} in the manifest; "
                              f"use one of {', '.join(_ENCODINGS)}") from None
        except UnicodeDecodeError as e:
            raise CorpusError(f"{path.name}: bytes {e.start}-{e.end} are not valid {encoding} "
                              f"({e.reason}); fix `encoding:` in the manifest or re-save the "
                              f"file as UTF-8") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as e:
        utf8_error = e
    best = None
    for enc, score in (("gb18030", _common_share_gb), ("big5", _common_share_big5)):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        share = score(text)
        if share >= 0.8 and (best is None or share > best[2]):
            best = (text, enc, share)
    if best:
        return best[0], best[1]
    raise CorpusError(f"{path.name}: not valid UTF-8 (byte {utf8_error.start}: "
                      f"{utf8_error.reason}) and not recognisably GB18030/GBK or Big5 Chinese; "
                      f"declare `encoding:` for this document in the manifest "
                      f"(e.g. gb18030, big5) or re-save the file as UTF-8")


def _common_share(text: str, encoding: str, lo: int, hi: int) -> float:
    """Share of the Han characters of ``text`` among an encoding's common (level-1) characters."""
    han = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    if not han:
        return 0.0
    common = 0
    for c in han:
        try:
            common += lo <= c.encode(encoding)[0] <= hi
        except UnicodeEncodeError:
            pass
    return common / len(han)


def _common_share_gb(text: str) -> float:
    # GB2312 level 1: the 3,755 most common Simplified characters (lead bytes 0xB0-0xD7)
    return _common_share(text, "gb2312", 0xB0, 0xD7)


def _common_share_big5(text: str) -> float:
    # Big5 level 1: the 5,401 common Traditional characters (lead bytes 0xA4-0xC6)
    return _common_share(text, "big5", 0xA4, 0xC6)


def _raw_path(data_dir: Path, file, where: str, raw_dir: Path | None = None) -> Path:
    """``file`` resolved inside ``data_dir/raw`` (absolute paths, ``..`` and symlinks out refused)."""
    raw_dir = raw_dir if raw_dir is not None else data_dir / "raw"
    if not isinstance(file, str) or not file.strip():
        raise CorpusError(f"{where}: `file` must be a file name (text), got {file!r}")
    rel = Path(file.strip())
    if rel.is_absolute() or ".." in rel.parts:
        raise CorpusError(f"{where}: `file: {file}` must be a path inside {raw_dir}/ "
                          f"(no absolute path, no '..'); copy the document into that folder")
    root = raw_dir.resolve()
    path = (raw_dir / rel).resolve()
    if not path.is_relative_to(root):
        raise CorpusError(f"{where}: `file: {file}` leads outside {raw_dir}/ (through a "
                          f"symlink); copy the document itself into that folder")
    return path


# -- manifest ----------------------------------------------------------------------------
@dataclass
class _Period:
    name: str
    label: str
    start: _dt.date | None = None
    end: _dt.date | None = None


def _as_date(value, where: str, key: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
                return _dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CorpusError(f"{where}: field {key} {value!r} is not an ISO date (YYYY-MM-DD); write "
                      f"e.g. {key}: \"2022-11-12\"")


def _load_manifest(manifest: Path) -> tuple[dict, dict[str, _Period]]:
    if not manifest.is_file():
        raise CorpusError(f"manifest {manifest} does not exist; create it (see README, "
                          f"'Adding documents')")
    spec = load_yaml_safely(manifest, "manifest", error=CorpusError)
    if not isinstance(spec, dict):
        raise CorpusError(f"{manifest.name}: expected a mapping with `periods:` and `documents:`")
    unknown = set(map(str, spec)) - _TOP_KEYS
    if unknown:
        raise CorpusError(f"{manifest.name}: unknown top-level key(s) {sorted(unknown)}; "
                          f"allowed: {sorted(_TOP_KEYS)} (a misspelt `documents:` would drop "
                          f"documents silently)")
    if not isinstance(spec.get("periods"), dict) or not spec["periods"]:
        raise CorpusError(f"{manifest.name}: expected a `periods:` mapping declaring the "
                          f"allowed period labels, e.g. \"2022-11\": description")
    docs = spec.get("documents", [])
    if docs is None:
        docs = []
    if not isinstance(docs, list):
        raise CorpusError(f"{manifest.name}: `documents:` must be a list of documents")
    periods: dict[str, _Period] = {}
    for name, value in spec["periods"].items():
        where = f"{manifest.name}, period {name!r}"
        if not isinstance(name, str):
            raise CorpusError(f"{where}: period names must be text in quotes, e.g. \"2022-11\"")
        if isinstance(value, str) or value is None:
            periods[name] = _Period(name, value or "")
        elif isinstance(value, dict):
            bad = set(value) - _PERIOD_KEYS
            if bad:
                raise CorpusError(f"{where}: unknown key(s) {sorted(bad)}; allowed: {sorted(_PERIOD_KEYS)}")
            label = value.get("label", value.get("description", ""))
            if not isinstance(label, str):
                raise CorpusError(f"{where}: `label` must be text")
            start = _as_date(value["start"], where, "start") if "start" in value else None
            end = _as_date(value["end"], where, "end") if "end" in value else None
            if start and end and end < start:
                raise CorpusError(f"{where}: `end` {end} is before `start` {start}")
            periods[name] = _Period(name, label, start, end)
        else:
            raise CorpusError(f"{where}: expected a description or {{start, end, label}}")
    return {"documents": docs}, periods


def _period_for(date: _dt.date, periods: dict[str, _Period]) -> list[str]:
    return [p.name for p in periods.values() if (p.start or p.end)
            and (p.start is None or p.start <= date) and (p.end is None or date <= p.end)]


def _check_keys(d: dict, allowed: set, where: str) -> None:
    bad = [k for k in d if not isinstance(k, str)]
    unknown = sorted(set(map(str, d)) - allowed)
    if bad or unknown:
        raise CorpusError(f"{where}: unknown key(s) {unknown or bad}; allowed: {sorted(allowed)}")


def _text(value, where: str, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str):
        raise CorpusError(f"{where}: `{key}` must be text, got {type(value).__name__} {value!r}; "
                          f"write it in quotes")
    return value.strip()


def _persons(value, where: str, key: str) -> str:
    """A name or a list of names -> names joined with 、 (the manifest's convention)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "、".join(v.strip() for v in value if v.strip())
    raise CorpusError(f"{where}: `{key}` must be a name or a list of names, got {value!r}")


def _inferred(value, where: str) -> str:
    if value is None:
        return ""
    items = re.split(r"[,，、;\s]+", value.strip()) if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise CorpusError(f"{where}: `inferred` must be a list of field names, e.g. [province]")
    items = [v for v in items if v]
    unknown = sorted(set(items) - set(_META) - {"unit_id"})
    if unknown:
        raise CorpusError(f"{where}: `inferred` names unknown field(s) {unknown}; use metadata "
                          f"field names such as province, date, chair, speaker")
    return ",".join(items)


def _row(merged: dict, where: str, periods: dict[str, _Period]) -> dict:
    """Validate one unit's merged metadata and return its normalised row.

    Every field is checked before anything is raised: one :class:`CorpusError` lists all
    of the unit's problems, one per line (each naming the unit and the field).
    """
    errors: list[str] = []

    def checked(func, *args, default=""):
        try:
            return func(*args)
        except CorpusError as e:
            errors.append(str(e))
            return default

    row = {k: checked(_text, merged.get(k), where, k) for k in _TEXT_FIELDS}
    row["unit_id"] = checked(_text, merged.get("unit_id"), where, "unit_id")
    for k in _PERSON_FIELDS:
        row[k] = checked(_persons, merged.get(k), where, k)
    dates = {}
    for k in _DATE_FIELDS:
        v = merged.get(k)
        row[k] = ""
        if v is not None and v != "":
            d = checked(_as_date, v, where, k, default=None)
            if d is not None:
                dates[k] = d
                row[k] = d.isoformat()
    row["inferred"] = checked(_inferred, merged.get("inferred"), where)
    excerpt = merged.get("excerpt", False)
    if not isinstance(excerpt, bool):
        errors.append(f"{where}: `excerpt` must be true or false (a unit known only from "
                      f"a journalist's excerpt of a longer report), got {excerpt!r}")
        excerpt = False
    row["excerpt"] = excerpt
    row["meeting_id"] = checked(_text, merged.get("meeting_id"), where, "meeting_id")
    if row["meeting_id"] and not _ID.match(row["meeting_id"]):
        errors.append(f"{where}: meeting_id {row['meeting_id']!r} must be ASCII letters, digits, "
                      f"'-', '_' or '.' (e.g. henan-20221111)")
    for key in _REQUIRED:
        if not row[key] and not (key == "date" and merged.get(key) not in (None, "")):
            errors.append(f"{where}: `{key}` is missing or empty")
    if row["unit_id"] and not _ID.match(row["unit_id"]):
        errors.append(f"{where}: unit_id must be ASCII letters, digits, '-', '_' or '.'")
    if "date_end" in dates and "date" in dates and dates["date_end"] < dates["date"]:
        errors.append(f"{where}: `date_end` {row['date_end']} is before `date` {row['date']}")
    if not row["period"] and "date" in dates:
        found = _period_for(dates["date"], periods)
        if len(found) != 1:
            errors.append(f"{where}: no `period:` given and the date {row['date']} falls in "
                          f"{'no declared period range' if not found else f'more than one period range {found}'}"
                          f"; add `period:` or a {{start, end}} range under `periods:`")
        else:
            row["period"] = found[0]
    if row["period"] and row["period"] not in periods:
        errors.append(f"{where}: unknown period {row['period']!r}; declared periods: "
                      f"{sorted(periods)} (add it under `periods:` or fix the unit)")
    elif row["period"] and "date" in dates:
        p = periods[row["period"]]
        if (p.start and dates["date"] < p.start) or (p.end and dates["date"] > p.end):
            errors.append(f"{where}: date {row['date']} lies outside period {p.name!r} "
                          f"({p.start or '…'} to {p.end or '…'}); fix the date or the period")
    errors.extend(_place_errors(row, merged, where))
    if errors:
        raise CorpusError(_all_problems(errors))
    row["place"] = _place(row)
    return row


#: The value of ``province`` / ``city`` for a unit whose document never states it
#: (declared ``province: ~`` or ``province: not stated`` in the manifest).
NOT_STATED = "not stated"


def _declared_not_stated(merged: dict, key: str) -> bool:
    """``key: ~`` (null written out) or ``key: not stated`` in the manifest or a bulk table."""
    return (key in merged and merged[key] is None) or str(merged.get(key) or "").strip().lower() == NOT_STATED


def _place_errors(row: dict, merged: dict, where: str) -> list[str]:
    """Check ``level``, ``province`` and ``city`` together; set a not-stated place to :data:`NOT_STATED`."""
    errors = []
    if row["level"] and row["level"] not in LEVELS:
        errors.append(f"{where}: unknown level {row['level']!r}; use one of {list(LEVELS)}")
    if row["level"] in ("provincial", "municipal"):
        if _declared_not_stated(merged, "province"):
            row["province"] = NOT_STATED
        elif row["province"] not in PROVINCES:
            errors.append(f"{where}: unknown province {row['province']!r} for a {row['level']} unit; use a "
                          f"short name such as 河南, 内蒙古, 重庆 (see analysis.PROVINCES), or `province: ~` "
                          f"if the document never states it (say why in `note:`)")
        if row["level"] == "municipal":
            if _declared_not_stated(merged, "city"):
                row["city"] = NOT_STATED
            elif not row["city"]:
                errors.append(f"{where}: a municipal unit needs `city:` (e.g. 郑州), or `city: ~` if the "
                              f"document never states it")
    elif row["province"] and row["level"] in LEVELS:
        errors.append(f"{where}: a {row['level']} unit must have an empty province (got {row['province']!r})")
    return errors


def _place(row: dict) -> str:
    """The ``place`` label: the city, else the province, else the level; a municipal unit whose city is
    not stated is ``<province> (city not stated)``."""
    if row["city"] == NOT_STATED and row["province"] != NOT_STATED:
        return f"{row['province']} (city {NOT_STATED})"
    return row["city"] or row["province"] or row["level"]


def _all_problems(errors: list[str]) -> str:
    """One message for several problems: a count, then one problem per line."""
    if len(errors) == 1:
        return errors[0]
    return f"{len(errors)} problems:\n" + "\n".join(f"  - {e}" for e in errors)


def _meeting_id(row: dict, doc_id: str) -> str:
    """The unit's sampling unit: ``meeting_id`` as given, else the unit itself for a roundup's
    excerpt (``excerpt: true``: one distinct meeting per excerpt), else its document (a report
    of one meeting, whose speaker sub-units share it)."""
    if row.get("meeting_id"):
        return row["meeting_id"]
    return row["unit_id"] if row.get("excerpt") else doc_id


# -- anchors -----------------------------------------------------------------------------
_FOLD = str.maketrans({",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）",
                       "“": '"', "”": '"', "‘": "'", "’": "'", "［": "[", "］": "]"})


def _fold(text: str, simp: str | None = None) -> tuple[str, list[int]]:
    """Text for anchor matching: no whitespace, one width of punctuation, ASCII letters
    and digits, Simplified script; plus each kept character's offset in ``text``."""
    simp = simp if simp is not None else to_simplified(text)[0]
    out, pos = [], []
    for i, ch in enumerate(simp):
        if ch.isspace():
            continue
        if "\uff10" <= ch <= "\uff5a":
            ch = chr(ord(ch) - 0xfee0)
        out.append(ch.translate(_FOLD))
        pos.append(i)
    return "".join(out), pos


class _Folded:
    """A cleaned text with its folded form for anchor matching (computed on first use)."""

    def __init__(self, text: str, simp: str | None = None):
        self.text, self._simp, self._folded = text, simp, None

    def _fold(self):
        if self._folded is None:
            self._folded = _fold(self.text, self._simp)
        return self._folded

    @property
    def folded(self) -> str:
        return self._fold()[0]

    @property
    def pos(self) -> list:
        return self._fold()[1]


def _closest(doc: _Folded, needle: str) -> str:
    """The passage of the document most similar to ``needle`` (difflib), for messages."""
    if not doc.folded or not needle:
        return ""
    sm = difflib.SequenceMatcher(None, doc.folded, needle, autojunk=False)
    m = sm.find_longest_match(0, len(doc.folded), 0, len(needle))
    if m.size == 0:
        return ""
    n = len(needle)
    lo = max(0, m.a - m.b)
    best, best_r = (lo, min(len(doc.folded), lo + n)), 0.0
    for s in range(max(0, lo - n), min(len(doc.folded), lo + n + 1)):
        for length in sorted({max(1, n - n // 4), n, n + n // 4 + 1}):
            e = min(len(doc.folded), s + length)
            r = difflib.SequenceMatcher(None, doc.folded[s:e], needle, autojunk=False).ratio()
            if r > best_r:
                best, best_r = (s, e), r
    s, e = best
    passage = doc.text[doc.pos[s]:doc.pos[e - 1] + 1]
    return f"; closest passage ({best_r:.0%} similar): {passage!r}"


def find_anchor(doc, anchor: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int]]:
    """Every occurrence of ``anchor`` in ``doc`` between offsets ``lo`` and ``hi``.

    Matching ignores whitespace, punctuation width (``,(`` = ``，（``), full-width
    letters/digits and the difference between Traditional and Simplified characters.

    Parameters
    ----------
    doc : str or _Folded
        The cleaned text.
    anchor : str
    lo, hi : int
        Offsets (in ``doc``) the match must lie within.

    Returns
    -------
    list of (start, end)
        Offsets in the original text (``end`` exclusive), in order.

    Examples
    --------
    >>> find_anchor("会议指出，（一）要坚持", "指出,(一)")
    [(2, 7)]
    """
    doc = doc if isinstance(doc, _Folded) else _Folded(doc)
    needle, _ = _fold(anchor)
    if not needle:
        return []
    hi = len(doc.text) if hi is None else hi
    out, i = [], doc.folded.find(needle)
    while i >= 0:
        s, e = doc.pos[i], doc.pos[i + len(needle) - 1] + 1
        if s >= lo and e <= hi:
            out.append((s, e))
        i = doc.folded.find(needle, i + 1)
    return out


def _find_once(doc: _Folded, needle: str, where: str, what: str) -> tuple[int, int]:
    found = find_anchor(doc, needle)
    if not found:
        raise CorpusError(f"{where}: {what} anchor {needle!r} not found in the cleaned text"
                          f"{_closest(doc, _fold(needle)[0])}; copy it from "
                          f"`python -m analysis.paragraphs FILE` (whitespace and punctuation "
                          f"width do not matter)")
    if len(found) > 1:
        raise CorpusError(f"{where}: {what} anchor {needle!r} occurs more than once "
                          f"(offsets {found[0][0]} and {found[1][0]}); use a longer, unique snippet")
    return found[0]


def _anchor(value, where: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CorpusError(f"{where}: `{key}` must be a non-empty text snippet, got {value!r}")
    return value


# -- documents ---------------------------------------------------------------------------
@dataclass
class _Doc:
    """One loaded document: its units, audit row and dropped/excluded lines."""
    units: list = field(default_factory=list)
    audit: dict = field(default_factory=dict)
    dropped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def _cut(text: str, simp: str, start: int, end: int, excludes: list) -> tuple[str, str]:
    """Unit text (simplified, original) for [start, end) minus excluded spans."""
    pieces_s, pieces_o, pos = [], [], start
    for s, e in sorted(excludes):
        pieces_s.append(simp[pos:s])
        pieces_o.append(text[pos:s])
        pos = e
    pieces_s.append(simp[pos:end])
    pieces_o.append(text[pos:end])
    a, b = "".join(pieces_s), "".join(pieces_o)
    # strip identically (Simplified conversion never touches whitespace)
    lead = len(b) - len(b.lstrip())
    trail = len(b.rstrip())
    return a[lead:trail], b[lead:trail]


def _load_document(doc, di: int, data_dir: Path, periods: dict, manifest_name: str,
                   raw_dir: Path | None = None, inline: str | None = None,
                   whole: bool = False, label: str | None = None) -> _Doc:
    if not isinstance(doc, dict):
        raise CorpusError(f"{manifest_name}, document #{di + 1}: expected a mapping with "
                          f"`doc_id:`, `file:` and `units:`")
    where_doc = f"{manifest_name}, {label}" if label else \
        f"{manifest_name}, document {doc.get('doc_id', f'#{di + 1}')!r}"
    _check_keys(doc, _DOC_KEYS, where_doc)
    doc_id = _text(doc.get("doc_id"), where_doc, "doc_id")
    if not doc_id:
        raise CorpusError(f"{where_doc}: needs `doc_id:` (text)")
    encoding = _text(doc.get("encoding"), where_doc, "encoding") or None
    script_decl = _text(doc.get("script"), where_doc, "script")
    if script_decl and script_decl not in SCRIPTS:
        raise CorpusError(f"{where_doc}: `script` must be one of {list(SCRIPTS)}, got {script_decl!r}")
    if inline is not None:
        raw, enc, file = inline, "inline", doc.get("file") or ""
        if not _HAN.search(raw):
            raise CorpusError(f"{where_doc}: the inline text contains no Chinese characters")
    else:
        if "file" not in doc:
            raise CorpusError(f"{where_doc}: needs `file:` (a file in data/raw/)")
        file = doc["file"]
        path = _raw_path(data_dir, file, where_doc, raw_dir)
        if not label:
            where_doc = f"{where_doc} ({file})"
        raw, enc = read_raw(path, encoding)
    headline = _text(doc.get("title"), where_doc, "title") or None
    clean = clean_document(raw, headline=headline)
    text = clean.text
    converted, n_conv = to_simplified(text)
    script, _, _ = detect_script(text, converted)
    simp = text if script_decl == "simplified" else converted
    n_conv = 0 if script_decl == "simplified" else n_conv
    folded = _Folded(text, converted)
    units = doc.get("units")
    if not isinstance(units, list) or not units:
        raise CorpusError(f"{where_doc}: `units:` must be a non-empty list")
    out = _Doc()
    spans = []
    problems: list[str] = []  # every unit's field and start-anchor problems, raised together
    for ui, unit in enumerate(units):
        if not isinstance(unit, dict):
            problems.append(f"{where_doc}, unit #{ui + 1}: expected a mapping of keys")
            continue
        where = f"{where_doc}, unit {unit.get('unit_id', '#' + str(ui + 1))!r}"
        try:
            _check_keys(unit, _UNIT_KEYS, where)
        except CorpusError as e:
            problems.append(str(e))
            continue
        merged = {k: doc.get(k) for k in _META if k in doc}
        merged.update(unit)
        if not merged.get("url") and clean.metadata.get("url"):
            merged["url"] = clean.metadata["url"]
        if not merged.get("title") and clean.metadata.get("title"):
            merged["title"] = clean.metadata["title"]
        try:
            row = _row(merged, where, periods)
        except CorpusError as e:
            problems.extend(str(e).split("\n  - ")[1:] or [str(e)])
            row = None
        try:
            if whole and "start" not in unit:
                start = 0
            else:
                start = _find_once(folded, _anchor(unit.get("start"), where, "start"), where, "start")[0]
        except CorpusError as e:
            problems.append(str(e))
            continue
        if row is not None:
            spans.append([start, None, row, where, ui, unit])
    if problems:
        raise CorpusError(_all_problems(problems))
    ordered = sorted(spans, key=lambda s: s[0])
    for k, span in enumerate(ordered):
        start, _, row, where, _, unit = span
        nxt = ordered[k + 1][0] if k + 1 < len(ordered) else len(text)
        if unit.get("end") is not None:
            end_anchor = _anchor(unit["end"], where, "end")
            found = find_anchor(folded, end_anchor, lo=start)
            if not found:
                raise CorpusError(f"{where}: end anchor {end_anchor!r} not found after the start "
                                  f"anchor{_closest(folded, _fold(end_anchor)[0])}; copy it from "
                                  f"`python -m analysis.paragraphs FILE`")
            e = found[0][1]
            if len(found) > 1 and found[1][1] <= nxt:
                raise CorpusError(f"{where}: end anchor {end_anchor!r} occurs more than once inside "
                                  f"the unit (offsets {found[0][0]} and {found[1][0]}); use a longer, "
                                  f"unique snippet")
            span[1] = e
            if not text[e - 1].endswith(_SENTENCE_END) and e < len(text) and text[e] != "\n":
                msg = (f"{where}: the end anchor {end_anchor!r} stops mid-sentence (the text goes "
                       f"on: {text[e:e + 15]!r}); extend it to the end of the sentence if that "
                       f"was not intended")
                out.warnings.append(msg)
        else:
            span[1] = nxt
    for a, b in zip(ordered, ordered[1:]):
        if a[1] > b[0]:
            raise CorpusError(f"{a[3]} overlaps unit {b[2]['unit_id']!r} (its end anchor lies "
                              f"after that unit's start); shorten the end anchor or fix the order")
    excluded_chars = 0
    for start, end, row, where, ui, unit in sorted(spans, key=lambda s: s[4]):
        excludes = []
        ex = unit.get("exclude") or []
        if not isinstance(ex, list):
            raise CorpusError(f"{where}: `exclude` must be a list of {{start, end, reason}}")
        for xi, x in enumerate(ex):
            xw = f"{where}, exclude #{xi + 1}"
            if not isinstance(x, dict):
                raise CorpusError(f"{xw}: expected a mapping {{start, end, reason}}")
            _check_keys(x, _EXCLUDE_KEYS, xw)
            reason = _text(x.get("reason"), xw, "reason")
            if not reason:
                raise CorpusError(f"{xw}: `reason` is required (it is shown in the audit)")
            found = find_anchor(folded, _anchor(x.get("start"), xw, "start"), start, end)
            if len(found) != 1:
                raise CorpusError(f"{xw}: start anchor {x.get('start')!r} occurs {len(found)} times "
                                  f"inside the unit; it must occur exactly once"
                                  f"{_closest(folded, _fold(x['start'])[0]) if not found else ''}")
            s, e = found[0]
            if x.get("end") is not None:
                ends = find_anchor(folded, _anchor(x["end"], xw, "end"), s, end)
                if not ends:
                    raise CorpusError(f"{xw}: end anchor {x['end']!r} not found inside the unit after "
                                      f"its start anchor")
                e = ends[0][1]
            if any(s < e2 and s2 < e for s2, e2 in excludes):
                raise CorpusError(f"{xw}: overlaps another exclude span of the unit; merge them")
            excludes.append((s, e))
            excluded_chars += e - s
            out.dropped.append({"doc_id": doc_id, "file": file, "stage": "excluded",
                                "reason": f"{row['unit_id']}: {reason}", "text": text[s:e]})
        body, original = _cut(text, simp, start, end, excludes)
        if not _HAN.search(body):
            raise CorpusError(f"{where}: the unit is empty (no Chinese text between its anchors)")
        row = dict(row)
        row["meeting_id"] = _meeting_id(row, doc_id)
        row.update(doc_id=doc_id, file=file, text=body, display_text=original, n_chars=len(body),
                   script=script_decl or script, _span=(start, end))
        out.units.append(row)
    covered = sorted(u["_span"] for u in out.units)
    gaps, pos = [], 0
    for s, e in covered:
        if s > pos:
            gaps.append(text[pos:s])
        pos = max(pos, e)
    gaps.append(text[pos:])
    unassigned = [g.strip() for g in "\n".join(gaps).split("\n") if g.strip()]
    for line in unassigned:
        out.dropped.append({"doc_id": doc_id, "file": file, "stage": "not in a unit",
                            "reason": "outside every unit span (headline, byline, or text no unit covers)",
                            "text": line})
    out.dropped[:0] = [{"doc_id": doc_id, "file": file, "stage": "cleaning", "reason": d["reason"],
                        "text": d["line"]} for d in clean.dropped]
    out.audit = {
        "doc_id": doc_id, "file": file, "encoding": enc,
        "raw_chars": len(raw),
        "markup_chars": clean.markup_chars,
        "clean_chars": len(text),
        "unit_chars": sum(len(u["text"]) for u in out.units),
        "dropped_lines": len(clean.dropped),
        "dropped_chars": sum(len(d["line"]) for d in clean.dropped),
        "unassigned_chars": sum(len(x) for x in unassigned),
        "page_breaks_repaired": len(clean.joins),
        "units": len(out.units),
        "script": script_decl or script,
        "chars_converted": n_conv,
        "zero_width_removed": clean.invisible["zero_width"],
        "bom_removed": clean.invisible["bom"],
        "nbsp_replaced": clean.invisible["nbsp"],
        "excluded_chars": excluded_chars,
        "line_structure": clean.line_structure.get("mode", ""),
        "garbled": _garbled(out.units),
        "warnings": "; ".join(out.warnings),
        "error": "",
    }
    return out


def _garbled(units: list[dict]) -> str:
    """Units whose text shows signs of a broken conversion (:func:`analysis.ingest.pagelines.garble_flags`),
    e.g. ``"u1: question_runs 2, doubled_punctuation 1"``; "" when none."""
    out = []
    for u in units:
        flags = {k: v for k, v in garble_flags(u["display_text"]).items() if v}
        if flags:
            out.append(f"{u['unit_id']}: " + ", ".join(f"{k} {v}" for k, v in flags.items()))
    return "; ".join(out)


# -- bulk tables -------------------------------------------------------------------------
#: Largest bulk table read (bytes); also the largest CSV field accepted (Python's csv
#: module refuses fields over 128 kB by default, far below one long report).
MAX_TABLE_BYTES = 200_000_000

_CSV_FIX = ("put text that holds commas, double quotes or line breaks in double quotes (a quote "
            "inside it doubled: \"\"), or use a JSONL table (one JSON object per line)")


def _open_table(path: Path, folder: Path | None) -> bytes:
    """The bytes of a bulk table: a regular file (inside ``folder`` and not a link, when
    given), at most :data:`MAX_TABLE_BYTES`.  A link is never opened, so nothing of its
    target reaches a message."""
    import os
    import stat

    label = path.name
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        raise CorpusError(f"bulk table {path} does not exist") from None
    if folder is not None:
        if stat.S_ISLNK(st.st_mode):
            raise CorpusError(f"bulk table {label} is a symbolic link; links in {folder} are not "
                              f"followed: copy the table itself there")
        if os.path.realpath(path.parent) != os.path.realpath(folder):
            raise CorpusError(f"bulk table {label} is not inside {folder}; copy it there")
    flags = os.O_RDONLY | (getattr(os, "O_NOFOLLOW", 0) if folder is not None else 0) \
        | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block the open
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise CorpusError(f"bulk table {label} cannot be opened ({e.strerror or e})") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise CorpusError(f"bulk table {label} is not a regular file (a folder, pipe or device); "
                              f"give a .csv or .jsonl file")
        if st.st_size > MAX_TABLE_BYTES:
            raise CorpusError(f"bulk table {label} is over {MAX_TABLE_BYTES // 1_000_000} MB; "
                              f"split it into several files")
        data = f.read(MAX_TABLE_BYTES + 1)
    if len(data) > MAX_TABLE_BYTES:
        raise CorpusError(f"bulk table {label} is over {MAX_TABLE_BYTES // 1_000_000} MB; "
                          f"split it into several files")
    return data


def _check_header(name: str, header: list[str]) -> list[str]:
    names = [h.strip() for h in header]
    seen: dict[str, int] = {}
    for i, h in enumerate(names, 1):
        if not h:
            raise CorpusError(f"{name}, line 1: column {i} has no name; name it or remove the "
                              f"empty column (a trailing comma?)")
        if h in seen:
            raise CorpusError(f"{name}, line 1: columns {seen[h]} and {i} are both named {h!r}; "
                              f"rename or remove one (only one of them could be kept)")
        seen[h] = i
    return names


def _read_csv(name: str, content: str) -> list[dict]:
    import io

    old_limit = csv.field_size_limit()
    csv.field_size_limit(max(old_limit, MAX_TABLE_BYTES))
    try:
        reader = csv.reader(io.StringIO(content, newline=""), strict=True)
        header, rows, row = None, [], 0
        while True:
            first = reader.line_num + 1
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                if "unexpected end of data" in str(e):
                    raise CorpusError(
                        f"{name}, row {row + 1} (line {first}): a quoted field opened here is never "
                        f"closed (it would swallow the table to its end, line {reader.line_num}); "
                        f"close the quote; {_CSV_FIX}") from None
                lines = f"line {first}" if reader.line_num == first else f"lines {first}-{reader.line_num}"
                raise CorpusError(f"{name}, row {row + 1} ({lines}): {e} (a double quote inside a "
                                  f"quoted field, or a quote left open?); {_CSV_FIX}") from None
            if not fields:  # blank line
                continue
            if header is None:
                header = _check_header(name, fields)
                continue
            row += 1
            where = f"{name}, row {row} (line {first})"
            if len(fields) != len(header):
                raise CorpusError(f"{where}: {len(fields)} fields but the header has {len(header)} "
                                  f"(an unquoted comma in the text splits it); {_CSV_FIX}")
            for h, v in zip(header, fields):
                if "\x00" in v:
                    raise CorpusError(f"{where}: field `{h}` contains a NUL character (binary or "
                                      f"damaged data); remove it")
            rows.append({h: (v if v != "" else None) for h, v in zip(header, fields)})
        return rows
    finally:
        csv.field_size_limit(old_limit)


_JSON_TYPES = {dict: "a JSON object", list: "a list", str: "a string", bool: "true/false",
               int: "a number", float: "a number", type(None): "null"}


def _check_json_row(where: str, obj: dict) -> None:
    """Values of a JSONL row: scalars; a list of scalars (e.g. ``speaker``); ``exclude``: a
    list of flat objects.  ``text`` must be a string.  No NUL characters."""
    scalar = (str, int, float, bool, type(None))

    def no_nul(key, v):
        if isinstance(v, str) and "\x00" in v:
            raise CorpusError(f"{where}: field `{key}` contains a NUL character (binary or damaged "
                              f"data); remove it")

    for k, v in obj.items():
        no_nul(k, k)
        if k == "text" and not isinstance(v, (str, type(None))):
            raise CorpusError(f"{where}: field `text` must be a string (the unit's text), not "
                              f"{_JSON_TYPES.get(type(v), type(v).__name__)}")
        if isinstance(v, dict):
            raise CorpusError(f"{where}: field `{k}` holds a JSON object; give a string (or a "
                              f"list of strings)")
        if isinstance(v, list):
            for item in v:
                if k == "exclude" and isinstance(item, dict):
                    for ik, iv in item.items():
                        if not isinstance(iv, scalar):
                            raise CorpusError(f"{where}: field `exclude` holds a value nested in "
                                              f"an exclude span; give {{start, end, reason}} strings")
                        no_nul(k, iv)
                elif not isinstance(item, scalar):
                    raise CorpusError(f"{where}: field `{k}` holds a list nested in a list; give "
                                      f"a string or a flat list of strings")
                no_nul(k, item)
        no_nul(k, v)


def _read_jsonl(name: str, content: str) -> list[dict]:
    from analysis.infra.safe_yaml import parse_json_safely

    rows = []
    for i, line in enumerate(content.split("\n"), 1):  # only \n ends a row (not U+2028 etc.)
        if not line.strip():
            continue
        where = f"{name}, line {i}"

        def pairs(items, where=where):
            keys = [k for k, _ in items]
            dup = next((k for k in keys if keys.count(k) > 1), None)
            if dup is not None:
                raise CorpusError(f"{where}: key {dup!r} appears twice in one object; keep one "
                                  f"(JSON readers would silently keep the last)")
            return dict(items)

        obj = parse_json_safely(line, where, error=CorpusError, object_pairs_hook=pairs)
        if not isinstance(obj, dict):
            raise CorpusError(f"{where}: expected a JSON object per line")
        _check_json_row(where, obj)
        rows.append(obj)
    return rows


def _read_table(path: Path, folder: Path | None = None) -> list[dict]:
    """Rows of a bulk table (CSV with a header row, or JSONL), parsed strictly.

    Every defect that would lose or shift text is a :class:`CorpusError` naming the
    table, the row (and line) and the fix: a row with more or fewer fields than the
    header, an unclosed quote, a duplicated or empty column name, a NUL character,
    invalid or deeply nested JSON, a JSON key given twice, a nested value or a
    non-string ``text``.  Fields may be as long as the table limit
    (:data:`MAX_TABLE_BYTES`).

    Parameters
    ----------
    path : Path
        The table.
    folder : Path, optional
        The folder the table must be a regular file of (``data/bulk/`` for the tables
        :func:`load_corpus` finds): a symbolic link is refused, never followed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise CorpusError(f"bulk table {path.name}: use .csv or .jsonl")
    try:
        content = _open_table(path, folder).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CorpusError(f"bulk table {path.name} must be UTF-8 ({e})") from None
    return _read_jsonl(path.name, content) if suffix == ".jsonl" else _read_csv(path.name, content)


def _bulk_documents(path: Path, folder: Path | None = None) -> list[tuple[dict, str | None]]:
    """Bulk rows -> (document spec with one unit, inline text or None); ``folder``: see
    :func:`_read_table`."""
    out = []
    for i, r in enumerate(_read_table(path, folder), 1):
        where = f"{path.name}, row {i}"
        r = {str(k).strip(): v for k, v in r.items()}
        text = r.pop("text", None)
        unit_keys = {"unit_id", "start", "end", "exclude", *_META}
        allowed = unit_keys | {"doc_id", "file", "encoding", "script", "text"}
        bad = sorted(set(r) - allowed)
        if bad:
            raise CorpusError(f"{where}: unknown column(s) {bad}; allowed: {sorted(allowed)}")
        if path.suffix.lower() == ".csv" and isinstance(r.get("excerpt"), str):
            r["excerpt"] = {"true": True, "false": False, "1": True, "0": False}.get(
                r["excerpt"].strip().lower(), r["excerpt"])
        if (text is None) == (r.get("file") is None):
            raise CorpusError(f"{where}: give exactly one of `file` (a file in data/raw/) or "
                              f"`text` (the unit's text inline)")
        unit = {k: v for k, v in r.items() if k in unit_keys and v is not None}
        doc = {k: r[k] for k in ("file", "encoding", "script") if r.get(k) is not None}
        doc["doc_id"] = r.get("doc_id") or r.get("unit_id")
        doc["units"] = [unit]
        out.append((doc, text))
    return out


def _bulk_tables(data_dir: Path) -> list[Path]:
    folder = data_dir / "bulk"
    return sorted([*folder.glob("*.csv"), *folder.glob("*.jsonl")]) if folder.is_dir() else []


# -- loading -----------------------------------------------------------------------------
@dataclass
class _Loaded:
    table: pd.DataFrame
    audit: pd.DataFrame
    dropped: pd.DataFrame


_AUDIT_COLUMNS = ["doc_id", "file", "encoding", "raw_chars", "markup_chars", "clean_chars",
                  "unit_chars", "dropped_lines", "dropped_chars", "unassigned_chars",
                  "page_breaks_repaired", "units", "script", "chars_converted",
                  "zero_width_removed", "bom_removed", "nbsp_replaced", "excluded_chars",
                  "line_structure", "garbled", "warnings", "error"]


def _error_row(doc_id, file, message) -> dict:
    row = {c: 0 for c in _AUDIT_COLUMNS}
    row.update(doc_id=str(doc_id), file=str(file or ""), encoding="", script="", line_structure="", garbled="",
               warnings="", error=message)
    return row


def _load(data_dir, strict: bool = True, bulk: list | None = None) -> _Loaded:
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    manifest = data_dir / "corpus.yml"
    try:
        spec, periods = _load_manifest(manifest)
    except CorpusError as e:
        if strict:
            raise
        return _Loaded(pd.DataFrame(columns=COLUMNS),
                       pd.DataFrame([_error_row("(manifest)", manifest.name, str(e))], columns=_AUDIT_COLUMNS),
                       pd.DataFrame(columns=["doc_id", "file", "stage", "reason", "text"]))
    jobs = [(doc, di, manifest.name, None, None) for di, doc in enumerate(spec["documents"])]
    tables = _bulk_tables(data_dir) if bulk is None else [Path(b) for b in bulk]
    for table_path in tables:
        try:
            for ri, (doc, text) in enumerate(_bulk_documents(table_path,
                                                             data_dir / "bulk" if bulk is None else None)):
                jobs.append((doc, ri, table_path.name, text, "bulk"))
        except CorpusError as e:
            if strict:
                raise
            jobs.append((None, 0, table_path.name, str(e), "error"))
    rows, audit, dropped = [], [], []
    seen_docs: dict[str, str] = {}
    for doc, di, source, inline, kind in jobs:
        if kind == "error":
            audit.append(_error_row("(bulk table)", source, inline))
            continue
        try:
            loaded = _load_document(doc, di, data_dir, periods, source, inline=inline,
                                    whole=kind == "bulk", label=f"row {di + 1}" if kind == "bulk" else None)
            doc_id = loaded.audit["doc_id"]
            if doc_id in seen_docs:
                raise CorpusError(f"{source}: duplicate doc_id {doc_id!r} (also in {seen_docs[doc_id]})")
            seen_docs[doc_id] = source
        except CorpusError as e:
            if strict:
                raise
            label = doc.get("doc_id", f"#{di + 1}") if isinstance(doc, dict) else f"#{di + 1}"
            file = doc.get("file", "") if isinstance(doc, dict) else ""
            audit.append(_error_row(label, file, str(e)))
            continue
        for w in loaded.warnings:
            warnings.warn(w, CorpusWarning, stacklevel=3)
        rows.extend(loaded.units)
        audit.append(loaded.audit)
        dropped.extend(loaded.dropped)
    ids = [r["unit_id"] for r in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        msg = f"{manifest.name}: duplicate unit_id(s) {dupes}; every unit needs its own id"
        if strict:
            raise CorpusError(msg)
        audit.append(_error_row("(manifest)", manifest.name, msg))
    table = pd.DataFrame(rows, columns=[*COLUMNS, "_span"])
    table = table[COLUMNS].reset_index(drop=True)
    table["n_chars"] = table["n_chars"].astype("int64")
    table["excerpt"] = table["excerpt"].astype(bool)
    return _Loaded(table, pd.DataFrame(audit, columns=_AUDIT_COLUMNS),
                   pd.DataFrame(dropped, columns=["doc_id", "file", "stage", "reason", "text"]))


def load_corpus(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Load the corpus table: one row per meeting-report unit.

    Parameters
    ----------
    data_dir : path, optional
        Folder holding ``corpus.yml``, ``raw/`` and, optionally, ``bulk/*.csv`` /
        ``bulk/*.jsonl`` tables (see :func:`load_bulk`).  Defaults to the repository's
        ``data/``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: ``unit_id`` (unique), ``doc_id``, ``period``,
        ``date`` (ISO string; the meeting's first day), ``province`` ("" for
        national/media units; ``"not stated"`` where the manifest declares
        ``province: ~`` because the document never names it), ``city`` (municipal
        units; ``"not stated"`` likewise), ``place`` (city, else province, else the
        level: a label for "across places" comparisons; ``"<province> (city not
        stated)"`` for a municipal unit whose city is not stated), ``level``,
        ``speaker`` (names joined with 、), ``outlet``, ``title``, ``url``, ``note``,
        ``file``, ``n_chars`` (characters of cleaned text), ``text`` (the unit's cleaned
        text in Simplified script, paragraphs separated by newlines; what is counted),
        then ``date_end`` (last day of a multi-day meeting), ``published``
        (publication date), ``chair`` (names joined with 、), ``instructions`` (who sent
        written instructions, 批示, rather than attending), ``body``,
        ``meeting_type``, ``inferred`` (comma-separated fields the researcher inferred
        rather than read in the text), ``script`` (of the document: simplified,
        traditional or mixed), ``excerpt`` (bool), ``display_text`` (the same span
        in the original script, character-aligned with ``text``) and ``meeting_id`` (the
        sampling unit, what inference treats as one independent observation: as given in
        the manifest or bulk table, else the unit itself for an excerpt, else the
        ``doc_id``; speaker sub-units of one report, and duplicates of one meeting in
        two outlets, share it).  Optional fields are
        "" when absent.  Rows follow the manifest order, then bulk tables in name order.

    Raises
    ------
    CorpusError
        On any problem in the manifest, bulk tables or raw files (see the message for
        the fix).

    Warns
    -----
    CorpusWarning
        For an end anchor that stops mid-sentence.

    Examples
    --------
    >>> corpus = load_corpus()
    >>> corpus.groupby("period").size().to_dict()  # doctest: +SKIP
    {'2021-08': 1, '2022-11': 28}
    """
    return _load(data_dir).table


def load_bulk(table, folder=None, *, data_dir=None) -> pd.DataFrame:
    """Load units from a bulk metadata table, without anchors.

    Each row of a CSV (header row) or JSONL (one object per line) table is one unit:
    either ``file`` (a document in ``folder``, cleaned like manifest documents; the
    whole cleaned text is the unit unless ``start``/``end`` anchors are given) or
    ``text`` (the unit's text inline).  Other columns are the manifest's unit fields
    (``unit_id``, ``date``, ``level``, ``outlet``, ``province``, ``period`` … see
    ``data/corpus.yml``); ``doc_id`` defaults to ``unit_id``, ``meeting_id`` to the
    unit itself for an excerpt and to ``doc_id`` otherwise.  The same validation as
    the manifest applies, with errors naming the table and row.  Tables placed in
    ``data/bulk/`` are read by :func:`load_corpus` automatically.

    Parameters
    ----------
    table : path
        A ``.csv`` or ``.jsonl`` file.
    folder : path, optional
        Where ``file`` entries live (default ``<data_dir>/raw``); paths must stay inside it.
    data_dir : path, optional
        Folder whose ``corpus.yml`` declares the periods (default the repository's ``data/``).

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`load_corpus`.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    _, periods = _load_manifest(data_dir / "corpus.yml")
    folder = Path(folder) if folder is not None else data_dir / "raw"
    rows = []
    table = Path(table)
    for ri, (doc, text) in enumerate(_bulk_documents(table)):
        loaded = _load_document(doc, ri, data_dir, periods, table.name, raw_dir=folder, inline=text,
                                whole=True, label=f"row {ri + 1}")
        rows.extend(loaded.units)
    ids = [r["unit_id"] for r in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CorpusError(f"{table.name}: duplicate unit_id(s) {dupes}")
    out = pd.DataFrame(rows, columns=[*COLUMNS, "_span"])[COLUMNS].reset_index(drop=True)
    out["n_chars"] = out["n_chars"].astype("int64")
    out["excerpt"] = out["excerpt"].astype(bool)
    return out


def corpus_audit(data_dir: Path | str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What cleaning kept, dropped, converted and excluded, per raw file and line by line.

    Never raises for a bad document: a document (or bulk table, or the manifest itself)
    that cannot be loaded gets a row whose ``error`` column holds the
    :class:`CorpusError` message, so the audit helps repair a broken manifest.

    Returns
    -------
    summary : pandas.DataFrame
        One row per document: ``raw_chars`` (decoded file), ``markup_chars`` (tags and
        comments), ``clean_chars`` (cleaned text), ``unit_chars`` (in units),
        ``dropped_lines``/``dropped_chars`` (boilerplate, chrome, front matter and inline
        junk), ``unassigned_chars`` (clean text outside every unit: headlines, bylines),
        ``page_breaks_repaired``, ``units``, ``script`` (simplified / traditional /
        mixed), ``chars_converted`` (to Simplified), ``zero_width_removed``,
        ``bom_removed``, ``nbsp_replaced``, ``excluded_chars`` (removed by ``exclude:``),
        ``line_structure`` (how the file's lines were read as paragraphs, see
        :func:`analysis.ingest.pagelines.detect_line_structure`), ``garbled`` (units
        with runs of ``？``, replacement characters or doubled punctuation, and how
        many: a sign of a broken conversion; "" when none), ``warnings`` and
        ``error`` ("" when fine).
    dropped : pandas.DataFrame
        One row per dropped, excluded or unassigned line: ``doc_id``, ``file``,
        ``stage`` (``cleaning``, ``excluded`` or ``not in a unit``), ``reason``, ``text``.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        loaded = _load(data_dir, strict=False)
    return loaded.audit, loaded.dropped


def data_fingerprint(data_dir: Path | str | None = None) -> str:
    """SHA-256 (first 16 hex digits) of the manifest, every raw file and every bulk table."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    h = hashlib.sha256()
    for p in [data_dir / "corpus.yml", *sorted((data_dir / "raw").glob("*")), *_bulk_tables(data_dir)]:
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]
