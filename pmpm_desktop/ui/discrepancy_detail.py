"""The Reconciliation page's detail pane: one member-month, why it is expected to pay what it
does (``services.explain``), what was paid, its history, and the status / link actions.

The explanation recomputes the member-month with the engine, so it runs on the worker; results
are cached per (payer, member, month) until stored data changes, and only the latest request
runs when the user moves quickly through the grid.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pmpm_desktop.core.money import round_money
from pmpm_desktop.core.summary import STATUSES, DiscrepancyRow
from pmpm_desktop.services.audit import RECONCILE_ACTOR
from pmpm_desktop.services.discrepancies import HistoryEntry
from pmpm_desktop.services.explain import ComponentLine, Explanation, explain
from pmpm_desktop.services.members import Suggestion, paid_names, suggest_matches
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.dialogs import error_text
from pmpm_desktop.ui.format import dollars
from pmpm_desktop.ui.grids import install_grid_actions
from pmpm_desktop.ui.pages.base import bold_label
from pmpm_desktop.ui.reconciliation_tables import ColumnFitter
from pmpm_desktop.ui.table_model import Column, RowsModel
from pmpm_desktop.ui.theme import negative_color

Key = tuple[str, str, object]  # (payer code, member ID, Month)

_RULES = {
    "first-of-month": "a month counts when the member is enrolled on its first day",
    "any-day": "a month counts when the member is enrolled on at least one of its days",
    "daily": "a month is paid by the day, for the days the member is enrolled",
}


def _rule_text(rule: str | None) -> str:
    if rule is None:
        return ""
    if rule.startswith("mid-month:"):
        day = rule.split(":", 1)[1]
        return f"a month counts when the member is enrolled on day {day}"
    return _RULES.get(rule, rule)


def _fraction_text(fraction: str | None) -> str:
    if fraction is None:
        return ""
    num, _, den = fraction.partition("/")
    if num == den:
        return "the whole month"
    if num == "0":
        return "none of the month"
    return f"{num} of {den} days"


@dataclass(frozen=True)
class Detail:
    """What the worker found for one member-month."""

    explanation: Explanation | None
    #: why there is no explanation (in words), when there is none
    problem: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    paid_names: tuple[str, ...] = ()


def load_detail(ctx_db: object, row: DiscrepancyRow) -> Detail:
    """Explain the member-month and, for an unknown member, look for who it may be (worker)."""
    db = ctx_db
    try:
        e = explain(db, row.payer_code, row.member_id, row.month)  # type: ignore[arg-type]
    except Exception as exc:  # shown in the pane in words, not as a dialog
        return Detail(None, error_text(exc)[0])
    suggestions: tuple[Suggestion, ...] = ()
    names: tuple[str, ...] = ()
    if row.kind == "unknown_member":
        names = tuple(paid_names(db, row.payer_code, row.member_id))  # type: ignore[arg-type]
        try:
            suggestions = tuple(suggest_matches(db, row.payer_code, row.member_id, limit=5))  # type: ignore[arg-type]
        except Exception:  # e.g. already linked: no suggestions to make
            suggestions = ()
    return Detail(e, None, suggestions, names)


def why_lines(e: Explanation) -> list[str]:
    """The explanation as short sentences (HTML-escaped) a billing clerk reads top to bottom."""

    def esc(text: str) -> str:
        return html.escape(breakable(text))

    out: list[str] = []
    if e.deciding_roster is None:
        if e.kind == "unknown_member" or e.member_name is None:
            out.append(
                f"No roster lists ID {esc(e.member_id)}: the payer paid someone the practice "
                "does not know, so nothing is expected."
            )
        else:
            out.append(f"No roster lists this member for {e.month}, so nothing is expected.")
        return out
    out.append(f"Decided by <b>{esc(e.deciding_roster)}</b>; enrolled {esc(e.span or '')}.")
    if e.contract is None:
        out.append(
            "No contract of the payer covers this product in this month, so no rate can be "
            "found: add or extend the contract, then reconcile again."
        )
        return out
    out.append(
        f"Contract <b>{esc(e.contract)}</b>: {esc(_rule_text(e.rule))}. "
        f"Payable: {esc(_fraction_text(e.fraction))}."
    )
    if not e.eligible:
        out.append("Under that rule the member is not eligible this month: nothing is expected.")
        return out
    facts = [
        f"age {e.age}" if e.age is not None else "age unknown (no date of birth)",
        f"sex {esc(e.sex)}" if e.sex else "sex not given",
        f"rate cell {esc(e.rate_cell)}" if e.rate_cell else "no rate cell",
    ]
    if e.risk_score is not None:
        facts.append(f"risk score {e.risk_score}")
    out.append("On the roster: " + ", ".join(facts) + ".")
    if not any(c.component.lower() == "capitation" for c in e.components):
        out.append(
            "No capitation rate of the contract fits this rate cell, sex and age: add the "
            "rate to the contract's rate exhibit, then reconcile again."
        )
    return out


def _arithmetic(e: Explanation, c: ComponentLine) -> str:
    """How the component's amount comes from its rate: ``$688.90 PMPM × risk score 1.484``."""
    parts = [f"{dollars(c.rate)} PMPM"]
    num, _, den = (e.fraction or "1/1").partition("/")
    if num != den:
        parts.append(f"{num}/{den} of the month")
    if c.component.lower() == "capitation" and e.risk_score is not None:
        whole_month = c.rate * Decimal(num) / Decimal(den) if den not in ("", "0") else c.rate
        if round_money(whole_month) != c.amount:
            parts.append(f"risk score {e.risk_score}")
    return " × ".join(parts)


