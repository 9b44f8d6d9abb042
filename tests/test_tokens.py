"""Segmentation: lexicon entries stay whole, filters work, no global state, caches are verified."""
import warnings

import jieba
import pytest

import analysis as A
from analysis.text.tokens import LexiconError, read_word_list, split_sentences, token_cache_key
from conftest import ROOT
from reference_pipeline import reference_tokens

LEX = ROOT / "data" / "lexicon"
TERMS = [w for w, _ in read_word_list(LEX / "policy_terms.txt", with_freq=True)]


@pytest.mark.parametrize("term", TERMS)
def test_every_lexicon_entry_stays_whole_in_a_sentence(segmenter, term):
    for sentence in [f"要坚持{term}的要求。", f"{term}，", f"各地{term}工作", f"“{term}”总方针"]:
        assert term in segmenter.cut(sentence), (term, sentence, segmenter.cut(sentence))


def test_plain_jieba_splits_the_slogans_the_lexicon_protects():
    # why the lexicon exists: jieba's own dictionary, loaded as the project loads it (no cache
    # in the shared temp folder, jieba's process-global tokenizer never used)
    from analysis.text.tokens import _jieba_tokenizer

    tk = _jieba_tokenizer(None)
    for term in ["动态清零", "外防输入", "以快制快", "双清零", "次密接", "人民至上"]:
        assert term not in tk.lcut(f"坚持{term}。"), term
    assert not jieba.dt.initialized  # nothing in the package or the tests so far touched it


def test_filters_remove_punctuation_numbers_latin_stopwords_and_single_chars(segmenter):
    toks = segmenter.tokenize("11月11日，我们要在48小时内完成Ct值检测的工作！和 的")
    assert all(len(t) >= 2 for t in toks)
    assert not any(ch.isdigit() or ch.isascii() for t in toks for ch in t)
    assert "我们" not in toks  # stopwordsiso
    assert "工作" in toks and "完成" in toks


def test_stopword_lists_combine_package_keep_and_project(segmenter):
    import stopwordsiso
    assert "我们" in segmenter.stopwords            # from stopwordsiso
    assert "不得" in stopwordsiso.stopwords("zh") and "不得" not in segmenter.stopwords  # keep list
    assert "会议" in segmenter.stopwords             # project list
    assert "不得" in segmenter.tokenize("不得加码管控")


def test_min_chars_option_keeps_single_characters():
    seg = A.Segmenter(min_chars=1, use_stopwords=False)
    assert seg.tokenize("快封、快筛，要发现") == ["快封", "快筛", "要", "发现"]  # 早发现 is a lexicon formula


def test_sentences_flatten_to_tokens(segmenter):
    text = "要坚持动态清零。严防层层加码；确保落实！\n继续优化"
    assert split_sentences(text) == ["要坚持动态清零。", "严防层层加码；", "确保落实！", "继续优化"]
    flat = [t for s in segmenter.tokenize_sentences(text) for t in s]
    assert flat == segmenter.tokenize(text)


