"""Propose manifest entries for new documents: units and metadata guessed from the text.

Usage::

    python -m analysis.draft data/raw/NEWFILE.txt [MORE FILES] [--year 2022]
    python -m analysis.draft --evaluate      # how well the guesses match the curated manifest

For each file the draft splits the cleaned paragraphs into meeting-report units and
guesses each unit's metadata; **every guessed field is listed under** ``inferred:``
so the researcher can review it before pasting the entry into ``data/corpus.yml``
(or remove a field from ``inferred`` once checked).  Nothing is written anywhere.

Rules (deliberately simple and visible):

Guesses are made on the Simplified text (:func:`analysis.ingest.normalise.to_simplified`), so a
Traditional document gets the same proposal; its anchors still match (anchor matching
ignores the script).

* **Unit boundaries.** A paragraph starts a unit when its first sentence has a date
  (``11月11日``, ``11日下午``, ``1月20号``, ``同日``, ``同一天``; not a date followed by a time
  of day, which is a publication stamp) and a meeting verb (召开 / 举行 / 主持) with 会
  (会议, 常委会, 续会 …).  The unit runs over the following paragraphs until the
  next such paragraph or a headline-like paragraph (no sentence mark ``。``), which is
  left outside every unit.  The ``end`` anchor is the last sentence of the unit.
* **date**: month and day from the first sentence, preferring one with a month (a bare
  ``11日`` takes the month of the previous unit or of the document's date; ``同日`` the
  previous unit's date, or the last full date before the first unit); the year from ``--year``, the
  front matter, the publication date, or a ``2022年`` in the text; without a year the date is left out.
* **published** (document): the front matter's date, else the first dropped dateline or
  publication-time line (``2022年11月26日 10:08``) — never taken as the meeting date.
* **title** (document): the front matter's title, else a plain page's headline (the
  paragraph before the first unit when it has no ``。``).
* **place** (``province``, ``city``): :func:`analysis.ingest.gazetteer.find_places` on the
  first sentence; without a place there, the officials of ``data/officials.csv`` named in
  the unit and in office on its date (:func:`analysis.ingest.gazetteer.officials_named`;
  the province held by most of them, the evidence in ``note:``); then the people
  ``data/lexicon/names.txt`` places in a province; then the province named most often in
  the document; else the place is proposed as not stated (empty
  ``province:``, which loads as ``not stated``) with a ``note:`` saying so.
* **level**: 国务院/党中央 → national; 市委/市政府/全市/我市 → municipal (provincial for
  the four municipalities 北京, 天津, 上海, 重庆); 省委/省政府/全省/我省/自治区 → provincial.
* **chair**: the name in "<title>X主持"; **speaker**: the chair, then names in
  "<title>X强调/指出/讲话/作部署/介绍/表示/出席会议并讲话" and paragraphs opening "X强调，" /
  "X指出，"; **instructions**: "<title>X（对…）作批示" (written instructions are not speaking).
  Every proposed person is a name (:func:`is_name`): in ``names.txt`` or the officials table,
  or 2–4 characters starting with a common surname with no function word (never 重要, 的重要).
* **names to add**: names before 主持/强调/指出/出席/讲话 and in attendance lists that
  ``data/lexicon/names.txt`` lacks are printed as a comment above the entry.
* **body** and **meeting_type**: the first organ (省委常委会, 领导小组, 指挥部 …) and
  meeting format (专题会议, 电视电话会议, 视频调度会议, 座谈会, 续会, 调度会 …) named in the first sentence.
"""
from __future__ import annotations

import argparse
import io
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Container
from pathlib import Path

import pandas as pd
from ruamel.yaml import YAML

from analysis.ingest.clean import clean_document
from analysis.ingest.corpus import CorpusError, default_data_dir, read_raw
from analysis.ingest.gazetteer import PROVINCES, find_places, officials, officials_named, provinces_in
from analysis.ingest.normalise import to_simplified
from analysis.ingest.wrappers import DEFAULT_HEADLINE, WRAPPERS, wrap_text

__all__ = ["draft_document", "draft_yaml", "evaluate_drafts", "EVALUATED_FIELDS", "main"]

#: Fields compared with the curated manifest by :func:`evaluate_drafts`.
EVALUATED_FIELDS = ("date", "level", "province", "city", "speaker")

# a date followed by a time of day (2022年11月26日 10:08) is a publication stamp, not a meeting date
_DATE = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})日(?!\s*\d{1,2}[:：]\d{2})(?:上午|下午|晚上?)?|同日|同一天|当天|同天")
_COLLOQUIAL_DATE = re.compile(r"(\d{1,2})月(\d{1,2})号")
_MEETING = re.compile(r"召开|举行|主持")
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
                   r"常务会议|工作会议|推进会|部署会|调度会|专题会|现场会|联席会议|领导小组会议|指挥部会议)")
