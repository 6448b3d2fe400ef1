"""The list itself as Markdown: sections with generated numbers, one table per section, every link kept.

As listed (`markdown_as_listed`), it reproduces the curated list; otherwise titles and venues come from the
resolved records, so a preprint that found its version of record shows the venue, and unresolved rows are marked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Catalog, Entry, Resolved, Section
from ..text import INVISIBLE
from . import ExportOptions

COLUMN_TITLES = {
    "abbr": "Abbr.",
    "title": "Title",
    "venue": "Publication",
    "paper": "Paper",
    "code": "Code",
    "dataset": "Dataset",
    "year": "Year",
    "host": "Host / Platform",
    "challenge": "Link",
    "authors": "Authors",
    "project": "Project",
    "demo": "Demo",
    "video": "Video",
    "slides": "Slides",
    "blog": "Blog",
    "model": "Model",
}
LINK_COLUMNS = ("paper", "code", "dataset", "challenge", "project", "demo", "video", "slides", "blog", "model")
DEFAULT_LINK_LABELS = {"code": "Code", "dataset": "Dataset", "challenge": "Link"}
UNRESOLVED_MARK = "⚠️"
# Venues of published records are shown as "<venue text>", preprints keep the listed text; a row whose
# status is one of these is marked so a maintainer sees what is still open.
MARKED_STATUSES = ("unresolved", "conflict")
# Said once, under the last table, whenever a row carries the mark: a reader of the list must not have to guess.
MARK_LEGEND = (
    f"{UNRESOLVED_MARK} not confirmed yet: the venue is as listed, no service has confirmed it (unresolved), or "
    "services disagree about it (conflict)"
)
# OpenReview appends how a paper was presented ("NeurIPS 2023 poster"); the list shows the venue and year only.
_PRESENTATION = re.compile(r"\s+(?:poster|oral|spotlight|notable[- ]top[- ]\d+%?|top[- ]\d+%?)\s*$", re.IGNORECASE)


def export(catalog: Catalog, options: ExportOptions) -> str:
    return "\n".join(_document(catalog, options)).rstrip("\n") + "\n"


def _document(catalog: Catalog, options: ExportOptions) -> Iterator[str]:
    meta = catalog.meta
    yield f"# {_join(meta.icon, meta.title)}"
    yield ""
    if meta.badges:
        yield from meta.badges
        yield ""
    if meta.intro:
        yield meta.intro
        yield ""
    for note in meta.notes:
        yield f"> {note}"
        yield ""
    numbers = _section_numbers(catalog.sections)
    for section in catalog.sections:
        if section.parent is None and not section.hidden:
            yield "---"
            yield ""
        yield from _section(catalog, section, numbers[section.id], options)
    if not options.markdown_as_listed and any(item.status in MARKED_STATUSES for item in catalog.items):
        yield f"*{MARK_LEGEND}*"
        yield ""
    if meta.contributing:
        yield "---"
        yield ""
        yield f"## {_join(meta.contributing_icon, meta.contributing_title)}"
        yield meta.contributing
        yield ""


def _section_numbers(sections: tuple[Section, ...]) -> dict[str, str]:
    """`1`, `2`, ... for sections and `8.1`, `8.2` for subsections; a hidden section takes the next number
    without using it up, so the visible numbering has no gap."""
    numbers: dict[str, str] = {}
    top = 0
    children: dict[str, int] = {}
    for section in sections:
        if section.parent is None:
            number = top + 1
            if not section.hidden:
                top = number
            numbers[section.id] = str(number)
        else:
            parent_number = numbers.get(section.parent, "?")
            count = children.get(section.parent, 0) + 1
            if not section.hidden:
                children[section.parent] = count
            numbers[section.id] = f"{parent_number}.{count}"
    return numbers


def _section(catalog: Catalog, section: Section, number: str, options: ExportOptions) -> Iterator[str]:
    level, label = ("##", f"{number}.") if section.parent is None else ("###", number)
    lines = [f"{level} {_join(section.icon, f'{label} {section.title}')}"]
    if section.comment:
        lines.append(f"<!-- {section.comment} -->")
    if section.description:
        lines.append(f"*{section.description}*")
    if section.hidden:
        yield "<!-- " + "\n".join(lines).replace("<!-- ", "").replace(" -->", "") + " -->"
        yield ""
        return
    yield from lines
    yield ""
    if section.see_also:
        yield from (f"> {line}" for line in section.see_also.splitlines())
        yield ""
    items = [item for item in catalog.items if section.id in (item.entry.section, *item.entry.also_in)]
    if not items and any(s.parent == section.id for s in catalog.sections):
        return
    columns = section.columns
    if options.markdown_authors and "authors" not in columns and not options.markdown_as_listed:
        columns = (*columns[:2], "authors", *columns[2:])
    yield "| " + " | ".join(section.column_titles.get(c, COLUMN_TITLES[c]) for c in columns) + " |"
    yield "|" + "|".join("-" * (len(section.column_titles.get(c, COLUMN_TITLES[c])) + 2) for c in columns) + "|"
    for item in items:
        yield "| " + " | ".join(_cell(item, column, catalog, options) for column in columns) + " |"
    yield ""


def _cell(item: Resolved, column: str, catalog: Catalog, options: ExportOptions) -> str:
    entry = item.entry
    empty = catalog.meta.empty_cell
    if column == "abbr":
        return f"**{_escape(entry.abbr)}**" if entry.abbr else "-"
    if column == "title":
        title = entry.title if options.markdown_as_listed or not item.record.title else item.record.title
        return f"**{_escape(title)}**"
    if column == "venue":
        venue = entry.venue if options.markdown_as_listed else _resolved_venue(item)
        text = _escape(venue) if venue else empty
        if not options.markdown_as_listed and item.status in MARKED_STATUSES:
            text = f"{text} {UNRESOLVED_MARK}"
        return text
    if column == "year":
        year = entry.year or (item.record.issued.year if item.record.issued else None)
        return str(year) if year else empty
    if column == "host":
        return _escape(entry.host) if entry.host else empty
    if column == "authors":
        names = [person.display() for person in item.record.author] or [p.display() for p in entry.authors]
        if len(names) > 3:
            names = [names[0], "et al."]
        return _escape(", ".join(names)) if names else empty
    if column in LINK_COLUMNS:
        link = entry.link(column)
        if link is None:
            return empty
        return f"[{_escape_label(link.label or default_label(entry, column))}]({_escape_url(link.url)})"
    raise KeyError(column)


def _resolved_venue(item: Resolved) -> str | None:
    """The venue to show: the version of record's short venue once published, else the listed text.

    A listed venue the record confirms (not a preprint server, same year) stays as the curator wrote it ("GRSM 2025");
    otherwise the record's short form: OpenReview's venue without the presentation kind ("NeurIPS 2023 poster" ->
    "NeurIPS 2023"), or the container's short title or full title with the year.
    """
    record, listed = item.record, item.entry.venue
    if item.status != "published":
        return listed
    year = record.issued.year if record.issued else None
    if listed and year and not listed.casefold().startswith("arxiv") and str(year) in listed:
        return listed
    if record.venue:
        return _PRESENTATION.sub("", record.venue)
    container = record.container_title_short or record.event_title or record.container_title
    if container:
        return f"{container} {year}" if year and str(year) not in container else container
    return listed


def default_label(entry: Entry, role: str) -> str:
    """The label a link shows when the curator gave none (an import leaves out labels equal to it)."""
    if role == "paper":
        return entry.abbr or "Paper"
    return DEFAULT_LINK_LABELS.get(role, role.capitalize())


def _join(icon: str, text: str) -> str:
    return f"{icon} {text}" if icon else text


def _escape(text: str) -> str:
    # A pipe ends a table cell and a line break ends the row; both must not come from data. Nor may markup a service
    # sends: `<` opens raw HTML or an autolink, `](` a link (to javascript: as easily as to https:), and control or
    # bidirectional-override characters make the file read differently from what it holds.
    text = INVISIBLE.sub("", text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("](", "]\\(")
    return " ".join(text.split())


def _escape_label(text: str) -> str:
    return _escape(text).replace("[", "\\[").replace("]", "\\]")


def _escape_url(url: str) -> str:
    url = url.replace(" ", "%20").replace("|", "%7C")
    # CommonMark keeps balanced parentheses in a link target (`wiki/Map_(disambiguation)`); others would end it.
    if _balanced(url):
        return url
    return url.replace("(", "%28").replace(")", "%29")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0
