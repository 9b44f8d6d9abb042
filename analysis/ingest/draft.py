"""Propose manifest entries for new documents: units and metadata guessed from the text.

Usage::

    python -m analysis.draft data/raw/NEWFILE.txt [MORE FILES] [--year 2022]
    python -m analysis.draft --evaluate      # how well the guesses match the curated manifest

For each file the draft splits the cleaned paragraphs into meeting-report units and
guesses each unit's metadata; **every guessed field is listed under** ``inferred:``
so the researcher can review it before pasting the entry into ``data/corpus.yml``
(or remove a field from ``inferred`` once checked).  Nothing is written anywhere.

Rules (deliberately simple and visible):

Guesses are made on the Simplified text (:func:`analysis.normalise.to_simplified`), so a
Traditional document gets the same proposal; its anchors still match (anchor matching
ignores the script).

* **Unit boundaries.** A paragraph starts a unit when its first sentence has a date
  (``11月11日``, ``11日下午``, ``同日``, ``同一天``) and a meeting verb (召开 / 举行)
  with 会 (会议, 常委会, 续会 …).  The unit runs over the following paragraphs until the
  next such paragraph or a headline-like paragraph (no sentence mark ``。``), which is
  left outside every unit.  The ``end`` anchor is the last sentence of the unit.
* **date**: month and day from the first sentence, preferring one with a month (a bare
  ``11日`` takes the month of the previous unit or of the document's date; ``同日`` the
  previous unit's date, or the last full date before the first unit); the year from the front matter, a
  ``2022年`` in the text, or ``--year``; without a year the date is left out.
* **place** (``province``, ``city``): :func:`analysis.gazetteer.find_places` on the
  first sentence; without a place there, the province named most often in the document.
* **level**: 国务院/党中央 → national; 市委/市政府/全市/我市 → municipal (provincial for
  the four municipalities 北京, 天津, 上海, 重庆); 省委/省政府/全省/我省/自治区 → provincial.
* **chair**: the name in "<title>X主持"; **speaker**: the chair, then names in
  "<title>X强调/指出/讲话/作部署/介绍/表示/出席会议并讲话" and paragraphs opening "X强调，" /
  "X指出，"; **instructions**: "<title>X（对…）作批示" (written instructions are not speaking).
* **body** and **meeting_type**: the first organ (省委常委会, 领导小组, 指挥部 …) and
  meeting format (专题会议, 电视电话会议, 视频调度会议, 座谈会, 续会 …) named in the first sentence.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML

from analysis.ingest.clean import clean_document
from analysis.ingest.corpus import CorpusError, default_data_dir, read_raw
from analysis.ingest.gazetteer import find_places, provinces_in
from analysis.ingest.normalise import to_simplified

__all__ = ["draft_document", "draft_yaml", "evaluate_drafts", "EVALUATED_FIELDS", "main"]

#: Fields compared with the curated manifest by :func:`evaluate_drafts`.
EVALUATED_FIELDS = ("date", "level", "province", "city", "speaker")

_DATE = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})日(?:上午|下午|晚上?)?|同日|同一天|当天|同天")
_MEETING = re.compile(r"召开|举行")
_TITLE = (r"(?:书记|省长|市长|主席|主任|总理|组长|指挥长|总指挥|部长|委员|厅长|局长|秘书长|区长|县长|"
          r"副书记|常委)")
_CHAIR = re.compile(rf"{_TITLE}、?([\u4e00-\u9fff]{{2,3}}?)主持")
_SPEAK = re.compile(rf"{_TITLE}、?([\u4e00-\u9fff]{{2,3}}?)(?:在讲话中|在会上)?"
                    rf"(?:强调|指出|讲话|作工作部署|作部署|介绍|表示|出席会议并讲话|出席并讲话)")
_INSTRUCT = re.compile(rf"{_TITLE}、?([\u4e00-\u9fff]{{2,3}}?)(?:对[^。，]{{0,15}})?作(?:出)?(?:重要)?批示")
_OPENING_SPEAKER = re.compile(r"^([\u4e00-\u9fff]{2,3})(?:强调|指出|要求)[，,：]")
_NOT_NAMES = {"会议", "会上", "通知", "我们", "他们", "同时", "会议还", "要求", "大会", "文件"}
_BODY = re.compile(r"(自治区党委常委会|省委常委会|市委常委会|党委常委会|省政府常务会议|市政府常务会议|常务会议|"
                   r"联防联控机制|领导小组|指挥部|省委|市委|省政府|市政府)")
_TYPE = re.compile(r"(专题会议|电视电话会议|视频调度会议|调度会议|视频会议|座谈会|扩大会议|新闻发布会|续会|常委会会议|"
                   r"工作会议)")
_MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}


def _first_sentence(par: str) -> str:
    return re.split(r"(?<=[。！？])", par, maxsplit=1)[0]


def _is_boundary(par: str) -> bool:
    s = _first_sentence(par)
    return bool(_DATE.search(s) and _MEETING.search(s) and "会" in s
                and not re.match(r"^会议(指出|强调|要求|认为)", par))


def _is_headline(par: str) -> bool:
    return "。" not in par


def _split_units(paragraphs: list[str]) -> list[list[int]]:
    units, current = [], None
    for i, par in enumerate(paragraphs):
        if _is_boundary(par):
            current = [i]
            units.append(current)
        elif _is_headline(par):
            current = None
        elif current is not None:
            current.append(i)
    return units


def _year(meta: dict, text: str, year: int | None) -> int | None:
    if year:
        return year
    m = re.search(r"(20\d\d)", str(meta.get("date", "")))
    if m:
        return int(m.group(1))
    m = re.search(r"(20\d\d)(?:年|-\d{1,2}-)", text)
    return int(m.group(1)) if m else None


def _month_hint(meta: dict, bylines: str = "") -> int | None:
    d = str(meta.get("date", ""))
    m = re.search(r"20\d\d-(\d\d)-\d\d", d) or re.search(r"20\d\d-(\d{1,2})-\d{1,2}", bylines)
    if m:
        return int(m.group(1))
    months = {"Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6, "Jul": 7, "Aug": 8, "Sep": 9,
              "Oct": 10, "Nov": 11, "Dec": 12}
    m = re.search(r"\b(" + "|".join(months) + r")\b", d)
    return months[m.group(1)] if m else None


def _meeting_clause(sentence: str) -> str:
    """The clause of the first sentence that holds the meeting verb (its subject is the convener)."""
    for clause in re.split(r"[，,；;：:]", sentence):
        if _MEETING.search(clause):
            return clause
    return sentence


def _level(clause: str, province: str, city: str) -> str | None:
    if re.search(r"国务院|党中央|中央政治局|全国", clause):
        return "national"
    if province in _MUNICIPALITIES and not city:
        return "provincial"
    if re.search(r"市委|市政府|全市|我市", clause) or (city and "市" in clause):
        return "municipal"
    if re.search(r"省委|省政府|全省|我省|自治区|区党委|省", clause) or province:
        return "provincial"
    return None


def _names(regex: re.Pattern, text: str) -> list[str]:
    return [m.group(1) for m in regex.finditer(text) if m.group(1) not in _NOT_NAMES]


def _unique(items) -> list[str]:
    out: list[str] = []
    for x in items:
        if x and x not in out:
            out.append(x)
    return out


def _guess(paragraphs: list[str], doc_places: list[str], year: int | None, month: int | None,
           previous_date: str | None = None) -> dict:
    first = _first_sentence(paragraphs[0])
    head = "".join(re.split(r"(?<=[。！？])", paragraphs[0])[:2])
    g: dict = {}
    dates = list(_DATE.finditer(first))
    m = next((d for d in dates if d.group(1)), None) or next((d for d in dates if d.group(2)), None)
    if m:
        month = int(m.group(1)) if m.group(1) else month
        if year and month:
            g["date"] = f"{year:04d}-{month:02d}-{int(m.group(2)):02d}"
    elif dates and previous_date:  # 同日, 同一天, 当天: the previous unit's date
        g["date"] = previous_date
    g["_month"] = month
    places = find_places(first)
    city = province = ""
    if len(places):
        pref = places[places.kind == "prefecture"]
        prov = places[places.kind == "province"]
        if len(prov):
            province = prov.province.iloc[0]
        if len(pref) and (not province or pref.province.iloc[0] == province):
            city, province = pref.name.iloc[0], pref.province.iloc[0]
    if not province and doc_places:
        province = Counter(doc_places).most_common(1)[0][0]
    clause = _meeting_clause(first)
    cp = find_places(clause)
    if len(cp):  # the convener's place wins over other places in the sentence
        row = cp.iloc[0]
        province = row.province
        city = row["name"] if row.kind == "prefecture" else ""
    level = _level(clause, province, city)
    if level:
        g["level"] = level
    if level in ("provincial", "municipal") and province:
        g["province"] = province
        if level == "municipal" and city:
            g["city"] = city
        if level == "provincial" and province in _MUNICIPALITIES:
            pass
    chair = _unique(_names(_CHAIR, head))
    if chair:
        g["chair"] = chair[0]
    speakers = _unique([*chair[:1], *_names(_SPEAK, "\n".join(paragraphs)),
                        *[x for p in paragraphs for x in _names(_OPENING_SPEAKER, p)]])
    if speakers:
        g["speaker"] = "、".join(speakers)
    instr = _unique(_names(_INSTRUCT, head))
    if instr:
        g["instructions"] = "、".join(instr)
    b = _BODY.search(first)
    if b:
        g["body"] = b.group(1)
    t = _TYPE.search(first)
    if t:
        g["meeting_type"] = t.group(1)
    return g


def _anchor_start(par: str) -> str:
    s = _first_sentence(par)
    return s[:30] if len(s) > 30 else s


def _anchor_end(par: str) -> str:
    sentences = [x for x in re.split(r"(?<=[。！？])", par) if x.strip()]
    last = sentences[-1] if sentences else par
    return last[-20:] if len(last) > 20 else last


def draft_document(path, *, year: int | None = None, encoding: str | None = None,
                   doc_id: str | None = None) -> dict:
    """Propose a manifest entry (``doc_id``, ``file``, ``units`` …) for one raw file.

    Parameters
    ----------
    path : path
        The raw file (read and cleaned exactly as :func:`analysis.load_corpus` would).
    year : int, optional
        Year of the meetings when neither the front matter nor the text gives one.
    encoding : str, optional
        As ``encoding:`` in the manifest.
    doc_id : str, optional
        Defaults to the file name without suffix.

    Returns
    -------
    dict
        A document entry: ``doc_id``, ``file``, optional ``title``/``outlet``/``url`` from
        the front matter, and ``units``; each unit has ``unit_id``, ``start``, ``end``,
        the guessed fields, and ``inferred`` listing every guessed field.
    """
    path = Path(path)
    raw, _ = read_raw(path, encoding)
    clean = clean_document(raw)
    # guesses are made on the Simplified text (the gazetteer and the patterns are Simplified);
    # anchors taken from it match the original too (anchor matching ignores the script)
    paragraphs = to_simplified(clean.text)[0].split("\n") if clean.paragraphs else []
    bylines = "\n".join(d["line"] for d in clean.dropped)  # publication dates in bylines
    yr = _year(clean.metadata, clean.text + "\n" + bylines, year)
    month = _month_hint(clean.metadata, bylines)
    doc_places = [p for par in paragraphs for p in provinces_in(par)]
    entry: dict = {"doc_id": doc_id or path.stem, "file": path.name}
    for key in ("title", "url"):
        if clean.metadata.get(key):
            entry[key] = clean.metadata[key]
    if clean.metadata.get("author"):
        entry["outlet"] = clean.metadata["author"]
    units, previous_date = [], None
    for k, idx in enumerate(_split_units(paragraphs), 1):
        pars = [paragraphs[i] for i in idx]
        if previous_date is None and yr:  # 同日 in the first unit: the last full date before it
            before = [m for p in paragraphs[:idx[0]] for m in re.finditer(r"(\d{1,2})月(\d{1,2})日", p)]
            if before:
                previous_date = f"{yr:04d}-{int(before[-1].group(1)):02d}-{int(before[-1].group(2)):02d}"
        g = _guess(pars, doc_places, yr, month, previous_date)
        month = g.pop("_month")
        previous_date = g.get("date", previous_date)
        unit = {"unit_id": f"{entry['doc_id']}-{k}", "start": _anchor_start(pars[0]),
                "end": _anchor_end(pars[-1])}
        unit.update(g)
        unit["inferred"] = [f for f in ("date", "level", "province", "city", "chair", "speaker",
                                        "instructions", "body", "meeting_type") if f in g]
        units.append(unit)
    entry["units"] = units
    return entry


def draft_yaml(entries: list[dict]) -> str:
    """The entries as YAML for the ``documents:`` list of ``data/corpus.yml``."""
    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    buf = io.StringIO()
    buf.write("# DRAFT proposed by `python -m analysis.draft`: check every field listed under\n"
              "# `inferred:`, add outlet, period (or a period date range) and missing fields,\n"
              "# then paste under `documents:` in data/corpus.yml.\n")
    y.dump(entries, buf)
    return buf.getvalue()


def evaluate_drafts(data_dir=None) -> tuple[pd.DataFrame, dict]:
    """Compare drafts of the manifest's documents with the curated manifest.

    A curated unit is *found* when a proposed unit's start anchor lies inside its
    text.  For found units, each field of :data:`EVALUATED_FIELDS` is compared
    (speaker as a set of names; "" = not given on both sides counts as equal).
    No year is supplied: dates rely on the document alone.

    Returns
    -------
    (table, summary)
        ``table``: one row per curated unit (``unit_id``, ``level``, ``found``, and
        ``<field>_ok`` per field, NA when not found); ``summary``: ``documents``,
        ``curated_units``, ``meeting_units`` (curated units that are not ``media``),
        ``proposed_units``, ``found`` (of the meeting units), ``fields_compared``,
        ``fields_matched``, and per field ``<field>_matched``.
    """
    from analysis.infra.safe_yaml import load_yaml_safely
    from analysis.ingest.corpus import load_corpus

    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    corpus = load_corpus(data_dir)
    spec = load_yaml_safely(data_dir / "corpus.yml", "manifest", error=CorpusError)
    rows, proposed = [], 0
    for doc in spec["documents"]:
        entry = draft_document(data_dir / "raw" / doc["file"], encoding=doc.get("encoding"))
        proposed += len(entry["units"])
        curated = corpus[corpus.doc_id == doc["doc_id"]]
        for u in curated.itertuples():
            match = next((p for p in entry["units"] if p["start"] in u.display_text), None)
            row = {"doc_id": doc["doc_id"], "unit_id": u.unit_id, "level": u.level, "found": match is not None}
            for f in EVALUATED_FIELDS:
                if match is None:
                    row[f"{f}_ok"] = pd.NA
                elif f == "speaker":
                    row[f"{f}_ok"] = set(filter(None, match.get(f, "").split("、"))) == \
                        set(filter(None, u.speaker.split("、")))
                else:
                    row[f"{f}_ok"] = str(match.get(f, "")) == str(getattr(u, f))
            rows.append(row)
    table = pd.DataFrame(rows)
    meeting = table[table.level != "media"]
    found = table[table.found]
    summary = {"documents": len(spec["documents"]), "curated_units": len(table),
               "meeting_units": len(meeting), "proposed_units": proposed,
               "found": int(meeting.found.sum()),
               "fields_compared": int(len(found) * len(EVALUATED_FIELDS)),
               "fields_matched": int(sum(found[f"{f}_ok"].astype(bool).sum() for f in EVALUATED_FIELDS))}
    for f in EVALUATED_FIELDS:
        summary[f"{f}_matched"] = int(found[f"{f}_ok"].astype(bool).sum())
    return table, summary


def per_document_rows(table: pd.DataFrame) -> list[str]:
    """Markdown table rows (README) per document: meeting units found, fields matched."""
    rows = []
    for doc_id, t in table.groupby("doc_id", sort=False):
        meeting = t[t.level != "media"]
        found = t[t.found]
        ok = sum(int(found[f"{f}_ok"].astype(bool).sum()) for f in EVALUATED_FIELDS)
        rows.append(f"| `{doc_id}` | {int(meeting.found.sum())} of {len(meeting)} | "
                    f"{ok} of {len(found) * len(EVALUATED_FIELDS)} |")
    return rows


def summary_sentence(summary: dict) -> str:
    """The README sentence reporting :func:`evaluate_drafts` (checked by a test)."""
    s = summary
    n = s["fields_compared"] // len(EVALUATED_FIELDS)
    per_field = ", ".join(f"{f} {s[f + '_matched']}/{n}" for f in EVALUATED_FIELDS)
    return (f"On the {s['documents']} seed documents the draft proposes {s['proposed_units']} units; "
            f"{s['found']} of the {s['meeting_units']} curated meeting and national units are found "
            f"(a proposed unit starts inside them), and in the units found "
            f"{s['fields_matched']} of {s['fields_compared']} fields equal the curated manifest "
            f"({per_field}).")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.draft", description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--year", type=int, default=None, help="year of the meetings if the text does not say")
    ap.add_argument("--encoding", default=None)
    ap.add_argument("--evaluate", action="store_true",
                    help="compare drafts of the manifest's documents with the curated manifest")
    args = ap.parse_args(argv)
    if args.evaluate:
        table, summary = evaluate_drafts()
        print(table.to_string(index=False))
        print("\n| document | meeting/national units found | fields equal to the manifest |\n|---|---|---|")
        print("\n".join(per_document_rows(table)))
        print(summary_sentence(summary))
        return 0
    if not args.files:
        ap.error("give one or more files, or --evaluate")
    entries, status = [], 0
    for path in args.files:
        try:
            entries.append(draft_document(path, year=args.year, encoding=args.encoding))
        except CorpusError as e:
            print(f"error: {e}", file=sys.stderr)
            status = 1
    if entries:
        print(draft_yaml(entries), end="")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
