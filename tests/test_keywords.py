"""Keyword themes: counting rule by hand, validation, atomic save/load with comments."""
import pandas as pd
import pytest

import analysis as A
from analysis import KeywordsError

TEXT = "坚持动态清零总方针，尽快实现社会面清零。严防层层加码、一刀切，严防一刀切。"
DF = pd.DataFrame({"unit_id": ["u1", "u2"], "g": ["x", "y"], "text": [TEXT, "优化调整措施。"],
                   "tokens": [["坚持", "动态清零", "总方针", "尽快", "实现", "社会面", "清零", "严防", "层层加码",
                               "一刀切", "严防", "一刀切"], ["优化", "调整", "措施"]]})
THEMES = {"formula": ["动态清零"], "clearance": ["清零", "社会面清零"], "precision": ["层层加码", "一刀切", "优化"]}


def test_theme_counts_by_hand():
    tf = A.theme_frequencies(DF, THEMES, "g").set_index(["g", "theme"])
    # 动态清零 once (formula); 社会面清零 once (the longer term wins, so 清零 is not counted again)
    assert tf.loc[("x", "formula"), "count"] == 1
    assert tf.loc[("x", "clearance"), "count"] == 1
    assert tf.loc[("x", "precision"), "count"] == 3
    assert tf.loc[("x", "precision"), "per_10k"] == pytest.approx(3 / 12 * 1e4)
    assert tf.loc[("y", "precision"), "count"] == 1
    assert tf.loc[("y", "formula"), "count"] == 0  # zeros are kept


def test_per_term_breakdown_and_shared_terms():
    themes = {"a": ["一刀切"], "b": ["一刀切", "层层加码"]}
    tf = A.theme_frequencies(DF, themes, "g", per_term=True).set_index(["g", "theme", "term"])
    assert tf.loc[("x", "a", "一刀切"), "count"] == 2 and tf.loc[("x", "b", "一刀切"), "count"] == 2
    assert tf.loc[("x", "b", "层层加码"), "count"] == 1


def test_keyword_file_is_valid_and_attested(corpus):
    themes = A.load_keywords()
    assert len(themes) >= 6
    text = "".join(corpus.text)
    for name, terms in themes.items():
        for t in terms:
            assert t in text, f"{name}: {t} does not occur in the corpus"


@pytest.mark.parametrize("themes, msg", [
    ({}, "mapping"), ({"a": []}, "non-empty list"), ({"a": ["x y"]}, "whitespace"),
    ({"a": ["清零", "清零"]}, "twice"), ({"a": [""]}, "empty"),
])
def test_invalid_themes(themes, msg):
    with pytest.raises(KeywordsError, match=msg):
        A.theme_frequencies(DF, themes, "g")


def test_save_load_round_trip_keeps_comments(tmp_path):
    path = tmp_path / "kw.yml"
    path.write_text("# header comment\n\n# what theme a measures\na:\n  - 清零\n\nb:\n  - 优化\n", encoding="utf-8")
    A.save_keywords({"a": ["清零", "动态清零"], "c": ["一刀切"]}, path)
    text = path.read_text(encoding="utf-8")
    assert "# header comment" in text and "# what theme a measures" in text
    assert A.load_keywords(path) == {"a": ["清零", "动态清零"], "c": ["一刀切"]}
    assert list(tmp_path.iterdir()) == [path]  # no temporary files left behind


def test_bad_yaml_gives_clear_error_and_old_file_untouched(tmp_path):
    path = tmp_path / "kw.yml"
    broken = "a:\n  - 清零\n b: [\n"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(KeywordsError, match=r"kw\.yml is not valid YAML"):
        A.load_keywords(path)
    with pytest.raises(KeywordsError, match="not overwriting"):
        A.save_keywords({"a": ["清零"]}, path)
    assert path.read_text(encoding="utf-8") == broken


def test_invalid_save_leaves_file_untouched(tmp_path):
    path = tmp_path / "kw.yml"
    A.save_keywords({"a": ["清零"]}, path)
    before = path.read_bytes()
    with pytest.raises(KeywordsError, match="whitespace"):
        A.save_keywords({"a": ["清 零"]}, path)
    assert path.read_bytes() == before


def test_missing_file():
    with pytest.raises(KeywordsError, match="does not exist"):
        A.load_keywords("/nonexistent/kw.yml")
