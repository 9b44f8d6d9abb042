"""Saving a figure: PDF + PNG + CSV written atomically together with its row in ``figures/manifest.csv``
(the inputs it rests on, as hashes: :mod:`analysis.infra.provenance`).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import pandas as pd

from analysis.infra.files import locked_dir, remove_stale_temps
from analysis.infra.provenance import (MANIFEST_COLUMNS as _MANIFEST_COLUMNS, input_hashes,
                         packages_line, read_manifest_rows)
from analysis.figures.style import OKABE_ITO, FONT_FAMILY, cjk_font_path, use_style  # noqa: F401
class PrintSizeWarning(UserWarning):
    """A figure would not read well at its printed width (see ``save_figure(width=...)``)."""


def figures_dir() -> Path:
    """Where figures go: ``$FIGURES_DIR`` if set (tests use a temp folder), else
    the repository's ``figures/``."""
    env = os.environ.get("FIGURES_DIR")
    from analysis.ingest.corpus import default_data_dir
    return Path(env) if env else default_data_dir().parent / "figures"


def _frame_csv(data: pd.DataFrame) -> bytes:
    """CSV bytes: floats to 6 significant digits, string cells formula-safe
    (:func:`analysis.infra.files.csv_safe`: a cell such as ``=HYPERLINK(...)`` is written ``'=HYPERLINK(...)``)."""
    from analysis.infra.files import csv_safe_frame

    return csv_safe_frame(data).to_csv(index=False, float_format="%.6g", lineterminator="\n").encode("utf-8")


def read_manifest(directory=None) -> pd.DataFrame:
    """The figure manifest (``figures/manifest.csv``) as a DataFrame of strings.

    Raises
    ------
    ManifestError
        Conflict markers, a truncated or damaged row, or other columns than expected
        (naming the file and line).
    """
    rows = read_manifest_rows(Path(directory or figures_dir()) / "manifest.csv")
    return pd.DataFrame(rows, columns=_MANIFEST_COLUMNS, dtype=str)


def save_figure(fig, name: str, data: pd.DataFrame, *, caption: str, notebook: str,
                parameters: dict | None = None, directory=None, data_dir=None,
                keywords_path=None, width: str | None = None) -> dict:
    """Write ``<name>.pdf``, ``<name>.png`` (300 dpi) and ``<name>.csv``, and record
    the figure in ``manifest.csv``.

    The three files and the manifest row are replaced together or not at all
    (:func:`analysis.infra.files.atomic_write_many`); files whose bytes do not change are not
    rewritten.  The PDF carries no creation date, so re-running with the same inputs
    and package versions gives byte-identical files.  The CSV holds the numbers
    plotted (floats to 6 significant digits; string cells that a spreadsheet would
    run as a formula, starting with ``= + - @``, tab or CR, get a leading ``'``, as
    in the manifest).  The manifest row records the SHA-256 of the PDF, PNG and CSV
    (column ``sha256``, in the order of ``files``), so a reader can check a cited
    file.  Temporary files left beside them by an interrupted save are removed.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    name : str
        File stem, e.g. ``"02_keyness_periods"`` (letters, digits, ``_``, ``-``).
    data : pandas.DataFrame
        The plotted numbers.
    caption : str
        One-sentence caption for the manifest.
    notebook : str
        The notebook that made it (e.g. ``"02_periods.ipynb"``).
    parameters : dict, optional
        Parameters that shaped the figure (recorded as JSON).
    directory : path, optional
        Defaults to :func:`figures_dir`.
    data_dir, keywords_path : path, optional
        The data folder and keyword file the notebook actually read, when not the
        repository's: their hashes are recorded, and so are the paths (under
        ``parameters``).
    width : {"single", "double"}, optional
        The printed width the figure is meant for: one journal column (3.5 in) or the
        full text width (7 in).  The figure is measured scaled to it
        (:func:`analysis.figures.printcheck.print_check`: smallest text, overlapping
        text, panels without their scale, printed height) and the result is recorded
        in the manifest (``print_width`` … ``print_problems``); a test fails on any
        committed figure with problems.  Default: single column for a figure up to
        5 in wide as drawn, else double.  The saved files are not changed by it.

    Returns
    -------
    dict
        The manifest row.

    Raises
    ------
    ManifestError
        If the existing manifest is corrupt (nothing is written).
    """
    from analysis.infra.files import atomic_write_many

    if not re.match(r"^[A-Za-z0-9_-]+$", name):
        raise ValueError(f"figure name {name!r}: use letters, digits, '_' and '-' only")
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise ValueError(f"figure {name!r}: `data` must be a non-empty DataFrame of the plotted values")
    out = Path(directory or figures_dir())
    out.mkdir(parents=True, exist_ok=True)
    from analysis.figures.rendermemo import render_and_check

    # the PDF and PNG bytes matplotlib makes, and the print-size check (after rendering: the
    # files do not depend on it), from the verified render memo when the figure draws exactly
    # what a stored render drew (byte-identical and the same check either way; tested)
    pdf, png, check = render_and_check(fig, width)
    params = dict(parameters or {})
    if data_dir is not None:
        params["data_dir"] = str(data_dir)
    if keywords_path is not None:
        params["keywords_path"] = str(keywords_path)
    row = {
        "name": name, "caption": caption, "notebook": notebook,
        "parameters": json.dumps(params, ensure_ascii=False, sort_keys=True, default=str),
        **input_hashes(notebook, data_dir, keywords_path),
        "packages": packages_line(),
        "files": f"{name}.pdf {name}.png {name}.csv",
        **check.manifest_fields(),
    }
    files = {out / f"{name}.pdf": pdf, out / f"{name}.png": png,
             out / f"{name}.csv": _frame_csv(data)}
    row["sha256"] = " ".join(hashlib.sha256(b).hexdigest() for b in files.values())
    if check.problems:
        import warnings

        warnings.warn(f"figure {name!r} at print size ({check.width} column): "
                      + "; ".join(check.problems), PrintSizeWarning, stacklevel=2)
    with locked_dir(out):  # notebooks may run in parallel (make figures)
        for p in [*files, out / "manifest.csv"]:  # no save of these files is running: leftovers only
            remove_stale_temps(p)
        manifest = read_manifest(out)
        manifest = manifest[manifest["name"] != name]
        manifest = pd.concat([manifest, pd.DataFrame([row])], ignore_index=True)
        manifest = manifest[_MANIFEST_COLUMNS].sort_values("name", kind="mergesort")
        files[out / "manifest.csv"] = _frame_csv(manifest)
        changed = {p: b for p, b in files.items() if not (p.is_file() and p.read_bytes() == b)}
        if changed:
            atomic_write_many(changed)
    return row
