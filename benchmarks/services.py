"""The benchmark's loopback services: tests/fakeservices.py's fake, with two changes that keep timings honest.

1. TCP_NODELAY on the server's sockets. The stdlib handler sends the headers and the body in two writes; with
   Nagle's algorithm on, the body waits for the client's delayed ACK, which adds about 40 ms to every answer
   (measured: 45 ms per sequential request instead of 1 ms). The benchmark wants exactly the latency it sets.
2. Optionally, a corpus of its own (the synthetic lists') instead of the replay one.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent.parent / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from fakeservices import (
    Corpus,
    FakeServices,
    Limits,
    _Answer,
    _ArxivEntry,
    _Handler,
    _Server,
    arxiv_feed,
    crossref_json,
    load_corpus,
    normalise,
)

__all__ = [
    "BenchServices",
    "Corpus",
    "Limits",
    "_Answer",
    "_ArxivEntry",
    "arxiv_feed",
    "crossref_json",
    "load_corpus",
    "normalise",
]


class _NoDelayHandler(_Handler):
    disable_nagle_algorithm = True


class BenchServices(FakeServices):
    """FakeServices with TCP_NODELAY and, optionally, a corpus of its own."""

    def __init__(self, *, corpus: Corpus | None = None, **options: Any) -> None:
        super().__init__(**options)
        if corpus is not None:
            self.corpus = corpus

    def start(self) -> BenchServices:
        # FakeServices.start with the no-delay handler (the server and its thread are built the same way).
        server = _Server((self._host, self._requested_port), _NoDelayHandler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="benchservices", daemon=True
        )
        self._thread.start()
        return self
