"""enriched.yaml, the lock file: every resolved entry as a diff-friendly YAML document, and back to `Resolved` objects.

The file is committed beside entries.yaml, so it holds no timestamp of its own (only when each answer was fetched)
and keeps list order and a fixed field order; loading checks every field and reports `path:line: what is wrong`.
This module is the schema (fields, their order and types); yaml_layout.py writes and reads the YAML text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal, Union

import yaml

from . import __version__
from .errors import InputError
from .model import (
    CURATED_FIELDS,
    CuratedIds,
    Entry,
    IdAssertion,
    Link,
    PartialDate,
    Person,
    Provenance,
    Record,
    Resolved,
)
from .yaml_layout import Flow, Loader, Map, emit_list_item, emit_mapping, fast_load

FORMAT = 1
HEADER_KEY = "geoemb-bib"
HEADER_COMMENT = (
    "# enriched.yaml: what `geoemb-bib refresh` resolved for each entry of entries.yaml (the lock file).\n"
    "# Generated and committed; edit entries.yaml (or an entry's `override`) instead of this file.\n"
)
HINT = (
    "enriched.yaml is written by `geoemb-bib refresh`; fix the line (or resolve the merge conflict), "
    "or delete the entry's block and run `geoemb-bib refresh` to resolve it again"
)
ITEM_FIELDS = (
    "id",
    "key",
    "status",
    "evidence",
    "curated",
    "record",
    "identity",
    "provenance",
    "aliases",
    "steps",
    "problems",
    "resolved_at",
)
PROVENANCE_FIELDS = ("source", "id", "fetched_at", "score", "fields")
_CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})(\s|$)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class EnrichedDocument:
    """A loaded enriched.yaml: its header fields (format, generator, ...) and its items by entry id, in file order."""

    meta: Mapping[str, Any]
    items: Mapping[str, Resolved]


# -- writing --------------------------------------------------------------------------------------------------


def dump_items(items: Sequence[Resolved], meta: Mapping[str, Any] | None = None) -> str:
    """The enriched.yaml text for items in list order; `meta` adds header fields after `format` and `generator`."""
    # One string per entry: for 10,000 entries, a million small pieces alive until the end would cost 60 MB.
    return dump_header(meta) + "".join(dump_item(item) for item in items)


def dump_header(meta: Mapping[str, Any] | None = None) -> str:
    """The text before the first item: dump_items is this followed by dump_item of each item."""
    header: dict[str, Any] = {"format": FORMAT, "generator": f"geoemb-bib {__version__}"}
    header.update(meta or {})
    out: list[str] = [HEADER_COMMENT, f"{HEADER_KEY}:\n"]
    emit_mapping(header, "  ", out)
    out.append("entries:\n")
    return "".join(out)


def dump_item(item: Resolved) -> str:
    """One item's block of enriched.yaml; it depends on the item alone."""
    block: list[str] = []
    emit_list_item(encode_item(item), "", block)
    return "".join(block)


def encode_item(item: Resolved) -> dict[str, Any]:
    """One entry's block as plain data, in the layout's field order, without empty fields."""
    block: dict[str, Any] = {
        "id": item.entry.id,
        "key": item.key,
        "status": item.status,
        "evidence": item.evidence,
        "curated": _encode_entry(item.entry),
        "record": _encode_dataclass(item.record, omit_defaults=False),
    }
    if item.identity:
        block["identity"] = [Flow(scheme=a.scheme, value=a.value, asserted_by=a.asserted_by) for a in item.identity]
    if item.provenance:
        block["provenance"] = _encode_provenance(item.provenance)
    for name in ("aliases", "steps", "problems"):
        value = getattr(item, name)
        if value:
            block[name] = list(value)
    if item.resolved_at:
        block["resolved_at"] = item.resolved_at
    return block


def _encode_entry(entry: Entry) -> dict[str, Any]:
    """The curated fields in entries.yaml's own shape, so the block reads like the entry it came from."""
    data: dict[str, Any] = {"section": entry.section}
    if entry.kind != "paper":
        data["kind"] = entry.kind
    data["title"] = entry.title
    for name in ("abbr", "venue", "year", "host"):
        value = getattr(entry, name)
        if value is not None:
            data[name] = value
    if entry.authors:
        data["authors"] = [_encode_person(p) for p in entry.authors]
    if entry.links:
        data["links"] = {
            link.role: link.url if link.label is None else Flow(url=link.url, label=link.label) for link in entry.links
        }
    ids = {name: value for name in ("arxiv", "doi", "openreview") if (value := getattr(entry.ids, name)) is not None}
    if ids:
        data["ids"] = ids
    if entry.key is not None:
        data["key"] = entry.key
    if entry.override:
        data["override"] = {
            name: [_encode_person(p) for p in value] if name == "author" else value
            for name, value in entry.override.items()
        }
    if entry.tags:
        data["tags"] = list(entry.tags)
    if entry.notes is not None:
        data["notes"] = entry.notes
    if entry.also_in:
        data["also_in"] = list(entry.also_in)
    return data


