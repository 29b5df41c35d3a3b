"""Step 3, *Check*: every problem of the file, from the preview that read it all; nothing can be
imported while there is one, and the list can be exported to send to the payer."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from pmpm_desktop.io.machine_file import Format
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.parsed import RowProblem
from pmpm_desktop.io.problems_export import Problem, as_problems, write_problems
from pmpm_desktop.services.import_history import roster_stored
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.import_wizard.base import WizardBase
from pmpm_desktop.ui.import_wizard.outcome_text import (
    already_sentence,
    month_words,
    notes_text,
)
from pmpm_desktop.ui.import_wizard.payment_box import PaymentBox
from pmpm_desktop.ui.import_wizard.widgets import banner, set_banner, step_page, table
from pmpm_desktop.ui.operations.import_data import PreviewOutcome
from pmpm_desktop.ui.save_location import save_dialog
from pmpm_desktop.ui.table_model import Column, RowsModel


def _place(p: RowProblem | str) -> int | None:
    return p.row if isinstance(p, RowProblem) else None


def _part(p: RowProblem | str, name: str) -> str:
    return str(getattr(p, name)) if isinstance(p, RowProblem) else ""


def _row_columns(line: bool = False) -> tuple[Column, ...]:
    """A spreadsheet's problems (or a line file's: an MMR, a fixed-width file): row (line)
    and column as the payer's file has them."""
    place = "Line" if line else "Row"
    return (
        Column(place, lambda p: p.row, "int", f"The {place.lower()} number in the payer's file"),
        Column("Column" if not line else "Field", lambda p: p.column or "(whole file)"),
        Column("Value", lambda p: p.value),
        Column("Problem", lambda p: p.reason),
    )


#: an X12 file's problems: segment number (counted from the ISA), segment and element
_SEGMENT_COLUMNS = (
    Column("Segment", _place, "int", "The segment's number in the file, counted from the ISA"),
    Column("Segment ID", lambda p: _part(p, "column") if _place(p) else "(whole file)"),
    Column("Element", lambda p: _part(p, "element")),
    Column("Value", lambda p: _part(p, "value")),
    Column("Problem", lambda p: p.reason if isinstance(p, RowProblem) else p),
)


