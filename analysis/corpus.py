"""Manifest -> corpus table: one row per meeting-report unit, with metadata.

The manifest (``data/corpus.yml``) names each raw file and the units cut from its
cleaned text by anchor text.  :func:`load_corpus` validates everything before it
returns anything: a bad manifest raises :class:`CorpusError` naming the file, unit
and what to fix, and no partial table is returned.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .clean import CleanDocument, clean_document

__all__ = [
    "CorpusError", "load_corpus", "corpus_audit", "read_raw", "default_data_dir",
    "LEVELS", "PROVINCES", "COLUMNS",
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

#: Columns of the corpus table, in order.
COLUMNS = ["unit_id", "doc_id", "period", "date", "province", "city", "place", "level", "speaker",
           "outlet", "title", "url", "note", "excerpt", "file", "n_chars", "text"]

_DOC_KEYS = {"doc_id", "file", "encoding", "outlet", "url", "title", "period", "date",
             "speaker", "units"}
_UNIT_KEYS = {"unit_id", "start", "end", "period", "date", "province", "city", "level",
              "speaker", "outlet", "title", "url", "note", "excerpt"}
_REQUIRED = ("unit_id", "start", "period", "date", "level", "outlet")
_ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


class CorpusError(ValueError):
    """The manifest or a raw file cannot be turned into a valid corpus.

    The message names the manifest, document and/or unit concerned and says what to fix.
    """


def default_data_dir() -> Path:
    """The repository's ``data/`` folder (next to the ``analysis`` package)."""
    return Path(__file__).resolve().parent.parent / "data"


