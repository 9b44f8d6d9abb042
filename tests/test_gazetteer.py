"""Gazetteer: provinces and prefecture-level divisions found in text."""
import pytest

from analysis.ingest.corpus import PROVINCES as CORPUS_PROVINCES
from analysis.ingest.gazetteer import PREFECTURES, PROVINCES, find_places, gazetteer, provinces_in


def test_provinces_match_the_corpus_schema():
    assert PROVINCES == CORPUS_PROVINCES
    assert len(PROVINCES) == 34


def test_every_prefecture_belongs_to_a_known_province_and_names_are_unique():
    g = gazetteer()
    assert set(PREFECTURES.values()) <= set(PROVINCES)
    assert not g.duplicated(["name", "kind"]).any()   # 吉林 is a province and a city
    forms = [f for r in g.itertuples() for f in [r.full_name, *filter(None, r.aliases.split("|"))]]
    assert len(forms) == len(set(forms))
    # 333 prefecture-level divisions (2022) + 5 province-administered units listed separately
    assert len(PREFECTURES) == 338
    for city, prov in [("郑州", "河南"), ("延边", "吉林"), ("喀什", "新疆"), ("兴安盟", "内蒙古"), ("三沙", "海南")]:
        assert PREFECTURES[city] == prov


@pytest.mark.parametrize("text, expected", [
    ("郑州市召开会议，河南省委书记出席", [("郑州", "prefecture"), ("河南", "province")]),
    ("海南藏族自治州发布通告", [("海南州", "prefecture")]),           # not the province 海南
    ("海南省三亚市", [("海南", "province"), ("三亚", "prefecture")]),
    ("吉林市和吉林省", [("吉林", "prefecture"), ("吉林", "province")]),
    ("内蒙古自治区呼和浩特", [("内蒙古", "province"), ("呼和浩特", "prefecture")]),
    ("浙江西部", [("浙江", "province")]),                              # not 江西
    ("克服文山会海，力求长治久安、世界大同", []),                       # idioms are not places
    ("大同市、朝阳市", [("大同", "prefecture"), ("朝阳", "prefecture")]),  # full forms are
])
def test_find_places_leftmost_longest(text, expected):
    got = find_places(text)
    assert list(zip(got["name"], got["kind"])) == expected
    for r in got.itertuples():
        assert text[r.start:r.end] == r.form


def test_provinces_in_counts_a_province_once_via_its_cities():
    assert provinces_in("郑州、洛阳和广州，河南") == ["河南", "广东"]
    assert provinces_in("国务院联防联控机制") == []


# -- officials table (data/officials.csv) ----------------------------------------------------------
from analysis.ingest.gazetteer import OfficialsError, _ym, officials, officials_named  # noqa: E402
from conftest import ROOT  # noqa: E402

MONTHS = [f"{y}-{m:02d}" for y in range(2019, 2024) for m in range(1, 13)]


def test_every_province_has_a_party_secretary_and_a_governor_in_every_month_2019_2023():
    t = officials()
    for prov in PROVINCES[:31]:  # Hong Kong, Macao and Taiwan have no such offices
        for office in ("书记", "省长|主席|市长"):
            rows = t[(t.province == prov) & (t.city == "") & t.office.str.contains(office)]
            gaps = [m for m in MONTHS if not any(_ym(r.start, False) <= m <= _ym(r.end, True)
                                                 for r in rows.itertuples())]
            assert not gaps, (prov, office, gaps[:3])


def test_the_table_agrees_with_the_names_list_for_november_2022():
    """An independent source: data/lexicon/names.txt was written from the seed reports themselves."""
    rows = [line.split("\t") for line in (ROOT / "data" / "lexicon" / "names.txt").read_text(encoding="utf-8")
            .splitlines() if line and not line.startswith("#")]
    heads = [(n, r, p) for n, r, *rest in rows for p in rest[:1]
             if r in ("省委书记", "省长", "自治区党委书记", "市委书记") and p in PROVINCES]
    assert len(heads) >= 14
    for name, role, prov in heads:
        hit = officials_named(name, "2022-11")
        assert (hit.province == prov).any() and (hit.office == role).any(), (name, role, prov)


def test_officials_named_respects_the_term():
    assert officials_named("省委书记楼阳生主持会议", "2020-06").province.tolist() == ["山西"]
    assert officials_named("省委书记楼阳生主持会议", "2022-11-17").province.tolist() == ["河南"]
    both = officials_named("楼阳生主持会议")  # no date: both terms
    assert sorted(both.province) == ["山西", "山西", "河南"]  # 山西 governor, then secretary; 河南 secretary
    hit = officials_named("省长王凯、省委书记楼阳生", "2022-11")
    assert hit.name.tolist() == ["王凯", "楼阳生"]  # order of first mention
    assert hit.evidence.tolist() == ["王凯 → 省长 of 河南 (2021 to …)", "楼阳生 → 省委书记 of 河南 (2021-03 to …)"]
    assert officials_named("安伟出席", "2022-11").evidence.tolist() == ["安伟 → 市委书记 of 郑州 (2021 to …)"]


def test_no_official_named_or_in_office_gives_an_empty_table_with_the_columns():
    for text, date in [("会议强调，要抓早抓小。", "2022-11"), ("廖国勋主持会议", "2022-01")]:
        hit = officials_named(text, date)
        assert hit.empty and list(hit.columns) == ["name", "office", "province", "city", "start", "end", "evidence"]


def test_a_year_only_term_covers_its_whole_year():
    assert _ym("2021", False) == "2021-01" and _ym("2021", True) == "2021-12" and _ym("", True) == "9999-12"
    assert officials_named("王凯", "2021-01").province.tolist() == ["河南"]


@pytest.mark.parametrize("row, message", [
    ("张三,省委书记,江南,,,", r"line 3: unknown province '江南'"),
    ("张三,市委书记,河南,武汉,,", r"line 3: city '武汉' is not a prefecture of 河南"),
    ("张三,省委书记,河南,,2022-13,", r"line 3: `start` '2022-13' must be YYYY-MM or YYYY"),
    ("张三,省委书记,河南,,2022-05,2021", r"line 3: `end` 2021 is before `start` 2022-05"),
    ("张三,省委书记,河南", r"line 3: 3 fields, expected 6"),
    (",省委书记,河南,,,", r"line 3: `name` and `office` are required"),
])
def test_malformed_officials_rows_name_line_and_field(tmp_path, row, message):
    p = tmp_path / "officials.csv"
    p.write_text("# comment\nname,office,province,city,start,end\n" + row + "\n", encoding="utf-8")
    with pytest.raises(OfficialsError, match=message):
        officials(p)
