"""Rebuild the organisation graph (biblio/orgs/data/*.csv) from the repo's sources; prints
the row counts and the duplicate records merged as one body.

    python scripts/build_orgs.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from biblio.orgs.build import BUILD_LOG, write  # noqa: E402

if __name__ == "__main__":
    counts = write()
    print("\n".join(BUILD_LOG))
    print(f"{len(BUILD_LOG)} duplicate records merged as one body")
    print(counts)
