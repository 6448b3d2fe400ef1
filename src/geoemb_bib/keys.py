"""Citation keys: the `family + year + first title word` scheme, clash letters, and stability for an entry's life.

The rule: an entry gets its key the first time it is resolved (or from the curator's pin), and keeps it from then
on, even when publication changes the year, unless the user rekeys. An entry never resolved has no key yet, so no
key is ever shown that could still change.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import string
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .model import Entry, PartialDate, Person, Record, Resolved
from .text import first_year, fold_ascii, plain_text

# Words skipped when picking the title word of a key: articles, prepositions and the like carry nothing
# ("Towards a Unified ..." -> unified, "On the Generalizability ..." -> generalizability).
STOPWORDS = frozenset(
    {
        "a",
        "an",
        "the",
        "on",
        "of",
        "in",
        "into",
        "to",
        "for",
        "from",
        "with",
        "without",
        "by",
        "at",
        "as",
        "and",
        "or",
        "towards",
        "toward",
        "via",
        "is",
        "are",
        "be",
        "do",
        "does",
        "what",
        "how",
        "why",
        "when",
        "where",
        "which",
        "who",
        "can",
        "we",
        "our",
        "your",
        "its",
        "their",
        "this",
        "that",
        "these",
        "those",
        "about",
        "beyond",
        "through",
        "using",
        "over",
        "under",
        "between",
        "not",
        "no",
        "all",
    }
)

# Keys must be safe in BibTeX, biber, pandoc and file names; the same rule entries.py applies to pinned keys.
SAFE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_:.\-]*$")
# Used only when neither author nor title gives a single letter (a title in a non-Latin script).
FALLBACK_WORD = "anon"


def ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'Rußwurm' -> 'russwurm', 'Giró-i-Nieto' -> 'giroinieto'."""
    return "".join(c for c in fold_ascii(plain_text(text)) if c.isascii() and c.isalnum()).lower()


def _letters(text: str) -> str:
    return "".join(c for c in ascii_word(text) if c.isalpha())


def title_word(title: str) -> str:
    """The first title word that is not a stopword, in ASCII (hyphens dropped: 'Multi-modal' -> 'multimodal')."""
    for raw in title.split():
        word = ascii_word(raw)
        if word and word not in STOPWORDS:
            return word
    return ""


ORGANISATION_KEY_LETTERS = 20


def _name_part(authors: Sequence[Person]) -> str:
    if not authors:
        return ""
    first = authors[0]
    if first.family:
        return _letters(first.family)
    if first.literal:
        # The whole organisation name, not its first word: "Earth Genome" and an author-less "Earth ..." title
        # would otherwise share "earth"; capped so a long institute name still gives a typeable key.
        return _letters(first.literal)[:ORGANISATION_KEY_LETTERS]
    return ""


KeyScheme = Literal["author-year-word", "author-year"]
KEY_SCHEMES: tuple[KeyScheme, ...] = ("author-year-word", "author-year")


def base_key(item: Resolved | Record | Entry, scheme: KeyScheme = "author-year-word") -> str:
    """The key the scheme gives a work before clash letters: `{family}{year}{title word}`, e.g. `klemmer2025satclip`.

    No author: the organisation's name or, failing that, the first title word; no year: nothing (`smithdeep`).
    A Resolved is keyed by its merged record, falling back to the curated entry for missing parts.
    """
    if isinstance(item, Resolved):
        record: Record | None = item.record
        entry: Entry | None = item.entry
    elif isinstance(item, Record):
        record, entry = item, None
    else:
        record, entry = None, item
    authors = (record.author if record else ()) or (entry.authors if entry else ())
    title = (record.title if record else "") or (entry.title if entry else "")
    issued: PartialDate | None = record.issued if record else None
    year = issued.year if issued else (_entry_year(entry) if entry else None)
    word = title_word(title)
    name = _name_part(authors)
    if not name:
        name, word = (word, title_word(_after_first_word(title, word))) if word else (FALLBACK_WORD, "")
    if not name:
        name = FALLBACK_WORD
    year_part = str(year) if year else ""
    if scheme == "author-year":
        return f"{name}{year_part}"
    return f"{name}{year_part}{word}"


def entry_id_for(title: str, abbr: str | None = None) -> str:
    """A new entry's id, the way the list names its rows: the abbreviation or the first title word, lower-case and
    hyphenated (`Scale-MAE` -> `scale-mae`, "Towards a Unified Copernicus ..." -> `unified`). Deliberately not a
    citation key: the key is given when the entry is resolved, and an id that looked like one would be cited."""
    if abbr:
        slug = "-".join(part for part in (ascii_word(word) for word in re.split(r"[\s\-_/]+", abbr)) if part)
        if slug and slug[0].isalpha():
            return slug
    return title_word(title) or "entry"


def _entry_year(entry: Entry) -> int | None:
    if entry.year:
        return entry.year
    return first_year(entry.venue)


def _after_first_word(title: str, word: str) -> str:
    """The title after the word used as the name part, so that an author-less key does not say it twice."""
    words = title.split()
    for index, raw in enumerate(words):
        if ascii_word(raw) == word:
            return " ".join(words[index + 1 :])
    return ""


