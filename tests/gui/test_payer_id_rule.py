"""A payer's member-ID rule and CR meaning, set in the payer dialog like a user (tick, choose,
type, Save) and shown on the Payers & Contracts page; the import wizard's note while no rule
is set."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from pmpm_desktop.core.member_ids import IdRule, SuffixRule
from pmpm_desktop.core.month import Month
from pmpm_desktop.db.models import Member
from pmpm_desktop.services import importing, payers
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.import_wizard import CHECK, DONE, open_import_wizard
from pmpm_desktop.ui.pages.payers import PayersPage
from pmpm_desktop.ui.payer_dialogs import PayerDialog
from tests.gui.conftest import screenshot
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, worked_example_rates, xlsx

Wait = Callable[..., None]
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def page(ctx: AppContext, qtbot: QtBot) -> PayersPage:
    p = PayersPage(ctx)
    qtbot.addWidget(p)
    p.resize(1400, 820)
    p.show()
    p.refresh()
    return p


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isEnabled(), f"{button.text()} is disabled"
    QTest.mouseClick(button, LEFT)


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Pick the entry starting with ``text`` as a keyboard user does: arrow keys."""
    texts = [combo.itemText(i) for i in range(combo.count())]
    target = next(i for i, t in enumerate(texts) if t.startswith(text))
    combo.setFocus()
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        QTest.keyClick(combo, key)
    assert combo.currentText() == texts[target]


