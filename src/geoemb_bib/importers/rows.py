"""From the cells of a listed row (a Markdown or HTML table row, a bullet) to an entry's fields.

Owns the rules a list's layout needs: which header names which column, which empty markers a cell uses, which
link of a cell is the paper and which a repository or a project page, and what kind of item a row lists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .. import ids
from ..exporters.markdown import default_label
from ..model import Entry, Kind, Link
from . import Notice

# What lists write in a cell that holds nothing.
EMPTY_MARKERS = ("", "-", "\u2013", "\u2014", "null", "none", "n/a", "na", "tbd", "/", "✗", "x")

# Header words -> column, first match wins ("Code / Benchmark" is the code column). Per kind of section a few
# words mean another column: "Challenge" is a challenge table's title, its "Link" the challenge page.
_HEADER_WORDS: tuple[tuple[str, str], ...] = (
    ("abbr", "abbr"),
    ("abbreviation", "abbr"),
    ("acronym", "abbr"),
    ("short", "abbr"),
    ("method", "abbr"),
    ("model", "abbr"),
    ("name", "abbr"),
    ("title", "title"),
    ("paper title", "title"),
    ("publication", "venue"),
    ("venue", "venue"),
    ("conference", "venue"),
    ("journal", "venue"),
    ("published", "venue"),
    ("pub", "venue"),
    ("year", "year"),
    ("date", "year"),
    ("host", "host"),
    ("platform", "host"),
    ("organizer", "host"),
    ("organiser", "host"),
    ("authors", "authors"),
    ("author", "authors"),
    ("paper", "paper"),
    ("pdf", "paper"),
    ("arxiv", "paper"),
    ("code", "code"),
    ("github", "code"),
    ("repo", "code"),
    ("repository", "code"),
    ("implementation", "code"),
    ("dataset", "dataset"),
    ("datasets", "dataset"),
    ("data", "dataset"),
    ("project", "project"),
    ("website", "project"),
    ("homepage", "project"),
    ("site", "project"),
    ("demo", "demo"),
    ("video", "video"),
    ("slides", "slides"),
    ("blog", "blog"),
    ("weights", "model"),
    ("description", "notes"),
    ("notes", "notes"),
    ("note", "notes"),
    ("remarks", "notes"),
    ("comment", "notes"),
    ("introduction", "notes"),
    ("summary", "notes"),
    ("tags", "tags"),
    ("tag", "tags"),
    ("keywords", "tags"),
    ("category", "tags"),
    ("categories", "tags"),
    ("attribute", "tags"),
    ("attributes", "tags"),
    ("modality", "tags"),
    ("modalities", "tags"),
    ("tasks", "tags"),
    ("task", "tags"),
)
# Header words for "a link" in general: each link of such a column goes where its label or host says.
_LINK_WORDS = ("link", "links", "url")
_KIND_HEADER_WORDS: dict[str, dict[str, str]] = {
    "challenge": {"challenge": "title", "competition": "title", "name": "title", "link": "challenge"},
    "dataset": {"dataset": "title", "name": "title", "link": "dataset", "data": "dataset"},
    "software": {"tool": "title", "name": "title", "library": "title", "link": "code"},
}
# Words of a section heading that say what its rows are, when they are not papers.
_SECTION_KINDS: tuple[tuple[str, Kind], ...] = (
    ("challenge", "challenge"),
    ("competition", "challenge"),
    ("dataset", "dataset"),
    ("data set", "dataset"),
    ("tool", "software"),
    ("software", "software"),
    ("librar", "software"),
    ("package", "software"),
)

# Link labels and hosts that say what a link is, checked in this order.
_LABEL_ROLES: tuple[tuple[str, str], ...] = (
    (r"\b(code|github|gitlab|repo|repository|implementation|source)\b", "code"),
    (r"\b(data|dataset|datasets|embeddings? dataset)\b", "dataset"),
    (r"\b(project|site|website|homepage|page|webpage)\b", "project"),
    (r"\b(demo|space|playground)\b", "demo"),
    (r"\b(video|youtube|talk)\b", "video"),
    (r"\b(slides?|poster)\b", "slides"),
    (r"\b(blog|post)\b", "blog"),
    (r"\b(model|weights|checkpoints?)\b", "model"),
    (r"\b(paper|pdf|arxiv|doi|preprint|openreview|ieee|acm|springer|publication)\b", "paper"),
)
_PAPER_HOSTS = (
    "arxiv.org",
    "doi.org",
    "openreview.net",
    "ieeexplore.ieee.org",
    "dl.acm.org",
    "link.springer.com",
    "sciencedirect.com",
    "mdpi.com",
    "ojs.aaai.org",
    "openaccess.thecvf.com",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "proceedings.mlr.press",
    "aclanthology.org",
    "nature.com",
    "science.org",
    "wiley.com",
    "tandfonline.com",
    "iopscience.iop.org",
    "researchgate.net",
    "semanticscholar.org",
    "copernicus.org",
)
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "pypi.org")
_DATASET_HOSTS = ("zenodo.org", "kaggle.com", "figshare.com", "source.coop", "dataverse")
# Blogs: a row whose "paper" is a post here lists a blog post, dated and hosted by the label ("Medium 2025").
_BLOG_HOSTS = ("medium.com", "substack.com", "blogspot.com", "wordpress.com", "dev.to", "hashnode.dev")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# An absolute http(s) URL with a dotted host and no whitespace: what entries.url_problem accepts as a link, in one
# expression (urlsplit on every cell's link is a tenth of a 2,000-row import); the written file is then validated
# by url_problem itself, so a disagreement is an error, never a bad link written.
_HTTP_URL = re.compile(r"^https?://[^/?#\s@]*\.[^/?#\s]*(?:[/?#]\S*)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CellLink:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's visible text (markup removed, whitespace collapsed), its bold text, its links and its line."""

    text: str
    line: int
    bold: str = ""
    links: tuple[CellLink, ...] = ()
    # `[Paper]()`: a link with no target, which lists nothing
    empty_links: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.links and self.text.strip("*_ ").casefold() in EMPTY_MARKERS


