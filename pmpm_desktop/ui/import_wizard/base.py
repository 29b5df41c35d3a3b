"""What the wizard's steps share: the step numbers, the state they read and write, and the
calls one step makes on another.

Each step is a class of its own module (choose_step, preview_step, check_step, import_step,
done_step) that builds its page and handles its widgets; ``wizard.ImportWizard`` joins them
and owns the navigation. They all derive from :class:`WizardBase`, which names the state and
the cross-step calls, so each module says what it relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QRadioButton

from pmpm_desktop.core.month import Month
from pmpm_desktop.io.kinds import KindProposal
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.payers import PayerInfo
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.import_wizard.mapping_editor import MappingEditor
from pmpm_desktop.ui.import_wizard.payer_question import PayerQuestion
from pmpm_desktop.ui.import_wizard.payment_box import PaymentBox
from pmpm_desktop.ui.import_wizard.values_editor import ValuesEditor
from pmpm_desktop.ui.operations.import_data import (
    DetectionCache,
    ImportOutcome,
    PaymentDetails,
    PreviewOutcome,
    PreviewRequest,
)
from pmpm_desktop.ui.worker import TaskHandle

STEP_NAMES = ("Choose the file", "Columns & preview", "Check", "Import", "Done")
CHOOSE, PREVIEW, CHECK, IMPORT, DONE = range(5)

KIND_NAMES = {
    FileKind.ROSTER: "Roster",
    FileKind.STATEMENT: "Payment statement",
    FileKind.RATES: "Rate exhibit",
}


class WizardBase(QDialog):
    """The state every step sees (set up by ``ImportWizard.__init__``)."""

    ctx: AppContext
    #: False once the dialog is closing: late task results are then dropped
    _alive: bool
    #: the file chosen on step 1 (None until one is)
    path: Path | None
    payers: list[PayerInfo]
    #: the preview standing now (None while none was read for the chosen file)
    current: PreviewOutcome | None
    #: the user's column choices, field → column (on top of the layout or detection)
    overrides: dict[str, str]
    _sheet: str | None
    _header_row: int | None
    #: a preview is being read (the newest request's: a newer one replaces an older)
    _reading: bool
    #: the file whose kind is being proposed (None when no proposal runs)
    _proposing: Path | None
    #: the kind proposal for the chosen file (None until it came, or when there is no file)
    _proposal: KindProposal | None
    #: the user picked a kind since the file was chosen (the proposal then leaves it alone)
    _kind_touched: bool
    #: a kind button is being checked by the wizard, not the user
    _choosing_kind: bool
    #: the kind selected before the proposal changed it (None when it did not)
    _switched_from: FileKind | None
    #: the payers the user decided about for the chosen file (asked once each, never
    #: changed behind their back)
    _payers_settled: set[str]
    #: the user's answer to the preview's decimal question for this file (None: not asked)
    _decimal: bool | None
    #: written on the worker thread only (tasks run one at a time)
    _detections: DetectionCache
    #: the running import's TaskHandle (None when no import runs)
    _import_handle: TaskHandle | None
    outcome: ImportOutcome | None
    #: the shell's step title (an import that stops says so there)
    step_title: QLabel
    # widgets one step builds and another uses
    kind_buttons: dict[FileKind, QRadioButton]  # step 1
    kind_note: QLabel  # step 1, filled in by kind_proposal
    month_hint: QLabel  # step 1, beside the roster month
    contract_combo: QComboBox  # step 1
    payer_combo: QComboBox  # step 1
    mapping: MappingEditor  # step 2
    values_editor: ValuesEditor  # step 2, read by step 1 (another file) and the import
    payment_box: PaymentBox  # step 3, read by the import and forgotten by step 1
    content_question: PayerQuestion  # step 2, built by payer_check
    #: why the chosen file's cells cannot be read (None: they can, or not known yet)
    unreadable: str | None

    def _alive_only(self, fn: Callable[..., Any]) -> Callable[..., None]:
        """``fn``, called only while the dialog is open (a task may end after it closed)."""

        def call(*args: Any) -> None:
            if self._alive and shiboken6.isValid(self):
                fn(*args)

        return call

    def latest(self, what: str) -> str:
        """The ``latest`` key of this wizard's reads of ``what`` (another wizard has its own)."""
        return f"import wizard {id(self)} {what}"

    def _payer_words(self, code: str) -> str:
        """``SUN (Sunrise Health Plan)``: the payer's code and name."""
        payer = next((p for p in self.payers if p.code == code), None)
        return f"{code} ({payer.name})" if payer is not None else code

    if TYPE_CHECKING:
        # --- the shell (wizard.py)
        def go(self, step: int) -> None: ...
        def _update_buttons(self) -> None: ...

        # --- step 1 (choose_step.py)
        @property
        def kind(self) -> FileKind | None: ...
        @property
        def payer_code(self) -> str | None: ...
        @property
        def roster_month(self) -> Month: ...
        def set_roster_month(self, month: Month) -> None: ...
        def reload_payers(self) -> None: ...
        def _choose_ready(self) -> bool: ...
        def stated_total(self) -> Decimal | None: ...
        def unreadable_text(self) -> str | None: ...
        def payment_missing(self) -> bool: ...

        @property
        def contract(self) -> str: ...
        def payment_details(self) -> PaymentDetails: ...
        def clear_file(self) -> None: ...
        def _show_choose_hint(self) -> None: ...
        def set_path(self, path: Path | str) -> None: ...

        # --- the kind proposal (kind_proposal.py)
        def propose_kind_of(self, path: Path) -> None: ...
        def _show_kind_note(self) -> None: ...
        def _kind_chosen_by_user(self) -> None: ...
        def switch_kind(self, kind: FileKind) -> None: ...

        # --- the payer question (payer_check.py)
        def ask_about_payers(self, named: tuple[str, ...], *, by_name: bool) -> None: ...
        def payer_question_open(self) -> bool: ...
        def forget_payer_answers(self) -> None: ...

        # --- the preview's answers (preview_answers.py)
        def forget_answers(self) -> None: ...

        # --- the later steps
        def request(self) -> PreviewRequest | None: ...
        def refresh_preview(self) -> None: ...
        def clear_preview(self, file_name: str) -> None: ...
        def show_check(self) -> None: ...
        def start_import(self) -> None: ...
        def cancel_import(self) -> None: ...
        def show_done(self, outcome: ImportOutcome) -> None: ...
