"""Citation keys: the scheme, transliteration, clash letters, pins, stability across refreshes, and rekeying."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import replay_records as replay
from geoemb_bib.keys import SAFE_KEY, KeyChange, ascii_word, assign_keys, base_key, entry_id_for, title_word
from geoemb_bib.merge import merge_entry
from geoemb_bib.model import Entry, PartialDate, Person, Record, Resolved


def record(title: str, family: str | None, year: int | None, **changes: Any) -> Record:
    base = Record(
        source="merged",
        standard_id="x",
        title=title,
        author=(Person(family=family, given="A."),) if family else (),
        issued=PartialDate(year) if year else None,
    )
    return dataclasses.replace(base, **changes)


def item(entry_id: str, title: str, family: str | None, year: int | None, *, key: str | None = None) -> Resolved:
    entry = Entry(id=entry_id, section="s", title=title, key=key)
    return Resolved(entry=entry, key="", status="preprint", evidence="identifier", record=record(title, family, year))


# --- the scheme -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        ("Rußwurm", "russwurm"),
        ("Mañas", "manas"),
        ("Giró-i-Nieto", "giroinieto"),
        ("Søren", "soren"),
        ("Batič", "batic"),
        ("Łukasz", "lukasz"),
        ("Æsir", "aesir"),
        ("Ru{\\ss}wurm", "russwurm"),
        ("O'Donoghue", "odonoghue"),
    ],
)
def test_transliteration_to_ascii(text: str, ascii: str) -> None:
    assert ascii_word(text) == ascii


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("Towards a Unified Copernicus Foundation Model", "unified"),
        ("On the Generalizability of Foundation Models", "generalizability"),
        ("The Potential of Copernicus Satellites", "potential"),
        ("GeoCLIP: Clip-Inspired Alignment", "geoclip"),
        ("Into the Rabbit Hull", "rabbit"),
        ("Multi-modal Learning", "multimodal"),
        ("Sentinel-2 at Scale", "sentinel2"),
    ],
)
def test_first_significant_title_word(title: str, word: str) -> None:
    assert title_word(title) == word


def test_base_key_is_family_year_title_word() -> None:
    assert (
        base_key(record("SatCLIP: Global, General-Purpose Location Embeddings", "Klemmer", 2025))
        == "klemmer2025satclip"
    )
    assert (
        base_key(record("Geographic Location Encoding with Spherical Harmonics", "Rußwurm", 2024))
        == "russwurm2024geographic"
    )
    assert base_key(record("Seasonal Contrast", "Mañas", 2021)) == "manas2021seasonal"


def test_base_key_without_year_or_author() -> None:
    # No year: nothing stands in for it (no "nd", which reads as part of a name).
    assert base_key(record("Some Title", "Smith", None)) == "smithsome"
    organisation = Record(
        source="merged",
        standard_id="x",
        title="Clay Model v0 Embeddings",
        author=(Person(literal="Clay Foundation"),),
        issued=PartialDate(2024),
    )
    assert base_key(organisation) == "clayfoundation2024clay"
    # No author at all: the first title word stands in for the name and the next one is the title word.
    assert base_key(record("CVPR EARTHVISION: Embed2Scale Challenge", None, 2025)) == "cvpr2025earthvision"


def test_base_key_of_an_entry_reads_its_year_or_listed_venue() -> None:
    assert (
        base_key(Entry(id="e", section="s", title="The Thing", year=2019, authors=(Person(family="Doe"),)))
        == "doe2019thing"
    )
    assert (
        base_key(Entry(id="e", section="s", title="The Thing", venue="ICCV 2025 Oral", authors=(Person(family="Doe"),)))
        == "doe2025thing"
    )


def test_keys_are_bibtex_safe_even_for_non_latin_names() -> None:
    key = base_key(record("東京の地図", "山田", 2024))
    assert SAFE_KEY.match(key)


def test_replay_keys_of_the_seed_list_follow_the_scheme() -> None:
    satclip = merge_entry(replay.entry("satclip"), preprint=replay.arxiv_record("2311.17179"))
    assert base_key(satclip) == "klemmer2023satclip"  # the preprint's year; publication would say 2025
    encoder = merge_entry(replay.entry("location-encoder"), preprint=replay.arxiv_record("2310.06743"))
    assert base_key(encoder) == "russwurm2023geographic"
    seco = merge_entry(replay.entry("seco"), preprint=replay.arxiv_record("2103.16607"))
    assert base_key(seco) == "manas2021seasonal"


# --- assignment -------------------------------------------------------------------------------------------------------


def test_first_run_gives_base_keys_and_reports_them_as_new() -> None:
    items = [item("a", "Deep Things", "Smith", 2020), item("b", "Other Things", "Jones", 2021)]
    assignment = assign_keys(items, {})
    assert assignment.keys == {"a": "smith2020deep", "b": "jones2021other"}
    assert assignment.changes == [
        KeyChange("a", None, "smith2020deep", "new entry"),
        KeyChange("b", None, "jones2021other", "new entry"),
    ]


def test_keys_are_stable_across_a_refresh() -> None:
    items = [item("a", "Deep Things", "Smith", 2020), item("b", "Other Things", "Jones", 2021)]
    first = assign_keys(items, {})
    second = assign_keys(items, first.keys)
    assert second.keys == first.keys and second.changes == []


def test_a_key_survives_publication_changing_the_year() -> None:
    before = [item("a", "Deep Things", "Smith", 2023)]
    keys = assign_keys(before, {}).keys
    after = [item("a", "Deep Things", "Smith", 2025)]  # the version of record is dated later
    assignment = assign_keys(after, keys)
    assert assignment.keys == {"a": "smith2023deep"} and assignment.changes == []


def test_rekey_recomputes_and_reports_every_change() -> None:
    after = [item("a", "Deep Things", "Smith", 2025), item("b", "Other Things", "Jones", 2021)]
    assignment = assign_keys(after, {"a": "smith2023deep", "b": "jones2021other"}, rekey=True)
    assert assignment.keys == {"a": "smith2025deep", "b": "jones2021other"}
    assert assignment.changes == [KeyChange("a", "smith2023deep", "smith2025deep", "rekeyed")]


def test_clashing_new_keys_get_letters_in_list_order() -> None:
    items = [
        item("a", "Deep Things", "Smith", 2020),
        item("b", "Deep Learning", "Smith", 2020),
        item("c", "Deep Sea", "Smith", 2020),
    ]
    assert assign_keys(items, {}).keys == {"a": "smith2020deepa", "b": "smith2020deepb", "c": "smith2020deepc"}


def test_clash_letters_are_stable_when_an_entry_is_inserted_before() -> None:
    items = [item("a", "Deep Things", "Smith", 2020), item("b", "Deep Learning", "Smith", 2020)]
    keys = assign_keys(items, {}).keys
    inserted = [item("new", "Deep Water", "Smith", 2020), *items]
    assignment = assign_keys(inserted, keys)
    assert assignment.keys == {"new": "smith2020deepc", "a": "smith2020deepa", "b": "smith2020deepb"}
    assert assignment.changes == [
        KeyChange("new", None, "smith2020deepc", "new entry; 'smith2020deep' is shared, so a clash letter was added")
    ]


def test_an_existing_key_is_never_taken_over_by_a_new_entry() -> None:
    existing = [item("a", "Deep Things", "Smith", 2020)]
    keys = assign_keys(existing, {}).keys
    assert keys == {"a": "smith2020deep"}
    grown = [item("new", "Deep Water", "Smith", 2020), *existing]
    assignment = assign_keys(grown, keys)
    # The holder of the bare key counts as "a"; the newcomer gets the next letter.
    assert assignment.keys == {"new": "smith2020deepb", "a": "smith2020deep"}


def test_pinned_key_wins_and_a_new_pin_is_reported() -> None:
    items = [item("a", "Deep Things", "Smith", 2020, key="SmithDeep"), item("b", "Other", "Jones", 2021)]
    assignment = assign_keys(items, {"a": "smith2020deep", "b": "jones2021other"})
    assert assignment.keys["a"] == "SmithDeep"
    assert assignment.changes == [KeyChange("a", "smith2020deep", "SmithDeep", "pinned by the curator")]


def test_pinned_key_beats_a_previous_key_of_another_entry() -> None:
    items = [item("a", "Deep Things", "Smith", 2020), item("b", "Other", "Jones", 2021, key="smith2020deep")]
    assignment = assign_keys(items, {"a": "smith2020deep"})
    assert assignment.keys["b"] == "smith2020deep"
    assert assignment.keys["a"] == "smith2020deepb"
    (change,) = [c for c in assignment.changes if c.entry_id == "a"]
    assert change.old == "smith2020deep" and "now pinned by entry 'b'" in change.reason


def test_pins_survive_rekey() -> None:
    items = [item("a", "Deep Things", "Smith", 2020, key="pinned")]
    assert assign_keys(items, {"a": "pinned"}, rekey=True).keys == {"a": "pinned"}


def test_unsafe_previous_key_is_replaced_and_reported() -> None:
    assignment = assign_keys([item("a", "Deep Things", "Smith", 2020)], {"a": "smith 2020{deep}"})
    assert assignment.keys == {"a": "smith2020deep"}
    assert "not BibTeX-safe" in assignment.changes[0].reason


def test_keys_are_unique_and_safe_for_many_clashes() -> None:
    items = [item(f"e{i}", "Deep Things", "Smith", 2020) for i in range(30)]
    keys = assign_keys(items, {}).keys
    assert len(set(keys.values())) == 30
    assert all(SAFE_KEY.match(key) for key in keys.values())
    assert keys["e25"] == "smith2020deepz" and keys["e26"] == "smith2020deepaa"


def test_apply_fills_the_keys_in() -> None:
    items = [item("a", "Deep Things", "Smith", 2020)]
    assignment = assign_keys(items, {})
    (keyed,) = assignment.apply(items)
    assert keyed.key == "smith2020deep" and dataclasses.replace(keyed, key="") == items[0]


def test_replay_whole_list_gets_unique_keys_stable_across_a_simulated_upgrade() -> None:
    """Replay: key the real list from its preprints, then publish SatCLIP (2023 -> 2025); no key moves."""
    items = []
    for entry in replay.entries().values():
        arxiv_id = entry.ids.arxiv or _arxiv_link(entry)
        items.append(merge_entry(entry, preprint=replay.arxiv_record(arxiv_id) if arxiv_id else None))
    first = assign_keys(items, {})
    assert len(set(first.keys.values())) == len(items)
    assert first.keys["satclip"] == "klemmer2023satclip"
    upgraded = [
        dataclasses.replace(i, record=dataclasses.replace(i.record, issued=PartialDate(2025)))
        if i.entry.id == "satclip"
        else i
        for i in items
    ]
    second = assign_keys(upgraded, first.keys)
    assert second.keys == first.keys and second.changes == []
    rekeyed = assign_keys(upgraded, first.keys, rekey=True)
    assert rekeyed.keys["satclip"] == "klemmer2025satclip"
    assert [c.entry_id for c in rekeyed.changes] == ["satclip"]


def _arxiv_link(entry: Entry) -> str | None:
    link = entry.link("paper")
    if link is not None and "arxiv.org/abs/" in link.url:
        return link.url.rsplit("/", 1)[-1]
    return None


def test_a_longer_base_is_not_mistaken_for_a_lettered_key() -> None:
    items = [item("deeper", "Deeper Things", "Smith", 2020), item("deep", "Deep Things", "Smith", 2020)]
    assert assign_keys(items, {"deeper": "smith2020deeper"}).keys == {
        "deeper": "smith2020deeper",
        "deep": "smith2020deep",
    }


def test_the_author_year_scheme_drops_the_title_word_and_letters_clashes() -> None:
    first = Record(
        source="merged",
        standard_id="a",
        title="Deep Maps",
        author=(Person(family="Klemmer", given="K."),),
        issued=PartialDate(2025),
    )
    second = Record(
        source="merged",
        standard_id="b",
        title="Other Maps",
        author=(Person(family="Klemmer", given="K."),),
        issued=PartialDate(2025),
    )
    assert base_key(first, "author-year") == "klemmer2025"
    entries = [Entry(id="one", section="s", title="Deep Maps"), Entry(id="two", section="s", title="Other Maps")]
    items = [
        Resolved(entry=entry, key="", status="published", evidence="verified", record=record)
        for entry, record in zip(entries, (first, second), strict=True)
    ]
    assert assign_keys(items, {}, scheme="author-year").keys == {"one": "klemmer2025a", "two": "klemmer2025b"}


@pytest.mark.parametrize(
    ("title", "abbr", "entry_id"),
    [
        ("DiffusionSat: A Generative Foundation Model for Satellite Imagery", None, "diffusionsat"),
        ("Scale-MAE: A Scale-Aware Masked Autoencoder", "Scale-MAE", "scale-mae"),
        ("Towards a Unified Copernicus Foundation Model", None, "unified"),
        ("東京の地図", None, "entry"),
    ],
)
def test_a_new_entry_id_is_a_row_name_never_a_key_look_alike(title: str, abbr: str | None, entry_id: str) -> None:
    assert entry_id_for(title, abbr) == entry_id
