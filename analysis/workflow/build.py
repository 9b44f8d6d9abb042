"""Run the notebooks headless (papermill) to regenerate the figures whose inputs changed.

``python -m analysis.build`` is what ``make figures`` calls.  A notebook is re-executed
only if one of its inputs changed since the figures in the manifest were made: the
data, the lexicon, the keyword file (notebooks that use keyword themes), the
notebook's source or the ``analysis/`` modules it imports, its parameters (a figure
last made with non-default ``data_dir``/``keywords_path``), the package versions; or
if a figure file is missing.  It prints which notebooks it skips and why
(:func:`plan`, from :mod:`analysis.infra.provenance`; planning imports no heavy package).

Notebooks run two at a time on two cores, longest first (by their duration in the
previous run); executed copies (with outputs) go to ``.cache/executed/`` so the committed
notebooks stay output-free.  One progress line per notebook, with its time.  Each of the two
lanes keeps its kernel from one notebook to the next (:class:`_Kernel`): before the next
notebook the kernel is put back to the state it started in (user namespace, figures,
matplotlib and pandas settings, warning filters, environment, working directory, random
generators seeded afresh, execution count), so what stays is what was imported (with any change a
notebook made inside a module: use ``--fresh-kernels`` for notebooks that patch modules) and
what the package's caches hold; a notebook that fails or is skipped takes its kernel with it, and a
kernel that cannot be reset is replaced by a new one.  This spares each later notebook its
kernel start and imports (pandas, matplotlib, scipy.stats, scikit-learn, statsmodels).
``--fresh-kernels`` starts a new kernel for every notebook, as "Restart Kernel and Run All"
does; the test suite builds that way, so every committed figure is also checked against a
build in fresh kernels.

Options: ``--figures-dir DIR`` (default ``figures/``; sets ``$FIGURES_DIR`` for the
kernels; must be inside the repository unless ``--force-outside`` is given, so a typo
such as ``../../etc`` cannot write elsewhere), ``--only 02_periods`` (consider a
subset), ``--force`` (run even if up to date), ``--jobs N``, ``--fresh-kernels``, ``--quiet``.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import NamedTuple

__all__ = ["notebooks", "plan", "run_notebooks", "NotebookRun", "is_unavailable_error", "main"]

ROOT = Path(__file__).resolve().parents[2]

#: Exceptions that mean "this notebook's data is not available here" (e.g. the 新闻联播
#: transcripts or the OxCGRT indices offline without a mirror): the notebook is reported as
#: skipped, not failed.  Besides these names, every exception whose class name ends in
#: ``Unavailable`` counts (the convention of :mod:`analysis.sources`: one
#: ``<Source>Unavailable`` per external source).
SKIP_ERRORS = ("BroadcastUnavailable", "PolicyUnavailable", "SourceUnavailable")


def is_unavailable_error(ename: str) -> bool:
    """True if an exception class name means "an external source is not available here"."""
    return ename in SKIP_ERRORS or ename.endswith("Unavailable")


class NotebookRun(NamedTuple):
    """One notebook of :func:`run_notebooks`: its file name, seconds taken, and the reason
    it was skipped (the unavailable source's message) or None if it ran."""

    name: str
    seconds: float
    skipped: str | None = None


def notebooks(only=None) -> list[Path]:
    """The numbered notebooks, in order (optionally those whose stem is in ``only``)."""
    found = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if only:
        wanted = {o.removesuffix(".ipynb") for o in only}
        unknown = wanted - {p.stem for p in found}
        if unknown:
            raise SystemExit(f"unknown notebook(s) {sorted(unknown)}; have {[p.stem for p in found]}")
        found = [p for p in found if p.stem in wanted]
    return found


def plan(paths, figures_dir=None) -> list[tuple[Path, str | None]]:
    """Which notebooks must run, and why.

    Parameters
    ----------
    paths : list of Path
        Notebooks (from :func:`notebooks`).
    figures_dir : path, optional
        Where the figures and ``manifest.csv`` are (default ``$FIGURES_DIR`` or
        ``figures/``).

    Returns
    -------
    list of (Path, str or None)
        Each notebook with the reason to run it, or None if its figures are up to
        date (every manifest row's recorded inputs hash as now, files present).

    Raises
    ------
    analysis.infra.provenance.ManifestError
        If the manifest is corrupt.
    """
    import json

    from analysis.infra.provenance import input_hashes, packages_line, read_manifest_rows

    out = Path(figures_dir or os.environ.get("FIGURES_DIR") or ROOT / "figures")
    rows = read_manifest_rows(out / "manifest.csv")
    packages = packages_line()
    result = []
    for nb in paths:
        mine = [r for r in rows if r["notebook"] == nb.name]
        reason = None if mine else "no figures recorded in the manifest"
        now = input_hashes(nb) if mine else {}
        labels = {"data_hash": "data changed", "lexicon_hash": "lexicon changed",
                  "keywords_hash": "keyword file changed",
                  "code_hash": "notebook source or analysis/ code it imports changed"}
        for r in mine:
            if reason:
                break
            params = json.loads(r["parameters"] or "{}")
            missing = [f for f in r["files"].split() if not (out / f).is_file()]
            if missing:
                reason = f"{missing[0]} is missing"
            elif not r.get("sha256"):
                reason = f"{r['name']}: the manifest records no file hashes (made before they were)"
            elif (changed := _changed_file(out, r)) is not None:
                reason = f"{changed} differs from the SHA-256 in the manifest (edited or replaced)"
            elif {"data_dir", "keywords_path"} & set(params):
                reason = f"{r['name']} was last made with non-default parameters"
            elif r["packages"] != packages:
                reason = "package versions changed"
            else:
                reason = next((labels[k] for k in labels if r[k] != now[k]), None)
        result.append((nb, reason))
    return result


def _changed_file(out: Path, row: dict) -> str | None:
    """The first of a manifest row's files whose SHA-256 is not the one recorded (or None)."""
    import hashlib

    for name, digest in zip(row["files"].split(), row["sha256"].split()):
        if hashlib.sha256((out / name).read_bytes()).hexdigest() != digest:
            return name
    if len(row["files"].split()) != len(row["sha256"].split()):
        return row["files"].split()[-1]
    return None


def outside_repository(figures_dir) -> bool:
    """True if ``figures_dir`` (links resolved) is not inside the repository."""
    real = Path(os.path.realpath(figures_dir))
    return not real.is_relative_to(Path(os.path.realpath(ROOT)))


def _last_duration(executed: Path) -> float:
    """Seconds the notebook took last time (papermill's per-cell durations), 0 if unknown."""
    import json

    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
        return float(sum(c.get("metadata", {}).get("papermill", {}).get("duration") or 0 for c in nb["cells"]))
    except (OSError, ValueError, KeyError, TypeError):
        return 0.0


#: Run in a new kernel before its first notebook: what a fresh kernel starts with, kept in a
#: module of its own (``%reset`` leaves ``sys.modules`` alone).  numpy, pandas and matplotlib are
#: imported here: every notebook imports them first.
_SNAPSHOT = """
def _covid_discourse_snapshot():
    import copy, os, sys, types, warnings
    import matplotlib, numpy, pandas  # noqa: F401 (every notebook imports them first)
    s = types.ModuleType("_covid_discourse_kernel_state")
    s.environ, s.cwd, s.path = dict(os.environ), os.getcwd(), list(sys.path)
    s.filters = list(warnings.filters)
    s.rc = copy.deepcopy(dict.copy(matplotlib.rcParams))
    s.np_err, s.np_print = numpy.geterr(), numpy.get_printoptions()
    sys.modules[s.__name__] = s
_covid_discourse_snapshot()
del _covid_discourse_snapshot
"""

#: Run in a kept kernel before its next notebook: back to the state of :data:`_SNAPSHOT`; the
#: unseeded random generators are seeded from the system's entropy, as a new process seeds them.
_RESET = """
def _covid_discourse_reset():
    import copy, gc, os, random, sys, warnings
    import matplotlib, numpy, pandas
    from matplotlib import pyplot
    s = sys.modules["_covid_discourse_kernel_state"]
    pyplot.close("all")
    get_ipython().reset(new_session=True)  # user namespace, output cache; execution count 1
    dict.update(matplotlib.rcParams, copy.deepcopy(s.rc))  # the values as validated at start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pandas.reset_option("all")
    warnings.filters[:] = s.filters
    warnings._filters_mutated()
    os.environ.clear()
    os.environ.update(s.environ)
    os.chdir(s.cwd)
    sys.path[:] = s.path
    random.seed()  # from the system's entropy, as in a new process
    numpy.random.seed()
    numpy.seterr(**s.np_err)
    numpy.set_printoptions(**s.np_print)
    gc.collect()
_covid_discourse_reset()  # the reset also removes this function from the namespace
"""


class _Kernel:
    """One lane's kernel, kept from one notebook to the next (see the module docstring)."""

    def __init__(self, cwd: Path, extra_arguments: list[str]):
        from jupyter_client.manager import KernelManager

        self.cwd = Path(cwd)
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(cwd), extra_arguments=extra_arguments)
        self.used = False
        try:
            self._run(_SNAPSHOT, "remember its start state")
        except BaseException:
            self.shutdown()
            raise

    def _run(self, code: str, what: str) -> None:
        kc = self.km.client()
        kc.start_channels()
        errors = []
        try:
            kc.wait_for_ready(timeout=60)
            reply = kc.execute_interactive(
                code, store_history=False, timeout=120,
                output_hook=lambda m: errors.append(m["content"]) if m["msg_type"] == "error" else None)
        finally:
            kc.stop_channels()
        if reply["content"]["status"] != "ok":
            e = errors[0] if errors else reply["content"]
            raise RuntimeError(f"the build's kernel could not {what}: {e.get('ename')}: {e.get('evalue')}")

    def prepare(self) -> None:
        """Before a notebook: back to the start state if a notebook ran here before."""
        if self.used:
            self._run(_RESET, "be reset between notebooks")
        self.used = True

    def shutdown(self) -> None:
        self.km.shutdown_kernel(now=True)


