"""BibTeX/biblatex export: entry types and fields per kind, names, title protection, escaping of hostile metadata,
determinism and speed; parsed back with bibtexparser (and pandoc where installed)."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest

from catalog_samples import (
    catalog,
    clay,
    copernicus_fm,
    earth_genome_blog,
    geoclip,
    hostile_catalog,
    lossy_compression,
    major_tom,
    realistic_catalog,
    realistic_items,
    satclip,
    terramind_challenge,
)
from geoemb_bib.catalog import build_catalog
from geoemb_bib.entries import load_entries
from geoemb_bib.errors import ExportError
from geoemb_bib.exporters import ExportOptions, export
from geoemb_bib.exporters.bibtex import needs_protection
from geoemb_bib.model import Person
from golden import check_golden

REPO = Path(__file__).parent.parent
CLASSIC = ExportOptions()
BIBLATEX = ExportOptions(bibtex_flavour="biblatex")


def bundled_catalog():  # type: ignore[no-untyped-def]
    """The bundled list before any refresh, each entry keyed by its id as a curator's `key:` would pin it (an entry
    never resolved and not pinned has no key yet, and the CLI leaves it out of the citation formats)."""
    path = REPO / "entries.yaml"
    unresolved = build_catalog(load_entries(str(path), path.read_bytes()), {})
    pinned = tuple(dataclasses.replace(item, key=item.entry.id) for item in unresolved.items)
    return dataclasses.replace(unresolved, items=pinned)


def parse(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return {e.key: (e.entry_type, {f.key: f.value for f in e.fields}) for e in library.entries}


def one(item, options: ExportOptions = CLASSIC) -> tuple[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    entries = parse(export("bibtex", catalog([item]), options))
    assert len(entries) == 1
    return next(iter(entries.values()))


def test_golden_realistic_classic_and_biblatex() -> None:
    check_golden("realistic.bib", export("bibtex", realistic_catalog(), CLASSIC))
    check_golden("realistic-biblatex.bib", export("bibtex", realistic_catalog(), BIBLATEX))
    check_golden("hostile.bib", export("bibtex", hostile_catalog(), CLASSIC))


def test_conference_paper_cites_the_published_version_and_keeps_the_eprint() -> None:
    kind, fields = one(satclip())
    assert kind == "inproceedings"
    assert fields["booktitle"] == "Proceedings of the AAAI Conference on Artificial Intelligence"
    assert fields["pages"] == "4347--4355"
    assert fields["month"] == "apr"
    assert fields["doi"] == "10.1609/aaai.v39i4.32457"
    assert fields["publisher"].startswith("Association for the Advancement")
    assert (fields["eprint"], fields["eprinttype"], fields["archivePrefix"], fields["primaryClass"]) == (
        "2311.17179",
        "arxiv",
        "arXiv",
        "cs.CV",
    )
    assert "number" not in fields  # plainnat refuses volume and number together outside @article
    assert fields["author"].endswith("Ru{\\ss}wurm, Marc")


def test_journal_article_has_volume_number_pages() -> None:
    kind, fields = one(lossy_compression())
    assert kind == "article"
    assert (fields["journal"], fields["volume"], fields["number"], fields["pages"]) == (
        "IEEE Geoscience and Remote Sensing Magazine",
        "13",
        "3",
        "97--135",
    )
    assert fields["doi"] == "10.1109/mgrs.2025.3546527" and not fields["doi"].startswith("http")
    assert fields["url"] == "https://doi.org/10.1109/mgrs.2025.3546527"


def test_openreview_paper_points_to_its_forum() -> None:
    kind, fields = one(geoclip())
    assert kind == "inproceedings"
    assert fields["booktitle"] == "Advances in Neural Information Processing Systems"
    assert fields["url"] == "https://openreview.net/forum?id=I18BXotQ7j"
    assert fields["title"].startswith("{GeoCLIP}: Clip-Inspired")


def test_preprint_is_unpublished_with_arxiv_fields_and_online_in_biblatex() -> None:
    kind, fields = one(major_tom())
    assert kind == "unpublished"  # pandoc reads @misc with no CSL type; @unpublished is a manuscript
    assert fields["note"] == "arXiv preprint arXiv:2412.05600"  # what plainnat prints for @unpublished
    assert fields["doi"] == "10.48550/arXiv.2412.05600"
    assert fields["url"] == "https://arxiv.org/abs/2412.05600"
    assert (fields["eprint"], fields["eprinttype"], fields["archivePrefix"]) == ("2412.05600", "arxiv", "arXiv")
    assert fields["title"] == "Global and Dense Embeddings of {Earth}: {Major} {TOM} Floating in the Latent Space"
    assert fields["author"].endswith("Bojanowski, J{\\k{e}}drzej S.")  # T1 sets the ogonek: the letter is kept
    kind, biblatex = one(major_tom(), BIBLATEX)
    assert kind == "online" and "note" not in biblatex and biblatex["date"] == "2024-12-07"
    assert (biblatex["eprint"], biblatex["eprinttype"], biblatex["eprintclass"]) == ("2412.05600", "arxiv", "cs.CV")
    assert "archivePrefix" not in biblatex and "primaryClass" not in biblatex  # not in biblatex's data model


def test_a_listed_venue_without_a_record_is_a_note_never_a_booktitle() -> None:
    kind, fields = one(copernicus_fm())
    assert kind == "unpublished" and "booktitle" not in fields
    assert fields["annote"] == "Listed as ICCV 2025 Oral; no version of record found"


def test_dataset_blog_and_challenge() -> None:
    kind, fields = one(clay())
    assert kind == "unpublished"
    assert fields["author"] == "{Clay Foundation}"
    assert fields["note"] == "Dataset, Source Cooperative"
    assert fields["url"] == "https://source.coop/clay/clay-model-v0-embeddings"
    assert one(clay(), BIBLATEX)[0] == "dataset"
    kind, fields = one(earth_genome_blog(), dataclasses.replace(CLASSIC, urldate="2026-01-15"))
    assert (kind, fields["note"], fields["urldate"]) == ("unpublished", "Blog post, Medium", "2026-01-15")
    assert fields["url"].startswith("https://medium.com/")
    kind, fields = one(earth_genome_blog(), BIBLATEX)
    assert (kind, fields["note"], fields["organization"]) == ("online", "Blog post", "Medium")
    kind, fields = one(terramind_challenge())
    # Math mode rather than \ensuremath: TeX, Zotero and citation-js all read {$\Phi$} as Φ.
    assert fields["author"] == "{IBM \\& ESA {$\\Phi$}-lab}"
    assert fields["note"] == "Challenge"
    assert one(terramind_challenge(), BIBLATEX)[1]["note"] == "Challenge"


def test_field_order_is_fixed() -> None:
    text = export("bibtex", catalog([satclip()]), CLASSIC)
    names = re.findall(r"^  (\w+) = ", text, flags=re.MULTILINE)
    assert names == [
        "author",
        "title",
        "booktitle",
        "volume",
        "pages",
        "year",
        "month",
        "publisher",
        "doi",
        "eprint",
        "eprinttype",
        "archivePrefix",
        "primaryClass",
        "url",
        "annote",
        "keywords",
        "abstract",
    ]
    assert "  month = apr,\n" in text


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        (Person(family="Beethoven", given="Ludwig", particle="van"), "van Beethoven, Ludwig"),
        (Person(family="King", given="Martin Luther", suffix="Jr."), "King, Jr., Martin Luther"),
        (Person(literal="Clay Foundation"), "{Clay Foundation}"),
        (Person(literal="Smith and Sons"), "{Smith and Sons}"),
        (Person(family="Jones", given="John, Paul"), "Jones, {John, Paul}"),
        (Person(family="d'Alembert", given="Jean"), "{d'Alembert}, Jean"),
        (Person(family="Müller", given="Jürgen"), 'M{\\"u}ller, J{\\"u}rgen'),
        (Person(family="张", given="伟"), "Zhang, Wei"),
        (Person(family="Vivanco Cepeda", given="Vicente"), "Vivanco Cepeda, Vicente"),
        # citation-js and pandoc decode {\'\i} to a dotless i with an accent; LaTeX sets {\'i} as í all the same.
        (Person(family="Rodríguez", given="Pau"), "Rodr{\\'i}guez, Pau"),
        # A hyphenated lower-case word is a "von" part to BibTeX and citation-js.
        (Person(family="Giró-i-Nieto", given="Xavier"), "{Gir{\\'o}-i-Nieto}, Xavier"),
        (Person(family="Bojanowski", given="Jędrzej S."), "Bojanowski, J{\\k{e}}drzej S."),
    ],
)
def test_names(person: Person, expected: str) -> None:
    item = dataclasses.replace(geoclip(), record=dataclasses.replace(geoclip().record, author=(person,)))
    assert one(item)[1]["author"] == expected


def test_unicode_option_keeps_utf8_but_still_escapes() -> None:
    _, fields = one(satclip(), ExportOptions(unicode=True))
    assert fields["author"].endswith("Rußwurm, Marc")
    _, fields = one(terramind_challenge(), ExportOptions(unicode=True))
    # A lone Greek letter is a symbol pdflatex cannot set from UTF-8: math, which every engine sets.
    assert fields["author"] == "{IBM \\& ESA {$\\Phi$}-lab}"


@pytest.mark.parametrize(
    "word",
    [
        "GeoCLIP",
        "SatCLIP",
        "Sentinel-2",
        "TESSERA",
        "DINO",
        "NeurIPS",
        "AlphaEarth",
        "Copernicus",
        "PRESTO",
        "CLIP",
        "TOM",
        "Copernicus-FM",
        "S2-100K",
        "v0",
        "Earth",
        "NeuCo-Bench",
        "McDonald",
    ],
)
def test_words_that_need_protection(word: str) -> None:
    assert needs_protection(word)


@pytest.mark.parametrize(
    "word", ["Seasonal", "Unsupervised", "Pre-Training", "Geo-localization", "A", "Multi-Spectral", "2021", "Major"]
)
def test_words_left_to_the_style(word: str) -> None:
    assert not needs_protection(word)


def test_titles_are_never_braced_whole() -> None:
    for _, fields in parse(export("bibtex", realistic_catalog(), CLASSIC)).values():
        title = fields["title"]
        assert not (title.startswith("{") and title.endswith("}") and _depth_never_zero_inside(title)), title


def _depth_never_zero_inside(value: str) -> bool:
    depth = 0
    for index, char in enumerate(value):
        depth += (char == "{") - (char == "}")
        if depth == 0 and index < len(value) - 1:
            return False
    return True


def _top_level_authors(value: str) -> list[str]:
    names, depth, start = [], 0, 0
    for index, char in enumerate(value):
        depth += (char == "{") - (char == "}")
        if depth == 0 and value.startswith(" and ", index):
            names.append(value[start:index])
            start = index + 5
    return [*names, value[start:]]


def _balanced(value: str) -> bool:
    depth = 0
    for char in value:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def test_hostile_metadata_stays_parseable_balanced_ascii_and_inert() -> None:
    text = export("bibtex", hostile_catalog(), CLASSIC)
    assert text.isascii()
    entries = parse(text)
    assert set(entries) == {"hostile2025robust", "family02024study", "empty-record"}
    for _, fields in entries.values():
        for name, value in fields.items():
            assert _balanced(value), (name, value)
            # Outside math and our own escapes no TeX command survives: \input and \write18 arrive as text.
            commands = set(re.findall(r"\\([A-Za-z]+)", value))
            assert not commands & {"input", "write", "def", "begin", "end", "relax", "include", "catcode"}, (
                name,
                value,
            )
            assert not re.search(r"(?<!\\)[&%#_]", value) or name in ("url", "doi"), (name, value)
            assert "\x00" not in value and "\x07" not in value and "\u202e" not in value
    _, fields = entries["hostile2025robust"]
    assert "{$x^2$}" in fields["title"]
    assert "\\textit{in situ}" in fields["title"] and "\\textsubscript{2}" in fields["title"]
    assert "BeiJing" in fields["title"]
    assert fields["month"] == "feb"
    assert len(_top_level_authors(fields["author"])) == 13  # "Smith and Sons" stays one braced organisation
    assert parse(export("bibtex", hostile_catalog(), BIBLATEX))["hostile2025robust"][1]["date"] == "2025-02"
    _, many = entries["family02024study"]
    assert many["author"].count(" and ") == 299


def test_sort_by_key_and_determinism() -> None:
    sorted_keys = list(parse(export("bibtex", realistic_catalog(), ExportOptions(sort="key"))))
    assert sorted_keys == sorted(sorted_keys, key=str.casefold)
    listed = list(parse(export("bibtex", realistic_catalog(), CLASSIC)))
    assert listed == [item.key for item in realistic_items()]
    assert export("bibtex", realistic_catalog(), CLASSIC) == export("bibtex", realistic_catalog(), CLASSIC)


def test_bad_and_duplicate_keys_are_export_errors() -> None:
    with pytest.raises(ExportError, match="duplicate citation keys: vivanco2023geoclip"):
        export("bibtex", catalog([geoclip(), geoclip()]), CLASSIC)
    with pytest.raises(ExportError, match="not usable as a BibTeX key"):
        export("bibtex", catalog([dataclasses.replace(geoclip(), key="bad key,{")]), CLASSIC)


def test_bundled_list_before_any_refresh() -> None:
    bundled = bundled_catalog()
    entries = parse(export("bibtex", bundled, CLASSIC))
    assert len(entries) == len(bundled.items) == 25
    kind, fields = entries["geoclip"]
    assert kind == "misc" and fields["eprint"] == "2309.16020"
    assert fields["annote"] == "Listed as NeurIPS 2023; not resolved yet"
    assert entries["clay-embeddings"][1]["author"] == "{Clay Foundation}"
    assert entries["earth-embeddings"][1]["doi"] == "10.1145/3736539.3754446"


def test_options_drop_abstracts() -> None:
    assert "abstract" not in one(satclip(), ExportOptions(bibtex_abstracts=False))[1]


def test_ten_thousand_entries_export_with_unique_keys() -> None:
    """Scale, not speed (speed is measured in benchmarks/): every one of 10,000 entries is written once."""
    items = realistic_items()
    many = [dataclasses.replace(it, key=f"{it.key}{n}") for n in range(1112) for it in items]
    text = export("bibtex", catalog(many), CLASSIC)
    keys = re.findall(r"^@(?!preamble\b)\w+\{([^,]+),", text, re.MULTILINE)
    assert len(keys) == len(many) == len(set(keys))


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed (apt-get install pandoc)")
def test_pandoc_reads_every_entry() -> None:
    for catalog_ in (realistic_catalog(), hostile_catalog(), bundled_catalog()):
        for options in (CLASSIC, BIBLATEX):
            text = export("bibtex", catalog_, options)
            source_format = "biblatex" if options.bibtex_flavour == "biblatex" else "bibtex"
            result = subprocess.run(
                ["pandoc", "-f", source_format, "-t", "csljson"], input=text, capture_output=True, text=True, timeout=60
            )
            assert result.returncode == 0, result.stderr
            assert result.stderr == "", result.stderr
            ids = [item["id"] for item in json.loads(result.stdout)]
            assert sorted(ids) == sorted(item.key for item in catalog_.items)


def test_a_published_work_no_source_names_authors_for_is_written_as_misc_or_online() -> None:
    """plainnat warns on every compile about an @inproceedings without author, and biber's data model requires one:
    the venue moves to howpublished (classic @misc) or note (biblatex @online)."""
    import dataclasses

    from catalog_samples import realistic_items
    from geoemb_bib.model import Catalog, ListMeta

    conference = next(item for item in realistic_items() if item.record.type == "paper-conference")
    authorless = dataclasses.replace(conference, record=dataclasses.replace(conference.record, author=()))
    catalog = Catalog(meta=ListMeta(title="T"), sections=(), items=(authorless,))
    classic = export("bibtex", catalog, ExportOptions())
    assert f"@misc{{{authorless.key}," in classic
    assert "howpublished = {" in classic and "booktitle = {" in classic
    biblatex = export("bibtex", catalog, ExportOptions(bibtex_flavour="biblatex"))
    assert f"@online{{{authorless.key}," in biblatex
    assert "note = {" in biblatex and "booktitle = {" not in biblatex


def test_each_section_is_one_keyword_whatever_its_title_holds() -> None:
    from geoemb_bib.exporters._citation import tag

    # Zotero splits keywords at commas and semicolons, biblatex and citation-js at commas.
    assert tag("Datasets, Benchmarks; Tools") == "Datasets - Benchmarks - Tools"
    keywords = [fields.get("keywords") for _, fields in parse(export("bibtex", realistic_catalog(), CLASSIC)).values()]
    assert "Related Works (for context): Remote Sensing Representation Learning" in keywords
