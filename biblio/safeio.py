"""Writes that cannot half-happen, and outputs that are safe to open in a spreadsheet.

* :func:`write_csv` writes a frame to a temporary file beside the target and renames it, so
  the target is either the old file or the whole new one. String cells that a spreadsheet
  would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return)
  get a leading ``'`` (OWASP's CSV-injection advice) unless ``raw=True`` (for machines).
* :func:`atomic_dir` builds a folder under a temporary name and swaps it in whole.
* :func:`check_output_dir` / :func:`check_output_file` validate output paths before any work.
* :data:`XLSX_OPTIONS` opens xlsxwriter workbooks with formulas and URLs off for data cells.

Parquet keeps raw values: it is for machines, not spreadsheets.

Example:
    >>> import polars as pl
    >>> neutralise(pl.DataFrame({"name": ["=HYPERLINK(\\"x\\")", "MIT", "-1"]}))["name"].to_list()
    ['\\'=HYPERLINK("x")', 'MIT', "'-1"]
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from pathlib import Path
from typing import Iterator

import polars as pl

from biblio.errors import OutputError, printable

#: Characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
#: xlsxwriter Workbook options: data strings are never formulas or hyperlinks.
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}


def neutralise(df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """``df`` with every string cell that starts with a formula character prefixed by ``'`` (lazy in, lazy out)."""
    schema = df.collect_schema() if isinstance(df, pl.LazyFrame) else df.schema
    cols = [c for c, t in schema.items() if t == pl.Utf8]
    if not cols:
        return df
    return df.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_RE)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c) for c in cols
    )


def neutralise_value(value: str) -> str:
    """One cell, as :func:`neutralise` would write it."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one rename.

    On any failure the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    check_output_file(target)
    tmp = _tmp_name(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_csv(df: pl.DataFrame | pl.LazyFrame, path: str | Path, *, raw: bool = False) -> Path:
    """Write ``df`` as CSV atomically; formula-like strings neutralised unless ``raw``.

    A ``LazyFrame`` is streamed to disk (``sink_csv``), never held in memory whole.
    """
    out = Path(path)
    try:
        with atomic_file(out) as tmp:
            safe = df if raw else neutralise(df)
            if isinstance(safe, pl.LazyFrame):
                safe.sink_csv(tmp)
            else:
                safe.write_csv(tmp)
    except OSError as e:
        raise _os_error(out, e) from None
    return out


def write_text(text: str, path: str | Path) -> Path:
    """Write UTF-8 text atomically."""
    out = Path(path)
    try:
        with atomic_file(out) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as e:
        raise _os_error(out, e) from None
    return out


def _os_error(path: Path, e: OSError) -> OutputError:
    from biblio.errors import _ERRNO_FIX

    fix = _ERRNO_FIX.get(errno.errorcode.get(e.errno or 0, ""), "check the path, permissions and free space")
    return OutputError(f"{printable(path, 200)}: cannot write ({e.strerror or type(e).__name__}); {fix}; nothing already there was changed")


def check_output_file(path: str | Path, *, option: str = "--out") -> Path:
    """Fail early if ``path`` cannot become a file: it is a folder, or its folder is a file or unwritable."""
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{option} {printable(p, 200)}: is a folder; give a file path, e.g. {printable(p / 'out.csv', 200)}")
    parent = p.parent if str(p.parent) else Path(".")
    _check_dir_usable(parent, option=option, create=True)
    return p


def check_output_dir(path: str | Path, *, field: str = "output.dir", create: bool = True) -> Path:
    """Fail early if ``path`` cannot be an output folder (it is a file, or not writable).

    The folder is created if missing (its parents too) unless ``create`` is false.
    """
    p = Path(path)
    _check_dir_usable(p, option=field, create=create)
    return p


def _check_dir_usable(p: Path, *, option: str, create: bool) -> None:
    shown = printable(p, 200)
    existing = p
    for anc in [p, *p.parents]:
        if anc.exists() and not anc.is_dir():
            raise OutputError(f"{option} {shown}: {printable(anc, 200)} is a file, not a folder; choose a folder path")
        if anc.exists():
            existing = anc
            break
    if not create:
        if not os.access(existing, os.W_OK | os.X_OK):
            raise OutputError(f"{option} {shown}: {printable(existing, 200)} is not writable; choose a writable location or fix its permissions")
        return
    if create:
        try:
            p.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(f"{option} {shown}: cannot create the folder ({e.strerror}); choose a writable location") from None
    if p.is_dir() and not os.access(p, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {shown}: folder is not writable; choose a writable location or fix its permissions")


@contextlib.contextmanager
def atomic_dir(path: str | Path, *, replace: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it becomes ``path`` whole.

    Without ``replace`` the target must not exist. With ``replace`` an existing target is
    swapped out (renamed aside, then removed) only after the new folder is complete.
    On failure the temporary folder is removed and the target is untouched.
    """
    target = Path(path)
    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    tmp.mkdir(parents=True)
    try:
        yield tmp
        if replace and target.exists():
            old = target.with_name(f"{target.name}.old-{uuid.uuid4().hex[:8]}")
            os.replace(target, old)
            try:
                os.replace(tmp, target)
            except OSError:
                os.replace(old, target)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            if target.exists():
                raise OutputError(f"{printable(target, 200)}: already exists; choose another name or remove it")
            os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


