"""Jupyter server hook: notebooks of this repository are saved without outputs.

``make env`` installs ``.venv/etc/jupyter/jupyter_server_config.py``, which sets
:func:`strip_on_save` as the contents manager's ``pre_save_hook`` for JupyterLab
started from the project's environment (``.venv/bin/jupyter lab notebooks/``).  So a
Run All or an autosave never changes a notebook file on disk (``git status`` stays
clean; the outputs stay visible in the open tab until it is reloaded).  The git
filter (nbstripout, also set up by ``make env``) is the second line of defence, for
notebooks saved by other tools.
"""
from __future__ import annotations

from pathlib import Path

__all__ = ["strip_notebook", "strip_on_save", "REPO"]

REPO = Path(__file__).resolve().parents[2]
_CELL_KEYS = ("execution", "collapsed", "scrolled", "ExecuteTime")


def strip_notebook(nb: dict) -> dict:
    """Remove outputs, execution counts, run-time cell metadata and widget state, in place.

    Cell ids, sources, tags and the notebook's kernel metadata are kept (what
    ``nbstripout --keep-id`` keeps), so a stripped notebook is byte-identical to the
    committed one when only outputs differ.
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        meta = cell.get("metadata", {})
        for key in _CELL_KEYS:
            meta.pop(key, None)
    meta = nb.get("metadata", {})
    meta.pop("widgets", None)
    if isinstance(meta.get("language_info"), dict):  # the kernel fills in versions: keep the name
        meta["language_info"] = {"name": meta["language_info"].get("name", "python")}
    return nb


def strip_on_save(model, path, contents_manager=None, **kwargs):
    """``pre_save_hook``: strip notebooks inside this repository before they are written."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    root = getattr(contents_manager, "root_dir", None)
    full = (Path(root) / path.lstrip("/")) if root else Path(path)
    try:
        full.resolve().relative_to(REPO)
    except ValueError:
        return  # a notebook elsewhere: leave it alone
    strip_notebook(model["content"])
