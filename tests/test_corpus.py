"""load_corpus: units and metadata of the real corpus, and a clear error for every bad input."""
import re

import pytest

import analysis as A
from analysis import CorpusError

PROVINCES_2022 = {"河南", "江苏", "内蒙古", "河北", "新疆", "海南", "湖北", "四川", "浙江", "黑龙江",
                  "湖南", "重庆", "天津"}


def test_columns_and_unique_ids(corpus):
    assert list(corpus.columns) == A.corpus.COLUMNS
    assert corpus["unit_id"].is_unique
    assert (corpus["n_chars"] == corpus["text"].str.len()).all()


def test_unit_counts_per_period_and_level(corpus):
    counts = corpus.groupby(["period", "level"]).size().to_dict()
    assert counts == {("2021-08", "provincial"): 2, ("2022-11", "provincial"): 16,
                      ("2022-11", "municipal"): 1, ("2022-11", "national"): 4, ("2022-11", "media"): 5}


def test_provinces_of_november_2022(corpus):
    nov = corpus[(corpus.period == "2022-11") & (corpus.level == "provincial")]
    assert set(nov.province) == PROVINCES_2022
    assert nov.groupby("province").size().to_dict() == {**{p: 1 for p in PROVINCES_2022}, "河南": 4}
    henan = nov[nov.province == "河南"]
    assert sorted(henan.date) == ["2022-11-11", "2022-11-11", "2022-11-17", "2022-11-17"]
    assert set(henan.outlet) == {"联合早报", "北京青年报", "河南日报"}


def test_metadata_of_key_units(corpus):
    u = corpus.set_index("unit_id")
    assert u.loc["henan-20210808-lou", ["period", "date", "speaker", "outlet"]].tolist() == \
        ["2021-08", "2021-08-08", "楼阳生", "观察者网"]
    assert u.loc["zhengzhou-20221117", ["level", "province", "city", "place", "speaker"]].tolist() == \
        ["municipal", "河南", "郑州", "郑州", "安伟"]
    assert u.loc["jiangsu-20221111", "speaker"] == "吴政隆"
    assert u.loc["national-20221111-notice", "outlet"] == "新华社"
    assert u.loc["henan-20221111-zaobao", "url"].startswith("https://www.zaobao.com/")
    assert (corpus.loc[corpus.level.isin(["national", "media"]), "province"] == "").all()


def test_units_start_and_end_where_the_manifest_says(corpus):
    u = corpus.set_index("unit_id")["text"]
    assert u["national-20221111-notice"].startswith("国务院联防联控机制综合组11日公布")
    assert u["national-20221111-notice"].rstrip().endswith("据新华社")
    assert "20 分类有序做好滞留人员疏解" in u["national-20221111-notice"]
    # a roundup entry continuing over several paragraphs keeps all of them
    assert "毛伟明强调，要坚持“四早”“四最”工作要求" in u["hunan-20221111"]
    assert "几个细节值得关注" not in u["hunan-20221111"]
    assert u["tianjin-20221111"].endswith("解决好人民群众实际困难。")


def test_no_markup_boilerplate_or_front_matter_survives(corpus):
    text = "\n".join(corpus.text)
    for pattern in [r"<[a-z/!]", r"dfp-ad", r"&nbsp;", r"^---", r"layout:", r"网友评论", r"上一篇",
                    r"版权所有", r"ICP备", r"powered by", r"责编", r"https?://"]:
        assert not re.search(pattern, text, flags=re.M), pattern


def test_page_break_splits_are_repaired(corpus):
    text = "\n".join(corpus.text)
    for joined in ["完整、准确、全面贯彻党中央决策部署", "不折不扣将《关于进一步优化", "坚持人民至上、生命至上",
                   "集中场所的管理", "基层一线工作人员", "提高哨点反应灵敏度", "快筛、快调、快转"]:
        assert joined in text, joined


def test_audit_accounts_for_every_file(corpus):
    audit, dropped = A.corpus_audit()
    assert list(audit.file) == sorted(set(corpus.file))
    assert (audit.unit_chars <= audit.clean_chars).all()
    assert set(dropped.stage) == {"cleaning", "not in a unit"}
    unassigned = dropped[dropped.stage == "not in a unit"].text.tolist()
    assert all(len(t) < 80 and "。" not in t for t in unassigned), "a whole sentence is outside every unit"


