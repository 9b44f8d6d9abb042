"""Figure builders: they plot (and return) exactly the numbers they claim to."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import analysis as A  # noqa: E402


pytestmark = pytest.mark.usefixtures("styled_figures")  # tests/conftest.py


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
        assert list(d.term[:7]) == list(expected.term)
        # a tie at the cut-off is kept whole, never cut by character order
        extra = d.iloc[7:]
        assert (extra.per_10k == expected.per_10k.iloc[-1]).all() and len(extra) <= 3
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
    # the tokens behind each row are beside its name
    sizes = tf.drop_duplicates("period").set_index("period").n_tokens
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [f"{g} ({n:,})" for g, n in sizes.items()]
    assert np.isclose(fig.axes[0].images[0].get_array().sum(), tf.per_10k.sum())


def test_heatmap_hatches_exactly_the_cells_of_groups_under_min_tokens(tokenized):
    """A short group's rates jump by 10,000 / tokens per hit: its cells are hatched, others not."""
    tf = A.theme_frequencies(tokenized, A.load_keywords(), "unit_id")
    sizes = tf.drop_duplicates("unit_id").set_index("unit_id").n_tokens
    cut = int(sizes.median())
    fig, _ = A.plot_theme_heatmap(tf, "unit_id", min_tokens=cut)
    ax = fig.axes[0]
    themes = tf.theme.nunique()
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == themes * int((sizes < cut).sum())
    rows = sorted({round(p.get_y() + 0.5) for p in hatched})
    assert rows == [i for i, n in enumerate(sizes) if n < cut]
    assert f"under {cut:,} tokens" in ax.get_title()
    fig, _ = A.plot_theme_heatmap(tf, "unit_id", min_tokens=0)
    assert not [p for p in fig.axes[0].patches if p.get_hatch()] and "hatched" not in fig.axes[0].get_title()


def test_partial_last_month_is_drawn_open_and_said():
    s = _series()
    fig, _ = A.plot_term_series(s, ncols=2, data_end="2021-09-10")
    ax = fig.axes[0]
    solid, dotted, marker = ax.lines
    assert len(solid.get_xdata()) == 1 and dotted.get_linestyle() == ":"
    assert marker.get_marker() == "o" and marker.get_markerfacecolor() == "white"
    assert marker.get_ydata()[0] == 200.0  # the partial month's value, as computed
    assert "2021-09 is a partial month, data end 2021-09-10" in fig._suptitle.get_text()
    fig, _ = A.plot_term_series(s, ncols=2, data_end="2021-09-30")  # a complete month: one plain line
    assert len(fig.axes[0].lines) == 1 and "partial" not in fig._suptitle.get_text()
    assert all(lab.get_text() for lab in fig.axes[1].get_xticklabels())  # every panel has year labels


def test_word_clouds_declare_their_smallest_word_at_print_size(tokenized):
    freq = A.term_frequencies(tokenized, by="period")
    fig, data = A.plot_word_clouds(freq, "period", n=40)
    check = A.print_check(fig)
    assert check.width == "double" and check.min_text_pt >= 6.0, check
    for ax in fig.axes:
        assert "of the top" in ax.get_title()


def test_keyness_count_notes_stay_clear_of_whiskers(tokenized):
    kt = _tk(tokenized)
    fig, data = A.plot_keyness(kt, n=8, target_label="2022-11", reference_label="2021-08")
    ax = fig.axes[0]
    notes = {round(t.get_position()[1]): t.get_position()[0] for t in ax.texts if "/" in t.get_text()}
    for i, r in enumerate(data.itertuples()):
        if np.isfinite(getattr(r, "log_ratio_low", np.nan)) and not (r.absent_target or r.absent_reference):
            if r.log_ratio > 0:
                assert notes[i] < min(0, r.log_ratio_low)
            else:
                assert notes[i] > max(0, r.log_ratio_high)


def _tk(tokenized):
    units = tokenized[tokenized.level.isin(["provincial", "municipal"])]
    return A.keyness(units, "period", "2022-11", "2021-08", n_boot=100)


