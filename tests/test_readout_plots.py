"""Figure builders for readout moves, echo and one-vs-rest keyness: what they plot is what they return."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import analysis as A  # noqa: E402
from analysis.measures.moves import MOVES  # noqa: E402


pytestmark = pytest.mark.usefixtures("styled_figures")  # tests/conftest.py


META = pd.DataFrame({"unit_id": ["a", "b"], "period": ["2022-11", "2021-08"], "place": ["河南", "江苏"],
                     "excerpt": [True, False]})


def test_move_anatomy_data_and_labels():
    shares = pd.DataFrame({"unit_id": ["a", "b"], **{m: [0.0, 0.0] for m in MOVES}, "n_chars": [10, 20]})
    shares.loc[0, ["study", "direct"]] = [0.25, 0.75]
    shares.loc[1, "stress"] = 1.0
    fig, data = A.plot_move_anatomy(shares, META, labels="zh+en")
    got = data.pivot(index="unit_id", columns="move", values="share")
    assert got.loc["a", "direct"] == 0.75 and got.loc["b", "stress"] == 1.0
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any(t.startswith("河南 Henan · 2022-11 · a *") for t in ticks)  # excerpt starred, glossed place
    assert not any("b *" in t for t in ticks)
    bars = [p for p in fig.axes[0].patches]
    assert len(bars) == len(MOVES) * 2
    assert data.attrs["missing_glosses"] == []


def test_echo_moves_cells_and_blank_moves():
    by_move = pd.DataFrame({"unit_id": ["a", "a", "b"], "move": ["study", "direct", "direct"],
                            "n_chars": [10, 30, 20], "echo_chars": [5, 3, 0], "echo_share": [0.5, 0.1, 0.0]})
    units = META.assign(n_chars=[40, 20], echo_chars=[8, 0])
    fig, data = A.plot_echo_moves(by_move, units)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"50%\n5/10", "10%\n3/30", "20%\n8/40", "0%\n0/20"} <= texts
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["study", "direct", "all"]
    assert len(data) == 3 and set(data.columns) >= {"unit_id", "move", "echo_chars", "place", "excerpt"}


def test_keyness_groups_heatmap_from_one_vs_rest():
    tok = pd.DataFrame({"unit_id": ["a1", "a2", "b1"], "place": ["甲", "甲", "乙"],
                        "tokens": [["防控"] * 5 + ["经济"], ["防控"] * 4 + ["经济"], ["经济"] * 6]})
    ovr = A.keyness_one_vs_rest(tok, "place", min_count=1)
    before = ovr.copy(deep=True)
    fig, data = A.plot_keyness_groups(ovr, n=1, min_count=2)
    pd.testing.assert_frame_equal(ovr, before)  # the caller's table, attrs included, is left as it was
    assert ovr.attrs.keys() == before.attrs.keys() and set(ovr.attrs["groups"]) == {"甲", "乙"}
    # groups in code-point order (乙 before 甲); each group's top term, in that order
    assert data[["place", "term", "count"]].values.tolist() == [
        ["乙", "经济", 6], ["甲", "经济", 2], ["乙", "防控", 0], ["甲", "防控", 9]]
    cells = [t.get_text() for t in fig.axes[0].texts]
    assert [c.rstrip("●") for c in cells] == ["6", "2", "9"]  # the absent cell (乙, 防控) is blank
    marked = data[data["count"] > 0]
    assert [c.endswith("●") for c in cells] == marked.significant_all.tolist()
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["乙 (1)", "甲 (2)"]
    assert np.isfinite(data["log_odds_z"]).all()
    with pytest.raises(ValueError, match="no term is over-used"):
        A.plot_keyness_groups(ovr, min_count=50)
