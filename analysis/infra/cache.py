"""Verified cache files: each is bound to the request that built it and checked on read.

Every derived file under ``.cache/`` (segmentations, jieba's prefix dictionary, the
document-term matrix) is written through :func:`write_verified` and read through
:func:`read_verified`, both given the file's **key**: a string describing the whole
request the payload answers (e.g. the corpus hash and unit ids, the segmenter's
fingerprint and settings, the format and package versions).  The file is::

    MAGIC + sha256(MAGIC + body) + body,   body = len(key) (8 bytes, big-endian) + key + payload

so the checksum covers the key as well as the payload.  A read returns the payload
only if the checksum verifies *and* the stored key equals the requested one; any other
file (a flipped bit, a truncated write, a file of the previous format, a file planted
or edited by hand with a recomputed plain checksum, a valid file built for another
request and copied or swapped in) is reported with a :class:`CacheWarning` naming it,
and treated as missing, so the caller rebuilds it.

Cache files are never written through symbolic links: a link at a cache path is
replaced by a regular file (its target is never opened, for reading or writing).
Cache folders are created owner-only (``0o700``) and files ``0o600``; a folder that
other users can write (where they could plant files) is not used.  A cache folder that
cannot be written (read-only checkout, full disk) never stops an analysis: the write
is skipped with a warning.
"""
from __future__ import annotations

import errno
import hashlib
import os
import stat
import warnings
from pathlib import Path

from analysis.infra.files import atomic_write

__all__ = ["read_verified", "write_verified", "cache_folder", "keep_recent", "memo_path", "read_memo",
           "write_memo", "user_cache_root", "CacheWarning", "MAGIC"]

MAGIC = b"covid-discourse-cache v2\n"
_OLD_MAGICS = (b"covid-discourse-cache v1\n",)
_DIGEST = 32
_LEN = 8


class CacheWarning(UserWarning):
    """A cache file was rejected (and rebuilt) or could not be written."""


def _warn(message: str) -> None:
    warnings.warn(message, CacheWarning, stacklevel=4)


def _unsafe_folder(folder: Path) -> str | None:
    """Why ``folder`` must not hold cache files (None if it may)."""
    try:
        st = os.stat(folder)
    except FileNotFoundError:
        return None
    except OSError as e:
        return f"cannot be inspected ({e.strerror or e})"
    if not stat.S_ISDIR(st.st_mode):
        return "is not a folder"
    if st.st_mode & 0o022:
        return "is writable by other users (files could be planted there)"
    if st.st_uid != os.getuid():
        return "belongs to another user"
    return None


def _private(path: Path, doing: str) -> bool:
    """True if ``path``'s folder may hold cache files; otherwise warn, naming the file."""
    why = _unsafe_folder(path.parent)
    if why:
        _warn(f"cache folder {path.parent} {why}; not {doing} ({path.name}); pass cache_dir= a "
              f"private folder")
    return not why


def cache_folder(folder) -> Path:
    """Create ``folder`` (and any missing parent) owner-only (``0o700``); return it.

    Folders that already exist keep their permissions.

    Raises
    ------
    OSError
        If it cannot be created.
    """
    folder = Path(folder)
    missing = []
    p = folder
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for p in reversed(missing):
        try:
            os.mkdir(p, 0o700)
        except FileExistsError:
            pass
    return folder


def _encode(key: str, payload: bytes) -> bytes:
    k = key.encode("utf-8")
    body = len(k).to_bytes(_LEN, "big") + k + payload
    return MAGIC + hashlib.sha256(MAGIC + body).digest() + body