def test_keyness_bars_never_draw_a_pseudo_count_as_measured(tokenized):
    kt = _tk(tokenized)
    fig, data = A.plot_keyness(kt, n=8, target_label="2022-11", reference_label="2021-08")
    ax = fig.axes[0]
    absent = data.absent_target | data.absent_reference
    assert absent.any() and (~absent).any()
    bars = [p for p in ax.patches if p.get_height() > 0.5]
    assert len(bars) == len(data)
    for bar, is_absent in zip(bars, absent):
        # absent on one side: an open (white) bar; measured: filled in the period colour
        assert (bar.get_facecolor()[:3] == (1.0, 1.0, 1.0)) == is_absent
    arrows = [c for c in ax.texts if getattr(c, "arrow_patch", None) is not None]
    assert len(arrows) == absent.sum()
    texts = [t.get_text() for t in ax.texts]
    for r in data.itertuples():
        assert any(t.startswith(f"{r.count_target}/{r.count_reference}; units {r.n_units_target}/") for t in texts)
    assert sum("absent in reference" in t for t in texts) == data.absent_reference.sum()
    assert "2,492 tokens" in ax.get_xlabel() or f"{kt.attrs['n_target']:,} tokens" in ax.get_xlabel()


def test_one_colour_per_period_across_figures(tokenized):
    from matplotlib.colors import to_hex

    kt = _tk(tokenized)
    freq = A.term_frequencies(tokenized[tokenized.level.isin(["provincial", "municipal"])], "period")
    fig1, _ = A.plot_top_terms(freq, "period", n=5)
    fig2, data = A.plot_keyness(kt, n=5, target_label="2022-11", reference_label="2021-08")
    want = A.PERIOD_COLOURS
    top_colours = {ax.get_title().split("\n")[0]: to_hex(ax.patches[0].get_facecolor()) for ax in fig1.axes}
    assert top_colours == {p: c.lower() for p, c in want.items()}
    filled = [p for p in fig2.axes[0].patches if p.get_height() > 0.5]
    for bar, g2, absent in zip(filled, data.g2, data.absent_target | data.absent_reference):
        colour = to_hex(bar.get_edgecolor() if absent else bar.get_facecolor())
        assert colour == want["2022-11" if g2 > 0 else "2021-08"].lower()
    assert A.period_colours(["2020-01", "2022-11"])["2022-11"] == want["2022-11"]
    assert A.period_colours(["2020-01"])["2020-01"] not in want.values()


def test_top_terms_panels_share_the_x_scale_and_show_ties(tokenized):
    freq = A.term_frequencies(tokenized[tokenized.level.isin(["provincial", "municipal"])], "period")
    fig, data = A.plot_top_terms(freq, "period", n=15)
    lims = {ax.get_xlim() for ax in fig.axes}
    assert len(lims) == 1
    for g, d in data.groupby("period"):
        ranks = d["rank"].tolist()
        full = freq[freq.period == g].sort_values("per_10k", ascending=False)
        # a tie is never split silently: the last shown rate is not shared by a term left out
        left_out = full[~full.term.isin(d.term)]
        assert not (left_out.per_10k == d.per_10k.min()).any() or fig.axes[0].get_title().count("tied")
        assert ranks == sorted(ranks)
    labels = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert any("=" in t.split()[0] for t in labels)  # tied ranks marked


def test_tfidf_ties_are_marked_and_cut_off_is_tie_aware():
    tf = pd.DataFrame({"g": ["a"] * 6, "term": ["甲", "乙", "丙", "丁", "戊", "己"],
                       "tfidf": [0.9, 0.5, 0.5, 0.2, 0.2, 0.2], "rank": range(1, 7)})
    _, data = A.plot_tfidf_small_multiples(tf, "g", n=2, ncols=1)
    assert set(data.term) == {"甲", "乙", "丙"} and list(data.rank_label) == ["1", "2=", "2="]
    fig, data = A.plot_tfidf_small_multiples(tf, "g", n=4, ncols=1, max_extra=1)
    assert set(data.term) == {"甲", "乙", "丙"}  # the 3-way tie at rank 4 would add 2 > 1 bars
    assert "3 terms tied at rank 4 not shown" in fig.axes[0].get_title()


def test_similarity_masks_the_diagonal_and_draws_the_dendrogram():
    sim = pd.DataFrame([[1, .2, .9], [.2, 1, .1], [.9, .1, 1]], index=list("abc"), columns=list("abc"))
    fig, data = A.plot_similarity(sim)
    heat = [ax for ax in fig.axes if ax.images][0]
    arr = heat.images[0].get_array()
    assert arr.mask.diagonal().all() and not arr.mask[0, 1]
    assert heat.images[0].norm.vmax == pytest.approx(0.9) and heat.images[0].norm.vmin == pytest.approx(0.1)
    dendro = [ax for ax in fig.axes if ax.collections and not ax.images]
    assert dendro, "no dendrogram axis"


