"""The document-term matrix: the hub every measure is computed from.

Like quanteda's ``dfm``, a :class:`DocumentTermMatrix` holds a sparse units × terms count
matrix, its vocabulary and the metadata of each row (the corpus table without the
text).  A measure is a function of ``(matrix, grouping of rows)``: :meth:`group` sums
rows by any metadata column (or any array of labels), :meth:`subset` selects rows.
Token lists are not needed once the matrix exists, so one code path serves five
documents and thousands.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["DocumentTermMatrix", "document_term_matrix", "as_dtm", "dtm_from_tokens", "corpus_key"]

#: Columns of the corpus table that are not metadata.
_NOT_DOCVARS = ("text", "tokens", "sentences", "display_text")


@dataclass(frozen=True, eq=False)
class DocumentTermMatrix:
    """Sparse units × terms counts with vocabulary and row metadata.

    Attributes
    ----------
    counts : scipy.sparse.csr_matrix
        int64 counts, shape ``(n_units, n_terms)``; rows in corpus-table order.
    vocab : tuple of str
        Column labels, sorted by code point.
    docvars : pandas.DataFrame
        One row per unit (RangeIndex): the corpus table's metadata columns.
    """

    counts: sparse.csr_matrix
    vocab: tuple
    docvars: pd.DataFrame

    def __post_init__(self):
        if self.counts.shape != (len(self.docvars), len(self.vocab)):
            raise ValueError(f"counts has shape {self.counts.shape}, expected "
                             f"({len(self.docvars)} units, {len(self.vocab)} terms)")

    @property
    def shape(self) -> tuple[int, int]:
        return self.counts.shape

    @property
    def n_tokens(self) -> np.ndarray:
        """Kept tokens per unit (row sums), int64."""
        return np.asarray(self.counts.sum(axis=1)).ravel().astype("int64")

    @cached_property
    def term_index(self) -> dict:
        """term -> column position (built once per matrix)."""
        return {t: i for i, t in enumerate(self.vocab)}

    def column(self, term: str) -> np.ndarray:
        """Counts of ``term`` per unit (zeros if the term is not in the vocabulary)."""
        j = self.term_index.get(term)
        if j is None:
            return np.zeros(self.shape[0], dtype="int64")
        return self.counts[:, j].toarray().ravel().astype("int64")

    def subset(self, rows) -> "DocumentTermMatrix":
        """Rows selected by a boolean mask or positions (vocabulary kept)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            if len(rows) != self.shape[0]:
                raise ValueError(f"mask has {len(rows)} entries for {self.shape[0]} units")
            rows = np.flatnonzero(rows)
        return DocumentTermMatrix(self.counts[rows], self.vocab,
                                  self.docvars.iloc[rows].reset_index(drop=True))

    def labels(self, by) -> pd.DataFrame:
        """The grouping ``by`` as a DataFrame of key columns, one row per unit.

        ``by`` is a docvars column name, a list of names, or an array/Series of labels
        (one per unit; named ``group``)."""
        if isinstance(by, str) or (isinstance(by, (list, tuple)) and by and all(isinstance(b, str) for b in by)):
            cols = [by] if isinstance(by, str) else list(by)
            missing = [c for c in cols if c not in self.docvars.columns]
            if missing:
                raise ValueError(f"unknown column(s) {missing} in by=; available: {list(self.docvars.columns)}")
            keys = self.docvars[cols].reset_index(drop=True)
        else:
            values = np.asarray(by)
            if values.shape != (self.shape[0],):
                raise ValueError(f"by= labels have shape {values.shape}, expected ({self.shape[0]},)")
            keys = pd.DataFrame({getattr(by, "name", None) or "group": values})
        empty = keys.isna().any(axis=1) | (keys.astype(str).apply(lambda c: c.str.strip()) == "").any(axis=1)
        if empty.any():
            ids = list(self.docvars.loc[empty.to_numpy(), "unit_id"]) if "unit_id" in self.docvars else \
                list(np.flatnonzero(empty))
            raise ValueError(f"grouping {list(keys.columns)} is empty for units {ids}; select the rows to "
                             f"compare first (dtm.subset(...) or filter the corpus table)")
        return keys

    def group(self, by) -> tuple[pd.DataFrame, sparse.csr_matrix]:
        """Sum rows by group.

        Returns
        -------
        keys : pandas.DataFrame
            One row per group (sorted), the key columns.
        counts : scipy.sparse.csr_matrix
            groups × terms summed counts (int64).
        """
        keys = self.labels(by)
        if self.shape[0] == 0:
            raise ValueError("the matrix has no rows; check the row filter")
        uniq = keys.drop_duplicates().sort_values(list(keys.columns), kind="mergesort").reset_index(drop=True)
        codes = pd.MultiIndex.from_frame(uniq).get_indexer(pd.MultiIndex.from_frame(keys))
        indicator = sparse.csr_matrix((np.ones(len(codes), dtype="int64"), (codes, np.arange(len(codes)))),
                                      shape=(len(uniq), len(codes)))
        return uniq, (indicator @ self.counts).tocsr()


