"""Carrying an entry over from the last refresh: what its result depended on, and whether all of it is unchanged.

A resolved item is a function of the curated entry, the answers it read and the tool's code (merge keeps the
previous item only when a service failed, and such an entry is never carried over). So when the entry, every
answer it read and the tool are the same as when its item was written, redoing it would give the item back
(`resolve._settled` returns the previous item when nothing but timestamps differs): it is kept as it is, without
reading an answer, parsing, matching or merging. `--refresh`, a changed entry or a changed answer redo it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from .model import Entry, Query

if TYPE_CHECKING:
    from .fetch import Fetcher

PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What one entry's item was made from: its curated fields (a digest, without the line it sits on) and the
    answers it read, each a query, its cache key and the version of the answer the cache held
    (fetch.Fetcher.cached_versions)."""

    entry: str
    reads: tuple[Query, ...] = ()
    keys: tuple[str, ...] = ()
    versions: tuple[str, ...] = ()


def entry_digest(entry: Entry) -> str:
    """A digest of everything the curator wrote for the entry; its line in entries.yaml is where, not what."""
    encoded = _ENCODER.encode(tuple(getattr(entry, name) for name in _ENTRY_FIELDS))
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


_ENTRY_FIELDS = tuple(field.name for field in dataclasses.fields(Entry) if field.name != "line")
_ENCODER = msgspec.msgpack.Encoder()


@functools.cache
def tool_digest() -> str:
    """A digest of the code that makes items: every module of the package, the Python version and the versions of
    the installed dependencies. A new release, a local edit or an upgraded dependency redoes every entry."""
    from importlib import metadata

    digest = hashlib.blake2b(digest_size=16)
    digest.update(sys.version.encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    try:
        requirements = metadata.requires("geoemb-bib") or []
    except metadata.PackageNotFoundError:
        requirements = []
    for requirement in sorted(requirements):
        name = requirement.split(";")[0].split("[")[0]
        name = name.split("<")[0].split(">")[0].split("=")[0].split("~")[0].split("!")[0].strip()
        if not name or "extra ==" in requirement:
            continue
        try:
            digest.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=absent\0".encode())
    return digest.hexdigest()


def carried_over(
    entries: Iterable[Entry], fingerprints: Mapping[str, Fingerprint], fetcher: Fetcher
) -> dict[str, Fingerprint]:
    """The entries whose item can be kept as it is: same curated fields, and every answer it read still in the
    cache, fresh, and the very one read then. One look at the cache for all of them, no answer read. With
    `--refresh` none is kept."""
    if fetcher.settings.refresh:
        return {}
    candidates: list[tuple[Entry, Fingerprint]] = []
    for entry in entries:
        fingerprint = fingerprints.get(entry.id)
        if fingerprint is not None and fingerprint.entry == entry_digest(entry):
            candidates.append((entry, fingerprint))
    versions = fetcher.versions_of([key for _, fingerprint in candidates for key in fingerprint.keys])
    carried: dict[str, Fingerprint] = {}
    position = 0
    for entry, fingerprint in candidates:
        now = versions[position : position + len(fingerprint.keys)]
        position += len(fingerprint.keys)
        if tuple(now) == fingerprint.versions:
            carried[entry.id] = fingerprint
    return carried


def fingerprints_for(entries: Sequence[tuple[Entry, Sequence[Query]]], fetcher: Fetcher) -> dict[str, Fingerprint]:
    """Fingerprints of entries just resolved from these answers; an entry that read an answer the cache does not
    keep (an error it was not allowed to cache) gets none, so it is redone next time."""
    reads = [(entry, tuple(dict.fromkeys(queries))) for entry, queries in entries]
    versions = fetcher.cached_versions([query for _, queries in reads for query in queries])
    made: dict[str, Fingerprint] = {}
    position = 0
    for entry, queries in reads:
        now = versions[position : position + len(queries)]
        position += len(queries)
        if all(version is not None for _, version in now):
            made[entry.id] = Fingerprint(
                entry_digest(entry), queries, tuple(key for key, _ in now), tuple(v for _, v in now if v is not None)
            )
    return made
