"""Progress of long work, drawn on standard error with rich, and only where a person watches.

No bar is drawn when standard error is not a terminal (piped, in CI), with `--json` or with
`--quiet`: the caller says whether it may draw, the terminal test is here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Task
    from rich.text import Text

Update = Callable[[int], None]
"""Told how much is done so far."""


@contextmanager
def progress_bar(label: str, *, allowed: bool, total: int | None = None) -> Iterator[Update]:
    """A bar with the count done, the rate and the time taken; `update(done)` moves it."""
    if not allowed or not sys.stderr.isatty():
        yield lambda _done: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        """Items a second, as a whole number."""

        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f}/s")

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)
