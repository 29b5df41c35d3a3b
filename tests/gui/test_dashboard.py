"""The dashboard, driven like a user: figures on the demo practice, clicks, the empty state."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pmpm_desktop.services.discrepancies import discrepancy_rows
from pmpm_desktop.services.overview import overview
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.format import kind as kind_label
from pmpm_desktop.ui.pages.dashboard import DashboardPage, dollars
from tests.gui.conftest import screenshot


def _page(ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]) -> DashboardPage:
    page = DashboardPage(ctx)
    qtbot.addWidget(page)
    page.resize(1180, 980)
    page.show()
    page.refresh()
    wait_task()
    return page


def _cell(model: object, row: int, column: int) -> str:
    return model.data(model.index(row, column))  # type: ignore[attr-defined]


def test_demo_figures_are_shown(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], qtmodeltester
) -> None:
    page = _page(ctx, qtbot, wait_task)
    assert not page.stack.is_empty
    for model in (page.payer_model, page.attention_model, page.kind_model, page.files_model):
        qtmodeltester.check(model)
    o = page.overview
    assert o is not None and len(o.payers) == 3

    # Expected and paid: what a stored reconciliation of the same months gives.
    expected = paid = Decimal("0.00")
    for p in o.payers:
        summary = reconcile(ctx.db, p.code, p.first, p.last)
        expected += summary.expected
        paid += summary.paid
    assert page.tiles["expected"].value.text() == dollars(expected)
    assert page.tiles["paid"].value.text() == dollars(paid)
    assert page.tiles["difference"].value.text() == dollars(paid - expected)
    assert page.tiles["expected"].value.text().startswith("$")

    open_rows = discrepancy_rows(ctx.db, status="open")
    assert page.tiles["open"].value.text() == f"{len(open_rows):,}"
    assert page.tiles["disputed"].value.text() == "0"
    members = sum(p.members for p in o.payers)
    assert page.tiles["members"].value.text() == f"{members:,}"
    for p in o.payers:
        assert f"{p.code} {p.members:,}" in page.tiles["members"].caption.text()

    # The by-payer table: one row per payer, money with $ and right-aligned.
    assert page.payer_model.rowCount() == 3
    assert _cell(page.payer_model, 0, 4).startswith("$")
    alignment = page.payer_model.data(
        page.payer_model.index(0, 4), Qt.ItemDataRole.TextAlignmentRole
    )
    assert alignment & Qt.AlignmentFlag.AlignRight

    # Open by kind: the counts of discrepancy_rows, kinds in words.
    shown = {
        _cell(page.kind_model, r, 0): int(_cell(page.kind_model, r, 1))
        for r in range(page.kind_model.rowCount())
    }
    by_kind: dict[str, int] = {}
    for row in open_rows:
        by_kind[kind_label(row.kind)] = by_kind.get(kind_label(row.kind), 0) + 1
    assert shown == by_kind
    assert "Not eligible" in shown

    # Latest files: the five most recent imports, newest first.
    assert page.files_model.rowCount() == 5
    assert _cell(page.files_model, 0, 2) == "Statement, paid 2026-06-15"
    # Everything reconciled: no next step to suggest.
    assert page.hint_box.isHidden()
    screenshot(page, "dashboard-demo")


def test_needs_attention_click_opens_reconciliation_filtered(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    page = _page(ctx, qtbot, wait_task)
    model = page.attention_model
    assert model.rowCount() > 0
    first = model.row(0)
    # The biggest open group: no other payer × kind has more money at stake.
    stakes: dict[tuple[str, str], Decimal] = {}
    for row in discrepancy_rows(ctx.db, status="open"):
        key = (row.payer_code, row.kind)
        stakes[key] = stakes.get(key, Decimal("0.00")) + row.variance
    assert abs(first.amount) == max(abs(v) for v in stakes.values())
    assert first.amount == stakes[(first.payer_code, first.kind)]

    second = 1
    item = model.row(second)
    rect = page.attention_table.visualRect(model.index(second, 1))
    with qtbot.waitSignal(ctx.navigate) as blocker:
        qtbot.mouseClick(
            page.attention_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
        )
    assert blocker.args == [
        "reconciliation",
        {"payer": item.payer_code, "kind": item.kind, "status": "open"},
    ]


def test_disputed_and_resolved_tiles_follow_status_changes(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    from pmpm_desktop.services.discrepancies import set_status

    rows = discrepancy_rows(ctx.db, status="open")
    disputed, resolved = rows[:3], rows[3:5]
    for r in disputed:
        set_status(ctx.db, r.payer_code, r.member_id, r.month, "disputed", "called the payer")
    for r in resolved:
        set_status(ctx.db, r.payer_code, r.member_id, r.month, "resolved")
    page = _page(ctx, qtbot, wait_task)
    assert page.tiles["disputed"].value.text() == "3"
    amount = sum(r.variance for r in disputed)
    assert dollars(abs(amount)) in page.tiles["disputed"].caption.text()
    assert page.tiles["resolved"].value.text() == "2"
    assert page.tiles["open"].value.text() == f"{len(rows) - 5:,}"


def test_hints_for_partial_data(
    ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    from pmpm_desktop.core.month import Month
    from pmpm_desktop.services.payers import ContractSpec, add_contract, add_payer

    add_payer(ctx.db, "ACME", "Acme Health")
    add_payer(ctx.db, "ZED", "Zed Care")
    add_contract(ctx.db, "ZED", ContractSpec("Medicaid", Month(2026, 1)))
    page = _page(ctx, qtbot, wait_task)
    assert not page.stack.is_empty
    assert page.hint_box.isVisibleTo(page)
    names = {b.objectName(): b for b in page.hint_buttons}
    assert set(names) == {
        "hint_payers_ACME",
        "hint_import_roster_ACME",
        "hint_import_rates_ZED",
        "hint_import_roster_ZED",
    }
    with qtbot.waitSignal(ctx.navigate) as blocker:
        qtbot.mouseClick(names["hint_payers_ACME"], Qt.MouseButton.LeftButton)
    assert blocker.args == ["payers", {"payer": "ACME"}]
    # "Import rates…" opens the import wizard for a rate exhibit.
    from pmpm_desktop.ui.import_wizard import ImportWizard

    qtbot.mouseClick(names["hint_import_rates_ZED"], Qt.MouseButton.LeftButton)
    wizard = page.findChild(ImportWizard)
    assert wizard is not None and wizard.isVisible() and wizard.kind == "rates"
    wizard.close()
    assert page.tiles["expected"].value.text() == "—"
    assert page.attention_empty.isVisibleTo(page)
    screenshot(page, "dashboard-partial")


def test_empty_state_builds_the_demo(
    ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    page = _page(ctx, qtbot, wait_task)
    assert page.stack.is_empty
    assert page.empty.heading.text() == "Welcome to PMPM Desktop"
    screenshot(page, "dashboard-empty")
    # The main window refreshes the current page when data changes; stand in for it here.
    ctx.data_changed.connect(lambda _what: page.refresh())
    qtbot.mouseClick(page.demo_button, Qt.MouseButton.LeftButton)
    assert not page.demo_button.isEnabled()
    wait_task(120_000)
    assert not page.stack.is_empty
    o = overview(ctx.db)
    assert [p.code for p in o.payers] == ["BAY", "HCA", "SUN"]
    assert all(p.members > 0 for p in o.payers)
    assert page.tiles["members"].value.text() == f"{o.members:,}"
    caption = page.tiles["members"].caption.text()
    for p in o.payers:
        assert f"{p.code} {p.members:,}" in caption
    assert page.demo_button.isEnabled()


def test_add_first_payer_navigates(
    ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    page = _page(ctx, qtbot, wait_task)
    with qtbot.waitSignal(ctx.navigate) as blocker:
        qtbot.mouseClick(page.add_payer_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == "payers"


def test_stale_discrepancies_suggest_reconciling(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    from sqlalchemy import delete

    from pmpm_desktop.db.models import Discrepancy, DiscrepancyEvent, Payer

    with ctx.db.sessions.begin() as s:
        sun = s.query(Payer).filter_by(code="SUN").one()
        ids = [d.id for d in s.query(Discrepancy).filter_by(payer_id=sun.id).limit(2)]
        s.execute(delete(DiscrepancyEvent).where(DiscrepancyEvent.discrepancy_id.in_(ids)))
        s.execute(delete(Discrepancy).where(Discrepancy.id.in_(ids)))
    page = _page(ctx, qtbot, wait_task)
    names = [b.objectName() for b in page.hint_buttons]
    assert names == ["hint_reconcile_SUN"]
    with qtbot.waitSignal(ctx.navigate) as blocker:
        qtbot.mouseClick(page.hint_buttons[0], Qt.MouseButton.LeftButton)
    assert blocker.args == ["reconciliation", {"payer": "SUN"}]
