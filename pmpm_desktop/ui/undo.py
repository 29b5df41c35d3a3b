"""Undo and redo of what the user changed (statuses, notes, links, rates), through Qt's
``QUndoStack`` on the app context (``ctx.undo``; Edit ▸ Undo/Redo, Ctrl+Z / Ctrl+Shift+Z).

A change is an ``OpCommand``: the op that makes it and the op that takes it back, both run on
the worker through ``ctx.run`` like any other action (so they keep their order: tasks run one
at a time). Pushing the command makes the change (Qt calls ``redo`` on push). The "back" op
is built when the change succeeded, from what the change reports it replaced (the previous
statuses and notes, say), so undo restores exactly what was there, not a guess.

The stack is emptied when another database is opened: its commands name rows of the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtGui import QUndoCommand

from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.operations import Op

T = TypeVar("T")


class OpCommand(QUndoCommand):
    """One undoable change: ``make`` runs it, ``back(result)`` builds the op undoing it from
    what ``make`` returned."""

    def __init__(
        self,
        ctx: AppContext,
        text: str,
        make: Callable[[], Op[Any]],
        back: Callable[[Any], Op[Any]],
        *,
        on_done: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(text)
        self._ctx = ctx
        self._make = make
        self._back = back
        self._on_done = on_done
        self._result: Any = None
        self._failed = False

    def redo(self) -> None:
        self._ctx.run(
            self._make(),
            on_success=self._made,
            on_failure=self._fail,
            show_progress=False,
        )

    def undo(self) -> None:
        if self._failed:
            return
        self._ctx.run(self._back(self._result), on_failure=self._fail, show_progress=False)

    def _made(self, result: Any) -> None:
        self._result = result
        if self._on_done is not None:
            self._on_done(result)

    def _fail(self, exc: BaseException) -> None:
        from pmpm_desktop.ui.dialogs import show_error

        # A change that did not happen cannot be undone: mark it so the stack skips it.
        self._failed = True
        self.setObsolete(True)
        show_error(None, self.text(), exc)
