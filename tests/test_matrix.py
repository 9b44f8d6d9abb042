"""Document-term matrix: construction, grouping and selection against plain counting."""
import os
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis as A
from analysis.text.matrix import DocumentTermMatrix, as_dtm, document_term_matrix, dtm_from_tokens
from conftest import ROOT
from reference_pipeline import assert_identical, reference_matrix, reference_tokens
from test_tokens import EDGE_TEXTS, SETTINGS


@pytest.fixture
def small():
    return pd.DataFrame({"unit_id": ["a", "b", "c"], "g": ["x", "y", "x"], "text": ["", "", ""],
                         "tokens": [["清零", "防控", "清零"], ["防控"], ["精准", "清零"]]})


def test_counts_vocab_and_docvars(small):
    m = dtm_from_tokens(small["tokens"], small)
    assert m.vocab == ("清零", "精准", "防控")
    assert m.counts.toarray().tolist() == [[2, 0, 1], [0, 0, 1], [1, 1, 0]]
    assert m.n_tokens.tolist() == [3, 1, 2]
    assert list(m.docvars.columns) == ["unit_id", "g"]
    assert m.column("清零").tolist() == [2, 0, 1] and m.column("未知").tolist() == [0, 0, 0]


def test_group_sums_rows_in_sorted_group_order(small):
    keys, g = as_dtm(small).group("g")
    assert keys["g"].tolist() == ["x", "y"]
    assert g.toarray().tolist() == [[3, 1, 1], [0, 0, 1]]
    keys, g = as_dtm(small).group(np.array(["p", "p", "q"]))
    assert keys["group"].tolist() == ["p", "q"] and g.toarray().tolist() == [[2, 0, 2], [1, 1, 0]]


def test_subset_and_errors(small):
    m = as_dtm(small)
    s = m.subset(m.docvars["g"] == "x")
    assert s.docvars["unit_id"].tolist() == ["a", "c"] and s.vocab == m.vocab
    with pytest.raises(ValueError, match="unknown column"):
        m.group("nope")
    with pytest.raises(ValueError, match="empty for units \\['b'\\]"):
        m.group(np.array(["p", "", "q"]))
    with pytest.raises(ValueError, match="no `tokens` column"):
        as_dtm(small.drop(columns="tokens"))
    with pytest.raises(ValueError, match="shape"):
        DocumentTermMatrix(m.counts, m.vocab[:2], m.docvars)


def test_real_corpus_matrix_equals_token_counts(corpus, tokenized):
    m = document_term_matrix(tokenized)
    assert m.shape[0] == len(tokenized)
    for i, toks in enumerate(tokenized["tokens"]):
        row = m.counts[i]
        assert Counter(toks) == {m.vocab[j]: int(v) for j, v in zip(row.indices, row.data)}
    keys, g = m.group("period")
    for k, row in zip(keys["period"], g.toarray()):
        expected = Counter(t for toks in tokenized.loc[tokenized.period == k, "tokens"] for t in toks)
        assert dict(zip(np.array(m.vocab)[row > 0], row[row > 0])) == expected


# --- segmentation into the matrix, its cache, and Dask ----------------------------------------------

def _same(a, b):
    return a.vocab == b.vocab and a.shape == b.shape and (a.counts != b.counts).nnz == 0 \
        and a.counts.dtype == b.counts.dtype == np.int64


def test_matrix_from_text_counts_exactly_what_the_segmenter_keeps(corpus, segmenter, tmp_path):
    m = document_term_matrix(corpus, segmenter, cache_dir=tmp_path)
    for i, text in enumerate(corpus.text):
        row = m.counts[i]
        assert Counter(segmenter.tokenize(text)) == {m.vocab[j]: int(v) for j, v in zip(row.indices, row.data)}
    assert list(m.vocab) == sorted(m.vocab) and m.counts.has_sorted_indices
    assert list(m.docvars.columns) == [c for c in corpus.columns if c not in ("text", "display_text")]
    assert m.docvars["unit_id"].tolist() == corpus.unit_id.tolist()


