"""The OxCGRT policy source: registry, mirror/download, parser, province mapping, NaN handling."""
from __future__ import annotations

import csv
import shutil
import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis as A
from analysis.sources import policy as pol

ROOT = Path(__file__).resolve().parent.parent
MIRROR = ROOT.parent / "shared" / "mirror" / "OxCGRT" / "covid-policy-dataset"
FILES = MIRROR / pol.COMMIT
needs_mirror = pytest.mark.skipif(not FILES.is_dir(), reason=f"no OxCGRT mirror at {FILES} "
                                  f"(set up ../shared/mirror beside the checkout to run these tests)")


# ----------------------------------------------------------------------------- synthetic files

DAYS = ["01Jan2020", "02Jan2020", "03Jan2020"]


def synthetic_csv(values=None, *, drop=None, extra_rows=(), days=DAYS) -> str:
    """A timeseries file in OxCGRT's layout: another country, China's 31 regions and NAT_TOTAL.
    ``values``: province -> list of cell strings (default: the region's index * 1.5 on every day)."""
    values = values or {}
    lines = [",".join(["CountryCode", "CountryName", "RegionCode", "RegionName", "CityCode", "CityName",
                       "Jurisdiction", *days])]
    lines.append(",".join(["AFG", "Afghanistan", "", "", "", "", "NAT_TOTAL", *["9"] * len(days)]))
    for i, (code, (english, province)) in enumerate(pol.REGIONS.items()):
        if province == drop:
            continue
        cells = values.get(province, [str(i * 1.5)] * len(days))
        lines.append(",".join(["CHN", "China", code, english, '""', '""', "STATE_TOTAL", *cells]))
    cells = values.get(pol.NATIONAL, ["50"] * len(days))
    lines.append(",".join(["CHN", "China", "", "", "", "", "NAT_TOTAL", *cells]))
    lines.extend(extra_rows)
    return "\n".join(lines) + "\n"


def write_files(folder: Path, content: str | None = None) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for col in pol.INDICES:
        p = folder / f"{col}.csv"
        p.write_text(content or synthetic_csv(), encoding="utf-8")
        out[col] = p
    return out


# ----------------------------------------------------------------------------- province mapping

def test_all_31_regions_map_to_the_project_province_names():
    provinces = [p for _, p in pol.REGIONS.values()]
    assert len(pol.REGIONS) == 31 and len(set(provinces)) == 31
    mainland = [p for p in A.PROVINCES if p not in ("香港", "澳门", "台湾")]
    assert sorted(provinces) == sorted(mainland)
    gaz = pd.read_csv(ROOT / "data" / "gazetteer.csv", comment="#")
    assert set(provinces) <= set(gaz["name"])


@pytest.mark.parametrize("code, english, province", [
    ("CHN_NM", "Inner Mongolia", "内蒙古"), ("CHN_XZ", "Tibet", "西藏"), ("CHN_SN", "Shaanxi", "陕西"),
    ("CHN_SX", "Shanxi", "山西"), ("CHN_HA", "Henan", "河南"), ("CHN_HE", "Hebei", "河北"),
    ("CHN_HI", "Hainan", "海南"), ("CHN_HN", "Hunan", "湖南"), ("CHN_HB", "Hubei", "湖北"),
    ("CHN_XJ", "Xinjiang", "新疆"), ("CHN_GX", "Guangxi", "广西"), ("CHN_NX", "Ningxia", "宁夏"),
])
def test_easily_confused_regions(code, english, province):
    assert pol.province_for_region(code, english) == province


def test_unknown_or_renamed_region_is_an_error():
    with pytest.raises(pol.PolicyError, match="unknown OxCGRT region code 'CHN_HK'"):
        pol.province_for_region("CHN_HK")
    with pytest.raises(pol.PolicyError, match="named 'Shanxi'.*expected 'Shaanxi'"):
        pol.province_for_region("CHN_SN", "Shanxi")


