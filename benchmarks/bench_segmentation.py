"""Segmentation + counting throughput vs the bare segmenter of the default backend, 1 and 2 cores, and peak memory.

Builds a synthetic corpus of >= 20 MB from the real units' sentences, shuffled with a
fixed seed and recombined into 2,000-character documents (so no cache can flatter the
result: the segmentation cache is not used here at all).  Prints MB/s of UTF-8 text.

    python benchmarks/bench_segmentation.py [--mb 20]
"""
from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time

import jieba

import analysis as A
from analysis.text.tokens import split_sentences


def documents(target_mb: float, seed: int = 0, doc_chars: int = 2000):
    """Yield shuffled documents until target_mb of UTF-8 text has been produced."""
    sentences = [s for t in A.load_corpus().text for s in split_sentences(t)]
    rng = random.Random(seed)
    produced, target = 0, target_mb * 1e6
    while produced < target:
        rng.shuffle(sentences)
        buf, n = [], 0
        for s in sentences:
            buf.append(s)
            n += len(s)
            if n >= doc_chars:
                doc = "".join(buf)
                produced += len(doc.encode("utf-8"))
                yield doc
                buf, n = [], 0
                if produced >= target:
                    return


def child(mb: float) -> None:
    """Count a streamed corpus of `mb` MB in this process; print peak RSS (MiB)."""
    seg = A.Segmenter()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = A.count_terms(documents(mb), seg)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak:.1f} {base:.1f} {len(counts)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=20.0)
    ap.add_argument("--child", type=float)
    args = ap.parse_args()
    if args.child:
        return child(args.child)

    docs = list(documents(args.mb))
    mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    print(f"corpus: {len(docs):,} documents, {mb:.1f} MB UTF-8 (shuffled sentences of the real units)")
    seg = A.Segmenter()
    if seg.backend == "jieba":
        from analysis.text.tokens import _jieba_tokenizer, default_cache_dir

        jieba.setLogLevel(60)
        # a private tokenizer with the project's checksummed cache, not jieba's global one
        # (which reads and writes <tempdir>/jieba.cache)
        bare_cut, bare_name = _jieba_tokenizer(default_cache_dir() / "jieba").lcut, "jieba.lcut"
    else:
        import rjieba
        bare_cut, bare_name = rjieba.Jieba().cut, "rjieba.cut"

    t0 = time.perf_counter()
    n_bare = sum(len(bare_cut(d)) for d in docs)
    bare = mb / (time.perf_counter() - t0)
    print(f"bare {bare_name} (1 core)                {bare:6.2f} MB/s  ({n_bare:,} raw tokens)")

    t0 = time.perf_counter()
    c1 = A.count_terms(docs, seg, n_jobs=1)
    ours1 = mb / (time.perf_counter() - t0)
    print(f"ours ({seg.backend}): segment+filter+count, 1 core {ours1:6.2f} MB/s  = {ours1 / bare:.0%} of bare")

    A.count_terms(docs[:4], seg, n_jobs=2, chunk_chars=1)  # one-time import of dask (+ distributed)
    t0 = time.perf_counter()
    c2 = A.count_terms(docs, seg, n_jobs=2)
    ours2 = mb / (time.perf_counter() - t0)
    assert c1 == c2, "parallel counts differ from serial counts"
    print(f"ours: segment+filter+count, 2 Dask processes {ours2:6.2f} MB/s  = {ours2 / ours1:.2f}x our 1-core speed")

    print("peak memory of counting a streamed corpus (fresh process each):")
    for size in (args.mb / 4, args.mb):
        out = subprocess.run([sys.executable, __file__, "--child", str(size)], capture_output=True,
                             text=True, check=True).stdout.split()
        print(f"  {size:5.1f} MB: peak RSS {float(out[0]):6.1f} MiB (after loading the tokenizer: "
              f"{float(out[1]):.1f} MiB), vocabulary {int(out[2]):,} terms")


if __name__ == "__main__":
    main()
