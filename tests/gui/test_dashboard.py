"""The dashboard, driven like a user: figures on the demo practice, clicks, the empty state."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.clock import now
from pmpm_desktop.core.summary import (
    RECOVERED_DEFINITION,
    RECOVERED_RULE,
    RECOVERED_TITLE,
    recovered_caption,
)
from pmpm_desktop.services.discrepancies import discrepancy_rows
from pmpm_desktop.services.overview import overview
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.format import kind as kind_label
from pmpm_desktop.ui.main_window import MainWindow
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


def _in_window(
    ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> tuple[MainWindow, DashboardPage]:
    """The main window at 1280×800, showing the dashboard once it has read its figures."""
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    page = window.go_to("dashboard")
    wait_task()
    assert isinstance(page, DashboardPage)
    return window, page


def _cell(model: object, row: int, column: int) -> str:
    return model.data(model.index(row, column))  # type: ignore[attr-defined]


def _title(model: object, column: int) -> str:
    """A column's header as read (its two lines as one)."""
    text = model.headerData(column, Qt.Orientation.Horizontal)  # type: ignore[attr-defined]
    return str(text).replace("\n", " ")


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
    assert page.tiles["expected"].value.text().startswith("$")

    # what is owed, each way apart: never one netted figure
    open_rows = discrepancy_rows(ctx.db, status="open")
    short = sum((-r.variance for r in open_rows if r.variance < 0), Decimal("0.00"))
    over = sum((r.variance for r in open_rows if r.variance > 0), Decimal("0.00"))
    assert short > 0 and over > 0
    assert page.tiles["owed_to_practice"].value.text() == dollars(short)
    assert page.tiles["owed_to_payers"].value.text() == dollars(over)
    headings = [t.heading.text() for t in page.tiles.values()]
    assert "OWED TO THE PRACTICE" in headings and "OWED BACK TO PAYERS" in headings
    assert not {"OPEN AMOUNT", "DIFFERENCE"} & set(headings)
    # kept on one line each when the caption wraps: no-break spaces and a word joiner
    caption = page.tiles["owed_to_practice"].caption.text()
    caption = caption.replace("\u00a0", " ").replace("\u2060", "")
    missing = sum((-r.variance for r in open_rows if r.kind == "missing"), Decimal("0.00"))
    assert caption.startswith(f"missing {dollars(missing)}")  # the biggest kind, its amount
    tip = page.tiles["owed_to_practice"].toolTip()
    assert tip.startswith("What the payers owe the practice on open and disputed items")
    assert f"missing {dollars(missing)}" in tip
    tip = page.tiles["owed_to_payers"].toolTip()
    assert tip.startswith("What the practice may owe back on open and disputed items")
    assert page.tiles["disputed"].value.text() == "0"
    members = sum(p.members for p in o.payers)
    assert page.tiles["members"].value.text() == f"{members:,}"
    for p in o.payers:
        assert f"{p.code}\u00a0{p.members:,}" in page.tiles["members"].caption.text()

    # The by-payer table: one row per payer, money with $ and right-aligned, owed each way.
    assert page.payer_model.rowCount() == 3
    titles = [_title(page.payer_model, c) for c in range(page.payer_model.columnCount())]
    assert titles[3:7] == ["Expected", "Paid", "Owed to the practice", "Owed back to the payer"]
    assert "Paid − expected" not in titles
    for row, p in enumerate(o.payers):
        mine = [r for r in open_rows if r.payer_code == p.code]
        owed = sum((-r.variance for r in mine if r.variance < 0), Decimal("0.00"))
        assert _cell(page.payer_model, row, 5) == dollars(owed)
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
    caption = page.tiles["disputed"].caption.text().replace("\u00a0", " ")
    short = sum((-r.variance for r in disputed if r.variance < 0), Decimal("0.00"))
    over = sum((r.variance for r in disputed if r.variance > 0), Decimal("0.00"))
    for amount, words in ((short, "owed to the practice"), (over, "owed back")):
        assert (f"{dollars(amount)} {words}" in caption) == bool(amount)
    assert page.tiles["resolved"].value.text() == "2"
    # disputed items are still owed: the owed tiles count them, the resolved ones not
    waiting = discrepancy_rows(ctx.db, status="open") + discrepancy_rows(ctx.db, status="disputed")
    owed = sum((-r.variance for r in waiting if r.variance < 0), Decimal("0.00"))
    assert page.tiles["owed_to_practice"].value.text() == dollars(owed)
    # disputes not settled yet recovered nothing
    assert page.tiles["recovered"].value.text() == "$0.00"
    assert page.tiles["recovered"].caption.text() == recovered_caption(0, f"in {now().year}")


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
        assert f"{p.code}\u00a0{p.members:,}" in caption
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


