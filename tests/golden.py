"""Golden-file comparison shared by the exporter tests.

A missing or different golden file fails the test; GEOEMB_BIB_UPDATE_GOLDEN=1 writes the files instead (review the diff
before committing them).
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
UPDATE_VARIABLE = "GEOEMB_BIB_UPDATE_GOLDEN"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get(UPDATE_VARIABLE) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden file {name}; run with {UPDATE_VARIABLE}=1 to write it, then review it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from the golden file; run with {UPDATE_VARIABLE}=1 and review the diff"
