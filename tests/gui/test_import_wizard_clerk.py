"""Issue 12, items 9 and 10: what a clerk reads in the import wizard, step by step — the kind
a file's name says, the payer never changed behind their back, an unreadable file, the same
file twice, a saved layout's name, and a statement's total and payment date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pmpm_desktop.core.month import Month
from pmpm_desktop.services import importing, payers
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.import_wizard import CHECK, CHOOSE, DONE, PREVIEW
from pmpm_desktop.ui.pages.imports import RemittancesPage
from tests.gui.test_import_wizard import LEFT, click_next, paid_on, sun, wizard
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, A, B, xlsx

__all__ = ["sun"]  # the payer fixture, shared with test_import_wizard

Wait = Callable[..., None]
STATEMENT = [["000000001", "2026-07", 180.90, "CAP"], ["000000002", "2026-07", 97.60, "CAP"]]


@pytest.fixture
def bay(sun: str, ctx: AppContext) -> str:
    """A second payer, BAY, first in the payer list (so the wizard starts on it)."""
    payers.add_payer(ctx.db, "BAY", "Bayview Medicare Advantage", None)
    return "BAY"


def _titled(path: Path, title: str, headers: list[str], rows: list[list[object]]) -> Path:
    """A workbook with a title row above its header, as payers send them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_a_file_named_statement_is_a_payment_statement_as_soon_as_it_is_picked(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "SUN statement 2026-07.xlsx", REMIT_HEADERS, STATEMENT)
    w = wizard(ctx, qtbot, kind="roster")  # opened from the Rosters page
    w.set_path(path)
    # At once, from its name, while its columns are still being looked at.
    checked = [b.text() for b in w.kind_buttons.values() if b.isChecked()]
    assert checked == ["Payment statement"]
    assert w.kind_note.text().startswith("Its name says a payment statement. Looking at")
    wait_task()
    assert [b.text() for b in w.kind_buttons.values() if b.isChecked()] == ["Payment statement"]
    assert w.kind_note.text().startswith("This looks like a payment statement: it has ")
    assert "instead of “Roster”" in w.kind_note.text()


