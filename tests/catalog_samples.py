"""Hand-made `Resolved` items and catalogs for exporter, enriched.yaml and TeX tests (shared; no network, no services).

`realistic_items()` mirrors what a refresh yields for the bundled list's kinds of entries (author lists abridged);
`hostile_items()` holds the metadata a service or a hand edit can throw at the exporters.
"""

from __future__ import annotations

from collections.abc import Iterable

from geoemb_bib.model import (
    Catalog,
    CuratedIds,
    Decision,
    Entry,
    IdAssertion,
    Link,
    ListMeta,
    PartialDate,
    Person,
    Provenance,
    Record,
    Resolved,
    Section,
    SourceName,
)

FETCHED = "2026-01-15T10:00:00Z"
RESOLVED_AT = "2026-01-15T10:00:05Z"

SECTIONS = (
    Section(id="surveys", title="Surveys and Concept Papers"),
    Section(id="location", title="Location Embeddings", columns=("abbr", "title", "venue", "paper", "code", "dataset")),
    Section(id="product", title="Product Embeddings", columns=("abbr", "title", "venue", "paper", "code", "dataset")),
    Section(id="aggregate", title="Aggregate / Multi-Observation Embeddings"),
    Section(id="challenges", title="Open Challenges and Competitions", columns=("year", "title", "host", "challenge")),
    Section(id="related", title="Related Works (for context)"),
    Section(id="remote-sensing", title="Remote Sensing Representation Learning", parent="related"),
    Section(id="hostile", title="Hostile & Odd_Metadata #1"),
)
META = ListMeta(title="Sample list", empty_cell="null")


def people(*names: str) -> tuple[Person, ...]:
    """`Given|Family` or `Given|particle|Family|suffix` strings to persons (a bare name is an organisation)."""
    result = []
    for name in names:
        parts = name.split("|")
        if len(parts) == 1:
            result.append(Person(literal=name))
        elif len(parts) == 2:
            result.append(Person(given=parts[0], family=parts[1]))
        else:
            given, particle, family, *rest = parts
            result.append(Person(given=given, particle=particle, family=family, suffix=rest[0] if rest else ""))
    return tuple(result)


def _prov(
    fields: Iterable[str], source: SourceName, standard_id: str, score: float | None = None
) -> dict[str, Provenance]:
    return {
        name: Provenance(source=source, standard_id=standard_id, fetched_at=FETCHED, score=score) for name in fields
    }


def geoclip() -> Resolved:
    """A NeurIPS 2023 paper found on OpenReview from its arXiv preprint (no DOI, no pages in any API)."""
    entry = Entry(
        id="geoclip",
        section="location",
        title="GeoCLIP: Clip-Inspired Alignment between Locations and Images for Effective Worldwide Geo-localization",
        abbr="GeoCLIP",
        venue="NeurIPS 2023",
        links=(
            Link("paper", "https://arxiv.org/abs/2309.16020"),
            Link("code", "https://github.com/VicenteVivan/geo-clip"),
        ),
    )
    record = Record(
        source="merged",
        standard_id="openreview:I18BXotQ7j",
        type="paper-conference",
        title=entry.title,
        author=people("Vicente|Vivanco Cepeda", "Gaurav Kumar|Nayak", "Mubarak|Shah"),
        issued=PartialDate(2023),
        container_title="Advances in Neural Information Processing Systems",
        event_title="NeurIPS 2023",
        url="https://openreview.net/forum?id=I18BXotQ7j",
        arxiv_id="2309.16020",
        arxiv_version=2,
        arxiv_primary_class="cs.CV",
        arxiv_categories=("cs.CV", "cs.AI"),
        openreview_id="I18BXotQ7j",
        venue="NeurIPS 2023 poster",
        venueid="NeurIPS.cc/2023/Conference",
        decision=Decision.ACCEPTED,
        fetched_at=FETCHED,
    )
    provenance = {
        **_prov(
            ("title", "author", "issued", "container_title", "event_title", "url", "venue"),
            "openreview",
            "openreview:I18BXotQ7j",
            1.0,
        ),
        **_prov(("arxiv_id", "arxiv_version", "arxiv_primary_class"), "arxiv", "arxiv:2309.16020v2"),
    }
    return Resolved(
        entry=entry,
        key="vivanco2023geoclip",
        status="published",
        evidence="identifier",
        record=record,
        provenance=provenance,
        identity=(
            IdAssertion("arxiv", "2309.16020", "curated"),
            IdAssertion("openreview", "I18BXotQ7j", "matching"),
        ),
        steps=("arxiv: 2309.16020v2", "openreview: I18BXotQ7j accepted (NeurIPS.cc/2023/Conference)"),
        resolved_at=RESOLVED_AT,
    )


