"""Records parsed from the replay corpus (RECONSTRUCTED bodies, see fixtures/replay/PROVENANCE.md) and the real list.

Tests that use these say "replay" and assert only on facts, never on the synthetic values PROVENANCE.md lists.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from geoemb_bib.entries import load_entries
from geoemb_bib.model import Entry, Record
from geoemb_bib.sources import arxiv, crossref, openreview

FIXTURES = Path(__file__).parent / "fixtures"
REPLAY = FIXTURES / "replay"
API_SAMPLES = FIXTURES / "api-samples"
REPO_ROOT = Path(__file__).parent.parent
FETCHED_AT = "2026-01-01T00:00:00Z"

_NAMESPACES = (
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" '
    'xmlns="http://www.w3.org/2005/Atom"'
)


@cache
def entries() -> dict[str, Entry]:
    """The real curated list, by entry id."""
    curated = load_entries("entries.yaml", (REPO_ROOT / "entries.yaml").read_bytes())
    return {entry.id: entry for entry in curated.entries}


def entry(entry_id: str) -> Entry:
    return entries()[entry_id]


@cache
def _known_feed() -> dict[str, Record]:
    feed = arxiv.parse_feed((REPLAY / "arxiv/feed-id_list-all-known.xml").read_bytes(), fetched_at=FETCHED_AT)
    return dict(feed.records)


def arxiv_record(arxiv_id: str, version: int | None = None) -> Record:
    """The latest replay version of an arXiv id, or the given version (wrapped into a feed per MANIFEST rules)."""
    if version is None:
        return _known_feed()[arxiv_id]
    snippet = (REPLAY / f"arxiv/entries/{arxiv_id}v{version}.xml").read_text(encoding="utf-8")
    snippet = snippet.replace(f"<entry {_NAMESPACES}>", "<entry>")
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<feed {_NAMESPACES}>\n'
        f"  <opensearch:totalResults>1</opensearch:totalResults>\n  <opensearch:startIndex>0</opensearch:startIndex>\n"
        f"{snippet}</feed>\n"
    ).encode()
    return arxiv.parse_feed(body, fetched_at=FETCHED_AT).records[arxiv_id]


def crossref_work(doi: str) -> Record:
    path = REPLAY / "crossref/works" / (doi.replace("/", "_") + ".json")
    return crossref.parse_work(path.read_bytes(), fetched_at=FETCHED_AT)


def crossref_search(slug: str) -> list[Record]:
    return crossref.parse_search((REPLAY / f"crossref/search/{slug}.json").read_bytes(), fetched_at=FETCHED_AT)


def openreview_note(note_id: str) -> Record:
    body = (REPLAY / f"openreview/notes/{note_id}.json").read_bytes()
    api = "v1" if b'"version":2' not in body.replace(b" ", b"") else "v2"
    (record,) = openreview.parse_notes(body, fetched_at=FETCHED_AT, api=api)
    return record


def openreview_search(slug: str) -> list[Record]:
    return openreview.parse_notes((REPLAY / f"openreview/search/{slug}.json").read_bytes(), fetched_at=FETCHED_AT)


def api_sample_search(name: str) -> list[Record]:
    """A REAL recorded Crossref list answer from fixtures/api-samples/crossref."""
    return crossref.parse_search((API_SAMPLES / "crossref" / name).read_bytes(), fetched_at=FETCHED_AT)
