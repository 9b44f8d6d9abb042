"""Collocations: the company a node term keeps, and how that company differs between groups.

**Span rule.**  Collocates are counted on the running positions of the segmentation
(:mod:`analysis.text.positions`): every word token is a position — stopwords,
one-character words and numbers included — so ``window=5`` means five words on each
side, as in AntConc, LancsBox and quanteda; punctuation is not a position, and a span
never crosses a sentence boundary (。！？； or a line break).  Only terms the segmenter
keeps for counting (the document-term matrix's vocabulary) are *reported* as
collocates; stopwords fill positions but are never listed.  Following Evert (2008,
§5.2), the spans of all occurrences of the node are merged into one area (a token in
the span of two node occurrences counts once) and the node's own occurrences are
removed from it, so the 2×2 table below is well defined.  The node is a token:
清零 inside the lexicon term 动态清零 is not an occurrence of 清零, the same rule the
keyword themes use (leftmost-longest, nested terms counted once, for the longer term);
pass a list (``node=["清零", "动态清零"]``) to take several tokens as one node.

**Measures** (Evert 2008, *Corpora and collocations*; all on the table
``O11`` = collocate tokens inside the span, ``R1`` = positions in the span,
``C1 = f2`` = occurrences of the collocate, ``N`` = positions of the corpus;
``E11 = R1 · C1 / N``):

* ``mi`` — pointwise mutual information ``log2(O11 / E11)``: how much more often than by
  chance; favours rare collocates (a pair seen once can score highest).
* ``t_score`` — ``(O11 − E11) / sqrt(O11)``: confidence that there is an association;
  favours frequent collocates (often function-like words).
* ``log_dice`` — Rychlý (2008): ``14 + log2(2 · O11 / (f1 + f2))`` with ``f1`` the node's
  frequency: a scale-free effect size (at most about 14), comparable across corpora of
  different sizes; the default ranking, as in Sketch Engine.
* ``g2`` — signed log-likelihood G² of the table ``[[O11, C1 − O11], [R1 − O11, N − R1 − C1 + O11]]``
  (Dunning 1993; :func:`analysis.measures.keyness.g2`), positive when the collocate
  is over-represented in the span: significance, not size.

``n_units`` counts the units in which the collocate occurs in the node's span: a high
score carried by one unit is one speaker's habit, not the genre's.

:func:`compare_collocates` asks which collocates of the node differ between two groups
(periods, places, any metadata column): the counts of each collocate inside the node's
spans, per sampled unit, are compared with the project's keyness table
(:func:`analysis.keyness`: G², Log Ratio with its absent-side flags, log-odds z, and the
unit-level columns), after summing the units of one meeting (``meeting_id``; until the
corpus has it, ``doc_id``), so inference resamples what was sampled.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["collocations", "compare_collocates", "node_family", "collocate_matrix", "node_span",
           "collocation_scores", "NodeAbsentError", "collocation_summary", "comparison_summary"]


class NodeAbsentError(ValueError):
    """The node term is not a token of the corpus (the message says why)."""


def _check_window(window) -> int:
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a whole number of tokens >= 1 on each side of the node, "
                         f"got {window!r}")
    return int(window)


def _as_positions(data):
    from analysis.text.positions import TokenPositions, token_positions

    if isinstance(data, TokenPositions):
        return data
    if isinstance(data, pd.DataFrame):
        return token_positions(data)
    raise TypeError(f"expected TokenPositions (analysis.token_positions(corpus)) or a corpus table, "
                    f"got {type(data).__name__}")


def _absent_message(pos, term: str) -> str:
    """Why ``term`` is not a token: absent from the texts, or always inside longer tokens."""
    n_text = sum(t.count(term) for t in pos.texts) if pos.texts is not None else None
    in_lexicon = term in pos.lexicon
    lex = ("it is in the lexicon" if in_lexicon else
           "it is not in the lexicon (data/lexicon/policy_terms.txt)")
    if n_text == 0:
        return (f"node {term!r} does not occur in the texts of these {pos.n_units} units "
                f"(0 occurrences; {lex}); check the spelling or the row selection")
    containing = [i for i, t in enumerate(pos.vocab) if term in t and t != term]
    counts = pos.type_counts()
    top = sorted(containing, key=lambda i: (-counts[i], pos.vocab[i]))[:4]
    inside = "、".join(f"{pos.vocab[i]} ×{counts[i]}" for i in top if counts[i] > 0)
    where = f"{n_text} times in the texts" if n_text is not None else "in the texts"
    fix = ("add it to data/lexicon/policy_terms.txt to count it alone" if not in_lexicon else
           "the segmenter joins it with its neighbours here")
    return (f"node {term!r} occurs {where} but is never a token of the segmentation: it is always part "
            f"of longer tokens{' (' + inside + ')' if inside else ''}; {lex}; {fix}, or pass "
            f"node=[{term!r}, ...] with the longer tokens to take them as the node")


def _node_ids(pos, node) -> tuple[list, np.ndarray]:
    terms = [node] if isinstance(node, str) else list(node)
    if not terms or not all(isinstance(t, str) and t.strip() for t in terms):
        raise ValueError(f"node must be a term or a list of terms, got {node!r}")
    ids = []
    for t in terms:
        j = pos.type_index.get(t)
        if j is None:
            if len(terms) == 1:
                raise NodeAbsentError(_absent_message(pos, t))
            continue
        ids.append(j)
    if not ids:
        raise NodeAbsentError("none of the node terms is a token of this corpus: "
                              + " | ".join(_absent_message(pos, t) for t in terms))
    return terms, np.asarray(sorted(ids), dtype=np.int64)


def node_family(data, term: str, *, min_count: int = 1) -> list:
    """Every counted token containing ``term`` (``清零`` -> 清零, 动态清零, 双清零 …), most
    frequent first (ties by code point): a node set for :func:`collocations` when the
    lexicon keeps formulas whole.  Document-title tokens (``《…》``) are left out: a
    cited title is not a use of the word.

    Parameters
    ----------
    data : TokenPositions or pandas.DataFrame
    term : str
    min_count : int, default 1
        Tokens seen fewer times are left out.

    Raises
    ------
    NodeAbsentError
        No counted token contains ``term`` (the message says whether it occurs in the texts).
    """
    pos = _as_positions(data)
    counts = pos.type_counts()
    members = [i for i, t in enumerate(pos.vocab)
               if term in t and pos.kept[i] and counts[i] >= min_count and not t.startswith("《")]
    if not members:
        raise NodeAbsentError(_absent_message(pos, term))
    return [pos.vocab[i] for i in sorted(members, key=lambda i: (-counts[i], pos.vocab[i]))]


def node_span(pos, node, window: int = 5):
    """Positions of the node and of its merged span (Evert 2008, §5.2).

    Parameters
    ----------
    pos : TokenPositions
    node : str or list of str
    window : int, default 5
        Positions on each side, within the sentence.

    Returns
    -------
    node_pos : numpy.ndarray
        Position indices of the node's occurrences.
    span : numpy.ndarray
        Sorted unique position indices within ``window`` of an occurrence, in its
        sentence, not themselves occurrences of the node.
    """
    window = _check_window(window)
    _, ids = _node_ids(pos, node)
    is_node = np.zeros(len(pos.vocab), dtype=bool)
    is_node[ids] = True
    node_pos = np.flatnonzero(is_node[pos.ids])
    if not len(node_pos):
        return node_pos, node_pos
    sent = pos.sentence_of(node_pos)
    start, end = pos.sent_ptr[sent], pos.sent_ptr[sent + 1]
    inside = np.zeros(pos.n_positions, dtype=bool)  # a mask merges the spans (faster than np.unique)
    for k in range(1, window + 1):
        left, right = node_pos - k, node_pos + k
        inside[left[left >= start]] = True
        inside[right[right < end]] = True
    span = np.flatnonzero(inside)
    span = span[~is_node[pos.ids[span]]]
    return node_pos, span


def _distinct_sorted(keys: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array (sorted; a sort and a comparison)."""
    keys = np.sort(keys)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def collocation_scores(o11, f1, f2, r1, n) -> dict:
    """MI, t-score, log-Dice and signed G² of co-occurrence counts (vectorised).

    Parameters
    ----------
    o11 : array_like
        Collocate tokens inside the node's span.
    f1 : int
        Occurrences of the node.
    f2 : array_like
        Occurrences of the collocate in the corpus (``C1``).
    r1 : int
        Positions in the node's span (``R1``).
    n : int
        Positions in the corpus (``N``).

    Returns
    -------
    dict of numpy.ndarray
        ``expected`` (E11 = R1·C1/N), ``mi`` (log2 O11/E11), ``t_score`` ((O11−E11)/√O11),
        ``log_dice`` (Rychlý 2008: 14 + log2(2·O11/(f1+f2))), ``g2`` (signed G² of the
        2×2 table, Evert 2008; Dunning 1993).

    Examples
    --------
    >>> s = collocation_scores(4, 10, 8, 50, 1000)
    >>> round(float(s["mi"]), 4), round(float(s["log_dice"]), 4)
    (3.3219, 12.8301)
    """
    from analysis.measures.keyness import g2

    o11, f2 = np.asarray(o11, dtype=float), np.asarray(f2, dtype=float)
    if np.any(o11 > f2) or np.any(o11 > r1) or r1 > n:
        raise ValueError("co-occurrence counts must satisfy O11 <= f2, O11 <= R1 <= N")
    expected = r1 * f2 / n
    with np.errstate(divide="ignore", invalid="ignore"):
        mi = np.log2(o11 / expected)
        t = (o11 - expected) / np.sqrt(o11)
        log_dice = 14 + np.log2(2 * o11 / (f1 + f2))
    return {"expected": expected, "mi": mi, "t_score": t, "log_dice": log_dice,
            "g2": g2(o11, f2 - o11, r1, n - r1)}


