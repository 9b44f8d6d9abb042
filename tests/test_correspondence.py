"""Correspondence analysis against FactoMineR's CA() (R), published values and a second SVD."""
import json
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from analysis.measures.correspondence import CAWarning, correspondence_analysis

#: Greenacre's smoking table (staff group × smoking category), Greenacre (2017) ch. 8-9.
SMOKE = pd.DataFrame([[4, 2, 3, 2], [4, 3, 7, 4], [25, 10, 12, 4], [18, 24, 33, 13], [10, 6, 7, 2]],
                     index=["SM", "JM", "SE", "JE", "SC"], columns=["none", "light", "medium", "heavy"])

#: A places × themes-like table with zero cells and unequal margins.
PLACES = pd.DataFrame([[12, 0, 3, 7, 1], [2, 9, 4, 0, 5], [6, 6, 1, 2, 0], [0, 3, 8, 5, 2],
                       [4, 1, 0, 9, 6], [7, 2, 2, 1, 1]],
                      index=["河南", "江苏", "河北", "湖北", "四川", "浙江"],
                      columns=["stringency", "precision", "livelihood", "economy", "loyalty"])

#: The same with an all-zero row (海南) and an all-zero column (formalism).
WITH_ZERO = PLACES.copy()
WITH_ZERO.loc["海南"] = 0
WITH_ZERO["formalism"] = 0

_R = r"""
suppressMessages(library(FactoMineR))
fmt <- function(v) paste0("[", paste(sprintf("%.17g", v), collapse = ","), "]")
mat <- function(m) { m <- as.matrix(m); paste0("[", paste(apply(m, 1, fmt), collapse = ","), "]") }
one <- function(file) {
  x <- read.csv(file, row.names = 1, check.names = FALSE, encoding = "UTF-8")
  res <- CA(x, ncp = min(dim(x)) - 1, graph = FALSE)
  out <- list(eig = unname(res$eig[, 1]),
              row_coord = unname(res$row$coord), col_coord = unname(res$col$coord),
              row_contrib = unname(res$row$contrib), col_contrib = unname(res$col$contrib),
              row_cos2 = unname(res$row$cos2), col_cos2 = unname(res$col$cos2),
              row_inertia = unname(res$row$inertia), col_inertia = unname(res$col$inertia))
  paste("{", paste(sprintf('"%s": %s', names(out),
        sapply(out, function(v) if (is.matrix(v)) mat(v) else fmt(v))), collapse = ", "), "}")
}
# one R session for every table (R and FactoMineR take seconds to start)
cat("[", paste(sapply(commandArgs(trailingOnly = TRUE), one), collapse = ", "), "]")
"""

#: The tables compared with FactoMineR (WITH_ZERO without the all-zero row and column
#: that correspondence_analysis drops with a warning).
CASES = {"smoke": (SMOKE, None), "places": (PLACES, None),
         "zero_row_and_column": (WITH_ZERO, (["海南"], ["formalism"]))}


@pytest.fixture(scope="module")
def factominer(tmp_path_factory) -> dict:
    """FactoMineR's ``CA()`` of every table in :data:`CASES`, by case id (one R run)."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript not installed (apt-get install r-base-core r-cran-factominer); "
                    "CA is checked against published values and an independent SVD instead")
    probe = subprocess.run([rscript, "-e", "library(FactoMineR)"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("R package FactoMineR not installed (apt-get install r-cran-factominer)")
    folder = tmp_path_factory.mktemp("factominer")
    files = []
    for name, (table, drop) in CASES.items():
        if drop:
            table = table.drop(index=drop[0], columns=drop[1])
        files.append(folder / f"{name}.csv")
        table.to_csv(files[-1], encoding="utf-8")
    script = folder / "ca.R"
    script.write_text(_R, encoding="utf-8")
    done = subprocess.run([rscript, str(script), *map(str, files)], capture_output=True, text=True, check=True)
    results = json.loads(done.stdout)
    assert len(results) == len(CASES)
    return dict(zip(CASES, results))


def _aligned(ours: np.ndarray, theirs: np.ndarray) -> np.ndarray:
    """``ours`` with each column's sign flipped to agree with ``theirs``."""
    signs = np.sign((ours * theirs).sum(axis=0))
    signs[signs == 0] = 1
    return ours * signs


