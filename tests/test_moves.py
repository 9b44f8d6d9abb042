"""Readout moves: each cue on positive and negative examples, coverage, overrides, agreement."""
from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

import analysis as A
from analysis.measures.moves import (MOVES, MovesWarning, kwic_moves, load_moves_gold, move_agreement,
                                     move_corpus, move_shares, move_spans, readout_moves)
from conftest import ROOT

NO_TITLES = {}


def moves_of(text):
    """[(move, text of span)] by the rules."""
    return [(m, text[s:e]) for s, e, m, _ in move_spans(text, titles=NO_TITLES)]


def move_at(text, fragment):
    """The move of the first character of ``fragment`` in ``text``."""
    pos = text.index(fragment)
    for s, e, m, _ in move_spans(text, titles=NO_TITLES):
        if s <= pos < e:
            return m
    raise AssertionError("not covered")


# -- each cue: positive and negative ----------------------------------------------------
@pytest.mark.parametrize("text, fragment, move", [
    # reporting verbs after a subject
    ("会议指出，形势依然严峻。", "会议指出", "assess"),
    ("王凯指出，一要加快流调。", "王凯指出", "assess"),
    ("会议认为，成效明显。", "会议认为", "assess"),
    ("副主任雷海潮介绍，各地已成立专班。", "副主任", "assess"),
    ("楼阳生强调，要坚定信心。", "楼阳生强调", "stress"),
    ("他强调，要认真落实。", "他强调", "stress"),
    ("楼阳生强调了五点意见。", "楼阳生强调了", "stress"),
    ("省长、省领导小组组长王浩强调，要正确认识形势。", "省长", "stress"),
    ("安伟要求，要进一步加强领导。", "安伟要求", "direct"),
    ("会议要求，一要集中力量。", "会议要求", "direct"),
    # a verb opening its clause, the subject given before
    ("河北省召开会议，要求全省各地务必落实。", "要求全省", "direct"),
    ("安伟主持会议，强调要坚决贯彻落实。", "强调要", "stress"),
    ("同时还要求加大整治力度。", "同时还要求", "direct"),
    # situation reports
    ("听取全省疫情防控工作情况汇报。", "听取", "assess"),
    ("会议通报我省疫情防控总体情况。", "会议通报", "assess"),
    ("郑州市、开封市汇报了疫情防控情况。", "郑州市", "assess"),
    ("省卫健委通报了流调排查情况。", "省卫健委", "assess"),
    # study
    ("会议认真学习贯彻中央政治局常委会会议精神。", "会议认真学习贯彻", "study"),
    ("会议召开，深入学习贯彻习近平总书记重要指示，研究部署工作。", "深入学习贯彻", "study"),
    ("会议传达学习了全国电视电话会议精神。", "会议传达学习", "study"),
    # enumerators
    ("会议指出，形势严峻。一要加强领导。", "一要", "direct"),
    ("会议指出，一是加强领导，二是压实责任。", "二是", "direct"),
    ("会议强调，第一，要落实。", "第一", "direct"),
    ("会议强调：（一）严格执行。", "（一）", "direct"),
    # imperatives at a sentence start
    ("会议指出，形势严峻。要高效统筹疫情防控。", "要高效", "direct"),
    ("会议指出，形势严峻。各级干部要主动担当作为。", "各级干部要", "direct"),
    ("会议指出，形势严峻。全市上下务必要清醒认识。", "全市上下", "direct"),
    ("会议指出，形势严峻。必须守住底线。", "必须", "direct"),
    # frame: a sentence reporting the meeting as an event
    ("11日下午，湖北省召开全省会议。会议强调，要落实。", "11日下午", "frame"),
    ("省委书记楼阳生主持会议并讲话。", "省委书记", "frame"),
    ("省长许昆林，省政协主席张义珍出席。", "省长", "frame"),
    ("省委书记沈晓明对会议作批示。", "省委书记", "frame"),
    # hygiene spans are frame wherever they are
    ("会议强调，要落实。穆为民、江凌在主会场出席。", "穆为民", "frame"),
    ("本报讯 会议强调，要落实。", "本报讯", "frame"),
    ("根据河南日报报道，会议认真学习贯彻中央会议精神。", "根据", "frame"),
])
def test_cue_positive(text, fragment, move):
    assert move_at(text, fragment) == move


