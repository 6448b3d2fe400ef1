"""The YAML layout of the files this tool writes: an emitter of its block style and a fast reader of exactly that style.

enriched.py (the lock file's schema) writes and reads through it, and entries.py quotes the values of the entries it
adds with `curated_scalar`, in the style of the hand-written entries.yaml. Text in, text out: no files, no schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import yaml

# The C loader where PyYAML was built with it (several times faster), chosen once at import.
BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# -- writing ----------------------------------------------------------------------------------------------------


class Flow(dict):  # type: ignore[type-arg]
    """A mapping written on one line (a person, a provenance group): one author per line diffs well."""


# The emitter below writes the block style PyYAML would (indentless lists, flow mappings for Flow) about ten
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
    if isinstance(value, Flow):
        out.append(" " + _flow(value) + "\n")
    elif isinstance(value, dict):
        if not value:
            out.append(" {}\n")
            return
        out.append("\n")
        emit_mapping(value, pad + "  ", out)
    elif isinstance(value, list):
        if not value:
            out.append(" []\n")
            return
        out.append("\n")
        for element in value:
            emit_list_item(element, pad, out)
    elif isinstance(value, str) and (lines := _literal_lines(value)) is not None:
        out.append(" " + lines[0] + "\n")
        out.extend(f"{pad}  {line}\n" if line else "\n" for line in lines[1:])
    else:
        out.append(" " + _scalar(value) + "\n")


def emit_mapping(data: Mapping[str, Any], pad: str, out: list[str]) -> None:
    for key, value in data.items():
        out.append(f"{pad}{_scalar(key)}:")
        _emit_value_after_key(value, pad, out)


def emit_list_item(value: Any, pad: str, out: list[str]) -> None:
    if isinstance(value, dict) and not isinstance(value, Flow) and value:
        first = True
        for key, inner in value.items():
            out.append(f"{pad}- {_scalar(key)}:" if first else f"{pad}  {_scalar(key)}:")
            _emit_value_after_key(inner, pad + "  ", out)
            first = False
    elif isinstance(value, (Flow, dict)):
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


def curated_scalar(value: str) -> str:
    """A value in entries.yaml's hand-written style: plain when it is a simple word or phrase, else a JSON string (a
    valid YAML double-quoted scalar: safe for colons, quotes, '#' and non-ASCII alike)."""
    plain = _CURATED_PLAIN.match(value) and not value.endswith(" ")
    return value if plain and not _CURATED_TYPED.match(value) else json.dumps(value, ensure_ascii=False)


def curated_block(value: str, indent: int) -> str:
    """A curated value as a one-line YAML value, or a literal block (`|-`) indented by `indent` when it spans lines."""
    if "\n" not in value or value[:1].isspace() or any(line != line.rstrip() for line in value.splitlines()):
        return curated_scalar(value)
    pad = " " * indent
    return "|-\n" + "\n".join(f"{pad}{line}" if line else "" for line in value.splitlines())


_CURATED_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$")
# Plain text YAML would read as something else (a number, a boolean, null, a date).
_CURATED_TYPED = re.compile(r"^(\d[\d._]*|true|false|yes|no|on|off|null|~|\d{4}-\d{2}-\d{2}.*)$", re.IGNORECASE)


# -- reading ----------------------------------------------------------------------------------------------------


class Map(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers its line and the line of each key, for error messages."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, name: str) -> int:
        return self.key_lines.get(name, self.line)


class Loader(BaseLoader):  # type: ignore[misc,valid-type]  # the C loader where built, chosen at import
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "YAML anchors and aliases (&name / *name) are not allowed", node.start_mark
            )
        return super().construct_object(node, deep=deep)


def _construct_map(loader: Loader, node: yaml.MappingNode) -> Iterator[Map]:
    data = Map()
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


Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
# Dates and timestamps stay text: `issued` and `fetched_at` are parsed by the model, never by YAML.
Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in BaseLoader.yaml_implicit_resolvers.items()
}


# -- the fast reader: the writer's own layout, read without PyYAML ------------------------------------------------
#
# PyYAML (even its C loader) needs 2 ms per entry, 20 s for a list of 10,000, most of it building nodes and marks
# the layout above never needs. The writer emits a small, regular subset of YAML: block mappings indented by two,
# indentless block lists, one-line flow mappings and lists, plain, quoted and literal scalars. `fast_load` reads
# exactly that subset into the same `Map` tree (values, types, and the line of every mapping and key) that
# `Loader` builds, and gives up on anything else it meets (a comment after a value, an anchor, a tab, a folded or
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
    """PyYAML's own resolver and constructors for plain scalars, with Loader's resolvers (no timestamps)."""

    yaml_implicit_resolvers = Loader.yaml_implicit_resolvers


_PLAIN_TYPES = _PlainTypes()
# First characters for which PyYAML tries an implicit type (int, float, bool, null, merge, value): any other plain
# scalar is text without asking.
_RESOLVED_FIRST = frozenset(first for first in Loader.yaml_implicit_resolvers if first)
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
        # Applied to each block of the top-level `entries` list as soon as it is read (enriched.py checks it there).
        self.entry_hook = entry_hook

    def document(self) -> Map:
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

    def _mapping(self, indent: int) -> Map:  # noqa: C901 - the hot loop of the fast reader, whole for speed
        """A block mapping whose keys start at column `indent`, the first one on the current line.

        The common lines (`key: plain value`, `key: 'quoted'`, the next key at the same column) are read in this
        loop; everything else goes through the general methods.
        """
        data = Map()
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

    def _flow(self, text: str, start: int) -> tuple[Any, int]:  # noqa: C901 - a scanner, whole for speed
        """A flow mapping or list opening at text[start] and closing on the same line; (value, index after it)."""
        closing = "}" if text[start] == "{" else "]"
        result: Any
        if closing == "}":
            result = Map()
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


def fast_load(text: str, entry_hook: Callable[[Any, int], Any] | None = None) -> Map | None:
    """The document as `Loader` would build it (each block of `entries` through `entry_hook`), if the text keeps to
    the writer's layout; None otherwise."""
    if _FAST_UNSAFE.search(text):
        return None
    try:
        return _FastReader(text, entry_hook).document()
    except _Unsupported:
        return None
