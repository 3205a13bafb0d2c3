"""Reference lists of papers (a DOI column) and printed affiliation strings by DOI.

A reference list is any CSV with a column named ``doi``/``DOI`` (bare or ``https://doi.org/``
form), e.g. the House committee's ``fox-in-the-henhouse_dod-associated-publications.csv``.
Optional columns ``title`` and ``publication date`` are kept for the coverage table.

Printed affiliations (``[source] affiliations``): a CSV with a DOI column and one affiliation
column (``Authors Raw Affiliation``, ``affiliations`` or ``raw_affiliation``) in the form
``Last, First (aff1; aff2); Last2, F. (aff3)`` or plain ``;``-separated strings.

Example:
    >>> ref = read_reference_list(DATA / "house" / "fox-in-the-henhouse_dod-associated-publications.csv")
    >>> ref.height, ref["doi"].null_count()
    (1418, 1)
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Iterable

import polars as pl

from biblio.errors import InputFileError
from biblio.evidence import bare_doi
from biblio.place import split_author_affiliations

DATA = Path(__file__).parent / "data"
AFF_COLUMNS = ("authors raw affiliation", "affiliations", "raw_affiliation", "raw_affiliations")


def _read_csv(path: Path) -> pl.DataFrame:
    p = Path(path)
    if not p.is_file():
        raise InputFileError(f"{p}: file not found; pass a CSV with a DOI column")
    try:
        return pl.read_csv(p, infer_schema_length=0, encoding="utf8")
    except (pl.exceptions.ComputeError, UnicodeDecodeError) as e:
        raise InputFileError(f"{p}: not a readable UTF-8 CSV ({str(e).splitlines()[0][:100]}); fix the file") from None


def _col(df: pl.DataFrame, names: Iterable[str]) -> str | None:
    low = {c.lower().strip(): c for c in df.columns}
    return next((low[n] for n in names if n in low), None)


def read_reference_list(path: Path) -> pl.DataFrame:
    """The list as ``row`` (1-based), ``doi`` (bare lower-case, null when absent or malformed),
    ``list_title`` and ``list_date`` (as written, may be null)."""
    df = _read_csv(path)
    doi_col = _col(df, ("doi",))
    if doi_col is None:
        raise InputFileError(f"{path}: no DOI column (columns: {', '.join(df.columns[:8])}); add a column named doi")
    title_col = _col(df, ("title",))
    date_col = _col(df, ("publication date", "publication_date", "date"))
    n = df.height
    return pl.DataFrame(
        {
            "row": list(range(1, n + 1)),
            "doi": [bare_doi(d) or None for d in df[doi_col].to_list()],
            "list_title": df[title_col].to_list() if title_col else [None] * n,
            "list_date": df[date_col].to_list() if date_col else [None] * n,
        },
        schema={"row": pl.Int32, "doi": pl.Utf8, "list_title": pl.Utf8, "list_date": pl.Utf8},
    )


def read_printed_affiliations(paths: Iterable[Path]) -> dict[str, list[str]]:
    """Affiliation strings printed on each paper, by bare DOI (one string per affiliation)."""
    out: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        df = _read_csv(path)
        doi_col, aff_col = _col(df, ("doi",)), _col(df, AFF_COLUMNS)
        if doi_col is None or aff_col is None:
            raise InputFileError(f"{path}: needs a doi column and an affiliation column ({', '.join(AFF_COLUMNS)}); rename the columns")
        for doi, text in zip(df[doi_col].to_list(), df[aff_col].to_list()):
            d = bare_doi(doi)
            if not d or not text:
                continue
            if "(" in text:
                out[d].extend(a for _, affs in split_author_affiliations(text) for a in affs)
            else:
                out[d].extend(s.strip() for s in text.split(";") if s.strip())
    return dict(out)
