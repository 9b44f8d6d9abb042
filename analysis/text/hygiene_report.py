"""What the token-hygiene rules change: tokens removed or restored by each rule of
:mod:`analysis.text.hygiene`, measured by segmenting the corpus with and without them.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis.ingest.corpus import default_data_dir
from analysis.text.hygiene import RULES, counting_spans, mask_for_counting, stopword_sections
from analysis.text.tokens import Segmenter, _jieba_tokenizer, default_cache_dir, read_word_list

__all__ = ["hygiene_effects"]


def hygiene_effects(corpus: pd.DataFrame, lexicon_dir=None) -> tuple[pd.DataFrame, list[str]]:
    """How many tokens each hygiene rule removes (or restores) in ``corpus``.

    Counts are made on the units' texts with the project lexicon; they are the
    before/after measurement of the rules, not a model.

    * exclusion rules (one row per reason of :data:`RULES`): tokens the excluded spans
      would yield under plain lexicon segmentation (``Segmenter(hygiene=False)``);
    * ``titles``: tokens the titles would yield, minus the one title token each
      becomes (``n_spans`` titles);
    * ``names``: name tokens stopped as names;
    * one row per ``# -- section --`` of ``stopwords_project.txt`` (meeting frame,
      enumerators, disease names …): tokens of that section's words stopped;
    * ``keep list``: tokens of ``stopwords_keep.txt`` words that stopwordsiso would
      have removed (negative = restored);
    * ``formula members``: lexicon terms that contain a one-character member
      (早发现, 快封 …) kept whole instead of losing the member (negative = restored).

    Parameters
    ----------
    corpus : pandas.DataFrame
        Corpus table with ``unit_id`` and ``text``.
    lexicon_dir : path, optional

    Returns
    -------
    effects : pandas.DataFrame
        Columns ``rule``, ``n_spans`` (spans or distinct words involved),
        ``tokens_removed`` (negative: tokens restored).
    fragments : list of str
        Tokens of plain segmentation that are fragments of a listed name (a proper
        substring of it, not itself a name) and that no longer occur with hygiene:
        the name fragments that disappeared.
    """
    lex = Path(lexicon_dir or default_data_dir() / "lexicon")
    plain = Segmenter(lex, hygiene=False)
    clean = Segmenter(lex)
    counting = Segmenter(lex, use_stopwords=False)  # hygiene on, nothing stopped
    texts = list(corpus["text"])
    rows = []
    spans = [(t, s) for t in texts for s in counting_spans(t)]
    for reason in dict.fromkeys(r for r, _, _ in RULES):
        mine = [t[a:b] for t, (a, b, r) in spans if r == reason]
        rows.append((reason, len(mine), sum(len(plain.tokenize(x)) for x in mine)))
    titles = [(m[a:b]) for m in (mask_for_counting(t) for t in texts)
              for a, b, _ in clean._title_matcher.spans(m)]  # noqa: SLF001
    rows.append(("titles", len(titles), sum(len(plain.tokenize(x)) - 1 for x in titles)))
    tokens = [tok for t in texts for tok in counting.tokenize(t)]
    from collections import Counter

    cnt = Counter(tokens)
    names = set(clean.names)
    rows.append(("names", len(names & set(cnt)), sum(cnt[n] for n in names)))
    for section, words in stopword_sections(lex / "stopwords_project.txt").items():
        ws = set(words) - names
        rows.append((f"stopwords: {section}" if section else "stopwords", len(ws & set(cnt)),
                     sum(cnt[w] for w in ws)))
    keep = set(read_word_list(lex / "stopwords_keep.txt"))
    import stopwordsiso

    restored = keep & set(stopwordsiso.stopwords("zh"))
    rows.append(("keep list", len(restored & set(cnt)), -sum(cnt[w] for w in restored)))
    # a formula term restores the one-character members that jieba's base dictionary
    # would split off and min_chars would drop (早发现 -> 早 + 发现)
    restored_f, single = 0, set()
    for w, _ in clean.terms:
        n1 = sum(1 for p in _split_without(w) if len(p) < clean.min_chars)
        if n1:
            single.add(w)
            restored_f += cnt[w] * n1
    rows.append(("formula members", len(single & set(cnt)), -restored_f))
    effects = pd.DataFrame(rows, columns=["rule", "n_spans", "tokens_removed"])
    before = Counter(tok for t in texts for tok in plain.tokenize(t))
    after = set(cnt)
    fragments = sorted(t for t in before if t not in after and t not in names
                       and any(t in n and t != n for n in names))
    return effects, fragments


def _split_without(term: str) -> list[str]:
    """How jieba's base dictionary splits ``term`` (without the project lexicon).

    Uses the plain-jieba tokenizer of :mod:`analysis.measures.robustness`'s kind: jieba's
    default dictionary behind the project's private, checksummed dictionary cache
    (never jieba's ``<tempdir>/jieba.cache``)."""
    return _base_tokenizer().lcut(term, HMM=True)


@lru_cache(maxsize=1)
def _base_tokenizer():
    return _jieba_tokenizer(default_cache_dir() / "jieba")
