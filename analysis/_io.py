"""Atomic file writes shared by the modules that write (figures, keyword lists, caches)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically.

    The content goes to a temporary file in the same folder, which is then renamed
    over ``path`` (``os.replace``), so readers see the old file or the new one, never a
    half-written one, and a failure leaves the old file untouched.

    Parameters
    ----------
    path : path-like
        Target file; its folder is created if needed.
    data : bytes or str
        Content; text is encoded as UTF-8.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
