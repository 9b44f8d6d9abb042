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


# --- kept kernels: each lane keeps its kernel, reset between notebooks ----------------------------

#: A notebook that changes every piece of state the reset puts back (and leaves a variable,
#: an open figure and a raised execution count behind).
_SPOILER = r"""
import os, random, sys, warnings
import matplotlib, numpy as np, pandas as pd
from matplotlib import pyplot as plt
leak = 1
plt.figure()
matplotlib.rcParams["lines.linewidth"] = 7.0
matplotlib.rcParams["font.sans-serif"].insert(0, "Spoilt Sans")  # mutated in place
pd.set_option("display.max_rows", 3)
warnings.simplefilter("error")
os.environ["SPOILT"] = "1"
os.chdir("/")
sys.path.append("/spoilt")
random.seed(3)
np.random.seed(5)
np.seterr(all="raise")
np.set_printoptions(precision=2)
"""

#: A notebook that writes the state it finds, and its kernel's process id, to $STATE_OUT.
_PROBE = r"""
import json, os, random, sys, warnings
import matplotlib, numpy as np, pandas as pd
from matplotlib import pyplot as plt
state = {
    "names": sorted(k for k in globals() if not k.startswith("_") and k not in
                    ("In", "Out", "exit", "quit", "get_ipython", "json", "os", "random", "sys", "warnings",
                     "matplotlib", "np", "pd", "plt")),
    "figures": plt.get_fignums(),
    "rc": {k: repr(v) for k, v in matplotlib.rcParams.items() if k != "backend"},
    "max_rows": pd.get_option("display.max_rows"),
    "filters": repr(warnings.filters[:4]),
    "env": os.environ.get("SPOILT"),
    "cwd": os.getcwd(),
    "path_spoilt": "/spoilt" in sys.path,
    "random": random.random(),
    "np_random": float(np.random.random()),
    "np_err": np.geterr(),
    "np_precision": np.get_printoptions()["precision"],
    "execution_count": get_ipython().execution_count,
}
with open(os.environ["STATE_OUT"], "a", encoding="utf-8") as f:
    f.write(json.dumps({"pid": os.getpid(), "state": state}, sort_keys=True) + "\n")
"""


def _tiny_notebook(path, *sources):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources], metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    nbformat.write(nb, path)
    return path


def _probe_runs(tmp_path, monkeypatch, names, fresh):
    """Run ``names`` (file names in tmp_path) in one lane; the probes' records in order."""
    out = tmp_path / f"state-{fresh}.jsonl"
    monkeypatch.setenv("STATE_OUT", str(out))
    # one lane, in the given order: the build orders by the durations of the executed copies
    # in out_dir, so each call gets a new one (none recorded)
    out_dir = tmp_path / f"out-{fresh}-{len(list(tmp_path.glob('out-*')))}"
    build.run_notebooks([tmp_path / n for n in names], figures_dir=tmp_path / "fig",
                        out_dir=out_dir, log=lambda *_: None, jobs=1, fresh_kernels=fresh)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie awaiting its parent's wait is gone for our purpose
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_a_kept_kernel_gives_the_next_notebook_the_state_of_a_fresh_kernel(tmp_path, monkeypatch):
    """After a notebook that spoils every kind of state the reset covers, the next notebook in
    the same kept kernel finds exactly what it finds in a fresh kernel; the kernel was really
    kept (same process) and stopped when the build ended.  With the reset switched off, every
    probed item differs (so the comparison can fail)."""
    _tiny_notebook(tmp_path / "01_probe.ipynb", _PROBE)
    _tiny_notebook(tmp_path / "02_spoil.ipynb", _SPOILER)
    _tiny_notebook(tmp_path / "03_probe.ipynb", _PROBE)
    fresh = _probe_runs(tmp_path, monkeypatch, ["03_probe.ipynb"], fresh=True)[0]
    kept = _probe_runs(tmp_path, monkeypatch, ["01_probe.ipynb", "02_spoil.ipynb", "03_probe.ipynb"], fresh=False)
    assert kept[0]["pid"] == kept[1]["pid"] != fresh["pid"], "the lane did not keep its kernel"
    unseeded = ("random", "np_random")  # a new process seeds them from the system's entropy
    for k in kept:
        assert {a: b for a, b in k["state"].items() if a not in unseeded} == \
            {a: b for a, b in fresh["state"].items() if a not in unseeded}
    import numpy as np

    # numpy's generator: not the spoiler's seed, and not the first notebook's state either
    assert kept[1]["state"]["np_random"] not in (np.random.RandomState(5).random_sample(),
                                                  kept[0]["state"]["np_random"])
    assert kept[1]["state"]["random"] != kept[0]["state"]["random"]
    assert not any(_alive(r["pid"]) for r in [*kept, fresh]), "a kernel outlived the build"

    monkeypatch.setattr(build, "_RESET", "pass")
    spoilt = _probe_runs(tmp_path, monkeypatch, ["02_spoil.ipynb", "03_probe.ipynb"], fresh=False)[-1]
    differ = {k for k in fresh["state"] if spoilt["state"][k] != fresh["state"][k]}
    assert differ == set(fresh["state"]), set(fresh["state"]) - differ  # each probed item sees it
    # (the kernel itself draws from Python's `random`, so only numpy's value is predictable)
    assert spoilt["state"]["np_random"] == np.random.RandomState(5).random_sample()


