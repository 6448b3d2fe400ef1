"""The Markdown exporter regenerates the published list from entries.yaml: every row and every link survives."""

from __future__ import annotations

import re

from conftest import FIXTURES, REPO_ROOT
from geoemb_bib.catalog import build_catalog, unresolved_item
from geoemb_bib.entries import load_entries
from geoemb_bib.exporters import ExportOptions, export
from geoemb_bib.model import Catalog, Entry, Link, ListMeta, PartialDate, Record, Resolved, Section

SEED = (FIXTURES / "seed-awesome-geospatial-embeddings.md").read_text(encoding="utf-8")
LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def bundled_catalog() -> Catalog:
    return build_catalog(load_entries("entries.yaml", (REPO_ROOT / "entries.yaml").read_bytes()), {})


def table_rows(markdown: str) -> list[list[str]]:
    """Data rows of every table, as lists of stripped cells."""
    rows = []
    for line in markdown.splitlines():
        if not line.startswith("|") or set(line) <= {"|", "-", " "}:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] in ("Abbr.", "Year"):
            continue
        rows.append(cells)
    return rows


def row_signature(cells: list[str]) -> tuple[str, frozenset[tuple[str, str]], frozenset[str]]:
    """What a row says: its bold title, the links it holds, and its plain-text cells (venue, year, host, null)."""
    bold = [c for c in cells if c.startswith("**") and c.endswith("**")]
    title = bold[-1].strip("*")
    links = frozenset(LINK.findall(" ".join(cells)))
    plain = frozenset(c for c in cells if not c.startswith("**") and not LINK.search(c) and c not in ("-", "null"))
    return title, links, plain


def test_every_row_of_the_published_list_survives_the_round_trip() -> None:
    regenerated = export("markdown", bundled_catalog(), ExportOptions(markdown_as_listed=True))
    seed_rows = [row_signature(cells) for cells in table_rows(SEED)]
    ours = [row_signature(cells) for cells in table_rows(regenerated)]
    assert len(seed_rows) == 25
    assert ours == seed_rows


def test_every_link_of_the_published_list_survives_the_round_trip() -> None:
    regenerated = export("markdown", bundled_catalog(), ExportOptions(markdown_as_listed=True))
    assert sorted(set(LINK.findall(SEED))) == sorted(set(LINK.findall(regenerated)))


def test_absent_links_are_written_as_the_list_writes_them() -> None:
    regenerated = export("markdown", bundled_catalog(), ExportOptions(markdown_as_listed=True))
    geoclip = next(line for line in regenerated.splitlines() if line.startswith("| **GeoCLIP**"))
    assert geoclip.endswith("| null |")


def test_sections_are_numbered_in_order_and_subsections_under_their_parent() -> None:
    regenerated = export("markdown", bundled_catalog(), ExportOptions(markdown_as_listed=True))
    headings = [line for line in regenerated.splitlines() if line.startswith(("## ", "### "))]
    assert headings == [
        "## 📖 1. Surveys and Concept Papers",
        "## 📡 2. Location Embeddings",
        "## 🖼 3. Product Embeddings",
        "## 🧩 4. Aggregate / Multi-Observation Embeddings",
        "## 🧠 5. Evaluation and Analysis of Embeddings",
        "## 🏆 6. Open Challenges and Competitions",
        "## 🌎 7. Applications of Geospatial Embeddings",
        "## 🌐 8. Related Works (for context)",
        "### 🛰️ 8.1 Remote Sensing Representation Learning",
        "### 🔄 8.2 General Multimodal Embedding and Modality Gap Studies",
        "### 🌋 8.3 Potentially Interesting Works",
        "## 🤝 Contributing",
    ]
    assert "<!-- ## ⏱️ 4. Temporal / Time-Series Embeddings" in regenerated


def _one_item_catalog(entry: Entry, resolved: Resolved | None = None) -> Catalog:
    section = Section(id="papers", title="Papers", columns=("abbr", "title", "venue", "paper", "code"))
    return Catalog(meta=ListMeta(title="T"), sections=(section,), items=(resolved or unresolved_item(entry),))


def test_cells_cannot_break_the_table() -> None:
    entry = Entry(
        id="x",
        section="papers",
        title="A | B\nC",
        abbr="[X]",
        venue="Venue | 2025",
        links=(Link("paper", "https://example.org/a (b)|c"), Link("code", "https://example.org/c", label="Code [v2]")),
    )
    text = export("markdown", _one_item_catalog(entry), ExportOptions(markdown_as_listed=True))
    line = next(line for line in text.splitlines() if line.startswith("| **"))
    assert line == (
        "| **[X]** | **A \\| B C** | Venue \\| 2025 | [\\[X\\]](https://example.org/a%20(b)%7Cc) | [Code "
        "\\[v2\\]](https://example.org/c) |"
    )


def test_resolved_markdown_shows_the_version_of_record_and_marks_unresolved_rows() -> None:
    entry = Entry(id="geoclip", section="papers", title="GeoCLIP: as listed", abbr="GeoCLIP", venue="Arxiv 2023")
    published = Resolved(
        entry=entry,
        key="cepeda2023geoclip",
        status="published",
        evidence="verified",
        record=Record(
            source="merged",
            standard_id="openreview:I18BXotQ7j",
            title="GeoCLIP: as published",
            venue="NeurIPS 2023",
            issued=PartialDate(2023),
        ),
    )
    line = next(
        row
        for row in export("markdown", _one_item_catalog(entry, published), ExportOptions()).splitlines()
        if row.startswith("| **")
    )
    assert "| **GeoCLIP: as published** | NeurIPS 2023 |" in line
    unresolved = export("markdown", _one_item_catalog(entry), ExportOptions())
    assert "| Arxiv 2023 ⚠️ |" in unresolved


def test_a_url_with_unbalanced_parentheses_is_escaped_and_balanced_ones_kept() -> None:
    entry = Entry(
        id="x",
        section="papers",
        title="T",
        links=(Link("paper", "https://en.wikipedia.org/wiki/Map_(disambiguation)"), Link("code", "https://e.org/a)b")),
    )
    text = export("markdown", _one_item_catalog(entry), ExportOptions(markdown_as_listed=True))
    assert "(https://en.wikipedia.org/wiki/Map_(disambiguation))" in text
    assert "(https://e.org/a%29b)" in text


def test_the_mark_of_unconfirmed_rows_is_explained_once_and_only_when_used() -> None:
    from geoemb_bib.exporters.markdown import MARK_LEGEND, UNRESOLVED_MARK

    marked = export("markdown", bundled_catalog(), ExportOptions())
    assert UNRESOLVED_MARK in marked.split(MARK_LEGEND)[0], "rows are marked before the legend"
    assert marked.count(MARK_LEGEND) == 1
    assert MARK_LEGEND not in export("markdown", bundled_catalog(), ExportOptions(markdown_as_listed=True))
    from resolved_replay import resolved_bundled_catalog

    assert MARK_LEGEND not in export("markdown", resolved_bundled_catalog(), ExportOptions()), "nothing is marked"
