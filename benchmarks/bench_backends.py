"""jieba vs rjieba: token agreement, agreement of the key result, and throughput in one run.

* Token agreement, on the seed corpus and on the broadcast transcripts: the share of units whose
  kept-token sequence is identical, and the count overlap  Σ_t min(c_jieba(t), c_rjieba(t)) /
  Σ_t c_jieba(t)  over all kept tokens.
* Key result: Spearman rank correlation of the weighted log-odds z (analysis.measures.keyness.log_odds_z,
  prior = pooled counts) of the seed period comparison (notebook 02's units: provincial and
  municipal reports, the duplicated Henan excerpt excluded), over the terms tested by keyness
  (count >= 3 in both periods together) under both backends.  The default backend may switch to
  rjieba only if it is >= 0.99.
* Throughput on a fixed sample of the transcripts (every 5th day): bare jieba.lcut, bare
  rjieba.cut, and our pipeline (document_term_matrix without its cache: segment, filter, count
  into the sparse matrix, in chunks, one process) with each backend.

    python benchmarks/bench_backends.py [--sample-every 5]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))
import analysis as A  # noqa: E402
from analysis.measures.keyness import log_odds_z  # noqa: E402
from broadcast_corpus import load  # noqa: E402


def agreement(segs, texts):
    same, overlap, total = 0, 0, 0
    from collections import Counter
    for t in texts:
        a, b = segs[0].tokenize(t), segs[1].tokenize(t)
        same += a == b
        ca, cb = Counter(a), Counter(b)
        overlap += sum(min(n, cb[w]) for w, n in ca.items())
        total += len(a)
    return same / len(texts), overlap / total


def period_z(seg, units, min_count=3):
    dtm = A.document_term_matrix(units, seg, use_cache=False)
    keys, g = dtm.group("period")
    g = g.toarray().astype(float)
    tgt = list(keys["period"]).index("2022-11")
    a, b = g[tgt], g[1 - tgt]
    z = log_odds_z(a, b, a.sum(), b.sum(), prior=a + b)
    keep = (a + b) >= min_count
    return dict(zip(np.asarray(dtm.vocab)[keep], z[keep]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample-every", type=int, default=5)
    args = ap.parse_args()
    jseg, rseg = A.Segmenter(backend="jieba"), A.Segmenter(backend="rjieba")

    seed = A.load_corpus()
    same, ov = agreement((jseg, rseg), seed.text)
    print(f"seed corpus ({len(seed)} units): identical token sequences {same:.1%}, count overlap {ov:.4%}")
    units = seed[seed.level.isin(["provincial", "municipal"]) & (seed.unit_id != "henan-20221111-bjyouth")]
    zj, zr = period_z(jseg, units), period_z(rseg, units)
    common = sorted(set(zj) & set(zr))
    rho = spearmanr([zj[t] for t in common], [zr[t] for t in common]).statistic
    print(f"seed period keyness: log-odds z Spearman rho = {rho:.4f} over {len(common)} terms "
          f"(tested: jieba {len(zj)}, rjieba {len(zr)}) -> {'AGREE' if rho >= 0.99 else 'DISAGREE'} (>= 0.99)")

    corpus, reader = load()
    sample = corpus[corpus["date"].rank(method="dense").astype(int) % args.sample_every == 0]
    texts = list(sample.text)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    which = "all days" if args.sample_every == 1 else f"every {args.sample_every}th day"
    print(f"broadcast ({reader}): {len(corpus):,} stories; {which}: {len(texts):,} stories, {mb:.1f} MB")
    same, ov = agreement((jseg, rseg), texts)
    print(f"broadcast, {which}: identical token sequences {same:.1%}, count overlap {ov:.4%}")

    import jieba
    import rjieba

    from analysis.text.tokens import _jieba_tokenizer, default_cache_dir
    jieba.setLogLevel(60)
    # the project's private, checksummed dictionary cache: jieba.Tokenizer().initialize()
    # would read and write <tempdir>/jieba.cache, where anyone can plant a file
    tk = _jieba_tokenizer(default_cache_dir() / "jieba")
    rj = rjieba.Jieba()
    runs = [("bare jieba.lcut", lambda: [tk.lcut(t) for t in texts]),
            ("bare rjieba.cut", lambda: [rj.cut(t) for t in texts]),
            ("pipeline, jieba backend", lambda: A.document_term_matrix(sample, jseg, use_cache=False)),
            ("pipeline, rjieba backend", lambda: A.document_term_matrix(sample, rseg, use_cache=False))]
    speed = {}
    for name, fn in runs:
        t0 = time.perf_counter()
        fn()
        speed[name] = mb / (time.perf_counter() - t0)
    for name, s in speed.items():
        which = "rjieba" if "rjieba" in name else "jieba"
        base = speed["bare rjieba.cut"] if which == "rjieba" else speed["bare jieba.lcut"]
        rel = f"  = {s / base:.0%} of bare {which}" if "pipeline" in name else ""
        print(f"  {name:26s} {s:6.2f} MB/s{rel}")


if __name__ == "__main__":
    main()
