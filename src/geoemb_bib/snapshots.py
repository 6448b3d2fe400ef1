"""Parsed copies of the lock file and of the curated list, kept in the cache directory: enriched.yaml is read at
the speed of its data when it is byte for byte the text a copy was made from (and the copy says what each item was
made from); entries.yaml is read again only where its text changed.

The cache directory is untrusted input, so a copy is data only (MessagePack, decoded by msgspec into the model's
types, never a pickle) and is used only when everything checks: its format, the digest of the exact text it was
made from, and every field's type. Anything else (an older format, damage, another text) is ignored and the file is
parsed as before. A copy cannot say more than the text it belongs to; see README "Speed" for what remains trusted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import msgspec

from . import enriched
from .carryover import Fingerprint
from .entries import MAX_FILE_BYTES, load_entries
from .errors import EntriesError
from .model import CuratedList, Entry, ListMeta, Provenance, Query, Resolved, Section

# Bump when the layout of a copy or of the model changes: a copy of another format is ignored.
FORMAT = 3


@dataclass(frozen=True, slots=True)
class LockSnapshot:
    """A lock file's items as parsed (or as written), with what a later run needs to reuse them.

    `blocks` are the offsets in the text where each item's block starts, plus its end, when the tool wrote the text
    from these very items (`written`): an unchanged item's block can then be copied instead of written again.
    `fingerprints` say what each item was made from (carryover.py); `tool` is the digest of the code that made them.
    """

    text_digest: str
    tool: str
    items: tuple[Resolved, ...]
    written: bool = False
    blocks: tuple[int, ...] = ()
    fingerprints: Mapping[str, Fingerprint] = field(default_factory=dict)


class _Sealed(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    """A copy and the digest of its bytes: damage on disk (a cut or flipped byte) is found before anything is read."""

    format: int
    digest: str
    payload: msgspec.Raw


class _Copy(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    format: int
    text_digest: str
    tool: str
    written: bool
    blocks: list[int]
    queries: list[Query]
    keys: list[str]  # the cache key of each query
    # entry id, entry digest, indices into `queries`, versions
    fingerprints: list[tuple[str, str, list[int], list[str]]]
    # one encoded Resolved each, so that a new copy reuses the bytes of every item that did not change
    items: list[msgspec.Raw]


# An item without its provenance, then each distinct Provenance once, then for each field in order the index of its
# Provenance: a source credits a dozen fields with one Provenance, and 10,000 items would otherwise decode 150,000
# copies of 25,000 values (about 35 MB).
_ItemLayout = tuple[Resolved, list[Provenance], list[str], list[int]]
_ITEM = msgspec.msgpack.Decoder(_ItemLayout)


def _encode_item(item: Resolved) -> msgspec.Raw:
    distinct: dict[Provenance, int] = {}
    indices = [distinct.setdefault(source, len(distinct)) for source in item.provenance.values()]
    bare = dataclasses.replace(item, provenance={}) if item.provenance else item
    return msgspec.Raw(_ENCODER.encode((bare, list(distinct), list(item.provenance), indices)))


def _decode_item(raw: msgspec.Raw) -> Resolved:
    item, sources, names, indices = _ITEM.decode(raw)
    if len(names) != len(indices):
        raise msgspec.ValidationError("provenance names and sources differ in number")
    # Fresh from the decoder and not yet shared: set in place, as __init__ would have.
    object.__setattr__(item, "provenance", {name: sources[index] for name, index in zip(names, indices, strict=True)})
    return item


_COPY = msgspec.msgpack.Decoder(_Copy)
_SEALED = msgspec.msgpack.Decoder(_Sealed)
_ENCODER = msgspec.msgpack.Encoder()


def _seal(payload: bytes) -> bytes:
    return _ENCODER.encode(_Sealed(FORMAT, _payload_digest(payload), msgspec.Raw(payload)))


def _unseal(data: bytes) -> msgspec.Raw | None:
    try:
        sealed = _SEALED.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    # Raw is a view of `data`, read in place: a copy of 45 MB would be as large again.
    payload = sealed.payload
    return payload if sealed.format == FORMAT and sealed.digest == _payload_digest(payload) else None


def _payload_digest(payload: bytes | msgspec.Raw) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


def text_digest(data: bytes) -> str:
    """The digest that names a lock file's text."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def encode(snapshot: LockSnapshot, reuse: Mapping[int, msgspec.Raw] | None = None) -> bytes:
    """The bytes of a copy; `reuse` maps id() of an item of `snapshot` to its encoded bytes (see `write`)."""
    table: dict[Query, int] = {}
    keys: list[str] = []
    fingerprints = []
    for entry_id, fingerprint in snapshot.fingerprints.items():
        indices = []
        for query, key in zip(fingerprint.reads, fingerprint.keys, strict=True):
            if query not in table:
                table[query] = len(table)
                keys.append(key)
            indices.append(table[query])
        fingerprints.append((entry_id, fingerprint.entry, indices, list(fingerprint.versions)))
    known = reuse or {}
    items = [known.get(id(item)) or _encode_item(item) for item in snapshot.items]
    copy = _Copy(
        FORMAT,
        snapshot.text_digest,
        snapshot.tool,
        snapshot.written,
        list(snapshot.blocks),
        list(table),
        keys,
        fingerprints,
        items,
    )
    return _seal(_ENCODER.encode(copy))


