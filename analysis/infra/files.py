"""Atomic file writes shared by the modules that write (figures, manifest, keyword lists,
caches), the cleanup of what an interrupted write leaves, and formula-safe CSV cells.

Guarantees of :func:`atomic_write` and :func:`atomic_write_many`:

* readers see the old file or the new one, never a half-written one (temporary file
  in the same folder, then ``os.replace``);
* a read-only target (no write bit) is an error naming the file, never overwritten;
* a symbolic link is written *through* (user files such as ``keywords.yml``: its
  target is replaced, the link stays) — or, with ``follow_links=False`` (caches), the
  link itself is replaced by a regular file and its target is never touched;
* the file mode is kept (a new file gets ``0o666 & ~umask``, e.g. 0644, or the
  ``mode`` asked for), not the 0600 of :func:`tempfile.mkstemp`;
* :func:`atomic_write_many` replaces a set of files together or not at all: every
  temporary file is written first, and if a rename fails midway the files already
  replaced are put back (no mix of new and old files is left behind).

A process killed between writing its temporary file and renaming it leaves
``.<name>.<random>.tmp`` (or ``.old``) beside the target; :func:`remove_stale_temps`,
called by a writer holding the folder's :class:`locked_dir` lock, removes them.

:func:`csv_safe` neutralises spreadsheet formulas in the string cells of every CSV the
project writes (figure data, the manifest, exports).
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_many", "ReadOnlyFileError", "locked_dir",
           "remove_stale_temps", "csv_safe", "csv_safe_frame"]


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


def _target(path, follow_links: bool = True) -> tuple[Path, int | None]:
    """The file to replace and its mode (None if it does not exist or is a link being replaced).

    With ``follow_links`` a symbolic link is resolved to its target; without, the link
    itself is the file replaced (its target is never opened)."""
    path = Path(path)
    if not follow_links:
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return path, None
        if stat.S_ISLNK(st.st_mode):
            return path, None
        real = path
    else:
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


def atomic_write(path, data: bytes | str, *, follow_links: bool = True, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically (guarantees: see the module docstring).

    Parameters
    ----------
    path : path-like
        Target file (or a symlink to it); its folder is created if needed.
    data : bytes or str
        Content; text is encoded as UTF-8.
    follow_links : bool, default True
        True: a symbolic link at ``path`` is written through (its target replaced).
        False: the link is replaced by a regular file (for caches: nothing outside
        the folder is ever written).
    mode : int, optional
        Permission bits of the file written (default: keep the existing file's, or
        ``0o666 & ~umask`` for a new file).

    Returns
    -------
    Path
        ``path`` as given.

    Raises
    ------
    ReadOnlyFileError
        If the target exists without write permission (it is left untouched).
    """
    atomic_write_many({path: data}, follow_links=follow_links, mode=mode)
    return Path(path)


def atomic_write_many(files: dict, *, follow_links: bool = True, mode: int | None = None) -> list[Path]:
    """Replace several files together or not at all.

    All temporary files are written (and every target checked) before the first
    rename; if a rename fails, targets already replaced get their old content back
    (new files are removed), every temporary file is deleted and the error re-raised.

    Parameters
    ----------
    files : dict
        path-like -> bytes or str, renamed in this order.
    follow_links, mode
        As for :func:`atomic_write`.

    Returns
    -------
    list of Path
        The paths, as given.
    """
    items = [(Path(p), _as_bytes(d)) for p, d in files.items()]
    targets = [_target(p, follow_links) for p, _ in items]  # raises before anything is written
    temps: list[str] = []
    backups: list[tuple[Path, str | None]] = []  # (target, hard link to its old content)
    try:
        for (real, old_mode), (_, data) in zip(targets, items):
            temps.append(_write_temp(real, data, mode if mode is not None else old_mode))
        if len(items) > 1:  # keep the old versions until every rename succeeded
            for real, old_mode in targets:
                if old_mode is None:
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


def remove_stale_temps(path) -> list[Path]:
    """Remove the temporary files an interrupted :func:`atomic_write` of ``path`` left behind.

    These are ``.<name>.*.tmp`` and ``.<name>.*.old`` files beside the real target
    (the folder of a symbolic link's target), regular files owned by this user.  Call
    it only while holding the folder's :class:`locked_dir` lock, which every writer of
    ``path`` takes: then no other write of it is in progress, and any such file is
    left over from a killed process.

    Parameters
    ----------
    path : path-like
        The target file (or a link to it).

    Returns
    -------
    list of Path
        The files removed.
    """
    path = Path(path)
    real = Path(os.path.realpath(path))
    removed = []
    pattern = re.compile(r"^\." + re.escape(real.name) + r"\.[^/]+\.(tmp|old)$")
    try:
        entries = list(os.scandir(real.parent))
    except OSError:
        return removed
    for entry in entries:
        if not pattern.match(entry.name):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid():
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # pragma: no cover - vanished or not ours to remove
            pass
    return removed


#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def csv_safe(value):
    """A CSV cell value that a spreadsheet shows as text, never runs as a formula.

    A string starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading single quote (``'=HYPERLINK(...)``), as the OWASP guidance on CSV
    injection recommends; the quote shows in a text editor and tells a reader the
    cell was neutralised.  Strings that are plain decimal numbers (``-0.25``,
    ``+3e-05``) and a lone ``-`` (the manifest's "not used") stay as they are: a
    spreadsheet reads them as a number or text, never as a formula.  Anything
    else (numbers, None, other strings) is returned unchanged.

    Parameters
    ----------
    value : object
        One cell.

    Returns
    -------
    object
        ``value``, or ``"'" + value`` for a string a spreadsheet would evaluate.

    References
    ----------
    OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and value != "-" \
            and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_safe_frame(frame):
    """A copy of a pandas DataFrame with :func:`csv_safe` applied to every string cell and
    column name (the object is returned as is when nothing needs neutralising)."""
    import pandas as pd

    columns = [csv_safe(c) for c in frame.columns]
    out = None
    for i, col in enumerate(frame.columns):
        s = frame.iloc[:, i]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)
                or isinstance(s.dtype, pd.CategoricalDtype)):
            continue
        values = s.tolist()
        safe = [csv_safe(v) for v in values]
        if any(a is not b for a, b in zip(safe, values)):
            if out is None:
                out = frame.copy()
            out.isetitem(i, pd.Series(safe, index=s.index, dtype=object))
    if columns != list(frame.columns):
        out = frame.copy() if out is None else out
        out.columns = columns
    return frame if out is None else out
