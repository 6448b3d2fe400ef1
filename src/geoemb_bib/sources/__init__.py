"""The metadata services, one module each: queries to ask them and parsers of their answers; no I/O here.

A new source is one module offering `interface.Source` plus one line in `SOURCES`.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import arxiv, crossref, openreview
from .interface import Answer, Source

SOURCES: tuple[Source, ...] = (arxiv, crossref, openreview)
BY_NAME: Mapping[str, Source] = {source.NAME: source for source in SOURCES}

__all__ = ["BY_NAME", "SOURCES", "Answer", "Source", "arxiv", "crossref", "openreview"]
