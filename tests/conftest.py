"""Fixtures shared by the test modules."""

from __future__ import annotations

import pytest

from biblio.orgs.graph import load_graph
from biblio.orgs.match import OrgMatcher


@pytest.fixture(scope="session")
def om() -> OrgMatcher:
    """The organisation matcher over the shipped graph, built once for the whole run (its memos
    only save time: reading it never changes what it decides)."""
    return OrgMatcher(load_graph())
