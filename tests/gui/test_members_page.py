"""The Members page on the demo practice: search, a member's ledger and roster history."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QLabel, QTableView
from pytestqt.qtbot import QtBot

from pmpm_desktop.services.discrepancies import discrepancy_rows
from pmpm_desktop.services.member_ledger import (
    MemberRow,
    eligibility_history,
    member_ledger,
    search_members,
)
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.grids import context_menu
from pmpm_desktop.ui.pages.members import MembersPage
from tests.gui.conftest import screenshot


def _page(ctx: AppContext, qtbot: QtBot) -> MembersPage:
    page = MembersPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    page.refresh()
    return page


def _member_with_discrepancies(ctx: AppContext) -> MemberRow:
    """A member with matched months, an underpayment and another discrepancy."""
    for row in search_members(ctx.db, "").fetch(0, 200, "open_discrepancies", True):
        kinds = {r.kind for r in member_ledger(ctx.db, row.payer_code, row.member_id)}
        if {"matched", "underpaid"} <= kinds and len(kinds) > 2:
            return row
    raise AssertionError("the demo practice has no member with several kinds")


def _shown(page: MembersPage) -> list[tuple[str, str]]:
    return [(r.payer_code, r.member_id) for r in page.results.rows]


def _type(qtbot: QtBot, page: MembersPage, text: str) -> None:
    page.search.clear()
    qtbot.keyClicks(page.search, text)


def _click(qtbot: QtBot, view: QTableView, index: QModelIndex, double: bool = False) -> None:
    view.scrollTo(index)
    pos = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    if double:  # Qt's item views take a double-click as the second click of a pair
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_search_by_id_name_and_date_of_birth(
    demo_db, ctx: AppContext, qtbot: QtBot, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    page = _page(ctx, qtbot)
    qtmodeltester.check(page.results)
    assert not page.body.is_empty
    total = search_members(ctx.db, "").count()
    assert page.results.total == total == 120
    assert page.count_label.text() == "120 members"
    m = _member_with_discrepancies(ctx)
    key = (m.payer_code, m.member_id)

    _type(qtbot, page, m.member_id[:6])  # debounced: the grid follows once typing stops
    qtbot.waitUntil(lambda: page.results.total < total)
    assert key in _shown(page)
    assert all(mid.startswith(m.member_id[:6]) for _p, mid in _shown(page))

    _type(qtbot, page, f"{m.last_name.upper()}, {m.first_name.lower()}")
    qtbot.waitUntil(lambda: key in _shown(page) and page.results.total < total)
    assert all(
        r.last_name == m.last_name and r.first_name.startswith(m.first_name)
        for r in page.results.rows
    )

    _type(qtbot, page, f"{m.dob:%m/%d/%Y}")
    qtbot.waitUntil(lambda: key in _shown(page) and page.results.total < total)
    assert {r.dob for r in page.results.rows} == {m.dob}

    _type(qtbot, page, "zzzz-no-such-member")
    qtbot.waitUntil(lambda: page.results.total == 0)
    assert page.count_label.text() == "No member matches"

    # the payer filter narrows to one payer
    page.search.clear()
    page.run_search()
    page.payer.setCurrentIndex(page.payer.findData("BAY"))
    assert {p for p, _ in _shown(page)} == {"BAY"}
    assert page.results.total == search_members(ctx.db, "", "BAY").count()
    # a header click sorts in SQL
    page.results_view.sortByColumn(7, Qt.SortOrder.DescendingOrder)
    opens = [r.open_discrepancies for r in page.results.rows]
    assert opens == sorted(opens, reverse=True)
    qtmodeltester.check(page.results)


def test_a_member_shows_ledger_history_and_opens_reconciliation(
    demo_db, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    page = _page(ctx, qtbot)
    m = _member_with_discrepancies(ctx)
    _type(qtbot, page, m.member_id)
    qtbot.waitUntil(lambda: page.results.total == 1)
    _click(qtbot, page.results_view, page.results.index(0, 1))
    wait_task()
    assert page.detail is not None and page.detail.info.member_id == m.member_id

    # the header names the member
    assert page.name_label.text() == f"{m.last_name}, {m.first_name}"
    facts = page.facts_label.text()
    assert m.member_id in facts and f"{m.dob:%Y-%m-%d}" in facts and f"({m.payer_code})" in facts

    # the ledger: every month the service gives, the same amounts
    expected = member_ledger(ctx.db, m.payer_code, m.member_id)
    qtmodeltester.check(page.ledger)
    assert page.ledger.rowCount() == len(expected) > 0
    user = Qt.ItemDataRole.UserRole
    for i, row in enumerate(expected):
        cells = [page.ledger.index(i, c).data(user) for c in range(page.ledger.columnCount())]
        assert cells[0] == row.month
        assert cells[2:5] == [row.expected, row.paid, row.variance]
        assert (cells[5], cells[6]) == (row.kind, row.status)
    negative = [i for i, r in enumerate(expected) if r.variance < 0]
    for i in negative:
        assert page.ledger.index(i, 4).data(Qt.ItemDataRole.ForegroundRole) is not None
        assert page.ledger.index(i, 4).data().startswith("-")
    assert page.ledger_totals.text().startswith(f"{len(expected)} month")

    # the eligibility history lists the rosters that list the member, newest first
    page.tabs.setCurrentIndex(1)
    history = eligibility_history(ctx.db, m.payer_code, m.member_id)
    qtmodeltester.check(page.history)
    assert page.history.rowCount() == len(history.rows) > 0
    files = [page.history.index(i, 1).data() for i in range(page.history.rowCount())]
    assert files == [r.file_name for r in history.rows]
    months = [page.history.index(i, 0).data(user) for i in range(page.history.rowCount())]
    assert months == sorted(months, reverse=True)
    assert page.aliases_label.text()
    screenshot(page, "members-history")
    page.tabs.setCurrentIndex(0)
    screenshot(page, "members-ledger")

    # a double-click on a month with a discrepancy opens it on the Reconciliation page
    month_row = next(i for i, r in enumerate(expected) if r.is_discrepancy)
    with qtbot.waitSignal(ctx.navigate, timeout=5000) as signal:
        _click(qtbot, page.ledger_view, page.ledger.index(month_row, 0), double=True)
    assert signal.args == [
        "reconciliation",
        {
            "payer": m.payer_code,
            "text": m.member_id,
            "month": str(expected[month_row].month),
        },
    ]
    # a month without one says so instead
    quiet = [i for i, r in enumerate(expected) if not r.is_discrepancy]
    if quiet:
        with qtbot.waitSignal(ctx.status_message, timeout=5000) as said:
            _click(qtbot, page.ledger_view, page.ledger.index(quiet[0], 0), double=True)
        assert "no discrepancy" in said.args[0]


def test_navigating_here_with_a_member_opens_it(
    demo_db, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:  # type: ignore[no-untyped-def]
    page = _page(ctx, qtbot)
    m = _member_with_discrepancies(ctx)
    page.apply_filters({"payer": m.payer_code, "text": m.member_id})
    wait_task()
    assert page.payer.currentData() == m.payer_code
    assert page.detail is not None and page.detail.info.member_id == m.member_id
    # refreshing (after new data) keeps the member on screen
    page.refresh()
    wait_task()
    assert page.detail is not None and page.detail.info.member_id == m.member_id
    assert page.results_view.selectionModel().selectedRows()[0].row() == 0

    # an ID the payer paid but no roster lists opens too, said to be unknown
    unknown = discrepancy_rows(ctx.db, kind="unknown_member")[0]
    page.apply_filters({"payer": unknown.payer_code, "member": unknown.member_id})
    wait_task()
    assert page.results.total == 0
    assert page.detail is not None and not page.detail.info.on_roster
    assert "on no roster" in page.facts_label.text()
    assert page.ledger.index(0, 5).data() == "Unknown member"


def test_empty_database_says_to_import_a_roster(ctx: AppContext, qtbot: QtBot) -> None:
    page = _page(ctx, qtbot)
    assert page.body.is_empty
    assert page.empty.heading.text() == "No members yet — import a roster"
    assert [b.text() for b in page.empty.buttons] == ["Import a roster…"]


def test_right_click_on_a_member_shows_their_discrepancies(
    demo_db, ctx: AppContext, qtbot: QtBot
) -> None:  # type: ignore[no-untyped-def]
    page = _page(ctx, qtbot)
    m = _member_with_discrepancies(ctx)
    _type(qtbot, page, m.member_id)
    qtbot.waitUntil(lambda: page.results.total == 1)
    menu = context_menu(page.results_view, [0], page.actions_for)
    actions = [a for a in menu.actions() if not a.isSeparator()]
    assert [a.text() for a in actions] == ["Show discrepancies", "&Copy row"]
    with qtbot.waitSignal(ctx.navigate, timeout=5000) as nav:
        actions[0].trigger()
    assert nav.args == ["reconciliation", {"payer": m.payer_code, "text": m.member_id}]


def test_until_a_member_is_chosen_the_results_have_the_height(
    demo_db, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None]
) -> None:  # type: ignore[no-untyped-def]
    page = _page(ctx, qtbot)
    page.resize(834, 600)  # the page's room in a 1024×680 window
    qtbot.wait(20)
    hint = page.findChild(QLabel, "noMemberSelected")
    assert hint.isVisible() and hint.text().startswith("Select a member above")
    assert page.results_view.height() > 0.6 * page.height()
    _click(qtbot, page.results_view, page.results.index(0, 1))
    wait_task()
    assert not hint.isVisible() and page.ledger_view.isVisible()
    assert page.ledger_totals.text().startswith(f"{page.ledger.rowCount()} month")
    assert "$" in page.ledger_totals.text()  # the totals are amounts, said with units