def test_bad_lexicon_entries_are_rejected(tmp_path):
    (tmp_path / "policy_terms.txt").write_text("动态清零\n层层 加码\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"policy_terms\.txt line 2: '层层 加码' — a term cannot contain spaces"):
        read_word_list(tmp_path / "policy_terms.txt", with_freq=True)
    (tmp_path / "x.txt").write_text("清零 abc\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="frequency 'abc' must be a positive integer"):
        read_word_list(tmp_path / "x.txt", with_freq=True)


def test_tokenize_corpus_adds_columns_and_caches(corpus, segmenter, tmp_path, monkeypatch):
    small = corpus.head(3)
    out = A.tokenize_corpus(small, segmenter, cache_dir=tmp_path)
    assert {"tokens", "sentences", "n_tokens"} <= set(out.columns)
    assert "tokens" not in small.columns  # a copy, input untouched
    assert out.tokens.tolist() == [segmenter.tokenize(t) for t in small.text]
    assert len(list(tmp_path.glob("*.json"))) == 1

    def boom(_):
        raise AssertionError("re-segmented despite the cache")
    monkeypatch.setattr(segmenter, "tokenize_sentences", boom)
    again = A.tokenize_corpus(small, segmenter, cache_dir=tmp_path)
    assert again.tokens.tolist() == out.tokens.tolist()


def test_cache_key_changes_with_settings(segmenter):
    assert A.Segmenter(min_chars=1).fingerprint != segmenter.fingerprint
    assert A.Segmenter(extra_terms=["新提法"]).fingerprint != segmenter.fingerprint


def test_segmenters_with_the_same_words_share_rjieba_and_others_do_not():
    """The rjieba dictionary is shared by segmenters that add the same words (loading it
    costs ~0.1 s); a segmenter with an extra term gets its own, and the term never leaks
    into the others."""
    from analysis.text.tokens import _RJIEBA

    text = "要守好新提法的防线"
    a, b = A.Segmenter(), A.Segmenter(min_chars=1)
    assert a._tk is b._tk  # same words added, other filters
    extra = A.Segmenter(extra_terms=["守好新提法"])
    assert extra._tk is not a._tk
    assert "守好新提法" in extra.tokenize(text)
    assert "守好新提法" not in A.Segmenter().tokenize(text) and "守好新提法" not in a.tokenize(text)
    for i in range(12):  # bounded: the oldest dictionaries are let go
        A.Segmenter(extra_terms=[f"新提法{'一二三四五六七八九十'[i % 10]}" * (1 + i // 10)])
    assert len(_RJIEBA) <= 8


def test_damaged_cache_is_rebuilt(corpus, segmenter, tmp_path):
    (tmp_path / f"{segmenter.fingerprint}.json").write_text("{not json", encoding="utf-8")
    with pytest.warns(UserWarning, match="failed its checksum"):
        out = A.tokenize_corpus(corpus.head(1), segmenter, cache_dir=tmp_path)
    assert out.n_tokens.iloc[0] > 0


def test_empty_unit_is_an_error(segmenter):
    import pandas as pd
    with pytest.raises(ValueError, match=r"units \['x'\] yield no tokens"):
        A.tokenize_corpus(pd.DataFrame({"unit_id": ["x"], "text": ["的了 123"]}), segmenter, use_cache=False)


#: segmenter settings whose tokens are compared with the plain reference pipeline
SETTINGS = [{}, {"hygiene": False}, {"min_chars": 1}, {"use_stopwords": False}]
#: texts at the edges of the chunked pipeline: titles next to Han and Latin text, excluded
#: spans at the start and end, NUL and control characters, blank and empty texts
EDGE_TEXTS = ["", "   ", "\n\n", "\x00", "\x01\x00\x01", "落实进一步优化防控工作的二十条措施，优化调整。",
              "ABC《二十条》def动态清零", "《关于做好防控工作的通知》", "本报讯（记者 张三）要以快制快。",
              "要以快制快。（黄伟）", "穆为民、江凌在主会场出席。\n会议强调，要以快制快", "据《河南日报》",
              "a\x00b动态清零\x01层层加码\r", "\r\n坚持\r\n", "楼阳生主持会议并讲话",
              "美国约翰斯·霍普金斯大学发布的数据", "约翰斯•霍普金斯大学", "据约翰斯・霍普金斯大学统计，约翰斯‧霍普金斯大学",
              "《约翰斯·霍普金斯大学报告》", "约翰斯·霍普金斯", "【启航新征程·数风流人物】", "防控\x02动态清零",
              "会议学习了《通\x02知》精神"]  # the token separator only inside a title


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items()) or "default")
def test_tokens_equal_the_plain_reference_pipeline(corpus, settings):
    """Token sequences, in order, equal a one-text-at-a-time implementation written
    independently in tests/reference_pipeline.py (seed corpus and edge cases)."""
    seg = A.Segmenter(**settings)
    for text in list(corpus.text) + EDGE_TEXTS:
        assert seg.tokenize(text) == reference_tokens(text, **settings), text[:40]


def test_parallel_counting_equals_serial(corpus, segmenter):
    texts = list(corpus.text) * 3
    assert A.count_terms(texts, segmenter, n_jobs=2, chunk_chars=5000) == A.count_terms(texts, segmenter)


# --- backends ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jseg():
    return A.Segmenter(backend="jieba")


def test_default_backend_is_rjieba(segmenter):
    # chosen because its tokens agree with jieba's (benchmarks/bench_backends.py, README)
    assert segmenter.backend == A.Segmenter().backend == "rjieba"


@pytest.mark.parametrize("term", TERMS)
def test_every_lexicon_entry_stays_whole_with_jieba(jseg, term):
    for sentence in [f"要坚持{term}的要求。", f"{term}，", f"各地{term}工作", f"“{term}”总方针"]:
        assert term in jseg.cut(sentence), (term, sentence, jseg.cut(sentence))


def test_both_backends_filter_alike_and_agree_on_the_seed_corpus(corpus, jseg):
    rseg = A.Segmenter(backend="rjieba")
    assert rseg.stopwords == jseg.stopwords and rseg.fingerprint != jseg.fingerprint
    text = "坚定不移贯彻“动态清零”总方针，以快制快。11月11日，我们要在48小时内完成Ct值检测的工作！"
    assert [jseg.tokenize(t) for t in corpus.text] == [rseg.tokenize(t) for t in corpus.text]
    assert rseg.tokenize(text) == jseg.tokenize(text) == \
        ["坚定不移", "贯彻", "动态清零", "总方针", "以快制快", "小时", "完成", "检测", "工作"]
    with pytest.raises(ValueError, match="unknown backend 'spacy'"):
        A.Segmenter(backend="spacy")


def test_segmenter_pickles_as_the_lexicon_it_loaded(tmp_path):
    import pickle
    import shutil
    lex = shutil.copytree(LEX, tmp_path / "lexicon")
    seg = A.Segmenter(lex)
    (lex / "policy_terms.txt").write_text("优化调整\n", encoding="utf-8")  # edited after loading
    clone = pickle.loads(pickle.dumps(seg))
    assert clone.fingerprint == seg.fingerprint
    assert clone.tokenize("坚持动态清零，优化调整措施") == seg.tokenize("坚持动态清零，优化调整措施") == \
        ["坚持", "动态清零", "优化", "调整", "措施"]


# --- caches that cannot serve wrong tokens -------------------------------------

def _planted_jieba_cache(path):
    """A jieba prefix-dictionary cache in jieba's own format in which 坚定不移 is no longer a word
    (what anybody with write access to the temp dir could plant)."""
    import marshal
    tk = jieba.Tokenizer()
    freq, total = tk.gen_pfdict(tk.get_dict_file())
    freq["坚定不移"] = 0
    path.write_bytes(marshal.dumps((freq, total)))


def test_a_jieba_cache_planted_in_the_temp_dir_is_not_loaded(tmp_path, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    _planted_jieba_cache(tmp_path / "jieba.cache")
    tk = jieba.Tokenizer()  # what plain jieba does: loads the planted file
    assert "坚定不移" not in tk.lcut("坚定不移贯彻")
    seg = A.Segmenter(backend="jieba")
    assert seg.tokenize("坚定不移贯彻“动态清零”总方针") == ["坚定不移", "贯彻", "动态清零", "总方针"]
    assert seg._tk.cache_file.startswith(str(ROOT / ".cache"))


def test_the_private_jieba_cache_is_keyed_by_the_dictionary_and_verified(tmp_path):
    from analysis.infra.cache import CacheWarning
    first = A.Segmenter(cache_dir=tmp_path, backend="jieba")
    (cache,) = tmp_path.glob("jieba-dict-*.cache")
    with jieba.Tokenizer().get_dict_file() as f:
        import hashlib
        from importlib.metadata import version
        key = hashlib.sha256(f.read() + version("jieba").encode()).hexdigest()[:16]
    assert cache.name == f"jieba-dict-{key}.cache"
    _planted_jieba_cache(cache)  # same name, jieba's format, no checksum: rejected and rebuilt
    with pytest.warns(CacheWarning, match="failed its checksum"):
        second = A.Segmenter(cache_dir=tmp_path, backend="jieba")
    text = "坚定不移贯彻“动态清零”总方针"
    assert second.tokenize(text) == first.tokenize(text) == ["坚定不移", "贯彻", "动态清零", "总方针"]
    third = A.Segmenter(cache_dir=tmp_path, backend="jieba")  # the rebuilt file verifies
    assert third._tk.FREQ == first._tk.FREQ


@pytest.mark.parametrize("content", ["[]", "{\"%s\": 5}", "{\"%s\": [[\"清零\", 7]]}"])
def test_a_token_cache_of_the_wrong_shape_is_rebuilt(corpus, segmenter, tmp_path, content):
    import hashlib
    small = corpus.head(1)
    key = hashlib.sha256(small.text.iloc[0].encode("utf-8")).hexdigest()
    body = content.replace("%s", key) if "%s" in content else content
    expected = [segmenter.tokenize(t) for t in small.text]
    path = tmp_path / f"{segmenter.fingerprint}.json"
    path.write_text(body, encoding="utf-8")  # as the old code wrote it: valid JSON, no checksum
    with pytest.warns(UserWarning):  # (a CacheWarning)
        assert A.tokenize_corpus(small, segmenter, cache_dir=tmp_path).tokens.tolist() == expected
    from analysis.infra.cache import CacheWarning, write_verified
    write_verified(path, body.encode("utf-8"), key=token_cache_key(segmenter))  # valid: the shape is checked
    with pytest.warns(CacheWarning, match="does not hold segmentations"):
        assert A.tokenize_corpus(small, segmenter, cache_dir=tmp_path).tokens.tolist() == expected


def test_a_flipped_bit_in_the_token_cache_is_not_served(corpus, segmenter, tmp_path):
    units = corpus[corpus.text.str.contains("动态清零")].head(2)
    good = A.tokenize_corpus(units, segmenter, cache_dir=tmp_path)
    path = tmp_path / f"{segmenter.fingerprint}.json"
    raw = bytearray(path.read_bytes())
    at = raw.index("动态清零".encode("utf-8"))
    raw[at + 2] ^= 0x01  # 动 (E5 8A A8) -> 助 (E5 8A A9): still valid UTF-8 and valid JSON
    path.write_bytes(bytes(raw))
    assert "助态清零".encode("utf-8") in path.read_bytes()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        again = A.tokenize_corpus(units, segmenter, cache_dir=tmp_path)
    assert not any("助态清零" in toks for toks in again.tokens)
    assert again.tokens.tolist() == good.tokens.tolist()
    assert any("failed its checksum" in str(w.message) for w in caught)


def test_editing_the_lexicon_while_a_segmenter_is_alive_does_not_mislabel_the_cache(corpus, tmp_path):
    import shutil
    lex = shutil.copytree(LEX, tmp_path / "lexicon")
    cache = tmp_path / "cache"
    old = A.Segmenter(lex)
    with open(lex / "policy_terms.txt", "a", encoding="utf-8") as f:
        f.write("优化调整\n")
    A.tokenize_corpus(corpus, old, cache_dir=cache)  # still segments with the lexicon it loaded
    new = A.Segmenter(lex)
    out = A.tokenize_corpus(corpus, new, cache_dir=cache)
    fresh = A.tokenize_corpus(corpus, new, use_cache=False)
    assert sum(t.count("优化调整") for t in out.tokens) == sum(t.count("优化调整") for t in fresh.tokens) == \
        corpus.text.str.count("优化调整").sum() == 11
    assert new.fingerprint != old.fingerprint


def test_an_unwritable_cache_folder_only_costs_the_cache(corpus, segmenter, tmp_path, monkeypatch):
    import errno
    import tempfile
    small = corpus.head(2)
    expected = [segmenter.tokenize(t) for t in small.text]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.warns(UserWarning, match="cannot write the cache file"):
        out = A.tokenize_corpus(small, segmenter, cache_dir=blocker / "tokens")
    assert out.tokens.tolist() == expected

    def read_only(*args, **kwargs):
        raise PermissionError(errno.EROFS, "Read-only file system")
    monkeypatch.setattr(tempfile, "mkstemp", read_only)  # every atomic write fails, as on a read-only mount
    with pytest.warns(UserWarning, match="Read-only file system"):
        out = A.tokenize_corpus(small, segmenter, cache_dir=tmp_path / "ro")
    assert out.tokens.tolist() == expected
    with pytest.warns(UserWarning, match="Read-only file system"):
        seg = A.Segmenter(cache_dir=tmp_path / "ro-jieba", backend="jieba")
    assert seg.tokenize(small.text.iloc[0]) == expected[0]


# --- Dask ----------------------------------------------------------------------

def test_dask_counting_with_a_distributed_client_equals_serial(corpus, segmenter):
    from distributed import Client
    texts = list(corpus.text) * 3
    with Client(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None) as client:
        assert A.count_terms(texts, segmenter, client=client, chunk_chars=4000) == A.count_terms(texts, segmenter)


def test_map_chunks_streams_a_few_chunks_at_a_time(segmenter):
    from distributed import Client
    from analysis.text.tokens import map_chunks
    consumed = []

    def stream():
        for i in range(20):
            consumed.append(i)
            yield [f"第{i}条"]
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        results = map_chunks(len, stream(), client=client, batch=3)
        assert next(results) == 1
        assert len(consumed) == 3  # not the whole stream
        assert list(results) == [1] * 19 and len(consumed) == 20


class _Watched(str):
    """A text that records every attribute Dask looks up on it (a walk for dask objects asks
    each item for ``__dask_graph__``)."""
    looked_up: list = []

    def __getattribute__(self, name):
        if name.startswith("__dask"):
            _Watched.looked_up.append(name)
        return super().__getattribute__(name)


def test_map_chunks_does_not_make_dask_walk_the_texts():
    """Dask looks into lists item by item for dask objects (0.2 s for 36,000 texts); the
    chunks are handed over unopened, and the results are the same."""
    from distributed import Client
    from analysis.text.tokens import map_chunks

    chunks = [[_Watched("动态清零"), _Watched("科学精准")], [_Watched("层层加码")]]
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as client:
        assert list(map_chunks(len, chunks, client=client)) == [2, 1]
    assert _Watched.looked_up == []
    import dask  # the check would see a walk: the same list handed to dask.delayed directly
    dask.delayed(len)(chunks[0])
    assert "__dask_graph__" in " ".join(_Watched.looked_up)


class _Unpicklable:
    """A chunk item that cannot travel through a pipe (pickling it fails)."""

    def __init__(self, n):
        self.n = n

    def __reduce__(self):
        raise TypeError("this chunk was pickled")


def _sizes(chunk):
    return sum(x.n for x in chunk)


def test_map_chunks_hands_the_first_batch_to_forked_workers_by_inheritance():
    """With local processes (a fork pool) the first batch's chunks are not pickled: the workers
    inherit them and a task carries their number (pickling the broadcast corpus' 50 MB and
    sending it through pipes cost more than the second process saved).  The results are in
    order; a later batch (the workers exist by then) is pickled as before; nothing is left
    in the registry."""
    import multiprocessing as mp
    import pickle

    from analysis.text import tokens as T

    if "fork" not in mp.get_all_start_methods():  # pragma: no cover
        pytest.skip("no fork on this platform")
    chunks = [[_Unpicklable(i), _Unpicklable(1)] for i in range(5)]
    assert list(T.map_chunks(_sizes, chunks, n_jobs=2, batch=5)) == [i + 1 for i in range(5)]
    assert T._INHERITED == {}
    with pytest.raises(Exception, match="this chunk was pickled"):  # a second batch is sent
        list(T.map_chunks(_sizes, chunks, n_jobs=2, batch=3))
    assert T._INHERITED == {}
    assert list(T.map_chunks(len, [["a", "b"], ["c"]] * 3, n_jobs=2, batch=4)) == [2, 1] * 3
    # a box whose number is pickled is small, whatever the chunk
    box = T._Box(None, (0, 0))
    assert len(pickle.dumps(box)) < 100


# --- caches bound to their request, never written through links ----------------------------------

def _cache_parts(path):
    """(key, payload) of a cache file, read by the documented layout."""
    from analysis.infra.cache import MAGIC
    raw = path.read_bytes()
    body = raw[len(MAGIC) + 32:]
    n = int.from_bytes(body[:8], "big")
    return body[8:8 + n], body[8 + n:]


@pytest.mark.parametrize("magic", ["v1", "v2"])
def test_a_planted_token_entry_with_a_recomputed_plain_checksum_is_not_served(corpus, segmenter, tmp_path,
                                                                                 magic):
    import hashlib
    import json

    from analysis.infra.cache import MAGIC, CacheWarning
    small = corpus.head(1)
    good = A.tokenize_corpus(small, segmenter, cache_dir=tmp_path).tokens.tolist()
    path = tmp_path / f"{segmenter.fingerprint}.json"
    key, payload = _cache_parts(path)
    entries = json.loads(payload)
    entries = {k: [["假", "的"]] for k in entries}
    fake = json.dumps(entries, ensure_ascii=False).encode("utf-8")
    if magic == "v1":  # the previous format: MAGIC v1 + sha256(payload) + payload
        path.write_bytes(b"covid-discourse-cache v1\n" + hashlib.sha256(fake).digest() + fake)
    else:  # the current layout with the right key, digest recomputed over the payload only
        body = len(key).to_bytes(8, "big") + key + fake
        path.write_bytes(MAGIC + hashlib.sha256(fake).digest() + body)
    with pytest.warns(CacheWarning, match=str(path.name)):
        again = A.tokenize_corpus(small, segmenter, cache_dir=tmp_path)
    assert again.tokens.tolist() == good


def test_swapped_token_caches_of_two_segmenters_are_rebuilt(corpus, tmp_path):
    from analysis.infra.cache import CacheWarning
    small = corpus.head(3)
    plain, hygienic = A.Segmenter(hygiene=False), A.Segmenter()
    want = {s.fingerprint: A.tokenize_corpus(small, s, use_cache=False).tokens.tolist() for s in (plain, hygienic)}
    assert want[plain.fingerprint] != want[hygienic.fingerprint]
    for s in (plain, hygienic):
        A.tokenize_corpus(small, s, cache_dir=tmp_path)
    a, b = (tmp_path / f"{s.fingerprint}.json" for s in (plain, hygienic))
    a_bytes, b_bytes = a.read_bytes(), b.read_bytes()
    a.write_bytes(b_bytes)
    b.write_bytes(a_bytes)
    for s in (plain, hygienic):
        with pytest.warns(CacheWarning, match=f"{s.fingerprint}.json was built for another request"):
            assert A.tokenize_corpus(small, s, cache_dir=tmp_path).tokens.tolist() == want[s.fingerprint]
        assert A.tokenize_corpus(small, s, cache_dir=tmp_path).tokens.tolist() == want[s.fingerprint]


def test_a_token_cache_path_that_is_a_link_is_replaced_and_its_target_kept(corpus, segmenter, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("system file")
    cache = tmp_path / "tokens"
    cache.mkdir(mode=0o700)
    link = cache / f"{segmenter.fingerprint}.json"
    link.symlink_to(victim)
    with pytest.warns(UserWarning, match="symbolic link"):
        A.tokenize_corpus(corpus.head(1), segmenter, cache_dir=cache)
    assert victim.read_text() == "system file"
    assert not link.is_symlink() and link.stat().st_mode & 0o777 == 0o600


def test_a_jieba_cache_built_from_another_dictionary_is_not_loaded(tmp_path, monkeypatch):
    """A genuine cache file of another dictionary, renamed to this dictionary's cache name."""
    import io
    from analysis.infra.cache import CacheWarning
    reference = A.Segmenter(cache_dir=tmp_path / "ref", backend="jieba")
    (real_cache,) = (tmp_path / "ref").glob("jieba-dict-*.cache")
    other = tmp_path / "other"
    monkeypatch.setattr(jieba.Tokenizer, "get_dict_file", lambda self: io.BytesIO("坚定不移 9999999 v\n贯彻 3 v\n".encode()))
    A.Segmenter(cache_dir=other, backend="jieba")
    monkeypatch.undo()
    (built,) = other.glob("jieba-dict-*.cache")
    assert built.name != real_cache.name
    built.rename(other / real_cache.name)
    with pytest.warns(CacheWarning, match=f"{real_cache.name} was built for another request"):
        seg = A.Segmenter(cache_dir=other, backend="jieba")
    assert seg._tk.FREQ == reference._tk.FREQ and seg._tk.total == reference._tk.total


# --- names written with a middle dot -------------------------------------------------------------

@pytest.mark.parametrize("dot", list("·・•‧"))
def test_listed_dotted_name_is_one_token_whatever_the_dot(segmenter, dot):
    """jieba and rjieba split at the dot (约翰斯 / · / 霍普金斯大学) and a dotted token is not
    Han-only: before data/lexicon/dotted_names.txt the name gave two "key terms" in
    notebook 05.  Now one token, written with ·, in every path that segments."""
    from analysis.text.tokens import segment_counts

    text = f"美国约翰斯{dot}霍普金斯大学发布的数据显示"
    assert segmenter.tokenize(text) == ["美国", "约翰斯·霍普金斯大学", "发布", "数据", "显示"]
    assert segmenter.tokenize_sentences(text + "。约翰斯·霍普金斯大学") == [
        ["美国", "约翰斯·霍普金斯大学", "发布", "数据", "显示"], ["约翰斯·霍普金斯大学"]]
    vocab, m = segment_counts(segmenter, [text, "无关", "约翰斯·霍普金斯大学" * 2])
    assert m[:, vocab.index("约翰斯·霍普金斯大学")].toarray().ravel().tolist() == [1, 0, 2]
    assert "约翰斯" not in vocab and "霍普金斯大学" not in vocab


def test_dotted_names_only_with_hygiene_and_not_inside_a_title(segmenter):
    plain = A.Segmenter(hygiene=False)
    assert plain.tokenize("约翰斯·霍普金斯大学") == ["约翰斯", "霍普金斯大学"]  # plain segmentation
    assert segmenter.tokenize("《约翰斯·霍普金斯大学报告》") == ["《约翰斯·霍普金斯大学报告》"]
    # an unlisted dotted heading is not joined (a news column's title is not a name)
    assert "新征程·数风流人物" not in segmenter.tokenize("【启航新征程·数风流人物】")


def test_a_person_with_a_dotted_name_is_refused_by_names_with_the_reason(tmp_path):
    """names.txt (people, stopped as names) takes Han names only; its error says so."""
    import shutil

    from analysis.ingest.corpus import default_data_dir

    lex = tmp_path / "lexicon"
    shutil.copytree(default_data_dir() / "lexicon", lex)
    with open(lex / "names.txt", "a", encoding="utf-8") as f:
        f.write("雪克来提·扎克尔\t自治区主席\t新疆\n")
    with pytest.raises(Exception, match=r"names\.txt.*雪克来提·扎克尔"):
        A.Segmenter(lex)


@pytest.mark.parametrize("text, message", [
    ("约翰斯霍普金斯大学\n", r"dotted_names\.txt, line 1: '约翰斯霍普金斯大学' is not a dotted name"),
    ("# c\nJohns·Hopkins\n", r"line 2: 'Johns·Hopkins' is not a dotted name"),
    ("约翰斯·霍普金斯大学\n约翰斯•霍普金斯大学\n", r"line 2: '约翰斯·霍普金斯大学' is already listed on line 1"),
    ("约翰斯·霍普金斯大学 大学\n", r"line 1: .* is not a dotted name"),
])
def test_bad_dotted_names_file_names_line_and_fix(tmp_path, text, message):
    import shutil

    lex = tmp_path / "lexicon"
    from analysis.ingest.corpus import default_data_dir

    shutil.copytree(default_data_dir() / "lexicon", lex)
    (lex / "dotted_names.txt").write_text(text, encoding="utf-8")
    with pytest.raises(A.LexiconError, match=message):
        A.Segmenter(lex)


def test_the_listed_dotted_names_parse():
    from analysis.text.tokens import parse_dotted_names

    from analysis.ingest.corpus import default_data_dir

    names = parse_dotted_names((default_data_dir() / "lexicon" / "dotted_names.txt").read_text(encoding="utf-8"))
    assert "约翰斯·霍普金斯大学" in names and all("·" in n for n in names)
