"""Numbers the README states about the data and the lexicon, recomputed ("168
terms" was 151, "2,493 tokens" was 2,492, "twelve … 100–300 characters" was eleven,
120–311).  If a number here fails, fix the README sentence, not the test."""
import re
from pathlib import Path

import pytest

import analysis as A
from analysis.measures.evidence import lexicon_sizes, prose_facts

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _num(s: str) -> int:
    return int(s.replace(",", ""))


def _find(pattern: str) -> re.Match:
    m = re.search(pattern, README, flags=re.S)
    assert m, f"README no longer has a sentence matching {pattern!r}; update this test with it"
    return m


def test_lexicon_counts_in_readme():
    n = lexicon_sizes()
    assert _num(_find(r"user dictionary \(([\d,]+) terms").group(1)) == n["policy_terms"]
    for m in re.finditer(r"stopwordsiso `?zh`? \(([\d,]+) words\)|\(([\d,]+) zh words\)", README):
        assert _num(m.group(1) or m.group(2)) == n["stopwordsiso_zh"]


@pytest.fixture(scope="module")
def facts(corpus):
    # the selection of notebook 02: provincial + municipal reports, without the duplicate
    units = corpus[corpus.level.isin(["provincial", "municipal"])
                   & (corpus.unit_id != "henan-20221111-bjyouth")]
    tok = A.tokenize_corpus(units)
    f = prose_facts(corpus, tok)
    nov = tok[tok.period == "2022-11"]
    f["n_places_2022"] = nov.place.nunique()
    f["n_docs_2021"] = tok.loc[tok.period == "2021-08", "doc_id"].nunique()
    return f


def test_caveat_paragraph_numbers(facts):
    m = _find(r"single Henan meeting\s*\(one document, two speeches: ([\d,]+) tokens after filtering\) against "
              r"(\d+) November 2022 units from (\d+) places \(([\d,]+) tokens\);\s*(\d+) places are known only "
              r"through a journalist's roundup excerpts of (\d+)–(\d+) characters")
    tokens_2021, units_2022, places_2022, tokens_2022, n_only, lo, hi = map(_num, m.groups())
    assert facts["n_docs_2021"] == 1 and facts["units_per_period"]["2021-08"] == 2
    assert tokens_2021 == facts["tokens_per_period"]["2021-08"]
    assert tokens_2022 == facts["tokens_per_period"]["2022-11"]
    assert units_2022 == facts["units_per_period"]["2022-11"]
    assert places_2022 == facts["n_places_2022"]
    assert n_only == len(facts["excerpt_only_places"])
    assert (lo, hi) == facts["excerpt_chars"]


def test_meetings_in_the_caveat_paragraph(corpus):
    m = _find(r"the (\d+) November 2022\s+units are (\d+) meetings plus the two speeches of one more")
    units = corpus[corpus.level.isin(["provincial", "municipal"]) & (corpus.unit_id != "henan-20221111-bjyouth")]
    nov = units[units.period == "2022-11"]
    per_meeting = nov.groupby("meeting_id").size()
    assert _num(m.group(1)) == len(nov)
    assert _num(m.group(2)) == int((per_meeting == 1).sum()) and int((per_meeting == 2).sum()) == 1
    assert units.loc[units.period == "2021-08", "meeting_id"].nunique() == 1


def test_figure_count_in_the_performance_table():
    """The rebuild row counts the committed figures (it said 37 when there were 34)."""
    import pandas as pd

    rows = len(pd.read_csv(Path(__file__).resolve().parent.parent / "figures" / "manifest.csv"))
    assert _num(_find(r"the PDF 0\.3 s; ([\d,]+) figures\)").group(1)) == rows
