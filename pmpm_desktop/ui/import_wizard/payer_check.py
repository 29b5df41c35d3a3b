"""The payer is the user's to choose: when a file's name (step 1) or content (step 2: its title
rows, sheet names, sender) names another of the practice's payers than the one chosen, the
wizard says so and asks, and Next waits for the answer. Nothing changes the payer behind the
user's back (a SUN file once moved a BAY import to SUN silently, or went to BAY unnoticed).

Each payer is asked about once per file: the answer ("Use SUN" or "Keep BAY") stands until
another file is chosen.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from pmpm_desktop.ui.import_wizard.base import WizardBase
from pmpm_desktop.ui.import_wizard.payer_question import PayerQuestion


class PayerCheck(WizardBase):
    """Asks when the chosen file names another payer (``name_question`` on step 1,
    ``content_question`` on step 2)."""

    name_question: PayerQuestion
    content_question: PayerQuestion
    payer_combo: QComboBox
    _keep_month: bool

    def _build_payer_questions(self) -> None:
        self.name_question = PayerQuestion("payerQuestion")
        self.name_question.answered.connect(self._payer_answered)
        self.content_question = PayerQuestion("contentPayerQuestion")
        self.content_question.answered.connect(self._payer_answered)

    def ask_about_payers(self, named: tuple[str, ...], *, by_name: bool) -> None:
        """Ask when ``named`` (by the file's name, or its content) is one other payer than
        the chosen one and the user has not answered about it for this file."""
        question = self.name_question if by_name else self.content_question
        chosen = self.payer_code
        others = [c for c in named if c != chosen]
        if chosen is None or chosen in named or len(others) != 1:
            question.close_question()
            return
        other = others[0]
        if other in self._payers_settled:
            question.close_question()
            return
        where = "The file's name says" if by_name else "The file names"
        question.ask(
            f"{where} {self._payer_words(other)}, but the payer chosen is "
            f"{self._payer_words(chosen)}. Which payer's file is it?",
            other,
            chosen,
        )

    def payer_question_open(self) -> bool:
        """A question about the payer waits for the user's answer (Next waits too)."""
        return self.name_question.open or self.content_question.open

    def _payer_answered(self, code: str) -> None:
        self._payers_settled.update({self.name_question.other, self.content_question.other})
        self._payers_settled.discard("")
        self.name_question.close_question()
        self.content_question.close_question()
        if code != self.payer_code:
            self._keep_month = True  # the month the user chose is not the payer's to change
            try:
                self.payer_combo.setCurrentIndex(self.payer_combo.findData(code))
            finally:
                self._keep_month = False
            if self.current is not None:
                self.refresh_preview()  # read for the payer chosen: its layouts, its IDs
        self._update_buttons()

    def forget_payer_answers(self) -> None:
        """Another file: its payer is asked about afresh."""
        self._payers_settled.clear()
        self.name_question.close_question()
        self.content_question.close_question()
