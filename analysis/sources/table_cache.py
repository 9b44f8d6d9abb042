"""Parsed tables of external sources, cached as Parquet and verified on read.

Parsing an external source (2,480 day files of 新闻联播, four wide OxCGRT tables) takes
seconds; reading its parsed table back takes a fraction of that.  A cache file holds
the main table and any side tables (e.g. the parse report), each as Parquet (pyarrow),
so strings, integers, booleans, dates and list columns keep their types, inside the
verified envelope of :mod:`analysis.infra.cache`, bound to the table's **key**
(:func:`table_key`): the source, its commit and registry hash (which fix every byte of
the raw files used), the parser's version and a hash of its code, the date range and
options.  A read returns the tables only if the checksum holds *and* the stored key
equals the requested one (a file copied or renamed from another key is rejected with a
:class:`~analysis.infra.cache.CacheWarning` and rebuilt).  The file name is the SHA-256
of the key.  Because the key pins the raw bytes through the registry hash, a warm load
reads neither the raw files nor the network.
"""
from __future__ import annotations

import hashlib
import io
import json
import struct
import warnings
from pathlib import Path

import pandas as pd

from analysis.infra.cache import CacheWarning, read_verified, write_verified
from analysis.ingest.corpus import default_data_dir

__all__ = ["table_key", "code_hash", "read_tables", "write_tables", "cached_tables", "default_table_cache_dir"]

_MAGIC = b"covid-discourse parsed tables v2\n"


def default_table_cache_dir() -> Path:
    """``.cache/sources`` beside the project's ``data/`` folder (ignored by git)."""
    return default_data_dir().parent / ".cache" / "sources"


def code_hash(*paths) -> str:
    """SHA-256 (16 hex) of files' bytes: a parser's code and the data files it reads."""
    h = hashlib.sha256()
    for p in paths:
        p = Path(p)
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def table_key(source, *, parser_version: str, parser_code: str, **options) -> dict:
    """The key of a parsed table.

    Parameters
    ----------
    source : PinnedSource
        Gives ``key``, ``commit`` and the registry hash.
    parser_version : str
        The parser's declared version (bump it when the output changes).
    parser_code : str
        :func:`code_hash` of the parser's module and the data it reads, so an edit
        invalidates the cache even when the version was not bumped.
    **options
        Date range and parser options (JSON-serialisable).

    Returns
    -------
    dict
    """
    return {"source": source.key, "commit": source.commit, "registry_hash": source.registry_hash(),
            "parser_version": parser_version, "parser_code": parser_code,
            **{k: options[k] for k in sorted(options)}}


def _key_bytes(key: dict) -> bytes:
    return json.dumps(key, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def cache_path(key: dict, cache_dir=None) -> Path:
    """``<cache_dir>/<source>/<sha256(key)[:32]>.parquets``."""
    folder = Path(cache_dir or default_table_cache_dir()) / str(key.get("source", "tables"))
    return folder / (hashlib.sha256(_key_bytes(key)).hexdigest()[:32] + ".parquets")


def _to_parquet(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df = df.copy(deep=False)
    df.attrs = {}  # pandas would try to store attrs (e.g. a parse report) as JSON metadata
    df.to_parquet(buf, engine="pyarrow", index=False, compression="zstd")
    return buf.getvalue()


def _from_parquet(data: bytes, list_columns) -> pd.DataFrame:
    df = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    for col in list_columns or ():
        if col in df.columns:  # pyarrow returns list cells as numpy arrays
            df[col] = [list(v) if v is not None else [] for v in df[col]]
    return df


def write_tables(path, key: dict, tables: dict[str, pd.DataFrame]) -> bool:
    """Write ``tables`` bound to ``key`` (atomic, checksummed); False if it could not be written."""
    parts = [_MAGIC]
    for name, df in tables.items():
        nb, pb = name.encode("utf-8"), _to_parquet(df)
        parts += [struct.pack("<QQ", len(nb), len(pb)), nb, pb]
    return write_verified(path, b"".join(parts), key=_key_bytes(key).decode("utf-8"))


def read_tables(path, key: dict, list_columns=None) -> dict[str, pd.DataFrame] | None:
    """The tables stored under ``key`` at ``path``, or None (missing, damaged, other key).

    A file that fails its checksum or was built for another key is reported with a
    :class:`~analysis.infra.cache.CacheWarning` (by :func:`analysis.infra.cache.read_verified`);
    the caller rebuilds it.
    """
    payload = read_verified(path, key=_key_bytes(key).decode("utf-8"))
    if payload is None:
        return None
    try:
        if not payload.startswith(_MAGIC):
            raise ValueError("not a parsed-table cache file")
        pos, out = len(_MAGIC), {}
        while pos < len(payload):
            ln, lp = struct.unpack_from("<QQ", payload, pos)
            pos += 16
            name = payload[pos:pos + ln].decode("utf-8")
            pos += ln
            out[name] = _from_parquet(payload[pos:pos + lp], list_columns)
            pos += lp
        return out
    except (ValueError, struct.error, OSError) as e:  # pyarrow errors derive from these
        warnings.warn(f"cache file {path} cannot be read as parsed tables ({e}); it is rebuilt",
                      CacheWarning, stacklevel=3)
        return None


def cached_tables(key: dict, build, *, cache_dir=None, use_cache: bool = True,
                  list_columns=None) -> tuple[dict[str, pd.DataFrame], bool]:
    """Tables for ``key``: read from the cache, or built by ``build()`` and stored.

    Parameters
    ----------
    key : dict
        From :func:`table_key`.
    build : callable
        ``build() -> dict name -> DataFrame`` (the parser; fetches the raw files).
    cache_dir : path, optional
        Default :func:`default_table_cache_dir`.
    use_cache : bool, default True
        False: always build, never read or write the cache.
    list_columns : list of str, optional
        Columns whose cells are lists (restored from Parquet's arrays).

    Returns
    -------
    tables : dict
    from_cache : bool
    """
    if not use_cache:
        return build(), False
    path = cache_path(key, cache_dir)
    tables = read_tables(path, key, list_columns)
    if tables is not None:
        return tables, True
    tables = build()
    write_tables(path, key, tables)
    return tables, False
