"""No orphan ("ghost") discrepancies once a roster is replaced or an import rolled back.

Issue 9's bug: a wrong file imported as the June roster replaced the real one, the
reconciliation found 120+ ``no_rate`` members, the right roster was imported again, and the
``no_rate`` items stayed behind, closed. Here, after every replacement or rollback, the stored
discrepancies equal those of a fresh database that imported the files that still count and
reconciled once; only what a person worked on is kept, closed with a note saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.db.models import Discrepancy, DiscrepancyEvent
from pmpm_desktop.services import importing
from pmpm_desktop.services.discrepancies import discrepancy_rows, history, set_status
from pmpm_desktop.services.import_history import rollback_import
from pmpm_desktop.services.reconciling import reconcile
from pmpm_desktop.services.stale_discrepancies import GONE_NOTE
from tests.unit.files import REMIT_HEADERS, ROSTER_HEADERS, xlsx
from tests.unit.practice import add_sunrise

M = Month.parse
FIRST, LAST = M("2026-01"), M("2026-06")
# SPEC §8's rates for adults: capitation − 2 % withhold + 4.50 care management.
F_PAY, M_PAY = Decimal("180.90"), Decimal("151.50")
APR, MAY = dt.date(2026, 4, 1), dt.date(2026, 5, 1)


def member(
    n: int, sex: str = "F", *, cell: str = "TANF", eff: dt.date | None = None, term: Any = None
) -> list[Any]:
    dob = dt.date(1980, 1, n % 28 + 1)
    return [f"{n:09d}", f"LAST{n}", f"FIRST{n}", dob, sex, "MCD", cell, eff, term]


def pay(n: int, month: str, amount: Decimal = F_PAY) -> list[Any]:
    return [f"{n:09d}", month, amount, "CAP"]


# The real June roster: 103 termed at the end of May, 108 a retro add from May, and the rows
# with an effective date speak about April and May as well (SPEC §3).
REAL_JUNE = [
    member(101, eff=APR),
    member(102, eff=APR),
    member(103, eff=APR, term=dt.date(2026, 5, 31)),
    member(104),
    member(105),
    member(106, "M"),
    member(108, eff=MAY),
]
# What the wrong file holds: the same people and 20 more, with a rate cell no rate row knows,
# half of them "effective" from February, so no_rate reaches back to February.
WRONG_JUNE = [
    member(n, cell="CAPITATION", eff=dt.date(2026, 2, 1) if n % 2 else None)
    for n in [*range(101, 107), *range(120, 140)]
]


class Files:
    """The payer's files, written once and imported into each database by the same paths."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir()
        self.folder = folder

    def roster(self, name: str, rows: list[list[Any]], title: str = "Sunrise roster") -> Path:
        return xlsx(self.folder / name, ROSTER_HEADERS, rows, title=title)

    def statement(self, name: str, rows: list[list[Any]]) -> Path:
        return xlsx(self.folder / name, REMIT_HEADERS, rows)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _open(request: pytest.FixtureRequest, backend: str, path: Path) -> Database:
    if backend == "sqlite":
        return open_database(path)
    from tests.unit.test_postgres import _create_database

    return open_database(_create_database(request.getfixturevalue("postgres_url")))


