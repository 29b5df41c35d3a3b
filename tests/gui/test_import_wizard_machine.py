"""The import wizard with machine formats, driven like a user: an X12 834 dropped on the window,
one given as the wrong kind, a broken one, an MMR, and a fixed-width roster whose layout is set
once in the layout editor and kept for the payer's next file. Real files, a real database, real
workers; the assertions are what the user reads."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.models import Member, PayerPayment, RosterImport
from pmpm_desktop.io.machine_file import Fact, Format
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.services import payers
from pmpm_desktop.services.importing import ImportResult
from pmpm_desktop.ui.context import AppContext
from pmpm_desktop.ui.import_wizard import CHECK, CHOOSE, DONE, PREVIEW, ImportWizard
from pmpm_desktop.ui.import_wizard.content_kind import propose_from_content
from pmpm_desktop.ui.import_wizard.layout_editor import LayoutEditor
from pmpm_desktop.ui.import_wizard.outcome_text import payer_level_fact
from pmpm_desktop.ui.main_window import MainWindow
from pmpm_desktop.ui.operations.import_data import ImportOutcome
from tests.gui.conftest import screenshot
from tests.gui.test_import_wizard import LEFT, click_next, count, drop, grid, wizard
from tests.unit.mmr_files import roster_line, sample_records, write_fixed_roster, write_mmr
from tests.unit.x12_files import Coverage834, Member834, enrollment, interchange
from tests.unit.x12_pay_files import Advice, write_835

MEMBERS = [
    Member834("M0001", coverages=(Coverage834(refs={"17": "TANF"}),)),
    Member834("M0002", last="ROE", first="RAY", sex="M", subscriber_id="S0002"),
]


@pytest.fixture
def acme(ctx: AppContext) -> str:
    payers.add_payer(ctx.db, "ACME", "Acme Health Plan")
    return "ACME"


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def problems_shown(w: ImportWizard) -> tuple[list[str], list[tuple[str, ...]]]:
    """The check step's grid: its column titles and its rows, as the user reads them."""
    m = w.problems_model
    titles = [m.headerData(c, Qt.Orientation.Horizontal) for c in range(m.columnCount())]
    rows = [
        tuple(m.data(m.index(r, c)) for c in range(m.columnCount())) for r in range(m.rowCount())
    ]
    return titles, rows


def member_ids(ctx: AppContext) -> set[str]:
    with ctx.db.sessions() as s:
        return set(s.scalars(select(Member.member_id)).all())


# --- X12 834 ----------------------------------------------------------------------------------


