"""Browser-painted latency of a keyword edit in notebook 04: from leaving the terms box
(the edit is sent) to the first painted frame showing the new chart, in JupyterLab +
Debian's chromium (headless), on a temporary copy of the notebook and data.

    python benchmarks/bench_browser.py [--edits 30] [--screenshot out.png] [--run-all 02_periods 05_broadcast]

Target: median <= 150 ms on an idle machine.  ``--run-all`` also times Run All of the given
notebooks in the same JupyterLab (from the command to the last cell done, kernel idle);
05_broadcast needs ``COVID_DISCOURSE_XWLB_MIRROR``.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import lab  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=30)
    ap.add_argument("--screenshot", help="save a screenshot of the explorer here")
    ap.add_argument("--run-all", nargs="*", default=[], metavar="STEM",
                    help="notebooks to time Run All for, e.g. 02_periods 05_broadcast")
    ap.add_argument("--skip-edits", action="store_true", help="only the Run All timings")
    args = ap.parse_args()
    why = lab.unavailable()
    if why:
        raise SystemExit(why)
    variants = [["一刀切", "层层加码"], ["科学精准", "精准", "优化"], ["一刀切", "层层加码", "简单化", "优化"]]
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = lab.prepare_workdir(Path(tmp), others=args.run_all)
        with lab.jupyterlab(workdir) as (base, token):
            for stem in args.run_all:
                with lab.browser_page(f"{base}/lab/workspaces/run-{stem}/tree/{stem}.ipynb?token={token}") as page:
                    load = os.getloadavg()[0]
                    seconds = lab.run_all(page)
                    print(f"Run All {stem}: {seconds:.1f} s in JupyterLab + chromium "
                          f"(load average {load:.2f} before, {os.getloadavg()[0]:.2f} after; {os.cpu_count()} cores); "
                          f"problems shown: {len(lab.shown_problems(page))}")
            if args.skip_edits:
                return
            with lab.browser_page(f"{base}/lab/tree/04_keywords.ipynb?token={token}") as page:
                lab.run_notebook(page)
                lab.commit_terms(page, variants[0])  # warm-up
                print(f"load average before the edits: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)")
                times = [lab.commit_terms(page, variants[i % len(variants)]) for i in range(1, args.edits + 1)]
                if args.screenshot:
                    page.locator(".theme-explorer img").scroll_into_view_if_needed()
                    page.screenshot(path=args.screenshot)
    p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    print(f"browser-painted keyword edit (leave box -> new chart painted): median {statistics.median(times):.0f} ms, "
          f"95th percentile {p95:.0f} ms over {len(times)} edits (target: median <= 150 ms)")


if __name__ == "__main__":
    main()
