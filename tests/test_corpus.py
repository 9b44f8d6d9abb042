"""load_corpus: units and metadata of the real corpus, and a clear error for every bad input."""
import re

from conftest import ROOT, grown_data_dir

import pytest

import analysis as A
from analysis.ingest import corpus as C
from analysis import CorpusError

PROVINCES_2022 = {"河南", "江苏", "内蒙古", "河北", "新疆", "海南", "湖北", "四川", "浙江", "黑龙江",
                  "湖南", "重庆", "天津"}

#: The seed corpus, pinned unit by unit: (doc_id, period, date, level, province, city, outlet).
#: Users add documents and units; these must still be there, unchanged.  Totals, the set of
#: provinces and "nothing outside a unit" are NOT pinned (they change when documents are added).
SEED_UNITS = {
    "zaobao-media-lede": ("zaobao-20221112", "2022-11", "2022-11-12", "media", "", "", "联合早报"),
    "henan-20221111-zaobao": ("zaobao-20221112", "2022-11", "2022-11-11", "provincial", "河南", "", "联合早报"),
    "zaobao-media-context": ("zaobao-20221112", "2022-11", "2022-11-12", "media", "", "", "联合早报"),
    "henan-20210808-lou": ("guancha-20210809", "2021-08", "2021-08-08", "provincial", "河南", "", "观察者网"),
    "henan-20210808-wang": ("guancha-20210809", "2021-08", "2021-08-08", "provincial", "河南", "", "观察者网"),
    "national-20221111-notice-bjyouth": ("bjyouth-20221113", "2022-11", "2022-11-11", "national", "", "", "北京青年报"),
    "national-20221111-sun": ("bjyouth-20221113", "2022-11", "2022-11-11", "national", "", "", "北京青年报"),
    "bjyouth-media-1": ("bjyouth-20221113", "2022-11", "2022-11-13", "media", "", "", "北京青年报"),
    "national-20221112-lei": ("bjyouth-20221113", "2022-11", "2022-11-12", "national", "", "", "北京青年报"),
    "neimenggu-20221112": ("bjyouth-20221113", "2022-11", "2022-11-12", "provincial", "内蒙古", "", "北京青年报"),
    "hebei-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "河北", "", "北京青年报"),
    "xinjiang-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "新疆", "", "北京青年报"),
    "hainan-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "海南", "", "北京青年报"),
    "hubei-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "湖北", "", "北京青年报"),
    "sichuan-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "四川", "", "北京青年报"),
    "zhejiang-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "浙江", "", "北京青年报"),
    "bjyouth-media-2": ("bjyouth-20221113", "2022-11", "2022-11-13", "media", "", "", "北京青年报"),
    "henan-20221111-bjyouth": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "河南", "", "北京青年报"),
    "heilongjiang-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "黑龙江", "", "北京青年报"),
    "hunan-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "湖南", "", "北京青年报"),
    "bjyouth-media-3": ("bjyouth-20221113", "2022-11", "2022-11-13", "media", "", "", "北京青年报"),
    "chongqing-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "重庆", "", "北京青年报"),
    "tianjin-20221111": ("bjyouth-20221113", "2022-11", "2022-11-11", "provincial", "天津", "", "北京青年报"),
    "henan-20221117-lou": ("henanribao-20221118", "2022-11", "2022-11-17", "provincial", "河南", "", "河南日报"),
    "henan-20221117-wang": ("henanribao-20221118", "2022-11", "2022-11-17", "provincial", "河南", "", "河南日报"),
    "zhengzhou-20221117": ("henanribao-20221118", "2022-11", "2022-11-17", "municipal", "河南", "郑州", "郑州晚报"),
    "jiangsu-20221111": ("yangtse-20221112", "2022-11", "2022-11-11", "provincial", "江苏", "", "现代快报"),
    "national-20221111-notice": ("yangtse-20221112", "2022-11", "2022-11-11", "national", "", "", "新华社"),
}
SEED_FIELDS = ["doc_id", "period", "date", "level", "province", "city", "outlet"]


def test_columns_and_unique_ids(corpus):
    assert list(corpus.columns) == C.COLUMNS
    assert corpus["unit_id"].is_unique
    assert (corpus["n_chars"] == corpus["text"].str.len()).all()


