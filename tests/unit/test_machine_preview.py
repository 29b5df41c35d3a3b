"""The preview of machine formats (services/machine_preview.py): X12 834 and 271, change files,
the CMS MMR, an ATR attribution list and fixed-width files read exactly as their import reads
them, with what was found, problems at their segments, the elements a payer may choose, and
nothing written."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.io.fixed_layout import FixedLayout
from pmpm_desktop.io.machine_file import Fact, Format
from pmpm_desktop.io.options import FileKind
from pmpm_desktop.io.parsed import Place
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.preview import Preview, preview
from tests.unit.mmr_files import (
    APRIL,
    ROSTER_LAYOUT,
    roster_line,
    sample_records,
    write_fixed_roster,
    write_mmr,
)
from tests.unit.x12_files import Coverage834, Member271, Member834, eligibility, enrollment
from tests.unit.x12_pay_files import (
    Advice,
    PremiumLine,
    PremiumMember,
    premium_payment,
    write_820,
    write_835,
)

APR = Month(2026, 4)
ATR = Path(__file__).resolve().parents[1] / "data" / "fhir_atr" / "ig-example"
MEMBERS = [
    Member834("M0001", coverages=(Coverage834(refs={"17": "TANF"}),)),
    Member834("M0002", last="ROE", first="RAY", sex="M", subscriber_id="S0002"),
]


def _counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


@pytest.fixture
def acme(db: Database) -> Database:
    payers.add_payer(db, "ACME", "Acme Health Plan")
    return db


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _column(p: Preview, name: str) -> list[object]:
    i = p.columns.index(name)
    return [r[i] for r in p.rows]


def _fact(p: Preview, label: str) -> str:
    return next(f.value for f in p.facts if f.label == label)


# --- X12 834 ----------------------------------------------------------------------------------


def test_an_834_previews_its_members_facts_and_elements_and_writes_nothing(
    acme: Database, db_path: Path, tmp_path: Path
) -> None:
    path = _write(tmp_path / "ACME 834", enrollment(MEMBERS))
    before = _counts(db_path)
    p = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert _counts(db_path) == before
    assert p.format is Format.X12 and p.standard == "X12 834 (005010X220A1)"
    assert p.importable and p.error is None and p.needs_layout is None
    assert p.row_count == 2 and _column(p, "member_id") == ["M0001", "M0002"]
    assert _column(p, "row") == [7, 16]  # the segment opening each INS loop
    assert _column(p, "dob") == [dt.date(1980, 5, 15)] * 2
    assert Fact("Sender", "ACMEHEALTH (ZZ: mutually defined)") in p.facts
    assert _fact(p, "Members") == "2 (2 subscribers, 0 dependents)"
    assert p.sheets == () and p.sheet is None and p.header_row is None
    sources = {m.field: (m.column, m.source) for m in p.mapping}
    assert sources["member_id"] == ("NM1*IL09", "detected")
    assert sources["dob"] == ("DMG02", "format")  # fixed by the guide
    assert sources["rate_cell"] == ("REF*17", "detected")
    assert p.element_choices["member_id"] == ("NM1*IL09", "REF*0F", "REF*23")
    assert {"NM1*IL09", "REF*0F", "DMG02", "HD04"} <= set(p.headers)
    assert p.read is not None and p.read.standard == p.standard


def test_a_member_id_chosen_from_ref_0f_is_read_there_and_kept_for_the_payer(
    acme: Database, tmp_path: Path
) -> None:
    path = _write(tmp_path / "jan.834", enrollment(MEMBERS))
    p = preview(acme, "ACME", "roster", path, roster_month=APR, mapping={"member_id": "REF*0F"})
    assert _column(p, "member_id") == ["M0001", "S0002"]
    assert {m.field: m.source for m in p.mapping}["member_id"] == "override"
    importing.import_file(
        acme, "roster", "ACME", path, roster_month=APR, mapping={"member_id": "REF*0F"}
    )
    # The payer's next file: REF*0F without asking.
    later = _write(tmp_path / "feb.834", enrollment(MEMBERS, control=2))
    q = preview(acme, "ACME", "roster", later, roster_month=Month(2026, 5))
    assert _column(q, "member_id") == ["M0001", "S0002"]
    assert {m.field: (m.column, m.source) for m in q.mapping}["member_id"] == ("REF*0F", "profile")
    assert q.profile is not None


def test_a_bad_date_is_a_problem_at_its_segment_and_element(acme: Database, tmp_path: Path) -> None:
    path = _write(
        tmp_path / "broken.834",
        enrollment([Member834("M0001"), Member834("M0003", dob="20261340")]),
    )
    p = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert not p.importable and p.error is None
    (problem,) = p.problems
    assert problem.place is Place.SEGMENT and (problem.row, problem.column) == (20, "DMG")
    assert problem.element == "02"
    assert str(problem).startswith("segment 20 (DMG), element 02: '20261340' is not a date")
    assert _column(p, "member_id") == ["M0001"]  # the good rows are shown


def test_an_834_given_as_a_statement_or_rates_is_refused_as_the_roster_it_is(
    acme: Database, tmp_path: Path
) -> None:
    path = _write(tmp_path / "acme.edi", enrollment(MEMBERS))
    for kind in ("remittance", "rates"):
        p = preview(acme, "ACME", kind, path)
        assert p.wrong_kind is FileKind.ROSTER and not p.importable
        assert p.error is not None and "it is a roster (X12 834 (005010X220A1))" in p.error
        assert p.format is Format.X12 and p.facts  # what was found is still shown


def test_the_same_content_or_the_same_interchange_is_already_imported(
    acme: Database, tmp_path: Path
) -> None:
    path = _write(tmp_path / "acme.834", enrollment(MEMBERS))
    importing.import_file(acme, "roster", "ACME", path, roster_month=APR)
    p = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert p.already_imported is not None and p.already_imported[0] == "acme.834"
    assert p.duplicate_interchange is None and not p.importable
    # Re-sent with a new date: other bytes, the same interchange control number.
    again = _write(tmp_path / "resent.834", enrollment(MEMBERS, when=dt.datetime(2026, 4, 2, 8, 0)))
    q = preview(acme, "ACME", "roster", again, roster_month=APR)
    assert q.already_imported is not None and q.already_imported[0] == "acme.834"
    assert q.duplicate_interchange == "X12 ZZ:ACMEHEALTH 000000001"


def test_a_change_file_shows_its_changes_and_where_they_are_applied(
    acme: Database, tmp_path: Path
) -> None:
    full = _write(tmp_path / "full.834", enrollment(MEMBERS))
    importing.import_file(acme, "roster", "ACME", full, roster_month=Month(2026, 3))
    changes = [
        Member834("M0009", maintenance="021"),
        Member834("M0002", maintenance="024", coverages=(Coverage834(end="20260331"),)),
    ]
    path = _write(tmp_path / "changes.834", enrollment(changes, change=True, control=7))
    p = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert p.change_file and p.importable
    assert _column(p, "change") == ["add", "term"]
    assert any(
        "change file" in n and "applied to the latest roster (2026-03)" in n for n in p.notes
    )


def test_a_product_no_contract_takes_is_a_problem_as_on_import(
    acme: Database, tmp_path: Path
) -> None:
    for name, product in (("Medicaid", "MCD"), ("CHIP", "CHIP")):
        payers.add_contract(
            acme, "ACME", payers.ContractSpec(name, Month(2026, 1), products=(product,))
        )
    path = _write(
        tmp_path / "acme.834",
        enrollment([Member834("M0001", coverages=(Coverage834(plan="DENTAL"),))]),
    )
    p = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert not p.importable and any("DENTAL" in s for s in p.file_problems)


# --- X12 271 ----------------------------------------------------------------------------------


def test_a_271_previews_as_a_roster_with_its_product_choices(
    acme: Database, tmp_path: Path
) -> None:
    path = _write(
        tmp_path / "elig.271",
        eligibility([Member271("E001"), Member271("E002", last="ROE", plan="SILVER PLAN")]),
    )
    p = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert p.standard == "X12 271 (005010X279A1)" and p.importable
    assert _column(p, "member_id") == ["E001", "E002"]
    assert p.element_choices == {"product": ("EB05", "EB04")}


# --- CMS MMR ----------------------------------------------------------------------------------


def test_an_mmr_shows_its_roster_or_its_payments_and_says_both_are_stored(
    acme: Database, tmp_path: Path
) -> None:
    path = write_mmr(tmp_path / f"H1234 {APRIL}.mmr", sample_records())
    roster = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert roster.format is Format.MMR and roster.importable
    assert roster.row_count == 4 and "risk_score" in roster.columns
    statement = preview(acme, "ACME", "remittance", path)
    assert statement.importable and statement.row_count == 12
    assert sum(_column(statement, "amount"), Decimal(0)) == Decimal("4531.99")
    assert "amount" in statement.element_choices
    for p in (roster, statement):
        assert any("importing it stores both" in n for n in p.notes)
        assert _fact(p, "Payment month") == "2026-04"


def test_an_mmr_read_for_another_roster_month_says_which_month_it_is(
    acme: Database, tmp_path: Path
) -> None:
    path = write_mmr(tmp_path / "H1234.mmr", sample_records())
    p = preview(acme, "ACME", "roster", path, roster_month=Month(2026, 5))
    assert not p.importable
    assert "it is the MMR of payment month 2026-04, not 2026-05" in p.file_problems[0]


# --- Da Vinci ATR -----------------------------------------------------------------------------


def test_an_attribution_list_previews_as_a_roster_and_is_refused_as_a_statement(
    acme: Database, tmp_path: Path
) -> None:
    folder = shutil.copytree(ATR, tmp_path / "atr")
    path = folder / "group-fullexample.json"
    p = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert p.format is Format.FHIR_ATR and p.row_count >= 1
    assert p.element_choices["member_id"][0] == "Coverage.subscriberId"
    q = preview(acme, "ACME", "remittance", path)
    assert q.wrong_kind is FileKind.ROSTER and q.error is not None


# --- fixed width ------------------------------------------------------------------------------


def _fixed_roster(path: Path) -> Path:
    return write_fixed_roster(
        path,
        [
            roster_line("A000000001", "ALVAREZ", "MARIA", "19500101", "F", "HMO"),
            roster_line("A000000002", "BROWN", "JAMES", "19621231", "M", "HMO"),
        ],
    )


def test_a_fixed_width_file_needs_a_layout_once_per_payer(acme: Database, tmp_path: Path) -> None:
    path = _fixed_roster(tmp_path / "ROSTER.DAT")
    p = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert p.format is Format.FIXED_WIDTH and p.needs_layout is not None
    assert p.error is not None and not p.importable and p.rows == ()

    layout = FixedLayout.from_json(ROSTER_LAYOUT)
    q = preview(acme, "ACME", "roster", path, roster_month=APR, layout=layout)
    assert q.importable and q.layout == layout and q.needs_layout is None
    assert _column(q, "member_id") == ["A000000001", "A000000002"]
    assert {m.source for m in q.mapping} == {"layout"}
    importing.import_file(acme, "roster", "ACME", path, roster_month=APR, layout=layout)

    # The next file of the payer: the saved layout, nothing asked.
    later = _fixed_roster(tmp_path / "ROSTER2.DAT")
    later.write_bytes(later.read_bytes().replace(b"ALVAREZ", b"ALVARES"))
    r = preview(acme, "ACME", "roster", later, roster_month=Month(2026, 5))
    assert r.importable and r.layout == layout and r.needs_layout is None


def test_a_spreadsheet_preview_says_it_is_a_spreadsheet(acme: Database, tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("Member ID,Last Name,First Name,DOB\n000000001,ALPHA,ANN,1990-05-10\n")
    p = preview(acme, "ACME", "roster", path, roster_month=APR)
    assert p.format is Format.SPREADSHEET and p.standard is None and p.facts == ()


def test_an_835_with_plb_capitation_previews_as_importable(
    acme: Database, tmp_path: Path, db_path: Path
) -> None:
    path = write_835(
        tmp_path / "cap.835",
        [Advice(total="285.00", plbs=[[("CT:CAP202603", "-300.00"), ("E3:WH202603", "15.00")]])],
    )
    before = _counts(db_path)
    p = preview(acme, "ACME", "remittance", path)
    assert p.error is None, p.error
    assert p.format is Format.X12 and p.standard is not None and "835" in p.standard
    assert p.payer_payments == 2 and p.row_count == 0
    assert p.importable
    facts = {f.label: f.value for f in p.facts}
    assert facts["PLB CT capitation payment"] == "$300.00"
    assert _counts(db_path) == before


def test_an_820_previews_its_lines_and_a_period_over_months_as_a_problem(
    acme: Database, tmp_path: Path
) -> None:
    body = premium_payment(
        [
            PremiumMember("M1", "DOE", "JANE", [PremiumLine("100.00", "20260301-20260331")]),
            PremiumMember("M2", "ROE", "RAY", [PremiumLine("300.00", "20260101-20260331")]),
        ],
        total="400.00",
    )
    p = preview(acme, "ACME", "remittance", write_820(tmp_path / "pay.820", [body]))
    assert p.error is None, p.error
    assert _column(p, "member_id") == ["M1"]
    assert [(x.place, x.column) for x in p.problems] == [(Place.SEGMENT, "DTM*582")]
    assert not p.importable
