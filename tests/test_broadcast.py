"""The 新闻联播 source: registry, downloader (mirror and HTTP), story parser, COVID rule."""
from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.ingest.corpus import COLUMNS
from analysis.sources import broadcast as bc

ROOT = Path(__file__).resolve().parent.parent
# CI runs in a fresh clone with shared/ beside it, so the mirror is found relative to the checkout
MIRROR = ROOT.parent / "shared" / "mirror" / "Felix-Jung" / "xin-wen-lian-bo"
NEWS = MIRROR / bc.COMMIT / "news"
needs_mirror = pytest.mark.skipif(not NEWS.is_dir(), reason=f"no 新闻联播 mirror at {NEWS} "
                                  f"(set up ../shared/mirror beside the checkout to run these tests)")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------- fixtures (synthetic, same layouts)

DAY_2017 = """# 《新闻联播》 (20170105)

## 新闻摘要

(暂无简介)

## 详细新闻

### 某省召开会议部署冬季农业生产

央视网消息(新闻联播)：1月5日，某省召开会议，部署冬季农业生产。会议要求河南、湖北两地加强协作。
会议强调，要抓好粮食生产。

[查看原文](http://tv.cctv.com/2017/01/05/VIDEaaaa170105.shtml)

### 国际联播快讯

央视网消息（新闻联播）：       某国举行选举       某国5日举行议会选举。

[查看原文](http://tv.cctv.com/2017/01/05/VIDEbbbb170105.shtml)

### 《新闻联播》 20170105 21:00

(无正文)

[查看原文](http://tv.cctv.com/2017/01/05/VIDEcccc170105.shtml)



---
"""

DAY_2022 = """# 《新闻联播》 (20221112)

## 新闻摘要

本期节目主要内容：


1.某会议部署优化防控工作；


2.【走基层】某市：

保障群众生活；


3.国内联播快讯：


（1）某铁路开通；


（2）某展会开幕。
（《新闻联播》 20221112 19:00）

## 详细新闻

### 某会议部署进一步优化疫情防控工作

<p><strong>央视网消息</strong>（新闻联播）：11月12日，某会议研究部署进一步优化疫情防控工作，坚持科学精准，严防一刀切、层层加码。</p><p>会议指出，要做好核酸检测&nbsp;工作。<br></p>

[查看原文](https://tv.cctv.com/2022/11/12/VIDEdddd221112.shtml)

### undefined

undefined

[查看原文](https://tv.cctv.com/2022/11/12/VIDEeeee221112.shtml)

### (无标题)

<p><strong>央视网消息</strong>（新闻联播）：郑州市今天举行活动，庆祝丰收。</p>

[查看原文](https://tv.cctv.com/2022/11/12/VIDEffff221112.shtml)

### 某市：保障群众生活

<p>广州市保障群众生活物资供应。</p>



---
"""

DAY_NO_HEADINGS = """# 《新闻联播》 (20200424)

## 新闻摘要

某条新闻的一句话摘要。

## 详细新闻

央视网消息（新闻联播）：正文没有标题。
"""


# ----------------------------------------------------------------------------- registry

def test_registry_is_committed_and_well_formed():
    reg = bc.read_registry()
    assert len(reg) == 2480
    assert list(reg) == sorted(reg)
    assert next(iter(reg)) == "news/20161231.md" and list(reg)[-1] == "news/20260822.md"
    assert len(bc.registry_hash()) == 64


@needs_mirror
def test_registry_matches_the_mirror_checksums():
    sums = {}
    for line in (MIRROR / f"SHA256SUMS-{bc.COMMIT}.txt").read_text().splitlines():
        h, name = line.split()
        if name.endswith(".md"):
            sums[name] = h
    assert bc.read_registry() == sums


def test_registry_line_errors_name_the_line(tmp_path):
    p = tmp_path / "reg.sha256"
    p.write_text("# comment\n" + "a" * 64 + "  news/20200101.md\nnot a line\n")
    with pytest.raises(bc.BroadcastError, match=r"reg\.sha256:3"):
        bc.read_registry(p)