def test_the_columns_win_over_the_name_and_the_step_says_why(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "SUN statement 2026-07.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, kind="roster")
    w.set_path(path)
    wait_task()
    assert [b.text() for b in w.kind_buttons.values() if b.isChecked()] == ["Roster"]
    assert w.kind_note.text().startswith(
        "The name 'SUN statement 2026-07.xlsx' says a payment statement, but its columns say "
        "a roster: it has dates of birth"
    )


def test_the_payer_a_file_name_says_is_asked_about_never_changed_silently(
    bay: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "SUN roster 2026-07.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, kind="roster")
    assert w.payer_combo.currentText() == "BAY — Bayview Medicare Advantage"
    w.set_path(path)
    wait_task()
    assert w.payer_combo.currentText() == "BAY — Bayview Medicare Advantage"  # unchanged
    assert w.name_question.isVisible()
    assert w.name_question.text.text() == (
        "The file's name says SUN (Sunrise Health Plan), but the payer chosen is BAY "
        "(Bayview Medicare Advantage). Which payer's file is it?"
    )
    assert not w.next_button.isEnabled()  # the user decides first
    assert w.name_question.keep_button.text() == "Keep BAY"
    qtbot.mouseClick(w.name_question.keep_button, LEFT)
    assert not w.name_question.isVisible() and w.payer_code == "BAY"
    assert w.next_button.isEnabled()

    # Another file named for SUN: asked afresh; this time the clerk says it is SUN's.
    w.set_path(xlsx(tmp_path / "SUN roster 2026-08.xlsx", ROSTER_HEADERS, [A, B]))
    wait_task()
    assert w.name_question.isVisible() and w.payer_code == "BAY"
    qtbot.mouseClick(w.name_question.use_button, LEFT)
    assert w.payer_combo.currentText() == "SUN — Sunrise Health Plan"
    assert w.roster_month == Month(2026, 8) and w.next_button.isEnabled()


def test_the_payer_a_file_names_inside_is_asked_about_on_the_preview(
    bay: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    path = _titled(
        tmp_path / "july roster.xlsx", "Sunrise Health Plan eligibility roster", ROSTER_HEADERS, [A]
    )
    w = wizard(ctx, qtbot, kind="roster", path=path)
    assert w.payer_code == "BAY" and not w.name_question.isVisible()  # its name says nothing
    w.set_roster_month(Month(2026, 7))
    click_next(w, qtbot, wait_task)
    assert w.step == PREVIEW and w.content_question.isVisible()
    assert w.content_question.text.text().startswith(
        "The file names SUN (Sunrise Health Plan), but the payer chosen is BAY"
    )
    assert not w.next_button.isEnabled()
    qtbot.mouseClick(w.content_question.use_button, LEFT)
    wait_task()  # read again for SUN
    assert w.payer_code == "SUN" and not w.content_question.isVisible()
    assert w.roster_month == Month(2026, 7)  # the month the clerk chose stays
    assert w.current is not None and w.current.request.payer == "SUN"
    assert w.next_button.isEnabled()


def test_an_unreadable_file_says_one_sentence_and_offers_no_mapping(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    path = tmp_path / "SUN roster 2026-07.xlsx"
    path.write_bytes(b"this is no workbook " * 50)
    w = wizard(ctx, qtbot, kind="roster", path=path)
    text = w.file_message.text()
    assert w.file_message.isVisible()
    assert text.startswith("SUN roster 2026-07.xlsx is not a spreadsheet PMPM can read: it may ")
    assert "Choose another file: PMPM reads Excel workbooks (.xlsx" in text
    assert "calamine" not in text.lower() and "error" not in text.lower()
    assert not w.next_button.isEnabled()


def test_a_file_that_became_unreadable_shows_no_mapping_form_on_the_preview(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "SUN roster 2026-07.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, kind="roster", path=path)
    path.write_bytes(b"PK\x03\x04 cut short")  # saved over by a broken download meanwhile
    click_next(w, qtbot, wait_task)
    assert w.step == PREVIEW
    assert w.preview_banner.text().startswith("SUN roster 2026-07.xlsx is not a spreadsheet")
    assert w.preview_banner.text().endswith("and fixed-width files.")
    assert not w.mapping.isVisible() and not w.rows_view.isVisible()
    assert not w.next_button.isEnabled()
    qtbot.mouseClick(w.another_button, LEFT)
    assert w.step == CHOOSE and w.path is None and w.path_edit.text() == ""


def test_the_same_file_twice_says_one_consistent_thing(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "SUN roster 2026-01.xlsx", ROSTER_HEADERS, [A, B])
    importing.import_roster(ctx.db, "SUN", Month(2026, 1), path)
    w = wizard(ctx, qtbot, kind="roster", path=path)
    assert w.roster_month == Month(2026, 1)  # from its name: the month stored already
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    assert w.step == CHECK and not w.next_button.isEnabled()
    said = f"{w.check_label.text()}\n{w.check_details.text()}"
    assert w.check_label.text().startswith("Already imported on ")
    assert "It is not imported again (its rows would count twice)" in said
    assert "replace" not in said  # it replaces nothing: nothing is written


def test_a_saved_layout_is_named_for_the_payer_and_kind(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "SUN roster 2026-01.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, kind="roster", path=path)
    for _ in range(3):
        click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert "as the layout “SUN roster layout”" in w.profile_label.text()
    assert "profile" not in w.profile_label.text()


def test_the_statement_asks_its_payment_date_prefilled_from_the_file(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    headers = [*REMIT_HEADERS, "Check Date"]
    rows = [[*r, dt.date(2026, 7, 20)] for r in STATEMENT]
    path = xlsx(tmp_path / "SUN statement 2026-07.xlsx", headers, rows)
    w = wizard(ctx, qtbot, path=path)
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    assert w.step == CHECK and w.payment_box.isVisible()
    assert w.payment_box.total.text() == "$278.50  (the sum of its 2 lines)"
    assert w.payment_box.date_edit.text() == "2026-07-20"
    assert w.payment_box.date_hint.text() == "as the file states it"
    assert w.next_button.isEnabled()
    paid_on(w, dt.date(2026, 7, 21))  # the clerk corrects it from the bank statement
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert "$278.50 paid on 2026-07-21" in w.summary_label.text()

    page = RemittancesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    wait_task()
    model = page.model
    titles = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert model.data(model.index(0, titles.index("Paid on"))) == "2026-07-21"
    assert not any("SHA" in str(t) for t in titles)