#: Common Chinese surnames (single characters; 欧阳 and other double surnames by their first character):
#: a proposed speaker must begin with one unless the names list or the officials table knows the name.
SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
               "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
               "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
               "毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦"
               "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
               "明佘池查麻苑迟邝谌信")
_NON_NAME = set("的了和与及在是为对将把被会议要求强调指出表示同志书记省市长委员")
_MUNICIPALITIES = {"北京", "天津", "上海", "重庆"}


def _first_sentence(par: str) -> str:
    return re.split(r"(?<=[。！？])", par, maxsplit=1)[0]


def _is_boundary(par: str) -> bool:
    s = _first_sentence(_COLLOQUIAL_DATE.sub(r"\1月\2日", par))
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


_PUBLISHED = re.compile(r"((?:19|20)\d\d)\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})|"
                        r"(\d{1,2})\s*\.\s*(\d{1,2})\s*\.\s*((?:19|20)\d\d)")


def published_date(clean) -> str | None:
    """The page's publication date (``YYYY-MM-DD``): from the front matter's ``date``, else from the
    first dropped dateline or publication-time line (``2022年11月26日 10:08``, ``发布时间：2022-11-26``,
    ``18.02.2020 09:42``)."""
    lines = [str(clean.metadata.get("date", ""))] + [
        d["line"] for d in clean.dropped if d["reason"].startswith(("byline: dateline", "byline: publication time",
                                                                     "byline: source/author/date"))]
    for line in lines:
        m = _PUBLISHED.search(line)
        if m:
            y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(6), m.group(5), m.group(4))
            if 1 <= int(mo) <= 12 and 1 <= int(d) <= 31:
                return f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
    return None


def _year(meta: dict, text: str, year: int | None, published: str | None = None) -> int | None:
    if year:
        return year
    m = re.search(r"(20\d\d)", str(meta.get("date", "")))
    if m:
        return int(m.group(1))
    if published:
        return int(published[:4])
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


def known_names(data_dir=None) -> dict[str, tuple[str, str]]:
    """Names of ``data/lexicon/names.txt`` and of the officials table: name -> (role, province) as
    ``names.txt`` gives them (("", "") for names only the officials table has)."""
    path = (Path(data_dir) if data_dir else default_data_dir()) / "lexicon" / "names.txt"
    names = {n: ("", "") for n in officials().name}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = [x.strip() for x in line.split("#")[0].split("\t")]
            if fields[0]:
                names[fields[0]] = (fields[1] if len(fields) > 1 else "", fields[2] if len(fields) > 2 else "")
    return names


def is_name(word: str, known: Container[str]) -> bool:
    """A proposed person name: known (names list, officials table), or 2-4 characters starting with a
    common surname (:data:`SURNAMES`) and containing no function word or title character (的, 要, 会 …)."""
    if word in known:
        return True
    return (2 <= len(word) <= 4 and word[0] in SURNAMES and not set(word) & _NON_NAME
            and word not in _NOT_NAMES)


def _names(regex: re.Pattern, text: str, known: Container[str] | None = None) -> list[str]:
    known = known if known is not None else set()
    return [m.group(1) for m in regex.finditer(text) if m.group(1) not in _NOT_NAMES and is_name(m.group(1), known)]


_ATTENDANCE = re.compile(r"((?:[\u4e00-\u9fff]{2,3}、)+[\u4e00-\u9fff]{2,3})(?:等)?(?:在主会场|在分会场)?(?:出席|参加)")
_BEFORE_VERB = re.compile(r"([\u4e00-\u9fff]{2,3}?)(?:主持|强调|指出|出席|讲话)")


def name_candidates(text: str, known: Container[str]) -> list[str]:
    """Person names in ``text`` that ``known`` lacks: names before 主持/强调/指出/出席/讲话 after a title,
    and the members of attendance lists (``X、Y、Z出席``), in order of first mention.

    They are proposals for ``data/lexicon/names.txt`` (a name not listed there is split into fragments
    by the segmenter)."""
    found: list[str] = []
    for regex in (_CHAIR, _SPEAK, _INSTRUCT):
        found += [m.group(1) for m in regex.finditer(text)]
    for m in _ATTENDANCE.finditer(text):
        found += m.group(1).split("、")
    return _unique(x for x in found if x not in known and is_name(x, set()))


