"""External sources fetched on demand (never stored in the repository).

One shared mechanism (:mod:`analysis.sources.pinned`: pinned repository + commit,
committed SHA-256 registry, pooch download into the user cache or a local mirror;
:mod:`analysis.sources.table_cache`: the parsed table cached as Parquet) and one parser
module per source:

``broadcast``
    the daily transcripts of CCTV's 新闻联播 (GitHub ``Felix-Jung/xin-wen-lian-bo``),
    split into story units;
``policy``
    the Oxford COVID-19 Government Response Tracker's daily indices for China's
    provinces (GitHub ``OxCGRT/covid-policy-dataset``).
"""
from analysis.sources.broadcast import (BroadcastError, BroadcastUnavailable, COMMIT, COVID_TERMS, MIRROR_ENV,
                        covid_score, fetch_broadcast, is_covid, load_broadcast, parse_broadcast,
                        parse_day, read_registry, registry_hash)
from analysis.sources.pinned import PinnedSource, SourceError, SourceUnavailable

__all__ = ["BroadcastError", "BroadcastUnavailable", "COMMIT", "COVID_TERMS", "MIRROR_ENV",
           "covid_score", "fetch_broadcast", "is_covid", "load_broadcast", "parse_broadcast",
           "parse_day", "read_registry", "registry_hash",
           "PinnedSource", "SourceError", "SourceUnavailable"]
