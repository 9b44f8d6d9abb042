"""evidence_base and prose_facts on small hand-made tables, and on the seed corpus."""
import pandas as pd
import pytest

import analysis as A
from analysis.measures.evidence import evidence_base, lexicon_sizes, places_with, prose_facts


def small():
    return pd.DataFrame({
        "unit_id": ["a1", "a2", "b1", "c1"],
        "doc_id": ["d1", "d1", "d2", "d3"],
        "period": ["p1", "p1", "p2", "p2"],
        "place": ["河南", "河南", "江苏", "湖北"],
        "outlet": ["X", "X", "Y", "Z"],
        "speaker": ["甲", "乙", "丙、丁", ""],
        "excerpt": [False, False, False, True],
        "text": ["一二三", "四五", "六七八九", "十"],
        "tokens": [["a", "b"], ["c"], ["d", "e", "f"], ["g"]],
    })


def test_sides_by_hand():
    eb = evidence_base(small(), by="period", target="p2", reference="p1")
    s = eb.sides.set_index("side")
    assert s.loc["target", ["n_units", "n_documents", "n_places", "n_excerpt", "n_tokens",
                            "n_tokens_excerpt"]].tolist() == [2, 2, 2, 1, 4, 1]
    assert s.loc["target", "speakers"] == "丁、丙"          # split on 、, sorted, "" dropped
    assert s.loc["target", "places"] == "江苏、湖北" and s.loc["target", "outlets"] == "Y、Z"
    assert s.loc["reference", ["n_units", "n_documents", "n_tokens"]].tolist() == [2, 1, 3]
    assert not s.loc["reference", "single_unit"] and s.loc["reference", "single_document"]
    assert not s.loc["target", "single_document"]
    # no meeting_id column: the document is the meeting, so the reference is one meeting of two units
    assert s.loc["reference", ["n_meetings", "single_meeting"]].tolist() == [1, True]
    assert s.loc["target", ["n_meetings", "single_meeting"]].tolist() == [2, False]
    assert eb.summary.splitlines()[1].startswith("reference p1: 1 meeting (2 units) from 1 document")
    assert "ONE MEETING: no between-meeting inference" in eb.summary.splitlines()[1]
    u = eb.units
    assert list(u.columns) == ["side", "unit_id", "doc_id", "meeting_id", "place", "outlet", "speaker", "excerpt",
                               "n_chars", "n_tokens"]
    assert u.set_index("unit_id").loc[["c1", "a2"], ["side", "n_chars", "n_tokens"]].values.tolist() == \
        [["target", 1, 1], ["reference", 2, 1]]


def test_single_unit_is_flagged_and_said():
    eb = evidence_base(small(), by="unit_id", target="b1", reference=["a1", "a2"])
    s = eb.sides.set_index("side")
    assert s.loc["target", "single_unit"] and s.loc["target", "label"] == "b1"
    assert s.loc["reference", "label"] == "a1 + a2"
    lines = eb.summary.splitlines()
    assert len(lines) == 2 and "ONE MEETING" in lines[0] and "ONE MEETING" in lines[1]  # a1, a2: one document
    assert str(eb) == eb.summary


def test_default_reference_is_everything_else():
    eb = evidence_base(small(), by="place", target="河南")
    s = eb.sides.set_index("side")
    assert s.loc["reference", "n_units"] == 2 and s.loc["reference", "label"] == "all but 河南"
    assert "1 excerpt)" in eb.summary.splitlines()[1]


def test_untokenized_table_has_no_token_counts():
    eb = evidence_base(small().drop(columns="tokens"), by="period", target="p1")
    assert eb.sides.n_tokens.isna().all() and "tokens" not in eb.summary


def test_bad_input_is_named():
    with pytest.raises(ValueError, match=r"unknown column 'year'"):
        evidence_base(small(), by="year", target="p1")
    with pytest.raises(ValueError, match=r"the reference side \(period = 'p9'\) has no rows"):
        evidence_base(small(), by="period", target="p1", reference="p9")
    with pytest.raises(TypeError):
        evidence_base([1, 2], by="period", target="p1")


def test_matrix_and_table_agree(corpus):
    units = corpus[corpus.level.isin(["provincial", "municipal"])]
    tok = A.tokenize_corpus(units)
    dtm = A.document_term_matrix(units)
    a = evidence_base(tok, by="period", target="2022-11", reference="2021-08")
    b = evidence_base(dtm, by="period", target="2022-11", reference="2021-08")
    pd.testing.assert_frame_equal(a.sides, b.sides)
    assert a.summary == b.summary


def test_seed_corpus_periods_state_one_document_and_the_excerpts(corpus):
    units = corpus[corpus.level.isin(["provincial", "municipal"])
                   & (corpus.unit_id != "henan-20221111-bjyouth")]
    tok = A.tokenize_corpus(units)
    s = evidence_base(tok, by="period", target="2022-11", reference="2021-08").sides.set_index("side")
    assert s.loc["reference", ["n_units", "n_meetings", "n_documents", "speakers"]].tolist() == \
        [2, 1, 1, "楼阳生、王凯"]
    assert s.loc["reference", "single_meeting"] and s.loc["reference", "single_document"]
    assert s.loc["target", ["n_units", "n_meetings"]].tolist() == [16, 15]  # 17 Nov Henan: two speeches
    assert s.loc["target", "n_excerpt"] == 11 and s.loc["target", "n_places"] == 14
    # holding the speaker constant leaves one 2021 unit: flagged
    lou = tok[(tok.province == "河南") & (tok.speaker == "楼阳生")]
    s = evidence_base(lou, by="period", target="2022-11", reference="2021-08").sides.set_index("side")
    assert s.loc["reference", "single_unit"] and s.loc["target", "n_units"] == 2