def read_raw(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Read and decode one raw file.

    Parameters
    ----------
    path : Path
        The raw file.
    encoding : str, optional
        Declared encoding.  Without one, UTF-8 (with or without BOM) is tried, then
        GB18030 (a superset of GBK/GB2312); GB18030 is accepted only if the result is
        mostly Chinese text, since almost any byte string decodes as GB18030.

    Returns
    -------
    (text, encoding) : tuple of str
        The decoded text (BOM removed) and the encoding used.

    Raises
    ------
    CorpusError
        If the file is missing or cannot be decoded.
    """
    path = Path(path)
    if not path.is_file():
        raise CorpusError(f"raw file {path} does not exist: copy the document into "
                          f"{path.parent}/ or correct `file:` in the manifest")
    data = path.read_bytes()
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
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        non_ascii = [c for c in text if ord(c) > 127]
        han = sum(1 for c in non_ascii if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
                  or "\uff00" <= c <= "\uffef")
        if non_ascii and han / len(non_ascii) > 0.9:
            return text, "gb18030"
    raise CorpusError(f"{path.name}: not valid UTF-8 (byte {utf8_error.start}: "
                      f"{utf8_error.reason}) and not recognisably GB18030/GBK Chinese; "
                      f"declare `encoding:` for this document in the manifest "
                      f"(e.g. gb18030, big5) or re-save the file as UTF-8")


@dataclass
class _Loaded:
    table: pd.DataFrame
    audit: pd.DataFrame
    dropped: pd.DataFrame


def _load_manifest(manifest: Path) -> dict:
    if not manifest.is_file():
        raise CorpusError(f"manifest {manifest} does not exist; create it (see README, "
                          f"'Adding documents')")
    try:
        spec = YAML(typ="safe").load(manifest.read_text(encoding="utf-8"))
    except YAMLError as e:
        raise CorpusError(f"{manifest.name} is not valid YAML: {e}") from None
    except UnicodeDecodeError as e:
        raise CorpusError(f"{manifest.name} must be UTF-8 ({e})") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("documents"), list):
        raise CorpusError(f"{manifest.name}: expected a mapping with a `documents:` list")
    if not isinstance(spec.get("periods"), dict) or not spec["periods"]:
        raise CorpusError(f"{manifest.name}: expected a `periods:` mapping declaring the "
                          f"allowed period labels, e.g. \"2022-11\": description")
    return spec


def _str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()[:10]
    return str(value).strip()


def _find_once(haystack: str, needle: str, where: str, what: str) -> int:
    first = haystack.find(needle)
    if first < 0:
        raise CorpusError(f"{where}: {what} anchor {needle!r} not found in the cleaned text; "
                          f"copy it from the cleaned text (corpus_audit / notebook 01); "
                          f"paragraphs are separated by a single newline")
    second = haystack.find(needle, first + 1)
    if second >= 0:
        raise CorpusError(f"{where}: {what} anchor {needle!r} occurs more than once "
                          f"(offsets {first} and {second}); use a longer, unique snippet")
    return first


def _units_of_document(doc: dict, di: int, clean: CleanDocument, periods: dict,
                       manifest_name: str) -> list[dict]:
    text = clean.text
    units = doc.get("units")
    doc_where = f"{manifest_name}, document {doc.get('doc_id', di + 1)!r} ({doc['file']})"
    if not isinstance(units, list) or not units:
        raise CorpusError(f"{doc_where}: `units:` must be a non-empty list")
    rows, spans = [], []
    for ui, unit in enumerate(units):
        if not isinstance(unit, dict):
            raise CorpusError(f"{doc_where}, unit #{ui + 1}: expected a mapping of keys")
        where = f"{doc_where}, unit {unit.get('unit_id', '#' + str(ui + 1))!r}"
        unknown = set(unit) - _UNIT_KEYS
        if unknown:
            raise CorpusError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: "
                              f"{sorted(_UNIT_KEYS)}")
        merged = {k: doc.get(k) for k in ("outlet", "url", "title", "period", "date", "speaker")}
        merged.update(unit)
        if not merged.get("url") and clean.metadata.get("url"):
            merged["url"] = clean.metadata["url"]
        if not merged.get("title") and clean.metadata.get("title"):
            merged["title"] = clean.metadata["title"]
        excerpt = merged.pop("excerpt", False)
        if not isinstance(excerpt, bool):
            raise CorpusError(f"{where}: `excerpt` must be true or false (a unit known only from "
                              f"a journalist's excerpt of a longer report), got {excerpt!r}")
        row = {k: _str(merged.get(k)) for k in _UNIT_KEYS - {"excerpt"}}
        row["excerpt"] = excerpt
        for key in _REQUIRED:
            if not row[key]:
                raise CorpusError(f"{where}: `{key}` is missing or empty")
        if not _ID.match(row["unit_id"]):
            raise CorpusError(f"{where}: unit_id must be ASCII letters, digits, '-', '_' or '.'")
        if row["period"] not in periods:
            raise CorpusError(f"{where}: unknown period {row['period']!r}; declared periods: "
                              f"{sorted(periods)} (add it under `periods:` or fix the unit)")
        if row["level"] not in LEVELS:
            raise CorpusError(f"{where}: unknown level {row['level']!r}; use one of {list(LEVELS)}")
        try:
            _dt.date.fromisoformat(row["date"])
        except ValueError:
            raise CorpusError(f"{where}: date {row['date']!r} is not an ISO date (YYYY-MM-DD)") from None
        if row["level"] in ("provincial", "municipal"):
            if row["province"] not in PROVINCES:
                raise CorpusError(f"{where}: unknown province {row['province']!r} for a "
                                  f"{row['level']} unit; use a short name such as 河南, 内蒙古, "
                                  f"重庆 (see analysis.PROVINCES)")
            if row["level"] == "municipal" and not row["city"]:
                raise CorpusError(f"{where}: a municipal unit needs `city:` (e.g. 郑州)")
        elif row["province"]:
            raise CorpusError(f"{where}: a {row['level']} unit must have an empty province "
                              f"(got {row['province']!r})")
        start = _find_once(text, row["start"], where, "start")
        spans.append([start, None, row, where, ui])
        rows.append(row)
    # resolve ends in document order
    ordered = sorted(spans, key=lambda s: s[0])
    for k, span in enumerate(ordered):
        start, _, row, where, _ = span
        nxt = ordered[k + 1][0] if k + 1 < len(ordered) else len(text)
        if row["end"]:
            e = text.find(row["end"], start)
            if e < 0:
                raise CorpusError(f"{where}: end anchor {row['end']!r} not found after the start "
                                  f"anchor; copy it from the cleaned text (corpus_audit / notebook 01)")
            again = text.find(row["end"], e + 1)
            if 0 <= again and again + len(row["end"]) <= nxt:
                raise CorpusError(f"{where}: end anchor {row['end']!r} occurs more than once inside "
                                  f"the unit (offsets {e} and {again}); use a longer, unique snippet")
            span[1] = e + len(row["end"])
        else:
            span[1] = nxt
    for a, b in zip(ordered, ordered[1:]):
        if a[1] > b[0]:
            raise CorpusError(f"{a[3]} overlaps unit {b[2]['unit_id']!r} (its end anchor lies "
                              f"after that unit's start); shorten the end anchor or fix the order")
    out = []
    for start, end, row, where, ui in sorted(spans, key=lambda s: s[4]):
        body = text[start:end].strip()
        if not re.search(r"[\u4e00-\u9fff]", body):
            raise CorpusError(f"{where}: the unit is empty (no Chinese text between its anchors)")
        row = dict(row)
        row.update(doc_id=_str(doc["doc_id"]), file=doc["file"], text=body, n_chars=len(body),
                   place=row["city"] or row["province"] or row["level"],
                   _span=(start, end))
        out.append(row)
    return out


def _load(data_dir: Path | str | None) -> _Loaded:
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    manifest = data_dir / "corpus.yml"
    spec = _load_manifest(manifest)
    periods = {str(k): v for k, v in spec["periods"].items()}
    rows, audit, dropped = [], [], []
    seen_docs: set[str] = set()
    for di, doc in enumerate(spec["documents"]):
        if not isinstance(doc, dict) or "file" not in doc or "doc_id" not in doc:
            raise CorpusError(f"{manifest.name}, document #{di + 1}: needs `doc_id:` and `file:`")
        unknown = set(doc) - _DOC_KEYS
        if unknown:
            raise CorpusError(f"{manifest.name}, document {doc['doc_id']!r}: unknown key(s) "
                              f"{sorted(unknown)}; allowed: {sorted(_DOC_KEYS)}")
        if doc["doc_id"] in seen_docs:
            raise CorpusError(f"{manifest.name}: duplicate doc_id {doc['doc_id']!r}")
        seen_docs.add(doc["doc_id"])
        path = data_dir / "raw" / str(doc["file"])
        raw, enc = read_raw(path, doc.get("encoding"))
        clean = clean_document(raw, headline=_str(doc.get("title")) or None)
        units = _units_of_document(doc, di, clean, periods, manifest.name)
        rows.extend(units)
        covered = sorted(u["_span"] for u in units)
        text = clean.text
        gaps, pos = [], 0
        for s, e in covered:
            if s > pos:
                gaps.append(text[pos:s])
            pos = max(pos, e)
        gaps.append(text[pos:])
        unassigned = [g.strip() for g in "\n".join(gaps).split("\n") if g.strip()]
        for line in unassigned:
            dropped.append({"doc_id": doc["doc_id"], "file": doc["file"], "stage": "not in a unit",
                            "reason": "headline/byline outside every unit span", "text": line})
        for d in clean.dropped:
            dropped.append({"doc_id": doc["doc_id"], "file": doc["file"], "stage": "cleaning",
                            "reason": d["reason"], "text": d["line"]})
        audit.append({
            "doc_id": doc["doc_id"], "file": doc["file"], "encoding": enc,
            "raw_chars": len(raw),
            "markup_chars": clean.markup_chars,
            "clean_chars": len(text),
            "unit_chars": sum(len(u["text"]) for u in units),
            "dropped_lines": len(clean.dropped),
            "dropped_chars": sum(len(d["line"]) for d in clean.dropped),
            "unassigned_chars": sum(len(x) for x in unassigned),
            "page_breaks_repaired": len(clean.joins),
            "units": len(units),
        })
    ids = [r["unit_id"] for r in rows]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise CorpusError(f"{manifest.name}: duplicate unit_id(s) {dupes}; every unit needs "
                          f"its own id")
    table = pd.DataFrame(rows)
    table = table[COLUMNS].reset_index(drop=True)
    table["n_chars"] = table["n_chars"].astype("int64")
    table["excerpt"] = table["excerpt"].astype(bool)
    return _Loaded(table, pd.DataFrame(audit), pd.DataFrame(dropped))


def load_corpus(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Load the corpus table: one row per meeting-report unit.

    Parameters
    ----------
    data_dir : path, optional
        Folder holding ``corpus.yml`` and ``raw/``.  Defaults to the repository's
        ``data/``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`: ``unit_id`` (unique), ``doc_id``, ``period``,
        ``date`` (ISO string), ``province`` ("" for national/media units), ``city``
        (municipal units), ``place`` (city, else province, else the level: a label for
        "across places" comparisons), ``level``,
        ``speaker``, ``outlet``, ``title``, ``url``, ``note``, ``excerpt`` (bool: the
        unit is known only from a journalist's excerpt), ``file``, ``n_chars``
        (characters of cleaned text) and ``text`` (the unit's cleaned text, paragraphs
        separated by newlines).  Rows follow the manifest order.

    Raises
    ------
    CorpusError
        On any problem in the manifest or raw files (see the message for the fix).

    Examples
    --------
    >>> corpus = load_corpus()
    >>> corpus.groupby("period").size().to_dict()  # doctest: +SKIP
    {'2021-08': 1, '2022-11': 28}
    """
    return _load(data_dir).table


def corpus_audit(data_dir: Path | str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What cleaning kept and dropped, per raw file and line by line.

    Returns
    -------
    summary : pandas.DataFrame
        One row per document: ``raw_chars`` (decoded file), ``markup_chars`` (tags and
        comments), ``clean_chars`` (cleaned text), ``unit_chars`` (in units),
        ``dropped_lines``/``dropped_chars`` (boilerplate and front matter),
        ``unassigned_chars`` (clean text outside every unit: headlines, bylines),
        ``page_breaks_repaired``, ``units``.
    dropped : pandas.DataFrame
        One row per dropped or unassigned line: ``doc_id``, ``file``, ``stage``,
        ``reason``, ``text``.
    """
    loaded = _load(data_dir)
    return loaded.audit, loaded.dropped


def data_fingerprint(data_dir: Path | str | None = None) -> str:
    """SHA-256 (first 16 hex digits) of the manifest and every raw file."""
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    h = hashlib.sha256()
    for p in [data_dir / "corpus.yml", *sorted((data_dir / "raw").glob("*"))]:
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]