@dataclass(frozen=True, slots=True)
class Loaded:
    """A copy that checked out, and the encoded bytes of each of its items (by id() of the item) for reuse."""

    snapshot: LockSnapshot
    raw: Mapping[int, msgspec.Raw]


@dataclass(frozen=True, slots=True)
class Written:
    """A new lock file's text, the copy that goes with it, and the encoded items it can reuse (see `encode`)."""

    text: str
    snapshot: LockSnapshot
    reuse: Mapping[int, msgspec.Raw]


def write(
    items: Sequence[Resolved],
    fingerprints: Mapping[str, Fingerprint],
    tool: str,
    previous: Loaded | None = None,
    previous_text: str | None = None,
) -> Written:
    """enriched.yaml's text for `items` (exactly enriched.dump_items(items)) and its copy.

    An item that is its previous self (same fields, the entry equal but for its line) keeps the block and the
    encoded bytes it had, when the previous text is the one the tool wrote from the previous copy: a refresh that
    changed one entry of 10,000 writes one block, not 10,000.
    """
    before: dict[str, tuple[Resolved, int]] = {}
    if previous is not None and previous.snapshot.written and previous_text is not None:
        before = {item.entry.id: (item, index) for index, item in enumerate(previous.snapshot.items)}
    header = enriched.dump_header()
    if previous is not None and previous_text is not None and _all_kept(items, previous, previous_text, header):
        # Nothing to write: the text, its blocks and its items are the previous ones (no 26 MB copy of them).
        kept = dataclasses.replace(previous.snapshot, tool=tool, fingerprints=dict(fingerprints))
        return Written(previous_text, kept, previous.raw)
    parts = [header]
    offsets = [len(parts[0])]
    stored: list[Resolved] = []
    reuse: dict[int, msgspec.Raw] = {}
    blocks = previous.snapshot.blocks if previous is not None else ()
    for item in items:
        old = before.get(item.entry.id)
        if old is not None and same_item(item, old[0]) and previous is not None and previous_text is not None:
            index = old[1]
            parts.append(previous_text[blocks[index] : blocks[index + 1]])
            stored.append(old[0])
            reuse[id(old[0])] = previous.raw[id(old[0])]
        else:
            parts.append(enriched.dump_item(item))
            stored.append(_without_line(item))
        offsets.append(offsets[-1] + len(parts[-1]))
    text = "".join(parts)
    snapshot = LockSnapshot(
        text_digest=text_digest(text.encode("utf-8")),
        tool=tool,
        items=tuple(stored),
        written=True,
        blocks=tuple(offsets),
        fingerprints=dict(fingerprints),
    )
    return Written(text, snapshot, reuse)


def _all_kept(items: Sequence[Resolved], previous: Loaded, previous_text: str, header: str) -> bool:
    snapshot = previous.snapshot
    return (
        snapshot.written
        and len(items) == len(snapshot.items)
        and previous_text.startswith(header)
        and len(header) == (snapshot.blocks[0] if snapshot.blocks else len(previous_text))
        and all(same_item(item, old) for item, old in zip(items, snapshot.items, strict=True))
    )


def same_item(item: Resolved, old: Resolved) -> bool:
    """True when `item` would be written exactly as `old`: every field the same object (a kept item is the previous
    one with its entry replaced) and the entry equal but for its line, which enriched.yaml does not hold."""
    if item is old:
        return True
    if item.key != old.key:
        return False
    for name in _ITEM_FIELDS:
        if getattr(item, name) is not getattr(old, name):
            return False
    return item.entry is old.entry or _without_line(item).entry == old.entry


_ITEM_FIELDS = tuple(name for name in Resolved.__dataclass_fields__ if name not in ("entry", "key"))


def _without_line(item: Resolved) -> Resolved:
    if item.entry.line is None:
        return item
    return dataclasses.replace(item, entry=dataclasses.replace(item.entry, line=None))