def test_seed_units_are_present_with_their_metadata(corpus):
    u = corpus.set_index("unit_id")
    missing = sorted(set(SEED_UNITS) - set(u.index))
    assert not missing, f"seed units missing from the corpus: {missing}"
    for uid, expected in SEED_UNITS.items():
        assert u.loc[uid, SEED_FIELDS].tolist() == list(expected), uid


def test_seed_units_keep_their_order_within_each_document(corpus):
    ids = [i for i in corpus.unit_id if i in SEED_UNITS]
    assert ids == list(SEED_UNITS)


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


def _seed_text(corpus) -> str:
    return "\n".join(corpus[corpus.unit_id.isin(list(SEED_UNITS))].text)


def test_no_markup_boilerplate_or_front_matter_survives(corpus):
    text = _seed_text(corpus)
    for pattern in [r"<[a-z/!]", r"dfp-ad", r"&nbsp;", r"^---", r"layout:", r"网友评论", r"上一篇",
                    r"版权所有", r"ICP备", r"powered by", r"责编", r"https?://"]:
        assert not re.search(pattern, text, flags=re.M), pattern


def test_page_break_splits_are_repaired(corpus):
    text = _seed_text(corpus)
    for joined in ["完整、准确、全面贯彻党中央决策部署", "不折不扣将《关于进一步优化", "坚持人民至上、生命至上",
                   "集中场所的管理", "基层一线工作人员", "提高哨点反应灵敏度", "快筛、快调、快转"]:
        assert joined in text, joined


def test_audit_accounts_for_every_file(corpus):
    audit, dropped = A.corpus_audit()
    assert (audit.error == "").all(), audit.error.tolist()
    assert set(audit.file) == set(corpus.file)
    assert (audit.unit_chars <= audit.clean_chars).all()
    assert set(dropped.stage) <= {"cleaning", "excluded", "not in a unit"}


def _han(s: str) -> list:
    return sorted(re.findall(r"[\u4e00-\u9fff]", s))


def test_every_cleaned_character_is_in_a_unit_or_listed_in_the_audit(corpus):
    """Text outside every unit is allowed (headlines, bylines, or a document only partly used),
    but it must be listed in the audit: nothing disappears unseen.  Holds for any document added."""
    from analysis.infra.safe_yaml import load_yaml_safely

    _, dropped = A.corpus_audit()
    for doc in load_yaml_safely(ROOT / "data" / "corpus.yml")["documents"]:
        raw, _ = C.read_raw(ROOT / "data" / "raw" / doc["file"], doc.get("encoding"))
        clean = A.clean_document(raw, headline=doc.get("title")).text
        units = corpus[corpus.doc_id == doc["doc_id"]]
        listed = dropped[(dropped.doc_id == doc["doc_id"]) & dropped.stage.isin(["excluded", "not in a unit"])]
        assert _han("".join(units.display_text) + "".join(listed.text)) == _han(clean), doc["doc_id"]


def test_seed_documents_have_no_report_sentence_outside_a_unit():
    _, dropped = A.corpus_audit()
    seed_docs = {v[0] for v in SEED_UNITS.values()}
    unassigned = dropped[(dropped.stage == "not in a unit") & dropped.doc_id.isin(seed_docs)].text.tolist()
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
    with pytest.raises(CorpusError, match=r"unit 'u1': field date '2022-13-40' is not an ISO date"):
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


# -- safety --------------------------------------------------------------------
@pytest.mark.parametrize("file", ["../../etc/passwd", "/etc/passwd", "sub/../../corpus.yml"])
def test_file_must_stay_inside_raw(make_data, file):
    data = make_data({"a.txt": GOOD_TEXT}, unit().replace("file: a.txt", f"file: {file}"))
    with pytest.raises(CorpusError, match=r"document 'd1'.*must be a path inside .*raw"):
        A.load_corpus(data)


