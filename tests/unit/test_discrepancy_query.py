"""The Reconciliation page's queries against a real reconciled database (the demo practice)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import event

from pmpm_desktop.core.month import Month
from pmpm_desktop.db.database import Database
from pmpm_desktop.errors import UsageError
from pmpm_desktop.services import discrepancy_query as dq
from pmpm_desktop.services.audit import actor_for
from pmpm_desktop.services.demo import FIRST, LAST
from pmpm_desktop.services.discrepancies import discrepancy_rows, history, set_status
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


def test_set_status_many_one_event_each(demo: Database) -> None:
    rows = discrepancy_rows(demo)[:3]
    keys = [(r.payer_code, r.member_id, r.month) for r in rows]
    assert dq.set_status_many(demo, keys, "disputed", "  called the payer  ") == 3
    for code, member, month in keys:
        entries = history(demo, code, member, month)
        assert [(e.event, e.new_status, e.note, e.actor) for e in entries[-1:]] == [
            ("status", "disputed", "called the payer", actor_for(demo))
        ]
        assert sum(e.actor != "reconcile" for e in entries) == 1
    after = {(r.payer_code, r.member_id, r.month): r for r in discrepancy_rows(demo)}
    assert all(
        after[k].status == "disputed" and after[k].last_note == "called the payer" for k in keys
    )
    # Same status and no note: nothing to record.
    assert dq.set_status_many(demo, keys, "disputed") == 0
    assert dq.count(demo, dq.DiscrepancyQuery(statuses=("disputed",))) == 3


def test_set_status_many_is_all_or_nothing(demo: Database) -> None:
    first = discrepancy_rows(demo)[0]
    keys = [(first.payer_code, first.member_id, first.month), ("SUN", "000000000", Month(2026, 1))]
    with pytest.raises(UsageError, match="nothing was changed"):
        dq.set_status_many(demo, keys, "written_off")
    assert discrepancy_rows(demo)[0].status == "open"
    with pytest.raises(UsageError):
        dq.set_status_many(demo, keys[:1], "closed")


def test_set_status_matching(demo: Database) -> None:
    query = dq.DiscrepancyQuery(payers=("HCA",), kinds=("underpaid",))
    n = dq.count(demo, query)
    assert n > 0
    assert dq.set_status_matching(demo, query, "resolved", "paid on appeal") == n
    assert dq.count(demo, dq.DiscrepancyQuery(payers=("HCA",), statuses=("resolved",))) == n
    # set_status shares the event writing: a note alone is a "note" event.
    r = discrepancy_rows(demo, payer_code="HCA", kind="underpaid")[0]
    set_status(demo, "HCA", r.member_id, r.month, "resolved", "second note")
    assert history(demo, "HCA", r.member_id, r.month)[-1].event == "note"


def test_month_summary_equals_reconcile(demo: Database) -> None:
    preview = dq.month_summary(demo, "SUN", FIRST, LAST)
    summary = reconcile(demo, "SUN", FIRST, LAST)
    assert preview == summary.months
    total = dq.summary_total(preview)
    assert (total.expected, total.paid, total.variance) == (
        summary.expected,
        summary.paid,
        summary.variance,
    )
    assert total.counts == summary.counts
    assert dq.roster_range(demo) == (FIRST, LAST)
    assert dq.roster_range(demo, "bay") == (FIRST, LAST)
    assert dq.has_work(demo)
    assert [c for c, _ in dq.payer_codes(demo)] == ["BAY", "HCA", "SUN"]


def test_default_range_falls_back_to_the_discrepancies(demo: Database) -> None:
    from sqlalchemy import update

    from pmpm_desktop.db.models import RosterImport

    assert dq.default_range(demo) == (FIRST, LAST)
    with demo.engine.begin() as conn:
        conn.execute(update(RosterImport).values(active=False))
    assert dq.roster_range(demo) is None
    every = discrepancy_rows(demo)
    assert dq.default_range(demo) == (min(r.month for r in every), max(r.month for r in every))


def test_empty_database(db: Database) -> None:
    assert dq.default_range(db) is None
    assert dq.roster_range(db) is None
    assert not dq.has_work(db)
    assert dq.count(db, dq.DiscrepancyQuery()) == 0


def test_age_days(demo: Database) -> None:
    import datetime as dt

    row = discrepancy_rows(demo)[0]
    assert dq.age_days(row, row.created_at.date() + dt.timedelta(days=9)) == 9
    assert dq.age_days(row) >= 0
