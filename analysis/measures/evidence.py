"""The evidence base of a comparison: which meetings, units, places, outlets and speakers
each side rests on, how many of them are excerpts, and how many tokens.

A keyness table or a theme heatmap says nothing about what it was computed from.
:func:`evidence_base` states it, for printing beside the result, and flags a side that
rests on a single meeting (``meeting_id``: the speaker sub-units of one report are one
meeting; no between-meeting inference is possible there) or on a single document.  :func:`prose_facts` computes the numbers that the notebooks' and README's
prose quote (token totals, excerpt counts and lengths, lexicon sizes), so that prose
can be generated from them or tested against them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.ingest.corpus import default_data_dir

__all__ = ["evidence_base", "EvidenceBase", "prose_facts", "places_with", "lexicon_sizes", "inference_scope"]

_UNIT_COLUMNS = ["side", "unit_id", "doc_id", "meeting_id", "place", "outlet", "speaker", "excerpt", "n_chars",
                 "n_tokens"]


@dataclass(frozen=True)
class EvidenceBase:
    """What each side of a comparison rests on.

    Attributes
    ----------
    units : pandas.DataFrame
        One row per unit: ``side`` ("target"/"reference"), ``unit_id``, ``doc_id``,
        ``meeting_id`` (the sampling unit, :func:`analysis.measures.inference.sampling_units`), ``place``, ``outlet``, ``speaker``, ``excerpt`` (bool), ``n_chars``,
        ``n_tokens`` (kept tokens; ``<NA>`` when the table is not tokenized).
    sides : pandas.DataFrame
        One row per side: ``side``, ``label`` (the group value(s)), ``n_units``,
        ``n_meetings`` (distinct ``meeting_id``: what inference counts), ``n_documents``
        (distinct ``doc_id``), ``n_places``, ``places``, ``outlets``,
        ``speakers`` (``"、"``-joined, sorted), ``n_excerpt`` (excerpt units),
        ``n_tokens``, ``n_tokens_excerpt``, ``single_meeting`` (the side is one meeting,
        however many units: no between-meeting inference), ``single_unit`` (the side is
        one unit), ``single_document`` (all its units come from one document, e.g. two speeches of
        one meeting), ``policy`` (range and mean of the columns added by
        :func:`analysis.with_policy`, when the table has them; units also get those columns).
    summary : str
        One line per side, for printing beside a result.
    """

    units: pd.DataFrame
    sides: pd.DataFrame
    summary: str

    def __str__(self) -> str:
        return self.summary

    def _repr_markdown_(self) -> str:  # notebooks show the summary, not the dataclass
        return "**Evidence base.** " + self.summary.replace("\n", "  \n")


def _table(obj) -> pd.DataFrame:
    """A corpus table (tokenized or not) or a DocumentTermMatrix -> per-unit metadata."""
    if hasattr(obj, "docvars") and hasattr(obj, "n_tokens"):
        df = obj.docvars.copy()
        df["n_tokens"] = np.asarray(obj.n_tokens)
        return df
    if not isinstance(obj, pd.DataFrame):
        raise TypeError("evidence_base needs a corpus table (load_corpus/tokenize_corpus) or a "
                        "DocumentTermMatrix")
    df = obj.copy()
    df.attrs = {}  # e.g. load_broadcast's parse report: pandas cannot concat tables whose attrs hold frames
    if "n_tokens" not in df.columns:
        df["n_tokens"] = df["tokens"].map(len) if "tokens" in df.columns else pd.NA
    return df


def _label(v) -> str:
    if isinstance(v, (list, tuple, set, frozenset)):
        return " + ".join(str(x) for x in v)
    return str(v)


def _select(col: pd.Series, value) -> pd.Series:
    if isinstance(value, (list, tuple, set, frozenset)):
        return col.isin(list(value))
    return col == value


def _join(values) -> str:
    vals = sorted({str(v) for v in values if isinstance(v, str) and v} |
                  {str(v) for v in values if not isinstance(v, str) and pd.notna(v)})
    return "、".join(vals)


def evidence_base(corpus, by: str, target, reference=None) -> EvidenceBase:
    """State the evidence base of a comparison of ``target`` vs ``reference``.

    Parameters
    ----------
    corpus : pandas.DataFrame or DocumentTermMatrix
        The rows the comparison is computed from (after any filtering), e.g. the
        tokenized table passed to :func:`analysis.keyness`.
    by : str
        The grouping column (``period``, ``place``, ``speaker`` …).
    target : value or list of values
        The group(s) on the target side.
    reference : value or list of values, optional
        The reference group(s); default all other rows.

    Returns
    -------
    EvidenceBase
        ``units`` (tidy, one row per unit), ``sides`` (one row per side) and
        ``summary`` (one line per side).

    Raises
    ------
    ValueError
        If ``by`` is not a column, or a side has no rows.

    Examples
    --------
    >>> eb = evidence_base(tokens, by="period", target="2022-11", reference="2021-08")  # doctest: +SKIP
    >>> print(eb)                                                                      # doctest: +SKIP
    target 2022-11: 16 units (12 excerpts) from 5 documents; 14 places; ...
    """
    from analysis.measures.inference import sampling_units

    df = _table(corpus)
    df["meeting_id"] = sampling_units(df)[0]
    if by not in df.columns:
        raise ValueError(f"unknown column {by!r}; choose from "
                         f"{[c for c in df.columns if c not in ('text', 'tokens', 'sentences')]}")
    for col, default in (("doc_id", ""), ("place", ""), ("outlet", ""), ("speaker", ""),
                         ("excerpt", False), ("n_chars", pd.NA)):
        if col not in df.columns:
            df[col] = df["text"].str.len() if col == "n_chars" and "text" in df else default
    if "unit_id" not in df.columns:
        df["unit_id"] = [str(i) for i in df.index]
    t_mask = _select(df[by], target)
    r_mask = ~t_mask if reference is None else _select(df[by], reference) & ~t_mask
    parts, side_rows, lines = [], [], []
    for side, mask, value in (("target", t_mask, target),
                              ("reference", r_mask, reference if reference is not None else
                               f"all but {_label(target)}")):
        sub = df.loc[mask]
        if sub.empty:
            raise ValueError(f"the {side} side ({by} = {_label(value)!r}) has no rows; check the "
                             f"values of {by!r}: {sorted(map(str, df[by].unique()))}")
        units = sub.assign(side=side)[_UNIT_COLUMNS[1:] + ["side"]][_UNIT_COLUMNS]
        units["excerpt"] = units["excerpt"].astype(bool)
        policy = [c for c in sub.columns if _POLICY_COLUMN.match(str(c))]  # added by analysis.with_policy
        units[policy] = sub[policy]
        parts.append(units)
        tok = pd.to_numeric(units["n_tokens"], errors="coerce")
        has_tokens = tok.notna().all()
        speakers = _join(s for sp in units.speaker for s in str(sp).split("、"))
        row = dict(side=side, label=_label(value), n_units=len(units),
                   n_meetings=units.meeting_id.nunique(), n_documents=units.doc_id.nunique(), n_places=units.place.nunique(),
                   places=_join(units.place), outlets=_join(units.outlet), speakers=speakers,
                   n_excerpt=int(units.excerpt.sum()),
                   n_tokens=int(tok.sum()) if has_tokens else pd.NA,
                   n_tokens_excerpt=int(tok[units.excerpt].sum()) if has_tokens else pd.NA,
                   single_meeting=units.meeting_id.nunique() == 1,
                   single_unit=len(units) == 1, single_document=units.doc_id.nunique() == 1,
                   policy=_policy_summary(units[policy]))
        side_rows.append(row)
        lines.append(_line(row))
    sides = pd.DataFrame(side_rows)
    return EvidenceBase(pd.concat(parts, ignore_index=True), sides, "\n".join(lines))


def inference_scope(eb: EvidenceBase) -> str:
    """What each side of a comparison can and cannot support, in plain words.

    The same sentence wherever the same data are compared (notebooks 02, 03 and 05 print
    it), computed from the evidence base: a side that is a single meeting supports a
    description of what that one report says against the other side, but no
    between-meeting p-value or interval, no statement about other meetings of its group,
    and no separation of the group from that meeting's occasion; a side of several meetings
    supports meeting-level tests, which resample its meetings, when the other side has
    several meetings too.

    Parameters
    ----------
    eb : EvidenceBase
        From :func:`evidence_base`.

    Returns
    -------
    str
        One sentence per side, joined by spaces (Markdown).
    """
    out = []
    thin = bool(eb.sides["single_meeting"].any())
    for r in eb.sides.itertuples(index=False):
        units = f"{r.n_units} unit{'s' if r.n_units != 1 else ''}"
        if r.n_excerpt:
            units += f", {r.n_excerpt} of them excerpts"
        tokens = "" if pd.isna(r.n_tokens) else f", {int(r.n_tokens):,} tokens"
        if r.single_meeting:
            who = f"; speakers {r.speakers}" if r.n_units > 1 and r.speakers else ""
            out.append(
                f"The {r.side} side ({r.label}) is **a single meeting** ({units}{who}{tokens}; outlet "
                f"{_short(r.outlets)}): it supports a description of what that one report says compared with the "
                f"other side, but no between-meeting p-value or interval, no statement about other "
                f"{r.label} meetings, and no way to separate {r.label} from that meeting's own occasion.")
        else:
            one_doc = " all known through one document," if r.single_document else ""
            out.append(f"The {r.side} side ({r.label}) has {r.n_meetings} meetings ({units}{tokens}),{one_doc} "
                       + ("but against a single meeting no meeting-level test or interval of the comparison exists."
                          if thin else "so meeting-level tests and intervals, which resample these meetings, "
                                       "apply to it."))
    return " ".join(out)


def _short(values: str, n: int = 6) -> str:
    items = values.split("、") if values else []
    if len(items) <= n:
        return ", ".join(items) or "—"
    return ", ".join(items[:n]) + f" … (+{len(items) - n})"


def _line(row: dict) -> str:
    units = f"{row['n_units']} unit{'s' if row['n_units'] != 1 else ''}"
    if row["n_excerpt"]:
        units += f" ({row['n_excerpt']} excerpt{'s' if row['n_excerpt'] != 1 else ''})"
    docs = f"{row['n_documents']} document{'s' if row['n_documents'] != 1 else ''}"
    meetings = f"{row['n_meetings']} meeting{'s' if row['n_meetings'] != 1 else ''}"
    warn = ""
    if row["single_meeting"]:
        warn = " — ONE MEETING: no between-meeting inference is possible"
    elif row["single_document"]:
        warn = " — ONE DOCUMENT: its meetings are known through a single text"
    tokens = "" if pd.isna(row["n_tokens"]) else f"; {row['n_tokens']:,} tokens"
    if row["n_excerpt"] and not pd.isna(row["n_tokens_excerpt"]):
        tokens += f" ({row['n_tokens_excerpt']:,} in excerpts)"
    policy = f"; {row['policy']}" if row.get("policy") else ""
    return (f"{row['side']} {row['label']}: {meetings} ({units}) from {docs}; "
            f"{row['n_places']} place{'s' if row['n_places'] != 1 else ''} ({_short(row['places'])}); "
            f"outlets {_short(row['outlets'])}; speakers {_short(row['speakers'])}{tokens}{policy}{warn}")


#: Columns added by :func:`analysis.with_policy` (an OxCGRT index on / before a unit's date).
_POLICY_COLUMN = re.compile(r"^(stringency|containment_health|government_response|economic_support)"
                            r"_(on_date|mean_\d+d_before)$")


def _policy_summary(cols: pd.DataFrame) -> str:
    """``"stringency_on_date 37.9–90.7 (mean 66.1; 1 unknown)"`` for each policy column."""
    parts = []
    for c in cols.columns:
        v = pd.to_numeric(cols[c], errors="coerce")
        unknown = f"; {int(v.isna().sum())} unknown" if v.isna().any() else ""
        parts.append(f"{c} {v.min():.1f}–{v.max():.1f} (mean {v.mean():.1f}{unknown})" if v.notna().any()
                     else f"{c} unknown")
    return ", ".join(parts)


# ---------------------------------------------------------------- facts quoted in prose

def lexicon_sizes(lexicon_dir=None) -> dict:
    """Entries of each lexicon file (and of stopwordsiso's ``zh`` list).

    Returns
    -------
    dict
        ``policy_terms``, ``names``, ``titles``, ``stopwords_project``,
        ``stopwords_keep``, ``stopwordsiso_zh``: numbers of entries.
    """
    import stopwordsiso

    from analysis.text.hygiene import load_names, load_titles
    from analysis.text.tokens import read_word_list

    lex = Path(lexicon_dir or default_data_dir() / "lexicon")
    return {
        "policy_terms": len(read_word_list(lex / "policy_terms.txt", with_freq=True)),
        "names": len(load_names(lex)),
        "titles": len(load_titles(lex)),
        "stopwords_project": len(read_word_list(lex / "stopwords_project.txt")),
        "stopwords_keep": len(read_word_list(lex / "stopwords_keep.txt")),
        "stopwordsiso_zh": len(set(stopwordsiso.stopwords("zh"))),
    }


def places_with(corpus: pd.DataFrame, terms, by: str = "place") -> pd.DataFrame:
    """Occurrences of each term per group, matched in the cleaned text (as KWIC does).

    Parameters
    ----------
    corpus : pandas.DataFrame
        Corpus table with ``text`` and the ``by`` column.
    terms : str or list of str
    by : str, default "place"

    Returns
    -------
    pandas.DataFrame
        Index: the groups (sorted); one column per term (non-overlapping occurrences
        in the group's units) and ``any`` (True where at least one term occurs).
    """
    terms = [terms] if isinstance(terms, str) else list(terms)
    out = pd.DataFrame({t: corpus.groupby(by)["text"].apply(
        lambda s, t=t: sum(len(re.findall(re.escape(t), x)) for x in s)) for t in terms})
    out["any"] = out[terms].sum(axis=1) > 0
    return out.sort_index()


def prose_facts(corpus: pd.DataFrame, tokens: pd.DataFrame | None = None, *,
                period_by: str = "period", terms=("层层加码", "一刀切")) -> dict:
    """The numbers the notebooks' and README's prose quote, computed.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The full corpus table (:func:`analysis.load_corpus`).
    tokens : pandas.DataFrame, optional
        The tokenized units a notebook compares (e.g. provincial and municipal
        reports without the duplicate); gives the token totals per period and the
        places where ``terms`` occur.
    period_by : str
        Column of the periods.
    terms : sequence of str
        Terms whose places are counted (default the anti-overreach pair).

    Returns
    -------
    dict
        ``tokens_per_period`` (dict period -> kept tokens), ``units_per_period``,
        ``n_excerpt_units``, ``n_excerpt_provincial``, ``excerpt_only_places`` (places
        known only from excerpts: sorted list), ``excerpt_chars`` ((min, max)
        characters of the provincial excerpts), ``lexicon`` (:func:`lexicon_sizes`),
        ``term_places`` (list of places where any of ``terms`` occurs),
        ``n_places`` (places in ``tokens``), ``tokens_by_speaker`` (dict period ->
        {speaker: kept tokens}: e.g. the governor's share of the 2021 reference).
    """
    ex = corpus[corpus["excerpt"]]
    prov = ex[ex.level.isin(["provincial", "municipal"])]
    full = set(corpus.loc[~corpus["excerpt"] & corpus.level.isin(["provincial", "municipal"]),
                          "place"])
    facts = {
        "n_excerpt_units": int(len(ex)),
        "n_excerpt_provincial": int(len(prov)),
        "excerpt_only_places": sorted(set(prov.place) - full),
        "excerpt_chars": (int(prov.n_chars.min()), int(prov.n_chars.max())) if len(prov) else None,
        "lexicon": lexicon_sizes(),
    }
    if tokens is not None:
        facts["tokens_per_period"] = {str(k): int(v) for k, v in
                                      tokens.groupby(period_by)["n_tokens"].sum().items()}
        facts["units_per_period"] = {str(k): int(v) for k, v in
                                     tokens.groupby(period_by).size().items()}
        pw = places_with(tokens, list(terms))
        facts["term_places"] = [str(p) for p in pw.index[pw["any"]]]
        facts["n_places"] = int(tokens["place"].nunique())
        facts["tokens_by_speaker"] = {
            str(p): {str(sp): int(n) for sp, n in g.groupby("speaker")["n_tokens"].sum().items()}
            for p, g in tokens.groupby(period_by)}
    return facts
