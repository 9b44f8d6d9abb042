"""Prose that cannot drift: notebooks 02 and 03 compute every number they state.

Static checks on the committed notebooks (the notebooks themselves are executed by
tests/test_notebooks.py): no hand-typed numbers in their Markdown, none of the prose errors
found in review, a `data_dir` parameter, and every figure records the filters
that shaped it.
"""
import json
import re

import pytest

from conftest import ROOT

NOTEBOOKS = [ROOT / "notebooks" / "02_periods.ipynb", ROOT / "notebooks" / "03_provinces.ipynb"]
BROADCAST = ROOT / "notebooks" / "05_broadcast.ipynb"
READOUTS = ROOT / "notebooks" / "07_readouts.ipynb"
COLLOCATIONS = ROOT / "notebooks" / "06_collocations.ipynb"


def _cells(path, kind):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == kind]


@pytest.mark.parametrize("path", NOTEBOOKS + [BROADCAST, COLLOCATIONS, READOUTS,
                                             ROOT / "notebooks" / "08_talk_and_action.ipynb"],
                         ids=lambda p: p.stem)
def test_markdown_has_no_hand_typed_numbers(path):
    allowed = [r"^# 0\d ·",                   # the notebook's own number
               r"\b(19|20)\d\d\b",           # citation years and period names
               r"10,000", r"0\.5\s+pseudo", r"`dp_target`, 0 =",
               r"notebook 0\d", r"SHA-256"]   # references to another notebook, the hash's name
    for md in _cells(path, "markdown"):
        text = md
        for pattern in allowed:
            text = re.sub(pattern, "", text, flags=re.M)
        assert not re.search(r"\d", text), f"{path.name}: a number in Markdown must come from code:\n{md}"


# Each prose error found in review, as it read on main before the fix
ERRORS = ["2,493", "twelve", "100–300 characters", "168 terms", "gets little weight",
          "present almost everywhere", "not in the formulas", "same kind of meeting", "(能力, 服务, 保障)"]


@pytest.mark.parametrize("path", NOTEBOOKS + [ROOT / "README.md"], ids=lambda p: p.name)
def test_prose_errors_from_the_review_are_gone(path):
    text = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
    if path.suffix == ".ipynb":
        text = re.sub(r"\s+", " ", " ".join(_cells(path, "markdown") + _cells(path, "code")))
    for phrase in ERRORS:
        if phrase == "same kind of meeting" and "not hold the *kind of meeting* constant" in text:
            continue
        assert phrase not in text, f"{path.name} still says {phrase!r}"


@pytest.mark.parametrize("path", NOTEBOOKS + [READOUTS], ids=lambda p: p.stem)
def test_data_dir_parameter_and_complete_manifest_parameters(path):
    code = _cells(path, "code")
    params = next(c for c in code if c.startswith("# Parameters"))
    assert re.search(r"^data_dir = None", params, flags=re.M)
    body = "\n".join(code)
    assert "A.load_corpus(data_dir)" in body
    calls = re.findall(r"A\.save_figure\((.*?)\);?\n(?=\S|$)", body + "\n", flags=re.S)
    assert calls, "no figures saved"
    for call in calls:
        # every filter that selected the units (levels, exclude_units, period(s)) goes into the manifest
        assert "parameters=dict(**filters" in call, f"{path.name}: save_figure without **filters:\n{call}"
    filters = re.search(r"^filters = dict\((.*?)\)", body, flags=re.M).group(1)
    for name in ("levels", "exclude_units"):
        assert name in filters


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_comparison_prints_its_evidence_base_and_excerpt_sensitivity(path):
    body = "\n".join(_cells(path, "code"))
    assert "Evidence base" in body and "excerpt" in body
    assert "~tokens.excerpt" in body  # the comparison is re-run without excerpt units


def test_broadcast_keyness_reports_units_beside_tokens_and_its_evidence_base():
    """Notebook 05: every keyness comparison prints its evidence base, and the COVID-story
    comparison counts unit-level (story) p-values against the token-level Bonferroni threshold."""
    cells = _cells(BROADCAST, "code")
    keyness_cells = [c for c in cells if "A.keyness(" in c]
    assert keyness_cells
    for c in keyness_cells:
        assert "A.evidence_base(" in c, f"a keyness comparison without its evidence base:\n{c}"
    body = "\n".join(keyness_cells)
    assert "A.keyness_summary(" in body
    for column in ("p_perm_units", "p_mwu_units", "n_units_target", "n_units_reference", "bonferroni_p"):
        assert column in body, f"notebook 05 does not report {column}"
