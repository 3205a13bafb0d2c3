"""The report's figures drawn in a helper process (biblio.report.plotproc): same files, safe fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from biblio.pipeline import run_query
from biblio.query import load_query
from biblio.report.plotproc import PLOT_TABLES, PlotWorker, render_figures

REPO = Path(__file__).resolve().parent.parent
FOOTER = "biblio test · includes SYNTHETIC data"


@pytest.fixture(scope="module")
def plot_tables(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    """The plot tables of the labelled SYNTHETIC sample's run."""
    out = tmp_path_factory.mktemp("runs")
    rd = run_query(load_query(REPO / "queries" / "synthetic.toml"), output_dir=out, run_id="p", as_of=dt.date(2026, 11, 1)).run_dir
    assert sorted(p.name for p in (rd / "report" / "plots").glob("*.png")) == sorted(f"{n}.png" for n in ("by_year", "by_agency", "top_partners", "list_by_agency", "tech_areas", "money_by_agency"))
    return {n: pl.read_parquet(rd / "report" / f"{n}.parquet") for n in PLOT_TABLES}


def test_worker_writes_the_files_drawing_here_writes(plot_tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    w = PlotWorker.start(force=True)
    assert w is not None and w.pending
    try:
        w.submit(plot_tables, footer=FOOTER, directory=tmp_path / "worker")
        got = w.result()
    finally:
        w.close()
    assert w.proc.returncode == 0  # the helper answered: nothing was redrawn here
    here = render_figures(plot_tables, footer=FOOTER, directory=tmp_path / "here")  # only PLOT_TABLES: all the figures need
    assert sorted(got) == sorted(here) and len(got) == 6
    for name in here:
        assert got[name] == tmp_path / "worker" / f"{name}.png"
        assert got[name].read_bytes() == here[name].read_bytes(), name
        assert (tmp_path / "worker" / f"{name}.svg").stat().st_size > 1000


def test_a_dead_worker_means_drawing_here(plot_tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    w = PlotWorker.start(force=True)
    assert w is not None
    w.proc.kill()
    w.proc.wait()
    try:
        w.submit(plot_tables, footer=FOOTER, directory=tmp_path)
        got = w.result()
    finally:
        w.close()
    assert w.proc.returncode != 0
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(f"{n}.png" for n in got)


def test_close_stops_an_unused_worker_and_the_switch_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    w = PlotWorker.start(force=True)
    assert w is not None
    w.close()
    w.close()  # idempotent
    assert w.proc.returncode is not None
    with pytest.raises(RuntimeError):
        w.result()
    monkeypatch.setenv("BIBLIO_PLOT_WORKER", "0")
    assert PlotWorker.start(force=True) is None
