"""Echo of the centre: a hand-built case with known passages, windows, titles and sources."""
from __future__ import annotations

import datetime as dt
import warnings

import pandas as pd
import pytest

import analysis as A
from analysis.measures.echo import echo, echo_summary
from analysis.measures.moves import MovesWarning, readout_moves

P1 = "坚持统筹发展和安全两件大事"          # 13 characters, from a story 6 days before the meeting
P2 = "全面落实疫苗接种加强免疫工作部署"    # 16 characters, from a story 10 days before
P3 = "切实维护边境口岸城市平稳运行秩序"    # 16 characters, from a story 31 days before (outside)
P4 = "不折不扣执行国家统一防控政策措施"    # 16 characters, from the national notice

TARGET = f"会议指出，{P1}。\n会议要求，{P2}，{P3}，{P4}。"


def corpus(target=TARGET, notice_date="2022-11-11"):
    return pd.DataFrame({
        "unit_id": ["notice", "prov"],
        "date": [notice_date, "2022-11-20"],
        "level": ["national", "provincial"],
        "place": ["national", "某省"],
        "excerpt": [False, False],
        "title": ["通知", ""],
        "text": [f"国务院发布通知要求各地{P4}等", target],
    })


STORIES = pd.DataFrame({
    "unit_id": ["xwlb-20221114-01", "xwlb-20221110-03", "xwlb-20221020-02"],
    "date": ["2022-11-14", "2022-11-10", "2022-10-20"],
    "title": ["甲", "乙", "丙"],
    "text": [f"据悉{P1}等", f"另据报道{P2}等其他内容", f"早前报道{P3}等"],
})


def run(c=None, **kw):
    c = corpus() if c is None else c
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MovesWarning)
        spans = readout_moves(c, overrides=None, titles={})
    return echo(c, spans=spans, titles={}, **kw)


def test_two_passages_in_the_window_one_outside():
    r = run(broadcast=STORIES)
    row = r.units.set_index("unit_id").loc["prov"]
    n = len(TARGET) - TARGET.count("\n")
    assert row.n_chars == n
    assert row.echo_chars == len(P1) + len(P2) + len(P4)  # P3 aired 31 days before: outside 14 days
    assert row.broadcast_chars == len(P1) + len(P2) and row.national_chars == len(P4)
    assert row.echo_share == pytest.approx((len(P1) + len(P2) + len(P4)) / n)
    p = r.passages
    assert p[["passage", "move", "source_id", "source_date", "source_kind"]].values.tolist() == [
        [P1, "assess", "xwlb-20221114-01", "2022-11-14", "新闻联播"],
        [P2, "direct", "xwlb-20221110-03", "2022-11-10", "新闻联播"],
        [P4, "direct", "notice", "2022-11-11", "national unit"],
    ]
    assert TARGET[p.start.iat[0]:p.end.iat[0]] == P1
    bm = r.by_move.set_index("move")
    assert bm.loc["assess", "echo_chars"] == len(P1)
    assert bm.loc["direct", "echo_chars"] == len(P2) + len(P4)
    assert bm.loc["direct", "n_chars"] == len(f"会议要求，{P2}，{P3}，{P4}。")
    assert "14 days before" in r.note


def test_a_longer_window_reaches_the_third_passage():
    r = run(broadcast=STORIES, days=40)
    assert r.units.echo_chars.iat[0] == len(P1) + len(P2) + len(P3) + len(P4)


def test_meeting_day_and_later_stories_are_not_central():
    late = pd.DataFrame({"unit_id": ["xwlb-20221120-01"], "date": ["2022-11-20"], "title": ["丁"],
                         "text": [f"当天报道{P1}等"]})
    assert run(broadcast=late).units.broadcast_chars.iat[0] == 0


def test_national_units_alone_and_only_if_published_before():
    r = run(broadcast=None)
    assert r.units.echo_chars.iat[0] == len(P4)
    assert "national units only" in r.note
    later = run(corpus(notice_date="2022-11-25"), broadcast=None)  # published after the meeting
    assert later.units.echo_chars.iat[0] == 0


