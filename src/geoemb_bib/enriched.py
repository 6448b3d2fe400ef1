"""enriched.yaml, the lock file: every resolved entry as a diff-friendly YAML document, and back to `Resolved` objects.

The file is committed beside entries.yaml, so it holds no timestamp of its own (only when each answer was fetched)
and keeps list order and a fixed field order; loading checks every field and reports `path:line: what is wrong`.
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
from .model import CuratedIds, Entry, IdAssertion, Link, PartialDate, Person, Provenance, Record, Resolved

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
CURATED_FIELDS = (
    "section",
    "kind",
    "title",
    "abbr",
    "venue",
    "year",
    "host",
    "authors",
    "links",
    "ids",
    "key",
    "override",
    "tags",
    "notes",
    "also_in",
)
PROVENANCE_FIELDS = ("source", "id", "fetched_at", "score", "fields")
_CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})(\s|$)", re.MULTILINE)

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class EnrichedDocument:
    """A loaded enriched.yaml: its header fields (format, generator, ...) and its items by entry id, in file order."""

    meta: Mapping[str, Any]
    items: Mapping[str, Resolved]


# -- writing --------------------------------------------------------------------------------------------------


class _Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line (a person, a provenance group): one author per line diffs well."""


def dump_items(items: Sequence[Resolved], meta: Mapping[str, Any] | None = None) -> str:
    """The enriched.yaml text for items in list order; `meta` adds header fields after `format` and `generator`."""
    header: dict[str, Any] = {"format": FORMAT, "generator": f"geoemb-bib {__version__}"}
    header.update(meta or {})
    out: list[str] = [HEADER_COMMENT, f"{HEADER_KEY}:\n"]
    _emit_mapping(header, "  ", out)
    out.append("entries:\n")
    for item in items:
        # One string per entry: for 10,000 entries, a million small pieces alive until the end would cost 60 MB.
        block: list[str] = []
        _emit_list_item(encode_item(item), "", block)
        out.append("".join(block))
    return "".join(out)


# The emitter below writes the block style PyYAML would (indentless lists, flow mappings for _Flow) about ten
# times faster than yaml.dump, which matters for 10,000 entries; the round-trip tests read its output with PyYAML.
_PLAIN_FIRST_BAD = frozenset(" -?:,[]{}#&*!|>'\"%@`+.~=<0123456789\t")
# PyYAML's flow context also ends or misreads plain text at ':', '?' and '#' (URLs with a query string), so
# any of them there means quoting.
_FLOW_BAD = re.compile(r"[,\[\]{}:?#]")
_YAML_WORDS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\x00": "\\0",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
    "\xa0": "\\_",
}
_SCALARS: dict[tuple[str, bool], str] = {}
_SCALAR_CACHE_LENGTH = 48


def _scalar(value: Any, flow: bool = False) -> str:
    if isinstance(value, str):
        cache_key = (value, flow)
        found = _SCALARS.get(cache_key)
        if found is None:
            found = _quote(value, flow)
            # Short texts repeat (field values, names, ids, dates); titles and steps are one-offs not worth keeping.
            if len(value) <= _SCALAR_CACHE_LENGTH and len(_SCALARS) < 200_000:
                _SCALARS[cache_key] = found
        return found
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value).lower()
        # YAML 1.1 reads `1e-05` as text: a float needs its dot.
        return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to enriched.yaml")


def _quote(text: str, flow: bool) -> str:
    if not text:
        return "''"
    if not text.isprintable():
        return _double_quoted(text)
    if (
        text[0] not in _PLAIN_FIRST_BAD
        and text[-1] not in " :"
        and ": " not in text
        and " #" not in text
        and text.lower() not in _YAML_WORDS
        and not (flow and _FLOW_BAD.search(text))
    ):
        return text
    return "'" + text.replace("'", "''") + "'"


def _double_quoted(text: str) -> str:
    pieces = []
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            pieces.append(escaped)
        elif char.isprintable() or char == " ":
            pieces.append(char)
        else:
            code = ord(char)
            pieces.append(
                f"\\x{code:02X}" if code < 0x100 else f"\\u{code:04X}" if code < 0x10000 else f"\\U{code:08X}"
            )
    return '"' + "".join(pieces) + '"'


