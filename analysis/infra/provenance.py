"""What a figure depends on, as hashes: recorded in ``figures/manifest.csv`` by
:func:`analysis.save_figure` and recomputed by ``make figures`` to skip notebooks
whose inputs did not change.

Inputs of a notebook
--------------------
* **data**: ``corpus.yml`` and ``raw/*`` of the data folder it read
  (:func:`analysis.ingest.corpus.data_fingerprint`);
* **lexicon**: ``lexicon/*.txt``;
* **keywords**: the keyword file, only for notebooks that use :mod:`analysis.measures.keywords`
  (otherwise recorded as ``-``), together with the pre-declared term families
  (``families.yml``) for notebooks that call ``load_families``: editing a family after the
  fact must mark the figures tested with it stale;
* **code**: the notebook's *source* (cell types and sources: not outputs, execution
  counts or metadata, so a JupyterLab Run All or autosave changes nothing) and the
  ``analysis/`` modules it imports, found statically: the names it uses
  (``A.load_corpus``, ``from analysis.workflow.interactive import ...``) mapped to modules by
  ``analysis._api._EXPORTS``, then every intra-package import of those modules (also those
  inside functions), transitively.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
import re
from pathlib import Path

__all__ = ["notebook_source", "notebook_modules", "code_hash", "hash_files", "data_hash",
           "input_hashes", "reads_families", "packages_line", "ManifestError", "MANIFEST_COLUMNS", "read_manifest_rows"]

PACKAGE = Path(__file__).resolve().parent.parent
DATA = PACKAGE.parent / "data"

#: Columns of ``figures/manifest.csv``.
MANIFEST_COLUMNS = ["name", "caption", "notebook", "parameters", "data_hash", "lexicon_hash",
                    "keywords_hash", "code_hash", "packages", "files", "sha256",
                    "print_width", "print_scale", "min_text_pt", "print_height_in", "print_problems"]
#: Columns written by the print-size check (:mod:`analysis.figures.printcheck`).
PRINT_COLUMNS = MANIFEST_COLUMNS[11:]
#: Column lists of older manifests, read with the later columns empty: before the print-size
#: check, and before the files' SHA-256 were recorded.
_LEGACY = [MANIFEST_COLUMNS[:11], MANIFEST_COLUMNS[:10]]
#: This package's distribution name (pyproject.toml), as recorded in the manifest's ``packages``.
DISTRIBUTION = "covid-discourse-analysis"
#: Packages whose versions shape the figures (recorded in the manifest).
PACKAGES = ["matplotlib", "pandas", "numpy", "scikit-learn", "scipy", "jieba", "wordcloud",
            "noto-cjk-sans-otc"]


class ManifestError(ValueError):
    """``figures/manifest.csv`` is corrupt (the message names the file, line and fix);
    it is never rewritten while corrupt."""


def read_manifest_rows(path) -> list[dict]:
    """Rows of a manifest file as dicts of strings (``[]`` if there is no file).

    A manifest written before the ``sha256`` column or the print-size columns existed is read
    with those columns empty (the next save writes them).

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
        if header != MANIFEST_COLUMNS and header not in _LEGACY:
            raise ManifestError(f"{path}, line 1: columns {header} are not the manifest's "
                                f"{MANIFEST_COLUMNS}; {fix}")
        for row in reader:
            if len(row) != len(header):
                raise ManifestError(f"{path}, line {reader.line_num}: {len(row)} fields instead of "
                                    f"{len(header)} (truncated or damaged row); {fix}")
            rows.append({**dict.fromkeys(MANIFEST_COLUMNS, ""), **dict(zip(header, row))})
    except csv.Error as e:
        raise ManifestError(f"{path}, line {reader.line_num}: {e}; {fix}") from None
    return rows


