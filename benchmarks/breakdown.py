"""Where the time of a warm refresh and of an export goes, phase by phase, in one process (for RESULTS.md).

    python benchmarks/breakdown.py LIST_DIR      # LIST_DIR holds entries.yaml, enriched.yaml and cache/

Prints one JSON object. Same library calls as the command line, timed around each phase; the refresh reads the
cache only (offline), so nothing is asked of any service.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

started = time.perf_counter()
gc.set_threshold(100_000, 50, 100)  # as the command line does

from geoemb_bib import resolve
from geoemb_bib.catalog import build_catalog
from geoemb_bib.cli import read_curated, read_enriched
from geoemb_bib.enriched import dump_items
from geoemb_bib.exporters import EXPORTERS, ExportOptions, export
from geoemb_bib.fetch import Fetcher, FetchSettings

FORMATS = tuple(EXPORTERS)


def timed(phases: dict[str, float], name: str, function: Any, *args: Any, **kwargs: Any) -> Any:
    begin = time.perf_counter()
    try:
        return function(*args, **kwargs)
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - begin


def main(folder: Path) -> dict[str, Any]:
    phases: dict[str, float] = {"imports": time.perf_counter() - started}
    curated = timed(phases, "read entries.yaml", read_curated, folder / "entries.yaml")
    previous = timed(phases, "read enriched.yaml", read_enriched, folder / "enriched.yaml")
    refresh_phases: dict[str, float] = {}
    originals = {name: getattr(resolve, name) for name in ("_merge", "_settled")}
    for name, label in (("_merge", "match and merge"), ("_settled", "compare with previous")):
        original = originals[name]
        setattr(resolve, name, lambda *a, _o=original, _l=label, **k: timed(refresh_phases, _l, _o, *a, **k))
    get_many = Fetcher.get_many
    Fetcher.get_many = lambda self, *a, **k: timed(refresh_phases, "cache reads and parsing", get_many, self, *a, **k)  # type: ignore[method-assign]
    settings = FetchSettings(mailto="bench@example.org", cache_dir=folder / "cache", offline=True)
    try:
        with Fetcher(settings) as fetcher:
            result = timed(phases, "refresh (resolve.refresh)", resolve.refresh, curated, previous, fetcher)
    finally:
        for name, original in originals.items():
            setattr(resolve, name, original)
        Fetcher.get_many = get_many  # type: ignore[method-assign]
    refresh_phases["rest (planning, handlers, keys, report)"] = phases["refresh (resolve.refresh)"] - sum(
        refresh_phases.values()
    )
    timed(phases, "write enriched.yaml text", dump_items, result.items)
    catalog = build_catalog(curated, previous)
    exports: dict[str, float] = {}
    for name in FORMATS:
        begin = time.perf_counter()
        export(name, catalog, ExportOptions())
        exports[name] = round(time.perf_counter() - begin, 3)
    return {
        "entries": len(curated.entries),
        "phases": {k: round(v, 3) for k, v in phases.items()},
        "refresh": {k: round(v, 3) for k, v in refresh_phases.items()},
        "exporters": exports,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
