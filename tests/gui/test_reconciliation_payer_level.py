"""The Reconciliation page's month summary when a payer paid without members (SPEC §7: an 835's
PLB): the payer-level columns appear beside the variance for that payer only, with a caption
saying what they are; every other payer's summary looks as it always did. The Dashboard's
Paid tile says what was paid without members beside the member-level figure."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from pmpm_desktop.core.month import Month
from pmpm_desktop.services.demo import FIRST, LAST
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.ui.format import money
from pmpm_desktop.ui.pages.dashboard import DashboardPage, dollars
from pmpm_desktop.ui.pages.reconciliation import ReconciliationPage
from tests.unit.payer_payments import store_statement

from .conftest import screenshot
from .test_reconciliation_page import choose, open_page

PAYMENTS = [
    ("2026-04", "CT", "RA202604", "2450.00"),
    ("2026-04", "E3", "RA202604", "-49.00"),
    ("2026-05", "CT", "RA202605", "2450.00"),
    ("2026-05", "CR", None, "3.17"),
]
PAID_AT_PAYER_LEVEL, WITHHOLD = "Paid at payer level", "Withhold: payer / contract"


def headers(page: ReconciliationPage) -> dict[str, int]:
    """The summary's column titles the user sees (a two-line one read as one) → their column."""
    model, view = page.summary_model, page.summary_view
    return {
        model.headerData(c, Qt.Orientation.Horizontal).replace("\n", " "): c
        for c in range(model.columnCount())
        if not view.isColumnHidden(c)
    }


def cell(page: ReconciliationPage, month: Month | None, title: str, payer: str = "SUN") -> str:
    """The text of a month's cell of ``payer`` (the totals line for ``month`` None)."""
    at = next(
        i
        for i, ln in enumerate(page.summary_model.rows)
        if (ln.is_total if month is None else (ln.month, ln.payer_code) == (month, payer))
    )
    return page.summary_model.index(at, headers(page)[title]).data()