def test_an_834_dropped_on_the_window_is_read_as_a_roster_and_imported(
    acme: str,
    ctx: AppContext,
    window: MainWindow,
    qtbot: QtBot,
    wait_task: Callable[..., None],
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "ACME 2026-04.834", enrollment(MEMBERS))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    action, none = Qt.DropAction.CopyAction, Qt.KeyboardModifier.NoModifier
    event = QDropEvent(QPoint(300, 300), action, mime, LEFT, none)
    window.dropEvent(event)
    assert event.isAccepted()
    w = next(
        x for x in QApplication.topLevelWidgets() if isinstance(x, ImportWizard) and x.isVisible()
    )
    qtbot.addWidget(w)
    wait_task()
    # Its kind from its content, the payer and the month from its name.
    assert w.step == CHOOSE and w.kind == "roster" and w.payer_code == "ACME"
    assert w.kind_note.text() == "This is an X12 834 (005010X220A1) file: a roster."
    assert w.roster_month == Month(2026, 4)

    click_next(w, qtbot, wait_task)
    assert w.step == PREVIEW
    assert w.format_label.text() == "X12 EDI" and not w.sheet_combo.isVisible()
    assert w.found_panel.isVisible()
    assert w.found_panel.value("Standard") == "X12 834 (005010X220A1)"
    assert w.found_panel.value("Sender") == "ACMEHEALTH (ZZ: mutually defined)"
    assert w.found_panel.value("Members") == "2 (2 subscribers, 0 dependents)"
    assert [r["Member ID"] for r in grid(w)] == ["M0001", "M0002"]
    assert [r["Segment"] for r in grid(w)] == ["7", "16"]  # the INS segments
    assert w.mapping.combo("member_id").currentText() == "NM1*IL09"
    assert w.mapping.source_text("member_id") == "detected"
    assert not w.mapping.combo("dob").isEnabled()  # DMG02: the guide's place
    assert w.mapping.combo("dob").currentText() == "DMG02"
    assert "Read as X12 834 (005010X220A1)" in w.layout_label.text()
    screenshot(w, "import_wizard_x12_preview")

    # This payer keeps its member IDs in REF*0F.
    combo = w.mapping.combo("member_id")
    combo.setCurrentIndex(combo.findData("REF*0F"))
    wait_task()
    assert [r["Member ID"] for r in grid(w)] == ["M0001", "S0002"]
    assert w.mapping.source_text("member_id") == "your choice"

    click_next(w, qtbot, wait_task)
    assert w.step == CHECK
    assert "No problems found: 2 rows ready to import" in w.check_label.text()
    assert "from ACME 2026-04.834 (X12 834 (005010X220A1))" in w.check_details.text()
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert w.summary_label.text() == (
        "Imported the April 2026 roster of ACME (Acme Health Plan): 2 rows, 2 members, "
        "2 new members (from ACME 2026-04.834)."
    )
    assert w.done_found.value("Interchange control number") == "000000001"
    assert w.profile_label.text() == (
        "PMPM remembered your choice for ACME's next files: Member ID from REF*0F."
    )
    screenshot(w, "import_wizard_x12_done")
    assert member_ids(ctx) == {"M0001", "S0002"}

    # The payer's next 834: REF*0F without asking.
    qtbot.mouseClick(w.another_button, LEFT)
    later = write(tmp_path / "ACME 2026-05.834", enrollment(MEMBERS, control=2))
    drop(w.drop_zone, later)
    click_next(w, qtbot, wait_task)
    assert [r["Member ID"] for r in grid(w)] == ["M0001", "S0002"]
    assert w.mapping.source_text("member_id") == "saved layout"


