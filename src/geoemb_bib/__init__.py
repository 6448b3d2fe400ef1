"""geoemb-bib: resolve a curated list of papers against arXiv, Crossref and OpenReview and export bibliographies."""

__version__ = "0.1.0"
