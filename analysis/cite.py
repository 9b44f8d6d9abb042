"""Command `python -m analysis.cite FIGURE`: runs :func:`analysis.workflow.cite.main` (see that module)."""
from analysis.workflow.cite import main

if __name__ == "__main__":
    raise SystemExit(main())
