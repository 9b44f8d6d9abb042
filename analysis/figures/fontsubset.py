"""A verified disk memo of the font subsets that matplotlib embeds in each PDF.

Every PDF embeds a subset of the CJK font holding just the glyphs it uses (Type 42,
:mod:`analysis.figures.style`).  matplotlib makes it with fontTools from the whole
font, each time: reading the full font's outline and layout tables is about a third of
a figure's save (``benchmarks/bench_rebuild.py``), and a rebuild or a test run makes
the same subsets again.  :func:`cached_font_subsets` wraps the two matplotlib steps
(``get_glyphs_subset`` and ``font_as_file``, module ``matplotlib.backends._backend_pdf_ps``)
while a PDF is written:

* the request is keyed by the font file's SHA-256, the face, the sorted glyph indices,
  and the fontTools and matplotlib versions;
* on a miss, matplotlib's own functions make the subset; the bytes it would embed are
  stored (with the glyph index map) through :mod:`analysis.infra.cache` (key and checksum
  inside the file, owner-only folder, never written through a link);
* on a hit, those bytes are embedded.  So the PDF is byte-identical with and without the
  memo: ``tests/test_fontsubset.py`` compares the three ways on a figure with Chinese and
  Latin text, and the staleness tests compare every rebuilt PDF with the committed one.

The memo lives beside the converted font (``$COVID_DISCOURSE_CACHE``, ``$XDG_CACHE_HOME`` or
``~/.cache``, folder ``covid-discourse/fonts/subsets``) and keeps the
:data:`MAX_ENTRIES` most recently used subsets.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import struct
from importlib.metadata import version
from pathlib import Path

__all__ = ["cached_font_subsets", "subset_cache_dir", "MAX_ENTRIES"]

#: subsets kept (a figure's subset is ~10-200 KB); the least recently used go first
MAX_ENTRIES = 2000
_FORMAT = 1
_FILE_SHA: dict = {}


def subset_cache_dir() -> Path:
    """Folder of the memo (beside the converted CJK font)."""
    from analysis.infra.cache import user_cache_root

    return user_cache_root() / "fonts" / "subsets"


def _file_sha(path: str) -> str:
    st = os.stat(path)
    ident = (path, st.st_size, st.st_mtime_ns)
    sha = _FILE_SHA.get(ident)
    if sha is None:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        sha = _FILE_SHA[ident] = h.hexdigest()
    return sha


def _request(fontfile, glyphs) -> str:
    path = os.fspath(getattr(fontfile, "path", fontfile))
    return json.dumps({"cache": "font-subset", "format": _FORMAT, "font_sha256": _file_sha(path),
                       "face": int(getattr(fontfile, "face_index", 0) or 0),
                       "glyphs": sorted(int(g) for g in glyphs),
                       "fonttools": version("fonttools"), "matplotlib": version("matplotlib")},
                      sort_keys=True)


def _pack(data: bytes, index_map: dict) -> bytes:
    header = json.dumps(sorted((int(k), int(v)) for k, v in index_map.items())).encode()
    return struct.pack(">I", len(header)) + header + data


def _unpack(payload: bytes) -> tuple[bytes, dict] | None:
    if len(payload) < 4:
        return None
    (n,) = struct.unpack(">I", payload[:4])
    try:
        pairs = json.loads(payload[4:4 + n])
        return payload[4 + n:], {int(k): int(v) for k, v in pairs}
    except (ValueError, TypeError):
        return None


class _Subset:
    """Stands in for the fontTools subset: the bytes matplotlib embeds."""

    def __init__(self, data: bytes):
        self.data = data

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@contextlib.contextmanager
def cached_font_subsets(folder=None, max_entries: int = MAX_ENTRIES):
    """Within the block, PDF font subsets come from (and go to) the verified memo.

    Parameters
    ----------
    folder : path, optional
        Memo folder (default :func:`subset_cache_dir`); ``False`` turns the memo off.
    max_entries : int
        Subsets kept after a write (least recently used removed).
    """
    if folder is False:
        yield
        return
    from matplotlib.backends import _backend_pdf_ps as pdfps

    from analysis.infra.cache import memo_path, read_memo, write_memo

    folder = Path(folder) if folder is not None else subset_cache_dir()
    original_subset, original_as_file = pdfps.get_glyphs_subset, pdfps.font_as_file

    def get_glyphs_subset(fontfile, glyphs):
        glyphs = set(glyphs)
        key = _request(fontfile, glyphs)
        path = memo_path(folder, key, ".subset")
        payload = read_memo(path, key=key)
        found = _unpack(payload) if payload is not None else None
        if found is not None:
            data, index_map = found
        else:
            with original_subset(fontfile, glyphs) as res:
                data, index_map = original_as_file(res.font).getvalue(), dict(res.glyph_index_map)
            write_memo(path, _pack(data, index_map), key=key, keep=max_entries)
        return pdfps.SubsetResults(_Subset(data), index_map)._as_cm()

    def font_as_file(font):
        return io.BytesIO(font.data) if isinstance(font, _Subset) else original_as_file(font)

    pdfps.get_glyphs_subset, pdfps.font_as_file = get_glyphs_subset, font_as_file
    try:
        yield
    finally:
        pdfps.get_glyphs_subset, pdfps.font_as_file = original_subset, original_as_file
