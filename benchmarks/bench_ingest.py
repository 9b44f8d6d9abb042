"""Ingest speed: load_corpus on 500 documents via a bulk table, half of them in Traditional script.

Builds a temporary data dir: 500 raw files of ~2,000 characters made from the real units'
sentences (shuffled, seed 0), every other one converted to Traditional with OpenCC s2t and
wrapped in web-page chrome, listed in data/bulk/docs.csv; then times load_corpus and
corpus_audit (cleaning, script detection and conversion included).

    python benchmarks/bench_ingest.py [--docs 500]
"""
from __future__ import annotations

import argparse
import csv
import random
import shutil
import tempfile
import time
from pathlib import Path

import opencc

import analysis as A
from analysis.text.tokens import split_sentences
from analysis.ingest.corpus import default_data_dir

CHROME = "当前位置：首页 > 要闻\n发布时间：2022-11-12 10:30 浏览次数：1234\n\n{body}\n\n【打印】【关闭】\n返回顶部\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=500)
    args = ap.parse_args()
    seed_data = default_data_dir()
    sentences = [s for t in A.load_corpus().text for s in split_sentences(t)]
    rng = random.Random(0)
    s2t = opencc.OpenCC("s2t")
    tmp = Path(tempfile.mkdtemp())
    data = tmp / "data"
    (data / "raw").mkdir(parents=True)
    (data / "bulk").mkdir()
    shutil.copy(seed_data / "corpus.yml", data / "corpus.yml")
    for f in (seed_data / "raw").iterdir():
        shutil.copy(f, data / "raw" / f.name)
    rows, chars = [], 0
    for i in range(args.docs):
        rng.shuffle(sentences)
        body, n = [], 0
        for s in sentences:
            body.append(s)
            n += len(s)
            if n >= 2000:
                break
        text = "\n\n".join("".join(body[k:k + 3]) for k in range(0, len(body), 3))
        if i % 2:
            text = CHROME.format(body=s2t.convert(text))
        chars += len(text)
        (data / "raw" / f"doc{i:04d}.txt").write_text(text, encoding="utf-8")
        rows.append({"unit_id": f"doc{i:04d}", "file": f"doc{i:04d}.txt", "date": "2022-11-12",
                     "level": "provincial", "province": "河南", "outlet": "bench"})
    with open(data / "bulk" / "docs.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    t0 = time.perf_counter()
    corpus = A.load_corpus(data)
    t1 = time.perf_counter()
    audit, dropped = A.corpus_audit(data)
    t2 = time.perf_counter()
    trad = int((audit.script == "traditional").sum())
    print(f"{args.docs} bulk documents ({chars / 1e6:.2f} M characters, {trad} Traditional): "
          f"load_corpus {t1 - t0:.2f} s ({args.docs / (t1 - t0):.0f} documents/s), corpus_audit {t2 - t1:.2f} s; "
          f"{len(corpus)} units, {len(dropped)} audit lines")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
