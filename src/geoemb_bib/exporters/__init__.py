"""The export formats: each is one module with `export(catalog, options) -> str`, registered in `EXPORTERS`.

Modules load on first use, so `geoemb-bib --help` does not pay for bibtexparser or pylatexenc.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # the command line reads EXPORTERS for its --format choices; --help must not load the model
    from ..model import Catalog


@dataclass(frozen=True, slots=True)
class ExportOptions:
    """Choices a user can make about an export; every exporter reads only the ones it needs."""

    bibtex_flavour: Literal["bibtex", "biblatex"] = "bibtex"
    unicode: bool = False
    sort: Literal["list", "key"] = "list"
    markdown_as_listed: bool = False
    markdown_authors: bool = False
    # The date (YYYY-MM-DD) the web items' URLs were last checked; None leaves urldate out, so output stays
    # reproducible.
    urldate: str | None = None
    # BibTeX abstracts help Zotero users and cost survey authors nothing (styles ignore them); off for a lean .bib.
    bibtex_abstracts: bool = True


class Exporter(Protocol):
    def export(self, catalog: Catalog, options: ExportOptions) -> str: ...


@dataclass(frozen=True, slots=True)
class Format:
    """Where a format's exporter lives, and the file `geoemb-bib build` writes it to."""

    module: str  # under geoemb_bib.exporters
    build_file: str


# format name -> its exporter and build file: one line per format; the CLI's --format choices are these names.
EXPORTERS: dict[str, Format] = {
    "bibtex": Format("bibtex", "references.bib"),
    "csl-json": Format("csl_json", "references.json"),
    "yaml": Format("yaml", "enriched.yaml"),
    "markdown": Format("markdown", "list.md"),
    "zotero-rdf": Format("zotero_rdf", "references.rdf"),
}


def exporter(name: str) -> Exporter:
    """The exporter module for a format name (KeyError for an unknown name)."""
    module = importlib.import_module(f"{__name__}.{EXPORTERS[name].module}")
    return module


def export(name: str, catalog: Catalog, options: ExportOptions | None = None) -> str:
    return exporter(name).export(catalog, options or ExportOptions())
