"""Readout moves: what each stretch of a meeting report *does*.

A Chinese meeting readout has a fixed anatomy.  It situates the meeting (date, body,
chair, attendance: ``frame``), conveys and studies the centre's documents and speeches
(传达学习, 学习贯彻…精神: ``study``), assesses the situation (会议指出 / 认为, 听取…汇报,
通报: ``assess``), stresses (强调: ``stress``) and directs (要求; enumerated 一要…/一是…;
sentences opening with 要…, 必须…, 各级…要…: ``direct``).  Everything else (a
journalist's narration, headings) is ``other``.

:func:`readout_moves` cuts every unit's cleaned text into spans, one move each, so that
every character belongs to exactly one span: a table ``unit_id, start, end, move, cue``
(half-open character offsets into the unit's ``text``).  The rules (:data:`CUES`, in the
README under "Readout moves") work on clauses:

1. a *cue* at the start of a clause opens a span of its move, which runs to the next cue;
2. a sentence (up to 。！？ or a line break) that contains a meeting verb (召开, 主持,
   出席, 列席, 参加会议, 设分会场, 作批示) opens a ``frame`` span at its start;
3. a paragraph whose start is not a cue is ``other`` until its first cue;
4. text the token hygiene excludes from counting (attendance lists, meeting format,
   bylines, outlet credits and attributions: :func:`analysis.text.hygiene.counting_spans`) is
   ``frame`` whatever surrounds it;
5. cues inside a document title (《…》 or a listed title) are ignored;
6. a unit can override the rules in the manifest (``moves:``, see :func:`manifest_moves`).

A unit without any cue is one ``other`` span, and a :class:`MovesWarning` names it.

:func:`move_agreement` compares the rules with the hand-annotated gold file
``data/moves_gold.yml`` (character-level accuracy, per-move precision, recall and F1).
:func:`move_corpus` turns spans into a corpus table of unit × move rows, so that
every measure of the document-term matrix works by move; :func:`move_shares` and
:func:`kwic_moves` give the anatomy of each unit and concordances labelled by move.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["MOVES", "CUES", "MovesWarning", "move_spans", "readout_moves", "manifest_moves",
           "load_moves_gold", "move_agreement", "move_corpus", "move_shares", "kwic_moves",
           "move_of_positions", "agreement_prose", "anatomy_prose"]

#: The move labels, in reading order.
MOVES = ("frame", "study", "assess", "stress", "direct", "other")


class MovesWarning(UserWarning):
    """A unit the rules could not read (no cue at all): it is one ``other`` span."""


_NUM = "一二三四五六七八九十"
#: characters that end a clause (a cue can only start right after one of them)
_CLAUSE_END = "，。；！？：,;!?:\n"
_SENTENCE_END = "。！？!?\n"
#: a subject before a reporting verb: a run inside one clause
_SUBJECT = r"[^，。；！？：,;!?:\n]{0,40}?"
#: words that make the clause an object or a purpose, not a reported statement
#: (按照…要求，/ 落实…讲话要求，/ 要…) and noun compounds of 要求 (严格要求, 工作要求)
_NOT_SUBJECT = re.compile(r"按照|根据|依照|对照|遵照|落实|贯彻|执行|坚持|要|必须|的|《|“|‘")
_NOUN_BEFORE_VERB = re.compile(r"(?:严格|工作|具体|总体|基本|有关|相关|各项|这一|这些|新)$")

#: The cues, tried at each clause start in this order: (move, name, pattern, where).
#: ``where`` is "clause" (any clause start) or "sentence" (only at a sentence start).
#: The named group ``cue`` is what the ``cue`` column shows.
CUES: tuple = (
    # enumerated directives: 一要 / 二是 / 第三， / （四） / 五、
    ("direct", "enumerator",
     re.compile(rf"(?P<cue>[{_NUM}]{{1,2}}(?:要|是)|第[{_NUM}]{{1,2}}(?=[，、,])|（[{_NUM}]{{1,2}}）|[{_NUM}]{{1,2}}、)"),
     "clause"),
    # the meeting conveys / studies central documents: 会议认真学习贯彻…精神 / 传达学习…
    ("study", "study verb",
     re.compile(r"(?:会议|会上|全会|常委会)?(?:首先|还|并|认真|深入|专题|集中|及时|原原本本|第一时间)*"
                r"(?P<cue>传达学习|学习贯彻|传达贯彻|学习传达|学习领会|传达|学习)了?"
                r"(?=[^，。；！？\n]*(?:精神|指示|讲话|批示|会议|决策部署|重要论述|通知|《))"),
     "clause"),
    # situation reports: 听取…汇报 / 会议通报… / 省卫健委通报了… / 郑州市汇报了…
    ("assess", "report",
     re.compile(r"(?:会议|会上)?(?:首先|还|并|同时)?(?P<cue>听取|通报)|"
                + _SUBJECT + r"(?P<cue2>通报了|汇报了)"),
     "clause"),
    # reporting verbs closing their clause: 会议指出， / 楼阳生强调： / 他强调了 / 安伟要求，
    ("verb", "reporting verb",
     re.compile(rf"(?P<subject>{_SUBJECT})(?P<cue>指出|认为|表示|介绍|强调|要求)"
                r"(?:了|[，：,:]|(?=要|必须|务必))"),
     "clause"),
    # a reporting verb opening its clause, the subject given before: …召开会议，要求全省各地…
    ("verb", "clause-initial verb",
     re.compile(r"(?:同时|还|并|也|进一步|明确)*(?P<cue>强调|要求|指出)(?!的)"),
     "clause"),
    # a sentence that opens with an imperative: 要… / 各级干部要… / 全市上下务必要… / 必须…
    ("direct", "imperative",
     re.compile(r"(?P<subject>[^，。；！？：、,;!?:\n“”]{0,12}?)"
                r"(?P<cue>(?<![只主重需想快紧险首纲简摘])要(?![求点素害闻是])|必须|务必|一定要|决不能|绝不能|严禁|不得)"),
     "sentence"),
)

#: reporting verb -> move
_VERB_MOVE = {"指出": "assess", "认为": "assess", "表示": "assess", "介绍": "assess",
              "强调": "stress", "要求": "direct"}
#: a sentence holding one of these reports the meeting as an event: it opens a frame span
_FRAME_VERBS = re.compile(r"召开|主持|出席|列席|参加会议|设分会场|作出?批示")
#: hygiene reasons (analysis.text.hygiene.RULES) that are frame text
_HYGIENE_FRAME = ("attendance list", "meeting format", "byline", "outlet credit", "outlet attribution")


def _starts(text: str, ends: str) -> list[int]:
    """Positions after each character of ``ends`` (and 0), whitespace skipped."""
    out = [0]
    out += [i + 1 for i, c in enumerate(text) if c in ends]
    res = []
    for p in out:
        while p < len(text) and text[p] in " \t\u3000":
            p += 1
        if p < len(text) and (not res or res[-1] != p):
            res.append(p)
    return sorted(set(res))


def _in_any(pos: int, spans) -> bool:
    return any(s <= pos < e for s, e in spans)


def _match_cue(text: str, p: int, sentence_start: bool, titles: list) -> tuple[str, str, int] | None:
    """The first cue matching at clause start ``p``: (move, cue text, cue position)."""
    for move, _name, pattern, where in CUES:
        if where == "sentence" and not sentence_start:
            continue
        m = pattern.match(text, p)
        if not m:
            continue
        groups = m.groupdict()
        cue_key = "cue" if groups.get("cue") else "cue2"
        cue_pos = m.start(cue_key)
        if _in_any(cue_pos, titles):
            continue
        subject = groups.get("subject")
        if subject:
            if _NOT_SUBJECT.search(subject) or _NOUN_BEFORE_VERB.search(subject):
                continue
        if move == "verb":
            move = _VERB_MOVE[m.group("cue")]
        return move, m.group(cue_key), cue_pos
    return None


def move_spans(text: str, *, titles=None) -> list[tuple[int, int, str, str]]:
    """Cut one text into readout-move spans by the rules (no overrides).

    Parameters
    ----------
    text : str
        A unit's cleaned text (the corpus table's ``text``).
    titles : dict or analysis.text.hygiene.TitleMatcher, optional
        Document titles whose text holds no cue (default ``data/lexicon/titles.txt`` plus
        every quoted 《…》).

    Returns
    -------
    list of (start, end, move, cue)
        Half-open character offsets, contiguous, covering ``text`` from 0 to ``len(text)``;
        ``move`` one of :data:`MOVES`; ``cue`` the text that opened the span (``"指出"``,
        ``"一要"``, ``"召开"``, a hygiene reason such as ``"attendance list"``), or ``""``
        for ``other`` text before any cue.  Empty for an empty text.

    Examples
    --------
    >>> move_spans("会议指出，形势严峻。会议要求，一要加强领导。")
    [(0, 10, 'assess', '指出'), (10, 15, 'direct', '要求'), (15, 22, 'direct', '一要')]
    """
    from analysis.text.hygiene import counting_spans, title_spans

    if not text:
        return []
    tspans = [(s, e) for s, e, _ in title_spans(text, titles)]
    sentence_starts = set(_starts(text, _SENTENCE_END))
    paragraph_starts = set(_starts(text, "\n"))
    # boundaries: position -> (priority, move, cue); higher priority wins at one position
    bounds: dict[int, tuple[int, str, str]] = {}

    def put(pos, prio, move, cue):
        if pos not in bounds or bounds[pos][0] < prio:
            bounds[pos] = (prio, move, cue)

    for p in paragraph_starts:
        put(p, 0, "other", "")
    for p in sentence_starts:
        end = min([text.find(c, p) for c in _SENTENCE_END if text.find(c, p) >= 0] or [len(text)])
        sentence = text[p:end]
        fm = _FRAME_VERBS.search(sentence)
        if fm and not _in_any(p + fm.start(), tspans) and not re.search(r"要|必须", sentence[:fm.start()]):
            put(p, 1, "frame", fm.group())
    for p in _starts(text, _CLAUSE_END):
        found = _match_cue(text, p, p in sentence_starts, tspans)
        if found:
            move, cue, _ = found
            put(p, 2, move, cue)
    positions = sorted(bounds)
    if not positions:  # whitespace only
        return [(0, len(text), "other", "")]
    spans = []
    if positions[0] > 0:  # leading whitespace only: it joins the first span
        first = positions[0]
        bounds[0] = bounds.pop(first)
        positions = sorted(bounds)
    for i, p in enumerate(positions):
        e = positions[i + 1] if i + 1 < len(positions) else len(text)
        spans.append((p, e, bounds[p][1], bounds[p][2]))
    for s, e, reason in counting_spans(text):
        if reason in _HYGIENE_FRAME:
            spans = _overlay(spans, s, e, "frame", reason)
    return _merge_same(_absorb_blank(spans, text))


def _absorb_blank(spans: list, text: str) -> list:
    """Whitespace-only spans (left between two overlays) join the span before them."""
    out: list = []
    for a, b, m, c in spans:
        if out and not text[a:b].strip():
            out[-1] = (out[-1][0], b, *out[-1][2:])
        else:
            out.append((a, b, m, c))
    return out


def _overlay(spans: list, s: int, e: int, move: str, cue: str) -> list:
    """``spans`` with [s, e) replaced by one span of ``move``."""
    out = []
    for a, b, m, c in spans:
        if b <= s or a >= e:
            out.append((a, b, m, c))
            continue
        if a < s:
            out.append((a, s, m, c))
        if b > e:
            out.append((e, b, m, c))
    out.append((s, e, move, cue))
    return sorted(out)


def _merge_same(spans: list) -> list:
    """Join neighbours with the same move and cue (a paragraph break inside one move)."""
    out: list = []
    for a, b, m, c in spans:
        if out and out[-1][2] == m and out[-1][1] == a and (out[-1][3] == c or c == ""):
            out[-1] = (out[-1][0], b, m, out[-1][3])
        else:
            out.append((a, b, m, c))
    return out


# -- overrides in the manifest -------------------------------------------------------------
_OVERRIDE_KEYS = {"start", "end", "move"}


def manifest_moves(data_dir=None) -> dict[str, list]:
    """The ``moves:`` overrides of ``corpus.yml``: unit_id -> list of ``{start, end, move}``.

    A unit in the manifest may carry::

        moves:
          - {start: 会议要求, end: 加强领导。, move: direct}

    ``start`` and ``end`` are anchors in the unit's text (matched like the manifest's
    anchors; ``end`` inclusive and optional: without it the span runs to the end of the
    paragraph holding ``start``); ``move`` is one of :data:`MOVES`.  The rules fill the
    rest of the unit.  Resolved and checked by :func:`readout_moves`.
    """
    from analysis.ingest.corpus import CorpusError, default_data_dir
    from analysis.infra.safe_yaml import load_yaml_safely

    path = Path(data_dir) if data_dir is not None else default_data_dir()
    spec = load_yaml_safely(path / "corpus.yml", "manifest", error=CorpusError)
    out: dict[str, list] = {}
    for doc in (spec or {}).get("documents") or []:
        for unit in (doc or {}).get("units") or [] if isinstance(doc, dict) else []:
            if isinstance(unit, dict) and unit.get("moves") is not None:
                out[str(unit.get("unit_id"))] = unit["moves"]
    return out


def _resolve_overrides(uid: str, text: str, entries) -> list[tuple[int, int, str, str]]:
    """Manifest ``moves:`` entries -> spans, with a CorpusError naming unit and field."""
    from analysis.ingest.corpus import CorpusError, find_anchor

    where = f"manifest, unit {uid!r}, `moves`"
    if not isinstance(entries, list):
        raise CorpusError(f"{where}: must be a list of {{start, end, move}}")
    out = []
    for i, x in enumerate(entries):
        w = f"{where} #{i + 1}"
        if not isinstance(x, dict):
            raise CorpusError(f"{w}: expected a mapping {{start, end, move}}")
        bad = sorted(set(x) - _OVERRIDE_KEYS)
        if bad:
            raise CorpusError(f"{w}: unknown key(s) {bad}; allowed: {sorted(_OVERRIDE_KEYS)}")
        move = x.get("move")
        if move not in MOVES:
            raise CorpusError(f"{w}, field `move`: {move!r} is not a move; use one of {list(MOVES)}")
        start = x.get("start")
        if not isinstance(start, str) or not start.strip():
            raise CorpusError(f"{w}, field `start`: needs an anchor (text of the unit)")
        found = find_anchor(text, start)
        if len(found) != 1:
            raise CorpusError(f"{w}, field `start`: anchor {start!r} occurs {len(found)} times in the "
                              f"unit's text; it must lie inside the unit exactly once (copy it from "
                              f"the unit's text, after any `exclude:`)")
        s, e = found[0]
        if x.get("end") is not None:
            if not isinstance(x["end"], str) or not x["end"].strip():
                raise CorpusError(f"{w}, field `end`: must be an anchor (text of the unit)")
            ends = find_anchor(text, x["end"], lo=s)
            if not ends:
                raise CorpusError(f"{w}, field `end`: anchor {x['end']!r} is not inside the unit after "
                                  f"the start anchor")
            e = ends[0][1]
        else:
            nl = text.find("\n", s)
            e = len(text) if nl < 0 else nl + 1
        for s2, e2, _, _ in out:
            if s < e2 and s2 < e:
                raise CorpusError(f"{w}, fields `start`/`end`: overlaps another `moves` span of the unit "
                                  f"({text[s2:e2][:20]!r}…); merge them or shorten one")
        out.append((s, e, move, "manifest"))
    return sorted(out)


def readout_moves(corpus: pd.DataFrame, *, overrides="manifest", data_dir=None,
                  titles=None) -> pd.DataFrame:
    """The readout-move spans of every unit of a corpus table.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Corpus table (``unit_id``, ``text``).
    overrides : "manifest", dict or None, default "manifest"
        Spans that replace the rules' where the rules are wrong: ``"manifest"`` reads the
        ``moves:`` entries of ``<data_dir>/corpus.yml`` (:func:`manifest_moves`); a dict
        maps unit_id to such entries; None uses the rules alone.
    data_dir : path, optional
        Folder of the manifest (default the repository's ``data/``).
    titles : dict, optional
        Document titles (default ``data/lexicon/titles.txt``), see :func:`move_spans`.

    Returns
    -------
    pandas.DataFrame
        ``unit_id, start, end, move, cue``: half-open offsets into the unit's ``text``,
        contiguous, every character of every unit in exactly one span; ``cue`` is
        ``"manifest"`` for an override.  ``attrs["no_cue"]``: units the rules could not
        read (one ``other`` span each).

    Raises
    ------
    analysis.CorpusError
        An override that is not inside its unit (anchor not found, or found twice), that
        overlaps another override of the unit, or names an unknown move: the message
        names the unit and the field.

    Warns
    -----
    MovesWarning
        Naming the units without any cue.
    """
    from analysis.text.hygiene import compile_titles

    if overrides == "manifest":
        overrides = manifest_moves(data_dir)
    overrides = overrides or {}
    matcher = compile_titles(titles)
    rows, no_cue = [], []
    for uid, text in zip(corpus["unit_id"], corpus["text"]):
        spans = move_spans(text, titles=matcher)
        if spans and all(m == "other" for _, _, m, _ in spans):
            no_cue.append(uid)
            spans = [(0, len(text), "other", "")]
        if uid in overrides:
            for s, e, m, c in _resolve_overrides(uid, text, overrides[uid]):
                spans = _overlay(spans, s, e, m, c)
        rows.extend((uid, s, e, m, c) for s, e, m, c in spans)
    if no_cue:
        warnings.warn(f"no readout cue in {len(no_cue)} unit(s): {', '.join(no_cue)}; each is one "
                      f"`other` span (add `moves:` to the manifest if that is wrong)", MovesWarning,
                      stacklevel=2)
    out = pd.DataFrame(rows, columns=["unit_id", "start", "end", "move", "cue"])
    out[["start", "end"]] = out[["start", "end"]].astype("int64")
    out.attrs["no_cue"] = no_cue
    return out


# -- agreement with the gold file -----------------------------------------------------------
def load_moves_gold(corpus: pd.DataFrame, path=None, *, data_dir=None) -> pd.DataFrame:
    """The hand-annotated gold spans (``data/moves_gold.yml``) as a spans table.

    Each unit lists ``[move, anchor]`` pairs: the move starts where the anchor occurs
    (searched from the previous boundary on) and runs to the next boundary.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The corpus table the anchors are found in.
    path : path, optional
        The gold file (default ``<data_dir>/moves_gold.yml``).  When the default file
        does not exist (a data folder without annotation), the table is empty and
        ``attrs["file"]`` is None.
    data_dir : path, optional
        Default the repository's ``data/``.

    Returns
    -------
    pandas.DataFrame
        ``unit_id, start, end, move, cue`` (``cue`` = the anchor), for the gold units
        present in ``corpus``; ``attrs["missing"]``: gold units not in ``corpus`` (left out).

    Raises
    ------
    ValueError
        An unknown move, or an anchor not found in order (naming unit and anchor).
    """
    from analysis.ingest.corpus import default_data_dir, find_anchor
    from analysis.infra.safe_yaml import load_yaml_safely

    columns = ["unit_id", "start", "end", "move", "cue"]
    if path is None:
        path = Path(data_dir if data_dir is not None else default_data_dir()) / "moves_gold.yml"
        if not path.is_file():
            out = pd.DataFrame(columns=columns)
            out.attrs.update(missing=[], file=None)
            return out
    path = Path(path)
    gold = load_yaml_safely(path, "moves gold file") or {}
    texts = dict(zip(corpus["unit_id"], corpus["text"]))
    rows, missing = [], []
    for uid, entries in gold.items():
        if uid not in texts:
            missing.append(uid)
            continue
        text, pos, bounds = texts[uid], 0, []
        for move, anchor in entries:
            if move not in MOVES:
                raise ValueError(f"{path.name}, unit {uid!r}: unknown move {move!r}")
            found = find_anchor(text, str(anchor), lo=pos)
            if not found:
                raise ValueError(f"{path.name}, unit {uid!r}: anchor {anchor!r} not found after offset {pos}")
            pos = found[0][0]
            bounds.append((pos, move, str(anchor)))
        if not bounds or text[:bounds[0][0]].strip():
            raise ValueError(f"{path.name}, unit {uid!r}: the first anchor must start the unit")
        bounds[0] = (0, *bounds[0][1:])
        for i, (s, m, a) in enumerate(bounds):
            e = bounds[i + 1][0] if i + 1 < len(bounds) else len(text)
            rows.append((uid, s, e, m, a))
    out = pd.DataFrame(rows, columns=columns)
    out[["start", "end"]] = out[["start", "end"]].astype("int64")
    out.attrs.update(missing=missing, file=str(path))
    return out


def _char_labels(spans: pd.DataFrame, texts: dict) -> dict[str, np.ndarray]:
    """unit_id -> array of move labels per non-whitespace character."""
    out = {}
    for uid, g in spans.groupby("unit_id", sort=False):
        text = texts[uid]
        lab = np.empty(len(text), dtype=object)
        for s, e, m in zip(g["start"], g["end"], g["move"]):
            lab[s:e] = m
        keep = np.array([not c.isspace() for c in text], dtype=bool)
        out[uid] = lab[keep]
    return out


def move_agreement(predicted: pd.DataFrame, gold: pd.DataFrame, corpus: pd.DataFrame) -> pd.DataFrame:
    """Character-level agreement of predicted move spans with gold spans.

    Whitespace is not counted.  Only units present in ``gold`` are compared.

    Parameters
    ----------
    predicted, gold : pandas.DataFrame
        Spans tables (:func:`readout_moves`, :func:`load_moves_gold`).
    corpus : pandas.DataFrame
        The corpus table the spans index into.

    Returns
    -------
    pandas.DataFrame
        One row per move of :data:`MOVES` plus ``all``: ``gold_chars``, ``predicted_chars``,
        ``correct_chars``, ``precision``, ``recall``, ``f1`` (per move: characters labelled
        that move by both, over those labelled by the rules / by the gold; NaN where a
        denominator is 0); the ``all`` row holds the character accuracy in ``precision``,
        ``recall`` and ``f1`` alike (every character has exactly one label on each side).
        ``attrs``: ``accuracy``, ``n_chars``, ``units``.
    """
    texts = dict(zip(corpus["unit_id"], corpus["text"]))
    units = list(dict.fromkeys(gold["unit_id"]))
    g = _char_labels(gold, texts)
    p = _char_labels(predicted[predicted["unit_id"].isin(units)], texts)
    gl = np.concatenate([g[u] for u in units]) if units else np.array([], dtype=object)
    pl = np.concatenate([p[u] for u in units]) if units else np.array([], dtype=object)
    rows = []
    for m in MOVES:
        ng, npred, nc = int((gl == m).sum()), int((pl == m).sum()), int(((gl == m) & (pl == m)).sum())
        prec = nc / npred if npred else np.nan
        rec = nc / ng if ng else np.nan
        f1 = 2 * nc / (ng + npred) if ng + npred else np.nan
        rows.append((m, ng, npred, nc, prec, rec, f1))
    n, correct = len(gl), int((gl == pl).sum())
    acc = correct / n if n else np.nan
    rows.append(("all", n, n, correct, acc, acc, acc))
    out = pd.DataFrame(rows, columns=["move", "gold_chars", "predicted_chars", "correct_chars",
                                      "precision", "recall", "f1"])
    out.attrs.update(accuracy=acc, n_chars=n, units=units)
    return out


# -- measures by move ----------------------------------------------------------------------
def move_corpus(corpus: pd.DataFrame, spans: pd.DataFrame | None = None, *,
                moves=None) -> pd.DataFrame:
    """A corpus table of unit × move rows: each unit's text of one move, as one row.

    The spans of a move are joined with a line break, in order, so the rows can go
    through :func:`analysis.document_term_matrix` and every measure of the matrix
    (frequencies, keyness, similarity) works by move: ``dtm.subset(dtm.docvars.move ==
    "direct")``.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The corpus table.
    spans : pandas.DataFrame, optional
        Move spans (default :func:`readout_moves` of ``corpus``).
    moves : list of str, optional
        Keep only these moves (default all with text).

    Returns
    -------
    pandas.DataFrame
        The corpus columns, one row per unit and move that has non-blank text, in corpus
        then :data:`MOVES` order, with ``unit_id`` = ``"<unit_id>#<move>"``, ``parent_id``
        (the unit), ``move``, ``text``/``display_text`` (the move's text) and ``n_chars``.
    """
    if spans is None:
        spans = readout_moves(corpus)
    wanted = list(MOVES) if moves is None else list(moves)
    unknown = [m for m in wanted if m not in MOVES]
    if unknown:
        raise ValueError(f"unknown move(s) {unknown}; choose from {list(MOVES)}")
    by_unit = {u: g for u, g in spans.groupby("unit_id", sort=False)}
    rows = []
    has_display = "display_text" in corpus.columns
    for rec in corpus.to_dict("records"):
        g = by_unit.get(rec["unit_id"])
        if g is None:
            continue
        text = rec["text"]
        shown = rec.get("display_text") if has_display else None
        if not isinstance(shown, str) or len(shown) != len(text):
            shown = text
        for m in wanted:
            sel = g[g["move"] == m]
            if sel.empty:
                continue
            body = "\n".join(text[s:e].strip() for s, e in zip(sel["start"], sel["end"]))
            if not body.strip():
                continue
            row = dict(rec)
            row.update(unit_id=f"{rec['unit_id']}#{m}", parent_id=rec["unit_id"], move=m, text=body,
                       n_chars=len(body))
            if has_display:
                row["display_text"] = "\n".join(shown[s:e].strip() for s, e in zip(sel["start"], sel["end"]))
            rows.append(row)
    cols = [*corpus.columns, "parent_id", "move"]
    return pd.DataFrame(rows, columns=cols).reset_index(drop=True)


def move_shares(spans: pd.DataFrame, corpus: pd.DataFrame) -> pd.DataFrame:
    """How much of each unit each move takes, in characters (whitespace not counted).

    Returns
    -------
    pandas.DataFrame
        One row per unit (corpus order), one column per move of :data:`MOVES` with the
        share of the unit's non-whitespace characters (0–1; each row sums to 1), plus
        ``n_chars``.  ``attrs["chars"]``: the same as character counts.
    """
    texts = dict(zip(corpus["unit_id"], corpus["text"]))
    chars = {u: dict.fromkeys(MOVES, 0) for u in corpus["unit_id"]}
    for uid, s, e, m in zip(spans["unit_id"], spans["start"], spans["end"], spans["move"]):
        if uid in chars:
            seg = texts[uid][s:e]
            chars[uid][m] += len(seg) - sum(c.isspace() for c in seg)
    counts = pd.DataFrame.from_dict(chars, orient="index")[list(MOVES)]
    counts.index.name = "unit_id"
    total = counts.sum(axis=1)
    shares = counts.div(total.where(total > 0), axis=0).fillna(0.0)
    shares["n_chars"] = total.astype("int64")
    shares = shares.reset_index()
    shares.attrs["chars"] = counts.reset_index()
    return shares


def move_of_positions(spans: pd.DataFrame, unit_ids, positions) -> list[str]:
    """The move of each (unit, character offset) pair ("" where no span covers it)."""
    by_unit = {u: (g["start"].to_numpy(), g["end"].to_numpy(), g["move"].to_numpy())
               for u, g in spans.sort_values(["unit_id", "start"]).groupby("unit_id", sort=False)}
    out = []
    for u, p in zip(unit_ids, positions):
        if u not in by_unit:
            out.append("")
            continue
        s, e, m = by_unit[u]
        i = int(np.searchsorted(s, p, side="right")) - 1
        out.append(str(m[i]) if i >= 0 and p < e[i] else "")
    return out


def kwic_moves(corpus: pd.DataFrame, term: str, spans: pd.DataFrame | None = None,
               window: int = 15) -> pd.DataFrame:
    """:func:`analysis.kwic` with the move of each line (column ``move``).

    Examples
    --------
    >>> df = pd.DataFrame({"unit_id": ["u"], "text": ["会议指出，形势严峻。会议要求，一要加强领导。"]})
    >>> kwic_moves(df, "加强", spans=readout_moves(df, overrides=None)).move.tolist()
    ['direct']
    """
    from analysis.measures.context import kwic

    if spans is None:
        spans = readout_moves(corpus)
    lines = kwic(corpus, term, window=window)
    lines.insert(2, "move", move_of_positions(spans, lines["unit_id"], lines["position"]))
    return lines


# -- prose -------------------------------------------------------------------------------------
def agreement_prose(agreement: pd.DataFrame) -> str:
    """One paragraph stating the rules' agreement with the gold file (numbers computed).

    Parameters
    ----------
    agreement : pandas.DataFrame
        :func:`move_agreement` output.
    """
    a = agreement.set_index("move")
    units = agreement.attrs.get("units", [])
    if not units:
        return ("No hand-annotated unit of this corpus (`moves_gold.yml` in the data folder): the rules' "
                "agreement is not measured here.")
    f1 = [f"{m} {a.at[m, 'f1']:.2f}" for m in MOVES if m in a.index and np.isfinite(a.at[m, "f1"])]
    worst = min(((a.at[m, "f1"], m) for m in MOVES if m in a.index and np.isfinite(a.at[m, "f1"])),
                default=None)
    text = (f"Against the hand-annotated gold file ({len(units)} unit{'s' if len(units) != 1 else ''}, "
            f"{int(agreement.attrs.get('n_chars', 0)):,} characters without whitespace), the rules label "
            f"{agreement.attrs.get('accuracy', float('nan')):.1%} of the characters as the annotation does; "
            f"F1 by move: {', '.join(f1)}.")
    if worst is not None:
        text += f" The weakest move is `{worst[1]}`."
    return text + (" These figures are in-sample: the rules were written while reading the same units, so "
                   "expect lower agreement on new documents.")


def anatomy_prose(shares: pd.DataFrame, groups: pd.Series) -> str:
    """How the mean move shares differ between groups (e.g. periods), in one paragraph.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`move_shares` output.
    groups : pandas.Series
        unit_id -> group label (e.g. ``corpus.set_index("unit_id").period``).
    """
    d = shares.assign(group=shares["unit_id"].map(groups)).dropna(subset=["group"])
    parts = []
    for g, sub in d.groupby("group", sort=True):
        main = sub[list(MOVES)].mean().sort_values(ascending=False)
        top = ", ".join(f"`{m}` {v:.0%}" for m, v in main.items() if v >= 0.005)
        parts.append(f"{g} ({len(sub)} unit{'s' if len(sub) != 1 else ''}): {top}")
    return ("Mean share of each unit's characters by move — " + "; ".join(parts) +
            ". Each unit counts once, whatever its length.")
