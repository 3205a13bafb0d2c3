"""Report plots: each a function of a report table returning a matplotlib ``Figure``.

What a figure shows is read from its table by :mod:`biblio.report.figdata` (polars) and drawn
by :mod:`biblio.report.figures` (matplotlib; the object API on an Agg canvas, no pyplot: a
notebook still shows them inline). Colours follow the list family (U.S. government lists red,
assessments blue, not listed grey); labels are human list names; partial years are marked;
the footer carries the data date and says so when synthetic records are present.

Example:
    >>> fig = plot_by_year(by_year_table, footer="data: snapshot 2026-11-01")   # doctest: +SKIP
    >>> fig.savefig("by_year.png")                                              # doctest: +SKIP
"""

from __future__ import annotations

import polars as pl
from matplotlib.figure import Figure

from biblio.report import figdata as fd
from biblio.report.figures import (  # re-exported: the drawing side's names
    ASSESS,
    GOV,
    NONE,
    STATUS,
    draw_all,
    draw_by_agency,
    draw_by_year,
    draw_list_agency_heatmap,
    draw_money_by_agency,
    draw_tech_areas,
    draw_top_partners,
    save_figures,
)


def plot_by_year(df: pl.DataFrame, *, footer: str = "") -> Figure:
    """Papers per publication year by status; partial years (window edges) are marked."""
    return draw_by_year(fd.by_year_data(df), footer=footer)


def plot_by_agency(df: pl.DataFrame, *, footer: str = "") -> Figure:
    """Papers per DoD agency by status (a paper funded by two agencies counts for both)."""
    return draw_by_agency(fd.by_agency_data(df), footer=footer)


def plot_top_partners(df: pl.DataFrame, *, top: int = fd.TOP_PARTNERS, footer: str = "") -> Figure:
    """Top PRC partner institutions (after roll-up) by papers, coloured by list family."""
    return draw_top_partners(fd.top_partners_data(df, top=top), footer=footer)


def plot_list_agency_heatmap(df: pl.DataFrame, *, footer: str = "") -> Figure:
    """Papers with a partner listed at publication, per list × DoD agency (human list names)."""
    return draw_list_agency_heatmap(fd.list_agency_data(df), footer=footer)


def plot_tech_areas(df: pl.DataFrame, *, footer: str = "") -> Figure:
    """Papers per civil-military-fusion technology area, by status."""
    return draw_tech_areas(fd.tech_areas_data(df), footer=footer)


def plot_money_by_agency(df: pl.DataFrame, *, synthetic_amounts: bool = False, footer: str = "") -> Figure:
    """Sum of distinct award amounts per DoD agency, with the awards' amount coverage."""
    return draw_money_by_agency(fd.money_data(df, synthetic_amounts=synthetic_amounts), footer=footer)


def all_figures(report_tables: dict[str, pl.DataFrame], *, footer: str) -> dict[str, Figure]:
    """The report's figures by name."""
    return draw_all(fd.figure_data(report_tables), footer=footer)


__all__ = [
    "ASSESS", "GOV", "NONE", "STATUS", "all_figures", "draw_all", "draw_by_agency", "draw_by_year", "draw_list_agency_heatmap", "draw_money_by_agency",
    "draw_tech_areas", "draw_top_partners", "plot_by_agency", "plot_by_year", "plot_list_agency_heatmap", "plot_money_by_agency", "plot_tech_areas",
    "plot_top_partners", "save_figures",
]
