"""Policy-aware Chinese segmentation (jieba or rjieba), verified disk caches, Dask counting.

jieba splits the campaign's slogans (动态清零 -> 动态/清零, 以快制快 -> 以快/制快) unless
they are in its dictionary.  :class:`Segmenter` wraps its own ``jieba.Tokenizer``
(never jieba's process-global one) or ``rjieba.Jieba`` instance, adds the terms of ``data/lexicon/policy_terms.txt``
and filters tokens:

* only tokens made entirely of Han characters are kept (punctuation, whitespace,
  numbers and Latin fragments go);
* stopwords = stopwordsiso's maintained ``zh`` list, minus ``stopwords_keep.txt``,
  plus ``stopwords_project.txt``;
* token hygiene (:mod:`analysis.text.hygiene`, ``hygiene=True``): attendance lists, bylines
  and outlet credits are blanked before segmenting (kept in the text, not counted);
  people in ``names.txt`` stay whole and are stopped as names; each document title
  (``《…》`` or listed in ``titles.txt``) becomes one token ``《short name》``; names
  written with a middle dot and listed in ``dotted_names.txt`` (约翰斯·霍普金斯大学)
  become one token, whichever dot the text uses (·, ・, •, ‧);
* single-character tokens are dropped by default (``min_chars=2``): in these texts
  they are overwhelmingly particles and function words (的, 和, 要, 对), and the
  one-character verbs that matter appear inside formulas the lexicon keeps whole
  (快封, 快筛 ...).  Pass ``min_chars=1`` to keep them.

:func:`tokenize_corpus` adds ``tokens`` and ``sentences`` columns and caches the result
on disk, keyed by the text, the lexicon as loaded and the settings, so re-running a
notebook does not re-segment.  Every cache file carries a checksum and is rebuilt when
it fails it (:mod:`analysis.infra.cache`).  :func:`segment_counts` turns texts into a sparse
count matrix; :func:`map_chunks` runs it over chunks with Dask (local processes or a
user's ``dask.distributed`` client); :func:`count_terms` and
:func:`analysis.document_term_matrix` are built on them.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import itertools
import json
import logging
import re
import warnings
from collections import Counter
from importlib.metadata import version
from pathlib import Path
from typing import Iterable, NamedTuple

import pandas as pd

from analysis.text import hygiene as _hygiene
from analysis.ingest.corpus import default_data_dir

__all__ = ["Segmenter", "tokenize_corpus", "split_sentences", "count_terms", "segment_counts",
           "merge_counts", "count_chunks", "count_run", "map_chunks", "chunked", "counting_texts", "read_word_list",
           "parse_word_list", "parse_dotted_names", "DOTS", "DEFAULT_FREQ", "DEFAULT_BACKEND", "BACKENDS", "LexiconError"]

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
    return parse_word_list(path.read_text(encoding="utf-8"), path.name, with_freq)


def parse_word_list(text: str, name: str, with_freq: bool = False) -> list:
    """Parse the content of a word-list file (see :func:`read_word_list`); ``name`` is
    used in error messages."""
    out = []
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        word = parts[0]
        if not _HAN_ONLY.match(word) or (len(parts) > 1 and not with_freq) or len(parts) > 2:
            raise LexiconError(f"{name} line {i}: {raw.strip()!r} — an entry must be "
                               f"Han characters only{' plus an optional frequency' if with_freq else ''}"
                               f"; put explanations after '#'")
        if with_freq:
            freq = None
            if len(parts) == 2:
                if not parts[1].isdigit() or int(parts[1]) <= 0:
                    raise LexiconError(f"{name} line {i}: {raw.strip()!r} — a term cannot "
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


#: Segmentation backends: ``jieba`` (the reference, pure Python) and ``rjieba`` (the
#: jieba-rs binding: same dictionary and HMM, compiled).
BACKENDS = ("jieba", "rjieba")
#: Backend used when none is given (see the README for the agreement measurements).
DEFAULT_BACKEND = "rjieba"

_LEXICON_FILES = ("policy_terms.txt", "stopwords_project.txt", "stopwords_keep.txt",
                  "names.txt", "titles.txt", "dotted_names.txt")
#: lexicon files that may be absent (read as empty)
_OPTIONAL_FILES = ("names.txt", "titles.txt", "dotted_names.txt")
#: the middle dots that join the parts of a transliterated or minority name
DOTS = "·・•‧"
_DOTTED = re.compile(rf"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+(?:[{DOTS}][\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)+$")


def parse_dotted_names(text: str, name: str = "dotted_names.txt") -> tuple[str, ...]:
    """Names of a dotted-names file: one per line, Han parts joined by a middle dot.

    Text after ``#`` is a comment.  Each name is returned with ``·`` (U+00B7) as its dot,
    whichever of :data:`DOTS` the file uses.

    Raises
    ------
    LexiconError
        Naming the file and line, if a name is not Han parts joined by a dot, or is
        listed twice.

    Examples
    --------
    >>> parse_dotted_names("约翰斯•霍普金斯大学  # a university\\n")
    ('约翰斯·霍普金斯大学',)
    """
    out: dict[str, int] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        word = line.split("#", 1)[0].strip()
        if not word:
            continue
        if not _DOTTED.match(word):
            raise LexiconError(
                f"{name}, line {lineno}: {word!r} is not a dotted name (Han characters joined by "
                f"one of {' '.join(DOTS)}, nothing else on the line); fix or remove the line")
        canon = re.sub(f"[{DOTS}]", "·", word)
        if canon in out:
            raise LexiconError(f"{name}, line {lineno}: {canon!r} is already listed on line "
                               f"{out[canon]}; remove one of them")
        out[canon] = lineno
    return tuple(out)


class _SpanMatcher:
    """Spans that become one token each: document titles (``《short name》``) and the
    listed dotted names (the name with ``·``).  Same merge rule as the titles
    (:func:`analysis.text.hygiene.drop_overlapping`, leftmost-longest)."""

    def __init__(self, titles, dotted: tuple[str, ...]):
        self.titles = titles
        self.dotted = dotted
        alts = [re.escape(n).replace("·", f"[{DOTS}]")
                for n in sorted(dotted, key=lambda n: (-len(n), n))]
        self._dotted = re.compile("|".join(alts)) if alts else None
        self._dot = re.compile(f"[{DOTS}]")

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        found = self.titles.spans(text)
        if self._dotted is None or not self._dot.search(text):
            return found
        extra = [(m.start(), m.end(), self._dot.sub("·", m.group())) for m in self._dotted.finditer(text)]
        if not extra:
            return found
        return _hygiene.drop_overlapping(found + extra, key=_hygiene.longest_first)


def default_cache_dir() -> Path:
    """The project's private cache folder (``.cache`` beside ``data/``)."""
    return default_data_dir().parent / ".cache"