# -- bad input ---------------------------------------------------------------------------
GOOD_TEXT = "第一段会议内容，研究部署。\n\n第二段继续部署工作。\n"
UNIT = """
documents:
  - doc_id: d1
    file: a.txt
    outlet: 测试报
    period: "2022-11"
    date: "2022-11-11"
    units:
      - unit_id: u1
        start: {start}
        level: {level}
        province: {province}
"""


def unit(start="第一段", level="provincial", province="河南"):
    return UNIT.format(start=start, level=level, province=province)


def test_minimal_valid_manifest(make_data):
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, unit()))
    assert c.text.tolist() == ["第一段会议内容，研究部署。\n第二段继续部署工作。"]


@pytest.mark.parametrize("manifest_kwargs, files, message", [
    (dict(), {}, r"a\.txt does not exist"),
    (dict(start="没有这句"), {"a.txt": GOOD_TEXT}, r"unit 'u1'.*start anchor '没有这句' not found"),
    (dict(start="部署"), {"a.txt": GOOD_TEXT}, r"unit 'u1'.*occurs more than once"),
    (dict(level="county"), {"a.txt": GOOD_TEXT}, r"unknown level 'county'"),
    (dict(province="江南"), {"a.txt": GOOD_TEXT}, r"unknown province '江南'"),
    (dict(level="national"), {"a.txt": GOOD_TEXT}, r"national unit must have an empty province"),
    (dict(), {"a.txt": b"\xff\xfe\x00garbage\x80\x81"}, r"a\.txt: not valid UTF-8.*declare `encoding:`"),
])
def test_bad_input_raises_corpus_error_naming_the_problem(make_data, manifest_kwargs, files, message):
    data = make_data(files, unit(**manifest_kwargs))
    with pytest.raises(CorpusError, match=message):
        A.load_corpus(data)


def test_unknown_period(make_data):
    data = make_data({"a.txt": GOOD_TEXT}, unit().replace('period: "2022-11"', 'period: "2020-01"'))
    with pytest.raises(CorpusError, match=r"unknown period '2020-01'; declared periods: \['2022-11'\]"):
        A.load_corpus(data)


def two_units(first_end: str, second_id: str) -> str:
    """Manifest with unit u1 (第一段 … first_end) followed by a unit starting at 第二段."""
    return unit().replace("        level:", f"        end: {first_end}\n        level:") + f"""\
      - unit_id: {second_id}
        start: 第二段
        level: provincial
        province: 河南
"""


def test_two_units_are_valid(make_data):
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, two_units("研究部署。", "u2")))
    assert c.text.tolist() == ["第一段会议内容，研究部署。", "第二段继续部署工作。"]


def test_duplicate_unit_id(make_data):
    with pytest.raises(CorpusError, match=r"duplicate unit_id\(s\) \['u1'\]"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, two_units("研究部署。", "u1")))


def test_overlapping_units(make_data):
    with pytest.raises(CorpusError, match=r"unit 'u1' overlaps unit 'u2'"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, two_units("继续部署", "u2")))


def test_empty_unit(make_data):
    with pytest.raises(CorpusError, match=r"unit 'u1': the unit is empty"):
        A.load_corpus(make_data({"a.txt": "标题\n\n2022 ABC\n\n正文。"}, unit(start="2022 ABC").replace(
            "        level:", "        end: 2022 ABC\n        level:")))


def test_end_anchor_repeated_inside_the_unit(make_data):
    m = unit().replace("        level:", "        end: 部署\n        level:")
    with pytest.raises(CorpusError, match=r"end anchor '部署' occurs more than once inside the unit"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))


def test_unknown_key_is_a_typo_not_ignored(make_data):
    m = unit().replace("        level:", "        speeker: 某人\n        level:")
    with pytest.raises(CorpusError, match=r"unknown key\(s\) \['speeker'\]"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))


def test_malformed_yaml(make_data):
    with pytest.raises(CorpusError, match=r"corpus\.yml is not valid YAML"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, "documents: [\n  - {oops"))


def test_missing_required_field(make_data):
    with pytest.raises(CorpusError, match=r"`outlet` is missing"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, unit().replace("    outlet: 测试报\n", "")))


