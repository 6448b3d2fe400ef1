"""An imported list as entries.yaml text, laid out like the bundled file: `list`, `sections`, then `entries`.

Entries are written by `entries.render_entry` (the block `add` inserts), sections by `render_section` (the block
`import --update` inserts), so a file written here and a file edited later read the same.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..entries import DEFAULT_LIST_TITLE, DEFAULT_SECTION, render_entry
from ..model import CuratedList, ListMeta, Section
from ..yaml_layout import curated_block

HEADER = """\
# {title}: the curated list geoemb-bib resolves and exports, imported from {source}.
#
# Hand-edited from now on; run `geoemb-bib check` after editing. `geoemb-bib import --update {source}` brings
# later edits of {source} back (new rows added, listed titles, venues and links updated, nothing else touched).
"""


def render_list(curated: CuratedList, source: str) -> str:
    """The whole entries.yaml for an imported list."""
    parts = [HEADER.format(title=curated.meta.title, source=source)]
    if _has_meta(curated.meta):
        parts.append("list:\n" + "".join(_meta_lines(curated.meta)))
    if curated.sections and curated.sections != (DEFAULT_SECTION,):
        parts.append("sections:\n" + "\n".join(render_section(section) for section in curated.sections))
    if curated.entries:
        previous: str | None = None
        blocks = []
        for entry in curated.entries:
            heading = f"  # {entry.section}\n" if entry.section != previous else ""
            previous = entry.section
            blocks.append(heading + render_entry(entry))
        parts.append("entries:\n" + "\n".join(blocks))
    else:
        parts.append("entries: []\n")
    return "\n".join(parts)


def _has_meta(meta: ListMeta) -> bool:
    return meta != ListMeta(title=DEFAULT_LIST_TITLE)


def _meta_lines(meta: ListMeta) -> Iterator[str]:
    yield f"  title: {curated_block(meta.title, 4)}\n"
    if meta.icon:
        yield f"  icon: {curated_block(meta.icon, 4)}\n"
    if meta.badges:
        yield "  badges:\n"
        yield from (f"    - {curated_block(badge, 6)}\n" for badge in meta.badges)
    if meta.intro:
        yield f"  intro: {curated_block(meta.intro, 4)}\n"
    if meta.notes:
        yield "  notes:\n"
        yield from (f"    - {curated_block(note, 6)}\n" for note in meta.notes)
    if meta.contributing:
        yield "  contributing:\n"
        if meta.contributing_icon:
            yield f"    icon: {curated_block(meta.contributing_icon, 6)}\n"
        yield f"    title: {curated_block(meta.contributing_title, 6)}\n"
        yield f"    text: {curated_block(meta.contributing, 6)}\n"
    yield f"  empty_cell: {curated_block(meta.empty_cell, 4)}\n"


def render_section(section: Section, indent: int = 2) -> str:
    """The YAML block of one section, ending with a newline."""
    pad = " " * indent
    lines = [f"{pad}- id: {curated_block(section.id, indent + 4)}"]
    if section.parent:
        lines.append(f"{pad}  parent: {curated_block(section.parent, indent + 4)}")
    if section.hidden:
        lines.append(f"{pad}  hidden: true")
    if section.icon:
        lines.append(f"{pad}  icon: {curated_block(section.icon, indent + 4)}")
    lines.append(f"{pad}  title: {curated_block(section.title, indent + 4)}")
    for name in ("comment", "description", "see_also"):
        value = getattr(section, name)
        if value:
            lines.append(f"{pad}  {name}: {curated_block(value, indent + 4)}")
    if section.columns != Section.__dataclass_fields__["columns"].default:
        lines.append(f"{pad}  columns: [{', '.join(section.columns)}]")
    if section.column_titles:
        titles = ", ".join(f"{name}: {curated_block(title, 0)}" for name, title in section.column_titles.items())
        lines.append(f"{pad}  column_titles: {{{titles}}}")
    return "\n".join(lines) + "\n"


INITIAL_ENTRIES = """\
# {title}: the curated list geoemb-bib resolves and exports.
#
# Add a paper by arXiv id or URL, DOI or OpenReview link:   geoemb-bib add 2309.16020
# or import a list you already have:                        geoemb-bib import README.md  (or refs.bib, refs.json)
# or write entries by hand (see README.md, "entries.yaml"):
#
#   - id: geoclip
#     title: "GeoCLIP: Clip-Inspired Alignment between Locations and Images for Effective Worldwide Geo-localization"
#     venue: NeurIPS 2023
#     links: {{paper: "https://arxiv.org/abs/2309.16020", code: "https://github.com/VicenteVivan/geo-clip"}}
#
# Until you add `sections:`, every entry is in one section, `papers`. Run `geoemb-bib check` after editing,
# `geoemb-bib build` to resolve the list and write references.bib, references.json and list.md.

list:
  title: {title_value}

entries: []
"""

INITIAL_CONFIG = """\
# geoemb-bib settings for the list in this folder; environment variables and flags override them.
# Every setting is optional: uncomment the ones you need.

# Your address, sent in the User-Agent so that Crossref can reach you (its "polite" pool). GEOEMB_BIB_MAILTO
# mailto = "you@example.org"

# Where answers of the services are cached (default: the user cache folder). GEOEMB_BIB_CACHE_DIR
# cache-dir = "~/.cache/geoemb-bib"

# Where `geoemb-bib build` writes references.bib, references.json, enriched.yaml and list.md.
# output-dir = "build"

# How long a cached answer is used before it is asked again, in days, per service.
# cache-ttl-days = {{ arxiv = 7, crossref = 7, openreview = 1 }}

# Citation keys: "author-year-word" (klemmer2025satclip) or "author-year" (klemmer2025).
# key-scheme = "author-year-word"

# BibTeX export: "bibtex" or "biblatex"; keep non-ASCII characters (for biber) instead of LaTeX escapes.
# bibtex-flavour = "bibtex"
# unicode = false

# Order of exported entries: "list" (as listed) or "key".
# sort = "list"
"""


def initial_files(title: str) -> dict[str, str]:
    """The files `geoemb-bib init` writes: a minimal entries.yaml `check` accepts and a commented configuration."""
    return {
        "entries.yaml": INITIAL_ENTRIES.format(title=title, title_value=curated_block(title, 4)),
        "geoemb-bib.toml": INITIAL_CONFIG.format(),
    }