def test_places_with_by_hand():
    df = pd.DataFrame({"place": ["a", "a", "b", "c"],
                       "text": ["严防层层加码", "一刀切、一刀切", "层层加码", "科学精准"]})
    pw = places_with(df, ["层层加码", "一刀切"])
    assert pw.to_dict("index") == {"a": {"层层加码": 1, "一刀切": 2, "any": True},
                                  "b": {"层层加码": 1, "一刀切": 0, "any": True},
                                  "c": {"层层加码": 0, "一刀切": 0, "any": False}}


def test_prose_facts_match_independent_counts(corpus):
    import stopwordsiso
    units = corpus[(corpus.period == "2022-11") & corpus.level.isin(["provincial", "municipal"])
                   & (corpus.unit_id != "henan-20221111-bjyouth")]
    tok = A.tokenize_corpus(units)
    f = prose_facts(corpus, tok)
    assert f["excerpt_chars"] == (120, 311) and f["n_excerpt_provincial"] == 12
    assert len(f["excerpt_only_places"]) == 11 and "河南" not in f["excerpt_only_places"]
    # 层层加码/一刀切 occur in 6 of the 14 places, not "almost everywhere"
    hits = {p for p, t in zip(units.place, units.text) if "层层加码" in t or "一刀切" in t}
    assert sorted(hits) == f["term_places"] and (len(hits), f["n_places"]) == (6, 14)
    assert f["tokens_per_period"] == {"2022-11": int(tok.n_tokens.sum())}
    assert sum(f["tokens_by_speaker"]["2022-11"].values()) == int(tok.n_tokens.sum())
    assert f["tokens_by_speaker"]["2022-11"]["王凯"] == int(tok.loc[tok.speaker == "王凯", "n_tokens"].sum())
    assert f["lexicon"]["stopwordsiso_zh"] == len(set(stopwordsiso.stopwords("zh")))


def test_lexicon_sizes_count_entries_not_comments(tmp_path):
    (tmp_path / "policy_terms.txt").write_text("# c\n动态清零\n\n以快制快 5  # x\n", encoding="utf-8")
    (tmp_path / "stopwords_project.txt").write_text("会议  # frame\n", encoding="utf-8")
    (tmp_path / "stopwords_keep.txt").write_text("", encoding="utf-8")
    (tmp_path / "names.txt").write_text("王凯\t省长\t河南\n", encoding="utf-8")
    n = lexicon_sizes(tmp_path)
    assert (n["policy_terms"], n["stopwords_project"], n["stopwords_keep"], n["names"], n["titles"]) == \
        (2, 1, 0, 1, 0)


def test_table_carrying_a_frame_in_attrs_is_accepted():
    """load_broadcast keeps its parse report (a DataFrame) in attrs; pandas refuses to
    concatenate such tables, so evidence_base must not pass the attrs on."""
    df = small()
    df.attrs["parse_report"] = pd.DataFrame({"x": [1, 2]})
    eb = evidence_base(df, by="period", target="p2", reference="p1")
    assert eb.sides["n_units"].tolist() == [2, 2]


def test_meetings_come_from_meeting_id_when_given():
    df = small().assign(meeting_id=["m1", "m2", "m3", "m3"])  # d1 holds two meetings; b1 and c1 report one
    s = evidence_base(df, by="period", target="p2", reference="p1").sides.set_index("side")
    assert s.loc["reference", ["n_meetings", "n_documents", "single_meeting", "single_document"]].tolist() == \
        [2, 1, False, True]
    assert s.loc["target", ["n_meetings", "n_units", "single_meeting"]].tolist() == [1, 2, True]
    lines = evidence_base(df, by="period", target="p2", reference="p1").summary.splitlines()
    assert "ONE MEETING" in lines[0] and "ONE DOCUMENT: its meetings are known through a single text" in lines[1]


def test_inference_scope_says_what_each_side_can_support():
    from analysis.measures.evidence import inference_scope

    eb = evidence_base(small(), by="period", target="p2", reference="p1")
    text = inference_scope(eb)
    assert text.startswith("The target side (p2) has 2 meetings (2 units, 1 of them excerpts, 4 tokens), but "
                           "against a single meeting no meeting-level test or interval of the comparison exists.")
    assert ("The reference side (p1) is **a single meeting** (2 units; speakers 乙、甲, 3 tokens; outlet X): "
            "it supports a description") in text
    assert "no between-meeting p-value or interval, no statement about other p1 meetings" in text
    one_doc = evidence_base(small().assign(meeting_id=["m1", "m2", "m3", "m4"]), by="period", target="p1")
    assert "has 2 meetings (2 units, 3 tokens), all known through one document, so meeting-level tests" in \
        inference_scope(one_doc)
