"""Keyword themes: counting rule by hand, validation, atomic save/load with comments."""
import os
import random
import shutil
import stat
import warnings

import pandas as pd
import pytest
from ruamel.yaml import YAML

import analysis as A
from analysis import KeywordsError
from analysis.measures.keywords import KeywordsMerged, render_keywords, term_problem
from conftest import ROOT

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


def test_keyword_file_is_valid_and_unattested_terms_are_reported(corpus):
    """A researcher may list a term that does not occur (yet): that is reported as a
    warning (pytest's summary shows it), never a failure."""
    themes = A.load_keywords()
    assert len(themes) >= 6
    text = "".join(corpus.text)
    for name, terms in themes.items():
        for t in terms:
            if t not in text:
                warnings.warn(f"data/keywords.yml: {name}: {t} does not occur in the corpus (count 0)")


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


REAL = ROOT / "data" / "keywords.yml"


@pytest.fixture
def real_copy(tmp_path):
    path = tmp_path / "keywords.yml"
    shutil.copyfile(REAL, path)
    return path


def _safe(text):
    return YAML(typ="safe").load(text)


def test_save_without_change_keeps_real_file_byte_identical(real_copy):
    before = real_copy.read_bytes()
    mtime = real_copy.stat().st_mtime_ns
    A.save_keywords(A.load_keywords(real_copy), real_copy)
    A.save_keywords(dict(A.load_keywords(real_copy)), real_copy)  # a plain dict too
    assert real_copy.read_bytes() == before
    assert real_copy.stat().st_mtime_ns == mtime  # not even rewritten


def _theme_lines(text, theme):
    """Line numbers of a theme's key and list items (independent reading: ruamel's positions)."""
    doc = YAML().load(text)
    first = doc.lc.key(theme)[0]
    return {first, *(doc[theme].lc.item(i)[0] for i in range(len(doc[theme])))}


def test_editing_one_theme_changes_only_its_lines(real_copy):
    import difflib

    before = real_copy.read_text(encoding="utf-8")
    themes = A.load_keywords(real_copy)
    themes["precision"] = ["科学精准", "一刀切", "层层加码", "不搞一刀切"]
    A.save_keywords(themes, real_copy)
    after = real_copy.read_text(encoding="utf-8")
    assert A.load_keywords(real_copy)["precision"] == ["科学精准", "一刀切", "层层加码", "不搞一刀切"]
    allowed = _theme_lines(before, "precision")
    sm = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for op, i1, i2, _, _ in sm.get_opcodes():
        if op != "equal":
            assert set(range(i1, i2)) <= allowed, before.splitlines()[i1:i2]
    # every comment line and blank line survives
    old_comments = [ln for ln in before.splitlines() if ln.startswith("#") or not ln.strip()]
    assert old_comments == [ln for ln in after.splitlines() if ln.startswith("#") or not ln.strip()]


def test_rename_delete_and_add_theme_keep_other_lines(real_copy):
    before = real_copy.read_text(encoding="utf-8")
    themes = dict(A.load_keywords(real_copy))
    themes["war"] = themes.pop("war_metaphor")
    del themes["economy"]
    themes["new_theme"] = ["清零"]
    A.save_keywords(themes, real_copy, renames={"war_metaphor": "war"})
    after = real_copy.read_text(encoding="utf-8")
    assert A.load_keywords(real_copy) == themes
    assert "# War and mobilisation metaphors.\nwar:\n  - 歼灭战" in after  # kept in place with its comment
    assert "# Economy and development" not in after  # the deleted theme's own comment goes
    assert after.startswith(before[:before.index("precision:")])
    assert after.endswith("\n\nnew_theme:\n  - 清零\n")


