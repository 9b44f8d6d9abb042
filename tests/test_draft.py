"""python -m analysis.ingest.draft: proposed units and metadata, each guess marked inferred."""
import pytest
from ruamel.yaml import YAML

import analysis as A
from analysis.ingest.draft import draft_document, draft_yaml, evaluate_drafts, main, per_document_rows, summary_sentence
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