def _rate_row_text(label: str) -> str:
    """``row 2 (…)`` of the rate exhibit, said so."""
    return "Rate exhibit " + label if label.startswith("row ") else label


@dataclass(frozen=True)
class AmountLine:
    """A line of the expected amount: a component (and the rate exhibit row it comes from),
    the withhold, or the total."""

    label: str
    source: str
    amount: str
    total: bool = False


def amount_lines(e: Explanation) -> list[AmountLine]:
    """Components, withhold and total, top to bottom (none when nothing is expected)."""
    if e.deciding_roster is None or not e.eligible or e.contract is None:
        return []
    out = [
        AmountLine(
            c.component.replace("_", " ").capitalize(),
            f"{_rate_row_text(c.rate_row)}: {_arithmetic(e, c)}",
            dollars(c.amount),
        )
        for c in e.components
    ]
    if e.withhold:
        out.append(
            AmountLine(f"Withhold {e.withhold_pct}% of capitation", "", dollars(-e.withhold))
        )
    out.append(AmountLine("Expected in total", "", dollars(e.expected), total=True))
    return out


#: a run of at least this many characters with no space: given places to break (file names)
_LONG_WORD = re.compile(r"\S{28,}")


def breakable(text: str) -> str:
    """``text`` with invisible break points after ``_ . / \\ -`` inside very long words, so a
    long file or contract name wraps in a narrow pane instead of widening it."""

    def soften(match: re.Match[str]) -> str:
        return re.sub(r"([_./\\-])", "\\1\u200b", match.group(0))

    return _LONG_WORD.sub(soften, text)


class _Body(QWidget):
    """The scrolling page of the pane. It claims no minimum size, so the scroll area (which
    asks its height for its width) makes it exactly as wide as its viewport and as tall as its
    wrapped text needs: text wraps and tables fit, nothing is cut off at the right edge, and
    no surplus height (the minimum size of word-wrapped labels is worked out at a narrow
    width, far too tall) shows up as gaps between sections."""

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0)

    def event(self, event: QEvent) -> bool:
        done = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:
            # What it shows changed (new text, rows): the scroll area sizes it again (it asks
            # its height for its width), else the old height would squeeze the new text.
            area = self.parentWidget().parentWidget() if self.parentWidget() else None
            if isinstance(area, QScrollArea):
                QApplication.sendEvent(area, QEvent(QEvent.Type.LayoutRequest))
        return done


