"""`import --update`: bring a list's later edits (new rows, retitled or relinked rows) into an existing entries.yaml.

Rows are matched to entries by identifier, then paper link, then title. Only what the list shows is updated (the
title, and the abbreviation, venue, year, host and links when the section has that column); the curator's own
fields (`key`, `override`, `ids`, `tags`, `notes`, `kind`, `authors`) are never touched, and the bytes of every
entry that did not change stay as they were: edits replace the changed values in place, new entries are inserted
the way `add` inserts them. Rows gone from the list are reported, never deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import yaml

from ..entries import (
    DEFAULT_SECTION,
    LINK_ROLES,
    insert_entry,
    render_link_value,
)
from ..exporters.markdown import default_label
from ..matching import normalize_title
from ..model import CuratedList, Entry, Link, Section
from ..yaml_layout import curated_block
from . import IdAllocator, Imported
from .writing import render_section

# Listed fields a row may change; each is synced only where the section shows it (a column), the title always.
SYNCED_FIELDS = ("title", "abbr", "venue", "year", "host")


@dataclass(frozen=True, slots=True)
class Change:
    """One entry the sync added or changed: its id and what changed (`title`, `venue`, `links.code`, ...)."""

    entry_id: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Removed:
    """An entry whose row is no longer in the list: reported, kept in entries.yaml."""

    entry_id: str
    line: int | None
    title: str


@dataclass(frozen=True, slots=True)
class SyncResult:
    text: str
    added: tuple[Change, ...]
    updated: tuple[Change, ...]
    removed: tuple[Removed, ...]
    new_sections: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.new_sections)


@dataclass(frozen=True, slots=True)
class _Edit:
    start: int
    end: int
    text: str


def sync(text: str, current: CuratedList, imported: Imported) -> SyncResult:
    """`text` (the entries.yaml `current` was read from) with the imported list's rows brought in."""
    section_map, new_sections = _map_sections(current.sections, imported.curated.sections)
    columns = {
        s.id: (set(s.columns) | {"title"}) & (imported.listed or set(s.columns) | {"title"})
        for s in imported.curated.sections
    }
    matches = _match(current.entries, imported.curated.entries)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    nodes = _entry_nodes(root)
    edits: list[_Edit] = []
    updated: list[Change] = []
    for index, row in enumerate(imported.curated.entries):
        entry = matches.get(index)
        if entry is None:
            continue
        wanted = replace(row, section=section_map[row.section])
        node = nodes.get(entry.id)
        if node is None:
            continue
        fields = _edit_entry(text, node, entry, wanted, columns[row.section], edits)
        if fields:
            updated.append(Change(entry.id, tuple(fields)))
    if new_sections and not any(key.value == "sections" for key, _ in (root.value if root else [])):
        # the entries of a file without sections are in the default one, which from now on must be named
        for node in nodes.values():
            present = _fields(node)
            if "section" not in present:
                indent = " " * node.value[0][0].start_mark.column
                edits.append(_insert_after(text, present["id"][1], f"{indent}section: {DEFAULT_SECTION.id}\n"))
    edited = _apply(text, edits)
    edited = _insert_sections(edited, current, new_sections)
    allocator = IdAllocator(e.id for e in current.entries)
    added: list[Change] = []
    for index, row in enumerate(imported.curated.entries):
        if index in matches:
            continue
        entry = replace(
            row,
            id=allocator.allocate(row.id),
            section=section_map[row.section],
            also_in=tuple(section_map[s] for s in row.also_in),
        )
        edited = insert_entry(edited, entry)
        added.append(Change(entry.id, ("new",)))
    matched = {id(entry) for entry in matches.values()}
    removed = tuple(Removed(e.id, e.line, e.title) for e in current.entries if id(e) not in matched)
    return SyncResult(edited, tuple(added), tuple(updated), removed, tuple(s.id for s in new_sections))


# -- matching ------------------------------------------------------------------------------------------


def _map_sections(current: Iterable[Section], imported: Iterable[Section]) -> tuple[dict[str, str], list[Section]]:
    """Imported section id -> the existing section with the same title (or id); the sections still to create."""
    by_title = {normalize_title(s.title): s.id for s in current}
    existing_ids = {s.id for s in current}
    mapping: dict[str, str] = {}
    new: list[Section] = []
    allocator = IdAllocator(existing_ids)
    for section in imported:
        found = by_title.get(normalize_title(section.title)) or (section.id if section.id in existing_ids else None)
        if found is None:
            found = allocator.allocate(section.id, "section")
            new.append(replace(section, id=found, parent=mapping.get(section.parent or "", section.parent)))
        mapping[section.id] = found
    return mapping, new


def _match(current: tuple[Entry, ...], rows: tuple[Entry, ...]) -> dict[int, Entry]:
    """Row index -> the entry it lists: by identifier, then paper (or challenge) link, then title; each entry once."""
    matches: dict[int, Entry] = {}
    taken: set[int] = set()
    keys: tuple[Callable[[Entry], set[str]], ...] = (
        lambda e: set(e.work_ids.standard_ids),
        lambda e: {_url(link.url) for link in e.links if link.role in ("paper", "challenge", "dataset")},
        lambda e: {normalize_title(e.title)},
    )
    for key in keys:
        index: dict[str, Entry] = {}
        for entry in current:
            if id(entry) not in taken:
                for value in key(entry):
                    index.setdefault(value, entry)
        for position, row in enumerate(rows):
            if position in matches:
                continue
            found = next((index[v] for v in key(row) if v in index and id(index[v]) not in taken), None)
            if found is not None:
                matches[position] = found
                taken.add(id(found))
    return matches


