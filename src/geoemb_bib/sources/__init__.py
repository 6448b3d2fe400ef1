"""The metadata services, one module each: queries to ask them and parsers of their answers; no I/O here.

A new source is one module offering `interface.Source`, one line in `SOURCES` (resolve checks every answer with the
`validate` of the source its service answers for, looked up in `BY_NAME`) and its hosts in `services.SERVICES`;
when to ask it, and what, is resolve's to say.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import arxiv, crossref, openreview
from .interface import Answer, Source

SOURCES: tuple[Source, ...] = (arxiv, crossref, openreview)
BY_NAME: Mapping[str, Source] = {source.NAME: source for source in SOURCES}

__all__ = ["BY_NAME", "SOURCES", "Answer", "Source", "arxiv", "crossref", "openreview"]