def dtm_from_tokens(token_lists, docvars: pd.DataFrame) -> DocumentTermMatrix:
    """Build a matrix from token lists (one list per row of ``docvars``).

    Parameters
    ----------
    token_lists : iterable of list of str
    docvars : pandas.DataFrame
        Row metadata, same length and order as ``token_lists``.
    """
    token_lists = list(token_lists)
    vocab = sorted({t for toks in token_lists for t in toks})
    index = {t: i for i, t in enumerate(vocab)}
    indptr, cols = [0], []
    for toks in token_lists:
        cols.extend(index[t] for t in toks)
        indptr.append(len(cols))
    data = np.ones(len(cols), dtype="int64")
    m = sparse.csr_matrix((data, np.asarray(cols, dtype="int64"), np.asarray(indptr, dtype="int64")),
                          shape=(len(token_lists), len(vocab)))
    m.sum_duplicates()
    m.sort_indices()
    dv = docvars.drop(columns=[c for c in _NOT_DOCVARS if c in docvars.columns]).reset_index(drop=True)
    return DocumentTermMatrix(m, tuple(vocab), dv)


#: Version of the on-disk matrix format (part of the cache key).
_DTM_FORMAT = 1


def corpus_key(corpus: pd.DataFrame) -> str:
    """SHA-256 (hex) of the corpus as segmented: each row's ``unit_id`` (or position)
    and text, in order (with their lengths, so no two corpora share a key)."""
    from analysis.text.tokens import counting_texts

    texts = counting_texts(corpus)
    ids = _unit_ids(corpus)
    h = hashlib.sha256()
    for strings in (ids, texts):
        h.update(np.array([len(x) for x in strings], dtype=np.int64).tobytes())
        h.update("".join(strings).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _unit_ids(corpus: pd.DataFrame) -> list[str]:
    if "unit_id" in corpus.columns:
        return corpus["unit_id"].astype(str).tolist()
    return [str(i) for i in range(len(corpus))]


def _dtm_payload(counts: sparse.csr_matrix, vocab: tuple, unit_ids: list[str]) -> bytes:
    buf = io.BytesIO()
    small = counts.data.max(initial=0) < 2 ** 31 and counts.shape[1] < 2 ** 31
    kind = np.int32 if small else np.int64
    np.savez(buf, data=counts.data.astype(kind), indices=counts.indices.astype(kind),
             indptr=counts.indptr.astype(np.int64), shape=np.asarray(counts.shape, dtype=np.int64),
             vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
             unit_ids=np.frombuffer("\n".join(unit_ids).encode("utf-8"), dtype=np.uint8))
    return buf.getvalue()


def _dtm_from_payload(payload: bytes, unit_ids: list[str]):
    with np.load(io.BytesIO(payload), allow_pickle=False) as z:
        shape = tuple(int(x) for x in z["shape"])
        counts = sparse.csr_matrix((z["data"].astype(np.int64), z["indices"], z["indptr"]), shape=shape)
        text = z["vocab"].tobytes().decode("utf-8")
        ids = z["unit_ids"].tobytes().decode("utf-8")
    vocab = tuple(text.split("\n")) if text else ()
    stored_ids = ids.split("\n") if ids else []
    if stored_ids != unit_ids or len(vocab) != shape[1]:
        return None
    return counts, vocab


def document_term_matrix(corpus: pd.DataFrame, segmenter=None, *, cache_dir=None,
                         use_cache: bool = True, n_jobs: int = 1, client=None,
                         chunk_chars: int = 1_000_000, overlap: bool = True) -> DocumentTermMatrix:
    """Segment the corpus table once into a :class:`DocumentTermMatrix`, cached on disk.

    Texts are segmented in chunks of about ``chunk_chars`` characters.  In one process
    the chunks' distinct tokens are coded together once at the end and rjieba cuts the
    next chunk in a second thread (:func:`analysis.text.tokens.count_chunks`); with Dask
    each worker counts one run of consecutive chunks holding an equal share of the
    characters (:func:`analysis.text.tokens.count_run`) and the runs are stacked onto the
    sorted union vocabulary (:func:`analysis.text.tokens.merge_counts`).
    The result does not depend on ``n_jobs``, the client, the chunk size or ``overlap``
    (tested against a plain reference implementation).

    Parameters
    ----------
    corpus : pandas.DataFrame
        The corpus table (``text`` column), or an already tokenized one (``tokens``;
        then the token lists are counted and nothing is segmented or cached).
    segmenter : analysis.Segmenter, optional
        Defaults to the project segmenter (``Segmenter()``).
    cache_dir : path, optional
        Folder of the matrix cache (default ``.cache/dtm`` of the project).  A matrix is
        stored as ``<key>.npz`` (numpy's format inside a checksummed container, see
        :mod:`analysis.infra.cache`), keyed by the corpus (hash of the unit ids and texts,
        :func:`corpus_key`) and the segmenter's fingerprint (lexicon as loaded,
        settings, backend and versions); the full key is stored in the file.  A file
        that fails its checksum, was built for another key, or whose stored unit ids
        differ, is rebuilt with a warning; an unwritable folder only costs the cache.
    use_cache : bool, default True
    n_jobs : int, default 1
        Local Dask worker processes for segmentation (1: no Dask).
    client : dask.distributed.Client, optional
        Segment on this Dask cluster instead (see the README, "Running on a cluster").
    chunk_chars : int, default 1,000,000
        Approximate characters per chunk (and per Dask task).
    overlap : bool, default True
        With one process (``n_jobs=1``, no client): rjieba segments the next chunk in a
        second thread while this one counts the last (:func:`analysis.text.tokens.count_chunks`;
        rjieba releases the GIL, so this uses a second core when there is one).  False:
        one thread.  The matrix is the same either way.

    Returns
    -------
    DocumentTermMatrix
        Rows in corpus-table order, docvars = the corpus table without text columns.
    """
    if "tokens" in corpus.columns:
        return dtm_from_tokens(corpus["tokens"], corpus)
    import functools
    import json

    from analysis.infra.cache import read_verified, write_verified
    from analysis.text.tokens import (Segmenter, chunked, counting_texts, default_cache_dir, map_chunks,
                         count_chunks, count_run, merge_counts)

    texts = counting_texts(corpus)
    segmenter = segmenter or Segmenter()
    unit_ids = _unit_ids(corpus)
    docvars = corpus.drop(columns=[c for c in _NOT_DOCVARS if c in corpus.columns]).reset_index(drop=True)
    if use_cache:  # hashing 50 MB of text is only worth it for the cache
        ckey = corpus_key(corpus)
        key = hashlib.sha256(f"{_DTM_FORMAT}:{segmenter.fingerprint}:{ckey}".encode()).hexdigest()[:24]
        cache_file = Path(cache_dir or default_cache_dir() / "dtm") / f"{key}.npz"
        # the whole request, stored in the file and checked on read (a file swapped in from
        # another corpus or segmenter is rebuilt)
        full_key = json.dumps({"cache": "dtm", "format": _DTM_FORMAT, "segmenter": segmenter.fingerprint,
                               "corpus_sha256": ckey, "units": len(unit_ids)}, sort_keys=True)
        payload = read_verified(cache_file, key=full_key)
        loaded = _dtm_from_payload(payload, unit_ids) if payload is not None else None
        if loaded is not None:
            return DocumentTermMatrix(loaded[0], loaded[1], docvars)
    # chunks of whole texts; positions keep the row order whatever the scheduler does
    if client is None and n_jobs <= 1:  # one process: rjieba cuts the next chunk in a second thread
        vocab, counts = count_chunks(segmenter, chunked(texts, chunk_chars), overlap=overlap)
    else:  # one task per worker: a run of consecutive chunks counted as one stream
        workers = max(1, sum(client.nthreads().values())) if client is not None else n_jobs
        runs = [list(chunked(run, chunk_chars)) for run in _balanced_runs(texts, workers)]
        work = functools.partial(count_run, segmenter)
        vocab, counts = merge_counts(map_chunks(work, runs, n_jobs=n_jobs, client=client))
    if counts.shape[0] != len(texts):  # no texts at all
        counts = sparse.csr_matrix((len(texts), len(vocab)), dtype=np.int64)
    if use_cache:
        write_verified(cache_file, _dtm_payload(counts, vocab, unit_ids), key=full_key)
    return DocumentTermMatrix(counts, vocab, docvars)


def _balanced_runs(texts: list, n: int) -> list:
    """``texts`` cut into at most ``n`` consecutive runs of about equal characters (one
    per worker: runs of equally many chunks left the last worker's run short by up to a
    chunk, and the other worker 0.1-0.3 s behind on the broadcast corpus)."""
    ends = np.cumsum([len(t) for t in texts])
    if not len(ends):
        return []
    cuts = np.searchsorted(ends, ends[-1] * np.arange(1, n) / n, side="right")
    bounds = [0, *sorted(set(int(c) for c in cuts)), len(texts)]
    return [texts[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def as_dtm(obj) -> DocumentTermMatrix:
    """A :class:`DocumentTermMatrix` from a matrix or a tokenized corpus table."""
    if isinstance(obj, DocumentTermMatrix):
        return obj
    if isinstance(obj, pd.DataFrame):
        if "tokens" not in obj.columns:
            raise ValueError("the corpus table has no `tokens` column; pass "
                             "document_term_matrix(corpus) or tokenize_corpus(corpus)")
        return dtm_from_tokens(obj["tokens"], obj)
    raise TypeError(f"expected a DocumentTermMatrix or a tokenized corpus table, got {type(obj).__name__}")
