"""Text rules shared by matching, keys, names, the sources and the exporters: one copy of each.

Years in free text, ASCII folding, TeX and HTML markup stripped for comparison, dashes and quotes, name particles,
and the characters a terminal or a Markdown table must not receive. Pure functions and constants; no I/O.
"""

from __future__ import annotations

import html
import re
import unicodedata

# -- years ----------------------------------------------------------------------------------------------------

# A year of this tool's literature in free text ("NeurIPS 2023", "CVPR2024 workshop", "Proc. ..., 2021"): not part of
# a longer number (an arXiv id such as 2103.16607 or a page 20231), though letters may touch it.
YEAR_DIGITS = r"(?:19|20)\d{2}"
YEAR = re.compile(rf"(?<!\d)({YEAR_DIGITS})(?!\d)")
# The year a venue text ends with ("Medium 2024" -> "Medium").
TRAILING_YEAR = re.compile(rf"\s*(?<!\d){YEAR_DIGITS}\s*$")


def first_year(text: str | None) -> int | None:
    """The first year in a text, or None."""
    found = YEAR.search(text or "")
    return int(found.group(1)) if found else None


def years_in(text: str | None) -> list[int]:
    """Every year in a text, in order."""
    return [int(year) for year in YEAR.findall(text or "")]


# -- letters --------------------------------------------------------------------------------------------------

# Letters NFKD does not decompose into ASCII plus accents.
_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ı": "i",
        "ŋ": "n",
        "Ŋ": "N",
        "ħ": "h",
        "Ħ": "H",
    }
)


def fold_ascii(text: str) -> str:
    """Accents off and the few letters NFKD keeps (ß, ø, æ, ł, ...) spelled in ASCII; other scripts are kept."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# -- markup ---------------------------------------------------------------------------------------------------

# TeX's letter macros, as the letters they typeset (`Ru{\ss}wurm`, `{\o}`, `\L`).
_TEX_LETTERS = re.compile(r"\\(ss|o|O|ae|AE|oe|OE|l|L|i|j|aa|AA)(?![A-Za-z])\s*")
_TEX_LETTER_TEXT = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "l": "ł",
    "L": "Ł",
    "i": "i",
    "j": "j",
    "aa": "å",
    "AA": "Å",
}
_TEX_ESCAPED = re.compile(r"\\([&%$#_{}])")
_TEX_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*")
_TEX_ACCENT = re.compile(r"\\[^A-Za-z\s]")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:_-]*(?:\s[^<>]*)?/?>")


def plain_text(text: str) -> str:
    """Text with HTML/JATS tags, entities and TeX markup (`Geo{CLIP}`, `Ru{\\ss}wurm`, `\\emph{x}`) removed.

    A fast, lossy strip for comparing and for keys; sources/markup.py decodes a service's markup exactly instead.
    """
    text = html.unescape(_TAG.sub("", text))
    text = _TEX_LETTERS.sub(lambda m: _TEX_LETTER_TEXT[m.group(1)], text)
    text = _TEX_ESCAPED.sub(r"\1", text)
    text = _TEX_COMMAND.sub("", text)
    text = _TEX_ACCENT.sub("", text)
    text = text.replace("{", "").replace("}", "").replace("$", "")
    return " ".join(text.split())


# -- punctuation ----------------------------------------------------------------------------------------------

DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
QUOTES = re.compile(r"[\u2018\u2019\u201a\u201b\u2032\u00b4`]")
DOUBLE_QUOTES = re.compile(r"[\u201c-\u201f\u2033\u00ab\u00bb]")
INNER_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
# The separator of a page range as services write it: hyphens, en dashes, minus signs, "--", spaced or not.
PAGE_RANGE_DASH = re.compile(r"\s*[-\u2010-\u2015\u2212]+\s*")
# Control characters, and the invisible direction marks and overrides that could make a line read other than it is
# (a terminal, a Markdown table).
INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

# -- names ----------------------------------------------------------------------------------------------------

# Lower-case words that start a family name ("Ludwig van Beethoven", "Rolf de la Rosa").
NAME_PARTICLES = frozenset(
    {
        "van",
        "von",
        "de",
        "der",
        "den",
        "del",
        "della",
        "di",
        "da",
        "du",
        "le",
        "la",
        "ter",
        "ten",
        "dos",
        "das",
        "y",
        "zu",
    }
)
# Compared family names also drop the one-letter links of compound names ("Giró-i-Nieto", "d'Alembert"); splitting a
# display name at them would misread given names, so they count only here.
COMPARED_PARTICLES = NAME_PARTICLES | {"e", "i", "d", "l"}
