"""python -m analysis.ingest.draft: proposed units and metadata, each guess marked inferred."""
import pytest
from ruamel.yaml import YAML

import analysis as A
from analysis.ingest.draft import (draft_document, draft_yaml, evaluate_drafts, evaluate_variants, main,
                                   per_document_rows, summary_sentence, variants_sentence)
from conftest import ROOT

ROUNDUP = """\
多地部署疫情防控工作 几个细节值得关注

来源：某某网 作者：某某 时间：2022-11-13

11月11日，河南省委常委会召开会议，省委书记楼阳生主持并讲话。会议指出，要抓早抓小。

会议要求，要以快制快，迅速扑灭疫情。

同日，郑州市委召开疫情防控专题会议，市委书记安伟主持会议。安伟强调，要全力以赴打好歼灭战。

抓早抓小 以快制快

政知君注意到，多地还提到了物资保障。

12日下午，浙江省召开全省疫情防控工作电视电话会议。省委书记易某对会议作批示，省长、领导小组组长王浩强调，要科学精准。

王凯指出，要加强政策解读。
"""


@pytest.fixture
def roundup(tmp_path):
    p = tmp_path / "roundup.txt"
    p.write_text(ROUNDUP, encoding="utf-8")
    return p


def test_units_split_at_meeting_reports(roundup):
    units = draft_document(roundup)["units"]
    first_sentences = ["11月11日，河南省委常委会召开会议，省委书记楼阳生主持并讲话。",
                       "同日，郑州市委召开疫情防控专题会议，市委书记安伟主持会议。",
                       "12日下午，浙江省召开全省疫情防控工作电视电话会议。"]
    assert [u["start"] for u in units] == [s[:30] for s in first_sentences]  # at most 30 characters
    assert [u["end"] for u in units] == ["会议要求，要以快制快，迅速扑灭疫情。", "安伟强调，要全力以赴打好歼灭战。", "王凯指出，要加强政策解读。"]


def test_metadata_guesses_are_marked_inferred(roundup):
    u = draft_document(roundup)["units"]
    assert {k: u[0][k] for k in ("date", "level", "province", "chair", "speaker", "body")} == \
        {"date": "2022-11-11", "level": "provincial", "province": "河南", "chair": "楼阳生", "speaker": "楼阳生",
         "body": "省委常委会"}
    assert {k: u[1][k] for k in ("date", "level", "province", "city", "chair", "speaker", "meeting_type")} == \
        {"date": "2022-11-11", "level": "municipal", "province": "河南", "city": "郑州", "chair": "安伟",
         "speaker": "安伟", "meeting_type": "专题会议"}
    assert {k: u[2][k] for k in ("date", "level", "province", "speaker", "instructions", "meeting_type")} == \
        {"date": "2022-11-12", "level": "provincial", "province": "浙江", "speaker": "王浩、王凯",
         "instructions": "易某", "meeting_type": "电视电话会议"}
    for unit in u:
        guessed = [k for k in ("date", "level", "province", "city", "chair", "speaker", "instructions", "body",
                               "meeting_type") if k in unit]
        assert unit["inferred"] == guessed


def test_no_year_means_no_date_unless_given(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("标题\n\n11月11日，河南省委召开会议，研究部署工作。", encoding="utf-8")
    assert "date" not in draft_document(p)["units"][0]
    assert draft_document(p, year=2022)["units"][0]["date"] == "2022-11-11"


def test_draft_pasted_into_a_manifest_loads(roundup, tmp_path):
    """The proposal is a valid manifest entry once outlet and period are added."""
    entry = draft_document(roundup)
    entry["outlet"] = "某某网"
    entry["file"] = "roundup.txt"
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "roundup.txt").write_text(ROUNDUP, encoding="utf-8")
    y = YAML(typ="safe")
    text = draft_yaml([entry])
    (data / "corpus.yml").write_text('periods:\n  "2022-11": {start: 2022-11-01, end: 2022-11-30}\ndocuments:\n'
                                     + text, encoding="utf-8")
    assert y.load(text)[0]["units"][0]["inferred"][0] == "date"
    c = A.load_corpus(data)
    assert c.unit_id.tolist() == ["roundup-1", "roundup-2", "roundup-3"]
    assert c.period.tolist() == ["2022-11"] * 3 and c.inferred.iloc[0].startswith("date,level,province")
    assert "政知君" not in "".join(c.text)  # the outlet's own text stays outside every unit