def test_random_edits_read_back_and_keep_untouched_themes(real_copy):
    """Property test against an independent reading (ruamel safe load)."""
    rng = random.Random(0)
    text = real_copy.read_text(encoding="utf-8")
    original = _safe(text)
    pool = sorted({t for ts in original.values() for t in ts}) + ["新词", "另一个词"]
    doc, lines = YAML().load(text), text.splitlines(keepends=True)  # the original's lines per theme, read once
    blocks = {name: "".join(lines[doc.lc.key(name)[0]:doc.lc.key(name)[0] + 1 + len(ts)])
              for name, ts in original.items()}
    for _ in range(200):
        themes = {k: list(v) for k, v in original.items()}
        for name in rng.sample(sorted(themes), rng.randint(0, 3)):
            action = rng.choice(["drop", "edit", "reorder"])
            if action == "drop" and len(themes) > 1:
                del themes[name]
            elif action == "edit":
                themes[name] = rng.sample(pool, rng.randint(1, 6))
            else:
                themes[name] = themes[name][::-1]
        if rng.random() < 0.3:
            themes["加的主题"] = rng.sample(pool, 2)
        new = render_keywords(text, themes)
        assert _safe(new) == themes
        for name in original:
            if themes.get(name) == original[name]:  # untouched theme: its lines verbatim
                assert blocks[name] in new


def test_concurrent_edits_of_different_themes_are_merged_and_reported(real_copy):
    first, second = A.load_keywords(real_copy), A.load_keywords(real_copy)
    first["precision"] = ["科学精准", "一刀切"]
    A.save_keywords(first, real_copy)
    second["economy"] = ["经济", "稳经济"]
    with pytest.warns(KeywordsMerged, match="changed on disk"):
        A.save_keywords(second, real_copy)
    on_disk = A.load_keywords(real_copy)
    assert on_disk["precision"] == ["科学精准", "一刀切"]  # the first session's edit survives
    assert on_disk["economy"] == ["经济", "稳经济"]
    assert second == on_disk  # the saving session now sees the merged state


def test_concurrent_edits_of_the_same_theme_are_refused(real_copy):
    first, second = A.load_keywords(real_copy), A.load_keywords(real_copy)
    first["precision"] = ["科学精准", "一刀切"]
    A.save_keywords(first, real_copy)
    saved = real_copy.read_bytes()
    second["precision"] = ["优化"]
    with pytest.raises(KeywordsError, match=r"keywords\.yml changed on disk.*'precision'"):
        A.save_keywords(second, real_copy)
    assert real_copy.read_bytes() == saved


def test_save_with_expected_bytes(real_copy):
    loaded = real_copy.read_bytes()
    real_copy.write_text(real_copy.read_text(encoding="utf-8").replace("  - 作战\n", ""), encoding="utf-8")
    themes = dict(A.load_keywords(real_copy))
    themes["war_metaphor"] = ["硬仗"]
    with pytest.raises(KeywordsError, match="changed on disk"):
        A.save_keywords(themes, real_copy, expected=loaded)


def test_deleted_since_loading_is_refused(real_copy):
    themes = A.load_keywords(real_copy)
    real_copy.unlink()
    themes["precision"] = ["优化"]
    with pytest.raises(KeywordsError, match="deleted since it was loaded"):
        A.save_keywords(themes)
    assert not real_copy.exists()


def test_read_only_keyword_file_is_refused(real_copy):
    real_copy.chmod(0o444)
    before = real_copy.read_bytes()
    themes = A.load_keywords(real_copy)
    themes["precision"] = ["优化"]
    with pytest.raises(KeywordsError, match=r"keywords\.yml is read-only"):
        A.save_keywords(themes)
    assert real_copy.read_bytes() == before


def test_symlinked_keyword_file_is_written_through(real_copy, tmp_path):
    link = tmp_path / "link.yml"
    link.symlink_to(real_copy)
    themes = A.load_keywords(link)
    themes["precision"] = ["优化"]
    A.save_keywords(themes)
    assert link.is_symlink() and A.load_keywords(real_copy)["precision"] == ["优化"]


def test_keyword_file_mode_is_kept(real_copy):
    real_copy.chmod(0o664)
    themes = A.load_keywords(real_copy)
    themes["precision"] = ["优化"]
    A.save_keywords(themes)
    assert stat.S_IMODE(real_copy.stat().st_mode) == 0o664


