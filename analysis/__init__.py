"""Comparative discourse analysis of Chinese COVID-19 meeting reports.

One flat vocabulary (after quanteda) over a package built in layers, lowest first; a module
imports only from its own layer or lower ones (``tests/test_layers.py``):

infra      atomic writes, safe YAML, verified caches, provenance hashing
ingest     clean_document, load_corpus, load_bulk, corpus_audit, CorpusError, find_places, draft
sources    load_broadcast (external corpora: pinned, hash-checked downloads)
text       Segmenter, tokenize_corpus, count_terms, token hygiene, document_term_matrix
measures   term_frequencies, top_tfidf_terms, similarity, keyness, kwic, text_reuse,
           theme_frequencies, term_series, robustness, evidence_base
figures    use_style, save_figure, plot_* builders by family
workflow   python -m analysis.build, ThemeExplorer, the Jupyter save hook, cite, export

``import analysis as A`` is instant: names load lazily (PEP 562) from the module named for
them in ``analysis/_api.py``, so scikit-learn, scipy, matplotlib, wordcloud and ipywidgets
load only when a function that needs them is first used.  The modules ``analysis.build``,
``analysis.cite``, ``analysis.draft`` and ``analysis.paragraphs`` are the command-line entry
points (``python -m analysis.build``).
"""
from __future__ import annotations

from importlib import import_module

from analysis._api import _EXPORTS

__version__ = "0.2.0"

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(import_module(f"analysis.{module}"), name)
    globals()[name] = value  # next access is a plain lookup
    return value


def __dir__():
    return sorted({*globals(), *_EXPORTS})
