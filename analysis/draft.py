"""Command `python -m analysis.draft`: runs :func:`analysis.ingest.draft.main` (see that module)."""
from analysis.ingest.draft import main

if __name__ == "__main__":
    raise SystemExit(main())