@pytest.mark.parametrize("text, fragment, not_move", [
    # 要求 inside 严格要求 / 按照…要求 / 落实…要求 is not a directive opener
    ("会议指出，对干部严格要求，从严管理。", "严格要求", "direct"),
    ("会议指出，各级干部要严格要求自己。", "严格要求", "direct"),
    ("会议强调，按照国务院联防联控机制要求，完善机制。", "按照", "direct"),
    ("会议强调，落实国务院联防联控机制要求，完善机制。", "落实", "direct"),
    ("会议强调，坚持“四早”工作要求。", "坚持", "direct"),
    # 指出 inside a quoted title is not an assessment
    ("会议传达学习了《关于总书记指出问题的整改通知》，研究部署。", "指出", "assess"),
    # 强调 that does not introduce a statement
    ("一要落实。从一开始我们就强调疫情防控必须讲科学。", "我们就强调", "stress"),
    ("政知君注意到，各地均重视此事。", "政知君", "stress"),
    # 通报 inside a noun phrase
    ("会议强调，要加大监督执纪和通报曝光力度。", "通报曝光", "assess"),
    # 学习 that is a directive's object, not the meeting studying
    ("他强调，要认真学习贯彻中央会议精神。", "要认真学习", "study"),
    ("会议强调，以实际行动体现学习贯彻二十大精神的成效。", "学习贯彻", "study"),
    # 要 not opening a sentence, or part of another word
    ("会议指出，当前形势严峻，各级干部要担当。", "各级干部要", "direct"),
    ("会议指出，形势严峻。重要的是落实。", "重要的是", "direct"),
    ("会议指出，形势严峻。主要任务是落实。", "主要任务", "direct"),
    ("会议指出，形势严峻。要点是落实。", "要点是", "direct"),
    # one-二十条: 一手 is not an enumerator
    ("会议指出，坚持一手打伞、一手干活。", "一手干活", "direct"),
    # a frame verb after an imperative does not make the sentence a frame
    ("会议指出，形势严峻。要及时召开会议研究。", "要及时", "frame"),
])
def test_cue_negative(text, fragment, not_move):
    assert move_at(text, fragment) != not_move


def test_titles_from_the_lexicon_hide_cues():
    text = "会议印发总书记指出，要加强领导的通知。"
    assert move_spans(text, titles=NO_TITLES)[0][2] == "assess"  # read as 会议…指出，
    listed = {"总书记指出，要加强领导的通知": "通知"}
    assert [m for _, _, m, _ in move_spans(text, titles=listed)] == ["other"]  # inside a listed title


def test_example_cut_exactly():
    text = "会议指出，形势严峻。会议要求，一要加强领导。"
    assert move_spans(text, titles=NO_TITLES) == [
        (0, 10, "assess", "指出"), (10, 15, "direct", "要求"), (15, 22, "direct", "一要")]


def test_blank_and_indented_texts():
    assert move_spans("", titles=NO_TITLES) == []
    assert move_spans(" \n ", titles=NO_TITLES) == [(0, 3, "other", "")]
    assert move_spans("  会议强调，要落实。", titles=NO_TITLES) == [(0, 11, "stress", "强调")]


def test_paragraph_without_cue_is_other_and_sentence_continues_move():
    text = "会议强调，要落实。坚持底线思维。\n多地已经调整措施。会议指出，形势严峻。"
    assert moves_of(text) == [("stress", "会议强调，要落实。坚持底线思维。\n"),
                              ("other", "多地已经调整措施。"), ("assess", "会议指出，形势严峻。")]


# -- every character in exactly one span, on the real corpus --------------------------------
def test_spans_cover_every_character_once(corpus):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MovesWarning)
        spans = readout_moves(corpus)
    for uid, text in zip(corpus.unit_id, corpus.text):
        g = spans[spans.unit_id == uid].sort_values("start")
        assert g.start.iloc[0] == 0 and g.end.iloc[-1] == len(text)
        assert (g.start.to_numpy()[1:] == g.end.to_numpy()[:-1]).all()
        assert (g.end > g.start).all()
    assert set(spans.move) <= set(MOVES)


