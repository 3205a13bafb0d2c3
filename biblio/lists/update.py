"""Refresh ``entity_list``, ``meu`` and ``ns_cmic`` from the official Consolidated Screening List.

The International Trade Administration publishes the CSL as CSV and JSON
(https://www.trade.gov/consolidated-screening-list; the CSV is
``https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv``).
Offline, the bundled 2022 CSV (``biblio/lists/raw/moov_watchman_csl_consolidated.csv.gz``)
is the same format, and is this updater's test fixture; the bundled 2026-07-31 JSON projection
(``csl_2026-07-31_screening-list.json.gz``) is read too.

Rows are kept exactly as ``build_clean.py`` did (see :mod:`biblio.lists.csl`). The new file
becomes one more edition beside the bundled ones (2022-05-16, 2026-07-31). The other lists are
rebuilt unchanged (alias strength depends on all lists), and only the three CSL-based files
are rewritten.

Example:
    $ biblio lists update --csl https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv
    >>> update_from_csl("consolidated.csv", out_dir=Path("/tmp/lists"))     # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from biblio.lists.build import OUT, RAW, build_all, bundled_csl_editions, read_clean, write_lists
from biblio.lists.csl import SOURCES, csl_rows

__all__ = ["CSL_KEYS", "SOURCES", "csl_rows", "update_from_csl"]
CSL_KEYS = ("entity_list", "meu", "ns_cmic")


def update_from_csl(
    source: str | Path,
    *,
    out_dir: str | Path = OUT,
    edition: str | None = None,
    edition_date: dt.date | str | None = None,
) -> list[Path]:
    """Add a CSL file or URL as a new edition of entity_list/meu/ns_cmic; returns the files written.

    ``edition``/``edition_date`` label it (default: ``CSL-<today>``). The bundled editions
    are kept; a bundled edition with the same label is replaced by the new file.
    """
    d = str(edition_date or dt.date.today().isoformat())
    label = edition or f"CSL-{d}"
    rows = read_clean(RAW)
    eds = [e for e in bundled_csl_editions(RAW, rows) if e[0] != label]
    lists = build_all(raw_dir=RAW, rows=rows, csl_editions=[*eds, (label, d, csl_rows(source))])
    return write_lists(lists, Path(out_dir), keys=CSL_KEYS)
