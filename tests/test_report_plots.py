"""The report's figures (biblio.report.plots): laid out once, saved reproducibly."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from biblio.report.plots import plot_by_year, save_figures

BY_YEAR = pl.DataFrame({
    "year": [2023, 2024], "quarter": [3, 1], "partial_year": [True, False],
    "papers_government_list": [2, 5], "papers_assessment_only": [1, 0], "papers_no_listed_partner": [4, 3],
})


def test_a_figure_keeps_its_tight_layout_without_a_layout_engine() -> None:
    fig = plot_by_year(BY_YEAR, footer="test · SYNTHETIC")
    # tight_layout's placeholder engine made every savefig draw the figure an extra time
    assert fig.get_layout_engine() is None
    left = fig.subplotpars.left
    assert 0.05 < left < 0.125  # tight: moved in from matplotlib's default 0.125
    assert "partial: Q3–Q3" in [t.get_text() for t in fig.axes[0].get_xticklabels()][0]


def test_saved_figures_are_the_same_bytes_each_time(tmp_path: Path) -> None:
    a = save_figures({"by_year": plot_by_year(BY_YEAR, footer="x")}, tmp_path / "a")
    b = save_figures({"by_year": plot_by_year(BY_YEAR, footer="x")}, tmp_path / "b")
    assert a["by_year"].read_bytes() == b["by_year"].read_bytes()
    svg = (tmp_path / "a" / "by_year.svg").read_bytes()
    assert svg == (tmp_path / "b" / "by_year.svg").read_bytes()
    assert b"<dc:date>" not in svg and b"2023" in svg


def test_names_are_drawn_literally(tmp_path: Path) -> None:
    """A partner's name with two ``$`` (matplotlib read the text between as math, and the
    figure failed to draw) or a control character (no font has one) is drawn as written."""
    import warnings

    from biblio.report.plots import plot_top_partners

    partners = pl.DataFrame({"partner_name": ["Lab $\\frac{$ of Optics", "Inst\x13ute of Mechanics"], "papers": [3, 2],
                             "families": ["government", None], "lists": ["Entity List; $1260H$", None]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph 19 missing from font(s)" was one
        fig = plot_top_partners(partners, footer="data: snapshot dated $\\frac{$")  # the data's date is data too
        save_figures({"top_partners": fig}, tmp_path)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "Inst ute of Mechanics" in labels and "Lab \\$\\frac{\\$ of Optics" in labels
    svg = (tmp_path / "top_partners.svg").read_text()
    assert "Lab $\\frac{$ of Optics" in svg and "$1260H$" in svg and "dated $\\frac{$" in svg
