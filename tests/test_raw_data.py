"""data/raw/ is the untouched source: checksums and byte identity with shared/corpus."""
import hashlib

import pytest

from conftest import ROOT

RAW = ROOT / "data" / "raw"


def _sums():
    lines = (RAW / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    return {name: digest for digest, name in (l.split(None, 1) for l in lines if l.strip())}


def test_every_raw_file_matches_its_checksum():
    sums = _sums()
    files = sorted(p.name for p in RAW.iterdir() if p.name != "SHA256SUMS")
    assert files == sorted(sums), "data/raw/ and SHA256SUMS list different files"
    for name, digest in sums.items():
        assert hashlib.sha256((RAW / name).read_bytes()).hexdigest() == digest, f"{name} was modified"


def test_raw_files_identical_to_shared_corpus():
    shared = ROOT.parent / "shared" / "corpus"
    if not shared.is_dir():
        pytest.skip("shared/corpus is not beside this checkout")
    for src in sorted(shared.iterdir()):
        assert (RAW / src.name).read_bytes() == src.read_bytes(), src.name


def test_manifest_names_only_existing_raw_files(corpus):
    files = set(corpus["file"]) - {""}  # "" = bulk units with inline text
    assert files <= set(_sums())
    assert files == set(_sums()), "a raw file is not used by any unit"
