"""A committed figure's citation, and a check that it still rebuilds as cited.

``python -m analysis.cite 02_keyness_periods`` (or ``print(A.cite("02_keyness_periods"))``)
prints a citation of the figure in plain text and BibTeX (``--format csl``: CSL-JSON),
assembled from the figure's row in ``figures/manifest.csv`` and the repository:

* the software: title, authors and licence from ``CITATION.cff``; the version recorded in
  the row's ``packages`` column (``covid-discourse-analysis==…``); the commit that last
  changed the row (found by walking the history of ``figures/manifest.csv``, which
  automates the README's ``git log -S`` procedure); the repository URL from ``git remote``
  when it is a public address (credentials removed), else ``repository-code`` in
  ``CITATION.cff``;
* the figure: name, caption, notebook;
* the data it rests on: the documents of ``corpus.yml`` (their outlets and the row's
  ``data_hash``), and every external source pinned in the row's ``parameters``: any
  40-hex-digit value is a source commit, any ``*registry*`` key its registry hash.  A
  commit listed in :data:`SOURCES` is named with its repository, licence and the
  reference its licence asks for (e.g. Hale et al. 2021 for OxCGRT); another commit is
  still listed, as an external source pinned at that commit;
* the manifest hashes (data, lexicon, keywords, code), package versions and the SHA-256
  of the figure's files.

``--check`` rebuilds the figure's notebook into a temporary folder (``python -m
analysis.build --only NB --figures-dir TMP --force-outside --force``) and compares: the CSV
byte for byte and each manifest hash, naming what differs (PDF and PNG identity is
reported too, for information).
"""
from __future__ import annotations

import argparse
import csv
import difflib
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["cite", "Citation", "check", "compare", "CheckResult", "CiteError", "SOURCES", "main"]

from analysis.infra.provenance import DISTRIBUTION

ROOT = Path(__file__).resolve().parents[2]
#: Manifest columns compared by ``--check``, and what a difference means.
HASHES = {
    "data_hash": "the data (corpus.yml or a raw file) differs",
    "lexicon_hash": "the lexicon files differ",
    "keywords_hash": "the keyword file (or the term families, for a notebook that reads them) differs",
    "code_hash": "the notebook's source or the analysis/ code it imports differs",
    "packages": "package versions differ",
    "parameters": "the notebook's parameters differ",
}

HALE_2021 = {
    "type": "article-journal",
    "author": [{"family": f, "given": g} for f, g in [
        ("Hale", "Thomas"), ("Angrist", "Noam"), ("Goldszmidt", "Rafael"), ("Kira", "Beatriz"),
        ("Petherick", "Anna"), ("Phillips", "Toby"), ("Webster", "Samuel"), ("Cameron-Blake", "Emily"),
        ("Hallas", "Laura"), ("Majumdar", "Saptarshi"), ("Tatlow", "Helen")]],
    "title": "A global panel database of pandemic policies (Oxford COVID-19 Government Response Tracker)",
    "container-title": "Nature Human Behaviour", "volume": "5", "page": "529-538",
    "issued": {"date-parts": [[2021]]}, "DOI": "10.1038/s41562-021-01079-8",
}

#: External sources a figure can rest on, recognised by the commit recorded in its manifest
#: ``parameters``: repository, pinned commit, title, licence and the reference to cite.
SOURCES = [
    {"repository": "Felix-Jung/xin-wen-lian-bo", "commit": "023828c95ca6990c15bf3bedf8339954000ff34a",
     "title": "新闻联播 (CCTV evening news) daily transcripts", "licence": None, "reference": None},
    {"repository": "OxCGRT/covid-policy-dataset", "commit": "e7f66ee39654293b5c068efd2f195bd591dc27f6",
     "title": "Oxford COVID-19 Government Response Tracker (OxCGRT), China subnational indices",
     "licence": "CC BY 4.0", "reference": HALE_2021},
]

_HEX40 = re.compile(r"^[0-9a-f]{40}$")


class CiteError(ValueError):
    """A figure that cannot be cited (unknown name, manifest missing); the message says what exists."""


# --------------------------------------------------------------------------- git

