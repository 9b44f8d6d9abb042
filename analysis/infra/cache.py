"""Verified cache files: a checksum is stored with every cached payload and checked on read.

Every derived file under ``.cache/`` (segmentations, jieba's prefix dictionary, the
document-term matrix) is written through :func:`write_verified` and read through
:func:`read_verified`.  The file is ``MAGIC + sha256(payload) + payload``; a file whose
checksum does not match (a flipped bit, a truncated write, a file planted or edited by
hand) is reported and treated as missing, so the caller rebuilds it.  A cache folder
that cannot be written (read-only checkout, full disk) never stops an analysis: the
write is skipped with a warning.
"""
from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

from analysis.infra.files import atomic_write

__all__ = ["read_verified", "write_verified", "CacheWarning"]

MAGIC = b"covid-discourse-cache v1\n"
_DIGEST = 32


class CacheWarning(UserWarning):
    """A cache file was rejected (and rebuilt) or could not be written."""


def read_verified(path) -> bytes | None:
    """The payload of a verified cache file, or None if it is missing or fails its checksum.

    A file that exists but fails verification is reported with a :class:`CacheWarning`
    (it is then rebuilt by the caller and overwritten).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        warnings.warn(f"cache file {path} cannot be read ({e}); computing without it", CacheWarning,
                      stacklevel=3)
        return None
    head = len(MAGIC)
    payload = raw[head + _DIGEST:]
    if raw[:head] != MAGIC or raw[head:head + _DIGEST] != hashlib.sha256(payload).digest():
        warnings.warn(f"cache file {path} failed its checksum; it is ignored and rebuilt", CacheWarning,
                      stacklevel=3)
        return None
    return payload


def write_verified(path, payload: bytes) -> bool:
    """Write ``payload`` with its checksum atomically; on an OS error warn and return False."""
    path = Path(path)
    try:
        atomic_write(path, MAGIC + hashlib.sha256(payload).digest() + payload)
    except OSError as e:
        warnings.warn(f"cannot write the cache file {path} ({e.strerror or e}); continuing without "
                      f"a cache (pass cache_dir= to use a writable folder)", CacheWarning, stacklevel=3)
        return False
    return True