def test_matrix_cache_is_used_keyed_and_verified(corpus, segmenter, tmp_path, monkeypatch):
    import analysis.text.tokens as T
    from analysis.infra.cache import CacheWarning
    first = document_term_matrix(corpus, segmenter, cache_dir=tmp_path)
    (path,) = tmp_path.glob("*.npz")

    def boom(*a, **k):
        raise AssertionError("re-segmented despite the cache")
    monkeypatch.setattr(T, "segment_counts", boom)
    assert _same(document_term_matrix(corpus, segmenter, cache_dir=tmp_path), first)
    monkeypatch.undo()
    # another text, unit id or lexicon is another key
    edited = corpus.copy()
    edited.loc[0, "text"] = edited.loc[0, "text"] + "继续优化。"
    renamed = corpus.copy()
    renamed.loc[0, "unit_id"] = "renamed"
    document_term_matrix(edited, segmenter, cache_dir=tmp_path)
    document_term_matrix(renamed, segmenter, cache_dir=tmp_path)
    document_term_matrix(corpus, A.Segmenter(min_chars=1), cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 4
    # a flipped bit is detected and the matrix rebuilt
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x04
    path.write_bytes(bytes(raw))
    with pytest.warns(CacheWarning, match="failed its checksum"):
        assert _same(document_term_matrix(corpus, segmenter, cache_dir=tmp_path), first)
    assert _same(document_term_matrix(corpus, segmenter, cache_dir=tmp_path), first)  # rewritten, verifies


def test_matrix_cache_in_an_unwritable_folder_warns_and_computes(corpus, segmenter, tmp_path):
    from analysis.infra.cache import CacheWarning
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.warns(CacheWarning, match="cannot write the cache file"):
        m = document_term_matrix(corpus, segmenter, cache_dir=blocker / "dtm")
    assert _same(m, document_term_matrix(corpus, segmenter, use_cache=False))


def test_dask_paths_give_the_single_process_matrix(corpus, segmenter, tmp_path):
    from distributed import Client
    texts = pd.concat([corpus] * 4, ignore_index=True)
    texts["unit_id"] = [f"u{i}" for i in range(len(texts))]
    serial = document_term_matrix(texts, segmenter, use_cache=False)
    local = document_term_matrix(texts, segmenter, use_cache=False, n_jobs=2, chunk_chars=3000)
    assert _same(local, serial)
    with Client(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None) as client:
        assert _same(document_term_matrix(texts, segmenter, use_cache=False, client=client, chunk_chars=2000),
                     serial)


def test_merge_counts_stacks_parts_onto_the_union_vocabulary():
    from scipy import sparse
    from analysis.text.tokens import merge_counts
    a = ("乙", "甲"), sparse.csr_matrix(np.array([[1, 2], [0, 3]], dtype="int64"))
    b = ("丙", "甲"), sparse.csr_matrix(np.array([[4, 0]], dtype="int64"))
    vocab, m = merge_counts([a, b])
    assert vocab == ("丙", "乙", "甲")  # code point order: 丙 U+4E19, 乙 U+4E59, 甲 U+7532
    assert m.toarray().tolist() == [[0, 1, 2], [0, 0, 3], [4, 0, 0]]


def test_union_positions_by_arrow_equal_the_dictionary_and_python_order():
    """merge_counts' union of vocabularies (Arrow: distinct, sorted by UTF-8 bytes, hash
    look-ups) gives the same sorted union and positions as a Python dictionary and
    ``sorted()``, on random vocabularies mixing Han, ASCII, titles, astral-plane and
    combining characters; a term Arrow cannot hold (a lone surrogate) takes the dictionary."""
    import random

    from analysis.text.tokens import _union_positions, _union_positions_dict

    rng = random.Random(0)
    alphabet = list("动态清零科学精准层层加码") + list("abcXYZ09") + ["《", "》", "\U00020000", "\U0001F600", "e\u0301", "\uff01"]
    for _ in range(50):
        vocabs = [tuple(dict.fromkeys("".join(rng.choices(alphabet, k=rng.randint(1, 5)))
                                      for _ in range(rng.randint(0, 40))))
                  for _ in range(rng.randint(1, 4))]
        union, remaps = _union_positions(vocabs)
        assert union == tuple(sorted(set().union(*vocabs)))
        want = _union_positions_dict(vocabs)
        assert union == want[0] and all(np.array_equal(a, b) for a, b in zip(remaps, want[1]))
        for v, r in zip(vocabs, remaps):
            assert [union[i] for i in r] == list(v) and r.dtype == np.int64
    odd = [("\ud800x", "甲"), ("甲", "乙")]
    assert _union_positions(odd)[0] == ("乙", "甲", "\ud800x") == _union_positions_dict(odd)[0]
    assert _union_positions([]) == ((), [])


def test_unsorted_chunk_vocabularies_merge_to_the_same_matrix(corpus, segmenter):
    """segment_counts(sort_vocab=False) (what document_term_matrix hands to merge_counts)
    is the sorted result with its columns permuted, and merges to the same matrix."""
    from analysis.text.tokens import merge_counts, segment_counts

    texts = list(corpus.text)
    parts = [texts[:2], texts[2:]]
    for chunk in parts:
        v_sorted, m_sorted = segment_counts(segmenter, chunk)
        v_seen, m_seen = segment_counts(segmenter, chunk, sort_vocab=False)
        assert list(v_seen) != sorted(v_seen) and sorted(v_seen) == list(v_sorted)
        assert m_seen.has_sorted_indices
        perm = [v_seen.index(t) for t in v_sorted]
        assert (m_seen[:, perm] != m_sorted).nnz == 0
    a = merge_counts(segment_counts(segmenter, c) for c in parts)
    b = merge_counts(segment_counts(segmenter, c, sort_vocab=False) for c in parts)
    assert a[0] == b[0] and (a[1] != b[1]).nnz == 0
    assert np.array_equal(a[1].indices, b[1].indices) and np.array_equal(a[1].data, b[1].data)


def test_corpus_key_depends_on_ids_texts_and_order_only():
    from analysis.text.matrix import corpus_key
    base = pd.DataFrame({"unit_id": ["a", "b"], "text": ["动态清零", "科学精准"], "period": ["x", "y"]})
    assert corpus_key(base) == corpus_key(base.assign(period=["z", "z"]))  # metadata is not segmented
    shifted = base.assign(unit_id=["ab", ""], text=["动态清零", "科学精准"])
    joined = base.assign(text=["动态", "清零科学精准"])
    for other in (base.iloc[::-1], shifted, joined, base.assign(text=["动态清零", "科学精准。"])):
        assert corpus_key(other) != corpus_key(base)


def test_cached_matrix_takes_current_metadata(corpus, segmenter, tmp_path):
    document_term_matrix(corpus, segmenter, cache_dir=tmp_path)
    relabelled = corpus.assign(period="all")
    m = document_term_matrix(relabelled, segmenter, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1 and set(m.docvars["period"]) == {"all"}


def test_swapped_matrix_caches_are_rebuilt_not_served(corpus, segmenter, tmp_path):
    """Two corpora with the same unit ids and one text edited, and two segmenters on one corpus:
    their cache files swapped, each request still gets its own matrix (with a warning)."""
    from analysis.infra.cache import CacheWarning
    edited = corpus.copy()
    edited.loc[0, "text"] = edited.loc[0, "text"] + "继续优化调整防控措施。"
    plain = A.Segmenter(hygiene=False)
    requests = [(corpus, segmenter), (edited, segmenter), (corpus, plain)]
    want = [document_term_matrix(c, s, use_cache=False) for c, s in requests]
    files = []
    for c, s in requests:
        before = set(tmp_path.glob("*.npz"))
        document_term_matrix(c, s, cache_dir=tmp_path)
        (new,) = set(tmp_path.glob("*.npz")) - before
        files.append(new)
    content = [f.read_bytes() for f in files]
    for f, data in zip(files, content[1:] + content[:1]):  # rotate: each file holds another request's matrix
        f.write_bytes(data)
    for (c, s), f, expected in zip(requests, files, want):
        with pytest.warns(CacheWarning, match=f"{f.name} was built for another request"):
            assert _same(document_term_matrix(c, s, cache_dir=tmp_path), expected)
        assert _same(document_term_matrix(c, s, cache_dir=tmp_path), expected)  # rewritten, verifies


def test_a_matrix_cache_path_that_is_a_link_is_replaced_and_its_target_kept(corpus, segmenter, tmp_path):
    document_term_matrix(corpus, segmenter, cache_dir=tmp_path)
    (path,) = tmp_path.glob("*.npz")
    victim = tmp_path.parent / f"{tmp_path.name}-victim.txt"
    victim.write_text("system file")
    path.unlink()
    path.symlink_to(victim)
    with pytest.warns(UserWarning, match="symbolic link"):
        m = document_term_matrix(corpus, segmenter, cache_dir=tmp_path)
    assert victim.read_text() == "system file"
    assert not path.is_symlink() and _same(document_term_matrix(corpus, segmenter, cache_dir=tmp_path), m)


# --- bit-identity with the plain reference pipeline (tests/reference_pipeline.py) ------------------

@pytest.mark.parametrize("chunk_chars", [1_000_000, 2_000, 1])
@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()) or "default")
def test_matrix_is_bit_identical_to_plain_counting(corpus, settings, chunk_chars):
    """Vocabulary, row pointers, column indices and counts equal Counters of the reference
    tokens, whatever the chunking (one chunk, several, one text per chunk)."""
    seg = A.Segmenter(**settings)
    texts = list(corpus.text) + EDGE_TEXTS
    table = pd.DataFrame({"unit_id": [f"u{i}" for i in range(len(texts))], "text": texts})
    m = document_term_matrix(table, seg, use_cache=False, chunk_chars=chunk_chars)
    assert_identical(m.vocab, m.counts, *reference_matrix(reference_tokens(t, **settings) for t in texts))


