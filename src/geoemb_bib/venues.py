"""The venues of the field in one table, and reading a venue in the forms real lists and records write it.

One venue has one acronym (the Markdown column, labels) and one canonical name (`names[0]`), whatever a source calls it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from .model import Record

VenueKind = Literal["conference", "journal", "workshop", "platform", "preprint"]


@dataclass(frozen=True, slots=True)
class KnownVenue:
    """A venue of the field: its acronym, its names (the first is canonical), its OpenReview group and ISSNs.

    `aliases` are abbreviations found in lists and arXiv comments, matched as words in their own case (or as the
    first word in any case); `listed_only` are abbreviations too short or too common to look for inside a sentence
    ("RS", "JAG"), taken only when they are the whole venue a list writes. `exact` venues (MDPI's "Remote Sensing")
    have a name that occurs inside other venues' names and are matched only by the whole text.
    """

    acronym: str
    names: tuple[str, ...]
    kind: VenueKind
    openreview_group: str | None = None
    aliases: tuple[str, ...] = ()
    listed_only: tuple[str, ...] = ()
    issn: tuple[str, ...] = ()
    exact: bool = False

    @property
    def on_openreview(self) -> bool:
        return self.openreview_group is not None

    @property
    def canonical_name(self) -> str:
        return self.names[0]


# Order matters where one venue's name contains another's: workshops before their conference, the journals whose
# names contain "Remote Sensing" before MDPI's Remote Sensing (matched only exactly anyway).
KNOWN_VENUES: tuple[KnownVenue, ...] = (
    # Machine learning (the ones on OpenReview carry their group, the prefix of their notes' venueids).
    KnownVenue(
        "NeurIPS",
        (
            "Advances in Neural Information Processing Systems",
            "Neural Information Processing Systems",
            "Conference on Neural Information Processing Systems",
        ),
        "conference",
        "NeurIPS.cc",
        ("NIPS", "NeuRIPS"),
    ),
    KnownVenue("ICLR", ("International Conference on Learning Representations",), "conference", "ICLR.cc"),
    KnownVenue("ICML", ("International Conference on Machine Learning",), "conference", "ICML.cc"),
    KnownVenue("TMLR", ("Transactions on Machine Learning Research",), "journal", "TMLR", issn=("2835-8856",)),
    KnownVenue("CoRL", ("Conference on Robot Learning",), "conference", "robot-learning.org/CoRL"),
    KnownVenue("COLM", ("Conference on Language Modeling",), "conference", "colmweb.org/COLM"),
    KnownVenue(
        "AISTATS", ("International Conference on Artificial Intelligence and Statistics",), "conference", "aistats.org"
    ),
    KnownVenue("AAAI", ("AAAI Conference on Artificial Intelligence",), "conference"),
    KnownVenue("IJCAI", ("International Joint Conference on Artificial Intelligence",), "conference"),
    KnownVenue("KDD", ("Knowledge Discovery and Data Mining",), "conference", None, ("SIGKDD",)),
    # Computer vision.
    KnownVenue(
        "CVPRW",
        (
            "IEEE/CVF Conference on Computer Vision and Pattern Recognition Workshops",
            "Conference on Computer Vision and Pattern Recognition Workshops",
            "Computer Vision and Pattern Recognition Workshops",
        ),
        "workshop",
        None,
        ("CVPR Workshops", "EarthVision"),
    ),
    KnownVenue(
        "CVPR",
        (
            "IEEE/CVF Conference on Computer Vision and Pattern Recognition",
            "Conference on Computer Vision and Pattern Recognition",
        ),
        "conference",
    ),
    KnownVenue(
        "ICCVW",
        (
            "IEEE/CVF International Conference on Computer Vision Workshops",
            "International Conference on Computer Vision Workshops",
        ),
        "workshop",
        None,
        ("ICCV Workshops",),
    ),
    KnownVenue(
        "ICCV",
        ("IEEE/CVF International Conference on Computer Vision", "International Conference on Computer Vision"),
        "conference",
    ),
    KnownVenue("ECCV", ("European Conference on Computer Vision", "Computer Vision – ECCV"), "conference"),
    KnownVenue(
        "WACV",
        (
            "IEEE/CVF Winter Conference on Applications of Computer Vision",
            "Winter Conference on Applications of Computer Vision",
        ),
        "conference",
    ),
    KnownVenue(
        "TPAMI",
        ("IEEE Transactions on Pattern Analysis and Machine Intelligence",),
        "journal",
        None,
        ("PAMI", "T-PAMI"),
        issn=("0162-8828", "1939-3539", "2160-9292"),
    ),
    KnownVenue("IJCV", ("International Journal of Computer Vision",), "journal", issn=("0920-5691", "1573-1405")),
    # Geographic information science.
    KnownVenue(
        "SIGSPATIAL",
        ("Advances in Geographic Information Systems", "ACM SIGSPATIAL International Conference"),
        "conference",
        None,
        ("ACM SIGSPATIAL",),
    ),
    KnownVenue("SIGGRAPH", ("SIGGRAPH",), "conference"),
    KnownVenue(
        "IJGIS",
        ("International Journal of Geographical Information Science",),
        "journal",
        issn=("1365-8816", "1362-3087"),
    ),
    # Remote sensing and Earth observation.
    KnownVenue(
        "IGARSS",
        (
            "IEEE International Geoscience and Remote Sensing Symposium",
            "International Geoscience and Remote Sensing Symposium",
        ),
        "conference",
    ),
    KnownVenue(
        "GRSM",
        ("IEEE Geoscience and Remote Sensing Magazine",),
        "journal",
        None,
        ("GRS Magazine",),
        issn=("2168-6831", "2473-2397"),
    ),
    KnownVenue(
        "TGRS",
        ("IEEE Transactions on Geoscience and Remote Sensing",),
        "journal",
        None,
        ("IEEE TGRS", "T-GRS"),
        issn=("0196-2892", "1558-0644"),
    ),
    KnownVenue(
        "GRSL",
        ("IEEE Geoscience and Remote Sensing Letters",),
        "journal",
        None,
        ("IEEE GRSL",),
        issn=("1545-598X", "1558-0571"),
    ),
    KnownVenue(
        "JSTARS",
        ("IEEE Journal of Selected Topics in Applied Earth Observations and Remote Sensing",),
        "journal",
        None,
        ("IEEE JSTARS", "J-STARS"),
        issn=("1939-1404", "2151-1535"),
    ),
    KnownVenue(
        "ISPRS JPRS",
        ("ISPRS Journal of Photogrammetry and Remote Sensing",),
        "journal",
        None,
        ("ISPRS P&RS", "ISPRS J", "ISPRS JPRS", "P&RS", "JPRS"),
        listed_only=("ISPRS J. Photogramm. Remote Sens.",),
        issn=("0924-2716", "1872-8235"),
    ),
    KnownVenue(
        "RSE",
        ("Remote Sensing of Environment",),
        "journal",
        None,
        listed_only=("RSE", "Remote Sens. Environ."),
        issn=("0034-4257", "1879-0704"),
    ),
    KnownVenue(
        "JAG",
        ("International Journal of Applied Earth Observation and Geoinformation",),
        "journal",
        None,
        listed_only=("JAG", "IJAEOG", "Int. J. Appl. Earth Obs. Geoinf.", "ITC Journal"),
        issn=("1569-8432", "1872-826X"),
    ),
    KnownVenue(
        "Remote Sensing",
        ("Remote Sensing",),
        "journal",
        None,
        listed_only=("RS", "Remote Sens.", "MDPI Remote Sensing", "Remote Sensing (MDPI)"),
        issn=("2072-4292",),
        exact=True,
    ),
    KnownVenue(
        "ESSD", ("Earth System Science Data",), "journal", listed_only=("ESSD",), issn=("1866-3508", "1866-3516")
    ),
    # Platforms and preprint servers: a listing that names them claims no venue.
    KnownVenue("Source Cooperative", ("Source Cooperative",), "platform"),
    KnownVenue("arXiv", ("arXiv",), "preprint", None, ("Arxiv", "ARXIV", "arxiv")),
    KnownVenue("bioRxiv", ("bioRxiv",), "preprint"),
    KnownVenue("EarthArXiv", ("EarthArXiv",), "preprint"),
)

# PMLR volumes of the conferences this field cites (proceedings.mlr.press/vNNN/...): the volume names venue and year.
PMLR_VOLUMES: dict[int, tuple[str, int]] = {
    97: ("ICML", 2019),
    119: ("ICML", 2020),
    139: ("ICML", 2021),
    162: ("ICML", 2022),
    202: ("ICML", 2023),
    235: ("ICML", 2024),
    267: ("ICML", 2025),
    89: ("AISTATS", 2019),
    108: ("AISTATS", 2020),
    130: ("AISTATS", 2021),
    151: ("AISTATS", 2022),
    206: ("AISTATS", 2023),
    238: ("AISTATS", 2024),
    258: ("AISTATS", 2025),
    100: ("CoRL", 2019),
    155: ("CoRL", 2020),
    164: ("CoRL", 2021),
    205: ("CoRL", 2022),
    229: ("CoRL", 2023),
    270: ("CoRL", 2024),
}

_BY_ACRONYM = {venue.acronym.casefold(): venue for venue in KNOWN_VENUES}
_BY_ISSN = {issn.upper(): venue for venue in KNOWN_VENUES for issn in venue.issn}
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A listed venue: its name, then the year (glued on as in "ICCV2021" or "TGRS2024", or "CVPR'23"), then a note.
_VENUE_TEXT = re.compile(
    r"^(?P<name>.*?)\s*(?:(?P<year>(?:19|20)\d{2})|'(?P<short>\d{2}))(?![\d])(?:[\s,;:.)\]-]+(?P<note>.*))?$"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9&-]*")
_MEMO_SIZE = 1 << 16


def _squeezed(text: str) -> str:
    """Case, accents, punctuation and spaces removed: "Int. J. Appl. Earth Obs. Geoinf." -> intjapplearthobsgeoinf."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c)).casefold()


def _words(text: str) -> str:
    """A name as space-separated folded words, padded, for whole-word containment tests."""
    decomposed = unicodedata.normalize("NFKD", text.replace("&", " and "))
    plain = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return f" {' '.join(plain.casefold().split())} "


# Whole-text spellings: every acronym, alias, abbreviation and name of a venue, squeezed.
_EXACT: dict[str, KnownVenue] = {}
for _venue in KNOWN_VENUES:
    for _spelling in (_venue.acronym, *_venue.aliases, *_venue.listed_only, *_venue.names):
        _EXACT.setdefault(_squeezed(_spelling), _venue)


def by_acronym(acronym: str) -> KnownVenue | None:
    return _BY_ACRONYM.get(acronym.casefold())


def by_issn(issn: str | None) -> KnownVenue | None:
    """The venue an ISSN belongs to (print or electronic), or None."""
    return _BY_ISSN.get(issn.strip().upper()) if issn else None


@functools.lru_cache(maxsize=_MEMO_SIZE)
def find_venue(text: str | None) -> KnownVenue | None:
    """The known venue a free text names: an OpenReview venueid, the whole text as one of a venue's spellings, a full
    name inside it, or an acronym written as a word."""
    if not text or not text.strip():
        return None
    for venue in KNOWN_VENUES:
        if venue.openreview_group and (text == venue.openreview_group or text.startswith(venue.openreview_group + "/")):
            return venue
    exact = _EXACT.get(_squeezed(_strip_ieee(text)))
    if exact is not None:
        return exact
    words = _words(text)
    raw_words = set(_WORD.findall(text))
    first = words.split()[:1]
    for venue in KNOWN_VENUES:
        if venue.exact:
            continue
        if any(_words(name) in words for name in venue.names):
            return venue
        for acronym in (venue.acronym, *venue.aliases):
            # Acronyms count in their own case, or as the text's first word in any case, so that a word such as
            # "gis" in a sentence does not name a venue by accident.
            if " " in acronym or "&" in acronym:
                if _words(acronym) in words:
                    return venue
            elif acronym in raw_words or first == [acronym.casefold()]:
                return venue
    return None


def _strip_ieee(text: str) -> str:
    # "IEEE TGRS", "Proc. CVPR": the publisher's or a proceedings prefix says nothing about which venue.
    return re.sub(r"^(?:IEEE|ACM|Proc\.?|Proceedings of(?: the)?)\s+", "", text.strip(), flags=re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class VenueText:
    """A venue as a person wrote it ("ICCV 2025 Oral"): its name, the known venue it names, year and note."""

    raw: str
    name: str
    acronym: str
    year: int | None
    note: str | None
    venue: KnownVenue | None

    @property
    def is_preprint(self) -> bool:
        return self.venue is not None and self.venue.kind == "preprint"

    @property
    def claims_venue(self) -> bool:
        """Whether the text names a venue where papers are published (not a preprint server or a platform)."""
        return self.venue is not None and self.venue.kind not in ("preprint", "platform")

    @property
    def label(self) -> str:
        """Acronym and year, the short form a match or a report names a venue by."""
        return f"{self.acronym} {self.year}" if self.year else self.acronym


@functools.lru_cache(maxsize=_MEMO_SIZE)
def parse_venue_text(text: str) -> VenueText:
    """Read a venue as listed: "ICCV 2025 Oral" -> ICCV, 2025, "Oral"; "TGRS2024" -> TGRS, 2024; "Arxiv 2025" -> a
    preprint marker; "Int. J. Appl. Earth Obs. Geoinf. 2022" -> JAG, 2022.

    The name is what precedes the year; when it starts with a known venue the rest of the name joins the
    note ("SIGGRAPH Frontiers 2025" -> SIGGRAPH, 2025, note "Frontiers").
    """
    raw = " ".join(text.split())
    match = _VENUE_TEXT.match(raw)
    if match and match.group("name"):
        name, note = match.group("name").strip().rstrip(",;:-").strip(), match.group("note")
        year = int(match.group("year")) if match.group("year") else 2000 + int(match.group("short"))
    else:
        name, year, note = raw, None, None
    venue = find_venue(name)
    if venue is not None and note and note.casefold().startswith("workshop"):
        # "CVPR 2023 Workshops": the conference's workshops are a venue of their own.
        venue = by_acronym(venue.acronym + "W") or venue
        note = note[len(note.split()[0]) :].strip() if venue.kind == "workshop" else note
    acronym = name
    if venue is not None:
        acronym = venue.acronym
        head = name.split()[0] if name.split() else ""
        spellings = (venue.acronym, *venue.aliases, *venue.listed_only)
        if (
            venue.kind != "platform"
            and _squeezed(name) not in (_squeezed(s) for s in (*spellings, *venue.names))
            and head.casefold() in (a.casefold() for a in spellings)
        ):
            rest = name[len(head) :].strip()
            if rest:
                note = f"{rest} {note}".strip() if note else rest
    return VenueText(raw, name, acronym, year, note or None, venue)


def venue_claims(text: str | None) -> tuple[VenueText, ...]:
    """Venues (with a year) a free text claims: "Accepted at ICLR 2026", "Published ... at ICLR 2024"."""
    if not text:
        return ()
    venue = find_venue(text)
    if venue is None or venue.kind == "preprint":
        return ()
    year_match = _YEAR.search(text)
    year = int(year_match.group(1)) if year_match else None
    return (VenueText(text, venue.acronym, venue.acronym, year, None, venue),)


def is_ml_venue(text: str | None) -> bool:
    """Whether a venue text (curated, or an arXiv comment) names a venue run on OpenReview, so worth searching there."""
    if not text:
        return False
    parsed = parse_venue_text(text)
    if parsed.venue is not None:
        return parsed.venue.on_openreview
    return any(claim.venue is not None and claim.venue.on_openreview for claim in venue_claims(text))


def record_venue(record: Record) -> KnownVenue | None:
    """The known venue a record was published in, from its venueid, container, event or display venue."""
    for text in (record.venueid, record.container_title, record.event_title, record.venue):
        venue = find_venue(text)
        if venue is not None and venue.kind != "preprint":
            return venue
    return None


def record_years(record: Record) -> set[int]:
    """Every year a record states: issued, and years written in its venueid, container, event or venue."""
    years = {record.issued.year} if record.issued else set()
    for text in (record.venueid, record.container_title, record.event_title, record.venue):
        years.update(int(y) for y in _YEAR.findall(text or ""))
    return years


def canonical_container(record: Record) -> str | None:
    """The one name a venue gets whatever the source calls it, for records whose container is free text.

    OpenReview's generated booktitles vary by API and year ("Thirty-seventh Conference on Neural Information
    Processing Systems" on v2, "Advances in Neural Information Processing Systems" on v1): a note of a known venue
    gets the venue's canonical name. Publisher deposits (Crossref) keep theirs: a Springer volume title
    ("Computer Vision - ECCV 2024", with an en dash) is the citation's container.
    """
    if record.source != "openreview":
        return record.container_title
    venue = record_venue(record)
    return venue.canonical_name if venue is not None else record.container_title


def label(venue: KnownVenue | None, year: int | None) -> str | None:
    """The short form of a venue and year ("ICCV 2021"), as the Markdown list's venue column shows it."""
    if venue is None:
        return None
    return f"{venue.acronym} {year}" if year else venue.acronym
