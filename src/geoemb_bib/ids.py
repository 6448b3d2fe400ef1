"""Identifiers: read arXiv ids, DOIs, OpenReview, IEEE Xplore and AAAI OJS ids out of any link form, and normalise them.

Vocabulary: `arxiv_id` is the id without version (`2309.16020`, `math/0211159`), `arxiv_version` the number after
`v`; DOIs are lower-case; a `standard_id` is `scheme:value` (`arxiv:2309.16020`, `doi:10.1609/...`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

# New-style ids are YYMM.NNNN (2007-2014) or YYMM.NNNNN (2015 on); old-style ids are archive[.SUBJ]/YYMMNNN.
_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_ID = re.compile(rf"^(?P<id>{_ARXIV_NEW}|{_ARXIV_OLD})(?:v(?P<version>[0-9]{{1,4}}))?$")
_ARXIV_PREFIX = re.compile(r"^arxiv:\s*", re.IGNORECASE)
_ARXIV_HOSTS = (
    "arxiv.org",
    "export.arxiv.org",
    "www.arxiv.org",
    "ar5iv.org",
    "ar5iv.labs.arxiv.org",
    "alphaxiv.org",
    "www.alphaxiv.org",
)
_ARXIV_PATH = re.compile(
    rf"^/(?:abs|pdf|html|format|ps)/(?:arXiv:)?(?P<id>{_ARXIV_NEW}|{_ARXIV_OLD})(?:v(?P<version>[0-9]{{1,4}}))?(?:\.pdf)?/?$"
)

# A DOI is "10." + registrant code + "/" + suffix; the suffix may hold almost anything but whitespace.
_DOI = re.compile(r"10\.\d{4,9}/[^\s\"'<>#?]+")
_DOI_RESOLVER_HOSTS = ("doi.org", "dx.doi.org", "www.doi.org")
_DOI_PREFIXES = re.compile(r"^(?:doi:\s*|https?://(?:dx\.|www\.)?doi\.org/)", re.IGNORECASE)
# Trailing characters that surround a DOI in prose or URLs but are never its last character in practice.
_DOI_TRAILING_JUNK = ".,;:)]}>"
ARXIV_DOI_PREFIX = "10.48550/arxiv."

_OPENREVIEW_HOSTS = ("openreview.net", "www.openreview.net")
_OPENREVIEW_ID = re.compile(r"^[A-Za-z0-9_\-]{6,20}$")
_IEEE_DOCUMENT = re.compile(r"/document/(?P<number>\d+)")
_AAAI_ARTICLE = re.compile(r"/index\.php/(?P<journal>[A-Za-z]+)/article/view/(?P<number>\d+)")


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier found in a link: `scheme` is arxiv, doi, openreview, ieee or aaai."""

    scheme: str
    value: str
    version: int | None = None

    @property
    def standard_id(self) -> str:
        return f"{self.scheme}:{self.value}"


def parse_arxiv_id(text: str) -> tuple[str, int | None]:
    """Split `2309.16020v2`, `arXiv:math/0211159` or a bare id into (id without version, version or None).

    Raises ValueError for anything that is not an arXiv id.
    """
    candidate = _ARXIV_PREFIX.sub("", text.strip())
    match = _ARXIV_ID.match(candidate)
    if not match:
        raise ValueError(f"not an arXiv id: {text!r}")
    version = match.group("version")
    return match.group("id"), int(version) if version else None


def is_arxiv_id(text: str) -> bool:
    try:
        parse_arxiv_id(text)
    except ValueError:
        return False
    return True


def arxiv_doi(arxiv_id: str) -> str:
    """The DataCite DOI arXiv registers for a paper (`10.48550/arxiv.2309.16020`), lower-case like every DOI here."""
    base, _ = parse_arxiv_id(arxiv_id)
    return ARXIV_DOI_PREFIX + base.lower()


def normalize_doi(text: str) -> str:
    """A DOI from `doi:...`, `https://doi.org/...` or bare text, lower-case, without surrounding junk.

    Raises ValueError when no DOI is present.
    """
    candidate = unquote(_DOI_PREFIXES.sub("", text.strip()))
    match = _DOI.search(candidate)
    if not match:
        raise ValueError(f"not a DOI: {text!r}")
    return match.group(0).rstrip(_DOI_TRAILING_JUNK).lower()


def is_arxiv_doi(doi: str) -> bool:
    return doi.lower().startswith(ARXIV_DOI_PREFIX)


def arxiv_id_from_doi(doi: str) -> str | None:
    """The arXiv id inside an arXiv DataCite DOI, or None for any other DOI."""
    if not is_arxiv_doi(doi):
        return None
    tail = doi[len(ARXIV_DOI_PREFIX) :]
    try:
        base, _ = parse_arxiv_id(tail)
    except ValueError:
        return None
    return base


def standard_id(scheme: str, value: str, version: int | None = None) -> str:
    """`arxiv:2309.16020v2`, `doi:10.1609/...`: the one spelling used in provenance and reports."""
    return f"{scheme}:{value}v{version}" if version is not None else f"{scheme}:{value}"


def identify(text: str) -> Identifier | None:
    """The identifier a link or bare string carries, or None when it carries none we know.

    An arXiv DataCite DOI comes back as an arXiv identifier: it names the preprint, and Crossref
    does not know it.
    """
    text = text.strip()
    if not text:
        return None
    if "://" not in text:
        return _identify_bare(text)
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    path = unquote(parts.path)
    if host in _ARXIV_HOSTS:
        match = _ARXIV_PATH.match(path)
        if match:
            version = match.group("version")
            return Identifier("arxiv", match.group("id"), int(version) if version else None)
        return None
    if host in _OPENREVIEW_HOSTS:
        note_id = (parse_qs(parts.query).get("id") or [""])[0]
        return Identifier("openreview", note_id) if _OPENREVIEW_ID.match(note_id) else None
    if host.endswith("ieeexplore.ieee.org"):
        match = _IEEE_DOCUMENT.search(path)
        number = match.group("number") if match else (parse_qs(parts.query).get("arnumber") or [""])[0]
        return Identifier("ieee", number) if number.isdigit() else None
    if host == "ojs.aaai.org":
        match = _AAAI_ARTICLE.search(path)
        return Identifier("aaai", match.group("number")) if match else None
    if host in _DOI_RESOLVER_HOSTS:
        return _doi_identifier(path.lstrip("/"))
    # Publisher pages (ACM DL /doi/full/..., Wiley, T&F, Springer, PLOS ?id=...) embed the DOI in path or query.
    found = _DOI.search(path) or _DOI.search(unquote(parts.query))
    return _doi_identifier(found.group(0)) if found else None


def _identify_bare(text: str) -> Identifier | None:
    try:
        arxiv_id, version = parse_arxiv_id(text)
        return Identifier("arxiv", arxiv_id, version)
    except ValueError:
        pass
    if _DOI.search(text):
        return _doi_identifier(text)
    return None


def _doi_identifier(text: str) -> Identifier | None:
    try:
        doi = normalize_doi(text)
    except ValueError:
        return None
    arxiv_id = arxiv_id_from_doi(doi)
    if arxiv_id is not None:
        return Identifier("arxiv", arxiv_id)
    return Identifier("doi", doi)