def test_a_notebook_that_stops_takes_its_kernel_with_it(tmp_path, monkeypatch):
    """A skipped notebook (source unavailable) leaves half-made state: the lane's next notebook
    runs in a new kernel and the old one is stopped; a failing notebook stops the build and
    leaves no kernel running."""
    pid = "import json, os\nopen(os.environ['STATE_OUT'], 'a').write(json.dumps({'pid': os.getpid()}) + '\\n')\n"
    _tiny_notebook(tmp_path / "01_skip.ipynb", pid + "leak = 1\nfrom analysis.sources import BroadcastUnavailable\n"
                                                     "raise BroadcastUnavailable('offline and no mirror')")
    _tiny_notebook(tmp_path / "02_probe.ipynb", _PROBE)
    _tiny_notebook(tmp_path / "03_broken.ipynb", pid + "raise ValueError('a real bug')")
    records = _probe_runs(tmp_path, monkeypatch, ["01_skip.ipynb", "02_probe.ipynb"], fresh=False)
    assert records[0]["pid"] != records[1]["pid"]
    assert "leak" not in records[1]["state"]["names"]
    assert not any(_alive(r["pid"]) for r in records)
    with pytest.raises(RuntimeError, match="03_broken.ipynb failed .*ValueError: a real bug"):
        _probe_runs(tmp_path, monkeypatch, ["03_broken.ipynb"], fresh=False)
    last = [json.loads(x) for x in (tmp_path / "state-False.jsonl").read_text(encoding="utf-8").splitlines()][-1]
    assert last["pid"] != records[1]["pid"] and not _alive(last["pid"])


@pytest.mark.parametrize("fresh", [False, True])
def test_the_executed_copy_is_written_once_with_outputs_or_the_error(tmp_path, monkeypatch, fresh):
    """papermill wrote the whole executed notebook at the start and end of every cell (4 s of
    the build's own CPU); now once per notebook: with every output, or with the error of the
    cell that failed."""
    import nbformat
    import papermill.engines
    import papermill.execute

    writes = []
    for module in (papermill.engines, papermill.execute):
        real = module.write_ipynb
        monkeypatch.setattr(module, "write_ipynb", lambda nb, path, _real=real, **kw: (writes.append(path),
                                                                                       _real(nb, path, **kw)))
    _tiny_notebook(tmp_path / "01_ok.ipynb", "print('one')", "print('two')", "print('three')")
    _tiny_notebook(tmp_path / "02_fails.ipynb", "print('before')", "raise ValueError('a real bug')", "print('x')")
    out = tmp_path / "out"
    build.run_notebooks([tmp_path / "01_ok.ipynb"], figures_dir=tmp_path / "fig", out_dir=out,
                        log=lambda *_: None, jobs=1, fresh_kernels=fresh)
    assert len(writes) == 1
    ok = nbformat.read(out / "01_ok.ipynb", as_version=4)
    assert [c.outputs[0]["text"] for c in ok.cells if c.cell_type == "code"] == ["one\n", "two\n", "three\n"]
    with pytest.raises(RuntimeError, match="02_fails.ipynb failed"):
        build.run_notebooks([tmp_path / "02_fails.ipynb"], figures_dir=tmp_path / "fig", out_dir=out,
                            log=lambda *_: None, jobs=1, fresh_kernels=fresh)
    failed = nbformat.read(out / "02_fails.ipynb", as_version=4)
    code = [c for c in failed.cells if c.cell_type == "code"]
    assert code[0].outputs[0]["text"] == "before\n"
    assert any(o.get("ename") == "ValueError" for o in code[1].outputs)
    assert code[2].outputs == []


def test_a_kernel_that_cannot_be_reset_is_replaced(tmp_path, monkeypatch):
    """If putting a kept kernel back fails, the next notebook runs in a new kernel (the old one
    is stopped) instead of in a half-reset one, and the build goes on."""
    monkeypatch.setattr(build, "_RESET", "raise RuntimeError('cannot reset')")
    _tiny_notebook(tmp_path / "01_probe.ipynb", _PROBE)
    _tiny_notebook(tmp_path / "02_probe.ipynb", _PROBE)
    first, second = _probe_runs(tmp_path, monkeypatch, ["01_probe.ipynb", "02_probe.ipynb"], fresh=False)
    assert first["pid"] != second["pid"]
    assert not _alive(first["pid"]) and not _alive(second["pid"])


def test_a_notebook_in_another_folder_runs_in_its_folder(tmp_path, monkeypatch):
    """A kept kernel starts (and is reset) in its first notebook's folder: a notebook in
    another folder gets a kernel of its own, working in that folder as a fresh one would."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _tiny_notebook(tmp_path / "a" / "01_probe.ipynb", _PROBE)
    _tiny_notebook(tmp_path / "b" / "02_probe.ipynb", _PROBE)
    first, second = _probe_runs(tmp_path, monkeypatch, ["a/01_probe.ipynb", "b/02_probe.ipynb"], fresh=False)
    assert (first["state"]["cwd"], second["state"]["cwd"]) == (str(tmp_path / "a"), str(tmp_path / "b"))
