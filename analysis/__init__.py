"""Comparative discourse analysis of Chinese COVID-19 meeting reports.

The vocabulary a researcher types (after quanteda):

corpus     load_corpus, corpus_audit, CorpusError, clean_document
tokens     Segmenter, tokenize_corpus
matrix     document_term_matrix, DocumentTermMatrix, as_dtm
places     find_places, provinces_in
counts     term_frequencies, top_tfidf_terms, similarity
keyness    keyness (g2, log_ratio, log_odds_z)
context    kwic, kwic_html, text_reuse, shared_passages
keywords   load_keywords, save_keywords, theme_frequencies
figures    use_style, save_figure, cjk_font_path, word_cloud, plot_* builders
"""
from .clean import clean_document
from .context import kwic, kwic_html, shared_passages, text_reuse
from .corpus import LEVELS, PROVINCES, CorpusError, corpus_audit, load_corpus
from .figures import cjk_font_path, read_manifest, save_figure, use_style
from .frequency import similarity, term_frequencies, top_tfidf_terms
from .keyness import g2, keyness, log_odds_z, log_ratio
from .gazetteer import find_places, provinces_in
from .keywords import KeywordsError, load_keywords, save_keywords, theme_frequencies
from .plots import (plot_frequency_scatter, plot_keyness, plot_reuse, plot_similarity,
                    plot_theme_bars, plot_theme_heatmap, plot_tfidf_small_multiples,
                    plot_top_terms, plot_unit_lengths, plot_word_clouds, word_cloud)
from .matrix import DocumentTermMatrix, as_dtm, document_term_matrix
from .tokens import LexiconError, Segmenter, count_terms, tokenize_corpus

__version__ = "0.1.0"

__all__ = [
    "clean_document", "load_corpus", "corpus_audit", "CorpusError", "LEVELS", "PROVINCES",
    "Segmenter", "tokenize_corpus", "count_terms", "LexiconError",
    "DocumentTermMatrix", "document_term_matrix", "as_dtm", "find_places", "provinces_in",
    "term_frequencies", "top_tfidf_terms", "similarity",
    "keyness", "g2", "log_ratio", "log_odds_z",
    "kwic", "kwic_html", "text_reuse", "shared_passages",
    "load_keywords", "save_keywords", "theme_frequencies", "KeywordsError",
    "use_style", "save_figure", "cjk_font_path", "read_manifest", "word_cloud",
    "plot_unit_lengths", "plot_top_terms", "plot_keyness", "plot_frequency_scatter",
    "plot_word_clouds", "plot_theme_heatmap", "plot_tfidf_small_multiples",
    "plot_similarity", "plot_reuse", "plot_theme_bars",
]
