"""Bulk import: CSV/JSONL metadata tables load as units without anchors (data/bulk/, load_bulk)."""
import json

import pytest

import analysis as A
from analysis.ingest import corpus as C
from analysis import CorpusError
from test_corpus import GOOD_TEXT, unit

CSV = """unit_id,file,text,date,period,level,province,outlet,speaker,inferred
b-file,b.txt,,2022-11-12,2022-11,provincial,江苏,快报,吴某,province
b-inline,,"11月13日，湖北省召开会议，研究部署疫情防控工作。",2022-11-13,2022-11,provincial,湖北,日报,,
"""


def _bulk(data, name, content):
    (data / "bulk").mkdir(exist_ok=True)
    (data / "bulk" / name).write_text(content, encoding="utf-8")


def test_csv_and_jsonl_tables_load_with_the_manifest(make_data):
    data = make_data({"a.txt": GOOD_TEXT, "b.txt": "标题\n\n第一段会议内容，研究部署。\n"}, unit())
    _bulk(data, "a.csv", CSV)
    _bulk(data, "b.jsonl", json.dumps({"unit_id": "b-json", "text": "会议要求抓早抓小。", "date": "2022-11-14",
                                       "level": "national", "outlet": "新华社", "speaker": ["甲", "乙"],
                                       "period": "2022-11"}, ensure_ascii=False) + "\n")
    c = A.load_corpus(data)
    assert list(c.columns) == C.COLUMNS
    assert c.unit_id.tolist() == ["u1", "b-file", "b-inline", "b-json"]
    u = c.set_index("unit_id")
    assert u.loc["b-file", "text"] == "标题\n第一段会议内容，研究部署。"  # whole cleaned document
    assert u.loc["b-file", ["doc_id", "file", "speaker", "inferred", "period"]].tolist() == \
        ["b-file", "b.txt", "吴某", "province", "2022-11"]
    assert u.loc["b-inline", ["file", "text"]].tolist() == ["", "11月13日，湖北省召开会议，研究部署疫情防控工作。"]
    assert u.loc["b-json", "speaker"] == "甲、乙"
    audit, _ = A.corpus_audit(data)
    assert audit.doc_id.tolist() == ["d1", "b-file", "b-inline", "b-json"] and (audit.error == "").all()


def test_load_bulk_alone(make_data, tmp_path):
    data = make_data({"b.txt": "第一段会议内容，研究部署。\n"}, unit())
    table = tmp_path / "t.csv"
    table.write_text(CSV, encoding="utf-8")
    c = C.load_bulk(table, data / "raw", data_dir=data)
    assert c.unit_id.tolist() == ["b-file", "b-inline"]


@pytest.mark.parametrize("content, message", [
    (CSV.replace("2022-11-12", "12/11/2022"), r"a\.csv, row 1, unit 'b-file': field date '12/11/2022' is not an ISO date"),
    (CSV.replace("b.txt", "../../etc/passwd"), r"a\.csv, row 1: `file: \.\./\.\./etc/passwd` must be a path inside"),
    (CSV.replace("inferred", "infered"), r"a\.csv, row 1: unknown column\(s\) \['infered'\]"),
    (CSV.replace("b-file,b.txt,,", "b-file,b.txt,正文。,"), r"row 1: give exactly one of `file`.*or `text`"),
    (CSV.replace("江苏", "江南"), r"unit 'b-file': unknown province '江南'"),
    (CSV.replace("b-inline", "u1"), r"duplicate doc_id 'u1'|duplicate unit_id"),
])
def test_bulk_rows_are_validated_like_the_manifest(make_data, content, message):
    data = make_data({"a.txt": GOOD_TEXT, "b.txt": GOOD_TEXT}, unit())
    _bulk(data, "a.csv", content)
    with pytest.raises(CorpusError, match=message):
        A.load_corpus(data)
    audit, _ = A.corpus_audit(data)
    assert (audit.error != "").any()


def test_bad_jsonl_line(make_data):
    data = make_data({"a.txt": GOOD_TEXT}, unit())
    _bulk(data, "x.jsonl", '{"unit_id": "x"}\n{oops\n')
    with pytest.raises(CorpusError, match=r"x\.jsonl, line 2: not valid JSON"):
        A.load_corpus(data)
