"""Report plots: each a function returning a matplotlib Figure (Agg backend, no display).

Titles say what is counted; the footer carries the data date, and says so when synthetic
records are present.

Example:
    >>> fig = plot_by_year(by_year_table, footer="data: snapshot 2026-11-01")   # doctest: +SKIP
    >>> fig.savefig("by_year.png")                                              # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

FLAG_COLOUR = "#b2182b"
PLAIN_COLOUR = "#9ecae1"
LIST_COLOURS = {
    "entity_list": "#d73027",
    "1260h": "#4575b4",
    "1286": "#7b3294",
    "ns_cmic": "#1a9850",
    "meu": "#fdae61",
    "aspi": "#e08214",
    "seven_sons": "#8c510a",
    "sastind": "#35978f",
    "": "#bdbdbd",
}


def _finish(fig: Figure, footer: str) -> Figure:
    fig.text(0.01, 0.01, footer, fontsize=8, color="#555555", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _empty(title: str, footer: str) -> Figure:
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.set_title(title)
    ax.text(0.5, 0.5, "no data", ha="center", va="center", fontsize=14, color="#777777", transform=ax.transAxes)
    ax.set_axis_off()
    return _finish(fig, footer)


def _stacked_barh(d: pl.DataFrame, label: str, *, title: str, xlabel: str, footer: str) -> Figure:
    """Horizontal bars per ``label``: flagged papers, then not-flagged papers stacked after."""
    fig, ax = plt.subplots(figsize=(8, max(3, 0.45 * d.height + 1.2)))
    ax.barh(d[label].to_list(), d["flagged_papers"].to_list(), color=FLAG_COLOUR, label="with a listed partner")
    ax.barh(d[label].to_list(), d["not_flagged_papers"].to_list(), left=d["flagged_papers"].to_list(), color=PLAIN_COLOUR, label="no listed partner")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    return _finish(fig, footer)


def plot_by_year(df: pl.DataFrame, *, footer: str = "") -> Figure:
    """Papers per year, stacked: with a defense-linked partner (at publication) vs not."""
    title = "DoD-funded papers with PRC co-authors, by publication year"
    if df.height == 0:
        return _empty(title, footer)
    y = df.group_by("year").agg(pl.col("flagged_papers").sum(), pl.col("not_flagged_papers").sum()).sort("year")
    years = [str(v) for v in y["year"].to_list()]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.bar(years, y["flagged_papers"].to_list(), color=FLAG_COLOUR, label="with a listed (defense-linked) partner")
    ax.bar(years, y["not_flagged_papers"].to_list(), bottom=y["flagged_papers"].to_list(), color=PLAIN_COLOUR, label="no listed partner")
    ax.set_title(title)
    ax.set_ylabel("papers")
    ax.legend(frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2)
    ax.spines[["top", "right"]].set_visible(False)
    return _finish(fig, footer)


def plot_by_agency(df: pl.DataFrame, *, footer: str = "") -> Figure:
    """Papers per DoD agency (a paper funded by two agencies counts once for each)."""
    title = "Papers by DoD funding agency (funder ID or award-number prefix)"
    if df.height == 0:
        return _empty(title, footer)
    d = df.sort("papers").with_columns((pl.col("papers") - pl.col("flagged_papers")).alias("not_flagged_papers"))
    return _stacked_barh(d, "agency", title=title, xlabel="papers", footer=footer)


def plot_top_institutions(df: pl.DataFrame, *, top: int = 20, footer: str = "") -> Figure:
    """Top PRC institutions by papers, coloured by the first list they are on (grey: none)."""
    title = f"Top {top} PRC co-author institutions by papers (colour: first list flagged)"
    if df.height == 0:
        return _empty(title, footer)
    d = df.head(top).reverse()
    first = [s.split(";")[0] if s else "" for s in d["lists"].to_list()]
    labels = [n if len(n) <= 55 else n[:52] + "…" for n in d["institution"].to_list()]
    fig, ax = plt.subplots(figsize=(9, max(3, 0.38 * d.height + 1.4)))
    ax.barh(labels, d["papers"].to_list(), color=[LIST_COLOURS.get(k, "#636363") for k in first])
    ax.set_title(title)
    ax.set_xlabel("papers")
    handles = [plt.Rectangle((0, 0), 1, 1, color=LIST_COLOURS[k]) for k in dict.fromkeys(first)]
    ax.legend(handles, [k or "not listed" for k in dict.fromkeys(first)], frameon=False, loc="lower right", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _finish(fig, footer)


def plot_list_agency_heatmap(df: pl.DataFrame, *, footer: str = "") -> Figure:
    """Flagged papers (listed at publication) per list × DoD agency."""
    title = "Papers with a listed partner: list × DoD agency"
    if df.height == 0:
        return _empty(title, footer)
    lists = sorted(df["list_key"].unique().to_list())
    agencies = sorted(df["agency"].unique().to_list())
    grid = [[0] * len(agencies) for _ in lists]
    for r in df.iter_rows(named=True):
        grid[lists.index(r["list_key"])][agencies.index(r["agency"])] = r["papers"]
    fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(agencies) + 3), max(3, 0.5 * len(lists) + 1.5)))
    im = ax.imshow(grid, cmap="Reds", aspect="auto")
    ax.set_xticks(range(len(agencies)), agencies, rotation=30, ha="right")
    ax.set_yticks(range(len(lists)), lists)
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            ax.text(j, i, str(v), ha="center", va="center", fontsize=9, color="white" if v > max(max(grid)) / 2 else "black")
    fig.colorbar(im, ax=ax, label="papers")
    ax.set_title(title)
    return _finish(fig, footer)


def plot_tech_areas(df: pl.DataFrame, *, footer: str = "") -> Figure:
    """Papers per civil-military-fusion technology area, flagged vs not."""
    title = "Papers by technology area (civil-military fusion priorities)"
    if df.height == 0 or df["papers"].sum() == 0:
        return _empty(title, footer)
    return _stacked_barh(df.sort("papers"), "area", title=title, xlabel="papers (a paper may be in several areas)", footer=footer)


def all_figures(report_tables: dict[str, pl.DataFrame], *, footer: str) -> dict[str, Figure]:
    """The report's figures by name."""
    return {
        "by_year": plot_by_year(report_tables["by_year"], footer=footer),
        "by_agency": plot_by_agency(report_tables["by_agency"], footer=footer),
        "top_institutions": plot_top_institutions(report_tables["by_institution"], footer=footer),
        "list_by_agency": plot_list_agency_heatmap(report_tables["list_by_agency"], footer=footer),
        "tech_areas": plot_tech_areas(report_tables["tech_areas"], footer=footer),
    }


def save_figures(figs: dict[str, Figure], directory: Path) -> dict[str, Path]:
    """Save each figure as PNG and SVG; returns the PNG paths. Figures are closed."""
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, fig in figs.items():
        png = directory / f"{name}.png"
        fig.savefig(png, dpi=110)
        fig.savefig(directory / f"{name}.svg")
        plt.close(fig)
        out[name] = png
    return out