def test_select_files_by_date_range():
    reg = bc.read_registry()
    nov = bc.select_files(reg, "2022-11-01", "2022-11-30")
    assert len(nov) == 30 and nov[0] == "news/20221101.md" and nov[-1] == "news/20221130.md"
    assert bc.select_files(reg) == list(reg)
    with pytest.raises(ValueError, match="start="):
        bc.select_files(reg, "not a date")


# ----------------------------------------------------------------------------- mirror

def _copy_days(tmp_path, days) -> Path:
    news = tmp_path / "mirror" / "news"
    news.mkdir(parents=True)
    for d in days:
        shutil.copy(NEWS / f"{d}.md", news / f"{d}.md")
    return tmp_path / "mirror"


@needs_mirror
def test_fetch_from_mirror_verifies_and_selects_the_range():
    paths = bc.fetch_broadcast("2021-08-01", "2021-08-31", mirror=MIRROR)
    assert [p.name for p in paths][:2] == ["20210801.md", "20210802.md"] and len(paths) == 31
    assert all(p.parent == NEWS for p in paths)


@needs_mirror
def test_mirror_from_environment_variable(monkeypatch):
    monkeypatch.setenv(bc.MIRROR_ENV, str(MIRROR))
    assert len(bc.fetch_broadcast("2022-11-12", "2022-11-12")) == 1


@needs_mirror
def test_tampered_mirror_file_is_an_error_naming_it(tmp_path):
    mirror = _copy_days(tmp_path, ["20221111", "20221112"])
    p = mirror / "news" / "20221112.md"
    p.write_bytes(p.read_bytes().replace("层层加码".encode(), "层层减码".encode(), 1))
    with pytest.raises(bc.BroadcastError, match=r"changed\): news/20221112\.md"):
        bc.fetch_broadcast("2022-11-11", "2022-11-12", mirror=mirror)


@needs_mirror
def test_missing_mirror_file_is_an_error_naming_it(tmp_path):
    mirror = _copy_days(tmp_path, ["20221111"])
    with pytest.raises(bc.BroadcastError, match=r"missing from the mirror: news/20221112\.md"):
        bc.fetch_broadcast("2022-11-11", "2022-11-12", mirror=mirror)


def test_mirror_without_news_folder(tmp_path):
    with pytest.raises(bc.BroadcastError, match="no news/ folder"):
        bc.fetch_broadcast("2022-11-11", "2022-11-12", mirror=tmp_path)


# ----------------------------------------------------------------------------- download (local HTTP server)

@pytest.fixture
def server(http_folder, monkeypatch):
    """A local HTTP server for the downloads; yields (base_url, upstream dir holding news/)."""
    monkeypatch.delenv(bc.MIRROR_ENV, raising=False)  # download, not the mirror
    (http_folder[1] / "news").mkdir()
    return http_folder


def _synthetic_registry(upstream: Path, files: dict) -> dict:
    reg = {}
    for name, text in files.items():
        data = text.encode("utf-8")
        (upstream / name).write_bytes(data)
        reg[name] = sha(data)
    return reg


def test_download_caches_verifies_and_reuses(server, tmp_path):
    base, upstream = server
    reg = _synthetic_registry(upstream, {"news/20170105.md": DAY_2017, "news/20221112.md": DAY_2022})
    cache = tmp_path / "cache"
    paths = bc.fetch_broadcast(cache_dir=cache, base_url=base, registry=reg, progressbar=False)
    assert [p.read_text(encoding="utf-8") for p in paths] == [DAY_2017, DAY_2022]
    assert all(cache in p.parents for p in paths)
    # a corrupted cache file is not served: it is downloaded again
    paths[0].write_text("corrupted", encoding="utf-8")
    again = bc.fetch_broadcast(cache_dir=cache, base_url=base, registry=reg, progressbar=False)
    assert again[0].read_text(encoding="utf-8") == DAY_2017
    # only the range asked for is fetched
    only = bc.fetch_broadcast("2022-01-01", None, cache_dir=tmp_path / "c2", base_url=base, registry=reg,
                              progressbar=False)
    assert [p.name for p in only] == ["20221112.md"]
    assert not (tmp_path / "c2" / "news" / "20170105.md").exists()


