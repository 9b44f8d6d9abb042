"""Token positions: the running word order of every unit, for measures that need it.

The document-term matrix (:mod:`analysis.text.matrix`) forgets word order; collocations
and sentence co-occurrence need it.  :func:`token_positions` segments the corpus table
once, exactly as the matrix does (same segmenter, same hygiene masking, same sentence
split as :meth:`analysis.Segmenter.tokenize_sentences`), and keeps, for every unit,
the sequence of its **positions**:

* a position is every token of the segmentation that contains a letter or a digit
  (Han words, stopwords, one-character words, numbers, Latin words, document-title
  tokens ``《…》``); punctuation and whitespace are not positions;
* each position type is flagged ``kept`` when the segmenter keeps it for counting
  (the matrix's vocabulary); the kept positions of a unit are exactly the tokens the
  matrix counts for it (tested);
* sentence boundaries (after 。！？； and at line breaks) are kept, so a window never
  crosses a sentence.

Everything is stored as a few flat integer arrays (type id of every position,
sentence and unit offsets), so one node's collocates over 36,066 stories are a
handful of vectorised numpy operations.  The arrays are cached on disk in
``.cache/positions/`` like the matrix: keyed by the corpus (unit ids and texts) and
the segmenter's fingerprint, checksummed, verified when read, rebuilt on mismatch.
"""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["TokenPositions", "token_positions", "is_position"]

#: Version of the on-disk format (part of the cache key).
_POSITIONS_FORMAT = 1


def is_position(token: str) -> bool:
    """True if a raw token occupies a position: it contains a letter or digit (any
    script), or it is a document-title token ``《…》``."""
    if len(token) > 2 and token[0] == "《" and token[-1] == "》":
        return True
    return any(ch.isalnum() for ch in token)


