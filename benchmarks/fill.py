"""Fill a synthetic list's cache (benchmark set-up, never measured): `geoemb-bib refresh` without OpenReview's guest
search window.

    python benchmarks/fill.py refresh --mailto ...     # the command line's arguments, run in the list's folder

The window (19 full-text searches in any 61 s, the real service's guest limit) is right against OpenReview and
would make filling 10,000 entries take hours against the loopback fake, whose own limits are switched off while
filling. The pacing variables cannot lift it (they only shrink the spacing), so this wrapper widens it before the
command line builds its fetcher.
"""

from __future__ import annotations

import sys

from geoemb_bib import fetch
from geoemb_bib.cli import main

if not hasattr(fetch, "OPENREVIEW_SEARCH_WINDOW"):
    sys.exit("benchmarks/fill.py: geoemb_bib.fetch.OPENREVIEW_SEARCH_WINDOW moved; update the wrapper")
fetch.OPENREVIEW_SEARCH_WINDOW = (10**9, fetch.OPENREVIEW_SEARCH_WINDOW[1])

if __name__ == "__main__":
    main(sys.argv[1:], prog_name="geoemb-bib")
