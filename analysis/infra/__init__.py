"""Infrastructure: atomic file writes, bounded safe YAML, checksummed caches, provenance hashing.

Imports nothing from the other layers."""
