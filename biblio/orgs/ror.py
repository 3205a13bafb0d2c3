"""Rules over ROR records shared by the two graph builds (``scripts/build_curated_orgs.py`` and
``biblio/orgs/build.py``), so that each rule has one owner.

Example:
    >>> outside_parents([{"relationships": [{"type": "parent", "id": "https://ror.org/0x", "label": "Duke University"}]}], set())
    {'0x': 'Duke University'}
"""

from __future__ import annotations

import re
from typing import Any, Iterable

_GOVERNMENT_LABEL = re.compile(r"government|ministry|commission|bureau|administration|council|department of|state of", re.I)


def ror_id(url: str) -> str:
    """A ROR id from its URL (or the id itself): ``https://ror.org/04jbf9x18`` → ``04jbf9x18``."""
    return url.rstrip("/").rsplit("/", 1)[-1]


def outside_parents(records: Iterable[dict[str, Any]], known: set[str]) -> dict[str, str]:
    """Parents outside the ROR subset and its stubs (``known``: every id the build has a record
    or a label for), by the label the child's parent link prints (Duke University for Duke
    Kunshan University), so that a joint body keeps every parent; never a government body (a
    ministry over a university is not a second parent that makes it joint). The first label a
    parent is printed with wins.

    >>> outside_parents([{"relationships": [{"type": "parent", "id": "https://ror.org/0m", "label": "Ministry of Education"}]}], set())
    {}
    """
    out: dict[str, str] = {}
    for r in records:
        for rel in r.get("relationships") or []:
            i = ror_id(rel["id"])
            label = rel.get("label") or ""
            if rel["type"] == "parent" and i not in known and label and not _GOVERNMENT_LABEL.search(label):
                out.setdefault(i, label)
    return dict(sorted(out.items()))