def test_new_keyword_file_gets_umask_mode(tmp_path):
    old = os.umask(0o022)
    try:
        A.save_keywords({"a": ["清零"]}, tmp_path / "kw.yml")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "kw.yml").stat().st_mode) == 0o644


@pytest.mark.parametrize("term, problem", [
    ("动态清零", None), ("〇", None), ("COVID-19", "non-Chinese"), ("清零！", "punctuation"),
    ("(", "punctuation"), ("科学 精准", "space"), ("", "empty"), ("yi", "non-Chinese"),
])
def test_term_problem(term, problem):
    got = term_problem(term)
    assert (got is None) if problem is None else (problem in got)


def test_odd_theme_names_and_terms_are_quoted(tmp_path):
    path = tmp_path / "kw.yml"
    themes = {"a: b # c": ["清零"], "yes": ["优化"], "<img src=x onerror=alert(1)>": ["精准"]}
    A.save_keywords(themes, path)
    assert A.load_keywords(path) == themes


def test_temporary_files_of_an_interrupted_save_are_removed_by_the_next_save(real_copy):
    """A save killed between writing its temporary file and renaming it leaves .keywords.yml.*.tmp;
    the next save (unchanged or not) removes it, and nothing else."""
    leftovers = [real_copy.parent / ".keywords.yml.k1lled.tmp", real_copy.parent / ".keywords.yml.x.old"]
    for p in leftovers:
        p.write_text("half-written", encoding="utf-8")
    other = real_copy.parent / ".notes.yml.k1lled.tmp"
    other.write_text("not ours", encoding="utf-8")
    before = real_copy.read_bytes()
    A.save_keywords(A.load_keywords(real_copy), real_copy)  # no change: the file is not rewritten
    assert real_copy.read_bytes() == before
    assert not any(p.exists() for p in leftovers) and other.exists()


def test_temporary_files_beside_a_linked_keyword_file_are_removed(tmp_path):
    real = tmp_path / "elsewhere" / "kw.yml"
    real.parent.mkdir()
    A.save_keywords({"a": ["清零"]}, real)
    link = tmp_path / "kw.yml"
    link.symlink_to(real)
    stale = real.parent / ".kw.yml.abc.tmp"
    stale.write_text("half-written", encoding="utf-8")
    A.save_keywords({"a": ["清零", "动态清零"]}, link)
    assert link.is_symlink() and A.load_keywords(real) == {"a": ["清零", "动态清零"]}
    assert not stale.exists()


# -- pre-declared term families ---------------------------------------------------------
def test_families_file_loads_and_every_family_term_is_one_token_of_the_lexicon_or_corpus(tokenized):
    fams = A.load_families()
    assert "twenty_measures" in fams and "层层加码" in fams["twenty_measures"]
    seen = {t for toks in tokenized.tokens for t in toks}
    for name, terms in fams.items():
        found = [t for t in terms if t in seen]
        assert len(found) >= len(terms) - 2, (name, sorted(set(terms) - seen))


@pytest.mark.parametrize("content, message", [
    ("f:\n  terms: [优化]\n", r"family 'f': needs exactly `description:`"),
    ("f:\n  description: x\n  terms: []\n", r"family 'f': `terms` must be a non-empty list"),
    ("f:\n  description: x\n  terms: [优化, 优化]\n", r"family 'f': lists \['优化'\] twice"),
    ("f:\n  description: x\n  terms: ['优 化']\n", r"family 'f': term '优 化' must be one token"),
    ("[1, 2]\n", r"expected `name: \{description"),
])
def test_bad_family_file_names_the_family_and_the_fix(tmp_path, content, message):
    path = tmp_path / "families.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(A.KeywordsError, match=message):
        A.load_families(path)
    with pytest.raises(A.KeywordsError, match="does not exist"):
        A.load_families(tmp_path / "none.yml")
