"""The broadcast corpus for the benchmarks: ``analysis.sources.broadcast.load_broadcast`` when
it is available, otherwise a minimal reader of the mirror (one unit per ``###`` story).

The mirror is found through the environment variable ``COVID_DISCOURSE_XWLB_MIRROR`` or at
``../shared/mirror/Felix-Jung/xin-wen-lian-bo`` beside the repository.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
COMMIT = "023828c95ca6990c15bf3bedf8339954000ff34a"


def mirror() -> Path:
    base = Path(os.environ.get("COVID_DISCOURSE_XWLB_MIRROR",
                               ROOT.parent / "shared" / "mirror" / "Felix-Jung" / "xin-wen-lian-bo"))
    for cand in (base / COMMIT / "news", base / "news"):
        if cand.is_dir():
            return cand
    raise SystemExit(f"no mirror of the broadcast transcripts at {base} "
                     f"(set COVID_DISCOURSE_XWLB_MIRROR)")


def _minimal_reader(news: Path) -> pd.DataFrame:
    rows = []
    for f in sorted(news.glob("*.md")):
        day = f.stem
        stories = re.split(r"^### ", f.read_text(encoding="utf-8"), flags=re.M)[1:]
        for k, story in enumerate(stories, 1):
            title, _, text = story.partition("\n")
            rows.append((f"xwlb-{day}-{k:02d}", f"{day[:4]}-{day[4:6]}-{day[6:]}", title.strip(), text))
    out = pd.DataFrame(rows, columns=["unit_id", "date", "title", "text"])
    out["date"] = pd.to_datetime(out["date"])
    return out


def load() -> tuple[pd.DataFrame, str]:
    """(corpus table with unit_id, date, title, text; which reader was used)."""
    news = mirror()
    try:
        from analysis.sources.broadcast import load_broadcast
    except ImportError:
        return _minimal_reader(news), "minimal mirror reader (benchmarks/broadcast_corpus.py)"
    corpus = load_broadcast(mirror=news.parent)
    corpus = corpus.copy()
    corpus["date"] = pd.to_datetime(corpus["date"])
    return corpus, "analysis.sources.broadcast.load_broadcast"
