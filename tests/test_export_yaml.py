"""enriched.yaml and the yaml export: layout, round trips back to equal objects, and located errors on bad input."""

from __future__ import annotations

import dataclasses

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_samples import geoclip, hostile_items, realistic_catalog, realistic_items
from geoemb_bib import enriched
from geoemb_bib.errors import InputError
from geoemb_bib.exporters import ExportOptions, export
from geoemb_bib.model import Decision, PartialDate, Person, Provenance, Record, Resolved


def roundtrip(items: tuple[Resolved, ...]) -> dict[str, Resolved]:
    return enriched.load_items(enriched.dump_items(items), "enriched.yaml")


def test_realistic_and_hostile_items_load_back_equal() -> None:
    items = realistic_items() + hostile_items()
    loaded = roundtrip(items)
    assert list(loaded) == [item.entry.id for item in items]
    for item in items:
        assert loaded[item.entry.id] == item


def test_the_export_is_the_enriched_document() -> None:
    catalog = realistic_catalog()
    text = export("yaml", catalog, ExportOptions())
    assert text == enriched.dump_items(catalog.items)
    assert list(enriched.load_items(text, "x.yaml").values()) == list(catalog.items)


def test_layout_header_field_order_and_no_timestamp_of_its_own() -> None:
    text = enriched.dump_items([geoclip()], meta={"entries_sha256": "abc"})
    data = yaml.safe_load(text)
    assert data["geoemb-bib"] == {"format": 1, "generator": data["geoemb-bib"]["generator"], "entries_sha256": "abc"}
    block = data["entries"][0]
    assert list(block) == [
        "id",
        "key",
        "status",
        "evidence",
        "curated",
        "record",
        "identity",
        "provenance",
        "steps",
        "resolved_at",
    ]
    assert list(block["curated"]) == ["section", "title", "abbr", "venue", "links"]
    assert block["record"]["issued"] == "2023"
    assert block["record"]["author"][0] == {"family": "Vivanco Cepeda", "given": "Vicente"}
    assert block["record"]["decision"] == "accepted"
    assert block["provenance"][0]["fields"][:2] == ["title", "author"]
    # Same input, same bytes: the file is committed and diffed.
    assert enriched.dump_items([geoclip()]) == enriched.dump_items([geoclip()])
    assert "    - {family: Nayak, given: Gaurav Kumar}\n" in text


def test_dates_enums_and_person_parts_survive() -> None:
    record = Record(
        source="openreview",
        standard_id="openreview:x",
        title="T",
        issued=PartialDate(2025, 4, 11),
        decision=Decision.WITHDRAWN,
        author=(
            Person(
                family="Beethoven",
                given="Ludwig",
                particle="van",
                suffix="Jr.",
                affiliations=("Bonn",),
                orcid="0000-0001",
            ),
            Person(literal="Clay Foundation"),
        ),
        relations=(("has-preprint", "arxiv:1"),),
        arxiv_categories=("cs.CV",),
        score=0.5,
    )
    item = dataclasses.replace(
        geoclip(), record=record, provenance={"title": Provenance("openreview", "openreview:x", None, 1e-05)}
    )
    assert roundtrip((item,))["geoclip"] == item
    assert "'2025-04-11'" in enriched.dump_items([item])


def test_long_titles_are_never_folded() -> None:
    title = "Word " * 2000 + "end"
    item = dataclasses.replace(geoclip(), record=dataclasses.replace(geoclip().record, title=title))
    text = enriched.dump_items([item])
    assert f"    title: {title}\n" in text
    assert roundtrip((item,))["geoclip"].record.title == title


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(title=texts, family=texts, note=texts, step=texts, key=texts)
def test_any_text_round_trips(title: str, family: str, note: str, step: str, key: str) -> None:
    base = geoclip()
    item = dataclasses.replace(
        base,
        key=key,
        entry=dataclasses.replace(base.entry, title=title, notes=note, tags=(step,)),
        record=dataclasses.replace(
            base.record, title=title, author=(Person(family=family, given=note),), abstract=note or None
        ),
        steps=(step,),
        provenance={key or "x": Provenance("crossref", step)},
    )
    assert roundtrip((item,))["geoclip"] == item


def test_fast_emitter_agrees_with_pyyaml() -> None:
    text = enriched.dump_items(realistic_items() + hostile_items())
    data = yaml.load(text, Loader=yaml.SafeLoader)
    assert yaml.load(yaml.safe_dump(data, allow_unicode=True), Loader=yaml.SafeLoader) == data