def test_segment_counts_of_edge_cases_and_no_texts(segmenter):
    from analysis.text.tokens import segment_counts

    vocab, m = segment_counts(segmenter, EDGE_TEXTS)
    assert_identical(vocab, m, *reference_matrix(reference_tokens(t) for t in EDGE_TEXTS))
    vocab, m = segment_counts(segmenter, [])
    assert vocab == () and m.shape == (0, 0) and m.dtype == np.int64


_NEWS = ROOT.parent / "shared" / "mirror" / "Felix-Jung" / "xin-wen-lian-bo"


@pytest.mark.slow
def test_all_broadcast_stories_bit_identical_to_plain_counting(segmenter):
    """Every 新闻联播 story of the pinned commit: tokens in order and the matrix (one
    process, and two Dask processes) equal the plain reference pipeline."""
    from analysis.sources.broadcast import COMMIT, MIRROR_ENV, load_broadcast

    mirror = os.environ.get(MIRROR_ENV) or str(_NEWS)
    if not any((Path(mirror) / sub / "news").is_dir() for sub in ("", COMMIT)):
        pytest.skip(f"no 新闻联播 mirror (set {MIRROR_ENV} or place it at {_NEWS})")
    texts = load_broadcast(mirror=mirror, progressbar=False)["text"].tolist()
    ref_tokens = [reference_tokens(t) for t in texts]
    for i in range(0, len(texts), 997):  # token order on a spread of stories (counts cover all)
        assert segmenter.tokenize(texts[i]) == ref_tokens[i]
    ref = reference_matrix(ref_tokens)
    table = pd.DataFrame({"unit_id": [str(i) for i in range(len(texts))], "text": texts})
    for n_jobs in (1, 2):
        m = document_term_matrix(table, segmenter, use_cache=False, n_jobs=n_jobs)
        assert_identical(m.vocab, m.counts, *ref)