def satclip() -> Resolved:
    """An AAAI 2025 paper: Crossref calls it a journal article, merge made it a conference paper."""
    entry = Entry(
        id="satclip",
        section="location",
        title="SatCLIP: Global, General-Purpose Location Embeddings with Satellite Imagery",
        abbr="SatCLIP",
        venue="AAAI 2025",
        links=(
            Link("paper", "https://ojs.aaai.org/index.php/AAAI/article/view/32457"),
            Link("code", "https://github.com/microsoft/satclip"),
        ),
        ids=CuratedIds(arxiv="2311.17179"),
    )
    record = Record(
        source="merged",
        standard_id="doi:10.1609/aaai.v39i4.32457",
        type="paper-conference",
        title=entry.title,
        author=people("Konstantin|Klemmer", "Esther|Rolf", "Caleb|Robinson", "Lester|Mackey", "Marc|Rußwurm"),
        issued=PartialDate(2025, 4, 11),
        container_title="Proceedings of the AAAI Conference on Artificial Intelligence",
        publisher="Association for the Advancement of Artificial Intelligence (AAAI)",
        volume="39",
        issue="4",
        page="4347-4355",
        doi="10.1609/aaai.v39i4.32457",
        url="https://ojs.aaai.org/index.php/AAAI/article/view/32457",
        abstract=(
            "Geographic information is essential for modeling tasks in fields ranging from ecology to epidemiology."
        ),
        arxiv_id="2311.17179",
        arxiv_version=3,
        arxiv_primary_class="cs.CV",
        fetched_at=FETCHED,
        score=0.97,
    )
    return Resolved(
        entry=entry,
        key="klemmer2025satclip",
        status="published",
        evidence="identifier",
        record=record,
        provenance={
            **_prov(
                ("title", "author", "issued", "container_title", "publisher", "volume", "issue", "page", "doi"),
                "crossref",
                "doi:10.1609/aaai.v39i4.32457",
                0.97,
            ),
            **_prov(("arxiv_id",), "curated", "entry:satclip"),
        },
        identity=(
            IdAssertion("arxiv", "2311.17179", "curated"),
            IdAssertion("doi", "10.1609/aaai.v39i4.32457", "crossref"),
        ),
        aliases=("satclip2023",),
        resolved_at=RESOLVED_AT,
    )


def lossy_compression() -> Resolved:
    """An IEEE magazine article with volume, issue and pages; the published title lower-cases 'review'."""
    entry = Entry(
        id="lossy-neural-compression",
        section="surveys",
        title="Lossy Neural Compression for Geospatial Analytics: A Review",
        abbr="LossyNeuralCompression",
        venue="GRSM 2025",
        links=(Link("paper", "https://ieeexplore.ieee.org/document/10934749", "Lossy Neural Compression"),),
        ids=CuratedIds(arxiv="2503.01505", doi="10.1109/mgrs.2025.3546527"),
    )
    record = Record(
        source="merged",
        standard_id="doi:10.1109/mgrs.2025.3546527",
        type="article-journal",
        title="Lossy Neural Compression for Geospatial Analytics: A review",
        author=people(
            "Carlos|Gomes", "Isabelle|Wittmann", "Damien|Robert", "Johannes|Jakubik", "Tim|Reichelt", "Matej|Batič"
        ),
        issued=PartialDate(2025),
        container_title="IEEE Geoscience and Remote Sensing Magazine",
        publisher="Institute of Electrical and Electronics Engineers (IEEE)",
        volume="13",
        issue="3",
        page="97–135",
        doi="10.1109/mgrs.2025.3546527",
        arxiv_id="2503.01505",
        arxiv_version=2,
        arxiv_primary_class="cs.CV",
        fetched_at=FETCHED,
    )
    return Resolved(
        entry=entry,
        key="gomes2025lossy",
        status="published",
        evidence="identifier",
        record=record,
        provenance=_prov(
            ("title", "author", "issued", "container_title", "volume", "issue", "page", "doi"),
            "crossref",
            "doi:10.1109/mgrs.2025.3546527",
            1.0,
        ),
        identity=(IdAssertion("doi", "10.1109/mgrs.2025.3546527", "curated"),),
        problems=("arXiv v2 lists 27 authors, the published record 26",),
        resolved_at=RESOLVED_AT,
    )