def test_titles_are_masked():
    target = f"会议学习了《{P1}》。会议要求，{P2}。"
    r = run(corpus(target=target), broadcast=STORIES)
    assert r.units.echo_chars.iat[0] == len(P2)
    assert r.units.n_chars.iat[0] == len(target) - len(P1) - 2  # the title is not counted at all


def test_short_passages_do_not_count():
    r = run(broadcast=STORIES, min_chars=17)  # every planted passage is shorter
    assert r.units.echo_chars.iat[0] == 0


def test_errors():
    with pytest.raises(ValueError, match="min_chars"):
        run(min_chars=1)
    with pytest.raises(ValueError, match="unknown target"):
        run(targets=["nope"], broadcast=None)
    bad = corpus()
    bad.loc[1, "date"] = "sometime"
    with pytest.raises(ValueError, match="unit 'prov' has no ISO date"):
        run(bad, broadcast=None)


def test_summary_numbers_come_from_the_result():
    r = run(broadcast=STORIES)
    text = echo_summary(r)
    e, n = len(P1) + len(P2) + len(P4), len(TARGET) - 1
    assert f"{e:,} of {n:,} characters ({e / n:.1%})" in text
    assert "1 of 1 units" in text


def test_auto_loads_only_the_window(monkeypatch):
    """The broadcast corpus is read one window at a time (days entering it), never whole."""
    import analysis.sources.broadcast as B

    calls = []

    def fake_registry(path=None):  # 2022-09-01 to 2022-12-29, without 2022-11-06/07 (a gap)
        day = dt.date(2022, 9, 1)
        days = [(day + dt.timedelta(days=i)).strftime('%Y%m%d') for i in range(120)]
        return {f"news/{d}.md": "0" * 64 for d in days if d not in ("20221106", "20221107")}

    def fake_load(start=None, end=None, **kw):
        calls.append((start, end))
        return STORIES[(STORIES.date >= start) & (STORIES.date <= end)].copy()

    monkeypatch.setattr(B, "read_registry", fake_registry)
    monkeypatch.setattr(B, "load_broadcast", fake_load)
    c = corpus()
    c = pd.concat([c, c.iloc[[1]].assign(unit_id="prov2", date="2022-11-22")], ignore_index=True)
    r = run(c, broadcast="auto")
    assert calls[0] == ("2022-09-01", "2022-09-01")  # availability probe: one day
    assert calls[1:] == [("2022-11-08", "2022-11-19"), ("2022-11-20", "2022-11-21")]  # registry days only
    assert r.units.set_index("unit_id").echo_chars.to_dict() == {
        "prov": len(P1) + len(P2) + len(P4), "prov2": len(P1) + len(P2) + len(P4)}


def test_auto_without_the_corpus_says_so(monkeypatch):
    import analysis.sources.broadcast as B

    def unavailable(*a, **kw):
        raise B.BroadcastUnavailable("no mirror and no network")

    monkeypatch.setattr(B, "load_broadcast", unavailable)
    r = run(broadcast="auto")
    assert r.note.startswith("national units only: the 新闻联播 corpus is not available (no mirror and no network)")
    assert r.units.echo_chars.iat[0] == len(P4)


def test_seed_corpus_with_the_broadcast_mirror(broadcast_mirror):
    if not broadcast_mirror:
        pytest.skip("needs the 新闻联播 mirror (COVID_DISCOURSE_XWLB_MIRROR or ../shared/mirror)")
    c = A.load_corpus()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MovesWarning)
        r = echo(c)
    assert set(r.units.unit_id) == set(c.unit_id[c.level != "national"])
    assert (r.units.n_stories > 0).all()
    # every passage is verbatim in its source
    p = r.passages
    assert (p.n_chars >= 12).all()
    assert ((r.units.national_chars + r.units.broadcast_chars) == r.units.echo_chars).all()
