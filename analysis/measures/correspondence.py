"""Correspondence analysis (CA) of a contingency table.

CA maps the rows and the columns of a table of counts (places × themes, places × top
terms, months × campaign terms) into a few dimensions so that rows with similar
profiles (relative frequencies across the columns) lie close together, and a row lies
towards the columns it over-uses.  The computation follows Greenacre (2017,
*Correspondence Analysis in Practice*, 3rd ed., Appendix A), and its output is the
output of FactoMineR's ``CA()`` (Lê, Josse & Husson 2008), which the tests reproduce
to 1e-8 (up to the sign of each axis):

* correspondence matrix ``P = N / n``, row masses ``r = P 1``, column masses ``c = Pᵀ 1``;
* standardized residuals ``S = D_r^{-1/2} (P - r cᵀ) D_c^{-1/2}``, singular value
  decomposition ``S = U Σ Vᵀ``;
* principal inertias (eigenvalues) ``λ_k = σ_k²``; total inertia ``Σ λ_k = χ² / n``;
* row principal coordinates ``F = D_r^{-1/2} U Σ``, column principal coordinates
  ``G = D_c^{-1/2} V Σ``;
* contribution of row i to dimension k, in percent: ``100 r_i F_ik² / λ_k`` (the
  columns alike); squared cosine (quality on that dimension): ``F_ik² / d_i²`` with
  ``d_i²`` the squared χ² distance of the row profile to the centroid; row inertia
  ``r_i d_i²``.

The decomposition is an exact dense SVD (``numpy.linalg.svd``): the tables CA is
meant for have tens of rows and columns, so randomised or iterative solvers buy
nothing and would make results depend on a seed.  The sign of each axis is fixed
(the largest-magnitude row coordinate is positive), so reruns give identical files.

A row or column whose counts are all zero has no profile: CA cannot place it.
:func:`correspondence_analysis` names it and drops it (``zero="drop"``, with a warning
and the names in ``.dropped``) or refuses (``zero="raise"``).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["correspondence_analysis", "CorrespondenceAnalysis", "CAWarning"]


class CAWarning(UserWarning):
    """A row or column was dropped before the analysis (named in the message)."""


@dataclass(frozen=True, eq=False)
class CorrespondenceAnalysis:
    """Result of :func:`correspondence_analysis`.

    Attributes
    ----------
    eigenvalues : pandas.DataFrame
        One row per dimension (``Dim 1`` …): ``eigenvalue`` (principal inertia λ_k),
        ``percent`` (share of the total inertia, %), ``cumulative`` (%).
    row_coords, col_coords : pandas.DataFrame
        Principal coordinates (rows/columns × dimensions).
    row_contrib, col_contrib : pandas.DataFrame
        Contributions to each dimension, in percent (each column sums to 100).
    row_cos2, col_cos2 : pandas.DataFrame
        Squared cosines (quality of representation on each dimension).
    row_inertia, col_inertia : pandas.Series
        Inertia of each row/column (sums to the total inertia).
    row_mass, col_mass : pandas.Series
        Masses (marginal proportions).
    total_inertia : float
        χ² / n of the analysed table.
    table : pandas.DataFrame
        The table analysed (after dropping empty rows/columns).
    dropped : dict
        ``{"rows": [...], "columns": [...]}`` removed because all their counts were zero.
    """

    eigenvalues: pd.DataFrame
    row_coords: pd.DataFrame
    col_coords: pd.DataFrame
    row_contrib: pd.DataFrame
    col_contrib: pd.DataFrame
    row_cos2: pd.DataFrame
    col_cos2: pd.DataFrame
    row_inertia: pd.Series
    col_inertia: pd.Series
    row_mass: pd.Series
    col_mass: pd.Series
    total_inertia: float
    table: pd.DataFrame
    dropped: dict = field(default_factory=dict)

    def summary(self, n_dims: int = 2) -> str:
        """One sentence: table size, total inertia, share of the first dimensions, drops."""
        k = min(n_dims, len(self.eigenvalues))
        shares = ", ".join(f"dimension {i + 1} {p:.1f}%"
                           for i, p in enumerate(self.eigenvalues["percent"].iloc[:k]))
        out = (f"CA of a {self.table.shape[0]} × {self.table.shape[1]} table "
               f"({int(self.table.to_numpy().sum()):,} counts): total inertia "
               f"{self.total_inertia:.4f}; {shares}")
        drops = [f"{kind} {', '.join(map(str, names))}" for kind, names in self.dropped.items() if names]
        if drops:
            out += f"; dropped (all counts zero): {'; '.join(drops)}"
        return out + "."


def _check_table(table) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        df = table.copy()
    else:
        arr = np.asarray(table)
        if arr.ndim != 2:
            raise ValueError(f"a contingency table must be two-dimensional, got shape {arr.shape}")
        df = pd.DataFrame(arr)
    try:
        values = df.to_numpy(dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(f"the contingency table must hold numbers only ({err}); "
                         f"put labels in the index and column names") from err
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(f"the contingency table must hold finite counts >= 0; row {df.index[i]!r}, "
                         f"column {df.columns[j]!r} is {values[i, j]!r}")
    df.index = [str(x) for x in df.index]
    df.columns = [str(x) for x in df.columns]
    return pd.DataFrame(values, index=df.index, columns=df.columns)


def correspondence_analysis(table, n_components: int | None = None, *,
                            zero: str = "drop") -> CorrespondenceAnalysis:
    """Simple correspondence analysis of a contingency table (Greenacre 2017).

    Parameters
    ----------
    table : pandas.DataFrame or array_like
        Non-negative counts, rows × columns (labels in the index and column names),
        e.g. ``theme_frequencies(...).pivot(index="place", columns="theme", values="count")``.
    n_components : int, optional
        Dimensions kept (default: all, ``min(I, J) - 1``).
    zero : {"drop", "raise"}, default "drop"
        What to do with rows or columns whose counts are all zero: drop them (a
        :class:`CAWarning` names them; they are listed in ``.dropped``) or raise.

    Returns
    -------
    CorrespondenceAnalysis
        Coordinates, inertias, contributions (%), squared cosines; see the class.

    Raises
    ------
    ValueError
        A negative, missing or non-numeric cell (the message names row and column),
        an all-zero row or column with ``zero="raise"``, or fewer than two rows or
        columns left.

    References
    ----------
    Greenacre, M. (2017). *Correspondence Analysis in Practice* (3rd ed.). CRC Press.
    Lê, S., Josse, J. & Husson, F. (2008). FactoMineR: An R package for multivariate
    analysis. *Journal of Statistical Software* 25(1).

    Examples
    --------
    >>> ca = correspondence_analysis([[10, 2], [3, 8], [5, 5]])
    >>> round(float(ca.eigenvalues["eigenvalue"].iloc[0]), 6)
    0.224074
    """
    if zero not in ("drop", "raise"):
        raise ValueError(f"zero must be 'drop' or 'raise', not {zero!r}")
    df = _check_table(table)
    dropped = {"rows": [], "columns": []}
    for _ in range(2):  # dropping columns can empty a row and vice versa; twice is enough
        zr = df.index[df.sum(axis=1).to_numpy() == 0].tolist()
        zc = df.columns[df.sum(axis=0).to_numpy() == 0].tolist()
        if (zr or zc) and zero == "raise":
            what = "; ".join(f"{k} {', '.join(map(repr, v))}" for k, v in (("rows", zr), ("columns", zc)) if v)
            raise ValueError(f"all counts are zero in {what}: CA cannot place an empty profile; drop "
                             f"them from the table or pass zero='drop'")
        dropped["rows"] += zr
        dropped["columns"] += zc
        df = df.drop(index=zr, columns=zc)
    if dropped["rows"] or dropped["columns"]:
        what = "; ".join(f"{k} {', '.join(map(repr, v))}" for k, v in dropped.items() if v)
        warnings.warn(f"correspondence analysis: dropped {what} (all counts zero)", CAWarning, stacklevel=2)
    if df.shape[0] < 2 or df.shape[1] < 2:
        raise ValueError(f"CA needs at least two non-empty rows and two non-empty columns; "
                         f"the table has {df.shape[0]} × {df.shape[1]}")
    n = df.to_numpy().sum()
    p = df.to_numpy() / n
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = (p - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, sigma, vt = np.linalg.svd(s, full_matrices=False)
    k_max = min(df.shape) - 1
    k = k_max if n_components is None else int(n_components)
    if not 1 <= k <= k_max:
        raise ValueError(f"n_components must be between 1 and {k_max} for a {df.shape[0]} × "
                         f"{df.shape[1]} table, not {n_components!r}")
    eig_all = sigma[:k_max] ** 2
    u, sigma, v = u[:, :k], sigma[:k], vt[:k].T
    f = u * sigma / np.sqrt(r)[:, None]
    g = v * sigma / np.sqrt(c)[:, None]
    # fixed orientation: the row with the largest |coordinate| is positive on each axis
    flip = np.sign(f[np.argmax(np.abs(f), axis=0), np.arange(k)])
    flip[flip == 0] = 1
    f, g = f * flip, g * flip
    total = float(eig_all.sum())
    dims = [f"Dim {i + 1}" for i in range(k)]
    eigen = pd.DataFrame({"eigenvalue": eig_all[:k], "percent": 100 * eig_all[:k] / total,
                          "cumulative": 100 * np.cumsum(eig_all)[:k] / total}, index=dims)
    lam = eig_all[:k]
    d2_row = ((p / r[:, None] - c) ** 2 / c).sum(axis=1)
    d2_col = ((p / c[None, :] - r[:, None]) ** 2 / r[:, None]).sum(axis=0)

    def frame(values, labels):
        return pd.DataFrame(values, index=labels, columns=dims)

    rows, cols = df.index, df.columns
    return CorrespondenceAnalysis(
        eigenvalues=eigen,
        row_coords=frame(f, rows), col_coords=frame(g, cols),
        row_contrib=frame(100 * r[:, None] * f ** 2 / lam, rows),
        col_contrib=frame(100 * c[:, None] * g ** 2 / lam, cols),
        row_cos2=frame(f ** 2 / d2_row[:, None], rows), col_cos2=frame(g ** 2 / d2_col[:, None], cols),
        row_inertia=pd.Series(r * d2_row, index=rows), col_inertia=pd.Series(c * d2_col, index=cols),
        row_mass=pd.Series(r, index=rows), col_mass=pd.Series(c, index=cols),
        total_inertia=total, table=df, dropped=dropped)
