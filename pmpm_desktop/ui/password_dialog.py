"""Passwords in the window: asking for one at start, protecting a database, removing it.

The work itself is in services/protection.py (the CLI's ``pmpm db`` uses it too); this module
only asks and reports. Protecting converts the database file, so it runs with the database
closed: the context's engine is disposed first and a new one opened with the password after.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.db import keys
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.db.encryption import KeyNeeded, WrongKey
from pmpm_desktop.services import protection
from pmpm_desktop.ui import dialogs
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.operations.database import convert

NEW_HINT = (
    "Whoever copies the database file without the password sees nothing of it. Keep the "
    "password safe: without it the data cannot be recovered, by anyone."
)


class PasswordDialog(QDialog):
    """One password (to open a database) or a new one typed twice (to protect it)."""

    def __init__(
        self, parent: QWidget | None, title: str, text: str, *, new: bool, error: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.setWindowTitle(title)
        self.new = new
        layout = QVBoxLayout(self)
        words = QLabel(text)
        words.setObjectName("passwordText")
        words.setWordWrap(True)
        layout.addWidget(words)
        form = QFormLayout()
        self.password = self._field("password")
        form.addRow("New password:" if new else "Password:", self.password)
        self.again = self._field("passwordAgain")
        if new:
            form.addRow("The same again:", self.again)
        layout.addLayout(form)
        self.remember = QCheckBox("Remember the password on this computer (in its keyring)")
        self.remember.setObjectName("rememberPassword")
        if keys.keyring_backend() is None:
            self.remember.setEnabled(False)
            self.remember.setToolTip("This computer has no keyring to keep the password in.")
        layout.addWidget(self.remember)
        self.error = QLabel(error)
        self.error.setObjectName("passwordError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: palette(highlight);")
        self.error.setVisible(bool(error))
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)

    def _field(self, name: str) -> QLineEdit:
        field = QLineEdit()
        field.setObjectName(name)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        return field

    def _check(self) -> None:
        if not self.password.text():
            self._say("Type a password.")
        elif "\x00" in self.password.text():
            self._say("The password cannot hold a NUL character.")
        elif self.new and self.again.text() != self.password.text():
            self._say("The two passwords differ: type the same one twice.")
        else:
            self.accept()

    def _say(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)

    @property
    def key(self) -> str:
        return self.password.text()


def ask_key(parent: QWidget | None, path: Path, error: str = "") -> PasswordDialog | None:
    """Ask for the password of ``path`` (blocking); the answered dialog, or None if cancelled."""
    dialog = PasswordDialog(
        parent,
        "PMPM Desktop — password",
        f"{path} is protected with a password. Type it to open the database.",
        new=False,
        error=error,
    )
    return dialog if dialog.exec() == QDialog.DialogCode.Accepted else None


WRONG = "That password does not open the database. Try again."


def open_asking(target: str | os.PathLike[str] | None, parent: QWidget | None) -> Database | None:
    """``open_database``, asking for the password (again after a wrong one) when none is found
    in ``$PMPM_DB_KEY`` or the keyring; None when the user cancels. Blocks (used at start)."""
    try:
        return open_database(target)
    except KeyNeeded as exc:
        path = exc.path
    error = ""
    while (dialog := ask_key(parent, path, error)) is not None:
        try:
            db = open_database(target, key=dialog.key)
        except WrongKey:
            error = WRONG
            continue
        if dialog.remember.isChecked():
            remember(parent, path, dialog.key)
        return db
    return None


def remember(parent: QWidget | None, path: Path, key: str) -> None:
    try:
        keys.store_key(path, key)
    except keys.KeyringUnavailable as exc:
        dialogs.show_message(parent, "Password not remembered", f"{str(exc).capitalize()}.")


def _path_of(ctx: AppContext) -> Path | None:
    database = ctx.db.engine.url.database
    if not ctx.db.is_sqlite or not database:
        return None
    return Path(database)


def protect(
    ctx: AppContext, parent: QWidget | None, then: Callable[[], object] | None = None
) -> None:
    """File ▸ Protect with a password: ask a new password twice, encrypt, reopen."""
    path = _path_of(ctx)
    if path is None:
        dialogs.show_message(
            parent,
            "Protect with a password",
            "Only a database file on this computer can be protected with a password; a shared "
            "server database is protected by its server.",
        )
        return
    dialog = PasswordDialog(parent, "Protect with a password", NEW_HINT, new=True)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        key, remember = dialog.key, dialog.remember.isChecked()
        _convert(
            ctx, parent, path, key, lambda: protection.protect(path, key, remember=remember), then
        )

    dialog.accepted.connect(accepted)
    dialog.open()


def remove_password(ctx: AppContext, parent: QWidget | None) -> None:
    """File ▸ Remove password: the password typed once more, then the file decrypted."""
    path = _path_of(ctx)
    if path is None or ctx.db.key is None:
        return
    dialog = PasswordDialog(
        parent,
        "Remove password",
        "Type the password once more to remove it. The database becomes a plain file that "
        "anyone who has it can read.",
        new=False,
    )
    dialog.remember.setVisible(False)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def accepted() -> None:
        if dialog.key != ctx.db.key:
            dialogs.show_message(parent, "Remove password", "That is not the password.")
            return
        key = dialog.key
        _convert(ctx, parent, path, None, lambda: protection.unprotect(path, key))

    dialog.accepted.connect(accepted)
    dialog.open()


def _convert(
    ctx: AppContext,
    parent: QWidget | None,
    path: Path,
    new_key: str | None,
    work: Callable[[], object],
    then: Callable[[], object] | None = None,
) -> None:
    """Close the database, run ``work`` (a conversion) in the background, open it again,
    then ``then``."""
    old_key = ctx.db.key
    ctx.db.dispose()

    def failed(exc: BaseException) -> None:
        # The file is as it was (the rename is the conversion's last step): open it again.
        ctx.set_database(open_database(path, key=old_key), ctx.db_label)
        dialogs.show_error(parent, "Protect with a password", exc)

    def done(db: Database) -> None:
        ctx.set_database(db, ctx.db_label)
        if new_key is None:
            ctx.status_message.emit(f"The password was removed: {path} is a plain file again.")
        else:
            ctx.status_message.emit(
                f"{path} is protected with the password; {protection.LEFT_BEHIND}."
            )
        if then is not None:
            then()

    ctx.run(convert(path, new_key, work), on_success=done, on_failure=failed, parent=parent)
