"""A BibTeX or biblatex file to a curated list, read with bibtexparser v2 (LaTeX decoded, names split).

Each entry keeps its key; a block bibtexparser could not parse, or a key given twice, is a notice with its line.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from ..model import Person
from . import Imported, ImportOptions, Notice
from .items import Item, curated_list

# BibTeX entry type -> CSL type (the mapping of the BibTeX exporter, read backwards).
TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "incollection": "chapter",
    "inbook": "chapter",
    "book": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "dataset": "dataset",
    "software": "software",
    "online": "webpage",
    "misc": "article",
    "unpublished": "article",
}
# Fields read into the item; any other is named in a notice (nothing dropped silently).
_READ = {
    "title",
    "author",
    "year",
    "date",
    "month",
    "journal",
    "journaltitle",
    "booktitle",
    "publisher",
    "volume",
    "number",
    "pages",
    "doi",
    "url",
    "abstract",
    "note",
    "eprint",
    "archiveprefix",
    "eprinttype",
    "primaryclass",
    "howpublished",
}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}


def read(path: str, text: str, options: ImportOptions) -> Imported:
    from bibtexparser import middlewares
    from bibtexparser.entrypoint import parse_string

    library = parse_string(
        text,
        append_middleware=[
            middlewares.LatexDecodingMiddleware(),
            middlewares.SeparateCoAuthors(),
            middlewares.SplitNameParts(),
        ],
    )
    notices = [Notice((block.start_line or 0) + 1, _failure(block)) for block in library.failed_blocks]
    items = [_item(entry) for entry in library.entries]
    return curated_list(items, PurePath(path).stem, options, notices)


def _failure(block: Any) -> str:
    """Why bibtexparser could not read a block, in one line."""
    key = getattr(block, "key", None)
    if type(block).__name__ == "DuplicateBlockKeyBlock":
        return f"key '{key}' is given twice: the second entry is not imported"
    head = " ".join(str(getattr(block, "raw", "")).split())[:60]
    return f"cannot be read (a brace, quote or comma missing?): {head!r}; not imported"


def _item(entry: Any) -> Item:
    fields = {name.lower(): field.value for name, field in entry.fields_dict.items()}
    item = Item(key=entry.key, line=entry.start_line + 1, type=TYPES.get(entry.entry_type.lower(), "article"))
    item.title = _text(fields.get("title"))
    item.author = tuple(_person(name) for name in fields.get("author", []) if not isinstance(name, str) or name)
    item.issued = _issued(fields)
    item.container_title = _text(fields.get("journal") or fields.get("journaltitle") or fields.get("booktitle")) or None
    for name, target in (
        ("publisher", "publisher"),
        ("volume", "volume"),
        ("number", "issue"),
        ("abstract", "abstract"),
        ("note", "note"),
    ):
        setattr(item, target, _text(fields.get(name)) or None)
    pages = _text(fields.get("pages"))
    item.page = pages.replace("--", "-") if pages else None
    item.doi = _text(fields.get("doi")) or None
    item.url = _text(fields.get("url")) or None
    prefix = _text(fields.get("archiveprefix") or fields.get("eprinttype")).casefold()
    if fields.get("eprint") and prefix in ("", "arxiv"):
        item.arxiv_hints.append(_text(fields["eprint"]))
    item.arxiv_hints += [_text(fields.get(name)) for name in ("journal", "note", "howpublished") if fields.get(name)]
    item.unused = [name for name in fields if name not in _READ]
    return item


def _text(value: object) -> str:
    return " ".join(str(value).replace("{", "").replace("}", "").split()) if value else ""


def _person(name: object) -> Person:
    if isinstance(name, str):
        return Person(literal=_text(name))
    first, von, last, jr = (" ".join(getattr(name, part)) for part in ("first", "von", "last", "jr"))
    if not first and not von and not jr:
        return Person(literal=_text(last)) if " " in last else Person(family=_text(last))
    return Person(family=_text(last), given=_text(first), particle=_text(von), suffix=_text(jr))


def _issued(fields: dict[str, Any]) -> str | None:
    date = _text(fields.get("date"))
    if date[:4].isdigit():
        return date[:10]
    year = _text(fields.get("year"))
    if not year[:4].isdigit():
        return None
    month = _text(fields.get("month")).casefold()[:3]
    number = _MONTHS.get(month) or (int(month) if month.isdigit() and 1 <= int(month) <= 12 else None)
    return f"{year[:4]}-{number:02d}" if number else year[:4]