_SORTS = ("log_dice", "mi", "t_score", "g2", "frequency")


def _one(pos, node_ids, node_pos, span, span_units, node_units, min_count, unit_mask=None):
    """Collocation table of one group (``unit_mask``; all units when None), from the
    node's positions and merged span computed once on the whole corpus (spans never
    cross a unit, so selecting units selects exactly their spans)."""
    v = len(pos.vocab)
    if unit_mask is None:
        n, units_total = pos.n_positions, pos.n_units
    else:
        in_node, in_span = unit_mask[node_units], unit_mask[span_units]
        node_pos, node_units = node_pos[in_node], node_units[in_node]
        span, span_units = span[in_span], span_units[in_span]
        n, units_total = int(np.diff(pos.unit_pos_ptr)[unit_mask].sum()), int(unit_mask.sum())
    f1, r1 = len(node_pos), len(span)
    o11 = np.bincount(pos.ids[span], minlength=v)
    pairs = _distinct_sorted(span_units.astype(np.int64) * v + pos.ids[span])
    n_units = np.bincount(pairs % v, minlength=v)
    keep = pos.kept & (o11 >= max(min_count, 1))
    keep[node_ids] = False
    j = np.flatnonzero(keep)
    if unit_mask is None:
        f = pos.type_counts()[j]
    else:
        f = np.asarray(pos.unit_type_counts[np.flatnonzero(unit_mask)][:, j].sum(axis=0)).ravel()
    scores = collocation_scores(o11[j], f1, f, r1, n) if len(j) else \
        {k: np.zeros(0) for k in ("expected", "mi", "t_score", "log_dice", "g2")}
    out = pd.DataFrame({"collocate": [pos.vocab[i] for i in j], "frequency": o11[j].astype("int64"),
                        "f_collocate": np.asarray(f, dtype="int64"), "expected": scores["expected"],
                        "mi": scores["mi"], "t_score": scores["t_score"], "log_dice": scores["log_dice"],
                        "g2": scores["g2"], "n_units": n_units[j].astype("int64")})
    facts = dict(f_node=f1, span_positions=r1, n_positions=n, units_with_node=len(_distinct_sorted(node_units)),
                 units_total=units_total)
    return out, facts