def _literal_lines(text: str) -> list[str] | None:
    """The lines of a multi-line text that a literal block (`|-` or `|`) keeps exactly, or None."""
    if "\n" not in text:
        return None
    body, chomp = (text[:-1], "|") if text.endswith("\n") else (text, "|-")
    if body.endswith("\n") or not body:
        return None
    lines = body.split("\n")
    if any(line != line.strip() or not line.isprintable() for line in lines) or not lines[0]:
        return None
    return [chomp, *lines]


def _emit_value_after_key(value: Any, pad: str, out: list[str]) -> None:
    """Whatever follows `key:` on its line (and the lines below it)."""
    if isinstance(value, _Flow):
        out.append(" " + _flow(value) + "\n")
    elif isinstance(value, dict):
        if not value:
            out.append(" {}\n")
            return
        out.append("\n")
        _emit_mapping(value, pad + "  ", out)
    elif isinstance(value, list):
        if not value:
            out.append(" []\n")
            return
        out.append("\n")
        for element in value:
            _emit_list_item(element, pad, out)
    elif isinstance(value, str) and (lines := _literal_lines(value)) is not None:
        out.append(" " + lines[0] + "\n")
        out.extend(f"{pad}  {line}\n" if line else "\n" for line in lines[1:])
    else:
        out.append(" " + _scalar(value) + "\n")


def _emit_mapping(data: Mapping[str, Any], pad: str, out: list[str]) -> None:
    for key, value in data.items():
        out.append(f"{pad}{_scalar(key)}:")
        _emit_value_after_key(value, pad, out)


def _emit_list_item(value: Any, pad: str, out: list[str]) -> None:
    if isinstance(value, dict) and not isinstance(value, _Flow) and value:
        first = True
        for key, inner in value.items():
            out.append(f"{pad}- {_scalar(key)}:" if first else f"{pad}  {_scalar(key)}:")
            _emit_value_after_key(inner, pad + "  ", out)
            first = False
    elif isinstance(value, (_Flow, dict)):
        out.append(f"{pad}- {_flow(value)}\n")
    elif isinstance(value, list):
        out.append(f"{pad}- [{', '.join(_scalar(v, flow=True) for v in value)}]\n")
    else:
        out.append(f"{pad}- {_scalar(value)}\n")


def _flow(data: Mapping[str, Any]) -> str:
    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            text = "[" + ", ".join(_scalar(v, flow=True) for v in value) + "]"
        else:
            text = _scalar(value, flow=True)
        parts.append(f"{_scalar(key, flow=True)}: {text}")
    return "{" + ", ".join(parts) + "}"


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
        block["identity"] = [_Flow(scheme=a.scheme, value=a.value, asserted_by=a.asserted_by) for a in item.identity]
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
            link.role: link.url if link.label is None else _Flow(url=link.url, label=link.label) for link in entry.links
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


def _encode_person(person: Person) -> _Flow:
    return _Flow(_encode_dataclass(person, omit_defaults=True))


def _encode_provenance(provenance: Mapping[str, Provenance]) -> list[_Flow]:
    """One line per source record, listing the fields it gave: far shorter than a line per field, same facts."""
    groups: dict[Provenance, list[str]] = {}
    for name, origin in provenance.items():
        groups.setdefault(origin, []).append(name)
    lines = []
    for origin, names in groups.items():
        line = _Flow(source=origin.source, id=origin.standard_id)
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