def _unique(items) -> list[str]:
    out: list[str] = []
    for x in items:
        if x and x not in out:
            out.append(x)
    return out


def _guess(paragraphs: list[str], doc_places: list[str], year: int | None, month: int | None,
           previous_date: str | None = None, known: dict | None = None) -> dict:
    known = known if known is not None else {}
    paragraphs = [_COLLOQUIAL_DATE.sub(r"\1月\2日", p) for p in paragraphs]
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
    evidence = ""
    if not province:  # the text names no place here: the officials it names may tell
        province, city, evidence = _place_from_officials("\n".join(paragraphs), g.get("date"))
    if not province:  # people data/lexicon/names.txt places in a province
        text = "\n".join(paragraphs)
        listed = sorted(((text.find(n), n, r, p) for n, (r, p) in known.items() if p in PROVINCES and n in text))
        if listed:
            votes = Counter(p for _, _, _, p in listed)
            province = max(votes, key=lambda p: (votes[p], -min(i for i, _, _, q in listed if q == p)))
            evidence = "; ".join(f"{n} ({r}, {p}) in data/lexicon/names.txt" for _, n, r, p in listed
                                 if p == province)
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
    if level in ("provincial", "municipal"):
        # a place the text never states is proposed as not stated (null), to be checked
        g["province"] = province or None
        if level == "municipal":
            g["city"] = city or None
        if evidence:
            g["note"] = (f"place from {evidence}" if "names.txt" in evidence
                         else f"place from data/officials.csv: {evidence}")
        elif not province:
            g["note"] = "province not stated in the text; no official of data/officials.csv named"
    chair = _unique(_names(_CHAIR, head, known))
    if chair:
        g["chair"] = chair[0]
    speakers = _unique([*chair[:1], *_names(_SPEAK, "\n".join(paragraphs), known),
                        *[x for p in paragraphs for x in _names(_OPENING_SPEAKER, p, known)]])
    if speakers:
        g["speaker"] = "、".join(speakers)
    instr = _unique(_names(_INSTRUCT, head, known))
    if instr:
        g["instructions"] = "、".join(instr)
    b = _BODY.search(first)
    if b:
        g["body"] = b.group(1)
    t = _TYPE.search(first)
    if t:
        g["meeting_type"] = t.group(1)
    return g


def _place_from_officials(text: str, date: str | None) -> tuple[str, str, str]:
    """(province, city, evidence) from the officials named in ``text`` and in office on ``date``.

    The province held by the most distinct named officials wins (ties: the one named first); without
    a date every term counts.  The city is given when one of them held a city office there.
    """
    hit = officials_named(text, date)
    if hit.empty:
        return "", "", ""
    votes = hit.groupby("province", sort=False).name.nunique()
    province = votes.index[votes.argmax()]
    mine = hit[hit.province == province]
    cities = [c for c in mine.city if c]
    return province, cities[0] if cities else "", "; ".join(mine.evidence)


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
    published = published_date(clean)
    yr = _year(clean.metadata, clean.text + "\n" + bylines, year, published)
    known = known_names()
    month = _month_hint(clean.metadata, bylines)
    doc_places = [p for par in paragraphs for p in provinces_in(par)]
    entry: dict = {"doc_id": doc_id or path.stem, "file": path.name}
    for key in ("title", "url"):
        if clean.metadata.get(key):
            entry[key] = clean.metadata[key]
    if clean.metadata.get("author"):
        entry["outlet"] = clean.metadata["author"]
    spans = _split_units(paragraphs)
    if "title" not in entry and spans and spans[0][0] > 0 and _is_headline(paragraphs[0]):
        # a plain page's headline (one or more lines: title, subtitle), outside every unit
        head = [p for p in paragraphs[:spans[0][0]]]
        head = head[:next((i for i, p in enumerate(head) if not _is_headline(p)), len(head))]
        entry["title"] = " ".join(head)
    if published:
        entry["published"] = published
    units, previous_date = [], None
    for k, idx in enumerate(spans, 1):
        pars = [paragraphs[i] for i in idx]
        if previous_date is None and yr:  # 同日 in the first unit: the last full date before it
            before = [m for p in paragraphs[:idx[0]] for m in re.finditer(r"(\d{1,2})月(\d{1,2})日", p)]
            if before:
                previous_date = f"{yr:04d}-{int(before[-1].group(1)):02d}-{int(before[-1].group(2)):02d}"
        g = _guess(pars, doc_places, yr, month, previous_date, known)
        month = g.pop("_month")
        previous_date = g.get("date", previous_date)
        unit = {"unit_id": f"{entry['doc_id']}-{k}", "start": _anchor_start(pars[0]),
                "end": _anchor_end(pars[-1])}
        unit.update(g)
        unit["inferred"] = [f for f in ("date", "level", "province", "city", "chair", "speaker",
                                        "instructions", "body", "meeting_type") if f in g]
        units.append(unit)
    entry["units"] = units
    new_names = name_candidates("\n".join(paragraphs), known)
    if new_names:
        entry["_names_to_add"] = new_names
    return entry