def test_symlink_out_of_raw_is_refused(make_data, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(GOOD_TEXT, encoding="utf-8")
    data = make_data({}, unit())
    (data / "raw" / "a.txt").symlink_to(outside)
    with pytest.raises(CorpusError, match=r"leads outside .*raw.*symlink"):
        A.load_corpus(data)
    audit, _ = A.corpus_audit(data)
    assert "leads outside" in audit.error.iloc[0]


def test_symlink_inside_raw_is_fine(make_data):
    data = make_data({"real.txt": GOOD_TEXT}, unit())
    (data / "raw" / "a.txt").symlink_to(data / "raw" / "real.txt")
    assert A.load_corpus(data).text.iloc[0].startswith("第一段")


ALIAS_BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
"""


def test_yaml_alias_bomb_is_refused_in_the_manifest(make_data):
    data = make_data({"a.txt": GOOD_TEXT}, "documents: []\n", periods=ALIAS_BOMB)
    with pytest.raises(CorpusError, match=r"line 1: YAML anchor &a is not allowed"):
        A.load_corpus(data)


def test_even_one_alias_is_refused(make_data):
    m = unit().replace("    outlet: 测试报", "    outlet: &o 测试报").replace("        level:", "        note: *o\n        level:")
    with pytest.raises(CorpusError, match=r"YAML anchor &o is not allowed"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))


def test_yaml_alias_bomb_is_refused_in_keywords(tmp_path):
    p = tmp_path / "keywords.yml"
    p.write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(A.KeywordsError, match=r"keyword file \S*keywords\.yml, line 1: YAML anchor &a is not allowed"):
        A.load_keywords(p)


def test_oversized_yaml_is_refused(make_data):
    data = make_data({"a.txt": GOOD_TEXT}, unit() + "# " + "x" * 2_100_000 + "\n")
    with pytest.raises(CorpusError, match=r"over the 2,000,000-byte limit"):
        A.load_corpus(data)


def test_invisible_characters_are_normalised_and_counted(make_data):
    text = "\ufeff第一段会议坚持动态\u200b清零\u00a0总方针，\ufeff研究部署。\n\n第二段继续部署工作。\n"
    data = make_data({"a.txt": text}, unit())
    c = A.load_corpus(data)
    assert "坚持动态清零 总方针，研究部署。" in c.text.iloc[0]
    audit, _ = A.corpus_audit(data)
    # the leading BOM is the encoding's signature (dropped on decoding); the stray one inside is counted
    assert audit[["zero_width_removed", "bom_removed", "nbsp_replaced"]].iloc[0].tolist() == [1, 1, 1]


@pytest.mark.parametrize("content, message", [
    (b"", r"a\.txt: the file is empty"),
    (b"\n  \n", r"a\.txt: the file is empty"),
    (b"\x00" * 64, r"a\.txt: the file contains NUL characters"),
    ("第一段\x00会议内容，研究部署。".encode(), r"contains NUL characters"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", r"a\.txt: this is a PDF, not a text file"),
    (b"PK\x03\x04\x14\x00\x06\x00", r"this is a ZIP archive \(e\.g\. \.docx"),
    (b"Plain English text only, no Chinese at all.\n", r"a\.txt: decoded as utf-8 but contains no Chinese"),
    (bytes(range(1, 32)) * 20 + "第一段".encode(), r"control characters.*binary file"),
])
def test_empty_binary_and_mislabelled_files_say_so(make_data, content, message):
    with pytest.raises(CorpusError, match=message):
        A.load_corpus(make_data({"a.txt": content}, unit()))


# -- types, unknown keys, dates ---------------------------------------------------
@pytest.mark.parametrize("old, new, message", [
    ("doc_id: d1", "doc_id: [a, b]", r"`doc_id` must be text, got list"),
    ("    outlet: 测试报", "    encoding: 8\n    outlet: 测试报", r"document 'd1'.*`encoding` must be text, got int"),
    ("        level:", "        speaker: {a: 1}\n        level:", r"unit 'u1': `speaker` must be a name or a list"),
    ("        level:", "        note: 5\n        level:", r"unit 'u1': `note` must be text, got int"),
    ('date: "2022-11-11"', "date: 20221112", r"document 'd1' \(a\.txt\), unit 'u1': field date 20221112 is not an ISO date"),
    ('date: "2022-11-11"', 'date: "2022/11/12"', r"unit 'u1': field date '2022/11/12' is not an ISO date"),
    ("        level:", "        date_end: 2022-11-10\n        level:", r"`date_end` 2022-11-10 is before `date` 2022-11-11"),
    ("        level:", "        published: yesterday\n        level:", r"unit 'u1': field published 'yesterday'"),
    ("        level:", "        excerpt: yes please\n        level:", r"`excerpt` must be true or false"),
    ("        level:", "        inferred: [provnce]\n        level:", r"`inferred` names unknown field\(s\) \['provnce'\]"),
    ("    units:", "    script: klingon\n    units:", r"`script` must be one of"),
    ("        level:", "        exclude: [{start: 研究, why: x}]\n        level:", r"exclude #1: unknown key\(s\) \['why'\]"),
    ("        level:", "        exclude: [{start: 研究部署}]\n        level:", r"exclude #1: `reason` is required"),
])
def test_wrong_types_and_values_name_document_unit_and_field(make_data, old, new, message):
    m = unit()
    assert old in m
    with pytest.raises(CorpusError, match=message):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m.replace(old, new, 1)))


def test_misspelt_top_level_key_is_an_error_not_a_dropped_document(make_data):
    m = unit() + "document:\n  - doc_id: d2\n    file: a.txt\n"
    with pytest.raises(CorpusError, match=r"unknown top-level key\(s\) \['document'\]"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))


def test_unknown_document_key(make_data):
    with pytest.raises(CorpusError, match=r"document 'd1': unknown key\(s\) \['titel'\]"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, unit().replace("    outlet:", "    titel: x\n    outlet:")))


def test_speaker_and_chair_lists_are_joined_consistently(make_data):
    m = unit().replace("        level:", "        speaker: [楼阳生, 王凯]\n        chair: 楼阳生\n        level:")
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))
    assert c[["speaker", "chair"]].iloc[0].tolist() == ["楼阳生、王凯", "楼阳生"]


# -- schema -----------------------------------------------------------------------
def test_new_fields_are_columns(make_data):
    m = unit().replace("        level:", """\
        date_end: "2022-11-12"
        published: 2022-11-13
        chair: [甲某, 乙某]
        instructions: 丙某
        body: 省委常委会
        meeting_type: 电视电话会议
        inferred: [province]
        excerpt: true
        level:""")
    row = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m)).iloc[0]
    assert row[["date", "date_end", "published", "chair", "instructions", "body", "meeting_type", "inferred", "script",
                "excerpt"]].tolist() == ["2022-11-11", "2022-11-12", "2022-11-13", "甲某、乙某", "丙某", "省委常委会",
                                         "电视电话会议", "province", "simplified", True]


def test_columns_are_a_superset_of_the_original_schema(corpus):
    original = ["unit_id", "doc_id", "period", "date", "province", "city", "place", "level", "speaker",
                "outlet", "title", "url", "note", "file", "n_chars", "text"]
    assert [c for c in corpus.columns if c in original] == original  # same order, new columns added
    assert (corpus.text == corpus.display_text).all()  # the seed documents are Simplified


RANGES = """periods:
  "2021-08": {start: 2021-07-20, end: 2021-08-31, label: strict campaign}
  "2022-11": {start: "2022-11-01", end: "2022-11-30", label: after the 二十条}
"""


def test_period_assigned_from_a_date_range(make_data):
    m = unit().replace('    period: "2022-11"\n', "").replace('date: "2022-11-11"', 'date: "2021-07-29"')
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m, periods=RANGES))
    assert c.period.tolist() == ["2021-08"]


def test_date_outside_every_period_range(make_data):
    m = unit().replace('    period: "2022-11"\n', "").replace('date: "2022-11-11"', 'date: "2022-01-05"')
    with pytest.raises(CorpusError, match=r"unit 'u1': no `period:` given and the date 2022-01-05 falls in no"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m, periods=RANGES))


def test_period_range_with_unknown_key(make_data):
    with pytest.raises(CorpusError, match=r"period '2022-11': unknown key\(s\) \['stop'\]"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, unit(), periods='periods:\n  "2022-11": {start: 2022-11-01, stop: 2022-11-30}\n'))


# -- exclude: spans no rule catches ------------------------------------------------
EXCL_TEXT = "第一段会议内容，研究部署。网友甲：说得好！顶一个。会议强调要抓早抓小。\n\n第二段继续部署工作。\n"


def test_exclude_removes_a_span_and_lists_it_in_the_audit(make_data):
    m = unit().replace("        level:", """\
        exclude:
          - {start: 网友甲, end: 顶一个。, reason: forum reply quoted inside the report}
        level:""")
    data = make_data({"a.txt": EXCL_TEXT}, m)
    c = A.load_corpus(data)
    assert c.text.iloc[0] == "第一段会议内容，研究部署。会议强调要抓早抓小。\n第二段继续部署工作。"
    assert c.display_text.iloc[0] == c.text.iloc[0]
    audit, dropped = A.corpus_audit(data)
    ex = dropped[dropped.stage == "excluded"]
    assert ex[["reason", "text"]].values.tolist() == [["u1: forum reply quoted inside the report", "网友甲：说得好！顶一个。"]]
    assert audit.excluded_chars.iloc[0] == len("网友甲：说得好！顶一个。")


def test_exclude_anchor_not_in_the_unit(make_data):
    m = unit().replace("        level:", "        exclude: [{start: 网友乙, reason: x}]\n        level:")
    with pytest.raises(CorpusError, match=r"unit 'u1', exclude #1: start anchor '网友乙' occurs 0 times.*closest passage"):
        A.load_corpus(make_data({"a.txt": EXCL_TEXT}, m))


# -- anchor tooling -----------------------------------------------------------------
ANCHOR_TEXT = "标题\n\n会议指出,(一)要抓早抓小, 以快制快。\n\n第二段继续部署工作。\n"


@pytest.mark.parametrize("anchor", ["会议指出,(一)要抓早", "会议指出，（一）要抓早", "会议 指出 ，（一） 要抓早",
                                    "會議指出，（一）要抓早"])
def test_anchor_matches_regardless_of_width_whitespace_and_script(make_data, anchor):
    m = unit(start=f'"{anchor}"').replace("        level:", '        end: "以快制快。"\n        level:')
    c = A.load_corpus(make_data({"a.txt": ANCHOR_TEXT}, m))
    assert c.text.iloc[0] == "会议指出，（一）要抓早抓小，以快制快。"


def test_find_anchor_by_hand():
    from analysis.ingest.corpus import find_anchor
    text = "甲乙，丙丁\n戊己，丙丁"
    assert find_anchor(text, "丙 丁") == [(3, 5), (9, 11)]
    assert find_anchor(text, ",丙丁", lo=6) == [(8, 11)]
    assert find_anchor(text, "乙,丙") == [(1, 4)]
    assert find_anchor(text, "乙\n，") == [(1, 3)]


def test_anchor_not_found_shows_the_closest_passage(make_data):
    with pytest.raises(CorpusError, match=r"start anchor '会议指示要抓早抓小' not found.*closest passage \(\d+% similar\): "
                                          r"'会议指出，（一）要抓早.*python -m analysis\.paragraphs"):
        A.load_corpus(make_data({"a.txt": ANCHOR_TEXT}, unit(start="会议指示要抓早抓小")))


def test_end_anchor_mid_sentence_warns(make_data):
    m = unit().replace("        level:", "        end: 研究\n        level:")
    data = make_data({"a.txt": GOOD_TEXT}, m)
    with pytest.warns(C.CorpusWarning, match=r"unit 'u1': the end anchor '研究' stops mid-sentence"):
        A.load_corpus(data)
    audit, _ = A.corpus_audit(data)
    assert "stops mid-sentence" in audit.warnings.iloc[0]


def test_end_anchor_at_sentence_end_does_not_warn(make_data, recwarn):
    A.load_corpus(make_data({"a.txt": GOOD_TEXT}, unit().replace("        level:", "        end: 研究部署。\n        level:")))
    assert not [w for w in recwarn if issubclass(w.category, C.CorpusWarning)]


def test_audit_reports_errors_per_document_instead_of_raising(make_data):
    m = unit() + """\
  - doc_id: d2
    file: b.txt
    outlet: 测试报
    period: "2022-11"
    date: "2022-11-11"
    units:
      - unit_id: u2
        start: 不存在的句子
        level: provincial
        province: 河南
"""
    data = make_data({"a.txt": GOOD_TEXT, "b.txt": GOOD_TEXT}, m)
    with pytest.raises(CorpusError):
        A.load_corpus(data)
    audit, dropped = A.corpus_audit(data)
    assert audit.doc_id.tolist() == ["d1", "d2"]
    assert audit.error.iloc[0] == "" and audit.units.iloc[0] == 1
    assert "start anchor '不存在的句子' not found" in audit.error.iloc[1]


def test_audit_of_an_unreadable_manifest_is_one_error_row(make_data):
    audit, dropped = A.corpus_audit(make_data({}, "documents: [\n  - {oops"))
    assert audit.doc_id.tolist() == ["(manifest)"] and "not valid YAML" in audit.error.iloc[0]
    assert dropped.empty


# -- adding documents does not break the tests ---------------------------------------
def test_seed_pins_survive_an_added_document(tmp_path):
    data = grown_data_dir(tmp_path, "广东召开会议\n\n11月14日，广东省委常委会召开会议，研究部署疫情防控工作。\n")
    grown = A.load_corpus(data)
    assert len(grown) == len(A.load_corpus()) + 1
    test_seed_units_are_present_with_their_metadata(grown)
    test_seed_units_keep_their_order_within_each_document(grown)
    test_no_markup_boilerplate_or_front_matter_survives(grown)
    audit, dropped = A.corpus_audit(data)
    assert (audit.error == "").all()
    assert dropped[dropped.doc_id == "added-doc"].text.tolist() == ["广东召开会议"]  # headline, listed


def test_explicit_period_must_contain_the_date(make_data):
    m = unit().replace('date: "2022-11-11"', 'date: "2021-08-08"')
    with pytest.raises(CorpusError, match=r"unit 'u1': date 2021-08-08 lies outside period '2022-11' \(2022-11-01 to 2022-11-30\)"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m, periods=RANGES))


GOV_PAGE = """<html><head><title>某省召开会议</title><script>var a=1;</script></head><body>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 要闻动态</div>
<h1>某省召开疫情防控工作会议</h1>
<div class="info">发布时间：2022-11-12 10:30 来源：某省人民政府网 浏览次数：1234 字体大小：【大 中 小】</div>
<div class="article"><p>11月11日，河南省委召开会议，研究部署疫情防控工作。會（hui）議强调，要坚持科学精准，</p>
<p>3 J  A& I! [5 d2 q, a防止层层加码。（下转3版）</p><p>本文图片均来自网络</p></div>
<div>扫一扫在手机打开当前页</div><div>【打印】【关闭】</div>
<div class="side"><h3>相关新闻</h3><ul><li>某市召开调度会议</li><li>某县开展核酸检测</li></ul></div>
<div>返回顶部</div></body></html>"""


def test_a_government_page_loads_as_report_text_only(make_data):
    m = unit(start="11月11日").replace("file: a.txt", "file: a.html")
    data = make_data({"a.html": GOV_PAGE}, m)
    c = A.load_corpus(data)
    assert c.text.iloc[0] == "11月11日，河南省委召开会议，研究部署疫情防控工作。会议强调，要坚持科学精准，防止层层加码。"
    assert c.display_text.iloc[0] == "11月11日，河南省委召开会议，研究部署疫情防控工作。會議强调，要坚持科学精准，防止层层加码。"
    audit, dropped = A.corpus_audit(data)
    assert audit.script.iloc[0] == "mixed" and audit.chars_converted.iloc[0] == 2
    reasons = set(dropped.reason)
    assert {"site chrome: breadcrumb", "byline: publication time", "pinyin gloss inside a word",
            "anti-scraping fragment (non-Chinese noise inside a sentence)", "continuation marker (e-paper page jump)",
            "photo credit", "site chrome: QR-code prompt", "site chrome: page controls",
            "site chrome: sidebar link list", "site chrome: back-to-top link"} <= reasons


def test_declared_simplified_script_turns_conversion_off(make_data):
    m = unit().replace("    units:", "    script: simplified\n    units:")
    c = A.load_corpus(make_data({"a.txt": "第一段會議内容，研究部署。\n"}, m))
    assert c.text.iloc[0] == c.display_text.iloc[0] == "第一段會議内容，研究部署。"


def test_big5_without_declaration_is_detected(make_data):
    import opencc

    trad = opencc.OpenCC("s2t").convert("第一段会议内容，研究部署疫情防控工作，要求各地坚持科学精准。\n\n第二段继续部署工作。\n")
    c = A.load_corpus(make_data({"a.txt": trad.encode("big5")}, unit()))
    assert c.display_text.iloc[0].startswith("第一段會議內容")
    assert c.text.iloc[0].startswith("第一段会议内容")
    audit, _ = A.corpus_audit(make_data({"a.txt": trad.encode("big5")}, unit()))
    assert audit.encoding.iloc[0] == "big5"


def test_overlapping_excludes_are_an_error(make_data):
    m = unit().replace("        level:", """\
        exclude:
          - {start: 网友甲, end: 说得好, reason: a}
          - {start: 说得好, end: 顶一个。, reason: b}
        level:""")
    with pytest.raises(CorpusError, match=r"unit 'u1', exclude #2: overlaps another exclude span"):
        A.load_corpus(make_data({"a.txt": EXCL_TEXT}, m))


# -- speaker sub-units and excerpt flags --------------------------------------

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
    # the governor's share of the 2021 reference (about 27%)
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


def test_excerpt_must_be_boolean(make_data):  # noqa: F811 (E1's test, kept with B's parametrised one)
    data = make_data({"a.txt": GOOD_TEXT}, unit().replace("        level:", "        excerpt: yes please\n        level:"))
    with pytest.raises(CorpusError, match=r"unit 'u1': `excerpt` must be true or false"):
        A.load_corpus(data)
    ok = make_data({"a.txt": GOOD_TEXT}, unit().replace("        level:", "        excerpt: true\n        level:"))
    assert A.load_corpus(ok).excerpt.tolist() == [True]


# -- a place the document never states; every field error at once (issue 22) --------------------
@pytest.mark.parametrize("value", ["~", "null", "not stated", '"Not Stated"'])
def test_a_provincial_unit_without_a_stated_province_loads_as_not_stated(make_data, value):
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, unit(province=value)))
    assert c[["province", "city", "place"]].iloc[0].tolist() == ["not stated", "", "not stated"]
    assert A.NOT_STATED == "not stated"


def test_a_municipal_unit_may_leave_its_city_or_both_places_unstated(make_data):
    m = unit(level="municipal").replace("        province: 河南", "        province: 河南\n        city: ~")
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))
    assert c[["province", "city", "place"]].iloc[0].tolist() == ["河南", "not stated", "河南 (city not stated)"]
    m = unit(level="municipal", province="~").replace("        province: ~", "        province: ~\n        city: ~")
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))
    assert c[["province", "city", "place"]].iloc[0].tolist() == ["not stated", "not stated", "not stated"]


def test_not_stated_units_are_grouped_and_counted_never_dropped(make_data):
    m = two_units("研究部署。", "u2").replace("        province: 河南\n      - unit_id: u2",
                                             "        province: ~\n      - unit_id: u2")
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))
    assert c.groupby("place").size().to_dict() == {"not stated": 1, "河南": 1}
    ev = A.evidence_base(c.assign(side=["a", "b"]), "side", "a")
    assert ev.units.place.tolist() == ["not stated", "河南"]
    assert ev.sides.set_index("side").places.to_dict() == {"target": "not stated", "reference": "河南"}


def test_an_empty_or_missing_province_still_says_how_to_declare_it(make_data):
    with pytest.raises(CorpusError, match=r"unknown province '' for a provincial unit.*`province: ~` if the "
                                          r"document never states it"):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, unit(province='""')))


def test_all_field_errors_of_a_document_are_reported_in_one_pass(make_data):
    """Province, city, date and the second unit's level: four problems, one error."""
    m = two_units("研究部署。", "u2").replace("        level: provincial\n        province: 河南\n      - unit_id: u2",
                                             "        level: municipal\n        province: 江南\n        "
                                             "date: \"2022-13-01\"\n      - unit_id: u2")
    m = m.replace("        start: 第二段\n        level: provincial", "        start: 第二段\n        level: county")
    with pytest.raises(CorpusError) as e:
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))
    msg = str(e.value)
    assert msg.startswith("4 problems:\n")
    lines = msg.splitlines()[1:]
    assert len(lines) == 4 and all(x.startswith("  - corpus.yml, document 'd1' (a.txt), unit 'u") for x in lines)
    assert "unit 'u1': field date '2022-13-01' is not an ISO date" in lines[0]
    assert "unit 'u1': unknown province '江南' for a municipal unit" in lines[1]
    assert "unit 'u1': a municipal unit needs `city:`" in lines[2]
    assert "unit 'u2': unknown level 'county'" in lines[3]
    audit, _ = A.corpus_audit(make_data({"a.txt": GOOD_TEXT}, m))
    assert audit.error.iloc[0] == msg


