"""The naive baseline: what a per-entry script does, run against the same fake services.

For each paper, one after another: ask arXiv for its id alone, then Crossref (the DOI if one is known, from the list
or from arXiv's answer, else a title search), then OpenReview (the curated note id, on API v2 and then v1 if v2 does
not know it, else a title search), waiting 3 s after every answer (the arXiv rule, applied to everything, as such
scripts do to stay safe). No batching, no cache, no skipping of lookups an identifier already answered.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from bound import _identifiers
from geoemb_bib.model import CuratedList

ARXIV_RULE = 3.0
_ARXIV_DOI = re.compile(r"<arxiv:doi>([^<]+)</arxiv:doi>")


@dataclass
class NaiveResult:
    seconds: float
    requests: Counter[str] = field(default_factory=Counter)
    throttled: int = 0


def run_naive(curated: CuratedList, base_urls: dict[str, str], *, mailto: str, sleep: Any = time.sleep) -> NaiveResult:
    """Resolve every paper of the list the per-entry way; the requests it sent per service and the time it took."""
    result = NaiveResult(0.0)
    started = time.monotonic()
    with httpx.Client(headers={"User-Agent": f"naive-per-entry-script/1.0 (mailto:{mailto})"}, timeout=30.0) as client:

        def get(service: str, path: str, params: dict[str, str] | None = None) -> httpx.Response:
            response = client.get(base_urls[service] + path, params=params)
            result.requests[service] += 1
            result.throttled += response.status_code == 429
            sleep(ARXIV_RULE)
            return response

        for entry in curated.entries:
            if not entry.is_paper:
                continue
            arxiv_id, doi, note = _identifiers(entry)
            if arxiv_id:
                feed = get("arxiv", "/api/query", {"id_list": arxiv_id, "max_results": "1"}).text
                reported = _ARXIV_DOI.search(feed)
                if doi is None and reported and not reported.group(1).lower().startswith("10.48550/"):
                    doi = reported.group(1)
            if doi:
                get("crossref", f"/works/{doi}")
            else:
                get("crossref", "/works", {"query.bibliographic": entry.title, "rows": "5"})
            if note:
                if get("openreview", "/notes", {"id": note}).status_code == 404:
                    get("openreview_v1", "/notes", {"id": note})
            else:
                get("openreview", "/notes/search", {"term": entry.title, "limit": "10"})
    result.seconds = time.monotonic() - started
    return result