class CheckStep(WizardBase):
    """Step 3: the file's problems, or that it is ready to import."""

    def _build_check(self) -> QWidget:
        """The page of step 3."""
        page, layout = step_page()
        self.check_label = banner("ok")
        self.check_label.setObjectName("checkLabel")
        layout.addWidget(self.check_label)
        # a statement's total and payment date, asked before Import (hidden otherwise)
        self.payment_box = PaymentBox()
        self.payment_box.changed.connect(self._payment_changed)
        self.payment_box.setVisible(False)
        layout.addWidget(self.payment_box)
        self.check_details = QLabel()
        self.check_details.setObjectName("checkDetails")
        self.check_details.setWordWrap(True)
        layout.addWidget(self.check_details)
        self.problems_model = RowsModel(_row_columns())
        self.problems_view = table(self.problems_model)
        self.problems_view.setObjectName("problemsView")
        self.problems_view.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.problems_view, 1)

        row = QHBoxLayout()
        self.export_button = QPushButton("Export problems…")
        self.export_button.setObjectName("exportProblems")
        self.export_button.setToolTip("Save the list as Excel or CSV, to send to the payer")
        self.export_button.clicked.connect(self._export_dialog)
        self.export_label = QLabel()
        self.export_label.setObjectName("exportLabel")
        row.addWidget(self.export_button)
        row.addWidget(self.export_label, 1)
        layout.addLayout(row)
        layout.addStretch(0)
        return page

    @property
    def problems(self) -> list[Problem]:
        if self.current is None:
            return []
        return as_problems(self.current.preview.all_problems())

    def show_check(self) -> None:
        outcome = self.current
        if outcome is None:
            return
        p = outcome.preview
        problems = self.problems
        x12 = p.format is Format.X12
        lines = p.format in (Format.MMR, Format.FIXED_WIDTH)
        self.problems_model.beginResetModel()
        self.problems_model.columns = list(_SEGMENT_COLUMNS if x12 else _row_columns(lines))
        self.problems_model.endResetModel()
        self.problems_model.set_rows(p.all_problems() if x12 else problems)
        self.problems_view.resizeColumnsToContents()
        self.problems_view.setVisible(bool(problems))
        self.export_button.setVisible(bool(problems))
        self.export_label.setText("")
        statement = outcome.request.kind is FileKind.STATEMENT and p.importable
        self.payment_box.setVisible(statement)
        if statement:
            self.payment_box.show_for(outcome.request.path, p)
        place = "segment" if x12 else "line" if lines else "row"
        head, news, details = self._verdict(outcome, problems, place)
        set_banner(self.check_label, head, news)
        self.check_details.setText(details)
        self._update_buttons()

    def _verdict(
        self, outcome: PreviewOutcome, problems: list[Problem], place: str
    ) -> tuple[str, str, str]:
        """The check in a banner (its text and kind of news) and what to do next."""
        p = outcome.preview
        what = self._what_sentence(outcome)
        if problems:
            rows = len({x.row for x in problems if x.row is not None})
            counted = f"{len(problems):,} problem{'s' if len(problems) != 1 else ''}"
            if rows:
                counted += f" in {rows} {place}{'s' if rows != 1 else ''}"
            return (
                f"{p.file_name} cannot be imported: {counted}. Nothing will be written while "
                "the file has problems.",
                "error",
                "Correct these rows in the payer's file (or ask the payer for a corrected "
                "file), then choose it again. If a whole column is wrong, go Back and choose "
                "the right column for the field. “Export problems…” saves this list.",
            )
        if p.already_imported is not None:
            return (
                already_sentence(p) or "",
                "warning",
                what + "\n\nIf the payer sent a corrected file, go Back and choose that one.",
            )
        if p.row_count == 0 and p.payer_payments:
            n = p.payer_payments
            return (
                f"No problems found: no member lines, {fmt.count(n)} payer-level "
                f"payment{'s' if n != 1 else ''} ready to import. Nothing has been written yet.",
                "ok",
                what + "\n\nPayer-level payments (an 835's PLB: CT capitation, E3 withholding, "
                "…) are shown beside each month's member-level figures on the Reconciliation "
                "page.\n\nPress Import to store it.",
            )
        if p.row_count == 0:
            return (
                f"{p.file_name} has no data rows under its header: there is nothing to import.",
                "error",
                "Check that the header row on the previous step is the right one.",
            )
        notes = notes_text(p.notes)
        return (
            f"No problems found: {fmt.count(p.row_count)} row{'s' if p.row_count != 1 else ''} "
            "ready to import. Nothing has been written yet.",
            "ok",
            what + (f"\n\n{notes}" if notes else "") + "\n\nPress Import to store it.",
        )

    def _payment_changed(self) -> None:
        if self.current is not None and self.payment_box.isVisible():
            self.payment_box.show_for(self.current.request.path, self.current.preview)
        self._update_buttons()

    def payment_missing(self) -> bool:
        """A statement to import still waits for its payment date."""
        r = self.current.request if self.current is not None else None
        return (
            r is not None
            and r.kind is FileKind.STATEMENT
            and (self.payment_box.payment_date() is None)
        )

    def _what_sentence(self, outcome: PreviewOutcome) -> str:
        r = outcome.request
        payer = self._payer_words(r.payer)
        standard = outcome.preview.standard
        source = f"{r.path.name} ({standard})" if standard else r.path.name
        if r.kind is FileKind.ROSTER and r.roster_month is not None:
            text = f"The {month_words(r.roster_month)} roster of {payer}, from {source}."
            # A file stored already is not imported again: it replaces nothing.
            stored = outcome.preview.already_imported is None and roster_stored(
                self.ctx.db, r.payer, r.roster_month
            )
            if stored:
                text += (
                    f" A {month_words(r.roster_month)} roster is stored already: this file "
                    "replaces it (the earlier import is kept as history, inactive)."
                )
            return text
        if r.kind is FileKind.STATEMENT:
            text = f"A payment statement of {payer}, from {source}."
            stated = self.stated_total()
            if stated is not None:
                text += (
                    f" Its stated total, {fmt.money(stated)}, is checked against the sum of its "
                    "lines once it is imported."
                )
            return text
        return (
            f"The rates of {payer}'s contract “{self.contract}”, from "
            f"{r.path.name}. They replace the contract's current rates."
        )

    def _export_dialog(self) -> None:
        stem = self.current.preview.file_name.rsplit(".", 1)[0] if self.current else "file"
        save_dialog(
            self,
            self.ctx.settings,
            title="Export problems",
            name=f"{stem} problems.xlsx",
            name_filter="Excel workbook (*.xlsx);;CSV (*.csv)",
            on_chosen=self.export_problems,
            object_name="problemsDialog",
        )

    def export_problems(self, path: Path) -> Path | None:
        """Write the problem list to ``path`` (.xlsx or .csv); the outcome is said in words."""
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_suffix(".xlsx")
        try:
            write_problems(path, self.problems)
        except (OSError, ValueError) as exc:
            self.export_label.setText(error_text(exc)[0])
            return None
        self.export_label.setText(f"Saved {len(self.problems):,} problems to {path}")
        return path