def test_unit_without_cue_is_one_other_span_and_warned():
    df = pd.DataFrame({"unit_id": ["a", "b"], "text": ["会议指出，形势严峻。", "多地调整了措施。\n保障供应。"]})
    with pytest.warns(MovesWarning, match=r"no readout cue in 1 unit\(s\): b;"):
        spans = readout_moves(df, overrides=None, titles=NO_TITLES)
    b = spans[spans.unit_id == "b"]
    assert b[["start", "end", "move"]].values.tolist() == [[0, 14, "other"]]
    assert spans.attrs["no_cue"] == ["b"]


# -- overrides --------------------------------------------------------------------------
TEXT = "会议指出，形势严峻。会议要求，一要加强领导。\n多地调整了措施。"
DF = pd.DataFrame({"unit_id": ["u1"], "text": [TEXT]})


def test_override_replaces_rules_where_given():
    spans = readout_moves(DF, overrides={"u1": [{"start": "形势", "end": "严峻。", "move": "stress"}]},
                          titles=NO_TITLES)
    got = [(TEXT[s:e], m, c) for s, e, m, c in spans[["start", "end", "move", "cue"]].values]
    assert got == [("会议指出，", "assess", "指出"), ("形势严峻。", "stress", "manifest"),
                   ("会议要求，", "direct", "要求"), ("一要加强领导。\n", "direct", "一要"),
                   ("多地调整了措施。", "other", "")]


def test_override_without_end_runs_to_paragraph_end():
    spans = readout_moves(DF, overrides={"u1": [{"start": "会议要求", "move": "assess"}]}, titles=NO_TITLES)
    over = spans[spans.cue == "manifest"]
    assert TEXT[over.start.iat[0]:over.end.iat[0]] == "会议要求，一要加强领导。\n"


@pytest.mark.parametrize("entries, message", [
    ([{"start": "不在单元里", "move": "direct"}], r"unit 'u1', `moves` #1, field `start`: anchor '不在单元里' occurs 0"),
    ([{"start": "会议", "move": "direct"}], r"unit 'u1', `moves` #1, field `start`: anchor '会议' occurs 2"),
    ([{"start": "形势", "end": "不在", "move": "direct"}], r"unit 'u1', `moves` #1, field `end`"),
    ([{"start": "会议指出", "end": "严峻。", "move": "assess"},
      {"start": "严峻", "end": "要求", "move": "direct"}], r"unit 'u1', `moves` #2.*overlaps another"),
    ([{"start": "形势", "move": "order"}], r"unit 'u1', `moves` #1, field `move`: 'order' is not a move"),
    ([{"start": "形势", "move": "direct", "reason": "x"}], r"unit 'u1', `moves` #1: unknown key"),
    ({"start": "形势"}, r"unit 'u1', `moves`: must be a list"),
])
def test_bad_override_is_a_corpus_error(entries, message):
    with pytest.raises(A.CorpusError, match=message):
        readout_moves(DF, overrides={"u1": entries}, titles=NO_TITLES)


def test_manifest_override_is_read_from_corpus_yml(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    manifest = (data / "corpus.yml").read_text(encoding="utf-8")
    anchor = "      - unit_id: hubei-20221111\n"
    assert anchor in manifest
    manifest = manifest.replace(anchor, anchor + "        moves:\n"
                                "          - {start: 他强调, end: 问题，, move: direct}\n")
    (data / "corpus.yml").write_text(manifest, encoding="utf-8")
    corpus = A.load_corpus(data)  # the key is accepted
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MovesWarning)
        spans = readout_moves(corpus, data_dir=data)
    text = corpus.set_index("unit_id").text["hubei-20221111"]
    row = spans[(spans.unit_id == "hubei-20221111") & (spans.cue == "manifest")]
    assert text[row.start.iat[0]:row.end.iat[0]].startswith("他强调，要坚决反对")
    assert row.move.iat[0] == "direct"


