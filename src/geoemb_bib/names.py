"""Personal names: split a display name (`Marc Rußwurm`, `Ludwig van Beethoven`, `Rolf, Esther`) into parts."""

from __future__ import annotations

from .model import Person
from .text import NAME_PARTICLES

_SUFFIXES = ("Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV")


def person_from_text(name: str) -> Person:
    """Split a display name (`Marc Rußwurm`, `Ludwig van Beethoven`, `Rolf, Esther`, `Martin Luther King, Jr.`)."""
    name = " ".join(name.split())
    suffix = ""
    if "," in name:
        head, _, tail = name.partition(",")
        tail = tail.strip()
        if tail in _SUFFIXES:
            name, suffix = head.strip(), tail
        else:
            family_part, given = head.strip(), tail
            particle, family = _split_particle(family_part.split(" "))
            return Person(family=family, given=given, particle=particle)
    words = name.split(" ")
    if len(words) == 1:
        return Person(family=words[0], suffix=suffix)
    for index, word in enumerate(words[1:-1], start=1):
        if word in NAME_PARTICLES:
            particle, family = _split_particle(words[index:])
            return Person(family=family, given=" ".join(words[:index]), particle=particle, suffix=suffix)
    return Person(family=words[-1], given=" ".join(words[:-1]), suffix=suffix)


def _split_particle(words: list[str]) -> tuple[str, str]:
    particle_words: list[str] = []
    while len(words) > 1 and words[0] in NAME_PARTICLES:
        particle_words.append(words.pop(0))
    return " ".join(particle_words), " ".join(words)
