"""Script normalisation and invisible characters: unit tests and a Traditional repost of a seed document."""
from collections import Counter

import opencc
import pytest

import analysis as A
from analysis.ingest.normalise import detect_script, normalise_invisible, to_simplified
from conftest import ROOT


def test_normalise_invisible_by_hand():
    text, counts = normalise_invisible("\ufeff动态\u200b清零\u200d\u00a0总\u202f方针\ufeff")
    assert text == "动态清零 总 方针"
    assert counts == {"zero_width": 2, "bom": 2, "nbsp": 2}


@pytest.mark.parametrize("text, script", [
    ("会议要求坚持动态清零", "simplified"),
    ("會議要求堅持動態清零", "traditional"),
    ("會議要求坚持动态清零", "mixed"),
    ("2022 ABC", "simplified"),
])
def test_detect_script(text, script):
    assert detect_script(text)[0] == script


def test_to_simplified_is_character_aligned():
    trad = "領導幹部要貫徹習近平總書記關於疫情防控的重要指示，二十條\n會議指出"
    simp, n = to_simplified(trad)
    assert simp == "领导干部要贯彻习近平总书记关于疫情防控的重要指示，二十条\n会议指出"
    assert len(simp) == len(trad)
    assert n == sum(a != b for a, b in zip(trad, simp)) == 14  # 領導幹貫徹習總書記關於條會議


SEED = "001_33cb1c59f72bef8b.txt"  # the 2021 Henan meeting (观察者网)
MANIFEST = """\
documents:
  - doc_id: {doc_id}
    file: {file}
    outlet: 观察者网
    period: "2021-08"
    units:
      - unit_id: {doc_id}-u
        start: 8月8日，河南省委召开新冠肺炎疫情防控工作第三次专题会议
        level: provincial
        province: 河南
        date: "2021-08-08"
"""


@pytest.fixture(scope="module")
def repost(tmp_path_factory):
    """The seed document and a Traditional-character repost of it made with OpenCC s2t at test time."""
    raw = (ROOT / "data" / "raw" / SEED).read_text(encoding="utf-8")
    trad = opencc.OpenCC("s2t").convert(raw)
    assert sum(a != b for a, b in zip(raw, trad)) > 500  # really converted
    data = tmp_path_factory.mktemp("repost") / "data"
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "simp.txt").write_text(raw, encoding="utf-8")
    (data / "raw" / "trad.txt").write_text(trad, encoding="utf-8")
    (data / "corpus.yml").write_text('periods:\n  "2021-08": test\n' + MANIFEST.format(doc_id="simp", file="simp.txt")
                                     + MANIFEST.format(doc_id="trad", file="trad.txt").split("documents:\n")[1],
                                     encoding="utf-8")
    corpus = A.load_corpus(data)
    return data, corpus, A.tokenize_corpus(corpus, A.Segmenter(), cache_dir=tmp_path_factory.mktemp("tok"))


def test_repost_is_detected_and_converted(repost):
    data, corpus, _ = repost
    audit, _ = A.corpus_audit(data)
    a = audit.set_index("doc_id")
    assert a.loc["simp", "script"] == "simplified" and a.loc["simp", "chars_converted"] == 0
    assert a.loc["trad", "script"] == "traditional" and a.loc["trad", "chars_converted"] > 500
    u = corpus.set_index("unit_id")
    assert "會議" in u.loc["trad-u", "display_text"] and "会议" in u.loc["trad-u", "text"]
    assert len(u.loc["trad-u", "display_text"]) == len(u.loc["trad-u", "text"])


def test_repost_yields_the_same_tokens(repost):
    _, _, tok = repost
    t = tok.set_index("unit_id")["tokens"]
    a, b = Counter(t["simp-u"]), Counter(t["trad-u"])
    shared = sum((a & b).values())
    assert shared / sum(a.values()) >= 0.99 and abs(sum(b.values()) - sum(a.values())) <= 0.01 * sum(a.values())


def test_repost_yields_the_same_theme_counts(repost):
    _, _, tok = repost
    themes = A.load_keywords()
    tf = A.theme_frequencies(tok, themes, "unit_id").pivot(index="theme", columns="unit_id", values="count")
    assert tf["simp-u"].sum() > 20
    for theme, r in tf.iterrows():
        assert abs(r["trad-u"] - r["simp-u"]) <= max(0.01 * r["simp-u"], 0), theme


def test_repost_is_verbatim_reuse_of_the_original(repost):
    _, corpus, _ = repost
    reuse = A.text_reuse(corpus, source="simp-u").set_index("unit_id")
    assert reuse.loc["trad-u", "reuse_share"] >= 0.9
    assert "會議" in reuse.loc["trad-u", "longest_passage"]  # shown in the original script


def test_kwic_matches_simplified_and_shows_the_original(repost):
    _, corpus, _ = repost
    lines = A.kwic(corpus, "会议", window=4)
    trad = lines[lines.unit_id == "trad-u"]
    assert len(trad) == len(lines[lines.unit_id == "simp-u"]) > 0
    assert set(trad.keyword) == {"會議"}
