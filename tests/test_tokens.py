"""Segmentation: lexicon entries stay whole, filters work, no global state, cache works."""
import jieba
import pytest

import analysis as A
from analysis.tokens import LexiconError, read_word_list, split_sentences
from conftest import ROOT

LEX = ROOT / "data" / "lexicon"
TERMS = [w for w, _ in read_word_list(LEX / "policy_terms.txt", with_freq=True)]


@pytest.mark.parametrize("term", TERMS)
def test_every_lexicon_entry_stays_whole_in_a_sentence(segmenter, term):
    for sentence in [f"要坚持{term}的要求。", f"{term}，", f"各地{term}工作", f"“{term}”总方针"]:
        assert term in segmenter.cut(sentence), (term, sentence, segmenter.cut(sentence))


def test_plain_jieba_splits_the_slogans_the_lexicon_protects():
    # why the lexicon exists; also shows the process-global tokenizer is untouched
    tk = jieba.Tokenizer()
    for term in ["动态清零", "外防输入", "以快制快", "双清零", "次密接", "人民至上"]:
        assert term not in tk.lcut(f"坚持{term}。"), term
        assert term not in jieba.lcut(f"坚持{term}。"), term


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
    assert seg.tokenize("快封、快筛，早发现") == ["快封", "快筛", "早", "发现"]


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


def test_damaged_cache_is_rebuilt(corpus, segmenter, tmp_path):
    (tmp_path / f"{segmenter.fingerprint}.json").write_text("{not json", encoding="utf-8")
    out = A.tokenize_corpus(corpus.head(1), segmenter, cache_dir=tmp_path)
    assert out.n_tokens.iloc[0] > 0


def test_empty_unit_is_an_error(segmenter):
    import pandas as pd
    with pytest.raises(ValueError, match=r"units \['x'\] yield no tokens"):
        A.tokenize_corpus(pd.DataFrame({"unit_id": ["x"], "text": ["的了 123"]}), segmenter, use_cache=False)


def test_parallel_counting_equals_serial(corpus, segmenter):
    texts = list(corpus.text) * 3
    assert A.count_terms(texts, segmenter, n_jobs=2, chunk_chars=5000) == A.count_terms(texts, segmenter)
