"""Notebooks: committed without outputs, thin, and executed headless; figures not stale."""
import json
import re
import shutil
import subprocess
import sys

import pytest

from analysis.workflow.build import notebooks, run_notebooks
from conftest import ROOT
from pdfcheck import pdf_fonts

NOTEBOOKS = notebooks()


def test_the_numbered_notebooks():
    assert [p.stem for p in NOTEBOOKS] == ["01_corpus_overview", "02_periods", "03_provinces", "04_keywords",
                                           "05_broadcast", "06_collocations", "07_readouts", "08_talk_and_action"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_thin(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    if any(c.get("outputs") or c.get("execution_count") for c in code):
        # a researcher ran it in JupyterLab: fine as long as git strips the outputs on commit
        assert _git_strips_outputs(path), f"{path.name} has outputs and the nbstripout filter is " \
            f"not configured: run `make env` (or clear the outputs)"
        nb = json.loads(_stripped(path.read_bytes()))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert any("parameters" in c.get("metadata", {}).get("tags", []) for c in code), "no parameters cell"
    src = "\n".join("".join(c["source"]) for c in code)
    assert not re.search(r"^\s*(def|class) ", src, flags=re.M), "logic belongs in analysis/, not notebooks"


def _git(*args, cwd=ROOT, **kw):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, **kw)


def _git_strips_outputs(path) -> bool:
    attr = _git("check-attr", "filter", str(path)).stdout.strip()
    clean = _git("config", "--get", "filter.nbstripout.clean").stdout
    return attr.endswith("nbstripout") and "nbstripout" in clean


def _stripped(data: bytes) -> str:
    return subprocess.run([sys.executable, "-m", "nbstripout", "--keep-id"], input=data,
                          capture_output=True, check=True).stdout.decode("utf-8")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebooks_pass_through_the_filter_unchanged(path):
    """Otherwise `git status` would show every notebook modified once the filter is on."""
    shown = _git("show", f"HEAD:notebooks/{path.name}")
    if shown.returncode:
        pytest.skip(f"not a git checkout: {shown.stderr.strip()}")
    committed = shown.stdout
    assert _stripped(committed.encode("utf-8")) == committed


def _run_all_in_jupyterlab(nb):
    """What a JupyterLab Run All + save adds to a notebook."""
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = i + 1
        cell["outputs"] = [{"output_type": "execute_result", "execution_count": i + 1, "metadata": {},
                            "data": {"text/plain": ["42"]}}]
        cell["metadata"]["execution"] = {"iopub.execute_input": "2026-11-23T21:00:00.000Z"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.2", "mimetype": "text/x-python",
                                       "file_extension": ".py", "pygments_lexer": "ipython3",
                                       "codemirror_mode": {"name": "ipython", "version": 3},
                                       "nbconvert_exporter": "python"}
    return nb


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_jupyterlab_save_hook_writes_the_committed_bytes(path, tmp_path):
    """The server hook `make env` installs strips what a Run All adds: the file JupyterLab
    writes (nbformat) is byte-identical to the committed notebook."""
    import nbformat

    from analysis.workflow.jupyter_hook import strip_on_save

    model = {"type": "notebook", "content": _run_all_in_jupyterlab(json.loads(path.read_text(encoding="utf-8")))}
    strip_on_save(model, f"notebooks/{path.name}", contents_manager=type("CM", (), {"root_dir": str(ROOT)}))
    written = nbformat.writes(nbformat.from_dict(model["content"]), version=4) + "\n"
    assert written == path.read_text(encoding="utf-8")
    config = (ROOT / "Makefile").read_text()
    assert "c.ContentsManager.pre_save_hook = strip_on_save" in config


def test_outputs_that_reach_the_file_never_reach_git(tmp_path):
    """Second line of defence: the nbstripout git filter (notebooks saved by other tools)."""
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / ".gitattributes", repo)
    nb_path = repo / "notebooks" / "04_keywords.ipynb"
    shutil.copy(ROOT / "notebooks" / "04_keywords.ipynb", nb_path)
    keys = " ".join(f"metadata.language_info.{k}" for k in ("codemirror_mode", "file_extension", "mimetype",
                                                             "nbconvert_exporter", "pygments_lexer", "version"))
    for args in (["init", "-q"], ["config", "user.email", "t@example.org"], ["config", "user.name", "t"],
                 ["config", "filter.nbstripout.clean",
                  f"'{sys.executable}' -m nbstripout --keep-id --extra-keys '{keys}'"],
                 ["config", "filter.nbstripout.smudge", "cat"], ["add", "."], ["commit", "-qm", "x"]):
        assert _git(*args, cwd=repo).returncode == 0, args
    nb = _run_all_in_jupyterlab(json.loads(nb_path.read_text(encoding="utf-8")))
    nb_path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert _git("diff", "--stat", cwd=repo).stdout == ""  # nothing to commit but the stat cache
    _git("add", "-A", cwd=repo)
    assert _git("status", "--porcelain", cwd=repo).stdout == ""
    assert _git("show", "HEAD:notebooks/04_keywords.ipynb", cwd=repo).stdout == \
        (ROOT / "notebooks" / "04_keywords.ipynb").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """Every notebook executed once per session into a temporary figures folder:
    ``(folder, runs)`` with ``runs`` the :class:`analysis.build.NotebookRun` list.

    Each notebook in a fresh kernel (``fresh_kernels=True``), as "Restart Kernel and Run All"
    runs it: ``make figures`` keeps each lane's kernel between notebooks, so the staleness
    checks below also show that the committed figures do not depend on what an earlier
    notebook left in the kernel."""
    out = tmp_path_factory.mktemp("figures")
    runs = run_notebooks(NOTEBOOKS, figures_dir=out, out_dir=tmp_path_factory.mktemp("executed"), log=lambda *_: None,
                         fresh_kernels=True)
    return out, runs


