"""The import wizard on payer files as report writers make them (issue 9), driven like a user:
the kind proposed from the file's columns and name, a file of another kind refused with nothing
written and switched to its kind, how the file was read, values given for every row (and
remembered), and the decimal question. Real files, a real SQLite database, real workers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.models import (
    ImportProfile,
    Member,
    RemittanceImport,
    RemittanceLine,
    RosterImport,
    RosterRow,
)
from pmpm_desktop.io.options import DecisionKind, ReadDecision
from pmpm_desktop.services import importing
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.import_wizard import CHECK, CHOOSE, DONE, PREVIEW
from pmpm_desktop.ui.import_wizard.preview_answers import READ_TAB, VALUES_TAB
from tests.gui.conftest import screenshot as shot
from tests.gui.test_import_wizard import LEFT, click_next, count, grid, paid_on, sun, wizard
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, A, B, csv_file, xlsx
from tests.unit.report_files import REPORTS

__all__ = ["sun"]  # the payer fixture, shared with test_import_wizard

Wait = Callable[..., None]
STATEMENT_ROWS = [["000000001", "2026-06", 180.90, "CAP"], ["000000002", "2026-06", 97.60, "CAP"]]
NO_MONTH = ["Member ID", "Member Name", "Paid Amount", "Line Type"]


def screenshot(w: QWidget, name: str) -> None:
    """PNGs of the wizard at the sizes users have: 1280×800 and a small 1024×680 laptop."""
    size = w.size()
    for width, height in ((1280, 800), (1024, 680)):
        w.resize(width, height)
        QApplication.processEvents()
        shot(w, f"{name}_{width}x{height}")
    w.resize(size)
    QApplication.processEvents()


def _statement_named_roster(tmp_path: Path) -> Path:
    """Issue 9's worst case: a payment statement whose name says roster."""
    return xlsx(tmp_path / "SUN roster 2026-06.xlsx", REMIT_HEADERS, STATEMENT_ROWS)


# --- the kind, proposed on step 1 -----------------------------------------------------------


