"""Comparative discourse analysis of Chinese COVID-19 meeting reports.

The vocabulary a researcher types (quanteda-style):

corpus     load_corpus, corpus_audit, CorpusError, clean_document
tokens     Segmenter, tokenize_corpus
counts     term_frequencies, top_tfidf_terms, similarity
keyness    keyness, g2, log_ratio, log_odds_z
context    kwic, kwic_html, text_reuse
keywords   load_keywords, save_keywords, theme_frequencies
figures    use_style, save_figure, word_cloud, cjk_font_path
"""
from .clean import clean_document
from .corpus import CorpusError, corpus_audit, load_corpus

__all__ = ["clean_document", "CorpusError", "corpus_audit", "load_corpus"]