def _url(url: str) -> str:
    return url.rstrip("/").casefold().replace("http://", "https://")


# -- editing in place ----------------------------------------------------------------------------------


def _entry_nodes(root: yaml.Node | None) -> dict[str, yaml.MappingNode]:
    entries = next((value for key, value in root.value if key.value == "entries"), None) if root else None
    found: dict[str, yaml.MappingNode] = {}
    for item in entries.value if isinstance(entries, yaml.SequenceNode) else []:
        if isinstance(item, yaml.MappingNode):
            fields = _fields(item)
            if "id" in fields and isinstance(fields["id"][1], yaml.ScalarNode):
                found[fields["id"][1].value] = item
    return found


def _fields(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {key.value: (key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _edit_entry(
    text: str, node: yaml.MappingNode, entry: Entry, row: Entry, shown: set[str], edits: list[_Edit]
) -> list[str]:
    fields = _fields(node)
    changed: list[str] = []
    indent = " " * node.value[0][0].start_mark.column
    anchor = fields.get("title") or fields["id"]
    if row.section != entry.section and "section" in fields:
        edits.append(_replace_value(fields["section"][1], row.section))
        changed.append("section")
    for name in SYNCED_FIELDS:
        if name != "title" and name not in shown:
            continue
        old, new = getattr(entry, name), getattr(row, name)
        if old == new:
            continue
        changed.append(name)
        if new is None:
            if name in fields:
                edits.append(_delete_field(text, *fields[name]))
        elif name in fields:
            edits.append(_replace_value(fields[name][1], str(new)))
        else:
            edits.append(
                _insert_after(text, anchor[1], f"{indent}{name}: {curated_block(str(new), len(indent) + 2)}\n")
            )
    links, link_changes = _merged_links(entry, row, shown)
    if link_changes:
        changed.extend(f"links.{role}" for role in link_changes)
        block = "".join(f"{indent}  {link.role}: {render_link_value(link)}\n" for link in links)
        if "links" in fields:
            key, value = fields["links"]
            start = _line_start(text, key.start_mark.index)
            end = _line_end(text, _last_value_end(value))
            edits.append(_Edit(start, end, f"{indent}links:\n{block}" if links else ""))
        elif links:
            last = fields.get("venue") or anchor
            edits.append(_insert_after(text, last[1], f"{indent}links:\n{block}"))
    return changed


def _merged_links(entry: Entry, row: Entry, shown: set[str]) -> tuple[list[Link], list[str]]:
    """The entry's links with the listed roles taken from the row (a role the list does not show is kept)."""
    listed = {link.role for link in row.links} | (shown & set(LINK_ROLES))
    new = {link.role: link for link in entry.links if link.role not in listed}
    new.update({link.role: link for link in row.links})
    ordered = [new[role] for role in LINK_ROLES if role in new]
    before = {link.role: (link.url, link.label or default_label(entry, link.role)) for link in entry.links}
    after = {link.role: (link.url, link.label or default_label(row, link.role)) for link in ordered}
    changes = [role for role in LINK_ROLES if before.get(role) != after.get(role)]
    if not changes:
        return list(entry.links), []
    # keep an unchanged link exactly as the curator wrote it (an explicit default label stays)
    kept = {link.role: link for link in entry.links}
    return [kept[link.role] if link.role not in changes else link for link in ordered], changes


def _replace_value(node: yaml.Node, value: str) -> _Edit:
    return _Edit(node.start_mark.index, node.end_mark.index, curated_block(value, node.start_mark.column + 2))


def _delete_field(text: str, key: yaml.Node, value: yaml.Node) -> _Edit:
    return _Edit(_line_start(text, key.start_mark.index), _line_end(text, _last_value_end(value)), "")


def _insert_after(text: str, value: yaml.Node, line: str) -> _Edit:
    position = _line_end(text, _last_value_end(value))
    return _Edit(position, position, line)


def _last_value_end(node: yaml.Node) -> int:
    """Where a value's own text ends (a block mapping's end mark lies at the next key; its last value does not)."""
    if isinstance(node, yaml.MappingNode) and node.flow_style is False and node.value:
        return _last_value_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and node.flow_style is False and node.value:
        return _last_value_end(node.value[-1])
    return node.end_mark.index


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """The index just after the line holding `index - 1` (the end of a value) ends."""
    position = text.find("\n", max(index - 1, 0))
    return len(text) if position == -1 else position + 1


def _apply(text: str, edits: list[_Edit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


# -- new sections --------------------------------------------------------------------------------------


def _insert_sections(text: str, current: CuratedList, new: list[Section]) -> str:
    if not new:
        return text
    blocks = "".join("\n" + render_section(section) for section in new)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    top = {key.value: (key, value) for key, value in root.value} if root is not None else {}
    if "sections" in top and isinstance(top["sections"][1], yaml.SequenceNode) and top["sections"][1].value:
        position = _line_end(text, _last_value_end(top["sections"][1].value[-1]))
        return text[:position] + blocks + text[position:]
    # A file without sections lists its entries in the default one, which must now be written out.
    uses_default = any(entry.section == DEFAULT_SECTION.id for entry in current.entries)
    first = render_section(DEFAULT_SECTION) if uses_default else ""
    key = top["entries"][0]
    position = _line_start(text, key.start_mark.index)
    if "sections" in top:
        position = _line_start(text, top["sections"][0].start_mark.index)
        end = _line_end(text, top["sections"][1].end_mark.index)
        text = text[:position] + text[end:]
    return text[:position] + "sections:\n" + first + blocks + "\n" + text[position:]