def test_download_of_changed_upstream_file_names_it(server, tmp_path):
    base, upstream = server
    reg = _synthetic_registry(upstream, {"news/20221112.md": DAY_2022})
    (upstream / "news" / "20221112.md").write_text(DAY_2022 + "追加", encoding="utf-8")
    with pytest.raises(bc.BroadcastError, match=r"news/20221112\.md: .*SHA-256 differs"):
        bc.fetch_broadcast(cache_dir=tmp_path / "cache", base_url=base, registry=reg, progressbar=False)
    assert not (tmp_path / "cache" / "news" / "20221112.md").exists()


def test_download_of_missing_upstream_file_names_it(server, tmp_path):
    base, upstream = server
    reg = _synthetic_registry(upstream, {"news/20221112.md": DAY_2022})
    reg["news/20221113.md"] = "0" * 64
    with pytest.raises(bc.BroadcastError, match=r"news/20221113\.md: not available upstream"):
        bc.fetch_broadcast(cache_dir=tmp_path / "cache", base_url=base, registry=reg, progressbar=False)


def test_offline_without_mirror_says_how_to_get_the_corpus(tmp_path, monkeypatch):
    monkeypatch.delenv(bc.MIRROR_ENV, raising=False)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(bc.BroadcastUnavailable) as err:
        bc.fetch_broadcast("2022-11-12", "2022-11-12", cache_dir=tmp_path, progressbar=False,
                           base_url=f"http://127.0.0.1:{port}/")
    msg = str(err.value)
    assert bc.MIRROR_ENV in msg and "python -m analysis.sources.broadcast" in msg
    assert isinstance(err.value, bc.BroadcastError)


# ----------------------------------------------------------------------------- parser

def test_parse_2017_plain_text_layout():
    units, rep = bc.parse_day(DAY_2017, "20170105")
    assert [u["position"] for u in units] == [1, 2]
    first = units[0]
    assert first["unit_id"] == "xwlb-20170105-01" and first["doc_id"] == "xwlb-20170105"
    assert first["date"] == "2017-01-05" and first["period"] == "2017-01"
    assert first["title"] == "某省召开会议部署冬季农业生产"
    assert first["text"].startswith("1月5日，某省召开会议")  # dateline removed
    assert first["url"] == "http://tv.cctv.com/2017/01/05/VIDEaaaa170105.shtml"
    assert first["provinces"] == ["河南", "湖北"]
    assert first["level"] == "national" and first["outlet"] == "新闻联播" and first["province"] == ""
    assert "某国举行选举" in units[1]["text"]
    assert rep["summary"] == "none" and rep["n_stories"] == 2 and rep["n_skipped"] == 1
    assert "skipped 1" in rep["issues"] and "(无正文)" in rep["issues"] and not rep["ok"]


def test_parse_2022_html_layout_summary_placeholders_and_untitled():
    units, rep = bc.parse_day(DAY_2022, "20221112")
    summary, *stories = units
    assert summary["level"] == "media" and summary["position"] == 0 and summary["unit_id"] == "xwlb-20221112-00"
    assert summary["text"].split("\n") == ["1.某会议部署优化防控工作；", "2.【走基层】某市：保障群众生活；",
                                           "3.国内联播快讯：", "（1）某铁路开通；", "（2）某展会开幕。"]
    assert rep["broadcast_time"] == "19:00" and rep["summary"] == "list" and rep["n_summary_items"] == 5
    assert [s["position"] for s in stories] == [1, 2, 3]
    s1 = stories[0]
    assert s1["text"] == ("11月12日，某会议研究部署进一步优化疫情防控工作，坚持科学精准，严防一刀切、层层加码。\n"
                          "会议指出，要做好核酸检测 工作。")
    assert "<" not in s1["text"] and "&nbsp;" not in s1["text"]
    assert s1["covid"] and s1["n_chars"] == len(s1["text"])
    assert stories[1]["title"] == "" and stories[1]["provinces"] == ["河南"]  # 郑州 → 河南
    assert stories[2]["url"] == "" and stories[2]["provinces"] == ["广东"]  # no [查看原文] link
    assert "placeholder story 'undefined'" in rep["issues"] and "1 stories without title" in rep["issues"]
    assert rep["n_stories"] == 3


def test_day_without_headings_is_reported():
    units, rep = bc.parse_day(DAY_NO_HEADINGS, "20200424")
    assert [u["level"] for u in units] == ["media"]
    assert rep["summary"] == "text" and not rep["ok"]
    assert "no '###' story headings" in rep["issues"] and "text before the first story heading" in rep["issues"]


