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


# --- strict parsing: nothing is cut, swallowed or overwritten silently ---------------------------

HEAD = "unit_id,text,date,period,level,outlet\n"
ROW = "{id},{text},2022-11-13,2022-11,national,日报\n"


def _rows(*texts):
    return HEAD + "".join(ROW.format(id=f"b{i}", text=t) for i, t in enumerate(texts, 1))


@pytest.mark.parametrize("content, message", [
    (_rows('"会议强调，要坚决落实。"', "会议强调,要坚决落实。"),
     r"a\.csv, row 2 \(line 3\): 7 fields but the header has 6 .*in double quotes"),
    (HEAD + "b1,会议要求抓早抓小。,2022-11-13,2022-11,national\n",
     r"a\.csv, row 1 \(line 2\): 5 fields but the header has 6"),
    (_rows('"会议强调，要坚决落实。', '"会议要求抓早抓小。"'),
     r"a\.csv, row 1 \(lines 2-3\): .*a quote left open"),
    (_rows('"会议强调，要坚决落实。', "会议要求抓早抓小。"),
     r"a\.csv, row 1 \(line 2\): a quoted field opened here is never closed"),
    (HEAD.replace("outlet", "text") + ROW.format(id="b1", text="会议要求抓早抓小。"),
     r"a\.csv, line 1: columns 2 and 6 are both named 'text'"),
    (HEAD.replace("date", " ") + ROW.format(id="b1", text="会议要求抓早抓小。"),
     r"a\.csv, line 1: column 3 has no name"),
    (_rows("会议要求\x00抓早抓小。"), r"a\.csv, row 1 \(line 2\): field `text` contains a NUL character"),
])
def test_malformed_csv_tables_are_refused_with_table_row_and_fix(make_data, content, message):
    data = make_data({"a.txt": GOOD_TEXT}, unit())
    _bulk(data, "a.csv", content)
    with pytest.raises(CorpusError, match=message):
        A.load_corpus(data)
    audit, _ = A.corpus_audit(data)
    assert audit.error.str.contains("a.csv").any()


def test_an_unclosed_quote_does_not_swallow_the_next_row(make_data):
    data = make_data({"a.txt": GOOD_TEXT}, unit())
    _bulk(data, "a.csv", _rows('"会议强调，要坚决落实。', "会议要求抓早抓小。", "会议强调科学精准。"))
    with pytest.raises(CorpusError, match=r"row 1 \(line 2\).*never closed.*line 4"):
        A.load_corpus(data)


def test_text_over_the_default_csv_field_limit_loads_whole(make_data):
    import csv
    long = "会议强调，要坚决落实。" * 20_000  # 220,000 characters, 660 kB: over csv's 128 kB default
    data = make_data({"a.txt": GOOD_TEXT}, unit())
    _bulk(data, "a.csv", _rows(f'"{long}"', "会议要求抓早抓小。"))
    before = csv.field_size_limit()
    c = A.load_corpus(data).set_index("unit_id")
    assert c.loc["b1", "text"] == long and c.loc["b2", "text"] == "会议要求抓早抓小。"
    assert csv.field_size_limit() == before  # the process-wide limit is restored


def test_quoted_text_keeps_commas_quotes_and_line_breaks(make_data):
    data = make_data({"a.txt": GOOD_TEXT}, unit())
    _bulk(data, "a.csv", _rows('"会议强调,要坚决落实""动态清零""。\n第二段。"', "会议要求\u2028抓早抓小。"))
    c = A.load_corpus(data).set_index("unit_id")
    # cleaning widens the comma; the newline after a finished sentence stays a paragraph break
    assert c.loc["b1", "text"] == '会议强调，要坚决落实"动态清零"。\n第二段。'
    assert c.index.tolist() == ["u1", "b1", "b2"]
    assert "抓早抓小" in c.loc["b2", "text"]  # U+2028 inside a field does not end the row


def _jsonl_row(**fields):
    row = {"unit_id": "j1", "text": "会议要求抓早抓小。", "date": "2022-11-14", "level": "national",
           "outlet": "新华社", "period": "2022-11"}
    row.update(fields)
    return json.dumps(row, ensure_ascii=False)


