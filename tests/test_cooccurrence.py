"""Co-occurrence network: counts, weights and edge rule by hand; communities on an obvious case."""
import numpy as np
import pytest

from analysis.measures.cooccurrence import context_matrix, cooccurrence_network, network_summary
from test_collocations import positions_from

#: two clusters (a b c) and (x y z), linked once through c–x; 的 is a stopword
UNITS = [
    [["a", "b", "c", "的"], ["a", "b"], ["a", "c"], ["b", "c"]],
    [["x", "y", "z"], ["x", "y"], ["y", "z", "的"], ["x", "z"]],
    [["c", "x"], ["a", "b", "c"], ["x", "y", "z"]],
]
KEPT = {"a", "b", "c", "x", "y", "z"}


@pytest.fixture
def pos():
    return positions_from(UNITS, KEPT)


def test_context_matrix_counts_presence(pos):
    inc, vocab, freq = context_matrix(pos, "sentence")
    assert vocab == ("a", "b", "c", "x", "y", "z") and inc.shape == (11, 6)
    assert dict(zip(vocab, np.asarray(inc.sum(axis=0)).ravel())) == {"a": 4, "b": 4, "c": 5, "x": 5, "y": 4, "z": 4}
    assert dict(zip(vocab, freq)) == {"a": 4, "b": 4, "c": 5, "x": 5, "y": 4, "z": 4}
    inc_u, _, _ = context_matrix(pos, "unit")
    assert inc_u.toarray().tolist() == [[1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1], [1, 1, 1, 1, 1, 1]]


def test_weights_and_edge_rule_by_hand(pos):
    net = cooccurrence_network(pos, min_cooc=1, n_edges=100)
    e = net.edges.set_index(["source", "target"])
    # a–b share 3 sentences; a in 4, b in 4: Jaccard 3/(4+4-3) = 0.6, log-Dice 14 + log2(6/8)
    assert e.loc[("a", "b"), "cooc"] == 3
    assert e.loc[("a", "b"), "jaccard"] == pytest.approx(0.6)
    assert e.loc[("a", "b"), "log_dice"] == pytest.approx(14 + np.log2(6 / 8))
    # c–x share 1 sentence; c in 5, x in 5: Jaccard 1/9
    assert e.loc[("c", "x"), "jaccard"] == pytest.approx(1 / 9)
    assert len(net.edges) == 7  # the six within-cluster pairs and c–x
    strict = cooccurrence_network(pos, min_cooc=2, n_edges=100)
    assert ("c", "x") not in set(zip(strict.edges.source, strict.edges.target))
    top = cooccurrence_network(pos, min_cooc=1, n_edges=2)
    assert len(top.edges) == 2 and top.edges["weight"].is_monotonic_decreasing


def test_communities_are_the_clusters(pos):
    net = cooccurrence_network(pos, min_cooc=1, n_edges=100)
    groups = net.nodes.groupby("community")["term"].apply(lambda s: "".join(sorted(s))).tolist()
    assert sorted(groups) == ["abc", "xyz"]
    assert net.nodes.set_index("term").loc["c", "degree"] == 3
    assert "2 communities" in network_summary(net)


def test_candidate_cut_and_ties_are_stated(pos):
    net = cooccurrence_network(pos, n_terms=3, min_cooc=1)
    assert set(net.nodes.term) <= {"c", "x", "a"}
    assert "4 terms are tied at 4 contexts" in net.attrs["tie_note"]


def test_bad_arguments(pos):
    with pytest.raises(ValueError, match="weight must be one of"):
        cooccurrence_network(pos, weight="pmi")
    with pytest.raises(ValueError, match="context must be"):
        cooccurrence_network(pos, context="paragraph")
    with pytest.raises(ValueError, match=r"terms not found.*'火星'"):
        cooccurrence_network(pos, terms=["a", "火星"])
    with pytest.raises(ValueError, match="no pair of the 6 terms shares 9"):
        cooccurrence_network(pos, min_cooc=9)


def test_graph_is_built_in_sorted_order(pos):
    g = cooccurrence_network(pos, min_cooc=1).graph()
    assert list(g.nodes) == sorted(g.nodes)
