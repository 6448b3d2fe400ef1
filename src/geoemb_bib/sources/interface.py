"""The interface every source module offers, and the shape of the answer its `validate` hook reads."""

from __future__ import annotations

from typing import Protocol


class Answer(Protocol):
    """What `validate` needs of a fetched response: its HTTP status and raw body (fetch.Response has both)."""

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> bytes: ...


class Source(Protocol):
    """A source module: its service name and the hook fetch runs before caching a body.

    `validate` raises `BadResponse` for a body that cannot be parsed, so that it is never cached, and
    `NotFound` for a body that says the record does not exist (fetch remembers that only briefly).
    """

    NAME: str

    def validate(self, response: Answer) -> None: ...
