"""Notebook 07 runs unchanged on a user's larger corpus: a copy of data/ with an added document."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from conftest import ROOT

NOTEBOOK = ROOT / "notebooks" / "07_readouts.ipynb"

SYNTHETIC = """广东召开疫情防控工作会议

11月14日，广东省委常委会召开会议，省委书记主持会议。会议传达学习了中央政治局常委会会议精神，研究部署我省疫情防控工作。
会议指出，当前疫情形势复杂严峻，防控工作进入关键阶段。
会议要求，一要科学精准落实二十条措施，严防层层加码；二要全力做好人民群众生产生活服务保障，解决好群众急难愁盼问题。
"""


def test_notebook_07_runs_unchanged_on_a_grown_corpus(tmp_path, monkeypatch):
    import papermill as pm

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "raw" / "synthetic.txt").write_text(SYNTHETIC, encoding="utf-8")
    with open(data / "corpus.yml", "a", encoding="utf-8") as f:
        f.write("""
  - doc_id: synthetic-doc
    file: synthetic.txt
    outlet: 测试报
    units:
      - unit_id: guangdong-20221114
        start: 11月14日，广东省委常委会召开会议
        period: "2022-11"
        date: "2022-11-14"
        level: provincial
        province: 广东
""")
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
