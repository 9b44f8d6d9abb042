"""Echo of the centre: how much of a unit repeats central texts verbatim, and in which move.

For each unit, a character is *echoed* when it lies inside a passage of at least
``min_chars`` consecutive characters (whitespace ignored, document titles masked: citing
"进一步优化防控工作的二十条措施" names the notice, it does not repeat its text) that also
occurs in a central text.  The central texts of a unit dated ``d`` are

* the corpus's national units (``level == "national"``) dated on or before ``d`` (a text
  cannot echo what was published after it), and
* the 新闻联播 stories of the ``days`` days before the meeting, ``d - days`` to ``d - 1``
  (the evening news of the meeting day itself is left out: it airs after most
  meetings and often reports them).

The measure is the union of shared ``min_chars``-grams, as
:func:`analysis.text_reuse` computes it, here against a different source per unit and
split by readout move (:mod:`analysis.measures.moves`), so a reader sees whether the echo
sits in ``study`` or reaches ``direct``.  Each echoed passage is listed with the central
text that holds most of it (its unit id, date and title).

Memory stays bounded on the 2,480-day broadcast corpus: units are processed in date
order, only the stories of the current window are held (days entering the window are
read, days leaving it dropped), and the n-gram index is built from the *units* of one
date (a few thousand grams), against which the window's stories are streamed.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["echo", "EchoResult", "echo_summary"]

_MASK = "\x00"


@dataclass
class EchoResult:
    """What :func:`echo` returns.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per target unit: ``unit_id``, ``date``, ``place``, ``excerpt``,
        ``n_chars`` (non-whitespace characters outside titles), ``echo_chars``,
        ``echo_share`` (0–1), ``national_chars`` and ``broadcast_chars`` (echoed
        characters whose passage's best source is a national unit / a story; they sum to
        ``echo_chars``), ``n_stories`` (stories in the unit's window).
    by_move : pandas.DataFrame
        ``unit_id, move, n_chars, echo_chars, echo_share`` for every unit and move with text.
    passages : pandas.DataFrame
        ``unit_id, move, start, end`` (offsets in the unit's ``text``), ``n_chars``,
        ``passage`` (as the unit shows it, original script), ``source_id``,
        ``source_kind`` ("national unit" or "新闻联播"), ``source_date``, ``source_title``.
    note : str
        Which central texts were used (and, without the broadcast corpus, that it ran on
        the national units alone and why).
    params : dict
        ``days``, ``min_chars``, ``targets``, ``central`` (= ``note``) and, when the
        broadcast corpus was read, its ``corpus_commit`` and ``registry_hash`` (for a
        figure's manifest row).
    """

    units: pd.DataFrame
    by_move: pd.DataFrame
    passages: pd.DataFrame
    note: str
    params: dict = field(default_factory=dict)


def _compact(text: str, matcher) -> tuple[str, np.ndarray]:
    """``text`` without whitespace, titles replaced by the mask character, and the
    original offset of each kept character."""
    from analysis.text.hygiene import title_spans

    chars = list(text)
    for s, e, _ in title_spans(text, matcher):
        for i in range(s, e):
            chars[i] = _MASK
    keep = [i for i, c in enumerate(text) if not c.isspace()]
    return "".join(chars[i] for i in keep), np.asarray(keep, dtype=np.int64)


def _index(targets: list[str], k: int) -> dict[str, list]:
    """gram -> [(target number, offset)] over the compact target texts."""
    idx: dict[str, list] = {}
    for t, c in enumerate(targets):
        for i in range(len(c) - k + 1):
            g = c[i:i + k]
            if _MASK not in g:
                idx.setdefault(g, []).append((t, i))
    return idx


def _cover(index: dict, source: str, k: int, lengths: list[int]) -> dict[int, np.ndarray]:
    """target number -> boolean coverage of its compact text by grams of ``source``."""
    out: dict[int, np.ndarray] = {}
    seen = set()
    for i in range(len(source) - k + 1):
        g = source[i:i + k]
        if g in seen or g not in index:
            continue
        seen.add(g)
        for t, j in index[g]:
            if t not in out:
                out[t] = np.zeros(lengths[t], dtype=bool)
            out[t][j:j + k] = True
    return out


def _window_loader(broadcast, mirror, days: int):
    """A function date -> stories of the window before it, and a note on the source.

    Keeps only the window's days in memory (the loader is called in date order)."""
    from analysis.sources.broadcast import BroadcastUnavailable, load_broadcast, read_registry

    if broadcast is None or broadcast is False:
        return None, "national units only (broadcast=None)"
    if isinstance(broadcast, pd.DataFrame):
        table = broadcast

        def from_table(d):
            lo, hi = (d - _dt.timedelta(days=days)).isoformat(), (d - _dt.timedelta(days=1)).isoformat()
            dates = table["date"].astype(str)
            return table[(dates >= lo) & (dates <= hi)]

        return from_table, f"national units and the 新闻联播 stories of the {days} days before each meeting"
    covered = sorted(n[5:13] for n in read_registry())
    in_registry = set(covered)  # the registry has gaps (days without a transcript)
    held: dict[str, pd.DataFrame] = {}

    def from_corpus(d):
        wanted = [(d - _dt.timedelta(days=i)).strftime("%Y%m%d") for i in range(days, 0, -1)]
        wanted = [w for w in wanted if w in in_registry]
        for day in list(held):
            if day not in wanted:
                del held[day]
        missing = [w for w in wanted if w not in held]
        if missing:
            new = load_broadcast(f"{missing[0][:4]}-{missing[0][4:6]}-{missing[0][6:]}",
                                 f"{missing[-1][:4]}-{missing[-1][4:6]}-{missing[-1][6:]}",
                                 mirror=mirror, progressbar=False)
            keys = new["date"].astype(str).str.replace("-", "")
            new.attrs = {}  # the parse report is not needed here
            for day in missing:
                held[day] = new[keys == day]
        parts = [held[w] for w in wanted if w in held]
        return pd.concat(parts, ignore_index=True) if parts else None

    try:  # is the corpus reachable at all?  (one day, the first of the registry)
        load_broadcast(f"{covered[0][:4]}-{covered[0][4:6]}-{covered[0][6:]}",
                       f"{covered[0][:4]}-{covered[0][4:6]}-{covered[0][6:]}", mirror=mirror,
                       progressbar=False)
    except BroadcastUnavailable as e:
        return None, (f"national units only: the 新闻联播 corpus is not available ({str(e).splitlines()[0]}); "
                      f"set COVID_DISCOURSE_XWLB_MIRROR or go online to add the broadcast stories")
    from analysis.sources.broadcast import COMMIT, registry_hash

    from_corpus.provenance = dict(corpus_commit=COMMIT, registry_hash=registry_hash())
    return from_corpus, f"national units and the 新闻联播 stories of the {days} days before each meeting"


def echo(corpus: pd.DataFrame, *, spans: pd.DataFrame | None = None, targets=None,
         broadcast="auto", days: int = 14, min_chars: int = 12, titles=None,
         mirror=None) -> EchoResult:
    """Share of each unit's text found verbatim in central texts, by readout move.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Corpus table (``unit_id``, ``date``, ``level``, ``text``; ``display_text``,
        ``place``, ``excerpt`` when present).
    spans : pandas.DataFrame, optional
        Readout-move spans (default :func:`analysis.measures.moves.readout_moves`).
    targets : list of str, optional
        Unit ids to measure (default: every unit whose level is not ``national``).
    broadcast : "auto", pandas.DataFrame or None, default "auto"
        The 新闻联播 stories: ``"auto"`` reads the window of each meeting with
        :func:`analysis.load_broadcast` (mirror or download) and falls back to the national
        units alone, saying so in ``note``, when the corpus is not available; a story table
        (columns ``unit_id, date, title, text``) is used as given; None leaves stories out.
    days : int, default 14
        Stories of the ``days`` days before the meeting (``date - days`` … ``date - 1``).
    min_chars : int, default 12
        Shortest passage that counts (as :func:`analysis.text_reuse`).
    titles : dict, optional
        Document titles to mask (default ``data/lexicon/titles.txt`` and every 《…》).
    mirror : path, optional
        Local copy of the transcripts (default ``$COVID_DISCOURSE_XWLB_MIRROR``).

    Returns
    -------
    EchoResult
        ``units``, ``by_move``, ``passages`` and ``note`` (see :class:`EchoResult`).

    Raises
    ------
    ValueError
        ``min_chars < 2``, ``days < 1``, an unknown target, or a target without a date.
    """
    from analysis.text.hygiene import compile_titles
    from analysis.measures.moves import MOVES, readout_moves

    if min_chars < 2:
        raise ValueError("min_chars must be >= 2")
    if days < 1:
        raise ValueError("days must be >= 1")
    if spans is None:
        spans = readout_moves(corpus)
    k = min_chars
    matcher = compile_titles(titles)
    table = corpus.reset_index(drop=True)
    ids = table["unit_id"].astype(str).tolist()
    if targets is None:
        targets = [u for u, lv in zip(ids, table["level"]) if lv != "national"]
    unknown = [t for t in targets if t not in ids]
    if unknown:
        raise ValueError(f"unknown target unit_id(s) {unknown}")
    rec = table.set_index("unit_id")
    dates = {}
    for t in targets:
        try:
            dates[t] = _dt.date.fromisoformat(str(rec.at[t, "date"])[:10])
        except ValueError:
            raise ValueError(f"unit {t!r} has no ISO date ({rec.at[t, 'date']!r}); echo needs the "
                             f"meeting date to choose its central texts") from None
    national = [(u, str(d)[:10], str(ti) if isinstance(ti, str) else "")
                for u, d, lv, ti in zip(ids, table["date"], table["level"], table.get("title", [""] * len(ids)))
                if lv == "national"]
    nat_text = {u: _compact(rec.at[u, "text"], matcher)[0] for u, _, _ in national}
    loader, note = _window_loader(broadcast, mirror, days)
    spans = spans.sort_values(["unit_id", "start"])
    span_of = {u: g for u, g in spans.groupby("unit_id", sort=False)}
    shown = {}
    for u in targets:
        t, d = rec.at[u, "text"], rec.at[u, "display_text"] if "display_text" in rec.columns else None
        shown[u] = d if isinstance(d, str) and len(d) == len(t) else t

    unit_rows, move_rows, passage_rows = [], [], []
    for d in sorted(set(dates.values())):
        group = [t for t in targets if dates[t] == d]
        compact = [_compact(rec.at[t, "text"], matcher) for t in group]
        texts = [c for c, _ in compact]
        lengths = [len(c) for c in texts]
        index = _index(texts, k)
        # central texts of this date, in the order that breaks ties: national, then stories (latest first)
        sources = [(u, "national unit", sd, ti, nat_text[u]) for u, sd, ti in national if sd <= d.isoformat()]
        stories = loader(d) if loader is not None else None
        n_stories = 0 if stories is None else len(stories)
        if stories is not None and len(stories):
            st = stories.sort_values(["date", "unit_id"], ascending=[False, True])
            for u, sd, ti, tx in zip(st["unit_id"], st["date"].astype(str), st["title"].fillna(""), st["text"]):
                sources.append((u, "新闻联播", sd[:10], ti, _compact(tx, matcher)[0]))
        covers = []  # per source: {target number: coverage}
        for sid, kind, sd, ti, stext in sources:
            cov = _cover(index, stext, k, lengths)
            if cov:
                covers.append(((sid, kind, sd, ti), cov))
        for n, u in enumerate(group):
            c, pos = compact[n]
            union = np.zeros(len(c), dtype=bool)
            mine = [(meta, cov[n]) for meta, cov in covers if n in cov and meta[0] != u]
            for _, cv in mine:
                union |= cv
            valid = np.array([ch != _MASK for ch in c], dtype=bool)
            # move of each compact character
            g = span_of.get(u)
            moves = np.empty(len(c), dtype=object)
            if g is not None and len(c):
                bounds = g["start"].to_numpy()
                which = np.searchsorted(bounds, pos, side="right") - 1
                moves[:] = g["move"].to_numpy()[which]
            # passages: maximal echoed runs, cut at move changes
            kinds = {"national unit": 0, "新闻联播": 0}
            i = 0
            while i < len(c):
                if not union[i]:
                    i += 1
                    continue
                j = i
                while j < len(c) and union[j] and moves[j] == moves[i]:
                    j += 1
                best = max(mine, key=lambda mc: int(mc[1][i:j].sum()))  # first of the maxima
                sid, kind, sd, ti = best[0]
                kinds[kind] += j - i
                s0, e0 = int(pos[i]), int(pos[j - 1]) + 1
                passage_rows.append((u, moves[i], s0, e0, j - i, shown[u][s0:e0], sid, kind, sd, ti))
                i = j
            n_chars = int(valid.sum())
            echoed = int(union.sum())
            unit_rows.append((u, d.isoformat(), n_chars, echoed, echoed / n_chars if n_chars else 0.0,
                              kinds["national unit"], kinds["新闻联播"], n_stories))
            for m in MOVES:
                sel = (moves == m) & valid
                nm = int(sel.sum())
                if nm:
                    em = int((union & sel).sum())
                    move_rows.append((u, m, nm, em, em / nm))
    units = pd.DataFrame(unit_rows, columns=["unit_id", "date", "n_chars", "echo_chars", "echo_share",
                                             "national_chars", "broadcast_chars", "n_stories"])
    order = {u: i for i, u in enumerate(targets)}
    units = units.sort_values("unit_id", key=lambda s: s.map(order)).reset_index(drop=True)
    for col in ("place", "excerpt", "period", "level"):
        if col in rec.columns:
            units.insert(2, col, units["unit_id"].map(rec[col]))
    by_move = pd.DataFrame(move_rows, columns=["unit_id", "move", "n_chars", "echo_chars", "echo_share"])
    by_move = by_move.sort_values(["unit_id", "move"], key=lambda s: s.map(order) if s.name == "unit_id"
                                  else s.map({m: i for i, m in enumerate(MOVES)}), kind="mergesort")
    passages = pd.DataFrame(passage_rows, columns=["unit_id", "move", "start", "end", "n_chars", "passage",
                                                   "source_id", "source_kind", "source_date", "source_title"])
    passages = passages.sort_values(["unit_id", "start"], key=lambda s: s.map(order) if s.name == "unit_id"
                                    else s, kind="mergesort").reset_index(drop=True)
    params = dict(days=days, min_chars=min_chars, targets=list(targets), central=note)
    params.update(getattr(loader, "provenance", {}))
    return EchoResult(units, by_move.reset_index(drop=True), passages, note, params=params)


def echo_summary(result: EchoResult) -> str:
    """Plain-language summary of an :func:`echo` result (numbers computed, for prose)."""
    u = result.units
    n = len(u)
    if n == 0:
        return f"No units measured. Central texts: {result.note}."
    total_chars, total_echo = int(u["n_chars"].sum()), int(u["echo_chars"].sum())
    with_echo = int((u["echo_chars"] > 0).sum())
    bm = result.by_move.groupby("move")[["n_chars", "echo_chars"]].sum()
    bm = bm[bm["echo_chars"] > 0]
    parts = [f"{m}: {int(r.echo_chars):,} of {int(r.n_chars):,} characters ({r.echo_chars / r.n_chars:.1%})"
             for m, r in bm.sort_values("echo_chars", ascending=False).iterrows()]
    p = result.params
    lines = [f"Central texts: {result.note}; passages of at least {p.get('min_chars')} characters, titles masked.",
             f"{with_echo} of {n} units repeat central text verbatim; {total_echo:,} of {total_chars:,} "
             f"characters ({total_echo / total_chars:.1%}) in all."]
    if parts:
        lines.append("Echoed characters by move: " + "; ".join(parts) + ".")
    return "\n".join(lines)