@needs_mirror
def test_every_region_of_the_real_files_is_mapped_with_its_english_name():
    for col, reg in pol.INDEX_FILES.items():
        with open(FILES / reg, encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r["CountryCode"] == "CHN" and r["Jurisdiction"] == "STATE_TOTAL"]
        assert {r["RegionCode"]: r["RegionName"] for r in rows} == {c: e for c, (e, _) in pol.REGIONS.items()}


# ----------------------------------------------------------------------------- parser (synthetic)

def test_parse_index_file_long_table_and_nan_for_empty_cells(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(synthetic_csv({"重庆": ["10", "", "30.5"], pol.NATIONAL: ["50", "", ""]}), encoding="utf-8")
    t = pol.parse_index_file(p, "stringency")
    assert len(t) == 32 * 3  # Afghanistan left out
    cq = t[t.province == "重庆"].set_index("date")["stringency"]
    assert cq.iloc[0] == 10 and np.isnan(cq.iloc[1]) and cq.iloc[2] == 30.5
    nat = t[t.level == "national"]
    assert (nat.province == "全国").all() and (nat.region_code == "").all()
    assert nat.stringency.isna().sum() == 2  # empty is NaN, never 0
    assert t[t.province == "安徽"].stringency.tolist() == [0.0, 0.0, 0.0]  # a real 0 stays 0
    assert list(t.date.drop_duplicates()) == list(pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03"]))


def test_parse_errors_name_file_line_and_column(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(synthetic_csv({"天津": ["1", "n/a", "3"]}), encoding="utf-8")
    with pytest.raises(pol.PolicyError, match=r"bad\.csv, line \d+ \(天津\), column 02Jan2020: 'n/a'"):
        pol.parse_index_file(p, "stringency")
    p.write_text(synthetic_csv(drop="西藏"), encoding="utf-8")
    with pytest.raises(pol.PolicyError, match=r"bad\.csv: no row for 西藏"):
        pol.parse_index_file(p, "stringency")
    p.write_text(synthetic_csv(days=["01Jan2020", "2020-01-02", "03Jan2020"]), encoding="utf-8")
    with pytest.raises(pol.PolicyError, match=r"bad\.csv: day columns .*2020-01-02"):
        pol.parse_index_file(p, "stringency")
    dup = "CHN,China,CHN_BJ,Beijing,,,STATE_TOTAL,1,2,3"
    p.write_text(synthetic_csv(extra_rows=[dup]), encoding="utf-8")
    with pytest.raises(pol.PolicyError, match=r"bad\.csv, line \d+: 北京 \(CHN_BJ\) repeats line"):
        pol.parse_index_file(p, "stringency")
    p.write_text("CountryCode,Region\n", encoding="utf-8")
    with pytest.raises(pol.PolicyError, match=r"bad\.csv: expected the columns"):
        pol.parse_index_file(p, "stringency")


def test_parse_policy_joins_the_four_indices_and_filters_dates(tmp_path):
    paths = write_files(tmp_path)
    t = pol.parse_policy(paths, start="2020-01-02")
    assert list(t.columns) == pol.COLUMNS
    assert t.date.min() == pd.Timestamp("2020-01-02") and len(t) == 32 * 2
    assert list(t.province.drop_duplicates())[:3] == ["北京", "天津", "河北"]  # analysis.PROVINCES order
    assert t.province.iloc[-1] == "全国"
    row = t[(t.province == "重庆")].iloc[0]
    i = list(pol.REGIONS).index("CHN_CQ")
    assert row.stringency == row.economic_support == i * 1.5


# ----------------------------------------------------------------------------- the real files (mirror)

@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not FILES.is_dir():
        pytest.skip(f"no OxCGRT mirror at {FILES}")
    return pol.load_policy(mirror=MIRROR, table_cache_dir=tmp_path_factory.mktemp("tables"))


@needs_mirror
def test_parser_cells_equal_the_raw_csv_read_separately(real):
    """20 random cells of each index against a plain csv.DictReader of the file."""
    rng = np.random.default_rng(7)
    t = real.set_index(["province", "date"])
    for col, reg in pol.INDEX_FILES.items():
        with open(FILES / reg, encoding="utf-8") as f:
            raw = [r for r in csv.DictReader(f) if r["CountryCode"] == "CHN"]
        day_cols = [c for c in raw[0] if c[:2].isdigit()]
        for _ in range(20):
            r = raw[rng.integers(len(raw))]
            day = day_cols[rng.integers(len(day_cols))]
            province = pol.NATIONAL if r["Jurisdiction"] == "NAT_TOTAL" else pol.REGIONS[r["RegionCode"]][1]
            got = t.loc[(province, pd.Timestamp(day)), col]
            if r[day] == "":
                assert np.isnan(got), (col, province, day)
            else:
                assert got == float(r[day]), (col, province, day)


@needs_mirror
def test_issue_values_mean_stringency_aug_2021_and_nov_2022(real):
    """The monthly means quoted in the issue that motivated the source."""
    month = real.date.dt.strftime("%Y-%m")
    m = real[month.isin(["2021-08", "2022-11"])].groupby(["province", month]).stringency.mean().unstack().round(1)
    expected = {"重庆": (45.8, 84.5), "新疆": (45.2, 78.8), "山东": (51.7, 84.0), "天津": (40.7, 71.9),
                "江苏": (73.1, 58.3), "海南": (49.6, 38.0)}
    for province, (aug, nov) in expected.items():
        assert tuple(m.loc[province]) == (aug, nov), province


@needs_mirror
def test_real_table_shape_and_missing_national_days(real):
    assert real.province.nunique() == 32 and set(real.level) == {"provincial", "national"}
    assert real.date.min() == pd.Timestamp("2020-01-01") and real.date.max() == pd.Timestamp("2023-02-28")
    nat = real[real.level == "national"].set_index("date").stringency
    assert nat.loc["2022-12-31"] > 0 and nat.loc["2023-01-01":].isna().all()  # NaN, not 0
    cov = pd.DataFrame(real.attrs["coverage"]).set_index(["index", "level"])
    assert cov.loc[("stringency", "national"), "last"] == pd.Timestamp("2022-12-31")
    assert real.attrs["commit"] == pol.COMMIT and real.attrs["registry_hash"] == pol.SOURCE.registry_hash()
    assert "10.1038/s41562-021-01079-8" in real.attrs["citation"]
    pd.concat([real.iloc[:3], real.iloc[3:5]])  # attrs hold no frame, so slices concatenate


@needs_mirror
def test_date_range_and_cache(tmp_path):
    cache = tmp_path / "tables"
    cold = pol.load_policy("2022-11-01", "2022-11-30", mirror=MIRROR, table_cache_dir=cache)
    warm = pol.load_policy("2022-11-01", "2022-11-30", mirror=MIRROR, table_cache_dir=cache)
    assert not cold.attrs["from_cache"] and warm.attrs["from_cache"]
    pd.testing.assert_frame_equal(cold, warm)
    assert len(cold) == 32 * 30
    other = pol.load_policy("2022-11-01", "2022-11-15", mirror=MIRROR, table_cache_dir=cache)
    assert not other.attrs["from_cache"] and len(other) == 32 * 15


# ----------------------------------------------------------------------------- registry, mirror, download

def test_registry_is_committed_and_lists_the_index_files():
    reg = pol.SOURCE.read_registry()
    assert set(pol.INDEX_FILES.values()) <= set(reg)
    assert {"LICENSE.txt", "README.md", "documentation_and_codebook.md"} <= set(reg)
    assert len(pol.SOURCE.registry_hash()) == 64


@needs_mirror
def test_registry_matches_the_mirror_checksums():
    sums = {}
    for line in (MIRROR / f"SHA256SUMS-{pol.COMMIT}.txt").read_text().splitlines():
        h, name = line.split()
        sums[name.removeprefix("./")] = h
    assert pol.SOURCE.read_registry() == sums


def _copy_mirror(tmp_path) -> Path:
    dst = tmp_path / "mirror" / pol.COMMIT
    shutil.copytree(FILES / "data", dst / "data")
    for p in dst.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    return tmp_path / "mirror"


@needs_mirror
def test_tampered_mirror_file_is_an_error_naming_it(tmp_path):
    mirror = _copy_mirror(tmp_path)
    p = mirror / pol.COMMIT / pol.INDEX_FILES["stringency"]
    p.write_bytes(p.read_bytes().replace(b"84.26", b"14.26", 1))
    with pytest.raises(pol.PolicyError, match=r"changed\): data/timeseries_indices/OxCGRT_timeseries_"
                                              r"StringencyIndex_v1\.csv"):
        pol.load_policy(mirror=mirror, use_cache=False)


@needs_mirror
def test_missing_mirror_file_is_an_error_naming_it(tmp_path):
    mirror = _copy_mirror(tmp_path)
    (mirror / pol.COMMIT / pol.INDEX_FILES["economic_support"]).unlink()
    with pytest.raises(pol.PolicyError, match=r"missing from the mirror: data/timeseries_indices/"
                                              r"OxCGRT_timeseries_EconomicSupportIndex_v1\.csv"):
        pol.fetch_policy(mirror=mirror)


def test_mirror_without_data_folder(tmp_path):
    with pytest.raises(pol.PolicyError, match="no data/ folder"):
        pol.fetch_policy(mirror=tmp_path)


@pytest.fixture
def server(http_folder, monkeypatch):
    """A local HTTP server for the downloads; yields (base_url, upstream dir)."""
    monkeypatch.delenv(pol.MIRROR_ENV, raising=False)
    return http_folder


def test_download_through_the_shared_mechanism(server, tmp_path):
    """Synthetic files served locally, a registry of their hashes: downloaded, verified, parsed;
    a changed upstream file is an error naming it."""
    from analysis.sources.pinned import sha256_file

    base, upstream = server
    write_files(upstream / "tmp")
    reg = {}
    for col, name in pol.INDEX_FILES.items():
        dst = upstream / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(upstream / "tmp" / f"{col}.csv", dst)
        reg[name] = sha256_file(dst)
    paths = pol.SOURCE.fetch(list(reg), registry=reg, cache_dir=tmp_path / "cache", progressbar=False,
                             base_url=base)
    table = pol.parse_policy(dict(zip(reg, paths)))
    assert len(table) == 32 * 3 and all((tmp_path / "cache") in p.parents for p in paths)
    name = pol.INDEX_FILES["stringency"]
    (upstream / name).write_text(synthetic_csv({"重庆": ["1", "2", "3"]}), encoding="utf-8")
    with pytest.raises(pol.PolicyError, match=r"OxCGRT_timeseries_StringencyIndex_v1\.csv: .*SHA-256 differs"):
        pol.SOURCE.fetch([name], registry=reg, cache_dir=tmp_path / "cache2", progressbar=False, base_url=base)


def test_offline_without_mirror_says_how_to_get_the_files(tmp_path, monkeypatch):
    monkeypatch.delenv(pol.MIRROR_ENV, raising=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(pol.PolicyUnavailable) as err:
        pol.fetch_policy(cache_dir=tmp_path, base_url=f"http://127.0.0.1:{port}/")
    msg = str(err.value)
    assert pol.MIRROR_ENV in msg and "python -m analysis.sources.policy" in msg
    from analysis.sources import SourceUnavailable
    assert isinstance(err.value, SourceUnavailable) and isinstance(err.value, pol.PolicyError)


@needs_mirror
def test_command_line_verifies_every_registry_file(capsys):
    assert pol.main(["--mirror", str(MIRROR)]) == 0
    assert f"{len(pol.SOURCE.read_registry())} files verified against oxcgrt-{pol.COMMIT}.sha256" in capsys.readouterr().out


def test_notebook_08_code_hash_covers_the_source_and_policy_modules():
    """make figures re-runs notebook 08 when the policy parser, the shared source mechanism,
    the joins or the builders change."""
    from analysis.infra.provenance import notebook_modules

    mods = notebook_modules(ROOT / "notebooks" / "08_talk_and_action.ipynb")
    for m in ["sources/policy.py", "sources/pinned.py", "sources/table_cache.py", "sources/broadcast.py",
              "measures/talk_action.py", "figures/policy_plots.py", "measures/evidence.py"]:
        assert m in mods, m
