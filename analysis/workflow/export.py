"""Tables and document-term matrices written for R, Stata and spreadsheet users.

:func:`export` writes what the analysis holds in memory to files another program
reads without Python:

=========================================  ==========================================================
object                                      ``path`` and what is written
=========================================  ==========================================================
a table (the corpus table, any result       ``*.csv``: UTF-8 **with BOM** (so Excel detects the
table: keyness, frequencies, series …)      encoding), comma-separated, ``\\n`` line ends, a header row;
                                            text cells a spreadsheet would run as formulas get a
                                            leading ``'`` (:func:`analysis.infra.files.csv_safe`)
                                            ``*.parquet``: Apache Parquet (pyarrow), typed columns
                                            ``*.dta``: Stata 14+ (format 118, UTF-8), for small tables
a document-term matrix                      a folder holding ``matrix.mtx`` (Matrix Market coordinate,
(:class:`~analysis.text.matrix.DocumentTermMatrix`)   integer counts, rows = units, columns = terms),
                                            ``terms.txt`` (one term per line, UTF-8 without BOM, the
                                            column order) and ``docvars.csv`` (one row per unit, the
                                            row order; CSV as above)
=========================================  ==========================================================

The folder layout is what R's ``Matrix::readMM`` and ``quanteda::as.dfm`` read (README,
"Working in R").  What is written, and what is not lost:

* a table's index is written as columns when it is not a plain 0..n-1 range;
* list, tuple, set and dict cells are written as JSON text (in every format);
* a table's ``attrs`` (e.g. a keyness table's evidence base and Bonferroni threshold) go
  into the Parquet file's metadata, and beside a CSV or Stata file as ``<name>.attrs.json``;
* missing values are empty CSV cells (so is an empty string: CSV cannot tell them apart),
  nulls in Parquet, Stata's missing value for numbers and ``""`` for text;
* Stata variable names must be ASCII identifiers of at most 32 characters: other column
  names are replaced (``_0term`` …) and the original name becomes the variable label;
* ``text=False`` leaves out the text columns (``text``, ``display_text``) of a corpus
  table, e.g. to share metadata without the articles (whose copyright stays with the
  outlets).

Every file is written atomically, a matrix's three files together or not at all
(:func:`analysis.infra.files.atomic_write_many`); writing the same object twice gives
byte-identical files (the Stata header's timestamp is fixed at
:data:`STATA_TIMESTAMP`).
"""
from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

__all__ = ["export", "ExportError", "TEXT_COLUMNS", "STATA_TIMESTAMP", "MATRIX_FILES"]

#: Columns of the corpus table that hold article text (left out with ``text=False``).
TEXT_COLUMNS = ("text", "display_text")
#: Timestamp written into every ``.dta`` header, fixed so that reruns are byte-identical.
STATA_TIMESTAMP = datetime(2000, 1, 1)
#: Files of an exported document-term matrix, in its folder.
MATRIX_FILES = ("matrix.mtx", "terms.txt", "docvars.csv")
#: Table formats by file suffix.
TABLE_FORMATS = {".csv": "CSV (UTF-8 with BOM)", ".parquet": "Parquet", ".dta": "Stata"}
#: Stata's limit on variables (Stata/SE and BE's 2,048 is lower; MP allows 120,000).
STATA_MAX_VARIABLES = 32_767
#: Longest fixed-width Stata string (bytes); longer texts are written as ``strL``.
STATA_STR_MAX_BYTES = 2045


class ExportError(ValueError):
    """An object or path :func:`export` cannot write (the message says why and what to do)."""


