"""biblio: DoD-funded publications with PRC co-authors, resolved against U.S. entity lists.

The pipeline is ``query file → fetch → works tables → resolve → report``; each stage is a
public function over polars frames. See README.md and docs/CONTRACTS.md.
"""

__version__ = "0.1.0"
