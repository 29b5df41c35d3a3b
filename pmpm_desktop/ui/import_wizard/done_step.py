"""Step 5, *Done*: what was stored and, for rosters, what changed since the previous roster
month; from here the user reconciles or imports the next file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services.month_summary import import_months
from pmpm_desktop.ui.import_wizard.base import CHOOSE, WizardBase
from pmpm_desktop.ui.import_wizard.found_panel import FoundPanel
from pmpm_desktop.ui.import_wizard.outcome_text import (
    changes_sentence,
    notes_text,
    payer_level_fact,
    profile_sentence,
    summary_sentence,
    total_sentence,
)
from pmpm_desktop.ui.import_wizard.widgets import banner, set_banner, step_page
from pmpm_desktop.ui.operations.import_data import ImportOutcome


class DoneStep(WizardBase):
    """Step 5: what was stored and what changed; reconcile or import the next file."""

    def _build_done(self) -> QWidget:
        """The page of step 5."""
        page, layout = step_page()
        self.summary_label = banner("ok")
        self.summary_label.setObjectName("summaryLabel")
        layout.addWidget(self.summary_label)
        self.total_label = banner("warning")
        self.total_label.setObjectName("totalLabel")
        layout.addWidget(self.total_label)
        self.done_found = FoundPanel(pairs=2, fit=True)
        self.done_found.setObjectName("doneFound")
        layout.addWidget(self.done_found)
        self.changes_box = QGroupBox("What changed")
        box = QVBoxLayout(self.changes_box)
        self.changes_label = QLabel()
        self.changes_label.setObjectName("changesLabel")
        self.changes_label.setWordWrap(True)
        self.changes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.changes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.changes_label)
        layout.addWidget(self.changes_box)
        self.profile_label = QLabel()
        self.profile_label.setObjectName("profileLabel")
        self.profile_label.setWordWrap(True)
        layout.addWidget(self.profile_label)
        layout.addSpacing(10)
        self.reconcile_hint = QLabel()
        self.reconcile_hint.setWordWrap(True)
        layout.addWidget(self.reconcile_hint)
        row = QHBoxLayout()
        self.reconcile_button = QPushButton("Reconcile now")
        self.reconcile_button.setObjectName("reconcileNow")
        self.reconcile_button.setIcon(
            self.style().standardIcon(QStyle.StandardPixmap.SP_BrowserReload)
        )
        self.reconcile_button.clicked.connect(self.reconcile_now)
        self.another_button = QPushButton("Import another file")
        self.another_button.setObjectName("importAnother")
        self.another_button.clicked.connect(self.restart)
        row.addWidget(self.reconcile_button)
        row.addWidget(self.another_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def show_done(self, outcome: ImportOutcome) -> None:
        set_banner(self.summary_label, summary_sentence(outcome, self._payer_words(outcome.payer)))
        notes = notes_text(outcome.result.notes) if outcome.result is not None else ""
        set_banner(self.total_label, "\n\n".join(t for t in (total_sentence(outcome), notes) if t))
        self.changes_label.setText(changes_sentence(outcome))
        self.changes_box.setTitle(
            "What changed in the roster" if outcome.kind is FileKind.ROSTER else "What next"
        )
        self.reconcile_hint.setText(
            f"Compare what {outcome.payer} paid with what its contracts say is owed, on the "
            "Reconciliation page."
        )
        self.profile_label.setText(profile_sentence(outcome))
        r = outcome.result
        payer_level = payer_level_fact(outcome)
        facts = (*(r.facts if r is not None else ()), *([payer_level] if payer_level else []))
        self.done_found.show_facts(r.standard if r is not None else None, facts)

    def reconcile_now(self) -> None:
        """The Reconciliation page, filtered to the file's payer, reconciling it over the
        months the page shows, widened to the months the file speaks about."""
        outcome = self.outcome
        code = outcome.payer if outcome is not None else self.payer_code
        wanted: dict[str, object] = {"payer": code, "reconcile": True}
        if outcome is not None and outcome.result is not None:
            months = import_months(self.ctx.db, FileKind(outcome.kind), outcome.result.import_id)
            if months is not None:
                wanted["first"], wanted["last"] = months
        self.ctx.navigate.emit("reconciliation", wanted)
        self.close()

    def restart(self) -> None:
        """Back to step 1 for the next file (same payer and kind)."""
        self.clear_file()
        self.current = None
        self.outcome = None
        self.overrides.clear()
        self._sheet = self._header_row = None
        self.reload_payers()
        self.go(CHOOSE)
