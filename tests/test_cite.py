"""A figure's citation (analysis/workflow/cite.py): the commit found from the manifest's history, the
sources from its parameters, the formats, and --check's comparison of a rebuild."""
import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys

import pytest

import analysis as A
from analysis.infra.provenance import MANIFEST_COLUMNS, read_manifest_rows
from analysis.workflow import cite as C
from conftest import ROOT

XWLB = "023828c95ca6990c15bf3bedf8339954000ff34a"
OXCGRT = "e7f66ee39654293b5c068efd2f195bd591dc27f6"
GIT_ENV = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2026-01-02T00:00:00Z",
           "GIT_COMMITTER_DATE": "2026-01-02T00:00:00Z"}


def git(root, *args):
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True,
                          env=GIT_ENV).stdout.strip()


def row(name, **kw):
    base = {"name": name, "caption": f"Caption of {name}", "notebook": "02_periods.ipynb", "parameters": "{}",
            "data_hash": "d" * 16, "lexicon_hash": "l" * 16, "keywords_hash": "-", "code_hash": "c" * 16,
            "packages": "covid-discourse-analysis==9.9.9 pandas==3.1.1", "files": f"{name}.pdf {name}.png {name}.csv",
            "sha256": " ".join(c * 64 for c in "123")}
    return base | kw