def export(obj, path, *, text: bool = True) -> list[Path]:
    """Write a table or a document-term matrix for R, Stata or a spreadsheet.

    Parameters
    ----------
    obj : pandas.DataFrame, pandas.Series or DocumentTermMatrix
        The corpus table, any result table, or a matrix from
        :func:`analysis.document_term_matrix`.
    path : path-like
        For a table, a file ending in ``.csv``, ``.parquet`` or ``.dta`` (the suffix
        chooses the format).  For a matrix, a folder (created if its parent exists;
        the three files of :data:`MATRIX_FILES` in it are replaced).  The parent folder
        must exist.
    text : bool, default True
        ``False`` leaves out the text columns :data:`TEXT_COLUMNS`.

    Returns
    -------
    list of Path
        The files written (a table with ``attrs`` also gets ``<name>.attrs.json``, except
        in Parquet, which keeps them).

    Raises
    ------
    ExportError
        An unsupported object or suffix, a missing parent folder, a matrix written to a
        file name or a table to a folder, a table too wide for Stata, or a term that
        cannot be a line of ``terms.txt``.

    Examples
    --------
    >>> import analysis as A
    >>> corpus = A.load_corpus()
    >>> A.export(corpus, "corpus.csv", text=False)            # doctest: +SKIP
    >>> A.export(A.document_term_matrix(corpus), "dtm")       # doctest: +SKIP
    """
    import pandas as pd

    from analysis.text.matrix import DocumentTermMatrix

    path = Path(path)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: the folder {path.parent} does not exist "
                          f"(create it first, e.g. `mkdir -p {path.parent}`)")
    if isinstance(obj, DocumentTermMatrix):
        return _export_matrix(obj, path, text)
    if isinstance(obj, pd.Series):
        obj = obj.to_frame()
    if not isinstance(obj, pd.DataFrame):
        raise ExportError(f"cannot export a {type(obj).__module__}.{type(obj).__name__}: export writes "
                          f"a pandas DataFrame or Series (the corpus table, a result table) or a "
                          f"DocumentTermMatrix (analysis.document_term_matrix)")
    suffix = path.suffix.lower()
    if path.is_dir() or suffix not in TABLE_FORMATS:
        have = ", ".join(f"{s} ({f})" for s, f in TABLE_FORMATS.items())
        raise ExportError(f"cannot write a table to {path}: name a file ending in {have}")
    table = _plain_table(obj, text)
    if suffix == ".csv":
        files = {path: _csv_bytes(table)}
    elif suffix == ".parquet":
        files = {path: _parquet_bytes(table)}
    else:
        files = {path: _stata_bytes(table, path)}
    if table.attrs and suffix != ".parquet":  # Parquet keeps them in its own metadata
        files[path.with_name(path.stem + ".attrs.json")] = (
            json.dumps(table.attrs, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    from analysis.infra.files import atomic_write_many

    return atomic_write_many(files)


def _plain_table(frame, text: bool):
    """The frame with its index as columns (unless a default range), text columns
    dropped if asked, column names as strings and container cells as JSON text."""
    import pandas as pd

    if isinstance(frame.columns, pd.MultiIndex):
        raise ExportError("the table has multi-level column names: flatten them first, e.g. "
                          "`table.columns = ['_'.join(map(str, c)) for c in table.columns]`")
    out = frame.copy()
    out.attrs = json.loads(json.dumps(frame.attrs, default=_json_default))
    if not (isinstance(out.index, pd.RangeIndex) and out.index.start == 0 and out.index.step == 1
            and out.index.name is None):
        names = [n if n is not None else ("index" if out.index.nlevels == 1 else f"index_{i}")
                 for i, n in enumerate(out.index.names)]
        out.index = out.index.set_names(names)
        out = out.reset_index()
    if not text:
        out = out.drop(columns=[c for c in TEXT_COLUMNS if c in out.columns])
    out.columns = [str(c) for c in out.columns]
    dupes = sorted(set(out.columns[out.columns.duplicated()]))
    if dupes:
        raise ExportError(f"the table has duplicate column names {dupes}: rename them first")
    for i, dtype in enumerate(out.dtypes):
        if dtype == object:
            s = out.iloc[:, i]
            if s.map(lambda v: isinstance(v, (list, tuple, set, dict))).any():
                out.isetitem(i, s.map(_json_cell))
    return out


def _json_default(value):
    """JSON for numpy scalars and arrays, pandas objects and anything else (as text)."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _json_cell(value):
    if isinstance(value, set):
        value = sorted(value, key=str)
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _csv_bytes(table) -> bytes:
    from analysis.infra.files import csv_safe_frame

    text = csv_safe_frame(table).to_csv(index=False, lineterminator="\n")
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def _parquet_bytes(table) -> bytes:
    buf = io.BytesIO()
    table.to_parquet(buf, engine="pyarrow", index=False)
    return buf.getvalue()


def _stata_bytes(table, path: Path) -> bytes:
    import re

    import pandas as pd

    if table.shape[1] > STATA_MAX_VARIABLES:
        raise ExportError(f"{path.name}: {table.shape[1]:,} columns is more than Stata's "
                          f"{STATA_MAX_VARIABLES:,} variables; write a .parquet or .csv file instead")
    out = table.copy()
    labels, names = {}, []
    valid = {c for c in out.columns if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,31}", c)}
    for i, col in enumerate(out.columns):
        name = col
        if col not in valid:
            name = f"_{i}{re.sub(r'[^A-Za-z0-9_]', '', col)}"[:32]
            while name in valid or name in names:
                name = "_" + name[:31]
            labels[name] = col[:80]
        names.append(name)
    out.columns = names
    strl = []
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.astype("int8")
        elif pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            s = s.astype(object).where(s.notna(), "").map(str)
            out[col] = s
            if len(s) and s.map(lambda v: len(v.encode("utf-8"))).max() > STATA_STR_MAX_BYTES:
                strl.append(col)
    buf = io.BytesIO()
    out.to_stata(buf, write_index=False, version=118, time_stamp=STATA_TIMESTAMP,
                 variable_labels=labels or None, convert_strl=strl or None)
    return buf.getvalue()


def _export_matrix(dtm, folder: Path, text: bool) -> list[Path]:
    import scipy.io

    from analysis.infra.files import atomic_write_many

    if folder.suffix.lower() in (*TABLE_FORMATS, ".mtx", ".txt"):
        raise ExportError(f"a document-term matrix is written to a folder ({', '.join(MATRIX_FILES)}), "
                          f"not to the file {folder.name}: pass a folder name, e.g. "
                          f"{folder.with_suffix('')}")
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is a file; a document-term matrix is written to a folder")
    bad = [t for t in dtm.vocab if not t or "\n" in t or "\r" in t or t != t.strip()]
    if bad:
        raise ExportError(f"terms.txt holds one term per line, so a term cannot be empty, contain a "
                          f"line break or start/end with a space: {bad[:5]!r}")
    buf = io.BytesIO()
    comment = (f"document-term matrix: {dtm.shape[0]} units (rows, in the order of docvars.csv) x "
               f"{dtm.shape[1]} terms (columns, in the order of terms.txt); counts of kept tokens")
    scipy.io.mmwrite(buf, dtm.counts.tocoo(), comment=comment, field="integer")
    terms = "".join(f"{t}\n" for t in dtm.vocab)
    docvars = _plain_table(dtm.docvars.reset_index(drop=True), text)
    folder.mkdir(exist_ok=True)
    files = {folder / "matrix.mtx": buf.getvalue(), folder / "terms.txt": terms.encode("utf-8"),
             folder / "docvars.csv": _csv_bytes(docvars)}
    return atomic_write_many(files)
