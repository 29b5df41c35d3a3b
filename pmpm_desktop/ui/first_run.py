"""The first start: offer the demo practice or an empty start (once, on an empty database)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.services.payers import has_payers
from pmpm_desktop.ui import password_dialog
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.demo_action import open_demo_practice
from pmpm_desktop.ui.pages.base import bold_label


class FirstRunDialog(QDialog):
    """ "Welcome — how would you like to start?" with the demo or an empty database."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("firstRunDialog")
        self.setWindowTitle("Welcome to PMPM Desktop")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addLayout(self._build_words())
        self.protect_box = QCheckBox("Protect the database with a password")
        self.protect_box.setObjectName("firstRunProtect")
        self.protect_box.setToolTip(
            "Encrypt the database file: whoever copies it without the password sees nothing."
        )
        self.protect_box.setEnabled(ctx.db.is_sqlite and ctx.db.key is None)
        layout.addWidget(self.protect_box)
        layout.addWidget(self._build_buttons())
        self.setMinimumWidth(520)
        # Closing the window (Esc, ×) counts as "Start empty": the dashboard still offers
        # the demo, so the question need not come back on every start.
        self.finished.connect(self._done)

    def _build_words(self) -> QHBoxLayout:
        """The icon, the question, and what each answer does."""
        top = QHBoxLayout()
        top.setSpacing(16)
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation).pixmap(40)
        )
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        words = QVBoxLayout()
        heading = bold_label("Welcome — how would you like to start?", 1.3, "firstRunHeading")
        text = QLabel(
            "<p><b>Open the demo practice</b> to look around first: three payers, about 300 "
            "members and six months of rosters and payment statements, already reconciled, "
            "with the mistakes payers really make. It is built in the database that is open "
            f"now (<i>{self.ctx.db_label}</i>), together with the payer files it came from.</p>"
            "<p><b>Start empty</b> to set up your own payers and import your own files. The "
            "dashboard will walk you through the first steps.</p>"
        )
        text.setObjectName("firstRunText")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        words.addWidget(heading)
        words.addWidget(text)
        top.addLayout(words, 1)
        return top

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox()
        self.demo_button = QPushButton("Open the demo practice")
        self.demo_button.setObjectName("firstRunDemo")
        self.empty_button = QPushButton("Start empty")
        self.empty_button.setObjectName("firstRunEmpty")
        buttons.addButton(self.demo_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.empty_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.demo_button.setDefault(True)
        # Both buttons are wired by hand: the box's accepted/rejected would also fire on Esc.
        self.demo_button.clicked.connect(self.choose_demo)
        self.empty_button.clicked.connect(self.choose_empty)
        return buttons

    def _done(self, _result: int) -> None:
        self.ctx.settings.first_run_done = True
        self.ctx.settings.sync()

    def choose_demo(self) -> None:
        parent = self.parentWidget()
        self.accept()
        self._protected_first(lambda: open_demo_practice(self.ctx, parent))

    def choose_empty(self) -> None:
        self.reject()
        self._protected_first(
            lambda: self.ctx.status_message.emit("Start by adding a payer on the Payers page.")
        )

    def _protected_first(self, then: Callable[[], object]) -> None:
        """Run ``then``, after protecting the (still empty) database when the box is ticked."""
        if self.protect_box.isChecked():
            password_dialog.protect(self.ctx, self.parentWidget(), then)
        else:
            then()


def maybe_offer_first_run(ctx: AppContext, window: QWidget) -> FirstRunDialog | None:
    """Show the first-run dialog (non-blocking) when this is the first start on an empty
    database; returns it, or None when there is nothing to ask."""
    if ctx.settings.first_run_done:
        return None
    if has_payers(ctx.db):
        # Someone already uses this database: no welcome needed, now or later.
        ctx.settings.first_run_done = True
        return None
    dialog = FirstRunDialog(ctx, window)
    dialog.open()
    return dialog
