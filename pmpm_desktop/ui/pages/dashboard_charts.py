"""The Dashboard's charts (expected and paid by month, members by payer and month, what is owed
to the practice by days since due) and the open discrepancies by kind. A click on a bar or a
point asks for the matching discrepancies on the Reconciliation page (``open_items``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLabel, QVBoxLayout, QWidget

from pmpm_desktop.core.age import AGE_TITLE, BUCKETS, bucket_label
from pmpm_desktop.core.summary import Kind
from pmpm_desktop.services.overview import Overview, Tally
from pmpm_desktop.ui import format
from pmpm_desktop.ui.charts import BarChart, LineChart, Series
from pmpm_desktop.ui.pages.dashboard_layout import ChartCard, ReflowGrid, note_label, section_title
from pmpm_desktop.ui.pages.dashboard_tables import KIND_COLUMNS, CompactTable, DollarModel

#: the statuses a chart click opens: what is still being worked (the Reconciliation page's word)
ACTIVE = "active"
#: the narrowest a card gets before the cards go one under the other (the kind table's four
#: columns whole: no kind is ever elided)
CHART_WIDTH = 410

_AGING_NOTE = (
    "What the payers owe the practice on open and disputed items, by {age} (as of {as_of}). "
    "Money owed back to payers has its own tile. Click a bar to work that payer's items."
)


def _money_note(o: Overview) -> str:
    """How to read the expected-and-paid chart, naming the months only some payers have files
    for (their points are those payers' sums, not a drop)."""
    payers = [p for p in o.payers if p.months]
    partial = []
    for month in sorted({m.month for p in payers for m in p.months}):
        having = [p.code for p in payers if any(m.month == month for m in p.months)]
        if len(having) < len(payers):
            partial.append(f"{month}: {', '.join(having)} only")
    text = "All payers."
    if partial:
        text = f"All payers with files for the month ({'; '.join(partial)})."
    return f"{text} Click a point to see that month's open discrepancies."


class DashboardCharts(ReflowGrid):
    """Three chart cards and the open-by-kind card, two per row (one in a narrow window)."""

    #: Reconciliation page filters of the items a click asks for
    open_items = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(CHART_WIDTH, 2, parent=parent)
        self.setObjectName("chartsBox")
        self.money_chart = LineChart(
            "Expected and paid by month",
            "money",
            empty_text="No payment statement yet: import one to compare with what was expected.",
        )
        self.money_chart.setObjectName("moneyChart")
        self.members_chart = BarChart(
            "Members by payer and month",
            "count",
            empty_text="No month reconciled yet: members appear once rosters and a statement "
            "are imported.",
        )
        self.members_chart.setObjectName("membersChart")
        self.aging_chart = BarChart(
            f"Owed to the practice by {AGE_TITLE.lower()}",
            "money",
            stacked=True,
            empty_text="Nothing open or disputed is owed to the practice.",
        )
        self.aging_chart.setObjectName("agingChart")
        self.money_chart.clicked.connect(self._money_clicked)
        self.members_chart.clicked.connect(self._members_clicked)
        self.aging_chart.clicked.connect(self._aging_clicked)
        self.money_card = ChartCard(
            "Expected and paid by month",
            "All payers. Click a point to see that month's open discrepancies.",
            self.money_chart,
        )
        self.members_card = ChartCard(
            "Members by month",
            "Eligible members by payer, in the months it has files for. Click a bar to see "
            "that payer's month.",
            self.members_chart,
        )
        self.aging_card = ChartCard(
            f"Owed to the practice by {AGE_TITLE.lower()}",
            _AGING_NOTE.format(age=AGE_TITLE.lower(), as_of="today"),
            self.aging_chart,
        )
        self.kind_model = DollarModel(KIND_COLUMNS)
        self.kind_table = CompactTable(self.kind_model, text=0, elide=False)
        self.kind_table.setObjectName("kindTable")
        self.kind_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.kind_empty = QLabel("No open discrepancy.")
        self.kind_empty.hide()
        for card in (self.money_card, self.members_card, self.aging_card, self._kind_card()):
            self.add(card)

    def _kind_card(self) -> QFrame:
        card = QFrame()
        card.setObjectName("chartCard")
        layout = QVBoxLayout(card)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)
        layout.addWidget(section_title("Open discrepancies by kind"))
        layout.addWidget(note_label("Everything still open, over all payers and months."))
        layout.addWidget(self.kind_table)
        layout.addWidget(self.kind_empty)
        layout.addStretch(1)
        return card

    @property
    def charts(self) -> tuple[BarChart | LineChart, ...]:
        return (self.money_chart, self.members_chart, self.aging_chart)

    def show_overview(self, o: Overview) -> None:
        monthly = o.monthly()
        self.money_card.note.setText(_money_note(o))
        self.money_chart.set_data(
            [(str(m), format.month(m)) for m, _e, _p in monthly],
            [
                Series("expected", "Expected", tuple(e for _m, e, _p in monthly), dashed=True),
                Series("paid", "Paid", tuple(p for _m, _e, p in monthly)),
            ],
        )
        months = sorted({m.month for p in o.payers for m in p.months})
        members = []
        for p in o.payers:
            if p.months:
                eligible = {m.month: m.eligible_members for m in p.months}
                members.append(Series(p.code, p.name, tuple(eligible.get(m) for m in months)))
        self.members_chart.set_data([(str(m), format.month(m)) for m in months], members)
        self.aging_chart.set_data(
            [(b, bucket_label(b)) for b in BUCKETS],
            [
                Series(
                    r.payer_code,
                    r.payer_name,
                    tuple(r.amounts[b] if r.counts[b] else None for b in BUCKETS),
                )
                for r in o.owed_by_age
                if r.count
            ],
        )
        as_of = format.date(o.as_of) if o.as_of else "today"
        self.aging_card.note.setText(_AGING_NOTE.format(age=AGE_TITLE.lower(), as_of=as_of))
        kinds: list[tuple[Kind, Tally]] = [(k, t) for k, t in o.open_by_kind().items() if t.count]
        self.kind_model.set_rows(kinds)
        self.kind_table.setVisible(bool(kinds))
        self.kind_empty.setVisible(not kinds)
        self.setVisible(bool(kinds) or not all(c.is_empty for c in self.charts))

    # -- clicks: the matching discrepancies on the Reconciliation page ------------------------
    def _ask(self, filters: dict[str, Any]) -> None:
        self.open_items.emit(filters)

    def _money_clicked(self, _series: str, month: str) -> None:
        """Expected or paid of a month (all payers): that month's open and disputed items."""
        self._ask({"payer": "", "month": month, "status": ACTIVE})

    def _members_clicked(self, payer: str, month: str) -> None:
        self._ask({"payer": payer, "month": month, "status": ACTIVE})

    def _aging_clicked(self, payer: str, _bucket: str) -> None:
        """A payer's bucket: its open and disputed items (the Reconciliation page has no age
        filter, so every age of that payer is listed)."""
        self._ask({"payer": payer, "status": ACTIVE})
