"""Raw HTML `<table>`s inside Markdown (awesome lists use them for `rowspan` and `<br>` in cells) to rows of cells.

The standard library's `html.parser` is enough: the tables are hand-written and small, and it reports every
position, which the notices need. A `rowspan` cell is repeated in the rows it spans; a commented-out row is
reported, not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from . import Notice
from .rows import Cell, CellLink


@dataclass
class _CellDraft:
    line: int
    header: bool
    rowspan: int = 1
    colspan: int = 1
    parts: list[str] = field(default_factory=list)
    bold: list[str] = field(default_factory=list)
    links: list[CellLink] = field(default_factory=list)
    empty_links: int = 0


@dataclass(frozen=True, slots=True)
class HtmlTable:
    """The header cells and the body rows, `rowspan`s expanded, with what was left out."""

    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notices: tuple[Notice, ...]


class _TableParser(HTMLParser):
    def __init__(self, first_line: int) -> None:
        super().__init__(convert_charrefs=True)
        self.first_line = first_line
        self.rows: list[list[_CellDraft]] = []
        self.cell: _CellDraft | None = None
        self.bold = 0
        self.link: tuple[str, list[str]] | None = None
        self.notices: list[Notice] = []

    def _line(self) -> int:
        return self.first_line + self.getpos()[0] - 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            if not self.rows:
                self.rows.append([])
            self.cell = _CellDraft(
                self._line(), tag == "th", _span(values.get("rowspan")), _span(values.get("colspan"))
            )
            self.rows[-1].append(self.cell)
        elif tag == "br":
            self._text(" ")
        elif tag in ("b", "strong"):
            self.bold += 1
        elif tag == "a" and self.cell is not None:
            self.link = (values.get("href", "").strip(), [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.cell = None
        elif tag in ("b", "strong"):
            self.bold = max(self.bold - 1, 0)
        elif tag == "a" and self.link is not None and self.cell is not None:
            url, label_parts = self.link
            self.link = None
            if url:
                self.cell.links.append(CellLink(" ".join("".join(label_parts).split()), url))
            else:
                self.cell.empty_links += 1

    def handle_data(self, data: str) -> None:
        self._text(data)

    def handle_comment(self, data: str) -> None:
        if "<td" in data or "<tr" in data or "|" in data:
            self.notices.append(Notice(self._line(), "commented-out table row: not imported"))

    def _text(self, text: str) -> None:
        if self.cell is None:
            return
        self.cell.parts.append(text)
        if self.link is not None:
            self.link[1].append(text)
        elif self.bold:
            self.cell.bold.append(text)


def _span(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 100 else 1


def _cell(draft: _CellDraft) -> Cell:
    return Cell(
        text=" ".join("".join(draft.parts).split()),
        line=draft.line,
        bold=" ".join("".join(draft.bold).split()),
        links=tuple(draft.links),
        empty_links=draft.empty_links,
    )


def parse_table(html: str, first_line: int) -> HtmlTable:
    """The table in an HTML block starting on `first_line` (1-based)."""
    parser = _TableParser(first_line)
    parser.feed(html)
    parser.close()
    grid: list[list[Cell]] = []
    # column index -> (cell, rows still to cover) for cells with rowspan > 1
    carried: dict[int, tuple[Cell, int]] = {}
    header: tuple[Cell, ...] = ()
    for drafts in parser.rows:
        if not drafts:
            continue
        if not header and all(d.header for d in drafts):
            header = tuple(_cell(d) for d in drafts for _ in range(d.colspan))
            continue
        row: list[Cell] = []
        pending = list(drafts)
        column = 0
        while pending or any(index >= column for index in carried):
            if column in carried:
                cell, left = carried[column]
                row.append(cell)
                carried[column] = (cell, left - 1)
                if left - 1 <= 0:
                    del carried[column]
                column += 1
                continue
            if not pending:
                column += 1
                continue
            draft = pending.pop(0)
            cell = _cell(draft)
            for offset in range(draft.colspan):
                row.append(cell if offset == 0 else Cell("", draft.line))
                if draft.rowspan > 1:
                    carried[column + offset] = (cell, draft.rowspan - 1)
            column += draft.colspan
        grid.append(row)
    if not header and grid:
        header, grid = tuple(grid[0]), grid[1:]
    return HtmlTable(header, tuple(tuple(r) for r in grid), tuple(parser.notices))