def _manifest(path):
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _skip_if_not_built(built, notebook):
    """Skip (with the reason) the checks of a notebook whose external source is not
    available here (offline, no mirror): it was reported as skipped, not failed."""
    run = next(r for r in built[1] if r.name == notebook)
    if run.skipped:
        pytest.skip(f"{notebook} was skipped, so its committed figures cannot be checked here: {run.skipped}")


def _sources():
    """The external sources of analysis.sources (each module's ``SOURCE``)."""
    import importlib
    import pkgutil

    import analysis.sources as S
    from analysis.sources.pinned import PinnedSource

    found = []
    for info in pkgutil.iter_modules(S.__path__):
        source = getattr(importlib.import_module(f"analysis.sources.{info.name}"), "SOURCE", None)
        if isinstance(source, PinnedSource):
            found.append(source)
    return found


def _unavailable_commits(built) -> dict:
    """commit -> reason, for each external source that stopped a notebook in this session
    (its ``<Source>Unavailable`` error): figures citing that commit cannot be remade here."""
    stopped = {r.skipped.split(":", 1)[0]: r.skipped for r in built[1] if r.skipped}
    return {s.commit: stopped[s.unavailable.__name__] for s in _sources() if s.unavailable.__name__ in stopped}


def _checked_rows(built, notebook):
    """(fresh, committed) manifest rows of ``notebook`` to compare: rows whose committed
    parameters cite an external source unavailable here are left out of both (a notebook
    may run without a source and draw a reduced figure, e.g. 07's echo without 新闻联播);
    skips when nothing is left to check."""
    _skip_if_not_built(built, notebook)
    fresh, committed = (_manifest(p) for p in (built[0] / "manifest.csv", ROOT / "figures" / "manifest.csv"))
    fresh, committed = (m[m["notebook"] == notebook] for m in (fresh, committed))
    missing = _unavailable_commits(built)
    cites = committed["parameters"].map(lambda p: next((missing[v] for v in json.loads(p or "{}").values()
                                                        if isinstance(v, str) and v in missing), None))
    left_out = set(committed.loc[cites.notna(), "name"])
    if left_out and left_out == set(committed["name"]):
        pytest.skip(f"every figure of {notebook} cites an unavailable source: {cites.dropna().iloc[0]}")
    return (fresh[~fresh["name"].isin(left_out)].reset_index(drop=True),
            committed[~committed["name"].isin(left_out)].reset_index(drop=True))


def test_all_notebooks_execute_headless(built):
    assert [r.name for r in built[1]] == [p.name for p in NOTEBOOKS]