def test_bad_date(make_data):
    with pytest.raises(CorpusError, match=r"date '2022-13-40' is not an ISO date"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, unit().replace('"2022-11-11"', '"2022-13-40"')))


@pytest.mark.parametrize("encoding, declared", [("gb18030", None), ("gbk", "gbk"), ("utf-8-sig", None)])
def test_other_encodings_are_accepted(make_data, encoding, declared):
    m = unit() if declared is None else unit().replace("    outlet:", f"    encoding: {declared}\n    outlet:")
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT.encode(encoding)}, m))
    assert c.text.iloc[0].startswith("第一段会议内容")


def test_declared_encoding_that_does_not_fit(make_data):
    m = unit().replace("    outlet:", "    encoding: utf-8\n    outlet:")
    with pytest.raises(CorpusError, match=r"not valid utf-8.*fix `encoding:`"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT.encode("gb18030")}, m))


@pytest.mark.parametrize("name, content", [
    ("a.html", "<html><body><p>第一段会议内容，研究部署。</p><p>第二段继续部署工作。</p></body></html>"),
    ("a.md", "---\ntitle: 标题\n---\n\n第一段会议内容，研究部署。\n\n第二段继续部署工作。\n"),
])
def test_html_and_markdown_sources(make_data, name, content):
    c = A.load_corpus(make_data({name: content}, unit().replace("file: a.txt", f"file: {name}")))
    assert c.text.iloc[0] == "第一段会议内容，研究部署。\n第二段继续部署工作。"


# -- speaker sub-units and excerpt flags (issue 9) --------------------------------------

def test_two_speech_reports_are_split_into_speaker_units(corpus):
    """The Aug 2021 and 17 Nov 2022 Henan reports each carry the Party secretary's speech
    and the governor's; each speech is its own unit with one speaker, same doc_id."""
    u = corpus.set_index("unit_id")
    for day in ("20210808", "20221117"):
        lou, wang = u.loc[f"henan-{day}-lou"], u.loc[f"henan-{day}-wang"]
        assert (lou.speaker, wang.speaker) == ("楼阳生", "王凯")
        assert lou.doc_id == wang.doc_id and lou.date == wang.date
        assert wang.text.startswith("王凯指出，")
        assert "王凯指出" not in lou.text
    assert u.loc["henan-20210808-lou", "text"].endswith("实现年度目标任务创造条件。")
    assert "一要严格落实决策部署" in u.loc["henan-20210808-lou", "text"]
    assert "七要引导干部砥砺细实作风" in u.loc["henan-20210808-wang", "text"]
    # no unit of the provincial meeting reports names two speakers any more
    prov = corpus[corpus.level == "provincial"]
    assert not prov.speaker.str.contains("、").any()
    # the governor's share of the 2021 reference (issue 9: about 27%)
    share = u.loc["henan-20210808-wang", "n_chars"] / u.loc[
        ["henan-20210808-lou", "henan-20210808-wang"], "n_chars"].sum()
    assert 0.25 < share < 0.29


def test_excerpt_flags_mark_exactly_the_roundup_entries(corpus):
    ex = corpus[corpus.excerpt]
    assert corpus.excerpt.dtype == bool
    assert set(ex.doc_id) == {"bjyouth-20221113"}
    assert not ex.level.eq("media").any()  # the journalist's own text is not an excerpt
    prov = ex[ex.level == "provincial"]
    assert len(prov) == 12 and prov.province.is_unique
    assert set(prov.province) == PROVINCES_2022 - {"江苏"}
    # eleven places are known ONLY from the roundup (Henan also has full reports)
    full = set(corpus.loc[~corpus.excerpt & (corpus.level == "provincial"), "province"])
    assert len(set(prov.province) - full) == 11
    assert (prov.n_chars.min(), prov.n_chars.max()) == (120, 311)


def test_excerpt_must_be_boolean(make_data):
    data = make_data({"a.txt": GOOD_TEXT}, unit().replace("        level:", "        excerpt: yes please\n        level:"))
    with pytest.raises(CorpusError, match=r"unit 'u1': `excerpt` must be true or false"):
        A.load_corpus(data)
    ok = make_data({"a.txt": GOOD_TEXT}, unit().replace("        level:", "        excerpt: true\n        level:"))
    assert A.load_corpus(ok).excerpt.tolist() == [True]