def seco() -> Resolved:
    """An ICCV 2021 paper from Crossref with accented names and a month."""
    entry = Entry(
        id="seco",
        section="remote-sensing",
        title="Seasonal Contrast: Unsupervised Pre-Training from Uncurated Remote Sensing Data",
        abbr="SeCo",
        venue="ICCV 2021",
        links=(
            Link("paper", "https://arxiv.org/abs/2103.16607"),
            Link("code", "https://github.com/ServiceNow/seasonal-contrast"),
        ),
    )
    record = Record(
        source="merged",
        standard_id="doi:10.1109/iccv48922.2021.00928",
        type="paper-conference",
        title="Seasonal Contrast: Unsupervised Pre-Training From Uncurated Remote Sensing Data",
        author=people("Oscar|Mañas", "Alexandre|Lacoste", "Xavier|Giró-i-Nieto", "David|Vazquez", "Pau|Rodríguez"),
        issued=PartialDate(2021, 10),
        container_title="2021 IEEE/CVF International Conference on Computer Vision (ICCV)",
        event_title="2021 IEEE/CVF International Conference on Computer Vision (ICCV)",
        publisher="IEEE",
        page="9394-9403",
        doi="10.1109/iccv48922.2021.00928",
        arxiv_id="2103.16607",
        arxiv_version=2,
        arxiv_primary_class="cs.CV",
        fetched_at=FETCHED,
    )
    return Resolved(
        entry=entry,
        key="manas2021seasonal",
        status="published",
        evidence="verified",
        record=record,
        provenance=_prov(
            ("title", "author", "issued", "container_title", "page", "doi"),
            "crossref",
            "doi:10.1109/iccv48922.2021.00928",
            0.93,
        ),
        resolved_at=RESOLVED_AT,
    )


def major_tom() -> Resolved:
    """A preprint known to arXiv only."""
    entry = Entry(
        id="major-tom-embeddings",
        section="product",
        title="Global and Dense Embeddings of Earth: Major TOM Floating in the Latent Space",
        abbr="Major TOM Embeddings",
        venue="Arxiv 2024",
        links=(
            Link("paper", "https://arxiv.org/abs/2412.05600", "Arxiv Paper"),
            Link("code", "https://github.com/ESA-PhiLab/Major-TOM"),
            Link("dataset", "https://huggingface.co/Major-TOM"),
        ),
    )
    record = Record(
        source="arxiv",
        standard_id="arxiv:2412.05600v1",
        type="article",
        title=entry.title,
        author=people("Mikolaj|Czerkawski", "Marcin|Kluczek", "Jędrzej S.|Bojanowski"),
        issued=PartialDate(2024, 12, 7),
        url="https://arxiv.org/abs/2412.05600v1",
        arxiv_id="2412.05600",
        arxiv_version=1,
        arxiv_primary_class="cs.CV",
        arxiv_categories=("cs.CV",),
        fetched_at=FETCHED,
    )
    return Resolved(
        entry=entry,
        key="czerkawski2024global",
        status="preprint",
        evidence="identifier",
        record=record,
        provenance=_prov(("title", "author", "issued", "arxiv_id"), "arxiv", "arxiv:2412.05600v1"),
        identity=(IdAssertion("arxiv", "2412.05600", "curated"),),
        resolved_at=RESOLVED_AT,
    )