def collocations(data, node, window: int = 5, *, by=None, min_count: int = 2,
                 sort: str = "log_dice") -> pd.DataFrame:
    """Collocates of ``node`` within ``window`` positions, with MI, t-score, log-Dice and G².

    Parameters
    ----------
    data : TokenPositions or pandas.DataFrame
        Positions (:func:`analysis.token_positions`) or a corpus table (segmented, cached).
    node : str or list of str
        The node term (a token; see the module docstring for nested lexicon terms), or
        several tokens taken together as one node.
    window : int, default 5
        Positions on each side (stopwords and numbers count; punctuation does not),
        within the sentence.
    by : str or array_like, optional
        A docvars column (e.g. ``"period"``) or one label per unit: the measures are
        computed within each group (its own N and frequencies).  Groups in which the
        node does not occur have no rows and are listed in ``attrs["groups_without_node"]``.
    min_count : int, default 2
        Collocates seen fewer times in the span are not listed.
    sort : {"log_dice", "mi", "t_score", "g2", "frequency"}, default "log_dice"
        Descending, ties by collocate (code point), within each group.

    Returns
    -------
    pandas.DataFrame
        ``[<by>,] collocate, frequency`` (O11), ``f_collocate`` (C1), ``expected`` (E11),
        ``mi``, ``t_score``, ``log_dice``, ``g2``, ``n_units``, and per row the group's
        ``f_node`` (f1), ``span_positions`` (R1), ``n_positions`` (N),
        ``units_with_node``.  ``attrs``: node, window, rule, per-group facts.

    Raises
    ------
    NodeAbsentError
        The node is not a token of the corpus; the message says whether it is absent
        from the texts, or present only inside longer tokens (and whether it is in
        the lexicon).
    ValueError
        ``window`` < 1 or not a whole number, an unknown ``sort`` or ``by`` column.

    References
    ----------
    Evert, S. (2008). Corpora and collocations. In A. Lüdeling & M. Kytö (eds.),
    *Corpus Linguistics. An International Handbook*, article 58. De Gruyter.
    Rychlý, P. (2008). A lexicographer-friendly association score. *RASLAN 2008*, 6–9.
    """
    window = _check_window(window)
    if sort not in _SORTS:
        raise ValueError(f"sort must be one of {_SORTS}, not {sort!r}")
    pos = _as_positions(data)
    terms, node_ids = _node_ids(pos, node)  # the whole corpus decides whether the node exists
    node_pos, span = node_span(pos, terms, window)
    node_units, span_units = pos.unit_of(node_pos), pos.unit_of(span)
    sort_col = "frequency" if sort == "frequency" else sort
    frames, facts, missing = [], {}, []
    if by is None:
        groups = [(None, np.ones(pos.n_units, dtype=bool))]
        name = None
    else:
        if isinstance(by, str):
            if by not in pos.docvars.columns:
                raise ValueError(f"unknown column {by!r} in by=; available: {list(pos.docvars.columns)}")
            labels, name = pos.docvars[by].astype(str), by
        else:
            labels = pd.Series(np.asarray(by)).astype(str)
            if len(labels) != pos.n_units:
                raise ValueError(f"by= has {len(labels)} labels for {pos.n_units} units")
            name = getattr(by, "name", None) or "group"
        groups = [(g, (labels == g).to_numpy()) for g in sorted(labels.unique())]
    for g, mask in groups:
        table, fact = _one(pos, node_ids, node_pos, span, span_units, node_units, min_count,
                           None if g is None else mask)
        if fact["f_node"] == 0:
            missing.append(g)
            continue
        for k, v in fact.items():
            table[k] = v
        if name is not None:
            table.insert(0, name, g)
        facts[g] = fact
        frames.append(table.sort_values([sort_col, "collocate"], ascending=[False, True], kind="mergesort"))
    cols = ([name] if name else []) + ["collocate", "frequency", "f_collocate", "expected", "mi", "t_score",
                                       "log_dice", "g2", "n_units", "f_node", "span_positions",
                                       "n_positions", "units_with_node", "units_total"]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
    out.attrs.update(node=terms, window=window, min_count=min_count, by=name, sort=sort,
                     facts=facts if name else facts.get(None, {}), groups_without_node=missing,
                     rule=f"±{window} positions within the sentence (stopwords and numbers count as "
                          f"positions, punctuation does not); spans of all node occurrences merged, node "
                          f"occurrences excluded (Evert 2008)")
    return out