@pytest.fixture
def db(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[Database]:
    database = _open(request, backend, tmp_path / "pmpm.sqlite3")
    add_sunrise(database, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def fresh(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[Database]:
    """A second database of the same kind, for the reconciliation done once at the end."""
    database = _open(request, backend, tmp_path / "fresh.sqlite3")
    (tmp_path / "fresh").mkdir()
    add_sunrise(database, tmp_path / "fresh")
    yield database
    database.dispose()


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path / "files")


def import_roster(db: Database, month: str, path: Path) -> int:
    return importing.import_roster(db, "SUN", M(month), path).import_id


def import_statement(db: Database, path: Path) -> int:
    return importing.import_remittance(db, "SUN", path).import_id


def stored(db: Database) -> set[tuple[str, Month, str, Decimal, Decimal, str]]:
    """Every stored discrepancy as the user sees it: member, month, kind, amounts, status."""
    return {
        (d.member_id, d.month, d.kind, d.expected, d.paid, d.status)
        for d in discrepancy_rows(db, payer_code="SUN")
    }


def orphan_events(db: Database) -> int:
    with db.engine.connect() as c:
        return int(
            c.execute(
                select(func.count(DiscrepancyEvent.id)).where(
                    DiscrepancyEvent.discrepancy_id.not_in(select(Discrepancy.id))
                )
            ).scalar_one()
        )


def practice_files(files: Files) -> dict[str, Path]:
    """April, May and the real June roster, and two statements with the payer's usual mistakes."""
    return {
        "apr": files.roster("apr.xlsx", [member(n) for n in range(101, 106)] + [member(106, "M")]),
        "may": files.roster(
            "may.xlsx", [member(n) for n in range(101, 106)] + [member(106, "M"), member(107)]
        ),
        "jun": files.roster("jun.xlsx", REAL_JUNE),
        "s1": files.statement(
            "s1.xlsx",
            [pay(n, "2026-04") for n in range(101, 106)]
            + [pay(106, "2026-04", M_PAY)]
            + [pay(n, "2026-05") for n in range(101, 106)]
            + [pay(104, "2026-05"), ["999999999", "2026-05", Decimal("50.00"), "CAP"]],
        ),
        "s2": files.statement(
            "s2.xlsx",
            [pay(n, "2026-06") for n in (101, 104, 103, 108)]
            + [
                pay(105, "2026-06", F_PAY - Decimal("4.50")),
                pay(106, "2026-06", M_PAY),
                pay(108, "2026-05"),
            ],
        ),
    }


def load_practice(db: Database, f: dict[str, Path]) -> None:
    for month, key in (("2026-04", "apr"), ("2026-05", "may"), ("2026-06", "jun")):
        import_roster(db, month, f[key])
    import_statement(db, f["s1"])
    import_statement(db, f["s2"])


# --- rosters ---------------------------------------------------------------------------------


def test_a_wrong_roster_replaced_by_the_right_one_leaves_no_ghosts(
    db: Database, fresh: Database, files: Files
) -> None:
    f = practice_files(files)
    wrong = files.roster("wrong.xlsx", WRONG_JUNE)
    right = files.roster("jun-again.xlsx", REAL_JUNE, title="Sunrise roster (re-exported)")

    load_practice(db, f)
    reconcile(db, "SUN", FIRST, LAST)
    import_roster(db, "2026-06", wrong)
    after_wrong = reconcile(db, "SUN", FIRST, LAST)
    assert after_wrong.counts["no_rate"] > 40  # the bug's symptom, back to February
    import_roster(db, "2026-06", right)
    reconcile(db, "SUN", FIRST, LAST)

    load_practice(fresh, f)
    import_roster(fresh, "2026-06", wrong)
    import_roster(fresh, "2026-06", right)
    reconcile(fresh, "SUN", FIRST, LAST)

    assert stored(db) == stored(fresh)
    assert not {d for d in stored(db) if d[2] == "no_rate"}
    assert {d[2] for d in stored(db)} >= {"missing", "duplicate", "underpaid", "not_eligible"}
    assert orphan_events(db) == 0


def test_a_wrong_roster_rolled_back_leaves_no_ghosts(
    db: Database, fresh: Database, files: Files
) -> None:
    f = practice_files(files)
    wrong = files.roster("wrong.xlsx", WRONG_JUNE)

    load_practice(db, f)
    reconcile(db, "SUN", FIRST, LAST)
    wrong_id = import_roster(db, "2026-06", wrong)
    reconcile(db, "SUN", FIRST, LAST)
    result = rollback_import(db, "roster", wrong_id)
    assert result.reactivated_file == "jun.xlsx"
    # The rollback reconciles the months it touched; the whole range once more changes nothing.
    after_rollback = stored(db)
    reconcile(db, "SUN", FIRST, LAST)
    assert stored(db) == after_rollback

    load_practice(fresh, f)
    reconcile(fresh, "SUN", FIRST, LAST)

    assert stored(db) == stored(fresh)
    assert orphan_events(db) == 0


def test_work_a_person_did_survives_a_replacement_closed_with_the_reason(
    db: Database, files: Files
) -> None:
    f = practice_files(files)
    load_practice(db, f)
    reconcile(db, "SUN", FIRST, LAST)
    # 102's June is unpaid (missing), 105's June short (underpaid): a person disputes both.
    set_status(db, "SUN", "000000102", M("2026-06"), "disputed", "asked Sunrise about June")
    set_status(db, "SUN", "000000105", M("2026-06"), "disputed", "short by the CM fee")
    assert ("000000103", M("2026-06"), "not_eligible") in {d[:3] for d in stored(db)}

    # The corrected June roster drops 102 and keeps 103 on: neither differs any more.
    corrected = [r for r in REAL_JUNE if r[0] not in ("000000102", "000000103")]
    corrected.append(member(103, eff=APR))
    import_roster(db, "2026-06", files.roster("jun-corrected.xlsx", corrected))
    reconcile(db, "SUN", FIRST, LAST)

    june = {d.member_id: d for d in discrepancy_rows(db, payer_code="SUN", first=M("2026-06"))}
    # The person's dispute is closed with the reason, its history kept whole.
    assert june["000000102"].status == "resolved"
    assert june["000000102"].last_note == "asked Sunrise about June"
    events = history(db, "SUN", "000000102", M("2026-06"))
    assert [(e.event, e.new_status, e.actor) for e in events] == [
        ("created", "open", "reconcile"),
        ("status", "disputed", "user"),
        ("status", "resolved", "reconcile"),
    ]
    assert events[-1].note == GONE_NOTE
    # Nobody touched 103's not_eligible: a fresh reconciliation would not have it, so it is gone.
    assert "000000103" not in june
    # Still a difference: the dispute and its note stay as they were.
    assert (june["000000105"].status, june["000000105"].last_note) == (
        "disputed",
        "short by the CM fee",
    )

    # Reconciling again changes nothing: the closed item is no longer marked.
    before = stored(db)
    reconcile(db, "SUN", FIRST, LAST)
    assert stored(db) == before
    assert len(history(db, "SUN", "000000102", M("2026-06"))) == 3


def test_months_a_replaced_roster_never_spoke_about_keep_their_history(
    db: Database, files: Files
) -> None:
    import_roster(db, "2026-05", files.roster("may.xlsx", [member(101), member(107)]))
    # No effective dates: this June roster speaks about June alone (SPEC §3).
    import_roster(db, "2026-06", files.roster("jun.xlsx", [member(101)]))
    import_statement(db, files.statement("s1.xlsx", [pay(101, "2026-05"), pay(101, "2026-06")]))
    reconcile(db, "SUN", FIRST, LAST)
    import_statement(db, files.statement("s2.xlsx", [pay(107, "2026-05")]))
    reconcile(db, "SUN", FIRST, LAST)

    import_roster(db, "2026-06", files.roster("jun-2.xlsx", [member(101), member(102)]))
    reconcile(db, "SUN", FIRST, LAST)

    # 107's May, missing and then paid later, keeps its item and its history.
    assert stored(db) == {
        ("000000107", M("2026-05"), "missing", F_PAY, F_PAY, "resolved"),
        ("000000102", M("2026-06"), "missing", F_PAY, Decimal("0.00"), "open"),
    }
    notes = [e.note for e in history(db, "SUN", "000000107", M("2026-05"))]
    assert notes == [None, "paid in a later remittance"]


# --- statements ------------------------------------------------------------------------------


def test_a_rolled_back_statement_leaves_what_a_fresh_reconciliation_finds(
    db: Database, fresh: Database, files: Files
) -> None:
    f = practice_files(files)
    bad = files.statement(
        "s3-bad.xlsx",
        [
            pay(101, "2026-06"),  # paid twice: duplicate
            pay(102, "2026-06"),  # pays a missing month: closed as paid later, until rolled back
            pay(107, "2026-06"),  # not eligible in June
            ["999999998", "2026-06", Decimal("75.00"), "CAP"],  # a member no roster lists
            pay(104, "2026-04", Decimal("-180.90")),  # a recoupment of a paid month
        ],
    )
    load_practice(db, f)
    reconcile(db, "SUN", FIRST, LAST)
    bad_id = import_statement(db, bad)
    reconcile(db, "SUN", FIRST, LAST)
    kinds = {(d[0], d[1]): (d[2], d[5]) for d in stored(db)}
    assert kinds[("000000102", M("2026-06"))] == ("missing", "resolved")
    assert kinds[("999999998", M("2026-06"))] == ("unknown_member", "open")

    rollback_import(db, "remittance", bad_id)
    reconcile(db, "SUN", FIRST, LAST)

    load_practice(fresh, f)
    reconcile(fresh, "SUN", FIRST, LAST)

    assert stored(db) == stored(fresh)
    assert orphan_events(db) == 0


def test_without_replacements_a_month_paid_later_still_closes_as_resolved(
    db: Database, files: Files
) -> None:
    f = practice_files(files)
    load_practice(db, f)
    reconcile(db, "SUN", FIRST, LAST)
    set_status(db, "SUN", "000000106", M("2026-05"), "disputed", "sent to Sunrise")
    # A roster of a new month replaces none: nothing about May changes but the payment.
    import_roster(db, "2026-07", files.roster("jul.xlsx", [member(n) for n in range(101, 106)]))
    import_statement(db, files.statement("s3.xlsx", [pay(106, "2026-05", M_PAY)]))
    reconcile(db, "SUN", FIRST, LAST)
    reconcile(db, "SUN", FIRST, LAST)

    d = next(
        d
        for d in discrepancy_rows(db, payer_code="SUN", first=M("2026-05"), last=M("2026-05"))
        if d.member_id == "000000106"
    )
    assert (d.status, d.last_note) == ("resolved", "sent to Sunrise")
    notes = [e.note for e in history(db, "SUN", "000000106", M("2026-05"))]
    assert notes == [None, "sent to Sunrise", "paid in a later remittance"]