def test_cli_prints_yaml(roundup, capsys):
    assert main([str(roundup)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# DRAFT") and "unit_id: roundup-1" in out


def test_evaluation_on_the_seed_documents_is_reported_in_the_readme():
    table, summary = evaluate_drafts(ROOT / "data")
    assert summary["documents"] == 5 and summary["found"] >= 1
    assert summary["fields_matched"] <= summary["fields_compared"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert summary_sentence(summary) in readme.replace("\n", " "), \
        "README 'Adding documents' must quote: " + summary_sentence(summary)
    for row in per_document_rows(table):
        assert row in readme, "README 'Adding documents' table must have the row: " + row


def test_a_traditional_repost_gets_the_same_proposal(roundup, tmp_path):
    import opencc

    other = tmp_path / "t" / "roundup.txt"  # same name as the Simplified file: same doc_id
    other.parent.mkdir()
    other.write_text(opencc.OpenCC("s2t").convert(ROUNDUP), encoding="utf-8")
    assert "會議" in other.read_text(encoding="utf-8")
    assert draft_document(other) == draft_document(roundup)


# -- pages the rules were not written on: single newlines, datelines, places never named ------------
PAGE = """省委召开常委会会议 研究部署疫情防控工作
2022年11月26日 10:08
字体:
放大
正常
缩小
分享
11月23日，省委书记周祖翼主持召开省委常委会会议，传达学习习近平总书记重要讲话精神，研究部署我省疫情防控工作。
会议强调，要坚决落实二十条措施，保障群众正常生活。
省长赵龙、李四平、张三出席。
来源 | 福建日报
点亮
和
↓↓
"""


def test_single_newline_page_dateline_is_published_and_the_meeting_date_comes_from_the_text(tmp_path):
    p = tmp_path / "page.txt"
    p.write_text(PAGE, encoding="utf-8")
    entry = draft_document(p)
    assert entry["title"] == "省委召开常委会会议 研究部署疫情防控工作"
    assert entry["published"] == "2022-11-26"
    [u] = entry["units"]
    assert u["start"] == "11月23日，省委书记周祖翼主持召开省委常委会会议，传达学习习近平总书记"[:30]
    assert u["end"] == "省长赵龙、李四平、张三出席。"
    assert u["date"] == "2022-11-23"  # year from the publication date, day from the meeting sentence
    assert (u["level"], u["province"], u["chair"], u["speaker"]) == ("provincial", "福建", "周祖翼", "周祖翼")
    assert u["note"] == ("place from data/officials.csv: 周祖翼 → 省委书记 of 福建 (2022-10 to …); "
                         "赵龙 → 省长 of 福建 (2021-10 to …)")
    assert "province" in u["inferred"]
    assert entry["_names_to_add"] == ["李四平", "张三"]
    out = draft_yaml([entry])
    assert "# page: names not in data/lexicon/names.txt (add them with role and province): 李四平、张三" in out
    assert "_names_to_add" not in out


@pytest.mark.parametrize("word, ok", [("周祖翼", True), ("王小明", True), ("重要", False), ("的重要", False),
                                      ("会议", False), ("要求", False), ("同志", False), ("欧阳明", True)])
def test_speakers_are_names(word, ok):
    from analysis.ingest.draft import is_name

    assert is_name(word, {"周祖翼"}) is ok


COLLOQUIAL = """全市疫情防控工作调度会召开
1月20号，副市长王小明主持召开全市疫情防控工作调度会，部署春节期间疫情防控工作。
王小明强调，要压实四方责任。
"""


def test_colloquial_date_vice_mayor_and_a_place_never_stated(tmp_path):
    p = tmp_path / "city.txt"
    p.write_text(COLLOQUIAL, encoding="utf-8")
    [u] = draft_document(p, year=2023)["units"]
    assert u["start"] == "1月20号，副市长王小明主持召开全市疫情防控工作调度会，部署春节期间"[:30]  # as written
    assert (u["date"], u["level"], u["speaker"], u["meeting_type"]) == ("2023-01-20", "municipal", "王小明", "调度会")
    assert u["province"] is None and u["city"] is None
    assert u["note"] == "province not stated in the text; no official of data/officials.csv named"
    # pasted with outlet and period, the entry loads; the place is listed as not stated
    entry = draft_document(p, year=2023)
    entry["outlet"] = "某市发布"
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "city.txt").write_text(COLLOQUIAL, encoding="utf-8")
    (data / "corpus.yml").write_text('periods:\n  "2023-01": {start: 2023-01-01, end: 2023-01-31}\ndocuments:\n'
                                     + draft_yaml([entry]), encoding="utf-8")
    c = A.load_corpus(data)
    assert c[["province", "city", "place"]].iloc[0].tolist() == ["not stated", "not stated", "not stated"]


def test_drafts_of_the_seed_documents_in_synthetic_pages_are_reported_in_the_readme():
    table = evaluate_variants(ROOT / "data")
    assert (table.fields_matched <= table.fields_compared).all() and (table.found <= table.meeting_units).all()
    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("\n   ", " ")
    assert variants_sentence(table) in readme, "README 'Adding documents' must quote: " + variants_sentence(table)


def test_a_place_never_named_is_proposed_from_the_names_list_when_the_officials_table_has_no_one(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("省委召开专题会议\n11月17日，我省召开疫情防控专题会议。\n会议由省委副书记邓修明主持，张义珍出席。\n",
                 encoding="utf-8")
    [u] = draft_document(p, year=2022)["units"]
    assert (u["level"], u["province"]) == ("provincial", "江苏")
    assert u["note"] == ("place from 邓修明 (省委副书记、省委政法委书记, 江苏) in data/lexicon/names.txt; "
                         "张义珍 (省政协主席, 江苏) in data/lexicon/names.txt")


def test_a_two_line_headline_becomes_the_title_and_stays_out_of_the_unit(tmp_path):
    p = tmp_path / "h.txt"
    p.write_text("省委召开疫情防控工作会议\n坚持科学精准 高效统筹疫情防控\n11月17日，省委召开疫情防控工作会议。\n"
                 "会议要求，要抓早抓小。\n", encoding="utf-8")
    entry = draft_document(p, year=2022)
    assert entry["title"] == "省委召开疫情防控工作会议 坚持科学精准 高效统筹疫情防控"
    assert [u["start"] for u in entry["units"]] == ["11月17日，省委召开疫情防控工作会议。"]
