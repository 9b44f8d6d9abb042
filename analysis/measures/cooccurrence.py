"""Co-occurrence networks: which terms appear in the same sentences (or units).

KH Coder's co-occurrence network, made reproducible:

* **contexts** are sentences (default) or whole units; a term either occurs in a
  context or not (presence, not counts), as in KH Coder;
* **nodes**: the ``n_terms`` kept terms found in the most contexts (ties at the cut
  broken by code point, and said so in ``attrs["tie_note"]``), or the terms you pass;
* **edge weight** between terms a and b, from the number of contexts holding both
  (``cooc``) and the numbers holding each (``n_a``, ``n_b``):

  - ``jaccard`` = cooc / (n_a + n_b − cooc) (KH Coder's default);
  - ``log_dice`` = 14 + log2(2·cooc / (n_a + n_b)) (Rychlý 2008), the same ranking as
    the Dice coefficient on a log scale;

* **edges kept**: pairs co-occurring in at least ``min_cooc`` contexts, then the
  ``n_edges`` strongest by the weight (ties by ``cooc``, then by the pair's code
  points); terms left without an edge are not drawn;
* **communities**: Clauset–Newman–Moore greedy modularity maximisation on the weighted
  graph (``networkx.community.greedy_modularity_communities``; deterministic),
  numbered by size, then by their first term.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["cooccurrence_network", "CooccurrenceNetwork", "context_matrix", "network_summary"]

_WEIGHTS = ("jaccard", "log_dice")


@dataclass(frozen=True, eq=False)
class CooccurrenceNetwork:
    """Nodes and edges of a co-occurrence network (see :func:`cooccurrence_network`).

    Attributes
    ----------
    nodes : pandas.DataFrame
        ``term, frequency`` (tokens), ``n_contexts`` (contexts containing it),
        ``community`` (1 = largest), ``degree``; sorted by community, then
        ``n_contexts`` descending, then term.
    edges : pandas.DataFrame
        ``source, target`` (source < target by code point), ``cooc``, ``jaccard``,
        ``log_dice``, ``weight`` (the chosen measure); strongest first.
    attrs : dict
        ``context``, ``n_contexts``, ``weight``, ``min_cooc``, ``n_edges``, ``rule``, ``tie_note``.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    attrs: dict

    def graph(self):
        """The network as a ``networkx.Graph`` (nodes and edges added in sorted order)."""
        import networkx as nx

        g = nx.Graph()
        for r in self.nodes.sort_values("term").itertuples():
            g.add_node(r.term, frequency=int(r.frequency), community=int(r.community))
        for r in self.edges.sort_values(["source", "target"]).itertuples():
            g.add_edge(r.source, r.target, weight=float(r.weight), cooc=int(r.cooc))
        return g


def context_matrix(pos, context: str = "sentence") -> tuple[sparse.csr_matrix, tuple, np.ndarray]:
    """Contexts × kept terms, 1 where the term occurs in the context.

    Returns
    -------
    incidence : scipy.sparse.csr_matrix
        int64 0/1, contexts × kept terms.
    vocab : tuple of str
        The kept terms (columns).
    frequency : numpy.ndarray
        Token counts of each kept term.
    """
    if context not in ("sentence", "unit"):
        raise ValueError(f"context must be 'sentence' or 'unit', not {context!r}")
    kept_ids = np.flatnonzero(pos.kept)
    column = np.full(len(pos.vocab), -1, dtype=np.int64)
    column[kept_ids] = np.arange(len(kept_ids))
    cols = column[pos.ids]
    if context == "sentence":
        rows, n_rows = np.repeat(np.arange(len(pos.sent_ptr) - 1), np.diff(pos.sent_ptr)), len(pos.sent_ptr) - 1
    else:
        rows, n_rows = np.repeat(np.arange(pos.n_units), np.diff(pos.unit_pos_ptr)), pos.n_units
    ok = cols >= 0
    counts = sparse.csr_matrix((np.ones(int(ok.sum()), dtype=np.int64), (rows[ok], cols[ok])),
                               shape=(n_rows, len(kept_ids)))
    counts.sum_duplicates()
    frequency = np.asarray(counts.sum(axis=0)).ravel()
    incidence = counts.copy()
    incidence.data[:] = 1
    return incidence, tuple(pos.vocab[i] for i in kept_ids), frequency


