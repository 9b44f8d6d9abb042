"""Policy-aware Chinese segmentation on an isolated jieba tokenizer, with a disk cache.

jieba splits the campaign's slogans (动态清零 -> 动态/清零, 以快制快 -> 以快/制快) unless
they are in its dictionary.  :class:`Segmenter` wraps its own ``jieba.Tokenizer``
(never jieba's process-global one), adds the terms of ``data/lexicon/policy_terms.txt``
and filters tokens:

* only tokens made entirely of Han characters are kept (punctuation, whitespace,
  numbers and Latin fragments go);
* stopwords = stopwordsiso's maintained ``zh`` list, minus ``stopwords_keep.txt``,
  plus ``stopwords_project.txt``;
* single-character tokens are dropped by default (``min_chars=2``): in these texts
  they are overwhelmingly particles and function words (的, 和, 要, 对), and the
  one-character verbs that matter appear inside formulas the lexicon keeps whole
  (快封, 快筛 ...).  Pass ``min_chars=1`` to keep them.

:func:`tokenize_corpus` adds ``tokens`` and ``sentences`` columns and caches the result
on disk, keyed by the text, the lexicon files and the settings, so re-running a
notebook does not re-segment.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Iterable

import pandas as pd

from ._io import atomic_write
from .corpus import default_data_dir

__all__ = ["Segmenter", "tokenize_corpus", "split_sentences", "count_terms",
           "read_word_list", "DEFAULT_FREQ", "LexiconError"]

#: jieba frequency given to lexicon entries without an explicit one.
DEFAULT_FREQ = 100_000

_HAN_ONLY = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])|\n")


class LexiconError(ValueError):
    """A lexicon or stopword file is malformed (the message names file and line)."""


def read_word_list(path: Path, with_freq: bool = False) -> list:
    """Read a word-list file: one entry per line, ``#`` starts a comment.

    Parameters
    ----------
    path : Path
        The file (UTF-8).
    with_freq : bool
        If True, each line may carry a frequency after the word, and the result is a
        list of ``(word, freq_or_None)``.

    Returns
    -------
    list
        Words (or ``(word, freq)`` pairs) in file order.

    Raises
    ------
    LexiconError
        If an entry contains anything but Han characters (jieba would never match it)
        or a frequency is not a positive integer.
    """
    path = Path(path)
    out = []
    for i, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        word = parts[0]
        if not _HAN_ONLY.match(word) or (len(parts) > 1 and not with_freq) or len(parts) > 2:
            raise LexiconError(f"{path.name} line {i}: {raw.strip()!r} — an entry must be "
                               f"Han characters only{' plus an optional frequency' if with_freq else ''}"
                               f"; put explanations after '#'")
        if with_freq:
            freq = None
            if len(parts) == 2:
                if not parts[1].isdigit() or int(parts[1]) <= 0:
                    raise LexiconError(f"{path.name} line {i}: {raw.strip()!r} — a term cannot "
                                       f"contain spaces, and the optional frequency {parts[1]!r} "
                                       f"must be a positive integer")
                freq = int(parts[1])
            out.append((word, freq))
        else:
            out.append(word)
    return out


def split_sentences(text: str) -> list[str]:
    """Split text after 。！？； (and at newlines); empty pieces are dropped."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]