class _Map(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its line and the line of each key, for error messages."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, name: str) -> int:
        return self.key_lines.get(name, self.line)


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]  # the C loader where built, chosen at import
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "YAML anchors and aliases (&name / *name) are not allowed", node.start_mark
            )
        return super().construct_object(node, deep=deep)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"field names must be text, found {key!r}", key_node.start_mark
            )
        if key in data.key_lines:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate field '{key}' (first on line {data.key_lines[key]})", key_node.start_mark
            )
        data.key_lines[key] = key_node.start_mark.line + 1
        data[key] = loader.construct_object(value_node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
# Dates and timestamps stay text: `issued` and `fetched_at` are parsed by the model, never by YAML.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


# -- the fast reader: the writer's own layout, read without PyYAML ------------------------------------------------
#
# PyYAML (even its C loader) needs 2 ms per entry, 20 s for a list of 10,000, most of it building nodes and marks
# the layout above never needs. The writer emits a small, regular subset of YAML: block mappings indented by two,
# indentless block lists, one-line flow mappings and lists, plain, quoted and literal scalars. `_fast_load` reads
# exactly that subset into the same `_Map` tree (values, types, and the line of every mapping and key) that
# `_Loader` builds, and gives up on anything else it meets (a comment after a value, an anchor, a tab, a folded or
# multi-line scalar, a duplicate key, an odd indentation): the file is then read by PyYAML, which also words the
# error when there is one. tests/test_enriched_fast.py checks both readers agree.


class _Unsupported(Exception):
    """Outside the writer's layout: PyYAML reads the file instead."""


# Characters whose presence sends the file to PyYAML: tabs, the line breaks YAML counts and str.split("\n") does not
# (\r, NEL, LS, PS), a byte-order mark, and everything YAML refuses to read at all.
_FAST_UNSAFE = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_FAST_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
_FAST_KEY_AT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*:(?: |\Z)")
# A plain scalar starting with one of these means something else in YAML (or is refused by the writer's quoting).
_PLAIN_FIRST_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# One item of a flow collection as the writer writes it: an optional `key: `, then a quoted scalar, a nested
# collection, or a plain scalar that holds none of the characters that end or change one in flow context.
_FLOW_ITEM = re.compile(
    r"""(?:([A-Za-z_][A-Za-z0-9_-]*):\ )?"""
    r"""(?:'((?:[^']|'')*)'|"((?:[^"\\]|\\.)*)"|([\[{])|([^-?:,\[\]{}#&*!|>'"%@`\ ][^,\[\]{}:?#]*))"""
    r"""(?: *([,\]}]) *)?"""
)
# A flow list of plain words (the fields of a provenance line, arXiv categories): split, not scanned.
_FLOW_WORDS = re.compile(r"\[([A-Za-z_][A-Za-z0-9_.-]*(?:, [A-Za-z_][A-Za-z0-9_.-]*)*)\]")
_FLOW_SEPARATOR = re.compile(r" *([,\]}]) *")
_FLOW_EMPTY = re.compile(r" *([\]}])")
_DOUBLE_ESCAPE = re.compile(r'\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|[0abt\tnvfre "/\\N_LP])')
_DOUBLE_ESCAPES = {
    "0": "\0",
    "a": "\x07",
    "b": "\x08",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\x0b",
    "f": "\x0c",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_STR_TAG = "tag:yaml.org,2002:str"
_SCALAR_TAGS = frozenset(
    {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}
)


class _PlainTypes(yaml.resolver.Resolver, yaml.constructor.SafeConstructor):
    """PyYAML's own resolver and constructors for plain scalars, with _Loader's resolvers (no timestamps)."""

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


_PLAIN_TYPES = _PlainTypes()
# First characters for which PyYAML tries an implicit type (int, float, bool, null, merge, value): any other plain
# scalar is text without asking.
_RESOLVED_FIRST = frozenset(first for first in _Loader.yaml_implicit_resolvers if first)
_RESOLVED_PLAIN: dict[str, Any] = {}


_FAST_KEYS: set[str] = set()


def _good_key(key: str) -> bool:
    """A plain mapping key that PyYAML reads as this very text (not `yes`, `null`, `1`, `<<`...)."""
    if not _FAST_KEY.match(key) or not isinstance(_plain_scalar(key), str):
        return False
    if len(_FAST_KEYS) < 4096:
        _FAST_KEYS.add(key)
    return True


def _plain_scalar(text: str) -> Any:
    """What PyYAML makes of a plain scalar (through its own resolver and constructors, so the types agree)."""
    if text[0] not in _RESOLVED_FIRST:
        return text
    found = _RESOLVED_PLAIN.get(text, _RESOLVED_PLAIN)
    if found is not _RESOLVED_PLAIN:
        return found
    tag = _PLAIN_TYPES.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]  # stubs lack it
    if tag == _STR_TAG:
        value: Any = text
    elif tag in _SCALAR_TAGS:
        value = _PLAIN_TYPES.yaml_constructors[tag](_PLAIN_TYPES, yaml.ScalarNode(tag, text))
    else:
        raise _Unsupported  # a merge key `<<` or a value key `=`
    if len(_RESOLVED_PLAIN) < 65536:
        _RESOLVED_PLAIN[text] = value
    return value


def _single_quoted(text: str, start: int) -> tuple[str, int]:
    """The value of the single-quoted scalar opening at text[start], and the index after its closing quote."""
    pieces = []
    position = start + 1
    while True:
        end = text.find("'", position)
        if end < 0:
            raise _Unsupported  # continues on the next line
        pieces.append(text[position:end])
        if text.startswith("'", end + 1):
            pieces.append("'")
            position = end + 2
            continue
        return "".join(pieces), end + 1


def _double_quoted_value(text: str, start: int) -> tuple[str, int]:
    """The value of the double-quoted scalar opening at text[start], and the index after its closing quote."""
    position = start + 1
    length = len(text)
    while position < length:
        char = text[position]
        if char == "\\":
            position += 2
        elif char == '"':
            raw = text[start + 1 : position]
            return (_unescape(raw) if "\\" in raw else raw), position + 1
        else:
            position += 1
    raise _Unsupported  # continues on the next line


def _unescape(raw: str) -> str:
    pieces = []
    position = 0
    while True:
        backslash = raw.find("\\", position)
        if backslash < 0:
            pieces.append(raw[position:])
            return "".join(pieces)
        pieces.append(raw[position:backslash])
        match = _DOUBLE_ESCAPE.match(raw, backslash)
        if match is None:
            raise _Unsupported  # an escape YAML does not know, or a line continuation
        code = match.group(1)
        pieces.append(chr(int(code[1:], 16)) if len(code) > 1 else _DOUBLE_ESCAPES[code])
        position = match.end()


class _FastReader:
    """Reads the writer's layout line by line; raises _Unsupported at the first thing outside it."""

    def __init__(self, text: str, entry_hook: Callable[[Any, int], Any] | None = None) -> None:
        self.lines = text.split("\n")
        self.count = len(self.lines)
        self.index = 0
        # Applied to each block of the top-level `entries` list as soon as it is read (see _read_early).
        self.entry_hook = entry_hook

    def document(self) -> _Map:
        if self._next() != 0:
            raise _Unsupported
        root = self._mapping(0)
        if self._next() != -1:
            raise _Unsupported
        return root

    def _next(self) -> int:
        """Move to the next line holding something other than a comment; its indentation, or -1 at the end."""
        lines = self.lines
        index = self.index
        while index < self.count:
            line = lines[index]
            content = line.lstrip(" ")
            if content and content[0] != "#":
                self.index = index
                return len(line) - len(content)
            index += 1
        self.index = index
        return -1

    def _mapping(self, indent: int) -> _Map:  # noqa: C901
        """A block mapping whose keys start at column `indent`, the first one on the current line.

        The common lines (`key: plain value`, `key: 'quoted'`, the next key at the same column) are read in this
        loop; everything else goes through the general methods.
        """
        data = _Map()
        data.line = self.index + 1
        key_lines: dict[str, int] = {}
        data.key_lines = key_lines
        lines = self.lines
        count = self.count
        pad = " " * indent
        index = self.index
        while True:
            line = lines[index]
            colon = line.find(":", indent)
            if colon < 0:
                raise _Unsupported
            key = line[indent:colon]
            if key in key_lines or (key not in _FAST_KEYS and not _good_key(key)):
                raise _Unsupported
            key_lines[key] = index + 1
            head = line[colon + 1 : colon + 3]
            if head[:1] == " " and head[1:] and head[1] not in _PLAIN_FIRST_INDICATORS:
                value = line[colon + 2 :]
                if value[-1] == " ":
                    value = value.rstrip(" ")
                if ": " in value or " #" in value or value[-1] == ":":
                    raise _Unsupported
                data[key] = value if value[0] not in _RESOLVED_FIRST else _plain_scalar(value)
                index += 1
            elif (
                head == " '"
                and line[-1] == "'"
                and len(line) > colon + 3
                and "'" not in (inner := line[colon + 3 : -1]).replace("''", "")
            ):
                # One quoted scalar up to the end of the line, every inner quote doubled.
                data[key] = inner.replace("''", "'")
                index += 1
            else:
                self.index = index
                rest = line[colon + 1 :]
                if not rest.strip(" "):
                    self.index += 1
                    data[key] = self._nested(indent, self.entry_hook if indent == 0 and key == "entries" else None)
                elif rest[0] != " ":
                    raise _Unsupported
                else:
                    data[key] = self._inline(rest.lstrip(" "), indent)
                index = self.index
            if index < count:
                line = lines[index]
                if line.startswith(pad) and line[indent : indent + 1] not in ("", " ", "#", "-"):
                    continue
            self.index = index
            found = self._next()
            if found != indent:
                if found > indent:
                    raise _Unsupported
                return data
            index = self.index

    def _nested(self, column: int, hook: Callable[[Any, int], Any] | None = None) -> Any:
        """The value on the lines after `key:` (its key at `column`): a list (each item through `hook`), a mapping,
        or nothing."""
        found = self._next()
        if found < 0:
            return None
        line = self.lines[self.index]
        if line.startswith("-", found):
            if not line.startswith("- ", found):
                raise _Unsupported
            return self._sequence(found, hook) if found >= column else None
        if found > column:
            return self._mapping(found)
        return None

    def _sequence(self, indent: int, hook: Callable[[Any, int], Any] | None = None) -> list[Any]:
        """A block list whose dashes are at column `indent`, the first one on the current line."""
        items: list[Any] = []
        lines = self.lines
        column = indent + 2
        dash = " " * indent + "- "
        while True:
            line = lines[self.index]
            head = line[column : column + 1]
            if not head or head in " |>":
                raise _Unsupported
            if head in "{[":
                # A flow item alone on its line (a person, an identity, a provenance group).
                self.index += 1
                value, end = self._flow(line, column)
                if end != len(line) and line[end:].strip(" "):
                    raise _Unsupported
                items.append(value)
            elif head in "'\"" or not _FAST_KEY_AT.match(line, column):
                items.append(self._inline(line[column:], column))
            else:
                items.append(self._mapping(column))
            if hook is not None:
                items[-1] = hook(items[-1], len(items) - 1)
            index = self.index
            if index < self.count and lines[index].startswith(dash):
                continue
            found = self._next()
            if found != indent or not lines[self.index].startswith("- ", indent):
                if found > indent:
                    raise _Unsupported
                return items

    def _inline(self, text: str, column: int) -> Any:
        """The value written on the current line (`text`, after `key: ` or `- `); moves past the lines it takes."""
        head = text[0]
        if head == "|":
            return self._literal(text.rstrip(" "), column)
        self.index += 1
        if head == "'":
            value, end = _single_quoted(text, 0)
        elif head == '"':
            value, end = _double_quoted_value(text, 0)
        elif head in "{[":
            value, end = self._flow(text, 0)
        else:
            value = text.rstrip(" ")
            if head in _PLAIN_FIRST_INDICATORS or ": " in value or " #" in value or value.endswith(":"):
                raise _Unsupported
            return _plain_scalar(value)
        if text[end:].strip(" "):
            raise _Unsupported
        return value

    def _literal(self, indicator: str, column: int) -> str:
        """A `|` or `|-` block whose lines are indented by two more than its key (the writer's only block scalar)."""
        if indicator not in ("|", "|-"):
            raise _Unsupported
        indent = column + 2
        pad = " " * indent
        lines = self.lines
        index = self.index + 1
        body: list[str] = []
        while index < self.count:
            line = lines[index]
            if not line:
                if not body:
                    raise _Unsupported  # a block starting with an empty line
                body.append("")
            elif line.startswith(pad) and len(line) > indent and line[indent] != " ":
                body.append(line[indent:])
            elif not line.strip(" ") or len(line) - len(line.lstrip(" ")) >= indent:
                raise _Unsupported  # spaces that may be content, or a line indented deeper than the first
            else:
                break
            index += 1
        if not body or (index == self.count and lines[-1]):
            raise _Unsupported  # an empty block, or one ending the file without a line break
        while not body[-1]:
            body.pop()
        self.index = index
        return "\n".join(body) + ("\n" if indicator == "|" else "")

    def _flow(self, text: str, start: int) -> tuple[Any, int]:  # noqa: C901
        """A flow mapping or list opening at text[start] and closing on the same line; (value, index after it)."""
        closing = "}" if text[start] == "{" else "]"
        result: Any
        if closing == "}":
            result = _Map()
            result.line = self.index  # the caller has already moved past this line
            result.key_lines = {}
        else:
            words = _FLOW_WORDS.match(text, start)
            if words is not None:
                return [_plain_scalar(word) for word in words.group(1).split(", ")], words.end()
            result = []
        empty = _FLOW_EMPTY.match(text, start + 1)
        if empty is not None and empty.group(1) == closing:
            return result, empty.end()
        position = start + 1
        while True:
            item = _FLOW_ITEM.match(text, position)
            if item is None:
                raise _Unsupported
            key, single, double, opening, plain, separator = item.groups()
            if opening is not None:
                value, position = self._flow(text, item.end() - 1)
                after = _FLOW_SEPARATOR.match(text, position)
                if after is None:
                    raise _Unsupported
                separator, position = after.group(1), after.end()
            else:
                if separator is None:
                    raise _Unsupported
                if single is not None:
                    value = single.replace("''", "'")
                elif double is not None:
                    value = _unescape(double) if "\\" in double else double
                else:
                    value = _plain_scalar(plain.rstrip(" "))
                position = item.end()
            if (key is None) != (closing == "]"):
                raise _Unsupported
            if key is not None:
                if key in result.key_lines or (key not in _FAST_KEYS and not _good_key(key)):
                    raise _Unsupported
                result.key_lines[key] = result.line
                result[key] = value
            else:
                result.append(value)
            if separator == closing:
                return result, position
            if separator != ",":
                raise _Unsupported


def _fast_load(text: str, entry_hook: Callable[[Any, int], Any] | None = None) -> _Map | None:
    """The document as `_Loader` would build it (each block of `entries` through `entry_hook`), if the text keeps to
    the writer's layout; None otherwise."""
    if _FAST_UNSAFE.search(text):
        return None
    try:
        return _FastReader(text, entry_hook).document()
    except _Unsupported:
        return None


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
        root = _fast_load(text, _read_early)
        try:
            if root is None:
                root = yaml.load(text, Loader=_Loader)
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
    if not isinstance(root, _Map):
        raise _Bad(1, f"expected a mapping with '{HEADER_KEY}' and 'entries'")
    _check_fields(root, (HEADER_KEY, "entries"), "file")
    if HEADER_KEY not in root:
        raise _Bad(root.line, f"missing the '{HEADER_KEY}' header; this is not an enriched.yaml")
    header = root[HEADER_KEY]
    if (
        not isinstance(header, _Map)
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
        elif isinstance(block, _Map):
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
    if not isinstance(block, _Map):
        return block
    try:
        return _ReadBlock(_read_item(block, index), block.line)
    except _Bad:
        return block


def _check_fields(data: _Map, allowed: Sequence[str], where: str) -> None:
    for name in data:
        if name not in allowed:
            raise _Bad(data.line_of(name), f"{where}: unknown field '{name}'")


def _read_item(block: _Map, index: int) -> Resolved:
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
    if not isinstance(curated, _Map):
        raise _Bad(block.line_of("curated"), f"{where}: 'curated' must be a mapping")
    record = block["record"]
    if not isinstance(record, _Map):
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


def _read_entry(entry_id: str, data: _Map, where: str) -> Entry:
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


def _read_provenance(block: _Map, where: str) -> dict[str, Provenance]:
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


def _as_map(value: Any, line: int, where: str) -> _Map:
    if not isinstance(value, _Map):
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


def _decode_dataclass(data: _Map, cls: type, where: str, required: Sequence[str] = ()) -> Any:
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


def _make_decoder(hint: Any) -> Callable[[Any, int, str], Any]:  # noqa: C901
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        decode_inner = _decoder(inner[0]) if len(inner) == 1 else _fail("a value of one type")
        return lambda raw, line, where: None if raw is None else decode_inner(raw, line, where)
    if origin is Literal:
        allowed = args

        def decode_literal(raw: Any, line: int, where: str) -> Any:
            if raw not in allowed:
                raise _Bad(line, f"{where}: {raw!r} is not one of {', '.join(map(str, allowed))}")
            return raw

        return decode_literal
    if origin is tuple:
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
    if hint is str:
        return _decode_str
    if hint is int:
        return _decode_int
    if hint is float:
        return _decode_float
    if hint is bool:
        return _decode_bool
    if hint is PartialDate:
        return _decode_date
    if isinstance(hint, type) and issubclass(hint, Enum):
        enum = hint

        def decode_enum(raw: Any, line: int, where: str) -> Enum:
            try:
                return enum(raw)
            except ValueError:
                raise _Bad(line, f"{where}: {raw!r} is not one of {', '.join(str(m.value) for m in enum)}") from None

        return decode_enum
    if dataclasses.is_dataclass(hint):
        cls = hint
        return lambda raw, line, where: _decode_dataclass(_as_map(raw, line, where), cls, where)  # type: ignore[arg-type]
    return _fail(f"a value of type {hint}")


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