def draft_yaml(entries: list[dict]) -> str:
    """The entries as YAML for the ``documents:`` list of ``data/corpus.yml``."""
    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    buf = io.StringIO()
    buf.write("# DRAFT proposed by `python -m analysis.draft`: check every field listed under\n"
              "# `inferred:`, add outlet, period (or a period date range) and missing fields,\n"
              "# then paste under `documents:` in data/corpus.yml.  `province:` left empty = not stated\n"
              "# in the text (loads as \"not stated\"); a `note:` says where a guessed place comes from.\n")
    for e in entries:
        if e.get("_names_to_add"):
            buf.write(f"# {e['doc_id']}: names not in data/lexicon/names.txt (add them with role and province): "
                      f"{'、'.join(e['_names_to_add'])}\n")
    y.dump([{k: v for k, v in e.items() if not k.startswith("_")} for e in entries], buf)
    return buf.getvalue()


def evaluate_drafts(data_dir=None, wrapper=None) -> tuple[pd.DataFrame, dict]:
    """Compare drafts of the manifest's documents with the curated manifest.

    A curated unit is *found* when a proposed unit's start anchor lies inside its
    text.  For found units, each field of :data:`EVALUATED_FIELDS` is compared
    (speaker as a set of names; "" = not given on both sides counts as equal).
    No year is supplied: dates rely on the document alone.

    With ``wrapper`` (an :class:`analysis.ingest.wrappers.PageWrapper`), each document is
    first reduced to its cleaned text and saved inside that synthetic page (headline:
    the document's title; front matter and HTML are lost, as when a page is copied as
    plain text), and the draft of that page is compared: a measure of the same
    documents in another layout, not of unseen documents.

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
    tmp = tempfile.TemporaryDirectory() if wrapper is not None else None
    for doc in spec["documents"]:
        path = data_dir / "raw" / doc["file"]
        if wrapper is not None:
            raw, _ = read_raw(path, doc.get("encoding"))
            clean = clean_document(raw, headline=doc.get("title"))
            headline = doc.get("title") or clean.metadata.get("title") or DEFAULT_HEADLINE
            path = Path(tmp.name) / Path(doc["file"]).with_suffix(".txt").name
            path.write_text(wrap_text(clean.text, wrapper, headline), encoding="utf-8", newline="")
        entry = draft_document(path, encoding=None if wrapper is not None else doc.get("encoding"))
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
                    row[f"{f}_ok"] = str(match.get(f) or "") == str(getattr(u, f))
            rows.append(row)
    if tmp is not None:
        tmp.cleanup()
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


#: The synthetic layouts the README reports draft accuracy on (names in :data:`analysis.ingest.wrappers.WRAPPERS`).
VARIANTS = ("bare-one-per-line", "gov-portal-one-per-line", "wechat-blank-lines", "wrapped-60-one-per-line")


def evaluate_variants(data_dir=None, names=VARIANTS) -> pd.DataFrame:
    """:func:`evaluate_drafts` of the seed documents saved in each synthetic page ``names``.

    Returns
    -------
    pandas.DataFrame
        One row per layout: ``wrapper``, ``found``, ``meeting_units``, ``fields_matched``,
        ``fields_compared``.
    """
    by_name = {w.name: w for w in WRAPPERS}
    rows = []
    for name in names:
        _, s = evaluate_drafts(data_dir, by_name[name])
        rows.append({"wrapper": name, "found": s["found"], "meeting_units": s["meeting_units"],
                     "fields_matched": s["fields_matched"], "fields_compared": s["fields_compared"]})
    return pd.DataFrame(rows)


def variants_sentence(table: pd.DataFrame) -> str:
    """The README sentence reporting :func:`evaluate_variants` (checked by a test)."""
    parts = [f"{r.wrapper}: {r.found} of {r.meeting_units} units found, {r.fields_matched} of "
             f"{r.fields_compared} fields" for r in table.itertuples()]
    return ("The same documents saved as synthetic plain-text pages (front matter and HTML lost, "
            "`analysis/ingest/wrappers.py`): " + "; ".join(parts) + ".")


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
        print(variants_sentence(evaluate_variants()))
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
