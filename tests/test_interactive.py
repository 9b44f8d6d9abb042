"""The keyword explorer: validation as typed, never stale, safe status, counts = KWIC, saving."""
import html
import re

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

import analysis as A  # noqa: E402
from analysis.workflow.interactive import KERNEL_HINT, ThemeExplorer, check_terms, parse_terms  # noqa: E402
from analysis.measures.keywords import theme_kwic  # noqa: E402
from conftest import ROOT  # noqa: E402


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "keywords.yml"
    p.write_bytes((ROOT / "data" / "keywords.yml").read_bytes())
    return p


@pytest.fixture
def explorer(tokenized, path):
    A.use_style()
    return ThemeExplorer(tokenized, A.load_keywords(path), ["period", "level"], theme="precision")


def test_parse_terms_keeps_problems_for_the_checker():
    assert parse_terms("清零\n动态清零, 一刀切、清零 \n\n科学 精准") == ["清零", "动态清零", "一刀切", "清零", "科学 精准"]


def test_check_terms():
    assert check_terms(["清零", "动态清零"]) == []
    problems = check_terms(["COVID-19", "清零！", "(", "科学 精准", "清零", "清零"])
    assert len(problems) == 5
    assert "non-Chinese" in problems[0] and "punctuation" in problems[1] and "punctuation" in problems[2]
    assert "space" in problems[3] and "twice" in problems[4]
    assert check_terms([]) == ["a theme needs at least one term"]


def test_edit_updates_counts_and_figure(explorer, tokenized):
    before = explorer.counts.copy()
    assert explorer.set_terms(["层层加码"])
    after = explorer.counts
    assert set(after.term) == {"层层加码"}
    expected = A.theme_frequencies(tokenized, dict(explorer.themes), "period", per_term=True)
    expected = expected[expected.theme == "precision"].reset_index(drop=True)
    assert after.equals(expected) and not after.equals(before)
    n = int(after["count"].sum())
    assert explorer.kwic_box.options == ((f"层层加码 ({n})", "层层加码"),)
    assert explorer.last_update_ms > 0


def test_text_box_is_sent_on_blur_not_per_keystroke_and_grouping_drives_the_update(explorer):
    assert explorer.terms_box.continuous_update is False  # IME-safe: no value until the box is left
    explorer.terms_box.value = "一刀切\n优化"
    assert explorer.themes["precision"] == ["一刀切", "优化"]
    explorer.by_box.value = "level"
    assert "level" in explorer.counts.columns


@pytest.mark.parametrize("text, msg", [
    ("COVID-19", "non-Chinese"), ("清零！", "punctuation"), ("(", "punctuation"),
    ("科学 精准", "space"), ("清零\n清零", "twice"), ("", "at least one term"),
    ("yi\ndao\nqie", "non-Chinese"),  # pinyin of an unfinished composition
])
def test_bad_terms_are_refused_with_a_message_and_not_charted(explorer, text, msg):
    old_terms = list(explorer.themes["precision"])
    old_counts = explorer.counts.copy()
    explorer.terms_box.value = text
    assert explorer.themes["precision"] == old_terms
    assert explorer.counts.equals(old_counts)
    assert msg in html.unescape(explorer.status.value) and "not applied" in explorer.status.value
    shown = {v for _, v in explorer.kwic_box.options}
    assert not (set(parse_terms(text)) - set(old_terms)) & shown


def test_never_occurring_term_is_allowed_with_count_zero_and_a_warning(explorer):
    assert explorer.set_terms(["一刀切", "龙飞凤舞"])
    per_term = explorer.counts.groupby("term")["count"].sum()
    assert per_term["龙飞凤舞"] == 0 and per_term["一刀切"] > 0
    assert "warning" in explorer.status.value and "龙飞凤舞" in explorer.status.value


def test_refused_edit_then_save_refuses_and_writes_nothing(explorer, path):
    before = path.read_bytes()
    explorer.terms_box.value = "一刀切\nCOVID-19"
    assert explorer.save() is None
    assert "not saved" in explorer.status.value and "saved 8" not in explorer.status.value
    assert path.read_bytes() == before
    explorer.terms_box.value = "一刀切\n层层加码"  # fixed: now it saves the shown terms
    assert explorer.save() == path
    assert A.load_keywords(path)["precision"] == ["一刀切", "层层加码"]