def collocate_matrix(data, node, window: int = 5):
    """Units × collocates: kept tokens of each unit inside the node's span.

    Returns
    -------
    dtm : analysis.DocumentTermMatrix
        Rows = units (corpus order; zero rows where the node does not occur), columns =
        kept terms, counts = their tokens inside the span; ``docvars`` gains
        ``node_count`` (occurrences of the node in the unit).
    """
    from analysis.text.matrix import DocumentTermMatrix

    pos = _as_positions(data)
    node_pos, span = node_span(pos, node, window)
    kept_ids = np.flatnonzero(pos.kept)
    column = np.full(len(pos.vocab), -1, dtype=np.int64)
    column[kept_ids] = np.arange(len(kept_ids))
    cols = column[pos.ids[span]]
    ok = cols >= 0
    rows = pos.unit_of(span)[ok]
    m = sparse.csr_matrix((np.ones(int(ok.sum()), dtype=np.int64), (rows, cols[ok])),
                          shape=(pos.n_units, len(kept_ids)))
    m.sum_duplicates()
    m.sort_indices()
    docvars = pos.docvars.copy()
    docvars["node_count"] = np.bincount(pos.unit_of(node_pos), minlength=pos.n_units).astype("int64")
    return DocumentTermMatrix(m, tuple(pos.vocab[i] for i in kept_ids), docvars)


