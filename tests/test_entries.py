"""entries.yaml is loaded into the model, and every problem is reported as `file:line:column: where: what`."""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO_ROOT
from geoemb_bib.entries import MAX_FILE_BYTES, insert_entry, load_entries
from geoemb_bib.errors import EntriesError
from geoemb_bib.model import CuratedIds, CuratedList, Entry, Link

BROKEN = FIXTURES / "entries"
MINIMAL = (BROKEN / "valid-minimal.yaml").read_text(encoding="utf-8")


def load(text: str | bytes, path: str = "entries.yaml") -> CuratedList:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return load_entries(path, data)


def problems_of(text: str | bytes) -> list[str]:
    with pytest.raises(EntriesError) as caught:
        load(text)
    return [str(problem) for problem in caught.value.problems]


def with_entry_lines(*lines: str) -> str:
    """The minimal valid list with extra lines appended to its one entry."""
    return MINIMAL + "".join(f"    {line}\n" for line in lines)


# -- the bundled list ---------------------------------------------------------------------------------


def test_the_bundled_list_holds_every_row_of_the_published_list() -> None:
    curated = load_entries("entries.yaml", (REPO_ROOT / "entries.yaml").read_bytes())
    kinds = Counter(entry.kind for entry in curated.entries)
    assert len(curated.entries) == 25
    assert kinds == {"paper": 21, "challenge": 2, "dataset": 1, "blog-post": 1}
    assert [s.id for s in curated.sections if s.parent == "related"] == [
        "remote-sensing",
        "modality-gap",
        "potentially-interesting",
    ]
    assert curated.meta.title == "Awesome Geospatial Embeddings"


def test_the_bundled_list_keeps_links_labels_and_curated_identifiers() -> None:
    curated = load_entries("entries.yaml", (REPO_ROOT / "entries.yaml").read_bytes())
    by_id = {entry.id: entry for entry in curated.entries}
    tessera = by_id["tessera"]
    assert tessera.link("dataset").label == "Python Library"  # type: ignore[union-attr]
    assert tessera.link("paper").url == "https://arxiv.org/abs/2506.20380"  # type: ignore[union-attr]
    assert by_id["lossy-neural-compression"].ids.doi == "10.1109/mgrs.2025.3546527"
    assert by_id["satclip"].ids.arxiv == "2311.17179"
    assert by_id["cropland-mapping-embeddings"].abbr is None
    assert by_id["clay-embeddings"].authors[0].literal == "Clay Foundation"


# -- each kind of broken file: one clear line ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "syntax-error.yaml",
            "syntax-error.yaml:9:12: YAML syntax error: the quote opened here is not closed",
        ),
        (
            "unknown-field.yaml",
            "unknown-field.yaml:9:5: entry 'satclip': unknown field 'titel' (did you mean 'title'?)",
        ),
        ("missing-title.yaml", "missing-title.yaml:7:5: entry 'satclip': missing field 'title'"),
        (
            "bad-url.yaml",
            "bad-url.yaml:11:14: entry 'satclip': link 'paper': 'htps//arxiv.org/abs/2311.17179' is not an absolute "
            "URL",
        ),
        (
            "duplicate-key.yaml",
            "duplicate-key.yaml:14:10: entry 'geoclip': key 'klemmer2025satclip' is already pinned by entry 'satclip' "
            "on line 7",
        ),
        (
            "duplicate-arxiv-id.yaml",
            "duplicate-arxiv-id.yaml:16:7: entry 'satclip-again': same paper as entry 'satclip' on line 7 "
            "(arxiv:2311.17179)",
        ),
        (
            "unknown-section.yaml",
            "unknown-section.yaml:8:14: entry 'satclip': section 'paper' is not defined (did you mean 'papers'?)",
        ),
    ],
)
def test_each_broken_fixture_gives_exactly_one_located_problem(fixture: str, expected: str) -> None:
    path = BROKEN / fixture
    with pytest.raises(EntriesError) as caught:
        load_entries(str(path), path.read_bytes())
    assert len(caught.value.problems) == 1
    assert str(caught.value.problems[0]).startswith(
        str(BROKEN / expected.split(":", 1)[0]) + ":" + expected.split(":", 1)[1]
    )


def test_all_problems_of_a_file_are_reported_together() -> None:
    text = with_entry_lines("year: soon", "kind: poster", "tags: nice")
    problems = problems_of(text)
    assert problems == [
        "entries.yaml:13:11: entry 'satclip': field 'year': expected a whole number from 1000 to 2999, found 'soon'",
        "entries.yaml:14:11: entry 'satclip': unknown kind 'poster' (one of paper, dataset, blog-post, challenge, "
        "software, webpage)",
        "entries.yaml:15:11: entry 'satclip': field 'tags': expected a list, found 'nice'",
    ]


# -- hostile input (issue 7) --------------------------------------------------------------------------


