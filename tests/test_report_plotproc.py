"""The report's figures drawn in a helper process (biblio.report.plotproc): same files, safe fallback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

import biblio.report.plotproc as pp
from biblio.pipeline import run_query
from biblio.query import load_query
from biblio.report.figdata import figure_data
from biblio.report.plotproc import FIGURES, PLOT_TABLES, PlotWorker, render_figures

REPO = Path(__file__).resolve().parent.parent
FOOTER = "biblio test · includes SYNTHETIC data"


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder of the labelled SYNTHETIC sample."""
    out = tmp_path_factory.mktemp("runs")
    return run_query(load_query(REPO / "queries" / "synthetic.toml"), output_dir=out, run_id="p", as_of=dt.date(2026, 11, 1)).run_dir


@pytest.fixture(scope="module")
def plot_tables(sample_run: Path) -> dict[str, pl.DataFrame]:
    """The plot tables of the labelled SYNTHETIC sample's run."""
    rd = sample_run
    assert sorted(p.name for p in (rd / "report" / "plots").glob("*.png")) == sorted(f"{n}.png" for n in ("by_year", "by_agency", "top_partners", "list_by_agency", "tech_areas", "money_by_agency"))
    return {n: pl.read_parquet(rd / "report" / f"{n}.parquet") for n in PLOT_TABLES}


