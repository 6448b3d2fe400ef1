"""The guard in conftest.py refuses any connection that would leave the machine."""

from __future__ import annotations

import socket

import pytest

from conftest import NonLoopbackConnection


def test_a_connection_beyond_loopback_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NonLoopbackConnection):
        sock.connect(("93.184.216.34", 80))


def test_loopback_connections_are_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