def test_an_empty_file_is_refused() -> None:
    assert problems_of("") == ["entries.yaml:1:1: file is empty; it needs at least `entries:`"]


def test_a_byte_order_mark_is_refused_with_a_remedy() -> None:
    assert problems_of(b"\xef\xbb\xbf" + MINIMAL.encode()) == [
        "entries.yaml:1:1: file starts with a byte-order mark; save it as UTF-8 without BOM"
    ]


def test_tabs_are_located() -> None:
    assert problems_of(MINIMAL.replace("    venue:", "\tvenue:")) == [
        "entries.yaml:10:1: tab character; YAML indentation and values must use spaces"
    ]


def test_a_file_saved_as_mac_roman_is_not_utf8() -> None:
    text = MINIMAL.replace("AAAI 2025", "Mañas 2025").encode("mac_roman")
    assert problems_of(text) == ["entries.yaml:10:14: not UTF-8 (byte 0x96); save the file as UTF-8"]


def test_mojibake_in_valid_utf8_is_pointed_at() -> None:
    for garbled in ("MaÃ±as", "Ru√üwurm", "Itâ€™s"):
        problems = problems_of(MINIMAL.replace("AAAI 2025", garbled))
        assert len(problems) == 1 and problems[0].startswith("entries.yaml:10:") and "garbled characters" in problems[0]


def test_duplicate_yaml_fields_are_refused() -> None:
    problems = problems_of(with_entry_lines("venue: AAAI 2024"))
    assert problems == ["entries.yaml:13:5: entry 'satclip': duplicate field 'venue' (first given on line 10)"]


def test_alias_bombs_are_refused_before_they_expand() -> None:
    bomb = "\n".join(
        ["a: &a [x, x, x, x, x, x, x, x, x]"]
        + [
            f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]"
            for i in range(8)
        ]
    )
    problems = problems_of(bomb + "\n")
    assert problems and all("entries.yaml:" in p for p in problems)


def test_aliases_inside_entries_are_refused() -> None:
    text = (
        MINIMAL.replace("venue: AAAI 2025", "venue: &v AAAI 2025")
        + "  - id: other\n    section: papers\n    title: Other\n    venue: *v\n"
    )
    assert problems_of(text) == [
        "entries.yaml:16:5: entry 'other': field 'venue': YAML anchors and aliases (&name / *name) are not allowed"
    ]


def test_wrong_types_name_the_field() -> None:
    problems = problems_of(with_entry_lines("tags: {a: b}", "authors: Jane Doe", "override: [title]"))
    assert problems == [
        "entries.yaml:13:11: entry 'satclip': field 'tags': expected a list, found a mapping",
        "entries.yaml:14:14: entry 'satclip': field 'authors': expected a list, found 'Jane Doe'",
        "entries.yaml:15:15: entry 'satclip': field 'override': expected a mapping of fields, found a list",
    ]


def test_a_file_above_the_size_limit_is_refused_without_parsing() -> None:
    problems = problems_of(b"#" * (MAX_FILE_BYTES + 1))
    assert problems == [f"entries.yaml: file is {(MAX_FILE_BYTES + 1) / 1e6:.1f} MB; the limit is 8 MB"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://arxiv.org/abs/2311 17179", "contains whitespace"),
        ("javascript:alert(1)", "uses the scheme 'javascript'; only http and https links are allowed"),
        ("ftp://example.org/paper.pdf", "uses the scheme 'ftp'"),
        ("file:///etc/passwd", "uses the scheme 'file'"),
        ("https://", "has no valid host"),
    ],
)
def test_unsafe_or_malformed_urls_are_refused(url: str, message: str) -> None:
    problems = problems_of(MINIMAL.replace("https://arxiv.org/abs/2311.17179", url))
    assert (
        len(problems) == 1
        and problems[0].startswith("entries.yaml:12:14: entry 'satclip': link 'paper':")
        and message in problems[0]
    )


def test_control_characters_in_text_are_refused() -> None:
    problems = problems_of(MINIMAL.replace("AAAI 2025", '"AAAI\\x072025"'))
    assert problems == [
        "entries.yaml:10:12: entry 'satclip': field 'venue': contains a control character or line break"
    ]


# -- what the schema allows a curator -----------------------------------------------------------------


def test_unquoted_arxiv_ids_keep_their_digits() -> None:
    text = with_entry_lines("ids: {arxiv: 2503.01510}").replace(
        "https://arxiv.org/abs/2311.17179", "https://doi.org/10.1609/aaai.v39i4.32457"
    )
    assert load(text).entries[0].ids.arxiv == "2503.01510"


def test_curated_ids_must_agree_with_the_links() -> None:
    problems = problems_of(with_entry_lines("ids: {arxiv: '2309.16020'}"))
    assert problems == [
        "entries.yaml:13:18: entry 'satclip': ids.arxiv '2309.16020' differs from the paper link's '2311.17179'"
    ]


