"""A throw-away JupyterLab on 127.0.0.1 driven by Debian's chromium through playwright
(used by tests/test_browser.py and benchmarks/bench_browser.py).

Nothing is downloaded: playwright's Python package brings its driver, the browser is
``$CHROMIUM`` or ``/usr/bin/chromium`` (``apt-get install -y chromium``).  The server
gets a random free port and a random token, works in a temporary copy of notebook 04
and ``data/`` (the repository's ``keywords.yml`` is never touched), and is stopped by
PID, with every process it started.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
HOW_TO_ENABLE = ("needs Debian's chromium and playwright: `apt-get update && apt-get install -y chromium` "
                 "and `make env` (CI installs chromium in .ci/run)")


def unavailable() -> str | None:
    """Why the browser test cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"no browser at {CHROMIUM}: {HOW_TO_ENABLE}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"playwright is not installed: {HOW_TO_ENABLE}"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                ppid = int((p / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(p.name))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def prepare_workdir(tmp: Path, others=()) -> Path:
    """Copy notebook 04 and data/ into ``tmp``; point the notebook at the copy.  ``others``:
    more notebook stems (e.g. ``"02_periods"``) copied as they are (they read the repository's
    data and write figures to ``$FIGURES_DIR``, the workdir's ``figures/``)."""
    shutil.copytree(ROOT / "data", tmp / "data")
    for stem in others:
        shutil.copyfile(ROOT / "notebooks" / f"{stem}.ipynb", tmp / f"{stem}.ipynb")
    nb = json.loads((ROOT / "notebooks" / "04_keywords.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            src = src.replace("data_dir = None", f"data_dir = {str(tmp / 'data')!r}")
            assert str(tmp) in src, "notebook 04 has no data_dir parameter"
            cell["source"] = src
    (tmp / "04_keywords.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False), encoding="utf-8")
    (tmp / "figures").mkdir()
    return tmp


@contextmanager
def jupyterlab(workdir: Path):
    """Start JupyterLab in ``workdir``; yield its base URL with token; stop it and its kernels."""
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, FIGURES_DIR=str(workdir / "figures"), MPLBACKEND="module://matplotlib_inline.backend_inline",
               JUPYTER_CONFIG_DIR=str(workdir / ".jupyter"), JUPYTER_RUNTIME_DIR=str(workdir / ".runtime"),
               PYDEVD_DISABLE_FILE_VALIDATION="1")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    log = open(workdir / "jupyter.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workdir}",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False",
         *(["--allow-root"] if os.geteuid() == 0 else []),
         "--LabServerApp.workspaces_dir=" + str(workdir / ".workspaces")],
        cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start: see {workdir / 'jupyter.log'}")
                time.sleep(0.3)
        yield base, token
    finally:
        spawned = _descendants(proc.pid)
        try:
            req = urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(req, timeout=5).read()
            proc.wait(timeout=15)
        except Exception:  # noqa: BLE001 - fall back to signals, by PID
            pass
        for pid in [proc.pid, *spawned]:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pid in spawned:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        log.close()


@contextmanager
def browser_page(url: str, width: int = 1400, height: int = 1000):
    """A chromium page (device scale 1: 1 CSS px = 1 screen px) at ``url``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
            page = context.new_page()  # an explicit context: tests may open more tabs in it
            page.goto(url)
            yield page
        finally:
            browser.close()


def _wait_for_kernel(page, timeout_s: float) -> None:
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session "
                           "&& window.jupyterapp.shell.currentWidget.sessionContext.session.kernel",
                           timeout=timeout_s * 1000)


def run_notebook(page, timeout_s: float = 240) -> None:
    """Wait for the notebook and its kernel, Run All, wait for the explorer widget."""
    _wait_for_kernel(page, timeout_s)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".theme-explorer img", timeout=timeout_s * 1000)
    page.wait_for_function("() => document.querySelector('.theme-explorer img').naturalWidth > 0",
                           timeout=timeout_s * 1000)


def run_all(page, timeout_s: float = 600) -> float:
    """Run All in the open notebook; wait until every code cell has run and the kernel is
    idle; return the seconds from the command to that moment."""
    _wait_for_kernel(page, timeout_s)
    t0 = time.monotonic()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        """() => { const nb = window.jupyterapp.shell.currentWidget;
            const cells = nb.content.widgets.filter(c => c.model.type === 'code');
            const k = nb.sessionContext.session.kernel;
            return k.status === 'idle' && cells.every(c => c.model.executionCount !== null
                && !c.node.querySelector('.jp-InputArea-prompt').innerText.includes('*')); }""",
        timeout=timeout_s * 1000, polling=500)
    return time.monotonic() - t0


def shown_problems(page) -> list[str]:
    """Tracebacks, errors and warnings the user sees in the notebook's outputs (stderr
    streams and error outputs), each cut to 300 characters."""
    return page.evaluate("""() => [...document.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
            + '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
            + '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"], '
            + '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')]
        .map(e => e.innerText.slice(0, 300))
        .concat([...document.querySelectorAll('.jp-OutputArea-output')]
            .map(e => e.innerText).filter(t => /Traceback|Warning:|Error:/.test(t)).map(t => t.slice(0, 300)))""")


def news_popup_shown(page) -> bool:
    """Is JupyterLab's "get notified about official Jupyter news?" question on screen?"""
    return page.evaluate("() => /official Jupyter news/i.test(document.body.innerText)")


def textarea(page):
    return page.locator(".theme-explorer textarea").first


def status_text(page) -> str:
    return page.locator(".theme-explorer .widget-html-content").first.inner_text()


def wait_for_status(page, needle: str, timeout_ms: int = 30000) -> str:
    """The status line once it contains ``needle`` (the chart image and the status are
    separate widget messages: the image can paint before the status text arrives), or
    the status as it is after ``timeout_ms``."""
    try:
        page.wait_for_function(
            "(n) => { const e = document.querySelector('.theme-explorer .widget-html-content');"
            " return e && e.innerText.includes(n); }", arg=needle, timeout=timeout_ms)
    except Exception:  # timed out: the caller's assertion shows the status as it is
        pass
    return status_text(page)


def commit_terms(page, terms: list[str], ime: bool = False) -> float:
    """Replace the terms box's content and leave the box (Tab); return milliseconds from
    the blur to the first painted frame showing the new chart."""
    box = textarea(page)
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    cdp = page.context.new_cdp_session(page)
    for i, term in enumerate(terms):
        if i:
            page.keyboard.press("Enter")
        if ime:  # an input method composing pinyin, then committing the characters
            for k in range(1, 4):
                cdp.send("Input.imeSetComposition", {"text": "yidaoqie"[:k * 2 + 1],
                                                     "selectionStart": k * 2 + 1, "selectionEnd": k * 2 + 1})
            cdp.send("Input.insertText", {"text": term})
        else:
            page.keyboard.insert_text(term)
    cdp.detach()
    page.evaluate("""() => { const img = document.querySelector('.theme-explorer img');
        window.__old_src = img.src; window.__painted = null;
        new MutationObserver((_, obs) => { obs.disconnect();
            img.decode().then(() => requestAnimationFrame(() => requestAnimationFrame(() => {
                window.__painted = performance.now(); }))); })
          .observe(img, {attributes: true, attributeFilter: ['src']});
        window.__t0 = performance.now(); }""")
    page.keyboard.press("Tab")
    page.wait_for_function("() => window.__painted !== null", timeout=60000)
    return page.evaluate("() => window.__painted - window.__t0")
