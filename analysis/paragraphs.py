"""Command `python -m analysis.paragraphs`: runs :func:`analysis.ingest.paragraphs.main` (see that module)."""
from analysis.ingest.paragraphs import main

if __name__ == "__main__":
    raise SystemExit(main())
