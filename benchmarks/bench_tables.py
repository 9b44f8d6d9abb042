"""Parsed-table cache of the external sources: warm load vs cold parse, in one run.

Target (issue 15, item 2): a warm load of all 36,066 新闻联播 stories takes at most 10 % of
the cold parse.  For each source, in fresh processes one after the other (same run, same
load of the machine):

* **cold**: ``load_broadcast()`` / ``load_policy()`` with an empty table cache: verify every
  raw file against the registry (SHA-256), parse, then write the Parquet cache;
  the parse (verify + parse) and the cache write are timed separately.  The broadcast
  corpus is parsed cold twice, with ``n_jobs=1`` and ``n_jobs=2`` worker processes
  (``--jobs``), each into its own empty cache;
* **warm**: the same call in a new process: read the cache file, check its checksum and
  stored key, rebuild the table from Parquet.  ``pyarrow`` is imported before the clock
  starts (its import time is printed on its own).

The raw files come from the mirror beside the checkout (or ``$COVID_DISCOURSE_XWLB_MIRROR``
and ``$COVID_DISCOURSE_OXCGRT_MIRROR``).  Prints a table and the load average.

    python benchmarks/bench_tables.py [--repeat 3] [--jobs 1 2]

Profile of the cold broadcast load (cProfile, one process, before issue 15's parser
work, 7.6 s under the profiler; 6.8 s without it, idle): 3.0 s in the gazetteer's
regular expression (``provinces_in``: a 760-form alternation that ``re`` tries form by
form at each of the 2.4 million positions whose character starts a form), 1.6 s in
``_html_to_text`` (1.0 s of it a ``re.sub`` per line through ``re``'s pattern cache),
0.3 s ``parse_day``'s own lines, 0.35 s the COVID score, 0.37 s building the DataFrame
from one dict per unit, 0.35 s writing the Parquet cache, 0.2 s reading the files and
0.13 s hashing them (fetch_broadcast, page cache warm).

After (same profile, 4.2-4.6 s under the profiler): the gazetteer is one prefix-tree
pattern (:func:`analysis.ingest.gazetteer.longest_first_pattern`, same matches) that
matches a lone first character where no form does (``or_first_char``: ``re`` stops
walking the 244 first characters), 1.2 s under the profiler, 0.8 s without it (was
2.8 s); ``_html_to_text`` 0.5 s (one substitution of runs of two spaces, a literal
prefix, instead of a character-class pattern per line); the COVID score 0.4 s; the table built from
columns 0.2-0.35 s (mostly pandas making Arrow strings); the cache write 0.4 s (0.2 s
of it zstd: lz4 would save 0.06 s for a 35 % larger file, left as is).  Hashing the
files in threads is slower than in one (0.09 s -> 0.22 s: the files are 28 kB, too small
for hashlib's released GIL to pay for the threads).  What is left is spread over the
parser's regular expressions and string methods, so ``n_jobs=2`` parses runs of days in
two forked processes, each building its part of the table (its string columns are Arrow
arrays, pickled back as buffers: 0.2 s less in the parent than sending Python strings
and building the table there); the parent concatenates them in file order.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIRRORS = {
    "COVID_DISCOURSE_XWLB_MIRROR": ROOT.parent / "shared" / "mirror" / "Felix-Jung" / "xin-wen-lian-bo",
    "COVID_DISCOURSE_OXCGRT_MIRROR": ROOT.parent / "shared" / "mirror" / "OxCGRT" / "covid-policy-dataset",
}


def child(source: str, mode: str, cache_dir: str, n_jobs: str = "1") -> None:
    t0 = time.perf_counter()
    import pyarrow  # noqa: F401  (imported before the clock: printed separately)
    import pyarrow.parquet  # noqa: F401
    t_pyarrow = time.perf_counter() - t0
    from analysis.sources import broadcast, policy, table_cache

    if source == "broadcast":
        load = broadcast.load_broadcast
        kwargs = dict(progressbar=False, n_jobs=int(n_jobs))
    else:
        load = policy.load_policy
        kwargs = {}
    out = dict(source=source, mode=mode, n_jobs=int(n_jobs), pyarrow_import_s=t_pyarrow)
    if mode == "cold":
        written = []
        real_write = table_cache.write_tables

        def timed_write(*a, **k):
            t = time.perf_counter()
            ok = real_write(*a, **k)
            written.append(time.perf_counter() - t)
            return ok

        table_cache.write_tables = timed_write
        t0 = time.perf_counter()
        table = load(table_cache_dir=cache_dir, **kwargs)
        total = time.perf_counter() - t0
        out.update(parse_s=total - written[0], write_s=written[0], total_s=total)
    else:
        t0 = time.perf_counter()
        table = load(table_cache_dir=cache_dir, **kwargs)
        out.update(total_s=time.perf_counter() - t0)
    out.update(rows=len(table), from_cache=bool(table.attrs["from_cache"]),
               cache_mb=sum(p.stat().st_size for p in Path(cache_dir).rglob("*") if p.is_file()) / 1e6)
    print(json.dumps(out))


def run_child(script: str, *args) -> dict:
    """Run ``script --child *args`` in a fresh interpreter with the mirrors beside the
    checkout (unless the environment names others) and return the JSON of its last line."""
    env = dict(os.environ)
    for var, path in MIRRORS.items():
        if not env.get(var) and path.is_dir():
            env[var] = str(path)
    res = subprocess.run([sys.executable, script, "--child", *map(str, args)], capture_output=True,
                         text=True, env=env, cwd=ROOT)
    if res.returncode:
        raise SystemExit(res.stderr)
    return json.loads(res.stdout.strip().splitlines()[-1])


def run(source: str, mode: str, cache_dir: str, n_jobs: int = 1) -> dict:
    return run_child(__file__, source, mode, cache_dir, n_jobs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3, help="warm loads per source (median reported)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2],
                    help="worker processes of the cold broadcast parse (one cold run each)")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} cores)")
    for source in ("broadcast", "policy"):
        with tempfile.TemporaryDirectory() as cache:
            cold = run(source, "cold", cache)
            warms = sorted((run(source, "warm", cache) for _ in range(args.repeat)), key=lambda r: r["total_s"])
            warm = warms[len(warms) // 2]
            assert not cold["from_cache"] and all(w["from_cache"] for w in warms)
            print(f"{source:<9} rows {cold['rows']:>6,}: cold parse {cold['parse_s']:.2f} s (+ cache write "
                  f"{cold['write_s']:.2f} s, {cold['cache_mb']:.1f} MB); warm load median {warm['total_s']:.3f} s "
                  f"of {args.repeat} (min {warms[0]['total_s']:.3f}, max {warms[-1]['total_s']:.3f}) = "
                  f"{warm['total_s'] / cold['parse_s']:.1%} of the cold parse; pyarrow import "
                  f"{warm['pyarrow_import_s']:.2f} s")
            for n_jobs in (args.jobs if source == "broadcast" else []):
                if n_jobs == 1:
                    continue
                with tempfile.TemporaryDirectory() as other:
                    par = run(source, "cold", other, n_jobs)
                assert not par["from_cache"] and par["rows"] == cold["rows"]
                print(f"{source:<9} cold parse with {n_jobs} processes {par['parse_s']:.2f} s (+ cache write "
                      f"{par['write_s']:.2f} s) = {par['parse_s'] / cold['parse_s']:.0%} of one process; load "
                      f"average {os.getloadavg()[0]:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