# --- the token coding and CSR shortcuts of segment_counts -----------------------------------------

CODING_CASES = [[], ["a"], ["清零", "清零", "防控"], ["", "x", "", "\x00", "\x01", "é", "😀", "\ud800", "清零"],
                ["\n", "\r\n", " ", "《二十条》", "约翰斯·霍普金斯大学", "a" * 1000, "a"]]


@pytest.mark.parametrize("tokens", CODING_CASES, ids=range(len(CODING_CASES)))
def test_arrow_token_codes_equal_one_dictionary_pass(tokens):
    """Same codes and distinct tokens in first-seen order (empty strings, NUL, non-BMP
    characters and a lone surrogate included)."""
    from analysis.text.tokens import _arrow_codes, _dict_codes

    a_codes, a_uniques = _arrow_codes(tokens)
    d_codes, d_uniques = _dict_codes(tokens)
    assert a_uniques == d_uniques == list(dict.fromkeys(tokens))
    assert a_codes.tolist() == d_codes.tolist() == [d_uniques.index(t) for t in tokens]


def test_arrow_token_codes_of_a_real_chunk(corpus, segmenter):
    from analysis.text.tokens import _arrow_codes, _cut_prepared, _dict_codes, _prepare_chunk

    texts = list(corpus.text) * 2
    tokens = _cut_prepared(segmenter, texts, _prepare_chunk(segmenter, texts), arrow=False)
    (a, ua), (d, ud) = _arrow_codes(tokens), _dict_codes(tokens)
    assert ua == ud and np.array_equal(a, d) and len(ud) > 1000