def _encode_person(person: Person) -> Flow:
    return Flow(_encode_dataclass(person, omit_defaults=True))


def _encode_provenance(provenance: Mapping[str, Provenance]) -> list[Flow]:
    """One line per source record, listing the fields it gave: far shorter than a line per field, same facts."""
    groups: dict[Provenance, list[str]] = {}
    for name, origin in provenance.items():
        groups.setdefault(origin, []).append(name)
    lines = []
    for origin, names in groups.items():
        line = Flow(source=origin.source, id=origin.standard_id)
        if origin.fetched_at is not None:
            line["fetched_at"] = origin.fetched_at
        if origin.score is not None:
            line["score"] = origin.score
        line["fields"] = names
        lines.append(line)
    return lines


def _encode_dataclass(value: Any, *, omit_defaults: bool) -> dict[str, Any]:
    """Fields in declaration order; empty ones left out (a Record's `source`, `standard_id` and `type` always stay)."""
    data: dict[str, Any] = {}
    for spec in _fields(type(value)):
        raw = getattr(value, spec.name)
        if raw is None or raw == () or raw == "":
            continue
        if omit_defaults and raw == spec.default:
            continue
        data[spec.name] = _encode_value(raw)
    return data


def _encode_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PartialDate):
        return str(value)
    if isinstance(value, Person):
        return _encode_person(value)
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            # Pairs such as relations: one `[kind, id]` per line.
            return [list(pair) for pair in value]
        return [_encode_value(v) for v in value]
    return value


# -- reading --------------------------------------------------------------------------------------------------


