"""What a refresh changed and what is still open, as data and as a Markdown report for a pull request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .keys import KeyChange
from .model import OVERRIDE_FIELDS, Person, Record, Resolved

ChangeKind = Literal["new-entry", "upgraded", "new-doi", "status", "field", "key"]

# The fields a reader of the bibliography would notice; housekeeping (fetched_at, scores) is not a change.
# Those a curator may pin, but the abstract and note no style prints; the type first.
COMPARED_FIELDS = ("type", *(name for name in OVERRIDE_FIELDS if name not in ("type", "abstract", "note")))


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between the previous enriched.yaml and this run, for one entry."""

    entry_id: str
    key: str
    kind: ChangeKind
    detail: str


def describe_changes(
    previous: Mapping[str, Resolved], current: Sequence[Resolved], key_changes: Sequence[KeyChange] = ()
) -> list[Change]:
    """Every change an entry went through, in list order; key changes come from the key assignment."""
    changes: list[Change] = []
    renamed = {change.entry_id: change for change in key_changes}
    for item in current:
        before = previous.get(item.entry.id)
        if before is None:
            detail = f"new entry, {item.status}" + ("" if item.key else ", no key until it is resolved")
            changes.append(Change(item.entry.id, item.key, "new-entry", detail))
            continue
        if before.status != "published" and item.status == "published":
            venue = item.record.venue or item.record.container_title or "a version of record"
            changes.append(Change(item.entry.id, item.key, "upgraded", f"{before.status} -> published in {venue}"))
        elif before.status != item.status:
            changes.append(Change(item.entry.id, item.key, "status", f"{before.status} -> {item.status}"))
        if item.record.doi and item.record.doi != before.record.doi:
            changes.append(Change(item.entry.id, item.key, "new-doi", f"DOI {item.record.doi}"))
        for name in COMPARED_FIELDS:
            if name == "doi":
                continue
            old, new = _shown(before.record, name), _shown(item.record, name)
            if old != new:
                changes.append(
                    Change(item.entry.id, item.key, "field", f"{name}: {old or '(none)'} -> {new or '(none)'}")
                )
        change = renamed.get(item.entry.id)
        if change is not None and change.old is not None:
            changes.append(
                Change(item.entry.id, item.key, "key", f"key {change.old} -> {change.new} ({change.reason})")
            )
        elif change is not None and not before.key:
            changes.append(Change(item.entry.id, item.key, "key", f"key {change.new} given (first resolution)"))
    return changes


def _shown(record: Record, name: str) -> str:
    value = getattr(record, name)
    if value is None or value == ():
        return ""
    if name == "author":
        people: tuple[Person, ...] = value
        names = [person.display() for person in people]
        return ", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])}, ... ({len(names)} authors)"
    return str(value)


def open_questions(items: Sequence[Resolved]) -> list[Resolved]:
    """Entries a maintainer should look at: unresolved, in conflict, or preprints listed with a venue."""
    return [
        item
        for item in items
        if item.status in ("unresolved", "conflict") or (item.status == "preprint" and item.problems)
    ]


def markdown_report(
    changes: Sequence[Change],
    items: Sequence[Resolved],
    failures: Mapping[str, str],
    service_problems: Mapping[str, str],
) -> str:
    """The change report as Markdown: what changed, what failed, what is still open."""
    lines = ["# geoemb-bib refresh report", ""]
    counts: dict[str, int] = {}
    for item in items:
        counts[item.status] = counts.get(item.status, 0) + 1
    lines.append(
        ", ".join(
            f"{counts.get(status, 0)} {status}"
            for status in ("published", "preprint", "resolved", "unresolved", "conflict")
        )
    )
    lines.append("")
    titled = {
        "upgraded": "Preprints upgraded to their version of record",
        "new-doi": "New DOIs",
        "key": "Citation key changes",
        "new-entry": "New entries",
        "status": "Status changes",
        "field": "Changed fields",
    }
    for kind, title in titled.items():
        selected = [change for change in changes if change.kind == kind]
        if selected:
            lines += [f"## {title}", ""]
            lines += [f"- {_named(change.key, change.entry_id)}: {_md(change.detail)}" for change in selected]
            lines.append("")
    if not changes:
        lines += ["No changes.", ""]
    if service_problems:
        lines += ["## Services that failed", ""]
        lines += [
            f"- {_md(_user_names(service))}: {_md(_user_names(message.removeprefix(service + ': ')))}"
            for service, message in sorted(service_problems.items())
        ]
        lines.append("")
    if failures:
        lines += ["## Entries that kept their previous data", ""]
        lines += [f"- {entry_id}: {_md(_user_names(message))}" for entry_id, message in failures.items()]
        lines.append("")
    still_open = open_questions(items)
    if still_open:
        lines += ["## Still open", ""]
        for item in still_open:
            reasons = "; ".join(item.problems) or item.status
            lines.append(f"- {_named(item.key, item.entry.id)} ({item.status}): {_md(reasons)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _named(key: str, entry_id: str) -> str:
    """How the report names an entry: its key and id, or its id alone while it has no key yet."""
    return f"`{key}` ({entry_id})" if key else f"entry `{entry_id}` (no key yet)"


def shown_key(key: str, entry_id: str) -> str:
    """An entry as the terminal names it: by its key, or by its id while it has no key yet."""
    return key or f"{entry_id} (no key yet)"


def _user_names(text: str) -> str:
    """Service names as users know them: fetch.py's `openreview_v1` is OpenReview's API v1."""
    return text.replace("openreview_v1", "openreview API v1")


def _md(text: str) -> str:
    return text.replace("\n", " ").replace("|", "\\|")