def copernicus_fm() -> Resolved:
    """Listed as 'ICCV 2025 Oral' but only the arXiv record exists: exporters must not invent a booktitle."""
    entry = Entry(
        id="copernicus-fm",
        section="aggregate",
        title="Towards a Unified Copernicus Foundation Model for Earth Vision",
        abbr="Copernicus-FM",
        venue="ICCV 2025 Oral",
        links=(
            Link("paper", "https://arxiv.org/abs/2503.11849"),
            Link("code", "https://github.com/zhu-xlab/Copernicus-FM"),
        ),
    )
    record = Record(
        source="arxiv",
        standard_id="arxiv:2503.11849v3",
        type="article",
        title=entry.title,
        author=people(
            "Yi|Wang",
            "Zhitong|Xiong",
            "Chenying|Liu",
            "Adam J.|Stewart",
            "Thomas|Dujardin",
            "Nikolaos Ioannis|Bountos",
            "Angelos|Zavras",
            "Franziska|Gerken",
            "Ioannis|Papoutsis",
            "Laura|Leal-Taixé",
            "Xiao Xiang|Zhu",
        ),
        issued=PartialDate(2025, 3, 14),
        arxiv_id="2503.11849",
        arxiv_version=3,
        arxiv_primary_class="cs.CV",
        arxiv_comment="ICCV 2025 Oral",
        fetched_at=FETCHED,
    )
    return Resolved(
        entry=entry,
        key="wang2025towards",
        status="preprint",
        evidence="identifier",
        record=record,
        provenance=_prov(("title", "author", "issued", "arxiv_id"), "arxiv", "arxiv:2503.11849v3"),
        resolved_at=RESOLVED_AT,
    )


def clay() -> Resolved:
    """A dataset with an organisation as author, known to no service."""
    entry = Entry(
        id="clay-embeddings",
        section="product",
        kind="dataset",
        title="Clay Model v0 Embeddings",
        abbr="CLAY Embeddings",
        venue="Source Cooperative 2024",
        year=2024,
        authors=(Person(literal="Clay Foundation"),),
        links=(
            Link("code", "https://github.com/Clay-foundation"),
            Link("dataset", "https://source.coop/clay/clay-model-v0-embeddings"),
        ),
    )
    record = Record(
        source="curated",
        standard_id="entry:clay-embeddings",
        type="dataset",
        title=entry.title,
        author=entry.authors,
        issued=PartialDate(2024),
    )
    return Resolved(
        entry=entry,
        key="clay2024embeddings",
        status="resolved",
        evidence="curated-only",
        record=record,
        steps=("crossref: no match for the title",),
        resolved_at=RESOLVED_AT,
    )


def earth_genome_blog() -> Resolved:
    """A blog post on Medium by an organisation."""
    entry = Entry(
        id="earth-genome-embeddings",
        section="product",
        kind="blog-post",
        title="Embeddings for all",
        abbr="Earth Genome Embeddings",
        year=2025,
        host="Medium",
        authors=(Person(literal="Earth Genome"),),
        links=(
            Link("paper", "https://medium.com/earthrisemedia/embeddings-for-all-0e0a29415b26", "Medium 2025"),
            Link("dataset", "https://source.coop/earthgenome/earthindexembeddings"),
        ),
    )
    record = Record(
        source="curated",
        standard_id="entry:earth-genome-embeddings",
        type="post-weblog",
        title=entry.title,
        author=entry.authors,
        issued=PartialDate(2025),
    )
    return Resolved(
        entry=entry,
        key="earthgenome2025embeddings",
        status="resolved",
        evidence="curated-only",
        record=record,
        resolved_at=RESOLVED_AT,
    )


def terramind_challenge() -> Resolved:
    """A challenge hosted by two organisations, one with a Greek letter and an ampersand in its name."""
    entry = Entry(
        id="terramind-challenge",
        section="challenges",
        kind="challenge",
        title="TerraMind Blue-Sky Challenge Round 2: Team Urban Embeddings",
        year=2025,
        host="IBM & ESA Φ-lab",
        links=(Link("challenge", "https://huggingface.co/spaces/ibm-esa-geospatial/challenge", "TerraMind Challenge"),),
    )
    record = Record(
        source="curated",
        standard_id="entry:terramind-challenge",
        type="webpage",
        title=entry.title,
        issued=PartialDate(2025),
    )
    return Resolved(
        entry=entry,
        key="terramind2025challenge",
        status="resolved",
        evidence="curated-only",
        record=record,
        resolved_at=RESOLVED_AT,
    )


