"""A GitHub-flavoured Markdown awesome list to a curated list: headings to sections, table rows and bullets to entries.

markdown-it-py reads the Markdown (CommonMark with GFM tables, raw HTML kept as HTML blocks); html_table reads the
raw `<table>`s. The list's own text (title, badges, introduction, notes, contributing) is kept as Markdown source.
Whatever is not placed (a prose section, a code block, a commented-out row) becomes a notice with its line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .. import ids
from ..model import CuratedList, Entry, Kind, ListMeta, Section
from . import IdAllocator, Imported, ImportOptions, Notice, slug
from .rows import (
    Cell,
    CellLink,
    Row,
    clean_text,
    column_for,
    finish,
    link_role,
    order_links,
    place_links,
    section_kind,
    year_of,
)

_CONTRIBUTING = ("contributing", "contribute", "contribution", "how to contribute")
_SECTION_NUMBER = re.compile(r"^(\d+(\.\d+)*)\.?\s+")
_COMMENT = re.compile(r"^\s*<!--(?P<body>.*?)-->\s*$", re.DOTALL)
_BYLINE_YEAR = re.compile(r"(?<!\d)(\d{2}|(?:19|20)\d{2})\)?\s*$")
# What separates a bullet's parts: spaces, brackets, dashes (hyphen, en and em dash), stops.
_PUNCTUATION = " []()|-\u2013\u2014.,:"
_VENUE_PARENS = re.compile(r"^(?P<name>.*?)\s*\((?P<year>(?:19|20)\d{2})\)$")


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable("table")


@dataclass
class _SectionDraft:
    section: Section
    level: int
    line: int
    rows: list[Row] = field(default_factory=list)
    # what stays unplaced unless the section turns out to hold works
    prose: list[Notice] = field(default_factory=list)
    has_table: bool = False
    kind: Kind = "paper"


@dataclass(frozen=True, slots=True)
class _Block:
    """A top-level block: its tokens, and its lines (0-based start, end exclusive) in the source."""

    tokens: tuple[Token, ...]
    start: int
    end: int

    @property
    def type(self) -> str:
        return self.tokens[0].type.removesuffix("_open")


def read(path: str, text: str, options: ImportOptions) -> Imported:
    """The curated list a Markdown awesome list describes (`path` names it in notices only)."""
    return _Reader(text).read()


class _Reader:
    def __init__(self, text: str) -> None:
        self.md = _parser()
        self.lines = text.splitlines()
        self.blocks = list(_blocks(self.md.parse(text)))
        self.notices: list[Notice] = []
        self.title = ""
        self.icon = ""
        self.badges: list[str] = []
        self.intro: list[str] = []
        self.notes: list[str] = []
        self.contributing: tuple[str, str, list[str]] | None = None
        self.sections: list[_SectionDraft] = []
        self.empty_markers: dict[str, int] = {}

    # -- the document --------------------------------------------------------------------------

    def read(self) -> Imported:
        index = 0
        while index < len(self.blocks):
            index = self.block(index)
        return self.assemble()

    def block(self, index: int) -> int:
        """Read the block at `index`; returns the index of the next unread one."""
        block = self.blocks[index]
        kind = block.type
        if kind == "heading":
            self.heading(block)
        elif self.contributing is not None:
            self.contributing[2].append(self.source(block))
        elif kind == "paragraph":
            self.paragraph(block)
        elif kind == "blockquote":
            self.blockquote(block)
        elif kind == "table":
            return self.table(index)
        elif kind == "html_block":
            self.html(block)
        elif kind in ("bullet_list", "ordered_list"):
            self.bullets(block)
        elif kind in ("fence", "code_block"):
            info = block.tokens[0].info.strip().casefold()
            what = (
                "BibTeX block"
                if info in ("bib", "bibtex") or block.tokens[0].content.lstrip().startswith("@")
                else "code block"
            )
            self.notice(block.start, f"{what}: not imported")
        elif kind != "hr":
            self.notice(block.start, f"{kind.replace('_', ' ')}: not imported")
        return index + 1

    def heading(self, block: _Block) -> None:
        level = int(block.tokens[0].tag[1])
        text = _heading_text(block.tokens[1])
        icon, title = _split_icon(text)
        title = _SECTION_NUMBER.sub("", title).strip()
        self.contributing = None
        if level == 1 and not self.title and not self.sections:
            self.title, self.icon = title, icon
            return
        if title.casefold() in _CONTRIBUTING:
            self.contributing = (icon, title, [])
            return
        self.open_section(icon, title, level, block.start)

    def open_section(self, icon: str, title: str, level: int, start: int, *, hidden: bool = False) -> _SectionDraft:
        parent = next((d for d in reversed(self.sections) if d.level < level), None)
        draft = _SectionDraft(
            Section(id="", title=title, icon=icon, hidden=hidden, parent=parent.section.id if parent else None),
            level,
            start + 1,
            kind=section_kind(title),
        )
        taken = {d.section.id for d in self.sections}
        draft.section = replace(draft.section, id=IdAllocator(taken).allocate(slug(title, max_words=4), "section"))
        self.sections.append(draft)
        return draft

    @property
    def current(self) -> _SectionDraft | None:
        return self.sections[-1] if self.sections else None

    def paragraph(self, block: _Block) -> None:
        inline = block.tokens[1]
        if self.current is None:
            if _only_images(inline):
                self.badges.extend(line.strip() for line in self.lines[block.start : block.end] if line.strip())
            else:
                self.intro.append(self.source(block))
            return
        draft = self.current
        if not draft.section.description and not draft.rows and not draft.has_table:
            draft.section = replace(draft.section, description=_unemphasised(self.source(block, joined=True)))
            return
        if _only_images(inline):
            self.notice(block.start, "badges inside a section: not imported")
            return
        draft.prose.append(Notice(block.start + 1, f"paragraph in section '{draft.section.title}': not imported"))

    def blockquote(self, block: _Block) -> None:
        text = " ".join(re.sub(r"^\s*>\s?", "", line).strip() for line in self.lines[block.start : block.end]).strip()
        if self.current is None:
            self.notes.append(text)
            return
        draft = self.current
        if draft.section.see_also:
            draft.prose.append(
                Notice(block.start + 1, f"second quote in section '{draft.section.title}': not imported")
            )
            return
        draft.section = replace(draft.section, see_also=text)

    def html(self, block: _Block) -> None:
        content = block.tokens[0].content
        if "<table" in content.casefold():
            self.html_table(block)
            return
        comment = _COMMENT.match(content)
        if comment is None:
            self.notice(block.start, "HTML block: not imported")
            return
        body = comment.group("body").strip()
        inner = list(_blocks(self.md.parse(body)))
        if inner and inner[0].type == "heading":
            level = int(inner[0].tokens[0].tag[1])
            icon, title = _split_icon(_heading_text(inner[0].tokens[1]))
            draft = self.open_section(icon, _SECTION_NUMBER.sub("", title).strip(), level, block.start, hidden=True)
            rest = [b for b in inner[1:] if b.type == "paragraph"]
            if rest:
                description = " ".join(body.splitlines()[rest[0].start : rest[0].end]).strip()
                draft.section = replace(draft.section, description=_unemphasised(description))
            if any(b.type in ("table", "bullet_list") for b in inner):
                self.notice(block.start, f"commented-out rows of section '{title}': not imported")
            return
        if body.startswith("|") or "<tr" in body:
            self.notice(block.start, "commented-out table row: not imported")
            return
        current = self.current
        if current is not None and not current.section.comment and not current.section.description and not current.rows:
            current.section = replace(current.section, comment=" ".join(body.split()))
            return
        self.notice(block.start, "HTML comment: not imported")

    # -- tables ----------------------------------------------------------------------------------

    def table(self, index: int) -> int:
        """Read a table and the rows that continue it after commented-out rows; returns the next block's index."""
        block = self.blocks[index]
        header = [_cell(token, block.start + 1) for token in _inlines(block.tokens, "th")]
        body_rows = _rows(block.tokens)
        rows = [(start, [_cell(t, start + 1) for t in cells]) for start, cells in body_rows]
        following = index + 1
        # A commented-out row ends a GFM table; the rows after it are still the table's.
        while following + 1 < len(self.blocks) and self._commented_row(self.blocks[following]):
            self.notice(self.blocks[following].start, "commented-out table row: not imported")
            continued = self.blocks[following + 1]
            if continued.type != "paragraph" or "|" not in self.lines[continued.start]:
                following += 1
                break
            rows += self._continued_rows(block, continued)
            following += 2
        if following < len(self.blocks) and self._commented_row(self.blocks[following]):
            self.notice(self.blocks[following].start, "commented-out table row: not imported")
            following += 1
        extra = {start: self._excess_cells(start, len(header)) for start, _ in rows}
        self.rows_of_table(header, [(start + 1, cells + extra[start]) for start, cells in rows], block.start + 1)
        return following

    def _commented_row(self, block: _Block) -> bool:
        if block.type != "html_block":
            return False
        comment = _COMMENT.match(block.tokens[0].content)
        return comment is not None and comment.group("body").strip().startswith("|")

    def _continued_rows(self, table: _Block, paragraph: _Block) -> list[tuple[int, list[Cell]]]:
        head = self.lines[table.start : table.start + 2]
        body = self.lines[paragraph.start : paragraph.end]
        tokens = self.md.parse("\n".join([*head, *body]))
        return [
            (paragraph.start + start - 2, [_cell(t, paragraph.start + start - 1) for t in cells])
            for start, cells in _rows(tokens)
        ]

    def _excess_cells(self, line_index: int, count: int) -> list[Cell]:
        """Cells beyond the header's count, which GFM drops: a list's rows often have one more than its header."""
        line = self.lines[line_index]
        if line.count("|") - line.count("\\|") <= count + 1:
            return []  # the header's count or fewer: nothing GFM dropped
        cells = _split_row(line)
        return [
            _cell_from_children(self.md.parseInline(text)[0].children or [], line_index + 1) for text in cells[count:]
        ]

    def html_table(self, block: _Block) -> None:
        from .html_table import parse_table

        table = parse_table(block.tokens[0].content, block.start + 1)
        self.notices.extend(table.notices)
        self.rows_of_table(
            list(table.header),
            [(row[0].line if row else block.start + 1, list(row)) for row in table.rows],
            block.start + 1,
        )

    def rows_of_table(self, header: list[Cell], rows: list[tuple[int, list[Cell]]], line: int) -> None:
        draft = self.current
        if draft is None:
            draft = self.open_section("", self.title or "Papers", 2, line - 1)
        draft.has_table = True
        columns = self.header_columns(header, draft, line)
        titles = {c: cell.text for c, cell in zip(columns, header, strict=True) if c is not None}
        listed: list[str] = []
        for row_line, cells in rows:
            row = Row(row_line, kind=draft.kind)
            for position, cell in enumerate(cells):
                if position >= len(header):
                    # a column beyond the header is named by the first row that fills it
                    while len(columns) <= position:
                        columns.append(None)
                    if columns[position] is None:
                        columns[position] = self._extra_column(cell, columns)
                column = columns[position]
                if column is not None:
                    self.fill(row, column, cell)
                elif not cell.is_empty:
                    row.notices.append(Notice(cell.line, f"cell {cell.text!r} in a column that is not imported"))
            self.add_row(draft, row)
            listed.extend(row.links)
        shown = [c for c in columns if c is not None and c not in ("notes", "tags", "links")]
        for role in dict.fromkeys(listed):
            if role not in shown:
                shown.append(role)
        draft.section = replace(
            draft.section,
            columns=tuple(shown),
            column_titles={c: t for c, t in titles.items() if c in shown and t != _default_title(c)},
        )

    def header_columns(self, header: list[Cell], draft: _SectionDraft, line: int) -> list[str | None]:
        columns: list[str | None] = []
        taken: set[str] = set()
        for cell in header:
            column = column_for(cell.text, draft.kind, taken)
            if column is None:
                self.notice(line - 1, f"column '{cell.text}' of section '{draft.section.title}': not imported")
            else:
                taken.add(column)
            columns.append(column)
        return columns

    def _extra_column(self, cell: Cell, columns: list[str | None]) -> str | None:
        """The column of a cell beyond the header: what its link is (a dataset, a project page), else none."""

        for link in cell.links:
            role = link_role(link)
            for choice in (role, "dataset", "project"):
                if choice is not None and choice not in columns:
                    return choice
        return None if cell.is_empty else "notes"

    def fill(self, row: Row, column: str, cell: Cell) -> None:
        if cell.is_empty and not cell.empty_links:
            marker = cell.text.strip("*_ ")
            if column not in ("abbr", "title"):
                self.empty_markers[marker] = self.empty_markers.get(marker, 0) + 1
            return
        filler = _FILLERS.get(column)
        if filler is not None:
            filler(row, cell)
        else:
            place_links(row, column, cell)
            if not cell.links and not cell.empty_links:
                row.notices.append(Notice(cell.line, f"{column} cell {cell.text!r} holds no link: not imported"))

    def add_row(self, draft: _SectionDraft, row: Row) -> None:
        self.notices.extend(row.notices)
        if not row.title:
            if row.abbr and row.links:
                row.title = row.abbr
                row.abbr = None
            else:
                self.notice(row.line - 1, "row without a title: not imported")
                return
        row.links = order_links(row.links)
        draft.rows.append(row)

    # -- bullets -----------------------------------------------------------------------------------

    def bullets(self, block: _Block) -> None:
        items = list(_list_items(block.tokens))
        hrefs = [
            t.attrs.get("href", "")
            for t in block.tokens
            if t.type == "inline"
            for t in t.children or []
            if t.type == "link_open"
        ]
        if hrefs and all(str(h).startswith("#") for h in hrefs):
            self.notice(block.start, "table of contents: not imported (sections are read from the headings)")
            return
        draft = self.current
        if draft is None:
            self.notice(block.start, "bullet list before the first section: not imported")
            return
        for start, inline in items:
            row = _bullet_row(inline, start + 1, draft.kind)
            if row is None:
                draft.prose.append(
                    Notice(start + 1, f"bullet in section '{draft.section.title}' lists no work: not imported")
                )
                continue
            self.add_row(draft, row)

    # -- assembling ------------------------------------------------------------------------------

    def assemble(self) -> Imported:
        with_works = {d.section.id for d in self.sections if d.rows}
        parents = {d.section.parent for d in self.sections if d.section.id in with_works}
        kept = [d for d in self.sections if d.section.id in with_works or d.section.id in parents or d.section.hidden]
        for draft in self.sections:
            if draft in kept:
                self.notices.extend(draft.prose)
            else:
                self.notice(draft.line - 1, f"section '{draft.section.title}' lists no works: not imported")
        sections = [d.section for d in kept]
        allocator = IdAllocator()
        entries: list[Entry] = []
        seen: dict[str, int] = {}
        for draft in kept:
            for row in draft.rows:
                work = _work_of(row)
                if work is not None and work in seen:
                    position = seen[work]
                    first = entries[position]
                    if draft.section.id != first.section and draft.section.id not in first.also_in:
                        entries[position] = replace(first, also_in=(*first.also_in, draft.section.id))
                    self.notice(
                        row.line,
                        f"'{row.title}' is listed again (first on line {first.line}): one entry in both sections",
                    )
                    continue
                entry_id = allocator.allocate(slug(_split_camel_case(row.abbr) if row.abbr else row.title, max_words=4))
                entry = finish(row, entry_id, draft.section.id)
                if work is not None:
                    seen[work] = len(entries)
                entries.append(entry)
        markers = sorted(self.empty_markers.items(), key=lambda item: -item[1])
        meta = ListMeta(
            title=self.title or "Bibliography",
            icon=self.icon,
            badges=tuple(self.badges),
            intro="\n\n".join(self.intro),
            notes=tuple(self.notes),
            contributing_title=self.contributing[1] if self.contributing else "Contributing",
            contributing_icon=self.contributing[0] if self.contributing else "",
            contributing="\n\n".join(t for t in self.contributing[2] if t) if self.contributing else "",
            empty_cell=markers[0][0] if markers and markers[0][0] else "null",
        )
        notices = sorted(self.notices, key=lambda n: n.line or 0)
        return Imported(CuratedList(meta, tuple(sections), tuple(entries)), tuple(notices))

    # -- helpers ---------------------------------------------------------------------------------

    def source(self, block: _Block, *, joined: bool = False) -> str:
        lines = [line.rstrip() for line in self.lines[block.start : block.end]]
        while lines and not lines[-1]:
            lines.pop()
        return " ".join(line.strip() for line in lines) if joined else "\n".join(lines)

    def notice(self, line_index: int, message: str) -> None:
        self.notices.append(Notice(line_index + 1, message))


