"""Draw the report's figures in a helper process, beside the rest of the report.

Importing matplotlib and drawing the six figures (PNG and SVG) costs 2-3 CPU seconds whatever
the size of the run: at 100k works that was a third of the run. :class:`PlotWorker` starts a
helper Python process early (``biblio.pipeline.run_query`` starts it before the scan), which
imports matplotlib while this process works; the report sends it the six small plot tables as
soon as they exist and writes the workbook meanwhile. The helper runs the same code
(:func:`render_figures`), so it writes the same files drawing here would.

If the helper cannot start, fails or dies, the figures are drawn in this process instead (an
error such as a full disk then surfaces here, as before). The helper is not used when this
process has imported matplotlib already (a notebook may have styled it: drawing here keeps
that style), or when ``BIBLIO_PLOT_WORKER=0``.

Example:
    >>> w = PlotWorker.start()                                                # doctest: +SKIP
    >>> w.submit(report_tables, footer="data: snapshot 2026-11-01", directory=Path("plots"))  # doctest: +SKIP
    >>> images = w.result()          # {'by_year': Path('plots/by_year.png'), ...}  # doctest: +SKIP
    >>> w.close()                                                             # doctest: +SKIP
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import polars as pl

#: The report tables the figures read (:func:`biblio.report.plots.all_figures`).
PLOT_TABLES = ("by_year", "by_agency", "prc_partners", "list_by_agency", "tech_areas", "money_by_agency")


def render_figures(tables: dict[str, pl.DataFrame], *, footer: str, directory: Path) -> dict[str, Path]:
    """Draw the report's figures from ``tables`` and save them in ``directory`` (PNG and SVG);
    returns the PNG paths by figure name. This is what the helper process runs.

    Example:
        >>> render_figures(tables, footer="data: snapshot 2026-11-01", directory=Path("plots"))["by_year"].name  # doctest: +SKIP
        'by_year.png'
    """
    from biblio.report.plots import all_figures, save_figures

    return save_figures(all_figures(tables, footer=footer), Path(directory))


class PlotWorker:
    """A helper process that imports matplotlib now and draws one report's figures later."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self._job: dict[str, Any] | None = None
        self._thread: threading.Thread | None = None
        self._out: bytes = b""

    @property
    def pending(self) -> bool:
        """True until :meth:`submit` is called."""
        return self._job is None

    @classmethod
    def start(cls, *, force: bool = False) -> PlotWorker | None:
        """Start the helper (it begins importing matplotlib at once); ``None`` when it is not
        to be used (see the module docstring; ``force`` starts it even when matplotlib is
        imported here) or cannot start.

        Example:
            >>> w = PlotWorker.start()            # doctest: +SKIP
        """
        if os.environ.get("BIBLIO_PLOT_WORKER", "1") == "0" or ("matplotlib" in sys.modules and not force):
            return None
        root = str(Path(__file__).resolve().parents[2])  # the folder holding the biblio package
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(x for x in (root, os.environ.get("PYTHONPATH", "")) if x)}
        try:
            proc = subprocess.Popen([sys.executable, "-m", "biblio.report.plotproc"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, env=env)
        except OSError:
            return None
        return cls(proc)

    def submit(self, tables: dict[str, pl.DataFrame | pl.LazyFrame], *, footer: str, directory: Path) -> None:
        """Send the plot tables (collected if lazy); the helper draws while this process goes on.

        Example:
            >>> w.submit(report_tables, footer="…", directory=Path("run/report/plots"))   # doctest: +SKIP
        """
        small = {n: t.collect() if isinstance(t, pl.LazyFrame) else t for n, t in tables.items() if n in PLOT_TABLES}
        self._job = {"tables": small, "footer": footer, "directory": str(Path(directory).resolve())}
        payload = pickle.dumps(self._job, protocol=pickle.HIGHEST_PROTOCOL)
        self._thread = threading.Thread(target=self._talk, args=(payload,), daemon=True)
        self._thread.start()

    def _talk(self, payload: bytes) -> None:
        try:
            self._out, _ = self.proc.communicate(payload)
        except (OSError, ValueError):
            self._out = b""

    def result(self) -> dict[str, Path]:
        """The PNG paths by figure name, once the helper is done; drawn here if it failed.

        Example:
            >>> w.result()["by_year"].name     # doctest: +SKIP
            'by_year.png'
        """
        if self._job is None:
            raise RuntimeError("PlotWorker.result() before submit()")
        if self._thread is not None:
            self._thread.join()
        try:
            status, images = pickle.loads(self._out)
        except Exception:  # noqa: BLE001 - no answer, a truncated one: draw here
            status, images = "failed", None
        if status == "ok" and self.proc.returncode == 0:
            return {k: Path(v) for k, v in images.items()}
        job = self._job
        return render_figures(job["tables"], footer=job["footer"], directory=Path(job["directory"]))

    def close(self) -> None:
        """Stop the helper if it is still running (a failed report), and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        if self._thread is not None:
            self._thread.join()
        self.proc.wait()
        for fh in (self.proc.stdin, self.proc.stdout):
            if fh is not None and not fh.closed:
                fh.close()


def _serve() -> None:
    """The helper's side: import matplotlib, read one job on stdin, draw it, answer on stdout."""
    import matplotlib.figure  # noqa: F401 - the slow import, done before the job arrives

    import biblio.report.plots  # noqa: F401

    job = pickle.loads(sys.stdin.buffer.read())
    try:
        images = render_figures(job["tables"], footer=job["footer"], directory=Path(job["directory"]))
        answer: tuple[str, Any] = ("ok", {k: str(v) for k, v in images.items()})
    except Exception as e:  # noqa: BLE001 - the parent draws again and reports the error itself
        answer = ("failed", repr(e))
    sys.stdout.buffer.write(pickle.dumps(answer))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve()