def _sample_column(docvars: pd.DataFrame, sample) -> str:
    if sample is not None:
        if sample not in docvars.columns:
            raise ValueError(f"unknown sample column {sample!r}; available: {list(docvars.columns)}")
        return sample
    for col in ("meeting_id", "doc_id", "unit_id"):
        if col in docvars.columns:
            return col
    raise ValueError("the corpus has no meeting_id, doc_id or unit_id column; pass sample=")


def compare_collocates(data, node, by: str, target, reference=None, *, window: int = 5,
                       sample: str | None = None, min_count: int = 3, n_boot: int = 1000,
                       seed: int = 0, n_perm: int = 999) -> pd.DataFrame:
    """Which collocates of ``node`` differ between a target and a reference group.

    The collocates inside the node's span are counted per sampled unit
    (:func:`collocate_matrix`, rows summed per ``sample`` value within each group) and
    compared with :func:`analysis.keyness`: the "corpus" of each side is the set of
    kept tokens in the node's spans, so a positive G² / Log Ratio means the collocate
    takes a larger share of the node's company in the target.

    Parameters
    ----------
    data : TokenPositions or pandas.DataFrame
    node : str or list of str
    by : str
        Grouping column (``"period"``, ``"place"`` …).
    target, reference : str or list of str
        Values of ``by``; reference defaults to every other value.
    window : int, default 5
    sample : str, optional
        The column naming what was sampled; units sharing a value are summed before
        the comparison.  Default ``meeting_id`` if the corpus has it, else ``doc_id``,
        else ``unit_id``.
    min_count, n_boot, seed, n_perm
        Passed to :func:`analysis.keyness`.

    Returns
    -------
    pandas.DataFrame
        The keyness table of the collocates (``term`` = collocate; ``count_*`` = tokens in
        the node's spans; ``n_units_*`` = sampled units in which node and collocate
        co-occur; ``absent_*`` flags), with ``attrs`` of :func:`analysis.keyness` plus
        ``node``, ``window``, ``sample``, ``node_target``/``node_reference`` (node
        occurrences) and ``sampled_target``/``sampled_reference`` (sampled units with the
        node on each side).

    Raises
    ------
    ValueError
        A side in which the node does not occur (the message names the side, the value
        and how many units it has), an unknown ``by`` value, window < 1.
    NodeAbsentError
        The node is not a token of the corpus.
    """
    from analysis.measures.keyness import keyness
    from analysis.text.matrix import DocumentTermMatrix

    window = _check_window(window)
    pos = _as_positions(data)
    if by not in pos.docvars.columns:
        raise ValueError(f"unknown column {by!r} in by=; available: {list(pos.docvars.columns)}")
    terms, _ = _node_ids(pos, node)
    col = pos.docvars[by].astype(str)
    values = sorted(col.unique())
    as_list = (lambda x: [str(v) for v in (x if isinstance(x, (list, tuple, set)) else [x])])
    tgt = as_list(target)
    ref = as_list(reference) if reference is not None else [v for v in values if v not in tgt]
    for v in tgt + ref:
        if v not in values:
            raise ValueError(f"unknown {by} value {v!r}; available: {values}")
    if not ref:
        raise ValueError("the reference is empty: every value is in the target")
    sample = _sample_column(pos.docvars, sample)
    cm = collocate_matrix(pos, terms, window)
    has_node = cm.docvars["node_count"].to_numpy() > 0
    span_tokens = cm.n_tokens
    for side, vals in (("target", tgt), ("reference", ref)):
        in_side = col.isin(vals).to_numpy()
        if not (in_side & has_node).any():
            raise ValueError(f"the node {'/'.join(terms)} does not occur in the {side} ({by} = "
                             f"{', '.join(vals)}: {int(in_side.sum())} units, none containing it); "
                             f"nothing to compare")
        if not (in_side & (span_tokens > 0)).any():
            raise ValueError(f"the node {'/'.join(terms)} has no counted collocate within ±{window} "
                             f"in the {side} ({by} = {', '.join(vals)})")
    rows = has_node & (span_tokens > 0) & col.isin(tgt + ref).to_numpy()
    sub = cm.subset(rows)
    keys, counts = sub.group([sample, by])
    docvars = keys.rename(columns={sample: "unit_id"}) if sample != "unit_id" else keys.copy()
    grouped = DocumentTermMatrix(counts, sub.vocab, docvars)
    kt = keyness(grouped, by=by, target=tgt, reference=ref, min_count=min_count, n_boot=n_boot,
                 seed=seed, n_perm=n_perm)
    node_counts = cm.docvars["node_count"].to_numpy()
    kt.attrs.update(node=terms, window=window, sample=sample,
                    node_target=int(node_counts[col.isin(tgt).to_numpy()].sum()),
                    node_reference=int(node_counts[col.isin(ref).to_numpy()].sum()),
                    sampled_target=len(kt.attrs["units_target"]),
                    sampled_reference=len(kt.attrs["units_reference"]),
                    units_without_collocates=[str(u) for u in cm.docvars.loc[has_node & (span_tokens == 0),
                                                                             "unit_id"]]
                    if "unit_id" in cm.docvars else [])
    return kt