def _fill_title(row: Row, cell: Cell) -> None:
    text = cell.text
    if cell.links and "paper" not in row.links:
        # the title as the paper link's text
        place_links(row, "paper", Cell(cell.text, cell.line, links=cell.links[:1]))
        text = cell.links[0].label or text
    row.title = clean_text(text)


def _fill_venue(row: Row, cell: Cell) -> None:
    row.venue = " ".join(cell.text.split())
    if cell.links:
        # the venue as the paper link's text (`[JAG2025](https://...)`)
        place_links(row, "paper" if "paper" not in row.links else "project", cell)
        row.links = {
            role: replace(link, label=None) if link.label == row.venue else link for role, link in row.links.items()
        }


def _fill_abbr(row: Row, cell: Cell) -> None:
    row.abbr = clean_text(cell.text)
    if cell.links:
        place_links(row, "paper", cell)


def _fill_year(row: Row, cell: Cell) -> None:
    row.year = year_of(cell.text)


def _fill_host(row: Row, cell: Cell) -> None:
    row.host = cell.text


def _fill_authors(row: Row, cell: Cell) -> None:
    row.authors_text = cell.text


def _fill_notes(row: Row, cell: Cell) -> None:
    row.notes = cell.text


def _fill_tags(row: Row, cell: Cell) -> None:
    row.tags += [tag.strip() for tag in re.split(r"[&,;/]| and ", cell.text) if tag.strip()]


