"""enriched.yaml's fast reader: for the writer's own layout it builds exactly what PyYAML builds (values, types, the
line of every mapping and key); for anything else it steps aside and PyYAML reads the file."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from catalog_samples import geoclip, hostile_items, realistic_items
from geoemb_bib import enriched, yaml_layout
from geoemb_bib.model import Person


def pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=yaml_layout.Loader)


def assert_same(fast: Any, slow: Any, path: str = "document") -> None:
    assert type(fast) is type(slow), f"{path}: {type(fast).__name__} vs {type(slow).__name__}"
    if isinstance(slow, yaml_layout.Map):
        assert (fast.line, fast.key_lines, list(fast)) == (slow.line, slow.key_lines, list(slow)), path
        for key in slow:
            assert_same(fast[key], slow[key], f"{path}.{key}")
    elif isinstance(slow, list):
        assert len(fast) == len(slow), path
        for index, (left, right) in enumerate(zip(fast, slow, strict=True)):
            assert_same(left, right, f"{path}[{index}]")
    elif isinstance(slow, float) and math.isnan(slow):
        assert isinstance(fast, float) and math.isnan(fast), path
    else:
        assert fast == slow, path


def test_the_writers_output_is_read_fast_and_exactly_as_pyyaml_reads_it() -> None:
    items = realistic_items() + hostile_items()
    for text in [
        enriched.dump_items(items),
        *(enriched.dump_items([item], meta={"entries_sha256": "ab"}) for item in items),
    ]:
        fast = yaml_layout.fast_load(text)
        assert fast is not None
        assert_same(fast, pyyaml(text))


def test_a_long_list_round_trips_through_the_fast_reader() -> None:
    items = tuple(
        dataclasses.replace(geoclip(), entry=dataclasses.replace(geoclip().entry, id=f"geoclip-{n}"))
        for n in range(300)
    )
    text = enriched.dump_items(items)
    assert yaml_layout.fast_load(text) is not None
    assert list(enriched.load_items(text, "enriched.yaml").values()) == list(items)


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(title=texts, family=texts, note=texts, step=texts, label=texts)
def test_any_text_reads_the_same_fast_or_falls_back(title: str, family: str, note: str, step: str, label: str) -> None:
    item = geoclip()
    record = dataclasses.replace(
        item.record, title=title or "t", author=(Person(family=family, given=label),), abstract=note or None
    )
    entry = dataclasses.replace(item.entry, notes=note or None, abbr=label or None)
    item = dataclasses.replace(item, record=record, entry=entry, steps=(step, f"{step}: {label}"))
    text = enriched.dump_items([item])
    fast = yaml_layout.fast_load(text)
    if fast is not None:
        assert_same(fast, pyyaml(text))
    assert enriched.load_items(text, "enriched.yaml")["geoclip"] == item


BASE = enriched.dump_items([geoclip()])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  key: vivanco2023geoclip\n", "  key: vivanco2023geoclip   # pinned\n"),  # a comment after a value
        ("  status: published\n", "  status: published\n  # a note of the curator's\n"),  # a comment line
        ("  status: published\n", "  status: 'published'\n"),
        ("  status: published\n", '  status: "published"\n'),
        ("  status: published\n", "  status:   published  \n"),
        ("  status: published\n", "  status: yes\n"),
        ("  status: published\n", "  status: null\n"),
        ("  status: published\n", "  status: ~\n"),
        ("  status: published\n", "  status:\n"),
        ("  status: published\n", "  status: 0x1F\n"),
        ("  status: published\n", "  status: 1_000\n"),
        ("  status: published\n", "  status: 2024-01-02\n"),
        ("  status: published\n", "  status: .inf\n"),
        ("  status: published\n", "  status: &a published\n"),
        ("  status: published\n", "  status: !!str published\n"),
        ("  status: published\n", "  status: published\n  status: preprint\n"),  # a duplicate key
        ("  status: published\n", "  status: >-\n    published\n"),
        ("  status: published\n", "  status: |-\n      published\n    more\n"),
        ("  status: published\n", "  status: pub\n    lished\n"),  # a plain scalar on two lines
        ("  status: published\n", "  status: 'pub\n    lished'\n"),
        ("  status: published\n", '  status: "pub\\\n    lished"\n'),
        ("  status: published\n", '  status: "pub\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\t\\"\\\\"\n'),
        ("  status: published\n", '  status: "pub\\q"\n'),
        ("  status: published\n", "  yes: published\n"),
        ("  status: published\n", "  'status': published\n"),
        ("  status: published\n", "  ? status\n  : published\n"),
        ("  status: published\n", "  <<: {a: b}\n"),
        ("  status: published\n", "  status: {a: b,c: d}\n"),
        ("  status: published\n", "  status: {a: b , c: [d ,e], f: {}, g: []}\n"),
        ("  status: published\n", "  status: [a, b, ]\n"),
        ("  status: published\n", "  status: [a, 'b''c', \"d\\n\", {e: f}, 1, 2.5, true, null]\n"),
        ("  status: published\n", "  status: {a: b}\n  extra:\n    - x\n    - y\n"),  # an indented list
        ("  status: published\n", "  status: {a: b}\n  extra:\n      deep: x\n"),
        ("  status: published\n", "  status: [a,\n    b]\n"),
        ("  status: published\n", "\tstatus: published\n"),
        ("  status: published\n", "  status: published\r\n"),
        ("  status: published\n", "  status: pub\x85lished\n"),
        ("  status: published\n", "  status: -published\n"),
        ("  status: published\n", "  status: published: yes\n"),
        ("  status: published\n", "  status: published:\n"),
        ("  status: published\n", "  status: 'published' trailing\n"),
        ("- id: geoclip\n", "---\n- id: geoclip\n"),
        ("- id: geoclip\n", "-   id: geoclip\n"),
    ],
)
def test_hand_edits_read_the_same_or_go_to_pyyaml(old: str, new: str) -> None:
    assert old in BASE
    text = BASE.replace(old, new, 1)
    try:
        slow = pyyaml(text)
    except yaml.YAMLError:
        assert yaml_layout.fast_load(text) is None
        return
    fast = yaml_layout.fast_load(text)
    if fast is not None:
        assert_same(fast, slow)


def test_errors_keep_their_lines_whichever_reader_reads_the_file() -> None:
    text = BASE.replace("  status: published\n", "  status: publishd\n", 1)
    assert yaml_layout.fast_load(text) is not None
    line = text.splitlines().index("  status: publishd") + 1
    with pytest.raises(Exception, match=rf"enriched.yaml:{line}: entry 'geoclip': status: 'publishd' is not one of"):
        enriched.load_items(text, "enriched.yaml")
