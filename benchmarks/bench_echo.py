"""Echo of the centre over the whole 新闻联播 corpus (2,480 days), in bounded memory.

A synthetic meeting corpus with one unit every ``--step`` days across the registry's range:
each unit copies two passages (``--chars`` characters each) of a story aired three days
before it, one of a story aired ``days + 20`` days before (outside the window), and joins
them with text of its own.  ``analysis.measures.echo.echo`` then reads the broadcast corpus
window by window (only the ``days`` days before each meeting are held).  Reports:

* wall time, and the number of days read (each at most once);
* peak resident memory of the process (``ru_maxrss``) beside that of parsing the whole
  corpus at once in a fresh process (``--whole``), the thing the window avoids;
* that every unit's echo is exactly its two in-window passages.

Needs the transcripts (``COVID_DISCOURSE_XWLB_MIRROR`` or a download).

    python benchmarks/bench_echo.py [--step 30] [--days 14]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import subprocess
import sys
import time
import warnings


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def whole() -> None:
    import analysis as A

    t0 = time.perf_counter()
    stories = A.load_broadcast(progressbar=False)
    print(f"{len(stories)} {time.perf_counter() - t0:.1f} {peak_mib():.0f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--step", type=int, default=30, help="days between synthetic meetings")
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--chars", type=int, default=30)
    ap.add_argument("--whole", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.whole:
        whole()
        return
    import pandas as pd

    import analysis as A
    import analysis.sources.broadcast as B
    from analysis.measures.echo import echo

    days = sorted(n[5:13] for n in B.read_registry())
    first, last = (dt.date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in (days[0], days[-1]))
    dates = [first + dt.timedelta(days=args.days + 30 + i) for i in range(0, (last - first).days - args.days - 30,
                                                                          args.step)]
    have = set(days)
    rows = []
    for i, d in enumerate(dates):
        if not {(d - dt.timedelta(days=k)).strftime("%Y%m%d") for k in (3, args.days + 20)} <= have:
            continue
        near = A.load_broadcast((d - dt.timedelta(days=3)).isoformat(), (d - dt.timedelta(days=3)).isoformat(),
                                progressbar=False)
        far = A.load_broadcast((d - dt.timedelta(days=args.days + 20)).isoformat(),
                               (d - dt.timedelta(days=args.days + 20)).isoformat(), progressbar=False)
        # passages without whitespace or title marks, so each counts exactly args.chars characters
        clean = re.compile(r"^[^\s《》]+$")
        texts = [t for t in near["text"] if len(t) > 4 * args.chars
                 and clean.match(t[: args.chars]) and clean.match(t[2 * args.chars: 3 * args.chars])]
        far_t = [t for t in far["text"] if len(t) > 2 * args.chars and clean.match(t[: args.chars])]
        if not texts or not far_t:
            continue
        a, b = texts[0][: args.chars], texts[0][2 * args.chars: 3 * args.chars]
        c = far_t[0][: args.chars]
        rows.append({"unit_id": f"synthetic-{i:03d}", "date": d.isoformat(), "level": "provincial",
                     "place": "某省", "excerpt": False, "title": "",
                     "text": f"会议指出，〇{a}〇。会议要求，〇{b}〇，〇{c}〇。", "expected": 2 * args.chars})
    corpus = pd.DataFrame(rows)
    loaded = []
    real_load = B.load_broadcast

    def counting_load(start=None, end=None, **kw):
        out = real_load(start, end, **kw)
        loaded.append((start, end, len(out)))
        return out

    B.load_broadcast = counting_load
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = peak_mib()
        t0 = time.perf_counter()
        res = echo(corpus, days=args.days)
        wall = time.perf_counter() - t0
    B.load_broadcast = real_load
    got = res.units.set_index("unit_id").echo_chars
    exp = corpus.set_index("unit_id").expected
    # the passages are echoed, and perhaps a few characters around them that the stories share
    exact = int((got == exp).sum())
    at_least = int((got >= exp).sum())
    n_days = sum((dt.date.fromisoformat(e) - dt.date.fromisoformat(s)).days + 1 for s, e, _ in loaded[1:])
    proc = subprocess.run([sys.executable, __file__, "--whole"], capture_output=True, text=True,
                          env=dict(os.environ), check=True)
    n_all, t_all, peak_all = proc.stdout.split()
    load = os.getloadavg()
    print(f"{len(corpus)} synthetic meetings, one every {args.step} days, window {args.days} days; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(f"echo: {wall:.1f} s wall; {len(loaded) - 1} window reads covering {n_days} days "
          f"(of {len(days)}); stories held at most {args.days} days at a time")
    print(f"peak RSS: {peak_mib():.0f} MiB after echo ({before:.0f} MiB before it, after building the corpus); "
          f"parsing the whole corpus at once in a fresh process: {peak_all} MiB ({n_all} stories, {t_all} s)")
    lo = (pd.to_datetime(res.passages.unit_id.map(corpus.set_index("unit_id").date))
          - pd.Timedelta(days=args.days)).dt.strftime("%Y-%m-%d")
    print(f"units whose echo is exactly their two in-window passages: {exact} of {len(corpus)}; at least them: "
          f"{at_least} (more: text that also recurs in an in-window story); passages credited to a story "
          f"outside the window: {int((res.passages.source_date < lo).sum())}")


if __name__ == "__main__":
    main()