def bad(text: str) -> str:
    with pytest.raises(InputError) as caught:
        enriched.load_items(text, "enriched.yaml")
    assert caught.value.hint
    return caught.value.message


GOOD = enriched.dump_items([geoclip()])


def test_merge_conflict_markers_are_located() -> None:
    lines = GOOD.splitlines()
    lines.insert(9, "<<<<<<< HEAD")
    assert bad("\n".join(lines)).startswith("enriched.yaml:10: unresolved merge-conflict marker")


def test_yaml_syntax_error_is_located() -> None:
    assert bad(GOOD.replace("  status: published", "  status: [published")).startswith("enriched.yaml:")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "  status: published",
            "  status: publishd",
            "enriched.yaml:9: entry 'geoclip': status: 'publishd' is not one of",
        ),
        ("    issued: '2023'", "    issued: 23rd", "entry 'geoclip': record.issued: expected a date"),
        ("    decision: accepted", "    decision: maybe", "record.decision: 'maybe' is not one of"),
        ("    arxiv_version: 2", "    arxiv_version: two", "record.arxiv_version: expected a whole number"),
        ("    venue: NeurIPS 2023 poster", "    venu: NeurIPS 2023 poster", "record: unknown field 'venu'"),
        ("  key: vivanco2023geoclip\n", "", "entry 'geoclip': missing field 'key'"),
        (
            "    arxiv_id: '2309.16020'",
            "    arxiv_id: 2309.16020",
            "record.arxiv_id: expected text, found 2309.1602; put it in quotes",
        ),
        ("format: 1", "format: 2", "format 2 is newer than this geoemb-bib reads"),
    ],
)
def test_malformed_fields_are_reported_with_their_line(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    message = bad(GOOD.replace(old, new))
    assert expected in message
    line = int(message.split(":")[1])
    assert 1 <= line <= GOOD.count("\n") + 1


def test_the_reported_line_is_the_bad_field() -> None:
    text = GOOD.replace("    decision: accepted", "    decision: maybe")
    line = next(n for n, text_line in enumerate(text.splitlines(), start=1) if "decision: maybe" in text_line)
    assert bad(text).startswith(f"enriched.yaml:{line}: ")


def test_duplicate_entries_fields_and_aliases_are_refused() -> None:
    body = GOOD.split("entries:\n", 1)[1]
    assert "duplicate id" in bad(GOOD + body)
    assert "duplicate field 'key'" in bad(GOOD.replace("  status: published", "  key: other\n  status: published"))
    assert "anchors and aliases" in bad(GOOD.replace("    source: merged", "    source: &s merged\n    venueid: *s"))


def test_not_an_enriched_file() -> None:
    assert "missing the 'geoemb-bib' header" in bad("entries: []\n")
    assert "expected a mapping" in bad("- a\n")
    assert enriched.load_items("geoemb-bib: {format: 1}\nentries: []\n", "x") == {}


def test_hand_edited_integers_and_unquoted_dates_are_accepted() -> None:
    text = GOOD.replace("    issued: '2023'", "    issued: 2023-05-02").replace(
        "  resolved_at: '2026-01-15T10:00:05Z'", "  resolved_at: 2026-01-15T10:00:05Z"
    )
    item = enriched.load_items(text, "x")["geoclip"]
    assert item.record.issued == PartialDate(2023, 5, 2)
    assert item.resolved_at == "2026-01-15T10:00:05Z"


def test_ten_thousand_entries_dump_and_load_back() -> None:
    """Scale, not speed (speed is measured in benchmarks/)."""
    items = realistic_items()
    many = [
        dataclasses.replace(it, entry=dataclasses.replace(it.entry, id=f"{it.entry.id}-{n}"))
        for n in range(1112)
        for it in items
    ]
    loaded = enriched.load_items(enriched.dump_items(many), "enriched.yaml")
    assert list(loaded) == [item.entry.id for item in many]


def test_links_with_a_query_string_round_trip_through_enriched_yaml() -> None:
    """A curated link such as a Google Drive share URL (`...?usp=sharing`) is written in a flow mapping."""
    from geoemb_bib.model import Link

    item = geoclip()
    entry = dataclasses.replace(
        item.entry,
        links=(Link("dataset", "https://drive.google.com/drive/folders/1US?usp=sharing#x", label="Data: S2"),),
    )
    loaded = enriched.load_items(enriched.dump_items([dataclasses.replace(item, entry=entry)]), "enriched.yaml")
    assert loaded[entry.id].entry.links == entry.links