class _Bad(Exception):
    """A field with a wrong value; carries the line it is on (turned into an InputError at the boundary)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_items(text: str, path: str) -> dict[str, Resolved]:
    """The items of an enriched.yaml by entry id, in file order; InputError (`path:line: ...`) on anything malformed."""
    return dict(load_document(text, path).items)


def load_document(text: str, path: str) -> EnrichedDocument:
    """The header and items of an enriched.yaml; InputError (`path:line: ...`) on anything malformed."""
    conflict = _CONFLICT_MARKER.search(text)
    if conflict:
        line = text.count("\n", 0, conflict.start()) + 1
        raise InputError(f"{path}:{line}: unresolved merge-conflict marker {conflict.group(1)!r}", hint=HINT)
    with _collection_paused():
        root = fast_load(text, _read_early)
        try:
            if root is None:
                root = yaml.load(text, Loader=Loader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f"{path}:{mark.line + 1}" if mark is not None else path
            raise InputError(f"{where}: {(exc.problem or 'invalid YAML').strip()}", hint=HINT) from exc
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: invalid YAML: {exc}", hint=HINT) from exc
        try:
            return _read_document(root)
        except _Bad as exc:
            raise InputError(f"{path}:{exc.line}: {exc.message}", hint=HINT) from exc


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause the cycle collector while a document is read: what is built is a tree (no cycles to find), and for
    10,000 entries the collector would walk the growing tree again and again (about half of the reading time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_document(root: Any) -> EnrichedDocument:
    if not isinstance(root, Map):
        raise _Bad(1, f"expected a mapping with '{HEADER_KEY}' and 'entries'")
    _check_fields(root, (HEADER_KEY, "entries"), "file")
    if HEADER_KEY not in root:
        raise _Bad(root.line, f"missing the '{HEADER_KEY}' header; this is not an enriched.yaml")
    header = root[HEADER_KEY]
    if (
        not isinstance(header, Map)
        or not isinstance(header.get("format"), int)
        or isinstance(header.get("format"), bool)
    ):
        raise _Bad(root.line_of(HEADER_KEY), f"'{HEADER_KEY}' must be a mapping with a whole-number 'format'")
    if header["format"] > FORMAT:
        raise _Bad(
            header.line_of("format"),
            f"format {header['format']} is newer than this geoemb-bib reads ({FORMAT}); upgrade geoemb-bib",
        )
    entries = root.get("entries") or []
    if not isinstance(entries, list):
        raise _Bad(root.line_of("entries"), "'entries' must be a list")
    items: dict[str, Resolved] = {}
    first_line: dict[str, int] = {}
    for index, block in enumerate(entries):
        if isinstance(block, _ReadBlock):
            item, line = block.item, block.line
        elif isinstance(block, Map):
            item, line = _read_item(block, index), block.line
        else:
            raise _Bad(root.line_of("entries"), f"entry #{index + 1}: expected a mapping of fields")
        if item.entry.id in items:
            raise _Bad(line, f"entry '{item.entry.id}': duplicate id (first on line {first_line[item.entry.id]})")
        items[item.entry.id] = item
        first_line[item.entry.id] = line
    return EnrichedDocument(meta=dict(header), items=items)


@dataclass(frozen=True, slots=True)
class _ReadBlock:
    """An entry block the fast reader has already turned into its item; its line is kept for the duplicate-id check."""

    item: Resolved
    line: int


def _read_early(block: Any, index: int) -> Any:
    """The fast reader's hook for each block of `entries`: read it into its item as soon as it is parsed, so that the
    trees of 10,000 blocks never exist at once (150 MB). A block with a problem stays as it is: _read_document reports
    it in its turn, exactly as for a file PyYAML read."""
    if not isinstance(block, Map):
        return block
    try:
        return _ReadBlock(_read_item(block, index), block.line)
    except _Bad:
        return block


def _check_fields(data: Map, allowed: Sequence[str], where: str) -> None:
    for name in data:
        if name not in allowed:
            raise _Bad(data.line_of(name), f"{where}: unknown field '{name}'")


def _read_item(block: Map, index: int) -> Resolved:
    entry_id = block.get("id")
    if not isinstance(entry_id, str) or not entry_id:
        raise _Bad(block.line_of("id"), f"entry #{index + 1}: missing or empty 'id'")
    where = f"entry '{entry_id}'"
    _check_fields(block, ITEM_FIELDS, where)
    for required in ("key", "status", "evidence", "curated", "record"):
        if required not in block:
            raise _Bad(block.line, f"{where}: missing field '{required}'")
    hints = _hints(Resolved)
    curated = block["curated"]
    if not isinstance(curated, Map):
        raise _Bad(block.line_of("curated"), f"{where}: 'curated' must be a mapping")
    record = block["record"]
    if not isinstance(record, Map):
        raise _Bad(block.line_of("record"), f"{where}: 'record' must be a mapping")
    return Resolved(
        entry=_read_entry(entry_id, curated, where),
        key=_decode(block["key"], str, block.line_of("key"), f"{where}: key"),
        status=_decode(block["status"], hints["status"], block.line_of("status"), f"{where}: status"),
        evidence=_decode(block["evidence"], hints["evidence"], block.line_of("evidence"), f"{where}: evidence"),
        record=_decode_dataclass(record, Record, f"{where}: record", required=("source", "standard_id")),
        provenance=_read_provenance(block, where),
        identity=tuple(
            _decode_dataclass(
                _as_map(a, block.line_of("identity"), f"{where}: identity"), IdAssertion, f"{where}: identity"
            )
            for a in _as_list(block.get("identity"), block.line_of("identity"), f"{where}: identity")
        ),
        aliases=_decode(block.get("aliases", []), hints["aliases"], block.line_of("aliases"), f"{where}: aliases"),
        steps=_decode(block.get("steps", []), hints["steps"], block.line_of("steps"), f"{where}: steps"),
        problems=_decode(block.get("problems", []), hints["problems"], block.line_of("problems"), f"{where}: problems"),
        resolved_at=_decode(
            block.get("resolved_at"), str | None, block.line_of("resolved_at"), f"{where}: resolved_at"
        ),
    )


def _read_entry(entry_id: str, data: Map, where: str) -> Entry:
    here = f"{where}: curated"
    _check_fields(data, CURATED_FIELDS, here)
    hints = _hints(Entry)
    values: dict[str, Any] = {"id": entry_id}
    for name in ("section", "kind", "title", "abbr", "venue", "year", "host", "key", "tags", "notes", "also_in"):
        if name in data:
            values[name] = _decode(data[name], hints[name], data.line_of(name), f"{here}.{name}")
    for required in ("section", "title"):
        if required not in values:
            raise _Bad(data.line, f"{here}: missing field '{required}'")
    if "authors" in data:
        values["authors"] = _decode(data["authors"], tuple[Person, ...], data.line_of("authors"), f"{here}.authors")
    if "links" in data:
        links = _as_map(data["links"], data.line_of("links"), f"{here}.links")
        values["links"] = tuple(
            _read_link(role, value, links.line_of(role), f"{here}.links.{role}") for role, value in links.items()
        )
    if "ids" in data:
        values["ids"] = _decode_dataclass(
            _as_map(data["ids"], data.line_of("ids"), f"{here}.ids"), CuratedIds, f"{here}.ids"
        )
    if "override" in data:
        override = _as_map(data["override"], data.line_of("override"), f"{here}.override")
        values["override"] = {
            name: _decode(value, tuple[Person, ...], override.line_of(name), f"{here}.override.author")
            if name == "author"
            else value
            for name, value in override.items()
        }
    return Entry(**values)


def _read_link(role: str, value: Any, line: int, where: str) -> Link:
    if isinstance(value, str):
        return Link(role=role, url=value)
    data = _as_map(value, line, where)
    _check_fields(data, ("url", "label"), where)
    if not isinstance(data.get("url"), str):
        raise _Bad(line, f"{where}: 'url' must be text")
    return Link(role=role, url=data["url"], label=_decode(data.get("label"), str | None, line, f"{where}.label"))


def _read_provenance(block: Map, where: str) -> dict[str, Provenance]:
    line = block.line_of("provenance")
    result: dict[str, Provenance] = {}
    hints = _hints(Provenance)
    for index, group in enumerate(_as_list(block.get("provenance"), line, f"{where}: provenance")):
        here = f"{where}: provenance #{index + 1}"
        fields = _as_map(group, line, here)
        _check_fields(fields, PROVENANCE_FIELDS, here)
        if "source" not in fields or "id" not in fields or "fields" not in fields:
            raise _Bad(fields.line, f"{here}: needs 'source', 'id' and 'fields'")
        origin = Provenance(
            source=_decode(fields["source"], hints["source"], fields.line, f"{here}.source"),
            standard_id=_decode(fields["id"], str, fields.line, f"{here}.id"),
            fetched_at=_decode(fields.get("fetched_at"), str | None, fields.line, f"{here}.fetched_at"),
            score=_decode(fields.get("score"), float | None, fields.line, f"{here}.score"),
        )
        for name in _decode(fields["fields"], tuple[str, ...], fields.line, f"{here}.fields"):
            if name in result:
                raise _Bad(fields.line, f"{here}: field '{name}' is already credited to another source")
            result[name] = origin
    return result


def _as_map(value: Any, line: int, where: str) -> Map:
    if not isinstance(value, Map):
        raise _Bad(line, f"{where}: expected a mapping of fields, found {_describe(value)}")
    return value


def _as_list(value: Any, line: int, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Bad(line, f"{where}: expected a list, found {_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


# -- typed decoding, driven by the model's annotations (a new model field needs no code here) -------------------

_HINT_CACHE: dict[type, dict[str, Any]] = {}
_FIELD_CACHE: dict[type, tuple[dataclasses.Field[Any], ...]] = {}


def _hints(cls: type) -> dict[str, Any]:
    hints = _HINT_CACHE.get(cls)
    if hints is None:
        hints = _HINT_CACHE[cls] = typing.get_type_hints(cls)
    return hints


def _fields(cls: type) -> tuple[dataclasses.Field[Any], ...]:
    fields = _FIELD_CACHE.get(cls)
    if fields is None:
        fields = _FIELD_CACHE[cls] = dataclasses.fields(cls)
    return fields


# Per dataclass: each field's decoder, and whether text is its value as it stands (`str` and `str | None` fields, the
# most common by far): those skip the decoder call and the message they would only need on an error.
_PLANS: dict[type, dict[str, tuple[Callable[[Any, int, str], Any], bool]]] = {}


def _plan(cls: type) -> dict[str, tuple[Callable[[Any, int, str], Any], bool]]:
    plan = _PLANS.get(cls)
    if plan is None:
        hints = _hints(cls)
        plan = _PLANS[cls] = {
            spec.name: (_decoder(hints[spec.name]), hints[spec.name] in (str, str | None)) for spec in _fields(cls)
        }
    return plan


def _decode_dataclass(data: Map, cls: type, where: str, required: Sequence[str] = ()) -> Any:
    plan = _plan(cls)
    values: dict[str, Any] = {}
    for name, raw in data.items():
        step = plan.get(name)
        if step is None:
            raise _Bad(data.line_of(name), f"{where}: unknown field '{name}'")
        if step[1] and type(raw) is str:
            values[name] = raw
        else:
            values[name] = step[0](raw, data.line_of(name), f"{where}.{name}")
    for name in required:
        if name not in values:
            raise _Bad(data.line, f"{where}: missing field '{name}'")
    try:
        return cls(**values)
    except TypeError as exc:  # a required field of the class is missing
        raise _Bad(data.line, f"{where}: {exc}") from exc


def _decode(raw: Any, hint: Any, line: int, where: str) -> Any:
    decoder = _decoder(hint)
    return decoder(raw, line, where)


_DECODERS: dict[Any, Callable[[Any, int, str], Any]] = {}


def _decoder(hint: Any) -> Callable[[Any, int, str], Any]:
    found = _DECODERS.get(hint)
    if found is None:
        found = _DECODERS[hint] = _make_decoder(hint)
    return found


def _make_decoder(hint: Any) -> Callable[[Any, int, str], Any]:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        decode_inner = _decoder(inner[0]) if len(inner) == 1 else _fail("a value of one type")
        return lambda raw, line, where: None if raw is None else decode_inner(raw, line, where)
    if origin is Literal:
        return _literal_decoder(args)
    if origin is tuple:
        return _tuple_decoder(args)
    scalar = _SCALAR_DECODERS.get(hint)
    if scalar is not None:
        return scalar
    if isinstance(hint, type) and issubclass(hint, Enum):
        return _enum_decoder(hint)
    if dataclasses.is_dataclass(hint):
        cls = hint
        return lambda raw, line, where: _decode_dataclass(_as_map(raw, line, where), cls, where)  # type: ignore[arg-type]
    return _fail(f"a value of type {hint}")


def _literal_decoder(allowed: tuple[Any, ...]) -> Callable[[Any, int, str], Any]:
    def decode_literal(raw: Any, line: int, where: str) -> Any:
        if raw not in allowed:
            raise _Bad(line, f"{where}: {raw!r} is not one of {', '.join(map(str, allowed))}")
        return raw

    return decode_literal


def _tuple_decoder(args: tuple[Any, ...]) -> Callable[[Any, int, str], Any]:
    """`tuple[X, ...]` (any length) or `tuple[X, Y]` (exactly these)."""
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda raw, line, where: tuple(item(v, line, where) for v in _as_list(raw, line, where))
    parts = [_decoder(a) for a in args]

    def decode_fixed(raw: Any, line: int, where: str) -> tuple[Any, ...]:
        values = _as_list(raw, line, where)
        if len(values) != len(parts):
            raise _Bad(line, f"{where}: expected {len(parts)} values, found {len(values)}")
        return tuple(part(v, line, where) for part, v in zip(parts, values, strict=True))

    return decode_fixed


def _enum_decoder(enum: type[Enum]) -> Callable[[Any, int, str], Any]:
    def decode_enum(raw: Any, line: int, where: str) -> Enum:
        try:
            return enum(raw)
        except ValueError:
            raise _Bad(line, f"{where}: {raw!r} is not one of {', '.join(str(m.value) for m in enum)}") from None

    return decode_enum


def _fail(expected: str) -> Callable[[Any, int, str], Any]:
    def decode(raw: Any, line: int, where: str) -> Any:
        raise _Bad(line, f"{where}: cannot read {raw!r} as {expected}")

    return decode


def _decode_str(raw: Any, line: int, where: str) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        # A hand-edited `volume: 39` means the text "39"; a float or a boolean has lost what was typed.
        return str(raw)
    raise _Bad(line, f"{where}: expected text, found {raw!r}; put it in quotes")


def _decode_int(raw: Any, line: int, where: str) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    raise _Bad(line, f"{where}: expected a whole number, found {raw!r}")


def _decode_float(raw: Any, line: int, where: str) -> float:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    raise _Bad(line, f"{where}: expected a number, found {raw!r}")


def _decode_bool(raw: Any, line: int, where: str) -> bool:
    if isinstance(raw, bool):
        return raw
    raise _Bad(line, f"{where}: expected true or false, found {raw!r}")


def _decode_date(raw: Any, line: int, where: str) -> PartialDate:
    text = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if isinstance(text, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text.strip()):
        return PartialDate.parse(text)
    raise _Bad(line, f"{where}: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found {raw!r}")


# The model's scalar types, each with its decoder.
_SCALAR_DECODERS: dict[Any, Callable[[Any, int, str], Any]] = {
    str: _decode_str,
    int: _decode_int,
    float: _decode_float,
    bool: _decode_bool,
    PartialDate: _decode_date,
}
