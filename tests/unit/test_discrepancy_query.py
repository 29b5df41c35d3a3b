"""The Reconciliation page's queries against a real reconciled database (the demo practice)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import event, select

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import UsageError
from pmpm_desktop.services import discrepancy_query as dq
from pmpm_desktop.services import month_summary as ms
from pmpm_desktop.services.demo import FIRST, LAST
from pmpm_desktop.services.discrepancies import discrepancy_rows
from pmpm_desktop.services.reconciling import reconcile


def test_unfiltered_equals_discrepancy_rows(demo: Database) -> None:
    every = discrepancy_rows(demo)
    source = dq.DiscrepancySource(demo)
    assert source.count() == len(every) > 10
    assert list(source.fetch(0, 10_000, None, False)) == every  # same rows, same default order


def test_filters(demo: Database) -> None:
    every = discrepancy_rows(demo)
    sun = dq.DiscrepancyQuery(payers=("sun",))
    assert dq.count(demo, sun) == sum(r.payer_code == "SUN" for r in every)
    kinds = Counter(r.kind for r in every)
    kind = kinds.most_common(1)[0][0]
    assert dq.count(demo, dq.DiscrepancyQuery(kinds=(kind,))) == kinds[kind]
    feb = dq.DiscrepancyQuery(first=Month(2026, 2), last=Month(2026, 2))
    assert dq.count(demo, feb) == sum(r.month == Month(2026, 2) for r in every)
    assert dq.count(demo, dq.DiscrepancyQuery(statuses=("disputed",))) == 0

    named = next(r for r in every if r.last_name)
    by_name = dq.fetch(demo, dq.DiscrepancyQuery(text=named.last_name.lower()), 0, 1000)
    assert named in by_name
    assert all(named.last_name.lower() in (r.last_name or "").lower() for r in by_name)
    both = dq.DiscrepancyQuery(text=f"{named.first_name} {named.last_name}".upper())
    assert named in dq.fetch(demo, both, 0, 1000)
    prefix = named.member_id[:4]
    by_id = dq.fetch(demo, dq.DiscrepancyQuery(text=prefix.lower()), 0, 1000)
    assert named in by_id
    assert {r for r in every if r.member_id.startswith(prefix)} <= set(by_id)
    assert dq.count(demo, dq.DiscrepancyQuery(text="%")) == 0  # LIKE wildcards are literal

    with pytest.raises(UsageError):
        dq.DiscrepancyQuery(kinds=("matched",))
    with pytest.raises(UsageError):
        dq.DiscrepancyQuery(statuses=("closed",))


def test_sorting_every_key(demo: Database) -> None:
    every = discrepancy_rows(demo)
    for key in dq.ORDER_KEYS:
        rows = dq.fetch(demo, dq.DiscrepancyQuery(), 0, 10_000, key, False)
        assert sorted(rows, key=lambda r: (r.payer_code, r.month.index, r.member_id)) == sorted(
            every, key=lambda r: (r.payer_code, r.month.index, r.member_id)
        )
    up = dq.fetch(demo, dq.DiscrepancyQuery(), 0, 10_000, "variance", False)
    assert [r.variance for r in up] == sorted(r.variance for r in every)
    down = dq.fetch(demo, dq.DiscrepancyQuery(), 0, 10_000, "variance", True)
    assert [r.variance for r in down] == sorted((r.variance for r in every), reverse=True)
    names = dq.fetch(demo, dq.DiscrepancyQuery(), 0, 10_000, "name", False)
    known = [(r.last_name, r.first_name) for r in names if r.last_name]
    assert known == sorted(known)
    with pytest.raises(UsageError):
        dq.fetch(demo, dq.DiscrepancyQuery(), 0, 10, "colour", False)


def test_paging_continues_without_overlap(demo: Database) -> None:
    query = dq.DiscrepancyQuery()
    total = dq.count(demo, query)
    whole = dq.fetch(demo, query, 0, total, "kind", False)
    page1 = dq.fetch(demo, query, 0, 7, "kind", False)
    page2 = dq.fetch(demo, query, 7, 7, "kind", False)
    assert page1 + page2 == whole[:14]
    assert not set(page1) & set(page2)
    pages = [dq.fetch(demo, query, i, 7, "kind", False) for i in range(0, total, 7)]
    assert [r for p in pages for r in p] == whole


def test_source_pages_from_ordered_ids_equal_the_sorted_query(demo: Database) -> None:
    # Deeper pages come from a snapshot of ordered ids: every order, filter and direction must
    # give exactly the rows (and the order) of one big sorted query.
    for query in (dq.DiscrepancyQuery(), dq.DiscrepancyQuery(text="a", statuses=("open",))):
        source = dq.DiscrepancySource(demo, query)
        for key in (None, *dq.ORDER_KEYS):
            for descending in (False, True):
                total = source.count()
                whole = dq.fetch(demo, query, 0, total, key, descending)
                pages = [source.fetch(i, 9, key, descending) for i in range(0, total, 9)]
                assert [r for p in pages for r in p] == whole, (query, key, descending)


def test_count_is_one_sql_count(demo: Database) -> None:
    statements: list[str] = []

    def seen(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(demo.engine, "before_cursor_execute", seen)
    try:
        dq.count(demo, dq.DiscrepancyQuery(payers=("SUN",), text="a"))
    finally:
        event.remove(demo.engine, "before_cursor_execute", seen)
    assert len(statements) == 1
    assert "count(*)" in statements[0].lower()


def test_totals(demo: Database) -> None:
    every = discrepancy_rows(demo)
    t = dq.totals(demo, dq.DiscrepancyQuery())
    assert t.count == len(every)
    assert t.variance == sum((r.variance for r in every), Decimal("0.00"))
    under = dq.totals(demo, dq.DiscrepancyQuery(kinds=("underpaid",), payers=("SUN",)))
    rows = [r for r in every if r.kind == "underpaid" and r.payer_code == "SUN"]
    assert under == dq.Totals(len(rows), sum((r.variance for r in rows), Decimal("0.00")))
    assert under.variance < 0
    assert dq.totals(demo, dq.DiscrepancyQuery(text="nobody-at-all")) == dq.Totals(
        0, Decimal("0.00")
    )


def test_month_summary_equals_reconcile(demo: Database) -> None:
    preview = ms.month_summary(demo, "SUN", FIRST, LAST)
    summary = reconcile(demo, "SUN", FIRST, LAST)
    assert preview == summary.months
    total = ms.summary_total(preview)
    assert (total.expected, total.paid, total.variance) == (
        summary.expected,
        summary.paid,
        summary.variance,
    )
    assert total.counts == summary.counts
    assert ms.roster_range(demo) == (FIRST, LAST)
    assert ms.roster_range(demo, "bay") == (FIRST, LAST)
    assert ms.has_work(demo)
    assert [c for c, _ in ms.payer_codes(demo)] == ["BAY", "HCA", "SUN"]


def test_default_range_falls_back_to_the_discrepancies(demo: Database) -> None:
    from sqlalchemy import update

    from pmpm_desktop.db.models import RosterImport

    assert ms.default_range(demo) == (FIRST, LAST)
    with demo.engine.begin() as conn:
        conn.execute(update(RosterImport).values(active=False))
    assert ms.roster_range(demo) is None
    every = discrepancy_rows(demo)
    assert ms.default_range(demo) == (min(r.month for r in every), max(r.month for r in every))


def test_empty_database(db: Database) -> None:
    assert ms.default_range(db) is None
    assert ms.roster_range(db) is None
    assert not ms.has_work(db)
    assert dq.count(db, dq.DiscrepancyQuery()) == 0


def test_days_since_due_counts_from_the_payment_due_date(demo: Database) -> None:
    import datetime as dt

    from pmpm_desktop.services.aging import aging_items

    rows = discrepancy_rows(demo)
    row = rows[0]
    assert row.due_date is not None and row.due_date.year == row.month.year
    assert row.due_date.month == row.month.month
    assert dq.days_since_due(row, row.due_date + dt.timedelta(days=9)) == 9
    assert dq.days_since_due(row, row.due_date - dt.timedelta(days=3)) == 0  # not due yet
    # the Aging sheet's age of the same items, to the day
    today = dt.date(2026, 9, 30)
    aged = {
        (i.payer_code, i.member_id, i.month): i.age_days for i in aging_items(demo, as_of=today)
    }
    assert aged and all(
        dq.days_since_due(r, today) == aged[(r.payer_code, r.member_id, r.month)]
        for r in rows
        if (r.payer_code, r.member_id, r.month) in aged
    )


def test_sorting_by_days_since_due_follows_each_payers_due_day(demo: Database) -> None:
    from sqlalchemy import update

    from pmpm_desktop.db.models import Contract, Payer

    with demo.engine.begin() as conn:  # HCA is paid on the 2nd, SUN on the 28th
        for code, day in (("HCA", 2), ("SUN", 28)):
            payer = select(Payer.id).where(Payer.code == code).scalar_subquery()
            conn.execute(
                update(Contract).where(Contract.payer_id == payer).values(payment_due_day=day)
            )
    rows = dq.fetch(demo, dq.DiscrepancyQuery(), 0, 10_000, "days_since_due", False)
    ages = [dq.days_since_due(r) for r in rows]
    assert ages == sorted(ages)
    dues = [r.due_date for r in rows]
    assert dues == sorted(dues, reverse=True)
    assert {r.due_date.day for r in rows if r.payer_code == "HCA"} == {2}


def test_page_facts_and_the_months_an_import_speaks_about(demo: Database) -> None:
    from sqlalchemy import func

    from pmpm_desktop.db.models import RemittanceLine, RosterImport
    from pmpm_desktop.io.options import FileKind

    facts = ms.page_facts(demo)
    assert facts.has_work and facts.default_range == (FIRST, LAST)
    assert [c for c, _ in facts.payers] == ["BAY", "HCA", "SUN"]
    with demo.sessions() as s:
        roster_id, roster_month = s.execute(
            select(RosterImport.id, RosterImport.roster_month).limit(1)
        ).one()
        line_import, low, high = s.execute(
            select(
                RemittanceLine.import_id,
                func.min(RemittanceLine.coverage_month),
                func.max(RemittanceLine.coverage_month),
            )
            .group_by(RemittanceLine.import_id)
            .limit(1)
        ).one()
    assert ms.import_months(demo, FileKind.ROSTER, roster_id) == (roster_month, roster_month)
    low, high = (Month.parse(v) if isinstance(v, str) else v for v in (low, high))
    assert ms.import_months(demo, FileKind.STATEMENT, line_import) == (low, high)
    assert ms.import_months(demo, FileKind.STATEMENT, 10**9) is None