def _kept_kernel_engine():
    """papermill's nbclient engine, run in a kernel it does not own (``km=``): nbclient
    then leaves the kernel running, and this engine closes the client's channels."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class KeptKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            for k in ("input_path", "timeout", "startup_timeout"):
                kwargs.pop(k, None)
            client = PapermillNotebookClient(nb_man, timeout=execution_timeout, startup_timeout=start_timeout,
                                             kernel_name=kernel_name, log=logger, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file, **kwargs)
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register("covid-kept-kernel", KeptKernelEngine)
    return "covid-kept-kernel"


def run_notebooks(paths, figures_dir=None, out_dir=None, log=print, jobs: int = 2,
                  fresh_kernels: bool = False) -> list[NotebookRun]:
    """Execute ``paths`` with papermill, ``jobs`` kernels at a time.

    A notebook that stops on an unavailable external source (:func:`is_unavailable_error`,
    e.g. ``BroadcastUnavailable`` offline without a mirror) is logged and returned as
    skipped, with the exception's message as the reason; its figures are left as they are.

    ``fresh_kernels=False`` (the default): each of the ``jobs`` lanes keeps its kernel and
    resets it between notebooks (see the module docstring); ``True``: a new kernel for every
    notebook.  The figures are byte-identical either way (tested).

    Returns
    -------
    list of NotebookRun
        ``(name, seconds, skipped)`` in the order of ``paths``.

    Raises
    ------
    RuntimeError
        Naming the notebook and the failing cell's error.
    """
    from concurrent.futures import ThreadPoolExecutor

    import papermill as pm

    env_backup = dict(os.environ)
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    if figures_dir:
        os.environ["FIGURES_DIR"] = str(Path(figures_dir).resolve())
    out_dir = Path(out_dir or ROOT / ".cache" / "executed")
    out_dir.mkdir(parents=True, exist_ok=True)
    done = []

    # the kernel's own log at ERROR: otherwise each kernel prints a start-up warning about its
    # local TCP sockets ("... susceptible to eavesdropping") that says nothing about the
    # notebook; cell errors still stop the build with their message
    kernel_args = ["--IPKernelApp.log_level=ERROR"]
    lane = threading.local()  # each worker thread's kept kernel
    kernels: list[_Kernel] = []
    lock = threading.Lock()
    engine = None if fresh_kernels else _kept_kernel_engine()

    def new_kernel(cwd: Path) -> _Kernel:
        kernel = lane.kernel = _Kernel(cwd, kernel_args)
        with lock:
            kernels.append(kernel)
        return kernel

    def drop(kernel: _Kernel) -> None:
        lane.kernel = None
        with lock:
            kernels.remove(kernel)
        try:
            kernel.shutdown()
        except Exception:  # noqa: BLE001 - a kernel that died already; the error that matters is raised
            pass

    # request_save_on_cell_execute=False: papermill would otherwise write the whole executed
    # notebook (deep copy, validation, JSON) at the start and end of every cell, 4 s of this
    # process's CPU per build; the copy is written once at the end, or with the error when a
    # cell fails
    def execute(nb: Path) -> None:
        if fresh_kernels:
            # shutdown_kernel="immediate": once the last cell has run, every figure is saved
            # (save_figure writes atomically inside its cell), so the kernel is stopped at once
            # instead of being asked to exit and waited for (0.3-0.6 s per notebook)
            pm.execute_notebook(str(nb), str(out_dir / nb.name), cwd=str(nb.parent),
                                kernel_name="python3", progress_bar=False, log_output=False,
                                request_save_on_cell_execute=False,
                                extra_arguments=kernel_args, shutdown_kernel="immediate")
            return
        kernel = getattr(lane, "kernel", None)
        if kernel is not None and kernel.cwd != nb.parent:  # it starts (and resets) in its own folder
            drop(kernel)
            kernel = None
        kernel = kernel or new_kernel(nb.parent)
        try:
            kernel.prepare()
        except Exception:  # a kernel that cannot be put back: this notebook gets a new one
            drop(kernel)
            kernel = new_kernel(nb.parent)
            kernel.prepare()
        try:
            pm.execute_notebook(str(nb), str(out_dir / nb.name), cwd=str(nb.parent), engine_name=engine,
                                kernel_name="python3", progress_bar=False, log_output=False,
                                request_save_on_cell_execute=False, km=kernel.km)
        except BaseException:
            # a notebook that stopped (failed, or skipped for want of a source) leaves its
            # state half made: its kernel goes, the lane's next notebook gets a new one
            drop(kernel)
            raise

    def run(nb: Path) -> NotebookRun:
        t0 = time.perf_counter()
        try:
            execute(nb)
        except pm.PapermillExecutionError as e:
            if not is_unavailable_error(e.ename):
                raise RuntimeError(f"{nb.name} failed in cell {e.exec_count}: {e.ename}: {e.evalue}") from None
            # an external corpus is not available here: the other notebooks still build
            done.append(nb.name)
            log(f"[{len(done)}/{len(paths)}] {nb.name:<28} skipped: {e.evalue}")
            return NotebookRun(nb.name, time.perf_counter() - t0, f"{e.ename}: {e.evalue}")
        dt = time.perf_counter() - t0
        done.append(nb.name)
        log(f"[{len(done)}/{len(paths)}] {nb.name:<28} {dt:6.1f} s")
        return NotebookRun(nb.name, dt)

    try:
        # longest first (durations of the previous run, from the executed copies): on two
        # cores this finishes sooner than running the list in order
        order = sorted(paths, key=lambda nb: -_last_duration(out_dir / nb.name))
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            runs = {r.name: r for r in pool.map(run, order)}
    finally:
        for kernel in kernels:
            kernel.shutdown()
        os.environ.clear()
        os.environ.update(env_backup)
    return [runs[nb.name] for nb in paths]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figures-dir", help="where figures go (default: figures/; inside the repository "
                                          "unless --force-outside)")
    ap.add_argument("--force-outside", action="store_true",
                    help="allow a --figures-dir outside the repository")
    ap.add_argument("--only", nargs="*", help="notebook stems to run, e.g. 02_periods")
    ap.add_argument("--jobs", type=int, default=2, help="notebooks run at once (default 2)")
    ap.add_argument("--force", action="store_true", help="run even the notebooks that are up to date")
    ap.add_argument("--fresh-kernels", action="store_true",
                    help="a new kernel for every notebook (default: each lane keeps its kernel, reset "
                         "between notebooks)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    from analysis.infra.provenance import ManifestError

    if args.figures_dir and not args.force_outside and outside_repository(args.figures_dir):
        print(f"make figures: --figures-dir {args.figures_dir} is outside the repository "
              f"({os.path.realpath(args.figures_dir)} is not under {ROOT}); nothing written. "
              f"Pass --force-outside to write figures there.", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    log = (lambda *_: None) if args.quiet else print
    try:
        todo = plan(notebooks(args.only), args.figures_dir)
    except ManifestError as e:
        print(f"make figures failed: {e}", file=sys.stderr)
        return 1
    paths = []
    for nb, reason in todo:
        if reason is None and not args.force:
            log(f"skip {nb.name:<28} up to date (inputs unchanged since its figures were made)")
        else:
            log(f"run  {nb.name:<28} {reason or 'forced (--force)'}")
            paths.append(nb)
    if not paths:
        log(f"done: nothing to run ({time.perf_counter() - t0:.1f} s)")
        return 0
    from analysis.figures.style import cjk_font_built, cjk_font_path

    if not cjk_font_built():
        log("preparing the CJK font (first run on a machine: ~1 min)")
    cjk_font_path()
    try:
        run_notebooks(paths, figures_dir=args.figures_dir, log=log, jobs=args.jobs,
                      fresh_kernels=args.fresh_kernels)
    except RuntimeError as e:
        print(f"make figures failed: {e}", file=sys.stderr)
        return 1
    target = args.figures_dir or "figures/"
    log(f"done: {len(paths)} notebooks in {time.perf_counter() - t0:.1f} s; figures in {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
