"""Draw the report's figures in a helper process, beside the rest of the report.

Importing matplotlib and drawing the six figures (PNG and SVG) costs 2-3 CPU seconds whatever
the size of the run: at 100k works that was a third of the run. :class:`PlotWorker` starts a
helper Python process early (``biblio.pipeline.run_query`` starts it before the scan), which
imports matplotlib (not polars) while this process works; the report sends it what the six
figures show (:func:`biblio.report.figdata.figure_data`: a few kilobytes of lists) as soon as
the plot tables exist and writes the workbook meanwhile. The helper answers twice: once the PNGs
are written (the report's page embeds them and is rendered while the helper draws the SVGs),
then when the SVGs are. The helper runs the same code
(:func:`render_figures`), so it writes the same files drawing here would. A helper that
finished its job waits for the next one (a process running many reports, e.g. a notebook or
the tests, pays its start-up once); it exits when this process does.

If the helper cannot start, fails or dies, the figures are drawn in this process instead (an
error such as a full disk then surfaces here, as before). The helper is not used when this
process has imported matplotlib already (a notebook may have styled it: drawing here keeps
that style), or when ``BIBLIO_PLOT_WORKER=0``. By default a new helper is started only when
a core is free (1-minute load average below the number of cores plus one: the average lags, so
a run that ended a few seconds ago still counts ~1 there): on a busy machine its second Python
(~0.4 CPU-s beyond the matplotlib import drawing here needs too) would cost more than the
overlap gains; an idle helper is always used. ``BIBLIO_PLOT_WORKER=1`` starts one whatever the load.

Example:
    >>> w = PlotWorker.start()                                                # doctest: +SKIP
    >>> w.submit(report_tables, footer="data: snapshot 2026-11-01", directory=Path("plots"))  # doctest: +SKIP
    >>> images = w.result()          # {'by_year': Path('plots/by_year.png'), ...}  # doctest: +SKIP
    >>> w.finish()                   # the SVGs too                                  # doctest: +SKIP
    >>> w.close()                                                             # doctest: +SKIP
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

#: The report tables the figures read (:func:`biblio.report.plots.all_figures`).
PLOT_TABLES = ("by_year", "by_agency", "prc_partners", "list_by_agency", "tech_areas", "money_by_agency")
#: The figures' names, in the order :func:`biblio.report.plots.all_figures` draws them (known
#: here without importing matplotlib: the page is laid out before the PNGs exist).
FIGURES = ("by_year", "by_agency", "top_partners", "list_by_agency", "tech_areas", "money_by_agency")


def render_figures(data: dict[str, dict[str, Any]], *, footer: str, directory: Path, on_png: Callable[[dict[str, Path]], None] | None = None) -> dict[str, Path]:
    """Draw the report's figures from what they show (:func:`biblio.report.figdata.figure_data`)
    and save them in ``directory`` (PNG, then SVG); returns the PNG paths by figure name;
    ``on_png`` is called with them before the SVGs are drawn. This is what the helper process
    runs: it needs matplotlib, not polars.

    Example:
        >>> render_figures(figure_data(tables), footer="data: snapshot 2026-11-01", directory=Path("plots"))["by_year"].name  # doctest: +SKIP
        'by_year.png'
    """
    from biblio.report.figures import draw_all, save_figures

    return save_figures(draw_all(data, footer=footer), Path(directory), on_png=on_png)


class PlotWorker:
    """One report's use of a helper process: started (or taken idle) early, sent the plot
    tables once, asked for the PNG paths (:meth:`result`: the helper answers once the PNGs are
    written and draws the SVGs on), then waited for (:meth:`finish`), then released (back to
    the idle helpers when its job is done, stopped otherwise)."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self._job: dict[str, Any] | None = None
        self._thread: threading.Thread | None = None
        self._pngs: dict[str, Path] | None = None  # the helper's first answer
        self._answered = False  # its last: every file written
        self._released = False

    @property
    def pending(self) -> bool:
        """True until :meth:`submit` is called."""
        return self._job is None

    @classmethod
    def start(cls, *, force: bool = False, free: bool | None = None) -> PlotWorker | None:
        """An idle helper, else a new one (it begins importing matplotlib at once); ``None`` when
        helpers are not to be used (see the module docstring; ``force`` uses one even when
        matplotlib is imported here) or cannot start. ``free`` is whether a core is free, when
        the caller judged it earlier (default: :func:`core_free` now).

        Example:
            >>> w = PlotWorker.start()            # doctest: +SKIP
        """
        mode = os.environ.get("BIBLIO_PLOT_WORKER", "auto")
        if mode == "0" or ("matplotlib" in sys.modules and not force):
            return None
        with _LOCK:
            while _IDLE:
                proc = _IDLE.pop()
                if proc.poll() is None:
                    return cls(proc)
        if mode != "1" and not force and not (core_free() if free is None else free):
            return None
        root = str(Path(__file__).resolve().parents[2])  # the folder holding the biblio package
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(x for x in (root, os.environ.get("PYTHONPATH", "")) if x)}
        try:
            proc = subprocess.Popen([sys.executable, "-m", "biblio.report.plotproc"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, env=env, cwd=root)  # -m puts the working folder first: it could hold another biblio
        except OSError:
            return None
        return cls(proc)

    def submit(self, tables: dict[str, pl.DataFrame | pl.LazyFrame], *, footer: str, directory: Path) -> None:
        """Send what the figures show, read from the plot tables here (plain lists: the helper
        imports no polars); the helper draws while this process goes on.

        Example:
            >>> w.submit(report_tables, footer="…", directory=Path("run/report/plots"))   # doctest: +SKIP
        """
        from biblio.report.figdata import figure_data

        self._job = {"figures": figure_data(tables), "footer": footer, "directory": str(Path(directory).resolve())}
        payload = pickle.dumps(self._job, protocol=pickle.HIGHEST_PROTOCOL)
        self._thread = threading.Thread(target=_send, args=(self.proc.stdin, payload), daemon=True)  # the pipe may be full while it imports
        self._thread.start()

    def result(self) -> dict[str, Path]:
        """The PNG paths by figure name, once the helper has written the PNGs (it goes on with
        the SVGs: :meth:`finish` waits for them); everything is drawn here if it failed.

        Example:
            >>> w.result()["by_year"].name     # doctest: +SKIP
            'by_year.png'
        """
        if self._job is None:
            raise RuntimeError("PlotWorker.result() before submit()")
        if self._pngs is None:
            if self._thread is not None:
                self._thread.join()
            self._pngs = self._answer("png") or self._draw_here()
        return self._pngs

    def finish(self) -> None:
        """Wait until the helper has written every file (the SVGs too); drawn here if it failed.

        Example:
            >>> w.finish()                     # doctest: +SKIP
        """
        self.result()
        if not self._answered and self._answer("ok") is None:
            self._draw_here()

    def _answer(self, kind: str) -> dict[str, Path] | None:
        """The helper's next message if it is ``(kind, paths)`` (an ``ok`` also marks it answered)."""
        answer = _receive(self.proc.stdout)
        if not (isinstance(answer, tuple) and len(answer) == 2 and answer[0] == kind):
            return None
        self._answered = kind == "ok"
        return {k: Path(v) for k, v in answer[1].items()}

    def _draw_here(self) -> dict[str, Path]:
        """Draw every file in this process (the helper failed or died); it is stopped, not kept."""
        _stop(self.proc)
        self._answered = True  # nothing more to wait for
        job = self._job or {}
        return render_figures(job["figures"], footer=job["footer"], directory=Path(job["directory"]))

    def close(self) -> None:
        """Release the helper: back to the idle ones when it answered (or never got a job),
        else stopped and reaped (a failed report: it must not write on)."""
        if self._released:
            return
        self._released = True
        if (self._job is None or self._answered) and self.proc.poll() is None:  # a helper that failed was stopped
            with _LOCK:
                _IDLE.append(self.proc)
            return
        _stop(self.proc)


def core_free() -> bool:
    """True when the 1-minute load average is below the number of cores this process may use
    plus one (or is unknown). The average lags by about a minute: on a 2-core machine,
    back-to-back runs alone keep it near 2 (measured), so "below the cores" drew the figures in
    process after every run but the first (+2.5 s at 100k works). The cores are the process's
    own (:func:`biblio.engines.usable_cores`), not the machine's: a container allowed one core
    of many is busy at a load the machine would call idle.

    Example:
        >>> isinstance(core_free(), bool)
        True
    """
    from biblio.engines import usable_cores

    try:
        return os.getloadavg()[0] < usable_cores() + 1
    except OSError:
        return True


#: Helpers alive and waiting for a job.
_IDLE: list[subprocess.Popen[bytes]] = []
_LOCK = threading.Lock()


def _send(fh: IO[bytes] | None, payload: bytes) -> None:
    """Write one length-prefixed message (a dead helper: nothing; :func:`_receive` then fails)."""
    try:
        assert fh is not None
        fh.write(len(payload).to_bytes(8, "big") + payload)
        fh.flush()
    except (OSError, ValueError, AssertionError):
        pass


def _receive(fh: IO[bytes] | None) -> Any:
    """Read one length-prefixed pickled message; ``None`` at end of file or on a garbled one."""
    try:
        assert fh is not None
        head = fh.read(8)
        n = int.from_bytes(head, "big") if len(head) == 8 else -1
        body = fh.read(n) if n >= 0 else b""
        return pickle.loads(body) if n >= 0 and len(body) == n else None
    except Exception:  # noqa: BLE001 - a dead or garbled helper: the caller draws itself
        return None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a helper (if still running), reap it and close its pipes."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for fh in (proc.stdin, proc.stdout):
        if fh is not None and not fh.closed:
            with contextlib.suppress(OSError):  # a job still buffered for a dead helper: the pipe is closed all the same
                fh.close()


@atexit.register
def _stop_idle() -> None:
    """At exit: close the idle helpers' input (they exit on end of file), then reap them."""
    with _LOCK:
        procs, _IDLE[:] = list(_IDLE), []
    for proc in procs:
        try:
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        _stop(proc)


def _serve() -> None:
    """The helper's side: import matplotlib, then draw each job read on stdin and answer on stdout.

    The cyclic garbage collector is off (its passes over matplotlib's many objects were ~15% of
    the import and ~5% of the drawing); one collection runs after each job is answered.
    """
    import gc

    gc.disable()
    import biblio.report.figures  # noqa: F401 - matplotlib: the slow import, done before the first job arrives

    gc.freeze()  # the modules: never walked again

    def answer(kind: str, images: dict[str, Path]) -> None:
        _send(sys.stdout.buffer, pickle.dumps((kind, {k: str(v) for k, v in images.items()})))

    while True:
        job = _receive(sys.stdin.buffer)
        if job is None:
            return  # end of file: the parent has gone
        try:  # "png" once the PNGs are written (the parent renders its page meanwhile), "ok" when all are
            answer("ok", render_figures(job["figures"], footer=job["footer"], directory=Path(job["directory"]), on_png=lambda p: answer("png", p)))
        except Exception as e:  # noqa: BLE001 - the parent draws again and reports the error itself
            _send(sys.stdout.buffer, pickle.dumps(("failed", repr(e))))
        gc.collect()  # the job's figures (cycles), once the parent has its answer


if __name__ == "__main__":
    _serve()
