"""Small loopback servers that misbehave in ways a real service could: drip, never end, inflate.

Each answers every request the same way, on 127.0.0.1 only, and stops writing as soon as the client hangs up, so a
test that abandons a request never leaves a busy thread behind.
"""

from __future__ import annotations

import contextlib
import socketserver
import threading
import time
import zlib
from collections.abc import Iterator
from functools import lru_cache
from types import TracebackType

GIGABYTE = 2**30
# A write stalls when the client stops reading; giving up after this long bounds every server thread.
WRITE_TIMEOUT = 10.0


@lru_cache(maxsize=1)
def gzip_bomb(inflated: int = GIGABYTE) -> bytes:
    """A gzip stream of `inflated` zero bytes: about 1 MB on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(2**20)
    parts = [compressor.compress(block) for _ in range(inflated // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


def _endless_zeros(total: int, chunk: int = 2**16) -> Iterator[bytes]:
    block = bytes(chunk)
    sent = 0
    while sent < total:
        yield block
        sent += chunk


class _Handler(socketserver.StreamRequestHandler):
    server: HostileServer

    def handle(self) -> None:
        self.connection.settimeout(WRITE_TIMEOUT)
        # Read the request head; its content does not matter.
        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
            pass
        self.server.requests += 1
        # An OSError is the client hanging up: the point of most of these servers.
        with contextlib.suppress(OSError):
            self.server.answer(self.wfile)


class HostileServer(socketserver.ThreadingTCPServer):
    """A threaded loopback server whose `answer(wfile)` writes one raw HTTP answer."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests = 0
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def answer(self, wfile: socketserver._SocketWriter) -> None:  # type: ignore[name-defined]
        raise NotImplementedError

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.shutdown()
        self.server_close()


def _head(length: int | None, *extra: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: application/json"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += list(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


class DrippingServer(HostileServer):
    """Promises a body and sends one byte every `pause` seconds, for at most `lasting` seconds."""

    def __init__(self, *, pause: float = 0.2, lasting: float = 30.0) -> None:
        super().__init__()
        self.pause = pause
        self.lasting = lasting

    def answer(self, wfile: socketserver._SocketWriter) -> None:  # type: ignore[name-defined]
        wfile.write(_head(10**6))
        ends = time.monotonic() + self.lasting
        while time.monotonic() < ends:
            wfile.write(b" ")
            wfile.flush()
            time.sleep(self.pause)


class HugeBodyServer(HostileServer):
    """Sends a body of `size` zero bytes (1 GB unless told), as fast as the client reads."""

    def __init__(self, size: int = GIGABYTE) -> None:
        super().__init__()
        self.size = size

    def answer(self, wfile: socketserver._SocketWriter) -> None:  # type: ignore[name-defined]
        wfile.write(_head(self.size))
        for block in _endless_zeros(self.size):
            wfile.write(block)


class GzipBombServer(HostileServer):
    """Sends `gzip_bomb()`: 1 MB on the wire that inflates to 1 GB."""

    def __init__(self) -> None:
        super().__init__()
        # Made before any client asks: compressing a gigabyte takes seconds on a loaded machine, which the client
        # would otherwise wait out as a read timeout.
        gzip_bomb()

    def answer(self, wfile: socketserver._SocketWriter) -> None:  # type: ignore[name-defined]
        body = gzip_bomb()
        wfile.write(_head(len(body), "Content-Encoding: gzip"))
        wfile.write(body)