def test_summed_and_sorted_csr_equal_scipys_sort(seed=0):
    from scipy import sparse

    from analysis.text.tokens import _sorted_csr, _summed_csr

    rng = np.random.default_rng(seed)
    for n_rows, n_cols, n in [(1, 1, 0), (3, 5, 40), (50, 7, 2000), (200, 3000, 5000)]:
        columns = rng.integers(0, n_cols, n)
        indptr = np.concatenate([[0], np.sort(rng.integers(0, n + 1, n_rows - 1)), [n]])
        m = _summed_csr(columns, indptr, (n_rows, n_cols))
        want = sparse.csr_matrix((np.ones(n, dtype=np.int64), columns, indptr), shape=(n_rows, n_cols))
        want.sum_duplicates()
        want.sort_indices()
        assert m.dtype == np.int64 and m.has_sorted_indices
        for a in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(m, a), getattr(want, a)), a
        # sorted rows: every row's indices increase (checked directly, not through the flag)
        assert all((np.diff(m.indices[m.indptr[i]:m.indptr[i + 1]]) > 0).all() for i in range(n_rows))
        shuffled = sparse.csr_matrix((want.data[::-1].copy(), want.indices[::-1].copy(), want.indptr), shape=want.shape)
        s = _sorted_csr(shuffled.copy())
        shuffled.sort_indices()
        assert np.array_equal(s.indices, shuffled.indices) and np.array_equal(s.data, shuffled.data)


