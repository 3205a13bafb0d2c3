"""Progress for long steps (scan, flatten, resolve, report): rich bars on stderr, or nothing.

Example:
    >>> with Progress(enabled=False) as p:
    ...     t = p.task("scan", total=3)
    ...     p.advance(t, 3)
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator


class Progress:
    """A thin wrapper over ``rich.progress``; every call is a no-op when disabled (tests)."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._p: Any = None

    def __enter__(self) -> "Progress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._p = RichProgress(SpinnerColumn(), TextColumn("[bold]{task.description}[/]"), BarColumn(), MofNCompleteColumn(),
                                   TextColumn("{task.fields[info]}"), TimeElapsedColumn(), console=Console(stderr=True), transient=False)
            self._p.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._p is not None:
            self._p.__exit__(*exc)
            self._p = None

    def task(self, description: str, *, total: float | None = None) -> Any:
        """Start a task; returns its handle (None when disabled)."""
        return self._p.add_task(description, total=total, info="") if self._p is not None else None

    def advance(self, task: Any, n: float = 1, *, info: str | None = None) -> None:
        if self._p is not None and task is not None:
            self._p.update(task, advance=n, **({"info": info} if info is not None else {}))

    def done(self, task: Any, *, info: str | None = None) -> None:
        """Mark a task finished (a step with no known total shows as complete)."""
        if self._p is not None and task is not None:
            t = self._p.tasks[task] if isinstance(self._p.tasks, dict) else next(x for x in self._p.tasks if x.id == task)
            total = t.total if t.total is not None else 1
            self._p.update(task, total=total, completed=total, **({"info": info} if info is not None else {}))

    @contextlib.contextmanager
    def step(self, description: str) -> Iterator[None]:
        """A step of unknown length: a spinner while it runs, ticked when it ends."""
        t = self.task(description, total=None)
        try:
            yield
        finally:
            self.done(t)
