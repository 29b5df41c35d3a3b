"""The Reconciliation page's changes, each one undoable (Edit ▸ Undo, Ctrl+Z; Redo,
Ctrl+Shift+Z): statuses and notes, of one row, of the selected rows or of every row matching
the filter, and links of unknown IDs to roster members.

Each change is an ``OpCommand`` on ``ctx.undo`` built from two ops (``operations.
discrepancies``): the change, and what takes it back. The change's result (what it replaced)
is kept by the op itself on the worker, so the undo, which runs after it on the same worker,
always finds it — even when Ctrl+Z comes before the change's result reached the window.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import DiscrepancyRow, Status
from pmpm_desktop.db.database import Database
from pmpm_desktop.progress import Progress
from pmpm_desktop.services.discrepancy_query import DiscrepancyQuery, Key
from pmpm_desktop.services.discrepancy_status import StatusChange
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.operations import Op
from pmpm_desktop.ui.operations.discrepancies import (
    Linked,
    link_member,
    restore_status,
    set_status,
    unlink_member,
)
from pmpm_desktop.ui.undo import OpCommand


def _kept(op: Op[Any], keep: Callable[[Any], None]) -> Op[Any]:
    """``op``, keeping its result (on the worker, as soon as it is known)."""

    def work(progress: Progress) -> Any:
        result = op.work(progress)
        keep(result)
        return result

    return dataclasses.replace(op, work=work)


class _StatusEdit:
    """A status change: first of the rows chosen (keys, or a filter), then, made again after
    its undo, of exactly the discrepancies it changed the first time."""

    def __init__(
        self,
        db: Database,
        keys: Sequence[Key],
        matching: DiscrepancyQuery | None,
        status: Status,
        note: str,
    ) -> None:
        self._db, self._keys, self._matching = db, list(keys), matching
        self._status, self._note = status, note
        self.change: StatusChange | None = None

    def make(self) -> Op[StatusChange]:
        done = self.change
        op = set_status(
            self._db,
            self._keys,
            self._status,
            self._note,
            matching=self._matching,
            ids=done.ids if done is not None else None,
        )
        return _kept(op, self._keep)

    def _keep(self, change: StatusChange) -> None:
        self.change = change

    def back(self, _result: object) -> Op[int]:
        change = self.change or StatusChange(self._status, self._note, ())
        return restore_status(self._db, change)


class _LinkEdit:
    """A link of an unknown ID to a roster member, the payer reconciled again."""

    def __init__(
        self, db: Database, row: DiscrepancyRow, member_id: str, first: Month, last: Month
    ) -> None:
        self._db, self._row, self._member_id = db, row, member_id
        self._first, self._last = first, last
        self.linked: Linked | None = None

    def make(self) -> Op[Linked]:
        op = link_member(self._db, self._row, self._member_id, self._first, self._last)
        return _kept(op, self._keep)

    def _keep(self, linked: Linked) -> None:
        self.linked = linked

    def back(self, _result: object) -> Op[Linked]:
        linked = self.linked
        assert linked is not None  # the undo runs after the link on the one worker
        return unlink_member(self._db, linked.link, self._first, self._last)


class Edits:
    """Pushes the page's changes on the undo stack (pushing makes the change)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def set_status(
        self,
        keys: Sequence[Key],
        status: Status,
        note: str,
        *,
        matching: DiscrepancyQuery | None = None,
        count: int | None = None,
    ) -> None:
        """``status`` and ``note`` for the discrepancies of ``keys`` (or every one
        ``matching`` matches: ``count`` of them)."""
        n = count if count is not None else len(keys)
        noun = "1 discrepancy" if n == 1 else f"{n:,} discrepancies"
        text = f"Set {noun} to {fmt.status(status)}"
        edit = _StatusEdit(self.ctx.db, keys, matching, status, note)
        self.ctx.undo.push(OpCommand(self.ctx, text, edit.make, edit.back))

    def link(
        self,
        row: DiscrepancyRow,
        member_id: str,
        first: Month,
        last: Month,
        on_done: Callable[[Linked], None],
    ) -> None:
        """Link the unknown ID of ``row`` to roster member ``member_id`` and reconcile its
        payer again over ``first``..``last``."""
        edit = _LinkEdit(self.ctx.db, row, member_id, first, last)
        text = f"Link an unknown {row.payer_code} ID to a member"
        self.ctx.undo.push(OpCommand(self.ctx, text, edit.make, edit.back, on_done=on_done))