def test_header_date_mismatch_and_missing_sections_are_reported():
    _, rep = bc.parse_day(DAY_2022, "20221113")
    assert "header date 20221112 differs" in rep["issues"] and "time stamp date" in rep["issues"]
    units, rep = bc.parse_day("", "20221113")
    assert units == [] and "no '## 详细新闻' section" in rep["issues"] and "no '# 《新闻联播》" in rep["issues"]


def test_parse_broadcast_table_has_the_corpus_columns(tmp_path):
    (tmp_path / "20170105.md").write_text(DAY_2017, encoding="utf-8")
    (tmp_path / "20221112.md").write_text(DAY_2022, encoding="utf-8")
    table, report = bc.parse_broadcast(sorted(tmp_path.glob("*.md")))
    assert list(table.columns[:len(COLUMNS)]) == COLUMNS
    assert list(table["unit_id"]) == ["xwlb-20170105-01", "xwlb-20170105-02", "xwlb-20221112-01",
                                      "xwlb-20221112-02", "xwlb-20221112-03"]
    assert table["unit_id"].is_unique and (table["level"] == "national").all()
    assert table["excerpt"].dtype == bool and not table["excerpt"].any()  # whole stories, not excerpts
    assert list(report["date"]) == ["2017-01-05", "2022-11-12"]
    with_summary, _ = bc.parse_broadcast(sorted(tmp_path.glob("*.md")), summary=True)
    assert len(with_summary) == len(table) + 1
    (tmp_path / "bad.md").write_text("x", encoding="utf-8")
    with pytest.raises(bc.BroadcastError, match="bad.md"):
        bc.parse_broadcast([tmp_path / "bad.md"])


def test_broadcast_table_works_with_the_existing_functions(tmp_path):
    import analysis

    (tmp_path / "20221112.md").write_text(DAY_2022, encoding="utf-8")
    table, _ = bc.parse_broadcast([tmp_path / "20221112.md"])
    tok = analysis.tokenize_corpus(table, use_cache=False)
    freq = analysis.term_frequencies(tok, by="period")
    assert "层层加码" in set(freq["term"])
    dtm = analysis.document_term_matrix(tok)
    assert dtm.shape[0] == 3 and dtm.column("层层加码").tolist() == [1, 0, 0]
    assert len(analysis.kwic(table, "层层加码")) == 1


@needs_mirror
@pytest.mark.parametrize("day", ["20170105", "20200427", "20210815", "20220924", "20221121", "20250419",
                                 "20260822"])
def test_real_days_parse_into_one_unit_per_story_heading(day):
    text = (NEWS / f"{day}.md").read_text(encoding="utf-8")
    units, rep = bc.parse_day(text, day)
    stories = [u for u in units if u["level"] == "national"]
    headings = sum(1 for ln in text.splitlines() if ln.startswith("### "))
    assert len(stories) + rep["n_skipped"] == headings
    assert all(u["text"] and "<" not in u["text"] and "[查看原文]" not in u["text"] for u in stories)
    assert all(u["unit_id"] == f"xwlb-{day}-{i:02d}" for i, u in enumerate(stories, 1))
    assert all(not u["text"].startswith("央视网消息") for u in stories)


@needs_mirror
def test_real_deviating_days_are_in_the_report():
    table, report = bc.parse_broadcast([NEWS / "20221121.md", NEWS / "20220924.md", NEWS / "20210815.md"])
    r = report.set_index("date")
    assert "placeholder story 'undefined'" in r.loc["2022-11-21", "issues"]
    assert "only 3 stories" in r.loc["2022-11-21", "issues"]
    assert r.loc["2022-09-24", "ok"]  # no links, but the usual layout otherwise
    assert (table.query("date == '2022-09-24'")["url"] == "").all()
    assert r.loc["2021-08-15", "summary"] == "list" and r.loc["2021-08-15", "broadcast_time"] == "21:00"


# ----------------------------------------------------------------------------- parallel parse, same table