@pytest.mark.parametrize("sort_vocab", [True, False])
def test_segment_counts_with_and_without_arrow_agree(corpus, segmenter, sort_vocab, monkeypatch):
    from analysis.text import tokens as T

    # edge texts without NUL, the title mark or the separator: the chunk is joined and coded by Arrow
    texts = list(corpus.text) + [t for t in EDGE_TEXTS if not {"\x00", "\x01", "\x02"} & set(t)]
    calls, cuts = [], []
    monkeypatch.setattr(T, "_arrow_encode", lambda data, f=T._arrow_encode: calls.append(data.count("\x02")) or f(data))
    monkeypatch.setattr(T, "_cut_prepared", lambda *a, f=T._cut_prepared, **kw: cuts.append(f(*a, **kw)) or cuts[-1])
    a = T.segment_counts(segmenter, texts, sort_vocab=sort_vocab)
    assert len(calls) == 1 and calls[0] > 1000
    # cut text by text (one joined token string per text), not as one token list
    assert isinstance(cuts[0], T._CutText) and cuts[0].joined.count("\x00") == len(texts) - 1
    d = T.segment_counts(segmenter, texts, sort_vocab=sort_vocab, arrow=False)
    assert len(calls) == 1 and isinstance(cuts[1], list)
    assert a[0] == d[0] and (a[1] != d[1]).nnz == 0 and np.array_equal(a[1].indices, d[1].indices)


def test_a_title_holding_the_token_separator_is_counted(segmenter):
    """The separator only inside a document title: the masked chunk has none, the title
    token has it (this crashed the Arrow coding before)."""
    from analysis.text.tokens import segment_counts

    texts = ["会议学习了《通\x02知》精神。", "防控要科学精准"]
    vocab, m = segment_counts(segmenter, texts)
    assert "《通\x02知》" in vocab
    assert segment_counts(segmenter, texts, arrow=False)[0] == vocab
    assert m.sum(axis=1).A1.tolist() == [len(segmenter.tokenize(t)) for t in texts]


def test_remembered_filter_decisions_do_not_leak_between_segmenters(corpus):
    """Each segmenter remembers its own keep() decisions: a stopword for one is a term for
    another, whatever order they count in."""
    from analysis.text.tokens import segment_counts

    texts = list(corpus.text)
    stop, keep_all = A.Segmenter(), A.Segmenter(use_stopwords=False)
    first = [segment_counts(s, texts) for s in (stop, keep_all)]
    again = [segment_counts(s, texts) for s in (keep_all, stop)][::-1]
    assert [v for v, _ in first] == [v for v, _ in again]
    assert set(first[1][0]) - set(first[0][0])  # the settings do differ
    for s, (v, m) in zip((stop, keep_all), first):
        assert all(s.keep(t) for t in v)


@pytest.mark.parametrize("overlap", [True, False])
@pytest.mark.parametrize("chunk_chars", [1_000_000, 3_000, 1])
def test_count_chunks_equals_merged_chunk_counts(corpus, segmenter, overlap, chunk_chars):
    """The one-process stream (shared columns, segmenter thread) gives the matrix that
    merging each chunk's own counts gives (texts with NUL, title marks and the separator
    included, so every coding path is taken)."""
    from analysis.text.tokens import chunked, count_chunks, merge_counts, segment_counts

    texts = list(corpus.text) + EDGE_TEXTS + list(corpus.text)[:2]
    want = merge_counts(segment_counts(segmenter, c, arrow=False) for c in chunked(texts, chunk_chars))
    got = count_chunks(segmenter, chunked(texts, chunk_chars), overlap=overlap)
    assert got[0] == want[0]
    for a in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(got[1], a), getattr(want[1], a)), a
    assert got[1].shape == want[1].shape == (len(texts), len(want[0]))
    assert count_chunks(segmenter, iter([]), overlap=overlap)[1].shape == (0, 0)


def test_stream_tokens_decode_any_characters():
    """The stream's distinct tokens go through Arrow's string cast, or byte by byte when a
    lone surrogate makes the bytes invalid UTF-8 (the boundary object is the empty token)."""
    from analysis.text.tokens import _BOUNDARY, _as_binary, _decoded_any

    for tokens in (["清零", "a", "\x00", "😀"], ["清零", "\ud800", "é\u0301"], []):
        assert _decoded_any(_as_binary(tokens)) == tokens
    assert _decoded_any(_as_binary(["x", _BOUNDARY])) == ["x", ""]


