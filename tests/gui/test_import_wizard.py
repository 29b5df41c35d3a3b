"""The import wizard, driven like a user: real .xlsx files, a real database, real workers."""

from __future__ import annotations

import csv
import datetime as dt
import threading
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.models import Member, RateRow, RemittanceImport, RosterImport, RosterRow
from pmpm_desktop.services import importing, payers, reconciling
from pmpm_desktop.ui.context import AppContext, Changed
from pmpm_desktop.ui.import_wizard import (
    CHECK,
    CHOOSE,
    DONE,
    IMPORT,
    PREVIEW,
    ImportWizard,
    open_import_wizard,
)
from tests.gui.conftest import screenshot
from tests.unit.files import (
    REMIT_HEADERS,
    ROSTER_HEADERS,
    A,
    B,
    worked_example_rates,
    xlsx,
)

LEFT = Qt.MouseButton.LeftButton


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def sun(ctx: AppContext, tmp_path: Path) -> str:
    """Payer SUN with its contract and the worked example's rates, made through the services."""
    payers.add_payer(ctx.db, "SUN", "Sunrise Health Plan", 9)
    payers.add_contract(
        ctx.db, "SUN", payers.ContractSpec("Medicaid HMO", Month(2026, 1), products=("MCD",))
    )
    importing.import_rates(ctx.db, "SUN", "Medicaid HMO", worked_example_rates(tmp_path / "r.xlsx"))
    return "SUN"


