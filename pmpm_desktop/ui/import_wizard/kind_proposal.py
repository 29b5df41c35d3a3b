"""What kind of file the user chose, proposed from its content and its name (SPEC §6 "The
file's kind"), on step 1; and the switch to another kind when the preview refuses the file as
the kind it was given.

``content_kind.propose_from_content`` reads the file (an X12, MMR or ATR file whole, as what it
is; a spreadsheet's columns up to three times), so it runs on the worker; Next waits for it.
The proposal selects its kind unless the user picked one meanwhile, and its sentence stays
under the kind choice: in amber when the name and the content disagree, or when the kind
selected is not the one the content plainly says.
"""

from __future__ import annotations

from pathlib import Path

from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.table import EXCEL_SUFFIXES, TEXT_SUFFIXES
from pmpm_desktop.ui.import_wizard.base import CHOOSE, KIND_NAMES, WizardBase
from pmpm_desktop.ui.import_wizard.content_kind import ContentProposal, propose_from_content
from pmpm_desktop.ui.import_wizard.file_name_guesses import month_in_name
from pmpm_desktop.ui.import_wizard.outcome_text import with_article
from pmpm_desktop.ui.import_wizard.widgets import set_banner

TABLE_SUFFIXES = EXCEL_SUFFIXES | TEXT_SUFFIXES


class KindProposalStep(WizardBase):
    """The kind proposal of step 1 (its note is ``kind_note``, built by ``choose_step``)."""

    def propose_kind_of(self, path: Path) -> None:
        """Look at ``path``'s columns in the background, then propose its kind."""
        self._proposing = path
        self._proposal = None
        self._kind_touched = False
        self._switched_from = None
        self._show_kind_note()
        self.ctx.tasks.run(
            "Looking at the file",
            lambda _progress: propose_from_content(path),
            on_success=self._alive_only(lambda found: self._proposed(path, found)),
            on_failure=self._alive_only(lambda _exc: self._proposed(path, None)),
            on_cancel=self._alive_only(lambda: self._proposed(path, None)),
            parent=self,
            show_progress=False,
        )
        self._update_buttons()

    def _proposed(self, path: Path, found: ContentProposal | None) -> None:
        if path != self._proposing:
            return  # another file was chosen meanwhile: its own proposal follows
        self._proposing = None
        proposal = found.proposal if found is not None else None
        self._proposal = proposal
        if found is not None and found.month is not None:
            # an MMR is the roster of its own payment month
            self.set_roster_month(found.month)
            self.month_hint.setText("the payment month of this MMR")
        before = self.kind
        if proposal is not None and proposal.kind is not None and not self._kind_touched:
            if proposal.kind.value != before:
                self._switched_from = before
                self._select_kind(proposal.kind.value)
        self._show_kind_note()
        self._update_buttons()

    def _select_kind(self, kind: str) -> None:
        """Check ``kind``'s button for the user (not counted as the user's own choice)."""
        self._choosing_kind = True
        try:
            self.kind_buttons[kind].setChecked(True)
        finally:
            self._choosing_kind = False

    def _show_kind_note(self) -> None:
        """The proposal's sentence under the kind choice (hidden when there is none)."""
        if self._proposing is not None:
            path = self._proposing
            what = "the columns of " if path.suffix.lower() in TABLE_SUFFIXES else ""
            set_banner(self.kind_note, f"Looking at {what}{path.name}…", "info")
            return
        proposal = self._proposal
        if proposal is None or self.path is None:
            set_banner(self.kind_note, None)
            return
        text, warn = proposal.sentence, proposal.disagree
        plainly = proposal.from_content.value if proposal.from_content is not None else None
        if plainly is not None and self.kind is not None and self.kind != plainly:
            chosen = with_article(FileKind(self.kind).label)
            text += (
                f" Read as {chosen} it will most likely be refused: choose "
                f"“{KIND_NAMES[plainly]}” if that is what it is."
            )
            warn = True
        elif self._switched_from is not None and self.kind is not None:
            text += (
                f" PMPM chose “{KIND_NAMES[self.kind]}” instead of "
                f"“{KIND_NAMES[self._switched_from]}”: choose another kind above if it is not."
            )
            warn = True
        elif self.kind is None:
            text += " Choose what it is above."
        set_banner(self.kind_note, text, "warning" if warn else "info")

    def _kind_chosen_by_user(self) -> None:
        """The user picked a kind: a proposal still on its way leaves it alone."""
        if not self._choosing_kind:
            self._kind_touched = True
            self._switched_from = None
        self._show_kind_note()

    # -- the preview's "Import it as … instead" ------------------------------------------
    def switch_kind(self, kind: str) -> None:
        """Read the file as ``kind`` instead: back to step 1 when that kind needs a choice
        there (the roster month, unless the file's name says it; the contract, unless the
        payer has one), else straight to a new preview."""
        self._select_kind(kind)
        self._switched_from = None
        assert self.path is not None
        label = FileKind(kind).label
        needs = None
        if kind == FileKind.ROSTER and month_in_name(self.path) is None:
            needs = "check its roster month"
        elif kind == FileKind.RATES and self.contract_combo.count() != 1:
            needs = "choose the contract its rates are for"
        if needs is not None:
            what = f"Import {self.path.name} as {with_article(label)}"
            set_banner(self.kind_note, f"{what}: {needs} below, then press Next.", "info")
            self.go(CHOOSE)
            return
        self.clear_preview(self.path.name)
        self.refresh_preview()
        self._update_buttons()