def test_at_least_ten_figures_with_manifest_rows(built):
    out, _ = built
    pdfs = sorted(p.stem for p in out.glob("*.pdf"))
    assert len(pdfs) >= 10
    for stem in pdfs:
        assert (out / f"{stem}.png").is_file() and (out / f"{stem}.csv").is_file()
    manifest = (out / "manifest.csv").read_text(encoding="utf-8")
    assert all(f"\n{stem}," in manifest for stem in pdfs)


def test_every_pdf_embeds_its_fonts_and_has_no_type3(built):
    out, _ = built
    for pdf in sorted(out.glob("*.pdf")):
        fonts = pdf_fonts(pdf)
        assert fonts, pdf.name
        for name, sub, _desc, embedded in fonts:
            assert sub != "/Type3" and embedded, (pdf.name, name)
        assert any("NotoSansCJKsc" in f[0] for f in fonts), pdf.name


def test_every_committed_figure_belongs_to_a_notebook_and_a_manifest_row():
    committed = ROOT / "figures"
    rows = _manifest(committed / "manifest.csv")
    assert set(rows["notebook"]) <= {p.name for p in NOTEBOOKS}
    listed = {f for files in rows["files"] for f in files.split() if f.endswith(".csv")}
    assert listed == {p.name for p in committed.glob("*.csv") if p.name != "manifest.csv"}, \
        "figure set changed: run `make figures` and commit figures/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_figures_are_not_stale(built, path):
    fresh_rows, committed_rows = _checked_rows(built, path.name)
    mine = lambda rows: sorted(f for files in rows["files"] for f in files.split() if f.endswith(".csv"))  # noqa: E731
    fresh = mine(fresh_rows)
    assert fresh == mine(committed_rows), \
        f"the figure set of {path.name} changed: run `make figures` and commit figures/"
    for name in fresh:
        assert (built[0] / name).read_bytes() == (ROOT / "figures" / name).read_bytes(), \
            f"figures/{name} is stale: run `make figures` and commit figures/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_manifest_matches_inputs_and_code(built, path):
    """The hashes a reader cites must describe the committed figures (package versions excluded:
    they legitimately differ on the conda route)."""
    import pandas as pd

    cols = ["name", "caption", "notebook", "parameters", "data_hash", "lexicon_hash",
            "keywords_hash", "code_hash", "files"]
    fresh, committed = _checked_rows(built, path.name)
    pd.testing.assert_frame_equal(fresh[cols], committed[cols], obj="figures/manifest.csv (run `make figures`)")


def test_broadcast_figures_record_the_corpus_commit_and_registry(built):
    """Notebook 05's figures cite the 新闻联播 commit and the SHA-256 of the committed registry."""
    import pandas as pd

    from analysis.sources.broadcast import COMMIT, registry_hash

    _skip_if_not_built(built, "05_broadcast.ipynb")
    manifest = pd.read_csv(built[0] / "manifest.csv", dtype=str, keep_default_na=False)
    rows = manifest[manifest["notebook"] == "05_broadcast.ipynb"]
    assert len(rows) >= 3
    for params in rows["parameters"]:
        p = json.loads(params)
        assert p["corpus_commit"] == COMMIT and p["registry_hash"] == registry_hash()


def test_policy_figures_record_the_source_commits_and_registries(built):
    """Notebook 08's figures cite the OxCGRT commit and registry hash (and the 新闻联播 ones
    for the figure drawn from the transcripts)."""
    import pandas as pd

    from analysis.sources import broadcast, policy

    manifest = pd.read_csv(built[0] / "manifest.csv", dtype=str, keep_default_na=False)
    rows = manifest[manifest["notebook"] == "08_talk_and_action.ipynb"]
    if rows.empty:
        pytest.skip("notebook 08 was skipped (no OxCGRT or 新闻联播 mirror beside the checkout)")
    assert len(rows) == 3
    for name, params in zip(rows["name"], rows["parameters"]):
        p = json.loads(params)
        assert p["policy_commit"] == policy.COMMIT and p["policy_registry_hash"] == policy.SOURCE.registry_hash()
        if name == "08_broadcast_vs_index":
            assert p["corpus_commit"] == broadcast.COMMIT and p["registry_hash"] == broadcast.registry_hash()
