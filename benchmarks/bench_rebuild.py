"""Where a full rebuild spends its time: `make figures FIGURES_ARGS=--force`, warm caches.

Runs the build into a temporary figures folder (the committed ``figures/`` are not
touched) and prints, with the load average before and after:

* wall time, and CPU time of every kernel it started (``RUSAGE_CHILDREN``) plus the build's
  own (papermill and nbclient in this process, ``RUSAGE_SELF``);
* per notebook, its wall time and its slowest cells (papermill's per-cell durations in
  the executed copies), so kernel start + imports, figure saving, resampling loops and
  corpus loading can be told apart.

    python benchmarks/bench_rebuild.py [--only 02_periods 03_provinces] [--cells 5] [--memo both]
                                       [--kernels both]

With ``--memo both`` (the default) the same run builds once to fill the render memo, then
once without it and once with it, and prints the ratio.  With ``--kernels both`` (the
default) these builds keep each lane's kernel from one notebook to the next, as
``make figures`` does, and a last build (memo on) starts a fresh kernel per notebook
(``--fresh-kernels``), so the two are compared in the same run.

Profile of one figure save (``save_figure``, cProfile, load average 7 on the 2 shared
cores): before the provenance memo, ``input_hashes`` (re-parsing every imported module
of the notebook with ``ast``, twice per figure) took 42 % of it and the PDF's font
subsetting (fontTools, matplotlib's Type 42 embedding of the CJK font) 38 %; the PNG
render most of the rest.  After it, ``input_hashes`` costs ~0.15 s per figure.

Profile of a rebuild, 4 Dec evening (cProfile of each notebook's code run as a script, the
render memo warm): per saved figure, the memo's key (savefig's layout pass at 300 dpi,
recorded: text layout ~70 %, hashing the calls ~30 %) 0.13 s, the print-size check 0.1-0.2 s
(its own layout pass and tight box at the figure's dpi), the manifest hashes 0.01 s after the
first figure of a kernel (0.25 s: parsing the package's modules once); per kernel, start-up
and imports 1.5-2.5 s (statsmodels 1.2 s where count models run, scipy.stats 0.55 s,
scikit-learn 0.55 s where TF-IDF runs, matplotlib's class docstrings 0.1 s).  Before the
memo a figure's PDF and 300-dpi PNG took 0.6-0.9 s (PNG compression alone 0.13 s).

4 Dec, third session: the print-size check, which lays the whole figure out once more at
its own dpi, is served from the render memo with the render (``render_and_check``).  Three
forced rebuilds just before (``--memo on --kernels kept``, load 1.2-1.7): 19.4-23.0 s wall,
32.4-38.6 s CPU; three after (load 1.0-1.6): 15.1-16.9 s wall, 24.6-27.5 s CPU.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cells(executed: Path, n: int) -> list[tuple[float, str]]:
    nb = json.loads(executed.read_text(encoding="utf-8"))
    out = []
    for c in nb["cells"]:
        if c["cell_type"] != "code":
            continue
        d = (c.get("metadata", {}).get("papermill", {}) or {}).get("duration") or 0.0
        first = next((ln for ln in "".join(c["source"]).splitlines() if ln.strip() and not ln.startswith("#")), "")
        out.append((float(d), first[:70]))
    return sorted(out, reverse=True)[:n]


def build(paths, executed: Path, memo: bool, n_cells: int, show: bool,
          fresh: bool = False) -> tuple[float, float]:
    """One forced build into a temporary figures folder: wall seconds, and CPU seconds of the
    kernels and the build process together."""
    os.environ["COVID_DISCOURSE_RENDER_MEMO"] = "1" if memo else "0"
    from analysis.workflow.build import run_notebooks

    with tempfile.TemporaryDirectory() as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        own_before = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        runs = run_notebooks(paths, figures_dir=Path(tmp) / "figures", out_dir=executed, log=print,
                             fresh_kernels=fresh)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        own_after = resource.getrusage(resource.RUSAGE_SELF)
    kernels = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    own = (own_after.ru_utime - own_before.ru_utime) + (own_after.ru_stime - own_before.ru_stime)
    cpu = kernels + own
    print(f"\n{len(paths)} notebooks, render memo {'on' if memo else 'off'}, "
          f"{'fresh kernels' if fresh else 'kept kernels'}: {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"(kernels {kernels:.1f} s + the build itself {own:.1f} s; targets: 20 s wall, 35 s CPU idle); "
          f"load average after: {os.getloadavg()}")
    for r in runs if show else []:
        print(f"\n{r.name}: {r.seconds:.1f} s" + (f" (skipped: {r.skipped})" if r.skipped else ""))
        if not r.skipped:
            for d, src in cells(executed / r.name, n_cells):
                print(f"  {d:6.2f} s  {src}")
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--cells", type=int, default=4, help="slowest cells shown per notebook")
    ap.add_argument("--memo", choices=["on", "off", "both"], default="both",
                    help="render memo (analysis/figures/rendermemo.py) on, off, or both in one run: "
                         "a warm-up build fills it, then one build without and one with it")
    ap.add_argument("--kernels", choices=["kept", "fresh", "both"], default="both",
                    help="each lane keeps its kernel (the default of make figures), a fresh kernel per "
                         "notebook, or both in one run (the fresh build last, with the memo)")
    args = ap.parse_args()
    from analysis.figures.style import cjk_font_path
    from analysis.workflow.build import notebooks

    cjk_font_path()  # warm: the font is built once per machine
    paths = notebooks(args.only)
    # the build's own folder of executed copies: their durations order the notebooks
    # longest first, as in `make figures`
    executed = ROOT / ".cache" / "executed"
    print(f"load average before: {os.getloadavg()}")
    fresh = args.kernels == "fresh"
    if args.memo == "both":
        build(paths, executed, True, 0, False, fresh)  # warm-up: fills the memo
        off = build(paths, executed, False, 0, False, fresh)
        on = build(paths, executed, True, args.cells, True, fresh)
        print(f"\nwith the render memo: {on[0] / off[0]:.0%} of the wall time and {on[1] / off[1]:.0%} "
              f"of the CPU time without it")
    else:
        on = build(paths, executed, args.memo == "on", args.cells, True, fresh)
    if args.kernels == "both":
        new = build(paths, executed, args.memo != "off", 0, False, fresh=True)
        print(f"\nkept kernels: {on[0] / new[0]:.0%} of the wall time and {on[1] / new[1]:.0%} of the CPU "
              f"time of fresh kernels (same render memo setting)")


if __name__ == "__main__":
    sys.exit(main())
