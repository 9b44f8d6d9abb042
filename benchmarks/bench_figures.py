"""Time of `make figures` (warm environment) and of one keyword edit in notebook 04.

    python benchmarks/bench_figures.py [--edits 30]

Warm = the CJK font and the segmentation cache already built (run once before).
The edit latency is ThemeExplorer.set_terms(): recount + redraw + KWIC, what a user
waits for after typing in the terms box.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import subprocess
import sys
import tempfile
import time

import matplotlib

matplotlib.use("Agg")

import analysis as A  # noqa: E402
from analysis.interactive import ThemeExplorer  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--skip-build", action="store_true", help="only measure keyword edits")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as out:
        if args.skip_build:
            out = None
        if out:
            cmd = [sys.executable, "-m", "analysis.build", "--quiet", "--figures-dir", out]
            subprocess.run(cmd, check=True)  # warm-up: font, token cache
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True)
            print(f"make figures (warm, 4 notebooks, 2 at a time): {time.perf_counter() - t0:.1f} s")

    A.use_style()
    corpus = A.load_corpus()
    tokens = A.tokenize_corpus(corpus[corpus.level.isin(["provincial", "municipal"])])
    themes = A.load_keywords()
    ex = ThemeExplorer(tokens, themes, ["period", "place", "level"], path="/dev/null", theme="precision")
    variants = [themes["precision"], themes["precision"][:3], themes["precision"] + ["动态清零"]]
    times = []
    with contextlib.redirect_stdout(io.StringIO()):  # widget output has no frontend here
        for i in range(args.edits):
            if i % 5 == 0:
                ex.by_box.value = ["period", "place"][(i // 5) % 2]
            ex.set_terms(variants[i % len(variants)])
            times.append(ex.last_update_ms)
    p95 = sorted(times)[int(0.95 * (len(times) - 1))]
    print(f"keyword edit -> recount + redraw + KWIC: median {statistics.median(times):.0f} ms, "
          f"95th percentile {p95:.0f} ms, max {max(times):.0f} ms over {args.edits} edits "
          f"(corpus segmented once, not per edit)")


if __name__ == "__main__":
    main()
