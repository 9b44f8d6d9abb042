"""Print a raw file's cleaned, numbered paragraphs: where manifest anchors are copied from.

Usage::

    python -m analysis.paragraphs data/raw/NEWFILE.txt [MORE FILES] [--dropped] [--encoding gb18030]

Each paragraph is printed as ``[n] text`` exactly as the units are cut from it (after
cleaning; anchors may nevertheless differ in whitespace, punctuation width and
Traditional/Simplified script, see :func:`analysis.ingest.corpus.find_anchor`), after a line saying
how the page's lines were read (one paragraph per line, blank-line paragraphs, wrapped
lines, with the evidence).  ``--dropped`` also lists what cleaning removed, with the reason.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.ingest.clean import CleanDocument, clean_document
from analysis.ingest.corpus import CorpusError, read_raw
from analysis.ingest.normalise import detect_script

__all__ = ["cleaned_paragraphs", "format_paragraphs", "main"]


def cleaned_paragraphs(path, encoding: str | None = None) -> CleanDocument:
    """Read, decode and clean one raw file.

    Parameters
    ----------
    path : path
        The raw file (any location: this is a viewing tool, it reads nothing else).
    encoding : str, optional
        As ``encoding:`` in the manifest.

    Returns
    -------
    CleanDocument
        See :func:`analysis.ingest.clean.clean_document`.
    """
    raw, _ = read_raw(Path(path), encoding)
    return clean_document(raw)


def format_paragraphs(doc: CleanDocument, *, dropped: bool = False) -> str:
    """The numbered paragraphs (``[1] …``), then optionally the dropped lines."""
    script, n_trad, _ = detect_script(doc.text)
    lines = [f"# script: {script} ({n_trad} Traditional-only characters); {len(doc.paragraphs)} paragraphs"]
    if doc.line_structure:
        lines.append(f"# line structure: {doc.line_structure['mode']} ({doc.line_structure['evidence']})")
    lines += [f"[{i}] {p}" for i, p in enumerate(doc.paragraphs, 1)]
    if dropped:
        lines.append(f"# dropped by cleaning ({len(doc.dropped)} lines):")
        lines += [f"  - {d['reason']}: {d['line']}" for d in doc.dropped]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.paragraphs", description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--encoding", default=None)
    ap.add_argument("--dropped", action="store_true", help="also list the lines cleaning removed")
    args = ap.parse_args(argv)
    status = 0
    for path in args.files:
        if len(args.files) > 1:
            print(f"== {path}")
        try:
            print(format_paragraphs(cleaned_paragraphs(path, args.encoding), dropped=args.dropped))
        except CorpusError as e:
            print(f"error: {e}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
