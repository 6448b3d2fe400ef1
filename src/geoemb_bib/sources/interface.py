"""The interface every source module offers, the shape of the answer its `validate` hook reads, and the memo that
hands `validate`'s parse to the entry that reads the same answer."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Protocol, TypeVar


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


T = TypeVar("T")
_MISSING = object()


def parsed_once(size: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Memoise a parser between `validate` (which fetch runs on every answer) and the one entry that reads the same
    answer next: a result is kept until it is asked for once more, then dropped, so a body is parsed once and its
    records are not kept alive after their reader has them. At most `size` results wait (the oldest go first)."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        waiting: OrderedDict[Hashable, T] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(function)
        def parse(*args: Hashable) -> T:
            with lock:
                found = waiting.pop(args, _MISSING)
            if found is not _MISSING:
                return found  # type: ignore[return-value]
            result = function(*args)
            with lock:
                waiting[args] = result
                if len(waiting) > size:
                    waiting.popitem(last=False)
            return result

        return parse

    return decorate
