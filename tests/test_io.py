"""Atomic writes: the old file survives a failed write and no temporary file is left."""
import pytest

from analysis._io import atomic_write


def test_atomic_write_text_and_bytes(tmp_path):
    p = tmp_path / "sub" / "f.txt"
    atomic_write(p, "清零\n")
    assert p.read_text(encoding="utf-8") == "清零\n"
    atomic_write(p, b"\x00\x01")
    assert p.read_bytes() == b"\x00\x01"
    assert [x.name for x in p.parent.iterdir()] == ["f.txt"]


def test_failed_write_keeps_old_file(tmp_path):
    p = tmp_path / "f.txt"
    atomic_write(p, "old")
    with pytest.raises(TypeError):
        atomic_write(p, 12345)  # not bytes: fails while writing the temporary file
    assert p.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["f.txt"]
