"""Time series from the document-term matrix, against hand counts on a small synthetic matrix."""
import numpy as np
import pandas as pd
import pytest

from analysis.text.matrix import dtm_from_tokens
from analysis.measures.timeseries import count_strings, first_last, period_labels, term_series, unit_series


@pytest.fixture
def dtm():
    tokens = [
        ["动态清零", "核酸", "核酸"],           # 2021-08-03
        ["发展", "经济"],                       # 2021-08-20
        ["动态清零", "层层加码", "科学精准", "优化"],  # 2021-10-01  (2021-09 has no unit)
        ["优化", "优化", "二十条"],              # 2022-11-12
    ]
    docvars = pd.DataFrame({"unit_id": ["a", "b", "c", "d"],
                            "date": ["2021-08-03", "2021-08-20", "2021-10-01", "2022-11-12"],
                            "covid": [True, False, True, True]})
    return dtm_from_tokens(tokens, docvars)


def test_period_labels():
    assert list(period_labels(["2021-08-03", "2022-11-30"])) == ["2021-08", "2022-11"]
    assert list(period_labels(["2021-08-03"], "Y")) == ["2021"]
    assert list(period_labels(["2021-08-03"], "Q")) == ["2021Q3"]
    with pytest.raises(ValueError, match="row 1"):
        period_labels(["2021-08-03", "someday"])
    with pytest.raises(ValueError, match="freq"):
        period_labels(["2021-08-03"], "fortnight")


def test_term_series_matches_hand_counts(dtm):
    s = term_series(dtm, ["动态清零", "优化", "核酸"]).set_index(["period", "term"])
    # every month from 2021-08 to 2022-11 is present (16), three terms each
    assert len(s) == 16 * 3
    assert s.loc[("2021-08", "核酸"), "count"] == 2 and s.loc[("2021-08", "核酸"), "units_with_term"] == 1
    assert s.loc[("2021-08", "动态清零"), "n_tokens"] == 5 and s.loc[("2021-08", "动态清零"), "n_units"] == 2
    assert s.loc[("2021-08", "动态清零"), "per_10k"] == pytest.approx(1 / 5 * 1e4)
    assert s.loc[("2021-08", "动态清零"), "share_units"] == pytest.approx(0.5)
    assert s.loc[("2022-11", "优化"), "count"] == 2 and s.loc[("2022-11", "优化"), "per_10k"] == pytest.approx(2 / 3 * 1e4)
    gap = s.loc[("2021-09", "优化")]
    assert gap["n_units"] == 0 and gap["count"] == 0 and np.isnan(gap["per_10k"])
    # totals equal the matrix's column sums
    assert s.xs("优化", level="term")["count"].sum() == dtm.column("优化").sum() == 3


def test_term_series_range_frequency_and_unknown_terms(dtm):
    y = term_series(dtm, ["优化", "不存在"], freq="Y").set_index(["period", "term"])
    assert list(y.index.get_level_values(0).unique()) == ["2021", "2022"]
    assert y.loc[("2021", "优化"), "count"] == 1 and y.loc[("2021", "不存在"), "count"] == 0
    w = term_series(dtm, ["优化"], start="2022-01", end="2022-12")
    assert list(w["period"]) == [f"2022-{m:02d}" for m in range(1, 13)]
    assert w["count"].sum() == 2  # units of 2021 are outside the range


def test_term_series_with_string_counts(dtm):
    texts = ["坚持动态清零", "", "严防层层加码，坚持动态清零", "落实二十条，二十条措施"]
    counts = count_strings(texts, ["二十条", "清零"])
    s = term_series(dtm, ["二十条", "清零"], counts=counts).set_index(["period", "term"])
    assert s.loc[("2022-11", "二十条"), "count"] == 2
    assert s.loc[("2021-08", "清零"), "count"] == 1
    assert s.loc[("2022-11", "二十条"), "n_tokens"] == 3  # denominator still the matrix's tokens
    with pytest.raises(ValueError, match="rows"):
        term_series(dtm, ["清零"], counts=counts.iloc[:2])


def test_count_strings_leftmost_longest():
    c = count_strings(["动态清零和清零", "清零清零", None], ["清零", "动态清零"])
    assert c.to_dict("list") == {"清零": [1, 2, 0], "动态清零": [1, 0, 0]}
    with pytest.raises(ValueError):
        count_strings(["x"], [""])


def test_unit_series(dtm):
    u = unit_series(dtm)
    assert u.loc["2021-08", "n_units"] == 2 and u.loc["2021-09", "n_units"] == 0 and u["n_units"].sum() == 4
    by = unit_series(dtm, by="covid")
    assert by.loc["2021-08"].to_dict() == {"False": 1, "True": 1}
    with pytest.raises(ValueError, match="unknown column"):
        unit_series(dtm, by="nope")


def test_first_last(dtm):
    fl = first_last(dtm, ["动态清零", "优化", "二十条", "不存在"]).set_index("term")
    assert fl.loc["动态清零", ["first", "last", "first_unit", "last_unit", "n_units", "count"]].tolist() == \
        ["2021-08-03", "2021-10-01", "a", "c", 2, 2]
    assert fl.loc["优化", "first"] == "2021-10-01" and fl.loc["优化", "last"] == "2022-11-12"
    assert fl.loc["优化", "count"] == 3
    assert fl.loc["不存在", "first"] == "" and fl.loc["不存在", "n_units"] == 0


def test_plot_term_series_returns_the_plotted_numbers(dtm):
    import matplotlib

    matplotlib.use("Agg")
    from analysis.figures.style import use_style

    use_style()
    from analysis.figures.series_plots import plot_term_series

    s = term_series(dtm, ["动态清零", "优化"])
    u = unit_series(dtm, by="covid")
    fig, data = plot_term_series(s, u, shade=["2021-08", "2022-11"], ncols=2)
    assert len(data) == len(s) and data["per_10k"].equals(s["per_10k"])
    assert data.loc[data.period == "2021-08", "units_True"].iloc[0] == 1
    axes = fig.axes
    assert len(axes) == 3 and axes[0].get_xlim() == axes[2].get_xlim()  # one time axis for every panel
    assert sum(len(ax.patches) for ax in axes) == 2 * 3  # two shaded months in each panel
