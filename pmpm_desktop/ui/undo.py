"""Undo and redo of what the user changed (statuses, notes, links, rates), through Qt's
``QUndoStack`` on the app context (``ctx.undo``; Edit ▸ Undo/Redo, Ctrl+Z / Ctrl+Shift+Z).

A change is an ``OpCommand``: the op that makes it and the op that takes it back, both run on
the worker through ``ctx.run`` like any other action (so they keep their order: tasks run one
at a time). Pushing the command makes the change (Qt calls ``redo`` on push). The "back" op
is built when the change succeeded, from what the change reports it replaced (the previous
statuses and notes, say), so undo restores exactly what was there, not a guess. An undo asked
for before the change came back waits for it.

A change that fails is taken off the stack (there is nothing to undo) and says why in one
sentence. An undo that fails leaves the change standing, and the stack says so: the command
is back on the undo side.

The stack is emptied when another database is opened: its commands name rows of the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QApplication

from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.dialogs import show_error
from pmpm_desktop.ui.operations import Op


class OpCommand(QUndoCommand):
    """One undoable change: ``make`` builds the op making it, ``back(result)`` the op undoing
    it from what ``make``'s op returned.

    ``on_done(result)`` / ``on_failed(exc)`` are for the page that asked for the change: they
    follow the push only (a redo or undo later is announced through the ops' ``changes`` and
    ``says``). Without ``on_failed`` a failure is shown in a message box.
    """

    def __init__(
        self,
        ctx: AppContext,
        text: str,
        make: Callable[[], Op[Any]],
        back: Callable[[Any], Op[Any]],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_failed: Callable[[BaseException], None] | None = None,
    ) -> None:
        super().__init__(text)
        self._ctx = ctx
        self._make = make
        self._back = back
        self._on_done = on_done
        self._on_failed = on_failed
        self._result: Any = None
        self._making = False  # the change is on the worker, its result not back yet
        self._undo_waiting = False  # undo was asked for meanwhile
        self._stands = False  # redo is Qt putting the command back after a failed undo

    # -- what Qt calls ------------------------------------------------------------------------
    def redo(self) -> None:
        if self._stands:
            self._stands = False
            return
        self._making = True
        self._ctx.run(
            self._make(), on_success=self._made, on_failure=self._make_failed, show_progress=False
        )

    def undo(self) -> None:
        if self._making:
            self._undo_waiting = True
            return
        self._ctx.run(self._back(self._result), on_failure=self._back_failed, show_progress=False)

    # -- what the worker reports -----------------------------------------------------------
    def _made(self, result: Any) -> None:
        self._making = False
        self._result = result
        on_done, self._on_done, self._on_failed = self._on_done, None, None
        if on_done is not None:
            on_done(result)
        if self._undo_waiting:
            self._undo_waiting = False
            self.undo()

    def _make_failed(self, exc: BaseException) -> None:
        self._making = False
        self._undo_waiting = False
        text = self.text() if shiboken6.isValid(self) else ""
        stack = self._ctx.undo
        if shiboken6.isValid(self):
            # Nothing happened, so nothing to undo: an obsolete command on top is dropped by
            # undo() without being undone.
            self.setObsolete(True)
            if stack.index() > 0 and stack.command(stack.index() - 1) is self:
                stack.undo()
        on_failed, self._on_done, self._on_failed = self._on_failed, None, None
        if on_failed is not None:
            on_failed(exc)
        else:
            show_error(QApplication.activeWindow(), text, exc)

    def _back_failed(self, exc: BaseException) -> None:
        if shiboken6.isValid(self):
            text = self.text()
            stack = self._ctx.undo
            if stack.index() < stack.count() and stack.command(stack.index()) is self:
                self._stands = True  # the change still stands: back on the undo side
                stack.redo()
        else:
            text = "Undo"
        show_error(QApplication.activeWindow(), f"Undo {text}", exc)
