"""User actions as operations: what the window asks of the services, one small typed function
each.

An ``Op`` is the work of one user action (``work(progress) -> result``, run on the worker
thread), what stored data it changes, and how to say its result in the status bar. Functions
in this package build them (``reconcile_payers(db, ...) -> Op[...]``); pages run them with
``ctx.run(op, on_success=...)``, which announces ``op.changes`` once the page's own callback
ran. A read that a newer one replaces (a page's figures, a grid's rows) sets ``latest``: the
task runner then cancels the older one and drops its result (``ui/worker.py``).

Pages never run SQL or compute money: an op calls a service and hands back values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pmpm_desktop.progress import Progress
from pmpm_desktop.ui.context import Changed

T = TypeVar("T")


@dataclass(frozen=True)
class Op(Generic[T]):
    """One user action's work (see the module docstring)."""

    #: shown in the progress dialog and logged ("Reconcile SUN, January–July 2026")
    title: str
    #: runs on the worker thread; reports through ``progress`` and stops when it says so
    work: Callable[[Progress], T]
    #: the ``data_changed`` names announced after it succeeded
    changes: tuple[Changed, ...] = ()
    #: the status-bar sentence for its result (None: say nothing)
    says: Callable[[T], str | None] | None = None
    #: a newer op with this key cancels and replaces a running one (reads of a page)
    latest: str | None = None
    #: whether the progress dialog offers Cancel
    cancellable: bool = True