@dataclass
class Row:
    """A row in the making: the entry's fields and the notices found on the way."""

    line: int
    title: str = ""
    abbr: str | None = None
    venue: str | None = None
    year: int | None = None
    host: str | None = None
    kind: Kind = "paper"
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    authors_text: str | None = None
    links: dict[str, Link] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)


def section_kind(title: str) -> Kind:
    """What the rows of a section with this heading list: papers unless the heading names another kind."""
    folded = title.casefold()
    return next((kind for word, kind in _SECTION_KINDS if word in folded), "paper")


def column_for(header: str, kind: Kind, taken: set[str]) -> str | None:
    """The column a header names (None when none does), skipping columns the table already has."""
    words = re.findall(r"[a-z]+", header.casefold())
    phrases = [" ".join(words[i : i + 2]) for i in range(len(words))] + words
    special = _KIND_HEADER_WORDS.get(kind, {})
    for word in words:
        column = special.get(word) or next((c for w, c in _HEADER_WORDS if w == word), None)
        if column is not None and column not in taken:
            return column
        if word in _LINK_WORDS and "links" not in taken:
            return "links"
    for phrase in phrases:
        column = next((c for w, c in _HEADER_WORDS if w == phrase), None)
        if column is not None and column not in taken:
            return column
    return None


def label_role(link: CellLink) -> str | None:
    """What a link's label says it is (`Code`, `Dataset`, `Project page`), or None."""
    label = link.label.casefold()
    return next((role for pattern, role in _LABEL_ROLES if re.search(pattern, label)), None)


def link_role(link: CellLink) -> str | None:
    """What a link is by its label, then its host; None when neither says."""
    by_label = label_role(link)
    if by_label is not None:
        return by_label
    host = (urlsplit(link.url).hostname or "").casefold()
    path = urlsplit(link.url).path
    if host == "huggingface.co":
        return "dataset" if path.startswith("/datasets/") else "demo" if path.startswith("/spaces/") else "model"
    if host.endswith(".github.io"):
        return "project"
    if any(host == h or host.endswith("." + h) for h in _CODE_HOSTS):
        return "code"
    if any(host == h or host.endswith("." + h) or h in host for h in _DATASET_HOSTS):
        return "dataset"
    if any(host == h or host.endswith("." + h) for h in _PAPER_HOSTS) or ids.identify(link.url) is not None:
        return "paper"
    if host in ("youtube.com", "www.youtube.com", "youtu.be", "vimeo.com"):
        return "video"
    return None