def drop(widget: QWidget, path: Path) -> None:
    """Drag ``path`` over ``widget`` and drop it, as the window system does."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    centre = QPointF(widget.rect().center())
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(centre.toPoint(), action, mime, LEFT, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(centre, action, mime, LEFT, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def wizard(ctx: AppContext, qtbot: QtBot, **kwargs: object) -> ImportWizard:
    """The wizard as the user first sees it: a file given to it has had its kind proposed."""
    w = open_import_wizard(ctx, None, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: not ctx.tasks.busy, timeout=60_000)
    return w


def click_next(w: ImportWizard, qtbot: QtBot, wait_task: Callable[..., None]) -> None:
    wait_task()  # a file just chosen is looked at first (its kind is proposed)
    assert w.next_button.isEnabled(), w.next_button.text()
    qtbot.mouseClick(w.next_button, LEFT)
    wait_task()


def grid(w: ImportWizard) -> list[dict[str, str]]:
    """The preview grid as the user reads it: column title → shown text, row by row."""
    m = w.rows_model
    titles = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    return [
        {titles[c]: m.data(m.index(r, c)) for c in range(m.columnCount())}
        for r in range(m.rowCount())
    ]


def paid_on(w: ImportWizard, day: dt.date) -> None:
    """On the check step of a statement: give the payment date the wizard asks for."""
    assert w.step == CHECK and w.payment_box.isVisible()
    w.payment_box.date_edit.setFocus()
    w.payment_box.date_edit.setDate(day)


def count(ctx: AppContext, table: type) -> int:
    with ctx.db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def changes(ctx: AppContext) -> list[str]:
    seen: list[str] = []
    ctx.data_changed.connect(seen.append)
    return seen


# --- tests ---------------------------------------------------------------------------------


def test_roster_import_end_to_end(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], qtmodeltester,
    tmp_path: Path,
) -> None:  # fmt: skip
    path = xlsx(tmp_path / "sunrise jan.xlsx", ROSTER_HEADERS, [A, B], title="Sunrise roster")
    seen = changes(ctx)
    w = wizard(ctx, qtbot, kind="roster")
    assert w.step == CHOOSE and not w.next_button.isEnabled()
    assert w.payer_combo.currentText() == "SUN — Sunrise Health Plan"
    drop(w.drop_zone, path)
    assert w.path == path and w.drop_zone.title.text() == "sunrise jan.xlsx"
    w.set_roster_month(Month(2026, 1))
    screenshot(w, "import_wizard_1_choose")

    click_next(w, qtbot, wait_task)
    assert w.step == PREVIEW
    qtmodeltester.check(w.rows_model)
    rows = grid(w)
    assert [r["Member ID"] for r in rows] == ["000000001", "000000002"]  # zeros kept
    assert rows[0]["Row"] == "4" and rows[0]["Date of birth"] == "1990-05-10"
    assert w.header_spin.value() == 3  # under the title row and the blank row
    assert "Found the header on row 3" in w.layout_label.text()
    assert w.mapping.combo("member_id").currentText() == "Member ID"
    assert w.mapping.source_text("member_id") == "detected"
    assert w.rows_label.text() == "All 2 rows that would be imported."
    screenshot(w, "import_wizard_2_preview")

    click_next(w, qtbot, wait_task)
    assert w.step == CHECK
    assert "No problems found: 2 rows ready to import" in w.check_label.text()
    assert "January 2026 roster of SUN (Sunrise Health Plan)" in w.check_details.text()
    assert w.next_button.text() == "Import"
    screenshot(w, "import_wizard_3_check")

    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert w.summary_label.text() == (
        "Imported the January 2026 roster of SUN (Sunrise Health Plan): 2 rows, 2 members, "
        "2 new members (from sunrise jan.xlsx)."
    )
    assert "This is the first roster of SUN" in w.changes_label.text()
    screenshot(w, "import_wizard_5_done")
    with ctx.db.sessions() as s:
        months = s.scalars(select(RosterImport.roster_month)).all()
        ids = set(s.scalars(select(Member.member_id)).all())
    assert months == [Month(2026, 1)] and ids == {"000000001", "000000002"}
    assert count(ctx, RosterRow) == 2
    assert Changed.IMPORTS in seen

    # The next file: the month after the latest roster is proposed.
    qtbot.mouseClick(w.another_button, LEFT)
    assert w.step == CHOOSE and w.path is None
    assert w.roster_month == Month(2026, 2)
    assert "latest roster imported for SUN is January 2026" in w.month_hint.text()


def test_a_file_with_bad_rows_lists_every_problem_and_writes_nothing(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], qtmodeltester,
    tmp_path: Path,
) -> None:  # fmt: skip
    bad = [
        A,
        ["000000003", "CHARLIE", "CY", "banana", "F", "MCD", "TANF", None, None],
        ["000000004", "DELTA", "DI", dt.date(2000, 1, 1), "Q", "MCD", "TANF", "2026-13-45", None],
    ]
    path = xlsx(tmp_path / "bad.xlsx", ROSTER_HEADERS, bad, title="Sunrise roster")
    w = wizard(ctx, qtbot, kind="roster", path=path)
    w.set_roster_month(Month(2026, 1))
    click_next(w, qtbot, wait_task)
    assert [r["Member ID"] for r in grid(w)] == ["000000001"]  # the good row only
    click_next(w, qtbot, wait_task)
    assert w.step == CHECK
    qtmodeltester.check(w.problems_model)
    m = w.problems_model
    shown = [
        tuple(m.data(m.index(r, c)) for c in range(m.columnCount())) for r in range(m.rowCount())
    ]
    assert shown[0] == ("5", "DOB", "banana", "not a date (expected e.g. 2026-01-31 or 01/31/2026)")
    assert shown[1][:3] == ("6", "Sex", "Q") and shown[1][3].startswith("not a sex")
    assert shown[2][:3] == ("6", "Eff Date", "2026-13-45")
    assert "there is no month 13" in shown[2][3]
    assert w.check_label.text() == (
        "bad.xlsx cannot be imported: 3 problems in 2 rows. Nothing will be written while the "
        "file has problems."
    )
    assert not w.next_button.isEnabled() and w.export_button.isVisible()
    screenshot(w, "import_wizard_3_problems")

    out = w.export_problems(tmp_path / "problems.csv")
    assert out is not None and "Saved 3 problems" in w.export_label.text()
    with out.open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert lines[0] == ["row", "column", "value", "reason"]
    assert lines[1][:3] == ["5", "DOB", "banana"] and len(lines) == 4
    book = w.export_problems(tmp_path / "problems.xlsx")
    assert book is not None
    sheet = openpyxl.load_workbook(book).active
    assert sheet is not None and sheet.cell(2, 3).value == "banana"
    assert count(ctx, RosterImport) == 0 and count(ctx, Member) == 0


def test_choosing_a_column_runs_the_preview_again(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    headers = ["Record Key", *ROSTER_HEADERS[1:], "Clinic"]
    rows = [[*A, "PCP101"], [*B, "PCP102"]]
    path = xlsx(tmp_path / "odd.xlsx", headers, rows, title="Sunrise roster")
    w = wizard(ctx, qtbot, kind="roster", path=path)
    w.set_roster_month(Month(2026, 1))
    click_next(w, qtbot, wait_task)
    # No column is recognisably the member ID: the wizard says so and asks for it.
    assert "cannot tell which column of odd.xlsx holds the Member ID" in (w.preview_banner.text())
    assert w.mapping.combo("member_id").currentText() == "(not in this file)"
    assert w.mapping.source_text("member_id") == "missing"
    assert not w.next_button.isEnabled()
    screenshot(w, "import_wizard_2_missing_column")

    w.mapping.combo("member_id").setCurrentText("Record Key")
    wait_task()
    assert not w.preview_banner.isVisible()
    assert [r["Member ID"] for r in grid(w)] == ["000000001", "000000002"]
    assert w.mapping.source_text("member_id") == "your choice"
    assert w.next_button.isEnabled()

    w.mapping.combo("pcp").setCurrentText("Clinic")
    wait_task()
    assert [r["PCP"] for r in grid(w)] == ["PCP101", "PCP102"]
    assert w.overrides == {"member_id": "Record Key", "pcp": "Clinic"}

    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    with ctx.db.sessions() as s:
        assert sorted(s.scalars(select(RosterRow.pcp)).all()) == ["PCP101", "PCP102"]
    # The corrected layout is remembered: the same layout next month needs no correction.
    path2 = xlsx(
        tmp_path / "odd feb.xlsx", headers, [[*A, "PCP103"], [*B, "PCP104"]], title="Sunrise roster"
    )
    qtbot.mouseClick(w.another_button, LEFT)
    w.set_path(path2)
    click_next(w, qtbot, wait_task)
    assert "Using the saved layout “SUN roster layout”" in w.layout_label.text()
    assert w.mapping.source_text("member_id") == "saved layout"
    assert [r["PCP"] for r in grid(w)] == ["PCP103", "PCP104"]


def test_statement_import(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = xlsx(
        tmp_path / "SUN statement 2026-01.xlsx",
        REMIT_HEADERS,
        [["000000001", "2026-01", 180.90, "CAP"], ["000000002", "2026-01", -12.5, "ADJ"]],
    )
    w = wizard(ctx, qtbot, path=path)  # dropped on the main window: the kind is guessed
    assert w.kind == "remittance" and w.payer_code == "SUN"
    assert w.kind_buttons["remittance"].isChecked()
    assert w.reference_edit.isVisible() and not w.month_row.isVisible()
    qtbot.keyClicks(w.reference_edit, "EFT 778")
    screenshot(w, "import_wizard_1_statement")
    click_next(w, qtbot, wait_task)
    rows = grid(w)
    assert [(r["Member ID"], r["Coverage month"], r["Amount paid"]) for r in rows] == [
        ("000000001", "2026-01", "180.90"),
        ("000000002", "2026-01", "-12.50"),
    ]
    click_next(w, qtbot, wait_task)
    # The last page before Import: the total paid, and the payment date asked for (the file
    # states none), Import waiting for it.
    assert w.step == CHECK and w.payment_box.isVisible()
    assert w.payment_box.total.text() == "$168.40  (the sum of its 2 lines)"
    assert w.payment_box.date_edit.text() == "Choose the date"
    assert "the file does not say" in w.payment_box.date_hint.text()
    assert not w.next_button.isEnabled()
    w.payment_box.date_edit.setFocus()
    w.payment_box.date_edit.setDate(dt.date(2026, 1, 15))
    assert w.payment_box.date_hint.text() == "the date of the check or EFT"
    screenshot(w, "import_wizard_3_statement_payment")
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert w.summary_label.text() == (
        "Imported a payment statement of SUN (Sunrise Health Plan): 2 lines for 2 members, "
        "$168.40 paid on 2026-01-15 (from SUN statement 2026-01.xlsx)."
    )
    with ctx.db.sessions() as s:
        stored = s.execute(select(RemittanceImport.payment_date, RemittanceImport.reference)).one()
    assert stored == (dt.date(2026, 1, 15), "EFT 778")

    assert not w.total_label.isVisible()  # no total typed: nothing to check


def test_a_statement_total_is_checked_against_the_lines(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = xlsx(
        tmp_path / "SUN statement 2026-02.xlsx",
        REMIT_HEADERS,
        [["000000001", "2026-02", 180.90, "CAP"], ["000000002", "2026-02", 97.60, "CAP"]],
    )
    w = wizard(ctx, qtbot, path=path)
    assert w.kind == "remittance"
    assert w.stated_total_edit.isVisible() and w.next_button.isEnabled()
    assert w.form.labelForField(w.stated_total_row).text() == "Statement total (optional):"
    width = w.width()  # 1140, or the screen's width when it is smaller

    # Not an amount: refused in words, and the wizard does not go on.
    qtbot.keyClicks(w.stated_total_edit, "30O.50")
    assert w.stated_total_error.isVisible()
    assert w.stated_total_error.text().startswith("“30O.50” is not an amount (expected e.g.")
    assert not w.next_button.isEnabled()
    w.stated_total_edit.clear()
    qtbot.keyClicks(w.stated_total_edit, "303.505")
    assert "more than two decimals" in w.stated_total_error.text()
    assert not w.next_button.isEnabled()
    qtbot.wait(20)  # pending layout, for the picture
    screenshot(w, "import_wizard_1_statement_total_refused")
    assert w.width() == width  # the refusal wraps under the field: the dialog keeps its size

    # The check's amount as printed: $303.50, $25.00 more than the lines.
    w.stated_total_edit.clear()
    qtbot.keyClicks(w.stated_total_edit, "$303.50")
    assert not w.stated_total_error.isVisible() and w.next_button.isEnabled()
    screenshot(w, "import_wizard_1_statement_total")
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    assert "Its stated total, 303.50, is checked against the sum of its lines" in (
        w.check_details.text()
    )
    paid_on(w, dt.date(2026, 2, 15))
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert w.total_label.isVisible()
    assert w.total_label.text().startswith(
        "The lines add up to $278.50, $25.00 less than the statement's total of $303.50. "
        "The statement was imported as it is; ask SUN which is right."
    )
    screenshot(w, "import_wizard_5_statement_total")
    with ctx.db.sessions() as s:
        assert s.scalar(select(RemittanceImport.stated_total)) == Decimal("303.50")

    # The next statement, whose total matches: no sentence, and the field starts empty.
    qtbot.mouseClick(w.another_button, LEFT)
    assert w.stated_total_edit.text() == ""
    other = xlsx(
        tmp_path / "SUN statement 2026-03.xlsx",
        REMIT_HEADERS,
        [["000000001", "2026-03", 180.90, "CAP"]],
    )
    w.set_path(other)
    qtbot.keyClicks(w.stated_total_edit, "180.90")
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    assert w.payment_box.payment_date() is None  # the last file's date was forgotten
    paid_on(w, dt.date(2026, 3, 15))
    click_next(w, qtbot, wait_task)
    assert w.step == DONE and not w.total_label.isVisible()
    with ctx.db.sessions() as s:
        totals = s.scalars(
            select(RemittanceImport.stated_total).order_by(RemittanceImport.id)
        ).all()
    assert totals == [Decimal("303.50"), Decimal("180.90")]


def test_the_statement_total_is_asked_for_statements_only(
    sun: str, ctx: AppContext, qtbot: QtBot
) -> None:
    w = wizard(ctx, qtbot, kind="roster")
    w.show()
    assert not w.stated_total_edit.isVisible()
    qtbot.keyClicks(w.stated_total_edit, "junk")  # left over from a statement: ignored
    w.kind_buttons["rates"].setChecked(True)
    assert not w.stated_total_edit.isVisible()
    w.kind_buttons["remittance"].setChecked(True)
    assert w.stated_total_edit.isVisible() and w.stated_total_error.isVisible()


def test_rate_exhibit_import(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = worked_example_rates(tmp_path / "new rates.xlsx")
    seen = changes(ctx)
    w = wizard(ctx, qtbot, kind="rates", path=path)
    assert w.contract_combo.currentText() == "Medicaid HMO" and w.contract_combo.isVisible()
    click_next(w, qtbot, wait_task)
    assert [r["Rate (PMPM)"] for r in grid(w)] == ["210.00", "95.00", "180.00", "150.00", "4.50"]
    click_next(w, qtbot, wait_task)
    assert "They replace the contract's current rates" in w.check_details.text()
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert w.summary_label.text() == (
        "Imported 5 rate rows for SUN (Sunrise Health Plan)'s contract “Medicaid HMO”, "
        "replacing its 5 earlier rate rows (from new rates.xlsx)."
    )
    assert count(ctx, RateRow) == 5
    assert Changed.IMPORTS in seen and Changed.PAYERS in seen


def test_the_same_file_twice_is_refused_in_words(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])
    importing.import_roster(ctx.db, "SUN", Month(2026, 1), path)
    w = wizard(ctx, qtbot, kind="roster", path=path)
    w.set_roster_month(Month(2026, 2))
    click_next(w, qtbot, wait_task)
    assert w.preview_banner.text().startswith("Already imported on ")
    assert "It is not imported again (its rows would count twice)" in w.preview_banner.text()
    click_next(w, qtbot, wait_task)
    assert w.check_label.text().startswith("Already imported on ")
    assert not w.next_button.isEnabled()
    screenshot(w, "import_wizard_3_already_imported")
    assert count(ctx, RosterImport) == 1


def test_cancel_before_the_import_runs_writes_nothing(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, kind="roster", path=path)
    w.set_roster_month(Month(2026, 1))
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    # Hold the (single) worker so the import waits its turn, press Cancel, then let go.
    release = threading.Event()
    ctx.tasks.run("hold", lambda _p: release.wait(30), show_progress=False)
    qtbot.mouseClick(w.next_button, LEFT)
    assert w.step == IMPORT and w.cancel_import_button.isEnabled()
    assert not w.close_button.isEnabled()
    screenshot(w, "import_wizard_4_importing")
    qtbot.mouseClick(w.cancel_import_button, LEFT)
    release.set()
    wait_task()
    assert w.import_message.text() == "Import cancelled: nothing was written."
    assert w.import_label.text() == "Import cancelled" == w.step_title.text()
    assert w.close_button.isEnabled()
    screenshot(w, "import_wizard_4_cancelled")
    assert count(ctx, RosterImport) == 0 and count(ctx, Member) == 0
    # and it can be tried again
    assert w.next_button.text() == "Try again" and w.next_button.isEnabled()


def test_a_dropped_file_that_is_not_a_spreadsheet_is_refused_in_words(
    sun: str, ctx: AppContext, qtbot: QtBot, tmp_path: Path
) -> None:
    pdf = tmp_path / "remittance advice.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    w = wizard(ctx, qtbot, kind="remittance")
    drop(w.drop_zone, pdf)
    assert w.file_message.isVisible()
    assert w.file_message.text().startswith(
        "“remittance advice.pdf” is not a spreadsheet, so it cannot be imported."
    )
    assert w.path is None and not w.next_button.isEnabled()
    screenshot(w, "import_wizard_1_refused")
    # the same from the main window's drop
    w2 = wizard(ctx, qtbot, path=pdf)
    assert "is not a spreadsheet" in w2.file_message.text()


def test_without_a_payer_the_wizard_says_what_to_do(
    ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    w = wizard(ctx, qtbot)
    assert w.no_payer.isVisible()
    assert "Add a payer on the Payers & Contracts page first" in w.no_payer_label.text()
    w.kind_buttons["roster"].setChecked(True)
    w.set_path(xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A]))
    wait_task()
    assert not w.next_button.isEnabled()
    screenshot(w, "import_wizard_1_no_payer")
    with qtbot.waitSignal(ctx.navigate) as nav:
        qtbot.mouseClick(w.findChild(QWidget, "goPayersButton"), LEFT)
    assert nav.args == ["payers", {}]


def test_a_rate_exhibit_needs_a_contract(ctx: AppContext, qtbot: QtBot) -> None:
    payers.add_payer(ctx.db, "BAY", "Bayview", None)
    w = wizard(ctx, qtbot, kind="rates")
    assert "BAY has no contract yet" in w.choose_hint.text() and w.choose_hint.isVisible()


def test_demo_new_month_files_import_and_reconcile_now(
    demo_db: Path, _demo_template: Path, ctx: AppContext, qtbot: QtBot,
    wait_task: Callable[..., None],
) -> None:  # fmt: skip
    folder = _demo_template.parent / "demo-files" / "new-month"
    w = wizard(ctx, qtbot, path=folder / "SUN roster 2026-07.xlsx")
    # BAY comes first in the list; the file's name says SUN: asked, never changed silently.
    assert w.payer_code == "BAY" and w.name_question.isVisible()
    assert not w.next_button.isEnabled()
    qtbot.mouseClick(w.name_question.use_button, LEFT)
    assert (w.kind, w.payer_code, w.roster_month) == ("roster", "SUN", Month(2026, 7))
    assert w.month_hint.text() == "as in the file's name"
    click_next(w, qtbot, wait_task)
    assert w.layout_label.text().startswith("Using the saved layout “SUN roster layout”")
    assert w.mapping.source_text("member_id") == "saved layout"
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert "Compared with the June 2026 roster" in w.changes_label.text()
    assert w.changes_label.text().endswith("•  1 member added\n  •  1 member termed")
    screenshot(w, "import_wizard_5_demo_roster")

    qtbot.mouseClick(w.another_button, LEFT)
    w.set_path(folder / "SUN statement 2026-07.xlsx")
    wait_task()
    assert w.kind == "remittance"  # proposed from its columns (and its name)
    assert w.kind_note.text().startswith("This looks like a payment statement: it has ")
    assert "instead of “Roster”" in w.kind_note.text()
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    paid_on(w, dt.date(2026, 7, 15))
    click_next(w, qtbot, wait_task)
    assert w.summary_label.text().startswith("Imported a payment statement of SUN")
    july = reconciling.reconcile(ctx.db, "SUN", Month(2026, 7), Month(2026, 7))
    assert july.counts["underpaid"] == 1 and july.counts["missing"] == 0
    with qtbot.waitSignal(ctx.navigate) as nav:
        qtbot.mouseClick(w.reconcile_button, LEFT)
    # the page, for the file's payer, reconciling the months the statement pays for
    assert nav.args == [
        "reconciliation",
        {"payer": "SUN", "reconcile": True, "first": Month(2026, 7), "last": Month(2026, 7)},
    ]
    assert not w.isVisible()


def test_drop_zone_accepts_only_local_files(qtbot: QtBot) -> None:
    from pmpm_desktop.ui.import_wizard.drop_zone import DropZone

    zone = DropZone()
    qtbot.addWidget(zone)
    mime = QMimeData()
    mime.setText("just text")
    enter = QDragEnterEvent(
        QPoint(5, 5), Qt.DropAction.CopyAction, mime, LEFT, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(zone, enter)
    assert not enter.isAccepted()


def _two_sheets(path: Path) -> Path:
    wb = openpyxl.Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["Read me"])
    notes.append(["This workbook lists the members on the second sheet."])
    roster = wb.create_sheet("Members")
    roster.append(["Sunrise roster"])
    roster.append(ROSTER_HEADERS)
    roster.append(A)
    roster.append(B)
    wb.save(path)
    return path


def test_sheet_and_header_row_changes_read_the_file_again(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    w = wizard(ctx, qtbot, kind="roster", path=_two_sheets(tmp_path / "two.xlsx"))
    w.set_roster_month(Month(2026, 1))
    click_next(w, qtbot, wait_task)
    assert [w.sheet_combo.itemText(i) for i in range(w.sheet_combo.count())] == [
        "Notes",
        "Members",
    ]
    assert w.sheet_combo.currentText() == "Members" and w.sheet_combo.isEnabled()
    assert w.header_spin.value() == 2 and len(grid(w)) == 2
    assert "row 2 of sheet “Members”" in w.layout_label.text()

    w.header_spin.setValue(3)  # a data row as the header: nothing reads right
    wait_task()
    assert "The header is on row 3 of sheet “Members”, as you chose." == w.layout_label.text()
    assert "holds the Member ID" in w.preview_banner.text()
    assert not w.next_button.isEnabled()
    w.header_spin.setValue(2)
    wait_task()
    assert not w.preview_banner.isVisible() and len(grid(w)) == 2

    w.sheet_combo.setCurrentText("Notes")
    wait_task()
    assert "no header row found" in w.preview_banner.text()
    assert w.sheet_combo.currentText() == "Notes"
    w.sheet_combo.setCurrentText("Members")
    wait_task()
    assert w.header_spin.value() == 2 and len(grid(w)) == 2


def test_a_recognised_column_cannot_be_dropped_and_the_wizard_says_why(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, kind="roster", path=path)
    click_next(w, qtbot, wait_task)
    w.mapping.combo("last_name").setCurrentText("(not in this file)")
    assert not ctx.tasks.busy  # nothing to read again
    assert w.mapping.combo("last_name").currentText() == "Last Name"
    assert w.mapping_note.isVisible()
    assert "“Last Name” is read as Last name because of its name" in w.mapping_note.text()


def test_closing_while_the_preview_runs_is_harmless(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, kind="roster", path=path)
    qtbot.mouseClick(w.next_button, LEFT)
    assert ctx.tasks.busy
    w.close()
    wait_task()  # the preview reports to a closed wizard: nothing happens, nothing fails
    assert count(ctx, RosterImport) == 0


def test_escape_during_the_import_means_cancel(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "jan.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, kind="roster", path=path)
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    release = threading.Event()
    ctx.tasks.run("hold", lambda _p: release.wait(30), show_progress=False)
    qtbot.mouseClick(w.next_button, LEFT)
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    release.set()
    wait_task()
    assert w.isVisible() and w.import_message.text() == "Import cancelled: nothing was written."
    assert count(ctx, RosterImport) == 0


def test_two_columns_of_one_name_are_refused_until_the_clerk_picks_one(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    """A statement with two 'Paid Amount' columns (the first holds a wrong value): the
    wizard says so in words a clerk can act on, and choosing the column lets it through."""
    path = xlsx(
        tmp_path / "SUN statement 2026-01.xlsx",
        [*REMIT_HEADERS, "Paid Amount"],
        [
            ["000000001", "2026-01", 97.60, "CAP", 180.90],
            ["000000002", "2026-01", 42.15, "CAP", 97.60],
        ],
    )
    w = wizard(ctx, qtbot, kind="remittance", path=path)
    click_next(w, qtbot, wait_task)
    banner = w.preview_banner.text()
    assert "the columns 'Paid Amount' (C and E) have the same name" in banner
    assert "choose the one that holds the amount" in banner
    assert not w.next_button.isEnabled()

    w.mapping.combo("amount").setCurrentText("Paid Amount (2)")
    wait_task()
    assert not w.preview_banner.isVisible()
    assert [r["Amount paid"] for r in grid(w)] == ["180.90", "97.60"]
    click_next(w, qtbot, wait_task)
    paid_on(w, dt.date(2026, 1, 15))
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert count(ctx, RemittanceImport) == 1


def test_enter_after_back_goes_forward_again_and_never_closes_the_wizard(
    sun: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "SUN roster 2026-01.xlsx", ROSTER_HEADERS, [A, B])
    w = wizard(ctx, qtbot, kind="roster", path=path)
    w.set_roster_month(Month(2026, 1))
    w.show()
    qtbot.waitExposed(w)
    wait_task()
    qtbot.keyClick(w, Qt.Key.Key_Return)
    wait_task()
    assert w.step == PREVIEW
    qtbot.mouseClick(w.back_button, LEFT)
    assert w.step == CHOOSE
    qtbot.keyClick(QApplication.focusWidget() or w, Qt.Key.Key_Return)
    wait_task()
    assert w.isVisible() and w.step == PREVIEW  # forward again, with the file and mapping
