"""python -m analysis.ingest.paragraphs: the cleaned, numbered paragraphs anchors are copied from."""
import subprocess
import sys

from analysis.ingest.paragraphs import cleaned_paragraphs, format_paragraphs, main
from conftest import ROOT


def test_numbered_paragraphs_of_a_synthetic_page(tmp_path, capsys):
    p = tmp_path / "a.txt"
    p.write_text("标题\n\n当前位置：首页 > 要闻\n\n会议指出,(一)要抓早抓小。\n\n返回顶部", encoding="utf-8")
    assert main([str(p), "--dropped"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("# line structure: blank-line paragraphs")
    assert out[2:4] == ["[1] 标题", "[2] 会议指出，（一）要抓早抓小。"]
    assert "  - site chrome: back-to-top link: 返回顶部" in out


def test_bad_file_is_reported_not_a_traceback(tmp_path, capsys):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert main([str(p)]) == 1
    assert "empty.txt: the file is empty" in capsys.readouterr().err


def test_module_runs_on_a_seed_file():
    path = ROOT / "data" / "raw" / "001_33cb1c59f72bef8b.txt"
    res = subprocess.run([sys.executable, "-m", "analysis.ingest.paragraphs", str(path)], capture_output=True,
                         text=True, check=True)
    doc = cleaned_paragraphs(path)
    assert res.stdout.strip() == format_paragraphs(doc)
    assert "[1] " + doc.paragraphs[0] in res.stdout


def test_single_newline_page_shows_one_paragraph_per_report_paragraph_and_its_chrome(tmp_path, capsys):
    p = tmp_path / "page.txt"
    p.write_text("福建省召开疫情防控工作会议\n2022年11月26日 10:08\n字体:\n放大\n正常\n缩小\n分享\n"
                 "11月23日，省委召开会议，研究部署疫情防控工作。\n会议强调，要保障群众正常生活。\n"
                 "来源 | 福建日报\n点亮\n和\n↓↓\n", encoding="utf-8")
    assert main([str(p), "--dropped"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("# line structure: one paragraph per line")
    assert out[2:5] == ["[1] 福建省召开疫情防控工作会议", "[2] 11月23日，省委召开会议，研究部署疫情防控工作。",
                        "[3] 会议强调，要保障群众正常生活。"]
    assert out[5] == "# dropped by cleaning (10 lines):"
    assert "  - byline: dateline (publication date and time): 2022年11月26日 10:08" in out
    assert "  - site chrome: page controls (one word per line): 正常" in out
    assert "  - byline: source or staff credit: 来源 | 福建日报" in out
    assert "  - site chrome: page controls (one word per line): 和" in out