@pytest.mark.parametrize("line, message", [
    (_jsonl_row(text={"a": 1}), r"x\.jsonl, line 1: field `text` must be a string .*not a JSON object"),
    (_jsonl_row(text=12), r"x\.jsonl, line 1: field `text` must be a string .*not a number"),
    (_jsonl_row(outlet={"name": "新华社"}), r"x\.jsonl, line 1: field `outlet` holds a JSON object"),
    (_jsonl_row(speaker=[["甲"], "乙"]), r"x\.jsonl, line 1: field `speaker` holds a list nested"),
    (_jsonl_row(text="会议" + "[" * 5000 + "要求"), None),  # brackets inside a string are text, not nesting
    ('{"unit_id": "j1", "text": ' + "[" * 100_000 + "]" * 100_000 + "}", r"x\.jsonl, line 1: JSON nested deeper"),
    ('{"unit_id": "j1", "unit_id": "j2", "text": "会议要求抓早抓小。"}', r"x\.jsonl, line 1: key 'unit_id' appears twice"),
    (_jsonl_row(text="会议\u0000要求"), r"x\.jsonl, line 1: field `text` contains a NUL character"),
])
def test_malformed_jsonl_rows_are_refused_with_table_line_and_fix(make_data, line, message):
    data = make_data({"a.txt": GOOD_TEXT}, unit())
    _bulk(data, "x.jsonl", line + "\n")
    if message is None:
        assert A.load_corpus(data).set_index("unit_id").loc["j1", "text"] == "会议" + "[" * 5000 + "要求"
        return
    with pytest.raises(CorpusError, match=message):
        A.load_corpus(data)


def test_a_line_separator_inside_a_jsonl_string_does_not_split_the_row(make_data):
    data = make_data({"a.txt": GOOD_TEXT}, unit())
    _bulk(data, "x.jsonl", _jsonl_row(text="会议要求\u2028抓早抓小。") + "\r\n" + _jsonl_row(unit_id="j2") + "\n")
    c = A.load_corpus(data).set_index("unit_id")
    assert "抓早抓小" in c.loc["j1", "text"] and "j2" in c.index


def test_a_bulk_table_that_is_a_link_is_refused_without_quoting_its_target(make_data, tmp_path):
    data = make_data({"a.txt": GOOD_TEXT}, unit())
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:secret-first-line\n", encoding="utf-8")
    (data / "bulk").mkdir()
    (data / "bulk" / "t.csv").symlink_to(secret)
    with pytest.raises(CorpusError, match=r"bulk table t\.csv is a symbolic link") as err:
        A.load_corpus(data)
    assert "secret-first-line" not in str(err.value)
    audit, _ = A.corpus_audit(data)
    assert not audit.error.str.contains("secret-first-line").any()


def test_a_bulk_table_that_is_not_a_regular_file_is_refused(make_data):
    import os
    data = make_data({"a.txt": GOOD_TEXT}, unit())
    (data / "bulk").mkdir()
    os.mkfifo(data / "bulk" / "pipe.csv")  # reading it would block forever
    with pytest.raises(CorpusError, match=r"bulk table pipe\.csv is not a regular file"):
        A.load_corpus(data)


def test_whole_file_bulk_units_lose_page_chrome_and_may_leave_the_province_unstated(make_data):
    """A single-newline page with SEO line, breadcrumb, section label, foreign dateline and widgets: the
    whole-file unit keeps the headline and the report only; a province written `not stated` loads."""
    page = ("福建疫情_福建疫情最新消息_某某资讯网\n我的位置：首页>文章详情\n重要新闻\n省委召开疫情防控工作会议\n"
            "18.02.2020 09:42 本文来源：某某网\n分享到：\n微信\n微博\n"
            "2月17日，省委召开会议，研究部署疫情防控工作。\n会议强调，要确保群众正常生活。\n阅读 10万+\nTOP\n")
    data = make_data({"a.txt": GOOD_TEXT, "p.txt": page}, unit())
    _bulk(data, "p.csv", "unit_id,file,date,period,level,province,outlet\n"
                         "p-file,p.txt,2022-11-17,2022-11,provincial,not stated,某某网\n")
    u = A.load_corpus(data).set_index("unit_id").loc["p-file"]
    assert u.text == "省委召开疫情防控工作会议\n2月17日，省委召开会议，研究部署疫情防控工作。\n会议强调，要确保群众正常生活。"
    assert (u.province, u.place) == ("not stated", "not stated")
    audit, dropped = A.corpus_audit(data)
    assert audit.set_index("doc_id").loc["p-file", "line_structure"] == "one paragraph per line"
    assert len(dropped[(dropped.doc_id == "p-file") & (dropped.stage == "cleaning")]) == 9