class Segmenter:
    """Chinese word segmenter with a policy-term lexicon and stopword filtering.

    Parameters
    ----------
    lexicon_dir : path, optional
        Folder with ``policy_terms.txt``, ``stopwords_project.txt`` and
        ``stopwords_keep.txt``.  Defaults to ``data/lexicon``.
    min_chars : int, default 2
        Shortest token kept, in characters.
    use_stopwords : bool, default True
        Remove stopwords.
    hmm : bool, default True
        Let jieba's HMM join unknown character sequences (names, new words).
    extra_terms : iterable of str, optional
        More terms to keep whole (e.g. a keyword list being edited).

    Examples
    --------
    >>> seg = Segmenter()
    >>> seg.tokenize("坚定不移贯彻“动态清零”总方针，以快制快。")
    ['坚定不移', '贯彻', '动态清零', '总方针', '以快制快']
    """

    def __init__(self, lexicon_dir=None, *, min_chars: int = 2, use_stopwords: bool = True,
                 hmm: bool = True, extra_terms: Iterable[str] = ()):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self.lexicon_dir = Path(lexicon_dir) if lexicon_dir else default_data_dir() / "lexicon"
        if min_chars < 1:
            raise ValueError("min_chars must be >= 1")
        self.min_chars = int(min_chars)
        self.use_stopwords = bool(use_stopwords)
        self.hmm = bool(hmm)
        self.terms = read_word_list(self.lexicon_dir / "policy_terms.txt", with_freq=True)
        self.extra_terms = sorted(set(extra_terms))
        for t in self.extra_terms:
            if not _HAN_ONLY.match(t):
                raise LexiconError(f"extra term {t!r} must be Han characters only")
        self.stopwords = self._stopwords() if use_stopwords else frozenset()
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        for word, freq in self.terms:
            self._tk.add_word(word, freq or DEFAULT_FREQ)
        for word in self.extra_terms:
            self._tk.add_word(word, DEFAULT_FREQ)

    def _stopwords(self) -> frozenset:
        import stopwordsiso

        keep = set(read_word_list(self.lexicon_dir / "stopwords_keep.txt"))
        extra = set(read_word_list(self.lexicon_dir / "stopwords_project.txt"))
        return frozenset((set(stopwordsiso.stopwords("zh")) - keep) | extra)

    @property
    def fingerprint(self) -> str:
        """Hash of everything that determines the output (files, settings, versions)."""
        h = hashlib.sha256()
        for name in ("policy_terms.txt", "stopwords_project.txt", "stopwords_keep.txt"):
            h.update((self.lexicon_dir / name).read_bytes())
        h.update(json.dumps([self.min_chars, self.use_stopwords, self.hmm, self.extra_terms,
                             version("jieba"), version("stopwordsiso"), DEFAULT_FREQ]).encode())
        return h.hexdigest()[:16]

    def config(self) -> dict:
        """Arguments that rebuild an equivalent segmenter (e.g. in a worker process)."""
        return dict(lexicon_dir=str(self.lexicon_dir), min_chars=self.min_chars,
                    use_stopwords=self.use_stopwords, hmm=self.hmm,
                    extra_terms=self.extra_terms)

    def cut(self, text: str) -> list[str]:
        """Raw jieba tokens (with punctuation and stopwords), for inspection."""
        return self._tk.lcut(text, HMM=self.hmm)

    def keep(self, token: str) -> bool:
        """True if ``token`` survives the filters (Han only, length, stopwords)."""
        return (len(token) >= self.min_chars and token not in self.stopwords
                and _HAN_ONLY.match(token) is not None)

    def tokenize(self, text: str) -> list[str]:
        """Segment ``text`` and return the kept tokens in order."""
        stop, mn, han = self.stopwords, self.min_chars, _HAN_ONLY.match
        return [t for t in self._tk.cut(text, HMM=self.hmm)
                if len(t) >= mn and t not in stop and han(t)]

    def tokenize_sentences(self, text: str) -> list[list[str]]:
        """Tokens per sentence (see :func:`split_sentences`); the flattened result
        equals ``tokenize(text)`` because jieba never joins across punctuation."""
        return [self.tokenize(s) for s in split_sentences(text)]


def _default_cache_dir() -> Path:
    return default_data_dir().parent / ".cache" / "tokens"


