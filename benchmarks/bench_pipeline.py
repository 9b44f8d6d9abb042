"""The segmentation pipeline against bare rjieba, on the same texts in the same run.

"Pipeline" is ``document_term_matrix(..., use_cache=False)``: token hygiene (excluded
spans, document titles), segmentation, filtering and counting into the sparse matrix.
"Bare" is the same rjieba instance (same lexicon) cutting each text, the result thrown
away.  The four are run in turn, ``--repeat`` times, and the median of each is
reported with the ratios, so the machine's load weighs on all of them alike:

* pipeline, 1 process and 1 thread (``overlap=False``), as a share of bare rjieba
  (target >= 60 %);
* the same with the segmenter in a second thread (``overlap=True``, the default), as a
  share of bare rjieba (one process, but two cores);
* pipeline with 2 Dask processes, as a speed-up over 1 process and 1 thread (target >= 1.6x),
  beside bare rjieba on 2 forked processes (half the texts each) over bare rjieba on 1:
  how much two segmenters side by side gain on this machine at all.

Texts: every ``--every``-th story of the 新闻联播 corpus when the mirror is available
($COVID_DISCOURSE_XWLB_MIRROR or ``../shared/mirror/...``), else a synthetic corpus of
``--mb`` MB recombined from the seed corpus' sentences (seed 0).

    python benchmarks/bench_pipeline.py [--every 1] [--repeat 3] [--profile]

Profile (``--profile``: cProfile of one 1-process run over every 3rd story, 17 MB,
load average 7 on the 2 shared cores, so only the shares are meaningful).  Before this
change (one rjieba call, one hygiene pass and one title pass per *text*, a
``pandas.factorize`` of an object array of all tokens, a ``keep()`` call per distinct
token): rjieba ``cut`` 0.86 s of 2.8 s, i.e. less than a third; ``factorize`` 0.38 s,
``counting_spans`` per text 0.39 s, title spans per text 0.29 s (the listed titles'
alternation with one capture group per title defeated the regex engine's first-character
scan), building the object array 0.35 s, ``keep`` 0.17 s, sorting the vocabulary 0.07 s.
After (one hygiene pass, one title pass and one rjieba call per chunk, integer codes
from one dict pass, the vocabulary filtered once, CSR from the codes), cProfile at load
average 1: 1.87 s in all, rjieba ``cut`` 0.78 s; token codes
(``fromiter(map(dict.__getitem__, tokens))``, bound by touching millions of fresh string
objects) 0.37 s; ``counting_spans`` over the chunks 0.28 s (the two rules that start
with a look-behind are tried at every position); ``segment_counts`` itself 0.09 s;
vocabulary filter 0.11 s and sort 0.06 s; CSR index sort 0.04 s; title spans 0.05 s.
Measured by this script at load average 2.4: 24 % of bare rjieba before, 36 % after.

4 Dec, all stories (50.4 MB), cProfile at load 0.9: rjieba ``cut`` 2.27 s of 6.69 s;
token codes (``numpy.fromiter`` over the dict lookups) 1.31 s; ``counting_spans`` 0.53 s
after the two look-behind rules were rewritten to start with their full stop (7x faster
alone); sorting each chunk's vocabulary 0.35 s (now left to ``merge_counts``, which sorts
the union once).  The codes are the floor: ~100 ns a token for hashing a fresh string
and probing the dict, and rjieba holds the GIL, so a thread cannot overlap them with the
segmentation.  2 Dask processes: 1.03x before (``dask.bag.from_sequence`` tokenised, i.e.
hashed, all 50 MB to name its partitions: 0.46 s before any task ran), 1.53x with one
``dask.delayed`` task per chunk.

4 Dec, afternoon.  Tokens are coded by Apache Arrow: the chunk's tokens joined into one
UTF-8 buffer, viewed as a binary array and ``dictionary_encode``-d (0.6 s for all stories
instead of 1.3 s: no Python dictionary probe of each fresh string); ``keep()`` decisions
are remembered per segmenter; in one process the chunks share one column per distinct
token (no vocabulary merge) and all chunks' counts are summed in one pass at the end; the
hygiene rules skip a rule whose literal is absent.  cProfile of one one-thread run
(``overlap=False``, load 0.8): rjieba ``cut`` 2.56 s of 5.5 s; the hygiene rules and
title spans 0.75 s (``_prepare_chunk``); Arrow coding 0.69 s (the join 0.2 s, the hash
0.25 s); counting the chunk's codes 0.6 s; the final sum and sort of all counts 0.2 s.
With ``overlap=True`` (the default) rjieba, which releases the GIL while it segments,
cuts the next chunk in a second thread while this one does the rest: one process, two
cores.  The script reports the one-thread figure as the ratio the target was set for.
Dask: each worker counts one run of consecutive chunks (``count_run``) and sends back
one partial matrix; the two workers' counting takes 2.1-2.6 s each, starting them
0.4-0.7 s and merging 0.1-0.3 s.

4 Dec, second session.  Timing each part of a 2-process run (all stories, load 0.4-1.2):
the tasks started 0.17-0.33 s after the call, the workers counted 2.3-2.45 s (2.1-2.4 s in
this process), returning and merging took 0.3-0.45 s; 2.7-2.9 s in all, 1.40-1.48x one
thread.  A fork pool whose workers *inherit* the runs (no pickling) took 2.65-2.75 s in the
same run (1.63x), Dask's scheduler with the pickled runs 2.86-3.23 s: pickling 50 MB of text
in this process and unpickling it in the workers was the difference.  ``map_chunks`` now
hands the first batch of chunks to forked workers by inheritance (a task carries the chunk's
number): 2.56-2.78 s with Dask, 1.60x in that run.

4 Dec, third session.  Timing the one-thread run's parts on their own (load 0.6-1.0):
cutting each chunk whole took 2.6-3.3 s where bare rjieba took 1.8-2.2 s, and holding a
chunk's ~600,000 fresh token strings in one list was the difference: ~16,000 page faults
per chunk, ~280,000 per pass, against none for bare rjieba, which frees each text's
tokens before the next (the same with each text's tokens kept: 2.7-3.3 s, 210,000
faults).  Each chunk is now split at the NULs between its texts, each text is cut by
its own call and its tokens are joined into one string at once (``_cut_prepared``; in a
first prototype, cut, join and Arrow coding 2.4-2.7 s with 2,000-5,000 faults, against
3.1-3.3 s for the whole-chunk cut and its coding).  The chunks' distinct tokens are coded
together once at the end (``_stream_matrix``: one Arrow ``dictionary_encode`` of the
585,000 per-chunk distinct tokens into 144,000) instead of a Python dictionary look-up of
each chunk's distinct tokens (0.25 s under cProfile).  Three hygiene rules and the listed titles start
with a class or an alternation, which ``re`` tries at every position (0.06-0.11 s
each); they are now tried only where ``str.find`` puts a candidate start (0.013-0.024 s
each; ``counting_spans`` 0.38 -> 0.17 s).  Codes, columns and CSR indices are 32-bit
(scipy copied 64-bit indices down to 32 bits).  Parts of one thread after (medians of 5,
load 0.7-0.9): bare rjieba 2.14 s; splitting into chunks 0.06 s, masking and titles
0.28 s, cut + join 2.17 s, coding 0.31 s, the end-of-stream coding, filter, sort and
sum 0.45 s.  Dask: the runs were cut by equal numbers of chunks, which left one worker
0.1-0.3 s behind the other; they are now cut at equal characters (after: the two runs
took 1.57-1.76 s, within 0.16 s of each other, returning the results 0.11-0.15 s and
merging 0.08-0.09 s).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import time
from pathlib import Path

import pandas as pd

import analysis as A

ROOT = Path(__file__).resolve().parent.parent


def load_texts(every: int, mb: float) -> tuple[list[str], str]:
    from analysis.sources.broadcast import MIRROR_ENV, BroadcastError

    mirror = os.environ.get(MIRROR_ENV) or str(ROOT.parent / "shared" / "mirror" / "Felix-Jung" / "xin-wen-lian-bo")
    try:
        texts = A.load_broadcast(mirror=mirror, progressbar=False)["text"].tolist()[::every]
        return texts, f"新闻联播 stories (every {every})"
    except BroadcastError as e:
        print(f"no 新闻联播 corpus ({str(e).splitlines()[0]}); using the synthetic corpus")
    from bench_segmentation import documents

    return list(documents(mb)), f"synthetic corpus from the seed sentences ({mb} MB)"


_BARE: tuple = (None, [])


def _cut_range(bounds) -> None:
    cut, texts = _BARE
    gc.disable()
    for t in texts[bounds[0]:bounds[1]]:
        cut(t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=1, help="take every N-th story")
    ap.add_argument("--mb", type=float, default=20.0, help="size of the synthetic corpus without the mirror")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of one 1-process run")
    args = ap.parse_args()
    import dask  # noqa: F401  (imported before timing, as a notebook would have)
    import pyarrow.compute  # noqa: F401  (the token coding; load_broadcast has imported pyarrow)

    texts, what = load_texts(args.every, args.mb)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    table = pd.DataFrame({"unit_id": [str(i) for i in range(len(texts))], "text": texts})
    seg = A.Segmenter()
    cut = seg._raw_cut  # noqa: SLF001 - the bare rjieba instance with the project lexicon

    def bare():
        paused = gc.isenabled()
        gc.disable()
        try:
            for t in texts:
                cut(t)
        finally:
            if paused:
                gc.enable()

    def bare_two_processes():
        """Bare rjieba on two forked processes at once, each cutting half of the texts: what
        the machine gives two segmenters running side by side (the ceiling of any
        two-process pipeline)."""
        import multiprocessing as mp

        half = len(texts) // 2
        with mp.get_context("fork").Pool(2) as pool:
            pool.map(_cut_range, [(0, half), (half, len(texts))])

    global _BARE
    _BARE = (cut, texts)
    runs = {"bare": bare,
            "bare, 2 processes": bare_two_processes,
            "pipeline": lambda: A.document_term_matrix(table, seg, use_cache=False, overlap=False),
            "pipeline, segmenter thread": lambda: A.document_term_matrix(table, seg, use_cache=False),
            "pipeline, 2 Dask processes": lambda: A.document_term_matrix(table, seg, use_cache=False, n_jobs=2)}
    if args.profile:
        pr = cProfile.Profile()
        pr.enable()
        runs["pipeline"]()
        pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(15)
    print(f"{what}: {len(texts):,} texts, {mb:.1f} MB; load average before: {os.getloadavg()}")
    times: dict = {k: [] for k in runs}
    for _ in range(args.repeat):
        for name, f in runs.items():
            t0 = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t0)
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, t in med.items():
        print(f"{name:<28} median {t:6.2f} s = {mb / t:5.1f} MB/s  (runs: {', '.join(f'{x:.2f}' for x in times[name])})")
    print(f"pipeline / bare rjieba: {med['bare'] / med['pipeline']:.0%} (target >= 60 %; one thread)")
    print(f"pipeline with the segmenter in a second thread / bare rjieba: "
          f"{med['bare'] / med['pipeline, segmenter thread']:.0%} (one process, two cores)")
    print(f"2 Dask processes / 1 process: {med['pipeline'] / med['pipeline, 2 Dask processes']:.2f}x "
          f"(target >= 1.6x); bare rjieba on 2 processes / 1: {med['bare'] / med['bare, 2 processes']:.2f}x")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
