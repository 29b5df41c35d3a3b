"""No orphan ("ghost") discrepancies once a roster is replaced or an import rolled back.

Issue 9's bug: a wrong file imported as the June roster replaced the real one, the
reconciliation found 120+ ``no_rate`` members, the right roster was imported again, and the
``no_rate`` items stayed behind, closed. Here, after every replacement or rollback, the stored
discrepancies equal those of a fresh database that imported the files that still count and
reconciled once; only what a person worked on is kept, closed with a note saying why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.db.models import Discrepancy, DiscrepancyEvent
from pmpm_desktop.io.roster_file import ROSTER_SCHEMA
from pmpm_desktop.services import importing
from pmpm_desktop.services.audit import actor_for
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
        ("status", "disputed", actor_for(db)),
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


# --- property: any chain of replacements and rollbacks ---------------------------------------

_POOL = range(101, 109)
_EFFECTIVE = [None, dt.date(2026, 2, 1), APR, dt.date(2026, 5, 15)]
_TERM = [None, dt.date(2026, 4, 30), dt.date(2026, 5, 31)]


@st.composite
def june_rosters(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A June roster of some of the pool's members, with retro dates reaching back as far as
    February, terms, and sometimes a rate cell no rate row knows (no_rate)."""
    listed = draw(st.lists(st.sampled_from(_POOL), min_size=1, max_size=len(_POOL), unique=True))
    rows = []
    for n in sorted(listed):
        eff = draw(st.sampled_from(_EFFECTIVE))
        term = draw(st.sampled_from([t for t in _TERM if t is None or eff is None or t > eff]))
        cell = draw(st.sampled_from(["TANF", "TANF", "BOGUS"]))
        rows.append(_row(n, eff=eff, term=term, cell=cell))
    return rows


def _row(n: int, *, eff: Any = None, term: Any = None, cell: str = "TANF") -> dict[str, Any]:
    values = member(n, "F", cell=cell, eff=eff, term=term)
    return dict(zip(ROSTER_SCHEMA, [*values[:7], None, eff, term, None], strict=False))


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    data = [r | {"source_row": i + 2} for i, r in enumerate(rows)]
    return pl.DataFrame(data, schema=ROSTER_SCHEMA)


_LINES = [
    (f"{n:09d}", month, cents)
    for n, month, cents in [
        *((n, "2026-04", 18090) for n in range(101, 106)),
        *((n, "2026-05", 18090) for n in range(101, 108)),
        *((n, "2026-06", 18090) for n in (101, 102, 104, 106, 108)),
        (103, "2026-06", 17640),
        (105, "2026-03", 18090),
    ]
]


def _store_roster(db: Database, month: str, rows: list[dict[str, Any]], name: str) -> int:
    sha = hashlib.sha256(name.encode()).hexdigest()
    return importing.store_roster(
        db, "SUN", M(month), _frame(rows), file_name=name, sha256=sha
    ).import_id


def _base(db: Database, folder: Path, june: list[dict[str, Any]]) -> int:
    folder.mkdir()
    add_sunrise(db, folder)
    _store_roster(db, "2026-04", [_row(n) for n in range(101, 107)], "apr")
    _store_roster(db, "2026-05", [_row(n) for n in range(101, 108)], "may")
    lines = pl.DataFrame(
        {
            "member_id": [x[0] for x in _LINES],
            "coverage_month": [x[1] for x in _LINES],
            "amount_cents": [x[2] for x in _LINES],
            "source_row": list(range(2, len(_LINES) + 2)),
        },
        schema={
            "member_id": pl.Utf8,
            "coverage_month": pl.Utf8,
            "amount_cents": pl.Int64,
            "source_row": pl.Int64,
        },
    )
    importing.store_remittance(db, "SUN", lines, file_name="s", sha256="0" * 64)
    return _store_roster(db, "2026-06", june, "jun-0")


Step = tuple[str, Any]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The new roster's retro row makes 105's paid March eligible: the not_eligible found before is
# gone, not closed, although the replaced roster never spoke about March.
@example(first=[_row(101)], steps=[("import", [_row(105, eff=dt.date(2026, 2, 1))])])
# Rolling back the wrong roster brings back the first one, whose retro row clears March again.
@example(
    first=[_row(105, eff=dt.date(2026, 2, 1))],
    steps=[("import", [_row(101)]), ("rollback", 0)],
)
@given(
    first=june_rosters(),
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("import"), june_rosters()),
            st.tuples(st.just("rollback"), st.integers(min_value=0, max_value=5)),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_any_chain_of_replacements_and_rollbacks_equals_a_fresh_reconciliation(
    first: list[dict[str, Any]], steps: list[Step]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = open_database(root / "db.sqlite3")
        fresh = open_database(root / "fresh.sqlite3")
        try:
            imported = [(_base(db, root / "db", first), "jun-0", first)]
            reconcile(db, "SUN", FIRST, LAST)
            for i, (what, arg) in enumerate(steps, start=1):
                if what == "import":
                    imported.append(
                        (_store_roster(db, "2026-06", arg, f"jun-{i}"), f"jun-{i}", arg)
                    )
                elif len(imported) > 1:
                    # Any June import but the first: a June roster always counts, so every
                    # import is a replacement (a first roster of a month closes per SPEC §7).
                    gone = imported.pop(1 + arg % (len(imported) - 1))
                    rollback_import(db, "roster", gone[0])
                reconcile(db, "SUN", FIRST, LAST)

            _base(fresh, root / "fresh", first)
            for _id, name, rows in imported[1:]:
                _store_roster(fresh, "2026-06", rows, name)
            reconcile(fresh, "SUN", FIRST, LAST)
            assert stored(db) == stored(fresh)
            assert orphan_events(db) == 0
        finally:
            db.dispose()
            fresh.dispose()
