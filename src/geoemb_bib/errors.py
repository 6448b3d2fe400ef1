"""The one exception tree of geoemb-bib; every message is written for the user.

GeoembBibError                  anything the tool reports as `error: ...`
├── InputError                  curated input the user must fix (file:line:col)
│   └── EntriesError            one or more problems in entries.yaml
├── UsageError                  a command line asking for what does not exist or does nothing (exit 2)
├── ConfigError                 a bad setting (config file, environment, flag)
├── OutputError                 an output could not be written
├── CacheError                  the on-disk cache is unusable
├── ServiceError                a service could not answer for some entries
│   ├── OfflineMiss             --offline and the cache has no answer
│   ├── ServiceUnavailable      retries exhausted, breaker open, transport failure
│   ├── NotFound                the service says the identifier does not exist
│   └── BadResponse             the service answered something unparseable
└── ExportError                 an exporter cannot represent an item
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


class GeoembBibError(Exception):
    """Base of every error the tool reports to the user; `hint` says how to fix it."""

    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found in a curated file, located for the user to jump to."""

    path: str
    line: int | None
    column: int | None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class InputError(GeoembBibError):
    """Curated input the user has to fix."""


class EntriesError(InputError):
    """entries.yaml holds one or more problems; each is one line of the message."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], *, hint: str | None = None) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems), hint=hint)


class ConfigError(GeoembBibError):
    """A setting from a config file, the environment or a flag is invalid."""


class OutputError(GeoembBibError):
    """An output file could not be written (permissions, path outside the output directory)."""


class CacheError(GeoembBibError):
    """The on-disk cache cannot be used."""


class ServiceError(GeoembBibError):
    """A service could not give an answer; carries which service."""

    def __init__(self, service: str, message: str, *, hint: str | None = None) -> None:
        self.service = service
        super().__init__(message, hint=hint)


class OfflineMiss(ServiceError):
    """Running with --offline and the cache holds no answer for the request."""


class ServiceUnavailable(ServiceError):
    """The service failed (5xx, 429, timeouts, transport) after the allowed retries."""


class NotFound(ServiceError):
    """The service answered that the identifier does not exist."""


class BadResponse(ServiceError):
    """The service answered with a body that cannot be parsed as its documented format."""


class ExportError(GeoembBibError):
    """An item cannot be represented in the requested format."""


class UsageError(GeoembBibError):
    """The command line names something that does not exist (an entry, a section) or combines options that would
    do nothing; the command exits 2, as for any usage error."""


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest of `choices`, or nothing when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
