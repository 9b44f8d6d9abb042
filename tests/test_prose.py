"""Prose builders: each sentence checked against a small table whose numbers are counted by hand."""
import pandas as pd

import analysis as A

CORPUS = pd.DataFrame({
    "unit_id": ["a", "b", "c", "d", "e"],
    "doc_id": ["d1", "d1", "d2", "d3", "d3"],
    "period": ["2021-08", "2021-08", "2022-11", "2022-11", "2022-11"],
    "level": ["provincial", "provincial", "provincial", "media", "provincial"],
    "province": ["河南", "河南", "江苏", "", "海南"],
    "place": ["河南", "河南", "江苏", "", "海南"],
    "n_chars": [100, 50, 400, 30, 20],
    "excerpt": [False, False, False, False, True],
})
AUDIT = pd.DataFrame({"error": ["", "bad", ""], "warnings": ["w", "", ""],
                      "script": ["simplified", "traditional", "mixed"], "chars_converted": [0, 1200, 34]})
DUPES = pd.DataFrame({"unit_id": ["b"], "top_match": ["a"], "reuse_share": [0.625]})


def test_audit_summary():
    assert A.audit_summary(AUDIT) == "**3 documents audited, 1 with errors, 1 with warnings.**"


def test_corpus_summary():
    assert A.corpus_summary(CORPUS) == (
        "**The corpus.** 5 units from 3 documents (2 in 2021-08, 3 in 2022-11); 3 provinces have "
        "provincial-level units (江苏、河南、海南); 1 units are the outlets' own framing (`level = media`).")


def test_reuse_summary_with_and_without_duplicates():
    assert A.reuse_summary(DUPES) == "1 units share at least 50% of their characters with another unit: `b` with `a` (62%)."
    assert A.reuse_summary(DUPES.iloc[:0]) == "0 units share at least 50% of their characters with another unit."


def test_corpus_limits_counts_each_limit():
    text = A.corpus_limits(CORPUS, AUDIT, DUPES)
    lines = text.splitlines()
    assert len(lines) == 5
    # 2021-08: 150 characters in 2 units, the smallest; 3 units in the other period
    assert lines[0].startswith("* **Unequal periods.** The smallest period, 2021-08, has 2 unit(s) "
                               "(150 characters, places: 河南) against 3 units")
    assert "1 units are marked `excerpt`" in lines[1]
    assert "1 units share at least half" in lines[2]
    assert "1 `media` units" in lines[3]
    assert "2 document(s) are in Traditional or mixed script" in lines[4] and "1,234 characters converted" in lines[4]