def _jieba_tokenizer(cache_dir: Path | None):
    """A fresh ``jieba.Tokenizer`` with the default dictionary loaded.

    jieba keeps its prefix dictionary in ``<tempdir>/jieba.cache`` by default: a
    world-writable place, where any file planted under that name is loaded without
    question.  Here the dictionary bytes are read once and hashed, the tokenizer is
    given a private cache file keyed by that hash (``tk.cache_file``, under the project
    cache), and that file is written and read through the checksummed
    :mod:`analysis.infra.cache`.  With ``cache_dir=None`` nothing is cached.
    """
    import io
    import marshal

    import jieba

    from analysis.infra.cache import read_verified, write_verified

    tk = jieba.Tokenizer()
    with tk.get_dict_file() as f:
        dict_bytes = f.read()
    key = hashlib.sha256(dict_bytes + version("jieba").encode()).hexdigest()[:16]
    # the cache file carries the whole dictionary hash: a file built from another
    # dictionary is never marshal-loaded, whatever its name
    full_key = json.dumps({"cache": "jieba-dict", "dictionary_sha256": hashlib.sha256(dict_bytes).hexdigest(),
                           "jieba": version("jieba")}, sort_keys=True)
    if cache_dir is not None:
        tk.tmp_dir = str(cache_dir)
        tk.cache_file = str(Path(cache_dir) / f"jieba-dict-{key}.cache")
    payload = read_verified(tk.cache_file, key=full_key) if cache_dir is not None else None
    if payload is not None:
        tk.FREQ, tk.total = marshal.loads(payload)
    else:
        tk.FREQ, tk.total = tk.gen_pfdict(io.BytesIO(dict_bytes))
        if cache_dir is not None:
            write_verified(tk.cache_file, marshal.dumps((tk.FREQ, tk.total)), key=full_key)
    tk.initialized = True  # jieba's own initialize() (and its temp-dir cache) is never used
    return tk


#: rjieba segmenters by the exact words added to the default dictionary (most recent last)
_RJIEBA: dict = {}


def _rjieba_with(words: tuple):
    """An ``rjieba.Jieba`` with ``words`` (``(word, freq)`` pairs, in order) added to its
    dictionary, shared by every :class:`Segmenter` of this process that adds the same words:
    loading the default dictionary costs ~0.1 s, and a notebook makes many default
    segmenters.  The instance is never changed after it is built (segmenting only reads it)."""
    tk = _RJIEBA.pop(words, None)
    if tk is None:
        import rjieba

        tk = rjieba.Jieba()
        for word, freq in words:
            tk.add_word(word, freq, None)
    _RJIEBA[words] = tk
    while len(_RJIEBA) > 8:
        del _RJIEBA[next(iter(_RJIEBA))]
    return tk