def _fill_links(row: Row, cell: Cell) -> None:
    """A "Link" column: each link goes where its label or host says (a repository to code), else it is the paper."""
    for link in cell.links:
        role = link_role(link) or ("paper" if "paper" not in row.links else "project")
        place_links(row, role, Cell(cell.text, cell.line, links=(link,)))


# column -> how a cell of it fills the row; a column not here is a link column (paper, code, dataset, ...)
_FILLERS: dict[str, Callable[[Row, Cell], None]] = {
    "title": _fill_title,
    "abbr": _fill_abbr,
    "venue": _fill_venue,
    "year": _fill_year,
    "host": _fill_host,
    "authors": _fill_authors,
    "notes": _fill_notes,
    "tags": _fill_tags,
    "links": _fill_links,
}


def _blocks(tokens: Sequence[Token]) -> Iterator[_Block]:
    """The top-level blocks of a token stream, each with its source lines."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        end = index
        if token.nesting == 1:
            depth = 0
            for end in range(index, len(tokens)):
                depth += tokens[end].nesting
                if depth == 0:
                    break
        start_line, end_line = token.map or (0, 0)
        yield _Block(tuple(tokens[index : end + 1]), start_line, end_line)
        index = end + 1


def _inlines(tokens: Sequence[Token], cell_tag: str) -> Iterator[Token]:
    for position, token in enumerate(tokens):
        if token.type == f"{cell_tag}_open":
            yield tokens[position + 1]


def _rows(tokens: Sequence[Token]) -> list[tuple[int, list[Token]]]:
    """The body rows of a table: each row's 0-based line and the inline token of each of its cells."""
    rows: list[tuple[int, list[Token]]] = []
    in_body = False
    for position, token in enumerate(tokens):
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tr_open" and in_body:
            rows.append(((token.map or (0, 0))[0], []))
        elif token.type == "td_open" and rows:
            rows[-1][1].append(tokens[position + 1])
    return rows