# -- charts ---------------------------------------------------------------------------------


def _reconcile_json(ctx: AppContext, code: str, first: str, last: str) -> dict:  # type: ignore[type-arg]
    """What ``pmpm reconcile --json`` prints (the CLI's own function on the same summary)."""
    from pmpm_desktop.cli import summary_json
    from pmpm_desktop.core.month import Month

    return summary_json(reconcile(ctx.db, code, Month.parse(first), Month.parse(last)))


def test_charts_show_the_reconcile_json_figures(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    page = _page(ctx, qtbot, wait_task)
    o = page.overview
    assert o is not None
    members = page.members_chart
    money = page.money_chart
    expected_by_month: dict[str, Decimal] = {}
    paid_by_month: dict[str, Decimal] = {}
    for p in o.payers:
        data = _reconcile_json(ctx, p.code, "2026-01", "2026-06")
        for m in data["months"]:
            bar = members.element(p.code, m["month"])
            assert bar is not None and bar.value == m["eligible_members"], (p.code, m)
            assert bar.series_label == p.name
            expected_by_month[m["month"]] = expected_by_month.get(m["month"], 0) + Decimal(
                m["expected"]
            )
            paid_by_month[m["month"]] = paid_by_month.get(m["month"], 0) + Decimal(m["paid"])
    assert [k for k, _label in money.categories] == list(expected_by_month)
    for month, amount in expected_by_month.items():
        assert money.element("expected", month).value == amount  # type: ignore[union-attr]
        assert money.element("paid", month).value == paid_by_month[month]  # type: ignore[union-attr]
    # the tiles are the same figures summed
    assert page.tiles["expected"].value.text() == dollars(sum(expected_by_month.values()))
    assert page.tiles["paid"].value.text() == dollars(sum(paid_by_month.values()))
    june = sum(
        m["eligible_members"]
        for p in o.payers
        for m in _reconcile_json(ctx, p.code, "2026-06", "2026-06")["months"]
    )
    assert page.tiles["members"].value.text() == f"{june:,}"

    # aging: what is owed to the practice (open + disputed), by payer and days since due;
    # every demo month is long overdue
    aging = page.aging_chart
    assert aging.categories == (
        ("0–30", "0–30 days since due"),
        ("31–60", "31–60 days since due"),
        ("61–90", "61–90 days since due"),
        ("90+", "90+ days since due"),
    )
    for p in o.payers:
        rows = discrepancy_rows(ctx.db, payer_code=p.code, status="open")
        bar = aging.element(p.code, "90+")
        assert bar is not None and bar.value == sum(-r.variance for r in rows if r.variance < 0)
        assert aging.element(p.code, "0–30") is None
    tip = aging.tooltip_at(aging.element("BAY", "90+").center)  # type: ignore[union-attr]
    assert tip.startswith("Bayview Medicare Advantage · 90+ days since due: $")
    assert "as of" in page.aging_card.note.text()
    assert "days since due" in page.aging_card.note.text()


def test_chart_clicks_open_the_matching_discrepancies(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    from pmpm_desktop.ui.pages.reconciliation import ReconciliationPage

    page = _page(ctx, qtbot, wait_task)
    recon = ReconciliationPage(ctx)
    qtbot.addWidget(recon)
    recon.refresh()
    wait_task()

    def click(chart: object, series: str, category: str) -> list[object]:
        element = chart.element(series, category)  # type: ignore[attr-defined]
        assert element is not None
        with qtbot.waitSignal(ctx.navigate) as blocker:
            qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=element.center.toPoint())
        return blocker.args  # type: ignore[no-any-return]

    args = click(page.members_chart, "HCA", "2026-03")
    assert args == ["reconciliation", {"payer": "HCA", "month": "2026-03", "status": "active"}]
    recon.apply_filters(args[1])  # type: ignore[arg-type]
    wait_task()
    assert recon.payer_combo.currentData() == "HCA"
    assert str(recon.month_combo.currentData()) == "2026-03"
    assert recon.status_combo.currentText() == "Open and disputed"

    args = click(page.money_chart, "paid", "2026-05")
    assert args == ["reconciliation", {"payer": "", "month": "2026-05", "status": "active"}]
    recon.apply_filters(args[1])  # type: ignore[arg-type]
    wait_task()
    assert recon.payer_combo.currentText() == "All payers"
    assert str(recon.month_combo.currentData()) == "2026-05"

    args = click(page.aging_chart, "SUN", "90+")
    assert args == ["reconciliation", {"payer": "SUN", "status": "active"}]
    recon.apply_filters(args[1])  # type: ignore[arg-type]
    wait_task()
    assert recon.payer_combo.currentData() == "SUN"
    assert recon.month_combo.currentText() == "All months"
    # what the grid lists is exactly the payer's open and disputed items
    active = discrepancy_rows(ctx.db, payer_code="SUN", status="open") + discrepancy_rows(
        ctx.db, payer_code="SUN", status="disputed"
    )
    qtbot.waitUntil(lambda: recon.grid.model().rowCount() == len(active))


def test_recovered_tile_counts_money_paid_after_a_dispute(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path
) -> None:
    from pmpm_desktop.services import importing
    from pmpm_desktop.services.demo import FIRST, LAST
    from pmpm_desktop.services.discrepancies import set_status
    from tests.unit.files import REMIT_HEADERS, xlsx

    missing = discrepancy_rows(ctx.db, payer_code="BAY", kind="missing", status="open")[0]
    set_status(ctx.db, "BAY", missing.member_id, missing.month, "disputed", "sent to Bayview")
    path = xlsx(
        tmp_path / "BAY retro.xlsx",
        REMIT_HEADERS,
        [[missing.member_id, str(missing.month), -missing.variance, "RETRO"]],
    )
    importing.import_remittance(ctx.db, "BAY", path)
    reconcile(ctx.db, "BAY", FIRST, LAST)
    page = _page(ctx, qtbot, wait_task)
    assert page.tiles["recovered"].value.text() == dollars(-missing.variance)
    assert page.tiles["recovered"].caption.text() == recovered_caption(1, f"in {now().year}")
    assert page.tiles["recovered"].toolTip() == RECOVERED_DEFINITION


def test_recovered_tile_and_the_workbook_cover_show_the_same_amount(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path
) -> None:
    """Same practice, same year (every dispute here is of a month the workbook covers and is
    resolved this year): the Dashboard tile and the Cover's "Recovered by disputes" column
    agree, and say what the figure is in the same words."""
    import openpyxl

    from pmpm_desktop.io.report import AGING_SHEET, COVER_SHEET
    from pmpm_desktop.services import importing
    from pmpm_desktop.services.demo import FIRST, LAST
    from pmpm_desktop.services.discrepancies import set_status
    from pmpm_desktop.services.reporting import build_report
    from tests.unit.files import REMIT_HEADERS, xlsx

    missing = discrepancy_rows(ctx.db, kind="missing", status="open")
    over = discrepancy_rows(ctx.db, kind="overpaid", status="open")[0]
    paid, by_hand = missing[0], missing[1]
    for r in (paid, by_hand, over):
        set_status(ctx.db, r.payer_code, r.member_id, r.month, "disputed", "sent")
    path = xlsx(
        tmp_path / "retro.xlsx",
        REMIT_HEADERS,
        [[paid.member_id, str(paid.month), -paid.variance, "RETRO"]],
    )
    importing.import_remittance(ctx.db, paid.payer_code, path)
    set_status(ctx.db, by_hand.payer_code, by_hand.member_id, by_hand.month, "resolved")
    set_status(ctx.db, over.payer_code, over.member_id, over.month, "resolved", "recouped")
    # the export reconciles every payer (closing the one now paid), as a user's export does
    result = build_report(ctx.db, tmp_path / "report.xlsx", None, FIRST, LAST, "Clinic")
    page = _page(ctx, qtbot, wait_task)

    wb = openpyxl.load_workbook(result.path)
    rows = list(wb[COVER_SHEET].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == "Payer")
    column = rows[at].index(RECOVERED_TITLE)
    glance = [r for r in rows[at + 1 :] if r[0]][: len(page.overview.payers)]  # type: ignore[union-attr]
    cover_total = sum(Decimal(str(r[column] or 0)) for r in glance).quantize(Decimal("0.01"))
    assert cover_total == -paid.variance
    assert page.tiles["recovered"].value.text() == dollars(cover_total)
    assert page.tiles["recovered"].caption.text() == recovered_caption(2, f"in {now().year}")
    # the same words: the tile's tooltip, the Cover's fact and the Aging sheet's subtitle
    facts = {r[0]: r[1] for r in rows if r[0]}
    assert facts[RECOVERED_TITLE] == RECOVERED_RULE
    assert RECOVERED_DEFINITION == page.tiles["recovered"].toolTip()
    aging = [r[0] for r in wb[AGING_SHEET].iter_rows(values_only=True) if r[0]]
    assert any(isinstance(v, str) and RECOVERED_DEFINITION in v for v in aging)


def test_no_statement_yet_charts_say_what_to_do(
    ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    from pmpm_desktop.services.payers import add_payer

    add_payer(ctx.db, "ACME", "Acme Health")
    page = _page(ctx, qtbot, wait_task)
    for chart in (page.money_chart, page.members_chart, page.aging_chart):
        assert chart.is_empty and chart.elements() == []
        assert chart.empty_text in chart.accessibleDescription()
        chart.grab()  # draws its empty-state text, no crash
    assert "import one" in page.money_chart.empty_text
    # nothing to chart at all: the charts give way to the next steps
    assert not page.charts_box.isVisibleTo(page)
    assert page.hint_box.isVisibleTo(page)
    screenshot(page, "dashboard-no-statement")


def test_one_empty_chart_among_others_says_why(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    from pmpm_desktop.services.discrepancies import set_status

    for r in discrepancy_rows(ctx.db, status="open"):
        set_status(ctx.db, r.payer_code, r.member_id, r.month, "written_off")
    page = _page(ctx, qtbot, wait_task)
    assert page.charts_box.isVisibleTo(page)
    assert page.aging_chart.is_empty and not page.money_chart.is_empty
    assert page.aging_chart.accessibleDescription().endswith(
        "Nothing open or disputed is owed to the practice."
    )
    assert page.tiles["owed_to_practice"].value.text() == "$0.00"
    assert page.tiles["owed_to_payers"].value.text() == "$0.00"
    screenshot(page, "dashboard-nothing-open")


def test_dashboard_in_the_main_window_light_and_dark(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    """1280×800 inside the main window, in the light palette and after the OS turns dark."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from pmpm_desktop.ui.theme import _dark_palette

    window, page = _in_window(ctx, qtbot, wait_task)
    assert page.overview is not None
    qtbot.waitUntil(lambda: page.money_chart.elements() != [])
    screenshot(window, "dashboard-window-light")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light = app.palette()
    light_text = page.money_chart.palette().color(QPalette.ColorRole.WindowText)
    try:
        app.setPalette(_dark_palette())
        qtbot.waitUntil(
            lambda: page.money_chart.palette().color(QPalette.ColorRole.WindowText) != light_text
        )
        # the page (which has a style sheet) follows the new palette, and so do its charts
        assert page.palette().color(QPalette.ColorRole.Window).lightness() < 128
        assert "#ff7b72" in page.tiles["owed_to_practice"].value.styleSheet()
        screenshot(window, "dashboard-window-dark")
    finally:
        app.setPalette(light)


def test_members_tile_says_which_month(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    from pmpm_desktop.core.clock import now
    from pmpm_desktop.core.month import Month
    from pmpm_desktop.services.demo import LAST

    page = _page(ctx, qtbot, wait_task)
    # the demo's latest rosters are 2026-06: unless that is this month, the tile says so
    this_month = Month.of(now().date()) == LAST
    assert page.tiles["members"].heading.text() == (
        "MEMBERS THIS MONTH" if this_month else "MEMBERS, LATEST ROSTER"
    )
    assert page.tiles["members"].caption.text().startswith("on the 2026-06 rosters")


def test_a_bar_click_in_the_main_window_opens_reconciliation(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:
    from PySide6.QtWidgets import QScrollArea

    window, page = _in_window(ctx, qtbot, wait_task)
    chart = page.members_chart
    qtbot.waitUntil(lambda: chart.element("BAY", "2026-04") is not None)
    scroll = page.findChild(QScrollArea, "dashboardScroll")
    assert scroll is not None
    scroll.ensureWidgetVisible(chart)  # as a user scrolls down to it
    bar = chart.element("BAY", "2026-04")
    assert bar is not None
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=bar.center.toPoint())
    wait_task()
    recon = window.current_page
    assert recon.key == "reconciliation"
    assert recon.payer_combo.currentData() == "BAY"  # type: ignore[attr-defined]
    assert str(recon.month_combo.currentData()) == "2026-04"  # type: ignore[attr-defined]
    listed = [
        r
        for r in discrepancy_rows(ctx.db, payer_code="BAY")
        if str(r.month) == "2026-04" and r.status in ("open", "disputed")
    ]
    qtbot.waitUntil(lambda: recon.grid.model().rowCount() == len(listed))  # type: ignore[attr-defined]


@pytest.mark.parametrize(("size", "per_row"), [((1280, 800), 4), ((1024, 680), 3)])
def test_the_dashboard_fits_the_window_and_clips_no_figure(
    demo_db: object, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None],
    size: tuple[int, int], per_row: int,
) -> None:  # fmt: skip
    from PySide6.QtWidgets import QApplication, QScrollArea

    window, page = _in_window(ctx, qtbot, wait_task)
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    for _ in range(3):  # the layouts settle on the new width
        QApplication.processEvents()
    scroll = page.findChild(QScrollArea, "dashboardScroll")
    assert scroll is not None
    # no sideways scrolling: everything is as wide as the page, at most
    assert scroll.horizontalScrollBar().maximum() == 0
    width = scroll.viewport().width()
    assert scroll.widget().width() <= width
    # the tiles reflow: as many per row as fit, every one whole
    tops = [t.geometry().top() for t in page.tiles.values()]
    assert tops.count(tops[0]) == per_row
    for tile in page.tiles.values():
        assert tile.mapTo(scroll.widget(), tile.rect().bottomRight()).x() <= width
        for label in (tile.heading, tile.value):
            text_width = label.fontMetrics().horizontalAdvance(label.text())
            assert text_width <= label.contentsRect().width(), label.text()
        caption = tile.caption
        assert caption.heightForWidth(caption.width()) <= caption.height(), caption.text()
    # money, counts and kinds are never clipped; only a long payer or file name may elide
    kinds = page.charts_box.kind_table
    for table in (page.payer_table, page.attention_table, kinds, page.files_table):
        header = table.horizontalHeader()
        for column in range(table.model().columnCount()):
            if column == table.text_column and table is not kinds:
                continue
            needed = max(table.sizeHintForColumn(column), header.sectionSizeHint(column))
            assert needed <= table.columnWidth(column), (table.objectName(), column)
        assert table.mapTo(scroll.widget(), table.rect().topRight()).x() <= width
    screenshot(window, f"dashboard-{size[0]}x{size[1]}")


def test_after_only_sun_july_the_charts_plot_no_month_without_files(
    demo_db: object, _demo_template: object, ctx: AppContext, qtbot: QtBot,
    wait_task: Callable[..., None],
) -> None:  # fmt: skip
    from pathlib import Path

    from pmpm_desktop.core.month import Month
    from pmpm_desktop.services import importing

    folder = Path(str(_demo_template)).parent / "demo-files" / "new-month"
    importing.import_roster(ctx.db, "SUN", Month(2026, 7), folder / "SUN roster 2026-07.xlsx")
    importing.import_remittance(ctx.db, "SUN", folder / "SUN statement 2026-07.xlsx")
    page = _page(ctx, qtbot, wait_task)
    members = page.members_chart
    assert members.element("SUN", "2026-07") is not None
    assert members.element("BAY", "2026-07") is None  # no bar of zero members
    assert members.element("HCA", "2026-07") is None
    assert members.element("BAY", "2026-06") is not None
    # July's point is SUN's alone, and the chart says so rather than showing a drop
    assert "2026-07: SUN only" in page.money_card.note.text()
    by_payer = {_cell(page.payer_model, r, 0)[:3]: r for r in range(page.payer_model.rowCount())}
    assert _cell(page.payer_model, by_payer["SUN"], 2) == "2026-01 to 2026-07"