def test_the_kind_is_proposed_from_the_columns_and_a_disagreeing_name_is_said(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    w = wizard(ctx, qtbot, kind="roster", path=_statement_named_roster(tmp_path))
    assert w.step == CHOOSE and w.kind == "remittance"  # the columns win over the name
    note = w.kind_note.text()
    assert note.startswith(
        "The name 'SUN roster 2026-06.xlsx' says a roster, but its columns say a payment "
        "statement: it has coverage months, paid amounts and line types and no eligibility or "
        "demographic columns."
    )
    assert "PMPM chose “Payment statement” instead of “Roster”" in note
    assert w.kind_note.isVisible() and "#fff4e5" in w.kind_note.styleSheet()  # a warning
    assert w.next_button.isEnabled()
    screenshot(w, "import_wizard_1_kind_disagrees")

    # The user may still say it is a roster; the note says what will happen.
    w.kind_buttons["roster"].setChecked(True)
    assert "Read as a roster it will most likely be refused" in w.kind_note.text()
    assert w.next_button.isEnabled()

    # A roster typed into the path field: proposed from its columns, in the info colours.
    roster = xlsx(tmp_path / "SUN june.xlsx", ROSTER_HEADERS, [A, B])
    w.path_edit.setText(str(roster))
    w.path_edit.editingFinished.emit()
    assert not w.next_button.isEnabled()  # looking at the file
    assert w.kind_note.text() == "Looking at the columns of SUN june.xlsx…"
    wait_task()
    assert w.kind == "roster" and w.next_button.isEnabled()
    assert w.kind_note.text() == (
        "This looks like a roster: it has dates of birth, sex, products and eligibility dates "
        "and no paid amounts."
    )
    assert "#e8f0fe" in w.kind_note.styleSheet()


def test_closing_while_the_file_is_looked_at_is_harmless(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    w = wizard(ctx, qtbot, kind="roster")
    w.set_path(_statement_named_roster(tmp_path))
    assert ctx.tasks.busy and not w.next_button.isEnabled()
    w.close()
    wait_task()  # the proposal reports to a closed wizard: nothing happens, nothing fails
    assert count(ctx, RemittanceImport) == 0


def test_a_kind_chosen_while_the_file_is_looked_at_is_kept(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    w = wizard(ctx, qtbot)
    w.set_path(_statement_named_roster(tmp_path))
    w.kind_buttons["rates"].setChecked(True)  # before the proposal came back
    wait_task()
    assert w.kind == "rates"
    assert "Read as a rate exhibit it will most likely be refused" in w.kind_note.text()


# --- a file of another kind -----------------------------------------------------------------


def test_a_statement_given_as_a_roster_is_refused_then_imported_as_a_statement(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    june = xlsx(tmp_path / "june roster.xlsx", ROSTER_HEADERS, [A, B])
    importing.import_roster(ctx.db, "SUN", Month(2026, 6), june)
    before = {t: count(ctx, t) for t in (RosterImport, RosterRow, Member, ImportProfile)}

    w = wizard(ctx, qtbot, path=_statement_named_roster(tmp_path))
    w.kind_buttons["roster"].setChecked(True)  # the user insists
    w.set_roster_month(Month(2026, 6))
    click_next(w, qtbot, wait_task)
    assert w.step == PREVIEW
    assert w.preview_banner.text() == (
        "SUN roster 2026-06.xlsx cannot be imported as a roster. It looks like a payment "
        "statement: it has coverage months, paid amounts and line types and no eligibility or "
        "demographic columns. Nothing was written and no layout is saved for it."
    )
    assert "a clear match" not in w.layout_label.text() and not w.layout_label.isVisible()
    assert w.switch_button.isVisible()
    assert w.switch_button.text() == "Import it as a payment statement instead"
    assert not w.next_button.isEnabled() and not w.mapping.isEnabled()
    assert grid(w) == [] and w.rows_label.text() == "Not read: it is a payment statement."
    screenshot(w, "import_wizard_2_wrong_kind")
    assert {t: count(ctx, t) for t in before} == before  # nothing written, no layout saved

    qtbot.mouseClick(w.switch_button, LEFT)
    wait_task()
    assert w.step == PREVIEW and w.kind == "remittance"
    assert not w.preview_banner.isVisible() and not w.switch_button.isVisible()
    assert [r["Amount paid"] for r in grid(w)] == ["180.90", "97.60"]
    click_next(w, qtbot, wait_task)
    paid_on(w, dt.date(2026, 6, 15))
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert w.summary_label.text().startswith("Imported a payment statement of SUN")
    assert count(ctx, RemittanceImport) == 1 and count(ctx, RemittanceLine) == 2
    # The June roster is still the one imported before.
    assert count(ctx, RosterImport) == 1 and count(ctx, RosterRow) == 2


def test_a_roster_given_as_a_statement_goes_back_for_its_roster_month(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "SUN payment june.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, path=path)
    w.kind_buttons["remittance"].setChecked(True)
    click_next(w, qtbot, wait_task)
    assert w.preview_banner.text().startswith(
        "SUN payment june.xlsx cannot be imported as a payment statement. It looks like a "
        "roster: it has dates of birth"
    )
    assert w.switch_button.text() == "Import it as a roster instead"
    qtbot.mouseClick(w.switch_button, LEFT)
    # A roster needs its month, which the name does not say: step 1 asks for it.
    assert w.step == CHOOSE and w.kind == "roster" and w.month_row.isVisible()
    assert w.kind_note.text() == (
        "Import SUN payment june.xlsx as a roster: check its roster month below, then press Next."
    )
    w.set_roster_month(Month(2026, 6))
    click_next(w, qtbot, wait_task)
    assert w.step == PREVIEW and not w.preview_banner.isVisible()
    assert [r["Member ID"] for r in grid(w)] == ["000000001", "000000002"]
    assert count(ctx, RemittanceImport) == 0 and count(ctx, ImportProfile) == 1  # the rates'


# --- how the file was read ------------------------------------------------------------------


def test_the_preview_says_how_a_report_style_statement_was_read(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    report = next(r for r in REPORTS if r.name == "SUN_CAP_STMT_202602.xlsx")
    w = wizard(ctx, qtbot, path=report.write(tmp_path / report.name))
    assert w.kind == "remittance"
    click_next(w, qtbot, wait_task)
    assert w.layout_label.text().startswith(
        "Found the header on rows 5–6 of sheet “Detail”: a clear match."
    )
    assert "PMPM took 2 more decisions on its own" in w.layout_label.text()
    assert "see “How the file was read”" in w.layout_label.text()
    w.left_tabs.setCurrentIndex(READ_TAB)
    lines = w.read_view.lines()
    assert lines[0].startswith("Detection is sure: the header scores ")
    assert "Sheet 'Detail' holds the data (also looked at 'Summary')" in lines
    assert (
        "Rows 5–6 are the header: group cells combined with the cells below "
        "(Member + ID → Member ID)" in lines
    )
    assert "4 rows are totals or report footers: skipped (rows 14, 20, 25, 27)" in lines
    assert any(line.startswith("Column 'Capitation Net': 13 amount(s) marked CR") for line in lines)
    screenshot(w, "import_wizard_2_how_read")


# --- values for every row -------------------------------------------------------------------


def test_a_value_for_every_row_is_given_then_remembered_for_the_next_file(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    rows = [["000000001", "ALPHA, ANN", 180.90, "CAP"], ["000000002", "BRAVO, BEN", 97.6, "CAP"]]
    path = xlsx(tmp_path / "SUN statement.xlsx", NO_MONTH, rows)
    w = wizard(ctx, qtbot, path=path)
    click_next(w, qtbot, wait_task)
    # No coverage month column: the banner says both ways out; the editor is ready.
    assert w.preview_banner.text() == (
        "PMPM cannot tell which column of SUN statement.xlsx holds the Coverage month. Choose "
        "it under “Columns” (“Coverage month *”), or, if the file has no such column, give it "
        "one value for every row under “Values for every row”."
    )
    assert w.left_tabs.currentIndex() == VALUES_TAB
    editor = w.values_editor
    assert [r.combo.currentText() for r in editor.rows] == ["Coverage month"]
    assert editor.rows[0].edit.hasFocus() or not w.isActiveWindow()
    assert not editor.remember.isEnabled() and not w.next_button.isEnabled()
    screenshot(w, "import_wizard_2_value_missing")

    qtbot.keyClicks(editor.rows[0].edit, "Febuary")
    qtbot.keyClick(editor.rows[0].edit, Qt.Key.Key_Return)
    wait_task()
    assert w.preview_banner.text().startswith(
        "The coverage month given for every row (“Febuary”) cannot be used: not a month"
    )
    assert w.preview_banner.text().endswith("Correct it under “Values for every row”.")
    editor.rows[0].edit.clear()
    qtbot.keyClicks(editor.rows[0].edit, "02/2026")
    qtbot.keyClick(editor.rows[0].edit, Qt.Key.Key_Return)
    wait_task()
    assert not w.preview_banner.isVisible() and w.next_button.isEnabled()
    assert [r["Coverage month"] for r in grid(w)] == ["2026-02", "2026-02"]

    # A second value replaces the file's own column for every row; removed, the column is back.
    qtbot.mouseClick(editor.add_button, LEFT)
    assert len(editor.rows) == 2 and editor.rows[1].combo.currentText() == "Coverage end"
    editor.rows[1].combo.setCurrentText("Line type")
    qtbot.keyClicks(editor.rows[1].edit, "CAPITATION")
    qtbot.keyClick(editor.rows[1].edit, Qt.Key.Key_Return)
    wait_task()
    assert [r["Line type"] for r in grid(w)] == ["CAPITATION", "CAPITATION"]
    qtbot.mouseClick(editor.rows[1].remove, LEFT)
    wait_task()
    assert len(editor.rows) == 1 and [r["Line type"] for r in grid(w)] == ["CAP", "CAP"]
    w.left_tabs.setCurrentIndex(READ_TAB)
    assert "Coverage month: '02/2026' on every row" in w.read_view.lines()
    w.left_tabs.setCurrentIndex(VALUES_TAB)
    qtbot.mouseClick(editor.remember, LEFT)
    assert editor.remember.isChecked()
    screenshot(w, "import_wizard_2_value_given")
    click_next(w, qtbot, wait_task)
    paid_on(w, dt.date(2026, 6, 15))
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert "with the values you gave for every row (Coverage month '02/2026')" in (
        w.profile_label.text()
    )
    with ctx.db.sessions() as s:
        assert set(s.scalars(select(RemittanceLine.coverage_month))) == {Month(2026, 2)}

    # The next statement of that layout: imported with no value given again.
    qtbot.mouseClick(w.another_button, LEFT)
    later = xlsx(tmp_path / "SUN statement b.xlsx", NO_MONTH, [["000000003", "C, C", 12.5, "ADJ"]])
    w.set_path(later)
    click_next(w, qtbot, wait_task)
    assert not w.preview_banner.isVisible()
    assert w.layout_label.text().startswith("Using the saved layout “SUN payment statement layout”")
    assert [r["Coverage month"] for r in grid(w)] == ["2026-02"]
    assert editor.rows == [] and editor.others.isVisible()
    assert editor.others.text().startswith(
        "Every row also gets, from the saved layout or the file itself: Coverage month: '02/2026'"
    )
    click_next(w, qtbot, wait_task)
    paid_on(w, dt.date(2026, 6, 16))
    click_next(w, qtbot, wait_task)
    assert w.step == DONE and count(ctx, RemittanceLine) == 3
    with ctx.db.sessions() as s:
        assert set(s.scalars(select(RemittanceLine.coverage_month))) == {Month(2026, 2)}


def test_values_are_not_remembered_unless_the_user_says_so(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    rows = [["000000001", "ALPHA, ANN", 180.90, "CAP"]]
    w = wizard(ctx, qtbot, path=xlsx(tmp_path / "SUN statement.xlsx", NO_MONTH, rows))
    click_next(w, qtbot, wait_task)
    qtbot.keyClicks(w.values_editor.rows[0].edit, "2026-03")
    qtbot.keyClick(w.values_editor.rows[0].edit, Qt.Key.Key_Return)
    click_next(w, qtbot, wait_task)
    paid_on(w, dt.date(2026, 6, 15))
    click_next(w, qtbot, wait_task)
    assert w.step == DONE and "values you gave" not in w.profile_label.text()
    qtbot.mouseClick(w.another_button, LEFT)
    w.set_path(xlsx(tmp_path / "SUN statement b.xlsx", NO_MONTH, [["000000002", "B, B", 9, "CAP"]]))
    click_next(w, qtbot, wait_task)
    assert "holds the Coverage month" in w.preview_banner.text()


# --- the decimal question -------------------------------------------------------------------


def test_the_decimal_question_is_asked_and_the_answer_read_and_imported(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    rows = [["000000001", "2026-02", "1,250", "CAP"], ["000000002", "2026-02", "2,500", "CAP"]]
    path = csv_file(tmp_path / "SUN statement feb.csv", REMIT_HEADERS, rows)
    w = wizard(ctx, qtbot, path=path)
    click_next(w, qtbot, wait_task)
    box = w.decimal_box
    assert box.isVisible() and not w.next_button.isEnabled()
    assert box.question.text() == (
        "In column 'Paid Amount', is '1,250' 1250 (decimal point) or 1.250 (decimal comma)?\n"
        "Values in the file: '1,250', '2,500'."
    )
    assert not box.point.isChecked() and not box.comma.isChecked()
    assert "answer the question below" in w.preview_banner.text()
    screenshot(w, "import_wizard_2_decimal_question")

    qtbot.mouseClick(box.point, LEFT)
    wait_task()
    assert [r["Amount paid"] for r in grid(w)] == ["1,250.00", "2,500.00"]
    assert box.isVisible() and box.point.isChecked()
    assert box.question.text().startswith("Read with a decimal point, as you said.")
    assert w.next_button.isEnabled() and not w.preview_banner.isVisible()

    qtbot.mouseClick(box.comma, LEFT)
    wait_task()
    assert [r["Amount paid"] for r in grid(w)] == ["1.25", "2.50"]
    click_next(w, qtbot, wait_task)
    assert w.step == CHECK and "No problems found" in w.check_label.text()
    paid_on(w, dt.date(2026, 6, 15))
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    with ctx.db.sessions() as s:
        assert sorted(s.scalars(select(RemittanceLine.amount))) == [
            Decimal("1.25"),
            Decimal("2.50"),
        ]

    # The answer is kept with the payer's layout: the next such file is not asked again.
    qtbot.mouseClick(w.another_button, LEFT)
    rows = [["000000001", "2026-03", "3,750", "CAP"]]
    w.set_path(csv_file(tmp_path / "SUN statement mar.csv", REMIT_HEADERS, rows))
    click_next(w, qtbot, wait_task)
    assert not w.decimal_box.isVisible() and w.next_button.isEnabled()
    assert [r["Amount paid"] for r in grid(w)] == ["3.75"]


# --- the layout on a small screen -----------------------------------------------------------

_LONG = [
    (
        DecisionKind.SECTION,
        "12 rows are PRODUCT sections ('MEDICAID HMO (MCD)', 'CHIP (CHIP)', "
        "'MEDICAID EXPANSION (MCE)'): their value goes to the rows below",
    ),
    (DecisionKind.SKIPPED, "9 rows are totals or report footers: skipped"),
    (DecisionKind.SKIPPED, "4 rows repeat the page header of the report: skipped"),
    (DecisionKind.SKIPPED, "3 rows hold a single text (titles, legends, report notes): skipped"),
    (
        DecisionKind.BLOCK,
        "member ID and member name filled down 41 member blocks whose cells are "
        "merged down or blank on their continuation rows",
    ),
    (
        DecisionKind.AMOUNT_STYLE,
        "column 'Capitation Net': 130 amount(s) marked CR are read as "
        "paid to the practice (+) and 12 marked DR as taken back (−), as this payer's setting says",
    ),
    (DecisionKind.AMOUNT_STYLE, "column 'Adjustment': trailing minus signs read as negative"),
    (
        DecisionKind.DATE_ORDER,
        "column 'Eff Date' is read day first (31.01.2026): values such as "
        "'13.02.2026' can only be read that way",
    ),
    (DecisionKind.DATE_ORDER, "column 'Term Date' is read day first, as the column 'Eff Date'"),
    (DecisionKind.OPEN_ENDED, "column 'Term Date': 9999-12-31 is read as no end date"),
    (DecisionKind.COLUMN, "member ID is column 'Mitglied', chosen by its values (IDs)"),
    (DecisionKind.COLUMN, "member name is column 'Name', chosen by its values (names)"),
    (
        DecisionKind.ID_RULE,
        "member IDs read with SUN's rule: dashes and spaces ignored, the dependent suffix dropped",
    ),
    (DecisionKind.SECTION, "3 rows are PCP sections: their value goes to the rows below"),
    (DecisionKind.SECTION, "2 rows are RATE CELL sections: their value goes to the rows below"),
    (DecisionKind.SKIPPED, "1 row is the end of the report: skipped"),
    (DecisionKind.SKIPPED, "2 blank separator rows: skipped"),
    (
        DecisionKind.AMOUNT_STYLE,
        "numbers are read with a decimal comma: '1.234,56' can only be read that way",
    ),
    (DecisionKind.BLOCK, "line type filled down 6 blocks"),
    (DecisionKind.OPEN_ENDED, "column 'Coverage Thru': 12/31/9999 is read as no end date"),
]


def test_a_long_read_report_stays_readable_at_1024_by_680(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Wait, tmp_path: Path
) -> None:
    report = next(r for r in REPORTS if r.name == "SUN_CAP_STMT_202602.xlsx")
    w = wizard(ctx, qtbot, path=report.write(tmp_path / report.name))
    click_next(w, qtbot, wait_task)
    read = w.current.preview.read if w.current is not None else None
    assert read is not None
    # The same report with 20 decisions of every kind, as a long report-style file gives.
    rows = tuple(range(14, 400, 7))
    long = dataclasses.replace(
        read, decisions=tuple(ReadDecision(k, t, rows=rows) for k, t in _LONG)
    )
    w.read_view.show_report(long)
    w.left_tabs.setCurrentIndex(READ_TAB)
    w.resize(1024, 680)
    QApplication.processEvents()
    qtbot.wait(50)
    assert w.size().width() == 1024 and w.size().height() == 680  # nothing made it grow
    view = w.read_view
    port = view.viewport()
    texts = [label for label in view.findChildren(QLabel) if label.text() != "•"]
    assert len(texts) == len(long.lines()) == 22  # certainty, columns, 20 decisions
    for label in texts:
        left = label.mapTo(port, QPoint(0, 0)).x()
        assert left >= 0 and left + label.width() <= port.width(), label.text()
        assert label.height() >= label.heightForWidth(label.width()), label.text()
    assert view.verticalScrollBar().maximum() > 0  # the list scrolls; the page does not grow
    grid_view = w.rows_view
    assert grid_view.width() >= 280 and grid_view.height() >= 250
    screenshot(w, "import_wizard_2_long_report")
