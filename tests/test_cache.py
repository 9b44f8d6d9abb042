"""Verified cache files: bound to the request that built them, never written through links,
kept in owner-only folders."""
import hashlib
import os
import stat

import pytest

from analysis.infra.cache import MAGIC, CacheWarning, read_verified, write_verified

KEY = "test v1 corpus=abc segmenter=def"


def _file_bytes(payload: bytes, key: str) -> bytes:
    """The documented layout, written out independently of the module."""
    k = key.encode("utf-8")
    body = len(k).to_bytes(8, "big") + k + payload
    return MAGIC + hashlib.sha256(MAGIC + body).digest() + body


def test_round_trip_and_layout(tmp_path):
    p = tmp_path / "c" / "x.bin"
    assert write_verified(p, b"payload \x00\xff", key=KEY)
    assert p.read_bytes() == _file_bytes(b"payload \x00\xff", KEY)
    assert read_verified(p, key=KEY) == b"payload \x00\xff"
    assert read_verified(tmp_path / "c" / "missing.bin", key=KEY) is None


def test_a_file_built_for_another_key_is_not_served(tmp_path):
    """Two valid cache files swapped: each names the request it was built for."""
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    write_verified(a, b"A", key="request A")
    write_verified(b, b"B", key="request B")
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    a.write_bytes(b_bytes)
    b.write_bytes(a_bytes)
    with pytest.warns(CacheWarning, match=r"a\.bin was built for another request"):
        assert read_verified(a, key="request A") is None
    with pytest.warns(CacheWarning, match=r"b\.bin was built for another request"):
        assert read_verified(b, key="request B") is None


@pytest.mark.parametrize("layout", ["v1 plain checksum", "v2 plain checksum", "flipped bit"])
def test_a_planted_or_damaged_file_is_not_served(tmp_path, layout):
    p = tmp_path / "x.bin"
    fake = b'["\xe5\x81\x87", "\xe7\x9a\x84"]'
    if layout == "v1 plain checksum":  # the previous format: MAGIC v1 + sha256(payload) + payload
        magic = b"covid-discourse-cache v1\n"
        p.write_bytes(magic + hashlib.sha256(fake).digest() + fake)
    elif layout == "v2 plain checksum":  # right key, but the digest of the payload alone
        k = KEY.encode()
        body = len(k).to_bytes(8, "big") + k + fake
        p.write_bytes(MAGIC + hashlib.sha256(fake).digest() + body)
    else:
        raw = bytearray(_file_bytes(fake, KEY))
        raw[-1] ^= 1
        p.write_bytes(bytes(raw))
    with pytest.warns(CacheWarning, match=r"x\.bin"):
        assert read_verified(p, key=KEY) is None


def test_a_cache_path_that_is_a_link_is_replaced_not_written_through(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    link = cache / "k.npz"
    link.symlink_to(victim)
    with pytest.warns(CacheWarning, match=r"k\.npz is a symbolic link"):
        assert read_verified(link, key=KEY) is None
    assert write_verified(link, b"data", key=KEY)
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and read_verified(link, key=KEY) == b"data"


def test_a_link_to_a_valid_cache_file_is_not_read(tmp_path):
    elsewhere = tmp_path / "elsewhere.bin"
    write_verified(elsewhere, b"data", key=KEY)
    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    (cache / "k.bin").symlink_to(elsewhere)
    with pytest.warns(CacheWarning, match="symbolic link"):
        assert read_verified(cache / "k.bin", key=KEY) is None


def test_cache_folders_and_files_are_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        write_verified(tmp_path / "a" / "b" / "x.bin", b"data", key=KEY)
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b" / "x.bin").stat().st_mode) == 0o600


def test_a_folder_others_can_write_is_not_used(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    write_verified(shared / "x.bin", b"data", key=KEY)
    shared.chmod(0o777)
    with pytest.warns(CacheWarning, match=r"shared is writable by other users"):
        assert read_verified(shared / "x.bin", key=KEY) is None
    with pytest.warns(CacheWarning, match=r"shared is writable by other users"):
        assert not write_verified(shared / "y.bin", b"data", key=KEY)
    assert not (shared / "y.bin").exists()


def test_key_is_required():
    with pytest.raises(TypeError):
        write_verified("x.bin", b"data")  # noqa: the key is keyword-only and required
