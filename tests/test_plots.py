"""Figure builders: they plot (and return) exactly the numbers they claim to."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import analysis as A  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def style():
    A.use_style()
    yield
    plt.close("all")


def test_theme_bars_stack_to_the_theme_rate(tokenized):
    units = tokenized[tokenized.level == "provincial"]
    tf = A.theme_frequencies(units, A.load_keywords(), "period", per_term=True)
    fig, data = A.plot_theme_bars(tf, "period", "precision")
    ax = fig.axes[0]
    right_edges = {}
    for coll in ax.collections:
        for path in coll.get_paths():
            xs, ys = path.vertices[:, 0], path.vertices[:, 1]
            y = round(float(ys.mean()))
            right_edges[y] = max(right_edges.get(y, 0), xs.max())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    totals = data.groupby("period").per_10k.sum()
    for y, label in enumerate(labels):
        assert right_edges[y] == pytest.approx(totals[label])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == A.load_keywords()["precision"]


def test_keyness_plot_selects_by_g2_threshold_and_side(tokenized):
    kt = A.keyness(tokenized, "period", "2022-11", "2021-08", n_boot=50)
    fig, data = A.plot_keyness(kt, n=5, min_g2=3.84)
    assert (data.g2.abs() >= 3.84).all()
    assert (data.g2 > 0).sum() == 5 and (data.g2 < 0).sum() == 5
    assert set(data[data.g2 > 0].term) == set(kt[kt.g2 >= 3.84].head(5).term)
    assert list(data.log_ratio) == sorted(data.log_ratio)
    with pytest.raises(ValueError, match="no term reaches"):
        A.plot_keyness(kt, min_g2=1e9)


def test_similarity_plot_reorders_without_changing_values():
    sim = pd.DataFrame([[1, .2, .9], [.2, 1, .1], [.9, .1, 1]], index=list("abc"), columns=list("abc"))
    fig, data = A.plot_similarity(sim)
    m = data.set_index("group")
    assert list(m.index) == list(m.columns)
    for r in "abc":
        for c in "abc":
            assert m.loc[r, c] == sim.loc[r, c]
    assert abs(list(m.index).index("a") - list(m.index).index("c")) == 1  # the close pair is adjacent


def test_scatter_shares_labels_for_identical_points_and_checks_groups():
    freq = pd.DataFrame({"g": ["x", "x", "x", "y", "y"], "term": ["甲", "乙", "丙", "甲", "丁"],
                         "per_10k": [10.0, 10.0, 10.0, 10.0, 20.0]})
    fig, data = A.plot_frequency_scatter(freq, "g", "x", "y", n_labels=2)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "丙、乙" in texts  # both at (10, 0): one shared label (term order), not two overlapping ones
    assert not {"乙", "丙"} & set(texts)
    assert set(data.columns) == {"term", "per_10k_x", "per_10k_y", "diff", "labelled"}
    with pytest.raises(ValueError, match="not in"):
        A.plot_frequency_scatter(freq, "g", "x", "z")


def test_top_terms_and_word_clouds_take_top_n_per_group(tokenized):
    freq = A.term_frequencies(tokenized[tokenized.level == "provincial"], "period")
    _, data = A.plot_top_terms(freq, "period", n=7)
    for g, d in data.groupby("period"):
        expected = freq[freq.period == g].sort_values(["per_10k", "term"], ascending=[False, True]).head(7)
        assert list(d.term) == list(expected.term)
    _, clouds = A.plot_word_clouds(freq, "period", n=10)
    assert clouds.groupby("period").size().tolist() == [10, 10]


def test_reuse_plot_sorted_by_share():
    reuse = pd.DataFrame({"unit_id": ["a", "b", "c"], "reuse_share": [0.5, 0.1, 0.3], "n_chars": [10, 20, 30]})
    _, data = A.plot_reuse(reuse)
    assert list(data.unit_id) == ["b", "c", "a"]


def test_heatmap_annotations_match_rates(tokenized):
    units = tokenized[tokenized.level == "provincial"]
    tf = A.theme_frequencies(units, A.load_keywords(), "period")
    fig, _ = A.plot_theme_heatmap(tf, "period")
    shown = sorted(t.get_text() for t in fig.axes[0].texts)
    assert shown == sorted(f"{v:.0f}" for v in tf.per_10k)
    assert np.isclose(fig.axes[0].images[0].get_array().sum(), tf.per_10k.sum())
