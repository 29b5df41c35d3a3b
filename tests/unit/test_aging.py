"""Aging: buckets by days since the payment was due, and recoupments past the retro window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database, open_database
from pmpm_desktop.db.models import (
    Contract,
    Discrepancy,
    Payer,
    RemittanceImport,
    RemittanceLine,
)
from pmpm_desktop.services.aging import (
    BUCKETS,
    aging_items,
    aging_summary,
    aging_table,
    bucket_of,
    late_recoupments,
)

M = Month.parse
D = Decimal


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "aging.sqlite3")
    yield database
    database.dispose()


def _payer(db: Database, code: str, *contracts: dict[str, object]) -> int:
    with db.sessions() as s:
        payer = Payer(code=code, name=f"{code} Health")
        s.add(payer)
        s.flush()
        for n, terms in enumerate(contracts):
            s.add(
                Contract(
                    payer_id=payer.id,
                    name=f"Contract {n}",
                    product_codes=[],
                    effective_from=terms.get("first", M("2020-01")),
                    effective_to=terms.get("last"),
                    **{k: v for k, v in terms.items() if k not in ("first", "last")},
                )
            )
        s.commit()
        return payer.id


def _discrepancy(
    db: Database, payer_id: int, member: str, month: str, variance: str, status: str = "open"
) -> None:
    with db.sessions() as s:
        s.add(
            Discrepancy(
                payer_id=payer_id,
                member_id=member,
                month=M(month),
                kind="missing",
                expected=-D(variance),
                paid=D("0.00"),
                variance=D(variance),
                status=status,
            )
        )
        s.commit()


def test_bucket_boundaries() -> None:
    assert BUCKETS == ("0–30", "31–60", "61–90", "90+")
    assert [bucket_of(d) for d in (0, 30, 31, 60, 61, 90, 91, 400)] == [
        "0–30",
        "0–30",
        "31–60",
        "31–60",
        "61–90",
        "61–90",
        "90+",
        "90+",
    ]


@pytest.mark.parametrize(
    ("as_of", "age", "bucket"),
    [
        ("2026-01-14", 0, "0–30"),  # before the due day: not late yet, age 0
        ("2026-01-15", 0, "0–30"),
        ("2026-02-14", 30, "0–30"),
        ("2026-02-15", 31, "31–60"),
        ("2026-03-16", 60, "31–60"),
        ("2026-03-17", 61, "61–90"),
        ("2026-04-15", 90, "61–90"),
        ("2026-04-16", 91, "90+"),
    ],
)
def test_age_counts_from_the_due_day(db: Database, as_of: str, age: int, bucket: str) -> None:
    pid = _payer(db, "BAY", {})  # due day 15 by default
    _discrepancy(db, pid, "A1", "2026-01", "-100.00")
    (item,) = aging_items(db, as_of=dt.date.fromisoformat(as_of))
    assert item.due_date == dt.date(2026, 1, 15)
    assert (item.age_days, item.bucket) == (age, bucket)
    assert (item.payer_code, item.member_id, item.month, item.status) == (
        "BAY",
        "A1",
        M("2026-01"),
        "open",
    )
    assert item.variance == D("-100.00")


def test_due_day_30_is_clamped_in_february(db: Database) -> None:
    pid = _payer(db, "BAY", {"payment_due_day": 30})
    _discrepancy(db, pid, "A1", "2026-02", "-10.00")
    _discrepancy(db, pid, "A2", "2024-02", "-10.00")  # leap year
    _discrepancy(db, pid, "A3", "2026-03", "-10.00")
    items = {i.member_id: i for i in aging_items(db, as_of=dt.date(2026, 4, 1))}
    assert items["A1"].due_date == dt.date(2026, 2, 28)
    assert items["A2"].due_date == dt.date(2024, 2, 29)
    assert items["A3"].due_date == dt.date(2026, 3, 30)
    assert items["A3"].age_days == 2


def test_due_day_from_the_contract_governing_the_month(db: Database) -> None:
    pid = _payer(
        db,
        "BAY",
        {"last": M("2025-12"), "payment_due_day": 5},
        {"first": M("2026-01"), "payment_due_day": 20},
        # a second contract at once (another product line): the smaller due day wins
        {"first": M("2026-03"), "payment_due_day": 10},
    )
    none = _payer(db, "SUN")  # no contract at all: the default 15
    for month in ("2025-12", "2026-01", "2026-03"):
        _discrepancy(db, pid, f"M{month}", month, "-1.00")
    _discrepancy(db, none, "X", "2026-01", "-1.00")
    days = {
        (i.payer_code, str(i.month)): i.due_date.day
        for i in aging_items(db, as_of=dt.date(2026, 6, 1))
    }
    assert days == {
        ("BAY", "2025-12"): 5,
        ("BAY", "2026-01"): 20,
        ("BAY", "2026-03"): 10,
        ("SUN", "2026-01"): 15,
    }


def test_only_open_and_disputed_and_filters(db: Database) -> None:
    bay = _payer(db, "BAY", {})
    sun = _payer(db, "SUN", {})
    _discrepancy(db, bay, "A", "2026-01", "-1.00", "open")
    _discrepancy(db, bay, "B", "2026-02", "-2.00", "disputed")
    _discrepancy(db, bay, "C", "2026-03", "-4.00", "resolved")
    _discrepancy(db, bay, "D", "2026-04", "-8.00", "written_off")
    _discrepancy(db, sun, "E", "2026-05", "16.00", "open")
    as_of = dt.date(2026, 6, 30)
    assert [i.member_id for i in aging_items(db, as_of=as_of)] == ["A", "B", "E"]
    assert [i.member_id for i in aging_items(db, "BAY", as_of=as_of)] == ["A", "B"]
    assert [i.member_id for i in aging_items(db, as_of=as_of, first=M("2026-02"))] == ["B", "E"]
    assert [i.member_id for i in aging_items(db, as_of=as_of, last=M("2026-01"))] == ["A"]


def test_aging_table_every_payer_gets_a_row(db: Database) -> None:
    bay = _payer(db, "BAY", {})
    _payer(db, "SUN", {})
    _discrepancy(db, bay, "A", "2026-01", "-100.00", "open")  # due 01-15: 166 days → 90+
    _discrepancy(db, bay, "B", "2026-01", "-0.50", "disputed")
    _discrepancy(db, bay, "C", "2026-06", "25.00", "open")  # due 06-15: 15 days → 0–30
    items = aging_items(db, as_of=dt.date(2026, 6, 30))
    rows = aging_table(items, {"BAY": "Bay Health", "SUN": "Sun Health"})
    assert [r.payer_code for r in rows] == ["BAY", "SUN"]
    bay_row, sun_row = rows
    assert bay_row.payer_name == "Bay Health"
    assert bay_row.amounts == {
        "0–30": D("25.00"),
        "31–60": D("0.00"),
        "61–90": D("0.00"),
        "90+": D("-100.50"),
    }
    assert bay_row.counts == {"0–30": 1, "31–60": 0, "61–90": 0, "90+": 2}
    assert (bay_row.total, bay_row.count) == (D("-75.50"), 3)
    assert (sun_row.total, sun_row.count) == (D("0.00"), 0)
    assert set(sun_row.amounts) == set(BUCKETS)
    # a payer with items missing from the names is still listed, by its code
    assert [r.payer_name for r in aging_table(items, {})] == ["BAY"]


def test_aging_summary_in_sql_equals_the_table_of_items(db: Database) -> None:
    bay = _payer(db, "BAY", {"last": M("2026-02"), "payment_due_day": 1}, {"first": M("2026-03")})
    sun = _payer(db, "SUN", {"payment_due_day": 28})
    _payer(db, "ZED")
    for n, month in enumerate(("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")):
        _discrepancy(db, bay, f"B{n}", month, f"-{n + 1}.25", "open" if n % 2 else "disputed")
        _discrepancy(db, sun, f"S{n}", month, f"{n}.10")
        _discrepancy(db, sun, f"T{n}", month, "-0.01", "resolved")
    names = {"BAY": "Bay", "SUN": "Sun", "ZED": "Zed"}
    for as_of in (dt.date(2026, 6, 30), dt.date(2026, 4, 15), dt.date(2026, 9, 1)):
        for first, last in ((None, None), (M("2026-02"), M("2026-04"))):
            items = aging_items(db, as_of=as_of, first=first, last=last)
            assert aging_summary(db, names, as_of=as_of, first=first, last=last) == aging_table(
                items, names
            )
    # spread over several buckets, so the comparison means something
    rows = aging_summary(db, names, as_of=dt.date(2026, 6, 30))
    assert sum(1 for b in BUCKETS if rows[0].counts[b]) == 4


def _statement(
    db: Database,
    payer_id: int,
    paid_on: dt.date | None,
    lines: list[tuple[str, str, str]],
    imported_at: dt.datetime = dt.datetime(2026, 7, 2, 9, 0),
) -> None:
    with db.sessions() as s:
        imp = RemittanceImport(
            payer_id=payer_id,
            file_name="remit.xlsx",
            sha256="0" * 64,
            payment_date=paid_on,
            imported_at=imported_at,
            row_count=len(lines),
        )
        s.add(imp)
        s.flush()
        for row, (member, month, amount) in enumerate(lines, start=2):
            s.add(
                RemittanceLine(
                    import_id=imp.id,
                    payer_id=payer_id,
                    member_id=member,
                    coverage_month=M(month),
                    amount=D(amount),
                    source_row=row,
                )
            )
        s.commit()


def test_recoupment_at_the_window_is_allowed_one_month_past_is_late(db: Database) -> None:
    pid = _payer(db, "BAY", {})  # retro window 12 by default
    _statement(
        db,
        pid,
        dt.date(2026, 7, 10),
        [
            ("A", "2025-07", "-97.60"),  # 12 months back: exactly the window, allowed
            ("B", "2025-06", "-97.60"),  # 13 months back: late
            ("C", "2025-06", "97.60"),  # a payment, not a recoupment
            ("D", "2026-06", "-5.00"),
        ],
    )
    (late,) = late_recoupments(db)
    assert (late.payer_code, late.member_id, late.coverage_month) == ("BAY", "B", M("2025-06"))
    assert (late.amount, late.months_back, late.retro_window_months) == (D("-97.60"), 13, 12)
    assert (late.payment_date, late.file_name, late.source_row) == (
        dt.date(2026, 7, 10),
        "remit.xlsx",
        3,
    )


def test_retro_window_from_the_contract_and_import_date_fallback(db: Database) -> None:
    pid = _payer(db, "BAY", {"retro_window_months": 3})
    other = _payer(db, "SUN", {"retro_window_months": 24})
    # no payment date on the statement: its import date (2026-07-02) counts
    _statement(db, pid, None, [("A", "2026-04", "-1.00"), ("B", "2026-03", "-1.00")])
    _statement(db, other, dt.date(2026, 7, 1), [("C", "2024-07", "-1.00"), ("D", "2024-06", "-1")])
    found = [(r.payer_code, r.member_id, r.months_back) for r in late_recoupments(db)]
    assert found == [("BAY", "B", 4), ("SUN", "D", 25)]
    assert late_recoupments(db, "BAY")[0].payment_date == dt.date(2026, 7, 2)
    assert late_recoupments(db, "BAY")[0].retro_window_months == 3
    assert [r.member_id for r in late_recoupments(db, first=M("2024-07"))] == ["B"]
    assert [r.member_id for r in late_recoupments(db, last=M("2025-01"))] == ["D"]