@dataclass(frozen=True, slots=True)
class KeyChange:
    """A key that differs from the one enriched.yaml had (old is None for a new entry), and why."""

    entry_id: str
    old: str | None
    new: str
    reason: str


@dataclass(frozen=True, slots=True)
class KeyAssignment:
    """Every entry's key (by entry id) and every change against the previous keys."""

    keys: dict[str, str] = field(default_factory=dict)
    changes: list[KeyChange] = field(default_factory=list)

    def apply(self, items: Iterable[Resolved]) -> tuple[Resolved, ...]:
        """The items with their keys filled in, in the order given."""
        return tuple(dataclasses.replace(item, key=self.keys[item.entry.id]) for item in items)


def assign_keys(  # noqa: C901
    items: Sequence[Resolved | Entry],
    previous: Mapping[str, str],
    *,
    rekey: bool = False,
    scheme: KeyScheme = "author-year-word",
) -> KeyAssignment:
    """Give every item a unique, BibTeX-safe key.

    Order of claims: keys pinned by the curator first (a pin wins over everything), then keys enriched.yaml
    already had (kept, even when the year changed at publication, unless `rekey`), then new keys in list
    order. A new key that clashes gets the next free letter: if `smith2020deep` is taken, the newcomer is
    `smith2020deepb` (the holder counts as "a"); items new in the same run that share a base get a, b, c in
    list order. An existing key is never taken over by a new entry. Every change is reported.
    """
    entries = [item.entry if isinstance(item, Resolved) else item for item in items]
    keys: dict[str, str] = {}
    reasons: dict[str, str] = {}
    taken: dict[str, str] = {}

    for entry in entries:
        if entry.key and SAFE_KEY.match(entry.key):
            if entry.key in taken:
                continue  # entries.py rejects duplicate pins; the second one is keyed below like any other
            keys[entry.id] = entry.key
            taken[entry.key] = entry.id
            reasons[entry.id] = "pinned by the curator"

    if not rekey:
        for entry in entries:
            old = previous.get(entry.id)
            if entry.id in keys or not old:
                continue
            if not SAFE_KEY.match(old):
                reasons[entry.id] = f"previous key {old!r} is not BibTeX-safe"
                continue
            if old in taken:
                reasons[entry.id] = f"previous key {old!r} is now pinned by entry '{taken[old]}'"
                continue
            keys[entry.id] = old
            taken[old] = entry.id

    pending = [(item, entry) for item, entry in zip(items, entries, strict=True) if entry.id not in keys]
    by_base: dict[str, list[Entry]] = {}
    bases: dict[str, str] = {}
    for item, entry in pending:
        bases[entry.id] = base_key(item, scheme)
        by_base.setdefault(bases[entry.id], []).append(entry)
    # base -> the one-letter suffixes held ("klemmer2025satclipb" files "b" under "klemmer2025satclip"), so a
    # clash is found by lookup instead of a scan of every key (10,000 new entries: 8 s -> 0.1 s).
    letters: dict[str, set[str]] = {}
    for key in taken:
        _file_letter(key, letters)
    for _item, entry in pending:
        base = bases[entry.id]
        crowded = len(by_base[base]) > 1 or base in taken or bool(letters.get(base))
        key = _next_free(base, taken, letters, lettered=crowded)
        keys[entry.id] = key
        taken[key] = entry.id
        _file_letter(key, letters)
        reasons.setdefault(entry.id, "rekeyed" if rekey and previous.get(entry.id) else "new entry")
        if key != base:
            reasons[entry.id] += f"; '{base}' is shared, so a clash letter was added"

    changes = [
        KeyChange(entry.id, previous.get(entry.id), keys[entry.id], reasons.get(entry.id, ""))
        for entry in entries
        if previous.get(entry.id) != keys[entry.id]
    ]
    return KeyAssignment({entry.id: keys[entry.id] for entry in entries}, changes)


def _file_letter(key: str, letters: dict[str, set[str]]) -> None:
    if len(key) > 1 and "a" <= key[-1] <= "z":
        letters.setdefault(key[:-1], set()).add(key[-1])


def _next_free(base: str, taken: Mapping[str, str], letters: Mapping[str, set[str]], *, lettered: bool) -> str:
    """The base itself when nothing clashes, else the first free suffix after every suffix already held."""
    if not lettered and base not in taken:
        return base
    used = set(letters.get(base, ()))
    if base in taken:
        used.add("a")  # the holder of the bare base stands for "a"
    highest = max(used, key=_suffix_order, default="")
    for suffix in _suffixes():
        if _suffix_order(suffix) > _suffix_order(highest) and base + suffix not in taken:
            return base + suffix
    raise AssertionError("unreachable: _suffixes is endless")


def _suffix_order(suffix: str) -> tuple[int, str]:
    return len(suffix), suffix


def _suffixes() -> Iterator[str]:
    """a, b, ..., z, aa, ab, ...: beyond 26 clashes keys stay unique and sort in order."""
    for length in itertools.count(1):
        for letters in itertools.product(string.ascii_lowercase, repeat=length):
            yield "".join(letters)