def retype(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    QTest.keyClicks(edit, text)


def save(qtbot: QtBot, dialog: PayerDialog, wait_task: Wait) -> None:
    click(qtbot, dialog.save_button)
    wait_task()


def payer_dialog(page: PayersPage) -> PayerDialog:
    """The payer dialog open over the page."""
    [dialog] = [d for d in page.findChildren(PayerDialog) if d.isVisible()]
    return dialog


def closed(dialog: QWidget) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_a_payers_id_rule_is_set_by_ticking_choosing_and_typing(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, ctx: AppContext
) -> None:
    click(qtbot, page.stack.empty.buttons[0])
    dialog = payer_dialog(page)
    assert isinstance(dialog, PayerDialog)
    assert dialog.example.text() == "000-123-456-01 → 000-123-456-01"  # no rule: as written
    assert dialog.cr_means.currentText() == "Paid to the practice"
    QTest.keyClicks(dialog.code, "sun")
    QTest.keyClicks(dialog.name, "Sunrise")
    click(qtbot, dialog.strip)
    assert dialog.example.text() == "000-123-456-01 → 00012345601"
    choose(qtbot, dialog.suffix, "Dropped")
    assert dialog.example.text() == "000-123-456-01 → 000123456"
    choose(qtbot, dialog.suffix, "Names")
    assert dialog.example.text() == "000-123-456-01 → 000123456-01"
    choose(qtbot, dialog.suffix, "Dropped")
    QTest.keyClicks(dialog.prefix, "xy")
    assert dialog.example.text() == "XY000-123-456-01 → 000123456"
    choose(qtbot, dialog.cr_means, "Taken")
    screenshot(dialog, "payers_id_rule_dialog")
    save(qtbot, dialog, wait_task)

    assert closed(dialog)
    [stored] = payers.list_payers(ctx.db)
    assert stored.id_rule == IdRule(True, SuffixRule.DROP, "XY")
    assert stored.credit_is_payment is False
    assert page.payer_settings.isVisible()
    assert page.payer_settings.text() == (
        "Member IDs: Dashes and spaces are ignored; a dependent suffix such as -01 is dropped; "
        "the prefix XY is removed. On statements, CR means taken back."
    )

    click(qtbot, page.edit_payer_button)
    dialog = payer_dialog(page)
    assert dialog.strip.isChecked()
    assert dialog.suffix.currentText() == "Dropped"
    assert dialog.prefix.text() == "XY"
    assert dialog.cr_means.currentText() == "Taken back"
    click(qtbot, dialog.strip)  # untick
    retype(qtbot, dialog.prefix, "")
    choose(qtbot, dialog.suffix, "Part")
    choose(qtbot, dialog.cr_means, "Paid")
    save(qtbot, dialog, wait_task)
    assert closed(dialog)
    assert page.payer_settings.text() == (
        "Member IDs: IDs are compared as written. On statements, CR means paid to the practice."
    )


def test_a_prefix_that_cannot_be_is_said_at_once_and_refused(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, ctx: AppContext
) -> None:
    click(qtbot, page.stack.empty.buttons[0])
    dialog = payer_dialog(page)
    QTest.keyClicks(dialog.code, "SUN")
    QTest.keyClicks(dialog.name, "Sunrise")
    QTest.keyClicks(dialog.prefix, "A-B")
    assert dialog.example.text() == "An ID prefix is 1 to 10 letters or digits, not 'A-B'"
    save(qtbot, dialog, wait_task)
    assert dialog.isVisible() and dialog.problems.isVisible()
    assert dialog.problems.text() == (
        "The payer was not added:\n• ID rule: an ID prefix is 1 to 10 letters or digits, not 'A-B'"
    )
    assert payers.list_payers(ctx.db) == []
    retype(qtbot, dialog.prefix, "AB")
    save(qtbot, dialog, wait_task)
    assert closed(dialog)
    assert payers.list_payers(ctx.db)[0].id_rule == IdRule(prefix="AB")


def _sunrise_with_members(ctx: AppContext, tmp_path: Path, *ids: str) -> None:
    payers.add_payer(ctx.db, "SUN", "Sunrise Health Plan", 9)
    payers.add_contract(
        ctx.db, "SUN", payers.ContractSpec("Medicaid HMO", Month(2026, 1), products=("MCD",))
    )
    importing.import_rates(ctx.db, "SUN", "Medicaid HMO", worked_example_rates(tmp_path / "r.xlsx"))
    people = [
        [i, "ALPHA", f"P{n}", dt.date(1990, 5, 10), "F", "MCD", "TANF", None, None]
        for n, i in enumerate(ids)
    ]
    roster = xlsx(tmp_path / "roster.xlsx", ROSTER_HEADERS, people)
    importing.import_roster(ctx.db, "SUN", Month(2026, 1), roster)


def test_a_rule_that_would_merge_members_is_refused_in_the_dialog(
    page: PayersPage, qtbot: QtBot, wait_task: Wait, ctx: AppContext, tmp_path: Path
) -> None:
    _sunrise_with_members(ctx, tmp_path, "000123456", "000123456-01", "000-555-666")
    page.refresh()
    wait_task()  # the page reads its payers
    seen: list[str] = []
    ctx.data_changed.connect(seen.append)
    click(qtbot, page.edit_payer_button)
    dialog = payer_dialog(page)
    click(qtbot, dialog.strip)
    choose(qtbot, dialog.suffix, "Dropped")
    save(qtbot, dialog, wait_task)
    assert dialog.isVisible()
    text = dialog.problems.text()
    assert text.startswith("The payer was not saved (nothing changed): under the new ID rule")
    assert "2 different members of SUN would share 1 member ID" in text
    assert "000123456" not in text
    screenshot(dialog, "payers_id_rule_refused")

    choose(qtbot, dialog.suffix, "Part")  # ignoring dashes alone merges no one
    save(qtbot, dialog, wait_task)
    assert closed(dialog)
    with ctx.db.sessions() as s:
        ids = sorted(s.scalars(select(Member.member_id)))
    assert ids == ["000123456", "00012345601", "000555666"]
    assert Changed.EVERYTHING in seen  # stored IDs changed: every page reads again


def test_the_wizard_shows_the_rule_that_would_match_the_statement(
    ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    _sunrise_with_members(ctx, tmp_path, "000123456", "000555666")
    path = xlsx(
        tmp_path / "SUN statement 2026-01.xlsx",
        REMIT_HEADERS,
        [["000-123-456", "2026-01", 180.0, "CAP"], ["000-555-666", "2026-01", 180.0, "CAP"]],
    )
    w = open_import_wizard(ctx, None, path=path)
    qtbot.addWidget(w)
    wait_task()  # its kind is proposed from its columns and name
    for _ in range(2):
        QTest.mouseClick(w.next_button, LEFT)
        wait_task()
    assert w.step == CHECK
    note = (
        "2 member IDs on this statement match roster members only when dashes and spaces are "
        "ignored: the ID rule 'strip' would match them (set it in Payers & Contracts, "
        "Edit payer…, Member IDs)."
    )
    assert note in w.check_details.text()
    w.payment_box.date_edit.setDate(QDate(2026, 1, 15))  # the check step asks when it was paid
    QTest.mouseClick(w.next_button, LEFT)
    wait_task()
    assert w.step == DONE
    assert w.total_label.isVisible() and w.total_label.text() == note
