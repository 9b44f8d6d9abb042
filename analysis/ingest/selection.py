"""The sampling frame: how each document was found, and the documents seen but left out.

``data/selection.yml`` records, per document of the manifest, the route by which it was found, the query,
the dates searched and retrieved, and what the file itself shows about its origin; documents seen but
excluded are listed with the reason.  A referee asks for this before any comparison of periods or places
(what could have been found, and what was not taken).  :func:`load_selection` validates it against the
manifest: every document of ``corpus.yml`` needs an entry, and an entry for a document the manifest does not
have is an error, so the frame cannot drift from the corpus.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from analysis.infra.safe_yaml import load_yaml_safely
from analysis.ingest.corpus import CorpusError, default_data_dir

__all__ = ["load_selection", "selection_summary", "SELECTION_FIELDS"]

#: Fields of an included document's entry (all required; ``~`` where not recorded).
SELECTION_FIELDS = ("route", "query", "searched", "retrieved", "evidence")
_EXCLUDED_FIELDS = ("doc_id", "title", "url", "reason")
_COLUMNS = ["doc_id", "status", "route", "query", "searched_start", "searched_end", "retrieved", "evidence",
            "url", "reason"]


def _date(value, where: str):
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CorpusError(f"{where}: {value!r} is not a date (YYYY-MM-DD, or ~ when not recorded)") from None


def load_selection(data_dir=None, *, strict: bool = True) -> pd.DataFrame:
    """Read and check ``<data_dir>/selection.yml`` against ``<data_dir>/corpus.yml``.

    Parameters
    ----------
    data_dir : path, optional
        The data folder (default: the repository's ``data/``).
    strict : bool
        If False, a problem is not raised: an empty table is returned with the message in
        ``attrs["error"]`` (what a notebook shows while the frame is being completed).

    Returns
    -------
    pandas.DataFrame
        One row per document: ``doc_id``, ``status`` (``included`` or ``excluded``), ``route``, ``query``,
        ``searched_start``, ``searched_end``, ``retrieved`` (dates or None), ``evidence``, ``url``, ``reason``
        (excluded documents).  Included documents first, in manifest order.

    Raises
    ------
    CorpusError
        The file is missing or malformed, a field is missing or unknown, a date is not a date, a document of
        the manifest has no entry, or an entry names a document the manifest does not have; the message
        names the file, the entry and the field.
    """
    if not strict:
        try:
            return load_selection(data_dir)
        except CorpusError as e:
            empty = pd.DataFrame(columns=_COLUMNS)
            empty.attrs["error"] = str(e)
            return empty
    data = Path(data_dir or default_data_dir())
    path = data / "selection.yml"
    name = path.name
    if not path.is_file():
        raise CorpusError(f"{path}: no sampling frame; create it with one entry per document of corpus.yml "
                          f"(fields {', '.join(SELECTION_FIELDS)}; see README 'Adding documents')")
    raw = load_yaml_safely(path, "sampling frame", error=CorpusError) or {}
    if not isinstance(raw, dict) or set(raw) - {"documents", "excluded"}:
        raise CorpusError(f"{name}: top level must have `documents:` and optionally `excluded:`"
                          + (f"; unknown key(s) {sorted(set(raw) - {'documents', 'excluded'})}" if isinstance(raw, dict) else ""))
    manifest = load_yaml_safely(data / "corpus.yml", "manifest", error=CorpusError) or {}
    wanted = [d.get("doc_id") for d in manifest.get("documents") or [] if isinstance(d, dict)]
    rows, seen = [], set()
    for i, entry in enumerate(raw.get("documents") or [], 1):
        where = f"{name}, documents entry {i}"
        if not isinstance(entry, dict) or "doc_id" not in entry:
            raise CorpusError(f"{where}: each entry needs a doc_id (and {', '.join(SELECTION_FIELDS)})")
        doc = str(entry["doc_id"])
        where = f"{name}, document {doc!r}"
        if doc in seen:
            raise CorpusError(f"{where}: listed twice")
        seen.add(doc)
        unknown = set(entry) - {"doc_id", *SELECTION_FIELDS}
        missing = [f for f in SELECTION_FIELDS if f not in entry]
        if unknown or missing:
            raise CorpusError(f"{where}: " + "; ".join(
                ([f"unknown field(s) {sorted(unknown)}"] if unknown else [])
                + ([f"missing field(s) {missing} (write ~ where not recorded)"] if missing else [])))
        searched = entry["searched"]
        if searched is not None and not (isinstance(searched, dict) and set(searched) == {"start", "end"}):
            raise CorpusError(f"{where}, field searched: give {{start: YYYY-MM-DD, end: YYYY-MM-DD}} or ~")
        for f in ("route", "evidence"):
            if not isinstance(entry[f], str) or not entry[f].strip():
                raise CorpusError(f"{where}, field {f}: write a sentence (\"not recorded\" if nobody wrote it down)")
        rows.append({"doc_id": doc, "status": "included", "route": entry["route"].strip(),
                     "query": entry["query"],
                     "searched_start": _date(searched and searched["start"], f"{where}, field searched.start"),
                     "searched_end": _date(searched and searched["end"], f"{where}, field searched.end"),
                     "retrieved": _date(entry["retrieved"], f"{where}, field retrieved"),
                     "evidence": entry["evidence"].strip(), "url": None, "reason": None})
    extra = [d for d in seen if d not in wanted]
    absent = [d for d in wanted if d not in seen]
    if extra or absent:
        raise CorpusError(f"{name}: " + "; ".join(
            ([f"documents not in corpus.yml: {extra} (move them under `excluded:` with a reason)"] if extra else [])
            + ([f"corpus.yml documents without an entry: {absent} (add one; write ~ where not recorded)"]
               if absent else [])))
    rows.sort(key=lambda r: wanted.index(r["doc_id"]))
    for i, entry in enumerate(raw.get("excluded") or [], 1):
        where = f"{name}, excluded entry {i}"
        if not isinstance(entry, dict) or not str(entry.get("reason") or "").strip() \
                or not (entry.get("doc_id") or entry.get("title")):
            raise CorpusError(f"{where}: give a doc_id or title, and the reason it was left out")
        unknown = set(entry) - set(_EXCLUDED_FIELDS)
        if unknown:
            raise CorpusError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {list(_EXCLUDED_FIELDS)}")
        rows.append({"doc_id": str(entry.get("doc_id") or entry.get("title")), "status": "excluded",
                     "route": None, "query": None, "searched_start": None, "searched_end": None,
                     "retrieved": None, "evidence": None, "url": entry.get("url"),
                     "reason": str(entry["reason"]).strip()})
    return pd.DataFrame(rows, columns=_COLUMNS)


def selection_summary(frame: pd.DataFrame) -> str:
    """One paragraph on the sampling frame: documents with a recorded route, query and retrieval date, and
    the documents recorded as excluded."""
    if frame.attrs.get("error"):
        return f"**Sampling frame: not usable.** {frame.attrs['error']}"
    inc = frame[frame.status == "included"]
    n = len(inc)
    routed = int((inc.route.str.lower() != "not recorded").sum())
    queried = int(inc["query"].notna().sum())
    dated = int(inc.retrieved.notna().sum())
    n_ex = int((frame.status == "excluded").sum())
    text = (f"**Sampling frame.** {n} documents: a search route is recorded for {routed}, a query for {queried}, "
            f"a retrieval date for {dated}; {n_ex} documents are recorded as seen and excluded.")
    if routed < n:
        text += (f" For {n - routed} documents nobody recorded how they were found, so the corpus is a "
                 f"convenience sample: it shows what these reports say, not what the population of meetings said.")
    return text