class Segmenter:
    """Chinese word segmenter with a policy-term lexicon and stopword filtering.

    Parameters
    ----------
    lexicon_dir : path, optional
        Folder with ``policy_terms.txt``, ``stopwords_project.txt`` and
        ``stopwords_keep.txt``.  Defaults to ``data/lexicon``.  The files are read once,
        here; :attr:`fingerprint` hashes the bytes that were loaded, so editing the
        files later cannot relabel this segmenter's output.
    min_chars : int, default 2
        Shortest token kept, in characters.
    use_stopwords : bool, default True
        Remove stopwords.
    hmm : bool, default True
        Let the HMM join unknown character sequences (names, new words).
    extra_terms : iterable of str, optional
        More terms to keep whole (e.g. a keyword list being edited).
    backend : {"jieba", "rjieba"}, optional
        ``jieba`` (reference) or ``rjieba`` (jieba-rs: the same dictionary and HMM,
        compiled; ~15-20x faster).  Both get the same lexicon and filters.  Default
        :data:`DEFAULT_BACKEND`.
    cache_dir : path, optional
        Folder for jieba's prefix-dictionary cache (default ``.cache/jieba`` of the
        project; ``False`` for none).
    hygiene : bool, default True
        Apply :mod:`analysis.text.hygiene`: blank attendance lists, bylines and credits,
        count each document title once as ``《short name》``, and keep the people of
        ``names.txt`` whole (stopped as names when ``use_stopwords``).  False gives
        plain lexicon segmentation (for robustness checks).

    Examples
    --------
    >>> seg = Segmenter()
    >>> seg.tokenize("坚定不移贯彻“动态清零”总方针，以快制快。")
    ['坚定不移', '贯彻', '动态清零', '总方针', '以快制快']
    """

    def __init__(self, lexicon_dir=None, *, min_chars: int = 2, use_stopwords: bool = True,
                 hmm: bool = True, extra_terms: Iterable[str] = (), backend: str | None = None,
                 cache_dir=None, hygiene: bool = True):
        lexicon_dir = Path(lexicon_dir) if lexicon_dir else default_data_dir() / "lexicon"
        lexicon = {}
        for name in _LEXICON_FILES:
            path = lexicon_dir / name
            if name in _OPTIONAL_FILES:
                lexicon[name] = path.read_bytes() if hygiene and path.is_file() else b""
            elif name == "policy_terms.txt" or use_stopwords or path.is_file():
                lexicon[name] = path.read_bytes()
        if cache_dir is None:
            cache_dir = default_cache_dir() / "jieba"
        self._setup(dict(lexicon_dir=str(lexicon_dir), lexicon=lexicon, min_chars=min_chars,
                         use_stopwords=use_stopwords, hmm=hmm, extra_terms=sorted(set(extra_terms)),
                         backend=backend or DEFAULT_BACKEND,
                         cache_dir=str(cache_dir) if cache_dir is not False else None,
                         hygiene=bool(hygiene)))

    def _setup(self, state: dict) -> None:
        self._state = state
        self.lexicon_dir = Path(state["lexicon_dir"])
        if state["min_chars"] < 1:
            raise ValueError("min_chars must be >= 1")
        if state["backend"] not in BACKENDS:
            raise ValueError(f"unknown backend {state['backend']!r}; choose one of {BACKENDS}")
        self.backend = state["backend"]
        self.min_chars = int(state["min_chars"])
        self.use_stopwords = bool(state["use_stopwords"])
        self.hmm = bool(state["hmm"])
        lex = state["lexicon"]
        self.terms = parse_word_list(lex["policy_terms.txt"].decode("utf-8"), "policy_terms.txt",
                                     with_freq=True)
        self.extra_terms = list(state["extra_terms"])
        self.hygiene = bool(state.get("hygiene", True))
        self.names = tuple(_hygiene.parse_names(lex.get("names.txt", b"").decode("utf-8"),
                                                "names.txt")["name"])
        self.titles = _hygiene.parse_titles(lex.get("titles.txt", b"").decode("utf-8"), "titles.txt")
        self._title_matcher = _hygiene.compile_titles(self.titles)
        self.dotted_names = parse_dotted_names(lex.get("dotted_names.txt", b"").decode("utf-8"))
        self._span_matcher = _SpanMatcher(self._title_matcher, self.dotted_names)
        for t in self.extra_terms:
            if not _HAN_ONLY.match(t):
                raise LexiconError(f"extra term {t!r} must be Han characters only")
        if self.use_stopwords:
            import stopwordsiso

            keep = set(parse_word_list(lex["stopwords_keep.txt"].decode("utf-8"), "stopwords_keep.txt"))
            extra = set(parse_word_list(lex["stopwords_project.txt"].decode("utf-8"),
                                        "stopwords_project.txt"))
            self.stopwords = frozenset((set(stopwordsiso.stopwords("zh")) - keep) | extra
                                       | set(self.names))
        else:
            self.stopwords = frozenset()
        #: dotted-name tokens the filter keeps (not Han-only, so listed one by one)
        self._whole = frozenset(self.dotted_names) - self.stopwords
        #: keep() of each distinct token seen so far (see _keep_flags)
        self._keep_cache: dict = {}
        h = hashlib.sha256()
        for name in _LEXICON_FILES:
            h.update(name.encode() + b"\0" + lex.get(name, b"") + b"\0")
        if self.hygiene:
            h.update(Path(_hygiene.__file__).read_bytes())  # the exclusion rules
        h.update(json.dumps([self.min_chars, self.use_stopwords, self.hmm, self.extra_terms,
                             self.hygiene, self.backend, version(self.backend), version("stopwordsiso"),
                             DEFAULT_FREQ]).encode())
        self._fingerprint = h.hexdigest()[:16]
        words = ([(w, f or DEFAULT_FREQ) for w, f in self.terms]
                 + [(w, DEFAULT_FREQ) for w in self.extra_terms + list(self.names)])
        if self.backend == "jieba":
            import jieba

            jieba.setLogLevel(logging.WARNING)
            cache = state["cache_dir"]
            self._tk = _jieba_tokenizer(Path(cache) if cache else None)
            for word, freq in words:
                self._tk.add_word(word, freq)
            tk, hmm_ = self._tk, self.hmm
            self._raw_cut = lambda text: tk.lcut(text, HMM=hmm_)
        else:
            self._tk = _rjieba_with(tuple(words))
            tk, hmm_ = self._tk, self.hmm
            self._raw_cut = lambda text: tk.cut(text, hmm_)
        if self.hygiene:
            mask = _hygiene.mask_for_counting
            self._cut = lambda text: self._title_cut(mask(text))
        else:
            self._cut = self._raw_cut

    def _title_cut(self, text: str) -> list[str]:
        """Raw tokens of already-masked text: each document title is one token
        ``《short name》`` and each listed dotted name one token; the text between them is
        segmented."""
        out, pos, cut = [], 0, self._raw_cut
        for s, e, token in self._span_matcher.spans(text):
            out += cut(text[pos:s])
            out.append(token)
            pos = e
        return out + list(cut(text[pos:]))

    def _register(self) -> None:
        _SEGMENTERS[_state_key(self._state)] = self

    def __reduce__(self):
        # Pickled (e.g. for a Dask worker) as the loaded lexicon bytes and settings, not
        # the file paths: a worker rebuilds exactly this segmenter, whatever the files
        # say by then.  Each process rebuilds it once (see _segmenter_from_state).
        return _segmenter_from_state, (self._state,)

    @property
    def fingerprint(self) -> str:
        """Hash of everything that determines the output: the lexicon bytes loaded at
        construction, the settings, the backend and package versions."""
        return self._fingerprint

    def config(self) -> dict:
        """Arguments that rebuild an equivalent segmenter from the lexicon files."""
        return dict(lexicon_dir=str(self.lexicon_dir), min_chars=self.min_chars,
                    use_stopwords=self.use_stopwords, hmm=self.hmm,
                    extra_terms=self.extra_terms, backend=self.backend, hygiene=self.hygiene)

    def cut(self, text: str) -> list[str]:
        """Raw tokens (with punctuation and stopwords), for inspection."""
        return list(self._cut(text))

    def keep(self, token: str) -> bool:
        """True if ``token`` survives the filters (Han only, length, stopwords); a
        title token ``《…》`` made by the hygiene step is always kept, and so is a listed
        dotted name (unless it is a stopword or a listed person)."""
        if self.hygiene and len(token) > 2 and token[0] == "《" and token[-1] == "》":
            return True
        if token in self._whole:
            return True
        return (len(token) >= self.min_chars and token not in self.stopwords
                and _HAN_ONLY.match(token) is not None)

    def _keeps(self, raw) -> list[bool]:
        """:meth:`keep` of each token of ``raw``."""
        stop, mn, han = self.stopwords, self.min_chars, _HAN_ONLY.match
        titles, whole = self.hygiene, self._whole
        return [(len(t) >= mn and t not in stop and han(t) is not None)
                or (titles and len(t) > 2 and t[0] == "《" and t[-1] == "》") or t in whole for t in raw]

    def _filter(self, raw) -> list[str]:
        return [t for t, k in zip(raw, self._keeps(raw)) if k]

    def tokenize(self, text: str) -> list[str]:
        """Segment ``text`` and return the kept tokens in order."""
        return self._filter(self._cut(text))

    def tokenize_sentences(self, text: str) -> list[list[str]]:
        """Tokens per sentence (see :func:`split_sentences`); the flattened result
        equals ``tokenize(text)`` because neither backend joins across punctuation.
        Exclusions are found on the whole text before it is split."""
        if not self.hygiene:
            return [self.tokenize(s) for s in split_sentences(text)]
        masked = _hygiene.mask_for_counting(text)
        return [self._filter(self._title_cut(s)) for s in split_sentences(masked)]


_SEGMENTERS: dict = {}


def _state_key(state: dict) -> str:
    return hashlib.sha256(repr(sorted(state.items())).encode()).hexdigest()


def _segmenter_from_state(state: dict) -> Segmenter:
    """The segmenter of ``state``, built at most once per process (Dask workers)."""
    key = _state_key(state)
    seg = _SEGMENTERS.get(key)
    if seg is None:
        seg = Segmenter.__new__(Segmenter)
        seg._setup(state)
        _SEGMENTERS.clear()  # one rebuilt segmenter per worker process is enough
        _SEGMENTERS[key] = seg
    return seg


#: Joins the texts of a chunk so that hygiene, titles and segmentation run once per chunk:
#: no exclusion rule, title pattern or segmenter block reaches across a NUL between line
#: breaks, and rjieba/jieba emit the NUL as a token of its own (tested against per-text
#: segmentation in tests/test_matrix.py).
_TEXT_SEP = "\n\x00\n"
#: Stands in for each document title in a chunk's text: a character no segmenter joins
#: with its neighbours, replaced by the title token ``《short name》`` after segmenting.
_TITLE_MARK = "\x01"
#: Row boundary between the token lists of texts segmented one at a time.
_BOUNDARY = object()