def read_verified(path, *, key: str) -> bytes | None:
    """The payload of the verified cache file built for ``key``, or None.

    Parameters
    ----------
    path : path-like
        The cache file.
    key : str
        The full request the payload must answer; compared with the key stored in the
        file (inside the checksummed part).

    Returns
    -------
    bytes or None
        None if the file is missing or rejected.  A rejected file (a symbolic link, in
        a folder others can write, failing its checksum, of an older format, or built
        for another key) is reported with a :class:`CacheWarning` naming it.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        if e.errno == errno.ELOOP or path.is_symlink():
            _warn(f"cache file {path} is a symbolic link; it is not followed, and is replaced by "
                  f"the rebuilt file")
        else:
            _warn(f"cache file {path} cannot be read ({e.strerror or e}); computing without it")
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            _warn(f"cache file {path} is not a regular file; computing without it")
            return None
        if not _private(path, "reading it from there"):
            return None
        raw = f.read()
    head = len(MAGIC)
    if raw[:head] in _OLD_MAGICS:
        _warn(f"cache file {path} has an older format (not bound to its request); it is ignored "
              f"and rebuilt")
        return None
    body = raw[head + _DIGEST:]
    if raw[:head] != MAGIC or raw[head:head + _DIGEST] != hashlib.sha256(MAGIC + body).digest() \
            or len(body) < _LEN:
        _warn(f"cache file {path} failed its checksum; it is ignored and rebuilt")
        return None
    n = int.from_bytes(body[:_LEN], "big")
    stored = body[_LEN:_LEN + n]
    if len(stored) != n or stored != key.encode("utf-8"):
        shown = stored[:120].decode("utf-8", "replace")
        _warn(f"cache file {path} was built for another request ({shown!r}, not {key[:120]!r}); "
              f"it is ignored and rebuilt")
        return None
    return body[_LEN + n:]


def write_verified(path, payload: bytes, *, key: str) -> bool:
    """Write ``payload`` bound to ``key``, with its checksum, atomically.

    The folder is created owner-only; a symbolic link at ``path`` is replaced (never
    written through); the file gets mode ``0o600``.

    Parameters
    ----------
    path : path-like
        The cache file.
    payload : bytes
    key : str
        The full request the payload answers (see :func:`read_verified`).

    Returns
    -------
    bool
        False (with a :class:`CacheWarning`) if the folder is not private or the file
        cannot be written; the caller continues without a cache.
    """
    path = Path(path)
    data = _encode(key, payload)
    try:
        cache_folder(path.parent)
        if not _private(path, "writing it there"):
            return False
        atomic_write(path, data, follow_links=False, mode=0o600)
    except OSError as e:
        _warn(f"cannot write the cache file {path} ({e.strerror or e}); continuing without "
              f"a cache (pass cache_dir= to use a writable folder)")
        return False
    return True


def keep_recent(folder, pattern: str, keep: int) -> None:
    """Remove all but the ``keep`` most recently used files of ``folder`` matching ``pattern``
    (by modification time: a memo touches an entry when it serves it).  A folder that cannot
    be listed is left alone."""
    try:
        files = sorted(Path(folder).glob(pattern), key=lambda p: p.stat().st_mtime_ns)
    except OSError:
        return
    for p in files[:max(0, len(files) - keep)]:
        p.unlink(missing_ok=True)


def memo_path(folder, key: str, suffix: str) -> Path:
    """Where a memo entry for ``key`` lives: ``folder`` / (first 40 hex digits of the key's
    SHA-256) + ``suffix``."""
    return Path(folder) / (hashlib.sha256(key.encode()).hexdigest()[:40] + suffix)


def read_memo(path, *, key: str) -> bytes | None:
    """:func:`read_verified`, marking a served entry as recently used (for :func:`keep_recent`)."""
    payload = read_verified(path, key=key)
    if payload is not None:
        try:
            os.utime(path)
        except OSError:
            pass
    return payload


def write_memo(path, payload: bytes, *, key: str, keep: int) -> None:
    """:func:`write_verified`, then keep the ``keep`` most recently used entries of the folder
    with the same suffix."""
    path = Path(path)
    if write_verified(path, payload, key=key):
        keep_recent(path.parent, "*" + path.suffix, keep)


def user_cache_root() -> Path:
    """The user cache of this project, outside any checkout: ``$COVID_DISCOURSE_CACHE``, else
    ``$XDG_CACHE_HOME``, else ``~/.cache``, each with ``covid-discourse/`` appended (the
    converted font, the font-subset, render and module-import memos live there)."""
    root = os.environ.get("COVID_DISCOURSE_CACHE") or os.environ.get("XDG_CACHE_HOME")
    return Path(root) / "covid-discourse" if root else Path.home() / ".cache" / "covid-discourse"
