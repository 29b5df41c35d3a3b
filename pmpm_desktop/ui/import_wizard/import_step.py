"""Step 4, *Import*: the ordinary import service, in the background, with a progress bar and
Cancel; a failure or a cancel is said in words and leaves nothing written."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from pmpm_desktop.progress import Cancelled
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.import_wizard.base import DONE, IMPORT, WizardBase
from pmpm_desktop.ui.import_wizard.widgets import banner, set_banner, step_page
from pmpm_desktop.ui.operations import imports as ops
from pmpm_desktop.ui.operations.import_data import ImportOutcome


class ImportStep(WizardBase):
    """Step 4: the import running in the background, with its progress and Cancel."""

    def _build_import(self) -> QWidget:
        """The page of step 4."""
        page, layout = step_page()
        layout.addStretch(1)
        self.import_label = QLabel()
        self.import_label.setObjectName("importLabel")
        self.import_label.setWordWrap(True)
        self.import_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.import_label)
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("importProgress")
        self.progress_bar.setMinimumWidth(420)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.progress_bar, 2)
        self.cancel_import_button = QPushButton("Cancel import")
        self.cancel_import_button.setObjectName("cancelImport")
        self.cancel_import_button.clicked.connect(self.cancel_import)
        row.addWidget(self.cancel_import_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.import_message = banner("error")
        self.import_message.setObjectName("importMessage")
        layout.addWidget(self.import_message)
        layout.addStretch(2)
        return page

    def start_import(self) -> None:
        """Import the checked file in the background, exactly as the preview read it."""
        checked = self.current
        if checked is None or not checked.preview.importable:
            return
        op = ops.import_file(
            self.ctx.db,
            checked,
            self.contract,
            self.payment_details(),
            save_values=self.values_editor.remember.isChecked(),
        )
        self.go(IMPORT)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(True)
        self.cancel_import_button.setVisible(True)
        self.cancel_import_button.setEnabled(True)
        set_banner(self.import_message, None)
        self.import_label.setText(f"Importing {checked.preview.file_name}…")
        # The data changes whether or not the wizard is still open: ctx.run announces it.
        handle = self.ctx.run(
            op,
            parent=self,
            on_success=self._import_done,
            on_failure=self._alive_only(self._import_failed),
            on_cancel=self._alive_only(self._import_cancelled),
            show_progress=False,
        )
        handle.progressed.connect(self._alive_only(self._import_progress))
        self._import_handle = handle
        self._update_buttons()

    def _import_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))

    def cancel_import(self) -> None:
        if self._import_handle is not None:
            self._import_handle.cancel()
            self.cancel_import_button.setEnabled(False)
            self.import_label.setText("Cancelling…")

    def _import_done(self, outcome: ImportOutcome) -> None:
        if not (self._alive and shiboken6.isValid(self)):
            return  # closed meanwhile: the import is announced all the same (ctx.run)
        self._import_handle = None
        self.outcome = outcome
        self.show_done(outcome)
        self.go(DONE)

    def _import_failed(self, exc: BaseException) -> None:
        self._import_handle = None
        if isinstance(exc, Cancelled):
            self._import_cancelled()
            return
        head, details = error_text(exc)
        text = head + (f"\n\n{details}" if details else "")
        self._import_stopped(text, "The file was not imported")

    def _import_cancelled(self) -> None:
        self._import_handle = None
        self._import_stopped("Import cancelled: nothing was written.", "Import cancelled")

    def _import_stopped(self, text: str, title: str) -> None:
        self.import_label.setText(title)
        self.step_title.setText(title)
        self.progress_bar.setVisible(False)
        self.cancel_import_button.setVisible(False)
        self.cancel_import_button.setEnabled(False)
        set_banner(self.import_message, text, "warning" if "cancelled" in title else "error")
        self._update_buttons()