def _reference_parse(paths, summary=False):
    """parse_broadcast before the batched/parallel version: one dict per unit, one DataFrame."""
    import pandas as pd

    rows, reports = [], []
    for p in map(Path, paths):
        units, rep = bc.parse_day(p.read_text(encoding="utf-8"), p.name[:8], f"news/{p.name}")
        rows.extend(u for u in units if summary or u["level"] != "media")
        reports.append(rep)
    table = pd.DataFrame(rows, columns=COLUMNS + bc.EXTRA_COLUMNS)
    for c in ("n_chars", "position", "covid_score"):
        table[c] = table[c].astype("int64")
    table["covid"] = table["covid"].astype(bool)
    table["excerpt"] = False
    return table.reset_index(drop=True), pd.DataFrame(reports, columns=bc.REPORT_COLUMNS)


def _assert_same_parse(got, want):
    import pandas.testing as pdt

    pdt.assert_frame_equal(got[0], want[0])
    pdt.assert_frame_equal(got[1], want[1])


def _synthetic_days(tmp_path) -> list[Path]:
    days = {"20170105": DAY_2017, "20221112": DAY_2022, "20200424": DAY_NO_HEADINGS,
            "20221113": DAY_2022, "20170106": DAY_2017.replace("20170105", "20170106")}
    for day, text in days.items():
        (tmp_path / f"{day}.md").write_text(text, encoding="utf-8")
    return sorted(tmp_path.glob("*.md"))


@pytest.mark.parametrize("summary", [False, True])
@pytest.mark.parametrize("n_jobs", [1, 2, 3])
def test_parse_broadcast_in_processes_is_the_one_process_table(tmp_path, n_jobs, summary):
    paths = _synthetic_days(tmp_path)
    _assert_same_parse(bc.parse_broadcast(paths, summary=summary, n_jobs=n_jobs),
                       _reference_parse(paths, summary=summary))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_parse_broadcast_without_units_keeps_the_empty_dtypes(tmp_path, n_jobs):
    (tmp_path / "20200424.md").write_text("", encoding="utf-8")
    (tmp_path / "20200425.md").write_text(DAY_NO_HEADINGS, encoding="utf-8")
    paths = sorted(tmp_path.glob("*.md"))
    _assert_same_parse(bc.parse_broadcast(paths, n_jobs=n_jobs), _reference_parse(paths))
    _assert_same_parse(bc.parse_broadcast([], n_jobs=n_jobs), _reference_parse([]))


def test_parse_broadcast_error_in_a_worker_names_the_file(tmp_path):
    paths = _synthetic_days(tmp_path)
    bad = tmp_path / "20221114.md"
    bad.write_bytes(b"# \xff\xfe not utf-8")
    with pytest.raises(bc.BroadcastError, match=r"20221114\.md: not UTF-8.*re-copy"):
        bc.parse_broadcast(paths + [bad], n_jobs=2)


@pytest.mark.parametrize("n_jobs", [0, -1, 1.5, True])
def test_parse_broadcast_rejects_a_bad_n_jobs(tmp_path, n_jobs):
    with pytest.raises(ValueError, match="n_jobs.*positive number of worker processes"):
        bc.parse_broadcast(_synthetic_days(tmp_path), n_jobs=n_jobs)


@needs_mirror
def test_real_days_in_two_processes_are_the_reference_table():
    # every 25th day of the mirror plus the deviating ones: all layouts from 2016 to 2026
    days = sorted(NEWS.glob("*.md"))
    sample = sorted(set(days[::25]) | {NEWS / f"{d}.md" for d in ("20200427", "20210815", "20220924",
                                                                  "20221121", "20250419")})
    want = _reference_parse(sample)
    for n_jobs in (1, 2):
        _assert_same_parse(bc.parse_broadcast(sample, n_jobs=n_jobs), want)


@needs_mirror
def test_real_stories_provinces_and_covid_scores_match_the_sorted_alternations():
    """The prefix-tree patterns find what the alternations sorted longest first found."""
    import re

    from analysis.ingest.gazetteer import _forms

    def alternation(words):
        return re.compile("|".join(map(re.escape, sorted(words, key=lambda s: (-len(s), s)))))

    forms = _forms()
    places, covid = alternation(forms), alternation(set(bc.COVID_TERMS) | set(bc.COVID_NOT))

    def hits(text):
        return sum(m in bc.COVID_TERMS for m in covid.findall(text))

    table, _ = bc.parse_broadcast(sorted(NEWS.glob("*.md"))[::40], summary=True)
    assert len(table) > 500
    for r in table.itertuples():
        assert r.provinces == list(dict.fromkeys(forms[m][1] for m in places.findall(r.title + "\n" + r.text)))
        assert r.covid_score == bc.COVID_TITLE_WEIGHT * hits(r.title) + hits(r.text)


