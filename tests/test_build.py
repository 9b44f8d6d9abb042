"""`make figures` re-executes only the notebooks whose recorded inputs changed."""
import csv
import hashlib
import json
import shutil

import pytest

from analysis.workflow import build
from analysis.infra import provenance
from analysis.workflow.build import notebooks, plan
from analysis.infra.provenance import MANIFEST_COLUMNS, ManifestError, input_hashes, packages_line
from conftest import ROOT


X_SHA256 = hashlib.sha256(b"x").hexdigest()


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A copy of data/ (so it can be edited) and a figures folder whose manifest records
    every notebook's current inputs."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    monkeypatch.setattr(provenance, "DATA", data)
    figs = tmp_path / "figures"
    figs.mkdir()
    rows = []
    for nb in notebooks():
        name = f"{nb.stem[:2]}_fig"
        for ext in ("pdf", "png", "csv"):
            (figs / f"{name}.{ext}").write_bytes(b"x")
        rows.append({"name": name, "caption": "c", "notebook": nb.name, "parameters": "{}",
                     **input_hashes(nb), "packages": packages_line(),
                     "files": f"{name}.pdf {name}.png {name}.csv", "sha256": " ".join([X_SHA256] * 3)})
    _write(figs, rows)
    return data, figs, rows


def _write(figs, rows):
    with open(figs / "manifest.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, MANIFEST_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def _reasons(figs):
    return {nb.stem: reason for nb, reason in plan(notebooks(), figs)}


def test_nothing_runs_when_inputs_are_unchanged(world):
    assert set(_reasons(world[1]).values()) == {None}


def test_keyword_edit_reruns_only_notebooks_that_use_keywords(world):
    data, figs, _ = world
    kw = data / "keywords.yml"
    kw.write_text(kw.read_text(encoding="utf-8").replace("  - 作战\n", ""), encoding="utf-8")
    reasons = _reasons(figs)
    assert reasons["01_corpus_overview"] is None
    # 02 compares keyword themes unit by unit, so it uses the keyword file too
    assert reasons["02_periods"] == reasons["03_provinces"] == reasons["04_keywords"] == "keyword file changed"


def test_family_edit_reruns_only_notebooks_that_read_the_families(world):
    """data/families.yml is an input of every notebook that calls load_families: editing a
    pre-declared family marks their figures stale, and only theirs."""
    data, figs, _ = world
    readers = {p.stem for p in notebooks() if "load_families" in p.read_text(encoding="utf-8")}
    assert {"02_periods", "05_broadcast"} <= readers
    fam = data / "families.yml"
    fam.write_text(fam.read_text(encoding="utf-8").replace(", 不得]", "]"), encoding="utf-8")
    reasons = _reasons(figs)
    for nb, reason in reasons.items():
        if nb in readers:
            assert reason == "keyword file changed", nb  # build.py's words for the keywords_hash column
        else:
            assert reason is None, nb


def test_data_and_lexicon_changes_rerun_everything(world):
    data, figs, _ = world
    (data / "corpus.yml").write_text((data / "corpus.yml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert set(_reasons(figs).values()) == {"data changed"}


def test_missing_figure_file_and_non_default_parameters_and_packages(world):
    data, figs, rows = world
    (figs / "02_fig.png").unlink()
    rows[2]["parameters"] = json.dumps({"data_dir": "/elsewhere"})
    rows[3]["packages"] = "matplotlib==0.1"
    _write(figs, rows)
    reasons = _reasons(figs)
    assert reasons["01_corpus_overview"] is None
    assert reasons["02_periods"] == "02_fig.png is missing"
    assert "non-default parameters" in reasons["03_provinces"]
    assert reasons["04_keywords"] == "package versions changed"


def test_notebook_source_change_reruns_it_but_outputs_do_not(world, monkeypatch, tmp_path):
    _, figs, _ = world
    nbdir = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", nbdir)
    monkeypatch.setattr(build, "ROOT", tmp_path)
    monkeypatch.setattr(provenance, "PACKAGE", ROOT / "analysis")
    path = nbdir / "02_periods.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["x"]}]
    nb["cells"][1]["execution_count"] = 7
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert plan([path], figs)[0][1] is None
    nb["cells"][1]["source"] = ["n_terms = 20\n"]
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert plan([path], figs)[0][1] == "notebook source or analysis/ code it imports changed"


def test_corrupt_manifest_stops_the_build_without_rewriting(world, capsys):
    _, figs, _ = world
    bad = "<<<<<<< HEAD\n" + (figs / "manifest.csv").read_text(encoding="utf-8")
    (figs / "manifest.csv").write_text(bad, encoding="utf-8")
    with pytest.raises(ManifestError, match="manifest.csv, line 1: merge conflict"):
        plan(notebooks(), figs)
    assert build.main(["--figures-dir", str(figs), "--force-outside", "--quiet"]) == 1
    assert "manifest.csv" in capsys.readouterr().err
    assert (figs / "manifest.csv").read_text(encoding="utf-8") == bad


def test_main_prints_what_it_skips_and_why(world, capsys):
    assert build.main(["--figures-dir", str(world[1]), "--force-outside"]) == 0
    out = capsys.readouterr().out
    assert out.count("skip ") == len(build.notebooks()) and "up to date" in out and "nothing to run" in out


def test_data_hash_matches_corpus_fingerprint():
    from analysis.ingest.corpus import data_fingerprint

    assert provenance.data_hash() == data_fingerprint()


def test_planning_imports_no_heavy_package(world):
    """The no-op `make figures` stays fast: deciding what to run loads neither pandas nor matplotlib."""
    import subprocess
    import sys

    code = ("import sys; from analysis.workflow.build import plan, notebooks; "
            f"plan(notebooks(), {str(world[1])!r}); "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'sklearn', 'scipy', 'papermill') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_figure_file_that_differs_from_its_manifest_hash_reruns_its_notebook(world):
    _, figs, rows = world
    (figs / "03_fig.csv").write_bytes(b"y")
    rows[0]["sha256"] = ""
    _write(figs, rows)
    reasons = _reasons(figs)
    assert reasons["01_corpus_overview"] == "01_fig: the manifest records no file hashes (made before they were)"
    assert reasons["03_provinces"] == "03_fig.csv differs from the SHA-256 in the manifest (edited or replaced)"
    assert reasons["02_periods"] is None


@pytest.mark.parametrize("where", ["../../etc", "/tmp/figs", "link"])
def test_figures_dir_outside_the_repository_is_refused_without_force_outside(where, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(build, "plan", lambda *a, **k: pytest.fail("planned despite the refusal"))
    if where == "link":  # a link inside the repository that leads out of it
        link = ROOT / ".cache" / f"test-link-{tmp_path.name}"
        link.parent.mkdir(exist_ok=True)
        link.symlink_to(tmp_path)
        where = str(link)
    try:
        assert build.main(["--figures-dir", where, "--quiet"]) == 2
    finally:
        if where.startswith(str(ROOT)):
            (ROOT / where).unlink()
    err = capsys.readouterr().err
    assert "is outside the repository" in err and "--force-outside" in err


def test_figures_dir_inside_the_repository_or_forced_is_accepted(world, monkeypatch):
    seen = []
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr(build, "plan", lambda paths, figures_dir: seen.append(figures_dir) or [])
    assert build.main(["--figures-dir", str(ROOT / "figures"), "--quiet"]) == 0
    assert build.main(["--figures-dir", "figures", "--quiet"]) == 0
    assert build.main(["--figures-dir", str(world[1]), "--force-outside", "--quiet"]) == 0
    assert seen == [str(ROOT / "figures"), "figures", str(world[1])]


def test_any_source_unavailable_error_skips_a_notebook_but_other_errors_fail():
    """Every external source raises its own ``<Source>Unavailable`` (analysis.sources); the
    build treats all of them as "skipped here", and nothing else."""
    assert build.is_unavailable_error("BroadcastUnavailable")
    assert build.is_unavailable_error("PolicyUnavailable")
    for name in ("ValueError", "BroadcastError", "UnavailableSourceBug", "KeyError"):
        assert not build.is_unavailable_error(name)


def test_module_imports_are_parsed_once_and_again_when_a_module_changes(tmp_path, monkeypatch):
    """notebook_modules (asked once per saved figure) parses each module source once; an
    edited module is parsed again and its new imports are followed."""
    from analysis.infra import provenance as P

    nb = ROOT / "notebooks" / "02_periods.ipynb"
    P._module_imports.cache_clear()
    first = P.notebook_modules(nb)
    parsed = P._module_imports.cache_info().misses
    assert P.notebook_modules(nb) == first and P._module_imports.cache_info().misses == parsed
    assert "workflow/interactive.py" not in first and "measures/keyness.py" in first
    pkg = tmp_path / "analysis"
    shutil.copytree(P.PACKAGE, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(P, "PACKAGE", pkg)
    assert P.notebook_modules(nb) == first
    keyness = pkg / "measures" / "keyness.py"
    keyness.write_text(keyness.read_text(encoding="utf-8") + "\nfrom analysis.workflow import interactive\n",
                       encoding="utf-8")
    assert "workflow/interactive.py" in P.notebook_modules(nb)
