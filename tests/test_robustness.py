"""Robustness across segmentations, and similarity corrected for length."""
import importlib
import sys
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import analysis as A
# the package exports the *function* robustness under the module's name: take the module itself
R = importlib.import_module("analysis.measures.robustness")

TEXT = "坚定不移贯彻动态清零总方针，科学精准做好疫情防控工作。严防层层加码和一刀切！"


@pytest.fixture(scope="module")
def base():
    return A.Segmenter()


def test_segmentations_cut_differently_but_filter_alike(base):
    lex = R.segmenter_for("jieba+lexicon", base=base)
    plain = R.segmenter_for("jieba", base=base)
    bigrams = R.segmenter_for("char-bigrams", base=base)
    assert "动态清零" in lex.tokenize(TEXT)
    assert "动态清零" not in plain.tokenize(TEXT)  # without the lexicon the slogan splits
    # bigrams by hand: every pair of adjacent Han characters within a run, filtered like the others
    run = "严防层层加码和一刀切"
    expected = [b for b in (run[i:i + 2] for i in range(len(run) - 1)) if lex.keep(b)]
    assert bigrams.tokenize(run) == expected
    assert "，" not in "".join(bigrams.tokenize(TEXT))
    assert len({s.fingerprint for s in (lex, plain, bigrams)}) == 3
    with pytest.raises(ValueError, match="unknown segmentation"):
        R.segmenter_for("stanza")


def test_snownlp_runs_offline_with_the_project_filters(base):
    sn = R.segmenter_for("snownlp", base=base)
    toks = sn.tokenize(TEXT)
    assert toks and all(base.keep(t) for t in toks)
    assert sn.tokenize_sentences(TEXT)[0] == sn.tokenize(TEXT.split("。")[0] + "。")


def test_cluster_labels_and_ari():
    sim = pd.DataFrame([[1, .9, .1, .1], [.9, 1, .1, .1], [.1, .1, 1, .8], [.1, .1, .8, 1]],
                       index=list("abcd"), columns=list("abcd"))
    lab = R.cluster_labels(sim, 2)
    assert lab["a"] == lab["b"] != lab["c"] == lab["d"]
    with pytest.raises(ValueError, match="n_clusters"):
        R.cluster_labels(sim, 9)


def _toy():
    texts = {"a": "优化防控措施，科学精准。优化服务保障。", "b": "优化调整措施，科学精准防控。",
             "c": "清仓见底，查清风险。必须清仓见底。", "d": "查清密接，必须从严从紧。"}
    return pd.DataFrame({"unit_id": list(texts), "period": ["new", "new", "old", "old"],
                         "place": ["甲", "乙", "丙", "丁"], "text": list(texts.values())})


def test_robustness_keyness_agreement_by_hand(tmp_path):
    out = R.robustness(_toy(), "keyness", ("jieba+lexicon", "char-bigrams"), target="new",
                       reference="old", min_count=1, top_k=2, cache_dir=tmp_path)
    base = out.iloc[0]
    assert base.spearman == pytest.approx(1.0) and base.top_target == 1.0 and base.n_shared == base.n_terms
    d = out.attrs["details"]
    other = out.iloc[1]
    shared = d["jieba+lexicon"].set_index("term").index.intersection(d["char-bigrams"].set_index("term").index)
    assert other.n_shared == len(shared)
    from scipy.stats import spearmanr
    rho = spearmanr(d["jieba+lexicon"].set_index("term").loc[shared, "log_odds_z"],
                    d["char-bigrams"].set_index("term").loc[shared, "log_odds_z"]).statistic
    assert other.spearman == pytest.approx(rho)


def test_robustness_clusters_report_ari(tmp_path):
    out = R.robustness(_toy(), "clusters", ("jieba+lexicon", "jieba"), by="place", n_clusters=2, cache_dir=tmp_path)
    assert out.ari.iloc[0] == 1.0
    labs = out[["甲", "乙", "丙", "丁"]]
    assert out.ari.iloc[1] == pytest.approx(adjusted_rand_score(labs.iloc[0], labs.iloc[1]))
    with pytest.raises(ValueError, match="comparison"):
        R.robustness(_toy(), "topics")