@dataclass(frozen=True, eq=False)
class TokenPositions:
    """Running positions of every unit, as flat arrays.

    Attributes
    ----------
    ids : numpy.ndarray
        int32, the type id (index into ``vocab``) of every position, units and their
        sentences concatenated in corpus-table order.
    vocab : tuple of str
        Position types, sorted by code point.
    kept : numpy.ndarray
        bool per type: counted by the segmenter (a term of the document-term matrix);
        False for stopwords, one-character words, numbers and Latin words.
    sent_ptr : numpy.ndarray
        int64, ``n_sentences + 1`` offsets: sentence ``s`` is ``ids[sent_ptr[s]:sent_ptr[s + 1]]``.
    unit_ptr : numpy.ndarray
        int64, ``n_units + 1`` offsets into the sentences: unit ``u`` holds sentences
        ``unit_ptr[u]`` to ``unit_ptr[u + 1] - 1``.
    docvars : pandas.DataFrame
        One row per unit: the corpus table's metadata (as in the matrix).
    texts : tuple of str, optional
        The segmented texts (not cached; used to explain an absent node).
    lexicon : frozenset of str
        The policy lexicon and extra terms the segmenter kept whole.
    """

    ids: np.ndarray
    vocab: tuple
    kept: np.ndarray
    sent_ptr: np.ndarray
    unit_ptr: np.ndarray
    docvars: pd.DataFrame
    texts: tuple | None = None
    lexicon: frozenset = field(default_factory=frozenset)

    def __post_init__(self):
        n_units = len(self.unit_ptr) - 1
        if n_units != len(self.docvars) or self.sent_ptr[-1] != len(self.ids) \
                or self.unit_ptr[-1] != len(self.sent_ptr) - 1 or len(self.kept) != len(self.vocab):
            raise ValueError("inconsistent token positions: offsets, vocabulary and metadata disagree")

    @property
    def n_units(self) -> int:
        return len(self.unit_ptr) - 1

    @property
    def n_positions(self) -> int:
        return len(self.ids)

    @cached_property
    def type_index(self) -> dict:
        """type -> id."""
        return {t: i for i, t in enumerate(self.vocab)}

    @cached_property
    def unit_pos_ptr(self) -> np.ndarray:
        """int64, ``n_units + 1`` offsets of each unit's positions in ``ids``."""
        return self.sent_ptr[self.unit_ptr]

    def unit_of(self, pos: np.ndarray) -> np.ndarray:
        """Row (unit) of each position index."""
        return np.searchsorted(self.unit_pos_ptr, pos, side="right") - 1

    def sentence_of(self, pos: np.ndarray) -> np.ndarray:
        """Sentence index of each position index."""
        return np.searchsorted(self.sent_ptr, pos, side="right") - 1

    def type_counts(self) -> np.ndarray:
        """Occurrences of every type over all positions (int64, one per ``vocab`` entry)."""
        return self._type_counts.copy()

    @cached_property
    def _type_counts(self) -> np.ndarray:
        return np.bincount(self.ids, minlength=len(self.vocab)).astype(np.int64)

    @cached_property
    def unit_type_counts(self) -> sparse.csr_matrix:
        """Units × types occurrence counts (int64, all types; built once per object)."""
        rows = np.repeat(np.arange(self.n_units), np.diff(self.unit_pos_ptr))
        m = sparse.csr_matrix((np.ones(len(self.ids), dtype=np.int64), (rows, self.ids)),
                              shape=(self.n_units, len(self.vocab)))
        m.sum_duplicates()
        return m

    def subset(self, rows) -> "TokenPositions":
        """Units selected by a boolean mask or increasing positions (vocabulary kept)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            if len(rows) != self.n_units:
                raise ValueError(f"mask has {len(rows)} entries for {self.n_units} units")
            mask = rows
        else:
            if len(rows) and np.any(np.diff(rows) <= 0):
                raise ValueError("subset() takes a boolean mask or increasing row positions")
            mask = np.zeros(self.n_units, dtype=bool)
            mask[rows] = True
        unit_sents = np.diff(self.unit_ptr)
        unit_positions = np.diff(self.unit_pos_ptr)
        ids = self.ids[np.repeat(mask, unit_positions)]
        sent_len = np.diff(self.sent_ptr)[np.repeat(mask, unit_sents)]
        sent_ptr = np.concatenate([[0], np.cumsum(sent_len)]).astype(np.int64)
        unit_ptr = np.concatenate([[0], np.cumsum(unit_sents[mask])]).astype(np.int64)
        texts = tuple(t for t, m in zip(self.texts, mask) if m) if self.texts is not None else None
        return TokenPositions(ids, self.vocab, self.kept, sent_ptr, unit_ptr,
                              self.docvars.loc[mask].reset_index(drop=True), texts, self.lexicon)

    def kept_matrix(self) -> tuple[tuple, sparse.csr_matrix]:
        """Units × kept types counts: ``(vocab, counts)``, the document-term matrix's
        content (same terms, same counts)."""
        kept_ids = np.flatnonzero(self.kept)
        column = np.full(len(self.vocab), -1, dtype=np.int64)
        column[kept_ids] = np.arange(len(kept_ids))
        cols = column[self.ids]
        rows = np.repeat(np.arange(self.n_units), np.diff(self.unit_pos_ptr))
        ok = cols >= 0
        m = sparse.csr_matrix((np.ones(int(ok.sum()), dtype=np.int64), (rows[ok], cols[ok])),
                              shape=(self.n_units, len(kept_ids)))
        m.sum_duplicates()
        return tuple(self.vocab[i] for i in kept_ids), m

    def unit_ids(self) -> list:
        if "unit_id" in self.docvars.columns:
            return self.docvars["unit_id"].astype(str).tolist()
        return [str(i) for i in range(self.n_units)]


def _segment_positions(segmenter, texts: list[str]):
    """Positions of ``texts``: (types sorted, kept flags, ids, sentence lengths,
    sentences per text) for one chunk."""
    import gc

    from analysis.text import hygiene as _hygiene
    from analysis.text.tokens import split_sentences

    if segmenter.hygiene:
        mask, cut = _hygiene.mask_for_counting, segmenter._title_cut
    else:
        mask, cut = (lambda t: t), segmenter._raw_cut
    flat: list = []
    sent_len: list = []
    per_text: list = []
    paused = gc.isenabled()
    gc.disable()  # many small lists, no cycles (as in segment_counts)
    try:
        for text in texts:
            sentences = split_sentences(mask(text))
            per_text.append(len(sentences))
            for s in sentences:
                toks = cut(s)
                flat.extend(toks)
                sent_len.append(len(toks))
    finally:
        if paused:
            gc.enable()
    arr = np.empty(len(flat), dtype=object)
    arr[:] = flat
    del flat
    codes, uniques = pd.factorize(arr)
    del arr
    word = np.fromiter(map(is_position, uniques), dtype=bool, count=len(uniques))
    types = sorted(uniques[word])
    rank = {t: i for i, t in enumerate(types)}
    column = np.full(len(uniques), -1, dtype=np.int64)
    column[word] = [rank[t] for t in uniques[word]]
    ids = column[codes]
    sentence = np.repeat(np.arange(len(sent_len), dtype=np.int64), np.asarray(sent_len, dtype=np.int64))
    ok = ids >= 0
    lengths = np.bincount(sentence[ok], minlength=len(sent_len)).astype(np.int64)
    kept = np.fromiter((segmenter.keep(t) for t in types), dtype=bool, count=len(types))
    return tuple(types), kept, ids[ok].astype(np.int32), lengths, np.asarray(per_text, dtype=np.int64)


def _merge(parts):
    vocab = tuple(sorted(set().union(*(p[0] for p in parts)))) if parts else ()
    index = pd.Index(vocab, dtype=object)
    kept = np.zeros(len(vocab), dtype=bool)
    ids, sent_len, per_text = [], [], []
    for types, k, local, lengths, n_sent in parts:
        remap = index.get_indexer(pd.Index(types, dtype=object)).astype(np.int32)
        kept[remap] = k
        ids.append(remap[local] if len(local) else local)
        sent_len.append(lengths)
        per_text.append(n_sent)
    cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dtype=dt))
    ids, sent_len, per_text = cat(ids, np.int32), cat(sent_len, np.int64), cat(per_text, np.int64)
    sent_ptr = np.concatenate([[0], np.cumsum(sent_len)]).astype(np.int64)
    unit_ptr = np.concatenate([[0], np.cumsum(per_text)]).astype(np.int64)
    return vocab, kept, ids, sent_ptr, unit_ptr


def _payload(vocab, kept, ids, sent_ptr, unit_ptr, unit_ids) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, ids=ids, kept=kept, sent_ptr=sent_ptr, unit_ptr=unit_ptr,
             vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8),
             unit_ids=np.frombuffer("\n".join(unit_ids).encode("utf-8"), dtype=np.uint8))
    return buf.getvalue()


def _from_payload(payload: bytes, unit_ids: list[str]):
    with np.load(io.BytesIO(payload), allow_pickle=False) as z:
        arrays = {k: z[k] for k in ("ids", "kept", "sent_ptr", "unit_ptr")}
        vocab_text = z["vocab"].tobytes().decode("utf-8")
        ids_text = z["unit_ids"].tobytes().decode("utf-8")
    vocab = tuple(vocab_text.split("\n")) if vocab_text else ()
    stored = ids_text.split("\n") if ids_text else []
    if stored != unit_ids or len(vocab) != len(arrays["kept"]) or arrays["sent_ptr"][-1] != len(arrays["ids"]) \
            or len(arrays["unit_ptr"]) != len(unit_ids) + 1 or \
            (len(arrays["ids"]) and int(arrays["ids"].max()) >= len(vocab)):
        return None
    return vocab, arrays["kept"].astype(bool), arrays["ids"].astype(np.int32), \
        arrays["sent_ptr"].astype(np.int64), arrays["unit_ptr"].astype(np.int64)


def token_positions(corpus: pd.DataFrame, segmenter=None, *, cache_dir=None, use_cache: bool = True,
                    n_jobs: int = 1, client=None, chunk_chars: int = 1_000_000) -> TokenPositions:
    """Segment the corpus table once into :class:`TokenPositions`, cached on disk.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The corpus table (``text`` column), e.g. from :func:`analysis.load_corpus` or
        :func:`analysis.load_broadcast`.
    segmenter : analysis.Segmenter, optional
        Default ``Segmenter()`` (the one the document-term matrix uses by default).
    cache_dir : path, optional
        Folder of the cache (default ``.cache/positions`` of the project).  A file is
        keyed by the corpus (:func:`analysis.text.matrix.corpus_key`) and the
        segmenter's fingerprint (the full request is stored in the file and compared on
        read), checksummed (:mod:`analysis.infra.cache`), and rebuilt when it fails its
        checksum, was built for another request, or its unit ids differ.
    use_cache : bool, default True
    n_jobs, client, chunk_chars
        As for :func:`analysis.document_term_matrix` (Dask; the result does not depend
        on them).

    Returns
    -------
    TokenPositions
    """
    import functools

    from analysis.infra.cache import read_verified, write_verified
    from analysis.text.matrix import _NOT_DOCVARS, corpus_key
    from analysis.text.tokens import Segmenter, chunked, counting_texts, default_cache_dir, map_chunks

    texts = counting_texts(corpus)
    segmenter = segmenter or Segmenter()
    unit_ids = (corpus["unit_id"].astype(str).tolist() if "unit_id" in corpus.columns
                else [str(i) for i in range(len(corpus))])
    docvars = corpus.drop(columns=[c for c in _NOT_DOCVARS if c in corpus.columns]).reset_index(drop=True)
    lexicon = frozenset([w for w, _ in segmenter.terms] + list(segmenter.extra_terms))
    ckey = corpus_key(corpus)
    key = hashlib.sha256(f"positions:{_POSITIONS_FORMAT}:{segmenter.fingerprint}:{ckey}".encode()).hexdigest()[:24]
    cache_file = Path(cache_dir or default_cache_dir() / "positions") / f"{key}.npz"
    # the whole request, stored in the file and checked on read (a file swapped in from
    # another corpus or segmenter is rebuilt)
    full_key = json.dumps({"cache": "positions", "format": _POSITIONS_FORMAT, "segmenter": segmenter.fingerprint,
                           "corpus_sha256": ckey, "units": len(unit_ids)}, sort_keys=True)
    loaded = None
    if use_cache:
        payload = read_verified(cache_file, key=full_key)
        loaded = _from_payload(payload, unit_ids) if payload is not None else None
    if loaded is None:
        work = functools.partial(_segment_positions, segmenter)
        parts = list(map_chunks(work, chunked(texts, chunk_chars), n_jobs=n_jobs, client=client))
        loaded = _merge(parts)
        if use_cache:
            write_verified(cache_file, _payload(*loaded, unit_ids), key=full_key)
    vocab, kept, ids, sent_ptr, unit_ptr = loaded
    return TokenPositions(ids, vocab, kept, sent_ptr, unit_ptr, docvars, tuple(texts), lexicon)