def data_hash(data_dir=None) -> str:
    """SHA-256 (first 16 hex digits) of ``corpus.yml`` and every raw file; the same
    value as :func:`analysis.ingest.corpus.data_fingerprint` (without importing pandas)."""
    data_dir = Path(data_dir) if data_dir is not None else DATA
    h = hashlib.sha256()
    for p in [data_dir / "corpus.yml", *sorted((data_dir / "raw").glob("*"))]:
        if p.is_file():
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def packages_line() -> str:
    """Versions recorded in the manifest: this package's own (``analysis.__version__``,
    as ``covid-discourse-analysis==X``), then those of :data:`PACKAGES`."""
    from importlib.metadata import version

    from analysis import __version__

    return " ".join([f"{DISTRIBUTION}=={__version__}", *(f"{p}=={version(p)}" for p in PACKAGES)])


def input_hashes(notebook, data_dir=None, keywords_path=None) -> dict:
    """The manifest's input hashes for a figure made by ``notebook``: ``data_hash``,
    ``lexicon_hash``, ``keywords_hash`` (``-`` if the notebook does not use
    :mod:`analysis.measures.keywords`; over the keyword file and ``families.yml`` if it reads
    the pre-declared families, :func:`reads_families`), ``code_hash``.

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
    uses_keywords = not nb.is_file() or "measures/keywords.py" in notebook_modules(nb)
    kw = Path(keywords_path) if keywords_path else data_dir / "keywords.yml"
    keyword_files = [kw] if kw.is_file() else []
    if nb.is_file() and reads_families(nb):
        fam = data_dir / "families.yml" if (data_dir / "families.yml").is_file() else DATA / "families.yml"
        keyword_files += [fam] if fam.is_file() else []
    return {
        "data_hash": data_hash(data_dir),
        "lexicon_hash": hash_files(lexicon.glob("*.txt")),
        "keywords_hash": hash_files(keyword_files) if uses_keywords and keyword_files else "-",
        "code_hash": code_hash(nb),
    }


def reads_families(path) -> bool:
    """Whether a notebook's code names ``load_families`` (``A.load_families(...)`` or an
    imported name): it then reads ``families.yml``, an input of its figures."""
    return _names_load_families(_code_of(path))


@functools.lru_cache(maxsize=64)
def _names_load_families(src: str) -> bool:
    for node in ast.walk(_parse(src)):
        if (isinstance(node, ast.Attribute) and node.attr == "load_families") or \
                (isinstance(node, ast.Name) and node.id == "load_families") or \
                (isinstance(node, ast.alias) and node.name == "load_families"):
            return True
    return False


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


def _resolve(name: str) -> Path | None:
    """File of the module ``analysis.<name>`` (dotted below the package), or None."""
    base = PACKAGE.joinpath(*name.split(".")) if name else PACKAGE
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    return None


def _imports(tree: ast.AST, package: str | None) -> set[str]:
    """Modules below ``analysis`` that a module imports (dotted, without ``analysis.``).

    ``package`` is the dotted package of the importing module (``"measures"``; ``""`` for the
    top), used to resolve relative imports; None for a notebook.  A ``from X import name``
    counts the submodule ``X.name`` when there is one, else the module ``X``; a name imported
    from the package top is resolved through :data:`analysis._api._EXPORTS` (as ``@name``).
    """
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                if package is None:
                    continue
                parts = package.split(".") if package else []
                parts = parts[:len(parts) - (node.level - 1)] if node.level > 1 else parts
                base = ".".join(p for p in [*parts, *(node.module.split(".") if node.module else [])] if p)
            elif node.module == "analysis" or (node.module or "").startswith("analysis."):
                base = node.module[len("analysis."):] if node.module != "analysis" else ""
            else:
                continue
            for a in node.names:
                sub = f"{base}.{a.name}" if base else a.name
                if _resolve(sub) is not None:
                    out.add(sub)
                elif base:
                    out.add(base)
                else:
                    out.add("@" + a.name)
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("analysis."):
                    out.add(a.name[len("analysis."):])
    return out


@functools.lru_cache(maxsize=512)
def _module_imports(source: str, package: str, layout: tuple) -> frozenset:
    """:func:`_imports` of a module's source, memoised: every figure a notebook saves asks
    for the same modules, and parsing them all is most of the cost.  The key is the
    source text itself and ``layout`` (the package's module files, on which resolving a
    name depends), so an edited or added module is parsed again.

    Across processes (each notebook's kernel asks once; parsing the package took 0.25 s of its
    first saved figure) the result is kept in a verified disk memo under
    :func:`analysis.infra.cache.user_cache_root` (``provenance/``), keyed by the SHA-256 of the
    source and of the layout, the package and the Python version."""
    import sys

    from analysis.infra.cache import memo_path, read_memo, user_cache_root, write_memo

    key = json.dumps({"cache": "module-imports", "format": 1, "package": package,
                      "source_sha256": hashlib.sha256(source.encode("utf-8")).hexdigest(),
                      "layout_sha256": hashlib.sha256("\n".join(layout).encode("utf-8")).hexdigest(),
                      "python": list(sys.version_info[:2])}, sort_keys=True)
    path = memo_path(user_cache_root() / "provenance", key, ".imports")
    payload = read_memo(path, key=key)
    if payload is not None:
        try:
            return frozenset(json.loads(payload))
        except ValueError:  # pragma: no cover - the checksum verified; a format change would bump "format"
            pass
    found = frozenset(_imports(ast.parse(source), package))
    write_memo(path, json.dumps(sorted(found)).encode(), key=key, keep=_MODULE_MEMO_ENTRIES)
    return found


#: module-import entries kept on disk (a few hundred bytes each; the package has ~80 modules)
_MODULE_MEMO_ENTRIES = 2000


def _layout() -> tuple:
    """The package's module files (relative paths, sorted)."""
    return tuple(sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")))


def _aliases(tree: ast.AST) -> set[str]:
    """Names bound to the package itself (``import analysis as A``)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "analysis":
                    out.add(a.asname or "analysis")
                elif a.name.startswith("analysis.") and a.asname is None:
                    out.add("analysis")
    return out


def _code_of(path) -> str:
    """A notebook's code cells, joined."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return "\n".join("".join(c.get("source", "")) for c in nb.get("cells", []) if c.get("cell_type") == "code")


@functools.lru_cache(maxsize=64)
def _notebook_imports(src: str, layout: tuple) -> frozenset:
    """What a notebook's code (``src``) imports from the package, and the names it reads
    through an alias of it (``A.name`` as ``@name``).  Memoised on the code text: every
    figure a notebook saves asks again.  Keyed, like :func:`_module_imports`, by the code
    text and ``layout`` (resolving a name depends on the module files), so edited code or
    an added module is parsed again."""
    tree = _parse(src)
    todo = _imports(tree, None)
    aliases = _aliases(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            todo.add("@" + node.attr)
    return frozenset(todo)


def notebook_modules(path) -> list[str]:
    """Paths (below ``analysis/``) of the modules a notebook uses (static, transitive).

    ``__init__.py`` and ``_api.py`` are always included (they map names to modules).
    """
    from analysis._api import _EXPORTS

    layout = _layout()
    todo = set(_notebook_imports(_code_of(path), layout))
    seen: set[str] = set()
    files: set[str] = set()
    while todo:
        m = todo.pop()
        if m.startswith("@"):
            m = _EXPORTS.get(m[1:], m[1:])
        if m in seen:
            continue
        seen.add(m)
        f = _resolve(m)
        if f is None:
            continue
        files.add(f.relative_to(PACKAGE).as_posix())
        package = m if f.name == "__init__.py" else m.rpartition(".")[0]
        if package:
            todo.add(package)  # importing a module runs its packages' __init__ first
        todo |= _module_imports(f.read_text(encoding="utf-8"), package, layout) - seen
    return sorted({"__init__.py", "_api.py", *files})


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
        files = sorted(PACKAGE.rglob("*.py"))
    for f in files:
        h.update(f.relative_to(PACKAGE).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]