def _git(*args, root=ROOT) -> str | None:
    """stdout of ``git -C root args`` (stripped), or None when git fails or is absent."""
    try:
        res = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except OSError:
        return None
    return res.stdout.decode("utf-8", "replace").strip() if res.returncode == 0 else None


def public_url(remote: str | None) -> str | None:
    """A browsable https address for a git remote, or None for a local path.

    ``git@host:owner/repo.git`` and ``ssh://git@host/owner/repo`` become
    ``https://host/owner/repo``; user names and tokens in an https address are removed.
    """
    if not remote:
        return None
    remote = remote.strip()
    m = re.match(r"^(?:ssh://)?[\w.-]+@([\w.-]+)[:/](.+?)(?:\.git)?/?$", remote)
    if m and not remote.startswith(("http://", "https://")):
        return f"https://{m.group(1)}/{m.group(2)}"
    m = re.match(r"^(https?)://(?:[^@/]+@)?([^/]+)/(.+?)(?:\.git)?/?$", remote)
    if m:
        return f"{m.group(1)}://{m.group(2)}/{m.group(3)}"
    return None


def _manifest_rows(text: str) -> dict[str, dict]:
    """Rows of a manifest's text by name, every column of the current layout present (a column
    that an older manifest lacks reads as ``""``, as :func:`read_manifest_rows` does)."""
    from analysis.infra.provenance import MANIFEST_COLUMNS

    return {r["name"]: {k: r.get(k) or "" for k in MANIFEST_COLUMNS}
            for r in csv.DictReader(io.StringIO(text, newline=""))}


def row_commit(name: str, row: dict, root=ROOT, manifest="figures/manifest.csv") -> tuple[str | None, str]:
    """The commit that last changed figure ``name``'s manifest row.

    Walks the commits that touched ``manifest`` (newest first) while the row equals
    ``row``; the last of that run is where the row got its current content.

    Returns
    -------
    (str or None, str)
        The full commit hash (None if not found) and a note when there is none (not a
        git checkout, the row not committed yet).
    """
    head = _git("show", f"HEAD:{manifest}", root=root)
    if head is None:
        return None, "not a git checkout (or the manifest is not committed): no commit to cite"
    row = {k: row.get(k) or "" for k in row}
    if _manifest_rows(head + "\n").get(name) != row:
        return None, (f"the manifest row of {name} differs from the committed one (figures made "
                      f"since the last commit): commit figures/ first, then cite the new commit")
    commits = (_git("log", "--format=%H", "--", manifest, root=root) or "").split()
    found = None
    for c in commits:
        text = _git("show", f"{c}:{manifest}", root=root)
        if text is None or _manifest_rows(text + "\n").get(name) != row:
            break
        found = c
    return found, "" if found else "the row's commit was not found in the history"


# --------------------------------------------------------------------------- the citation