@pytest.mark.parametrize("case", list(CASES))
def test_ca_agrees_with_factominer(case, factominer):
    table, expected_drop = CASES[case]
    if expected_drop:
        with pytest.warns(CAWarning, match="海南.*formalism"):
            ca = correspondence_analysis(table)
        assert ca.dropped == {"rows": expected_drop[0], "columns": expected_drop[1]}
    else:
        ca = correspondence_analysis(table)
    r = factominer[case]
    k = len(ca.eigenvalues)
    np.testing.assert_allclose(ca.eigenvalues["eigenvalue"], r["eig"][:k], atol=1e-8, rtol=0)
    for ours, key in ((ca.row_coords, "row_coord"), (ca.col_coords, "col_coord")):
        theirs = np.asarray(r[key])
        np.testing.assert_allclose(_aligned(ours.to_numpy(), theirs), theirs, atol=1e-8, rtol=0)
    for ours, key in ((ca.row_contrib, "row_contrib"), (ca.col_contrib, "col_contrib"),
                      (ca.row_cos2, "row_cos2"), (ca.col_cos2, "col_cos2")):
        np.testing.assert_allclose(ours.to_numpy(), np.asarray(r[key]), atol=1e-8, rtol=0)
    np.testing.assert_allclose(ca.row_inertia, r["row_inertia"], atol=1e-10, rtol=0)
    np.testing.assert_allclose(ca.col_inertia, r["col_inertia"], atol=1e-10, rtol=0)


def test_smoke_matches_greenacre_published_values():
    ca = correspondence_analysis(SMOKE)
    # Greenacre (2017), exhibit 8.x / the `ca` package's smoke example: principal inertias
    np.testing.assert_allclose(ca.eigenvalues["eigenvalue"], [0.07476, 0.01002, 0.00041], atol=5e-6)
    assert ca.total_inertia == pytest.approx(0.08519, abs=5e-6)
    rows = ca.row_coords.iloc[:, :2].to_numpy()
    published = np.array([[-0.0658, 0.1937], [0.2590, 0.2433], [-0.3806, 0.0107],
                          [0.2330, -0.0577], [-0.2011, -0.0789]])
    np.testing.assert_allclose(_aligned(rows, published), published, atol=5e-5)


def test_ca_against_independent_eigen_decomposition():
    """Principal inertias are the eigenvalues of the χ² cross-product; row principal
    coordinates are the eigenvectors of the row-profile covariance, scaled (Greenacre 2017, A)."""
    n = PLACES.to_numpy(float)
    p = n / n.sum()
    r, c = p.sum(1), p.sum(0)
    profiles = p / r[:, None]
    centred = profiles - c
    cov = (centred * r[:, None]).T @ (centred / c)          # J × J, eigenvalues = principal inertias
    sym = np.diag(c ** -0.5) @ (centred.T * r) @ centred @ np.diag(c ** -0.5)
    vals, vecs = np.linalg.eigh(sym)
    order = np.argsort(vals)[::-1][: min(n.shape) - 1]
    ca = correspondence_analysis(PLACES)
    np.testing.assert_allclose(ca.eigenvalues["eigenvalue"], vals[order], atol=1e-12)
    np.testing.assert_allclose(np.sort(np.linalg.eigvals(cov).real)[::-1][: len(order)], vals[order], atol=1e-12)
    # row principal coordinates = projections of the centred profiles on the principal axes (χ² metric)
    axes = np.diag(c ** -0.5) @ vecs[:, order]
    f = centred @ axes
    np.testing.assert_allclose(_aligned(ca.row_coords.to_numpy(), f), f, atol=1e-12)
    assert ca.total_inertia == pytest.approx(float(((n - np.outer(n.sum(1), n.sum(0)) / n.sum()) ** 2
                                                    / (np.outer(n.sum(1), n.sum(0)) / n.sum())).sum() / n.sum()))
    assert ca.row_contrib.sum().to_numpy() == pytest.approx(100.0)
    assert ca.row_inertia.sum() == pytest.approx(ca.total_inertia)


def test_zero_rows_refused_when_asked():
    with pytest.raises(ValueError, match=r"rows '海南'.*columns 'formalism'"):
        correspondence_analysis(WITH_ZERO, zero="raise")


@pytest.mark.parametrize("table, message", [
    (PLACES.assign(economy=-PLACES["economy"]), "row '河南', column 'economy'"),
    (PLACES.astype(float).where(PLACES > 0), "finite counts"),
    (PLACES.iloc[5:6], "at least two"),
])
def test_bad_tables_name_the_problem(table, message):
    with pytest.raises(ValueError, match=message):
        correspondence_analysis(table)


def test_orientation_is_fixed_and_reruns_identical():
    a, b = correspondence_analysis(PLACES), correspondence_analysis(PLACES.copy())
    pd.testing.assert_frame_equal(a.row_coords, b.row_coords)
    f = a.row_coords.to_numpy()
    assert (f[np.abs(f).argmax(axis=0), np.arange(f.shape[1])] > 0).all()
