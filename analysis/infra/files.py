"""Atomic file writes shared by the modules that write (figures, manifest, keyword lists, caches).

Guarantees of :func:`atomic_write` and :func:`atomic_write_many`:

* readers see the old file or the new one, never a half-written one (temporary file
  in the same folder, then ``os.replace``);
* a read-only target (no write bit) is an error naming the file, never overwritten;
* a symbolic link is written *through*: its target is replaced, the link stays;
* the file mode is kept (a new file gets ``0o666 & ~umask``, e.g. 0644), not the
  0600 of :func:`tempfile.mkstemp`;
* :func:`atomic_write_many` replaces a set of files together or not at all: every
  temporary file is written first, and if a rename fails midway the files already
  replaced are put back (no mix of new and old files is left behind).
"""
from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_many", "ReadOnlyFileError", "locked_dir"]


class ReadOnlyFileError(PermissionError):
    """The target file is read-only (no write permission bit): it is not overwritten."""


def _umask() -> int:
    try:  # Linux: read it without changing it (os.umask would race with other threads)
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):  # pragma: no cover - not Linux
        pass
    old = os.umask(0o022)  # pragma: no cover
    os.umask(old)  # pragma: no cover
    return old  # pragma: no cover


def _target(path) -> tuple[Path, int | None]:
    """Resolve symlinks; return the real target and its mode (None if it does not exist)."""
    path = Path(path)
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real, None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, f"{path} is a directory, not a file", str(path))
    if not st.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise ReadOnlyFileError(errno.EACCES, f"{path} is read-only; not overwriting it "
                                f"(make it writable, e.g. `chmod u+w {path}`, to allow saving)",
                                str(path))
    return real, stat.S_IMODE(st.st_mode)


def _write_temp(real: Path, data: bytes, mode: int | None) -> str:
    real.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=real.parent, prefix="." + real.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _as_bytes(data) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"data must be bytes or str, not {type(data).__name__}")


def atomic_write(path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically (guarantees: see the module docstring).

    Parameters
    ----------
    path : path-like
        Target file (or a symlink to it); its folder is created if needed.
    data : bytes or str
        Content; text is encoded as UTF-8.

    Returns
    -------
    Path
        ``path`` as given.

    Raises
    ------
    ReadOnlyFileError
        If the target exists without write permission (it is left untouched).
    """
    atomic_write_many({path: data})
    return Path(path)


def atomic_write_many(files: dict) -> list[Path]:
    """Replace several files together or not at all.

    All temporary files are written (and every target checked) before the first
    rename; if a rename fails, targets already replaced get their old content back
    (new files are removed), every temporary file is deleted and the error re-raised.

    Parameters
    ----------
    files : dict
        path-like -> bytes or str, renamed in this order.

    Returns
    -------
    list of Path
        The paths, as given.
    """
    items = [(Path(p), _as_bytes(d)) for p, d in files.items()]
    targets = [_target(p) for p, _ in items]  # raises before anything is written
    temps: list[str] = []
    backups: list[tuple[Path, str | None]] = []  # (target, hard link to its old content)
    try:
        for (real, mode), (_, data) in zip(targets, items):
            temps.append(_write_temp(real, data, mode))
        if len(items) > 1:  # keep the old versions until every rename succeeded
            for real, mode in targets:
                if mode is None:
                    backups.append((real, None))
                    continue
                bak = tempfile.mktemp(dir=real.parent, prefix="." + real.name + ".", suffix=".old")
                try:
                    os.link(real, bak)
                except OSError:  # no hard links here: copy
                    shutil.copy2(real, bak)
                backups.append((real, bak))
        done = 0
        try:
            for (real, _), tmp in zip(targets, temps):
                os.replace(tmp, real)
                done += 1
        except BaseException:
            for real, bak in backups[:done]:
                try:
                    if bak is None:
                        real.unlink(missing_ok=True)
                    else:
                        os.replace(bak, real)
                except OSError:  # pragma: no cover - nothing more can be done
                    pass
            raise
    finally:
        for tmp in temps:
            Path(tmp).unlink(missing_ok=True)
        for _, bak in backups:
            if bak is not None:
                Path(bak).unlink(missing_ok=True)
    return [p for p, _ in items]


class locked_dir:
    """Exclusive advisory lock on a directory (POSIX ``flock``; a no-op where unavailable),
    for read-modify-write cycles (manifest, keyword file) that several processes may run.

    Locking the folder itself leaves no lock file behind."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def __enter__(self):
        self.fd = None
        try:
            import fcntl
            self.fd = os.open(self.directory, os.O_RDONLY)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except (ImportError, OSError):  # pragma: no cover - Windows
            pass
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
