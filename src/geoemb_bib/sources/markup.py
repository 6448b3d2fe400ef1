"""Markup in service text: JATS/HTML tags and entities (Crossref), LaTeX (OpenReview BibTeX), and whitespace runs."""

from __future__ import annotations

import html
import re

from pylatexenc.latex2text import LatexNodes2Text

# Tags that separate paragraphs in JATS abstracts and HTML; everything else is inline formatting.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "sec",
        "title",
        "div",
        "br",
        "li",
        "list",
        "list-item",
        "abstract",
        "label",
        "caption",
        "table-wrap",
        "fig",
    }
)
# Sub/superscripts sit inside a word (H<sub>2</sub>O, CO<sub>2</sub>): their boundaries never become spaces.
_GLUE_TAGS = frozenset({"sub", "sup", "inf"})
_TAG = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][\w:.-]*)(?:\s[^<>]*)?/?>", re.DOTALL)
# Sentinels for tag boundaries, resolved once entities and neighbours are known; never present in real text.
_INLINE = "\x00"
_BLOCK = "\x01"
_INLINE_RUN = re.compile(f"{_INLINE}+")
_LINE_BREAK_RUN = re.compile(r"\s*\n\s*")
_NO_SPACE_AFTER = "([{/"
_NO_SPACE_BEFORE = ")]}/,.;:!?"
_LATEX = LatexNodes2Text()


def collapse_whitespace(text: str) -> str:
    """Every run of whitespace (newlines, tabs, no-break spaces) as one space, and no space at either end."""
    return " ".join(text.split())


def strip_markup(text: str, *, paragraphs: bool = False) -> str:
    """Plain text from a JATS/HTML fragment: tags dropped, entities decoded, whitespace collapsed.

    With `paragraphs`, block elements (`<jats:p>`, `<jats:sec>`, `<jats:title>`) become blank-line
    separated paragraphs; otherwise everything is one line, as a title must be.
    """
    marked = _TAG.sub(lambda match: _boundary(match.group(2), paragraphs), text)
    marked = _INLINE_RUN.sub(_resolve_inline, marked)
    marked = html.unescape(marked)
    pieces = (_tidy(piece) for piece in marked.split(_BLOCK))
    return "\n\n".join(piece for piece in pieces if piece)


def latex_to_text(text: str) -> str:
    """Unicode text from a LaTeX-escaped BibTeX value (`Ru{\\ss}wurm` -> `Rußwurm`, `Geo{CLIP}` -> `GeoCLIP`)."""
    return collapse_whitespace(_LATEX.latex_to_text(text))


def _boundary(tag_name: str | None, paragraphs: bool) -> str:
    if tag_name is None:  # a comment
        return ""
    local = tag_name.rsplit(":", 1)[-1].lower()
    if local in _BLOCK_TAGS:
        return _BLOCK if paragraphs else " "
    if local in _GLUE_TAGS:
        return ""
    return _INLINE


def _resolve_inline(match: re.Match[str]) -> str:
    # bioRxiv deposits drop the spaces around italics ("targeting<jats:italic>SMARCB1</jats:italic>for"):
    # a formatting tag squeezed between two word characters stood for a word break.
    before, after = _neighbours(match)
    return " " if before.isalnum() and after.isalnum() else ""


def _tidy(text: str) -> str:
    # Pretty-printed JATS indents inline elements on their own lines ("detecting\n    <i>KRAS</i>\n    /\n");
    # such a line break is layout, so it vanishes next to brackets and slashes and is one space elsewhere.
    return collapse_whitespace(_LINE_BREAK_RUN.sub(_line_break, text))


def _line_break(match: re.Match[str]) -> str:
    before, after = _neighbours(match)
    if (before and before in _NO_SPACE_AFTER) or (after and after in _NO_SPACE_BEFORE):
        return ""
    return " "


def _neighbours(match: re.Match[str]) -> tuple[str, str]:
    text, start, end = match.string, match.start(), match.end()
    return (text[start - 1] if start > 0 else ""), (text[end] if end < len(text) else "")
