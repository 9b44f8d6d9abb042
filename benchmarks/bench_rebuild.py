"""Where a full rebuild spends its time: `make figures FIGURES_ARGS=--force`, warm caches.

Runs the build into a temporary figures folder (the committed ``figures/`` are not
touched) and prints, with the load average before and after:

* wall time, and CPU time of the build and every kernel it started (``RUSAGE_CHILDREN``);
* per notebook, its wall time and its slowest cells (papermill's per-cell durations in
  the executed copies), so kernel start + imports, figure saving, resampling loops and
  corpus loading can be told apart.

    python benchmarks/bench_rebuild.py [--only 02_periods 03_provinces] [--cells 5]

Profile of one figure save (``save_figure``, cProfile, load average 7 on the 2 shared
cores): before the provenance memo, ``input_hashes`` (re-parsing every imported module
of the notebook with ``ast``, twice per figure) took 42 % of it and the PDF's font
subsetting (fontTools, matplotlib's Type 42 embedding of the CJK font) 38 %; the PNG
render most of the rest.  After it, ``input_hashes`` costs ~0.15 s per figure.
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--cells", type=int, default=4, help="slowest cells shown per notebook")
    args = ap.parse_args()
    from analysis.figures.style import cjk_font_path
    from analysis.workflow.build import notebooks, run_notebooks

    cjk_font_path()  # warm: the font is built once per machine
    paths = notebooks(args.only)
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        out, executed = Path(tmp) / "figures", Path(tmp) / "executed"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        runs = run_notebooks(paths, figures_dir=out, out_dir=executed, log=print)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        print(f"\n{len(paths)} notebooks: {wall:.1f} s wall, {cpu:.1f} s CPU of the kernels "
              f"(targets: 20 s wall, 35 s CPU idle); load average after: {os.getloadavg()}")
        for r in runs:
            print(f"\n{r.name}: {r.seconds:.1f} s" + (f" (skipped: {r.skipped})" if r.skipped else ""))
            if not r.skipped:
                for d, src in cells(executed / r.name, args.cells):
                    print(f"  {d:6.2f} s  {src}")


if __name__ == "__main__":
    sys.exit(main())