def test_an_834_given_as_a_statement_is_refused_and_switched_to_a_roster(
    acme: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = write(tmp_path / "ACME payments 2026-04.edi", enrollment(MEMBERS))
    w = wizard(ctx, qtbot, path=path)
    assert w.kind == "roster"  # the name says a statement; the content says otherwise
    assert w.kind_note.text().startswith("The name says a payment statement, but the file is")
    w.kind_buttons["remittance"].setChecked(True)  # the user insists
    assert "Read as a payment statement it will most likely be refused" in w.kind_note.text()

    click_next(w, qtbot, wait_task)
    assert w.step == PREVIEW
    assert w.preview_banner.text() == (
        "ACME payments 2026-04.edi cannot be imported as a payment statement: it is a roster "
        "(X12 834 (005010X220A1)), whatever it is called. Nothing was written."
    )
    assert w.switch_button.isVisible()
    assert w.switch_button.text() == "Import it as a roster instead"
    assert not w.next_button.isEnabled()
    assert w.found_panel.value("Members") == "2 (2 subscribers, 0 dependents)"
    screenshot(w, "import_wizard_x12_wrong_kind")

    qtbot.mouseClick(w.switch_button, LEFT)
    wait_task()
    assert w.step == PREVIEW and w.kind == "roster"
    assert not w.preview_banner.isVisible()
    assert [r["Member ID"] for r in grid(w)] == ["M0001", "M0002"]
    assert count(ctx, RosterImport) == 0


def test_a_broken_834_shows_its_problem_at_its_segment_and_element(
    acme: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    bad = [Member834("M0001"), Member834("M0003", dob="20261340")]
    path = write(tmp_path / "ACME 2026-04.834", enrollment(bad))
    w = wizard(ctx, qtbot, path=path)
    click_next(w, qtbot, wait_task)
    assert [r["Member ID"] for r in grid(w)] == ["M0001"]  # the good member only
    click_next(w, qtbot, wait_task)
    assert w.step == CHECK
    assert w.check_label.text() == (
        "ACME 2026-04.834 cannot be imported: 1 problem in 1 segment. Nothing will be written "
        "while the file has problems."
    )
    titles, rows = problems_shown(w)
    assert titles == ["Segment", "Segment ID", "Element", "Value", "Problem"]
    assert rows[0][:4] == ("20", "DMG", "02", "20261340")
    assert rows[0][4].startswith("not a date") and "there is no month 13" in rows[0][4]
    assert not w.next_button.isEnabled()
    screenshot(w, "import_wizard_x12_problems")
    assert count(ctx, RosterImport) == 0


# --- CMS MMR ----------------------------------------------------------------------------------


def test_an_mmr_is_proposed_with_its_payment_month_and_says_both_parts_are_stored(
    acme: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = write_mmr(tmp_path / "H1234 MMR.txt", sample_records())
    w = wizard(ctx, qtbot, path=path)
    assert w.kind == "remittance"
    assert "CMS Monthly Membership Report of payment month 2026-04" in w.kind_note.text()
    w.kind_buttons["roster"].setChecked(True)
    assert w.roster_month == Month(2026, 4)
    assert w.month_hint.text() == "the payment month of this MMR"
    click_next(w, qtbot, wait_task)
    assert len(grid(w)) == 4 and w.found_panel.value("Contract") == "H1234"
    click_next(w, qtbot, wait_task)
    assert "importing it stores both (12 payment lines, 4 roster rows)" in w.check_details.text()


# --- fixed width ------------------------------------------------------------------------------


def fixed_roster(path: Path, last: str = "ALVAREZ") -> Path:
    return write_fixed_roster(
        path,
        [
            roster_line("A000000001", last, "MARIA", "19500101", "F", "HMO"),
            roster_line("A000000002", "BROWN", "JAMES", "19621231", "M", "HMO"),
        ],
    )


def use(editor: LayoutEditor, qtbot: QtBot, start: int, length: int) -> None:
    """Select characters of the second line (a member) and use them for the current field."""
    editor.select_columns(2, start, length)
    qtbot.mouseClick(editor.use_button, LEFT)


def test_a_fixed_width_roster_gets_its_layout_once_and_the_next_file_needs_none(
    acme: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = fixed_roster(tmp_path / "ACME roster 2026-04.dat")
    w = wizard(ctx, qtbot, path=path)
    assert w.kind == "roster"
    assert w.kind_note.text().startswith("This is a fixed-width file")
    click_next(w, qtbot, wait_task)
    assert w.step == PREVIEW
    assert "has no layout for its rosters yet" in w.preview_banner.text()
    assert not w.next_button.isEnabled()
    editor = w.layout_editor  # opened by itself: the file cannot be read without it
    assert editor is not None and editor.isVisible()
    assert editor.lines[1].startswith("DA000000001ALVAREZ")

    # Select the member ID's characters on a member's line and use them.
    editor.select_columns(2, 2, 10)
    assert editor.selection_label.text() == "Selected: columns 2–11 (10 characters)"
    assert editor.use_button.text() == "Use the selected characters for Member ID"
    qtbot.mouseClick(editor.use_button, LEFT)
    use(editor, qtbot, 12, 12)  # last name: the next field is made current
    use(editor, qtbot, 24, 10)  # first name
    editor.table.selectRow(4)  # date of birth
    use(editor, qtbot, 34, 8)
    assert editor.table.item(0, 3).text() == "2–11"
    assert editor.table.item(4, 3).text() == "34–41"
    # A field typed over another is refused with the reader's sentence.
    editor.set_field("sex", 40, 2)
    qtbot.mouseClick(editor.apply_button, LEFT)
    assert editor.error_label.text() == (
        "Fields dob (columns 34–41) and sex (columns 40–41) overlap."
    )
    editor.set_field("sex", 42, 1)
    editor.skip_spin.setValue(1)
    qtbot.keyClicks(editor.prefix_edit, "D")
    screenshot(editor, "import_wizard_layout_editor")
    qtbot.mouseClick(editor.apply_button, LEFT)
    wait_task()
    assert w.layout_editor is None  # closed by Apply

    assert not w.preview_banner.isVisible()
    assert [r["Member ID"] for r in grid(w)] == ["A000000001", "A000000002"]
    assert [r["Row"] for r in grid(w)] == ["2", "3"]  # the lines of the file
    assert w.layout_label.text().startswith("Read with the layout you set: each field from its")
    assert (w.found_panel.value("Layout") or "").startswith(
        "roster: member_id 2–11, last_name 12–23"
    )
    assert w.mapping.combo("member_id").currentText() == "columns 2–11"
    assert w.layout_button.isVisible()
    screenshot(w, "import_wizard_fixed_preview")
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert w.profile_label.text().startswith("PMPM kept the layout of this file for ACME")
    assert member_ids(ctx) == {"A000000001", "A000000002"}

    # The payer's next file: no layout asked.
    qtbot.mouseClick(w.another_button, LEFT)
    later = fixed_roster(tmp_path / "ACME roster 2026-05.dat", last="ALVARES")
    drop(w.drop_zone, later)
    click_next(w, qtbot, wait_task)
    assert w.layout_editor is None and not w.preview_banner.isVisible()
    assert w.layout_label.text().startswith("Read with ACME's saved layout")
    click_next(w, qtbot, wait_task)
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert "May 2026 roster of ACME" in w.summary_label.text()


def test_the_done_step_lists_payer_level_payments_beside_the_facts() -> None:
    result = ImportResult(7, "plb.835", 0, 0, 0, payer_level_total=Decimal("1234.50"))
    outcome = ImportOutcome("remittance", "ACME", "plb.835", result)
    assert payer_level_fact(outcome) == Fact(
        "Paid at payer level", "$1,234.50 (not tied to members)"
    )
    plain = ImportOutcome("remittance", "ACME", "x.xlsx", ImportResult(8, "x.xlsx", 2, 2, 0))
    assert payer_level_fact(plain) is None


def test_the_kind_of_an_x12_file_comes_from_its_first_transaction_set(tmp_path: Path) -> None:
    big = write(tmp_path / "enrollment.dat", enrollment(MEMBERS))
    found = propose_from_content(big)
    assert found.format is Format.X12 and found.proposal.kind is FileKind.ROSTER
    assert found.proposal.from_content is FileKind.ROSTER  # plainly: another kind is warned
    claims = write(tmp_path / "claims.edi", interchange([[["BHT", "0019"]]], code="837"))
    other = propose_from_content(claims)
    assert other.proposal.kind is None
    assert other.proposal.sentence == (
        "This X12 file holds an 837 (health care claim): PMPM reads rosters (834, 271) and "
        "payment statements (820, 835)."
    )


def test_an_835_paying_only_at_payer_level_checks_clean_and_imports(
    acme: str, ctx: AppContext, qtbot: QtBot, wait_task: Callable[..., None], tmp_path: Path
) -> None:
    path = write_835(
        tmp_path / "ACME_CAP_JUNE",
        [Advice(total="1500.00", plbs=[[("CT:CAP202606", "-1575.00"), ("E3:WH", "75.00")]])],
    )
    w = wizard(ctx, qtbot, path=path)
    assert w.kind == "remittance"
    assert w.kind_note.text() == "This is an X12 835 (005010X221A1) file: a payment statement."
    click_next(w, qtbot, wait_task)
    assert w.step == PREVIEW
    click_next(w, qtbot, wait_task)
    assert w.step == CHECK
    assert w.check_label.text() == (
        "No problems found: no member lines, 2 payer-level payments ready to import. "
        "Nothing has been written yet."
    )
    click_next(w, qtbot, wait_task)
    assert w.step == DONE
    assert w.summary_label.text() == (
        "Imported a payment statement of ACME (Acme Health Plan): no member lines, "
        "$1,500.00 paid at payer level (from ACME_CAP_JUNE)."
    )
    with ctx.db.sessions() as s:
        assert s.scalars(select(PayerPayment.amount)).all() == [
            Decimal("1575.00"),
            Decimal("-75.00"),
        ]
