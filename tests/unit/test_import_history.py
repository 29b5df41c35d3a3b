"""Import history on real files: listing imports, paging their rows, and rolling one back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from pmpm_desktop.core.month import Month
from pmpm_desktop.core.summary import CLOSED_STATUSES
from pmpm_desktop.db.database import Database
from pmpm_desktop.db.models import (
    ImportProfile,
    Member,
    MemberAlias,
    RateRow,
    RemittanceImport,
    RemittanceLine,
    RosterImport,
    RosterRow,
)
from pmpm_desktop.errors import InputRejected, NotFound, UsageError
from pmpm_desktop.progress import Cancelled
from pmpm_desktop.services import importing, payers
from pmpm_desktop.services.discrepancies import discrepancy_rows, set_status
from pmpm_desktop.services.import_history import (
    LineInfo,
    RosterRowInfo,
    get_import,
    import_rows,
    list_imports,
    rollback_import,
)
from pmpm_desktop.services.members import link_alias
from pmpm_desktop.services.reconciling import reconcile
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, A, B, xlsx
from tests.unit.practice import add_sunrise, sqlite_or_postgres

M = Month.parse
C = ["000000003", "CHARLIE", "CAROL", dt.date(1980, 3, 3), "F", "MCD", "TANF", None, None]
# SPEC §8: A expects 180.90 a month, B 210.30 in January and 97.60 from February.
A_PAY, B_JAN, B_FEB, C_PAY = (
    Decimal("180.90"),
    Decimal("210.30"),
    Decimal("97.60"),
    Decimal("180.90"),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, db_path: Path) -> Iterator[Database]:
    """Each test on SQLite and on PostgreSQL (the SQL here: window functions, UPDATE … FROM,
    ORDER BY with blanks last, sums of Numeric money)."""
    yield from sqlite_or_postgres(request, db_path)


@pytest.fixture
def practice(db: Database, tmp_path: Path) -> Database:
    """SPEC §8's payer, contract and rates, with no rosters or statements yet."""
    return add_sunrise(db, tmp_path)


def roster(db: Database, tmp_path: Path, month: str, name: str, rows: list[list[Any]]) -> int:
    path = xlsx(tmp_path / name, ROSTER_HEADERS, rows, title=f"Sunrise roster {month}")
    return importing.import_roster(db, "SUN", M(month), path).import_id


def statement(db: Database, tmp_path: Path, name: str, rows: list[list[Any]]) -> int:
    path = xlsx(tmp_path / name, REMIT_HEADERS, rows)
    return importing.import_remittance(db, "SUN", path, payment_date=dt.date(2026, 2, 15)).import_id


def open_discrepancies(db: Database) -> set[tuple[str, Month, str, Decimal, Decimal]]:
    return {
        (d.member_id, d.month, d.kind, d.expected, d.paid)
        for d in discrepancy_rows(db, payer_code="SUN")
        if d.status not in CLOSED_STATUSES
    }


def outcome(db: Database, first: str, last: str) -> tuple[Any, ...]:
    """What a reconciliation says, apart from the stored history of discrepancies."""
    s = reconcile(db, "SUN", M(first), M(last))
    return (s.months, s.counts, s.expected, s.paid, open_discrepancies(db))


def snapshot(db: Database) -> dict[str, Any]:
    """Every stored thing a rollback must not touch (apart from the import it removes)."""
    with db.engine.connect() as c:

        def rows(q: Any) -> list[Any]:
            return sorted(tuple(r) for r in c.execute(q).all())

        return {
            "members": rows(
                select(
                    Member.member_id, Member.last_name, Member.first_name, Member.dob, Member.sex
                )
            ),
            "aliases": rows(select(MemberAlias.alias_id, MemberAlias.member_pk)),
            "rosters": rows(
                select(
                    RosterImport.id,
                    RosterImport.file_name,
                    RosterImport.roster_month,
                    RosterImport.active,
                    RosterImport.replaced_by_id,
                    RosterImport.sha256,
                )
            ),
            "roster_rows": rows(
                select(
                    RosterRow.import_id, RosterRow.member_pk, RosterRow.source_row, RosterRow.dob
                )
            ),
            "statements": rows(select(RemittanceImport.id, RemittanceImport.file_name)),
            "lines": rows(
                select(
                    RemittanceLine.import_id,
                    RemittanceLine.member_id,
                    RemittanceLine.coverage_month,
                    RemittanceLine.amount,
                )
            ),
            "rates": rows(select(RateRow.id, RateRow.amount)),
            "profiles": rows(select(ImportProfile.id, ImportProfile.kind, ImportProfile.name)),
        }


