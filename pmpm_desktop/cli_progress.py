"""Progress on the terminal, and Ctrl+C as Cancel, for the long commands.

A long command (reconcile, report, imports rollback) gets a ``progress(done, total)`` callback
(``pmpm_desktop.progress``) that shows ``Rolling back R12… 40%`` on stderr when stderr is a
terminal, and answers ``False`` once Ctrl+C was pressed: the work stops at its next safe point
(a transaction not yet committed is rolled back, so ``Cancelled`` says nothing was changed)
instead of being torn mid-write. A second Ctrl+C interrupts at once.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import TextIO


@dataclass
class Ticker:
    """The callback and what happened while it was in use."""

    title: str
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    #: Ctrl+C was pressed (the work was asked to stop)
    stop_asked: bool = False
    _shown: int = -1

    @property
    def live(self) -> bool:
        """Whether a percentage line is drawn (only on a terminal: logs stay clean)."""
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def __call__(self, done: int, total: int) -> bool:
        percent = 100 * done // total if total > 0 else 0
        if self.live and percent != self._shown:
            self._shown = percent
            self.stream.write(f"\r{self.title}… {percent}%")
            self.stream.flush()
        return not self.stop_asked

    def finish(self) -> None:
        if self.live and self._shown >= 0:
            self.stream.write("\n")
            self.stream.flush()

    def ask_stop(self, signum: int, frame: FrameType | None) -> None:
        if self.stop_asked:
            raise KeyboardInterrupt
        self.stop_asked = True
        self.stream.write(
            "\npmpm: stopping at the next safe point (Ctrl+C again to stop at once)\n"
        )
        self.stream.flush()


@contextmanager
def ticking(title: str, stream: TextIO | None = None) -> Iterator[Ticker]:
    """A :class:`Ticker` for ``title``, with Ctrl+C asking it to stop while the block runs."""
    ticker = Ticker(title, stream or sys.stderr)
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, ticker.ask_stop) if main else None
    try:
        yield ticker
    finally:
        if main:  # (None: a handler set outside Python; Python's own is the usual one)
            signal.signal(signal.SIGINT, previous or signal.default_int_handler)
        ticker.finish()
