"""The wizard's shell: the dialog that joins the five steps, the step list on the left, and the
navigation (Back / Next / Cancel, and which of them a step allows)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from pmpm_desktop.io.options import FileKind
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.import_wizard.base import (
    CHECK,
    CHOOSE,
    DONE,
    IMPORT,
    PREVIEW,
    STEP_NAMES,
)
from pmpm_desktop.ui.import_wizard.check_step import CheckStep
from pmpm_desktop.ui.import_wizard.choose_step import ChooseStep
from pmpm_desktop.ui.import_wizard.done_step import DoneStep
from pmpm_desktop.ui.import_wizard.import_step import ImportStep
from pmpm_desktop.ui.import_wizard.kind_proposal import KindProposalStep
from pmpm_desktop.ui.import_wizard.preview_step import PreviewStep
from pmpm_desktop.ui.import_wizard.widgets import StepList, heading

_STEP_TITLES = {
    CHOOSE: "Which file do you want to import?",
    PREVIEW: "Check how PMPM reads the file",
    CHECK: "Check the rows",
    IMPORT: "Importing",
    DONE: "Imported",
}


def open_import_wizard(
    ctx: AppContext,
    parent: QWidget | None,
    kind: FileKind | str | None = None,
    path: Path | None = None,
) -> ImportWizard:
    """Show the import wizard (non-blocking) for ``kind``, on ``path`` when a file was dropped."""
    wizard = ImportWizard(ctx, parent, kind=kind, path=path)
    wizard.show()
    return wizard


class ImportWizard(ChooseStep, KindProposalStep, PreviewStep, CheckStep, ImportStep, DoneStep):
    """Choose a payer file, check how it reads, see its problems, import it (one dialog)."""

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        kind: FileKind | str | None = None,
        path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("importWizard")
        self.setWindowTitle("Import a payer file")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self._fit_screen(parent)
        self._init_state()
        self.steps = StepList(STEP_NAMES)
        self.stack = QStackedWidget()
        for build in (
            self._build_choose,
            self._build_preview,
            self._build_check,
            self._build_import,
            self._build_done,
        ):
            self.stack.addWidget(build())
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.steps)
        outer.addLayout(self._build_body(), 1)
        self.reload_payers()
        if kind is not None and kind in self.kind_buttons:
            self.kind_buttons[FileKind(kind)].setChecked(True)
        self._kind_changed()
        if path is not None:
            self.set_path(path)  # its kind is proposed from its name, then its content
        self.go(CHOOSE)

    def _init_state(self) -> None:
        """Nothing chosen, read or imported yet (``WizardBase`` says what each is)."""
        self._alive = True
        self.path = None
        self.payers = []
        self.current = None
        self.overrides = {}
        self._sheet = None
        self._header_row = None
        self._reading = False
        self._payers_settled = set()
        self._proposing = None
        self._proposal = None
        self._kind_touched = False
        self._choosing_kind = False
        self._switched_from = None
        self._decimal = None
        self._detections = {}
        self._import_handle = None
        self.outcome = None

    def _build_body(self) -> QVBoxLayout:
        """The step's title, the steps' pages, and Back / Cancel / Next under a line."""
        self.step_title = heading("")
        self.step_title.setObjectName("stepTitle")
        body = QVBoxLayout()
        body.setContentsMargins(18, 14, 18, 12)
        body.addWidget(self.step_title)
        body.addWidget(self.stack, 1)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        body.addWidget(line)
        body.addLayout(self._build_buttons())
        return body

    def _build_buttons(self) -> QHBoxLayout:
        self.back_button = QPushButton("‹ Back")
        self.back_button.setObjectName("backButton")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton("Next ›")
        self.next_button.setObjectName("nextButton")
        self.next_button.setDefault(True)
        self.next_button.clicked.connect(self.next)
        self.close_button = QPushButton("Cancel")
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.reject)
        # Enter always means Next: a focused Back or Cancel must not become the default button
        # (after Back hides itself, focus lands on Cancel, and Enter closed the wizard).
        self.back_button.setAutoDefault(False)
        self.close_button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.next_button)
        return buttons

    def _fit_screen(self, parent: QWidget | None) -> None:
        """1140×720, or the screen's room when it is smaller (a 1024×680 laptop panel)."""
        screen = parent.screen() if parent is not None else QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        width, height = 1140, 720
        if room is not None:
            width, height = min(width, room.width() - 16), min(height, room.height() - 40)
        self.resize(width, height)

    # -- navigation ------------------------------------------------------------------------
    @property
    def step(self) -> int:
        return self.stack.currentIndex()

    def go(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.steps.show_step(step)
        self.step_title.setText(_STEP_TITLES[step])
        self._update_buttons()

    def next(self) -> None:
        if not self.next_button.isEnabled():
            return
        if self.step == CHOOSE:
            request = self.request()
            if request is None:
                return
            same = self.current is not None and self.current.request.same_file(request)
            if not same:
                self.clear_preview(request.path.name)
            self.go(PREVIEW)
            if not same or self.current is None or self.current.request != request:
                self.refresh_preview()
        elif self.step == PREVIEW:
            self.show_check()
            self.go(CHECK)
        elif self.step == CHECK:
            self.start_import()
        elif self.step == IMPORT:
            self.show_check()
            self.go(CHECK)  # "Try again" after a failure: from the check step
        elif self.step == DONE:
            self.close()

    def back(self) -> None:
        if self.step == PREVIEW:
            self.go(CHOOSE)
        elif self.step == CHECK:
            self.go(PREVIEW)
        elif self.step == IMPORT and self._import_handle is None:
            self.show_check()
            self.go(CHECK)

    def _update_buttons(self) -> None:
        if not hasattr(self, "next_button"):
            return  # still building
        self._show_choose_hint()
        step = self.step
        importing_now = self._import_handle is not None
        p = self.current.preview if self.current is not None else None
        self.back_button.setVisible(step not in (CHOOSE, DONE))
        self.back_button.setEnabled(not importing_now and not self._reading)
        self.next_button.setVisible(step != IMPORT or not importing_now)
        self.close_button.setText("Close" if step == DONE else "Cancel")
        self.close_button.setEnabled(not importing_now)
        self.close_button.setVisible(step != DONE)
        if step == CHOOSE:
            self.next_button.setText("Next ›")
            self.next_button.setEnabled(self._choose_ready())
        elif step == PREVIEW:
            self.next_button.setText("Next ›")
            ok = (
                p is not None
                and p.error is None
                and p.decimal_question is None  # answered first, on this step
                and not self._reading
                and not self.payer_question_open()  # the payer is the user's to say
            )
            self.next_button.setEnabled(ok)
        elif step == CHECK:
            self.next_button.setText("Import")
            self.next_button.setEnabled(
                p is not None and p.importable and not self._reading and not self.payment_missing()
            )
        elif step == IMPORT:
            self.next_button.setText("Try again")
            self.next_button.setEnabled(not importing_now and p is not None and p.importable)
        else:
            self.next_button.setText("Close")
            self.next_button.setEnabled(True)

    def reject(self) -> None:
        """Esc or the window's close button: while importing, that means Cancel import."""
        if self._import_handle is not None:
            self.cancel_import()
            return
        super().reject()

    def done(self, result: int) -> None:
        """Closing: a running import is asked to stop (its outcome is still announced)."""
        if self._import_handle is not None:
            self._import_handle.cancel()
        self._alive = False
        super().done(result)