@pytest.mark.parametrize("overlap", [True, False])
def test_count_chunks_with_empty_texts_and_the_separator(segmenter, overlap):
    """The stream's distinct tokens are coded together at the end: empty texts, chunks of
    one text and a chunk coded by the dictionary pass still give the per-chunk dictionary
    counts."""
    from analysis.text.tokens import chunked, count_chunks, merge_counts, segment_counts

    texts = ["防控清零工作", "", "清零", "\n", "坚持动态清零", "防控\x02清零", "", "科学精准防控"]
    for chunk_chars in (1, 6, 1000):
        want = merge_counts(segment_counts(segmenter, c, arrow=False) for c in chunked(texts, chunk_chars))
        got = count_chunks(segmenter, chunked(texts, chunk_chars), overlap=overlap)
        assert got[0] == want[0] and "清零" in got[0]
        for a in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(got[1], a), getattr(want[1], a)), (chunk_chars, a)


def test_a_failing_segmenter_thread_raises_in_the_caller_and_leaves_no_thread(corpus, segmenter, monkeypatch):
    import threading

    from analysis.text import tokens as T

    calls = []

    def cut(seg, texts, prepared, **kw):
        calls.append(threading.current_thread().name)
        if len(calls) == 2:
            raise RuntimeError("segmenter failed on chunk 2")
        return real(seg, texts, prepared, **kw)

    real = T._cut_prepared
    monkeypatch.setattr(T, "_cut_prepared", cut)
    before = set(threading.enumerate())
    with pytest.raises(RuntimeError, match="chunk 2"):
        T.count_chunks(segmenter, T.chunked(list(corpus.text) * 3, 2000))
    assert all(name.startswith("segmenter") for name in calls)  # cut in the second thread
    assert set(threading.enumerate()) == before


def test_balanced_runs_cut_the_texts_into_equal_shares_in_order():
    """One run per worker, consecutive, every text once, each run's characters within one
    text of an equal share (hand-checked small cases, then random lengths)."""
    from analysis.text.matrix import _balanced_runs

    assert _balanced_runs([], 2) == []
    assert _balanced_runs(["ab"], 3) == [["ab"]]
    assert _balanced_runs(["a", "b", "c", "d"], 2) == [["a", "b"], ["c", "d"]]
    assert _balanced_runs(["aaaa", "b", "c", "d", "e"], 2) == [["aaaa"], ["b", "c", "d", "e"]]
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 7):
        texts = ["x" * int(k) for k in rng.integers(0, 3000, 500)]
        runs = _balanced_runs(texts, n)
        assert [t for r in runs for t in r] == texts and len(runs) <= n
        share, longest = sum(map(len, texts)) / n, max(map(len, texts))
        assert all(abs(sum(map(len, r)) - share) <= longest for r in runs), [sum(map(len, r)) for r in runs]


def test_count_chunks_with_the_jieba_backend_cuts_text_by_text_the_same(corpus):
    """The jieba backend (no segmenter thread) takes the text-by-text cut too: the same
    matrix as each chunk's dictionary counts, and each row holds the text's kept tokens."""
    from analysis.text.tokens import chunked, count_chunks, merge_counts, segment_counts

    seg = A.Segmenter(backend="jieba")
    texts = list(corpus.text) + EDGE_TEXTS
    for chunk_chars in (1_000_000, 3_000, 1):
        want = merge_counts(segment_counts(seg, c, arrow=False) for c in chunked(texts, chunk_chars))
        got = count_chunks(seg, chunked(texts, chunk_chars))
        assert got[0] == want[0]
        for a in ("indptr", "indices", "data"):
            assert np.array_equal(getattr(got[1], a), getattr(want[1], a)), (chunk_chars, a)
        assert got[1].sum(axis=1).A1.tolist() == [len(seg.tokenize(t)) for t in texts]
