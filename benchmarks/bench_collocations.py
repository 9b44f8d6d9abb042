"""Collocates over the whole 新闻联播 corpus (36,066 stories), against the target of issue 16:

* collocates of one node over all stories, warm (positions cached, loaded)   (<= 2 s)

Measured steps (one process; the corpus table is read once, through ``load_broadcast``):

1. token positions, cold (empty cache: segment every story, write the verified cache);
2. token positions, warm (hash the corpus, read and verify the cache);
3. ``collocations(pos, node)`` for several nodes, ``--repeat`` times each (median, max);
4. monthly collocates of 动态清零, 2020-01 to 2023-12 (``by="period"``), ``--repeat`` times;
5. ``compare_collocates`` of 疫情 between Aug 2021 and Nov 2022 (stories sampled, no bootstrap).

Needs the transcripts (``COVID_DISCOURSE_XWLB_MIRROR`` or the download).  Prints JSON lines
and the load average before and after.

    python benchmarks/bench_collocations.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time

NODES = ["动态清零", "疫情", "精准", "发展"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(json.dumps({"load_before": os.getloadavg()}))
    import analysis as A
    import analysis.measures.keyness  # noqa: F401  (imported before timing: its first import pulls in scipy.stats)
    from analysis.measures.collocations import collocations, compare_collocates
    from analysis.text.positions import token_positions

    t0 = time.perf_counter()
    corpus = A.load_broadcast(progressbar=False)
    print(json.dumps({"step": "load_broadcast", "s": time.perf_counter() - t0, "stories": len(corpus),
                      "mb": sum(len(t.encode("utf-8")) for t in corpus.text) / 1e6}))
    seg = A.Segmenter()
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        pos = token_positions(corpus, seg, cache_dir=cache)
        print(json.dumps({"step": "positions cold", "s": time.perf_counter() - t0,
                          "positions": pos.n_positions, "types": len(pos.vocab),
                          "sentences": len(pos.sent_ptr) - 1}))
        t0 = time.perf_counter()
        pos = token_positions(corpus, seg, cache_dir=cache)
        print(json.dumps({"step": "positions warm", "s": time.perf_counter() - t0}))
    for node in NODES:
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            table = collocations(pos, node, 5)
            times.append(time.perf_counter() - t0)
        print(json.dumps({"step": f"collocations {node}", "median_s": statistics.median(times),
                          "max_s": max(times), "f_node": table.attrs["facts"]["f_node"],
                          "collocates": len(table)}))
    months = corpus["period"].between("2020-01", "2023-12").to_numpy()
    sub = pos.subset(months)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        monthly = collocations(sub, "动态清零", 5, by="period")
        times.append(time.perf_counter() - t0)
    print(json.dumps({"step": "monthly collocations 动态清零 2020-2023", "median_s": statistics.median(times),
                      "max_s": max(times), "months_with_node": len(monthly.attrs["facts"]),
                      "months_without": len(monthly.attrs["groups_without_node"])}))
    t0 = time.perf_counter()
    kt = compare_collocates(pos, "疫情", "period", "2022-11", "2021-08", sample="unit_id", n_boot=0)
    print(json.dumps({"step": "compare_collocates 疫情 2022-11 vs 2021-08", "s": time.perf_counter() - t0,
                      "terms": len(kt)}))
    print(json.dumps({"load_after": os.getloadavg()}))


if __name__ == "__main__":
    main()
