"""Golden-file comparison shared by the exporter tests; GEOEMB_BIB_UPDATE_GOLDEN=1 rewrites the files instead."""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN = Path(__file__).parent / "fixtures" / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("GEOEMB_BIB_UPDATE_GOLDEN") == "1" or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert text == expected, (
        f"{name} differs from the golden file; run with GEOEMB_BIB_UPDATE_GOLDEN=1 and review the diff"
    )
