"""The public vocabulary: each name importable from ``analysis`` and the module that defines it.

A plain table with no imports, so that any layer (and the provenance hashing, which maps the
names a notebook uses to the files it depends on) may read it.  To export a new name, add
``"name": "layer.module"`` in the block of its family.
"""

#: public name -> module under ``analysis/`` that defines it (``analysis.<layer>.<module>.<name>``)
_EXPORTS: dict[str, str] = {
    # corpus and cleaning
    "clean_document": "ingest.clean",
    "load_corpus": "ingest.corpus", "corpus_audit": "ingest.corpus", "CorpusError": "ingest.corpus",
    "LEVELS": "ingest.corpus", "PROVINCES": "ingest.corpus",
    "load_bulk": "ingest.corpus", "CorpusWarning": "ingest.corpus", "find_anchor": "ingest.corpus",
    # tokens
    "Segmenter": "text.tokens", "tokenize_corpus": "text.tokens", "count_terms": "text.tokens",
    "LexiconError": "text.tokens",
    # document-term matrix and places
    "DocumentTermMatrix": "text.matrix", "document_term_matrix": "text.matrix", "as_dtm": "text.matrix",
    "find_places": "ingest.gazetteer", "provinces_in": "ingest.gazetteer",
    # counts
    "term_frequencies": "measures.frequency", "top_tfidf_terms": "measures.frequency", "similarity": "measures.frequency",
    # keyness
    "keyness": "measures.keyness", "g2": "measures.keyness", "log_ratio": "measures.keyness", "log_odds_z": "measures.keyness",
    "interval_labels": "measures.keyness", "keyness_summary": "measures.keyness",
    # context
    "kwic": "measures.context", "kwic_html": "measures.context", "text_reuse": "measures.context", "shared_passages": "measures.context",
    # keywords
    "load_keywords": "measures.keywords", "save_keywords": "measures.keywords", "theme_frequencies": "measures.keywords",
    "KeywordsError": "measures.keywords", "Keywords": "measures.keywords",
    # figures and the manifest
    "use_style": "figures.style", "save_figure": "figures.saving", "cjk_font_path": "figures.style",
    "read_manifest": "figures.saving", "ManifestError": "infra.provenance",
    "word_cloud": "figures.frequency_plots", "plot_unit_lengths": "figures.frequency_plots", "plot_top_terms": "figures.frequency_plots",
    "plot_keyness": "figures.keyness_plots", "plot_frequency_scatter": "figures.frequency_plots", "plot_word_clouds": "figures.frequency_plots",
    "plot_theme_heatmap": "figures.theme_plots", "plot_tfidf_small_multiples": "figures.frequency_plots",
    "plot_similarity": "figures.similarity_plots", "plot_reuse": "figures.similarity_plots", "plot_theme_bars": "figures.theme_plots",
    # the 新闻联播 corpus and time series
    "load_broadcast": "sources.broadcast", "BroadcastError": "sources.broadcast", "BroadcastUnavailable": "sources.broadcast",
    "term_series": "measures.timeseries", "unit_series": "measures.timeseries", "first_last": "measures.timeseries",
    "count_strings": "measures.timeseries", "plot_term_series": "figures.series_plots", "plot_keyness_agreement": "figures.keyness_plots",
    # token hygiene and the evidence base
    "counting_spans": "text.hygiene", "mask_for_counting": "text.hygiene", "title_spans": "text.hygiene",
    "load_names": "text.hygiene", "load_titles": "text.hygiene", "exclusion_report": "text.hygiene",
    "hygiene_effects": "text.hygiene_report",
    "evidence_base": "measures.evidence", "EvidenceBase": "measures.evidence", "prose_facts": "measures.evidence",
    "places_with": "measures.evidence", "lexicon_sizes": "measures.evidence",
    # figure conventions: period colours, bilingual labels
    "PERIOD_COLOURS": "figures.labels", "period_colours": "figures.labels", "load_glossary": "figures.labels",
    "term_labels": "figures.labels",
    "plot_robustness": "figures.keyness_plots", "plot_similarity_length": "figures.similarity_plots",
    # robustness across segmentations, similarity and length
    "robustness": "measures.robustness", "equal_length_similarity": "measures.robustness",
    "similarity_vs_length": "measures.robustness", "cluster_agreement": "measures.robustness",
    # sentences for the notebooks' prose, computed
    "audit_summary": "measures.prose", "corpus_summary": "measures.prose", "reuse_summary": "measures.prose",
    "corpus_limits": "measures.prose",
    # count models per unit with meeting-clustered errors
    "count_model": "measures.models", "count_models": "measures.models",
    "count_models_vs_rest": "measures.models", "count_models_statement": "measures.models",
    # tests of change in a series
    "interrupted_time_series": "measures.change", "change_point_scan": "measures.change", "its_summary": "measures.change",
    # the sampling frame (data/selection.yml)
    "load_selection": "ingest.selection", "selection_summary": "ingest.selection",
    # checking a classification rule by a stratified two-coder sample
    "draw_check_sample": "measures.validation", "cohen_kappa": "measures.validation",
    "rule_accuracy": "measures.validation", "propagate_counts": "measures.validation",
    "threshold_sensitivity": "measures.validation", "load_rule_check": "measures.validation",
    "period_flag_counts": "measures.validation", "rule_check_summary": "measures.validation",
    "plot_estimated_counts": "figures.validation_plots",
    # web pages: line structure, chrome families, wrapping check; officials; a place not stated
    "NOT_STATED": "ingest.corpus", "officials": "ingest.gazetteer", "officials_named": "ingest.gazetteer",
    "detect_line_structure": "ingest.pagelines", "garble_flags": "ingest.pagelines",
    "wrapping_report": "ingest.wrappers", "PageWrapper": "ingest.wrappers",
    # measured policy (OxCGRT) and talk and action: the source, joins, lagged correlation, figures
    "load_policy": "sources.policy", "PolicyError": "sources.policy", "PolicyUnavailable": "sources.policy",
    "SourceError": "sources.pinned", "SourceUnavailable": "sources.pinned", "PinnedSource": "sources.pinned",
    "policy_by_period": "measures.talk_action", "policy_before": "measures.talk_action",
    "with_policy": "measures.talk_action", "unit_keyness_scores": "measures.talk_action",
    "meeting_table": "measures.talk_action", "meeting_correlation": "measures.talk_action",
    "detectable_correlation": "measures.talk_action", "lagged_correlation": "measures.talk_action",
    "talk_action_prose": "measures.talk_action", "policy_change_prose": "measures.talk_action",
    "lead_lag_prose": "measures.talk_action",
    "plot_policy_dumbbell": "figures.policy_plots", "plot_talk_vs_policy": "figures.policy_plots",
    "plot_series_vs_index": "figures.policy_plots",
    # readout moves, echo of the centre, keyness beyond two groups
    "MOVES": "measures.moves", "MovesWarning": "measures.moves", "readout_moves": "measures.moves",
    "move_spans": "measures.moves", "manifest_moves": "measures.moves", "load_moves_gold": "measures.moves",
    "move_agreement": "measures.moves", "move_corpus": "measures.moves", "move_shares": "measures.moves",
    "kwic_moves": "measures.moves", "agreement_prose": "measures.moves", "anatomy_prose": "measures.moves",
    "echo": "measures.echo", "EchoResult": "measures.echo", "echo_summary": "measures.echo",
    "keyness_one_vs_rest": "measures.keyness_groups", "keyness_reference": "measures.keyness_groups",
    "reference_frequencies": "measures.keyness_groups", "one_vs_rest_prose": "measures.keyness_groups",
    "MOVE_COLOURS": "figures.readout_plots", "plot_move_anatomy": "figures.readout_plots",
    "plot_echo_moves": "figures.readout_plots", "plot_keyness_groups": "figures.readout_plots",
    # citing a figure; exports for R, Stata and spreadsheets
    "cite": "workflow.cite", "Citation": "workflow.cite", "CiteError": "workflow.cite",
    "export": "workflow.export", "ExportError": "workflow.export",
    # word order: token positions, collocations, co-occurrence networks, correspondence analysis
    "token_positions": "text.positions", "TokenPositions": "text.positions",
    "collocations": "measures.collocations", "compare_collocates": "measures.collocations",
    "collocate_matrix": "measures.collocations", "node_family": "measures.collocations",
    "collocation_scores": "measures.collocations", "collocation_summary": "measures.collocations",
    "comparison_summary": "measures.collocations", "NodeAbsentError": "measures.collocations",
    "cooccurrence_network": "measures.cooccurrence", "CooccurrenceNetwork": "measures.cooccurrence",
    "network_summary": "measures.cooccurrence",
    "correspondence_analysis": "measures.correspondence", "CorrespondenceAnalysis": "measures.correspondence",
    "plot_collocates": "figures.collocation_plots", "plot_collocate_series": "figures.collocation_plots",
    "plot_cooccurrence_networks": "figures.network_plots", "plot_ca_biplot": "figures.network_plots",
    # meetings as the sampling unit: pre-declared term families, what a comparison can support
    "load_families": "measures.keywords", "inference_scope": "measures.evidence",
    # print-size check of figures (journal column widths)
    "print_check": "figures.printcheck", "declare_raster_text": "figures.printcheck",
    "declare_print_width": "figures.printcheck",
    "PrintSizeWarning": "figures.saving",
}
