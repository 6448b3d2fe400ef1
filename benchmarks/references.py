"""The costs a user cannot go below, on the same files our commands read and write (for RESULTS.md).

    python benchmarks/references.py LIST_DIR      # LIST_DIR holds entries.yaml, enriched.yaml, export.bibtex,
                                                  # export.csl-json and cache/ (scenario 4 leaves them there)

Prints one JSON object of seconds (the best of --repeat runs, in this process): bibtexparser v2 parsing the .bib
and writing it back, json.loads and msgspec reading the CSL-JSON and json.dumps writing it, PyYAML's C loader on
enriched.yaml; and, for the decision about enriched.py's hand-written reader, the same file read by that reader and
by its parsed copy.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

gc.set_threshold(100_000, 50, 100)  # as the command line does


def best(function: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
    return round(min(times), 3)


def main(folder: Path, repeat: int) -> dict[str, Any]:
    import bibtexparser
    import msgspec
    import yaml

    from geoemb_bib import carryover, snapshots
    from geoemb_bib.cli import _copy_path, copies_folder, load_config
    from geoemb_bib.enriched import load_items

    bib = (folder / "export.bibtex").read_text(encoding="utf-8")
    csl = (folder / "export.csl-json").read_bytes()
    lock_bytes = (folder / "enriched.yaml").read_bytes()
    lock_text = lock_bytes.decode("utf-8")
    library = bibtexparser.parse_string(bib)
    data = json.loads(csl)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    figures: dict[str, Any] = {
        "entries": len(library.entries),
        "bibtexparser_parse": best(lambda: bibtexparser.parse_string(bib), repeat),
        "bibtexparser_write": best(lambda: bibtexparser.write_string(library), repeat),
        "json_loads": best(lambda: json.loads(csl), repeat),
        "msgspec_json": best(lambda: msgspec.json.decode(csl), repeat),
        "json_dumps": best(lambda: json.dumps(data, ensure_ascii=False, indent=2), repeat),
        "pyyaml_c_loader": best(lambda: yaml.load(lock_text, Loader=loader), 1),
        "fast_reader": best(lambda: load_items(lock_text, "enriched.yaml"), repeat),
        "sizes_mb": {
            "bib": round(len(bib.encode()) / 1e6, 1),
            "csl_json": round(len(csl) / 1e6, 1),
            "enriched_yaml": round(len(lock_bytes) / 1e6, 1),
        },
    }
    copy_path = _copy_path(
        copies_folder(load_config(folder / "entries.yaml"), folder / "cache"), folder / "enriched.yaml", "lock"
    )
    if copy_path.exists():
        copy = copy_path.read_bytes()
        tool = carryover.tool_digest()

        def from_copy() -> None:
            loaded = snapshots.decode(
                copy, digest=snapshots.text_digest(lock_bytes), tool=tool, text_length=len(lock_text)
            )
            assert loaded is not None, "the parsed copy does not match enriched.yaml"

        figures["parsed_copy"] = best(from_copy, repeat)
        figures["text_digest"] = best(lambda: snapshots.text_digest(lock_bytes), repeat)
        figures["sizes_mb"]["parsed_copy"] = round(len(copy) / 1e6, 1)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(main(args.folder, args.repeat)))
