"""Curated entries.yaml to `CuratedList` and back, with validation a curator can act on.

Every problem is reported as `path:line:column: <where>: <what>`; all problems of a file are collected
before raising one `EntriesError`, so a curator fixes them in one pass. The YAML is always loaded
with a safe loader, without anchors or aliases.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from . import ids
from .errors import EntriesError, InputError, Problem, did_you_mean
from .model import (
    CURATED_FIELDS,
    DEFAULT_COLUMNS,
    ITEM_TYPES,
    KINDS,
    OVERRIDE_FIELDS,
    CuratedIds,
    CuratedList,
    Entry,
    Link,
    ListMeta,
    Person,
    Section,
)
from .names import person_from_text
from .yaml_layout import BaseLoader, curated_block, curated_scalar

# A list of 10,000 entries takes about 3 MB; anything far larger is a mistake or an attack.
MAX_FILE_BYTES = 8 * 1024 * 1024

TOP_FIELDS = ("list", "sections", "entries")
# A list starts as `entries:` alone (what `geoemb-bib init` writes): the list's text and its sections come later.
REQUIRED_TOP_FIELDS = ("entries",)
# The list and the one section a file without `list:` or `sections:` has, so `add` works on a fresh folder.
DEFAULT_LIST_TITLE = "Bibliography"
DEFAULT_SECTION = Section(id="papers", title="Papers")
LIST_FIELDS = ("title", "icon", "badges", "intro", "notes", "contributing", "empty_cell")
CONTRIBUTING_FIELDS = ("title", "icon", "text")
SECTION_FIELDS = (
    "id",
    "title",
    "icon",
    "description",
    "comment",
    "hidden",
    "parent",
    "columns",
    "column_titles",
    "see_also",
)
ENTRY_FIELDS = ("id", *CURATED_FIELDS)
ID_FIELDS = ("arxiv", "doi", "openreview")
LINK_ROLES = ("paper", "code", "dataset", "challenge", "project", "demo", "video", "slides", "blog", "model")
LINK_FIELDS = ("url", "label")
PERSON_FIELDS = ("family", "given", "particle", "suffix", "literal")
COLUMNS = ("abbr", "title", "venue", "year", "host", "authors", *LINK_ROLES)

_ENTRY_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# Citation keys must be safe in BibTeX, biber, pandoc and file names: no braces, commas, spaces or slashes.
_CITATION_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_WHITESPACE = re.compile(r"\s")
# Characters YAML cannot hold at all (its printable set leaves out C0/C1 controls but tab, line feed, carriage
# return and NEL); the parser would reject them with a position in characters, not a line.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# More digits than any number a field allows: refused before int(), which has a limit of its own (4300 digits).
MAX_NUMBER_DIGITS = 9
# UTF-8 text decoded as Latin-1/Windows-1252 (Ã© for é, â€™ for ') or as Mac Roman (√© for é).
_MOJIBAKE = re.compile(r"Ã[\u0080-\u00bf]|â€|√[^\x00-\x7f]")


@dataclass(frozen=True, slots=True)
class _Where:
    line: int | None
    column: int | None


class _Collector:
    """Gathers problems with their position in the file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, node: yaml.Node | _Where | None, message: str) -> None:
        if node is None:
            self.problems.append(Problem(self.path, None, None, message))
            return
        if isinstance(node, _Where):
            self.problems.append(Problem(self.path, node.line, node.column, message))
            return
        mark = node.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message))


FIX_HINT = "fix the lines above, then run `geoemb-bib check`"


def load_entries(path: str, data: bytes) -> CuratedList:
    """Parse and validate entries.yaml given as bytes; raise EntriesError listing every problem."""
    collector = _Collector(path)
    text = _decode(data, collector)
    if text is None:
        raise EntriesError(collector.problems, hint=FIX_HINT)
    root = _compose(text, collector)
    if root is None:
        raise EntriesError(collector.problems, hint=FIX_HINT)
    reader = _Reader(collector)
    curated = reader.read_document(root)
    if collector.problems or curated is None:
        ordered = sorted(collector.problems, key=lambda p: (p.line or 0, p.column or 0))
        raise EntriesError(ordered, hint=FIX_HINT)
    return curated


