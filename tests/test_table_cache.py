"""The parsed-table cache of external sources: round trip, key and checksum checks, both sources."""
from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.infra.cache import CacheWarning
from analysis.sources import broadcast as bc
from analysis.sources import policy as pol
from analysis.sources import table_cache as tc

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "mirror" / "Felix-Jung" / "xin-wen-lian-bo" / bc.COMMIT / "news"
needs_mirror = pytest.mark.skipif(not NEWS.is_dir(), reason=f"no 新闻联播 mirror at {NEWS}")


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "unit_id": ["a", "b", "c"], "text": ["坚持动态清零", "", "科学精准"],
        "n": np.array([1, 2, 3], dtype="int64"), "flag": [True, False, True],
        "x": [0.5, np.nan, 2.0], "date": pd.to_datetime(["2022-11-11", "2021-08-08", "2020-01-01"]),
        "provinces": [["河南", "湖北"], [], ["广东"]]})


KEY = {"source": "test", "commit": "c" * 40, "registry_hash": "r" * 64, "parser_version": "1",
       "parser_code": "p" * 16, "first": "a", "last": "b"}


def test_round_trip_keeps_types_and_list_columns(tmp_path):
    path = tc.cache_path(KEY, tmp_path)
    df, rep = frame(), pd.DataFrame({"date": ["2022-11-11"], "ok": [False], "issues": ["x"]})
    assert tc.write_tables(path, KEY, {"table": df, "report": rep})
    got = tc.read_tables(path, KEY, list_columns=["provinces"])
    pd.testing.assert_frame_equal(got["table"], df)
    pd.testing.assert_frame_equal(got["report"], rep)
    assert got["table"].provinces[0] == ["河南", "湖北"] and isinstance(got["table"].provinces[1], list)


def test_another_key_is_rejected_even_with_a_valid_checksum(tmp_path):
    """A cache file copied to the name of another key (checksum fine) is not served."""
    other = dict(KEY, last="z")
    src, dst = tc.cache_path(KEY, tmp_path), tc.cache_path(other, tmp_path)
    assert src != dst
    tc.write_tables(src, KEY, {"table": frame()})
    shutil.copy(src, dst)
    with pytest.warns(CacheWarning, match="built for another request"):
        assert tc.read_tables(dst, other) is None


def test_damaged_file_is_rejected_and_rebuilt(tmp_path):
    calls = []

    def build():
        calls.append(1)
        return {"table": frame()}

    t1, hit1 = tc.cached_tables(KEY, build, cache_dir=tmp_path, list_columns=["provinces"])
    t2, hit2 = tc.cached_tables(KEY, build, cache_dir=tmp_path, list_columns=["provinces"])
    assert (hit1, hit2, len(calls)) == (False, True, 1)
    pd.testing.assert_frame_equal(t1["table"], t2["table"])
    path = tc.cache_path(KEY, tmp_path)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.warns(CacheWarning, match="failed its checksum"):
        t3, hit3 = tc.cached_tables(KEY, build, cache_dir=tmp_path, list_columns=["provinces"])
    assert not hit3 and len(calls) == 2
    _, hit4 = tc.cached_tables(KEY, build, cache_dir=tmp_path)
    assert hit4  # rewritten
    _, hit5 = tc.cached_tables(KEY, build, cache_dir=tmp_path, use_cache=False)
    assert not hit5 and len(calls) == 3


def test_unwritable_cache_folder_warns_and_still_returns_the_table(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "test").write_text("a file where the source's folder should be")  # fails even as root
    with pytest.warns(CacheWarning, match="not a folder; not writing it there"):
        tables, hit = tc.cached_tables(KEY, lambda: {"table": frame()}, cache_dir=folder)
    assert not hit and len(tables["table"]) == 3


def test_keys_of_both_sources_pin_registry_parser_and_range():
    for module in (bc, pol):
        key = tc.table_key(module.SOURCE, parser_version=module.PARSER_VERSION, parser_code=module.parser_code(),
                           start="2022-11-01")
        assert key["registry_hash"] == module.SOURCE.registry_hash() and key["commit"] == module.COMMIT
        assert key["parser_code"] == module.parser_code() and key["start"] == "2022-11-01"
        paths = {tc.cache_path(dict(key, **change)) for change in
                 ({}, {"registry_hash": "0" * 64}, {"parser_version": "2"}, {"parser_code": "x"},
                  {"start": "2022-11-02"})}
        assert len(paths) == 5


@needs_mirror
def test_broadcast_warm_load_equals_the_cold_parse(tmp_path):
    mirror = NEWS.parent.parent
    cold = bc.load_broadcast("2022-11-10", "2022-11-14", mirror=mirror, table_cache_dir=tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warm = bc.load_broadcast("2022-11-10", "2022-11-14", mirror=mirror, table_cache_dir=tmp_path)
    assert not cold.attrs["from_cache"] and warm.attrs["from_cache"]
    pd.testing.assert_frame_equal(cold, warm)
    pd.testing.assert_frame_equal(cold.attrs["parse_report"], warm.attrs["parse_report"])
    direct, report = bc.parse_broadcast(bc.fetch_broadcast("2022-11-10", "2022-11-14", mirror=mirror))
    pd.testing.assert_frame_equal(direct, warm)
    pd.testing.assert_frame_equal(report, warm.attrs["parse_report"])
    assert warm.provinces.map(type).eq(list).all()
    # a warm load needs neither the raw files nor the network: the registry hash pins their bytes
    again = bc.load_broadcast("2022-11-10", "2022-11-14", mirror=tmp_path / "no-such-mirror", table_cache_dir=tmp_path)
    assert again.attrs["from_cache"]
    # summary=True is another table
    with_summary = bc.load_broadcast("2022-11-10", "2022-11-14", mirror=mirror, table_cache_dir=tmp_path,
                                     summary=True)
    assert not with_summary.attrs["from_cache"] and len(with_summary) > len(cold)