#: Largest CSV field accepted (characters); Python's default of 131,072 rejects long raw strings.
CSV_FIELD_LIMIT = 16 * 1024 * 1024
_INVISIBLE_EDGE = "\ufeff\u200b\u200c\u200d\u2060 \t"


def read_input_csv(
    path: str | Path, *, required: tuple[str, ...] = ("name",), one_of: tuple[str, ...] = (), what: str = "the CSV to screen"
) -> tuple[list[str], list[dict[str, str]]]:
    """Read a user's CSV robustly: the header and rows as dicts, each with a ``_row_note``.

    Handles BOMs (even two), NUL bytes, bare carriage returns, quoted newlines and fields up
    to :data:`CSV_FIELD_LIMIT` characters. Short or long rows are padded or cut and noted.
    Every ``required`` column must be in the header, and at least one of ``one_of`` if given.
    A file that cannot be read raises one-line :class:`~biblio.errors.InputFileError`.

    >>> read_input_csv("team.csv", required=(), one_of=("orcid", "openalex_id"), what="the team CSV")  # doctest: +SKIP
    """
    import csv
    import io

    from biblio.errors import InputFileError

    p = Path(path)
    shown = printable(p, 200)
    if p.is_dir():
        raise InputFileError(f"{shown}: is a folder; pass {what} (a .csv file)")
    if not p.exists():
        raise InputFileError(f"{shown}: file not found; pass {what}")
    if not p.is_file():
        raise InputFileError(f"{shown}: not a regular file; pass {what} (a .csv file)")
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputFileError(f"{shown}: cannot read ({e.strerror}); check the path and permissions") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputFileError(f"{shown}: not UTF-8 (byte {e.start}); save {what} as UTF-8") from None
    text = text.lstrip("\ufeff").replace("\x00", "")
    csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            want = " and ".join(repr(c) for c in required) or " or ".join(repr(c) for c in one_of)
            raise InputFileError(f"{shown}: empty file; the first row must be a header with {want} column(s)")
        header = [h.strip(_INVISIBLE_EDGE) or f"column_{i + 1}" for i, h in enumerate(header)]
        missing = [c for c in required if c not in header]
        found = ", ".join(printable(h, 40) for h in header[:20]) or "none"
        if missing:
            raise InputFileError(f"{shown}: no {missing[0]!r} column (found: {found}); add a header called {missing[0]}")
        if one_of and not set(one_of) & set(header):
            raise InputFileError(f"{shown}: needs a {' or '.join(repr(c) for c in one_of)} column (found: {found}); add one of them")
        dupes = sorted({h for h in header if header.count(h) > 1})
        if dupes:
            raise InputFileError(f"{shown}: column {printable(dupes[0], 40)!r} appears twice in the header; rename one")
        rows = []
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            note = ""
            if len(row) != len(header):
                note = f"line {reader.line_num}: expected {len(header)} fields, found {len(row)}"
                row = (row + [""] * len(header))[: len(header)]
            rows.append(dict(zip(header, row)) | {"_row_note": note})
    except csv.Error as e:
        raise InputFileError(f"{shown}: line {reader.line_num}: not readable as CSV ({printable(e)}); fix that line or save the file again as CSV") from None
    return header, rows
