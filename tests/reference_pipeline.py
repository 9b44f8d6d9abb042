"""An independent, deliberately plain implementation of segment + hygiene + filter + count.

The tests compare :class:`analysis.Segmenter` and :func:`analysis.document_term_matrix`
(which work on whole chunks of texts for speed) with this one: one text at a time, a
fresh ``rjieba.Jieba`` loaded from the lexicon files, the hygiene functions applied to
each text, a regular-expression filter and a ``collections.Counter`` per text.  Nothing
here is imported from ``analysis.tokens`` or ``analysis.matrix``.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from analysis.text.hygiene import compile_titles, load_names, load_titles, mask_for_counting, title_spans

ROOT = Path(__file__).resolve().parent.parent
LEXICON = ROOT / "data" / "lexicon"
HAN_ONLY = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
DEFAULT_FREQ = 100_000  # the frequency the README documents for lexicon entries without one


def _words(path: Path) -> list[tuple[str, int | None]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("#", 1)[0].split()
        if parts:
            out.append((parts[0], int(parts[1]) if len(parts) > 1 else None))
    return out


@lru_cache(maxsize=None)
def _jieba(lexicon: str, hygiene: bool):
    import rjieba

    tk = rjieba.Jieba()
    for word, freq in _words(Path(lexicon) / "policy_terms.txt"):
        tk.add_word(word, freq or DEFAULT_FREQ, None)
    if hygiene:
        for name in load_names(lexicon)["name"]:
            tk.add_word(name, DEFAULT_FREQ, None)
    return tk


@lru_cache(maxsize=None)
def _stopwords(lexicon: str, hygiene: bool) -> frozenset:
    import stopwordsiso

    lex = Path(lexicon)
    keep = {w for w, _ in _words(lex / "stopwords_keep.txt")}
    extra = {w for w, _ in _words(lex / "stopwords_project.txt")}
    names = set(load_names(lexicon)["name"]) if hygiene else set()
    return frozenset((set(stopwordsiso.stopwords("zh")) - keep) | extra | names)


DOTS = "·・•‧"
_ONE_DOT = str.maketrans({d: "·" for d in DOTS})


@lru_cache(maxsize=None)
def _titles(lexicon: str):
    return compile_titles(load_titles(lexicon))


@lru_cache(maxsize=None)
def _dotted_names(lexicon: str) -> tuple[str, ...]:
    path = Path(lexicon) / "dotted_names.txt"
    words = [w for w, _ in _words(path)] if path.is_file() else []
    return tuple(w.translate(_ONE_DOT) for w in words)


def _spans(text: str, lexicon) -> list[tuple[int, int, str]]:
    """Title spans and listed dotted-name spans, the earlier (then longer) one winning."""
    found = list(title_spans(text, _titles(str(lexicon))))
    plain = text.translate(_ONE_DOT)  # one dot, same offsets
    for name in _dotted_names(str(lexicon)):
        canon = name
        start = plain.find(canon)
        while start >= 0:
            found.append((start, start + len(canon), canon))
            start = plain.find(canon, start + len(canon))
    out = []
    for s, e, tok in sorted(found, key=lambda x: (x[0], x[0] - x[1])):
        if not out or s >= out[-1][1]:
            out.append((s, e, tok))
    return out


def reference_tokens(text: str, *, hygiene: bool = True, min_chars: int = 2, use_stopwords: bool = True,
                     lexicon=LEXICON) -> list[str]:
    """Kept tokens of ``text``, in order, computed the plain way (rjieba backend, HMM on)."""
    tk = _jieba(str(lexicon), hygiene)
    stop = _stopwords(str(lexicon), hygiene) if use_stopwords else frozenset()
    raw = []
    if hygiene:
        text = mask_for_counting(text)
        pos = 0
        for start, end, token in _spans(text, lexicon):
            raw += tk.cut(text[pos:start], True)
            raw.append(token)
            pos = end
        raw += tk.cut(text[pos:], True)
    else:
        raw = tk.cut(text, True)
    out = []
    dotted = set(_dotted_names(str(lexicon))) if hygiene else set()
    for t in raw:
        if hygiene and len(t) > 2 and t.startswith("《") and t.endswith("》"):
            out.append(t)
        elif t in dotted:
            if t not in stop:
                out.append(t)
        elif len(t) >= min_chars and t not in stop and HAN_ONLY.fullmatch(t):
            out.append(t)
    return out


def reference_matrix(token_lists) -> tuple[tuple, sparse.csr_matrix]:
    """(vocabulary sorted by code point, int64 CSR counts with sorted column indices) of
    token lists, built row by row from Counters."""
    counters = [Counter(toks) for toks in token_lists]
    vocab = sorted(set().union(*counters)) if counters else []
    column = {t: j for j, t in enumerate(vocab)}
    indptr, indices, data = [0], [], []
    for c in counters:
        row = sorted((column[t], n) for t, n in c.items())
        indices += [j for j, _ in row]
        data += [n for _, n in row]
        indptr.append(len(indices))
    m = sparse.csr_matrix((np.array(data, dtype=np.int64), np.array(indices, dtype=np.int32),
                           np.array(indptr, dtype=np.int32)), shape=(len(counters), len(vocab)))
    return tuple(vocab), m


def assert_identical(vocab, counts, ref_vocab, ref_counts) -> None:
    """Same vocabulary, shape, dtype, row pointers, column indices and values."""
    assert vocab == ref_vocab
    assert counts.shape == ref_counts.shape and counts.dtype == np.int64
    assert counts.has_sorted_indices
    np.testing.assert_array_equal(counts.indptr, ref_counts.indptr)
    np.testing.assert_array_equal(counts.indices, ref_counts.indices)
    np.testing.assert_array_equal(counts.data, ref_counts.data)
