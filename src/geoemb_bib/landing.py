"""What a landing-page link reveals: identifiers in its path, and the facts (venue, year, volume, first author, title
words) that publishers' URL layouts carry. An unknown host reveals nothing: nothing is guessed from it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from . import ids, venues

# Publisher paths that end in a DOI; the DOI is what follows the marker, up to a known trailing page name.
_DOI_PATHS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("dl.acm.org", re.compile(r"^/doi/(?:abs/|full/|pdf/|epdf/|fullHtml/)?(?P<doi>10\.\d{4,9}/.+)$")),
    ("link.springer.com", re.compile(r"^/(?:article|chapter|book|content/pdf)/(?P<doi>10\.\d{4,9}/.+?)(?:\.pdf)?$")),
    ("tandfonline.com", re.compile(r"^/doi/(?:abs/|full/|pdf/|epdf/|epub/)?(?P<doi>10\.\d{4,9}/.+)$")),
    ("onlinelibrary.wiley.com", re.compile(r"^/doi/(?:abs/|full/|pdf/|epdf/|pdfdirect/)?(?P<doi>10\.\d{4,9}/.+)$")),
    ("agupubs.onlinelibrary.wiley.com", re.compile(r"^/doi/(?:abs/|full/|pdf/|epdf/)?(?P<doi>10\.\d{4,9}/.+)$")),
    (
        "iopscience.iop.org",
        re.compile(r"^/article/(?P<doi>10\.\d{4,9}/[^/]+(?:/[^/]+)*?)(?:/(?:meta|pdf|ampdf|data))?$"),
    ),
)
# Nature's article slugs are the suffix of a 10.1038 DOI ("s41586-020-2649-2", "nature14539").
_NATURE = re.compile(r"^/articles/(?P<slug>[A-Za-z0-9.\-]+?)(?:\.pdf)?$")
_SCIENCEDIRECT = re.compile(r"^/science/article/(?:abs/|am/)?pii/(?P<pii>[S]?[0-9X()\-]{15,25})", re.IGNORECASE)
_MDPI = re.compile(r"^/(?P<issn>\d{4}-\d{3}[\dX])/(?P<volume>\d+)/(?P<issue>\d+)/(?P<article>\d+)")
_IEEE = re.compile(r"^/(?:abstract/)?document/(?P<number>\d+)")
# CVF open access, both layouts: /content/ICCV2021/html/..., /content_cvpr_2018/html/..., and workshops
# (/content/CVPR2023W/EarthVision/html/..., /content_CVPRW_2019/html/EarthVision/...).
_CVF_NEW = re.compile(r"^/content/(?P<venue>[A-Za-z]+)(?P<year>\d{4})(?P<workshop>W?)/(?:[^/]+/)?(?:html|papers)/")
_CVF_OLD = re.compile(r"^/content_(?P<venue>[A-Za-z]+?)(?P<workshop>W?)_(?P<year>\d{4})/(?:html|papers)/")
_CVF_FILE = re.compile(r"/(?P<stem>[^/]+)_(?P<venue>[A-Z]+W?)_(?P<year>\d{4})_paper\.(?:html|pdf)$")
_NEURIPS = re.compile(
    r"^/paper(?:_files/paper)?/(?P<year>\d{4})/(?:hash|file)/[0-9a-f]{32}-(?:Abstract|Paper)"
    r"(?:-(?P<track>Conference|Datasets_and_Benchmarks(?:_Track)?))?\.(?:html|pdf)$"
)
_PMLR = re.compile(r"^/v(?P<volume>\d+)/(?P<author>[a-z]+)(?P<year>\d{2})[a-z]{0,2}(?:/[^/]*)?(?:\.html|\.pdf)?$")
_ECVA = re.compile(r"^/papers/eccv_(?P<year>\d{4})/")
_ACL = re.compile(r"^/(?P<id>(?:\d{4}\.[a-z0-9\-]+\.\d+|[A-Z]\d{2}-\d{4}))(?:\.pdf)?/?$")
_AAAI = re.compile(r"^/index\.php/(?P<journal>[A-Za-z]+)/article/view/(?P<number>\d+)")
_YEAR_OF_TWO_DIGITS = 2000
# Hosts of NeurIPS proceedings over the years.
_NEURIPS_HOSTS = ("proceedings.neurips.cc", "papers.neurips.cc", "papers.nips.cc", "proceedings.nips.cc")


@dataclass(frozen=True, slots=True)
class LinkFacts:
    """Everything one link says about the work it points to; `site` names the layout it was read by (None: unknown).

    `doi_to_verify` is a DOI a layout implies (ACL Anthology's `10.18653/v1/<id>`) rather than spells: it is asked
    for, and written only once Crossref confirms it.
    """

    url: str
    site: str | None = None
    arxiv_id: str | None = None
    arxiv_version: int | None = None
    doi: str | None = None
    doi_to_verify: str | None = None
    openreview_id: str | None = None
    pii: str | None = None
    issn: str | None = None
    volume: str | None = None
    issue: str | None = None
    article_number: str | None = None
    venue: str | None = None
    year: int | None = None
    first_author: str | None = None
    title_words: str | None = None

    @property
    def has_identifier(self) -> bool:
        """Whether the link names the work by an identifier a service can be asked for directly."""
        return bool(self.arxiv_id or self.doi or self.doi_to_verify or self.openreview_id or self.pii)

    @property
    def known_venue(self) -> venues.KnownVenue | None:
        return venues.by_acronym(self.venue) if self.venue else None

    def describe(self) -> str:
        """The facts in one line, for steps and reports ("ieeexplore: article number 10934749")."""
        parts: list[str] = []
        for name in ("arxiv_id", "doi", "doi_to_verify", "openreview_id", "pii", "issn"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name.replace('_', ' ')} {value}")
        if self.venue:
            parts.append(f"venue {self.venue}" + (f" {self.year}" if self.year else ""))
        elif self.year:
            parts.append(f"year {self.year}")
        for name in ("volume", "issue", "article_number", "first_author"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name.replace('_', ' ')} {value}")
        return f"{self.site or 'unknown site'}: " + (", ".join(parts) if parts else "nothing beyond the page")


def read_link(url: str) -> LinkFacts:
    """Read a landing-page link. Unknown hosts give LinkFacts with nothing but what `ids.identify` finds in them."""
    text = url.strip()
    parts = urlsplit(text)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = unquote(parts.path)
    reader = _READERS.get(host) or next((r for suffix, r in _SUFFIX_READERS if host.endswith(suffix)), None)
    if reader is not None:
        facts = reader(text, host, path, parts.query)
        if facts is not None:
            return facts
    return _generic(text)


def _generic(url: str) -> LinkFacts:
    found = ids.identify(url)
    if found is None:
        return LinkFacts(url)
    if found.scheme == "arxiv":
        return LinkFacts(url, "arxiv", arxiv_id=found.value, arxiv_version=found.version)
    if found.scheme == "doi":
        return LinkFacts(url, "doi", doi=found.value)
    if found.scheme == "openreview":
        return LinkFacts(url, "openreview", openreview_id=found.value)
    return LinkFacts(url)


def _doi(text: str) -> str | None:
    try:
        return ids.normalize_doi(text)
    except ValueError:
        return None


def _publisher_doi(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    for suffix, pattern in _DOI_PATHS:
        if host == suffix or host.endswith("." + suffix):
            match = pattern.match(path)
            doi = _doi(match.group("doi")) if match else None
            if doi is not None:
                return LinkFacts(url, suffix, doi=doi)
    return None


def _doi_resolver(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    return _generic(url)


def _nature(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _NATURE.match(path)
    return LinkFacts(url, "nature.com", doi=f"10.1038/{match.group('slug').lower()}") if match else None


def _sciencedirect(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _SCIENCEDIRECT.match(path)
    if not match:
        return None
    # Elsevier deposits the PII without punctuation ("S0034425721003382"), which is how Crossref filters on it.
    pii = re.sub(r"[^0-9A-Za-z]", "", match.group("pii")).upper()
    return LinkFacts(url, "sciencedirect", pii=pii)


def _mdpi(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _MDPI.match(path)
    if not match:
        return None
    issn = match.group("issn").upper()
    venue = venues.by_issn(issn)
    return LinkFacts(
        url,
        "mdpi",
        issn=issn,
        volume=str(int(match.group("volume"))),
        issue=str(int(match.group("issue"))),
        article_number=str(int(match.group("article"))),
        venue=venue.acronym if venue is not None else None,
    )


def _ieee(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _IEEE.match(path)
    number = match.group("number") if match else (parse_qs(query).get("arnumber") or [""])[0]
    return LinkFacts(url, "ieeexplore", article_number=number) if number.isdigit() else None


def _cvf(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _CVF_NEW.match(path) or _CVF_OLD.match(path)
    file = _CVF_FILE.search(path)
    if not match and not file:
        return None
    raw_venue = (match.group("venue") + match.group("workshop")) if match else file.group("venue")  # type: ignore[union-attr]
    year = int(match.group("year")) if match else int(file.group("year"))  # type: ignore[union-attr]
    venue = venues.by_acronym(raw_venue.upper())
    first_author = title_words = None
    if file is not None:
        # "Manas_Seasonal_Contrast_Unsupervised_..." : the first author's family name, then the title's words.
        stem = file.group("stem").split("_")
        first_author, title_words = stem[0], " ".join(stem[1:]) or None
    return LinkFacts(
        url,
        "cvf",
        venue=venue.acronym if venue is not None else raw_venue.upper(),
        year=year,
        first_author=first_author,
        title_words=title_words,
    )


def _neurips(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _NEURIPS.match(path)
    return LinkFacts(url, "neurips", venue="NeurIPS", year=int(match.group("year"))) if match else None


def _pmlr(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _PMLR.match(path)
    if not match:
        return None
    volume = int(match.group("volume"))
    known = venues.PMLR_VOLUMES.get(volume)
    year = known[1] if known else _YEAR_OF_TWO_DIGITS + int(match.group("year"))
    return LinkFacts(
        url,
        "pmlr",
        volume=str(volume),
        venue=known[0] if known else None,
        year=year,
        first_author=match.group("author"),
    )


def _ecva(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _ECVA.match(path)
    return LinkFacts(url, "ecva", venue="ECCV", year=int(match.group("year"))) if match else None


def _acl(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _ACL.match(path)
    if not match:
        return None
    return LinkFacts(url, "aclanthology", doi_to_verify=f"10.18653/v1/{match.group('id').lower()}")


def _aaai(url: str, host: str, path: str, query: str) -> LinkFacts | None:
    match = _AAAI.match(path)
    if not match or match.group("journal").upper() != "AAAI":
        return None
    return LinkFacts(url, "aaai-ojs", venue="AAAI", article_number=match.group("number"))


_READERS = {
    "doi.org": _doi_resolver,
    "dx.doi.org": _doi_resolver,
    "nature.com": _nature,
    "sciencedirect.com": _sciencedirect,
    "mdpi.com": _mdpi,
    "ieeexplore.ieee.org": _ieee,
    "openaccess.thecvf.com": _cvf,
    "proceedings.mlr.press": _pmlr,
    "ecva.net": _ecva,
    "aclanthology.org": _acl,
    "ojs.aaai.org": _aaai,
    **dict.fromkeys(_NEURIPS_HOSTS, _neurips),
    **{suffix: _publisher_doi for suffix, _ in _DOI_PATHS},
}
# Hosts read by their suffix (society sub-domains of Wiley and T&F).
_SUFFIX_READERS = ((".onlinelibrary.wiley.com", _publisher_doi), (".tandfonline.com", _publisher_doi))
