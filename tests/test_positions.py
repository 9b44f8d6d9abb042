"""Token positions: same counts as the document-term matrix, sentence bounds, verified cache."""
import warnings

import numpy as np
import pandas as pd
import pytest

import analysis as A
from analysis.text.positions import is_position, token_positions


@pytest.fixture(scope="module")
def seed(corpus, segmenter, tmp_path_factory):
    return token_positions(corpus, segmenter, cache_dir=tmp_path_factory.mktemp("pos"))


def test_kept_positions_are_the_matrix(seed, corpus, segmenter, tmp_path):
    dtm = A.document_term_matrix(corpus, segmenter, cache_dir=tmp_path)
    vocab, counts = seed.kept_matrix()
    assert vocab == dtm.vocab
    assert (counts != dtm.counts).nnz == 0


def test_sentences_are_the_segmenters(seed, corpus, segmenter):
    for u in (0, 3, len(corpus) - 1):
        expected = segmenter.tokenize_sentences(corpus["text"].iat[u])
        got = []
        for s in range(seed.unit_ptr[u], seed.unit_ptr[u + 1]):
            toks = [seed.vocab[i] for i in seed.ids[seed.sent_ptr[s]:seed.sent_ptr[s + 1]]]
            got.append([t for t in toks if segmenter.keep(t)])
        assert got == expected


def test_positions_include_stopwords_and_numbers(tmp_path, segmenter):
    table = pd.DataFrame({"unit_id": ["u1"], "text": ["要坚决做到100%清零，不留死角。下一句。"]})
    pos = token_positions(table, segmenter, cache_dir=tmp_path)
    types = [pos.vocab[i] for i in pos.ids]
    assert "100%" in types and "，" not in types
    assert not pos.kept[pos.type_index["100%"]] and pos.kept[pos.type_index["清零"]]
    assert len(pos.sent_ptr) - 1 == 2  # two sentences
    assert is_position("《二十条》") and is_position("a1") and not is_position("，") and not is_position(" ")


def test_cache_is_reused_and_verified(tmp_path, segmenter, corpus):
    small = corpus.head(3)
    first = token_positions(small, segmenter, cache_dir=tmp_path)
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1
    again = token_positions(small, segmenter, cache_dir=tmp_path)
    assert np.array_equal(first.ids, again.ids) and first.vocab == again.vocab
    raw = bytearray(files[0].read_bytes())
    raw[-10] ^= 0xFF  # damage the stored payload
    files[0].write_bytes(bytes(raw))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rebuilt = token_positions(small, segmenter, cache_dir=tmp_path)
    assert np.array_equal(first.ids, rebuilt.ids)
    assert any("checksum" in str(w.message).lower() or "rebuil" in str(w.message).lower() for w in caught)
    changed = small.assign(text=small["text"].str.replace("防控", "防范"))
    other = token_positions(changed, segmenter, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 2 and other.vocab != first.vocab


def test_subset_keeps_units_whole(seed):
    mask = (seed.docvars["period"] == "2021-08").to_numpy()
    sub = seed.subset(mask)
    assert sub.n_units == int(mask.sum())
    rows = np.flatnonzero(mask)
    expected = np.concatenate([seed.ids[seed.unit_pos_ptr[r]:seed.unit_pos_ptr[r + 1]] for r in rows])
    assert np.array_equal(sub.ids, expected)
    assert sub.subset(np.array([1])).n_units == 1
    with pytest.raises(ValueError, match="increasing"):
        seed.subset(np.array([2, 1]))


def test_chunking_does_not_change_the_result(seed, corpus, segmenter):
    chunked = token_positions(corpus, segmenter, use_cache=False, chunk_chars=3000)
    assert chunked.vocab == seed.vocab
    assert np.array_equal(chunked.ids, seed.ids) and np.array_equal(chunked.sent_ptr, seed.sent_ptr)
    assert np.array_equal(chunked.unit_ptr, seed.unit_ptr) and np.array_equal(chunked.kept, seed.kept)


def test_a_cache_file_swapped_in_from_another_corpus_is_rebuilt(tmp_path, segmenter, corpus):
    a, b = corpus.head(2), corpus.iloc[2:4]
    token_positions(a, segmenter, cache_dir=tmp_path / "a")
    token_positions(b, segmenter, cache_dir=tmp_path / "b")
    (file_a,), (file_b,) = (tmp_path / "a").glob("*.npz"), (tmp_path / "b").glob("*.npz")
    file_b.write_bytes(file_a.read_bytes())  # a valid file, built for another request
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = token_positions(b, segmenter, cache_dir=tmp_path / "b")
    assert got.unit_ids() == b["unit_id"].tolist()
    assert any(file_b.name in str(w.message) for w in caught)