# -- agreement ------------------------------------------------------------------------------
def test_agreement_hand_computed():
    df = pd.DataFrame({"unit_id": ["u"], "text": ["甲乙 丙丁戊己"]})  # 6 non-space characters
    gold = pd.DataFrame({"unit_id": ["u", "u"], "start": [0, 3], "end": [3, 7],
                         "move": ["assess", "direct"], "cue": ["", ""]})
    pred = pd.DataFrame({"unit_id": ["u", "u"], "start": [0, 4], "end": [4, 7],
                         "move": ["assess", "direct"], "cue": ["", ""]})
    # gold: 甲乙=assess, 丙丁戊己=direct; predicted: 甲乙丙=assess, 丁戊己=direct
    agr = move_agreement(pred, gold, df).set_index("move")
    assert agr.loc["all", "correct_chars"] == 5 and agr.attrs["accuracy"] == pytest.approx(5 / 6)
    assert agr.loc["assess", "precision"] == pytest.approx(2 / 3)
    assert agr.loc["assess", "recall"] == pytest.approx(1.0)
    assert agr.loc["assess", "f1"] == pytest.approx(2 * 2 / (2 + 3))
    assert agr.loc["direct", "recall"] == pytest.approx(3 / 4)
    assert np.isnan(agr.loc["study", "f1"])


def test_gold_file_is_complete_and_rules_agree_in_sample(corpus):
    gold = load_moves_gold(corpus)
    expected = set(corpus.unit_id) - {"national-20221111-notice"}
    assert set(gold.unit_id) >= {u for u in expected if u in set(corpus.unit_id)}
    for uid, text in zip(corpus.unit_id, corpus.text):
        g = gold[gold.unit_id == uid]
        if len(g):
            assert g.start.iat[0] == 0 and g.end.iat[-1] == len(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MovesWarning)
        agr = move_agreement(readout_moves(corpus), gold, corpus)
    # a floor, not the measured value: a rule change that loses agreement must be looked at
    assert agr.attrs["accuracy"] > 0.9