@dataclass
class Citation:
    """Everything a figure's citation holds; ``str()`` is the plain-text citation.

    Use :meth:`format` for ``"text"``, ``"bibtex"`` or ``"csl"`` (CSL-JSON, a str) and
    :meth:`csl` for the CSL-JSON items as Python objects.
    """

    figure: str
    caption: str
    notebook: str
    parameters: dict
    hashes: dict
    packages: str
    version: str
    commit: str | None
    date: str | None
    title: str
    authors: list
    licence: str | None
    url: str | None
    doi: str | None
    documents: dict
    files: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    # ---- plain text
    def _author_text(self) -> str:
        names = []
        for a in self.authors:
            if "name" in a:
                names.append(a["name"])
            else:
                given = " ".join(f"{p[0]}." for p in str(a.get("given-names", "")).split())
                names.append(f"{a.get('family-names', '')}, {given}".strip(", "))
        return "; ".join(names)

    def text(self) -> str:
        year = self.date[:4] if self.date else "n.d."
        commit = f", commit {self.commit[:12]}" if self.commit else ""
        lines = [f"{self._author_text()} ({year}). {self.title} (version {self.version}{commit}) "
                 f"[software]." + (f" {self.url}" if self.url else "")
                 + (f" doi:{self.doi}" if self.doi else ""),
                 f"Figure {self.figure}: {self.caption} (notebook {self.notebook}).", "", "Data:"]
        d = self.documents
        if d:
            lines.append(f"  - {d['n_documents']} news documents listed in {d['manifest']} "
                         f"(outlets: {', '.join(d['outlets'])}); data_hash {self.hashes['data_hash']}")
        for s in self.sources:
            what = s["title"] or "external source"
            where = f"{s['repository']} at commit {s['commit']}" if s["repository"] else f"commit {s['commit']}"
            reg = f", registry hash {s['registry_hash']}" if s.get("registry_hash") else ""
            regfile = f" ({s['registry_file']})" if s.get("registry_file") else ""
            lic = f"; licence {s['licence']}" if s.get("licence") else ""
            lines.append(f"  - {what}, {where}{reg}{regfile}{lic}")
            if s.get("reference"):
                lines.append(f"    cite: {_reference_text(s['reference'])}")
        for k, v in self.parameters.items():
            if "registry" in k and not any(s.get("registry_key") == k for s in self.sources):
                lines.append(f"  - registry hash {v} (parameter {k})")
        lines += ["", "Manifest: " + ", ".join(f"{k} {v}" for k, v in self.hashes.items()),
                  f"Packages: {self.packages}"]
        if self.files:
            lines.append("Files (SHA-256): " + ", ".join(f"{f} {h}" for f, h in self.files.items()))
        if self.commit:
            lines.append(f"Reproduce: git checkout {self.commit[:12]} && python -m analysis.cite "
                         f"{self.figure} --check")
        lines += [f"Note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    # ---- BibTeX
    def _key(self) -> str:
        year = self.date[:4] if self.date else "nd"
        return f"covid_discourse_{year}_{re.sub(r'[^A-Za-z0-9]', '_', self.figure)}"

    def bibtex(self) -> str:
        note = (f"Figure {self.figure}: {self.caption}. Notebook {self.notebook}"
                + (f", commit {self.commit}" if self.commit else "") + ". Manifest "
                + ", ".join(f"{k} {v}" for k, v in self.hashes.items()) + ".")
        fields = [("author", "{" + _tex(self._author_text()) + "}" if len(self.authors) == 1
                   and "name" in self.authors[0] else _tex(self._bib_authors())),
                  ("title", "{" + _tex(self.title) + "}"),
                  ("year", self.date[:4] if self.date else None),
                  ("version", _tex(self.version)),
                  ("howpublished", "Software" + (f", commit {self.commit[:12]}" if self.commit else "")),
                  ("url", self.url), ("doi", self.doi), ("note", _tex(note))]
        out = [_bib_entry("misc", self._key(), fields)]
        for i, s in enumerate(self.sources):
            out.append(_bib_entry("misc", f"{self._key()}_source{i + 1}", [
                ("title", "{" + _tex(s["title"] or "External source") + "}"),
                ("howpublished", _tex(f"{s['repository']}, commit {s['commit']}" if s["repository"]
                                      else f"commit {s['commit']}")),
                ("url", f"https://github.com/{s['repository']}/tree/{s['commit']}" if s["repository"] else None),
                ("note", _tex("; ".join(x for x in [
                    f"registry hash {s['registry_hash']}" if s.get("registry_hash") else "",
                    f"licence {s['licence']}" if s.get("licence") else ""] if x)) or None)]))
            ref = s.get("reference")
            if ref:
                out.append(_bib_entry("article", _csl_id(ref), [
                    ("author", " and ".join(f"{_tex(a['family'])}, {_tex(a['given'])}" for a in ref["author"])),
                    ("title", "{" + _tex(ref["title"]) + "}"), ("journal", _tex(ref["container-title"])),
                    ("volume", ref.get("volume")), ("pages", (ref.get("page") or "").replace("-", "--") or None),
                    ("year", str(ref["issued"]["date-parts"][0][0])), ("doi", ref.get("DOI"))]))
        return "\n\n".join(out) + "\n"

    def _bib_authors(self) -> str:
        return " and ".join(a["name"] if "name" in a else f"{a.get('family-names', '')}, {a.get('given-names', '')}"
                            for a in self.authors)

    # ---- CSL-JSON
    def csl(self) -> list[dict]:
        """CSL-JSON items: the software (with the figure in ``note``), then each source."""
        authors = [{"literal": a["name"]} if "name" in a else
                   {"family": a.get("family-names", ""), "given": a.get("given-names", "")} for a in self.authors]
        item = {"id": self._key(), "type": "software", "title": self.title, "author": authors,
                "version": self.version,
                "note": (f"Figure {self.figure}: {self.caption}. Notebook {self.notebook}"
                         + (f", commit {self.commit}" if self.commit else "") + ". Manifest "
                         + ", ".join(f"{k} {v}" for k, v in self.hashes.items()) + ".")}
        if self.date:
            item["issued"] = {"date-parts": [[int(p) for p in self.date.split("-")]]}
        if self.url:
            item["URL"] = self.url
        if self.doi:
            item["DOI"] = self.doi
        items = [item]
        for i, s in enumerate(self.sources):
            ds = {"id": f"{self._key()}_source{i + 1}", "type": "dataset",
                  "title": s["title"] or "External source", "version": s["commit"],
                  "note": "; ".join(x for x in [f"registry hash {s['registry_hash']}" if s.get("registry_hash")
                                                else "", f"licence {s['licence']}" if s.get("licence") else ""] if x)}
            if s["repository"]:
                ds["URL"] = f"https://github.com/{s['repository']}/tree/{s['commit']}"
            items.append(ds)
            if s.get("reference"):
                items.append({"id": _csl_id(s["reference"]), **s["reference"]})
        return items

    def format(self, fmt: str = "text") -> str:
        """The citation as ``"text"``, ``"bibtex"`` or ``"csl"`` (CSL-JSON)."""
        if fmt == "text":
            return self.text()
        if fmt == "bibtex":
            return self.bibtex()
        if fmt == "csl":
            return json.dumps(self.csl(), ensure_ascii=False, indent=2) + "\n"
        raise ValueError(f"format {fmt!r}: use 'text', 'bibtex' or 'csl'")


def _reference_text(ref: dict) -> str:
    first = ref["author"][0]
    authors = f"{first['family']}, {first['given'][0]}." + (" et al." if len(ref["author"]) > 1 else "")
    return (f"{authors} ({ref['issued']['date-parts'][0][0]}). {ref['title']}. {ref['container-title']} "
            f"{ref.get('volume', '')}, {ref.get('page', '')}. doi:{ref['DOI']}")


def _csl_id(ref: dict) -> str:
    return f"{ref['author'][0]['family'].lower()}{ref['issued']['date-parts'][0][0]}"


_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "%": r"\%", "&": r"\&",
        "#": r"\#", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _tex(s: str) -> str:
    """``s`` with the characters special to (Bib)TeX escaped."""
    return "".join(_TEX.get(ch, ch) for ch in str(s))


def _bib_entry(kind: str, key: str, fields) -> str:
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
    return f"@{kind}{{{key},\n{body}\n}}"


def _read_cff(root) -> dict:
    from analysis.infra.safe_yaml import load_yaml_safely

    path = Path(root) / "CITATION.cff"
    return load_yaml_safely(path, "citation file", error=CiteError) if path.is_file() else {}


def _documents(data_dir: Path, root: Path) -> dict:
    """Number of documents and their outlets (in manifest order) from ``corpus.yml``."""
    from analysis.infra.safe_yaml import load_yaml_safely

    path = data_dir / "corpus.yml"
    if not path.is_file():
        return {}
    manifest = load_yaml_safely(path, "manifest", error=CiteError) or {}
    docs = manifest.get("documents") or []
    outlets = []
    for d in docs:
        for o in [d.get("outlet"), *[u.get("outlet") for u in d.get("units") or []]]:
            if o and o not in outlets:
                outlets.append(str(o))
    try:
        shown = str(path.relative_to(root))
    except ValueError:
        shown = str(path)
    return {"n_documents": len(docs), "outlets": outlets, "manifest": shown}


def _sources(params: dict, root: Path) -> list[dict]:
    """External sources pinned in a manifest row's parameters (see the module docstring).

    Each 40-hex-digit value is a source commit.  A ``*registry*`` value belongs to it when
    it is the SHA-256 of the committed registry file named with that commit
    (``data/sources/*<commit>*``), else when the keys share a prefix (``policy_commit``,
    ``policy_registry_hash``), else when one commit and one registry hash are left."""
    commits = [(k, v) for k, v in params.items() if isinstance(v, str) and _HEX40.match(v)]
    registries = [(k, v) for k, v in params.items() if "registry" in k and isinstance(v, str)]

    def prefix(k):
        return re.sub(r"_?(registry_hash|registry|commit|repository)$", "", k)

    out, free = [], list(registries)
    for key, commit in commits:
        known = next((s for s in SOURCES if s["commit"] == commit), None)
        repo_key = next((k for k in params if k.endswith("repository") and prefix(k) == prefix(key)), None)
        out.append({"commit": commit, "commit_key": key,
                    "repository": known["repository"] if known else params.get(repo_key) if repo_key else None,
                    "title": known["title"] if known else None,
                    "licence": known["licence"] if known else None,
                    "reference": known["reference"] if known else None})
    files = {}
    for entry in out:
        for f in sorted((root / "data" / "sources").glob(f"*{entry['commit']}*")):
            files[hashlib.sha256(f.read_bytes()).hexdigest()] = (entry, f)

    def attach(entry, reg, file=None):
        entry["registry_key"], entry["registry_hash"] = reg
        if file is not None:
            entry["registry_file"] = str(file.relative_to(root))
        free.remove(reg)

    for reg in list(free):
        if reg[1] in files and "registry_hash" not in files[reg[1]][0]:
            attach(*files[reg[1]][:1], reg, files[reg[1]][1])
    for entry in out:
        mine = [r for r in free if prefix(r[0]) == prefix(entry["commit_key"])]
        if "registry_hash" not in entry and mine:
            attach(entry, mine[0])
    left = [e for e in out if "registry_hash" not in e]
    if len(left) == 1 and len(free) == 1:
        attach(left[0], free[0])
    return out


def _version(packages: str) -> str | None:
    m = re.search(rf"(?:^|\s){re.escape(DISTRIBUTION)}==(\S+)", packages)
    return m.group(1) if m else None


def _find_row(name: str, figures_dir: Path) -> dict:
    from analysis.infra.provenance import ManifestError, read_manifest_rows

    manifest = figures_dir / "manifest.csv"
    try:
        rows = {r["name"]: r for r in read_manifest_rows(manifest)}
    except ManifestError as e:
        raise CiteError(str(e)) from None
    if not rows:
        raise CiteError(f"no figures recorded in {manifest}: run `make figures` first")
    if name not in rows:
        close = difflib.get_close_matches(name, rows, n=3)
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        raise CiteError(f"unknown figure {name!r}.{hint} The figures in {manifest} are: "
                        + ", ".join(sorted(rows)))
    return rows[name]


def cite(name: str, *, figures_dir=None, root=None) -> Citation:
    """The citation of a committed figure.

    Parameters
    ----------
    name : str
        Figure name as in ``figures/manifest.csv`` (e.g. ``"02_keyness_periods"``;
        ``.pdf``/``.png``/``.csv`` suffixes are ignored).
    figures_dir : path, optional
        Folder of the figures and ``manifest.csv`` (default ``<root>/figures``).
    root : path, optional
        The repository (default: the one this package is in).

    Returns
    -------
    Citation
        ``print()`` it for the plain-text citation; ``.format("bibtex")``,
        ``.format("csl")`` for the others.

    Raises
    ------
    CiteError
        Unknown figure (the message lists the figures), no or corrupt manifest.
    """
    root = Path(root or ROOT)
    figures_dir = Path(figures_dir) if figures_dir else root / "figures"
    name = re.sub(r"\.(pdf|png|csv)$", "", name)
    row = _find_row(name, figures_dir)
    params = json.loads(row["parameters"] or "{}")
    cff = _read_cff(root)
    notes = []
    try:
        rel = str((figures_dir / "manifest.csv").resolve().relative_to(root.resolve()))
        commit, why = row_commit(name, row, root, rel)
    except ValueError:
        commit, why = None, f"{figures_dir} is outside the repository: no commit to cite"
    if why:
        notes.append(why)
    if commit:
        dirty = _git("status", "--porcelain", "--", *[f"{Path(rel).parent}/{f}" for f in row["files"].split()],
                     root=root)
        if dirty:
            notes.append("the figure files differ from the committed ones: " + " ".join(
                ln.split(None, 1)[1] for ln in dirty.splitlines()))
    version = _version(row["packages"])
    if version is None:
        from analysis import __version__

        version = __version__
        notes.append(f"this manifest row predates version recording; {version} is the checkout's version")
    remote = None
    names = (_git("remote", root=root) or "").split()
    for r in (["origin"] if "origin" in names else []) + [n for n in names if n != "origin"]:
        remote = public_url(_git("remote", "get-url", r, root=root))
        if remote:
            break
    data_dir = Path(params["data_dir"]) if params.get("data_dir") else root / "data"
    return Citation(
        figure=name, caption=row["caption"], notebook=row["notebook"], parameters=params,
        hashes={k: row[k] for k in ("data_hash", "lexicon_hash", "keywords_hash", "code_hash")},
        packages=row["packages"], version=version, commit=commit,
        date=_git("show", "-s", "--format=%cs", commit, root=root) if commit else
        (str(cff["date-released"]) if cff.get("date-released") else None),
        title=cff.get("title", DISTRIBUTION), authors=cff.get("authors") or [{"name": DISTRIBUTION}],
        licence=cff.get("license"), url=remote or cff.get("repository-code"), doi=cff.get("doi"),
        documents=_documents(data_dir, root), sources=_sources(params, root), notes=notes,
        files=dict(zip(row["files"].split(), (row.get("sha256") or "").split())))


# --------------------------------------------------------------------------- --check

@dataclass
class CheckResult:
    """Outcome of :func:`check`: ``ok`` when the CSV and every manifest hash match.

    ``items`` are ``(what, same, detail)``; ``info`` the PDF/PNG comparison."""

    figure: str
    ok: bool
    items: list
    info: list = field(default_factory=list)
    error: str | None = None

    def differing(self) -> list[str]:
        return [what for what, same, _ in self.items if not same]

    def __str__(self) -> str:
        if self.error:
            return f"{self.figure}: NOT CHECKED: {self.error}"
        head = (f"{self.figure}: rebuilt figure matches the manifest (CSV byte-identical, hashes equal)"
                if self.ok else f"{self.figure}: DIFFERS from the manifest in {', '.join(self.differing())}")
        lines = [head] + [f"  {'same   ' if same else 'DIFFERS'} {what}: {detail}" for what, same, detail in self.items]
        lines += [f"  info    {what}: {detail}" for what, detail in self.info]
        return "\n".join(lines)

    __repr__ = __str__


def compare(name: str, cited_dir, rebuilt_dir) -> CheckResult:
    """Compare figure ``name`` in ``cited_dir`` (its CSV and manifest row) with a rebuild in
    ``rebuilt_dir``.

    Returns
    -------
    CheckResult
        ``ok`` is True when the CSV bytes and every column of :data:`HASHES` are equal.
    """
    cited_dir, rebuilt_dir = Path(cited_dir), Path(rebuilt_dir)
    cited = _find_row(name, cited_dir)
    try:
        rebuilt = _find_row(name, rebuilt_dir)
    except CiteError:
        return CheckResult(name, False, [], error=f"the rebuild did not make {name}")
    items = []
    a, b = (cited_dir / f"{name}.csv"), (rebuilt_dir / f"{name}.csv")
    if not a.is_file():
        items.append(("CSV", False, f"{a} is missing"))
    elif a.read_bytes() == b.read_bytes():
        items.append(("CSV", True, f"{name}.csv byte-identical"))
    else:
        la, lb = a.read_text(encoding="utf-8").splitlines(), b.read_text(encoding="utf-8").splitlines()
        n = next((i for i, (x, y) in enumerate(zip(la, lb)) if x != y), min(len(la), len(lb)))
        items.append(("CSV", False, f"{name}.csv first differs at line {n + 1}: cited "
                                    f"{(la[n] if n < len(la) else '<end>')!r}, rebuilt "
                                    f"{(lb[n] if n < len(lb) else '<end>')!r}"))
    for col, meaning in HASHES.items():
        if cited[col] == rebuilt[col]:
            items.append((col, True, cited[col] if col != "parameters" else "equal"))
        else:
            items.append((col, False, f"cited {cited[col]} vs rebuilt {rebuilt[col]}: {meaning}"))
    info = []
    for ext in ("pdf", "png"):
        pa, pb = cited_dir / f"{name}.{ext}", rebuilt_dir / f"{name}.{ext}"
        same = pa.is_file() and pb.is_file() and pa.read_bytes() == pb.read_bytes()
        info.append((ext.upper(), "byte-identical" if same else "differs (or missing)"))
    return CheckResult(name, all(s for _, s, _ in items), items, info)


def rebuild(notebook: str, out_dir, root=None) -> subprocess.CompletedProcess:
    """Run ``notebook`` (``make figures`` for one notebook) with figures going to ``out_dir``."""
    root = Path(root or ROOT)
    env = dict(os.environ)
    from analysis.sources.broadcast import COMMIT, MIRROR_ENV

    mirror = root.parent / "shared" / "mirror" / "Felix-Jung" / "xin-wen-lian-bo" / COMMIT
    if MIRROR_ENV not in env and mirror.is_dir():  # as the Makefile does
        env[MIRROR_ENV] = str(mirror)
    cmd = [sys.executable, "-m", "analysis.build", "--only", Path(notebook).stem,
           "--figures-dir", str(out_dir), "--force-outside", "--force", "--jobs", "1"]
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)


