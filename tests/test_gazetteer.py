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


# -- the prefix-tree pattern: same matches as the longest-first alternation -----------------------
import random  # noqa: E402
import re  # noqa: E402

from analysis.ingest.gazetteer import _forms, longest_first_pattern  # noqa: E402


def _alternation(words):
    """The matcher before the prefix tree: every word, longest first."""
    return re.compile("|".join(map(re.escape, sorted(words, key=lambda s: (-len(s), s)))))


def _matches(pattern, text):
    return [(m.start(), m.group()) for m in pattern.finditer(text)]


@pytest.mark.parametrize("words, text", [
    (["a"], "banana"),
    (["ab", "abc", "abcd"], "abcabxabcdab"),                  # a word inside a longer one: longest wins
    (["abd", "abc", "ab"], "abce abd ab abe"),
    (["a", "ab", "abc", "b", "bc"], "abcbcab"),
    (["abcd", "bc"], "abcx"),                                 # the long word fails: restart one character on
    (["x.y", "a|b", "(", "[a]", "a?"], "x.y a|b ( [a] a? xzy ab"),  # metacharacters are literal
    (["海南", "海南州", "海南藏族自治州", "三亚", "三亚市"], "海南藏族自治州、海南省三亚市和海南"),
    (["吉林", "吉林市", "林市"], "吉林市吉林省林市"),
])
def test_longest_first_pattern_matches_the_alternation(words, text):
    assert _matches(re.compile(longest_first_pattern(words)), text) == _matches(_alternation(words), text)
    assert _word_matches(words, text) == _matches(_alternation(words), text)


def _word_matches(words, text):
    """The matches of the or_first_char pattern that are words."""
    return [(i, m) for i, m in _matches(re.compile(longest_first_pattern(words, or_first_char=True)), text)
            if m in set(words)]


def test_longest_first_pattern_random_words_and_texts():
    rng = random.Random(15)
    for _ in range(300):
        words = {"".join(rng.choice("abc") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 8))}
        text = "".join(rng.choice("abcd") for _ in range(40))
        want = _matches(_alternation(words), text)
        assert _matches(re.compile(longest_first_pattern(words)), text) == want, (sorted(words), text)
        assert _word_matches(words, text) == want, (sorted(words), text)


def test_longest_first_pattern_gazetteer_forms_on_mixed_text():
    forms = _forms()
    text = "，".join(sorted(forms)) + "文山会海，世界大同。" + "".join(sorted(forms, key=lambda s: s[::-1]))
    assert _matches(re.compile(longest_first_pattern(forms)), text) == _matches(_alternation(forms), text)
    assert _word_matches(forms, text) == _matches(_alternation(forms), text)
    pattern = re.compile(longest_first_pattern(forms, or_first_char=True))
    assert all(m in forms or len(m) == 1 for m in pattern.findall(text))  # the rest: one character


@pytest.mark.parametrize("words", [[], ["a", ""]])
def test_longest_first_pattern_rejects_empty_input(words):
    with pytest.raises(ValueError, match="longest_first_pattern"):
        longest_first_pattern(words)


# -- officials table (data/officials.csv) ----------------------------------------------------------
from analysis.ingest.gazetteer import OfficialsError, _ym, officials, officials_named  # noqa: E402
from conftest import ROOT  # noqa: E402

MONTHS = [f"{y}-{m:02d}" for y in range(2019, 2024) for m in range(1, 13)]


# Months in which an office was actually vacant (predecessor gone, successor not yet appointed), as reported
# in the sources used to check data/officials.csv (see README): no row should cover them.
KNOWN_VACANCIES = {
    ("河南", "省长|主席|市长"): ["2019-11"],    # 陈润儿 to 宁夏 (Oct 2019); 尹弘 acting governor from Dec 2019
    ("黑龙江", "省长|主席|市长"): ["2021-01"],  # 王文涛 to the Ministry of Commerce (Dec 2020); 胡昌升 acting from Feb 2021
}


def test_every_province_has_a_party_secretary_and_a_governor_in_every_month_2019_2023():
    t = officials()
    for prov in PROVINCES[:31]:  # Hong Kong, Macao and Taiwan have no such offices
        for office in ("书记", "省长|主席|市长"):
            rows = t[(t.province == prov) & (t.city == "") & t.office.str.contains(office)]
            gaps = [m for m in MONTHS if not any(_ym(r.start, False) <= m <= _ym(r.end, True)
                                                 for r in rows.itertuples())]
            assert gaps == KNOWN_VACANCIES.get((prov, office), []), (prov, office, gaps[:3])


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
    assert hit.evidence.tolist() == ["王凯 → 省长 of 河南 (2021-04 to …)", "楼阳生 → 省委书记 of 河南 (2021-03 to …)"]
    assert officials_named("安伟出席", "2022-11").evidence.tolist() == ["安伟 → 市委书记 of 郑州 (2021 to …)"]


def test_no_official_named_or_in_office_gives_an_empty_table_with_the_columns():
    for text, date in [("会议强调，要抓早抓小。", "2022-11"), ("廖国勋主持会议", "2022-06")]:
        hit = officials_named(text, date)
        assert hit.empty and list(hit.columns) == ["name", "office", "province", "city", "start", "end", "evidence"]


def test_a_year_only_term_covers_its_whole_year():
    assert _ym("2021", False) == "2021-01" and _ym("2021", True) == "2021-12" and _ym("", True) == "9999-12"
    assert officials_named("安伟", "2021-01").province.tolist() == ["河南"]  # 安伟: start 2021, month not known
    assert officials_named("王凯", "2021-03").empty  # 王凯: start 2021-04


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


def test_the_gazetteer_table_is_a_copy_for_each_caller():
    """A caller that changes the table it got (in a notebook, say) changes nothing for the next
    caller: make figures keeps its kernels from one notebook to the next."""
    g = gazetteer()
    g.loc[:, "province"] = "spoilt"
    again = gazetteer()
    assert "spoilt" not in set(again["province"]) and len(again) == len(g)
    assert find_places("郑州市")["province"].tolist() == ["河南"]
