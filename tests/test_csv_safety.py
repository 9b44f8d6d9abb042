"""Spreadsheet formula cells made inert, reversibly (analysis/infra/csv_safety.py)."""
import io

import numpy as np
import pandas as pd
import pytest

from analysis.infra.csv_safety import (FORMULA_TRIGGERS, neutralise_cell, neutralise_frame, restore_cell,
                                       restore_frame)


@pytest.mark.parametrize("cell, written", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("'quoted", "''quoted"),       # a leading quote is escaped too, so restoring is exact
    ("清零", "清零"),
    ("a=b", "a=b"),                 # only the first character matters
    (" =1", " =1"),
    ("", ""),
])
def test_cells_starting_with_a_trigger_get_one_quote(cell, written):
    assert neutralise_cell(cell) == written
    assert restore_cell(written) == cell


def test_the_triggers_are_owasps():
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("value", [-0.5, -3, np.int64(-1), None, np.nan, True])
def test_non_text_values_are_never_changed(value):
    out = neutralise_cell(value)
    assert out is value or (isinstance(value, float) and np.isnan(out))


def test_frame_changes_text_cells_and_names_only():
    df = pd.DataFrame({"term": ["=1+1", "清零", None], "=col": ["-x", "y", "@z"],
                       "z": [-1.5, 2.0, np.nan], "n": [-1, 0, 1], "flag": [True, False, True]})
    out = neutralise_frame(df)
    assert list(out.columns) == ["term", "'=col", "z", "n", "flag"]
    assert out["term"].tolist()[:2] == ["'=1+1", "清零"] and pd.isna(out["term"].iloc[2])
    assert out["'=col"].tolist() == ["'-x", "y", "'@z"]
    pd.testing.assert_series_equal(out["z"], df["z"])
    pd.testing.assert_series_equal(out["n"], df["n"])
    assert df["term"].iloc[0] == "=1+1", "the input frame must not be modified"
    pd.testing.assert_frame_equal(restore_frame(out), df)


def test_round_trip_through_a_csv_file():
    df = pd.DataFrame({"cell": ["=cmd|' /C calc'!A0", "'", "'=", "-", "普通"]})
    buf = io.StringIO()
    neutralise_frame(df).to_csv(buf, index=False)
    text = buf.getvalue()
    # what a spreadsheet sees: no line of the file begins with a trigger
    assert not any(line[:1] in FORMULA_TRIGGERS for line in text.splitlines()[1:])
    back = restore_frame(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))
    pd.testing.assert_frame_equal(back, df, check_dtype=False)


def test_frame_rejects_other_objects():
    with pytest.raises(TypeError, match="DataFrame"):
        neutralise_frame(["=1"])
