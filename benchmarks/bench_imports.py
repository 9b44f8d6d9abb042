"""What a kernel pays for its imports, with and without compiled bytecode.

Every notebook kernel and many test processes import pandas, matplotlib, scipy,
scikit-learn, ipykernel and this package.  Python reads a module's compiled bytecode
(``__pycache__/*.pyc``) when it is there and otherwise compiles the source, every time
when it may not write the result (``PYTHONDONTWRITEBYTECODE``, set on this project's CI
machines).  ``make env`` therefore compiles the installed packages once (``compileall``,
once per install) and ``make figures`` / ``make test`` compile ``analysis/``.

The script times, in fresh interpreters, the imports of a notebook kernel (median of
``--repeat``), CPU and wall:

* as installed (the bytecode ``make env`` wrote);
* without bytecode: ``-X pycache_prefix=<empty folder>`` points Python at a cache with
  nothing in it and ``-B`` forbids writing, so every module is compiled from source,
  as in a venv built without ``--compile-bytecode`` where ``PYTHONDONTWRITEBYTECODE`` is set.

    python benchmarks/bench_imports.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: what the first cell of a notebook and the kernel itself import
KERNEL_IMPORTS = ("import ipykernel.kernelapp, pandas, scipy.stats, sklearn.feature_extraction.text, "
                  "matplotlib.pyplot, analysis as A; A.use_style()")


def run(extra: list[str]) -> tuple[float, float]:
    code = ("import resource, time; t = time.perf_counter(); " + KERNEL_IMPORTS +
            "; r = resource.getrusage(resource.RUSAGE_SELF); "
            "print(time.perf_counter() - t, r.ru_utime + r.ru_stime)")
    out = subprocess.run([sys.executable, *extra, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True, env=dict(os.environ, MPLBACKEND="Agg"))
    wall, cpu = map(float, out.stdout.split()[-2:])
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as empty:
        variants = {"with bytecode (as installed)": [],
                    "without bytecode (compiled from source)": ["-B", "-X", f"pycache_prefix={empty}"]}
        res = {k: [] for k in variants}
        for _ in range(args.repeat):  # interleaved, so load drifts weigh on both
            for name, extra in variants.items():
                res[name].append(run(extra))
    for name, rs in res.items():
        print(f"{name:42s} wall {statistics.median(w for w, _ in rs):5.2f} s   "
              f"CPU {statistics.median(c for _, c in rs):5.2f} s   (median of {len(rs)})")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
