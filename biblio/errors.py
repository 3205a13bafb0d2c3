"""Typed errors with one-line messages a person can act on.

The library raises these; only ``biblio.cli`` turns them into ``Error: …`` and exit code 1.

Example:
    >>> raise QueryFileError("queries/x.toml", "window.from", "not a date: '2023-13-01'; use YYYY-MM-DD")
    Traceback (most recent call last):
    ...
    biblio.errors.QueryFileError: queries/x.toml: window.from: not a date: '2023-13-01'; use YYYY-MM-DD
"""

from __future__ import annotations


class BiblioError(Exception):
    """Base class: every message is one line that names the file, field or value and the fix."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))


class QueryFileError(BiblioError):
    """A query file is missing, unreadable or invalid."""

    def __init__(self, path: object, field: str | None, message: str) -> None:
        self.path = str(path)
        self.field = field
        where = f"{self.path}: {field}: " if field else f"{self.path}: "
        super().__init__(where + message)


class InputFileError(BiblioError):
    """A user-supplied data file (CSV to screen, run directory, snapshot file) is bad."""


class FetchError(BiblioError):
    """Fetching stopped; everything fetched so far is kept in the cache."""


class AuthError(FetchError):
    """The API key is missing or rejected (HTTP 401/403)."""


class BudgetError(FetchError):
    """The daily budget or the retry budget is exhausted, or Retry-After exceeds the cap."""


class ListDataError(BiblioError):
    """Entity-list data is inconsistent (duplicate keys, an alias claimed by two entities, …)."""


class ReportError(BiblioError):
    """A run directory or stored table needed by the report is missing or malformed."""


class EngineError(BiblioError):
    """The engine is unknown, or the Dask cluster cannot be reached or failed."""
