"""A CSL-JSON file (a Zotero or citation.js export) to a curated list: each item's `id` pinned as its key.

JSON holds no line numbers per item; notices name the item's position and id, and a syntax error its line.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from ..errors import InputError
from ..model import Person
from . import Imported, ImportOptions, Notice
from .items import Item, curated_list

_READ = {
    "id",
    "type",
    "title",
    "author",
    "issued",
    "container-title",
    "publisher",
    "volume",
    "issue",
    "page",
    "DOI",
    "URL",
    "abstract",
    "note",
    "number",
    "archive",
    "archive_location",
    "citation-key",
}


def read(path: str, text: str, options: ImportOptions) -> Imported:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    if isinstance(data, dict) and "items" in data:
        data = data["items"]
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a CSL-JSON array of items", hint="export the collection as CSL JSON")
    notices: list[Notice] = []
    items = []
    for position, raw in enumerate(data, start=1):
        if not isinstance(raw, dict) or not (raw.get("citation-key") or raw.get("id")):
            notices.append(Notice(None, f"item #{position} has no id: not imported"))
            continue
        items.append(_item(raw, _line_of(text, raw)))
    return curated_list(items, PurePath(path).stem, options, notices)


def _line_of(text: str, raw: dict[str, Any]) -> int | None:
    """The line of the item's `"id"` (JSON parsers keep no positions; the id is unique within an export)."""
    needle = json.dumps(str(raw.get("id")))
    position = text.find(needle)
    return text.count("\n", 0, position) + 1 if position != -1 else None


def _item(raw: dict[str, Any], line: int | None) -> Item:
    key = str(raw.get("citation-key") or raw["id"])
    item = Item(key=key, line=line, type=str(raw.get("type") or "article"))
    item.title = _text(raw.get("title"))
    item.author = tuple(_person(name) for name in raw.get("author") or [] if isinstance(name, dict))
    item.issued = _issued(raw.get("issued"))
    item.container_title = _text(raw.get("container-title")) or None
    for name, target in (
        ("publisher", "publisher"),
        ("volume", "volume"),
        ("issue", "issue"),
        ("page", "page"),
        ("abstract", "abstract"),
        ("note", "note"),
    ):
        setattr(item, target, _text(raw.get(name)) or None)
    item.doi = _text(raw.get("DOI")) or None
    item.url = _text(raw.get("URL")) or None
    item.arxiv_hints += [_text(raw.get(name)) for name in ("number", "archive_location", "note") if raw.get(name)]
    item.unused = [name for name in raw if name not in _READ]
    return item


def _text(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _person(name: dict[str, Any]) -> Person:
    if name.get("literal"):
        return Person(literal=_text(name["literal"]))
    return Person(
        family=_text(name.get("family")),
        given=_text(name.get("given")),
        particle=_text(name.get("non-dropping-particle") or name.get("dropping-particle")),
        suffix=_text(name.get("suffix")),
    )


def _issued(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    parts = (value.get("date-parts") or [[]])[0]
    numbers = [int(p) for p in parts if str(p).isdigit()][:3]
    if not numbers:
        raw = _text(value.get("raw"))
        return raw[:4] if raw[:4].isdigit() else None
    return "-".join(f"{n:02d}" if i else str(n) for i, n in enumerate(numbers))