class Figures(QWidget):
    """Expected, Paid and Variance in big type: side by side when the pane is wide enough,
    else one under the other (caption left, amount right-aligned), never cut off."""

    NAMES = ("Expected", "Paid", "Variance")
    SPACING = 18
    TOP, BOTTOM = 8, 4

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("figures")
        self.captions: dict[str, QLabel] = {}
        self.values: dict[str, QLabel] = {}
        for name in self.NAMES:
            caption = QLabel(name, self)
            caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted, light or dark
            value = QLabel(self)
            value.setObjectName(f"figure{name}")
            big = value.font()
            big.setPointSizeF(big.pointSizeF() * 1.6)
            big.setBold(True)
            value.setFont(big)
            self.captions[name.lower()] = caption
            self.values[name.lower()] = value
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.side_by_side = True

    def set_values(self, expected: str, paid: str, variance: str, negative: bool) -> None:
        for key, text in (("expected", expected), ("paid", paid), ("variance", variance)):
            self.values[key].setText(text)
        self.values["variance"].setStyleSheet(
            f"color: {negative_color(self.palette()).name()};" if negative else ""
        )
        self.updateGeometry()
        self._place()

    # -- sizes ----------------------------------------------------------------------------
    def _pairs(self) -> list[tuple[QSize, QSize]]:
        return [(self.captions[k].sizeHint(), self.values[k].sizeHint()) for k in self.values]

    def _wide(self) -> QSize:
        pairs = self._pairs()
        width = sum(max(c.width(), v.width()) for c, v in pairs) + self.SPACING * 2
        height = max(c.height() for c, _v in pairs) + max(v.height() for _c, v in pairs)
        return QSize(width, height + self.TOP + self.BOTTOM)

    def _narrow(self) -> QSize:
        pairs = self._pairs()
        width = max(c.width() for c, _v in pairs) + self.SPACING + max(v.width() for _c, v in pairs)
        height = sum(max(c.height(), v.height()) for c, v in pairs)
        return QSize(width, height + self.TOP + self.BOTTOM)

    def sizeHint(self) -> QSize:
        return self._wide()

    def minimumSizeHint(self) -> QSize:
        return self._narrow()

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        wide = self._wide()
        return wide.height() if width >= wide.width() else self._narrow().height()

    # -- placing --------------------------------------------------------------------------
    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._place()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.values["variance"].styleSheet():
            # light ↔ dark: the red that reads on the new background
            self.values["variance"].setStyleSheet(
                f"color: {negative_color(self.palette()).name()};"
            )

    def _place(self) -> None:
        width = self.width()
        self.side_by_side = width >= self._wide().width()
        x, y = 0, self.TOP
        if self.side_by_side:
            for key in self.values:
                caption, value = self.captions[key], self.values[key]
                cap, val = caption.sizeHint(), value.sizeHint()
                column = max(cap.width(), val.width())
                caption.setGeometry(x, y, column, cap.height())
                value.setGeometry(x, y + cap.height(), column, val.height())
                value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
                x += column + self.SPACING
            return
        for key in self.values:
            caption, value = self.captions[key], self.values[key]
            cap, val = caption.sizeHint(), value.sizeHint()
            line = max(cap.height(), val.height())
            amount = min(val.width(), width)
            value.setGeometry(width - amount, y, amount, line)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            caption.setGeometry(0, y, max(width - amount - self.SPACING, 0), line)
            y += line


def _heading(text: str) -> QLabel:
    label = bold_label(text, name="sectionHeading")
    label.setContentsMargins(0, 8, 0, 0)
    return label


def _small_table(model: RowsModel, name: str, give_way: Sequence[int]) -> QTableView:
    """A table showing all its rows, its columns fitted to the pane's width (the
    ``give_way`` columns take the spare room, and shrink first when there is too little;
    a cut cell shows its whole text as a tooltip)."""
    view = QTableView()
    view.setObjectName(name)
    view.setModel(model)
    view.verticalHeader().hide()
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.verticalHeader().setDefaultSectionSize(22)
    view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    view.column_fitter = ColumnFitter(view, give_way, squeeze=True)  # type: ignore[attr-defined]
    install_grid_actions(view)
    return view


def _fit_height(view: QTableView) -> None:
    """Show every row of a small table without its own scroll bar."""
    rows = view.model().rowCount()
    body = view.verticalHeader().length() if rows else view.verticalHeader().defaultSectionSize()
    view.setFixedHeight(view.horizontalHeader().sizeHint().height() + body + 2 * view.frameWidth())


PAID_COLUMNS = [
    Column("File", lambda p: p.file_name),
    Column("Row", lambda p: p.source_row, "int"),
    Column("Amount", lambda p: p.amount, "money"),
    Column("Type", lambda p: p.line_type),
    Column("Paid on", lambda p: p.payment_date, "date"),
]


def _change(h: HistoryEntry) -> str:
    event, old, new = h.event, h.old_status, h.new_status
    if event == "created":
        return "Found"
    if event == "status":
        return f"{fmt.status(old)} → {fmt.status(new)}"
    if event == "amounts":
        return "Amounts changed"
    return "Note"