def test_an_arxiv_doi_given_as_doi_is_redirected_to_ids_arxiv() -> None:
    problems = problems_of(with_entry_lines("ids: {doi: 10.48550/arXiv.2311.17179}"))
    assert problems == [
        "entries.yaml:13:16: entry 'satclip': ids.doi '10.48550/arXiv.2311.17179' is arXiv's own DOI; give the arXiv "
        "id as ids.arxiv instead"
    ]


def test_key_override_tags_and_notes_are_kept() -> None:
    curated = load(
        with_entry_lines(
            "key: klemmer2025satclip",
            "override: {venue: AAAI 2025, issued: 2025-04-11, type: paper-conference, "
            "author: ['Konstantin Klemmer', {literal: Microsoft Research}]}",
            "tags: [location, contrastive]",
            "notes: Also presented at a workshop.",
        )
    )
    entry = curated.entries[0]
    assert entry.key == "klemmer2025satclip"
    assert entry.override["issued"] == "2025-04-11"
    assert entry.override["type"] == "paper-conference"
    assert entry.override["author"][0].family == "Klemmer"
    assert entry.override["author"][1].literal == "Microsoft Research"
    assert entry.tags == ("location", "contrastive")
    assert entry.notes == "Also presented at a workshop."


def test_unsafe_citation_keys_are_refused() -> None:
    problems = problems_of(with_entry_lines("key: ../../etc/passwd"))
    assert len(problems) == 1 and "key '../../etc/passwd' must start with a letter" in problems[0]


def test_unknown_override_fields_suggest_the_right_one() -> None:
    assert problems_of(with_entry_lines("override: {containertitle: X}")) == [
        "entries.yaml:13:16: entry 'satclip': field 'override': unknown field 'containertitle' (did you mean "
        "'container_title'?)"
    ]


def test_subsections_must_name_an_existing_parent() -> None:
    text = MINIMAL.replace("    title: Papers\n", "    title: Papers\n    parent: related\n", 1)
    assert problems_of(text) == ["entries.yaml:4: section 'papers': parent 'related' is not a section"]


def test_null_links_mean_absent_as_in_the_published_list(tmp_path: Path) -> None:
    curated = load(
        with_entry_lines().replace(
            '      paper: "https://arxiv.org/abs/2311.17179"', "      paper: null\n      code: ~"
        )
    )
    assert curated.entries[0].links == ()


# -- add: inserting an entry keeps every other byte ---------------------------------------------------


def _new_entry(section: str, entry_id: str = "new-paper") -> Entry:
    return Entry(
        id=entry_id,
        section=section,
        title='A: new "paper" # 1',
        venue="NeurIPS 2024",
        links=(
            Link("paper", "https://arxiv.org/abs/2401.00001"),
            Link("code", "https://example.org/c", label="Code v2"),
        ),
        ids=CuratedIds(arxiv="2401.00001"),
    )


def test_insert_entry_adds_one_block_after_the_sections_last_entry_and_keeps_the_rest() -> None:
    original = (REPO_ROOT / "entries.yaml").read_text(encoding="utf-8")
    updated = insert_entry(original, _new_entry("location"))
    removed = [line for line in difflib.ndiff(original.splitlines(), updated.splitlines()) if line.startswith("- ")]
    added = [line[2:] for line in difflib.ndiff(original.splitlines(), updated.splitlines()) if line.startswith("+ ")]
    assert removed == []
    assert added == [
        "  - id: new-paper",
        "    section: location",
        '    title: "A: new \\"paper\\" # 1"',
        "    venue: NeurIPS 2024",
        "    links:",
        '      paper: "https://arxiv.org/abs/2401.00001"',
        '      code: {url: "https://example.org/c", label: Code v2}',
        '    ids: {arxiv: "2401.00001"}',
        "",
    ]
    curated = load_entries("entries.yaml", updated.encode("utf-8"))
    order = [entry.id for entry in curated.entries]
    assert order.index("new-paper") == order.index("satclip") + 1
    assert curated.entries[order.index("new-paper")].title == 'A: new "paper" # 1'


def test_insert_entry_appends_at_the_end_for_the_last_section() -> None:
    original = (REPO_ROOT / "entries.yaml").read_text(encoding="utf-8")
    updated = insert_entry(original, _new_entry("potentially-interesting"))
    assert updated.startswith(original.rstrip("\n"))
    assert load_entries("entries.yaml", updated.encode()).entries[-1].id == "new-paper"


def test_insert_entry_into_an_empty_list() -> None:
    text = "list:\n  title: T\nsections:\n  - id: papers\n    title: Papers\nentries: []\n"
    updated = insert_entry(text, _new_entry("papers"))
    assert [e.id for e in load_entries("entries.yaml", updated.encode()).entries] == ["new-paper"]