def decode(data: bytes, *, digest: str, tool: str, text_length: int) -> Loaded | None:
    """The copy in `data` if it is one of ours, of this format, made from the text with `digest`; else None.

    Fingerprints made by other code than `tool` are dropped (every entry is redone); the items stay valid, since
    they are what the text says.
    """
    payload = _unseal(data)
    if payload is None:
        return None
    try:
        copy = _COPY.decode(payload)
        if copy.format != FORMAT or copy.text_digest != digest:
            return None
        items = [_decode_item(raw) for raw in copy.items]
        fingerprints: dict[str, Fingerprint] = {}
        if copy.tool == tool:
            if len(copy.keys) != len(copy.queries):
                return None
            for entry_id, entry, indices, versions in copy.fingerprints:
                reads = tuple(copy.queries[index] for index in indices)
                if len(reads) != len(versions):
                    return None
                keys = tuple(copy.keys[index] for index in indices)
                fingerprints[entry_id] = Fingerprint(entry, reads, keys, tuple(versions))
    except (msgspec.DecodeError, msgspec.ValidationError, IndexError):
        return None
    if not _consistent(items, copy.blocks if copy.written else None, text_length):
        return None
    snapshot = LockSnapshot(
        text_digest=digest,
        tool=copy.tool,
        items=tuple(items),
        written=copy.written,
        blocks=tuple(copy.blocks) if copy.written else (),
        fingerprints=fingerprints,
    )
    return Loaded(snapshot, {id(item): raw for item, raw in zip(snapshot.items, copy.items, strict=True)})


def _consistent(items: Sequence[Resolved], blocks: Sequence[int] | None, text_length: int) -> bool:
    """Entry ids unique; block offsets one more than the items, rising, inside the text and ending with it."""
    if len({item.entry.id for item in items}) != len(items):
        return False
    if blocks is None:
        return True
    if len(blocks) != len(items) + 1 or (blocks and blocks[-1] != text_length):
        return False
    return all(0 <= low <= high for low, high in itertools.pairwise(blocks))


# -- the curated list ------------------------------------------------------------------------------------------
#
# entries.yaml is hand-written, so its copy is kept per entry: the text of each entry's block (from its `- ` line to
# the next one) names the entry it was read as. A run reads again only the blocks that changed, by handing
# load_entries the file with every other block blanked out (same line numbers, same list and sections), and
# checks that what comes back is exactly one entry per changed block. Anything it cannot vouch for (a block
# split that does not match the parse, a duplicate, an error, a changed list or section) is read in full.

_ENTRIES_KEY = re.compile(r"^entries:[ \t]*(?:#[^\n]*)?$", re.MULTILINE)
_ITEM_START = re.compile(r"^( *)-(?: |$)", re.MULTILINE)
# a line that ends the list of entries: anything at the margin but a comment or an item of a list at the margin
_TOP_LEVEL = re.compile(r"^(?!-(?: |$))[^ \n#]", re.MULTILINE)