def test_worker_writes_the_files_drawing_here_writes_and_is_reused(plot_tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    w = PlotWorker.start(force=True)
    assert w is not None and w.pending
    try:
        w.submit(plot_tables, footer=FOOTER, directory=tmp_path / "worker")
        got = w.result()  # the PNGs are written; the SVGs may not be yet
        assert all(p.exists() for p in got.values())
        w.finish()
    finally:
        w.close()
    assert w.proc.poll() is None  # answered: kept for the next report
    here = render_figures(figure_data(plot_tables), footer=FOOTER, directory=tmp_path / "here")  # only PLOT_TABLES: all the figures need
    assert sorted(got) == sorted(here) and len(got) == 6 and tuple(here) == FIGURES  # the page's order, known before drawing
    for name in here:
        assert got[name] == tmp_path / "worker" / f"{name}.png"
        assert got[name].read_bytes() == here[name].read_bytes(), name
        svg = (tmp_path / "worker" / f"{name}.svg").read_bytes()
        assert len(svg) > 1000 and svg == (tmp_path / "here" / f"{name}.svg").read_bytes(), name  # no date, fixed ids
    again = PlotWorker.start(force=True)
    assert again is not None and again.proc is w.proc  # the idle helper, its imports done
    try:
        again.submit(plot_tables, footer=FOOTER, directory=tmp_path / "again")
        got2 = again.result()
        again.finish()
    finally:
        again.close()
    assert all(got2[n].read_bytes() == here[n].read_bytes() for n in here)
    assert again.proc.poll() is None


def test_png_answer_then_svgs_and_a_failure_after_the_pngs_draws_here(plot_tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    w = PlotWorker.start(force=True)
    assert w is not None
    (tmp_path / "w").mkdir()
    try:
        w.submit(plot_tables, footer=FOOTER, directory=tmp_path / "w")
        pngs = w.result()
        assert w.result() is pngs  # asked twice: one answer
        w.proc.kill()  # dies before (or after) the SVGs: finish() must leave every file written
        w.proc.wait()
        w.finish()
    finally:
        w.close()
    assert sorted(p.name for p in (tmp_path / "w").glob("*.svg")) == sorted(f"{n}.svg" for n in pngs)
    assert all((tmp_path / "w" / f"{n}.svg").stat().st_size > 1000 for n in pngs)
    assert w.proc.returncode is not None and w.proc not in pp._IDLE  # stopped, not kept


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
    assert w.proc.returncode != 0 and w.proc.stdout is not None and w.proc.stdout.closed  # reaped, not kept
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(f"{n}.png" for n in got) and len(got) == 6


def test_a_report_that_fails_after_submitting_stops_its_worker(plot_tables: dict[str, pl.DataFrame], tmp_path: Path) -> None:
    w = PlotWorker.start(force=True)
    assert w is not None
    w.submit(plot_tables, footer=FOOTER, directory=tmp_path)
    w.close()  # no result() asked: the report failed; the helper must not write on
    w.close()  # idempotent
    assert w.proc.returncode is not None
    nxt = PlotWorker.start(force=True)
    assert nxt is not None and nxt.proc is not w.proc
    nxt.close()
    with pytest.raises(RuntimeError):
        nxt.result()


def test_the_switch_turns_helpers_off_and_a_busy_machine_draws_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIBLIO_PLOT_WORKER", "0")
    assert PlotWorker.start(force=True) is None
    monkeypatch.delenv("BIBLIO_PLOT_WORKER")
    monkeypatch.setattr(pp.os, "getloadavg", lambda: (64.0, 64.0, 64.0))
    monkeypatch.setitem(pp.sys.modules, "matplotlib", None)  # as if not imported here
    monkeypatch.delitem(pp.sys.modules, "matplotlib")
    monkeypatch.setattr(pp, "_IDLE", [])
    assert not pp.core_free() and PlotWorker.start() is None  # no spare core, no idle helper: draw here
    monkeypatch.setenv("BIBLIO_PLOT_WORKER", "1")
    w = PlotWorker.start()
    assert w is not None
    pp._stop(w.proc)


def test_the_page_laid_out_while_the_helper_draws_gets_its_pngs(sample_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import base64
    import re

    from biblio.report.html import fill_images
    from biblio.report.run import rebuild

    started: list[PlotWorker] = []
    start = PlotWorker.start

    def forced(cls: type, **kw: object) -> PlotWorker | None:
        started.append(start(force=True))  # a helper even though this process has matplotlib
        return started[-1]

    monkeypatch.setattr(PlotWorker, "start", classmethod(forced))
    rd = rebuild(sample_run)
    assert len(started) == 1 and started[0] is not None and not started[0].pending  # the helper drew them
    html = (rd / "report.html").read_text(encoding="utf-8")
    assert "@@biblio-figure" not in html
    shown = re.findall(r'<img alt="([a-z_]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert tuple(n for n, _ in shown) == FIGURES
    assert all(base64.b64decode(b) == (rd / "report" / "plots" / f"{n}.png").read_bytes() for n, b in shown)
    with pytest.raises(KeyError, match="tech_areas"):
        fill_images('<img src="data:image/png;base64,@@biblio-figure:tech_areas@@">', {})


def test_the_helper_draws_from_plain_lists_without_importing_polars(plot_tables: dict[str, pl.DataFrame]) -> None:
    import pickle
    import subprocess
    import sys

    code = ("import sys, biblio.report.plotproc, biblio.report.figures; "
            "assert not [m for m in sys.modules if m.startswith(('polars', 'pyarrow'))], sorted(m for m in sys.modules if m.startswith(('polars', 'pyarrow')))")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    job = pickle.dumps(figure_data(plot_tables))
    assert b"polars" not in job and len(job) < 20_000  # what the helper is sent: plain lists, unpickled without polars


def test_the_helper_runs_this_biblio_whatever_the_working_folder(plot_tables: dict[str, pl.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m`` puts the working folder first on the path: a folder holding another ``biblio``
    (another checkout) must not give the helper that one."""
    impostor = tmp_path / "elsewhere" / "biblio" / "report"
    impostor.mkdir(parents=True)
    for d in (impostor.parent, impostor):
        (d / "__init__.py").write_text("")
    (impostor / "plotproc.py").write_text("import sys\nsys.exit(3)\n")
    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.setattr(pp, "_IDLE", [])
    w = PlotWorker.start(force=True)
    assert w is not None
    try:
        w.submit(plot_tables, footer=FOOTER, directory=tmp_path / "out")
        w.result()
        w.finish()
    finally:
        w.close()
    assert w.proc.poll() is None  # the real helper answered and was kept (the impostor would have exited with 3)


def test_a_free_core_is_judged_by_the_cores_this_process_may_use(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load 2.5 on a machine of 64 cores: free for a process allowed two of them, not for one allowed one."""
    monkeypatch.setattr(pp.os, "getloadavg", lambda: (2.5, 2.5, 2.5))
    monkeypatch.setattr(pp.os, "cpu_count", lambda: 64)
    monkeypatch.setattr(pp.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    assert pp.core_free()
    monkeypatch.setattr(pp.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert not pp.core_free()
