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