def test_save_writes_only_the_edited_theme(explorer, path):
    before = path.read_text(encoding="utf-8")
    explorer.set_terms(["一刀切", "层层加码"])
    assert explorer.save() == path
    after = path.read_text(encoding="utf-8")
    assert A.load_keywords(path)["precision"] == ["一刀切", "层层加码"]
    assert "saved" in explorer.status.value
    assert [ln for ln in before.splitlines() if ln.startswith("#")] == \
        [ln for ln in after.splitlines() if ln.startswith("#")]
    assert before.split("precision:")[0] == after.split("precision:")[0]


def test_save_without_edits_leaves_file_byte_identical(explorer, path):
    before = path.read_bytes()
    assert explorer.save() == path
    assert path.read_bytes() == before


def test_save_merges_another_sessions_edit_of_another_theme(explorer, path):
    other = A.load_keywords(path)
    other["economy"] = ["经济", "稳经济"]
    A.save_keywords(other)
    explorer.set_terms(["一刀切"])
    assert explorer.save() == path
    on_disk = A.load_keywords(path)
    assert on_disk["economy"] == ["经济", "稳经济"] and on_disk["precision"] == ["一刀切"]
    assert "changed on disk" in explorer.status.value
    explorer.theme_box.value = "economy"  # the merged state is shown
    assert explorer.terms_box.value == "经济\n稳经济"


def test_save_refuses_a_conflicting_edit_of_the_same_theme(explorer, path):
    other = A.load_keywords(path)
    other["precision"] = ["优化"]
    A.save_keywords(other)
    saved = path.read_bytes()
    explorer.set_terms(["一刀切"])
    assert explorer.save() is None
    assert "not saved" in explorer.status.value and "changed on disk" in explorer.status.value
    assert path.read_bytes() == saved


def test_status_is_html_escaped(tokenized, tmp_path):
    evil = "<img src=x onerror=alert(1)>"
    path = tmp_path / "kw.yml"
    A.save_keywords({evil: ["清零"], "b": ["优化"]}, path)
    ex = ThemeExplorer(tokenized, A.load_keywords(path), ["period"])
    assert "<img" not in ex.status.value and html.escape(evil) in ex.status.value
    ex.set_terms(["<script>alert(1)</script>"])
    assert "<script" not in ex.status.value and "<img" not in ex.status.value
    ex.rename_theme("<b>x</b>")
    assert "<b>x" not in ex.status.value
    assert "<img" not in ex.kwic_out.value


def test_add_rename_delete_theme_and_save(explorer, path):
    assert explorer.add_theme("新主题")
    assert explorer.theme_box.value == "新主题"
    assert explorer.save() is None and "not saved" in explorer.status.value  # no terms yet
    explorer.terms_box.value = "清零\n动态清零"
    assert explorer.themes["新主题"] == ["清零", "动态清零"]
    explorer.theme_box.value = "war_metaphor"
    assert explorer.rename_theme("war")
    assert "war" in explorer.theme_box.options and "war_metaphor" not in explorer.theme_box.options
    explorer.theme_box.value = "economy"
    assert explorer.delete_theme()
    assert explorer.save() == path
    text = path.read_text(encoding="utf-8")
    themes = A.load_keywords(path)
    assert list(themes)[-1] == "新主题" and "economy" not in themes
    assert "# War and mobilisation metaphors.\nwar:\n" in text


def _kwic_count(explorer):
    m = re.search(r"</b>: (\d+) counted", explorer.kwic_out.value)
    return int(m.group(1))


