"""Starting a list from one a curator already has: a Markdown awesome list, a .bib, or a CSL-JSON file.

Each importer is one module with `read(path, text, options) -> Imported`; `IMPORTERS` maps a format to it and
`detect_format` picks one from the file name and first bytes. An importer never drops what it cannot place:
it becomes a `Notice` with its line.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from ..errors import InputError
from ..model import OVERRIDE_FIELDS, CuratedList

Format = Literal["markdown", "bibtex", "csl-json"]

# format -> module under geoemb_bib.importers (one line per format)
IMPORTERS: dict[str, str] = {
    "markdown": "markdown",
    "bibtex": "bibtex",
    "csl-json": "csl_json",
}
_SUFFIXES: dict[str, Format] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".json": "csl-json",
}

# Fields of a .bib or CSL-JSON item that may become `override`s: all a curator may pin except the event title
# (not read from an item) and the venue label (an item's venue becomes the entry's `venue`).
OVERRIDABLE = tuple(name for name in OVERRIDE_FIELDS if name not in ("event_title", "venue"))


@dataclass(frozen=True, slots=True)
class Notice:
    """Something of the input the importer could not place, or placed by a rule worth knowing; `line` is 1-based."""

    line: int | None
    message: str

    def located(self, path: str) -> str:
        return f"{path}:{self.line}: {self.message}" if self.line else f"{path}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the user chose: which of their own fields (of a .bib or CSL-JSON item) become `override`s."""

    overrides: frozenset[str] = frozenset()

    @classmethod
    def parse_overrides(cls, text: str | None) -> ImportOptions:
        """`none` (default), `all`, or field names separated by commas (`title,author`)."""
        if text is None or text.strip() in ("", "none"):
            return cls()
        if text.strip() == "all":
            return cls(frozenset(OVERRIDABLE))
        names = [name.strip().replace("-", "_") for name in text.split(",") if name.strip()]
        unknown = [name for name in names if name not in OVERRIDABLE]
        if unknown:
            raise InputError(
                f"--overrides: unknown field {', '.join(repr(n) for n in unknown)}",
                hint=f"use none, all, or some of: {', '.join(OVERRIDABLE)}",
            )
        return cls(frozenset(names))


@dataclass(frozen=True, slots=True)
class Imported:
    """What an importer read: the list (text, sections, entries) and everything worth telling the user."""

    curated: CuratedList
    notices: tuple[Notice, ...] = ()
    # what the source lists of each work, when not every column of its sections (a .bib has no code links or
    # abbreviations): `import --update` updates only these
    listed: frozenset[str] | None = None


class Importer(Protocol):
    def read(self, path: str, text: str, options: ImportOptions) -> Imported: ...


def detect_format(path: str, text: str) -> Format:
    """The format of a file, from its suffix, else from its first non-blank character."""
    for suffix, name in _SUFFIXES.items():
        if path.lower().endswith(suffix):
            return name
    head = text.lstrip()[:1]
    if head in ("[", "{"):
        return "csl-json"
    if head in ("@", "%"):
        return "bibtex"
    return "markdown"


def read(format_name: str, path: str, text: str, options: ImportOptions | None = None) -> Imported:
    module = importlib.import_module(f"{__name__}.{IMPORTERS[format_name]}")
    importer: Importer = module
    return importer.read(path, text, options or ImportOptions())


def slug(text: str, *, max_words: int = 6) -> str:
    """An entry or section id from text: ASCII lower-case words joined by hyphens (`Major TOM` -> `major-tom`)."""
    from anyascii import anyascii

    words = re.findall(r"[a-z0-9]+", anyascii(text).lower())
    return "-".join(words[:max_words])


class IdAllocator:
    """Hands out ids unique within a list: the wanted one, else `-2`, `-3`, ... (ids already taken are skipped)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def allocate(self, wanted: str, fallback: str = "entry") -> str:
        base = wanted if wanted and wanted[0].isalnum() else fallback
        chosen, number = base, 2
        while chosen in self.taken:
            chosen, number = f"{base}-{number}", number + 1
        self.taken.add(chosen)
        return chosen
