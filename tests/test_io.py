"""Atomic writes: the old file survives a failed write and no temporary file is left."""
import errno
import os
import stat

import pytest

from analysis.infra.files import atomic_write, atomic_write_many


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


def test_read_only_target_is_refused_and_untouched(tmp_path):
    p = tmp_path / "f.txt"
    p.write_text("old")
    p.chmod(0o444)
    with pytest.raises(PermissionError, match=r"f\.txt is read-only"):
        atomic_write(p, "new")
    assert p.read_text() == "old" and (p.stat().st_mode & 0o777) == 0o444
    assert [x.name for x in tmp_path.iterdir()] == ["f.txt"]


def test_symlink_is_written_through(tmp_path):
    real = tmp_path / "real" / "kw.yml"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "kw.yml"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == "new"


@pytest.mark.parametrize("mode", [0o644, 0o664, 0o600, 0o755])
def test_file_mode_is_kept(tmp_path, mode):
    p = tmp_path / "f.txt"
    p.write_text("old")
    p.chmod(mode)
    atomic_write(p, "new")
    assert stat.S_IMODE(p.stat().st_mode) == mode


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_new_file_mode_follows_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        atomic_write(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o666 & ~umask


def test_many_files_replaced_together_or_not_at_all(tmp_path, monkeypatch):
    """A disk-full on the third rename puts the first two files back."""
    names = ["a.pdf", "a.png", "a.csv", "manifest.csv"]
    for n in names:
        (tmp_path / n).write_text(f"old {n}")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space"):
        atomic_write_many({tmp_path / n: f"new {n}" for n in names})
    monkeypatch.setattr(os, "replace", real_replace)
    assert {n: (tmp_path / n).read_text() for n in names} == {n: f"old {n}" for n in names}
    assert sorted(x.name for x in tmp_path.iterdir()) == sorted(names)  # no temporary files


def test_many_files_new_files_removed_on_failure(tmp_path, monkeypatch):
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        atomic_write_many({tmp_path / "x": "1", tmp_path / "y": "2"})
    assert list(tmp_path.iterdir()) == []


def test_many_files_read_only_member_writes_nothing(tmp_path):
    (tmp_path / "a").write_text("old a")
    (tmp_path / "b").write_text("old b")
    (tmp_path / "b").chmod(0o444)
    with pytest.raises(PermissionError, match="read-only"):
        atomic_write_many({tmp_path / "a": "new", tmp_path / "b": "new"})
    assert (tmp_path / "a").read_text() == "old a"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a", "b"]


def test_without_following_links_the_link_is_replaced_and_its_target_untouched(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    victim.chmod(0o644)
    link = tmp_path / "cache.bin"
    link.symlink_to(victim)
    atomic_write(link, "cache", follow_links=False, mode=0o600)
    assert victim.read_text() == "precious" and stat.S_IMODE(victim.stat().st_mode) == 0o644
    assert not link.is_symlink() and link.read_text() == "cache"
    assert stat.S_IMODE(link.stat().st_mode) == 0o600


def test_a_link_to_a_read_only_file_can_be_replaced_without_following(tmp_path):
    victim = tmp_path / "ro.txt"
    victim.write_text("x")
    victim.chmod(0o444)
    (tmp_path / "c").symlink_to(victim)
    atomic_write(tmp_path / "c", "new", follow_links=False)
    assert victim.read_text() == "x" and (tmp_path / "c").read_text() == "new"


def test_mode_is_applied_to_new_and_existing_files(tmp_path):
    p = tmp_path / "f"
    atomic_write(p, "a", mode=0o600)
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    p.chmod(0o644)
    atomic_write(p, "b", mode=0o600)
    assert stat.S_IMODE(p.stat().st_mode) == 0o600


def test_stale_temporary_files_are_removed(tmp_path):
    from analysis.infra.files import remove_stale_temps
    target = tmp_path / "keywords.yml"
    target.write_text("x")
    stale = [tmp_path / ".keywords.yml.abc123.tmp", tmp_path / ".keywords.yml.q_9.old"]
    kept = [tmp_path / ".other.yml.abc.tmp", tmp_path / "keywords.yml.abc.tmp", tmp_path / ".keywords.yml.tmp"]
    for p in stale + kept:
        p.write_text("leftover")
    (tmp_path / ".keywords.yml.dir.tmp").mkdir()  # not a regular file: kept
    assert sorted(remove_stale_temps(target)) == sorted(stale)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["keywords.yml", ".keywords.yml.dir.tmp", *(p.name for p in kept)])


def test_stale_temporary_files_of_a_link_target_are_removed_beside_the_target(tmp_path):
    from analysis.infra.files import remove_stale_temps
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "kw.yml").write_text("x")
    (tmp_path / "kw.yml").symlink_to(tmp_path / "real" / "kw.yml")
    (tmp_path / "real" / ".kw.yml.zz.tmp").write_text("leftover")
    assert remove_stale_temps(tmp_path / "kw.yml") == [tmp_path / "real" / ".kw.yml.zz.tmp"]


@pytest.mark.parametrize("value, safe", [
    ('=HYPERLINK("http://e.x","a")', '\'=HYPERLINK("http://e.x","a")'),
    ("+1+2", "'+1+2"), ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("-", "-"), ("-0.25", "-0.25"), ("+3e-05", "+3e-05"),
    ("-.5", "-.5"), ("--1", "'--1"), ("-1-1", "'-1-1"), ("清零", "清零"), ("a=b", "a=b"), ("", ""),
    (-1.5, -1.5), (None, None), (3, 3),
])
def test_csv_safe_by_hand(value, safe):
    from analysis.infra.files import csv_safe
    assert csv_safe(value) == safe


def test_csv_safe_frame_neutralises_cells_and_names_and_keeps_the_rest():
    import pandas as pd

    from analysis.infra.files import csv_safe_frame
    df = pd.DataFrame({"theme": ["=1+1", "清零"], "n": [-1, 2], "=bad": ["-", "+x"]})
    out = csv_safe_frame(df)
    assert out.columns.tolist() == ["theme", "n", "'=bad"]
    assert out["theme"].tolist() == ["'=1+1", "清零"] and out["'=bad"].tolist() == ["-", "'+x"]
    assert out["n"].tolist() == [-1, 2] and out["n"].dtype == df["n"].dtype
    assert df["theme"].tolist() == ["=1+1", "清零"]  # the input is not modified
    clean = pd.DataFrame({"a": ["x"], "b": [1.0]})
    assert csv_safe_frame(clean) is clean