class _Codes(dict):
    """token -> integer code, assigning the next code to each new token."""

    def __missing__(self, token):
        code = self[token] = len(self)
        return code


def _prepare_chunk(segmenter: Segmenter, texts: list[str]) -> tuple:
    """The chunk's texts as one string to cut: ``(joined, boundary, mark, titles)``.

    The texts are joined with :data:`_TEXT_SEP`, masked and title-matched in one pass
    each; each title is replaced by ``mark`` (:data:`_TITLE_MARK`) and listed in
    ``titles``, in order.  ``joined`` is None (and ``boundary`` the :data:`_BOUNDARY`
    object) when the texts themselves contain NUL or the mark: they are then segmented
    text by text.
    """
    joined = _TEXT_SEP.join(texts)
    if not texts or joined.count("\x00") != len(texts) - 1 or _TITLE_MARK in joined:
        return None, _BOUNDARY, None, []
    titles = []
    if segmenter.hygiene:
        masked = _hygiene.mask_for_counting(joined)
        pieces, pos = [], 0
        for start, end, token in segmenter._span_matcher.spans(masked):
            pieces.append(masked[pos:start])
            titles.append(token)
            pos = end
        pieces.append(masked[pos:])
        joined = _TITLE_MARK.join(pieces)
    return joined, "\x00", _TITLE_MARK, titles


class _CutText(NamedTuple):
    """A prepared chunk cut text by text (:func:`_cut_prepared`): all tokens in one string,
    each token followed by :data:`_TOKEN_SEP` except the last, with a NUL token between
    the texts' tokens."""

    joined: str


def _cut_prepared(segmenter: Segmenter, texts: list[str], prepared: tuple, *, arrow: bool = True,
                  by_text: bool = True):
    """Raw tokens of a prepared chunk (:func:`_prepare_chunk`).

    A joined chunk whose text (titles included) holds no :data:`_TOKEN_SEP` is cut as
    :class:`_CutText` when ``arrow``: the masked chunk is split at the NULs between its
    texts, each text is cut by its own rjieba call and its tokens are joined into one
    string at once, a NUL token between texts.  The chunk's tokens never all live as
    string objects at the same time: a chunk's ~600,000 fresh token strings held in one
    list cost ~16,000 page faults (0.6-0.8 s for the 新闻联播 corpus, a third of bare
    rjieba's time; see the profile in benchmarks/bench_pipeline.py), whereas a text's
    tokens fit in the memory the previous text's tokens left.  Otherwise, and with
    ``by_text=False`` (the segmenter thread of :func:`count_chunks`), the raw tokens are
    one list: the joined chunk's tokens (the NULs between texts are tokens of their
    own), or each text's tokens with the :data:`_BOUNDARY` object between texts.
    """
    joined, _, _, titles = prepared
    if joined is not None:
        if by_text and arrow and _TOKEN_SEP not in joined and not any(_TOKEN_SEP in t for t in titles):
            pieces = joined.split("\x00")
            if len(pieces) != len(texts):  # (_prepare_chunk counted the NULs)
                raise RuntimeError(f"a chunk of {len(texts)} texts was cut into {len(pieces)}")
            # each text's token list is joined as soon as it is cut, then freed
            sep = _TOKEN_SEP
            return _CutText((sep + "\x00" + sep).join(map(sep.join, map(segmenter._raw_cut, pieces))))
        return segmenter._raw_cut(joined)
    tokens = []
    for i, text in enumerate(texts):
        if i:
            tokens.append(_BOUNDARY)
        tokens += segmenter._cut(text)
    return tokens


#: Separates the tokens of a chunk in the one string that :func:`_arrow_codes` encodes: a
#: character no token can contain when the chunk's texts do not (checked per chunk).
_TOKEN_SEP = "\x02"