def test_equal_length_windows_remove_the_length_advantage():
    # b is a long text that contains a's whole vocabulary; c is short and different
    long_text = ["优化", "防控", "服务", "保障", "调整"] * 20
    d = pd.DataFrame({"unit_id": ["a", "b", "c"], "g": ["a", "b", "c"],
                      "tokens": [["优化", "防控", "服务"], long_text, ["清零", "查清", "必须"]]})
    eq = R.equal_length_similarity(d, "g", n_rep=20)
    assert eq.attrs["length"] == 3
    assert np.allclose(np.diag(eq), 1) and np.allclose(eq, eq.T)
    assert eq.loc["a", "c"] == pytest.approx(0.0) and eq.loc["b", "c"] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="window length"):
        R.equal_length_similarity(d, "g", length=50)
    pairs = R.similarity_vs_length(eq, pd.Series({"a": 3, "b": 100, "c": 3}))
    assert list(pairs.columns) == ["a", "b", "similarity", "tokens_a", "tokens_b", "tokens_geomean"]
    assert pairs.set_index(["a", "b"]).loc[("a", "b"), "tokens_geomean"] == pytest.approx(np.sqrt(300))


def test_cluster_agreement_is_the_ari_of_the_two_cuts():
    a = pd.DataFrame([[1, .9, .1, .1], [.9, 1, .1, .1], [.1, .1, 1, .8], [.1, .1, .8, 1]],
                     index=list("abcd"), columns=list("abcd"))
    b = pd.DataFrame([[1, .1, .9, .1], [.1, 1, .1, .8], [.9, .1, 1, .1], [.1, .8, .1, 1]],
                     index=list("abcd"), columns=list("abcd"))
    assert R.cluster_agreement(a, a, 2) == 1.0
    assert R.cluster_agreement(a, b, 2) == pytest.approx(
        adjusted_rand_score(R.cluster_labels(a, 2), R.cluster_labels(b, 2)))


def test_cluster_numbers_are_aligned_with_the_baseline():
    ref = pd.Series([1, 1, 2, 2, 3], index=list("abcde"))
    other = pd.Series([3, 3, 1, 1, 2], index=list("abcde"))  # the same partition, renumbered
    aligned = R._align(other, ref)
    assert aligned.tolist() == ref.tolist()
    assert adjusted_rand_score(aligned, ref) == adjusted_rand_score(other, ref)



def test_the_function_survives_an_import_of_its_module():
    import subprocess

    code = ("import analysis.measures.robustness, analysis as A; "
            "assert callable(A.robustness) and A.robustness.__module__ == 'analysis.measures.robustness', A.robustness")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_plain_jieba_uses_the_private_checksummed_cache_not_the_temp_dir(tmp_path, monkeypatch, capfd):
    # a jieba cache planted in the world-writable temp dir (jieba's format) in which 坚定不移 is
    # no longer a word: plain jieba.Tokenizer().initialize() would load it without question
    import marshal
    import tempfile
    import jieba
    planted = tmp_path / "tmp"
    planted.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(planted))
    tk = jieba.Tokenizer()
    freq, total = tk.gen_pfdict(tk.get_dict_file())
    freq["坚定不移"] = 0
    (planted / "jieba.cache").write_bytes(marshal.dumps((freq, total)))
    private = tmp_path / "private"
    base = A.Segmenter(cache_dir=private)
    plain = R.segmenter_for("jieba", base=base)
    capfd.readouterr()
    toks = plain.tokenize("坚定不移贯彻总方针")
    assert toks[0] == "坚定不移"  # the planted file was not loaded
    assert plain._tk.cache_file.startswith(str(private))  # the base segmenter's private folder
    assert not plain._tk.cache_file.startswith(str(planted))
    assert list(private.glob("jieba-dict-*.cache"))  # written through analysis.infra.cache
    err = capfd.readouterr().err
    assert "Building prefix dict" not in err and "Loading model" not in err  # jieba's log silenced


def test_alternative_segmenters_have_a_token_cache_key():
    """tokenize_corpus keys its cache by backend and filter settings: the alternatives carry
    their own name as backend and the base segmenter's filters."""
    import json

    from analysis.measures.robustness import segmenter_for
    from analysis.text.tokens import Segmenter, token_cache_key

    base = Segmenter()
    alt = segmenter_for("char-bigrams", base=base)
    key = json.loads(token_cache_key(alt))
    assert key["backend"] == "char-bigrams" and key["min_chars"] == base.min_chars
    assert key["hygiene"] == base.hygiene and key["segmenter"] == alt.fingerprint
    assert json.loads(token_cache_key(segmenter_for("jieba", base=base)))["backend"] == "jieba"
