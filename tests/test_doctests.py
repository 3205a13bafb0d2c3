"""Every docstring example in the package runs (those marked ``+SKIP`` need data or a server).

Examples are documentation: one that no longer matches the code misleads a reader, so each
module's examples are run here.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import biblio

# Build scripts over raw inputs that are not shipped (their examples read those files).
SKIP = {"biblio.lists.raw.build_clean"}
MODULES = sorted(m.name for m in pkgutil.walk_packages(biblio.__path__, "biblio.") if m.name not in SKIP
                 and not m.name.endswith("__main__"))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} docstring examples failed"
