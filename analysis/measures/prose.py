"""Sentences for the notebooks' prose, built from computed values.

A notebook shows one call (``display(Markdown(A.corpus_limits(corpus, audit, dupes)))``) instead of a cell of
f-strings, so its text reads as a methods section and every number in it comes from the data; each builder is
tested against a small hand-made table (``tests/test_prose.py``).
"""
from __future__ import annotations

import pandas as pd

__all__ = ["audit_summary", "corpus_summary", "reuse_summary", "corpus_limits"]


def audit_summary(audit: pd.DataFrame) -> str:
    """One bold sentence: documents audited, with errors, with warnings.

    Parameters
    ----------
    audit : pandas.DataFrame
        :func:`analysis.corpus_audit`'s per-document table (``error`` and ``warnings`` columns, ``""`` when none).
    """
    return (f"**{len(audit)} documents audited, {int((audit.error != '').sum())} with errors, "
            f"{int((audit.warnings != '').sum())} with warnings.**")


def corpus_summary(corpus: pd.DataFrame) -> str:
    """The corpus in one sentence: units, documents, units per period, provinces with provincial units,
    outlet-framing units.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The corpus table (:func:`analysis.load_corpus`).
    """
    by_period = corpus.groupby("period").size()
    places = sorted(set(corpus.loc[corpus.level == "provincial", "province"]))
    return (f"**The corpus.** {len(corpus)} units from {corpus.doc_id.nunique()} documents "
            f"({', '.join(f'{n} in {p}' for p, n in by_period.items())}); "
            f"{len(places)} provinces have provincial-level units ({'、'.join(places)}); "
            f"{int((corpus.level == 'media').sum())} units are the outlets' own framing (`level = media`).")


def reuse_summary(dupes: pd.DataFrame, share: float = 0.5) -> str:
    """Which units share at least ``share`` of their characters with another unit.

    Parameters
    ----------
    dupes : pandas.DataFrame
        Rows of :func:`analysis.text_reuse` at or above ``share`` (``unit_id``, ``top_match``, ``reuse_share``).
    share : float
        The threshold used to select ``dupes`` (a fraction), as stated in the sentence.
    """
    listed = "; ".join(f"`{r.unit_id}` with `{r.top_match}` ({r.reuse_share:.0%})" for r in dupes.itertuples())
    return (f"{len(dupes)} units share at least {share:.0%} of their characters with another unit"
            + (f": {listed}" if len(dupes) else "") + ".")


def corpus_limits(corpus: pd.DataFrame, audit: pd.DataFrame, dupes: pd.DataFrame) -> str:
    """The limits of a corpus a reader must know before citing a comparison, as a Markdown list.

    Unequal periods (the period with the fewest characters against the rest), excerpt units, duplicated
    passages, outlet-framing units, documents not in Simplified script.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The corpus table.
    audit : pandas.DataFrame
        :func:`analysis.corpus_audit`'s per-document table (``script``, ``chars_converted``).
    dupes : pandas.DataFrame
        Units sharing at least half their text with another unit (see :func:`reuse_summary`).
    """
    size = corpus.groupby("period").agg(units=("unit_id", "size"), chars=("n_chars", "sum"))
    smallest = size["chars"].idxmin()
    small_places = "、".join(sorted(set(corpus.loc[corpus.period == smallest, "place"])))
    n_small = int(size.loc[smallest, "units"])
    n_media = int((corpus.level == "media").sum())
    return "\n".join([
        f"* **Unequal periods.** The smallest period, {smallest}, has {n_small} unit(s) "
        f"({int(size.loc[smallest, 'chars']):,} characters, places: {small_places}) against "
        f"{int(size['units'].sum()) - n_small} units in the other period(s). Period contrasts are "
        f"therefore partly contrasts of places and outlets; notebook 02 adds a same-place comparison.",
        f"* **Excerpts.** {int(corpus.excerpt.sum())} units are marked `excerpt` (a journalist's selection of a few "
        f"sentences, chosen to illustrate the outlet's own themes); their vocabulary partly reflects that choice.",
        f"* **Duplicated passages.** {len(dupes)} units share at least half of their text with another unit (above); "
        f"before pooling units, keep one of each duplicated pair (notebooks 02 and 03 state which units they exclude).",
        f"* **Outlet framing** (ledes, headings, background paragraphs): {n_media} `media` "
        f"units, excluded from meeting-report comparisons.",
        f"* **Script.** {int((audit.script != 'simplified').sum())} document(s) are in Traditional or mixed script; "
        f"counts use the Simplified conversion ({int(audit.chars_converted.sum()):,} characters converted).",
    ])
