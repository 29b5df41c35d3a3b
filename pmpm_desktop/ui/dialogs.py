"""Messages to the user: errors in words (never a traceback), confirmations, notices.

Every box is opened window-modal with ``open()``, not ``exec()``: the event loop keeps running
(workers report, tests drive the box), and the answer arrives through a callback.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from pmpm_desktop.db import db_errors
from pmpm_desktop.errors import LISTED_PROBLEMS, InputRejected, PmpmError
from pmpm_desktop.ui.logs import log_path

#: how many problems an error box lists before "… and N more" (the full list is exportable
#: where the problems came from a file)
MAX_LISTED = LISTED_PROBLEMS


def error_text(exc: BaseException) -> tuple[str, str | None]:
    """The sentence to show for ``exc``, and the detailed list (if any) for "Show Details"."""
    if isinstance(exc, InputRejected):
        head = str(exc.args[0]) if exc.args else "The input was refused."
        problems = exc.problems
        if not problems:
            return head, None
        shown = "\n".join(f"• {p}" for p in problems[:MAX_LISTED])
        if len(problems) > MAX_LISTED:
            shown += f"\n… and {len(problems) - MAX_LISTED:,} more"
        return head, shown
    if isinstance(exc, PmpmError):
        return str(exc), None
    explained = db_errors.explain(exc)
    if explained is not None:
        # SQL text and parameters (member data) never reach the box: only this sentence
        return explained, None
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        return f"The file could not be used{where}: {exc.strerror or type(exc).__name__}.", None
    return (
        f"Something went wrong ({type(exc).__name__}). Nothing was changed by the step that "
        f"failed. Details were written to the log file {log_path()}.",
        None,
    )


def _box(
    parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str, details: str | None
) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("messageBox")
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_error(parent: QWidget | None, title: str, exc: BaseException) -> QMessageBox:
    text, details = error_text(exc)
    return _box(parent, QMessageBox.Icon.Warning, title, text, details)


def show_message(parent: QWidget | None, title: str, text: str) -> QMessageBox:
    return _box(parent, QMessageBox.Icon.Information, title, text, None)


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    on_yes: Callable[[], None],
    *,
    yes_text: str = "OK",
    destructive: bool = False,
) -> QMessageBox:
    """Ask before doing something; ``on_yes`` runs only if the user agrees."""
    box = QMessageBox(
        QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent
    )
    box.setObjectName("confirmBox")
    yes = box.addButton(
        yes_text,
        QMessageBox.ButtonRole.DestructiveRole
        if destructive
        else QMessageBox.ButtonRole.AcceptRole,
    )
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel if destructive else yes)

    def answered() -> None:
        if box.clickedButton() is yes:
            on_yes()

    box.finished.connect(answered)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
