"""The keyword explorer updates on edits and saves atomically."""
import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

import analysis as A  # noqa: E402
from analysis.interactive import ThemeExplorer, parse_terms  # noqa: E402


@pytest.fixture
def explorer(tokenized, tmp_path):
    A.use_style()
    path = tmp_path / "kw.yml"
    A.save_keywords(A.load_keywords(), path)
    return ThemeExplorer(tokenized, A.load_keywords(path), ["period", "level"], path=path, theme="precision")


def test_parse_terms():
    assert parse_terms("清零\n动态清零, 一刀切、清零 ") == ["清零", "动态清零", "一刀切"]


def test_edit_updates_counts_and_figure(explorer, tokenized):
    before = explorer.counts.copy()
    assert explorer.set_terms(["层层加码"])
    after = explorer.counts
    assert set(after.term) == {"层层加码"}
    expected = A.theme_frequencies(tokenized, explorer.themes, "period", per_term=True)
    expected = expected[expected.theme == "precision"].reset_index(drop=True)
    assert after.equals(expected) and not after.equals(before)
    assert explorer.kwic_box.options == ("层层加码",)
    assert explorer.last_update_ms > 0


def test_text_box_and_grouping_drive_the_update(explorer):
    explorer.terms_box.value = "一刀切\n优化"
    assert explorer.themes["precision"] == ["一刀切", "优化"]
    explorer.by_box.value = "level"
    assert "level" in explorer.counts.columns


def test_invalid_edit_is_refused_with_a_message(explorer):
    old = dict(explorer.themes)
    assert not explorer.set_terms([])
    assert explorer.themes == old and "non-empty" in explorer.status.value


def test_save_writes_the_edited_themes(explorer):
    explorer.set_terms(["一刀切", "层层加码"])
    path = explorer.save()
    assert A.load_keywords(path)["precision"] == ["一刀切", "层层加码"]
    assert "saved" in explorer.status.value