def test_audit_names_the_line_structure_and_flags_garbled_units(make_data):
    text = "某省召开会议\n第一段会议？？内容，，研究部署。\n第二段继续部署\ufffd工作。\n第三段会议要求落实。\n"
    data = make_data({"a.txt": text}, two_units("研究部署。", "u2"))
    audit, _ = A.corpus_audit(data)
    row = audit.iloc[0]
    assert row.line_structure == "one paragraph per line"
    assert row.garbled == "u1: question_runs 1, doubled_punctuation 1; u2: replacement_chars 1"
    audit, _ = A.corpus_audit(make_data({"a.txt": GOOD_TEXT}, unit()))
    assert audit.garbled.iloc[0] == "" and audit.line_structure.iloc[0] == "blank-line paragraphs"


def test_seed_documents_are_not_garbled():
    audit, _ = A.corpus_audit()
    assert (audit.garbled == "").all(), audit[audit.garbled != ""][["doc_id", "garbled"]]
# -- the sampling unit: meeting_id -------------------------------------------------
def test_meeting_id_of_the_seed_corpus(corpus):
    m = corpus.set_index("unit_id").meeting_id
    # the two speeches of one report are one meeting: its doc_id
    assert m["henan-20210808-lou"] == m["henan-20210808-wang"] == "guancha-20210809"
    assert m["henan-20221117-lou"] == m["henan-20221117-wang"] == "henanribao-20221118"
    # a roundup's excerpts report distinct meetings: each is its own
    assert m["hebei-20221111"] == "hebei-20221111" and m["tianjin-20221111"] == "tianjin-20221111"
    # set in the manifest where the default is wrong: one meeting in two outlets, two meetings in one file
    assert m["henan-20221111-zaobao"] == m["henan-20221111-bjyouth"] == "henan-20221111"
    assert m["zhengzhou-20221117"] != m["henan-20221117-lou"]
    assert m["national-20221111-notice"] == m["national-20221111-notice-bjyouth"]
    assert m["jiangsu-20221111"] != m["national-20221111-notice"]