@needs_mirror
def test_load_broadcast_n_jobs_gives_the_same_cached_table(tmp_path):
    import pandas.testing as pdt

    kw = dict(mirror=MIRROR, progressbar=False, table_cache_dir=tmp_path)
    one = bc.load_broadcast("2022-11-01", "2022-11-30", use_cache=False, **kw)
    two = bc.load_broadcast("2022-11-01", "2022-11-30", n_jobs=2, **kw)  # cold: parses and writes the cache
    warm = bc.load_broadcast("2022-11-01", "2022-11-30", **kw)
    assert not two.attrs["from_cache"] and warm.attrs["from_cache"]
    for t in (two, warm):
        pdt.assert_frame_equal(t, one)
        pdt.assert_frame_equal(t.attrs["parse_report"], one.attrs["parse_report"])


@pytest.mark.parametrize("line, url", [
    ("[查看原文](http://tv.cctv.com/a.shtml)", "http://tv.cctv.com/a.shtml"),
    (" \t[查看原文](http://x/b) \t", "http://x/b"),
    ("[查看原文]()", ""),
    ("见[查看原文](http://x/c)", None),          # not alone on its line: kept as text
    ("[查看原文] (http://x/d)", None),
])
def test_link_lines(line, url):
    day = f"# 《新闻联播》 (20200101)\n\n## 新闻摘要\n\n## 详细新闻\n\n### 标题\n\n正文一句。\n{line}\n"
    units, _ = bc.parse_day(day, "20200101")
    assert units[0]["url"] == (url or "")
    assert (line.strip() in units[0]["text"]) == (url is None)


@pytest.mark.parametrize("details", [
    "", "###a\n###b", "x###c\n ###d\n###", "\n###\n###e", "---\n### 标题 \t\n正文\n####\n#### 四级\n", "###",
])
def test_heading_split_is_the_line_start_pattern(details):
    import re

    assert bc._HEADING.split(details) == re.split(r"(?m)^###[ \t]*(.*)$", details)


def _html_to_text_reference(body):
    """_html_to_text before the single blank substitution: one re.sub per line."""
    import html
    import re

    text = bc._BLOCK.sub("\n", body)
    text = html.unescape(bc._TAG.sub("", text)).replace("\xa0", " ").replace("\u3000", " ")
    return "\n".join(ln for ln in (re.sub(r"[ \t]+", " ", x).strip() for x in text.split("\n")) if ln)


@pytest.mark.parametrize("body", [
    "", " ", "\t\n \n", "a  b\t\tc", "<p>\u3000\u3000一段 &nbsp; 文字</p><p>\t二</p>", "a \n b",
    "行尾 \t\n\t 行首", "<br/>x<br>\xa0y\xa0\xa0z", "a\r b", "\u3000\t\u3000", "a\t \tb", " \t x", "x \t",
    "a\tb c\t\td", "&nbsp;&nbsp;x&#9;&#9;y", "a   \u3000\xa0b",
])
def test_html_to_text_is_the_per_line_version(body):
    assert bc._html_to_text(body) == _html_to_text_reference(body)


# ----------------------------------------------------------------------------- COVID rule

@pytest.mark.parametrize("title, text, expected", [
    ("国家卫生健康委通报最新疫情", "通报新增病例。", True),                       # title hit counts 3
    ("某省会议", "坚持动态清零，做好核酸检测，严格隔离管控。", True),             # three text hits
    ("习近平同某国总统通电话", "面对新冠肺炎疫情，两国守望相助，深化合作。", False),  # passing mention: 2 hits
    ("某省防控非洲猪瘟疫情", "非洲猪瘟疫情防控，动物疫情监测，猪瘟疫情处置。", False),  # animal epidemics
    ("某地推进经济发展", "抓好经济运行，稳定就业。", False),
])
def test_covid_rule(title, text, expected):
    assert bc.is_covid(title, text) is expected


