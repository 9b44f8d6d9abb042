"""Cells that a spreadsheet would run as formulas, made inert (CSV injection).

A CSV cell that begins with ``=``, ``+``, ``-`` or ``@`` is taken as a formula by
Excel, LibreOffice and Google Sheets when the file is opened; a leading tab or
carriage return can smuggle one past a check for the first character.  The OWASP
"CSV Injection" guidance is to prefix such cells with a single quote, which makes
the spreadsheet show the text instead of evaluating it.

The rule here (:func:`neutralise_cell`) is that guidance made reversible: a text cell
that begins with one of :data:`FORMULA_TRIGGERS` **or with a single quote** gets one
single quote in front.  Every written cell that begins with ``'`` therefore carries
exactly one added quote, and :func:`restore_cell` (strip one leading ``'``) gives the
original text back, so nothing is lost.  Numbers are not text cells and are never
changed (``-0.5`` stays a number).

Used by every writer of CSV files meant for people and spreadsheets: figure tables and
exports (:mod:`analysis.workflow.export`).
"""
from __future__ import annotations

__all__ = ["FORMULA_TRIGGERS", "neutralise_cell", "restore_cell", "neutralise_frame", "restore_frame"]

#: First characters that make a spreadsheet evaluate a cell (OWASP, "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_QUOTE = "'"


def neutralise_cell(value):
    """``value`` made safe to open in a spreadsheet (see the module docstring).

    Parameters
    ----------
    value : object
        A cell.  Only ``str`` values are changed.

    Returns
    -------
    object
        ``"'" + value`` if ``value`` is a string starting with one of
        :data:`FORMULA_TRIGGERS` or with ``'``; otherwise ``value`` unchanged.

    Examples
    --------
    >>> neutralise_cell("=1+2"), neutralise_cell("清零"), neutralise_cell(-0.5)
    ("'=1+2", '清零', -0.5)
    """
    if isinstance(value, str) and value[:1] in (*FORMULA_TRIGGERS, _QUOTE) and value:
        return _QUOTE + value
    return value


def restore_cell(value):
    """Inverse of :func:`neutralise_cell`: one leading ``'`` removed from a string."""
    if isinstance(value, str) and value.startswith(_QUOTE):
        return value[1:]
    return value


def _map_text(frame, func):
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue  # numbers, booleans, dates: never formulas in a CSV
        out[col] = s.map(func, na_action="ignore")
    out.columns = [func(c) for c in out.columns]
    return out


def neutralise_frame(frame):
    """A copy of ``frame`` with every text cell and column name passed through
    :func:`neutralise_cell` (numeric, boolean and date columns are left as they are).

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        Same shape, index and dtypes.
    """
    return _map_text(frame, neutralise_cell)


def restore_frame(frame):
    """Inverse of :func:`neutralise_frame` (for a table read back from such a CSV)."""
    return _map_text(frame, restore_cell)
