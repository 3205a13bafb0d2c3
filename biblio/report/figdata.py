"""What each report figure shows, from its report table: plain lists and numbers, no matplotlib.

The report's figures are drawn from these (:mod:`biblio.report.figures`), in this process or in
the plot helper (:mod:`biblio.report.plotproc`), which then needs neither polars nor the
tables: it is sent a few kilobytes of lists. A figure with nothing to show gets ``rows`` None.

Example:
    >>> d = by_year_data(pl.DataFrame({"year": [2024], "quarter": [2], "partial_year": [False],
    ...     "papers_government_list": [3], "papers_assessment_only": [1], "papers_no_listed_partner": [2]}))
    >>> d["rows"]["labels"], d["rows"]["stack"]["papers_government_list"]
    (['2024'], [3])
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

#: The status columns a stacked bar shows, bottom to top.
STATUS_COLUMNS = ("papers_government_list", "papers_assessment_only", "papers_no_listed_partner")
#: Partners the top-partners figure shows.
TOP_PARTNERS = 20
#: Characters no font draws (C0 and C1 controls), shown as a space.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _shown(values: list[Any]) -> list[str]:
    """Names as a figure shows them, literally: a ``$`` escaped (two of them in an institution's
    name made matplotlib read the text between as math, and fail on it), control characters as
    spaces (no font has them: a warning per figure), None as ''.

    Example:
        >>> print(*_shown(["Lab $5M$" + chr(19) + "Inc", None]), sep="|")
        Lab \\$5M\\$ Inc|
    """
    return [_CONTROL.sub(" ", str(v)).replace("$", "\\$") if v is not None else "" for v in values]


def _stack(d: pl.DataFrame) -> dict[str, list[Any]]:
    return {c: d[c].to_list() for c in STATUS_COLUMNS}


def by_year_data(df: pl.DataFrame) -> dict[str, Any]:
    """Papers per publication year by status; a partial year (window edge) names its quarters."""
    if df.height == 0:
        return {"rows": None}
    y = df.group_by("year").agg([pl.col(c).sum() for c in STATUS_COLUMNS] + [pl.col("partial_year").any(), pl.col("quarter").unique().sort()]).sort("year")
    labels = [f"{yr}\n(partial: Q{min(q)}–Q{max(q)})" if p else str(yr) for yr, p, q in zip(y["year"], y["partial_year"], y["quarter"])]
    return {"rows": {"labels": labels, "stack": _stack(y)}}


def by_agency_data(df: pl.DataFrame) -> dict[str, Any]:
    """Papers per DoD agency by status, fewest first (drawn bottom-up: the most at the top)."""
    if df.height == 0:
        return {"rows": None}
    # ties read top-down in the table's (name) order, whatever the frame's chunks
    d = df.sort("papers", "agency", descending=[False, True]).with_columns((pl.col("papers") - pl.col("papers_government_list") - pl.col("papers_assessment_only")).alias("papers_no_listed_partner"))
    return {"rows": {"labels": _shown(d["agency"].to_list()), "stack": _stack(d)}}


def top_partners_data(df: pl.DataFrame, *, top: int = TOP_PARTNERS) -> dict[str, Any]:
    """The ``top`` PRC partner institutions by papers, with their list families and lists."""
    if df.height == 0:
        return {"top": top, "rows": None}
    d = df.sort("papers", "partner_name", descending=[True, False]).head(top).reverse()
    names = _shown(d["partner_name"].to_list())
    return {"top": top, "rows": {
        "labels": [n if len(n) <= 50 else n[:48] + "…" for n in names],
        "papers": d["papers"].to_list(),
        "families": d["families"].fill_null("").to_list(),
        "lists": _shown(d["lists"].to_list()),
    }}


def list_agency_data(df: pl.DataFrame) -> dict[str, Any]:
    """Papers with a partner listed at publication, as a list × agency grid."""
    if df.height == 0:
        return {"rows": None}
    order = df.select("list_label", "family").unique(maintain_order=True)
    lists = order["list_label"].to_list()
    agencies = sorted(df["agency"].unique().to_list())
    grid = [[0] * len(agencies) for _ in lists]
    for r in df.iter_rows(named=True):
        grid[lists.index(r["list_label"])][agencies.index(r["agency"])] = r["papers"]
    return {"rows": {"lists": _shown(lists), "families": order["family"].to_list(), "agencies": _shown(agencies), "grid": grid}}


def tech_areas_data(df: pl.DataFrame) -> dict[str, Any]:
    """Papers per civil-military-fusion technology area by status, fewest first."""
    if df.height == 0 or df["papers"].sum() == 0:
        return {"rows": None}
    d = df.sort("papers")
    return {"rows": {"labels": _shown(d["label"].to_list()), "stack": _stack(d)}}


def money_data(df: pl.DataFrame, *, synthetic_amounts: bool = False) -> dict[str, Any]:
    """Distinct DoD award amounts (US$ millions) per agency with their amount coverage."""
    d = df.filter(pl.col("amount_usd").is_not_null()).sort("amount_usd")
    if d.height == 0:
        return {"synthetic_amounts": synthetic_amounts, "rows": None}
    return {"synthetic_amounts": synthetic_amounts, "rows": {
        "agencies": _shown(d["agency"].to_list()), "millions": (d["amount_usd"] / 1e6).to_list(), "coverage": d["amount_coverage"].to_list(),
    }}


def figure_data(report_tables: dict[str, pl.DataFrame | pl.LazyFrame]) -> dict[str, dict[str, Any]]:
    """What every report figure shows, by figure name (in drawing order), from the report tables
    (a lazy one is collected: the figures' tables are a few rows each).

    Example:
        >>> list(figure_data(report_tables))   # doctest: +SKIP
        ['by_year', 'by_agency', 'top_partners', 'list_by_agency', 'tech_areas', 'money_by_agency']
    """
    from biblio.report.plotproc import PLOT_TABLES

    t = {n: v.collect() if isinstance(v := report_tables[n], pl.LazyFrame) else v for n in PLOT_TABLES}
    money = t["money_by_agency"]
    syn = bool(money.filter(pl.col("amount_usd").is_not_null())["synthetic"].any()) if money.height else False
    return {
        "by_year": by_year_data(t["by_year"]),
        "by_agency": by_agency_data(t["by_agency"]),
        "top_partners": top_partners_data(t["prc_partners"]),
        "list_by_agency": list_agency_data(t["list_by_agency"]),
        "tech_areas": tech_areas_data(t["tech_areas"]),
        "money_by_agency": money_data(money, synthetic_amounts=syn),
    }