def place_links(row: Row, column: str, cell: Cell) -> None:
    """Give each link of a cell its role: a cell's only link is what its column says (the curator put it there)
    unless its label says otherwise (`[Code](...)` in a Paper column); in a cell of several links each goes by its
    label or host, the column's role going to the one that fits it."""
    if cell.empty_links:
        row.notices.append(Notice(cell.line, f"{column} cell: a link with no target (`[...]()`), nothing listed"))
    if len(cell.links) == 1:
        _place(row, label_role(cell.links[0]) or column, cell.links[0], cell.line)
        return
    roles = [link_role(link) for link in cell.links]
    if column not in roles and None in roles:
        roles[roles.index(None)] = column
    for link, role in zip(cell.links, roles, strict=True):
        _place(row, role or column, link, cell.line)


def _place(row: Row, role: str, link: CellLink, line: int) -> None:
    if role in row.links:
        alternative = link_role(link)
        if alternative is None or alternative in row.links:
            row.notices.append(
                Notice(line, f"second {role} link {link.url} of '{row.title or row.abbr}': not placed (one per role)")
            )
            return
        role = alternative
    if not _usable_url(link.url):
        row.notices.append(Notice(line, f"link {link.url!r} is not an http(s) URL: not imported"))
        return
    row.links[role] = Link(role, link.url, link.label or None)


def _usable_url(url: str) -> bool:
    return _HTTP_URL.match(url) is not None


def clean_text(text: str) -> str:
    """A title or venue as listed, without the trailing full stop or colon lists leave after it."""
    return " ".join(text.split()).rstrip(" .:;,").strip()


def year_of(text: str | None) -> int | None:
    found = _YEAR.findall(text or "")
    return int(found[-1]) if found else None


def finish(row: Row, entry_id: str, section: str) -> Entry:
    """The entry for a row: its kind decided (a dataset row without paper, a blog post), labels equal to the
    default left out so the export writes the same cell."""
    kind = row.kind
    year = row.year
    host = row.host
    paper = row.links.get("paper")
    if kind == "paper" and paper is None and "dataset" in row.links:
        kind = "dataset"
    if kind == "paper" and paper is not None and _is_blog(paper.url):
        kind = "blog-post"
        host = host or _site_name(paper)
        year = year or year_of(paper.label)
    if kind != "paper":
        year = year or year_of(row.venue)
    draft = Entry(id=entry_id, section=section, title=row.title, kind=kind, abbr=row.abbr)
    links = tuple(Link(link.role, link.url, _label(link, draft)) for link in row.links.values())
    return Entry(
        id=entry_id,
        section=section,
        title=row.title,
        kind=kind,
        abbr=row.abbr,
        venue=row.venue,
        year=year,
        host=host,
        links=links,
        tags=tuple(dict.fromkeys(row.tags)),
        notes=row.notes,
        line=row.line,
    )


def _label(link: Link, entry: Entry) -> str | None:
    """The label to keep: none when the export would write the same one anyway (`code` for `Code`, the title)."""
    if not link.label or link.label.casefold() in (default_label(entry, link.role).casefold(), entry.title.casefold()):
        return None
    return link.label


def _is_blog(url: str) -> bool:
    host = (urlsplit(url).hostname or "").casefold()
    return any(host == h or host.endswith("." + h) for h in _BLOG_HOSTS)


def _site_name(link: Link) -> str:
    if link.label:
        name = clean_text(_YEAR.sub("", link.label))
        if name:
            return name
    host = (urlsplit(link.url).hostname or "").removeprefix("www.")
    return host.split(".")[0].capitalize()


def order_links(links: dict[str, Link]) -> dict[str, Link]:
    """Links in the order the export writes columns (paper, code, dataset, ...)."""
    from ..entries import LINK_ROLES

    return {role: links[role] for role in LINK_ROLES if role in links}
