"""Workflow: the incremental build (python -m analysis.build), the interactive theme explorer,
and the Jupyter save hook."""