def check(name: str, *, figures_dir=None, root=None, log=print) -> CheckResult:
    """Rebuild figure ``name``'s notebook into a temporary folder and :func:`compare`.

    Parameters
    ----------
    name : str
        The figure.
    figures_dir : path, optional
        Where the cited figure and manifest are (default ``<root>/figures``).
    log : callable
        Progress messages.
    """
    root = Path(root or ROOT)
    figures_dir = Path(figures_dir) if figures_dir else root / "figures"
    name = re.sub(r"\.(pdf|png|csv)$", "", name)
    row = _find_row(name, figures_dir)
    with tempfile.TemporaryDirectory(prefix="cite-check-") as tmp:
        log(f"rebuilding {row['notebook']} into a temporary folder (as `make figures` would) ...")
        res = rebuild(row["notebook"], tmp, root)
        if res.returncode != 0:
            return CheckResult(name, False, [], error=f"the rebuild failed: {(res.stderr or res.stdout).strip()}")
        result = compare(name, figures_dir, tmp)
        if result.error:
            result.error += f" (build output: {' '.join(res.stdout.split()[-30:])})"
        return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.cite",
                                 description="Citation of a committed figure (plain text and BibTeX by default).")
    ap.add_argument("figure", nargs="?", help="figure name, e.g. 02_keyness_periods")
    ap.add_argument("--format", choices=["text", "bibtex", "csl"], action="append",
                    help="output format (repeatable; default: text and bibtex)")
    ap.add_argument("--check", action="store_true",
                    help="rebuild the figure's notebook into a temporary folder and compare CSV and hashes")
    ap.add_argument("--figures-dir", help="folder of the figures and manifest.csv (default figures/)")
    ap.add_argument("--list", action="store_true", help="list the figures that can be cited")
    args = ap.parse_args(argv)
    try:
        if args.list or not args.figure:
            figures_dir = Path(args.figures_dir) if args.figures_dir else ROOT / "figures"
            from analysis.infra.provenance import read_manifest_rows

            names = sorted(r["name"] for r in read_manifest_rows(figures_dir / "manifest.csv"))
            if not args.list:
                ap.print_usage(sys.stderr)
                print("name a figure: " + ", ".join(names), file=sys.stderr)
                return 2
            print("\n".join(names))
            return 0
        citation = cite(args.figure, figures_dir=args.figures_dir)
        for i, fmt in enumerate(args.format or ["text", "bibtex"]):
            print(("\n" if i else "") + citation.format(fmt).rstrip("\n"))
        if args.check:
            result = check(args.figure, figures_dir=args.figures_dir,
                           log=lambda m: print(m, file=sys.stderr))
            print("\n" + str(result))
            return 0 if result.ok else 1
    except CiteError as e:
        print(f"cite: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
