"""Notebook 07 runs unchanged on a user's larger corpus: a copy of data/ with an added document."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT, grown_data_dir

NOTEBOOK = ROOT / "notebooks" / "07_readouts.ipynb"

SYNTHETIC = """广东召开疫情防控工作会议

11月14日，广东省委常委会召开会议，省委书记主持会议。会议传达学习了中央政治局常委会会议精神，研究部署我省疫情防控工作。
会议指出，当前疫情形势复杂严峻，防控工作进入关键阶段。
会议要求，一要科学精准落实二十条措施，严防层层加码；二要全力做好人民群众生产生活服务保障，解决好群众急难愁盼问题。
"""


def test_notebook_07_runs_unchanged_on_a_grown_corpus(tmp_path, monkeypatch):
    import papermill as pm

    data = grown_data_dir(tmp_path, SYNTHETIC, "synthetic-doc", "synthetic.txt")
    figures = tmp_path / "figures"
    monkeypatch.setenv("FIGURES_DIR", str(figures))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "out.ipynb"), cwd=str(NOTEBOOK.parent),
                        parameters={"data_dir": str(data)}, progress_bar=False, kernel_name="python3")
    anatomy = pd.read_csv(figures / "07_move_anatomy.csv")
    new = anatomy[anatomy.unit_id == "guangdong-20221114"].set_index("move").share
    assert new["study"] > 0 and new["assess"] > 0 and new["direct"] > 0 and new["frame"] > 0
    assert new.sum() == pytest.approx(1.0, abs=1e-5)
    places = pd.read_csv(figures / "07_keyness_places.csv")
    assert "广东" in set(places.place)
    manifest = pd.read_csv(figures / "manifest.csv")
    assert {"07_echo_moves", "07_keyness_direct_periods", "07_keyness_places", "07_move_anatomy"} <= set(manifest.name)
    assert manifest.parameters.str.contains(str(data).replace("\\", "\\\\")).all()


def _run_cells_until(path, tag, monkeypatch, tmp_path) -> dict:
    """Execute a notebook's code cells in order, in this process, up to and including the cell tagged
    ``tag``; return the namespace (so a test can read the table the notebook shows)."""
    import json

    monkeypatch.setenv("FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    ns: dict = {}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        exec(compile("".join(cell["source"]), f"{path.name}:{cell.get('id')}", "exec"), ns)
        if tag in cell["metadata"].get("tags", []):
            return ns
    raise AssertionError(f"{path.name} has no cell tagged {tag!r}")


def test_notebook_03_count_models_are_the_direct_count_model_of_each_place(monkeypatch, tmp_path):
    """The rate ratios notebook 03 shows (each place against the other places, full reports and with the excerpts)
    are, row by row, ``A.count_model`` on a selection rebuilt here from the parameters; a place with one meeting
    refuses, saying so."""
    import numpy as np

    import analysis as A

    ns = _run_cells_until(ROOT / "notebooks" / "03_provinces.ipynb", "count-models", monkeypatch, tmp_path)
    family = A.load_families()[ns["family"]]
    corpus = A.load_corpus()
    units = corpus[(corpus.period == ns["period"]) & corpus.level.isin(ns["levels"])
                   & ~corpus.unit_id.isin(ns["exclude_units"])]
    tokens = A.tokenize_corpus(units)
    for name, selection in (("cm_full", tokens[~tokens.excerpt.astype(bool)]), ("cm_all", tokens)):
        table = ns[name]
        assert list(table.place.unique()) == sorted(selection.place.unique())
        assert len(table) == selection.place.nunique() * len(family)
        meetings = selection.groupby("place").meeting_id.nunique()
        for r in table.itertuples():
            side = selection.assign(side=np.where(selection.place == r.place, r.place, "other places"))
            try:
                direct = A.count_model(side, r.term, "side", r.place, "other places", level=ns["level"])
            except KeyError as e:  # a term the segmenter never produced: the notebook's row says so
                assert np.isnan(r.rate_ratio) and r.note == str(e).strip("'\""), (r.place, r.term)
                continue
            assert (r.count_target, r.count_reference, r.meetings_target, r.meetings_reference) == (
                direct["count_target"], direct["count_reference"], direct["meetings_target"],
                direct["meetings_reference"])
            assert r.note == direct["note"]
            for k in ("rate_ratio", "ci_low", "ci_high", "p"):
                assert getattr(r, k) == pytest.approx(direct[k], rel=1e-9, nan_ok=True), (name, r.place, r.term, k)
            if meetings[r.place] == 1:
                assert np.isnan(r.rate_ratio) and f"{r.place} has 1 meeting" in r.note
        assert A.count_models_statement(table, "place")  # the sentence the notebook prints
    assert ns["cm_full"].rate_ratio.notna().any(), "no place of the full reports has two meetings any more"