# --- rolling back a roster -------------------------------------------------------------------


def test_rolling_back_a_replacing_roster_restores_the_earlier_one_and_the_reconciliation(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    jan = roster(db, tmp_path, "2026-01", "jan.xlsx", [A, B])
    statement(db, tmp_path, "stmt-jan.xlsx", [[A[0], "2026-01", A_PAY, "CAP"]])
    before = outcome(db, "2026-01", "2026-01")
    state_before = snapshot(db)
    assert before[4] == {("000000002", M("2026-01"), "missing", B_JAN, Decimal("0.00"))}

    # The second January file: B gone, A renamed, a new member C.
    renamed = ["000000001", "ALPHA-SMITH", "ANN", *A[3:]]
    jan2 = roster(db, tmp_path, "2026-01", "jan-corrected.xlsx", [renamed, C])
    after_second = outcome(db, "2026-01", "2026-01")
    assert after_second != before
    assert get_import(db, "roster", jan).active is False
    assert get_import(db, "roster", jan).replaced_by_file == "jan-corrected.xlsx"

    result = rollback_import(db, "roster", jan2)

    assert result.reactivated_id == jan and result.reactivated_file == "jan.xlsx"
    assert result.rows_removed == 2 and result.members_removed == 1 and result.members_kept == 0
    assert (result.first, result.last) == (M("2026-01"), M("2026-01"))
    assert result.summary is not None
    assert (result.summary.months, result.summary.counts) == before[:2]
    assert outcome(db, "2026-01", "2026-01") == before
    # C's "missing" came only from the removed file and nobody worked on it: it is gone, as
    # a fresh reconciliation of the remaining files would never have found it.
    c_rows = [d for d in discrepancy_rows(db, payer_code="SUN") if d.member_id == "000000003"]
    assert c_rows == []
    # Everything else is as it was before the second file: A's name too.
    assert snapshot(db) == state_before
    info = get_import(db, "roster", jan)
    assert info.active and info.replaced_by_id is None and info.replaced_by_file is None


def test_a_rolled_back_roster_can_be_imported_again(practice: Database, tmp_path: Path) -> None:
    db = practice
    roster(db, tmp_path, "2026-01", "jan.xlsx", [A, B])
    path = tmp_path / "jan.xlsx"
    with pytest.raises(InputRejected, match="already imported"):
        importing.import_roster(db, "SUN", M("2026-01"), path)
    first = list_imports(db, "roster")[0]
    rollback_import(db, "roster", first.id)
    assert list_imports(db, "roster") == []
    again = importing.import_roster(db, "SUN", M("2026-01"), path)
    assert again.rows == 2 and again.new_members == 2
    assert get_import(db, "roster", again.import_id).sha256 == first.sha256


def test_rolling_back_the_only_roster_removes_its_members_and_their_discrepancies(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    jan = roster(db, tmp_path, "2026-01", "jan.xlsx", [A, B])
    statement(db, tmp_path, "s.xlsx", [[A[0], "2026-01", A_PAY, "CAP"]])
    reconcile(db, "SUN", M("2026-01"), M("2026-01"))
    result = rollback_import(db, "roster", jan)
    assert result.members_removed == 2
    with db.sessions() as s:
        assert s.scalar(select(func.count(Member.id))) == 0
    # A's paid line now belongs to an ID no roster lists; B's "missing" is closed.
    assert open_discrepancies(db) == {
        ("000000001", M("2026-01"), "unknown_member", Decimal("0.00"), A_PAY)
    }
    # B's "missing" came from the removed roster alone: deleted, not left behind as resolved.
    b = [d for d in discrepancy_rows(db, payer_code="SUN") if d.member_id == "000000002"]
    assert b == []


def test_rolling_back_a_replaced_roster_only_removes_it_from_history(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    jan = roster(db, tmp_path, "2026-01", "jan.xlsx", [A, B])
    jan2 = roster(db, tmp_path, "2026-01", "jan2.xlsx", [A])
    before = outcome(db, "2026-01", "2026-01")
    result = rollback_import(db, "roster", jan)
    # B was listed only on the replaced file: it leaves with it (it never counted anyway).
    assert result.reactivated_id is None and result.members_removed == 1
    assert [i.id for i in list_imports(db, "roster")] == [jan2]
    assert get_import(db, "roster", jan2).active
    assert outcome(db, "2026-01", "2026-01") == before
    with db.sessions() as s:
        assert list(s.scalars(select(Member.member_id))) == ["000000001"]


def test_a_chain_of_replacements_stays_linked_when_a_middle_one_is_rolled_back(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    one = roster(db, tmp_path, "2026-01", "one.xlsx", [A, B])
    two = roster(db, tmp_path, "2026-01", "two.xlsx", [A])
    three = roster(db, tmp_path, "2026-01", "three.xlsx", [B])
    rollback_import(db, "roster", two)
    info = get_import(db, "roster", one)
    assert not info.active and info.replaced_by_id == three
    assert info.replaced_by_file == "three.xlsx"
    result = rollback_import(db, "roster", three)
    assert result.reactivated_file == "one.xlsx"
    assert get_import(db, "roster", one).active


def test_members_an_alias_or_a_persons_work_refers_to_are_kept(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    roster(db, tmp_path, "2026-01", "jan.xlsx", [A])
    jan2 = roster(db, tmp_path, "2026-01", "jan2.xlsx", [A, B, C])
    statement(db, tmp_path, "s.xlsx", [[A[0], "2026-01", A_PAY, "CAP"]])
    reconcile(db, "SUN", M("2026-01"), M("2026-01"))
    link_alias(db, "SUN", "X00000002", "000000002")
    set_status(db, "SUN", "000000003", M("2026-01"), "disputed", "asked the payer")
    result = rollback_import(db, "roster", jan2)
    assert (result.members_removed, result.members_kept) == (0, 2)
    with db.sessions() as s:
        kept = set(s.scalars(select(Member.member_id)))
    assert kept == {"000000001", "000000002", "000000003"}
    # C is no longer expected: the reconciliation closes the dispute; the person's note stays.
    c = next(d for d in discrepancy_rows(db, payer_code="SUN") if d.member_id == "000000003")
    assert c.status == "resolved" and c.last_note == "asked the payer"


def test_a_retro_month_an_older_roster_speaks_about_is_refreshed(
    practice: Database, tmp_path: Path
) -> None:
    """The February roster adds C back to January (a retro add); rolling it back makes
    C's January payment a payment for a member no roster lists."""
    db = practice
    roster(db, tmp_path, "2026-01", "jan.xlsx", [A])
    c_retro = [*C[:7], dt.date(2026, 1, 1), None]
    feb = roster(db, tmp_path, "2026-02", "feb.xlsx", [A, c_retro])
    statement(
        db,
        tmp_path,
        "s.xlsx",
        [
            [A[0], "2026-01", A_PAY, "CAP"],
            [A[0], "2026-02", A_PAY, "CAP"],
            [C[0], "2026-01", C_PAY, "RETRO ADD"],
        ],
    )
    reconcile(db, "SUN", M("2026-01"), M("2026-02"))
    assert open_discrepancies(db) == {
        ("000000003", M("2026-02"), "missing", C_PAY, Decimal("0.00"))
    }
    result = rollback_import(db, "roster", feb)
    assert (result.first, result.last) == (M("2026-01"), M("2026-02"))
    assert open_discrepancies(db) == {
        ("000000001", M("2026-02"), "not_eligible", Decimal("0.00"), A_PAY),
        ("000000003", M("2026-01"), "unknown_member", Decimal("0.00"), C_PAY),
    }


# --- rolling back a statement ----------------------------------------------------------------


def test_rolling_back_a_statement_turns_its_matched_months_into_missing(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    roster(db, tmp_path, "2026-01", "jan.xlsx", [A, B])
    roster(db, tmp_path, "2026-02", "feb.xlsx", [A, B])
    statement(
        db,
        tmp_path,
        "s-jan.xlsx",
        [[A[0], "2026-01", A_PAY, "CAP"], [B[0], "2026-01", B_JAN, "CAP"]],
    )
    feb = statement(
        db,
        tmp_path,
        "s-feb.xlsx",
        [[A[0], "2026-02", A_PAY, "CAP"], [B[0], "2026-02", B_FEB, "CAP"]],
    )
    summary = reconcile(db, "SUN", M("2026-01"), M("2026-02"))
    assert summary.counts["matched"] == 4 and open_discrepancies(db) == set()
    state = snapshot(db)

    result = rollback_import(db, "remittance", feb)

    assert result.kind == "remittance" and result.rows_removed == 2
    assert result.roster_month is None and result.reactivated_id is None
    # The range covers the statement's month and the months the payer is tracked over.
    assert (result.first, result.last) == (M("2026-01"), M("2026-02"))
    assert open_discrepancies(db) == {
        ("000000001", M("2026-02"), "missing", A_PAY, Decimal("0.00")),
        ("000000002", M("2026-02"), "missing", B_FEB, Decimal("0.00")),
    }
    assert result.summary is not None and result.summary.counts["matched"] == 2
    # Nothing else changed: only the statement and its lines are gone.
    now = snapshot(db)
    assert now["statements"] == [r for r in state["statements"] if r[0] != feb]
    assert now["lines"] == [r for r in state["lines"] if r[0] != feb]
    assert {k: v for k, v in now.items() if k not in ("statements", "lines")} == {
        k: v for k, v in state.items() if k not in ("statements", "lines")
    }

    # Its SHA no longer blocks: importing it again pays the months, which close by themselves.
    again = importing.import_remittance(db, "SUN", tmp_path / "s-feb.xlsx")
    assert again.rows == 2
    reconcile(db, "SUN", M("2026-01"), M("2026-02"))
    assert open_discrepancies(db) == set()
    feb_rows = [d for d in discrepancy_rows(db, payer_code="SUN") if d.month == M("2026-02")]
    assert {d.status for d in feb_rows} == {"resolved"}


def test_rolling_back_a_statement_removes_the_discrepancies_it_caused(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    roster(db, tmp_path, "2026-01", "jan.xlsx", [A])
    statement(db, tmp_path, "good.xlsx", [[A[0], "2026-01", A_PAY, "CAP"]])
    bad = statement(
        db,
        tmp_path,
        "bad.xlsx",
        [
            [A[0], "2026-01", Decimal("5.00"), "ADJ"],
            ["999999999", "2026-01", Decimal("50.00"), "CAP"],
        ],
    )
    reconcile(db, "SUN", M("2026-01"), M("2026-01"))
    assert {d[2] for d in open_discrepancies(db)} == {"overpaid", "unknown_member"}
    rollback_import(db, "remittance", bad)
    # Nobody worked on them and a reconciliation without the statement finds nothing.
    assert discrepancy_rows(db, payer_code="SUN") == []


def test_the_refreshed_range_reaches_the_stored_discrepancies_months(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    roster(db, tmp_path, "2026-03", "mar.xlsx", [A])
    jan = statement(db, tmp_path, "s.xlsx", [[A[0], "2026-01", A_PAY, "CAP"]])
    reconcile(db, "SUN", M("2026-01"), M("2026-04"))
    result = rollback_import(db, "remittance", jan)
    assert (result.first, result.last) == (M("2026-01"), M("2026-03"))
    assert "reconciled again for 2026-01 – 2026-03" in result.describe()


def test_a_payer_left_with_nothing_reconciles_to_nothing(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    only = statement(db, tmp_path, "s.xlsx", [["123", "2026-01", Decimal("10.00"), "CAP"]])
    reconcile(db, "SUN", M("2026-01"), M("2026-01"))
    result = rollback_import(db, "statement", only)
    assert result.summary is not None and result.summary.paid == Decimal("0.00")
    assert open_discrepancies(db) == set()


# --- refusals --------------------------------------------------------------------------------


def test_rolling_back_an_import_that_does_not_exist_is_refused_in_words(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    jan = roster(db, tmp_path, "2026-01", "jan.xlsx", [A])
    rollback_import(db, "roster", jan)
    with pytest.raises(NotFound, match="no roster import"):
        rollback_import(db, "roster", jan)
    with pytest.raises(NotFound, match="no statement import 42"):
        rollback_import(db, "remittance", 42)
    with pytest.raises(UsageError, match="unknown kind"):
        rollback_import(db, "rates", 1)


def test_cancelling_before_the_delete_changes_nothing(practice: Database, tmp_path: Path) -> None:
    db = practice
    roster(db, tmp_path, "2026-01", "jan.xlsx", [A])
    feb = roster(db, tmp_path, "2026-02", "feb.xlsx", [A])
    state = snapshot(db)
    calls: list[tuple[int, int]] = []

    def cancel_at_commit(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 1

    with pytest.raises(Cancelled):
        rollback_import(db, "roster", feb, cancel_at_commit)
    assert calls == [(0, 4), (1, 4)]
    assert snapshot(db) == state


def test_progress_reaches_the_end_and_ignores_a_late_cancel(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    roster(db, tmp_path, "2026-01", "jan.xlsx", [A])
    feb = roster(db, tmp_path, "2026-02", "feb.xlsx", [A])
    calls: list[tuple[int, int]] = []

    def cancel_late(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 2  # once the delete is committed, a cancel must not stop the reconcile

    result = rollback_import(db, "roster", feb, cancel_late)
    assert result.summary is not None
    assert calls[-1] == (4, 4)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


# --- listing ---------------------------------------------------------------------------------


def test_imports_are_listed_newest_first_with_what_the_history_shows(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    jan = roster(db, tmp_path, "2026-01", "jan.xlsx", [A, B])
    jan2 = roster(db, tmp_path, "2026-01", "jan2.xlsx", [A, B, C])
    payers.add_payer(db, "OTH", "Other Plan")
    payers.add_contract(db, "OTH", payers.ContractSpec("Only", M("2026-01")))
    other = importing.import_roster(
        db, "OTH", M("2026-01"), xlsx(tmp_path / "oth.xlsx", ROSTER_HEADERS, [A])
    ).import_id
    rows = list_imports(db, "roster")
    assert [r.id for r in rows] == [other, jan2, jan]
    newest, replacing, replaced = rows
    assert newest.payer_code == "OTH" and newest.payer_name == "Other Plan"
    assert replacing.active and replacing.rows == 3 and replacing.roster_month == M("2026-01")
    assert not replaced.active and replaced.replaced_by_file == "jan2.xlsx"
    assert len(replaced.sha256) == 64 and replaced.imported_at <= replacing.imported_at
    assert [r.id for r in list_imports(db, "roster", "sun")] == [jan2, jan]
    with pytest.raises(NotFound):
        list_imports(db, "roster", "NOPE")
    with pytest.raises(UsageError):
        list_imports(db, "payments")


def test_statements_are_listed_with_the_sum_of_their_lines_exactly(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    lines = [[A[0], "2026-01", Decimal("0.10"), "CAP"] for _ in range(30)]
    lines += [[B[0], "2026-03", Decimal("-0.20"), "RECOUP"], [B[0], "Feb 2026", "$1,234.56", "CAP"]]
    sid = statement(db, tmp_path, "s.xlsx", lines)
    (info,) = list_imports(db, "statement")
    assert info.id == sid and info.kind == "remittance" and info.rows == 32
    assert info.total_paid == Decimal("1237.36")  # 30 × 0.10 − 0.20 + 1,234.56, not a float sum
    assert info.stated_total is None and info.total_difference is None
    assert (info.first_month, info.last_month) == (M("2026-01"), M("2026-03"))
    assert info.months_text == "2026-01 – 2026-03"
    assert info.payment_date == dt.date(2026, 2, 15)
    assert info.roster_month is None


# --- rows a page at a time -------------------------------------------------------------------


def _rosters(rows: Sequence[RosterRowInfo | LineInfo]) -> list[RosterRowInfo]:
    assert all(isinstance(r, RosterRowInfo) for r in rows)
    return [r for r in rows if isinstance(r, RosterRowInfo)]


def _lines(rows: Sequence[RosterRowInfo | LineInfo]) -> list[LineInfo]:
    assert all(isinstance(r, LineInfo) for r in rows)
    return [r for r in rows if isinstance(r, LineInfo)]


def test_roster_rows_are_paged_and_sorted_in_sql_with_ids_as_text(
    practice: Database, tmp_path: Path
) -> None:
    db = practice
    jan = roster(db, tmp_path, "2026-01", "jan.xlsx", [A, B, C])
    source = import_rows(db, jan, "roster")
    assert source.count() == 3
    first = _rosters(source.fetch(0, 2, None, False))
    assert [r.member_id for r in first] == ["000000001", "000000002"]  # the file's order
    assert first[0].name == "ALPHA, ANN" and first[0].dob == dt.date(1990, 5, 10)
    assert first[0].rate_cell == "TANF" and first[0].product == "MCD"
    assert first[0].source_row == 4  # a title row and a blank row above the header
    assert [r.member_id for r in source.fetch(2, 10, None, False)] == ["000000003"]
    by_name = _rosters(source.fetch(0, 3, "name", True))
    assert [r.last_name for r in by_name] == ["CHARLIE", "BRAVO", "ALPHA"]
    assert [r.member_id for r in source.fetch(0, 3, "dob", False)][0] == "000000003"
    source.search = "bra"
    assert source.count() == 1 and _rosters(source.fetch(0, 5, None, False))[0].first_name == "BEN"
    source.search = "0000003"
    assert [r.member_id for r in source.fetch(0, 5, None, False)] == ["000000003"]
    with pytest.raises(UsageError):
        source.fetch(0, 5, "salary", False)


def test_statement_lines_are_paged_and_sorted_by_amount(practice: Database, tmp_path: Path) -> None:
    db = practice
    sid = statement(
        db,
        tmp_path,
        "s.xlsx",
        [
            [A[0], "2026-01", Decimal("180.90"), "CAP"],
            [B[0], "2026-01", Decimal("-97.60"), "RECOUP"],
            ["12345", "2026-02", Decimal("5.00"), None],
        ],
    )
    source = import_rows(db, sid, "remittance")
    assert source.count() == 3
    by_amount = _lines(source.fetch(0, 3, "amount", False))
    assert [r.amount for r in by_amount] == [Decimal("-97.60"), Decimal("5.00"), Decimal("180.90")]
    assert by_amount[1].member_id == "000012345"  # padded to the payer's width, kept as text
    assert by_amount[1].coverage_month == M("2026-02") and by_amount[1].line_type is None
    # Blank line types sort last whichever way.
    assert _lines(source.fetch(0, 3, "line_type", True))[-1].line_type is None
    assert _lines(source.fetch(0, 3, "line_type", False))[-1].line_type is None