def test_kwic_follows_the_counting_rule_for_nested_terms(tokenized, tmp_path):
    """清零 is also inside 动态清零/双清零: those lines are listed apart, not counted, and the
    counted lines equal the count in the chart."""
    A.use_style()
    ex = ThemeExplorer(tokenized, A.load_keywords(), ["period"], path=tmp_path / "kw.yml", theme="stringency")
    ex.kwic_box.value = "清零"
    count = int(ex.counts.loc[ex.counts.term == "清零", "count"].sum())
    lines = ex.kwic_lines
    assert int(lines.counted.sum()) == count == _kwic_count(ex)
    assert dict((v, lab) for lab, v in ex.kwic_box.options)["清零"] == f"清零 ({count})"
    nested = lines[~lines.counted]
    assert len(nested) > 0 and set(nested.inside) <= {"动态清零", "双清零", "社会面清零"}
    assert "not counted" in ex.kwic_out.value
    # independent check: every occurrence of 清零 minus those inside longer listed terms
    text = "".join(tokenized.text)
    longer = [t for ts in A.load_keywords().values() for t in ts if "清零" in t and t != "清零"]
    assert count == text.count("清零") - sum(text.count(t) for t in longer)


def test_theme_kwic_by_hand():
    import pandas as pd

    df = pd.DataFrame({"unit_id": ["u1", "u2"], "text": ["坚持动态清零，尽快清零", "双清零"]})
    k = theme_kwic(df, {"a": ["动态清零", "双清零"], "b": ["清零"]}, "清零", window=2)
    assert k[["unit_id", "position", "counted", "inside"]].values.tolist() == [
        ["u1", 9, True, ""], ["u1", 4, False, "动态清零"], ["u2", 1, False, "双清零"]]


def test_chart_is_shown_at_its_real_size_with_legible_legend(explorer):
    from PIL import Image
    import io

    explorer.set_terms(["科学精准", "精准", "优化", "层层加码", "一刀切", "简单化", "不得", "防控", "疫情", "发展"])
    im = Image.open(io.BytesIO(explorer.image.value))
    assert f"{im.width}px" == explorer.image.layout.width and f"{im.height}px" == explorer.image.layout.height
    legend = explorer.figure.axes[0].get_legend()
    px = legend.get_texts()[0].get_fontsize() * explorer.DPI / 72
    assert px >= 10
    assert explorer.save_button.layout.width == "auto"


def test_display_carries_a_hint_for_after_kernel_loss(explorer):
    from unittest import mock

    shown = []
    with mock.patch("IPython.display.display", side_effect=lambda *a, **k: shown.extend(a)):
        explorer._ipython_display_()
    assert "model not found" in shown[0].data and "re-run this cell" in shown[0].data
    assert "re-run this cell" in KERNEL_HINT


def test_redraw_in_place_looks_the_same_as_a_rebuild(tokenized, tmp_path):
    """The fast path (bars and legend swapped, axes kept) gives the same pixels as a full
    plot_theme_bars rebuild."""
    import io

    import numpy as np
    from PIL import Image

    A.use_style()
    kw = A.load_keywords()
    fast = ThemeExplorer(tokenized, kw, ["place"], path=tmp_path / "a.yml", theme="precision")
    fast.set_terms(["一刀切", "层层加码", "优化"])  # drawn in place
    slow = ThemeExplorer(tokenized, kw, ["place"], path=tmp_path / "b.yml", theme="precision")
    slow.themes["precision"] = ["一刀切", "层层加码", "优化"]
    slow.figure = None
    slow.update()  # drawn from scratch
    a, b = (np.asarray(Image.open(io.BytesIO(e.image.value))) for e in (fast, slow))
    assert a.shape == b.shape and (a != b).sum() == 0
    # enough terms to reach the colours past the third (the palettes once diverged there)
    six = ["科学精准", "精准", "优化", "层层加码", "一刀切", "简单化"]
    fast.set_terms(six)
    slow.themes["precision"] = six
    slow.figure = None
    slow.update()
    a, b = (np.asarray(Image.open(io.BytesIO(e.image.value))) for e in (fast, slow))
    assert a.shape == b.shape and (a != b).sum() == 0


