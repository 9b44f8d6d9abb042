"""Shared fixtures: the real corpus (loaded once) and a builder for small data dirs."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import analysis as A

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def broadcast_mirror():
    """Tests (and the notebooks they execute) read the 新闻联播 transcripts from the mirror
    beside the checkout (``../shared/mirror/...``, as in CI) unless
    $COVID_DISCOURSE_XWLB_MIRROR already names one; without it, notebook 05 is skipped."""
    import os

    from analysis.sources.broadcast import MIRROR_ENV

    mirror = ROOT.parent / "shared" / "mirror" / "Felix-Jung" / "xin-wen-lian-bo"
    if os.environ.get(MIRROR_ENV) or not mirror.is_dir():
        yield os.environ.get(MIRROR_ENV)
        return
    os.environ[MIRROR_ENV] = str(mirror)
    try:
        yield str(mirror)
    finally:
        os.environ.pop(MIRROR_ENV, None)


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
