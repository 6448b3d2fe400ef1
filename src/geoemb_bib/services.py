"""The metadata services: one row each with everything config, fetch, the sources and the command line know of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

# The sources records come from; a source may answer on more than one host (OpenReview's API v1 and v2).
SourceName = Literal["arxiv", "crossref", "openreview"]

HOUR = 3600.0
DAY = 24 * HOUR


@dataclass(frozen=True, slots=True)
class Service:
    """One host we ask: its name in queries, statistics and the cache, and the source its answers belong to."""

    name: str
    source: SourceName
    label: str  # how the user reads it in the run's summary
    base_url: str
    url_variable: str  # the environment variable that points it elsewhere (a mirror, the tests' loopback fake)
    ttl: float  # seconds a fresh answer is reused from the cache


# A given arXiv version and a Crossref deposit rarely change within a week; OpenReview notes change when a venue
# decides (venueid, pdate, _bibtex), so a day keeps "accepted" news fresh without re-asking on every run.
SERVICES: tuple[Service, ...] = (
    Service("arxiv", "arxiv", "arxiv", "https://export.arxiv.org", "GEOEMB_BIB_ARXIV_URL", 7 * DAY),
    Service("crossref", "crossref", "crossref", "https://api.crossref.org", "GEOEMB_BIB_CROSSREF_URL", 7 * DAY),
    Service("openreview", "openreview", "openreview", "https://api2.openreview.net", "GEOEMB_BIB_OPENREVIEW_URL", DAY),
    Service(
        "openreview_v1",
        "openreview",
        "openreview v1",
        "https://api.openreview.net",
        "GEOEMB_BIB_OPENREVIEW_V1_URL",
        DAY,
    ),
)
BY_NAME: Mapping[str, Service] = {service.name: service for service in SERVICES}
SERVICE_NAMES: tuple[str, ...] = tuple(BY_NAME)
SOURCE_NAMES: tuple[SourceName, ...] = tuple(dict.fromkeys(service.source for service in SERVICES))
