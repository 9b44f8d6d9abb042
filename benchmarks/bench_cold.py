"""Cold raw -> matrix for the whole 新闻联播 corpus (issue 15, item 2: <= 8 s idle).

"Cold" means a fresh process with an empty parsed-table cache and an empty matrix cache;
the day files are in the download cache (or read from the mirror), so each is still
verified against the registry's SHA-256 and parsed.  In one child process per run:

* ``load_broadcast()``: verify + parse the 2,480 days + write the Parquet table cache;
* ``document_term_matrix(table)``: hash the corpus, segment, count, write the matrix cache.

Three settings, one after the other in the same run (so the load weighs on all alike):

* ``one core``: one process, one thread (``overlap=False``, parse ``n_jobs=1``);
* ``default``: what a notebook gets with no argument;
* ``2 processes``: ``n_jobs=2`` where a function has it.

Importing the package, pandas, pyarrow and dask happens before the clock starts (printed
apart: a notebook has paid it before its first cell that loads the corpus).

    python benchmarks/bench_cold.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench_tables import run_child

SETTINGS = ("one core", "default", "2 processes")


def child(setting: str, cache_dir: str) -> None:
    t0 = time.perf_counter()
    import dask  # noqa: F401
    import pyarrow.compute  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import analysis as A
    from analysis.sources.broadcast import load_broadcast

    seg = A.Segmenter()
    t_import = time.perf_counter() - t0
    parse_kw, dtm_kw = {}, {}
    if setting == "one core":
        parse_kw, dtm_kw = dict(n_jobs=1), dict(overlap=False)
    elif setting == "2 processes":
        parse_kw, dtm_kw = dict(n_jobs=2), dict(n_jobs=2)
    t0 = time.perf_counter()
    table = load_broadcast(progressbar=False, table_cache_dir=Path(cache_dir) / "sources", **parse_kw)
    t1 = time.perf_counter()
    dtm = A.document_term_matrix(table, seg, cache_dir=Path(cache_dir) / "dtm", **dtm_kw)
    t2 = time.perf_counter()
    assert not table.attrs["from_cache"]
    print(json.dumps(dict(setting=setting, import_s=t_import, parse_s=t1 - t0, matrix_s=t2 - t1,
                          total_s=t2 - t0, shape=dtm.shape)))


def run(setting: str) -> dict:
    with tempfile.TemporaryDirectory() as cache:
        return run_child(__file__, setting, cache)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)")
    runs: dict = {s: [] for s in SETTINGS}
    for _ in range(args.repeat):
        for s in SETTINGS:
            runs[s].append(run(s))
    for s, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("parse_s", "matrix_s", "total_s", "import_s")}
        each = ", ".join(f"{r['total_s']:.2f}" for r in rs)
        print(f"{s:<12} raw -> matrix median {med['total_s']:5.2f} s (parse {med['parse_s']:.2f} s + matrix "
              f"{med['matrix_s']:.2f} s; runs {each}); imports before "
              f"the clock {med['import_s']:.2f} s; matrix {rs[0]['shape'][0]:,} x {rs[0]['shape'][1]:,}")
    print(f"target: <= 8 s idle; load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