class _Block(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    digest: str
    # the entry's line minus the block's first line
    offset: int
    entry: Entry
    works: list[str]


class _CuratedCopy(msgspec.Struct, array_like=True, forbid_unknown_fields=True):
    format: int
    tool: str
    prefix: str
    suffix: str
    meta: ListMeta
    sections: list[Section]
    blocks: list[_Block]


_CURATED = msgspec.msgpack.Decoder(_CuratedCopy)


@dataclass(frozen=True, slots=True)
class _Split:
    """entries.yaml cut into the text before the first entry, each entry's block, and the text after the list."""

    prefix: str
    blocks: list[tuple[int, str]]  # (first line, text)
    suffix: str
    suffix_line: int

    def outside(self) -> tuple[str, str]:
        """Digests of the text around the entries; the suffix's with its line, since a section after the list moves
        when an entry grows."""
        return _digest(self.prefix), _digest(f"{self.suffix_line}\n{self.suffix}")


def _split(text: str) -> _Split | None:
    keys = list(_ENTRIES_KEY.finditer(text))
    if len(keys) != 1:
        return None
    start = keys[0].end() + 1
    after = _TOP_LEVEL.search(text, start)
    end = after.start() if after is not None else len(text)
    starts = list(_ITEM_START.finditer(text, start, end))
    if not starts:
        return None
    indent = len(starts[0].group(1))
    offsets = [found.start() for found in starts if len(found.group(1)) == indent]
    line = text.count("\n", 0, offsets[0]) + 1
    blocks = []
    for low, high in itertools.pairwise([*offsets, end]):
        blocks.append((line, text[low:high]))
        line += text.count("\n", low, high)
    return _Split(text[: offsets[0]], blocks, text[end:], line)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def load_curated(path: str, data: bytes, copy: bytes | None, tool: str) -> tuple[CuratedList, bytes | None]:
    """entries.yaml's list (what entries.load_entries gives), reading only the entries `copy` does not hold; and
    the new copy's bytes (None when nothing changed, or when the file's layout cannot be cut into entries)."""
    text = data.decode("utf-8") if len(data) <= MAX_FILE_BYTES and not data.startswith(b"\xef\xbb\xbf") else None
    split = _split(text) if text is not None and "\t" not in text and "\r" not in text else None
    old = _decode_curated(copy, tool) if copy and split is not None else None
    if split is not None and old is not None and (old.prefix, old.suffix) == split.outside():
        reused = _reuse(path, split, old)
        if reused is not None:
            curated, blocks, changed = reused
            return curated, _encode_curated(tool, split, curated, blocks) if changed else None
    curated = load_entries(path, data)
    if split is None:
        return curated, None
    found = _blocks_of(split, curated.entries)
    return curated, _encode_curated(tool, split, curated, found) if found is not None else None


def _decode_curated(copy: bytes, tool: str) -> _CuratedCopy | None:
    payload = _unseal(copy)
    if payload is None:
        return None
    try:
        old = _CURATED.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return old if old.format == FORMAT and old.tool == tool else None


def _reuse(path: str, split: _Split, old: _CuratedCopy) -> tuple[CuratedList, list[_Block], bool] | None:
    known = {block.digest: block for block in old.blocks}
    digests = [_digest(block) for _, block in split.blocks]
    changed = [index for index, digest in enumerate(digests) if digest not in known]
    fresh: dict[int, Entry] = {}
    if changed:
        # The changed blocks alone between the same list and sections: the file's 280,000 other lines for 10,000
        # entries cost a line check each. Lines are then moved back to where each block sits in the file.
        line_now = split.prefix.count("\n") + 1
        parts, starts = [split.prefix], []
        for index in changed:
            block = split.blocks[index][1]
            block = block if block.endswith("\n") else block + "\n"
            starts.append(line_now)
            parts.append(block)
            line_now += block.count("\n")
        parts.append(split.suffix)
        try:
            partial = load_entries(path, "".join(parts).encode("utf-8"))
        except EntriesError:
            return None
        if (_without_lines(partial.meta, partial.sections) != _without_lines(old.meta, old.sections)) or len(
            partial.entries
        ) != len(changed):
            return None
        for index, start, entry in zip(changed, starts, partial.entries, strict=True):
            first, block = split.blocks[index]
            line = (entry.line or 0) - start + first
            if not first <= line < first + max(1, block.count("\n")):
                return None
            fresh[index] = dataclasses.replace(entry, line=line)
    entries: list[Entry] = []
    blocks: list[_Block] = []
    for index, ((first, _), digest) in enumerate(zip(split.blocks, digests, strict=True)):
        if index not in fresh:
            stored = known[digest]
            # Fresh from the decoder and not yet shared: its line is set in place (dataclasses.replace of 10,000
            # entries cost more than the rest of the reading).
            object.__setattr__(stored.entry, "line", first + stored.offset)
            entries.append(stored.entry)
            blocks.append(stored)
        else:
            entry = fresh[index]
            blocks.append(
                _Block(
                    digest,
                    (entry.line or first) - first,
                    dataclasses.replace(entry, line=None),
                    list(entry.work_ids.standard_ids),
                )
            )
            entries.append(entry)
    if not _unique(entries, blocks):
        return None
    return (
        CuratedList(meta=old.meta, sections=tuple(old.sections), entries=tuple(entries)),
        blocks,
        bool(changed) or len(blocks) != len(old.blocks),
    )


def _without_lines(meta: ListMeta, sections: Sequence[Section]) -> tuple[ListMeta, list[Section]]:
    return meta, [dataclasses.replace(section, line=None) for section in sections]


def _unique(entries: Sequence[Entry], blocks: Sequence[_Block]) -> bool:
    """No id, pinned key or work twice (load_entries words the error when there is one)."""
    seen: set[str] = set()
    for entry, block in zip(entries, blocks, strict=True):
        claims = {f"id:{entry.id}", *(f"work:{work}" for work in block.works)}
        if entry.key:
            claims.add(f"key:{entry.key}")
        if claims & seen:
            return False
        seen |= claims
    return True


def _blocks_of(split: _Split, entries: Sequence[Entry]) -> list[_Block] | None:
    """Each block with the entry the full read found in it; None unless the cut matches the read one to one."""
    if len(entries) != len(split.blocks):
        return None
    blocks = []
    for (first, block), entry in zip(split.blocks, entries, strict=True):
        if entry.line is None or not first <= entry.line < first + max(1, block.count("\n")):
            return None
        blocks.append(
            _Block(
                _digest(block),
                entry.line - first,
                dataclasses.replace(entry, line=None),
                list(entry.work_ids.standard_ids),
            )
        )
    return blocks


def _encode_curated(tool: str, split: _Split, curated: CuratedList, blocks: list[_Block]) -> bytes:
    prefix, suffix = split.outside()
    copy = _CuratedCopy(FORMAT, tool, prefix, suffix, curated.meta, list(curated.sections), blocks)
    return _seal(_ENCODER.encode(copy))
