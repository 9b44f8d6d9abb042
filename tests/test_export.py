"""Exports for R, Stata and spreadsheets (analysis/workflow/export.py), read back by
independent readers: pandas (CSV, Parquet, Stata), scipy.io.mmread, and R's Matrix::readMM."""
import json
import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from scipy import io as spio
from scipy import sparse

import analysis as A
from conftest import ROOT
from analysis.infra.files import FORMULA_STARTS
from analysis.text.matrix import DocumentTermMatrix
from analysis.workflow.export import STATA_MAX_VARIABLES, STATA_STR_MAX_BYTES, ExportError, export


def _unquote(value):
    """The inverse of the formula guard: one leading ' removed before a formula character."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_STARTS and value[1:2]:
        return value[1:]
    return value


def read_csv_export(path, **kw):
    """How a careful user reads an exported CSV back: BOM-aware, empty cells as "", guard quotes removed."""
    frame = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False, **kw)
    frame.columns = [_unquote(c) for c in frame.columns]
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].map(_unquote)
    return frame


@pytest.fixture
def small_dtm():
    counts = sparse.csr_matrix(np.array([[2, 0, 1], [0, 5, 0], [0, 0, 0]], dtype="int64"))
    docvars = pd.DataFrame({"unit_id": ["henan-1", "jiangsu-1", "empty-1"], "province": ["河南", "江苏", ""],
                            "note": ["=HYPERLINK(\"x\")", "", "-"], "excerpt": [False, True, False]})
    return DocumentTermMatrix(counts, ("动态清零", "层层加码", "科学精准"), docvars)


# --- tables ---------------------------------------------------------------------------------------

def test_corpus_csv_is_utf8_with_bom_and_reads_back(corpus, tmp_path):
    [path] = export(corpus, tmp_path / "corpus.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.startswith(b"\xef\xbb\xbf\xef\xbb\xbf")
    assert raw[3:].decode("utf-8").splitlines()[0] == ",".join(corpus.columns)
    back = read_csv_export(path, dtype=str)
    assert list(back.columns) == list(corpus.columns)
    for col in corpus.columns:
        expected = corpus[col].astype(str) if corpus[col].dtype != object else corpus[col]
        assert back[col].tolist() == expected.tolist(), col


def test_text_false_leaves_out_the_text_columns(corpus, tmp_path):
    [path] = export(corpus, tmp_path / "meta.csv", text=False)
    back = read_csv_export(path, dtype=str)
    assert list(back.columns) == [c for c in corpus.columns if c not in ("text", "display_text")]
    assert back["unit_id"].tolist() == corpus["unit_id"].tolist()


def test_corpus_parquet_reads_back_with_its_types(corpus, tmp_path):
    [path] = export(corpus, tmp_path / "corpus.parquet")
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, corpus.reset_index(drop=True), check_dtype=False)
    assert back["excerpt"].dtype == bool and back["n_chars"].dtype == "int64"


def test_corpus_stata_reads_back_long_texts_included(corpus, tmp_path):
    assert corpus["text"].map(lambda t: len(t.encode("utf-8"))).max() > STATA_STR_MAX_BYTES, "needs a strL"
    [path] = export(corpus, tmp_path / "corpus.dta")
    back = pd.read_stata(path)
    assert list(back.columns) == list(corpus.columns)
    for col in corpus.columns:
        if corpus[col].dtype == bool:
            assert back[col].astype(bool).tolist() == corpus[col].tolist()
        else:
            assert back[col].tolist() == corpus[col].tolist(), col


def result_table():
    """A result table as the measures return them: term index, negative floats, NaN, lists, formula-like text."""
    idx = pd.Index(["清零", "=1+1", "-号"], name="term")
    return pd.DataFrame({"log_ratio": [1.25, -0.1 / 3, np.nan], "g2": [10.828, 3.84, 0.0],
                         "n_units": [3, 0, 1], "units": [["a", "b"], [], ["c"]],
                         "note": ["+ absent in 2021-08", "", None]}, index=idx)


def test_result_table_csv_keeps_the_index_floats_and_lists(tmp_path):
    table = result_table()
    [path] = export(table, tmp_path / "keyness.csv")
    text = path.read_bytes().decode("utf-8-sig")
    assert "'=1+1" in text and "'-号" in text and "'+ absent" in text   # spreadsheet-safe
    back = read_csv_export(path)
    assert back["term"].tolist() == ["清零", "=1+1", "-号"]
    # floats are written at full precision: read back bit-identical
    assert back["log_ratio"].iloc[:2].astype(float).tolist() == [1.25, -0.1 / 3]
    assert back["log_ratio"].iloc[2] == ""
    assert back["n_units"].tolist() == [3, 0, 1]
    assert [json.loads(u) for u in back["units"]] == [["a", "b"], [], ["c"]]
    assert back["note"].tolist() == ["+ absent in 2021-08", "", ""]


def test_result_table_parquet_and_stata(tmp_path):
    table = result_table()
    [pq] = export(table, tmp_path / "keyness.parquet")
    back = pd.read_parquet(pq)
    assert back["term"].tolist() == table.index.tolist()
    np.testing.assert_array_equal(back["log_ratio"].to_numpy(), table["log_ratio"].to_numpy())
    assert back["units"].tolist() == ['["a", "b"]', "[]", '["c"]']
    [dta] = export(table, tmp_path / "keyness.dta")
    back = pd.read_stata(dta)
    assert back["term"].tolist() == table.index.tolist()
    assert back["note"].tolist() == ["+ absent in 2021-08", "", ""]     # no quote: Stata runs no formulas
    assert np.isnan(back["log_ratio"].iloc[2]) and back["log_ratio"].iloc[0] == 1.25


def test_table_attributes_are_kept(tmp_path):
    table = result_table()
    table.attrs = {"target": ["2022-11"], "n_target": np.int64(2274), "bonferroni_g2": 12.5, "units": {"a", "b"}}
    expected = {"target": ["2022-11"], "n_target": 2274, "bonferroni_g2": 12.5, "units": ["a", "b"]}
    files = export(table, tmp_path / "k.csv")
    assert [f.name for f in files] == ["k.csv", "k.attrs.json"]
    assert json.loads((tmp_path / "k.attrs.json").read_text(encoding="utf-8")) == expected
    assert [f.name for f in export(table, tmp_path / "k.dta")] == ["k.dta", "k.attrs.json"]
    assert export(table, tmp_path / "k.parquet") == [tmp_path / "k.parquet"]
    assert pd.read_parquet(tmp_path / "k.parquet").attrs == expected
    assert table.attrs["n_target"] == 2274 and isinstance(table.attrs["units"], set), "input untouched"


def test_stata_renames_invalid_names_and_keeps_them_as_labels(tmp_path):
    table = pd.DataFrame({"log ratio": [1.0], "省份": ["河南"], "ok_name": [2], "x" * 40: [3]})
    [path] = export(table, tmp_path / "t.dta")
    with pd.io.stata.StataReader(path) as reader:
        back = reader.read()
        labels = reader.variable_labels()
    assert list(back.columns) == ["_0logratio", "_1", "ok_name", "_3" + "x" * 30]
    assert labels["_0logratio"] == "log ratio" and labels["_1"] == "省份" and labels["_3" + "x" * 30] == "x" * 40
    assert back["_1"].tolist() == ["河南"]


def test_a_series_is_written_as_a_one_column_table(tmp_path):
    s = pd.Series([1, 2], index=pd.Index(["a", "b"], name="term"), name="count")
    [path] = export(s, tmp_path / "s.csv")
    assert path.read_bytes() == "\ufeffterm,count\na,1\nb,2\n".encode("utf-8")


def test_rewriting_gives_byte_identical_files(corpus, tmp_path):
    for suffix in (".csv", ".parquet", ".dta"):
        [a] = export(corpus, tmp_path / f"a{suffix}")
        [b] = export(corpus, tmp_path / f"b{suffix}")
        assert a.read_bytes() == b.read_bytes(), suffix


# --- the document-term matrix ---------------------------------------------------------------------

def test_matrix_folder_reads_back_with_scipy(small_dtm, tmp_path):
    files = export(small_dtm, tmp_path / "dtm")
    assert [f.name for f in files] == ["matrix.mtx", "terms.txt", "docvars.csv"]
    m = spio.mmread(tmp_path / "dtm" / "matrix.mtx")
    assert m.shape == (3, 3) and (m.toarray() == small_dtm.counts.toarray()).all()
    assert (tmp_path / "dtm" / "terms.txt").read_bytes() == "动态清零\n层层加码\n科学精准\n".encode("utf-8")
    dv = read_csv_export(tmp_path / "dtm" / "docvars.csv", dtype=str)
    assert dv["unit_id"].tolist() == ["henan-1", "jiangsu-1", "empty-1"]
    assert dv["note"].tolist() == ['=HYPERLINK("x")', "", "-"]
    assert dv["province"].tolist() == ["河南", "江苏", ""]


def test_real_matrix_round_trips(corpus, tmp_path):
    dtm = A.document_term_matrix(corpus)
    export(dtm, tmp_path / "dtm")
    m = spio.mmread(tmp_path / "dtm" / "matrix.mtx").tocsr()
    assert m.shape == dtm.shape and (m != dtm.counts).nnz == 0
    terms = (tmp_path / "dtm" / "terms.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert tuple(terms) == dtm.vocab
    dv = read_csv_export(tmp_path / "dtm" / "docvars.csv", dtype=str)
    assert dv["unit_id"].tolist() == dtm.docvars["unit_id"].tolist()
    first = export(dtm, tmp_path / "again")
    assert all(a.read_bytes() == (tmp_path / "dtm" / a.name).read_bytes() for a in first)


@pytest.mark.skipif(shutil.which("Rscript") is None and not os.environ.get("CI"),
                    reason="Rscript not installed (apt-get install r-base-core r-cran-matrix); runs in CI")
def test_r_reads_the_matrix_and_docvars(small_dtm, corpus, tmp_path):
    assert shutil.which("Rscript"), "CI must have R: apt-get install r-base-core r-cran-matrix"
    export(small_dtm, tmp_path / "small")
    dtm = A.document_term_matrix(corpus)
    export(dtm, tmp_path / "real")
    j = dtm.vocab.index("动态清零") if "动态清零" in dtm.vocab else 0
    script = r"""
    args <- commandArgs(trailingOnly = TRUE)
    read_dtm <- function(dir) {
      m <- Matrix::readMM(file.path(dir, "matrix.mtx"))
      dv <- read.csv(file.path(dir, "docvars.csv"), fileEncoding = "UTF-8-BOM", colClasses = "character")
      dimnames(m) <- list(dv$unit_id, readLines(file.path(dir, "terms.txt"), encoding = "UTF-8"))
      list(m = m, dv = dv)
    }
    s <- read_dtm(args[1]); r <- read_dtm(args[2])
    out <- list(
      small_dim = dim(s$m), small_dense = as.vector(t(as.matrix(s$m))),
      small_cell = s$m["jiangsu-1", "层层加码"], small_terms = colnames(s$m),
      small_province = s$dv$province, small_note = s$dv$note,
      real_dim = dim(r$m), real_sum = sum(r$m), real_units = rownames(r$m),
      real_col = as.vector(r$m[, as.integer(args[3]) + 1]), real_term = colnames(r$m)[as.integer(args[3]) + 1]
    )
    con <- file(args[4], open = "w", encoding = "UTF-8")
    for (k in names(out)) writeLines(paste0(k, "\t", paste(out[[k]], collapse = "|")), con)
    close(con)
    """
    (tmp_path / "read.R").write_text(script, encoding="utf-8")
    res = subprocess.run(["Rscript", "--vanilla", str(tmp_path / "read.R"), str(tmp_path / "small"),
                          str(tmp_path / "real"), str(j), str(tmp_path / "out.tsv")],
                         capture_output=True, text=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert res.returncode == 0, res.stderr
    got = dict(line.split("\t", 1) for line in (tmp_path / "out.tsv").read_text(encoding="utf-8").splitlines())
    assert got["small_dim"] == "3|3"
    assert got["small_dense"] == "2|0|1|0|5|0|0|0|0"
    assert got["small_cell"] == "5"
    assert got["small_terms"] == "动态清零|层层加码|科学精准"
    assert got["small_province"] == "河南|江苏|"
    assert got["small_note"] == "'=HYPERLINK(\"x\")||-"      # R shows the spreadsheet-safe text
    assert got["real_dim"] == f"{dtm.shape[0]}|{dtm.shape[1]}"
    assert int(got["real_sum"]) == dtm.counts.sum()
    assert got["real_units"].split("|") == dtm.docvars["unit_id"].tolist()
    assert got["real_term"] == dtm.vocab[j]
    assert [int(v) for v in got["real_col"].split("|")] == dtm.column(dtm.vocab[j]).tolist()


# --- bad input ------------------------------------------------------------------------------------

def test_a_missing_folder_is_named_with_the_fix(corpus, tmp_path):
    with pytest.raises(ExportError, match=r"folder .*nope.* does not exist.*mkdir -p"):
        export(corpus, tmp_path / "nope" / "corpus.csv")
    assert not (tmp_path / "nope").exists()


@pytest.mark.parametrize("obj", [[1, 2], {"a": 1}, np.arange(3), "corpus.csv"])
def test_an_unknown_object_type_is_refused(obj, tmp_path):
    with pytest.raises(ExportError, match="DataFrame or Series .* or a DocumentTermMatrix"):
        export(obj, tmp_path / "x.csv")


def test_an_unknown_suffix_lists_the_formats(corpus, tmp_path):
    with pytest.raises(ExportError, match=r"\.csv .*\.parquet .*\.dta"):
        export(corpus, tmp_path / "corpus.xlsx")


def test_a_matrix_needs_a_folder_and_a_table_a_file(small_dtm, corpus, tmp_path):
    with pytest.raises(ExportError, match="written to a folder"):
        export(small_dtm, tmp_path / "dtm.csv")
    (tmp_path / "f").write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        export(small_dtm, tmp_path / "f")
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(ExportError, match="name a file ending in"):
        export(corpus, tmp_path / "d.csv")


def test_tables_stata_cannot_hold_are_refused(tmp_path):
    wide = pd.DataFrame(np.zeros((1, STATA_MAX_VARIABLES + 1), dtype="int8"),
                        columns=[f"v{i}" for i in range(STATA_MAX_VARIABLES + 1)])
    with pytest.raises(ExportError, match="more than Stata's 32,767 variables.*parquet"):
        export(wide, tmp_path / "wide.dta")
    with pytest.raises(ExportError, match="multi-level column names"):
        export(pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "x"), ("a", "y")])),
               tmp_path / "m.csv")
    with pytest.raises(ExportError, match="duplicate column names"):
        export(pd.DataFrame([[1, 2]], columns=["a", "a"]), tmp_path / "d.csv")
    assert not list(tmp_path.iterdir())


def test_terms_that_cannot_be_lines_are_refused(tmp_path):
    dtm = DocumentTermMatrix(sparse.csr_matrix(np.ones((1, 2), dtype="int64")), ("a\nb", "c"),
                             pd.DataFrame({"unit_id": ["u"]}))
    with pytest.raises(ExportError, match="line break"):
        export(dtm, tmp_path / "dtm")
    assert not (tmp_path / "dtm").exists()


def test_public_name():
    assert A.export is export


def _r_has(package):
    if shutil.which("Rscript") is None:
        return False
    res = subprocess.run(["Rscript", "-e", f"quit(status = !requireNamespace('{package}', quietly = TRUE))"],
                         capture_output=True)
    return res.returncode == 0


@pytest.mark.skipif(not _r_has("haven"), reason="R package haven not installed (apt-get install r-cran-haven)")
def test_stata_file_reads_in_r_with_haven(corpus, tmp_path):
    """An independent reader of the .dta file: R's haven (Stata's own format, not pandas reading pandas)."""
    table = pd.DataFrame({"省份": ["河南", "江苏"], "log_ratio": [1.25, -0.5], "n": [3, 0], "flag": [True, False]})
    export(table, tmp_path / "t.dta")
    export(corpus, tmp_path / "corpus.dta")
    script = r"""
    args <- commandArgs(trailingOnly = TRUE)
    t <- haven::read_dta(args[1]); c <- haven::read_dta(args[2])
    con <- file(args[3], open = "w", encoding = "UTF-8")
    writeLines(c(paste(names(t), collapse = "|"), paste(t[[1]], collapse = "|"), attr(t[[1]], "label"),
                 paste(t$log_ratio, collapse = "|"), paste(t$n, collapse = "|"), paste(t$flag, collapse = "|"),
                 paste(dim(c), collapse = "|"), as.character(nchar(c$text[which.max(nchar(c$text))])),
                 c$unit_id[1]), con)
    close(con)
    """
    (tmp_path / "read.R").write_text(script, encoding="utf-8")
    res = subprocess.run(["Rscript", "--vanilla", str(tmp_path / "read.R"), str(tmp_path / "t.dta"),
                          str(tmp_path / "corpus.dta"), str(tmp_path / "out.txt")],
                         capture_output=True, text=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert res.returncode == 0, res.stderr
    lines = (tmp_path / "out.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "_0|log_ratio|n|flag"
    assert lines[1:6] == ["河南|江苏", "省份", "1.25|-0.5", "3|0", "1|0"]
    assert lines[6] == f"{len(corpus)}|{corpus.shape[1]}"
    assert int(lines[7]) == corpus["text"].str.len().max()          # the longest text whole (strL)
    assert lines[8] == corpus["unit_id"].iloc[0]


def test_readme_states_the_stata_limits_of_the_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Stata's {STATA_MAX_VARIABLES:,} variables" in readme
    assert f"texts over {STATA_STR_MAX_BYTES:,} bytes are `strL`" in readme
