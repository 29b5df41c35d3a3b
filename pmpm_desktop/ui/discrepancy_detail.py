"""The Reconciliation page's detail pane: one member-month, why it is expected to pay what it
does (``services.explain``), what was paid, its history, and the status / link actions.

The explanation recomputes the member-month with the engine, so it runs on the worker
(``operations.discrepancies.explain_row``, whose ``latest`` key lets the row the user moved
to replace the one before); results are cached per (payer, member, month) until stored data
changes. While the worker is idle the grid's neighbours are explained too, so moving through
the grid feels instant.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.age import AGE_TOOLTIP
from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import STATUSES, DiscrepancyRow, Kind
from pmpm_desktop.services.discrepancy_query import days_since_due
from pmpm_desktop.services.members import Suggestion
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.discrepancy_detail_parts import (
    HISTORY_COLUMNS,
    PAID_COLUMNS,
    SUGGESTION_COLUMNS,
    Body,
    Figures,
    fit_height,
    heading,
    small_table,
)
from pmpm_desktop.ui.discrepancy_detail_text import AmountLine, amount_lines, breakable, why_lines
from pmpm_desktop.ui.format import dollars
from pmpm_desktop.ui.operations.discrepancies import Detail, explain_row
from pmpm_desktop.ui.pages.base import bold_label
from pmpm_desktop.ui.table_model import RowsModel

Key = tuple[str, str, Month]  # (payer code, member ID, coverage month)


def _selectable(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class DiscrepancyDetail(QWidget):
    """Everything about the selected member-month. The page runs the writes it asks for."""

    #: (row, status, note): the user pressed Save
    save_requested = Signal(object, str, str)
    #: (row, roster member ID): the user chose "Link to this member"
    link_requested = Signal(object, str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("discrepancyDetail")
        self.row: DiscrepancyRow | None = None
        self.detail: Detail | None = None
        self._cache: dict[Key, Detail] = {}
        #: the member-month being explained on the worker now, if any
        self._pending: Key | None = None
        self._upcoming: list[DiscrepancyRow] = []
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._build_scroll(), 1)
        outer.addWidget(self._build_actions())
        self.show_row(None)

    # -- building -------------------------------------------------------------------------
    def _build_scroll(self) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = Body()
        body.setObjectName("detailBody")
        lay = QVBoxLayout(body)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(4)
        scroll.setWidget(body)
        self.scroll_area = scroll
        self.placeholder = QLabel(
            "Select a discrepancy to see why it was expected to pay what it did."
        )
        self.placeholder.setObjectName("detailPlaceholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.placeholder.setContentsMargins(8, 24, 8, 24)
        lay.addWidget(self.placeholder)
        self.content = QWidget()
        column = QVBoxLayout(self.content)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        # Top-aligned: spare height goes below the content, not between its sections.
        lay.addWidget(self.content, 0, Qt.AlignmentFlag.AlignTop)
        lay.addStretch(1)
        self._build_heading(column)
        self._build_why(column)
        self._build_who(column)
        self._build_tables(column)
        return scroll

    def _build_heading(self, column: QVBoxLayout) -> None:
        self.title = _selectable(bold_label("", 1.35, "detailTitle"))
        self.subtitle = _selectable(QLabel())
        self.subtitle.setObjectName("detailSubtitle")
        self.subtitle.setToolTip(AGE_TOOLTIP)
        self.last_note = _selectable(QLabel())
        self.last_note.setObjectName("detailLastNote")
        self.figure_box = Figures()
        self.figures: dict[str, QLabel] = self.figure_box.values
        for widget in (self.title, self.subtitle, self.last_note, self.figure_box):
            column.addWidget(widget)

    def _build_why(self, column: QVBoxLayout) -> None:
        column.addWidget(heading("Why this amount"))
        self.why = _selectable(QLabel())
        self.why.setObjectName("whyText")
        self.why.setTextFormat(Qt.TextFormat.RichText)
        self.why.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        column.addWidget(self.why)
        # The expected amount line by line: what it is (wrapping) | the amount (right-aligned,
        # always whole). Straight in the column's layout, rebuilt for every explanation.
        self.amounts = QGridLayout()
        self.amounts.setContentsMargins(0, 2, 0, 0)
        self.amounts.setHorizontalSpacing(12)
        self.amounts.setVerticalSpacing(4)
        self.amounts.setColumnStretch(0, 1)
        self.amount_labels: list[tuple[QLabel, QLabel]] = []
        column.addLayout(self.amounts)

    def _build_who(self, column: QVBoxLayout) -> None:
        # Unknown members: who might it be? (Straight in the column, not in a nested widget:
        # nested word-wrapped labels get their height wrong.)
        self.who = heading("Who might this be?")
        self.who_text = QLabel()
        self.who_text.setObjectName("whoText")
        self.who_text.setWordWrap(True)
        self.suggestions = RowsModel(SUGGESTION_COLUMNS)
        self.suggestion_view = small_table(self.suggestions, "suggestionsView", (3, 1))
        self.suggestion_view.selectionModel().selectionChanged.connect(self._update_link)
        self.suggestion_view.doubleClicked.connect(lambda _i: self._link())
        self.link_button = QPushButton("Link to this member")
        self.link_button.setObjectName("linkButton")
        self.link_button.setToolTip(
            "Record that the payer's ID stands for the chosen roster member, then reconcile "
            "the payer again so the payment counts as theirs"
        )
        self.link_button.clicked.connect(self._link)
        self.link_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._who_widgets = (self.who, self.who_text, self.suggestion_view, self.link_button)
        for widget in self._who_widgets:
            column.addWidget(widget)

    def _build_tables(self, column: QVBoxLayout) -> None:
        column.addWidget(heading("Paid lines"))
        self.paid_empty = QLabel("Nothing was paid for this member-month.")
        self.paid_empty.setObjectName("paidEmpty")
        column.addWidget(self.paid_empty)
        self.paid_lines = RowsModel(PAID_COLUMNS)
        # The file name gives way (elided in the middle, whole in its tooltip) so row, amount,
        # type and date stay readable.
        self.paid_view = small_table(self.paid_lines, "paidLinesView", (0, 3))
        self.paid_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        column.addWidget(self.paid_view)
        column.addWidget(heading("History"))
        self.history = RowsModel(HISTORY_COLUMNS)
        self.history_view = small_table(self.history, "historyView", (3, 1, 2))
        column.addWidget(self.history_view)

    def _build_actions(self) -> QFrame:
        """The pane's status bar: it stays visible below the scrolling part."""
        self.action_bar = QFrame()
        self.action_bar.setObjectName("detailActions")
        self.action_bar.setFrameShape(QFrame.Shape.StyledPanel)
        bar = QHBoxLayout(self.action_bar)
        bar.setContentsMargins(8, 6, 8, 6)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("detailStatus")
        self.status_combo.setToolTip("The discrepancy's status")
        for s in STATUSES:
            self.status_combo.addItem(fmt.status(s), s)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("detailNote")
        self.note_edit.setPlaceholderText("Add a note (optional)")
        self.note_edit.returnPressed.connect(self._save)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("detailSave")
        self.save_button.clicked.connect(self._save)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.note_edit, 1)
        bar.addWidget(self.save_button)
        return self.action_bar

    # -- what is shown --------------------------------------------------------------------
    @staticmethod
    def key_of(row: DiscrepancyRow) -> Key:
        return (row.payer_code, row.member_id, row.month)

    def clear_cache(self) -> None:
        """Stored data changed: explanations must be worked out again (one on its way now is
        replaced by a new request)."""
        self._cache.clear()
        if self._pending is not None:
            self._pending = None
            self._request()

    def show_row(self, row: DiscrepancyRow | None, upcoming: Sequence[DiscrepancyRow] = ()) -> None:
        """Show ``row`` at once from what the grid knows; the explanation follows.

        ``upcoming`` are the rows the user is likely to look at next (the grid's neighbours):
        explained while the worker is idle, so moving through the grid feels instant.
        """
        self.row = row
        self._upcoming = list(upcoming)
        self.placeholder.setVisible(row is None)
        self.content.setVisible(row is not None)
        self.action_bar.setVisible(row is not None)
        if row is None:
            self.detail = None
            return
        self._show_heading(row)
        self.status_combo.setCurrentIndex(max(STATUSES.index(row.status), 0))
        self.note_edit.clear()
        for widget in self._who_widgets:
            widget.setVisible(row.kind == Kind.UNKNOWN_MEMBER)
        cached = self._cache.get(self.key_of(row))
        if cached is not None:
            self._fill(cached)
            self._request()  # the neighbours
            return
        self.detail = None
        self.why.setText("<i>Working out why…</i>")
        self._set_amounts([])
        self.who_text.setText("Looking for roster members who may be this person…")
        self.suggestions.set_rows([])
        self.paid_lines.set_rows([])
        self.history.set_rows([])
        self.paid_empty.hide()
        self._request()

    def _show_heading(self, row: DiscrepancyRow) -> None:
        name = fmt.person(row.last_name, row.first_name)
        if row.kind == Kind.UNKNOWN_MEMBER:
            self.title.setText(f"Unknown ID {row.member_id}")
        else:
            self.title.setText(name or f"Member {row.member_id}")
        parts = [f"Member ID {row.member_id}" if name else None]
        if row.dob is not None:
            parts.append(f"born {fmt.date(row.dob)}")
        parts += [row.payer_code, f"coverage month {row.month}"]
        age = days_since_due(row)
        due = "" if age is None else f" · {age:,} days since due"
        self.subtitle.setText(
            f"<b>{html.escape(fmt.kind(row.kind))}</b> · {html.escape(fmt.status(row.status))}"
            f"{due}<br>" + html.escape(" · ".join(p for p in parts if p))
        )
        self.last_note.setText(f"Last note: {row.last_note}" if row.last_note else "")
        self.last_note.setVisible(bool(row.last_note))
        self.figure_box.set_values(
            dollars(row.expected), dollars(row.paid), dollars(row.variance), row.variance < 0
        )

    def _request(self) -> None:
        """Explain the shown row on the worker (else a neighbour), one request at a time."""
        if self.row is None:
            return
        wanted = [self.row, *self._upcoming]
        row = next((r for r in wanted if self.key_of(r) not in self._cache), None)
        if row is None or self.key_of(row) == self._pending:
            return
        key = self.key_of(row)
        self._pending = key
        self.ctx.run(
            explain_row(self.ctx.db, row),
            parent=self,
            on_success=lambda d: self._arrived(key, d),
            on_failure=lambda exc: self._arrived(key, Detail(None, error_text(exc)[0])),
            on_cancel=lambda: self._arrived(key, None),
            show_progress=False,
        )

    def _arrived(self, key: Key, detail: Detail | None) -> None:
        self._pending = None
        if detail is None:
            return
        self._cache[key] = detail
        if self.row is not None and self.key_of(self.row) == key:
            self._fill(detail)
        self._request()  # what is shown now (if the user moved on meanwhile), else a neighbour

    def _fill(self, detail: Detail) -> None:
        self.detail = detail
        e = detail.explanation
        if e is None:
            self.why.setText(html.escape(detail.problem or "No explanation could be made."))
            self._set_amounts([])
            self.paid_lines.set_rows([])
            self.history.set_rows([])
        else:
            sentences = "".join(f"<p style='margin:0 0 4px 0'>{s}</p>" for s in why_lines(e))
            self.why.setText(sentences)
            self._set_amounts(amount_lines(e))
            self.paid_lines.set_rows(e.paid_lines)
            self.history.set_rows(e.history)
        self.paid_empty.setVisible(not self.paid_lines.rows)
        self.paid_view.setVisible(bool(self.paid_lines.rows))
        fit_height(self.paid_view)
        fit_height(self.history_view)
        if self.row is not None and self.row.kind == Kind.UNKNOWN_MEMBER:
            self._fill_who(detail)
        self._update_link()

    def _fill_who(self, detail: Detail) -> None:
        names = ", ".join(detail.paid_names)
        said = f"The statement names this person {html.escape(names)}. " if names else ""
        if detail.suggestions:
            self.who_text.setText(
                said + "These roster members look close. Choose one and link it if it is "
                "the same person:"
            )
        else:
            self.who_text.setText(said + "No roster member looks close to this ID or name.")
        self.suggestions.set_rows(detail.suggestions)
        self.suggestion_view.setVisible(bool(detail.suggestions))
        fit_height(self.suggestion_view)
        if detail.suggestions:
            self.suggestion_view.selectRow(0)

    def _set_amounts(self, lines: Sequence[AmountLine]) -> None:
        for label, amount in self.amount_labels:
            for widget in (label, amount):
                self.amounts.removeWidget(widget)
                widget.hide()
                widget.deleteLater()
        self.amount_labels = []
        for i, line in enumerate(lines):
            text = html.escape(breakable(line.label))
            if line.source:
                text += f"<br><span style='color:#888'>{html.escape(breakable(line.source))}</span>"
            label = _selectable(QLabel(f"<b>{text}</b>" if line.total else text))
            label.setObjectName("amountLabel")
            label.setTextFormat(Qt.TextFormat.RichText)
            amount = QLabel(f"<b>{line.amount}</b>" if line.total else line.amount)
            amount.setObjectName("amountValue")
            amount.setTextFormat(Qt.TextFormat.RichText)
            amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            amount.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
            self.amounts.addWidget(label, i, 0)
            self.amounts.addWidget(amount, i, 1)
            self.amount_labels.append((label, amount))

    # -- actions --------------------------------------------------------------------------
    def _update_link(self, *_args: object) -> None:
        self.link_button.setEnabled(self._chosen() is not None)

    def _chosen(self) -> Suggestion | None:
        rows = self.suggestion_view.selectionModel().selectedRows()
        if not rows or not self.suggestions.rows:
            return None
        chosen: Suggestion = self.suggestions.row(rows[0].row())
        return chosen

    def _save(self) -> None:
        if self.row is None:
            return
        status = self.status_combo.currentData()
        self.save_requested.emit(self.row, status, self.note_edit.text().strip())

    def _link(self) -> None:
        chosen = self._chosen()
        if self.row is None or chosen is None:
            return
        self.link_requested.emit(self.row, chosen.member_id)