def _split_row(line: str) -> list[str]:
    """A table row's cells as GFM splits them: at pipes that are not escaped, leading and trailing pipe optional."""
    cells: list[str] = []
    current: list[str] = []
    escaped = False
    for char in line.strip():
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
    cells.append("".join(current))
    if line.strip().startswith("|"):
        cells = cells[1:]
    if line.strip().endswith("|") and not line.strip().endswith("\\|"):
        cells = cells[:-1]
    return [cell.strip() for cell in cells]


def _cell(inline: Token, line: int) -> Cell:
    return _cell_from_children(inline.children or [], (inline.map[0] + 1) if inline.map else line)


def _cell_from_children(children: Sequence[Token], line: int) -> Cell:
    text: list[str] = []
    bold: list[str] = []
    links: list[CellLink] = []
    empty_links = 0
    strong = 0
    link: tuple[str, list[str]] | None = None
    for token in children:
        kind = token.type
        if kind in ("text", "code_inline", "softbreak", "hardbreak") or (kind == "html_inline" and _is_break(token)):
            piece = token.content if kind in ("text", "code_inline") else " "
            text.append(piece)
            if link is not None:
                link[1].append(piece)
            elif strong:
                bold.append(piece)
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "link_open":
            link = (str(token.attrs.get("href", "")).strip(), [])
        elif kind == "link_close" and link is not None:
            url, label = link
            link = None
            if url:
                links.append(CellLink(" ".join("".join(label).split()), url))
            else:
                empty_links += 1
    return Cell(" ".join("".join(text).split()), line, " ".join("".join(bold).split()), tuple(links), empty_links)


