"""What kind of file the user chose, proposed from its name at once and from its content in the
background (SPEC §6 "The file's kind"), on step 1; and the switch to another kind when the
preview refuses the file as the kind it was given.

The name's words ("statement", "remit", "835" → a payment statement; "roster", "834",
"members" → a roster) select a kind the moment the file is chosen. ``content_kind`` then reads
the file (an X12, MMR or ATR file whole, as what it is; a spreadsheet's columns up to three
times) on the worker; Next waits for it. What the content plainly says wins over the name, and
the sentence under the kind choice says why: in amber when the name and the content disagree,
or when the kind selected is not the one the content plainly says. A file whose cells cannot
be read at all is said so in one sentence, and Next stays off: only another file helps.
"""

from __future__ import annotations

from pathlib import Path

from pmpm_desktop.io.kinds import kind_from_name
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.table import EXCEL_SUFFIXES, TEXT_SUFFIXES
from pmpm_desktop.ui.import_wizard.base import CHOOSE, KIND_NAMES, WizardBase
from pmpm_desktop.ui.import_wizard.content_kind import ContentProposal
from pmpm_desktop.ui.import_wizard.file_name_guesses import month_in_name
from pmpm_desktop.ui.import_wizard.outcome_text import unreadable_sentence, with_article
from pmpm_desktop.ui.import_wizard.widgets import set_banner
from pmpm_desktop.ui.operations import imports as ops

TABLE_SUFFIXES = EXCEL_SUFFIXES | TEXT_SUFFIXES


class KindProposalStep(WizardBase):
    """The kind proposal of step 1 (its note is ``kind_note``, built by ``choose_step``)."""

    #: why the chosen file's cells cannot be read (None: they can, or it is not known yet)
    unreadable: str | None = None

    def propose_kind_of(self, path: Path) -> None:
        """Select the kind ``path``'s name says now; look at its content in the background,
        then propose the kind it says."""
        self._proposing = path
        self._proposal = None
        self.unreadable = None
        self._kind_touched = False
        self._switched_from = None
        by_name = kind_from_name(path.name)
        if by_name is not None and by_name != self.kind:
            self._switched_from = self.kind
            self._select_kind(by_name)
        self._show_kind_note()
        self.ctx.run(
            ops.propose_kind(path, latest=self.latest("kind")),
            parent=self,
            on_success=self._alive_only(lambda found: self._proposed(path, found)),
            on_failure=self._alive_only(lambda _exc: self._proposed(path, None)),
            show_progress=False,
        )
        self._update_buttons()

    def _proposed(self, path: Path, found: ContentProposal | None) -> None:
        if path != self._proposing:
            return  # the file was refused or forgotten meanwhile
        self._proposing = None
        proposal = found.proposal if found is not None else None
        self._proposal = proposal
        self.unreadable = found.unreadable if found is not None else None
        if self.unreadable is not None:
            self.forget_payer_answers()  # no question about a file that cannot be read
        if found is not None and found.month is not None:
            # an MMR is the roster of its own payment month
            self.set_roster_month(found.month)
            self.month_hint.setText("the payment month of this MMR")
        kind = proposal.kind if proposal is not None else None
        if kind is not None and not self._kind_touched and kind != self.kind:
            if self._switched_from is None:
                self._switched_from = self.kind
            self._select_kind(kind)
        if self._switched_from == self.kind:
            self._switched_from = None  # the name's guess went back to what was chosen
        self._show_kind_note()
        self._update_buttons()

    def _select_kind(self, kind: FileKind) -> None:
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
            named = kind_from_name(path.name)
            says = f"Its name says {with_article(named.label)}. " if named is not None else ""
            set_banner(self.kind_note, f"{says}Looking at {what}{path.name}…", "info")
            return
        proposal = self._proposal
        if proposal is None or self.path is None or self.unreadable is not None:
            set_banner(self.kind_note, None)
            return
        text, warn = proposal.sentence, proposal.disagree
        plainly = proposal.from_content
        kind = self.kind
        if plainly is not None and kind is not None and kind != plainly:
            chosen = with_article(kind.label)
            text += (
                f" Read as {chosen} it will most likely be refused: choose "
                f"“{KIND_NAMES[plainly]}” if that is what it is."
            )
            warn = True
        elif self._switched_from is not None and kind is not None:
            text += (
                f" PMPM chose “{KIND_NAMES[kind]}” instead of "
                f"“{KIND_NAMES[self._switched_from]}”: choose another kind above if it is not."
            )
            warn = True
        elif kind is None:
            text += " Choose what it is above."
        set_banner(self.kind_note, text, "warning" if warn else "info")

    def unreadable_text(self) -> str | None:
        """The chosen file cannot be read at all: what to do, in words (None when it can)."""
        return unreadable_sentence(self.unreadable) if self.unreadable is not None else None

    def _kind_chosen_by_user(self) -> None:
        """The user picked a kind: a proposal still on its way leaves it alone."""
        if not self._choosing_kind:
            self._kind_touched = True
            self._switched_from = None
        self._show_kind_note()

    # -- the preview's "Import it as … instead" ------------------------------------------
    def switch_kind(self, kind: FileKind) -> None:
        """Read the file as ``kind`` instead: back to step 1 when that kind needs a choice
        there (the roster month, unless the file's name says it; the contract, unless the
        payer has one), else straight to a new preview."""
        self._select_kind(kind)
        self._switched_from = None
        assert self.path is not None
        needs = None
        if kind is FileKind.ROSTER and month_in_name(self.path) is None:
            needs = "check its roster month"
        elif kind is FileKind.RATES and self.contract_combo.count() != 1:
            needs = "choose the contract its rates are for"
        if needs is not None:
            what = f"Import {self.path.name} as {with_article(kind.label)}"
            set_banner(self.kind_note, f"{what}: {needs} below, then press Next.", "info")
            self.go(CHOOSE)
            return
        self.clear_preview(self.path.name)
        self.refresh_preview()
        self._update_buttons()
