"""Progress and cancel: the one callback every long piece of work takes.

``progress(done, total) -> bool`` is a plain callable, so the core, the services, the CLI and
the window share it without any of them knowing the others: the window's task runner answers
``False`` once the user pressed Cancel, the CLI passes ``None`` or a printer. Work calls
``report(progress, done, total)`` between steps; a ``False`` answer raises ``Cancelled``,
whose message says what was kept (by default: nothing was changed, since every writing
operation is one transaction).
"""

from __future__ import annotations

from collections.abc import Callable

from pmpm_desktop.errors import PmpmError

#: ``progress(done, total)``; answering ``False`` asks the work to stop
Progress = Callable[[int, int], bool]

NOTHING_CHANGED = "cancelled: nothing was changed"


class Cancelled(PmpmError):
    """The user asked to stop. The message says what was kept."""

    def __init__(self, message: str = NOTHING_CHANGED) -> None:
        super().__init__(message)


def report(
    progress: Progress | None, done: int, total: int, *, cancelled: str = NOTHING_CHANGED
) -> None:
    """Tell ``progress`` how far the work is; raise ``Cancelled(cancelled)`` if it says stop."""
    if progress is not None and progress(done, total) is False:
        raise Cancelled(cancelled)


def tell(progress: Progress | None, done: int, total: int) -> None:
    """Tell ``progress`` how far the work is without offering to stop: after the commit a
    Cancel could change nothing, so the answer is not asked for."""
    if progress is not None:
        progress(done, total)


def scaled(progress: Progress | None, start: int, span: int, total: int) -> Progress | None:
    """A callback for one phase of a longer piece of work: the phase's own ``done/total``
    lands in ``start .. start + span`` of the whole ``total``."""
    if progress is None:
        return None

    def phase(done: int, phase_total: int) -> bool:
        part = span * done // phase_total if phase_total > 0 else 0
        return progress(start + min(part, span), total)

    return phase


class Counter:
    """Counts items done and reports every ``every`` items (rows written, say), so a tight
    loop does not call the callback once per item."""

    def __init__(
        self,
        progress: Progress | None,
        total: int,
        *,
        every: int = 1000,
        cancelled: str = NOTHING_CHANGED,
    ) -> None:
        self._progress = progress
        self.total = total
        self.every = every
        self.done = 0
        self._cancelled = cancelled
        #: the ``done`` at which the callback is next due
        self.next_due = every

    def tick(self, done: int, *, force: bool = False) -> None:
        """Report ``done`` when due (or when forced); raise ``Cancelled`` on a stop."""
        self.done = done
        if not force and 0 < done < self.next_due:
            return
        self.next_due = done + self.every
        report(self._progress, done, self.total, cancelled=self._cancelled)

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.done >= self.next_due:
            self.tick(self.done)
