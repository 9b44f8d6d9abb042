"""Build times (`make figures`), `import analysis`, and one keyword edit in notebook 04.

    python benchmarks/bench_figures.py [--edits 60] [--skip-build]

* no-op `make figures`: the whole command (make's environment check + the build's
  plan), when every notebook is up to date;
* full warm rebuild: `make figures FIGURES_ARGS=--force` with the CJK font and the
  token cache already built;
* `import analysis` in a fresh interpreter (median of 7);
* keyword edit: ThemeExplorer.set_terms(): recount + redraw + concordance, what a
  user waits for (in the kernel) after leaving the terms box.  Browser-painted
  latency: benchmarks/bench_browser.py.

Targets: no-op <= 2 s, full warm <= 20 s, import <= 0.5 s, edit median
<= 100 ms and p95 <= 150 ms.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _p95(xs):
    return sorted(xs)[max(0, round(0.95 * len(xs)) - 1)]


def _make(*args) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, all child processes) of one `make figures`."""
    import resource

    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(["make", "-s", "-C", str(ROOT), "figures", *args], check=True,
                   stdout=subprocess.DEVNULL)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def bench_build() -> None:
    with tempfile.TemporaryDirectory() as out:
        _make(f"FIGURES_ARGS=--quiet --figures-dir {out}")  # warm-up: font, token cache, figures
        full, cpu = _make(f"FIGURES_ARGS=--quiet --force --figures-dir {out}")
        noop = [_make(f"FIGURES_ARGS=--quiet --figures-dir {out}")[0] for _ in range(5)]
    print(f"make figures, nothing changed (no-op): median {statistics.median(noop):.2f} s over 5 runs "
          f"(target <= 2 s)")
    print(f"make figures, full warm rebuild (4 notebooks, 2 at a time): {full:.1f} s wall, "
          f"{cpu:.1f} s CPU (so >= {cpu / 2:.1f} s on 2 idle cores) (target <= 20 s)")


def bench_import() -> None:
    code = "import time; t = time.perf_counter(); import analysis; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(7)]
    print(f"import analysis: median {statistics.median(times) * 1000:.0f} ms (target <= 500 ms)")


def bench_edits(n: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import analysis as A
    from analysis.workflow.interactive import ThemeExplorer

    A.use_style()
    corpus = A.load_corpus()
    tokens = A.tokenize_corpus(corpus[corpus.level.isin(["provincial", "municipal"])])
    themes = A.load_keywords()
    ex = ThemeExplorer(tokens, themes, ["period", "place", "level"], path=os.devnull, theme="precision")
    variants = [themes["precision"], themes["precision"][:3], themes["precision"] + ["动态清零"]]
    times = []
    with contextlib.redirect_stdout(io.StringIO()):  # widget output has no frontend here
        for i in range(n):
            if i % 5 == 0:
                ex.by_box.value = ["period", "place"][(i // 5) % 2]
            ex.set_terms(variants[i % len(variants)])
            times.append(ex.last_update_ms)
    print(f"keyword edit -> recount + redraw + KWIC: median {statistics.median(times):.0f} ms, "
          f"95th percentile {_p95(times):.0f} ms, max {max(times):.0f} ms over {n} edits "
          f"(targets: median <= 100 ms, p95 <= 150 ms)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=60)
    ap.add_argument("--skip-build", action="store_true", help="skip the make figures timings")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
    if not args.skip_build:
        bench_build()
    bench_import()
    bench_edits(args.edits)


if __name__ == "__main__":
    main()