def _is_break(token: Token) -> bool:
    return token.content.strip().casefold().replace(" ", "") in ("<br>", "<br/>", "<br />".replace(" ", ""))


def _heading_text(inline: Token) -> str:
    """A heading's text without inline HTML (`<ins>`, `<a name=...>`) or emphasis markers."""
    return " ".join("".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline")).split())


def _split_icon(text: str) -> tuple[str, str]:
    """`🌍 Awesome Geospatial Embeddings` -> (`🌍`, `Awesome Geospatial Embeddings`)."""
    position = 0
    while position < len(text) and (
        unicodedata.category(text[position]) in ("So", "Sk", "Mn", "Cf", "Me") or text[position] in "\ufe0f\u200d"
    ):
        position += 1
    return text[:position].strip(), text[position:].strip()


def _only_images(inline: Token) -> bool:
    """A paragraph of badges: images (linked or not) and the spaces between them, nothing else."""
    children = inline.children or []
    return any(c.type == "image" for c in children) and all(
        c.type in ("image", "link_open", "link_close", "softbreak", "hardbreak")
        or (c.type == "text" and not c.content.strip())
        for c in children
    )


def _unemphasised(text: str) -> str:
    """A description without the `*...*` it is set in."""
    text = text.strip()
    for marker in ("***", "**", "*", "_"):
        if len(text) > 2 * len(marker) and text.startswith(marker) and text.endswith(marker):
            inner = text[len(marker) : -len(marker)]
            if marker not in inner:
                return inner.strip()
    return text


def _default_title(column: str) -> str:
    from ..exporters.markdown import COLUMN_TITLES

    return COLUMN_TITLES.get(column, column)


def _list_items(tokens: Sequence[Token]) -> Iterator[tuple[int, Token]]:
    """Each item of a bullet list (nested ones too): its 0-based line and its first paragraph's inline token."""
    for position, token in enumerate(tokens):
        if token.type == "list_item_open":
            following = tokens[position + 1 : position + 3]
            if len(following) == 2 and following[0].type == "paragraph_open":
                yield (token.map or (0, 0))[0], following[1]


@dataclass
class _Segment:
    kind: str  # text, link, em, break
    text: str
    url: str = ""
    bold: bool = False


def _segments(inline: Token) -> list[_Segment]:
    segments: list[_Segment] = []
    link: _Segment | None = None
    em: _Segment | None = None
    strong = 0
    for token in inline.children or []:
        kind = token.type
        if kind in ("text", "code_inline"):
            target = link or em
            if target is not None:
                target.text += token.content
                target.bold = target.bold or strong > 0
            else:
                segments.append(_Segment("text", token.content, bold=strong > 0))
        elif kind in ("softbreak", "hardbreak") or (kind == "html_inline" and _is_break(token)):
            if link is None and em is None:
                segments.append(_Segment("break", " "))
        elif kind == "link_open":
            link = _Segment("link", "", url=str(token.attrs.get("href", "")).strip())
        elif kind == "link_close" and link is not None:
            segments.append(link)
            link = None
        elif kind == "em_open" and link is None:
            em = _Segment("em", "")
        elif kind == "em_close" and em is not None:
            segments.append(em)
            em = None
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
    return segments


def _bullet_row(inline: Token, line: int, kind: Kind) -> Row | None:
    """A bullet that lists a work: `[**Title**](url) *(Author et al., 21)*` with a description on the next line,
    or `Title. [[paper](url)] [[code](url)] <br> *Venue (Year)*`."""
    segments = _segments(inline)
    links = [s for s in segments if s.kind == "link" and s.url]
    if not links:
        return None
    row = Row(line, kind=kind)
    first = next((s for s in segments if s.kind != "break" and s.text.strip(_PUNCTUATION)), None)
    rest_start = 0
    if first is not None and first.kind == "link":
        row.title = clean_text(first.text)
        place_links(row, _title_link_role(first), Cell(first.text, line, links=(CellLink("", first.url),)))
        rest_start = segments.index(first) + 1
    else:
        title_parts = []
        for position, segment in enumerate(segments):
            if segment.kind != "text":
                rest_start = position
                break
            title_parts.append(segment.text)
        row.title = clean_text("".join(title_parts).rstrip(_PUNCTUATION))
    description: list[str] = []
    after_break = False
    for segment in segments[rest_start:]:
        if segment.kind == "link" and segment.url:
            place_links(
                row,
                _bullet_link_role(segment, row),
                Cell(segment.text, line, links=(CellLink(segment.text, segment.url),)),
            )
        elif segment.kind == "em":
            _read_em(row, segment.text)
        elif segment.kind == "break":
            after_break = True
        elif after_break or segment.text.strip(_PUNCTUATION):
            description.append(segment.text)
    text = " ".join("".join(description).split()).strip(_PUNCTUATION)
    if text:
        row.notes = f"{row.notes}\n{text}" if row.notes else text
    return row if row.title else None


def _title_link_role(segment: _Segment) -> str:

    role = link_role(CellLink("", segment.url))
    return role if role in ("code", "dataset", "project") else "paper"


def _bullet_link_role(segment: _Segment, row: Row) -> str:

    role = link_role(CellLink(segment.text, segment.url))
    if role is None:
        return "paper" if "paper" not in row.links else "project"
    return role


def _read_em(row: Row, text: str) -> None:
    """An emphasised part of a bullet: a byline `(Author et al., 21)` (the year, the rest kept in notes) or a venue."""
    text = " ".join(text.split()).strip()
    inner = text.strip("()")
    if "et al" in inner or re.search(r"\band\b", inner):
        found = _BYLINE_YEAR.search(inner)
        if found:
            digits = found.group(1)
            row.year = int(digits) if len(digits) == 4 else 2000 + int(digits)
        row.notes = inner
        return
    venue = _VENUE_PARENS.match(inner) or _VENUE_PARENS.match(text)
    row.venue = f"{venue.group('name')} {venue.group('year')}" if venue else text


def _split_camel_case(abbr: str) -> str:
    """`LossyNeuralCompression` -> `Lossy Neural Compression`; acronyms (`GeoCLIP`, `SeCo`) stay whole."""
    return re.sub(r"(?<=[a-z])(?=[A-Z][a-z]{2,})", " ", abbr)


def _work_of(row: Row) -> str | None:
    """What makes two rows the same work: the paper's identifier, else its URL, else its title."""
    paper = row.links.get("paper")
    if paper is not None:
        found = ids.identify(paper.url)
        if found is not None:
            return found.standard_id if found.scheme != "arxiv" else f"arxiv:{found.value}"
        return paper.url.rstrip("/").casefold()
    from ..matching import normalize_title

    return f"title:{normalize_title(row.title)}" if row.kind == "paper" else None