def test_gold_anchor_errors(corpus, tmp_path):
    bad = tmp_path / "g.yml"
    bad.write_text("hubei-20221111:\n  - [frame, 不存在的锚点]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"unit 'hubei-20221111': anchor '不存在的锚点' not found"):
        load_moves_gold(corpus, bad)
    bad.write_text("hubei-20221111:\n  - [order, 11日下午]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown move 'order'"):
        load_moves_gold(corpus, bad)


# -- measures by move -----------------------------------------------------------------------
def test_move_corpus_rows_and_text():
    df = pd.DataFrame({"unit_id": ["u1"], "text": [TEXT], "display_text": [TEXT], "period": ["p"]})
    spans = readout_moves(df, overrides=None, titles=NO_TITLES)
    mc = move_corpus(df, spans)
    assert mc.unit_id.tolist() == ["u1#assess", "u1#direct", "u1#other"]
    assert mc.set_index("move").text.to_dict() == {
        "assess": "会议指出，形势严峻。", "direct": "会议要求，\n一要加强领导。", "other": "多地调整了措施。"}
    assert (mc.parent_id == "u1").all() and (mc.period == "p").all()
    assert move_corpus(df, spans, moves=["direct"]).unit_id.tolist() == ["u1#direct"]
    with pytest.raises(ValueError, match="unknown move"):
        move_corpus(df, spans, moves=["order"])


def test_move_corpus_through_the_matrix(tmp_path):
    df = pd.DataFrame({"unit_id": ["u1"], "text": [TEXT], "period": ["p"]})
    mc = move_corpus(df, readout_moves(df, overrides=None, titles=NO_TITLES))
    dtm = A.document_term_matrix(mc, cache_dir=tmp_path)
    direct = dtm.subset((dtm.docvars.move == "direct").to_numpy())
    assert direct.column("领导").tolist() == [1]
    assert dtm.column("领导").tolist() == [0, 1, 0]


def test_move_shares_hand_computed():
    df = pd.DataFrame({"unit_id": ["u1"], "text": [TEXT]})
    shares = move_shares(readout_moves(df, overrides=None, titles=NO_TITLES), df).set_index("unit_id")
    # assess 10 chars, direct 12 (the line break is not counted), other 8: 30 in all
    assert shares.loc["u1", "n_chars"] == 30
    assert shares.loc["u1", "assess"] == pytest.approx(10 / 30)
    assert shares.loc["u1", "direct"] == pytest.approx(12 / 30)
    assert shares.loc["u1", "other"] == pytest.approx(8 / 30)
    assert shares.loc["u1", list(MOVES)].sum() == pytest.approx(1.0)


def test_kwic_moves_labels_each_line():
    spans = readout_moves(DF, overrides=None, titles=NO_TITLES)
    lines = kwic_moves(DF, "会议", spans=spans)
    assert lines[["position", "move"]].values.tolist() == [[0, "assess"], [10, "direct"]]


def test_gold_units_missing_from_the_corpus_are_left_out_and_listed(corpus):
    gold = load_moves_gold(corpus[corpus.unit_id != "hubei-20221111"])
    assert "hubei-20221111" not in set(gold.unit_id)
    assert gold.attrs["missing"] == ["hubei-20221111"]


def test_prose_builders_state_computed_numbers():
    from analysis.measures.moves import agreement_prose, anatomy_prose

    df = pd.DataFrame({"unit_id": ["u"], "text": ["甲乙 丙丁戊己"]})
    gold = pd.DataFrame({"unit_id": ["u", "u"], "start": [0, 3], "end": [3, 7],
                         "move": ["assess", "direct"], "cue": ["", ""]})
    pred = gold.assign(start=[0, 4], end=[4, 7])
    text = agreement_prose(move_agreement(pred, gold, df))
    assert "(1 unit, 6 characters" in text and "83.3% of the characters" in text
    assert "assess 0.80, direct 0.86" in text and "weakest move is `assess`" in text
    assert "in-sample" in text
    shares = pd.DataFrame({"unit_id": ["a", "b", "c"], **{m: [0.0] * 3 for m in MOVES}})
    shares["direct"] = [0.5, 0.7, 1.0]
    shares["study"] = [0.5, 0.3, 0.0]
    text = anatomy_prose(shares, pd.Series({"a": "p1", "b": "p1", "c": "p2"}))
    assert "p1 (2 units): `direct` 60%, `study` 40%" in text and "p2 (1 unit): `direct` 100%" in text


def test_data_folder_without_gold_file(corpus, tmp_path):
    from analysis.measures.moves import agreement_prose

    gold = load_moves_gold(corpus, data_dir=tmp_path)
    assert gold.empty and gold.attrs["file"] is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MovesWarning)
        agr = move_agreement(readout_moves(corpus), gold, corpus)
    assert agreement_prose(agr).startswith("No hand-annotated unit")


def test_readme_states_the_current_agreement(corpus):
    from analysis.measures.moves import agreement_prose

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MovesWarning)
        agr = move_agreement(readout_moves(corpus), load_moves_gold(corpus), corpus)
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert agreement_prose(agr) in readme, "README's agreement sentence is stale: paste agreement_prose(...)"


def test_readme_lists_every_move():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Readout moves"):readme.index("### Echo of the centre")]
    for m in MOVES:
        assert f"| `{m}` |" in section


def test_readme_states_the_heldout_agreement(broadcast_mirror):
    """benchmarks/bench_moves_heldout.py: the rules on stories they were not written on (needs the mirror)."""
    import importlib.util

    if not broadcast_mirror:
        pytest.skip("needs the 新闻联播 mirror (COVID_DISCOURSE_XWLB_MIRROR or ../shared/mirror)")
    spec = importlib.util.spec_from_file_location("bench_moves_heldout", ROOT / "benchmarks" / "bench_moves_heldout.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    agreement, prose = bench.heldout_prose()
    assert agreement.attrs["units"] == list(bench.HELDOUT)  # every annotated story still has its text
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert prose in readme, "README's held-out agreement sentence is stale: run benchmarks/bench_moves_heldout.py"
