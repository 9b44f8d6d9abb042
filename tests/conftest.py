"""Shared fixtures: the real corpus (loaded once) and a builder for small data dirs."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import analysis as A

ROOT = Path(__file__).resolve().parent.parent


def _mirror_beside_the_checkout(env: str, mirror: Path):
    """Point ``env`` at ``mirror`` for the session unless it is set already or the mirror is
    absent; yields the mirror used (or None)."""
    import os

    if os.environ.get(env) or not mirror.is_dir():
        yield os.environ.get(env)
        return
    os.environ[env] = str(mirror)
    try:
        yield str(mirror)
    finally:
        os.environ.pop(env, None)


@pytest.fixture(scope="session", autouse=True)
def broadcast_mirror():
    """Tests (and the notebooks they execute) read the 新闻联播 transcripts from the mirror
    beside the checkout (``../shared/mirror/...``, as in CI) unless
    $COVID_DISCOURSE_XWLB_MIRROR already names one; without it, notebook 05 is skipped."""
    from analysis.sources.broadcast import MIRROR_ENV

    yield from _mirror_beside_the_checkout(MIRROR_ENV, ROOT.parent / "shared" / "mirror" / "Felix-Jung" /
                                           "xin-wen-lian-bo")


@pytest.fixture(scope="session", autouse=True)
def policy_mirror():
    """The same for the OxCGRT indices ($COVID_DISCOURSE_OXCGRT_MIRROR); without them,
    notebook 08 is skipped."""
    from analysis.sources.policy import MIRROR_ENV

    yield from _mirror_beside_the_checkout(MIRROR_ENV, ROOT.parent / "shared" / "mirror" / "OxCGRT" /
                                           "covid-policy-dataset")


@pytest.fixture
def http_folder(tmp_path):
    """Serve ``tmp_path/upstream`` over HTTP on localhost (a stand-in for a source's raw-file
    URL); yields (base_url, upstream dir)."""
    import functools
    import http.server
    import threading

    upstream = tmp_path / "upstream"
    upstream.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(upstream))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", upstream
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def corpus():
    return A.load_corpus()


@pytest.fixture(scope="session")
def segmenter():
    return A.Segmenter()


@pytest.fixture(scope="session")
def tokenized(corpus, segmenter, tmp_path_factory):
    return A.tokenize_corpus(corpus, segmenter, cache_dir=tmp_path_factory.mktemp("tokcache"))


@pytest.fixture
def styled_figures():
    """The project's figure style for the test; every figure it opened is closed after it
    (modules of figure tests use it with ``pytestmark = pytest.mark.usefixtures(...)``)."""
    import matplotlib.pyplot as plt

    A.use_style()
    yield
    plt.close("all")


def grown_data_dir(folder: Path, text: str, doc_id: str = "added-doc", file: str = "new.txt") -> Path:
    """A copy of the project's data/ in ``folder/data`` with one more document: ``text`` as
    ``raw/<file>``, holding a 广东 provincial unit of 14 Nov 2022 (a user's grown corpus)."""
    import shutil

    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    (data / "raw" / file).write_text(text, encoding="utf-8")
    with open(data / "corpus.yml", "a", encoding="utf-8") as f:
        f.write(f"""
  - doc_id: {doc_id}
    file: {file}
    outlet: 测试报
    units:
      - unit_id: guangdong-20221114
        start: 11月14日，广东省委常委会召开会议
        period: "2022-11"
        date: "2022-11-14"
        level: provincial
        province: 广东
""")
    return data


@pytest.fixture
def make_data(tmp_path):
    """Write raw files and a manifest into a fresh data dir; return its path."""

    def _make(files: dict, manifest: str, periods: str | None = None) -> Path:
        raw = tmp_path / "data" / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (raw / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        head = periods if periods is not None else 'periods:\n  "2022-11": test period\n'
        (tmp_path / "data" / "corpus.yml").write_text(head + textwrap.dedent(manifest), encoding="utf-8")
        return tmp_path / "data"

    return _make


@pytest.fixture(autouse=True)
def _remove_jieba_files_a_test_made_on_purpose(request):
    """Tests that plant a jieba cache or build a private one in their own ``tmp_path`` remove
    it afterwards, so ``TMPDIR=$(mktemp -d) make test`` leaves no file named ``jieba*`` under
    the temp folder (pytest keeps its recent ``tmp_path`` folders there).  A cache that package
    code wrote into the temp folder itself is not touched here: the test in test_hygiene.py
    that runs the package with an empty ``TMPDIR`` fails on it."""
    tmp = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if tmp is not None:
        for p in tmp.rglob("jieba*"):
            if p.is_file():
                p.unlink()
