"""External corpora fetched on demand (never stored in the repository).

One module per source.  ``broadcast``: the daily transcripts of CCTV's 新闻联播
(GitHub ``Felix-Jung/xin-wen-lian-bo``, pinned commit), verified against the SHA-256
registry in ``data/sources/`` and split into story units.
"""
from analysis.sources.broadcast import (BroadcastError, BroadcastUnavailable, COMMIT, COVID_TERMS, MIRROR_ENV,
                        covid_score, fetch_broadcast, is_covid, load_broadcast, parse_broadcast,
                        parse_day, read_registry, registry_hash)

__all__ = ["BroadcastError", "BroadcastUnavailable", "COMMIT", "COVID_TERMS", "MIRROR_ENV",
           "covid_score", "fetch_broadcast", "is_covid", "load_broadcast", "parse_broadcast",
           "parse_day", "read_registry", "registry_hash"]