@pytest.mark.parametrize("term, cause, not_cause", [
    ('<span class="x">清零</span>', "HTML markup", "space"),  # the space inside the tag is not the cause
    ("&nbsp;清零", "HTML markup", "punctuation"),
    ("清零。", "punctuation '。'", "Latin"),
    ("COVID-19", "Latin letters 'COVID' and digits '19'", "punctuation"),
    ("ｃｏｖｉｄ", "Latin letters 'ｃｏｖｉｄ'", "other letters"),
    ("防控" * 16, "32 characters long", "non-Chinese"),
])
def test_refused_terms_name_their_real_cause(term, cause, not_cause):
    from analysis.workflow.interactive import term_refusal

    why = term_refusal(term)
    assert cause in why and not_cause not in why


def test_accepted_term_lengths_and_shortening():
    from analysis.workflow.interactive import MAX_TERM_CHARS, shorten, term_refusal

    assert term_refusal("防" * MAX_TERM_CHARS) is None
    assert term_refusal("防" * (MAX_TERM_CHARS + 1)) is not None
    assert shorten("清零") == "清零"
    assert shorten("防控" * 150) == "防控" * 7 + "防…(300 characters)"  # 15 characters kept + the length


def test_long_terms_are_shortened_in_every_message(explorer):
    long_bad = "防控" * 150
    explorer.terms_box.value = "一刀切\n" + long_bad
    shown = html.unescape(explorer.status.value)
    assert "not applied" in shown and "300 characters" in shown and long_bad not in shown
    assert len(shown) < 400
    long_ok = "龙" * 25  # valid, never occurs: warned about, shortened
    assert explorer.set_terms(["一刀切", long_ok])
    shown = html.unescape(explorer.status.value)
    assert "count 0" in shown and long_ok not in shown and "25 characters" in shown


def test_an_edit_that_changes_nothing_says_so_and_does_not_recount(explorer):
    terms = list(explorer.themes["precision"])
    before_ms = explorer.last_update_ms
    explorer.terms_box.value = "\n".join(terms) + "\n"  # same terms, a trailing newline
    assert explorer.themes["precision"] == terms
    assert "no change" in explorer.status.value and explorer.last_update_ms == before_ms
    assert explorer.set_terms(["一刀切"])  # a real change clears the notice
    assert "no change" not in explorer.status.value


def test_controls_have_readable_labels_with_column_names_in_tooltips(explorer):
    assert explorer.theme_box.description == "Theme"
    assert explorer.by_box.description == "Group by"
    assert explorer.kwic_box.description == "Concordance"
    assert [lab for lab, _ in explorer.by_box.options] == ["Period", "Level"]
    assert explorer.by_box.value == "period"  # the value is still the column
    assert "Period = period" in explorer.by_box.tooltip and "Level = level" in explorer.by_box.tooltip
    assert "KWIC" in explorer.kwic_box.tooltip
    from analysis.workflow.interactive import group_label

    assert [group_label(c) for c in ["place", "outlet", "n_tokens"]] == ["Place", "Outlet", "N tokens"]


def test_jupyterlab_news_popup_is_disabled_in_the_project_environment():
    """`make env` writes JupyterLab settings that never ask about, nor fetch, Jupyter news:
    the pop-up covered the explorer's chart and concordance.  The settings are a target of
    their own that `make figures` and `make test` depend on and that follows the Makefile,
    so a venv built before a settings change gets them (a venv made before the pop-up fix
    once showed it, since only a changed lock rebuilt the venv)."""
    import json
    import re
    import sys
    from pathlib import Path

    make = Path(__file__).resolve().parent.parent.joinpath("Makefile").read_text()
    for target in ("env", "figures", "test"):
        assert re.search(rf"^{target}:.*\$\(JCONF\)", make, re.M), f"`make {target}` does not refresh the settings"
    assert re.search(r"^\$\(JCONF\): Makefile", make, re.M)

    overrides = Path(sys.prefix, "share", "jupyter", "lab", "settings", "overrides.json")
    page_config = Path(sys.prefix, "etc", "jupyter", "labconfig", "page_config.json")
    if not overrides.is_file():
        pytest.skip(f"{overrides} missing: run `make env`")
    notification = json.loads(overrides.read_text())["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
    disabled = json.loads(page_config.read_text())["disabledExtensions"]
    assert disabled["@jupyterlab/apputils-extension:announcements"] is True