def collocation_summary(table: pd.DataFrame, n: int = 5, decimals: int = 1) -> str:
    """Plain-language lines for a :func:`collocations` table: per group, node frequency,
    units and the top ``n`` collocates with their log-Dice."""
    a = table.attrs
    node = "/".join(a["node"])
    by = a.get("by")
    facts = a["facts"] if by else {None: a["facts"]}
    lines = []
    for g, fact in facts.items():
        rows = table if g is None else table[table[by] == g]
        top = rows.head(n)
        listed = "、".join(f"{r.collocate} ({r.log_dice:.{decimals}f}, ×{r.frequency})"
                          for r in top.itertuples())
        head = f"{by} {g}: " if g is not None else ""
        times = "time" if fact["f_node"] == 1 else "times"
        lines.append(f"{head}{node} occurs {fact['f_node']} {times} in {fact['units_with_node']} of "
                     f"{fact['units_total']} units; {len(rows)} collocates seen at least {a['min_count']} times"
                     + (f"; strongest by log-Dice: {listed}" if len(rows) else ""))
    for g in a.get("groups_without_node", []):
        lines.append(f"{by} {g}: {node} does not occur")
    return "\n".join(lines)


def comparison_summary(kt: pd.DataFrame) -> str:
    """Plain-language evidence base of a :func:`compare_collocates` table."""
    from analysis.measures.keyness import keyness_summary

    a = kt.attrs
    node = "/".join(a["node"])
    head = (f"collocates of {node} within ±{a['window']} positions: the node occurs {a['node_target']} times "
            f"on the target side and {a['node_reference']} times on the reference side; units summed per "
            f"{a['sample']} ({a['sampled_target']} target and {a['sampled_reference']} reference "
            f"{a['sample']} values with the node)")
    return head + "\n" + keyness_summary(kt)