def test_scatter_uses_density_and_full_labels():
    terms = [f"术语{chr(0x4e00 + i)}" for i in range(8)]
    freq = pd.DataFrame({"g": ["x"] * 8 + ["y"] * 2, "term": terms + ["甲", "乙"],
                         "per_10k": [10.0] * 8 + [30.0, 30.0]})
    fig, data = A.plot_frequency_scatter(freq, "g", "x", "y", n_labels=8)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert not any("…" in t for t in texts)
    shown = "".join(texts).replace("\n", "、")
    assert all(t in shown for t in terms)
    assert any(type(c).__name__ == "PolyCollection" for c in fig.axes[0].collections)  # hexbin


def test_bilingual_labels_and_missing_glosses_listed(tokenized):
    freq = pd.DataFrame({"g": ["x", "x"], "term": ["优化", "未收词"], "per_10k": [2.0, 1.0], "count": [2, 1]})
    with pytest.warns(UserWarning, match="未收词"):
        fig, data = A.plot_top_terms(freq, "g", n=2, labels="zh+en")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any("优化 optimise" in t for t in ticks)
    assert any("未收词 [wèishōucí]" in t for t in ticks)
    assert data.attrs["missing_glosses"] == ["未收词"]
    with pytest.warns(UserWarning):
        fig, _ = A.plot_top_terms(freq, "g", n=2, labels="en")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(t.endswith("optimise") for t in ticks) and not any("优化" in t for t in ticks)
    with pytest.raises(ValueError, match="labels must be one of"):
        A.plot_top_terms(freq, "g", labels="fr")


def _unglossed(directory):
    """Han-only labels (terms, places) in a figure folder's CSVs that have no gloss."""
    import re

    glossary = A.load_glossary()
    han = re.compile(r"^[\u3400-\u9fff]+$")
    missing = {}
    for csv in sorted(directory.glob("*.csv")):
        if csv.name == "manifest.csv":
            continue
        d = pd.read_csv(csv)
        if "labelled" in d.columns:  # the scatter labels only some of its terms
            d = d[d.labelled]
        drawn = set()
        for col in d.columns:
            if d[col].dtype == object or str(d[col].dtype).startswith("str"):
                if col in ("longest_passage", "text", "title", "note", "speaker"):
                    continue
                drawn |= {v for v in d[col].dropna().astype(str) if han.match(v)}
        lacking = sorted(t for t in drawn if t not in glossary)
        if lacking:
            missing[csv.name] = lacking
    return missing


def test_glossary_covers_every_term_drawn_in_a_committed_figure():
    """Every term (and place) in a committed figure's CSV has an English gloss."""
    from conftest import ROOT

    missing = _unglossed(ROOT / "figures")
    assert not missing, f"add these terms to data/glossary.yml: {missing}"


def test_every_figure_builder_takes_the_same_labels_option():
    """Every ``plot_*`` builder of the figures layer accepts ``labels`` with default "zh"."""
    import importlib
    import inspect
    import pkgutil

    import analysis.figures as F

    builders = {}
    for info in pkgutil.iter_modules(F.__path__):
        P = importlib.import_module(f"analysis.figures.{info.name}")
        builders.update({n: f for n, f in inspect.getmembers(P, inspect.isfunction)
                         if n.startswith("plot_") and f.__module__ == P.__name__})
    assert {"plot_term_series", "plot_keyness_agreement", "plot_keyness"} <= set(builders)
    lacking = sorted(n for n, f in builders.items()
                     if "labels" not in inspect.signature(f).parameters
                     or inspect.signature(f).parameters["labels"].default != "zh")
    assert not lacking, f"builders without labels='zh': {lacking}"


def _series():
    periods = ["2021-08", "2021-09"]
    return pd.DataFrame({"period": periods * 2, "term": ["优化"] * 2 + ["未收词"] * 2,
                         "count": [1, 2, 3, 4], "n_tokens": [100, 100, 100, 100],
                         "per_10k": [100.0, 200.0, 300.0, 400.0]})


def test_term_series_panel_titles_are_glossed_and_missing_glosses_listed():
    s = _series()
    fig, data = A.plot_term_series(s, ncols=2)  # default: the terms as they are, no warning
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["优化", "未收词"]
    assert data.attrs["missing_glosses"] == []
    with pytest.warns(UserWarning, match="未收词"):
        fig, data = A.plot_term_series(s, ncols=2, labels="zh+en")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["优化 optimise", "未收词 [wèishōucí]"]
    assert data.attrs["missing_glosses"] == ["未收词"]
    assert data["per_10k"].tolist() == s["per_10k"].tolist()  # the numbers do not depend on the labels
    with pytest.warns(UserWarning):
        fig, _ = A.plot_term_series(s, ncols=2, labels="en")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["optimise", "[wèishōucí]"]
    with pytest.raises(ValueError, match="labels must be one of"):
        A.plot_term_series(s, labels="fr")