def _dict_codes(tokens) -> tuple:
    """Integer code of each token (first-seen order) and the distinct tokens: one dict pass.

    Works for any hashable tokens (the per-text path's boundary object included)."""
    import numpy as np

    index = _Codes()
    codes = np.fromiter(map(index.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    return codes, list(index)


def _arrow_codes(tokens: list) -> tuple:
    """:func:`_dict_codes` for string tokens without :data:`_TOKEN_SEP`, by Apache Arrow.

    The tokens are joined into one UTF-8 buffer (each followed by the separator), the
    buffer is viewed as an Arrow binary array whose offsets are the separators' positions,
    and ``dictionary_encode`` (a C++ hash table) gives each token its code.  Same codes and
    order as :func:`_dict_codes` (first-seen order, tested), without a Python dictionary
    probe per token: that probe hashes each fresh string object rjieba made (~100 ns a
    token), the join and Arrow's hash ~40 ns.
    """
    sep = _TOKEN_SEP
    codes, distinct = _arrow_encode(sep.join(tokens) + sep if tokens else "")
    return codes, _decoded(distinct)


def _arrow_encode(data: str) -> tuple:
    """Codes of the tokens in ``data`` (each followed by :data:`_TOKEN_SEP`, which no token
    contains) and the distinct tokens in first-seen order, as an Arrow ``large_binary``
    array of their UTF-8 bytes, each with its separator (lone surrogates passed through)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    data = data.encode("utf-8", "surrogatepass")
    # UTF-8 continuation and lead bytes are >= 0x80, so byte 0x02 is only ever the separator
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord(_TOKEN_SEP)) + 1
    n = len(ends)
    offsets = np.zeros(n + 1, dtype=np.int64)
    offsets[1:] = ends
    array = pa.LargeBinaryArray.from_buffers(pa.large_binary(), n,
                                             [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    encoded = pc.dictionary_encode(array)
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary


def _decoded(distinct) -> list:
    """The tokens of an :func:`_arrow_encode` dictionary whose tokens hold no
    :data:`_TOKEN_SEP`: one decode and one split (each value is a token and its separator)."""
    import numpy as np

    if not len(distinct):
        return []
    ends = np.frombuffer(distinct.buffers()[1], dtype=np.int64)[distinct.offset:distinct.offset + len(distinct) + 1]
    blob = distinct.buffers()[2].to_pybytes()[ends[0]:ends[-1]]
    return blob.decode("utf-8", "surrogatepass").split(_TOKEN_SEP)[:-1]


def _as_binary(uniques: list):
    """Distinct raw tokens as :func:`_arrow_encode` stores them (UTF-8 bytes and the
    separator; the per-text path's boundary object as the empty token, which no filter
    keeps)."""
    import pyarrow as pa

    sep = _TOKEN_SEP
    return pa.array([(t + sep if isinstance(t, str) else sep).encode("utf-8", "surrogatepass") for t in uniques],
                    type=pa.large_binary())


def _decoded_any(distinct) -> list:
    """The tokens of an Arrow array of :func:`_as_binary` values (any characters)."""
    import pyarrow as pa

    try:
        values = distinct.cast(pa.large_string()).to_pylist()
    except pa.ArrowInvalid:  # a lone surrogate (passed through by the encoder)
        values = [b.decode("utf-8", "surrogatepass") for b in distinct.to_pylist()]
    return [v[:-1] for v in values]


def _arrow_find(distinct, token: str) -> int:
    """Position of ``token`` in an :func:`_arrow_encode` dictionary (-1: absent)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.index(distinct, pa.scalar((token + _TOKEN_SEP).encode("utf-8"), pa.large_binary())).as_py()


def _keep_flags(segmenter: Segmenter, uniques: list) -> "np.ndarray":
    """:meth:`Segmenter.keep` of each distinct token as a boolean array, remembered per
    segmenter (a chunk's distinct tokens are mostly the previous chunks' ones)."""
    from itertools import repeat

    import numpy as np

    cache = segmenter._keep_cache
    flags = np.fromiter(map(cache.get, uniques, repeat(2)), dtype=np.int8, count=len(uniques))
    missing = np.flatnonzero(flags == 2)
    if len(missing):
        if len(cache) > 2_000_000:  # bounded memory on a stream of any size
            cache.clear()
        new = [uniques[i] for i in missing]
        keep = segmenter._keeps(new)
        cache.update(zip(new, keep))
        flags[missing] = keep
    return flags.astype(bool)


def _summed_csr(columns, indptr, shape):
    """CSR matrix of one count per (row, column) entry, duplicates summed, indices sorted.

    Two linear passes (CSR -> CSC -> CSR, a counting sort each way) instead of sorting every
    row: scipy's conversion leaves the row indices of each column in order, so equal
    entries are adjacent when they are summed."""
    import numpy as np
    from scipy import sparse

    # 32-bit indices and counts where they fit (scipy would copy 64-bit indices down to 32
    # bits anyway): half the memory to fill and walk; the counts are returned as int64
    small = len(columns) < 2**31 and max(shape) < 2**31
    index = np.int32 if small else np.int64
    m = sparse.csr_matrix((np.ones(len(columns), dtype=index), np.asarray(columns, dtype=index),
                           np.asarray(indptr, dtype=index)), shape=shape)
    m = m.tocsc()
    m.sum_duplicates()
    m = _sorted_csr(m)
    m.data = m.data.astype(np.int64, copy=False)
    return m


def _sorted_csr(m):
    """``m`` as CSR with sorted column indices, by a linear conversion (not a sort): scipy
    fills each row of the CSR form by walking the columns in order."""
    m = m.tocsc().tocsr() if m.format == "csr" else m.tocsr()
    m.has_sorted_indices = True  # (tested against sort_indices)
    return m


def segment_counts(segmenter: Segmenter, texts: list[str], *, sort_vocab: bool = True, arrow: bool = True):
    """Segment ``texts`` into a sparse count matrix (one row per text).

    The chunk is masked and cut in one call each (:func:`_prepare_chunk`); every token gets an
    integer code (:func:`_arrow_codes`, or one dictionary pass), each *distinct* token is
    filtered once (:meth:`Segmenter.keep` as a column mask, remembered across chunks), and
    the CSR arrays are built from the codes with numpy.  Row ``i`` equals counting
    ``segmenter.tokenize(texts[i])``.

    Parameters
    ----------
    segmenter : Segmenter
    texts : list of str
    sort_vocab : bool, default True
        False leaves the vocabulary in first-seen order: for parts that
        :func:`merge_counts` puts onto the sorted union anyway (it saves sorting each
        chunk's vocabulary, ~5 % of the pipeline).
    arrow : bool, default True
        Code the tokens with Apache Arrow (False: one Python dictionary pass; the result
        is the same, tested).  Chunks whose texts contain the separator ``\x02``, or that
        are segmented text by text, always take the dictionary pass.

    Returns
    -------
    vocab : tuple of str
        Kept terms of these texts, sorted by code point (first-seen order when not
        ``sort_vocab``).
    counts : scipy.sparse.csr_matrix
        int64, ``len(texts) × len(vocab)``, column indices sorted within each row.
    """
    import numpy as np
    from scipy import sparse

    texts = list(texts)
    if not texts:
        return (), sparse.csr_matrix((0, 0), dtype=np.int64)
    # the token lists would trigger the cyclic garbage collector over and over, and each
    # full pass walks every live container (the growing lists themselves, jieba's
    # 350k-word dictionary); nothing made here forms a cycle, so it is paused meanwhile
    with _gc_paused():
        prepared = _prepare_chunk(segmenter, texts)
        tokens = _cut_prepared(segmenter, texts, prepared, arrow=arrow)
        return _count_chunk(segmenter, texts, prepared, tokens, sort_vocab=sort_vocab, arrow=arrow)


@contextlib.contextmanager
def _gc_paused():
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _chunk_codes(texts: list, prepared: tuple, tokens, *, arrow: bool) -> tuple:
    """A chunk's raw tokens as integer codes: ``(codes, distinct, row_starts)``.

    ``codes`` (int32 from Arrow, int64 from the dictionary pass) has one code per raw token
    in order, each title mark already replaced by its title's code.  ``distinct`` lists the chunk's distinct raw tokens in first-seen
    order: an Arrow array (:func:`_arrow_encode`) when the chunk was coded by Arrow, else a
    list (the per-text path's boundary object included).  ``row_starts`` (int64) is the
    position of the first token of each text but the first (for a token list: of the
    boundary between texts)."""
    import numpy as np

    joined, boundary, mark, titles = prepared
    sep = _TOKEN_SEP
    if isinstance(tokens, _CutText):  # cut text by text, a NUL token between texts
        data = sep.join([tokens.joined, *titles]) + sep
        codes, distinct = _arrow_encode(data)
        del data
        find = functools.partial(_arrow_find, distinct)
    else:
        coded = tokens + titles if titles else tokens  # the titles coded with the tokens
        del tokens
        if arrow and joined is not None and sep not in joined and not any(sep in t for t in titles):
            codes, distinct = _arrow_encode(sep.join(coded) + sep if coded else "")
            find = functools.partial(_arrow_find, distinct)
        else:
            codes, distinct = _dict_codes(coded)
            find = distinct.index
        del coded
    if titles:  # the marks stand for the titles, in order
        title_codes = codes[len(codes) - len(titles):]
        codes = codes[:len(codes) - len(titles)].copy()  # (Arrow's codes are read-only)
        codes[codes == find(mark)] = title_codes
    row_starts = np.flatnonzero(codes == find(boundary)) if len(texts) > 1 else np.zeros(0, dtype=np.int64)
    return codes, distinct, row_starts


def _row_pointers(where, row_starts, n_rows: int, offset: int = 0):
    """CSR row pointers (without the leading 0) of ``n_rows`` rows from the positions of the
    kept tokens (``where``) and of each row's first token but the first row's."""
    import numpy as np

    ends = np.concatenate([np.searchsorted(where, row_starts), [len(where)]])[:n_rows]
    return ends.astype(np.int64) + offset


def _count_chunk(segmenter: Segmenter, texts: list, prepared: tuple, tokens, *, sort_vocab: bool,
                 arrow: bool) -> tuple:
    """:func:`segment_counts` of a chunk whose raw ``tokens`` are known."""
    import numpy as np

    codes, distinct, row_starts = _chunk_codes(texts, prepared, tokens, arrow=arrow)
    if isinstance(distinct, list):  # the per-text path's boundary object is named "" (never kept)
        uniques = named = distinct
        if not isinstance(prepared[1], str) and len(texts) > 1:
            named = ["" if t is prepared[1] else t for t in distinct]
    else:
        uniques = named = _decoded(distinct)
    vocab, column = _kept_columns(segmenter, named, uniques, sort=sort_vocab)
    ids = column[codes]
    where = np.flatnonzero(ids >= 0)
    indptr = np.concatenate([np.zeros(1, dtype=np.int64), _row_pointers(where, row_starts, len(texts))])
    return vocab, _summed_csr(ids[where], indptr, (len(texts), len(vocab)))


def _kept_columns(segmenter: Segmenter, named: list, uniques: list, *, sort: bool = True) -> tuple:
    """The vocabulary filtered once (a column mask), not the token stream: the kept terms
    (sorted by code point, or in first-seen order when not ``sort``) and each distinct
    token's column (-1: filtered out).  ``named`` is ``uniques`` with the per-text path's
    boundary object named "" (never kept)."""
    import numpy as np

    kept_codes = np.flatnonzero(_keep_flags(segmenter, named))
    kept = [uniques[i] for i in kept_codes]
    order = sorted(range(len(kept)), key=kept.__getitem__) if sort else list(range(len(kept)))
    column = np.full(len(uniques), -1, dtype=np.int32 if len(kept) < 2**31 else np.int64)
    column[kept_codes[order]] = np.arange(len(kept), dtype=column.dtype)
    return tuple(map(kept.__getitem__, order)), column


def _stream_matrix(segmenter: Segmenter, coded: list) -> tuple:
    """One count matrix from the :func:`_chunk_codes` of a stream's chunks (with each
    chunk's number of texts): the chunks' distinct tokens are coded once more together by
    Arrow, each distinct token is filtered once, and all kept tokens are summed in one pass."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    distincts = [d if not isinstance(d, list) else _as_binary(d) for _, d, _, _ in coded]
    sizes = np.array([len(d) for d in distincts], dtype=np.int64)
    encoded = pc.dictionary_encode(pa.concat_arrays(distincts)) if sizes.sum() else None
    if encoded is None:
        uniques, global_code = [], np.zeros(0, dtype=np.int64)
    else:
        uniques = _decoded_any(encoded.dictionary)
        global_code = encoded.indices.to_numpy(zero_copy_only=False)
    vocab, column = _kept_columns(segmenter, uniques, uniques)
    ids_parts, indptr_parts, total = [], [np.zeros(1, dtype=np.int64)], 0
    for (codes, _, row_starts, n_rows), stop, size in zip(coded, np.cumsum(sizes), sizes):
        ids = column[global_code[stop - size:stop]][codes]
        where = np.flatnonzero(ids >= 0)
        ids_parts.append(ids[where])
        indptr_parts.append(_row_pointers(where, row_starts, n_rows, total))
        total += len(where)
    indptr = np.concatenate(indptr_parts)
    return vocab, _summed_csr(np.concatenate(ids_parts), indptr, (len(indptr) - 1, len(vocab)))


def count_chunks(segmenter: Segmenter, chunks: Iterable, *, arrow: bool = True, overlap: bool = True) -> tuple:
    """Segment a stream of chunks in this process into one count matrix.

    Equal to ``merge_counts(segment_counts(segmenter, c) for c in chunks)`` (tested), with
    two savings: each chunk keeps only its token codes and its distinct tokens, which are
    coded together once at the end (no per-chunk vocabulary to filter, sort or merge), and
    with ``overlap`` rjieba cuts chunk ``k + 1`` in a second thread while this thread
    masks and codes chunk ``k`` (rjieba releases the GIL while it segments; the Python
    work holds it).  In one thread each chunk is cut text by text (:func:`_cut_prepared`);
    the second thread cuts the whole chunk in one call, because a call per text would
    wait for the GIL at every text.

    Parameters
    ----------
    segmenter : Segmenter
    chunks : iterable of list of str
        Consumed lazily, one chunk ahead of the counting.
    arrow : bool
        As :func:`segment_counts` (the chunks' distinct tokens are always coded together
        by Arrow).
    overlap : bool, default True
        False: no second thread (one core).  The jieba backend never overlaps (it holds
        the GIL).

    Returns
    -------
    vocab : tuple of str
        Kept terms, sorted by code point.
    counts : scipy.sparse.csr_matrix
        int64, one row per text of all chunks in order, column indices sorted.
    """
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    from scipy import sparse

    coded = []

    def count(texts, prepared, tokens):
        with _gc_paused():
            coded.append((*_chunk_codes(texts, prepared, tokens, arrow=arrow), len(texts)))

    if not overlap or segmenter.backend != "rjieba":
        for texts in chunks:
            texts = list(texts)
            with _gc_paused():
                prepared = _prepare_chunk(segmenter, texts)
                tokens = _cut_prepared(segmenter, texts, prepared, arrow=arrow)
            count(texts, prepared, tokens)
    else:
        with ThreadPoolExecutor(1, thread_name_prefix="segmenter") as pool:
            pending = None  # (texts, prepared, future tokens) of the chunk being cut
            for texts in chunks:
                texts = list(texts)
                with _gc_paused():
                    prepared = _prepare_chunk(segmenter, texts)
                cutting = pool.submit(_cut_prepared, segmenter, texts, prepared, arrow=arrow, by_text=False)
                if pending is not None:
                    count(pending[0], pending[1], pending[2].result())
                pending = (texts, prepared, cutting)
            if pending is not None:
                count(pending[0], pending[1], pending[2].result())
    if not coded:
        return (), sparse.csr_matrix((0, 0), dtype=np.int64)
    with _gc_paused():
        return _stream_matrix(segmenter, coded)


def count_run(segmenter: Segmenter, chunks: list) -> tuple:
    """:func:`count_chunks` of a list of chunks in one thread: a Dask task's work (each
    worker counts one run of consecutive chunks, so only one partial matrix per worker is
    sent back and merged)."""
    return count_chunks(segmenter, chunks, overlap=False)


def _union_positions(vocabs: list) -> tuple:
    """The sorted union of ``vocabs`` (sequences of str) and, for each, the position of
    every term in it (int64 arrays).

    Apache Arrow finds the distinct terms, sorts them (UTF-8 byte order, which is code-point
    order, Python's) and looks each vocabulary up in a C++ hash table: 0.06-0.07 s for two
    workers' vocabularies of the broadcast corpus, where a Python dictionary took 0.2 s.
    Terms Arrow cannot hold (a lone surrogate) take the dictionary."""
    import numpy as np

    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arrays = [pa.array(list(v), type=pa.large_string()) for v in vocabs]
    except (pa.ArrowException, UnicodeError):  # a lone surrogate has no UTF-8 form
        return _union_positions_dict(vocabs)
    distinct = pc.unique(pa.concat_arrays(arrays)) if arrays else pa.array([], type=pa.large_string())
    union = distinct.take(pc.sort_indices(distinct))
    remaps = [pc.index_in(a, value_set=union).to_numpy(zero_copy_only=False).astype(np.int64) for a in arrays]
    return tuple(union.to_pylist()), remaps


def _union_positions_dict(vocabs: list) -> tuple:
    """:func:`_union_positions` with a Python dictionary (any str)."""
    import numpy as np

    union: dict = {}  # term -> first-seen position
    remaps = []
    for v in vocabs:
        new = [t for t in v if t not in union]
        union.update(zip(new, range(len(union), len(union) + len(new))))
        remaps.append(np.fromiter(map(union.__getitem__, v), dtype=np.int64, count=len(v)))
    terms = list(union)
    order = sorted(range(len(terms)), key=terms.__getitem__)
    rank = np.empty(len(terms), dtype=np.int64)
    rank[order] = np.arange(len(terms), dtype=np.int64)
    return tuple(terms[i] for i in order), [rank[r] for r in remaps]


def merge_counts(parts) -> tuple:
    """Stack partial ``(vocab, counts)`` results (rows in order) onto one vocabulary.

    Returns
    -------
    vocab : tuple of str
        The sorted union of the parts' vocabularies.
    counts : scipy.sparse.csr_matrix
        int64, the parts' rows stacked, columns remapped to ``vocab``, indices sorted.
    """
    import numpy as np
    from scipy import sparse

    parts = list(parts)
    if not parts:
        return (), sparse.csr_matrix((0, 0), dtype=np.int64)
    vocab, remaps = _union_positions([v for v, _ in parts])
    # 32-bit indices where they fit, as scipy would make them (no copy down from 64 bits)
    index = np.int32 if sum(m.nnz for _, m in parts) < 2**31 and len(vocab) < 2**31 else np.int64
    columns, indptr, data, offset, in_order = [], [np.zeros(1, dtype=index)], [], 0, True
    for remap, (_, m) in zip(remaps, parts):
        m = m.tocsr()
        columns.append(remap[m.indices].astype(index, copy=False) if len(m.indices) else m.indices.astype(index))
        data.append(m.data.astype(np.int64, copy=False))
        indptr.append(m.indptr[1:].astype(index) + offset)
        offset += m.indptr[-1]
        # sorted rows whose columns keep their order when moved (a sorted vocabulary, as
        # count_run's are) stay sorted: no second pass
        in_order = in_order and m.has_sorted_indices and bool((np.diff(remap) > 0).all())
    out = sparse.csr_matrix((np.concatenate(data), np.concatenate(columns), np.concatenate(indptr)),
                            shape=(sum(m.shape[0] for _, m in parts), len(vocab)))
    if in_order:
        out.has_sorted_indices = True
        return vocab, out
    return vocab, _sorted_csr(out)


def chunked(texts: Iterable[str], chunk_chars: int):
    """Group a stream of texts into lists of about ``chunk_chars`` characters (lazily)."""
    buf, size = [], 0
    for t in texts:
        buf.append(t)
        size += len(t)
        if size >= chunk_chars:
            yield buf
            buf, size = [], 0
    if buf:
        yield buf


def map_chunks(func, chunks: Iterable, *, n_jobs: int = 1, client=None, batch: int | None = None):
    """Apply ``func`` to each chunk with Dask and yield the results in chunk order.

    Parameters
    ----------
    func : callable
        A picklable function of one chunk.
    chunks : iterable
        Consumed lazily, ``batch`` chunks at a time (so memory stays bounded for a
        stream of any length).
    n_jobs : int, default 1
        Local worker processes (Dask's ``processes`` scheduler); 1 runs everything in
        this process without Dask.  Ignored when ``client`` is given.
    client : dask.distributed.Client, optional
        Run on this cluster instead (e.g. a ``dask_jobqueue.SLURMCluster``'s client).
    batch : int, optional
        Chunks submitted per Dask computation (default: 16 per worker; each computation
        ends with all its chunks done, so larger batches idle the workers less).
    """
    from itertools import islice

    chunks = iter(chunks)
    if client is None and n_jobs <= 1:
        for c in chunks:
            yield func(c)
        return
    import dask

    for arg in getattr(func, "args", ()):
        if isinstance(arg, Segmenter):
            arg._register()  # forked workers find it without rebuilding

    if client is not None:
        workers = max(1, sum(client.nthreads().values()))
        kwargs, pool = dict(scheduler=client.get), None
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        import dask
        from dask.multiprocessing import get_context

        workers = n_jobs
        if dask.config.get("multiprocessing.context", None) is None and "fork" in mp.get_all_start_methods():
            # forked workers inherit the imported package and the loaded segmenters
            # (no second import or dictionary load); Dask's own default is "spawn"
            context = mp.get_context("fork")
        else:  # pragma: no cover - platforms without fork, or a user's Dask setting
            context = get_context()
        pool = ProcessPoolExecutor(n_jobs, mp_context=context)
        kwargs = dict(scheduler="processes", pool=pool, chunksize=1)
    # the first batch's chunks reach forked workers by inheritance: they are put where the
    # workers will find them before the pool forks them (at its first task), and the task
    # carries only their number; pickling them (50 MB for the broadcast corpus) and sending
    # them through a pipe cost more than the second process saved.  Later batches (the
    # workers exist by then) and other schedulers carry the values.
    inherit = pool is not None and context.get_start_method() == "fork"
    batch = batch or 16 * workers
    try:
        first = True
        while True:
            part = list(islice(chunks, batch))
            if not part:
                return
            call = next(_CALLS)
            tokens = [(call, i) for i in range(len(part))] if inherit and first else []
            _INHERITED.update(zip(tokens, part))
            boxes = [_Box(None, t) for t in tokens] or [_Box(c) for c in part]
            first = False
            # one task per chunk, named at random (pure=False): dask.bag.from_sequence would
            # hash every text to name its partitions, 0.46 s of a 5 s run over 50 MB
            # the chunk travels in a box that Dask does not look into (it walks lists and
            # tuples item by item for dask objects: 0.2 s for the 36,000 texts of 50 MB)
            try:
                results = dask.compute(*[dask.delayed(_unboxed, pure=False)(func, b) for b in boxes], **kwargs)
            finally:
                for t in tokens:
                    _INHERITED.pop(t, None)
            yield from results
    finally:
        if pool is not None:
            pool.shutdown(wait=True)


#: Chunks that the workers of :func:`map_chunks`' fork pool inherit (set before they fork),
#: by ``(call number, position)``.
_INHERITED: dict = {}
_CALLS = itertools.count()


class _Box:
    """A value Dask passes to a task as it is (see :func:`map_chunks`), or, with ``token``,
    only the number under which a forked worker finds it in :data:`_INHERITED`."""

    __slots__ = ("value", "token")

    def __init__(self, value, token=None):
        self.value, self.token = value, token

    def __getstate__(self):
        return ("inherited", self.token) if self.token is not None else ("value", self.value)

    def __setstate__(self, state):
        kind, v = state
        if kind == "inherited":
            if v not in _INHERITED:  # pragma: no cover - a worker forked before the chunks were set
                raise RuntimeError("map_chunks: a worker process did not inherit its chunk; "
                                   "run with n_jobs=1 or report this")
            self.value, self.token = _INHERITED[v], None
        else:
            self.value, self.token = v, None


def _unboxed(func, box: _Box):
    # a box that was not pickled (a task run in this process) still holds only its number
    return func(_INHERITED[box.token] if box.token is not None else box.value)


def _default_cache_dir() -> Path:
    return default_cache_dir() / "tokens"


def counting_texts(corpus: pd.DataFrame) -> list[str]:
    """The texts that are segmented for counting, one per row of the corpus table.

    The one place where text is prepared for segmentation, shared by
    :func:`tokenize_corpus` and :func:`analysis.document_term_matrix`.
    """
    if "text" not in corpus.columns:
        raise ValueError("corpus has no `text` column; pass the table from load_corpus()")
    return corpus["text"].tolist()


def _valid_token_cache(obj) -> bool:
    """True if ``obj`` has the shape of a token cache: {sha256 hex: [[str, ...], ...]}."""
    return isinstance(obj, dict) and all(
        isinstance(k, str) and len(k) == 64 and isinstance(v, list)
        and all(isinstance(s, list) and all(isinstance(t, str) for t in s) for s in v)
        for k, v in obj.items())


def token_cache_key(segmenter) -> str:
    """The request a token-cache file answers (stored in it and checked on read): the
    segmenter's fingerprint (lexicon bytes as loaded, settings, backend and versions)
    and its settings in words (a segmenter that duck-types :class:`Segmenter`, like the
    alternative segmentations of :mod:`analysis.measures.robustness`, must carry them too)."""
    return json.dumps({"cache": "tokens", "format": 2, "segmenter": segmenter.fingerprint,
                       "backend": segmenter.backend, "min_chars": segmenter.min_chars,
                       "use_stopwords": segmenter.use_stopwords, "hmm": segmenter.hmm,
                       "hygiene": segmenter.hygiene}, sort_keys=True)


def _read_token_cache(cache_file: Path, key: str) -> dict:
    from analysis.infra.cache import CacheWarning, read_verified

    payload = read_verified(cache_file, key=key)
    if payload is None:
        return {}
    try:
        cache = json.loads(payload.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        cache = None
    if not _valid_token_cache(cache):
        warnings.warn(f"cache file {cache_file} does not hold segmentations; it is rebuilt",
                      CacheWarning, stacklevel=3)
        return {}
    return cache


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
        The cache file is keyed by ``segmenter.fingerprint`` (the lexicon as loaded);
        entries by a hash of each text, so editing one unit re-segments only that
        unit.  The file carries a SHA-256 checksum and its key
        (:func:`token_cache_key`), and is rebuilt when it fails the checksum, was built
        for another key or does not have the shape of a segmentation cache; a folder
        that cannot be written only costs the cache (a warning says so).
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
    from analysis.infra.cache import write_verified

    texts = counting_texts(corpus)
    segmenter = segmenter or Segmenter()
    cache_file = Path(cache_dir or _default_cache_dir()) / f"{segmenter.fingerprint}.json"
    cache_key = token_cache_key(segmenter)
    cache: dict = _read_token_cache(cache_file, cache_key) if use_cache else {}
    dirty = False
    sentences = []
    for text in texts:
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if key not in cache:
            cache[key] = segmenter.tokenize_sentences(text)
            dirty = True
        sentences.append(cache[key])
    if use_cache and dirty:
        write_verified(cache_file, json.dumps(cache, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                       key=cache_key)
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


def count_terms(texts: Iterable[str], segmenter: Segmenter | None = None, *,
                n_jobs: int = 1, chunk_chars: int = 200_000, client=None) -> Counter:
    """Count kept tokens over a stream of texts, in memory bounded by the vocabulary.

    For corpora far larger than this project's (see ``benchmarks/``): texts are
    consumed lazily in chunks of about ``chunk_chars`` characters; each chunk becomes a
    sparse count matrix (:func:`segment_counts`), and the column sums are added up.
    With ``n_jobs > 1`` or a ``client`` the chunks are segmented by Dask
    (one ``dask.delayed`` task per chunk), a few chunks per worker at a time; each worker rebuilds the same
    segmenter once from the lexicon it was given.  The result does not depend on how
    the work is split.

    Parameters
    ----------
    texts : iterable of str
    segmenter : Segmenter, optional
    n_jobs : int, default 1
        Local worker processes; 1 runs in this process.
    chunk_chars : int
        Approximate characters per work item.
    client : dask.distributed.Client, optional
        Segment on this Dask cluster (local, or e.g. ``dask_jobqueue.SLURMCluster``).

    Returns
    -------
    collections.Counter
        term -> count.
    """
    import functools

    import numpy as np

    segmenter = segmenter or Segmenter()
    total: Counter = Counter()
    work = functools.partial(_column_sums, segmenter)
    for vocab, sums in map_chunks(work, chunked(texts, chunk_chars), n_jobs=n_jobs, client=client):
        for t, n in zip(vocab, np.asarray(sums).tolist()):
            total[t] += n
    return total


def _column_sums(segmenter: Segmenter, texts: list[str]):
    import numpy as np

    vocab, m = segment_counts(segmenter, texts)
    return vocab, np.asarray(m.sum(axis=0)).ravel()
