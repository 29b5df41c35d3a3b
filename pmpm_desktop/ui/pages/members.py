"""Members: find a member, then see their months (expected, paid, verdict) and roster history.

The search runs in SQL a page at a time (``services.member_ledger.MemberSearch``); the selected
member's ledger is recomputed by the engine for that member alone, in the background.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from pmpm_desktop.core.money import ZERO
from pmpm_desktop.db.models import Member
from pmpm_desktop.services.member_ledger import (
    LedgerRow,
    MemberDetail,
    MemberRow,
    MemberSearch,
    search_members,
)
from pmpm_desktop.services.member_ledger import (
    member_detail as load_member_detail,
)
from pmpm_desktop.services.payers import list_payers
from pmpm_desktop.ui import format as fmt
from pmpm_desktop.ui.context import DISCREPANCIES, IMPORTS, MEMBERS, AppContext
from pmpm_desktop.ui.pages.base import (
    ContentOrEmpty,
    EmptyState,
    Page,
    bold_label,
    page_title,
    read_only_table,
)
from pmpm_desktop.ui.table_model import Column, PagedRowsModel, RowsModel

#: how long the search waits after the last key press before it asks the database
SEARCH_DELAY_MS = 300

RESULT_COLUMNS = [
    Column("Payer", lambda r: r.payer_code, sort_key="payer"),
    Column("Member ID", lambda r: r.member_id, sort_key="member_id"),
    Column("Last name", lambda r: r.last_name, sort_key="last_name"),
    Column("First name", lambda r: r.first_name, sort_key="first_name"),
    Column("DOB", lambda r: r.dob, "date", sort_key="dob"),
    Column("Sex", lambda r: r.sex, sort_key="sex"),
    Column(
        "Latest roster",
        lambda r: r.latest_month,
        "month",
        tooltip="The newest roster month that lists the member",
        sort_key="latest_month",
    ),
    Column(
        "Open discrepancies",
        lambda r: r.open_discrepancies,
        "int",
        tooltip="Discrepancies of the member still open or disputed",
        sort_key="open_discrepancies",
    ),
]

LEDGER_COLUMNS = [
    Column("Month", lambda r: r.month, "month"),
    Column(
        "Eligible",
        lambda r: "Yes" if r.eligible else "No",
        tooltip="Eligible this month per the rosters' latest word",
    ),
    Column("Expected", lambda r: r.expected, "money", tooltip="Recomputed from the contract"),
    Column("Paid", lambda r: r.paid, "money", tooltip="Every remittance line, aliases included"),
    Column("Variance", lambda r: r.variance, "money", tooltip="Paid − expected"),
    Column("Kind", lambda r: r.kind, "kind"),
    Column("Status", lambda r: r.status, "status", tooltip="Of the stored discrepancy"),
    Column("Lines", lambda r: r.lines, "int", tooltip="Remittance lines paid for the month"),
]

HISTORY_COLUMNS = [
    Column("Roster month", lambda r: r.roster_month, "month"),
    Column("File", lambda r: r.file_name),
    Column("Imported", lambda r: r.imported_at, "datetime"),
    Column(
        "In use",
        lambda r: "Yes" if r.active else "Replaced",
        tooltip="Replaced: a later import of the same roster month took its place",
    ),
    Column("Product", lambda r: r.product),
    Column("Rate cell", lambda r: r.rate_cell),
    Column("PCP", lambda r: r.pcp),
    Column("Effective", lambda r: r.effective_date, "date"),
    Column("Term", lambda r: r.term_date, "date"),
    Column("Risk score", lambda r: None if r.risk_score is None else str(r.risk_score)),
    Column("Row", lambda r: r.source_row, "int", tooltip="Row of the roster file"),
]


def _table(model: RowsModel, name: str) -> QTableView:
    view = read_only_table(name, model)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setStretchLastSection(False)
    view.setWordWrap(False)
    return view


def _fit_columns(view: QTableView) -> None:
    header = view.horizontalHeader()
    header.resizeSections(QHeaderView.ResizeMode.ResizeToContents)
    for i in range(header.count()):
        header.resizeSection(i, min(header.sectionSize(i) + 12, 260))


class MembersPage(Page):
    key = "members"
    title = "Members"
    depends_on = frozenset({IMPORTS, DISCREPANCIES, MEMBERS})

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        #: (payer, member ID) of the member shown (or being loaded)
        self.selected: tuple[str, str] | None = None
        self.detail: MemberDetail | None = None
        self._loading: tuple[str, str] | None = None
        self._reload_detail = False
        self._reselecting = False

        # -- search bar ----------------------------------------------------------------------
        self.search = QLineEdit()
        self.search.setObjectName("memberSearch")
        self.search.setPlaceholderText(
            "Search by member ID, name (LAST, FIRST or first last) or date of birth"
        )
        self.search.setClearButtonEnabled(True)
        self.payer = QComboBox()
        self.payer.setObjectName("memberPayer")
        self.payer.setMinimumContentsLength(18)
        self.count_label = QLabel()
        self.count_label.setObjectName("memberCount")
        # under the grid, as wide as its text (see _set_count): at the far right of the search
        # bar a narrow window cut it to "1" of "120 members"
        self.count_label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _text: self.timer.start())
        self.search.returnPressed.connect(self.run_search)
        self.payer.currentIndexChanged.connect(lambda _i: self.run_search())

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(QLabel("Payer:"))
        bar.addWidget(self.payer)

        # -- results -------------------------------------------------------------------------
        self.results = PagedRowsModel(RESULT_COLUMNS, MemberSearch(ctx.db), page_size=200)
        self.results_view = _table(self.results, "memberResults")
        # no column sorted at first: the source orders by name; a header click sorts in SQL
        self.results_view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.results_view.setSortingEnabled(True)
        self.results_view.selectionModel().selectionChanged.connect(self._selection_changed)

        # -- one member ----------------------------------------------------------------------
        self.name_label = bold_label("", 1.3, "memberName")
        self.facts_label = QLabel()
        self.facts_label.setObjectName("memberFacts")
        self.facts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.loading_label = QLabel("Loading…")
        self.loading_label.setObjectName("memberLoading")
        self.loading_label.hide()

        self.ledger = RowsModel(LEDGER_COLUMNS)
        self.ledger_view = _table(self.ledger, "memberLedger")
        self.ledger_view.doubleClicked.connect(self._ledger_double_clicked)
        self.ledger_totals = QLabel()
        self.ledger_totals.setObjectName("ledgerTotals")
        hint = QLabel(
            "Expected is recomputed from the rosters and the contract; paid adds every "
            "remittance line, other IDs linked to the member included. Double-click a month "
            "with a discrepancy to open it on the Reconciliation page."
        )
        hint.setWordWrap(True)
        hint.setObjectName("ledgerHint")
        ledger_tab = QWidget()
        lt = QVBoxLayout(ledger_tab)
        lt.addWidget(self.ledger_view, 1)
        lt.addWidget(self.ledger_totals)
        lt.addWidget(hint)

        self.history = RowsModel(HISTORY_COLUMNS)
        self.history_view = _table(self.history, "memberHistory")
        self.aliases_label = QLabel()
        self.aliases_label.setObjectName("memberAliases")
        self.aliases_label.setWordWrap(True)
        history_tab = QWidget()
        ht = QVBoxLayout(history_tab)
        ht.addWidget(self.history_view, 1)
        ht.addWidget(self.aliases_label)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("memberTabs")
        self.tabs.addTab(ledger_tab, "Ledger")
        self.tabs.addTab(history_tab, "Eligibility history")

        member_panel = QWidget()
        mp = QVBoxLayout(member_panel)
        mp.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.name_label)
        header.addStretch(1)
        header.addWidget(self.loading_label)
        mp.addLayout(header)
        mp.addWidget(self.facts_label)
        mp.addWidget(self.tabs, 1)
        self.no_member = QLabel("Select a member above to see their months and roster history.")
        self.no_member.setObjectName("noMemberSelected")
        self.no_member.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail_stack = QStackedWidget()
        self.detail_stack.addWidget(self.no_member)
        self.detail_stack.addWidget(member_panel)
        self.member_panel = member_panel

        results_panel = QWidget()
        rp = QVBoxLayout(results_panel)
        rp.setContentsMargins(0, 0, 0, 0)
        rp.setSpacing(2)
        rp.addWidget(self.results_view, 1)
        rp.addWidget(self.count_label)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(results_panel)
        splitter.addWidget(self.detail_stack)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addLayout(bar)
        cl.addWidget(splitter, 1)

        self.empty = EmptyState(
            "No members yet — import a roster",
            "Members appear here once a payer's roster is imported. Each member's months show "
            "what the contract says the payer owes, what it paid, and every difference.",
            [("Import a roster…", self._import_roster)],
        )
        self.body = ContentOrEmpty(content, self.empty)
        layout = QVBoxLayout(self)
        heading = page_title("Members")
        layout.addWidget(heading)
        layout.addWidget(self.body, 1)

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        with self.ctx.db.sessions() as s:
            any_members = bool(s.scalar(select(func.count(Member.id))))
        self._fill_payers()
        self.body.show_empty(not any_members)
        if not any_members:
            self._clear_detail()
            return
        self.run_search()
        if self.selected is not None:
            self._load_detail(*self.selected)

    def _fill_payers(self) -> None:
        current = self.payer.currentData()
        self.payer.blockSignals(True)
        self.payer.clear()
        self.payer.addItem("All payers", None)
        for p in list_payers(self.ctx.db):
            self.payer.addItem(f"{p.code} — {p.name}", p.code)
        found = self.payer.findData(current)
        self.payer.setCurrentIndex(max(found, 0))
        self.payer.blockSignals(False)

    def run_search(self) -> None:
        """Search now (the timer calls this 300 ms after the last key press)."""
        self.timer.stop()
        source = search_members(self.ctx.db, self.search.text(), self.payer.currentData())
        self.results.source = source
        self.results.reload()
        total = self.results.total
        self._set_count(
            "No member matches" if total == 0 else f"{total:,} member{'s' if total != 1 else ''}"
        )
        _fit_columns(self.results_view)
        self._reselect()

    def _set_count(self, text: str) -> None:
        """The results count, its minimum width taken from the text so a layout never cuts it."""
        self.count_label.setText(text)
        margins = self.count_label.contentsMargins()
        width = self.count_label.fontMetrics().horizontalAdvance(text)
        self.count_label.setMinimumWidth(width + margins.left() + margins.right() + 4)

    def _reselect(self) -> None:
        """Keep the shown member selected after a new search, if it is among the results."""
        if self.selected is None:
            return
        for i, row in enumerate(self.results.rows):
            if (row.payer_code, row.member_id) == self.selected:
                self._reselecting = True  # the member is shown already: no new load
                try:
                    self.results_view.selectRow(i)
                finally:
                    self._reselecting = False
                return

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = {i.row() for i in selected.indexes()}
        if not rows or self._reselecting:
            return
        row: MemberRow = self.results.row(min(rows))
        self.select_member(row.payer_code, row.member_id)

    def select_member(self, payer_code: str, member_id: str) -> None:
        """Show one member (loaded in the background)."""
        self.selected = (payer_code, member_id)
        self._load_detail(payer_code, member_id)

    def _load_detail(self, payer_code: str, member_id: str) -> None:
        if self._loading is not None:
            # one load at a time: the newest selection is loaded when this one reports back
            self._reload_detail = True
            return
        self._loading = (payer_code, member_id)
        self.loading_label.show()
        db = self.ctx.db
        self.ctx.tasks.run(
            f"Loading member {member_id}",
            lambda _progress: load_member_detail(db, payer_code, member_id),
            on_success=self._detail_loaded,
            on_failure=self._detail_failed,
            parent=self,
            show_progress=False,
            cancellable=False,
        )

    def _finish_load(self) -> bool:
        """True when the result is still wanted (no other member was chosen meanwhile)."""
        loaded, self._loading = self._loading, None
        self.loading_label.hide()
        if self._reload_detail or loaded != self.selected:
            self._reload_detail = False
            if self.selected is not None:
                self._load_detail(*self.selected)
            return False
        return True

    def _detail_loaded(self, detail: MemberDetail) -> None:
        if not self._finish_load():
            return
        self.show_detail(detail)

    def _detail_failed(self, exc: BaseException) -> None:
        if not self._finish_load():
            return
        from pmpm_desktop.ui.dialogs import error_text

        self.detail = None
        self.detail_stack.setCurrentWidget(self.no_member)
        self.no_member.setText(f"This member could not be shown: {error_text(exc)[0]}")

    def show_detail(self, detail: MemberDetail) -> None:
        self.detail = detail
        info = detail.info
        name = fmt.person(info.last_name, info.first_name)
        self.name_label.setText(name or f"Member {info.member_id}")
        facts = [f"Member ID {info.member_id}"]
        if info.dob is not None:
            facts.append(f"born {fmt.date(info.dob)}")
        if info.sex:
            facts.append({"M": "male", "F": "female"}.get(info.sex, f"sex {info.sex}"))
        facts.append(f"{info.payer_name} ({info.payer_code})")
        if not info.on_roster:
            facts.append("paid under this ID, but on no roster (an unknown member)")
        self.facts_label.setText(" · ".join(facts))
        self.ledger.set_rows(detail.ledger)
        self.history.set_rows(detail.history.rows)
        _fit_columns(self.ledger_view)
        _fit_columns(self.history_view)
        self.ledger_totals.setText(_ledger_totals(detail.ledger))
        aliases = detail.history.aliases
        if aliases:
            listed = ", ".join(
                f"{a.alias_id} (linked {fmt.timestamp(a.linked_at)})" for a in aliases
            )
            self.aliases_label.setText(f"Other IDs the payer paid this member under: {listed}")
        else:
            self.aliases_label.setText("No other payer IDs are linked to this member.")
        if not detail.history.rows:
            self.aliases_label.setText(
                "No roster lists this ID. " + self.aliases_label.text()
                if info.on_roster
                else "No roster lists this ID: link it to a roster member on the "
                "Reconciliation page."
            )
        self.detail_stack.setCurrentWidget(self.member_panel)

    def _clear_detail(self) -> None:
        self.selected = None
        self.detail = None
        self.ledger.set_rows([])
        self.history.set_rows([])
        self.detail_stack.setCurrentWidget(self.no_member)

    # -- acting -------------------------------------------------------------------------------
    def _ledger_double_clicked(self, index: QModelIndex) -> None:
        if not index.isValid() or self.detail is None:
            return
        row: LedgerRow = self.ledger.row(index.row())
        if not row.is_discrepancy:
            self.ctx.status_message.emit(f"{row.month}: no discrepancy for this month")
            return
        info = self.detail.info
        self.ctx.navigate.emit(
            "reconciliation",
            {"payer": info.payer_code, "text": info.member_id, "month": str(row.month)},
        )

    def apply_filters(self, filters: dict[str, Any]) -> None:
        """``{"payer": code, "text": search}``, or ``{"payer": code, "member": ID}`` to open
        that member (also one that is only paid, on no roster)."""
        if "payer" in filters:
            found = self.payer.findData(filters["payer"])
            self.payer.blockSignals(True)
            self.payer.setCurrentIndex(max(found, 0))
            self.payer.blockSignals(False)
        text = filters.get("text", filters.get("member"))
        if text is not None:
            self.search.blockSignals(True)
            self.search.setText(str(text))
            self.search.blockSignals(False)
        self.run_search()
        if self.results.total == 1:
            self.results_view.selectRow(0)
        elif filters.get("member") and filters.get("payer"):
            # an ID the payer paid but no roster lists is no search result: open it directly
            self.select_member(str(filters["payer"]), str(filters["member"]))

    def _import_roster(self) -> None:
        from pmpm_desktop.ui.import_wizard import open_import_wizard

        open_import_wizard(self.ctx, self, kind="roster")


def _ledger_totals(rows: list[LedgerRow]) -> str:
    if not rows:
        return "No months to show."
    expected = sum((r.expected for r in rows), ZERO)
    paid = sum((r.paid for r in rows), ZERO)
    differing = sum(1 for r in rows if r.is_discrepancy)
    months = (
        f"{len(rows)} month{'s' if len(rows) != 1 else ''} ({rows[0].month} to {rows[-1].month})"
    )
    diffs = "no discrepancy" if not differing else f"{differing} with a discrepancy"
    return (
        f"{months}: expected {fmt.money(expected)}, paid {fmt.money(paid)}, "
        f"variance {fmt.money(paid - expected)}; {diffs}"
    )