def cooccurrence_network(data, *, context: str = "sentence", n_terms: int = 60, terms=None,
                         min_cooc: int = 2, n_edges: int = 60, weight: str = "jaccard") -> CooccurrenceNetwork:
    """Co-occurrence network of the most widespread terms (rules in the module docstring).

    Parameters
    ----------
    data : TokenPositions or pandas.DataFrame
        Positions (:func:`analysis.token_positions`; select rows with ``.subset``) or a
        corpus table.
    context : {"sentence", "unit"}, default "sentence"
    n_terms : int, default 60
        Candidate nodes: the terms in the most contexts.
    terms : list of str, optional
        Use these terms as candidates instead.
    min_cooc : int, default 2
        Fewest shared contexts for an edge.
    n_edges : int, default 60
        Edges kept (the strongest).
    weight : {"jaccard", "log_dice"}, default "jaccard"

    Returns
    -------
    CooccurrenceNetwork

    Raises
    ------
    ValueError
        Unknown ``context`` or ``weight``, ``n_terms``/``n_edges``/``min_cooc`` < 1, terms
        not in the corpus (named), or no pair reaching ``min_cooc``.

    References
    ----------
    Higuchi, K. (2016). KH Coder 3 reference manual (co-occurrence network).
    Rychlý, P. (2008). A lexicographer-friendly association score. *RASLAN 2008*.
    Clauset, A., Newman, M. E. J. & Moore, C. (2004). Finding community structure in
    very large networks. *Physical Review E* 70, 066111.
    """
    import networkx as nx

    from analysis.measures.collocations import _as_positions

    if weight not in _WEIGHTS:
        raise ValueError(f"weight must be one of {_WEIGHTS}, not {weight!r}")
    for name, value in (("n_terms", n_terms), ("n_edges", n_edges), ("min_cooc", min_cooc)):
        if int(value) < 1:
            raise ValueError(f"{name} must be >= 1, got {value!r}")
    pos = _as_positions(data)
    incidence, vocab, frequency = context_matrix(pos, context)
    n_ctx = np.asarray(incidence.sum(axis=0)).ravel()
    tie_note = ""
    if terms is not None:
        index = {t: i for i, t in enumerate(vocab)}
        missing = [t for t in terms if t not in index or n_ctx[index[t]] == 0]
        if missing:
            raise ValueError(f"terms not found as counted tokens of these units: {missing}")
        chosen = np.array(sorted({index[t] for t in terms}), dtype=np.int64)
    else:
        order = sorted(np.flatnonzero(n_ctx > 0), key=lambda j: (-n_ctx[j], vocab[j]))
        chosen = np.array(order[:n_terms], dtype=np.int64)
        if len(order) > n_terms and n_ctx[order[n_terms]] == n_ctx[order[n_terms - 1]]:
            tied = sum(1 for j in order if n_ctx[j] == n_ctx[order[n_terms - 1]])
            tie_note = (f"{tied} terms are tied at {int(n_ctx[order[n_terms - 1]])} contexts at the cut of "
                        f"{n_terms}; the first by code point were taken")
    sub = incidence[:, chosen].tocsc()
    co = (sub.T @ sub).tocoo()
    upper = co.row < co.col
    a, b, c = co.row[upper], co.col[upper], co.data[upper].astype(float)
    ok = c >= min_cooc
    a, b, c = a[ok], b[ok], c[ok]
    if not len(c):
        raise ValueError(f"no pair of the {len(chosen)} terms shares {min_cooc} or more {context}s; "
                         f"lower min_cooc or take more units")
    na, nb = n_ctx[chosen][a].astype(float), n_ctx[chosen][b].astype(float)
    jac = c / (na + nb - c)
    ld = 14 + np.log2(2 * c / (na + nb))
    names = np.array([vocab[j] for j in chosen], dtype=object)
    src, tgt = names[a], names[b]
    swap = src > tgt
    src, tgt = np.where(swap, tgt, src), np.where(swap, src, tgt)
    edges = pd.DataFrame({"source": src, "target": tgt, "cooc": c.astype("int64"), "jaccard": jac,
                          "log_dice": ld})
    edges["weight"] = edges[weight]
    edges = edges.sort_values(["weight", "cooc", "source", "target"], ascending=[False, False, True, True],
                              kind="mergesort").head(n_edges).reset_index(drop=True)
    g = nx.Graph()
    g.add_nodes_from(sorted(set(edges["source"]) | set(edges["target"])))
    g.add_weighted_edges_from(edges.sort_values(["source", "target"])[["source", "target", "weight"]]
                              .itertuples(index=False, name=None))
    comms = nx.community.greedy_modularity_communities(g, weight="weight")
    comms = sorted((sorted(cm) for cm in comms), key=lambda cm: (-len(cm), cm[0]))
    community = {t: i + 1 for i, cm in enumerate(comms) for t in cm}
    freq = dict(zip(names, frequency[chosen]))
    ctx = dict(zip(names, n_ctx[chosen]))
    nodes = pd.DataFrame({"term": list(community)})
    nodes["frequency"] = nodes["term"].map(freq).astype("int64")
    nodes["n_contexts"] = nodes["term"].map(ctx).astype("int64")
    nodes["community"] = nodes["term"].map(community).astype("int64")
    nodes["degree"] = nodes["term"].map(dict(g.degree())).astype("int64")
    nodes = nodes.sort_values(["community", "n_contexts", "term"], ascending=[True, False, True],
                              kind="mergesort").reset_index(drop=True)
    rule = (f"{context}s as contexts ({incidence.shape[0]:,}); candidates: "
            + (f"{len(chosen)} given terms" if terms is not None else f"the {len(chosen)} terms in most {context}s")
            + f"; edges: pairs sharing >= {min_cooc} {context}s, strongest {n_edges} by {weight}; "
              f"communities: greedy modularity")
    return CooccurrenceNetwork(nodes, edges, dict(context=context, n_contexts=int(incidence.shape[0]),
                                                  weight=weight, min_cooc=min_cooc, n_edges=n_edges,
                                                  rule=rule, tie_note=tie_note, modularity=float(
                                                      nx.community.modularity(g, comms, weight="weight"))))


def network_summary(net: CooccurrenceNetwork) -> str:
    """One paragraph: what was counted, how many nodes/edges/communities, the strongest edge."""
    a = net.attrs
    top = net.edges.iloc[0]
    out = (f"{len(net.nodes)} terms and {len(net.edges)} edges ({a['rule']}); "
           f"{net.nodes['community'].nunique()} communities (modularity {a['modularity']:.2f}); strongest "
           f"edge {top.source}–{top.target} ({a['weight']} {top.weight:.2f}, {top.cooc} shared {a['context']}s)")
    if a["tie_note"]:
        out += f"; {a['tie_note']}"
    return out + "."