def tokenize_corpus(corpus: pd.DataFrame, segmenter: Segmenter | None = None, *,
                    cache_dir=None, use_cache: bool = True) -> pd.DataFrame:
    """Return a copy of ``corpus`` with ``tokens`` and ``sentences`` columns.

    Parameters
    ----------
    corpus : pandas.DataFrame
        The corpus table (needs a ``text`` column).
    segmenter : Segmenter, optional
        Defaults to ``Segmenter()`` with the project lexicon.
    cache_dir : path, optional
        Where segmentations are cached (default ``.cache/tokens`` in the repository).
        The cache file is keyed by ``segmenter.fingerprint``; entries by a hash of each
        text, so editing one unit re-segments only that unit.
    use_cache : bool, default True
        Set False to always segment.

    Returns
    -------
    pandas.DataFrame
        A copy with ``tokens`` (list of str), ``sentences`` (list of list of str) and
        ``n_tokens`` (int).

    Raises
    ------
    ValueError
        If ``corpus`` has no ``text`` column or a unit yields no tokens.
    """
    if "text" not in corpus.columns:
        raise ValueError("corpus has no `text` column; pass the table from load_corpus()")
    segmenter = segmenter or Segmenter()
    cache_file = Path(cache_dir or _default_cache_dir()) / f"{segmenter.fingerprint}.json"
    cache: dict = {}
    if use_cache and cache_file.is_file():
        try:
            cache = json.loads(cache_file.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            cache = {}  # a damaged cache is rebuilt, never trusted
    dirty = False
    sentences = []
    for text in corpus["text"]:
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if key not in cache:
            cache[key] = segmenter.tokenize_sentences(text)
            dirty = True
        sentences.append(cache[key])
    if use_cache and dirty:
        atomic_write(cache_file, json.dumps(cache, ensure_ascii=False, sort_keys=True))
    out = corpus.copy()
    out["sentences"] = sentences
    out["tokens"] = [[t for s in sent for t in s] for sent in sentences]
    out["n_tokens"] = out["tokens"].map(len).astype("int64")
    empty = out.loc[out["n_tokens"] == 0]
    if len(empty):
        ids = list(empty["unit_id"]) if "unit_id" in out else list(empty.index)
        raise ValueError(f"units {ids} yield no tokens after filtering; check their text "
                         f"or the stopword lists")
    return out


_WORKER: Segmenter | None = None


def _init_worker(config: dict) -> None:
    global _WORKER
    _WORKER = Segmenter(**config)


def _count_chunk(texts: list[str]) -> Counter:
    c: Counter = Counter()
    for t in texts:
        c.update(_WORKER.tokenize(t))
    return c


def count_terms(texts: Iterable[str], segmenter: Segmenter | None = None, *,
                n_jobs: int = 1, chunk_chars: int = 200_000) -> Counter:
    """Count kept tokens over a stream of texts, in constant memory per term.

    For corpora far larger than this project's (see ``benchmarks/``): texts are
    consumed lazily, only the :class:`collections.Counter` grows (with vocabulary, not
    corpus size), and ``n_jobs > 1`` segments chunks in worker processes, each with
    its own tokenizer.

    Parameters
    ----------
    texts : iterable of str
    segmenter : Segmenter, optional
    n_jobs : int, default 1
        Worker processes; 1 runs in this process.
    chunk_chars : int
        Approximate characters per work item.

    Returns
    -------
    collections.Counter
        term -> count.
    """
    segmenter = segmenter or Segmenter()
    if n_jobs <= 1:
        c: Counter = Counter()
        for t in texts:
            c.update(segmenter.tokenize(t))
        return c

    def chunks():
        buf, size = [], 0
        for t in texts:
            buf.append(t)
            size += len(t)
            if size >= chunk_chars:
                yield buf
                buf, size = [], 0
        if buf:
            yield buf

    import multiprocessing as mp

    global _WORKER
    total: Counter = Counter()
    if "fork" in mp.get_all_start_methods():
        # forked workers inherit the initialised tokenizer: no second dictionary load
        ctx, init, initargs = mp.get_context("fork"), None, ()
        _WORKER = segmenter
    else:  # pragma: no cover - spawn platforms build their own
        ctx, init, initargs = mp.get_context("spawn"), _init_worker, (segmenter.config(),)
    try:
        with ctx.Pool(n_jobs, initializer=init, initargs=initargs) as pool:
            for part in pool.imap_unordered(_count_chunk, chunks()):
                total.update(part)
    finally:
        _WORKER = None
    return total
