"""KWIC and text reuse against brute-force computations."""
import pandas as pd
import pytest

import analysis as A

DF = pd.DataFrame({"unit_id": ["u1", "u2"], "text": ["坚持动态清零，尽快清零。", "严防<script>一刀切</script>"]})


def test_kwic_by_hand():
    k = A.kwic(DF, "清零", window=3)
    assert k.values.tolist() == [["u1", 4, "持动态", "清零", "，尽快"], ["u1", 9, "，尽快", "清零", "。"]]


def test_kwic_html_escapes_text():
    html = A.kwic_html(A.kwic(DF, "一刀切", window=10))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "1 lines" in html


def test_kwic_rejects_empty_term():
    with pytest.raises(ValueError, match="non-empty"):
        A.kwic(DF, " ")


def _brute_coverage(text, source, k):
    covered = set()
    for i in range(len(text)):
        for j in range(i + k, len(text) + 1):
            if text[i:j] in source:
                covered.update(range(i, j))
    return len(covered)


@pytest.mark.parametrize("a, b, k", [
    ("甲乙丙丁戊己庚辛壬癸", "乙丙丁戊己X庚辛壬", 3),
    ("严防一刀切层层加码严防一刀切", "要严防一刀切", 4),
    ("完全不同的文字", "另外一段话", 2),
])
def test_text_reuse_matches_brute_force(a, b, k):
    df = pd.DataFrame({"unit_id": ["a", "b"], "text": [a, b]})
    r = A.text_reuse(df, source="b", min_chars=k).set_index("unit_id")
    assert r.loc["a", "reused_chars"] == _brute_coverage(a, b, k)
    assert r.loc["a", "reuse_share"] == pytest.approx(_brute_coverage(a, b, k) / len(a))
    assert "b" not in r.index


def test_shared_passages():
    assert A.shared_passages("甲乙丙丁戊己庚", "乙丙丁 戊XX己庚", min_chars=3) == ["乙丙丁戊"]


def test_unknown_source():
    with pytest.raises(ValueError, match=r"unknown source unit_id\(s\) \['zz'\]"):
        A.text_reuse(DF, source="zz")


def test_duplicated_henan_passage_is_flagged(corpus):
    r = A.text_reuse(corpus, min_chars=12).set_index("unit_id")
    assert r.loc["henan-20221111-bjyouth", "top_match"] == "henan-20221111-zaobao"
    assert r.loc["henan-20221111-bjyouth", "reuse_share"] > 0.7
    assert "快封、快筛、快追、快调、快转、快隔" in r.loc["henan-20221111-bjyouth", "longest_passage"]


def test_sichuan_echoes_the_national_notice(corpus):
    r = A.text_reuse(corpus, source="national-20221111-notice").set_index("unit_id")
    assert r.loc["sichuan-20221111", "reuse_share"] > 0.3
    assert r.loc["henan-20210808-lou", "reuse_share"] == 0
