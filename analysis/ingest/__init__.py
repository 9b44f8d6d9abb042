"""Ingest: raw documents and manifests into the corpus table (cleaning, script normalisation,
manifest and bulk tables, gazetteer, draft manifests)."""