def write_manifest(folder, rows):
    buf = io.StringIO()
    w = csv.DictWriter(buf, MANIFEST_COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(sorted(rows, key=lambda r: r["name"]))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.csv").write_text(buf.getvalue(), encoding="utf-8")


@pytest.fixture
def repo(tmp_path):
    """A small repository whose manifest rows change in known commits."""
    root = tmp_path / "repo"
    (root / "data" / "sources").mkdir(parents=True)
    shutil.copy(ROOT / "CITATION.cff", root / "CITATION.cff")
    (root / "data" / "corpus.yml").write_text(
        "documents:\n  - doc_id: a\n    outlet: 河南日报\n    units: [{unit_id: a1}, {unit_id: a2, outlet: 新华社}]\n"
        "  - doc_id: b\n    outlet: 河南日报\n", encoding="utf-8")
    registry = b"0" * 64 + b"  news/20200101.md\n"
    (root / "data" / "sources" / f"xwlb-{XWLB}.sha256").write_bytes(registry)
    reg_hash = hashlib.sha256(registry).hexdigest()
    git(root, "init", "-q")
    commits = {}
    rows = {"fig_a": row("fig_a"), "fig_b": row("fig_b")}
    write_manifest(root / "figures", rows.values())
    git(root, "add", "-A"); git(root, "commit", "-qm", "c1")
    commits["c1"] = git(root, "rev-parse", "HEAD")
    rows["fig_b"] = row("fig_b", code_hash="e" * 16, parameters=json.dumps(
        {"corpus_commit": XWLB, "registry_hash": reg_hash, "seed": 0}))
    write_manifest(root / "figures", rows.values())
    git(root, "commit", "-qam", "c2")
    commits["c2"] = git(root, "rev-parse", "HEAD")
    (root / "README.md").write_text("x")
    git(root, "add", "-A"); git(root, "commit", "-qm", "c3: not the manifest")
    rows["fig_c"] = row("fig_c", parameters=json.dumps(
        {"policy_commit": OXCGRT, "policy_registry_hash": "f" * 64, "other_commit": "a" * 40,
         "other_registry_hash": "b" * 64}))
    write_manifest(root / "figures", rows.values())
    git(root, "commit", "-qam", "c4")
    commits["c4"] = git(root, "rev-parse", "HEAD")
    return root, commits, reg_hash


def test_the_commit_is_where_the_row_last_changed(repo):
    root, commits, _ = repo
    assert C.cite("fig_a", root=root).commit == commits["c1"]
    assert C.cite("fig_b", root=root).commit == commits["c2"]
    assert C.cite("fig_c", root=root).commit == commits["c4"]
    assert C.cite("fig_a.pdf", root=root).figure == "fig_a"


def test_an_uncommitted_row_has_no_commit_and_says_so(repo):
    root, _, _ = repo
    rows = read_manifest_rows(root / "figures" / "manifest.csv")
    rows[0]["code_hash"] = "9" * 16
    write_manifest(root / "figures", rows)
    c = C.cite("fig_a", root=root)
    assert c.commit is None and "commit figures/ first" in c.text()
    assert "Reproduce" not in c.text()


def test_changed_figure_files_are_noted(repo):
    root, commits, _ = repo
    (root / "figures" / "fig_a.csv").write_text("term,n\n清零,3\n", encoding="utf-8")
    git(root, "add", "-A"); git(root, "commit", "-qm", "c5: figure file")
    assert C.cite("fig_a", root=root).notes == []
    (root / "figures" / "fig_a.csv").write_text("term,n\n清零,4\n", encoding="utf-8")
    c = C.cite("fig_a", root=root)
    assert c.commit == commits["c1"]
    assert c.notes == ["the figure files differ from the committed ones: figures/fig_a.csv"]


def test_software_figure_documents_and_hashes(repo):
    root, commits, _ = repo
    c = C.cite("fig_a", root=root)
    assert c.version == "9.9.9"                         # from the row, not the checkout
    assert c.date == "2026-01-02"
    assert c.documents == {"n_documents": 2, "outlets": ["河南日报", "新华社"], "manifest": "data/corpus.yml"}
    assert c.hashes == {"data_hash": "d" * 16, "lexicon_hash": "l" * 16, "keywords_hash": "-", "code_hash": "c" * 16}
    text = c.text()
    assert "covid-discourse-analysis contributors (2026)." in text
    assert f"version 9.9.9, commit {commits['c1'][:12]}" in text
    assert "Figure fig_a: Caption of fig_a (notebook 02_periods.ipynb)." in text
    assert "2 news documents listed in data/corpus.yml (outlets: 河南日报, 新华社)" in text
    assert f"code_hash {'c' * 16}" in text and c.url is None
    assert c.files == {"fig_a.pdf": "1" * 64, "fig_a.png": "2" * 64, "fig_a.csv": "3" * 64}
    assert f"Files (SHA-256): fig_a.pdf {'1' * 64}, fig_a.png {'2' * 64}, fig_a.csv {'3' * 64}" in text
    assert str(c) == text == repr(c)


def test_sources_are_found_from_the_parameters(repo):
    root, _, reg_hash = repo
    [s] = C.cite("fig_b", root=root).sources
    assert (s["repository"], s["commit"], s["registry_hash"]) == ("Felix-Jung/xin-wen-lian-bo", XWLB, reg_hash)
    assert s["registry_file"] == f"data/sources/xwlb-{XWLB}.sha256"     # its SHA-256 equals the recorded hash
    c = C.cite("fig_c", root=root)
    by_commit = {s["commit"]: s for s in c.sources}
    assert by_commit[OXCGRT]["repository"] == "OxCGRT/covid-policy-dataset"
    assert by_commit[OXCGRT]["registry_hash"] == "f" * 64                 # paired by the key's prefix
    assert by_commit["a" * 40]["repository"] is None and by_commit["a" * 40]["registry_hash"] == "b" * 64
    text = c.text()
    assert "Hale, T. et al. (2021)" in text and "doi:10.1038/s41562-021-01079-8" in text
    assert f"commit {'a' * 40}, registry hash {'b' * 64}" in text         # an unknown source is still listed
    assert C.cite("fig_a", root=root).sources == []


def test_two_sources_get_their_own_registry_hashes(repo):
    """As notebook 08 records them: the transcripts' registry_hash has no common prefix with corpus_commit,
    and is matched by the hash of the committed registry file."""
    root, _, reg_hash = repo
    rows = read_manifest_rows(root / "figures" / "manifest.csv")
    rows.append(row("fig_e", parameters=json.dumps({"corpus_commit": XWLB, "registry_hash": reg_hash,
                                                    "policy_commit": OXCGRT, "policy_registry_hash": "f" * 64})))
    write_manifest(root / "figures", rows)
    by_commit = {s["commit"]: s for s in C.cite("fig_e", root=root).sources}
    assert by_commit[XWLB]["registry_hash"] == reg_hash and by_commit[XWLB]["registry_key"] == "registry_hash"
    assert by_commit[XWLB]["registry_file"] == f"data/sources/xwlb-{XWLB}.sha256"
    assert by_commit[OXCGRT]["registry_hash"] == "f" * 64 and "registry_file" not in by_commit[OXCGRT]


def test_known_sources_follow_the_source_modules():
    from analysis.sources import broadcast, policy

    assert {"repository": broadcast.REPOSITORY, "commit": broadcast.COMMIT}.items() <= C.SOURCES[0].items()
    assert {"repository": policy.REPOSITORY, "commit": policy.COMMIT}.items() <= C.SOURCES[1].items()
    hale = C.SOURCES[1]["reference"]
    # the reference agrees with the one the policy module states (authors, title, journal, pages, DOI)
    for part in [*(a["family"] for a in hale["author"]), hale["title"], hale["container-title"], hale["DOI"],
                 hale["page"].replace("-", "–")]:
        assert part in policy.CITATION, part


@pytest.mark.parametrize("remote, url", [
    ("git@github.com:owner/repo.git", "https://github.com/owner/repo"),
    ("ssh://git@gitlab.com/group/repo", "https://gitlab.com/group/repo"),
    ("https://user:s3cret@github.com/owner/repo.git", "https://github.com/owner/repo"),
    ("https://codeberg.org/owner/repo/", "https://codeberg.org/owner/repo"),
    ("/work/main", None), ("file:///srv/repo.git", None), ("", None), (None, None),
])
def test_remote_addresses_become_public_urls_without_credentials(remote, url):
    assert C.public_url(remote) == url


def test_the_url_comes_from_git_remote(repo):
    root, _, _ = repo
    git(root, "remote", "add", "origin", "https://tok@github.com/owner/covid.git")
    c = C.cite("fig_a", root=root)
    assert c.url == "https://github.com/owner/covid" and "tok" not in c.text() + c.bibtex()


def test_bibtex_entries(repo):
    root, commits, _ = repo
    bib = C.cite("fig_c", root=root).format("bibtex")
    assert bib.count("{") == bib.count("}")
    keys = [line.split("{", 1)[1].rstrip(",") for line in bib.splitlines() if line.startswith("@")]
    assert keys == ["covid_discourse_2026_fig_c", "covid_discourse_2026_fig_c_source1", "hale2021",
                    "covid_discourse_2026_fig_c_source2"]
    assert "  author = {{covid-discourse-analysis contributors}}," in bib
    assert f"commit {commits['c4']}" in bib and "fig\\_c" in bib and "pages = {529--538}" in bib
    assert "author = {Hale, Thomas and Angrist, Noam and" in bib
    assert C._tex("50% & a_b {x} #1 $ ~^\\") == r"50\% \& a\_b \{x\} \#1 \$ \textasciitilde{}\textasciicircum{}\textbackslash{}"


def test_csl_json(repo):
    root, commits, reg_hash = repo
    items = json.loads(C.cite("fig_b", root=root).format("csl"))
    assert [i["type"] for i in items] == ["software", "dataset"]
    sw, ds = items
    assert sw["author"] == [{"literal": "covid-discourse-analysis contributors"}]
    assert sw["version"] == "9.9.9" and sw["issued"] == {"date-parts": [[2026, 1, 2]]}
    assert commits["c2"] in sw["note"] and "Figure fig_b" in sw["note"]
    assert ds["URL"] == f"https://github.com/Felix-Jung/xin-wen-lian-bo/tree/{XWLB}" and reg_hash in ds["note"]
    items = C.cite("fig_c", root=root).csl()
    hale = next(i for i in items if i["id"] == "hale2021")
    assert hale["DOI"] == "10.1038/s41562-021-01079-8" and hale["type"] == "article-journal"
    with pytest.raises(ValueError, match="'text', 'bibtex' or 'csl'"):
        C.cite("fig_b", root=root).format("ris")


def test_an_unknown_figure_lists_the_figures(repo):
    root, _, _ = repo
    with pytest.raises(C.CiteError, match=r"unknown figure 'fig_d'. Did you mean .*fig_a.* are: fig_a, fig_b, fig_c"):
        C.cite("fig_d", root=root)
    with pytest.raises(C.CiteError, match="no figures recorded"):
        C.cite("fig_a", root=root, figures_dir=root / "nowhere")


def test_the_real_figure_cites_its_manifest_row():
    """`python -m analysis.cite 02_keyness_periods`: commit and hashes as in figures/manifest.csv."""
    name = "02_keyness_periods"
    res = subprocess.run([sys.executable, "-m", "analysis.cite", name], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    [r] = [r for r in read_manifest_rows(ROOT / "figures" / "manifest.csv") if r["name"] == name]
    for k in ("data_hash", "lexicon_hash", "keywords_hash", "code_hash"):
        assert f"{k} {r[k]}" in res.stdout
    assert r["caption"] in res.stdout and "@misc{covid_discourse_" in res.stdout
    c = A.cite(name)
    if c.commit is None:
        pytest.skip(f"no commit to check here: {c.notes}")
    # independent check of the commit: the row is the same there and different (or absent) just before it
    at = C._manifest_rows(git(ROOT, "show", f"{c.commit}:figures/manifest.csv") + "\n")
    assert at[name] == r
    before = git(ROOT, "log", "-1", "--format=%H", f"{c.commit}^", "--", "figures/manifest.csv")
    if before:
        assert C._manifest_rows(git(ROOT, "show", f"{before}:figures/manifest.csv") + "\n").get(name) != r


def test_running_the_command_keeps_the_public_function():
    """`python -m analysis.cite` (runpy) does not bind the command module over `A.cite`."""
    code = ("import runpy, sys, analysis as A\n"
            "sys.argv = ['analysis.cite', '--list']\n"
            "try:\n    runpy.run_module('analysis.cite', run_name='__main__', alter_sys=True)\n"
            "except SystemExit as e:\n    assert e.code == 0, e.code\n"
            "assert callable(A.cite) and A.cite.__module__ == 'analysis.workflow.cite', A.cite\n"
            "import analysis\nassert analysis.cite is A.cite\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)


def test_command_line_errors_and_list():
    assert C.main(["no_such_figure"]) == 2
    assert C.main(["--list"]) == 0


# --- --check --------------------------------------------------------------------------------------

def _figure_dir(tmp_path, name, rows, csv_text):
    folder = tmp_path / name
    write_manifest(folder, rows)
    for r in rows:
        (folder / f"{r['name']}.csv").write_text(csv_text, encoding="utf-8")
    return folder


def test_compare_names_what_differs(tmp_path):
    cited = _figure_dir(tmp_path, "cited", [row("f")], "term,n\n清零,3\n")
    same = _figure_dir(tmp_path, "same", [row("f")], "term,n\n清零,3\n")
    result = C.compare("f", cited, same)
    assert result.ok and not result.differing() and "matches the manifest" in str(result)
    other = _figure_dir(tmp_path, "other", [row("f", code_hash="0" * 16, data_hash="1" * 16)], "term,n\n清零,4\n")
    result = C.compare("f", cited, other)
    assert not result.ok and result.differing() == ["CSV", "data_hash", "code_hash"]
    text = str(result)
    assert "f.csv first differs at line 2: cited '清零,3', rebuilt '清零,4'" in text
    assert f"cited {'c' * 16} vs rebuilt {'0' * 16}: the notebook's source or the analysis/ code" in text
    missing = _figure_dir(tmp_path, "missing", [row("g")], "x\n")
    assert "did not make f" in str(C.compare("f", cited, missing))


@pytest.fixture(scope="module")
def rebuilt_01(tmp_path_factory):
    """Notebook 01 rebuilt once, as --check does."""
    out = tmp_path_factory.mktemp("rebuilt")
    res = C.rebuild("01_corpus_overview.ipynb", out)
    assert res.returncode == 0, res.stderr
    return out


def test_check_of_a_rebuild(rebuilt_01, tmp_path):
    name = "01_unit_lengths"
    cited = tmp_path / "cited"
    shutil.copytree(rebuilt_01, cited)
    assert C.compare(name, cited, rebuilt_01).ok
    # a changed input (here: the cited data hash) makes the check fail, naming it
    rows = read_manifest_rows(cited / "manifest.csv")
    for r in rows:
        if r["name"] == name:
            r["data_hash"] = "0" * 16
    write_manifest(cited, rows)
    result = C.compare(name, cited, rebuilt_01)
    assert not result.ok and result.differing() == ["data_hash"]


def test_check_against_the_committed_figure(rebuilt_01):
    from analysis.workflow.build import notebooks, plan

    [(nb, reason)] = plan(notebooks(["01_corpus_overview"]))
    if reason:
        pytest.skip(f"committed figures of 01 are stale ({reason}): tests/test_notebooks.py reports that")
    result = C.compare("01_unit_lengths", ROOT / "figures", rebuilt_01)
    assert result.ok, str(result)
