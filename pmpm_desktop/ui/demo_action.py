"""Build the demo practice in the database that is open now (the dashboard's empty state and
the first-run dialog both offer it; this is the one place that does it)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from pmpm_desktop.services.demo import FIRST, LAST, DemoResult
from pmpm_desktop.ui import dialogs
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.operations.database import demo_practice
from pmpm_desktop.ui.worker import TaskHandle


def demo_ready_text(result: DemoResult) -> str:
    """What the user is told once the demo is built: what it holds and where its files are."""
    return (
        f"The demo practice is ready: 3 payers, {result.members:,} members, {FIRST} to {LAST}, "
        "already reconciled, with the mistakes payers really make.\n\n"
        f"The {result.files} payer files it was built from (rosters, statements, rate "
        f"exhibits) are in:\n{result.folder}\n\n"
        "Open one in Excel, or import one yourself to see how importing works."
    )


def open_demo_practice(
    ctx: AppContext,
    parent: QWidget | None,
    on_done: Callable[[DemoResult | None], None] | None = None,
) -> TaskHandle:
    """Build the demo in ``ctx.db`` in the background, with the progress dialog.

    On success every page refreshes (``Changed.EVERYTHING``) and a message says where the demo
    files are. ``on_done`` gets the result, or None when the build failed or was cancelled (the
    failure itself is shown by the task runner's usual error box).
    """

    def succeeded(result: DemoResult) -> None:
        dialogs.show_message(parent, "Demo practice", demo_ready_text(result))
        if on_done is not None:
            on_done(result)

    handle = ctx.run(demo_practice(ctx.db), on_success=succeeded, parent=parent)
    if on_done is not None:
        handle.failed.connect(lambda _exc: on_done(None))
        handle.cancelled.connect(lambda: on_done(None))
    return handle
