"""What a figure depends on, as hashes: recorded in ``figures/manifest.csv`` by
:func:`analysis.save_figure` and recomputed by ``make figures`` to skip notebooks
whose inputs did not change.

Inputs of a notebook
--------------------
* **data**: ``corpus.yml`` and ``raw/*`` of the data folder it read
  (:func:`analysis.corpus.data_fingerprint`);
* **lexicon**: ``lexicon/*.txt``;
* **keywords**: the keyword file, only for notebooks that use :mod:`analysis.keywords`
  (otherwise recorded as ``-``);
* **code**: the notebook's *source* (cell types and sources: not outputs, execution
  counts or metadata, so a JupyterLab Run All or autosave changes nothing) and the
  ``analysis/`` modules it imports, found statically: the names it uses
  (``A.load_corpus``, ``from analysis.interactive import ...``) mapped to modules by
  ``analysis._EXPORTS``, then every intra-package import of those modules (also those
  inside functions), transitively.
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

__all__ = ["notebook_source", "notebook_modules", "code_hash", "hash_files", "data_hash",
           "input_hashes", "packages_line", "ManifestError", "MANIFEST_COLUMNS", "read_manifest_rows"]

PACKAGE = Path(__file__).resolve().parent
DATA = PACKAGE.parent / "data"

#: Columns of ``figures/manifest.csv``.
MANIFEST_COLUMNS = ["name", "caption", "notebook", "parameters", "data_hash", "lexicon_hash",
                    "keywords_hash", "code_hash", "packages", "files"]
#: Packages whose versions shape the figures (recorded in the manifest).
PACKAGES = ["matplotlib", "pandas", "numpy", "scikit-learn", "scipy", "jieba", "wordcloud",
            "noto-cjk-sans-otc"]


class ManifestError(ValueError):
    """``figures/manifest.csv`` is corrupt (the message names the file, line and fix);
    it is never rewritten while corrupt."""


def read_manifest_rows(path) -> list[dict]:
    """Rows of a manifest file as dicts of strings (``[]`` if there is no file).

    Raises
    ------
    ManifestError
        Conflict markers, a truncated or damaged row, or other columns than
        :data:`MANIFEST_COLUMNS` (naming the file and line).
    """
    import csv
    import io

    path = Path(path)
    if not path.is_file():
        return []
    text = path.read_bytes().decode("utf-8")
    fix = (f"fix or restore it (e.g. `git checkout -- {path.name}` in its folder, "
           f"then `make figures`)")
    for n, line in enumerate(text.splitlines(), 1):
        if re.match(r"^(<{7}|={7}|>{7}|\|{7})( |$)", line):
            raise ManifestError(f"{path}, line {n}: merge conflict marker {line[:7]!r}; {fix}")
    if text and not text.endswith("\n"):
        raise ManifestError(f"{path}: the last line is incomplete (truncated file?); {fix}")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        header = next(reader, None)
        if header != MANIFEST_COLUMNS:
            raise ManifestError(f"{path}, line 1: columns {header} are not the manifest's "
                                f"{MANIFEST_COLUMNS}; {fix}")
        for row in reader:
            if len(row) != len(MANIFEST_COLUMNS):
                raise ManifestError(f"{path}, line {reader.line_num}: {len(row)} fields instead of "
                                    f"{len(MANIFEST_COLUMNS)} (truncated or damaged row); {fix}")
            rows.append(dict(zip(MANIFEST_COLUMNS, row)))
    except csv.Error as e:
        raise ManifestError(f"{path}, line {reader.line_num}: {e}; {fix}") from None
    return rows


def data_hash(data_dir=None) -> str:
    """SHA-256 (first 16 hex digits) of ``corpus.yml`` and every raw file; the same
    value as :func:`analysis.corpus.data_fingerprint` (without importing pandas)."""
    data_dir = Path(data_dir) if data_dir is not None else DATA
    h = hashlib.sha256()
    for p in [data_dir / "corpus.yml", *sorted((data_dir / "raw").glob("*"))]:
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def packages_line() -> str:
    """Versions of :data:`PACKAGES`, as recorded in the manifest."""
    from importlib.metadata import version

    return " ".join(f"{p}=={version(p)}" for p in PACKAGES)


def input_hashes(notebook, data_dir=None, keywords_path=None) -> dict:
    """The manifest's input hashes for a figure made by ``notebook``: ``data_hash``,
    ``lexicon_hash``, ``keywords_hash`` (``-`` if the notebook does not use
    :mod:`analysis.keywords`), ``code_hash``.

    Parameters
    ----------
    notebook : str or path
        Notebook file; looked up as given (a kernel runs in the notebook's folder),
        then in the repository's ``notebooks/``.
    data_dir : path, optional
        The data folder the notebook read (default: the repository's ``data/``).
    keywords_path : path, optional
        The keyword file it read (default: ``<data_dir>/keywords.yml``).
    """
    data_dir = Path(data_dir) if data_dir is not None else DATA
    nb = Path(notebook)
    if not nb.is_file():
        nb = PACKAGE.parent / "notebooks" / Path(notebook).name
    lexicon = data_dir / "lexicon" if (data_dir / "lexicon").is_dir() else DATA / "lexicon"
    uses_keywords = not nb.is_file() or "keywords.py" in notebook_modules(nb)
    kw = Path(keywords_path) if keywords_path else data_dir / "keywords.yml"
    return {
        "data_hash": data_hash(data_dir),
        "lexicon_hash": hash_files(lexicon.glob("*.txt")),
        "keywords_hash": hash_files([kw]) if uses_keywords and kw.is_file() else "-",
        "code_hash": code_hash(nb),
    }


def hash_files(paths) -> str:
    """SHA-256 (first 16 hex digits) over the names and bytes of ``paths`` (sorted by name)."""
    h = hashlib.sha256()
    for p in sorted(map(Path, paths), key=lambda p: p.name):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def notebook_source(path) -> bytes:
    """The part of a notebook that is code and text: each cell's type and source.

    Outputs, execution counts, cell ids and metadata are left out, so running or
    autosaving a notebook does not change it.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    cells = [[c.get("cell_type", ""), "".join(c.get("source", ""))] for c in nb.get("cells", [])]
    return json.dumps(cells, ensure_ascii=False).encode("utf-8")


def _parse(src: str) -> ast.AST:
    # IPython magics and shell escapes are not Python
    src = "\n".join("" if re.match(r"\s*[%!]", ln) else ln for ln in src.splitlines())
    try:
        return ast.parse(src)
    except SyntaxError:
        return ast.parse("")


def _imported(tree: ast.AST, package_level: bool) -> tuple[set[str], set[str]]:
    """(modules imported from the package, aliases bound to the package itself)."""
    mods, aliases = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level == 1 and package_level:
                if base:
                    mods.add(base.split(".")[0])
                else:
                    mods.update(a.name for a in node.names)
            elif node.level == 0 and (base == "analysis" or base.startswith("analysis.")):
                if base == "analysis":
                    mods.update("@" + a.name for a in node.names)  # a name, resolved later
                else:
                    mods.add(base.split(".")[1])
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "analysis":
                    aliases.add(a.asname or "analysis")
                elif a.name.startswith("analysis."):
                    mods.add(a.name.split(".")[1])
                    if a.asname is None:
                        aliases.add("analysis")
    return mods, aliases


def notebook_modules(path) -> list[str]:
    """File names of the ``analysis/`` modules a notebook uses (static, transitive).

    ``__init__.py`` is always included (it maps names to modules).
    """
    from . import _EXPORTS

    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    src = "\n".join("".join(c.get("source", "")) for c in nb.get("cells", []) if c.get("cell_type") == "code")
    tree = _parse(src)
    mods, aliases = _imported(tree, package_level=False)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            mods.add("@" + node.attr)
    todo = set()
    for m in mods:
        if m.startswith("@"):
            name = m[1:]
            if name in _EXPORTS:
                todo.add(_EXPORTS[name])
            elif (PACKAGE / f"{name}.py").is_file():
                todo.add(name)
        else:
            todo.add(m)
    seen: set[str] = set()
    files: set[str] = set()
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        f = PACKAGE / f"{m}.py"
        if f.is_file():
            seen.add(m)
            files.add(f"{m}.py")
            sub, _ = _imported(ast.parse(f.read_text(encoding="utf-8")), package_level=True)
            todo |= {s for s in sub if not s.startswith("@")} - seen
        elif (PACKAGE / m / "__init__.py").is_file():
            # a subpackage (analysis/sources/): all its modules, and what they import from analysis/
            seen.add(m)
            for g in sorted((PACKAGE / m).glob("*.py")):
                files.add(f"{m}/{g.name}")
                todo |= _parent_imports(ast.parse(g.read_text(encoding="utf-8"))) - seen
    return ["__init__.py", *sorted(files)]


def _parent_imports(tree: ast.AST) -> set[str]:
    """Modules of ``analysis/`` imported by a module of a subpackage (``from ..corpus import``)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 2:
            out.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("analysis."):
            out.add(node.module.split(".")[1])
    return out


def code_hash(notebook) -> str:
    """Hash of a notebook's source (:func:`notebook_source`) and of the ``analysis/``
    modules it uses (:func:`notebook_modules`); all of ``analysis/`` if the notebook
    file is not found."""
    h = hashlib.sha256()
    nb = Path(notebook)
    if nb.is_file():
        h.update(b"notebook\0" + notebook_source(nb))
        files = [PACKAGE / m for m in notebook_modules(nb)]
    else:
        files = sorted(PACKAGE.glob("*.py"))
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]
