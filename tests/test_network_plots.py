"""Network and CA biplot builders: deterministic files, plotted data, labels."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import analysis as A
from analysis.figures.network_plots import network_layout
from test_collocations import positions_from
from test_cooccurrence import KEPT, UNITS
from test_correspondence import PLACES

matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="module")
def style():
    A.use_style()


@pytest.fixture(scope="module")
def net():
    return A.cooccurrence_network(positions_from(UNITS, KEPT), min_cooc=1)


@pytest.fixture(scope="module")
def seed_networks(corpus):
    units = corpus[corpus.period.isin(["2021-08", "2022-11"]) & corpus.level.isin(["provincial", "municipal"])]
    pos = A.token_positions(units.reset_index(drop=True))
    return {p: A.cooccurrence_network(pos.subset((pos.docvars.period == p).to_numpy()), n_terms=25, n_edges=30)
            for p in ("2021-08", "2022-11")}


def _pdf_bytes(fig, data, tmp_path, name):
    import matplotlib.pyplot as plt

    A.save_figure(fig, "network", data, caption="test", notebook="06_collocations.ipynb", directory=tmp_path / name)
    plt.close(fig)
    return (tmp_path / name / "network.pdf").read_bytes()


# the network drawn here (25 terms of the seed reports, default width) is not the committed
# figure; its print size is not what this test is about (the committed 06 figures are checked
# by tests/test_printcheck.py), so the save's print-size warning is expected and not shown
@pytest.mark.filterwarnings("ignore::analysis.figures.saving.PrintSizeWarning")
def test_network_pdf_is_byte_identical_on_two_runs(seed_networks, tmp_path):
    first = _pdf_bytes(*A.plot_cooccurrence_networks(seed_networks), tmp_path, "a")
    second = _pdf_bytes(*A.plot_cooccurrence_networks(seed_networks), tmp_path, "b")
    assert first == second
    assert (tmp_path / "a" / "network.csv").read_bytes() == (tmp_path / "b" / "network.csv").read_bytes()


def test_network_data_holds_what_is_drawn(net):
    import matplotlib.pyplot as plt

    fig, data = A.plot_cooccurrence_networks({"toy": net})
    nodes, edges = data[data.kind == "node"], data[data.kind == "edge"]
    assert sorted(nodes.term) == sorted(net.nodes.term) and len(edges) == len(net.edges)
    ax = fig.axes[0]
    sizes = ax.collections[1].get_sizes()
    freq = nodes.set_index("term").loc[sorted(nodes.term), "frequency"].to_numpy()
    # node area grows with frequency (the scatter is drawn in the nodes' table order)
    drawn = dict(zip(net.nodes.set_index("term").index, sizes))
    assert drawn["c"] > drawn["a"] or freq.max() == freq.min()
    texts = {t.get_text() for t in ax.texts}
    assert set(nodes.term) <= texts
    plt.close(fig)


def test_layout_is_deterministic_and_components_do_not_overlap(net):
    a, b = network_layout(net, seed=0), network_layout(net, seed=0)
    pd.testing.assert_frame_equal(a, b)
    assert a[["x", "y"]].abs().to_numpy().max() <= 1 + 1e-12


def test_labels_modes(net):
    import matplotlib.pyplot as plt

    with pytest.warns(UserWarning, match="no English gloss"):
        fig, data = A.plot_cooccurrence_networks({"toy": A.cooccurrence_network(
            positions_from([[["防控", "火星人"], ["防控", "火星人"]]], {"防控", "火星人"}))}, labels="zh+en")
    assert "防控 prevention and control" in set(data.label)
    assert data.attrs["missing_glosses"] == ["火星人"]
    plt.close(fig)
    with pytest.raises(ValueError, match="labels must be one of"):
        A.plot_cooccurrence_networks({"toy": net}, labels="fr")


def test_ca_biplot_data_and_axes(tmp_path):
    import matplotlib.pyplot as plt

    ca = A.correspondence_analysis(PLACES)
    fig, data = A.plot_ca_biplot(ca, labels="zh+en", row_kind="place", col_kind="theme")
    assert list(data.kind.unique()) == ["place", "theme"]
    np.testing.assert_allclose(data[data.kind == "place"]["x"], ca.row_coords["Dim 1"])
    np.testing.assert_allclose(data[data.kind == "theme"]["y"], ca.col_coords["Dim 2"])
    assert "河南 Henan" in set(data.label) and "economy" in set(data.label)
    ax = fig.axes[0]
    assert f"{ca.eigenvalues['percent'].iloc[0]:.1f}%" in ax.get_xlabel()
    plt.close(fig)
    with pytest.raises(ValueError, match="dims must be two different"):
        A.plot_ca_biplot(ca, dims=(1, 1))


def test_collocate_bars_and_series():
    import matplotlib.pyplot as plt

    from test_collocations import TOY

    pos = positions_from(TOY, {"N", "a", "b", "c", "d", "x"}, pd.DataFrame({"unit_id": ["u0", "u1", "u2"],
                                                                         "period": ["2021-08", "2022-11", "2022-11"]}))
    t = A.collocations(pos, "N", 2, by="period", min_count=1)
    fig, data = A.plot_collocates({"N": t}, n=2)
    assert set(data.group) == {"2021-08", "2022-11"} and data.groupby("group").size().max() <= 2
    first = data[data.group == "2021-08"].sort_values("rank")
    expected = t[t.period == "2021-08"].head(2)
    assert list(first.collocate) == list(expected.collocate)
    plt.close(fig)
    fig, cells = A.plot_collocate_series(t, n=3)
    assert set(cells.collocate) <= set(t.collocate) and len(set(cells.collocate)) == 3
    plt.close(fig)
    with pytest.raises(ValueError, match="has no groups"):
        A.plot_collocate_series(A.collocations(pos, "N", 2, min_count=1))


def test_layout_does_not_depend_on_string_hashing():
    """Two interpreters with different hash seeds (set order of strings) give the same layout."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import analysis as A, sys\n"
            "from analysis.figures.network_plots import network_layout\n"
            "c = A.load_corpus()\n"
            "u = c[c.period == '2021-08'].reset_index(drop=True)\n"
            "net = A.cooccurrence_network(A.token_positions(u), n_terms=30, n_edges=40)\n"
            "sys.stdout.write(network_layout(net).to_csv(index=False) + net.nodes.to_csv(index=False)\n"
            "                 + net.edges.to_csv(index=False))\n")
    outs = []
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT,
                              check=True)
        outs.append(done.stdout)
    assert outs[0] == outs[1] == outs[2] and outs[0].count("\n") > 10