def test_meeting_id_defaults_and_can_be_set_per_unit_or_document(make_data):
    m = two_units("研究部署。", "u2")
    c = A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))
    assert c.meeting_id.tolist() == ["d1", "d1"]  # one report: its document
    ex = m.replace("      - unit_id: u2\n", "      - unit_id: u2\n        excerpt: true\n")
    assert A.load_corpus(make_data({"a.txt": GOOD_TEXT}, ex)).meeting_id.tolist() == ["d1", "u2"]
    own = m.replace("      - unit_id: u2\n", "      - unit_id: u2\n        meeting_id: other-meeting\n")
    assert A.load_corpus(make_data({"a.txt": GOOD_TEXT}, own)).meeting_id.tolist() == ["d1", "other-meeting"]
    doc = m.replace("    units:", "    meeting_id: m-2022\n    units:")
    assert A.load_corpus(make_data({"a.txt": GOOD_TEXT}, doc)).meeting_id.tolist() == ["m-2022", "m-2022"]


@pytest.mark.parametrize("value, message", [
    ("[a, b]", r"unit 'u1': `meeting_id` must be text, got list"),
    ("河南会议", r"unit 'u1': meeting_id '河南会议' must be ASCII letters"),
])
def test_bad_meeting_id_names_the_unit_and_the_fix(make_data, value, message):
    m = unit().replace("        level:", f"        meeting_id: {value}\n        level:")
    with pytest.raises(CorpusError, match=message):
        A.load_corpus(make_data({"a.txt": GOOD_TEXT}, m))
