"""The enriched YAML export: the same document as enriched.yaml (curated fields, merged record, key, status,
evidence, provenance per entry, in list order), so an export can be diffed against the lock file or replace it."""

from __future__ import annotations

from .. import enriched
from ..model import Catalog
from . import ExportOptions


def export(catalog: Catalog, options: ExportOptions) -> str:
    return enriched.dump_items(catalog.items)