HISTORY_COLUMNS = [
    Column("When", lambda h: h.at, "datetime"),
    # a person's user name as it is (the OS or database login), so the audit trail matches
    Column("Who", lambda h: "Reconciliation" if h.actor == RECONCILE_ACTOR else h.actor),
    Column("Change", _change),
    Column("Note", lambda h: h.note),
]

SUGGESTION_COLUMNS = [
    Column("Member ID", lambda s: s.member_id),
    Column("Name", lambda s: s.name),
    Column("Born", lambda s: s.dob, "date"),
    Column("Why", lambda s: s.reason),
]


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
        self._running: Key | None = None
        self._upcoming: list[DiscrepancyRow] = []
        self._generation = 0

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = _Body()
        body.setObjectName("detailBody")
        lay = QVBoxLayout(body)
        lay.setContentsMargins(12, 8, 12, 8)
        lay.setSpacing(4)
        scroll.setWidget(body)
        self.scroll_area = scroll
        outer.addWidget(scroll, 1)

        self.placeholder = QLabel(
            "Select a discrepancy to see why it was expected to pay what it did."
        )
        self.placeholder.setObjectName("detailPlaceholder")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.placeholder.setContentsMargins(24, 24, 24, 24)
        lay.addWidget(self.placeholder)

        self.content = QWidget()
        c = QVBoxLayout(self.content)
        c.setContentsMargins(0, 0, 0, 0)
        c.setSpacing(4)
        # Top-aligned: spare height goes below the content, not between its sections.
        lay.addWidget(self.content, 0, Qt.AlignmentFlag.AlignTop)
        lay.addStretch(1)

        self.title = bold_label("", 1.35, "detailTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("detailSubtitle")
        self.subtitle.setWordWrap(True)
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        c.addWidget(self.title)
        c.addWidget(self.subtitle)

        self.figure_box = Figures()
        self.figures: dict[str, QLabel] = self.figure_box.values
        c.addWidget(self.figure_box)

        c.addWidget(_heading("Why this amount"))
        self.why = QLabel()
        self.why.setObjectName("whyText")
        self.why.setWordWrap(True)
        self.why.setTextFormat(Qt.TextFormat.RichText)
        self.why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.why.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        c.addWidget(self.why)
        # The expected amount line by line: what it is (wrapping) | the amount (right-aligned,
        # always whole). Straight in the column's layout, rebuilt for every explanation.
        self.amounts = QGridLayout()
        self.amounts.setContentsMargins(0, 2, 0, 0)
        self.amounts.setHorizontalSpacing(12)
        self.amounts.setVerticalSpacing(4)
        self.amounts.setColumnStretch(0, 1)
        self.amount_labels: list[tuple[QLabel, QLabel]] = []
        c.addLayout(self.amounts)

        # Unknown members: who might it be? (Straight in the column, not in a nested widget:
        # nested word-wrapped labels get their height wrong.)
        self.who = _heading("Who might this be?")
        self.who_text = QLabel()
        self.who_text.setObjectName("whoText")
        self.who_text.setWordWrap(True)
        self.suggestions = RowsModel(SUGGESTION_COLUMNS)
        self.suggestion_view = _small_table(self.suggestions, "suggestionsView", (3, 1))
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
            c.addWidget(widget)

        c.addWidget(_heading("Paid lines"))
        self.paid_empty = QLabel("Nothing was paid for this member-month.")
        self.paid_empty.setObjectName("paidEmpty")
        c.addWidget(self.paid_empty)
        self.paid_lines = RowsModel(PAID_COLUMNS)
        # The file name gives way (elided in the middle, whole in its tooltip) so row, amount,
        # type and date stay readable.
        self.paid_view = _small_table(self.paid_lines, "paidLinesView", (0, 3))
        self.paid_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        c.addWidget(self.paid_view)

        c.addWidget(_heading("History"))
        self.history = RowsModel(HISTORY_COLUMNS)
        self.history_view = _small_table(self.history, "historyView", (3, 1, 2))
        c.addWidget(self.history_view)

        # The status bar of the pane stays visible below the scrolling part.
        self.action_bar = QFrame()
        self.action_bar.setObjectName("detailActions")
        self.action_bar.setFrameShape(QFrame.Shape.StyledPanel)
        a = QHBoxLayout(self.action_bar)
        a.setContentsMargins(8, 6, 8, 6)
        self.status_combo = QComboBox()
        self.status_combo.setObjectName("detailStatus")
        for s in STATUSES:
            self.status_combo.addItem(fmt.status(s), s)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("detailNote")
        self.note_edit.setPlaceholderText("Add a note (optional)")
        self.note_edit.returnPressed.connect(self._save)
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("detailSave")
        self.save_button.clicked.connect(self._save)
        self.status_combo.setToolTip("The discrepancy's status")
        a.addWidget(self.status_combo)
        a.addWidget(self.note_edit, 1)
        a.addWidget(self.save_button)
        outer.addWidget(self.action_bar)

        self.show_row(None)

    # -- what is shown --------------------------------------------------------------------
    @staticmethod
    def key_of(row: DiscrepancyRow) -> Key:
        return (row.payer_code, row.member_id, row.month)

    def clear_cache(self) -> None:
        """Stored data changed: explanations must be worked out again."""
        self._cache.clear()
        self._generation += 1

    def show_row(self, row: DiscrepancyRow | None, upcoming: Sequence[DiscrepancyRow] = ()) -> None:
        """Show ``row`` at once from what the grid knows; the explanation follows.

        ``upcoming`` are the rows the user is likely to look at next (the grid's neighbours):
        explained while the worker is idle, so moving through the grid feels instant.
        """
        self.row = row
        self._upcoming = [r for r in upcoming if r is not None]
        self.placeholder.setVisible(row is None)
        self.content.setVisible(row is not None)
        self.action_bar.setEnabled(row is not None)
        if row is None:
            self.detail = None
            return
        name = fmt.person(row.last_name, row.first_name)
        if row.kind == "unknown_member":
            self.title.setText(f"Unknown ID {row.member_id}")
        else:
            self.title.setText(name or f"Member {row.member_id}")
        parts = [f"Member ID {row.member_id}" if name else None]
        if row.dob is not None:
            parts.append(f"born {fmt.date(row.dob)}")
        parts += [row.payer_code, f"coverage month {row.month}"]
        self.subtitle.setText(
            f"<b>{html.escape(fmt.kind(row.kind))}</b> · {html.escape(fmt.status(row.status))}"
            "<br>" + html.escape(" · ".join(p for p in parts if p))
        )
        self.figure_box.set_values(
            dollars(row.expected), dollars(row.paid), dollars(row.variance), row.variance < 0
        )
        self.status_combo.setCurrentIndex(max(STATUSES.index(row.status), 0))
        self.note_edit.clear()
        for widget in self._who_widgets:
            widget.setVisible(row.kind == "unknown_member")
        cached = self._cache.get(self.key_of(row))
        if cached is not None:
            self._fill(cached)
        else:
            self.detail = None
            self.why.setText("<i>Working out why…</i>")
            self._set_amounts([])
            self.who_text.setText("Looking for roster members who may be this person…")
            self.suggestions.set_rows([])
            self.paid_lines.set_rows([])
            self.history.set_rows([])
            self.paid_empty.hide()
            self._request()

    def _request(self) -> None:
        """Explain the shown row on the worker (else a neighbour), one request at a time."""
        if self.row is None or self._running is not None:
            return
        wanted = [self.row, *self._upcoming]
        found = next((r for r in wanted if self.key_of(r) not in self._cache), None)
        if found is None:
            return
        row: DiscrepancyRow = found
        key = self.key_of(row)
        self._running = key
        db = self.ctx.db
        gen = self._generation
        self.ctx.tasks.run(
            "Explaining a discrepancy",
            lambda _progress: load_detail(db, row),
            on_success=lambda d: self._arrived(key, d, gen),
            on_failure=lambda exc: self._arrived(key, Detail(None, error_text(exc)[0]), gen),
            on_cancel=lambda: self._arrived(key, None, gen),
            parent=self,
            show_progress=False,
        )

    def _arrived(self, key: Key, detail: Detail | None, generation: int) -> None:
        self._running = None
        if generation != self._generation:  # worked out before the data changed: again
            if detail is not None:
                self._request()
            return
        if detail is not None:
            self._cache[key] = detail
        if self.row is None:
            return
        if self.key_of(self.row) == key and detail is not None:
            self._fill(detail)
        if detail is not None:
            # What is shown now (if the user moved on meanwhile), else the neighbours.
            self._request()

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
        _fit_height(self.paid_view)
        _fit_height(self.history_view)
        if self.row is not None and self.row.kind == "unknown_member":
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
            _fit_height(self.suggestion_view)
            if detail.suggestions:
                self.suggestion_view.selectRow(0)
        self._update_link()

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
            label = QLabel(f"<b>{text}</b>" if line.total else text)
            label.setObjectName("amountLabel")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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