def test_covid_score_counts_leftmost_longest():
    assert bc.covid_score("", "新冠肺炎疫情") == 2  # 新冠肺炎 + 疫情
    assert bc.covid_score("", "坚持动态清零") == 1  # not 动态清零 + 清零
    assert bc.covid_score("疫情", "") == bc.COVID_TITLE_WEIGHT
    assert bc.covid_score("", "非洲猪瘟疫情") == 0
    assert bc.is_covid("", "疫情 疫情", min_score=2) and not bc.is_covid("", "疫情 疫情")


@needs_mirror
def test_covid_rule_agrees_with_the_recorded_hand_check():
    """The rule's output on the hand-checked stories is still what was checked, and its
    precision and negative agreement on them are what the README reports."""
    check = bc.covid_check()
    days = sorted({u.split("-")[1] for u in check["unit_id"]})
    table, _ = bc.parse_broadcast([NEWS / f"{d}.md" for d in days])
    now = table.set_index("unit_id").loc[check["unit_id"], "covid"].to_numpy()
    assert (now == check["rule_covid"].to_numpy()).all(), "the COVID rule changed: redo the hand check"
    flagged = check[check["sample"] == "flagged"]
    unflagged = check[check["sample"] != "flagged"]
    assert flagged["hand_covid"].mean() == pytest.approx(37 / 40)
    assert 1 - unflagged["hand_covid"].mean() == pytest.approx(38 / 40)


def test_make_figures_reports_a_notebook_without_its_corpus_as_skipped(tmp_path):
    """Offline without a mirror, notebook 05 raises BroadcastUnavailable; `make figures`
    (analysis.workflow.build) logs it as skipped and goes on; any other error still fails the build."""
    import nbformat

    from analysis.workflow.build import run_notebooks

    def notebook(name, source):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)], metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
        path = tmp_path / name
        nbformat.write(nb, path)
        return path

    unavailable = notebook("98_unavailable.ipynb", "from analysis.sources import BroadcastUnavailable\n"
                                                   "raise BroadcastUnavailable('offline and no mirror')")
    broken = notebook("99_broken.ipynb", "raise ValueError('a real bug')")
    logs = []
    done = run_notebooks([unavailable], figures_dir=tmp_path / "fig", out_dir=tmp_path / "out", log=logs.append,
                         jobs=1)
    assert [r.name for r in done] == ["98_unavailable.ipynb"]
    assert done[0].skipped == "BroadcastUnavailable: offline and no mirror"
    assert "skipped: offline and no mirror" in logs[0]
    with pytest.raises(RuntimeError, match="99_broken.ipynb failed .*ValueError: a real bug"):
        run_notebooks([broken], figures_dir=tmp_path / "fig", out_dir=tmp_path / "out", log=logs.append, jobs=1)


def test_build_output_has_no_kernel_start_up_warnings(tmp_path):
    """Each kernel used to print "Kernel is running over TCP without encryption ... susceptible
    to eavesdropping" into `make figures`: noise that says nothing about the notebooks."""
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")], metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
    nbformat.write(nb, tmp_path / "97_quiet.ipynb")
    out = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                          "from analysis.workflow.build import run_notebooks; "
                          f"run_notebooks([Path({str(tmp_path / '97_quiet.ipynb')!r})], "
                          f"figures_dir={str(tmp_path / 'fig')!r}, out_dir={str(tmp_path / 'out')!r}, jobs=1)"],
                         capture_output=True, text=True, check=True)
    assert "97_quiet.ipynb" in out.stdout
    assert "WARNING" not in out.stderr and "eavesdropping" not in out.stderr + out.stdout, out.stderr


def test_notebook_05_code_hash_covers_the_source_modules():
    """make figures re-runs notebook 05 when the parser, COVID rule or time series change:
    the modules it uses include the analysis/sources/ subpackage and what it imports."""
    from analysis.infra.provenance import notebook_modules

    mods = notebook_modules(ROOT / "notebooks" / "05_broadcast.ipynb")
    for m in ["sources/__init__.py", "sources/broadcast.py", "measures/timeseries.py", "ingest/gazetteer.py",
              "ingest/corpus.py", "text/matrix.py", "measures/keyness.py", "figures/series_plots.py"]:
        assert m in mods, m
