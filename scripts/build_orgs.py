"""Rebuild the organisation graph (biblio/orgs/data/*.csv) from the repo's sources.

    python scripts/build_orgs.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from biblio.orgs.build import write  # noqa: E402

if __name__ == "__main__":
    print(write())
