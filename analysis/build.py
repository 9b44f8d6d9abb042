"""Command `python -m analysis.build`: runs :func:`analysis.workflow.build.main` (see that module)."""
from analysis.workflow.build import main

if __name__ == "__main__":
    raise SystemExit(main())