def realistic_items() -> tuple[Resolved, ...]:
    return (
        lossy_compression(),
        geoclip(),
        satclip(),
        clay(),
        earth_genome_blog(),
        major_tom(),
        copernicus_fm(),
        terramind_challenge(),
        seco(),
    )


HOSTILE_TITLE = (
    "Robust {GeoCLIP} with 100% & #1 results_on $x^2$ and $\\input{/etc/passwd}$: \\write18{rm -rf /} "
    '<i>in situ</i> <jats:sub>2</jats:sub> ~^ "quoted" } unbalanced {{{ \\ back\x00slash\x07 \u202e ß é ø Φ 北京'
)


def hostile_items() -> tuple[Resolved, ...]:
    """Metadata a service or a hand edit can produce: TeX injection, unbalanced braces, control characters, markup,
    a very long title, hundreds of authors, particles, suffixes, CJK names, an organisation with 'and' in its name."""
    names = people(
        "Ludwig|van|Beethoven",
        "Jean|de La|Fontaine",
        "Martin Luther||King|Jr.",
        "Søren|Kierkegaard",
        "Marc|Rußwurm",
        "Gabriel|García Márquez",
        "Ærøskøbing|Ødegård",
        "Smith and Sons {Ltd} \\relax",
        "John, Paul|Jones & {Co}",
        "伟|张",
        "Zoë|d'Alembert",
        "|von|Neumann",
        "Bell|hooks",
    )
    first = Entry(
        id="hostile-title",
        section="hostile",
        title=HOSTILE_TITLE,
        venue="Arxiv 2025",
        links=(Link("paper", "https://arxiv.org/abs/2501.00001"),),
    )
    first_record = Record(
        source="merged",
        standard_id="doi:10.1234/x_y%z",
        type="article-journal",
        title=HOSTILE_TITLE,
        author=names,
        issued=PartialDate(2025, 2, 30),
        container_title="Journal of {Unbalanced & Special} Characters_% \\def\\x{}",
        volume="12 {bis}",
        issue="3\\",
        page="e1001--e1002",
        doi="10.1234/x_y%z{}<>#",
        url="https://example.org/a b{c}\\d%e#f^g",
        abstract="We show that 50% of $\\alpha$ & <b>bold</b> claims fail; \\begin{document} \\end{document} }{",
        arxiv_id="2501.00001",
        arxiv_primary_class="cs.LG\\x",
        fetched_at=FETCHED,
    )
    many = tuple(Person(given=f"Given{n}", family=f"Family{n}") for n in range(300))
    second = Entry(
        id="many-authors",
        section="hostile",
        title="A Study with Three Hundred Authors and a Very Long Title " * 12,
        venue="NeurIPS 2024",
    )
    second_record = Record(
        source="merged",
        standard_id="openreview:abcdefghij",
        type="paper-conference",
        title=second.title,
        author=many,
        issued=PartialDate(2024),
        container_title="Advances in Neural Information Processing Systems",
        decision=Decision.ACCEPTED,
    )
    third = Entry(id="empty-record", section="hostile", title="{}", venue=None)
    third_record = Record(source="curated", standard_id="entry:empty-record", title="")
    return (
        Resolved(
            entry=first,
            key="hostile2025robust",
            status="published",
            evidence="verified",
            record=first_record,
            problems=("title holds TeX commands",),
        ),
        Resolved(entry=second, key="family02024study", status="published", evidence="identifier", record=second_record),
        Resolved(entry=third, key="empty-record", status="unresolved", evidence="curated-only", record=third_record),
    )


def catalog(items: Iterable[Resolved]) -> Catalog:
    return Catalog(meta=META, sections=SECTIONS, items=tuple(items))


def realistic_catalog() -> Catalog:
    return catalog(realistic_items())


def hostile_catalog() -> Catalog:
    return catalog(hostile_items())
