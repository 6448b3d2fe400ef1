"""Shared test set-up: no test may open a connection beyond the loopback interface."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from fakeservices import fake_services  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).parent.parent
# The contact address every test run sends in its User-Agent (the services ask for one; the fake records it).
MAILTO = "curator@example.org"


@dataclass(frozen=True)
class Answer:
    """What a source's `validate` hook reads of a fetched response: its status and body."""

    status: int
    body: bytes


class NonLoopbackConnection(AssertionError):
    """A test tried to reach the network beyond 127.0.0.0/8 or ::1."""


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
    else:
        return True  # AF_UNIX paths and the like never leave the machine
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _refuse_non_loopback_connections() -> Iterator[None]:
    original_connect = socket.socket.connect
    original_connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: object) -> object:
        if not _is_loopback(address):
            raise NonLoopbackConnection(f"test tried to connect to {address!r}; tests must stay on loopback")
        return original_connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        if not _is_loopback(address):
            raise NonLoopbackConnection(f"test tried to connect to {address!r}; tests must stay on loopback")
        return original_connect_ex(self, address)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    try:
        yield
    finally:
        socket.socket.connect = original_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = original_connect_ex  # type: ignore[method-assign]


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES
