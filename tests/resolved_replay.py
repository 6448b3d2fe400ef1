"""The bundled list resolved against the loopback fake services (replay bodies), once per test session.

The catalog holds reconstructed data (fixtures/replay/PROVENANCE.md): tests may check that it exports, compiles and
renders cleanly, never assert on the synthetic values.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from urllib.parse import unquote

from conftest import MAILTO, REPO_ROOT
from fakeservices import FakeServices
from geoemb_bib.catalog import build_catalog
from geoemb_bib.entries import load_entries
from geoemb_bib.fetch import Fetcher, FetchSettings
from geoemb_bib.model import Catalog
from geoemb_bib.resolve import RefreshResult, refresh


@functools.lru_cache(maxsize=1)
def resolved_bundled_catalog() -> Catalog:
    curated = load_entries("entries.yaml", (REPO_ROOT / "entries.yaml").read_bytes())
    with FakeServices() as fake, tempfile.TemporaryDirectory() as cache:
        settings = FetchSettings(base_urls=fake.base_urls, cache_dir=Path(cache), mailto=MAILTO, arxiv_interval=0.2)
        with Fetcher(settings) as fetcher:
            result = refresh(curated, {}, fetcher, now="2026-11-27T00:00:00Z")
    return build_catalog(curated, {item.entry.id: item for item in result.items})


def refresh_text(text: str) -> tuple[RefreshResult, list[str]]:
    """An entries.yaml text refreshed from scratch against the fake services: the result, and every request made
    (`service target`, unquoted)."""
    curated = load_entries("entries.yaml", text.encode("utf-8"))
    with FakeServices() as fake, tempfile.TemporaryDirectory() as cache:
        settings = FetchSettings(
            base_urls=fake.base_urls, cache_dir=Path(cache), mailto="tests@example.org", arxiv_interval=0.2
        )
        with Fetcher(settings) as fetcher:
            result = refresh(curated, {}, fetcher, now="2026-11-27T00:00:00Z")
        requests = [unquote(f"{request.service} {request.target}") for request in fake.log]
    return result, requests
