"""What goes into the page and the workbook when a run is large.

Every report table is written whole as CSV and Parquet. The HTML page and the XLSX workbook
carry at most :data:`MAX_HTML_ROWS` / :data:`MAX_XLSX_ROWS` rows of each table (say so where
they cut, and point at the full CSV): a browser and a spreadsheet stay usable, and the report
stage stays fast whatever the number of flagged papers. Evidence keeps the most serious
papers first: a partner on a U.S. government list at publication, then the highest ASPI
risk, then the newest.

Example:
    >>> import polars as pl
    >>> ev = pl.DataFrame({"work_id": ["W1", "W2", "W3"], "government_at_publication": [False, True, False],
    ...                    "aspi_risk_max": [None, None, "high"], "publication_date": [None, None, None]})
    >>> top_rows("evidence", ev, 2, evidence=ev)["work_id"].to_list()
    ['W2', 'W3']
"""

from __future__ import annotations

import polars as pl

from biblio.report.partners import RISK_ORDER

MAX_HTML_ROWS = 10_000
MAX_XLSX_ROWS = 5_000


def n_rows(df: pl.DataFrame | pl.LazyFrame) -> int:
    """Rows of a report table, eager or lazy (a scan of its written Parquet file)."""
    return df.height if isinstance(df, pl.DataFrame) else int(df.select(pl.len()).collect().item())


def top_works(evidence: pl.DataFrame | pl.LazyFrame, n: int) -> pl.DataFrame:
    """The ``work_id`` of the ``n`` most serious flagged papers (``evidence`` table, eager or lazy)."""
    rank = pl.col("aspi_risk_max").str.to_lowercase().replace_strict(RISK_ORDER, default=0, return_dtype=pl.Int32).fill_null(0)
    return (
        evidence.lazy().select("work_id", pl.col("government_at_publication").fill_null(False).alias("_g"), rank.alias("_r"), "publication_date")
        .sort("_g", "_r", "publication_date", "work_id", descending=[True, True, True, False], nulls_last=True)
        .head(n)
        .select("work_id")
        .collect()
    )


def top_rows(name: str, df: pl.DataFrame | pl.LazyFrame, n: int, *, evidence: pl.DataFrame | pl.LazyFrame | None = None) -> pl.DataFrame:
    """At most ``n`` rows of report table ``name``, in the table's own order (collected when
    ``df`` is lazy, e.g. a scan of the table's Parquet file: only those rows are read).

    ``evidence`` and ``evidence_flags`` keep the rows of the most serious papers
    (:func:`top_works`); every other table keeps its first ``n`` rows (tables are sorted
    most important first).
    """
    if n_rows(df) <= n:
        return df if isinstance(df, pl.DataFrame) else df.collect()
    if name in ("evidence", "evidence_flags") and evidence is not None and "work_id" in df.collect_schema():
        keep = top_works(evidence, n)["work_id"].implode()
        return df.lazy().filter(pl.col("work_id").is_in(keep)).head(n).collect()
    return df.lazy().head(n).collect()


def cut_note(name: str, shown: int, total: int, *, where: str = "") -> str:
    """'Showing the first 10,000 of 123,456 rows; every row is in report/NAME.csv (and .parquet).' ('' if nothing is cut)."""
    if shown >= total:
        return ""
    which = "the most serious " if name in ("evidence", "evidence_flags") else "the first "
    return f"{where}Showing {which}{shown:,} of {total:,} rows; every row is in report/{name}.csv (and report/{name}.parquet)."