def test_keyness_agreement_point_labels_are_glossed_and_missing_glosses_listed():
    merged = pd.DataFrame({"term": ["优化", "未收词", "动态清零", "疫情"],
                           "a": [5.0, -4.0, 0.1, 0.0], "b": [4.0, -5.0, 0.0, 0.1]})

    def texts(fig):
        return sorted(t.get_text() for t in fig.axes[0].texts)

    fig, data = A.plot_keyness_agreement(merged, "a", "b", n_labels=2)
    assert texts(fig) == ["优化", "未收词"] and data.attrs["missing_glosses"] == []
    with pytest.warns(UserWarning, match="未收词"):
        fig, data = A.plot_keyness_agreement(merged, "a", "b", n_labels=2, labels="zh+en")
    assert texts(fig) == ["优化 optimise", "未收词 [wèishōucí]"]
    assert data.attrs["missing_glosses"] == ["未收词"]  # only labelled terms need a gloss
    assert data["term"].tolist() == merged["term"].tolist()  # the CSV keeps the terms
    with pytest.warns(UserWarning):
        fig, _ = A.plot_keyness_agreement(merged, "a", "b", n_labels=2, labels="en")
    assert texts(fig) == ["[wèishōucí]", "optimise"]
    with pytest.raises(ValueError, match="labels must be one of"):
        A.plot_keyness_agreement(merged, "a", "b", labels="fr")


def _hand_keyness(family=True):
    """A keyness table built by hand: which term passes which test is known without computing anything."""
    kt = pd.DataFrame({
        "term": ["甲", "乙", "丙", "丁", "戊"],
        "g2": [20.0, 9.0, 6.0, -5.0, -4.0],
        "log_ratio": [2.0, 1.5, 1.0, -1.0, -0.8],
        "count_target": [20, 9, 6, 1, 2], "count_reference": [1, 1, 1, 6, 6],
        "significant": [True, False, False, False, False],
        "q_value": [0.01, 0.20, 0.04, 0.50, 0.05],          # 甲 丙 pass BH; 戊 sits at 0.05 (not < 0.05)
    })
    if family:
        kt["in_family"] = [False, True, True, True, False]
        kt["q_family"] = [np.nan, 0.30, 0.03, 0.20, np.nan]  # 丙 passes BH within the family
        kt["significant_family"] = [False, True, False, False, False]  # 乙 passes Bonferroni within it
    kt.attrs.update(alpha=0.05, n_terms=5, bonferroni_g2=15.0, n_target=100, n_reference=100)
    return kt


def test_keyness_marks_name_the_tests_each_term_passes():
    from analysis.figures.keyness_plots import keyness_marks

    marks = dict(zip(_hand_keyness().term, keyness_marks(_hand_keyness())))
    assert marks == {"甲": "*", "乙": "†", "丙": "*†", "丁": "", "戊": ""}
    plain = dict(zip(_hand_keyness(False).term, keyness_marks(_hand_keyness(False))))
    assert plain == {"甲": "*", "乙": "", "丙": "*", "丁": "", "戊": ""}
    # a stricter alpha moves the q thresholds; significant_family is the table's own Bonferroni verdict
    assert list(keyness_marks(_hand_keyness(), alpha=0.001)) == ["", "†", "", "", ""]


@pytest.mark.parametrize("family", [True, False])
def test_keyness_figure_draws_the_marks_and_states_them(family):
    fig, data = A.plot_keyness(_hand_keyness(family), n=5, min_g2=3.84)
    ax = fig.axes[0]
    ticks = {t.get_text().split(" ")[0]: t.get_text() for t in ax.get_yticklabels()}
    want = {"甲": "甲 *", "乙": "乙 †" if family else "乙", "丙": "丙 *†" if family else "丙 *", "丁": "丁", "戊": "戊"}
    assert ticks == want
    title = ax.get_title()
    assert "* = BH q < 0.05 over the 5 terms tested" in title
    assert ("† = passes the pre-declared family's test (Bonferroni or BH q < 0.05 within its 3 terms)" in title) \
        == family
    assert "marks" not in data  # the figure's CSV keeps its columns: the marks follow from q_value and the family
    check = A.print_check(fig, "double")
    assert not check.problems, check.problems