def _decode(data: bytes, collector: _Collector) -> str | None:
    if len(data) > MAX_FILE_BYTES:
        collector.add(None, f"file is {len(data) / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return None
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        collector.add(_Where(1, 1), "file starts with a byte-order mark; save it as UTF-8 without BOM")
        return None
    if not data.strip():
        collector.add(_Where(1, 1), "file is empty; it needs at least `entries:`")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        collector.add(_Where(line, column), f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
        return None
    for number, line_text in enumerate(text.splitlines(), start=1):
        tab = line_text.find("\t")
        if tab != -1 and not line_text.lstrip().startswith("#"):
            collector.add(_Where(number, tab + 1), "tab character; YAML indentation and values must use spaces")
        unprintable = _UNPRINTABLE.search(line_text)
        if unprintable:
            collector.add(
                _Where(number, unprintable.start() + 1),
                f"control character U+{ord(unprintable.group(0)):04X}; YAML cannot hold it, delete it",
            )
        found = _MOJIBAKE.search(line_text)
        if found:
            collector.add(
                _Where(number, found.start() + 1),
                f"garbled characters {_shown(found.group(0))} (text decoded with the wrong encoding); retype them as "
                "UTF-8",
            )
    if collector.problems:
        return None
    return text


# A value that opens a quote: `title: "...` or `- '...`; the quote's column is group 1's end.
_QUOTED_VALUE = re.compile(r"""^(\s*(?:- )?(?:[^\s:'"#][^:#]*:\s+)?)(["'])""")


def _unclosed_quote(text: str, start: Any, end: Any) -> tuple[int, int] | None:
    """(line, column) of a quoted value left open on its line between two marks of a YAML error, or None.

    An unclosed quote swallows the lines after it, and PyYAML then reports the mapping that holds it (lines
    before) or the key it could not find (lines after); the curator has to look at the quote itself.
    """
    if end is None:
        return None
    lines = text.splitlines()
    first = start.line if start is not None else max(0, end.line - 50)
    for number in range(first, min(end.line + 1, len(lines))):
        found = _QUOTED_VALUE.match(lines[number])
        if found is None:
            continue
        quote, rest = found.group(2), lines[number][found.end() :]
        closed = re.search(r'(?<!\\)"', rest) if quote == '"' else re.search(r"'(?!')", rest.replace("''", ""))
        if closed is None:
            return number + 1, found.end(1) + 1
    return None


def _compose(text: str, collector: _Collector) -> yaml.Node | None:
    loader_class = BaseLoader
    try:
        if "&" in text or "*" in text:
            anchored = _first_anchor_outside_entries(text, loader_class)
            if anchored is not None:
                (line, column), field_name = anchored
                where = f"field '{field_name}': " if field_name else ""
                collector.add(_Where(line, column), f"{where}YAML anchors and aliases (&name / *name) are not allowed")
                return None
        root = yaml.compose(text, Loader=loader_class)
    except yaml.MarkedYAMLError as exc:
        problem = (exc.problem or "invalid YAML").strip()
        mark = exc.problem_mark
        unclosed = _unclosed_quote(text, exc.context_mark, mark)
        if unclosed is not None:
            line, column = unclosed
            ends = f" (YAML read on to line {mark.line + 1})" if mark is not None else ""
            collector.add(_Where(line, column), f"YAML syntax error: the quote opened here is not closed{ends}")
            return None
        if exc.context and exc.context_mark is not None:
            # "while scanning a quoted scalar" points at where the broken construct starts, which is where
            # the curator has to look; the problem mark is often the end of the file.
            where = f" at line {mark.line + 1}" if mark is not None else ""
            problem = f"{exc.context.strip()} that starts here: {problem}{where}"
            mark = exc.context_mark
        if mark is None:
            collector.add(None, f"YAML syntax error: {problem}")
        else:
            collector.add(_Where(mark.line + 1, mark.column + 1), f"YAML syntax error: {problem}")
        return None
    except yaml.YAMLError as exc:
        collector.add(None, f"YAML syntax error: {exc}")
        return None
    if root is None:
        collector.add(_Where(1, 1), "file holds no YAML document; it needs at least `entries:`")
    return root


def _first_anchor_outside_entries(text: str, loader_class: type) -> tuple[tuple[int, int], str | None] | None:
    """Where (line, column) the first anchor or alias is, and under which top-level field, unless that field is
    `entries`.

    The reader refuses an alias inside an entry with the entry's name; elsewhere (a billion-laughs bomb under
    made-up top-level keys) it would only see unknown fields, so the file is refused here, at the first `&` or `*`.
    """
    depth = 0
    top_key: str | None = None
    expecting_key = False
    for event in yaml.parse(text, Loader=loader_class):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            if top_key == "entries" and depth >= 1:
                return None
            mark = event.start_mark
            return ((mark.line + 1, mark.column + 1) if mark is not None else (1, 1)), top_key
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth == 1:
                expecting_key = isinstance(event, yaml.MappingStartEvent)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            if depth == 1:
                expecting_key = True
        elif isinstance(event, yaml.ScalarEvent) and depth == 1:
            if expecting_key:
                top_key, expecting_key = event.value, False
            else:
                expecting_key = True
    return None


class _Reader:
    """Walks the composed YAML nodes, building model objects and recording every problem."""

    def __init__(self, collector: _Collector) -> None:
        self.problems = collector
        self.seen_nodes: set[int] = set()
        # field names suggested by "did you mean" in the mapping just read; a field suggested there is not
        # reported again as missing
        self.suggested: set[str] = set()
        self.first_entry_with: dict[str, tuple[str, int]] = {}
        # the section an entry without `section` is in: only a file without `sections:` has one
        self.default_section: str | None = None

    # -- structural helpers -------------------------------------------------------------------

    def mapping(self, node: yaml.Node, where: str, allowed: tuple[str, ...]) -> dict[str, yaml.Node] | None:
        """The mapping's fields by name; reports duplicates, unknown fields and aliases."""
        if not self._first_visit(node, where):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problems.add(node, f"{where}: expected a mapping of fields, found {_describe(node)}")
            return None
        fields: dict[str, yaml.Node] = {}
        self.suggested = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.add(key_node, f"{where}: field names must be plain text")
                continue
            name = key_node.value
            if name in fields:
                first = fields[name].start_mark.line + 1
                self.problems.add(key_node, f"{where}: duplicate field '{name}' (first given on line {first})")
                continue
            if id(value_node) in self.seen_nodes:
                self.problems.add(
                    key_node, f"{where}: field '{name}': YAML anchors and aliases (&name / *name) are not allowed"
                )
                continue
            if name not in allowed:
                close = difflib.get_close_matches(name, list(allowed), n=1, cutoff=0.6)
                self.suggested.update(close)
                self.problems.add(key_node, f"{where}: unknown field '{name}'{_did_you_mean(name, allowed)}")
                continue
            fields[name] = value_node
        return fields

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        if not self._first_visit(node, where):
            return []
        if isinstance(node, yaml.ScalarNode) and _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problems.add(node, f"{where}: expected a list, found {_describe(node)}")
            return []
        return list(node.value)

    def text(
        self, node: yaml.Node | None, where: str, *, required: bool = False, multiline: bool = False
    ) -> str | None:
        """A scalar as the curator typed it (an unquoted `2503.01505` stays that text, not a float)."""
        if node is None:
            return None
        if not self._first_visit(node, where):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.problems.add(node, f"{where}: expected text, found {_describe(node)}")
            return None
        if _is_null(node):
            if required:
                self.problems.add(node, f"{where}: must not be empty")
            return None
        value: str = node.value
        if isinstance(value, str) and node.tag.endswith(":bool"):
            self.problems.add(
                node, f"{where}: expected text, found the boolean {_shown(value)}; quote it if it is text"
            )
            return None
        value = value.strip()
        if required and not value:
            self.problems.add(node, f"{where}: must not be empty")
            return None
        control = _CONTROL.search(value)
        if control or (not multiline and "\n" in value):
            self.problems.add(node, f"{where}: contains a control character or line break")
            return None
        return value

    def integer(self, node: yaml.Node | None, where: str, low: int, high: int) -> int | None:
        text = self.text(node, where)
        if text is None:
            return None
        if not (text.isascii() and text.isdigit()) or len(text) > MAX_NUMBER_DIGITS or not low <= int(text) <= high:
            self.problems.add(node, f"{where}: expected a whole number from {low} to {high}, found {_shown(text)}")
            return None
        return int(text)

    def boolean(self, node: yaml.Node | None, where: str) -> bool:
        if node is None or not self._first_visit(node, where):
            return False
        if not isinstance(node, yaml.ScalarNode) or node.value.lower() not in ("true", "false", "yes", "no"):
            self.problems.add(node, f"{where}: expected true or false")
            return False
        return node.value.lower() in ("true", "yes")

    def texts(self, node: yaml.Node | None, where: str) -> tuple[str, ...]:
        if node is None:
            return ()
        values = (
            self.text(item, f"{where}[{index}]", required=True) for index, item in enumerate(self.sequence(node, where))
        )
        return tuple(v for v in values if v is not None)

    def url(self, node: yaml.Node | None, where: str) -> str | None:
        value = self.text(node, where)
        if value is None:
            return None
        problem = url_problem(value)
        if problem:
            self.problems.add(node, f"{where}: {problem}")
            return None
        return value

    def _first_visit(self, node: yaml.Node, where: str) -> bool:
        # PyYAML turns an alias into a second reference to the anchored node; refusing any second visit
        # stops alias bombs (billion laughs) before they expand.
        if id(node) in self.seen_nodes:
            self.problems.add(node, f"{where}: YAML anchors and aliases (&name / *name) are not allowed")
            return False
        self.seen_nodes.add(id(node))
        return True

    # -- the document -------------------------------------------------------------------------

    def read_document(self, root: yaml.Node) -> CuratedList | None:
        top = self.mapping(root, "file", TOP_FIELDS)
        if top is None:
            return None
        for name in REQUIRED_TOP_FIELDS:
            if name not in top:
                self.problems.add(root, f"file: missing top-level field '{name}'")
        if any(name not in top for name in REQUIRED_TOP_FIELDS):
            return None
        meta = self.read_meta(top["list"]) if "list" in top else ListMeta(title=DEFAULT_LIST_TITLE)
        sections = self.read_sections(top["sections"]) if "sections" in top else [DEFAULT_SECTION]
        self.default_section = None if "sections" in top else DEFAULT_SECTION.id
        entries = self.read_entries(top["entries"], sections)
        if meta is None:
            return None
        return CuratedList(meta=meta, sections=tuple(sections), entries=tuple(entries))

    def read_meta(self, node: yaml.Node) -> ListMeta | None:
        fields = self.mapping(node, "list", LIST_FIELDS)
        if fields is None:
            return None
        title = self.text(fields.get("title"), "list: field 'title'", required=True)
        if "title" not in fields:
            self.problems.add(node, "list: missing field 'title'")
        contributing: dict[str, str | None] = {}
        if "contributing" in fields:
            parts = self.mapping(fields["contributing"], "list: field 'contributing'", CONTRIBUTING_FIELDS) or {}
            contributing = {
                name: self.text(parts.get(name), f"list: contributing '{name}'", multiline=name == "text")
                for name in CONTRIBUTING_FIELDS
            }
        return ListMeta(
            title=title or "",
            icon=self.text(fields.get("icon"), "list: field 'icon'") or "",
            badges=self.texts(fields.get("badges"), "list: field 'badges'"),
            intro=self.text(fields.get("intro"), "list: field 'intro'", multiline=True) or "",
            notes=tuple(
                self.text(n, "list: field 'notes'", multiline=True) or ""
                for n in self.sequence(fields["notes"], "list: field 'notes'")
            )
            if "notes" in fields
            else (),
            contributing_title=contributing.get("title") or "Contributing",
            contributing_icon=contributing.get("icon") or "",
            contributing=contributing.get("text") or "",
            empty_cell=self.text(fields.get("empty_cell"), "list: field 'empty_cell'") or "",
        )

    def read_sections(self, node: yaml.Node) -> list[Section]:  # noqa: C901
        sections: list[Section] = []
        first_line: dict[str, int] = {}
        for index, item in enumerate(self.sequence(node, "sections")):
            fields = self.mapping(item, f"section #{index + 1}", SECTION_FIELDS)
            if fields is None:
                continue
            section_id = self.text(fields.get("id"), f"section #{index + 1}: field 'id'", required=True)
            where = f"section '{section_id}'" if section_id else f"section #{index + 1}"
            if "id" not in fields:
                self.problems.add(item, f"{where}: missing field 'id'")
            if "title" not in fields:
                self.problems.add(item, f"{where}: missing field 'title'")
            if section_id and not _ENTRY_ID.match(section_id):
                self.problems.add(fields["id"], f"{where}: id must be lower-case letters, digits, '.', '_' or '-'")
            if section_id in first_line:
                self.problems.add(
                    fields["id"], f"{where}: duplicate section id (first on line {first_line[section_id]})"
                )
            elif section_id:
                first_line[section_id] = item.start_mark.line + 1
            columns = self.texts(fields.get("columns"), f"{where}: field 'columns'")
            for column in columns:
                if column not in COLUMNS:
                    self.problems.add(
                        fields["columns"], f"{where}: unknown column '{column}'{_did_you_mean(column, COLUMNS)}"
                    )
            column_titles: dict[str, str] = {}
            if "column_titles" in fields:
                titles = self.mapping(fields["column_titles"], f"{where}: field 'column_titles'", COLUMNS) or {}
                column_titles = {
                    name: self.text(value, f"{where}: column title '{name}'", required=True) or name
                    for name, value in titles.items()
                }
            sections.append(
                Section(
                    id=section_id or f"#{index + 1}",
                    title=self.text(fields.get("title"), f"{where}: field 'title'", required=True) or "",
                    icon=self.text(fields.get("icon"), f"{where}: field 'icon'") or "",
                    description=self.text(fields.get("description"), f"{where}: field 'description'", multiline=True)
                    or "",
                    comment=self.text(fields.get("comment"), f"{where}: field 'comment'", multiline=True) or "",
                    hidden=self.boolean(fields.get("hidden"), f"{where}: field 'hidden'"),
                    parent=self.text(fields.get("parent"), f"{where}: field 'parent'"),
                    columns=columns or DEFAULT_COLUMNS,
                    column_titles=column_titles,
                    see_also=self.text(fields.get("see_also"), f"{where}: field 'see_also'", multiline=True) or "",
                    line=item.start_mark.line + 1,
                )
            )
        known = {s.id for s in sections}
        for section in sections:
            if section.parent is not None and section.parent not in known:
                self.problems.add(
                    _Where(section.line, None),
                    f"section '{section.id}': parent '{section.parent}' is not a "
                    f"section{_did_you_mean(section.parent, known)}",
                )
            if section.parent == section.id:
                self.problems.add(
                    _Where(section.line, None), f"section '{section.id}': a section cannot be its own parent"
                )
        return sections

    def read_entries(self, node: yaml.Node, sections: list[Section]) -> list[Entry]:
        section_ids = tuple(s.id for s in sections)
        entries: list[Entry] = []
        for index, item in enumerate(self.sequence(node, "entries")):
            entry = self.read_entry(item, index, section_ids)
            if entry is not None:
                entries.append(entry)
        return entries

    def read_entry(self, node: yaml.Node, index: int, section_ids: tuple[str, ...]) -> Entry | None:
        provisional = f"entry #{index + 1}"
        peeked = _peek_scalar(node, "id")
        fields = self.mapping(node, f"entry '{peeked}'" if peeked else provisional, ENTRY_FIELDS)
        if fields is None:
            return None
        entry_id = self.text(fields.get("id"), f"{provisional}: field 'id'", required=True)
        where = f"entry '{entry_id}'" if entry_id else provisional
        for required in ("id", "section", "title"):
            if required == "section" and self.default_section is not None:
                continue
            if required not in fields and required not in self.suggested:
                self.problems.add(node, f"{where}: missing field '{required}'")
        if entry_id and not _ENTRY_ID.match(entry_id):
            self.problems.add(
                fields["id"],
                f"{where}: id must be lower-case letters, digits, '.', '_' or '-', found {_shown(entry_id)}",
            )
        section = self.text(fields.get("section"), f"{where}: field 'section'", required=True)
        if "section" not in fields:
            section = self.default_section
        if section is not None and section not in section_ids:
            self.problems.add(
                fields["section"], f"{where}: section '{section}' is not defined{_did_you_mean(section, section_ids)}"
            )
        also_in = self.texts(fields.get("also_in"), f"{where}: field 'also_in'")
        for other in also_in:
            if other not in section_ids or other == section:
                self.problems.add(
                    fields["also_in"],
                    f"{where}: also_in: section '{other}' is not defined{_did_you_mean(other, section_ids)}"
                    if other not in section_ids
                    else f"{where}: also_in: '{other}' is the entry's own section",
                )
        kind = self.text(fields.get("kind"), f"{where}: field 'kind'") or "paper"
        if kind not in KINDS:
            self.problems.add(
                fields["kind"],
                f"{where}: unknown kind '{kind}' (one of {', '.join(KINDS)}){_did_you_mean(kind, KINDS)}",
            )
        key = self.text(fields.get("key"), f"{where}: field 'key'")
        if key is not None and not _CITATION_KEY.match(key):
            self.problems.add(
                fields["key"],
                f"{where}: key {_shown(key)} must start with a letter and hold only letters, digits, '_', ':', '.', "
                "'-'",
            )
            key = None
        links = self.read_links(fields.get("links"), where)
        curated_ids = self.read_ids(fields.get("ids"), where, links)
        entry = Entry(
            id=entry_id or provisional,
            section=section or "",
            title=self.text(fields.get("title"), f"{where}: field 'title'", required=True) or "",
            kind=kind if kind in KINDS else "paper",
            abbr=_none_if_dash(self.text(fields.get("abbr"), f"{where}: field 'abbr'")),
            venue=self.text(fields.get("venue"), f"{where}: field 'venue'"),
            year=self.integer(fields.get("year"), f"{where}: field 'year'", 1000, 2999),
            host=self.text(fields.get("host"), f"{where}: field 'host'"),
            authors=self.read_people(fields.get("authors"), f"{where}: field 'authors'"),
            links=links,
            ids=curated_ids,
            key=key,
            override=self.read_override(fields.get("override"), where),
            tags=self.texts(fields.get("tags"), f"{where}: field 'tags'"),
            notes=self.text(fields.get("notes"), f"{where}: field 'notes'", multiline=True),
            also_in=also_in,
            line=node.start_mark.line + 1,
        )
        self.check_unique(entry, fields)
        return entry

    def read_links(self, node: yaml.Node | None, where: str) -> tuple[Link, ...]:
        if node is None or (isinstance(node, yaml.ScalarNode) and _is_null(node)):
            return ()
        fields = self.mapping(node, f"{where}: field 'links'", LINK_ROLES)
        if fields is None:
            return ()
        links = []
        for role, value in fields.items():
            here = f"{where}: link '{role}'"
            if isinstance(value, yaml.MappingNode):
                parts = self.mapping(value, here, LINK_FIELDS) or {}
                if "url" not in parts:
                    self.problems.add(value, f"{here}: missing field 'url'")
                    continue
                url = self.url(parts["url"], f"{here} url")
                label = self.text(parts.get("label"), f"{here} label")
            else:
                url = self.url(value, here)
                label = None
            if url is not None:
                links.append(Link(role=role, url=url, label=label))
        return tuple(links)

    def read_ids(self, node: yaml.Node | None, where: str, links: tuple[Link, ...]) -> CuratedIds:  # noqa: C901
        if node is None:
            return CuratedIds()
        fields = self.mapping(node, f"{where}: field 'ids'", ID_FIELDS) or {}
        values: dict[str, str | None] = {}
        arxiv_text = self.text(fields.get("arxiv"), f"{where}: ids.arxiv")
        if arxiv_text is not None:
            try:
                base, version = ids.parse_arxiv_id(arxiv_text)
                values["arxiv"] = f"{base}v{version}" if version else base
            except ValueError:
                self.problems.add(
                    fields["arxiv"],
                    f"{where}: ids.arxiv {_shown(arxiv_text)} is not an arXiv id (e.g. 2309.16020 or math/0211159)",
                )
        doi_text = self.text(fields.get("doi"), f"{where}: ids.doi")
        if doi_text is not None:
            try:
                doi = ids.normalize_doi(doi_text)
            except ValueError:
                self.problems.add(
                    fields["doi"], f"{where}: ids.doi {_shown(doi_text)} is not a DOI (e.g. 10.1609/aaai.v39i4.32457)"
                )
            else:
                if ids.is_arxiv_doi(doi):
                    self.problems.add(
                        fields["doi"],
                        f"{where}: ids.doi {_shown(doi_text)} is arXiv's own DOI; give the arXiv id as ids.arxiv "
                        "instead",
                    )
                else:
                    values["doi"] = doi
        openreview_text = self.text(fields.get("openreview"), f"{where}: ids.openreview")
        if openreview_text is not None:
            found = (
                ids.identify(openreview_text)
                if "://" in openreview_text
                else ids.Identifier("openreview", openreview_text)
            )
            if found is None or found.scheme != "openreview" or not re.match(r"^[A-Za-z0-9_\-]{6,20}$", found.value):
                self.problems.add(
                    fields["openreview"], f"{where}: ids.openreview {_shown(openreview_text)} is not an OpenReview id"
                )
            else:
                values["openreview"] = found.value
        for link in links:
            found = ids.identify(link.url)
            if found is None or found.scheme not in values:
                continue
            stated = values[found.scheme] or ""
            stated_base = ids.parse_arxiv_id(stated)[0] if found.scheme == "arxiv" else stated
            if stated_base != found.value:
                self.problems.add(
                    fields[found.scheme],
                    f"{where}: ids.{found.scheme} {_shown(stated)} differs from the {link.role} link's "
                    f"{_shown(found.value)}",
                )
        return CuratedIds(**values)

    def read_people(self, node: yaml.Node | None, where: str) -> tuple[Person, ...]:
        people = []
        for index, item in enumerate(self.sequence(node, where) if node is not None else []):
            here = f"{where}[{index}]"
            if isinstance(item, yaml.MappingNode):
                parts = self.mapping(item, here, PERSON_FIELDS) or {}
                values = {name: self.text(value, f"{here}.{name}") or "" for name, value in parts.items()}
                if not (values.get("family") or values.get("literal")):
                    self.problems.add(item, f"{here}: give 'family' (and 'given'), or 'literal' for an organisation")
                    continue
                people.append(
                    Person(
                        family=values.get("family", ""),
                        given=values.get("given", ""),
                        particle=values.get("particle", ""),
                        suffix=values.get("suffix", ""),
                        literal=values.get("literal", ""),
                    )
                )
            else:
                name = self.text(item, here, required=True)
                if name:
                    people.append(person_from_text(name))
        return tuple(people)

    def read_override(self, node: yaml.Node | None, where: str) -> dict[str, Any]:  # noqa: C901
        if node is None:
            return {}
        fields = self.mapping(node, f"{where}: field 'override'", OVERRIDE_FIELDS) or {}
        values: dict[str, Any] = {}
        for name, value in fields.items():
            here = f"{where}: override '{name}'"
            if name == "author":
                values[name] = self.read_people(value, here)
            elif name == "issued":
                text = self.text(value, here)
                if text is not None:
                    if not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", text):
                        self.problems.add(
                            value, f"{here}: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, found {_shown(text)}"
                        )
                    else:
                        values[name] = text
            elif name == "type":
                text = self.text(value, here)
                if text is not None and text not in ITEM_TYPES:
                    self.problems.add(
                        value,
                        f"{here}: unknown type {_shown(text)} (one of "
                        f"{', '.join(ITEM_TYPES)}){_did_you_mean(text, ITEM_TYPES)}",
                    )
                elif text is not None:
                    values[name] = text
            elif name == "doi":
                text = self.text(value, here)
                if text is not None:
                    try:
                        values[name] = ids.normalize_doi(text)
                    except ValueError:
                        self.problems.add(value, f"{here}: {_shown(text)} is not a DOI")
            elif name == "url":
                url = self.url(value, here)
                if url is not None:
                    values[name] = url
            else:
                text = self.text(value, here, multiline=name in ("abstract", "note"))
                if text is not None:
                    values[name] = text
        return values

    def check_unique(self, entry: Entry, fields: dict[str, yaml.Node]) -> None:
        """Report an id, pinned key or work (arXiv id, DOI, OpenReview id) an earlier entry already has."""
        where = f"entry '{entry.id}'"
        claims = [("id", entry.id, fields.get("id"))]
        if entry.key:
            claims.append(("key", entry.key, fields.get("key")))
        claims.extend(
            ("work", work_id, fields.get("ids") if not _links_name(entry, work_id) else fields.get("links"))
            for work_id in entry.work_ids.standard_ids
        )
        for kind, value, node in claims:
            first = self.first_entry_with.get(f"{kind}:{value}")
            if first is None:
                self.first_entry_with[f"{kind}:{value}"] = (entry.id, entry.line or 0)
                continue
            other_id, other_line = first
            if other_id == entry.id and kind == "work":
                continue
            message = {
                "id": f"{where}: duplicate id (first used on line {other_line})",
                "key": f"{where}: key '{value}' is already pinned by entry '{other_id}' on line {other_line}",
                "work": f"{where}: same paper as entry '{other_id}' on line {other_line} ({value})",
            }[kind]
            self.problems.add(node if node is not None else _Where(entry.line, None), message)


def url_problem(url: str) -> str | None:
    """Why a curated URL is unusable, or None when it is a well-formed http(s) URL."""
    if _WHITESPACE.search(url):
        return f"URL {_shown(url)} contains whitespace; encode spaces as %20"
    parts = urlsplit(url)
    if not parts.scheme:
        return f"{_shown(url)} is not an absolute URL (it should start with https://)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"URL {_shown(url)} uses the scheme '{parts.scheme}'; only http and https links are allowed"
    if not parts.hostname or ("." not in parts.hostname and parts.hostname != "localhost"):
        return f"URL {_shown(url)} has no valid host"
    return None


def _links_name(entry: Entry, work_id: str) -> bool:
    """Whether the work id comes from one of the entry's links (rather than from `ids`)."""
    return any((found := ids.identify(link.url)) is not None and found.standard_id == work_id for link in entry.links)


def _peek_scalar(node: yaml.Node, name: str) -> str | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == name and isinstance(value_node, yaml.ScalarNode):
            return value_node.value.strip() or None
    return None


def _none_if_dash(value: str | None) -> str | None:
    return None if value in (None, "-", "—") else value


def _is_null(node: yaml.ScalarNode) -> bool:
    return node.tag.endswith(":null") or (node.style is None and node.value in ("", "~", "null", "Null", "NULL"))


# A value quoted in a message is cut to this many characters: a problem stays one readable line even when the value
# is a 5 MB string or a 5,000-digit number.
SHOWN_LENGTH = 60


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 2] + "…" + text[-1]


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"{_shown(node.value)}"


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    return did_you_mean(name, choices)


# -- adding an entry without disturbing the curator's file ---------------------------------------------


def render_entry(entry: Entry, indent: int = 2) -> str:
    """The YAML block of one new entry, in the bundled file's style (`  - id: ...`), ending with a newline."""
    pad = " " * indent
    lines = [f"{pad}- id: {curated_scalar(entry.id)}", f"{pad}  section: {curated_scalar(entry.section)}"]
    if entry.kind != "paper":
        lines.append(f"{pad}  kind: {entry.kind}")
    if entry.abbr:
        lines.append(f"{pad}  abbr: {curated_scalar(entry.abbr)}")
    lines.append(f"{pad}  title: {curated_scalar(entry.title)}")
    if entry.venue:
        lines.append(f"{pad}  venue: {curated_scalar(entry.venue)}")
    if entry.year:
        lines.append(f"{pad}  year: {entry.year}")
    if entry.host:
        lines.append(f"{pad}  host: {curated_scalar(entry.host)}")
    lines.extend(
        f"{pad}  {name}: [{', '.join(values)}]"
        for name, values in (
            ("authors", [_yaml_person(p) for p in entry.authors]),
            ("also_in", [curated_scalar(s) for s in entry.also_in]),
        )
        if values
    )
    if entry.links:
        lines.append(f"{pad}  links:")
        lines.extend(f"{pad}    {link.role}: {render_link_value(link)}" for link in entry.links)
    stated = {name: getattr(entry.ids, name) for name in ID_FIELDS if getattr(entry.ids, name)}
    if stated:
        lines.append(
            f"{pad}  ids: {{" + ", ".join(f"{name}: {curated_scalar(value)}" for name, value in stated.items()) + "}"
        )
    if entry.key:
        lines.append(f"{pad}  key: {curated_scalar(entry.key)}")
    lines.extend(_curated_lines(entry, indent))
    return "\n".join(lines) + "\n"


def _curated_lines(entry: Entry, indent: int) -> list[str]:
    """The lines of the fields only a curator (or an import of their .bib) writes: override, tags, notes."""
    pad = " " * indent
    lines = []
    if entry.override:
        lines.append(f"{pad}  override:")
        for name, value in entry.override.items():
            shown = (
                "[" + ", ".join(_yaml_person(p) for p in value) + "]"
                if name == "author"
                else curated_block(str(value), indent + 6)
            )
            lines.append(f"{pad}    {name}: {shown}")
    if entry.tags:
        lines.append(f"{pad}  tags: [" + ", ".join(curated_scalar(t) for t in entry.tags) + "]")
    if entry.notes:
        lines.append(f"{pad}  notes: {curated_block(entry.notes, indent + 4)}")
    return lines


def render_link_value(link: Link) -> str:
    """A link's value in entries.yaml: the URL, or `{url, label}` when the label is not the default."""
    if not link.label:
        return curated_scalar(link.url)
    return f"{{url: {curated_scalar(link.url)}, label: {curated_scalar(link.label)}}}"


def _yaml_person(person: Person) -> str:
    parts = {name: getattr(person, name) for name in PERSON_FIELDS if getattr(person, name)}
    return "{" + ", ".join(f"{name}: {curated_scalar(value)}" for name, value in parts.items()) + "}"


def insert_entry(text: str, entry: Entry) -> str:
    """`text` with the entry's block inserted after the last entry of its section (or at the end of `entries`).

    Every other byte of the file is kept: comments, order, quoting and blank lines.
    """
    root = yaml.compose(text, Loader=BaseLoader)
    if not isinstance(root, yaml.MappingNode):
        raise InputError("the list has no top-level mapping to add the entry to")
    entries_node = next(value for key, value in root.value if key.value == "entries")
    items = list(entries_node.value) if isinstance(entries_node, yaml.SequenceNode) else []
    lines = text.splitlines(keepends=True)
    if not items:
        # `entries: []` or `entries:` with nothing under it: write the block under the key.
        key_line = next(key.start_mark.line for key, _ in root.value if key.value == "entries")
        lines[key_line] = "entries:\n"
        return "".join(lines[: key_line + 1]) + render_entry(entry) + "".join(lines[key_line + 1 :])
    same_section = [item for item in items if _peek_scalar(item, "section") == entry.section]
    anchor = (same_section or items)[-1]
    dash_column = max(anchor.start_mark.column - 2, 0)
    last_line = _last_content_line(lines, anchor)
    before, after = lines[: last_line + 1], lines[last_line + 1 :]
    if before and not before[-1].endswith("\n"):
        before[-1] += "\n"
    return "".join(before) + "\n" + render_entry(entry, indent=dash_column) + "".join(after)


def _last_content_line(lines: list[str], item: yaml.Node) -> int:
    """Index of the item's last line that holds YAML, skipping the blank lines and comments before the next item."""
    end = item.end_mark
    last = min(end.line, len(lines) - 1)
    if last == end.line and not lines[last][: end.column].strip():
        last -= 1  # the end mark sits on the next item's dash: that line is not ours
    while last > item.start_mark.line and (not lines[last].strip() or lines[last].lstrip().startswith("#")):
        last -= 1
    return last
