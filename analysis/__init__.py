"""Comparative discourse analysis of Chinese COVID-19 meeting reports.

The vocabulary a researcher types (after quanteda):

corpus     load_corpus, load_bulk, corpus_audit, CorpusError, clean_document
tokens     Segmenter, tokenize_corpus
hygiene    counting_spans, mask_for_counting, title_spans, load_names, hygiene_effects
evidence   evidence_base, prose_facts, places_with, lexicon_sizes
matrix     document_term_matrix, DocumentTermMatrix, as_dtm
places     find_places, provinces_in
counts     term_frequencies, top_tfidf_terms, similarity
keyness    keyness (g2, log_ratio, log_odds_z), interval_labels, keyness_summary
inference  analysis.inference: dp, permutation/Mann-Whitney on units, MC error
context    kwic, kwic_html, text_reuse, shared_passages
keywords   load_keywords, save_keywords, theme_frequencies
robustness robustness, equal_length_similarity, similarity_vs_length, cluster_agreement
figures    use_style, save_figure, cjk_font_path, word_cloud, plot_* builders
broadcast  load_broadcast (analysis.sources: the 新闻联播 transcripts)
series     term_series, unit_series, first_last, count_strings

Names are imported lazily (PEP 562): ``import analysis`` is instant, and
scikit-learn, scipy, matplotlib, wordcloud and ipywidgets load only when a function
that needs them is first used.  To export a new name, add ``"name": "module"`` to
``_EXPORTS`` below (one line per name; keep your names together).
"""
from __future__ import annotations

import sys as _sys
import types as _types
from importlib import import_module

__version__ = "0.1.0"

#: public name -> submodule that defines it (``analysis.<module>.<name>``)
_EXPORTS: dict[str, str] = {
    # corpus and cleaning
    "clean_document": "clean",
    "load_corpus": "corpus", "corpus_audit": "corpus", "CorpusError": "corpus",
    "LEVELS": "corpus", "PROVINCES": "corpus",
    "load_bulk": "corpus", "CorpusWarning": "corpus", "find_anchor": "corpus",
    # tokens
    "Segmenter": "tokens", "tokenize_corpus": "tokens", "count_terms": "tokens",
    "LexiconError": "tokens",
    # document-term matrix and places
    "DocumentTermMatrix": "matrix", "document_term_matrix": "matrix", "as_dtm": "matrix",
    "find_places": "gazetteer", "provinces_in": "gazetteer",
    # counts
    "term_frequencies": "frequency", "top_tfidf_terms": "frequency", "similarity": "frequency",
    # keyness
    "keyness": "keyness", "g2": "keyness", "log_ratio": "keyness", "log_odds_z": "keyness",
    "interval_labels": "keyness", "keyness_summary": "keyness",
    # context
    "kwic": "context", "kwic_html": "context", "text_reuse": "context", "shared_passages": "context",
    # keywords
    "load_keywords": "keywords", "save_keywords": "keywords", "theme_frequencies": "keywords",
    "KeywordsError": "keywords", "Keywords": "keywords",
    # figures and the manifest
    "use_style": "figures", "save_figure": "figures", "cjk_font_path": "figures",
    "read_manifest": "figures", "ManifestError": "figures",
    "word_cloud": "plots", "plot_unit_lengths": "plots", "plot_top_terms": "plots",
    "plot_keyness": "plots", "plot_frequency_scatter": "plots", "plot_word_clouds": "plots",
    "plot_theme_heatmap": "plots", "plot_tfidf_small_multiples": "plots",
    "plot_similarity": "plots", "plot_reuse": "plots", "plot_theme_bars": "plots",
    # the 新闻联播 corpus and time series (developer C, issue 10)
    "load_broadcast": "sources", "BroadcastError": "sources", "BroadcastUnavailable": "sources",
    "term_series": "timeseries", "unit_series": "timeseries", "first_last": "timeseries",
    "count_strings": "timeseries", "plot_term_series": "plots", "plot_keyness_agreement": "plots",
    # token hygiene and the evidence base (issue 9)
    "counting_spans": "hygiene", "mask_for_counting": "hygiene", "title_spans": "hygiene",
    "load_names": "hygiene", "load_titles": "hygiene", "exclusion_report": "hygiene",
    "hygiene_effects": "hygiene",
    "evidence_base": "evidence", "EvidenceBase": "evidence", "prose_facts": "evidence",
    "places_with": "evidence", "lexicon_sizes": "evidence",
    # figure conventions: period colours, bilingual labels (developer E2, issue 9)
    "PERIOD_COLOURS": "plots", "period_colours": "plots", "load_glossary": "plots",
    "term_labels": "plots",
    "plot_robustness": "plots", "plot_similarity_length": "plots",
    # robustness across segmentations, similarity and length
    "robustness": "robustness", "equal_length_similarity": "robustness",
    "similarity_vs_length": "robustness", "cluster_agreement": "robustness",
}

__all__ = list(_EXPORTS)


class _Package(_types.ModuleType):
    """Keeps ``analysis.keyness`` the *function* after ``import analysis.keyness``.

    The import system binds a submodule as an attribute of its package; where a public
    function has its module's name (keyness, robustness ...), that would hide the
    function.  The eager ``from .keyness import keyness`` of old rebound it; here the
    binding itself is redirected to the exported name."""

    def __setattr__(self, name, value):
        if isinstance(value, _types.ModuleType) and _EXPORTS.get(name) == name and hasattr(value, name):
            value = getattr(value, name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # next access is a plain lookup
    return value


def __dir__():
    return sorted({*globals(), *_EXPORTS})
