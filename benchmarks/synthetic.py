"""Synthetic lists for the benchmark: an entries.yaml of N made-up papers and the service answers that resolve them.

Everything here is invented (ids in 26MM.5NNNN, DOIs under the 10.5555 test prefix, names from a fixed pool) and
deterministic for a given N: the same N always gives the same bytes. Nothing is, or pretends to be, real data.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

# The loopback fake's corpus types and serialisers: the synthetic answers go through the same code as the replay.
from services import Corpus, _Answer, _ArxivEntry, crossref_json, normalise

GENERATOR_VERSION = 1
SYNTHETIC_NOTE = "synthetic (geoemb-bib benchmark)"

_WORDS = (
    "adaptive",
    "aerial",
    "agricultural",
    "alignment",
    "anomaly",
    "atmospheric",
    "attention",
    "benchmark",
    "biomass",
    "canopy",
    "change",
    "climate",
    "cloud",
    "coastal",
    "contrastive",
    "cropland",
    "cross-modal",
    "dense",
    "detection",
    "diffusion",
    "drought",
    "earth",
    "embedding",
    "encoder",
    "ensemble",
    "estimation",
    "evaluation",
    "field",
    "flood",
    "forest",
    "foundation",
    "fusion",
    "generative",
    "geographic",
    "geospatial",
    "global",
    "graph",
    "hyperspectral",
    "imagery",
    "implicit",
    "land",
    "landslide",
    "latent",
    "learning",
    "lidar",
    "location",
    "mapping",
    "masked",
    "model",
    "monitoring",
    "multimodal",
    "multispectral",
    "network",
    "neural",
    "ocean",
    "optical",
    "pixel",
    "planetary",
    "precipitation",
    "pretraining",
    "probing",
    "radar",
    "regional",
    "representation",
    "resolution",
    "retrieval",
    "river",
    "robust",
    "satellite",
    "scalable",
    "seasonal",
    "segmentation",
    "self-supervised",
    "semantic",
    "sensing",
    "sentinel",
    "similarity",
    "snow",
    "soil",
    "spatial",
    "spectral",
    "spherical",
    "streets",
    "surface",
    "temporal",
    "tensor",
    "terrain",
    "time-series",
    "transformer",
    "transfer",
    "uncertainty",
    "urban",
    "vegetation",
    "vision",
    "water",
    "weather",
    "wetland",
    "wildfire",
    "yield",
    "zero-shot",
)
_GIVEN = (
    "Ana",
    "Bo",
    "Carla",
    "Chen",
    "Dario",
    "Eun-ji",
    "Fatima",
    "Gabriel",
    "Hannah",
    "Ines",
    "Jakub",
    "Jędrzej",
    "Kai",
    "Lena",
    "Lucía",
    "Marc",
    "Mei",
    "Mirali",
    "Nadia",
    "Olu",
    "Pau",
    "Priya",
    "Quentin",
    "Rafael",
    "Sofia",
    "Søren",
    "Tomás",
    "Uma",
    "Valentin",
    "Wen",
    "Xavier",
    "Yusuf",
    "Zoë",
    "Ivan",
    "Esther",
    "Devis",
    "Konstantin",
    "Ruben",
)
_FAMILY = (
    "Abara",
    "Bianchi",
    "Černý",
    "Dubois",
    "Eriksson",
    "Fernández",
    "García",
    "Hoffmann",
    "Ishikawa",
    "Jensen",
    "Kowalski",
    "Lefèvre",
    "Müller",
    "Nakamura",
    "O'Neill",
    "Papadopoulos",
    "Quispe",
    "Rodríguez",
    "Schäfer",
    "Tanaka",
    "Ueda",
    "Van der Berg",
    "Wójcik",
    "Xu",
    "Yamamoto",
    "Zhang",
    "Zbinden",
    "Rolf",
    "Tuia",
    "Kerner",
    "Rußwurm",
    "Gómez",
    "Ng",
    "Li",
    "Wang",
    "Kim",
    "Nguyen",
    "Okafor",
    "Silva",
    "Haas",
)
_JOURNALS = (
    "Remote Sensing of Environment",
    "IEEE Transactions on Geoscience and Remote Sensing",
    "ISPRS Journal of Photogrammetry and Remote Sensing",
    "International Journal of Applied Earth Observation and Geoinformation",
    "IEEE Journal of Selected Topics in Applied Earth Observations and Remote Sensing",
)
_ML_VENUES = (("NeurIPS", "NeurIPS.cc"), ("ICLR", "ICLR.cc"), ("ICML", "ICML.cc"))
_SECTIONS = (
    ("surveys", "Surveys"),
    ("location", "Location Embeddings"),
    ("product", "Product Embeddings"),
    ("aggregate", "Aggregate Embeddings"),
    ("evaluation", "Evaluation"),
    ("applications", "Applications"),
    ("related", "Related Works"),
    ("remote-sensing", "Remote Sensing Representation Learning"),
    ("modality-gap", "Modality Gap Studies"),
    ("potentially-interesting", "Potentially Interesting Works"),
)
# What kind of resolution each synthetic paper exercises, and how often (the weights sum to 100). They mirror the
# bundled list's mix: mostly arXiv preprints searched on Crossref (and OpenReview for ML categories), some
# published versions found by DOI, by search or on OpenReview, a few retitled preprints and non-papers.
PROFILES: tuple[tuple[str, int], ...] = (
    ("preprint-ml", 34),  # cs.LG/cs.CV preprint: Crossref search -> decoys, OpenReview search -> nothing or a rejection
    ("preprint-other", 10),  # physics preprint: Crossref search -> nothing; not asked on OpenReview
    ("journal-search", 14),  # physics preprint published in a journal: Crossref search -> the version of record
    ("arxiv-doi", 12),  # the arXiv entry names its published DOI: Crossref /works/{doi}
    ("curated-doi", 10),  # the curator gives the DOI (half of them with an arXiv id too)
    ("ml-venue", 8),  # listed as NeurIPS/ICLR/ICML: OpenReview search -> the accepted note
    ("curated-openreview", 4),  # the curator gives the OpenReview id: /notes?id=
    ("retitled", 4),  # the listing uses v1's title: arXiv v1 asked, two Crossref searches
    ("dataset", 4),  # not a paper: no request at all
)


@dataclass
class SyntheticList:
    """A synthetic entries.yaml text and the corpus of answers that resolves it."""

    size: int
    entries_yaml: str
    corpus: Corpus
    profiles: dict[str, int] = field(default_factory=dict)


class _SyntheticCorpus(Corpus):
    """A Corpus filled in memory (the fake's lookups are unchanged); see tests/fakeservices.py."""

    def __init__(self) -> None:
        self.arxiv: dict[str, dict[int, _ArxivEntry]] = {}
        self.crossref_works: dict[str, _Answer] = {}
        self.crossref_search: dict[str, bytes] = {}
        self.openreview_search: dict[str, bytes] = {}
        self.openreview_notes: dict[str, dict[str, object]] = {"openreview": {}, "openreview_v1": {}}
        self.openreview_bodies: dict[str, dict[str, bytes]] = {"openreview": {}, "openreview_v1": {}}


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _title(rng: random.Random, index: int) -> str:
    words = rng.sample(_WORDS, rng.randint(4, 9))
    head = " ".join(words).capitalize()
    head = f"{rng.choice(_WORDS).capitalize()}-{index}: {head}" if rng.random() < 0.4 else f"{head} ({index})"
    return head


def _authors(rng: random.Random) -> list[tuple[str, str]]:
    count = rng.choice((1, 2, 3, 3, 4, 4, 5, 6, 8, 12))
    return [(rng.choice(_GIVEN), rng.choice(_FAMILY)) for _ in range(count)]


def _arxiv_entry(
    arxiv_id: str,
    version: int,
    title: str,
    authors: list[tuple[str, str]],
    *,
    date: str,
    primary: str,
    doi: str | None = None,
    comment: str | None = None,
) -> _ArxivEntry:
    stamp = f"{date}T00:00:00Z"
    lines = [
        "  <entry>",
        f"    <id>http://arxiv.org/abs/{arxiv_id}v{version}</id>",
        f"    <title>{escape(title)}</title>",
        f"    <updated>{stamp}</updated>",
        f'    <link href="https://arxiv.org/abs/{arxiv_id}v{version}" rel="alternate" type="text/html"/>',
        f'    <link href="https://arxiv.org/pdf/{arxiv_id}v{version}" rel="related" type="application/pdf" '
        'title="pdf"/>',
        f"    <summary>  We study {escape(title.lower())}. This abstract is {SYNTHETIC_NOTE}.\n  It has two "
        "lines.</summary>",
        f'    <category term="{primary}" scheme="http://arxiv.org/schemas/atom"/>',
        f"    <published>{stamp}</published>",
    ]
    if comment:
        lines.append(f"    <arxiv:comment>{escape(comment)}</arxiv:comment>")
    lines.append(f'    <arxiv:primary_category term="{primary}"/>')
    for given, family in authors:
        lines += ["    <author>", f"      <name>{escape(given)} {escape(family)}</name>", "    </author>"]
    if doi:
        lines.append(f"    <arxiv:doi>{doi}</arxiv:doi>")
        lines.append(f'    <link href="https://doi.org/{doi}" rel="related" title="doi"/>')
    lines.append("  </entry>")
    return _ArxivEntry(arxiv_id, version, stamp, "\n".join(lines) + "\n")


def _crossref_item(
    doi: str,
    title: str,
    authors: list[tuple[str, str]],
    *,
    year: int,
    journal: str,
    kind: str = "journal-article",
    score: float = 1.0,
    page: str | None = None,
) -> dict[str, object]:
    item: dict[str, object] = {
        "publisher": "Synthetic Publisher (geoemb-bib benchmark)",
        "DOI": doi,
        "type": kind,
        "title": [title],
        "author": [
            {"given": given, "family": family, "sequence": "first" if n == 0 else "additional", "affiliation": []}
            for n, (given, family) in enumerate(authors)
        ],
        "container-title": [journal],
        "issued": {"date-parts": [[year, 6]]},
        "published-print": {"date-parts": [[year, 6]]},
        "volume": str(year - 1990),
        "issue": "3",
        "score": score,
        "URL": f"https://doi.org/{doi}",
    }
    if page:
        item["page"] = page
    return item


def _crossref_work(item: dict[str, object]) -> _Answer:
    document = {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": {**item, "relation": {}}}
    return _Answer(200, "application/json", crossref_json(document))


def _crossref_list(items: list[dict[str, object]]) -> bytes:
    document = {
        "status": "ok",
        "message-type": "work-list",
        "message-version": "1.0.0",
        "message": {
            "facets": {},
            "total-results": len(items) * 1000 + 7,
            "items": items,
            "items-per-page": 5,
            "query": {"start-index": 0, "search-terms": None},
        },
    }
    return crossref_json(document)


def _openreview_note(
    note_id: str, title: str, authors: list[tuple[str, str]], *, venue: str, venueid: str, year: int, accepted: bool
) -> dict[str, object]:
    names = [f"{given} {family}" for given, family in authors]
    bibtex_type = "inproceedings" if accepted else "misc"
    millis = (year - 1970) * 365 * 86_400_000
    content: dict[str, object] = {
        "title": {"value": title},
        "authors": {"value": names},
        "authorids": {"value": [f"~{name.replace(' ', '_')}1" for name in names]},
        "venue": {"value": venue},
        "venueid": {"value": venueid},
        "_bibtex": {
            "value": f"@{bibtex_type}{{\nsynthetic{note_id},\ntitle={{{title}}},\n"
            f"author={{{' and '.join(names)}}},\nyear={{{year}}}\n}}"
        },
        "pdf": {"value": f"/pdf/{note_id}.pdf"},
    }
    note: dict[str, object] = {
        "id": note_id,
        "forum": note_id,
        "content": content,
        "cdate": millis,
        "tcdate": millis,
        "mdate": millis,
        "tmdate": millis,
        "odate": millis,
        "invitations": [f"{venueid.split('/Rejected')[0]}/-/Submission"],
        "domain": venueid.split("/Rejected")[0],
        "readers": ["everyone"],
        "number": 1,
        "license": "CC BY 4.0",
        "version": 2,
    }
    if accepted:
        note["pdate"] = millis + 90 * 86_400_000
    return note


def _notes_body(notes: list[dict[str, object]], count: bool) -> bytes:
    document: dict[str, object] = {"notes": notes}
    if count:
        document["count"] = len(notes)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _profiles(rng: random.Random, size: int) -> Iterator[str]:
    names = [name for name, _ in PROFILES]
    weights = [weight for _, weight in PROFILES]
    for _ in range(size):
        yield rng.choices(names, weights)[0]


def generate(size: int, *, seed: int = 8) -> SyntheticList:  # noqa: C901
    """N synthetic entries (as entries.yaml text) and the answers that resolve every one of them."""
    rng = random.Random(f"{seed}-{size}")
    corpus = _SyntheticCorpus()
    out: list[str] = [
        "# Synthetic list for the geoemb-bib benchmark: invented papers, generated by benchmarks/synthetic.py.\n",
        "list:\n  title: Synthetic Benchmark List\n  intro: Invented entries that exercise every resolution path.\n",
        "sections:\n",
    ]
    for section_id, title in _SECTIONS:
        out.append(
            f"  - id: {section_id}\n    title: {title}\n    columns: [abbr, title, venue, paper, code, dataset]\n"
        )
    out.append("entries:\n")
    used_titles: set[str] = set()
    counts: dict[str, int] = {}
    for index, profile in enumerate(_profiles(rng, size)):
        counts[profile] = counts.get(profile, 0) + 1
        title = _title(rng, index)
        while normalise(title) in used_titles:
            title = _title(rng, index)
        used_titles.add(normalise(title))
        authors = _authors(rng)
        ml_venue = profile in ("ml-venue", "curated-openreview")
        # An accepted paper's preprint is at most a year older than its venue (the matcher checks that).
        year = rng.randint(2024, 2025) if ml_venue else rng.randint(2019, 2025)
        month = index % 12 + 1
        arxiv_id = f"26{month:02d}.{50000 + index // 12:05d}"
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        section = _SECTIONS[index % len(_SECTIONS)][0]
        entry_id = f"synth-{index:05d}"
        lines = [f"  - id: {entry_id}\n", f"    section: {section}\n"]
        venue = f"Arxiv {year}"
        links: list[str] = []
        ids: dict[str, str] = {}
        listed_title = title

        if profile == "dataset":
            lines += [
                "    kind: dataset\n",
                f"    title: {_yaml_text(title)}\n",
                f"    year: {year}\n",
                "    authors: [{literal: Synthetic Data Collective}]\n",
                f'    links:\n      dataset: "https://data.example.org/{entry_id}"\n',
            ]
            out.extend(lines)
            out.append("\n")
            continue

        ml = profile in ("preprint-ml", "ml-venue", "curated-openreview", "retitled")
        primary = (
            rng.choice(("cs.LG", "cs.CV")) if ml else rng.choice(("physics.geo-ph", "physics.ao-ph", "astro-ph.EP"))
        )
        has_arxiv = not (profile == "curated-doi" and index % 2)
        doi = None
        if profile == "preprint-ml":
            corpus.crossref_search[normalise(title)] = _crossref_list(
                [
                    _crossref_item(
                        f"10.5555/decoy.{index}.{n}",
                        _title(rng, index + 10_000_000 + n),
                        _authors(rng),
                        year=year,
                        journal=rng.choice(_JOURNALS),
                        score=30.0 - n,
                    )
                    for n in range(2)
                ]
            )
            if index % 3 == 0:
                venue_name, venue_id = rng.choice(_ML_VENUES)
                note = _openreview_note(
                    f"SYNr{index:07d}",
                    title,
                    authors,
                    venue=f"Submitted to {venue_name} {year}",
                    venueid=f"{venue_id}/{year}/Conference/Rejected_Submission",
                    year=year,
                    accepted=False,
                )
                corpus.openreview_search[normalise(title)] = _notes_body([note], count=False)
        elif profile == "journal-search":
            journal = rng.choice(_JOURNALS)
            doi = f"10.5555/synth.{index}"
            venue = f"{journal} {year}"
            corpus.crossref_search[normalise(title)] = _crossref_list(
                [
                    _crossref_item(
                        doi,
                        title,
                        authors,
                        year=year,
                        journal=journal,
                        score=95.0,
                        page=f"{index % 900 + 1}-{index % 900 + 15}",
                    ),
                    _crossref_item(
                        f"10.5555/decoy.{index}.0",
                        _title(rng, index + 10_000_000),
                        _authors(rng),
                        year=year,
                        journal=journal,
                        score=21.0,
                    ),
                ]
            )
            doi = None  # found by the search, not given anywhere
        elif profile in ("arxiv-doi", "curated-doi"):
            journal = rng.choice(_JOURNALS)
            doi = f"10.5555/synth.{index}"
            venue = f"{journal} {year}"
            corpus.crossref_works[doi] = _crossref_work(
                _crossref_item(
                    doi, title, authors, year=year, journal=journal, page=f"{index % 900 + 1}-{index % 900 + 12}"
                )
            )
            if profile == "curated-doi":
                if has_arxiv:
                    ids["doi"] = doi
                else:
                    links.append(f'      paper: "https://doi.org/{doi}"\n')
        elif profile in ("ml-venue", "curated-openreview"):
            venue_name, venue_id = rng.choice(_ML_VENUES)
            venue = f"{venue_name} {year}"
            note_id = f"SYNa{index:07d}"
            note = _openreview_note(
                note_id,
                title,
                authors,
                venue=f"{venue_name} {year} poster",
                venueid=f"{venue_id}/{year}/Conference",
                year=year,
                accepted=True,
            )
            if profile == "ml-venue":
                corpus.openreview_search[normalise(title)] = _notes_body([note], count=False)
            else:
                ids["openreview"] = note_id
                corpus.openreview_notes["openreview"][note_id] = note
                corpus.openreview_bodies["openreview"][note_id] = _notes_body([note], count=True)
        elif profile == "retitled":
            listed_title = _title(rng, index + 20_000_000)
            corpus.arxiv.setdefault(arxiv_id, {})[1] = _arxiv_entry(
                arxiv_id, 1, listed_title, authors, date=date, primary=primary
            )

        if has_arxiv:
            version = 2 if profile == "retitled" else 1
            reported = doi if profile == "arxiv-doi" else None
            corpus.arxiv.setdefault(arxiv_id, {})[version] = _arxiv_entry(
                arxiv_id,
                version,
                title,
                authors,
                date=date,
                primary=primary,
                doi=reported,
            )
            if not links:
                links.append(f'      paper: "https://arxiv.org/abs/{arxiv_id}"\n')
        if index % 4 == 0:
            links.append(f'      code: "https://github.com/synthetic-benchmark/{entry_id}"\n')
        lines.append(f"    abbr: {_yaml_text(listed_title.split(':')[0][:24].strip())}\n")
        lines.append(f"    title: {_yaml_text(listed_title)}\n")
        lines.append(f"    venue: {_yaml_text(venue)}\n")
        lines.append("    links:\n")
        lines.extend(links)
        if ids:
            lines.append(
                "    ids: {" + ", ".join(f"{name}: {_yaml_text(value)}" for name, value in ids.items()) + "}\n"
            )
        out.extend(lines)
        out.append("\n")
    return SyntheticList(size=size, entries_yaml="".join(out), corpus=corpus, profiles=counts)