def test_the_payer_level_columns_show_for_a_payer_paid_without_members(  # type: ignore[no-untyped-def]
    demo_db, ctx, qtbot, wait_task
) -> None:
    store_statement(ctx.db, "SUN", "sun-capitation.835", payments=PAYMENTS)
    page = open_page(ctx, qtbot, wait_task)
    choose(page.payer_combo, "SUN")
    wait_task()
    titles = list(headers(page))
    assert titles[titles.index("Variance") + 1 : titles.index("Variance") + 3] == [
        PAID_AT_PAYER_LEVEL,
        WITHHOLD,
    ]
    months = {m.month: m for m in reconcile(ctx.db, "SUN", FIRST, LAST).months}
    april, may = months[Month(2026, 4)].payer_level, months[Month(2026, 5)].payer_level
    assert april is not None and may is not None
    assert cell(page, Month(2026, 4), PAID_AT_PAYER_LEVEL) == "2,401.00"
    assert cell(page, Month(2026, 4), WITHHOLD) == f"49.00 / {money(april.withhold_contract)}"
    assert cell(page, Month(2026, 5), PAID_AT_PAYER_LEVEL) == "2,453.17"
    assert cell(page, Month(2026, 5), WITHHOLD) == f"0.00 / {money(may.withhold_contract)}"
    # months without payer-level payments are blank, not 0.00
    assert cell(page, Month(2026, 1), PAID_AT_PAYER_LEVEL) == ""
    assert cell(page, Month(2026, 1), WITHHOLD) == ""
    assert cell(page, None, PAID_AT_PAYER_LEVEL) == "4,854.17"
    total_withhold = april.withhold_contract + may.withhold_contract
    assert cell(page, None, WITHHOLD) == f"49.00 / {money(total_withhold)}"
    assert cell(page, Month(2026, 4), "Paid") == money(months[Month(2026, 4)].paid)

    column = headers(page)[PAID_AT_PAYER_LEVEL]
    april_row = next(
        i for i, ln in enumerate(page.summary_model.rows) if ln.month == Month(2026, 4)
    )
    tip = page.summary_model.index(april_row, column).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("$2,401.00 paid without members for 2026-04: ")
    assert "CT (capitation payment) $2,450.00" in tip and "E3 (withholding) −$49.00" in tip
    header_tip = page.summary_model.headerData(
        column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    assert "835 PLB" in header_tip and "no part in the member kinds" in header_tip
    note = page.summary_note.text()
    assert "Paid at payer level: payments without members (835 PLB: CT capitation" in note
    assert "they take no part in the member kinds" in note
    assert page.summary_totals.text().endswith("· Paid at payer level $4,854.17")
    screenshot(page, "reconciliation-payer-level")
    # a kind's count still filters the grid (the kind columns moved right by two)
    lines = page.summary_model.rows
    at = next(i for i, ln in enumerate(lines) if ln.payer_level and ln.counts["missing"])
    index = page.summary_model.index(at, headers(page)["Missing"])
    rect = page.summary_view.visualRect(index)
    qtbot.mouseClick(page.summary_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_task()
    assert page.kind_combo.currentData() == "missing"
    assert page.month_combo.currentData() == lines[at].month
    page.grid_model.fetch_all()
    assert {(r.kind, r.month) for r in page.grid_model.rows} == {("missing", lines[at].month)}

    choose(page.payer_combo, "BAY")  # never paid at payer level: the summary as always
    wait_task()
    assert PAID_AT_PAYER_LEVEL not in headers(page) and WITHHOLD not in headers(page)
    assert "payer level" not in page.summary_note.text()
    assert "payer level" not in page.summary_totals.text()

    choose(page.payer_combo, None)  # every payer: shown, blank on the other payers' months
    wait_task()
    assert PAID_AT_PAYER_LEVEL in headers(page)
    assert cell(page, Month(2026, 4), PAID_AT_PAYER_LEVEL, payer="BAY") == ""
    assert cell(page, Month(2026, 4), PAID_AT_PAYER_LEVEL, payer="SUN") == "2,401.00"
    assert cell(page, None, PAID_AT_PAYER_LEVEL) == "4,854.17"


def test_a_summary_reconciled_on_the_page_keeps_the_payer_level_columns(  # type: ignore[no-untyped-def]
    demo_db, ctx, qtbot, wait_task
) -> None:
    store_statement(ctx.db, "SUN", "sun-capitation.835", payments=PAYMENTS)
    page = open_page(ctx, qtbot, wait_task)
    choose(page.payer_combo, "SUN")
    wait_task()
    qtbot.mouseClick(page.reconcile_button, Qt.MouseButton.LeftButton)
    wait_task()
    assert "reconciled just now" in page.summary_note.text()
    assert cell(page, Month(2026, 4), PAID_AT_PAYER_LEVEL) == "2,401.00"
    assert cell(page, None, PAID_AT_PAYER_LEVEL) == "4,854.17"
    assert sum(
        (ln.payer_level.paid for ln in page.summary_model.rows[:-1] if ln.payer_level),
        Decimal("0.00"),
    ) == Decimal("4854.17")


def test_the_dashboard_says_what_was_paid_without_members(  # type: ignore[no-untyped-def]
    demo_db, ctx, qtbot, wait_task
) -> None:
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1180, 980)
    page.show()
    page.refresh()
    wait_task()
    paid = page.tiles["paid"]
    assert paid.caption.text() == "by the payers for the same months"
    assert paid.toolTip() == ""

    store_statement(ctx.db, "SUN", "sun-capitation.835", payments=PAYMENTS)
    page.refresh()
    wait_task()
    assert page.overview is not None and page.overview.payer_level_paid == Decimal("4854.17")
    assert paid.value.text() == dollars(page.overview.paid)  # member level, as before
    assert paid.caption.text() == (
        "by the payers for the same months, and $4,854.17 without members"
    )
    assert "835 PLB" in paid.toolTip() and "no part in the member kinds" in paid.toolTip()
