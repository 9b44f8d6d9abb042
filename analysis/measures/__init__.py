"""Measures: functions of (document-term matrix or corpus table, grouping of rows): frequencies,
TF-IDF, keyness and unit-level inference, keyword themes, concordances and reuse, time series,
robustness, the evidence base."""
