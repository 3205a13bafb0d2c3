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


class OutputError(BiblioError):
    """An output path cannot be written (a file where a folder is needed, no permission, disk full)."""


class RecordError(InputFileError):
    """A snapshot record does not match the schema biblio reads (raised in strict mode)."""


#: Longest value shown inside an error line; longer values are cut in the middle.
MAX_VALUE_CHARS = 80
#: Longest error line; longer lines keep their start (the file and field) and end (the fix).
MAX_LINE_CHARS = 400


def _visible(ch: str) -> str:
    import unicodedata

    if ch == " ":
        return ch
    cat = unicodedata.category(ch)
    # Cc control, Cf format (BOM, bidi overrides, zero-width), Cs lone surrogates, Co private,
    # Cn unassigned, Zl/Zp line/paragraph separators, Zs other spaces (NBSP, …).
    if cat[0] in "CZ":
        o = ord(ch)
        return f"\\x{o:02x}" if o < 0x100 else (f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
    return ch


def printable(text: object, limit: int | None = MAX_VALUE_CHARS) -> str:
    """``text`` with control and invisible characters escaped, cut in the middle past ``limit``.

    Example:
        >>> printable("\\ufeffname\\u202e\\x00")
        '\\\\ufeffname\\\\u202e\\\\x00'
        >>> printable("x" * 500, limit=20)
        'xxxxxxxxxx…xxxxxxxxx (500 chars)'
    """
    s = str(text)
    if limit is not None and len(s) > limit:
        head, tail = limit // 2, limit - limit // 2 - 1
        s = f"{s[:head]}…{s[len(s) - tail:]} ({len(s)} chars)"
    return "".join(_visible(c) for c in s)


def show(value: object, limit: int = MAX_VALUE_CHARS) -> str:
    """A bad value for an error line: ``repr`` of strings, shortened and escaped.

    Example:
        >>> show("a\\u200bb")
        "'a\\\\u200bb'"
    """
    if isinstance(value, str):
        return "'" + printable(value, limit).replace("'", "\\'") + "'"
    return printable(repr(value), limit)


def one_line(message: str, limit: int = MAX_LINE_CHARS) -> str:
    """An error message made safe to print: one line, invisible characters escaped, length capped."""
    s = " ".join(str(message).split(" ")).replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    s = "".join(_visible(c) for c in s)
    if len(s) > limit:
        head = limit * 2 // 3
        s = s[:head] + " … " + s[len(s) - (limit - head - 3):]
    return s


_ERRNO_FIX = {
    "ENOENT": "check the path exists",
    "EACCES": "check the permissions or choose another location",
    "EPERM": "check the permissions or choose another location",
    "EISDIR": "it is a folder; give a file path",
    "ENOTDIR": "part of the path is a file, not a folder; choose another path",
    "EEXIST": "it already exists; remove it or choose another path",
    "ENOSPC": "the disk is full; free some space or write elsewhere",
    "EDQUOT": "the disk quota is exceeded; free some space or write elsewhere",
    "EROFS": "the file system is read-only; write elsewhere",
    "ENAMETOOLONG": "the name is too long; use a shorter path",
    "ELOOP": "too many symbolic links; fix the link",
    "EMFILE": "too many open files; close other programs and retry",
    "EIO": "input/output error; check the disk",
}


def explain(exc: BaseException) -> tuple[str, bool]:
    """The one-line message for any exception reaching the CLI, and whether it is internal.

    Library errors keep their message; OS, decoding and parser errors on user input name the
    file and the fix; anything else is an internal error.

    Example:
        >>> explain(IsADirectoryError(21, "Is a directory", "out"))
        ('out: Is a directory; it is a folder; give a file path', False)
    """
    import csv
    import errno
    import json

    if isinstance(exc, BiblioError):
        return str(exc), False
    if isinstance(exc, OSError):
        name = errno.errorcode.get(exc.errno or 0, "")
        where = printable(exc.filename, 200) if exc.filename is not None else "a file"
        what = exc.strerror or type(exc).__name__
        fix = _ERRNO_FIX.get(name, "check the path and permissions")
        return f"{where}: {what}; {fix}", False
    if isinstance(exc, UnicodeDecodeError):
        return f"input is not UTF-8 text (byte {exc.start}); save the file as UTF-8", False
    if isinstance(exc, UnicodeEncodeError):
        return f"text cannot be encoded ({printable(exc.reason)}, e.g. a lone surrogate); remove that character from the input", False
    if isinstance(exc, ValueError) and "null byte" in str(exc):
        return "a path or value contains a NUL character (\\x00); remove it", False
    if isinstance(exc, EOFError):
        return "input ended unexpectedly (a truncated or compressed file cut short?); check the file is complete", False
    if isinstance(exc, RecursionError):
        return "input is nested too deeply to read; flatten the structure", False
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON at line {exc.lineno} ({exc.msg}); fix the file", False
    if isinstance(exc, csv.Error):
        return f"not a readable CSV ({printable(exc)}); fix the file or save it again as CSV", False
    mod = type(exc).__module__ or ""
    if type(exc).__name__ == "TOMLDecodeError":
        return f"not valid TOML ({printable(exc)}); fix the syntax", False
    if mod.startswith(("pyarrow", "polars")):
        return f"a data file could not be read ({type(exc).__name__}: {printable(exc)}); check the input files", False
    return f"internal error ({type(exc).__name__}: {printable(exc)}); rerun with BIBLIO_DEBUG=1 for the traceback and report it", True


class CursorLoopError(FetchError):
    """A cursor chain stopped advancing (OpenAlex returned a cursor it had already given)."""


class UnreachableError(FetchError):
    """The OpenAlex server (or mirror) could not be reached at all."""


class CacheWriteError(FetchError):
    """A cache file could not be written (disk full, permissions); nothing cached is corrupted."""


class FetchInterrupted(FetchError):
    """The user pressed Ctrl-C; what was fetched is cached. The CLI exits with 130."""

    exit_code = 130
