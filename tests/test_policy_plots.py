"""Figure builders of talk and action: the data they return is what they draw."""
from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

import analysis as A
from analysis.figures import policy_plots as pp

matplotlib.use("Agg")


pytestmark = pytest.mark.usefixtures("styled_figures")  # tests/conftest.py


def by_period() -> pd.DataFrame:
    rows = [("重庆", "2021-08", 45.8), ("重庆", "2022-11", 84.5), ("江苏", "2021-08", 73.1), ("江苏", "2022-11", 58.3),
            ("海南", "2021-08", 49.6), ("海南", "2022-11", 38.0), ("全国", "2021-08", 79.2), ("全国", "2022-11", 79.2)]
    return pd.DataFrame(rows, columns=["province", "period", "mean"])


def test_dumbbell_rows_sorted_by_the_later_period_country_last():
    fig, data = pp.plot_policy_dumbbell(by_period(), "2021-08", "2022-11", marked=["江苏"], labels="zh+en")
    assert list(data.province) == ["重庆", "江苏", "海南", "全国"]
    assert list(data.label) == ["重庆 Chongqing", "江苏 Jiangsu", "海南 Hainan", "全国 nationwide"]
    assert data.set_index("province").loc["江苏", "change"] == pytest.approx(58.3 - 73.1)
    assert list(data.marked) == [False, True, False, False]
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == list(data.label)
    assert data.attrs["missing_glosses"] == []
    with pytest.raises(ValueError, match=r"no period \['2020-01'\]"):
        pp.plot_policy_dumbbell(by_period(), "2020-01", "2022-11")


def test_talk_vs_policy_panels_and_points():
    meetings = pd.DataFrame({"meeting": ["m1", "m2", "m3"], "place": ["河南", "郑州", "海南"],
                             "period": ["2021-08", "2022-11", "2022-11"], "excerpt": [False, False, True],
                             "x": [41.7, 79.2, 38.0], "rate": [195.8, 68.5, 0.0], "score": [-0.04, 0.11, np.nan]})
    fig, data = pp.plot_talk_vs_policy(meetings, "x", [("rate", "rate", "note a"), ("score", "score", "")],
                                       label="place", labels="en")
    assert len(fig.axes) == 2 and fig.axes[0].get_title(loc="left") == "note a"
    assert list(data.label) == ["Henan", "Zhengzhou", "Hainan"] and list(data.excerpt) == [False, False, True]
    offsets = [len(c.get_offsets()) for c in fig.axes[1].collections]
    assert sum(offsets) == 3  # every meeting is a point; the one without a score is drawn at NaN (invisible)


def test_series_vs_index_long_table():
    idx = [f"2020-{m:02d}" for m in range(1, 13)] + [f"2021-{m:02d}" for m in range(1, 13)]
    rng = np.random.default_rng(0)
    monthly = pd.DataFrame({"rate": rng.random(24), "index": rng.random(24) * 100}, index=idx)
    cc = A.lagged_correlation(monthly["rate"], monthly["index"], max_lag=2, n_boot=50)
    fig, data = pp.plot_series_vs_index(monthly, "rate", "index", {"levels": cc}, shade=["2021-08"])
    series = data[data.panel == "series"]
    assert list(series.month) == idx and np.allclose(series.rate, monthly.rate)
    lv = data[data.panel == "levels"]
    assert list(lv.lag) == [-2, -1, 0, 1, 2] and np.allclose(lv.r, cc.r)
    with pytest.raises(ValueError, match="labels must be one of"):
        pp.plot_series_vs_index(monthly, "rate", "index", {"levels": cc}, labels="fr")
